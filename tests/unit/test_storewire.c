/*
 * test_storewire: the store protocol's frames (daemon/storewire.h). Every
 * request type and every answer round-trips through encoder and decoder;
 * each bound is taken at its limit and refused one past it, by the decoder
 * and by the encoder; each header byte a type leaves zero, set, is
 * refused; every truncation of a frame asks for more; frames back to back
 * decode one after the other. The table of what each type carries is
 * written here again from storewire.h, not taken from storewire.c.
 */
#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "storewire.h"
#include "tap.h"

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define REQ_MAX (STOREWIRE_REQUEST_HEADER + STOREWIRE_BYTES_MAX + 1)
#define ANS_MAX (STOREWIRE_ANSWER_HEADER + STOREWIRE_ANSWER_BODY_MAX + 16)

/* What each request type may carry (storewire.h's table). */
static const struct rtype {
	enum storeq_type type;
	const char *name;
	int id, bytes, total, failed;
	size_t key;			/* key bytes it may set */
} rtypes[] = {
	{ STOREQ_DATA, "DATA", 1, 1, 0, 0, 0 },
	{ STOREQ_COMMIT, "COMMIT", 1, 1, 1, 1, STORE_RECEIPT_HASH_BYTES },
	{ STOREQ_FOLLOW_UP, "FOLLOW_UP", 1, 1, 1, 1, ENVELOPE_ID_BYTES },
	{ STOREQ_ABORT, "ABORT", 1, 0, 0, 1, 0 },
	{ STOREQ_LOOKUP, "LOOKUP", 0, 0, 0, 0, STORE_RECEIPT_HASH_BYTES },
	{ STOREQ_COUNTS, "COUNTS", 0, 0, 0, 0, 0 },
};

static uint8_t *buf;			/* REQ_MAX bytes */
static uint8_t *ans;			/* ANS_MAX bytes */
static uint8_t *body;			/* STOREWIRE_BYTES_MAX + 1 */
static uint8_t sealed[OUTCOME_SEALED_MAX + 1];

/* ---- requests ---- */

/* A piece of the chain: body[at..at+len), then next. */
static struct storeq_bytes *
piece(size_t at, size_t len, struct storeq_bytes *next)
{
	struct storeq_bytes *b;

	if ((b = malloc(sizeof(*b) + len)) == NULL)
		abort();
	b->next = next;
	b->len = len;
	memcpy(b->data, body + at, len);
	return b;
}

/* body[0..len) as a chain of two pieces (none if len is 0, one if 1). */
static struct storeq_bytes *
chain(size_t len)
{

	if (len < 2)
		return len ? piece(0, 1, NULL) : NULL;
	return piece(0, len / 2, piece(len / 2, len - len / 2, NULL));
}

