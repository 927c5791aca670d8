/*
 * storewriter: see storewriter.h. Its thread takes every message waiting
 * in the channel at once (a batch), writes, then answers them all.
 *
 * The writer knows an upload from its first message to its last (commit
 * or abort), by its report id. A small report's bytes all come with its
 * commit and become LMDB chunks in the transaction that commits it. An
 * upload whose bytes come before its commit (the loop side sends them once
 * enough are waiting: it is large) goes to an envelope file (envfile.h) as
 * they arrive, and its commit syncs the file before LMDB records the
 * report. All the commits of a batch share one write transaction (one
 * fsync for every report in it). If that transaction cannot fit even at
 * max_size, or fails otherwise, the writer applies the uploads one by one,
 * so that only those that do not fit fail (their files are removed) and
 * the others still commit. A commit names the envelope's size: bytes lost
 * on the way make it fail, never a shorter report.
 *
 * Failures that a visitor's request meets (a report refused, a lookup that
 * failed) are counted, not logged as they happen: the journal dates every
 * line, and a line per refusal would date a reporter's attempt. The writer
 * logs the counts on the hour, when there are any, and at stop.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "datadir.h"
#include "envfile.h"
#include "log.h"
#include "storedb.h"
#include "storewriter.h"

/* A chunk of 1 MiB less LMDB's 16-byte page header fills 256 pages. */
#define VALUE_MAX ((size_t)(1 << 20) - 16)
/* Envelope file bytes are gathered into aligned writes of at most this. */
#define STAGE_BYTES (1024 * 1024)
/* The error of a follow-up to a report that has STORE_FOLLOW_UPS_MAX. */
#define FOLLOW_UPS_FULL EMLINK
/* The error of a commit whose envelope lacks bytes it was sent. */
#define BYTES_LOST EPROTO
/* Uploads open at once, at most: far above max_connections' bound (each
 * connection has one), so only a network process gone wrong meets it. */
#define OPEN_MAX 8192

/* Failures counted since the last log line (see the top). */
struct failures {
	unsigned full;			/* reports refused: no room */
	unsigned refused;		/* reports refused: another error */
	unsigned other;			/* other failures of a request */
	int last;			/* the last error but "no room" */
};

enum op { OP_NONE, OP_COMMIT, OP_ABORT };

/* An upload, from its first message to its commit or abort. */
struct wupload {
	uint8_t id[ENVELOPE_ID_BYTES];
	struct wupload *next;		/* on w->open */
	enum store_result failed;	/* STORE_OK until the writer gives up */
	uint64_t received;		/* bytes its messages brought */
	uint32_t day;			/* the day it is received, at commit */
	int in_file;			/* in an envelope file, not chunks */
	uint32_t seq;			/* LMDB chunks written */
	uint64_t size;			/* envelope bytes written */
	uint8_t *tail;			/* in a file: its last size % */
	size_t tail_len;		/* ENVFILE_ALIGN bytes, unwritten */

	/* What this batch brought for it. */
	struct wupload *batch_next;
	int in_batch;
	struct storeq_bytes *batch, **batch_tailp;
	size_t batch_bytes;
	enum op batch_op;
	int follow_up;			/* of first, and no receipt */
	uint8_t receipt[STORE_RECEIPT_HASH_BYTES];
	uint8_t first[ENVELOPE_ID_BYTES];
	struct storeq_msg *msgs, **msgs_tailp;	/* to answer, in order */
};

struct storewriter {
	struct datadir dir;		/* data_dir */
	struct storedb db;
	int env_dir;			/* envelope files' directory */
	int lock_fd;			/* flock: one server per data_dir */
	uint64_t max_size;
	int touched;			/* envelope files changed since the
					 * last envfile_touch_all */
	uint64_t file_bytes;		/* bytes in envelope files */
	uint8_t *stage;			/* STAGE_BYTES, aligned for O_DIRECT */
	time_t tick;			/* the next hour */
	uint32_t spares_day;		/* the day spares were last made */
	struct failures failures;
	struct wupload *open;		/* every upload begun, not finished */
	size_t nopen;
	struct storerecv *r;
	int64_t next_count;		/* CLOCK_MONOTONIC ms; 0: none wanted */
	unsigned count_every;
	void (*counted)(void *, const struct store_counts *);
	void *counted_arg;
};

