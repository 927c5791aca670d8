/*
 * conn: see conn.h. A connection moves through: PROXY line (optional),
 * request head, body (to a handler, or discarded), waiting for the answer,
 * writing it; then the next request on the same connection, or close.
 * Input is only parsed while no answer is pending, so pipelined requests
 * wait their turn in the bufferevent's input. Whatever the answer, it
 * comes from above through the pool's handlers (spiped's dispatch turns
 * its upward call into a callback the same way).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <sodium.h>

#include "conn.h"
#include "log.h"
#include "proxy.h"
#include "secmem.h"

/* How much a read may pull in at once: bounds memory per connection. */
#define READ_HIGH_WATERMARK (256 * 1024)
/*
 * Bodies of DIRECT_BODY_MIN bytes or more are read straight from the
 * socket, CONN_BODY_BUF at a time (one buffer for the loop, not per
 * connection), at most BODY_READS_PER_EVENT times per event. A read as
 * large as the sender's socket buffer wakes the sender once per buffer:
 * with 64 KiB reads a 1 GB upload cost the loop 1.2-1.3 s of CPU, with
 * 256 KiB reads 1.06-1.13 s.
 */
#define DIRECT_BODY_MIN (64 * 1024)
#define BODY_READS_PER_EVENT 16
/* After the last answer, how long unread input is still read away. */
#define LINGER_SECONDS 2
/* A body refused early is read away up to this much, then cut; so is
 * what comes while lingering. */
#define DISCARD_MAX (1024 * 1024)
/* A body must bring min_upload_rate bytes a second over each window. */
#define RATE_WINDOW 30

/* Every response carries these (INTERFACE.md): no caching, no referrer,
 * no sniffing, no script, no framing, no cookies, no server version. */
static const char security_headers[] =
    "Cache-Control: no-store\r\n"
    "Referrer-Policy: no-referrer\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "Content-Security-Policy: default-src 'none'; style-src 'self'; "
    "img-src 'none'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'\r\n"
    "X-Frame-Options: DENY\r\n"
    "Cross-Origin-Opener-Policy: same-origin\r\n"
    "Cross-Origin-Resource-Policy: same-origin\r\n";

enum conn_phase { PHASE_PROXY, PHASE_HEAD, PHASE_REQUEST, PHASE_LINGER };

struct conn_pool {
	struct event_base *base;
	struct conn_limits lim;
	const struct conn_handlers *h;
	void *arg;
	struct conn *conns;		/* every open connection */
	size_t n;			/* in conns */
	int closing;			/* shutdown: keep none alive */
	uint8_t *body_buf;		/* CONN_BODY_BUF, locked */
};

struct conn {
	struct conn_pool *pool;
	struct bufferevent *bev;
	struct conn *prev, *next;
	enum conn_phase phase;
	struct proxy_parser proxy;
	int has_circuit;
	uint32_t circuit;
	struct http_parser http;
	uint64_t body_left;		/* body bytes still to read */
	const struct body_handler *bh;
	void *bh_state;
	int body_ended;			/* bh->end has been called */
	int responded;			/* an answer is queued */
	int keep_alive;			/* after this answer */
	int paused;
	int eof;			/* the client sent all it will */
	int more_input;			/* unread input may still come: a
					 * refused head, a body cut short */
	int uploading;			/* conn_mark_upload, until done */
	time_t waiting_since;		/* no request in progress since then
					 * (monotonic s); 0: one is */
	time_t head_since;		/* first byte of the PROXY line or
					 * head (monotonic s); 0: none yet */
	time_t window_start;		/* body rate window (monotonic s) */
	uint64_t window_bytes;		/* body bytes in that window */
	uint64_t discarded;		/* bytes read away after an answer */
};

static void process_input(struct conn *c);
static int read_more_body(struct conn *c);
static size_t circuit_count(const struct conn *c, int uploads_only);

/* Seconds on a clock that never jumps (deadlines, rates). */
static time_t
monotonic_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return ts.tv_sec;
}

static const char *
reason_phrase(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 200: return "OK";
	case 301: return "Moved Permanently";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Error";
	}
}

static void
handler_release(struct conn *c)
{
	if (c->bh != NULL)
		c->bh->free(c->bh_state);
	c->bh = NULL;
	c->bh_state = NULL;
	c->uploading = 0;
}

static void
conn_free(struct conn *c)
{
	struct conn_pool *p = c->pool;

	handler_release(c);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		p->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	p->n--;
	bufferevent_free(c->bev);
	explicit_bzero(c, sizeof(*c));
	free(c);
	p->h->closed(p->arg);
}

