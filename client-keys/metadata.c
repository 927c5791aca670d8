/*
 * metadata: see metadata.h. The containers as their specifications lay
 * them out: ITU T.81 and JFIF (JPEG segments), TIFF 6.0 and CIPA DC-008
 * Exif 2.32 (IFDs and tag numbers), PNG 1.2 and its eXIf extension, the
 * RIFF container of WebP, GIF89a, and XMP part 3 (where XMP sits in each).
 * The file's kind comes from sniff_type: the four images imgdecode reads.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "encode.h"
#include "metadata.h"
#include "sniff.h"
#include "utf8.h"

enum warn {
	W_GPS, W_GPS_DATA, W_CAMERA, W_SERIAL, W_OWNER, W_AUTHOR, W_COPYRIGHT,
	W_SOFTWARE, W_COMPUTER, W_TAKEN, W_DATE, W_COMMENT, W_UNIQUE,
	W_MAKERNOTE, W_THUMB, W_EXIF, W_XMP, W_IPTC, W_SEGMENT, W_TEXT,
	W_PARTIAL,
};

static const char *const labels[] = {
	"GPS position", "GPS data", "camera", "serial number", "owner",
	"author", "copyright", "software", "computer", "date taken", "date",
	"text comment", "unique image id", "maker note", "embedded thumbnail",
	"EXIF data", "XMP metadata", "IPTC data", "metadata segment", "text",
	"not fully read",
};

#define MORE "more metadata"
#define CUT "\xe2\x80\xa6"		/* U+2026, marks a value cut short */
#define VALUE_READ_MAX 1024	/* bytes of a value looked at */

/* How a value's bytes are written. */
enum enc { ENC_UTF8, ENC_LATIN1, ENC_UCS2LE };

struct scan {
	struct metadata *m;
	unsigned long work;	/* units left */
	unsigned long emitted;	/* warnings given, duplicates included */
	int partial;		/* stopped before the end */
	int xmp_packets;	/* packets searched */
};

/* Spend one unit of work: 1, or 0 (and the scan is partial) if none left. */
static int
spend(struct scan *s)
{
	if (s->work == 0) {
		s->partial = 1;
		return 0;
	}
	s->work--;
	return 1;
}

/* 1 if p[0..len) starts with the n bytes of s. */
static int
starts(const uint8_t *p, size_t len, const char *s, size_t n)
{
	return len >= n && memcmp(p, s, n) == 0;
}
#define STARTS(p, len, s) starts((p), (len), (s), sizeof(s) - 1)

/* The next code point of v[0..len) in enc, its length in *used (0: end). */
static uint32_t
next_cp(const uint8_t *v, size_t len, enum enc enc, size_t *used)
{
	uint32_t cp = 0;

	switch (enc) {
	case ENC_LATIN1:
		*used = 1;
		return v[0];
	case ENC_UCS2LE:
		*used = len < 2 ? len : 2;
		cp = len < 2 ? '?' : decode_le16(v);
		return cp >= 0xd800 && cp <= 0xdfff ? '?' : cp;
	default:
		if ((*used = utf8_decode(v, len, &cp)) == 0) {
			*used = 1;
			return '?';
		}
		return cp;
	}
}

/*
 * Write v[0..len), text in enc ending at its first NUL, to out (at least
 * METADATA_VALUE_MAX + 4 bytes) as a clean value: spaces trimmed, a
 * control, hidden or invalid character as '?', cut at METADATA_VALUE_MAX
 * bytes with U+2026.
 */
static void
clean_value(char *out, const uint8_t *v, size_t len, enum enc enc)
{
	size_t o = 0, used, keep = 0;
	uint32_t cp;
	uint8_t u[4];

	if (len > VALUE_READ_MAX)
		len = VALUE_READ_MAX;
	for (; len > 0; v += used, len -= used) {
		if ((cp = next_cp(v, len, enc, &used)) == 0)
			break;
		if (o == 0 && cp == ' ')
			continue;
		if (cp < 0x20 || utf8_hidden(cp) || cp == 0x2028 ||
		    cp == 0x2029)
			cp = '?';
		size_t n = utf8_encode(u, cp);
		if (o + n > METADATA_VALUE_MAX) {
			memcpy(out + o, CUT, sizeof(CUT));
			return;
		}
		memcpy(out + o, u, n);
		o += n;
		keep = cp == ' ' ? keep : o;
	}
	out[keep] = '\0';
}

