/*
 * receipt: what a reporter keeps, and the form's anti-forgery token.
 *
 * A receipt is 125 random bits written as 25 base32 letters and digits in
 * five groups ("abcde-fghij-klmno-pqrst-uvwxy"): easy to copy by hand. The
 * server keeps only a keyed BLAKE2b hash of it (key: the server secret).
 * With that much entropy a slow hash would add cost and no safety.
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

/* token_make(text, secret, now): a token for a form served at now. */
void token_make(char text[TOKEN_TEXT_LEN + 1],
    const uint8_t secret[STORE_SECRET_BYTES], time_t now);

/* token_check(secret, text, len, now): 1 if the token is genuine and
 * at most a day old, else 0. */
int token_check(const uint8_t secret[STORE_SECRET_BYTES], const char *text,
    size_t len, time_t now);

#endif
