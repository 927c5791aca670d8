/*
 * test_attscan: client-keys/attscan, what decrypt learns of each
 * attachment as it streams by. PNGs made here with libpng, fed in odd
 * pieces: the digests are those of the whole file, the image is held
 * whole (past SNIFF_HEAD_MAX too) and decoded to its size and the PDQ
 * hash of its pixels; a file that is not an image keeps only its first
 * SNIFF_HEAD_MAX bytes held (or the caller's bound) and starts no
 * decoder; a broken image is an image_error, not a failure; an
 * attachment cut short and reset leaves nothing behind (the next one's
 * digests are its own, the held bytes are wiped); the held bytes are not
 * in a forked child; metadata warnings come as a JSON array; a hash list
 * of a case file flags an exact SHA-256 and a near PDQ hash, with its
 * list and grade. An image's end leaves it pending with a decoder while
 * other attachments go on; once every decoder has one, the next image
 * waits until one is received.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <png.h>
#include <sodium.h>

#include "attscan.h"
#include "cases.h"
#include "imgchild.h"
#include "known.h"
#include "sniff.h"
#include "tap.h"

#define W 96
#define H 64

static uint8_t pixels[W * H * 3];
static const size_t pieces[] = { 1, 7, 4093, 65537, 3, 100003 };
static char tmp[] = "/tmp/test_attscan.XXXXXX";

/* Forty overlapping rectangles: edges everywhere, no symmetry. */
static void
make_pixels(void)
{
	uint32_t r = 12345;

	memset(pixels, 128, sizeof(pixels));
	for (int i = 0; i < 40; i++) {
		int x0, y0, w, h;
		uint8_t c[3];

		r = r * 1103515245 + 12345;
		x0 = (int)(r >> 8) % W, y0 = (int)(r >> 18) % H;
		r = r * 1103515245 + 12345;
		w = 4 + (int)(r >> 8) % 30, h = 4 + (int)(r >> 18) % 20;
		c[0] = (uint8_t)(r >> 3), c[1] = (uint8_t)(r >> 11);
		c[2] = (uint8_t)(r >> 24);
		for (int y = y0; y < y0 + h && y < H; y++)
			for (int x = x0; x < x0 + w && x < W; x++)
				memcpy(&pixels[3 * (y * W + x)], c, 3);
	}
}

static uint8_t *
make_png(const uint8_t *rgb, uint32_t w, uint32_t h, size_t *len)
{
	png_image img;
	uint8_t *mem;

	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	img.width = w;
	img.height = h;
	img.format = PNG_FORMAT_RGB;
	*len = 0;
	png_image_write_to_memory(&img, NULL, len, 0, rgb, 0, NULL);
	mem = malloc(*len);
	if (mem == NULL || !png_image_write_to_memory(&img, mem, len, 0, rgb,
	    0, NULL))
		abort();
	return mem;
}

/* Feed data in odd pieces; 0 if every piece was taken. */
static int
feed(struct attscan *s, const uint8_t *data, size_t len)
{
	for (size_t off = 0, i = 0; off < len; i++) {
		size_t n = pieces[i % (sizeof(pieces) / sizeof(pieces[0]))];

		if (n > len - off)
			n = len - off;
		if (attscan_data(s, data + off, n) != 0)
			return -1;
		off += n;
	}
	return 0;
}

/* The digests of data as digests.c gives them in one piece. */
static void
whole_digests(const uint8_t *data, size_t len, struct digests_out *out)
{
	struct digests *d = digests_new();

	if (d == NULL || digests_update(d, data, len) != 0 ||
	    digests_end(d, out) != 0)
		abort();
	digests_free(d);
}

/* attscan_end, and the decoder's answer if it has the image. */
static int
end(struct attscan *s, struct attscan_result *r)
{
	return attscan_end(s, r) == 0 && attscan_receive(s, r) == 0 &&
	    !r->pending ? 0 : -1;
}

static void
test_empty(struct attscan *s)
{
	struct attscan_result r;

	ok(attscan_end(s, &r) == 0, "an empty attachment is scanned");
	ok(strcmp(r.dg.sha256_hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4"
	    "649b934ca495991b7852b855") == 0 && strcmp(r.dg.md5_hex,
	    "d41d8cd98f00b204e9800998ecf8427e") == 0,
	    "... the empty stream's digests");
	ok(strcmp(r.type, "application/octet-stream") == 0 && !r.image &&
	    !r.known && strcmp(r.warnings, "[]") == 0,
	    "... application/octet-stream, no image, no warning (%s)",
	    r.warnings);
	attscan_result_clear(&r);
	attscan_reset(s);
}

