/*
 * outcomes: `oniondrop-keys outcome`, queuing what the desk tells a
 * reporter about a report, and `oniondrop-keys outcomes`, writing every
 * queued outcome into one signed, numbered file (lib/outcome.h) the
 * administrator carries to the server. Owns the commands, the checks of a
 * message, sealing each message to its report's reply key, and the order
 * in which the file and the case file are made durable (docs/cases.md,
 * "Outcomes"): a file that could be carried is always recorded as sent,
 * and a sequence number is never used twice.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "cases.h"
#include "cli.h"
#include "commands.h"
#include "encode.h"
#include "fromverdicts.h"
#include "keys.h"
#include "outcome.h"
#include "outcomes.h"
#include "utf8.h"

#define SECONDS_PER_DAY 86400

static const char outcome_usage[] =
    "usage: oniondrop-keys outcome DIR REPORT-ID --status STATUS\n"
    "                              [--message-file FILE]\n"
    "  STATUS: in-review|actioned|not-illegal|already-known|unreachable|\n"
    "          need-information\n"
    "\n"
    "Queues an outcome for a report of DIR/cases.db; `outcomes` writes it.\n"
    "A message (UTF-8, 1..4000 bytes) is shown to the reporter who comes\n"
    "back with the receipt; it is sealed to the report's reply key, so only\n"
    "that receipt opens it. A report made before replies takes a status\n"
    "only. A later outcome for the same report replaces a queued one.\n";

static const char outcomes_usage[] =
    "usage: oniondrop-keys outcomes DIR --sign-key PREFIX.sec\n"
    "                               [--passphrase-file FILE]\n"
    "                               [--from-verdicts] --out FILE\n"
    "\n"
    "Writes every outcome queued in DIR/cases.db (one per report: the\n"
    "latest, an analyst's before one from the verdicts) into FILE, signed\n"
    "with the desk's key and numbered one more than the last file written;\n"
    "the server's import-outcomes takes only a newer number. Messages are\n"
    "sealed to each report's reply key. --from-verdicts first queues the\n"
    "status the current verdicts imply for reports whose URLs have a newer\n"
    "verdict. FILE is made new, never overwritten. Exit 1, with no file,\n"
    "if nothing is queued.\n";

/* The statuses joined by '|', as the usage and errors say them. */
static const char *
status_names(void)
{
	static char buf[128];

	if (buf[0] != '\0')
		return buf;
	for (unsigned st = 1; st < OUTCOME_STATUS_COUNT; st++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s",
		    st > 1 ? "|" : "", outcome_status_name(st));
	return buf;
}

/* --- outcome -------------------------------------------------------- */

struct outcome_args {
	const char *dir;
	const char *report;
	const char *status;
	const char *message_file;
};

/* Return -1 to exit 0 (help), 0 to go on, 1 on a usage error. */
static int
parse_outcome_args(int argc, char *argv[], struct outcome_args *a)
{
	static const struct option opts[] = {
		{ "status", required_argument, NULL, 's' },
		{ "message-file", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': a->status = optarg; break;
		case 'm': a->message_file = optarg; break;
		case 'h': return -1;
		default: return 1;
		}
	}
	if (argc - optind != 2 || a->status == NULL) {
		cli_error("outcome: DIR, REPORT-ID and --status are required");
		return 1;
	}
	a->dir = argv[optind];
	a->report = argv[optind + 1];
	if (outcome_status_parse(a->status) == OUTCOME_NONE) {
		cli_error("outcome: unknown --status '%s' (%s)", a->status,
		    status_names());
		return 1;
	}
	return 0;
}

/* Why a message cannot be sent, or NULL. */
static const char *
message_refusal(const uint8_t *m, size_t len)
{
	size_t i;

	for (i = 0; i < len && strchr(" \t\r\n", m[i]) != NULL; i++)
		continue;
	if (i == len)
		return "is empty";
	if (memchr(m, '\0', len) != NULL)
		return "holds a NUL byte";
	if (!utf8_valid(m, len))
		return "is not UTF-8";
	return NULL;
}

/* Read and check the message file: a buffer (cli_free_secret) or NULL. */
static uint8_t *
read_message(const char *path, size_t *len)
{
	uint8_t *m = cli_read_file(path, OUTCOME_MESSAGE_MAX, len);
	const char *why;

	if (m != NULL && (why = message_refusal(m, *len)) != NULL) {
		cli_error("outcome: the message in %s %s; nothing queued", path,
		    why);
		cli_free_secret(m);
		return NULL;
	}
	return m;
}

