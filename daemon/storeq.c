/*
 * storeq: see storeq.h. Requests go out through a bufferevent (the
 * header copied, the envelope bytes handed over by reference, freed once
 * written); answers come in through the same one. Every request waits on
 * a list in the order sent until its answer names it by seq: the store
 * answers in batches, each upload's messages in order, so the one named
 * is almost always near the head. When the store goes away the list is
 * answered, failed, from its head: each upload's messages still in order.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <sodium.h>

#include "encode.h"
#include "fdio.h"
#include "log.h"
#include "storeq.h"
#include "storewire.h"

/* The most one write of the channel takes: a whole frame of the largest
 * size, and then some. */
#define STOREQ_WRITE_MAX (4 * (STOREWIRE_REQUEST_HEADER + STOREWIRE_BYTES_MAX))

/* A FIFO of messages, linked both ways. */
struct list {
	struct storeq_msg *head, *tail;
};

struct storeq {
	void (*answered)(void *arg, struct storeq_msg *m);
	void *arg;
	struct bufferevent *bev;
	struct event *fail_ev;		/* answers the dead list on the loop */
	struct list flight;		/* sent, not answered */
	struct list dead;		/* to answer failed */
	uint32_t next_seq;
	int broken;			/* the store is gone */
};

static void
list_append(struct list *l, struct storeq_msg *m)
{

	m->next = NULL;
	if ((m->prev = l->tail) != NULL)
		l->tail->next = m;
	else
		l->head = m;
	l->tail = m;
}

static void
list_remove(struct list *l, struct storeq_msg *m)
{

	if (m->prev != NULL)
		m->prev->next = m->next;
	else
		l->head = m->next;
	if (m->next != NULL)
		m->next->prev = m->prev;
	else
		l->tail = m->prev;
	m->next = m->prev = NULL;
}

void
storeq_bytes_free(struct storeq_bytes *b)
{
	struct storeq_bytes *next;

	for (; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
}

/* m is answered STORE_ERROR (a lookup finds nothing), now. */
static void
answer_failed(struct storeq *q, struct storeq_msg *m)
{

	m->result = STORE_ERROR;
	q->answered(q->arg, m);
}

/* Answer every message on l failed, oldest first (answers may send). */
static void
fail_list(struct storeq *q, struct list *l)
{
	struct storeq_msg *m;

	while ((m = l->head) != NULL) {
		list_remove(l, m);
		answer_failed(q, m);
	}
}

static void
on_fail(evutil_socket_t fd, short what, void *arg)
{
	struct storeq *q = arg;

	fail_list(q, &q->dead);
}

/*
 * The store is gone (or spoke out of turn): what waits for it is answered
 * failed from the loop, before anything sent after, never from within the
 * caller's own call.
 */
static void
break_channel(struct storeq *q)
{

	q->broken = 1;
	bufferevent_disable(q->bev, EV_READ | EV_WRITE);
	if (q->flight.head != NULL) {
		q->flight.tail->next = q->dead.head;
		if (q->dead.head != NULL)
			q->dead.head->prev = q->flight.tail;
		else
			q->dead.tail = q->flight.tail;
		q->dead.head = q->flight.head;
		q->flight.head = q->flight.tail = NULL;
	}
	event_active(q->fail_ev, 0, 0);
}

/* ---- requests ---- */

static void
bytes_written(const void *data, size_t len, void *b)
{

	free(b);
}

/* Put m's frame on the output: its header, then its bytes by reference. */
static int
queue_frame(struct storeq *q, struct storeq_msg *m)
{
	struct evbuffer *out = bufferevent_get_output(q->bev);
	uint8_t header[STOREWIRE_REQUEST_HEADER];
	struct storeq_bytes *b;

	if (storewire_request_header(m, m->seq, header) != 0) {
		log_error("store channel: a request out of bounds (%d)",
		    (int)m->type);
		return -1;
	}
	if (evbuffer_add(out, header, sizeof(header)) != 0)
		return -1;
	while ((b = m->bytes) != NULL) {
		m->bytes = b->next;
		if (evbuffer_add_reference(out, b->data, b->len,
		    bytes_written, b) != 0) {
			free(b);
			return -1;	/* the frame is cut: the channel too */
		}
	}
	return 0;
}

void
storeq_send(struct storeq *q, struct storeq_msg *m)
{

	m->seq = q->next_seq++;
	if (!q->broken) {
		if (queue_frame(q, m) == 0) {
			list_append(&q->flight, m);
			return;
		}
		break_channel(q);	/* its frame may be half queued */
	}
	storeq_bytes_free(m->bytes);
	m->bytes = NULL;
	list_append(&q->dead, m);
	event_active(q->fail_ev, 0, 0);
}

/* ---- answers ---- */

/* The request in flight that answer a names, or NULL. */
static struct storeq_msg *
named(struct storeq *q, const struct storewire_answer *a)
{
	struct storeq_msg *m;

	for (m = q->flight.head; m != NULL; m = m->next)
		if (m->seq == a->seq)
			return (int)m->type == a->type ? m : NULL;
	return NULL;
}

/* Run answer a. Return 0, or -1 if it answers nothing sent. */
static int
take_answer(struct storeq *q, const struct storewire_answer *a)
{
	struct storeq_msg *m;

	if ((m = named(q, a)) == NULL)
		return -1;
	list_remove(&q->flight, m);
	m->result = a->result;
	if (m->type == STOREQ_LOOKUP && a->len > 0 &&
	    storewire_case_decode(a, m->found) != 0)
		m->result = STORE_ERROR;
	q->answered(q->arg, m);
	return 0;
}

/*
 * Length of the frame that in begins with (its header is there), or 0 if
 * the header already says it can never be one.
 */
static size_t
frame_length(struct evbuffer *in)
{
	const uint8_t *h = evbuffer_pullup(in, STOREWIRE_ANSWER_HEADER);
	uint32_t len = decode_be32(h + 8);

	return len > STOREWIRE_ANSWER_BODY_MAX ? 0 :
	    STOREWIRE_ANSWER_HEADER + (size_t)len;
}

/* Run every whole answer in in. Return 0, or -1 on a bad one. */
static int
take_answers(struct storeq *q, struct evbuffer *in)
{
	struct storewire_answer a;
	size_t need, used;
	const uint8_t *p;

	while (!q->broken &&
	    evbuffer_get_length(in) >= STOREWIRE_ANSWER_HEADER) {
		if ((need = frame_length(in)) == 0)
			return -1;
		if (evbuffer_get_length(in) < need)
			return 0;
		p = evbuffer_pullup(in, (ssize_t)need);
		if (storewire_answer_decode(p, need, &a, &used) !=
		    STOREWIRE_FRAME || used != need ||
		    a.type == STOREWIRE_HELLO || take_answer(q, &a) != 0)
			return -1;
		evbuffer_drain(in, need);
	}
	return 0;
}

static void
on_read(struct bufferevent *bev, void *arg)
{
	struct storeq *q = arg;

	if (take_answers(q, bufferevent_get_input(bev)) != 0) {
		log_error("store channel: the store sent a malformed answer");
		break_channel(q);
	}
}

static void
on_event(struct bufferevent *bev, short what, void *arg)
{
	struct storeq *q = arg;

	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		log_error("store channel: the store process has gone");
		break_channel(q);
	}
}

