/*
 * json: the little JSON report.json needs: strings, written so that any
 * bytes (the payload is not trusted to be UTF-8) come out as valid JSON.
 */
#ifndef JSON_H
#define JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * json_string(f, s, len):
 * Write s[0..len) as a quoted JSON string: valid UTF-8 is kept, control
 * characters, quotes, backslashes and U+2028/U+2029 are escaped, and each
 * invalid byte becomes U+FFFD.
 */
void json_string(FILE *f, const uint8_t *s, size_t len);

#endif