/* Add text to the warnings, once; when the list is full, MORE last. */
static void
add(struct metadata *m, const char *text)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->warning[i], text) == 0)
			return;
	if (m->n < METADATA_MAX - 1)
		snprintf(m->warning[m->n++], METADATA_TEXT_MAX + 1, "%s", text);
	else if (m->n == METADATA_MAX - 1)
		snprintf(m->warning[m->n++], METADATA_TEXT_MAX + 1, "%s", MORE);
}

/* Warn w, with the value v[0..len) in enc unless v is NULL. */
static void
warn_value(struct scan *s, enum warn w, const uint8_t *v, size_t len,
    enum enc enc)
{
	char value[METADATA_VALUE_MAX + sizeof(CUT)] = "";
	char text[METADATA_TEXT_MAX + 1];

	s->emitted++;
	if (v != NULL)
		clean_value(value, v, len, enc);
	if (v == NULL || value[0] == '\0')
		snprintf(text, sizeof(text), "%s", labels[w]);
	else
		snprintf(text, sizeof(text), "%s: %s", labels[w], value);
	add(s->m, text);
}

static void
warn(struct scan *s, enum warn w)
{
	warn_value(s, w, NULL, 0, ENC_UTF8);
}

/* XMP: where a property's name is found, its value if it is simple. */
static const struct {
	const char *name;
	enum warn w;
	int valued;
} xmp_props[] = {
	{ "dc:creator", W_AUTHOR, 1 },
	{ "tiff:Artist", W_AUTHOR, 1 },
	{ "dc:rights", W_COPYRIGHT, 1 },
	{ "tiff:Copyright", W_COPYRIGHT, 1 },
	{ "dc:description", W_COMMENT, 0 },
	{ "xmp:CreatorTool", W_SOFTWARE, 1 },
	{ "tiff:Software", W_SOFTWARE, 1 },
	{ "tiff:Model", W_CAMERA, 1 },
	{ "exif:DateTimeOriginal", W_TAKEN, 1 },
	{ "photoshop:DateCreated", W_TAKEN, 1 },
	{ "xmp:CreateDate", W_DATE, 1 },
	{ "exif:GPSLatitude", W_GPS, 0 },
	{ "exif:GPSLongitude", W_GPS, 0 },
	{ "aux:SerialNumber", W_SERIAL, 0 },
	{ "exifEX:BodySerialNumber", W_SERIAL, 0 },
	{ "exifEX:CameraOwnerName", W_OWNER, 1 },
};

/* The first of c in p[from..len) (at most max bytes on), or len. */
static size_t
find_byte(const uint8_t *p, size_t len, size_t from, size_t max, int c)
{
	const uint8_t *q;

	if (from >= len)
		return len;
	if (max > len - from)
		max = len - from;
	q = memchr(p + from, c, max);
	return q != NULL ? (size_t)(q - p) : len;
}

/*
 * The value of the property whose name ends at p[i]: name="value",
 * <name>value<, or <name>...<rdf:li ...>value< (a list's first item).
 * Set *v and *vlen and return 1, or return 0.
 */
static int
xmp_value(const uint8_t *p, size_t len, size_t i, const uint8_t **v,
    size_t *vlen)
{
	size_t end;

	if (i + 1 < len && p[i] == '=' && (p[i + 1] == '"' || p[i + 1] == '\'')) {
		i += 2;
		end = find_byte(p, len, i, VALUE_READ_MAX, p[i - 1]);
	} else if (i < len && p[i] == '>') {
		const uint8_t *li = NULL;
		i++;
		if (i < len && (p[i] == '<' || p[i] <= ' '))
			li = memmem(p + i, len - i < 512 ? len - i : 512,
			    "<rdf:li", 7);
		if (li != NULL)
			i = find_byte(p, len, (size_t)(li - p), 256, '>') + 1;
		end = find_byte(p, len, i, VALUE_READ_MAX, '<');
	} else {
		return 0;
	}
	if (i >= len || end >= len)
		return 0;
	*v = p + i;
	*vlen = end - i;
	return 1;
}

