/*
 * server: see server.h. Start-up reads everything that can be wrong (the
 * configuration, the analyst keys, the onion service's keys) before the
 * socket opens; shutdown stops accepting, lets commits in flight finish,
 * then closes the store.
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
#include <event2/thread.h>
#include <sodium.h>

#include "conn.h"
#include "evmem.h"
#include "listener.h"
#include "log.h"
#include "metrics.h"
#include "onion.h"
#include "router.h"
#include "server.h"
#include "web.h"

#define KEY_FILE_MAX 1024
#define RATELIMIT_SLOTS 65536
#define SHUTDOWN_GRACE 30
/* Counts of refusals are logged at most this often (never one by one:
 * the journal would date each refused visitor). */
#define COUNTS_EVERY 3600

struct server {
	struct event_base *base;
	const char *config_path;
	struct config cfg;
	struct web web;			/* what the handlers see */
	struct conn_pool *conns;	/* every open connection */
	struct evconnlistener *listener;
	unsigned long failed_connections;	/* no memory to take one */
	int shutting_down;
	int accept_paused;		/* out of descriptors: until the tick */
	int socket_bound;		/* ours to remove at exit */
	struct event *sigterm, *sigint, *sighup, *shutdown_timer;
	struct event *tick;		/* every second: conn_sweep */
	unsigned long ticks;
	struct event *metrics;		/* every metrics_interval, if set */
	time_t started;			/* for the metrics' uptime bucket */
};

static int
load_key_file(struct keys_public *key, const char *path)
{
	char buf[KEY_FILE_MAX + 1];
	const char *why;
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL) {
		log_errno("analyst_key %s", path);
		return -1;
	}
	n = fread(buf, 1, KEY_FILE_MAX, f);
	fclose(f);
	if (keys_public_parse(key, buf, n, &why) != 0) {
		log_error("analyst_key %s: %s", path, why);
		return -1;
	}
	return 0;
}

int
server_load_keys(struct keys_public *keys, size_t *n, const struct config *cfg)
{
	for (size_t i = 0; i < cfg->n_analyst_keys; i++)
		if (load_key_file(&keys[i], cfg->analyst_keys[i]) != 0)
			return -1;
	*n = cfg->n_analyst_keys;
	return 0;
}

/* With tor_hs_dir: the address from tor's key, checked against hostname. */
static int
show_onion_address(const char *hs_dir)
{
	uint8_t from_key[32], from_hostname[32];
	char address[ONION_ADDRESS_SIZE];
	const char *why;

	if (onion_pubkey_read(hs_dir, from_key, &why) != 0 ||
	    onion_hostname_read(hs_dir, from_hostname, &why) != 0) {
		log_error("tor_hs_dir %s: %s", hs_dir, why);
		return -1;
	}
	if (memcmp(from_key, from_hostname, sizeof(from_key)) != 0) {
		log_error("tor_hs_dir %s: hostname does not match hs_ed25519_public_key",
		    hs_dir);
		return -1;
	}
	onion_address_from_pubkey(address, from_key);
	log_info("onion address: %s", address);
	return 0;
}

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

