/*
 * test_hashlist: client-keys/hashlist on a table of files, each read whole,
 * a byte at a time and in random pieces, the three readings compared with
 * the expected hashes (line, value, grade) and bad lines (line, reason,
 * digits). Then the limits: a line of HASHLIST_LINE_MAX bytes (with and
 * without its CR) read and one byte more refused, a grade of
 * HASHLIST_GRADE_MAX bytes kept and one more refused, more bad lines than
 * are named (counted), the caller stopping the reader, and the words a
 * bad line is described in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hashlist.h"
#include "tap.h"

#define MD5A "d41d8cd98f00b204e9800998ecf8427e"
#define MD5B "0cc175b9c0f1b6a831c399e269772661"
#define SHA1 "da39a3ee5e6b4b0d3255bfef95601890afd80709"
#define SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

struct hl_case {
	const char *name;
	const char *in;
	size_t len;
	enum hashlist_format format;
	const char *hashes;	/* "LINE:HEX:GRADE;" each */
	const char *bad;	/* "LINE:WHY:DIGITS;" each */
	enum hashlist_format found;
	enum hashlist_stop stop;
};

#define STOP_IN "# x\n" SHA256 "\n" MD5A "\n"
#define C(name, in, fmt, hashes, bad, found) \
	{ name, in, sizeof(in) - 1, fmt, hashes, bad, found, HASHLIST_STOP_NONE }

static const struct hl_case cases[] = {
	C("md5, comment, blank, grade, CRLF, upper case, trailing comment",
	    "# a list\n\n" MD5A " A\r\n  \t\n" "0CC175B9C0F1B6A831C399E269772661"
	    "\t B-2 # why\n", HASHLIST_MD5,
	    "3:" MD5A ":A;5:" MD5B ":B-2;", "", HASHLIST_MD5),
	C("auto: the first hash's length (sha1), no newline at the end",
	    SHA1 "\n" SHA1 " x", HASHLIST_AUTO, "1:" SHA1 ":;2:" SHA1 ":x;",
	    "", HASHLIST_SHA1),
	C("auto: md5 after a bad line", "zz\n" MD5A "\n", HASHLIST_AUTO,
	    "2:" MD5A ":;", "1:2:0;", HASHLIST_MD5),
	C("auto: a length no format has", "abc\n" MD5A "\n", HASHLIST_AUTO,
	    "2:" MD5A ":;", "1:3:3;", HASHLIST_MD5),
	C("sha256", SHA256 " C\n", HASHLIST_SHA256, "1:" SHA256 ":C;", "",
	    HASHLIST_SHA256),
	C("pdq", SHA256 "\n", HASHLIST_PDQ, "1:" SHA256 ":;", "", HASHLIST_PDQ),
	C("a byte order mark opens line 1", "\xef\xbb\xbf" MD5A "\n",
	    HASHLIST_MD5, "1:" MD5A ":;", "", HASHLIST_MD5),
	C("... and only line 1", MD5A "\n\xef\xbb\xbf" MD5A "\n", HASHLIST_MD5,
	    "1:" MD5A ":;", "2:2:0;", HASHLIST_MD5),
	C("every kind of bad line, named by number",
	    "md5,grade\n" SHA1 "\n" MD5A " A B\n" MD5A " \x01\n" MD5A "x\n"
	    MD5A "#c\n" MD5A " A#\n" MD5A " \xc3\xa9\n" MD5A "\0\n" MD5A
	    "\v\n" MD5B "\n", HASHLIST_MD5, "11:" MD5B ":;",
	    "1:2:0;2:3:40;3:5:0;4:4:0;5:2:0;6:2:0;7:4:0;8:4:0;9:2:0;10:2:0;",
	    HASHLIST_MD5),
	C("a lone CR is not an end of line", MD5A "\r" MD5A "\n", HASHLIST_MD5,
	    "", "1:2:0;", HASHLIST_MD5),
	C("CR CR LF: one CR is taken", MD5A "\r\r\n", HASHLIST_MD5, "",
	    "1:2:0;", HASHLIST_MD5),
	C("empty file", "", HASHLIST_AUTO, "", "", HASHLIST_AUTO),
	C("comments only", "# x\n#\n   # y", HASHLIST_SHA1, "", "",
	    HASHLIST_SHA1),
	C("once md5, 64 digits are a bad line", MD5A "\nzz\n" SHA256 "\n" MD5A
	    "\n", HASHLIST_AUTO, "1:" MD5A ":;4:" MD5A ":;", "2:2:0;3:3:64;",
	    HASHLIST_MD5),
	{ "auto: 64 digits first: stopped, nothing handed over",
	    STOP_IN, sizeof(STOP_IN) - 1, HASHLIST_AUTO,
	    "", "", HASHLIST_AUTO, HASHLIST_STOP_AMBIGUOUS },
};

