/*
 * test_conn: connections over a socketpair, answered by a fake handler
 * table in place of the router (no route, page, form or store is linked):
 * how an answer is framed, pipelined requests taken one at a time and
 * answered in order, a body paused and resumed (backpressure), nothing
 * written before the handler answers (a report's answer waits for its
 * commit), a head that cannot be read refused through the table, the
 * PROXY line's circuit and its share of connections, and the slots.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <sodium.h>

#include "conn.h"
#include "tap.h"

#define BIG (4 * 1024 * 1024)
#define PAUSE_AT (1024 * 1024)
#define WAIT_MS 3000

static struct event_base *base;

/* What the fake handlers saw, and the answer they hold. */
static struct {
	int requests;			/* heads dispatched */
	int refused;			/* the last refusal's status */
	int closed, waiting;		/* slot callbacks */
	struct conn *body_conn;		/* whose body the handler takes */
	uint64_t body_bytes;
	crypto_generichash_state body_hash;
	int body_ended;
	int pausing;			/* pause at PAUSE_AT body bytes */
	int paused;
	struct conn *held;		/* a body ended; its answer waits */
} seen;

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Run the loop for ms milliseconds. */
static void
spin(int ms)
{
	long end = now_ms() + ms;

	do {
		event_base_loop(base, EVLOOP_NONBLOCK);
		usleep(500);
	} while (now_ms() < end);
}

/* Run the loop until *flag is set (or WAIT_MS); return *flag. */
static int
spin_until(const int *flag)
{
	long end = now_ms() + WAIT_MS;

	while (!*flag && now_ms() < end) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		usleep(200);
	}
	return *flag;
}

/* ---- the fake handler table ---- */

static void
answer_text(struct conn *c, int status, const char *text)
{
	struct evbuffer *b = evbuffer_new();

	evbuffer_add(b, text, strlen(text));
	conn_respond(c, status, "text/plain", b, NULL);
	evbuffer_free(b);
}

static void
body_data(void *state, const uint8_t *buf, size_t len)
{
	seen.body_bytes += len;
	crypto_generichash_update(&seen.body_hash, buf, len);
	if (seen.pausing && !seen.paused && seen.body_bytes >= PAUSE_AT) {
		seen.paused = 1;
		conn_pause(state);
	}
}

static void
body_answer(void *state)
{
	char text[64];

	seen.body_ended = 1;
	snprintf(text, sizeof(text), "got %llu",
	    (unsigned long long)seen.body_bytes);
	answer_text(state, 200, text);
}

/* The body is in; the answer waits for the test's "commit". */
static void
body_hold(void *state)
{
	seen.body_ended = 1;
	seen.held = state;
}

static void
body_free(void *state)
{
	seen.body_conn = NULL;
	if (seen.held == state)
		seen.held = NULL;
}

static const struct body_handler answering = { body_data, body_answer,
    body_free };
static const struct body_handler holding = { body_data, body_hold,
    body_free };

static int
target_is(const struct http_request *req, const char *path)
{
	size_t n = strlen(path);

	return req->target_len >= n && memcmp(req->target, path, n) == 0;
}

static void
take_body(struct conn *c, const struct body_handler *h)
{
	seen.body_conn = c;
	seen.body_bytes = 0;
	seen.body_ended = 0;
	seen.paused = 0;
	crypto_generichash_init(&seen.body_hash, NULL, 0, 32);
	conn_set_body_handler(c, h, c);
}

static void
on_request(void *arg, struct conn *c, const struct http_request *req)
{
	char text[64];
	uint32_t id;

	seen.requests++;
	if (target_is(req, "/hello"))
		answer_text(c, 200, "hello");
	else if (target_is(req, "/body"))
		take_body(c, &answering);
	else if (target_is(req, "/commit"))
		take_body(c, &holding);
	else if (target_is(req, "/early"))
		answer_text(c, 413, "too large");
	else if (target_is(req, "/circuit")) {
		if (conn_circuit(c, &id))
			snprintf(text, sizeof(text), "circuit %u", id);
		else
			snprintf(text, sizeof(text), "none");
		answer_text(c, 200, text);
	} else
		answer_text(c, 404, "no such thing");
}

