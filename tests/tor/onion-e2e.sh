#!/usr/bin/env bash
# onion-e2e: oniondrop as a real onion service, through real tor processes
# on a private Tor network on 127.0.0.1 (tests/tor/net.sh), brought up once
# for every check below:
#   1. onion-address on each HiddenServiceDir equals tor's hostname.
#   2. The network serves the first onion request within the deadline
#      (bring-up time, CPU and memory of the tors are printed).
#   3. A restricted onion service (client authorization, keys made by
#      oniondrop-keys onion-auth) on a stand-in server: the client holding
#      the .auth_private gets in; PROXY lines arrive with the circuit id;
#      two SOCKS user names get two circuits, one user name keeps one; the
#      client without the key is kept out (tor's SOCKS error 0xF4).
#   4. The main service in front of build/daemon/oniondropd when it is
#      built (proxy_protocol = on, attachments = on, 2 reports per circuit
#      per hour): landing page, form, a report with URLs, Arabic text and an
#      attachment, its receipt and status, 429 past the per-circuit limit
#      while a new circuit is accepted, export and decryption by two
#      analysts, identical. Without the daemon, a stand-in answers on the
#      socket and the daemon's checks are TAP skips.
# TAP output (tests/scenarios/lib.sh); a skip plan without tor, curl, socat.
# ONION_E2E_STANDIN=1 uses the stand-in even when the daemon is built.
# shellcheck disable=SC2016 # bash -c '...' scripts take their arguments
set -euo pipefail
: "${SOURCE_ROOT:?SOURCE_ROOT is not set}" "${BUILD_ROOT:?BUILD_ROOT is not set}"
for p in tor tor-gencert curl socat ss; do
	if ! command -v "$p" >/dev/null 2>&1; then
		echo "1..0 # SKIP $p is not installed"
		exit 0
	fi
done
# shellcheck source=tests/scenarios/lib.sh
. "$SOURCE_ROOT/tests/scenarios/lib.sh"
# shellcheck source=tests/tor/net.sh
. "$SOURCE_ROOT/tests/tor/net.sh"
trap 'exit 143' TERM INT
[ -x "$KEYS" ] || { echo "Bail out! $KEYS is not built"; exit 1; }

server_pids=()
stop_servers() {
	local pid
	for pid in "${server_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${server_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
	server_pids=()
}
cleanup_hooks+=(tor_net_stop stop_servers)

