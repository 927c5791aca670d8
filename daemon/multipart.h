/*
 * multipart: a strict, streaming multipart/form-data (RFC 7578, RFC 2046)
 * request-body parser. It owns the boundary search, the part-header parsing
 * and the limits on them; it never owns part bodies: each body is handed to
 * a callback as it arrives, so the memory per request is a constant (about
 * 10 KiB) whatever the size of the upload.
 *
 * Limits: part header block 8 KiB, field name 128 bytes, file name 1024
 * bytes, part Content-Type 255 bytes, 256 parts. Exceeding any is an error.
 */
#ifndef MULTIPART_H
#define MULTIPART_H

#include <stddef.h>
#include <stdint.h>

#define MULTIPART_BOUNDARY_MAX 70
#define MULTIPART_NAME_MAX 128
#define MULTIPART_FILENAME_MAX 1024
#define MULTIPART_CTYPE_MAX 255
#define MULTIPART_HEADERS_MAX 8192
#define MULTIPART_PARTS_MAX 256

/* Return values of multipart_feed and multipart_finish. */
#define MULTIPART_OK 0
#define MULTIPART_EINVAL (-1)	/* malformed body, truncated or over a limit */
#define MULTIPART_EABORT (-2)	/* a callback returned non-zero */

/*
 * One part's headers, as given to part_begin. The strings are NUL-terminated
 * and stay valid until part_end returns. filename is "" when the part had no
 * filename parameter (has_filename tells it apart from filename=""), and
 * content_type is "" when the part had no Content-Type header.
 */
struct multipart_part {
	const char *name;
	const char *filename;
	int has_filename;
	const char *content_type;
};

/*
 * Callbacks; any non-zero return aborts parsing with MULTIPART_EABORT.
 * part_data receives the exact bytes of the part body, in pieces of any size.
 * After an error no further callback is made, so a part_begin may have no
 * matching part_end.
 */
struct multipart_callbacks {
	int (*part_begin)(void *ctx, const struct multipart_part *p);
	int (*part_data)(void *ctx, const uint8_t *buf, size_t len);
	int (*part_end)(void *ctx);
};

struct multipart;

/*
 * multipart_boundary(content_type, len, out, outcap):
 * If the Content-Type value content_type[0..len) is multipart/form-data
 * (case-insensitive) with one valid boundary parameter (token or quoted,
 * 1..70 RFC 2046 bchars, not ending in a space), write the boundary and a
 * NUL to out[0..outcap) and return 0; otherwise return -1.
 */
int multipart_boundary(const char *content_type, size_t len, char *out,
    size_t outcap);

/*
 * multipart_new(boundary, cb, ctx):
 * Return a parser for a body delimited by the NUL-terminated boundary (as
 * returned by multipart_boundary), calling cb's functions with ctx; or NULL
 * if the boundary is invalid or memory is exhausted.
 */
struct multipart *multipart_new(const char *boundary,
    const struct multipart_callbacks *cb, void *ctx);

/*
 * multipart_feed(mp, buf, len):
 * Parse the next len bytes of the body. Return MULTIPART_OK, or
 * MULTIPART_EINVAL / MULTIPART_EABORT; after an error every later call
 * returns the same error.
 */
int multipart_feed(struct multipart *mp, const uint8_t *buf, size_t len);

/*
 * multipart_finish(mp):
 * Signal the end of the body. Return MULTIPART_OK only if the closing
 * delimiter was seen and no error occurred; MULTIPART_EINVAL if the body
 * was truncated; or the earlier error.
 */
int multipart_finish(struct multipart *mp);

/*
 * multipart_error(mp):
 * Return a short static description of the error, or "" if none. It never
 * contains bytes from the request.
 */
const char *multipart_error(const struct multipart *mp);

/*
 * multipart_free(mp):
 * Wipe and free the parser. NULL is a no-op.
 */
void multipart_free(struct multipart *mp);

#endif
