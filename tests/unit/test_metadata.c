/*
 * test_metadata: client-keys/metadata. Hand-built containers: each EXIF
 * tag of the list in both byte orders (IFD0, Exif and GPS IFDs, a JPEG's
 * APP1, a PNG's eXIf, a WebP's EXIF chunk with and without its "Exif"
 * prefix), make and model joined, values cleaned (controls, direction
 * overrides, invalid UTF-8, Latin-1, UCS-2 with a lone surrogate, spaces,
 * cut at 64 bytes), each bound (IFD entries at 512 and 513, offsets past
 * the end, an Exif IFD that is IFD0, segments and chunks running past the
 * end, the work cap, the XMP window and packet count), JPEG segments
 * (COM, APP13, an unknown APPn, the harmless ones), XMP properties, PNG
 * keywords, GIF extensions, a full list. Then images made here by
 * Debian's ImageMagick (clean: no warning) and tagged by exiftool: each
 * tag flagged.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "membuf.h"
#include "metadata.h"
#include "tap.h"

#define CONVERT "/usr/bin/convert-im6.q16"	/* Debian's ImageMagick */

static void
put(struct membuf *b, const void *p, size_t n)
{
	if (n > 0)
		membuf_sink(b, p, n);
}

static void
put16(struct membuf *b, int le, uint32_t v)
{
	uint8_t x[2] = { le ? v : v >> 8, le ? v >> 8 : v };

	put(b, x, 2);
}

static void
put32(struct membuf *b, int le, uint32_t v)
{
	put16(b, le, le ? v & 0xffff : v >> 16);
	put16(b, le, le ? v >> 16 : v & 0xffff);
}

static void
be32put(struct membuf *b, uint32_t v)
{
	put32(b, 0, v);
}

