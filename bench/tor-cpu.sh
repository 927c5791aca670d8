#!/usr/bin/env bash
# bench/tor-cpu: how far oniondropd is from being the limit behind Tor. On
# the private Tor network of the tests (tests/tor/net.sh: 3 authorities, 2
# relays, the service's tor, a client tor, all on 127.0.0.1), oniondropd
# (proxy_protocol on, two analyst keys, attachments on) receives N reports
# through the onion service, P at a time: each report is a GET of the form
# and a POST of it with its hidden inputs, by curl --socks5-hostname
# through the client tor's SOCKS port. Each of the P workers has its own
# SOCKS user name, hence its own circuit (built before the measurement);
# reports_per_circuit_per_hour is raised so the limit never answers 429.
# Printed: CPU seconds (utime + stime from /proc/PID/stat, before and
# after) of the daemon and of each tor, the same over an idle period as
# long as the run (what the private network burns on its own: votes every
# 20 s), wall time, reports/s, the ratio tor CPU / daemon CPU, and the
# busiest process.
# Not a test: it prints numbers.
#   bench/tor-cpu.sh [BUILD_DIR]      (default build-bench; a release build)
# Environment: BENCH_REPORTS (200), BENCH_PARALLEL (8), BENCH_KEEP=1 keeps
# the work directory (tor logs, daemon log, per-worker results).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$src/build-bench}" && pwd)
total=${BENCH_REPORTS:-200}
par=${BENCH_PARALLEL:-8}
daemon=$build/daemon/oniondropd
keys=$build/client-keys/oniondrop-keys
for f in "$daemon" "$keys"; do
	[ -x "$f" ] || { echo "tor-cpu.sh: $f not found (meson compile -C ${build##*/})" >&2; exit 1; }
done
for p in tor tor-gencert curl ss; do
	command -v "$p" >/dev/null || { echo "tor-cpu.sh: $p is not installed" >&2; exit 1; }
done

