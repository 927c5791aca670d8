/*
 * hashlist: see hashlist.h. A line is gathered whole (at most
 * HASHLIST_LINE_MAX bytes and its CR: the rest of a longer one is only
 * counted) and then read token by token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "hashlist.h"

static const char bom[] = "\xef\xbb\xbf";

struct hashlist_reader {
	hashlist_fn *fn;
	void *arg;
	struct hashlist_result res;
	char line[HASHLIST_LINE_MAX + 1];	/* and a CR */
	size_t len;		/* bytes of the line so far, kept or not */
	int stopped;
};

static const struct {
	const char *name;
	size_t digits;
} formats[] = {
	[HASHLIST_AUTO] = { "auto", 0 },
	[HASHLIST_MD5] = { "md5", 32 },
	[HASHLIST_SHA1] = { "sha1", 40 },
	[HASHLIST_SHA256] = { "sha256", 64 },
	[HASHLIST_PDQ] = { "pdq", 64 },
};
#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

const char *
hashlist_format_name(enum hashlist_format format)
{
	return formats[format].name;
}

int
hashlist_format_parse(const char *s)
{
	for (size_t i = HASHLIST_MD5; i < NFORMATS; i++)
		if (strcmp(s, formats[i].name) == 0)
			return (int)i;
	return -1;
}

size_t
hashlist_format_digits(enum hashlist_format format)
{
	return formats[format].digits;
}

struct hashlist_reader *
hashlist_reader_new(enum hashlist_format format, hashlist_fn *fn, void *arg)
{
	struct hashlist_reader *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->fn = fn;
	r->arg = arg;
	r->res.format = format;
	return r;
}

void
hashlist_reader_free(struct hashlist_reader *r)
{
	free(r);
}

const struct hashlist_result *
hashlist_reader_result(const struct hashlist_reader *r)
{
	return &r->res;
}

static int
blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

static int
hexdigit(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
	    (ch >= 'A' && ch <= 'F');
}

/* The end of the token starting at p (the first blank or end). */
static const char *
token_end(const char *p, const char *end)
{
	while (p < end && !blank(*p))
		p++;
	return p;
}

static const char *
skip_blanks(const char *p, const char *end)
{
	while (p < end && blank(*p))
		p++;
	return p;
}

static void
bad(struct hashlist_reader *r, enum hashlist_why why, size_t digits)
{
	struct hashlist_bad *b;

	if (r->res.nbad++ >= HASHLIST_BAD_SHOWN)
		return;
	b = &r->res.bad[r->res.nbad - 1];
	b->line = r->res.lines;
	b->why = why;
	b->digits = digits;
}

static void
stop(struct hashlist_reader *r, enum hashlist_stop why)
{
	r->stopped = 1;
	r->res.stop = why;
	r->res.stop_line = r->res.lines;
}

/*
 * The format a hash of n hex digits is read as, or HASHLIST_AUTO if it is
 * of no format's length (the line is then bad); with HASHLIST_AUTO, the
 * first hash fixes the format (or, at 64 digits, stops the reader).
 */
static enum hashlist_format
format_of(struct hashlist_reader *r, size_t n)
{
	if (r->res.format == HASHLIST_AUTO) {
		if (n == formats[HASHLIST_SHA256].digits)
			stop(r, HASHLIST_STOP_AMBIGUOUS);
		else if (n == formats[HASHLIST_MD5].digits)
			r->res.format = HASHLIST_MD5;
		else if (n == formats[HASHLIST_SHA1].digits)
			r->res.format = HASHLIST_SHA1;
		return r->res.format;
	}
	return n == formats[r->res.format].digits ? r->res.format :
	    HASHLIST_AUTO;
}

/* The grade token g[0..n) into e->grade: 0, or -1 if it is not one. */
static int
grade(struct hashlist_entry *e, const char *g, size_t n)
{
	if (n > HASHLIST_GRADE_MAX)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (g[i] <= ' ' || g[i] > '~' || g[i] == '#')
			return -1;
	memcpy(e->grade, g, n);
	e->grade[n] = '\0';
	return 0;
}

/*
 * Read the hash (and grade) of the line p[0..end), at most
 * HASHLIST_LINE_MAX bytes without its CR and LF, into e (e->len 0: the
 * line has none). Return 0, or why the line is bad (*digits set for
 * HASHLIST_BAD_LENGTH).
 */
static int
parse_line(struct hashlist_reader *r, const char *p, const char *end,
    struct hashlist_entry *e, size_t *digits)
{
	const char *h, *hend, *g, *gend;
	size_t n;

