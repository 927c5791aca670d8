/*
 * chanbench: what it costs to move a large upload's ciphertext from the
 * network process to the store process (issue 13), measured alone. TOTAL
 * bytes (1 GB) go as MSG-byte messages (256 KiB) from a sender process to a
 * file that a receiver process created, fsync'd at the end, either
 *   socket  over an AF_UNIX SOCK_STREAM socketpair, each message a 16-byte
 *           header and its bytes: the receiver reads each into one buffer
 *           and pwrites it to the file (what the store process does, less
 *           its copy of each frame); or
 *   fd      by the sender itself, pwrite to a write-only descriptor of the
 *           file that the receiver opened and passed to it (SCM_RIGHTS);
 *           the socket then carries only the "done" after which the
 *           receiver fsyncs.
 * Either way the receiver answers once its fsync has returned; the time is
 * from its first frame (which carries the descriptor) to that answer. For
 * each run it prints the seconds, GB/s (10^9 bytes) and each process's
 * user and system CPU (getrusage; the receiver's from wait4, its whole
 * life), and then each mode's medians.
 *
 * After an fd run's answer, the sender writes a block at offset 0 through
 * the descriptor it still holds and the receiver reads the file back:
 * "written after commit" says whether a sender could still change a file
 * the store has already committed (it can: nothing revokes a descriptor).
 *
 *   chanbench [-d] [-n] [-b BYTES] [-s TOTAL] [-m MSG] [-r RUNS] DIR
 *     -d  the file opened O_DIRECT (as the daemon's envelope files are);
 *         buffers are page-aligned, MSG a multiple of 4096, TOTAL rounded
 *         up to one
 *     -n  the socket alone: its receiver drops the bytes (no file, no fd run)
 *     -b  SO_SNDBUF of the sender's end and SO_RCVBUF of the receiver's
 *         (SO_*BUFFORCE when allowed); the kernel's default otherwise
 *     -r  RUNS of each mode (3), taking turns
 * The file is DIR/chanbench.PID, removed at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fdio.h"

#define RUNS_MAX 99
#define ALIGN 4096

enum mode { SOCKET, FD };
static const char *const mode_name[] = { "socket", "fd" };

/* What the sender sends: a message's bytes (len > 0) at off, or the end. */
struct frame {
	uint64_t len;
	uint64_t off;
};

struct opts {
	int direct;
	int drop;
	int sockbuf;
	uint64_t total;
	size_t msg;
	int runs;
	char path[4096];
};

/* One run's figures. */
struct result {
	double secs;
	double send_user, send_sys;	/* CPU seconds */
	double recv_user, recv_sys;
	int after_commit;		/* fd: the late write reached the file */
};

static void
die(const char *what)
{

	perror(what);
	exit(1);
}

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double
tv(struct timeval t)
{

	return (double)t.tv_sec + (double)t.tv_usec / 1e6;
}

