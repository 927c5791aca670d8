/*
 * envfile: see envfile.h. Files are opened for one batch of writes and
 * closed after it, so an upload in progress holds no descriptor between
 * writes, however many uploads there are. The aligned writes go through
 * envfile_write with O_DIRECT; the unaligned end of a file is written
 * after clearing O_DIRECT on the descriptor (fcntl).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "encode.h"
#include "envfile.h"

#define NAME_LEN ENCODE_HEX_LEN(ENVELOPE_ID_BYTES)
#define READ_SIZE (256 * 1024)
#define SPARE_PREFIX "spare-"

/* The start of today (UTC), as both times of futimens. */
static void
today(struct timespec t[2])
{

	t[0] = (struct timespec){ time(NULL) / 86400 * 86400, 0 };
	t[1] = t[0];
}

/* openat without moving the file's atime where this user may ask it (its
 * owner, or root): reading a file or listing a directory leaves no time. */
static int
open_quiet(int dir, const char *name, int flags)
{
	int fd = openat(dir, name, flags | O_NOATIME);

	return fd < 0 && errno == EPERM ? openat(dir, name, flags) : fd;
}

static void
name_of(char name[NAME_LEN + 1], const uint8_t id[ENVELOPE_ID_BYTES])
{

	encode_hex(name, id, ENVELOPE_ID_BYTES);
}

/* The id an envelope file is named after; -1 if name is not one. */
static int
id_of(const char *name, uint8_t id[ENVELOPE_ID_BYTES])
{
	char again[NAME_LEN + 1];

	if (strlen(name) != NAME_LEN ||
	    decode_hex(id, ENVELOPE_ID_BYTES, name, NAME_LEN) != 0)
		return -1;
	name_of(again, id);
	return strcmp(again, name) == 0 ? 0 : -1;	/* one name per id */
}

#define SPARE_NAME_MAX 16

static void
spare_name(char name[SPARE_NAME_MAX], int i)
{

	snprintf(name, SPARE_NAME_MAX, SPARE_PREFIX "%d", i);
}

int
envfile_make_spares(int dir)
{
	char name[SPARE_NAME_MAX];
	struct timespec t[2];
	int fd, rc;

	today(t);
	for (int i = 0; i < ENVFILE_SPARES; i++) {
		spare_name(name, i);
		if ((fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL |
		    O_CLOEXEC | O_NOFOLLOW, 0600)) < 0) {
			if (errno != EEXIST)
				return errno;
			continue;
		}
		rc = futimens(fd, t) == 0 ? 0 : errno;
		close(fd);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/*
 * Give a spare file the name name (into 0), or give name a free spare
 * name (into 1). Return 0, or ENOENT (no spare left) or EEXIST (no free
 * spare name) if there is none.
 */
static int
spare_swap(int dir, const char *name, int into)
{
	char spare[SPARE_NAME_MAX];
	int none = into ? EEXIST : ENOENT;

	for (int i = 0; i < ENVFILE_SPARES; i++) {
		spare_name(spare, i);
		if ((into ? renameat2(dir, name, dir, spare, RENAME_NOREPLACE) :
		    renameat2(dir, spare, dir, name, RENAME_NOREPLACE)) == 0)
			return 0;
		if (errno != none)
			return errno;
	}
	return none;
}

int
envfile_open(int dir, const uint8_t id[ENVELOPE_ID_BYTES], int create,
    int *fd)
{
	char name[NAME_LEN + 1];
	int flags = O_WRONLY | O_CLOEXEC | O_NOFOLLOW;

	name_of(name, id);
	if (create && spare_swap(dir, name, 0) != 0)
		flags |= O_CREAT | O_EXCL;	/* none left: a new file */
	if ((*fd = openat(dir, name, flags | O_DIRECT, 0600)) < 0 &&
	    errno == EINVAL)	/* no O_DIRECT here; the file may exist now */
		*fd = openat(dir, name, flags & ~O_EXCL, 0600);
	return *fd < 0 ? errno : 0;
}

int
envfile_write(int fd, uint64_t offset, const uint8_t *buf, size_t len)
{
	ssize_t w;

	while (len > 0) {
		if ((w = pwrite(fd, buf, len, (off_t)offset)) < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno;
		if (w == 0)
			return EIO;
		buf += w;
		len -= (size_t)w;
		offset += (uint64_t)w;
	}
	return 0;
}

int
envfile_write_last(int fd, uint64_t offset, const uint8_t *buf, size_t len)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_DIRECT) != 0)
		return errno;
	return envfile_write(fd, offset, buf, len);
}

int
envfile_sync(int fd, uint32_t day)
{
	struct timespec t[2] = { { (time_t)day * 86400, 0 },
	    { (time_t)day * 86400, 0 } };

	if (futimens(fd, t) != 0)
		return errno;
	return fdatasync(fd) == 0 ? 0 : errno;
}

int
envfile_sync_dir(int dir)
{

	return fsync(dir) == 0 ? 0 : errno;
}

int
envfile_remove(int dir, const uint8_t id[ENVELOPE_ID_BYTES])
{
	char name[NAME_LEN + 1];

	if (dir < 0)
		return ENOENT;
	name_of(name, id);
	return unlinkat(dir, name, 0) == 0 ? 0 : errno;
}

