#!/usr/bin/env bash
# desk-export: export, stats, search and purge-plaintext over a case file
# that decrypt filled from three bundles (made by od-mkbundle: five
# reports received on five days, Arabic and French text, the same address
# typed two ways, a formula-looking line, a report with no URL) and that
# assess gave verdicts at fixed times (faketime). The export is compared
# whole with tests/vectors/desk/ (report ids, random, replaced by R1..R5);
# each stats count is recomputed from the export; search finds Arabic and
# French without accents; purge-plaintext deletes exactly the attachments
# of the reports whose every URL was assessed long enough ago, follows no
# link, and its dry run deletes nothing.
. "$(dirname "$0")/lib.sh"
cd "$T"
VEC="$SOURCE_ROOT/tests/vectors/desk"

"$KEYS" keygen --out a --no-passphrase > /dev/null
ids=()
# bundle OUT SPEC: seal the spec's reports into OUT, remember their ids.
bundle() {
	local line
	while read -r line; do
		case $line in report\ *) set -- $line; ids+=("$2") ;; esac
	done < <("$MKBUNDLE" "$1" a.pub <<< "$2")
}
bundle b1.bundle "report
field received 2026-11-27
field language ar
field category csam
field url hxxp://example[.]com/a
field url =HYPERLINK(\"http://evil.example\",\"x\")
field description رأيت صورا في هذا الموقع
attach-random a.jpg 1000 1
attach-random b.png 2000 2
end
report
field received 2026-11-28
field language fr
field category csam
field url http://EXAMPLE.com/a#frag
field url http://مثال.example/
field description Une école en ligne, des élèves
attach-random c.jpg 3000 3
end"
bundle b2.bundle "report
field received 2026-11-29
field language en
field category other
field description nothing to see, \"quoted\"
attach-random d.bin 500 4
end"
bundle b3.bundle "report
field received 2026-11-30
field language fr
field category csam
field url http://other.example/x
field description -2+3 autre
attach-random e.jpg 700 5
end
report
field received 2026-12-01
field language en
field category csam
field url http://unassessed.example/
field description pas encore
attach-random f.jpg 800 6
end"
run_status rc "$KEYS" decrypt --key a.sec --out desk b1.bundle b2.bundle b3.bundle > /dev/null
check "three bundles decrypted into one case directory (exit $rc)" test "$rc" = 0 -a "${#ids[@]}" = 5

# names: report ids -> R1..R5 (by day received), for comparisons.
names() {
	local i args=()
	for i in 0 1 2 3 4; do args+=(-e "s/${ids[$i]}/R$((i + 1))/g"); done
	sed "${args[@]}"
}
q() { sqlite3 desk/cases.db "$@"; }
q2() { sqlite3 desk2/cases.db "$@"; }
uid() { q "SELECT id FROM urls WHERE canonical = '$1'"; }
ua=$(uid http://example.com/a)
uar=$(uid http://xn--mgbh0fb.example/)
uo=$(uid http://other.example/x)
check "the same address typed two ways is one URL" \
	test -n "$ua" -a -n "$uar" -a -n "$uo" -a "$(q 'SELECT count(*) FROM urls')" = 4
# faketime: libfaketime's first clock_gettime calls dlsym, which mallocs;
# under ASan that malloc can come from inside ASan's allocator, which reads
# the clock to decide when to give memory back: a deadlock, unless it never
# gives memory back. -f: the clock stays at TIME (without it, it starts
# there and runs, and a slow sanitizer run stamped a verdict a second late).
faked() {  # faked TIME COMMAND...
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}allocator_release_to_os_interval_ms=-1" \
		faketime -f "$1" "${@:2}"
}
at() { faked "$1" "$KEYS" "${@:2}"; }
at '2026-11-30 10:00:00' assess desk "$ua" --verdict actioned --severity A \
	--age-band 7-10 --sex girls --site-type image-host --hosting-country NL \
	--referred-to host --analyst alice > /dev/null
at '2026-11-30 10:05:00' assess desk "$uar" --verdict not-illegal \
	--site-type website --analyst alice --note 'نص, "ملاحظة"' > /dev/null
at '2026-11-30 11:00:00' assess desk "$ua" --verdict actioned --severity B \
	--self-generated --site-type forum --analyst bob > /dev/null
at '2026-12-03 10:00:00' assess desk "$uo" --verdict off-remit --analyst bob > /dev/null
check "four verdicts recorded" test "$(q 'SELECT count(*) FROM verdicts')" = 4

# export
run_status rc "$KEYS" export desk --format csv > raw.csv
names < raw.csv > got.csv
check "export csv (exit $rc) is the golden file, byte for byte (CRLF, quoting, ' before formulas)" \
	cmp got.csv "$VEC/export.csv"
"$KEYS" export desk --format json | names > got.jsonl
check "export json is the golden file" cmp got.jsonl "$VEC/export.jsonl"
check "no csv cell starts with = + - @ TAB or CR" python3 -c '
import csv, sys
for row in csv.reader(open(sys.argv[1], newline="", encoding="utf-8")):
    for cell in row:
        if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
            sys.exit("formula cell: %r" % cell)
' raw.csv
"$KEYS" export desk --format csv --since 2026-11-29 | names > since.csv
check "--since 2026-11-29: the header and the rows of R3, R4, R5" \
	test "$(cut -c1-2 since.csv | tr -d '\r' | tr '\n' ' ')" = "re R3 R4 R5 "
for bad in 2026-02-30 2026-1-01 26-11-29 2026-11-29x 2025-02-29; do
	run_status rc "$KEYS" export desk --format csv --since "$bad" > /dev/null 2> since.err
	check "--since $bad refused (exit $rc)" test "$rc" = 2
done
check "... with a message naming the form" grep -q 'YYYY-MM-DD' since.err
run_status rc "$KEYS" export desk --format xml > /dev/null 2>&1
check "--format xml refused (exit $rc)" test "$rc" = 2
run_status rc "$KEYS" export desk --format csv --since 2024-02-29 --out out.csv
check "--out: a new file (exit $rc), mode 0600, the same bytes as standard output" \
	test "$rc" = 0 -a "$(stat -c %a out.csv)" = 600 -a "$(names < out.csv | sha256sum)" = "$(sha256sum < got.csv)"
echo keep > keep.csv
run_status rc "$KEYS" export desk --format csv --out keep.csv 2> exists.err
check "--out an existing file: refused (exit $rc), file untouched, said why" \
	test "$rc" = 1 -a "$(cat keep.csv)" = keep
check "... 'already exists'" grep -q 'already exists' exists.err
ln -s keep.csv link.csv
run_status rc "$KEYS" export desk --format csv --out link.csv 2> /dev/null
check "--out a symbolic link: refused (exit $rc), its target untouched" \
	test "$rc" = 1 -a "$(cat keep.csv)" = keep

# stats: every count recomputed from the json export.
recount() {  # recount BY: what stats --by BY must print, from got.jsonl
	python3 - "$1" got.jsonl <<'EOF'
import json, sys
by, rows = sys.argv[1], [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
col = {"day": "received", "month": "received", "site-type": "site_type"}.get(by, by)
seen = {}
for r in rows:
    v = r[col] or None
    if v and by == "month":
        v = v[:7]
    seen.setdefault(v, set()).add(r["report_id"])
key = (lambda kv: (kv[0] is not None, kv[0] or "")) if by in ("day", "month") else \
      (lambda kv: (-len(kv[1]), kv[0] is not None, kv[0] or ""))
for v, reports in sorted(seen.items(), key=key):
    print("%s: %d" % (v if v is not None else "(none)", len(reports)))
print("total: %d" % len({r["report_id"] for r in rows}))
EOF
}
for by in day month verdict severity category language site-type host; do
	"$KEYS" stats desk --by "$by" > stats.$by
	check "stats --by $by: the counts of the export's rows, total 5" \
		test "$(cat stats.$by)" = "$(recount "$by")" -a "$(tail -n1 stats.$by)" = "total: 5"
done
check "stats --by verdict, whole" test "$(cat stats.verdict)" = "$(printf '%s\n' \
	'(none): 3' 'actioned: 2' 'not-illegal: 1' 'off-remit: 1' 'total: 5')"
check "stats with no --by is --by day" test "$("$KEYS" stats desk)" = "$(cat stats.day)"
run_status rc "$KEYS" stats desk --by week > /dev/null 2> by.err
check "stats --by week refused (exit $rc), the keys listed" \
	eval 'test "$rc" = 2 && grep -q site-type by.err'

# search
s() { "$KEYS" search desk "$1" 2> search.err | names; }
check "search finds Arabic" test "$(s 'صورا' | cut -c1-2)" = R1
check "... with the match marked in the snippet" grep -q '\[صورا\]' <(s 'صورا')
check "search ECOLE finds école (case and accents ignored)" test "$(s ECOLE | cut -c1-2)" = R2
check "search 'eleves en' needs both words" test "$(s 'eleves en' | cut -c1-2)" = R2
check "search finds the URL lines as typed" test "$(s 'example com' | cut -c1-2 | sort | tr '\n' ' ')" = "R1 R2 "
run_status rc "$KEYS" search desk '"a" OR NEAR( * ^col:' > syntax.out 2> syntax.err
check "FTS5 syntax in the text is text (exit $rc, no SQL error)" \
	eval 'test "$rc" = 0 -a ! -s syntax.out && grep -qx "no report matches" syntax.err'
run_status rc "$KEYS" search desk '   ' 2> /dev/null
check "a text with no word is refused (exit $rc)" test "$rc" = 2

# purge-plaintext, on 2026-12-10 09:00 with 7 days: R1 and R2 (every URL
# assessed on 11-30; R1's text line does not count) go; R3 (no URL), R4
# (assessed 12-03 10:00, after the cutoff) and R5 (unassessed) stay.
tree() { (cd desk && find . -path ./cases.db\* -prune -o -print0 | sort -z |
	xargs -0 stat -c '%n %s' && find . -type f ! -name 'cases.db*' -exec sha256sum {} + | sort); }
cp -a desk desk2
tree > tree.before
purge() { faked '2026-12-10 09:00:00' "$KEYS" purge-plaintext "$@"; }
run_status rc purge desk --assessed-older-than 7 > dry.out
names < dry.out > dry.named
check "dry run: exit $rc, lists R1 and R2 with their bytes" test "$rc" = 0 -a "$(cat dry.named)" = "$(printf '%s\n' \
	'would delete R1: 2 files, 3000 bytes' 'would delete R2: 1 files, 3000 bytes' \
	'would delete 3 files, 6000 bytes, of 2 reports (a dry run: --yes deletes them)' \
	'1 reports name no URL: purge-plaintext leaves them')"
check "... and deletes nothing" cmp tree.before <(tree)
check "... nor marks anything" test "$(q 'SELECT count(purged) FROM reports')" = 0
run_status rc purge desk --assessed-older-than 7 --yes > yes.out
check "--yes: exit $rc, the same reports deleted" \
	test "$rc" = 0 -a "$(names < yes.out | head -n2)" = "$(printf '%s\n' \
	'deleted R1: 2 files, 3000 bytes' 'deleted R2: 1 files, 3000 bytes')"
check "... R1's and R2's attachments directories are empty" \
	test -z "$(find "desk/${ids[0]}/attachments" "desk/${ids[1]}/attachments" -mindepth 1)"
check "... every other file is as it was" cmp <(grep -v -e "${ids[0]}/attachments/" \
	-e "${ids[1]}/attachments/" tree.before) <(tree)
check "... R1 and R2 marked purged that day, the others not" \
	test "$(q "SELECT group_concat(coalesce(purged, '-'), ' ') FROM (SELECT purged FROM reports ORDER BY received)")" = \
	"2026-12-10 2026-12-10 - - -"
check "... the attachments' rows (hashes) kept" test "$(q 'SELECT count(*) FROM attachments')" = 6
run_status rc "$KEYS" verify desk > /dev/null
check "... the verdict log intact (verify exit $rc)" test "$rc" = 0
check "... the export unchanged" cmp got.csv <("$KEYS" export desk --format csv | names)
run_status rc purge desk --assessed-older-than 7 --yes > again.out
check "purging again: nothing left to delete (exit $rc)" \
	eval 'test "$rc" = 0 && grep -qx "deleted 0 files, 0 bytes, of 0 reports" again.out'
run_status rc purge desk --assessed-older-than 6 > six.out
check "6 days: R4 is due too (assessed 12-03 10:00)" \
	test "$(names < six.out | head -n1)" = 'would delete R4: 1 files, 700 bytes'
for bad in '' -1 abc 7d 100001; do
	run_status rc purge desk --assessed-older-than "$bad" > /dev/null 2>&1
	check "--assessed-older-than '$bad' refused (exit $rc)" test "$rc" = 2
done

# links: R1's attachments directory swapped for a link to a directory
# outside; a link inside R2's attachments to a file outside.
mkdir outside
echo precious > outside/keep.txt
echo precious > outside2.txt
rm -rf "desk2/${ids[0]}/attachments"
ln -s "$T/outside" "desk2/${ids[0]}/attachments"
ln -s "$T/outside2.txt" "desk2/${ids[1]}/attachments/zz-link"
run_status rc purge desk2 --assessed-older-than 7 --yes > links.out 2> links.err
check "links: exit $rc (one report left alone)" test "$rc" = 1
check "... R1's link and the directory behind it untouched" \
	test -L "desk2/${ids[0]}/attachments" -a "$(cat outside/keep.txt)" = precious
check "... R1 named on stderr and not marked purged" \
	eval 'test "$(q2 "SELECT coalesce(purged, '"'-'"') FROM reports WHERE id = '"'${ids[0]}'"'")" = - &&
	grep -q "${ids[0]}/attachments" links.err'
check "... R2's link removed, not followed" \
	test ! -L "desk2/${ids[1]}/attachments/zz-link" -a "$(cat outside2.txt)" = precious
check "... R2 purged: 2 entries, its file's 3000 bytes" \
	eval 'test -z "$(ls -A "desk2/${ids[1]}/attachments")" &&
	grep -qx "deleted ${ids[1]}: 2 files, 3000 bytes" links.out'

# Hostile bytes from a bundle: control and escape sequences, a direction
# override, NUL, invalid UTF-8, a 64 KiB line. The exports stay valid
# (UTF-8 CSV that parses, JSON lines that parse); text output escapes.
printf 'http://evil.example/\033[31mred\n' > l1
printf 'http://x.example/\342\200\256gpj.exe\n' > l2
printf 'a\000b\n' > l3
printf '\377\376=cmd\n' > l4
{ printf 'http://long.example/'; head -c 65536 /dev/zero | tr '\0' a; } > l5
printf 'cat\033]0;title\007' > cat
printf 'danger \342\200\256 txt.exe zebra \033[2J' > desc
bundle b4.bundle "report
field received 2026-12-02
field-file category cat
field-file url l1
field-file url l2
field-file url l3
field-file url l4
field-file url l5
field-file description desc
end"
run_status rc "$KEYS" decrypt --key a.sec --out desk3 b4.bundle > /dev/null
check "a hostile report decrypted into its own case directory (exit $rc)" test "$rc" = 0
"$KEYS" export desk3 --format csv > hostile.csv
"$KEYS" export desk3 --format json > hostile.jsonl
check "its CSV: strict UTF-8, no NUL, 5 rows of 20 cells, no formula cell" python3 -c '
import csv, io, sys
data = open(sys.argv[1], "rb").read()
assert b"\0" not in data
rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
assert len(rows) == 6 and all(len(r) == 20 for r in rows), rows
assert not any(c[:1] in ("=", "+", "-", "@", "\t", "\r") for r in rows for c in r)
assert any(len(c) > 65536 for r in rows for c in r)
' hostile.csv
check "its JSON lines parse, the 64 KiB line whole" python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert len(rows) == 5 and any(len(r["url_as_typed"]) == 65556 for r in rows)
' hostile.jsonl
raw() { LC_ALL=C grep -c -P '[\x00-\x09\x0b-\x1f\x7f]|\xe2\x80\xae' "$@" || true; }
"$KEYS" stats desk3 --by category > hostile.stats
"$KEYS" search desk3 zebra > hostile.search
"$KEYS" stats desk3 --by host > hostile.hosts
check "stats and search write no control byte and no override" \
	test "$(raw hostile.stats hostile.search hostile.hosts | tr '\n' ' ')" = \
	"hostile.stats:0 hostile.search:0 hostile.hosts:0 "
check "... but show them escaped" \
	eval 'grep -qF "cat\\x1B]0;title\\x07: 1" hostile.stats &&
	grep -qF "\\u{202E}" hostile.search && grep -qF "\\x1B[2J" hostile.search'
