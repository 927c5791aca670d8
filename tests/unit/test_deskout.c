/* test_deskout: the desk's output of hostile strings, each case whole. */
#include <stdlib.h>
#include <string.h>

#include "deskout.h"
#include "tap.h"

/* Output captured from one writer call. */
struct capture {
	FILE *f;
	char *buf;
	size_t len;
};

static void
cap_open(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	if (c->f == NULL)
		abort();
}

/* Close c and compare what was written with want (NUL-free); free it. */
static int
cap_is(struct capture *c, const char *want)
{
	int same;

	fclose(c->f);
	same = c->len == strlen(want) && memcmp(c->buf, want, c->len) == 0;
	if (!same)
		printf("# got  [%.*s]\n# want [%s]\n", (int)c->len, c->buf, want);
	free(c->buf);
	return same;
}

struct vec {
	const char *in;
	size_t len;		/* 0: strlen(in) */
	const char *out;
};

#define V(in, out) { in, sizeof(in) - 1, out }

static void
test_text(void)
{
	static const struct vec v[] = {
		V("plain https://example.com/a", "plain https://example.com/a"),
		V("\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7 \xc3\xa9" "cole",
		    "\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7 \xc3\xa9" "cole"),
		V("a\nb\rc\td", "a\\x0Ab\\x0Dc\\x09d"),
		V("nul\0here", "nul\\x00here"),
		V("esc\x1b[31mred\x7f", "esc\\x1B[31mred\\x7F"),
		V("c1 \xc2\x85 \xc2\x9b", "c1 \\u{0085} \\u{009B}"),
		V("rlo \xe2\x80\xae gpj.exe", "rlo \\u{202E} gpj.exe"),
		V("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad",
		    "\\u{202A}\\u{202B}\\u{202C}\\u{202D}"),
		V("\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9",
		    "\\u{2066}\\u{2067}\\u{2068}\\u{2069}"),
		V("\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c",
		    "\\u{200E}\\u{200F}\\u{061C}"),
		V("ls\xe2\x80\xa8ps\xe2\x80\xa9", "ls\\u{2028}ps\\u{2029}"),
		V("zw\xe2\x80\x8b bom\xef\xbb\xbf", "zw\\u{200B} bom\\u{FEFF}"),
		V("bad \xff\xfe end", "bad \\xFF\\xFE end"),
		V("overlong \xc0\xaf", "overlong \\xC0\\xAF"),
		V("surrogate \xed\xa0\x80", "surrogate \\xED\\xA0\\x80"),
		V("cut \xe2\x82", "cut \\xE2\\x82"),
		V("back\\slash \\x41", "back\\\\slash \\\\x41"),
		V("", ""),
	};
	struct capture c;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		cap_open(&c);
		deskout_text(c.f, v[i].in, v[i].len, DESKOUT_ALL);
		ok(cap_is(&c, v[i].out), "text %zu: %s", i, v[i].out);
	}
}

static void
test_text_cut(void)
{
	struct capture c;

	cap_open(&c);
	deskout_text(c.f, "abcdef", 6, 4);
	ok(cap_is(&c, "abcd\xe2\x80\xa6"), "text cut at 4 bytes, marked");
	cap_open(&c);
	deskout_text(c.f, "ab\xc3\xa9z", 5, 3);
	ok(cap_is(&c, "ab\xe2\x80\xa6"), "text cut never splits a character");
	cap_open(&c);
	deskout_text(c.f, "abcd", 4, 4);
	ok(cap_is(&c, "abcd"), "text of exactly max bytes is not marked");
	cap_open(&c);
	deskout_text(c.f, "a\xff", 2, 1);
	ok(cap_is(&c, "a\xe2\x80\xa6"), "text cut before an invalid byte");
}

