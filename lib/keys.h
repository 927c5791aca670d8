/*
 * keys: key pairs and their files, of two kinds. An analyst key is an X25519
 * key pair (libsodium crypto_box); reports are sealed to it. A desk signing
 * key is an Ed25519 key pair; the desk signs outcome files with it
 * (outcome.h) and the server's desk_key names its public half. The public
 * half travels as one line of text, "odpk1_" (analyst) or "odsig1_"
 * (signing) followed by base32(public key | 4-byte checksum keyed by kind),
 * so a mistyped or truncated key is refused. The secret half is a 144-byte
 * file: a header with the kind, the Argon2id parameters, salt, nonce and
 * public key, then the 32 secret bytes (the X25519 secret key, or the
 * Ed25519 seed) sealed with XChaCha20-Poly1305 under a key derived from the
 * passphrase, the header bound as additional data. A key of one kind given
 * where the other is wanted is refused by name. docs/DESIGN.md gives the
 * layouts.
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
#define KEYS_SIGN_LINE_PREFIX "odsig1_"
#define KEYS_SIGN_LINE_LEN (7 + 58)
#define KEYS_SECRET_FILE_BYTES 144
/* libsodium's Ed25519 secret key: the seed, then the public key */
#define KEYS_SIGN_EXPANDED_BYTES 64

/* The kind byte of a secret key file (offset 6). */
enum keys_kind {
	KEYS_ANALYST = 0,
	KEYS_SIGNING = 1,
};

struct keys_public {
	uint8_t pk[KEYS_PUBLIC_BYTES];
	uint8_t id[KEYS_ID_BYTES];
};

/*
 * A secret key and its public half; allocate with keys_secret_new. The
 * struct does not record its kind: the functions that make, seal and open
 * it (keys_* for an analyst key, keys_sign_* for a signing key) do.
 */
struct keys_secret {
	uint8_t sk[KEYS_SECRET_BYTES];	/* X25519 secret key, or Ed25519 seed */
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
 * keys_generate(s) / keys_sign_generate(s):
 * Fill s with a fresh random analyst (X25519) / desk signing (Ed25519) key
 * pair.
 */
void keys_generate(struct keys_secret *s);
void keys_sign_generate(struct keys_secret *s);

/*
 * keys_sign_expand(sk, s):
 * Write libsodium's 64-byte Ed25519 secret key for the signing key s (what
 * crypto_sign_detached and outcome_writer_finish take) to sk, which the
 * caller holds in locked memory (sodium_malloc) and wipes.
 */
void keys_sign_expand(uint8_t sk[KEYS_SIGN_EXPANDED_BYTES],
    const struct keys_secret *s);

/*
 * keys_public_format(line, pub) / keys_sign_public_format:
 * Write the analyst ("odpk1_", KEYS_PUBLIC_LINE_LEN chars) / signing
 * ("odsig1_", KEYS_SIGN_LINE_LEN chars) public key line and a NUL to line.
 */
void keys_public_format(char line[KEYS_PUBLIC_LINE_LEN + 1],
    const struct keys_public *pub);
void keys_sign_public_format(char line[KEYS_SIGN_LINE_LEN + 1],
    const struct keys_public *pub);

/*
 * keys_public_parse(pub, text, len, why) / keys_sign_public_parse:
 * Parse an analyst / signing public key line: surrounding whitespace (a
 * final newline) is allowed, nothing else. Return 0, or -1 with *why set to
 * a short reason ("this is a desk signing key, not an analyst key" for the
 * other kind's line, and the reverse).
 */
int keys_public_parse(struct keys_public *pub, const char *text, size_t len,
    const char **why);
int keys_sign_public_parse(struct keys_public *pub, const char *text,
    size_t len, const char **why);

/*
 * keys_secret_seal(file, s, pass, passlen, cost) / keys_sign_seal:
 * Write the 144-byte secret key file image for the analyst / signing key s
 * to file. With pass NULL the
 * key is stored without a passphrase (kdf 0: sealed under a fixed key, which
 * protects nothing; for tests and for disks that are encrypted anyway).
 * Return 0, or -1 if Argon2id could not get its memory.
 */
int keys_secret_seal(uint8_t file[KEYS_SECRET_FILE_BYTES],
    const struct keys_secret *s, const char *pass, size_t passlen,
    const struct keys_kdf_cost *cost);
int keys_sign_seal(uint8_t file[KEYS_SECRET_FILE_BYTES],
    const struct keys_secret *s, const char *pass, size_t passlen,
    const struct keys_kdf_cost *cost);

/*
 * keys_secret_needs_passphrase(file, len):
 * 1 if the secret key file image (of either kind) is sealed under a
 * passphrase, 0 if not, -1 if it is not a secret key file at all.
 */
int keys_secret_needs_passphrase(const uint8_t *file, size_t len);

/*
 * keys_secret_check(file, len, kind, why):
 * 0 if the image is a well-formed secret key file of this kind, else -1
 * with *why set as keys_secret_open would. The open functions check this
 * first; a tool calls it before asking for a passphrase, so that a key of
 * the wrong kind is refused without one.
 */
int keys_secret_check(const uint8_t *file, size_t len, enum keys_kind kind,
    const char **why);

/*
 * keys_secret_open(s, file, len, pass, passlen, why) / keys_sign_open:
 * Open an analyst / signing secret key file image into s. The file is
 * parsed strictly (exact size, magic, version, kind, bounded Argon2id cost)
 * before any work is spent on it. Return 0, or -1 with *why set: not a key
 * file, unsupported, the other kind ("this is a desk signing key, not an
 * analyst key" and the reverse), wrong passphrase or damaged, or a secret
 * that does not match its public key.
 */
int keys_secret_open(struct keys_secret *s, const uint8_t *file, size_t len,
    const char *pass, size_t passlen, const char **why);
int keys_sign_open(struct keys_secret *s, const uint8_t *file, size_t len,
    const char *pass, size_t passlen, const char **why);

#endif
