/*
 * stats: `oniondrop-keys stats`, counts of reports by one key, defined
 * over the export's rows (export.h's desk_rows) so that each figure can be
 * checked against `export` with no filter: a key's count is the number of
 * distinct reports with at least one export row holding that value (an
 * empty value is no value), and the total is the number of reports. The
 * counting is tally's: a report's own fields (day, month, category,
 * language) from the reports table, one row each; the fields of its URLs
 * (host, and those of the current verdict) mapped from each URL id, then
 * one pair per line, and no value for a line that is text or a report
 * with no line, as desk_rows has them.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "deskout.h"
#include "export.h"
#include "tally.h"

#define KEY_SHOWN_MAX 200	/* bytes of a key shown: a category is any text */

static const char stats_usage[] =
    "usage: oniondrop-keys stats DIR [--by day|month|verdict|severity|category|\n"
    "                                     language|site-type|host]\n"
    "\n"
    "Prints 'key: count' lines, then 'total: N', N the number of reports in\n"
    "the case file. A key's count is the number of reports with at least one\n"
    "row of the export holding it: per day, month, category and language each\n"
    "report counts once and the counts add up to N; per verdict, severity,\n"
    "site-type and host a report counts under the value of each of its\n"
    "lines' URLs (their current verdict), so one naming several can count\n"
    "under several keys. (none): no value (no verdict yet, a line that is\n"
    "not a URL, a report with no line). The default is --by day.\n";

/* (URL id, value) pairs of a field of the current verdicts. */
#define CURRENT(col) "SELECT v.url_id, v." col " FROM verdicts v" \
	" WHERE v.seq = " EXPORT_CURRENT_SEQ("v.url_id")

/* One --by: the pairs that give it, and the order of its lines. */
static const struct stats_by {
	const char *name;
	const char *sql;	/* (report id, value) in report id order;
				 * per_line: (URL id, value) */
	int per_line;
	int by_key;		/* 1: in key order (dates), 0: most frequent first */
} bys[] = {
	{ "day", "SELECT id, received FROM reports ORDER BY id", 0, 1 },
	{ "month", "SELECT id, substr(received, 1, 7) FROM reports"
	    " ORDER BY id", 0, 1 },
	{ "verdict", CURRENT("verdict"), 1, 0 },
	{ "severity", CURRENT("severity"), 1, 0 },
	{ "category", "SELECT id, category FROM reports ORDER BY id", 0, 0 },
	{ "language", "SELECT id, language FROM reports ORDER BY id", 0, 0 },
	{ "site-type", CURRENT("site_type"), 1, 0 },
	{ "host", "SELECT id, host FROM urls", 1, 0 },
};

/* (report id, URL id) of every line and (report id, NULL) of each report
 * with no line, in report id order (as tally wants them). */
static const char lines_sql[] =
    "SELECT report_id, url_id FROM report_lines"
    " UNION ALL SELECT r.id, NULL FROM reports r WHERE NOT EXISTS"
    "  (SELECT 1 FROM report_lines l WHERE l.report_id = r.id)"
    " ORDER BY 1";

static const char total_sql[] = "SELECT count(*) FROM reports";

static const struct stats_by *
by_find(const char *name)
{
	for (size_t i = 0; i < sizeof(bys) / sizeof(bys[0]); i++)
		if (strcmp(bys[i].name, name) == 0)
			return &bys[i];
	return NULL;
}

static int
parse_args(int argc, char *argv[], const char **dir,
    const struct stats_by **by)
{
	static const struct option opts[] = {
		{ "by", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = "day";
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'b': name = optarg; break;
		case 'h': return -1;
		default: return 1;
		}
	}
	if (argc - optind != 1) {
		cli_error("stats: DIR is required");
		return 1;
	}
	*dir = argv[optind];
	if ((*by = by_find(name)) == NULL) {
		cli_error("stats: --by must be day, month, verdict, severity, "
		    "category, language, site-type or host, not '%s'", name);
		return 1;
	}
	return 0;
}

