/*
 * test_http_parser: every rule listed in daemon/http_parser.h, as tables of
 * valid and invalid heads. Each input is fed whole, byte by byte and in
 * random pieces; all three must give the same result, and for a valid head
 * the consumed count must point exactly at the first body byte.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_parser.h"
#include "tap.h"

#define CRLF "\r\n"
#define FIREFOX_UA "Mozilla/5.0 (Windows NT 10.0; rv:115.0) Gecko/20100101 " \
	"Firefox/115.0"
#define FIREFOX_ACCEPT "text/html,application/xhtml+xml,application/xml;" \
	"q=0.9,image/avif,image/webp,*/*;q=0.8"
#define ONION "oniondropxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.onion"
#define FF_BOUNDARY "---------------------------30784034263813982534190117"
#define CURL_BOUNDARY "------------------------d74496d66958873e"

enum mode { WHOLE, BYTES, RANDOM, NMODES };
static const char *mode_name[NMODES] = { "whole", "bytes", "random" };

/* Parsers are large (a target buffer each); keep them off the stack. */
static struct http_parser parser;

struct want {
	enum http_method method;
	int version;
	const char *target;
	int keep_alive;
	int has_cl;
	uint64_t cl;
	const char *ct;
	int expect;
	int host;
	size_t headers;
};

struct valid_case {
	const char *name;
	const char *head;
	const char *body;
	struct want w;
};

struct bad_case {
	const char *name;
	const char *in;
	int code;
};

static uint32_t rng = 0x9e3779b9;

static size_t
random_piece(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return 1 + rng % 23;
}

/*
 * Feed buf[0..len) to p in the given mode; return the result and set *used
 * to the bytes consumed in total. Checks the per-call contract as it goes.
 */
static enum http_parse_result
feed(struct http_parser *p, enum mode m, const char *buf, size_t len,
    size_t *used)
{
	enum http_parse_result r = HTTP_PARSE_NEED_MORE;
	size_t off = 0, n, c;

	while (off < len) {
		n = (m == WHOLE) ? len - off : (m == BYTES) ? 1 : random_piece();
		if (n > len - off)
			n = len - off;
		r = http_parser_feed(p, (const uint8_t *)buf + off, n, &c);
		if (c > n || (r == HTTP_PARSE_NEED_MORE && c != n)) {
			ok(0, "consumed %zu of %zu", c, n);
			break;
		}
		off += c;
		if (r != HTTP_PARSE_NEED_MORE)
			break;
	}
	*used = off;
	return r;
}

static int
same_request(const struct http_request *r, const struct want *w)
{
	return r->method == w->method && r->version == w->version &&
	    strcmp(r->target, w->target) == 0 &&
	    r->target_len == strlen(w->target) &&
	    r->keep_alive == w->keep_alive &&
	    r->has_content_length == w->has_cl &&
	    r->content_length == w->cl &&
	    strcmp(r->content_type, w->ct ? w->ct : "") == 0 &&
	    r->expect_100_continue == w->expect && r->has_host == w->host &&
	    r->header_count == w->headers;
}

/* One valid head followed by body: three ways, same result each. */
static void
check_valid(const char *name, const char *in, size_t head_len, size_t len,
    const struct http_limits *lim, const struct want *w)
{
	for (int m = 0; m < NMODES; m++) {
		const struct http_request *r;
		enum http_parse_result res;
		const char *reason;
		size_t used;
		int code;

		http_parser_init(&parser, lim);
		res = feed(&parser, (enum mode)m, in, len, &used);
		code = http_parser_error(&parser, &reason);
		r = http_parser_request(&parser);
		ok(res == HTTP_PARSE_DONE && r != NULL, "%s (%s): done%s%s%s",
		    name, mode_name[m], code ? " [error: " : "",
		    code ? reason : "", code ? "]" : "");
		is_int(used, head_len, "  consumed ends the head");
		ok(r != NULL && same_request(r, w), "  fields as expected");
	}
}

/* One invalid input: three ways, same status and same stopping byte. */
static void
check_bad(const char *name, const char *in, size_t len,
    const struct http_limits *lim, int want_code, size_t want_used)
{
	size_t used[NMODES];

	for (int m = 0; m < NMODES; m++) {
		enum http_parse_result res;
		const char *reason;
		int code;

		http_parser_init(&parser, lim);
		res = feed(&parser, (enum mode)m, in, len, &used[m]);
		code = http_parser_error(&parser, &reason);
		ok(res == HTTP_PARSE_ERROR && code == want_code &&
		    reason != NULL && http_parser_request(&parser) == NULL,
		    "%s (%s): %d %s", name, mode_name[m], code,
		    reason ? reason : "(none)");
	}
	ok(used[BYTES] == used[WHOLE] && used[RANDOM] == used[WHOLE],
	    "  %s stops at the same byte (%zu)", name, used[WHOLE]);
	if (want_used != 0)
		is_int(used[WHOLE], want_used, "  stops on the byte over the limit");
}