static char got_hashes[8192], got_bad[4096];
static int stop_after = -1;

static void
append(char *buf, size_t size, const char *s)
{
	size_t n = strlen(buf);

	snprintf(buf + n, size - n, "%s", s);
}

static int
collect(void *arg, const struct hashlist_entry *e)
{
	char item[HASHLIST_VALUE_MAX * 2 + HASHLIST_GRADE_MAX + 32];
	int n = snprintf(item, sizeof(item), "%llu:", (unsigned long long)e->line);

	(void)arg;
	for (size_t i = 0; i < e->len; i++)
		n += snprintf(item + n, sizeof(item) - (size_t)n, "%02x",
		    e->value[i]);
	snprintf(item + n, sizeof(item) - (size_t)n, ":%s;", e->grade);
	append(got_hashes, sizeof(got_hashes), item);
	return stop_after >= 0 && --stop_after < 0 ? -1 : 0;
}

/* Read in[0..len) in pieces of step bytes (0: random, 1..7), or whole. */
static const struct hashlist_result *
read_all(struct hashlist_reader *r, const char *in, size_t len, size_t step)
{
	size_t off = 0, n;

	got_hashes[0] = got_bad[0] = '\0';
	while (off < len) {
		n = step == SIZE_MAX ? len - off : step ? step :
		    (size_t)(rand() % 8);
		n = n > len - off ? len - off : n;
		if (hashlist_reader_feed(r, in + off, n) != 0)
			break;
		off += n;
	}
	hashlist_reader_end(r);
	return hashlist_reader_result(r);
}

static void
bad_text(const struct hashlist_result *res)
{
	char item[64];

	for (uint64_t i = 0; i < res->nbad && i < HASHLIST_BAD_SHOWN; i++) {
		snprintf(item, sizeof(item), "%llu:%d:%zu;",
		    (unsigned long long)res->bad[i].line, (int)res->bad[i].why,
		    res->bad[i].digits);
		append(got_bad, sizeof(got_bad), item);
	}
}

static void
test_table(void)
{
	static const size_t steps[] = { SIZE_MAX, 1, 0 };
	static const char *const how[] = { "whole", "byte by byte", "pieces" };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct hl_case *t = &cases[i];

		for (size_t s = 0; s < 3; s++) {
			struct hashlist_reader *r =
			    hashlist_reader_new(t->format, collect, NULL);
			const struct hashlist_result *res =
			    read_all(r, t->in, t->len, steps[s]);

			bad_text(res);
			ok(strcmp(got_hashes, t->hashes) == 0 &&
			    strcmp(got_bad, t->bad) == 0 &&
			    res->format == t->found && res->stop == t->stop,
			    "%s (%s): hashes [%s] bad [%s] format %s stop %d",
			    t->name, how[s], got_hashes, got_bad,
			    hashlist_format_name(res->format), res->stop);
			hashlist_reader_free(r);
		}
	}
}

/* One file of lines, read whole: the result and what was handed over. */
static const struct hashlist_result *
read_text(struct hashlist_reader **r, enum hashlist_format format,
    const char *in, size_t len)
{
	*r = hashlist_reader_new(format, collect, NULL);
	return read_all(*r, in, len, SIZE_MAX);
}

/* A line of content bytes (a hash, " #", blanks), a CR if cr, and a LF. */
static size_t
make_line(char *buf, size_t content, int cr)
{
	memset(buf, ' ', content);
	memcpy(buf, MD5A " #", 34);
	if (cr)
		buf[content++] = '\r';
	buf[content++] = '\n';
	return content;
}

