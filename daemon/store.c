/*
 * store: see store.h. It owns the store thread, the work queue the loop
 * fills, and the completion queue the thread empties back onto the loop.
 *
 * Everything the loop hands over waits in the queue under one mutex: each
 * upload keeps its own list of byte buffers, its final operation (commit
 * or abort) and its backpressure state; receipt lookups wait in a list
 * of their own. The thread wakes when there is a reason to write (an
 * operation, a lookup, an armed drain callback, or enough bytes of one
 * upload), takes what is due, and writes it.
 *
 * A small report waits in the queue until its commit and becomes LMDB
 * chunks in the transaction that commits it. An upload whose bytes are
 * taken before its commit (it is large) goes to an envelope file
 * (envfile.h) as it arrives, and its commit syncs the file before LMDB
 * records the report. All the commits taken together share one write
 * transaction (one fsync for every report in it). If that transaction
 * cannot fit even at max_size, or fails otherwise, the thread applies the
 * uploads one by one, so that only those that do not fit fail (their
 * files are removed) and the others still commit.
 *
 * Completions are nodes embedded in what they complete, so posting one
 * never allocates; they run on the loop in the order they were posted, and
 * the last one of an upload frees it, so the loop never sees a freed
 * upload.
 *
 * Failures that a visitor's request meets (a report refused, a lookup that
 * failed) are counted, not logged as they happen: the journal dates every
 * line, and a line per refusal would date a reporter's attempt. The thread
 * logs the counts on the hour, when there are any, and at stop.
 */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <sodium.h>

#include "datadir.h"
#include "envfile.h"
#include "log.h"
#include "store.h"
#include "storedb.h"

/* A chunk of 1 MiB less LMDB's 16-byte page header fills 256 pages. */
#define VALUE_MAX ((size_t)(1 << 20) - 16)
/* Bytes of one upload that have the thread take them before its commit
 * (into an envelope file); when all uploads together have FLUSH_TOTAL
 * waiting, FILE_MIN of one is enough. Small takes keep the queue short, so
 * the loop seldom has to stop reading: with 1 MiB, a 100 MB upload ran at
 * 755-775 MB/s; with 256 KiB, 775-800 (medians of 9). */
#define FLUSH_UPLOAD (256 * 1024)
#define FLUSH_TOTAL (4 * 1024 * 1024)
#define FILE_MIN (64 * 1024)
/* Envelope file bytes are gathered into aligned writes of at most this. */
#define STAGE_BYTES (1024 * 1024)
/* After a write that committed several reports, wait this long before the
 * next one so that more reports share its fsync and its B-tree pages. */
#define GATHER_NSEC (500 * 1000)
/* The error of a follow-up to a report that has STORE_FOLLOW_UPS_MAX. */
#define FOLLOW_UPS_FULL EMLINK

#define CONTAINER(p, type, field) \
	((type *)(void *)((char *)(p) - offsetof(type, field)))

/* Failures counted since the last log line (see the top). */
struct failures {
	unsigned full;			/* reports refused: no room */
	unsigned refused;		/* reports refused: another error */
	unsigned other;			/* other failures of a request */
	int last;			/* the last error but "no room" */
};

/* A completion: run on the loop, in order of posting. */
struct done {
	struct done *next;
	void (*run)(struct done *d);
};

struct buf {
	struct buf *next;
	size_t len;
	uint8_t data[];
};

enum op { OP_NONE, OP_COMMIT, OP_ABORT };

struct store_upload {
	struct store *s;
	uint8_t id[ENVELOPE_ID_BYTES];

	/* Under s->mtx. */
	struct buf *head, **tailp;	/* bytes the thread has not taken */
	size_t waiting;			/* bytes in head */
	size_t queued;			/* waiting, or taken and not written */
	enum op op;
	enum store_result failed;	/* STORE_OK until the store gives up */
	int listed;			/* on s->work */
	struct store_upload *work_next;
	int drain_armed, drain_posted;
	size_t drain_at;
	struct done drained;

	/* Set by the loop before op is, read by the thread after. */
	uint8_t receipt[STORE_RECEIPT_HASH_BYTES];
	int follow_up;			/* of first, and no receipt */
	uint8_t first[ENVELOPE_ID_BYTES];
	void (*done_cb)(void *, enum store_result);
	void *done_ctx;
	enum store_result result;	/* set by the thread before finished */
	struct done finished;		/* the last completion: frees u */

	/* Loop thread only. */
	int closed;			/* committed or aborted */
	uint64_t accepted;		/* bytes written */
	void (*drain_cb)(void *);
	void *drain_ctx;

	/* Store thread only. */
	struct store_upload *batch_next;
	struct buf *batch;
	size_t batch_bytes;
	enum op batch_op;
	enum store_result batch_failed;	/* u->failed when taken, or since */
	uint32_t day;			/* the day it is received, at commit */
	int in_file;			/* in an envelope file, not chunks */
	uint32_t seq;			/* LMDB chunks written */
	uint64_t size;			/* envelope bytes written */
	uint8_t *tail;			/* in a file: its last size % */
	size_t tail_len;		/* ENVFILE_ALIGN bytes, unwritten */
};

/* A receipt lookup, for store_lookup. */
struct lookup {
	uint8_t hash[STORE_RECEIPT_HASH_BYTES];
	void (*case_cb)(void *, struct store_case *);
	void *ctx;
	struct store_case *c;		/* NULL once the lookup failed */
	struct lookup *next;
	struct done done;
};

