#!/usr/bin/env bash
# daemon-abuse: hostile clients cannot fill the store, hold every slot, beat
# the per-circuit limit, or leave report text in the daemon's memory; a
# daemon that cannot lock memory says so instead of running without it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"
cd "$T"
ABUSE=(python3 "$SOURCE_ROOT/tests/scenarios/abuse.py")
make_analysts alice

# --- Uploads without a token never reach the disk --------------------------
write_config h alice "attachments = on" "max_store_size = 256M" \
	"max_attachment_size = 64M" "max_report_size = 80M"
start_daemon h
"${ABUSE[@]}" "$T/h.sock" hoard 4 66060288 20 > hoard.out &
hoarders=$!
sleep 3
env_bytes=$(du -sb "$T/h.data/envelopes" | cut -f1)
check "four token-less uploads put nothing on disk (envelopes: $env_bytes bytes)" \
	test "$env_bytes" -lt 1048576
head -c 8388608 /dev/urandom > real.bin
r=$(python3 "$CLIENT" "$T/h.sock" submit --url http://example.org/real \
	--description "real report beside hoarders" --attach real.bin 2>/dev/null) || r=""
check "an 8 MiB report beside them gets a receipt" test -n "$r"
wait "$hoarders"
read -r answered statuses sent < hoard.out
check "every hoarder was refused early ($answered $statuses, $sent)" \
	test "$answered" = answered=4 -a "${statuses//[0-9,=a-z]/}" = ""
check "... with the form again (400)" test "$statuses" = statuses=400,400,400,400
stop_daemon

# --- Caps per circuit: connections, uploads; the report limit is not raced --
write_config c alice "proxy_protocol = on" "attachments = on" \
	"max_connections = 40" "reports_per_circuit_per_hour = 2" \
	"connections_per_circuit = 12" "head_timeout = 4"
start_daemon c
out=$("${ABUSE[@]}" "$T/c.sock" slow 40 2 8)
echo "# slow, 2 circuits: $out"
set -- $out
check "40 slow sockets on 2 circuits: a third circuit's GET / is answered" test "$1" = reporter=200
check "... at once (${2#waited=} s)" awk -v w="${2#waited=}" 'BEGIN { exit !(w < 3) }'
check "... and the slow heads were cut after head_timeout ($3 $4)" test "${4#closed=}" -ge 16
out=$("${ABUSE[@]}" "$T/c.sock" race 10 77)
echo "# race: $out"
check "10 concurrent reports on one circuit, limit 2: 2 stored ($out)" test "$out" = "200=2 429=8"
stop_daemon

