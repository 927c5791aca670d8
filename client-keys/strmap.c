/*
 * strmap: see strmap.h. Open addressing over pointers to items (so items
 * never move) and their hashes, the table doubled at half full. The keys
 * come from bundles a compromised server may have chosen: they are hashed
 * with SipHash (libsodium's crypto_shorthash) under a random key of each
 * map's, so nobody can make them collide and the map quadratic. The arena is
 * a list of chunks; a request larger than a chunk gets a chunk of its own.
 */
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "strmap.h"

#define CHUNK_SIZE (1024 * 1024)
#define FIRST_SLOTS 1024

struct chunk {
	struct chunk *next;
	size_t used, size;
	alignas(max_align_t) unsigned char data[];
};

/* A slot: its key's hash (most probes stop there) beside the item. */
struct slot {
	uint64_t hash;
	struct strmap_item *item;
};

struct strmap {
	struct slot *slots;
	size_t nslots;		/* a power of two */
	size_t count;
	struct chunk *chunks;	/* the one allocated from first */
	unsigned char key[crypto_shorthash_KEYBYTES];
};

struct strmap *
strmap_new(size_t expected)
{
	struct strmap *m = calloc(1, sizeof(*m));
	size_t n = FIRST_SLOTS;

	if (m == NULL)
		return NULL;
	while (n / 2 < expected && n < SIZE_MAX / 4 / sizeof(*m->slots))
		n *= 2;
	if ((m->slots = calloc(n, sizeof(*m->slots))) == NULL) {
		strmap_free(m);
		return NULL;
	}
	m->nslots = n;
	crypto_shorthash_keygen(m->key);
	return m;
}

void
strmap_free(struct strmap *m)
{
	if (m == NULL)
		return;
	while (m->chunks != NULL) {
		struct chunk *next = m->chunks->next;

		free(m->chunks);
		m->chunks = next;
	}
	free(m->slots);
	free(m);
}

void *
strmap_alloc(struct strmap *m, size_t size)
{
	size_t need = (size + alignof(max_align_t) - 1) &
	    ~(alignof(max_align_t) - 1);
	struct chunk *c = m->chunks;
	void *p;

	if (need < size)
		return NULL;
	if (c == NULL || c->size - c->used < need) {
		size_t csize = need > CHUNK_SIZE ? need : CHUNK_SIZE;

		if ((c = malloc(sizeof(*c) + csize)) == NULL)
			return NULL;
		c->used = 0;
		c->size = csize;
		c->next = m->chunks;
		m->chunks = c;
	}
	p = c->data + c->used;
	c->used += need;
	return memset(p, 0, size);
}

static uint64_t
hash(const struct strmap *m, const unsigned char *s, size_t len)
{
	unsigned char out[crypto_shorthash_BYTES];
	uint64_t h;

	crypto_shorthash(out, s, len, m->key);
	memcpy(&h, out, sizeof(h));
	return h;
}

/* The slot of the key s[0..len) (hash h), or the empty one where it goes. */
static struct slot *
slot_of(const struct strmap *m, const void *s, size_t len, uint64_t h)
{
	size_t i = (size_t)h & (m->nslots - 1);
	struct slot *sl;

	while ((sl = &m->slots[i])->item != NULL && (sl->hash != h ||
	    sl->item->len != len || memcmp(sl->item->s, s, len) != 0))
		i = (i + 1) & (m->nslots - 1);
	return sl;
}

static int
grow(struct strmap *m)
{
	struct strmap old = *m;

	m->nslots *= 2;
	if ((m->slots = calloc(m->nslots, sizeof(*m->slots))) == NULL) {
		*m = old;
		return -1;
	}
	for (size_t i = 0; i < old.nslots; i++) {
		size_t j = (size_t)old.slots[i].hash & (m->nslots - 1);

		if (old.slots[i].item == NULL)
			continue;
		while (m->slots[j].item != NULL)	/* keys are distinct */
			j = (j + 1) & (m->nslots - 1);
		m->slots[j] = old.slots[i];
	}
	free(old.slots);
	return 0;
}

struct strmap_item *
strmap_find(struct strmap *m, const void *s, size_t len, int add)
{
	struct strmap_item *it;
	struct slot *sl;
	uint64_t h;

	if (len == 0)
		s = "";		/* SQLite gives NULL for an empty blob */
	h = hash(m, s, len);
	sl = slot_of(m, s, len, h);
	if (sl->item != NULL || !add)
		return sl->item;
	if (m->count + 1 > m->nslots / 2) {
		if (grow(m) != 0)
			return NULL;
		sl = slot_of(m, s, len, h);
	}
	/* the key right after its item: one cache line for both */
	if (len > SIZE_MAX - sizeof(*it) - 1 ||
	    (it = strmap_alloc(m, sizeof(*it) + len + 1)) == NULL)
		return NULL;
	memcpy(it + 1, s, len);
	it->s = (const char *)(it + 1);
	it->len = len;
	*sl = (struct slot){ h, it };
	m->count++;
	return it;
}
