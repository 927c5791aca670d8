/*
 * storewriter: the store's writer, the only code that touches LMDB and the
 * envelope files while the server runs. It opens them, loads the server
 * secret, cleans up after a crash, then serves the requests of its
 * channel (storerecv.h) in the store process: envelope bytes to files or
 * LMDB chunks, commits grouped into one transaction, receipt lookups. It
 * sees ciphertext and receipt hashes only. It trusts nothing a request
 * says: an upload may not take the id of a report or file that exists,
 * nor follow its own last message, and only so many may be open.
 */
#ifndef STOREWRITER_H
#define STOREWRITER_H

#include <stdint.h>

#include "store.h"
#include "storerecv.h"

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
 * storewriter_data_dir(w): data_dir's descriptor (for the sandbox's
 * Landlock rule), owned by w.
 */
int storewriter_data_dir(const struct storewriter *w);

/*
 * storewriter_run(w, r, counted, arg, every):
 * Serve r's requests on the calling thread until the network side closes
 * the channel and every request is answered. With every > 0, count the
 * store (store_counts) every that many seconds, and once at the start,
 * and give the counts to counted(arg, c).
 */
void storewriter_run(struct storewriter *w, struct storerecv *r,
    void (*counted)(void *arg, const struct store_counts *c), void *arg,
    unsigned every);

/*
 * storewriter_close(w):
 * Log the failures still counted, close everything. NULL is a no-op.
 */
void storewriter_close(struct storewriter *w);

#endif
