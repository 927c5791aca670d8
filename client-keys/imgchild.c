/*
 * imgchild: see imgchild.h. The parent's side is imgchild_start: the
 * argv and environment made before fork, then only async-signal-safe
 * calls until the exec. The exec'd child starts with nothing of the
 * caller but its socket, 0-2 and argv; before it reads a request it:
 *   - closes every descriptor but its socket and 0-2 (which the filter
 *     then keeps it from writing);
 *   - sets rlimits: CPU IMGDECODE_CPU_SECONDS for each image it may
 *     decode (SIGXCPU, SIGKILL one second later), address space what it
 *     has after exec plus IMGDECODE_MEMORY, no file bytes written, no new
 *     descriptors, no core file;
 *   - asks to die with its parent, is made undumpable, takes no new
 *     privileges;
 *   - loads a seccomp filter that kills the process on any system call
 *     but read and write on its socket, memory management without
 *     PROT_EXEC (mmap, mprotect, munmap, mremap, brk, madvise), its
 *     profiling timer and exit (sysinfo fails with ENOSYS: glibc's qsort
 *     asks it and copes).
 * It has no open() at all after that: the decoders read memory. Each
 * image gets IMGDECODE_CPU_SECONDS of CPU time of its own: the profiling
 * timer (ITIMER_PROF, whose SIGPROF kills) is set again before each
 * request. An image decoded, the child frees its pixels and its bytes
 * before it replies (a heap the image damaged aborts there, not after a
 * reply that would count) and waits for the next; after a refusal it
 * exits, and the parent starts another. Built
 * with a sanitizer, the sanitizer's run time needs more calls and address
 * space than this: there the filter allows by default and kills on
 * opening a file, executing, or making a socket (lib/sysfilter.h), and
 * RLIMIT_AS is not set (IMGCHILD_SANITIZER, which meson sets only then).
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "encode.h"
#include "imgchild.h"
#include "imgcodec.h"
#include "imgdecode.h"
#include "pdq.h"
#include "sysfilter.h"
#include "thumb.h"

static int
limit(int resource, rlim_t soft, rlim_t hard)
{
	struct rlimit r = { soft, hard };

	return setrlimit(resource, &r);
}

#ifndef IMGCHILD_SANITIZER
/* What the child inherited of address space, from /proc/self/statm. */
static int
inherited_bytes(uint64_t *bytes)
{
	char buf[64];
	ssize_t n;
	int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	*bytes = strtoull(buf, NULL, 10) * (uint64_t)sysconf(_SC_PAGESIZE);
	return *bytes > 0 ? 0 : -1;
}

/* RLIMIT_AS: IMGDECODE_MEMORY over what the child has after exec. */
static int
limit_memory(void)
{
	uint64_t as;

	if (inherited_bytes(&as) != 0)
		return -1;
	return limit(RLIMIT_AS, as + IMGDECODE_MEMORY, as + IMGDECODE_MEMORY);
}
#else
/* A sanitizer reserves terabytes of shadow address space. */
static int
limit_memory(void)
{
	return 0;
}
#endif

/* limit_memory first: it opens a file, which RLIMIT_NOFILE 0 forbids. */
static int
set_limits(void)
{
	if (limit_memory() != 0)
		return -1;
	const rlim_t cpu = IMGDECODE_CPU_SECONDS * IMGDECODE_CHILD_IMAGES;

	return limit(RLIMIT_CPU, cpu, cpu + 1) | limit(RLIMIT_FSIZE, 0, 0) |
	    limit(RLIMIT_NOFILE, 0, 0) | limit(RLIMIT_CORE, 0, 0);
}

/*
 * Read and write on fd, memory without PROT_EXEC, the profiling timer and
 * exit (glibc's qsort, pdq's median, asks sysinfo for the memory size and
 * copes with ENOSYS). Never, even in a sanitizer build: a file, a
 * program, a socket.
 */
