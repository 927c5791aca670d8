/*
 * search: `oniondrop-keys search`, full-text search of the reports'
 * descriptions and urls (the case file's FTS5 table `search`, tokenizer
 * unicode61 with remove_diacritics 2: Arabic and French words, "ecole"
 * finding "école"). The analyst's text is never FTS5 syntax: each word
 * becomes a quoted phrase (a report must hold every word), and the query
 * reaches SQLite as a bound parameter.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases.h"
#include "cli.h"
#include "commands.h"
#include "deskout.h"

#define SNIPPET_TOKENS "12"	/* tokens around the match */
#define SNIPPET_SHOWN_MAX 300	/* bytes of a snippet shown */
#define SPACES " \t\n\r\f\v"

static const char search_usage[] =
    "usage: oniondrop-keys search DIR TEXT\n"
    "\n"
    "Lists the reports whose description or urls hold every word of TEXT\n"
    "(letters compared without case or accents), best match first: id,\n"
    "day received and a snippet with the match in [brackets].\n";

static const char search_sql[] =
    "SELECT s.report_id, r.received,"
    " snippet(search, -1, '[', ']', '\xe2\x80\xa6', " SNIPPET_TOKENS ")"
    " FROM search s JOIN reports r ON r.id = s.report_id"
    " WHERE search MATCH ?1 ORDER BY s.rank";

/*
 * The FTS5 query for text: each run of non-space bytes as a phrase in
 * double quotes, a double quote in it doubled. NULL if text has no word
 * (or memory is short: printed).
 */
static char *
fts_query(const char *text)
{
	char *q = malloc(4 * strlen(text) + 4), *o = q;	/* a word "x": 4 */

	if (q == NULL) {
		cli_error("out of memory");
		return NULL;
	}
	while (*(text += strspn(text, SPACES)) != '\0') {
		size_t n = strcspn(text, SPACES);

		if (o != q)
			*o++ = ' ';
		*o++ = '"';
		for (size_t i = 0; i < n; i++)
			if ((*o++ = text[i]) == '"')
				*o++ = '"';
		*o++ = '"';
		text += n;
	}
	*o = '\0';
	if (o == q) {
		cli_error("search: TEXT has no word to look for");
		free(q);
		return NULL;
	}
	return q;
}

/* Print one match: id, day, snippet (escaped and cut). */
static void
print_match(sqlite3_stmt *st)
{
	for (int i = 0; i < 3; i++) {
		if (i > 0)
			fputs("  ", stdout);
		deskout_text(stdout, sqlite3_column_blob(st, i),
		    (size_t)sqlite3_column_bytes(st, i), SNIPPET_SHOWN_MAX);
	}
	fputc('\n', stdout);
}

/* Run query q; print each match. Return the matches, or -1 (printed). */
static long
run_search(struct cases *c, const char *q)
{
	sqlite3_stmt *st = NULL;
	long n = 0;
	int rc;

	if (sqlite3_prepare_v2(cases_db(c), search_sql, -1, &st, NULL) !=
	    SQLITE_OK)
		return cases_sqlerr(c, "cannot search");
	sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		print_match(st);
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return cases_sqlerr(c, "cannot search");
	return n;
}

int
search_main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cases *c;
	char *q;
	long n = -1;
	int o;

	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		fputs(search_usage, o == 'h' ? stdout : stderr);
		return o == 'h' ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}
	if (argc - optind != 2) {
		cli_error("search: DIR and TEXT are required");
		fputs(search_usage, stderr);
		return CLI_EXIT_USAGE;
	}
	if ((q = fts_query(argv[optind + 1])) == NULL)
		return CLI_EXIT_USAGE;
	if ((c = cases_open(argv[optind], CASES_READ)) != NULL) {
		n = run_search(c, q);
		cases_close(c);
	}
	free(q);
	if (n == 0)
		fputs("no report matches\n", stderr);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error_errno("cannot write the matches");
		n = -1;
	}
	return n < 0 ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
