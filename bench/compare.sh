#!/usr/bin/env bash
# bench/compare: oniondropd and OnionShare's receive mode side by side, in
# one run, driven by the same load generator (bench/odload.c): small
# reports per second at 1, 16 and 64 concurrent reporters (each a GET of
# the form and a POST of it), as a browser sends them (keep-alive, so one
# connection carries both when the server allows it) and with a new
# connection per request, MB/s of a 100 MB and a 1 GB upload (the median
# of BENCH_UPLOADS, 3, each server's taking turns with the other's), and
# the peak RSS and RssAnon of each server process (sampled every 50 ms).
# oniondropd seals every report to two analysts and answers only after a
# durable commit; OnionShare writes plaintext files without fsync.
# Not a test: it prints numbers (and the issue's goals beside them).
#   bench/compare.sh [BUILD_DIR]      (use a release build)
# Environment: BENCH_SECONDS per report phase (5), BENCH_MID and BENCH_BIG,
# the upload sizes in bytes (100000000, 1000000000), BENCH_UPLOADS uploads
# of each size to each server (3); BENCH_KEEP=1 keeps the work directory
# (logs, memory samples, results).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-build}" && pwd)
secs=${BENCH_SECONDS:-5}
uploads=${BENCH_UPLOADS:-3}
mid=${BENCH_MID:-100000000}
big=${BENCH_BIG:-1000000000}
daemon=$build/daemon/oniondropd
keys=$build/client-keys/oniondrop-keys
onionshare=${ONIONSHARE:-/usr/bin/onionshare-cli}
for f in "$daemon" "$keys" "$onionshare"; do
	[ -x "$f" ] || { echo "compare.sh: $f not found" >&2; exit 1; }
done

work=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	if [ -n "${BENCH_KEEP:-}" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cc -std=c17 -O2 -D_GNU_SOURCE -Wall -Wextra -Werror -pthread \
	-o "$work/odload" "$src/bench/odload.c"
load=$work/odload

# sampler PID OUT: every 50 ms, "PHASE VmRSS RssAnon" (KiB) of PID into
# OUT, PHASE being the content of $work/phase; stops when PID is gone.
sampler() {
	local pid=$1 out=$2 phase k v rss anon
	while [ -r "/proc/$pid/status" ]; do
		rss=0 anon=0
		while read -r k v _; do
			case $k in VmRSS:) rss=$v ;; RssAnon:) anon=$v ;; esac
		done < "/proc/$pid/status" 2>/dev/null || break
		read -r phase < "$work/phase" || phase=unknown
		echo "$phase $rss $anon" >> "$out"
		sleep 0.05
	done
}

# peak OUT FIELD [PHASE-REGEX]: the largest FIELD (2 RSS, 3 anon) in MB.
peak() {
	awk -v f="$2" -v re="${3:-.}" '$1 ~ re && $f > m { m = $f }
	    END { printf "%.1f", m / 1024 }' "$1"
}

start_oniondropd() {
	"$keys" keygen --out "$work/alice" --no-passphrase > /dev/null
	"$keys" keygen --out "$work/bob" --no-passphrase > /dev/null
	mkdir "$work/od.data"
	cat > "$work/od.conf" <<-EOF
	socket = $work/od.sock
	data_dir = $work/od.data
	analyst_key = $work/alice.pub
	analyst_key = $work/bob.pub
	attachments = on
	max_attachment_size = 2G
	max_report_size = 2G
	max_store_size = 8G
	max_connections = 4096
	EOF
	"$daemon" --config "$work/od.conf" 2> "$work/od.log" &
	od_pid=$!
	pids+=("$od_pid")
	for _ in $(seq 100); do
		[ -S "$work/od.sock" ] && curl -sf -o /dev/null --unix-socket \
		    "$work/od.sock" http://bench/report && return 0
		sleep 0.1
	done
	echo "compare.sh: oniondropd did not start:" >&2
	cat "$work/od.log" >&2
	exit 1
}

# OnionShare keeps its settings under $HOME/.config: give it its own HOME.
start_onionshare() {
	mkdir -p "$work/os.home" "$work/os.data"
	HOME=$work/os.home "$onionshare" --receive --local-only --public \
		--data-dir "$work/os.data" > "$work/os.log" 2>&1 &
	os_pid=$!
	pids+=("$os_pid")
	for _ in $(seq 300); do
		os_port=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/os.log" |
		    head -n 1 | sed 's/.*://') || true
		[ -n "$os_port" ] && curl -sf -o /dev/null \
		    "http://127.0.0.1:$os_port/" && return 0
		sleep 0.1
	done
	echo "compare.sh: onionshare-cli did not start:" >&2
	cat "$work/os.log" >&2
	exit 1
}

