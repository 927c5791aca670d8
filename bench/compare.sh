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
#
# oniondropd is a supervisor with two children (od-network, od-store): its
# CPU is that of all three, counted per process and per thread, and its
# memory is sampled per process (the goal is for the two children
# together). A daemon without children (an older build) is one process.
#
# With BENCH_BASE=OTHER_BUILD_DIR, a second oniondropd (that build's) runs
# beside the first and gets the same phases, taking turns with it; a second
# table, "the cost of the split", sets the two side by side, CPU split by
# role (supervisor, network loop, key pool, store).
# Not a test: it prints numbers (and the issues' goals beside them).
#   bench/compare.sh [BUILD_DIR]      (use a release build)
# Environment: BENCH_SECONDS per report phase (5), BENCH_MID and BENCH_BIG,
# the upload sizes in bytes (100000000, 1000000000), BENCH_UPLOADS uploads
# of each size to each server (3); BENCH_RUNS (1) whole runs, each with new
# servers and data, then every cell's median; BENCH_KEEP=1 keeps the work
# directory (logs, memory samples, results; not the servers' data).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-build}" && pwd)
secs=${BENCH_SECONDS:-5}
uploads=${BENCH_UPLOADS:-3}
runs=${BENCH_RUNS:-1}
mid=${BENCH_MID:-100000000}
big=${BENCH_BIG:-1000000000}
daemon=$build/daemon/oniondropd
keys=$build/client-keys/oniondrop-keys
onionshare=${ONIONSHARE:-/usr/bin/onionshare-cli}
base_daemon=
[ -z "${BENCH_BASE:-}" ] || base_daemon=$(cd "$BENCH_BASE" && pwd)/daemon/oniondropd
for f in "$daemon" "$keys" "$onionshare" ${base_daemon:+"$base_daemon"}; do
	[ -x "$f" ] || { echo "compare.sh: $f not found" >&2; exit 1; }
done
servers=(od); [ -z "$base_daemon" ] || servers+=(base); servers+=(os)
# The commit each build's tree was at when this started ("?" outside git;
# a build may be older than its tree).
build_head=$(git -C "$build" rev-parse --short HEAD 2>/dev/null || echo "?")
base_head=$(git -C "${BENCH_BASE:-.}" rev-parse --short HEAD 2>/dev/null || echo "?")

