/*
 * encode: see encode.h. Hex and base64 go through libsodium's constant-time
 * codecs (keys pass through here); base32 is written out because libsodium
 * has none. It mostly carries public values (onion addresses, key lines);
 * the one secret it encodes, a Tor client-auth key, is written once by the
 * offline tool, where timing is not observable.
 */
#include <string.h>

#include <sodium.h>

#include "encode.h"

void
encode_be16(uint8_t out[2], uint16_t v)
{
	out[0] = (uint8_t)(v >> 8);
	out[1] = (uint8_t)v;
}

void
encode_be32(uint8_t out[4], uint32_t v)
{
	encode_be16(out, (uint16_t)(v >> 16));
	encode_be16(out + 2, (uint16_t)v);
}

void
encode_be64(uint8_t out[8], uint64_t v)
{
	encode_be32(out, (uint32_t)(v >> 32));
	encode_be32(out + 4, (uint32_t)v);
}

uint16_t
decode_be16(const uint8_t in[2])
{
	return (uint16_t)((in[0] << 8) | in[1]);
}

uint32_t
decode_be32(const uint8_t in[4])
{
	return ((uint32_t)decode_be16(in) << 16) | decode_be16(in + 2);
}

uint64_t
decode_be64(const uint8_t in[8])
{
	return ((uint64_t)decode_be32(in) << 32) | decode_be32(in + 4);
}

uint16_t
decode_le16(const uint8_t in[2])
{
	return (uint16_t)((in[1] << 8) | in[0]);
}

uint32_t
decode_le32(const uint8_t in[4])
{
	return ((uint32_t)decode_le16(in + 2) << 16) | decode_le16(in);
}

void
encode_hex(char *out, const uint8_t *in, size_t len)
{
	sodium_bin2hex(out, ENCODE_HEX_LEN(len) + 1, in, len);
}

int
decode_hex(uint8_t *out, size_t outlen, const char *in, size_t inlen)
{
	size_t got;
	const char *end;

	if (inlen != ENCODE_HEX_LEN(outlen))
		return -1;
	if (sodium_hex2bin(out, outlen, in, inlen, NULL, &got, &end) != 0)
		return -1;
	return (got == outlen && end == in + inlen) ? 0 : -1;
}

static const char base32_alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

void
encode_base32(char *out, const uint8_t *in, size_t len)
{
	uint32_t acc = 0;
	int bits = 0;

	for (size_t i = 0; i < len; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			*out++ = base32_alphabet[(acc >> bits) & 31];
		}
	}
	if (bits > 0)
		*out++ = base32_alphabet[(acc << (5 - bits)) & 31];
	*out = '\0';
}

static int
base32_value(char c)
{
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

int
decode_base32(uint8_t *out, size_t outlen, const char *in, size_t inlen)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t n = 0;

	if (inlen != ENCODE_BASE32_LEN(outlen))
		return -1;
	for (size_t i = 0; i < inlen; i++) {
		int v = base32_value(in[i]);
		if (v < 0)
			return -1;
		acc = (acc << 5) | (uint32_t)v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	/* Leftover bits must be zero, or two texts would decode alike. */
	return (acc & ((1u << bits) - 1)) == 0 ? 0 : -1;
}

void
encode_base64(char *out, const uint8_t *in, size_t len)
{
	sodium_bin2base64(out, ENCODE_BASE64_LEN(len) + 1, in, len,
	    sodium_base64_VARIANT_ORIGINAL);
}

int
decode_base64(uint8_t *out, size_t outlen, const char *in, size_t inlen)
{
	size_t got;
	const char *end;

	if (inlen != ENCODE_BASE64_LEN(outlen))
		return -1;
	if (sodium_base642bin(out, outlen, in, inlen, NULL, &got, &end,
	    sodium_base64_VARIANT_ORIGINAL) != 0)
		return -1;
	return (got == outlen && end == in + inlen) ? 0 : -1;
}
