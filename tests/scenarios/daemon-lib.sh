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

# get SOCK PATH OUT [curl args]: the body into OUT, the status in
# HTTP_STATUS, the headers in $T/headers.
get() {
	local sock=$1 path=$2 out=$3
	shift 3
	HTTP_STATUS=$("${CURL[@]}" --unix-socket "$sock" -D "$T/headers" -o "$out" -w '%{http_code}' "$@" "http://oniondrop$path") || HTTP_STATUS=000
}