/*
 * Whether report id can take the outcome: 0, or -1 after saying why (not
 * in the case file, or a message for a report made before replies).
 */
static int
check_report(struct cases *c, const char *id, int with_message)
{
	static const char sql[] = "SELECT reply_key IS NOT NULL FROM reports "
	    "WHERE id = ?1";
	sqlite3_stmt *st;
	int rc, replies = 0;

	if (sqlite3_prepare_v2(cases_db(c), sql, -1, &st, NULL) != SQLITE_OK)
		return cases_sqlerr(c, "cannot look up the report");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		replies = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cases_sqlerr(c, "cannot look up the report");
	if (rc == SQLITE_DONE) {
		cli_error("outcome: no report '%s' in %s; nothing queued", id,
		    cases_path(c));
		return -1;
	}
	if (with_message && !replies) {
		cli_error("outcome: report %s came before replies: a status "
		    "only (no --message-file); nothing queued", id);
		return -1;
	}
	return 0;
}

static int
insert_outcome(struct cases *c, const struct outcome_args *a,
    const uint8_t *m, size_t mlen)
{
	static const char sql[] = "INSERT INTO outcomes (report_id, status, "
	    "message, queued_at, source, verdicts_seen) VALUES (?1, ?2, ?3, "
	    "?4, 'analyst', (SELECT CAST(value AS INTEGER) FROM meta WHERE "
	    "key = 'verdicts_count'))";
	char now[CASES_TIME_LEN + 1];
	sqlite3_stmt *st;
	int rc;

	cases_now(now);
	if (sqlite3_prepare_v2(cases_db(c), sql, -1, &st, NULL) != SQLITE_OK)
		return cases_sqlerr(c, "cannot queue the outcome");
	sqlite3_bind_text(st, 1, a->report, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, a->status, -1, SQLITE_STATIC);
	if (m != NULL)
		sqlite3_bind_text64(st, 3, (const char *)m, mlen,
		    SQLITE_STATIC, SQLITE_UTF8);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : cases_sqlerr(c, "cannot queue the "
	    "outcome");
}

static int
queue_outcome(struct cases *c, const struct outcome_args *a,
    const uint8_t *m, size_t mlen)
{
	if (cases_begin(c) != 0)
		return -1;
	if (check_report(c, a->report, m != NULL) != 0 ||
	    insert_outcome(c, a, m, mlen) != 0 || cases_commit(c) != 0) {
		cases_rollback(c);
		return -1;
	}
	printf("queued: %s %s%s\n", a->report, a->status,
	    m != NULL ? " with a message" : "");
	return 0;
}

int
outcome_main(int argc, char *argv[])
{
	struct outcome_args a = { 0 };
	struct cases *c = NULL;
	uint8_t *m = NULL;
	size_t mlen = 0;
	int parsed = parse_outcome_args(argc, argv, &a), rc = -1;

	if (parsed != 0) {
		fputs(outcome_usage, parsed < 0 ? stdout : stderr);
		return parsed < 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}
	if (a.message_file != NULL &&
	    (m = read_message(a.message_file, &mlen)) == NULL)
		return CLI_EXIT_FAIL;
	if ((c = cases_open(a.dir, 0)) != NULL)
		rc = queue_outcome(c, &a, m, mlen);
	cases_close(c);
	cli_free_secret(m);
	return rc == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

/* --- outcomes ------------------------------------------------------- */

struct outcomes_args {
	const char *dir;
	const char *sign_key;
	const char *passfile;
	const char *out;
	int from_verdicts;
};

/* Return -1 to exit 0 (help), 0 to go on, 1 on a usage error. */
static int
parse_outcomes_args(int argc, char *argv[], struct outcomes_args *a)
{
	static const struct option opts[] = {
		{ "sign-key", required_argument, NULL, 'k' },
		{ "passphrase-file", required_argument, NULL, 'p' },
		{ "from-verdicts", no_argument, NULL, 'v' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'k': a->sign_key = optarg; break;
		case 'p': a->passfile = optarg; break;
		case 'v': a->from_verdicts = 1; break;
		case 'o': a->out = optarg; break;
		case 'h': return -1;
		default: return 1;
		}
	}
	if (argc - optind != 1 || a->sign_key == NULL || a->out == NULL ||
	    a->out[0] == '\0') {
		cli_error("outcomes: DIR, --sign-key and --out are required");
		return 1;
	}
	a->dir = argv[optind];
	return 0;
}

/* One integer a statement (no parameters) gives, into *v: 0 or -1. */
static int
query_int64(struct cases *c, const char *sql, sqlite3_int64 *v)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(cases_db(c), sql, -1, &st, NULL) != SQLITE_OK)
		return cases_sqlerr(c, "cannot read the outcomes");
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : cases_sqlerr(c, "cannot read the "
	    "outcomes");
}