work=$(mktemp -d)
pids=()
# stop_all: end the servers and samplers started (pids), and wait for them.
stop_all() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	pids=()
}
cleanup() {
	stop_all
	if [ -n "${BENCH_KEEP:-}" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cc -std=c17 -O2 -D_GNU_SOURCE -Wall -Wextra -Werror -pthread \
	-o "$work/odload" "$src/bench/odload.c"
load=$work/odload
"$keys" keygen --out "$work/alice" --no-passphrase > /dev/null
"$keys" keygen --out "$work/bob" --no-passphrase > /dev/null
hz=$(getconf CLK_TCK)

# A server's processes, "LABEL:PID" words: oniondropd's supervisor is
# "parent" and its children are named by their comm less "od-" (network,
# store); a daemon without children is "daemon"; OnionShare is "main".
declare -A procs spid

# find_procs PID: the words for oniondropd PID's process tree.
find_procs() {
	local c out=""
	for c in $(pgrep -P "$1" | sort -n); do
		out="$out $(sed 's/^od-//' "/proc/$c/comm"):$c"
	done
	if [ -z "$out" ]; then echo "daemon:$1"; else echo "parent:$1$out"; fi
}

# sampler OUT LABEL:PID...: every 50 ms, "PHASE RSS ANON RSS ANON ..."
# (KiB, each process in turn) into OUT, after a first line "labels
# LABEL..."; PHASE is the content of $work/phase. Stops when one is gone.
sampler() {
	local out=$1 w pid phase k v rss anon line
	shift
	echo "labels ${*%%:*}" > "$out"
	while :; do
		read -r phase < "$work/phase" || phase=unknown
		line=$phase
		for w in "$@"; do
			pid=${w#*:} rss=0 anon=0
			{ while read -r k v _; do
				case $k in VmRSS:) rss=$v ;; RssAnon:) anon=$v ;; esac
			done < "/proc/$pid/status"; } 2>/dev/null || return 0
			line="$line $rss $anon"
		done
		echo "$line" >> "$out"
		sleep 0.05
	done
}

# peak OUT rss|anon LABELS [PHASE-REGEX]: the largest sum, over one sample,
# of the given processes' RSS or RssAnon, in MB; "-" if OUT has none of
# them. LABELS: space-separated.
peak() {
	awk -v kind="$2" -v want=" $3 " -v re="${4:-.}" '
	NR == 1 { for (i = 2; i <= NF; i++) if (index(want, " " $i " "))
		col[++n] = 2 * (i - 1) + (kind == "anon"); next }
	$1 ~ re { s = 0; for (j = 1; j <= n; j++) s += $(col[j]); if (s > m) m = s }
	END { if (n) printf "%.1f", m / 1024; else printf "-" }' "$1"
}

# Each run's files are under $run; its servers are started anew.
start_oniondropd() {	# start_oniondropd NAME DAEMON
	local name=$1 bin=$2 dir=$run/$1
	mkdir "$dir.data"
	cat > "$dir.conf" <<-EOF
	socket = $dir.sock
	data_dir = $dir.data
	analyst_key = $work/alice.pub
	analyst_key = $work/bob.pub
	attachments = on
	max_attachment_size = 2G
	max_report_size = 2G
	max_store_size = 8G
	max_connections = 4096
	EOF
	"$bin" --config "$dir.conf" 2> "$dir.log" &
	spid[$name]=$!
	pids+=("$!")
	for _ in $(seq 100); do
		[ -S "$dir.sock" ] && curl -sf -o /dev/null --unix-socket \
		    "$dir.sock" http://bench/report && break
		sleep 0.1
	done
	[ -S "$dir.sock" ] || { echo "compare.sh: $bin did not start:" >&2;
	    cat "$dir.log" >&2; exit 1; }
	procs[$name]=$(find_procs "${spid[$name]}")
}

# OnionShare keeps its settings under $HOME/.config: give it its own HOME.
start_onionshare() {
	local port=""
	mkdir -p "$run/os.home" "$run/os.data"
	HOME=$run/os.home "$onionshare" --receive --local-only --public \
		--data-dir "$run/os.data" > "$run/os.log" 2>&1 &
	spid[os]=$!
	pids+=("$!")
	procs[os]=main:$!
	for _ in $(seq 300); do
		port=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$run/os.log" |
		    head -n 1 | sed 's/.*://') || true
		[ -n "$port" ] && curl -sf -o /dev/null "http://127.0.0.1:$port/" &&
		    { os_port=$port; return 0; }
		sleep 0.1
	done
	echo "compare.sh: onionshare-cli did not start:" >&2
	cat "$run/os.log" >&2
	exit 1
}

