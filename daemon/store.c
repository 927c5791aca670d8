/*
 * store: see store.h. This is the loop side: it runs on the event loop,
 * holds each upload's bytes until they are worth sending, counts what it
 * sent and what the writer answered for, and turns answers into the
 * callers' callbacks. It opens no file and no LMDB handle: everything goes
 * to the writer (storewriter.c) as a message of storeq.h.
 *
 * A small report's bytes wait here until its commit and go with it, so the
 * writer makes them LMDB chunks in the transaction that commits it. Once
 * an upload has FLUSH_UPLOAD bytes waiting (or all uploads FLUSH_TOTAL and
 * it FILE_MIN), they go ahead of its commit, and the writer puts them in
 * an envelope file; so do all its bytes when its caller waits for a drain.
 *
 * An upload's last message (commit or abort), and the empty one that asks
 * for an answer when nothing else would bring one (a drain), are part of
 * it, so finishing or waiting never allocates. The writer answers an
 * upload's messages in the order they were sent; the answer to the last
 * frees it, so the loop never sees a freed upload.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <sodium.h>

#include "log.h"
#include "store.h"
#include "storeq.h"
#include "storewire.h"

/* Bytes of one upload that go to the writer ahead of its commit (into an
 * envelope file); when all uploads together have FLUSH_TOTAL waiting,
 * FILE_MIN of one is enough. Small sends keep the writer's backlog short,
 * so the loop seldom has to stop reading: with 1 MiB, a 100 MB upload ran
 * at 755-775 MB/s; with 256 KiB, 775-800 (medians of 9). */
#define FLUSH_UPLOAD (256 * 1024)
#define FLUSH_TOTAL (4 * 1024 * 1024)
#define FILE_MIN (64 * 1024)
_Static_assert(2 * FLUSH_UPLOAD <= STOREWIRE_BYTES_MAX,
    "a message's bytes fit in one frame");

struct store_upload {
	struct store *s;
	uint8_t id[ENVELOPE_ID_BYTES];
	struct storeq_bytes *head, **tailp;	/* not sent yet */
	size_t waiting;			/* bytes in head */
	struct store_upload *prev, *next;	/* on s->waiting while listed */
	int listed;
	uint64_t accepted;		/* bytes the caller wrote */
	uint64_t sent;			/* of those, sent to the writer */
	uint64_t written;		/* of those, answered for */
	enum store_result failed;	/* STORE_OK until it fails */
	int err;			/* this side's failure, to count */
	int told;			/* the writer has heard of it */
	int closed;			/* committed or aborted */
	int drain_armed;
	size_t drain_at;
	void (*drain_cb)(void *);
	void *drain_ctx;
	void (*done_cb)(void *, enum store_result);
	void *done_ctx;
	int ping_out;			/* ping sent, not answered */
	struct storeq_msg ping;		/* an empty DATA, for a drain */
	struct storeq_msg last;		/* COMMIT, FOLLOW_UP or ABORT */
};

/* A receipt lookup, for store_lookup. */
struct asking {
	struct storeq_msg m;
	void (*done)(void *, struct store_case *);
	void *ctx;
};

struct store {
	struct storeq *q;
	struct store_upload *waiting;	/* uploads with bytes not sent */
	size_t waiting_bytes;		/* in all of them */
};

/* ---- bytes waiting here ---- */

static size_t
queued(const struct store_upload *u)
{

	return u->waiting + (size_t)(u->sent - u->written);
}

/* Take u's waiting bytes out of the count and the list; return them. */
static struct storeq_bytes *
take_waiting(struct store_upload *u)
{
	struct store *s = u->s;
	struct storeq_bytes *b = u->head;

	if (u->listed) {
		if (u->prev != NULL)
			u->prev->next = u->next;
		else
			s->waiting = u->next;
		if (u->next != NULL)
			u->next->prev = u->prev;
		u->listed = 0;
	}
	s->waiting_bytes -= u->waiting;
	u->waiting = 0;
	u->head = NULL;
	u->tailp = &u->head;
	return b;
}

/* This side gives up on u (memory is short): what waits is dropped. */
static void
fail_here(struct store_upload *u, int err)
{

	if (u->failed == STORE_OK) {
		u->failed = STORE_ERROR;
		u->err = err;
	}
	storeq_bytes_free(take_waiting(u));
}

