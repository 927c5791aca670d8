#!/usr/bin/env bash
# daemon-report: the whole path of a report through the real daemon: form,
# submission (multipart with two attachments, and urlencoded), export while
# the server runs, decryption by each of two analysts; nothing readable is
# left on the server's disk; the daemon holds no IP socket.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"
cd "$T"

make_analysts alice bob
write_config s "alice bob" "attachments = on"
start_daemon s
sock=$T/s.sock
marker="MARKER$RANDOM$RANDOM"

get "$sock" /report form.html
page=$(cat form.html)
check "GET /report: 200" test "$HTTP_STATUS" = 200
check "... the form has the contract's fields" bash -c 'for f in urls category description attachment; do grep -q "name=\"$f\"" <<< "$1" || exit 1; done' _ "$page"
for h in "Cache-Control: no-store" "Referrer-Policy: no-referrer" "X-Content-Type-Options: nosniff" "Content-Security-Policy: default-src 'none'"; do
	check "... header $h" grep -qi "^$h" headers
done
check "... no Server header, no cookie" test -z "$(grep -iE '^(Server|Set-Cookie):' headers || true)"

head -c 300000 /dev/urandom > photo.bin
printf 'second file %s\n' "$marker" > notes.txt
printf 'Vu sur un forum %s — مرحبا\nligne 2' "$marker" > desc.txt
r1=$(python3 "$CLIENT" "$sock" submit --lang fr --url "http://example.org/$marker" \
	--url "http://abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz23.onion/x" \
	--description "$(cat desc.txt)" --category csam_images --attach photo.bin --attach notes.txt)
check "multipart report with two attachments: a receipt" test -n "$r1"
r2=$(python3 "$CLIENT" "$sock" submit --lang ar --urlencoded --url "https://example.com/$marker-2" --description "urlencoded $marker")
check "urlencoded report: a receipt" test -n "$r2"
token=$(grep -o 'name="token" value="[^"]*"' form.html | sed 's/.*value="//; s/"$//')
get "$sock" /en/report r3.html --data-urlencode "token=$token" --data-urlencode "urls=example.net/$marker-3" \
	--data-urlencode "urls=example.net/second-field" \
	--data-urlencode "category=a word we do not offer"
check "a client that posts the hidden inputs back (curl, urlencoded): 200" test "$HTTP_STATUS" = 200
check "... the receipt is in <code id=\"receipt\">, exactly" grep -qE '<code id="receipt">[a-z2-7]{5}(-[a-z2-7]{5}){4}</code>' r3.html
# 8 MB: more than the 2 MiB the loop queues for the store, so the store
# takes it before its commit, into an envelope file.
head -c 8000000 /dev/urandom > eight-mb.bin
"${CURL[@]}" -v --unix-socket "$sock" -H "Expect: 100-continue" -F "token=$token" \
	-F "urls=http://example.org/$marker-4" -F "attachment=@eight-mb.bin" -o r4.html http://x/report 2> r4.err
check "a client that expects 100-continue gets it, then its receipt" \
	test -n "$(grep '< HTTP/1.1 100 Continue' r4.err)" -a -n "$(grep -o 'id="receipt"' r4.html)"
# 300 pipelined GETs from a client that reads nothing for a while: the
# answers (1.5 MB) overflow the socket's buffer, so they are written as it
# drains, in order, none lost.
answers=$(python3 - "$sock" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(b"GET /report HTTP/1.1\r\nHost: x\r\n\r\n" * 300)
time.sleep(1)
s.settimeout(20)
data = b""
while data.count(b"</html>") < 300:
    chunk = s.recv(1 << 16)
    if not chunk:
        break
    data += chunk
print(data.count(b"HTTP/1.1 200 OK\r\n"), len(data))
PY
)
check "300 pipelined requests, read late: 300 answers ($answers bytes)" test "${answers%% *}" = 300
check "status of a fresh report: waiting" grep -qi . <<< "$(python3 "$CLIENT" "$sock" status "$r1")"
waiting=$(python3 "$CLIENT" "$sock" status "$r1")

"$DAEMON" export --config s.conf --out one.bundle > export.out
check "export while the server runs: 4 reports" grep -q "exported 4 " export.out
after=$(python3 "$CLIENT" "$sock" status "$r1")
check "status changes once exported" test "$waiting" != "$after"
unknown=$(python3 "$CLIENT" "$sock" status "aaaaa-bbbbb-ccccc-ddddd-eeeee")
bad=$(python3 "$CLIENT" "$sock" status "<script>")
check "a wrong receipt reads like an unknown one" test "$unknown" = "$bad"

"$KEYS" decrypt --key alice.sec --out out-alice one.bundle > /dev/null
"$KEYS" decrypt --key bob.sec --out out-bob one.bundle > /dev/null
check "both analysts decrypt all four reports, identically" test "$(reports_in out-alice | wc -l)" = 4 -a -z "$(diff -r -x cases.db out-alice out-bob)"
check "a category outside the form's options is kept as sent" grep -rqF '"category": "a word we do not offer"' out-alice
check "a field sent twice keeps both values (urls=a&urls=b)" grep -rqF "\"urls\": [\"example.net/$marker-3\", \"example.net/second-field\"]" out-alice
j=$(grep -l "\"http://example.org/$marker\"" out-alice/*/report.json)
check "fields come back as submitted" grep -qF "\"description\": \"Vu sur un forum $marker — مرحبا\\nligne 2\"" "$j"
check "... urls as an array" grep -qF "\"urls\": [\"http://example.org/$marker\", \"http://abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz23.onion/x\"]" "$j"
check "... language and category" grep -qF '"language": "fr"' "$j"
d=$(dirname "$j")
check "attachment bytes identical (sha256)" test "$(sha256sum < photo.bin)" = "$(sha256sum < "$d/attachments/photo.bin")" -a "$(sha256sum < notes.txt)" = "$(sha256sum < "$d/attachments/notes.txt")"
j4=$(grep -l "\"http://example.org/$marker-4\"" out-alice/*/report.json)
d4=$(dirname "$j4")
check "the 8 MB report is an envelope file (named by its id), and decrypts byte-identical" \
	test -f "s.data/envelopes/$(basename "$d4")" -a \
	"$(sha256sum < eight-mb.bin)" = "$(sha256sum < "$d4/attachments/eight-mb.bin")"
check "the report text and file bytes are absent from data_dir" test -z "$(grep -rl "$marker" s.data || true)"
check "... and from the bundle" test -z "$(grep -l "$marker" one.bundle || true)"
check "... and from the daemon's log" test -z "$(grep -l "$marker" s.log || true)"

check_unix_only

stop_daemon
check "SIGTERM: exit 0" test "$STOP_STATUS" = 0
check "... and the socket is removed" test ! -e "$sock"