/* An XMP packet p[0..len): present, and what it names. */
static void
xmp(struct scan *s, const uint8_t *p, size_t len)
{
	warn(s, W_XMP);
	if (s->xmp_packets++ >= METADATA_XMP_PACKETS)
		return;
	if (len > METADATA_XMP_WINDOW)
		len = METADATA_XMP_WINDOW;
	for (size_t i = 0; i < sizeof(xmp_props) / sizeof(xmp_props[0]); i++) {
		size_t n = strlen(xmp_props[i].name), vlen;
		const uint8_t *at = memmem(p, len, xmp_props[i].name, n), *v;

		if (at == NULL)
			continue;
		if (xmp_props[i].valued && xmp_value(p, len,
		    (size_t)(at - p) + n, &v, &vlen))
			warn_value(s, xmp_props[i].w, v, vlen, ENC_UTF8);
		else
			warn(s, xmp_props[i].w);
	}
}

/* A TIFF structure (EXIF) and its byte order. */
struct tiff {
	const uint8_t *p;
	size_t len;
	int le;
};

static uint32_t
t16(const struct tiff *t, size_t off)
{
	return t->le ? decode_le16(t->p + off) : decode_be16(t->p + off);
}

static uint32_t
t32(const struct tiff *t, size_t off)
{
	return t->le ? decode_le32(t->p + off) : decode_be32(t->p + off);
}

/* One IFD entry; value is NULL when it lies outside the structure. */
struct entry {
	uint32_t tag, type, count;
	const uint8_t *value;
	size_t size;
};

#define IFD_ENTRY 12

/* Read the entry at off (12 bytes the caller checked lie inside t). */
static void
entry_read(const struct tiff *t, size_t off, struct entry *e)
{
	/* bytes per item of TIFF types 1..13 (13: IFD) */
	static const uint8_t sizes[] = { 0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4,
	    8, 4 };
	uint64_t size = 0;
	uint32_t at;

	e->tag = t16(t, off);
	e->type = t16(t, off + 2);
	e->count = t32(t, off + 4);
	e->value = NULL;
	e->size = 0;
	if (e->type < sizeof(sizes))
		size = (uint64_t)sizes[e->type] * e->count;
	if (size > 0 && size <= 4) {
		e->value = t->p + off + 8;
	} else if (size > 4) {
		at = t32(t, off + 8);
		if (at > t->len || size > t->len - at)
			return;
		e->value = t->p + at;
	}
	e->size = (size_t)size;
}

/* What one EXIF structure names; the IFDs IFD0 points to. */
struct exif {
	const uint8_t *make, *model;
	size_t make_len, model_len;
	uint32_t exif_ifd, gps_ifd;
	int gps_position, gps_entries;
};

/* Tags of IFD0 and the Exif IFD warned about as they are met. */
static const struct {
	uint16_t tag;
	enum warn w;
	int enc;	/* -1: no value */
} tags[] = {
	{ 0x010e, W_COMMENT, -1 },		/* ImageDescription */
	{ 0x0131, W_SOFTWARE, ENC_UTF8 },	/* Software */
	{ 0x0132, W_DATE, ENC_UTF8 },		/* DateTime */
	{ 0x013b, W_AUTHOR, ENC_UTF8 },		/* Artist */
	{ 0x013c, W_COMPUTER, ENC_UTF8 },	/* HostComputer */
	{ 0x8298, W_COPYRIGHT, ENC_UTF8 },	/* Copyright */
	{ 0x9003, W_TAKEN, ENC_UTF8 },		/* DateTimeOriginal */
	{ 0x9004, W_TAKEN, ENC_UTF8 },		/* DateTimeDigitized */
	{ 0x927c, W_MAKERNOTE, -1 },		/* MakerNote */
	{ 0x9286, W_COMMENT, -1 },		/* UserComment */
	{ 0x9c9b, W_COMMENT, -1 },		/* XPTitle */
	{ 0x9c9c, W_COMMENT, -1 },		/* XPComment */
	{ 0x9c9d, W_AUTHOR, ENC_UCS2LE },	/* XPAuthor */
	{ 0x9c9e, W_COMMENT, -1 },		/* XPKeywords */
	{ 0x9c9f, W_COMMENT, -1 },		/* XPSubject */
	{ 0xa420, W_UNIQUE, -1 },		/* ImageUniqueID */
	{ 0xa430, W_OWNER, ENC_UTF8 },		/* CameraOwnerName */
	{ 0xa431, W_SERIAL, -1 },		/* BodySerialNumber */
	{ 0xa435, W_SERIAL, -1 },		/* LensSerialNumber */
	{ 0xc62f, W_SERIAL, -1 },		/* CameraSerialNumber (DNG) */
};

