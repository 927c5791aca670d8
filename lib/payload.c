/*
 * payload: see payload.h. The reader is a small state machine: it gathers a
 * frame header, checks the frame against its type's rule (where it may
 * stand, how long its body may be), then either gathers the body (names,
 * lengths) into one bounded buffer or streams it (DATA).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "encode.h"
#include "payload.h"
#include "secmem.h"

enum reader_state { READ_HEADER, READ_BODY, READ_PADDING, READ_FAILED };
enum item_kind { ITEM_NONE, ITEM_FIELD, ITEM_ATTACHMENT };

/* Every frame type: the body lengths it may declare, and where it stands. */
static const struct frame_rule {
	uint32_t min, max;	/* body length */
	int in_item;		/* 1: inside an item only; 0: between items */
	const char *bad_len, *misplaced;
} frame_rules[] = {
	[PAYLOAD_FIELD_BEGIN] = { 1, PAYLOAD_FIELD_NAME_MAX, 0,
	    "field name length out of range", "item begins inside another item" },
	[PAYLOAD_ATTACHMENT_BEGIN] = { 0, PAYLOAD_FILE_NAME_MAX, 0,
	    "attachment name too long", "item begins inside another item" },
	[PAYLOAD_DATA] = { 1, PAYLOAD_DATA_MAX, 1,
	    "data frame length out of range", "data outside an item" },
	[PAYLOAD_ITEM_END] = { 8, 8, 1,
	    "item end has a wrong length", "item end outside an item" },
	[PAYLOAD_DONE] = { 0, 0, 0,
	    "report end has a body", "report ends inside an item" },
};
#define FRAME_TYPES (sizeof(frame_rules) / sizeof(frame_rules[0]))

/* The gathered bodies (every frame but DATA) share one buffer. */
#define GATHER_MAX PAYLOAD_FILE_NAME_MAX
_Static_assert(PAYLOAD_FIELD_NAME_MAX <= GATHER_MAX && 8 <= GATHER_MAX,
    "every gathered body fits the gather buffer");

struct payload_reader {
	const struct payload_callbacks *cb;
	void *ctx;
	enum reader_state state;
	enum item_kind item;
	uint8_t header[PAYLOAD_FRAME_HEADER];
	size_t header_len;
	uint8_t type;		/* of the frame being read */
	uint32_t body_left;	/* bytes of its body still to come */
	size_t gathered;	/* body bytes gathered into gather[] */
	uint64_t item_len;	/* DATA bytes of the current item so far */
	char field_name[PAYLOAD_FIELD_NAME_MAX + 1];
	uint8_t *gather;	/* GATHER_MAX: a BEGIN or ITEM_END body */
	uint8_t *value;		/* PAYLOAD_FIELD_VALUE_MAX: a field's value */
	const char *error;
};

void
payload_frame_header(uint8_t out[PAYLOAD_FRAME_HEADER], uint8_t type,
    uint32_t len)
{
	out[0] = type;
	encode_be32(out + 1, len);
}

int
payload_field_name_ok(const char *name, size_t len)
{
	if (len == 0 || len > PAYLOAD_FIELD_NAME_MAX)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return 0;
	}
	return 1;
}

static int
fail(struct payload_reader *r, const char *why)
{
	r->state = READ_FAILED;
	r->error = why;
	return -1;
}

struct payload_reader *
payload_reader_new(const struct payload_callbacks *cb, void *ctx)
{
	struct payload_reader *r = malloc(sizeof(*r));

	if (r == NULL)
		return NULL;
	memset(r, 0, sizeof(*r));
	r->cb = cb;
	r->ctx = ctx;
	r->gather = secmem_get(GATHER_MAX);
	r->value = secmem_get(PAYLOAD_FIELD_VALUE_MAX);
	if (r->gather == NULL || r->value == NULL) {
		payload_reader_free(r);
		return NULL;
	}
	return r;
}

void
payload_reader_free(struct payload_reader *r)
{
	if (r == NULL)
		return;
	secmem_put(r->gather, GATHER_MAX);
	secmem_put(r->value, PAYLOAD_FIELD_VALUE_MAX);
	sodium_memzero(r, sizeof(*r));
	free(r);
}

const char *
payload_reader_error(const struct payload_reader *r)
{
	return r->error ? r->error : "no error";
}

/* Is a frame of this type and body length allowed in the current item? */
static const char *
frame_refusal(const struct payload_reader *r, uint8_t type, uint32_t len)
{
	const struct frame_rule *rule;

	if (type == 0 || type >= FRAME_TYPES)
		return "unknown frame type";
	rule = &frame_rules[type];
	if ((r->item != ITEM_NONE) != rule->in_item)
		return rule->misplaced;
	if (len < rule->min || len > rule->max)
		return rule->bad_len;
	return NULL;
}