# The same load generator for all; only the address and form differ.
od() { "$load" "unix:$run/od.sock" "$@" -g /report -m 'id="receipt"'; }
base() { "$load" "unix:$run/base.sock" "$@" -g /report -m 'id="receipt"'; }
os() { "$load" "tcp:$os_port" "$@" -g / -p /upload -s 302; }
od_text=(-f urls=http://example.org/bench -f 'description=A small bench report, number ')
os_text=(-f 'text=http://example.org/bench A small bench report, number ')
# drive SERVER ODLOAD-ARGS...: the load generator against SERVER, a report
# phase with the server's own form fields.
drive() {
	local s=$1
	shift
	if [ "$1" != reports ]; then "$s" "$@"
	elif [ "$s" = os ]; then "$s" "$@" "${os_text[@]}"
	else "$s" "$@" "${od_text[@]}"; fi
}

# set_phase NAME: what the samplers tag their samples with (atomically).
set_phase() { echo "$1" > "$work/phase.new" && mv "$work/phase.new" "$work/phase"; }

# cpu_snap SERVER: "KEY NANOSECONDS" lines, CPU time (user + system) so far.
# oniondropd: per thread from schedstat (ns; its threads live as long as
# their process), "LABEL_tN" the Nth thread made and "LABEL" the process.
# OnionShare: /proc/PID/stat (clock ticks), which also counts the threads
# that have exited (Werkzeug starts one per connection).
cpu_snap() {
	local w label pid t i ns all u s
	for w in ${procs[$1]}; do
		label=${w%%:*} pid=${w#*:} i=0 all=0
		if [ "$1" = os ]; then
			read -r u s < <(awk '{ print $14, $15 }' "/proc/$pid/stat")
			echo "$label $(( (u + s) * 1000000000 / hz ))"
			continue
		fi
		# shellcheck disable=SC2012 # thread ids, in the order made
		for t in $(ls "/proc/$pid/task" | sort -n); do
			{ read -r ns _ < "/proc/$pid/task/$t/schedstat"; } 2>/dev/null || ns=0
			echo "${label}_t$i $ns"
			all=$((all + ns)) i=$((i + 1))
		done
		echo "$label $all"
	done
}

# sync_seconds: how long a sync takes now (what a server left unwritten).
sync_seconds() {
	local a b
	a=$(date +%s.%N); sync; b=$(date +%s.%N)
	awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", b - a }'
}

# measure SERVER PHASE ODLOAD-ARGS...: run the load generator against
# SERVER, and append "SERVER-PHASE key=value..." to $run/results: the load
# generator's, cpu_KEY= each of cpu_snap's keys' CPU seconds during the
# run, srvcpu= the server's (all its processes).
measure() {
	local server=$1 phase=$2 out before after
	shift 2
	sync
	set_phase "$server-$phase"
	before=$(cpu_snap "$server")
	out=$(drive "$server" "$@") || { echo "compare.sh: $server $phase failed: $out" >&2; exit 1; }
	after=$(cpu_snap "$server")
	out="$out$(awk 'NR == FNR { b[$1] = $2; next }
	    { d = $2 - b[$1]; if (d < 0) d = 0; printf " cpu_%s=%.4f", $1, d / 1e9
	      if ($1 !~ /_t[0-9]+$/) s += d }
	    END { printf " srvcpu=%.4f", s / 1e9 }' <(echo "$before") <(echo "$after"))"
	out="$out syncsecs=$(sync_seconds)"
	set_phase idle
	echo "$server-$phase $out" >> "$run/results"
	echo "# $server $phase: $out" >&2
}

# median_upload SERVER SIZE: append the median (by MB/s) of the uploads
# SERVER-SIZE1.. to the results as SERVER-SIZE.
median_upload() {
	grep "^$1-$2[0-9]* " "$run/results" | awk '{ for (i = 2; i <= NF; i++)
	    if ($i ~ /^mbps=/) print substr($i, 6), $0 }' | sort -n |
	    awk -v n="$uploads" 'NR == int((n + 1) / 2) { $1 = ""; $2 = "";
	    print "'"$1-$2"'" $0 }' >> "$run/results"
}

# run_once N: start the servers in $work/runN, measure, stop them.
run_once() {
	local s i c mode ka server
	run=$work/run$1
	mkdir "$run"
	: > "$run/results"
	set_phase idle
	start_oniondropd od "$daemon"
	[ -z "$base_daemon" ] || start_oniondropd base "$base_daemon"
	start_onionshare
	for server in "${servers[@]}"; do
		# shellcheck disable=SC2086
		sampler "$run/$server.mem" ${procs[$server]} & pids+=("$!")
	done
	echo "load_start $(cut -d ' ' -f 1-3 /proc/loadavg)" > "$run/info"
	for server in "${servers[@]}"; do	# warm up
		drive "$server" reports 1 16 > /dev/null
	done
	# Uploads first, on a quiet disk: the report phases leave gigabytes
	# for the disk to write back, behind which an fsync waits (measured:
	# a 100 MB upload at 511-561 MB/s right after them, 658-693 before).
	for s in mid big; do
		for i in $(seq "$uploads"); do
			for server in "${servers[@]}"; do
				if [ "$server" = os ]; then
					measure os "$s$i" upload "$work/$s.bin" -k -a 'file[]' -f 'text=bench upload'
				else
					measure "$server" "$s$i" upload "$work/$s.bin" -k -a attachment -f 'description=bench upload'
				fi
			done
		done
		for server in "${servers[@]}"; do median_upload "$server" "$s"; done
	done
	# Phase names: r<reporters>k as a browser (keep-alive), r<reporters>c
	# with "Connection: close" on every request.
	for mode in k c; do
		ka=(); [ "$mode" = k ] && ka=(-k)
		for c in 1 16 64; do
			for server in "${servers[@]}"; do
				measure "$server" "r$c$mode" reports "$secs" "$c" "${ka[@]}"
			done
		done
	done
	echo "load_end $(cut -d ' ' -f 1-3 /proc/loadavg)" >> "$run/info"
	for server in od base; do
		[ -n "${procs[$server]:-}" ] || continue
		[ "$(find_procs "${spid[$server]}")" = "${procs[$server]}" ] ||
		    echo "restarted $server: $(grep -c restarting "$run/$server.log") restart(s) logged" >> "$run/info"
	done
	echo "stored_od $("$daemon" stats --config "$run/od.conf" | awk '/^reports:/ { print $2 }')" >> "$run/info"
	echo "stored_os $(find "$run/os.data" -name '*-message.txt' | wc -l)" >> "$run/info"
	stop_all
	rm -rf "$run/od.data" "$run/base.data" "$run/os.data"	# gigabytes
}

