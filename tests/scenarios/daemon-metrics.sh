#!/usr/bin/env bash
# daemon-metrics: metrics_file written at the start and then on a fixed
# timer (metrics_interval 2 s here), never because of a submission: reports
# sent just after a write leave the file alone until the next tick, which
# shows their bucket (0, then 1-5 after 3 reports, 6-20 after 7). The file
# holds coarse gauges only: no value but 0, 1 or a multiple of 10, no label
# but the buckets, no time. check-config checks both keys. The daemon still
# holds no IP socket.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"
cd "$T"
mkdir m
M=$T/m/oniondrop.prom

# check_config EXTRA-LINE: the exit status of check-config in rc, its
# output in cc.err.
check_config() {
	write_config c alice "$1"
	run_status rc "$DAEMON" check-config --config c.conf > cc.err 2>&1
}
mtime() { stat -c %.9Y "$M"; }
bucket() { sed -n 's/^oniondrop_unexported{bucket="\(.*\)"} 1$/\1/p' "$M"; }
# next_write: wait (up to 5 s) for the file to be written again.
next_write() {
	local before=$1 i
	for i in $(seq 100); do
		[ "$(mtime)" != "$before" ] && return 0
		sleep 0.05
	done
	return 1
}
submit() {
	local i
	for i in $(seq "$1"); do
		python3 "$CLIENT" "$sock" submit --url "http://example.org/$i" --description "m $i" > /dev/null
	done
}
coarse() {  # every value 0, 1 or a multiple of 10; labels only buckets
	! grep -v '^#' "$M" | awk '{ print $NF }' | grep -qvE '^(0|1|[1-9]0|100)$' &&
	! grep -v '^#' "$M" | grep -o 'bucket="[^"]*"' | grep -qvE '"(0|1-5|6-20|21-100|more|<1h|<1d|<7d|>=7d)"'
}

make_analysts alice
check_config "metrics_interval = 0"
check "metrics_interval 0 refused" test "$rc" != 0 -a -n "$(grep metrics_interval cc.err)"
check_config "metrics_interval = 86401"
check "metrics_interval 86401 refused" test "$rc" != 0
check_config "metrics_file = m/x.prom"
check "a relative metrics_file refused" test "$rc" != 0 -a -n "$(grep metrics_file cc.err)"
check_config "metrics_file = $T/nowhere/x.prom"
check "a metrics_file in a missing directory refused" test "$rc" != 0 -a -n "$(grep 'does not exist' cc.err)"

write_config s alice "metrics_file = $M" "metrics_interval = 2"
start_daemon s
sock=$T/s.sock
for i in $(seq 50); do [ -e "$M" ] && break; sleep 0.1; done
check "the file is written at the start, bucket 0" test "$(bucket)" = 0
check "... with coarse values and labels only" coarse
cat "$M" | sed 's/^/# /'

m0=$(mtime)
next_write "$m0"
check "written again on the timer" test "$(mtime)" != "$m0"
m1=$(mtime)
submit 3
check "three reports sent right after a write leave the file alone" test "$(mtime)" = "$m1" -a "$(bucket)" = 0
next_write "$m1"
m2=$(mtime)
gap=$(echo "$m2 - $m1" | bc)
check "the next write comes one interval later ($gap s)" test "$(echo "$gap > 1.5 && $gap < 3" | bc)" = 1
check "after 3 reports: bucket 1-5" test "$(bucket)" = 1-5
submit 4
next_write "$(mtime)"
check "after 7 reports: bucket 6-20" test "$(bucket)" = 6-20
check "no exact count anywhere in the file" coarse
check "reports wait and none was ever exported: export overdue 1" grep -q '^oniondrop_last_export_older_than_day 1$' "$M"
check "uptime bucket <1h" grep -q '^oniondrop_uptime{bucket="<1h"} 1$' "$M"
check "no .tmp left beside it" test ! -e "$M.tmp"
"$DAEMON" export --config s.conf --out b.bundle > /dev/null
next_write "$(mtime)"
check "after an export: bucket 0" test "$(bucket)" = 0
check "... and export overdue 0" grep -q '^oniondrop_last_export_older_than_day 0$' "$M"

check_unix_only
stop_daemon
check "SIGTERM: exit 0" test "$STOP_STATUS" = 0
