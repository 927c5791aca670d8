#!/usr/bin/env bash
# bench/desk-queue: `oniondrop-keys queue` (each format, and --all),
# `verify` and one `assess` over a case file of 100,000 reports naming
# 300,000 distinct URLs (bench/desk-fill.sh). Not a test: it prints
# seconds, the best of 3 runs (the issue asks for queue under 1 s).
#   bench/desk-queue.sh [BUILD_DIR] [REPORTS] [URLS]
set -euo pipefail
build=${1:-build}
reports=${2:-100000}
urls=${3:-300000}
keys=$build/client-keys/oniondrop-keys
here=$(dirname "$0")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

start=$(date +%s.%N)
"$here/desk-fill.sh" "$build" "$work/dir" "$reports" "$urls"
end=$(date +%s.%N)
printf 'fill: %.1f s (%s reports, %s URLs, %s lines, %s verdicts)\n' \
	"$(echo "$end - $start" | bc -l)" \
	"$(sqlite3 "$work/dir/cases.db" 'SELECT count(*) FROM reports')" \
	"$(sqlite3 "$work/dir/cases.db" 'SELECT count(*) FROM urls')" \
	"$(sqlite3 "$work/dir/cases.db" 'SELECT count(*) FROM report_lines')" \
	"$(sqlite3 "$work/dir/cases.db" 'SELECT count(*) FROM verdicts')"

best() {  # best LABEL COMMAND...: the fastest of 3 runs, output to a file
	local label=$1 b="" t start end
	shift
	for _ in 1 2 3; do
		start=$(date +%s.%N)
		"$@" > "$work/out"
		end=$(date +%s.%N)
		t=$(echo "$end - $start" | bc -l)
		if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; fi
	done
	printf '%-22s %.3f s  (%s lines)\n' "$label" "$b" "$(wc -l < "$work/out")"
}
best "queue" "$keys" queue "$work/dir"
best "queue --format csv" "$keys" queue "$work/dir" --format csv
best "queue --format json" "$keys" queue "$work/dir" --format json
best "queue --all" "$keys" queue "$work/dir" --all
best "verify" "$keys" verify "$work/dir"
best "assess (one URL)" "$keys" assess "$work/dir" u0000000001 --verdict off-remit
