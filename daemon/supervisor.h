/*
 * supervisor: oniondropd's parent process. It reads the configuration and
 * the analyst keys, binds the socket, and starts two children in the one
 * binary, with a socket between them and one to each:
 *   the store process (storeproc.h), which owns LMDB and the envelope
 *   files and is told only typed, bounded messages (storewire.h);
 *   the network process (server.h), which accepts on the socket, speaks
 *   HTTP and seals, and can reach the store only through those messages.
 * Then it does nothing else but: restart both when either dies (the other
 * is stopped first), hand SIGHUP's new analyst keys to the network
 * process, stop both in order on SIGTERM or SIGINT (the network process
 * finishes its reports, then the store its work), and write metrics_file
 * with the counts the store process sends. It parses nothing a visitor
 * sends and holds none of the store's secrets. A child never outlives it.
 */
#ifndef SUPERVISOR_H
#define SUPERVISOR_H

#include <stddef.h>

#include "config.h"
#include "keys.h"

/*
 * The parent's messages to the network process, one per packet of a
 * SOCK_SEQPACKET pair: SUPERVISOR_KEYS, then n (1..CONFIG_ANALYSTS_MAX),
 * then n public keys (KEYS_PUBLIC_BYTES, then KEYS_ID_BYTES each); and
 * the network process's one message to the parent, SUPERVISOR_READY, once
 * it serves.
 */
#define SUPERVISOR_KEYS 'K'
#define SUPERVISOR_READY 'R'
#define SUPERVISOR_KEY_BYTES (KEYS_PUBLIC_BYTES + KEYS_ID_BYTES)
#define SUPERVISOR_MSG_MAX (2 + CONFIG_ANALYSTS_MAX * SUPERVISOR_KEY_BYTES)

/*
 * supervisor_run(config_path):
 * Run the daemon in the foreground until SIGTERM or SIGINT; return the
 * process exit status (0 after a clean stop; 1 if it could not start, or
 * a child failed before the daemon ever served).
 */
int supervisor_run(const char *config_path);

/*
 * supervisor_load_keys(keys, n, cfg):
 * Read and parse every analyst_key file of cfg into keys; *n is set to
 * their number. Return 0, or -1 after logging which file is wrong.
 */
int supervisor_load_keys(struct keys_public *keys, size_t *n,
    const struct config *cfg);

/*
 * supervisor_keys_decode(msg, len, keys, n):
 * Read a SUPERVISOR_KEYS message into keys and *n. Return 0, or -1 if it
 * is not exactly one.
 */
int supervisor_keys_decode(const uint8_t *msg, size_t len,
    struct keys_public *keys, size_t *n);

#endif
