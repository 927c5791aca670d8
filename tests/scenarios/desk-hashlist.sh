#!/usr/bin/env bash
# desk-hashlist: hash lists in a case directory that decrypt filled (two
# reports from od-mkbundle, each with an attachment: an ImageMagick PNG and
# random bytes). A list of each format is imported (comments, grades, CRLF,
# upper case, a duplicate) with the rows expected; bad lines are named by
# their numbers (the first 20, the rest counted) and nothing is imported;
# a wrong --format, 64 digits without one, a bad name, a FIFO and a file
# over 1 GiB are refused, saying why; importing a name again replaces the
# list and says so; ls lists them. The list local takes the attachment of
# a report whose URL is assessed actioned (its SHA-256 as decrypted, the
# severity as grade) and gives it up when a later verdict is not actioned.
. "$(dirname "$0")/lib.sh"
cd "$T"

"$KEYS" keygen --out a --no-passphrase > /dev/null
/usr/bin/convert-im6.q16 -size 64x48 -seed 3 plasma:fractal img.png
printf '%s\n' report 'field url http://a.example/x' 'attach img.png img.png' \
	end report 'field url http://b.example/' 'attach-random other.bin 5000 7' \
	end | "$MKBUNDLE" b.bundle a.pub > /dev/null
run_status rc "$KEYS" decrypt --key a.sec --out desk b.bundle > /dev/null
check "two reports with an attachment each, decrypted (exit $rc)" test "$rc" = 0
q() { sqlite3 desk/cases.db "$@"; }
day=$(date -u +%Y-%m-%d)
md5=d41d8cd98f00b204e9800998ecf8427e
sha1=da39a3ee5e6b4b0d3255bfef95601890afd80709
sha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
pdq=f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22

# import NAME FILE [ARGS]: exit status into rc, stdout into out, stderr err.
import() {
	local name=$1 file=$2
	shift 2
	run_status rc "$KEYS" hashlist import desk "$file" --name "$name" "$@" > out 2> err
}
rows() { q "SELECT kind || ' ' || lower(hex(value)) || ' ' || ifnull(grade, '-') FROM hashes WHERE list_id = (SELECT id FROM hashlists WHERE name = '$1') ORDER BY kind, value"; }

# --- each format ------------------------------------------------------------
printf '# a list\r\n\r\n%s A\r\n  %s\tB  # note\r\n%s C\r\n' "$md5" \
	0CC175B9C0F1B6A831C399E269772661 "$md5" > md5.txt
import m md5.txt
check "md5, auto: exit 0 ($rc), '3 md5 hashes' less one duplicate" test "$rc" = 0 -a \
	"$(cat out)" = "m: 2 md5 hashes imported from md5.txt
m: 1 duplicate line counted once"
check "... the rows: bytes of the hex (upper case read), grades, the first line's kept" \
	test "$(rows m)" = "md5 0cc175b9c0f1b6a831c399e269772661 B
md5 $md5 A"
printf '%s\n%s x\n' "$sha1" 86f7e437faa5a7fce15d1ddcb9eaeaea377667b8 > sha1.txt
import s1 sha1.txt
check "sha1, auto: 2 hashes (exit $rc)" test "$rc" = 0 -a "$(q "SELECT format || count FROM hashlists WHERE name = 's1'")" = sha12
printf '%s\n' "$sha256" > sha256.txt
import s256 sha256.txt --format sha256
check "sha256 with --format: 1 hash (exit $rc)" test "$rc" = 0 -a "$(rows s256)" = "sha256 $sha256 -"
printf '%s A\n' "$pdq" > pdq.txt
import p pdq.txt --format pdq
check "pdq with --format: 1 hash (exit $rc)" test "$rc" = 0 -a "$(rows p)" = "pdq $pdq A"
check "... the file's SHA-256 recorded" test \
	"$(q "SELECT source_file_sha256 FROM hashlists WHERE name = 'p'")" = "$(sha256sum < pdq.txt | cut -d' ' -f1)"

# --- refusals -----------------------------------------------------------------
before=$(q 'SELECT count(*) FROM hashes')
printf '%s\nmd5,grade\n%s\n\n%s A B\n%s %s\n%s\n' "$md5" "$md5" "$md5" "$md5" \
	"$(printf 'G%.0s' $(seq 33))" 0cc175b9c0f1b6a831c399e26977266 > bad.txt
import bad bad.txt
check "bad lines: exit 1 ($rc)" test "$rc" = 1
check "... each named by its number and why" test "$(sed "s/^oniondrop-keys: //" err)" = \
	"bad.txt:2: not a hash (its first word is not hex digits)
