#!/usr/bin/env bash
# desk-view: the contact sheet of a case directory (oniondrop-keys view).
# Reports from od-mkbundle carry ImageMagick images (colour photographs of
# plasma, a fine checkerboard, a JPEG), one image later put on hash lists
# and a JPEG copy of it, a truncated PNG, a video, a PDF, a zip, random
# bytes, and names chosen to attack the page: markup and a right-to-left
# override (which decrypt's safe names already defuse), and one put
# straight into the case file with markup, quotes, a control character
# and U+202E. The sheet must hold no script and forbid any on every page;
# every thumbnail must be one grey channel and blurred (its mean absolute
# Laplacian far below the original's reduced to the same size); names
# appear only as text; known images (on lists imported after decrypt, by
# SHA-256 or by the PDQ hash of the JPEG copy, and a copy withheld at
# decrypt) show their list and no picture, anywhere; other files get a
# box naming their kind; each page links the original, percent-encoded,
# and the link leads to it. HTML-DIR must be new or empty, never a link,
# and is made 0700.
. "$(dirname "$0")/lib.sh"
cd "$T"
IM=/usr/bin/convert-im6.q16
CHECK="python3 $SOURCE_ROOT/tests/scenarios/sheetcheck.py"

"$KEYS" keygen --out a --no-passphrase > /dev/null
$IM -size 320x240 -seed 5 plasma:fractal photo.png
$IM -size 240x180 -seed 9 plasma:fractal -quality 92 photo.jpg
$IM -size 200x200 pattern:checkerboard -scale 200% check.gif
$IM -size 300x200 -seed 7 plasma:fractal listed.png
$IM -size 96x64 -seed 2 plasma:fractal hostile.png
$IM listed.png -quality 50 listed-q50.jpg
$IM listed.png -quality 60 again.jpg
head -c 600 photo.png > truncated.png
{ printf '\0\0\0\x18ftypisom\0\0\0\0isommp41'; head -c 3000 /dev/zero; } > clip.mp4
printf '%%PDF-1.4\n%% a document\n' > doc.pdf
printf 'PK\3\4rest of an archive' > files.zip
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
printf '%s\n' report 'field url http://a.example/1' \
	'attach photo.png photo.png' 'attach photo.jpg photo.jpg' \
	'attach check.gif check.gif' 'attach listed.png listed.png' \
	'attach listed-q50.jpg listed-q50.jpg' \
	"attach-hex $(hex '<img src=x onerror=alert(1)>.png') hostile.png" \
	"attach-hex $(hex $'\u202egnp.exe') hostile.png" end \
	report 'field url http://b.example/2' 'attach truncated.png truncated.png' \
	'attach clip.mp4 clip.mp4' 'attach doc.pdf doc.pdf' \
	'attach files.zip files.zip' 'attach-random noise.bin 4000 3' \
	'attach gone.png hostile.png' 'attach renamed.png hostile.png' end |
	"$MKBUNDLE" b.bundle a.pub > /dev/null
"$KEYS" decrypt --key a.sec --out desk b.bundle > /dev/null
q() { sqlite3 desk/cases.db "$@"; }
ra=$(q "SELECT report_id FROM attachments WHERE name = 'photo.png'")
rb=$(q "SELECT report_id FROM attachments WHERE name = 'clip.mp4'")
# A name no decrypt writes (a file name holds no '/'), put in the case
# file and on disk by hand.
evil=$'<script>alert(1)<b>&"\'\x1b\u202e.png'
mv "desk/$rb/attachments/renamed.png" "desk/$rb/attachments/$evil"
python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE attachments SET name = ? WHERE name = ?", (sys.argv[2], "renamed.png"))
db.commit()' desk/cases.db "$evil"
rm "desk/$rb/attachments/gone.png"
# Lists imported after that decrypt: listed.png's SHA-256, and its PDQ hash
# (as decrypt recorded it), which its JPEG copy is near.
listed_sha=$(sha256sum < listed.png | cut -d' ' -f1)
printf '%s A\n' "$listed_sha" > list.txt
"$KEYS" hashlist import desk list.txt --name iwf --format sha256 > /dev/null
printf '%s B\n' "$(q "SELECT pdq FROM attachments WHERE name = 'listed.png'")" > pdq.txt
"$KEYS" hashlist import desk pdq.txt --name partner --format pdq > /dev/null
# A later bundle decrypted with --withhold-known: another JPEG copy,
# known at decrypt by its PDQ hash, never written.
printf '%s\n' report 'field url http://c.example/3' 'attach again.jpg again.jpg' end |
	"$MKBUNDLE" c.bundle a.pub > /dev/null
"$KEYS" decrypt --key a.sec --out desk --withhold-known c.bundle > /dev/null
rc3=$(q "SELECT report_id FROM attachments WHERE name = 'again.jpg'")

run_status rc "$KEYS" view desk --out sheet > out 2> err
check "view: exit 0 ($rc), the count said" test "$rc" = 0 -a "$(cat out)" = \
	"sheet/index.html: 15 attachments of 3 reports: 6 previews, 3 known (not shown), 6 placeholders"
