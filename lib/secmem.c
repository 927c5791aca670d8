/*
 * secmem: see secmem.h. The cache holds a few blocks of any size; the
 * daemon uses two sizes, so a linear scan is all it needs.
 */
#include <sodium.h>

#include "secmem.h"

/* Two blocks per report in progress: enough for 64 at once. */
#define CACHE_SLOTS 128

static struct {
	void *p;
	size_t size;
} cache[CACHE_SLOTS];

void *
secmem_get(size_t size)
{
	void *p;

	for (size_t i = 0; i < CACHE_SLOTS; i++)
		if (cache[i].p != NULL && cache[i].size == size) {
			p = cache[i].p;
			cache[i].p = NULL;
			return p;	/* wiped when it was put back */
		}
	/* sodium_malloc locks the block but ignores a failure to: a block
	 * that could be swapped out is no block for plaintext. */
	if (sodium_init() < 0 || (p = sodium_malloc(size)) == NULL)
		return NULL;	/* (sodium_init: once, then a no-op) */
	if (sodium_mlock(p, size) != 0) {
		sodium_free(p);
		return NULL;
	}
	sodium_memzero(p, size);
	return p;
}

void
secmem_put_wiped(void *p, size_t size)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < CACHE_SLOTS; i++)
		if (cache[i].p == NULL) {
			cache[i].p = p;
			cache[i].size = size;
			return;
		}
	sodium_free(p);
}

void
secmem_put(void *p, size_t size)
{
	if (p != NULL)
		sodium_memzero(p, size);
	secmem_put_wiped(p, size);
}
