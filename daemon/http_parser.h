/*
 * http_parser: the strict, streaming parser of an HTTP/1.1 request head (the
 * request line and the field lines up to the empty line) as it arrives from
 * the onion service. The caller pushes whatever bytes it has; the parser
 * takes bytes up to the end of the head and says how many it took, so the
 * caller knows where the body starts. It allocates nothing: all its state is
 * the struct below, whose size is fixed at compile time.
 *
 * It keeps only what the daemon acts on (method, origin-form target,
 * version, persistence, Content-Length, Content-Type, Expect: 100-continue,
 * Host presence); every other field line is validated, counted and dropped.
 * Anything outside RFC 9112's grammar, or outside the choices below, is an
 * error that carries the status code to answer with and a fixed reason
 * string (never any byte of the request). After an error the caller answers
 * and closes: the parser's position in the stream is no longer meaningful.
 *
 * Choices (each is a test in tests/unit/test_http_parser.c):
 * - Lines end in CRLF only; a bare CR or bare LF anywhere is 400. NUL
 *   anywhere is 400. At most 2 empty lines may precede the request line.
 * - Request line: method SP target SP version, single spaces. The method is
 *   a token, case-sensitive; GET, HEAD and POST are known, any other token is
 *   HTTP_METHOD_OTHER (the caller answers 405); a method longer than
 *   HTTP_METHOD_MAX bytes is 501. The target is origin-form only: it starts
 *   with '/', holds visible ASCII only and no '#' (else 400). A request line
 *   longer than request_line_max bytes is 414 (501 while still in the
 *   method). The version is "HTTP/" DIGIT "." DIGIT: 1.0 and 1.1 are
 *   accepted, any other such version is 505, anything else is 400.
 * - Field lines: the name is a token directly followed by ':' (whitespace
 *   before the colon is 400); a line starting with SP or HTAB (obs-fold) is
 *   400; values may hold HTAB, SP, visible ASCII and obs-text (0x80-0xff),
 *   no other control byte (400); leading and trailing SP/HTAB are dropped.
 *   More than header_count_max field lines, or more than header_bytes_max
 *   bytes from the first field line to the final CRLF inclusive, is 431.
 *   Names are matched case-insensitively.
 * - Host: more than one is 400; none in an HTTP/1.1 request is 400.
 * - Content-Length: 1*DIGIT only (no sign, no list, no space inside), else
 *   400; a value over UINT64_MAX is 400; over body_max is 413; a second
 *   Content-Length line is 400 even with the same value.
 * - Transfer-Encoding (any value): 400 if Content-Length is also present
 *   (request smuggling), else 411 for POST (the daemon wants a length), else
 *   400. POST without Content-Length is 411. GET or HEAD with a non-zero
 *   Content-Length is 400. Other methods may carry a Content-Length (a
 *   caller answering them 405 should close rather than skip the body).
 * - Content-Type: kept, trimmed, up to HTTP_CONTENT_TYPE_MAX bytes (longer
 *   is 431); empty or repeated is 400.
 * - Connection: a comma list of tokens (else 400), any number of lines,
 *   matched case-insensitively; "close" wins over "keep-alive". HTTP/1.1
 *   persists unless "close"; HTTP/1.0 only with "keep-alive".
 * - Expect: exactly "100-continue" (any case) sets expect_100_continue in
 *   an HTTP/1.1 request; other expectations and HTTP/1.0 are ignored.
 * - The values of Content-Length, Connection and Expect are held to
 *   HTTP_CONTENT_TYPE_MAX bytes too (431).
 * The order of field lines never changes the outcome of a valid head.
 */
#ifndef HTTP_PARSER_H
#define HTTP_PARSER_H

#include <stddef.h>
#include <stdint.h>

/* Compile-time bounds: the struct's buffers are sized from these. */
#define HTTP_TARGET_CAP		8192	/* request_line_max is clamped to this */
#define HTTP_CONTENT_TYPE_MAX	256
#define HTTP_METHOD_MAX		16
#define HTTP_NAME_MAX		32	/* longer names are never ones we keep */

