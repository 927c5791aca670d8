/*
 * test_onion: lib/onion against published vectors (tor's own test suite,
 * RFC 8032), against files written by a real tor (tests/vectors/onion/), and
 * the strictness of every parser. The client-auth lines are checked by
 * decoding them back: the secret must be the scalar of the public key.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "encode.h"
#include "onion.h"
#include "tap.h"

#define VECTORS SOURCE_ROOT "/tests/vectors/onion"

/* Address of a 32-byte key filled with 0x42: tor's test_hs_common.c. */
static const char addr_42[] =
    "ijbeeqscijbeeqscijbeeqscijbeeqscijbeeqscijbeeqscijbezhid.onion";
/* RFC 8032 section 7.1 TEST 1 public key and its v3 address. */
static const char rfc8032_pub_hex[] =
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
static const char addr_rfc8032[] =
    "25njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenl5sid.onion";
/*
 * From tor's test_hs_common.c: an address that old test calls valid (right
 * checksum) but whose key has a torsion component, which tor 0.4.9 refuses
 * ("has bad pubkey"), and two bad checksums.
 */
static const char addr_tor_torsion[] =
    "p3xnclpu4mu22dwaurjtsybyqk4xfjmcfz6z62yl24uwmhjatiwnlnad";
static const char *const addr_tor_badsum[] = {
	"l5satjgud6gucryazcyvyvhuxhr74u6ygigiuyixe3a6ysis67ororad",
	"btojiu7nu5y5iwut64eufevogqdw4wmqzugnoluw232r4t3ecsfv37ad",
};

/* Check that call fails and that the reason it gives contains needle. */
#define REFUSED(call, needle, name) do {				\
	int rc_;							\
	why = "";							\
	rc_ = (call);							\
	ok(rc_ != 0 && strstr(why, (needle)) != NULL, "%s: %s", (name),	\
	    why);							\
} while (0)

static char tmpdir[] = "/tmp/test_onion.XXXXXX";

static int
parse_str(uint8_t pub[ONION_PUBKEY_LEN], const char *s)
{
	return onion_address_parse(pub, s, strlen(s), NULL);
}

static void
test_known_answers(void)
{
	uint8_t pub[ONION_PUBKEY_LEN], back[ONION_PUBKEY_LEN];
	char addr[ONION_ADDRESS_SIZE];
	const char *why = "";

	memset(pub, 0x42, sizeof(pub));
	ok(onion_address_from_pubkey(addr, pub) == 0 &&
	    strcmp(addr, addr_42) == 0, "tor vector: 0x42 key gives %s", addr);
	/* tor also refuses this one since it checks for a torsion component. */
	ok(parse_str(back, addr_42) != 0,
	    "0x42 key is not a valid ed25519 point, so its address is refused");

	ok(decode_hex(pub, sizeof(pub), rfc8032_pub_hex,
	    strlen(rfc8032_pub_hex)) == 0, "RFC 8032 test 1 key decodes");
	ok(onion_address_from_pubkey(addr, pub) == 0 &&
	    strcmp(addr, addr_rfc8032) == 0, "RFC 8032 test 1 key gives %s", addr);
	ok(parse_str(back, addr_rfc8032) == 0 &&
	    memcmp(back, pub, sizeof(pub)) == 0,
	    "RFC 8032 address parses back to its key");

	REFUSED(onion_address_parse(back, addr_tor_torsion,
	    ONION_ADDRESS_B32_LEN, &why), "ed25519",
	    "torsion-component key refused, as tor does");
	for (size_t i = 0; i < 2; i++)
		ok(parse_str(back, addr_tor_badsum[i]) != 0,
		    "tor's bad-checksum address %zu refused", i);
}