#define GET11(extra) "GET / HTTP/1.1" CRLF "Host: " ONION CRLF extra CRLF

static const struct valid_case valid[] = {
	{ "minimal GET", "GET / HTTP/1.1" CRLF "Host: x" CRLF CRLF, "",
	    { HTTP_METHOD_GET, 11, "/", 1, 0, 0, NULL, 0, 1, 1 } },
	{ "HTTP/1.0 without Host closes",
	    "GET /en/ HTTP/1.0" CRLF CRLF, "",
	    { HTTP_METHOD_GET, 10, "/en/", 0, 0, 0, NULL, 0, 0, 0 } },
	{ "HTTP/1.0 keep-alive", "GET / HTTP/1.0" CRLF
	    "Connection: Keep-Alive" CRLF CRLF, "",
	    { HTTP_METHOD_GET, 10, "/", 1, 0, 0, NULL, 0, 0, 1 } },
	{ "Connection: close", GET11("Connection: close" CRLF), "",
	    { HTTP_METHOD_GET, 11, "/", 0, 0, 0, NULL, 0, 1, 2 } },
	{ "Connection list, any case", GET11("Connection: foo ,\t CLOSE" CRLF),
	    "", { HTTP_METHOD_GET, 11, "/", 0, 0, 0, NULL, 0, 1, 2 } },
	{ "Connection: close wins over keep-alive",
	    "GET / HTTP/1.0" CRLF "connection: keep-alive" CRLF
	    "CONNECTION: upgrade, , close" CRLF CRLF, "",
	    { HTTP_METHOD_GET, 10, "/", 0, 0, 0, NULL, 0, 0, 2 } },
	{ "Connection element that only contains close", GET11(
	    "Connection: closed, x-close" CRLF), "",
	    { HTTP_METHOD_GET, 11, "/", 1, 0, 0, NULL, 0, 1, 2 } },
	{ "two empty lines before the request", CRLF CRLF
	    "HEAD /report HTTP/1.1" CRLF "Host: x" CRLF CRLF, "",
	    { HTTP_METHOD_HEAD, 11, "/report", 1, 0, 0, NULL, 0, 1, 1 } },
	{ "OTHER method", "PUT /x HTTP/1.1" CRLF "Host: x" CRLF
	    "Content-Length: 3" CRLF CRLF, "abc",
	    { HTTP_METHOD_OTHER, 11, "/x", 1, 1, 3, NULL, 0, 1, 2 } },
	{ "methods are case-sensitive", "get / HTTP/1.1" CRLF "Host: x" CRLF
	    CRLF, "", { HTTP_METHOD_OTHER, 11, "/", 1, 0, 0, NULL, 0, 1, 1 } },
	{ "odd token method", "M-SEARCH!~ / HTTP/1.1" CRLF "Host: x" CRLF CRLF,
	    "", { HTTP_METHOD_OTHER, 11, "/", 1, 0, 0, NULL, 0, 1, 1 } },
	{ "16-byte method", "ABCDEFGHIJKLMNOP / HTTP/1.1" CRLF "Host: x" CRLF
	    CRLF, "", { HTTP_METHOD_OTHER, 11, "/", 1, 0, 0, NULL, 0, 1, 1 } },
	{ "query and escapes in target",
	    "GET /status?receipt=ab%20c&x=1;y=[2]{}|^ HTTP/1.1" CRLF
	    "Host: x" CRLF CRLF, "", { HTTP_METHOD_GET, 11,
	    "/status?receipt=ab%20c&x=1;y=[2]{}|^", 1, 0, 0, NULL, 0, 1, 1 } },
	{ "names are case-insensitive", "POST /report HTTP/1.1" CRLF
	    "hOsT: x" CRLF "CONTENT-LENGTH: 2" CRLF "content-type: a/b" CRLF
	    CRLF, "xy",
	    { HTTP_METHOD_POST, 11, "/report", 1, 1, 2, "a/b", 0, 1, 3 } },
	{ "OWS trimmed, inner whitespace kept", "POST / HTTP/1.1" CRLF
	    "Host:x" CRLF "Content-Length:\t 0 \t" CRLF
	    "Content-Type: \t text/plain ;\tcharset=utf-8 \t " CRLF CRLF, "",
	    { HTTP_METHOD_POST, 11, "/", 1, 1, 0, "text/plain ;\tcharset=utf-8",
	    0, 1, 3 } },
	{ "empty and blank values of other fields", GET11("X-Empty:" CRLF
	    "X-Blank: \t " CRLF "DNT:1" CRLF), "",
	    { HTTP_METHOD_GET, 11, "/", 1, 0, 0, NULL, 0, 1, 4 } },
	{ "obs-text in a value", GET11("X-Name: caf\xc3\xa9 \xff" CRLF), "",
	    { HTTP_METHOD_GET, 11, "/", 1, 0, 0, NULL, 0, 1, 2 } },
	{ "Content-Length with leading zeros", "POST / HTTP/1.1" CRLF
	    "Host: x" CRLF "Content-Length: 0005" CRLF CRLF, "hello",
	    { HTTP_METHOD_POST, 11, "/", 1, 1, 5, NULL, 0, 1, 2 } },
	{ "GET with Content-Length: 0", GET11("Content-Length: 0" CRLF), "",
	    { HTTP_METHOD_GET, 11, "/", 1, 1, 0, NULL, 0, 1, 2 } },
	{ "Content-Length at body_max", "POST / HTTP/1.1" CRLF "Host: x" CRLF
	    "Content-Length: 268435456" CRLF CRLF, "",
	    { HTTP_METHOD_POST, 11, "/", 1, 1, 268435456, NULL, 0, 1, 2 } },
	{ "Expect: 100-continue", "POST / HTTP/1.1" CRLF "Host: x" CRLF
	    "Expect: 100-Continue" CRLF "Content-Length: 1" CRLF CRLF, "z",
	    { HTTP_METHOD_POST, 11, "/", 1, 1, 1, NULL, 1, 1, 3 } },
	{ "other expectations ignored", "POST / HTTP/1.1" CRLF "Host: x" CRLF
	    "Expect: 100-continue-ish" CRLF "Content-Length: 1" CRLF CRLF, "z",
	    { HTTP_METHOD_POST, 11, "/", 1, 1, 1, NULL, 0, 1, 3 } },
	{ "Expect ignored in HTTP/1.0", "POST / HTTP/1.0" CRLF
	    "Expect: 100-continue" CRLF "Content-Length: 1" CRLF CRLF, "z",
	    { HTTP_METHOD_POST, 10, "/", 0, 1, 1, NULL, 0, 0, 2 } },
	{ "body bytes look like a request", "POST / HTTP/1.1" CRLF "Host: x"
	    CRLF "Content-Length: 27" CRLF CRLF,
	    "GET / HTTP/1.1\r\nHost: y\r\n\r\n",
	    { HTTP_METHOD_POST, 11, "/", 1, 1, 27, NULL, 0, 1, 2 } },
	{ "Tor Browser GET",
	    "GET /fr/report HTTP/1.1" CRLF
	    "Host: " ONION CRLF
	    "User-Agent: " FIREFOX_UA CRLF
	    "Accept: " FIREFOX_ACCEPT CRLF
	    "Accept-Language: en-US,en;q=0.5" CRLF
	    "Accept-Encoding: gzip, deflate, br" CRLF
	    "Connection: keep-alive" CRLF
	    "Upgrade-Insecure-Requests: 1" CRLF
	    "Sec-Fetch-Dest: document" CRLF
	    "Sec-Fetch-Mode: navigate" CRLF
	    "Sec-Fetch-Site: none" CRLF
	    "Sec-Fetch-User: ?1" CRLF CRLF, "",
	    { HTTP_METHOD_GET, 11, "/fr/report", 1, 0, 0, NULL, 0, 1, 11 } },
	{ "Tor Browser multipart POST",
	    "POST /ar/report HTTP/1.1" CRLF
	    "Host: " ONION CRLF
	    "User-Agent: " FIREFOX_UA CRLF
	    "Accept: " FIREFOX_ACCEPT CRLF
	    "Accept-Language: en-US,en;q=0.5" CRLF
	    "Accept-Encoding: gzip, deflate, br" CRLF
	    "Content-Type: multipart/form-data; boundary=" FF_BOUNDARY CRLF
	    "Content-Length: 133" CRLF
	    "Origin: http://" ONION CRLF
	    "Connection: keep-alive" CRLF
	    "Upgrade-Insecure-Requests: 1" CRLF
	    "Sec-Fetch-Dest: document" CRLF
	    "Sec-Fetch-Mode: navigate" CRLF
	    "Sec-Fetch-Site: same-origin" CRLF
	    "Sec-Fetch-User: ?1" CRLF
	    "Pragma: no-cache" CRLF
	    "Cache-Control: no-cache" CRLF CRLF,
	    "--" FF_BOUNDARY CRLF
	    "Content-Disposition: form-data; name=\"urls\"" CRLF CRLF
	    "x" CRLF "--" FF_BOUNDARY "--" CRLF,
	    { HTTP_METHOD_POST, 11, "/ar/report", 1, 1, 133,
	    "multipart/form-data; boundary=" FF_BOUNDARY, 0, 1, 16 } },
	{ "curl GET", "GET /status HTTP/1.1" CRLF "Host: " ONION CRLF
	    "User-Agent: curl/7.88.1" CRLF "Accept: */*" CRLF CRLF, "",
	    { HTTP_METHOD_GET, 11, "/status", 1, 0, 0, NULL, 0, 1, 3 } },
	{ "curl -F with Expect",
	    "POST /report HTTP/1.1" CRLF
	    "Host: " ONION CRLF
	    "User-Agent: curl/7.88.1" CRLF
	    "Accept: */*" CRLF
	    "Content-Length: 1598324" CRLF
	    "Content-Type: multipart/form-data; boundary=" CURL_BOUNDARY CRLF
	    "Expect: 100-continue" CRLF CRLF, "--" CURL_BOUNDARY,
	    { HTTP_METHOD_POST, 11, "/report", 1, 1, 1598324,
	    "multipart/form-data; boundary=" CURL_BOUNDARY, 1, 1, 6 } },
	{ "curl -d",
	    "POST /status HTTP/1.1" CRLF
	    "Host: " ONION CRLF
	    "User-Agent: curl/7.88.1" CRLF
	    "Accept: */*" CRLF
	    "Content-Length: 14" CRLF
	    "Content-Type: application/x-www-form-urlencoded" CRLF CRLF,
	    "receipt=abc123",
	    { HTTP_METHOD_POST, 11, "/status", 1, 1, 14,
	    "application/x-www-form-urlencoded", 0, 1, 5 } },
};

