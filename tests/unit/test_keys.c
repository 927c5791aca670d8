/* test_keys: public key lines, secret key files, strict parsing. */
#include <string.h>

#include <sodium.h>

#include "keys.h"
#include "tap.h"

static const struct keys_kdf_cost cheap = { 1, 8192 };

static void
test_public_line(const struct keys_secret *k)
{
	struct keys_public p;
	char line[KEYS_PUBLIC_LINE_LEN + 1], bad[KEYS_PUBLIC_LINE_LEN + 3];
	const char *why = NULL;
	int rejected = 0;

	keys_public_format(line, &k->pub);
	ok(strlen(line) == KEYS_PUBLIC_LINE_LEN, "public line has %d chars", KEYS_PUBLIC_LINE_LEN);
	ok(keys_public_parse(&p, line, strlen(line), &why) == 0 &&
	    memcmp(p.pk, k->pub.pk, 32) == 0 && memcmp(p.id, k->pub.id, 8) == 0,
	    "public line parses back to the same key and id");
	snprintf(bad, sizeof(bad), "%s\n", line);
	ok(keys_public_parse(&p, bad, strlen(bad), &why) == 0, "a final newline is fine");
	for (size_t i = 6; i < KEYS_PUBLIC_LINE_LEN; i++) {
		memcpy(bad, line, sizeof(line));
		bad[i] = bad[i] == 'a' ? 'b' : 'a';
		rejected += keys_public_parse(&p, bad, KEYS_PUBLIC_LINE_LEN, &why) != 0;
	}
	ok(rejected == KEYS_PUBLIC_LINE_LEN - 6, "every one-character typo is rejected (%d)", rejected);
	ok(keys_public_parse(&p, line, KEYS_PUBLIC_LINE_LEN - 1, &why) != 0, "a truncated line is rejected");
	ok(keys_public_parse(&p, "ssh-ed25519 AAAA", 16, &why) != 0 && strstr(why, "odpk1_"),
	    "another kind of key is named as such: %s", why);
}

static void
test_secret_file(const struct keys_secret *k)
{
	uint8_t file[KEYS_SECRET_FILE_BYTES], bad[KEYS_SECRET_FILE_BYTES];
	struct keys_secret *o = keys_secret_new();
	const char *why = NULL;
	int rejected = 0;

	ok(keys_secret_seal(file, k, "correct horse", 13, &cheap) == 0, "seal under a passphrase");
	ok(keys_secret_needs_passphrase(file, sizeof(file)) == 1, "file says it needs a passphrase");
	ok(keys_secret_open(o, file, sizeof(file), "correct horse", 13, &why) == 0 &&
	    memcmp(o->sk, k->sk, 32) == 0, "opens with the right passphrase");
	ok(keys_secret_open(o, file, sizeof(file), "correct hors", 12, &why) != 0 &&
	    strstr(why, "wrong passphrase"), "wrong passphrase: %s", why);
	for (size_t i = 0; i < sizeof(file); i++) {
		memcpy(bad, file, sizeof(file));
		bad[i] ^= 0x01;
		rejected += keys_secret_open(o, bad, sizeof(bad), "correct horse", 13, &why) != 0;
	}
	ok(rejected == (int)sizeof(file), "every flipped bit is rejected (%d of %zu)", rejected, sizeof(file));
	ok(keys_secret_open(o, file, sizeof(file) - 1, "correct horse", 13, &why) != 0,
	    "truncated file rejected");
	memcpy(bad, file, sizeof(file));
	bad[16] = 0xff;	/* memlimit far beyond the bound */
	ok(keys_secret_open(o, bad, sizeof(bad), "x", 1, &why) != 0 && strstr(why, "parameters"),
	    "absurd Argon2id cost refused before any work: %s", why);
	ok(keys_secret_seal(file, k, NULL, 0, NULL) == 0 &&
	    keys_secret_needs_passphrase(file, sizeof(file)) == 0 &&
	    keys_secret_open(o, file, sizeof(file), NULL, 0, &why) == 0 &&
	    memcmp(o->sk, k->sk, 32) == 0, "a key without passphrase round-trips");
	keys_secret_free(o);
}

int
main(void)
{
	struct keys_secret *k;

	if (sodium_init() < 0)
		return 1;
	k = keys_secret_new();
	keys_generate(k);
	test_public_line(k);
	test_secret_file(k);
	keys_secret_free(k);
	keys_secret_free(NULL);
	return tap_done();
}
