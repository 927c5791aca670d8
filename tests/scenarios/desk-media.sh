#!/usr/bin/env bash
# desk-media: what decrypt records of each attachment, and known media
# (issue 15), on images ImageMagick makes here and exiftool tags, nothing
# real. Reports sealed by od-mkbundle.
#  - JPEG, PNG, WebP and GIF attachments: report.json has the MD5, SHA-1
#    and SHA-256 that md5sum, sha1sum and sha256sum give, the type, the
#    size identify gives and the PDQ hash od-pdq gives on ImageMagick's
#    pixels of the same file (0 bits apart), the metadata warnings
#    od-metadata gives (the JPEG tagged with GPS and a camera flagged,
#    the clean one []); a text file its hashes and type, no image field;
#    a truncated PNG an image_error, and decrypt still exits 0; the case
#    file's row of each attachment says the same as report.json, and so
#    does `show` (type, size and PDQ hash with its quality, "not decoded"
#    for the truncated PNG, the list and grade, each metadata warning);
#  - an image whose SHA-256 is on a list, and a JPEG re-encode of one
#    whose PDQ hash is on another, are flagged with list and grade in
#    report.json and the case file, and named on standard output by
#    report and position, never by file name;
#  - with --withhold-known their bytes reach the output directory neither
#    after the run nor during it (a marker inside each image, grepped over
#    the whole directory, hidden report folders included, while decrypt
#    waits in the middle of the next report), the others are written; an
#    attachment named like a withheld one gets a name of its own; past
#    64 MiB (held in an unnamed file), a listed attachment is not linked
#    in and an unlisted one is, whole;
#  - the decoder has one report's image while the next report is
#    decrypted: reports of one image each, a known one among them, and a
#    report without, each recorded with its own image's size and PDQ hash,
#    the known ones named in report order; the same report twice in a row
#    (a damaged bundle) is recorded once, the second time "already there".
. "$(dirname "$0")/lib.sh"
cd "$T"
PDQ="$BUILD_ROOT/tests/od-pdq"
META="$BUILD_ROOT/tests/od-metadata"
CONVERT=/usr/bin/convert-im6.q16	# Debian's ImageMagick, by its own name
IDENTIFY=/usr/bin/identify-im6.q16

for tool in "$CONVERT" exiftool python3; do
	if ! command -v "$tool" > /dev/null; then
		fail "$tool is installed (scripts/packages.sh TEST_PACKAGES)"
		exit 0
	fi
done

# im_pdq FILE: the PDQ hash of ImageMagick's pixels of FILE's first frame.
im_pdq() {
	local w h
	read -r w h < <("$IDENTIFY" -format '%w %h\n' "$1[0]")
	"$CONVERT" "$1[0]" -depth 8 rgb:- | "$PDQ" "$w" "$h" | cut -d' ' -f1
}
q() { sqlite3 "$1/cases.db" "$2"; }

# --- the material ----------------------------------------------------------
"$KEYS" keygen --out a --no-passphrase > /dev/null
"$CONVERT" -size 320x240 -seed 11 plasma:fractal -quality 90 a.jpg
"$CONVERT" -size 320x240 -seed 12 plasma:fractal -quality 90 gps.jpg
exiftool -q -q -overwrite_original -GPSLatitude=48.85 -GPSLatitudeRef=N \
	-GPSLongitude=2.35 -GPSLongitudeRef=E -Make=Canon \
	'-Model=Canon EOS 5D' gps.jpg
"$CONVERT" -size 200x150 -seed 13 plasma:fractal b.png
"$CONVERT" -size 180x120 -seed 14 plasma:fractal -quality 80 c.webp
"$CONVERT" -size 160x100 -seed 15 plasma:fractal d.gif
printf 'a few words of text\n' > t.txt
printf 'another text, named like a withheld image\n' > t2.txt
head -c $(($(stat -c %s b.png) / 2)) b.png > corrupt.png
mark_l=oniondrop-marker-listed-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
mark_n=oniondrop-marker-near-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
"$CONVERT" -size 256x192 -seed 16 plasma:fractal -set comment "$mark_l" listed.png
"$CONVERT" -size 256x192 -seed 17 plasma:fractal orig.png
"$CONVERT" orig.png -quality 50 -set comment "$mark_n" near.jpg
check "each marker is in its image's bytes" sh -c \
	"grep -qaF '$mark_l' listed.png && grep -qaF '$mark_n' near.jpg"

