/*
 * encode: byte encodings shared by both programs: big-endian integers,
 * lowercase hex, RFC 4648 base32 (lowercase, unpadded, as Tor writes it) and
 * standard base64 (padded, as Tor's client-auth files write it). Decoders are
 * strict: any character outside the alphabet, or a wrong length, is an error.
 */
#ifndef ENCODE_H
#define ENCODE_H

#include <stddef.h>
#include <stdint.h>

void encode_be16(uint8_t out[2], uint16_t v);
void encode_be32(uint8_t out[4], uint32_t v);
void encode_be64(uint8_t out[8], uint64_t v);
uint16_t decode_be16(const uint8_t in[2]);
uint32_t decode_be32(const uint8_t in[4]);
uint64_t decode_be64(const uint8_t in[8]);
uint16_t decode_le16(const uint8_t in[2]);
uint32_t decode_le32(const uint8_t in[4]);

/* Size of the encoded text for len bytes, without the terminating NUL. */
#define ENCODE_HEX_LEN(len) ((len) * 2)
#define ENCODE_BASE32_LEN(len) (((len) * 8 + 4) / 5)
#define ENCODE_BASE64_LEN(len) ((((len) + 2) / 3) * 4)

/*
 * encode_hex(out, in, len) / encode_base32 / encode_base64:
 * Write the encoding of in[0..len) and a NUL to out, which must hold
 * ENCODE_*_LEN(len) + 1 bytes.
 */
void encode_hex(char *out, const uint8_t *in, size_t len);
void encode_base32(char *out, const uint8_t *in, size_t len);
void encode_base64(char *out, const uint8_t *in, size_t len);

/*
 * decode_hex(out, outlen, in, inlen) / decode_base32 / decode_base64:
 * Decode exactly outlen bytes from in[0..inlen); base32 accepts upper or
 * lower case and no padding, base64 requires padding. Return 0, or -1 if the
 * text is not exactly the encoding of outlen bytes.
 */
int decode_hex(uint8_t *out, size_t outlen, const char *in, size_t inlen);
int decode_base32(uint8_t *out, size_t outlen, const char *in, size_t inlen);
int decode_base64(uint8_t *out, size_t outlen, const char *in, size_t inlen);

#endif