/* A frame and its bytes in one writev, written whole. */
static int
send_frame(int s, const struct frame *f, const uint8_t *bytes)
{
	struct iovec iov[2] = {
		{ (void *)f, sizeof(*f) }, { (void *)bytes, f->len }
	};
	struct iovec *v = iov;
	int cnt = f->len > 0 ? 2 : 1;
	ssize_t n;

	while (cnt > 0) {
		if ((n = writev(s, v, cnt)) < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		while (cnt > 0 && (size_t)n >= v->iov_len) {
			n -= (ssize_t)v->iov_len;
			v++;
			cnt--;
		}
		if (cnt > 0) {
			v->iov_base = (char *)v->iov_base + n;
			v->iov_len -= (size_t)n;
		}
	}
	return 0;
}

/* Send one byte and, if fd >= 0, the descriptor fd with it. */
static int
send_fd(int s, int fd)
{
	char c = 'r';
	struct iovec iov = { &c, 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (fd >= 0) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	return sendmsg(s, &mh, 0) == 1 ? 0 : -1;
}

/* Receive send_fd's byte; *fd the descriptor it carried, or -1. */
static int
recv_fd(int s, int *fd)
{
	char c;
	struct iovec iov = { &c, 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf)
	};
	struct cmsghdr *cm;

	*fd = -1;
	if (recvmsg(s, &mh, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	if ((cm = CMSG_FIRSTHDR(&mh)) != NULL &&
	    cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
		memcpy(fd, CMSG_DATA(cm), sizeof(int));
	return 0;
}

static void
set_buf(int s, int force, int plain, int bytes)
{

	if (bytes > 0 && setsockopt(s, SOL_SOCKET, force, &bytes,
	    sizeof(bytes)) != 0 && setsockopt(s, SOL_SOCKET, plain, &bytes,
	    sizeof(bytes)) != 0)
		die("setsockopt");
}

static void *
aligned(size_t len)
{
	void *p;

	if (posix_memalign(&p, ALIGN, len) != 0)
		die("posix_memalign");
	return p;
}

/* ---- the receiver (the store's side) ---- */

/* Socket mode: each message into buf, then to the file (unless dropped). */
static int
receive_bytes(const struct opts *o, int s, int fd)
{
	uint8_t *buf = aligned(o->msg);
	struct frame f;
	int rc = -1;

	for (;;) {
		if (fdio_read_exactly(s, &f, sizeof(f)) != 0 || f.len > o->msg)
			goto out;
		if (f.len == 0)
			break;
		if (fdio_read_exactly(s, buf, f.len) != 0)
			goto out;
		if (fd >= 0 && pwrite(fd, buf, f.len, (off_t)f.off) !=
		    (ssize_t)f.len)
			goto out;
	}
	rc = 0;
out:
	free(buf);
	return rc;
}

/* After the answer, fd mode: does the file now hold the sender's block? */
static void
check_late_write(int s, const char *path, size_t len)
{
	uint8_t *want = malloc(len), *got = malloc(len);
	char yes = 0;
	int fd;

	if (want == NULL || got == NULL)
		die("malloc");
	if (fdio_read_exactly(s, want, len) == 0 &&
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		yes = pread(fd, got, len, 0) == (ssize_t)len &&
		    memcmp(want, got, len) == 0;
		close(fd);
	}
	(void)fdio_write_all(s, &yes, 1);
	free(want);
	free(got);
}

static int
receiver(const struct opts *o, enum mode m, int s)
{
	int fd = -1, flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC;
	struct frame f;
	char ok = 'k';

	if (!o->drop && (fd = open(o->path, flags |
	    (o->direct ? O_DIRECT : 0), 0600)) < 0)
		die(o->path);
	if (send_fd(s, m == FD ? fd : -1) != 0)
		return 1;
	if (m == SOCKET ? receive_bytes(o, s, fd) != 0 :
	    fdio_read_exactly(s, &f, sizeof(f)) != 0 || f.len != 0)
		return 1;
	if (fd >= 0 && fsync(fd) != 0)
		die("fsync");
	if (fdio_write_all(s, &ok, 1) != 0)
		return 1;
	if (m == FD)
		check_late_write(s, o->path, ALIGN);
	return 0;
}

/* ---- the sender (the network's side) ---- */

/* Send o->total bytes, a message at a time, then the end. */
static int
send_bytes(const struct opts *o, enum mode m, int s, int fd, uint8_t *buf)
{
	struct frame f;
	uint64_t off, n;

	for (off = 0; off < o->total; off += n) {
		n = o->total - off < o->msg ? o->total - off : o->msg;
		memcpy(buf, &off, sizeof(off));	/* no two alike */
		f.len = n;
		f.off = off;
		if (m == SOCKET ? send_frame(s, &f, buf) != 0 :
		    pwrite(fd, buf, n, (off_t)off) != (ssize_t)n)
			return -1;
	}
	f.len = f.off = 0;
	return send_frame(s, &f, NULL);
}

/* fd mode, after the answer: write through the descriptor still held. */
static int
late_write(int s, int fd, uint8_t *buf)
{
	char yes;

	if (getrandom(buf, ALIGN, 0) != ALIGN ||
	    pwrite(fd, buf, ALIGN, 0) != ALIGN ||
	    fdio_write_all(s, buf, ALIGN) != 0 || fdio_read_exactly(s, &yes, 1) != 0)
		return -1;
	return yes;
}

static void
one_run(const struct opts *o, enum mode m, uint8_t *buf, struct result *r)
{
	struct rusage a, b, child;
	int sv[2], fd = -1, status;
	double t0;
	char ok;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		die("socketpair");
	set_buf(sv[0], SO_SNDBUFFORCE, SO_SNDBUF, o->sockbuf);
	set_buf(sv[1], SO_RCVBUFFORCE, SO_RCVBUF, o->sockbuf);
	if ((pid = fork()) < 0)
		die("fork");
	if (pid == 0) {
		close(sv[0]);
		_exit(receiver(o, m, sv[1]));
	}
	close(sv[1]);
	if (recv_fd(sv[0], &fd) != 0 || (m == FD && fd < 0))
		die("the receiver's first frame");
	getrusage(RUSAGE_SELF, &a);
	t0 = now();
	if (send_bytes(o, m, sv[0], fd, buf) != 0 ||
	    fdio_read_exactly(sv[0], &ok, 1) != 0)
		die("sending");
	r->secs = now() - t0;
	getrusage(RUSAGE_SELF, &b);
	if (m == FD && (r->after_commit = late_write(sv[0], fd, buf)) < 0)
		die("the late write");
	if (fd >= 0)
		close(fd);
	close(sv[0]);
	if (wait4(pid, &status, 0, &child) != pid ||
	    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die("the receiver failed");
	r->send_user = tv(b.ru_utime) - tv(a.ru_utime);
	r->send_sys = tv(b.ru_stime) - tv(a.ru_stime);
	r->recv_user = tv(child.ru_utime);
	r->recv_sys = tv(child.ru_stime);
}

static void
print_result(const char *label, enum mode m, const struct opts *o,
    const struct result *r)
{
	double gb = (double)o->total / 1e9;

	printf("%-14s %7.3f s %6.2f GB/s   sender %5.3f+%5.3f s   "
	    "receiver %5.3f+%5.3f s   CPU %5.3f s/GB", label, r->secs,
	    gb / r->secs, r->send_user, r->send_sys, r->recv_user,
	    r->recv_sys, (r->send_user + r->send_sys + r->recv_user +
	    r->recv_sys) / gb);
	if (m == FD)
		printf("   written after commit: %s",
		    r->after_commit ? "yes" : "no");
	printf("\n");
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of field at offset off over n results. */
static double
median(const struct result *rs, int n, size_t off)
{
	double v[RUNS_MAX] = { 0 };

	if (n < 1)
		return 0;
	for (int i = 0; i < n; i++)
		memcpy(&v[i], (const char *)&rs[i] + off, sizeof(double));
	qsort(v, (size_t)n, sizeof(double), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void
print_median(enum mode m, const struct opts *o, const struct result *rs)
{
	struct result r = { .after_commit = rs[0].after_commit };
	char label[32];

	r.secs = median(rs, o->runs, offsetof(struct result, secs));
	r.send_user = median(rs, o->runs, offsetof(struct result, send_user));
	r.send_sys = median(rs, o->runs, offsetof(struct result, send_sys));
	r.recv_user = median(rs, o->runs, offsetof(struct result, recv_user));
	r.recv_sys = median(rs, o->runs, offsetof(struct result, recv_sys));
	snprintf(label, sizeof(label), "%s median", mode_name[m]);
	print_result(label, m, o, &r);
}

/* The SO_SNDBUF a sender's end gets. */
static int
sndbuf(const struct opts *o)
{
	int sv[2], v = 0;
	socklen_t len = sizeof(v);

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		die("socketpair");
	set_buf(sv[0], SO_SNDBUFFORCE, SO_SNDBUF, o->sockbuf);
	if (getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, &len) != 0)
		die("getsockopt");
	close(sv[0]);
	close(sv[1]);
	return v;
}

static void
usage(void)
{

	fprintf(stderr, "usage: chanbench [-d] [-n] [-b BYTES] [-s TOTAL] "
	    "[-m MSG] [-r RUNS] DIR\n");
	exit(2);
}

static void
parse(int argc, char **argv, struct opts *o)
{
	int c;

	*o = (struct opts){ .total = 1000000000, .msg = 256 * 1024, .runs = 3 };
	while ((c = getopt(argc, argv, "dnb:s:m:r:")) != -1) {
		switch (c) {
		case 'd': o->direct = 1; break;
		case 'n': o->drop = 1; break;
		case 'b': o->sockbuf = atoi(optarg); break;
		case 's': o->total = strtoull(optarg, NULL, 10); break;
		case 'm': o->msg = strtoul(optarg, NULL, 10); break;
		case 'r': o->runs = atoi(optarg); break;
		default: usage();
		}
	}
	if (optind != argc - 1 || o->total == 0 || o->msg == 0 ||
	    o->runs < 1 || o->runs > RUNS_MAX ||
	    (o->direct && o->msg % ALIGN != 0))
		usage();
	if (o->direct)		/* O_DIRECT writes whole blocks */
		o->total = (o->total + ALIGN - 1) / ALIGN * ALIGN;
	snprintf(o->path, sizeof(o->path), "%s/chanbench.%ld", argv[optind],
	    (long)getpid());
}

int
main(int argc, char **argv)
{
	struct result rs[2][RUNS_MAX];
	struct opts o;
	uint8_t *buf;
	int nmodes;

	parse(argc, argv, &o);
	nmodes = o.drop ? 1 : 2;
	buf = aligned(o.msg < ALIGN ? ALIGN : o.msg);
	if (getrandom(buf, o.msg, 0) != (ssize_t)o.msg)
		die("getrandom");
	printf("%.3f GB in %zu-byte messages%s%s; the sender's SO_SNDBUF %d\n",
	    (double)o.total / 1e9, o.msg, o.drop ? ", dropped" : " to a file",
	    o.direct ? " (O_DIRECT)" : "", sndbuf(&o));
	for (int i = 0; i < o.runs; i++)
		for (int m = 0; m < nmodes; m++) {
			one_run(&o, (enum mode)m, buf, &rs[m][i]);
			print_result(mode_name[m], (enum mode)m, &o,
			    &rs[m][i]);
		}
	for (int m = 0; m < nmodes; m++)
		print_median((enum mode)m, &o, rs[m]);
	unlink(o.path);
	free(buf);
	return 0;
}