static void
on_refused(void *arg, struct conn *c, int status)
{
	seen.refused = status;
	answer_text(c, status, "refused");
}

static void
on_closed(void *arg)
{
	seen.closed++;
}

static void
on_waiting(void *arg)
{
	seen.waiting++;
}

static const struct conn_handlers handlers = {
	on_request, on_refused, on_closed, on_waiting,
};

static struct conn_pool *
pool_new(int proxy_protocol)
{
	struct conn_limits lim = {
		.proxy_protocol = proxy_protocol,
		.idle_timeout = 60,
		.head_timeout = 20,
		.connections_per_circuit = 1,
		.min_upload_rate = 1,
	};

	memset(&seen, 0, sizeof(seen));
	return conn_pool_new(base, &lim, &handlers, NULL);
}

/* ---- the client's end ---- */

struct client {
	int fd;
	char buf[65536];
	size_t len;
	int eof;
};

struct response {
	int status;
	char head[4096];
	char body[256];
	size_t body_len;
};

/* A new connection in p; the client's end is non-blocking. */
static void
client_new(struct client *cl, struct conn_pool *p)
{
	int sv[2];

	memset(cl, 0, sizeof(*cl));
	cl->fd = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) != 0)
		return;
	if (conn_accept(p, sv[1]) != 0) {
		close(sv[0]);
		return;
	}
	cl->fd = sv[0];
}

/* Send all of s, running the loop whenever the socket is full. */
static void
client_send(struct client *cl, const void *s, size_t len)
{
	const char *p = s;
	long end = now_ms() + WAIT_MS;
	ssize_t n;

	while (len > 0 && now_ms() < end) {
		if ((n = send(cl->fd, p, len, MSG_NOSIGNAL)) > 0) {
			p += n;
			len -= (size_t)n;
		} else
			spin(1);
	}
}

static void
client_says(struct client *cl, const char *s)
{
	client_send(cl, s, strlen(s));
}

/* Run the loop once and take what the server wrote. */
static void
pull(struct client *cl)
{
	ssize_t n;

	event_base_loop(base, EVLOOP_NONBLOCK);
	n = recv(cl->fd, cl->buf + cl->len, sizeof(cl->buf) - 1 - cl->len,
	    MSG_DONTWAIT);
	if (n == 0)
		cl->eof = 1;
	else if (n > 0)
		cl->len += (size_t)n;
	cl->buf[cl->len] = '\0';
}

static size_t
content_length(const char *head, size_t len)
{
	const char *p = memmem(head, len, "\r\nContent-Length: ", 18);

	return p == NULL ? 0 : strtoul(p + 18, NULL, 10);
}

/* Move a whole answer of what came into r (its body unless head_only). */
static int
take_response(struct client *cl, struct response *r, int head_only)
{
	char *eoh = memmem(cl->buf, cl->len, "\r\n\r\n", 4);
	size_t hl, bl, n;

	if (eoh == NULL)
		return -1;
	hl = (size_t)(eoh + 4 - cl->buf);
	bl = head_only ? 0 : content_length(cl->buf, hl);
	if (cl->len < hl + bl || hl >= sizeof(r->head) ||
	    bl >= sizeof(r->body))
		return -1;
	memcpy(r->head, cl->buf, hl);
	r->head[hl] = '\0';
	memcpy(r->body, cl->buf + hl, bl);
	r->body[bl] = '\0';
	r->body_len = bl;
	r->status = atoi(r->head + 9);
	n = hl + bl;
	memmove(cl->buf, cl->buf + n, cl->len - n);
	cl->len -= n;
	cl->buf[cl->len] = '\0';
	return 0;
}

/* Wait for the next answer; return 0, or -1 if none came. */
static int
client_read(struct client *cl, struct response *r, int head_only)
{
	long end = now_ms() + WAIT_MS;

	memset(r, 0, sizeof(*r));
	while (take_response(cl, r, head_only) != 0) {
		if (cl->eof || now_ms() > end)
			return -1;
		pull(cl);
		usleep(200);
	}
	return 0;
}

