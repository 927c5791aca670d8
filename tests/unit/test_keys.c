/*
 * test_keys: public key lines, secret key files, strict parsing, for both
 * kinds (analyst, desk signing): each refused where the other is wanted,
 * and the fixed files in tests/vectors/keys (analyst files written before
 * the kind byte existed) still open.
 */
#include <stdio.h>
#include <stdlib.h>
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

/* The analyst key k and the signing key d, each given as the other. */
static void
test_kinds(const struct keys_secret *k, const struct keys_secret *d)
{
	char line[KEYS_SIGN_LINE_LEN + 1], aline[KEYS_PUBLIC_LINE_LEN + 1];
	uint8_t file[KEYS_SECRET_FILE_BYTES], afile[KEYS_SECRET_FILE_BYTES];
	struct keys_secret *o = keys_secret_new();
	struct keys_public p;
	const char *why = NULL;

	keys_sign_public_format(line, &d->pub);
	keys_public_format(aline, &k->pub);
	why = NULL;
	keys_public_parse(&p, line, strlen(line), &why);
	ok(why && strcmp(why, "this is a desk signing key, not an analyst key") == 0,
	    "a signing line given as an analyst key: %s", why);
	why = NULL;
	keys_sign_public_parse(&p, aline, strlen(aline), &why);
	ok(why && strcmp(why, "this is an analyst key, not a desk signing key") == 0,
	    "an analyst line given as a signing key: %s", why);
	snprintf(line, sizeof(line), "odsig1_%s", aline + 6);
	why = NULL;
	keys_sign_public_parse(&p, line, strlen(line), &why);
	ok(why && strstr(why, "checksum"),
	    "an analyst line relabelled odsig1_ (the checksum is keyed by kind): %s", why);
	ok(keys_sign_seal(file, d, NULL, 0, NULL) == 0 &&
	    keys_secret_seal(afile, k, NULL, 0, NULL) == 0, "both kinds sealed");
	why = NULL;
	keys_secret_open(o, file, sizeof(file), NULL, 0, &why);
	ok(why && strcmp(why, "this is a desk signing key, not an analyst key") == 0,
	    "a signing file opened as an analyst key: %s", why);
	why = NULL;
	keys_sign_open(o, afile, sizeof(afile), NULL, 0, &why);
	ok(why && strcmp(why, "this is an analyst key, not a desk signing key") == 0,
	    "an analyst file opened as a signing key: %s", why);
	ok(keys_secret_check(file, sizeof(file), KEYS_SIGNING, &why) == 0 &&
	    keys_secret_check(afile, sizeof(afile), KEYS_ANALYST, &why) == 0 &&
	    keys_secret_check(file, sizeof(file), KEYS_ANALYST, &why) != 0 &&
	    keys_secret_check(afile, sizeof(afile), KEYS_SIGNING, &why) != 0,
	    "keys_secret_check tells the kinds apart before any passphrase");
	file[6] = KEYS_ANALYST;	/* the kind byte is authenticated */
	why = NULL;
	keys_secret_open(o, file, sizeof(file), NULL, 0, &why);
	ok(why && strstr(why, "damaged"), "a signing file relabelled analyst: %s", why);
	afile[6] = 2;
	why = NULL;
	keys_secret_open(o, afile, sizeof(afile), NULL, 0, &why);
	ok(why && strstr(why, "unsupported"), "kind 2: %s", why);
	keys_secret_free(o);
}

