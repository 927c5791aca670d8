/*
 * metrics: see metrics.h. Buckets: unexported reports 0, 1-5, 6-20,
 * 21-100, more; uptime <1h, <1d, <7d, >=7d; store use a multiple of 10.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fdio.h"
#include "metrics.h"

#define METRICS_TEXT_MAX 2048

static const char *
unexported_bucket(uint64_t n)
{

	if (n == 0)
		return "0";
	if (n <= 5)
		return "1-5";
	if (n <= 20)
		return "6-20";
	if (n <= 100)
		return "21-100";
	return "more";
}

static const char *
uptime_bucket(time_t t)
{

	if (t < 3600)
		return "<1h";
	if (t < 86400)
		return "<1d";
	if (t < 7 * 86400)
		return "<7d";
	return ">=7d";
}

size_t
metrics_format(char *buf, size_t size, const struct store_counts *c,
    time_t uptime)
{
	int n;

	n = snprintf(buf, size,
	    "# HELP oniondrop_unexported Reports waiting for an export, as a "
	    "bucket (0, 1-5, 6-20, 21-100, more).\n"
	    "# TYPE oniondrop_unexported gauge\n"
	    "oniondrop_unexported{bucket=\"%s\"} 1\n"
	    "# HELP oniondrop_store_used_percent Store use of max_store_size, "
	    "rounded to 10.\n"
	    "# TYPE oniondrop_store_used_percent gauge\n"
	    "oniondrop_store_used_percent %u\n"
	    "# HELP oniondrop_last_export_older_than_day 1 if reports wait "
	    "and none was exported today or yesterday (UTC).\n"
	    "# TYPE oniondrop_last_export_older_than_day gauge\n"
	    "oniondrop_last_export_older_than_day %d\n"
	    "# HELP oniondrop_uptime The daemon's uptime, as a bucket "
	    "(<1h, <1d, <7d, >=7d).\n"
	    "# TYPE oniondrop_uptime gauge\n"
	    "oniondrop_uptime{bucket=\"%s\"} 1\n",
	    unexported_bucket(c->unexported),
	    (c->used_percent + 5) / 10 * 10, c->export_overdue ? 1 : 0,
	    uptime_bucket(uptime));
	return n < 0 || (size_t)n >= size ? 0 : (size_t)n;
}

int
metrics_write(const char *path, const struct store_counts *c,
    time_t uptime)
{
	char text[METRICS_TEXT_MAX], tmp[PATH_MAX], dir[PATH_MAX];
	char *slash;
	size_t len;
	int fd, dfd, rc = 0;

	if ((len = metrics_format(text, sizeof(text), c, uptime)) == 0 ||
	    snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp) ||
	    snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir) ||
	    (slash = strrchr(dir, '/')) == NULL)
		return ENAMETOOLONG;
	slash[slash == dir] = '\0';
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0644)) < 0)
		return errno;
	if ((rc = fdio_write_all(fd, text, len)) == 0 && fsync(fd) != 0)
		rc = errno;
	if (close(fd) != 0 && rc == 0)
		rc = errno;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = errno;
	if (rc != 0) {
		unlink(tmp);
		return rc;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return errno;
	if (fsync(dfd) != 0)
		rc = errno;
	close(dfd);
	return rc;
}
