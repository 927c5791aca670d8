/*
 * bundle: see bundle.h. The reader hashes every byte it consumes before the
 * trailer; when a record header starts it keeps a copy of the hash state,
 * since only its first four bytes tell a record from the trailer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "bundle.h"
#include "encode.h"

#define BUNDLE_MAGIC "ODBUNDLE"
#define BUNDLE_VERSION 1
#define RECORD_MAGIC "ODR1"
#define TRAILER_MAGIC "ODT1"
#define CHECKED_BYTES 32	/* record header bytes covered by check */
#define HASH_BYTES 32

static void
record_check(uint8_t out[8], const uint8_t head[CHECKED_BYTES])
{
	crypto_generichash(out, 8, head, CHECKED_BYTES,
	    (const uint8_t *)"odrecord", 8);
}

/* ---- writer ---- */

struct bundle_writer {
	bytes_sink *sink;
	void *ctx;
	crypto_generichash_state hash;
	uint32_t count;
	uint64_t left;		/* bytes of the open record still due */
	int open;
};

static int
writer_emit(struct bundle_writer *w, const uint8_t *buf, size_t len)
{
	crypto_generichash_update(&w->hash, buf, len);
	return w->sink(w->ctx, buf, len);
}

struct bundle_writer *
bundle_writer_new(bytes_sink *sink, void *ctx)
{
	struct bundle_writer *w = calloc(1, sizeof(*w));
	uint8_t h[BUNDLE_HEADER_BYTES] = { 0 };

	if (w == NULL)
		return NULL;
	w->sink = sink;
	w->ctx = ctx;
	crypto_generichash_init(&w->hash, NULL, 0, HASH_BYTES);
	memcpy(h, BUNDLE_MAGIC, 8);
	encode_be32(h + 8, BUNDLE_VERSION);
	if (writer_emit(w, h, sizeof(h)) != 0) {
		free(w);
		return NULL;
	}
	return w;
}

int
bundle_writer_begin(struct bundle_writer *w,
    const uint8_t id[ENVELOPE_ID_BYTES], uint64_t len)
{
	uint8_t h[BUNDLE_RECORD_HEADER_BYTES];

	if (w->open || len == 0 || len > BUNDLE_RECORD_MAX)
		return -1;
	memcpy(h, RECORD_MAGIC, 4);
	encode_be32(h + 4, w->count);
	encode_be64(h + 8, len);
	memcpy(h + 16, id, ENVELOPE_ID_BYTES);
	record_check(h + CHECKED_BYTES, h);
	w->open = 1;
	w->left = len;
	w->count++;
	return writer_emit(w, h, sizeof(h));
}

int
bundle_writer_data(struct bundle_writer *w, const uint8_t *buf, size_t len)
{
	if (!w->open || len > w->left)
		return -1;
	w->left -= len;
	return writer_emit(w, buf, len);
}

int
bundle_writer_end(struct bundle_writer *w)
{
	if (!w->open || w->left != 0)
		return -1;
	w->open = 0;
	return 0;
}

int
bundle_writer_finish(struct bundle_writer *w)
{
	uint8_t t[BUNDLE_TRAILER_BYTES];

	if (w->open)
		return -1;
	memcpy(t, TRAILER_MAGIC, 4);
	encode_be32(t + 4, w->count);
	crypto_generichash_final(&w->hash, t + 8, HASH_BYTES);
	return w->sink(w->ctx, t, sizeof(t));
}

void
bundle_writer_free(struct bundle_writer *w)
{
	free(w);
}

/* ---- reader ---- */

enum reader_state {
	R_HEADER, R_RECORD_HEAD, R_BODY, R_SCAN, R_TRAILER, R_AFTER, R_STOPPED
};

struct bundle_reader {
	const struct bundle_callbacks *cb;
	void *ctx;
	enum reader_state state;
	crypto_generichash_state hash;
	crypto_generichash_state hash_at_head;	/* before the current head */
	uint8_t acc[BUNDLE_RECORD_HEADER_BYTES];
	size_t acc_len;
	uint8_t win[2 * BUNDLE_RECORD_HEADER_BYTES];	/* scan window */
	size_t win_len;
	uint64_t offset;	/* bytes consumed */
	uint64_t head_offset;	/* where acc[] started */
	uint64_t body_left;
	uint32_t records;	/* intact record headers read */
	uint32_t next_seq;
	int resynced;		/* a damaged stretch came before this record */
	int problems;
	int after_reported;
	char message[128];
};

