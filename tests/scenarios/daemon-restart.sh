#!/usr/bin/env bash
# daemon-restart: reports survive a restart; an upload killed mid-way (the
# daemon killed with SIGKILL) leaves nothing behind; the status page still
# finds a receipt; SIGHUP reloads the analyst keys; children that cannot
# start are restarted ever more slowly.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"
cd "$T"

count() { "$DAEMON" stats --config s.conf | sed -n "s/^$1: //p"; }
# Bytes of envelope files (large uploads go there as they arrive).
filebytes() { find s.data/envelopes -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }'; }

make_analysts alice bob
write_config s alice "attachments = on" "max_attachment_size = 512M" "max_report_size = 512M"
start_daemon s
sock=$T/s.sock
r1=$(python3 "$CLIENT" "$sock" submit --url http://example.org/one --description one)
r2=$(python3 "$CLIENT" "$sock" submit --url http://example.org/two --description two)
stop_daemon
check "SIGTERM: clean exit" test "$STOP_STATUS" = 0
start_daemon s
check "two reports survive a restart" test "$(count reports)" = 2
st=$(python3 "$CLIENT" "$sock" status "$r1")
check "the status page finds a receipt after restart" test "$st" != "$(python3 "$CLIENT" "$sock" status aaaaa-bbbbb-ccccc-ddddd-eeeee)"
committed_files=$(filebytes)

# A slow upload, and the daemon killed in the middle of it.
head -c 50000000 /dev/urandom > big.bin
get "$sock" /report form.html
page=$(cat form.html)
token=$(grep -o 'name="token"[^>]*value="[^"]*"' <<< "$page" | sed 's/.*value="//; s/"$//')
"${CURL[@]}" --unix-socket "$sock" --limit-rate 2M -o /dev/null -F "token=$token" \
	-F "urls=http://example.org/killed" -F "attachment=@big.bin" http://x/report 2>/dev/null &
upload=$!
sleep 3
check "mid-upload, pending ciphertext is in the store" test "$(filebytes)" -gt "$committed_files"
kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
wait "$upload" 2>/dev/null || true
start_daemon s
check "after the kill and a restart: still exactly 2 reports" test "$(count reports)" = 2
check "... and nothing of the killed upload is left" test "$(filebytes)" = "$committed_files" -a -z "$(ls s.data/envelopes | grep -v '^spare-')"

# A second server on the same store is refused (it would take the first
# one's uploads in progress for leftovers and delete them), and so is a
# second server on the same socket.
sed "s|^socket = .*|socket = $T/other.sock|" s.conf > other.conf
run_status rc "$DAEMON" --config other.conf 2> other.err
check "a second server on the same data_dir is refused (exit $rc)" test "$rc" != 0 -a -n "$(grep 'another oniondropd' other.err)"
write_config t alice
sed -i "s|^socket = .*|socket = $sock|" t.conf
run_status rc "$DAEMON" --config t.conf 2> t.err
check "a second server on the same socket is refused, the first keeps it" test "$rc" != 0 -a -S "$sock" -a -n "$(grep 'another server is listening' t.err)"
check "... and the first still answers" test -n "$(python3 "$CLIENT" "$sock" status "$r1")"

# SIGHUP: a second analyst key is picked up without a restart.
echo "analyst_key = $T/bob.pub" >> s.conf
kill -HUP "$DAEMON_PID"
sleep 0.5
r3=$(python3 "$CLIENT" "$sock" submit --url http://example.org/three --description three)
"$DAEMON" export --config s.conf --out b.bundle > /dev/null
"$KEYS" decrypt --key bob.sec --out out-bob b.bundle > /dev/null 2> bob.err || true
check "after SIGHUP the new analyst can read new reports" grep -rq '"description": "three"' out-bob
check "... but not the ones sealed before" test "$(reports_in out-bob | wc -l)" = 1

# A store that cannot open any more (data_dir is a file now): the
# supervisor restarts the children, waiting twice as long each time they
# fail to start, and serves again once the store can open.
before=$(grep -c 'restarting the store and network processes' s.log || true)
mv s.data s.data.away
: > s.data
kill -9 "$(daemon_child od-store)"
sleep 8
n=$(( $(grep -c 'restarting the store and network processes' s.log) - before ))
check "a store that cannot open: $n restarts in 8 s (waits of 1, 2, 4 s), not one a second" \
	test "$n" -ge 2 -a "$n" -le 5
rm s.data
mv s.data.away s.data
for _ in $(seq 1 40); do
	get "$sock" / back.html
	[ "$HTTP_STATUS" = 200 ] && break
	sleep 0.5
done
check "... and it serves again once the store can open ($HTTP_STATUS)" test "$HTTP_STATUS" = 200
stop_daemon