static int
last_sequence(struct cases *c, sqlite3_int64 *seq)
{
	return query_int64(c, "SELECT CAST(value AS INTEGER) FROM meta WHERE "
	    "key = 'outcome_sequence'", seq);
}

/*
 * FILE.tmp is there: an earlier run stopped. Its header says which file
 * it is; if the case file records that sequence as sent, the file is
 * whole (it was synced before the commit) and only needs its rename.
 */
static void
explain_leftover(struct cases *c, const char *out, const char *tmp)
{
	uint8_t head[OUTCOME_HEADER_BYTES];
	sqlite3_int64 last = -1;
	int fd = open(tmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, head, sizeof(head)) : -1;

	if (fd >= 0)
		close(fd);
	last_sequence(c, &last);
	if (n == (ssize_t)sizeof(head) && memcmp(head, OUTCOME_MAGIC, 4) == 0 &&
	    last > 0 && decode_be64(head + 40) == (uint64_t)last)
		cli_error("outcomes: %s is the file of sequence %lld, recorded "
		    "as sent by a run that stopped before renaming it: rename "
		    "it to %s and carry it; nothing done", tmp,
		    (long long)last, out);
	else
		cli_error("outcomes: %s was left by a run that stopped before "
		    "recording it: its outcomes are still queued; delete it "
		    "and run again; nothing done", tmp);
}

/* Refuse to start if FILE or FILE.tmp exists. */
static int
check_out_paths(struct cases *c, const char *out, const char *tmp)
{
	struct stat st;

	if (lstat(out, &st) == 0) {
		cli_error("outcomes: %s already exists; not overwritten", out);
		return -1;
	}
	if (lstat(tmp, &st) == 0) {
		explain_leftover(c, out, tmp);
		return -1;
	}
	return 0;
}

/* How many reports have an outcome queued (0: say so). */
static int
count_queued(struct cases *c, sqlite3_int64 *n)
{
	if (query_int64(c, "SELECT count(DISTINCT report_id) FROM outcomes "
	    "WHERE sent_sequence IS NULL", n) != 0)
		return -1;
	if (*n == 0)
		cli_error("outcomes: nothing queued in %s (oniondrop-keys "
		    "outcome queues one); no file written", cases_path(c));
	return 0;
}

/* The day (days since 1970-01-01) of a case file time, or -1. */
static int64_t
day_of(const char *at)
{
	struct tm tm = { 0 };
	const char *end;

	if (at == NULL || (end = strptime(at, "%Y-%m-%d", &tm)) == NULL)
		return -1;
	return (int64_t)timegm(&tm) / SECONDS_PER_DAY;
}

/*
 * Seal the message m[0..len) to the hex reply key into sealed (len +
 * crypto_box_SEALBYTES bytes). Return 0, or -1 if the key is not in form.
 */
static int
seal_message(uint8_t *sealed, const uint8_t *m, size_t len,
    const char *reply_key)
{
	uint8_t pk[crypto_box_PUBLICKEYBYTES];

	if (reply_key == NULL || strlen(reply_key) != 2 * sizeof(pk) ||
	    decode_hex(pk, sizeof(pk), reply_key, 2 * sizeof(pk)) != 0)
		return -1;
	return crypto_box_seal(sealed, m, len, pk) == 0 ? 0 : -1;
}

/* A file being written: the outcome writer and where it stands. */
struct outfile {
	struct cases *c;
	struct outcome_writer *w;
	uint8_t sealed[OUTCOME_SEALED_MAX];
	unsigned entries;
};

/*
 * Add the entry of one chosen row: id, status, message, queued_at,
 * reply_key. The case file may have been edited by hand: each column is
 * checked again. Return 0, or -1 after printing why.
 */