check "... nothing on stderr" test ! -s err
check "... HTML-DIR made 0700" test "$(stat -c %a sheet)" = 700
pages=$(ls sheet/*.html | wc -l)
check "... index.html and 15 pages" test "$pages" = 16

# --- no script, a policy on every page ------------------------------------------
check "no '<script' anywhere in HTML-DIR (any case)" test -z "$(grep -rli '<script' sheet)"
check "no 'javascript:', no event handler attribute" test -z \
	"$(grep -rliE 'javascript:|<[^>]* on[a-z]+=' sheet --include '*.html')"
csp="<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src 'self'; style-src 'self'; base-uri 'none'; form-action 'none'\">"
check "every page carries the policy (default-src 'none': no script)" test \
	"$(grep -lF "$csp" sheet/*.html | wc -l)" = "$pages"
check "... before anything it governs (the first element after charset)" test \
	"$(for p in sheet/*.html; do sed -n 5p "$p"; done | sort -u)" = "$csp"
check "no inline style, no script-src anywhere" test -z \
	"$(grep -lE 'style=|<style|script-src' sheet/*.html)"

# --- thumbnails: grey, blurred -----------------------------------------------------
# n of the card whose name is NAME (as the sheet writes it).
card() { grep -oE "href=\"a[0-9]+\.html\">.*|<p class=\"name\">[^<]*" sheet/index.html |
	awk -v want="<p class=\"name\">$1" '/^href/ { n = $0; sub(/^href="a/, "", n); sub(/\..*/, "", n) }
	$0 == want { print n; exit }'; }
ls sheet/thumbs > thumbs.txt
check "6 thumbnails (photo.png, photo.jpg, check.gif, the three hostile names')" test "$(wc -l < thumbs.txt)" = 6
for n in $(sed 's/\.png$//' thumbs.txt); do
	info=$($CHECK info "sheet/thumbs/$n.png")
	orig=$($CHECK link "sheet/a$n.html")
	set -- $info
	check "thumbnail $n: 8-bit, one grey channel ($info)" test "$3" = 0 -a "$4" = 8 -a "$5" = 1
	check "... at most 160 px ($1x$2)" test "$1" -le 160 -a "$2" -le 160
	$IM "$orig" -colorspace gray -resize "$1x$2!" -depth 8 "ref$n.pgm"
	mine=$($CHECK lap "sheet/thumbs/$n.png")
	ref=$($CHECK lap "ref$n.pgm")
	echo "# thumbnail $n: mean |Laplacian| $mine, its original at the same size $ref"
	check "... blurred: high-frequency energy $mine, under a fifth of the original's $ref" \
		python3 -c "import sys; sys.exit(not float('$mine') * 5 < float('$ref'))"
	large=$($CHECK info "sheet/large/$n.png")
	check "... its page's picture: 3 times larger, grey ($large)" test "$large" = "$(($1 * 3)) $(($2 * 3)) 0 8 1"
	check "... and no sharper: $($CHECK lap "sheet/large/$n.png") under $mine" python3 -c \
		"import sys; sys.exit(not float('$($CHECK lap "sheet/large/$n.png")') <= float('$mine'))"
done
n=$(card check.gif)
check "the checkerboard (edges everywhere) blurs to near-flat grey: energy $($CHECK lap "sheet/thumbs/$n.png") < 1" \
	python3 -c "import sys; sys.exit(not float('$($CHECK lap "sheet/thumbs/$n.png")') < 1)"

# --- names: text, never markup ---------------------------------------------------------
check "the markup name, made safe by decrypt, is text" grep -qF \
	'<p class="name">_img src=x onerror=alert(1)_.png</p>' sheet/index.html
check "the override dropped by decrypt: 'gnp.exe' as typed" grep -qF '<p class="name">gnp.exe</p>' sheet/index.html
check "no U+202E byte sequence in any page" test -z "$(grep -l $'\u202e' sheet/*.html)"
check "the case file's own hostile name escaped, its control and override shown" grep -qF \
	'<p class="name">&lt;script&gt;alert(1)&lt;b&gt;&amp;&quot;&#39;\x1B\u{202E}.png</p>' sheet/index.html
n=$(grep -lF '&lt;script&gt;alert(1)' sheet/a*.html | head -1)
check "... its page links the original, percent-encoded" grep -qF \
	'href="../desk/'"$rb"'/attachments/%3Cscript%3Ealert%281%29%3Cb%3E%26%22%27%1B%E2%80%AE.png"' "$n"
check "... and the link leads to that file" test "$($CHECK link "$n")" = "$T/desk/$rb/attachments/$evil"

# --- known media: no picture anywhere ------------------------------------------------
n=$(card listed.png)
check "listed.png: its card says 'known: iwf', grade A, and has no picture" grep -qF \
	"<li class=\"card\"><a class=\"pic known\" href=\"a$n.html\"><span class=\"list\">known: iwf</span><span>grade A</span></a>" sheet/index.html
