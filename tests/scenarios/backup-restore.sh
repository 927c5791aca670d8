#!/usr/bin/env bash
# backup-restore: oniondropd backup while a flood of reports is being
# written (and large reports kept in envelope files), restored into a fresh
# data_dir, served, exported and decrypted: every report acknowledged
# before the backup began is there, the large attachments byte-identical.
# A damaged backup (a flipped byte in an envelope file, a missing file, an
# altered or missing MANIFEST, envelopes/ a link) is refused with one line and leaves data_dir
# empty; so are a non-empty data_dir and an existing --out. A file that is
# gone when the backup opens it (strace injecting ENOENT, as a purge after
# the snapshot would) makes it start again, and give up after three tries.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"
cd "$T"

count() { "$DAEMON" stats --config "$1" | sed -n "s/^$2: //p"; }

make_analysts alice
write_config s alice "attachments = on" "max_attachment_size = 64M" "max_report_size = 64M"
start_daemon s
sock=$T/s.sock
for i in 1 2 3; do
	head -c $((6000000 + i * 1000)) /dev/urandom > big$i.bin
	python3 "$CLIENT" "$sock" submit --url "http://example.org/big$i" --description "big $i" --attach big$i.bin > /dev/null
done
for i in 1 2 3 4 5; do
	python3 "$CLIENT" "$sock" submit --url "http://example.org/small$i" --description "small $i" > /dev/null
done
check "large reports are kept in envelope files" test "$(count s.conf envelope_files)" -ge 1

# A flood writes while the backup runs.
python3 "$CLIENT" "$sock" flood 3000 4 floodmark > flood.out 2>&1 &
flood=$!
sleep 1
before=$(count s.conf reports)
t0=$(date +%s%N)
run_status rc "$DAEMON" backup --config s.conf --out bk > bk.out 2> bk.err
t1=$(date +%s%N)
wait "$flood" || true
check "backup while the flood writes succeeds (exit $rc)" test "$rc" = 0
sed 's/^/# /' bk.out bk.err
echo "# backup: $(( (t1 - t0) / 1000000 )) ms, $(du -sb bk | cut -f1) bytes, $(sed -n 's/^reports //p' bk/MANIFEST) reports"
backed=$(sed -n 's/^reports //p' bk/MANIFEST)
after=$(count s.conf reports)
check "the backup holds every report acknowledged before it began ($before <= $backed)" test "$backed" -ge "$before"
check "... and the flood went on writing around it ($backed < $after)" test "$backed" -lt "$after"
check "backup directory is 0700, its files 0600" test "$(stat -c %a bk)" = 700 -a "$(stat -c %a bk/data.mdb bk/MANIFEST | sort -u)" = 600
check "the MANIFEST names every envelope file" test "$(grep -c '^file envelopes/' bk/MANIFEST)" = "$(ls bk/envelopes | wc -l)" -a "$(ls bk/envelopes | wc -l)" -ge 1
check "an existing --out is refused" bash -c "! '$DAEMON' backup --config s.conf --out bk 2> /dev/null"
stop_daemon

# Restore into a fresh data_dir, serve it, export, decrypt.
write_config r alice "attachments = on"
run_status rc "$DAEMON" restore --config r.conf --from bk > rs.out 2> rs.err
check "restore into an empty data_dir succeeds (exit $rc)" test "$rc" = 0
check "restored store and envelope files are 0600 in 0700 directories" test "$(stat -c %a r.data/data.mdb r.data/envelopes/* | sort -u)" = 600 -a "$(stat -c %a r.data/envelopes)" = 700
start_daemon r
check "the restored store has the backup's reports" test "$(count r.conf reports)" = "$backed"
"$DAEMON" export --config r.conf --out r.bundle > /dev/null
"$KEYS" decrypt --key alice.sec --out out r.bundle > /dev/null 2> dec.err || true
check "every restored report decrypts" test "$(reports_in out | wc -l)" = "$backed"
for i in 1 2 3; do
	sum=$(sha256sum < big$i.bin | cut -d' ' -f1)
	check "large report $i: its attachment byte-identical" bash -c "sha256sum out/*/attachments/* | grep -q '^$sum '"
