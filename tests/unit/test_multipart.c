/*
 * test_multipart: daemon/multipart. Every case is fed whole, byte by byte
 * and at random split points, and the callbacks' output (a log of part
 * headers and body bytes) must be the same each time. Covers the shapes
 * curl, Chromium and Firefox send, near-boundaries in binary bodies, every
 * error rule and limit, and a 50 MB part streamed in constant memory.
 */
#include <sys/resource.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "multipart.h"
#include "tap.h"

/* ---- collecting what the parser reports ---- */

struct log {
	uint8_t *buf;
	size_t len, cap;
	int stop_data;	/* part_data fails once this many bytes were seen */
	size_t seen;
};

static void
log_add(struct log *l, const void *p, size_t n)
{

	if (l->len + n > l->cap) {
		l->cap = (l->len + n) * 2 + 64;
		if ((l->buf = realloc(l->buf, l->cap)) == NULL)
			abort();
	}
	memcpy(l->buf + l->len, p, n);
	l->len += n;
}

static void
log_str(struct log *l, const char *s)
{

	log_add(l, s, strlen(s));
}

static int
cb_begin(void *ctx, const struct multipart_part *p)
{
	struct log *l = ctx;

	log_str(l, "{");
	log_str(l, p->name);
	if (p->has_filename) {
		log_str(l, ",file=");
		log_str(l, p->filename);
	}
	if (p->content_type[0] != '\0') {
		log_str(l, ",type=");
		log_str(l, p->content_type);
	}
	log_str(l, "}");
	return (strcmp(p->name, "stop") == 0);
}

static int
cb_data(void *ctx, const uint8_t *buf, size_t len)
{
	struct log *l = ctx;

	log_add(l, buf, len);
	l->seen += len;
	return (l->stop_data && l->seen >= (size_t)l->stop_data);
}

static int
cb_end(void *ctx)
{
	struct log *l = ctx;

	log_str(l, "{/}");
	return (l->len >= 4 && memcmp(l->buf, "{end", 4) == 0);
}

static const struct multipart_callbacks cbs = { cb_begin, cb_data, cb_end };

/* ---- feeding ---- */

static uint64_t rng = 88172645463325252ULL;

static uint64_t
rnd(void)
{

	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (rng);
}

/* Split modes: whole, one byte at a time, random pieces. */
enum split { WHOLE, BYTES, RANDOM };

static size_t
piece(enum split how, size_t left)
{
	size_t n;

	if (how == WHOLE)
		return (left);
	if (how == BYTES)
		return (1);
	n = (rnd() % 4 == 0) ? 1 + rnd() % 200 : 1 + rnd() % 9;
	return (n < left ? n : left);
}

/* Parse in[0..len) split as told; return the result, fill log and err. */
static int
parse(const char *boundary, const char *in, size_t len, enum split how,
    struct log *l, const char **err)
{
	struct multipart *mp = multipart_new(boundary, &cbs, l);
	size_t off = 0, n;
	int rc = 0;

	if (mp == NULL)
		abort();
	while (rc == 0 && off < len) {
		n = piece(how, len - off);
		rc = multipart_feed(mp, (const uint8_t *)in + off, n);
		off += n;
	}
	if (rc == 0)
		rc = multipart_finish(mp);
	*err = multipart_error(mp);
	multipart_free(mp);
	return (rc);
}

struct mpcase {
	const char *what;
	const char *boundary;
	const char *in;
	size_t len;
	const char *want;	/* log on success */
	size_t wantlen;
	const char *err;	/* NULL on success */
	int rc;
};

/*
 * Check one case in every split mode. Valid cases must give want; errors
 * must give the same rc, message and log in every mode.
 */
