/*
 * deskout: see deskout.h. Every writer decodes its input with lib/utf8 and
 * decides per code point; nothing is copied through unexamined.
 */
#include <stdlib.h>
#include <string.h>

#include "deskout.h"
#include "htmlesc.h"
#include "json.h"
#include "utf8.h"

static const char replacement[] = "\xef\xbf\xbd";	/* U+FFFD */

/* 1 if a code point is shown as it is in text. */
static int
text_plain(uint32_t cp)
{
	return !utf8_hidden(cp) && cp != 0x2028 && cp != 0x2029 && cp != '\\';
}

/* One code point (or, n == 0, one invalid byte) that is not plain, escaped. */
static void
text_char(FILE *f, const unsigned char *p, size_t n, uint32_t cp)
{
	if (n == 0 || (n == 1 && utf8_hidden(cp)))
		fprintf(f, "\\x%02X", (unsigned)p[0]);
	else if (cp == '\\')
		fputs("\\\\", f);
	else
		fprintf(f, "\\u{%04X}", (unsigned)cp);
}

/*
 * Plain text goes out in runs (utf8_span): a write per character cost
 * queue 0.2 s over 240,000 lines.
 */
void
deskout_text(FILE *f, const void *s, size_t len, size_t max)
{
	const unsigned char *p = s;
	size_t end = len < max ? len : max;

	for (size_t i = 0; i < len;) {
		size_t n = utf8_span(p + i, end - i, text_plain);
		uint32_t cp = 0;

		fwrite(p + i, 1, n, f);
		if ((i += n) == len)
			break;
		n = utf8_decode(p + i, len - i, &cp);
		if (i + (n ? n : 1) > max) {
			fputs("\xe2\x80\xa6", f);	/* U+2026 */
			return;
		}
		text_char(f, p + i, n, cp);
		i += n ? n : 1;
	}
}

/* A bytes_sink writing to a FILE. */
static int
to_file(void *ctx, const uint8_t *buf, size_t len)
{
	return fwrite(buf, 1, len, ctx) == len ? 0 : -1;
}

/* The text is made first, then escaped: each step is the one tested. */
int
deskout_html(FILE *f, const void *s, size_t len, size_t max)
{
	char *text = NULL;
	size_t tlen = 0;
	FILE *m = open_memstream(&text, &tlen);
	int rc;

	if (m == NULL)
		return -1;
	deskout_text(m, s, len, max);
	if (fclose(m) != 0) {
		free(text);
		return -1;
	}
	rc = htmlesc(to_file, f, text, tlen);
	free(text);
	return rc;
}

/* 1 if s needs quotes in a CSV cell (RFC 4180, section 2, rule 6). */
static int
csv_needs_quotes(const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
			return 1;
	return 0;
}

/* 1 if a code point goes into a CSV cell as it is. */
static int
csv_plain(uint32_t cp)
{
	return cp != 0 && cp != '"';
}

void
deskout_csv_cell(FILE *f, const void *s, size_t len)
{
	const unsigned char *p = s;
	int quoted = csv_needs_quotes(p, len);

	if (quoted)
		fputc('"', f);
	if (len > 0 && p[0] != '\0' && strchr("=+-@\t\r", p[0]) != NULL)
		fputc('\'', f);
	for (size_t i = 0; i < len;) {
		size_t n = utf8_span(p + i, len - i, csv_plain);
		uint32_t cp;

		fwrite(p + i, 1, n, f);
		if ((i += n) == len)
			break;
		n = utf8_decode(p + i, len - i, &cp);
		fputs(n == 0 || cp == 0 ? replacement : "\"\"", f);
		i += n ? n : 1;
	}
	if (quoted)
		fputc('"', f);
}

int
deskout_format_parse(const char *name, enum deskout_format *fmt)
{
	if (strcmp(name, "csv") == 0)
		*fmt = DESKOUT_CSV;
	else if (strcmp(name, "json") == 0)
		*fmt = DESKOUT_JSON;
	else
		return -1;
	return 0;
}

void
deskout_table_start(struct deskout_table *t, FILE *f,
    enum deskout_format fmt, const char *const *names, size_t ncols)
{
	t->f = f;
	t->fmt = fmt;
	t->names = names;
	t->ncols = ncols;
	t->col = 0;
	if (fmt != DESKOUT_CSV)
		return;
	for (size_t i = 0; i < ncols; i++) {
		if (i > 0)
			fputc(',', f);
		deskout_csv_cell(f, names[i], strlen(names[i]));
	}
	fputs("\r\n", f);
}

/* Write what goes before the next column's value. */
static void
table_next(struct deskout_table *t)
{
	size_t col = t->col++;

	if (t->fmt == DESKOUT_CSV) {
		if (col > 0)
			fputc(',', t->f);
		return;
	}
	fputs(col == 0 ? "{" : ",", t->f);
	json_string(t->f, (const uint8_t *)t->names[col],
	    strlen(t->names[col]));
	fputc(':', t->f);
}

void
deskout_table_str(struct deskout_table *t, const void *s, size_t len)
{
	table_next(t);
	if (t->fmt == DESKOUT_CSV)
		deskout_csv_cell(t->f, s == NULL ? "" : s, s == NULL ? 0 : len);
	else if (s == NULL)
		fputs("null", t->f);
	else
		json_string(t->f, s, len);
}

void
deskout_table_int(struct deskout_table *t, long long v)
{
	table_next(t);
	fprintf(t->f, "%lld", v);
}

void
deskout_table_bool(struct deskout_table *t, int v)
{
	table_next(t);
	if (t->fmt == DESKOUT_CSV)
		fputs(v < 0 ? "" : v ? "1" : "0", t->f);
	else
		fputs(v < 0 ? "null" : v ? "true" : "false", t->f);
}

void
deskout_table_end_row(struct deskout_table *t)
{
	if (t->fmt == DESKOUT_CSV)
		fputs("\r\n", t->f);
	else
		fputs(t->col == 0 ? "{}\n" : "}\n", t->f);
	t->col = 0;
}
