#!/usr/bin/env bash
# bad-bundles: damaged, truncated, reordered and hostile bundles. Each gives
# a clear error, costs at most the damaged report, and writes nothing
# outside --out.
. "$(dirname "$0")/lib.sh"
cd "$T"

flip() {  # flip FILE OFFSET: change one byte in place
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "\\$(printf %03o $((b ^ 0x55)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
decrypt() {  # decrypt OUT BUNDLE...: run as alice, keep status and stderr
	run_status rc "$KEYS" decrypt --key alice.sec --out "$@" > /dev/null 2> err
}
slice() {  # slice FILE OFFSET [LENGTH]: bytes of FILE from OFFSET
	dd if="$1" bs=1M iflag=skip_bytes,count_bytes skip="$2" ${3:+count=$3} status=none
}
ids_in() { reports_in "$1" | tr '\n' ' '; }

"$KEYS" keygen --out alice --no-passphrase > /dev/null
"$KEYS" keygen --out bob --no-passphrase > /dev/null
printf 'report\nfield description one\nattach-random a.bin 200000 1\nend\nreport\nfield description two\nattach-random b.bin 300000 2\nend\nreport\nfield description three\nend\n' > spec
"$MKBUNDLE" good.bundle alice.pub bob.pub < spec > made
mapfile -t ids < <(awk '/^report/ {print $2}' made)
mapfile -t offs < <(awk '/^report/ {print $3}' made)
mapfile -t lens < <(awk '/^report/ {print $4}' made)
all="$(printf '%s\n' "${ids[@]}" | sort | tr '\n' ' ')"
size=$(stat -c %s good.bundle)

decrypt out-good good.bundle
check "an intact bundle decrypts whole (exit $rc)" test "$rc" = 0 -a "$(ids_in out-good)" = "$all"

cp good.bundle body.bundle
flip body.bundle $(( offs[1] + lens[1] / 2 ))
decrypt out-body body.bundle
check "flipped byte in a report: exit 1" test "$rc" = 1
check "... that report is named" grep -q "report ${ids[1]}: .*skipped" err
check "... the other two are written" test "$(ids_in out-body)" = "$(printf '%s\n' "${ids[0]}" "${ids[2]}" | sort | tr '\n' ' ')"
check "... and nothing partial is left" test -z "$(ls -A out-body | grep partial || true)"

cp good.bundle head.bundle
flip head.bundle $(( offs[1] + 9 ))
decrypt out-head head.bundle
check "flipped byte in a record header: that report is named" grep -q "${ids[1]}" err
check "... the other two are written, exit 1" test "$rc" = 1 -a "$(ids_in out-head)" = "$(printf '%s\n' "${ids[0]}" "${ids[2]}" | sort | tr '\n' ' ')"

for where in 3 $(( size - 7 )); do
	cp good.bundle edge.bundle
	flip edge.bundle "$where"
	decrypt "out-edge-$where" edge.bundle
	check "flipped byte at $where (bundle header or trailer): all reports written, exit 1" \
		test "$rc" = 1 -a "$(ids_in "out-edge-$where")" = "$all"
done

slice good.bundle 0 $(( offs[2] + 30 )) > cut.bundle
decrypt out-cut cut.bundle
check "truncated bundle: exit 1 and it says truncated" test "$rc" = 1 -a -n "$(grep -i truncated err)"
check "... reports before the cut are written" test "$(ids_in out-cut)" = "$(printf '%s\n' "${ids[0]}" "${ids[1]}" | sort | tr '\n' ' ')"

{ slice good.bundle 0 16; slice good.bundle "${offs[1]}" "${lens[1]}";
  slice good.bundle "${offs[0]}" "${lens[0]}"; slice good.bundle "${offs[2]}"; } > swapped.bundle
decrypt out-swap swapped.bundle
check "reordered bundle: exit 1, says out of order" test "$rc" = 1 -a -n "$(grep -i 'out of order' err)"
check "... every authentic report is still written" test "$(ids_in out-swap)" = "$all"

"$MKBUNDLE" bob-only.bundle bob.pub > bob-made <<< $'report\nfield description for bob\nend'
decrypt out-slot bob-only.bundle good.bundle
check "a report with no slot for this key is named, exit 1" test "$rc" = 1 -a -n "$(grep 'not sealed to this key' err)"
check "... the reports for this key are written" test "$(ids_in out-slot)" = "$all"

before=$(find out-good -type f -exec sha256sum {} + | sort)
run_status rc "$KEYS" decrypt --key alice.sec --out out-good good.bundle > again 2> err
check "decrypting again into the same directory: exit 0, each report named already there" \
	test "$rc" = 0 -a "$(sed -n 's/^already there: //p' again | sort | tr '\n' ' ')" = "$all"
check "... nothing overwritten, the case file included" \
	test "$before" = "$(find out-good -type f -exec sha256sum {} + | sort)"

# Hostile attachment names (hex): absolute, .., NUL, escape sequence,
# right-to-left override, a bare dot-dot, and 10,000 bytes.
printf 'x' > x
long=$(printf 'A%.0s' $(seq 10000) | od -v -An -tx1 | tr -d ' \n')
{
	echo report
	for n in "/etc/passwd" "../../escape" "a\0b" "\x1b[31mred\x07" "evil\xe2\x80\xaetxt.exe" ".." "." "" "dir\\\\sub\\\\win.txt"; do
		echo "attach-hex $(printf "$n" | od -v -An -tx1 | tr -d ' \n') x"
	done
	echo "attach-hex $long x"
	echo end
} > hostile.spec
sed -i 's/^attach-hex  x$/attach-hex 2e x/' hostile.spec  # the empty name: "." stands in (mkbundle cannot take an empty hex)
mkdir jail
"$MKBUNDLE" hostile.bundle alice.pub < hostile.spec > /dev/null
decrypt jail/out hostile.bundle
check "hostile names: the report decrypts (exit $rc)" test "$rc" = 0
check "... every file is inside --out" test "$(find "$T" -newer hostile.bundle -type f ! -path "$T/jail/*" ! -name err | wc -l)" = 0
att=$(ls -d jail/out/*/attachments)
check "... all 10 attachments are written" test "$(ls -A "$att" | wc -l)" = 10
check "... no name has a control or bidi character" test -z "$(ls -A "$att" | LC_ALL=C grep -P '[\x00-\x1f\x7f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]' || true)"
check "... no name starts with a dot" test -z "$(ls -A "$att" | grep '^\.' || true)"
check "... the 10,000-byte name is cut to at most 120 bytes" test "$(ls -A "$att" | awk '{ if (length($0) > m) m = length($0) } END { print m }')" -le 124
check "... report.json keeps the names as submitted, escaped" grep -q '"submitted_name": "a\\u0000b"' jail/out/*/report.json

# A validly sealed report (only the public key is needed) whose attachment
# name is 70,000 bytes, over the format's 65,535, then a good report; in
# --out, a partial folder as an interrupted run would leave it.
{ printf 'raw\nframe 2 70000 41\nframe 3 1 78\nframe 4 8 0000000000000001\nframe 5 0\nend\n'
  printf 'report\nfield description after\nattach-random after.bin 100000 3\nend\n'; } > long.spec
"$MKBUNDLE" long.bundle alice.pub < long.spec > long-made
mapfile -t lids < <(awk '/^report/ {print $2}' long-made)
lsha=$(awk '/^attachment/ {print $2}' long-made)
mkdir -p out-long/.partial-x/attachments
echo '{"description": "left by a crash"}' > out-long/.partial-x/report.json
echo 'plaintext' > out-long/.partial-x/attachments/a.txt
decrypt out-long long.bundle
check "a 70,000-byte attachment name: exit 1, not a crash (exit $rc)" test "$rc" = 1
check "... that report is named" grep -q "report ${lids[0]}: .*skipped" err
check "... the report after it is written whole" \
	test "$(ids_in out-long)" = "${lids[1]} " -a "$(sha256sum < "out-long/${lids[1]}/attachments/after.bin" | cut -d' ' -f1)" = "$lsha"
check "... no partial folder is left, the earlier run's included" test -z "$(ls -A out-long | grep partial || true)"

# Fields named like report.json's own keys (any [a-z0-9_] name can be
# sealed): each key appears once, at any depth, and the top level is true.
printf 'x' > forged.txt
cat > forge.spec <<'SPEC'
report
field id 00000000000000000000000000000000
field received 2026-01-02
field urls http://forged.example/
field url http://a.example/
field attachments []
field extra {}
field received 1999-12-31
field description first
field url http://b.example/
field description second
field id forged-again
attach forged.txt forged.txt
end
SPEC
"$MKBUNDLE" forge.bundle alice.pub < forge.spec > forge-made
fid=$(awk '/^report/ {print $2}' forge-made)
decrypt out-forge forge.bundle
check "a report with fields named id, urls, extra...: decrypted (exit $rc)" test "$rc" = 0
check "... report.json has each key once, at every level, and the true id" python3 - "out-forge/$fid/report.json" "$fid" <<'PY'
import json, sys
def once(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        sys.exit("duplicate key in %s" % keys)
    return dict(pairs)
r = json.load(open(sys.argv[1]), object_pairs_hook=once)
assert list(r) == ["id", "received", "language", "category", "seen_on", "urls",
                   "description", "extra", "attachments"], list(r)
assert r["id"] == sys.argv[2], r["id"]
assert r["received"] == "2026-01-02" and r["description"] == "first", r
assert r["urls"] == ["http://a.example/", "http://b.example/"], r["urls"]
assert [a["submitted_name"] for a in r["attachments"]] == ["forged.txt"], r["attachments"]
assert r["extra"] == {"id": ["00000000000000000000000000000000", "forged-again"],
                      "urls": ["http://forged.example/"], "attachments": ["[]"],
                      "extra": ["{}"], "received": ["1999-12-31"],
                      "description": ["second"]}, r["extra"]
PY
