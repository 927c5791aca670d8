/*
 * odload: the load generator of bench/compare.sh. It does what a browser
 * with scripts off does on a drop box: GET the form, POST it back as
 * multipart/form-data with the form's hidden inputs, some text fields and
 * optionally a file, one new connection per request ("Connection: close"
 * on both), or with -k on kept-alive connections as a browser does, over a
 * Unix socket or TCP to 127.0.0.1. Everything but the connect is the same
 * code for both kinds of server.
 *
 *   odload ADDR reports SECONDS CONCURRENCY [OPTIONS]
 *       CONCURRENCY threads each submit reports, one after the other, until
 *       SECONDS have passed; prints "reports= errors= seconds= rate= cpu=
 *       conns=", conns= being the connections opened (2 per report
 *       without -k)
 *   odload ADDR upload FILE [OPTIONS]
 *       one report with FILE attached, streamed from disk in 1 MiB reads;
 *       prints "bytes= seconds= mbps= cpu="
 *
 * ADDR is unix:PATH or tcp:PORT. OPTIONS:
 *   -g PATH        the form to GET (default /)
 *   -p PATH        where to POST (default the GET path)
 *   -s CODE        the status a successful POST answers (default 200)
 *   -m TEXT        text the successful POST's answer must contain
 *   -f NAME=VALUE  a text field; the report number is appended to VALUE
 *   -a NAME        the file field (upload)
 *   -k             keep-alive: no "Connection: close"; each thread sends
 *                  its next request (the POST, the next report's GET) on
 *                  the same connection, and opens a new one only after an
 *                  answer with "Connection: close", without Content-Length
 *                  (read until the server closes), or not HTTP/1.1. A kept
 *                  connection the server has closed meanwhile (the write
 *                  fails, or EOF before a byte of the answer) is replaced
 *                  and the request sent again, once, as a browser does.
 * cpu= is this process's user+system CPU time over wall time, so a bench
 * can tell whether the client itself was the limit (1.0 = one core busy).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_FIELDS 16
#define PAGE_MAX (256 * 1024)
#define PARTS_MAX (64 * 1024)
#define CHUNK (1024 * 1024)
#define BOUNDARY "----odloadQ7vR2xK9mW4pL8sT"

struct field {
	char name[64];
	char value[512];
};

struct opts {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	const char *get_path;
	const char *post_path;
	int expect;
	const char *marker;
	struct field fields[MAX_FIELDS];
	int nfields;
	const char *file_field;
	const char *file;
	double seconds;
	int concurrency;
	int keep_alive;
};

/* What a thread needs: its connection and buffers. */
struct worker {
	const struct opts *o;
	pthread_t tid;
	int fd;			/* the kept-alive connection, or -1 */
	char page[PAGE_MAX];
	char parts[PARTS_MAX];
};

/* What read_response learned besides the status. */
struct reply {
	long long got;		/* bytes received */
	int reusable;		/* the connection can take the next request */
};

/* What send_post sends after its headers. */
struct post {
	const char *parts;
	size_t plen;
	long long fsize;
};

static atomic_long next_report, done_ok, done_err, conns_opened;
static atomic_int first_bad = -1;
static double deadline;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what)
{
	fprintf(stderr, "odload: %s\n", what);
	exit(2);
}

/* This process's CPU seconds (user + system, all threads). */
static double
cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* Parse unix:PATH or tcp:PORT (always 127.0.0.1) into o->addr. */
static void
parse_addr(struct opts *o, const char *a)
{
	memset(&o->addr, 0, sizeof(o->addr));
	if (strncmp(a, "unix:", 5) == 0) {
		struct sockaddr_un *un = (struct sockaddr_un *)&o->addr;

		if (strlen(a + 5) >= sizeof(un->sun_path))
			die("socket path too long");
		un->sun_family = AF_UNIX;
		strcpy(un->sun_path, a + 5);
		o->addrlen = sizeof(*un);
	} else if (strncmp(a, "tcp:", 4) == 0) {
		struct sockaddr_in *in = (struct sockaddr_in *)&o->addr;
		long port = strtol(a + 4, NULL, 10);

		if (port <= 0 || port > 65535)
			die("bad port");
		in->sin_family = AF_INET;
		in->sin_port = htons((unsigned short)port);
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		o->addrlen = sizeof(*in);
	} else {
		die("ADDR is unix:PATH or tcp:PORT");
	}
}

