/*
 * referral: `oniondrop-keys referral`, a packet about some reports of a
 * case directory for one recipient: the police, a host or another
 * hotline. It holds referral.json, with what that recipient is given of
 * each report (the tables below; docs/analyst.md says why) and the
 * current verdict of its URLs, and the clean copies of its attachments
 * (cleancopy.c); or, with --seal-to, all of it sealed to the recipient's
 * oniondrop key as one report in a bundle (packetseal.c). A report is
 * named by its id, or found through the id of a URL it names; to a host
 * or a hotline only the URLs named (all of a report named by its id) are
 * given. Works by descriptor in DIR2, made new (0700): nothing is written
 * outside it, no link is followed, and on failure it is removed with
 * whatever was put in it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "casedir.h"
#include "cases.h"
#include "cleancopy.h"
#include "cli.h"
#include "commands.h"
#include "deskout.h"
#include "json.h"
#include "packetseal.h"

static const char referral_usage[] =
    "usage: oniondrop-keys referral DIR --to police|host|hotline --out DIR2\n"
    "                               [--seal-to RECIPIENT.pub] ID...\n"
    "\n"
    "Writes into DIR2 (made new, mode 0700) a packet about the reports\n"
    "named by ID (a report id, or a URL id: every report naming it):\n"
    "referral.json, with what the recipient is given of each report and\n"
    "its URLs' current verdicts, and for the police or a hotline copies of\n"
    "the JPEG, PNG and GIF attachments stripped of metadata by mat2 and\n"
    "checked clean (originals untouched; any other attachment is left out\n"
    "and named). A host gets the URLs, the category and the verdict only.\n"
    "With --seal-to, DIR2 holds only referral.odb: the packet sealed to\n"
    "that oniondrop public key, which `oniondrop-keys decrypt` opens.\n";

enum to { TO_POLICE = 1, TO_HOTLINE = 2, TO_HOST = 4 };
#define TO_ALL (TO_POLICE | TO_HOTLINE | TO_HOST)
#define TO_SENT (TO_POLICE | TO_HOTLINE)	/* given the attachments */

static const struct {
	const char *name;
	enum to to;
} recipients[] = {
	{ "police", TO_POLICE }, { "hotline", TO_HOTLINE }, { "host", TO_HOST },
};

/* A column of a SELECT, its JSON key, and who is given it. */
struct column {
	const char *key;
	int to;
	int flag;		/* an integer 0/1 written false/true */
};

/* Nothing that could identify the reporter goes beyond the police; the
 * reply key goes to no one. */
static const struct column report_columns[] = {
	{ "id", TO_SENT, 0 }, { "received", TO_SENT, 0 },
	{ "language", TO_POLICE, 0 }, { "category", TO_ALL, 0 },
	{ "seen_on", TO_POLICE, 0 }, { "description", TO_POLICE, 0 },
	{ "follow_up_of", TO_POLICE, 0 },
};
static const char report_sql[] = "SELECT id, received, language, category, "
    "seen_on, description, follow_up_of FROM reports WHERE id = ?1";

/* A URL's current verdict: the classification to a hotline, the verdict
 * alone to a host, the desk's own notes to the police only. */
static const struct column verdict_columns[] = {
	{ "verdict", TO_ALL, 0 }, { "assessed_at", TO_ALL, 0 },
	{ "severity", TO_SENT, 0 }, { "age_band", TO_SENT, 0 },
	{ "sex", TO_SENT, 0 }, { "self_generated", TO_SENT, 1 },
	{ "ai_generated", TO_SENT, 1 }, { "site_type", TO_SENT, 0 },
	{ "hosting_country", TO_SENT, 0 }, { "referred_to", TO_POLICE, 0 },
	{ "analyst", TO_POLICE, 0 }, { "note", TO_POLICE, 0 },
};
#define NVERDICT (sizeof(verdict_columns) / sizeof(verdict_columns[0]))
/* Each URL the report names, once, in the order first typed. */
static const char urls_sql[] = "SELECT u.id, u.canonical, u.host, "
    "v.verdict, v.at, v.severity, v.age_band, v.sex, v.self_generated, "
    "v.ai_generated, v.site_type, v.hosting_country, v.referred_to, "
    "v.analyst, v.note FROM (SELECT url_id, min(pos) AS pos FROM "
    "report_lines WHERE report_id = ?1 AND url_id IS NOT NULL GROUP BY "
    "url_id) AS l JOIN urls AS u ON u.id = l.url_id LEFT JOIN verdicts AS "
    "v ON v.seq = (SELECT max(seq) FROM verdicts WHERE url_id = l.url_id) "
    "ORDER BY l.pos";