# ---- the tables: rows of TAB-separated cells, "#<TAB>TITLE" a heading ----

# val SERVER-PHASE KEY: a value from $run/results, or nothing.
val() { sed -n "s/^$1 .*\b$2=\([0-9.]*\).*/\1/p" "$run/results"; }
# total SERVER-SIZE KEY: KEY summed over the uploads SERVER-SIZE1...
total() { awk -v re="^$1[0-9]+\$" -v k="$2=" '$1 ~ re { for (i = 2; i <= NF; i++)
	if (index($i, k) == 1) s += substr($i, length(k) + 1) } END { print s + 0 }' "$run/results"; }
calc() { awk "BEGIN { printf \"%.${2:-1}f\", $1 }"; }
# per UNIT VALUE DIVISOR: UNIT * VALUE / DIVISOR, or "-" without a VALUE.
per() { if [ -z "$2" ]; then echo -; else calc "$1 * $2 / $3" "${4:-1}"; fi; }
ratio() { case "$1$2" in *-*) echo "" ;; *) awk -v a="$1" -v b="$2" \
	'BEGIN { if (b > 0) printf "%.2fx", a / b }' ;; esac; }
# verdict VALUE OP LIMIT: "met" or "MISSED".
verdict() { awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN {
	ok = op == ">=" ? v >= l : v < l; print ok ? "met" : "MISSED" }'; }
row() { printf '%s\t%s\t%s\t%s\t%s\n' "$@"; }

# CPU keys of a role, the first a server has: its network loop, key pool,
# store and supervisor, whether processes or threads of one process (an
# older build made the store's thread before the key pool's).
role_keys() {
	case $1 in
	loop) echo "cpu_network_t0 cpu_daemon_t0" ;;
	keypool) echo "cpu_network_t1 cpu_daemon_t2" ;;
	store) echo "cpu_store cpu_daemon_t1" ;;
	parent) echo cpu_parent ;;
	esac
}
# role_cpu SERVER-PHASE ROLE: the role's CPU seconds, or nothing.
role_cpu() {
	local k v
	for k in $(role_keys "$2"); do
		v=$(val "$1" "$k"); [ -z "$v" ] || { echo "$v"; return; }
	done
}
# role_total SERVER-SIZE ROLE: the same summed over those uploads.
role_total() {
	local k
	for k in $(role_keys "$2"); do
		grep -q "^$1[0-9]* .*\b$k=" "$run/results" && { total "$1" "$k"; return; }
	done
}
# labels SERVER: its processes' labels.
labels() { local w out=""; for w in ${procs[$1]}; do out="$out${out:+ }${w%%:*}"; done; echo "$out"; }
children="network store daemon"
everyone="parent network store daemon main"

