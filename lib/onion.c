/*
 * onion: see onion.h. Written from tor's rend-spec-v3 ("Encoding onion
 * addresses") and tor(1) ("CLIENT AUTHORIZATION"); SHA3-256 comes from
 * OpenSSL because libsodium has none. Every parser here reads bytes that may
 * come from a hostile file, so each checks the exact length first and never
 * looks past len.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "encode.h"
#include "onion.h"

#define ONION_VERSION 3
/* PUBKEY | CHECKSUM | VERSION, the bytes behind the 56 characters. */
#define ADDRESS_RAW_LEN (ONION_PUBKEY_LEN + 2 + 1)
#define KEYFILE_TAG_LEN 32

static const char checksum_prefix[] = ".onion checksum";
static const char onion_suffix[] = ".onion";
static const char auth_prefix[] = "descriptor:x25519:";
/* The string is 29 bytes; the array is NUL-padded to 32 as tor writes it. */
static const char keyfile_tag[KEYFILE_TAG_LEN] = "== ed25519v1-public: type0 ==";

_Static_assert(ENCODE_BASE32_LEN(ADDRESS_RAW_LEN) == ONION_ADDRESS_B32_LEN,
    "35 bytes are 56 base32 characters");
_Static_assert(ONION_ADDRESS_SIZE == ONION_ADDRESS_B32_LEN +
    sizeof(onion_suffix), "address buffer");
_Static_assert(ONION_AUTH_PUBLIC_SIZE == sizeof(auth_prefix) - 1 +
    ENCODE_BASE32_LEN(ONION_AUTH_KEY_LEN) + 2, ".auth line buffer");
_Static_assert(ONION_AUTH_PRIVATE_SIZE == ONION_ADDRESS_B32_LEN + 1 +
    ONION_AUTH_PUBLIC_SIZE, ".auth_private line buffer");

struct onion_auth {
	uint8_t pub[ONION_AUTH_KEY_LEN];
	uint8_t sec[ONION_AUTH_KEY_LEN];
};

/* Point *why at msg if why is not NULL; return -1. */
static int
fail(const char **why, const char *msg)
{
	if (why != NULL)
		*why = msg;
	return -1;
}

/* out = SHA3-256(".onion checksum" | pubkey | version)[0..2]. */
static int
address_checksum(uint8_t out[2], const uint8_t pubkey[ONION_PUBKEY_LEN],
    uint8_t version)
{
	uint8_t in[sizeof(checksum_prefix) - 1 + ONION_PUBKEY_LEN + 1];
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	memcpy(in, checksum_prefix, sizeof(checksum_prefix) - 1);
	memcpy(in + sizeof(checksum_prefix) - 1, pubkey, ONION_PUBKEY_LEN);
	in[sizeof(in) - 1] = version;
	if (EVP_Digest(in, sizeof(in), md, &mdlen, EVP_sha3_256(), NULL) != 1 ||
	    mdlen != 32)
		return -1;
	memcpy(out, md, 2);
	return 0;
}

/* Write the 56 base32 characters of pubkey's address and a NUL to out. */
static int
address_b32(char out[ONION_ADDRESS_B32_LEN + 1],
    const uint8_t pubkey[ONION_PUBKEY_LEN])
{
	uint8_t raw[ADDRESS_RAW_LEN];

	memcpy(raw, pubkey, ONION_PUBKEY_LEN);
	if (address_checksum(raw + ONION_PUBKEY_LEN, pubkey, ONION_VERSION) != 0)
		return -1;
	raw[ADDRESS_RAW_LEN - 1] = ONION_VERSION;
	encode_base32(out, raw, sizeof(raw));
	return 0;
}

/*
 * onion_address_from_pubkey(out, pubkey):
 * Write the address of the service whose identity key is pubkey to out, as
 * "<56 lowercase base32 characters>.onion" and a NUL (ONION_ADDRESS_SIZE
 * bytes). Return 0, or -1 if SHA3-256 is unavailable.
 */
int
onion_address_from_pubkey(char out[ONION_ADDRESS_SIZE],
    const uint8_t pubkey[ONION_PUBKEY_LEN])
{
	if (address_b32(out, pubkey) != 0)
		return -1;
	memcpy(out + ONION_ADDRESS_B32_LEN, onion_suffix, sizeof(onion_suffix));
	return 0;
}

/*
 * onion_address_parse(pubkey, s, len, why):
 * Parse s[0..len), a v3 address with or without ".onion" (either case), into
 * its identity key. The version byte must be 3, the checksum must match and
 * the key must be a valid ed25519 point. Return 0, or -1 and set *why.
 */
