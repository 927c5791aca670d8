/*
 * mkoutcome: a test tool that writes what the desk signs, with the fixed
 * test desk key (Ed25519 seed 0x5a x 32, as in test_outcome and
 * fuzz_outcome), byte by byte and nothing checked, so that the seeds of
 * fuzz_outcome reach past the signature, into every entry rule.
 *
 *   mkoutcome OUT < spec      an outcome file; spec lines:
 *     file SEQ DAY [COUNT]    the header (COUNT: the entries written)
 *     entry N STATUS DAY LEN  report id N (big-endian in the last 4 bytes),
 *                             a message of LEN fixed pseudo-random bytes
 *     bytes HEX               these bytes as they are
 *   mkoutcome --key PREFIX [PASSPHRASE]
 *                             PREFIX.sec (under PASSPHRASE with Argon2id's
 *                             cheapest cost, or none) and PREFIX.pub
 * The same spec always gives the same file (Ed25519 signs deterministically).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "encode.h"
#include "keys.h"
#include "outcome.h"

#define SEED_BYTE 0x5a

static uint8_t buf[OUTCOME_FILE_MAX];
static size_t len = OUTCOME_HEADER_BYTES;

static void
die(const char *what)
{
	fprintf(stderr, "mkoutcome: %s\n", what);
	exit(1);
}

static void
put(const void *p, size_t n)
{
	if (n > sizeof(buf) - OUTCOME_SIG_BYTES - len)
		die("file too large");
	memcpy(buf + len, p, n);
	len += n;
}

static void
put_entry(uint32_t n, unsigned status, uint32_t day, unsigned mlen)
{
	static const uint8_t mseed[randombytes_SEEDBYTES] = { 1 };
	static uint8_t msg[65535];
	uint8_t e[OUTCOME_ENTRY_FIXED] = { 0 };

	encode_be32(e + ENVELOPE_ID_BYTES - 4, n);
	e[ENVELOPE_ID_BYTES] = (uint8_t)status;
	encode_be32(e + ENVELOPE_ID_BYTES + 1, day);
	encode_be16(e + ENVELOPE_ID_BYTES + 5, (uint16_t)mlen);
	randombytes_buf_deterministic(msg, mlen, mseed);
	put(e, sizeof(e));
	put(msg, mlen);
}

static void
put_hex(const char *hex)
{
	uint8_t b[4096];
	size_t n = strlen(hex) / 2;

	if (n > sizeof(b) || decode_hex(b, n, hex, 2 * n) != 0)
		die("bad hex");
	put(b, n);
}

static void
read_spec(const uint8_t pk[32])
{
	char line[8300], hex[8200];
	unsigned long long seq, day, id, st, eday, mlen;
	long long count = -1;
	uint32_t n = 0;

	while (fgets(line, sizeof(line), stdin) != NULL) {
		if (sscanf(line, "file %llu %llu %lld", &seq, &day, &count) >= 2) {
			memcpy(buf, OUTCOME_MAGIC, 4);
			buf[4] = 1;
			memcpy(buf + 8, pk, 32);
			encode_be64(buf + 40, seq);
			encode_be32(buf + 48, (uint32_t)day);
		} else if (sscanf(line, "entry %llu %llu %llu %llu", &id, &st,
		    &eday, &mlen) == 4) {
			put_entry((uint32_t)id, (unsigned)st, (uint32_t)eday,
			    (unsigned)mlen);
			n++;
		} else if (sscanf(line, "bytes %8199s", hex) == 1) {
			put_hex(hex);
		} else if (line[0] != '\n') {
			die("bad spec line");
		}
	}
	encode_be32(buf + 52, count >= 0 ? (uint32_t)count : n);
}

static void
write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(p, 1, n, f) != n || fclose(f) != 0)
		die(path);
}

static void
key_files(const char *prefix, const char *pass, const uint8_t seed[32])
{
	static const struct keys_kdf_cost cheap = { 1, 8192 };
	struct keys_secret *s = keys_secret_new();
	uint8_t file[KEYS_SECRET_FILE_BYTES], sk[64];
	char line[KEYS_SIGN_LINE_LEN + 2], path[4096];

	if (s == NULL)
		die("out of memory");
	memcpy(s->sk, seed, 32);
	crypto_sign_seed_keypair(s->pub.pk, sk, seed);
	keys_sign_public_format(line, &s->pub);
	strcat(line, "\n");
	if (keys_sign_seal(file, s, pass, pass ? strlen(pass) : 0, &cheap) != 0)
		die("cannot seal");
	snprintf(path, sizeof(path), "%s.sec", prefix);
	write_file(path, file, sizeof(file));
	snprintf(path, sizeof(path), "%s.pub", prefix);
	write_file(path, line, strlen(line));
	keys_secret_free(s);
}

int
main(int argc, char *argv[])
{
	uint8_t seed[32], pk[32], sk[64];

	if (sodium_init() < 0)
		die("libsodium");
	memset(seed, SEED_BYTE, sizeof(seed));
	if (argc >= 3 && strcmp(argv[1], "--key") == 0) {
		key_files(argv[2], argc > 3 ? argv[3] : NULL, seed);
		return 0;
	}
	if (argc != 2)
		die("usage: mkoutcome OUT < spec | mkoutcome --key PREFIX [PASS]");
	crypto_sign_seed_keypair(pk, sk, seed);
	read_spec(pk);
	crypto_sign_detached(buf + len, NULL, buf, len, sk);
	write_file(argv[1], buf, len + OUTCOME_SIG_BYTES);
	return 0;
}
