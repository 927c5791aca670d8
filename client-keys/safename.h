/*
 * safename: turns an attachment name as submitted (any bytes, chosen by
 * whoever wrote the report, or by a compromised server) into a name that is
 * safe to create inside the output directory and to show in a terminal or a
 * file manager: one path component, valid UTF-8, no control, bidirectional
 * override or invisible characters, no leading dot, at most
 * SAFENAME_MAX bytes, never empty.
 */
#ifndef SAFENAME_H
#define SAFENAME_H

#include <stddef.h>
#include <stdint.h>

#define SAFENAME_MAX 120

/*
 * safename_make(out, in, len):
 * Write the safe name for in[0..len) and a NUL to out (SAFENAME_MAX + 1
 * bytes). Always succeeds.
 */
void safename_make(char out[SAFENAME_MAX + 1], const uint8_t *in, size_t len);

#endif