struct store {
	/* Store thread only, after store_open. */
	struct datadir dir;		/* data_dir */
	struct storedb db;
	int env_dir;			/* envelope files' directory */
	int touched;			/* envelope files changed since the
					 * last envfile_touch_all */
	uint64_t file_bytes;		/* bytes in envelope files */
	uint8_t *stage;			/* STAGE_BYTES, aligned for O_DIRECT */
	time_t tick;			/* the next hour */
	uint32_t spares_day;		/* the day spares were last made */

	int lock_fd;			/* flock: one server per data_dir */
	uint64_t max_size;
	struct event *ev;		/* activated when done has nodes */
	pthread_t thread;
	pthread_mutex_t mtx;
	pthread_cond_t cond;

	/* Under mtx. */
	struct store_upload *work;	/* uploads with bytes waiting or an op */
	size_t waiting;			/* bytes waiting in all uploads */
	struct lookup *lookups, **lookups_tail;
	struct done *done, **done_tail;
	struct failures failures;
	int stopping;
};

/* What the thread took from the queue in one go. */
struct batch {
	struct store *s;
	struct store_upload *uploads;	/* linked by batch_next */
	struct lookup *lookups;
};

/* What one write transaction applies: the whole batch, or one upload. */
struct pass {
	struct store *s;
	struct store_upload *first;
	int all;
};

/* ---- completions ---- */

/* Queue d for the loop; the caller holds s->mtx. */
static void
post(struct store *s, struct done *d)
{

	d->next = NULL;
	*s->done_tail = d;
	s->done_tail = &d->next;
	event_active(s->ev, 0, 0);
}

/* Run the completions posted so far, on the loop. */
static void
on_done(evutil_socket_t fd, short what, void *arg)
{
	struct store *s = arg;
	struct done *d, *next;

	pthread_mutex_lock(&s->mtx);
	d = s->done;
	s->done = NULL;
	s->done_tail = &s->done;
	pthread_mutex_unlock(&s->mtx);
	for (; d != NULL; d = next) {
		next = d->next;
		d->run(d);
	}
}

