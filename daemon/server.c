/*
 * server: see server.h. Start-up opens everything the process will use
 * (its event loop, the store channel, the listener) and then locks the
 * process down before the first connection; the key pool's thread starts
 * after, under the same lockdown. Shutdown stops accepting, lets commits
 * in flight finish, then closes the store channel.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/listener.h>
#include <sodium.h>

#include "conn.h"
#include "evmem.h"
#include "log.h"
#include "router.h"
#include "sandbox.h"
#include "server.h"
#include "storeq.h"
#include "supervisor.h"
#include "web.h"

#define RATELIMIT_SLOTS 65536
#define SHUTDOWN_GRACE 30
/* Counts of refusals are logged at most this often (never one by one:
 * the journal would date each refused visitor). */
#define COUNTS_EVERY 3600

struct server {
	struct event_base *base;
	const struct config *cfg;	/* the supervisor's */
	int parent_fd;			/* the supervisor: keys, ready */
	struct web web;			/* what the handlers see */
	struct conn_pool *conns;	/* every open connection */
	struct evconnlistener *listener;
	unsigned long failed_connections;	/* no memory to take one */
	int shutting_down;
	int accept_paused;		/* out of descriptors: until the tick */
	struct event *sigterm, *sigint, *shutdown_timer;
	struct event *parent;		/* parent_fd readable */
	struct event *tick;		/* every second: conn_sweep */
	unsigned long ticks;
};

/* What the handlers need of the configuration (the keys: load_everything). */
static void
set_web(struct web *w, const struct config *cfg)
{
	for (size_t i = 0; i < cfg->n_languages; i++)
		i18n_lang(cfg->languages[i], 2, &w->site.offered[i]);
	w->site.n_offered = cfg->n_languages;
	i18n_lang(cfg->default_language, 2, &w->default_lang);
	w->site.attachments = cfg->attachments;
	w->site.max_attachment_size = cfg->max_attachment_size;
	w->site.max_report_size = cfg->max_report_size;
	for (size_t i = 0; i < CONFIG_LANGUAGES_MAX; i++) {
		enum lang l;

		if (i18n_lang(config_language_code(i), 2, &l) == 0)
			w->site.help_contacts[l] = cfg->help_contacts[i];
	}
	w->follow_ups = cfg->follow_ups;
	w->max_uploads = cfg->max_uploads;
	w->uploads_per_circuit = cfg->uploads_per_circuit;
}

/* ---- the connections' handlers ---- */

static void
on_request(void *arg, struct conn *c, const struct http_request *req)
{
	struct server *srv = arg;

	router_dispatch(c, &srv->web, req);
}

static void
on_refused(void *arg, struct conn *c, int status)
{
	struct server *srv = arg;

	web_error_page(c, &srv->web, status, srv->web.default_lang);
}

/* A connection is gone: for the slots, and the end of a shutdown. */
static void
on_closed(void *arg)
{
	struct server *srv = arg;
	size_t n = conn_count(srv->conns);

	if (srv->shutting_down && n == 0)
		event_base_loopexit(srv->base, NULL);
	else if (!srv->shutting_down && srv->listener != NULL &&
	    n + 1 == srv->cfg->max_connections)
		evconnlistener_enable(srv->listener);
}

/*
 * A connection has finished a request and waits for the next: it may be
 * evicted now, so a paused listener (every slot busy) may accept again.
 */
static void
on_waiting(void *arg)
{
	struct server *srv = arg;

	if (!srv->shutting_down && srv->listener != NULL &&
	    conn_count(srv->conns) >= srv->cfg->max_connections)
		evconnlistener_enable(srv->listener);
}

static const struct conn_handlers handlers = {
	on_request, on_refused, on_closed, on_waiting,
};

/*
 * Every slot taken: a new connection takes the place of the one that has
 * waited longest without a request (conn_evict_waiting), so slow or idle
 * connections cannot keep a reporter out. Only when every connection is
 * in the middle of a request does the listener pause until one ends.
 */
static void
on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
    int socklen, void *arg)
{
	struct server *srv = arg;
	unsigned max = srv->cfg->max_connections;

	if (conn_count(srv->conns) >= max &&
	    conn_evict_waiting(srv->conns) != 0) {
		evutil_closesocket(fd);
		evconnlistener_disable(l);
		return;
	}
	if (conn_accept(srv->conns, fd) != 0)
		srv->failed_connections++;	/* logged as a count */
	if (conn_count(srv->conns) >= max && !conn_any_waiting(srv->conns))
		evconnlistener_disable(l);	/* until one closes or waits */
}

/*
 * accept failed for want of descriptors or memory (EMFILE, ENFILE,
 * ENOBUFS...): libevent would try again at once, on every turn of the
 * loop. Pause until the next tick instead.
 */
