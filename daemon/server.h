/*
 * server: the running daemon's shared state, owned by server.c: the event
 * base, the configuration and analyst keys, the store, the per-circuit
 * limits, what the pages need to know, and the open connections. Nothing
 * here describes a visitor.
 */
#ifndef SERVER_H
#define SERVER_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <event2/listener.h>

#include "config.h"
#include "i18n.h"
#include "keypool.h"
#include "keys.h"
#include "pages.h"
#include "ratelimit.h"
#include "store.h"

struct conn;

struct server {
	struct event_base *base;
	const char *config_path;
	struct config cfg;
	struct keys_public keys[CONFIG_ANALYSTS_MAX];
	size_t nkeys;
	struct store *store;
	struct store_secrets secrets;	/* handed over by store_open */
	struct keypool *keypool;	/* report keys sealed ahead of time */
	struct ratelimit *report_limit;
	struct ratelimit *status_limit;
	struct page_site site;
	enum lang default_lang;
	struct evconnlistener *listener;
	struct conn *conns;		/* every open connection */
	size_t nconns;
	size_t nuploads;		/* large bodies being received (form.c) */
	/* Submissions refused because locked memory could not be had (mlock
	 * over LimitMEMLOCK): counted, and logged as a count once an hour. */
	unsigned long refused_locked_memory;
	unsigned long failed_connections;	/* no memory to take one */
	int shutting_down;
	int accept_paused;		/* out of descriptors: until the tick */
	int socket_bound;		/* ours to remove at exit */
	struct event *sigterm, *sigint, *sighup, *shutdown_timer;
	struct event *tick;		/* every second: conn_sweep */
	unsigned long ticks;
	uint8_t *body_buf;		/* CONN_BODY_BUF, locked (conn.c) */
};

/*
 * server_run(config_path):
 * Run the daemon in the foreground until SIGTERM or SIGINT; return the
 * process exit status (0 after a clean stop).
 */
int server_run(const char *config_path);

/* server_conn_closed(srv): a connection is gone (for limits, shutdown). */
void server_conn_closed(struct server *srv);

/*
 * server_conn_waiting(srv):
 * A connection has finished a request and waits for the next: it may be
 * evicted now, so a paused listener (every slot busy) may accept again.
 */
void server_conn_waiting(struct server *srv);

/*
 * server_load_keys(keys, n, cfg):
 * Read and parse every analyst_key file of cfg into keys; *n is set to
 * their number. Return 0, or -1 after logging which file is wrong.
 */
int server_load_keys(struct keys_public *keys, size_t *n,
    const struct config *cfg);

#endif