done
check "the small reports are there" test "$(grep -l '"small ' out/*/report.json | wc -l)" = 5
stop_daemon
run_status rc "$DAEMON" restore --config r.conf --from bk 2> ne.err
check "restore into a data_dir that is not empty is refused" test "$rc" = 1 -a -n "$(grep 'not empty' ne.err)"

# damaged NAME WHAT MESSAGE: restoring bad copy NAME is refused with
# MESSAGE in one line, and the data_dir stays empty.
damaged() {
	local conf=$1.conf rc
	write_config "$1" alice
	run_status rc "$DAEMON" restore --config "$conf" --from "$1" 2> "$1.err"
	check "$2: refused (exit $rc): $(cat "$1.err")" test "$rc" = 1 -a "$(wc -l < "$1.err")" = 1 -a -n "$(grep -- "$3" "$1.err")"
	check "$2: data_dir left empty" test -z "$(ls -A "$1.data")"
}
f=$(ls bk/envelopes | head -1)
cp -a bk flip
python3 - "flip/envelopes/$f" <<-'PY'
	import sys
	p = sys.argv[1]
	b = bytearray(open(p, "rb").read())
	b[1000] ^= 0x01
	open(p, "wb").write(b)
PY
damaged flip "a flipped byte in an envelope file" "hash differs"
cp -a bk gone
rm "gone/envelopes/$f"
damaged gone "a missing envelope file" "damaged backup: envelopes/$f"
cp -a bk count
sed -i 's/^reports .*/reports 1/' count/MANIFEST
damaged count "a MANIFEST with another report count" "does not match"
cp -a bk dropped
sed -i "/envelopes\/$f/d" dropped/MANIFEST
damaged dropped "a MANIFEST without one envelope file" "file is missing"
cp -a bk hash
sed -i '4s/ \([0-9a-f]\)[0-9a-f]*$/ 00000000000000000000000000000000000000000000000000000000000000\1\1/' hash/MANIFEST
damaged hash "a MANIFEST with another hash of data.mdb" "hash differs"
cp -a bk linked
mv linked/envelopes linked/elsewhere
ln -s elsewhere linked/envelopes
damaged linked "envelopes/ a link" "damaged backup: linked/envelopes"
cp -a bk nomanifest
rm nomanifest/MANIFEST
damaged nomanifest "no MANIFEST (an unfinished backup)" "not a finished backup"

# A report's file gone when the backup comes to copy it (as when a purge
# removes it after the copy's snapshot; strace makes its open fail so): the
# backup starts again from a new snapshot, and gives up, saying so and
# leaving no --out, if it keeps happening.
if command -v strace > /dev/null; then
	# LeakSanitizer cannot run under ptrace (a sanitizer build).
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
	# -P NAME: the openat of that name relative to envelopes/.
	run_status rc strace -f -qq -o once.trace -P "$f" -e trace=openat -e inject=openat:error=ENOENT:when=1 \
		"$DAEMON" backup --config s.conf --out again > again.out 2> again.err
	check "a file gone once ($(grep -c INJECTED once.trace) open failed): the backup starts again and succeeds (exit $rc)" \
		test "$rc" = 0 -a "$(grep -c INJECTED once.trace)" = 1 -a "$(sed -n 's/^reports //p' again/MANIFEST)" = "$(count s.conf reports)" -a -f "again/envelopes/$f"
	run_status rc strace -f -qq -o /dev/null -P "$f" -e trace=openat -e inject=openat:error=ENOENT \
		"$DAEMON" backup --config s.conf --out never > never.out 2> never.err
	check "a file gone every time: refused after 3 tries, saying so: $(cat never.err)" test "$rc" = 1 -a -n "$(grep 'run it again' never.err)" -a ! -e never
fi
