/*
 * decrypt: `oniondrop-keys decrypt`, turning exported bundles back into
 * reports on the analyst's offline machine, and recording them in the case
 * file DIR/cases.db. Bundles are read as a stream (memory does not grow
 * with their size); each record's envelope goes through unseal into a
 * reportdir. A report that fails is named and skipped; the others are
 * still written. A report already in DIR is named and skipped; if the case
 * file lacks it (an interrupted run), it is decrypted again only to be
 * recorded. Reports are put in place and recorded in batches of
 * BATCH_REPORTS: one syncfs, one rename each, one transaction; the
 * folders go in place before the transaction commits, so a crash leaves
 * at worst folders that the next run over the same bundles records.
 * The case file's hash lists are loaded once; each attachment known to
 * them is named on standard output by its report and position, never by
 * its file name. A report whose images are not all decoded when its
 * payload ends waits, in order, to be finished (recorded, committed) once
 * they are: the sandboxed decoders work on up to three reports' images
 * while the next report is decrypted.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "bundle.h"
#include "cases.h"
#include "cli.h"
#include "commands.h"
#include "encode.h"
#include "keys.h"
#include "known.h"
#include "reportdir.h"
#include "unseal.h"

#define READ_CHUNK (1024 * 1024)
#define PROGRESS_MIN (16 * 1024 * 1024)
#define BATCH_REPORTS 500

static const char decrypt_usage[] =
    "usage: oniondrop-keys decrypt --key PREFIX.sec [--passphrase-file FILE]\n"
    "                              --out DIR [--withhold-known] BUNDLE...\n"
    "\n"
    "Decrypts every report in the bundles into DIR/<report-id>/report.json and\n"
    "DIR/<report-id>/attachments/, and records it in the case file\n"
    "DIR/cases.db. Run it on the same DIR every day: a report already there\n"
    "is named (\"already there: ID\") and skipped. Never writes outside DIR\n"
    "and never overwrites; a report that fails authentication is named on\n"
    "stderr and skipped, the others are still written. Exit status 0 only if\n"
    "every report decrypted (or was already there) and every bundle was\n"
    "intact.\n"
    "\n"
    "Each attachment gets its MD5, SHA-1, SHA-256 and type, an image its size,\n"
    "PDQ hash and metadata warnings; one on a hash list of the case file is\n"
    "named (\"known: ID attachment N: list NAME grade G\"). With\n"
    "--withhold-known, the bytes of such an attachment are not written.\n";

struct decrypt_args {
	const char *key;
	const char *passfile;
	const char *out;
	int withhold;
	char **bundles;
	int nbundles;
};

/* A report whose payload ended: what finishing it needs. */
struct ended {
	struct reportdir *dir;	/* NULL: none */
	char id[ENCODE_HEX_LEN(ENVELOPE_ID_BYTES) + 1];
	int record;		/* the case file does not have this report */
	int scratch;		/* its folder is there: only record it */
};

struct decrypt_run {
	const struct keys_secret *key;
	const char *out;
	int outfd;
	struct cases *cases;
	struct known *known;
	struct reportdir_batch *batch;
	int in_transaction;
	int broken;		/* the case file failed: stop */
	const char *bundle;
	char id[ENCODE_HEX_LEN(ENVELOPE_ID_BYTES) + 1];
	uint8_t rawid[ENVELOPE_ID_BYTES];
	struct reportdir *dir;
	struct unseal *unseal;
	int skipping;
	int record;		/* the case file does not have this report */
	int scratch;		/* its folder is there: only record it */
	/* waiting for the decoders, oldest first */
	struct ended ended[ATTSCAN_DECODERS + 1];
	size_t nended;
	unsigned written, failed, problems, already;
	off_t size, done;
	int progress, percent;
};

static void
record_failed(struct decrypt_run *run, const char *why)
{
	cli_error("report %s: %s; skipped", run->id, why);
	run->failed++;
	run->skipping = 1;
	reportdir_abort(run->dir);
	run->dir = NULL;
	unseal_free(run->unseal);
	run->unseal = NULL;
}

/* The reason a record failed: the reportdir's own, or unseal's. */
static const char *
failure_reason(const struct decrypt_run *run)
{
	const char *why = run->dir ? reportdir_error(run->dir) : NULL;

	if (why != NULL)
		return why;
	if (unseal_error(run->unseal) == UNSEAL_NO_SLOT)
		return "not sealed to this key";
	return unseal_message(run->unseal);
}

/*
 * The case file failed (it said why): nothing more is decrypted in this
 * run, and what waits in the batch is not kept.
 */