static void
check(const struct mpcase *c)
{
	static const char *mode[] = { "whole", "byte by byte", "random splits" };
	struct log ref = { 0 }, l;
	const char *err, *referr;
	int rc, refrc, same;

	refrc = parse(c->boundary, c->in, c->len, WHOLE, &ref, &referr);
	for (int how = WHOLE; how <= RANDOM; how++) {
		same = 1;
		for (int rep = 0; rep < (how == RANDOM ? 32 : 1); rep++) {
			memset(&l, 0, sizeof(l));
			rc = parse(c->boundary, c->in, c->len, how, &l, &err);
			same &= (rc == refrc && strcmp(err, referr) == 0 &&
			    l.len == ref.len &&
			    (l.len == 0 || memcmp(l.buf, ref.buf, l.len) == 0));
			free(l.buf);
		}
		if (c->err == NULL)
			ok(same && refrc == 0 && ref.len == c->wantlen &&
			    (ref.len == 0 || memcmp(ref.buf, c->want, ref.len) == 0),
			    "%s (%s)%s%s", c->what, mode[how],
			    refrc ? ": " : "", referr);
		else
			ok(same && refrc == c->rc && strcmp(referr, c->err) == 0,
			    "%s is an error: %s (%s)", c->what, referr, mode[how]);
	}
	free(ref.buf);
}

#define S(s) s, sizeof(s) - 1
#define GOOD(what, b, in, want) { what, b, S(in), S(want), NULL, 0 }
#define BAD(what, b, in, err) { what, b, S(in), NULL, 0, err, MULTIPART_EINVAL }

#define CURL "------------------------d74496d66958873e"
#define CHROME "----WebKitFormBoundary7MA4YWxkTrZu0gW"
#define FIREFOX "---------------------------974767299852498929531610575"
#define GECKO "----geckoformboundary3b2c9f1e8a7d6c5b4a39281706f5e4d3"
#define B69 "012345678901234567890123456789012345678901234567890123456789012345678"
#define B70 B69 "9"

