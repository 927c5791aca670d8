/*
 * storewire: see storewire.h. Each bound is written once, in a check that
 * both the encoder and the decoder run (request_valid, answer_valid,
 * entry_valid, counts_valid), so the network side cannot send a frame the
 * store would refuse, nor the store one the network side would refuse,
 * without the encoder saying so first.
 */
#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "storewire.h"

#define COUNTS_BODY (8 + 1 + 1)

/* Whether p[0..len) is all zero. */
static int
zero(const uint8_t *p, size_t len)
{
	uint8_t acc = 0;

	while (len-- > 0)
		acc |= *p++;
	return acc == 0;
}

/* ---- requests ---- */

/* What a request may carry, by type (storewire.h); 0: no such type. */
#define F_TYPE 0x01	/* a type at all */
#define F_ID 0x02	/* an upload's id (else zero) */
#define F_BYTES 0x04	/* a body */
#define F_TOTAL 0x08	/* total */
#define F_FAILED 0x10	/* failed, err */
#define F_KEY 0x20	/* key, all of it (else zero) */
#define F_KEY_ID 0x40	/* key's first ENVELOPE_ID_BYTES (the rest zero) */

static unsigned
request_fields(enum storeq_type type)
{
	const unsigned last = F_TYPE | F_ID | F_BYTES | F_TOTAL | F_FAILED;

	switch (type) {
	case STOREQ_DATA:
		return F_TYPE | F_ID | F_BYTES;
	case STOREQ_COMMIT:
		return last | F_KEY;
	case STOREQ_FOLLOW_UP:
		return last | F_KEY_ID;
	case STOREQ_ABORT:
		return F_TYPE | F_ID | F_FAILED;
	case STOREQ_LOOKUP:
		return F_TYPE | F_KEY;
	case STOREQ_COUNTS:
		return F_TYPE;
	default:
		return 0;
	}
}

/* Whether r keeps every bound of storewire.h (its body aside). */
static int
request_valid(const struct storewire_request *r)
{
	unsigned f = request_fields(r->type);
	size_t key_any = (f & F_KEY) ? STORE_RECEIPT_HASH_BYTES :
	    (f & F_KEY_ID) ? ENVELOPE_ID_BYTES : 0;

	if (f == 0)
		return 0;
	if ((unsigned)r->failed > STORE_ERROR ||
	    (!(f & F_FAILED) && r->failed != STORE_OK))
		return 0;
	if (r->err < 0 || r->err > STOREWIRE_ERR_MAX ||
	    (r->failed == STORE_OK && r->err != 0))
		return 0;
	if (r->len > ((f & F_BYTES) ? STOREWIRE_BYTES_MAX : 0) ||
	    r->total > ((f & F_TOTAL) ? STOREWIRE_TOTAL_MAX : 0))
		return 0;
	if (!(f & F_ID) && !zero(r->id, ENVELOPE_ID_BYTES))
		return 0;
	return zero(r->key + key_any, STORE_RECEIPT_HASH_BYTES - key_any);
}

int
storewire_request_header(const struct storeq_msg *m, uint32_t seq,
    uint8_t out[STOREWIRE_REQUEST_HEADER])
{
	struct storewire_request r = {
		.type = m->type, .failed = m->failed, .seq = seq,
		.err = m->err, .total = m->total, .len = m->len,
	};
	const struct storeq_bytes *b;
	size_t chained = 0;

	memcpy(r.id, m->id, ENVELOPE_ID_BYTES);
	memcpy(r.key, m->key, STORE_RECEIPT_HASH_BYTES);
	for (b = m->bytes; b != NULL; b = b->next)
		chained += b->len;
	if (chained != m->len || !request_valid(&r))
		return -1;
	out[0] = (uint8_t)r.type;
	out[1] = (uint8_t)r.failed;
	encode_be16(out + 2, 0);
	encode_be32(out + 4, seq);
	encode_be32(out + 8, (uint32_t)r.err);
	encode_be32(out + 12, (uint32_t)r.len);
	encode_be64(out + 16, r.total);
	memcpy(out + 24, r.id, ENVELOPE_ID_BYTES);
	memcpy(out + 40, r.key, STORE_RECEIPT_HASH_BYTES);
	return 0;
}

enum storewire_status
storewire_request_decode(const uint8_t *buf, size_t len,
    struct storewire_request *r, size_t *frame_len)
{
	uint32_t err;

