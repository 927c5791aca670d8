/*
 * keypool: report keys sealed to the analysts ahead of time, by a thread
 * of their own. Sealing a report key to each analyst (X25519) is most of
 * the CPU a small report costs; made here, it runs on another core while
 * the event loop serves visitors. The prepared keys live in locked memory
 * and are wiped when taken or discarded (new analyst keys: SIGHUP).
 */
#ifndef KEYPOOL_H
#define KEYPOOL_H

#include <stddef.h>

#include "keys.h"
#include "seal.h"

struct keypool;

/*
 * keypool_new(keys, nkeys):
 * Start the thread, preparing slots for these analyst keys (copied).
 * Return NULL if memory or the thread cannot be had.
 */
struct keypool *keypool_new(const struct keys_public *keys, size_t nkeys);

/*
 * keypool_set_keys(p, keys, nkeys):
 * From now on, slots for these keys; what was prepared for the old ones is
 * wiped and never handed out.
 */
void keypool_set_keys(struct keypool *p, const struct keys_public *keys,
    size_t nkeys);

/*
 * keypool_take(p, slots):
 * Copy prepared slots (for a fresh random report id) into slots and return
 * 0; return -1 if none is ready (the caller makes its own).
 */
int keypool_take(struct keypool *p, struct seal_slots *slots);

/* keypool_free(p): stop the thread, wipe and free; NULL is a no-op. */
void keypool_free(struct keypool *p);

#endif
