/*
 * purge: `oniondrop-keys purge-plaintext`, deleting the decrypted
 * attachments (every file in DIR/<id>/attachments) of reports whose every
 * URL has had its current verdict for at least DAYS days; report.json, the
 * case file's rows (attachment hashes included) and the verdicts stay, and
 * the report is marked purged. A report whose lines hold no URL is never
 * purged by age. A dry run unless --yes. Works by descriptor from DIR
 * down: no link is followed and nothing outside DIR is touched, whatever
 * the case file says (a report id must be 32 hex digits).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "casedir.h"
#include "cases.h"
#include "cli.h"
#include "commands.h"
#include "export.h"

#define DAYS_MAX 100000
#define REPORT_ID_LEN 32

static const char purge_usage[] =
    "usage: oniondrop-keys purge-plaintext DIR --assessed-older-than DAYS [--yes]\n"
    "\n"
    "Deletes DIR/<report-id>/attachments/* of every report whose URLs all have\n"
    "a current verdict given DAYS days ago or more (a report naming no URL is\n"
    "never purged this way). Keeps report.json, the case file's rows (with the\n"
    "attachments' hashes) and the verdicts, and marks the report purged.\n"
    "Without --yes, only lists what would be deleted and how many bytes.\n";

/* Reports not purged yet, with a URL, whose URLs' current verdicts are all
 * at or before ?1. */
static const char due_sql[] =
    "SELECT r.id FROM reports r WHERE r.purged IS NULL"
    " AND EXISTS (SELECT 1 FROM report_lines l"
    "  WHERE l.report_id = r.id AND l.url_id IS NOT NULL)"
    " AND NOT EXISTS (SELECT 1 FROM report_lines l"
    "  LEFT JOIN verdicts v ON v.seq = " EXPORT_CURRENT_SEQ("l.url_id")
    "  WHERE l.report_id = r.id AND l.url_id IS NOT NULL"
    "  AND (v.at IS NULL OR v.at > ?1))"
    " ORDER BY r.received, r.id";

static const char mark_sql[] = "UPDATE reports SET purged = ?1 WHERE id = ?2";

static const char no_url_sql[] =
    "SELECT count(*) FROM reports r WHERE NOT EXISTS (SELECT 1"
    " FROM report_lines l WHERE l.report_id = r.id AND l.url_id IS NOT NULL)";

struct purge_run {
	struct cases *c;
	int dirfd;
	int yes;
	char cutoff[sizeof("YYYY-MM-DDTHH:MM:SSZ")];
	char today[sizeof("YYYY-MM-DD")];
	sqlite3_stmt *mark;
	unsigned long reports, files, failed;
	unsigned long long bytes;
};

/* Totals of one report's attachments directory. */
struct purge_dir {
	unsigned long files;
	unsigned long long bytes;
	int failed;
};

static int
parse_args(int argc, char *argv[], const char **dir, long *days, int *yes)
{
	static const struct option opts[] = {
		{ "assessed-older-than", required_argument, NULL, 'a' },
		{ "yes", no_argument, NULL, 'y' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *d = NULL;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'a': d = optarg; break;
		case 'y': *yes = 1; break;
		case 'h': return -1;
		default: return 1;
		}
	}
	if (argc - optind != 1 || d == NULL) {
		cli_error("purge-plaintext: DIR and --assessed-older-than are required");
		return 1;
	}
	*dir = argv[optind];
	if (*d == '\0' || strspn(d, "0123456789") != strlen(d) || strlen(d) > 6 ||
	    (*days = atol(d)) > DAYS_MAX) {
		cli_error("purge-plaintext: --assessed-older-than takes a number of "
		    "days from 0 to %d, not '%s'", DAYS_MAX, d);
		return 1;
	}
	return 0;
}

/* The newest verdict time that is DAYS old, and today, both UTC. */
static int
set_times(struct purge_run *run, long days)
{
	time_t now = time(NULL), then = now - (time_t)days * 86400;
	struct tm tm;

	if (gmtime_r(&then, &tm) == NULL ||
	    strftime(run->cutoff, sizeof(run->cutoff), "%Y-%m-%dT%H:%M:%SZ",
	    &tm) == 0 || gmtime_r(&now, &tm) == NULL ||
	    strftime(run->today, sizeof(run->today), "%Y-%m-%d", &tm) == 0) {
		cli_error("purge-plaintext: the clock is out of range");
		return -1;
	}
	return 0;
}

/* 1 if id is a report id (32 lower-case hex digits): one name in DIR. */
static int
id_valid(const char *id, size_t len)
{
	return len == REPORT_ID_LEN &&
	    strspn(id, "0123456789abcdef") == REPORT_ID_LEN;
}

/* One entry of an attachments directory: count it, and with --yes delete
 * it. A directory is left alone (decrypt never makes one). */
