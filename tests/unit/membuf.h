/*
 * membuf: a growing in-memory byte buffer for tests, with a sink
 * (lib/sink.h) that appends to it.
 */
#ifndef MEMBUF_H
#define MEMBUF_H

#include <stddef.h>
#include <stdint.h>

struct membuf {
	uint8_t *p;
	size_t len, cap;
};

/* membuf_sink(ctx, data, len): append data to the membuf ctx; returns 0. */
int membuf_sink(void *ctx, const uint8_t *data, size_t len);

#endif