static void
test_html(void)
{
	static const struct vec v[] = {
		V("<img src=x onerror=alert(1)>.png",
		    "&lt;img src=x onerror=alert(1)&gt;.png"),
		V("a&b \"q\" 'r'", "a&amp;b &quot;q&quot; &#39;r&#39;"),
		V("rlo \xe2\x80\xae gnp.exe", "rlo \\u{202E} gnp.exe"),
		V("</title><script>\n", "&lt;/title&gt;&lt;script&gt;\\x0A"),
		V("nul\0 \xff \xc3\xa9", "nul\\x00 \\xFF \xc3\xa9"),
		V("", ""),
	};
	struct capture c;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		cap_open(&c);
		ok(deskout_html(c.f, v[i].in, v[i].len, DESKOUT_ALL) == 0 &&
		    cap_is(&c, v[i].out), "html %zu: %s", i, v[i].out);
	}
	cap_open(&c);
	ok(deskout_html(c.f, "<<<<", 4, 2) == 0 &&
	    cap_is(&c, "&lt;&lt;\xe2\x80\xa6"), "html cut at 2 bytes, marked");
}

static void
test_csv(void)
{
	static const struct vec v[] = {
		V("plain", "plain"),
		V("", ""),
		V("a,b", "\"a,b\""),
		V("say \"hi\"", "\"say \"\"hi\"\"\""),
		V("two\r\nlines", "\"two\r\nlines\""),
		V("=HYPERLINK(\"http://x\",\"y\")",
		    "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""),
		V("=1+2", "'=1+2"),
		V("+33 1 23", "'+33 1 23"),
		V("-5", "'-5"),
		V("@SUM(A1)", "'@SUM(A1)"),
		V("\tcmd", "'\tcmd"),
		V("\rcmd", "\"'\rcmd\""),
		V("a=b", "a=b"),
		V("\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7", "\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7"),
		V("bad\xff", "bad\xef\xbf\xbd"),
		V("nul\0x", "nul\xef\xbf\xbdx"),
		V("\0=x", "\xef\xbf\xbd=x"),
	};
	struct capture c;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		cap_open(&c);
		deskout_csv_cell(c.f, v[i].in, v[i].len);
		ok(cap_is(&c, v[i].out), "csv cell %zu", i);
	}
}

static const char *const cols[] = { "id", "url", "n", "flag" };

/* One row of each kind of value into a table of fmt. */
static void
table_rows(FILE *f, enum deskout_format fmt)
{
	struct deskout_table t;

	deskout_table_start(&t, f, fmt, cols, 4);
	deskout_table_str(&t, "r1", 2);
	deskout_table_str(&t, "=x,\"\n", 5);
	deskout_table_int(&t, 42);
	deskout_table_bool(&t, 1);
	deskout_table_end_row(&t);
	deskout_table_str(&t, "r2", 2);
	deskout_table_str(&t, NULL, 0);
	deskout_table_int(&t, 0);
	deskout_table_bool(&t, -1);
	deskout_table_end_row(&t);
	deskout_table_str(&t, "r3", 2);
	deskout_table_str(&t, "\xff\0", 2);
	deskout_table_int(&t, 7);
	deskout_table_bool(&t, 0);
	deskout_table_end_row(&t);
}

static void
test_table(void)
{
	struct capture c;
	enum deskout_format fmt;

	cap_open(&c);
	table_rows(c.f, DESKOUT_CSV);
	ok(cap_is(&c, "id,url,n,flag\r\n"
	    "r1,\"'=x,\"\"\n\",42,1\r\n"
	    "r2,,0,\r\n"
	    "r3,\xef\xbf\xbd\xef\xbf\xbd,7,0\r\n"), "csv table");
	cap_open(&c);
	table_rows(c.f, DESKOUT_JSON);
	ok(cap_is(&c,
	    "{\"id\":\"r1\",\"url\":\"=x,\\\"\\n\",\"n\":42,\"flag\":true}\n"
	    "{\"id\":\"r2\",\"url\":null,\"n\":0,\"flag\":null}\n"
	    "{\"id\":\"r3\",\"url\":\"\\ufffd\\u0000\",\"n\":7,\"flag\":false}\n"),
	    "json table");
	ok(deskout_format_parse("csv", &fmt) == 0 && fmt == DESKOUT_CSV, "csv parsed");
	ok(deskout_format_parse("json", &fmt) == 0 && fmt == DESKOUT_JSON, "json parsed");
	ok(deskout_format_parse("CSV", &fmt) == -1, "CSV refused");
	ok(deskout_format_parse("text", &fmt) == -1, "text refused");
}

int
main(void)
{
	test_text();
	test_text_cut();
	test_html();
	test_csv();
	test_table();
	return tap_done();
}
