#!/usr/bin/env bash
# daemon-status: the status page and follow-ups through the real daemon
# (issue 12), with curl on its socket. An unknown, a wrong and a malformed
# receipt draw one page, byte for byte, in each language; a report's page
# says it is waiting, with no message and, by default, no follow-up form;
# with follow_ups = always the form is there, a follow-up posted back from
# it is taken (200, no new receipt) and listed with its day, up to the cap;
# every refusal (not offered, unknown, malformed, cap) is the same 400
# page; a follow-up with bad fields comes back with its values, escaped;
# follow-ups count against the circuit's report limit; the analysts find
# reply_key in every report and follow_up_of in each follow-up.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"
cd "$T"

make_analysts alice
write_config s alice "attachments = on"
start_daemon s
sock=$T/s.sock
marker=M$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
today=$(date -u +%F)

# lookup LANG RECEIPT OUT: the status page a receipt leads to.
lookup() { get "$sock" "/$1/status" "$3" --data-urlencode "receipt=$2"; }
# follow_up LANG OUT NAME=VALUE...: POST /LANG/follow-up (multipart).
follow_up() {
	local lang=$1 out=$2 f args=()
	shift 2
	for f in "$@"; do args+=(--form-string "$f"); done
	get "$sock" "/$lang/follow-up" "$out" "${args[@]}"
}
# hidden NAME FILE: the value of the first hidden input NAME in FILE.
hidden() { sed -n "s/.*<input type=\"hidden\" name=\"$1\" value=\"\([^\"]*\)\".*/\1/p" "$2" | head -1; }
# same A B...: every file has A's bytes, once the token's value is blanked.
same() {
	local a=$1 f
	shift
	for f in "$@"; do
		cmp -s <(sed 's/name="token" value="[^"]*"/name="token"/' "$a") \
			<(sed 's/name="token" value="[^"]*"/name="token"/' "$f") || return 1
	done
}
# count PATTERN FILE: lines of FILE matching PATTERN.
count() { grep -c -- "$1" "$2" || true; }

get "$sock" /fr/report form.html
token=$(hidden token form.html)
r1=$(python3 "$CLIENT" "$sock" submit --lang fr --url "http://example.org/$marker" \
	--description "first $marker")
r2=$(python3 "$CLIENT" "$sock" submit --lang en --description "other $marker")
# r1 with its last letter changed: a receipt that was never issued, one
# letter away from a real one.
last=${r1: -1}
wrong=${r1%?}$([ "$last" = a ] && echo b || echo a)

get "$sock" /fr/status blank.html
check "GET /fr/status: the form, no status yet" \
	test "$HTTP_STATUS" = 200 -a "$(count 'id="status"' blank.html)" = 0

for lang in fr ar en; do
	lookup "$lang" "aaaaa-bbbbb-ccccc-ddddd-eeeee" "unknown.$lang"
	s1=$HTTP_STATUS
	lookup "$lang" "$wrong" "wrong.$lang"
	s2=$HTTP_STATUS
	lookup "$lang" "<script>alert(1)</script>" "bad.$lang"
	s3=$HTTP_STATUS
	check "$lang: unknown, wrong and malformed receipts: 200 ($s1 $s2 $s3), one page byte for byte" \
		eval 'test "$s1$s2$s3" = 200200200 && same "unknown.$lang" "wrong.$lang" "bad.$lang"'
	check "$lang: ... saying nothing was found, echoing no receipt and no markup" \
		eval 'grep -q "id=\"status\" class=\"status unknown\"" "bad.$lang" &&
		test -z "$(grep -e "<script>alert" -e "$wrong" -e "id=\"follow-up\"" "bad.$lang" "wrong.$lang")"'
done

lookup fr "$r1" r1.html
check "a report's status page: 200, waiting" \
	test "$HTTP_STATUS" = 200 -a "$(count 'id="status" class="status waiting"' r1.html)" = 1
check "... no message, no follow-ups, and (follow_ups = asked, nothing asked) no form" \
	test "$(grep -c -e 'id="message"' -e 'id="follow-ups"' -e 'id="follow-up"' r1.html)" = 0
