/*
 * sniff: see sniff.h. The magic numbers are those the formats' own
 * specifications put first (JFIF/ITU T.81, PNG, GIF89a, RIFF/WebP, ISO/IEC
 * 14496-12 "ftyp", EBML RFC 8794, PDF, APPNOTE for zip); a header is read
 * field by field with its length checked against what is left, and the
 * whole input is cut to SNIFF_HEAD_MAX bytes first, so that no length
 * field can send a read past either.
 */
#include <stdint.h>
#include <string.h>

#include "encode.h"
#include "sniff.h"

/* Bytes that must stand at an offset; len 0: no second part. */
struct part {
	uint8_t off;
	uint8_t len;
	const char *bytes;
};

struct magic {
	struct part a, b;
	const char *mime;
	enum sniff_image image;
};

#define P(o, s) { (o), sizeof(s) - 1, (s) }
#define NONE { 0, 0, NULL }

static const struct magic table[] = {
	{ P(0, "\xff\xd8\xff"), NONE, "image/jpeg", SNIFF_JPEG },
	{ P(0, "\x89PNG\r\n\x1a\n"), NONE, "image/png", SNIFF_PNG },
	{ P(0, "GIF87a"), NONE, "image/gif", SNIFF_GIF },
	{ P(0, "GIF89a"), NONE, "image/gif", SNIFF_GIF },
	{ P(0, "RIFF"), P(8, "WEBP"), "image/webp", SNIFF_WEBP },
	{ P(0, "BM"), P(6, "\0\0\0\0"), "image/bmp", SNIFF_NOT_IMAGE },
	{ P(0, "II*\0"), NONE, "image/tiff", SNIFF_NOT_IMAGE },
	{ P(0, "MM\0*"), NONE, "image/tiff", SNIFF_NOT_IMAGE },
	{ P(0, "RIFF"), P(8, "AVI "), "video/x-msvideo", SNIFF_NOT_IMAGE },
	{ P(0, "RIFF"), P(8, "WAVE"), "audio/wav", SNIFF_NOT_IMAGE },
	{ P(0, "ID3"), NONE, "audio/mpeg", SNIFF_NOT_IMAGE },
	{ P(0, "OggS"), NONE, "application/ogg", SNIFF_NOT_IMAGE },
	{ P(0, "%PDF-"), NONE, "application/pdf", SNIFF_NOT_IMAGE },
	{ P(0, "PK\x03\x04"), NONE, "application/zip", SNIFF_NOT_IMAGE },
	{ P(0, "PK\x05\x06"), NONE, "application/zip", SNIFF_NOT_IMAGE },
	{ P(0, "\x1f\x8b\x08"), NONE, "application/gzip", SNIFF_NOT_IMAGE },
	{ P(0, "7z\xbc\xaf\x27\x1c"), NONE, "application/x-7z-compressed",
	    SNIFF_NOT_IMAGE },
	{ P(0, "Rar!\x1a\x07"), NONE, "application/vnd.rar", SNIFF_NOT_IMAGE },
};

/* ISO base media major brands that are not video/mp4; "3g" is a prefix. */
static const struct {
	char brand[5];
	const char *mime;
} brands[] = {
	{ "heic", "image/heic" }, { "heix", "image/heic" },
	{ "mif1", "image/heif" }, { "msf1", "image/heif" },
	{ "avif", "image/avif" }, { "avis", "image/avif" },
	{ "qt  ", "video/quicktime" }, { "M4A ", "audio/mp4" },
};

#define OCTET "application/octet-stream"
#define EBML_HEADER_MAX 256	/* a real one is about 35 bytes */
#define EBML_DOCTYPE 0x4282

static uint32_t
le24(const uint8_t *p)
{
	return (uint32_t)p[2] << 16 | decode_le16(p);
}

static int
part_at(const uint8_t *buf, size_t len, const struct part *p)
{
	return p->len == 0 || (p->off + (size_t)p->len <= len &&
	    memcmp(buf + p->off, p->bytes, p->len) == 0);
}

/* The type an ISO base media file's "ftyp" box gives, or NULL. */
static const char *
ftyp_type(const uint8_t *buf, size_t len)
{
	if (len < 12 || memcmp(buf + 4, "ftyp", 4) != 0 || decode_be32(buf) < 16)
		return NULL;
	if (memcmp(buf + 8, "3g", 2) == 0)
		return "video/3gpp";
	for (size_t i = 0; i < sizeof(brands) / sizeof(brands[0]); i++)
		if (memcmp(buf + 8, brands[i].brand, 4) == 0)
			return brands[i].mime;
	return "video/mp4";
}

/*
 * An EBML variable-length integer of at most max bytes at buf[*pos], the
 * length marker kept (an element ID) or not (a size). Return 0 and move
 * *pos past it, or -1.
 */
