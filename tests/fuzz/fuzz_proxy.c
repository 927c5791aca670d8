/*
 * fuzz_proxy: the PROXY v1 parser, differentially. The first byte of the
 * input picks a piece size; the rest is fed whole to one parser and in
 * pieces to another, and the two must agree on the result, the bytes
 * consumed and what the line said. A completed line must end in CRLF and
 * fit in PROXY_LINE_MAX bytes. Any disagreement abort()s.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proxy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Feed buf[0..len) to p in pieces of step bytes; return the last result. */
static int
feed_pieces(struct proxy_parser *p, const uint8_t *buf, size_t len,
    size_t step, size_t *used)
{
	size_t off = 0, got;
	int rc = PROXY_NEED_MORE;

	proxy_init(p);
	while (rc == PROXY_NEED_MORE && off < len) {
		size_t n = (len - off < step) ? len - off : step;
		rc = proxy_feed(p, buf + off, n, &got);
		if (got > n || (rc == PROXY_NEED_MORE && got != n))
			abort();
		off += got;
	}
	*used = off;
	return rc;
}

/* Check what a DONE parser says against the line it consumed. */
static void
check_done(const struct proxy_parser *p, const uint8_t *buf, size_t used)
{
	const struct proxy_info *i = proxy_result(p);

	if (i == NULL || proxy_error(p) != NULL)
		abort();
	if (used < 8 || used > PROXY_LINE_MAX || memcmp(buf, "PROXY ", 6) != 0)
		abort();
	if (buf[used - 2] != '\r' || buf[used - 1] != '\n')
		abort();
	if (memchr(buf, '\n', used - 1) != NULL)
		abort();
	if (i->has_circuit_id != (i->family != PROXY_FAMILY_UNKNOWN))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proxy_parser whole, parts;
	size_t used_whole, used_parts, step;
	int rc_whole, rc_parts;

	if (size < 1)
		return 0;
	step = (size_t)(data[0] % 16) + 1;
	data++;
	size--;
	rc_whole = feed_pieces(&whole, data, size, size ? size : 1, &used_whole);
	rc_parts = feed_pieces(&parts, data, size, step, &used_parts);
	if (rc_whole != rc_parts || used_whole != used_parts)
		abort();
	if (rc_whole == PROXY_NEED_MORE && used_whole != size)
		abort();
	if (rc_whole == PROXY_ERROR && (proxy_error(&whole) == NULL ||
	    strcmp(proxy_error(&whole), proxy_error(&parts)) != 0))
		abort();
	if (rc_whole != PROXY_DONE)
		return 0;
	check_done(&whole, data, used_whole);
	if (memcmp(proxy_result(&whole), proxy_result(&parts),
	    sizeof(struct proxy_info)) != 0)
		abort();
	return 0;
}