static int
add_entry(struct outfile *o, sqlite3_stmt *st)
{
	const char *id = (const char *)sqlite3_column_text(st, 0), *why;
	const uint8_t *m = sqlite3_column_blob(st, 2);
	size_t mlen = (size_t)sqlite3_column_bytes(st, 2);
	int64_t day = day_of((const char *)sqlite3_column_text(st, 3));
	struct outcome_entry e = { .status = outcome_status_parse(
	    (const char *)sqlite3_column_text(st, 1)) };

	if (id == NULL || strlen(id) != 2 * sizeof(e.id) ||
	    decode_hex(e.id, sizeof(e.id), id, strlen(id)) != 0 ||
	    e.status == OUTCOME_NONE || day < 0 || day > UINT32_MAX ||
	    (m != NULL && (mlen > OUTCOME_MESSAGE_MAX ||
	    message_refusal(m, mlen) != NULL))) {
		cli_error("%s: the outcome queued for %s is damaged (edited by "
		    "hand?); no file written", cases_path(o->c),
		    id ? id : "(null)");
		return -1;
	}
	e.day = (uint32_t)day;
	if (m != NULL && seal_message(o->sealed, m, mlen,
	    (const char *)sqlite3_column_text(st, 4)) != 0) {
		cli_error("%s: report %s has a message queued but no reply key "
		    "to seal it to; no file written", cases_path(o->c), id);
		return -1;
	}
	e.message = m != NULL ? o->sealed : NULL;
	e.message_len = m != NULL ? mlen + crypto_box_SEALBYTES : 0;
	if (outcome_writer_add(o->w, &e, &why) != 0) {
		cli_error("outcomes: report %s: %s; no file written", id, why);
		return -1;
	}
	o->entries++;
	return 0;
}

/*
 * Add the one entry of each report with a queued outcome: its latest
 * queued row of the analyst's, else its latest queued row.
 */
static int
add_entries(struct outfile *o)
{
	static const char sql[] = "SELECT o.report_id, o.status, o.message, "
	    "o.queued_at, r.reply_key FROM outcomes AS o JOIN reports AS r ON "
	    "r.id = o.report_id WHERE o.sent_sequence IS NULL AND o.id = "
	    OUTCOMES_CHOSEN("o") " ORDER BY o.report_id";
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(cases_db(o->c), sql, -1, &st, NULL) !=
	    SQLITE_OK)
		return cases_sqlerr(o->c, "cannot read the outcomes");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (add_entry(o, st) != 0)
			break;
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return -1;
	return rc == SQLITE_DONE ? 0 : cases_sqlerr(o->c, "cannot read the "
	    "outcomes");
}

/* Mark every queued row sent in file seq, and move meta along. */
static int
record_sent(struct cases *c, sqlite3_int64 seq)
{
	static const char *const sql[] = {
		"UPDATE outcomes SET sent_sequence = ?1 WHERE sent_sequence "
		"IS NULL",
		"UPDATE meta SET value = CAST(?1 AS TEXT) WHERE key = "
		"'outcome_sequence'",
	};
	sqlite3_stmt *st;
	int rc;

	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		if (sqlite3_prepare_v2(cases_db(c), sql[i], -1, &st, NULL) !=
		    SQLITE_OK)
			return cases_sqlerr(c, "cannot record the file");
		sqlite3_bind_int64(st, 1, seq);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return cases_sqlerr(c, "cannot record the file");
	}
	return 0;
}

/*
 * Build and sign the file of sequence seq into *img (malloc'd, *len
 * bytes). Return 0, or -1 after printing why.
 */
static int
build_file(struct outfile *o, sqlite3_int64 seq,
    const struct keys_secret *key, uint8_t **img, size_t *len)
{
	uint8_t *sk = sodium_malloc(KEYS_SIGN_EXPANDED_BYTES);
	int rc = -1;

	if (sk == NULL || (o->w = outcome_writer_new((uint64_t)seq,
	    (uint32_t)(time(NULL) / SECONDS_PER_DAY))) == NULL) {
		cli_error("out of memory");
		goto out;
	}
	if (add_entries(o) != 0)
		goto out;
	keys_sign_expand(sk, key);
	rc = outcome_writer_finish(o->w, sk, img, len);
	o->w = NULL;	/* freed by outcome_writer_finish */
	if (rc != 0)
		cli_error("out of memory");
out:
	outcome_writer_free(o->w);
	o->w = NULL;
	if (sk != NULL)
		sodium_free(sk);
	return rc;
}

