/*
 * storethread: for unit tests, the store process's side of the store
 * (storewriter.h, storerecv.h) on a thread of the test's own, over a
 * socketpair, so that store.h runs as it does in the daemon, frames and
 * all, without a second process. One at a time.
 */
#ifndef STORETHREAD_H
#define STORETHREAD_H

#include <stdint.h>

#include "store.h"

struct event_base;

/*
 * storethread_writer(dir, max, secrets):
 * Open the store in dir (*secrets: its secret) and serve it on a thread;
 * return the network side's end of the channel (its hello not yet read:
 * storeq_connect), or -1 if the store would not open.
 */
int storethread_writer(const char *dir, uint64_t max,
    struct store_secrets *secrets);

/* storethread_join(): wait for the thread (after the channel closed). */
void storethread_join(void);

/* storethread_open(dir, max, base, secrets): store_open over a new
 * storethread_writer; NULL if either failed. */
struct store *storethread_open(const char *dir, uint64_t max,
    struct event_base *base, struct store_secrets *secrets);

/* storethread_close(s): store_close, then storethread_join. */
void storethread_close(struct store *s);

#endif
