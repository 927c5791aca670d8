/*
 * imgdecode: see imgdecode.h. The parent's side: checks that need no
 * decoder (size, type, header, pixel count) first, then one child per
 * image over a socket pair, the exchange bounded by one deadline, the
 * reply read strictly (fixed header, every field checked against the
 * others and against the header the parent read itself, the body's length
 * exact, nothing after it), and the child's end read from waitpid. The
 * child's death outranks its words: a reply counts only from a child that
 * then exits 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "encode.h"
#include "imgchild.h"
#include "imgcodec.h"
#include "imgdecode.h"
#include "sniff.h"

enum { IO_OK = 0, IO_FAIL = -1, IO_TIMEOUT = -2 };

/* What the parent knows of the exchange. */
struct exchange {
	int fd;
	int64_t deadline;		/* ms, CLOCK_MONOTONIC */
	uint32_t hw, hh;		/* the header's dimensions, or 0 */
	struct imgdecode_result *res;
};

static int64_t
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int
refuse(struct imgdecode_result *res, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
refuse(struct imgdecode_result *res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(res->reason, sizeof(res->reason), fmt, ap);
	va_end(ap);
	res->decoded = 0;
	return -1;
}

/* Wait until fd is ready for events or the deadline passes. */
static int
wait_fd(const struct exchange *x, short events)
{
	for (;;) {
		int64_t left = x->deadline - now_ms();
		struct pollfd p = { x->fd, events, 0 };
		int n;

		if (left <= 0)
			return IO_TIMEOUT;
		n = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (n > 0)
			return IO_OK;
		if (n < 0 && errno != EINTR)
			return IO_FAIL;
	}
}

static int
send_all(const struct exchange *x, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n = send(x->fd, p, len, MSG_NOSIGNAL);
		int w;

		if (n > 0) {
			p += n;
			len -= (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && errno == EAGAIN) {
			if ((w = wait_fd(x, POLLOUT)) != IO_OK)
				return w;
		} else
			return IO_FAIL;
	}
	return IO_OK;
}

/*
 * Read exactly len bytes; with len 0, read the end of the stream (a byte
 * there instead is IO_FAIL).
 */
static int
recv_exact(const struct exchange *x, uint8_t *p, size_t len)
{
	uint8_t extra;
	int eof = len == 0, w;

	if (eof) {
		p = &extra;
		len = 1;
	}
	while (len > 0) {
		ssize_t n = recv(x->fd, p, len, 0);

		if (n > 0 && eof)
			return IO_FAIL;
		if (n > 0) {
			p += n;
			len -= (size_t)n;
		} else if (n == 0) {
			return eof ? IO_OK : IO_FAIL;
		} else if (errno == EAGAIN) {
			if ((w = wait_fd(x, POLLIN)) != IO_OK)
				return w;
		} else if (errno != EINTR)
			return IO_FAIL;
	}
	return IO_OK;
}

/* Every byte printable ASCII. */
static int
printable(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] < ' ' || p[i] > '~')
			return 0;
	return 1;
}

/* Check a decoded reply's header; return the body's length or -1. */
static int64_t
check_decoded(const struct exchange *x, const uint32_t f[7])
{
	char why[IMGCODEC_WHY_SIZE];
	uint32_t tw, th;

	if (imgcodec_check_size(f[1], f[2], IMGDECODE_PIXELS_MAX, why) != 0 ||
	    f[3] > 100 || (x->hw != 0 && (f[1] != x->hw || f[2] != x->hh)))
		return -1;
	thumb_size(f[1], f[2], &tw, &th);
	if (f[4] != tw || f[5] != th || f[6] != tw * th)
		return -1;
	x->res->width = f[1];
	x->res->height = f[2];
	x->res->quality = (int)f[3];
	x->res->thumb_width = tw;
	x->res->thumb_height = th;
	return f[6];
}

/* Read and check the reply; IO_OK with res filled, else why not. */
static int
read_reply(const struct exchange *x)
{
	uint8_t head[IMGCHILD_HEADER], zero[PDQ_HASH_BYTES] = { 0 };
	uint8_t body[THUMB_BYTES];
	uint32_t f[7];
	int64_t blen = -1;
	int rc;

	if ((rc = recv_exact(x, head, sizeof(head))) != IO_OK)
		return rc;
	for (int i = 0; i < 7; i++)
		f[i] = decode_be32(head + 8 + 4 * i);
	if (memcmp(head, IMGCHILD_MAGIC, 8) != 0)
		return IO_FAIL;
	if (f[0] == 0)
		blen = check_decoded(x, f);
	else if (f[0] == 1 && f[1] == 0 && f[2] == 0 && f[3] == 0 &&
	    f[4] == 0 && f[5] == 0 && f[6] >= 1 &&
	    f[6] <= IMGDECODE_REASON_MAX &&
	    memcmp(head + 36, zero, sizeof(zero)) == 0)
		blen = f[6];
	if (blen < 0)
		return IO_FAIL;
	if ((rc = recv_exact(x, body, (size_t)blen)) != IO_OK ||
	    (rc = recv_exact(x, NULL, 0)) != IO_OK)
		goto done;
	rc = IO_OK;
	if (f[0] == 1 && !printable(body, (size_t)blen))
		rc = IO_FAIL;
	else if (f[0] == 1)
		refuse(x->res, "%.*s", (int)blen, (const char *)body);
	else {
		memcpy(x->res->pdq.b, head + 36, PDQ_HASH_BYTES);
		memcpy(x->res->thumb, body, (size_t)blen);
		x->res->decoded = 1;
	}
done:
	sodium_memzero(body, sizeof(body));	/* what is left of the image */
	return rc;
}

