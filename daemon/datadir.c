/*
 * datadir: see datadir.h. A file is judged by the lstat-like result of
 * fstatat(AT_SYMLINK_NOFOLLOW) or by fstat of a descriptor opened with
 * O_NOFOLLOW, never by a call that follows a link.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "datadir.h"
#include "log.h"

/* Whether st, the file name, is of type and d's owner's; log why not. */
static int
judge(const struct datadir *d, const char *name, const struct stat *st,
    mode_t type)
{
	const char *what = NULL;

	if (S_ISLNK(st->st_mode))
		what = "a symbolic link";
	else if ((st->st_mode & S_IFMT) != type)
		what = type == S_IFDIR ? "not a directory" :
		    "not a regular file";
	if (what != NULL)
		log_error("store in %s: %s is %s: refused", d->path, name, what);
	else if (st->st_uid != d->uid)
		log_error("store in %s: %s belongs to uid %u, not to data_dir's "
		    "owner (uid %u): refused", d->path, name,
		    (unsigned)st->st_uid, (unsigned)d->uid);
	return what == NULL && st->st_uid == d->uid ? 0 : -1;
}

/* path without its trailing slashes, which would make open follow a link. */
static int
strip(char out[PATH_MAX], const char *path)
{
	size_t n = strlen(path);

	while (n > 1 && path[n - 1] == '/')
		n--;
	if (n >= PATH_MAX)
		return -1;
	memcpy(out, path, n);
	out[n] = '\0';
	return 0;
}

/*
 * datadir_open(d, path, create):
 * Open path as a directory without following a link (with create, make it
 * first, mode 0700, if missing) and note its owner. Return 0, or -1 after
 * logging why.
 */
int
datadir_open(struct datadir *d, const char *path, int create)
{
	char p[PATH_MAX];
	struct stat st;

	d->path = path;
	d->fd = -1;
	if (strip(p, path) != 0) {
		log_error("data_dir %s: path too long", path);
		return -1;
	}
	if (create && mkdir(p, 0700) != 0 && errno != EEXIST) {
		log_errno("cannot create %s", path);
		return -1;
	}
	if ((d->fd = open(p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) < 0) {
		if (lstat(p, &st) == 0 && S_ISLNK(st.st_mode))
			log_error("data_dir %s is a symbolic link: refused (name "
			    "the directory itself)", path);
		else
			log_errno("data_dir %s", path);
		return -1;
	}
	if (fstat(d->fd, &st) != 0) {
		log_errno("data_dir %s", path);
		datadir_close(d);
		return -1;
	}
	d->uid = st.st_uid;
	d->gid = st.st_gid;
	return 0;
}

/* datadir_close(d): close d; a closed d is a no-op. */
void
datadir_close(struct datadir *d)
{

	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

/*
 * datadir_check(d, name):
 * Whether the file name in data_dir is sound: a regular file (not a link)
 * owned by data_dir's owner. Return 0 if it is, 1 if there is no such
 * file, or -1 after logging why it is refused.
 */
int
datadir_check(const struct datadir *d, const char *name)
{
	struct stat st;

	if (fstatat(d->fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno == ENOENT)
			return 1;
		log_errno("store in %s: %s", d->path, name);
		return -1;
	}
	return judge(d, name, &st, S_IFREG);
}

/*
 * datadir_check_fd(d, name, fd):
 * The same for name opened as fd.
 */
int
datadir_check_fd(const struct datadir *d, const char *name, int fd)
{
	struct stat st;

	if (fstat(fd, &st) != 0) {
		log_errno("store in %s: %s", d->path, name);
		return -1;
	}
	return judge(d, name, &st, S_IFREG);
}

/*
 * datadir_subdir(d, name, create, fd):
 * Open the directory name in data_dir into *fd, without following a link
 * (with create, make it first, mode 0700, if missing); it must be owned
 * by data_dir's owner. Return 0, 1 if it is missing (never with create),
 * or -1 after logging why.
 */
int
datadir_subdir(const struct datadir *d, const char *name, int create, int *fd)
{
	struct stat st;
	int rc, err;

	if (create && mkdirat(d->fd, name, 0700) != 0 && errno != EEXIST) {
		log_errno("store in %s: cannot create %s", d->path, name);
		return -1;
	}
	if ((*fd = openat(d->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) < 0) {
		if ((err = errno) == ENOENT && !create)
			return 1;
		/* Say so if it is a link or a file; else why open failed. */
		if (fstatat(d->fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    judge(d, name, &st, S_IFDIR) == 0) {
			errno = err;
			log_errno("store in %s: %s", d->path, name);
		}
		return -1;
	}
	if ((rc = fstat(*fd, &st)) != 0)
		log_errno("store in %s: %s", d->path, name);
	else
		rc = judge(d, name, &st, S_IFDIR);
	if (rc != 0) {
		close(*fd);
		*fd = -1;
	}
	return rc;
}

int
datadir_become_owner(const struct datadir *d)
{

	if (setgroups(0, NULL) != 0 ||
	    setresgid(d->gid, d->gid, d->gid) != 0 ||
	    setresuid(d->uid, d->uid, d->uid) != 0) {
		log_errno("cannot become data_dir's owner (uid %u, gid %u)",
		    (unsigned)d->uid, (unsigned)d->gid);
		return -1;
	}
	/* The kernel made the process undumpable when its uid changed; keep
	 * it so: the daemon's user, which it now is, must not trace it or
	 * reach the bundle root created through /proc/PID/fd. */
	if (prctl(PR_SET_DUMPABLE, 0) != 0) {
		log_errno("prctl");
		return -1;
	}
	return 0;
}
