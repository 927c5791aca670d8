/*
 * onion: Tor v3 onion services as seen from outside tor. Owns the address
 * encoding of rend-spec-v3 (base32 of PUBKEY | CHECKSUM | VERSION, with
 * CHECKSUM = SHA3-256(".onion checksum" | PUBKEY | VERSION)[0..2] and
 * VERSION = 3), the parsing of the files tor writes into a HiddenServiceDir
 * (hs_ed25519_public_key, hostname), and the x25519 client-authorization key
 * pairs with their two one-line text formats (authorized_clients/NAME.auth on
 * the service, ClientOnionAuthDir/NAME.auth_private on the client).
 *
 * Parsers never print: on error they return -1 and, if why is not NULL, point
 * *why at a static (or strerror) phrase naming the problem, so each caller
 * reports it once in its own way. Callers must have run sodium_init().
 */
#ifndef ONION_H
#define ONION_H

#include <stddef.h>
#include <stdint.h>

/* An ed25519 service identity key; an x25519 client-authorization key. */
#define ONION_PUBKEY_LEN 32
#define ONION_AUTH_KEY_LEN 32

/* The 56 base32 characters of an address, without ".onion". */
#define ONION_ADDRESS_B32_LEN 56
/* Room for "<56 chars>.onion" and its NUL. */
#define ONION_ADDRESS_SIZE (ONION_ADDRESS_B32_LEN + 6 + 1)

/* tor's hs_ed25519_public_key: a 32-byte NUL-padded tag, then the key. */
#define ONION_KEYFILE_LEN 64
#define ONION_KEYFILE_NAME "hs_ed25519_public_key"
#define ONION_HOSTNAME_NAME "hostname"

/* Room for the text of a .auth / .auth_private file, newline and NUL. */
#define ONION_AUTH_PUBLIC_SIZE (18 + 52 + 1 + 1)
#define ONION_AUTH_PRIVATE_SIZE (ONION_ADDRESS_B32_LEN + 1 + 18 + 52 + 1 + 1)

/* An x25519 client-authorization key pair; lives in sodium_malloc memory. */
struct onion_auth;

/*
 * onion_address_from_pubkey(out, pubkey):
 * Write the address of the service whose identity key is pubkey to out, as
 * "<56 lowercase base32 characters>.onion" and a NUL (ONION_ADDRESS_SIZE
 * bytes). Return 0, or -1 if SHA3-256 is unavailable.
 */
int onion_address_from_pubkey(char out[ONION_ADDRESS_SIZE],
    const uint8_t pubkey[ONION_PUBKEY_LEN]);

/*
 * onion_address_parse(pubkey, s, len, why):
 * Parse s[0..len), a v3 address with or without ".onion" (either case), into
 * its identity key. The version byte must be 3, the checksum must match and
 * the key must be a valid ed25519 point. Return 0, or -1 and set *why.
 */
int onion_address_parse(uint8_t pubkey[ONION_PUBKEY_LEN], const char *s,
    size_t len, const char **why);

/*
 * onion_keyfile_parse(pubkey, buf, len, why):
 * Parse the image of tor's hs_ed25519_public_key file: exactly 64 bytes, the
 * tag "== ed25519v1-public: type0 ==" NUL-padded to 32 bytes, then a valid
 * ed25519 point. Return 0, or -1 and set *why.
 */
int onion_keyfile_parse(uint8_t pubkey[ONION_PUBKEY_LEN], const uint8_t *buf,
    size_t len, const char **why);

/*
 * onion_hostname_parse(pubkey, buf, len, why):
 * Parse the image of tor's hostname file: a valid address with ".onion",
 * then at most one "\n"; nothing else. Return 0, or -1 and set *why.
 */
int onion_hostname_parse(uint8_t pubkey[ONION_PUBKEY_LEN], const uint8_t *buf,
    size_t len, const char **why);

/*
 * onion_pubkey_read(path, pubkey, why):
 * Read the service identity key from path, either an hs_ed25519_public_key
 * file or a HiddenServiceDir holding one. Return 0, or -1 and set *why.
 */
int onion_pubkey_read(const char *path, uint8_t pubkey[ONION_PUBKEY_LEN],
    const char **why);

/*
 * onion_hostname_read(path, pubkey, why):
 * Read and validate tor's hostname file at path, or in the HiddenServiceDir
 * path, giving the key it names. Return 0, or -1 and set *why.
 */
int onion_hostname_read(const char *path, uint8_t pubkey[ONION_PUBKEY_LEN],
    const char **why);

/*
 * onion_auth_generate():
 * Make a fresh x25519 key pair for Tor client authorization. The secret is
 * 32 random bytes clamped as X25519 requires, as tor's own key generation
 * stores it (tor clamps again when it uses the key, so either form works).
 * Return it, or NULL on allocation failure.
 */
struct onion_auth *onion_auth_generate(void);

/*
 * onion_auth_public_line(out, auth):
 * Write "descriptor:x25519:<base32 public key>\n" and a NUL to out
 * (ONION_AUTH_PUBLIC_SIZE bytes): the content of a service's
 * authorized_clients/NAME.auth file.
 */
void onion_auth_public_line(char out[ONION_AUTH_PUBLIC_SIZE],
    const struct onion_auth *auth);

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
#define ONION_AUTH_NO_ADDRESS "ONION-ADDRESS-WITHOUT-DOT-ONION"
int onion_auth_private_line(char out[ONION_AUTH_PRIVATE_SIZE],
    const struct onion_auth *auth, const uint8_t service[ONION_PUBKEY_LEN]);

/* onion_auth_free(auth): wipe and free auth. NULL is a no-op. */
void onion_auth_free(struct onion_auth *auth);

#endif
