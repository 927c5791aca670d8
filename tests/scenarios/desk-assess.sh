#!/usr/bin/env bash
# desk-assess: queue, assess, show and verify over a case file that decrypt
# filled from three bundles (od-mkbundle) received on three days, the same
# addresses typed differently (one twice in a report), a line that is not
# a URL, hostile bytes in a line and in a category. queue shows each
# address once with the right counts, days, languages and categories, hosts
# oldest first, hostile text escaped, the same after a bundle is decrypted
# again; assess checks every option and records all or nothing; a later
# verdict supersedes an earlier one; the chain is recomputed by Python from
# docs/cases.md; verify fails, naming the row, after a verdict is edited,
# deleted, or the last ones removed with the sqlite3 CLI; two assess runs
# at once, many times, lose no verdict.
. "$(dirname "$0")/lib.sh"
cd "$T"

"$KEYS" keygen --out a --no-passphrase > /dev/null
rlo=$'\xe2\x80\xae'	# U+202E RIGHT-TO-LEFT OVERRIDE
esc=$'\x1b'
printf '%s\n' report 'field received 2026-11-02' 'field language fr' \
	'field category csam' 'field url http://Example.com/a' \
	'field url hxxp://example[.]com/b' 'field url not a url at all' \
	'field description première' end |
	"$MKBUNDLE" b1.bundle a.pub > /dev/null
printf '%s\n' report 'field received 2026-11-01' 'field language ar' \
	"field category other${esc}[31m${rlo}x" 'field url example.com/a' \
	'field url http://example.com/a#top' \
	"field url http://evil.example/${rlo}gnp.exe" end |
	"$MKBUNDLE" b2.bundle a.pub > /dev/null
printf '%s\n' report 'field received 2026-11-03' 'field language en' \
	'field category csam' 'field url HTTP://EXAMPLE.COM:80/a' \
	'field url https://third.example/' end |
	"$MKBUNDLE" b3.bundle a.pub > /dev/null
run_status rc "$KEYS" decrypt --key a.sec --out desk b1.bundle b2.bundle b3.bundle > /dev/null
check "three bundles decrypted into one case directory (exit $rc)" test "$rc" = 0

