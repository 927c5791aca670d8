/*
 * url: one line of a report's "urls" field made into one canonical URL, so
 * that the same address typed differently is assessed once. Only http and
 * https are URLs here; any other scheme is text. Scheme and host
 * lower-cased; an IDN host as punycode (libidn2, UTS #46 non-transitional,
 * transitional if that refuses); a trailing dot of the host, the default
 * port, the fragment and all userinfo dropped, userinfo never part of the
 * host (the host follows the last '@'); dot-segments of the path resolved
 * (RFC 3986 5.2.4); percent-encoding normalised (unreserved characters
 * decoded, hex digits upper-cased, every byte that may not stand raw,
 * non-ASCII included, escaped); an empty path made "/", an empty query
 * dropped; a missing scheme taken as http; the "defanged" forms analysts
 * meet (hxxp://, hxxps://, [:]//, [://], and in the host example[.]com,
 * example(.)com, example{.}com, example[dot]com) undone. A bracketed IPv6
 * host is written as RFC 5952 text; a dotted-quad IPv4 host is kept. A host
 * must have a dot (or be localhost or an IP address); a host whose last
 * label is a number must be a dotted quad. Case of path and query, their
 * trailing slashes, the order of query parameters and "www." are kept: they
 * can name different content. A line that is not a URL is not an error:
 * the caller keeps it as text. The line is hostile: any bytes, any length.
 */
#ifndef URL_H
#define URL_H

#include <stddef.h>

#define URL_LINE_MAX 8192	/* longer lines are kept as text */
#define URL_HOST_MAX 253	/* a DNS name's longest text form */
/* Each byte of the line becomes at most 3 ("%XX"), plus scheme and port. */
#define URL_CANONICAL_MAX (3 * URL_LINE_MAX + URL_HOST_MAX + 32)

struct url_canonical {
	char url[URL_CANONICAL_MAX + 1];	/* NUL-terminated, printable ASCII */
	char host[URL_HOST_MAX + 1];		/* lower case, punycode; IPv6 in [] */
};

/*
 * url_canonicalize(line, len, out):
 * Make line[0..len) (trimmed of surrounding ASCII white space by the
 * function) into out. Return 1 if it is a URL (out filled), 0 if it is not
 * one (text: out untouched), -1 only if memory is short. A canonical URL
 * of at most URL_LINE_MAX bytes given back to the function comes out
 * unchanged.
 */
int url_canonicalize(const char *line, size_t len, struct url_canonical *out);

#endif
