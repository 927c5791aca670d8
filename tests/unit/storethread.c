/*
 * storethread: see storethread.h.
 */
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include "storerecv.h"
#include "storethread.h"
#include "storewriter.h"

struct served {
	struct storewriter *w;
	struct storerecv *r;
};

static pthread_t thread;
static int running;
static struct served served;

static void *
serve(void *arg)
{
	struct served *sv = arg;

	storewriter_run(sv->w, sv->r, NULL, NULL, 0);
	storerecv_free(sv->r);
	storewriter_close(sv->w);
	return NULL;
}

int
storethread_writer(const char *dir, uint64_t max,
    struct store_secrets *secrets)
{
	int fds[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
		return -1;
	if ((served.w = storewriter_open(dir, max, secrets)) == NULL ||
	    (served.r = storerecv_new(fds[1], secrets)) == NULL) {
		storewriter_close(served.w);
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pthread_create(&thread, NULL, serve, &served) != 0) {
		storerecv_free(served.r);
		storewriter_close(served.w);
		close(fds[0]);
		return -1;
	}
	running = 1;
	return fds[0];
}

void
storethread_join(void)
{

	if (running)
		pthread_join(thread, NULL);
	running = 0;
}

struct store *
storethread_open(const char *dir, uint64_t max, struct event_base *base,
    struct store_secrets *secrets)
{
	struct store *s;
	int fd;

	if ((fd = storethread_writer(dir, max, secrets)) < 0)
		return NULL;
	if ((s = store_open(base, fd, secrets)) == NULL)
		storethread_join();
	return s;
}

void
storethread_close(struct store *s)
{

	store_close(s);
	storethread_join();
}