static const struct mpcase cases[] = {
	GOOD("curl -F a=b -F f=@file", CURL,
	    "--" CURL "\r\n"
	    "Content-Disposition: form-data; name=\"a\"\r\n"
	    "\r\n"
	    "b\r\n"
	    "--" CURL "\r\n"
	    "Content-Disposition: form-data; name=\"f\"; filename=\"file.txt\"\r\n"
	    "Content-Type: text/plain\r\n"
	    "\r\n"
	    "line one\nline two\n\r\n"
	    "--" CURL "--\r\n",
	    "{a}b{/}{f,file=file.txt,type=text/plain}line one\nline two\n{/}"),
	GOOD("Chromium form with an empty file input", CHROME,
	    "------WebKitFormBoundary7MA4YWxkTrZu0gW\r\n"
	    "Content-Disposition: form-data; name=\"urls\"\r\n"
	    "\r\n"
	    "https://example.com/a\r\nhttps://example.org/b\r\n"
	    "------WebKitFormBoundary7MA4YWxkTrZu0gW\r\n"
	    "Content-Disposition: form-data; name=\"description\"\r\n"
	    "\r\n"
	    "caf\xc3\xa9 -- \xd8\xb9\xd8\xb1\xd8\xa8\xd9\x8a\r\n"
	    "------WebKitFormBoundary7MA4YWxkTrZu0gW\r\n"
	    "Content-Disposition: form-data; name=\"attachment\"; filename=\"\"\r\n"
	    "Content-Type: application/octet-stream\r\n"
	    "\r\n"
	    "\r\n"
	    "------WebKitFormBoundary7MA4YWxkTrZu0gW--\r\n",
	    "{urls}https://example.com/a\r\nhttps://example.org/b{/}"
	    "{description}caf\xc3\xa9 -- \xd8\xb9\xd8\xb1\xd8\xa8\xd9\x8a{/}"
	    "{attachment,file=,type=application/octet-stream}{/}"),
	GOOD("Firefox form with two files", FIREFOX,
	    "--" FIREFOX "\r\n"
	    "Content-Disposition: form-data; name=\"category\"\r\n"
	    "\r\n"
	    "fraud\r\n"
	    "--" FIREFOX "\r\n"
	    "Content-Disposition: form-data; name=\"attachment\"; filename=\"a.png\"\r\n"
	    "Content-Type: image/png\r\n"
	    "\r\n"
	    "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\r\n"
	    "--" FIREFOX "\r\n"
	    "Content-Disposition: form-data; name=\"attachment\"; filename=\"%22q%22.txt\"\r\n"
	    "Content-Type: text/plain\r\n"
	    "\r\n"
	    "x\r\n"
	    "--" FIREFOX "--\r\n",
	    "{category}fraud{/}"
	    "{attachment,file=a.png,type=image/png}\x89PNG\r\n\x1a\n\0\0\0\rIHDR{/}"
	    "{attachment,file=%22q%22.txt,type=text/plain}x{/}"),
	GOOD("Firefox geckoformboundary", GECKO,
	    "--" GECKO "\r\n"
	    "Content-Disposition: form-data; name=\"receipt\"\r\n"
	    "\r\n"
	    "abc\r\n"
	    "--" GECKO "--\r\n",
	    "{receipt}abc{/}"),
	GOOD("preamble and epilogue are skipped", "AaB03x",
	    "This is the preamble.\r\n--AaB03 not yet\r\n-AaB03x\r\n"
	    "--AaB03x\r\n"
	    "Content-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
	    "--AaB03x--\r\nepilogue\r\n--AaB03x\r\ngarbage",
	    "{a}1{/}"),
	GOOD("the preamble may end just before a delimiter", "AaB03x",
	    "\r\r\n--AaB03x\r\n"
	    "Content-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
	    "--AaB03x--",
	    "{a}1{/}"),
	GOOD("transport padding after delimiters", "AaB03x",
	    "--AaB03x \t \r\n"
	    "Content-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
	    "--AaB03x\t\r\n"
	    "Content-Disposition: form-data; name=\"b\"\r\n\r\n2\r\n"
	    "--AaB03x--  \r\n",
	    "{a}1{/}{b}2{/}"),
	GOOD("binary body with near-boundaries", "AaB03x",
	    "--AaB03x\r\n"
	    "Content-Disposition: form-data; name=\"f\"; filename=\"b.bin\"\r\n"
	    "Content-Type: application/octet-stream\r\n\r\n"
	    "\r\n--AaB03\r\n--AaB03y\r\n-\r\n--\r\r\n\n--AaB03x--AaB03x"
	    "\r\n--aab03x\r\n--AaB03\0x\xff\r\r\r\n\r\n-\r\n--A\r\n"
	    "\r\n--AaB03x--\r\n",
	    "{f,file=b.bin,type=application/octet-stream}"
	    "\r\n--AaB03\r\n--AaB03y\r\n-\r\n--\r\r\n\n--AaB03x--AaB03x"
	    "\r\n--aab03x\r\n--AaB03\0x\xff\r\r\r\n\r\n-\r\n--A\r\n{/}"),
	GOOD("a body ending in CR or CRLF", "AaB03x",
	    "--AaB03x\r\n"
	    "Content-Disposition: form-data; name=\"a\"\r\n\r\nabc\r\r\n"
	    "--AaB03x\r\n"
	    "Content-Disposition: form-data; name=\"b\"\r\n\r\nabc\r\n\r\n"
	    "--AaB03x\r\n"
	    "Content-Disposition: form-data; name=\"c\"\r\n\r\n\r\n\r\n"
	    "--AaB03x--",
	    "{a}abc\r{/}{b}abc\r\n{/}{c}\r\n{/}"),
	GOOD("empty parts and no trailing CRLF", "x",
	    "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n\r\n"
	    "--x\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\n\r\n--x--",
	    "{a}{/}{b}{/}"),
	GOOD("a form with no fields", CHROME,
	    "--" CHROME "--\r\n", ""),
	GOOD("case-insensitive headers, token values", "AaB03x",
	    "--AaB03x\r\n"
	    "content-disposition: FORM-DATA; NAME=field_1; FileName=report.pdf\r\n"
	    "CONTENT-TYPE:application/pdf  \r\n\r\n%PDF\r\n"
	    "--AaB03x--",
	    "{field_1,file=report.pdf,type=application/pdf}%PDF{/}"),
	GOOD("quoted-pair escapes and unusual spacing", "AaB03x",
	    "--AaB03x\r\n"
	    "Content-Disposition:form-data ;name = \"a\\\"b\" ;  "
	    "filename=\"c:\\\\x\\\"y z.txt\";\r\n\r\n1\r\n"
	    "--AaB03x--",
	    "{a\"b,file=c:\\x\"y z.txt}1{/}"),
	GOOD("other headers and parameters are ignored", "AaB03x",
	    "--AaB03x\r\n"
	    "X-Whatever: yes; \"no\"\r\n"
	    "Content-Transfer-Encoding: binary\r\n"
	    "Content-Disposition: form-data; name=\"f\"; size=3; "
	    "filename*=UTF-8''%e2%82%ac.txt; filename=\"e.txt\"\r\n\r\nabc\r\n"
	    "--AaB03x--",
	    "{f,file=e.txt}abc{/}"),
	GOOD("UTF-8 names and file names", "AaB03x",
	    "--AaB03x\r\n"
	    "Content-Disposition: form-data; name=\"\xd9\x88\xd8\xb5\xd9\x81\"; "
	    "filename=\"\xc3\xa9t\xc3\xa9.jpg\"\r\n\r\n1\r\n"
	    "--AaB03x--",
	    "{\xd9\x88\xd8\xb5\xd9\x81,file=\xc3\xa9t\xc3\xa9.jpg}1{/}"),
	GOOD("a 70-character boundary", B70,
	    "--" B70 "\r\nContent-Disposition: form-data; name=a\r\n\r\n"
	    "\r\n--" B69 "0\r\n--" B70 "--",
	    "{a}\r\n--" B69 "0{/}"),
	GOOD("a boundary of special bchars", "'()+_,-./:=? x",
	    "--'()+_,-./:=? x\r\nContent-Disposition: form-data; name=a\r\n\r\n"
	    "1\r\n--'()+_,-./:=? x--",
	    "{a}1{/}"),

	BAD("an empty body", "AaB03x", "", "truncated body"),
	BAD("a body without delimiter", "AaB03x", "a=1&b=2", "truncated body"),
	BAD("a body without closing delimiter", "AaB03x",
	    "--AaB03x\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n",
	    "truncated body"),
	BAD("a body cut inside the headers", "AaB03x",
	    "--AaB03x\r\nContent-Disposition: form-da", "truncated body"),
	BAD("a body cut inside a closing delimiter", "AaB03x",
	    "--AaB03x\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n"
	    "--AaB03x-", "truncated body"),
	BAD("a part without headers", "AaB03x",
	    "--AaB03x\r\n\r\n1\r\n--AaB03x--",
	    "part without Content-Disposition"),
	BAD("a part without Content-Disposition", "AaB03x",
	    "--AaB03x\r\nContent-Type: text/plain\r\n\r\n1\r\n--AaB03x--",
	    "part without Content-Disposition"),
	BAD("Content-Disposition: attachment", "AaB03x",
	    "--AaB03x\r\nContent-Disposition: attachment; name=a\r\n\r\n1\r\n"
	    "--AaB03x--", "part is not form-data"),
	BAD("Content-Disposition: form-datax", "AaB03x",
	    "--AaB03x\r\nContent-Disposition: form-datax; name=a\r\n\r\n1\r\n"
	    "--AaB03x--", "part is not form-data"),
	BAD("a part without name", "AaB03x",
	    "--AaB03x\r\nContent-Disposition: form-data; filename=\"a\"\r\n\r\n"
	    "1\r\n--AaB03x--", "part without name"),
	BAD("an empty name", "AaB03x",
	    "--AaB03x\r\nContent-Disposition: form-data; name=\"\"\r\n\r\n"
	    "1\r\n--AaB03x--", "part without name"),
	BAD("two names", "AaB03x",
	    "--AaB03x\r\nContent-Disposition: form-data; name=a; name=b\r\n\r\n"
	    "1\r\n--AaB03x--", "duplicate name parameter"),
	BAD("two file names", "AaB03x",
	    "--AaB03x\r\nContent-Disposition: form-data; name=a; filename=b; "
	    "filename=c\r\n\r\n1\r\n--AaB03x--", "duplicate filename parameter"),
	BAD("two Content-Disposition headers", "AaB03x",
	    "--AaB03x\r\nContent-Disposition: form-data; name=a\r\n"
	    "Content-Disposition: form-data; name=b\r\n\r\n1\r\n--AaB03x--",
	    "duplicate Content-Disposition"),
	BAD("two Content-Type headers", "AaB03x",
	    "--AaB03x\r\nContent-Disposition: form-data; name=a\r\n"
	    "Content-Type: a/b\r\nContent-Type: c/d\r\n\r\n1\r\n--AaB03x--",
	    "duplicate Content-Type"),
	BAD("an empty Content-Type", "AaB03x",
	    "--AaB03x\r\nContent-Disposition: form-data; name=a\r\n"
	    "Content-Type:  \r\n\r\n1\r\n--AaB03x--", "empty Content-Type"),
	BAD("an unterminated quoted string", "AaB03x",
	    "--AaB03x\r\nContent-Disposition: form-data; name=\"a\r\n\r\n"
	    "1\r\n--AaB03x--", "bad Content-Disposition"),
	BAD("a quoted string ending in a backslash", "AaB03x",
	    "--AaB03x\r\nContent-Disposition: form-data; name=\"a\\\r\n\r\n"
	    "1\r\n--AaB03x--", "bad Content-Disposition"),
	BAD("a parameter without value", "AaB03x",
	    "--AaB03x\r\nContent-Disposition: form-data; name\r\n\r\n"
	    "1\r\n--AaB03x--", "bad Content-Disposition"),
	BAD("junk after a parameter", "AaB03x",
	    "--AaB03x\r\nContent-Disposition: form-data; name=\"a\" x\r\n\r\n"
	    "1\r\n--AaB03x--", "bad Content-Disposition"),
	BAD("a header line without colon", "AaB03x",
	    "--AaB03x\r\nContent-Disposition form-data; name=a\r\n\r\n"
	    "1\r\n--AaB03x--", "bad part header"),
	BAD("a header with an empty name", "AaB03x",
	    "--AaB03x\r\n: x\r\nContent-Disposition: form-data; name=a\r\n\r\n"
	    "1\r\n--AaB03x--", "bad part header"),
	BAD("a folded header", "AaB03x",
	    "--AaB03x\r\nContent-Disposition: form-data;\r\n name=a\r\n\r\n"
	    "1\r\n--AaB03x--", "folded part header"),
	BAD("a bare LF in the headers", "AaB03x",
	    "--AaB03x\r\nContent-Disposition: form-data; name=a\n\r\n"
	    "1\r\n--AaB03x--", "bare LF in part header"),
	BAD("a CR without LF in the headers", "AaB03x",
	    "--AaB03x\r\nContent-Disposition: form-data; name=a\r\r\n\r\n"
	    "1\r\n--AaB03x--", "CR without LF in part header"),
	BAD("a NUL in the headers", "AaB03x",
	    "--AaB03x\r\nContent-Disposition: form-data; name=\"a\0b\"\r\n\r\n"
	    "1\r\n--AaB03x--", "control character in part header"),
	BAD("bytes after a delimiter", "AaB03x",
	    "--AaB03x\r\nContent-Disposition: form-data; name=a\r\n\r\n"
	    "1\r\n--AaB03xyz\r\n--AaB03x--", "bad delimiter line"),
	BAD("a delimiter followed by LF only", "AaB03x",
	    "--AaB03x\nContent-Disposition: form-data; name=a\r\n\r\n"
	    "1\r\n--AaB03x--", "bad delimiter line"),
	BAD("a delimiter followed by CR only", "AaB03x",
	    "--AaB03x\rContent-Disposition: form-data; name=a\r\n\r\n"
	    "1\r\n--AaB03x--", "bad delimiter line"),
	BAD("padding before --", "AaB03x",
	    "--AaB03x\r\nContent-Disposition: form-data; name=a\r\n\r\n"
	    "1\r\n--AaB03x --", "bad delimiter line"),
	BAD("a half closing delimiter", "AaB03x",
	    "--AaB03x\r\nContent-Disposition: form-data; name=a\r\n\r\n"
	    "1\r\n--AaB03x-\r\n", "bad closing delimiter"),
	{ "part_begin aborts", "AaB03x",
	    S("--AaB03x\r\nContent-Disposition: form-data; name=stop\r\n\r\n"
	    "1\r\n--AaB03x--"), NULL, 0, "aborted by callback",
	    MULTIPART_EABORT },
	{ "part_end aborts", "AaB03x",
	    S("--AaB03x\r\nContent-Disposition: form-data; name=end\r\n\r\n"
	    "1\r\n--AaB03x--"), NULL, 0, "aborted by callback",
	    MULTIPART_EABORT },
};

