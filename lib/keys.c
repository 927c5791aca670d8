/*
 * keys: see keys.h. Secret key file layout (all integers big-endian):
 *
 *   0  "ODSK"          4  version (1)     5  kdf (0 none, 1 Argon2id v1.3)
 *   6  kind (0 analyst, 1 desk signing)  7  reserved (0)
 *   8  opslimit u64   16  memlimit u64
 *  24  salt[16]       40  public key[32] 72  nonce[24]
 *  96  XChaCha20-Poly1305(secret key) [48], additional data = bytes 0..95
 *
 * The public key sits in the clear so a tool can say which key a file holds
 * without the passphrase; it is authenticated, and checked against the
 * secret once opened. Byte 6 was reserved (0) before signing keys, so every
 * older file is an analyst key. The two kinds differ only in the table
 * below: the public line's prefix and checksum key, and how the public key
 * follows from the 32 secret bytes.
 */
#include <string.h>

#include <sodium.h>

#include "encode.h"
#include "keys.h"

#define SK_MAGIC "ODSK"
#define SK_VERSION 1
#define SK_KDF_NONE 0
#define SK_KDF_ARGON2ID 1
#define SK_OFF_KIND 6
#define SK_OFF_OPS 8
#define SK_OFF_MEM 16
#define SK_OFF_SALT 24
#define SK_OFF_PK 40
#define SK_OFF_NONCE 72
#define SK_OFF_CT 96
#define SK_SALT_BYTES 16
/* Bounds on a file's Argon2id cost, so a hostile file cannot stall us. */
#define SK_OPS_MAX 64
#define SK_MEM_MIN 8192
#define SK_MEM_MAX (2ULL << 30)

#define PK_CHECK_BYTES 4

static void
analyst_public(uint8_t *pk, const uint8_t *sk)
{
	crypto_scalarmult_base(pk, sk);
}

static void
signing_public(uint8_t *pk, const uint8_t *seed)
{
	uint8_t sk[crypto_sign_SECRETKEYBYTES];

	crypto_sign_seed_keypair(pk, sk, seed);
	sodium_memzero(sk, sizeof(sk));
}

static const struct kind {
	const char *prefix;		/* of the public line */
	const char *check_key;		/* 8 bytes, keys the line's checksum */
	const char *no_prefix;		/* why a line without it is refused */
	const char *given_as_other;	/* why a key of this kind is refused */
	void (*public_of)(uint8_t *, const uint8_t *);
} kinds[] = {
	[KEYS_ANALYST] = { KEYS_PUBLIC_LINE_PREFIX, "odpk1chk",
	    "not an oniondrop public key (it should start with "
	    KEYS_PUBLIC_LINE_PREFIX ")",
	    "this is an analyst key, not a desk signing key", analyst_public },
	[KEYS_SIGNING] = { KEYS_SIGN_LINE_PREFIX, "odsig1ck",
	    "not a desk signing public key (it should start with "
	    KEYS_SIGN_LINE_PREFIX ")",
	    "this is a desk signing key, not an analyst key", signing_public },
};

const struct keys_kdf_cost keys_kdf_default = {
	crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE
};

void
keys_id(uint8_t id[KEYS_ID_BYTES], const uint8_t pk[KEYS_PUBLIC_BYTES])
{
	crypto_generichash(id, KEYS_ID_BYTES, pk, KEYS_PUBLIC_BYTES,
	    (const uint8_t *)"odkeyid1", 8);
}

struct keys_secret *
keys_secret_new(void)
{
	struct keys_secret *s = sodium_malloc(sizeof(*s));

	if (s != NULL)
		sodium_memzero(s, sizeof(*s));
	return s;
}

void
keys_secret_free(struct keys_secret *s)
{
	if (s != NULL)
		sodium_free(s);	/* wipes */
}

/* A fresh key of kind k: 32 random secret bytes, and their public key. */
static void
generate(struct keys_secret *s, const struct kind *k)
{
	randombytes_buf(s->sk, KEYS_SECRET_BYTES);
	k->public_of(s->pub.pk, s->sk);
	keys_id(s->pub.id, s->pub.pk);
}

void
keys_generate(struct keys_secret *s)
{
	generate(s, &kinds[KEYS_ANALYST]);
}

void
keys_sign_generate(struct keys_secret *s)
{
	generate(s, &kinds[KEYS_SIGNING]);
}

void
keys_sign_expand(uint8_t sk[KEYS_SIGN_EXPANDED_BYTES],
    const struct keys_secret *s)
{
	uint8_t pk[KEYS_PUBLIC_BYTES];

	crypto_sign_seed_keypair(pk, sk, s->sk);
}

