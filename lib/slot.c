/*
 * slot: see slot.h. Both sides derive the same key-encryption key from the
 * same shared secret; it and the shared secret are wiped before return.
 */
#include <string.h>

#include "slot.h"

static const uint8_t personal[crypto_generichash_blake2b_PERSONALBYTES] =
    "oniondrop slot 2";
static const uint8_t zero_nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];

/* kek = BLAKE2b-256(shared | epk | pk), personalised; wipes shared. */
static void
derive_kek(uint8_t kek[32], uint8_t shared[32], const uint8_t epk[32],
    const uint8_t pk[32])
{
	uint8_t in[96];

	memcpy(in, shared, 32);
	memcpy(in + 32, epk, 32);
	memcpy(in + 64, pk, 32);
	crypto_generichash_blake2b_salt_personal(kek, 32, in, sizeof(in),
	    NULL, 0, NULL, personal);
	sodium_memzero(in, sizeof(in));
	sodium_memzero(shared, 32);
}

int
slot_wrap(uint8_t out[SLOT_WRAPPED_BYTES],
    const uint8_t report_key[SLOT_REPORT_KEY_BYTES],
    const uint8_t esk[32], const uint8_t epk[32],
    const uint8_t pk[KEYS_PUBLIC_BYTES], const uint8_t *ad, size_t adlen)
{
	uint8_t shared[32], kek[32];

	if (crypto_scalarmult(shared, esk, pk) != 0)
		return -1;
	derive_kek(kek, shared, epk, pk);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out, NULL, report_key,
	    SLOT_REPORT_KEY_BYTES, ad, adlen, NULL, zero_nonce, kek);
	sodium_memzero(kek, sizeof(kek));
	return 0;
}

int
slot_unwrap(uint8_t report_key[SLOT_REPORT_KEY_BYTES],
    const uint8_t wrapped[SLOT_WRAPPED_BYTES], const struct keys_secret *key,
    const uint8_t epk[32], const uint8_t *ad, size_t adlen)
{
	uint8_t shared[32], kek[32];
	int rc;

	if (crypto_scalarmult(shared, key->sk, epk) != 0)
		return -1;
	derive_kek(kek, shared, epk, key->pub.pk);
	rc = crypto_aead_xchacha20poly1305_ietf_decrypt(report_key, NULL, NULL,
	    wrapped, SLOT_WRAPPED_BYTES, ad, adlen, zero_nonce, kek);
	sodium_memzero(kek, sizeof(kek));
	return rc == 0 ? 0 : -1;
}
