#!/usr/bin/env bash
# desk-referral: metadata warnings and referral packets (issue 15), on
# images ImageMagick makes here and exiftool tags, nothing real.
#  - a JPEG with GPS, camera, serial, author, software and date tags, a
#    PNG with text chunks and a GIF with a comment are flagged by
#    client-keys/metadata (tests/od-metadata);
#  - `referral --to police` copies them stripped by Debian's mat2: the
#    copies have no warning (metadata.c), exiftool finds none of the tags
#    and mat2 -s none, they are still the same pictures (PDQ within 31);
#    a WebP (mat2 cannot clean it) and a binary file are left out and
#    named; the originals, report.json and every file of the case
#    directory keep their bytes; nothing is written outside DIR2 (HOME
#    and TMPDIR stay empty); DIR2 is 0700, its files 0600;
#  - what each recipient is given: the police everything but the reply
#    key; a hotline, by URL id, every report naming it, that URL only, the
#    classification, the clean copies and no description, language, lines
#    or file names; a host the category, the URL and its verdict only;
#  - --seal-to: DIR2 holds only referral.odb, which the recipient's key
#    decrypts (and the analyst's does not) to the same referral.json and
#    the same clean files, byte for byte;
#  - an unknown id (alone or with known ones) and an existing DIR2 are
#    refused, nothing written; a mat2 that fails, crashes, is missing or
#    cleans nothing (ONIONDROP_MAT2) leaves every image out, named; one
#    that writes to the original (and fails) fails the command and DIR2 is
#    removed; an
#    attachment that is a symbolic link or whose bytes changed since
#    decrypt is left out, the link not followed.
. "$(dirname "$0")/lib.sh"
cd "$T"
META="$BUILD_ROOT/tests/od-metadata"
IMG="$BUILD_ROOT/tests/od-img"
PDQ="$BUILD_ROOT/tests/od-pdq"
CONVERT=/usr/bin/convert-im6.q16	# Debian's ImageMagick, by its own name

for tool in "$CONVERT" exiftool mat2; do
	if ! command -v "$tool" > /dev/null; then
		fail "$tool is installed (scripts/packages.sh TEST_PACKAGES)"
		exit 0
	fi
done

# --- the material: tagged images, a WebP, random bytes ---------------------
"$KEYS" keygen --out a --no-passphrase > /dev/null
"$KEYS" keygen --out police --no-passphrase > /dev/null
"$CONVERT" -size 320x240 -seed 5 plasma:fractal -quality 90 photo.jpg
exiftool -q -q -overwrite_original -GPSLatitude=48.85 -GPSLatitudeRef=N \
	-GPSLongitude=2.35 -GPSLongitudeRef=E -Make=Canon \
	'-Model=Canon EOS 5D' -SerialNumber=4711 '-Artist=Jane Doe' \
	'-Software=GIMP 2.10' '-DateTimeOriginal=2024:01:02 10:00:00' photo.jpg
"$CONVERT" -size 320x240 -seed 9 plasma:fractal -quality 90 photo2.jpg
exiftool -q -q -overwrite_original -GPSLatitude=1 -GPSLatitudeRef=S photo2.jpg
"$CONVERT" -size 96x64 -seed 6 plasma:fractal shot.png
exiftool -q -q -overwrite_original -PNG:Author=Jane -PNG:Comment=hi shot.png
"$CONVERT" -size 96x64 -seed 7 plasma:fractal anim.gif
exiftool -q -q -overwrite_original -Comment=hello anim.gif
"$CONVERT" -size 96x64 -seed 8 plasma:fractal pic.webp
exiftool -q -q -overwrite_original '-Artist=Jane Doe' pic.webp

flags=$("$META" photo.jpg)
ok_all=1
for w in "GPS position" "camera: Canon EOS 5D" "serial number" \
	"author: Jane Doe" "software: GIMP 2.10" \
	"date taken: 2024:01:02 10:00:00"; do
	grep -qxF "photo.jpg: $w" <<< "$flags" || ok_all=0
done
check "the JPEG made with GPS and camera tags is flagged: $(tr '\n' '|' <<< "$flags")" \
	test "$ok_all" = 1
check "the PNG's text chunks and the GIF's comment are flagged" sh -c \
	"'$META' shot.png | grep -q 'author: Jane' && '$META' anim.gif | grep -q 'text comment'"