#define JSON_FILE "referral.json"
#define BUNDLE_FILE "referral.odb"
#define WORK_DIR ".work"

/* The state of one report's attachments while they are copied. */
struct atts {
	int attfd;		/* DIR/<id>/attachments, or -1 */
	const char *missing;	/* why there is no attfd */
	size_t number;		/* the report's number in the packet */
	struct cleancopy *copies;
	int *made;		/* per attachment: 1 made, 0 left out */
	size_t n;
};

/* A report in the packet. */
struct pick {
	char id[33];
	int all_urls;		/* named by its id: all its URLs given */
};

struct referral {
	const char *dir, *out, *seal_to;
	enum to to;
	const char *to_name;
	struct keys_public pub;	/* --seal-to's */
	char **ids;		/* the IDs given */
	size_t nids;
	struct cases *c;
	struct pick *picks;
	size_t npicks;
	const char **named_urls;	/* the IDs that are URL ids */
	size_t nnamed;
	int dirfd, outfd, workfd;
	FILE *json;
	char **files;		/* made in workfd, in order */
	size_t nfiles;
	char **urls;		/* canonical URLs given, each once */
	size_t nurls;
	size_t left_out;
	int made_out;		/* DIR2 was made: removed on failure */
	/* while a report is written */
	const struct pick *pick;
	struct atts atts;
	size_t att_index;
	int first;		/* no item yet in the current array */
};

static void *
xrealloc(void *p, size_t n, size_t size)
{
	if ((p = reallocarray(p, n, size)) == NULL) {
		cli_error("out of memory");
		exit(CLI_EXIT_FAIL);
	}
	return p;
}

static char *
xstrdup(const char *s)
{
	char *d = strdup(s);

	if (d == NULL) {
		cli_error("out of memory");
		exit(CLI_EXIT_FAIL);
	}
	return d;
}

static int
parse_args(int argc, char *argv[], struct referral *r)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "out", required_argument, NULL, 'o' },
		{ "seal-to", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't': r->to_name = optarg; break;
		case 'o': r->out = optarg; break;
		case 's': r->seal_to = optarg; break;
		case 'h': return -1;
		default: return 1;
		}
	}
	if (argc - optind < 2 || r->to_name == NULL || r->out == NULL) {
		cli_error("referral: DIR, --to, --out and at least one ID are "
		    "required");
		return 1;
	}
	for (size_t i = 0; i < sizeof(recipients) / sizeof(recipients[0]); i++)
		if (strcmp(r->to_name, recipients[i].name) == 0)
			r->to = recipients[i].to;
	if (r->to == 0) {
		cli_error("referral: --to must be police, host or hotline, not "
		    "'%s'", r->to_name);
		return 1;
	}
	r->dir = argv[optind];
	r->ids = argv + optind + 1;
	r->nids = (size_t)(argc - optind - 1);
	return 0;
}

/* Read --seal-to's public key. Return 0 or -1 (printed). */
static int
load_recipient(const char *path, struct keys_public *pub)
{
	uint8_t *text;
	const char *why;
	size_t len;
	int rc;

	if ((text = cli_read_file(path, 4096, &len)) == NULL)
		return -1;
	if ((rc = keys_public_parse(pub, (const char *)text, len, &why)) != 0)
		cli_error("%s: %s", path, why);
	cli_free_secret(text);
	return rc;
}

/* Add report id to the packet (once; all_urls if either asks). */
static void
pick(struct referral *r, const char *id, int all_urls)
{
	for (size_t i = 0; i < r->npicks; i++)
		if (strcmp(r->picks[i].id, id) == 0) {
			r->picks[i].all_urls |= all_urls;
			return;
		}
	r->picks = xrealloc(r->picks, r->npicks + 1, sizeof(*r->picks));
	snprintf(r->picks[r->npicks].id, sizeof(r->picks[0].id), "%s", id);
	r->picks[r->npicks++].all_urls = all_urls;
}

/*
 * Bind id to ?1 of sql and call fn(r, row) for each row. Return the
 * number of rows, or -1 after printing why (or fn's -1).
 */
