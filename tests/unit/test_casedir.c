/*
 * test_casedir: a report's attachments reached from DIR by descriptor in
 * a temporary case directory: ids and names checked before anything is
 * opened ("../x", "a/b", "..", upper-case hex refused), a link in place of
 * the report's directory, of attachments/ or of a file not followed, a
 * FIFO opened without waiting for a writer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casedir.h"
#include "tap.h"

#define ID "0123456789abcdef0123456789abcdef"
#define LINKED "fedcba9876543210fedcba9876543210"

static void
test_checks(void)
{
	ok(casedir_id_ok(ID), "an id: 32 lower-case hex digits");
	ok(!casedir_id_ok("0123456789ABCDEF0123456789abcdef"), "upper case refused");
	ok(!casedir_id_ok(ID "0") && !casedir_id_ok("0123") &&
	    !casedir_id_ok(""), "other lengths refused");
	ok(!casedir_id_ok("../3456789abcdef0123456789abcdef"), "'../' refused");
	ok(casedir_name_ok("photo.png") && casedir_name_ok("...x") &&
	    casedir_name_ok("<b>&\xe2\x80\xae.png"), "one component, any bytes");
	ok(!casedir_name_ok("") && !casedir_name_ok(".") &&
	    !casedir_name_ok("..") && !casedir_name_ok("../x") &&
	    !casedir_name_ok("a/b") && !casedir_name_ok("/etc/passwd"),
	    "empty, '.', '..' and anything with '/' refused");
}

/* The case directory: ID/attachments with a file, a link and a FIFO;
 * LINKED a link to ID; outside, a file next to the case directory. */
static void
make_tree(const char *top)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/desk", top);
	if (mkdir(p, 0700) != 0 || chdir(p) != 0 || mkdir(ID, 0700) != 0 ||
	    mkdir(ID "/attachments", 0700) != 0 ||
	    symlink("../../../outside", ID "/attachments/link.png") != 0 ||
	    mkfifo(ID "/attachments/fifo", 0600) != 0 ||
	    symlink(ID, LINKED) != 0)
		abort();
	FILE *f = fopen(ID "/attachments/a.png", "w");
	FILE *g = fopen("../outside", "w");
	if (f == NULL || g == NULL)
		abort();
	fputs("bytes", f);
	fputs("not the case directory's", g);
	fclose(f);
	fclose(g);
}

static void
test_open(int dirfd)
{
	int afd, fd;
	struct stat st;

	afd = casedir_attachments(dirfd, ID);
	ok(afd >= 0, "ID/attachments opened");
	fd = casedir_open(afd, "a.png");
	ok(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 5, "a file opened");
	if (fd >= 0)
		close(fd);
	errno = 0;
	ok(casedir_open(afd, "../../outside") == -1 && errno == EINVAL,
	    "'../../outside' refused before any open: EINVAL");
	errno = 0;
	ok(casedir_open(afd, "link.png") == -1 && errno == ELOOP,
	    "a link to a file outside: not followed (ELOOP)");
	errno = 0;
	ok(casedir_open(afd, "missing") == -1 && errno == ENOENT, "missing: ENOENT");
	fd = casedir_open(afd, "fifo");
	ok(fd >= 0 && fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode),
	    "a FIFO opened at once (no writer waited for); the caller sees it");
	if (fd >= 0)
		close(fd);
	close(afd);
	errno = 0;
	ok(casedir_attachments(dirfd, LINKED) == -1 &&
	    (errno == ELOOP || errno == ENOTDIR),
	    "the report's directory a link: not followed (ENOTDIR)");
	errno = 0;
	ok(casedir_attachments(dirfd, "00000000000000000000000000000000") ==
	    -1 && errno == ENOENT, "no such report: ENOENT");
	errno = 0;
	ok(casedir_attachments(dirfd, "..") == -1 && errno == EINVAL,
	    "'..' as an id: EINVAL");
}

int
main(void)
{
	char top[] = "/tmp/test_casedir.XXXXXX";
	char cmd[128];
	int dirfd;

	test_checks();
	if (mkdtemp(top) == NULL)
		abort();
	make_tree(top);
	if ((dirfd = open(".", O_RDONLY | O_DIRECTORY)) < 0)
		abort();
	test_open(dirfd);
	close(dirfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	if (system(cmd) != 0)
		return 1;
	return tap_done();
}
