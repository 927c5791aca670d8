/*
 * pdqindex: an in-memory index of PDQ hashes answering "which listed hash
 * is nearest to this one, within d <= 31 bits" without a scan of the list
 * (multi-index hashing, Norouzi, Punjani and Fleet, 2012). The 256 bits
 * are cut into 16 chunks of 16 bits; two hashes within 31 bits differ in
 * at most one bit in at least one chunk (if every chunk differed in two,
 * they would differ in 32), so a query looks in 16 tables, one per chunk,
 * at its own chunk value and the 16 values one bit away, and checks only
 * the hashes found there. With n random hashes listed a query checks about
 * 272 n / 65536 of them (4,150 at a million). Each table is sorted by
 * value (counting sort) into one array of entry numbers with an offset per
 * value: 4 bytes per hash per table and 256 KiB per table.
 * 
 * Owns the hashes and the caller's 32-bit payload for each (say, a row of
 * the caller's own table); knows nothing of files or lists.
 */
#ifndef PDQINDEX_H
#define PDQINDEX_H

#include <stddef.h>
#include <stdint.h>

#include "pdq.h"

#define PDQINDEX_DISTANCE_MAX 31	/* the most a query may ask for */

struct pdqindex;

/* pdqindex_new(): an empty index, or NULL if memory is short. */
struct pdqindex *pdqindex_new(void);

/*
 * pdqindex_add(ix, hash, payload):
 * List hash with payload (before pdqindex_build). Return 0, or -1 if
 * memory is short or the index already holds UINT32_MAX - 1 hashes.
 */
int pdqindex_add(struct pdqindex *ix, const struct pdq_hash *hash,
    uint32_t payload);

/*
 * pdqindex_build(ix):
 * Make the tables of the hashes added; no hash may be added after it.
 * Return 0, or -1 if memory is short (ix is then only fit to free).
 */
int pdqindex_build(struct pdqindex *ix);

/*
 * pdqindex_match(ix, hash, maxdist, &payload, &distance):
 * Of the hashes listed in the built index ix, the nearest to hash within
 * maxdist bits (0..PDQINDEX_DISTANCE_MAX; the lowest payload among equally
 * near ones): return 1 with its payload and distance, or 0 if none is that
 * near. The same answer as a scan of every hash.
 */
int pdqindex_match(const struct pdqindex *ix, const struct pdq_hash *hash,
    int maxdist, uint32_t *payload, int *distance);

/* pdqindex_count(ix): the hashes listed. */
size_t pdqindex_count(const struct pdqindex *ix);

/* pdqindex_bytes(ix): the memory the index holds, in bytes. */
size_t pdqindex_bytes(const struct pdqindex *ix);

/* pdqindex_free(ix): free ix; NULL is a no-op. */
void pdqindex_free(struct pdqindex *ix);

#endif