static long
rows(struct referral *r, const char *sql, const char *id,
    int (*fn)(struct referral *, sqlite3_stmt *))
{
	sqlite3_stmt *st;
	long n = 0;
	int rc = SQLITE_DONE;

	if (sqlite3_prepare_v2(cases_db(r->c), sql, -1, &st, NULL) != SQLITE_OK)
		return cases_sqlerr(r->c, "cannot read the case file");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while (n >= 0 && (rc = sqlite3_step(st)) == SQLITE_ROW)
		n = fn != NULL && fn(r, st) != 0 ? -1 : n + 1;
	sqlite3_finalize(st);
	if (n >= 0 && rc != SQLITE_DONE)
		return cases_sqlerr(r->c, "cannot read the case file");
	return n;
}

static int
pick_row(struct referral *r, sqlite3_stmt *st)
{
	pick(r, (const char *)sqlite3_column_text(st, 0), 0);
	return 0;
}

/* Resolve each ID to reports. Return 0, or -1 (an unknown ID, printed). */
static int
resolve(struct referral *r)
{
	static const char report[] = "SELECT id FROM reports WHERE id = ?1";
	static const char url[] = "SELECT l.report_id FROM report_lines AS l "
	    "JOIN reports AS r ON r.id = l.report_id WHERE l.url_id = ?1 "
	    "GROUP BY l.report_id ORDER BY min(r.received), l.report_id";
	long n;

	r->named_urls = xrealloc(NULL, r->nids, sizeof(*r->named_urls));
	for (size_t i = 0; i < r->nids; i++) {
		if ((n = rows(r, report, r->ids[i], NULL)) > 0) {
			pick(r, r->ids[i], 1);
			continue;
		}
		if (n == 0 && (n = rows(r, url, r->ids[i], pick_row)) > 0)
			r->named_urls[r->nnamed++] = r->ids[i];
		if (n == 0)
			cli_error("referral: no report or URL has the id '%s' "
			    "in %s (nothing written)", r->ids[i],
			    cases_path(r->c));
		if (n <= 0)
			return -1;
	}
	return 0;
}

/* JSON: the key of the next member of an object at indent. */
static void
member(FILE *f, int *first, const char *indent, const char *key)
{
	fprintf(f, "%s%s\"%s\": ", *first ? "" : ",\n", indent, key);
	*first = 0;
}

static void
json_text(FILE *f, const char *s)
{
	json_string(f, (const uint8_t *)s, strlen(s));
}

/* Column col of st as a JSON value (flag: an integer as a boolean). */
static void
json_column(FILE *f, sqlite3_stmt *st, int col, int flag)
{
	switch (sqlite3_column_type(st, col)) {
	case SQLITE_NULL:
		fputs("null", f);
		break;
	case SQLITE_INTEGER:
		if (flag)
			fputs(sqlite3_column_int(st, col) ? "true" : "false", f);
		else
			fprintf(f, "%lld", (long long)sqlite3_column_int64(st,
			    col));
		break;
	default:
		json_string(f, sqlite3_column_blob(st, col),
		    (size_t)sqlite3_column_bytes(st, col));
	}
}

/* The columns of st from col0 on that the recipient is given. */
static void
json_columns(struct referral *r, sqlite3_stmt *st, int col0,
    const struct column *cols, size_t n, const char *indent, int *first)
{
	for (size_t i = 0; i < n; i++) {
		if (!(cols[i].to & r->to))
			continue;
		member(r->json, first, indent, cols[i].key);
		json_column(r->json, st, col0 + (int)i, cols[i].flag);
	}
}

static int
report_head(struct referral *r, sqlite3_stmt *st)
{
	int first = 1;

	fputs("    {\n", r->json);
	json_columns(r, st, 0, report_columns, sizeof(report_columns) /
	    sizeof(report_columns[0]), "      ", &first);
	if (first)		/* a host is given no column before urls */
		fputs("      \"urls\": [", r->json);
	else
		fputs(",\n      \"urls\": [", r->json);
	return 0;
}

/* 1 if URL url_id is given to the recipient for pick p. */
static int
url_given(const struct referral *r, const struct pick *p, const char *url_id)
{
	if (r->to == TO_POLICE || p->all_urls)
		return 1;
	for (size_t i = 0; i < r->nnamed; i++)
		if (strcmp(r->named_urls[i], url_id) == 0)
			return 1;
	return 0;
}

/* Remember a canonical URL given (the sealed packet's url fields). */
static void
keep_url(struct referral *r, const char *url)
{
	for (size_t i = 0; i < r->nurls; i++)
		if (strcmp(r->urls[i], url) == 0)
			return;
	r->urls = xrealloc(r->urls, r->nurls + 1, sizeof(*r->urls));
	r->urls[r->nurls++] = xstrdup(url);
}

