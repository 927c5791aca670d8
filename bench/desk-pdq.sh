#!/usr/bin/env bash
# bench/desk-pdq: the PDQ hash of decoded pixels (client-keys/pdq through
# tests/od-pdq), for a 12-megapixel image (4000x3000, an ImageMagick plasma)
# and for images of 512x512 and less, which are filtered at full size
# rather than resampled. Prints the fastest of RUNS hashes in milliseconds:
# the hash only, not reading the file nor decoding (the issue asks for a
# 12-megapixel JPEG decoded and hashed in under 100 ms).
#   bench/desk-pdq.sh [BUILD_DIR] [RUNS]
set -euo pipefail
build=${1:-build}
runs=${2:-20}
pdq=$build/tests/od-pdq
convert=/usr/bin/convert-im6.q16	# Debian's ImageMagick, by its own name
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for size in 4000x3000 1024x768 512x512 437x323; do
	"$convert" -size "$size" -seed 1 plasma:fractal -depth 8 "rgb:$work/px"
	best=$("$pdq" --repeat "$runs" ${size/x/ } "$work/px" 2>&1 > /dev/null)
	printf '%-10s %s ms\n' "$size" "${best#best }"
done