lookup fr "$(tr a-z A-Z <<< "${r1//-/ }")" r1-typed.html
check "... the same page for the receipt typed in capitals, with spaces" same r1.html r1-typed.html

# Refusals: one page whatever the reason (here: not offered, unknown,
# malformed), never echoing the receipt.
fields=("token=$token" "urls=http://example.org/$marker-more" "description=more $marker")
follow_up fr no-offer.html "${fields[@]}" "receipt=$r1"
s1=$HTTP_STATUS
follow_up fr no-receipt.html "${fields[@]}" "receipt=$wrong"
s2=$HTTP_STATUS
follow_up fr no-form.html "${fields[@]}" "receipt=<b>x</b>"
s3=$HTTP_STATUS
check "follow-ups not offered, for a never-issued and a malformed receipt: 400 ($s1 $s2 $s3), one page" \
	eval 'test "$s1$s2$s3" = 400400400 && same no-offer.html no-receipt.html no-form.html'
check "... which echoes no receipt, gives none, and has no form" \
	test -z "$(grep -e "$r1" -e "$wrong" -e '<b>x' -e 'id="receipt"' -e 'id="follow-up"' no-offer.html no-form.html)"

# Bad fields: the follow-up form comes back with what was typed, escaped.
follow_up en bad-fields.html "token=$token" "receipt=\"><script>alert(2)</script>" \
	"urls=javascript:<script>alert(3)</script>" "description=<img src=x onerror=alert(4)>"
check "a follow-up with a bad address: 400, its own form again (posting to follow-up)" \
	test "$HTTP_STATUS" = 400 -a "$(count '<form id="follow-up" method="post" action="/en/follow-up"' bad-fields.html)" = 1
check "... the values kept, escaped, never as markup" \
	eval 'grep -q "&lt;img src=x onerror=alert(4)&gt;" bad-fields.html &&
	grep -q "value=\"&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;\"" bad-fields.html &&
	test -z "$(grep -e "<script>alert" -e "<img src" bad-fields.html)"'
get "$sock" /fr/follow-up get-fu.html
check "GET /fr/follow-up: the status page" \
	test "$HTTP_STATUS" = 200 -a "$(count 'action="/fr/status"' get-fu.html)" = 1
stop_daemon

# --- follow_ups = always -------------------------------------------------
write_config s alice "attachments = on" "follow_ups = always"
start_daemon s
lookup fr "$r1" offered.html
check "follow_ups = always: the status page has the follow-up form, posting to /fr/follow-up" \
	test "$(count '<form id="follow-up" method="post" action="/fr/follow-up"' offered.html)" = 1
check "... with the receipt and a token as hidden inputs" \
	test "$(hidden receipt offered.html)" = "$r1" -a -n "$(hidden token offered.html)"
follow_up fr fu1.html "token=$(hidden token offered.html)" "receipt=$(hidden receipt offered.html)" \
	"homepage=" "urls=http://example.org/$marker-elsewhere" "description=follow 1 $marker"
check "the follow-up posted back from the form: 200, no new receipt" \
	test "$HTTP_STATUS" = 200 -a "$(grep -c -e 'id="receipt"' -e "$r1" fu1.html)" = 0
lookup fr "$r1" listed.html
check "... listed on the status page with today's date ($today)" \
	eval 'test "$(sed -n "/<ul id=\"follow-ups\"/,/<\/ul>/p" listed.html | grep -c "<li>.*$today")" = 1'
follow_up fr unknown-always.html "${fields[@]}" "receipt=$wrong"
check "a follow-up for a never-issued receipt: 400, the same page as before" \
	eval 'test "$HTTP_STATUS" = 400 && same no-offer.html unknown-always.html'

n=1
for i in $(seq 2 12); do
	follow_up fr "fu$i.html" "${fields[@]}" "receipt=$r1"
	[ "$HTTP_STATUS" = 200 ] && n=$((n + 1))
done
check "follow-ups beyond the cap of 10 are refused ($n taken), with the same page" \
	eval 'test "$n" = 10 && test "$HTTP_STATUS" = 400 && same no-offer.html fu12.html fu11.html'
lookup fr "$r1" full.html
check "... the status page lists 10 and offers no more" \
	eval 'test "$(sed -n "/<ul id=\"follow-ups\"/,/<\/ul>/p" full.html | grep -c "<li>")" = 10 &&
	test "$(count "id=\"follow-up\"" full.html)" = 0'
stop_daemon

# --- what the analysts get ----------------------------------------------
"$DAEMON" export --config s.conf --out b.bundle > /dev/null
"$KEYS" decrypt --key alice.sec --out desk b.bundle > /dev/null
j1=$(grep -l "first $marker" desk/*/report.json)
id1=$(basename "$(dirname "$j1")")
key1=$(sed -n 's/.*"reply_key": *"\([0-9a-f]\{64\}\)".*/\1/p' "$j1")
j2=$(grep -l "other $marker" desk/*/report.json)
fus=$(grep -l "\"follow_up_of\": *\"$id1\"" desk/*/report.json | wc -l)
check "every report has a reply_key; another receipt's is another key" \
	test -n "$key1" -a "$(grep -c '"reply_key": *"[0-9a-f]\{64\}"' desk/*/report.json | grep -c ':1$')" = 12 \
	-a -z "$(grep -F "$key1" "$j2")"
check "the 10 follow-ups name the first report (follow_up_of) and carry its reply_key" \
	test "$fus" = 10 -a "$(grep -l "\"follow_up_of\": *\"$id1\"" desk/*/report.json | xargs grep -l "\"reply_key\": *\"$key1\"" | wc -l)" = 10

# --- the circuit's report limit ----------------------------------------
write_config c alice "proxy_protocol = on" "reports_per_circuit_per_hour = 1"
start_daemon c
# on_circuit N BODY: POST /en/follow-up over circuit N; prints the status.
on_circuit() {
	printf 'PROXY TCP6 fc00:dead:beef:4dad::0:%x ::1 %d 80\r\nPOST /en/follow-up HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
		"$1" "$1" "${#2}" "$2" | socat -t 5 - "UNIX-CONNECT:$T/c.sock" | head -1 | cut -d' ' -f2
}
tok=$(hidden token <("${CURL[@]}" --haproxy-protocol --unix-socket "$T/c.sock" http://x/en/report))
ok_fields="token=$tok&description=more&receipt=aaaaa-bbbbb-ccccc-ddddd-eeeee"
s1=$(on_circuit 7 "$ok_fields")
s2=$(on_circuit 7 "$ok_fields")
check "a refused follow-up counts against its circuit's report limit ($s1 then $s2)" \
	test "$s1 $s2" = "400 429"
s1=$(on_circuit 8 "token=$tok&receipt=x")
s2=$(on_circuit 8 "token=$tok&receipt=x")
s3=$(on_circuit 8 "$ok_fields")
check "... one sent back for its fields does not ($s1 $s2, then $s3)" \
	test "$s1 $s2 $s3" = "400 400 400"
stop_daemon
check "the daemon stops cleanly (exit $STOP_STATUS)" test "$STOP_STATUS" = 0
check "nothing of the reports in data_dir or the log" \
	test -z "$(grep -rl "$marker" s.data c.data s.log c.log 2>/dev/null || true)"