# od_table: the run's rows, oniondropd against OnionShare.
od_table() {
	local m c a b g s title
	row "" oniondropd OnionShare "od/os" "goal"
	for m in k c; do
		title="as a browser sends them (HTTP/1.1 keep-alive, if the server keeps the connection):"
		[ "$m" = c ] && title="with a new connection per request (Connection: close):"
		row "#" "$title"
		for c in 1 16 64; do
			a=$(val "od-r$c$m" rate) b=$(val "os-r$c$m" rate) g=""
			[ "$c" = 64 ] && g=">= 20x: $(verdict "$(calc "$a / $b" 3)" ">=" 20)"
			row "reports/s, $c reporter(s)" "$a" "$b" "$(ratio "$a" "$b")" "$g"
		done
		for c in 1 16 64; do
			a=$(calc "1000 * $(val "od-r$c$m" srvcpu) / $(val "od-r$c$m" reports)" 3)
			b=$(calc "1000 * $(val "os-r$c$m" srvcpu) / $(val "os-r$c$m" reports)" 3)
			row "  server CPU ms/report, $c" "$a" "$b" "$(ratio "$a" "$b")" ""
		done
		a=$(calc "$(val "od-r64$m" conns) / $(val "od-r64$m" reports)" 2)
		b=$(calc "$(val "os-r64$m" conns) / $(val "os-r64$m" reports)" 2)
		row "  connections per report, 64" "$a" "$b" "" ""
	done
	row "#" "uploads (as a browser) and memory:"
	for s in mid big; do
		a=$(val "od-$s" mbps) b=$(val "os-$s" mbps)
		row "MB/s, $(( $(val "od-$s" bytes) / 1000000 )) MB upload (median)" "$a" "$b" \
		    "$(ratio "$a" "$b")" ">= 1x: $(verdict "$(calc "$a / $b" 3)" ">=" 1)"
		a=$(calc "$(total "od-$s" srvcpu) * 1e9 / $(total "od-$s" bytes)" 3)
		b=$(calc "$(total "os-$s" srvcpu) * 1e9 / $(total "os-$s" bytes)" 3)
		row "  server CPU s/GB (all $uploads)" "$a" "$b" "$(ratio "$a" "$b")" ""
		a=$(calc "$(val "od-$s" bytes) / 1e6 / ($(val "od-$s" seconds) + $(val "od-$s" syncsecs))")
		b=$(calc "$(val "os-$s" bytes) / 1e6 / ($(val "os-$s" seconds) + $(val "os-$s" syncsecs))")
		row "  MB/s until on disk (+ a sync)" "$a" "$b" "$(ratio "$a" "$b")" ""
	done
	a=$(peak "$run/od.mem" rss "$everyone") b=$(peak "$run/os.mem" rss main)
	row "peak RSS, MB (all processes)" "$a" "$b" "$(ratio "$a" "$b")" ""
	a=$(peak "$run/od.mem" anon "$children") b=$(peak "$run/os.mem" anon main)
	row "peak RssAnon, MB (network + store)" "$a" "$b" "$(ratio "$a" "$b")" \
	    "< 24 MB: $(verdict "$a" "<" 24)"
	for s in parent network store; do
		row "  peak RssAnon of $s, MB" "$(peak "$run/od.mem" anon "$s")" "" "" ""
	done
	for s in r64k r64c mid big; do
		row "  peak RssAnon during $s, MB" \
		    "$(peak "$run/od.mem" anon "$children" "^od-${s}[0-9]*\$")" \
		    "$(peak "$run/os.mem" anon main "^os-${s}[0-9]*\$")" "" ""
	done
	row "#" "load generator CPU (cores) at 64 reporters, keep-alive / close: oniondropd $(val od-r64k cpu) / $(val od-r64c cpu), OnionShare $(val os-r64k cpu) / $(val os-r64c cpu)"
}

# split_table: the run's rows, this build against BENCH_BASE's.
split_table() {
	local m c a b s r us
	row "#" "the cost of the split: this build (its tree at $build_head) against $BENCH_BASE (at $base_head), same phases, taking turns:"
	row "" "this" "base" "this/base" ""
	for m in k c; do
		for c in 1 16 64; do
			a=$(val "od-r$c$m" rate) b=$(val "base-r$c$m" rate)
			row "reports/s, $c reporter(s), $m" "$a" "$b" "$(ratio "$a" "$b")" ""
		done
	done
	for m in k c; do
		for c in 1 16 64; do
			a=$(calc "1e6 * $(val "od-r$c$m" srvcpu) / $(val "od-r$c$m" reports)")
			b=$(calc "1e6 * $(val "base-r$c$m" srvcpu) / $(val "base-r$c$m" reports)")
			row "CPU us/report, $c reporter(s), $m" "$a" "$b" "$(ratio "$a" "$b")" ""
			[ "$c" = 64 ] || continue
			for r in loop keypool store parent; do
				a=$(per 1e6 "$(role_cpu "od-r$c$m" "$r")" "$(val "od-r$c$m" reports)")
				b=$(per 1e6 "$(role_cpu "base-r$c$m" "$r")" "$(val "base-r$c$m" reports)")
				row "  of which $r" "$a" "$b" "$(ratio "$a" "$b")" ""
			done
		done
	done
	for s in mid big; do
		us=$(( $(val "od-$s" bytes) / 1000000 ))
		a=$(val "od-$s" mbps) b=$(val "base-$s" mbps)
		row "MB/s, $us MB upload (median)" "$a" "$b" "$(ratio "$a" "$b")" ""
		a=$(calc "$(total "od-$s" srvcpu) * 1e9 / $(total "od-$s" bytes)" 3)
		b=$(calc "$(total "base-$s" srvcpu) * 1e9 / $(total "base-$s" bytes)" 3)
		row "CPU s/GB, $us MB uploads" "$a" "$b" "$(ratio "$a" "$b")" ""
		for r in loop keypool store parent; do
			a=$(per 1e9 "$(role_total "od-$s" "$r")" "$(total "od-$s" bytes)" 3)
			b=$(per 1e9 "$(role_total "base-$s" "$r")" "$(total "base-$s" bytes)" 3)
			row "  of which $r" "$a" "$b" "$(ratio "$a" "$b")" ""
		done
	done
	a=$(peak "$run/od.mem" anon "$children") b=$(peak "$run/base.mem" anon "$children")
	row "peak RssAnon, MB (network + store)" "$a" "$b" "$(ratio "$a" "$b")" ""
	a=$(peak "$run/od.mem" anon "$everyone") b=$(peak "$run/base.mem" anon "$everyone")
	row "peak RssAnon, MB (all processes)" "$a" "$b" "$(ratio "$a" "$b")" ""
}

