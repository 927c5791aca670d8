/*
 * formbody: one streaming decoder for a form's body, whichever of the two
 * encodings a browser chose: multipart/form-data (multipart.h) or
 * application/x-www-form-urlencoded (urlencoded.h). Fields come out as
 * begin (name, and the file name for a file), data in pieces, end.
 */
#ifndef FORMBODY_H
#define FORMBODY_H

#include <stddef.h>
#include <stdint.h>

struct formbody_callbacks {
	/* filename is NULL unless the field is a file input's part. */
	int (*field_begin)(void *ctx, const char *name, const char *filename);
	int (*field_data)(void *ctx, const uint8_t *buf, size_t len);
	int (*field_end)(void *ctx);
};

struct formbody;

/*
 * formbody_new(content_type, cb, ctx):
 * A decoder for a body of that Content-Type, or NULL if it is neither
 * form encoding (or has no valid boundary) or memory is short.
 */
struct formbody *formbody_new(const char *content_type,
    const struct formbody_callbacks *cb, void *ctx);

/*
 * formbody_feed(fb, buf, len) / formbody_finish(fb):
 * Decode the next bytes / check the body ended properly. Return 0, or -1
 * on malformed input or when a callback refused.
 */
int formbody_feed(struct formbody *fb, const uint8_t *buf, size_t len);
int formbody_finish(struct formbody *fb);

/* formbody_free(fb): NULL is a no-op. */
void formbody_free(struct formbody *fb);

#endif