q() { sqlite3 desk/cases.db "$@"; }
uid() { q "SELECT id FROM urls WHERE canonical = '$1'"; }
ua=$(uid http://example.com/a)
ub=$(uid http://example.com/b)
ue=$(q "SELECT id FROM urls WHERE host = 'evil.example'")
ut=$(uid https://third.example/)

# --- queue ---------------------------------------------------------------
"$KEYS" queue desk > queue.txt
check "queue lists the 4 addresses once each, under 3 hosts" \
	test "$(grep -c '^  u' queue.txt)" = 4 -a "$(grep -c '^[a-z]' queue.txt)" = 3
check "typed 4 ways in 3 reports (twice in one): 3 reports, 2026-11-01..2026-11-03" \
	grep -q "^  $ua  3 reports  2026-11-01\.\.2026-11-03  .*  http://example.com/a\$" queue.txt
check "hosts oldest first: evil.example and example.com (2026-11-01) before third.example" \
	test "$(grep '^[a-z]' queue.txt | tr '\n' ' ')" = "evil.example example.com third.example "
check "a category's ESC and RLO are escaped in text" \
	grep -q 'other\\x1B\[31m\\u{202E}x' queue.txt
check "no raw control or bidi character reaches the terminal" \
	bash -c "! LC_ALL=C grep -q \$'\\x1b\\|\\xe2\\x80\\xae' queue.txt"
"$KEYS" queue desk --format json > queue.json
check "json: one object per line with the interface's keys, verdict null" python3 - "$ua" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open("queue.json")]
a = [r for r in rows if r["id"] == sys.argv[1]][0]
keys = {"id", "url", "host", "reports", "first_received", "last_received", "verdict"}
assert len(rows) == 4 and all(keys <= set(r) and r["verdict"] is None for r in rows)
assert (a["reports"], a["first_received"], a["last_received"]) == (3, "2026-11-01", "2026-11-03")
assert set(a["languages"].split(", ")) == {"fr", "ar", "en"}, a
EOF
"$KEYS" queue desk --format csv > queue.csv
check "csv: a header and 4 rows" test "$(head -1 queue.csv | tr -d '\r')" = \
	"id,url,host,reports,first_received,last_received,languages,categories,verdict,host_verdicts" \
	-a "$(wc -l < queue.csv)" = 5
run_status rc "$KEYS" decrypt --key a.sec --out desk b2.bundle > /dev/null 2>&1
"$KEYS" queue desk > queue2.txt
check "decrypting a bundle again changes nothing in the queue (exit $rc)" cmp -s queue.txt queue2.txt
run_status rc "$KEYS" queue desk --format xml 2> err
check "queue --format xml: usage error listing text|csv|json" \
	test "$rc" = 2 -a -n "$(grep 'text|csv|json' err)"

# --- assess: refusals ----------------------------------------------------
refused() {  # refused DESCRIPTION WANT-STATUS WANT-TEXT ARGS...
	local desc=$1 want=$2 text=$3 rc
	shift 3
	run_status rc "$KEYS" assess desk "$@" > /dev/null 2> err
	if [ "$rc" = "$want" ] && grep -qF -- "$text" err &&
		[ "$(q 'SELECT count(*) FROM verdicts')" = 0 ]; then
		pass "$desc"
	else
		fail "$desc (exit $rc: $(cat err))"
	fi
}
refused "an unknown verdict lists the allowed ones" 2 \
	"--verdict must be one of actioned|not-illegal|off-remit|unreachable" "$ua" --verdict illegal
refused "a bad severity lists A|B|C" 2 "--severity must be one of A|B|C" \
	"$ua" --verdict actioned --severity D
refused "a bad age band lists the bands" 2 \
	"0-2|3-6|7-10|11-13|14-15|16-17|unknown" "$ua" --verdict actioned --age-band 2-5
refused "a bad sex" 2 "girls|boys|both|unidentified" "$ua" --verdict actioned --sex x
refused "a bad site type" 2 "website|image-host|file-host|forum|social|video|chat|other" \
	"$ua" --verdict actioned --site-type blog
refused "a bad referral" 2 "police|host|hotline|none" "$ua" --verdict actioned --referred-to fbi
refused "a hosting country that is not two letters" 2 "two letters" \
	"$ua" --verdict actioned --hosting-country F1
refused "a hosting country of three letters" 2 "two letters" \
	"$ua" --verdict actioned --hosting-country FRA
refused "a note with a control character" 2 "without control characters" \
	"$ua" --verdict actioned --note $'a\x1bb'
refused "a note that is not UTF-8" 2 "--note must be UTF-8" "$ua" --verdict actioned --note $'\xff'
refused "an analyst name too long" 2 "--analyst must be UTF-8 text of 1 to 128 bytes" \
	"$ua" --verdict actioned --analyst "$(printf 'x%.0s' {1..129})"
refused "a severity on a verdict other than actioned" 2 "actioned only" \
	"$ua" --verdict not-illegal --severity A
refused "an option given twice" 2 "--verdict given twice" "$ua" --verdict actioned --verdict off-remit
refused "no --verdict" 2 "--verdict are required" "$ua"
refused "an unknown id among known ones: named, nothing recorded" 1 \
	"no URL has the id 'unope' in desk/cases.db" "$ua" unope "$ub" --verdict actioned

# --- assess, queue after it, show ------------------------------------------
run_status rc "$KEYS" assess desk "$ua" "$ue" "$ua" --verdict actioned --severity b \
	--age-band 7-10 --sex girls --self-generated --site-type image-host \
	--hosting-country nl --referred-to police --note "vu à 10h, صور" --analyst Léa > out 2> err
check "--severity b is refused (upper case only): exit $rc" test "$rc" = 2
run_status rc "$KEYS" assess desk "$ua" "$ue" "$ua" --verdict actioned --severity B \
	--age-band 7-10 --sex girls --self-generated --site-type image-host \
	--hosting-country nl --referred-to police --note "vu à 10h, صور" --analyst Léa > out
check "assess two URLs (one given twice) records two verdicts (exit $rc)" \
	test "$rc" = 0 -a "$(q 'SELECT count(*) FROM verdicts')" = 2
check "the hosting country is stored upper-cased, the flags as 1 and 0" test \
	"$(q "SELECT hosting_country, self_generated, ai_generated FROM verdicts WHERE seq = 1")" = "NL|1|0"
check "meta follows the log" test "$(q "SELECT value FROM meta WHERE key = 'verdicts_count'")" = 2
"$KEYS" queue desk > queue3.txt
check "assessed URLs leave the queue" \
	bash -c "! grep -q '$ua\|$ue' queue3.txt && grep -q '$ub' queue3.txt"
check "the host's verdicts show under it: 'assessed on this host: actioned 1'" \
	test "$(grep -A1 -x 'example.com' queue3.txt | tail -1)" = "  assessed on this host: actioned 1"
check "evil.example, all assessed, is gone from the queue" bash -c "! grep -q '^evil' queue3.txt"
"$KEYS" queue desk --all --format json > all.json
check "--all lists every URL with its verdict and the host's verdicts" python3 - "$ua" "$ub" <<'EOF'
import json, sys
rows = {r["id"]: r for r in map(json.loads, open("all.json"))}
assert len(rows) == 4
assert rows[sys.argv[1]]["verdict"] == "actioned"
assert rows[sys.argv[2]]["verdict"] is None and rows[sys.argv[2]]["host_verdicts"] == "actioned 1"
EOF
run_status rc "$KEYS" assess desk "$ua" --verdict not-illegal --analyst Sam > /dev/null
"$KEYS" queue desk --all --format json > all2.json
check "a later verdict supersedes the earlier one (exit $rc)" \
	grep -q "\"id\":\"$ua\".*\"verdict\":\"not-illegal\"" all2.json

rid=$(q "SELECT id FROM reports WHERE received = '2026-11-01'")
"$KEYS" show desk "$rid" > show-report.txt
check "show REPORT: its fields, lines as typed, escaped" \
	grep -q "^  3\. http://evil.example/\\\\u{202E}gnp.exe\$" show-report.txt
check "show REPORT: each line's canonical URL and current verdict" \
	grep -q "^     $ua  http://example.com/a  not-illegal (" show-report.txt
check "show REPORT: the category escaped" grep -qF 'category: other\x1B[31m\u{202E}x' show-report.txt
rid1=$(q "SELECT id FROM reports WHERE received = '2026-11-02'")
"$KEYS" show desk "$rid1" > show-report1.txt
check "show REPORT: a line that is not a URL is kept as text" \
	test "$(grep -A1 -x '  3\. not a url at all' show-report1.txt | tail -1)" = "     (text, not a URL)"
"$KEYS" show desk "$ua" > show-url.txt
check "show URL: both verdicts, oldest first, with their fields" bash -c \
	"grep -n 'actioned\|not-illegal\|severity: B\|hosting country: NL\|note: vu à 10h, صور' show-url.txt | tr '\n' ' ' |
	grep -q '  1 .*actioned.*severity: B.*hosting country: NL.*note: vu.*  3 .*not-illegal'"
check "show URL: the 3 reports naming it, with the 4 lines as typed" \
	test "$(grep -c '^  [0-9a-f]\{32\}  ' show-url.txt)" = 3 -a "$(grep -c 'as typed: ' show-url.txt)" = 4
run_status rc "$KEYS" show desk unknown 2> err
check "show of an unknown id: exit 1, named" test "$rc" = 1 -a -n "$(grep "'unknown'" err)"

# --- the chain -----------------------------------------------------------
run_status rc "$KEYS" verify desk > out
check "verify: '3 verdicts, chain intact', exit 0" test "$rc" = 0 -a "$(cat out)" = "3 verdicts, chain intact"
check "the chain recomputed by Python from docs/cases.md matches every row and meta" \
	python3 - desk/cases.db <<'EOF'
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
cols = ("seq, url_id, at, verdict, severity, age_band, sex, self_generated, "
        "ai_generated, site_type, hosting_country, referred_to, note, analyst")
prev = bytes(32)
for row in db.execute(f"SELECT {cols}, hash FROM verdicts ORDER BY seq"):
    h = hashlib.blake2b(prev, digest_size=32)
    for v in row[:-1]:
        b = None if v is None else str(v).encode()
        h.update(b"\xff\xff\xff\xff" if b is None else len(b).to_bytes(4, "big") + b)
    prev = h.digest()
    assert prev == row[-1], row[0]
meta = dict(db.execute("SELECT key, value FROM meta"))
assert meta["verdicts_head"] == prev.hex() and meta["verdicts_count"] == "3"
EOF
cp -r desk saved
tampered() {  # tampered DESCRIPTION SQL WANT-TEXT: edit a copy, verify must fail
	local rc
	rm -rf t && cp -r saved t
	sqlite3 t/cases.db "$2"
	run_status rc "$KEYS" verify t > /dev/null 2> err
	if [ "$rc" = 1 ] && grep -qF -- "$3" err; then pass "$1"; else fail "$1 (exit $rc: $(cat err))"; fi
}
tampered "verify fails after a verdict is edited with sqlite3, naming it" \
	"UPDATE verdicts SET verdict = 'off-remit' WHERE seq = 2" \
	"verdict log broken at verdict 2: it does not match its hash (edited)"
tampered "... after a note is edited" "UPDATE verdicts SET note = 'x' WHERE seq = 1" \
	"broken at verdict 1"
tampered "... after a verdict is deleted" "DELETE FROM verdicts WHERE seq = 2" \
	"verdict 2 is missing (deleted): the next one kept is 3"
tampered "... after the last verdict is deleted" "DELETE FROM verdicts WHERE seq = 3" \
	"2 verdicts, meta counts 3: verdict 3 was removed"
tampered "... after every verdict is deleted" "DELETE FROM verdicts" \
	"0 verdicts, meta counts 3: verdicts 1 to 3 were removed"
run_status rc "$KEYS" assess t "$ub" --verdict actioned > /dev/null 2> err
check "assess refuses to extend a log whose end was removed (exit $rc)" \
	test "$rc" = 1 -a -n "$(grep 'does not end where meta says' err)" \
	-a "$(sqlite3 t/cases.db 'SELECT count(*) FROM verdicts')" = 0

# --- two assess runs at once ---------------------------------------------
rm -rf c && cp -r saved c
rounds=25 bad=0
for i in $(seq "$rounds"); do
	"$KEYS" assess c "$ua" "$ub" --verdict off-remit > /dev/null 2>> err.c & p1=$!
	"$KEYS" assess c "$ut" --verdict unreachable --note "round $i" > /dev/null 2>> err.c & p2=$!
	wait "$p1" || bad=$((bad + 1))
	wait "$p2" || bad=$((bad + 1))
done
check "$rounds rounds of two assess runs at once: every run succeeded ($bad failed)" test "$bad" = 0
check "no verdict lost: $((3 + 3 * rounds)) rows" \
	test "$(sqlite3 c/cases.db 'SELECT count(*) FROM verdicts')" = $((3 + 3 * rounds))
check "each run's rows are together (one transaction each)" test "$(sqlite3 c/cases.db \
	"SELECT count(*) FROM verdicts a JOIN verdicts b ON b.seq = a.seq + 1
	 WHERE a.url_id = '$ua' AND a.seq > 3 AND b.url_id != '$ub'")" = 0
run_status rc "$KEYS" verify c > out
check "and the chain is intact (exit $rc: $(cat out))" test "$rc" = 0 -a "$(cat out)" = "$((3 + 3 * rounds)) verdicts, chain intact"
