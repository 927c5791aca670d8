/*
 * html: see html.h. Bytes that need nothing are copied in runs; the rest
 * are replaced one character at a time.
 */
#include <stdint.h>
#include <string.h>

#include "html.h"
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

void
html_escape(struct evbuffer *out, const char *s, size_t len)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t run = 0, n;

	while (run < len) {
		if ((n = plain(p + run, len - run)) > 0) {
			run += n;
			continue;
		}
		evbuffer_add(out, p, run);
		if (p[run] < 0x80)
			evbuffer_add(out, entity(p[run]), strlen(entity(p[run])));
		else
			evbuffer_add(out, replacement, sizeof(replacement) - 1);
		p += run + 1;
		len -= run + 1;
		run = 0;
	}
	evbuffer_add(out, p, run);
}

void
html_escape_str(struct evbuffer *out, const char *s)
{
	html_escape(out, s, strlen(s));
}
