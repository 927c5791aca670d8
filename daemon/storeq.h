/*
 * storeq: the channel between the store's two sides, and its messages.
 * The loop side (store.c) runs on the event loop and holds no LMDB handle
 * and no file; the writer (storewriter.c) owns LMDB and the envelope files
 * on a thread of its own and never sees the event loop. They share nothing
 * but this: each request goes to the writer as one typed message and comes
 * back once, answered, in the order the writer answered it.
 *
 * Today the channel is two lists in memory under one mutex, and a libevent
 * event that runs the answers on the loop. It is where a privilege
 * separation puts a socketpair between two processes: these messages
 * become its wire protocol, every field fixed or bounded (an upload is
 * named by its report id; bytes come as a length and that many bytes;
 * "from" and the buffers' pointers stay on the side that made them).
 */
#ifndef STOREQ_H
#define STOREQ_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "envelope.h"
#include "store.h"

struct event_base;	/* the loop side's only: the writer never sees it */

/* What a message asks of the writer. */
enum storeq_type {
	STOREQ_DATA,		/* the next bytes of upload id */
	STOREQ_COMMIT,		/* its last bytes; store it, key its receipt
				 * hash */
	STOREQ_FOLLOW_UP,	/* its last bytes; store it as a follow-up of
				 * report key[0..ENVELOPE_ID_BYTES) */
	STOREQ_ABORT,		/* forget upload id and what it wrote */
	STOREQ_LOOKUP,		/* what receipt hash key leads to */
	STOREQ_COUNTS,		/* the store's coarse counts (store.h) */
};

/* Envelope bytes (ciphertext), in a chain of malloc'd buffers. */
struct storeq_bytes {
	struct storeq_bytes *next;
	size_t len;
	uint8_t data[];
};

/*
 * One message. The sender fills the request's fields; the writer takes
 * the bytes (and frees them), fills the answer's fields, and sends the
 * message back. The loop side keeps it alive in between and never reads
 * it then; the writer never keeps it after answering.
 */
struct storeq_msg {
	struct storeq_msg *next;	/* the channel's */
	enum storeq_type type;
	void *from;			/* the loop side's: comes back as is */

	/* The request. */
	uint8_t id[ENVELOPE_ID_BYTES];	/* the upload's report */
	uint8_t key[STORE_RECEIPT_HASH_BYTES];	/* see storeq_type */
	struct storeq_bytes *bytes;	/* DATA, COMMIT, FOLLOW_UP; taken */
	size_t len;			/* bytes in bytes */
	uint64_t total;			/* COMMIT, FOLLOW_UP: the whole
					 * envelope's, every message's bytes */
	/* COMMIT, FOLLOW_UP, ABORT: the loop side failed this upload already
	 * (failed != STORE_OK), with error err to count (0: none). */
	enum store_result failed;
	int err;

	/* The answer. */
	enum store_result result;	/* where the upload stands: STORE_OK,
					 * or why the writer gave it up; a
					 * LOOKUP's: STORE_OK if found is */
	struct store_case *found;	/* LOOKUP: made by the loop side,
					 * filled by the writer */
	struct store_counts counts;	/* COUNTS: filled by the writer */
};

struct storeq;

/*
 * storeq_new(base, answered, arg):
 * A channel whose answers run as answered(arg, m) on base's loop, in order.
 * evthread_use_pthreads() must have been called before base was made.
 * Return NULL if memory is short.
 */
struct storeq *storeq_new(struct event_base *base,
    void (*answered)(void *arg, struct storeq_msg *m), void *arg);

/* storeq_send(q, m): the loop side sends m to the writer. */
void storeq_send(struct storeq *q, struct storeq_msg *m);

/* storeq_close(q): the loop side will send nothing more. */
void storeq_close(struct storeq *q);

/*
 * storeq_receive(q, until, closed):
 * The writer waits for messages until the time until (seconds since the
 * epoch); return every message sent so far, oldest first, or NULL if none
 * came in time. *closed is set to 1 when none is left and storeq_close
 * was called (then NULL is returned at once).
 */
struct storeq_msg *storeq_receive(struct storeq *q, time_t until,
    int *closed);

/* storeq_answer(q, list): the writer sends back list (linked by next). */
void storeq_answer(struct storeq *q, struct storeq_msg *list);

/*
 * storeq_free(q):
 * Once the writer has stopped: run the answers not yet run (on the calling
 * loop thread), then free q. NULL is a no-op.
 */
void storeq_free(struct storeq *q);

#endif