/* An entry of IFD0 or the Exif IFD (depth is 1 for IFD0). */
static void
exif_entry(struct scan *s, const struct tiff *t, const struct entry *e,
    struct exif *x, int depth)
{
	int ptr = (e->type == 4 || e->type == 13) && e->count == 1;

	if (depth == 1 && e->tag == 0x010f) {
		x->make = e->value;
		x->make_len = e->value ? e->size : 0;
	} else if (depth == 1 && e->tag == 0x0110) {
		x->model = e->value;
		x->model_len = e->value ? e->size : 0;
	} else if (depth == 1 && e->tag == 0x8769 && ptr) {
		x->exif_ifd = t32(t, (size_t)(e->value - t->p));
	} else if (depth == 1 && e->tag == 0x8825) {
		x->gps_ifd = ptr ? t32(t, (size_t)(e->value - t->p)) : 0;
		x->gps_entries += !ptr;	/* a GPS pointer that leads nowhere */
	}
	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
		if (tags[i].tag == e->tag)
			warn_value(s, tags[i].w, tags[i].enc < 0 ? NULL :
			    e->value, e->size, (enum enc)tags[i].enc);
}

/* An entry of the GPS IFD: latitude (2) or longitude (4) is a position. */
static void
gps_entry(struct exif *x, const struct entry *e)
{
	x->gps_entries++;
	if (e->tag == 2 || e->tag == 4)
		x->gps_position = 1;
}

/*
 * Read the IFD at off, giving each entry to the IFD's handler: depth 1
 * IFD0, 2 the Exif IFD (exif_entry) or, if gps, the GPS IFD. Return the
 * offset of the next IFD (0: none, or not read).
 */
static uint32_t
ifd(struct scan *s, const struct tiff *t, uint32_t off, struct exif *x,
    int depth, int gps)
{
	size_t n, fit, i, end;
	struct entry e;

	if (off < 8 || off > t->len || t->len - off < 2) {
		s->partial = 1;
		return 0;
	}
	n = t16(t, off);
	fit = (t->len - off - 2) / IFD_ENTRY;
	fit = fit < METADATA_IFD_ENTRIES ? fit : METADATA_IFD_ENTRIES;
	if (n > fit) {
		s->partial = 1;
		n = fit;
	}
	for (i = 0; i < n && spend(s); i++) {
		entry_read(t, off + 2 + i * IFD_ENTRY, &e);
		if (gps)
			gps_entry(x, &e);
		else
			exif_entry(s, t, &e, x, depth);
	}
	end = off + 2 + n * IFD_ENTRY;
	if (s->partial || t->len - end < 4)
		return 0;
	return t32(t, end);
}

/* The bytes of an ASCII value p[0..len) (or NULL) before its NUL. */
static size_t
ascii_len(const uint8_t *p, size_t len)
{
	const uint8_t *nul;

	if (p == NULL)
		return 0;
	len = len < METADATA_VALUE_MAX ? len : METADATA_VALUE_MAX;
	nul = memchr(p, 0, len);
	return nul != NULL ? (size_t)(nul - p) : len;
}

/* Make and Model as one value: the model alone when it names the make. */
static void
camera(struct scan *s, const struct exif *x)
{
	uint8_t v[2 * METADATA_VALUE_MAX + 1];
	size_t ml = ascii_len(x->make, x->make_len);
	size_t dl = ascii_len(x->model, x->model_len), n = 0;

	if (ml > 0 && (dl < ml || strncasecmp((const char *)x->model,
	    (const char *)x->make, ml) != 0)) {
		memcpy(v, x->make, ml);
		n = ml;
		v[n++] = ' ';
	}
	if (dl > 0)
		memcpy(v + n, x->model, dl);
	warn_value(s, W_CAMERA, v, n + dl, ENC_UTF8);
}