static int
case_file_broken(struct decrypt_run *run)
{
	if (!run->broken)
		cli_error("%s: decrypt stopped; the reports not yet in place "
		    "are not kept", cases_path(run->cases));
	run->broken = 1;
	run->skipping = 1;
	reportdir_abort(run->dir);
	run->dir = NULL;
	for (size_t i = 0; i < run->nended; i++)
		reportdir_abort(run->ended[i].dir);
	run->nended = 0;
	unseal_free(run->unseal);
	run->unseal = NULL;
	return -1;
}

/* Decide what to do with report id: 1 to decrypt it, 0 to skip, -1. */
static int
plan_record(struct decrypt_run *run, const uint8_t id[ENVELOPE_ID_BYTES])
{
	int there = reportdir_exists(run->batch, id);
	int recorded = cases_has_report(run->cases, run->id);

	if (recorded < 0)
		return -1;
	if (there && recorded) {
		printf("already there: %s\n", run->id);
		run->already++;
		return 0;
	}
	run->record = !recorded;
	run->scratch = there;
	return 1;
}

static int finish_until(struct decrypt_run *run, size_t n);

static int
on_record_begin(void *ctx, uint32_t seq, const uint8_t id[ENVELOPE_ID_BYTES],
    uint64_t len)
{
	struct decrypt_run *run = ctx;
	const char *why;
	int plan;

	encode_hex(run->id, id, ENVELOPE_ID_BYTES);
	memcpy(run->rawid, id, ENVELOPE_ID_BYTES);
	run->skipping = 1;
	for (size_t i = 0; i < run->nended; i++)
		if (strcmp(run->ended[i].id, run->id) == 0 &&
		    finish_until(run, i + 1) != 0)	/* the same id again */
			return -1;
	if (run->broken || (plan = plan_record(run, id)) < 0)
		return case_file_broken(run);
	if (plan == 0)
		return 0;
	run->skipping = 0;
	if ((run->dir = reportdir_begin(run->batch, id, &why)) == NULL) {
		record_failed(run, why);
		return 0;
	}
	if ((run->unseal = unseal_new(run->key, &reportdir_callbacks,
	    run->dir)) == NULL)
		record_failed(run, "out of memory");
	return 0;
}

static int
on_record_data(void *ctx, const uint8_t *buf, size_t len)
{
	struct decrypt_run *run = ctx;

	if (!run->skipping && unseal_feed(run->unseal, buf, len) != 0)
		record_failed(run, failure_reason(run));
	return 0;
}

/* "known: ID attachment N: ..." for each attachment a hash list has. */
static void
print_known(const struct ended *e)
{
	const struct attscan_result *s;
	int withheld;

	for (size_t i = 0; (s = reportdir_scan(e->dir, i, &withheld)) != NULL;
	    i++) {
		if (!s->known)
			continue;
		printf("known: %s attachment %zu: list %s", e->id, i + 1,
		    s->list);
		if (s->grade[0] != '\0')
			printf(" grade %s", s->grade);
		if (s->match == HASHLIST_PDQ)
			printf(" (pdq, %d bits)", s->distance);
		else
			printf(" (%s)", hashlist_format_name(s->match));
		puts(withheld ? "; withheld: not written" : "");
	}
}

/* Record e in the case file, in the batch's transaction. */
static int
record_report(struct decrypt_run *run, const struct ended *e)
{
	struct cases_report r;

	if (!run->in_transaction) {
		if (cases_begin(run->cases) != 0)
			return -1;
		run->in_transaction = 1;
	}
	if (reportdir_summary(e->dir, &r) != 0) {
		cli_error("out of memory");
		return -1;
	}
	return cases_record(run->cases, &r);
}

/*
 * Report id decrypted but could not be put in place: it is named, and
 * not in the case file either (the case file holds what DIR holds).
 */
static int
put_failed(struct decrypt_run *run, const char *id, const char *why)
{
	cli_error("report %s: %s; skipped", id, why);
	run->failed++;
	if (run->in_transaction && cases_forget(run->cases, id) != 0)
		return case_file_broken(run);
	return 0;
}

static void
on_put_failed(void *ctx, const char *id, const char *why)
{
	struct decrypt_run *run = ctx;

	run->written--;
	put_failed(run, id, why);
}

/*
 * Put the waiting reports in place, then commit what was recorded of
 * them: the folders are durable before the case file names them.
 */
static int
flush_batch(struct decrypt_run *run)
{
	unsigned failed = run->failed;

	if (reportdir_batch_flush(run->batch, on_put_failed, run) != 0 &&
	    run->failed == failed)
		cli_error_errno("cannot sync %s", run->out);
	if (run->broken || !run->in_transaction)
		return run->broken ? -1 : 0;
	run->in_transaction = 0;
	if (cases_commit(run->cases) != 0) {
		cli_error("the reports written since the last commit are in "
		    "%s but not in %s: decrypt the same bundles again to "
		    "record them", run->out, cases_path(run->cases));
		return -1;
	}
	return 0;
}

