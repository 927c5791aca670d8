/*
 * seal: see seal.h. Plaintext frames are copied into a 64 KiB chunk buffer;
 * a full buffer is encrypted and sent only when more plaintext arrives, so
 * at seal_finish the buffer always holds the 1..64 KiB of the FINAL chunk.
 * The buffer (locked memory) is wiped once, at seal_free, as far as it was
 * ever filled: a small report's few bytes, a large one's 64 KiB, not every
 * chunk of it.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "encode.h"
#include "payload.h"
#include "seal.h"
#include "secmem.h"
#include "slot.h"

enum seal_item {
	SEAL_IDLE, SEAL_IN_ATTACHMENT, SEAL_PADDING, SEAL_FINISHED, SEAL_FAILED
};

struct seal {
	bytes_sink *sink;
	void *ctx;
	crypto_secretstream_xchacha20poly1305_state st;
	uint8_t header[ENVELOPE_HEADER_MAX];	/* additional data of chunk 1 */
	size_t header_len;
	int first_chunk;
	enum seal_item item;
	uint64_t item_len;
	uint64_t plaintext;	/* payload bytes so far, before padding */
	uint64_t pad_left;	/* padding still to write (seal_finish) */
	uint64_t sent;		/* envelope bytes given to the sink */
	uint8_t *chunk;		/* ENVELOPE_CHUNK plaintext bytes */
	size_t chunk_len;
	size_t chunk_dirty;	/* how far chunk was ever filled */
	uint8_t *out;		/* ENVELOPE_CHUNK + overhead ciphertext */
};

static int
emit(struct seal *s, const uint8_t *buf, size_t len)
{
	if (s->sink(s->ctx, buf, len) != 0) {
		s->item = SEAL_FAILED;
		return -1;
	}
	s->sent += len;
	return 0;
}

/* Encrypt the chunk buffer and send it. */
static int
push_chunk(struct seal *s, uint8_t tag)
{
	unsigned long long clen;
	const uint8_t *ad = s->first_chunk ? s->header : NULL;
	size_t adlen = s->first_chunk ? s->header_len : 0;

	crypto_secretstream_xchacha20poly1305_push(&s->st, s->out, &clen,
	    s->chunk, s->chunk_len, ad, adlen, tag);
	s->first_chunk = 0;
	s->chunk_len = 0;
	return emit(s, s->out, (size_t)clen);
}

/* Append plaintext, sending each full chunk once more bytes follow it. */
static int
put(struct seal *s, const uint8_t *buf, size_t len)
{
	while (len > 0) {
		size_t n;

		if (s->chunk_len == ENVELOPE_CHUNK &&
		    push_chunk(s, crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) != 0)
			return -1;
		n = ENVELOPE_CHUNK - s->chunk_len;
		if (n > len)
			n = len;
		memcpy(s->chunk + s->chunk_len, buf, n);
		s->chunk_len += n;
		if (s->chunk_len > s->chunk_dirty)
			s->chunk_dirty = s->chunk_len;
		s->plaintext += n;
		buf += n;
		len -= n;
	}
	return 0;
}

static int
put_frame(struct seal *s, uint8_t type, const uint8_t *body, uint32_t len)
{
	uint8_t h[PAYLOAD_FRAME_HEADER];

	payload_frame_header(h, type, len);
	if (put(s, h, sizeof(h)) != 0)
		return -1;
	return len ? put(s, body, len) : 0;
}

_Static_assert(SLOT_REPORT_KEY_BYTES ==
    crypto_secretstream_xchacha20poly1305_KEYBYTES, "a slot wraps a stream key");

/* One ephemeral key pair for the report, then a slot per analyst key. */
static int
wrap_slots(uint8_t *header, const uint8_t key[SLOT_REPORT_KEY_BYTES],
    const struct keys_public *keys, size_t nkeys)
{
	uint8_t esk[32];
	uint8_t *epk = header + ENVELOPE_FIXED_BYTES - ENVELOPE_EPK_BYTES;
	uint8_t *p = header + ENVELOPE_FIXED_BYTES;
	int rc = 0;

	crypto_box_keypair(epk, esk);
	for (size_t i = 0; i < nkeys && rc == 0; i++) {
		memcpy(p, keys[i].id, KEYS_ID_BYTES);
		rc = slot_wrap(p + KEYS_ID_BYTES, key, esk, epk, keys[i].pk,
		    header, ENVELOPE_FIXED_BYTES);
		p += ENVELOPE_SLOT_BYTES;
	}
	sodium_memzero(esk, sizeof(esk));
	return rc;
}

int
seal_slots_make(struct seal_slots *slots, const struct keys_public *keys,
    size_t nkeys, const uint8_t id[ENVELOPE_ID_BYTES])
{
	uint8_t *p = slots->header;

	if (nkeys < 1 || nkeys > ENVELOPE_SLOTS_MAX)
		return -1;
	crypto_secretstream_xchacha20poly1305_keygen(slots->key);
	memcpy(p, ENVELOPE_MAGIC, 4);
	memcpy(p + 4, id, ENVELOPE_ID_BYTES);
	p[4 + ENVELOPE_ID_BYTES] = (uint8_t)nkeys;
	if (wrap_slots(slots->header, slots->key, keys, nkeys) != 0) {
		sodium_memzero(slots, sizeof(*slots));
		return -1;
	}
	slots->header_len = ENVELOPE_HEADER_BYTES(nkeys) - ENVELOPE_STREAM_HEADER;
	return 0;
}

