/*
 * receipt: what a reporter keeps, and the form's anti-forgery token.
 *
 * A receipt is 125 random bits written as 25 base32 letters and digits in
 * five groups ("abcde-fghij-klmno-pqrst-uvwxy"): easy to copy by hand. The
 * server keeps only a keyed BLAKE2b hash of it (key: the server secret).
 * With that much entropy a slow hash would add cost and no safety.
 *
 * The reply key pair is derived from a receipt (and the server secret), so
 * the server keeps nothing of it: its public half is sealed inside the
 * report, and the analysts seal their messages to it; the reporter's
 * receipt opens them again.
 *
 * A token is the hour it was made and a keyed MAC of that hour: stateless,
 * valid for a day, so a reporter on a slow circuit has time.
 */
#ifndef RECEIPT_H
#define RECEIPT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "store.h"

#define RECEIPT_CHARS 25
#define RECEIPT_TEXT_MAX (RECEIPT_CHARS + 4)	/* with the dashes */
#define TOKEN_TEXT_LEN 40

/* receipt_new(text): a fresh receipt, grouped, NUL-terminated. */
void receipt_new(char text[RECEIPT_TEXT_MAX + 1]);

/*
 * receipt_hash(hash, secret, text, len):
 * Hash a receipt as a reporter typed it: case, spaces and dashes do not
 * matter, and 0, 1 and 8 are read as o, l and b. Return 0, or -1 if it
 * cannot be a receipt (then hash is still filled, with a value no receipt
 * has, so that a wrong receipt is handled like an unknown one).
 */
int receipt_hash(uint8_t hash[STORE_RECEIPT_HASH_BYTES],
    const uint8_t secret[STORE_SECRET_BYTES], const char *text, size_t len);

#define RECEIPT_REPLY_KEY_BYTES 32	/* X25519, public or secret */

/*
 * receipt_reply_keypair(pk, sk, secret, text, len):
 * Derive a receipt's reply key pair: seed = BLAKE2b-256(key = secret,
 * "oniondrop-reply-key-1" || the 25 canonical letters), then
 * crypto_box_seed_keypair. The receipt is read as receipt_hash reads it
 * (case, spaces, dashes; 0, 1, 8). sk should be in the caller's locked
 * memory; the caller wipes it. Return 0, or -1 if text cannot be a
 * receipt (then the pair is still derived, from letters no receipt has,
 * so that a malformed receipt costs what a well-formed one does).
 */
int receipt_reply_keypair(uint8_t pk[RECEIPT_REPLY_KEY_BYTES],
    uint8_t sk[RECEIPT_REPLY_KEY_BYTES],
    const uint8_t secret[STORE_SECRET_BYTES], const char *text, size_t len);

/* token_make(text, secret, now): a token for a form served at now. */
void token_make(char text[TOKEN_TEXT_LEN + 1],
    const uint8_t secret[STORE_SECRET_BYTES], time_t now);

/* token_check(secret, text, len, now): 1 if the token is genuine and
 * at most a day old, else 0. */
int token_check(const uint8_t secret[STORE_SECRET_BYTES], const char *text,
    size_t len, time_t now);

#endif