static void
test_tor_generated(void)
{
	uint8_t pub[ONION_PUBKEY_LEN], host[ONION_PUBKEY_LEN];
	char addr[ONION_ADDRESS_SIZE], hostname[ONION_ADDRESS_SIZE + 1];
	const char *why = "ok";
	FILE *f;
	int rc;

	rc = onion_pubkey_read(VECTORS, pub, &why);
	ok(rc == 0, "key read from the vector HiddenServiceDir (%s)", why);
	ok(onion_pubkey_read(VECTORS "/hs_ed25519_public_key", host, NULL) == 0 &&
	    memcmp(pub, host, sizeof(pub)) == 0, "same key read from the file");
	ok(onion_hostname_read(VECTORS, host, NULL) == 0 &&
	    memcmp(pub, host, sizeof(pub)) == 0,
	    "tor's hostname file names the same key");
	memset(hostname, 0, sizeof(hostname));
	if ((f = fopen(VECTORS "/hostname", "r")) != NULL) {
		if (fgets(hostname, sizeof(hostname), f) == NULL)
			hostname[0] = '\0';
		fclose(f);
	}
	hostname[strcspn(hostname, "\n")] = '\0';
	ok(onion_address_from_pubkey(addr, pub) == 0 &&
	    strcmp(addr, hostname) == 0, "computed address equals tor's: %s",
	    addr);
}

/* Build key's address as it would be with version 4, checksum and all. */
static int
version4_address(char out[ONION_ADDRESS_B32_LEN + 1],
    const uint8_t key[ONION_PUBKEY_LEN])
{
	uint8_t in[15 + 32 + 1], md[EVP_MAX_MD_SIZE], raw[35];
	unsigned int mdlen;

	memcpy(in, ".onion checksum", 15);
	memcpy(in + 15, key, 32);
	in[47] = 4;
	if (EVP_Digest(in, sizeof(in), md, &mdlen, EVP_sha3_256(), NULL) != 1)
		return -1;
	memcpy(raw, key, 32);
	memcpy(raw + 32, md, 2);
	raw[34] = 4;
	encode_base32(out, raw, sizeof(raw));
	return 0;
}

static void
test_address_strictness(void)
{
	uint8_t pub[ONION_PUBKEY_LEN], sum_ok[ONION_PUBKEY_LEN];
	char addr[ONION_ADDRESS_SIZE], bad[ONION_ADDRESS_SIZE + 8];
	static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";
	const char *why = NULL;
	int rejected = 0;

	ok(parse_str(sum_ok, addr_rfc8032) == 0, "with .onion");
	ok(onion_address_parse(pub, addr_rfc8032, ONION_ADDRESS_B32_LEN,
	    NULL) == 0, "without .onion");
	ok(parse_str(pub, "25NJQAMCWEFLPVKL73J4SZAHHIHOC4XT3KTCGJNPAINGR5YHKENL5SID"
	    ".ONION") == 0 && memcmp(pub, sum_ok, sizeof(pub)) == 0,
	    "upper case accepted");
	/* Every single-character change anywhere is refused. */
	for (size_t i = 0; i < ONION_ADDRESS_B32_LEN; i++) {
		memcpy(bad, addr_rfc8032, sizeof(addr_rfc8032));
		bad[i] = b32[(strchr(b32, bad[i]) - b32 + 1 + (int)(i % 31)) % 32];
		rejected += parse_str(pub, bad) != 0;
	}
	is_int(rejected, ONION_ADDRESS_B32_LEN, "one changed character refused "
	    "at every position");
	memcpy(bad, addr_rfc8032, sizeof(addr_rfc8032));
	bad[10] = bad[10] == 'a' ? 'b' : 'a';
	REFUSED(onion_address_parse(pub, bad, strlen(bad), &why), "checksum",
	    "a typo is reported as a checksum mismatch");

	ok(parse_str(pub, "") != 0, "empty refused");
	ok(onion_address_parse(pub, addr_rfc8032, 55, NULL) != 0, "55 chars refused");
	ok(onion_address_parse(pub, addr_rfc8032, 57, NULL) != 0, "57 chars refused");
	ok(onion_address_parse(pub, addr_rfc8032, 61, NULL) != 0, ".onio refused");
	snprintf(bad, sizeof(bad), "%.56s.onionx", addr_rfc8032);
	ok(parse_str(pub, bad) != 0, "trailing junk refused");
	snprintf(bad, sizeof(bad), "%.56s:onion", addr_rfc8032);
	ok(parse_str(pub, bad) != 0, "wrong separator refused");
	memcpy(bad, addr_rfc8032, sizeof(addr_rfc8032));
	bad[20] = '1';
	ok(parse_str(pub, bad) != 0, "non-base32 character refused");
	memcpy(bad, addr_rfc8032, sizeof(addr_rfc8032));
	bad[20] = '\0';
	ok(onion_address_parse(pub, bad, strlen(addr_rfc8032), NULL) != 0,
	    "embedded NUL refused");

	/* A right checksum for version 4 is still not a v3 address. */
	ok(version4_address(bad, sum_ok) == 0, "version 4 address built");
	REFUSED(onion_address_parse(pub, bad, strlen(bad), &why), "version",
	    "version 4 refused");

	/* The all-zero key has small order: right checksum, still refused. */
	memset(pub, 0, sizeof(pub));
	ok(onion_address_from_pubkey(addr, pub) == 0, "zero key's address");
	REFUSED(onion_address_parse(sum_ok, addr, strlen(addr), &why), "ed25519",
	    "small-order key refused");
}

