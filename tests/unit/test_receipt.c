/*
 * test_receipt: the reply key pair derived from a receipt. Pinned to a
 * value computed outside libsodium (Python: hashlib's keyed BLAKE2b, then
 * SHA-512 and X25519 as crypto_box_seed_keypair does), so a change to the
 * derivation cannot pass unnoticed; the ways a reporter may type a receipt
 * give the same pair, a malformed one returns -1 with a pair no receipt
 * has; the pair opens what was sealed to its public half.
 */
#include <string.h>

#include <sodium.h>

#include "encode.h"
#include "receipt.h"
#include "tap.h"

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

static uint8_t secret[STORE_SECRET_BYTES];

/* The public half derived from text, in hex; its return value in *rc. */
static const char *
pk_hex(const char *text, int *rc)
{
	static char hex[ENCODE_HEX_LEN(RECEIPT_REPLY_KEY_BYTES) + 1];
	uint8_t pk[RECEIPT_REPLY_KEY_BYTES], sk[RECEIPT_REPLY_KEY_BYTES];

	*rc = receipt_reply_keypair(pk, sk, secret, text, strlen(text));
	encode_hex(hex, pk, sizeof(pk));
	return hex;
}

static void
test_pinned(void)
{
	/* python3: seed = blake2b(b"oniondrop-reply-key-1" + b"abcdefghij"
	 * b"klmnopqrstuvwxy", key=bytes(range(32)), digest_size=32);
	 * sk = sha512(seed)[:32]; pk = X25519(sk) */
	static const char want[] =
	    "20314ed78096f06da466064ef6c13d009ee099e3555f96d55a3279c34ffecd2a";
	int rc;

	ok(strcmp(pk_hex("abcde-fghij-klmno-pqrst-uvwxy", &rc), want) == 0 &&
	    rc == 0, "a fixed secret and receipt give the pinned public key");
}

static void
test_variants(void)
{
	static const struct { const char *text, *what; } same[] = {
		{ "abcdefghijklmnopqrstuvwxy", "without dashes" },
		{ "ABCDE-FGHIJ-KLMNO-PQRST-UVWXY", "in capitals" },
		{ "a8cde-fghij-k1mn0-pqrst-uvwxy", "8, 1, 0 for b, l, o" },
		{ "  abcde fghij\tklmno\r\npqrst-uvwxy ", "with spaces, a tab, "
		    "a line break" },
		{ "A8CDE--FGHIJ-K1MN0-PQRST-UVWXY", "all of it, dashes twice" },
	};
	char first[ENCODE_HEX_LEN(RECEIPT_REPLY_KEY_BYTES) + 1];
	int rc;

	strcpy(first, pk_hex("abcde-fghij-klmno-pqrst-uvwxy", &rc));
	for (size_t i = 0; i < NELEMS(same); i++)
		ok(strcmp(pk_hex(same[i].text, &rc), first) == 0 && rc == 0,
		    "typed %s: the same key", same[i].what);
	ok(strcmp(pk_hex("abcde-fghij-klmno-pqrst-uvwxz", &rc), first) != 0 &&
	    rc == 0, "another receipt: another key");
	secret[0] ^= 1;
	ok(strcmp(pk_hex("abcde-fghij-klmno-pqrst-uvwxy", &rc), first) != 0,
	    "another server secret: another key");
	secret[0] ^= 1;
}

static void
test_malformed(void)
{
	static const char *const bad[] = {
		"", "abcde-fghij", "abcde-fghij-klmno-pqrst-uvwx",
		"abcde-fghij-klmno-pqrst-uvwxyz",
		"abcde-fghij-klmno-pqrst-uvwx9",
		"<script>alert(1)</script>",
		"abcde-fghij-klmno-pqrst-uvwx\xc3\xa9",
		"!!!!!!!!!!!!!!!!!!!!!!!!!",
	};
	char filler[ENCODE_HEX_LEN(RECEIPT_REPLY_KEY_BYTES) + 1];
	int rc, all = 1;

	strcpy(filler, pk_hex(bad[0], &rc));
	for (size_t i = 0; i < NELEMS(bad); i++) {
		ok(strcmp(pk_hex(bad[i], &rc), filler) == 0 && rc == -1,
		    "malformed \"%s\": -1, and the pair still derived", bad[i]);
		all &= rc == -1;
	}
	ok(all && strcmp(pk_hex("abcde-fghij-klmno-pqrst-uvwxy", &rc), filler)
	    != 0, "... a pair no receipt has");
}

/* The pair is a working X25519 pair: its secret half opens a sealed box. */
static void
test_opens(void)
{
	static const char msg[] = "Hello, where else did you see it?";
	uint8_t pk[RECEIPT_REPLY_KEY_BYTES], sk[RECEIPT_REPLY_KEY_BYTES];
	uint8_t check[RECEIPT_REPLY_KEY_BYTES];
	uint8_t box[sizeof(msg) + crypto_box_SEALBYTES], out[sizeof(msg)];
	const char *r = "zzzzz-22222-77777-abcde-fghij";

	receipt_reply_keypair(pk, sk, secret, r, strlen(r));
	crypto_scalarmult_base(check, sk);
	ok(memcmp(check, pk, sizeof(pk)) == 0, "pk is sk's public half");
	crypto_box_seal(box, (const uint8_t *)msg, sizeof(msg), pk);
	ok(crypto_box_seal_open(out, box, sizeof(box), pk, sk) == 0 &&
	    memcmp(out, msg, sizeof(msg)) == 0,
	    "a message sealed to pk opens with the derived sk");
	r = "zzzzz-22222-77777-abcde-fghik";
	receipt_reply_keypair(pk, sk, secret, r, strlen(r));
	ok(crypto_box_seal_open(out, box, sizeof(box), pk, sk) != 0,
	    "... and not with another receipt's");
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	for (size_t i = 0; i < sizeof(secret); i++)
		secret[i] = (uint8_t)i;
	test_pinned();
	test_variants();
	test_malformed();
	test_opens();
	return tap_done();
}