static void
free_bufs(struct buf *b)
{
	struct buf *next;

	for (; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
}

/* The upload's commit or abort is done: tell the caller, free u. */
static void
upload_finished(struct done *d)
{
	struct store_upload *u = CONTAINER(d, struct store_upload, finished);

	if (u->done_cb != NULL)
		u->done_cb(u->done_ctx, u->result);
	free(u->tail);
	free(u);
}

/* The queued bytes may have fallen enough: call the drain callback. */
static void
upload_drained(struct done *d)
{
	struct store_upload *u = CONTAINER(d, struct store_upload, drained);
	int fire;

	pthread_mutex_lock(&u->s->mtx);
	u->drain_posted = 0;
	fire = u->drain_armed && u->queued <= u->drain_at;
	if (fire)
		u->drain_armed = 0;
	pthread_mutex_unlock(&u->s->mtx);
	if (fire && !u->closed)
		u->drain_cb(u->drain_ctx);
}

/* Post u's drain completion if it is due; the caller holds s->mtx. */
static void
check_drain(struct store *s, struct store_upload *u)
{

	if (u->drain_armed && !u->drain_posted && u->queued <= u->drain_at) {
		u->drain_posted = 1;
		post(s, &u->drained);
	}
}

static void
lookup_done(struct done *d)
{
	struct lookup *l = CONTAINER(d, struct lookup, done);
	struct store_case *c = l->c;

	l->case_cb(l->ctx, c);	/* c is the callee's now */
	free(l);
}

/* ---- the store thread ---- */

/*
 * Whether the thread takes u's bytes now: at its commit or abort, for a
 * drain it waits for, at stop, or once it has enough bytes waiting to be
 * written to an envelope file. The caller holds s->mtx.
 */
static int
due(const struct store *s, const struct store_upload *u)
{

	return u->op != OP_NONE || u->drain_armed || s->stopping ||
	    u->waiting >= FLUSH_UPLOAD ||
	    (s->waiting >= FLUSH_TOTAL && u->waiting >= FILE_MIN);
}

/* Whether there is a reason to write now; the caller holds s->mtx. */
static int
ready(struct store *s)
{
	struct store_upload *u;

	if (s->lookups != NULL)
		return 1;
	for (u = s->work; u != NULL; u = u->work_next)
		if (due(s, u))
			return 1;
	return 0;
}

/* Take the work that is due into b; the caller holds s->mtx. */
static void
take(struct store *s, struct batch *b)
{
	struct store_upload *u, **up = &s->work;

	b->uploads = NULL;
	while ((u = *up) != NULL) {
		if (!due(s, u)) {
			up = &u->work_next;
			continue;
		}
		*up = u->work_next;
		u->listed = 0;
		u->batch = u->head;
		u->batch_bytes = u->waiting;
		u->batch_op = u->op;
		u->batch_failed = u->failed;
		u->head = NULL;
		u->tailp = &u->head;
		s->waiting -= u->waiting;
		u->waiting = 0;
		u->batch_next = b->uploads;
		b->uploads = u;
	}
	b->lookups = s->lookups;
	s->lookups = NULL;
	s->lookups_tail = &s->lookups;
}

/* Write the bytes u->batch holds as chunks of at most VALUE_MAX bytes. */
static int
write_bufs(struct store *s, MDB_txn *txn, struct store_upload *u)
{
	struct buf *b = u->batch;
	size_t off = 0, left = u->batch_bytes, len, n, part;
	uint8_t *p;
	int rc;

	for (; left > 0; left -= len) {
		len = left < VALUE_MAX ? left : VALUE_MAX;
		if ((rc = storedb_chunk_reserve(&s->db, txn, u->id, u->seq,
		    len, &p)) != 0)
			return rc;
		for (n = 0; n < len; n += part, off += part) {
			if (off == b->len) {
				b = b->next;
				off = 0;
			}
			part = b->len - off < len - n ? b->len - off : len - n;
			memcpy(p + n, b->data + off, part);
		}
		u->seq++;
		u->size += len;
	}
	return 0;
}

/*
 * List follow-up u after the others of its first report, unless that one
 * has STORE_FOLLOW_UPS_MAX already: checked here, in the transaction that
 * commits u, so that follow-ups at once cannot pass the cap together.
 */
static int
add_follow_up(struct store *s, MDB_txn *txn, struct store_upload *u)
{
	uint8_t id[ENVELOPE_ID_BYTES];
	uint32_t n = 0;
	int rc = 0;

	while (n < STORE_FOLLOW_UPS_MAX &&
	    (rc = storedb_followup_get(&s->db, txn, u->first, n, id)) == 0)
		n++;
	if (rc == 0)
		return FOLLOW_UPS_FULL;
	if (rc != MDB_NOTFOUND)
		return rc;
	return storedb_followup_put(&s->db, txn, u->first, n, u->id);
}

/* Make u's report and its receipt, or list it as a follow-up. */
static int
commit(struct store *s, MDB_txn *txn, struct store_upload *u)
{
	struct storedb_report r = {
		.received_day = u->day,
		.size = u->size,
		.nchunks = u->seq,
		.in_file = u->in_file,
	};
	int rc;

	if ((rc = storedb_report_put(&s->db, txn, u->id, &r,
	    MDB_NOOVERWRITE)) != 0)
		return rc;
	if (u->follow_up)
		return add_follow_up(s, txn, u);
	return storedb_receipt_put(&s->db, txn, u->receipt, u->id);
}

/* Whether u's report is made in this batch's transaction. */
static int
commits_now(const struct store_upload *u)
{

	return u->batch_op == OP_COMMIT && u->batch_failed == STORE_OK;
}

/* Make u's report, with its chunks unless it is in a file. Repeatable. */
static int
apply(struct store *s, MDB_txn *txn, struct store_upload *u)
{
	int rc;

	if (!commits_now(u))
		return 0;
	if (!u->in_file) {
		u->seq = 0;
		u->size = 0;
		if ((rc = write_bufs(s, txn, u)) != 0)
			return rc;
	}
	return commit(s, txn, u);
}

static int
apply_pass(MDB_txn *txn, void *ctx)
{
	struct pass *p = ctx;
	int rc;

	for (struct store_upload *u = p->first; u != NULL;
	    u = p->all ? u->batch_next : NULL)
		if ((rc = apply(p->s, txn, u)) != 0)
			return rc;
	return 0;
}

/* Count a failure of kind (a field of s->failures) with error rc. */
static void
count_failure(struct store *s, unsigned *kind, int rc)
{

	pthread_mutex_lock(&s->mtx);
	(*kind)++;
	if (kind != &s->failures.full)
		s->failures.last = rc;
	pthread_mutex_unlock(&s->mtx);
}

/* Log the failures counted, if any, and start counting afresh. */
static void
log_failures(struct store *s)
{
	struct failures t;

	pthread_mutex_lock(&s->mtx);
	t = s->failures;
	memset(&s->failures, 0, sizeof(s->failures));
	pthread_mutex_unlock(&s->mtx);
	if (t.full + t.refused > 0)
		log_error("store: %u report%s refused in the last hour (%u for "
		    "want of room)", t.full + t.refused,
		    t.full + t.refused == 1 ? "" : "s", t.full);
	if (t.refused + t.other > 0)
		log_error("store: %u failure%s in the last hour; the last: %s",
		    t.refused + t.other, t.refused + t.other == 1 ? "" : "s",
		    mdb_strerror(t.last));
}

/* Give u's envelope file, if it has one, back to the spares (envfile.h). */
static void
drop_file(struct store *s, struct store_upload *u)
{
	int rc;

	if (!u->in_file)
		return;
	/* If this fails, the file goes at the next start. */
	if ((rc = envfile_return(s->env_dir, u->id)) != 0 && rc != ENOENT)
		count_failure(s, &s->failures.other, rc);
	s->touched = 1;
	s->file_bytes -= u->size;
	u->in_file = 0;
	u->size = 0;
	u->tail_len = 0;
}

/* The store gave up on u because of error rc: mark it, remove its file. */
static void
fail(struct store *s, struct store_upload *u, int rc)
{
	enum store_result result = storedb_full(rc) ? STORE_FULL : STORE_ERROR;

	if (u->batch_failed == STORE_OK)
		count_failure(s, result == STORE_FULL ? &s->failures.full :
		    &s->failures.refused, rc);
	u->batch_failed = result;
	pthread_mutex_lock(&s->mtx);
	if (u->failed == STORE_OK)
		u->failed = result;
	pthread_mutex_unlock(&s->mtx);
	drop_file(s, u);
}

/* The bytes LMDB uses and may still grow by: what files leave of max. */
static uint64_t
map_limit(const struct store *s)
{

	return s->max_size > s->file_bytes ? s->max_size - s->file_bytes : 0;
}

static int
keep_all(void *ctx, const uint8_t *id)
{

	return 1;
}

/*
 * Whether len more bytes fit in max_size beside the files and the map's
 * data (its used pages, free ones inside included: a conservative count).
 * The map's own limit (map_limit) is not enough: a map already grown may
 * have room that the files have taken since. Before saying no, count the
 * files again: a purge in another process may have removed some.
 */
static int
room_for(struct store *s, uint64_t len)
{
	uint64_t bytes = 0;

	if (s->file_bytes + len + storedb_used(&s->db) <= s->max_size)
		return 1;
	if (envfile_sweep(s->env_dir, keep_all, NULL, &bytes, NULL) == 0)
		s->file_bytes = bytes;
	return s->file_bytes + len + storedb_used(&s->db) <= s->max_size;
}

/* Where bytes of u's batch are copied into s->stage for aligned writes. */
struct staging {
	int fd;
	uint64_t offset;		/* where s->stage goes in the file */
	size_t len;			/* bytes in s->stage */
};

/* Copy u's tail and batch into the stage, writing each full stage. */
static int
stage_batch(struct store *s, struct store_upload *u, struct staging *st)
{
	size_t off, n;
	int rc = 0;

	memcpy(s->stage, u->tail, u->tail_len);
	st->len = u->tail_len;
	for (struct buf *b = u->batch; b != NULL && rc == 0; b = b->next)
		for (off = 0; off < b->len && rc == 0; off += n) {
			n = b->len - off < STAGE_BYTES - st->len ?
			    b->len - off : STAGE_BYTES - st->len;
			memcpy(s->stage + st->len, b->data + off, n);
			if ((st->len += n) == STAGE_BYTES) {
				rc = envfile_write(st->fd, st->offset, s->stage,
				    STAGE_BYTES);
				st->offset += STAGE_BYTES;
				st->len = 0;
			}
		}
	return rc;
}

/*
 * Append the batch's bytes to u's file: all whole ENVFILE_ALIGN blocks now
 * (O_DIRECT), the rest kept in u->tail until more comes or u commits; at
 * its commit, write the tail and sync the file.
 */
static int
write_file(struct store *s, struct store_upload *u)
{
	struct staging st = { -1, u->size - u->tail_len, 0 };
	size_t whole;
	int rc;

	if (!room_for(s, u->batch_bytes))
		return MDB_MAP_FULL;
	if (u->tail == NULL && (u->tail = malloc(ENVFILE_ALIGN)) == NULL)
		return ENOMEM;
	s->touched |= u->size == 0;	/* a spare taken, or a file made */
	if ((rc = envfile_open(s->env_dir, u->id, u->size == 0, &st.fd)) != 0)
		return rc;
	if ((rc = stage_batch(s, u, &st)) == 0) {
		whole = st.len - st.len % ENVFILE_ALIGN;
		if (whole > 0)
			rc = envfile_write(st.fd, st.offset, s->stage, whole);
		st.offset += whole;
		u->tail_len = st.len - whole;
		memcpy(u->tail, s->stage + whole, u->tail_len);
	}
	if (rc == 0 && u->batch_op == OP_COMMIT && u->tail_len > 0)
		rc = envfile_write_last(st.fd, st.offset, u->tail, u->tail_len);
	if (rc == 0 && u->batch_op == OP_COMMIT)
		rc = envfile_sync(st.fd, u->day);
	close(st.fd);
	if (rc == 0) {
		u->size += u->batch_bytes;
		s->file_bytes += u->batch_bytes;
	}
	return rc;
}

/*
 * Write the batch's envelope files: an upload taken before its commit goes
 * to a file from then on. Files that commit are synced, and their names
 * with one sync of the directory, before LMDB records their reports.
 */
static void
write_files(struct store *s, struct batch *b)
{
	struct store_upload *u;
	int rc, made = 0;

	for (u = b->uploads; u != NULL; u = u->batch_next) {
		if (u->batch_failed != STORE_OK)
			continue;
		if (u->batch_op == OP_ABORT) {
			drop_file(s, u);
			continue;
		}
		if (u->batch_op == OP_NONE && u->batch_bytes > 0)
			u->in_file = 1;
		if (!u->in_file || (u->batch_bytes == 0 &&
		    u->batch_op != OP_COMMIT))
			continue;
		if ((rc = write_file(s, u)) != 0)
			fail(s, u, rc);
		made |= commits_now(u);
	}
	if (made && (rc = envfile_sync_dir(s->env_dir)) != 0)
		for (u = b->uploads; u != NULL; u = u->batch_next)
			if (u->in_file && commits_now(u))
				fail(s, u, rc);
	s->touched |= made;
}

/*
 * After envelope files changed: no file's ctime may say which, nor the
 * directory's times when (envfile.h).
 */
static void
blur_times(struct store *s)
{
	int rc;

	if ((rc = envfile_touch_all(s->env_dir)) != 0)
		count_failure(s, &s->failures.other, rc);
	s->touched = 0;
}

/* Make the spare envelope files that were taken (envfile.h). */
static void
make_spares(struct store *s)
{
	int rc;

	if ((rc = envfile_make_spares(s->env_dir)) != 0 ||
	    (rc = envfile_touch_all(s->env_dir)) != 0)
		log_error("store: cannot make spare envelope files: %s",
		    strerror(rc));
	s->touched = 0;
	s->spares_day = storedb_today();
}

/* Record the batch's commits in one transaction, or else one by one. */
static void
commit_batch(struct store *s, struct batch *b)
{
	struct pass p = { s, NULL, 1 };
	struct store_upload *u;
	int rc;

	for (u = b->uploads; u != NULL; u = u->batch_next)
		if (commits_now(u) && !u->in_file && !room_for(s, u->batch_bytes))
			fail(s, u, MDB_MAP_FULL);
	for (u = b->uploads; u != NULL && p.first == NULL; u = u->batch_next)
		if (commits_now(u))
			p.first = u;
	if (p.first == NULL ||
	    storedb_write(&s->db, map_limit(s), apply_pass, &p) == 0)
		return;
	p.all = 0;
	for (u = b->uploads; u != NULL; u = u->batch_next) {
		p.first = u;
		if (commits_now(u) && (rc = storedb_write(&s->db, map_limit(s),
		    apply_pass, &p)) != 0)
			fail(s, u, rc);
	}
}

/* Write the batch: envelope files, then the commits. */
static void
write_batch(struct store *s, struct batch *b)
{
	uint32_t today = storedb_today();

	for (struct store_upload *u = b->uploads; u != NULL; u = u->batch_next)
		u->day = today;
	write_files(s, b);
	commit_batch(s, b);
	if (s->touched)
		blur_times(s);
}

/* Fill e with what became of report id and its outcome. */
static int
lookup_entry(struct store *s, MDB_txn *txn, const uint8_t *id,
    struct store_entry *e)
{
	struct storedb_report r;
	struct storedb_outcome o;
	int rc;

	memcpy(e->id, id, ENVELOPE_ID_BYTES);
	if ((rc = storedb_report_get(&s->db, txn, id, &r)) == MDB_NOTFOUND)
		e->status = STORE_STATUS_PURGED;  /* receipts outlive reports */
	else if (rc != 0)
		return rc;
	else {
		e->status = r.exported ? STORE_STATUS_EXPORTED :
		    STORE_STATUS_WAITING;
		e->received_day = r.received_day;
	}
	if ((rc = storedb_outcome_get(&s->db, txn, id, &o)) != 0)
		return rc == MDB_NOTFOUND ? 0 : rc;
	e->outcome = (uint8_t)o.status;
	e->outcome_day = o.day;
	if (o.message_len > 0) {
		if ((e->message = malloc(o.message_len)) == NULL)
			return ENOMEM;
		memcpy(e->message, o.message, o.message_len);
		e->message_len = o.message_len;
	}
	return 0;
}

/*
 * What the receipt hash leads to, into c (zeroed). A receipt that was
 * never issued and a wrong one both end at the first get, alike.
 */
static int
lookup_case(struct store *s, MDB_txn *txn, const uint8_t *hash,
    struct store_case *c)
{
	uint8_t first[ENVELOPE_ID_BYTES], id[ENVELOPE_ID_BYTES];
	int rc;

	if ((rc = storedb_receipt_get(&s->db, txn, hash, first)) != 0)
		return rc == MDB_NOTFOUND ? 0 : rc;
	if ((rc = lookup_entry(s, txn, first, &c->e[0])) != 0)
		return rc;
	for (c->n = 1; c->n <= STORE_FOLLOW_UPS_MAX; c->n++) {
		if ((rc = storedb_followup_get(&s->db, txn, first,
		    (uint32_t)(c->n - 1), id)) != 0)
			return rc == MDB_NOTFOUND ? 0 : rc;
		if ((rc = lookup_entry(s, txn, id, &c->e[c->n])) != 0)
			return rc;
	}
	return 0;
}

/* The lookup failed: the caller gets NULL (a 503), and it is counted. */
static void
lookup_failed(struct store *s, struct lookup *l, int rc)
{

	count_failure(s, &s->failures.other, rc);
	store_case_free(l->c);
	l->c = NULL;
}

/* Answer the batch's receipt lookups from one read transaction. */
static void
read_batch(struct store *s, struct batch *b)
{
	MDB_txn *txn;
	struct lookup *l;
	int rc;

	if (b->lookups == NULL)
		return;
	if ((rc = storedb_begin(&s->db, MDB_RDONLY, &txn)) != 0) {
		for (l = b->lookups; l != NULL; l = l->next)
			lookup_failed(s, l, rc);
		return;
	}
	for (l = b->lookups; l != NULL; l = l->next)
		if ((rc = lookup_case(s, txn, l->hash, l->c)) != 0)
			lookup_failed(s, l, rc);
	mdb_txn_abort(txn);
}

/* Count the written bytes out of the queue and post completions. */
static void
settle(struct store *s, struct batch *b)
{
	struct store_upload *u, *next;
	struct lookup *l, *lnext;

	for (u = b->uploads; u != NULL; u = next) {
		next = u->batch_next;
		u->queued -= u->batch_bytes;
		check_drain(s, u);
		if (u->batch_op != OP_NONE) {
			u->result = u->failed;
			post(s, &u->finished);
		}
	}
	for (l = b->lookups; l != NULL; l = lnext) {
		lnext = l->next;
		post(s, &l->done);
	}
}

static size_t
count_commits(const struct batch *b)
{
	size_t n = 0;

	for (const struct store_upload *u = b->uploads; u != NULL;
	    u = u->batch_next)
		n += u->batch_op == OP_COMMIT;
	return n;
}

/*
 * The last write committed several reports: reports are arriving faster
 * than one fsync each, so let more join the next write. A commit is one
 * fsync and one copy of each B-tree path it touches whatever the number of
 * reports in it, so a busy server does less per report (measured with 64
 * reporters: 0.09 fsyncs and 4.3 page writes per report instead of 0.16
 * and 4.7; 30 us of this thread's CPU instead of 42). A reporter waits
 * half a millisecond more, nothing beside Tor's latency; a lone reporter
 * never waits. The caller holds s->mtx.
 */
static void
gather(struct store *s)
{
	struct timespec t = { 0, GATHER_NSEC };

	pthread_mutex_unlock(&s->mtx);
	nanosleep(&t, NULL);
	pthread_mutex_lock(&s->mtx);
}

/*
 * On the hour, a time that says nothing about any upload: log the failures
 * counted, and on a new UTC day make the spares taken the day before.
 */
static void
on_the_hour(struct store *s)
{

	s->tick = (time(NULL) / 3600 + 1) * 3600;
	log_failures(s);
	if (storedb_today() != s->spares_day)
		make_spares(s);
}

/* Wait for work or the next hour; the caller holds s->mtx. */
static void
wait_for_work(struct store *s)
{
	struct timespec until = { s->tick, 0 };

	pthread_cond_timedwait(&s->cond, &s->mtx, &until);
}

static void *
store_main(void *arg)
{
	struct store *s = arg;
	struct batch b = { .s = s };
	struct store_upload *u;
	size_t commits = 0;

	pthread_mutex_lock(&s->mtx);
	for (;;) {
		while (!s->stopping && !ready(s) && time(NULL) < s->tick)
			wait_for_work(s);
		if (time(NULL) >= s->tick) {
			pthread_mutex_unlock(&s->mtx);
			on_the_hour(s);
			pthread_mutex_lock(&s->mtx);
			continue;
		}
		if (!ready(s))
			break;
		if (commits > 1 && !s->stopping)
			gather(s);
		take(s, &b);
		commits = count_commits(&b);
		pthread_mutex_unlock(&s->mtx);
		write_batch(s, &b);
		read_batch(s, &b);
		for (u = b.uploads; u != NULL; u = u->batch_next) {
			free_bufs(u->batch);
			u->batch = NULL;
		}
		pthread_mutex_lock(&s->mtx);
		settle(s, &b);
	}
	pthread_mutex_unlock(&s->mtx);
	log_failures(s);
	return NULL;
}

/* ---- opening and closing ---- */

/* The first map size: 16 MiB or the data file's size, at most max_size. */
static uint64_t
start_mapsize(const struct datadir *d, uint64_t max_size)
{
	struct stat st;
	uint64_t size = STOREDB_MAP_START;

	if (fstatat(d->fd, "data.mdb", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    (uint64_t)st.st_size > size)
		size = (uint64_t)st.st_size;
	return size < max_size ? size : max_size;
}

struct recovery {
	struct storedb *db;
	MDB_txn *txn;
};

/* Keep an envelope file only if LMDB has its report, in that file. */
static int
committed_file(void *ctx, const uint8_t *id)
{
	struct recovery *r = ctx;
	struct storedb_report report;
	int rc;

	if ((rc = storedb_report_get(r->db, r->txn, id, &report)) ==
	    MDB_NOTFOUND)
		return 0;
	return rc != 0 ? rc : report.in_file;
}

/* Remove the files of uploads that never committed; load the secret. */
static int
recover(struct store *s, struct store_secrets *secrets)
{
	struct recovery r = { &s->db, NULL };
	size_t n = 0;
	int rc;

	if ((rc = storedb_begin(&s->db, MDB_RDONLY, &r.txn)) != 0)
		return rc;
	if ((rc = storedb_secret(&s->db, r.txn, secrets->server)) == 0)
		rc = envfile_sweep(s->env_dir, committed_file, &r,
		    &s->file_bytes, &n);
	mdb_txn_abort(r.txn);
	if (n > 0)
		log_info("store: removed %zu unfinished uploads", n);
	return rc;
}

/* Start the thread and what it shares with the loop. */
static int
start(struct store *s, struct event_base *base)
{
	int rc;

	if ((s->ev = event_new(base, -1, 0, on_done, s)) == NULL) {
		log_error("store: cannot make its event");
		return -1;
	}
	if ((rc = pthread_mutex_init(&s->mtx, NULL)) != 0)
		goto err0;
	if ((rc = pthread_cond_init(&s->cond, NULL)) != 0)
		goto err1;
	if ((rc = pthread_create(&s->thread, NULL, store_main, s)) != 0)
		goto err2;
	return 0;

err2:
	pthread_cond_destroy(&s->cond);
err1:
	pthread_mutex_destroy(&s->mtx);
err0:
	log_error("store: cannot start its thread: %s", strerror(rc));
	event_free(s->ev);
	return -1;
}

/*
 * store_open(data_dir, max_size, base):
 * Open (creating if needed, mode 0700) the LMDB environment in data_dir
 * and its envelope files' directory, which together may take up to
 * max_size bytes; load or create the server secret; remove what uploads
 * that never committed left behind (a crash mid-upload); make the spare
 * envelope files; start the store thread, which reports back through base.
 * evthread_use_pthreads() must have been called before base was made.
 * Return NULL after logging the reason.
 */
/*
 * One server per store: a second one would take the first one's uploads in
 * progress for leftovers of a crash and delete them. The lock is an flock
 * on a file in data_dir, held until the process exits (admin commands do
 * not take it: they never clean up). Return the locked descriptor, or -1.
 */
static int
lock_data_dir(const struct datadir *d)
{
	int fd;

	if ((fd = openat(d->fd, "server.lock", O_RDWR | O_CREAT | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) < 0) {
		log_errno("store in %s: server.lock", d->path);
		return -1;
	}
	if (datadir_check_fd(d, "server.lock", fd) != 0) {
		close(fd);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		log_error("store in %s: another oniondropd is using it", d->path);
		close(fd);
		return -1;
	}
	return fd;
}

struct store *
store_open(const char *data_dir, uint64_t max_size, struct event_base *base,
    struct store_secrets *secrets)
{
	struct store *s;
	int rc;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		log_errno("store");
		return NULL;
	}
	s->max_size = max_size;
	s->lock_fd = -1;
	s->env_dir = -1;
	s->dir.fd = -1;
	s->lookups_tail = &s->lookups;
	s->done_tail = &s->done;
	if ((errno = posix_memalign((void **)&s->stage, ENVFILE_ALIGN,
	    STAGE_BYTES)) != 0) {
		log_errno("store");
		goto err0;
	}
	if (datadir_open(&s->dir, data_dir, 1) != 0 ||
	    storedb_open(&s->db, &s->dir, start_mapsize(&s->dir, max_size),
	    1) != 0)
		goto err0;
	if ((s->lock_fd = lock_data_dir(&s->dir)) < 0 ||
	    datadir_subdir(&s->dir, ENVFILE_DIR, 1, &s->env_dir) != 0)
		goto err1;
	if ((rc = recover(s, secrets)) != 0) {
		log_error("store in %s: %s", data_dir, mdb_strerror(rc));
		goto err1;
	}
	make_spares(s);
	s->tick = (time(NULL) / 3600 + 1) * 3600;
	if (start(s, base) != 0)
		goto err1;
	return s;

err1:
	if (s->env_dir >= 0)
		close(s->env_dir);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	storedb_close(&s->db);
err0:
	datadir_close(&s->dir);
	sodium_memzero(secrets, sizeof(*secrets));
	free(s->stage);
	free(s);
	return NULL;
}

/*
 * store_close(s):
 * Finish the work already queued (commits in flight become durable), stop
 * the thread, run the callbacks still due (from within store_close, on
 * the calling loop thread), close LMDB. Every upload must have been
 * committed or aborted. NULL is a no-op.
 */
void
store_close(struct store *s)
{

	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mtx);
	s->stopping = 1;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->mtx);
	pthread_join(s->thread, NULL);
	on_done(-1, 0, s);
	event_free(s->ev);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->mtx);
	storedb_close(&s->db);
	close(s->env_dir);
	close(s->lock_fd);
	datadir_close(&s->dir);
	free(s->stage);
	free(s);
}