/* The only place the two kinds of server differ: the connect. */
static int
dial(const struct opts *o)
{
	int fd = socket(o->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)&o->addr, o->addrlen) != 0) {
		close(fd);
		return -1;
	}
	atomic_fetch_add(&conns_opened, 1);
	return fd;
}

static int
send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Headers end at CRLFCRLF: return the offset of the body, or 0. */
static size_t
header_end(const char *buf, size_t len)
{
	for (size_t i = 3; i < len; i++)
		if (memcmp(buf + i - 3, "\r\n\r\n", 4) == 0)
			return i + 1;
	return 0;
}

/* The value of header NAME ("name:") in a header block, or NULL. */
static const char *
header(const char *buf, size_t hlen, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i + n < hlen; i++)
		if ((i == 0 || buf[i - 1] == '\n') &&
		    strncasecmp(buf + i, name, n) == 0)
			return buf + i + n;
	return NULL;
}

/* Content-Length of a header block, or -1 if there is none. */
static long long
content_length(const char *buf, size_t hlen)
{
	const char *v = header(buf, hlen, "content-length:");

	return v != NULL ? strtoll(v, NULL, 10) : -1;
}

/* Whether the Connection header of a header block lists "close". */
static int
says_close(const char *buf, size_t hlen)
{
	const char *v = header(buf, hlen, "connection:");
	const char *end = v ? memchr(v, '\n', hlen - (size_t)(v - buf)) : NULL;

	for (; end != NULL && v + 5 <= end; v++)
		if (strncasecmp(v, "close", 5) == 0)
			return 1;
	return 0;
}

/*
 * Read one response into buf (NUL-terminated, truncated to cap - 1 bytes;
 * the rest is read and dropped): until Content-Length is reached, or EOF.
 * Return the status code, or -1; *rp tells how many bytes came and whether
 * the connection can take another request: an HTTP/1.1 answer without
 * "Connection: close", ending exactly at its Content-Length.
 */
