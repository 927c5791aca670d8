/*
 * fuzz_envelope: one envelope through unseal and the payload reader, with
 * the fixed analyst key of sealed.h, so that seeds sealed to it (a hostile
 * sender needs only the public key) reach the payload. The input is fed in
 * a fixed cycle of piece sizes, from 1 byte to more than a chunk.
 */
#include "sealed.h"
#include "unseal.h"

static const size_t pieces[] = { 1, 7, 4093, 65537, 100003, 3, 65553 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct keys_secret *key;
	uint8_t id[ENVELOPE_ID_BYTES];
	struct unseal *u;
	size_t k = 0;

	if (key == NULL && (key = fuzz_sealed_key()) == NULL)
		return 0;
	if ((u = unseal_new(key, &fuzz_sealed_sink, NULL)) == NULL)
		return 0;
	for (size_t i = 0, n; i < size; i += n) {
		n = pieces[k++ % (sizeof(pieces) / sizeof(pieces[0]))];
		if (n > size - i)
			n = size - i;
		if (unseal_feed(u, data + i, n) != 0)
			break;
	}
	unseal_finish(u);
	unseal_id(u, id);
	unseal_free(u);
	return 0;
}