static int
load_filter(int fd)
{
	const struct sysfilter_rule allow[] = {
		SYSFILTER_ALLOW_IF(read, 0, fd),
		SYSFILTER_ALLOW_IF(write, 0, fd),
		SYSFILTER_ALLOW_MASKED(mmap, 2, PROT_EXEC, 0),
		SYSFILTER_ALLOW_MASKED(mprotect, 2, PROT_EXEC, 0),
		SYSFILTER_ALLOW(munmap), SYSFILTER_ALLOW(mremap),
		SYSFILTER_ALLOW(brk), SYSFILTER_ALLOW(madvise),
		SYSFILTER_ALLOW_IF(setitimer, 0, ITIMER_PROF),
		SYSFILTER_ALLOW(exit_group), SYSFILTER_ALLOW(exit),
		SYSFILTER_FAIL(sysinfo, ENOSYS),
	};
	static const int never[] = {
		SCMP_SYS(open), SCMP_SYS(openat), SCMP_SYS(openat2),
		SCMP_SYS(creat), SCMP_SYS(execve), SCMP_SYS(execveat),
		SCMP_SYS(socket), SCMP_SYS(connect),
	};

	return sysfilter_load(allow, sizeof(allow) / sizeof(allow[0]), never,
	    sizeof(never) / sizeof(never[0]));
}

static int
sandbox(int fd)
{
	if (fd > 3 && close_range(3, (unsigned)fd - 1, 0) != 0)
		return -1;
	if (close_range((unsigned)fd + 1, ~0u, 0) != 0 ||
	    signal(SIGXCPU, SIG_DFL) == SIG_ERR ||
	    signal(SIGPROF, SIG_DFL) == SIG_ERR || set_limits() != 0 ||
	    prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 ||
	    prctl(PR_SET_DUMPABLE, 0) != 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -1;
	return load_filter(fd) == 0 ? 0 : -1;
}

/*
 * Freed memory kept for the next image, not given back to the kernel
 * (which would zero it again, page fault by page fault: a fifth of a
 * small image's time): heap up to 32 MiB blocks, trimmed past 64 MiB.
 */
static void
keep_memory(void)
{
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
}

/* IMGDECODE_CPU_SECONDS of CPU time from now, then SIGPROF; or exit. */
static void
cpu_budget(void)
{
	const struct itimerval t = { { 0, 0 }, { IMGDECODE_CPU_SECONDS, 0 } };

	if (setitimer(ITIMER_PROF, &t, NULL) != 0)
		_exit(2);
}

/* Read exactly len bytes, or exit: the parent went away or lied. */
static void
read_exact(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(2);
		p += n;
		len -= (size_t)n;
	}
}

static void
write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(2);
		p += n;
		len -= (size_t)n;
	}
}

/* Send a reply (header fields in order from status). */
static void
reply(int fd, const uint32_t f[7], const struct pdq_hash *h,
    const void *body)
{
	uint8_t head[IMGCHILD_HEADER] = { 0 };

	memcpy(head, IMGCHILD_MAGIC, 8);
	for (int i = 0; i < 7; i++)
		encode_be32(head + 8 + 4 * i, f[i]);
	if (h != NULL)
		memcpy(head + 36, h->b, PDQ_HASH_BYTES);
	write_all(fd, head, sizeof(head));
	write_all(fd, body, f[6]);
}

static void __attribute__((noreturn))
refuse(int fd, const char *why)
{
	size_t len = strnlen(why, IMGDECODE_REASON_MAX);
	uint32_t f[7] = { 1, 0, 0, 0, 0, 0, (uint32_t)len };
	char clean[IMGDECODE_REASON_MAX];

	for (size_t i = 0; i < len; i++)	/* libraries' text, made ASCII */
		clean[i] = why[i] >= ' ' && why[i] <= '~' ? why[i] : '?';
	if (len == 0) {
		f[6] = 1;
		clean[0] = '?';
	}
	reply(fd, f, NULL, clean);
	_exit(0);
}

/*
 * Read the next request into a new buffer; refuse one the parent got
 * wrong. The end of the socket before a request: the parent is done.
 */
