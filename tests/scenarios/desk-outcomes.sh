#!/usr/bin/env bash
# desk-outcomes: the desk's side of replies, without a server. Reports
# sealed by od-mkbundle carry reply keys made from known seeds (and one a
# follow-up of another, one from before replies, one with malformed
# fields). keygen --sign writes the desk's key files; decrypt records
# reply_key and follow_up_of (and drops malformed ones with a warning);
# outcome refuses an unknown report or status and every bad message;
# outcomes writes a file that verifies against the desk key (od-readoutcome,
# lib/outcome.c's reader), whose messages open only with their report's
# reply key, numbered 1, 2, ...; nothing queued, an existing FILE or a
# FILE.tmp left by a stopped run are refused with no file; --from-verdicts
# after assess queues the status the verdicts imply, once, and never over
# an analyst's queued outcome; show lists follow-ups and outcomes.
. "$(dirname "$0")/lib.sh"
cd "$T"
READ="$BUILD_ROOT/tests/od-readoutcome"

# --- keygen --sign ---------------------------------------------------------
printf 'desk passphrase\n' > pass
"$KEYS" keygen --sign --out desk --passphrase-file pass --cost interactive > desk.out
check "keygen --sign prints the public line, which is desk.pub" grep -qx "$(cat desk.pub)" desk.out
check "desk.sec is 144 bytes, mode 0600; desk.pub one line starting odsig1_, 0644" \
	test "$(stat -c %a:%s desk.sec)" = 600:144 -a "$(stat -c %a desk.pub)" = 644 -a \
	"$(wc -l < desk.pub)" = 1 -a "$(cut -c1-7 desk.pub)" = odsig1_
cp desk.sec desk.sec.orig
run_status rc "$KEYS" keygen --sign --out desk --no-passphrase 2> err
check "keygen --sign never overwrites (exit $rc)" \
	test "$rc" = 1 -a -n "$(grep 'already exists' err)" -a "$(cmp desk.sec desk.sec.orig && echo same)" = same
"$KEYS" keygen --out alice --no-passphrase > /dev/null
"$KEYS" keygen --sign --out other --no-passphrase > /dev/null

# --- reports: reply keys from known seeds ------------------------------------
s1=$(printf '11%.0s' $(seq 32)); s2=$(printf '22%.0s' $(seq 32)); s3=$(printf '33%.0s' $(seq 32))
k1=$("$READ" pk "$s1"); k2=$("$READ" pk "$s2"); k3=$("$READ" pk "$s3")
printf '%s\n' report 'field received 2026-11-01' "field reply_key $k1" \
	'field url http://a.example/x' 'field url http://b.example/y' 'field description A' end \
	report 'field received 2026-11-01' "field reply_key $k2" \
	'field url http://a.example/x' 'field description B' end \
	report 'field received 2026-11-01' 'field url http://c.example/z' 'field description old' end \
	report 'field received 2026-11-01' "field reply_key $k3" \
	'field url http://a.example/x' 'field url http://e.example/v' 'field description C' end \
	report 'field received 2026-11-01' "field reply_key $k2" \
	'field url http://a.example/x' 'field url http://e.example/v' 'field description D' end |
	"$MKBUNDLE" b1.bundle alice.pub > ids1
ra=$(sed -n 1p ids1 | cut -d' ' -f2); rb=$(sed -n 2p ids1 | cut -d' ' -f2)
rold=$(sed -n 3p ids1 | cut -d' ' -f2); rc_=$(sed -n 4p ids1 | cut -d' ' -f2)
rd=$(sed -n 5p ids1 | cut -d' ' -f2)
printf '%s\n' report 'field received 2026-11-02' "field reply_key $k1" "field follow_up_of $ra" \
	'field url http://d.example/w' 'field description follow-up of A' end \
	report 'field received 2026-11-02' 'field reply_key ZZ<script>' \
	"field follow_up_of ${ra^^}" 'field description hostile' end |
	"$MKBUNDLE" b2.bundle alice.pub > ids2