/* Sync the directory holding path (after a rename into it). */
static int
sync_parent(const char *path)
{
	char *copy = strdup(path);
	int fd = copy != NULL ? open(dirname(copy), O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC) : -1, rc = -1;

	if (fd >= 0) {
		rc = fsync(fd);
		close(fd);
	}
	free(copy);
	return rc;
}

/*
 * The file is in FILE.tmp and recorded: put it in place. If that fails
 * the record stands (the sequence is spent), so say where the file is.
 */
static int
put_in_place(const char *tmp, const char *out, sqlite3_int64 seq)
{
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, out, RENAME_NOREPLACE) != 0) {
		cli_error_errno("outcomes: the file of sequence %lld is "
		    "recorded as sent, but %s could not be renamed to %s: "
		    "rename it by hand and carry it", (long long)seq, tmp, out);
		return -1;
	}
	if (sync_parent(out) != 0)
		cli_error_errno("outcomes: %s is written but its directory "
		    "could not be synced", out);
	return 0;
}

/*
 * Inside the write transaction: build the file, write FILE.tmp (new,
 * synced), record it as sent. A failure before the commit removes
 * FILE.tmp: nothing was sent.
 */
static int
write_and_record(struct outfile *o, const struct keys_secret *key,
    const char *tmp, sqlite3_int64 *seq)
{
	uint8_t *img = NULL;
	size_t len = 0;
	int written = 0;

	if (last_sequence(o->c, seq) != 0)
		return -1;
	++*seq;
	if (build_file(o, *seq, key, &img, &len) != 0)
		goto err;
	if (cli_write_new_file(tmp, img, len, 0600) != 0)
		goto err;
	written = 1;
	if (record_sent(o->c, *seq) != 0 || cases_commit(o->c) != 0)
		goto err;
	free(img);
	return 0;
err:
	cases_rollback(o->c);
	if (written) {
		unlink(tmp);
		cli_error("outcomes: nothing recorded and no file written: the "
		    "outcomes are still queued");
	}
	free(img);
	return -1;
}

static int
write_outcomes(struct cases *c, const struct outcomes_args *a,
    const struct keys_secret *key, const char *tmp)
{
	struct outfile *o = calloc(1, sizeof(*o));
	sqlite3_int64 seq = 0;
	unsigned entries;
	int rc = -1;

	if (o == NULL) {
		cli_error("out of memory");
		return -1;
	}
	o->c = c;
	if (cases_begin(c) == 0 && write_and_record(o, key, tmp, &seq) == 0)
		rc = put_in_place(tmp, a->out, seq);
	entries = o->entries;
	free(o);
	if (rc == 0)
		printf("outcomes: %u\nsequence: %lld\n", entries,
		    (long long)seq);
	return rc;
}

/* Queue from the verdicts if asked; then is anything queued? 1, 0, -1. */
static int
prepare_queue(struct cases *c, const struct outcomes_args *a)
{
	char now[CASES_TIME_LEN + 1];
	sqlite3_int64 n = 0;
	long queued = 0;

	if (a->from_verdicts) {
		cases_now(now);
		if (fromverdicts_queue(c, now, &queued) != 0)
			return -1;
		printf("queued from verdicts: %ld\n", queued);
	}
	if (count_queued(c, &n) != 0)
		return -1;
	return n > 0;
}

int
outcomes_main(int argc, char *argv[])
{
	struct outcomes_args a = { 0 };
	struct keys_secret *key = NULL;
	struct cases *c = NULL;
	char *tmp = NULL;
	int parsed = parse_outcomes_args(argc, argv, &a), rc = -1;

	if (parsed != 0) {
		fputs(outcomes_usage, parsed < 0 ? stdout : stderr);
		return parsed < 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}
	if (asprintf(&tmp, "%s.tmp", a.out) < 0) {
		cli_error("out of memory");
		return CLI_EXIT_FAIL;
	}
	if ((c = cases_open(a.dir, 0)) == NULL ||
	    check_out_paths(c, a.out, tmp) != 0 ||
	    prepare_queue(c, &a) != 1 ||
	    (key = cli_load_key(a.sign_key, a.passfile, KEYS_SIGNING)) == NULL)
		goto out;
	rc = write_outcomes(c, &a, key, tmp);
out:
	keys_secret_free(key);
	cases_close(c);
	free(tmp);
	return rc == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}