write_config n alice "max_connections = 40" "head_timeout = 30"
start_daemon n
out=$("${ABUSE[@]}" "$T/n.sock" slow 40 0 3)
echo "# slow, no PROXY line: $out"
set -- $out
check "40 slow sockets, no circuits: a reporter is still answered at once" \
	test "$1" = reporter=200 -a "$(awk -v w="${2#waited=}" 'BEGIN { print (w < 3) }')" = 1
out=$("${ABUSE[@]}" "$T/n.sock" discard 64)
check "a refused body is read away up to a bound, then cut ($out)" \
	test "${out#sent=}" -lt 16777216
out=$("${ABUSE[@]}" "$T/n.sock" trickle 100 45)
check "a body slower than min_upload_rate is cut after its window ($out)" \
	awk -v s="${out#closed_after=}" 'BEGIN { exit !(s >= 29 && s <= 40) }'
stop_daemon

# --- Reports counted at the start are refunded when sent back --------------
write_config f alice "proxy_protocol = on" "reports_per_circuit_per_hour = 1"
start_daemon f
printf 'PROXY TCP6 fc00:dead:beef:4dad::0:5 ::1 5 80\r\nPOST /en/report HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 22\r\nConnection: close\r\n\r\nurls=not+a+url&token=x' > bad.req
s1=$(socat -t 5 - "UNIX-CONNECT:$T/f.sock" < bad.req | head -1 | cut -d' ' -f2)
s2=$(socat -t 5 - "UNIX-CONNECT:$T/f.sock" < bad.req | head -1 | cut -d' ' -f2)
out=$("${ABUSE[@]}" "$T/f.sock" race 1 5)
check "forms sent back ($s1 $s2) do not use up the circuit's limit of 1 ($out)" \
	test "$s1 $s2 $out" = "400 400 200=1"
stop_daemon

# --- No report text in the daemon's memory afterwards ---------------------
# As root only (the daemon is not dumpable), and not in a sanitizer build:
# AddressSanitizer makes mlock a no-op and reserves terabytes of shadow.
if grep -qa __asan_init "$DAEMON"; then
	echo "# sanitizer build: the memory scan and the mlock checks are skipped"
elif [ "$(id -u)" -eq 0 ]; then
	# The plaintext is the network process's (od-network); every process
	# of the daemon is scanned. Each has in its environment (its stack) a
	# canary the scan must find there: it proves the scan reads that
	# process's memory.
	canary=CANARY$(head -c 12 /dev/urandom | xxd -p)
	write_config m alice "attachments = on"
	DAEMON_WRAPPER=(env "OD_TEST_CANARY=$canary")
	start_daemon m
	DAEMON_WRAPPER=()
	mark_a=ATTACH$(head -c 12 /dev/urandom | xxd -p)
	mark_b=REJECT$(head -c 12 /dev/urandom | xxd -p)
	mark_c=DESCRI$(head -c 12 /dev/urandom | xxd -p)
	mark_d=HELDRE$(head -c 12 /dev/urandom | xxd -p)
	# scan PID MARKER...: the count of each marker in PID's writable memory
	scan() { local pid=$1; shift; "${ABUSE[@]}" "$pid" memscan "$@"; }
	# clean SCAN: the canary found, no marker
	clean() { [[ $1 =~ ^$canary=[1-9][0-9]*\ $mark_a=0\ $mark_b=0\ $mark_c=0\ $mark_d=0$ ]]; }
	"${ABUSE[@]}" "$T/m.sock" hold "$mark_d" 3 > hold.out &
	holder=$!
	for _ in $(seq 100); do grep -q held hold.out 2>/dev/null && break; sleep 0.1; done
	sleep 0.5
	net=$(daemon_child od-network)
	out=$(scan "$net" "$mark_d")
	check "while a report is being received, the scan finds its text in od-network ($out)" \
		test "${out#$mark_d=}" -ge 1
	wait "$holder"
	for i in $(seq 12000); do echo "$mark_a $i"; done > secret.txt
	echo "$mark_a" > small.txt
	r=$(python3 "$CLIENT" "$T/m.sock" submit --url http://example.org/mem \
		--description "$mark_c" --attach secret.txt --attach small.txt)
	page=$(python3 "$CLIENT" "$T/m.sock" submit --url "not a url" \
		--description "$mark_b" 2>/dev/null || true)
	check "the rejected form came back with its description" grep -q "$mark_b" <<< "$page"
	sleep 1
	pids=$(daemon_pids)
	check "the daemon's processes are three" test "$(wc -w <<< "$pids")" = 3
	for p in $pids; do
		out=$(scan "$p" "$canary" "$mark_a" "$mark_b" "$mark_c" "$mark_d")
		check "after a report ($r), a rejected form and a report cut off, $(cat "/proc/$p/comm")'s memory holds none of their text, and its canary ($out)" \
			clean "$out"
	done
	stop_daemon

	# --- Without locked memory, no plaintext is taken ----------------------
	nolock=(setpriv --bounding-set=-ipc_lock --inh-caps=-ipc_lock prlimit --memlock=131072)
	write_config l alice
	run_status rc timeout 20 "${nolock[@]}" "$DAEMON" --config "$T/l.conf" 2> l.err
	check "a daemon that cannot lock memory refuses to start (exit $rc)" test "$rc" -ne 0 -a "$rc" -ne 124
	check "... and says why" grep -q "lock" l.err
	DAEMON_WRAPPER=(setpriv --bounding-set=-ipc_lock --inh-caps=-ipc_lock prlimit --memlock=1572864)
	write_config k alice
	start_daemon k
	out=$("${ABUSE[@]}" "$T/k.sock" race 40 0)
	echo "# 40 at once, 1.5 MiB of locked memory: $out"
	check "when locked memory runs out, submissions get 503, the others receipts ($out)" \
		grep -Eq '^200=[1-9][0-9]* 503=[1-9]' <<< "$out"
	stop_daemon
	check "... counted in the log, not one line each" grep -q "refused in the last hour" "$T/k.log"
	unset DAEMON_WRAPPER
else
	echo "# not root: the memory scan and the mlock checks are skipped"
fi