/*
 * Close gently: stop writing, and read away what the client still sends
 * for a moment. Closing a socket with unread input makes the kernel reset
 * the connection, and a reset can destroy the answer before the browser
 * shows it (an error page for an upload it is still sending). Only when
 * more input may come: a refused request head (the rest of the request is
 * unread) or bytes already waiting; after a whole request, close at once.
 */
static void
linger(struct conn *c)
{
	struct timeval t = { LINGER_SECONDS, 0 };

	c->phase = PHASE_LINGER;
	c->waiting_since = monotonic_now();
	if (c->eof || (!c->more_input &&
	    evbuffer_get_length(bufferevent_get_input(c->bev)) == 0) ||
	    shutdown(bufferevent_getfd(c->bev), SHUT_WR) != 0) {
		conn_free(c);
		return;
	}
	bufferevent_set_timeouts(c->bev, &t, NULL);
	bufferevent_enable(c->bev, EV_READ);
	evbuffer_drain(bufferevent_get_input(c->bev),
	    evbuffer_get_length(bufferevent_get_input(c->bev)));
}

/* The answer is written and the body read: next request, or close. */
static void
request_done(struct conn *c)
{
	handler_release(c);
	if (!c->keep_alive || c->eof || c->pool->closing) {
		linger(c);
		return;
	}
	http_parser_reset(&c->http);
	c->phase = PHASE_HEAD;
	c->responded = 0;
	c->body_ended = 0;
	c->discarded = 0;
	c->head_since = 0;
	c->waiting_since = monotonic_now();
	c->pool->h->waiting(c->pool->arg);
	process_input(c);
}

static int
answer_written(const struct conn *c)
{
	return c->responded &&
	    evbuffer_get_length(bufferevent_get_output(c->bev)) == 0;
}

/*
 * The output was written (or a flush_output's deferred call, which may
 * find new output: then the write event it set up must stay): stop
 * watching for writability, and go on if the answer is complete.
 */
static void
on_write(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	if (evbuffer_get_length(bufferevent_get_output(bev)) > 0)
		return;
	bufferevent_disable(bev, EV_WRITE);
	if (c->phase == PHASE_REQUEST && c->body_left == 0 && answer_written(c))
		request_done(c);
}

/*
 * Send the output now rather than when the socket is next reported
 * writable: an answer almost always fits the socket's buffer, and then no
 * write event is set up and torn down (two epoll_ctl calls per request).
 * What does not fit, or a write error, is left to the bufferevent
 * (EV_WRITE); on_write runs either way, from the loop, never from here.
 */
static void
flush_output(struct conn *c)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);

	/* A socket bufferevent keeps its output's front frozen but for its
	 * own writes: thaw it for this one. */
	evbuffer_unfreeze(out, 1);
	(void)evbuffer_write(out, bufferevent_getfd(c->bev));
	evbuffer_freeze(out, 1);
	if (evbuffer_get_length(out) > 0)
		bufferevent_enable(c->bev, EV_WRITE);
	else
		bufferevent_trigger(c->bev, EV_WRITE,
		    BEV_TRIG_IGNORE_WATERMARKS | BEV_TRIG_DEFER_CALLBACKS);
}

static void
send_head(struct conn *c, int status, const char *ctype, size_t len,
    const char *extra)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);

	evbuffer_add_printf(out, "HTTP/1.1 %d %s\r\n", status,
	    reason_phrase(status));
	if (ctype != NULL)
		evbuffer_add_printf(out, "Content-Type: %s\r\n", ctype);
	evbuffer_add_printf(out, "Content-Length: %zu\r\n", len);
	evbuffer_add(out, security_headers, sizeof(security_headers) - 1);
	if (extra != NULL)
		evbuffer_add(out, extra, strlen(extra));
	evbuffer_add_printf(out, "Connection: %s\r\n\r\n",
	    c->keep_alive ? "keep-alive" : "close");
}

void
conn_respond(struct conn *c, int status, const char *content_type,
    struct evbuffer *body, const char *extra_headers)
{
	const struct http_request *req = conn_request(c);
	size_t len = body ? evbuffer_get_length(body) : 0;

	if (c->responded)
		return;
	c->responded = 1;
	if (c->body_left > 0 || c->pool->closing)
		c->keep_alive = 0;	/* the rest of the body is discarded */
	send_head(c, status, content_type, len, extra_headers);
	if (body != NULL && req != NULL && req->method == HTTP_METHOD_HEAD)
		evbuffer_drain(body, len);
	else if (body != NULL)
		evbuffer_add_buffer(bufferevent_get_output(c->bev), body);
	flush_output(c);
	if (c->paused)
		conn_resume(c);	/* keep reading, to discard the body */
}

