/*
 * sealed: see sealed.h.
 */
#include <string.h>

#include <sodium.h>

#include "sealed.h"

const struct keys_secret *
fuzz_sealed_key(void)
{
	static struct keys_secret *key;
	uint8_t seed[crypto_box_SEEDBYTES];

	if (key != NULL)
		return key;
	if (sodium_init() < 0 || (key = keys_secret_new()) == NULL)
		return NULL;
	memset(seed, 0x42, sizeof(seed));
	crypto_box_seed_keypair(key->pub.pk, key->sk, seed);
	keys_id(key->pub.id, key->pub.pk);
	return key;
}

static int
on_field(void *ctx, const char *name, const uint8_t *value, size_t len)
{
	return 0;
}

static int
on_att_begin(void *ctx, const uint8_t *name, size_t len)
{
	return 0;
}

static int
on_att_data(void *ctx, const uint8_t *buf, size_t len)
{
	return 0;
}

static int
on_att_end(void *ctx, uint64_t size)
{
	return 0;
}

const struct payload_callbacks fuzz_sealed_sink = {
	on_field, on_att_begin, on_att_data, on_att_end,
};