/* What the thread took from the channel in one go. */
struct batch {
	struct wupload *uploads;	/* linked by batch_next */
	struct storeq_msg *lookups, **lookups_tailp;
	struct storeq_msg *lost, **lost_tailp;	/* no upload: memory short */
};

/* What one write transaction applies: the whole batch, or one upload. */
struct pass {
	struct storewriter *w;
	struct wupload *first;
	int all;
};

/* ---- counting failures ---- */

/* Count a failure of kind (a field of w->failures) with error rc. */
static void
count_failure(struct storewriter *w, unsigned *kind, int rc)
{

	(*kind)++;
	if (kind != &w->failures.full)
		w->failures.last = rc;
}

/* Log the failures counted, if any, and start counting afresh. */
static void
log_failures(struct storewriter *w)
{
	struct failures t = w->failures;

	memset(&w->failures, 0, sizeof(w->failures));
	if (t.full + t.refused > 0)
		log_error("store: %u report%s refused in the last hour (%u for "
		    "want of room)", t.full + t.refused,
		    t.full + t.refused == 1 ? "" : "s", t.full);
	if (t.refused + t.other > 0)
		log_error("store: %u failure%s in the last hour; the last: %s",
		    t.refused + t.other, t.refused + t.other == 1 ? "" : "s",
		    mdb_strerror(t.last));
}

/* ---- taking messages ---- */

/* Add u to the batch, with nothing of it yet. */
static void
batch_add(struct batch *b, struct wupload *u)
{

	u->in_batch = 1;
	u->batch = NULL;
	u->batch_tailp = &u->batch;
	u->batch_bytes = 0;
	u->batch_op = OP_NONE;
	u->msgs = NULL;
	u->msgs_tailp = &u->msgs;
	u->batch_next = b->uploads;
	b->uploads = u;
}

/*
 * Whether id is already taken by a report (committed, or exported and not
 * yet purged). An id is the network process's choice; this is what keeps
 * it from naming an existing report's, whose file an upload's failure
 * would otherwise remove. A file with no report is not looked for here
 * (a lookup that finds nothing walks the directory's index on disk: 12 %
 * of this process's CPU at 64 reporters): making an upload's file never
 * takes an existing name (envfile_open), and a file not made is not the
 * upload's to remove (write_file). Return 0 if it is free, or an errno
 * value (EEXIST if taken).
 */
static int
id_taken(struct storewriter *w, const uint8_t *id)
{
	struct storedb_report r;
	MDB_txn *txn;
	int rc;

	if ((rc = storedb_begin(&w->db, MDB_RDONLY, &txn)) != 0)
		return rc;
	rc = storedb_report_get(&w->db, txn, id, &r);
	mdb_txn_abort(txn);
	return rc == 0 ? EEXIST : rc == MDB_NOTFOUND ? 0 : rc;
}

/* A new upload of report id, failed at once if id is taken. */
static struct wupload *
upload_new(struct storewriter *w, const uint8_t *id)
{
	struct wupload *u;
	int rc;

	if (w->nopen >= OPEN_MAX || (u = calloc(1, sizeof(*u))) == NULL)
		return NULL;
	memcpy(u->id, id, ENVELOPE_ID_BYTES);
	u->failed = STORE_OK;
	if ((rc = id_taken(w, id)) != 0) {
		count_failure(w, &w->failures.refused, rc);
		u->failed = STORE_ERROR;
	}
	u->next = w->open;
	w->open = u;
	w->nopen++;
	return u;
}

/*
 * The upload of report id, in the batch: known, or new. NULL if there is
 * none to be had: memory is short, OPEN_MAX are open, or the upload sent
 * its last message already in this batch.
 */