# The lists: listed.png's SHA-256 (grade A); orig.png's PDQ hash (grade B).
lists() {
	mkdir "$1"
	printf '%s A\n' "$(sha256sum < listed.png | cut -d' ' -f1)" > exact.txt
	printf '%s B\n' "$(im_pdq orig.png)" > partner.txt
	"$KEYS" hashlist import "$1" exact.txt --name exact --format sha256 > /dev/null
	"$KEYS" hashlist import "$1" partner.txt --name partner --format pdq > /dev/null
}
files=(a.jpg gps.jpg b.png c.webp d.gif t.txt corrupt.png listed.png near.jpg)
{
	echo report
	echo 'field url http://media.example/x'
	for f in "${files[@]}"; do echo "attach $f $f"; done
	echo 'attach listed.png t2.txt'
	echo end
	printf 'report\nfield description no attachment\nend\n'
} | "$MKBUNDLE" b.bundle a.pub > made
rid=$(awk '/^report/ { print $2; exit }' made)

# What each attachment should be: name, hashes, type, size, PDQ, warnings.
for f in "${files[@]}" t2.txt; do
	name=$f
	[ "$f" = t2.txt ] && name=2-listed.png
	type=$(case $f in *.jpg) echo image/jpeg ;; *.png) echo image/png ;;
		*.webp) echo image/webp ;; *.gif) echo image/gif ;;
		*) echo application/octet-stream ;; esac)
	size=- pdq=-
	if [ "$type" != application/octet-stream ] && [ "$f" != corrupt.png ]; then
		size=$("$IDENTIFY" -format '%wx%h\n' "$f[0]")
		pdq=$(im_pdq "$f")
	fi
	warn=$("$META" "$f" | sed "s/^$f: //" | paste -sd '|' -)
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" \
		"$(md5sum < "$f" | cut -d' ' -f1)" "$(sha1sum < "$f" | cut -d' ' -f1)" \
		"$(sha256sum < "$f" | cut -d' ' -f1)" "$type" "$size" "$pdq" "${warn:--}"
done > expect.tsv
check "od-metadata flags gps.jpg (GPS, camera) and finds nothing in a.jpg" \
	test -n "$(grep '^gps.jpg.*GPS position' expect.tsv | grep 'camera: Canon EOS 5D')" -a \
	"$(grep '^a.jpg' expect.tsv | cut -f8)" = -

