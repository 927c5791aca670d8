/*
 * htmlesc: text on its way into an HTML page, for the two contexts pages
 * put untrusted text in: element text and double-quoted attribute values.
 * One escaping serves both: & < > " and ' become entities, so nothing
 * escaped can open a tag, end an attribute or start an entity, and NUL
 * bytes and invalid UTF-8 become U+FFFD, so the page stays valid UTF-8
 * whatever it was given. The daemon's pages (daemon/html.c, into an
 * evbuffer) and the desk's contact sheet (client-keys/deskout.c, into a
 * file) both escape through it. Escaped text never goes into an unquoted
 * attribute, a URL, style or script.
 */
#ifndef HTMLESC_H
#define HTMLESC_H

#include <stddef.h>

#include "sink.h"

/*
 * htmlesc(out, ctx, s, len):
 * Send s[0..len), escaped, to out(ctx, ...) in order: runs that need
 * nothing as they are, each other character replaced. Return 0, or the
 * first non-zero value out returned (nothing is sent after it).
 */
int htmlesc(bytes_sink *out, void *ctx, const char *s, size_t len);

#endif
