/*
 * fuzz_http: the HTTP request-head parser on arbitrary bytes. The first byte
 * picks a piece size; the rest is parsed twice, whole and in pieces of that
 * size, head after head as on a keep-alive connection (skipping each body by
 * its Content-Length). The two runs must agree on every outcome, and no call
 * may consume more than it was given; any disagreement abort()s.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_parser.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_HEADS 16

/* Large structs: static, not on the stack. */
static struct http_parser whole, pieces;

/* Feed buf[0..len) in pieces of at most piece bytes until a result. */
static enum http_parse_result
feed(struct http_parser *p, const uint8_t *buf, size_t len, size_t piece,
    size_t *used)
{
	enum http_parse_result r = HTTP_PARSE_NEED_MORE;
	size_t off = 0;

	while (off < len) {
		size_t n = (len - off < piece) ? len - off : piece, c;

		r = http_parser_feed(p, buf + off, n, &c);
		if (c > n || (r == HTTP_PARSE_NEED_MORE && c != n))
			abort();
		off += c;
		if (r != HTTP_PARSE_NEED_MORE)
			break;
	}
	*used = off;
	return r;
}

static void
check_request(const struct http_request *a, const struct http_request *b)
{
	if (a == NULL || b == NULL)
		abort();
	if (a->method != b->method || a->version != b->version ||
	    a->target_len != b->target_len ||
	    memcmp(a->target, b->target, a->target_len + 1) != 0 ||
	    a->keep_alive != b->keep_alive ||
	    a->has_content_length != b->has_content_length ||
	    a->content_length != b->content_length ||
	    strcmp(a->content_type, b->content_type) != 0 ||
	    a->expect_100_continue != b->expect_100_continue ||
	    a->has_host != b->has_host || a->header_count != b->header_count)
		abort();
	/* What the rest of the daemon relies on. */
	if (a->target[0] != '/' || strlen(a->target) != a->target_len ||
	    (a->version != 10 && a->version != 11) ||
	    (a->method == HTTP_METHOD_POST && !a->has_content_length) ||
	    (a->method <= HTTP_METHOD_HEAD && a->content_length != 0))
		abort();
}

static void
check_error(void)
{
	const char *ra, *rb;
	int ca = http_parser_error(&whole, &ra);
	int cb = http_parser_error(&pieces, &rb);

	if (ca != cb || ra == NULL || rb == NULL || strcmp(ra, rb) != 0)
		abort();
	if (ca != 400 && ca != 411 && ca != 413 && ca != 414 && ca != 431 &&
	    ca != 501 && ca != 505)
		abort();
	if (http_parser_request(&whole) != NULL)
		abort();
}

/* A finished parser consumes nothing more until reset. */
static void
check_sticky(struct http_parser *p, enum http_parse_result r)
{
	size_t c;

	if (http_parser_feed(p, (const uint8_t *)"G", 1, &c) != r || c != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t piece, off = 0;

	if (size < 1)
		return 0;
	piece = (size_t)data[0] + 1;
	data++;
	size--;
	http_parser_init(&whole, NULL);
	http_parser_init(&pieces, NULL);
	for (int heads = 0; heads < MAX_HEADS && off < size; heads++) {
		enum http_parse_result rw, rp;
		size_t uw, up;

		rw = feed(&whole, data + off, size - off, size - off, &uw);
		rp = feed(&pieces, data + off, size - off, piece, &up);
		if (rw != rp || uw != up || uw > size - off)
			abort();
		if (rw == HTTP_PARSE_NEED_MORE)
			break;
		check_sticky(&whole, rw);
		if (rw == HTTP_PARSE_ERROR) {
			check_error();
			break;
		}
		check_request(http_parser_request(&whole),
		    http_parser_request(&pieces));
		/* A head always ends with the empty line. */
		if (uw < 4 || memcmp(data + off + uw - 4, "\r\n\r\n", 4) != 0)
			abort();
		off += uw;
		if (http_parser_request(&whole)->content_length > size - off)
			break;
		off += http_parser_request(&whole)->content_length;
		http_parser_reset(&whole);
		http_parser_reset(&pieces);
	}
	return 0;
}
