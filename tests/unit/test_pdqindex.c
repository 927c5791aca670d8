/*
 * test_pdqindex: client-keys/pdqindex against a scan of every hash. Random
 * listed hashes (a fixed xorshift, so a failure repeats); copies of them
 * with 0..31 bits flipped are found at that distance, 32..40 are not; the
 * worst spread for the pigeonhole (two bits in each 16-bit chunk but one)
 * is found at 31, two in every chunk is not; 10,000 queries with 0..40
 * bits flipped, and 1,000 unrelated ones, answer as the scan does (found,
 * distance, payload); equally near hashes give the lowest payload; a
 * smaller maxdist is kept to; an empty index finds nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "pdqindex.h"
#include "tap.h"

#define NLISTED 20000
#define NQUERIES 10000

static struct pdq_hash listed[NLISTED];
static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void
random_hash(struct pdq_hash *h)
{
	for (size_t i = 0; i < PDQ_HASH_BYTES; i += 8) {
		uint64_t v = next();

		memcpy(h->b + i, &v, 8);
	}
}

/* Flip d distinct random bits of h. */
static void
flip(struct pdq_hash *h, int d)
{
	uint8_t done[256] = { 0 };

	while (d > 0) {
		unsigned bit = (unsigned)(next() % 256);

		if (done[bit])
			continue;
		done[bit] = 1;
		h->b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		d--;
	}
}

/* The nearest listed hash within maxdist by a scan: 1, 0. */
static int
scan(const struct pdq_hash *q, int maxdist, uint32_t *payload, int *dist)
{
	int best = maxdist + 1;

	for (uint32_t i = 0; i < NLISTED; i++) {
		int d = pdq_distance(q, &listed[i]);

		if (d < best) {	/* in payload order: the lowest wins ties */
			best = d;
			*payload = i;
		}
	}
	*dist = best;
	return best <= maxdist;
}

static struct pdqindex *
make_index(void)
{
	struct pdqindex *ix = pdqindex_new();
	int rc = ix == NULL;

	for (uint32_t i = 0; i < NLISTED; i++) {
		random_hash(&listed[i]);
		rc |= pdqindex_add(ix, &listed[i], i);
	}
	rc |= pdqindex_build(ix);
	ok(rc == 0 && pdqindex_count(ix) == NLISTED, "%d random hashes "
	    "indexed in %zu bytes", NLISTED, ix ? pdqindex_bytes(ix) : 0);
	return ix;
}

static void
test_distances(const struct pdqindex *ix)
{
	uint32_t p = 0;
	int d = -1, bad_near = 0, bad_far = 0;

	for (int k = 0; k <= 40; k++) {
		for (int rep = 0; rep < 20; rep++) {
			uint32_t which = (uint32_t)(next() % NLISTED);
			struct pdq_hash q = listed[which];
			int found;

			flip(&q, k);
			found = pdqindex_match(ix, &q, PDQINDEX_DISTANCE_MAX,
			    &p, &d);
			if (k <= 31 && !(found && p == which && d == k))
				bad_near++;
			if (k > 31 && found)
				bad_far++;
		}
	}
	is_int(bad_near, 0, "0..31 bits flipped (20 each): found at that "
	    "distance");
	is_int(bad_far, 0, "32..40 bits flipped: not found");
}

/* Two bits flipped in each aligned 16-bit chunk, but one bit in the last
 * chunk when one is true: the least that every chunk differs by. */
static void
spread(struct pdq_hash *h, int one)
{
	for (int c = 0; c < 16; c++) {
		h->b[2 * c] ^= 0x01;
		if (!(one && c == 15))
			h->b[2 * c + 1] ^= 0x80;
	}
}

static void
test_worst_spread(const struct pdqindex *ix)
{
	struct pdq_hash q = listed[7];
	uint32_t p = 0;
	int d = -1;

	spread(&q, 1);
	ok(pdqindex_match(ix, &q, PDQINDEX_DISTANCE_MAX, &p, &d) == 1 &&
	    p == 7 && d == 31, "31 bits, two in each chunk but one: found "
	    "(%u at %d)", p, d);
	q = listed[7];
	spread(&q, 0);
	ok(pdqindex_match(ix, &q, PDQINDEX_DISTANCE_MAX, &p, &d) == 0,
	    "32 bits, two in every chunk: not found");
}

static void
test_against_scan(const struct pdqindex *ix)
{
	int differ = 0, found = 0;

	for (int i = 0; i < NQUERIES + 1000; i++) {
		struct pdq_hash q;
		uint32_t p1 = 0, p2 = 0;
		int d1 = -1, d2 = -1, f1, f2;

		if (i < NQUERIES) {
			q = listed[next() % NLISTED];
			flip(&q, (int)(next() % 41));
		} else {
			random_hash(&q);
		}
		f1 = pdqindex_match(ix, &q, PDQINDEX_DISTANCE_MAX, &p1, &d1);
		f2 = scan(&q, PDQINDEX_DISTANCE_MAX, &p2, &d2);
		found += f1;
		if (f1 != f2 || (f1 && (p1 != p2 || d1 != d2)))
			differ++;
	}
	is_int(differ, 0, "10,000 near and 1,000 unrelated queries: the "
	    "index answers as a scan of every hash");
	ok(found > 7300 && found < 8300, "of which about 32 in 41 near "
	    "enough (%d)", found);
}

static void
test_ties_and_maxdist(void)
{
	struct pdqindex *ix = pdqindex_new();
	struct pdq_hash a, b;
	uint32_t p = 0;
	int d = -1;

	random_hash(&a);
	b = a;
	flip(&b, 10);
	pdqindex_add(ix, &a, 7);
	pdqindex_add(ix, &a, 3);
	pdqindex_add(ix, &a, 9);
	pdqindex_build(ix);
	ok(pdqindex_match(ix, &a, 0, &p, &d) == 1 && p == 3 && d == 0,
	    "the same hash listed three times: the lowest payload (%u)", p);
	ok(pdqindex_match(ix, &b, 10, &p, &d) == 1 && d == 10,
	    "10 bits away, maxdist 10: found");
	ok(pdqindex_match(ix, &b, 9, &p, &d) == 0, "maxdist 9: not found");
	ok(pdqindex_match(ix, &b, 32, &p, &d) == 0, "maxdist 32: refused");
	ok(pdqindex_add(ix, &a, 1) == -1, "no hash added once built");
	pdqindex_free(ix);
	ix = pdqindex_new();
	pdqindex_build(ix);
	ok(pdqindex_match(ix, &a, 31, &p, &d) == 0 && pdqindex_count(ix) == 0,
	    "an empty index finds nothing");
	pdqindex_free(ix);
	pdqindex_free(NULL);
}

int
main(void)
{
	struct pdqindex *ix = make_index();

	if (ix == NULL)
		return tap_done();
	test_distances(ix);
	test_worst_spread(ix);
	test_against_scan(ix);
	pdqindex_free(ix);
	test_ties_and_maxdist();
	return tap_done();
}
