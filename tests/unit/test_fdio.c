/* test_fdio: lib/fdio moves every byte, through signals and short pipes. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdio.h"
#include "tap.h"

#define BIG (3 * 1024 * 1024)	/* far more than a socket buffer holds */

static void
on_alarm(int sig)
{
}

static uint8_t out[BIG], in[BIG];

/* A child writes BIG bytes through fdio while a timer interrupts it. */
static void
test_whole(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	int fds[2], status;
	pid_t pid;

	for (size_t i = 0; i < BIG; i++)
		out[i] = (uint8_t)(i * 131 + 7);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0 ||
	    (pid = fork()) < 0) {
		ok(0, "socketpair and fork");
		return;
	}
	if (pid == 0) {
		close(fds[0]);
		sigaction(SIGALRM, &sa, NULL);	/* no SA_RESTART: EINTR */
		ualarm(1000, 1000);
		_exit(fdio_write_all(fds[1], out, BIG) == 0 ? 0 : 1);
	}
	close(fds[1]);
	sigaction(SIGALRM, &sa, NULL);
	ualarm(1000, 1000);
	ok(fdio_read_exactly(fds[0], in, BIG) == 0 &&
	    memcmp(in, out, BIG) == 0, "3 MiB through a socket, interrupted "
	    "every millisecond on both sides, arrive whole");
	ualarm(0, 0);
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "... and the writer saw every byte taken");
	is_int(fdio_read_exactly(fds[0], in, 1), EPIPE,
	    "a read past the end says EPIPE");
	close(fds[0]);
}

static void
test_errors(void)
{
	int fds[2];

	signal(SIGPIPE, SIG_IGN);
	if (pipe(fds) != 0) {
		ok(0, "pipe");
		return;
	}
	close(fds[0]);
	is_int(fdio_write_all(fds[1], out, 10), EPIPE,
	    "a write to a closed pipe says EPIPE");
	close(fds[1]);
	is_int(fdio_write_all(-1, out, 1), EBADF, "a bad descriptor says EBADF");
	is_int(fdio_read_exactly(-1, in, 1), EBADF, "... to a read too");
	is_int(fdio_write_all(-1, out, 0), 0, "nothing to write: done");
}

int
main(void)
{
	test_whole();
	test_errors();
	return tap_done();
}
