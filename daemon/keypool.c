/*
 * keypool: see keypool.h. A stack of ready slots under one mutex; the
 * thread fills it while it is not full, and the loop only ever copies one
 * out (a few hundred bytes), so the lock is held for very little time.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "config.h"
#include "keypool.h"
#include "log.h"
#include "secmem.h"

#define POOL_SLOTS 64
#define POOL_BYTES ((POOL_SLOTS + 1) * sizeof(struct seal_slots))

struct keypool {
	pthread_t thread;
	pthread_mutex_t mtx;
	pthread_cond_t cond;
	struct keys_public keys[CONFIG_ANALYSTS_MAX];
	size_t nkeys;
	unsigned generation;	/* bumped when the keys change */
	struct seal_slots *ready;	/* POOL_SLOTS + 1 scratch, locked */
	size_t count;
	int stopping;
};

/* Make one set of slots outside the lock, then add it if still wanted. */
static void
prepare_one(struct keypool *p, struct seal_slots *scratch)
{
	struct keys_public keys[CONFIG_ANALYSTS_MAX];
	uint8_t id[ENVELOPE_ID_BYTES];
	unsigned generation = p->generation;
	size_t nkeys = p->nkeys;
	int rc;

	memcpy(keys, p->keys, nkeys * sizeof(keys[0]));
	pthread_mutex_unlock(&p->mtx);
	/* Reseed from the kernel for every report key: libsodium's generator
	 * is otherwise seeded once per thread, and one read of its state would
	 * predict every key this thread makes after the 64 in the pool. */
	randombytes_stir();
	randombytes_buf(id, sizeof(id));
	rc = seal_slots_make(scratch, keys, nkeys, id);
	pthread_mutex_lock(&p->mtx);
	if (rc == 0 && generation == p->generation && p->count < POOL_SLOTS)
		p->ready[p->count++] = *scratch;
	sodium_memzero(scratch, sizeof(*scratch));
}

static void *
keypool_main(void *arg)
{
	struct keypool *p = arg;

	pthread_mutex_lock(&p->mtx);
	while (!p->stopping) {
		if (p->count == POOL_SLOTS) {
			pthread_cond_wait(&p->cond, &p->mtx);
			continue;
		}
		prepare_one(p, &p->ready[POOL_SLOTS]);
	}
	pthread_mutex_unlock(&p->mtx);
	return NULL;
}

struct keypool *
keypool_new(const struct keys_public *keys, size_t nkeys)
{
	struct keypool *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	if ((p->ready = secmem_get(POOL_BYTES)) == NULL) {
		free(p);
		return NULL;
	}
	pthread_mutex_init(&p->mtx, NULL);
	pthread_cond_init(&p->cond, NULL);
	memcpy(p->keys, keys, nkeys * sizeof(keys[0]));
	p->nkeys = nkeys;
	if (pthread_create(&p->thread, NULL, keypool_main, p) != 0) {
		log_error("cannot start the key pool's thread");
		secmem_put(p->ready, POOL_BYTES);
		free(p);
		return NULL;
	}
	return p;
}

void
keypool_set_keys(struct keypool *p, const struct keys_public *keys,
    size_t nkeys)
{
	pthread_mutex_lock(&p->mtx);
	memcpy(p->keys, keys, nkeys * sizeof(keys[0]));
	p->nkeys = nkeys;
	p->generation++;
	sodium_memzero(p->ready, p->count * sizeof(*p->ready));
	p->count = 0;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->mtx);
}

int
keypool_take(struct keypool *p, struct seal_slots *slots)
{
	int rc = -1;

	pthread_mutex_lock(&p->mtx);
	if (p->count > 0) {
		p->count--;
		*slots = p->ready[p->count];
		sodium_memzero(&p->ready[p->count], sizeof(*slots));
		pthread_cond_signal(&p->cond);
		rc = 0;
	}
	pthread_mutex_unlock(&p->mtx);
	return rc;
}

void
keypool_free(struct keypool *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mtx);
	p->stopping = 1;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->mtx);
	pthread_join(p->thread, NULL);
	secmem_put(p->ready, POOL_BYTES);
	pthread_mutex_destroy(&p->mtx);
	pthread_cond_destroy(&p->cond);
	free(p);
}
