/*
 * admin: see admin.h. An export reads from one read transaction, so it
 * sees one consistent state however long it streams, while the server
 * goes on committing; reports committed after it began are neither in the
 * bundle nor marked. The mark comes last, after the bundle and its
 * directory entry are on disk: an export that dies before that leaves
 * every report unexported, and a new export takes them again.
 *
 * Root. The store is the daemon's user's, and what that user wrote may be
 * hostile: links planted where LMDB's files or envelopes/ should be (LMDB
 * opens its files by path and would truncate a link's target), or a
 * data.mdb made to attack its parser. So a command started as root does
 * its work on the store in a child process that first becomes data_dir's
 * owner (as_owner): whatever that child follows, opens or parses, it does
 * with the rights of the user who could have planted it, no more. Every
 * file is still checked and refused if it is a link or another user's
 * (datadir.h). Only the bundle is root's: export creates it, and its
 * directory's descriptor, before the child is made; the parent, still root,
 * only waits and removes a partial bundle. import-outcomes reads the
 * desk_key file and the outcome file as the user who runs it, each opened
 * without following a link and only if a regular file, and checks the
 * outcome file's signature before the child is made: what the child
 * writes into the store comes only from a file the desk signed.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "admin.h"
#include "bundle.h"
#include "datadir.h"
#include "encode.h"
#include "envfile.h"
#include "keys.h"
#include "log.h"
#include "outcome.h"
#include "storedb.h"

/* How far an admin command may grow the map (marks and deletions). */
#define ADMIN_MAP_SLACK STOREDB_MAP_START
/* The largest desk_key file: one line of KEYS_SIGN_LINE_LEN and a newline,
 * with room for a few blanks. */
#define DESK_KEY_FILE_MAX 1024
/* import_txn's refusal of a sequence not newer than the last imported. */
#define REPLAY (-2)

/* Report ids, ENVELOPE_ID_BYTES each. */
struct idlist {
	uint8_t *ids;
	size_t n, cap;
};

struct export {
	struct storedb db;
	int env_dir;			/* -1 if the store has no files */
	const char *path;
	const char *name;		/* the bundle's name in out_dir */
	int out_dir;			/* the bundle's directory */
	int fd;
	int all;
	int err;			/* errno of a failed write */
	struct idlist written;
};