/* ---- the loop's side ---- */

/* Put u on the work list and wake the thread; the caller holds s->mtx. */
static void
enqueue(struct store *s, struct store_upload *u)
{
	if (!u->listed) {
		u->listed = 1;
		u->work_next = s->work;
		s->work = u;
	}
	/* Wake the thread only when it has a reason to write: waking it for
	 * every 64 KiB of an upload only to sleep again costs more than the
	 * write. */
	if (ready(s))
		pthread_cond_signal(&s->cond);
}

/*
 * store_upload_begin(s, id):
 * Start storing the envelope of report id. Return NULL if memory is short.
 */
struct store_upload *
store_upload_begin(struct store *s, const uint8_t id[ENVELOPE_ID_BYTES])
{
	struct store_upload *u;

	if ((u = calloc(1, sizeof(*u))) == NULL)
		return NULL;
	u->s = s;
	memcpy(u->id, id, ENVELOPE_ID_BYTES);
	u->tailp = &u->head;
	u->failed = STORE_OK;
	u->drained.run = upload_drained;
	u->finished.run = upload_finished;
	return u;
}

/*
 * store_upload_write(u, buf, len):
 * Queue the next envelope bytes (copied). Return 0, or -1 if the store has
 * already failed this upload (full, error): the caller should stop sending
 * and will learn the result at commit.
 */