# The same load generator for both; only the address and form differ.
od() { "$load" "unix:$work/od.sock" "$@" -g /report -m 'id="receipt"'; }
os() { "$load" "tcp:$os_port" "$@" -g / -p /upload -s 302; }
od_text=(-f urls=http://example.org/bench -f 'description=A small bench report, number ')
os_text=(-f 'text=http://example.org/bench A small bench report, number ')

# set_phase NAME: what the samplers tag their samples with (atomically).
set_phase() { echo "$1" > "$work/phase.new" && mv "$work/phase.new" "$work/phase"; }

# cpu_ticks PID: user + system clock ticks of PID, all threads.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

# measure SERVER PHASE ODLOAD-ARGS...: run the load generator against
# SERVER, and append "SERVER-PHASE key=value..." to $work/results, with
# srvcpu= the server's CPU seconds during the run.
# sync_seconds: how long a sync takes now (what a server left unwritten).
sync_seconds() {
	local a b
	a=$(date +%s.%N); sync; b=$(date +%s.%N)
	awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", b - a }'
}

measure() {
	local server=$1 phase=$2 pid out t0
	shift 2
	pid=$od_pid; [ "$server" = os ] && pid=$os_pid
	sync
	set_phase "$server-$phase"
	t0=$(cpu_ticks "$pid")
	out=$("$server" "$@") || { echo "compare.sh: $server $phase failed: $out" >&2; exit 1; }
	out="$out srvcpu=$(awk -v a="$t0" -v b="$(cpu_ticks "$pid")" -v hz="$hz" \
	    'BEGIN { printf "%.2f", (b - a) / hz }')"
	out="$out syncsecs=$(sync_seconds)"
	set_phase idle
	echo "$server-$phase $out" >> "$work/results"
	echo "# $server $phase: $out" >&2
}

# val SERVER-PHASE KEY: a value from $work/results.
val() { sed -n "s/^$1 .*\b$2=\([0-9.]*\).*/\1/p" "$work/results"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", (b > 0 ? a / b : 0) }'; }
calc() { awk "BEGIN { printf \"%.${2:-1}f\", $1 }"; }
# verdict VALUE OP LIMIT: "met" or "MISSED".
verdict() { awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN {
	ok = op == ">=" ? v >= l : v < l; print ok ? "met" : "MISSED" }'; }
row() { printf '%-36s %11s %11s %8s   %s\n' "$@"; }

set_phase idle
start_oniondropd
start_onionshare
sampler "$od_pid" "$work/od.mem" & pids+=("$!")
sampler "$os_pid" "$work/os.mem" & pids+=("$!")
head -c "$mid" /dev/urandom > "$work/mid.bin"
head -c "$big" /dev/urandom > "$work/big.bin"
load_start=$(cut -d ' ' -f 1-3 /proc/loadavg)

od reports 1 16 "${od_text[@]}" > /dev/null	# warm up
os reports 1 16 "${os_text[@]}" > /dev/null
# Uploads first, on a quiet disk: the report phases leave gigabytes for
# the disk to write back, behind which an fsync waits (measured: a 100 MB
# upload at 511-561 MB/s right after them, 658-693 before).
# median_upload SERVER SIZE: append the median (by MB/s) of the uploads
# SERVER-SIZE1.. to the results as SERVER-SIZE.
median_upload() {
	grep "^$1-$2[0-9]* " "$work/results" | awk '{ for (i = 2; i <= NF; i++)
	    if ($i ~ /^mbps=/) print substr($i, 6), $0 }' | sort -n |
	    awk -v n="$uploads" 'NR == int((n + 1) / 2) { $1 = ""; $2 = "";
	    print "'"$1-$2"'" $0 }' >> "$work/results"
}
for s in mid big; do
	for i in $(seq "$uploads"); do
		measure od "$s$i" upload "$work/$s.bin" -k -a attachment -f 'description=bench upload'
		measure os "$s$i" upload "$work/$s.bin" -k -a 'file[]' -f 'text=bench upload'
	done
	median_upload od "$s"
	median_upload os "$s"
done
# Phase names: r<reporters>k as a browser (keep-alive), r<reporters>c with
# "Connection: close" on every request.
for mode in k c; do
	ka=(); [ "$mode" = k ] && ka=(-k)
	for c in 1 16 64; do
		measure od "r$c$mode" reports "$secs" "$c" "${ka[@]}" "${od_text[@]}"
		measure os "r$c$mode" reports "$secs" "$c" "${ka[@]}" "${os_text[@]}"
	done
done
load_end=$(cut -d ' ' -f 1-3 /proc/loadavg)
stored=$("$daemon" stats --config "$work/od.conf" | awk '/^reports:/ { print $2 }')

echo
echo "oniondropd (2 analysts, fsync'd) vs OnionShare" \
	"$("$onionshare" --help 2>&1 | grep -o 'v[0-9][0-9.]*' | head -n 1) receive mode:" \
	"$(nproc) CPU cores; load average $load_start at start, $load_end at end"
row "" oniondropd OnionShare "od/os" "goal"
# report_rows MODE TITLE: rates, CPU and connections per report.
report_rows() {
	local m=$1 c a b g
	echo "$2"
	for c in 1 16 64; do
		a=$(val "od-r$c$m" rate) b=$(val "os-r$c$m" rate) g=""
		[ "$c" = 64 ] && g=">= 20x: $(verdict "$(calc "$a / $b" 3)" ">=" 20)"
		row "reports/s, $c reporter(s)" "$a" "$b" "$(ratio "$a" "$b")" "$g"
	done
	for c in 1 16 64; do
		a=$(calc "1000 * $(val "od-r$c$m" srvcpu) / $(val "od-r$c$m" reports)" 2)
		b=$(calc "1000 * $(val "os-r$c$m" srvcpu) / $(val "os-r$c$m" reports)" 2)
		row "  server CPU ms/report, $c" "$a" "$b" "$(ratio "$a" "$b")" ""
	done
	a=$(calc "$(val "od-r64$m" conns) / $(val "od-r64$m" reports)" 2)
	b=$(calc "$(val "os-r64$m" conns) / $(val "os-r64$m" reports)" 2)
	row "  connections per report, 64" "$a" "$b" "" ""
}
report_rows k "as a browser sends them (HTTP/1.1 keep-alive, if the server keeps the connection):"
report_rows c "with a new connection per request (Connection: close):"
echo "uploads (as a browser) and memory:"
for s in mid big; do
	a=$(val "od-$s" mbps) b=$(val "os-$s" mbps)
	row "MB/s, $(( $(val "od-$s" bytes) / 1000000 )) MB upload (median)" "$a" "$b" \
	    "$(ratio "$a" "$b")" ">= 1x: $(verdict "$(calc "$a / $b" 3)" ">=" 1)"
	a=$(calc "$(val "od-$s" srvcpu) * 1e9 / $(val "od-$s" bytes)" 2)
	b=$(calc "$(val "os-$s" srvcpu) * 1e9 / $(val "os-$s" bytes)" 2)
	row "  server CPU s/GB" "$a" "$b" "$(ratio "$a" "$b")" ""
	a=$(calc "$(val "od-$s" bytes) / 1e6 / ($(val "od-$s" seconds) + $(val "od-$s" syncsecs))")
	b=$(calc "$(val "os-$s" bytes) / 1e6 / ($(val "os-$s" seconds) + $(val "os-$s" syncsecs))")
	row "  MB/s until on disk (+ a sync)" "$a" "$b" "$(ratio "$a" "$b")" ""
done
a=$(peak "$work/od.mem" 2) b=$(peak "$work/os.mem" 2)
row "peak RSS, MB" "$a" "$b" "$(ratio "$a" "$b")" ""
a=$(peak "$work/od.mem" 3) b=$(peak "$work/os.mem" 3)
row "peak RssAnon, MB" "$a" "$b" "$(ratio "$a" "$b")" \
    "od < 16 MB: $(verdict "$a" "<" 16)"
for s in r64k r64c mid big; do
	row "  peak RssAnon during $s, MB" "$(peak "$work/od.mem" 3 "^od-$s[0-9]*\$")" \
	    "$(peak "$work/os.mem" 3 "^os-$s[0-9]*\$")" "" ""
done
echo
printf 'load generator CPU (cores) at 64 reporters: %s (keep-alive) and %s (close) with oniondropd, %s and %s with OnionShare\n' \
	"$(val od-r64k cpu)" "$(val od-r64c cpu)" "$(val os-r64k cpu)" "$(val os-r64c cpu)"
printf 'oniondropd stored %s reports (stats); OnionShare wrote %s messages\n' \
	"$stored" "$(find "$work/os.data" -name '*-message.txt' | wc -l)"
