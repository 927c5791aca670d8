/*
 * digests: the MD5, SHA-1 and SHA-256 of an attachment, the three forms in
 * which hash lists of known media are distributed, computed in one pass
 * over its bytes as they stream by (OpenSSL's EVP, which uses the CPU's
 * SHA extensions). One object is reused for every attachment.
 */
#ifndef DIGESTS_H
#define DIGESTS_H

#include <stddef.h>
#include <stdint.h>

#define DIGESTS_MD5_BYTES 16
#define DIGESTS_SHA1_BYTES 20
#define DIGESTS_SHA256_BYTES 32

/* The digests of one stream, as bytes and as lowercase hex text. */
struct digests_out {
	uint8_t md5[DIGESTS_MD5_BYTES];
	uint8_t sha1[DIGESTS_SHA1_BYTES];
	uint8_t sha256[DIGESTS_SHA256_BYTES];
	char md5_hex[2 * DIGESTS_MD5_BYTES + 1];
	char sha1_hex[2 * DIGESTS_SHA1_BYTES + 1];
	char sha256_hex[2 * DIGESTS_SHA256_BYTES + 1];
};

struct digests;

/*
 * digests_new(): an object hashing an empty stream, or NULL if memory is
 * short or one of the three digests is not available (MD5 in a FIPS-only
 * OpenSSL). Reports nothing.
 */
struct digests *digests_new(void);

/*
 * digests_update(d, buf, len):
 * Add buf[0..len) to the stream. Return 0, or -1 if OpenSSL failed (the
 * stream's digests are then meaningless until digests_end).
 */
int digests_update(struct digests *d, const void *buf, size_t len);

/*
 * digests_end(d, out):
 * Write the digests of the stream so far to out and start an empty
 * stream. Return 0, or -1 (out untouched) if OpenSSL failed now or in an
 * update since the last digests_end.
 */
int digests_end(struct digests *d, struct digests_out *out);

/* digests_free(d): free d; NULL is a no-op. */
void digests_free(struct digests *d);

#endif
