/*
 * od-match: a bench tool for matching attachments against hash lists
 * (client-keys/pdqindex and known), for bench/desk-match.sh.
 *
 *   od-match index N QUERIES   N random PDQ hashes into a pdqindex: the
 *                              build's time and memory, then QUERIES
 *                              lookups (half a listed hash with 0..40
 *                              bits flipped, half unrelated)
 *   od-match case DIR QUERIES  known_load of DIR/cases.db (time, memory),
 *                              then QUERIES known_match calls, each with
 *                              random MD5, SHA-1 and SHA-256 (looked up in
 *                              SQLite) and a PDQ hash as above, near one
 *                              of the file's
 *
 * Prints one "name value unit" line per figure; lookup times are the
 * median, the 99th percentile and the slowest of the queries, in wall
 * time and in the thread's CPU time (which leaves out the time other
 * programs ran instead: on a busy machine, a query cut by the scheduler).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>
#include <sqlite3.h>

#include "cases.h"
#include "known.h"
#include "pdqindex.h"

static double
clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double
now_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

/* The thread's CPU time: a query's without the time others ran instead. */
static double
cpu_ms(void)
{
	return clock_ms(CLOCK_THREAD_CPUTIME_ID);
}

/* The resident set size, in MiB, from /proc/self/statm. */
static double
rss_mib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, rss = 0;

	if (f != NULL) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return (double)rss * 4096.0 / (1024.0 * 1024.0);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* One query (number k): 1 found, 0 not, -1 failed. */
typedef int query_fn(void *arg, size_t k);

/*
 * Run nq queries, timing each in wall and CPU time, and print the median,
 * 99th percentile and slowest of each. Return 0, or -1.
 */
static int
time_queries(size_t nq, query_fn *fn, void *arg)
{
	double *t = malloc(nq * sizeof(*t)), *cpu = malloc(nq * sizeof(*cpu));
	double t0, c0;
	int found = 0, rc = -1, r;

	if (t == NULL || cpu == NULL || nq == 0)
		goto done;
	for (size_t k = 0; k < nq; k++) {
		c0 = cpu_ms();
		t0 = now_ms();
		if ((r = fn(arg, k)) < 0)
			goto done;
		t[k] = now_ms() - t0;
		cpu[k] = cpu_ms() - c0;
		found += r;
	}
	qsort(t, nq, sizeof(*t), cmp_double);
	qsort(cpu, nq, sizeof(*cpu), cmp_double);
	printf("queries %zu\nfound %d\n", nq, found);
	printf("lookup_median %.4f ms\nlookup_p99 %.4f ms\nlookup_max %.4f ms\n",
	    t[nq / 2], t[nq * 99 / 100], t[nq - 1]);
	printf("lookup_cpu_median %.4f ms\nlookup_cpu_p99 %.4f ms\n"
	    "lookup_cpu_max %.4f ms\n", cpu[nq / 2], cpu[nq * 99 / 100],
	    cpu[nq - 1]);
	rc = 0;
done:
	free(t);
	free(cpu);
	return rc;
}