static void
chain_free(struct storeq_bytes *b)
{
	struct storeq_bytes *next;

	for (; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
}

/* A request of type t with every field it may carry set; len body bytes. */
static struct storeq_msg
full(const struct rtype *t, size_t len)
{
	struct storeq_msg m;

	memset(&m, 0, sizeof(m));
	m.type = t->type;
	if (t->id)
		memset(m.id, 0xa5, sizeof(m.id));
	memset(m.key, 0x5a, t->key);
	if (t->bytes)
		m.len = len;
	if (t->total)
		m.total = (uint64_t)len + 70000;
	if (t->failed) {
		m.failed = STORE_FULL;
		m.err = 28;
	}
	return m;
}

/* Encode m into buf, header and body; return the frame's length or 0. */
static size_t
encode_request(const struct storeq_msg *m, uint32_t seq)
{
	struct storeq_msg c = *m;
	int rc;

	c.bytes = chain(m->len);
	rc = storewire_request_header(&c, seq, buf);
	chain_free(c.bytes);
	if (rc != 0)
		return 0;
	memcpy(buf + STOREWIRE_REQUEST_HEADER, body, m->len);
	return STOREWIRE_REQUEST_HEADER + m->len;
}

/* Whether r is m's request, with seq and body[0..m->len). */
static int
same_request(const struct storewire_request *r, const struct storeq_msg *m,
    uint32_t seq)
{

	return r->type == m->type && r->failed == m->failed &&
	    r->seq == seq && r->err == m->err && r->total == m->total &&
	    r->len == m->len && memcmp(r->id, m->id, sizeof(r->id)) == 0 &&
	    memcmp(r->key, m->key, sizeof(r->key)) == 0 &&
	    memcmp(r->body, body, m->len) == 0;
}

static enum storewire_status
decode_request(const uint8_t *p, size_t len)
{
	struct storewire_request r;
	size_t used;

	return storewire_request_decode(p, len, &r, &used);
}

/* Every shorter prefix of p[0..len) asks for more; all of it is a frame. */
static int
truncations(const uint8_t *p, size_t len,
    enum storewire_status (*decode)(const uint8_t *, size_t))
{

	for (size_t n = 0; n < len; n++)
		if (decode(p, n) != STOREWIRE_MORE)
			return 0;
	return decode(p, len) == STOREWIRE_FRAME;
}

static void
test_request_round_trips(void)
{
	static const size_t lens[] = { 0, 1, 4096, STOREWIRE_BYTES_MAX };
	struct storewire_request r;
	struct storeq_msg m;
	size_t n, used;

	for (size_t i = 0; i < NELEMS(rtypes); i++)
		for (size_t j = 0; j < NELEMS(lens); j++) {
			if (!rtypes[i].bytes && lens[j] > 0)
				continue;
			m = full(&rtypes[i], lens[j]);
			n = encode_request(&m, 0xfedcba98u);
			ok(n == STOREWIRE_REQUEST_HEADER + lens[j] &&
			    storewire_request_decode(buf, n, &r, &used) ==
			    STOREWIRE_FRAME && used == n &&
			    same_request(&r, &m, 0xfedcba98u),
			    "%s with %zu bytes round-trips", rtypes[i].name,
			    lens[j]);
			if (lens[j] < STOREWIRE_BYTES_MAX)
				ok(truncations(buf, n, decode_request),
				    "%s with %zu bytes: each shorter prefix "
				    "asks for more", rtypes[i].name, lens[j]);
		}
	m = full(&rtypes[0], STOREWIRE_BYTES_MAX);
	n = encode_request(&m, 1);
	ok(truncations(buf, n, decode_request),
	    "DATA of STOREWIRE_BYTES_MAX: each of its %zu prefixes asks for "
	    "more", n);
	m = full(&rtypes[1], 0);
	m.failed = STORE_OK;
	m.err = 0;
	n = encode_request(&m, 2);
	ok(n > 0 && storewire_request_decode(buf, n, &r, &used) ==
	    STOREWIRE_FRAME && same_request(&r, &m, 2),
	    "COMMIT not failed, no bytes, round-trips");
}

/* Decode a valid frame of t (no body) with the header changed by poke. */
static enum storewire_status
poked(const struct rtype *t, size_t at, size_t width, uint64_t v)
{
	struct storeq_msg m = full(t, 0);
	size_t n = encode_request(&m, 7);

	if (width == 8)
		encode_be64(buf + at, v);
	else if (width == 4)
		encode_be32(buf + at, (uint32_t)v);
	else
		buf[at] = (uint8_t)v;
	return decode_request(buf, n);
}

static void
test_request_bounds(void)
{
	const struct rtype *commit = &rtypes[1], *data = &rtypes[0];
	struct storeq_msg m;
	size_t n;

	for (size_t i = 0; i < NELEMS(rtypes); i++) {
		if (!rtypes[i].bytes)
			continue;
		m = full(&rtypes[i], STOREWIRE_BYTES_MAX);
		n = encode_request(&m, 1);
		ok(n > 0 && decode_request(buf, n) == STOREWIRE_FRAME,
		    "%s: a body of STOREWIRE_BYTES_MAX taken",
		    rtypes[i].name);
		ok(poked(&rtypes[i], 12, 4, STOREWIRE_BYTES_MAX + 1) ==
		    STOREWIRE_BAD, "%s: a body of STOREWIRE_BYTES_MAX + 1 "
		    "refused from its header", rtypes[i].name);
		m.len = STOREWIRE_BYTES_MAX + 1;
		ok(encode_request(&m, 1) == 0, "%s: the encoder refuses "
		    "STOREWIRE_BYTES_MAX + 1 bytes", rtypes[i].name);
	}
	ok(poked(commit, 16, 8, STOREWIRE_TOTAL_MAX) == STOREWIRE_FRAME &&
	    poked(commit, 16, 8, STOREWIRE_TOTAL_MAX + 1) == STOREWIRE_BAD &&
	    poked(commit, 16, 8, UINT64_MAX) == STOREWIRE_BAD,
	    "total: STOREWIRE_TOTAL_MAX taken, one more refused");
	m = full(commit, 0);
	m.total = STOREWIRE_TOTAL_MAX + 1;
	ok(encode_request(&m, 1) == 0, "the encoder refuses that total");
	ok(poked(commit, 8, 4, STOREWIRE_ERR_MAX) == STOREWIRE_FRAME &&
	    poked(commit, 8, 4, STOREWIRE_ERR_MAX + 1) == STOREWIRE_BAD &&
	    poked(commit, 8, 4, 0x80000000u) == STOREWIRE_BAD,
	    "err: STOREWIRE_ERR_MAX taken, one more refused, no sign");
	m = full(commit, 0);
	m.err = STOREWIRE_ERR_MAX + 1;
	n = encode_request(&m, 1);
	m.err = -1;
	ok(n == 0 && encode_request(&m, 1) == 0,
	    "the encoder refuses err STOREWIRE_ERR_MAX + 1 and -1");
	ok(poked(commit, 1, 1, STORE_ERROR) == STOREWIRE_FRAME &&
	    poked(commit, 1, 1, STORE_ERROR + 1) == STOREWIRE_BAD &&
	    poked(commit, 1, 1, 0xff) == STOREWIRE_BAD,
	    "failed: STORE_ERROR taken, one more refused");
	m = full(commit, 0);
	m.failed = STORE_OK;
	ok(encode_request(&m, 1) == 0 &&
	    poked(commit, 1, 1, STORE_OK) == STOREWIRE_BAD,
	    "err without failed refused (encoder, decoder)");
	m = full(data, 1);
	m.failed = STORE_ERROR;
	ok(encode_request(&m, 1) == 0, "the encoder refuses failed on DATA");
	m = full(data, 4);
	m.bytes = chain(5);
	ok(storewire_request_header(&m, 1, buf) != 0,
	    "the encoder refuses a chain that is not len bytes");
	chain_free(m.bytes);
}

/*
 * Whether byte at of a request header of t must be zero when its failed
 * is set (err may then be nonzero) or not (err must be zero).
 */
static int
must_be_zero(const struct rtype *t, size_t at, int failed)
{

	if (at == 1)
		return !t->failed;
	if (at == 2 || at == 3)
		return 1;
	if (at >= 8 && at < 12)
		return !failed;
	if (at >= 12 && at < 16)
		return !t->bytes;
	if (at >= 16 && at < 24)
		return !t->total;
	if (at >= 24 && at < 40)
		return !t->id;
	if (at >= 40)
		return at - 40 >= t->key;
	return 0;
}

static void
test_request_zero_bytes(void)
{
	static const uint8_t flips[] = { 0x01, 0x80 };
	struct storeq_msg m;
	size_t n, at, bad, count;

	for (size_t i = 0; i < NELEMS(rtypes); i++)
		for (int failed = 0; failed <= rtypes[i].failed; failed++) {
			bad = count = 0;
			m = full(&rtypes[i], 0);
			if (!failed) {
				m.failed = STORE_OK;
				m.err = 0;
			}
			n = encode_request(&m, 3);
			for (at = 0; at < STOREWIRE_REQUEST_HEADER; at++) {
				if (!must_be_zero(&rtypes[i], at, failed))
					continue;
				for (size_t f = 0; f < NELEMS(flips); f++) {
					buf[at] ^= flips[f];
					bad += decode_request(buf, n) ==
					    STOREWIRE_BAD;
					buf[at] ^= flips[f];
					count++;
				}
			}
			ok(count > 0 && bad == count, "%s%s: each of the "
			    "header's %zu zero bits tried, set, is refused",
			    rtypes[i].name, failed ? " (failed)" : "", count);
		}
}

static void
test_request_types(void)
{
	struct storeq_msg m = full(&rtypes[5], 0);	/* COUNTS: all zero */
	size_t n = encode_request(&m, 0), known = 0, refused = 0;

	for (unsigned t = 0; t < 256; t++) {
		int valid = 0;
		for (size_t i = 0; i < NELEMS(rtypes); i++)
			valid |= (unsigned)rtypes[i].type == t;
		buf[0] = (uint8_t)t;
		if (valid)
			known += decode_request(buf, n) == STOREWIRE_FRAME;
		else
			refused += decode_request(buf, n) == STOREWIRE_BAD;
	}
	ok(known == NELEMS(rtypes) && refused == 256 - NELEMS(rtypes),
	    "type byte: the %zu types taken, the other %zu values refused",
	    known, refused);
}

static void
test_request_stream(void)
{
	struct storeq_msg a = full(&rtypes[0], 1000), b = full(&rtypes[1], 3);
	struct storewire_request r;
	uint8_t stream[2 * (STOREWIRE_REQUEST_HEADER + 1000)];
	size_t na, nb, used;
	int good;

	na = encode_request(&a, 10);
	memcpy(stream, buf, na);
	nb = encode_request(&b, 11);
	memcpy(stream + na, buf, nb);
	good = storewire_request_decode(stream, na + nb, &r, &used) ==
	    STOREWIRE_FRAME && used == na && same_request(&r, &a, 10);
	good = good && storewire_request_decode(stream + na, nb, &r,
	    &used) == STOREWIRE_FRAME && used == nb &&
	    same_request(&r, &b, 11);
	ok(good, "two frames back to back: DATA then COMMIT, each whole");
	ok(decode_request(stream + na, nb - 1) == STOREWIRE_MORE,
	    "the second cut short asks for more");
	stream[na + 2] = 1;
	ok(decode_request(stream, na + nb) == STOREWIRE_FRAME &&
	    decode_request(stream + na, nb) == STOREWIRE_BAD,
	    "a good frame, then a bad one: the bad one refused");
}

/* ---- answers ---- */

static enum storewire_status
decode_answer(const uint8_t *p, size_t len)
{
	struct storewire_answer a;
	size_t used;

	return storewire_answer_decode(p, len, &a, &used);
}

/*
 * A case of n entries of every status; the even ones (all of them if
 * mlen is OUTCOME_SEALED_MAX) with an outcome and a message of mlen bytes.
 */
static struct store_case
make_case(size_t n, size_t mlen)
{
	struct store_case c;
	struct store_entry *e;

	memset(&c, 0, sizeof(c));
	c.n = n;
	for (size_t i = 0; i < n; i++) {
		e = &c.e[i];
		memset(e->id, (int)(0x10 + i), sizeof(e->id));
		e->status = (enum store_status)(1 + i % 3);
		if (e->status != STORE_STATUS_PURGED)
			e->received_day = 20000 + (uint32_t)i;
		if (i % 2 == 1 && mlen < OUTCOME_SEALED_MAX)
			continue;
		e->outcome = (uint8_t)(1 + i % (OUTCOME_STATUS_COUNT - 1));
		e->outcome_day = 20100 + (uint32_t)i;
		e->message = sealed;
		e->message_len = mlen;
	}
	return c;
}

static int
same_case(const struct store_case *a, const struct store_case *b)
{

	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++) {
		const struct store_entry *x = &a->e[i], *y = &b->e[i];
		if (memcmp(x->id, y->id, sizeof(x->id)) != 0 ||
		    x->status != y->status ||
		    x->received_day != y->received_day ||
		    x->outcome != y->outcome ||
		    x->outcome_day != y->outcome_day ||
		    x->message_len != y->message_len ||
		    (x->message_len > 0 &&
		    memcmp(x->message, y->message, x->message_len) != 0))
			return 0;
	}
	return 1;
}