static struct wupload *
upload_for(struct storewriter *w, struct batch *b, const uint8_t *id)
{
	struct wupload *u;

	for (u = w->open; u != NULL; u = u->next)
		if (memcmp(u->id, id, ENVELOPE_ID_BYTES) == 0)
			break;
	if (u == NULL && (u = upload_new(w, id)) == NULL)
		return NULL;
	if (!u->in_batch)
		batch_add(b, u);
	return u->batch_op == OP_NONE ? u : NULL;
}

/* Give u's envelope file, if it has one, back to the spares (envfile.h). */
static void
drop_file(struct storewriter *w, struct wupload *u)
{
	int rc;

	if (!u->in_file)
		return;
	/* If this fails, the file goes at the next start. */
	if ((rc = envfile_return(w->env_dir, u->id)) != 0 && rc != ENOENT)
		count_failure(w, &w->failures.other, rc);
	w->touched = 1;
	w->file_bytes -= u->size;
	u->in_file = 0;
	u->size = 0;
	u->tail_len = 0;
}

/* The writer gives up on u because of error rc: mark it (the first
 * failure is the one its answers give), remove its file. */
static void
fail(struct storewriter *w, struct wupload *u, int rc)
{
	enum store_result result = storedb_full(rc) ? STORE_FULL : STORE_ERROR;

	if (u->failed == STORE_OK) {
		count_failure(w, result == STORE_FULL ? &w->failures.full :
		    &w->failures.refused, rc);
		u->failed = result;
	}
	drop_file(w, u);
}

/* An upload's last message: what to do with it, and whether it holds. */
static void
take_last(struct storewriter *w, struct wupload *u,
    const struct storeq_msg *m)
{

	u->batch_op = m->type == STOREQ_ABORT ? OP_ABORT : OP_COMMIT;
	u->follow_up = m->type == STOREQ_FOLLOW_UP;
	if (m->type == STOREQ_COMMIT)
		memcpy(u->receipt, m->key, sizeof(u->receipt));
	else if (m->type == STOREQ_FOLLOW_UP)
		memcpy(u->first, m->key, sizeof(u->first));
	if (m->failed != STORE_OK && u->failed == STORE_OK) {
		if (m->err != 0)
			count_failure(w, &w->failures.refused, m->err);
		u->failed = m->failed;
	}
	if (u->batch_op == OP_COMMIT && u->failed == STORE_OK &&
	    u->received != m->total)
		fail(w, u, BYTES_LOST);
}

/* Take one upload message into u's share of the batch. */
static void
take_upload(struct storewriter *w, struct wupload *u, struct storeq_msg *m)
{
	struct storeq_bytes *b;

	*u->batch_tailp = m->bytes;
	for (b = m->bytes; b != NULL; b = b->next)
		u->batch_tailp = &b->next;
	u->batch_bytes += m->len;
	u->received += m->len;
	m->bytes = NULL;
	m->next = NULL;
	*u->msgs_tailp = m;
	u->msgs_tailp = &m->next;
	if (m->type != STOREQ_DATA)
		take_last(w, u, m);
}

/*
 * No memory for m's upload: m is answered STORE_ERROR, its bytes dropped.
 * A DATA lost so fails its upload's commit (BYTES_LOST), and the report is
 * counted then; a last message's report is counted now.
 */
static void
lose(struct storewriter *w, struct batch *b, struct storeq_msg *m)
{

	count_failure(w, m->type == STOREQ_DATA ? &w->failures.other :
	    &w->failures.refused, ENOMEM);
	storeq_bytes_free(m->bytes);
	m->bytes = NULL;
	m->result = STORE_ERROR;
	*b->lost_tailp = m;
	b->lost_tailp = &m->next;
}

/* Take the messages m into b. */
static void
take(struct storewriter *w, struct storeq_msg *m, struct batch *b)
{
	struct storeq_msg *next;
	struct wupload *u;

	for (; m != NULL; m = next) {
		next = m->next;
		m->next = NULL;
		if (m->type == STOREQ_LOOKUP) {
			*b->lookups_tailp = m;
			b->lookups_tailp = &m->next;
		} else if ((u = upload_for(w, b, m->id)) != NULL) {
			take_upload(w, u, m);
		} else {
			lose(w, b, m);
		}
	}
}

/* ---- writing ---- */