void
conn_respond_html(struct conn *c, int status, struct evbuffer *html)
{
	conn_respond(c, status, "text/html; charset=utf-8", html, NULL);
}

void
conn_set_body_handler(struct conn *c, const struct body_handler *h,
    void *state)
{
	const struct http_request *req = conn_request(c);

	c->bh = h;
	c->bh_state = state;
	if (req->expect_100_continue && c->body_left > 0) {
		evbuffer_add_printf(bufferevent_get_output(c->bev),
		    "HTTP/1.1 100 Continue\r\n\r\n");
		flush_output(c);
	}
}

void
conn_pause(struct conn *c)
{
	c->paused = 1;
	bufferevent_disable(c->bev, EV_READ);
}

void
conn_resume(struct conn *c)
{
	if (!c->paused)
		return;
	c->paused = 0;
	c->window_start = monotonic_now();	/* the pause was ours */
	c->window_bytes = 0;
	bufferevent_enable(c->bev, EV_READ);
	/* Bytes already buffered will not raise a read event by themselves. */
	bufferevent_trigger(c->bev, EV_READ, BEV_TRIG_IGNORE_WATERMARKS |
	    BEV_TRIG_DEFER_CALLBACKS);
}

const struct http_request *
conn_request(const struct conn *c)
{
	return c->phase == PHASE_REQUEST ? http_parser_request(&c->http) : NULL;
}

int
conn_circuit(const struct conn *c, uint32_t *id)
{
	if (!c->has_circuit)
		return 0;
	*id = c->circuit;
	return 1;
}

/* Feed the PROXY line; return bytes consumed, or -1 to close. */
static ssize_t
feed_proxy(struct conn *c, const uint8_t *p, size_t n)
{
	size_t used = 0;
	int rc = proxy_feed(&c->proxy, p, n, &used);
	const struct proxy_info *info;

	if (rc == PROXY_ERROR)
		return -1;
	if (rc == PROXY_DONE) {
		info = proxy_result(&c->proxy);
		c->has_circuit = info->has_circuit_id;
		c->circuit = info->circuit_id;
		c->phase = PHASE_HEAD;
		if (circuit_count(c, 0) >= c->pool->lim.connections_per_circuit)
			return -1;	/* this circuit has its share */
	}
	return (ssize_t)used;
}

static void
start_request(struct conn *c)
{
	const struct http_request *req = http_parser_request(&c->http);

	c->phase = PHASE_REQUEST;
	c->waiting_since = 0;
	c->window_start = monotonic_now();
	c->window_bytes = 0;
	c->keep_alive = req->keep_alive;
	c->body_left = req->has_content_length ? req->content_length : 0;
	c->pool->h->request(c->pool->arg, c, req);
	if (c->bh != NULL && c->body_left == 0 && !c->responded) {
		c->body_ended = 1;
		c->bh->end(c->bh_state);
	}
}

static size_t
feed_head(struct conn *c, const uint8_t *p, size_t n)
{
	size_t used = 0;
	enum http_parse_result rc = http_parser_feed(&c->http, p, n, &used);

	if (rc == HTTP_PARSE_DONE) {
		start_request(c);
	} else if (rc == HTTP_PARSE_ERROR) {
		c->more_input = 1;
		c->phase = PHASE_REQUEST;
		c->keep_alive = 0;
		c->body_left = 0;
		c->pool->h->refused(c->pool->arg, c,
		    http_parser_error(&c->http, NULL));
	}
	return used;
}

/*
 * The answer came before the end of the body: read away DISCARD_MAX bytes
 * of it at most (enough for a browser to be reading the answer by then),
 * then treat the body as over; the linger reads away a moment more.
 */
static void
discard_body(struct conn *c, size_t n)
{
	c->discarded += n;
	if (c->discarded >= DISCARD_MAX && c->body_left > 0) {
		c->body_left = 0;
		c->keep_alive = 0;
		c->more_input = 1;
	}
}

/* Body bytes: to the handler until an answer exists, then discarded. */
static size_t
feed_body(struct conn *c, const uint8_t *p, size_t n)
{
	if (n > c->body_left)
		n = (size_t)c->body_left;
	c->body_left -= n;
	c->window_bytes += n;
	if (c->responded)
		discard_body(c, n);
	else if (c->bh != NULL)
		c->bh->data(c->bh_state, p, n);
	if (c->body_left == 0 && c->bh != NULL && !c->responded &&
	    !c->body_ended) {
		c->body_ended = 1;
		c->bh->end(c->bh_state);
	}
	return n;
}

