/*
 * evmem: libevent's allocator in the daemon. libevent keeps what it reads
 * and writes in buffers of its own (a request's first bytes, an answer
 * that echoes a form); with this allocator every block it frees or
 * reallocates is wiped first, so no report text outlives its buffer in the
 * heap. (The unit's MemorySwapMax=0 keeps those buffers out of swap while
 * they live; the daemon's own plaintext is in locked memory, secmem.h.)
 */
#ifndef EVMEM_H
#define EVMEM_H

/*
 * evmem_install():
 * Make libevent allocate through the wiping allocator. Call it before any
 * other libevent function.
 */
void evmem_install(void);

#endif