static const struct bad_case bad[] = {
	/* Line endings and NUL (NUL cases are in test_nul). */
	{ "bare LF ends the request line", "GET / HTTP/1.1\nHost: x" CRLF CRLF,
	    400 },
	{ "bare LF ends a field line", "GET / HTTP/1.1" CRLF "Host: x\n" CRLF,
	    400 },
	{ "bare LF ends the head", "GET / HTTP/1.1" CRLF "Host: x" CRLF "\n",
	    400 },
	{ "bare LF as leading empty line", "\nGET / HTTP/1.1" CRLF, 400 },
	{ "bare CR after the version", "GET / HTTP/1.1\rHost: x" CRLF CRLF,
	    400 },
	{ "bare CR inside a value", "GET / HTTP/1.1" CRLF "X: a\rb" CRLF CRLF,
	    400 },
	{ "bare CR in the target", "GET /a\rb HTTP/1.1" CRLF, 400 },
	{ "CR CR LF", "GET / HTTP/1.1\r\r\n", 400 },
	{ "three empty lines before the request",
	    CRLF CRLF CRLF "GET / HTTP/1.1" CRLF "Host: x" CRLF CRLF, 400 },
	/* Request line. */
	{ "leading space", " GET / HTTP/1.1" CRLF, 400 },
	{ "two spaces after method", "GET  / HTTP/1.1" CRLF, 400 },
	{ "two spaces before version", "GET /  HTTP/1.1" CRLF, 400 },
	{ "tab as separator", "GET\t/ HTTP/1.1" CRLF, 400 },
	{ "trailing space", "GET / HTTP/1.1 " CRLF, 400 },
	{ "no version (HTTP/0.9)", "GET /" CRLF, 400 },
	{ "no target", "GET" CRLF, 400 },
	{ "method not a token", "GE(T / HTTP/1.1" CRLF, 400 },
	{ "method with non-ASCII", "G\xc3\x89T / HTTP/1.1" CRLF, 400 },
	{ "17-byte method", "ABCDEFGHIJKLMNOPQ / HTTP/1.1" CRLF, 501 },
	{ "absolute-form target", "GET http://x/ HTTP/1.1" CRLF, 400 },
	{ "asterisk-form target", "OPTIONS * HTTP/1.1" CRLF, 400 },
	{ "authority-form target", "CONNECT x.onion:80 HTTP/1.1" CRLF, 400 },
	{ "DEL in target", "GET /\x7f HTTP/1.1" CRLF, 400 },
	{ "non-ASCII in target", "GET /caf\xc3\xa9 HTTP/1.1" CRLF, 400 },
	{ "control byte in target", "GET /\x01 HTTP/1.1" CRLF, 400 },
	{ "fragment in target", "GET /#top HTTP/1.1" CRLF, 400 },
	{ "lowercase version", "GET / http/1.1" CRLF, 400 },
	{ "version without minor", "GET / HTTP/1" CRLF, 400 },
	{ "version with two digits", "GET / HTTP/11" CRLF, 400 },
	{ "version too long", "GET / HTTP/1.10" CRLF, 400 },
	{ "version garbage", "GET / HTTP/a.b" CRLF, 400 },
	{ "version with space", "GET / HTTP/ 1.1" CRLF, 400 },
	{ "HTTP/2.0", "GET / HTTP/2.0" CRLF, 505 },
	{ "HTTP/0.9 label", "GET / HTTP/0.9" CRLF, 505 },
	{ "HTTP/1.2", "GET / HTTP/1.2" CRLF, 505 },
	{ "HTTP/2 preface", "PRI * HTTP/2.0" CRLF CRLF "SM" CRLF CRLF, 400 },
	/* Field lines. */
	{ "whitespace before colon", "GET / HTTP/1.1" CRLF "Host : x" CRLF CRLF,
	    400 },
	{ "tab before colon", "GET / HTTP/1.1" CRLF "Host\t: x" CRLF CRLF, 400 },
	{ "obs-fold", GET11("X-A: a" CRLF " b" CRLF), 400 },
	{ "obs-fold with tab", GET11("X-A: a" CRLF "\tb" CRLF), 400 },
	{ "indented first field line", "GET / HTTP/1.1" CRLF " Host: x" CRLF
	    CRLF, 400 },
	{ "empty field name", GET11(": x" CRLF), 400 },
	{ "field name not a token", GET11("X(a): x" CRLF), 400 },
	{ "field name with non-ASCII", GET11("X-\xc3\xa9: x" CRLF), 400 },
	{ "field line without colon", GET11("X-A" CRLF), 400 },
	{ "control byte in value", GET11("X-A: a\x01" "b" CRLF), 400 },
	{ "escape in value", GET11("X-A: \x1b[0m" CRLF), 400 },
	{ "DEL in value", GET11("X-A: a\x7f" CRLF), 400 },
	{ "vertical tab in value", GET11("X-A: a\vb" CRLF), 400 },
	/* Host. */
	{ "missing Host in HTTP/1.1", "GET / HTTP/1.1" CRLF "X: y" CRLF CRLF,
	    400 },
	{ "two Host lines", GET11("host: y" CRLF), 400 },
	{ "two equal Host lines", GET11("Host: " ONION CRLF), 400 },
	/* Content-Length. */
	{ "Content-Length with plus", "POST / HTTP/1.1" CRLF "Host: x" CRLF
	    "Content-Length: +5" CRLF CRLF, 400 },
	{ "Content-Length negative", "POST / HTTP/1.1" CRLF "Host: x" CRLF
	    "Content-Length: -1" CRLF CRLF, 400 },
	{ "Content-Length with letters", "POST / HTTP/1.1" CRLF "Host: x" CRLF
	    "Content-Length: 5a" CRLF CRLF, 400 },
	{ "Content-Length in hex", "POST / HTTP/1.1" CRLF "Host: x" CRLF
	    "Content-Length: 0x10" CRLF CRLF, 400 },
	{ "Content-Length with inner space", "POST / HTTP/1.1" CRLF "Host: x"
	    CRLF "Content-Length: 1 2" CRLF CRLF, 400 },
	{ "Content-Length empty", "POST / HTTP/1.1" CRLF "Host: x" CRLF
	    "Content-Length: " CRLF CRLF, 400 },
	{ "Content-Length list", "POST / HTTP/1.1" CRLF "Host: x" CRLF
	    "Content-Length: 5, 5" CRLF CRLF, 400 },
	{ "Content-Length decimal", "POST / HTTP/1.1" CRLF "Host: x" CRLF
	    "Content-Length: 5.0" CRLF CRLF, 400 },
	{ "Content-Length 2^64", "POST / HTTP/1.1" CRLF "Host: x" CRLF
	    "Content-Length: 18446744073709551616" CRLF CRLF, 400 },
	{ "Content-Length far over 2^64", "POST / HTTP/1.1" CRLF "Host: x" CRLF
	    "Content-Length: 99999999999999999999999999" CRLF CRLF, 400 },
	{ "Content-Length 2^64-1 over body_max", "POST / HTTP/1.1" CRLF
	    "Host: x" CRLF "Content-Length: 18446744073709551615" CRLF CRLF,
	    413 },
	{ "Content-Length over body_max", "POST / HTTP/1.1" CRLF "Host: x" CRLF
	    "Content-Length: 268435457" CRLF CRLF, 413 },
	{ "two equal Content-Length lines", "POST / HTTP/1.1" CRLF "Host: x"
	    CRLF "Content-Length: 5" CRLF "content-length: 5" CRLF CRLF, 400 },
	{ "two different Content-Length lines", "POST / HTTP/1.1" CRLF
	    "Host: x" CRLF "Content-Length: 5" CRLF "Content-Length: 6" CRLF
	    CRLF, 400 },
	{ "POST without Content-Length", "POST /report HTTP/1.1" CRLF
	    "Host: x" CRLF CRLF, 411 },
	{ "GET with a body", GET11("Content-Length: 5" CRLF), 400 },
	{ "HEAD with a body", "HEAD / HTTP/1.1" CRLF "Host: x" CRLF
	    "Content-Length: 1" CRLF CRLF, 400 },
	/* Transfer-Encoding. */
	{ "chunked POST", "POST / HTTP/1.1" CRLF "Host: x" CRLF
	    "Transfer-Encoding: chunked" CRLF CRLF, 411 },
	{ "chunked POST, odd case and value", "POST / HTTP/1.1" CRLF "Host: x"
	    CRLF "TRANSFER-encoding: gzip, identity" CRLF CRLF, 411 },
	{ "Transfer-Encoding on GET", GET11("Transfer-Encoding: chunked" CRLF),
	    400 },
	{ "Transfer-Encoding with Content-Length", "POST / HTTP/1.1" CRLF
	    "Host: x" CRLF "Transfer-Encoding: chunked" CRLF
	    "Content-Length: 5" CRLF CRLF, 400 },
	{ "Content-Length then Transfer-Encoding", "POST / HTTP/1.1" CRLF
	    "Host: x" CRLF "Content-Length: 5" CRLF
	    "Transfer-Encoding: chunked" CRLF CRLF, 400 },
	/* Content-Type, Connection. */
	{ "empty Content-Type", "POST / HTTP/1.1" CRLF "Host: x" CRLF
	    "Content-Length: 0" CRLF "Content-Type:  " CRLF CRLF, 400 },
	{ "two Content-Type lines", "POST / HTTP/1.1" CRLF "Host: x" CRLF
	    "Content-Type: a/b" CRLF "Content-Type: a/b" CRLF CRLF, 400 },
	{ "Connection with a space inside", GET11("Connection: keep alive" CRLF),
	    400 },
	{ "Connection with a separator", GET11("Connection: close; x" CRLF),
	    400 },
};

