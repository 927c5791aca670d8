/*
 * payload: the framing of a report inside its encrypted stream. A report is
 * a sequence of items, each a field (name, value) or an attachment (name,
 * bytes); each item is BEGIN, any number of DATA frames, then END with the
 * item's length; a DONE frame closes the report and only zero bytes
 * (padding) may follow. A frame is type (1 byte), length (u32), body.
 * The reader is push-based: feed plaintext in pieces of any size, items come
 * out through callbacks, and attachment bytes are never held whole.
 */
#ifndef PAYLOAD_H
#define PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

/*
 * Frame types, each with the only body lengths it may declare; the reader
 * refuses any other from the frame's header, before a byte of its body
 * (the table in payload.c holds these bounds).
 */
enum payload_frame {
	PAYLOAD_FIELD_BEGIN = 1,	/* field name: 1..FIELD_NAME_MAX */
	PAYLOAD_ATTACHMENT_BEGIN = 2,	/* file name as submitted: 0..FILE_NAME_MAX */
	PAYLOAD_DATA = 3,		/* the item's next bytes: 1..DATA_MAX */
	PAYLOAD_ITEM_END = 4,		/* u64 length of the item: 8 */
	PAYLOAD_DONE = 5,		/* empty: 0 */
};

#define PAYLOAD_FRAME_HEADER 5
#define PAYLOAD_DATA_MAX 65536		/* bytes in one DATA frame */
#define PAYLOAD_FIELD_NAME_MAX 64	/* [a-z0-9_], at least 1 */
#define PAYLOAD_FILE_NAME_MAX 65535
#define PAYLOAD_FIELD_VALUE_MAX (1024 * 1024)	/* the sum of its DATA */

/*
 * payload_frame_header(out, type, len):
 * Write the 5-byte header of a frame of the given type and body length.
 */
void payload_frame_header(uint8_t out[PAYLOAD_FRAME_HEADER], uint8_t type,
    uint32_t len);

/* payload_field_name_ok(name, len): 1 if name is a valid field name. */
int payload_field_name_ok(const char *name, size_t len);

/*
 * Callbacks of the reader. A field arrives whole (bounded by
 * PAYLOAD_FIELD_VALUE_MAX); an attachment arrives as begin, data..., end.
 * Names are not NUL-terminated: they may hold any bytes. A non-zero return
 * stops the reader with "stopped by the caller".
 */
struct payload_callbacks {
	int (*field)(void *ctx, const char *name, const uint8_t *value,
	    size_t len);
	int (*attachment_begin)(void *ctx, const uint8_t *name, size_t len);
	int (*attachment_data)(void *ctx, const uint8_t *buf, size_t len);
	int (*attachment_end)(void *ctx, uint64_t size);
};

struct payload_reader;

/*
 * payload_reader_new(cb, ctx):
 * Return a reader (its buffers in sodium_malloc memory), or NULL.
 */
struct payload_reader *payload_reader_new(const struct payload_callbacks *cb,
    void *ctx);

/*
 * payload_reader_feed(r, buf, len):
 * Consume len plaintext bytes. Return 0, or -1 on a framing error or a
 * callback's refusal (payload_reader_error says which); after -1 every
 * later call fails too.
 */
int payload_reader_feed(struct payload_reader *r, const uint8_t *buf,
    size_t len);

/*
 * payload_reader_finish(r):
 * The plaintext has ended: return 0 if a DONE frame was read (and only zero
 * padding followed), -1 otherwise.
 */
int payload_reader_finish(struct payload_reader *r);

/* payload_reader_error(r): a short reason for the last failure. */
const char *payload_reader_error(const struct payload_reader *r);

/* payload_reader_free(r): wipe and free; NULL is a no-op. */
void payload_reader_free(struct payload_reader *r);

#endif
