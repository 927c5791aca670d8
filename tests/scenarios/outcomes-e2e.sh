#!/usr/bin/env bash
# outcomes-e2e: the whole reply loop through the real daemon, in fr, ar and
# en. A report in each language -> export -> decrypt (reply_key recorded)
# -> an outcome with a message (markup and a marker word in it) -> one
# signed outcome file -> import-outcomes -> each status page shows the
# translated status and the message, escaped, dir="auto"; the marker is
# nowhere in data_dir. Then a follow-up through the status page's form,
# which keeps the receipt and decrypts with follow_up_of; show lists it.
# A replay of the same file, and a file signed by another key, change
# nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"
cd "$T"

make_analysts alice
"$KEYS" keygen --sign --out desk --no-passphrase > /dev/null
"$KEYS" keygen --sign --out other --no-passphrase > /dev/null
write_config s alice "desk_key = $T/desk.pub"
start_daemon s
sock=$T/s.sock
marker=M$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
q() { sqlite3 desk/cases.db "$@"; }
# status_page LANG RECEIPT OUT: the page a receipt leads to.
status_page() {
	get "$sock" "/$1/status" "$3" --data-urlencode "receipt=$2"
}
# inner ID OUT: the text inside the element with that id (one line).
inner() { python3 - "$1" "$2" <<'EOF'
import html, re, sys
page = open(sys.argv[2], encoding="utf-8").read()
m = re.search(r'<(\w+)\b[^>]*\bid="%s"[^>]*>(.*?)</\1>' % re.escape(sys.argv[1]), page, re.S)
print(" ".join(html.unescape(re.sub(r"<[^>]+>", " ", m.group(2))).split()) if m else "-")
EOF
}

declare -A receipt id
for lang in fr ar en; do
	receipt[$lang]=$(python3 "$CLIENT" "$sock" submit --lang "$lang" \
		--description "report-$lang $marker" --url "http://$lang.example/x")
done
"$DAEMON" export --config s.conf --out b1.bundle > /dev/null
"$KEYS" decrypt --key alice.sec --out desk b1.bundle > /dev/null
for lang in fr ar en; do
	id[$lang]=$(grep -l "report-$lang $marker" desk/*/report.json | xargs dirname | xargs basename)
done
check "three reports decrypted, each with a reply_key in report.json and cases.db" \
	test "$(q "SELECT count(*) FROM reports WHERE length(reply_key) = 64")" = 3 -a \
	"$(grep -l '"reply_key": *"[0-9a-f]\{64\}"' desk/*/report.json | wc -l)" = 3

msg_fr="Bonjour. Le lien ne répond plus : où l'avez-vous vu ? <b>gras</b> $marker-fr"
msg_ar="مرحبا. الرابط لا يعمل: أين رأيته؟ <i>x</i> $marker-ar"
msg_en="Hello. The link is dead: where else did you see it? <script>alert(1)</script> $marker-en"
printf '%s' "$msg_fr" > m.fr; printf '%s' "$msg_ar" > m.ar; printf '%s' "$msg_en" > m.en
for lang in fr ar en; do
	"$KEYS" outcome desk "${id[$lang]}" --status need-information --message-file "m.$lang" > /dev/null
done
run_status rc "$KEYS" outcomes desk --sign-key desk.sec --out o1.odoc > outcomes.out
check "outcomes: one signed file (exit $rc)" test "$rc" = 0 -a -s o1.odoc
check "... the message is not readable in the file" test -z "$(grep -l "$marker" o1.odoc || true)"

run_status rc "$DAEMON" import-outcomes --config s.conf o1.odoc > import.out 2>&1
check "import-outcomes: 3 imported (exit $rc: $(tr '\n' ' ' < import.out))" \
	test "$rc" = 0 -a "$(grep -c '^imported: 3$' import.out)" = 1

for lang in fr ar en; do
	status_page "$lang" "${receipt[$lang]}" "page.$lang"
	eval "want=\$msg_$lang"
	check "$lang status page: 200, the status element, not the English text in fr/ar" \
		test "$HTTP_STATUS" = 200 -a "$(inner status "page.$lang")" != "-"
	check "$lang status page: the message, as text, dir=auto" \
		test "$(inner message "page.$lang")" = "$want" -a \
		"$(grep -c 'id="message"[^>]*dir="auto"\|dir="auto"[^>]*id="message"' "page.$lang")" = 1
	check "$lang status page: markup shown as text, never as markup" \
		test -z "$(grep -e '<b>gras' -e '<script>alert' -e '<i>x</i>' "page.$lang" || true)"
	check "$lang status page: the follow-up form is offered (need-information)" \
		grep -q 'id="follow-up"' "page.$lang"
done
check "the three pages' status lines differ (translated)" \
	test "$(for l in fr ar en; do inner status "page.$l"; done | sort -u | wc -l)" = 3
check "after the import, the marker is nowhere in data_dir" \
	test -z "$(grep -rl "$marker" s.data || true)"

# Replays and forgeries change nothing.
cp -r s.data before.data
run_status rc "$DAEMON" import-outcomes --config s.conf o1.odoc > replay.out 2>&1
check "the same file again: refused (exit $rc: $(head -1 replay.out))" test "$rc" != 0
"$KEYS" outcome desk "${id[en]}" --status actioned > /dev/null
"$KEYS" outcomes desk --sign-key other.sec --out o2.odoc > /dev/null
run_status rc "$DAEMON" import-outcomes --config s.conf o2.odoc > other.out 2>&1
check "a file signed by another key: refused (exit $rc: $(head -1 other.out))" test "$rc" != 0
status_page en "${receipt[en]}" page.en2
check "... the status page is unchanged" test "$(inner message page.en2)" = "$msg_en"

# Follow-ups keep the receipt.
for lang in fr ar en; do
	run_status rc python3 "$CLIENT" "$sock" follow-up "${receipt[$lang]}" --lang "$lang" \
		--description "follow-$lang $marker" --url "http://$lang.example/elsewhere" > "fu.$lang" 2> /dev/null
	check "$lang follow-up: accepted (exit $rc), no new receipt" \
		test "$rc" = 0 -a -z "$(grep 'id="receipt"' "fu.$lang" || true)"
done
"$DAEMON" export --config s.conf --out b2.bundle > /dev/null
"$KEYS" decrypt --key alice.sec --out desk b2.bundle > /dev/null
for lang in fr ar en; do
	f=$(grep -l "follow-$lang $marker" desk/*/report.json | xargs dirname | xargs basename)
	check "$lang follow-up: decrypts with follow_up_of = the first report" \
		test "$(q "SELECT follow_up_of FROM reports WHERE id = '$f'")" = "${id[$lang]}" -a \
		"$(grep -c "\"follow_up_of\": *\"${id[$lang]}\"" "desk/$f/report.json")" = 1
	check "$lang follow-up: show lists it under the first report" \
		grep -q "$f" <("$KEYS" show desk "${id[$lang]}")
	status_page "$lang" "${receipt[$lang]}" "after.$lang"
	check "$lang status page lists the follow-up" grep -q 'id="follow-ups"' "after.$lang"
done

stop_daemon
check "the daemon stops cleanly (exit $STOP_STATUS)" test "$STOP_STATUS" = 0
check "nothing about the messages in the daemon's log" test -z "$(grep -l "$marker" s.log || true)"
