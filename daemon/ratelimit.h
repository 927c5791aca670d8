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
 * ratelimit_over(r, circuit, now):
 * 1 if circuit has used up its events for the current window, else 0.
 */
int ratelimit_over(struct ratelimit *r, uint32_t circuit, time_t now);

/* ratelimit_count(r, circuit, now): count one event for circuit. */
void ratelimit_count(struct ratelimit *r, uint32_t circuit, time_t now);

/*
 * ratelimit_refund(r, circuit, now):
 * Take back one event counted for circuit in its current window (an
 * attempt that did not count after all); never below zero.
 */
void ratelimit_refund(struct ratelimit *r, uint32_t circuit, time_t now);

/* ratelimit_set_limit(r, per_hour): change the limit (config reload). */
void ratelimit_set_limit(struct ratelimit *r, unsigned per_hour);

/* ratelimit_free(r): wipe and free; NULL is a no-op. */
void ratelimit_free(struct ratelimit *r);

#endif
