/*
 * fuzz_url: client-keys/url on hostile lines. Whatever it accepts must be
 * printable ASCII, NUL-terminated, an http(s) URL on the host it names, and
 * a fixed point: canonicalizing the canonical URL (if it is not longer
 * than a line may be) gives it back, host included. A line it calls text must leave out as it was.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct url_canonical out, again, blank;

/* Abort unless s, within a buffer of cap bytes, is printable ASCII + NUL. */
static void
check_printable(const char *s, size_t cap)
{
	const char *end = memchr(s, '\0', cap);

	if (end == NULL || end == s)
		abort();
	for (; s < end; s++)
		if (*s <= ' ' || *s > '~')
			abort();
}

/* Abort unless c's url is http(s)://, its host, then '/' or ':'. */
static void
check_shape(const struct url_canonical *c)
{
	const char *rest;
	size_t hl = strlen(c->host);

	if (strncmp(c->url, "http://", 7) == 0)
		rest = c->url + 7;
	else if (strncmp(c->url, "https://", 8) == 0)
		rest = c->url + 8;
	else
		abort();
	if (strncmp(rest, c->host, hl) != 0 ||
	    (rest[hl] != '/' && rest[hl] != ':'))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int rc;

	memset(&blank, 0xa5, sizeof(blank));
	memcpy(&out, &blank, sizeof(out));
	rc = url_canonicalize((const char *)data, size, &out);
	if (rc == 0 && memcmp(&out, &blank, sizeof(out)) != 0)
		abort();
	if (rc != 1)
		return 0;
	check_printable(out.url, sizeof(out.url));
	check_printable(out.host, sizeof(out.host));
	check_shape(&out);
	if (strlen(out.url) > URL_LINE_MAX)
		return 0;	/* escaping made it longer than a line may be */
	if (url_canonicalize(out.url, strlen(out.url), &again) != 1 ||
	    strcmp(again.url, out.url) != 0 ||
	    strcmp(again.host, out.host) != 0)
		abort();
	return 0;
}
