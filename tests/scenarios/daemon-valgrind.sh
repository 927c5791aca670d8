#!/usr/bin/env bash
# daemon-valgrind: the daemon under valgrind through every kind of request
# (form, multipart report with a file, urlencoded report, status lookup,
# 404, a request it refuses, SIGTERM): no invalid access, no leak.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"
cd "$T"

make_analysts alice
write_config s alice "attachments = on"
DAEMON_WRAPPER=(valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,indirect
	--error-exitcode=9 "--log-file=$T/valgrind.log")
start_daemon s
sock=$T/s.sock
head -c 200000 /dev/urandom > f.bin
r=$(python3 "$CLIENT" "$sock" submit --url http://example.org/a --description "with a file" --attach f.bin)
check "a multipart report under valgrind" test -n "$r"
check "an urlencoded report under valgrind" test -n "$(python3 "$CLIENT" "$sock" submit --urlencoded --url http://example.org/b)"
python3 "$CLIENT" "$sock" status "$r" > /dev/null
get "$sock" /nowhere page.html
printf 'GARBAGE\r\n\r\n' | socat -t 2 - "UNIX-CONNECT:$sock" > /dev/null || true
stop_daemon
check "SIGTERM: exit 0, no valgrind error (exit $STOP_STATUS)" test "$STOP_STATUS" = 0
check "... and valgrind ran and reports nothing" test -e valgrind.log -a ! -s valgrind.log
[ -s valgrind.log ] && sed 's/^/# /' valgrind.log | head -40
exit 0