static void
case_clear(struct store_case *c)
{

	for (size_t i = 0; i < c->n; i++)
		free(c->e[i].message);
	c->n = 0;
}

/* Encode the answer to m, decode it and its case; whether all agree. */
static int
lookup_round_trip(struct storeq_msg *m, size_t want_len)
{
	struct storewire_answer a;
	struct store_case got;
	size_t n, used;
	int good;

	n = storewire_answer_encode(m, 77, ans);
	good = n == STOREWIRE_ANSWER_HEADER + want_len &&
	    storewire_answer_decode(ans, n, &a, &used) == STOREWIRE_FRAME &&
	    used == n && a.type == STOREQ_LOOKUP && a.seq == 77 &&
	    a.result == m->result && a.len == want_len &&
	    storewire_case_decode(&a, &got) == 0;
	if (!good)
		return 0;
	good = m->result != STORE_OK || m->found == NULL ?
	    got.n == 0 : same_case(&got, m->found);
	case_clear(&got);
	return good && truncations(ans, n, decode_answer);
}

static size_t
case_bytes(const struct store_case *c)
{
	size_t n = c->n ? 1 : 0;

	for (size_t i = 0; i < c->n; i++)
		n += STOREWIRE_ENTRY_FIXED + c->e[i].message_len;
	return n;
}

