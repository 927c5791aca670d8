/*
 * keys: analyst key pairs and their files. An analyst key is an X25519 key
 * pair (libsodium crypto_box). The public half travels as one line of text,
 * "odpk1_" followed by base32(public key | 4-byte checksum), so a mistyped or
 * truncated key is refused. The secret half is a 144-byte file: a header with
 * the Argon2id parameters, salt, nonce and public key, then the secret key
 * sealed with XChaCha20-Poly1305 under a key derived from the passphrase, the
 * header bound as additional data. docs/DESIGN.md gives the layouts.
 */
#ifndef KEYS_H
#define KEYS_H

#include <stddef.h>
#include <stdint.h>

#define KEYS_PUBLIC_BYTES 32
#define KEYS_SECRET_BYTES 32
#define KEYS_ID_BYTES 8
#define KEYS_PUBLIC_LINE_PREFIX "odpk1_"
/* prefix + base32 of 36 bytes, without newline */
#define KEYS_PUBLIC_LINE_LEN (6 + 58)
#define KEYS_SECRET_FILE_BYTES 144

struct keys_public {
	uint8_t pk[KEYS_PUBLIC_BYTES];
	uint8_t id[KEYS_ID_BYTES];
};

/* A secret key and its public half; allocate with keys_secret_new. */
struct keys_secret {
	uint8_t sk[KEYS_SECRET_BYTES];
	struct keys_public pub;
};

/* Argon2id cost stored in a secret key file. */
struct keys_kdf_cost {
	uint64_t opslimit;
	uint64_t memlimit;
};

/* The cost keygen uses: libsodium's MODERATE (3 passes, 256 MiB). */
extern const struct keys_kdf_cost keys_kdf_default;

/*
 * keys_id(id, pk):
 * The key id of a public key: the first 8 bytes of a BLAKE2b hash of it. An
 * envelope names each slot by key id so the tool finds its own slot.
 */
void keys_id(uint8_t id[KEYS_ID_BYTES], const uint8_t pk[KEYS_PUBLIC_BYTES]);

/*
 * keys_secret_new():
 * Return a zeroed struct keys_secret in sodium_malloc memory (guarded,
 * locked), or NULL. Free with keys_secret_free.
 */
struct keys_secret *keys_secret_new(void);

/* keys_secret_free(s): wipe and free s; NULL is a no-op. */
void keys_secret_free(struct keys_secret *s);

/*
 * keys_generate(s):
 * Fill s with a fresh random key pair.
 */
void keys_generate(struct keys_secret *s);

/*
 * keys_public_format(line, pub):
 * Write the public key line (KEYS_PUBLIC_LINE_LEN chars and a NUL) to line.
 */
void keys_public_format(char line[KEYS_PUBLIC_LINE_LEN + 1],
    const struct keys_public *pub);

/*
 * keys_public_parse(pub, text, len):
 * Parse a public key line: surrounding whitespace (a final newline) is
 * allowed, nothing else. Return 0, or -1 with *why set to a short reason.
 */
int keys_public_parse(struct keys_public *pub, const char *text, size_t len,
    const char **why);

/*
 * keys_secret_seal(file, s, pass, passlen, cost):
 * Write the 144-byte secret key file image for s to file. With pass NULL the
 * key is stored without a passphrase (kdf 0: sealed under a fixed key, which
 * protects nothing; for tests and for disks that are encrypted anyway).
 * Return 0, or -1 if Argon2id could not get its memory.
 */
int keys_secret_seal(uint8_t file[KEYS_SECRET_FILE_BYTES],
    const struct keys_secret *s, const char *pass, size_t passlen,
    const struct keys_kdf_cost *cost);

/*
 * keys_secret_needs_passphrase(file, len):
 * 1 if the secret key file image is sealed under a passphrase, 0 if not,
 * -1 if it is not a secret key file at all.
 */
int keys_secret_needs_passphrase(const uint8_t *file, size_t len);

/*
 * keys_secret_open(s, file, len, pass, passlen, why):
 * Open a secret key file image into s. The file is parsed strictly (exact
 * size, magic, version, bounded Argon2id cost) before any work is spent on
 * it. Return 0, or -1 with *why set: not a key file, unsupported, wrong
 * passphrase or damaged, or a secret that does not match its public key.
 */
int keys_secret_open(struct keys_secret *s, const uint8_t *file, size_t len,
    const char *pass, size_t passlen, const char **why);

#endif
