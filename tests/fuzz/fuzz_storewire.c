/*
 * fuzz_storewire: the store protocol's decoders (daemon/storewire.h) as
 * each process runs them on what the other sends: the input is a stream,
 * decoded frame after frame until one needs more bytes or is bad, once as
 * requests (what the store process reads from the network process) and
 * once as answers (what the network process reads; a LOOKUP's case and
 * the COUNTS read out of their bodies).
 *
 * Every frame taken is encoded again from what was decoded and must give
 * the same bytes: the decoder takes nothing the encoder would not write,
 * and drops nothing the encoder writes. abort() on any difference.
 */
#include <stdlib.h>
#include <string.h>

#include "storewire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Encode r again, its body in a chain; abort unless it is frame. */
static void
check_request(const struct storewire_request *r, const uint8_t *frame)
{
	struct storeq_msg m;
	struct storeq_bytes *b = NULL;
	uint8_t header[STOREWIRE_REQUEST_HEADER];

	memset(&m, 0, sizeof(m));
	m.type = r->type;
	m.failed = r->failed;
	m.err = r->err;
	m.total = r->total;
	m.len = r->len;
	memcpy(m.id, r->id, sizeof(m.id));
	memcpy(m.key, r->key, sizeof(m.key));
	if (r->len > 0) {
		if ((b = malloc(sizeof(*b) + r->len)) == NULL)
			abort();
		b->next = NULL;
		b->len = r->len;
		memcpy(b->data, r->body, r->len);
		m.bytes = b;
	}
	if (storewire_request_header(&m, r->seq, header) != 0 ||
	    memcmp(header, frame, sizeof(header)) != 0 ||
	    r->body != frame + sizeof(header))
		abort();
	free(b);
}

/*
 * The answer a, encoded again into out from what its body decodes to:
 * its length, or 1 if memory is short (no frame is that short).
 */
static size_t
encode_again(const struct storewire_answer *a, uint8_t *out)
{
	struct store_case c;
	struct storeq_msg m;
	size_t n;

	if (a->type == STOREWIRE_HELLO)
		return storewire_hello_encode(a->body, out);
	memset(&m, 0, sizeof(m));
	m.type = (enum storeq_type)a->type;
	m.result = a->result;
	if (a->type == STOREQ_COUNTS && a->len > 0)
		storewire_counts_decode(a, &m.counts);
	if (a->type != STOREQ_LOOKUP)
		return storewire_answer_encode(&m, a->seq, out);
	if (storewire_case_decode(a, &c) != 0)
		return 1;
	m.found = &c;
	n = storewire_answer_encode(&m, a->seq, out);
	for (size_t i = 0; i < c.n; i++)
		free(c.e[i].message);
	return n;
}

/* Abort unless answer a encodes again to frame[0..len). */
static void
check_answer(const struct storewire_answer *a, const uint8_t *frame,
    size_t len)
{
	static uint8_t out[STOREWIRE_ANSWER_HEADER + STOREWIRE_ANSWER_BODY_MAX];
	size_t n = encode_again(a, out);

	if (n != 1 && (n != len || memcmp(out, frame, len) != 0))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct storewire_request r;
	struct storewire_answer a;
	size_t pos, used;

	for (pos = 0; storewire_request_decode(data + pos, size - pos, &r,
	    &used) == STOREWIRE_FRAME; pos += used) {
		if (used < STOREWIRE_REQUEST_HEADER || used > size - pos)
			abort();
		check_request(&r, data + pos);
	}
	for (pos = 0; storewire_answer_decode(data + pos, size - pos, &a,
	    &used) == STOREWIRE_FRAME; pos += used) {
		if (used < STOREWIRE_ANSWER_HEADER || used > size - pos)
			abort();
		check_answer(&a, data + pos, used);
	}
	return 0;
}