/* Consume what can be consumed now; return 0 to go on, -1 if c is gone. */
static int
feed_once(struct conn *c, struct evbuffer *in)
{
	size_t n = evbuffer_get_contiguous_space(in);
	const uint8_t *p = evbuffer_pullup(in, (ssize_t)n);
	ssize_t used;

	if (c->phase != PHASE_REQUEST && c->head_since == 0)
		c->head_since = monotonic_now();
	switch (c->phase) {
	case PHASE_PROXY:
		if ((used = feed_proxy(c, p, n)) < 0) {
			conn_free(c);	/* no valid PROXY line: refused */
			return -1;
		}
		break;
	case PHASE_HEAD:
		used = (ssize_t)feed_head(c, p, n);
		break;
	default:
		used = (ssize_t)feed_body(c, p, n);
		break;
	}
	evbuffer_drain(in, (size_t)used);
	return 0;
}

/* Is there input this connection should consume now? */
static int
wants_input(const struct conn *c, struct evbuffer *in)
{
	if (c->paused || evbuffer_get_length(in) == 0)
		return 0;
	if (c->phase != PHASE_REQUEST)
		return 1;
	return c->body_left > 0;
}

static void
process_input(struct conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);

	while (wants_input(c, in))
		if (feed_once(c, in) != 0)
			return;
	/* Only for a large body: for a small one the bufferevent's next read
	 * takes the rest, and a recv here would mostly say EAGAIN. */
	if (evbuffer_get_length(in) == 0 && c->body_left >= DIRECT_BODY_MIN &&
	    read_more_body(c) != 0)
		return;
	if (c->phase == PHASE_REQUEST && c->body_left == 0 && answer_written(c))
		request_done(c);
}

/*
 * Read more of a body straight from the socket, in large reads. libevent
 * 2.1's bufferevents read at most 4 KiB per event (evbuffer_read's cap),
 * which makes a large upload cost a quarter of a million wake-ups per GB.
 * The bytes go to the same place the bufferevent's would (feed_body);
 * reading stops at the end of the body, on backpressure, or after
 * BODY_READS_PER_EVENT reads so other connections get their turn. Return 0,
 * or -1 if the connection is gone.
 */
static int
read_more_body(struct conn *c)
{
	uint8_t *buf = c->pool->body_buf;	/* the loop is one thread */
	evutil_socket_t fd = bufferevent_getfd(c->bev);

	for (int i = 0; i < BODY_READS_PER_EVENT; i++) {
		size_t want = c->body_left < CONN_BODY_BUF ?
		    (size_t)c->body_left : CONN_BODY_BUF;
		ssize_t n;

		if (c->phase != PHASE_REQUEST || c->body_left == 0 || c->paused)
			return 0;
		if ((n = recv(fd, buf, want, MSG_DONTWAIT)) < 0 &&
		    (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return 0;
		if (n <= 0) {
			conn_free(c);	/* the client left mid-body */
			return -1;
		}
		feed_body(c, buf, (size_t)n);
		sodium_memzero(buf, (size_t)n);
	}
	return 0;
}

static void
on_read(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);

	if (c->phase == PHASE_LINGER) {
		c->discarded += evbuffer_get_length(in);
		evbuffer_drain(in, evbuffer_get_length(in));
		if (c->discarded >= 2 * DISCARD_MAX)
			conn_free(c);
		return;
	}
	process_input(c);
}

static void
on_event(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;

	if ((what & BEV_EVENT_EOF) && c->phase == PHASE_REQUEST &&
	    c->body_left == 0 && !answer_written(c)) {
		c->eof = 1;	/* half-closed: still answer */
		bufferevent_disable(bev, EV_READ);
		return;
	}
	conn_free(c);	/* error, timeout, or EOF with nothing pending */
}

struct conn_pool *
conn_pool_new(struct event_base *base, const struct conn_limits *limits,
    const struct conn_handlers *h, void *arg)
{
	struct conn_pool *p;

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		log_errno("connections");
		return NULL;
	}
	if ((p->body_buf = secmem_get(CONN_BODY_BUF)) == NULL) {
		log_error("cannot lock %d KiB of memory for request bodies "
		    "(mlock; see LimitMEMLOCK in oniondropd(8))",
		    CONN_BODY_BUF / 1024);
		free(p);
		return NULL;
	}
	p->base = base;
	p->lim = *limits;
	p->h = h;
	p->arg = arg;
	return p;
}

