/*
 * imgchild: see imgchild.h. Before it reads the request the child:
 *   - closes every descriptor but its socket and 0-2 (which the filter
 *     then keeps it from writing);
 *   - sets rlimits: CPU IMGDECODE_CPU_SECONDS (SIGXCPU, SIGKILL one second
 *     later), address space what it inherited plus IMGDECODE_MEMORY, no
 *     file bytes written, no new descriptors, no core file;
 *   - asks to die with its parent, is made undumpable, takes no new
 *     privileges;
 *   - loads a seccomp filter that kills the process on any system call
 *     but read and write on its socket, memory management without
 *     PROT_EXEC (mmap, mprotect, munmap, mremap, brk, madvise) and exit
 *     (sysinfo fails with ENOSYS: glibc's qsort asks it and copes).
 * It has no open() at all after that: the decoders read memory. Built
 * with a sanitizer, the sanitizer's run time needs more calls and address
 * space than this: there the filter allows by default and kills on
 * opening a file, executing, or making a socket (lib/sysfilter.h), and
 * RLIMIT_AS is not set (IMGCHILD_SANITIZER, which meson sets only then).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
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

/* RLIMIT_AS: IMGDECODE_MEMORY over what the child inherited. */
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

static int
set_limits(void)
{
	return limit_memory() | limit(RLIMIT_CPU, IMGDECODE_CPU_SECONDS,
	    IMGDECODE_CPU_SECONDS + 1) | limit(RLIMIT_FSIZE, 0, 0) |
	    limit(RLIMIT_NOFILE, 0, 0) | limit(RLIMIT_CORE, 0, 0);
}

/*
 * Read and write on fd, memory without PROT_EXEC, and exit (glibc's qsort,
 * pdq's median, asks sysinfo for the memory size and copes with ENOSYS).
 * Never, even in a sanitizer build: a file, a program, a socket.
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
	    signal(SIGXCPU, SIG_DFL) == SIG_ERR || set_limits() != 0 ||
	    prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 ||
	    prctl(PR_SET_DUMPABLE, 0) != 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -1;
	return load_filter(fd) == 0 ? 0 : -1;
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

/* Send a reply (header fields in order from status) and exit 0. */
static void __attribute__((noreturn))
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
	_exit(0);
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
}

/* Read the request into a new buffer; refuse one the parent got wrong. */
static uint8_t *
read_request(int fd, enum sniff_image *kind, size_t *len)
{
	uint8_t head[IMGCHILD_REQUEST], *data;
	uint64_t n;

	read_exact(fd, head, sizeof(head));
	*kind = (enum sniff_image)decode_be32(head);
	if ((n = decode_be64(head + 4)) > IMGDECODE_INPUT_MAX || n == 0 ||
	    *kind < SNIFF_JPEG || *kind > SNIFF_GIF)
		refuse(fd, "the decoder was sent a malformed request");
	if ((data = malloc((size_t)n)) == NULL)
		refuse(fd, "out of memory for the image's bytes");
	read_exact(fd, data, (size_t)n);
	*len = (size_t)n;
	return data;
}

/* Hash, make the thumbnail, reply. */
static void __attribute__((noreturn))
answer(int fd, const struct imgcodec_image *img)
{
	static uint8_t thumb[THUMB_BYTES];
	struct pdq_hash hash;
	uint32_t f[7] = { 0, img->width, img->height, 0, 0, 0, 0 };
	int quality;

	if (pdq_hash_rgb(img->rgb, img->width, img->height,
	    (size_t)img->width * 3, &hash, &quality) != 0)
		refuse(fd, errno == ENOMEM ? "out of memory for the PDQ hash" :
		    "the PDQ hash refused the image's size");
	thumb_size(img->width, img->height, &f[4], &f[5]);
	thumb_make(img->rgb, img->width, img->height, thumb);
	f[3] = (uint32_t)quality;
	f[6] = f[4] * f[5];
	reply(fd, f, &hash, thumb);
}

#ifdef IMGCHILD_TEST_HOOKS
static enum imgchild_test test_what;
static uint8_t test_reply[IMGCHILD_HEADER + THUMB_BYTES + 64];
static size_t test_len;

void
imgchild_test_set(enum imgchild_test what, const void *reply_bytes,
    size_t len)
{
	test_what = what;
	test_len = len < sizeof(test_reply) ? len : sizeof(test_reply);
	if (test_len > 0)
		memcpy(test_reply, reply_bytes, test_len);
}

static void
test_hook(int fd)
{
	static volatile unsigned long spin;
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

/* After the request was read: the reply the test gave. */
static void
test_answer(int fd)
{
	if (test_what == IMGCHILD_TEST_REPLY) {
		write_all(fd, test_reply, test_len);
		_exit(0);
	}
}
#endif

void
imgchild_run(int fd)
{
	static char why[IMGCODEC_WHY_SIZE];
	struct imgcodec_image img;
	enum sniff_image kind;
	uint8_t *data;
	size_t len;

	if (sandbox(fd) != 0)
		refuse(fd, "the decoder's sandbox could not be set up");
#ifdef IMGCHILD_TEST_HOOKS
	test_hook(fd);
#endif
	data = read_request(fd, &kind, &len);
#ifdef IMGCHILD_TEST_HOOKS
	test_answer(fd);
#endif
	if (imgcodec_decode(kind, data, len, IMGDECODE_PIXELS_MAX, &img,
	    why) != 0)
		refuse(fd, why);
	answer(fd, &img);
}