int
onion_address_parse(uint8_t pubkey[ONION_PUBKEY_LEN], const char *s,
    size_t len, const char **why)
{
	uint8_t raw[ADDRESS_RAW_LEN], sum[2];
	const size_t suffix_len = sizeof(onion_suffix) - 1;

	if (len == ONION_ADDRESS_B32_LEN + suffix_len &&
	    strncasecmp(s + ONION_ADDRESS_B32_LEN, onion_suffix, suffix_len) == 0)
		len = ONION_ADDRESS_B32_LEN;
	if (len != ONION_ADDRESS_B32_LEN)
		return fail(why, "not a v3 onion address (56 base32 characters, "
		    "then optionally .onion)");
	if (decode_base32(raw, sizeof(raw), s, len) != 0)
		return fail(why, "not a v3 onion address (not base32)");
	/* Checksum first (it covers the version): a typo anywhere says so. */
	if (address_checksum(sum, raw, raw[ADDRESS_RAW_LEN - 1]) != 0)
		return fail(why, "SHA3-256 is not available from OpenSSL");
	if (memcmp(sum, raw + ONION_PUBKEY_LEN, sizeof(sum)) != 0)
		return fail(why, "onion address checksum mismatch (mistyped?)");
	if (raw[ADDRESS_RAW_LEN - 1] != ONION_VERSION)
		return fail(why, "not a version 3 onion address");
	if (!crypto_core_ed25519_is_valid_point(raw))
		return fail(why, "onion address holds an invalid ed25519 key");
	memcpy(pubkey, raw, ONION_PUBKEY_LEN);
	return 0;
}

/*
 * onion_keyfile_parse(pubkey, buf, len, why):
 * Parse the image of tor's hs_ed25519_public_key file: exactly 64 bytes, the
 * tag "== ed25519v1-public: type0 ==" NUL-padded to 32 bytes, then a valid
 * ed25519 point. Return 0, or -1 and set *why.
 */
int
onion_keyfile_parse(uint8_t pubkey[ONION_PUBKEY_LEN], const uint8_t *buf,
    size_t len, const char **why)
{
	if (len != ONION_KEYFILE_LEN)
		return fail(why, "not a tor hs_ed25519_public_key file "
		    "(size is not 64 bytes)");
	if (memcmp(buf, keyfile_tag, KEYFILE_TAG_LEN) != 0)
		return fail(why, "not a tor hs_ed25519_public_key file "
		    "(no \"== ed25519v1-public: type0 ==\" header)");
	if (!crypto_core_ed25519_is_valid_point(buf + KEYFILE_TAG_LEN))
		return fail(why, "corrupt hs_ed25519_public_key file "
		    "(not a valid ed25519 public key)");
	memcpy(pubkey, buf + KEYFILE_TAG_LEN, ONION_PUBKEY_LEN);
	return 0;
}

/*
 * onion_hostname_parse(pubkey, buf, len, why):
 * Parse the image of tor's hostname file: a valid address with ".onion",
 * then at most one "\n"; nothing else. Return 0, or -1 and set *why.
 */
int
onion_hostname_parse(uint8_t pubkey[ONION_PUBKEY_LEN], const uint8_t *buf,
    size_t len, const char **why)
{
	const size_t want = ONION_ADDRESS_SIZE - 1;

	if (len == want + 1 && buf[want] == '\n')
		len = want;
	if (len != want || memcmp(buf + ONION_ADDRESS_B32_LEN, onion_suffix,
	    sizeof(onion_suffix) - 1) != 0)
		return fail(why, "not a tor hostname file (one line: "
		    "56 base32 characters and .onion)");
	return onion_address_parse(pubkey, (const char *)buf,
	    ONION_ADDRESS_B32_LEN, why);
}

/* Open path for reading; if it is a directory, open name inside it. */
static int
open_in(const char *path, const char *name, const char **why)
{
	int fd, dfd;
	struct stat st;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) < 0)
		return fail(why, strerror(errno));
	if (fstat(fd, &st) != 0)
		goto syserr;
	if (S_ISDIR(st.st_mode)) {
		dfd = fd;
		fd = openat(dfd, name, O_RDONLY | O_NONBLOCK | O_NOCTTY |
		    O_CLOEXEC);
		close(dfd);
		if (fd < 0 && errno == ENOENT)
			return fail(why, strcmp(name, ONION_HOSTNAME_NAME) == 0 ?
			    "directory has no hostname file" :
			    "directory has no hs_ed25519_public_key file");
		if (fd < 0 || fstat(fd, &st) != 0)
			goto syserr;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return fail(why, "not a regular file");
	}
	return fd;