/* Write all of buf to the bundle file. */
static int
to_file(void *ctx, const uint8_t *buf, size_t len)
{
	struct export *e = ctx;
	ssize_t w;

	while (len > 0) {
		if ((w = write(e->fd, buf, len)) < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			e->err = w < 0 ? errno : EIO;
			return -1;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

static int
to_writer(void *ctx, const uint8_t *buf, size_t len)
{

	return bundle_writer_data(ctx, buf, len);
}

static int
idlist_add(struct idlist *l, const uint8_t *id)
{
	uint8_t *p;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		if ((p = realloc(l->ids, l->cap * ENVELOPE_ID_BYTES)) == NULL)
			return ENOMEM;
		l->ids = p;
	}
	memcpy(l->ids + l->n++ * ENVELOPE_ID_BYTES, id, ENVELOPE_ID_BYTES);
	return 0;
}

static const uint8_t *
idlist_at(const struct idlist *l, size_t i)
{

	return l->ids + i * ENVELOPE_ID_BYTES;
}

/* What is wrong with an envelope file, from envfile_read's error. */
static const char *
file_problem(int rc)
{

	switch (rc) {
	case EBADMSG: return "not the size the store recorded";
	case ELOOP: return "a symbolic link: refused";
	case EPERM: return "not data_dir's owner's: refused";
	default: return strerror(rc);
	}
}

/* Stream report id's envelope file into the bundle. No id is printed. */
static int
write_file(struct export *e, struct bundle_writer *w, const uint8_t *id,
    const struct storedb_report *r)
{
	int rc = envfile_read(e->env_dir, id, r->size, to_writer, w);

	if (rc > 0)
		log_error("a report's envelope file: %s", file_problem(rc));
	return rc;
}

/* Write one report as a record, streaming its envelope from the map or
 * from its file. */
static int
write_record(struct export *e, MDB_txn *txn, struct bundle_writer *w,
    const uint8_t *id, const struct storedb_report *r)
{
	int rc;

	if (bundle_writer_begin(w, id, r->size) != 0)
		return -1;
	if ((rc = r->in_file ? write_file(e, w, id, r) :
	    storedb_chunks_read(&e->db, txn, id, r, to_writer, w)) != 0)
		return rc;
	if (bundle_writer_end(w) != 0)
		return -1;
	return idlist_add(&e->written, id);
}

/*
 * Write the reports to take into the bundle, in id order. Return 0, an
 * LMDB error, or -1 if the file refused a write.
 */
static int
write_reports(struct export *e, MDB_txn *txn, struct bundle_writer *w)
{
	struct storedb_report r;
	const uint8_t *id;
	MDB_cursor *c;
	MDB_val k, v;
	int rc;

	if ((rc = mdb_cursor_open(txn, e->db.reports, &c)) != 0)
		return rc;
	while ((rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) == 0) {
		if ((rc = storedb_report_decode(&k, &v, &id, &r)) != 0)
			break;
		if ((e->all || !r.exported) &&
		    (rc = write_record(e, txn, w, id, &r)) != 0)
			break;
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/*
 * Write the whole bundle from one read transaction and make it durable.
 * Return 0 or -1 after logging why.
 */
static int
write_bundle(struct export *e)
{
	struct bundle_writer *w;
	MDB_txn *txn;
	int rc;

	if ((rc = storedb_begin(&e->db, MDB_RDONLY, &txn)) != 0) {
		log_error("store: %s", mdb_strerror(rc));
		return -1;
	}
	if ((w = bundle_writer_new(to_file, e)) == NULL)
		rc = -1;
	else if ((rc = write_reports(e, txn, w)) == 0 &&
	    bundle_writer_finish(w) != 0)
		rc = -1;
	bundle_writer_free(w);
	mdb_txn_abort(txn);
	if (rc == 0 && (fsync(e->fd) != 0 || fsync(e->out_dir) != 0)) {
		e->err = errno;
		rc = -1;
	}
	if (rc == -1) {		/* the file's fault, not the store's */
		errno = e->err ? e->err : ENOMEM;
		log_errno("cannot write %s", e->path);
	} else if (rc != 0)
		log_error("store: %s", mdb_strerror(rc));
	return rc == 0 ? 0 : -1;
}

/* Mark the exported reports, unless purged meanwhile or already marked. */
static int
mark_txn(MDB_txn *txn, void *ctx)
{
	struct export *e = ctx;
	struct storedb_report r;
	const uint8_t *id;
	uint32_t today = storedb_today();
	int rc;

	for (size_t i = 0; i < e->written.n; i++) {
		id = idlist_at(&e->written, i);
		if ((rc = storedb_report_get(&e->db, txn, id, &r)) ==
		    MDB_NOTFOUND || (rc == 0 && r.exported))
			continue;
		if (rc != 0)
			return rc;
		r.exported = 1;
		r.exported_day = today;
		if ((rc = storedb_report_put(&e->db, txn, id, &r, 0)) != 0)
			return rc;
	}
	return 0;
}

/*
 * Open the envelope files' directory into *fd, or -1 if there is none.
 * Return 0, or -1 after logging why.
 */
static int
open_env_dir(const struct datadir *d, int *fd)
{
	int rc = datadir_subdir(d, ENVFILE_DIR, 0, fd);

	if (rc == 1)
		*fd = -1;
	return rc < 0 ? -1 : 0;
}

/*
 * admin_as_owner(d, fn, ctx): see admin.h and the top of this file.
 */
int
admin_as_owner(const struct datadir *d,
    int (*fn)(const struct datadir *d, void *ctx), void *ctx)
{
	pid_t pid;
	int st, rc;

	if (geteuid() != 0 || d->uid == 0)
		return fn(d, ctx);
	fflush(stdout);
	if ((pid = fork()) < 0) {
		log_errno("fork");
		return 1;
	}
	if (pid == 0) {
		rc = datadir_become_owner(d) != 0 ? 1 : fn(d, ctx);
		fflush(stdout);
		_exit(rc);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			log_errno("waitpid");
			return 1;
		}
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	log_error("the work as data_dir's owner ended by signal %d",
	    WTERMSIG(st));
	return 1;
}

/* The map size a command may grow to. */
static uint64_t
admin_limit(struct storedb *db)
{

	return storedb_mapsize(db) + ADMIN_MAP_SLACK;
}

/* Open data_dir and run fn on its store as its owner; an exit status. */
static int
run(const char *data_dir, int (*fn)(const struct datadir *d, void *ctx),
    void *ctx)
{
	struct datadir d;
	int rc;

	if (datadir_open(&d, data_dir, 0) != 0)
		return 1;
	rc = admin_as_owner(&d, fn, ctx);
	datadir_close(&d);
	return rc;
}

/*
 * Open the bundle's directory and create the bundle in it, as the user
 * who runs the command (root may write where data_dir's owner may not).
 */
static int
open_bundle(struct export *e)
{
	char dir[PATH_MAX];
	char *slash;

	if (snprintf(dir, sizeof(dir), "%s", e->path) >= (int)sizeof(dir)) {
		log_error("cannot create %s: path too long", e->path);
		return -1;
	}
	if ((slash = strrchr(dir, '/')) == NULL) {
		e->name = e->path;
		strcpy(dir, ".");
	} else {
		e->name = e->path + (slash - dir) + 1;
		slash[slash == dir] = '\0';
	}
	if ((e->out_dir = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    (e->fd = openat(e->out_dir, e->name, O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) {
		log_errno("cannot create %s", e->path);
		return -1;
	}
	return 0;
}

/* Remove the partial bundle, if its name is still the file made. */
static void
remove_bundle(struct export *e)
{
	struct stat made, named;

	if (fstat(e->fd, &made) == 0 &&
	    fstatat(e->out_dir, e->name, &named, AT_SYMLINK_NOFOLLOW) == 0 &&
	    made.st_dev == named.st_dev && made.st_ino == named.st_ino)
		unlinkat(e->out_dir, e->name, 0);
}

/* The export's work on the store (as_owner): an exit status. */
static int
export_store(const struct datadir *d, void *ctx)
{
	struct export *e = ctx;
	int rc;

	if (storedb_open(&e->db, d, 0, 0) != 0)
		return 1;
	if ((rc = open_env_dir(d, &e->env_dir)) == 0 &&
	    (rc = write_bundle(e)) == 0 &&
	    (rc = storedb_write(&e->db, admin_limit(&e->db), mark_txn,
	    e)) != 0)
		log_error("cannot mark the reports exported (export again "
		    "later): %s", mdb_strerror(rc));
	if (rc == 0)
		printf("exported %zu reports to %s\n", e->written.n, e->path);
	if (e->env_dir >= 0)
		close(e->env_dir);
	free(e->written.ids);
	storedb_close(&e->db);
	return rc == 0 ? 0 : 1;
}

/*
 * admin_export(data_dir, bundle_path, all):
 * Create bundle_path (mode 0600, never replacing a file), write into it
 * every report not yet exported (every report with all) as the store held
 * them when the export began, fsync it and its directory, and only then
 * mark those reports exported (today, unless they already were). Print
 * "exported N reports to BUNDLE". On failure remove the partial bundle;
 * the reports stay as they were.
 */
int
admin_export(const char *data_dir, const char *bundle_path, int all)
{
	struct datadir d;
	struct export e = { .path = bundle_path, .all = all,
	    .env_dir = -1, .out_dir = -1, .fd = -1 };
	int rc = 1;

	if (datadir_open(&d, data_dir, 0) != 0)
		return 1;
	if (open_bundle(&e) == 0 &&
	    (rc = admin_as_owner(&d, export_store, &e)) != 0)
		remove_bundle(&e);
	if (e.fd >= 0)
		close(e.fd);
	if (e.out_dir >= 0)
		close(e.out_dir);
	datadir_close(&d);
	return rc;
}

/* ---- stats ---- */

struct tally {
	uint64_t reports, unexported, bytes, receipts, transactions, in_files;
	uint64_t outcomes, follow_ups, outcome_sequence;
	uint32_t oldest;		/* oldest unexported day; UINT32_MAX */
};

/* The entries of dbi in *n. */
static int
entries(MDB_txn *txn, MDB_dbi dbi, uint64_t *n)
{
	MDB_stat st;
	int rc;

	if ((rc = mdb_stat(txn, dbi, &st)) == 0)
		*n = st.ms_entries;
	return rc;
}

/* Count the reports, receipts, outcomes and follow-ups in txn. */
static int
count(struct storedb *db, MDB_txn *txn, struct tally *t)
{
	struct storedb_report r;
	const uint8_t *id;
	MDB_cursor *c;
	MDB_val k, v;
	int rc;

	if ((rc = entries(txn, db->receipts, &t->receipts)) != 0 ||
	    (rc = entries(txn, db->outcomes, &t->outcomes)) != 0 ||
	    (rc = entries(txn, db->followups, &t->follow_ups)) != 0 ||
	    (rc = storedb_outcome_sequence(db, txn,
	    &t->outcome_sequence)) != 0 ||
	    (rc = storedb_transactions(db, txn, &t->transactions)) != 0 ||
	    (rc = mdb_cursor_open(txn, db->reports, &c)) != 0)
		return rc;
	while ((rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) == 0 &&
	    (rc = storedb_report_decode(&k, &v, &id, &r)) == 0) {
		t->reports++;
		t->bytes += r.size;
		t->in_files += r.in_file;
		if (!r.exported) {
			t->unexported++;
			if (r.received_day < t->oldest)
				t->oldest = r.received_day;
		}
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Print day as YYYY-MM-DD, or "none". */
static void
print_day(const char *key, uint32_t day)
{
	time_t t = (time_t)day * 86400;
	struct tm tm;
	char buf[32];

	if (day == UINT32_MAX || gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%d", &tm) == 0)
		strcpy(buf, "none");
	printf("%s: %s\n", key, buf);
}

/* Stats' work on the store (as_owner): an exit status. */
static int
stats_store(const struct datadir *d, void *ctx)
{
	struct storedb db;
	struct tally t = { .oldest = UINT32_MAX };
	MDB_txn *txn;
	int rc;

	if (storedb_open(&db, d, 0, 0) != 0)
		return 1;
	if ((rc = storedb_begin(&db, MDB_RDONLY, &txn)) == 0) {
		rc = count(&db, txn, &t);
		mdb_txn_abort(txn);
	}
	/* Each report has a receipt or is a follow-up; purge keeps both. */
	if (rc == 0) {
		printf("reports: %" PRIu64 "\nunexported: %" PRIu64 "\n"
		    "bytes: %" PRIu64 "\npurged: %" PRIu64 "\n", t.reports,
		    t.unexported, t.bytes,
		    t.receipts + t.follow_ups - t.reports);
		print_day("oldest_unexported_day", t.oldest);
		printf("map_size: %" PRIu64 "\nmap_used: %" PRIu64 "\n"
		    "transactions: %" PRIu64 "\nenvelope_files: %" PRIu64 "\n",
		    storedb_mapsize(&db), storedb_used(&db), t.transactions,
		    t.in_files);
		printf("outcomes: %" PRIu64 "\nfollow_ups: %" PRIu64 "\n"
		    "outcome_sequence: %" PRIu64 "\n", t.outcomes,
		    t.follow_ups, t.outcome_sequence);
	}
	if (rc != 0)
		log_error("store: %s", mdb_strerror(rc));
	storedb_close(&db);
	return rc == 0 ? 0 : 1;
}

/*
 * admin_stats(data_dir):
 * Print "key: value" lines: reports, unexported, bytes (envelope bytes of
 * all reports), then purged, oldest_unexported_day (YYYY-MM-DD or none),
 * map_size, map_used, transactions, envelope_files (reports whose
 * envelope is a file beside the map), outcomes (reports with one),
 * follow_ups, outcome_sequence (of the last outcome file imported; 0).
 */
int
admin_stats(const char *data_dir)
{

	return run(data_dir, stats_store, NULL);
}

/* ---- purge ---- */

struct purge {
	struct storedb db;
	unsigned days;
	uint32_t today;
	size_t n;
	struct idlist files;		/* purged reports' envelope files */
};

/* Whether report r is due for purging. */
static int
due(const struct purge *p, const struct storedb_report *r)
{

	return r->exported && (r->exported_day > p->today ? 0 :
	    p->today - r->exported_day) >= p->days;
}

static int
purge_txn(MDB_txn *txn, void *ctx)
{
	struct purge *p = ctx;
	/* id | 00 sorts just after id. */
	uint8_t after[ENVELOPE_ID_BYTES + 1] = { 0 };
	struct storedb_report r;
	const uint8_t *id;
	MDB_cursor *c;
	MDB_val k, v;
	MDB_cursor_op op = MDB_FIRST;
	int rc;

	p->n = 0;
	p->files.n = 0;
	if ((rc = mdb_cursor_open(txn, p->db.reports, &c)) != 0)
		return rc;
	while ((rc = mdb_cursor_get(c, &k, &v, op)) == 0 &&
	    (rc = storedb_report_decode(&k, &v, &id, &r)) == 0) {
		memcpy(after, id, ENVELOPE_ID_BYTES);
		if (due(p, &r)) {
			if ((rc = mdb_cursor_del(c, 0)) != 0 ||
			    (rc = storedb_chunks_delete(&p->db, txn, after)) != 0 ||
			    (r.in_file && (rc = idlist_add(&p->files, after)) != 0))
				break;
			p->n++;
		}
		k = (MDB_val){ sizeof(after), after };
		op = MDB_SET_RANGE;
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/*
 * Unlink the purged reports' files in dir, now that LMDB no longer has
 * them, and reset the times that changed (envfile.h). One that stays (an
 * error, or a crash before this) is removed by the server's next start,
 * which removes every file without a report.
 */
static int
remove_files(struct purge *p, int dir)
{
	int rc, failed = 0;

	for (size_t i = 0; dir >= 0 && i < p->files.n; i++)
		if ((rc = envfile_remove(dir, idlist_at(&p->files, i))) != 0 &&
		    rc != ENOENT) {
			log_error("cannot remove a purged report's file (the "
			    "server removes it at its next start): %s",
			    strerror(rc));
			failed = 1;
		}
	if (dir >= 0 && p->files.n > 0 && (rc = envfile_touch_all(dir)) != 0) {
		log_error("cannot reset the envelope files' times: %s",
		    strerror(rc));
		failed = 1;
	}
	return failed;
}

/*
 * Purge's work on the store (as_owner): an exit status. The envelope
 * files' directory is opened (and checked) before anything is deleted.
 */
static int
purge_store(const struct datadir *d, void *ctx)
{
	struct purge *p = ctx;
	int dir = -1, rc = 1;

	if (storedb_open(&p->db, d, 0, 0) != 0)
		return 1;
	if (open_env_dir(d, &dir) != 0)
		goto out;
	if ((rc = storedb_write(&p->db, admin_limit(&p->db), purge_txn,
	    p)) != 0)
		log_error("store: %s", mdb_strerror(rc));
	else {
		printf("purged %zu reports\n", p->n);
		rc = remove_files(p, dir);
	}
out:
	if (dir >= 0)
		close(dir);
	free(p->files.ids);
	storedb_close(&p->db);
	return rc == 0 ? 0 : 1;
}

/*
 * admin_purge(data_dir, days):
 * Delete every report exported at least days UTC days ago (0: every
 * exported report), keeping its receipt so the status page says "purged".
 * Print "purged N reports".
 */
int
admin_purge(const char *data_dir, unsigned days)
{
	struct purge p = { .days = days, .today = storedb_today() };

	return run(data_dir, purge_store, &p);
}

/* ---- import-outcomes ---- */

struct import {
	struct storedb db;
	struct outcome_file f;		/* verified */
	uint64_t limit;			/* the map may grow to this */
	uint64_t last;			/* the sequence imported before */
	struct idlist known;		/* every report the store had, sorted */
	struct idlist unknown;		/* entries naming none of them */
	size_t imported;
};

/*
 * Open the file at path for reading, without following a link or blocking
 * (a FIFO), only if it is a regular file of at most max bytes; its size in
 * *size. Return the descriptor, or -1 after logging why, naming the file as
 * what and path.
 */
static int
open_regular(const char *what, const char *path, size_t max, size_t *size)
{
	struct stat st;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC)) < 0) {
		if (errno == ELOOP)
			log_error("%s %s is a symbolic link: refused (name the "
			    "file itself)", what, path);
		else
			log_errno("%s %s", what, path);
		return -1;
	}
	if (fstat(fd, &st) != 0)
		log_errno("%s %s", what, path);
	else if (!S_ISREG(st.st_mode))
		log_error("%s %s: not a regular file: refused", what, path);
	else if ((uint64_t)st.st_size > max)
		log_error("%s %s: larger than %zu bytes: refused", what, path,
		    max);
	else {
		*size = (size_t)st.st_size;
		return fd;
	}
	close(fd);
	return -1;
}

/*
 * Read the file at path (open_regular) whole into *out (malloc'd, *len
 * bytes); a file whose size changes while it is read is refused. Return 0,
 * or -1 after logging why.
 */
static int
read_regular(const char *what, const char *path, size_t max, uint8_t **out,
    size_t *len)
{
	uint8_t *buf = NULL;
	size_t size, got = 0;
	ssize_t n;
	int fd;

	if ((fd = open_regular(what, path, max, &size)) < 0)
		return -1;
	if ((buf = malloc(size + 1)) == NULL)
		goto err;
	/* One byte more than fstat said: a file that grew is seen to. */
	while (got <= size && (n = read(fd, buf + got, size + 1 - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto err;
		got += (size_t)n;
	}
	close(fd);
	if (got != size) {
		log_error("%s %s: changed while it was read: refused", what,
		    path);
		free(buf);
		return -1;
	}
	*out = buf;
	*len = got;
	return 0;

err:
	log_errno("%s %s", what, path);
	free(buf);
	close(fd);
	return -1;
}

/*
 * admin_desk_key(path, pub):
 * Read the desk's signing key line (odsig1_...) from the file at path: a
 * regular file, not a link, of at most 1 KiB. Return 0 with pub filled,
 * or -1 after logging why ("desk_key PATH: ...").
 */
int
admin_desk_key(const char *path, struct keys_public *pub)
{
	uint8_t *buf;
	size_t len;
	const char *why;
	int rc;

	if (read_regular("desk_key", path, DESK_KEY_FILE_MAX, &buf, &len) != 0)
		return -1;
	if ((rc = keys_sign_public_parse(pub, (const char *)buf, len,
	    &why)) != 0)
		log_error("desk_key %s: %s", path, why);
	free(buf);
	return rc;
}

static int
id_cmp(const void *a, const void *b)
{

	return memcmp(a, b, ENVELOPE_ID_BYTES);
}

/* Add every value of dbi, a report id, to l. */
static int
add_values(MDB_txn *txn, MDB_dbi dbi, struct idlist *l)
{
	MDB_cursor *c;
	MDB_val k, v;
	int rc;

	if ((rc = mdb_cursor_open(txn, dbi, &c)) != 0)
		return rc;
	while ((rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) == 0 &&
	    (rc = v.mv_size == ENVELOPE_ID_BYTES ? 0 : MDB_CORRUPTED) == 0 &&
	    (rc = idlist_add(l, v.mv_data)) == 0)
		;
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/*
 * Every report the store has had, purged or not, sorted: receipts lead to
 * the first reports and followups lists the others. (reports alone would
 * miss the purged ones, which the desk often assesses after the purge, and
 * whose reporters still come back with their receipts.)
 */
static int
known_ids(struct import *im, MDB_txn *txn)
{
	int rc;

	im->known.n = 0;
	if ((rc = add_values(txn, im->db.receipts, &im->known)) != 0 ||
	    (rc = add_values(txn, im->db.followups, &im->known)) != 0)
		return rc;
	if (im->known.n > 0)
		qsort(im->known.ids, im->known.n, ENVELOPE_ID_BYTES, id_cmp);
	return 0;
}

static int
is_known(const struct import *im, const uint8_t *id)
{

	return im->known.n > 0 && bsearch(id, im->known.ids, im->known.n,
	    ENVELOPE_ID_BYTES, id_cmp) != NULL;
}

/*
 * The whole import, in one write transaction: the sequence must be newer
 * than the last one imported (else REPLAY, and nothing changes); each
 * entry naming a known report replaces its outcome, the others are noted;
 * the sequence is recorded. Repeatable (storedb_write).
 */
static int
import_txn(MDB_txn *txn, void *ctx)
{
	struct import *im = ctx;
	struct outcome_entry e;
	struct storedb_outcome o;
	size_t pos = 0;
	int rc;

	im->imported = 0;
	im->unknown.n = 0;
	if ((rc = storedb_outcome_sequence(&im->db, txn, &im->last)) != 0)
		return rc;
	if (im->f.sequence <= im->last)
		return REPLAY;
	if ((rc = known_ids(im, txn)) != 0)
		return rc;
	while (outcome_next(&im->f, &pos, &e)) {
		if (!is_known(im, e.id)) {
			if ((rc = idlist_add(&im->unknown, e.id)) != 0)
				return rc;
			continue;
		}
		o = (struct storedb_outcome){ e.status, e.day, e.message,
		    e.message_len };
		if ((rc = storedb_outcome_put(&im->db, txn, e.id, &o)) != 0)
			return rc;
		im->imported++;
	}
	return storedb_outcome_sequence_put(&im->db, txn, im->f.sequence);
}

/* Name the unknown reports (the desk's ids, which it knows), then count. */
static int
import_report(const struct import *im)
{
	char hex[ENCODE_HEX_LEN(ENVELOPE_ID_BYTES) + 1];

	for (size_t i = 0; i < im->unknown.n; i++) {
		encode_hex(hex, idlist_at(&im->unknown, i), ENVELOPE_ID_BYTES);
		log_error("unknown report: %s", hex);
	}
	printf("imported: %zu\nunknown: %zu\n", im->imported, im->unknown.n);
	return im->unknown.n > 0 ? 1 : 0;
}

/* The import's work on the store (as_owner): an exit status. */
static int
import_store(const struct datadir *d, void *ctx)
{
	struct import *im = ctx;
	int rc;

	if (storedb_open(&im->db, d, 0, 0) != 0)
		return 1;
	rc = storedb_write(&im->db, storedb_mapsize(&im->db) + im->limit,
	    import_txn, im);
	if (rc == REPLAY)
		log_error("sequence %" PRIu64 " is not newer than %" PRIu64
		    " already imported: a replay or an older file: refused",
		    im->f.sequence, im->last);
	else if (rc != 0)
		log_error("store: %s", mdb_strerror(rc));
	else
		rc = import_report(im);
	free(im->known.ids);
	free(im->unknown.ids);
	storedb_close(&im->db);
	return rc == 0 ? 0 : 1;
}

/*
 * admin_import_outcomes(data_dir, desk_key, path):
 * Import the outcome file at path (outcome.h; a regular file, not a link,
 * of at most OUTCOME_FILE_MAX bytes) signed with the key in the file
 * desk_key (NULL: refused, "desk_key is not set"). In one write
 * transaction: refuse it unless its sequence is newer than the last one
 * imported; store each entry's status, day and sealed message for its
 * report, replacing the one before, if the store has or had that report
 * (purged reports included); record the sequence. Name each other report
 * on stderr ("unknown report: ID"), then print "imported: N" and
 * "unknown: M". Exit status 0 if every entry was stored, 1 if some named
 * unknown reports (the others stored), or 1 after one line on stderr with
 * nothing changed.
 */
int
admin_import_outcomes(const char *data_dir, const char *desk_key,
    const char *path)
{
	struct import im = { 0 };
	struct keys_public desk;
	uint8_t *buf = NULL;
	size_t len;
	const char *why;
	int rc = 1;

	if (desk_key == NULL) {
		log_error("desk_key is not set: outcome files are imported only "
		    "when the configuration names the desk's signing key");
		return 1;
	}
	if (admin_desk_key(desk_key, &desk) != 0 ||
	    read_regular("outcome file", path, OUTCOME_FILE_MAX, &buf,
	    &len) != 0)
		goto out;
	if (outcome_verify(&im.f, buf, len, desk.pk, &why) != 0) {
		log_error("%s: %s: refused", path, why);
		goto out;
	}
	/* Room for every entry, twice over for the B-tree's copies. */
	im.limit = ADMIN_MAP_SLACK + 2 * (uint64_t)len;
	rc = run(data_dir, import_store, &im);
out:
	free(buf);
	return rc;
}
