/*
 * export: see export.h. Rows are streamed from one SELECT straight to the
 * output: memory does not grow with the case file.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "deskout.h"
#include "export.h"

static const char export_usage[] =
    "usage: oniondrop-keys export DIR --format csv|json [--since YYYY-MM-DD]\n"
    "                             [--out FILE]\n"
    "\n"
    "Writes one row per report and line of its urls field (a report with no\n"
    "line: one row with the url columns empty), with the URL's current\n"
    "verdict. csv: a header line, RFC 4180, UTF-8, CRLF, cells that a\n"
    "spreadsheet would take for a formula prefixed with '. json: one object\n"
    "per line. --since: reports received on that day or later. --out: a new\n"
    "file, mode 0600 (never an existing one); else standard output.\n";

/* The export's columns: desk_rows' columns, in this order, then pos. */
static const char *const columns[] = {
	"report_id", "received", "language", "category", "url_id", "url",
	"host", "url_as_typed", "verdict", "severity", "age_band", "sex",
	"self_generated", "ai_generated", "site_type", "hosting_country",
	"referred_to", "analyst", "assessed_at", "note",
};
#define NCOLUMNS (sizeof(columns) / sizeof(columns[0]))

/* The current verdict of a URL is its row with the highest seq. */
static const char view_sql[] =
    "CREATE TEMP VIEW IF NOT EXISTS desk_rows AS SELECT"
    " r.id AS report_id, r.received AS received, r.language AS language,"
    " r.category AS category, l.url_id AS url_id, u.canonical AS url,"
    " u.host AS host, l.as_typed AS url_as_typed, v.verdict AS verdict,"
    " v.severity AS severity, v.age_band AS age_band, v.sex AS sex,"
    " v.self_generated AS self_generated, v.ai_generated AS ai_generated,"
    " v.site_type AS site_type, v.hosting_country AS hosting_country,"
    " v.referred_to AS referred_to, v.analyst AS analyst,"
    " v.at AS assessed_at, v.note AS note, l.pos AS pos"
    " FROM reports r"
    " LEFT JOIN report_lines l ON l.report_id = r.id"
    " LEFT JOIN urls u ON u.id = l.url_id"
    " LEFT JOIN verdicts v ON v.seq = " EXPORT_CURRENT_SEQ("l.url_id");

static const char export_sql[] =
    "SELECT * FROM desk_rows WHERE ?1 IS NULL OR received >= ?1"
    " ORDER BY received, report_id, pos";

struct export_args {
	const char *dir;
	const char *since;
	const char *out;
	enum deskout_format fmt;
};

int
export_view(struct cases *c)
{
	if (sqlite3_exec(cases_db(c), view_sql, NULL, NULL, NULL) != SQLITE_OK)
		return cases_sqlerr(c, "cannot define the export's rows");
	return 0;
}

/* 1 if s is a day of the calendar written YYYY-MM-DD, else 0. */
static int
day_valid(const char *s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d;

	if (strlen(s) != 10)
		return 0;
	for (int i = 0; i < 10; i++)
		if ((i == 4 || i == 7) ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
			return 0;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	return m != 2 || d < 29 || (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
}

static int
parse_args(int argc, char *argv[], struct export_args *a)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "since", required_argument, NULL, 's' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = NULL;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f': format = optarg; break;
		case 's': a->since = optarg; break;
		case 'o': a->out = optarg; break;
		case 'h': return -1;
		default: return 1;
		}
	}
	if (argc - optind != 1 || format == NULL) {
		cli_error("export: DIR and --format are required");
		return 1;
	}
	a->dir = argv[optind];
	if (deskout_format_parse(format, &a->fmt) != 0) {
		cli_error("export: --format must be csv or json, not '%s'", format);
		return 1;
	}
	if (a->since != NULL && !day_valid(a->since)) {
		cli_error("export: --since must be a day written YYYY-MM-DD, not '%s'",
		    a->since);
		return 1;
	}
	return 0;
}

/* Write the current row of st (its first NCOLUMNS columns) to t. */
static void
write_row(struct deskout_table *t, sqlite3_stmt *st)
{
	for (int i = 0; i < (int)NCOLUMNS; i++) {
		switch (sqlite3_column_type(st, i)) {
		case SQLITE_NULL:
			deskout_table_str(t, NULL, 0);
			break;
		case SQLITE_INTEGER:	/* only the two flags are integers */
			deskout_table_bool(t, sqlite3_column_int(st, i) != 0);
			break;
		default:
			deskout_table_str(t, sqlite3_column_blob(st, i),
			    (size_t)sqlite3_column_bytes(st, i));
		}
	}
	deskout_table_end_row(t);
}

/* Stream the rows of a's export to f. Return 0 or -1 (error printed). */
static int
write_rows(struct cases *c, const struct export_args *a, FILE *f)
{
	struct deskout_table t;
	sqlite3_stmt *st = NULL;
	int rc;

	if (export_view(c) != 0)
		return -1;
	if (sqlite3_prepare_v2(cases_db(c), export_sql, -1, &st, NULL) !=
	    SQLITE_OK)
		return cases_sqlerr(c, "cannot read the reports");
	if (a->since != NULL)
		sqlite3_bind_text(st, 1, a->since, -1, SQLITE_STATIC);
	deskout_table_start(&t, f, a->fmt, columns, NCOLUMNS);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		write_row(&t, st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return cases_sqlerr(c, "cannot read the reports");
	return 0;
}

/* Open --out: a new file, 0600, never an existing one or a link. */
static FILE *
open_out(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	FILE *f;

	if (fd < 0) {
		if (errno == EEXIST)
			cli_error("%s already exists: export never overwrites a file; "
			    "choose another name", path);
		else
			cli_error_errno("cannot create %s", path);
		return NULL;
	}
	if ((f = fdopen(fd, "w")) == NULL) {
		cli_error_errno("cannot create %s", path);
		close(fd);
		unlink(path);
	}
	return f;
}

/* Flush f (and sync it if it is --out) and close it; 0 or -1 (printed). */
static int
close_out(FILE *f, const char *path)
{
	int bad = fflush(f) != 0 || ferror(f) ||
	    (path != NULL && fsync(fileno(f)) != 0);

	if (path != NULL && fclose(f) != 0)
		bad = 1;
	if (bad)
		cli_error_errno("cannot write %s", path ? path : "the export");
	return bad ? -1 : 0;
}

int
export_main(int argc, char *argv[])
{
	struct export_args a = { 0 };
	int parsed = parse_args(argc, argv, &a), rc = -1;
	struct cases *c;
	FILE *f;

	if (parsed != 0) {
		fputs(export_usage, parsed < 0 ? stdout : stderr);
		return parsed < 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}
	if ((c = cases_open(a.dir, CASES_READ)) == NULL)
		return CLI_EXIT_FAIL;
	f = a.out ? open_out(a.out) : stdout;
	if (f != NULL) {
		rc = write_rows(c, &a, f);
		if (close_out(f, a.out) != 0)
			rc = -1;
		if (rc != 0 && a.out != NULL)
			unlink(a.out);
	}
	cases_close(c);
	return rc == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}
