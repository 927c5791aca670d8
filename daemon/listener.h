/*
 * listener: the one socket the daemon listens on, a Unix socket at a
 * filesystem path (never an IP socket). A stale socket left by a crash is
 * replaced; a live one (another server answering) is not; any other file
 * at the path is left alone and refused.
 */
#ifndef LISTENER_H
#define LISTENER_H

#include <sys/types.h>

/*
 * listener_open(path, mode, group):
 * Bind and listen on the Unix socket path, then set its mode and (if group
 * is not NULL) its group so tor's user can connect; group is a name or a
 * number, and the socket is chowned only if it was not made with that
 * group already (a setgid directory). Return the socket, or -1 after
 * logging why.
 */
int listener_open(const char *path, mode_t mode, const char *group);

/*
 * Descriptors the daemon keeps beside its connections: stdio, the event
 * loop's, LMDB's, the envelopes directory, an envelope file being written,
 * a reload's configuration and key files, one being accepted (14 measured
 * while idle).
 */
#define LISTENER_FDS_RESERVED 32

/*
 * listener_max_connections(wanted):
 * The most connections the descriptor limit (RLIMIT_NOFILE) allows, at
 * most wanted: the soft limit is raised toward the hard one if needed;
 * what it still lacks lowers the number, and that is logged.
 */
unsigned listener_max_connections(unsigned wanted);

#endif
