/*
 * test_sniff: client-keys/sniff. Each row of its table of types, one byte
 * short of each magic, the ISO base media brands and the EBML DocTypes;
 * each image header read to its dimensions, cut at every length (0, never
 * an error, until it is whole), and broken field by field (-1 with a
 * reason); a JPEG's frame header just inside and just past 256 KiB; and
 * no read past SNIFF_HEAD_MAX when told the buffer is longer (a guard
 * page there).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "encode.h"
#include "sniff.h"
#include "tap.h"

#define B(s) (const uint8_t *)(s), sizeof(s) - 1

static const struct {
	const uint8_t *bytes;
	size_t len;
	const char *mime;
	enum sniff_image image;
} types[] = {
	{ B("\xff\xd8\xff"), "image/jpeg", SNIFF_JPEG },
	{ B("\x89PNG\r\n\x1a\n"), "image/png", SNIFF_PNG },
	{ B("GIF87a"), "image/gif", SNIFF_GIF },
	{ B("GIF89a"), "image/gif", SNIFF_GIF },
	{ B("RIFF\0\0\0\0WEBP"), "image/webp", SNIFF_WEBP },
	{ B("BM\x36\0\0\0\0\0\0\0"), "image/bmp", SNIFF_NOT_IMAGE },
	{ B("II*\0"), "image/tiff", SNIFF_NOT_IMAGE },
	{ B("MM\0*"), "image/tiff", SNIFF_NOT_IMAGE },
	{ B("RIFF\0\0\0\0AVI "), "video/x-msvideo", SNIFF_NOT_IMAGE },
	{ B("RIFF\0\0\0\0WAVE"), "audio/wav", SNIFF_NOT_IMAGE },
	{ B("ID3"), "audio/mpeg", SNIFF_NOT_IMAGE },
	{ B("OggS"), "application/ogg", SNIFF_NOT_IMAGE },
	{ B("%PDF-"), "application/pdf", SNIFF_NOT_IMAGE },
	{ B("PK\x03\x04"), "application/zip", SNIFF_NOT_IMAGE },
	{ B("PK\x05\x06"), "application/zip", SNIFF_NOT_IMAGE },
	{ B("\x1f\x8b\x08"), "application/gzip", SNIFF_NOT_IMAGE },
	{ B("7z\xbc\xaf\x27\x1c"), "application/x-7z-compressed",
	    SNIFF_NOT_IMAGE },
	{ B("Rar!\x1a\x07"), "application/vnd.rar", SNIFF_NOT_IMAGE },
	{ B("\0\0\0\x18" "ftypisom"), "video/mp4", SNIFF_NOT_IMAGE },
	{ B("\0\0\0\x18" "ftypmp42"), "video/mp4", SNIFF_NOT_IMAGE },
	{ B("\0\0\0\x14" "ftypqt  "), "video/quicktime", SNIFF_NOT_IMAGE },
	{ B("\0\0\0\x18" "ftypheic"), "image/heic", SNIFF_NOT_IMAGE },
	{ B("\0\0\0\x18" "ftypmif1"), "image/heif", SNIFF_NOT_IMAGE },
	{ B("\0\0\0\x1c" "ftypavif"), "image/avif", SNIFF_NOT_IMAGE },
	{ B("\0\0\0\x14" "ftyp3gp5"), "video/3gpp", SNIFF_NOT_IMAGE },
	{ B("\0\0\0\x20" "ftypM4A "), "audio/mp4", SNIFF_NOT_IMAGE },
	{ B("\x1a\x45\xdf\xa3\x8f\x42\x86\x81\x01\x42\x82\x84webm"
	    "\x42\x87\x81\x02"), "video/webm", SNIFF_NOT_IMAGE },
	{ B("\x1a\x45\xdf\xa3\x8b\x42\x82\x88matroska"), "video/x-matroska",
	    SNIFF_NOT_IMAGE },
	/* not quite */
	{ B("\x1a\x45\xdf\xa3\x87\x42\x82\x84webx"), "application/octet-stream",
	    SNIFF_NOT_IMAGE },
	{ B("\x1a\x45\xdf\xa3\x88\x42\x82\x85webm"), "application/octet-stream",
	    SNIFF_NOT_IMAGE },
	{ B("\0\0\0\x0f" "ftypisom"), "application/octet-stream",
	    SNIFF_NOT_IMAGE },
	{ B("BM\x36\0\0\0\0\0\0\x01"), "application/octet-stream",
	    SNIFF_NOT_IMAGE },
	{ B("RIFF\0\0\0\0WEBQ"), "application/octet-stream", SNIFF_NOT_IMAGE },
	{ B("hello, world"), "application/octet-stream", SNIFF_NOT_IMAGE },
	{ B(""), "application/octet-stream", SNIFF_NOT_IMAGE },
};

