/*
 * storeq: the store's messages, and the channel that carries them from
 * the network process, where the store's loop side (store.c) runs, to the
 * store process, where the writer (storewriter.c) owns LMDB and the
 * envelope files. The channel is one stream socket between the two; each
 * message crosses it as one frame of storewire.h, every field fixed or
 * bounded (an upload is named by its report id; bytes come as a length and
 * that many bytes; "from" and the buffers' pointers stay on the side that
 * made them). This file is the network side's end: it sends requests and
 * runs the answers on its event loop, each request answered exactly once,
 * in the order the store answered it (which keeps each upload's order).
 * The store's end is storerecv.h.
 */
#ifndef STOREQ_H
#define STOREQ_H

#include <stddef.h>
#include <stdint.h>

#include "envelope.h"
#include "store.h"

struct event_base;

/* What a message asks of the writer. */
enum storeq_type {
	STOREQ_DATA = 1,	/* the next bytes of upload id */
	STOREQ_COMMIT,		/* its last bytes; store it, key its receipt
				 * hash */
	STOREQ_FOLLOW_UP,	/* its last bytes; store it as a follow-up of
				 * report key[0..ENVELOPE_ID_BYTES) */
	STOREQ_ABORT,		/* forget upload id and what it wrote */
	STOREQ_LOOKUP,		/* what receipt hash key leads to */
	STOREQ_COUNTS,		/* the store's counts (store.h): an answer
				 * only, sent unasked to the supervisor; a
				 * request of this type ends the channel
				 * (a walk of every report, on demand) */
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
	struct storeq_msg *next, *prev;	/* the channel's */
	uint32_t seq;			/* the channel's: its name on the wire */
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

/* storeq_bytes_free(b): free the chain b; NULL is a no-op. */
void storeq_bytes_free(struct storeq_bytes *b);

struct storeq;
struct store_secrets;

/*
 * The priorities of the loop the channel runs on: its base is made with
 * event_base_priority_init(base, STOREQ_PRIORITIES). The channel's events
 * take priority 0, ahead of everything left at libevent's default (1), so
 * that a report's commit and its answer never wait behind the other
 * connections ready in the same turn of the loop.
 */
#define STOREQ_PRIORITIES 2

/*
 * storeq_connect(fd, secrets):
 * Wait for the store's first frame on the socket fd (HELLO: the store is
 * open) and copy its secret into *secrets. Return 0, or -1 after logging
 * why (the store failed to open, or sent something else).
 */
int storeq_connect(int fd, struct store_secrets *secrets);

/*
 * storeq_new(base, fd, answered, arg):
 * The channel over fd (connected, after storeq_connect; the channel owns
 * it from now on) whose answers run as answered(arg, m) on base's loop.
 * If the store goes away, every request in flight and every one sent
 * after is answered with result STORE_ERROR (a lookup: nothing found).
 * Return NULL if memory is short.
 */
struct storeq *storeq_new(struct event_base *base, int fd,
    void (*answered)(void *arg, struct storeq_msg *m), void *arg);

/*
 * storeq_send(q, m):
 * Send m; its bytes are the channel's from now on (m->bytes is NULL after)
 * and m is answered later. A message that breaks storewire.h's bounds is a
 * programming error: it is answered STORE_ERROR.
 */
void storeq_send(struct storeq *q, struct storeq_msg *m);

/*
 * storeq_free(q):
 * The loop side will send nothing more: write out what is queued, tell
 * the store (it finishes the work it has and exits), run the answers it
 * still gives until it has gone, then every request still unanswered as
 * failed, and free q. NULL is a no-op.
 */
void storeq_free(struct storeq *q);

#endif
