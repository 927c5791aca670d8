/*
 * pdqindex: see pdqindex.h. The hashes are kept as four 64-bit words (a
 * distance is four popcounts); chunk c is the 16 bits of word c / 4 at
 * c % 4 (the same cut for listed hashes and queries, whatever the byte
 * order). Measured on the 2-core VM for a million random hashes
 * (bench/desk-match.sh): see bench/README.md.
 */
#include <stdlib.h>
#include <string.h>

#include "pdqindex.h"

#define NCHUNKS 16
#define CHUNK_BITS 16
#define NVALUES (1u << CHUNK_BITS)
#define WORDS 4

struct pdqindex {
	uint64_t (*hash)[WORDS];
	uint32_t *payload;
	size_t n, cap;
	uint32_t *off;		/* NCHUNKS x (NVALUES + 1): table c's entries
				 * of value v are ent[c][off[c][v]..off[c][v+1]) */
	uint32_t *ent;		/* NCHUNKS x n entry numbers */
	int built;
};

struct pdqindex *
pdqindex_new(void)
{
	return calloc(1, sizeof(struct pdqindex));
}

void
pdqindex_free(struct pdqindex *ix)
{
	if (ix == NULL)
		return;
	free(ix->hash);
	free(ix->payload);
	free(ix->off);
	free(ix->ent);
	free(ix);
}

size_t
pdqindex_count(const struct pdqindex *ix)
{
	return ix->n;
}

size_t
pdqindex_bytes(const struct pdqindex *ix)
{
	size_t b = sizeof(*ix) + ix->cap * (sizeof(*ix->hash) +
	    sizeof(*ix->payload));

	if (ix->built)
		b += NCHUNKS * ((size_t)NVALUES + 1 + ix->n) * sizeof(uint32_t);
	return b;
}

static void
words(uint64_t w[WORDS], const struct pdq_hash *h)
{
	memcpy(w, h->b, WORDS * sizeof(uint64_t));
}

static unsigned
chunk(const uint64_t w[WORDS], unsigned c)
{
	return (unsigned)(w[c / 4] >> (c % 4 * CHUNK_BITS)) & (NVALUES - 1);
}

static int
distance(const uint64_t a[WORDS], const uint64_t b[WORDS])
{
	return __builtin_popcountll(a[0] ^ b[0]) +
	    __builtin_popcountll(a[1] ^ b[1]) +
	    __builtin_popcountll(a[2] ^ b[2]) +
	    __builtin_popcountll(a[3] ^ b[3]);
}

static int
grow(struct pdqindex *ix)
{
	size_t cap = ix->cap ? ix->cap * 2 : 1024;
	void *h, *p;

	if (cap > UINT32_MAX - 1)
		cap = UINT32_MAX - 1;
	if (cap == ix->cap)
		return -1;
	if ((h = realloc(ix->hash, cap * sizeof(*ix->hash))) == NULL)
		return -1;
	ix->hash = h;
	if ((p = realloc(ix->payload, cap * sizeof(*ix->payload))) == NULL)
		return -1;
	ix->payload = p;
	ix->cap = cap;
	return 0;
}

int
pdqindex_add(struct pdqindex *ix, const struct pdq_hash *hash,
    uint32_t payload)
{
	if (ix->built || (ix->n == ix->cap && grow(ix) != 0))
		return -1;
	words(ix->hash[ix->n], hash);
	ix->payload[ix->n++] = payload;
	return 0;
}

/* Table c: entries counted by chunk value, then placed (counting sort). */
static void
build_table(struct pdqindex *ix, unsigned c, uint32_t *cursor)
{
	uint32_t *off = ix->off + (size_t)c * (NVALUES + 1);
	uint32_t *ent = ix->ent + (size_t)c * ix->n;

	memset(off, 0, (NVALUES + 1) * sizeof(*off));
	for (size_t i = 0; i < ix->n; i++)
		off[chunk(ix->hash[i], c) + 1]++;
	for (size_t v = 0; v < NVALUES; v++)
		off[v + 1] += off[v];
	memcpy(cursor, off, NVALUES * sizeof(*cursor));
	for (size_t i = 0; i < ix->n; i++)
		ent[cursor[chunk(ix->hash[i], c)]++] = (uint32_t)i;
}