static void
test_tables(void)
{
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		const struct valid_case *v = &valid[i];
		size_t hl = strlen(v->head), bl = strlen(v->body);
		char *in = malloc(hl + bl + 1);

		if (in == NULL)
			abort();
		memcpy(in, v->head, hl);
		memcpy(in + hl, v->body, bl + 1);
		check_valid(v->name, in, hl, hl + bl, NULL, &v->w);
		free(in);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		check_bad(bad[i].name, bad[i].in, strlen(bad[i].in), NULL,
		    bad[i].code, 0);
}

static void
test_nul(void)
{
	static const char *where[] = {
		"\0GET / HTTP/1.1\r\nHost: x\r\n\r\n",
		"G\0ET / HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /\0 HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET / HTTP/1.1\0\r\nHost: x\r\n\r\n",
		"GET / HTTP/1.1\r\n\0Host: x\r\n\r\n",
		"GET / HTTP/1.1\r\nHo\0st: x\r\n\r\n",
		"GET / HTTP/1.1\r\nHost:\0 x\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\0\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\0\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\n\r\0\n",
		"\r\0\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
	};

	for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		const char *nul = where[i] + strlen(where[i]);

		check_bad("NUL byte", where[i], strlen(nul + 1) +
		    (size_t)(nul - where[i]) + 1, NULL, 400,
		    (size_t)(nul - where[i]) + 1);
	}
}