static void
test_lookup_round_trips(void)
{
	struct store_case c;
	struct storeq_msg m;

	memset(&m, 0, sizeof(m));
	m.type = STOREQ_LOOKUP;
	m.found = &c;
	for (size_t n = 0; n <= 1 + STORE_FOLLOW_UPS_MAX; n++) {
		c = make_case(n, 49);
		ok(lookup_round_trip(&m, case_bytes(&c)), "LOOKUP of %zu "
		    "entries round-trips; its prefixes ask for more", n);
	}
	c = make_case(1 + STORE_FOLLOW_UPS_MAX, OUTCOME_SEALED_MAX);
	ok(case_bytes(&c) == STOREWIRE_ANSWER_BODY_MAX &&
	    lookup_round_trip(&m, STOREWIRE_ANSWER_BODY_MAX),
	    "LOOKUP of 11 entries with OUTCOME_SEALED_MAX messages (the "
	    "largest answer, %d bytes) round-trips",
	    STOREWIRE_ANSWER_HEADER + STOREWIRE_ANSWER_BODY_MAX);
	m.found = NULL;
	ok(lookup_round_trip(&m, 0), "LOOKUP with no case: no body");
	m.found = &c;
	m.result = STORE_ERROR;
	ok(lookup_round_trip(&m, 0), "a failed LOOKUP sends no case");
}