static void
test_keyfile_parse(void)
{
	uint8_t img[ONION_KEYFILE_LEN + 1], pub[ONION_PUBKEY_LEN];
	const char *why = NULL;
	int fd;
	ssize_t n = -1;

	if ((fd = open(VECTORS "/hs_ed25519_public_key", O_RDONLY)) >= 0) {
		n = read(fd, img, sizeof(img));
		close(fd);
	}
	is_int(n, ONION_KEYFILE_LEN, "vector key file is 64 bytes");
	ok(onion_keyfile_parse(pub, img, 64, NULL) == 0, "image parses");
	REFUSED(onion_keyfile_parse(pub, img, 63, &why), "64", "63 bytes refused");
	img[64] = '\n';
	ok(onion_keyfile_parse(pub, img, 65, NULL) != 0, "65 bytes refused");
	ok(onion_keyfile_parse(pub, img, 0, NULL) != 0, "empty refused");
	img[3] ^= 0x20;
	REFUSED(onion_keyfile_parse(pub, img, 64, &why), "header",
	    "changed tag refused");
	img[3] ^= 0x20;
	img[30] = ' ';
	ok(onion_keyfile_parse(pub, img, 64, NULL) != 0,
	    "non-NUL padding refused");
	img[30] = '\0';
	memcpy(img + 17, "secret", 6);
	ok(onion_keyfile_parse(pub, img, 64, NULL) != 0,
	    "secret-key tag refused");
	memcpy(img, "== ed25519v1-public: type0 ==\0\0\0", 32);
	memset(img + 32, 0, 32);
	REFUSED(onion_keyfile_parse(pub, img, 64, &why), "ed25519",
	    "invalid point refused");
}

static void
test_hostname_parse(void)
{
	uint8_t pub[ONION_PUBKEY_LEN];
	char buf[80];
	const uint8_t *b = (const uint8_t *)buf;

	snprintf(buf, sizeof(buf), "%s\n", addr_rfc8032);
	ok(onion_hostname_parse(pub, b, 63, NULL) == 0, "hostname with newline");
	ok(onion_hostname_parse(pub, b, 62, NULL) == 0, "hostname without newline");
	snprintf(buf, sizeof(buf), "%s\r\n", addr_rfc8032);
	ok(onion_hostname_parse(pub, b, 64, NULL) != 0, "CRLF refused");
	snprintf(buf, sizeof(buf), "%s\n\n", addr_rfc8032);
	ok(onion_hostname_parse(pub, b, 64, NULL) != 0, "two newlines refused");
	snprintf(buf, sizeof(buf), "%s ", addr_rfc8032);
	ok(onion_hostname_parse(pub, b, 63, NULL) != 0, "trailing space refused");
	snprintf(buf, sizeof(buf), "%.56s\n", addr_rfc8032);
	ok(onion_hostname_parse(pub, b, 57, NULL) != 0, "missing .onion refused");
	snprintf(buf, sizeof(buf), "%s\n", addr_tor_badsum[0]);
	ok(onion_hostname_parse(pub, b, strlen(buf), NULL) != 0,
	    "bad checksum refused");
}

/* Write len bytes of data to tmpdir/name; return the path (static). */
static const char *
put(const char *name, const void *data, size_t len)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	if ((f = fopen(path, "wb")) != NULL) {
		fwrite(data, 1, len, f);
		fclose(f);
	}
	return path;
}