struct bundle_reader *
bundle_reader_new(const struct bundle_callbacks *cb, void *ctx)
{
	struct bundle_reader *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->cb = cb;
	r->ctx = ctx;
	crypto_generichash_init(&r->hash, NULL, 0, HASH_BYTES);
	return r;
}

void
bundle_reader_free(struct bundle_reader *r)
{
	free(r);
}

static void
problem(struct bundle_reader *r, uint64_t offset, const char *what)
{
	r->problems++;
	r->cb->problem(r->ctx, offset, what);
}

static void
enter_record_head(struct bundle_reader *r)
{
	r->state = R_RECORD_HEAD;
	r->acc_len = 0;
}

/* Damage seen: look for the next intact record header from here. */
static void
enter_scan(struct bundle_reader *r, const uint8_t *carry, size_t len)
{
	r->state = R_SCAN;
	r->resynced = 1;
	memcpy(r->win, carry, len);
	r->win_len = len;
}

/* An intact record header (check verified): begin the record. */
static int
record_head(struct bundle_reader *r, const uint8_t *h, uint64_t at)
{
	uint32_t seq = decode_be32(h + 4);
	uint64_t len = decode_be64(h + 8);

	if (len == 0 || len > BUNDLE_RECORD_MAX) {
		problem(r, at, "record has an impossible length");
		return -1;
	}
	if (seq != r->next_seq && !(r->resynced && seq > r->next_seq))
		problem(r, at, "records are out of order");
	r->resynced = 0;
	r->next_seq = seq + 1;
	r->records++;
	r->body_left = len;
	r->state = R_BODY;
	if (r->cb->record_begin(r->ctx, seq, h + 16, len) != 0) {
		r->state = R_STOPPED;
		return -1;
	}
	return 0;
}

static int
head_intact(const uint8_t *h)
{
	uint8_t check[8];

	if (memcmp(h, RECORD_MAGIC, 4) != 0)
		return 0;
	record_check(check, h);
	return memcmp(check, h + CHECKED_BYTES, 8) == 0;
}

static void
head_complete(struct bundle_reader *r)
{
	char id[ENCODE_HEX_LEN(ENVELOPE_ID_BYTES) + 1];

	if (head_intact(r->acc) && record_head(r, r->acc, r->head_offset) == 0)
		return;
	if (r->state == R_STOPPED)
		return;
	encode_hex(id, r->acc + 16, ENVELOPE_ID_BYTES);
	snprintf(r->message, sizeof(r->message), "record header is damaged "
	    "(report %s, if its id survived): skipped to the next record", id);
	problem(r, r->head_offset, r->message);
	enter_scan(r, r->acc + 1, r->acc_len - 1);
}

static void
trailer_complete(struct bundle_reader *r)
{
	uint8_t hash[HASH_BYTES];

	r->state = R_AFTER;
	if (decode_be32(r->acc + 4) != r->records)
		problem(r, r->head_offset, "trailer counts a different number of records");
	crypto_generichash_final(&r->hash_at_head, hash, HASH_BYTES);
	if (sodium_memcmp(hash, r->acc + 8, HASH_BYTES) != 0)
		problem(r, r->head_offset,
		    "bundle hash does not match: it was damaged or reordered");
}

static size_t
feed_record_head(struct bundle_reader *r, const uint8_t *buf, size_t len)
{
	size_t n = BUNDLE_RECORD_HEADER_BYTES - r->acc_len;

	if (r->acc_len == 0) {	/* the main loop has hashed all before buf */
		r->head_offset = r->offset;
		r->hash_at_head = r->hash;
	}
	if (n > len)
		n = len;
	memcpy(r->acc + r->acc_len, buf, n);
	r->acc_len += n;
	if (r->acc_len >= 4 && r->acc_len - n < 4 &&
	    memcmp(r->acc, TRAILER_MAGIC, 4) == 0) {
		r->state = R_TRAILER;	/* these bytes are the trailer's */
		if (r->acc_len == BUNDLE_TRAILER_BYTES)
			trailer_complete(r);
		return n;
	}
	if (r->acc_len == BUNDLE_RECORD_HEADER_BYTES)
		head_complete(r);
	return n;
}