int
store_upload_write(struct store_upload *u, const uint8_t *buf, size_t len)
{
	struct store *s = u->s;
	struct buf *b;
	int rc;

	if ((b = malloc(sizeof(*b) + len)) != NULL) {
		b->next = NULL;
		b->len = len;
		memcpy(b->data, buf, len);
	}
	pthread_mutex_lock(&s->mtx);
	if (b == NULL && u->failed == STORE_OK) {
		u->failed = STORE_ERROR;
		s->failures.refused++;
		s->failures.last = ENOMEM;
	}
	if ((rc = u->failed != STORE_OK ? -1 : 0) == 0 && len > 0) {
		*u->tailp = b;
		u->tailp = &b->next;
		u->waiting += len;
		u->queued += len;
		s->waiting += len;
		u->accepted += len;
		enqueue(s, u);
		b = NULL;	/* the queue's now */
	}
	pthread_mutex_unlock(&s->mtx);
	free(b);
	return rc;
}

/*
 * store_upload_queued(u):
 * Bytes queued and not yet written by the store thread. The caller stops
 * reading from its client while this is above its limit.
 */
size_t
store_upload_queued(const struct store_upload *u)
{
	size_t queued;

	pthread_mutex_lock(&u->s->mtx);
	queued = u->queued;
	pthread_mutex_unlock(&u->s->mtx);
	return queued;
}

