/*
 * queue: `oniondrop-keys queue`, the URLs of a case directory still to be
 * assessed (or, with --all, every URL), once each, grouped by host, oldest
 * first, with the verdicts already given on the same host; as text for a
 * terminal, or CSV or JSON lines. Owns the command and its three formats;
 * the summing and ordering are urlstats.c's.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "cases.h"
#include "cli.h"
#include "commands.h"
#include "deskout.h"
#include "strmap.h"
#include "urlstats.h"

static const char queue_usage[] =
    "usage: oniondrop-keys queue DIR [--all] [--format text|csv|json]\n"
    "\n"
    "Lists the canonical URLs of DIR/cases.db that have no verdict yet\n"
    "(with --all, every URL), each once: its id (for assess and show), the\n"
    "reports naming it, the first and last day one was received, their\n"
    "languages and categories. Grouped by host, oldest first; under each\n"
    "host, the verdicts already given to its URLs.\n";

enum queue_format { QUEUE_TEXT, QUEUE_CSV, QUEUE_JSON };

struct queue_args {
	const char *dir;
	int all;
	enum queue_format format;
};

/* A growing byte buffer for the joined lists. */
struct joined {
	char *p;
	size_t len, cap;
};

static const char *const columns[] = {
	"id", "url", "host", "reports", "first_received", "last_received",
	"languages", "categories", "verdict", "host_verdicts",
};

static int
append(struct joined *j, const void *s, size_t len)
{
	if (j->len + len > j->cap) {
		size_t cap = (j->len + len) * 2;
		char *p = realloc(j->p, cap);

		if (p == NULL) {
			cli_error("out of memory");
			return -1;
		}
		j->p = p;
		j->cap = cap;
	}
	if (len > 0)
		memcpy(j->p + j->len, s, len);
	j->len += len;
	return 0;
}

/*
 * Join a list's values with ", " into j (emptied first): with counts,
 * each followed by its count. Empty values are left out; a list cut short
 * ends with U+2026. Return 0 or -1 (printed).
 */
static int
join(struct joined *j, const struct urlstats_list *l, int counts)
{
	char num[24];

	j->len = 0;
	for (const struct urlstats_value *v = l->head; v != NULL; v = v->next) {
		if (v->v->len == 0)
			continue;
		if ((j->len > 0 && append(j, ", ", 2) != 0) ||
		    append(j, v->v->s, v->v->len) != 0)
			return -1;
		if (counts && append(j, num, (size_t)snprintf(num, sizeof(num),
		    " %lld", v->count)) != 0)
			return -1;
	}
	if (l->more)
		return append(j, j->len > 0 ? ", \xe2\x80\xa6" : "\xe2\x80\xa6",
		    j->len > 0 ? 5 : 3);
	return 0;
}

static void
text_item(const struct strmap_item *it)
{
	deskout_text(stdout, it->s, it->len, DESKOUT_ALL);
}

/* The host's heading and, if any, its verdicts: text format. */
static int
text_host(const struct urlstats_host *h, struct joined *j)
{
	text_item(h->name);
	fputc('\n', stdout);
	if (h->verdicts.head == NULL)
		return 0;
	if (join(j, &h->verdicts, 1) != 0)
		return -1;
	fputs("  assessed on this host: ", stdout);
	deskout_text(stdout, j->p, j->len, DESKOUT_ALL);
	fputc('\n', stdout);
	return 0;
}

/* One URL, one line: text format. */
static int
text_url(const struct urlstats_url *u, struct joined *j)
{
	fputs("  ", stdout);
	text_item(u->id);
	printf("  %lld report%s  ", u->reports, u->reports == 1 ? "" : "s");
	if (u->first != NULL) {
		text_item(u->first);
		fputs("..", stdout);
		text_item(u->last);
	} else {
		fputs("-", stdout);
	}
	for (int i = 0; i < 2; i++) {
		if (join(j, i == 0 ? &u->languages : &u->categories, 0) != 0)
			return -1;
		fputs("  ", stdout);
		if (j->len == 0)
			fputs("-", stdout);
		deskout_text(stdout, j->p, j->len, DESKOUT_ALL);
	}
	fputs("  ", stdout);
	deskout_text(stdout, u->canonical, u->canonical_len, DESKOUT_ALL);
	if (u->verdict != NULL) {
		fputs("  [", stdout);
		text_item(u->verdict);
		fputs("]", stdout);
	}
	fputc('\n', stdout);
	return 0;
}