static int
read_response(int fd, char *buf, size_t cap, struct reply *rp)
{
	size_t len = 0, hlen = 0;
	long long total = -1, seen = 0;
	char sink[16384];

	for (;;) {
		char *dst = len + 1 < cap ? buf + len : sink;
		size_t room = len + 1 < cap ? cap - 1 - len : sizeof(sink);
		ssize_t r = recv(fd, dst, room, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (dst != sink)
			len += (size_t)r;
		seen += r;
		if (hlen == 0 && (hlen = header_end(buf, len)) != 0)
			total = content_length(buf, hlen);
		if (hlen != 0 && total >= 0 && seen >= (long long)hlen + total)
			break;
	}
	buf[len] = '\0';
	rp->got = seen;
	rp->reusable = hlen != 0 && total >= 0 &&
	    seen == (long long)hlen + total &&
	    strncmp(buf, "HTTP/1.1 ", 9) == 0 && !says_close(buf, hlen);
	if (hlen == 0 || strncmp(buf, "HTTP/1.", 7) != 0 || len < 12)
		return -1;
	return atoi(buf + 9);
}

/* The value of attribute name="..." inside tag [p, end), into out. */
static int
attr(const char *p, const char *end, const char *name, char *out, size_t cap)
{
	size_t n = strlen(name);

	for (; p + n + 2 < end; p++) {
		if (p[-1] != ' ' || strncmp(p, name, n) != 0 ||
		    p[n] != '=' || p[n + 1] != '"')
			continue;
		const char *v = p + n + 2, *q = memchr(v, '"', (size_t)(end - v));

		if (q == NULL || (size_t)(q - v) >= cap)
			return -1;
		memcpy(out, v, (size_t)(q - v));
		out[q - v] = '\0';
		return 0;
	}
	return -1;
}

/*
 * Every <input type="hidden" name=... value=...> of page into f (values
 * taken as written: the servers' hidden values need no unescaping).
 * Return how many.
 */
static int
hidden_inputs(const char *page, struct field *f, int max)
{
	int n = 0;
	char type[32];

	for (const char *p = page; n < max && (p = strstr(p, "<input ")); p++) {
		const char *end = strchr(p, '>');

		if (end == NULL)
			break;
		if (attr(p + 1, end, "type", type, sizeof(type)) == 0 &&
		    strcmp(type, "hidden") == 0 &&
		    attr(p + 1, end, "name", f[n].name, sizeof(f[n].name)) == 0) {
			if (attr(p + 1, end, "value", f[n].value,
			    sizeof(f[n].value)) != 0)
				f[n].value[0] = '\0';
			n++;
		}
	}
	return n;
}

/* Append a formatted string to buf at *len; -1 if it does not fit. */
static int
append(char *buf, size_t cap, size_t *len, const char *name,
    const char *value, long num)
{
	int w = snprintf(buf + *len, cap - *len, "--" BOUNDARY "\r\n"
	    "Content-Disposition: form-data; name=\"%s\"\r\n\r\n%s", name,
	    value);

	if (w < 0 || (size_t)w >= cap - *len)
		return -1;
	*len += (size_t)w;
	w = num >= 0 ? snprintf(buf + *len, cap - *len, "%ld\r\n", num) :
	    snprintf(buf + *len, cap - *len, "\r\n");
	if (w < 0 || (size_t)w >= cap - *len)
		return -1;
	*len += (size_t)w;
	return 0;
}

/*
 * The multipart text before the file bytes: hidden inputs, then the -f
 * fields with the report number appended, then the file part's header if
 * there is a file. Return its length, or -1.
 */
static long
build_parts(const struct opts *o, const char *page, long num, char *buf,
    size_t cap)
{
	struct field hidden[MAX_FIELDS];
	int nh = hidden_inputs(page, hidden, MAX_FIELDS);
	size_t len = 0;

	for (int i = 0; i < nh; i++)
		if (append(buf, cap, &len, hidden[i].name, hidden[i].value, -1))
			return -1;
	for (int i = 0; i < o->nfields; i++)
		if (append(buf, cap, &len, o->fields[i].name,
		    o->fields[i].value, num))
			return -1;
	if (o->file != NULL) {
		int w = snprintf(buf + len, cap - len, "--" BOUNDARY "\r\n"
		    "Content-Disposition: form-data; name=\"%s\"; "
		    "filename=\"bench.bin\"\r\n"
		    "Content-Type: application/octet-stream\r\n\r\n",
		    o->file_field);

		if (w < 0 || (size_t)w >= cap - len)
			return -1;
		len += (size_t)w;
	}
	return (long)len;
}

/* The header line that asks to close, unless -k. */
static const char *
close_header(const struct opts *o)
{
	return o->keep_alive ? "" : "Connection: close\r\n";
}

/* Send the GET of the form. */
static int
send_get(int fd, const struct opts *o)
{
	char req[1024];
	int n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: bench\r\n"
	    "%s\r\n", o->get_path, close_header(o));

	return send_all(fd, req, (size_t)n);
}

/* Stream the file's bytes from disk to fd, CHUNK at a time. */
static int
send_file(int fd, const char *path, char *buf)
{
	int in = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (in < 0)
		return -1;
	while ((r = read(in, buf, CHUNK)) > 0)
		if (send_all(fd, buf, (size_t)r) != 0)
			break;
	close(in);
	return r == 0 ? 0 : -1;
}

