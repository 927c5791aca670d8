/*
 * conn: the connections from tor, each on a bufferevent over the Unix
 * socket, and what they share (struct conn_pool). A connection reads the
 * PROXY line (circuit id, memory only) when configured, then HTTP/1.1
 * requests with the strict streaming parser, hands each request head to
 * the handler table it was given, streams request bodies to a body handler
 * without holding them, writes responses with the headers every response
 * carries, and keeps the connection alive between requests. It knows
 * nothing of what answers: no route, page, form or store. Time limits are
 * idle timeouts only: a slow upload that keeps moving is never cut.
 */
#ifndef CONN_H
#define CONN_H

#include <stddef.h>
#include <stdint.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/util.h>

#include "http_parser.h"

/* Bodies of 64 KiB or more are read in pieces of this size into one
 * locked buffer of the pool's, wiped after each piece. */
#define CONN_BODY_BUF (256 * 1024)

struct conn;
struct conn_pool;

/* What every connection of a pool obeys (oniondropd.conf(5)). */
struct conn_limits {
	int proxy_protocol;		/* a PROXY line comes first */
	unsigned idle_timeout;		/* seconds without progress */
	unsigned head_timeout;		/* PROXY line and each request head */
	unsigned connections_per_circuit;
	uint64_t min_upload_rate;	/* bytes a second a body must bring */
};

/*
 * What the layer above does with requests, and hears of slots. Each is
 * called on the loop with the arg given to conn_pool_new.
 */
struct conn_handlers {
	/* A request head has come: answer it (conn_respond), or take its
	 * body (conn_set_body_handler). */
	void (*request)(void *arg, struct conn *c,
	    const struct http_request *req);
	/* A request head could not be read: answer with status (4xx, 5xx). */
	void (*refused)(void *arg, struct conn *c, int status);
	/* A connection is gone: its slot is free. */
	void (*closed)(void *arg);
	/* A connection finished a request and waits for the next: it may be
	 * evicted now. */
	void (*waiting)(void *arg);
};

/*
 * What consumes a request body. data gets the body as it arrives; end is
 * called once it has all arrived; free when the connection is done with
 * the handler (whether or not end was called). The handler answers with
 * conn_respond, at any time: an answer before the end of the body makes
 * the connection discard the rest of the body, then close.
 */
struct body_handler {
	void (*data)(void *state, const uint8_t *buf, size_t len);
	void (*end)(void *state);
	void (*free)(void *state);
};

/*
 * conn_pool_new(base, limits, h, arg):
 * A pool of connections on base, obeying limits (copied), their requests
 * and slots told to h (kept) with arg, and their large bodies read into a
 * locked buffer (lib/secmem.h). Return NULL after logging why (memory, or
 * locked memory, is short).
 */
struct conn_pool *conn_pool_new(struct event_base *base,
    const struct conn_limits *limits, const struct conn_handlers *h,
    void *arg);

/*
 * conn_pool_free(p):
 * Close every connection, busy or not (for each, h->closed is called),
 * then wipe and free the pool. NULL is a no-op.
 */
void conn_pool_free(struct conn_pool *p);

/*
 * conn_accept(p, fd):
 * Take a new connection from the listener. Return 0, or -1 if memory is
 * short (fd is closed; h->closed is not called).
 */
int conn_accept(struct conn_pool *p, evutil_socket_t fd);

/* conn_count(p): the connections open. */
size_t conn_count(const struct conn_pool *p);

/*
 * conn_respond(c, status, content_type, body, extra_headers):
 * Answer the current request: status line, the security headers, the
 * body (drained from body; for HEAD only its length is sent). extra_headers
 * is NULL or whole "Name: value\r\n" lines.
 */
void conn_respond(struct conn *c, int status, const char *content_type,
    struct evbuffer *body, const char *extra_headers);

/* conn_respond_html(c, status, html): conn_respond with text/html. */
void conn_respond_html(struct conn *c, int status, struct evbuffer *html);

/*
 * conn_set_body_handler(c, h, state):
 * Stream the current request's body to h (a request handler calls this
 * instead of answering at once). If the client asked for 100-continue, it
 * is sent.
 */
void conn_set_body_handler(struct conn *c, const struct body_handler *h,
    void *state);

/* conn_pause(c) / conn_resume(c): stop and restart reading (backpressure). */
void conn_pause(struct conn *c);
void conn_resume(struct conn *c);

/* conn_request(c): the current request's head. */
const struct http_request *conn_request(const struct conn *c);

/*
 * conn_circuit(c, id):
 * Set *id to the Tor circuit id from the PROXY line and return 1, or
 * return 0 if there is none (proxy_protocol off, or PROXY UNKNOWN).
 */
int conn_circuit(const struct conn *c, uint32_t *id);

/*
 * conn_mark_upload(c):
 * The current request is an upload (form.c): counted by
 * conn_circuit_uploads until the request is done.
 */
void conn_mark_upload(struct conn *c);

/*
 * conn_circuit_uploads(c):
 * How many other connections on c's circuit are receiving an upload now
 * (0 if c has no circuit).
 */
size_t conn_circuit_uploads(const struct conn *c);

/*
 * conn_sweep(p):
 * Once a second: close every connection whose PROXY line or request head
 * has taken head_timeout seconds, and every one whose body brought less
 * than min_upload_rate bytes a second over its last 30 s (while we were
 * reading it).
 */
void conn_sweep(struct conn_pool *p);

/*
 * conn_evict_waiting(p):
 * When every slot is taken: close the connection that has waited longest
 * with no request in progress (a PROXY line or head still coming, a
 * kept-alive connection between requests, one lingering). Return 0, or -1
 * if every connection is in the middle of a request.
 */
int conn_evict_waiting(struct conn_pool *p);

/* conn_any_waiting(p): 1 if conn_evict_waiting would find one. */
int conn_any_waiting(const struct conn_pool *p);

/*
 * conn_close_idle(p):
 * For shutdown: from now on no connection is kept alive after its answer;
 * close every connection that is not waiting on a commit or writing its
 * answer, those finish by themselves.
 */
void conn_close_idle(struct conn_pool *p);

#endif
