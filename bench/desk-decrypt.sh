#!/usr/bin/env bash
# bench/desk-decrypt: oniondrop-keys decrypt over many small reports into a
# new case directory (report folders and DIR/cases.db), in reports per
# second; then the same bundle again (every report "already there"). Each
# report has two URL lines (from 700 and 300 distinct addresses, defanged
# half the time) and a one-line description. Not a test: it prints numbers.
#   bench/desk-decrypt.sh [BUILD_DIR] [REPORTS] [RUNS]
set -euo pipefail
build=${1:-build}
n=${2:-10000}
runs=${3:-3}
keys=$build/client-keys/oniondrop-keys
mk=$build/tests/od-mkbundle
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$keys" keygen --out "$work/a" --no-passphrase > /dev/null
awk -v n="$n" 'BEGIN {
	for (i = 0; i < n; i++) {
		print "report"
		print "field received 2026-11-" sprintf("%02d", i % 28 + 1)
		print "field language fr"
		print "field category csam"
		print "field seen_on website"
		print "field url http://example.com/page/" i % 700
		print "field url hxxp://site" i % 300 "[.]org/x"
		print "field description report " i " with a little text"
		print "end"
	}
}' | "$mk" "$work/b.bundle" "$work/a.pub" > /dev/null

rate() {  # rate SECONDS: reports per second
	echo "$n / $1" | bc -l | xargs printf '%.0f'
}
# One run into a new directory (never one just emptied: ext4 then scans
# the freed inodes, which a real case directory does not meet).
for r in $(seq "$runs"); do
	sync
	start=$(date +%s.%N)
	"$keys" decrypt --key "$work/a.sec" --out "$work/out$r" "$work/b.bundle" > /dev/null
	end=$(date +%s.%N)
	secs=$(echo "$end - $start" | bc -l)
	start=$(date +%s.%N)
	"$keys" decrypt --key "$work/a.sec" --out "$work/out$r" "$work/b.bundle" > /dev/null
	end=$(date +%s.%N)
	again=$(echo "$end - $start" | bc -l)
	printf 'run %d: %d reports in %.2f s, %s reports/s; again (already there): %.2f s\n' \
		"$r" "$n" "$secs" "$(rate "$secs")" "$again"
done
db=$work/out1/cases.db
printf 'case file: %s bytes; reports %s, urls %s, report_lines %s\n' \
	"$(stat -c %s "$db")" \
	"$(sqlite3 "$db" 'SELECT count(*) FROM reports')" \
	"$(sqlite3 "$db" 'SELECT count(*) FROM urls')" \
	"$(sqlite3 "$db" 'SELECT count(*) FROM report_lines')"
