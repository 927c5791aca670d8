#!/usr/bin/env bash
# bench/desk-match: matching attachments against hash lists (issue 15: one
# hash against 1,000,000 listed in under 1 ms). Makes a list of N random
# PDQ hashes (default 1,000,000) with grades, imports it into a new case
# directory with `hashlist import` (timed), then runs tests/od-match:
#   index: the multi-index hashing of client-keys/pdqindex alone, its build
#          time and memory, and QUERIES lookups (half near a listed hash,
#          0..40 bits flipped; half unrelated): median, p99, slowest;
#   case:  known_load of the case file (reading the list from SQLite) and
#          QUERIES known_match calls, each also looking up a random MD5,
#          SHA-1 and SHA-256 in SQLite.
#   bench/desk-match.sh [BUILD_DIR] [N] [QUERIES]
set -euo pipefail
build=${1:-build}
n=${2:-1000000}
queries=${3:-10000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$n" > "$work/pdq.txt" <<'PY'
import os, sys
n = int(sys.argv[1])
out = sys.stdout
for i in range(n):
    out.write(os.urandom(32).hex() + " " + "ABC"[i % 3] + "\n")
PY
mkdir "$work/desk"
start=$(date +%s.%N)
"$build/client-keys/oniondrop-keys" hashlist import "$work/desk" "$work/pdq.txt" \
	--name bench --format pdq > /dev/null
end=$(date +%s.%N)
echo "import $(echo "$end - $start" | bc) s ($(stat -c %s "$work/pdq.txt") bytes, $n lines)"
echo "case_file $(du -m "$work/desk/cases.db" | cut -f1) MiB"
echo "== index"
"$build/tests/od-match" index "$n" "$queries"
echo "== case"
"$build/tests/od-match" case "$work/desk" "$queries"