static void
test_types(void)
{
	enum sniff_image image;
	const char *mime;

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		mime = sniff_type(types[i].bytes, types[i].len, &image);
		ok(strcmp(mime, types[i].mime) == 0 && image == types[i].image,
		    "%s (row %zu: %s)", types[i].mime, i, mime);
		if (types[i].len == 0 || strcmp(types[i].mime,
		    "application/octet-stream") == 0)
			continue;
		mime = sniff_type(types[i].bytes, types[i].len - 1, &image);
		ok(strcmp(mime, types[i].mime) != 0 && image == SNIFF_NOT_IMAGE,
		    "one byte short is not %s (%s)", types[i].mime, mime);
	}
}

/* 33 bytes of PNG signature and IHDR, the CRC right for what is there. */
static void
png_header(uint8_t *b, uint32_t w, uint32_t h, uint8_t depth, uint8_t colour)
{
	uint32_t crc = 0xffffffffu;

	memcpy(b, "\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16);
	encode_be32(b + 16, w);
	encode_be32(b + 20, h);
	b[24] = depth;
	b[25] = colour;
	memset(b + 26, 0, 3);
	for (int i = 12; i < 29; i++) {
		crc ^= b[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
	}
	encode_be32(b + 29, crc ^ 0xffffffffu);
}

/*
 * sniff_dimensions on b[0..len) must give w x h, and every shorter prefix
 * that is still of its type 0 or the same (once the header is whole).
 */
static void
whole_and_cut(const char *what, const uint8_t *b, size_t len, uint32_t w,
    uint32_t h)
{
	uint32_t gw = 0, gh = 0;
	const char *why = NULL;
	int rc = sniff_dimensions(b, len, &gw, &gh, &why), cuts = 1;
	enum sniff_image image, whole;

	ok(rc == 1 && gw == w && gh == h, "%s: %ux%u (%u x %u, %s)", what, w,
	    h, gw, gh, why ? why : "");
	sniff_type(b, len, &whole);
	for (size_t cut = 0; cut < len && cuts; cut++) {
		sniff_type(b, cut, &image);
		if (image != whole)
			continue;
		rc = sniff_dimensions(b, cut, &gw, &gh, &why);
		cuts = rc == 0 || (rc == 1 && gw == w && gh == h);
	}
	ok(cuts, "%s: every shorter prefix is 0 or the same", what);
}

/* sniff_dimensions on b[0..len) must be -1 with a reason. */
static void
malformed(const char *what, const uint8_t *b, size_t len)
{
	uint32_t w = 7, h = 7;
	const char *why = NULL;

	ok(sniff_dimensions(b, len, &w, &h, &why) == -1 && why != NULL &&
	    w == 7 && h == 7, "%s is malformed (%s)", what, why ? why : "");
}

static void
test_png(void)
{
	uint8_t b[33];
	static const uint8_t bad_depth[][2] = { { 3, 0 }, { 4, 2 }, { 16, 3 },
	    { 8, 1 }, { 8, 5 }, { 2, 6 }, { 1, 4 } };

	png_header(b, 640, 480, 8, 2);
	whole_and_cut("PNG", b, sizeof(b), 640, 480);
	png_header(b, 0x7fffffff, 1, 16, 6);
	whole_and_cut("PNG 2^31 - 1 wide", b, sizeof(b), 0x7fffffff, 1);
	png_header(b, 0x80000000u, 1, 8, 2);
	malformed("a PNG 2^31 wide", b, sizeof(b));
	png_header(b, 0, 1, 8, 2);
	malformed("a PNG 0 wide", b, sizeof(b));
	for (size_t i = 0; i < sizeof(bad_depth) / sizeof(bad_depth[0]); i++) {
		png_header(b, 1, 1, bad_depth[i][0], bad_depth[i][1]);
		malformed("a PNG of a depth its colour type lacks", b, sizeof(b));
	}
	png_header(b, 640, 480, 8, 2);
	b[30] ^= 1;
	malformed("a PNG whose IHDR CRC is wrong", b, sizeof(b));
	png_header(b, 640, 480, 8, 2);
	b[15] = 'X';
	malformed("a PNG whose first chunk is not IHDR", b, sizeof(b));
	png_header(b, 640, 480, 8, 2);
	b[11] = 14;
	malformed("a PNG whose IHDR is 14 bytes", b, sizeof(b));
}

static void
test_gif_webp(void)
{
	static const uint8_t vp8[] = "RIFF\x24\0\0\0WEBPVP8 \x18\0\0\0"
	    "\x10\x02\0\x9d\x01\x2a\x80\x02\xe0\x01";
	static const uint8_t vp8l[] = "RIFF\x1a\0\0\0WEBPVP8L\x0d\0\0\0"
	    "\x2f\x7f\xc0\x77\x00";
	static const uint8_t vp8x[] = "RIFF\x24\0\0\0WEBPVP8X\x0a\0\0\0"
	    "\x10\0\0\0\x3f\x1f\0\xff\x3f\0";
	uint8_t b[64];

	whole_and_cut("GIF", (const uint8_t *)"GIF89a\x80\x02\xe0\x01", 10,
	    640, 480);
	malformed("a GIF 0 high", (const uint8_t *)"GIF87a\x80\x02\0\0", 10);
	whole_and_cut("WebP VP8", vp8, sizeof(vp8) - 1, 640, 480);
	whole_and_cut("WebP VP8L", vp8l, sizeof(vp8l) - 1, 128, 480);
	whole_and_cut("WebP VP8X", vp8x, sizeof(vp8x) - 1, 8000, 16384);
	memcpy(b, vp8, sizeof(vp8));
	b[20] |= 1;
	malformed("a WebP VP8 that is not a key frame", b, sizeof(vp8) - 1);
	memcpy(b, vp8, sizeof(vp8));
	b[24] = 0;
	malformed("a WebP VP8 without its start code", b, sizeof(vp8) - 1);
	memcpy(b, vp8, sizeof(vp8));
	b[26] = b[27] = 0;
	malformed("a WebP VP8 0 wide", b, sizeof(vp8) - 1);
	memcpy(b, vp8l, sizeof(vp8l));
	b[24] |= 0x20;
	malformed("a WebP VP8L of version 1", b, sizeof(vp8l) - 1);
	memcpy(b, vp8x, sizeof(vp8x));
	b[16] = 9;
	malformed("a WebP VP8X of 9 bytes", b, sizeof(vp8x) - 1);
	memcpy(b, vp8, sizeof(vp8));
	b[16] = 0x30;
	malformed("a WebP chunk longer than its RIFF", b, sizeof(vp8) - 1);
	memcpy(b, vp8, sizeof(vp8));
	memcpy(b + 12, "ALPH", 4);
	malformed("a WebP whose first chunk is ALPH", b, sizeof(vp8) - 1);
}

/* A JPEG: SOI, segments of total length pad before SOF0 w x h, SOS. */
static uint8_t *
jpeg(size_t pad, uint16_t w, uint16_t h, size_t *len)
{
	uint8_t *b = calloc(1, pad + 64);
	size_t n = 2;

	memcpy(b, "\xff\xd8", 2);
	while (n < pad + 2) {
		size_t seg = pad + 2 - n > 65537 ? 65537 : pad + 2 - n;

		b[n] = 0xff;
		b[n + 1] = 0xe1;
		encode_be16(b + n + 2, (uint16_t)(seg - 2));
		n += seg;
	}
	memcpy(b + n, "\xff\xc0\0\x11\x08", 5);
	encode_be16(b + n + 5, h);
	encode_be16(b + n + 7, w);
	memcpy(b + n + 9, "\x03\x01\x22\0\x02\x11\x01\x03\x11\x01\xff\xda", 12);
	*len = n + 21;
	return b;
}

static void
test_jpeg(void)
{
	size_t len, lim = SNIFF_HEAD_MAX - 12;	/* SOI, SOF marker, 8 bytes */
	uint32_t w = 0, h = 0;
	const char *why;
	uint8_t *b;

	b = jpeg(18, 4000, 3000, &len);
	whole_and_cut("JPEG after APP1", b, len, 4000, 3000);
	free(b);
	b = jpeg(lim, 1, 2, &len);
	ok(sniff_dimensions(b, len, &w, &h, &why) == 1 && w == 1 && h == 2,
	    "a JPEG frame header ending at 256 KiB is read");
	free(b);
	b = jpeg(lim + 1, 1, 2, &len);
	ok(sniff_dimensions(b, len, &w, &h, &why) == 0,
	    "one byte further it is not: the decoder will read it");
	free(b);
	b = jpeg(0, 0, 5, &len);
	malformed("a JPEG 0 wide", b, len);
	b[4] = 0x12;
	malformed("a JPEG frame header of a wrong length", b, len);
	free(b);
	malformed("a JPEG that starts its scan first",
	    (const uint8_t *)"\xff\xd8\xff\xda\0\x02", 6);
	malformed("a JPEG that ends first", (const uint8_t *)"\xff\xd8\xff\xd9",
	    4);
	malformed("a JPEG segment of length 1",
	    (const uint8_t *)"\xff\xd8\xff\xe0\0\x01", 6);
	malformed("a JPEG with bytes between segments",
	    (const uint8_t *)"\xff\xd8\xff\xe0\0\x02\x00\xff", 8);
	whole_and_cut("JPEG with fill bytes and TEM",
	    (const uint8_t *)"\xff\xd8\xff\xff\xff\x01\xff\xc2\0\x0b\x08\0\x07"
	    "\0\x09\x01\x01\x11\0", 19, 9, 7);
	malformed("a PDF", (const uint8_t *)"%PDF-1.7", 8);
}

/* Walk to the end of a JPEG of long segments that ends at a guard page. */
static void
test_bounded(void)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t map = SNIFF_HEAD_MAX + (size_t)page;
	uint8_t *m = mmap(NULL, map, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint32_t w, h;
	const char *why;
	size_t n = 2;

	if (m == MAP_FAILED || mprotect(m + SNIFF_HEAD_MAX, (size_t)page,
	    PROT_NONE) != 0)
		abort();
	memcpy(m, "\xff\xd8", 2);
	for (; n + 1000 <= SNIFF_HEAD_MAX; n += 1000)
		memcpy(m + n, "\xff\xe2\x03\xe6", 4);	/* 998 + 2 */
	memset(m + n, 0xff, SNIFF_HEAD_MAX - n);	/* fill bytes to the end */
	ok(sniff_dimensions(m, SIZE_MAX / 2, &w, &h, &why) == 0 &&
	    strcmp(sniff_type(m, SIZE_MAX / 2, NULL), "image/jpeg") == 0,
	    "told of more, sniff stops at SNIFF_HEAD_MAX");
	munmap(m, map);
}

int
main(void)
{
	test_types();
	test_png();
	test_gif_webp();
	test_jpeg();
	test_bounded();
	return tap_done();
}
