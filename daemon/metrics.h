/*
 * metrics: the "reports waiting" signal, a Prometheus textfile for
 * node_exporter's textfile collector (metrics_file), written on a fixed
 * timer by the server, never because of a submission. It owns the file's
 * contents: coarse gauges only (a bucket of unexported reports, store use
 * rounded to 10 %, whether an export is overdue, an uptime bucket), never
 * an exact count, never a time (the file's mtime says when it was written,
 * which is the timer's time, not a visitor's).
 */
#ifndef METRICS_H
#define METRICS_H

#include <stddef.h>
#include <time.h>

#include "store.h"

/*
 * metrics_format(buf, size, c, uptime):
 * The file's text for counts c and the daemon's uptime in seconds, into
 * buf (NUL-terminated). Return its length, or 0 if size is too small.
 */
size_t metrics_format(char *buf, size_t size, const struct store_counts *c,
    time_t uptime);

/*
 * metrics_write(path, c, uptime):
 * Write the text to PATH.tmp in path's directory, fsync it, rename it to
 * path and fsync the directory. Return 0 or an errno value.
 */
int metrics_write(const char *path, const struct store_counts *c,
    time_t uptime);

#endif