static void
reset(struct membuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* One IFD entry to build: its value's bytes (count items of type). */
struct tag {
	uint16_t tag, type;
	uint32_t count;
	const void *bytes;
	size_t len;
};
#define ASCII(t, s) { (t), 2, sizeof(s), (s), sizeof(s) }
#define RAW(s) (s), sizeof(s) - 1	/* a literal's bytes, no NUL */
#define NTAGS(a) (sizeof(a) / sizeof((a)[0]))

struct ifds {
	const struct tag *ifd0, *exif, *gps;
	size_t n0, nexif, ngps;
	int thumb;		/* IFD0 names a next IFD */
};

static size_t
ifd_size(size_t n)
{
	return n == 0 ? 0 : 2 + 12 * n + 4;
}

/* Write the n entries of an IFD (data past 4 bytes to d, at base). */
static void
ifd_put(struct membuf *b, struct membuf *d, int le, const struct tag *t,
    size_t n, uint32_t base, uint32_t next)
{
	put16(b, le, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		uint8_t pad[4] = { 0 };
		put16(b, le, t[i].tag);
		put16(b, le, t[i].type);
		put32(b, le, t[i].count);
		if (t[i].len <= 4) {
			put(b, t[i].bytes, t[i].len);
			put(b, pad, 4 - t[i].len);
		} else {
			put32(b, le, base + (uint32_t)d->len);
			put(d, t[i].bytes, t[i].len);
		}
	}
	put32(b, le, next);
}

/* A TIFF structure: IFD0 (with pointers to the others), Exif, GPS, data. */
static void
tiff(struct membuf *b, int le, const struct ifds *f)
{
	struct tag ifd0[64];
	struct membuf d = { 0 };
	size_t n0 = f->n0;
	uint32_t exif_at, gps_at, data_at, p;
	uint8_t ptr[2][4];

	memcpy(ifd0, f->ifd0, n0 * sizeof(ifd0[0]));
	exif_at = 8 + (uint32_t)ifd_size(n0 + (f->nexif > 0) + (f->ngps > 0));
	gps_at = exif_at + (uint32_t)ifd_size(f->nexif);
	data_at = gps_at + (uint32_t)ifd_size(f->ngps);
	for (int i = 0; i < 2; i++) {
		p = i == 0 ? exif_at : gps_at;
		if ((i == 0 ? f->nexif : f->ngps) == 0)
			continue;
		for (int j = 0; j < 4; j++)
			ptr[i][j] = (uint8_t)(le ? p >> (8 * j) : p >> (24 - 8 * j));
		ifd0[n0++] = (struct tag){ i == 0 ? 0x8769 : 0x8825, 4, 1,
		    ptr[i], 4 };
	}
	put(b, le ? "II*\0" : "MM\0*", 4);
	put32(b, le, 8);
	ifd_put(b, &d, le, ifd0, n0, data_at, f->thumb ? 8 : 0);
	if (f->nexif > 0)
		ifd_put(b, &d, le, f->exif, f->nexif, data_at, 0);
	if (f->ngps > 0)
		ifd_put(b, &d, le, f->gps, f->ngps, data_at, 0);
	put(b, d.p, d.len);
	free(d.p);
}

/* A JPEG segment: marker, length, payload. */
static void
segment(struct membuf *b, uint8_t marker, const void *p, size_t n)
{
	uint8_t h[2] = { 0xff, marker };

	put(b, h, 2);
	put16(b, 0, (uint32_t)n + 2);
	put(b, p, n);
}

static void
jpeg_start(struct membuf *b)
{
	put(b, "\xff\xd8", 2);
	segment(b, 0xe0, "JFIF\0\x01\x01\0\0\x01\0\x01\0\0", 14);
}

/* The end of a JPEG's header: a frame and a scan header (no data). */
static void
jpeg_end(struct membuf *b)
{
	segment(b, 0xc0, "\x08\0\x10\0\x10\x01\x01\x11\0", 9);
	segment(b, 0xda, "\x01\x01\0\0\x3f\0", 6);
	put(b, "\xff\xd9", 2);
}

/* A JPEG whose APP1 holds "Exif\0\0" and the TIFF of f. */
static void
jpeg_exif(struct membuf *b, int le, const struct ifds *f)
{
	struct membuf app = { 0 };

	put(&app, "Exif\0\0", 6);
	tiff(&app, le, f);
	jpeg_start(b);
	segment(b, 0xe1, app.p, app.len);
	jpeg_end(b);
	free(app.p);
}

static void
png_chunk(struct membuf *b, const char *type, const void *p, size_t n)
{
	be32put(b, (uint32_t)n);
	put(b, type, 4);
	put(b, p, n);
	be32put(b, 0);		/* the CRC: not checked */
}

static void
png_start(struct membuf *b)
{
	put(b, "\x89PNG\r\n\x1a\n", 8);
	png_chunk(b, "IHDR", "\0\0\0\x10\0\0\0\x10\x08\x02\0\0\0", 13);
}

static void
png_end(struct membuf *b)
{
	png_chunk(b, "IDAT", "\x78\x9c\x03\0\0\0\0\x01", 8);
	png_chunk(b, "IEND", "", 0);
}

static void
webp_chunk(struct membuf *b, const char *type, const void *p, size_t n)
{
	put(b, type, 4);
	put32(b, 1, (uint32_t)n);
	put(b, p, n);
	if (n & 1)
		put(b, "", 1);
}

/* A WebP: RIFF header (its size fixed at the end), VP8X, VP8L. */
static void
webp_start(struct membuf *b)
{
	put(b, "RIFF\0\0\0\0WEBP", 12);
	webp_chunk(b, "VP8X", "\x0c\0\0\0\x0f\0\0\x0f\0\0", 10);
	webp_chunk(b, "VP8L", "\x2f\x0f\xc0\x03\0", 5);
}

static void
webp_end(struct membuf *b)
{
	uint32_t n = (uint32_t)b->len - 8;

	for (int i = 0; i < 4; i++)
		b->p[4 + i] = (uint8_t)(n >> (8 * i));
}

/* A GIF 16x16 with no colour table, extensions to add, then an image. */
static void
gif_start(struct membuf *b)
{
	put(b, "GIF89a\x10\0\x10\0\0\0\0", 13);
}

static void
gif_end(struct membuf *b)
{
	put(b, "\x2c\0\0\0\0\x10\0\x10\0\0\x02\x02\x44\x01\0\x3b", 16);
}

/* The warnings of b, joined with " | ", in a static buffer. */
static const char *
scan(const struct membuf *b)
{
	static char out[METADATA_MAX * (METADATA_TEXT_MAX + 3) + 1];
	struct metadata m = { 0 };
	size_t o = 0;

	metadata_scan(b->p, b->len, &m);
	out[0] = '\0';
	for (size_t i = 0; i < m.n; i++)
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s",
		    i ? " | " : "", m.warning[i]);
	return out;
}