# wait_socket PATH PID: wait (10 s at most) for PID to create socket PATH.
wait_socket() {
	local i
	for i in $(seq 100); do
		[ -S "$1" ] && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# start_standin SOCKET RECORD: an HTTP server on SOCKET standing in for
# oniondropd: it appends the first line of each connection (the PROXY
# line) to RECORD and answers 200 with that line as the body.
start_standin() {
	cat >"$T/standin.sh" <<-'EOF'
		#!/usr/bin/env bash
		IFS= read -r first || exit 0
		first=${first%$'\r'}
		printf '%s\n' "$first" >>"$STANDIN_RECORD"
		while IFS= read -r line && [ -n "${line%$'\r'}" ]; do :; done
		body="stand-in: $first"
		printf 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n'
		printf 'Content-Length: %d\r\nConnection: close\r\n\r\n%s\n' \
			$((${#body} + 1)) "$body"
	EOF
	chmod +x "$T/standin.sh"
	: >"$2"
	STANDIN_RECORD=$2 socat "UNIX-LISTEN:$1,fork,unlink-early,mode=600" \
		"EXEC:$T/standin.sh" >>"$T/socat.log" 2>&1 &
	server_pids+=("$!")
	wait_socket "$1" "$!"
}

# circuit_of BODY: the circuit id in a stand-in's answer (the PROXY line's
# source port).
circuit_of() { awk '$2 == "PROXY" {print $6}' <<<"$1"; }

# --- 1. the services' keys and addresses, before the network -------------
net=$T/net
hs_auth=$T/hs-auth
tor_net_make_onion_keys "$net/hs" "$hs_auth"
for d in "$net/hs" "$hs_auth"; do
	check "onion-address ${d##*/} equals tor's hostname file" \
		test "$("$KEYS" onion-address "$d")" = "$(cat "$d/hostname")"
done
auth_onion=$(cat "$hs_auth/hostname")
mkdir -p "$hs_auth/authorized_clients" "$T/client-auth"
chmod 700 "$hs_auth/authorized_clients" "$T/client-auth"
"$KEYS" onion-auth --out "$T/analyst-x" --onion "$hs_auth" >/dev/null
cp "$T/analyst-x.auth" "$hs_auth/authorized_clients/"
cp "$T/analyst-x.auth_private" "$T/client-auth/"
check "onion-auth made the restricted service's key pair" \
	test -s "$hs_auth/authorized_clients/analyst-x.auth" -a -s "$T/client-auth/analyst-x.auth_private"

# --- the main socket: the daemon if it is built, else a stand-in ----------
sock=$T/http.sock
have_daemon=0
[ -x "$DAEMON" ] && [ -z "${ONION_E2E_STANDIN:-}" ] && have_daemon=1
if [ "$have_daemon" -eq 1 ]; then
	for a in alice bob; do "$KEYS" keygen --out "$T/$a" --no-passphrase >/dev/null; done
	mkdir -p "$T/data"
	cat >"$T/oniondropd.conf" <<-EOF
		socket = $sock
		data_dir = $T/data
		analyst_key = $T/alice.pub
		analyst_key = $T/bob.pub
		proxy_protocol = on
		attachments = on
		tor_hs_dir = $net/hs
		reports_per_circuit_per_hour = 2
	EOF
	"$DAEMON" --config "$T/oniondropd.conf" >"$T/daemon.log" 2>&1 &
	server_pids+=("$!")
	if ! wait_socket "$sock" "$!"; then
		echo "# oniondropd did not start:"
		sed 's/^/#   /' "$T/daemon.log"
		exit 1
	fi
else
	start_standin "$sock" "$T/main-proxy-lines"
fi
start_standin "$T/auth.sock" "$T/auth-proxy-lines"

# --- 2. the network -------------------------------------------------------
t0=$(date +%s)
tor_net_start "$net" "$sock" --service "$hs_auth" "$T/auth.sock" \
	--auth-client "$T/client-auth"
check "the service's tor kept the pre-made address" \
	test "$ONION_HOSTNAME" = "$(cat "$net/hs/hostname")"
if tor_net_wait_onion "http://$ONION_HOSTNAME/" 180; then
	pass "first onion request served $(($(date +%s) - t0)) s after start"
else
	fail "the onion service did not answer within 180 s (tor logs above)"
	exit 1
fi
echo "# $(tor_net_usage)"

# --- 3. the restricted service, through the client holding its key -------
if tor_net_wait_onion "http://$auth_onion/" 90 "$AUTH_CLIENT_SOCKS_PORT"; then
	pass "client authorization: the client with the .auth_private gets in"
else
	fail "client authorization: the client with the .auth_private gets in"
fi
first=$(head -1 "$T/auth-proxy-lines")
echo "# first line received: $first"
check "each connection starts with tor's PROXY line" grep -qE \
	'^PROXY TCP6 fc00:dead:beef:4dad::[0-9a-f]{1,4}:[0-9a-f]{1,4} ::1 [0-9]+ 80$' \
	<<<"$first"
low32() {	# low32 PROXY-LINE: the low 32 bits of the source address
	local src h l
	src=$(awk '{print $3}' <<<"$1")
	h=${src%:*} l=${src##*:}
	h=${h##*:}
	echo $(((16#${h:-0} << 16) + 16#$l))
}
check "... the circuit id is the low 32 bits of the source and its port" \
	test "$(low32 "$first")" = "$(awk '{print $5}' <<<"$first")"

a1=$(tor_net_curl "$AUTH_CLIENT_SOCKS_PORT" alice "http://$auth_onion/" || true)
a2=$(tor_net_curl "$AUTH_CLIENT_SOCKS_PORT" alice "http://$auth_onion/" || true)
b1=$(tor_net_curl "$AUTH_CLIENT_SOCKS_PORT" bob "http://$auth_onion/" || true)
c_a1=$(circuit_of "$a1") c_a2=$(circuit_of "$a2") c_b1=$(circuit_of "$b1")
echo "# circuits: alice $c_a1, alice again $c_a2, bob $c_b1"
check "one SOCKS user name, two requests: one circuit" test -n "$c_a1" -a "$c_a1" = "$c_a2"
check "another SOCKS user name: another circuit" test -n "$c_b1" -a "$c_b1" != "$c_a1"

before=$(wc -l <"$T/auth-proxy-lines")
rc=0
tor_net_curl "$CLIENT_SOCKS_PORT" nokey --max-time 60 -o /dev/null \
	"http://$auth_onion/" 2>"$T/nokey.err" || rc=$?
echo "# client without the key: curl exit $rc: $(cat "$T/nokey.err")"
check "the client without the key is kept out (curl fails)" test "$rc" -ne 0
check "... with tor's SOCKS error 0xF4 (client authorization missing)" \
	grep -qF '(244)' "$T/nokey.err"
check "... and the service's socket saw nothing from it" \
	test "$(wc -l <"$T/auth-proxy-lines")" -eq "$before"

# --- 4. the main service ---------------------------------------------------
daemon_checks=(
	"the daemon printed the onion address, equal to tor's hostname"
	"a connection without a PROXY line is refused"
	"GET / through tor: 200"
	"GET /report through tor: the form, with its hidden inputs"
	"POST /report (URLs, Arabic text, attachment) through tor: a receipt"
	"POST /status with the receipt: the status page"
	"a second report on the same circuit: accepted"
	"a third report on the same circuit (same SOCKS user): 429"
	"... while a new circuit (new SOCKS user) is accepted"
	"export while the daemon runs: 3 reports"
	"two analysts decrypt the bundle, identically"
	"the Arabic description, the URLs and the attachment come back intact"
	"the daemon's log holds no PROXY line or circuit address"
)
if [ "$have_daemon" -eq 0 ]; then
	body=$(tor_net_curl "$CLIENT_SOCKS_PORT" main "http://$ONION_HOSTNAME/" || true)
	check "the stand-in on the main socket answered through tor" \
		grep -q '^stand-in: PROXY TCP6 fc00:dead:beef:4dad::' <<<"$body"
	for d in "${daemon_checks[@]}"; do
		tap_n=$((tap_n + 1))
		echo "ok $tap_n # SKIP daemon not built yet: $d"
	done
	exit 0
fi

url=http://$ONION_HOSTNAME
# fetch USER PATH OUT [CURL_ARGS]: sets HTTP_STATUS, the body in OUT.
fetch() {
	local user=$1 path=$2 out=$3
	shift 3
	HTTP_STATUS=$(tor_net_curl "$CLIENT_SOCKS_PORT" "$user" -o "$out" \
		-w '%{http_code}' "$@" "$url$path" 2>>"$T/curl.err") || HTTP_STATUS=000
}
# hidden_inputs FILE: "--form-string name=value" for each hidden input.
hidden_inputs() {
	local tag name value
	grep -o '<input[^>]*>' "$1" | grep 'type="hidden"' | while IFS= read -r tag; do
		name=$(sed -n 's/.* name="\([^"]*\)".*/\1/p' <<<"$tag")
		value=$(sed -n 's/.* value="\([^"]*\)".*/\1/p' <<<"$tag")
		value=${value//&quot;/\"} value=${value//&#39;/\'} value=${value//&lt;/<}
		value=${value//&gt;/>} value=${value//&amp;/&}
		printf '%s\n' --form-string "$name=$value"
	done
}
# post_form USER PAGE OUT FIELD_ARGS...: GET PAGE with USER's circuit, then
# POST its form (to its action) with its hidden inputs and FIELD_ARGS.
post_form() {
	local user=$1 page=$2 out=$3 action hidden
	shift 3
	fetch "$user" "$page" "$T/page.html"
	[ "$HTTP_STATUS" = 200 ] || return 0
	action=$(grep -o '<form[^>]*method="post"[^>]*>' "$T/page.html" | head -1 |
		sed -n 's/.* action="\([^"]*\)".*/\1/p')
	mapfile -t hidden < <(hidden_inputs "$T/page.html")
	fetch "$user" "${action:-$page}" "$out" "${hidden[@]}" "$@"
}
receipt_in() { grep -o '<code id="receipt"[^>]*>[^<]*</code>' "$1" | sed 's/<[^>]*>//g'; }

marker=M$RANDOM$RANDOM
arabic="رأيت هذا الرابط في منتدى"
printf 'Signalé %s\n%s\n' "$marker" "$arabic" >"$T/description.txt"
head -c 100000 /dev/urandom >"$T/photo.bin"
report() {	# report USER OUT: one report on USER's circuit
	post_form "$1" /report "$2" \
		--form-string "urls=http://example.org/$marker"$'\n'"http://example.net/$marker-2" \
		--form-string "category=csam_images" \
		--form-string "description=$(cat "$T/description.txt")" \
		-F "attachment=@$T/photo.bin"
}

check "${daemon_checks[0]}" grep -qF "$ONION_HOSTNAME" "$T/daemon.log"
direct=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 --unix-socket "$sock" \
	http://x/ || true)
check "${daemon_checks[1]} (got ${direct:-nothing})" test "$direct" != 200
fetch alice / "$T/landing.html"
check "${daemon_checks[2]}" test "$HTTP_STATUS" = 200
fetch alice /report "$T/form.html"
check "${daemon_checks[3]}" bash -c '[ "$1" = 200 ] && grep -q "type=\"hidden\"" "$2" &&
	grep -q "name=\"attachment\"" "$2"' _ "$HTTP_STATUS" "$T/form.html"
report alice "$T/r1.html"
r1=$(receipt_in "$T/r1.html" || true)
echo "# receipt: ${r1:-none} (HTTP $HTTP_STATUS)"
check "${daemon_checks[4]}" test "$HTTP_STATUS" = 200 -a -n "$r1"
post_form alice /status "$T/status.html" --form-string "receipt=$r1"
check "${daemon_checks[5]}" bash -c '[ "$1" = 200 ] && grep -q "id=\"status\"" "$2"' \
	_ "$HTTP_STATUS" "$T/status.html"
report alice "$T/r2.html"
check "${daemon_checks[6]}" test "$HTTP_STATUS" = 200 -a -n "$(receipt_in "$T/r2.html" || true)"
report alice "$T/r3.html"
check "${daemon_checks[7]} (got $HTTP_STATUS)" test "$HTTP_STATUS" = 429
report carol "$T/r4.html"
check "${daemon_checks[8]} (got $HTTP_STATUS)" \
	test "$HTTP_STATUS" = 200 -a -n "$(receipt_in "$T/r4.html" || true)"

"$DAEMON" export --config "$T/oniondropd.conf" --out "$T/one.bundle" >"$T/export.out" 2>&1 || true
check "${daemon_checks[9]} ($(head -1 "$T/export.out"))" grep -qw 3 "$T/export.out"
for a in alice bob; do
	"$KEYS" decrypt --key "$T/$a.sec" --out "$T/out-$a" "$T/one.bundle" >/dev/null 2>&1 || true
done
# Report folders only: each analyst's directory also holds its case file.
check "${daemon_checks[10]}" bash -c '[ "$(ls "$1" | grep -c "^[0-9a-f]\{32\}$")" = 3 ] &&
	diff -r -x "cases.db*" "$1" "$2"' \
	_ "$T/out-alice" "$T/out-bob"
intact() {
	local j d
	j=$(grep -l "$marker" "$T"/out-alice/*/report.json | head -1) || return 1
	d=$(dirname "$j")
	grep -qF "$arabic" "$j" && grep -qF "http://example.org/$marker" "$j" &&
		grep -qF "http://example.net/$marker-2" "$j" &&
		[ "$(sha256sum <"$T/photo.bin")" = "$(sha256sum <"$d/attachments/photo.bin")" ]
}
check "${daemon_checks[11]}" intact
check "${daemon_checks[12]}" \
	test -z "$(grep -iE 'PROXY|fc00:dead' "$T/daemon.log" || true)"
echo "# $(tor_net_usage)"