/* A buffer of len bytes: prefix, then fill bytes, then suffix. */
static char *
build(const char *prefix, char fill, size_t len, const char *suffix)
{
	size_t pl = strlen(prefix), sl = strlen(suffix);
	char *b = malloc(len + 1);

	if (b == NULL || pl + sl > len)
		abort();
	memcpy(b, prefix, pl);
	memset(b + pl, fill, len - pl - sl);
	memcpy(b + len - sl, suffix, sl + 1);
	return b;
}

static void
test_request_line_limit(void)
{
	const char *end = " HTTP/1.1\r\nHost: x\r\n\r\n";
	struct want w = { HTTP_METHOD_GET, 11, NULL, 1, 0, 0, NULL, 0, 1, 1 };
	size_t tl = 4096 - strlen("GET  HTTP/1.1");
	char *in, *target;

	/* Exactly 4096 bytes of request line. */
	target = build("/", 'a', tl, "");
	in = build("GET ", 'x', 4 + tl + strlen(end), end);
	memcpy(in + 4, target, tl);
	w.target = target;
	check_valid("4096-byte request line", in, strlen(in), strlen(in), NULL,
	    &w);
	free(target);
	free(in);
	/* One more byte: 414 on byte 4097, without waiting for the CRLF. */
	in = build("GET /", 'a', 10000, "");
	check_bad("endless request target", in, 10000, NULL, 414, 4097);
	free(in);
	/* The version's bytes count towards the line too. */
	in = build("GET /", 'a', 4099, " HTTP/1.1\r\n");
	check_bad("line limit reached in the version", in, strlen(in), NULL,
	    414, 4097);
	free(in);
	/* A long method trips 501 on its 17th byte. */
	in = build("", 'A', 100, "");
	check_bad("endless method", in, 100, NULL, 501, 17);
	free(in);
}