static int
url_row(struct referral *r, sqlite3_stmt *st)
{
	int first = 1;

	if (!url_given(r, r->pick, (const char *)sqlite3_column_text(st,
	    0)))
		return 0;
	keep_url(r, (const char *)sqlite3_column_text(st, 1));
	fprintf(r->json, "%s\n        {", r->first ? "" : ",");
	r->first = 0;
	fputs("\"id\": ", r->json);
	json_column(r->json, st, 0, 0);
	fputs(", \"url\": ", r->json);
	json_column(r->json, st, 1, 0);
	fputs(", \"host\": ", r->json);
	json_column(r->json, st, 2, 0);
	fputs(", \"verdict\": ", r->json);
	if (sqlite3_column_type(st, 3) == SQLITE_NULL) {
		fputs("null}", r->json);
		return 0;
	}
	fputs("{\n", r->json);
	json_columns(r, st, 3, verdict_columns, NVERDICT, "          ", &first);
	fputs("\n        }}", r->json);
	return 0;
}

static int
line_row(struct referral *r, sqlite3_stmt *st)
{
	fprintf(r->json, "%s\n        ", r->first ? "" : ",");
	r->first = 0;
	json_column(r->json, st, 0, 0);
	return 0;
}

/* End a JSON array begun by the caller, its items written. */
static void
end_array(struct referral *r)
{
	fputs(r->first ? "]" : "\n      ]", r->json);
}

/* What the analyst is told of an attachment left out. */
static void
tell_left_out(const char *id, int pos, const char *name, const char *why)
{
	fprintf(stderr, "oniondrop-keys: referral: left out: %s attachment "
	    "%d (", id, pos);
	deskout_text(stderr, name, strlen(name), 80);
	fprintf(stderr, "): %s\n", why);
}

/* One attachment row (pos, name, size, sha256): its clean copy. */
static int
copy_row(struct referral *r, sqlite3_stmt *st)
{
	struct atts *a = &r->atts;
	const char *name = (const char *)sqlite3_column_text(st, 1);
	const char *sha = (const char *)sqlite3_column_text(st, 3);
	struct cleancopy *c;
	char stem[48];
	int rc;

	a->copies = xrealloc(a->copies, a->n + 1, sizeof(*a->copies));
	a->made = xrealloc(a->made, a->n + 1, sizeof(*a->made));
	c = &a->copies[a->n];
	snprintf(stem, sizeof(stem), "%zu-%zu", a->number, a->n + 1);
	if (a->attfd < 0 || strchr(name, '/') != NULL || name[0] == '.') {
		memset(c, 0, sizeof(*c));	/* decrypt names no file so */
		snprintf(c->why, sizeof(c->why), "%s", a->attfd < 0 ?
		    a->missing : "its name in the case file is no file name");
		rc = 0;
	} else if ((rc = cleancopy_make(a->attfd, name, sha, r->workfd, stem,
	    c)) < 0) {
		return -1;
	}
	if ((a->made[a->n++] = rc) == 1) {
		r->files = xrealloc(r->files, r->nfiles + 1, sizeof(*r->files));
		r->files[r->nfiles] = xrealloc(NULL, strlen(stem) + 6, 1);
		snprintf(r->files[r->nfiles++], strlen(stem) + 6, "%s.%s", stem,
		    c->ext);
	} else {
		r->left_out++;
		tell_left_out(r->pick->id, (int)a->n, name, c->why);
	}
	return 0;
}

/* The JSON of attachment i of a, made or left out; police: its name. */
static void
json_attachment(struct referral *r, const struct atts *a, size_t i,
    sqlite3_stmt *st)
{
	const struct cleancopy *c = &a->copies[i];

	fprintf(r->json, "%s\n        {\"attachment\": %zu", r->first ? "" :
	    ",", i + 1);
	r->first = 0;
	if (r->to == TO_POLICE) {
		fputs(", \"name\": ", r->json);
		json_column(r->json, st, 1, 0);
		fputs(", \"original_sha256\": ", r->json);
		json_column(r->json, st, 3, 0);
	}
	if (a->made[i])
		fprintf(r->json, ", \"file\": \"%zu-%zu.%s\", \"type\": \"%s\", "
		    "\"size\": %llu, \"sha256\": \"%s\"}", a->number, i + 1,
		    c->ext, c->type, (unsigned long long)c->size, c->sha256);
	else {
		fputs(", \"left_out\": ", r->json);
		json_text(r->json, c->why);
		fputc('}', r->json);
	}
}