# verify DIR WITHHELD: one line per attachment of report $rid, "ok NAME"
# when report.json and the case file say what expect.tsv says.
verify() {
	python3 - "$1/$rid/report.json" "$1/cases.db" expect.tsv "$2" <<'PY'
import json, sqlite3, sys
report, db, expect, withheld = sys.argv[1:5]
atts = {a["name"]: a for a in json.load(open(report))["attachments"]}
cols = ("md5", "sha1", "type", "width", "height", "pdq", "pdq_quality",
        "known_list", "known_grade", "metadata_warnings", "size", "sha256")
rows = {r[0]: dict(zip(cols, r[1:])) for r in sqlite3.connect(db).execute(
    "SELECT name, " + ", ".join(cols) + " FROM attachments")}
known = {"listed.png": ("exact", "A", "sha256"), "near.jpg": ("partner", "B", "pdq")}
for line in open(expect):
    name, md5, sha1, sha256, mime, size, pdq, warn = line.rstrip("\n").split("\t")
    a, r, bad = atts.get(name), rows.get(name), []
    if a is None or r is None:
        print("bad %s: missing" % name); continue
    want = {"md5": md5, "sha1": sha1, "sha256": sha256, "type": mime,
            "metadata_warnings": [] if warn == "-" else warn.split("|")}
    bad += ["%s %r" % (k, a.get(k)) for k in want if a.get(k) != want[k]]
    if size != "-":
        w, h = map(int, size.split("x"))
        if (a.get("width"), a.get("height")) != (w, h) or a.get("pdq") != pdq:
            bad.append("size/pdq %r %r %r" % (a.get("width"), a.get("height"), a.get("pdq")))
        if not 0 <= a.get("pdq_quality", -1) <= 100 or "image_error" in a:
            bad.append("pdq_quality/image_error")
    elif mime.startswith("image/"):
        if "pdq" in a or "width" in a or not a.get("image_error"):
            bad.append("not refused: %r" % a)
    elif any(k in a for k in ("pdq", "width", "height", "pdq_quality", "image_error")):
        bad.append("image fields on a non-image")
    k = known.get(name)
    got = a.get("known")
    if k is None and got is not None or k is not None and (got is None or
            (got["list"], got["grade"], got["match"]) != k):
        bad.append("known %r" % got)
    if k and k[2] == "pdq" and not 0 <= got.get("distance", 99) <= 31:
        bad.append("distance %r" % got)
    if a.get("withheld", False) != (withheld == "1" and k is not None):
        bad.append("withheld %r" % a.get("withheld"))
    # the case file's row says the same
    same = {"md5": a["md5"], "sha1": a["sha1"], "type": a["type"],
            "width": a.get("width"), "height": a.get("height"),
            "pdq": a.get("pdq"), "pdq_quality": a.get("pdq_quality"),
            "known_list": got and got["list"], "known_grade": got and got["grade"],
            "size": a["size"], "sha256": a["sha256"]}
    bad += ["case file %s %r" % (c, r[c]) for c in same if r[c] != same[c]]
    if json.loads(r["metadata_warnings"]) != a["metadata_warnings"]:
        bad.append("case file warnings %r" % r["metadata_warnings"])
    print(("bad %s: %s" % (name, "; ".join(bad))) if bad else "ok " + name)
PY
}
# check_all DIR WITHHELD LABEL: a check per attachment from verify.
check_all() {
	local out line
	out=$(verify "$1" "$2")
	while read -r line; do
		check "$3: ${line#ok }" test "${line%% *}" = ok
	done <<< "$out"
}

# --- decrypt: everything recorded, known media flagged ------------------------
lists deskA
run_status rc "$KEYS" decrypt --key a.sec --out deskA b.bundle > outA 2> errA
check "decrypt exits 0 with a truncated image among the attachments ($rc)" test "$rc" = 0
check_all deskA 0 decrypt
n=$(grep -o '"image_error": "[^"]*"' "deskA/$rid/report.json")
check "the truncated PNG's refusal is recorded ($n)" test -n "$n"
d=$(python3 -c 'import json,sys; print([a for a in json.load(open(sys.argv[1]))["attachments"] if a["name"] == "near.jpg"][0]["known"]["distance"])' "deskA/$rid/report.json")
check "standard output names the two known attachments by report and position" \
	test "$(grep '^known:' outA)" = "known: $rid attachment 8: list exact grade A (sha256)
known: $rid attachment 9: list partner grade B (pdq, $d bits)"
check "... and no file name" test -z "$(grep -e listed -e near -e '\.jpg' -e '\.png' outA || true)"
check "without --withhold-known every attachment is written" test \
	"$(ls "deskA/$rid/attachments" | wc -l)" = 10
check "... the markers are found where the images are" sh -c \
	"grep -rqaF '$mark_l' deskA && grep -rqaF '$mark_n' deskA"
check "the report without attachments is recorded as before" test \
	"$(q deskA 'SELECT count(*) FROM reports')" = 2
"$KEYS" show deskA "$rid" | sed -n '/^attachments:$/,/^follow-ups:$/p' > shown
python3 - expect.tsv "deskA/$rid/report.json" > wanted <<'PY'
import json, sys
known = {"listed.png": "exact, grade A", "near.jpg": "partner, grade B"}
q = {a["name"]: a.get("pdq_quality") for a in
     json.load(open(sys.argv[2]))["attachments"]}