/* Empty name and set its times to today's start, as a spare's. */
static int
empty(int dir, const char *name)
{
	struct timespec t[2];
	int fd, rc;

	if ((fd = openat(dir, name, O_WRONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return errno;
	today(t);
	rc = ftruncate(fd, 0) == 0 && futimens(fd, t) == 0 ? 0 : errno;
	close(fd);
	return rc;
}

int
envfile_return(int dir, const uint8_t id[ENVELOPE_ID_BYTES])
{
	char name[NAME_LEN + 1];
	int rc;

	if (dir < 0)
		return ENOENT;
	name_of(name, id);
	if ((rc = empty(dir, name)) == ENOENT ||
	    (rc == 0 && spare_swap(dir, name, 1) == 0))
		return rc;
	return unlinkat(dir, name, 0) == 0 ? 0 : errno;
}

/* Send fd's bytes to sink, expecting exactly size of them. */
static int
stream(int fd, uint64_t size, bytes_sink *sink, void *ctx)
{
	uint8_t *buf = malloc(READ_SIZE);
	uint64_t total = 0;
	ssize_t n;
	int rc = 0;

	if (buf == NULL)
		return ENOMEM;
	while (rc == 0) {
		if ((n = read(fd, buf, READ_SIZE)) < 0) {
			if (errno != EINTR)
				rc = errno;
			continue;
		}
		if (n == 0)
			break;
		total += (uint64_t)n;
		if (total > size)
			rc = EBADMSG;
		else if (sink(ctx, buf, (size_t)n) != 0)
			rc = -1;
	}
	free(buf);
	return rc == 0 && total != size ? EBADMSG : rc;
}

int
envfile_read(int dir, const uint8_t id[ENVELOPE_ID_BYTES], uint64_t size,
    bytes_sink *sink, void *ctx)
{
	char name[NAME_LEN + 1];
	struct stat st, dst;
	int fd, rc;

	if (dir < 0)
		return ENOENT;
	name_of(name, id);
	/* Never a link or a device, nor a file of another user, whatever the
	 * directory holds: export reads what a compromised server wrote. */
	if ((fd = open_quiet(dir, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return errno;
	if (fstat(fd, &st) != 0 || fstat(dir, &dst) != 0)
		rc = errno;
	else if (!S_ISREG(st.st_mode))
		rc = EBADMSG;
	else
		rc = st.st_uid != dst.st_uid ? EPERM :
		    stream(fd, size, sink, ctx);
	close(fd);
	return rc;
}

/*
 * Call fn(dir, name, id, ctx) for every envelope file, and with spares for
 * every spare too (id NULL), until one fails.
 */
static int
for_each_file(int dir, int spares,
    int (*fn)(int, const char *, const uint8_t *, void *), void *ctx)
{
	uint8_t id[ENVELOPE_ID_BYTES];
	DIR *d;
	struct dirent *e;
	int fd, rc = 0;

	/* fdopendir takes the descriptor it is given: give it a copy. */
	if ((fd = open_quiet(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return errno;
	if ((d = fdopendir(fd)) == NULL) {
		rc = errno;
		close(fd);
		return rc;
	}
	while (rc == 0 && (errno = 0, e = readdir(d)) != NULL)
		if (id_of(e->d_name, id) == 0)
			rc = fn(dir, e->d_name, id, ctx);
		else if (spares && strncmp(e->d_name, SPARE_PREFIX,
		    strlen(SPARE_PREFIX)) == 0)
			rc = fn(dir, e->d_name, NULL, ctx);
	if (rc == 0 && e == NULL && errno != 0)
		rc = errno;
	closedir(d);
	return rc;
}

struct sweep {
	int (*keep)(void *ctx, const uint8_t *id);
	void *ctx;
	uint64_t *bytes;
	size_t *removed;
};

/* Keep or remove one envelope file, as envfile_sweep says. */
static int
sweep_one(int dir, const char *name, const uint8_t *id, void *arg)
{
	struct sweep *sw = arg;
	struct stat st;
	int k;

	if ((k = sw->keep(sw->ctx, id)) == 0) {
		if (unlinkat(dir, name, 0) != 0 && errno != ENOENT)
			return errno;
		if (sw->removed != NULL)
			(*sw->removed)++;
		return 0;
	}
	if (k != 1)
		return k;
	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? 0 : errno;	/* gone meanwhile */
	*sw->bytes += (uint64_t)st.st_size;
	return 0;
}

int
envfile_sweep(int dir, int (*keep)(void *ctx, const uint8_t *id), void *ctx,
    uint64_t *bytes, size_t *removed)
{
	struct sweep sw = { keep, ctx, bytes, removed };

	return for_each_file(dir, 0, sweep_one, &sw);
}

/* Set a file's times to what they are: the kernel sets its ctime to now. */
static int
touch_one(int dir, const char *name, const uint8_t *id, void *arg)
{
	struct timespec t[2];
	struct stat st;

	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? 0 : errno;
	t[0] = st.st_atim;
	t[1] = st.st_mtim;
	if (utimensat(dir, name, t, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? 0 : errno;
	return 0;
}

int
envfile_touch_all(int dir)
{
	struct timespec t[2];
	int rc;

	if ((rc = for_each_file(dir, 1, touch_one, NULL)) != 0)
		return rc;
	today(t);
	return futimens(dir, t) == 0 ? 0 : errno;
}