static void
table_item(struct deskout_table *t, const struct strmap_item *it)
{
	deskout_table_str(t, it != NULL ? it->s : NULL,
	    it != NULL ? it->len : 0);
}

/* One URL, one row: CSV or JSON. */
static int
table_url(struct deskout_table *t, const struct urlstats_url *u,
    struct joined *j)
{
	table_item(t, u->id);
	deskout_table_str(t, u->canonical, u->canonical_len);
	table_item(t, u->host->name);
	deskout_table_int(t, u->reports);
	table_item(t, u->first);
	table_item(t, u->last);
	if (join(j, &u->languages, 0) != 0)
		return -1;
	deskout_table_str(t, j->p, j->len);
	if (join(j, &u->categories, 0) != 0)
		return -1;
	deskout_table_str(t, j->p, j->len);
	table_item(t, u->verdict);
	if (join(j, &u->host->verdicts, 1) != 0)
		return -1;
	deskout_table_str(t, j->len > 0 ? j->p : NULL, j->len);
	deskout_table_end_row(t);
	return 0;
}

static int
print_queue(const struct urlstats *s, enum queue_format format)
{
	struct deskout_table t;
	struct joined j = { 0 };
	const struct urlstats_host *host = NULL;
	int rc = 0;

	if (format != QUEUE_TEXT)
		deskout_table_start(&t, stdout, format == QUEUE_CSV ?
		    DESKOUT_CSV : DESKOUT_JSON, columns,
		    sizeof(columns) / sizeof(columns[0]));
	for (size_t i = 0; rc == 0 && i < urlstats_count(s); i++) {
		const struct urlstats_url *u = urlstats_get(s, i);

		if (format != QUEUE_TEXT) {
			rc = table_url(&t, u, &j);
			continue;
		}
		if (u->host != host)
			rc = text_host(host = u->host, &j);
		if (rc == 0)
			rc = text_url(u, &j);
	}
	free(j.p);
	if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout))) {
		cli_error_errno("queue: cannot write the output");
		rc = -1;
	}
	return rc;
}

/* Return -1 to exit 0 (help), 0 to go on, 1 on a usage error. */
static int
parse_args(int argc, char *argv[], struct queue_args *a)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum deskout_format fmt;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'a': a->all = 1; break;
		case 'f':
			if (strcmp(optarg, "text") == 0) {
				a->format = QUEUE_TEXT;
			} else if (deskout_format_parse(optarg, &fmt) == 0) {
				a->format = fmt == DESKOUT_CSV ? QUEUE_CSV :
				    QUEUE_JSON;
			} else {
				cli_error("queue: --format must be one of "
				    "text|csv|json");
				return 1;
			}
			break;
		case 'h': return -1;
		default: return 1;
		}
	}
	if (argc - optind != 1) {
		cli_error("queue: one case directory is required");
		return 1;
	}
	a->dir = argv[optind];
	return 0;
}

int
queue_main(int argc, char *argv[])
{
	struct queue_args a = { 0 };
	int parsed = parse_args(argc, argv, &a), rc = -1;
	struct urlstats *s = NULL;
	struct cases *c;

	if (parsed != 0) {
		fputs(queue_usage, parsed < 0 ? stdout : stderr);
		return parsed < 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}
	if ((c = cases_open(a.dir, CASES_READ)) == NULL)
		return CLI_EXIT_FAIL;
	if (sqlite3_exec(cases_db(c), "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		cases_sqlerr(c, "cannot read the URLs");
	} else {
		s = urlstats_load(c, a.all);
		sqlite3_exec(cases_db(c), "COMMIT", NULL, NULL, NULL);
	}
	cases_close(c);
	if (s != NULL)
		rc = print_queue(s, a.format);
	urlstats_free(s);
	return rc == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}
