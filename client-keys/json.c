/*
 * json: see json.h.
 */
#include "json.h"
#include "utf8.h"

static void
escaped(FILE *f, uint32_t cp)
{
	switch (cp) {
	case '"': fputs("\\\"", f); break;
	case '\\': fputs("\\\\", f); break;
	case '\n': fputs("\\n", f); break;
	case '\r': fputs("\\r", f); break;
	case '\t': fputs("\\t", f); break;
	default: fprintf(f, "\\u%04x", (unsigned)cp); break;
	}
}

/* 1 if a code point goes into a JSON string as it is. */
static int
plain(uint32_t cp)
{
	return cp >= 0x20 && cp != '"' && cp != '\\' && cp != 0x7f &&
	    cp != 0x2028 && cp != 0x2029;
}

void
json_string(FILE *f, const uint8_t *s, size_t len)
{
	fputc('"', f);
	for (size_t i = 0; i < len;) {
		size_t n = utf8_span(s + i, len - i, plain);
		uint32_t cp;

		fwrite(s + i, 1, n, f);	/* plain text in runs, not per character */
		if ((i += n) == len)
			break;
		if ((n = utf8_decode(s + i, len - i, &cp)) == 0) {
			fputs("\\ufffd", f);
			i++;
			continue;
		}
		escaped(f, cp);
		i += n;
	}
	fputc('"', f);
}
