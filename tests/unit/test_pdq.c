/*
 * test_pdq: client-keys/pdq's hex text (strict: exactly 64 hex digits),
 * its distance against a bit-by-bit count, the bit order of the text, and
 * the hasher's bounds: refused sizes, tiny and flat images, a row stride
 * with padding, an image resampled from over 512 pixels. The hashes
 * themselves are compared with Meta's reference by the desk-pdq scenario.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pdq.h"
#include "tap.h"

/* Two hashes of the reference vectors (b1, b2). */
static const char b1[] =
    "3f01cb8ee9a03ce0353a9ea84b444deee679ebf88f74f11cc89e9cd63a6f0001";
static const char b2[] =
    "f12957d86162bfe18765de126bb5b284ead02ddc2585b4bafee8845cae0626b0";

static int
slow_distance(const struct pdq_hash *a, const struct pdq_hash *b)
{
	int n = 0;

	for (int i = 0; i < PDQ_HASH_BYTES * 8; i++)
		n += ((a->b[i / 8] ^ b->b[i / 8]) >> (i % 8)) & 1;
	return n;
}

static void
test_text(void)
{
	struct pdq_hash h, g;
	char out[PDQ_HEX_LEN + 1], upper[PDQ_HEX_LEN + 1], bad[PDQ_HEX_LEN + 2];
	static const char *wrong[] = { "g", " ", "\n", "+", "-", "x", "\0" };

	ok(pdq_parse(&h, b1, strlen(b1)) == 0, "a reference hash parses");
	pdq_format(out, &h);
	ok(strcmp(out, b1) == 0, "and formats back the same");
	ok(h.b[0] == 0x3f && h.b[31] == 0x01, "its first digits are b[0]");
	for (size_t i = 0; i < PDQ_HEX_LEN; i++)
		upper[i] = (char)(b1[i] >= 'a' ? b1[i] - 32 : b1[i]);
	upper[PDQ_HEX_LEN] = '\0';
	ok(pdq_parse(&g, upper, PDQ_HEX_LEN) == 0 && memcmp(&g, &h, sizeof(h)) == 0,
	    "upper case parses to the same hash");
	pdq_format(out, &g);
	ok(strcmp(out, b1) == 0, "and formats in lower case");

	memset(&g, 0xaa, sizeof(g));
	ok(pdq_parse(&g, b1, PDQ_HEX_LEN - 1) != 0, "63 digits are refused");
	memcpy(bad, b1, PDQ_HEX_LEN);
	bad[PDQ_HEX_LEN] = '0';
	ok(pdq_parse(&g, bad, PDQ_HEX_LEN + 1) != 0, "65 digits are refused");
	ok(pdq_parse(&g, "0x", 2) != 0, "a short text is refused");
	ok(pdq_parse(&g, "", 0) != 0, "an empty text is refused");
	for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
		for (size_t at = 0; at < PDQ_HEX_LEN; at += 21) {
			memcpy(bad, b1, PDQ_HEX_LEN);
			bad[at] = wrong[i][0];
			ok(pdq_parse(&g, bad, PDQ_HEX_LEN) != 0,
			    "byte 0x%02x at %zu is refused", wrong[i][0], at);
		}
	}
	ok(g.b[0] == 0xaa && g.b[31] == 0xaa, "a refused text leaves the hash");
}

static void
test_distance(void)
{
	struct pdq_hash a, b, c;

	pdq_parse(&a, b1, PDQ_HEX_LEN);
	pdq_parse(&b, b2, PDQ_HEX_LEN);
	is_int(pdq_distance(&a, &a), 0, "a hash is at distance 0 of itself");
	is_int(pdq_distance(&a, &b), slow_distance(&a, &b),
	    "b1 to b2 counted bit by bit");
	is_int(pdq_distance(&b, &a), pdq_distance(&a, &b), "it is symmetric");
	for (size_t i = 0; i < PDQ_HASH_BYTES; i++)
		c.b[i] = (uint8_t)~a.b[i];
	is_int(pdq_distance(&a, &c), 256, "the complement is at 256");
	int ones = 1;
	for (int bit = 0; bit < 256; bit++) {
		c = a;
		c.b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		ones &= pdq_distance(&a, &c) == 1;
	}
	ok(ones, "each single flipped bit is at distance 1");
}

/* w x h pseudo-random pixels in rows of stride bytes (padding random too). */
static uint8_t *
noise(size_t w, size_t h, size_t stride, uint32_t seed)
{
	uint8_t *p = malloc(stride * h);

	for (size_t i = 0; p != NULL && i < stride * h; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
	return p;
}

/* A copy of the w x h image in rows of stride bytes, padding random. */
static uint8_t *
restride(const uint8_t *src, size_t w, size_t h, size_t stride)
{
	uint8_t *p = noise(w, h, stride, 7);

	for (size_t y = 0; p != NULL && y < h; y++)
		memcpy(p + y * stride, src + y * 3 * w, 3 * w);
	return p;
}

static void
test_strides(size_t w, size_t h)
{
	uint8_t *img = noise(w, h, 3 * w, (uint32_t)(w * h));
	uint8_t *padded = restride(img, w, h, 3 * w + 13);
	struct pdq_hash a, b;
	int qa = -1, qb = -2, done;

	ok(img != NULL && padded != NULL, "%zux%zu images made", w, h);
	done = pdq_hash_rgb(img, w, h, 3 * w, &a, &qa) == 0 &&
	    pdq_hash_rgb(padded, w, h, 3 * w + 13, &b, &qb) == 0;
	ok(done && pdq_distance(&a, &b) == 0 && qa == qb,
	    "%zux%zu: padding after each row changes nothing (quality %d)",
	    w, h, qa);
	free(img);
	free(padded);
}

static void
test_bounds(void)
{
	uint8_t px[3 * 8 * 8];
	struct pdq_hash h, zero;
	int q;

	memset(px, 0x55, sizeof(px));
	memset(&zero, 0, sizeof(zero));
	errno = 0;
	ok(pdq_hash_rgb(px, PDQ_SIDE_MAX + 1, 1, 3 * (PDQ_SIDE_MAX + 1), &h,
	    &q) == -1 && errno == EFBIG, "a side over PDQ_SIDE_MAX is refused");
	errno = 0;
	ok(pdq_hash_rgb(px, 1, PDQ_SIDE_MAX + 1, 3, &h, &q) == -1 &&
	    errno == EFBIG, "a height over PDQ_SIDE_MAX is refused");
	errno = 0;
	ok(pdq_hash_rgb(px, 8, 8, 23, &h, &q) == -1 && errno == EINVAL,
	    "a stride under 3 * width is refused");
	ok(pdq_hash_rgb(px, 4, 8, 12, &h, &q) == 0 && q == 0 &&
	    memcmp(&h, &zero, sizeof(h)) == 0,
	    "4 pixels wide: the zero hash, quality 0");
	ok(pdq_hash_rgb(px, 8, 8, 24, &h, &q) == 0 && q == 0,
	    "a flat 8x8 image has quality 0");
}

int
main(void)
{
	test_text();
	test_distance();
	test_bounds();
	test_strides(5, 5);
	test_strides(64, 64);	/* the reference's unfiltered case */
	test_strides(300, 200);
	test_strides(1031, 517);	/* resampled to 512x512 */
	return tap_done();
}
