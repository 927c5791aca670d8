/*
 * storewriter: the store's writer, the only code that touches LMDB and the
 * envelope files while the server runs. It opens them, loads the server
 * secret, cleans up after a crash, then serves the messages of its channel
 * (storeq.h) on a thread of its own: envelope bytes to files or LMDB
 * chunks, commits grouped into one transaction, receipt lookups. It sees
 * ciphertext and receipt hashes only, and never the event loop.
 */
#ifndef STOREWRITER_H
#define STOREWRITER_H

#include <stdint.h>

#include "store.h"
#include "storeq.h"

struct storewriter;

/*
 * storewriter_open(data_dir, max_size, secrets):
 * Open the store in data_dir as store_open says (store.h), loading the
 * server secret into *secrets; start no thread yet. Return NULL after
 * logging the reason.
 */
struct storewriter *storewriter_open(const char *data_dir, uint64_t max_size,
    struct store_secrets *secrets);

/*
 * storewriter_start(w, q):
 * Start the thread serving q's messages until storeq_close(q) and none is
 * left. Return 0, or -1 after logging the reason.
 */
int storewriter_start(struct storewriter *w, struct storeq *q);

/*
 * storewriter_close(w):
 * Wait for the thread, if started (storeq_close first), log the failures
 * still counted, close everything. NULL is a no-op.
 */
void storewriter_close(struct storewriter *w);

#endif