/*
 * A field the daemon always writes well formed came malformed: the report
 * is kept, the field only under "extra", and the analyst is told.
 */
static void
warn_dropped(const struct decrypt_run *run)
{
	const char *name;

	for (size_t i = 0; (name = reportdir_dropped(run->dir, i)) != NULL;
	    i++)
		cli_error("report %s: its %s is not in the daemon's form; left "
		    "out of the case file and kept only under \"extra\" (was "
		    "the server compromised?)", run->id, name);
}

/*
 * Finish an ended report once the decoders have answered for it: record
 * it, name its known attachments, and commit it to the batch (or, already
 * there, drop its scratch folder). e->dir is then NULL, or the case file
 * failed (-1) and every ended report was dropped.
 */
static int
finish(struct decrypt_run *run, struct ended *e)
{
	const char *why;

	if (reportdir_wait(e->dir) != 0) {
		cli_error("report %s: %s; skipped", e->id,
		    reportdir_error(e->dir));
		run->failed++;
		reportdir_abort(e->dir);
		e->dir = NULL;
		return 0;
	}
	if (e->record && record_report(run, e) != 0)
		return case_file_broken(run);
	print_known(e);
	if (e->scratch) {
		reportdir_abort(e->dir);
		e->dir = NULL;
		printf("already there: %s (now recorded in %s)\n", e->id,
		    cases_path(run->cases));
		run->already++;
		return 0;
	}
	if (reportdir_commit(e->dir, &why) != 0) {
		e->dir = NULL;
		return put_failed(run, e->id, why);
	}
	e->dir = NULL;
	run->written++;
	if (reportdir_batch_count(run->batch) >= BATCH_REPORTS &&
	    flush_batch(run) != 0)
		return case_file_broken(run);
	return 0;
}

/* Finish the oldest ended report. */
static int
finish_first(struct decrypt_run *run)
{
	int rc = finish(run, &run->ended[0]);

	if (run->nended > 0)	/* case_file_broken empties it */
		memmove(run->ended, run->ended + 1,
		    --run->nended * sizeof(run->ended[0]));
	return rc;
}

/* Finish the n oldest ended reports. */
static int
finish_until(struct decrypt_run *run, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (finish_first(run) != 0)
			return -1;
	return 0;
}

static int
on_record_end(void *ctx)
{
	struct decrypt_run *run = ctx;
	uint8_t id[ENVELOPE_ID_BYTES];
	struct ended *e;

	if (run->skipping)
		return 0;
	if (unseal_finish(run->unseal) != 0) {
		record_failed(run, failure_reason(run));
		return 0;
	}
	if (unseal_id(run->unseal, id) != 0 ||
	    sodium_memcmp(id, run->rawid, ENVELOPE_ID_BYTES) != 0) {
		record_failed(run, "the bundle names it with another report's id");
		return 0;
	}
	unseal_free(run->unseal);
	run->unseal = NULL;
	warn_dropped(run);
	e = &run->ended[run->nended++];
	e->dir = run->dir;
	memcpy(e->id, run->id, sizeof(e->id));
	e->record = run->record;
	e->scratch = run->scratch;
	run->dir = NULL;
	/* in order: those answered for, and at most one per decoder waiting */
	while (run->nended > 0 && (run->nended > ATTSCAN_DECODERS ||
	    !reportdir_pending(run->ended[0].dir)))
		if (finish_first(run) != 0)
			return -1;
	return 0;
}

static void
on_problem(void *ctx, uint64_t offset, const char *what)
{
	struct decrypt_run *run = ctx;

	cli_error("%s: at byte %llu: %s", run->bundle,
	    (unsigned long long)offset, what);
	run->problems++;
}

static const struct bundle_callbacks decrypt_callbacks = {
	on_record_begin, on_record_data, on_record_end, on_problem,
};

static void
show_progress(struct decrypt_run *run, size_t n)
{
	int percent;

	run->done += (off_t)n;
	if (!run->progress)
		return;
	percent = (int)(run->done * 100 / run->size);
	if (percent == run->percent)
		return;
	run->percent = percent;
	fprintf(stderr, "\r%s: %3d%% (%lld of %lld MB)", run->bundle, percent,
	    (long long)(run->done >> 20), (long long)(run->size >> 20));
	if (percent == 100)
		fputc('\n', stderr);
}

static void
start_progress(struct decrypt_run *run, int fd)
{
	struct stat st;

	run->done = 0;
	run->percent = -1;
	run->size = fstat(fd, &st) == 0 ? st.st_size : 0;
	run->progress = isatty(STDERR_FILENO) && run->size >= PROGRESS_MIN;
}

