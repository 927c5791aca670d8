/*
 * assess: `oniondrop-keys assess`, recording a verdict for URLs of a case
 * file, and `oniondrop-keys verify`, re-checking the verdict log. Owns the
 * commands' arguments and messages; the log itself is verdicts.c's, the
 * local hash list known.c's.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "cases.h"
#include "cli.h"
#include "commands.h"
#include "known.h"
#include "verdicts.h"

static const char assess_usage[] =
    "usage: oniondrop-keys assess DIR URL-ID... --verdict V [options]\n"
    "  --verdict actioned|not-illegal|off-remit|unreachable\n"
    "  --severity A|B|C                 (actioned only)\n"
    "  --age-band 0-2|3-6|7-10|11-13|14-15|16-17|unknown\n"
    "  --sex girls|boys|both|unidentified\n"
    "  --self-generated  --ai-generated\n"
    "  --site-type website|image-host|file-host|forum|social|video|chat|other\n"
    "  --hosting-country CC             (ISO 3166-1 alpha-2)\n"
    "  --referred-to police|host|hotline|none\n"
    "  --note TEXT  --analyst NAME\n"
    "\n"
    "Records the verdict for each URL-ID (as queue shows them) in\n"
    "DIR/cases.db, all or none: an unknown id records nothing. A later\n"
    "verdict supersedes an earlier one; both stay in the log.\n";

static const char verify_usage[] =
    "usage: oniondrop-keys verify DIR\n"
    "\n"
    "Re-checks the hash chain of the verdict log in DIR/cases.db: exit 0\n"
    "if intact, else 1 naming the first verdict edited or removed.\n";

struct assess_args {
	const char *dir;
	char **ids;
	int nids;
	struct verdicts_row row;
	char country[3];
};

/* The options that take one of a fixed set of values. */
static const struct {
	int opt;
	const char *name;
	enum verdicts_enum field;
} enum_opts[] = {
	{ 'v', "verdict", VERDICTS_VERDICT },
	{ 's', "severity", VERDICTS_SEVERITY },
	{ 'a', "age-band", VERDICTS_AGE_BAND },
	{ 'x', "sex", VERDICTS_SEX },
	{ 't', "site-type", VERDICTS_SITE_TYPE },
	{ 'r', "referred-to", VERDICTS_REFERRED_TO },
};

/* The field of row an option sets, NULL for an option that is not text. */
static const char **
row_slot(struct verdicts_row *row, int opt)
{
	switch (opt) {
	case 'v': return &row->verdict;
	case 's': return &row->severity;
	case 'a': return &row->age_band;
	case 'x': return &row->sex;
	case 't': return &row->site_type;
	case 'r': return &row->referred_to;
	case 'c': return &row->hosting_country;
	case 'n': return &row->note;
	case 'y': return &row->analyst;
	default: return NULL;
	}
}

static int
ascii_letter(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/* Check an option's value: 0 if it may go into the row, else -1 (printed). */
static int
check_value(struct assess_args *a, int opt, const char *name, const char *v)
{
	for (size_t i = 0; i < sizeof(enum_opts) / sizeof(enum_opts[0]); i++)
		if (enum_opts[i].opt == opt &&
		    !verdicts_is_allowed(enum_opts[i].field, v)) {
			cli_error("assess: --%s must be one of %s", name,
			    verdicts_allowed(enum_opts[i].field));
			return -1;
		}
	if (opt == 'c') {
		if (strlen(v) != 2 || !ascii_letter(v[0]) ||
		    !ascii_letter(v[1])) {
			cli_error("assess: --hosting-country must be an ISO "
			    "3166-1 alpha-2 code: two letters, such as FR");
			return -1;
		}
		a->country[0] = (char)(v[0] & ~0x20);	/* upper case */
		a->country[1] = (char)(v[1] & ~0x20);
	}
	if ((opt == 'n' && !verdicts_text_ok(v, VERDICTS_NOTE_MAX)) ||
	    (opt == 'y' && !verdicts_text_ok(v, VERDICTS_ANALYST_MAX))) {
		cli_error("assess: --%s must be UTF-8 text of 1 to %d bytes "
		    "without control characters", name, opt == 'n' ?
		    VERDICTS_NOTE_MAX : VERDICTS_ANALYST_MAX);
		return -1;
	}
	return 0;
}

static int
set_option(struct assess_args *a, int opt, const char *name, const char *v)
{
	const char **slot = row_slot(&a->row, opt);

	if (*slot != NULL) {
		cli_error("assess: --%s given twice", name);
		return -1;
	}
	if (check_value(a, opt, name, v) != 0)
		return -1;
	*slot = opt == 'c' ? a->country : v;
	return 0;
}

/* Check what the options say together; 0 or -1 (printed). */
static int
check_row(const struct assess_args *a)
{
	if (a->row.severity != NULL && strcmp(a->row.verdict, "actioned") != 0) {
		cli_error("assess: --severity goes with --verdict actioned only");
		return -1;
	}
	return 0;
}

/*
 * Return -1 to exit 0 (help), 0 to go on, 1 on a usage error that the usage
 * explains, 2 on a wrong value already explained.
 */
static int
parse_args(int argc, char *argv[], struct assess_args *a)
{
	static const struct option opts[] = {
		{ "verdict", required_argument, NULL, 'v' },
		{ "severity", required_argument, NULL, 's' },
		{ "age-band", required_argument, NULL, 'a' },
		{ "sex", required_argument, NULL, 'x' },
		{ "self-generated", no_argument, NULL, 'g' },
		{ "ai-generated", no_argument, NULL, 'i' },
		{ "site-type", required_argument, NULL, 't' },
		{ "hosting-country", required_argument, NULL, 'c' },
		{ "referred-to", required_argument, NULL, 'r' },
		{ "note", required_argument, NULL, 'n' },
		{ "analyst", required_argument, NULL, 'y' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, i = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, &i)) != -1) {
		if (c == 'h')
			return -1;
		if (c == 'g' || c == 'i')
			*(c == 'g' ? &a->row.self_generated :
			    &a->row.ai_generated) = 1;
		else if (c == '?' || c == ':')
			return 1;
		else if (set_option(a, c, opts[i].name, optarg) != 0)
			return 2;
	}
	if (optind < argc)
		a->dir = argv[optind++];
	a->ids = argv + optind;
	a->nids = argc - optind;
	if (a->nids < 1 || a->row.verdict == NULL) {
		cli_error("assess: DIR, at least one URL-ID and --verdict are "
		    "required");
		return 1;
	}
	return check_row(a) != 0 ? 2 : 0;
}

