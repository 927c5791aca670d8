/*
 * test_metrics: the metrics file's text. Each bucket's bounds (0, 1, 5,
 * 6, 20, 21, 100, 101 and a huge count; uptimes around an hour, a day and
 * a week), store use rounded to 10, the overdue flag; no value in the text
 * but 0, 1 or a multiple of 10 (no exact count), and a buffer too small
 * refused. metrics_write: the file replaced whole, no .tmp left.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "metrics.h"
#include "tap.h"

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

static char text[2048];

static const char *
format(uint64_t unexported, unsigned used, int overdue, time_t uptime)
{
	struct store_counts c = { unexported, used, overdue };

	if (metrics_format(text, sizeof(text), &c, uptime) == 0)
		return "";
	return text;
}

/* Whether every sample's value is 0, 1 or a multiple of 10 up to 100. */
static int
coarse(const char *t)
{
	const char *line, *sp;
	long v;

	for (line = t; *line != '\0'; line = strchr(line, '\n') + 1) {
		if (*line != '#') {
			sp = strchr(line, ' ');
			v = strtol(sp + 1, NULL, 10);
			if (!(v == 0 || v == 1 || (v % 10 == 0 && v <= 100)))
				return 0;
		}
		if (strchr(line, '\n') == NULL)
			break;
	}
	return 1;
}

int
main(void)
{
	static const struct { uint64_t n; const char *bucket; } un[] = {
		{ 0, "0" }, { 1, "1-5" }, { 5, "1-5" }, { 6, "6-20" },
		{ 20, "6-20" }, { 21, "21-100" }, { 100, "21-100" },
		{ 101, "more" }, { 123456789, "more" },
	};
	static const struct { time_t t; const char *bucket; } up[] = {
		{ 0, "<1h" }, { 3599, "<1h" }, { 3600, "<1d" },
		{ 86399, "<1d" }, { 86400, "<7d" }, { 7 * 86400 - 1, "<7d" },
		{ 7 * 86400, ">=7d" },
	};
	static const unsigned used[][2] = {
		{ 0, 0 }, { 4, 0 }, { 5, 10 }, { 14, 10 }, { 57, 60 },
		{ 95, 100 }, { 100, 100 },
	};
	char want[128], path[] = "/tmp/test_metrics.XXXXXX", file[64];
	struct store_counts c = { 3, 0, 0 };
	FILE *f;
	size_t n;

	for (size_t i = 0; i < NELEMS(un); i++) {
		snprintf(want, sizeof(want),
		    "\noniondrop_unexported{bucket=\"%s\"} 1\n", un[i].bucket);
		ok(strstr(format(un[i].n, 0, 0, 0), want) != NULL,
		    "%llu unexported: bucket %s", (unsigned long long)un[i].n,
		    un[i].bucket);
		ok(coarse(text), "... and no exact count in the text");
	}
	for (size_t i = 0; i < NELEMS(up); i++) {
		snprintf(want, sizeof(want),
		    "\noniondrop_uptime{bucket=\"%s\"} 1\n", up[i].bucket);
		ok(strstr(format(0, 0, 0, up[i].t), want) != NULL,
		    "uptime %ld s: bucket %s", (long)up[i].t, up[i].bucket);
	}
	for (size_t i = 0; i < NELEMS(used); i++) {
		snprintf(want, sizeof(want),
		    "\noniondrop_store_used_percent %u\n", used[i][1]);
		ok(strstr(format(0, used[i][0], 0, 0), want) != NULL,
		    "store use %u %%: %u", used[i][0], used[i][1]);
	}
	ok(strstr(format(7, 0, 1, 0),
	    "\noniondrop_last_export_older_than_day 1\n") != NULL,
	    "export overdue: 1");
	ok(strstr(format(7, 0, 0, 0),
	    "\noniondrop_last_export_older_than_day 0\n") != NULL,
	    "export not overdue: 0");
	ok(metrics_format(text, 100, &c, 0) == 0, "a buffer too small: 0");

	ok(mkdtemp(path) != NULL, "a directory for the file");
	snprintf(file, sizeof(file), "%s/m.prom", path);
	ok(metrics_write(file, &c, 0) == 0, "metrics_write");
	c.unexported = 50;
	ok(metrics_write(file, &c, 0) == 0, "metrics_write again");
	f = fopen(file, "r");
	n = f != NULL ? fread(text, 1, sizeof(text) - 1, f) : 0;
	text[n] = '\0';
	if (f != NULL)
		fclose(f);
	ok(strstr(text, "bucket=\"21-100\"") != NULL &&
	    strstr(text, "bucket=\"1-5\"") == NULL, "the file replaced whole");
	snprintf(want, sizeof(want), "%s.tmp", file);
	ok(access(want, F_OK) != 0, "no .tmp left");
	unlink(file);
	rmdir(path);
	return tap_done();
}
