/*
 * tally: how many distinct reports hold each value of a key, counted from
 * (report, value) pairs that come grouped by report, in report id order
 * (ORDER BY report id); a value may be given through a mapping (URL id to
 * host, or to a field of its current verdict) so that stats can join the
 * lines to their URLs in memory (strmap.h). Measured over 300,000 lines:
 * SQLite's join (two b-tree searches per line) and its DISTINCT over the
 * pairs took about 1 s; scans of urls and report_lines in report order and
 * this join in memory, 0.3 s.
 */
#ifndef TALLY_H
#define TALLY_H

#include <stddef.h>

struct tally;

/* One value and its count; value NULL is "no value". */
struct tally_entry {
	const void *value;
	size_t len;
	unsigned long count;
};

/* tally_new(): an empty tally, or NULL if memory is short. */
struct tally *tally_new(void);

/*
 * tally_add(t, report, rlen, value, vlen):
 * Count report[0..rlen) under value[0..vlen) (value NULL: under no
 * value) unless that report was counted under it already. Return 0, or
 * -1 with errno ENOMEM if memory is short, or EINVAL if report sorts
 * before the report of the previous call (byte order): its pairs were
 * not grouped, and a count could come out too high.
 */
int tally_add(struct tally *t, const void *report, size_t rlen,
    const void *value, size_t vlen);

/*
 * tally_map(t, from, flen, value, vlen):
 * Let tally_add_via count a report that names from[0..flen) (a URL id)
 * under value[0..vlen) (value NULL: no value), replacing an earlier
 * mapping of from. Return 0, or -1 with errno ENOMEM.
 */
int tally_map(struct tally *t, const void *from, size_t flen,
    const void *value, size_t vlen);

/*
 * tally_add_via(t, report, rlen, from, flen):
 * tally_add of report under the value mapped from from[0..flen), or
 * under no value if from is NULL or not mapped.
 */
int tally_add_via(struct tally *t, const void *report, size_t rlen,
    const void *from, size_t flen);

/*
 * tally_sorted(t, by_value, &n):
 * The values counted, n of them, in a new array (free() it; its values
 * point into t): by_value, no value first and then in byte order; else
 * the highest count first, ties in that order. NULL only if memory is
 * short.
 */
struct tally_entry *tally_sorted(const struct tally *t, int by_value,
    size_t *n);

/* tally_free(t): free t; NULL is a no-op. */
void tally_free(struct tally *t);

#endif