static void
test_png(struct attscan *s, const uint8_t *png, size_t len)
{
	struct attscan_result r;
	struct digests_out want;
	struct pdq_hash hash;
	char hex[PDQ_HEX_LEN + 1];
	int quality;

	whole_digests(png, len, &want);
	pdq_hash_rgb(pixels, W, H, 3 * W, &hash, &quality);
	pdq_format(hex, &hash);
	ok(feed(s, png, len) == 0 && attscan_holds_all(s) &&
	    attscan_size(s) == len, "a PNG fed in pieces is held whole");
	ok(end(s, &r) == 0 && r.image && r.decoded,
	    "... and decoded (%s)", r.image_error);
	ok(memcmp(&r.dg, &want, sizeof(want)) == 0,
	    "... its MD5, SHA-1 and SHA-256 are the whole file's");
	ok(strcmp(r.type, "image/png") == 0 && r.width == W && r.height == H,
	    "... image/png, %ux%u", (unsigned)r.width, (unsigned)r.height);
	ok(strcmp(r.pdq, hex) == 0 && r.quality == quality,
	    "... the PDQ hash of its pixels (quality %d)", r.quality);
	ok(strcmp(r.warnings, "[]") == 0 && !r.known,
	    "... no metadata, not known (no lists)");
	attscan_result_clear(&r);
	attscan_reset(s);
}

static void
test_large_png(struct attscan *s)
{
	static uint8_t noise[400 * 300 * 3];
	static const uint8_t seed[randombytes_SEEDBYTES] = { 7 };
	struct attscan_result r;
	const uint8_t *p;
	uint8_t *png;
	size_t len;

	randombytes_buf_deterministic(noise, sizeof(noise), seed);
	png = make_png(noise, 400, 300, &len);
	ok(len > SNIFF_HEAD_MAX, "a PNG of %zu bytes, over SNIFF_HEAD_MAX",
	    len);
	ok(feed(s, png, len) == 0 && attscan_holds_all(s) &&
	    attscan_held(s, &p) == len && memcmp(p, png, len) == 0,
	    "... is held whole though the bound is 0: it is an image");
	ok(end(s, &r) == 0 && r.decoded && r.width == 400,
	    "... and decoded (%s)", r.image_error);
	attscan_result_clear(&r);
	attscan_reset(s);
	free(png);
}

/* Is p not mapped? The kernel says so when asked to copy from it. */
static int
not_mapped(const uint8_t *p)
{
	int fd[2], rc;

	if (pipe(fd) != 0)
		abort();
	rc = write(fd[1], p, 1) < 0 && errno == EFAULT;
	close(fd[0]);
	close(fd[1]);
	return rc;
}

static void
test_not_image(struct attscan *s, size_t bound)
{
	static uint8_t data[(1 << 20) + 100];
	struct attscan_result r;
	const uint8_t *p;
	size_t keep = bound < SNIFF_HEAD_MAX ? SNIFF_HEAD_MAX : bound;
	pid_t pid;
	int status;

	memset(data, 'x', sizeof(data));
	memcpy(data, "%PDF-1.4\n", 9);
	ok(feed(s, data, keep) == 0 && attscan_holds_all(s),
	    "bound %zu: a PDF of %zu bytes is held whole", bound, keep);
	ok(attscan_data(s, data + keep, 1) == 0 && !attscan_holds_all(s) &&
	    attscan_held(s, &p) == keep && memcmp(p, data, keep) == 0,
	    "... a byte more: only its first %zu bytes stay held", keep);
	ok(feed(s, data + keep + 1, 99) == 0 && !attscan_holds_all(s) &&
	    attscan_held(s, &p) == keep, "... and no more are held after");
	fflush(stdout);
	if ((pid = fork()) == 0)
		_exit(not_mapped(p) ? 0 : 1);
	waitpid(pid, &status, 0);
	ok(!not_mapped(p) && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "... a forked child has none of the held bytes (not mapped)");
	ok(attscan_end(s, &r) == 0 && strcmp(r.type, "application/pdf") == 0 &&
	    !r.image && r.image_error[0] == '\0' &&
	    strcmp(r.warnings, "[]") == 0,
	    "... application/pdf: no image, no decoder, no warning");
	attscan_result_clear(&r);
	attscan_reset(s);
	ok(p[0] == 0 && p[keep - 1] == 0, "... reset wipes the held bytes");
}