/* Write the bytes u->batch holds as chunks of at most VALUE_MAX bytes. */
static int
write_bufs(struct storewriter *w, MDB_txn *txn, struct wupload *u)
{
	struct storeq_bytes *b = u->batch;
	size_t off = 0, left = u->batch_bytes, len, n, part;
	uint8_t *p;
	int rc;

	for (; left > 0; left -= len) {
		len = left < VALUE_MAX ? left : VALUE_MAX;
		if ((rc = storedb_chunk_reserve(&w->db, txn, u->id, u->seq,
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
add_follow_up(struct storewriter *w, MDB_txn *txn, struct wupload *u)
{
	uint8_t id[ENVELOPE_ID_BYTES];
	uint32_t n = 0;
	int rc = 0;

	while (n < STORE_FOLLOW_UPS_MAX &&
	    (rc = storedb_followup_get(&w->db, txn, u->first, n, id)) == 0)
		n++;
	if (rc == 0)
		return FOLLOW_UPS_FULL;
	if (rc != MDB_NOTFOUND)
		return rc;
	return storedb_followup_put(&w->db, txn, u->first, n, u->id);
}

/* Make u's report and its receipt, or list it as a follow-up. */
static int
commit(struct storewriter *w, MDB_txn *txn, struct wupload *u)
{
	struct storedb_report r = {
		.received_day = u->day,
		.size = u->size,
		.nchunks = u->seq,
		.in_file = u->in_file,
	};
	int rc;

	if ((rc = storedb_report_put(&w->db, txn, u->id, &r,
	    MDB_NOOVERWRITE)) != 0)
		return rc;
	if (u->follow_up)
		return add_follow_up(w, txn, u);
	return storedb_receipt_put(&w->db, txn, u->receipt, u->id);
}

/* Whether u's report is made in this batch's transaction. */
static int
commits_now(const struct wupload *u)
{

	return u->batch_op == OP_COMMIT && u->failed == STORE_OK;
}

/* Make u's report, with its chunks unless it is in a file. Repeatable. */
static int
apply(struct storewriter *w, MDB_txn *txn, struct wupload *u)
{
	int rc;

	if (!commits_now(u))
		return 0;
	if (!u->in_file) {
		u->seq = 0;
		u->size = 0;
		if ((rc = write_bufs(w, txn, u)) != 0)
			return rc;
	}
	return commit(w, txn, u);
}

static int
apply_pass(MDB_txn *txn, void *ctx)
{
	struct pass *p = ctx;
	int rc;

	for (struct wupload *u = p->first; u != NULL;
	    u = p->all ? u->batch_next : NULL)
		if ((rc = apply(p->w, txn, u)) != 0)
			return rc;
	return 0;
}

/* The bytes LMDB uses and may still grow by: what files leave of max. */
static uint64_t
map_limit(const struct storewriter *w)
{

	return w->max_size > w->file_bytes ? w->max_size - w->file_bytes : 0;
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
room_for(struct storewriter *w, uint64_t len)
{
	uint64_t bytes = 0;

	if (w->file_bytes + len + storedb_used(&w->db) <= w->max_size)
		return 1;
	if (envfile_sweep(w->env_dir, keep_all, NULL, &bytes, NULL) == 0)
		w->file_bytes = bytes;
	return w->file_bytes + len + storedb_used(&w->db) <= w->max_size;
}

/* Where bytes of u's batch are copied into w->stage for aligned writes. */
struct staging {
	int fd;
	uint64_t offset;		/* where w->stage goes in the file */
	size_t len;			/* bytes in w->stage */
};

/* Copy u's tail and batch into the stage, writing each full stage. */
static int
stage_batch(struct storewriter *w, struct wupload *u, struct staging *st)
{
	size_t off, n;
	int rc = 0;

	memcpy(w->stage, u->tail, u->tail_len);
	st->len = u->tail_len;
	for (struct storeq_bytes *b = u->batch; b != NULL && rc == 0;
	    b = b->next)
		for (off = 0; off < b->len && rc == 0; off += n) {
			n = b->len - off < STAGE_BYTES - st->len ?
			    b->len - off : STAGE_BYTES - st->len;
			memcpy(w->stage + st->len, b->data + off, n);
			if ((st->len += n) == STAGE_BYTES) {
				rc = envfile_write(st->fd, st->offset, w->stage,
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
write_file(struct storewriter *w, struct wupload *u)
{
	struct staging st = { -1, u->size - u->tail_len, 0 };
	size_t whole;
	int rc;

	if (!room_for(w, u->batch_bytes))
		return MDB_MAP_FULL;
	if (u->tail == NULL && (u->tail = malloc(ENVFILE_ALIGN)) == NULL)
		return ENOMEM;
	w->touched |= u->size == 0;	/* a spare taken, or a file made */
	if ((rc = envfile_open(w->env_dir, u->id, u->size == 0, &st.fd)) != 0) {
		u->in_file = u->size > 0;	/* a file not made is not its */
		return rc;
	}
	if ((rc = stage_batch(w, u, &st)) == 0) {
		whole = st.len - st.len % ENVFILE_ALIGN;
		if (whole > 0)
			rc = envfile_write(st.fd, st.offset, w->stage, whole);
		st.offset += whole;
		u->tail_len = st.len - whole;
		memcpy(u->tail, w->stage + whole, u->tail_len);
	}
	if (rc == 0 && u->batch_op == OP_COMMIT && u->tail_len > 0)
		rc = envfile_write_last(st.fd, st.offset, u->tail, u->tail_len);
	if (rc == 0 && u->batch_op == OP_COMMIT)
		rc = envfile_sync(st.fd, u->day);
	close(st.fd);
	if (rc == 0) {
		u->size += u->batch_bytes;
		w->file_bytes += u->batch_bytes;
	}
	return rc;
}

/*
 * Write the batch's envelope files: an upload whose bytes came before its
 * commit goes to a file from then on. Files that commit are synced, and
 * their names with one sync of the directory, before LMDB records their
 * reports.
 */
static void
write_files(struct storewriter *w, struct batch *b)
{
	struct wupload *u;
	int rc, made = 0;

	for (u = b->uploads; u != NULL; u = u->batch_next) {
		if (u->failed != STORE_OK)
			continue;
		if (u->batch_op == OP_ABORT) {
			drop_file(w, u);
			continue;
		}
		if (u->batch_op == OP_NONE && u->batch_bytes > 0)
			u->in_file = 1;
		if (!u->in_file || (u->batch_bytes == 0 &&
		    u->batch_op != OP_COMMIT))
			continue;
		if ((rc = write_file(w, u)) != 0)
			fail(w, u, rc);
		made |= commits_now(u);
	}
	if (made && (rc = envfile_sync_dir(w->env_dir)) != 0)
		for (u = b->uploads; u != NULL; u = u->batch_next)
			if (u->in_file && commits_now(u))
				fail(w, u, rc);
	w->touched |= made;
}

/*
 * After envelope files changed: no file's ctime may say which, nor the
 * directory's times when (envfile.h).
 */
static void
blur_times(struct storewriter *w)
{
	int rc;

	if ((rc = envfile_touch_all(w->env_dir)) != 0)
		count_failure(w, &w->failures.other, rc);
	w->touched = 0;
}

/* Make the spare envelope files that were taken (envfile.h). */
static void
make_spares(struct storewriter *w)
{
	int rc;

	if ((rc = envfile_make_spares(w->env_dir)) != 0 ||
	    (rc = envfile_touch_all(w->env_dir)) != 0)
		log_error("store: cannot make spare envelope files: %s",
		    strerror(rc));
	w->touched = 0;
	w->spares_day = storedb_today();
}

/* Record the batch's commits in one transaction, or else one by one. */
static void
commit_batch(struct storewriter *w, struct batch *b)
{
	struct pass p = { w, NULL, 1 };
	struct wupload *u;
	int rc;

	for (u = b->uploads; u != NULL; u = u->batch_next)
		if (commits_now(u) && !u->in_file &&
		    !room_for(w, u->batch_bytes))
			fail(w, u, MDB_MAP_FULL);
	for (u = b->uploads; u != NULL && p.first == NULL; u = u->batch_next)
		if (commits_now(u))
			p.first = u;
	if (p.first == NULL ||
	    storedb_write(&w->db, map_limit(w), apply_pass, &p) == 0)
		return;
	p.all = 0;
	for (u = b->uploads; u != NULL; u = u->batch_next) {
		p.first = u;
		if (commits_now(u) && (rc = storedb_write(&w->db, map_limit(w),
		    apply_pass, &p)) != 0)
			fail(w, u, rc);
	}
}

/* Write the batch: envelope files, then the commits. */
static void
write_batch(struct storewriter *w, struct batch *b)
{
	uint32_t today = storedb_today();

	for (struct wupload *u = b->uploads; u != NULL; u = u->batch_next)
		u->day = today;
	write_files(w, b);
	commit_batch(w, b);
	for (struct wupload *u = b->uploads; u != NULL; u = u->batch_next) {
		storeq_bytes_free(u->batch);
		u->batch = NULL;
	}
	if (w->touched)
		blur_times(w);
}

/* ---- lookups ---- */

/* Fill e with what became of report id and its outcome. */
static int
lookup_entry(struct storewriter *w, MDB_txn *txn, const uint8_t *id,
    struct store_entry *e)
{
	struct storedb_report r;
	struct storedb_outcome o;
	int rc;

	memcpy(e->id, id, ENVELOPE_ID_BYTES);
	if ((rc = storedb_report_get(&w->db, txn, id, &r)) == MDB_NOTFOUND)
		e->status = STORE_STATUS_PURGED;  /* receipts outlive reports */
	else if (rc != 0)
		return rc;
	else {
		e->status = r.exported ? STORE_STATUS_EXPORTED :
		    STORE_STATUS_WAITING;
		e->received_day = r.received_day;
	}
	if ((rc = storedb_outcome_get(&w->db, txn, id, &o)) != 0)
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
lookup_case(struct storewriter *w, MDB_txn *txn, const uint8_t *hash,
    struct store_case *c)
{
	uint8_t first[ENVELOPE_ID_BYTES], id[ENVELOPE_ID_BYTES];
	int rc;

	if ((rc = storedb_receipt_get(&w->db, txn, hash, first)) != 0)
		return rc == MDB_NOTFOUND ? 0 : rc;
	if ((rc = lookup_entry(w, txn, first, &c->e[0])) != 0)
		return rc;
	for (c->n = 1; c->n <= STORE_FOLLOW_UPS_MAX; c->n++) {
		if ((rc = storedb_followup_get(&w->db, txn, first,
		    (uint32_t)(c->n - 1), id)) != 0)
			return rc == MDB_NOTFOUND ? 0 : rc;
		if ((rc = lookup_entry(w, txn, id, &c->e[c->n])) != 0)
			return rc;
	}
	return 0;
}

/* The lookup failed: the loop side answers 503, and it is counted. */
static void
lookup_failed(struct storewriter *w, struct storeq_msg *m, int rc)
{

	count_failure(w, &w->failures.other, rc);
	m->result = STORE_ERROR;
}

/*
 * The store's counts (store.h) in c: a walk over "reports", which a
 * COUNTS message asks for only on the metrics timer.
 */
static int
count_store(struct storewriter *w, MDB_txn *txn, struct store_counts *c)
{
	struct storedb_report r;
	const uint8_t *id;
	uint32_t today = storedb_today(), newest = 0;
	MDB_cursor *cur;
	MDB_val k, v;
	MDB_cursor_op op = MDB_FIRST;
	int rc;

	memset(c, 0, sizeof(*c));
	if ((rc = mdb_cursor_open(txn, w->db.reports, &cur)) != 0)
		return rc;
	while ((rc = mdb_cursor_get(cur, &k, &v, op)) == 0 &&
	    (rc = storedb_report_decode(&k, &v, &id, &r)) == 0) {
		op = MDB_NEXT;
		if (!r.exported)
			c->unexported++;
		else if (r.exported_day > newest)
			newest = r.exported_day;
	}
	mdb_cursor_close(cur);
	c->used_percent = (unsigned)((storedb_used(&w->db) + w->file_bytes) *
	    100 / (w->max_size > 0 ? w->max_size : 1));
	if (c->used_percent > 100)
		c->used_percent = 100;
	c->export_overdue = c->unexported > 0 && newest + 1 < today;
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Answer the batch's receipt lookups from one read transaction. */
static void
read_batch(struct storewriter *w, struct batch *b)
{
	MDB_txn *txn;
	struct storeq_msg *m;
	int rc;

	for (m = b->lookups; m != NULL; m = m->next)
		m->result = STORE_OK;
	if (b->lookups == NULL)
		return;
	if ((rc = storedb_begin(&w->db, MDB_RDONLY, &txn)) != 0) {
		for (m = b->lookups; m != NULL; m = m->next)
			lookup_failed(w, m, rc);
		return;
	}
	for (m = b->lookups; m != NULL; m = m->next)
		if ((rc = lookup_case(w, txn, m->key, m->found)) != 0)
			lookup_failed(w, m, rc);
	mdb_txn_abort(txn);
}

/* ---- answering ---- */

/* u is finished: off the list of open uploads, and freed. */
static void
upload_free(struct storewriter *w, struct wupload *u)
{
	struct wupload **up = &w->open;

	while (*up != u)
		up = &(*up)->next;
	*up = u->next;
	w->nopen--;
	free(u->tail);
	free(u);
}

/*
 * Answer every message of the batch, each upload's in the order sent. The
 * messages lost go first: an upload loses messages only until it exists
 * (memory, OPEN_MAX), so those came before any it has in the batch (a
 * message after its last one is the network process's fault, and answered
 * failed all the same).
 */
static void
settle(struct storewriter *w, struct batch *b)
{
	struct storeq_msg *all = NULL, **tailp = &all, *m;
	struct wupload *u, *next;

	if (b->lost != NULL) {
		all = b->lost;
		tailp = b->lost_tailp;
	}
	for (u = b->uploads; u != NULL; u = next) {
		next = u->batch_next;
		for (m = u->msgs; m != NULL; m = m->next)
			m->result = u->failed;
		*tailp = u->msgs;
		if (u->msgs != NULL)
			tailp = u->msgs_tailp;
		u->in_batch = 0;
		if (u->batch_op != OP_NONE)
			upload_free(w, u);
	}
	*tailp = b->lookups;
	storerecv_answer(w->r, all);
}

/* ---- the thread ---- */

/*
 * On the hour, a time that says nothing about any upload: log the failures
 * counted, and on a new UTC day make the spares taken the day before.
 */
static void
on_the_hour(struct storewriter *w)
{

	w->tick = (time(NULL) / 3600 + 1) * 3600;
	log_failures(w);
	if (storedb_today() != w->spares_day)
		make_spares(w);
}

static void
batch_init(struct batch *b)
{

	b->uploads = NULL;
	b->lookups = NULL;
	b->lookups_tailp = &b->lookups;
	b->lost = NULL;
	b->lost_tailp = &b->lost;
}

/* The monotonic clock in milliseconds: the counts' timer. */
static int64_t
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/*
 * Every count_every seconds, whatever visitors do: the store's counts for
 * metrics_file, from a read transaction of their own.
 */
static void
count_now(struct storewriter *w)
{
	struct store_counts c;
	MDB_txn *txn;
	int rc;

	w->next_count = now_ms() + (int64_t)w->count_every * 1000;
	if ((rc = storedb_begin(&w->db, MDB_RDONLY, &txn)) == 0) {
		rc = count_store(w, txn, &c);
		mdb_txn_abort(txn);
	}
	if (rc != 0)
		log_error("store: cannot count the store: %s", mdb_strerror(rc));
	else
		w->counted(w->counted_arg, &c);
}

/* Milliseconds until something is due without a request: the hour, a
 * count. */
static int
wait_ms(const struct storewriter *w)
{
	int64_t ms = ((int64_t)w->tick - time(NULL)) * 1000;

	if (w->next_count != 0 && w->next_count - now_ms() < ms)
		ms = w->next_count - now_ms();
	return ms < 0 ? 0 : ms > INT_MAX ? INT_MAX : (int)ms;
}

void
storewriter_run(struct storewriter *w, struct storerecv *r,
    void (*counted)(void *arg, const struct store_counts *c), void *arg,
    unsigned every)
{
	struct storeq_msg *m;
	struct batch b;
	int closed = 0;

	w->r = r;
	w->counted = counted;
	w->counted_arg = arg;
	w->count_every = every;
	w->next_count = every > 0 ? now_ms() : 0;
	while (!closed) {
		if (w->next_count != 0 && now_ms() >= w->next_count) {
			count_now(w);
			continue;
		}
		if (time(NULL) >= w->tick) {
			on_the_hour(w);
			continue;
		}
		if ((m = storerecv_receive(r, wait_ms(w), &closed)) == NULL)
			continue;
		/*
		 * A batch is what has arrived, with no wait for more: reports
		 * that come during its fsync make the next one. (Waiting half
		 * a millisecond after a batch of several commits, so that more
		 * shared one, saved fsyncs but cost 6-9 % of the reports a
		 * second at 64 reporters: each of them waited on it in turn.)
		 */
		batch_init(&b);
		take(w, m, &b);
		write_batch(w, &b);
		read_batch(w, &b);
		settle(w, &b);
	}
	log_failures(w);
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
recover(struct storewriter *w, struct store_secrets *secrets)
{
	struct recovery r = { &w->db, NULL };
	size_t n = 0;
	int rc;

	if ((rc = storedb_begin(&w->db, MDB_RDONLY, &r.txn)) != 0)
		return rc;
	if ((rc = storedb_secret(&w->db, r.txn, secrets->server)) == 0)
		rc = envfile_sweep(w->env_dir, committed_file, &r,
		    &w->file_bytes, &n);
	mdb_txn_abort(r.txn);
	if (n > 0)
		log_info("store: removed %zu unfinished uploads", n);
	return rc;
}

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
		log_error("store in %s: another oniondropd is using it",
		    d->path);
		close(fd);
		return -1;
	}
	return fd;
}

struct storewriter *
storewriter_open(const char *data_dir, uint64_t max_size,
    struct store_secrets *secrets)
{
	struct storewriter *w;
	int rc;

	if ((w = calloc(1, sizeof(*w))) == NULL) {
		log_errno("store");
		return NULL;
	}
	w->max_size = max_size;
	w->lock_fd = -1;
	w->env_dir = -1;
	w->dir.fd = -1;
	if ((errno = posix_memalign((void **)&w->stage, ENVFILE_ALIGN,
	    STAGE_BYTES)) != 0) {
		log_errno("store");
		goto err0;
	}
	if (datadir_open(&w->dir, data_dir, 1) != 0 ||
	    storedb_open(&w->db, &w->dir, start_mapsize(&w->dir, max_size),
	    1) != 0)
		goto err0;
	if ((w->lock_fd = lock_data_dir(&w->dir)) < 0 ||
	    datadir_subdir(&w->dir, ENVFILE_DIR, 1, &w->env_dir) != 0)
		goto err1;
	if ((rc = recover(w, secrets)) != 0) {
		log_error("store in %s: %s", data_dir, mdb_strerror(rc));
		goto err1;
	}
	make_spares(w);
	w->tick = (time(NULL) / 3600 + 1) * 3600;
	return w;

err1:
	if (w->env_dir >= 0)
		close(w->env_dir);
	if (w->lock_fd >= 0)
		close(w->lock_fd);
	storedb_close(&w->db);
err0:
	datadir_close(&w->dir);
	explicit_bzero(secrets, sizeof(*secrets));
	free(w->stage);
	free(w);
	return NULL;
}

int
storewriter_data_dir(const struct storewriter *w)
{

	return w->dir.fd;
}

void
storewriter_close(struct storewriter *w)
{

	if (w == NULL)
		return;
	while (w->open != NULL)
		upload_free(w, w->open);
	storedb_close(&w->db);
	close(w->env_dir);
	close(w->lock_fd);
	datadir_close(&w->dir);
	free(w->stage);
	free(w);
}