static int
ebml_vint(const uint8_t *buf, size_t end, size_t *pos, size_t max,
    int keep_marker, uint64_t *v)
{
	size_t n;

	if (*pos >= end || buf[*pos] == 0)
		return -1;
	n = (size_t)__builtin_clz(buf[*pos]) - 23;	/* 0x80: 1 byte */
	if (n > max || n > end - *pos)
		return -1;
	*v = keep_marker ? buf[*pos] : buf[*pos] & (0xffu >> n);
	for (size_t i = 1; i < n; i++)
		*v = *v << 8 | buf[*pos + i];
	*pos += n;
	return 0;
}

/* The type an EBML header's DocType gives, or NULL. */
static const char *
ebml_type(const uint8_t *buf, size_t len)
{
	size_t pos = 4, end;
	uint64_t id, size;

	if (len < 5 || memcmp(buf, "\x1a\x45\xdf\xa3", 4) != 0 ||
	    ebml_vint(buf, len, &pos, 8, 0, &size) != 0 ||
	    size > EBML_HEADER_MAX || size > len - pos)
		return NULL;
	for (end = pos + size; pos < end; pos += size) {
		if (ebml_vint(buf, end, &pos, 4, 1, &id) != 0 ||
		    ebml_vint(buf, end, &pos, 8, 0, &size) != 0 ||
		    size > end - pos)
			return NULL;
		if (id != EBML_DOCTYPE)
			continue;
		if (size == 4 && memcmp(buf + pos, "webm", 4) == 0)
			return "video/webm";
		if (size == 8 && memcmp(buf + pos, "matroska", 8) == 0)
			return "video/x-matroska";
		return NULL;
	}
	return NULL;
}

const char *
sniff_type(const uint8_t *buf, size_t len, enum sniff_image *image)
{
	const char *mime;

	if (len > SNIFF_HEAD_MAX)
		len = SNIFF_HEAD_MAX;
	if (image != NULL)
		*image = SNIFF_NOT_IMAGE;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (part_at(buf, len, &table[i].a) &&
		    part_at(buf, len, &table[i].b)) {
			if (image != NULL)
				*image = table[i].image;
			return table[i].mime;
		}
	if ((mime = ftyp_type(buf, len)) != NULL ||
	    (mime = ebml_type(buf, len)) != NULL)
		return mime;
	return OCTET;
}

/* Set the dimensions if both are at least 1; else the reason. */
static int
dims(uint32_t w, uint32_t h, uint32_t *width, uint32_t *height,
    const char *zero, const char **why)
{
	if (w == 0 || h == 0) {
		*why = zero;
		return -1;
	}
	*width = w;
	*height = h;
	return 1;
}

static int
jpeg_is_sof(uint8_t m)
{
	return m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc;
}

/* A JPEG frame header (SOFn) at p, of which avail bytes are in buf. */
static int
jpeg_sof(const uint8_t *p, size_t avail, uint32_t *width, uint32_t *height,
    const char **why)
{
	if (avail < 8)
		return 0;
	if (decode_be16(p) != 8 + 3 * (uint32_t)p[7] || p[7] == 0 || p[7] > 4) {
		*why = "JPEG: a frame header whose length or components are wrong";
		return -1;
	}
	if (p[2] != 8 && p[2] != 12) {
		*why = "JPEG: a sample precision other than 8 or 12 bits";
		return -1;
	}
	return dims(decode_be16(p + 5), decode_be16(p + 3), width, height,
	    "JPEG: width or height 0", why);
}

/*
 * Walk a JPEG's segments (marker, then a 16-bit length that counts
 * itself) to the frame header; only TEM stands alone before it, and the
 * scan, restart markers or the end must not come first.
 */
static int
jpeg_dims(const uint8_t *b, size_t len, uint32_t *width, uint32_t *height,
    const char **why)
{
	size_t pos = 2;

	*why = "JPEG: a segment does not start with a marker";
	while (pos < len) {
		uint8_t m;

		if (b[pos] != 0xff)
			return -1;
		while (pos < len && b[pos] == 0xff)
			pos++;	/* fill bytes */
		if (pos >= len)
			return 0;
		if ((m = b[pos++]) == 0x01)
			continue;	/* TEM */
		if (m == 0x00 || (m >= 0xd0 && m <= 0xda)) {
			*why = "JPEG: no frame header before the scan";
			return -1;
		}
		if (len - pos < 2)
			return 0;
		if (jpeg_is_sof(m))
			return jpeg_sof(b + pos, len - pos, width, height, why);
		if (decode_be16(b + pos) < 2) {
			*why = "JPEG: a segment shorter than its length field";
			return -1;
		}
		pos += decode_be16(b + pos);
	}
	return 0;
}

/* CRC-32 (ISO 3309, as PNG uses it), bit by bit: for one short chunk. */
static uint32_t
crc32_bits(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	while (n-- > 0) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return c ^ 0xffffffffu;
}

