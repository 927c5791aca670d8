/*
 * evmem: see evmem.h. Each block carries its size in a header, so that
 * free knows how much to wipe; the header is 16 bytes, keeping malloc's
 * alignment for what libevent stores.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <sodium.h>

#include "evmem.h"

#define HEADER 16

static void *
wiping_malloc(size_t size)
{
	unsigned char *p;

	if (size > SIZE_MAX - HEADER || (p = malloc(size + HEADER)) == NULL)
		return NULL;
	memcpy(p, &size, sizeof(size));
	return p + HEADER;
}

static void
wiping_free(void *ptr)
{
	unsigned char *p;
	size_t size;

	if (ptr == NULL)
		return;
	p = (unsigned char *)ptr - HEADER;
	memcpy(&size, p, sizeof(size));
	sodium_memzero(p, size + HEADER);
	free(p);
}

/* Never realloc in place: the old block is wiped before it goes back. */
static void *
wiping_realloc(void *ptr, size_t size)
{
	void *q;
	size_t old;

	if (ptr == NULL)
		return wiping_malloc(size);
	if ((q = wiping_malloc(size)) == NULL)
		return NULL;
	memcpy(&old, (unsigned char *)ptr - HEADER, sizeof(old));
	memcpy(q, ptr, old < size ? old : size);
	wiping_free(ptr);
	return q;
}

void
evmem_install(void)
{
	event_set_mem_functions(wiping_malloc, wiping_realloc, wiping_free);
}
