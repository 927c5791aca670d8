/*
 * ratelimit: see ratelimit.h. Open addressing with linear probing over a
 * short run; ids are hashed with a per-process random key so nobody can
 * aim collisions at a victim's circuit.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ratelimit.h"

#define WINDOW 3600
#define PROBES 8

struct slot {
	uint32_t circuit;
	uint32_t count;
	time_t start;		/* 0: empty */
};

struct ratelimit {
	unsigned per_hour;
	size_t nslots;
	uint8_t key[crypto_shorthash_KEYBYTES];
	struct slot *slots;
};

struct ratelimit *
ratelimit_new(unsigned per_hour, size_t slots)
{
	struct ratelimit *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	if ((r->slots = calloc(slots, sizeof(*r->slots))) == NULL) {
		free(r);
		return NULL;
	}
	r->per_hour = per_hour;
	r->nslots = slots;
	crypto_shorthash_keygen(r->key);
	return r;
}

void
ratelimit_set_limit(struct ratelimit *r, unsigned per_hour)
{
	r->per_hour = per_hour;
}

/* The slot for circuit: its own, else the first empty one in its probe
 * run, else the one there whose window began longest ago. */
static struct slot *
find_slot(struct ratelimit *r, uint32_t circuit)
{
	uint8_t h[crypto_shorthash_BYTES];
	uint64_t start;
	struct slot *victim = NULL;

	crypto_shorthash(h, (const uint8_t *)&circuit, sizeof(circuit), r->key);
	memcpy(&start, h, sizeof(start));
	for (size_t i = 0; i < PROBES; i++) {
		struct slot *s = &r->slots[(start + i) % r->nslots];
		if (s->start != 0 && s->circuit == circuit)
			return s;
		if (victim == NULL || (victim->start != 0 &&
		    (s->start == 0 || s->start < victim->start)))
			victim = s;
	}
	victim->circuit = circuit;
	victim->start = 0;	/* a new window starts at the next event */
	victim->count = 0;
	return victim;
}

/* The circuit's slot, its window restarted if the old one is over. */
static struct slot *
current_slot(struct ratelimit *r, uint32_t circuit, time_t now)
{
	struct slot *s = find_slot(r, circuit);

	if (s->start == 0 || now - s->start >= WINDOW || now < s->start) {
		s->start = now;
		s->count = 0;
	}
	return s;
}

int
ratelimit_over(struct ratelimit *r, uint32_t circuit, time_t now)
{
	return current_slot(r, circuit, now)->count >= r->per_hour;
}

void
ratelimit_count(struct ratelimit *r, uint32_t circuit, time_t now)
{
	current_slot(r, circuit, now)->count++;
}

void
ratelimit_refund(struct ratelimit *r, uint32_t circuit, time_t now)
{
	struct slot *s = current_slot(r, circuit, now);

	if (s->count > 0)
		s->count--;
}

void
ratelimit_free(struct ratelimit *r)
{
	if (r == NULL)
		return;
	sodium_memzero(r->slots, r->nslots * sizeof(*r->slots));
	free(r->slots);
	sodium_memzero(r, sizeof(*r));
	free(r);
}
