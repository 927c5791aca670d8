/*
 * safename: see safename.h. The name is decoded as UTF-8 code points; what
 * survives is re-encoded, so the output is valid UTF-8 by construction.
 */
#include <string.h>

#include "safename.h"
#include "utf8.h"

#define REPLACEMENT '_'

/* Characters replaced: path separators and what other systems refuse. */
static int
replaced(uint32_t cp)
{
	return cp != 0 && cp < 0x80 && strchr("/\\:*?\"<>|", (int)cp) != NULL;
}

/* Decode, filter and re-encode in[] into buf (4 bytes per input byte). */
static size_t
filter(uint8_t *buf, size_t cap, const uint8_t *in, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 4 <= cap;) {
		uint32_t cp;
		size_t n = utf8_decode(in + i, len - i, &cp);

		if (n == 0) {
			cp = REPLACEMENT;
			n = 1;
		}
		i += n;
		if (utf8_hidden(cp))	/* dropped outright */
			continue;
		o += utf8_encode(buf + o, replaced(cp) ? REPLACEMENT : cp);
	}
	return o;
}

/* Back off to the start of a UTF-8 sequence at or before len. */
static size_t
utf8_boundary(const uint8_t *s, size_t len)
{
	while (len > 0 && (s[len] & 0xc0) == 0x80)
		len--;
	return len;
}

/* Cut to SAFENAME_MAX bytes, keeping a short extension if there is one. */
static size_t
shorten(uint8_t *buf, size_t len)
{
	const uint8_t *dot;
	size_t ext = 0, keep;

	if (len <= SAFENAME_MAX)
		return len;
	dot = memrchr(buf, '.', len);
	if (dot != NULL && (size_t)(buf + len - dot) <= 16)
		ext = (size_t)(buf + len - dot);
	keep = utf8_boundary(buf, SAFENAME_MAX - ext);
	memmove(buf + keep, buf + len - ext, ext);
	return keep + ext;
}

void
safename_make(char out[SAFENAME_MAX + 1], const uint8_t *in, size_t len)
{
	uint8_t buf[4 * (SAFENAME_MAX + 64)];
	size_t n, start = 0;

	/* Only the last component of a path counts; the rest is a place. */
	for (size_t i = 0; i < len; i++)
		if (in[i] == '/' || in[i] == '\\')
			start = i + 1;
	n = filter(buf, sizeof(buf), in + start, len - start);
	while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '.'))
		n--;
	start = 0;
	while (start < n && (buf[start] == ' ' || buf[start] == '.'))
		start++;
	n = shorten(buf + start, n - start);
	if (n == 0) {
		strcpy(out, "attachment");
		return;
	}
	memcpy(out, buf + start, n);
	out[n] = '\0';
}