/* Whether the server closed the connection within WAIT_MS. */
static int
client_sees_eof(struct client *cl)
{
	long end = now_ms() + WAIT_MS;

	while (!cl->eof && now_ms() < end) {
		pull(cl);
		usleep(200);
	}
	return cl->eof;
}

static int
has(const struct response *r, const char *line)
{
	return strstr(r->head, line) != NULL;
}

/* ---- tests ---- */

/* An answer's status line and headers, HEAD, a head in pieces. */
static void
test_framing(void)
{
	struct conn_pool *p = pool_new(0);
	struct client cl;
	struct response r;
	const char *get = "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n";

	client_new(&cl, p);
	client_says(&cl, get);
	ok(client_read(&cl, &r, 0) == 0 &&
	    strncmp(r.head, "HTTP/1.1 200 OK\r\n", 17) == 0 &&
	    strcmp(r.body, "hello") == 0, "GET: 200 OK and the handler's body");
	ok(has(&r, "\r\nContent-Type: text/plain\r\n") &&
	    has(&r, "\r\nContent-Length: 5\r\n") &&
	    has(&r, "\r\nConnection: keep-alive\r\n"),
	    "type, length, keep-alive");
	ok(has(&r, "\r\nCache-Control: no-store\r\n") &&
	    has(&r, "\r\nReferrer-Policy: no-referrer\r\n") &&
	    has(&r, "\r\nContent-Security-Policy: default-src 'none';") &&
	    has(&r, "\r\nX-Frame-Options: DENY\r\n") &&
	    !has(&r, "Server:") && !has(&r, "Set-Cookie"),
	    "the security headers, no server name, no cookie");
	ok(seen.waiting == 1, "the kept-alive connection is said to wait");
	client_says(&cl, "HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n");
	ok(client_read(&cl, &r, 1) == 0 && r.status == 200 &&
	    has(&r, "\r\nContent-Length: 5\r\n"), "HEAD: the GET's length");
	client_says(&cl, get);
	ok(client_read(&cl, &r, 0) == 0 && r.status == 200 &&
	    strcmp(r.body, "hello") == 0, "but no body: the next answer "
	    "follows at once");
	for (size_t i = 0; get[i] != '\0'; i++) {
		client_send(&cl, get + i, 1);
		spin(1);
	}
	ok(client_read(&cl, &r, 0) == 0 && r.status == 200 &&
	    seen.requests == 4, "a head sent a byte at a time: one request");
	close(cl.fd);
	spin(10);
	is_int(conn_count(p), 0, "the client left: the connection is gone");
	is_int(seen.closed, 1, "and its slot is said to be free");
	conn_pool_free(p);
}

/* A head the parser refuses goes to the table's refused, then close. */
static void
test_refused(void)
{
	struct conn_pool *p = pool_new(0);
	struct client cl;
	struct response r;

	client_new(&cl, p);
	client_says(&cl, "GET / HTTP/1.1\r\nno colon here\r\n\r\n");
	ok(client_read(&cl, &r, 0) == 0 && r.status == 400 &&
	    seen.refused == 400 && seen.requests == 0,
	    "a bad head: refused (400) by the table, never dispatched");
	ok(has(&r, "\r\nConnection: close\r\n") && client_sees_eof(&cl),
	    "and the connection closes");
	close(cl.fd);
	conn_pool_free(p);
}

/*
 * Three requests in one write, the second's answer held until a commit:
 * the third is not even read before the second is answered, and the
 * answers come in order.
 */
static void
test_pipelining(void)
{
	struct conn_pool *p = pool_new(0);
	struct client cl;
	struct response r;

	client_new(&cl, p);
	client_says(&cl, "GET /hello?1 HTTP/1.1\r\nHost: x\r\n\r\n"
	    "POST /commit HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n"
	    "0123456789"
	    "GET /hello?3 HTTP/1.1\r\nHost: x\r\n\r\n");
	ok(client_read(&cl, &r, 0) == 0 && strcmp(r.body, "hello") == 0,
	    "pipelined: the first answered");
	spin_until(&seen.body_ended);
	ok(seen.body_ended && seen.body_bytes == 10 && seen.held != NULL,
	    "the second's body taken whole");
	spin(50);
	pull(&cl);
	ok(cl.len == 0, "its answer waits: nothing more written");
	is_int(seen.requests, 2, "and the third is not dispatched meanwhile");
	answer_text(seen.held, 200, "committed");
	ok(client_read(&cl, &r, 0) == 0 && strcmp(r.body, "committed") == 0,
	    "the commit's answer comes second");
	ok(client_read(&cl, &r, 0) == 0 && strcmp(r.body, "hello") == 0 &&
	    seen.requests == 3, "then the third is read and answered");
	close(cl.fd);
	conn_pool_free(p);
}

