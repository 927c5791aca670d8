/*
 * multipart: a strict, streaming multipart/form-data (RFC 7578, RFC 2046)
 * request-body parser. It owns the boundary search, the part-header parsing
 * and the limits on them; it never owns part bodies: each body is handed to
 * a callback as it arrives, so the memory per request is a constant (about
 * 10 KiB) whatever the size of the upload.
 *
 * The delimiter is CRLF "--" boundary. A CR can only be its first byte (CR
 * is not a bchar), so a partial match that fails can never hide the start of
 * another match: the held-back bytes are exactly the matched prefix of the
 * delimiter, are released from the delimiter itself, and the failing byte is
 * looked at again. The lookbehind is thus at most boundary length + 3 bytes
 * and needs no buffer. The preamble is scanned as if it started after a
 * CRLF, so a body may begin directly with "--boundary".
 */
#include <sys/types.h>

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "multipart.h"
#include "secmem.h"

enum mp_state {
	MP_PREAMBLE,	/* skipping bytes until the first delimiter */
	MP_TAIL,	/* just after a delimiter: "--", padding or CRLF */
	MP_TAIL_PAD,	/* transport padding after a delimiter */
	MP_TAIL_DASH,	/* one '-' of a closing delimiter seen */
	MP_TAIL_LF,	/* CR after a delimiter seen */
	MP_HEADER,	/* inside a part-header line */
	MP_HEADER_LF,	/* CR at the end of a part-header line seen */
	MP_BODY,	/* inside a part body */
	MP_EPILOGUE,	/* after the closing delimiter */
	MP_ERROR
};

struct multipart {
	struct multipart_callbacks cb;
	void *ctx;
	enum mp_state state;
	int rc;				/* MULTIPART_OK or the error */
	const char *err;
	uint8_t delim[4 + MULTIPART_BOUNDARY_MAX];	/* CRLF "--" boundary */
	size_t dlen;
	size_t match;			/* delimiter bytes matched so far */
	unsigned nparts;
	size_t hbytes;			/* bytes of this part's header block */
	size_t llen;			/* bytes in line */
	int has_disp, has_ctype;
	struct multipart_part part;
	char line[MULTIPART_HEADERS_MAX];
	char name[MULTIPART_NAME_MAX + 1];
	char filename[MULTIPART_FILENAME_MAX + 1];
	char ctype[MULTIPART_CTYPE_MAX + 1];
};

/* A view of bytes inside a header value. */
struct span {
	const char *p;
	size_t len;
};

/* ---- character classes and header-value lexing ---- */

