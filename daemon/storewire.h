/*
 * storewire: the store protocol's bytes. Between the network process (the
 * loop side of the store, store.c) and the store process (storewriter.c)
 * runs one stream socket; every message of storeq.h crosses it as one
 * frame: a fixed header, then a body whose length the header gives and
 * which is bounded for each type. This module only encodes and decodes
 * frames; it owns no socket and keeps no state between calls, so the
 * store's reader can be fuzzed exactly as it runs (fuzz_storewire).
 *
 * Every integer is big-endian (lib/encode.h). docs/DESIGN.md, "The store
 * protocol", has the table of fields.
 *
 * A request (network to store), STOREWIRE_REQUEST_HEADER bytes:
 *   0  type u8      enum storeq_type, STOREQ_DATA .. STOREQ_COUNTS
 *   1  failed u8    enum store_result: STORE_OK unless the network side
 *                   already failed this upload (COMMIT, FOLLOW_UP, ABORT)
 *   2  zero u16     must be 0
 *   4  seq u32      the sender's name for the message; its answer
 *                   carries it back
 *   8  err u32      the error the network side counts (0..STOREWIRE_ERR_MAX;
 *                   0 unless failed is)
 *  12  len u32      body bytes: envelope ciphertext, DATA/COMMIT/FOLLOW_UP
 *                   only, at most STOREWIRE_BYTES_MAX
 *  16  total u64    COMMIT, FOLLOW_UP: the whole envelope's bytes, at most
 *                   STOREWIRE_TOTAL_MAX; else 0
 *  24  id[16]       the upload's report id (LOOKUP, COUNTS: zero)
 *  40  key[32]      COMMIT: the receipt hash; FOLLOW_UP: the first
 *                   report's id, then zeros; else zero
 * Fields a type does not use must be zero: a frame with a stray byte is
 * refused, so that one frame has exactly one meaning.
 *
 * An answer (store to network), STOREWIRE_ANSWER_HEADER bytes:
 *   0  type u8      the request's type, or STOREWIRE_HELLO
 *   1  result u8    enum store_result
 *   2  zero u16
 *   4  seq u32      the request's (HELLO: 0)
 *   8  len u32      body bytes, at most STOREWIRE_ANSWER_BODY_MAX
 *  12  zero u32
 * with a body for three types only:
 *   HELLO   the server secret, STORE_SECRET_BYTES: the first frame the
 *           store sends, once, before any answer
 *   LOOKUP  (result STORE_OK) n u8 (1..1 + STORE_FOLLOW_UPS_MAX), then n
 *           entries: id[16] status u8 (1..3) received_day u32 outcome u8
 *           outcome_day u32 message_len u16 (at most OUTCOME_SEALED_MAX)
 *           message[message_len]; result STORE_OK with no body is "no such
 *           receipt". An entry's outcome is an enum outcome_status (0:
 *           none, and then outcome_day 0 and no message); a purged
 *           report's received_day is 0.
 *   COUNTS  (result STORE_OK) unexported u64 used_percent u8 (0..100)
 *           export_overdue u8 (0, 1; 1 only with unexported reports)
 *
 * A decoder takes the bytes received so far and says whether they begin
 * with a whole frame (how long), need more, or can never be one: a
 * malformed frame ends the stream (the reader closes the socket), it is
 * never skipped.
 */
#ifndef STOREWIRE_H
#define STOREWIRE_H

#include <stddef.h>
#include <stdint.h>

#include "outcome.h"
#include "storeq.h"

#define STOREWIRE_REQUEST_HEADER 72
#define STOREWIRE_ANSWER_HEADER 16
/* Envelope bytes in one request: the loop side sends at most this much at
 * a time (store.c keeps each message under it). */
#define STOREWIRE_BYTES_MAX (1024 * 1024)
/* An envelope's whole size: max_report_size's own bound, with room for
 * the envelope's overhead. */
