/*
 * test_urlencoded: daemon/urlencoded. Every case is fed whole, byte by byte
 * and at random split points; valid cases must give the same fields each
 * time, errors the same result and message. Covers the bodies browsers and
 * curl send, escapes split across feeds, every error rule and limit, and a
 * 16 MB value streamed in constant memory.
 */
#include <sys/resource.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "tap.h"
#include "urlencoded.h"

/* ---- collecting what the parser reports ---- */

struct log {
	char *buf;
	size_t len, cap;
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

static int
cb_begin(void *ctx, const char *name)
{

	log_add(ctx, "{", 1);
	log_add(ctx, name, strlen(name));
	log_add(ctx, "}", 1);
	return (strcmp(name, "stop") == 0);
}

static int
cb_data(void *ctx, const uint8_t *buf, size_t len)
{

	log_add(ctx, buf, len);
	return (len > 0 && buf[0] == '!');
}

static int
cb_end(void *ctx)
{
	struct log *l = ctx;

	log_add(l, "{/}", 3);
	return (l->len >= 5 && memcmp(l->buf, "{end}", 5) == 0);
}

static const struct urlencoded_callbacks cbs = { cb_begin, cb_data, cb_end };

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

enum split { WHOLE, BYTES, RANDOM };

static size_t
piece(enum split how, size_t left)
{
	size_t n;

	if (how == WHOLE)
		return (left);
	if (how == BYTES)
		return (1);
	n = (rnd() % 4 == 0) ? 1 + rnd() % 200 : 1 + rnd() % 5;
	return (n < left ? n : left);
}

static int
parse(const char *in, size_t len, enum split how, struct log *l,
    const char **err)
{
	struct urlencoded *ue = urlencoded_new(&cbs, l);
	size_t off = 0, n;
	int rc = 0;

	if (ue == NULL)
		abort();
	while (rc == 0 && off < len) {
		n = piece(how, len - off);
		rc = urlencoded_feed(ue, (const uint8_t *)in + off, n);
		off += n;
	}
	if (rc == 0)
		rc = urlencoded_finish(ue);
	*err = urlencoded_error(ue);
	urlencoded_free(ue);
	return (rc);
}

struct uecase {
	const char *what;
	const char *in;
	size_t len;
	const char *want;
	size_t wantlen;
	const char *err;	/* NULL on success */
	int rc;
};

/*
 * Check one case in every split mode. Output before an error may be cut at
 * different points, so errors compare the result and message only.
 */
static void
check(const struct uecase *c)
{
	static const char *mode[] = { "whole", "byte by byte", "random splits" };
	struct log l;
	const char *err;
	int rc, good;

	for (int how = WHOLE; how <= RANDOM; how++) {
		good = 1;
		for (int rep = 0; rep < (how == RANDOM ? 32 : 1); rep++) {
			memset(&l, 0, sizeof(l));
			rc = parse(c->in, c->len, how, &l, &err);
			if (c->err == NULL)
				good &= (rc == 0 && l.len == c->wantlen &&
				    (l.len == 0 || memcmp(l.buf, c->want, l.len) == 0));
			else
				good &= (rc == c->rc && strcmp(err, c->err) == 0);
			free(l.buf);
		}
		if (c->err == NULL)
			ok(good, "%s (%s)", c->what, mode[how]);
		else
			ok(good, "%s is an error: %s (%s)", c->what, c->err,
			    mode[how]);
	}
}

#define S(s) s, sizeof(s) - 1
#define GOOD(what, in, want) { what, S(in), S(want), NULL, 0 }
#define BAD(what, in, err) { what, S(in), NULL, 0, err, URLENCODED_EINVAL }

static const struct uecase cases[] = {
	GOOD("two fields", "a=1&b=2", "{a}1{/}{b}2{/}"),
	GOOD("an empty body", "", ""),
	GOOD("empty pairs are skipped", "&&a=1&&b=2&", "{a}1{/}{b}2{/}"),
	GOOD("a pair without '='", "a", "{a}{/}"),
	GOOD("pairs without value", "a&b=&c", "{a}{/}{b}{/}{c}{/}"),
	GOOD("'+' is a space", "a+b=c+d++", "{a b}c d  {/}"),
	GOOD("percent escapes", "%41%62=%7e%7E%2B%25%26%3D", "{Ab}~~+%&={/}"),
	GOOD("'=' in a value", "a=b=c&d==", "{a}b=c{/}{d}={/}"),
	GOOD("binary values", "v=%00%FF%0d%0A%00", "{v}\0\xff\r\n\0{/}"),
	GOOD("raw bytes pass through", "v=caf\xc3\xa9\r\n x", "{v}caf\xc3\xa9\r\n x{/}"),
	GOOD("a browser report form",
	    "urls=https%3A%2F%2Fexample.com%2Fa%0D%0Ahttps%3A%2F%2Fexample.org"
	    "&category=fraud&description=caf%C3%A9+%D8%B9%D8%B1%D8%A8%D9%8A%3F"
	    "&token=Zm9v",
	    "{urls}https://example.com/a\r\nhttps://example.org{/}"
	    "{category}fraud{/}{description}caf\xc3\xa9 \xd8\xb9\xd8\xb1\xd8\xa8"
	    "\xd9\x8a?{/}{token}Zm9v{/}"),
	GOOD("curl --data-urlencode", "receipt=abc%20def", "{receipt}abc def{/}"),
	GOOD("the same name twice", "a=1&a=2", "{a}1{/}{a}2{/}"),
	GOOD("an escaped name", "%C3%A9t%C3%A9=1", "{\xc3\xa9t\xc3\xa9}1{/}"),

	BAD("an invalid escape", "a=%G1", "invalid percent escape"),
	BAD("an invalid second digit", "a=%1G", "invalid percent escape"),
	BAD("an escape cut by '&'", "a=%1&b=2", "invalid percent escape"),
	BAD("an invalid escape in a name", "%zz=1", "invalid percent escape"),
	BAD("'%' at the end", "a=%", "truncated percent escape"),
	BAD("'%X' at the end", "a=%4", "truncated percent escape"),
	BAD("'%' at the end of a name", "a%", "truncated percent escape"),
	BAD("an empty name", "=1", "empty field name"),
	BAD("an empty name later", "a=1&=", "empty field name"),
	BAD("a NUL in a name", "a%00=1", "NUL in field name"),
	{ "field_begin aborts", S("a=1&stop=2"), NULL, 0, "aborted by callback",
	    URLENCODED_EABORT },
	{ "field_data aborts", S("a=%21"), NULL, 0, "aborted by callback",
	    URLENCODED_EABORT },
	{ "field_end aborts", S("end"), NULL, 0, "aborted by callback",
	    URLENCODED_EABORT },
};

static void
test_table(void)
{

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check(&cases[i]);
}

/* ---- generated cases: the limits ---- */

static void
gen_case(const char *what, const char *in, const char *want, const char *err)
{
	struct uecase c = { what, in, strlen(in), want, want ? strlen(want) : 0,
	    err, err ? URLENCODED_EINVAL : 0 };

	check(&c);
}

static void
test_name_limit(void)
{
	char name[URLENCODED_NAME_MAX + 2], in[1024], want[1024];

	memset(name, 'n', sizeof(name) - 2);
	name[sizeof(name) - 2] = '\0';
	snprintf(in, sizeof(in), "%s=v", name);
	snprintf(want, sizeof(want), "{%s}v{/}", name);
	gen_case("a 128-byte name", in, want, NULL);
	snprintf(in, sizeof(in), "%%41%s", name + 1);
	snprintf(want, sizeof(want), "{A%s}{/}", name + 1);
	gen_case("a 128-byte escaped name without value", in, want, NULL);
	snprintf(in, sizeof(in), "%sn=v", name);
	gen_case("a 129-byte name", in, NULL, "field name too long");
	snprintf(in, sizeof(in), "%s%%41", name);
	gen_case("a 129-byte escaped name", in, NULL, "field name too long");
}

static void
fields_case(unsigned n, const char *err)
{
	char *in = malloc(n * 8 + 1), *want = malloc(n * 8 + 1), what[64];

	if (in == NULL || want == NULL)
		abort();
	in[0] = want[0] = '\0';
	for (unsigned i = 0; i < n; i++) {
		strcat(in, i ? "&f=v" : "f=v");
		strcat(want, "{f}v{/}");
	}
	snprintf(what, sizeof(what), "%u fields", n);
	gen_case(what, in, err ? NULL : want, err);
	free(in);
	free(want);
}

static void
test_field_limit(void)
{

	fields_case(URLENCODED_FIELDS_MAX, NULL);
	fields_case(URLENCODED_FIELDS_MAX + 1, "too many fields");
}

static void
test_misuse(void)
{
	struct log l = { 0 };
	struct urlencoded *ue = urlencoded_new(&cbs, &l);

	ok(urlencoded_feed(ue, (const uint8_t *)"a=1", 3) == 0 &&
	    urlencoded_finish(ue) == 0, "a body parses");
	ok(urlencoded_feed(ue, (const uint8_t *)"&b", 2) == URLENCODED_EINVAL,
	    "feeding after finish fails (%s)", urlencoded_error(ue));
	ok(urlencoded_feed(ue, (const uint8_t *)"", 0) == URLENCODED_EINVAL,
	    "and keeps failing");
	urlencoded_free(ue);
	urlencoded_free(NULL);
	ok(1, "urlencoded_free(NULL)");
	free(l.buf);
}

/* ---- a 16 MB value streamed in constant memory ---- */

#define BIG_SIZE (16u << 20)

struct bigctx {
	crypto_generichash_state h;
	size_t n, fields;
};

static int
big_begin(void *ctx, const char *name)
{

	((struct bigctx *)ctx)->fields++;
	return (strcmp(name, "description") != 0);
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

/* Encode n random bytes into out the way a browser would; return its length. */
static size_t
big_chunk(char *out, crypto_generichash_state *want, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t c = (uint8_t)(rnd() >> 24);
		if (c % 3 == 0)
			c = 'a' + c % 26;
		crypto_generichash_update(want, &c, 1);
		if (c == ' ')
			out[o++] = '+';
		else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			out[o++] = (char)c;
		else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	return (o);
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
	static const struct urlencoded_callbacks bcb = { big_begin, big_data, big_end };
	struct bigctx b = { .n = 0 };
	struct urlencoded *ue = urlencoded_new(&bcb, &b);
	crypto_generichash_state want;
	char chunk[3 * 1500];
	uint8_t hw[32], hg[32];
	long rss0 = maxrss_kib();
	size_t done = 0, n;
	int rc;

	crypto_generichash_init(&want, NULL, 0, 32);
	crypto_generichash_init(&b.h, NULL, 0, 32);
	rc = urlencoded_feed(ue, (const uint8_t *)"description=", 12);
	while (rc == 0 && done < BIG_SIZE) {
		n = big_chunk(chunk, &want, 1500);
		done += 1500;
		/* Odd piece sizes so that escapes straddle feeds. */
		for (size_t off = 0, k; rc == 0 && off < n; off += k) {
			k = n - off < 4093 ? n - off : 4093;
			rc = urlencoded_feed(ue, (const uint8_t *)chunk + off, k);
		}
	}
	if (rc == 0)
		rc = urlencoded_finish(ue);
	crypto_generichash_final(&want, hw, 32);
	crypto_generichash_final(&b.h, hg, 32);
	ok(rc == 0 && b.fields == 1 && b.n == done && memcmp(hw, hg, 32) == 0,
	    "16 MB value streamed byte-exact (%zu bytes, %s)", b.n,
	    urlencoded_error(ue));
	ok(maxrss_kib() - rss0 < 4096, "memory stayed constant (%ld KiB more)",
	    maxrss_kib() - rss0);
	urlencoded_free(ue);
}

int
main(void)
{

	if (sodium_init() < 0)
		return (1);
	test_table();
	test_name_limit();
	test_field_limit();
	test_misuse();
	test_big();
	return (tap_done());
}