static int
att_json_row(struct referral *r, sqlite3_stmt *st)
{
	json_attachment(r, &r->atts, r->att_index++, st);
	return 0;
}

/* The report's attachments: copies made, then their JSON. 0 or -1. */
static int
attachments(struct referral *r, const struct pick *p, size_t number)
{
	static const char sql[] = "SELECT pos, name, size, sha256 FROM "
	    "attachments WHERE report_id = ?1 ORDER BY pos";
	struct atts *a = &r->atts;
	long n;

	*a = (struct atts){ casedir_attachments(r->dirfd, p->id), NULL, number,
	    NULL, NULL, 0 };
	a->missing = errno == ENOENT ? "not there (purged?)" :
	    errno == EINVAL ? "the report's id in the case file is no id" :
	    "its attachments folder is not a directory (a symbolic link?)";
	n = rows(r, sql, p->id, copy_row);
	fputs(",\n      \"attachments\": [", r->json);
	r->first = 1;
	r->att_index = 0;
	if (n >= 0)
		n = rows(r, sql, p->id, att_json_row);
	end_array(r);
	if (a->attfd >= 0)
		close(a->attfd);
	free(a->copies);
	free(a->made);
	return n < 0 ? -1 : 0;
}

/* One report of the packet, number (1, 2, ...) p. 0 or -1. */
static int
write_report(struct referral *r, const struct pick *p, size_t number)
{
	static const char lines_sql[] = "SELECT as_typed FROM report_lines "
	    "WHERE report_id = ?1 ORDER BY pos";

	r->pick = p;
	fputs(number > 1 ? ",\n" : "", r->json);
	if (rows(r, report_sql, p->id, report_head) != 1)
		return -1;
	r->first = 1;
	if (rows(r, urls_sql, p->id, url_row) < 0)
		return -1;
	end_array(r);
	if (r->to == TO_POLICE) {
		fputs(",\n      \"lines\": [", r->json);
		r->first = 1;
		if (rows(r, lines_sql, p->id, line_row) < 0)
			return -1;
		end_array(r);
	}
	if ((r->to & TO_SENT) && attachments(r, p, number) != 0)
		return -1;
	fputs("\n    }", r->json);
	return 0;
}