/*
 * store_upload_on_drain(u, cb, ctx):
 * Call cb(ctx) once, on the loop, when the bytes queued for u fall to half
 * of what they were when this was called, or lower (backpressure).
 */
void
store_upload_on_drain(struct store_upload *u, void (*cb)(void *ctx),
    void *ctx)
{
	struct store *s = u->s;

	u->drain_cb = cb;
	u->drain_ctx = ctx;
	pthread_mutex_lock(&s->mtx);
	u->drain_armed = 1;
	u->drain_at = u->queued / 2;
	check_drain(s, u);
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->mtx);
}

/* Hand u's last operation to the thread; the loop never touches u again. */
static void
finish(struct store_upload *u, enum op op)
{
	struct store *s = u->s;
	struct buf *unwritten = NULL;

	u->closed = 1;
	pthread_mutex_lock(&s->mtx);
	if (op == OP_ABORT) {
		unwritten = u->head;
		u->head = NULL;
		u->tailp = &u->head;
		s->waiting -= u->waiting;
		u->queued -= u->waiting;
		u->waiting = 0;
	} else if (u->accepted == 0 && u->failed == STORE_OK)
		u->failed = STORE_ERROR;	/* an envelope is never empty */
	u->op = op;
	u->drain_armed = 0;
	enqueue(s, u);
	pthread_mutex_unlock(&s->mtx);
	free_bufs(unwritten);
}

