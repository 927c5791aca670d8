/*
 * urlstats: the URLs of a case file as the queue shows them. For each URL,
 * what the reports naming it say (how many distinct reports, the first
 * and last day one was received, their languages and categories) and its
 * current verdict; for each host, the current verdicts of its URLs. Each
 * table is read once, in file order, and summed in memory (strmap.h says
 * why), then the URLs are ordered: hosts oldest first, each host's URLs
 * oldest first.
 */
#ifndef URLSTATS_H
#define URLSTATS_H

#include <stddef.h>

struct cases;
struct strmap_item;

#define URLSTATS_LIST_MAX 16	/* distinct values listed; more are counted */

/* Distinct values in the order first met (a list in the summary's arena). */
struct urlstats_value {
	const struct strmap_item *v;
	long long count;
	struct urlstats_value *next;
};

struct urlstats_list {
	struct urlstats_value *head;
	unsigned n;		/* values listed, at most URLSTATS_LIST_MAX */
	int more;		/* 1 if other values were left out */
};

struct urlstats_host {
	const struct strmap_item *name;
	const struct strmap_item *first;	/* oldest day of its URLs shown */
	struct urlstats_list verdicts;	/* its URLs' current verdicts, counted */
};

struct urlstats_url {
	const struct strmap_item *id;
	const char *canonical;
	size_t canonical_len;
	struct urlstats_host *host;
	long long reports;	/* distinct reports naming it */
	const struct strmap_item *first, *last;	/* days; NULL if no report */
	struct urlstats_list languages, categories;
	const struct strmap_item *verdict;	/* current; NULL if none */
};

struct urlstats;

/*
 * urlstats_load(c, all):
 * The URLs of c without a verdict (with all, every URL), ordered. Run it
 * inside a read transaction so the tables are one snapshot. Return NULL
 * after printing why.
 */
struct urlstats *urlstats_load(struct cases *c, int all);

/* urlstats_count(s): how many URLs s holds. */
size_t urlstats_count(const struct urlstats *s);

/* urlstats_get(s, i): the i-th URL (i < urlstats_count(s)), in order. */
const struct urlstats_url *urlstats_get(const struct urlstats *s, size_t i);

/* urlstats_free(s): free s and all it points to; NULL is a no-op. */
void urlstats_free(struct urlstats *s);

#endif
