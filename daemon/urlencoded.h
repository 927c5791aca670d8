/*
 * urlencoded: a strict, streaming application/x-www-form-urlencoded
 * request-body parser. It owns the splitting into name=value pairs, the
 * decoding of %XX and '+' and the limits; it never owns values: decoded
 * value bytes are handed to a callback as they arrive, so the memory per
 * request is a constant whatever the length of a value.
 *
 * Names are buffered and decoded (128 bytes at most, no NUL); an invalid or
 * truncated percent escape is an error; at most 256 fields. Empty pairs
 * ("a=1&&b=2") are skipped; a pair without '=' is a field with an empty
 * value; a pair with '=' but an empty name is an error.
 */
#ifndef URLENCODED_H
#define URLENCODED_H

#include <stddef.h>
#include <stdint.h>

#define URLENCODED_NAME_MAX 128
#define URLENCODED_FIELDS_MAX 256

/* Return values of urlencoded_feed and urlencoded_finish. */
#define URLENCODED_OK 0
#define URLENCODED_EINVAL (-1)	/* malformed body or over a limit */
#define URLENCODED_EABORT (-2)	/* a callback returned non-zero */

/*
 * Callbacks; any non-zero return aborts parsing with URLENCODED_EABORT.
 * name is NUL-terminated and valid during field_begin only. field_data
 * receives decoded value bytes in pieces of any size (none for an empty
 * value). After an error no further callback is made.
 */
struct urlencoded_callbacks {
	int (*field_begin)(void *ctx, const char *name);
	int (*field_data)(void *ctx, const uint8_t *buf, size_t len);
	int (*field_end)(void *ctx);
};

struct urlencoded;

/*
 * urlencoded_new(cb, ctx):
 * Return a parser calling cb's functions with ctx, or NULL if memory is
 * exhausted.
 */
struct urlencoded *urlencoded_new(const struct urlencoded_callbacks *cb,
    void *ctx);

/*
 * urlencoded_feed(ue, buf, len):
 * Parse the next len bytes of the body. Return URLENCODED_OK, or
 * URLENCODED_EINVAL / URLENCODED_EABORT; after an error, or after
 * urlencoded_finish, every later call fails.
 */
int urlencoded_feed(struct urlencoded *ue, const uint8_t *buf, size_t len);

/*
 * urlencoded_finish(ue):
 * Signal the end of the body, ending the last field. Return URLENCODED_OK,
 * URLENCODED_EINVAL if the body ends inside a percent escape, or the earlier
 * error.
 */
int urlencoded_finish(struct urlencoded *ue);

/*
 * urlencoded_error(ue):
 * Return a short static description of the error, or "" if none. It never
 * contains bytes from the request.
 */
const char *urlencoded_error(const struct urlencoded *ue);

/*
 * urlencoded_free(ue):
 * Wipe and free the parser. NULL is a no-op.
 */
void urlencoded_free(struct urlencoded *ue);

#endif