static void
commit_later(evutil_socket_t fd, short what, void *arg)
{
	if (seen.held != NULL)
		answer_text(seen.held, 200, "durable");
}

/*
 * The answer to a report is written only when the handler gives it, from
 * the loop (as the store's commit callback does), whenever that is; a
 * client that has half-closed still gets it.
 */
static void
test_commit(void)
{
	struct conn_pool *p = pool_new(0);
	struct client cl;
	struct response r;
	struct timeval t = { 0, 100 * 1000 };
	struct event *ev = evtimer_new(base, commit_later, NULL);

	client_new(&cl, p);
	client_says(&cl, "POST /commit HTTP/1.1\r\nHost: x\r\n"
	    "Content-Length: 5\r\n\r\nhello");
	shutdown(cl.fd, SHUT_WR);
	spin_until(&seen.body_ended);
	spin(100);
	pull(&cl);
	ok(seen.held != NULL && cl.len == 0 && !cl.eof,
	    "body ended, commit pending: nothing written, not closed");
	evtimer_add(ev, &t);
	ok(client_read(&cl, &r, 0) == 0 && r.status == 200 &&
	    strcmp(r.body, "durable") == 0,
	    "the answer comes when the commit calls back");
	ok(client_sees_eof(&cl), "then, the client having half-closed, close");
	event_free(ev);
	close(cl.fd);
	conn_pool_free(p);
}

/*
 * A large body: the handler pauses the connection; no byte more reaches
 * it, the socket fills and the client's writes stop; resumed, the rest
 * arrives and the body is whole.
 */
static void
test_backpressure(void)
{
	struct conn_pool *p = pool_new(0);
	static uint8_t body[BIG];
	uint8_t want[32], got[32];
	char head[128], expect[64];
	struct client cl;
	struct response r;
	size_t sent = 0;
	uint64_t at_pause;
	ssize_t n;

	randombytes_buf(body, sizeof(body));
	crypto_generichash(want, sizeof(want), body, sizeof(body), NULL, 0);
	client_new(&cl, p);
	snprintf(head, sizeof(head), "POST /body HTTP/1.1\r\nHost: x\r\n"
	    "Content-Length: %d\r\n\r\n", BIG);
	client_says(&cl, head);
	seen.pausing = 1;
	while (!seen.paused && sent < sizeof(body)) {
		if ((n = send(cl.fd, body + sent, sizeof(body) - sent, 0)) > 0)
			sent += (size_t)n;
		spin(1);
	}
	at_pause = seen.body_bytes;
	for (int i = 0; i < 50; i++) {
		if ((n = send(cl.fd, body + sent, sizeof(body) - sent, 0)) > 0)
			sent += (size_t)n;
		spin(2);
	}
	ok(seen.paused && seen.body_bytes == at_pause,
	    "paused: no more body reaches the handler (%llu bytes)",
	    (unsigned long long)at_pause);
	ok(send(cl.fd, body + sent, 1, 0) < 0 && errno == EAGAIN &&
	    sent < sizeof(body), "and the client's writes stop (%zu of %d "
	    "sent)", sent, BIG);
	conn_resume(seen.body_conn);
	client_send(&cl, body + sent, sizeof(body) - sent);
	snprintf(expect, sizeof(expect), "got %d", BIG);
	ok(client_read(&cl, &r, 0) == 0 && strcmp(r.body, expect) == 0,
	    "resumed: the whole body arrives");
	crypto_generichash_final(&seen.body_hash, got, sizeof(got));
	ok(memcmp(want, got, sizeof(want)) == 0, "byte for byte, in order");
	close(cl.fd);
	conn_pool_free(p);
}

