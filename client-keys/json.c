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

void
json_string(FILE *f, const uint8_t *s, size_t len)
{
	fputc('"', f);
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_decode(s + i, len - i, &cp);

		if (n == 0) {
			fputs("\\ufffd", f);
			i++;
			continue;
		}
		if (cp < 0x20 || cp == '"' || cp == '\\' || cp == 0x7f ||
		    cp == 0x2028 || cp == 0x2029)
			escaped(f, cp);
		else
			fwrite(s + i, 1, n, f);
		i += n;
	}
	fputc('"', f);
}