const uint8_t *
seal_slots_id(const struct seal_slots *slots)
{
	return slots->header + 4;
}

/* The envelope header: the slots, then the stream's own header. */
static int
write_header(struct seal *s, const struct seal_slots *slots)
{
	memcpy(s->header, slots->header, slots->header_len);
	crypto_secretstream_xchacha20poly1305_init_push(&s->st,
	    s->header + slots->header_len, slots->key);
	s->header_len = slots->header_len + ENVELOPE_STREAM_HEADER;
	return emit(s, s->header, s->header_len);
}

struct seal *
seal_start(const struct seal_slots *slots, bytes_sink *sink, void *ctx)
{
	struct seal *s;

	/* Locked: the stream's key is in it. */
	if ((s = secmem_get(sizeof(*s))) == NULL)
		return NULL;
	s->sink = sink;
	s->ctx = ctx;
	s->first_chunk = 1;
	s->chunk = secmem_get(ENVELOPE_CHUNK);
	s->out = malloc(ENVELOPE_CHUNK + ENVELOPE_CHUNK_OVERHEAD);
	if (s->chunk == NULL || s->out == NULL || write_header(s, slots) != 0) {
		seal_free(s);
		return NULL;
	}
	return s;
}

struct seal *
seal_new(const struct keys_public *keys, size_t nkeys,
    const uint8_t id[ENVELOPE_ID_BYTES], bytes_sink *sink, void *ctx)
{
	struct seal_slots slots = { 0 };
	struct seal *s = NULL;

	if (seal_slots_make(&slots, keys, nkeys, id) == 0)
		s = seal_start(&slots, sink, ctx);
	sodium_memzero(&slots, sizeof(slots));
	return s;
}

static int
item_begin(struct seal *s, uint8_t type, const uint8_t *name, size_t len)
{
	if (s->item != SEAL_IDLE)
		return -1;
	s->item_len = 0;
	return put_frame(s, type, name, (uint32_t)len);
}

static int
item_data(struct seal *s, const uint8_t *buf, size_t len)
{
	while (len > 0) {
		size_t n = len > PAYLOAD_DATA_MAX ? PAYLOAD_DATA_MAX : len;

		if (put_frame(s, PAYLOAD_DATA, buf, (uint32_t)n) != 0)
			return -1;
		s->item_len += n;
		buf += n;
		len -= n;
	}
	return 0;
}

static int
item_end(struct seal *s)
{
	uint8_t size[8];

	encode_be64(size, s->item_len);
	return put_frame(s, PAYLOAD_ITEM_END, size, sizeof(size));
}

int
seal_field(struct seal *s, const char *name, const uint8_t *value, size_t len)
{
	if (!payload_field_name_ok(name, strlen(name)) ||
	    len > PAYLOAD_FIELD_VALUE_MAX)
		return -1;
	if (item_begin(s, PAYLOAD_FIELD_BEGIN, (const uint8_t *)name,
	    strlen(name)) != 0 || item_data(s, value, len) != 0)
		return -1;
	return item_end(s);
}

int
seal_attachment_begin(struct seal *s, const uint8_t *name, size_t len)
{
	if (len > PAYLOAD_FILE_NAME_MAX ||
	    item_begin(s, PAYLOAD_ATTACHMENT_BEGIN, name, len) != 0)
		return -1;
	s->item = SEAL_IN_ATTACHMENT;
	return 0;
}

int
seal_attachment_data(struct seal *s, const uint8_t *buf, size_t len)
{
	if (s->item != SEAL_IN_ATTACHMENT)
		return -1;
	return item_data(s, buf, len);
}

int
seal_attachment_end(struct seal *s)
{
	if (s->item != SEAL_IN_ATTACHMENT)
		return -1;
	s->item = SEAL_IDLE;
	return item_end(s);
}

int
seal_finish(struct seal *s)
{
	static const uint8_t zeros[4096];
	size_t step = 0;

	if (s->item == SEAL_IDLE) {
		if (put_frame(s, PAYLOAD_DONE, NULL, 0) != 0)
			return -1;
		s->pad_left = envelope_padded_size(s->plaintext) - s->plaintext;
		s->item = SEAL_PADDING;
	}
	if (s->item != SEAL_PADDING)
		return -1;
	while (s->pad_left > 0 && step < SEAL_FINISH_STEP) {
		size_t n = s->pad_left > sizeof(zeros) ? sizeof(zeros) :
		    (size_t)s->pad_left;
		if (put(s, zeros, n) != 0)
			return -1;
		s->pad_left -= n;
		step += n;
	}
	if (s->pad_left > 0)
		return 1;
	s->item = SEAL_FINISHED;
	return push_chunk(s, crypto_secretstream_xchacha20poly1305_TAG_FINAL);
}

uint64_t
seal_bytes(const struct seal *s)
{
	return s->sent;
}

void
seal_free(struct seal *s)
{
	if (s == NULL)
		return;
	if (s->chunk != NULL) {
		sodium_memzero(s->chunk, s->chunk_dirty);
		secmem_put_wiped(s->chunk, ENVELOPE_CHUNK);
	}
	free(s->out);
	secmem_put(s, sizeof(*s));
}