bad.txt:5: more than a hash and a grade (a comment starts with #)
bad.txt:6: the grade is not one word of at most 32 printable ASCII characters
bad.txt:7: 31 hex digits, where md5 takes 32
bad.txt: 4 lines are not hashes; nothing imported"
check "... nothing imported: no list 'bad', the rows as before" test \
	"$(q "SELECT count(*) FROM hashlists WHERE name = 'bad'")" = 0 -a "$(q 'SELECT count(*) FROM hashes')" = "$before"
{ echo "$md5"; for i in $(seq 30); do echo "line $i"; done; } > many.txt
import many many.txt
check "31 lines, 30 bad: lines 2 to 21 named, then '10 more' (exit $rc)" test "$rc" = 1 -a \
	"$(grep -c 'many.txt:[0-9]*: not a hash' err)" = 20 -a \
	"$(grep -c 'many.txt:21: ' err)" = 1 -a -n "$(grep -x 'oniondrop-keys: many.txt: and 10 more lines that are not hashes' err)"
import wrong sha1.txt --format md5
check "a sha1 file with --format md5: exit 1 ($rc), every line named" test "$rc" = 1 -a \
	"$(grep -c 'sha1.txt:[12]: 40 hex digits, where md5 takes 32$' err)" = 2
check "... and asked about: 'is --format md5 right?'" grep -qx \
	"oniondrop-keys: sha1.txt: its first hash (line 1) has 40 hex digits (the length of sha1), where md5 takes 32: is --format md5 right?" err
import amb sha256.txt
check "64 digits without --format: exit 1 ($rc), told to choose" test "$rc" = 1 -a \
	"$(cat err)" = "oniondrop-keys: sha256.txt:1: 64 hex digits: a SHA-256 or a PDQ hash; say which with --format sha256 or --format pdq"
import x md5.txt --format sha512
check "--format sha512: a usage error (exit $rc)" test "$rc" = 2 -a -n "$(grep 'md5, sha1, sha256 or pdq' err)"
import local md5.txt
check "--name local: refused (exit $rc), the list is the verdicts'" test "$rc" = 2 -a -n "$(grep "not 'local'" err)"
import ../x md5.txt
check "--name ../x: refused (exit $rc)" test "$rc" = 2
truncate -s $((1024 * 1024 * 1024 + 1)) huge.txt
import huge huge.txt
check "a file of 1 GiB and a byte: refused before it is read (exit $rc)" test "$rc" = 1 -a \
	"$(cat err)" = "oniondrop-keys: huge.txt: 1073741825 bytes, over the 1073741824 (1 GiB) a hash list may have; refused"
mkfifo fifo
import f fifo
check "a FIFO: refused without waiting on it (exit $rc)" test "$rc" = 1 -a -n "$(grep 'not a regular file' err)"
check "no refused import left a list" test "$(q 'SELECT count(*) FROM hashlists')" = 5

# --- replace, ls ----------------------------------------------------------------
printf '%s\n' 0cc175b9c0f1b6a831c399e269772661 > md5b.txt
import m md5b.txt
check "importing m again: exit 0 ($rc), it says what it replaces" test "$rc" = 0 -a \
	"$(tail -1 out)" = "m: replaces the list imported on $day (2 hashes)"
check "... only the new hash is there" test "$(rows m)" = "md5 0cc175b9c0f1b6a831c399e269772661 -"
"$KEYS" hashlist ls desk > ls.txt
check "ls: local first, then by name, with format, count and day" test "$(cat ls.txt)" = \
"$(printf '%-24s %-10s %10s  %s\n' NAME FORMAT HASHES IMPORTED local sha256+pdq 0 "$day" \
	m md5 1 "$day" p pdq 1 "$day" s1 sha1 2 "$day" s256 sha256 1 "$day")"

# --- the list local ---------------------------------------------------------------
ra=$(q "SELECT report_id FROM report_lines WHERE CAST(as_typed AS TEXT) = 'http://a.example/x'")
img_sha=$(sha256sum < "desk/$ra/attachments/img.png" | cut -d' ' -f1)
ua=$(q "SELECT id FROM urls WHERE host = 'a.example'")
ub=$(q "SELECT id FROM urls WHERE host = 'b.example'")
run_status rc "$KEYS" assess desk "$ub" --verdict not-illegal > out
check "not-illegal: local unchanged, nothing said (exit $rc)" test "$rc" = 0 -a \
	"$(wc -l < out)" = 1 -a "$(rows local)" = ""
# The image's PDQ joins too once decrypt records one of quality 50 or more.
img_pdq=$(q "SELECT pdq FROM attachments WHERE report_id = '$ra' AND pdq_quality >= 50")
want=$(if [ -n "$img_pdq" ]; then echo "pdq $img_pdq A"; fi; echo "sha256 $img_sha A")
n=$(echo "$want" | wc -l)
run_status rc "$KEYS" assess desk "$ua" --verdict actioned --severity A > out
check "actioned A: 'hash list local: $n added, 0 removed' (exit $rc)" test "$rc" = 0 -a \
	"$(tail -1 out)" = "hash list local: $n added, 0 removed"
check "... the image's SHA-256 as decrypted (and PDQ: '$img_pdq'), graded A" \
	test "$(rows local)" = "$want"
check "... ls counts it" grep -q "^local  *sha256+pdq  *$n  $day\$" <("$KEYS" hashlist ls desk)
run_status rc "$KEYS" assess desk "$ua" --verdict not-illegal > out
check "then not-illegal: 'hash list local: 0 added, $n removed' (exit $rc)" test "$rc" = 0 -a \
	"$(tail -1 out)" = "hash list local: 0 added, $n removed" -a "$(rows local)" = ""
check "the case file is sound" test "$(q 'PRAGMA integrity_check')" = ok