static void
test_line_limit(void)
{
	char line[HASHLIST_LINE_MAX + 4];
	struct hashlist_reader *r;
	const struct hashlist_result *res;
	size_t len;

	for (int cr = 0; cr < 2; cr++) {
		len = make_line(line, HASHLIST_LINE_MAX, cr);
		res = read_text(&r, HASHLIST_MD5, line, len);
		ok(res->hashes == 1 && res->nbad == 0, "a line of %d bytes%s "
		    "is read", HASHLIST_LINE_MAX, cr ? " and its CR" : "");
		hashlist_reader_free(r);
		len = make_line(line, HASHLIST_LINE_MAX + 1, cr);
		res = read_text(&r, HASHLIST_MD5, line, len);
		ok(res->hashes == 0 && res->nbad == 1 &&
		    res->bad[0].why == HASHLIST_BAD_LONG,
		    "one byte more%s: too long", cr ? " (and a CR)" : "");
		hashlist_reader_free(r);
	}
	len = make_line(line, HASHLIST_LINE_MAX, 0);
	res = read_text(&r, HASHLIST_MD5, line, len - 1);
	ok(res->hashes == 1, "the last line, without its LF: read");
	hashlist_reader_free(r);
	len = make_line(line, HASHLIST_LINE_MAX + 1, 0);
	res = read_text(&r, HASHLIST_MD5, line, len - 1);
	ok(res->hashes == 0 && res->nbad == 1, "... one byte more: too long");
	hashlist_reader_free(r);
}

static void
test_grade_limit(void)
{
	char line[128];
	struct hashlist_reader *r;
	const struct hashlist_result *res;

	snprintf(line, sizeof(line), MD5A " %.*s\n", HASHLIST_GRADE_MAX,
	    "!\"$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJ");
	res = read_text(&r, HASHLIST_MD5, line, strlen(line));
	ok(res->hashes == 1 && strstr(got_hashes, "!\"$%&'()*+,-./0123456789"
	    ":;<=>?") != NULL, "a grade of %d printable bytes is kept (%s)",
	    HASHLIST_GRADE_MAX, got_hashes);
	hashlist_reader_free(r);
	snprintf(line, sizeof(line), MD5A " %.*s\n", HASHLIST_GRADE_MAX + 1,
	    "0123456789012345678901234567890123456789");
	res = read_text(&r, HASHLIST_MD5, line, strlen(line));
	ok(res->hashes == 0 && res->nbad == 1 &&
	    res->bad[0].why == HASHLIST_BAD_GRADE, "one byte more: refused");
	hashlist_reader_free(r);
}

static void
test_many_bad(void)
{
	size_t n = 1000, len = 0;
	char *in = malloc(n * 3);
	struct hashlist_reader *r;
	const struct hashlist_result *res;

	for (size_t i = 0; i < n; i++) {
		memcpy(in + len, "x\n", 2);
		len += 2;
	}
	res = read_text(&r, HASHLIST_AUTO, in, len);
	ok(res->nbad == n && res->lines == n &&
	    res->bad[HASHLIST_BAD_SHOWN - 1].line == HASHLIST_BAD_SHOWN,
	    "%zu bad lines: all counted, the first %d named", n,
	    HASHLIST_BAD_SHOWN);
	hashlist_reader_free(r);
	free(in);
}

static void
test_caller_stops(void)
{
	static const char in[] = MD5A "\n" MD5B "\n" MD5A "\n";
	struct hashlist_reader *r;
	const struct hashlist_result *res;

	stop_after = 1;
	res = read_text(&r, HASHLIST_MD5, in, sizeof(in) - 1);
	ok(res->stop == HASHLIST_STOP_CALLER && res->stop_line == 2 &&
	    res->hashes == 2 && hashlist_reader_feed(r, in, 1) == -1 &&
	    hashlist_reader_end(r) == -1, "the caller stops the reader at "
	    "line 2: it reads nothing more");
	hashlist_reader_free(r);
	stop_after = -1;
}

static void
test_words(void)
{
	struct hashlist_bad b = { 3, HASHLIST_BAD_LENGTH, 40 };
	char buf[256];

	hashlist_describe(&b, HASHLIST_MD5, buf, sizeof(buf));
	ok(strcmp(buf, "40 hex digits, where md5 takes 32") == 0, "%s", buf);
	b.digits = 12;
	hashlist_describe(&b, HASHLIST_AUTO, buf, sizeof(buf));
	ok(strstr(buf, "no format has that length") != NULL, "%s", buf);
	b.why = HASHLIST_BAD_LONG;
	hashlist_describe(&b, HASHLIST_MD5, buf, sizeof(buf));
	ok(strcmp(buf, "longer than 1024 bytes") == 0, "%s", buf);
	is_int(hashlist_format_parse("pdq"), HASHLIST_PDQ, "--format pdq");
	is_int(hashlist_format_parse("auto"), -1, "auto is not a --format");
	is_int(hashlist_format_parse("MD5"), -1, "nor MD5 in upper case");
	is_int(hashlist_format_digits(HASHLIST_SHA1), 40, "sha1: 40 digits");
}

int
main(void)
{
	srand(15);
	test_table();
	test_line_limit();
	test_grade_limit();
	test_many_bad();
	test_caller_stops();
	test_words();
	return tap_done();
}
