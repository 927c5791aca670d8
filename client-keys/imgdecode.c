/*
 * imgdecode: see imgdecode.h. The parent's side: checks that need no
 * decoder (size, type, header, pixel count) first, then the image sent to
 * the decoder's child over a socket pair, each image's exchange bounded
 * by its own deadline, the reply read strictly (fixed header, every field
 * checked against the others and against the header the parent read
 * itself, the body's length exact, nothing after it). A child that goes
 * wrong in any way is ended and reaped, and its death outranks its words:
 * a refusal counts only from a child that then exits 0, and a child that
 * died or sent a byte too many since its last reply is replaced before the
 * next image, which is not blamed for it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
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

struct imgdecoder {
	pid_t pid;		/* the child, or -1 */
	int fd;			/* our end of its socket (non-blocking) */
	unsigned served;	/* images it decoded */
	int thumbnails;		/* asked of the child */
	int busy;		/* an image sent, its reply not read */
	int64_t deadline;	/* ms, CLOCK_MONOTONIC: the image's */
	uint32_t hw, hh;	/* the image's size from its header, or 0 */
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

/* Wait until the socket is ready for events or the deadline passes. */
static int
wait_fd(const struct imgdecoder *d, short events)
{
	for (;;) {
		int64_t left = d->deadline - now_ms();
		struct pollfd p = { d->fd, events, 0 };
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
send_all(const struct imgdecoder *d, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n = send(d->fd, p, len, MSG_NOSIGNAL);
		int w;

		if (n > 0) {
			p += n;
			len -= (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && errno == EAGAIN) {
			if ((w = wait_fd(d, POLLOUT)) != IO_OK)
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
recv_exact(const struct imgdecoder *d, uint8_t *p, size_t len)
{
	uint8_t extra;
	int eof = len == 0, w;

	if (eof) {
		p = &extra;
		len = 1;
	}
	while (len > 0) {
		ssize_t n = recv(d->fd, p, len, 0);

		if (n > 0 && eof)
			return IO_FAIL;
		if (n > 0) {
			p += n;
			len -= (size_t)n;
		} else if (n == 0) {
			return eof ? IO_OK : IO_FAIL;
		} else if (errno == EAGAIN) {
			if ((w = wait_fd(d, POLLIN)) != IO_OK)
				return w;
		} else if (errno != EINTR)
			return IO_FAIL;
	}
	return IO_OK;
}

/* What waits on the socket: 1 a byte, 0 its end, -1 (EAGAIN) nothing. */
static ssize_t
peek(const struct imgdecoder *d)
{
	uint8_t b;
	ssize_t n;

	while ((n = recv(d->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT)) < 0 &&
	    errno == EINTR)
		;
	return n;
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

/* The header's seven fields from status on. */
static void
fields(const uint8_t *head, uint32_t f[7])
{
	for (int i = 0; i < 7; i++)
		f[i] = decode_be32(head + 8 + 4 * i);
}

int64_t
imgdecode_reply_head(const uint8_t *head, uint32_t hw, uint32_t hh,
    int thumbnail)
{
	static const uint8_t zero[PDQ_HASH_BYTES];
	char why[IMGCODEC_WHY_SIZE];
	uint32_t f[7], tw, th;

	fields(head, f);
	if (memcmp(head, IMGCHILD_MAGIC, 8) != 0)
		return -1;
	if (f[0] == 1)
		return f[1] == 0 && f[2] == 0 && f[3] == 0 && f[4] == 0 &&
		    f[5] == 0 && f[6] >= 1 && f[6] <= IMGDECODE_REASON_MAX &&
		    memcmp(head + 36, zero, sizeof(zero)) == 0 ?
		    (int64_t)f[6] : -1;
	if (f[0] != 0 || imgcodec_check_size(f[1], f[2],
	    IMGDECODE_PIXELS_MAX, why) != 0 || f[3] > 100 ||
	    (hw != 0 && (f[1] != hw || f[2] != hh)))
		return -1;
	if (thumbnail)
		thumb_size(f[1], f[2], &tw, &th);
	else
		tw = th = 0;
	return f[4] == tw && f[5] == th && f[6] == tw * th ? (int64_t)f[6] : -1;
}

int
imgdecode_reply_body(const uint8_t *head, const uint8_t *body,
    struct imgdecode_result *res)
{
	uint32_t f[7];

	fields(head, f);
	if (f[0] == 1 && !printable(body, f[6])) {
		res->decoded = 0;
		return -2;
	}
	if (f[0] == 1)
		return refuse(res, "%.*s", (int)f[6], (const char *)body);
	res->width = f[1];
	res->height = f[2];
	res->quality = (int)f[3];
	res->thumb_width = f[4];
	res->thumb_height = f[5];
	memcpy(res->pdq.b, head + 36, PDQ_HASH_BYTES);
	memcpy(res->thumb, body, f[6]);
	res->decoded = 1;
	return 0;
}

/*
 * Read and check the reply: IO_OK with res filled (decoded, or refused
 * and the child's end read), else why not.
 */
static int
read_reply(const struct imgdecoder *d, struct imgdecode_result *res)
{
	uint8_t head[IMGCHILD_HEADER], body[THUMB_BYTES];
	int64_t blen;
	int rc;

	if ((rc = recv_exact(d, head, sizeof(head))) != IO_OK)
		return rc;
	if ((blen = imgdecode_reply_head(head, d->hw, d->hh,
	    d->thumbnails)) < 0)
		return IO_FAIL;
	if (blen > 0 && (rc = recv_exact(d, body, (size_t)blen)) != IO_OK)
		goto done;	/* (0 would read to the end) */
	if (imgdecode_reply_body(head, body, res) == -2)
		rc = IO_FAIL;
	else if (!res->decoded)
		rc = recv_exact(d, NULL, 0);	/* a refusal: the child's end */
	else if (peek(d) > 0)
		rc = IO_FAIL;	/* more than its reply */
done:
	sodium_memzero(body, sizeof(body));	/* what is left of the image */
	return rc;
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

/*
 * End the child: its socket closed (a child waiting for a request exits),
 * killed first if kill_first, reaped by deadline; as reap.
 */
static int
end_child(struct imgdecoder *d, int kill_first, int64_t deadline,
    int *status)
{
	int killed;

	close(d->fd);
	if (kill_first)
		kill(d->pid, SIGKILL);
	killed = reap(d->pid, deadline, status);
	d->pid = -1;
	d->fd = -1;
	d->busy = 0;
	return killed;
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
	if (sig == SIGPROF || sig == SIGXCPU || sig == SIGKILL)
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

/* The image's exchange is over with io: end the child, give the verdict. */
static int
fail(struct imgdecoder *d, struct imgdecode_result *res, int io)
{
	int status = 0, killed = end_child(d, io == IO_TIMEOUT, d->deadline,
	    &status);

	return verdict(res, io, killed, status);
}

/*
 * Whether d's child may take the next image: it is alive (one that died
 * while it waited is reaped here, and d has none), has decoded fewer than
 * IMGDECODE_CHILD_IMAGES and has sent nothing since its reply.
 */
static int
reusable(struct imgdecoder *d)
{
	int status;

	if (waitpid(d->pid, &status, WNOHANG) == d->pid) {
		close(d->fd);
		d->pid = d->fd = -1;
		return 0;
	}
	return d->served < IMGDECODE_CHILD_IMAGES && peek(d) < 0 &&
	    errno == EAGAIN;
}

/* A child for d, if it has none that may go on; -1 with res refused. */
static int
child_for(struct imgdecoder *d, struct imgdecode_result *res)
{
	int sv[2], status;

	if (d->pid > 0 && reusable(d))
		return 0;
	if (d->pid > 0)	/* alive: told to end, or killed */
		end_child(d, 0, now_ms() + IMGDECODE_WALL_MS, &status);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return refuse(res, "cannot start the decoder: %s",
		    strerror(errno));
	d->pid = imgchild_start(sv[1]);
	close(sv[1]);
	if (d->pid < 0) {
		close(sv[0]);
		return refuse(res, "cannot start the decoder: %s",
		    errno == ENOEXEC ? "the program does not call imgchild_main"
		    : strerror(errno));
	}
	d->fd = sv[0];
	d->served = 0;
	if (fcntl(d->fd, F_SETFL, O_NONBLOCK) != 0) {
		end_child(d, 1, now_ms(), &status);
		return refuse(res, "cannot start the decoder: %s",
		    strerror(errno));
	}
	return 0;
}

/* What needs no child; 0 if the image goes to the child, else -1. */
static int
precheck(struct imgdecoder *d, const uint8_t *data, size_t len,
    struct imgdecode_result *res, enum sniff_image *kind)
{
	char why[IMGCODEC_WHY_SIZE];
	const char *bad;

	d->hw = d->hh = 0;
	res->mime = sniff_type(data, len, kind);
	if (len > IMGDECODE_INPUT_MAX)
		return refuse(res, "larger than %zu MiB",
		    IMGDECODE_INPUT_MAX >> 20);
	if (*kind == SNIFF_NOT_IMAGE)
		return refuse(res, "not a JPEG, PNG, WebP or GIF image (%s)",
		    res->mime);
	switch (sniff_dimensions(data, len, &d->hw, &d->hh, &bad)) {
	case -1:
		return refuse(res, "%s", bad);
	case 1:
		if (imgcodec_check_size(d->hw, d->hh, IMGDECODE_PIXELS_MAX,
		    why) != 0)
			return refuse(res, "%s", why);
		return 0;
	default:
		return 0;	/* the header is long: the child reads it */
	}
}

struct imgdecoder *
imgdecoder_new(int thumbnails)
{
	struct imgdecoder *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	d->pid = -1;
	d->fd = -1;
	d->thumbnails = thumbnails;
	return d;
}

int
imgdecoder_send(struct imgdecoder *d, const uint8_t *data, size_t len,
    struct imgdecode_result *res)
{
	uint8_t head[IMGCHILD_REQUEST];
	enum sniff_image kind;
	int io;

	memset(res, 0, sizeof(*res));
	if (precheck(d, data, len, res, &kind) != 0 || child_for(d, res) != 0)
		return -1;
	encode_be32(head, (uint32_t)kind);
	encode_be32(head + 4, d->thumbnails ? IMGCHILD_THUMBNAIL : 0);
	encode_be64(head + 8, (uint64_t)len);
	d->deadline = now_ms() + IMGDECODE_WALL_MS;
	if ((io = send_all(d, head, sizeof(head))) != IO_OK ||
	    (io = send_all(d, data, len)) != IO_OK)
		return fail(d, res, io);
	d->busy = 1;
	return 0;
}

int
imgdecoder_receive(struct imgdecoder *d, struct imgdecode_result *res)
{
	int io;

	if (!d->busy)
		return refuse(res, "no image was sent to the decoder");
	d->busy = 0;
	if ((io = read_reply(d, res)) == IO_OK && res->decoded) {
		d->served++;
		return 0;
	}
	return fail(d, res, io);
}

int
imgdecoder_decode(struct imgdecoder *d, const uint8_t *data, size_t len,
    struct imgdecode_result *res)
{
	if (imgdecoder_send(d, data, len, res) != 0)
		return -1;
	return imgdecoder_receive(d, res);
}

void
imgdecoder_free(struct imgdecoder *d)
{
	int status;

	if (d == NULL)
		return;
	if (d->pid > 0)
		end_child(d, d->busy, now_ms() + IMGDECODE_WALL_MS, &status);
	free(d);
}

#ifdef IMGCHILD_TEST_HOOKS
pid_t
imgdecoder_child(const struct imgdecoder *d)
{
	return d->pid;
}
#endif

int
imgdecode(const uint8_t *data, size_t len, struct imgdecode_result *res)
{
	struct imgdecoder *d = imgdecoder_new(1);
	int rc;

	if (d == NULL) {
		memset(res, 0, sizeof(*res));
		res->mime = sniff_type(data, len, NULL);
		return refuse(res, "out of memory for the decoder");
	}
	rc = imgdecoder_decode(d, data, len, res);
	imgdecoder_free(d);
	return rc;
}