/* The ids, each once, in the order given; n is updated. */
static void
unique_ids(char **ids, int *n)
{
	int kept = 0;

	for (int i = 0; i < *n; i++) {
		int seen = 0;

		for (int j = 0; j < kept && !seen; j++)
			seen = strcmp(ids[j], ids[i]) == 0;
		if (!seen)
			ids[kept++] = ids[i];
	}
	*n = kept;
}

/* 0 if every id names a URL of the case file; else name each missing one. */
static int
check_ids(struct cases *c, char **ids, int n)
{
	static const char sql[] = "SELECT 1 FROM urls WHERE id = ?1";
	sqlite3_stmt *st;
	int missing = 0, rc;

	if (sqlite3_prepare_v2(cases_db(c), sql, -1, &st, NULL) != SQLITE_OK)
		return cases_sqlerr(c, "cannot read the URLs");
	for (int i = 0; i < n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, ids[i], -1, SQLITE_STATIC);
		if ((rc = sqlite3_step(st)) == SQLITE_DONE) {
			cli_error("assess: no URL has the id '%s' in %s", ids[i],
			    cases_path(c));
			missing++;
		} else if (rc != SQLITE_ROW) {
			sqlite3_finalize(st);
			return cases_sqlerr(c, "cannot read the URLs");
		}
	}
	sqlite3_finalize(st);
	if (missing)
		cli_error("assess: nothing recorded");
	return missing ? -1 : 0;
}

/*
 * The verdicts and, in the same transaction, the local hash list brought
 * in line with them (known.h): an actioned verdict adds its reports'
 * attachments, a later other one takes them off.
 */
static int
record(struct cases *c, struct assess_args *a)
{
	const char *const *ids = (const char *const *)a->ids;
	int64_t first;
	long added = 0, removed = 0;
	char at[CASES_TIME_LEN + 1];

	cases_now(at);
	if (cases_begin(c) != 0)
		return -1;
	if (check_ids(c, a->ids, a->nids) != 0 ||
	    verdicts_append(c, ids, (size_t)a->nids, &a->row, at, &first) !=
	    0 || known_local_update(c, ids, (size_t)a->nids, &added,
	    &removed) != 0 || cases_commit(c) != 0) {
		cases_rollback(c);
		return -1;
	}
	for (int i = 0; i < a->nids; i++)
		printf("%s: %s (verdict %" PRId64 ")\n", a->ids[i],
		    a->row.verdict, first + i);
	if (added > 0 || removed > 0)
		printf("hash list %s: %ld added, %ld removed\n", KNOWN_LOCAL,
		    added, removed);
	return 0;
}

int
assess_main(int argc, char *argv[])
{
	struct assess_args a = { 0 };
	int parsed = parse_args(argc, argv, &a), rc;
	struct cases *c;

	if (parsed != 0) {
		if (parsed < 2)
			fputs(assess_usage, parsed < 0 ? stdout : stderr);
		return parsed < 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}
	unique_ids(a.ids, &a.nids);
	if ((c = cases_open(a.dir, 0)) == NULL)
		return CLI_EXIT_FAIL;
	rc = record(c, &a);
	cases_close(c);
	return rc == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

int
verify_main(int argc, char *argv[])
{
	struct cases *c;
	int64_t count = 0;
	int rc;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		fputs(verify_usage, stdout);
		return CLI_EXIT_OK;
	}
	if (argc != 2 || argv[1][0] == '-') {
		fputs(verify_usage, stderr);
		return CLI_EXIT_USAGE;
	}
	if ((c = cases_open(argv[1], 0)) == NULL)
		return CLI_EXIT_FAIL;
	if (sqlite3_exec(cases_db(c), "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		rc = cases_sqlerr(c, "cannot read the verdict log");
	} else {
		rc = verdicts_verify(c, &count);
		sqlite3_exec(cases_db(c), "COMMIT", NULL, NULL, NULL);
	}
	cases_close(c);
	if (rc == 0)
		printf("%" PRId64 " verdict%s, chain intact\n", count,
		    count == 1 ? "" : "s");
	return rc == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}
