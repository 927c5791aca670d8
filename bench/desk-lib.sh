# bench/desk-lib: sourced by the desk's benchmarks (desk-queue, desk-stats).
# Needs $work (a scratch directory).

# best LABEL COMMAND...: the fastest of 3 runs, its output to $work/out.
best() {
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

# fill DIR REPORTS URLS: bench/desk-fill.sh into DIR, and what it made.
fill() {
	local start end
	start=$(date +%s.%N)
	"$here/desk-fill.sh" "$build" "$1" "$2" "$3"
	end=$(date +%s.%N)
	printf 'fill: %.1f s (%s reports, %s URLs, %s lines, %s verdicts)\n' \
		"$(echo "$end - $start" | bc -l)" \
		"$(sqlite3 "$1/cases.db" 'SELECT count(*) FROM reports')" \
		"$(sqlite3 "$1/cases.db" 'SELECT count(*) FROM urls')" \
		"$(sqlite3 "$1/cases.db" 'SELECT count(*) FROM report_lines')" \
		"$(sqlite3 "$1/cases.db" 'SELECT count(*) FROM verdicts')"
}