/* ---- opening and closing ---- */

int
storeq_connect(int fd, struct store_secrets *secrets)
{
	uint8_t frame[STOREWIRE_ANSWER_HEADER + STORE_SECRET_BYTES];
	struct storewire_answer a;
	size_t used;
	int rc = -1;

	if (fdio_read_exactly(fd, frame, sizeof(frame)) != 0)
		log_error("store channel: the store process did not start");
	else if (storewire_answer_decode(frame, sizeof(frame), &a, &used) !=
	    STOREWIRE_FRAME || a.type != STOREWIRE_HELLO)
		log_error("store channel: the store's first frame is not "
		    "its hello");
	else {
		memcpy(secrets->server, a.body, STORE_SECRET_BYTES);
		rc = 0;
	}
	sodium_memzero(frame, sizeof(frame));
	return rc;
}

struct storeq *
storeq_new(struct event_base *base, int fd,
    void (*answered)(void *arg, struct storeq_msg *m), void *arg)
{
	struct storeq *q;

	if ((q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	q->answered = answered;
	q->arg = arg;
	if (evutil_make_socket_nonblocking(fd) != 0 ||
	    (q->bev = bufferevent_socket_new(base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL)
		goto err;
	if ((q->fail_ev = event_new(base, -1, 0, on_fail, q)) == NULL ||
	    bufferevent_enable(q->bev, EV_READ) != 0) {
		bufferevent_free(q->bev);
		goto err;
	}
	bufferevent_setcb(q->bev, on_read, NULL, on_event, q);
	/* Before the connections, whose events have the default priority. */
	if (bufferevent_priority_set(q->bev, 0) != 0)
		log_error("store channel: no priority over the connections");
	/* libevent writes at most 16 KiB a turn of the loop unless told:
	 * an upload would then cost a wake-up per 16 KiB. */
	if (bufferevent_set_max_single_write(q->bev, STOREQ_WRITE_MAX) != 0)
		log_error("store channel: writes stay small");
	return q;

err:
	if (q->fail_ev != NULL)
		event_free(q->fail_ev);
	free(q);
	return NULL;
}

/* Write out what is queued, the socket made blocking. Return 0, or -1. */
static int
flush_output(struct storeq *q, int fd)
{
	struct evbuffer *out = bufferevent_get_output(q->bev);

	while (evbuffer_get_length(out) > 0)
		if (evbuffer_write(out, fd) < 0 && errno != EINTR)
			return -1;
	return 0;
}

/* Read and run answers until the store closes its end. */
static void
drain_answers(struct storeq *q, int fd)
{
	struct evbuffer *in = bufferevent_get_input(q->bev);
	int n;

	while (!q->broken && q->flight.head != NULL) {
		if ((n = evbuffer_read(in, fd, -1)) < 0 && errno == EINTR)
			continue;
		if (n <= 0 || take_answers(q, in) != 0)
			break;
	}
}

void
storeq_free(struct storeq *q)
{
	int fd;

	if (q == NULL)
		return;
	fd = bufferevent_getfd(q->bev);
	if (!q->broken) {
		bufferevent_disable(q->bev, EV_READ | EV_WRITE);
		if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) == 0 &&
		    flush_output(q, fd) == 0 && shutdown(fd, SHUT_WR) == 0)
			drain_answers(q, fd);
		q->broken = 1;
	}
	fail_list(q, &q->flight);
	fail_list(q, &q->dead);
	event_free(q->fail_ev);
	bufferevent_free(q->bev);
	free(q);
}
