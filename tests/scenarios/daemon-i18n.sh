#!/usr/bin/env bash
# daemon-i18n: what the real daemon serves in French, Arabic and English
# with the deployment's help contacts and attachments on: the contacts,
# escaped, after the emergency line and the safety advice; the Files hint
# that forbids sending abuse material, in each language; no number apart
# from its unit on a plain space. check-config refuses contacts that are
# too long, not UTF-8, or missing for an offered language.
. "$SOURCE_ROOT/tests/scenarios/lib.sh"
. "$SOURCE_ROOT/tests/scenarios/daemon-lib.sh"
cd "$T"
make_analysts alice

# refused CONF PATTERN DESCRIPTION: check-config fails on CONF, saying PATTERN.
refused() {
	local rc
	run_status rc "$DAEMON" check-config --config "$1" 2> err
	check "check-config refuses $3 (exit $rc): $(head -1 err)" \
		test "$rc" != 0 -a -n "$(grep -F -- "$2" err)"
}
write_config long alice "help_contacts.fr = $(printf 'x%.0s' $(seq 513))" \
	"help_contacts.ar = 19" "help_contacts.en = 19"
refused long.conf "line 4: help_contacts.fr: 513 bytes; at most 512" "513 bytes of help_contacts"
write_config utf alice "help_contacts.fr = 17" \
	"$(printf 'help_contacts.ar = \xd8\xa7\xd9')" "help_contacts.en = 19"
refused utf.conf "line 5: not valid UTF-8 at column 22" "help_contacts cut inside a character"
write_config part alice "help_contacts.fr = 17"
refused part.conf "help_contacts: not set for ar en" "help_contacts for one language of three"

write_config s alice "attachments = on" \
	"help_contacts.fr = Police : 19 <b>gras</b> & « 2511 »" \
	"help_contacts.ar = الشرطة: 19 <i>'2511'</i>" \
	"help_contacts.en = Police: 19 <script>alert(1)</script>"
run_status rc "$DAEMON" check-config --config s.conf > /dev/null
check "check-config accepts help_contacts in every language (exit $rc)" test "$rc" = 0
start_daemon s
for lang in fr ar en; do
	for page in "" safety report; do
		get "$T/s.sock" "/$lang/$page" "$lang-${page:-landing}.html"
		check "GET /$lang/$page: 200" test "$HTTP_STATUS" = 200
	done
done

python3 - "$T" > check.out <<'PY' || true
import html, re, sys
T = sys.argv[1]
contacts = {
    "fr": "Police : 19 <b>gras</b> & « 2511 »",
    "ar": "الشرطة: 19 <i>'2511'</i>",
    "en": "Police: 19 <script>alert(1)</script>",
}
never = {"fr": "Ne joignez jamais d’images ou de vidéos d’abus",
         "ar": "لا يجوز إرفاق صور أو مقاطع فيديو للاعتداء",
         "en": "Never attach images or videos of abuse"}
unit = re.compile(r"\d (?:\d|GB|MB|KB|bytes|characters|addresses|Go|Mo|Ko|"
                  r"octets|caractères|adresses|ans|غيغابايت|ميغابايت|كيلوبايت|بايت)")
def say(ok, desc):
    print(("ok - " if ok else "not ok - ") + desc)
for lang in ("fr", "ar", "en"):
    page = {p: open(f"{T}/{lang}-{p}.html", encoding="utf-8").read()
            for p in ("landing", "safety", "report")}
    esc = html.escape(contacts[lang], quote=True).replace("&#x27;", "&#39;")
    say(all(f"<p class=\"contacts\">" in page[p] and esc in page[p]
            for p in ("landing", "safety")),
        f"{lang}: the help contacts, escaped, on the home and safety pages")
    say(not any(t in p for p in page.values() for t in ("<b>", "<i>", "<script")),
        f"{lang}: no markup of the contacts is live")
    say(never[lang] in page["report"],
        f"{lang}: the Files hint says never to attach abuse material")
    bad = [m.group(0) for p in page.values() for m in unit.finditer(p)]
    say(not bad, f"{lang}: no number apart from its unit on a plain space {bad[:3]}")
PY
while IFS= read -r line; do
	case $line in
	"ok - "*) pass "${line#ok - }" ;;
	*) fail "${line#not ok - }" ;;
	esac
done < check.out
check "the page checks ran (4 per language)" test "$(wc -l < check.out)" = 12
stop_daemon
check "the daemon stops cleanly (exit 0)" test "$STOP_STATUS" = 0