/*
 * store_upload_commit(u, receipt_hash, done, ctx):
 * The envelope is complete: store the report as received today (UTC day),
 * not exported, with receipt_hash pointing at it, in one durable
 * transaction; then done(ctx, result). u is freed by the store; do not use
 * it after this call.
 */
void
store_upload_commit(struct store_upload *u,
    const uint8_t receipt_hash[STORE_RECEIPT_HASH_BYTES],
    void (*done)(void *ctx, enum store_result result), void *ctx)
{

	memcpy(u->receipt, receipt_hash, STORE_RECEIPT_HASH_BYTES);
	u->done_cb = done;
	u->done_ctx = ctx;
	finish(u, OP_COMMIT);
}

/*
 * store_upload_abort(u):
 * Discard the upload and whatever of it was written. u is freed. No
 * callback; a pending drain callback is cancelled.
 */
void
store_upload_abort(struct store_upload *u)
{

	finish(u, OP_ABORT);
}

/*
 * store_upload_commit_follow_up(u, first_id, done, ctx):
 * Like store_upload_commit, for a follow-up of report first_id (found by
 * store_lookup): the report is stored and listed among first_id's
 * follow-ups, and no receipt is made. done(ctx, STORE_ERROR) if first_id
 * already has STORE_FOLLOW_UPS_MAX follow-ups (checked in the transaction
 * that commits it). A first report purged since its lookup still takes
 * it: its receipt still leads there.
 */
