/*
 * url: see url.h. Written from RFC 3986 (syntax, 5.2.4, 6.2.2) with the
 * leniencies the WHATWG URL standard gives http and https, so that what a
 * browser would open is what is assessed: any run of '/' or '\' after the
 * scheme, the last '@' of the authority ends the userinfo, '\' in the path
 * is '/', %2E in a path segment is a dot. Everything is checked before out
 * is written, and the writes need no bound check: URL_CANONICAL_MAX covers
 * the longest line escaped whole.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <idn2.h>

#include "url.h"
#include "utf8.h"

_Static_assert(URL_CANONICAL_MAX >= sizeof("https://") + URL_HOST_MAX +
    sizeof(":65535") + 1 + 3 * URL_LINE_MAX, "an escaped line fits");
_Static_assert(URL_HOST_MAX >= INET6_ADDRSTRLEN + 2, "[IPv6] fits");

#define LABEL_MAX 63

/* A line cut into its parts; host points into a defanged copy. */
struct parts {
	int https;
	int has_scheme;
	char *host;
	size_t hostlen;
	long port;			/* -1: none given */
	const char *path;		/* up to '?' or '#' */
	size_t pathlen;
	const char *query;		/* after '?', up to '#' */
	size_t querylen;
};

/* Defanged spellings undone in the authority, matched case-insensitively. */
static const struct {
	const char *from;
	char to;
} defangs[] = {
	{ "[.]", '.' }, { "(.)", '.' }, { "{.}", '.' },
	{ "[dot]", '.' }, { "(dot)", '.' }, { "{dot}", '.' },
	{ "[:]", ':' },
};

/* 1 if c is one of the characters of set (never for NUL). */
static int
in_set(unsigned char c, const char *set)
{
	return c != '\0' && strchr(set, c) != NULL;
}

static int
is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static char
lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static int
hexval(unsigned char c)
{
	if (is_digit(c))
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

/* RFC 3986 unreserved: ALPHA / DIGIT / "-" / "." / "_" / "~". */
static int
is_unreserved(unsigned char c)
{
	return is_alpha(c) || is_digit(c) || in_set(c, "-._~");
}

/* What may stand raw in a path (pchar and '/') or a query (also '?'). */
static int
is_raw_ok(unsigned char c, int query)
{
	return is_unreserved(c) || in_set(c, "!$&'()*+,;=:@/") ||
	    (query && c == '?');
}

static int
is_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Index in p[0..n) of the first character of stops, n if none is. */
static size_t
until(const char *p, size_t n, const char *stops)
{
	size_t i = 0;

	while (i < n && !in_set((unsigned char)p[i], stops))
		i++;
	return i;
}

/* Length of the scheme-like prefix ALPHA *(ALPHA / DIGIT / "+-.") of p. */
static size_t
scheme_len(const char *p, size_t n)
{
	size_t i = 0;

	if (n == 0 || !is_alpha((unsigned char)p[0]))
		return 0;
	while (i < n && (is_alpha((unsigned char)p[i]) ||
	    is_digit((unsigned char)p[i]) || in_set((unsigned char)p[i], "+-.")))
		i++;
	return i;
}

/* Length of ":", "[:]" or "[://]" at the start of p, 0 if none is. */
static size_t
separator_len(const char *p, size_t n)
{
	if (n >= 1 && p[0] == ':')
		return 1;
	if (n >= 3 && memcmp(p, "[:]", 3) == 0)
		return 3;
	if (n >= 5 && memcmp(p, "[://]", 5) == 0)
		return 5;
	return 0;
}

/* 1 if p[0..n) is http or https (or hxxp, hxxps), setting *https. */
static int
scheme_known(const char *p, size_t n, int *https)
{
	*https = n == 5;
	if ((n != 4 && n != 5) || (n == 5 && lower(p[4]) != 's'))
		return 0;
	return strncasecmp(p, "http", 4) == 0 || strncasecmp(p, "hxxp", 4) == 0;
}

/*
 * Find the scheme of p[0..n) and set *off past it and the slashes after it.
 * "example.com:8080" and "localhost:8080" are a host and a port, not a
 * scheme. Return 0 if the scheme is not http or https (or defanged).
 */
static int
scheme_parse(const char *p, size_t n, struct parts *u, size_t *off)
{
	size_t s = scheme_len(p, n), sep = separator_len(p + s, n - s);

	*off = 0;
	u->has_scheme = 0;
	u->https = 0;
	if (s > 0 && sep > 0 && memchr(p, '.', s) == NULL &&
	    !(sep < 5 && s + sep < n && is_digit((unsigned char)p[s + sep]))) {
		if (!scheme_known(p, s, &u->https))
			return 0;
		u->has_scheme = 1;
		*off = s + sep;
	}
	while (*off < n && (p[*off] == '/' || p[*off] == '\\'))
		(*off)++;
	return 1;
}

/* Copy src[0..n) to dst with the defanged spellings undone; return length. */
static size_t
undefang(char *dst, const char *src, size_t n)
{
	size_t w = 0;

	for (size_t i = 0; i < n;) {
		size_t k;

		for (k = 0; k < sizeof(defangs) / sizeof(defangs[0]); k++) {
			size_t l = strlen(defangs[k].from);

			if (l <= n - i &&
			    strncasecmp(src + i, defangs[k].from, l) == 0) {
				dst[w++] = defangs[k].to;
				i += l;
				break;
			}
		}
		if (k == sizeof(defangs) / sizeof(defangs[0]))
			dst[w++] = src[i++];
	}
	return w;
}

/* Parse a decimal port p[0..n) into *port (-1 if n is 0); 0 if invalid. */
static int
port_parse(const char *p, size_t n, long *port)
{
	*port = n ? 0 : -1;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit((unsigned char)p[i]))
			return 0;
		*port = *port * 10 + (p[i] - '0');
		if (*port > 65535)
			return 0;
	}
	return 1;
}

