#!/usr/bin/env bash
# daemon-fds: out of file descriptors, the daemon waits instead of spinning
# (it once burnt 80% of a core and wrote 1.8 million log lines in 5 s).
#   1. Started with a 64-descriptor limit and max_connections = 100, it
#      lowers max_connections to fit and says so once; 70 connections held
#      for 5 s cost its three processes under 0.5 s of CPU and under 50
#      log lines.
#   2. The network process's limit lowered to 40 while it runs (accept
#      fails with EMFILE), the same 70 connections cost as little: it
#      pauses accepting and logs that once; libevent's own messages are
#      held to their budget.
#   After each, with the 70 closed, a GET / is answered.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"
cd "$T"

HOLD=5
# hold SOCK N SECONDS: N connections opened (and never used) and held;
# prints "held" once they are all open.
hold() {
	python3 - "$@" <<-'EOF'
	import socket, sys, time
	path, n, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
	held = []
	for _ in range(n):
	    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
	    s.connect(path)
	    held.append(s)
	print("held", flush=True)
	time.sleep(seconds)
	EOF
}
# cpu_ticks: user + system time so far of the daemon's three processes,
# in clock ticks
cpu_ticks() {
	local p
	for p in $(daemon_pids); do cat "/proc/$p/stat"; done |
		awk '{ t += $14 + $15 } END { print t }'
}

# under_flood NAME: hold 70 connections to NAME's daemon for $HOLD s; sets
# CPU (seconds, as a decimal) and LINES (log lines written meanwhile).
under_flood() {
	local name=$1 holder t0 t1 l0
	hold "$T/$name.sock" 70 $((HOLD + 2)) > held.out &
	holder=$!
	for _ in $(seq 100); do grep -q held held.out 2>/dev/null && break; sleep 0.1; done
	t0=$(cpu_ticks)
	l0=$(wc -l < "$T/$name.log")
	sleep "$HOLD"
	t1=$(cpu_ticks)
	LINES=$(($(wc -l < "$T/$name.log") - l0))
	CPU=$(awk -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }')
	wait "$holder" || true
	echo "# $name: 70 connections for $HOLD s: $CPU s of CPU, $LINES log lines"
}
answers() {  # answers NAME: GET / gets a 200 within 6 s
	for _ in $(seq 30); do
		get "$T/$1.sock" / page.html
		[ "$HTTP_STATUS" = 200 ] && return 0
		sleep 0.2
	done
	return 1
}
cheap() { awk -v c="$CPU" 'BEGIN { exit !(c < 0.5) }' && [ "$LINES" -lt 50 ]; }

make_analysts alice

# --- 1. a 64-descriptor limit from the start -------------------------------
write_config a alice "max_connections = 100"
DAEMON_WRAPPER=(prlimit --nofile=64 --)
start_daemon a
DAEMON_WRAPPER=()
check "max_connections lowered to fit 64 descriptors, and said once" \
	test "$(grep -c 'max_connections lowered from 100 to 32' a.log)" = 1
under_flood a
check "70 connections at a 64-descriptor limit: under 0.5 s of CPU and 50 log lines" cheap
check "... and with them closed, GET / is answered" answers a
stop_daemon
check "... and the daemon stops cleanly" test "$STOP_STATUS" = 0

# --- 2. descriptors run out while it runs (EMFILE) --------------------------
write_config b alice "max_connections = 100"
start_daemon b
# The network process's limit: it accepts. Root without CAP_SYS_RESOURCE
# (a container) may change it only as the same uid and gid.
net=$(daemon_child od-network)
as_net=()
[ "$(id -u)" = 0 ] && as_net=(setpriv --clear-groups
	--reuid="$(awk '/^Uid:/ { print $2 }' "/proc/$net/status")"
	--regid="$(awk '/^Gid:/ { print $2 }' "/proc/$net/status")" --)
${as_net[@]+"${as_net[@]}"} prlimit --pid "$net" --nofile=40:40
under_flood b
check "accept failing with EMFILE: under 0.5 s of CPU and 50 log lines" cheap
# Once a minute: twice if the flood spans the turn of a minute.
pauses=$(grep -c 'pausing for a second' b.log || true)
check "... the pause is logged once a minute ($pauses), libevent's own messages at most 10" \
	test "$pauses" -ge 1 -a "$pauses" -le 2 -a "$(grep -c 'libevent:' b.log || true)" -le 10
check "... and with the connections closed, GET / is answered" answers b
stop_daemon
check "... and the daemon stops cleanly" test "$STOP_STATUS" = 0