/* systemd Type=notify: say READY=1 on $NOTIFY_SOCKET (a Unix socket). */
static void
notify_ready(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (path == NULL || (path[0] != '/' && path[0] != '@') ||
	    strlen(path) >= sizeof(sun.sun_path))
		return;
	strcpy(sun.sun_path, path);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';	/* abstract namespace */
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return;
	sendto(fd, "READY=1", 7, 0, (struct sockaddr *)&sun,
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path)));
	close(fd);
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
	    n + 1 == srv->cfg.max_connections)
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
	    conn_count(srv->conns) >= srv->cfg.max_connections)
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
	unsigned max = srv->cfg.max_connections;

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
	    (conn_count(srv->conns) < srv->cfg.max_connections ||
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

/* The store's counts came: write metrics_file (metrics.h). */
static void
on_counts(void *arg, const struct store_counts *c)
{
	struct server *srv = arg;
	int rc;

	if (c == NULL)
		log_error("metrics_file: the store could not be counted");
	else if ((rc = metrics_write(srv->cfg.metrics_file, c,
	    time(NULL) - srv->started)) != 0)
		log_error("metrics_file %s: %s", srv->cfg.metrics_file,
		    strerror(rc));
}

/* Every metrics_interval, whatever visitors do: count, then write. */
static void
on_metrics(evutil_socket_t fd, short what, void *arg)
{
	struct server *srv = arg;

	store_counts(srv->web.store, on_counts, srv);
}

/*
 * With metrics_file: the timer, and a first write at once (the file says
 * the daemon runs from its start).
 */
static int
start_metrics(struct server *srv)
{
	struct timeval every = { srv->cfg.metrics_interval, 0 };

	srv->started = time(NULL);
	if (srv->cfg.metrics_file == NULL)
		return 0;
	if ((srv->metrics = event_new(srv->base, -1, EV_PERSIST, on_metrics,
	    srv)) == NULL || event_add(srv->metrics, &every) != 0) {
		log_error("out of memory");
		return -1;
	}
	on_metrics(-1, 0, srv);
	return 0;
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
	log_info("stopping (signal %d): finishing reports in flight", (int)sig);
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

/* SIGHUP: read the analyst keys again; keep the old ones on any error. */
static void
on_reload(evutil_socket_t sig, short what, void *arg)
{
	struct server *srv = arg;
	struct config cfg;
	struct config_problems problems;
	struct keys_public keys[CONFIG_ANALYSTS_MAX];
	size_t n;

	config_problems_init(&problems);
	if (config_load(&cfg, srv->config_path, &problems) != 0) {
		config_print_problems(stderr, srv->config_path, &problems);
		log_error("reload: configuration has problems; keeping the old keys");
		config_free(&cfg);
		return;
	}
	if (server_load_keys(keys, &n, &cfg) != 0) {
		log_error("reload: keeping the old analyst keys");
		config_free(&cfg);
		return;
	}
	memcpy(srv->web.keys, keys, sizeof(keys));
	srv->web.nkeys = n;
	keypool_set_keys(srv->web.keypool, keys, n);
	config_free(&cfg);
	log_info("reload: %zu analyst key%s", n, n == 1 ? "" : "s");
}

static int
add_signals(struct server *srv)
{
	signal(SIGPIPE, SIG_IGN);
	srv->sigterm = evsignal_new(srv->base, SIGTERM, on_stop, srv);
	srv->sigint = evsignal_new(srv->base, SIGINT, on_stop, srv);
	srv->sighup = evsignal_new(srv->base, SIGHUP, on_reload, srv);
	if (srv->sigterm == NULL || srv->sigint == NULL || srv->sighup == NULL)
		return -1;
	return (event_add(srv->sigterm, NULL) | event_add(srv->sigint, NULL) |
	    event_add(srv->sighup, NULL)) == 0 ? 0 : -1;
}

static int
load_everything(struct server *srv, const char *config_path)
{
	struct config_problems problems;

	srv->config_path = config_path;
	config_problems_init(&problems);
	if (config_load(&srv->cfg, config_path, &problems) != 0) {
		config_print_problems(stderr, config_path, &problems);
		return -1;
	}
	if (server_load_keys(srv->web.keys, &srv->web.nkeys, &srv->cfg) != 0)
		return -1;
	if (srv->cfg.tor_hs_dir != NULL && show_onion_address(srv->cfg.tor_hs_dir) != 0)
		return -1;
	set_web(&srv->web, &srv->cfg);
	return 0;
}

/* What the handlers use besides the configuration: the per-circuit limits,
 * the store (and its secrets), the key pool. */
static int
start_web(struct server *srv)
{
	const struct config *cfg = &srv->cfg;
	struct web *w = &srv->web;

	w->report_limit = ratelimit_new(cfg->reports_per_circuit_per_hour,
	    RATELIMIT_SLOTS);
	w->status_limit = ratelimit_new(cfg->status_lookups_per_circuit_per_hour,
	    RATELIMIT_SLOTS);
	if (w->report_limit == NULL || w->status_limit == NULL) {
		log_error("out of memory");
		return -1;
	}
	if ((w->store = store_open(cfg->data_dir, cfg->max_store_size,
	    srv->base, &w->secrets)) == NULL)
		return -1;
	if ((w->keypool = keypool_new(w->keys, w->nkeys)) == NULL) {
		log_error("cannot start the key pool (locked memory: see "
		    "LimitMEMLOCK in oniondropd(8))");
		return -1;
	}
	return 0;
}

static int
start(struct server *srv)
{
	const struct config *cfg = &srv->cfg;
	const struct conn_limits limits = {
		.proxy_protocol = cfg->proxy_protocol,
		.idle_timeout = cfg->idle_timeout,
		.head_timeout = cfg->head_timeout,
		.connections_per_circuit = cfg->connections_per_circuit,
		.min_upload_rate = cfg->min_upload_rate,
	};
	struct timeval second = { 1, 0 };
	int fd;

	log_libevent();
	evmem_install();
	if (evthread_use_pthreads() != 0 || (srv->base = event_base_new()) == NULL) {
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
	if (start_web(srv) != 0 || start_metrics(srv) != 0)
		return -1;
	srv->cfg.max_connections = listener_max_connections(cfg->max_connections);
	if ((fd = listener_open(cfg->socket, cfg->socket_mode,
	    cfg->socket_group)) < 0)
		return -1;
	srv->socket_bound = 1;
	srv->listener = evconnlistener_new(srv->base, on_accept, srv,
	    LEV_OPT_CLOSE_ON_FREE, -1, fd);
	if (srv->listener == NULL) {
		log_error("cannot listen on %s", cfg->socket);
		close(fd);
		return -1;
	}
	evconnlistener_set_error_cb(srv->listener, on_accept_error);
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
	if (srv->socket_bound)
		unlink(srv->cfg.socket);
	ratelimit_free(srv->web.report_limit);
	ratelimit_free(srv->web.status_limit);
	if (srv->shutdown_timer != NULL)
		event_free(srv->shutdown_timer);
	if (srv->tick != NULL)
		event_free(srv->tick);
	if (srv->metrics != NULL)
		event_free(srv->metrics);
	if (srv->sigterm != NULL)
		event_free(srv->sigterm);
	if (srv->sigint != NULL)
		event_free(srv->sigint);
	if (srv->sighup != NULL)
		event_free(srv->sighup);
	if (srv->base != NULL)
		event_base_free(srv->base);
	libevent_global_shutdown();	/* its locks, allocated by evmem */
	config_free(&srv->cfg);
}

int
server_run(const char *config_path)
{
	static struct server srv;
	int rc = 1;

	if (load_everything(&srv, config_path) != 0 || start(&srv) != 0)
		goto out;
	log_info("listening on %s with %zu analyst key%s", srv.cfg.socket,
	    srv.web.nkeys, srv.web.nkeys == 1 ? "" : "s");
	notify_ready();
	if (event_base_dispatch(srv.base) == 0)
		rc = 0;
	log_info("stopped");
out:
	stop(&srv);
	return rc;
}