static void
test_table(void)
{

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check(&cases[i]);
}

/* ---- generated cases: the limits ---- */

static char *
gen_part(char *p, const char *hdrs, const char *body)
{

	p += sprintf(p, "--AaB03x\r\n%s\r\n%s\r\n", hdrs, body);
	return (p);
}

/* A part with a header of n bytes (line included) named name. */
static void
limit_case(const char *what, const char *hdrs, const char *want,
    const char *err)
{
	size_t n = strlen(hdrs) + 200;
	char *in = malloc(n), *p = in;
	struct mpcase c = { what, "AaB03x", NULL, 0, want, 0, err,
	    err ? MULTIPART_EINVAL : 0 };

	if (in == NULL)
		abort();
	p = gen_part(p, hdrs, "v");
	p += sprintf(p, "--AaB03x--\r\n");
	c.in = in;
	c.len = (size_t)(p - in);
	c.wantlen = want ? strlen(want) : 0;
	check(&c);
	free(in);
}

static char *
repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	memset(s, c, n);
	s[n] = '\0';
	return (s);
}

static void
test_name_limits(void)
{
	char hdr[4096], want[4096], *v;

	v = repeat('n', MULTIPART_NAME_MAX);
	snprintf(hdr, sizeof(hdr), "Content-Disposition: form-data; name=\"%s\"\r\n", v);
	snprintf(want, sizeof(want), "{%s}v{/}", v);
	limit_case("a 128-byte name", hdr, want, NULL);
	free(v);
	v = repeat('n', MULTIPART_NAME_MAX + 1);
	snprintf(hdr, sizeof(hdr), "Content-Disposition: form-data; name=%s\r\n", v);
	limit_case("a 129-byte name", hdr, NULL, "field name too long");
	free(v);
	v = repeat('f', MULTIPART_FILENAME_MAX);
	snprintf(hdr, sizeof(hdr), "Content-Disposition: form-data; name=a; filename=\"%s\"\r\n", v);
	snprintf(want, sizeof(want), "{a,file=%s}v{/}", v);
	limit_case("a 1024-byte file name", hdr, want, NULL);
	free(v);
	v = repeat('f', MULTIPART_FILENAME_MAX + 1);
	snprintf(hdr, sizeof(hdr), "Content-Disposition: form-data; name=a; filename=\"%s\"\r\n", v);
	limit_case("a 1025-byte file name", hdr, NULL, "file name too long");
	free(v);
	v = repeat('t', MULTIPART_CTYPE_MAX);
	snprintf(hdr, sizeof(hdr), "Content-Disposition: form-data; name=a\r\nContent-Type: %s\r\n", v);
	snprintf(want, sizeof(want), "{a,type=%s}v{/}", v);
	limit_case("a 255-byte Content-Type", hdr, want, NULL);
	free(v);
	v = repeat('t', MULTIPART_CTYPE_MAX + 1);
	snprintf(hdr, sizeof(hdr), "Content-Disposition: form-data; name=a\r\nContent-Type: %s\r\n", v);
	limit_case("a 256-byte Content-Type", hdr, NULL, "part Content-Type too long");
	free(v);
}

