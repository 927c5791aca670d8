#!/usr/bin/env bash
# daemon-limits: bad input and limits get the right status and a page, and
# the server takes a valid report right after each; a full store answers
# 503 and works again once its limit is raised; config mistakes are refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"
cd "$T"

make_analysts alice
write_config s alice "attachments = on" "max_attachment_size = 100K" "max_report_size = 1M"
start_daemon s
sock=$T/s.sock

still_works() {  # still_works WHAT: a valid report is taken right after WHAT
	local r
	r=$(python3 "$CLIENT" "$sock" submit --url "http://example.org/after-$1" --description "after $1" 2>/dev/null) || r=""
	check "... and a valid report is taken right after ($1)" test -n "$r"
}
raw() {  # raw BYTES-FILE: send raw bytes, print the status line's code
	socat -t 5 - "UNIX-CONNECT:$sock" < "$1" 2>/dev/null | head -1 | cut -d' ' -f2
}

head -c 2000000 /dev/zero > big.bin
get "$sock" /report page.html -F "urls=http://x.example/" -F "attachment=@big.bin"
check "body over max_report_size: 413" test "$HTTP_STATUS" = 413
check "... with a page" grep -qi "<html" page.html
still_works 413-body

head -c 150000 /dev/urandom > mid.bin
get "$sock" /report page.html -F "urls=http://x.example/" -F "attachment=@mid.bin"
check "attachment over max_attachment_size: 413 page" test "$HTTP_STATUS" = 413 -a -n "$(grep -i '<html' page.html)"
still_works 413-attachment

printf 'GARBAGE\r\n\r\n' > g.req
check "garbage request: 400" test "$(raw g.req)" = 400
still_works garbage

{ printf 'GET / HTTP/1.1\r\nHost: x\r\n'; for i in $(seq 200); do printf 'X-Flood-%d: %0100d\r\n' "$i" 0; done; printf '\r\n'; } > flood.req
check "header flood: 431" test "$(raw flood.req)" = 431
still_works flood

printf 'GET /%s HTTP/1.1\r\nHost: x\r\n\r\n' "$(printf 'a%.0s' $(seq 5000))" > long.req
check "request line too long: 414" test "$(raw long.req)" = 414

printf 'BREW / HTTP/1.1\r\nHost: x\r\n\r\n' > brew.req
check "unknown method: 405" test "$(raw brew.req)" = 405
still_works method

printf 'POST /report HTTP/1.1\r\nHost: x\r\n\r\n' > nolen.req
check "POST without Content-Length: 411" test "$(raw nolen.req)" = 411

get "$sock" /report page.html -H "Content-Type: multipart/form-data; boundary=XYZ" --data-binary $'--XYZ\r\nbroken'
check "invalid multipart: 400" test "$HTTP_STATUS" = 400
still_works multipart

printf 'urls=http%%3A%%2F%%2Fx.example%%2F&description=%%ff%%fe' > bad-utf8.body
get "$sock" /report page.html -H "Content-Type: application/x-www-form-urlencoded" --data-binary @bad-utf8.body
check "bad UTF-8: 400 with the form again" test "$HTTP_STATUS" = 400 -a -n "$(grep 'name="urls"' page.html)"
still_works utf8

get "$sock" /report page.html --data-urlencode "urls=<script>alert(1)</script>" --data-urlencode 'description="><script>x</script>'
check "a form with errors comes back 400, values kept, escaped" test "$HTTP_STATUS" = 400 -a -z "$(grep -F '<script>' page.html || true)" -a -n "$(grep -F '&lt;script&gt;' page.html)"

get "$sock" /nowhere page.html
check "unknown path: 404 page" test "$HTTP_STATUS" = 404 -a -n "$(grep -i '<html' page.html)"
stop_daemon

# A full store: tiny max_store_size gives 503; raising it makes it work again.
write_config full alice "attachments = on" "max_store_size = 1M" "max_report_size = 1M" "max_attachment_size = 1M"
start_daemon full
sock=$T/full.sock
small=$(python3 "$CLIENT" "$sock" submit --url http://x.example/small --description small)
check "full-store test: a small report first" test -n "$small"
head -c 900000 /dev/urandom > huge.bin
for i in 1 2 3; do
	python3 "$CLIENT" "$sock" submit --url "http://x.example/$i" --attach huge.bin > /dev/null 2>&1 || true
done
python3 "$CLIENT" "$sock" submit --url http://x.example/full2 --attach huge.bin > out.html 2>/dev/null || true
check "store full: 503 with a page" grep -qi "<html" out.html
before=$("$DAEMON" stats --config full.conf | sed -n 's/^reports: //p')
stop_daemon
sed -i 's/^max_store_size = .*/max_store_size = 64M/' full.conf
start_daemon full
r=$(python3 "$CLIENT" "$sock" submit --url http://x.example/big --attach huge.bin)
check "after raising max_store_size the big report is taken" test -n "$r"
check "... and nothing committed before was lost" test "$("$DAEMON" stats --config full.conf | sed -n 's/^reports: //p')" = $((before + 1))
stop_daemon

# Configurations the daemon must refuse.
write_config ip alice
sed -i "s|^socket = .*|socket = 127.0.0.1:8080|" ip.conf
run_status rc "$DAEMON" check-config --config ip.conf 2> err
check "an IP socket in the config is refused (exit $rc)" test "$rc" != 0 -a -n "$(grep -i 'filesystem path' err)"
run_status rc "$DAEMON" --config ip.conf 2> err
check "... and the daemon will not start with it" test "$rc" != 0
run_status rc "$DAEMON" check-config --config s.conf > ok.out
check "check-config on a good config: exit 0" test "$rc" = 0