/* An EXIF structure (TIFF header and IFDs) p[0..len). */
static void
exif(struct scan *s, const uint8_t *p, size_t len)
{
	struct tiff t = { p, len, 0 };
	struct exif x = { 0 };
	unsigned long before = s->emitted;
	uint32_t ifd0;

	if (STARTS(p, len, "II*\0") || STARTS(p, len, "MM\0*")) {
		t.le = p[0] == 'I';
		if (len >= 8 && (ifd0 = t32(&t, 4)) != 0) {
			if (ifd(s, &t, ifd0, &x, 1, 0) != 0)
				warn(s, W_THUMB);
			if (x.make != NULL || x.model != NULL)
				camera(s, &x);
			if (x.exif_ifd != 0 && x.exif_ifd != ifd0)
				ifd(s, &t, x.exif_ifd, &x, 2, 0);
			if (x.gps_ifd != 0 && x.gps_ifd != ifd0 &&
			    x.gps_ifd != x.exif_ifd)
				ifd(s, &t, x.gps_ifd, &x, 2, 1);
		}
	}
	if (x.gps_position)
		warn(s, W_GPS);
	else if (x.gps_entries > 0)
		warn(s, W_GPS_DATA);
	if (s->emitted == before)
		warn(s, W_EXIF);
}

/* A JPEG APPn (0xe0 + n) segment's payload d[0..n). */
static void
jpeg_app(struct scan *s, int marker, const uint8_t *d, size_t n)
{
	static const char xmp_ns[] = "http://ns.adobe.com/xap/1.0/";
	static const char ext_ns[] = "http://ns.adobe.com/xmp/extension/";
	const size_t ext_head = sizeof(ext_ns) + 40;	/* GUID, sizes */
	char name[8];

	if (marker == 0xe1 && STARTS(d, n, "Exif\0\0"))
		exif(s, d + 6, n - 6);
	else if (marker == 0xe1 && starts(d, n, xmp_ns, sizeof(xmp_ns)))
		xmp(s, d + sizeof(xmp_ns), n - sizeof(xmp_ns));
	else if (marker == 0xe1 && starts(d, n, ext_ns, sizeof(ext_ns)))
		xmp(s, d + (n < ext_head ? n : ext_head),
		    n < ext_head ? 0 : n - ext_head);
	else if (marker == 0xed && STARTS(d, n, "Photoshop 3.0\0"))
		warn(s, W_IPTC);
	else if (!(marker == 0xe0 && (STARTS(d, n, "JFIF\0") ||
	    STARTS(d, n, "JFXX\0"))) &&
	    !(marker == 0xe2 && (STARTS(d, n, "ICC_PROFILE\0") ||
	    STARTS(d, n, "MPF\0"))) &&
	    !(marker == 0xee && STARTS(d, n, "Adobe"))) {
		snprintf(name, sizeof(name), "APP%u", (marker - 0xe0) & 15u);
		warn_value(s, W_SEGMENT, (const uint8_t *)name, strlen(name),
		    ENC_UTF8);
	}
}

/* A JPEG's segments, from after SOI to the first scan (SOS). */
static void
jpeg(struct scan *s, const uint8_t *p, size_t len)
{
	size_t i = 2, seg;
	int marker;

	while (spend(s)) {
		if (i >= len || p[i] != 0xff)
			break;
		while (i < len && p[i] == 0xff)
			i++;			/* fill bytes */
		if (i >= len || p[i] == 0)
			break;
		marker = p[i++];
		if (marker == 0xda || marker == 0xd9)
			return;			/* SOS, EOI: no more metadata */
		if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd8))
			continue;		/* no length */
		if (len - i < 2 || (seg = decode_be16(p + i)) < 2 || seg > len - i)
			break;
		if (marker == 0xfe)
			warn(s, W_COMMENT);
		else if (marker >= 0xe0 && marker <= 0xef)
			jpeg_app(s, marker, p + i + 2, seg - 2);
		i += seg;
	}
	s->partial = 1;
}

