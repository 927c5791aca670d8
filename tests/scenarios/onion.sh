#!/usr/bin/env bash
# onion: oniondrop-keys onion-address and onion-auth against a real tor.
#   1. tor (DisableNetwork 1) makes three onion services; onion-address on
#      each HiddenServiceDir and on each hs_ed25519_public_key must print
#      exactly tor's hostname; damaged key files give exit 1 and one line.
#   2. onion-auth writes key pairs; tor must load every .auth (service side)
#      and every .auth_private (client side) without a warning, while broken
#      copies of the same files do draw tor's warnings (so the check bites).
#   3. tor's own address validation (HSFETCH on a loopback control port) and
#      ours must agree on valid, mistyped and bad-key addresses.
# Output is TAP (a skip plan without tor); exit status 1 on any failure.
set -euo pipefail

keys=${BUILD_ROOT:?BUILD_ROOT is not set}/client-keys/oniondrop-keys
[ -x "$keys" ] || { echo "Bail out! $keys is not built"; exit 1; }
if ! command -v tor >/dev/null 2>&1; then
	echo "1..0 # SKIP tor is not installed"
	exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/oniondrop-onion.XXXXXX")
tor_pid=
cleanup() {
	if [ -n "$tor_pid" ]; then
		kill "$tor_pid" 2>/dev/null || true
		wait "$tor_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

count=0
failed=0
not() { ! "$@"; }
ok() {	# ok DESCRIPTION COMMAND...: one TAP line for COMMAND's status
	local desc=$1
	shift
	count=$((count + 1))
	if "$@"; then
		echo "ok $count - $desc"
	else
		echo "not ok $count - $desc"
		failed=$((failed + 1))
	fi
}

: >"$work/empty"
# run_tor NAME TORRC_LINES...: start tor, wait until it has finished starting
# (it has loaded every key and auth file by then), stop it. The log is
# $work/NAME.log, at info level because tor reports loaded auth files there.
run_tor() {
	local name=$1 i
	shift
	mkdir -p "$work/$name.data"
	chmod 700 "$work/$name.data"
	{
		echo "DataDirectory $work/$name.data"
		echo "SocksPort 0"
		echo "DisableNetwork 1"
		echo "Log info file $work/$name.log"
		printf '%s\n' "$@"
	} >"$work/$name.torrc"
	tor --defaults-torrc "$work/empty" -f "$work/$name.torrc" \
		--quiet >"$work/$name.out" 2>&1 &
	tor_pid=$!
	for i in $(seq 300); do
		grep -q 'Delaying directory fetches' "$work/$name.log" 2>/dev/null &&
			break
		if ! kill -0 "$tor_pid" 2>/dev/null; then
			echo "# tor $name exited early:"
			sed 's/^/#   /' "$work/$name.out" "$work/$name.log" 2>/dev/null || true
			break
		fi
		sleep 0.1
	done
	[ -z "${TOR_KEEP_RUNNING:-}" ] || return 0
	stop_tor
}

stop_tor() {
	kill "$tor_pid" 2>/dev/null || true
	wait "$tor_pid" 2>/dev/null || true
	tor_pid=
}

# tor warnings that have nothing to do with the files under test.
benign='running Tor as root|logging more than "notice"|No live consensus'
warnings() {	# warnings NAME: tor's [warn]/[err] lines, benign ones removed
	grep -E '\[(warn|err)\]' "$work/$1.log" | grep -Ev "$benign" || true
}

# --- 1. three services made by tor, their addresses -----------------------
services=(s1 s2 s3)
hs_lines=()
for s in "${services[@]}"; do
	mkdir -p "$work/$s"
	chmod 700 "$work/$s"
	hs_lines+=("HiddenServiceDir $work/$s" "HiddenServicePort 80 unix:$work/$s.sock")
done
run_tor gen "${hs_lines[@]}"
for s in "${services[@]}"; do
	ok "tor wrote $s/hostname and $s/hs_ed25519_public_key" \
		test -s "$work/$s/hostname" -a -s "$work/$s/hs_ed25519_public_key"
done

check_address() {	# check_address PATH HOSTNAME_FILE
	local got
	got=$("$keys" onion-address "$1") || return 1
	[ "$got" = "$(cat "$2")" ] || { echo "# $1: got $got, tor says $(cat "$2")"; return 1; }
}
for s in "${services[@]}"; do
	ok "onion-address $s (HS_DIR) equals tor's hostname" \
		check_address "$work/$s" "$work/$s/hostname"
	ok "onion-address $s/hs_ed25519_public_key equals tor's hostname" \
		check_address "$work/$s/hs_ed25519_public_key" "$work/$s/hostname"
done
addrs=()
for s in "${services[@]}"; do
	addrs+=("$(cat "$work/$s/hostname")")
done
ok "three distinct addresses" test "$(printf '%s\n' "${addrs[@]}" | sort -u | wc -l)" -eq 3

# expect_fail STATUS COMMAND...: COMMAND exits STATUS, prints nothing on
# stdout and exactly one line on stderr.
expect_fail() {
	local want=$1 rc=0
	shift
	"$@" >"$work/stdout" 2>"$work/stderr" || rc=$?
	if [ "$rc" -ne "$want" ] || [ -s "$work/stdout" ] ||
		[ "$(wc -l <"$work/stderr")" -ne 1 ]; then
		echo "# exit $rc (want $want); stderr:"
		sed 's/^/#   /' "$work/stderr"
		return 1
	fi
	echo "#   $(cat "$work/stderr")"
}
key=$work/s1/hs_ed25519_public_key
mkdir -p "$work/bad"
head -c 63 "$key" >"$work/bad/truncated"
{ cat "$key"; printf '\n'; } >"$work/bad/long"
{ printf 'X'; tail -c 63 "$key"; } >"$work/bad/tag"
{ head -c 32 "$key"; head -c 32 /dev/zero; } >"$work/bad/zero-key"
: >"$work/bad/empty"
ok "truncated key file: exit 1, one line" expect_fail 1 "$keys" onion-address "$work/bad/truncated"
ok "key file with a byte more: exit 1, one line" expect_fail 1 "$keys" onion-address "$work/bad/long"
ok "key file with a damaged tag: exit 1, one line" expect_fail 1 "$keys" onion-address "$work/bad/tag"
ok "key file holding no valid key: exit 1, one line" expect_fail 1 "$keys" onion-address "$work/bad/zero-key"
ok "empty key file: exit 1, one line" expect_fail 1 "$keys" onion-address "$work/bad/empty"
ok "the secret key file is refused: exit 1, one line" \
	expect_fail 1 "$keys" onion-address "$work/s1/hs_ed25519_secret_key"
ok "directory without a key: exit 1, one line" expect_fail 1 "$keys" onion-address "$work/bad"
ok "missing path: exit 1, one line" expect_fail 1 "$keys" onion-address "$work/nonexistent"
exits() {	# exits STATUS COMMAND...: COMMAND's exit status is STATUS
	local want=$1 rc=0
	shift
	"$@" >/dev/null 2>&1 || rc=$?
	[ "$rc" -eq "$want" ]
}
help_ok() {	# help_ok SUBCOMMAND: --help prints the usage on stdout, exit 0
	local out
	out=$("$keys" "$1" --help 2>/dev/null) || return 1
	[[ $out == "usage: oniondrop-keys $1"* ]]
}
ok "onion-address without argument: exit 2" exits 2 "$keys" onion-address
ok "onion-address with two arguments: exit 2" \
	exits 2 "$keys" onion-address "$work/s1" "$work/s2"
ok "onion-address --bogus: exit 2" exits 2 "$keys" onion-address --bogus
ok "onion-address --help: usage on stdout, exit 0" help_ok onion-address

# --- 2. client-authorization key pairs that tor accepts -------------------
mkdir -p "$work/pairs" "$work/client-auth"
chmod 700 "$work/client-auth"
# Each service gets its key pair a different way: HS_DIR, address with
# .onion, address without it in capitals.
upper=${addrs[2]%.onion}
onion_args=("$work/s1" "${addrs[1]}" "${upper^^}")
make_pair() {	# make_pair PREFIX SERVICE STDOUT_FILE
	"$keys" onion-auth --out "$1" --onion "$2" >"$3"
}
names_dirs() {	# names_dirs FILE: FILE tells where both files go
	grep -q authorized_clients/ "$1" && grep -q ClientOnionAuthDir "$1"
}
for i in 0 1 2; do
	ok "onion-auth for ${services[$i]} (--onion ${onion_args[$i]##*/})" \
		make_pair "$work/pairs/analyst$i" "${onion_args[$i]}" "$work/auth$i.out"
done
mode() { stat -c %a "$1"; }
ok ".auth is mode 644" test "$(mode "$work/pairs/analyst0.auth")" = 644
ok ".auth_private is mode 600" test "$(mode "$work/pairs/analyst0.auth_private")" = 600
ok "stdout names authorized_clients/ and ClientOnionAuthDir" names_dirs "$work/auth0.out"
for i in 0 1 2; do
	ok ".auth $i is one line descriptor:x25519:<52 base32>" \
		grep -qxE 'descriptor:x25519:[a-z2-7]{52}' "$work/pairs/analyst$i.auth"
	ok ".auth_private $i is <address of ${services[$i]}>:descriptor:x25519:<52 base32>" \
		grep -qxE "${addrs[$i]%.onion}:descriptor:x25519:[a-z2-7]{52}" \
		"$work/pairs/analyst$i.auth_private"
done
first_field() { cut -d: -f1 "$1"; }
for f in hostname hs_ed25519_public_key; do
	ok "--onion s1/$f gives s1's address" make_pair "$work/pairs/via-$f" \
		"$work/s1/$f" /dev/null
	ok "... in the .auth_private" \
		test "$(first_field "$work/pairs/via-$f.auth_private")" = "${addrs[0]%.onion}"
done
before=$(cat "$work/pairs/analyst0.auth" "$work/pairs/analyst0.auth_private" | cksum)
ok "an existing pair is never overwritten: exit 1, one line" \
	expect_fail 1 "$keys" onion-auth --out "$work/pairs/analyst0" --onion "$work/s1"
ok "... and the files are unchanged" \
	test "$before" = "$(cat "$work/pairs/analyst0.auth" "$work/pairs/analyst0.auth_private" | cksum)"
: >"$work/pairs/half.auth_private"
ok "if .auth_private cannot be created: exit 1" \
	expect_fail 1 "$keys" onion-auth --out "$work/pairs/half" --onion "${addrs[0]}"
ok "... and the .auth written first is removed again" test ! -e "$work/pairs/half.auth"
typo=${addrs[0]:0:10}$([ "${addrs[0]:10:1}" = a ] && echo b || echo a)${addrs[0]:11}
ok "--onion with a mistyped address: exit 1, one line" \
	expect_fail 1 "$keys" onion-auth --out "$work/pairs/typo" --onion "$typo"
ok "... and nothing is written" test ! -e "$work/pairs/typo.auth"
placeholder() {	# placeholder PREFIX: without --onion (optional in INTERFACE.md)
	"$keys" onion-auth --out "$1" >/dev/null 2>"$work/stderr" &&
	grep -q ONION-ADDRESS-WITHOUT-DOT-ONION "$work/stderr" &&
	grep -q '^ONION-ADDRESS-WITHOUT-DOT-ONION:descriptor:x25519:[a-z2-7]\{52\}$' "$1.auth_private" &&
	grep -q '^descriptor:x25519:[a-z2-7]\{52\}$' "$1.auth"
}
ok "without --onion: both files, a placeholder to replace, and a warning" placeholder "$work/pairs/none"
ok "onion-auth --help: usage on stdout, exit 0" help_ok onion-auth
ok "onion-auth --bogus: exit 2" exits 2 "$keys" onion-auth --bogus --out "$work/pairs/x"

for i in 0 1 2; do
	cp "$work/pairs/analyst$i.auth" "$work/${services[$i]}/authorized_clients/"
	cp "$work/pairs/analyst$i.auth_private" "$work/client-auth/"
done
run_tor accept "${hs_lines[@]}" "ClientOnionAuthDir $work/client-auth"
for i in 0 1 2; do
	ok "tor (service ${services[$i]}) loaded analyst$i.auth" \
		grep -q "Loaded a client authorization key file analyst$i.auth\.$" "$work/accept.log"
	ok "tor (client) loaded analyst$i.auth_private" \
		grep -q "Loaded a client authorization key file analyst$i.auth_private\.$" "$work/accept.log"
done
ok "tor logged no warning about them" test -z "$(warnings accept | tee /dev/stderr)"

# The same check on broken copies must fail, or it proves nothing.
pub=$(cat "$work/pairs/analyst0.auth")
priv=$(cat "$work/pairs/analyst0.auth_private")
echo "${pub%?}" >"$work/s1/authorized_clients/short.auth"
echo "${pub/x25519/curve25519}" >"$work/s2/authorized_clients/type.auth"
echo "${priv%?}" >"$work/client-auth/short.auth_private"
echo "${priv#*:}" >"$work/client-auth/noaddr.auth_private"
run_tor reject "${hs_lines[@]}" "ClientOnionAuthDir $work/client-auth"
w=$(warnings reject)
printf '%s\n' "$w" | sed 's/^/#   tor: /'
ok "tor warns about a public key one character short" \
	grep -q 'public key length is invalid' <<<"$w"
ok "tor warns about an unknown key type" grep -qi 'curve25519' <<<"$w"
ok "tor warns about a private key one character short" \
	grep -q 'private key length is invalid' <<<"$w"
ok "tor refuses an .auth_private without the address" \
	not grep -q "Loaded a client authorization key file noaddr.auth_private" "$work/reject.log"
ok "tor still loads the good files beside them" \
	test "$(grep -c 'Loaded a client authorization key file analyst' "$work/reject.log")" -eq 6

# --- 3. tor's address validation and ours agree ---------------------------
# HSFETCH answers 250 for an address tor considers valid, 513 otherwise.
mkdir -p "$work/ctl"
chmod 700 "$work/ctl"
TOR_KEEP_RUNNING=1 run_tor ctl "ControlPort 127.0.0.1:auto" \
	"ControlPortWriteToFile $work/ctl/port" "CookieAuthentication 1" \
	"CookieAuthFile $work/ctl/cookie"
port=$(sed -n 's/^PORT=127\.0\.0\.1://p' "$work/ctl/port")
cookie=$(od -An -tx1 -v "$work/ctl/cookie" | tr -d ' \n')
exec 3<>"/dev/tcp/127.0.0.1/$port"
tor_says() {	# tor_says ADDRESS: "valid" or "invalid", by tor
	local reply
	printf 'HSFETCH %s\r\n' "$1" >&3
	IFS= read -r reply <&3
	case $reply in 250*) echo valid ;; *) echo invalid ;; esac
}
we_say() {	# we_say ADDRESS: "valid" or "invalid", by oniondrop-keys
	rm -f "$work/pairs/probe.auth" "$work/pairs/probe.auth_private"
	if "$keys" onion-auth --out "$work/pairs/probe" --onion "$1" >/dev/null 2>&1; then
		echo valid
	else
		echo invalid
	fi
}
printf 'AUTHENTICATE %s\r\n' "$cookie" >&3
IFS= read -r reply <&3
ok "authenticated to tor's control port" test "${reply%$'\r'}" = "250 OK"
probes=()
for a in "${addrs[@]}"; do
	b=${a%.onion}
	probes+=("$b")
	for pos in 0 20 51 52 53 54 55; do	# 52-53 checksum, 55 version bits
		c=${b:$pos:1}
		[ "$c" = q ] && r=r || r=q
		probes+=("${b:0:$pos}$r${b:$((pos + 1))}")
	done
done
# From tor's test_hs_common.c: a key with a torsion component, a 0x42 key,
# a bad checksum; and RFC 8032's test 1 key.
probes+=(p3xnclpu4mu22dwaurjtsybyqk4xfjmcfz6z62yl24uwmhjatiwnlnad
	ijbeeqscijbeeqscijbeeqscijbeeqscijbeeqscijbeeqscijbezhid
	l5satjgud6gucryazcyvyvhuxhr74u6ygigiuyixe3a6ysis67ororad
	25njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenl5sid)
agree=0
valid=0
for p in "${probes[@]}"; do
	t=$(tor_says "$p")
	u=$(we_say "$p")
	[ "$t" = valid ] && valid=$((valid + 1))
	if [ "$t" = "$u" ]; then
		agree=$((agree + 1))
	else
		echo "# $p: tor says $t, oniondrop-keys says $u"
	fi
done
printf 'QUIT\r\n' >&3
exec 3>&-
stop_tor
ok "tor and oniondrop-keys agree on all ${#probes[@]} addresses ($valid valid)" \
	test "$agree" -eq "${#probes[@]}" -a "$valid" -eq 4

echo "1..$count"
[ "$failed" -eq 0 ]