print("attachments:")
for line in open(sys.argv[1]):
    name, _, _, sha256, mime, size, pdq, warn = line.rstrip("\n").split("\t")
    src = "t2.txt" if name == "2-listed.png" else name
    print("  %s  %d bytes  sha256 %s" % (name, len(open(src, "rb").read()), sha256))
    if size != "-":
        print("     type %s, %s, pdq %s (quality %d)" % (mime, size, pdq, q[name]))
    elif mime.startswith("image/"):
        print("     type %s, not decoded (report.json's image_error says why)" % mime)
    else:
        print("     type " + mime)
    if name in known:
        print("     known: list " + known[name])
    for w in ([] if warn == "-" else warn.split("|")):
        print("     metadata: " + w)
print("follow-ups:")
PY
check "show: each attachment's type, size, PDQ and quality, list and grade, warnings" \
	diff wanted shown

# --- --withhold-known -----------------------------------------------------------
lists deskB
run_status rc "$KEYS" decrypt --key a.sec --out deskB --withhold-known b.bundle > outB
check "--withhold-known: exit 0 ($rc)" test "$rc" = 0
check_all deskB 1 --withhold-known
check "... the known attachments are said to be withheld" test \
	"$(grep -c '^known: .*; withheld: not written$' outB)" = 2
check "... their files are not there, the 8 others are (t2.txt as 2-listed.png)" \
	test "$(ls "deskB/$rid/attachments" | tr '\n' ' ')" = \
	"2-listed.png a.jpg b.png c.webp corrupt.png d.gif gps.jpg t.txt "
check "... neither marker is anywhere in the output directory" \
	test -z "$(grep -rlaF -e "$mark_l" -e "$mark_n" deskB || true)"
check "... each written attachment is byte for byte the one sent" sh -c \
	"cd deskB/$rid/attachments && cmp a.jpg '$T/a.jpg' && cmp gps.jpg '$T/gps.jpg' \
	&& cmp c.webp '$T/c.webp' && cmp 2-listed.png '$T/t2.txt'"

# --- during the run: decrypt reads a FIFO, stopped in the next report ------------
{
	printf 'report\nattach listed.png listed.png\nattach near.jpg near.jpg\nend\n'
	printf 'report\nattach-random filler.bin 4000000 9\nend\n'
} | "$MKBUNDLE" c.bundle a.pub > made-c
read -r _ cid _ _ < <(grep '^report' made-c | head -1)
read -r _ _ off len < <(grep '^report' made-c | tail -1)
lists deskC
mkfifo pipe
"$KEYS" decrypt --key a.sec --out deskC --withhold-known pipe > outC 2>&1 &
dpid=$!
cleanup_hooks+=("kill $dpid 2>/dev/null")
exec 7<> pipe	# read-write: never blocks, even if decrypt is gone
timeout 60 head -c $((off + len / 2)) c.bundle >&7
for _ in $(seq 200); do
	ls deskC/.partial-"$cid"-*/report.json > /dev/null 2>&1 && break
	sleep 0.05
done
check "mid-run: the first report is done, hidden, waiting for its batch" \
	test -n "$(ls -d deskC/.partial-"$cid"-*/attachments 2>/dev/null)"
check "... its attachments directory is empty" \
	test -z "$(ls -A deskC/.partial-"$cid"-*/attachments)"
check "... neither marker is anywhere in the output directory, hidden folders too" \
	test -z "$(grep -rlaF -e "$mark_l" -e "$mark_n" deskC || true)"
timeout 60 tail -c +$((off + len / 2 + 1)) c.bundle >&7
exec 7>&-
run_status rc wait "$dpid"
check "... then the rest: decrypt ends, exit 0 ($rc)" test "$rc" = 0
check "... and still no marker" \
	test -z "$(grep -rlaF -e "$mark_l" -e "$mark_n" deskC || true)"

# --- past what is held in memory (64 MiB): an unnamed file ------------------------
big=$((64 * 1024 * 1024 + 4096))
printf 'report\nattach-random big1.bin %d 21\nattach-random big2.bin %d 22\nend\n' \
	"$big" "$((big + 1))" | "$MKBUNDLE" d.bundle a.pub > made-d