struct http_limits {
	size_t request_line_max;	/* bytes without CRLF; beyond: 414 */
	size_t header_bytes_max;	/* field lines + final CRLF; beyond: 431 */
	size_t header_count_max;	/* field lines; beyond: 431 */
	uint64_t body_max;		/* Content-Length beyond: 413 */
};

#define HTTP_LIMITS_DEFAULT { 4096, 16384, 64, (uint64_t)256 << 20 }

enum http_method {
	HTTP_METHOD_GET,
	HTTP_METHOD_HEAD,
	HTTP_METHOD_POST,
	HTTP_METHOD_OTHER	/* any other token: answer 405 with Allow */
};

enum http_parse_result {
	HTTP_PARSE_NEED_MORE,	/* every byte given was consumed */
	HTTP_PARSE_DONE,	/* head complete; the body starts after it */
	HTTP_PARSE_ERROR	/* see http_parser_error() */
};

/* A parsed request head; complete only once the parser said DONE. */
struct http_request {
	enum http_method method;
	int version;				/* 10 or 11 */
	char target[HTTP_TARGET_CAP + 1];	/* NUL-terminated, starts '/' */
	size_t target_len;
	int keep_alive;
	int has_content_length;
	uint64_t content_length;
	char content_type[HTTP_CONTENT_TYPE_MAX + 1];	/* "" if absent */
	int expect_100_continue;
	int has_host;
	size_t header_count;			/* field lines seen */
};

/*
 * The parser. Callers embed it and use only the functions below; the
 * members after req are private to http_parser.c.
 */
struct http_parser {
	struct http_request req;
	struct http_limits lim;
	int state;
	int status;
	const char *reason;
	int empty_lines;
	size_t line_len;
	size_t header_bytes;
	char method[HTTP_METHOD_MAX];
	size_t method_len;
	char version[8];
	size_t version_len;
	char name[HTTP_NAME_MAX];
	size_t name_len;
	int field;
	unsigned int seen;
	char value[HTTP_CONTENT_TYPE_MAX + 1];
	size_t value_len;
	int conn_close;
	int conn_keep_alive;
};

/*
 * http_parser_init(p, lim):
 * Prepare p for the first request of a connection under the limits lim
 * (copied; NULL means HTTP_LIMITS_DEFAULT; request_line_max is clamped to
 * HTTP_TARGET_CAP).
 */
void http_parser_init(struct http_parser *p, const struct http_limits *lim);

/*
 * http_parser_reset(p):
 * Prepare p, keeping its limits, for the next request on a keep-alive
 * connection, once the caller has dealt with the previous body.
 */
void http_parser_reset(struct http_parser *p);

/*
 * http_parser_feed(p, buf, len, consumed):
 * Push the len bytes at buf. Set *consumed to the number of bytes taken:
 * len on HTTP_PARSE_NEED_MORE; on HTTP_PARSE_DONE the bytes up to and
 * including the CRLF that ends the head, so buf + *consumed is the first
 * body byte (or the next request); on HTTP_PARSE_ERROR the bytes up to and
 * including the offending one. Once DONE or ERROR, further calls consume
 * nothing and return the same result until http_parser_reset().
 */
enum http_parse_result http_parser_feed(struct http_parser *p,
    const uint8_t *buf, size_t len, size_t *consumed);

/*
 * http_parser_request(p):
 * Return the parsed head if p has said HTTP_PARSE_DONE, else NULL.
 */
const struct http_request *http_parser_request(const struct http_parser *p);

/*
 * http_parser_error(p, reason):
 * Return the status code to answer with (400, 411, 413, 414, 431, 501 or
 * 505) if p has said HTTP_PARSE_ERROR, else 0. If reason is not NULL, set
 * *reason to a short fixed English phrase for the error page (NULL if none).
 */
int http_parser_error(const struct http_parser *p, const char **reason);

#endif
