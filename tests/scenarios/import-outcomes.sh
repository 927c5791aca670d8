#!/usr/bin/env bash
# import-outcomes: oniondropd import-outcomes on the store of a running
# server. Outcome files are signed by od-mkoutcome with the fixed test desk
# key, their entries naming the reports decrypted from an export. A good
# file is imported; every bad one is refused with one line on stderr and
# changes nothing (stats and data.mdb byte for byte): no desk_key, another
# key, a forged signature, a flipped byte, a truncated, empty, garbage or
# oversized file, a replayed or older sequence, a link, a FIFO, a
# directory. An unknown report is named and the rest applied (exit 1).
# check-config reads desk_key. Run as root, it works as data_dir's owner.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"
cd "$T"
MKOUTCOME="$BUILD_ROOT/tests/od-mkoutcome"
today=$(($(date -u +%s) / 86400))

# entry ID STATUS [MESSAGE-LENGTH]: a spec line for od-mkoutcome, the entry
# as bytes (report id, status, day, length, message of 0x4d bytes).
entry() {
	local len=${3:-0}
	printf 'bytes %s%02x%08x%04x' "$1" "$2" "$today" "$len"
	[ "$len" -gt 0 ] && printf '4d%.0s' $(seq "$len")
	echo
}
# outcome FILE SEQ ENTRY-LINES...: a signed outcome file.
outcome() {
	local out=$1 seq=$2
	shift 2
	{ echo "file $seq $today $#"; printf '%s\n' "$@"; } | "$MKOUTCOME" "$out"
}
# odsig_line HEX-PK: the odsig1_ line of a public key (keys.c's checksum).
odsig_line() {
	python3 - "$1" <<-'EOF'
	import base64, hashlib, sys
	pk = bytes.fromhex(sys.argv[1])
	ck = hashlib.blake2b(pk, digest_size=4, key=b"odsig1ck").digest()
	print("odsig1_" + base64.b32encode(pk + ck).decode().lower().rstrip("="))
	EOF
}
import() {  # import CONF FILE: exit status in rc, out in imp.out, imp.err
	run_status rc "$DAEMON" import-outcomes --config "$1" "$2" > imp.out 2> imp.err
}
snap() { "$DAEMON" stats --config s.conf; sha256sum s.data/data.mdb; }
submit() { python3 "$CLIENT" "$T/s.sock" submit --url "$1" > /dev/null; }
# refused DESCRIPTION CONF FILE REASON: exit 1, REASON as the one line on
# stderr, nothing on stdout, the store unchanged.
refused() {
	import "$2" "$3"
	check "$1: refused (exit $rc)" test "$rc" = 1
	check "... one line: $(cat imp.err)" test "$(wc -l < imp.err)" = 1 -a ! -s imp.out
	check "... saying: $4" grep -qF -- "$4" imp.err
	check "... and nothing changed" cmp -s <(snap) before.snap
}

make_analysts alice
"$MKOUTCOME" --key desk
otherpk=$(head -c 32 /dev/urandom | xxd -p -c 64)
odsig_line "$otherpk" > other.pub
write_config s alice
{ cat s.conf; echo "desk_key = $T/desk.pub"; } > desk.conf
{ cat s.conf; echo "desk_key = $T/other.pub"; } > other.conf

# check-config reads desk_key.
run_status rc "$DAEMON" check-config --config desk.conf > cc.out 2> cc.err
check "check-config with the desk's key (exit $rc)" test "$rc" = 0 -a "$(cat cc.out)" = "desk.conf: ok (1 analyst key, a desk key)"
for bad in "analyst:$T/alice.pub:this is an analyst key, not a desk signing key" \
	"garbage:$T/garbage.pub:" "link:$T/link.pub:is a symbolic link" \
	"missing:$T/missing.pub:No such file" "directory:$T:not a regular file"; do
	IFS=: read -r name file reason <<< "$bad"
	[ "$name" = garbage ] && echo "odsig1_notakey" > garbage.pub
	[ "$name" = link ] && ln -s desk.pub link.pub
	{ cat s.conf; echo "desk_key = $file"; } > bad.conf
	run_status rc "$DAEMON" check-config --config bad.conf > /dev/null 2> cc.err
	check "check-config names a bad desk_key ($name, exit $rc): $(cat cc.err)" \
		test "$rc" = 1 -a -n "$(grep -F "desk_key $file" cc.err | grep -F -- "$reason")"
done

start_daemon s
for u in one two three; do submit "http://example.org/$u"; done
"$DAEMON" export --config s.conf --out b1.odb > /dev/null
"$KEYS" decrypt --key alice.sec --out out b1.odb > /dev/null
mapfile -t ids < <(reports_in out)
check "three reports exported and decrypted" test "${#ids[@]}" = 3