	if (len < STOREWIRE_REQUEST_HEADER)
		return STOREWIRE_MORE;
	if ((err = decode_be32(buf + 8)) > STOREWIRE_ERR_MAX ||
	    decode_be16(buf + 2) != 0)
		return STOREWIRE_BAD;
	r->type = buf[0];
	r->failed = buf[1];
	r->seq = decode_be32(buf + 4);
	r->err = (int)err;
	r->len = decode_be32(buf + 12);
	r->total = decode_be64(buf + 16);
	memcpy(r->id, buf + 24, ENVELOPE_ID_BYTES);
	memcpy(r->key, buf + 40, STORE_RECEIPT_HASH_BYTES);
	if (!request_valid(r))
		return STOREWIRE_BAD;
	if (len - STOREWIRE_REQUEST_HEADER < r->len)
		return STOREWIRE_MORE;
	r->body = buf + STOREWIRE_REQUEST_HEADER;
	*frame_len = STOREWIRE_REQUEST_HEADER + r->len;
	return STOREWIRE_FRAME;
}

/* ---- answers: a LOOKUP's case ---- */

/* Whether e is an entry a case may hold (its message aside). */
static int
entry_valid(const struct store_entry *e)
{

	if (e->status < STORE_STATUS_WAITING ||
	    e->status > STORE_STATUS_PURGED ||
	    (e->status == STORE_STATUS_PURGED && e->received_day != 0))
		return 0;
	if (e->outcome >= OUTCOME_STATUS_COUNT ||
	    e->message_len > OUTCOME_SEALED_MAX)
		return 0;
	return e->outcome != OUTCOME_NONE ||
	    (e->outcome_day == 0 && e->message_len == 0);
}

/*
 * Read the entry at p[0..left) into e, its message left where it is
 * (e->message NULL). Return the entry's bytes, or 0 if it is cut short
 * or not valid.
 */
static size_t
entry_read(const uint8_t *p, size_t left, struct store_entry *e)
{

	if (left < STOREWIRE_ENTRY_FIXED)
		return 0;
	memcpy(e->id, p, ENVELOPE_ID_BYTES);
	p += ENVELOPE_ID_BYTES;
	e->status = p[0];
	e->received_day = decode_be32(p + 1);
	e->outcome = p[5];
	e->outcome_day = decode_be32(p + 6);
	e->message_len = decode_be16(p + 10);
	e->message = NULL;
	if (!entry_valid(e) ||
	    left - STOREWIRE_ENTRY_FIXED < e->message_len)
		return 0;
	return STOREWIRE_ENTRY_FIXED + e->message_len;
}

/*
 * Read the LOOKUP body p[0..len) into c, entry i's message left at
 * p + at[i]. Return 0, or -1 if it is not exactly a valid case.
 */
static int
case_read(const uint8_t *p, size_t len, struct store_case *c,
    size_t at[1 + STORE_FOLLOW_UPS_MAX])
{
	size_t pos = 1, used, i;

	c->n = 0;
	if (len == 0)
		return 0;
	if (p[0] < 1 || p[0] > 1 + STORE_FOLLOW_UPS_MAX)
		return -1;
	for (i = 0; i < p[0]; i++) {
		if ((used = entry_read(p + pos, len - pos, &c->e[i])) == 0)
			return -1;
		at[i] = pos + STOREWIRE_ENTRY_FIXED;
		pos += used;
	}
	if (pos != len)
		return -1;
	c->n = p[0];
	return 0;
}

/*
 * Write case c (NULL: none) as a LOOKUP body into out, its length in
 * *len. Return 0, or -1 if c breaks a bound.
 */
static int
case_put(const struct store_case *c, uint8_t *out, size_t *len)
{
	const struct store_entry *e;
	uint8_t *p = out + 1;
	size_t i;

	*len = 0;
	if (c == NULL || c->n == 0)
		return 0;
	if (c->n > 1 + STORE_FOLLOW_UPS_MAX)
		return -1;
	out[0] = (uint8_t)c->n;
	for (i = 0; i < c->n; i++) {
		e = &c->e[i];
		if (!entry_valid(e) || (e->message == NULL && e->message_len))
			return -1;
		memcpy(p, e->id, ENVELOPE_ID_BYTES);
		p += ENVELOPE_ID_BYTES;
		p[0] = (uint8_t)e->status;
		encode_be32(p + 1, e->received_day);
		p[5] = e->outcome;
		encode_be32(p + 6, e->outcome_day);
		encode_be16(p + 10, (uint16_t)e->message_len);
		if (e->message_len > 0)
			memcpy(p + 12, e->message, e->message_len);
		p += 12 + e->message_len;
	}
	*len = (size_t)(p - out);
	return 0;
}

/* ---- answers: COUNTS ---- */

/* Whether c holds counts the store can have. */
static int
counts_valid(const struct store_counts *c)
{

	return c->used_percent <= 100 &&
	    (c->export_overdue == 0 ||
	    (c->export_overdue == 1 && c->unexported > 0));
}

static void
counts_read(const uint8_t *p, struct store_counts *c)
{

	c->unexported = decode_be64(p);
	c->used_percent = p[8];
	c->export_overdue = p[9];
}

/* ---- answers ---- */

/*
 * Whether the header of a (its body aside, which must follow for its
 * length to hold) keeps every bound of storewire.h.
 */
