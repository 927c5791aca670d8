/*
 * storeproc: the store process, a child of the supervisor. It opens the
 * store in data_dir (as data_dir's owner when started as root), greets the
 * network process with the server secret, locks itself down (sandbox.h:
 * files beneath data_dir only, no socket, no program), then serves the
 * store channel (storewriter.h) until the network process closes it, and
 * sends the supervisor the store's counts every metrics_interval. SIGTERM
 * and SIGINT do not stop it: it stops when the network process has gone,
 * once the work that process sent is done.
 */
#ifndef STOREPROC_H
#define STOREPROC_H

#include "config.h"

struct storeproc_start {
	const struct config *cfg;
	int channel_fd;			/* to the network process */
	int parent_fd;			/* to the supervisor: counts */
};

/* storeproc_run(st): run the store process; return its exit status. */
int storeproc_run(const struct storeproc_start *st);

#endif