static int
is_tchar(unsigned char c)
{

	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z'))
		return (1);
	return (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int
is_bchar(unsigned char c)
{

	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z'))
		return (1);
	return (c != '\0' && strchr("'()+_,-./:=? ", c) != NULL);
}

/* Bytes allowed in quoted strings and header values: no CTL but HTAB. */
static int
is_text(unsigned char c)
{

	return (c == '\t' || (c >= 0x20 && c != 0x7f));
}

static int
span_ieq(struct span s, const char *lit)
{
	size_t n = strlen(lit);

	if (s.len != n)
		return (0);
	for (size_t i = 0; i < n; i++) {
		unsigned char a = (unsigned char)s.p[i];
		if (a >= 'A' && a <= 'Z')
			a = (unsigned char)(a - 'A' + 'a');
		if (a != (unsigned char)lit[i])
			return (0);
	}
	return (1);
}

static size_t
skip_ows(const char *s, size_t len, size_t pos)
{

	while (pos < len && (s[pos] == ' ' || s[pos] == '\t'))
		pos++;
	return (pos);
}

/* Read a token at *pos into t; return -1 if there is none. */
static int
lex_token(const char *s, size_t len, size_t *pos, struct span *t)
{
	size_t i = *pos;

	while (i < len && is_tchar((unsigned char)s[i]))
		i++;
	if (i == *pos)
		return (-1);
	t->p = s + *pos;
	t->len = i - *pos;
	*pos = i;
	return (0);
}

/* Read a quoted-string at *pos; t spans its raw inside, escapes kept. */
static int
lex_quoted(const char *s, size_t len, size_t *pos, struct span *t)
{
	size_t i = *pos + 1;

	for (; i < len && s[i] != '"'; i++) {
		if (s[i] == '\\' && ++i == len)
			return (-1);
		if (!is_text((unsigned char)s[i]))
			return (-1);
	}
	if (i == len)
		return (-1);
	t->p = s + *pos + 1;
	t->len = i - *pos - 1;
	*pos = i + 1;
	return (0);
}

/*
 * Read the next parameter (";" name "=" value) at *pos into pname and the
 * raw value pval (*quoted tells how to unescape it). Return 1 if one was
 * read, 0 at the end of the value, -1 on a syntax error.
 */
static int
param_next(const char *s, size_t len, size_t *pos, struct span *pname,
    struct span *pval, int *quoted)
{
	size_t i = skip_ows(s, len, *pos);

	if (i == len)
		return (0);
	if (s[i] != ';')
		return (-1);
	if ((i = skip_ows(s, len, i + 1)) == len)
		return (0);	/* a trailing ';' is tolerated */
	if (lex_token(s, len, &i, pname))
		return (-1);
	i = skip_ows(s, len, i);
	if (i == len || s[i] != '=')
		return (-1);
	i = skip_ows(s, len, i + 1);
	*quoted = (i < len && s[i] == '"');
	if (*quoted ? lex_quoted(s, len, &i, pval) : lex_token(s, len, &i, pval))
		return (-1);
	*pos = i;
	return (1);
}

/*
 * Copy the value v into out[0..cap), unescaping it if quoted, and add a NUL.
 * Return its length, or -1 if it does not fit.
 */
static ssize_t
unquote(struct span v, int quoted, char *out, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < v.len; i++) {
		if (quoted && v.p[i] == '\\')
			i++;
		if (n + 1 >= cap)
			return (-1);
		out[n++] = v.p[i];
	}
	out[n] = '\0';
	return ((ssize_t)n);
}

static int
boundary_ok(const char *b, size_t len)
{

	if (len < 1 || len > MULTIPART_BOUNDARY_MAX || b[len - 1] == ' ')
		return (0);
	for (size_t i = 0; i < len; i++)
		if (!is_bchar((unsigned char)b[i]))
			return (0);
	return (1);
}

/* Check that s[0..len) starts with the media type multipart/form-data. */
static int
media_type(const char *s, size_t len, size_t *pos)
{
	struct span type, sub;
	size_t i = skip_ows(s, len, 0);

	if (lex_token(s, len, &i, &type) || i == len || s[i] != '/')
		return (-1);
	i++;
	if (lex_token(s, len, &i, &sub))
		return (-1);
	if (!span_ieq(type, "multipart") || !span_ieq(sub, "form-data"))
		return (-1);
	*pos = i;
	return (0);
}

/**
 * multipart_boundary(content_type, len, out, outcap):
 * If the Content-Type value content_type[0..len) is multipart/form-data
 * (case-insensitive) with one valid boundary parameter (token or quoted,
 * 1..70 RFC 2046 bchars, not ending in a space), write the boundary and a
 * NUL to out[0..outcap) and return 0; otherwise return -1.
 */
int
multipart_boundary(const char *content_type, size_t len, char *out,
    size_t outcap)
{
	struct span pname, pval;
	size_t pos;
	ssize_t blen = -1;
	int quoted, r;

	if (media_type(content_type, len, &pos))
		return (-1);
	while ((r = param_next(content_type, len, &pos, &pname, &pval,
	    &quoted)) == 1) {
		if (!span_ieq(pname, "boundary"))
			continue;
		if (blen >= 0)
			return (-1);	/* two boundaries */
		if ((blen = unquote(pval, quoted, out, outcap)) < 0)
			return (-1);
	}
	if (r != 0 || blen < 0 || !boundary_ok(out, (size_t)blen))
		return (-1);
	return (0);
}

/**
 * multipart_new(boundary, cb, ctx):
 * Return a parser for a body delimited by the NUL-terminated boundary (as
 * returned by multipart_boundary), calling cb's functions with ctx; or NULL
 * if the boundary is invalid or memory is exhausted.
 */
struct multipart *
multipart_new(const char *boundary, const struct multipart_callbacks *cb,
    void *ctx)
{
	struct multipart *mp;
	size_t blen = strnlen(boundary, MULTIPART_BOUNDARY_MAX + 1);

	if (!boundary_ok(boundary, blen))
		return (NULL);
	/* Locked: it holds a part's names and the bytes of a partial match. */
	if ((mp = secmem_get(sizeof(*mp))) == NULL)
		return (NULL);
	mp->cb = *cb;
	mp->ctx = ctx;
	mp->state = MP_PREAMBLE;
	mp->rc = MULTIPART_OK;
	mp->err = "";
	memcpy(mp->delim, "\r\n--", 4);
	memcpy(mp->delim + 4, boundary, blen);
	mp->dlen = 4 + blen;
	mp->match = 2;	/* the body may start with "--boundary" */
	mp->part.name = mp->name;
	mp->part.filename = mp->filename;
	mp->part.content_type = mp->ctype;
	return (mp);
}

/* ---- errors ---- */

static int
fail(struct multipart *mp, int rc, const char *why)
{

	mp->state = MP_ERROR;
	mp->rc = rc;
	mp->err = why;
	return (rc);
}

static int
invalid(struct multipart *mp, const char *why)
{

	return (fail(mp, MULTIPART_EINVAL, why));
}

static int
aborted(struct multipart *mp)
{

	return (fail(mp, MULTIPART_EABORT, "aborted by callback"));
}

/* ---- part headers ---- */

/* Parse the value of Content-Disposition: form-data; name=...; filename=... */
static int
header_disposition(struct multipart *mp, const char *v, size_t len)
{
	struct span type, pname, pval;
	size_t pos = 0;
	int quoted, r, has_name = 0;

	if (mp->has_disp)
		return (invalid(mp, "duplicate Content-Disposition"));
	mp->has_disp = 1;
	if (lex_token(v, len, &pos, &type) || !span_ieq(type, "form-data"))
		return (invalid(mp, "part is not form-data"));
	while ((r = param_next(v, len, &pos, &pname, &pval, &quoted)) == 1) {
		if (span_ieq(pname, "name")) {
			if (has_name++)
				return (invalid(mp, "duplicate name parameter"));
			if (unquote(pval, quoted, mp->name, sizeof(mp->name)) < 0)
				return (invalid(mp, "field name too long"));
		} else if (span_ieq(pname, "filename")) {
			if (mp->part.has_filename++)
				return (invalid(mp, "duplicate filename parameter"));
			if (unquote(pval, quoted, mp->filename,
			    sizeof(mp->filename)) < 0)
				return (invalid(mp, "file name too long"));
		}
	}
	if (r != 0)
		return (invalid(mp, "bad Content-Disposition"));
	return (0);
}

static int
header_content_type(struct multipart *mp, const char *v, size_t len)
{

	if (mp->has_ctype)
		return (invalid(mp, "duplicate Content-Type"));
	mp->has_ctype = 1;
	if (len == 0)
		return (invalid(mp, "empty Content-Type"));
	if (len > MULTIPART_CTYPE_MAX)
		return (invalid(mp, "part Content-Type too long"));
	memcpy(mp->ctype, v, len);
	mp->ctype[len] = '\0';
	return (0);
}

/* Parse one complete header line of llen > 0 bytes in mp->line. */
static int
header_line(struct multipart *mp)
{
	const char *s = mp->line;
	size_t len = mp->llen, pos = 0, end;
	struct span hname;

	for (size_t i = 0; i < len; i++)
		if (!is_text((unsigned char)s[i]))
			return (invalid(mp, "control character in part header"));
	if (lex_token(s, len, &pos, &hname) || pos == len || s[pos] != ':')
		return (invalid(mp, "bad part header"));
	pos = skip_ows(s, len, pos + 1);
	for (end = len; end > pos && (s[end - 1] == ' ' || s[end - 1] == '\t');)
		end--;
	if (span_ieq(hname, "content-disposition"))
		return (header_disposition(mp, s + pos, end - pos));
	if (span_ieq(hname, "content-type"))
		return (header_content_type(mp, s + pos, end - pos));
	return (0);	/* other headers are ignored */
}

/* The blank line after the part headers: the body starts. */
static int
headers_end(struct multipart *mp)
{

	if (!mp->has_disp)
		return (invalid(mp, "part without Content-Disposition"));
	if (mp->name[0] == '\0')
		return (invalid(mp, "part without name"));
	if (mp->cb.part_begin(mp->ctx, &mp->part))
		return (aborted(mp));
	mp->state = MP_BODY;
	mp->match = 0;
	return (0);
}

/* A delimiter line ended: a new part's headers start. */
static int
part_start(struct multipart *mp)
{

	if (++mp->nparts > MULTIPART_PARTS_MAX)
		return (invalid(mp, "too many parts"));
	mp->state = MP_HEADER;
	mp->hbytes = 0;
	mp->llen = 0;
	mp->has_disp = mp->has_ctype = 0;
	mp->part.has_filename = 0;
	mp->name[0] = mp->filename[0] = mp->ctype[0] = '\0';
	return (0);
}

static int
feed_header(struct multipart *mp, uint8_t c)
{

	if (++mp->hbytes > MULTIPART_HEADERS_MAX)
		return (invalid(mp, "part headers too large"));
	if (mp->state == MP_HEADER_LF) {
		if (c != '\n')
			return (invalid(mp, "CR without LF in part header"));
		mp->state = MP_HEADER;
		if (mp->llen == 0)
			return (headers_end(mp));
		if (mp->line[0] == ' ' || mp->line[0] == '\t')
			return (invalid(mp, "folded part header"));
		if (header_line(mp))
			return (mp->rc);
		sodium_memzero(mp->line, mp->llen);
		mp->llen = 0;
		return (0);
	}
	if (c == '\r') {
		mp->state = MP_HEADER_LF;
		return (0);
	}
	if (c == '\n')
		return (invalid(mp, "bare LF in part header"));
	mp->line[mp->llen++] = (char)c;
	return (0);
}

/* ---- delimiters ---- */

/* One byte of the line that follows a delimiter. */
static int
feed_tail(struct multipart *mp, uint8_t c)
{

	switch (mp->state) {
	case MP_TAIL:
		if (c == '-') {
			mp->state = MP_TAIL_DASH;
			return (0);
		}
		/* FALLTHROUGH */
	case MP_TAIL_PAD:
		if (c == ' ' || c == '\t')
			mp->state = MP_TAIL_PAD;
		else if (c == '\r')
			mp->state = MP_TAIL_LF;
		else
			return (invalid(mp, "bad delimiter line"));
		return (0);
	case MP_TAIL_DASH:
		if (c != '-')
			return (invalid(mp, "bad closing delimiter"));
		mp->state = MP_EPILOGUE;
		return (0);
	default:	/* MP_TAIL_LF */
		if (c != '\n')
			return (invalid(mp, "bad delimiter line"));
		return (part_start(mp));
	}
}

/* Pass body bytes to part_data; preamble bytes are dropped. */
static int
emit(struct multipart *mp, const uint8_t *buf, size_t len)
{

	if (mp->state != MP_BODY || len == 0)
		return (0);
	if (mp->cb.part_data(mp->ctx, buf, len))
		return (aborted(mp));
	return (0);
}

/* The whole delimiter was matched. */
static int
delimiter_seen(struct multipart *mp)
{

	mp->match = 0;
	if (mp->state == MP_BODY && mp->cb.part_end(mp->ctx))
		return (aborted(mp));
	mp->state = MP_TAIL;
	return (0);
}

/*
 * Scan buf[0..len) of a body or the preamble for the delimiter, emitting
 * what is not part of it. Return the number of bytes used (stopping just
 * after a delimiter), or -1 on error.
 */
static ssize_t
scan_delim(struct multipart *mp, const uint8_t *buf, size_t len)
{
	size_t i = 0;

	while (i < len) {
		if (mp->match == 0) {
			const uint8_t *cr = memchr(buf + i, '\r', len - i);
			size_t run = (cr != NULL) ? (size_t)(cr - buf) - i :
			    len - i;

			if (emit(mp, buf + i, run))
				return (-1);
			if ((i += run) == len)
				break;
			mp->match = 1;
			i++;
		} else if (buf[i] == mp->delim[mp->match]) {
			i++;
			if (++mp->match == mp->dlen)
				return (delimiter_seen(mp) ? -1 : (ssize_t)i);
		} else {
			/* The held-back bytes were data; look at buf[i] again. */
			if (emit(mp, mp->delim, mp->match))
				return (-1);
			mp->match = 0;
		}
	}
	return ((ssize_t)i);
}

/**
 * multipart_feed(mp, buf, len):
 * Parse the next len bytes of the body. Return MULTIPART_OK, or
 * MULTIPART_EINVAL / MULTIPART_EABORT; after an error every later call
 * returns the same error.
 */
int
multipart_feed(struct multipart *mp, const uint8_t *buf, size_t len)
{
	size_t i = 0;
	ssize_t used;

	while (i < len) {
		switch (mp->state) {
		case MP_PREAMBLE:
		case MP_BODY:
			if ((used = scan_delim(mp, buf + i, len - i)) < 0)
				return (mp->rc);
			i += (size_t)used;
			break;
		case MP_HEADER:
		case MP_HEADER_LF:
			if (feed_header(mp, buf[i++]))
				return (mp->rc);
			break;
		case MP_EPILOGUE:
			return (MULTIPART_OK);
		case MP_ERROR:
			return (mp->rc);
		default:
			if (feed_tail(mp, buf[i++]))
				return (mp->rc);
			break;
		}
	}
	return (mp->rc);
}

/**
 * multipart_finish(mp):
 * Signal the end of the body. Return MULTIPART_OK only if the closing
 * delimiter was seen and no error occurred; MULTIPART_EINVAL if the body
 * was truncated; or the earlier error.
 */
int
multipart_finish(struct multipart *mp)
{

	if (mp->state == MP_ERROR || mp->state == MP_EPILOGUE)
		return (mp->rc);
	return (invalid(mp, "truncated body"));
}

/**
 * multipart_error(mp):
 * Return a short static description of the error, or "" if none. It never
 * contains bytes from the request.
 */
const char *
multipart_error(const struct multipart *mp)
{

	return (mp->err);
}

/**
 * multipart_free(mp):
 * Wipe and free the parser. NULL is a no-op.
 */
void
multipart_free(struct multipart *mp)
{

	if (mp == NULL)
		return;
	secmem_put(mp, sizeof(*mp));
}