ids=()
while read -r kind id _; do
	[ "$kind" = report ] && ids+=("$id")
done < <("$MKBUNDLE" b.bundle a.pub <<'SPEC'
report
field received 2026-11-27
field language fr
field category csam
field url http://example.com/a
field url http://other.example/b
field url not a url, my phone number 0600000000
field description Je m'appelle Jean, voici ce que j'ai vu
field reply_key 1111111111111111111111111111111111111111111111111111111111111111
attach photo.jpg photo.jpg
attach shot.png shot.png
attach anim.gif anim.gif
attach pic.webp pic.webp
attach-random notes.bin 500 1
end
report
field received 2026-11-29
field language ar
field category csam
field url http://example.com/a
field description تقرير ثان
attach photo2.jpg photo2.jpg
end
report
field received 2026-11-30
field category other
field url http://third.example/
end
SPEC
)
R1=${ids[0]} R2=${ids[1]} R3=${ids[2]}
"$KEYS" decrypt --key a.sec --out cases b.bundle > /dev/null
uid() { sqlite3 cases/cases.db "SELECT id FROM urls WHERE canonical = '$1'"; }
UA=$(uid http://example.com/a)
UB=$(uid http://other.example/b)
"$KEYS" assess cases "$UA" --verdict actioned --severity A --age-band 7-10 \
	--sex girls --site-type image-host --hosting-country NL \
	--referred-to police --analyst alice --note "desk note 42" > /dev/null
# every file of the case directory, hashed (its database's WAL files aside)
tree_sums() { (cd "$1" && find . -type f ! -name 'cases.db*' -print0 |
	sort -z | xargs -0 sha256sum); }
tree_sums cases > before.sums
# listing: every path under $T but this script's own notes and DIR2s
listing() { find . | grep -vE '^\./(p1|[^/]*\.(files|sums|out|err))(/|$)' | sort; }
mkdir home tmpdir
listing > before.files

# --- police: everything but the reply key; clean copies ---------------------
run_status rc env HOME="$T/home" TMPDIR="$T/tmpdir" \
	"$KEYS" referral cases --to police --out p1 "$R1" > p1.out 2> p1.err
check "referral --to police (exit $rc)" test "$rc" = 0
check "DIR2 holds referral.json and the three clean images: $(ls p1 | tr '\n' ' ')" \
	test "$(ls p1 | tr '\n' ' ')" = "1-1.jpg 1-2.png 1-3.gif referral.json "
check "DIR2 is 0700 and its files 0600" sh -c \
	"test \"\$(stat -c %a p1)\" = 700 && test -z \"\$(find p1 -type f ! -perm 600)\""
check "the WebP and the binary file are left out and named" sh -c \
	"grep -q 'attachment 4 (pic.webp): image/webp: only JPEG, PNG and GIF' p1.err &&
	 grep -q 'attachment 5 (notes.bin): application/octet-stream' p1.err &&
	 grep -q '3 file(s), 2 left out' p1.out"
check "metadata.c finds nothing in the copies" test -z "$("$META" p1/1-*)"
exif=$(exiftool -q -q -s -EXIF:all -XMP:all -IPTC:all -GPS:all -Comment \
	-PNG:Author -PNG:Comment -PNG:CreationTime -PNG:Software p1/1-* || true)
check "exiftool finds none of the tags in the copies${exif:+: $exif}" test -z "$exif"
check "mat2 -s finds no metadata in the copies" sh -c \
	"test \"\$(mat2 -s p1/1-* | grep -c 'No metadata found')\" = 3"
h1=$("$IMG" photo.jpg | cut -d' ' -f4)
h2=$("$IMG" p1/1-1.jpg | cut -d' ' -f4)
d=$("$PDQ" distance "$h1" "$h2")
check "the clean JPEG is the same picture (PDQ distance $d)" test "$d" -le 31
tree_sums cases > after.sums
check "the originals, report.json and every file of DIR keep their bytes" \
	cmp -s before.sums after.sums
rec=$(sqlite3 cases/cases.db "SELECT sha256 FROM attachments WHERE report_id = '$R1' AND pos = 0")
check "the original JPEG still has the SHA-256 decrypt recorded" \
	test "$(sha256sum "cases/$R1/attachments/photo.jpg" | cut -d' ' -f1)" = "$rec"
listing > after.files
check "nothing written outside DIR2: HOME and TMPDIR empty, no other file" sh -c \
	"test -z \"\$(find home tmpdir -mindepth 1)\" && cmp -s before.files after.files"
j=p1/referral.json
check "the police get the description, language, lines, file names and the desk's note" sh -c \
	"grep -q 'Je m.appelle Jean' $j && grep -q '\"language\": \"fr\"' $j &&
	 grep -q 'my phone number' $j && grep -q '\"name\": \"photo.jpg\"' $j &&
	 grep -q '\"note\": \"desk note 42\"' $j && grep -q '\"analyst\": \"alice\"' $j"
check "no one gets the reply key" sh -c "! grep -q '1111111111' $j"
check "referral.json names each copy with its hash" \
	grep -q "\"file\": \"1-1.jpg\", \"type\": \"image/jpeg\", \"size\": $(stat -c %s p1/1-1.jpg), \"sha256\": \"$(sha256sum p1/1-1.jpg | cut -d' ' -f1)\"" $j
check "referral.json is JSON" python3 -c "import json, sys; json.load(open('$j'))"

# --- a hotline, by URL id: every report naming it, that URL only -----------
run_status rc "$KEYS" referral cases --to hotline --out t1 "$UA" > /dev/null 2>&1
j=t1/referral.json
check "referral --to hotline by URL id (exit $rc)" test "$rc" = 0
check "both reports naming the URL, the other URL not given" sh -c \
	"grep -q '\"id\": \"$R1\"' $j && grep -q '\"id\": \"$R2\"' $j &&
	 ! grep -q other.example $j && grep -q '\"severity\": \"A\"' $j"
check "a hotline gets no description, language, lines, file name or note" sh -c \
	"! grep -qE 'Jean|تقرير|\"language\"|\"lines\"|\"name\"|desk note|\"analyst\"|phone' $j"
check "a hotline gets the clean copies: $(ls t1 | tr '\n' ' ')" \
	test "$(ls t1 | tr '\n' ' ')" = "1-1.jpg 1-2.png 1-3.gif 2-1.jpg referral.json "
check "the hotline's copies carry no metadata" test -z "$("$META" t1/*-*)"

# --- a host: the URL, the category and the verdict only --------------------
run_status rc "$KEYS" referral cases --to host --out h1 "$UA" > /dev/null 2>&1
j=h1/referral.json
check "referral --to host (exit $rc): referral.json alone" \
	test "$rc" = 0 -a "$(ls h1)" = referral.json
check "a host gets the URL, category and verdict, no id, day, severity or file" sh -c \
	"grep -q 'http://example.com/a' $j && grep -q '\"verdict\": \"actioned\"' $j &&
	 ! grep -qE '$R1|\"received\"|\"severity\"|\"attachments\"|Jean|alice' $j"
run_status rc "$KEYS" referral cases --to host --out h2 "$R1" > /dev/null 2>&1
check "a host referred a report by its id gets all its URLs" sh -c \
	"test $rc = 0 && grep -q other.example h2/referral.json"

# --- sealed to the recipient ------------------------------------------------
run_status rc "$KEYS" referral cases --to police --out p2 --seal-to police.pub \
	"$R1" > /dev/null 2>&1
check "--seal-to (exit $rc): DIR2 holds referral.odb alone, 0600" sh -c \
	"test $rc = 0 && test \"\$(ls -A p2)\" = referral.odb &&
	 test \"\$(stat -c %a p2/referral.odb)\" = 600"
run_status rc "$KEYS" decrypt --key police.sec --out recv p2/referral.odb > /dev/null
rid=$(reports_in recv)
check "the recipient's key decrypts it (exit $rc)" test "$rc" = 0 -a -n "$rid"
same=1
for f in 1-1.jpg 1-2.png 1-3.gif; do
	cmp -s "p1/$f" "recv/$rid/attachments/$f" || same=0
done
check "to the same clean files, byte for byte" test "$same" = 1
check "and the same referral.json (its day aside)" cmp -s \
	<(grep -v '"made"' p1/referral.json) \
	<(grep -v '"made"' "recv/$rid/attachments/referral.json")
check "the sealed report names the packet's URLs and category" sh -c \
	"grep -q '\"category\": \"referral\"' recv/$rid/report.json &&
	 grep -q 'http://example.com/a' recv/$rid/report.json"
run_status rc "$KEYS" decrypt --key a.sec --out recv-a p2/referral.odb > /dev/null 2>&1
check "another key does not open it (exit $rc)" test "$rc" != 0 -a -z "$(reports_in recv-a)"

# --- refusals -----------------------------------------------------------------
run_status rc "$KEYS" referral cases --to police --out p3 0123456789abcdef0123456789abcdef 2> err
check "an unknown id is refused (exit $rc), nothing written" sh -c \
	"test $rc = 1 && test ! -e p3 && grep -q 'no report or URL has the id' err"
run_status rc "$KEYS" referral cases --to police --out p3 "$R1" unope > /dev/null 2>&1
check "a known id with an unknown one: refused (exit $rc), nothing written" \
	test "$rc" = 1 -a ! -e p3
tree_sums p1 > p1.sums
run_status rc "$KEYS" referral cases --to police --out p1 "$R3" > /dev/null 2> err
tree_sums p1 > p1-again.sums
check "an existing DIR2 is refused (exit $rc) and left as it was" sh -c \
	"test $rc = 1 && grep -q 'already exists' err && cmp -s p1.sums p1-again.sums"
run_status rc "$KEYS" referral cases --to nobody --out p3 "$R1" 2> /dev/null
check "an unknown recipient is a usage error (exit $rc)" test "$rc" = 2 -a ! -e p3

# --- mat2 failing, or cleaning nothing: the images are left out ------------
printf '#!/bin/sh\nexit 0\n' > mat2-noop
printf '#!/bin/sh\nexit 3\n' > mat2-fail
printf '#!/bin/sh\nkill -SEGV $$\n' > mat2-crash
chmod +x mat2-noop mat2-fail mat2-crash
left='mat2 left metadata in it: software, author, camera, date taken, serial number, GPS position'
for m in noop:"$left" fail:'mat2 failed (exit status 3)' \
	crash:'mat2 was killed by signal 11' missing:'mat2 could not be run'; do
	name=${m%%:*} why=${m#*:}
	run_status rc env ONIONDROP_MAT2="$T/mat2-$name" "$KEYS" referral cases \
		--to police --out "m-$name" "$R1" > out 2> err
	check "mat2-$name: every image left out (exit $rc), named: $why" sh -c \
		"test $rc = 0 && grep -q '0 file(s), 5 left out' out &&
		 grep -qF 'attachment 1 (photo.jpg): $why' err &&
		 test \"\$(ls m-$name)\" = referral.json"
done
check "the JSON says what remained by its labels, no value from the file" sh -c \
	"grep -qF '\"left_out\": \"$left\"' m-noop/referral.json &&
	 ! grep -q 'Jane' m-noop/referral.json"

# --- a mat2 that writes to the original: the command fails, DIR2 removed ---
cp -a cases cases3
printf '#!/bin/sh\nprintf x >> "%s"\nexit 1\n' \
	"$T/cases3/$R1/attachments/photo.jpg" > mat2-tamper	# and fails
chmod +x mat2-tamper
run_status rc env ONIONDROP_MAT2="$T/mat2-tamper" "$KEYS" referral cases3 \
	--to police --out m-tamper "$R1" > /dev/null 2> err
check "an original changed while mat2 ran fails the referral (exit $rc), DIR2 removed" sh -c \
	"test $rc = 1 && grep -q 'photo.jpg changed while its copy was made' err &&
	 test ! -e m-tamper"

# --- a link, changed bytes --------------------------------------------------
cp -a cases cases2
echo secret > outside.jpg
ln -sf "$T/outside.jpg" "cases2/$R1/attachments/photo.jpg"
printf 'x' >> "cases2/$R1/attachments/shot.png"
run_status rc "$KEYS" referral cases2 --to police --out l1 "$R1" > /dev/null 2> err
check "an attachment that is a link is left out, not followed (exit $rc)" sh -c \
	"test $rc = 0 && grep -q 'photo.jpg): a symbolic link, not followed' err"
check "an attachment whose bytes changed since decrypt is left out" \
	grep -q 'shot.png): its bytes are not those decrypt recorded' err