# show: TAB-separated rows as a table.
show() {
	awk -F '\t' '$1 == "#" { print $2; next }
	    { printf "%-40s %11s %11s %9s   %s\n", $1, $2, $3, $4, $5 }'
}

# medians FILE...: row by row, each numeric cell's median over the files
# (a ratio "1.23x" too); a goal "TEXT: met" says in how many it was met.
medians() {
	awk -F '\t' -v OFS='\t' -v n="$#" '
	function med(k,   i, j, t, h) {
		for (i = 2; i <= k; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) {
			t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
		h = int((k + 1) / 2)
		return k % 2 ? v[h] : (v[h] + v[h + 1]) / 2
	}
	{ r = FNR; if (FNR == NR) rows = FNR; for (c = 1; c <= 5; c++) cell[FILENAME, r, c] = $c
	  if (!(FILENAME in seen)) { seen[FILENAME] = 1; file[++nf] = FILENAME } }
	END {
		for (r = 1; r <= rows; r++) {
			line = cell[file[1], r, 1]
			for (c = 2; c <= 5; c++) {
				first = cell[file[1], r, c]; k = 0; met = 0; x = ""
				for (f = 1; f <= nf; f++) {
					s = cell[file[f], r, c]
					if (s ~ /: met$/) met++
					if (s ~ /x$/) { x = "x"; sub(/x$/, "", s) }
					if (s ~ /^[0-9.]+$/) v[++k] = s + 0
				}
				if (first == "" || cell[file[1], r, 1] == "#") out = first
				else if (first ~ /: (met|MISSED)$/) {
					sub(/: (met|MISSED)$/, "", first)
					out = first ": " (met == nf ? "met" : met == 0 ? "MISSED" : "met in " met " of " nf)
				} else if (k == nf) {
					sub(/x$/, "", first)
					d = (i = index(first, ".")) ? length(first) - i : 0
					out = sprintf("%." d "f", med(k)) x
				} else out = first
				line = line OFS out
			}
			print line
		}
	}' "$@"
}

head -c "$mid" /dev/urandom > "$work/mid.bin"
head -c "$big" /dev/urandom > "$work/big.bin"
version=$("$onionshare" --help 2>&1 | grep -o 'v[0-9][0-9.]*' | head -n 1)
for i in $(seq "$runs"); do
	run_once "$i"
	echo "oniondropd (2 analysts, fsync'd; processes: $(labels od)) vs OnionShare $version receive mode: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPU cores; load average $(sed -n 's/^load_start //p' "$run/info") at start, $(sed -n 's/^load_end //p' "$run/info") at end" > "$run/header"
	od_table > "$run/od.tsv"
	[ -z "$base_daemon" ] || split_table > "$run/split.tsv"
	echo
	echo "run $i of $runs:"
	cat "$run/header"
	show < "$run/od.tsv"
	[ -z "$base_daemon" ] || { echo; show < "$run/split.tsv"; }
	sed -n 's/^stored_od /oniondropd stored /p; s/^stored_os /OnionShare wrote /p; s/^restarted /WARNING: restarted /p' "$run/info"
done
if [ "$runs" -gt 1 ]; then
	echo
	echo "median of $runs runs (each cell its own median; a goal: in how many runs it was met):"
	cat "$work"/run*/header
	medians "$work"/run*/od.tsv | show
	[ -z "$base_daemon" ] || { echo; medians "$work"/run*/split.tsv | show; }
fi