static void
test_reset(struct attscan *s, const uint8_t *png, size_t len)
{
	static const uint8_t junk[5000] = { 1, 2, 3 };
	struct attscan_result r;
	struct digests_out want;
	uint8_t *broken = malloc(len / 2);

	whole_digests(png, len, &want);
	ok(feed(s, junk, sizeof(junk)) == 0, "an attachment cut short...");
	attscan_reset(s);
	ok(feed(s, png, len) == 0 && end(s, &r) == 0 &&
	    memcmp(&r.dg, &want, sizeof(want)) == 0 && r.decoded,
	    "... reset: the next one's digests and image are its own");
	attscan_result_clear(&r);
	attscan_reset(s);
	memcpy(broken, png, len / 2);
	ok(feed(s, broken, len / 2) == 0 && end(s, &r) == 0 &&
	    r.image && !r.decoded && r.image_error[0] != '\0' &&
	    r.pdq[0] == '\0', "half a PNG: an image refused, not a failure "
	    "(%s)", r.image_error);
	attscan_result_clear(&r);
	attscan_reset(s);
	free(broken);
}

/*
 * Images pending with the decoders: a PDF ends meanwhile; once each
 * decoder has one, the next image cannot end until one is received; then
 * all decode, each with its own digests.
 */
static void
test_pending(struct attscan *s, const uint8_t *png, size_t len)
{
	static const char pdf[] = "%PDF-1.4\n";
	static struct attscan_result r[ATTSCAN_DECODERS + 1];
	struct attscan_result other;
	struct digests_out want;
	int pending = 1, decoded = 1, distinct = 1;

	whole_digests(png, len, &want);
	for (int i = 0; i < ATTSCAN_DECODERS; i++) {
		pending &= feed(s, png, len) == 0 && !attscan_needs_decoder(s) &&
		    attscan_end(s, &r[i]) == 0 && r[i].pending && !r[i].decoded;
		distinct &= i == 0 || r[i].decoder != r[i - 1].decoder;
		attscan_reset(s);
	}
	ok(pending && distinct, "%d PNGs end pending, each with a decoder "
	    "of its own", ATTSCAN_DECODERS);
	ok(feed(s, (const uint8_t *)pdf, sizeof(pdf) - 1) == 0 &&
	    !attscan_needs_decoder(s) && attscan_end(s, &other) == 0 &&
	    !other.pending && strcmp(other.type, "application/pdf") == 0,
	    "... a PDF ends meanwhile, without a decoder");
	attscan_result_clear(&other);
	attscan_reset(s);
	ok(feed(s, png, len) == 0 && attscan_needs_decoder(s) &&
	    attscan_end(s, &other) == -1, "... another PNG cannot end before "
	    "one is received");
	ok(attscan_receive(s, &r[0]) == 0 && !r[0].pending && r[0].decoded &&
	    r[0].width == W, "... the first then comes decoded");
	ok(!attscan_needs_decoder(s) &&
	    attscan_end(s, &r[ATTSCAN_DECODERS]) == 0 &&
	    r[ATTSCAN_DECODERS].pending, "... and the other PNG ends pending");
	for (int i = 1; i <= ATTSCAN_DECODERS; i++)
		decoded &= attscan_receive(s, &r[i]) == 0 && !r[i].pending &&
		    r[i].decoded && strcmp(r[i].pdq, r[0].pdq) == 0;
	for (int i = 0; i <= ATTSCAN_DECODERS; i++) {
		decoded &= memcmp(&r[i].dg, &want, sizeof(want)) == 0;
		attscan_result_clear(&r[i]);
	}
	ok(decoded, "... all %d decoded alike, their digests their own",
	    ATTSCAN_DECODERS + 1);
	attscan_reset(s);
}