/* Read one bundle through the bundle reader. Return 0 if it was intact. */
static int
decrypt_bundle(struct decrypt_run *run, const char *path, uint8_t *buf)
{
	struct bundle_reader *r = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = -1;
	ssize_t n;

	if (fd < 0) {
		cli_error_errno("cannot open %s", path);
		return -1;
	}
	run->bundle = path;
	start_progress(run, fd);
	if ((r = bundle_reader_new(&decrypt_callbacks, run)) == NULL) {
		cli_error("out of memory");
		goto out;
	}
	while ((n = read(fd, buf, READ_CHUNK)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			cli_error_errno("cannot read %s", path);
			goto out;
		}
		bundle_reader_feed(r, buf, (size_t)n);
		show_progress(run, (size_t)n);
		if (run->broken)
			goto out;
	}
	rc = bundle_reader_finish(r);
out:
	if (run->dir != NULL)	/* a read error inside a record */
		record_failed(run, "the bundle could not be read to its end");
	bundle_reader_free(r);
	close(fd);
	return rc;
}

static int
parse_args(int argc, char *argv[], struct decrypt_args *a)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "passphrase-file", required_argument, NULL, 'p' },
		{ "out", required_argument, NULL, 'o' },
		{ "withhold-known", no_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'k': a->key = optarg; break;
		case 'p': a->passfile = optarg; break;
		case 'o': a->out = optarg; break;
		case 'w': a->withhold = 1; break;
		case 'h': return -1;
		default: return 1;
		}
	}
	a->bundles = argv + optind;
	a->nbundles = argc - optind;
	if (a->key == NULL || a->out == NULL || a->nbundles == 0) {
		cli_error("decrypt: --key, --out and at least one bundle are required");
		return 1;
	}
	return 0;
}

/*
 * Open (or make) the output directory, alone in it: a second run into the
 * same directory is refused, so the sweep of what an interrupted run left
 * never removes a report another run is writing.
 */
static int
open_out_dir(const char *path)
{
	int fd;

	if (mkdir(path, 0700) != 0 && errno != EEXIST) {
		cli_error_errno("cannot create %s", path);
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		cli_error_errno("cannot open %s", path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK)
			cli_error("%s: another decrypt is writing there", path);
		else
			cli_error_errno("cannot lock %s", path);
		close(fd);
		return -1;
	}
	if (reportdir_sweep(fd) != 0)
		cli_error("%s: cannot remove an unfinished report an earlier run "
		    "left there (.partial-*): remove it by hand", path);
	return fd;
}

static int
decrypt_all(struct decrypt_run *run, const struct decrypt_args *a)
{
	uint8_t *buf = malloc(READ_CHUNK);
	int intact = 1;

	if (buf == NULL) {
		cli_error("out of memory");
		return -1;
	}
	for (int i = 0; i < a->nbundles && !run->broken; i++) {
		if (decrypt_bundle(run, a->bundles[i], buf) != 0)
			intact = 0;
		if (!run->broken && (finish_until(run, run->nended) != 0 ||
		    flush_batch(run) != 0))
			case_file_broken(run);
	}
	free(buf);
	if (run->broken) {
		cases_rollback(run->cases);
		run->written -= (unsigned)reportdir_batch_count(run->batch);
		intact = 0;
	}
	printf("decrypted %u report%s into %s", run->written,
	    run->written == 1 ? "" : "s", a->out);
	if (run->already)
		printf("; %u already there", run->already);
	putchar('\n');
	if (run->failed)
		cli_error("%u report%s could not be decrypted", run->failed,
		    run->failed == 1 ? "" : "s");
	return intact && run->failed == 0 ? 0 : -1;
}

int
decrypt_main(int argc, char *argv[])
{
	struct decrypt_args a = { 0 };
	struct decrypt_run run = { 0 };
	struct keys_secret *key;
	int parsed = parse_args(argc, argv, &a), rc;

	if (parsed != 0) {
		fputs(decrypt_usage, parsed < 0 ? stdout : stderr);
		return parsed < 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}
	if ((key = cli_load_key(a.key, a.passfile, KEYS_ANALYST)) == NULL)
		return CLI_EXIT_FAIL;
	run.key = key;
	run.out = a.out;
	rc = -1;
	if ((run.outfd = open_out_dir(a.out)) < 0)
		goto out;
	if ((run.cases = cases_open(a.out, CASES_CREATE)) == NULL ||
	    (run.known = known_load(run.cases)) == NULL)
		goto out;
	if ((run.batch = reportdir_batch_new(run.outfd, run.known,
	    a.withhold)) == NULL) {
		cli_error("out of memory");
		goto out;
	}
	rc = decrypt_all(&run, &a);
out:
	reportdir_batch_free(run.batch);
	known_free(run.known);
	cases_close(run.cases);
	if (run.outfd >= 0)
		close(run.outfd);
	keys_secret_free(key);
	return rc == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}