static int
answer_valid(const struct storewire_answer *a)
{
	int ok = a->result == STORE_OK;

	if ((unsigned)a->result > STORE_ERROR)
		return 0;
	switch (a->type) {
	case STOREWIRE_HELLO:
		return ok && a->seq == 0 && a->len == STORE_SECRET_BYTES;
	case STOREQ_LOOKUP:
		return a->len <= (ok ? STOREWIRE_ANSWER_BODY_MAX : 0);
	case STOREQ_COUNTS:
		return a->len == (ok ? COUNTS_BODY : 0);
	case STOREQ_DATA:
	case STOREQ_COMMIT:
	case STOREQ_FOLLOW_UP:
	case STOREQ_ABORT:
		return a->len == 0;
	default:
		return 0;
	}
}

/* Whether a's body (all of it received) is what its header says. */
static int
answer_body_valid(const struct storewire_answer *a)
{
	struct store_case c;
	struct store_counts n;
	size_t at[1 + STORE_FOLLOW_UPS_MAX];

	if (a->type == STOREQ_LOOKUP)
		return case_read(a->body, a->len, &c, at) == 0;
	if (a->type == STOREQ_COUNTS && a->len > 0) {
		counts_read(a->body, &n);
		return counts_valid(&n);
	}
	return 1;
}

static void
answer_header_put(const struct storewire_answer *a, uint8_t *out)
{

	out[0] = (uint8_t)a->type;
	out[1] = (uint8_t)a->result;
	encode_be16(out + 2, 0);
	encode_be32(out + 4, a->seq);
	encode_be32(out + 8, (uint32_t)a->len);
	encode_be32(out + 12, 0);
}

size_t
storewire_answer_encode(const struct storeq_msg *m, uint32_t seq,
    uint8_t *out)
{
	struct storewire_answer a = {
		.type = (int)m->type, .result = m->result, .seq = seq,
	};
	uint8_t *body = out + STOREWIRE_ANSWER_HEADER;

	if (m->result == STORE_OK && m->type == STOREQ_LOOKUP &&
	    case_put(m->found, body, &a.len) != 0)
		return 0;
	if (m->result == STORE_OK && m->type == STOREQ_COUNTS) {
		if (!counts_valid(&m->counts))
			return 0;
		encode_be64(body, m->counts.unexported);
		body[8] = (uint8_t)m->counts.used_percent;
		body[9] = (uint8_t)m->counts.export_overdue;
		a.len = COUNTS_BODY;
	}
	if (!answer_valid(&a))
		return 0;
	answer_header_put(&a, out);
	return STOREWIRE_ANSWER_HEADER + a.len;
}

size_t
storewire_hello_encode(const uint8_t secret[STORE_SECRET_BYTES],
    uint8_t *out)
{
	struct storewire_answer a = {
		.type = STOREWIRE_HELLO, .result = STORE_OK,
		.len = STORE_SECRET_BYTES,
	};

	answer_header_put(&a, out);
	memcpy(out + STOREWIRE_ANSWER_HEADER, secret, STORE_SECRET_BYTES);
	return STOREWIRE_ANSWER_HEADER + STORE_SECRET_BYTES;
}

enum storewire_status
storewire_answer_decode(const uint8_t *buf, size_t len,
    struct storewire_answer *a, size_t *frame_len)
{

	if (len < STOREWIRE_ANSWER_HEADER)
		return STOREWIRE_MORE;
	if (decode_be16(buf + 2) != 0 || decode_be32(buf + 12) != 0)
		return STOREWIRE_BAD;
	a->type = buf[0];
	a->result = buf[1];
	a->seq = decode_be32(buf + 4);
	a->len = decode_be32(buf + 8);
	if (!answer_valid(a))
		return STOREWIRE_BAD;
	if (len - STOREWIRE_ANSWER_HEADER < a->len)
		return STOREWIRE_MORE;
	a->body = buf + STOREWIRE_ANSWER_HEADER;
	if (!answer_body_valid(a))
		return STOREWIRE_BAD;
	*frame_len = STOREWIRE_ANSWER_HEADER + a->len;
	return STOREWIRE_FRAME;
}

int
storewire_case_decode(const struct storewire_answer *a,
    struct store_case *c)
{
	size_t at[1 + STORE_FOLLOW_UPS_MAX], i = 0;
	struct store_entry *e;

	if (case_read(a->body, a->len, c, at) != 0)
		goto err;
	for (i = 0; i < c->n; i++) {
		e = &c->e[i];
		if (e->message_len == 0)
			continue;
		if ((e->message = malloc(e->message_len)) == NULL)
			goto err;
		memcpy(e->message, a->body + at[i], e->message_len);
	}
	return 0;
err:
	while (i-- > 0)
		free(c->e[i].message);
	c->n = 0;
	return -1;
}

void
storewire_counts_decode(const struct storewire_answer *a,
    struct store_counts *c)
{

	counts_read(a->body, c);
}
