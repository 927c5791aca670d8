/*
 * utf8: strict UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
 * above U+10FFFF), for the daemon's checks of what reporters type and the
 * offline tool's output of what it decrypts.
 */
#ifndef UTF8_H
#define UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * utf8_decode(p, len, cp):
 * Decode the code point at p (len > 0 bytes available) into *cp. Return its
 * length in bytes (1..4), or 0 if the bytes there are not valid UTF-8.
 */
size_t utf8_decode(const uint8_t *p, size_t len, uint32_t *cp);

/* utf8_encode(out, cp): write cp (a valid code point); return its length. */
size_t utf8_encode(uint8_t out[4], uint32_t cp);

/*
 * utf8_span(p, len, keep):
 * The length of the longest prefix of p[0..len) made of whole, valid code
 * points for which keep(cp) is 1: what a writer may copy out as it is.
 */
size_t utf8_span(const uint8_t *p, size_t len, int (*keep)(uint32_t cp));

/* utf8_valid(p, len): 1 if p[0..len) is entirely valid UTF-8, else 0. */
int utf8_valid(const uint8_t *p, size_t len);

/*
 * utf8_hidden(cp):
 * 1 if cp must never reach a screen or a file name as itself: C0 and C1
 * controls, DEL, direction marks, embeddings, overrides and isolates
 * (U+061C, U+200E/F, U+202A-E, U+2066-9), zero-width and invisible
 * characters (U+200B-D, U+2060-5) and the byte order mark; else 0.
 */
int utf8_hidden(uint32_t cp);

#endif