int
pdqindex_build(struct pdqindex *ix)
{
	uint32_t *cursor;

	if (ix->built)
		return 0;
	ix->off = malloc(NCHUNKS * ((size_t)NVALUES + 1) * sizeof(*ix->off));
	ix->ent = malloc(NCHUNKS * (ix->n ? ix->n : 1) * sizeof(*ix->ent));
	cursor = malloc(NVALUES * sizeof(*cursor));
	if (ix->off == NULL || ix->ent == NULL || cursor == NULL) {
		free(cursor);
		return -1;
	}
	for (unsigned c = 0; c < NCHUNKS; c++)
		build_table(ix, c, cursor);
	free(cursor);
	ix->built = 1;
	return 0;
}

/*
 * A query's state. The candidates' hashes are prefetched as they are
 * found and compared by batches: the cache misses on a million hashes
 * (32 MB, a line each) then overlap instead of following one another.
 */
#define BATCH 64
#define PROBES (NCHUNKS * (CHUNK_BITS + 1))

struct best {
	const uint64_t *q;
	int distance;		/* the nearest so far; maxdist + 1: none */
	uint32_t payload;
	int found;
	uint32_t batch[BATCH];
	size_t n;
};

/* The entries of one table for one chunk value. */
struct bucket {
	const uint32_t *begin, *end;
};

/*
 * The PROBES buckets a query looks in: in each table, its own chunk value
 * and the 16 one bit away. The offsets are all prefetched, then read and
 * the buckets' first entries prefetched, for the same reason as above.
 */
static void
find_buckets(const struct pdqindex *ix, const uint64_t q[WORDS],
    struct bucket bk[PROBES])
{
	const uint32_t *at[PROBES];
	unsigned p = 0;

	for (unsigned c = 0; c < NCHUNKS; c++) {
		unsigned v = chunk(q, c);

		for (unsigned k = 0; k <= CHUNK_BITS; k++, p++) {
			at[p] = ix->off + (size_t)c * (NVALUES + 1) +
			    (k < CHUNK_BITS ? v ^ (1u << k) : v);
			__builtin_prefetch(at[p]);
		}
	}
	for (p = 0; p < PROBES; p++) {
		const uint32_t *ent = ix->ent +
		    (size_t)(p / (CHUNK_BITS + 1)) * ix->n;

		bk[p].begin = ent + at[p][0];
		bk[p].end = ent + at[p][1];
		__builtin_prefetch(bk[p].begin);
	}
}

/* Compare the batch's candidates with the query; empty the batch. */
static void
flush(const struct pdqindex *ix, struct best *b)
{
	for (size_t i = 0; i < b->n; i++) {
		uint32_t e = b->batch[i];
		int d = distance(b->q, ix->hash[e]);

		if (d < b->distance || (d == b->distance && b->found &&
		    ix->payload[e] < b->payload)) {
			b->distance = d;
			b->payload = ix->payload[e];
			b->found = 1;
		}
	}
	b->n = 0;
}

/* The bucket's entries as candidates. */
static void
probe(const struct pdqindex *ix, const struct bucket *bk, struct best *b)
{
	for (const uint32_t *e = bk->begin; e < bk->end; e++) {
		__builtin_prefetch(ix->hash[*e]);
		b->batch[b->n++] = *e;
		if (b->n == BATCH)
			flush(ix, b);
	}
}

int
pdqindex_match(const struct pdqindex *ix, const struct pdq_hash *hash,
    int maxdist, uint32_t *payload, int *distance_out)
{
	uint64_t q[WORDS];
	struct best b = { .q = q, .distance = maxdist + 1 };
	struct bucket bk[PROBES];

	if (!ix->built || maxdist < 0 || maxdist > PDQINDEX_DISTANCE_MAX)
		return 0;
	words(q, hash);
	find_buckets(ix, q, bk);
	for (unsigned p = 0; p < PROBES; p++)
		probe(ix, &bk[p], &b);
	flush(ix, &b);
	if (b.found) {
		*payload = b.payload;
		*distance_out = b.distance;
	}
	return b.found;
}