check "... no thumbnail and no large file for it" test ! -e "sheet/thumbs/$n.png" -a ! -e "sheet/large/$n.png"
check "... its page: the banner, matched by sha256, no <img" sh -c \
	"grep -qF 'matched by sha256. Not shown.' sheet/a$n.html && ! grep -q '<img' sheet/a$n.html"
check "... the link to the original is still there, behind the warning" test \
	"$($CHECK link "sheet/a$n.html")" = "$T/desk/$ra/attachments/listed.png"
n=$(card listed-q50.jpg)
check "its JPEG copy, decrypted before the lists: known by view's own PDQ lookup" sh -c \
	"grep -qF 'href=\"a$n.html\"><span class=\"list\">known: partner</span><span>grade B</span></a>' sheet/index.html &&
	grep -qE 'matched by PDQ, [0-9]+ bits apart. Not shown.' sheet/a$n.html"
check "... no thumbnail, no large file, no <img on its page" test ! -e "sheet/thumbs/$n.png" -a \
	! -e "sheet/large/$n.png" -a -z "$(grep '<img' sheet/a$n.html)"
n=$(card again.jpg)
check "the copy withheld at decrypt: known as decrypt recorded it, no link (no file)" sh -c \
	"grep -qF 'href=\"a$n.html\"><span class=\"list\">known: partner</span>' sheet/index.html &&
	grep -qF 'matched by decrypt. Not shown.' sheet/a$n.html && test \"\$($CHECK link sheet/a$n.html)\" = none"
check "... never written: not in the case directory" test ! -e "desk/$rc3/attachments/again.jpg"

# --- placeholders ---------------------------------------------------------------
for pair in clip.mp4:video doc.pdf:PDF files.zip:archive noise.bin:file truncated.png:image; do
	n=$(card "${pair%%:*}")
	check "${pair%%:*}: a box saying '${pair#*:}'" grep -qF \
		"href=\"a$n.html\"><span class=\"box\">${pair#*:}</span></a>" sheet/index.html
done
n=$(card truncated.png)
check "... the truncated PNG's page says the decoder refused it" grep -q 'the decoder refused it' "sheet/a$n.html"
n=$(card gone.png)
check "a file gone from the case directory: a box of its recorded kind, no link, said why" sh -c \
	"grep -qF 'href=\"a$n.html\"><span class=\"box\">image</span>' sheet/index.html &&
	grep -q 'not in the case directory' sheet/a$n.html && test \"\$($CHECK link sheet/a$n.html)\" = none"

# --- a page per image --------------------------------------------------------------------
n=$(card photo.png)
check "photo.png's card links its page with the thumbnail" grep -qE \
	"<a class=\"pic\" href=\"a$n.html\"><img src=\"thumbs/$n.png\" width=\"160\" height=\"120\"" sheet/index.html
check "... the page shows the enlarged preview" grep -qF "<img src=\"large/$n.png\" width=\"480\" height=\"360\"" sheet/a$n.html
check "... warns before the original" grep -qF "the original is shown as it is, in colour and sharp" sheet/a$n.html
check "... whose link leads to it" test "$($CHECK link "sheet/a$n.html")" = "$T/desk/$ra/attachments/photo.png"
check "... and gives its hashes" grep -qF "$(sha256sum < photo.png | cut -d' ' -f1)" sheet/a$n.html

# --- which reports -------------------------------------------------------------------
run_status rc "$KEYS" view desk "$rb" --out one > out 2> err
check "one report named: its 7 attachments only (exit $rc)" test "$rc" = 0 -a \
	"$(ls one/a*.html | wc -l)" = 7 -a -z "$(grep -F "$ra" one/index.html)"
run_status rc "$KEYS" view desk 0123456789abcdef0123456789abcdef --out none > out 2> err
check "a report that is not there: exit 1 ($rc), said" test "$rc" = 1 -a -n "$(grep 'no report 0123' err)"
run_status rc "$KEYS" view desk ../x --out none > out 2> err
check "'../x' is no report id: usage error ($rc)" test "$rc" = 2

# --- HTML-DIR ---------------------------------------------------------------------------
run_status rc "$KEYS" view desk --out sheet > out 2> err
check "HTML-DIR not empty: refused (exit $rc)" test "$rc" = 1 -a -n "$(grep 'is not empty' err)"
mkdir empty target
run_status rc "$KEYS" view desk "$ra" --out empty > out 2> err
check "HTML-DIR empty: used (exit $rc), made 0700" test "$rc" = 0 -a -e empty/index.html -a "$(stat -c %a empty)" = 700
ln -s target link
run_status rc "$KEYS" view desk --out link > out 2> err
check "HTML-DIR a symbolic link: refused (exit $rc), nothing written through it" test \
	"$rc" = 1 -a -z "$(ls -A target)" -a -n "$(grep 'not a directory' err)"
run_status rc "$KEYS" view desk > out 2> err
check "no --out: usage error ($rc)" test "$rc" = 2
