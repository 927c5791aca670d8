/* test_limits: per-circuit rate limits, receipts and form tokens. */
#include <ctype.h>
#include <string.h>

#include <sodium.h>

#include "form.h"
#include "ratelimit.h"
#include "receipt.h"
#include "tap.h"

static void
test_ratelimit(void)
{
	struct ratelimit *r = ratelimit_new(2, 64);
	time_t t = 1000000;
	int over = 0;

	ok(!ratelimit_over(r, 7, t), "a new circuit is under its limit");
	ratelimit_count(r, 7, t);
	ratelimit_count(r, 7, t + 1);
	ok(ratelimit_over(r, 7, t + 2), "two events: the third is over");
	ok(!ratelimit_over(r, 8, t + 2), "another circuit is not affected");
	ok(!ratelimit_over(r, 7, t + 3601), "a new hour, a new window");
	for (uint32_t c = 0; c < 10000; c++)
		ratelimit_count(r, c, t);
	for (uint32_t c = 0; c < 10000; c++)
		over += ratelimit_over(r, c, t);
	ok(over <= 64, "a table of 64 slots remembers at most 64 circuits (%d)", over);
	ratelimit_free(r);
	ratelimit_free(NULL);
}

static void
test_receipts(void)
{
	uint8_t secret[STORE_SECRET_BYTES], h1[32], h2[32], h3[32];
	char r[RECEIPT_TEXT_MAX + 1], messy[64], other[RECEIPT_TEXT_MAX + 1];

	randombytes_buf(secret, sizeof(secret));
	receipt_new(r);
	ok(strlen(r) == 29 && r[5] == '-' && r[23] == '-', "receipt is 5 groups of 5: %s", r);
	ok(receipt_hash(h1, secret, r, strlen(r)) == 0, "a receipt hashes");
	/* upper case (letters only: a receipt also has digits), spaces */
	snprintf(messy, sizeof(messy), "  %c%c%c%c%c %s\n", toupper((unsigned char)r[0]),
	    toupper((unsigned char)r[1]), r[2], r[3], r[4], r + 6);
	ok(receipt_hash(h2, secret, messy, strlen(messy)) == 0 && memcmp(h1, h2, 32) == 0,
	    "case, spaces and dashes do not matter");
	receipt_new(other);
	receipt_hash(h3, secret, other, strlen(other));
	ok(memcmp(h1, h3, 32) != 0, "two receipts differ");
	ok(receipt_hash(h2, secret, "<script>", 8) != 0, "garbage is not a receipt");
	ok(receipt_hash(h2, secret, "aaaaa-bbbbb", 11) != 0, "a short one neither");
}

static void
test_tokens(void)
{
	uint8_t secret[STORE_SECRET_BYTES], other[STORE_SECRET_BYTES];
	char t[TOKEN_TEXT_LEN + 1];
	time_t now = 1800000000;

	randombytes_buf(secret, sizeof(secret));
	randombytes_buf(other, sizeof(other));
	token_make(t, secret, now);
	ok(token_check(secret, t, strlen(t), now), "a fresh token is valid");
	ok(token_check(secret, t, strlen(t), now + 23 * 3600), "still valid after 23 hours");
	ok(!token_check(secret, t, strlen(t), now + 26 * 3600), "not after a day");
	ok(!token_check(secret, t, strlen(t), now - 7200), "not from the future");
	ok(!token_check(other, t, strlen(t), now), "not under another secret");
	t[39] = t[39] == '0' ? '1' : '0';
	ok(!token_check(secret, t, strlen(t), now), "a changed token is refused");
	ok(!token_check(secret, "", 0, now), "an empty token is refused");
}

static void
test_urls(void)
{
	static const struct { const char *url; int ok; } v[] = {
		{ "http://example.org/a", 1 }, { "HTTPS://Example.org", 1 },
		{ "http://abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz23.onion/x", 1 },
		{ "example.org/path?x=1", 1 }, { "x.onion", 1 },
		{ "javascript:alert(1)", 0 }, { "javascript:alert(document.cookie)", 0 },
		{ "ftp://example.org", 0 }, { "http://", 0 }, { "http:///x", 0 },
		{ "two words.org", 0 }, { "nodot", 0 }, { ".org", 0 }, { "", 0 },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		ok(form_url_ok(v[i].url, strlen(v[i].url)) == v[i].ok, "url %s: %s",
		    v[i].url, v[i].ok ? "accepted" : "refused");
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_ratelimit();
	test_receipts();
	test_tokens();
	test_urls();
	return tap_done();
}