static void
test_other_answers(void)
{
	static const uint8_t secret[STORE_SECRET_BYTES] = { 1, 2, 3, [31] = 9 };
	struct storewire_answer a;
	struct store_counts c;
	struct storeq_msg m;
	size_t n, used;
	int good;

	memset(&m, 0, sizeof(m));
	for (size_t i = 0; i < NELEMS(rtypes); i++) {
		if (rtypes[i].type == STOREQ_LOOKUP)
			continue;
		good = 1;
		for (int res = STORE_OK; res <= STORE_ERROR; res++) {
			m.type = rtypes[i].type;
			m.result = (enum store_result)res;
			m.counts = (struct store_counts){ 123456789012ull,
			    100, 1 };
			n = storewire_answer_encode(&m, 5, ans);
			good = good && n > 0 && storewire_answer_decode(ans,
			    n, &a, &used) == STOREWIRE_FRAME && used == n &&
			    a.type == (int)m.type && a.result == m.result &&
			    a.seq == 5 && truncations(ans, n, decode_answer);
			if (m.type == STOREQ_COUNTS && res == STORE_OK) {
				storewire_counts_decode(&a, &c);
				good = good && a.len == 10 &&
				    c.unexported == m.counts.unexported &&
				    c.used_percent == m.counts.used_percent &&
				    c.export_overdue ==
				    m.counts.export_overdue;
			} else
				good = good && a.len == 0;
		}
		ok(good, "%s answers of each result round-trip",
		    rtypes[i].name);
	}
	n = storewire_hello_encode(secret, ans);
	ok(n == STOREWIRE_ANSWER_HEADER + STORE_SECRET_BYTES &&
	    storewire_answer_decode(ans, n, &a, &used) == STOREWIRE_FRAME &&
	    used == n && a.type == STOREWIRE_HELLO && a.seq == 0 &&
	    a.result == STORE_OK && a.len == STORE_SECRET_BYTES &&
	    memcmp(a.body, secret, sizeof(secret)) == 0 &&
	    truncations(ans, n, decode_answer), "HELLO round-trips");
}

/* A LOOKUP answer frame in ans around body[0..len); return its length. */
static size_t
lookup_frame(size_t len)
{

	ans[0] = STOREQ_LOOKUP;
	memset(ans + 1, 0, 7);
	encode_be32(ans + 8, (uint32_t)len);
	encode_be32(ans + 12, 0);
	memcpy(ans + STOREWIRE_ANSWER_HEADER, body, len);
	return STOREWIRE_ANSWER_HEADER + len;
}

