# daemon-lib.sh: sourced by the daemon scenarios after lib.sh. Analyst keys,
# a configuration, the daemon started on a temporary socket and stopped.
CLIENT="$SOURCE_ROOT/tests/scenarios/odclient.py"
CURL=(curl -sS --max-time 120)

# make_analysts NAME...: a key pair per name, no passphrase.
make_analysts() {
	local n
	for n in "$@"; do
		"$KEYS" keygen --out "$T/$n" --no-passphrase > /dev/null
	done
}

# write_config NAME ANALYSTS EXTRA-LINES...: $T/NAME.conf for $T/NAME.sock.
write_config() {
	local name=$1 analysts=$2 a
	shift 2
	mkdir -p "$T/$name.data"
	{
		echo "socket = $T/$name.sock"
		echo "data_dir = $T/$name.data"
		for a in $analysts; do echo "analyst_key = $T/$a.pub"; done
		printf '%s\n' "$@"
	} > "$T/$name.conf"
}

# start_daemon NAME: run oniondropd on $T/NAME.conf (under the command in
# the array DAEMON_WRAPPER, if set); wait for its socket.
start_daemon() {
	local name=$1 i proxy=()
	grep -q '^proxy_protocol = on' "$T/$name.conf" && proxy=(--haproxy-protocol)
	${DAEMON_WRAPPER[@]+"${DAEMON_WRAPPER[@]}"} "$DAEMON" --config "$T/$name.conf" 2>> "$T/$name.log" &
	DAEMON_PID=$!
	cleanup_hooks+=("kill -9 $DAEMON_PID 2>/dev/null")
	for i in $(seq 300); do
		[ -S "$T/$name.sock" ] && "${CURL[@]}" "${proxy[@]}" -o /dev/null --unix-socket "$T/$name.sock" http://x/ 2>/dev/null && return 0
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "# oniondropd did not start:"; sed 's/^/# /' "$T/$name.log"
	return 1
}

# stop_daemon: SIGTERM, and the exit status in STOP_STATUS.
stop_daemon() {
	kill -TERM "$DAEMON_PID"
	run_status STOP_STATUS wait "$DAEMON_PID"
}

# daemon_pids: the running daemon's processes, one a line: the supervisor
# (comm oniondropd: $DAEMON_PID, or its child under a DAEMON_WRAPPER that
# forks) and the supervisor's children od-network and od-store.
daemon_pids() {
	local sv p
	for sv in "$DAEMON_PID" $(pgrep -P "$DAEMON_PID" || true); do
		[ "$(cat "/proc/$sv/comm" 2>/dev/null)" = oniondropd ] || continue
		echo "$sv"
		for p in $(pgrep -P "$sv" || true); do
			case $(cat "/proc/$p/comm" 2>/dev/null) in
			od-network | od-store) echo "$p" ;;
			esac
		done
	done
}

# daemon_child COMM: the pid of the running daemon's od-network or od-store.
daemon_child() {
	local p
	for p in $(daemon_pids); do
		[ "$(cat "/proc/$p/comm")" = "$1" ] && echo "$p"
	done
	return 0
}

# sockets_of PID: the inode of each socket PID holds, one a line.
sockets_of() {
	local f
	for f in /proc/"$1"/fd/*; do readlink "$f" || true; done |
		sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p'
}

# check_unix_only: a check that the daemon runs as three processes, each
# holding sockets, every one a Unix socket of its own network namespace or
# of the supervisor's (where the network process's listening socket and
# socketpairs were made, before it entered its own): no IP, netlink or
# packet socket anywhere.
check_unix_only() {
	local pids p i n=0 other=""
	pids=$(daemon_pids)
	for p in $pids; do
		[ -n "$(sockets_of "$p")" ] && n=$((n + 1))
		for i in $(sockets_of "$p"); do
			awk -v i="$i" '$7 == i { found = 1 } END { exit !found }' \
				"/proc/$p/net/unix" "/proc/$DAEMON_PID/net/unix" || other="$other $i"
		done
	done
	check "the daemon's $(wc -w <<< "$pids") processes all hold sockets ($n), all Unix${other:+ (not:$other)}" \
		test "$(wc -w <<< "$pids")" = 3 -a "$n" = 3 -a -z "$other"
}

# get SOCK PATH OUT [curl args]: the body into OUT, the status in
# HTTP_STATUS, the headers in $T/headers.
get() {
	local sock=$1 path=$2 out=$3
	shift 3
	HTTP_STATUS=$("${CURL[@]}" --unix-socket "$sock" -D "$T/headers" -o "$out" -w '%{http_code}' "$@" "http://oniondrop$path") || HTTP_STATUS=000
}

# require_root_and_nobody: skip the whole scenario unless it runs as root
# and a user nobody exists (the daemon's children become it).
require_root_and_nobody() {
	if [ "$(id -u)" != 0 ] || ! id nobody > /dev/null 2>&1; then
		echo "1..0 # SKIP needs root and a user nobody"
		trap - EXIT
		rm -rf "$T"
		exit 0
	fi
}