/* Write referral.json into workfd. 0 or -1. */
static int
write_json(struct referral *r, const char *made)
{
	int fd = openat(r->workfd, JSON_FILE, O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, 0600), rc = 0;

	if (fd < 0 || (r->json = fdopen(fd, "w")) == NULL) {
		cli_error_errno("cannot create %s", JSON_FILE);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fprintf(r->json, "{\n  \"referral\": \"%s\",\n  \"made\": \"%.10s\",\n"
	    "  \"reports\": [\n", r->to_name, made);
	for (size_t i = 0; i < r->npicks && rc == 0; i++)
		rc = write_report(r, &r->picks[i], i + 1);
	fputs("\n  ]\n}\n", r->json);
	if ((fflush(r->json) != 0 || fsync(fd) != 0) && rc == 0) {
		cli_error_errno("cannot write %s", JSON_FILE);
		rc = -1;
	}
	if (fclose(r->json) != 0 && rc == 0) {
		cli_error_errno("cannot write %s", JSON_FILE);
		rc = -1;
	}
	r->json = NULL;
	return rc;
}

/* Make DIR2 (new, 0700) and its work directory. 0 or -1 (printed). */
static int
make_out(struct referral *r)
{
	if (mkdir(r->out, 0700) != 0) {
		if (errno == EEXIST)
			cli_error("%s already exists: a referral is written into "
			    "a new directory only", r->out);
		else
			cli_error_errno("cannot create %s", r->out);
		return -1;
	}
	r->made_out = 1;
	if ((r->outfd = open(r->out, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) < 0 || fchmod(r->outfd, 0700) != 0 ||
	    mkdirat(r->outfd, WORK_DIR, 0700) != 0 ||
	    (r->workfd = openat(r->outfd, WORK_DIR, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC)) < 0) {
		cli_error_errno("cannot prepare %s", r->out);
		return -1;
	}
	return 0;
}

/* Unlink every file of the directory fd (ours: files only). */
static void
empty_dir(int fd)
{
	int dup_fd = dup(fd);
	DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	struct dirent *e;

	if (d == NULL) {
		if (dup_fd >= 0)
			close(dup_fd);
		return;
	}
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			unlinkat(fd, e->d_name, 0);
	closedir(d);
}

/* Remove the work directory, and on failure DIR2 with all in it. */
static void
remove_work(struct referral *r, int failed)
{
	if (r->workfd >= 0) {
		empty_dir(r->workfd);
		close(r->workfd);
		r->workfd = -1;
		unlinkat(r->outfd, WORK_DIR, AT_REMOVEDIR);
	}
	if (failed && r->made_out) {
		if (r->outfd >= 0)
			empty_dir(r->outfd);
		rmdir(r->out);
	}
}

/* Put the packet in place: files moved out, or sealed. 0 or -1. */
static int
finish(struct referral *r, const char *made)
{
	struct packetseal_field *fields;
	const char **files;
	char description[160];
	size_t nf = 0;
	int rc = 0;

	if (r->seal_to == NULL) {
		for (size_t i = 0; i < r->nfiles + 1 && rc == 0; i++)
			rc = renameat(r->workfd, i ? r->files[i - 1] : JSON_FILE,
			    r->outfd, i ? r->files[i - 1] : JSON_FILE);
		if (rc != 0)
			cli_error_errno("cannot move the packet into %s", r->out);
		return rc != 0 || fsync(r->outfd) != 0 ? -1 : 0;
	}
	fields = xrealloc(NULL, r->nurls + 3, sizeof(*fields));
	files = xrealloc(NULL, r->nfiles + 1, sizeof(*files));
	snprintf(description, sizeof(description), "A referral packet for "
	    "the %s from an oniondrop desk: %zu report(s), described in %s.",
	    r->to_name, r->npicks, JSON_FILE);
	fields[nf++] = (struct packetseal_field){ "received", made };
	fields[nf++] = (struct packetseal_field){ "category", "referral" };
	fields[nf++] = (struct packetseal_field){ "description", description };
	for (size_t i = 0; i < r->nurls; i++)
		fields[nf++] = (struct packetseal_field){ "url", r->urls[i] };
	files[0] = JSON_FILE;
	for (size_t i = 0; i < r->nfiles; i++)
		files[i + 1] = r->files[i];
	rc = packetseal_write(&r->pub, fields, nf, r->workfd, files,
	    r->nfiles + 1, r->workfd, r->outfd, BUNDLE_FILE);
	free(fields);
	free(files);
	return rc != 0 || fsync(r->outfd) != 0 ? -1 : 0;
}

/* The packet, from the resolved picks. 0 or -1. */
static int
make_packet(struct referral *r)
{
	char now[CASES_TIME_LEN + 1];

	cases_now(now);
	now[10] = '\0';		/* the day */
	if ((r->dirfd = open(r->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		cli_error_errno("cannot open %s", r->dir);
		return -1;
	}
	if (make_out(r) != 0 || write_json(r, now) != 0 || finish(r, now) != 0)
		return -1;
	printf("referral: %zu report(s) for the %s, %zu file(s), %zu left out\n",
	    r->npicks, r->to_name, r->nfiles, r->left_out);
	printf("written: %s/%s\n", r->out, r->seal_to ? BUNDLE_FILE :
	    JSON_FILE);
	return 0;
}

static void
referral_free(struct referral *r)
{
	for (size_t i = 0; i < r->nfiles; i++)
		free(r->files[i]);
	for (size_t i = 0; i < r->nurls; i++)
		free(r->urls[i]);
	free(r->files);
	free(r->urls);
	free(r->picks);
	free(r->named_urls);
	if (r->dirfd >= 0)
		close(r->dirfd);
	if (r->outfd >= 0)
		close(r->outfd);
	cases_close(r->c);
}

int
referral_main(int argc, char *argv[])
{
	struct referral r = { .dirfd = -1, .outfd = -1, .workfd = -1 };
	int parsed = parse_args(argc, argv, &r), rc = -1;

	if (parsed != 0) {
		fputs(referral_usage, parsed < 0 ? stdout : stderr);
		return parsed < 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}
	if (r.seal_to != NULL && load_recipient(r.seal_to, &r.pub) != 0)
		return CLI_EXIT_FAIL;
	if ((r.c = cases_open(r.dir, CASES_READ)) == NULL)
		return CLI_EXIT_FAIL;
	if (sqlite3_exec(cases_db(r.c), "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		cases_sqlerr(r.c, "cannot read the case file");
	else if (resolve(&r) == 0)
		rc = make_packet(&r);
	remove_work(&r, rc != 0);
	referral_free(&r);
	return rc == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}
