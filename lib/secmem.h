/*
 * secmem: locked, guarded memory (libsodium's sodium_malloc) for plaintext,
 * with a small cache of returned blocks. A busy server seals a report every
 * few hundred microseconds; without the cache each one pays mmap, mprotect,
 * mlock, munlock and munmap for its buffers. Blocks are wiped when they are
 * returned, cached or not. Not thread-safe: use it from one thread (the
 * daemon's event loop; the offline tool).
 */
#ifndef SECMEM_H
#define SECMEM_H

#include <stddef.h>

/* secmem_get(size): a zeroed, locked block of size bytes, or NULL if
 * memory is short or cannot be locked (mlock over RLIMIT_MEMLOCK). */
void *secmem_get(size_t size);

/* secmem_put(p, size): wipe and give back a block from secmem_get(size);
 * NULL is a no-op. */
void secmem_put(void *p, size_t size);

/*
 * secmem_put_wiped(p, size):
 * Give back a block the caller has already wiped entirely (it knows which
 * bytes it used and zeroed them): saves wiping 64 KiB again per report.
 */
void secmem_put_wiped(void *p, size_t size);

#endif