/* Send the POST: headers, parts, file, closing boundary. */
static int
send_post(int fd, const struct opts *o, const struct post *p)
{
	static const char tail[] = "\r\n--" BOUNDARY "--\r\n";
	size_t tlen = sizeof(tail) - 1 - (o->file == NULL ? 2 : 0);
	long long total = (long long)p->plen + (p->fsize > 0 ? p->fsize : 0) +
	    (long long)tlen;
	char head[1024];
	int n = snprintf(head, sizeof(head), "POST %s HTTP/1.1\r\n"
	    "Host: bench\r\n%sContent-Type: "
	    "multipart/form-data; boundary=" BOUNDARY "\r\n"
	    "Content-Length: %lld\r\n\r\n", o->post_path, close_header(o),
	    total);
	char *chunk = NULL;
	int rc = -1;

	if (send_all(fd, head, (size_t)n) || send_all(fd, p->parts, p->plen))
		return -1;
	if (o->file != NULL && ((chunk = malloc(CHUNK)) == NULL ||
	    send_file(fd, o->file, chunk) != 0))
		goto out;
	rc = send_all(fd, o->file ? tail : tail + 2, tlen);
out:
	free(chunk);
	return rc;
}

/* Close the worker's connection, if it has one. */
static void
hang_up(struct worker *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
}

/*
 * One request, the GET of the form or the POST if post is not NULL, and
 * its answer into w->page, on the kept connection if there is one, else on
 * a new one. The answer is read even if sending failed: an early answer
 * may be there. A kept connection that gives not a byte back was closed by
 * the server meanwhile: send again, once, on a new one. Return the status.
 */
static int
exchange(struct worker *w, const struct post *post)
{
	struct reply r;
	int reused, sent, st;

	do {
		reused = w->fd >= 0;
		if (!reused && (w->fd = dial(w->o)) < 0)
			return -1;
		sent = (post ? send_post(w->fd, w->o, post) :
		    send_get(w->fd, w->o)) == 0;
		st = read_response(w->fd, w->page, sizeof(w->page), &r);
		if (!sent || !r.reusable || !w->o->keep_alive)
			hang_up(w);
	} while (reused && r.got == 0);
	return st;
}

/* One report: GET the form, POST it; return 0 if it was accepted. */
static int
report(struct worker *w, long num, long long fsize)
{
	const struct opts *o = w->o;
	int st = exchange(w, NULL);
	struct post post = { w->parts, 0, fsize };
	long plen;

	if (st != 200)
		return st;
	plen = build_parts(o, w->page, num, w->parts, sizeof(w->parts));
	if (plen < 0)
		return -1;
	post.plen = (size_t)plen;
	st = exchange(w, &post);
	if (st != o->expect || (o->marker && !strstr(w->page, o->marker)))
		return st == o->expect ? -2 : st;
	return 0;
}

static void *
report_loop(void *arg)
{
	struct worker *w = arg;

	while (now() < deadline) {
		long num = atomic_fetch_add(&next_report, 1);
		int st = report(w, num, 0);
		int none = -1;

		if (st == 0) {
			atomic_fetch_add(&done_ok, 1);
			continue;
		}
		atomic_fetch_add(&done_err, 1);
		atomic_compare_exchange_strong(&first_bad, &none, st);
	}
	hang_up(w);
	return NULL;
}