/* Split the defanged authority a[0..n) into host and port. */
static int
authority_parse(char *a, size_t n, struct parts *u)
{
	char *at, *colon;
	size_t hl;

	for (at = a + n; at > a && at[-1] != '@'; at--)
		;
	if (at > a && !u->has_scheme)
		return 0;	/* user@example.com: a mail address */
	n -= (size_t)(at - a);
	if (n > 0 && at[0] == '[') {
		char *close = memchr(at, ']', n);

		if (close == NULL)
			return 0;
		hl = (size_t)(close - at) + 1;
		if (hl < n && at[hl] != ':')
			return 0;
	} else {
		colon = memchr(at, ':', n);
		hl = colon ? (size_t)(colon - at) : n;
	}
	u->host = at;
	u->hostlen = hl;
	return port_parse(at + hl + (hl < n), n - hl - (hl < n), &u->port);
}

/*
 * Cut the trimmed line p[0..n) into u, the authority defanged into work
 * (n + 1 bytes). Return 0 if it cannot be an http(s) URL.
 */
static int
line_parse(const char *p, size_t n, char *work, struct parts *u)
{
	size_t off, end, q;

	if (!scheme_parse(p, n, u, &off))
		return 0;
	end = off + until(p + off, n - off, "/\\?#");
	if (memchr(p + off, '\0', end - off) != NULL ||
	    !authority_parse(work, undefang(work, p + off, end - off), u))
		return 0;
	q = end + until(p + end, n - end, "?#");
	u->path = p + end;
	u->pathlen = q - end;
	u->query = p + q + (q < n);
	u->querylen = (q < n && p[q] == '?') ? until(u->query, n - q - 1, "#") :
	    0;
	return 1;
}

/* The byte of an escape %XX at s[i] (of n bytes), -1 if none is there. */
static int
pct_at(const char *s, size_t n, size_t i)
{
	int hi, lo;

	if (s[i] != '%' || n - i < 3 || (hi = hexval((unsigned char)s[i + 1]))
	    < 0 || (lo = hexval((unsigned char)s[i + 2])) < 0)
		return -1;
	return hi * 16 + lo;
}

/* Decode %XX escapes of s[0..n) in place; return the new length. */
static size_t
pct_decode(char *s, size_t n)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++) {
		int b = pct_at(s, n, i);

		s[w++] = b < 0 ? s[i] : (char)b;
		i += b < 0 ? 0 : 2;
	}
	return w;
}

/* 1 if s[0..n) is a dotted quad of 0..255 without leading zeros. */
static int
ipv4_valid(const char *s, size_t n)
{
	int parts = 0;

	for (size_t i = 0; i < n; i++) {
		size_t j = i;
		unsigned v = 0;

		while (j < n && is_digit((unsigned char)s[j]) && j - i < 4)
			v = v * 10 + (unsigned)(s[j++] - '0');
		if (j == i || v > 255 || (s[i] == '0' && j - i > 1) ||
		    (j < n && s[j] != '.') || (j == n - 1))
			return 0;
		parts++;
		i = j;
	}
	return parts == 4;
}