/* PNG text chunk keywords and what they say. */
static const struct {
	const char *keyword;
	enum warn w;
	int valued;
} png_keywords[] = {
	{ "Author", W_AUTHOR, 1 }, { "Artist", W_AUTHOR, 1 },
	{ "Copyright", W_COPYRIGHT, 1 }, { "Make", W_CAMERA, 1 },
	{ "Model", W_CAMERA, 1 },
	{ "Software", W_SOFTWARE, 1 }, { "Creation Time", W_DATE, 1 },
	{ "Source", W_CAMERA, 1 }, { "Title", W_COMMENT, 0 },
	{ "Description", W_COMMENT, 0 }, { "Comment", W_COMMENT, 0 },
	{ "Disclaimer", W_COMMENT, 0 }, { "Warning", W_COMMENT, 0 },
	{ "Raw profile type exif", W_EXIF, 0 },
	{ "Raw profile type APP1", W_EXIF, 0 },
	{ "Raw profile type iptc", W_IPTC, 0 },
	{ "Raw profile type xmp", W_XMP, 0 },
};

/*
 * A PNG text chunk: keyword k[0..klen) (Latin-1), its text v[0..vlen) in
 * enc, or v NULL (compressed: not read).
 */
static void
png_text(struct scan *s, const uint8_t *k, size_t klen, const uint8_t *v,
    size_t vlen, enum enc enc)
{
	if (klen == 17 && memcmp(k, "XML:com.adobe.xmp", 17) == 0) {
		if (v != NULL)
			xmp(s, v, vlen);
		else
			warn(s, W_XMP);
		return;
	}
	for (size_t i = 0; i < sizeof(png_keywords) / sizeof(png_keywords[0]);
	    i++) {
		const char *kw = png_keywords[i].keyword;
		if (strlen(kw) == klen && memcmp(k, kw, klen) == 0) {
			warn_value(s, png_keywords[i].w,
			    png_keywords[i].valued ? v : NULL, vlen, enc);
			return;
		}
	}
	warn_value(s, W_TEXT, k, klen, ENC_LATIN1);
}

/* Past the NUL that ends a string at d[*i] (at most max bytes); 0 or -1. */
static int
skip_string(const uint8_t *d, size_t n, size_t *i, size_t max)
{
	size_t z = find_byte(d, n, *i, max, 0);

	if (z >= n)
		return -1;
	*i = z + 1;
	return 0;
}

/* A tEXt, zTXt or iTXt chunk's data d[0..n). */
static void
png_text_chunk(struct scan *s, const uint8_t *type, const uint8_t *d,
    size_t n)
{
	size_t i = 0, klen;
	int compressed;

	if (skip_string(d, n, &i, 80) != 0) {
		warn_value(s, W_TEXT, d, n < 79 ? n : 79, ENC_LATIN1);
		return;
	}
	klen = i - 1;
	if (memcmp(type, "tEXt", 4) == 0) {
		png_text(s, d, klen, d + i, n - i, ENC_LATIN1);
	} else if (memcmp(type, "zTXt", 4) == 0) {
		png_text(s, d, klen, NULL, 0, ENC_LATIN1);
	} else {	/* iTXt: flag, method, language, translated keyword */
		compressed = i >= n || d[i] != 0;
		i += 2;
		if (i > n || skip_string(d, n, &i, n) != 0 ||
		    skip_string(d, n, &i, n) != 0)
			compressed = 1, i = n;
		png_text(s, d, klen, compressed ? NULL : d + i, n - i,
		    ENC_UTF8);
	}
}

/* A PNG chunk of the given type and data d[0..n). */
static void
png_chunk(struct scan *s, const uint8_t *type, const uint8_t *d, size_t n)
{
	char date[32];

	if (memcmp(type, "tEXt", 4) == 0 || memcmp(type, "zTXt", 4) == 0 ||
	    memcmp(type, "iTXt", 4) == 0) {
		png_text_chunk(s, type, d, n);
	} else if (memcmp(type, "eXIf", 4) == 0) {
		exif(s, d, n);
	} else if (memcmp(type, "tIME", 4) == 0) {
		if (n == 7)
			snprintf(date, sizeof(date), "%04u-%02u-%02u "
			    "%02u:%02u:%02u", (unsigned)decode_be16(d), d[2], d[3],
			    d[4], d[5], d[6]);
		warn_value(s, W_DATE, n == 7 ? (const uint8_t *)date : NULL,
		    n == 7 ? strlen(date) : 0, ENC_UTF8);
	}
}