# shellcheck source=tests/tor/net.sh
. "$src/tests/tor/net.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/tor-cpu.XXXXXX")
od_pid=""
worker_pids=()
cleanup() {
	local p
	trap - EXIT INT TERM
	for p in "${worker_pids[@]}"; do kill "$p" 2>/dev/null || true; done
	tor_net_stop
	if [ -n "$od_pid" ]; then
		kill "$od_pid" 2>/dev/null || true
		wait "$od_pid" 2>/dev/null || true
	fi
	if [ -n "${BENCH_KEEP:-}" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "# $*" >&2; }
hz=$(getconf CLK_TCK)
# ticks PID: user + system clock ticks of PID, all its threads.
ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
# child_ticks: user + system ticks of this shell's waited-for children
# (the workers, their curls and greps).
child_ticks() { sed 's/^.*) //' "/proc/$$/stat" | awk '{ print $14 + $15 }'; }
# busy_ticks: clock ticks all CPUs spent not idle (not idle, not iowait).
busy_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
now() { date +%s.%N; }

# --- the daemon, then the network in front of it ---------------------------
net=$work/net
sock=$work/http.sock
tor_net_make_onion_keys "$net/hs"
for a in alice bob; do "$keys" keygen --out "$work/$a" --no-passphrase >/dev/null; done
mkdir -p "$work/data"
cat >"$work/oniondropd.conf" <<-EOF
	socket = $sock
	data_dir = $work/data
	analyst_key = $work/alice.pub
	analyst_key = $work/bob.pub
	proxy_protocol = on
	attachments = on
	tor_hs_dir = $net/hs
	reports_per_circuit_per_hour = 10000
	status_lookups_per_circuit_per_hour = 10000
EOF
"$daemon" --config "$work/oniondropd.conf" >"$work/daemon.log" 2>&1 &
od_pid=$!
for _ in $(seq 100); do
	[ -S "$sock" ] && break
	kill -0 "$od_pid" 2>/dev/null || break
	sleep 0.1
done
[ -S "$sock" ] || { echo "tor-cpu.sh: oniondropd did not start:" >&2; cat "$work/daemon.log" >&2; exit 1; }

say "starting the private Tor network (30-60 s)"
t0=$(date +%s)
tor_net_start "$net" "$sock"
tor_net_wait_onion "http://$ONION_HOSTNAME/" 180 ||
	{ echo "tor-cpu.sh: the onion service did not answer" >&2; exit 1; }
say "the onion answered $(($(date +%s) - t0)) s after start ($(tor_net_usage))"
url=http://$ONION_HOSTNAME

# --- the reporters -------------------------------------------------------------
# form_args PAGE: the POST's curl arguments from the form in PAGE: its
# action (first line), then "--form-string name=value" per hidden input.
form_args() {
	local tag name value
	grep -o '<form method="post"[^>]*>' "$1" | head -n 1 |
		sed -n 's/.* action="\([^"]*\)".*/\1/p'
	grep -o '<input type="hidden"[^>]*>' "$1" | while IFS= read -r tag; do
		name=${tag#* name=\"} name=${name%%\"*}
		value=${tag#* value=\"} value=${value%%\"*}
		value=${value//&quot;/\"} value=${value//&#39;/\'} value=${value//&lt;/<}
		value=${value//&gt;/>} value=${value//&amp;/&}
		printf '%s\n' --form-string "$name=$value"
	done
}

# worker I COUNT: COUNT reports on the circuit of SOCKS user "bench-I";
# one line per report in $work/w-I.out: "ok" or "fail STEP HTTP-STATUS".
worker() {
	local i=$1 n=$2 k code args out=$work/w-$1
	for k in $(seq "$n"); do
		code=$(tor_net_curl "$CLIENT_SOCKS_PORT" "bench-$i" -o "$out.form" \
			-w '%{http_code}' "$url/report" 2>>"$out.err") || code=000
		if [ "$code" != 200 ]; then echo "fail get $code" >>"$out.out"; continue; fi
		mapfile -t args < <(form_args "$out.form")
		code=$(tor_net_curl "$CLIENT_SOCKS_PORT" "bench-$i" -o "$out.receipt" \
			-w '%{http_code}' "${args[@]:1}" \
			--form-string "urls=http://example.org/bench/$i/$k" \
			--form-string "description=A small bench report, number $i-$k" \
			"$url${args[0]:-/report}" 2>>"$out.err") || code=000
		if [ "$code" = 200 ] && grep -q 'id="receipt"' "$out.receipt"; then
			echo ok >>"$out.out"
		else
			echo "fail post $code" >>"$out.out"
		fi
	done
}

# Every worker's circuit first (one GET /), so that circuit building is
# not counted: the run measures reports on established circuits.
for i in $(seq "$par"); do
	tor_net_curl "$CLIENT_SOCKS_PORT" "bench-$i" --max-time 90 -o /dev/null "$url/" &
	worker_pids+=("$!")
done
for p in "${worker_pids[@]}"; do wait "$p" || { echo "tor-cpu.sh: warm-up failed" >&2; exit 1; }; done
worker_pids=()

# snapshot FILE: "name ticks" of the daemon, each tor, the load (this
# shell's waited-for children) and the machine (all CPUs busy).
snapshot() {
	{
		echo "oniondropd $(ticks "$od_pid")"
		for i in "${!tor_net_pids[@]}"; do
			echo "${tor_net_names[$i]} $(ticks "${tor_net_pids[$i]}")"
		done
		echo "load $(child_ticks)"
		echo "machine $(busy_ticks)"
	} >"$1"
}

say "$total reports, $par workers, each on its own circuit"
load_start=$(cut -d ' ' -f 1-3 /proc/loadavg)
snapshot "$work/cpu.0"
w0=$(now)
for i in $(seq "$par"); do
	n=$((total / par + (i <= total % par ? 1 : 0)))
	worker "$i" "$n" &
	worker_pids+=("$!")
done
for p in "${worker_pids[@]}"; do wait "$p" || true; done
worker_pids=()
w1=$(now)
snapshot "$work/cpu.1"
wall=$(awk -v a="$w0" -v b="$w1" 'BEGIN { printf "%.2f", b - a }')
load_end=$(cut -d ' ' -f 1-3 /proc/loadavg)

# The same time again with no reports: what the network costs by itself.
say "idle for ${wall%.*} s (the network's own CPU use)"
snapshot "$work/cpu.2"
sleep "$wall"
snapshot "$work/cpu.3"

ok=$(cat "$work"/w-*.out 2>/dev/null | grep -c '^ok$' || true)
failed=$(cat "$work"/w-*.out 2>/dev/null | grep -vc '^ok$' || true)
stored=$("$daemon" stats --config "$work/oniondropd.conf" 2>/dev/null |
	awk '/^reports:/ { print $2 }' || true)

# --- the table -------------------------------------------------------------
echo
echo "oniondropd behind a private Tor network on 127.0.0.1 (tor $(tor --version |
	awk 'NR == 1 { sub(/\.$/, "", $3); print $3 }')): $ok of $total reports" \
	"($failed failed), $par workers with one circuit each;" \
	"$(nproc) CPU cores; load average $load_start at start, $load_end at end"
awk -v ok="$ok" -v wall="$wall" -v hz="$hz" -v nproc="$(nproc)" -v par="$par" '
	FNR == 1 { f++ }
	{ t[f, $1] = $2; if (f == 1) names[++n] = $1 }
	END {
		printf "%-12s %10s %9s %9s %10s\n", "process", "CPU s", "% core",
		    "idle CPU s", "ms/report"
		for (i = 1; i <= n; i++) {
			p = names[i]
			if (p == "load" || p == "machine") continue
			c = (t[2, p] - t[1, p]) / hz; idle = (t[4, p] - t[3, p]) / hz
			printf "%-12s %10.2f %8.0f%% %9.2f %10.2f\n", p, c,
			    100 * c / wall, idle, ok ? 1000 * c / ok : 0
			if (p != "oniondropd") { tor += c; tidle += idle }
			else od = c
			if (c > max) { max = c; maxp = p }
		}
		printf "%-12s %10.2f %8.0f%% %9.2f %10.2f\n", "all tors", tor,
		    100 * tor / wall, tidle, ok ? 1000 * tor / ok : 0
		l = (t[2, "load"] - t[1, "load"]) / hz
		printf "%-12s %10.2f %8.0f%% %9s %10.2f\n", "curl+bash", l,
		    100 * l / wall, "", ok ? 1000 * l / ok : 0
		m = (t[2, "machine"] - t[1, "machine"]) / hz
		printf "%-12s %10.2f %8.0f%% %9.2f\n", "machine", m,
		    100 * m / wall, (t[4, "machine"] - t[3, "machine"]) / hz
		printf "\nwall %.2f s, %.2f reports/s\n", wall, ok / wall
		printf "tor CPU / daemon CPU: %.1fx (minus the idle network: %.1fx)\n",
		    od ? tor / od : 0, od ? (tor - tidle) / od : 0
		printf "busiest process: %s, %.0f%% of one core; oniondropd %.0f%%;", \
		    maxp, 100 * max / wall, 100 * od / wall
		printf " all CPUs %.0f%% busy (%d cores, other jobs included)\n",
		    100 * m / wall / nproc, nproc
		svc = (t[2, "service"] - t[1, "service"]) / hz
		if (ok && od && svc)
			printf "CPU only, one core would do %.0f reports/s for" \
			    " oniondropd, %.0f for the service'"'"'s tor\n",
			    ok / od, ok / svc
		if (ok)
			printf "each worker: one report (GET + POST) every %.2f s\n",
			    wall * par / ok
		if (100 * max / wall < 50)
			print "no process is near a full core: the rate is bound" \
			    " by latency through the circuits, not by CPU"
	}' "$work/cpu.0" "$work/cpu.1" "$work/cpu.2" "$work/cpu.3"
echo "oniondropd stored ${stored:-?} reports (stats)"
[ "$failed" -eq 0 ] || { echo "first errors:"; cat "$work"/w-*.err 2>/dev/null | head -n 5; }