static void
test_header_limits(void)
{
	const char *line = "X-Header-Name: abcdefghij\r\n";	/* 27 bytes */
	size_t ll = strlen(line), rl = strlen(GET11("")) - 2;
	char *in = malloc(rl + 65 * ll + 3);
	size_t len;
	struct want w = { HTTP_METHOD_GET, 11, "/", 1, 0, 0, NULL, 0, 1, 64 };

	if (in == NULL)
		abort();
	memcpy(in, GET11(""), rl);
	for (size_t i = 0; i < 65; i++)
		memcpy(in + rl + i * ll, line, ll);
	/* 63 fields after Host, then the end: 64 in all is accepted. */
	len = rl + 63 * ll;
	memcpy(in + len, "\r\n", 2);
	check_valid("64 field lines", in, len + 2, len + 2, NULL, &w);
	/* 65 fields: 431 on the first byte of the 65th. */
	memcpy(in + rl + 63 * ll, line, ll);
	len = rl + 64 * ll;
	memcpy(in + len, "\r\n", 2);
	check_bad("65 field lines", in, len + 2, NULL, 431, rl + 63 * ll + 1);
	free(in);

	/* Exactly 16384 bytes of header section, then one byte too many. */
	rl = strlen("GET / HTTP/1.1\r\n");
	in = build("GET / HTTP/1.1\r\nHost: x\r\nX: ", 'v', rl + 16384,
	    "\r\n\r\n");
	w.headers = 2;
	check_valid("16384-byte header section", in, rl + 16384, rl + 16384,
	    NULL, &w);
	free(in);
	in = build("GET / HTTP/1.1\r\nHost: x\r\nX: ", 'v', rl + 16385,
	    "\r\n\r\n");
	check_bad("16385-byte header section", in, rl + 16385, NULL, 431,
	    rl + 16385);
	free(in);
	in = build("GET / HTTP/1.1\r\nHost: x\r\nX: ", 'v', 40000, "");
	check_bad("endless field value", in, 40000, NULL, 431, rl + 16385);
	free(in);
	in = build("GET / HTTP/1.1\r\nHost: x\r\nX", 'v', 40000, "");
	check_bad("endless field name", in, 40000, NULL, 431, rl + 16385);
	free(in);
}

