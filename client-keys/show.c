/*
 * show: `oniondrop-keys show`, one report of a case directory (its fields,
 * its lines as typed with their canonical URLs and current verdicts, its
 * attachments and what decrypt learnt of them, the report it follows up
 * or its follow-ups, the outcomes queued and sent) or one URL (its verdict history and every report that
 * named it). Owns the command and its text output, in which everything
 * that came from a bundle or the case file is escaped (deskout.c).
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "cases.h"
#include "cli.h"
#include "commands.h"
#include "deskout.h"
#include "outcomes.h"

static const char show_usage[] =
    "usage: oniondrop-keys show DIR REPORT-ID|URL-ID\n"
    "\n"
    "A report: its fields, each line as typed with its canonical URL and\n"
    "that URL's current verdict, its attachments (size, SHA-256, type, an\n"
    "image's size and PDQ hash, the hash list that knows it, metadata\n"
    "warnings), the report it follows up or its follow-ups, and its\n"
    "outcomes (queued, or the file that carried them). A URL: its verdicts,\n"
    "oldest first (the last one is current), and every report naming it.\n"
    "Text from reports is shown escaped (\\xNN, \\u{XXXX}).\n";

/* Write column col of st, escaped; NULL as "-". */
static void
put(sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		fputs("-", stdout);
	else
		deskout_text(stdout, sqlite3_column_blob(st, col),
		    (size_t)sqlite3_column_bytes(st, col), DESKOUT_ALL);
}

/* "INDENT LABEL: value" for column col of st, unless it is NULL. */
static void
field(const char *indent, const char *label, sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return;
	printf("%s%s: ", indent, label);
	put(st, col);
	fputc('\n', stdout);
}

/* Text of many lines (a description): each line escaped and indented. */
static void
block(const char *indent, sqlite3_stmt *st, int col)
{
	const char *p = sqlite3_column_blob(st, col);
	size_t len = (size_t)sqlite3_column_bytes(st, col);

	while (len > 0) {
		const char *nl = memchr(p, '\n', len);
		size_t n = nl != NULL ? (size_t)(nl - p) : len;

		fputs(indent, stdout);
		deskout_text(stdout, p, n, DESKOUT_ALL);
		fputc('\n', stdout);
		p += n + (nl != NULL);
		len -= n + (nl != NULL);
	}
}

/*
 * Prepare sql, bind id to ?1 and give each row to fn with ctx; return the
 * number of rows, or -1 after printing why.
 */
static long
each_row(struct cases *c, const char *sql, const char *id,
    void (*fn)(sqlite3_stmt *, void *), void *ctx)
{
	sqlite3_stmt *st;
	long n = 0;
	int rc;

	if (sqlite3_prepare_v2(cases_db(c), sql, -1, &st, NULL) != SQLITE_OK)
		return cases_sqlerr(c, "cannot read the case file");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		fn(st, ctx);
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return cases_sqlerr(c, "cannot read the case file");
	return n;
}

static void
report_head(sqlite3_stmt *st, void *ctx)
{
	static const char *const labels[] = { "report", "received",
	    "language", "category", "seen on", "recorded", "attachments purged",
	    "follow-up of", "reply key" };
	const int n = sizeof(labels) / sizeof(labels[0]);

	for (int i = 0; i < n; i++)
		field("", labels[i], st, i);
	if (sqlite3_column_bytes(st, n) > 0) {
		fputs("description:\n", stdout);
		block("  ", st, n);
	}
}

static void
report_line(sqlite3_stmt *st, void *ctx)
{
	printf("  %d. ", sqlite3_column_int(st, 0) + 1);
	put(st, 1);
	fputc('\n', stdout);
	if (sqlite3_column_type(st, 2) == SQLITE_NULL) {
		fputs("     (text, not a URL)\n", stdout);
		return;
	}
	fputs("     ", stdout);
	put(st, 2);
	fputs("  ", stdout);
	put(st, 3);
	fputs("  ", stdout);
	if (sqlite3_column_type(st, 4) == SQLITE_NULL) {
		fputs("no verdict\n", stdout);
		return;
	}
	put(st, 4);
	fputs(" (", stdout);
	put(st, 5);
	fputs(")\n", stdout);
}

/* Column col of st is NULL. */
static int
null(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL;
}

/* An image type the sandboxed decoder decodes. */
static int
decodable(sqlite3_stmt *st, int col)
{
	static const char *const types[] = { "image/jpeg", "image/png",
	    "image/webp", "image/gif" };
	const char *t = (const char *)sqlite3_column_text(st, col);

	for (size_t i = 0; t != NULL && i < sizeof(types) / sizeof(types[0]);
	    i++)
		if (strcmp(t, types[i]) == 0)
			return 1;
	return 0;
}

/*
 * What decrypt learnt of an attachment (columns 4..10 of st): its type,
 * an image's size and PDQ hash with its quality, the list that knows it.
 * A case file from before decrypt recorded them has none of it.
 */