static uint8_t *
read_request(int fd, enum sniff_image *kind, uint32_t *flags, size_t *len)
{
	uint8_t head[IMGCHILD_REQUEST], *data;
	ssize_t got;
	uint64_t n;

	while ((got = read(fd, head, 1)) < 0 && errno == EINTR)
		;
	if (got == 0)
		_exit(0);
	if (got < 0)
		_exit(2);
	read_exact(fd, head + 1, sizeof(head) - 1);
	*kind = (enum sniff_image)decode_be32(head);
	*flags = decode_be32(head + 4);
	if ((n = decode_be64(head + 8)) > IMGDECODE_INPUT_MAX || n == 0 ||
	    *kind < SNIFF_JPEG || *kind > SNIFF_GIF ||
	    (*flags & ~IMGCHILD_THUMBNAIL) != 0)
		refuse(fd, "the decoder was sent a malformed request");
	if ((data = malloc((size_t)n)) == NULL)
		refuse(fd, "out of memory for the image's bytes");
	read_exact(fd, data, (size_t)n);
	*len = (size_t)n;
	return data;
}

/*
 * Hash, make the thumbnail if flags ask it, free the pixels and the
 * bytes, reply.
 */
static void
answer(int fd, struct imgcodec_image *img, uint8_t *data, uint32_t flags)
{
	static uint8_t thumb[THUMB_BYTES];
	struct pdq_hash hash;
	uint32_t f[7] = { 0, img->width, img->height, 0, 0, 0, 0 };
	int quality;

	if (pdq_hash_rgb(img->rgb, img->width, img->height,
	    (size_t)img->width * 3, &hash, &quality) != 0)
		refuse(fd, errno == ENOMEM ? "out of memory for the PDQ hash" :
		    "the PDQ hash refused the image's size");
	if (flags & IMGCHILD_THUMBNAIL) {
		thumb_size(img->width, img->height, &f[4], &f[5]);
		thumb_make(img->rgb, img->width, img->height, thumb);
	}
	free(img->rgb);
	free(data);
	f[3] = (uint32_t)quality;
	f[6] = f[4] * f[5];
	reply(fd, f, &hash, thumb);
}

#ifdef IMGCHILD_TEST_HOOKS
static enum imgchild_test test_what;
static uint8_t test_reply[IMGCHILD_HEADER + THUMB_BYTES + 64];
static size_t test_len;
static int test_found;		/* IMGCHILD_TEST_MEMORY: what the scan saw */
static unsigned long test_scanned;
static unsigned long test_rounds;	/* IMGCHILD_TEST_SLOW: a ms of CPU */
static volatile unsigned long spin;

void
imgchild_test_set(enum imgchild_test what, const void *reply_bytes,
    size_t len)
{
	test_what = what;
	test_len = len < sizeof(test_reply) ? len : sizeof(test_reply);
	if (test_len > 0)
		memcpy(test_reply, reply_bytes, test_len);
}

/* The parent: the test's choice as argv[2], and the reply's hex as [3]. */
static void
hook_argv(char **argv)
{
	static char what[12], hex[ENCODE_HEX_LEN(sizeof(test_reply)) + 1];

	if (test_what == IMGCHILD_TEST_OFF)
		return;
	snprintf(what, sizeof(what), "%d", (int)test_what);
	argv[0] = what;
	if (test_what == IMGCHILD_TEST_REPLY) {
		encode_hex(hex, test_reply, test_len);
		argv[1] = hex;
	}
}

/* The exec'd child: take them back; -1 if they are not hook_argv's. */
static int
hook_args(int argc, char **argv)
{
	char *end;
	long what;
	size_t n;

	if (argc == 2)
		return 0;
	what = strtol(argv[2], &end, 10);
	if (*end != '\0' || what <= IMGCHILD_TEST_OFF ||
	    what > IMGCHILD_TEST_SLOW ||
	    argc != (what == IMGCHILD_TEST_REPLY ? 4 : 3))
		return -1;
	test_what = (enum imgchild_test)what;
	if (argc == 3)
		return 0;
	n = strlen(argv[3]) / 2;
	if (n > sizeof(test_reply) ||
	    decode_hex(test_reply, n, argv[3], strlen(argv[3])) != 0)
		return -1;
	test_len = n;
	return 0;
}

