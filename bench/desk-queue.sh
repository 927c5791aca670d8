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

. "$here/desk-lib.sh"
fill "$work/dir" "$reports" "$urls"

best "queue" "$keys" queue "$work/dir"
best "queue --format csv" "$keys" queue "$work/dir" --format csv
best "queue --format json" "$keys" queue "$work/dir" --format json
best "queue --all" "$keys" queue "$work/dir" --all
best "verify" "$keys" verify "$work/dir"
best "assess (one URL)" "$keys" assess "$work/dir" u0000000001 --verdict off-remit