static void
test_file_reading(void)
{
	uint8_t pub[ONION_PUBKEY_LEN];
	char img[ONION_KEYFILE_LEN + 8];
	const char *why = NULL;
	int fd;
	ssize_t n = 0;

	if ((fd = open(VECTORS "/hs_ed25519_public_key", O_RDONLY)) >= 0) {
		n = read(fd, img, ONION_KEYFILE_LEN);
		close(fd);
	}
	ok(mkdtemp(tmpdir) != NULL, "temporary directory");
	REFUSED(onion_pubkey_read(tmpdir, pub, &why), "hs_ed25519_public_key",
	    "directory without a key");
	REFUSED(onion_hostname_read(tmpdir, pub, &why), "hostname",
	    "directory without a hostname");
	ok(onion_pubkey_read(put("short", img, 40), pub, NULL) != 0,
	    "truncated key file refused");
	memset(img + n, 0, 8);
	ok(onion_pubkey_read(put("long", img, 72), pub, NULL) != 0,
	    "key file with trailing bytes refused");
	ok(onion_pubkey_read(put(ONION_KEYFILE_NAME, img, 64), pub, NULL) == 0 &&
	    onion_pubkey_read(tmpdir, pub, NULL) == 0, "copied key file read");
	REFUSED(onion_pubkey_read("/nonexistent/x", pub, &why),
	    strerror(ENOENT), "missing file");
	REFUSED(onion_pubkey_read("/dev/null", pub, &why), "regular",
	    "device refused");
	unlink(put("short", "", 0));
	unlink(put("long", "", 0));
	unlink(put(ONION_KEYFILE_NAME, "", 0));
	rmdir(tmpdir);
}

/* Split "...descriptor:x25519:<b32>\n" and decode the key; 0 on success. */
static int
auth_key(uint8_t key[32], const char *line, size_t prefix_len)
{
	static const char mid[] = "descriptor:x25519:";
	const char *k = line + prefix_len + strlen(mid);

	if (strlen(line) != prefix_len + strlen(mid) + 52 + 1 ||
	    strncmp(line + prefix_len, mid, strlen(mid)) != 0 ||
	    k[52] != '\n' || strspn(k, "abcdefghijklmnopqrstuvwxyz234567") != 52)
		return -1;
	return decode_base32(key, 32, k, 52);
}

static void
test_auth(void)
{
	struct onion_auth *a, *b;
	char pub_line[ONION_AUTH_PUBLIC_SIZE], pub_line2[ONION_AUTH_PUBLIC_SIZE];
	char *priv_line = sodium_malloc(ONION_AUTH_PRIVATE_SIZE);
	uint8_t service[ONION_PUBKEY_LEN], pub[32], sec[32], derived[32];

	ok(priv_line != NULL, "secure buffer");
	ok(parse_str(service, addr_rfc8032) == 0, "service key");
	ok((a = onion_auth_generate()) != NULL, "key pair generated");
	onion_auth_public_line(pub_line, a);
	ok(onion_auth_private_line(priv_line, a, service) == 0, "private line");
	is_int(strlen(pub_line), 71, ".auth line length");
	is_int(strlen(priv_line), 128, ".auth_private line length");
	ok(auth_key(pub, pub_line, 0) == 0, ".auth is descriptor:x25519:<52 "
	    "lowercase base32>\\n: %.*s", 70, pub_line);
	ok(strncmp(priv_line, addr_rfc8032, 56) == 0 && priv_line[56] == ':',
	    ".auth_private starts with the 56-character address and ':'");
	ok(auth_key(sec, priv_line, 57) == 0, ".auth_private key field decodes");
	ok(crypto_scalarmult_base(derived, sec) == 0 &&
	    memcmp(derived, pub, 32) == 0,
	    "X25519(secret, basepoint) is the public key");
	ok((sec[0] & 7) == 0 && (sec[31] & 0xc0) == 0x40, "secret is clamped");
	ok((b = onion_auth_generate()) != NULL, "second key pair");
	onion_auth_public_line(pub_line2, b);
	ok(strcmp(pub_line, pub_line2) != 0, "two key pairs differ");
	onion_auth_free(a);
	onion_auth_free(b);
	onion_auth_free(NULL);
	ok(1, "onion_auth_free(NULL) is a no-op");
	sodium_memzero(sec, sizeof(sec));
	sodium_free(priv_line);
}

int
main(void)
{
	if (sodium_init() < 0) {
		printf("Bail out! sodium_init failed\n");
		return 1;
	}
	test_known_answers();
	test_tor_generated();
	test_address_strictness();
	test_keyfile_parse();
	test_hostname_parse();
	test_file_reading();
	test_auth();
	return tap_done();
}
