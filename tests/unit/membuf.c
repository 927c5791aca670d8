/*
 * membuf: see membuf.h. Tests only: out of memory aborts.
 */
#include <stdlib.h>
#include <string.h>

#include "membuf.h"

int
membuf_sink(void *ctx, const uint8_t *data, size_t len)
{
	struct membuf *b = ctx;

	if (b->len + len > b->cap) {
		b->cap = (b->len + len) * 2;
		if ((b->p = realloc(b->p, b->cap)) == NULL)
			abort();
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
	return 0;
}