void
store_upload_commit_follow_up(struct store_upload *u,
    const uint8_t first_id[ENVELOPE_ID_BYTES],
    void (*done)(void *ctx, enum store_result result), void *ctx)
{

	u->follow_up = 1;
	memcpy(u->first, first_id, ENVELOPE_ID_BYTES);
	u->done_cb = done;
	u->done_ctx = ctx;
	finish(u, OP_COMMIT);
}

/* store_case_free(c): free the messages and c; NULL is a no-op. */
void
store_case_free(struct store_case *c)
{

	if (c == NULL)
		return;
	for (size_t i = 0; i < 1 + STORE_FOLLOW_UPS_MAX; i++)
		free(c->e[i].message);
	free(c);
}

/* Queue a lookup of receipt_hash, answered by one of the callbacks. */
static void
queue_lookup(struct store *s, const uint8_t *receipt_hash,
    struct lookup *l, void *ctx)
{

	memcpy(l->hash, receipt_hash, STORE_RECEIPT_HASH_BYTES);
	l->ctx = ctx;
	l->done.run = lookup_done;
	pthread_mutex_lock(&s->mtx);
	*s->lookups_tail = l;
	s->lookups_tail = &l->next;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->mtx);
}

/* A lookup with its case allocated, or NULL if memory is short. */
static struct lookup *
lookup_new(void)
{
	struct lookup *l;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	if ((l->c = calloc(1, sizeof(*l->c))) == NULL) {
		free(l);
		return NULL;
	}
	return l;
}

/*
 * store_lookup(s, receipt_hash, done, ctx):
 * Look up a receipt; done(ctx, c) with what became of its report and its
 * follow-ups (c malloc'd, the callee frees it with store_case_free). If
 * memory is short, done(ctx, NULL) is called at once; if the store fails,
 * later: treat it as 503. An unknown receipt costs what a wrong one does.
 */
void
store_lookup(struct store *s,
    const uint8_t receipt_hash[STORE_RECEIPT_HASH_BYTES],
    void (*done)(void *ctx, struct store_case *c), void *ctx)
{
	struct lookup *l;

	if ((l = lookup_new()) == NULL) {
		done(ctx, NULL);
		return;
	}
	l->case_cb = done;
	queue_lookup(s, receipt_hash, l, ctx);
}
