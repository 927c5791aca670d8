/*
 * compromise: see compromise.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "compromise.h"

#define PREFIX "/compromise"

/*
 * Copy the value of query parameter name ("what=") from the query q into
 * out (size n); "" if it is absent or too long.
 */
static void
param(const char *q, const char *name, char *out, size_t n)
{
	size_t nlen = strlen(name), vlen;

	out[0] = '\0';
	for (; q != NULL; q = strchr(q, '&')) {
		q += *q == '&';
		if (strncmp(q, name, nlen) != 0)
			continue;
		vlen = strcspn(q + nlen, "&");
		if (vlen < n) {
			memcpy(out, q + nlen, vlen);
			out[vlen] = '\0';
		}
		return;
	}
}

/* A descriptor was had: the call worked. */
static int
worked(int fd)
{
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int
ip_socket(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
	    .sin_port = htons(9), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd, rc;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	rc = connect(fd, (struct sockaddr *)&sin, sizeof(sin));
	/* Refused: the host's loopback answered, so it was reached. */
	if (rc != 0 && errno == ECONNREFUSED)
		rc = 0;
	close(fd);
	return rc;
}

static int
exec_shell(void)
{
	char *const argv[] = { "sh", "-c",
	    "echo 'compromise: exec SUCCEEDED' >&2", NULL };
	char *const envp[] = { NULL };

	return execve("/bin/sh", argv, envp);
}

/* Try what; 0 if it worked, -1 with errno if not. */
static int
attempt(const char *what, const char *path)
{
	if (strcmp(what, "open-store") == 0)
		return worked(open(path, O_RDWR | O_CLOEXEC));
	if (strcmp(what, "unlink") == 0)
		return unlink(path);
	if (strcmp(what, "ip-socket") == 0)
		return ip_socket();
	if (strcmp(what, "exec") == 0)
		return exec_shell();
	if (strcmp(what, "write-outside") == 0)
		return worked(open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	errno = EINVAL;
	return -1;
}

int
compromise_answer(struct conn *c, const struct http_request *req)
{
	const char *q = req->target + strlen(PREFIX);
	char what[32], path[PATH_MAX];
	const char *ename;
	struct evbuffer *b;

	if (req->method != HTTP_METHOD_GET ||
	    strncmp(req->target, PREFIX, strlen(PREFIX)) != 0 ||
	    (*q != '\0' && *q != '?'))
		return 0;
	param(*q ? q + 1 : NULL, "what=", what, sizeof(what));
	param(*q ? q + 1 : NULL, "path=", path, sizeof(path));
	if ((b = evbuffer_new()) == NULL) {
		conn_respond(c, 500, NULL, NULL, NULL);
		return 1;
	}
	if (attempt(what, path) == 0) {
		evbuffer_add_printf(b, "SUCCEEDED\n");
	} else {
		ename = strerrorname_np(errno);
		evbuffer_add_printf(b, "blocked %s\n", ename ? ename : "?");
	}
	conn_respond(c, 200, "text/plain; charset=utf-8", b, NULL);
	evbuffer_free(b);
	return 1;
}