/* Write an entry at p; return its length. */
static size_t
put_entry(uint8_t *p, unsigned status, uint32_t rday, unsigned outcome,
    uint32_t oday, size_t mlen)
{

	memset(p, 0x33, ENVELOPE_ID_BYTES);
	p[16] = (uint8_t)status;
	encode_be32(p + 17, rday);
	p[21] = (uint8_t)outcome;
	encode_be32(p + 22, oday);
	encode_be16(p + 26, (uint16_t)mlen);
	memset(p + 28, 0x44, mlen);
	return STOREWIRE_ENTRY_FIXED + mlen;
}

/* Decode a LOOKUP of one entry so made. */
static enum storewire_status
one_entry(unsigned status, uint32_t rday, unsigned outcome, uint32_t oday,
    size_t mlen)
{

	body[0] = 1;
	return decode_answer(ans, lookup_frame(1 + put_entry(body + 1, status,
	    rday, outcome, oday, mlen)));
}

static void
test_lookup_bounds(void)
{
	size_t len, n;

	ok(one_entry(1, 5, 0, 0, 0) == STOREWIRE_FRAME &&
	    one_entry(2, 5, 0, 0, 0) == STOREWIRE_FRAME &&
	    one_entry(3, 0, 0, 0, 0) == STOREWIRE_FRAME &&
	    one_entry(0, 5, 0, 0, 0) == STOREWIRE_BAD &&
	    one_entry(4, 5, 0, 0, 0) == STOREWIRE_BAD,
	    "entry status: 1, 2, 3 taken, 0 and 4 refused");
	ok(one_entry(3, 1, 0, 0, 0) == STOREWIRE_BAD,
	    "a purged entry with a received day refused");
	ok(one_entry(1, 5, OUTCOME_STATUS_COUNT - 1, 9, 0) ==
	    STOREWIRE_FRAME && one_entry(1, 5, OUTCOME_STATUS_COUNT, 9, 0) ==
	    STOREWIRE_BAD, "outcome: the last status taken, one more refused");
	ok(one_entry(1, 5, 0, 9, 0) == STOREWIRE_BAD &&
	    one_entry(1, 5, 0, 0, 49) == STOREWIRE_BAD,
	    "no outcome, yet a day or a message: refused");
	ok(one_entry(1, 5, 2, 9, OUTCOME_SEALED_MAX) == STOREWIRE_FRAME &&
	    one_entry(1, 5, 2, 9, OUTCOME_SEALED_MAX + 1) == STOREWIRE_BAD,
	    "message: OUTCOME_SEALED_MAX taken, one more refused");
	body[0] = 1;
	len = 1 + put_entry(body + 1, 1, 5, 2, 9, 100);
	ok(decode_answer(ans, lookup_frame(len - 1)) == STOREWIRE_BAD &&
	    decode_answer(ans, lookup_frame(len + 1)) == STOREWIRE_BAD,
	    "a body one byte short of its entries, or one past, refused");
	for (n = 0; n <= 2 + STORE_FOLLOW_UPS_MAX; n++) {
		body[0] = (uint8_t)n;
		len = 1;
		for (size_t i = 0; i < n; i++)
			len += put_entry(body + len, 1, 5, 0, 0, 0);
		ok(decode_answer(ans, lookup_frame(len)) ==
		    (n >= 1 && n <= 1 + STORE_FOLLOW_UPS_MAX ?
		    STOREWIRE_FRAME : STOREWIRE_BAD),
		    "LOOKUP of %zu entries %s", n,
		    n >= 1 && n <= 1 + STORE_FOLLOW_UPS_MAX ? "taken" :
		    "refused");
	}
	n = lookup_frame(0);
	encode_be32(ans + 8, STOREWIRE_ANSWER_BODY_MAX + 1);
	ok(decode_answer(ans, n) == STOREWIRE_BAD,
	    "a LOOKUP body of STOREWIRE_ANSWER_BODY_MAX + 1 refused from "
	    "its header");
	body[0] = 1;
	n = lookup_frame(1 + put_entry(body + 1, 1, 5, 0, 0, 0));
	ans[1] = STORE_ERROR;
	ok(decode_answer(ans, n) == STOREWIRE_BAD,
	    "a failed LOOKUP with a case refused");
}