static void
media(sqlite3_stmt *st)
{
	if (!null(st, 4)) {
		fputs("     type ", stdout);
		put(st, 4);
		if (!null(st, 7)) {
			printf(", %lldx%lld, pdq ",
			    (long long)sqlite3_column_int64(st, 5),
			    (long long)sqlite3_column_int64(st, 6));
			put(st, 7);
			printf(" (quality %d)", sqlite3_column_int(st, 8));
		} else if (decodable(st, 4))
			fputs(", not decoded (report.json's image_error says "
			    "why)", stdout);
		fputc('\n', stdout);
	}
	if (!null(st, 9)) {
		fputs("     known: list ", stdout);
		put(st, 9);
		fputs(null(st, 10) ? ", no grade\n" : ", grade ", stdout);
		if (!null(st, 10)) {
			put(st, 10);
			fputc('\n', stdout);
		}
	}
}

/* The last attachment shown (its metadata warnings follow it). */
struct last_attachment {
	int any;
	sqlite3_int64 pos;
};

/*
 * An attachment, once (its name, size, SHA-256 and media), then each
 * metadata warning it has, a row each; ctx: a last_attachment.
 */
static void
attachment(sqlite3_stmt *st, void *ctx)
{
	struct last_attachment *last = ctx;

	if (!last->any || sqlite3_column_int64(st, 0) != last->pos) {
		last->any = 1;
		last->pos = sqlite3_column_int64(st, 0);
		fputs("  ", stdout);
		put(st, 1);
		printf("  %lld bytes  sha256 ",
		    (long long)sqlite3_column_int64(st, 2));
		put(st, 3);
		fputc('\n', stdout);
		media(st);
	}
	if (!null(st, 11)) {
		fputs("     metadata: ", stdout);
		put(st, 11);
		fputc('\n', stdout);
	}
}

/* A follow-up of the report shown: its id and the day it came. */
static void
follow_up(sqlite3_stmt *st, void *ctx)
{
	fputs("  ", stdout);
	put(st, 0);
	fputs("  received ", stdout);
	put(st, 1);
	fputc('\n', stdout);
}

/*
 * An outcome: day, status, where it stands (queued or sent in a file, or
 * superseded there by another of the same report), source, message.
 */
static void
outcome(sqlite3_stmt *st, void *ctx)
{
	int queued = sqlite3_column_type(st, 2) == SQLITE_NULL;
	int chosen = sqlite3_column_int(st, 5);

	fputs("  ", stdout);
	put(st, 0);
	fputs("  ", stdout);
	put(st, 1);
	if (queued)
		fputs(chosen ? "  queued" : "  queued, superseded", stdout);
	else
		printf(chosen ? "  sent in file %lld" : "  superseded in file "
		    "%lld", (long long)sqlite3_column_int64(st, 2));
	fputs("  (", stdout);
	put(st, 3);
	fputs(")\n", stdout);
	if (sqlite3_column_type(st, 4) != SQLITE_NULL) {
		fputs("     message:\n", stdout);
		block("       ", st, 4);
	}
}

/* The report's follow-ups and its outcomes, oldest first. */
static int
show_thread(struct cases *c, const char *id)
{
	static const char follow_ups[] = "SELECT id, received FROM reports "
	    "WHERE follow_up_of = ?1 ORDER BY received, rowid";
	static const char outcomes[] = "SELECT substr(o.queued_at, 1, 10), "
	    "o.status, o.sent_sequence, o.source, o.message, o.id = "
	    OUTCOMES_CHOSEN("o") " FROM outcomes AS o WHERE o.report_id = ?1 "
	    "ORDER BY o.id";
	long n;

	fputs("follow-ups:\n", stdout);
	if ((n = each_row(c, follow_ups, id, follow_up, NULL)) == 0)
		fputs("  (none)\n", stdout);
	if (n < 0)
		return -1;
	fputs("outcomes:\n", stdout);
	if ((n = each_row(c, outcomes, id, outcome, NULL)) == 0)
		fputs("  (none)\n", stdout);
	return n < 0 ? -1 : 0;
}

