/*
 * fuzz_onion: lib/onion's parsers on hostile bytes. The same input is tried
 * as an address string, as a hostname file and as an hs_ed25519_public_key
 * image; whatever one accepts must round-trip: the address rebuilt from the
 * key is the input, up to case, and parses back to the same key.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "onion.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort unless pubkey's address parses back to pubkey (and matches text). */
static void
round_trip(const uint8_t pubkey[ONION_PUBKEY_LEN], const uint8_t *text)
{
	uint8_t back[ONION_PUBKEY_LEN];
	char addr[ONION_ADDRESS_SIZE];

	if (onion_address_from_pubkey(addr, pubkey) != 0)
		abort();
	if (text != NULL &&
	    strncasecmp(addr, (const char *)text, ONION_ADDRESS_B32_LEN) != 0)
		abort();
	if (onion_address_parse(back, addr, strlen(addr), NULL) != 0 ||
	    memcmp(back, pubkey, sizeof(back)) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t pubkey[ONION_PUBKEY_LEN];
	const char *why;

	if (sodium_init() < 0)
		abort();
	if (onion_address_parse(pubkey, (const char *)data, size, &why) == 0)
		round_trip(pubkey, data);
	if (onion_hostname_parse(pubkey, data, size, &why) == 0)
		round_trip(pubkey, data);
	if (onion_keyfile_parse(pubkey, data, size, &why) == 0)
		round_trip(pubkey, NULL);
	return 0;
}