static void
purge_entry(const struct purge_run *run, int afd, const char *id,
    const char *name, struct purge_dir *pd)
{
	struct stat st;

	if (fstatat(afd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		cli_error_errno("%s/attachments: cannot look at an entry", id);
		pd->failed = 1;
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		cli_error("%s/attachments holds a directory: left alone", id);
		pd->failed = 1;
		return;
	}
	if (run->yes && unlinkat(afd, name, 0) != 0) {
		cli_error_errno("%s/attachments: cannot delete an entry", id);
		pd->failed = 1;
		return;
	}
	pd->files++;
	if (S_ISREG(st.st_mode))
		pd->bytes += (unsigned long long)st.st_size;
}

/* Count (and with --yes delete) the attachments of report id. */
static void
purge_dir(const struct purge_run *run, const char *id, struct purge_dir *pd)
{
	int afd = casedir_attachments(run->dirfd, id);
	struct dirent *e;
	DIR *d;

	if (afd < 0) {
		if (errno == ELOOP || errno == ENOTDIR)
			cli_error("%s/attachments is not a directory (a symbolic "
			    "link?): left alone", id);
		else if (errno != ENOENT)
			cli_error_errno("%s/attachments: left alone", id);
		pd->failed = errno != ENOENT;
		return;
	}
	if ((d = fdopendir(afd)) == NULL) {
		cli_error_errno("%s/attachments: left alone", id);
		close(afd);
		pd->failed = 1;
		return;
	}
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			purge_entry(run, afd, id, e->d_name, pd);
	if (run->yes && pd->files > 0 && fsync(afd) != 0) {
		cli_error_errno("%s/attachments: cannot sync", id);
		pd->failed = 1;
	}
	closedir(d);
}

/* Mark report id purged today. 0 or -1 (printed). */
static int
mark_purged(struct purge_run *run, const char *id)
{
	sqlite3_reset(run->mark);
	sqlite3_bind_text(run->mark, 1, run->today, -1, SQLITE_STATIC);
	sqlite3_bind_text(run->mark, 2, id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(run->mark) != SQLITE_DONE)
		return cases_sqlerr(run->c, "cannot mark a report purged");
	return 0;
}

/* Purge (or list) one due report. 0, or -1 if the case file failed. */
static int
purge_report(struct purge_run *run, const char *id, size_t len)
{
	struct purge_dir pd = { 0 };

	if (!id_valid(id, len)) {
		cli_error("%s: a report id that is not 32 hex digits: left alone",
		    cases_path(run->c));
		run->failed++;
		return 0;
	}
	purge_dir(run, id, &pd);
	if (pd.files > 0)
		printf("%s %s: %lu files, %llu bytes\n", run->yes ? "deleted" :
		    "would delete", id, pd.files, pd.bytes);
	run->reports += pd.files > 0;
	run->files += pd.files;
	run->bytes += pd.bytes;
	if (pd.failed) {
		run->failed++;
		return 0;
	}
	return run->yes ? mark_purged(run, id) : 0;
}

/* Go through the due reports. 0 or -1 (printed). */
static int
purge_due(struct purge_run *run)
{
	sqlite3 *db = cases_db(run->c);
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, due_sql, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, mark_sql, -1, &run->mark, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return cases_sqlerr(run->c, "cannot read the reports");
	}
	sqlite3_bind_text(st, 1, run->cutoff, -1, SQLITE_STATIC);
	/* mark_purged changes only the current row of this scan: safe in
	 * SQLite (https://sqlite.org/isolation.html). */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (purge_report(run, (const char *)sqlite3_column_text(st, 0),
		    (size_t)sqlite3_column_bytes(st, 0)) != 0)
			break;
	sqlite3_finalize(st);
	sqlite3_finalize(run->mark);
	run->mark = NULL;
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return cases_sqlerr(run->c, "cannot read the reports");
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The summary lines, and the reports this command never purges. */
static void
summary(const struct purge_run *run)
{
	sqlite3_stmt *st = NULL;

	printf("%s %lu files, %llu bytes, of %lu reports%s\n",
	    run->yes ? "deleted" : "would delete", run->files, run->bytes,
	    run->reports, run->yes ? "" :
	    " (a dry run: --yes deletes them)");
	if (sqlite3_prepare_v2(cases_db(run->c), no_url_sql, -1, &st, NULL) ==
	    SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_int64(st, 0) > 0)
		printf("%lld reports name no URL: purge-plaintext leaves them\n",
		    (long long)sqlite3_column_int64(st, 0));
	sqlite3_finalize(st);
}

/* A write transaction with --yes (no verdict changes under the run),
 * else a read one: what is listed is one snapshot. */
static int
begin(struct purge_run *run)
{
	if (run->yes)
		return cases_begin(run->c);
	if (sqlite3_exec(cases_db(run->c), "BEGIN", NULL, NULL, NULL) !=
	    SQLITE_OK)
		return cases_sqlerr(run->c, "cannot read");
	return 0;
}

/* The whole run, in one transaction. */
static int
purge_run(struct purge_run *run)
{
	int rc;

	if (begin(run) != 0)
		return -1;
	rc = purge_due(run);
	if (rc == 0)
		summary(run);
	if (rc == 0 && run->yes)
		return cases_commit(run->c);
	cases_rollback(run->c);
	return rc;
}

int
purge_plaintext_main(int argc, char *argv[])
{
	struct purge_run run = { .dirfd = -1 };
	const char *dir = NULL;
	long days = 0;
	int parsed = parse_args(argc, argv, &dir, &days, &run.yes), rc = -1;

	if (parsed != 0) {
		fputs(purge_usage, parsed < 0 ? stdout : stderr);
		return parsed < 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}
	if (set_times(&run, days) != 0)
		return CLI_EXIT_FAIL;
	if ((run.dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		cli_error_errno("cannot open %s", dir);
		return CLI_EXIT_FAIL;
	}
	if ((run.c = cases_open(dir, 0)) != NULL)
		rc = purge_run(&run);
	cases_close(run.c);
	close(run.dirfd);
	if (fflush(stdout) != 0 || ferror(stdout))
		rc = -1;
	return rc == 0 && run.failed == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}