/* A header block of exactly total bytes, blank line included. */
static void
header_block(size_t total, const char *what, const char *err)
{
	static const char disp[] = "Content-Disposition: form-data; name=a\r\n";
	size_t pad = total - (sizeof(disp) - 1) - 2 - strlen("X: \r\n");
	char *v = repeat('x', pad), *hdr = malloc(total + 1);

	if (hdr == NULL)
		abort();
	snprintf(hdr, total + 1, "%sX: %s\r\n", disp, v);
	limit_case(what, hdr, err ? NULL : "{a}v{/}", err);
	free(v);
	free(hdr);
}

static void
test_header_limits(void)
{

	header_block(MULTIPART_HEADERS_MAX, "an 8 KiB header block", NULL);
	header_block(MULTIPART_HEADERS_MAX + 1, "an 8 KiB + 1 header block",
	    "part headers too large");
}

static void
parts_case(unsigned nparts, const char *err)
{
	size_t cap = (size_t)nparts * 80 + 64;
	char *in = malloc(cap), *p = in, *want = malloc(cap);
	struct mpcase c = { NULL, "AaB03x", NULL, 0, want, 0, err,
	    err ? MULTIPART_EINVAL : 0 };
	char what[64];

	if (in == NULL || want == NULL)
		abort();
	want[0] = '\0';
	for (unsigned i = 0; i < nparts; i++) {
		p = gen_part(p, "Content-Disposition: form-data; name=p\r\n", "v");
		strcat(want, "{p}v{/}");
	}
	p += sprintf(p, "--AaB03x--\r\n");
	snprintf(what, sizeof(what), "%u parts", nparts);
	c.what = what;
	c.in = in;
	c.len = (size_t)(p - in);
	c.wantlen = strlen(want);
	check(&c);
	free(in);
	free(want);
}

