/*
 * html: see html.h. lib/htmlesc escapes; this only appends to the page.
 */
#include <stdint.h>
#include <string.h>

#include "html.h"
#include "htmlesc.h"

/* A bytes_sink that appends to an evbuffer. */
static int
append(void *ctx, const uint8_t *buf, size_t len)
{
	return evbuffer_add(ctx, buf, len);
}

void
html_escape(struct evbuffer *out, const char *s, size_t len)
{
	htmlesc(append, out, s, len);
}

void
html_escape_str(struct evbuffer *out, const char *s)
{
	html_escape(out, s, strlen(s));
}
