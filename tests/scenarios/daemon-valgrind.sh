#!/usr/bin/env bash
# daemon-valgrind: the daemon under valgrind through every kind of request
# (form, multipart report with a file, urlencoded report, status lookup,
# one with the analysts' message, follow-ups taken, sent back and refused,
# 404, a request it refuses, SIGTERM): no invalid access, no leak.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"
cd "$T"

make_analysts alice
"$KEYS" keygen --sign --out desk --no-passphrase > /dev/null
write_config s alice "attachments = on" "desk_key = $T/desk.pub"
# valgrind's own calls (time, executable mappings) are outside any seccomp
# filter of the daemon's, and it knows no Landlock call: a test build leaves
# those layers out on request.
if ! grep -q /compromise "$DAEMON"; then
	pass "# SKIP not a test build (meson -Dcompromise_route=true)"
	exit 0
fi
DAEMON_WRAPPER=(env ODTEST_SANDBOX_OMIT=seccomp,landlock valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,indirect
	--error-exitcode=9 "--log-file=$T/valgrind.log")
start_daemon s
sock=$T/s.sock
head -c 200000 /dev/urandom > f.bin
r=$(python3 "$CLIENT" "$sock" submit --url http://example.org/a --description "with a file" --attach f.bin)
check "a multipart report under valgrind" test -n "$r"
check "an urlencoded report under valgrind" test -n "$(python3 "$CLIENT" "$sock" submit --urlencoded --url http://example.org/b)"
python3 "$CLIENT" "$sock" status "$r" > /dev/null
# A message for the first report, asking for more: its page opens it.
"$DAEMON" export --config s.conf --out b.bundle > /dev/null
"$KEYS" decrypt --key alice.sec --out cases b.bundle > /dev/null
id=$(grep -l '"with a file"' cases/*/report.json | xargs dirname | xargs basename)
printf 'Where else? <b>x</b>' > m.txt
"$KEYS" outcome cases "$id" --status need-information --message-file m.txt > /dev/null
"$KEYS" outcomes cases --sign-key desk.sec --out o.odoc > /dev/null
"$DAEMON" import-outcomes --config s.conf o.odoc > /dev/null
get "$sock" /en/status msg.html --data-urlencode "receipt=$r"
check "the analysts' message opened under valgrind" grep -q 'id="message".*&lt;b&gt;x' msg.html
python3 "$CLIENT" "$sock" follow-up "$r" --description "more" > /dev/null 2>&1
python3 "$CLIENT" "$sock" follow-up "$r" --url "not a url" > /dev/null 2>&1 || true
tok=$(sed -n 's/.*name="token" value="\([^"]*\)".*/\1/p' msg.html | head -1)
get "$sock" /en/follow-up refused.html --form-string "token=$tok" \
	--form-string "receipt=aaaaa-bbbbb-ccccc-ddddd-eeeee" --form-string "description=x"
s=$HTTP_STATUS
get "$sock" /en/status listed.html --data-urlencode "receipt=$r"
check "follow-ups taken, sent back and refused ($s) under valgrind" \
	test "$s" = 400 -a "$(grep -c '<li><p>Added on' listed.html)" = 1
get "$sock" /nowhere page.html
printf 'GARBAGE\r\n\r\n' | socat -t 2 - "UNIX-CONNECT:$sock" > /dev/null || true
stop_daemon
check "SIGTERM: exit 0, no valgrind error (exit $STOP_STATUS)" test "$STOP_STATUS" = 0
check "... and valgrind ran and reports nothing" test -e valgrind.log -a ! -s valgrind.log
[ -s valgrind.log ] && sed 's/^/# /' valgrind.log | head -40
exit 0