static void
test_part_limits(void)
{

	parts_case(MULTIPART_PARTS_MAX, NULL);
	parts_case(MULTIPART_PARTS_MAX + 1, "too many parts");
}

static void
test_data_abort(void)
{
	static const char in[] = "--AaB03x\r\nContent-Disposition: form-data; "
	    "name=a\r\n\r\n0123456789\r\n--AaB03x--";
	struct log l = { 0 };
	const char *err;
	int rc;

	l.stop_data = 5;
	rc = parse("AaB03x", in, sizeof(in) - 1, BYTES, &l, &err);
	ok(rc == MULTIPART_EABORT && strcmp(err, "aborted by callback") == 0 &&
	    l.seen == 5, "part_data aborts (%s)", err);
	free(l.buf);
}

/* ---- multipart_boundary ---- */

static void
test_boundary(void)
{
	static const struct { const char *ct, *want; } v[] = {
		{ "multipart/form-data; boundary=" CHROME, CHROME },
		{ "multipart/form-data; boundary=" CURL, CURL },
		{ "multipart/form-data; boundary=" FIREFOX, FIREFOX },
		{ "Multipart/Form-Data; BOUNDARY=abc", "abc" },
		{ "multipart/form-data;boundary=abc", "abc" },
		{ " multipart/form-data ; charset=utf-8 ; boundary = abc ", "abc" },
		{ "multipart/form-data; boundary=\"a b:c?\"", "a b:c?" },
		{ "multipart/form-data; boundary=\"\\a\\b\"", "ab" },
		{ "multipart/form-data; boundary=abc;", "abc" },
		{ "multipart/form-data; boundary=" B70, B70 },
		{ "multipart/form-data; boundary=" B70 "1", NULL },
		{ "multipart/form-data; boundary=\"abc \"", NULL },
		{ "multipart/form-data; boundary=\"a\\\"b\"", NULL },
		{ "multipart/form-data; boundary=\"abc", NULL },
		{ "multipart/form-data; boundary=", NULL },
		{ "multipart/form-data; boundary=\"\"", NULL },
		{ "multipart/form-data; boundary=a; boundary=a", NULL },
		{ "multipart/form-data; boundary=abc def", NULL },
		{ "multipart/form-data; boundary=a&b", NULL },
		{ "multipart/form-data", NULL },
		{ "multipart/form-data; charset=utf-8", NULL },
		{ "multipart/mixed; boundary=abc", NULL },
		{ "multipart/form-datax; boundary=abc", NULL },
		{ "text/plain; boundary=abc", NULL },
		{ "application/x-www-form-urlencoded", NULL },
		{ "", NULL },
	};
	char out[MULTIPART_BOUNDARY_MAX + 1];
	int rc;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		rc = multipart_boundary(v[i].ct, strlen(v[i].ct), out, sizeof(out));
		if (v[i].want != NULL)
			ok(rc == 0 && strcmp(out, v[i].want) == 0,
			    "boundary of '%s'", v[i].ct);
		else
			ok(rc == -1, "no boundary in '%s'", v[i].ct);
	}
	ok(multipart_boundary("multipart/form-data; boundary=abc", 33, out, 3) == -1,
	    "boundary does not fit in outcap");
	ok(multipart_boundary("multipart/form-data; boundary=abcdef", 33, out,
	    sizeof(out)) == 0 && strcmp(out, "abc") == 0, "boundary honours len");
	ok(multipart_new("", &cbs, NULL) == NULL, "multipart_new rejects an empty boundary");
	ok(multipart_new(B70 "1", &cbs, NULL) == NULL, "multipart_new rejects 71 bytes");
	ok(multipart_new("a\"b", &cbs, NULL) == NULL, "multipart_new rejects non-bchars");
	multipart_free(NULL);
	ok(1, "multipart_free(NULL)");
}

