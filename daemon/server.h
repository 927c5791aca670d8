/*
 * server: the network process, a child of the supervisor (supervisor.h):
 * it takes the configuration, the analyst keys and the listening socket
 * from it, reaches the store only through the store channel (store.h),
 * locks itself down (sandbox.h: no file, no new socket, an empty network
 * namespace), then hands connections to conn with the router as their
 * handler, keeps the slots and the shutdown, and logs counts. Its state
 * is its own; the reporter-facing handlers see only struct web (web.h).
 * Nothing here describes a visitor.
 */
#ifndef SERVER_H
#define SERVER_H

#include <stddef.h>
#include <sys/types.h>

#include "config.h"
#include "keys.h"

/* What the supervisor hands the network process. */
struct server_start {
	const struct config *cfg;
	const struct keys_public *keys;
	size_t nkeys;
	int listen_fd;			/* listening already */
	int store_fd;			/* the store channel */
	int parent_fd;			/* the supervisor (supervisor.h) */
	uid_t uid;			/* started as root: become these */
	gid_t gid;
};

/*
 * server_run(st):
 * Run the network process until SIGTERM or SIGINT, or until the
 * supervisor goes; return the process exit status (0 after a clean stop).
 */
int server_run(const struct server_start *st);

#endif
