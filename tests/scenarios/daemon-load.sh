#!/usr/bin/env bash
# daemon-load: 64 concurrent submitters, 2,000 reports: every report that
# got a receipt is in the export, and every receipt is found.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"
cd "$T"
N=${LOAD_REPORTS:-2000}

make_analysts alice
write_config s alice "max_connections = 512"
start_daemon s
python3 "$CLIENT" "$T/s.sock" flood "$N" 64 load > results
ok=$(grep -vc FAIL results || true)
check "$N reports from 64 concurrent submitters: all got a receipt ($ok)" test "$ok" = "$N"
"$DAEMON" export --config s.conf --out all.bundle > /dev/null
"$KEYS" decrypt --key alice.sec --out out all.bundle > /dev/null
cat out/*/report.json | grep -o 'flood load-[0-9]*' | sed 's/flood //' | sort > exported
awk '$2 != "FAIL" {print $1}' results | sort > receipted
check "every report that got a receipt is in the export" test -z "$(comm -23 receipted exported)"
check "... and the export has exactly those" test "$(wc -l < exported)" = "$ok"
check "receipts are all different" test "$(awk '{print $2}' results | sort -u | wc -l)" = "$N"
some=$(awk 'NR % 500 == 1 {print $2}' results)
found=0
for r in $some; do
	python3 "$CLIENT" "$T/s.sock" status "$r" > st
	[ "$(cat st)" != "$(python3 "$CLIENT" "$T/s.sock" status aaaaa-bbbbb-ccccc-ddddd-eeeee)" ] && found=$((found + 1))
done
check "sampled receipts are found on the status page ($found)" test "$found" = "$(echo $some | wc -w)"
stop_daemon