static int
item_end(struct payload_reader *r)
{
	uint64_t size = decode_be64(r->gather);
	enum item_kind kind = r->item;
	int rc;

	if (size != r->item_len)
		return fail(r, "item length does not match its data");
	r->item = ITEM_NONE;
	if (kind == ITEM_FIELD)
		rc = r->cb->field(r->ctx, r->field_name, r->value, (size_t)size);
	else
		rc = r->cb->attachment_end(r->ctx, size);
	return rc ? fail(r, "stopped by the caller") : 0;
}

/* A whole BEGIN or ITEM_END body has been gathered. */
static int
frame_gathered(struct payload_reader *r)
{
	r->state = READ_HEADER;
	switch (r->type) {
	case PAYLOAD_FIELD_BEGIN:
		if (!payload_field_name_ok((const char *)r->gather, r->gathered))
			return fail(r, "invalid field name");
		memcpy(r->field_name, r->gather, r->gathered);
		r->field_name[r->gathered] = '\0';
		r->item = ITEM_FIELD;
		r->item_len = 0;
		return 0;
	case PAYLOAD_ATTACHMENT_BEGIN:
		r->item = ITEM_ATTACHMENT;
		r->item_len = 0;
		if (r->cb->attachment_begin(r->ctx, r->gather, r->gathered) != 0)
			return fail(r, "stopped by the caller");
		return 0;
	default:
		return item_end(r);
	}
}

static int
frame_begin(struct payload_reader *r)
{
	const char *why;

	r->type = r->header[0];
	r->body_left = decode_be32(r->header + 1);
	r->header_len = 0;
	r->gathered = 0;
	if ((why = frame_refusal(r, r->type, r->body_left)) != NULL)
		return fail(r, why);
	if (r->type == PAYLOAD_DONE) {
		r->state = READ_PADDING;
		return 0;
	}
	r->state = READ_BODY;
	return r->body_left == 0 ? frame_gathered(r) : 0;
}

/* Stream DATA bytes into the field value or out to the caller. */
static int
data_bytes(struct payload_reader *r, const uint8_t *buf, size_t n)
{
	if (r->item == ITEM_FIELD) {
		if (r->item_len + n > PAYLOAD_FIELD_VALUE_MAX)
			return fail(r, "field value too large");
		memcpy(r->value + r->item_len, buf, n);
	} else if (r->cb->attachment_data(r->ctx, buf, n) != 0) {
		return fail(r, "stopped by the caller");
	}
	r->item_len += n;
	return 0;
}

/* Gather body bytes, whatever frame_refusal let through: never past the end. */
static int
gather_bytes(struct payload_reader *r, const uint8_t *buf, size_t n)
{
	if (n > GATHER_MAX - r->gathered)
		return fail(r, "frame body too large");
	memcpy(r->gather + r->gathered, buf, n);
	r->gathered += n;
	return 0;
}

/* Consume up to len body bytes of the current frame; return how many. */
static size_t
body_bytes(struct payload_reader *r, const uint8_t *buf, size_t len)
{
	size_t n = len < r->body_left ? len : r->body_left;

	if ((r->type == PAYLOAD_DATA ? data_bytes(r, buf, n) :
	    gather_bytes(r, buf, n)) != 0)
		return 0;
	r->body_left -= (uint32_t)n;
	if (r->body_left == 0) {
		r->state = READ_HEADER;
		if (r->type != PAYLOAD_DATA)
			frame_gathered(r);
	}
	return n;
}

int
payload_reader_feed(struct payload_reader *r, const uint8_t *buf, size_t len)
{
	while (len > 0) {
		size_t n = 1;

		switch (r->state) {
		case READ_HEADER:
			r->header[r->header_len++] = *buf;
			if (r->header_len == PAYLOAD_FRAME_HEADER &&
			    frame_begin(r) != 0)
				return -1;
			break;
		case READ_BODY:
			n = body_bytes(r, buf, len);
			break;
		case READ_PADDING:
			for (n = 0; n < len; n++)
				if (buf[n] != 0)
					return fail(r, "non-zero bytes after the report");
			break;
		case READ_FAILED:
			return -1;
		}
		if (r->state == READ_FAILED)
			return -1;
		buf += n;
		len -= n;
	}
	return r->state == READ_FAILED ? -1 : 0;
}

int
payload_reader_finish(struct payload_reader *r)
{
	if (r->state == READ_FAILED)
		return -1;
	if (r->state != READ_PADDING)
		return fail(r, "report is truncated");
	return 0;
}