static int
run_reports(const struct opts *o)
{
	struct worker *w = calloc((size_t)o->concurrency, sizeof(*w));
	double t0 = now(), c0 = cpu_seconds(), secs;

	if (w == NULL)
		die("out of memory");
	deadline = t0 + o->seconds;
	for (int i = 0; i < o->concurrency; i++) {
		w[i].o = o;
		w[i].fd = -1;
		if (pthread_create(&w[i].tid, NULL, report_loop, &w[i]) != 0)
			die("pthread_create");
	}
	for (int i = 0; i < o->concurrency; i++)
		pthread_join(w[i].tid, NULL);
	secs = now() - t0;
	printf("reports=%ld errors=%ld seconds=%.3f rate=%.1f cpu=%.2f "
	    "conns=%ld\n", atomic_load(&done_ok), atomic_load(&done_err), secs,
	    (double)atomic_load(&done_ok) / secs, (cpu_seconds() - c0) / secs,
	    atomic_load(&conns_opened));
	if (atomic_load(&done_err) > 0)
		fprintf(stderr, "odload: first failure: status %d\n",
		    atomic_load(&first_bad));
	free(w);
	return atomic_load(&done_ok) > 0 && atomic_load(&done_err) == 0 ? 0 : 1;
}

static int
run_upload(const struct opts *o)
{
	struct worker *w = calloc(1, sizeof(*w));
	struct stat sb;
	double t0, c0, secs;
	int st;

	if (w == NULL || stat(o->file, &sb) != 0 || o->file_field == NULL)
		die("upload needs a readable FILE and -a NAME");
	w->o = o;
	w->fd = -1;
	t0 = now();
	c0 = cpu_seconds();
	st = report(w, 0, (long long)sb.st_size);
	hang_up(w);
	secs = now() - t0;
	printf("bytes=%lld seconds=%.3f mbps=%.1f cpu=%.2f\n",
	    (long long)sb.st_size, secs, (double)sb.st_size / 1e6 / secs,
	    (cpu_seconds() - c0) / secs);
	if (st != 0)
		fprintf(stderr, "odload: upload failed: status %d\n", st);
	free(w);
	return st == 0 ? 0 : 1;
}

/* -f NAME=VALUE */
static void
add_field(struct opts *o, const char *arg)
{
	const char *eq = strchr(arg, '=');
	struct field *f = &o->fields[o->nfields];

	if (eq == NULL || o->nfields == MAX_FIELDS ||
	    (size_t)(eq - arg) >= sizeof(f->name) ||
	    strlen(eq + 1) >= sizeof(f->value))
		die("bad -f NAME=VALUE");
	memcpy(f->name, arg, (size_t)(eq - arg));
	f->name[eq - arg] = '\0';
	strcpy(f->value, eq + 1);
	o->nfields++;
}

static void
parse_options(struct opts *o, int argc, char **argv)
{
	int c;

	o->get_path = "/";
	o->expect = 200;
	while ((c = getopt(argc, argv, "g:p:s:m:f:a:k")) != -1) {
		switch (c) {
		case 'g': o->get_path = optarg; break;
		case 'p': o->post_path = optarg; break;
		case 's': o->expect = atoi(optarg); break;
		case 'm': o->marker = optarg; break;
		case 'f': add_field(o, optarg); break;
		case 'a': o->file_field = optarg; break;
		case 'k': o->keep_alive = 1; break;
		default: die("bad option (see the header of bench/odload.c)");
		}
	}
	if (o->post_path == NULL)
		o->post_path = o->get_path;
}

int
main(int argc, char **argv)
{
	static struct opts o;

	if (argc < 4)
		die("usage: odload ADDR reports SECONDS CONCURRENCY [opts] | "
		    "odload ADDR upload FILE [opts]");
	signal(SIGPIPE, SIG_IGN);
	parse_addr(&o, argv[1]);
	if (strcmp(argv[2], "reports") == 0 && argc >= 5) {
		o.seconds = atof(argv[3]);
		o.concurrency = atoi(argv[4]);
		if (o.seconds <= 0 || o.concurrency < 1)
			die("bad SECONDS or CONCURRENCY");
		parse_options(&o, argc - 4, argv + 4);
		return run_reports(&o);
	}
	if (strcmp(argv[2], "upload") != 0)
		die("mode is reports or upload");
	o.file = argv[3];
	parse_options(&o, argc - 3, argv + 3);
	return run_upload(&o);
}