static void
test_lookup_encoder_refusals(void)
{
	struct store_case c = make_case(2, 49);
	struct storeq_msg m;

	memset(&m, 0, sizeof(m));
	m.type = STOREQ_LOOKUP;
	m.found = &c;
	c.n = 2 + STORE_FOLLOW_UPS_MAX;
	ok(storewire_answer_encode(&m, 1, ans) == 0,
	    "the encoder refuses 12 entries");
	c = make_case(2, OUTCOME_SEALED_MAX);
	c.e[1].message_len = OUTCOME_SEALED_MAX + 1;
	ok(storewire_answer_encode(&m, 1, ans) == 0,
	    "the encoder refuses a message of OUTCOME_SEALED_MAX + 1");
	c = make_case(2, 49);
	c.e[0].message = NULL;
	ok(storewire_answer_encode(&m, 1, ans) == 0,
	    "the encoder refuses a message_len without a message");
	c = make_case(2, 49);
	c.e[0].status = STORE_STATUS_UNKNOWN;
	ok(storewire_answer_encode(&m, 1, ans) == 0,
	    "the encoder refuses an entry of status UNKNOWN");
	c = make_case(2, 49);
	m.result = (enum store_result)(STORE_ERROR + 1);
	ok(storewire_answer_encode(&m, 1, ans) == 0,
	    "the encoder refuses a result past STORE_ERROR");
}

/* Decode a COUNTS answer of result res and body[0..len). */
static enum storewire_status
counts(int res, size_t len)
{
	size_t n = lookup_frame(len);

	ans[0] = STOREQ_COUNTS;
	ans[1] = (uint8_t)res;
	return decode_answer(ans, n);
}

static void
test_counts_bounds(void)
{
	struct storeq_msg m;

	encode_be64(body, 3);
	body[8] = 100;
	body[9] = 1;
	ok(counts(STORE_OK, 10) == STOREWIRE_FRAME &&
	    counts(STORE_OK, 9) == STOREWIRE_BAD &&
	    counts(STORE_OK, 11) == STOREWIRE_BAD &&
	    counts(STORE_OK, 0) == STOREWIRE_BAD &&
	    counts(STORE_ERROR, 10) == STOREWIRE_BAD &&
	    counts(STORE_ERROR, 0) == STOREWIRE_FRAME,
	    "COUNTS: exactly 10 bytes when STORE_OK, none when failed");
	body[8] = 101;
	ok(counts(STORE_OK, 10) == STOREWIRE_BAD,
	    "used_percent 100 taken, 101 refused");
	body[8] = 0;
	body[9] = 2;
	ok(counts(STORE_OK, 10) == STOREWIRE_BAD, "overdue 2 refused");
	encode_be64(body, 0);
	body[9] = 1;
	ok(counts(STORE_OK, 10) == STOREWIRE_BAD,
	    "overdue with nothing unexported refused");
	body[9] = 0;
	ok(counts(STORE_OK, 10) == STOREWIRE_FRAME,
	    "nothing unexported, not overdue, taken");
	memset(&m, 0, sizeof(m));
	m.type = STOREQ_COUNTS;
	m.counts = (struct store_counts){ 1, 101, 0 };
	ok(storewire_answer_encode(&m, 1, ans) == 0,
	    "the encoder refuses used_percent 101");
	m.counts = (struct store_counts){ 1, 5, 2 };
	ok(storewire_answer_encode(&m, 1, ans) == 0,
	    "the encoder refuses overdue 2");
}

