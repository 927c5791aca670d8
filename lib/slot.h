/*
 * slot: the report key wrapped for one analyst. An envelope has one fresh
 * ephemeral X25519 key pair; for each analyst key pk, the key-encryption
 * key is BLAKE2b-256(X25519(esk, pk) | epk | pk), personalised
 * "oniondrop slot 2", and the slot is the report key encrypted under it
 * with XChaCha20-Poly1305 (a zero nonce: each key-encryption key encrypts
 * once), the envelope's fixed header as additional data. One ephemeral key
 * for every analyst costs n + 1 X25519 operations instead of 2n.
 */
#ifndef SLOT_H
#define SLOT_H

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "keys.h"

#define SLOT_REPORT_KEY_BYTES 32
#define SLOT_WRAPPED_BYTES \
	(SLOT_REPORT_KEY_BYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES)

/*
 * slot_wrap(out, report_key, esk, epk, pk, ad, adlen):
 * Wrap report_key for the analyst key pk with the ephemeral key pair
 * (esk, epk). Return 0, or -1 if pk is a low-order point.
 */
int slot_wrap(uint8_t out[SLOT_WRAPPED_BYTES],
    const uint8_t report_key[SLOT_REPORT_KEY_BYTES],
    const uint8_t esk[32], const uint8_t epk[32],
    const uint8_t pk[KEYS_PUBLIC_BYTES], const uint8_t *ad, size_t adlen);

/*
 * slot_unwrap(report_key, wrapped, key, epk, ad, adlen):
 * Open a slot with the analyst's secret key. Return 0, or -1 if it fails
 * authentication (or epk is a low-order point).
 */
int slot_unwrap(uint8_t report_key[SLOT_REPORT_KEY_BYTES],
    const uint8_t wrapped[SLOT_WRAPPED_BYTES], const struct keys_secret *key,
    const uint8_t epk[32], const uint8_t *ad, size_t adlen);

#endif