static int
show_report(struct cases *c, const char *id)
{
	static const char head[] = "SELECT id, received, language, category, "
	    "nullif(seen_on, ''), recorded, purged, follow_up_of, reply_key, "
	    "description FROM reports WHERE id = ?1";
	static const char lines[] = "SELECT l.pos, l.as_typed, l.url_id, "
	    "u.canonical, v.verdict, v.at FROM report_lines AS l "
	    "LEFT JOIN urls AS u ON u.id = l.url_id "
	    "LEFT JOIN verdicts AS v ON v.seq = (SELECT max(seq) FROM verdicts "
	    "WHERE url_id = l.url_id) WHERE l.report_id = ?1 ORDER BY l.pos";
	static const char att[] = "SELECT a.pos, a.name, a.size, a.sha256, "
	    "a.type, a.width, a.height, a.pdq, a.pdq_quality, a.known_list, "
	    "a.known_grade, w.value FROM attachments AS a "
	    "LEFT JOIN json_each(CASE WHEN json_valid(a.metadata_warnings) "
	    "THEN a.metadata_warnings END) AS w WHERE a.report_id = ?1 "
	    "ORDER BY a.pos, w.key";
	struct last_attachment last = { 0, 0 };
	long n;

	if ((n = each_row(c, head, id, report_head, NULL)) <= 0)
		return (int)n;
	fputs("lines:\n", stdout);
	if ((n = each_row(c, lines, id, report_line, NULL)) == 0)
		fputs("  (none)\n", stdout);
	if (n < 0)
		return -1;
	fputs("attachments:\n", stdout);
	if ((n = each_row(c, att, id, attachment, &last)) == 0)
		fputs("  (none)\n", stdout);
	if (n < 0 || show_thread(c, id) != 0)
		return -1;
	return 1;
}

static void
url_head(sqlite3_stmt *st, void *ctx)
{
	field("", "url", st, 0);
	field("", "canonical", st, 1);
	field("", "host", st, 2);
}

static void
verdict(sqlite3_stmt *st, void *ctx)
{
	static const char *const labels[] = { "severity", "age band", "sex",
	    "self-generated", "ai-generated", "site type", "hosting country",
	    "referred to", "analyst", "note" };

	printf("  %lld  ", (long long)sqlite3_column_int64(st, 0));
	put(st, 1);
	fputs("  ", stdout);
	put(st, 2);
	fputc('\n', stdout);
	for (int i = 0; i < 10; i++)
		field("      ", labels[i], st, i + 3);
}

/* The last report shown (its lines as typed follow it). */
struct last_report {
	int any;
	sqlite3_int64 rowid;
};

/* A report naming the URL, once, then the line; ctx: a last_report. */
static void
naming_report(sqlite3_stmt *st, void *ctx)
{
	struct last_report *last = ctx;

	if (!last->any || sqlite3_column_int64(st, 0) != last->rowid) {
		last->any = 1;
		last->rowid = sqlite3_column_int64(st, 0);
		fputs("  ", stdout);
		for (int i = 1; i < 5; i++) {
			put(st, i);
			fputs(i < 4 ? "  " : "\n", stdout);
		}
	}
	fputs("     as typed: ", stdout);
	put(st, 5);
	fputc('\n', stdout);
}

static int
show_url(struct cases *c, const char *id)
{
	static const char head[] = "SELECT id, canonical, host FROM urls "
	    "WHERE id = ?1";
	static const char verdicts[] = "SELECT seq, at, verdict, severity, "
	    "age_band, sex, CASE self_generated WHEN 1 THEN 'yes' END, "
	    "CASE ai_generated WHEN 1 THEN 'yes' END, site_type, "
	    "hosting_country, referred_to, analyst, note FROM verdicts "
	    "WHERE url_id = ?1 ORDER BY seq";
	static const char reports[] = "SELECT r.rowid, r.id, r.received, "
	    "r.language, "
	    "r.category, l.as_typed FROM report_lines AS l JOIN reports AS r "
	    "ON r.id = l.report_id WHERE l.url_id = ?1 "
	    "ORDER BY r.received, r.id, l.pos";
	struct last_report last = { 0, 0 };
	long n;

	if ((n = each_row(c, head, id, url_head, NULL)) <= 0)
		return (int)n;
	fputs("verdicts (the last one is current):\n", stdout);
	if ((n = each_row(c, verdicts, id, verdict, NULL)) == 0)
		fputs("  (none yet)\n", stdout);
	if (n < 0)
		return -1;
	fputs("reports naming it:\n", stdout);
	return each_row(c, reports, id, naming_report, &last) < 0 ? -1 : 1;
}

int
show_main(int argc, char *argv[])
{
	struct cases *c;
	int rc = -1;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		fputs(show_usage, stdout);
		return CLI_EXIT_OK;
	}
	if (argc != 3 || argv[1][0] == '-' || argv[2][0] == '-') {
		fputs(show_usage, stderr);
		return CLI_EXIT_USAGE;
	}
	if ((c = cases_open(argv[1], CASES_READ)) == NULL)
		return CLI_EXIT_FAIL;
	if (sqlite3_exec(cases_db(c), "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		cases_sqlerr(c, "cannot read the case file");
	} else {
		if ((rc = show_report(c, argv[2])) == 0 &&
		    (rc = show_url(c, argv[2])) == 0)
			cli_error("show: no report or URL has the id '%s' in %s",
			    argv[2], cases_path(c));
		sqlite3_exec(cases_db(c), "COMMIT", NULL, NULL, NULL);
	}
	cases_close(c);
	return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}