# A good file, while the server runs.
outcome good2.odoc 2 "$(entry "${ids[0]}" 2 60)" "$(entry "${ids[1]}" 6)"
import desk.conf good2.odoc
check "a good file is imported (exit $rc)" test "$rc" = 0 -a ! -s imp.err
check "... imported: 2, unknown: 0" test "$(cat imp.out)" = "$(printf 'imported: 2\nunknown: 0')"
check "... stats: 2 outcomes, sequence 2" test "$("$DAEMON" stats --config s.conf | grep -E '^outcome' | tr '\n' ' ')" = "outcomes: 2 outcome_sequence: 2 "
snap > before.snap

refused "desk_key unset" s.conf good2.odoc "desk_key is not set"
# good3.odoc would be imported: each refusal below is of it, altered.
outcome good3.odoc 3 "$(entry "${ids[2]}" 3)" "$(entry "${ids[0]}" 5 49)"
refused "a file signed by the desk, desk_key another key" other.conf good3.odoc \
	"signed by another key, not desk_key"
# The same file claiming other.pub's key as its signer: a forged signature.
{ head -c 8 good3.odoc; echo "$otherpk" | xxd -r -p; tail -c +41 good3.odoc; } > forged.odoc
refused "a file naming other.pub as signer, signed by the desk" other.conf forged.odoc \
	"bad signature: the outcome file was altered or truncated"
size=$(stat -c %s good3.odoc)
for at in 45 60 $((size - 70)) $((size - 1)); do
	cp good3.odoc flipped.odoc
	printf "\\x$(printf %02x $(( $(od -An -tu1 -j "$at" -N1 good3.odoc) ^ 1 )))" |
		dd of=flipped.odoc bs=1 seek="$at" conv=notrunc 2> /dev/null
	refused "a byte flipped at $at" desk.conf flipped.odoc "bad signature"
done
head -c -1 good3.odoc > truncated.odoc
refused "a file truncated by one byte" desk.conf truncated.odoc "bad signature"
head -c 50 good3.odoc > short.odoc
refused "a file cut in its header" desk.conf short.odoc "outcome file is truncated"
: > empty.odoc
refused "an empty file" desk.conf empty.odoc "not an outcome file"
head -c 5000 /dev/urandom > garbage.odoc
refused "garbage" desk.conf garbage.odoc "not an outcome file"
head -c $((16 * 1024 * 1024 + 1)) /dev/zero > big.odoc
refused "16 MiB + 1 bytes" desk.conf big.odoc "larger than 16777216 bytes"
refused "the same file again (a replay)" desk.conf good2.odoc \
	"sequence 2 is not newer than 2 already imported: a replay or an older file"
outcome old1.odoc 1 "$(entry "${ids[2]}" 3)"
refused "an older file" desk.conf old1.odoc "sequence 1 is not newer than 2"
ln -s good3.odoc link.odoc
refused "a symbolic link to a good file" desk.conf link.odoc "is a symbolic link: refused"
mkfifo fifo.odoc
run_status rc timeout 10 "$DAEMON" import-outcomes --config desk.conf fifo.odoc > /dev/null 2> imp.err
check "a FIFO: refused at once, not waited on (exit $rc)" test "$rc" = 1
check "... not a regular file" grep -q 'fifo.odoc: not a regular file' imp.err
refused "a directory" desk.conf "$T" "not a regular file"
run_status rc "$DAEMON" import-outcomes --config desk.conf > /dev/null 2> imp.err
check "no file named: a usage error (exit $rc)" test "$rc" = 2

# An unknown report: named, the others applied, exit 1.
unknown=0123456789abcdef0123456789abcdef
outcome mixed3.odoc 3 "$(entry "${ids[2]}" 4)" "$(entry "$unknown" 2)" "$(entry "${ids[0]}" 5)"
import desk.conf mixed3.odoc
check "a file naming an unknown report: exit $rc" test "$rc" = 1
check "... imported: 2, unknown: 1" test "$(cat imp.out)" = "$(printf 'imported: 2\nunknown: 1')"
check "... the unknown one named, alone: $(cat imp.err)" test "$(cat imp.err)" = "oniondropd: error: unknown report: $unknown"
check "... stats: 3 outcomes, sequence 3" test "$("$DAEMON" stats --config s.conf | grep -E '^outcome' | tr '\n' ' ')" = "outcomes: 3 outcome_sequence: 3 "

# The server took no harm: a report still commits, it stops cleanly.
check "a report after the imports" submit http://example.org/four
stop_daemon
check "the server stops cleanly (exit $STOP_STATUS)" test "$STOP_STATUS" = 0

# As root on a store of the daemon's user: the work is done as that user.
if [ "$(id -u)" = 0 ] && id nobody > /dev/null 2>&1; then
	chown -R "nobody:$(id -gn nobody)" s.data
	chmod 0711 "$T"
	outcome good4.odoc 4 "$(entry "${ids[1]}" 2)"
	import desk.conf good4.odoc
	check "as root: imported (exit $rc)" test "$rc" = 0 -a "$(head -1 imp.out)" = "imported: 1"
	check "... nothing in data_dir is root's" test -z "$(find s.data ! -user nobody -printf '%p ')"
fi