/* Send the request, read the reply. */
static int
exchange(const struct exchange *x, enum sniff_image kind,
    const uint8_t *data, size_t len)
{
	uint8_t head[IMGCHILD_REQUEST];
	int rc;

	encode_be32(head, (uint32_t)kind);
	encode_be64(head + 4, (uint64_t)len);
	if ((rc = send_all(x, head, sizeof(head))) != IO_OK ||
	    (rc = send_all(x, data, len)) != IO_OK)
		return rc;
	return read_reply(x);
}

/* Reap the child by the deadline, or kill it; 1 if it had to be killed. */
static int
reap(pid_t pid, int64_t deadline, int *status)
{
	const struct timespec tick = { 0, 200000 };

	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
		if (now_ms() >= deadline)
			break;
		nanosleep(&tick, NULL);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	return 1;
}

/* The verdict from the exchange's result and the child's end. */
static int
verdict(struct imgdecode_result *res, int io, int killed, int status)
{
	int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;

	if (killed > 0 || io == IO_TIMEOUT)
		return refuse(res, "the decoder took longer than %d ms",
		    IMGDECODE_WALL_MS);
	if (killed < 0)
		return refuse(res, "the decoder's end was lost: %s",
		    strerror(errno));
	if (sig == SIGSYS)
		return refuse(res, "the decoder was killed by SIGSYS: a system"
		    " call its sandbox forbids");
	if (sig == SIGXCPU || sig == SIGKILL)
		return refuse(res, "the decoder was killed by SIG%s (at most "
		    "%d s of CPU time)", sigabbrev_np(sig), IMGDECODE_CPU_SECONDS);
	if (sig != 0)
		return refuse(res, "the decoder was killed by SIG%s",
		    sig < NSIG && sigabbrev_np(sig) ? sigabbrev_np(sig) : "?");
	if (WIFEXITED(status) && WEXITSTATUS(status) == IMGCHILD_EXEC_FAILED)
		return refuse(res, "the decoder could not be started: no "
		    "/proc/self/exe to execute (is /proc mounted?)");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return refuse(res, "the decoder exited with status %d",
		    WEXITSTATUS(status));
	if (io != IO_OK)
		return refuse(res, "the decoder's reply is malformed");
	return res->decoded ? 0 : -1;
}

/* Start the child (imgchild_start) and talk to it. */
static int
run_child(struct exchange *x, enum sniff_image kind, const uint8_t *data,
    size_t len)
{
	int sv[2], io, killed, status = 0;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return refuse(x->res, "cannot start the decoder: %s",
		    strerror(errno));
	pid = imgchild_start(sv[1]);
	close(sv[1]);
	if (pid < 0) {
		close(sv[0]);
		return refuse(x->res, "cannot start the decoder: %s",
		    errno == ENOEXEC ? "the program does not call imgchild_main"
		    : strerror(errno));
	}
	x->fd = sv[0];
	x->deadline = now_ms() + IMGDECODE_WALL_MS;
	io = fcntl(x->fd, F_SETFL, O_NONBLOCK) == 0 ?
	    exchange(x, kind, data, len) : IO_FAIL;
	close(x->fd);
	if (io == IO_TIMEOUT)
		kill(pid, SIGKILL);
	killed = reap(pid, x->deadline, &status);
	return verdict(x->res, io, killed, status);
}

int
imgdecode(const uint8_t *data, size_t len, struct imgdecode_result *res)
{
	struct exchange x = { -1, 0, 0, 0, res };
	char why[IMGCODEC_WHY_SIZE];
	enum sniff_image kind;
	const char *bad;

	memset(res, 0, sizeof(*res));
	res->mime = sniff_type(data, len, &kind);
	if (len > IMGDECODE_INPUT_MAX)
		return refuse(res, "larger than %zu MiB",
		    IMGDECODE_INPUT_MAX >> 20);
	if (kind == SNIFF_NOT_IMAGE)
		return refuse(res, "not a JPEG, PNG, WebP or GIF image (%s)",
		    res->mime);
	switch (sniff_dimensions(data, len, &x.hw, &x.hh, &bad)) {
	case -1:
		return refuse(res, "%s", bad);
	case 1:
		if (imgcodec_check_size(x.hw, x.hh, IMGDECODE_PIXELS_MAX,
		    why) != 0)
			return refuse(res, "%s", why);
		break;
	default:
		break;	/* the header is long: the child reads it */
	}
	return run_child(&x, kind, data, len);
}