rf=$(sed -n 1p ids2 | cut -d' ' -f2); rh=$(sed -n 2p ids2 | cut -d' ' -f2)

run_status rc "$KEYS" decrypt --key desk.sec --out desk b1.bundle 2> err
check "decrypt --key desk.sec: refused as a signing key, before any passphrase (exit $rc)" \
	test "$rc" = 1 -a -n "$(grep 'this is a desk signing key, not an analyst key' err)" -a ! -e desk/cases.db
"$KEYS" decrypt --key alice.sec --out desk b1.bundle > /dev/null
run_status rc "$KEYS" decrypt --key alice.sec --out desk b2.bundle > /dev/null 2> err
q() { sqlite3 desk/cases.db "$@"; }
check "cases.db is schema version 3" test "$(q 'PRAGMA user_version')" = 3
check "report.json and cases.db: reply_key of a report" \
	test "$(q "SELECT reply_key FROM reports WHERE id = '$ra'")" = "$k1" -a \
	-n "$(grep -x "  \"reply_key\": \"$k1\"," "desk/$ra/report.json")"
check "a follow-up: follow_up_of in report.json and cases.db" \
	test "$(q "SELECT follow_up_of FROM reports WHERE id = '$rf'")" = "$ra" -a \
	-n "$(grep -x "  \"follow_up_of\": \"$ra\"," "desk/$rf/report.json")"
check "a report from before replies: no reply_key key, NULL in cases.db" \
	test -z "$(grep reply_key "desk/$rold/report.json")" -a \
	"$(q "SELECT count(*) FROM reports WHERE id = '$rold' AND reply_key IS NULL")" = 1
check "malformed reply_key and follow_up_of: the report is kept (exit $rc), both named on stderr" \
	test "$rc" = 0 -a -d "desk/$rh" -a "$(grep -c "report $rh: its \(reply_key\|follow_up_of\) is not in the daemon's form" err)" = 2
check "... not at report.json's top nor in cases.db, only under extra" python3 - "desk/$rh/report.json" "$ra" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
assert "reply_key" not in r and "follow_up_of" not in r, r
assert r["extra"] == {"reply_key": ["ZZ<script>"], "follow_up_of": [sys.argv[2].upper()]}, r["extra"]
EOF
check "... NULL in cases.db" test "$(q "SELECT count(*) FROM reports WHERE id = '$rh' AND reply_key IS NULL AND follow_up_of IS NULL")" = 1

# --- outcome: refusals ------------------------------------------------------
refused() {  # refused DESCRIPTION WANT-STATUS WANT-TEXT ARGS...
	local desc=$1 want=$2 text=$3 rc
	shift 3
	run_status rc "$KEYS" outcome desk "$@" > /dev/null 2> err
	check "outcome $desc: exit $want, '$text' (exit $rc: $(head -1 err))" \
		test "$rc" = "$want" -a -n "$(grep -F -- "$text" err)"
}
: > empty; printf ' \n\t\n' > blank
head -c 4001 /dev/zero | tr '\0' x > big; head -c 4000 /dev/zero | tr '\0' y > max
printf 'a\0b' > nul; printf 'caf\xe9' > latin1; printf '\xed\xa0\x80' > surrogate
refused "an unknown report" 1 "no report 'ffffffffffffffffffffffffffffffff'" ffffffffffffffffffffffffffffffff --status actioned
refused "an unknown status" 2 "in-review|actioned|not-illegal|already-known|unreachable|need-information" "$ra" --status done
refused "without --status" 2 "--status" "$ra"
refused "an empty message" 1 "is empty" "$ra" --status in-review --message-file empty
refused "a message of blanks" 1 "is empty" "$ra" --status in-review --message-file blank
refused "a message over 4000 bytes" 1 "over 4000 bytes" "$ra" --status in-review --message-file big
refused "a message with a NUL" 1 "NUL" "$ra" --status in-review --message-file nul
refused "a message in Latin-1" 1 "not UTF-8" "$ra" --status in-review --message-file latin1
refused "a message with a surrogate" 1 "not UTF-8" "$ra" --status in-review --message-file surrogate
refused "a message for a report from before replies" 1 "report $rold came before replies: a status only" \
	"$rold" --status in-review --message-file max