/* An answer before the end of the body: the rest is read away, then
 * close; 100-continue is sent when a body is taken. */
static void
test_early_answer(void)
{
	struct conn_pool *p = pool_new(0);
	struct client cl;
	struct response r;

	client_new(&cl, p);
	client_says(&cl, "POST /early HTTP/1.1\r\nHost: x\r\n"
	    "Content-Length: 100000\r\n\r\nsome of it");
	ok(client_read(&cl, &r, 0) == 0 && r.status == 413 &&
	    has(&r, "\r\nConnection: close\r\n"),
	    "answered mid-body: Connection: close");
	close(cl.fd);
	client_new(&cl, p);
	client_says(&cl, "POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 3"
	    "\r\nExpect: 100-continue\r\n\r\n");
	ok(client_read(&cl, &r, 0) == 0 && r.status == 100,
	    "Expect: 100-continue: 100 before the body");
	client_says(&cl, "abc");
	ok(client_read(&cl, &r, 0) == 0 && strcmp(r.body, "got 3") == 0,
	    "then the answer");
	close(cl.fd);
	conn_pool_free(p);
}

/* The PROXY line's circuit, and its share of connections. */
static void
test_proxy(void)
{
	struct conn_pool *p = pool_new(1);
	struct client a, b, c;
	struct response r;

	client_new(&a, p);
	client_says(&a, "PROXY TCP6 fc00:dead:beef:4dad::0:92 ::1 146 80\r\n"
	    "GET /circuit HTTP/1.1\r\nHost: x\r\n\r\n");
	ok(client_read(&a, &r, 0) == 0 && strcmp(r.body, "circuit 146") == 0,
	    "the handler gets the circuit of the PROXY line");
	client_new(&b, p);
	client_says(&b, "PROXY TCP6 fc00:dead:beef:4dad::0:92 ::1 146 80\r\n"
	    "GET /circuit HTTP/1.1\r\nHost: x\r\n\r\n");
	ok(client_sees_eof(&b) && b.len == 0 && seen.requests == 1,
	    "a second connection of that circuit: closed at its PROXY line");
	client_new(&c, p);
	client_says(&c, "GET /circuit HTTP/1.1\r\nHost: x\r\n\r\n");
	ok(client_sees_eof(&c) && c.len == 0, "no PROXY line: closed");
	close(a.fd);
	close(b.fd);
	close(c.fd);
	conn_pool_free(p);
}

/*
 * Slots: the connection waiting longest is evicted, one in the middle of a
 * request never; at shutdown the idle ones close, one waiting for its
 * commit is answered (not kept alive), then closes.
 */
static void
test_slots(void)
{
	struct conn_pool *p = pool_new(0);
	struct client idle, busy;
	struct response r;

	client_new(&idle, p);
	client_new(&busy, p);
	client_says(&busy, "POST /commit HTTP/1.1\r\nHost: x\r\n"
	    "Content-Length: 1\r\n\r\nx");
	spin_until(&seen.body_ended);
	ok(conn_count(p) == 2 && conn_any_waiting(p), "two connections, "
	    "one waiting");
	ok(conn_evict_waiting(p) == 0 && client_sees_eof(&idle) &&
	    conn_count(p) == 1, "evicted: the idle one");
	ok(!conn_any_waiting(p) && conn_evict_waiting(p) == -1,
	    "the one mid-request is never evicted");
	conn_close_idle(p);
	is_int(conn_count(p), 1, "shutdown: it is left to finish");
	answer_text(seen.held, 200, "committed");
	ok(client_read(&busy, &r, 0) == 0 && r.status == 200 &&
	    has(&r, "\r\nConnection: close\r\n"), "answered, not kept alive");
	ok(client_sees_eof(&busy) && conn_count(p) == 0, "then closed");
	close(idle.fd);
	close(busy.fd);
	conn_pool_free(p);
}

int
main(void)
{
	if (sodium_init() < 0 || (base = event_base_new()) == NULL)
		return 1;
	test_framing();
	test_refused();
	test_pipelining();
	test_commit();
	test_backpressure();
	test_early_answer();
	test_proxy();
	test_slots();
	event_base_free(base);
	return tap_done();
}
