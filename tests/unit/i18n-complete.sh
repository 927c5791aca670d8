#!/bin/sh
# i18n-complete: every message marked N_() in daemon/*.c has a non-empty,
# non-fuzzy translation in po/fr.po, po/ar.po and po/en.po; the .po files
# pass msgfmt --check; po/oniondrop.pot lists exactly the messages in the
# sources; no .po file keeps a message the sources no longer use.
set -eu
cd "$SOURCE_ROOT"
n=0
fail=0
check() {  # check DESCRIPTION COMMAND...: "ok" if the command succeeds
	n=$((n + 1))
	desc=$1
	shift
	if out=$("$@" 2>&1); then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		echo "$out" | sed 's/^/# /'
		fail=1
	fi
}
if ! command -v xgettext >/dev/null || ! command -v msgcmp >/dev/null; then
	echo "1..0 # SKIP gettext is not installed"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
xgettext --keyword= --keyword=N_ --from-code=UTF-8 -o "$tmp/src.pot" \
    daemon/*.c
check "messages found in daemon/*.c" test -s "$tmp/src.pot"
check "po/oniondrop.pot has every message of the sources" \
    msgcmp --use-untranslated po/oniondrop.pot "$tmp/src.pot"
check "po/oniondrop.pot has no message the sources lost" \
    msgcmp --use-untranslated "$tmp/src.pot" po/oniondrop.pot
for lang in fr ar en; do
	po=po/$lang.po
	check "$po passes msgfmt --check" msgfmt --check -o /dev/null "$po"
	check "$po translates every message" msgcmp "$po" "$tmp/src.pot"
	check "$po has no stale message" \
	    msgcmp --use-untranslated "$tmp/src.pot" "$po"
done
echo "1..$n"
exit $fail