	if (r->res.lines == 1 && (size_t)(end - p) >= 3 &&
	    memcmp(p, bom, 3) == 0)
		p += 3;
	h = skip_blanks(p, end);
	if (h == end || *h == '#')
		return 0;
	hend = token_end(h, end);
	for (n = 0; h + n < hend && hexdigit(h[n]); n++)
		;
	if (h + n != hend)
		return HASHLIST_BAD_NOT_HEX;
	if (r->res.first_digits == 0) {
		r->res.first_digits = n;
		r->res.first_line = r->res.lines;
	}
	*digits = n;
	if ((e->format = format_of(r, n)) == HASHLIST_AUTO || r->stopped)
		return r->stopped ? 0 : HASHLIST_BAD_LENGTH;
	g = skip_blanks(hend, end);
	gend = g < end && *g != '#' ? token_end(g, end) : g;
	if (grade(e, g, (size_t)(gend - g)) != 0)
		return HASHLIST_BAD_GRADE;
	gend = skip_blanks(gend, end);
	if (gend < end && *gend != '#')
		return HASHLIST_BAD_EXTRA;
	e->len = n / 2;
	decode_hex(e->value, e->len, h, n);	/* checked above: never fails */
	return 0;
}

/* The line gathered so far is whole: read it, start the next. */
static void
end_line(struct hashlist_reader *r)
{
	struct hashlist_entry e = { .line = r->res.lines + 1 };
	size_t len = r->len, digits = 0;
	int rc;

	r->res.lines++;
	r->len = 0;
	if (len > 0 && len <= HASHLIST_LINE_MAX + 1 && r->line[len - 1] == '\r')
		len--;
	if (len > HASHLIST_LINE_MAX)
		rc = HASHLIST_BAD_LONG;
	else
		rc = parse_line(r, r->line, r->line + len, &e, &digits);
	if (rc != 0) {
		bad(r, (enum hashlist_why)rc,
		    rc == HASHLIST_BAD_LENGTH ? digits : 0);
	} else if (e.len > 0) {
		r->res.hashes++;
		if (r->fn(r->arg, &e) != 0)
			stop(r, HASHLIST_STOP_CALLER);
	}
}

/* Add p[0..n), which holds no LF, to the line (keeping what fits). */
static void
gather(struct hashlist_reader *r, const char *p, size_t n)
{
	size_t room = r->len < sizeof(r->line) ? sizeof(r->line) - r->len : 0;

	if (room > 0)
		memcpy(r->line + r->len, p, n < room ? n : room);
	r->len = n > SIZE_MAX - r->len ? SIZE_MAX : r->len + n;
}

int
hashlist_reader_feed(struct hashlist_reader *r, const void *buf, size_t len)
{
	const char *p = buf, *end = p + len, *nl;

	while (!r->stopped && p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		gather(r, p, (size_t)((nl ? nl : end) - p));
		if (nl == NULL)
			break;
		end_line(r);
		p = nl + 1;
	}
	return r->stopped ? -1 : 0;
}

int
hashlist_reader_end(struct hashlist_reader *r)
{
	if (!r->stopped && r->len > 0)
		end_line(r);
	return r->stopped ? -1 : 0;
}

void
hashlist_describe(const struct hashlist_bad *b, enum hashlist_format format,
    char *buf, size_t size)
{
	switch (b->why) {
	case HASHLIST_BAD_LONG:
		snprintf(buf, size, "longer than %d bytes", HASHLIST_LINE_MAX);
		break;
	case HASHLIST_BAD_NOT_HEX:
		snprintf(buf, size, "not a hash (its first word is not hex "
		    "digits)");
		break;
	case HASHLIST_BAD_LENGTH:
		if (format == HASHLIST_AUTO)
			snprintf(buf, size, "%zu hex digits: no format has "
			    "that length (md5 32, sha1 40, sha256 and pdq 64)",
			    b->digits);
		else
			snprintf(buf, size, "%zu hex digits, where %s takes "
			    "%zu", b->digits, formats[format].name,
			    formats[format].digits);
		break;
	case HASHLIST_BAD_GRADE:
		snprintf(buf, size, "the grade is not one word of at most %d "
		    "printable ASCII characters", HASHLIST_GRADE_MAX);
		break;
	case HASHLIST_BAD_EXTRA:
		snprintf(buf, size, "more than a hash and a grade (a comment "
		    "starts with #)");
		break;
	}
}
