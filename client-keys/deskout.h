/*
 * deskout: how the desk commands write what came out of a bundle (any
 * bytes, chosen by a reporter or a compromised server) so that it cannot
 * act on whoever reads it: in a terminal (text: controls, direction
 * overrides and invalid UTF-8 shown escaped), in a browser (the same text,
 * HTML-escaped by lib/htmlesc), in a spreadsheet (CSV cells per RFC 4180
 * with formula-looking cells neutralised) or in a program (JSON lines,
 * through json.c). One table writer serves every command that
 * offers --format csv|json.
 */
#ifndef DESKOUT_H
#define DESKOUT_H

#include <stddef.h>
#include <stdio.h>

/* Text escapes and the whole of s: no cut. */
#define DESKOUT_ALL ((size_t)-1)

/*
 * deskout_text(f, s, len, max):
 * Write s[0..len) for a terminal: valid UTF-8 is kept except that a
 * backslash becomes \\, a byte of C0 or DEL becomes \xNN (NUL too), a
 * hidden character (utf8_hidden: C1 controls, direction marks, overrides
 * and isolates, zero-width characters, the byte order mark) and U+2028,
 * U+2029 become \u{XXXX}, and each byte that is not valid UTF-8 becomes
 * \xNN. At most max bytes of s are shown (cut between characters); a cut
 * is marked with U+2026.
 */
void deskout_text(FILE *f, const void *s, size_t len, size_t max);

/*
 * deskout_html(f, s, len, max):
 * Write s[0..len) for an HTML page, as element text or a double-quoted
 * attribute value: deskout_text's text of it (hidden characters and
 * invalid bytes as visible escapes, so a direction override cannot turn
 * the page's text around), escaped by lib/htmlesc. Return 0, or -1 if
 * memory was short or writing to f failed (nothing printed).
 */
int deskout_html(FILE *f, const void *s, size_t len, size_t max);

/*
 * deskout_csv_cell(f, s, len):
 * Write s[0..len) as one CSV cell (RFC 4180): quoted when it holds a
 * comma, a double quote, CR or LF, with double quotes doubled. A cell
 * that starts with =, +, -, @, TAB or CR gets a leading ' so that no
 * spreadsheet takes it for a formula. Each NUL and each byte that is not
 * valid UTF-8 becomes U+FFFD: the file is UTF-8.
 */
void deskout_csv_cell(FILE *f, const void *s, size_t len);

enum deskout_format { DESKOUT_CSV, DESKOUT_JSON };

/*
 * deskout_format_parse(name, &fmt):
 * "csv" or "json" into fmt; return 0, or -1 (nothing printed) otherwise.
 */
int deskout_format_parse(const char *name, enum deskout_format *fmt);

/*
 * A table: rows of named columns, written as CSV (a header line, CRLF
 * line ends) or as JSON lines (one object per row, the column names as
 * keys, LF line ends). Fill each row's columns in the order of names.
 */
struct deskout_table {
	FILE *f;
	enum deskout_format fmt;
	const char *const *names;
	size_t ncols;
	size_t col;		/* next column of the current row */
};

/*
 * deskout_table_start(t, f, fmt, names, ncols):
 * Start a table on f; for CSV, write the header line.
 */
void deskout_table_start(struct deskout_table *t, FILE *f,
    enum deskout_format fmt, const char *const *names, size_t ncols);

/*
 * deskout_table_str(t, s, len):
 * The next column: the string s[0..len), or, if s is NULL, no value
 * (JSON null, an empty CSV cell).
 */
void deskout_table_str(struct deskout_table *t, const void *s, size_t len);

/* deskout_table_int(t, v): the next column, an integer. */
void deskout_table_int(struct deskout_table *t, long long v);

/*
 * deskout_table_bool(t, v):
 * The next column: v < 0 no value, else false (0) or true (JSON false or
 * true, CSV 0 or 1).
 */
void deskout_table_bool(struct deskout_table *t, int v);

/* deskout_table_end_row(t): end the row (every column must be filled). */
void deskout_table_end_row(struct deskout_table *t);

#endif
