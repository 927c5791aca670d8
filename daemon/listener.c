/*
 * listener: see listener.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "listener.h"
#include "log.h"

#define BACKLOG 128

static int
make_addr(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (path[0] != '/' || strlen(path) >= sizeof(sun->sun_path)) {
		log_error("socket %s: not an absolute path that fits a Unix socket",
		    path);
		return -1;
	}
	strcpy(sun->sun_path, path);
	return 0;
}

/* Is something answering on the socket at this address? */
static int
socket_is_live(const struct sockaddr_un *sun)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), live;

	if (fd < 0)
		return 1;	/* cannot tell: do not touch it */
	live = connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0 ||
	    errno != ECONNREFUSED;
	close(fd);
	return live;
}

/* Make room at path: remove a stale socket, refuse anything else. */
static int
clear_path(const char *path, const struct sockaddr_un *sun)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISSOCK(st.st_mode)) {
		log_error("socket %s: a file that is not a socket is in the way",
		    path);
		return -1;
	}
	if (socket_is_live(sun)) {
		log_error("socket %s: another server is listening on it", path);
		return -1;
	}
	if (unlink(path) != 0) {
		log_errno("socket %s: cannot remove the stale socket", path);
		return -1;
	}
	log_info("replaced a stale socket at %s", path);
	return 0;
}

/* A group name, or failing that a number (socket_group allows both). */
static int
group_id(const char *group, gid_t *gid)
{
	struct group *g = getgrnam(group);
	char *end;
	unsigned long n;

	if (g != NULL) {
		*gid = g->gr_gid;
		return 0;
	}
	n = strtoul(group, &end, 10);
	if (group[0] < '0' || group[0] > '9' || *end != '\0' ||
	    n >= (gid_t)-1) {
		log_error("socket_group %s: no such group", group);
		return -1;
	}
	*gid = (gid_t)n;
	return 0;
}

/*
 * The socket's group, changed only if it is not the group already: in a
 * setgid directory of that group (deploy/oniondropd.service) the socket
 * has it from the start, and the daemon needs neither membership of it
 * nor the chown system call, which the unit's filter denies.
 */
static int
set_owner(const char *path, mode_t mode, const char *group)
{
	struct stat st;
	gid_t gid;

	if (group != NULL) {
		if (group_id(group, &gid) != 0)
			return -1;
		if (lstat(path, &st) != 0 ||
		    (st.st_gid != gid && chown(path, (uid_t)-1, gid) != 0)) {
			log_errno("socket %s: cannot set its group to %s", path,
			    group);
			return -1;
		}
	}
	if (chmod(path, mode) != 0) {
		log_errno("socket %s: cannot set its mode", path);
		return -1;
	}
	return 0;
}

int
listener_open(const char *path, mode_t mode, const char *group)
{
	struct sockaddr_un sun;
	mode_t old_umask;
	int fd = -1, rc;

	if (make_addr(&sun, path) != 0 || clear_path(path, &sun) != 0)
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) < 0) {
		log_errno("socket");
		return -1;
	}
	old_umask = umask(0177);	/* nobody else in until the mode is set */
	rc = bind(fd, (const struct sockaddr *)&sun, sizeof(sun));
	umask(old_umask);
	if (rc != 0) {
		log_errno("socket %s: cannot bind", path);
		goto err;
	}
	if (set_owner(path, mode, group) != 0)
		goto err_unlink;
	if (listen(fd, BACKLOG) != 0) {
		log_errno("socket %s: cannot listen", path);
		goto err_unlink;
	}
	return fd;
err_unlink:
	unlink(path);
err:
	close(fd);
	return -1;
}

unsigned
listener_max_connections(unsigned wanted)
{
	rlim_t need = (rlim_t)wanted + LISTENER_FDS_RESERVED;
	struct rlimit rl;
	unsigned fit;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= need)
		return wanted;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max < need ? rl.rlim_max : need;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			getrlimit(RLIMIT_NOFILE, &rl);
		if (rl.rlim_cur >= need)
			return wanted;
	}
	fit = rl.rlim_cur > LISTENER_FDS_RESERVED ?
	    (unsigned)(rl.rlim_cur - LISTENER_FDS_RESERVED) : 1;
	log_error("max_connections lowered from %u to %u: the descriptor limit "
	    "is %llu, and the daemon keeps %d for itself (raise LimitNOFILE, "
	    "see oniondropd(8))", wanted, fit,
	    (unsigned long long)rl.rlim_cur, LISTENER_FDS_RESERVED);
	return fit;
}
