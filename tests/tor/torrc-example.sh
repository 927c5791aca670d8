#!/usr/bin/env bash
# torrc-example: the torrc files we ship or generate are valid for the
# installed tor, without starting any network:
#   1. torrc.example, its paths moved into a temporary directory, passes
#      "tor --verify-config", alone and under Debian's tor-instance
#      defaults; every option it sets is in tor's manual; a broken copy
#      fails (so the check bites).
#   2. the torrc that scripts/demo --public writes (tests/tor/net.sh
#      --public) and those of the private test network pass it too.
# TAP output (tests/scenarios/lib.sh); a skip plan without tor.
set -euo pipefail
: "${SOURCE_ROOT:?SOURCE_ROOT is not set}" "${BUILD_ROOT:?BUILD_ROOT is not set}"
if ! command -v tor >/dev/null 2>&1 || ! command -v tor-gencert >/dev/null 2>&1; then
	echo "1..0 # SKIP tor is not installed"
	exit 0
fi
# shellcheck source=tests/scenarios/lib.sh
. "$SOURCE_ROOT/tests/scenarios/lib.sh"
# shellcheck source=tests/tor/net.sh
. "$SOURCE_ROOT/tests/tor/net.sh"
trap 'exit 143' TERM INT

example=$SOURCE_ROOT/torrc.example
: >"$T/empty"

# verify TORRC [DEFAULTS]: tor --verify-config, its output kept in $T/verify.out
verify() {
	if tor --defaults-torrc "${2:-$T/empty}" -f "$1" --verify-config \
		>"$T/verify.out" 2>&1; then
		return 0
	fi
	sed 's/^/#   /' "$T/verify.out"
	return 1
}

# --- 1. torrc.example -----------------------------------------------------
mkdir -p "$T/x/data" "$T/x/run"
chmod 700 "$T/x/data"
sed -e "s#/var/lib/tor-instances/oniondrop#$T/x/data#g" \
	-e "s#/run/oniondrop#$T/x/run#g" \
	-e "s#^Log notice syslog#Log notice file $T/x/notice.log#" \
	"$example" >"$T/x/torrc"
check "torrc.example: every path was moved into the test directory" \
	test -z "$(grep -E '^[^#]*[ :](/var/lib|/run/)' "$T/x/torrc" || true)"
check "torrc.example passes tor --verify-config" verify "$T/x/torrc"

defaults=/usr/share/tor/tor-service-defaults-torrc-instances
if [ -r "$defaults" ]; then
	sed -e "s#@@NAME@@#oniondrop#g" -e "s#/var/lib/tor-instances#$T/x/instances#g" \
		-e "s#/run/tor-instances#$T/x/run-instances#g" -e '/^User /d' \
		-e 's/^Log notice syslog/Log notice stderr/' "$defaults" >"$T/x/defaults"
	mkdir -p "$T/x/run-instances/oniondrop"
	check "... and under Debian's tor@ instance defaults" verify "$T/x/torrc" "$T/x/defaults"
else
	pass "# SKIP no $defaults"
fi

# Every option set in torrc.example is an option of the installed tor's
# manual (its roff source, so that no man reader is needed).
manual=$(ls /usr/share/man/man1/tor.1.gz 2>/dev/null || true)
if [ -n "$manual" ]; then
	missing=""
	zcat "$manual" >"$T/tor.1"
	while read -r opt; do
		# An option's entry starts a line: \fBName\fR ...
		grep -qF "\\fB$opt\\fR" "$T/tor.1" || missing+=" $opt"
	done < <(grep -vE '^\s*(#|$)' "$example" | awk '{print $1}' | sort -u)
	check "every option of torrc.example is in man tor${missing:+ (missing:$missing)}" \
		test -z "$missing"
else
	pass "# SKIP tor's manual is not installed"
fi
# shellcheck disable=SC2016
check "torrc.example sets each option the deployment needs" bash -c '
	for o in "SocksPort 0" "SafeLogging 1" "HiddenServiceDir " \
		"HiddenServicePort 80 unix:/run/oniondrop/http.sock" \
		"HiddenServiceExportCircuitID haproxy" "HiddenServicePoWDefensesEnabled 1" \
		"HiddenServicePoWQueueRate " "HiddenServicePoWQueueBurst " \
		"HiddenServiceMaxStreams " "HiddenServiceMaxStreamsCloseCircuit 1"; do
		grep -q "^$o" "$1" || { echo "# missing: $o"; exit 1; }
	done' _ "$example"

fails_verify() { ! tor --defaults-torrc "$T/empty" -f "$1" --verify-config >/dev/null 2>&1; }
{ cat "$T/x/torrc"; echo "HiddenServicePoWDefensesEnabled 2"; } >"$T/x/broken"
check "a broken copy fails tor --verify-config (the check bites)" fails_verify "$T/x/broken"
sed 's/^HiddenServiceExportCircuitID haproxy/HiddenServiceExportCircuitID nope/' \
	"$T/x/torrc" >"$T/x/broken2"
check "... and so does an unknown circuit id protocol" fails_verify "$T/x/broken2"

# --- 2. the torrc files net.sh writes -------------------------------------
tor_net_start "$T/public" "$T/public.sock" --public --no-start
check "scripts/demo --public: its torrc passes tor --verify-config" \
	verify "$T/public/service.torrc"
# shellcheck disable=SC2016
check "... it is no client (SocksPort 0), and no testing network" bash -c \
	'grep -qx "SocksPort 0" "$1" && ! grep -qE "^(TestingTorNetwork|DirAuthority)" "$1"' \
	_ "$T/public/service.torrc"
tor_net_start "$T/private" "$T/private.sock" --relays 2 \
	--service "$T/private/hs2" "$T/private2.sock" --auth-client "$T/auth" --no-start
n=0 bad=""
while IFS= read -r torrc; do
	n=$((n + 1))
	verify "$torrc" || bad+=" ${torrc##*/}"
done <<<"$TOR_NET_TORRCS"
check "the private network's $n torrc files pass tor --verify-config${bad:+ (not:$bad)}" \
	test -z "$bad" -a "$n" -eq 8
mapfile -t torrcs <<<"$TOR_NET_TORRCS"
listens=$(grep -hE '^(ORPort|DirPort|SocksPort) ' "${torrcs[@]}" | grep -v ' 0$' || true)
check "... every port they open is on 127.0.0.1 ($(wc -l <<<"$listens") ports)" \
	test -z "$(grep -vE ' 127\.0\.0\.1:[0-9]+( |$)' <<<"$listens" || true)"