/* Send what waits of u as a DATA message. Return 0, or -1 if it failed. */
static int
send_waiting(struct store_upload *u)
{
	struct storeq_msg *m;

	if ((m = calloc(1, sizeof(*m))) == NULL) {
		fail_here(u, ENOMEM);
		return -1;
	}
	m->type = STOREQ_DATA;
	m->from = u;
	memcpy(m->id, u->id, sizeof(m->id));
	m->len = u->waiting;
	m->bytes = take_waiting(u);
	u->sent += m->len;
	u->told = 1;
	storeq_send(u->s->q, m);
	return 0;
}

/* Whether u's waiting bytes go to the writer now (see the top). */
static int
due(const struct store_upload *u)
{

	return u->drain_armed || u->waiting >= FLUSH_UPLOAD ||
	    (u->s->waiting_bytes >= FLUSH_TOTAL && u->waiting >= FILE_MIN);
}

/* All uploads have FLUSH_TOTAL waiting: send every one that has FILE_MIN. */
static void
send_all_due(struct store *s)
{
	struct store_upload *u, *next;

	for (u = s->waiting; u != NULL; u = next) {
		next = u->next;
		if (due(u))
			(void)send_waiting(u);	/* a failure is u's own */
	}
}

/* ---- answers ---- */

/* Call u's drain callback if what is queued has fallen far enough. */
static void
check_drain(struct store_upload *u)
{

	if (!u->drain_armed || u->closed || queued(u) > u->drain_at)
		return;
	u->drain_armed = 0;
	u->drain_cb(u->drain_ctx);	/* may commit or abort u */
}

/* The writer has what m carried: written, or dropped if u failed. */
static void
data_answered(struct store_upload *u, struct storeq_msg *m)
{

	u->written += m->len;
	if (m->result != STORE_OK && u->failed == STORE_OK)
		u->failed = m->result;
	if (m == &u->ping)
		u->ping_out = 0;
	else
		free(m);
	check_drain(u);
}

/* u's commit or abort is done: tell the caller, free u. */
static void
upload_finished(struct store_upload *u, enum store_result result)
{

	if (u->done_cb != NULL)
		u->done_cb(u->done_ctx, result);
	free(u);
}

static void
lookup_answered(struct asking *a, struct storeq_msg *m)
{
	struct store_case *c = m->found;

	if (m->result != STORE_OK) {
		store_case_free(c);
		c = NULL;
	}
	a->done(a->ctx, c);	/* c is the callee's now */
	free(a);
}

static void
answered(void *arg, struct storeq_msg *m)
{

	switch (m->type) {
	case STOREQ_DATA:
		data_answered(m->from, m);
		break;
	case STOREQ_LOOKUP:
		lookup_answered(m->from, m);
		break;
	default:
		upload_finished(m->from, m->result);
		break;
	}
}

/* ---- opening and closing ---- */

struct store *
store_open(struct event_base *base, int fd, struct store_secrets *secrets)
{
	struct store *s;

	if (storeq_connect(fd, secrets) != 0)
		goto err0;
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->q = storeq_new(base, fd, answered, s)) == NULL) {
		log_error("store: out of memory");
		free(s);
		goto err1;
	}
	return s;

err1:
	sodium_memzero(secrets, sizeof(*secrets));
err0:
	close(fd);
	return NULL;
}

void
store_close(struct store *s)
{

	if (s == NULL)
		return;
	storeq_free(s->q);	/* runs the answers still due */
	free(s);
}

/* ---- uploads ---- */

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
	return u;
}

/* Add b (len bytes) to what waits of u. */
static void
add_waiting(struct store_upload *u, struct storeq_bytes *b, size_t len)
{
	struct store *s = u->s;

	b->next = NULL;
	*u->tailp = b;
	u->tailp = &b->next;
	u->waiting += len;
	u->accepted += len;
	s->waiting_bytes += len;
	if (!u->listed) {
		u->listed = 1;
		u->prev = NULL;
		if ((u->next = s->waiting) != NULL)
			u->next->prev = u;
		s->waiting = u;
	}
}

/* Queue len bytes, at most FLUSH_UPLOAD (see store_upload_write). */
static int
write_piece(struct store_upload *u, const uint8_t *buf, size_t len)
{
	struct storeq_bytes *b;

	if ((b = malloc(sizeof(*b) + len)) == NULL) {
		fail_here(u, ENOMEM);
		return -1;
	}
	b->len = len;
	memcpy(b->data, buf, len);
	add_waiting(u, b, len);
	if (due(u) && send_waiting(u) != 0)
		return -1;
	if (u->s->waiting_bytes >= FLUSH_TOTAL)
		send_all_due(u->s);
	return 0;
}