/* A query: listed[i] with 0..40 bits flipped for even k, else random. */
static void
make_query(struct pdq_hash *q, const struct pdq_hash *listed, size_t n,
    size_t k)
{
	if (k % 2 == 1 || n == 0) {
		randombytes_buf(q->b, sizeof(q->b));
		return;
	}
	*q = listed[randombytes_uniform((uint32_t)n)];
	for (uint32_t d = randombytes_uniform(41); d > 0; d--) {
		uint32_t bit = randombytes_uniform(256);

		q->b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
}

struct bench {
	struct pdq_hash *listed;	/* hashes to make near queries from */
	size_t n;
	struct pdqindex *ix;		/* index */
	struct known *k;		/* case */
};

static int
index_query(void *arg, size_t k)
{
	struct bench *b = arg;
	struct pdq_hash q;
	uint32_t payload;
	int d;

	make_query(&q, b->listed, b->n, k);
	return pdqindex_match(b->ix, &q, PDQINDEX_DISTANCE_MAX, &payload, &d);
}

static int
bench_index(size_t n, size_t nq)
{
	struct bench b = { malloc(n * sizeof(*b.listed)), n, pdqindex_new(),
		NULL };
	double t0, rss0 = rss_mib();
	int rc = 1;

	if (b.listed == NULL || b.ix == NULL)
		goto done;
	randombytes_buf(b.listed, n * sizeof(*b.listed));
	t0 = now_ms();
	for (size_t i = 0; i < n; i++)
		if (pdqindex_add(b.ix, &b.listed[i], (uint32_t)i) != 0)
			goto done;
	if (pdqindex_build(b.ix) != 0)
		goto done;
	printf("listed %zu\nbuild %.1f ms\nindex_bytes %.1f MiB\n"
	    "rss_growth %.1f MiB\n", n, now_ms() - t0,
	    (double)pdqindex_bytes(b.ix) / (1024.0 * 1024.0),
	    rss_mib() - rss0);
	rc = time_queries(nq, index_query, &b) == 0 ? 0 : 1;
done:
	pdqindex_free(b.ix);
	free(b.listed);
	return rc;
}

/* Up to max PDQ hashes of the case file, to make near queries from. */
static size_t
some_pdq(struct cases *c, struct pdq_hash *out, size_t max)
{
	sqlite3_stmt *st;
	size_t n = 0;

	if (sqlite3_prepare_v2(cases_db(c), "SELECT value FROM hashes WHERE "
	    "kind = 'pdq' AND length(value) = 32 ORDER BY random() LIMIT ?1",
	    -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)max);
	while (n < max && sqlite3_step(st) == SQLITE_ROW)
		memcpy(out[n++].b, sqlite3_column_blob(st, 0), PDQ_HASH_BYTES);
	sqlite3_finalize(st);
	return n;
}

/* known_match with random MD5, SHA-1, SHA-256 and a PDQ as above. */
static int
case_query(void *arg, size_t k)
{
	struct bench *b = arg;
	uint8_t md5[16], sha1[20], sha256[32];
	struct pdq_hash q;
	struct known_query kq = { md5, sha1, sha256, &q, 100 };
	struct known_hit hit;

	make_query(&q, b->listed, b->n, k);
	randombytes_buf(md5, sizeof(md5));
	randombytes_buf(sha1, sizeof(sha1));
	randombytes_buf(sha256, sizeof(sha256));
	return known_match(b->k, &kq, &hit);
}

static int
bench_case(const char *dir, size_t nq)
{
	struct bench b = { malloc(nq * sizeof(*b.listed)), 0, NULL, NULL };
	struct cases *c = NULL;
	double t0, rss0 = rss_mib();
	int rc = 1;

	if (b.listed == NULL || (c = cases_open(dir, CASES_READ)) == NULL)
		goto done;
	b.n = some_pdq(c, b.listed, nq);
	t0 = now_ms();
	if ((b.k = known_load(c)) == NULL)
		goto done;
	printf("listed %zu\nload %.1f ms\nrss_growth %.1f MiB\n",
	    known_pdq_count(b.k), now_ms() - t0, rss_mib() - rss0);
	rc = time_queries(nq, case_query, &b) == 0 ? 0 : 1;
done:
	known_free(b.k);
	cases_close(c);
	free(b.listed);
	return rc;
}

int
main(int argc, char *argv[])
{
	if (sodium_init() < 0)
		return 1;
	if (argc == 4 && strcmp(argv[1], "index") == 0)
		return bench_index(strtoul(argv[2], NULL, 10),
		    strtoul(argv[3], NULL, 10));
	if (argc == 4 && strcmp(argv[1], "case") == 0)
		return bench_case(argv[2], strtoul(argv[3], NULL, 10));
	fprintf(stderr, "usage: od-match index N QUERIES\n"
	    "       od-match case DIR QUERIES\n");
	return 2;
}