/* Whether PNG allows this bit depth with this colour type. */
static int
png_depth_ok(uint8_t depth, uint8_t colour)
{
	switch (colour) {
	case 0:
		return depth == 1 || depth == 2 || depth == 4 || depth == 8 ||
		    depth == 16;
	case 3:
		return depth == 1 || depth == 2 || depth == 4 || depth == 8;
	case 2:
	case 4:
	case 6:
		return depth == 8 || depth == 16;
	default:
		return 0;
	}
}

/* A PNG's IHDR: the first chunk, 13 bytes, its CRC checked. */
static int
png_dims(const uint8_t *b, size_t len, uint32_t *width, uint32_t *height,
    const char **why)
{
	const uint8_t *d = b + 16;

	if (len < 33)
		return 0;
	*why = "PNG: the first chunk is not a 13-byte IHDR";
	if (decode_be32(b + 8) != 13 || memcmp(b + 12, "IHDR", 4) != 0)
		return -1;
	*why = "PNG: IHDR's check value is wrong";
	if (crc32_bits(b + 12, 17) != decode_be32(b + 29))
		return -1;
	*why = "PNG: IHDR's depth, colour type or methods are not PNG's";
	if (!png_depth_ok(d[8], d[9]) || d[10] != 0 || d[11] != 0 || d[12] > 1)
		return -1;
	*why = "PNG: a side over 2^31 - 1";
	if (decode_be32(d) > 0x7fffffffu || decode_be32(d + 4) > 0x7fffffffu)
		return -1;
	return dims(decode_be32(d), decode_be32(d + 4), width, height,
	    "PNG: width or height 0", why);
}

/* A GIF's logical screen. */
static int
gif_dims(const uint8_t *b, size_t len, uint32_t *width, uint32_t *height,
    const char **why)
{
	if (len < 10)
		return 0;
	return dims(decode_le16(b + 6), decode_le16(b + 8), width, height,
	    "GIF: logical screen width or height 0", why);
}

/* WebP's first chunk: VP8 (lossy), VP8L (lossless) or VP8X (extended). */
static int
webp_dims(const uint8_t *b, size_t len, uint32_t *width, uint32_t *height,
    const char **why)
{
	const uint8_t *d = b + 20;

	if (len < 20)
		return 0;
	*why = "WebP: a chunk longer than the RIFF file";
	if (decode_le32(b + 4) < 12 || decode_le32(b + 16) > decode_le32(b + 4) - 12)
		return -1;
	if (memcmp(b + 12, "VP8 ", 4) == 0) {
		if (len < 30)
			return 0;
		*why = "WebP: a VP8 chunk that is not a key frame";
		if (decode_le32(b + 16) < 10 || (d[0] & 1) != 0 ||
		    memcmp(d + 3, "\x9d\x01\x2a", 3) != 0)
			return -1;
		return dims(decode_le16(d + 6) & 0x3fff, decode_le16(d + 8) & 0x3fff,
		    width, height, "WebP: width or height 0", why);
	}
	if (memcmp(b + 12, "VP8L", 4) == 0) {
		if (len < 25)
			return 0;
		*why = "WebP: a VP8L chunk without its signature or version 0";
		if (decode_le32(b + 16) < 5 || d[0] != 0x2f || decode_le32(d + 1) >> 29 != 0)
			return -1;
		return dims((decode_le32(d + 1) & 0x3fff) + 1,
		    (decode_le32(d + 1) >> 14 & 0x3fff) + 1, width, height,
		    "WebP: width or height 0", why);
	}
	*why = "WebP: the first chunk is not VP8, VP8L or VP8X";
	if (memcmp(b + 12, "VP8X", 4) != 0)
		return -1;
	if (len < 30)
		return 0;
	*why = "WebP: a VP8X chunk shorter than 10 bytes";
	if (decode_le32(b + 16) < 10)
		return -1;
	return dims(le24(d + 4) + 1, le24(d + 7) + 1, width, height,
	    "WebP: width or height 0", why);
}

int
sniff_dimensions(const uint8_t *buf, size_t len, uint32_t *width,
    uint32_t *height, const char **why)
{
	const char *reason = "not an image of a kind that is decoded";
	enum sniff_image image;
	int rc = -1;

	if (len > SNIFF_HEAD_MAX)
		len = SNIFF_HEAD_MAX;
	sniff_type(buf, len, &image);
	if (image == SNIFF_JPEG)
		rc = jpeg_dims(buf, len, width, height, &reason);
	else if (image == SNIFF_PNG)
		rc = png_dims(buf, len, width, height, &reason);
	else if (image == SNIFF_GIF)
		rc = gif_dims(buf, len, width, height, &reason);
	else if (image == SNIFF_WEBP)
		rc = webp_dims(buf, len, width, height, &reason);
	if (rc < 0)
		*why = reason;
	return rc;
}