static void
test_content_type_length(void)
{
	const char *pre = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
	    "Content-Type: ";
	size_t pl = strlen(pre);
	struct want w = { HTTP_METHOD_POST, 11, "/", 1, 1, 0, NULL, 0, 1, 3 };
	char *in, *ct;

	/* 256 bytes is kept whole, even with trailing whitespace after it. */
	in = build(pre, 'c', pl + 256 + 10 + 4, "    \t     \r\n\r\n");
	ct = strndup(in + pl, 256);
	w.ct = ct;
	check_valid("256-byte Content-Type", in, strlen(in), strlen(in), NULL,
	    &w);
	free(ct);
	free(in);
	in = build(pre, 'c', pl + 257 + 4, "\r\n\r\n");
	check_bad("257-byte Content-Type", in, strlen(in), NULL, 431, pl + 257);
	free(in);
	in = build(pre, 'c', pl + 256 + 5, "  x\r\n");
	check_bad("Content-Type going on after spaces at 256", in, strlen(in),
	    NULL, 431, pl + 256 + 3);
	free(in);
	in = build("GET / HTTP/1.1\r\nHost: x\r\nConnection: ", 'k', 400,
	    "\r\n\r\n");
	check_bad("long Connection", in, strlen(in), NULL, 431, 0);
	free(in);
}

