#!/usr/bin/env bash
# desk-decrypt: the case file filled by decrypt over the real daemon. Reports
# taken on three days (the daemon under faketime), one bundle a day, one
# address typed three ways; decrypted into one directory on two runs: the
# rows of cases.db are the ones expected, each address once; decrypting a
# bundle again is "already there" and changes nothing, byte for byte; a
# crafted report's lines (defanged, control bytes, RTL override, NUL,
# 64 KiB) are stored exactly as typed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"
cd "$T"

make_analysts alice
write_config s alice
sock=$T/s.sock
db=desk/cases.db
q() { sqlite3 "$db" "$@"; }
submit() {  # submit DESCRIPTION URL...: one report, its receipt checked
	local d=$1 u args=()
	shift
	for u in "$@"; do args+=(--url "$u"); done
	python3 "$CLIENT" "$sock" submit --lang fr --description "$d" "${args[@]}" > /dev/null
}
# day DAY: the daemon runs on DAY (from UTC noon) for a day's reports.
# libfaketime is preloaded through env, which execs: DAEMON_PID is the
# daemon's own (the faketime program would stay its parent).
day() {
	DAEMON_WRAPPER=(env LD_PRELOAD="$FAKETIME_LIB" FAKETIME="@$1 12:00:00" TZ=UTC)
	start_daemon s
}
FAKETIME_LIB=$(ls /usr/lib/*/faketime/libfaketimeMT.so.1 | head -1)
export_day() {  # export_day BUNDLE: export, then stop the daemon
	"$DAEMON" export --config s.conf --out "$1" > /dev/null
	stop_daemon
}

day 2026-11-01
submit "premier rapport" "http://Example.com/a/../b" "http://one.example/x"
submit "deuxième rapport" "http://one.example/x"
export_day d1.bundle
day 2026-11-02
submit "troisième" "example.com/b" "https://two.example/"
export_day d2.bundle
day 2026-11-03
submit "quatrième" "http://example[.]com/b#frag"
export_day d3.bundle

run_status rc "$KEYS" decrypt --key alice.sec --out desk d1.bundle d2.bundle > out1
run_status rc3 "$KEYS" decrypt --key alice.sec --out desk d3.bundle > out3
check "two days' bundles, then the third: decrypted (exit $rc, $rc3)" test "$rc" = 0 -a "$rc3" = 0
check "... cases.db made, mode 0600, schema version 3" \
	test "$(stat -c %a "$db")" = 600 -a "$(q 'PRAGMA user_version')" = 3
check "... 4 reports, received on the server's days" \
	test "$(q "SELECT group_concat(received, ' ') FROM (SELECT received FROM reports ORDER BY received)")" = \
	"2026-11-01 2026-11-01 2026-11-02 2026-11-03"
check "... 6 lines, 3 distinct addresses" \
	test "$(q 'SELECT count(*) FROM report_lines')" = 6 -a "$(q 'SELECT count(*) FROM urls')" = 3
# ufu5jsyb7rr: BLAKE2b-256 of http://example.com/b, base32 (test_cases pins it).
check "... Example.com/a/../b, example.com/b, example[.]com/b#frag: one URL, 3 reports" \
	test "$(q "SELECT canonical || ' ' || host || ' ' || (SELECT count(DISTINCT report_id) FROM report_lines l WHERE l.url_id = urls.id) FROM urls WHERE id = 'ufu5jsyb7rr'")" = \
	"http://example.com/b example.com 3"
check "... each line kept as typed" \
	test "$(q "SELECT group_concat(CAST(as_typed AS TEXT), ' ') FROM (SELECT as_typed FROM report_lines WHERE url_id = 'ufu5jsyb7rr' ORDER BY as_typed)")" = \
	"example.com/b http://Example.com/a/../b http://example[.]com/b#frag"
check "... http://one.example/x named by 2 reports" \
	test "$(q "SELECT count(DISTINCT report_id) FROM report_lines JOIN urls ON urls.id = url_id WHERE canonical = 'http://one.example/x'")" = 2
check "... the search finds a description, accents and all" \
	test "$(q "SELECT count(*) FROM search WHERE search MATCH 'deuxième'")" = 1
check "... every report folder is in the case file, and only those" \
	test "$(reports_in desk | tr '\n' ' ')" = "$(q 'SELECT id FROM reports ORDER BY id' | tr '\n' ' ')"

counts() { q "SELECT (SELECT count(*) FROM reports), (SELECT count(*) FROM urls), (SELECT count(*) FROM report_lines), (SELECT count(*) FROM search)"; }
tree() { find desk -type f -exec sha256sum {} + | sort; }
before_counts=$(counts)
before_tree=$(tree)
d2id=$(q "SELECT id FROM reports WHERE description = 'troisième'")
run_status rc "$KEYS" decrypt --key alice.sec --out desk d2.bundle > again 2> again.err
check "decrypting a bundle again: exit 0 (exit $rc)" test "$rc" = 0
check "... its report named already there" grep -qx "already there: $d2id" again
check "... the same rows" test "$(counts)" = "$before_counts"
check "... every file unchanged, cases.db included" test "$(tree)" = "$before_tree"
check "... no WAL left beside it" test ! -e "$db-wal"

# A crafted report (anyone with the public key can make one): lines the
# form would refuse.
printf 'hxxp://example[.]com/b#frag' > l0
printf 'http://x.example/\x1b[31mred\x07\x01\x7f' > l1
printf 'http://evil.example/\xe2\x80\xaetxt.exe' > l2
printf 'before\0after' > l3
{ printf 'http://long.example/'; head -c $((65536 - 20)) /dev/zero | tr '\0' a; } > l4
{
	echo report
	echo "field received 2026-11-03"
	for i in 0 1 2 3 4; do echo "field-file url l$i"; done
	echo "field description crafted"
	echo end
} > crafted.spec
"$MKBUNDLE" crafted.bundle alice.pub < crafted.spec > /dev/null
run_status rc "$KEYS" decrypt --key alice.sec --out desk crafted.bundle > /dev/null
check "a crafted report with hostile lines: decrypted (exit $rc)" test "$rc" = 0
cid=$(q "SELECT id FROM reports WHERE description = 'crafted'")
check "... 5 lines recorded" test "$(q "SELECT count(*) FROM report_lines WHERE report_id = '$cid'")" = 5
for i in 0 1 2 3 4; do
	q "SELECT writefile('got$i', as_typed) FROM report_lines WHERE report_id = '$cid' AND pos = $i" > /dev/null
	check "... line $i ($(stat -c %s "l$i") bytes) stored byte for byte" cmp -s "l$i" "got$i"
done
check "... hxxp://example[.]com/b#frag is http://example.com/b, now 4 reports" \
	test "$(q "SELECT count(DISTINCT report_id) FROM report_lines WHERE url_id = 'ufu5jsyb7rr'")" = 4
check "... the file is still sound" test "$(q 'PRAGMA integrity_check')" = ok
