/*
 * reportdir: one report's output directory while it is being decrypted.
 * Everything goes into a hidden temporary directory inside the output
 * directory, opened by descriptor (nothing can be written outside it);
 * only a report that decrypted whole and authentic is renamed to
 * DIR/<report-id>, never over an existing one. A failed report leaves
 * nothing behind; what an interrupted run left is removed by the next.
 */
#ifndef REPORTDIR_H
#define REPORTDIR_H

#include <stdint.h>

#include "envelope.h"
#include "payload.h"

struct reportdir;

/* Payload callbacks that write into the reportdir given as ctx. */
extern const struct payload_callbacks reportdir_callbacks;

/*
 * reportdir_begin(outfd, id, why):
 * Start the directory for report id inside the directory outfd. Return
 * NULL with *why set if DIR/<id> already exists or cannot be made.
 */
struct reportdir *reportdir_begin(int outfd,
    const uint8_t id[ENVELOPE_ID_BYTES], const char **why);

/*
 * reportdir_commit(d, why):
 * Write report.json, sync the report's files and directory, and rename it
 * into place (the caller syncs the output directory itself, once for many
 * reports). Return 0, or -1 with *why set (the directory is then removed).
 * Frees d.
 */
int reportdir_commit(struct reportdir *d, const char **why);

/*
 * reportdir_error(d):
 * Why a callback refused (disk full, too many fields...), or NULL.
 */
const char *reportdir_error(const struct reportdir *d);

/* reportdir_abort(d): remove what was written and free d; NULL is a no-op. */
void reportdir_abort(struct reportdir *d);

/*
 * reportdir_sweep(outfd):
 * Remove the hidden temporary directories (their files unlinked) that an
 * interrupted run left in the directory outfd; call it before any report
 * begins, with no other run writing there. Return 0, or -1 if one could
 * not be removed.
 */
int reportdir_sweep(int outfd);

#endif
