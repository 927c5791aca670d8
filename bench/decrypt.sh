#!/usr/bin/env bash
# bench/decrypt: oniondrop-keys decrypt throughput on a 1 GB bundle (one
# report with a 1 GB attachment, sealed to one analyst), in MB/s, and the
# tool's peak memory. Not a test: it prints numbers.
#   bench/decrypt.sh [BUILD_DIR] [BYTES]
set -euo pipefail
build=${1:-build}
bytes=${2:-1000000000}
keys=$build/client-keys/oniondrop-keys
mk=$build/tests/od-mkbundle
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$keys" keygen --out "$work/a" --no-passphrase > /dev/null
printf 'report\nfield description bench\nattach-random big.bin %s 1\nend\n' "$bytes" |
	"$mk" "$work/b.bundle" "$work/a.pub" > /dev/null
size=$(stat -c %s "$work/b.bundle")
sync
start=$(date +%s.%N)
/usr/bin/time -f '%M' -o "$work/rss" "$keys" decrypt --key "$work/a.sec" --out "$work/out" "$work/b.bundle" > /dev/null
end=$(date +%s.%N)
secs=$(echo "$end - $start" | bc -l)
printf 'bundle: %d bytes\ndecrypt: %.2f s, %.0f MB/s\npeak RSS: %d KiB\n' \
	"$size" "$secs" "$(echo "$size / 1000000 / $secs" | bc -l)" "$(cat "$work/rss")"
