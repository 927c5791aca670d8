#!/usr/bin/env bash
# bench/chanbench: an upload's ciphertext from the network process to the
# store process, over the store channel (a socketpair) against through a
# descriptor the store would pass (SCM_RIGHTS), measured alone by
# bench/chanbench.c (compiled here): the channel alone (bytes dropped), then
# into a file through the page cache and with O_DIRECT (as the daemon's
# envelope files are), each with the kernel's default socket buffer and
# with BENCH_SOCKBUF (4 MiB). Not a test: it prints numbers.
#   bench/chanbench.sh [DIR]     (DIR: where the file goes; a new one in
#                                 /var/tmp by default, removed at the end)
# Environment: BENCH_BYTES (1000000000), BENCH_MSG (262144), BENCH_RUNS (3).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
bytes=${BENCH_BYTES:-1000000000}
msg=${BENCH_MSG:-262144}
runs=${BENCH_RUNS:-3}
sockbuf=${BENCH_SOCKBUF:-4194304}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dir=${1:-$work}
cc -std=c17 -O2 -D_GNU_SOURCE -Wall -Wextra -Werror -I"$src/lib" -o "$work/chanbench" \
	"$src/bench/chanbench.c" "$src/lib/fdio.c"
echo "$(nproc) CPU cores; load average $(cut -d ' ' -f 1-3 /proc/loadavg) at start"
for args in "-n" "-n -b $sockbuf" "" "-b $sockbuf" "-d" "-d -b $sockbuf"; do
	sync
	# shellcheck disable=SC2086 # the options are words
	"$work/chanbench" $args -s "$bytes" -m "$msg" -r "$runs" "$dir"
	echo
done
echo "load average $(cut -d ' ' -f 1-3 /proc/loadavg) at end"