int
conn_accept(struct conn_pool *p, evutil_socket_t fd)
{
	struct conn *c = calloc(1, sizeof(*c));
	struct timeval idle = { (time_t)p->lim.idle_timeout, 0 };
	/* A body of any length is the request handler's to refuse: an answer
	 * before its end has the rest read away, so the browser can show the
	 * page (the router's 413). */
	struct http_limits limits = HTTP_LIMITS_DEFAULT;

	if (c == NULL ||
	    (c->bev = bufferevent_socket_new(p->base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		evutil_closesocket(fd);
		free(c);
		return -1;
	}
	limits.body_max = UINT64_MAX;
	c->pool = p;
	c->phase = p->lim.proxy_protocol ? PHASE_PROXY : PHASE_HEAD;
	c->waiting_since = c->head_since = monotonic_now();
	proxy_init(&c->proxy);
	http_parser_init(&c->http, &limits);
	if ((c->next = p->conns) != NULL)
		c->next->prev = c;
	p->conns = c;
	p->n++;
	bufferevent_setwatermark(c->bev, EV_READ, 0, READ_HIGH_WATERMARK);
	bufferevent_set_timeouts(c->bev, &idle, &idle);
	bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
	/* A new bufferevent watches for writability: not before flush_output. */
	bufferevent_disable(c->bev, EV_WRITE);
	bufferevent_enable(c->bev, EV_READ);
	return 0;
}

size_t
conn_count(const struct conn_pool *p)
{
	return p->n;
}

/* Is c in the middle of something that must finish (a commit)? */
static int
busy(const struct conn *c)
{
	return c->phase == PHASE_REQUEST && c->body_ended && !c->responded;
}

void
conn_close_idle(struct conn_pool *p)
{
	struct conn *c = p->conns, *next;

	p->closing = 1;
	for (; c != NULL; c = next) {
		next = c->next;
		if (!busy(c) && !c->responded)
			conn_free(c);
	}
}

void
conn_pool_free(struct conn_pool *p)
{
	if (p == NULL)
		return;
	p->closing = 1;
	while (p->conns != NULL)
		conn_free(p->conns);
	secmem_put(p->body_buf, CONN_BODY_BUF);
	free(p);
}

void
conn_mark_upload(struct conn *c)
{
	c->uploading = 1;
}

/* The other connections on c's circuit (only those uploading). */
static size_t
circuit_count(const struct conn *c, int uploads_only)
{
	size_t n = 0;

	if (!c->has_circuit)
		return 0;
	for (const struct conn *o = c->pool->conns; o != NULL; o = o->next)
		if (o != c && o->has_circuit && o->circuit == c->circuit &&
		    (!uploads_only || o->uploading))
			n++;
	return n;
}

size_t
conn_circuit_uploads(const struct conn *c)
{
	return circuit_count(c, 1);
}

/* Has c overstayed: a head too slow, or a body below the minimum rate? */
static int
too_slow(struct conn *c, time_t now)
{
	const struct conn_limits *lim = &c->pool->lim;
	time_t span = now - c->window_start;

	if (c->phase == PHASE_PROXY || c->phase == PHASE_HEAD)
		return c->head_since != 0 &&
		    now - c->head_since >= (time_t)lim->head_timeout;
	if (c->phase != PHASE_REQUEST || c->body_left == 0 || c->paused ||
	    span < RATE_WINDOW)
		return 0;
	if (c->window_bytes < lim->min_upload_rate * (uint64_t)span)
		return 1;
	c->window_start = now;
	c->window_bytes = 0;
	return 0;
}

void
conn_sweep(struct conn_pool *p)
{
	time_t now = monotonic_now();
	struct conn *c, *next;

	for (c = p->conns; c != NULL; c = next) {
		next = c->next;
		if (too_slow(c, now))
			conn_free(c);
	}
}

int
conn_evict_waiting(struct conn_pool *p)
{
	struct conn *c, *oldest = NULL;

	for (c = p->conns; c != NULL; c = c->next)
		if (c->waiting_since != 0 && (oldest == NULL ||
		    c->waiting_since < oldest->waiting_since))
			oldest = c;
	if (oldest == NULL)
		return -1;
	conn_free(oldest);
	return 0;
}

int
conn_any_waiting(const struct conn_pool *p)
{
	for (const struct conn *c = p->conns; c != NULL; c = c->next)
		if (c->waiting_since != 0)
			return 1;
	return 0;
}