syserr:
	fail(why, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

/*
 * Read up to cap bytes of path (or of name in the directory path) into buf;
 * a file longer than cap - 1 gives len == cap, for the parser to reject.
 */
static int
read_small(const char *path, const char *name, uint8_t *buf, size_t cap,
    size_t *len, const char **why)
{
	size_t got = 0;
	ssize_t n;
	int fd;

	if ((fd = open_in(path, name, why)) < 0)
		return -1;
	while (got < cap) {
		if ((n = read(fd, buf + got, cap - got)) < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fail(why, strerror(errno));
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	*len = got;
	return 0;
}

/*
 * onion_pubkey_read(path, pubkey, why):
 * Read the service identity key from path, either an hs_ed25519_public_key
 * file or a HiddenServiceDir holding one. Return 0, or -1 and set *why.
 */
int
onion_pubkey_read(const char *path, uint8_t pubkey[ONION_PUBKEY_LEN],
    const char **why)
{
	uint8_t buf[ONION_KEYFILE_LEN + 1];
	size_t len;

	if (read_small(path, ONION_KEYFILE_NAME, buf, sizeof(buf), &len,
	    why) != 0)
		return -1;
	return onion_keyfile_parse(pubkey, buf, len, why);
}

/*
 * onion_hostname_read(path, pubkey, why):
 * Read and validate tor's hostname file at path, or in the HiddenServiceDir
 * path, giving the key it names. Return 0, or -1 and set *why.
 */
int
onion_hostname_read(const char *path, uint8_t pubkey[ONION_PUBKEY_LEN],
    const char **why)
{
	uint8_t buf[ONION_ADDRESS_SIZE + 1];
	size_t len;

	if (read_small(path, ONION_HOSTNAME_NAME, buf, sizeof(buf), &len,
	    why) != 0)
		return -1;
	return onion_hostname_parse(pubkey, buf, len, why);
}

/*
 * onion_auth_generate():
 * Make a fresh x25519 key pair for Tor client authorization. The secret is
 * 32 random bytes clamped as X25519 requires, as tor's own key generation
 * stores it (tor clamps again when it uses the key, so either form works).
 * Return it, or NULL on allocation failure.
 */
struct onion_auth *
onion_auth_generate(void)
{
	struct onion_auth *auth;

	if ((auth = sodium_malloc(sizeof(*auth))) == NULL)
		return NULL;
	randombytes_buf(auth->sec, sizeof(auth->sec));
	auth->sec[0] &= 248;
	auth->sec[31] &= 127;
	auth->sec[31] |= 64;
	/* Fails only for an all-zero result, impossible for a clamped key. */
	if (crypto_scalarmult_base(auth->pub, auth->sec) != 0) {
		onion_auth_free(auth);
		return NULL;
	}
	return auth;
}

/* Write "descriptor:x25519:<base32 key>\n" and a NUL to out. */
static void
auth_line(char *out, const uint8_t key[ONION_AUTH_KEY_LEN])
{
	size_t n = sizeof(auth_prefix) - 1;

	memcpy(out, auth_prefix, n);
	/*
	 * encode_base32 indexes a 32-byte table by key bits; acceptable for a
	 * one-shot offline tool, and tor itself encodes these keys the same way.
	 */
	encode_base32(out + n, key, ONION_AUTH_KEY_LEN);
	n += ENCODE_BASE32_LEN(ONION_AUTH_KEY_LEN);
	out[n++] = '\n';
	out[n] = '\0';
}

/*
 * onion_auth_public_line(out, auth):
 * Write "descriptor:x25519:<base32 public key>\n" and a NUL to out
 * (ONION_AUTH_PUBLIC_SIZE bytes): the content of a service's
 * authorized_clients/NAME.auth file.
 */
void
onion_auth_public_line(char out[ONION_AUTH_PUBLIC_SIZE],
    const struct onion_auth *auth)
{
	auth_line(out, auth->pub);
}

/*
 * onion_auth_private_line(out, auth, service):
 * Write "<56-char address>:descriptor:x25519:<base32 secret key>\n" and a NUL
 * to out (ONION_AUTH_PRIVATE_SIZE bytes, which should be sodium_malloc
 * memory: it holds the secret): the content of a client's
 * ClientOnionAuthDir/NAME.auth_private file for the service whose identity
 * key is service. With service NULL the address is not known yet and the
 * line starts with ONION_AUTH_NO_ADDRESS, to be replaced by hand. Return 0,
 * or -1 if SHA3-256 is unavailable.
 */
int
onion_auth_private_line(char out[ONION_AUTH_PRIVATE_SIZE],
    const struct onion_auth *auth, const uint8_t service[ONION_PUBKEY_LEN])
{
	size_t n = ONION_ADDRESS_B32_LEN;

	if (service == NULL) {
		n = strlen(ONION_AUTH_NO_ADDRESS);
		memcpy(out, ONION_AUTH_NO_ADDRESS, n);
	} else if (address_b32(out, service) != 0) {
		return -1;
	}
	out[n] = ':';
	auth_line(out + n + 1, auth->sec);
	return 0;
}

/* onion_auth_free(auth): wipe and free auth. NULL is a no-op. */
void
onion_auth_free(struct onion_auth *auth)
{
	if (auth != NULL)
		sodium_free(auth);	/* sodium_free wipes before freeing */
}