static void
test_signing_key(const struct keys_secret *d)
{
	uint8_t pk[32], *sk = sodium_malloc(KEYS_SIGN_EXPANDED_BYTES), sig[64];
	uint8_t file[KEYS_SECRET_FILE_BYTES], bad[KEYS_SECRET_FILE_BYTES];
	char line[KEYS_SIGN_LINE_LEN + 1];
	struct keys_secret *o = keys_secret_new();
	struct keys_public p;
	const char *why = NULL;
	int rejected = 0;

	keys_sign_expand(sk, d);
	crypto_sign_ed25519_sk_to_pk(pk, sk);
	crypto_sign_detached(sig, NULL, (const uint8_t *)"m", 1, sk);
	ok(memcmp(pk, d->pub.pk, 32) == 0 &&
	    crypto_sign_verify_detached(sig, (const uint8_t *)"m", 1, d->pub.pk) == 0,
	    "the expanded secret key signs for the public key");
	keys_sign_public_format(line, &d->pub);
	ok(strlen(line) == KEYS_SIGN_LINE_LEN && strncmp(line, "odsig1_", 7) == 0,
	    "signing line: odsig1_ and %d chars", KEYS_SIGN_LINE_LEN);
	ok(keys_sign_public_parse(&p, line, strlen(line), &why) == 0 &&
	    memcmp(p.pk, d->pub.pk, 32) == 0, "signing line parses back");
	for (size_t i = 7; i < KEYS_SIGN_LINE_LEN; i++) {
		memcpy(bad, line, sizeof(line));
		bad[i] = bad[i] == 'a' ? 'b' : 'a';
		rejected += keys_sign_public_parse(&p, (char *)bad, KEYS_SIGN_LINE_LEN, &why) != 0;
	}
	ok(rejected == KEYS_SIGN_LINE_LEN - 7, "every one-character typo is rejected (%d)", rejected);
	ok(keys_sign_seal(file, d, "pass", 4, &cheap) == 0 &&
	    keys_secret_needs_passphrase(file, sizeof(file)) == 1 &&
	    keys_sign_open(o, file, sizeof(file), "pass", 4, &why) == 0 &&
	    memcmp(o->sk, d->sk, 32) == 0 && memcmp(o->pub.pk, d->pub.pk, 32) == 0,
	    "a signing key round-trips under a passphrase");
	rejected = 0;
	for (size_t i = 0; i < sizeof(file); i++) {
		memcpy(bad, file, sizeof(file));
		bad[i] ^= 0x01;
		rejected += keys_sign_open(o, bad, sizeof(bad), "pass", 4, &why) != 0;
	}
	ok(rejected == (int)sizeof(file), "every flipped bit is rejected (%d of %zu)", rejected, sizeof(file));
	sodium_free(sk);
	keys_secret_free(o);
}

/* Read SOURCE_ROOT/tests/vectors/keys/name into buf; return its length. */
static size_t
vector(const char *name, void *buf, size_t max)
{
	char path[4096];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/tests/vectors/keys/%s", SOURCE_ROOT, name);
	if ((f = fopen(path, "rb")) == NULL)
		return 0;
	n = fread(buf, 1, max, f);
	fclose(f);
	return n;
}

/* A fixed secret file opens (as its kind only) to its fixed public line. */
static void
test_vector(const char *sec, const char *pub, enum keys_kind kind, const char *pass)
{
	uint8_t file[KEYS_SECRET_FILE_BYTES + 1];
	char want[KEYS_SIGN_LINE_LEN + 2] = "", got[KEYS_SIGN_LINE_LEN + 1];
	struct keys_secret *o = keys_secret_new();
	size_t len = vector(sec, file, sizeof(file));
	size_t plen = pass ? strlen(pass) : 0;
	const char *why = NULL;
	int rc, other;

	vector(pub, want, sizeof(want) - 1);
	want[strcspn(want, "\n")] = 0;
	if (kind == KEYS_ANALYST) {
		rc = keys_secret_open(o, file, len, pass, plen, &why);
		keys_public_format(got, &o->pub);
		other = keys_sign_open(o, file, len, pass, plen, &why);
	} else {
		rc = keys_sign_open(o, file, len, pass, plen, &why);
		keys_sign_public_format(got, &o->pub);
		other = keys_secret_open(o, file, len, pass, plen, &why);
	}
	ok(rc == 0 && strcmp(got, want) == 0, "%s opens to %s", sec, pub);
	ok(other != 0 && strstr(why, "not a"), "%s refused as the other kind: %s", sec, why);
	keys_secret_free(o);
}

int
main(void)
{
	struct keys_secret *k, *d;

	if (sodium_init() < 0)
		return 1;
	k = keys_secret_new();
	d = keys_secret_new();
	keys_generate(k);
	keys_sign_generate(d);
	test_public_line(k);
	test_secret_file(k);
	test_kinds(k, d);
	test_signing_key(d);
	test_vector("analyst-v1-nopass.sec", "analyst.pub", KEYS_ANALYST, NULL);
	test_vector("analyst-v1-pass.sec", "analyst.pub", KEYS_ANALYST, "passphrase");
	test_vector("desk-nopass.sec", "desk.pub", KEYS_SIGNING, NULL);
	test_vector("desk-pass.sec", "desk.pub", KEYS_SIGNING, "passphrase");
	keys_secret_free(k);
	keys_secret_free(d);
	keys_secret_free(NULL);
	return tap_done();
}
