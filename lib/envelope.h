/*
 * envelope: the layout of one sealed report, shared by seal and unseal.
 *
 *   "ODE2" | report id[16] | slot count n (1 byte) | ephemeral key[32] |
 *   n slots: key id[8] | wrapped report key[48] (slot.h) |
 *   secretstream header[24] | chunks
 *
 * The report key and the ephemeral X25519 key are fresh and random per
 * report; each slot wraps the report key for one analyst, the fixed part
 * of the header (magic to ephemeral key) as additional data. The payload (payload.h),
 * padded with zeros to its Padmé size, is cut into 64 KiB plaintext chunks,
 * each encrypted with crypto_secretstream_xchacha20poly1305; the last one,
 * 1..64 KiB, is tagged FINAL. The first chunk carries the whole header as
 * additional data, so no slot, id or count can be swapped or stripped.
 * The envelope's length is known from its container (bundle, store).
 */
#ifndef ENVELOPE_H
#define ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "keys.h"
#include "slot.h"

#define ENVELOPE_MAGIC "ODE2"
#define ENVELOPE_ID_BYTES 16
#define ENVELOPE_SLOTS_MAX 64
#define ENVELOPE_EPK_BYTES 32
/* magic | id | count | ephemeral key: what every slot is bound to */
#define ENVELOPE_FIXED_BYTES (4 + ENVELOPE_ID_BYTES + 1 + ENVELOPE_EPK_BYTES)
#define ENVELOPE_SLOT_BYTES (KEYS_ID_BYTES + SLOT_WRAPPED_BYTES)
#define ENVELOPE_CHUNK 65536
#define ENVELOPE_CHUNK_OVERHEAD crypto_secretstream_xchacha20poly1305_ABYTES
#define ENVELOPE_STREAM_HEADER \
	crypto_secretstream_xchacha20poly1305_HEADERBYTES

/* Header length for n slots. */
#define ENVELOPE_HEADER_BYTES(n) \
	(ENVELOPE_FIXED_BYTES + (n) * ENVELOPE_SLOT_BYTES + \
	ENVELOPE_STREAM_HEADER)
#define ENVELOPE_HEADER_MAX ENVELOPE_HEADER_BYTES(ENVELOPE_SLOTS_MAX)

/*
 * envelope_padded_size(len):
 * Padmé: round len up so that only O(log log len) bits of it are kept. A
 * stored envelope reveals a size bucket (at most 12% above the true size).
 */
uint64_t envelope_padded_size(uint64_t len);

/*
 * envelope_sealed_size(plaintext, nslots):
 * The envelope's total length for a padded plaintext of that many bytes.
 */
uint64_t envelope_sealed_size(uint64_t padded, size_t nslots);

#endif
