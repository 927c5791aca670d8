/*
 * storerecv: see storerecv.h. Input is one buffer of a whole frame's
 * largest size: bytes are read into it, whole frames decoded from its
 * start, what is left of a frame moved to the front. Answers are gathered
 * in a buffer and written when it is full and at the end of each batch.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "fdio.h"
#include "log.h"
#include "storerecv.h"
#include "storewire.h"

/* Requests one receive returns at most (a batch of the writer's). */
#define RECV_BATCH_MAX 256
#define IN_BYTES (STOREWIRE_REQUEST_HEADER + STOREWIRE_BYTES_MAX)
#define ANSWER_MAX (STOREWIRE_ANSWER_HEADER + STOREWIRE_ANSWER_BODY_MAX)
#define OUT_BYTES (4 * ANSWER_MAX)

struct storerecv {
	int fd;
	uint8_t *in;			/* IN_BYTES */
	size_t have;			/* bytes in in */
	uint8_t *out;			/* OUT_BYTES */
	size_t out_len;
	int ended;			/* no more requests: end of stream,
					 * a broken frame, an error */
	int gone;			/* the network side cannot be written */
};

struct storerecv *
storerecv_new(int fd, const struct store_secrets *secrets)
{
	uint8_t hello[STOREWIRE_ANSWER_HEADER + STORE_SECRET_BYTES];
	struct storerecv *r;
	size_t len;

	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->in = malloc(IN_BYTES)) == NULL ||
	    (r->out = malloc(OUT_BYTES)) == NULL) {
		log_errno("store channel");
		goto err;
	}
	r->fd = fd;
	len = storewire_hello_encode(secrets->server, hello);
	if (fdio_write_all(fd, hello, len) != 0) {
		log_errno("store channel: cannot greet the network process");
		sodium_memzero(hello, sizeof(hello));
		goto err;
	}
	sodium_memzero(hello, sizeof(hello));
	return r;

err:
	if (r != NULL) {
		free(r->in);
		free(r->out);
	}
	free(r);
	return NULL;
}

/* ---- requests ---- */

/* A message of its own for request q. NULL if memory is short. */
static struct storeq_msg *
make_msg(const struct storewire_request *q)
{
	struct storeq_msg *m;
	struct storeq_bytes *b = NULL;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	if ((q->len > 0 && (b = malloc(sizeof(*b) + q->len)) == NULL) ||
	    (q->type == STOREQ_LOOKUP &&
	    (m->found = calloc(1, sizeof(*m->found))) == NULL)) {
		free(b);
		free(m);
		return NULL;
	}
	if (b != NULL) {
		b->next = NULL;
		b->len = q->len;
		memcpy(b->data, q->body, q->len);
	}
	m->type = q->type;
	m->seq = q->seq;
	memcpy(m->id, q->id, sizeof(m->id));
	memcpy(m->key, q->key, sizeof(m->key));
	m->bytes = b;
	m->len = q->len;
	m->total = q->total;
	m->failed = q->failed;
	m->err = q->err;
	return m;
}

/* Decode the whole frames r holds into messages, up to max of them. */
static size_t
decode_frames(struct storerecv *r, struct storeq_msg ***tailp, size_t max)
{
	struct storewire_request q;
	struct storeq_msg *m;
	size_t off = 0, used, n = 0;
	enum storewire_status st = STOREWIRE_MORE;

	while (n < max && !r->ended && (st = storewire_request_decode(r->in +
	    off, r->have - off, &q, &used)) == STOREWIRE_FRAME) {
		if (q.type == STOREQ_COUNTS) {	/* the supervisor's, unasked */
			st = STOREWIRE_BAD;
			break;
		}
		if ((m = make_msg(&q)) == NULL) {
			log_error("store channel: out of memory");
			r->ended = 1;
			break;
		}
		**tailp = m;
		*tailp = &m->next;
		off += used;
		n++;
	}
	if (st == STOREWIRE_BAD) {
		log_error("store channel: a malformed request from the network "
		    "process: closing the channel");
		r->ended = 1;
	}
	memmove(r->in, r->in + off, r->have - off);
	r->have -= off;
	return n;
}

/* Wait up to wait_ms for bytes, and read them. Return 0 if none came. */
static int
read_more(struct storerecv *r, int wait_ms)
{
	struct pollfd p = { r->fd, POLLIN, 0 };
	ssize_t n;

	if (poll(&p, 1, wait_ms) <= 0)
		return 0;
	if ((n = read(r->fd, r->in + r->have, IN_BYTES - r->have)) < 0 &&
	    (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0) {
		if (r->have > 0)
			log_error("store channel: the network process left a "
			    "request unfinished");
		r->ended = 1;
		return 0;
	}
	r->have += (size_t)n;
	return 1;
}

struct storeq_msg *
storerecv_receive(struct storerecv *r, int wait_ms, int *closed)
{
	struct storeq_msg *all = NULL, **tailp = &all;

	*closed = 0;
	for (;;) {
		if (decode_frames(r, &tailp, RECV_BATCH_MAX) > 0)
			return all;
		if (r->ended || r->gone) {
			*closed = 1;
			return NULL;
		}
		if (!read_more(r, wait_ms) && !r->ended)
			return NULL;
	}
}

/* ---- answers ---- */

static void
flush_answers(struct storerecv *r)
{

	if (!r->gone && r->out_len > 0 && fdio_write_all(r->fd, r->out,
	    r->out_len) != 0)
		r->gone = 1;
	r->out_len = 0;
}

/* Add m's answer to the output; an answer out of bounds says failed. */
static void
add_answer(struct storerecv *r, struct storeq_msg *m)
{
	size_t len;

	if (r->out_len + ANSWER_MAX > OUT_BYTES)
		flush_answers(r);
	if ((len = storewire_answer_encode(m, m->seq, r->out +
	    r->out_len)) == 0) {
		log_error("store channel: an answer out of bounds");
		m->result = STORE_ERROR;
		len = storewire_answer_encode(m, m->seq, r->out + r->out_len);
	}
	r->out_len += len;
}

static void
free_msg(struct storeq_msg *m)
{
	storeq_bytes_free(m->bytes);
	store_case_free(m->found);
	free(m);
}

void
storerecv_answer(struct storerecv *r, struct storeq_msg *list)
{
	struct storeq_msg *next;

	for (; list != NULL; list = next) {
		next = list->next;
		add_answer(r, list);
		free_msg(list);
	}
	flush_answers(r);
}

void
storerecv_free(struct storerecv *r)
{

	if (r == NULL)
		return;
	close(r->fd);
	free(r->in);
	free(r->out);
	free(r);
}