static void
test_custom_limits(void)
{
	struct http_limits lim = { 64, 128, 4, 100 };
	struct want w = { HTTP_METHOD_POST, 11, "/", 1, 1, 100, NULL, 0, 1, 2 };
	const char *max_body = "POST / HTTP/1.1\r\nHost: x\r\n"
	    "Content-Length: 100\r\n\r\n";
	char *in;

	check_valid("Content-Length at a custom body_max", max_body,
	    strlen(max_body), strlen(max_body), &lim, &w);
	check_bad("Content-Length over a custom body_max", "POST / HTTP/1.1\r\n"
	    "Host: x\r\nContent-Length: 101\r\n\r\n", 49, &lim, 413, 0);
	in = build("GET /", 'a', 100, "");
	check_bad("custom request line limit", in, 100, &lim, 414, 65);
	free(in);
	check_bad("custom header count", GET11("A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n"),
	    strlen(GET11("A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n")), &lim, 431, 0);
	in = build("GET / HTTP/1.1\r\nX: ", 'v', 200, "");
	check_bad("custom header bytes", in, 200, &lim, 431, 16 + 129);
	free(in);
	lim.request_line_max = (size_t)1 << 20;
	http_parser_init(&parser, &lim);
	is_int(parser.lim.request_line_max, HTTP_TARGET_CAP,
	    "request_line_max clamped to HTTP_TARGET_CAP");
}

/* Keep-alive: two pipelined requests, then stickiness of DONE and ERROR. */
static void
test_reset_and_sticky(void)
{
	const char *two = "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
	    "\r\nabcGET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	size_t len = strlen(two), used, used2;
	const struct http_request *r;
	const char *reason;

	http_parser_init(&parser, NULL);
	ok(http_parser_request(&parser) == NULL, "no request before DONE");
	ok(http_parser_feed(&parser, (const uint8_t *)two, len, &used) ==
	    HTTP_PARSE_DONE, "first pipelined request done");
	r = http_parser_request(&parser);
	ok(r != NULL && strcmp(r->target, "/a") == 0 && r->content_length == 3,
	    "first request parsed");
	ok(strncmp(two + used, "abc", 3) == 0, "consumed points at the body");
	ok(http_parser_feed(&parser, (const uint8_t *)two + used, len - used,
	    &used2) == HTTP_PARSE_DONE && used2 == 0, "DONE is sticky");
	http_parser_reset(&parser);
	ok(http_parser_request(&parser) == NULL, "reset forgets the request");
	used += 3;
	ok(http_parser_feed(&parser, (const uint8_t *)two + used, len - used,
	    &used2) == HTTP_PARSE_DONE && used + used2 == len,
	    "second pipelined request done");
	r = http_parser_request(&parser);
	ok(r != NULL && strcmp(r->target, "/b") == 0 && !r->keep_alive &&
	    !r->has_content_length && r->content_type[0] == '\0',
	    "second request parsed, nothing left from the first");

	http_parser_reset(&parser);
	ok(http_parser_feed(&parser, (const uint8_t *)"GET /ZQX\x01", 9, &used) ==
	    HTTP_PARSE_ERROR && used == 9, "error on the offending byte");
	ok(http_parser_feed(&parser, (const uint8_t *)"GET", 3, &used) ==
	    HTTP_PARSE_ERROR && used == 0, "ERROR is sticky");
	ok(http_parser_error(&parser, &reason) == 400 && reason != NULL &&
	    strstr(reason, "ZQX") == NULL, "reason holds no request bytes");
	http_parser_reset(&parser);
	ok(http_parser_error(&parser, &reason) == 0 && reason == NULL,
	    "reset clears the error");
	ok(http_parser_feed(&parser, (const uint8_t *)"", 0, &used) ==
	    HTTP_PARSE_NEED_MORE && used == 0, "empty feed needs more");
}

int
main(void)
{
	test_tables();
	test_nul();
	test_request_line_limit();
	test_header_limits();
	test_content_type_length();
	test_custom_limits();
	test_reset_and_sticky();
	return tap_done();
}
