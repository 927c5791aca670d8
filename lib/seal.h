/*
 * seal: the streaming encryptor. It turns a report, given as fields and
 * attachment bytes in pieces of any size, into an envelope (envelope.h)
 * sealed to every analyst key, passing the ciphertext to a sink as it is
 * made. Memory is two 64 KiB buffers whatever the report's size; plaintext
 * lives only in those (sodium_malloc, wiped).
 */
#ifndef SEAL_H
#define SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "envelope.h"
#include "keys.h"
#include "sink.h"

struct seal;

/*
 * A report key and the start of its envelope header: the report id and
 * the key wrapped for every analyst (slot.h: X25519, the costly part of
 * sealing a small report). Independent of the report's content, so a
 * server can make them ahead of time on another thread. It holds the
 * report key: keep it in locked memory and wipe it (sodium_memzero).
 */
struct seal_slots {
	uint8_t key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
	uint8_t header[ENVELOPE_HEADER_MAX - ENVELOPE_STREAM_HEADER];
	size_t header_len;
};

/*
 * seal_slots_make(slots, keys, nkeys, id):
 * A fresh report key for report id, sealed to nkeys (1..ENVELOPE_SLOTS_MAX)
 * analyst keys. Return 0, or -1 if nkeys is out of range.
 */
int seal_slots_make(struct seal_slots *slots, const struct keys_public *keys,
    size_t nkeys, const uint8_t id[ENVELOPE_ID_BYTES]);

/* seal_slots_id(slots): the report id the slots were made for. */
const uint8_t *seal_slots_id(const struct seal_slots *slots);

/*
 * seal_start(slots, sink, ctx):
 * Start the envelope that slots begin (copied: the caller wipes its
 * slots); the header goes to the sink at once. Return NULL if memory is
 * short or the sink refused.
 */
struct seal *seal_start(const struct seal_slots *slots, bytes_sink *sink,
    void *ctx);

/*
 * seal_new(keys, nkeys, id, sink, ctx):
 * seal_slots_make and seal_start in one. Return NULL if nkeys is out of
 * range, memory is short, or the sink refused.
 */
struct seal *seal_new(const struct keys_public *keys, size_t nkeys,
    const uint8_t id[ENVELOPE_ID_BYTES], bytes_sink *sink, void *ctx);

/*
 * seal_field(s, name, value, len):
 * Add a field; name must pass payload_field_name_ok, len is at most
 * PAYLOAD_FIELD_VALUE_MAX. Return 0 or -1.
 */
int seal_field(struct seal *s, const char *name, const uint8_t *value,
    size_t len);

/*
 * seal_attachment_begin(s, name, len) / seal_attachment_data(s, buf, len) /
 * seal_attachment_end(s):
 * Add an attachment named as submitted (any bytes, at most
 * PAYLOAD_FILE_NAME_MAX), its bytes in pieces of any size, then close it.
 * Return 0 or -1 (misuse, or the sink refused).
 */
int seal_attachment_begin(struct seal *s, const uint8_t *name, size_t len);
int seal_attachment_data(struct seal *s, const uint8_t *buf, size_t len);
int seal_attachment_end(struct seal *s);

/*
 * seal_finish(s):
 * Close the report, pad it, write the FINAL chunk. The padding of a large
 * report is megabytes of ciphertext, so this works in steps of at most
 * SEAL_FINISH_STEP bytes: it returns 1 while more remains (call it again,
 * after waiting for the sink to drain if it must), 0 once the envelope is
 * complete, -1 on failure. After 0, seal_bytes gives the envelope's length.
 */
#define SEAL_FINISH_STEP (256 * 1024)
int seal_finish(struct seal *s);

/* seal_bytes(s): envelope bytes passed to the sink so far. */
uint64_t seal_bytes(const struct seal *s);

/* seal_free(s): wipe and free; NULL is a no-op. */
void seal_free(struct seal *s);

#endif