/*
 * Pieces of at most FLUSH_UPLOAD: what waits is sent once it reaches
 * FLUSH_UPLOAD, so no message carries more than twice that, well within
 * STOREWIRE_BYTES_MAX.
 */
int
store_upload_write(struct store_upload *u, const uint8_t *buf, size_t len)
{
	size_t n;

	if (u->failed != STORE_OK)
		return -1;
	for (; len > 0; buf += n, len -= n) {
		n = len < FLUSH_UPLOAD ? len : FLUSH_UPLOAD;
		if (write_piece(u, buf, n) != 0)
			return -1;
	}
	return 0;
}

size_t
store_upload_queued(const struct store_upload *u)
{

	return queued(u);
}

/* Ask the writer for an answer about u: an empty DATA (see the top). */
static void
ping(struct store_upload *u)
{
	struct storeq_msg *m = &u->ping;

	memset(m, 0, sizeof(*m));
	m->type = STOREQ_DATA;
	m->from = u;
	memcpy(m->id, u->id, sizeof(m->id));
	u->ping_out = 1;
	u->told = 1;
	storeq_send(u->s->q, m);
}

void
store_upload_on_drain(struct store_upload *u, void (*cb)(void *ctx),
    void *ctx)
{

	u->drain_cb = cb;
	u->drain_ctx = ctx;
	u->drain_armed = 1;
	u->drain_at = queued(u) / 2;
	if (u->waiting > 0)
		(void)send_waiting(u);	/* a failure drops the bytes */
	/* An answer must come to call cb, from the loop, even if none is
	 * awaited. */
	if (u->sent == u->written && !u->ping_out)
		ping(u);
}

/* Send u's last message; the loop never touches u again. */
static void
finish(struct store_upload *u, enum storeq_type type)
{
	struct storeq_msg *m = &u->last;

	u->closed = 1;
	u->drain_armed = 0;
	if (type != STOREQ_ABORT && u->accepted == 0 && u->failed == STORE_OK)
		u->failed = STORE_ERROR;	/* an envelope is never empty */
	if (type == STOREQ_ABORT || u->failed != STORE_OK)
		storeq_bytes_free(take_waiting(u));
	m->type = type;
	m->from = u;
	memcpy(m->id, u->id, sizeof(m->id));
	m->len = u->waiting;
	m->bytes = take_waiting(u);
	m->total = type == STOREQ_ABORT ? 0 : u->accepted;
	m->failed = u->failed;
	m->err = u->err;
	if (type == STOREQ_ABORT && !u->told && u->err == 0) {
		free(u);	/* the writer never heard of it */
		return;
	}
	storeq_send(u->s->q, m);
}

void
store_upload_commit(struct store_upload *u,
    const uint8_t receipt_hash[STORE_RECEIPT_HASH_BYTES],
    void (*done)(void *ctx, enum store_result result), void *ctx)
{

	memcpy(u->last.key, receipt_hash, STORE_RECEIPT_HASH_BYTES);
	u->done_cb = done;
	u->done_ctx = ctx;
	finish(u, STOREQ_COMMIT);
}

void
store_upload_abort(struct store_upload *u)
{

	finish(u, STOREQ_ABORT);
}

void
store_upload_commit_follow_up(struct store_upload *u,
    const uint8_t first_id[ENVELOPE_ID_BYTES],
    void (*done)(void *ctx, enum store_result result), void *ctx)
{

	memcpy(u->last.key, first_id, ENVELOPE_ID_BYTES);
	u->done_cb = done;
	u->done_ctx = ctx;
	finish(u, STOREQ_FOLLOW_UP);
}

/* ---- lookups ---- */

void
store_case_free(struct store_case *c)
{

	if (c == NULL)
		return;
	for (size_t i = 0; i < 1 + STORE_FOLLOW_UPS_MAX; i++)
		free(c->e[i].message);
	free(c);
}

void
store_lookup(struct store *s,
    const uint8_t receipt_hash[STORE_RECEIPT_HASH_BYTES],
    void (*done)(void *ctx, struct store_case *c), void *ctx)
{
	struct asking *a;

	if ((a = calloc(1, sizeof(*a))) == NULL ||
	    (a->m.found = calloc(1, sizeof(*a->m.found))) == NULL) {
		free(a);
		done(ctx, NULL);
		return;
	}
	a->done = done;
	a->ctx = ctx;
	a->m.type = STOREQ_LOOKUP;
	a->m.from = a;
	memcpy(a->m.key, receipt_hash, STORE_RECEIPT_HASH_BYTES);
	storeq_send(s->q, &a->m);
}