/* PNG's CRC-32 (ISO 3309), bit by bit. */
static uint32_t
crc32_png(const uint8_t *p, size_t len)
{
	uint32_t c = 0xffffffffu;

	for (size_t i = 0; i < len; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return ~c;
}

/* A PNG with a tEXt Author chunk before IEND: one metadata warning. */
static void
test_warnings(struct attscan *s, const uint8_t *png, size_t len)
{
	static const char text[] = "Author\0Jane \"Q\"";
	uint8_t *tagged = malloc(len + 12 + sizeof(text) - 1);
	struct attscan_result r;
	size_t n = sizeof(text) - 1, at = len - 12;
	uint32_t crc;

	memcpy(tagged, png, at);
	tagged[at] = 0, tagged[at + 1] = 0, tagged[at + 2] = 0;
	tagged[at + 3] = (uint8_t)n;
	memcpy(tagged + at + 4, "tEXt", 4);
	memcpy(tagged + at + 8, text, n);
	crc = crc32_png(tagged + at + 4, 4 + n);
	for (int i = 0; i < 4; i++)
		tagged[at + 8 + n + i] = (uint8_t)(crc >> (24 - 8 * i));
	memcpy(tagged + at + 12 + n, png + at, 12);	/* IEND */
	ok(feed(s, tagged, len + 12 + n) == 0 && end(s, &r) == 0 &&
	    r.decoded, "a PNG with an Author text chunk is decoded");
	ok(strcmp(r.warnings, "[\"author: Jane \\\"Q\\\"\"]") == 0,
	    "... its warning, as a JSON array: %s", r.warnings);
	attscan_result_clear(&r);
	attscan_reset(s);
	free(tagged);
}

/* Import the list name: one hash of format, graded. */
static void
import(struct cases *c, const char *name, enum hashlist_format format,
    const uint8_t *value, size_t len, const char *grade)
{
	struct hashlist_entry e = { .format = format, .len = len, .line = 1 };
	struct known_replaced old;
	struct known_import *im;
	int64_t count, dups;

	memcpy(e.value, value, len);
	snprintf(e.grade, sizeof(e.grade), "%s", grade);
	if (cases_begin(c) != 0 || (im = known_import_begin(c, name,
	    &old)) == NULL || known_import_add(im, &e) != 0 ||
	    known_import_end(im, format, "00", &count, &dups) != 0 ||
	    cases_commit(c) != 0)
		abort();
	known_import_free(im);
}

static void
test_known(const uint8_t *png, size_t len)
{
	static uint8_t near[sizeof(pixels)];
	struct digests_out dg;
	struct pdq_hash hash;
	struct attscan_result r;
	struct cases *c = cases_open(tmp, CASES_CREATE);
	struct known *k;
	struct attscan *s;
	uint8_t *png2;
	size_t len2;
	int quality;

	whole_digests(png, len, &dg);
	pdq_hash_rgb(pixels, W, H, 3 * W, &hash, &quality);
	import(c, "exact", HASHLIST_SHA256, dg.sha256, sizeof(dg.sha256), "A");
	import(c, "near", HASHLIST_PDQ, hash.b, sizeof(hash.b), "");
	if (c == NULL || (k = known_load(c)) == NULL ||
	    (s = attscan_new(k, 0)) == NULL)
		abort();
	ok(feed(s, png, len) == 0 && end(s, &r) == 0 && r.known &&
	    strcmp(r.list, "exact") == 0 && strcmp(r.grade, "A") == 0 &&
	    r.match == HASHLIST_SHA256, "the PNG: known by its SHA-256, "
	    "list exact, grade A");
	attscan_result_clear(&r);
	attscan_reset(s);
	memcpy(near, pixels, sizeof(near));
	for (int y = 0; y < 3; y++)	/* a white square in a corner */
		memset(&near[3 * y * W], 255, 3 * 3);
	png2 = make_png(near, W, H, &len2);
	if (feed(s, png2, len2) != 0 || end(s, &r) != 0)
		abort();
	ok(r.known && strcmp(r.list, "near") == 0 && r.grade[0] == '\0' &&
	    r.match == HASHLIST_PDQ && r.distance <= 31,
	    "a near copy (a 3x3 corner white): known by its PDQ hash, %d "
	    "bits away, no grade", r.distance);
	attscan_result_clear(&r);
	attscan_free(s);
	known_free(k);
	cases_close(c);
	free(png2);
}

int
main(int argc, char **argv)
{
	struct attscan *s;
	uint8_t *png;
	size_t len;
	char cmd[64];

	imgchild_main(argc, argv);
	if (sodium_init() < 0 || mkdtemp(tmp) == NULL)
		abort();
	make_pixels();
	png = make_png(pixels, W, H, &len);
	if ((s = attscan_new(NULL, 0)) == NULL)
		abort();
	test_empty(s);
	test_png(s, png, len);
	test_large_png(s);
	test_not_image(s, 0);
	test_reset(s, png, len);
	test_warnings(s, png, len);
	test_pending(s, png, len);
	attscan_free(s);
	if ((s = attscan_new(NULL, 1 << 20)) == NULL)
		abort();
	test_not_image(s, 1 << 20);
	attscan_free(s);
	test_known(png, len);
	free(png);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	if (system(cmd) != 0)
		ok(0, "cannot remove %s", tmp);
	return tap_done();
}