/* murmur3's 64-bit finaliser. */
static uint64_t
mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdu;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53u;
	return h ^ (h >> 33);
}

/* A marker's last word from its first three (not 0 for zeros). */
static uint64_t
check_word(uint64_t a, uint64_t b, uint64_t c)
{
	return mix(a ^ mix(b ^ mix(c ^ 0x9e3779b97f4a7c15u)));
}

void
imgchild_test_marker(uint8_t m[IMGCHILD_TEST_MARKER])
{
	uint64_t w[4];

	if (getrandom(w, 3 * sizeof(w[0]), 0) != 3 * sizeof(w[0]))
		abort();
	w[3] = check_word(w[0], w[1], w[2]);
	memcpy(m, w, sizeof(w));
	explicit_bzero(w, sizeof(w));
}

typedef uint64_t __attribute__((may_alias)) word;

/* Whether [lo, hi) holds a marker at a word boundary: read past ASan. */
static int __attribute__((no_sanitize_address))
holds_marker(uintptr_t lo, uintptr_t hi)
{
	for (const word *p = (const word *)lo; (uintptr_t)(p + 4) <= hi; p++)
		if (p[3] == check_word(p[0], p[1], p[2]))
			return 1;
	return 0;
}

/* IMGCHILD_TEST_MEMORY, before the filter: look through our memory. */
static void
test_scan(void)
{
	char line[512], perm[5];
	unsigned long lo, hi;
	FILE *f;

	if (test_what != IMGCHILD_TEST_MEMORY ||
	    (f = fopen("/proc/self/maps", "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perm) == 3 &&
		    perm[0] == 'r' && hi - lo <= (64ul << 20) &&
		    strstr(line, "[vvar") == NULL &&
		    strstr(line, "[vsyscall]") == NULL) {
			test_found |= holds_marker(lo, hi);
			test_scanned += hi - lo;
		}
	fclose(f);
}

/* IMGCHILD_TEST_SLOW, before the filter: how many rounds make a ms. */
static void
test_calibrate(void)
{
	clock_t t0 = clock();
	unsigned long n = 0;

	if (test_what != IMGCHILD_TEST_SLOW)
		return;
	while (clock() - t0 < CLOCKS_PER_SEC / 10)
		for (int i = 0; i < 1000; i++, n++)
			spin++;
	test_rounds = n / 100;
}

static void
test_hook(int fd)
{
	uint8_t more[64];

	if (test_what == IMGCHILD_TEST_OPEN)
		close(open("/etc/passwd", O_RDONLY));
	else if (test_what == IMGCHILD_TEST_CRASH)
		*(volatile int *)(uintptr_t)(spin + 8) = 1;	/* SIGSEGV */
	else if (test_what == IMGCHILD_TEST_SPIN)
		for (;;)
			spin++;
	else if (test_what == IMGCHILD_TEST_STALL)
		for (;;)	/* all of the request, then wait */
			read_exact(fd, more, sizeof(more));
}

/*
 * After the request was read: the reply the test gave, or the scan's; or
 * the CPU time spent before the work.
 */
static void
test_answer(int fd)
{
	char why[IMGDECODE_REASON_MAX + 1];

	if (test_what == IMGCHILD_TEST_SLOW)
		for (unsigned long i = 0; i < IMGCHILD_TEST_SLOW_MS *
		    test_rounds; i++)
			spin++;
	if (test_what == IMGCHILD_TEST_REPLY) {
		write_all(fd, test_reply, test_len);
		_exit(0);
	}
	if (test_what == IMGCHILD_TEST_MEMORY) {
		snprintf(why, sizeof(why), "%s in the child's memory (%lu KiB "
		    "looked at)", test_found ? "a marker" : "no marker",
		    test_scanned >> 10);
		refuse(fd, why);
	}
}
#else
static void
hook_argv(char **argv)
{
	(void)argv;
}

/* A release build's child takes no argument but IMGCHILD_ARGV. */
static int
hook_args(int argc, char **argv)
{
	(void)argv;
	return argc == 2 ? 0 : -1;
}
#endif

void
imgchild_run(int fd)
{
	static char why[IMGCODEC_WHY_SIZE];
	struct imgcodec_image img;
	enum sniff_image kind;
	uint32_t flags;
	uint8_t *data;
	size_t len;

#ifdef IMGCHILD_TEST_HOOKS
	test_scan();
	test_calibrate();
#endif
	if (sandbox(fd) != 0)
		refuse(fd, "the decoder's sandbox could not be set up");
	keep_memory();
	cpu_budget();
#ifdef IMGCHILD_TEST_HOOKS
	test_hook(fd);
#endif
	for (;;) {
		data = read_request(fd, &kind, &flags, &len);
#ifdef IMGCHILD_TEST_HOOKS
		test_answer(fd);
#endif
		if (imgcodec_decode(kind, data, len, IMGDECODE_PIXELS_MAX,
		    &img, why) != 0)
			refuse(fd, why);
		answer(fd, &img, data, flags);
		cpu_budget();
	}
}

static int hooked;	/* imgchild_main was called: a child can be exec'd */

/* The child's environment: empty but for a sanitizer's options. */
static void
child_env(char **envp)
{
	size_t n = 0;
#ifdef IMGCHILD_SANITIZER
	static const char *const keep[] = { "ASAN_OPTIONS=", "UBSAN_OPTIONS=",
	    "LSAN_OPTIONS=" };

	for (char **e = environ; *e != NULL; e++)
		for (size_t i = 0; i < 3 && n < 3; i++)
			if (strncmp(*e, keep[i], strlen(keep[i])) == 0)
				envp[n++] = *e;
#endif
	envp[n] = NULL;
}

/*
 * The forked child, async-signal-safe calls only: fd as IMGCHILD_FD (no
 * longer close-on-exec), nothing else above 2, killed with the parent
 * (and gone if the parent already is), no signal blocked, then this
 * same program again.
 */
static void __attribute__((noreturn))
exec_child(int fd, pid_t parent, char *const argv[], char *const envp[])
{
	sigset_t none;

	sigemptyset(&none);
	if ((fd == IMGCHILD_FD ? fcntl(fd, F_SETFD, 0) :
	    dup2(fd, IMGCHILD_FD)) < 0 ||
	    close_range(IMGCHILD_FD + 1, ~0u, 0) != 0 ||
	    prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent ||
	    sigprocmask(SIG_SETMASK, &none, NULL) != 0)
		_exit(IMGCHILD_EXEC_FAILED);
	execve("/proc/self/exe", argv, envp);
	_exit(IMGCHILD_EXEC_FAILED);
}

pid_t
imgchild_start(int fd)
{
	static char name[] = "oniondrop-image-decoder", flag[] = IMGCHILD_ARGV;
	char *argv[5] = { name, flag, NULL, NULL, NULL }, *envp[4];
	pid_t parent = getpid(), pid;

	if (!hooked) {
		errno = ENOEXEC;
		return -1;
	}
	child_env(envp);
	hook_argv(argv + 2);
	if ((pid = fork()) == 0)
		exec_child(fd, parent, argv, envp);
	return pid;
}

void
imgchild_main(int argc, char **argv)
{
	struct stat st;

	if (argc < 2 || strcmp(argv[1], IMGCHILD_ARGV) != 0) {
		hooked = 1;
		return;
	}
	if (fstat(IMGCHILD_FD, &st) != 0 || !S_ISSOCK(st.st_mode) ||
	    hook_args(argc, argv) != 0) {
		fprintf(stderr, "%s: only for the program's own image decoder\n",
		    IMGCHILD_ARGV);
		exit(2);
	}
	imgchild_run(IMGCHILD_FD);
}
