#!/usr/bin/env bash
# roundtrip: reports sealed with lib/ to two analysts (several attachments,
# one of 200 MB fed in odd-sized pieces) come back identical for each.
. "$(dirname "$0")/lib.sh"
cd "$T"
BIG=${ROUNDTRIP_BIG_BYTES:-200000000}

"$KEYS" keygen --out alice --no-passphrase > /dev/null
"$KEYS" keygen --out bob --no-passphrase > /dev/null
printf 'Vu sur un forum.\nمرحبا، رأيت هذا الرابط\nLine three\n' > desc.txt
head -c 100000 /dev/urandom > small.bin
: > empty.bin
cat > spec <<SPEC
report
field received 2026-11-29
field language ar
field category csam-images
field url http://example.onion/a
field url https://example.org/b?c=d&e=f
field-file description desc.txt
attach small.bin small.bin
attach empty.bin empty.bin
attach-random huge.bin $BIG 42
end
report
field received 2026-11-28
field language fr
field description Deuxième signalement, sans pièce jointe.
end
SPEC
"$MKBUNDLE" reports.bundle alice.pub bob.pub < spec > made
check "two reports sealed" test "$(grep -c ^report made)" = 2

"$KEYS" decrypt --key alice.sec --out out-alice reports.bundle > /dev/null
"$KEYS" decrypt --key bob.sec --out out-bob reports.bundle > /dev/null
check "both analysts decrypt everything" test "$(reports_in out-alice | wc -l)" = 2 -a "$(reports_in out-bob | wc -l)" = 2
check "alice and bob get identical trees" diff -r -x cases.db out-alice out-bob

id=$(awk '/^report/ {print $2; exit}' made)
r=out-alice/$id
check "urls come back as an array, as submitted" \
	grep -qF '"urls": ["http://example.onion/a", "https://example.org/b?c=d&e=f"]' "$r/report.json"
check "description comes back byte for byte (Arabic, French, newlines)" \
	grep -qF '"description": "Vu sur un forum.\nمرحبا، رأيت هذا الرابط\nLine three\n"' "$r/report.json"
check "language, category and received are there" \
	grep -qF '"language": "ar"' "$r/report.json"
while read -r _ sha size; do
	check "attachment $sha ($size bytes) is listed in report.json" grep -qF "\"size\": $size, \"sha256\": \"$sha\"" "$r/report.json"
done < <(grep ^attachment made)
check "attachment bytes match what was sealed" \
	test "$(sha256sum "$r"/attachments/* | awk '{print $1}' | sort)" = "$(grep ^attachment made | awk '{print $2}' | sort)"
check "the big attachment has its full size" test "$(stat -c %s "$r/attachments/huge.bin")" = "$BIG"
check "no partial directories are left" test -z "$(ls -A out-alice | grep partial || true)"