/* A PNG's chunks after its signature, to IEND. */
static void
png(struct scan *s, const uint8_t *p, size_t len)
{
	size_t i = 8;
	uint32_t n;

	while (spend(s)) {
		if (len - i < 12 || (n = decode_be32(p + i)) > len - i - 12)
			break;
		png_chunk(s, p + i + 4, p + i + 8, n);
		if (memcmp(p + i + 4, "IEND", 4) == 0)
			return;
		i += 12 + (size_t)n;
	}
	s->partial = 1;
}

/* A WebP's RIFF chunks: EXIF (some writers put "Exif\0\0" first), XMP. */
static void
webp(struct scan *s, const uint8_t *p, size_t len)
{
	size_t end = len, i = 12;
	uint32_t n;

	if ((size_t)decode_le32(p + 4) <= len - 8)
		end = 8 + (size_t)decode_le32(p + 4);
	while (i < end && spend(s)) {
		const uint8_t *d = p + i + 8;
		if (end - i < 8 || (n = decode_le32(p + i + 4)) > end - i - 8)
			break;
		if (memcmp(p + i, "EXIF", 4) == 0 && STARTS(d, n, "Exif\0\0"))
			exif(s, d + 6, n - 6);
		else if (memcmp(p + i, "EXIF", 4) == 0)
			exif(s, d, n);
		else if (memcmp(p + i, "XMP ", 4) == 0)
			xmp(s, d, n);
		i += 8 + (size_t)n + (n & 1);
	}
	if (i < end || end < 12)
		s->partial = 1;
}

/* Skip GIF data sub-blocks from p[*i] to their terminator; 0 or -1. */
static int
gif_blocks(struct scan *s, const uint8_t *p, size_t len, size_t *i)
{
	while (spend(s)) {
		if (*i >= len || p[*i] >= len - *i)
			return -1;
		if (p[(*i)++] == 0)
			return 0;
		*i += p[*i - 1];
	}
	return -1;
}

/* The size of a GIF colour table whose presence and size flags are f. */
static size_t
gif_table(uint8_t f)
{
	return f & 0x80 ? (size_t)3 << ((f & 7) + 1) : 0;
}

/* A GIF's blocks after its screen descriptor, to the trailer. */
static void
gif(struct scan *s, const uint8_t *p, size_t len)
{
	size_t i = 13;
	uint8_t b;

	if (len < 13 || (i += gif_table(p[10])) > len)
		goto partial;
	while (i < len && spend(s)) {
		if ((b = p[i++]) == 0x3b)
			return;
		if (b == 0x21 && i < len) {
			b = p[i++];
			if (b == 0xfe)
				warn(s, W_COMMENT);
			if (b == 0xff && STARTS(p + i, len - i, "\x0bXMP DataXMP"))
				xmp(s, p + i + 12, len - i - 12);
		} else if (b == 0x2c && len - i >= 10) {
			i += 9 + gif_table(p[i + 8]) + 1;  /* +1: LZW size */
		} else {
			break;
		}
		if (gif_blocks(s, p, len, &i) != 0)
			break;
	}
partial:
	s->partial = 1;
}

size_t
metadata_scan(const uint8_t *buf, size_t len, struct metadata *m)
{
	struct scan s = { m, METADATA_WORK, 0, 0, 0 };
	enum sniff_image kind;

	m->n = 0;
	sniff_type(buf, len, &kind);
	if (kind == SNIFF_JPEG)
		jpeg(&s, buf, len);
	else if (kind == SNIFF_PNG)
		png(&s, buf, len);
	else if (kind == SNIFF_WEBP && len >= 12)
		webp(&s, buf, len);
	else if (kind == SNIFF_GIF)
		gif(&s, buf, len);
	if (s.partial)
		warn(&s, W_PARTIAL);
	return m->n;
}
