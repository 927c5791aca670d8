/*
 * store: the server's only owner of LMDB and of the envelope files of
 * large reports (envfile.h). It takes ciphertext only: the bytes of sealed
 * envelopes as they are made, then one commit per report. It has two
 * sides: this API, which the event loop calls (store.c), and the writer
 * (storewriter.c), which does all LMDB and file work on a thread of its
 * own, so fsync never stalls a visitor, and groups concurrent commits into
 * one LMDB transaction (one fsync for many reports). The two sides talk
 * only through typed messages (storeq.h): this is the seam where a later
 * privilege separation puts a process boundary.
 *
 * Every callback below is called exactly once, on the event loop's
 * thread, after the work is done. The caller must keep its ctx alive until
 * then.
 */
#ifndef STORE_H
#define STORE_H

#include <stddef.h>
#include <stdint.h>

#include "envelope.h"

#define STORE_SECRET_BYTES 32
#define STORE_RECEIPT_HASH_BYTES 32

/* Results of a commit. */
enum store_result {
	STORE_OK = 0,		/* durable: on disk and fsync'd */
	STORE_FULL = 1,		/* map at max_store_size, or disk full */
	STORE_ERROR = 2,	/* any other failure */
};

/* What a status lookup finds for a receipt. */
enum store_status {
	STORE_STATUS_UNKNOWN = 0,	/* no such receipt (or a wrong one) */
	STORE_STATUS_WAITING = 1,	/* stored, not yet exported */
	STORE_STATUS_EXPORTED = 2,	/* taken by the analysts */
	STORE_STATUS_PURGED = 3,	/* exported, then removed from the server */
};

struct event_base;
struct store;
struct store_upload;

/*
 * The secrets the reporter-facing side needs, kept in the store and handed
 * over once, in the store process's first frame (store_open): the network
 * process holds its own copy, and never anything else of the store.
 */
struct store_secrets {
	uint8_t server[STORE_SECRET_BYTES];	/* receipt hashes, reply keys,
						 * form tokens (receipt.h) */
};

/*
 * store_open(base, fd, secrets):
 * The store as the store process on the other end of the socket fd serves
 * it: wait for it to say it is open, with the server secret, which goes
 * into *secrets (the caller wipes it); answers will come through base.
 * The store owns fd from now on. Return NULL after logging the reason.
 */
struct store *store_open(struct event_base *base, int fd,
    struct store_secrets *secrets);

/*
 * store_close(s):
 * Send what is queued and tell the store process the network side is done
 * (it finishes the work it has: commits in flight become durable, then it
 * exits); run the callbacks still due (from within store_close, on the
 * calling loop thread); those the store can no longer answer get
 * STORE_ERROR. Every upload must have been committed or aborted. NULL is
 * a no-op.
 */
void store_close(struct store *s);

/*
 * store_upload_begin(s, id):
 * Start storing the envelope of report id. Return NULL if memory is short.
 */
struct store_upload *store_upload_begin(struct store *s,
    const uint8_t id[ENVELOPE_ID_BYTES]);

/*
 * store_upload_write(u, buf, len):
 * Queue the next envelope bytes (copied). Return 0, or -1 if the upload
 * has failed (the writer said so: full, error; or memory is short here):
 * the caller should stop sending and will learn the result at commit.
 */
int store_upload_write(struct store_upload *u, const uint8_t *buf, size_t len);

/*
 * store_upload_queued(u):
 * Bytes queued and not yet written: those still held by this side, and
 * those sent to the writer that it has not answered for. The caller stops
 * reading from its client while this is above its limit.
 */
size_t store_upload_queued(const struct store_upload *u);

/*
 * store_upload_on_drain(u, cb, ctx):
 * Call cb(ctx) once, on the loop, when the bytes queued for u fall to half
 * of what they were when this was called, or lower (backpressure).
 */
void store_upload_on_drain(struct store_upload *u, void (*cb)(void *ctx),
    void *ctx);

/*
 * store_upload_commit(u, receipt_hash, done, ctx):
 * The envelope is complete: store the report as received today (UTC day),
 * not exported, with receipt_hash pointing at it, in one durable
 * transaction; then done(ctx, result). u is freed by the store; do not use
 * it after this call.
 */
void store_upload_commit(struct store_upload *u,
    const uint8_t receipt_hash[STORE_RECEIPT_HASH_BYTES],
    void (*done)(void *ctx, enum store_result result), void *ctx);

/*
 * store_upload_abort(u):
 * Discard the upload and whatever of it was written. u is freed. No
 * callback; a pending drain callback is cancelled.
 */
void store_upload_abort(struct store_upload *u);

/* The most follow-ups one report may have (the status page lists them). */
#define STORE_FOLLOW_UPS_MAX 10

/* One report as its reporter may see it. */
struct store_entry {
	uint8_t id[ENVELOPE_ID_BYTES];
	enum store_status status;	/* never STORE_STATUS_UNKNOWN here */
	uint32_t received_day;		/* days since 1970-01-01 UTC; 0 if
					 * purged (the day went with it) */
	uint8_t outcome;		/* enum outcome_status; 0: none yet */
	uint32_t outcome_day;		/* 0 unless outcome */
	uint8_t *message;		/* sealed to the reply key (malloc'd), or NULL */
	size_t message_len;
};

/*
 * What a receipt leads to: n is 0 for an unknown (or wrong) receipt; else
 * e[0] is the report the receipt was issued for and e[1..n-1] its
 * follow-ups, in the order they came.
 */
struct store_case {
	size_t n;
	struct store_entry e[1 + STORE_FOLLOW_UPS_MAX];
};

/* store_case_free(c): free the messages and c; NULL is a no-op. */
void store_case_free(struct store_case *c);

/* What the store counts for metrics_file (storewriter_run): exact here,
 * made coarse by whoever shows it. */
struct store_counts {
	uint64_t unexported;		/* reports not yet exported */
	unsigned used_percent;		/* of max_store_size, 0..100 */
	int export_overdue;		/* some unexported, and no report
					 * exported today or yesterday (UTC) */
};

/*
 * store_lookup(s, receipt_hash, done, ctx):
 * Look up a receipt; done(ctx, c) with what became of its report and its
 * follow-ups (c malloc'd, the callee frees it with store_case_free). If
 * memory is short, done(ctx, NULL) is called at once; if the store fails,
 * later: treat it as 503. An unknown receipt costs what a wrong one does.
 */
void store_lookup(struct store *s,
    const uint8_t receipt_hash[STORE_RECEIPT_HASH_BYTES],
    void (*done)(void *ctx, struct store_case *c), void *ctx);

/*
 * store_upload_commit_follow_up(u, first_id, done, ctx):
 * Like store_upload_commit, for a follow-up of report first_id (found by
 * store_lookup): the report is stored and listed among first_id's
 * follow-ups, and no receipt is made. done(ctx, STORE_ERROR) if first_id
 * already has STORE_FOLLOW_UPS_MAX follow-ups (checked in the transaction
 * that commits it). A first report purged since its lookup still takes
 * it: its receipt still leads there.
 */
void store_upload_commit_follow_up(struct store_upload *u,
    const uint8_t first_id[ENVELOPE_ID_BYTES],
    void (*done)(void *ctx, enum store_result result), void *ctx);

#endif
