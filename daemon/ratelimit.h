/*
 * ratelimit: per-circuit counters, in memory only. Behind Tor every visitor
 * comes from the same place, so the only handle on a flood is the circuit
 * id of the PROXY line. A fixed-size table (memory never grows) keyed by a
 * keyed hash of the id; when it is full, the entry whose window is oldest
 * is forgotten. Nothing here is ever written anywhere.
 */
#ifndef RATELIMIT_H
#define RATELIMIT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct ratelimit;

/*
 * ratelimit_new(per_hour, slots):
 * Allow per_hour events per circuit in each hour-long window, tracking up
 * to slots circuits. Return NULL if memory is short.
 */
struct ratelimit *ratelimit_new(unsigned per_hour, size_t slots);

/*
 * ratelimit_allow(r, circuit, now):
 * Count one event for circuit at time now; return 1 if it is within the
 * limit, 0 if over (an event over the limit is not counted).
 */
int ratelimit_allow(struct ratelimit *r, uint32_t circuit, time_t now);

/* ratelimit_set_limit(r, per_hour): change the limit (config reload). */
void ratelimit_set_limit(struct ratelimit *r, unsigned per_hour);

/* ratelimit_free(r): wipe and free; NULL is a no-op. */
void ratelimit_free(struct ratelimit *r);

#endif