/* Check that scanning b gives exactly want (warnings joined by " | "). */
static void
expect(const struct membuf *b, const char *want, const char *name)
{
	const char *got = scan(b);

	ok(strcmp(got, want) == 0, "%s: [%s]%s%s%s", name, got,
	    strcmp(got, want) ? " want [" : "", strcmp(got, want) ? want : "",
	    strcmp(got, want) ? "]" : "");
}

/* Check that scanning b gives a warning that is exactly w, among others. */
static void
has(const struct membuf *b, const char *w, const char *name)
{
	const char *got = scan(b), *at = strstr(got, w);
	size_t n = strlen(w);

	ok(at != NULL && (at == got || at[-1] == ' ') &&
	    (at[n] == '\0' || at[n] == ' '), "%s: [%s] has [%s]", name, got, w);
}

static const uint16_t xp_author[] = { 'Z', 'o', 0xeb, 0xd800, '!', 0 };

static void
test_exif_tags(void)
{
	static const struct tag ifd0[] = {
		ASCII(0x010f, "Canon"), ASCII(0x0110, "Canon EOS 5D"),
		ASCII(0x0131, "GIMP 2.10"), ASCII(0x0132, "2024:01:03 09:00:00"),
		ASCII(0x013b, "Jane Doe"), ASCII(0x013c, "laptop"),
		ASCII(0x8298, "(c) Jane"), ASCII(0x010e, "a caption"),
		{ 0x9c9d, 1, sizeof(xp_author), xp_author, sizeof(xp_author) },
		ASCII(0xc62f, "CSN1"),
	};
	static const struct tag exif[] = {
		ASCII(0x9003, "2024:01:02 10:00:00"), ASCII(0xa430, "Bob"),
		ASCII(0xa431, "12345"), ASCII(0xa420, "abcdef"),
		{ 0x9286, 7, 8, "ASCII\0\0\0", 8 },
		{ 0x927c, 7, 6, "maker!", 6 },
	};
	static const struct tag gps[] = {
		{ 0, 1, 4, "\x02\x03\0\0", 4 }, ASCII(1, "N"),
		{ 2, 5, 3, "\0\0\0\x30\0\0\0\x01\0\0\0\x33\0\0\0\x01\0\0\0\0\0\0\0\x01",
		    24 },
	};
	struct ifds f = { ifd0, exif, gps, NTAGS(ifd0), NTAGS(exif),
	    NTAGS(gps), 1 };
	/* IFD0's in its order, the thumbnail and the camera once it is
	 * read, the Exif IFD's (a second serial number and comment given
	 * once), the GPS IFD's */
	const char *want = "software: GIMP 2.10 | "
	    "date: 2024:01:03 09:00:00 | author: Jane Doe | computer: laptop | "
	    "copyright: (c) Jane | text comment | author: Zo\xc3\xab?! | "
	    "serial number | embedded thumbnail | camera: Canon EOS 5D | "
	    "date taken: 2024:01:02 10:00:00 | owner: Bob | unique image id | "
	    "maker note | GPS position";
	struct membuf b = { 0 }, t = { 0 };

	for (int le = 0; le < 2; le++) {
		reset(&b);
		jpeg_exif(&b, le, &f);
		expect(&b, want, le ? "JPEG APP1 EXIF, little-endian" :
		    "JPEG APP1 EXIF, big-endian");
	}
	/* the same TIFF in a PNG eXIf and a WebP EXIF chunk, with and
	 * without the "Exif\0\0" that some writers put first */
	tiff(&t, 1, &f);
	reset(&b);
	png_start(&b);
	png_chunk(&b, "eXIf", t.p, t.len);
	png_end(&b);
	has(&b, "GPS position", "PNG eXIf");
	has(&b, "camera: Canon EOS 5D", "PNG eXIf");
	for (int prefix = 0; prefix < 2; prefix++) {
		struct membuf c = { 0 };
		if (prefix)
			put(&c, "Exif\0\0", 6);
		put(&c, t.p, t.len);
		reset(&b);
		webp_start(&b);
		webp_chunk(&b, "EXIF", c.p, c.len);
		webp_end(&b);
		has(&b, "GPS position", prefix ? "WebP EXIF, Exif prefix" :
		    "WebP EXIF");
		has(&b, "owner: Bob", prefix ? "WebP EXIF, Exif prefix" :
		    "WebP EXIF");
		free(c.p);
	}
	free(t.p);
	free(b.p);
}

