/*
 * htmlesc: see htmlesc.h. Bytes that need nothing are sent in runs; the
 * rest are replaced one character at a time.
 */
#include <stdint.h>
#include <string.h>

#include "htmlesc.h"
#include "utf8.h"

static const char replacement[] = "\xef\xbf\xbd";	/* U+FFFD */

/* The entity for c, or NULL if c is copied as it is. */
static const char *
entity(unsigned char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&#39;";
	case '\0':
		return replacement;
	default:
		return NULL;
	}
}

/* The length of the character at p if it is copied as it is, else 0. */
static size_t
plain(const uint8_t *p, size_t len)
{
	uint32_t cp;

	if (p[0] < 0x80)
		return entity(p[0]) == NULL;
	return utf8_decode(p, len, &cp);
}

int
htmlesc(bytes_sink *out, void *ctx, const char *s, size_t len)
{
	const uint8_t *p = (const uint8_t *)s;
	const char *e;
	size_t run = 0, n;
	int rc;

	while (run < len) {
		if ((n = plain(p + run, len - run)) > 0) {
			run += n;
			continue;
		}
		e = p[run] < 0x80 ? entity(p[run]) : replacement;
		if ((run > 0 && (rc = out(ctx, p, run)) != 0) ||
		    (rc = out(ctx, (const uint8_t *)e, strlen(e))) != 0)
			return rc;
		p += run + 1;
		len -= run + 1;
		run = 0;
	}
	return run > 0 ? out(ctx, p, run) : 0;
}