/* ---- 50 MB streamed in constant memory ---- */

#define BIG_BOUNDARY "----oniondropBoundaryQ"
#define BIG_SIZE (50u << 20)

/*
 * Body bytes full of near-delimiters: "\r\n--" and all but the last byte of
 * the boundary. 'Q' (its last byte) never occurs otherwise, so the whole
 * delimiter never does.
 */
struct gen {
	uint8_t frag[64];
	size_t flen, fpos;
};

static uint8_t
gen_byte(struct gen *g)
{
	static const char delim[] = "\r\n--" BIG_BOUNDARY;
	uint64_t r;
	uint8_t c;

	if (g->fpos < g->flen)
		return (g->frag[g->fpos++]);
	r = rnd();
	if (r % 16 == 0) {
		g->flen = 1 + (r >> 8) % (sizeof(delim) - 2);
		memcpy(g->frag, delim, g->flen);
		g->fpos = 1;
		return (g->frag[0]);
	}
	c = (uint8_t)(r >> 16);
	return (c == 'Q' ? 'q' : c);
}

struct bigctx {
	crypto_generichash_state h;
	size_t n, parts;
};

static int
big_begin(void *ctx, const struct multipart_part *p)
{

	((struct bigctx *)ctx)->parts++;
	return (0);
}

