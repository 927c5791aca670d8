/*
 * server: the running daemon, put together: it reads the configuration
 * and the analyst keys, opens the store, the key pool and the socket,
 * hands connections to conn with the router as their handler, keeps the
 * slots and the shutdown, and logs counts. Its state is its own; the
 * reporter-facing handlers see only struct web (web.h). Nothing here
 * describes a visitor.
 */
#ifndef SERVER_H
#define SERVER_H

#include <stddef.h>

#include "config.h"
#include "keys.h"

/*
 * server_run(config_path):
 * Run the daemon in the foreground until SIGTERM or SIGINT; return the
 * process exit status (0 after a clean stop).
 */
int server_run(const char *config_path);

/*
 * server_load_keys(keys, n, cfg):
 * Read and parse every analyst_key file of cfg into keys; *n is set to
 * their number. Return 0, or -1 after logging which file is wrong.
 */
int server_load_keys(struct keys_public *keys, size_t *n,
    const struct config *cfg);

#endif