mapfile -t shas < <(awk '/^attachment/ { print $2 }' made-d)
did=$(awk '/^report/ { print $2 }' made-d)
echo "${shas[0]} C" > big.txt
mkdir deskD
"$KEYS" hashlist import deskD big.txt --name big --format sha256 > /dev/null
run_status rc "$KEYS" decrypt --key a.sec --out deskD --withhold-known d.bundle > outD
check "two attachments over 64 MiB, the first listed: exit 0 ($rc)" test "$rc" = 0
check "... the listed one is withheld" test \
	"$(grep '^known:' outD)" = "known: $did attachment 1: list big grade C (sha256); withheld: not written"
check "... its file is not there; the other is linked in whole" test \
	"$(ls "deskD/$did/attachments")" = big2.bin -a \
	"$(sha256sum < "deskD/$did/attachments/big2.bin" | cut -d' ' -f1)" = "${shas[1]}"
check "... report.json: the first withheld, the second not" python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))["attachments"]
assert a[0]["withheld"] is True and a[0]["known"]["list"] == "big", a[0]
assert "withheld" not in a[1] and a[1]["sha256"] == sys.argv[2], a[1]
' "deskD/$did/report.json" "${shas[1]}"

# --- one report's image decoded while the next is decrypted ---------------------
{
	printf 'report\nattach a.jpg a.jpg\nend\n'
	printf 'report\nattach listed.png listed.png\nend\n'
	printf 'report\nattach t.txt t.txt\nend\n'
	printf 'report\nattach near.jpg near.jpg\nend\n'
	printf 'report\nattach b.png b.png\nend\n'
} | "$MKBUNDLE" e.bundle a.pub > made-e
mapfile -t eids < <(awk '/^report/ { print $2 }' made-e)
lists deskE
run_status rc "$KEYS" decrypt --key a.sec --out deskE e.bundle > outE
check "reports of one image each: exit 0 ($rc)" test "$rc" = 0
got=$(for i in 0 1 3 4; do
	python3 -c 'import json, sys; a = json.load(open(sys.argv[1]))["attachments"][0]
print(a["name"], a["width"], a["height"], a["pdq"])' "deskE/${eids[$i]}/report.json"
done)
want=$(for f in a.jpg listed.png near.jpg b.png; do
	echo "$f $("$IDENTIFY" -format '%w %h' "$f") $(im_pdq "$f")"; done)
check "... each report has its own image's size and PDQ hash" test "$got" = "$want"
check "... the case file says the same" test "$(q deskE "SELECT a.name, a.width,
	a.height, a.pdq FROM attachments AS a JOIN reports AS r ON r.id = a.report_id
	WHERE a.pdq IS NOT NULL ORDER BY r.rowid" | tr '|' ' ')" = "$want"
check "... the known ones are named in report order" test \
	"$(grep '^known:' outE | cut -d' ' -f2,6)" = "${eids[1]} exact
${eids[3]} partner"
check "... and the text's report is recorded too" test \
	"$(q deskE "SELECT count(*) FROM reports")" = 5
python3 - e.bundle made-e <<'PY'
import sys
b = open(sys.argv[1], "rb").read()
off, n = [int(x) for x in [l.split()[2:4] for l in open(sys.argv[2])
                           if l.startswith("report")][0]]
open("twice.bundle", "wb").write(b[:off + n] + b[off:])   # its first record again
PY
run_status rc "$KEYS" decrypt --key a.sec --out deskF twice.bundle > outF 2> errF
check "the same report twice in a row: the second is already there" test \
	"$(grep -c "^already there: ${eids[0]}$" outF)" = 1
check "... recorded once, the others too, the damage named (exit $rc)" test \
	"$(q deskF "SELECT count(*) FROM reports")" = 5 -a \
	"$(q deskF "SELECT count(*) FROM attachments WHERE report_id = '${eids[0]}'")" = 1 \
	-a "$rc" = 1 -a -n "$(grep 'out of order' errF)"
check "no unfinished folder is left anywhere" test -z \
	"$(ls -A deskA deskB deskC deskD deskE deskF | grep partial || true)"