static void
on_accept_error(struct evconnlistener *l, void *arg)
{
	static struct log_budget budget;
	struct server *srv = arg;
	int err = EVUTIL_SOCKET_ERROR();

	evconnlistener_disable(l);
	srv->accept_paused = 1;
	if (log_budget_take(&budget, 1, "accept pauses"))
		log_error("cannot accept a connection (%s): pausing for a second",
		    evutil_socket_error_to_string(err));
}

/* The pause of on_accept_error is over: accept if there is room. */
static void
resume_accepting(struct server *srv)
{
	srv->accept_paused = 0;
	if (srv->listener != NULL &&
	    (conn_count(srv->conns) < srv->cfg->max_connections ||
	    conn_any_waiting(srv->conns)))
		evconnlistener_enable(srv->listener);
}

/* What is refused for the server's own reasons, as counts. */
static void
log_counts(struct server *srv)
{
	unsigned long locked = srv->web.refused_locked_memory;

	if (locked > 0)
		log_error("%lu report%s refused in the last hour: locked memory "
		    "is short (raise LimitMEMLOCK, see oniondropd(8))",
		    locked, locked == 1 ? "" : "s");
	if (srv->failed_connections > 0)
		log_error("%lu connection%s dropped in the last hour: out of "
		    "memory", srv->failed_connections,
		    srv->failed_connections == 1 ? "" : "s");
	srv->web.refused_locked_memory = 0;
	srv->failed_connections = 0;
}

/* Once a second: deadlines and rates of connections; counts hourly. */
static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct server *srv = arg;

	conn_sweep(srv->conns);
	if (srv->accept_paused)
		resume_accepting(srv);
	if (++srv->ticks % COUNTS_EVERY == 0)
		log_counts(srv);
}

static void
on_shutdown_timer(evutil_socket_t fd, short what, void *arg)
{
	struct server *srv = arg;

	log_info("shutdown: giving up on connections still open");
	event_base_loopexit(srv->base, NULL);
}

static void
on_stop(evutil_socket_t sig, short what, void *arg)
{
	struct server *srv = arg;
	struct timeval grace = { SHUTDOWN_GRACE, 0 };

	if (srv->shutting_down)
		return;
	/* the supervisor says why (a stop, a restart) */
	srv->shutting_down = 1;
	evconnlistener_free(srv->listener);
	srv->listener = NULL;
	conn_close_idle(srv->conns);
	if (conn_count(srv->conns) == 0) {
		event_base_loopexit(srv->base, NULL);
		return;
	}
	srv->shutdown_timer = evtimer_new(srv->base, on_shutdown_timer, srv);
	if (srv->shutdown_timer != NULL)
		evtimer_add(srv->shutdown_timer, &grace);
}

/*
 * The supervisor's message: new analyst keys (SIGHUP), used from the next
 * report on. Its end closed: it has gone, and so does this process.
 */
static void
on_parent(evutil_socket_t fd, short what, void *arg)
{
	struct server *srv = arg;
	uint8_t msg[SUPERVISOR_MSG_MAX];
	struct keys_public keys[CONFIG_ANALYSTS_MAX];
	ssize_t n = recv(fd, msg, sizeof(msg), MSG_DONTWAIT | MSG_TRUNC);
	size_t nkeys;

	if (n == 0) {
		on_stop(SIGTERM, 0, srv);
		event_del(srv->parent);
		return;
	}
	if (n < 0 || (size_t)n > sizeof(msg) ||
	    supervisor_keys_decode(msg, (size_t)n, keys, &nkeys) != 0)
		return;
	memcpy(srv->web.keys, keys, sizeof(keys));
	srv->web.nkeys = nkeys;
	keypool_set_keys(srv->web.keypool, keys, nkeys);
}

static int
add_signals(struct server *srv)
{
	signal(SIGPIPE, SIG_IGN);
	srv->sigterm = evsignal_new(srv->base, SIGTERM, on_stop, srv);
	signal(SIGHUP, SIG_IGN);	/* the supervisor's: keys come from it */
	srv->sigint = evsignal_new(srv->base, SIGINT, on_stop, srv);
	srv->parent = event_new(srv->base, srv->parent_fd, EV_READ | EV_PERSIST,
	    on_parent, srv);
	if (srv->sigterm == NULL || srv->sigint == NULL || srv->parent == NULL)
		return -1;
	return (event_add(srv->sigterm, NULL) | event_add(srv->sigint, NULL) |
	    event_add(srv->parent, NULL)) == 0 ? 0 : -1;
}

/* What the handlers use besides the configuration: the per-circuit limits,
 * the store (and its secrets). The key pool comes after the lockdown. */
