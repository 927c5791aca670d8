/*
 * fuzz_keyfile: the key files oniondrop-keys reads, of both kinds
 * (analyst, desk signing): secret key files (strict layout, kind, bounded
 * Argon2id cost) and public key lines (odpk1_, odsig1_; the server reads
 * both). Every input is opened as each kind, so the refusal of the other
 * kind is exercised too. Argon2id is only run for cheap costs, so the
 * fuzzer stays fast; the bounds checks that refuse expensive ones run on
 * every input.
 */
#include <string.h>

#include <sodium.h>

#include "encode.h"
#include "keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct keys_secret *s;
	struct keys_public pub;
	const char *why;
	int needs;

	if (s == NULL) {
		if (sodium_init() < 0)
			return 0;
		s = keys_secret_new();
	}
	keys_public_parse(&pub, (const char *)data, size, &why);
	keys_sign_public_parse(&pub, (const char *)data, size, &why);
	needs = keys_secret_needs_passphrase(data, size);
	if (needs == 0 || (needs == 1 && decode_be64(data + 8) <= 2 &&
	    decode_be64(data + 16) <= 65536)) {
		keys_secret_open(s, data, size, "passphrase", 10, &why);
		keys_sign_open(s, data, size, "passphrase", 10, &why);
	}
	return 0;
}