static size_t
feed_trailer(struct bundle_reader *r, const uint8_t *buf, size_t len)
{
	size_t n = BUNDLE_TRAILER_BYTES - r->acc_len;

	if (n > len)
		n = len;
	memcpy(r->acc + r->acc_len, buf, n);
	r->acc_len += n;
	if (r->acc_len == BUNDLE_TRAILER_BYTES)
		trailer_complete(r);
	return n;
}

static size_t
feed_body(struct bundle_reader *r, const uint8_t *buf, size_t len)
{
	size_t n = len < r->body_left ? len : (size_t)r->body_left;

	if (r->cb->record_data(r->ctx, buf, n) != 0) {
		r->state = R_STOPPED;
		return n;
	}
	r->body_left -= n;
	if (r->body_left == 0) {
		if (r->cb->record_end(r->ctx) != 0) {
			r->state = R_STOPPED;
			return n;
		}
		enter_record_head(r);
	}
	return n;
}

/* Slide through damaged bytes until an intact record header ends. */
static size_t
feed_scan(struct bundle_reader *r, const uint8_t *buf, size_t len)
{
	const size_t hl = BUNDLE_RECORD_HEADER_BYTES;

	for (size_t i = 0; i < len; i++) {
		if (r->win_len == sizeof(r->win)) {
			memmove(r->win, r->win + hl + 1, hl - 1);
			r->win_len = hl - 1;
		}
		r->win[r->win_len++] = buf[i];
		if (r->win_len >= hl && head_intact(r->win + r->win_len - hl)) {
			record_head(r, r->win + r->win_len - hl,
			    r->offset + i + 1 - hl);
			return i + 1;
		}
	}
	return len;
}

static size_t
feed_header(struct bundle_reader *r, const uint8_t *buf, size_t len)
{
	size_t n = BUNDLE_HEADER_BYTES - r->acc_len;

	if (n > len)
		n = len;
	memcpy(r->acc + r->acc_len, buf, n);
	r->acc_len += n;
	if (r->acc_len < BUNDLE_HEADER_BYTES)
		return n;
	if (memcmp(r->acc, BUNDLE_MAGIC, 8) == 0 &&
	    decode_be32(r->acc + 8) == BUNDLE_VERSION &&
	    decode_be32(r->acc + 12) == 0) {
		enter_record_head(r);
		return n;
	}
	problem(r, 0, "bundle header is damaged, or this is not a bundle");
	enter_scan(r, r->acc + 1, r->acc_len - 1);
	return n;
}

static size_t
feed_after(struct bundle_reader *r, size_t len)
{
	if (!r->after_reported) {
		r->after_reported = 1;
		problem(r, r->offset, "data after the trailer");
	}
	return len;
}

int
bundle_reader_feed(struct bundle_reader *r, const uint8_t *buf, size_t len)
{
	while (len > 0) {
		enum reader_state was = r->state;
		size_t n;

		switch (r->state) {
		case R_HEADER:
			n = feed_header(r, buf, len);
			break;
		case R_RECORD_HEAD:
			n = feed_record_head(r, buf, len);
			break;
		case R_BODY:
			n = feed_body(r, buf, len);
			break;
		case R_SCAN:
			n = feed_scan(r, buf, len);
			break;
		case R_TRAILER:
			n = feed_trailer(r, buf, len);
			break;
		case R_AFTER:
			n = feed_after(r, len);
			break;
		default:
			return -1;
		}
		if (was != R_TRAILER && was != R_AFTER)
			crypto_generichash_update(&r->hash, buf, n);
		r->offset += n;
		buf += n;
		len -= n;
	}
	return r->state == R_STOPPED ? -1 : 0;
}

int
bundle_reader_finish(struct bundle_reader *r)
{
	switch (r->state) {
	case R_AFTER:
		break;
	case R_BODY:
		problem(r, r->offset, "bundle is truncated inside a record");
		if (r->cb->record_end(r->ctx) != 0)
			r->state = R_STOPPED;
		break;
	case R_STOPPED:
		return -1;
	case R_SCAN:
		problem(r, r->offset, "no intact record or trailer after the damage");
		break;
	default:
		problem(r, r->offset, "bundle is truncated: its trailer is missing");
		break;
	}
	return r->problems == 0 && r->state != R_STOPPED ? 0 : -1;
}
