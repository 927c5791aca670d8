/*
 * unseal: see unseal.h. A ciphertext chunk is decrypted as soon as a full
 * one (64 KiB + 17) has arrived; a shorter remainder can only be the FINAL
 * chunk, decrypted at unseal_finish.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "secmem.h"
#include "slot.h"
#include "unseal.h"

#define COUNT_AT (4 + ENVELOPE_ID_BYTES)	/* the slot count's byte */
#define FIXED_HEADER (COUNT_AT + 1)	/* what tells the header's length */
#define CIPHER_CHUNK (ENVELOPE_CHUNK + ENVELOPE_CHUNK_OVERHEAD)

enum unseal_state { HEADER, CHUNKS, ENDED, FAILED };

struct unseal {
	const struct keys_secret *key;
	struct payload_reader *payload;
	enum unseal_state state;
	enum unseal_error error;
	const char *message;
	crypto_secretstream_xchacha20poly1305_state st;
	uint8_t header[ENVELOPE_HEADER_MAX];
	size_t header_len;
	size_t header_need;	/* FIXED_HEADER, then the whole header */
	int first_chunk;
	uint8_t *in;		/* CIPHER_CHUNK */
	size_t in_len;
	uint8_t *out;		/* ENVELOPE_CHUNK, plaintext */
};

static int
fail(struct unseal *u, enum unseal_error e, const char *message)
{
	u->state = FAILED;
	u->error = e;
	u->message = message;
	return -1;
}

struct unseal *
unseal_new(const struct keys_secret *key, const struct payload_callbacks *cb,
    void *ctx)
{
	struct unseal *u = calloc(1, sizeof(*u));

	if (u == NULL)
		return NULL;
	u->key = key;
	u->header_need = FIXED_HEADER;
	u->first_chunk = 1;
	u->payload = payload_reader_new(cb, ctx);
	u->in = malloc(CIPHER_CHUNK);
	u->out = secmem_get(ENVELOPE_CHUNK);
	if (u->payload == NULL || u->in == NULL || u->out == NULL) {
		unseal_free(u);
		return NULL;
	}
	return u;
}

void
unseal_free(struct unseal *u)
{
	if (u == NULL)
		return;
	payload_reader_free(u->payload);
	free(u->in);
	secmem_put(u->out, ENVELOPE_CHUNK);
	sodium_memzero(u, sizeof(*u));
	free(u);
}

/* Find this key's slot and open the report key from it. */
static int
open_slot(struct unseal *u, uint8_t key[SLOT_REPORT_KEY_BYTES])
{
	size_t n = u->header[COUNT_AT];
	const uint8_t *epk = u->header + COUNT_AT + 1;
	const uint8_t *slot = u->header + ENVELOPE_FIXED_BYTES;

	for (size_t i = 0; i < n; i++, slot += ENVELOPE_SLOT_BYTES) {
		if (sodium_memcmp(slot, u->key->pub.id, KEYS_ID_BYTES) != 0)
			continue;
		if (slot_unwrap(key, slot + KEYS_ID_BYTES, u->key, epk,
		    u->header, ENVELOPE_FIXED_BYTES) != 0)
			return fail(u, UNSEAL_AUTH,
			    "the key slot for this key fails authentication");
		return 0;
	}
	return fail(u, UNSEAL_NO_SLOT, "not sealed to this key");
}

static int
header_complete(struct unseal *u)
{
	uint8_t key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
	size_t n = u->header[COUNT_AT];
	int rc;

	if (u->header_need == FIXED_HEADER) {
		if (memcmp(u->header, ENVELOPE_MAGIC, 4) != 0 || n < 1 ||
		    n > ENVELOPE_SLOTS_MAX)
			return fail(u, UNSEAL_NOT_ENVELOPE, "not a report envelope");
		u->header_need = ENVELOPE_HEADER_BYTES(n);
		return 0;
	}
	if (open_slot(u, key) != 0)
		return -1;
	rc = crypto_secretstream_xchacha20poly1305_init_pull(&u->st,
	    u->header + u->header_need - ENVELOPE_STREAM_HEADER, key);
	sodium_memzero(key, sizeof(key));
	if (rc != 0)
		return fail(u, UNSEAL_AUTH, "stream header is invalid");
	u->state = CHUNKS;
	return 0;
}

static size_t
feed_header(struct unseal *u, const uint8_t *buf, size_t len)
{
	size_t n = u->header_need - u->header_len;

	if (n > len)
		n = len;
	memcpy(u->header + u->header_len, buf, n);
	u->header_len += n;
	if (u->header_len == u->header_need)
		header_complete(u);
	return n;
}

/* Decrypt the buffered chunk and pass its plaintext on. */
static int
pull_chunk(struct unseal *u)
{
	unsigned long long mlen;
	uint8_t tag;
	const uint8_t *ad = u->first_chunk ? u->header : NULL;
	size_t adlen = u->first_chunk ? u->header_len : 0;

	if (crypto_secretstream_xchacha20poly1305_pull(&u->st, u->out, &mlen,
	    &tag, u->in, u->in_len, ad, adlen) != 0)
		return fail(u, UNSEAL_AUTH, "report fails authentication");
	u->first_chunk = 0;
	u->in_len = 0;
	if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL)
		u->state = ENDED;
	else if (tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE)
		return fail(u, UNSEAL_AUTH, "unexpected chunk tag");
	if (payload_reader_feed(u->payload, u->out, (size_t)mlen) != 0)
		return fail(u, UNSEAL_PAYLOAD,
		    payload_reader_error(u->payload));
	return 0;
}

static size_t
feed_chunk(struct unseal *u, const uint8_t *buf, size_t len)
{
	size_t n = CIPHER_CHUNK - u->in_len;

	if (n > len)
		n = len;
	memcpy(u->in + u->in_len, buf, n);
	u->in_len += n;
	if (u->in_len == CIPHER_CHUNK)
		pull_chunk(u);
	return n;
}

int
unseal_feed(struct unseal *u, const uint8_t *buf, size_t len)
{
	while (len > 0) {
		size_t n;

		switch (u->state) {
		case HEADER:
			n = feed_header(u, buf, len);
			break;
		case CHUNKS:
			n = feed_chunk(u, buf, len);
			break;
		case ENDED:
			return fail(u, UNSEAL_TRAILING,
			    "bytes after the end of the report");
		default:
			return -1;
		}
		buf += n;
		len -= n;
	}
	return u->state == FAILED ? -1 : 0;
}

int
unseal_finish(struct unseal *u)
{
	if (u->state == CHUNKS && u->in_len > 0)
		pull_chunk(u);
	if (u->state == FAILED)
		return -1;
	if (u->state != ENDED)
		return fail(u, UNSEAL_TRUNCATED, "report is truncated");
	if (payload_reader_finish(u->payload) != 0)
		return fail(u, UNSEAL_PAYLOAD, payload_reader_error(u->payload));
	return 0;
}

int
unseal_id(const struct unseal *u, uint8_t id[ENVELOPE_ID_BYTES])
{
	if (u->header_len < FIXED_HEADER)
		return -1;
	memcpy(id, u->header + 4, ENVELOPE_ID_BYTES);
	return 0;
}

enum unseal_error
unseal_error(const struct unseal *u)
{
	return u->error;
}

const char *
unseal_message(const struct unseal *u)
{
	return u->message ? u->message : "no error";
}