static void
test_answer_headers(void)
{
	static const uint8_t secret[STORE_SECRET_BYTES];
	size_t n = storewire_hello_encode(secret, ans), bad = 0, count = 0;
	size_t known = 0, refused = 0;
	struct storeq_msg m;

	for (size_t len = STORE_SECRET_BYTES - 1; len <= STORE_SECRET_BYTES + 1;
	    len += 2) {
		encode_be32(ans + 8, (uint32_t)len);
		count++;
		bad += decode_answer(ans, STOREWIRE_ANSWER_HEADER + len) ==
		    STOREWIRE_BAD;
	}
	encode_be32(ans + 8, STORE_SECRET_BYTES);
	for (size_t at = 1; at < STOREWIRE_ANSWER_HEADER; at++) {
		if (at >= 8 && at < 12)
			continue;		/* len: just tried */
		ans[at] ^= 0x01;
		count++;
		bad += decode_answer(ans, n) == STOREWIRE_BAD;
		ans[at] ^= 0x01;
	}
	ok(count > 0 && bad == count, "HELLO: a secret of 31 or 33 bytes, a "
	    "result, a seq or a stray header byte refused");
	memset(&m, 0, sizeof(m));
	m.type = STOREQ_DATA;
	n = storewire_answer_encode(&m, 0xffffffffu, ans);
	bad = count = 0;
	for (size_t at = 2; at < STOREWIRE_ANSWER_HEADER; at++) {
		if (at >= 4 && at < 8)
			continue;		/* seq: any */
		for (int f = 0; f < 2; f++) {
			ans[at] ^= f ? 0x80 : 0x01;
			count++;
			bad += decode_answer(ans, n + 1) == STOREWIRE_BAD;
			ans[at] ^= f ? 0x80 : 0x01;
		}
	}
	ans[1] = STORE_ERROR + 1;
	count++;
	bad += decode_answer(ans, n) == STOREWIRE_BAD;
	ok(bad == count, "DATA answer: each zero byte set (a body among them),"
	    " and a result past STORE_ERROR, refused");
	ans[1] = STORE_OK;
	for (unsigned t = 0; t < 256; t++) {
		int valid = t == STOREWIRE_HELLO;
		for (size_t i = 0; i < NELEMS(rtypes); i++)
			valid |= (unsigned)rtypes[i].type == t;
		ans[0] = (uint8_t)t;
		if (t == STOREWIRE_HELLO || t == STOREQ_COUNTS)
			continue;	/* they need a body */
		if (valid)
			known += decode_answer(ans, n) == STOREWIRE_FRAME;
		else
			refused += decode_answer(ans, n) == STOREWIRE_BAD;
	}
	ok(known == NELEMS(rtypes) - 1 && refused == 256 - 1 -
	    NELEMS(rtypes), "answer type byte: the types taken with no body, "
	    "the others refused");
}

static void
test_answer_stream(void)
{
	struct store_case c = make_case(3, 200), got;
	struct storewire_answer a;
	struct storeq_msg m;
	size_t n1, n2, used;
	int good;

	memset(&m, 0, sizeof(m));
	m.type = STOREQ_LOOKUP;
	m.found = &c;
	n1 = storewire_answer_encode(&m, 1, ans);
	m.type = STOREQ_COUNTS;
	m.counts = (struct store_counts){ 7, 40, 0 };
	n2 = storewire_answer_encode(&m, 2, ans + n1);
	good = storewire_answer_decode(ans, n1 + n2, &a, &used) ==
	    STOREWIRE_FRAME && used == n1 && a.seq == 1 &&
	    storewire_case_decode(&a, &got) == 0 && same_case(&got, &c);
	case_clear(&got);
	good = good && storewire_answer_decode(ans + n1, n2, &a, &used) ==
	    STOREWIRE_FRAME && used == n2 && a.seq == 2 &&
	    a.type == STOREQ_COUNTS;
	ok(good, "two answers back to back: LOOKUP then COUNTS");
}

int
main(void)
{

	if ((buf = calloc(1, REQ_MAX)) == NULL ||
	    (ans = calloc(1, ANS_MAX)) == NULL ||
	    (body = malloc(STOREWIRE_BYTES_MAX + 1)) == NULL)
		return 1;
	for (size_t i = 0; i <= STOREWIRE_BYTES_MAX; i++)
		body[i] = (uint8_t)(i * 131 + 7);
	for (size_t i = 0; i < sizeof(sealed); i++)
		sealed[i] = (uint8_t)(i * 17 + 3);
	test_request_round_trips();
	test_request_bounds();
	test_request_zero_bytes();
	test_request_types();
	test_request_stream();
	test_lookup_round_trips();
	test_other_answers();
	test_lookup_bounds();
	test_lookup_encoder_refusals();
	test_counts_bounds();
	test_answer_headers();
	test_answer_stream();
	free(buf);
	free(ans);
	free(body);
	return tap_done();
}