#define STOREWIRE_TOTAL_MAX ((uint64_t)1 << 40)
#define STOREWIRE_ERR_MAX 4095
/* One lookup entry's fixed bytes, and the largest answer body. */
#define STOREWIRE_ENTRY_FIXED (ENVELOPE_ID_BYTES + 1 + 4 + 1 + 4 + 2)
#define STOREWIRE_ANSWER_BODY_MAX \
	(1 + (1 + STORE_FOLLOW_UPS_MAX) * \
	(STOREWIRE_ENTRY_FIXED + OUTCOME_SEALED_MAX))
/* The type of the store's first frame: not a storeq_type. */
#define STOREWIRE_HELLO 0x7f

/* What a decoder found at the start of its bytes. */
enum storewire_status {
	STOREWIRE_FRAME,	/* a whole, valid frame: *frame_len bytes */
	STOREWIRE_MORE,		/* a frame's beginning: more bytes needed */
	STOREWIRE_BAD,		/* never a valid frame: end the stream */
};

/*
 * A request as it crosses the socket: the header's fields, and a pointer
 * to its body within the decoder's input (not copied).
 */
struct storewire_request {
	enum storeq_type type;
	enum store_result failed;
	uint32_t seq;
	int err;
	uint64_t total;
	uint8_t id[ENVELOPE_ID_BYTES];
	uint8_t key[STORE_RECEIPT_HASH_BYTES];
	const uint8_t *body;
	size_t len;
};

/*
 * storewire_request_header(m, seq, out):
 * Encode the header of request m (its type, failed, err, len, total, id,
 * key; the bytes themselves follow it, m->len of them) into out. Return
 * 0, or -1 if m breaks a bound above or its chain m->bytes does not hold
 * exactly m->len bytes (a programming error of the caller).
 */
int storewire_request_header(const struct storeq_msg *m, uint32_t seq,
    uint8_t out[STOREWIRE_REQUEST_HEADER]);

/*
 * storewire_request_decode(buf, len, r, frame_len):
 * Decode the request at the start of buf[0..len): STOREWIRE_FRAME with *r
 * filled (r->body points into buf) and *frame_len its bytes; or
 * STOREWIRE_MORE; or STOREWIRE_BAD (any field out of its bounds, a stray
 * nonzero byte, a body on a type that has none).
 */
enum storewire_status storewire_request_decode(const uint8_t *buf,
    size_t len, struct storewire_request *r, size_t *frame_len);

/*
 * storewire_answer_encode(m, seq, out):
 * Encode the answer to request m (its type, result, and for LOOKUP its
 * case, for COUNTS its counts) into out, which has room for
 * STOREWIRE_ANSWER_HEADER + STOREWIRE_ANSWER_BODY_MAX bytes. Return the
 * frame's length, or 0 if m's answer breaks a bound (the store's own
 * error).
 */
size_t storewire_answer_encode(const struct storeq_msg *m, uint32_t seq,
    uint8_t *out);

/* storewire_hello_encode(secret, out): the store's first frame; return
 * its length. */
size_t storewire_hello_encode(const uint8_t secret[STORE_SECRET_BYTES],
    uint8_t *out);

/*
 * A decoded answer: its header's fields and its body within the input.
 */
struct storewire_answer {
	int type;			/* enum storeq_type or STOREWIRE_HELLO */
	enum store_result result;
	uint32_t seq;
	const uint8_t *body;
	size_t len;
};

/*
 * storewire_answer_decode(buf, len, a, frame_len):
 * Like storewire_request_decode, for an answer: the header and the body's
 * length checked against a's type (HELLO: exactly the secret; LOOKUP: a
 * well-formed case, or none; COUNTS: exactly its fields; others: none).
 */
enum storewire_status storewire_answer_decode(const uint8_t *buf, size_t len,
    struct storewire_answer *a, size_t *frame_len);

/*
 * storewire_case_decode(a, c):
 * Fill *c from a LOOKUP answer's body (checked by storewire_answer_decode):
 * c->n 0 when there is none; each message malloc'd. Return 0, or -1 if
 * memory is short (c is then empty).
 */
int storewire_case_decode(const struct storewire_answer *a,
    struct store_case *c);

/* storewire_counts_decode(a, c): fill *c from a COUNTS answer's body. */
void storewire_counts_decode(const struct storewire_answer *a,
    struct store_counts *c);

#endif