/* One EXIF of the given IFDs in a JPEG, and what it must give. */
static void
exif_case(const struct tag *ifd0, size_t n0, const struct tag *gps,
    size_t ngps, const char *want, const char *name)
{
	struct ifds f = { ifd0, NULL, gps, n0, 0, ngps, 0 };
	struct membuf b = { 0 };

	jpeg_exif(&b, 0, &f);
	expect(&b, want, name);
	free(b.p);
}

static void
test_exif_values(void)
{
	static const struct tag nikon[] = { ASCII(0x010f, "NIKON"),
	    ASCII(0x0110, "D750") };
	static const struct tag model[] = { ASCII(0x0110, "iPhone 15") };
	static const struct tag make[] = { ASCII(0x010f, "Apple") };
	static const struct tag dirty[] = { ASCII(0x013b,
	    "  A\x01" "b\xe2\x80\xae" "c\xff" "d\xe2\x80\xa8" "e  ") };
	static const struct tag longv[] = { ASCII(0x0131,
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdefXYZ") };
	static const struct tag resolution[] = { { 0x011a, 5, 1,
	    "\0\0\0\x48\0\0\0\x01", 8 } };
	static const struct tag version[] = { { 0, 1, 4, "\x02\x03\0\0", 4 } };
	static const struct tag lon[] = { { 4, 5, 3, "\0\0\0\x02\0\0\0\x01"
	    "\0\0\0\x15\0\0\0\x01\0\0\0\0\0\0\0\x01", 24 } };
	static const struct tag empty[] = { ASCII(0x013b, "") };

	exif_case(nikon, 2, NULL, 0, "camera: NIKON D750",
	    "make and model that does not name it");
	exif_case(model, 1, NULL, 0, "camera: iPhone 15", "a model alone");
	exif_case(make, 1, NULL, 0, "camera: Apple", "a make alone");
	exif_case(dirty, 1, NULL, 0, "author: A?b?c?d?e",
	    "a control, an override, invalid UTF-8 and U+2028 become ?, "
	    "spaces trimmed");
	exif_case(longv, 1, NULL, 0, "software: 0123456789abcdef0123456789"
	    "abcdef0123456789abcdef0123456789abcdef\xe2\x80\xa6",
	    "a value cut at 64 bytes, marked");
	exif_case(empty, 1, NULL, 0, "author", "an empty value: the label");
	exif_case(resolution, 1, NULL, 0, "EXIF data",
	    "EXIF with no tag of the list still says it is there");
	exif_case(resolution, 1, version, 1, "GPS data",
	    "a GPS IFD without a position");
	exif_case(resolution, 1, lon, 1, "GPS position",
	    "a longitude alone is a position");
}

/* A JPEG whose APP1 holds the raw TIFF bytes t[0..n). */
static void
jpeg_raw_exif(struct membuf *b, const void *t, size_t n)
{
	struct membuf app = { 0 };

	put(&app, "Exif\0\0", 6);
	put(&app, t, n);
	jpeg_start(b);
	segment(b, 0xe1, app.p, app.len);
	jpeg_end(b);
	free(app.p);
}

/* An IFD0 of n entries, each Software "x" (inline), in a JPEG. */
static void
many_entries(struct membuf *b, size_t n, size_t declared)
{
	struct membuf t = { 0 };

	put(&t, "MM\0*\0\0\0\x08", 8);
	put16(&t, 0, (uint32_t)declared);
	for (size_t i = 0; i < n; i++)
		put(&t, i == n - 1 ? "\x01\x3b\0\x02\0\0\0\x02z\0\0\0" :
		    "\x01\x31\0\x02\0\0\0\x02x\0\0\0", 12);
	put32(&t, 0, 0);
	jpeg_raw_exif(b, t.p, t.len);
	free(t.p);
}

static void
test_exif_bounds(void)
{
	struct membuf b = { 0 };

	many_entries(&b, 512, 512);
	expect(&b, "software: x | author: z", "an IFD of 512 entries: read");
	reset(&b);
	many_entries(&b, 513, 513);
	expect(&b, "software: x | not fully read",
	    "an IFD of 513 entries: 512 read, and said so");
	reset(&b);
	many_entries(&b, 3, 4);
	expect(&b, "software: x | author: z | not fully read",
	    "an IFD declaring more entries than its segment holds");
	reset(&b);
	/* Artist whose 100 bytes lie past the end; Exif IFD pointer = IFD0 */
	jpeg_raw_exif(&b, RAW("MM\0*\0\0\0\x08\0\x02"
	    "\x01\x3b\0\x02\0\0\0\x64\0\0\x10\0"
	    "\x87\x69\0\x04\0\0\0\x01\0\0\0\x08" "\0\0\0\0"));
	expect(&b, "author", "a value past the end: the label only; an Exif "
	    "IFD that is IFD0 is not read again");
	reset(&b);
	jpeg_raw_exif(&b, RAW("II*\0\x08\0\0\0\x01\0"
	    "\x69\x87\x04\0\x01\0\0\0\xff\xff\0\0" "\0\0\0\0"));
	expect(&b, "EXIF data | not fully read",
	    "an Exif IFD pointer past the end");
	reset(&b);
	jpeg_raw_exif(&b, RAW("II*\0\xff\0\0\0"));
	expect(&b, "EXIF data | not fully read", "IFD0 past the end");
	reset(&b);
	jpeg_raw_exif(&b, RAW("XX*\0\x08\0\0\0"));
	expect(&b, "EXIF data", "a TIFF header that is not one");
	reset(&b);
	jpeg_raw_exif(&b, "", 0);
	expect(&b, "EXIF data", "an empty EXIF");
	free(b.p);
}

static void
test_jpeg(void)
{
	struct membuf b = { 0 };

	jpeg_start(&b);
	segment(&b, 0xe2, "ICC_PROFILE\0\x01\x01", 14);
	segment(&b, 0xee, "Adobe\0\x64", 7);
	segment(&b, 0xdb, "\0\x01", 2);
	jpeg_end(&b);
	expect(&b, "", "JFIF, ICC profile, Adobe, tables: nothing");
	reset(&b);
	jpeg_start(&b);
	segment(&b, 0xfe, "made by me", 10);
	segment(&b, 0xed, "Photoshop 3.0\0" "8BIM", 18);
	segment(&b, 0xec, "Ducky\0", 6);
	segment(&b, 0xe1, "something", 9);
	jpeg_end(&b);
	segment(&b, 0xfe, "after the scan", 14);
	expect(&b, "text comment | IPTC data | metadata segment: APP12 | "
	    "metadata segment: APP1", "COM, APP13, APP12, an unknown APP1; "
	    "nothing after the scan is read");
	reset(&b);
	jpeg_start(&b);
	segment(&b, 0xfe, "x", 1);
	b.len -= 1;
	expect(&b, "not fully read", "a segment running past the end");
	reset(&b);
	jpeg_start(&b);
	expect(&b, "not fully read", "no scan before the end");
	reset(&b);
	jpeg_start(&b);
	put(&b, "\xff\xff\xff\xfe\0\x03x", 7);
	put(&b, "\x12", 1);
	expect(&b, "text comment | not fully read",
	    "fill bytes, then a byte that is no marker");
	free(b.p);
}

static void
xmp_case(const char *packet, const char *want, const char *name)
{
	struct membuf b = { 0 }, app = { 0 };

	put(&app, "http://ns.adobe.com/xap/1.0/", 29);
	put(&app, packet, strlen(packet));
	jpeg_start(&b);
	segment(&b, 0xe1, app.p, app.len);
	jpeg_end(&b);
	expect(&b, want, name);
	free(app.p);
	free(b.p);
}

static void
test_xmp(void)
{
	struct membuf b = { 0 }, p = { 0 };
	char *pad = malloc(70000);

	xmp_case("<x:xmpmeta><rdf:RDF><rdf:Description>"
	    "<dc:creator><rdf:Seq><rdf:li>Jane</rdf:li></rdf:Seq></dc:creator>"
	    "</rdf:Description></rdf:RDF></x:xmpmeta>",
	    "XMP metadata | author: Jane", "XMP: a creator in a list");
	xmp_case("<rdf:Description xmp:CreatorTool=\"Tool 1.0\" "
	    "exif:GPSLatitude='48,51.0N'/>",
	    "XMP metadata | software: Tool 1.0 | GPS position",
	    "XMP: attributes");
	xmp_case("<dc:creator", "XMP metadata | author",
	    "XMP: a name with no value");
	xmp_case("", "XMP metadata", "XMP: empty");
	/* a creator just inside and just past the searched window */
	for (int past = 0; past < 2; past++) {
		size_t at = METADATA_XMP_WINDOW - 40 + (size_t)past * 40;
		reset(&b);
		reset(&p);
		memset(pad, ' ', at);
		put(&p, "XML:com.adobe.xmp\0\0\0\0\0", 22);
		put(&p, pad, at);
		put(&p, "<dc:creator>Jane<", 17);
		png_start(&b);
		png_chunk(&b, "iTXt", p.p, p.len);
		png_end(&b);
		expect(&b, past ? "XMP metadata" : "XMP metadata | author: Jane",
		    past ? "PNG iTXt XMP: a creator past the window is not "
		    "looked for" : "PNG iTXt XMP: a creator inside the window");
	}
	/* five packets: the fifth is not searched */
	reset(&b);
	png_start(&b);
	for (int i = 0; i < 5; i++) {
		char x[64];
		int n = snprintf(x, sizeof(x), "XML:com.adobe.xmp%c%c%c%c%c"
		    "<dc:creator>%c<", 0, 0, 0, 0, 0, 'A' + i);
		png_chunk(&b, "iTXt", x, (size_t)n);
	}
	png_end(&b);
	expect(&b, "XMP metadata | author: A | author: B | author: C | "
	    "author: D", "five XMP packets: four searched");
	free(pad);
	free(p.p);
	free(b.p);
}

static void
text_chunk(struct membuf *b, const char *type, const char *kw,
    const char *mid, size_t midlen, const char *text)
{
	struct membuf c = { 0 };

	put(&c, kw, strlen(kw) + 1);
	put(&c, mid, midlen);
	put(&c, text, strlen(text));
	png_chunk(b, type, c.p, c.len);
	free(c.p);
}

static void
test_png(void)
{
	struct membuf b = { 0 };

	png_start(&b);
	png_end(&b);
	expect(&b, "", "a PNG without text: nothing");
	reset(&b);
	png_start(&b);
	text_chunk(&b, "tEXt", "Author", "", 0, "Zo\xeb");
	text_chunk(&b, "tEXt", "Software", "", 0, "ImageMagick");
	text_chunk(&b, "tEXt", "Comment", "", 0, "secret");
	text_chunk(&b, "zTXt", "Copyright", "\0", 1, "\x78\x9c");
	text_chunk(&b, "iTXt", "Creation Time", "\0\0fr\0\0", 6, "hier");
	text_chunk(&b, "iTXt", "Title", "\x01\0\0\0", 4, "\x78\x9c");
	text_chunk(&b, "tEXt", "date:create", "", 0, "2026");
	png_chunk(&b, "tIME", "\x07\xe8\x01\x02\x0a\x00\x00", 7);
	png_end(&b);
	text_chunk(&b, "tEXt", "Source", "", 0, "after IEND");
	expect(&b, "author: Zo\xc3\xab | software: ImageMagick | text comment | "
	    "copyright | date: hier | text: date:create | "
	    "date: 2024-01-02 10:00:00", "PNG keywords (Latin-1 converted, "
	    "compressed text not read), tIME; nothing after IEND");
	reset(&b);
	png_start(&b);
	png_chunk(&b, "tEXt", "no-nul-keyword", 14);
	png_end(&b);
	expect(&b, "text: no-nul-keyword", "a keyword with no NUL");
	reset(&b);
	png_start(&b);
	png_chunk(&b, "IDAT", "\x78\x9c", 2);
	b.len -= 3;
	expect(&b, "not fully read", "a chunk running past the end");
	free(b.p);
}

static void
test_work_cap(void)
{
	struct membuf b = { 0 };
	size_t start;

	png_start(&b);
	start = b.len;
	for (size_t i = 0; i < METADATA_WORK; i++)
		png_chunk(&b, "abCd", "", 0);
	png_end(&b);
	expect(&b, "not fully read", "a PNG of 2^20 + 3 chunks: the work cap");
	b.len = start;
	png_end(&b);
	expect(&b, "", "the same PNG without them: read to the end");
	free(b.p);
}

static void
test_webp_gif(void)
{
	struct membuf b = { 0 };

	webp_start(&b);
	webp_end(&b);
	expect(&b, "", "a WebP without metadata: nothing");
	reset(&b);
	webp_start(&b);
	webp_chunk(&b, "XMP ", "<dc:creator>Al<", 15);
	webp_end(&b);
	expect(&b, "XMP metadata | author: Al", "a WebP XMP chunk (odd size)");
	reset(&b);
	webp_start(&b);
	webp_chunk(&b, "EXIF", "MM\0*", 4);
	webp_end(&b);
	b.p[b.len - 8] = 0xff;		/* the chunk size, past the end */
	expect(&b, "not fully read", "a WebP chunk running past the end");
	reset(&b);
	gif_start(&b);
	gif_end(&b);
	expect(&b, "", "a GIF without extensions: nothing");
	reset(&b);
	gif_start(&b);
	put(&b, "\x21\xfe\x05hello\0", 9);
	put(&b, RAW("\x21\xff\x0bXMP DataXMP\x0f<dc:creator>Bo<\0"));
	put(&b, "\x21\xf9\x04\0\0\0\0\0", 8);
	gif_end(&b);
	expect(&b, "text comment | XMP metadata | author: Bo",
	    "a GIF comment and XMP extension");
	reset(&b);
	gif_start(&b);
	put(&b, "\x21\xfe\x05hel", 6);
	expect(&b, "text comment | not fully read", "a GIF cut in a block");
	reset(&b);
	put(&b, "%PDF-1.7\n/Author (x)", 20);
	expect(&b, "", "a PDF: not read, nothing");
	free(b.p);
}

static void
test_full(void)
{
	struct membuf b = { 0 };
	struct metadata m = { 0 };
	char kw[16];

	png_start(&b);
	for (int i = 0; i < 20; i++) {
		snprintf(kw, sizeof(kw), "k%02d", i);
		text_chunk(&b, "tEXt", kw, "", 0, "v");
	}
	png_end(&b);
	is_int(metadata_scan(b.p, b.len, &m), METADATA_MAX,
	    "twenty keywords: the list is full");
	ok(strcmp(m.warning[METADATA_MAX - 2], "text: k14") == 0 &&
	    strcmp(m.warning[METADATA_MAX - 1], "more metadata") == 0,
	    "fifteen warnings, then \"more metadata\"");
	free(b.p);
}

/* Run a shell command line made from fmt; 1 if it exited 0. */
static int
sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd) == 0;
}