static int
big_data(void *ctx, const uint8_t *buf, size_t len)
{
	struct bigctx *b = ctx;

	b->n += len;
	return (crypto_generichash_update(&b->h, buf, len));
}

static int
big_end(void *ctx)
{

	return (0);
}

static long
maxrss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_maxrss);
}

static void
test_big(void)
{
	static const struct multipart_callbacks bcb = { big_begin, big_data, big_end };
	static const char head[] = "--" BIG_BOUNDARY "\r\nContent-Disposition: "
	    "form-data; name=\"attachment\"; filename=\"big.bin\"\r\n\r\n";
	static const char tail[] = "\r\n--" BIG_BOUNDARY "--\r\n";
	crypto_generichash_state want;
	struct bigctx b = { .n = 0 };
	uint8_t chunk[4096], hw[32], hg[32];
	struct gen g = { .flen = 0 };
	struct multipart *mp = multipart_new(BIG_BOUNDARY, &bcb, &b);
	long rss0 = maxrss_kib();
	int rc;

	crypto_generichash_init(&want, NULL, 0, 32);
	crypto_generichash_init(&b.h, NULL, 0, 32);
	rc = multipart_feed(mp, (const uint8_t *)head, sizeof(head) - 1);
	for (size_t done = 0; rc == 0 && done < BIG_SIZE; done += sizeof(chunk)) {
		for (size_t i = 0; i < sizeof(chunk); i++)
			chunk[i] = gen_byte(&g);
		crypto_generichash_update(&want, chunk, sizeof(chunk));
		rc = multipart_feed(mp, chunk, sizeof(chunk));
	}
	if (rc == 0)
		rc = multipart_feed(mp, (const uint8_t *)tail, sizeof(tail) - 1);
	if (rc == 0)
		rc = multipart_finish(mp);
	crypto_generichash_final(&want, hw, 32);
	crypto_generichash_final(&b.h, hg, 32);
	ok(rc == 0 && b.parts == 1 && b.n == BIG_SIZE && memcmp(hw, hg, 32) == 0,
	    "50 MB part streamed byte-exact (%zu bytes, %s)", b.n,
	    multipart_error(mp));
	ok(maxrss_kib() - rss0 < 4096, "memory stayed constant (%ld KiB more)",
	    maxrss_kib() - rss0);
	multipart_free(mp);
}

int
main(void)
{

	if (sodium_init() < 0)
		return (1);
	test_table();
	test_name_limits();
	test_header_limits();
	test_part_limits();
	test_data_abort();
	test_boundary();
	test_big();
	return (tap_done());
}