static void
public_check(uint8_t check[PK_CHECK_BYTES], const uint8_t pk[KEYS_PUBLIC_BYTES],
    const struct kind *k)
{
	crypto_generichash(check, PK_CHECK_BYTES, pk, KEYS_PUBLIC_BYTES,
	    (const uint8_t *)k->check_key, 8);
}

/* Write k's prefix, then base32(pk | check), and a NUL. */
static void
line_format(char *line, const struct keys_public *pub, const struct kind *k)
{
	uint8_t raw[KEYS_PUBLIC_BYTES + PK_CHECK_BYTES];

	memcpy(raw, pub->pk, KEYS_PUBLIC_BYTES);
	public_check(raw + KEYS_PUBLIC_BYTES, pub->pk, k);
	memcpy(line, k->prefix, strlen(k->prefix));
	encode_base32(line + strlen(k->prefix), raw, sizeof(raw));
}

void
keys_public_format(char line[KEYS_PUBLIC_LINE_LEN + 1],
    const struct keys_public *pub)
{
	line_format(line, pub, &kinds[KEYS_ANALYST]);
}

void
keys_sign_public_format(char line[KEYS_SIGN_LINE_LEN + 1],
    const struct keys_public *pub)
{
	line_format(line, pub, &kinds[KEYS_SIGNING]);
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Strip surrounding whitespace from text[0..*len). */
static const char *
trim(const char *text, size_t *len)
{
	while (*len > 0 && is_space(text[*len - 1]))
		(*len)--;
	while (*len > 0 && is_space(text[0])) {
		text++;
		(*len)--;
	}
	return text;
}

static int
has_prefix(const char *text, size_t len, const char *prefix)
{
	size_t plen = strlen(prefix);

	return len >= plen && memcmp(text, prefix, plen) == 0;
}

/* Parse a public line of kind want; name the other kind if it is one. */
static int
line_parse(struct keys_public *pub, const char *text, size_t len,
    enum keys_kind want, const char **why)
{
	const struct kind *k = &kinds[want];
	const struct kind *other = &kinds[want == KEYS_ANALYST ? KEYS_SIGNING :
	    KEYS_ANALYST];
	uint8_t raw[KEYS_PUBLIC_BYTES + PK_CHECK_BYTES], check[PK_CHECK_BYTES];
	size_t plen = strlen(k->prefix);

	text = trim(text, &len);
	if (has_prefix(text, len, other->prefix)) {
		*why = other->given_as_other;
		return -1;
	}
	if (!has_prefix(text, len, k->prefix)) {
		*why = k->no_prefix;
		return -1;
	}
	if (len != plen + ENCODE_BASE32_LEN(sizeof(raw)) ||
	    decode_base32(raw, sizeof(raw), text + plen, len - plen) != 0) {
		*why = "public key is truncated or has a wrong character";
		return -1;
	}
	public_check(check, raw, k);
	if (sodium_memcmp(check, raw + KEYS_PUBLIC_BYTES, PK_CHECK_BYTES) != 0) {
		*why = "public key checksum does not match (mistyped?)";
		return -1;
	}
	memcpy(pub->pk, raw, KEYS_PUBLIC_BYTES);
	keys_id(pub->id, pub->pk);
	return 0;
}

int
keys_public_parse(struct keys_public *pub, const char *text, size_t len,
    const char **why)
{
	return line_parse(pub, text, len, KEYS_ANALYST, why);
}

int
keys_sign_public_parse(struct keys_public *pub, const char *text, size_t len,
    const char **why)
{
	return line_parse(pub, text, len, KEYS_SIGNING, why);
}

/* Derive the key that seals the secret key, from the header's parameters. */
static int
derive_file_key(uint8_t key[32], const uint8_t *file, const char *pass,
    size_t passlen)
{
	const uint8_t *salt = file + SK_OFF_SALT;

	if (file[5] == SK_KDF_NONE) {
		crypto_generichash(key, 32, salt, SK_SALT_BYTES,
		    (const uint8_t *)"oniondrop-no-passphrase", 23);
		return 0;
	}
	return crypto_pwhash(key, 32, pass, passlen, salt,
	    decode_be64(file + SK_OFF_OPS), (size_t)decode_be64(file + SK_OFF_MEM),
	    crypto_pwhash_ALG_ARGON2ID13);
}

static int
seal(uint8_t file[KEYS_SECRET_FILE_BYTES], const struct keys_secret *s,
    enum keys_kind kind, const char *pass, size_t passlen,
    const struct keys_kdf_cost *cost)
{
	uint8_t key[32];
	int rc;

	memset(file, 0, KEYS_SECRET_FILE_BYTES);
	memcpy(file, SK_MAGIC, 4);
	file[4] = SK_VERSION;
	file[5] = pass ? SK_KDF_ARGON2ID : SK_KDF_NONE;
	file[SK_OFF_KIND] = (uint8_t)kind;
	if (pass) {
		encode_be64(file + SK_OFF_OPS, cost->opslimit);
		encode_be64(file + SK_OFF_MEM, cost->memlimit);
	}
	randombytes_buf(file + SK_OFF_SALT, SK_SALT_BYTES);
	memcpy(file + SK_OFF_PK, s->pub.pk, KEYS_PUBLIC_BYTES);
	randombytes_buf(file + SK_OFF_NONCE, 24);
	if (derive_file_key(key, file, pass, passlen) != 0)
		return -1;
	rc = crypto_aead_xchacha20poly1305_ietf_encrypt(file + SK_OFF_CT, NULL,
	    s->sk, KEYS_SECRET_BYTES, file, SK_OFF_CT, NULL,
	    file + SK_OFF_NONCE, key);
	sodium_memzero(key, sizeof(key));
	return rc;
}

int
keys_secret_seal(uint8_t file[KEYS_SECRET_FILE_BYTES],
    const struct keys_secret *s, const char *pass, size_t passlen,
    const struct keys_kdf_cost *cost)
{
	return seal(file, s, KEYS_ANALYST, pass, passlen, cost);
}

int
keys_sign_seal(uint8_t file[KEYS_SECRET_FILE_BYTES],
    const struct keys_secret *s, const char *pass, size_t passlen,
    const struct keys_kdf_cost *cost)
{
	return seal(file, s, KEYS_SIGNING, pass, passlen, cost);
}

/* Strict structural checks, before any Argon2id work. */
static int
check_header(const uint8_t *file, size_t len, const char **why)
{
	uint64_t ops, mem;

	if (len != KEYS_SECRET_FILE_BYTES || memcmp(file, SK_MAGIC, 4) != 0) {
		*why = "not an oniondrop secret key file";
		return -1;
	}
	if (file[4] != SK_VERSION || file[SK_OFF_KIND] > KEYS_SIGNING ||
	    file[7] != 0) {
		*why = "unsupported secret key file version";
		return -1;
	}
	ops = decode_be64(file + SK_OFF_OPS);
	mem = decode_be64(file + SK_OFF_MEM);
	if (file[5] == SK_KDF_NONE && ops == 0 && mem == 0)
		return 0;
	if (file[5] == SK_KDF_ARGON2ID && ops >= crypto_pwhash_OPSLIMIT_MIN &&
	    ops <= SK_OPS_MAX && mem >= SK_MEM_MIN && mem <= SK_MEM_MAX)
		return 0;
	*why = "secret key file has unsupported key derivation parameters";
	return -1;
}

int
keys_secret_needs_passphrase(const uint8_t *file, size_t len)
{
	const char *why;

	if (check_header(file, len, &why) != 0)
		return -1;
	return file[5] == SK_KDF_ARGON2ID;
}

int
keys_secret_check(const uint8_t *file, size_t len, enum keys_kind kind,
    const char **why)
{
	if (check_header(file, len, why) != 0)
		return -1;
	if (file[SK_OFF_KIND] != kind) {
		*why = kinds[file[SK_OFF_KIND]].given_as_other;
		return -1;
	}
	return 0;
}

static int
open_file(struct keys_secret *s, const uint8_t *file, size_t len,
    enum keys_kind kind, const char *pass, size_t passlen, const char **why)
{
	uint8_t key[32], pk[KEYS_PUBLIC_BYTES];

	if (keys_secret_check(file, len, kind, why) != 0)
		return -1;
	if (derive_file_key(key, file, pass, passlen) != 0) {
		*why = "not enough memory for the key derivation";
		return -1;
	}
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(s->sk, NULL, NULL,
	    file + SK_OFF_CT, KEYS_SECRET_BYTES + 16, file, SK_OFF_CT,
	    file + SK_OFF_NONCE, key) != 0) {
		sodium_memzero(key, sizeof(key));
		*why = "wrong passphrase, or the key file is damaged";
		return -1;
	}
	sodium_memzero(key, sizeof(key));
	kinds[kind].public_of(pk, s->sk);
	if (sodium_memcmp(pk, file + SK_OFF_PK, KEYS_PUBLIC_BYTES) != 0) {
		sodium_memzero(s->sk, sizeof(s->sk));
		*why = "secret key does not match its public key";
		return -1;
	}
	memcpy(s->pub.pk, pk, KEYS_PUBLIC_BYTES);
	keys_id(s->pub.id, pk);
	return 0;
}

int
keys_secret_open(struct keys_secret *s, const uint8_t *file, size_t len,
    const char *pass, size_t passlen, const char **why)
{
	return open_file(s, file, len, KEYS_ANALYST, pass, passlen, why);
}

int
keys_sign_open(struct keys_secret *s, const uint8_t *file, size_t len,
    const char *pass, size_t passlen, const char **why)
{
	return open_file(s, file, len, KEYS_SIGNING, pass, passlen, why);
}