check "nothing was queued by any refusal" test "$(q 'SELECT count(*) FROM outcomes')" = 0

run_status rc "$KEYS" outcomes desk --sign-key desk.sec --passphrase-file pass --out o0.odoc > out 2> err
check "outcomes with nothing queued: exit 1, said, no file (exit $rc)" \
	test "$rc" = 1 -a -n "$(grep 'nothing queued' err)" -a ! -e o0.odoc -a ! -e o0.odoc.tmp

# --- outcome and outcomes ----------------------------------------------------
rlo=$'\xe2\x80\xae'
msg="مرحبا <b>A</b>: où l'avez-vous vu ? ${rlo}marker-7f3a"
printf '%s' "$msg" > msg
"$KEYS" outcome desk "$ra" --status in-review > /dev/null
run_status rc "$KEYS" outcome desk "$ra" --status need-information --message-file msg > out
check "outcome with a message: queued (exit $rc)" test "$rc" = 0 -a "$(cat out)" = "queued: $ra need-information with a message"
"$KEYS" outcome desk "$rb" --status in-review > /dev/null
"$KEYS" outcome desk "$rold" --status in-review > /dev/null
"$KEYS" outcome desk "$rc_" --status already-known --message-file max > /dev/null
check "a message of exactly 4000 bytes is taken" \
	test "$(q "SELECT length(message) FROM outcomes WHERE report_id = '$rc_'")" = 4000
run_status rc "$KEYS" outcomes desk --sign-key alice.sec --out o1.odoc 2> err
check "outcomes --sign-key alice.sec: refused as an analyst key, no file (exit $rc)" \
	test "$rc" = 1 -a -n "$(grep 'this is an analyst key, not a desk signing key' err)" -a ! -e o1.odoc
printf 'wrong\n' > wrong
run_status rc "$KEYS" outcomes desk --sign-key desk.sec --passphrase-file wrong --out o1.odoc 2> err
check "outcomes with a wrong passphrase: refused, no file (exit $rc)" \
	test "$rc" = 1 -a -n "$(grep 'wrong passphrase' err)" -a ! -e o1.odoc -a ! -e o1.odoc.tmp
run_status rc "$KEYS" outcomes desk --sign-key desk.sec --passphrase-file pass --out o1.odoc > out
check "outcomes: one file, 4 outcomes, sequence 1 (exit $rc)" \
	test "$rc" = 0 -a "$(cat out)" = $'outcomes: 4\nsequence: 1' -a -s o1.odoc -a ! -e o1.odoc.tmp
"$READ" read o1.odoc desk.pub "$s2" "$s3" "$s1" > o1.txt
check "the file verifies against desk.pub: sequence 1, 4 entries, made today" \
	test "$(sed -n 1,3p o1.txt | tr '\n' ' ')" = "sequence 1 day $(( $(date +%s) / 86400 )) count 4 "
hex() { od -An -v -tx1 "$1" | tr -d ' \n'; }
check "A: need-information (the later of its two), its message opened by seed 1's key only, byte for byte" \
	grep -qx "$ra need-information [0-9]* 2 $(hex msg)" o1.txt
check "C: the 4000-byte message opened by seed 3's key" grep -qx "$rc_ already-known [0-9]* 1 $(hex max)" o1.txt
check "B and the report from before replies: a status, no message" \
	test -n "$(grep -x "$rb in-review [0-9]* -" o1.txt)" -a -n "$(grep -x "$rold in-review [0-9]* -" o1.txt)"
