#!/usr/bin/env bash
# keys-cli: oniondrop-keys keygen and its key files, as an analyst uses them.
. "$(dirname "$0")/lib.sh"
cd "$T"

printf 'correct horse battery staple\n' > pass
"$KEYS" keygen --out alice --passphrase-file pass --cost interactive > alice.out
check "keygen prints the public key line" grep -qx "$(cat alice.pub)" alice.out
check "PREFIX.sec is mode 0600" test "$(stat -c %a alice.sec)" = 600
check "PREFIX.pub is one line starting odpk1_" test "$(wc -l < alice.pub)" = 1 -a "$(cut -c1-6 alice.pub)" = odpk1_

run_status rc "$KEYS" keygen --out alice --no-passphrase 2> err
check "keygen never overwrites an existing key (exit $rc)" test "$rc" = 1
check "... and says so" grep -q "already exists" err
check "... and the old key is intact" cmp -s <(cat alice.pub) <(head -1 alice.out)

printf 'wrong\n' > wrong
"$MKBUNDLE" one.bundle alice.pub > /dev/null <<< $'report\nfield description hello\nend'
run_status rc "$KEYS" decrypt --key alice.sec --passphrase-file wrong --out out one.bundle 2> err
check "wrong passphrase: exit 1" test "$rc" = 1
check "wrong passphrase: a clear message" grep -q "wrong passphrase" err
check "wrong passphrase: nothing written" test ! -e out
"$KEYS" decrypt --key alice.sec --passphrase-file pass --out out one.bundle > /dev/null
check "right passphrase decrypts" grep -q '"description": "hello"' out/*/report.json
check "report.json is mode 0600" test "$(stat -c %a out/*/report.json)" = 600

run_status rc "$KEYS" decrypt --key alice.pub --out out2 one.bundle 2> err
check "a public key given as --key is named as such (exit $rc)" grep -q "public key" err

for cmd in keygen decrypt onion-address onion-auth; do
	run_status rc "$KEYS" "$cmd" --help > help
	check "$cmd --help exits 0 with a usage line" test "$rc" = 0 -a -n "$(grep -i usage help)"
done
run_status rc "$KEYS" frobnicate 2> err
check "unknown command: exit 2" test "$rc" = 2
run_status rc "$KEYS" keygen 2> err
check "keygen without --out: exit 2" test "$rc" = 2
run_status rc "$KEYS" keygen --out x --passphrase-file /nonexistent 2> err
check "unreadable passphrase file: exit 1 and a message" test "$rc" = 1 -a -n "$(grep nonexistent err)"
check "... and no key left behind" test ! -e x.sec -a ! -e x.pub

# On a terminal: the passphrase is asked twice, without echo; decrypt shows
# progress for a large bundle. script(1) gives the tool a pseudo-terminal;
# each answer waits for its prompt (typed-ahead input is discarded, as it
# should be when echo is turned off).
answers() { local a; for a in "$@"; do sleep 1; printf '%s\n' "$a"; done; sleep 1; }
answers 'typed secret' 'typed secret' | script -qec "$KEYS keygen --out tty --cost interactive" /dev/null > tty.out
check "keygen on a terminal asks twice" test "$(grep -c 'Passphrase' tty.out)" = 2
check "... without echoing it" test -z "$(grep 'typed secret' tty.out || true)"
"$MKBUNDLE" tty.bundle tty.pub > /dev/null <<< $'report\nattach-random big.bin 40000000 3\nend'
answers 'typed secret' | script -qec "$KEYS decrypt --key tty.sec --out tty-out tty.bundle" /dev/null > progress.out
check "decrypt on a terminal: the typed passphrase opens the key" test "$(reports_in tty-out | wc -l)" = 1
check "... and it shows progress for a large bundle" grep -q '100%' progress.out
answers 'one' 'another' | script -qec "$KEYS keygen --out mismatch" /dev/null > mismatch.out || true
check "two different passphrases: refused, no key written" test ! -e mismatch.sec -a -n "$(grep -i differ mismatch.out)"

# Not dumpable (no core, no ptrace or /proc/PID/mem by the analyst's other
# programs): the kernel then gives /proc/PID/* to root. The tool runs as an
# ordinary user (nobody, when the suite runs as root), held open on a FIFO.
pd=$(mktemp -d "${TMPDIR:-/tmp}/oniondrop-dump.XXXXXX")
cleanup_hooks+=("rm -rf '$pd'")
chmod 0711 "$pd"
mkfifo -m 0666 "$pd/key"
as_user=()
[ "$(id -u)" = 0 ] && as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
"${as_user[@]}" "$KEYS" decrypt --key "$pd/key" --out "$pd/out" x.bundle 2> /dev/null &
kpid=$!
for _ in $(seq 100); do	# until setpriv (itself not dumpable) has run the tool
	exe=$(readlink "/proc/$kpid/exe" 2> /dev/null) || break	# not ours to read
	[ "$exe" = "$(readlink -f "$KEYS")" ] && break
	sleep 0.05
done
sleep 0.2	# past main's first lines
owner=$(stat -c %u "/proc/$kpid/status" 2> /dev/null || echo "none: it had exited")
: > "$pd/key"	# the open FIFO ends: the tool exits
wait "$kpid" || true
check "the tool is not dumpable: /proc/PID/status belongs to root (uid $owner)" test "$owner" = 0