/* Check one label s[0..n) of an ASCII host. */
static int
label_valid(const char *s, size_t n)
{
	if (n == 0 || n > LABEL_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_alpha((unsigned char)s[i]) &&
		    !is_digit((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return 0;
	return 1;
}

/*
 * Lower-case the ASCII host s[0..n) into out, without a trailing dot.
 * Return 0 unless its labels are valid and it has a dot, is localhost, or
 * is an IPv4 address: a last label made of digits must be one.
 */
static int
host_ascii(const char *s, size_t n, char out[URL_HOST_MAX + 1])
{
	size_t start = 0;
	const char *last;

	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n > URL_HOST_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		out[i] = lower(s[i]);
	out[n] = '\0';
	for (size_t i = 0; i <= n; i++) {
		if (i < n && out[i] != '.')
			continue;
		if (!label_valid(out + start, i - start))
			return 0;
		start = i + 1;
	}
	if ((last = strrchr(out, '.')) == NULL)
		return strcmp(out, "localhost") == 0;
	if (strspn(last + 1, "0123456789") == strlen(last + 1))
		return ipv4_valid(out, n);
	return 1;
}

/* 1 if a byte of s[0..n) is not ASCII. */
static int
has_8bit(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 1;
	return 0;
}

/* An IDN host s (NUL-terminated UTF-8) to punycode in out, then checked. */
static int
host_idna(const char *s, char out[URL_HOST_MAX + 1])
{
	char *a = NULL;
	int rc;

	rc = idn2_to_ascii_8z(s, &a, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
	if (rc != IDN2_OK && rc != IDN2_MALLOC)
		rc = idn2_to_ascii_8z(s, &a, IDN2_NFC_INPUT | IDN2_TRANSITIONAL);
	if (rc == IDN2_MALLOC)
		return -1;
	if (rc != IDN2_OK)
		return 0;
	/* UTS #46 maps U+FF0F to '/' and the like: check what came out. */
	rc = host_ascii(a, strlen(a), out);
	idn2_free(a);
	return rc;
}

/* "[...]" s[0..n) as RFC 5952 text (inet_ntop) in brackets into out. */
static int
host_ipv6(const char *s, size_t n, char out[URL_HOST_MAX + 1])
{
	char text[INET6_ADDRSTRLEN];
	struct in6_addr a;

	if (n < 3 || n - 2 >= sizeof(text) || s[n - 1] != ']')
		return 0;
	memcpy(text, s + 1, n - 2);
	text[n - 2] = '\0';
	if (inet_pton(AF_INET6, text, &a) != 1 ||
	    inet_ntop(AF_INET6, &a, out + 1, URL_HOST_MAX - 1) == NULL)
		return 0;
	out[0] = '[';
	strcat(out, "]");
	return 1;
}

/*
 * The canonical form of the host s[0..n) (in a buffer of n + 1 bytes, which
 * it overwrites) into out. Return 1, 0 if it is not a host, -1 if memory is
 * short.
 */
static int
host_canonical(char *s, size_t n, char out[URL_HOST_MAX + 1])
{
	if (n > 0 && s[0] == '[')
		return host_ipv6(s, n, out);
	n = pct_decode(s, n);
	if (!has_8bit(s, n))
		return host_ascii(s, n, out);
	if (!utf8_valid((const uint8_t *)s, n) || memchr(s, '\0', n) != NULL)
		return 0;
	s[n] = '\0';
	return host_idna(s, out);
}

/* Write s[0..n) with its percent-encoding normalised at w; return the end. */
static char *
pct_normalise(char *w, const char *s, size_t n, int query)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int b = pct_at(s, n, i), escaped = 0;

		if (b >= 0) {
			c = (unsigned char)b;
			escaped = !is_unreserved(c);
			i += 2;
		} else if (c == '\\' && !query) {
			c = '/';
		} else {
			escaped = !is_raw_ok(c, query);
		}
		if (escaped) {
			*w++ = '%';
			*w++ = hex[c >> 4];
			*w++ = hex[c & 15];
		} else {
			*w++ = (char)c;
		}
	}
	return w;
}

/*
 * RFC 3986 5.2.4 on the path p[0..n), which starts with '/', in place (the
 * output never overtakes the input). Return the new length.
 */
static size_t
remove_dot_segments(char *p, size_t n)
{
	size_t r = 0, w = 0;

	while (r < n) {
		size_t seg = r + 1, end = seg, len;

		while (end < n && p[end] != '/')
			end++;
		len = end - seg;
		if (len == 2 && p[seg] == '.' && p[seg + 1] == '.') {
			while (w > 0 && p[--w] != '/')
				;
		} else if (!(len == 1 && p[seg] == '.')) {
			memmove(p + w, p + r, end - r);
			w += end - r;
			r = end;
			continue;
		}
		if (end == n)
			p[w++] = '/';
		r = end;
	}
	return w;
}

/* Write the checked parts u with the canonical host into out. */
static void
url_write(struct url_canonical *out, const struct parts *u, const char *host)
{
	char *w = out->url, *path;

	w += sprintf(w, "%s://%s", u->https ? "https" : "http", host);
	if (u->port >= 0 && u->port != (u->https ? 443 : 80))
		w += sprintf(w, ":%ld", u->port);
	path = w;
	w = pct_normalise(w, u->path, u->pathlen, 0);
	if (w == path)
		*w++ = '/';
	w = path + remove_dot_segments(path, (size_t)(w - path));
	if (u->querylen > 0) {
		*w++ = '?';
		w = pct_normalise(w, u->query, u->querylen, 1);
	}
	*w = '\0';
	strcpy(out->host, host);
}

int
url_canonicalize(const char *line, size_t len, struct url_canonical *out)
{
	char work[URL_LINE_MAX + 1];
	char host[URL_HOST_MAX + 1];
	struct parts u;
	int rc;

	if (len > URL_LINE_MAX)
		return 0;
	while (len > 0 && is_space((unsigned char)line[0])) {
		line++;
		len--;
	}
	while (len > 0 && is_space((unsigned char)line[len - 1]))
		len--;
	if (len == 0 || !line_parse(line, len, work, &u))
		return 0;
	if ((rc = host_canonical(u.host, u.hostlen, host)) != 1)
		return rc;
	url_write(out, &u, host);
	return 1;
}