/* Prepare sql; NULL after printing why. */
static sqlite3_stmt *
prepare(struct cases *c, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(cases_db(c), sql, -1, &st, NULL) != SQLITE_OK) {
		cases_sqlerr(c, "cannot count the reports");
		return NULL;
	}
	return st;
}

/* What to do with each pair: tally_add, tally_map or tally_add_via. */
typedef int (*pair_fn)(struct tally *, const void *, size_t, const void *,
    size_t);

/* Column i of st's row: its bytes, or NULL if it is NULL or empty. */
static const void *
column(sqlite3_stmt *st, int i, size_t *len)
{
	*len = (size_t)sqlite3_column_bytes(st, i);
	return *len == 0 ? NULL : sqlite3_column_blob(st, i);
}

/* Run sql and give each row's pair to fn. 0 or -1 (printed). */
static int
feed(struct cases *c, const char *sql, struct tally *t, pair_fn fn)
{
	sqlite3_stmt *st = prepare(c, sql);
	const void *a, *b;
	size_t alen, blen;
	int rc;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		a = column(st, 0, &alen);
		b = column(st, 1, &blen);
		if (fn(t, a, alen, b, blen) != 0) {
			sqlite3_finalize(st);
			cli_error_errno("cannot count the reports");
			return -1;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return cases_sqlerr(c, "cannot count the reports");
	return 0;
}

/* Feed the pairs of `by` to t. 0 or -1 (printed). */
static int
tally_pairs(struct cases *c, const struct stats_by *by, struct tally *t)
{
	if (!by->per_line)
		return feed(c, by->sql, t, tally_add);
	if (feed(c, by->sql, t, tally_map) != 0)
		return -1;
	return feed(c, lines_sql, t, tally_add_via);
}

/* Print t's "key: count" lines in by's order; no value is "(none)". */
static int
print_tally(const struct tally *t, const struct stats_by *by)
{
	size_t n;
	struct tally_entry *e = tally_sorted(t, by->by_key, &n);

	if (e == NULL) {
		cli_error("out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (e[i].value == NULL)
			fputs("(none)", stdout);
		else
			deskout_text(stdout, e[i].value, e[i].len, KEY_SHOWN_MAX);
		printf(": %lu\n", e[i].count);
	}
	free(e);
	return 0;
}

/* Print "total: N", N the reports in the case file. 0 or -1 (printed). */
static int
print_total(struct cases *c)
{
	sqlite3_stmt *st = prepare(c, total_sql);

	if (st == NULL)
		return -1;
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return cases_sqlerr(c, "cannot count the reports");
	}
	printf("total: %lld\n", (long long)sqlite3_column_int64(st, 0));
	sqlite3_finalize(st);
	return 0;
}

/* Print the counts by `by` and the total, from one read transaction. */
static int
print_stats(struct cases *c, const struct stats_by *by)
{
	struct tally *t = tally_new();
	int rc = -1;

	if (t == NULL) {
		cli_error("out of memory");
		return -1;
	}
	if (sqlite3_exec(cases_db(c), "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		tally_free(t);
		return cases_sqlerr(c, "cannot read");
	}
	if (tally_pairs(c, by, t) == 0 && print_tally(t, by) == 0 &&
	    print_total(c) == 0)
		rc = 0;
	sqlite3_exec(cases_db(c), "COMMIT", NULL, NULL, NULL);
	tally_free(t);
	return rc;
}

int
stats_main(int argc, char *argv[])
{
	const struct stats_by *by = NULL;
	const char *dir = NULL;
	int parsed = parse_args(argc, argv, &dir, &by), rc = -1;
	struct cases *c;

	if (parsed != 0) {
		fputs(stats_usage, parsed < 0 ? stdout : stderr);
		return parsed < 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}
	if ((c = cases_open(dir, CASES_READ)) == NULL)
		return CLI_EXIT_FAIL;
	rc = print_stats(c, by);
	cases_close(c);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error_errno("cannot write the counts");
		rc = -1;
	}
	return rc == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}
