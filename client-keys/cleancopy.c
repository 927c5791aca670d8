/*
 * cleancopy: see cleancopy.h. Whole files are held in memory (at most
 * IMGDECODE_INPUT_MAX, the decoder's own bound) and wiped when done.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "casedir.h"
#include "cleancopy.h"
#include "cli.h"
#include "imgdecode.h"
#include "metadata.h"
#include "sniff.h"

/* The images that mat2 cleans and metadata.c reads, and their extension
 * (mat2 picks its parser by the name's extension). */
static const struct {
	enum sniff_image kind;
	const char *ext;
} cleanable[] = {
	{ SNIFF_JPEG, "jpg" }, { SNIFF_PNG, "png" }, { SNIFF_GIF, "gif" },
};

/* mat2's limits: Python, GLib and a decoded 100-megapixel image fit. */
#define MAT2_MEMORY ((rlim_t)2 << 30)
#define MAT2_FILE_SIZE ((rlim_t)1 << 30)

/* A whole file in memory. */
struct blob {
	uint8_t *p;
	size_t len;
};

static void
blob_free(struct blob *b)
{
	if (b->p != NULL) {
		sodium_memzero(b->p, b->len);
		free(b->p);
	}
	b->p = NULL;
	b->len = 0;
}

static void
left_out(struct cleancopy *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
left_out(struct cleancopy *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
}

/*
 * Read the regular file name in dirfd (no link followed) into b. Return
 * 0; 1 if it is not there, not a regular file or over the decoder's
 * bound (c->why set); -1 after printing why.
 */
static int
blob_read(int dirfd, const char *name, struct blob *b, struct cleancopy *c)
{
	int fd = casedir_open(dirfd, name);
	struct stat st;
	size_t got = 0;
	ssize_t n;

	if (fd < 0 && (errno == ENOENT || errno == ELOOP || errno == EINVAL)) {
		left_out(c, errno == ENOENT ? "not there (purged?)" :
		    errno == ELOOP ? "a symbolic link, not followed" :
		    "its name is not one file name, not opened");
		return 1;
	}
	if (fd < 0) {
		cli_error_errno("cannot open %s", name);
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > IMGDECODE_INPUT_MAX) {
		left_out(c, "not a regular file of at most %zu MiB",
		    IMGDECODE_INPUT_MAX >> 20);
		close(fd);
		return 1;
	}
	if ((b->p = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		cli_error("out of memory");
		return -1;
	}
	/* one byte more than its size: a file that grew or shrank since
	 * fstat has another length, and so another hash */
	while (got < (size_t)st.st_size + 1) {
		n = read(fd, b->p + got, (size_t)st.st_size + 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	b->len = got;
	close(fd);
	return 0;
}

static void
sha256_hex(const struct blob *b, char hex[65])
{
	uint8_t h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, b->p, b->len);
	sodium_bin2hex(hex, 65, h, sizeof(h));
}

/* The extension of a cleanable image, or NULL. */
static const char *
cleanable_ext(enum sniff_image kind)
{
	for (size_t i = 0; i < sizeof(cleanable) / sizeof(cleanable[0]); i++)
		if (cleanable[i].kind == kind)
			return cleanable[i].ext;
	return NULL;
}

/* In the child: limits, no new privileges, stdio on /dev/null. */
static void
mat2_confine(int workfd)
{
	static const struct {
		int resource;
		rlim_t max;
	} limits[] = {
		{ RLIMIT_CPU, CLEANCOPY_SECONDS }, { RLIMIT_AS, MAT2_MEMORY },
		{ RLIMIT_FSIZE, MAT2_FILE_SIZE }, { RLIMIT_CORE, 0 },
	};
	int null = open("/dev/null", O_RDWR);

	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		struct rlimit rl = { limits[i].max, limits[i].max };
		setrlimit(limits[i].resource, &rl);
	}
	if (null < 0 || fchdir(workfd) != 0 || dup2(null, 0) < 0 ||
	    dup2(null, 1) < 0 || dup2(null, 2) < 0)
		_exit(127);
	close_range(3, ~0U, 0);
}

/* In the child: run mat2 --inplace on ./file, HOME and TMPDIR here. */
static void
mat2_exec(int workfd, const char *file)
{
	const char *mat2 = getenv("ONIONDROP_MAT2");
	char cwd[4096], home[4200], tmp[4200], cache[4200];
	char path[32] = "PATH=/usr/bin:/bin";
	char lang[32] = "LANG=C.UTF-8";
	char *envp[] = { path, home, tmp, cache, lang, NULL };
	char inplace[] = "--inplace", *argv[4];

	mat2 = mat2 != NULL && mat2[0] != '\0' ? mat2 : CLEANCOPY_MAT2;
	mat2_confine(workfd);
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		_exit(127);
	snprintf(home, sizeof(home), "HOME=%s", cwd);
	snprintf(tmp, sizeof(tmp), "TMPDIR=%s", cwd);
	snprintf(cache, sizeof(cache), "XDG_CACHE_HOME=%s", cwd);
	argv[0] = (char *)mat2;
	argv[1] = inplace;
	argv[2] = (char *)file;
	argv[3] = NULL;
	putenv(path);		/* execvpe searches this PATH */
	execvpe(mat2, argv, envp);
	_exit(127);
}

/*
 * Wait for mat2 (pid) at most CLEANCOPY_SECONDS, then kill its process
 * group. Return its wait status, or -1 if it was killed for time.
 */
static int
mat2_wait(pid_t pid)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0), status = 0, rc = 1;
	struct pollfd p = { pidfd, POLLIN, 0 };

	if (pidfd >= 0) {	/* else (before Linux 5.3) RLIMIT_CPU only */
		do
			rc = poll(&p, 1, CLEANCOPY_SECONDS * 1000);
		while (rc < 0 && errno == EINTR);
		kill(-pid, SIGKILL);	/* the group: what mat2 left, or all */
		close(pidfd);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return rc == 0 ? -1 : status;
}

/* Run mat2 on file in workfd. Return 0, or 1 with c->why set. */
static int
mat2_run(int workfd, const char *file, struct cleancopy *c)
{
	pid_t pid;
	int status;

	fflush(NULL);
	if ((pid = fork()) < 0) {
		left_out(c, "mat2 could not be started: %s", strerror(errno));
		return 1;
	}
	if (pid == 0)
		mat2_exec(workfd, file);
	setpgid(pid, pid);	/* as the child does: whichever runs first */
	status = mat2_wait(pid);
	if (status == -1)
		left_out(c, "mat2 took over %d s", CLEANCOPY_SECONDS);
	else if (WIFSIGNALED(status))
		left_out(c, "mat2 was killed by signal %d", WTERMSIG(status));
	else if (WEXITSTATUS(status) == 127)
		left_out(c, "mat2 could not be run (is it installed?)");
	else if (WEXITSTATUS(status) != 0)
		left_out(c, "mat2 failed (exit status %d)", WEXITSTATUS(status));
	return status == 0 ? 0 : 1;
}

/* Write b to the new file name in workfd (0600). Return 0 or -1 (printed). */
static int
blob_write(int workfd, const char *name, const struct blob *b)
{
	int fd = openat(workfd, name, O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd >= 0 && cli_write_all(fd, b->p, b->len) == 0 && close(fd) == 0)
		return 0;
	cli_error_errno("cannot write %s in the referral's work directory",
	    name);
	if (fd >= 0)
		close(fd);
	unlinkat(workfd, name, 0);
	return -1;
}

/* The labels (not the values) of what the copy still carries, in why. */
static void
still_carries(struct cleancopy *c, const struct metadata *m)
{
	size_t o = (size_t)snprintf(c->why, sizeof(c->why),
	    "mat2 left metadata in it:"), j;

	for (size_t i = 0; i < m->n && o < sizeof(c->why); i++) {
		int n = (int)strcspn(m->warning[i], ":");
		for (j = 0; j < i; j++)
			if (strncmp(m->warning[j], m->warning[i], (size_t)n) ==
			    0 && strcspn(m->warning[j], ":") == (size_t)n)
				break;
		if (j == i)	/* a label once */
			o += (size_t)snprintf(c->why + o, sizeof(c->why) - o,
			    "%s %.*s", i ? "," : "", n, m->warning[i]);
	}
}

/*
 * Check the cleaned copy file in workfd: the type kind, no metadata.
 * Fill c's size and hash. Return 0, 1 (c->why set) or -1.
 */
static int
check_copy(int workfd, const char *file, enum sniff_image kind,
    struct cleancopy *c)
{
	struct blob b = { 0 };
	struct metadata m = { 0 };
	enum sniff_image got;
	int rc;

	if ((rc = blob_read(workfd, file, &b, c)) != 0)
		return rc;
	sniff_type(b.p, b.len, &got);
	if (got != kind) {
		left_out(c, "mat2 made it another type");
		rc = 1;
	} else if (metadata_scan(b.p, b.len, &m) > 0) {
		still_carries(c, &m);
		rc = 1;
	} else {
		c->size = b.len;
		sha256_hex(&b, c->sha256);
	}
	blob_free(&b);
	return rc;
}

/*
 * The original, read: its type (*kind) cleanable and accepted by the
 * decoder. Return 0, or 1 with c->why set.
 */
static int
check_original(const struct blob *b, enum sniff_image *kind,
    struct cleancopy *c)
{
	static struct imgdecode_result res;	/* its thumbnail: 25 KiB */
	int rc = 0;

	c->type = sniff_type(b->p, b->len, kind);
	if ((c->ext = cleanable_ext(*kind)) == NULL) {
		left_out(c, "%s: only JPEG, PNG and GIF images are cleaned "
		    "(mat2) and checked", c->type);
		return 1;
	}
	if (imgdecode(b->p, b->len, &res) != 0) {
		left_out(c, "the sandboxed decoder refused it: %s", res.reason);
		rc = 1;
	}
	sodium_memzero(&res, sizeof(res));
	return rc;
}

/* Read the original again: it must still hash to sha256. 0 or -1. */
static int
unchanged(int attfd, const char *name, const char *sha256)
{
	struct cleancopy scratch = { 0 };
	struct blob b = { 0 };
	char hex[65] = "";

	if (blob_read(attfd, name, &b, &scratch) == 0)
		sha256_hex(&b, hex);
	blob_free(&b);
	if (strcmp(hex, sha256) == 0)
		return 0;
	cli_error("the original attachment %s changed while its copy was "
	    "made: nothing is sent", name);
	return -1;
}

int
cleancopy_make(int attfd, const char *name, const char *sha256,
    int workfd, const char *stem, struct cleancopy *c)
{
	struct blob b = { 0 };
	char file[256], hex[65];
	enum sniff_image kind;
	int rc;

	memset(c, 0, sizeof(*c));
	if ((rc = blob_read(attfd, name, &b, c)) != 0)
		return rc < 0 ? -1 : 0;
	c->original_size = b.len;
	sha256_hex(&b, hex);
	if (strcmp(hex, sha256) != 0) {
		left_out(c, "its bytes are not those decrypt recorded "
		    "(SHA-256 differs)");
		rc = 1;
	} else if ((rc = check_original(&b, &kind, c)) == 0) {
		snprintf(file, sizeof(file), "%s.%s", stem, c->ext);
		if ((rc = blob_write(workfd, file, &b)) == 0) {
			if ((rc = mat2_run(workfd, file, c)) == 0)
				rc = check_copy(workfd, file, kind, c);
			if (unchanged(attfd, name, sha256) != 0)
				rc = -1;	/* whatever mat2 did */
		}
		if (rc != 0)
			unlinkat(workfd, file, 0);
	}
	blob_free(&b);
	return rc == 0 ? 1 : rc < 0 ? -1 : 0;
}