"$READ" read o1.odoc desk.pub "$s2" "$s3" > o1-wrong.txt
check "A's message opens with no other report's reply key" grep -qx "$ra need-information [0-9]* ? -" o1-wrong.txt
check "the message is not readable in the file" test -z "$(grep -l marker-7f3a o1.odoc || true)"
run_status rc "$READ" read o1.odoc other.pub 2> err
check "against another desk key the file is refused (exit $rc: $(cat err))" test "$rc" = 1
check "cases.db: every outcome marked sent in file 1, outcome_sequence 1" \
	test "$(q 'SELECT count(*) FROM outcomes WHERE sent_sequence = 1')" = 5 -a \
	"$(q "SELECT value FROM meta WHERE key = 'outcome_sequence'")" = 1
run_status rc "$KEYS" outcomes desk --sign-key desk.sec --passphrase-file pass --out o2.odoc 2> err
check "all sent: outcomes again says nothing queued (exit $rc)" test "$rc" = 1 -a ! -e o2.odoc

"$KEYS" outcome desk "$rb" --status actioned > /dev/null
sum=$(sha256sum < o1.odoc)
run_status rc "$KEYS" outcomes desk --sign-key desk.sec --passphrase-file pass --out o1.odoc 2> err
check "--out an existing file: refused, not overwritten, still queued (exit $rc)" \
	test "$rc" = 1 -a -n "$(grep 'already exists' err)" -a "$(sha256sum < o1.odoc)" = "$sum" -a \
	"$(q 'SELECT count(*) FROM outcomes WHERE sent_sequence IS NULL')" = 1
head -c 100 /dev/urandom > o2.odoc.tmp
run_status rc "$KEYS" outcomes desk --sign-key desk.sec --passphrase-file pass --out o2.odoc 2> err
check "a FILE.tmp a stopped run left, not recorded: named, delete it, nothing done (exit $rc)" \
	test "$rc" = 1 -a -n "$(grep 'delete it' err)" -a ! -e o2.odoc -a \
	"$(q 'SELECT count(*) FROM outcomes WHERE sent_sequence IS NULL')" = 1
cp o1.odoc o2.odoc.tmp
run_status rc "$KEYS" outcomes desk --sign-key desk.sec --passphrase-file pass --out o2.odoc 2> err
check "a FILE.tmp recorded as sent (sequence 1): named, rename it (exit $rc)" \
	test "$rc" = 1 -a -n "$(grep 'sequence 1, recorded as sent.*rename' err)" -a ! -e o2.odoc
rm o2.odoc.tmp
run_status rc "$KEYS" outcomes desk --sign-key desk.sec --passphrase-file pass --out o2.odoc > out
"$READ" read o2.odoc desk.pub > o2.txt
check "the next file is sequence 2, with B actioned only (exit $rc)" \
	test "$rc" = 0 -a "$(cat out)" = $'outcomes: 1\nsequence: 2' -a \
	"$(sed -n '1p;3p;4p' o2.txt | tr '\n' ' ')" = "sequence 2 count 1 $rb actioned $(( $(date +%s) / 86400 )) - "

