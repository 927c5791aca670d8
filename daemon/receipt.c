/*
 * receipt: see receipt.h.
 */
#include <string.h>

#include <sodium.h>

#include "encode.h"
#include "receipt.h"

#define TOKEN_MAC_BYTES 16
#define TOKEN_HOURS_VALID 24
#define REPLY_KEY_PREFIX "oniondrop-reply-key-1"	/* DESIGN.md */

_Static_assert(RECEIPT_REPLY_KEY_BYTES == crypto_box_PUBLICKEYBYTES &&
    RECEIPT_REPLY_KEY_BYTES == crypto_box_SECRETKEYBYTES &&
    crypto_box_SEEDBYTES == 32, "the reply key is X25519");

void
receipt_new(char text[RECEIPT_TEXT_MAX + 1])
{
	uint8_t raw[16];
	char b32[ENCODE_BASE32_LEN(16) + 1];
	size_t o = 0;

	randombytes_buf(raw, sizeof(raw));
	encode_base32(b32, raw, sizeof(raw));	/* 26 letters; 25 are kept */
	for (size_t i = 0; i < RECEIPT_CHARS; i++) {
		if (i > 0 && i % 5 == 0)
			text[o++] = '-';
		text[o++] = b32[i];
	}
	text[o] = '\0';
	sodium_memzero(raw, sizeof(raw));
}

/* Canonical form: 25 lowercase base32 letters, or -1. */
static int
canonical(char out[RECEIPT_CHARS], const char *text, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (c == '-' || c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		c = c == '0' ? 'o' : c == '1' ? 'l' : c == '8' ? 'b' : c;
		if (!((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7')) ||
		    n == RECEIPT_CHARS)
			return -1;
		out[n++] = c;
	}
	return n == RECEIPT_CHARS ? 0 : -1;
}

/* Canonical letters of text, or '!' (outside the alphabet) if it is not a
 * receipt; return what canonical() returned. */
static int
canonical_or_filler(char out[RECEIPT_CHARS], const char *text, size_t len)
{
	int rc = canonical(out, text, len);

	if (rc != 0)
		memset(out, '!', RECEIPT_CHARS);
	return rc;
}

int
receipt_hash(uint8_t hash[STORE_RECEIPT_HASH_BYTES],
    const uint8_t secret[STORE_SECRET_BYTES], const char *text, size_t len)
{
	char c[RECEIPT_CHARS];
	int rc = canonical_or_filler(c, text, len);

	crypto_generichash(hash, STORE_RECEIPT_HASH_BYTES, (const uint8_t *)c,
	    sizeof(c), secret, STORE_SECRET_BYTES);
	sodium_memzero(c, sizeof(c));
	return rc;
}

int
receipt_reply_keypair(uint8_t pk[RECEIPT_REPLY_KEY_BYTES],
    uint8_t sk[RECEIPT_REPLY_KEY_BYTES],
    const uint8_t secret[STORE_SECRET_BYTES], const char *text, size_t len)
{
	char msg[sizeof(REPLY_KEY_PREFIX) - 1 + RECEIPT_CHARS];
	uint8_t seed[crypto_box_SEEDBYTES];
	int rc;

	memcpy(msg, REPLY_KEY_PREFIX, sizeof(REPLY_KEY_PREFIX) - 1);
	rc = canonical_or_filler(msg + sizeof(REPLY_KEY_PREFIX) - 1, text, len);
	crypto_generichash(seed, sizeof(seed), (const uint8_t *)msg,
	    sizeof(msg), secret, STORE_SECRET_BYTES);
	crypto_box_seed_keypair(pk, sk, seed);
	sodium_memzero(msg, sizeof(msg));
	sodium_memzero(seed, sizeof(seed));
	return rc;
}

static void
token_mac(uint8_t mac[TOKEN_MAC_BYTES], const uint8_t *secret, uint32_t hour)
{
	uint8_t msg[4 + 10];

	memcpy(msg, "form-token", 10);
	encode_be32(msg + 10, hour);
	crypto_generichash(mac, TOKEN_MAC_BYTES, msg, sizeof(msg), secret,
	    STORE_SECRET_BYTES);
}

void
token_make(char text[TOKEN_TEXT_LEN + 1],
    const uint8_t secret[STORE_SECRET_BYTES], time_t now)
{
	uint8_t raw[4 + TOKEN_MAC_BYTES];
	uint32_t hour = (uint32_t)(now / 3600);

	encode_be32(raw, hour);
	token_mac(raw + 4, secret, hour);
	encode_hex(text, raw, sizeof(raw));
}

int
token_check(const uint8_t secret[STORE_SECRET_BYTES], const char *text,
    size_t len, time_t now)
{
	uint8_t raw[4 + TOKEN_MAC_BYTES], mac[TOKEN_MAC_BYTES];
	uint32_t hour, current = (uint32_t)(now / 3600);

	if (decode_hex(raw, sizeof(raw), text, len) != 0)
		return 0;
	hour = decode_be32(raw);
	if (hour > current || current - hour > TOKEN_HOURS_VALID)
		return 0;
	token_mac(mac, secret, hour);
	return sodium_memcmp(mac, raw + 4, TOKEN_MAC_BYTES) == 0;
}
