/*
 * datadir: the store's directory, data_dir, and the rule for everything in
 * it: nothing there is a link, and everything belongs to one user, the
 * owner of data_dir (the daemon's user). The admin commands may run as root
 * on what a compromised server wrote: they open data_dir here, take its
 * owner from it, and become that user before LMDB opens a file (admin.c);
 * every file they then open is checked here first. The server keeps the
 * same rule, so that what it accepts the admin commands accept too.
 *
 * Functions log why they refuse, naming the path.
 */
#ifndef DATADIR_H
#define DATADIR_H

#include <sys/types.h>

struct datadir {
	const char *path;		/* as configured (not copied) */
	int fd;				/* the directory itself, or -1 */
	uid_t uid;			/* its owner: every file's owner */
	gid_t gid;			/* its group */
};

/*
 * datadir_open(d, path, create):
 * Open path as a directory without following a link (with create, make it
 * first, mode 0700, if missing) and note its owner. Return 0, or -1 after
 * logging why.
 */
int datadir_open(struct datadir *d, const char *path, int create);

/*
 * datadir_become_owner(d):
 * Give up root for d's owner, for good: its uid and gid, no supplementary
 * group, and not dumpable (the daemon's user must not trace the process
 * nor reach what it opened as root through /proc/PID/fd). Return 0, or -1
 * after logging why.
 */
int datadir_become_owner(const struct datadir *d);

/* datadir_close(d): close d; a closed d is a no-op. */
void datadir_close(struct datadir *d);

/*
 * datadir_check(d, name):
 * Whether the file name in data_dir is sound: a regular file (not a link)
 * owned by data_dir's owner. Return 0 if it is, 1 if there is no such
 * file, or -1 after logging why it is refused.
 */
int datadir_check(const struct datadir *d, const char *name);

/*
 * datadir_check_fd(d, name, fd):
 * The same for name opened as fd.
 */
int datadir_check_fd(const struct datadir *d, const char *name, int fd);

/*
 * datadir_subdir(d, name, create, fd):
 * Open the directory name in data_dir into *fd, without following a link
 * (with create, make it first, mode 0700, if missing); it must be owned
 * by data_dir's owner. Return 0, 1 if it is missing (never with create),
 * or -1 after logging why.
 */
int datadir_subdir(const struct datadir *d, const char *name, int create,
    int *fd);

#endif
