/*
 * casedir: see casedir.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "casedir.h"

int
casedir_id_ok(const char *id)
{
	return strlen(id) == CASEDIR_ID_LEN &&
	    strspn(id, "0123456789abcdef") == CASEDIR_ID_LEN;
}

int
casedir_name_ok(const char *name)
{
	return name[0] != '\0' && strchr(name, '/') == NULL &&
	    strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

int
casedir_attachments(int dirfd, const char *id)
{
	int rfd, afd, saved;

	if (!casedir_id_ok(id)) {
		errno = EINVAL;
		return -1;
	}
	if ((rfd = openat(dirfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) < 0)
		return -1;
	afd = openat(rfd, "attachments", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	saved = errno;
	close(rfd);
	errno = saved;
	return afd;
}

int
casedir_open(int attfd, const char *name)
{
	if (!casedir_name_ok(name)) {
		errno = EINVAL;
		return -1;
	}
	return openat(attfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
}