static int
start_web(struct server *srv, int store_fd)
{
	const struct config *cfg = srv->cfg;
	struct web *w = &srv->web;

	w->report_limit = ratelimit_new(cfg->reports_per_circuit_per_hour,
	    RATELIMIT_SLOTS);
	w->status_limit = ratelimit_new(cfg->status_lookups_per_circuit_per_hour,
	    RATELIMIT_SLOTS);
	if (w->report_limit == NULL || w->status_limit == NULL) {
		log_error("out of memory");
		close(store_fd);
		return -1;
	}
	return (w->store = store_open(srv->base, store_fd, &w->secrets)) ==
	    NULL ? -1 : 0;
}

static int
start(struct server *srv, const struct server_start *st)
{
	const struct config *cfg = srv->cfg;
	const struct conn_limits limits = {
		.proxy_protocol = cfg->proxy_protocol,
		.idle_timeout = cfg->idle_timeout,
		.head_timeout = cfg->head_timeout,
		.connections_per_circuit = cfg->connections_per_circuit,
		.min_upload_rate = cfg->min_upload_rate,
	};
	struct timeval second = { 1, 0 };

	log_libevent();
	evmem_install();
	if ((srv->base = event_base_new()) == NULL ||
	    event_base_priority_init(srv->base, STOREQ_PRIORITIES) != 0) {
		log_error("cannot start the event loop");
		return -1;
	}
	if ((srv->conns = conn_pool_new(srv->base, &limits, &handlers,
	    srv)) == NULL)
		return -1;
	if ((srv->tick = event_new(srv->base, -1, EV_PERSIST, on_tick,
	    srv)) == NULL || event_add(srv->tick, &second) != 0 ||
	    add_signals(srv) != 0) {
		log_error("out of memory");
		return -1;
	}
	if (start_web(srv, st->store_fd) != 0)
		return -1;
	srv->listener = evconnlistener_new(srv->base, on_accept, srv,
	    LEV_OPT_CLOSE_ON_FREE, -1, st->listen_fd);
	if (srv->listener == NULL) {
		log_error("cannot listen on %s", cfg->socket);
		return -1;
	}
	evconnlistener_set_error_cb(srv->listener, on_accept_error);
	return 0;
}

/*
 * The lockdown (sandbox.h), then what makes threads: the key pool. Then
 * tell the supervisor this process serves.
 */
static int
lock_down(struct server *srv, const struct server_start *st)
{
	const struct sandbox_conf conf = {
		.role = SANDBOX_NETWORK,
		.uid = st->uid,
		.gid = st->gid,
		.data_dir = -1,
		.listen_fd = st->listen_fd,
	};
	struct sandbox_report report;
	const uint8_t ready = SUPERVISOR_READY;

	if (sandbox_enter(&conf, &report) != 0)
		return -1;
	sandbox_log(&report, "network process");
	if ((srv->web.keypool = keypool_new(srv->web.keys,
	    srv->web.nkeys)) == NULL) {
		log_error("cannot start the key pool (locked memory: see "
		    "LimitMEMLOCK in oniondropd(8))");
		return -1;
	}
	if (send(srv->parent_fd, &ready, 1, MSG_NOSIGNAL) != 1) {
		log_errno("network process: the supervisor has gone");
		return -1;
	}
	return 0;
}

static void
stop(struct server *srv)
{
	srv->shutting_down = 1;
	if (srv->listener != NULL)
		evconnlistener_free(srv->listener);
	conn_pool_free(srv->conns);
	log_counts(srv);
	keypool_free(srv->web.keypool);
	store_close(srv->web.store);
	sodium_memzero(&srv->web.secrets, sizeof(srv->web.secrets));
	ratelimit_free(srv->web.report_limit);
	ratelimit_free(srv->web.status_limit);
	if (srv->shutdown_timer != NULL)
		event_free(srv->shutdown_timer);
	if (srv->tick != NULL)
		event_free(srv->tick);
	if (srv->sigterm != NULL)
		event_free(srv->sigterm);
	if (srv->sigint != NULL)
		event_free(srv->sigint);
	if (srv->parent != NULL)
		event_free(srv->parent);
	if (srv->base != NULL)
		event_base_free(srv->base);
	libevent_global_shutdown();	/* its locks, allocated by evmem */
	close(srv->parent_fd);
}

int
server_run(const struct server_start *st)
{
	static struct server srv;
	int rc = 1;

	srv.cfg = st->cfg;
	srv.parent_fd = st->parent_fd;
	set_web(&srv.web, st->cfg);
	memcpy(srv.web.keys, st->keys, st->nkeys * sizeof(st->keys[0]));
	srv.web.nkeys = st->nkeys;
	if (start(&srv, st) != 0 || lock_down(&srv, st) != 0)
		goto out;
	if (event_base_dispatch(srv.base) == 0)
		rc = 0;
out:
	stop(&srv);
	return rc;
}
