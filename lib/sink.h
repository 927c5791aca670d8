/*
 * sink: where a producer of bytes (the sealer, the bundle writer) sends
 * them, in order. A non-zero return stops the producer.
 */
#ifndef SINK_H
#define SINK_H

#include <stddef.h>
#include <stdint.h>

typedef int bytes_sink(void *ctx, const uint8_t *buf, size_t len);

#endif