# --- --from-verdicts ---------------------------------------------------------
uid() { q "SELECT id FROM urls WHERE canonical = '$1'"; }
ux=$(uid http://a.example/x); uy=$(uid http://b.example/y); uw=$(uid http://d.example/w)
"$KEYS" assess desk "$ux" --verdict not-illegal > /dev/null
run_status rc "$KEYS" outcomes desk --sign-key desk.sec --passphrase-file pass --from-verdicts --out o3.odoc > out 2> err
check "a.example/x judged: 2 queued from the verdicts (exit $rc)" \
	test "$rc" = 0 -a "$(head -1 out)" = "queued from verdicts: 2"
"$READ" read o3.odoc desk.pub > o3.txt
check "... B (its one URL judged, newer than its outcome): not-illegal, over the analyst's actioned" \
	grep -q "^$rb not-illegal " o3.txt
check "... D (one of two URLs judged, no outcome yet): in-review" grep -q "^$rd in-review " o3.txt
check "... A and C (one of two URLs judged, outcomes already): nothing" \
	test "$(sed -n 3p o3.txt)" = "count 2"
"$KEYS" assess desk "$uy" --verdict off-remit > /dev/null
"$KEYS" assess desk "$uw" --verdict unreachable > /dev/null
"$KEYS" outcome desk "$rf" --status need-information --message-file msg > /dev/null
run_status rc "$KEYS" outcomes desk --sign-key desk.sec --passphrase-file pass --from-verdicts --out o4.odoc > out
"$READ" read o4.odoc desk.pub "$s1" > o4.txt
check "both of A's URLs judged (not-illegal, off-remit): A not-illegal (exit $rc)" \
	test "$rc" = 0 -a "$(grep "^$ra " o4.txt | cut -d' ' -f2)" = not-illegal
check "the follow-up's analyst outcome wins over its verdict (unreachable)" \
	grep -qx "$rf need-information [0-9]* 0 $(hex msg)" o4.txt
check "B (no newer verdict), C and D (still one URL unjudged): nothing" \
	test "$(head -1 out)" = "queued from verdicts: 1" -a "$(sed -n 3p o4.txt)" = "count 2"
"$KEYS" assess desk "$ux" --verdict actioned > /dev/null
run_status rc "$KEYS" outcomes desk --sign-key desk.sec --passphrase-file pass --from-verdicts --out o5.odoc > out
"$READ" read o5.odoc desk.pub > o5.txt
check "a later actioned verdict: A (actioned > not-illegal) and B actioned; the follow-up's verdict came before its outcome: nothing" \
	test "$rc" = 0 -a "$(sed -n '4,$p' o5.txt | cut -d' ' -f1-2 | sort | tr '\n' ' ')" = \
	"$(printf '%s\n' "$ra actioned" "$rb actioned" | sort | tr '\n' ' ')"
run_status rc "$KEYS" outcomes desk --sign-key desk.sec --passphrase-file pass --from-verdicts --out o6.odoc > out 2> err
check "--from-verdicts again: nothing new, nothing queued, no file (exit $rc)" \
	test "$rc" = 1 -a "$(head -1 out)" = "queued from verdicts: 0" -a ! -e o6.odoc
check "the sequence went 1..5, one number a file" test "$(q "SELECT value FROM meta WHERE key = 'outcome_sequence'")" = 5

# --- show --------------------------------------------------------------------
"$KEYS" show desk "$ra" > show-a.txt
check "show A: its follow-up listed with its day" grep -qx "  $rf  received 2026-11-02" show-a.txt
check "show A: its outcomes in order, queued and sent, the superseded one named" \
	test "$(sed -n '/^outcomes:/,$p' show-a.txt | grep -o '  \(in-review\|need-information\|not-illegal\|actioned\)  [a-z ,]*[0-9]*' | tr '\n' '|')" = \
	"  in-review  superseded in file 1|  need-information  sent in file 1|  not-illegal  sent in file 4|  actioned  sent in file 5|"
check "show A: the message shown, its RLO escaped" grep -qF "       مرحبا <b>A</b>: où l'avez-vous vu ? \\u{202E}marker-7f3a" show-a.txt
check "show A: no raw RLO reaches the terminal" bash -c "! grep -q $'\\xe2\\x80\\xae' show-a.txt"
"$KEYS" show desk "$rf" > show-f.txt
check "show of the follow-up: the report it follows up" grep -qx "follow-up of: $ra" show-f.txt
"$KEYS" show desk "$rold" > show-old.txt
check "show of a report from before replies: no reply key, no follow-ups" \
	test -z "$(grep 'reply key' show-old.txt)" -a "$(grep -A1 '^follow-ups:' show-old.txt | tail -1)" = "  (none)"