static int
load(struct membuf *b, const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t buf[65536];
	size_t n;

	reset(b);
	if (f == NULL)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		put(b, buf, n);
	fclose(f);
	return 0;
}

/* Tags exiftool writes, and the warning each must give, per format. */
static const struct {
	const char *args, *want, *formats;
} tagged[] = {
	{ "-GPSLatitude=48.85 -GPSLatitudeRef=N -GPSLongitude=2.35 "
	  "-GPSLongitudeRef=E", "GPS position", "jpg png webp gif" },
	{ "-Make=Canon '-Model=Canon EOS 5D'", "camera: Canon EOS 5D",
	  "jpg png webp gif" },
	{ "-SerialNumber=12345", "serial number", "jpg png webp gif" },
	{ "'-Artist=Jane Doe'", "author: Jane Doe", "jpg png webp gif" },
	{ "'-Software=GIMP 2.10'", "software: GIMP 2.10", "jpg png webp gif" },
	{ "'-DateTimeOriginal=2024:01:02 10:00:00'",
	  "date taken: 2024:01:02 10:00:00", "jpg png webp" },
	{ "-XPAuthor=Zoë", "author: Zoë", "jpg png webp" },
	{ "-OwnerName=Bob", "owner: Bob", "jpg png webp gif" },
	{ "-Comment=hello", "text comment", "jpg png gif" },
	{ "-XMP:Creator=Jane", "author: Jane", "jpg png webp gif" },
	{ "-IPTC:By-line=Jane", "IPTC data", "jpg" },
	{ "-PNG:Author=Jane", "author: Jane", "png" },
	{ "-PNG:Comment=hi", "text comment", "png" },
	{ "'-PNG:CreationTime=2024:01:02 10:00:00'",
	  "date: 2024:01:02 10:00:00", "png" },
};

static void
test_tools(void)
{
	static const char *const exts[] = { "jpg", "png", "webp", "gif" };
	char dir[] = "/tmp/test_metadata.XXXXXX", path[128], name[160];
	struct membuf b = { 0 };

	if (mkdtemp(dir) == NULL || !ok(access(CONVERT, X_OK) == 0 &&
	    sh("exiftool -ver > /dev/null"), "ImageMagick and exiftool are "
	    "installed (scripts/packages.sh TEST_PACKAGES)"))
		return;
	for (size_t e = 0; e < 4; e++) {
		snprintf(path, sizeof(path), "%s/clean.%s", dir, exts[e]);
		ok(sh(CONVERT " -size 64x48 -seed 1 plasma:fractal -strip %s",
		    path) && load(&b, path) == 0, "ImageMagick made %s", path);
		snprintf(name, sizeof(name), "ImageMagick's %s, -strip",
		    exts[e]);
		expect(&b, "", name);
		for (size_t i = 0; i < NTAGS(tagged); i++) {
			if (strstr(tagged[i].formats, exts[e]) == NULL)
				continue;
			/* exiftool -o cannot write a WebP: a copy, in place */
			snprintf(name, sizeof(name), "%s/%zu.%s", dir, i,
			    exts[e]);
			ok(sh("cp %s %s && exiftool -q -q -overwrite_original "
			    "%s %s", path, name, tagged[i].args, name),
			    "exiftool %s into a %s", tagged[i].args, exts[e]);
			load(&b, name);
			snprintf(name, sizeof(name), "exiftool %s, %s",
			    tagged[i].args, exts[e]);
			has(&b, tagged[i].want, name);
		}
	}
	sh("rm -rf %s", dir);
	free(b.p);
}

int
main(void)
{
	test_exif_tags();
	test_exif_values();
	test_exif_bounds();
	test_jpeg();
	test_xmp();
	test_png();
	test_work_cap();
	test_webp_gif();
	test_full();
	test_tools();
	return tap_done();
}
