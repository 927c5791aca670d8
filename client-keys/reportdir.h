/*
 * reportdir: one report's output directory while it is being decrypted.
 * Everything goes into a hidden temporary directory inside the output
 * directory, opened by descriptor (nothing can be written outside it);
 * only a report that decrypted whole and authentic is renamed to
 * DIR/<report-id>, never over an existing one. A failed report leaves
 * nothing behind; what an interrupted run left is removed by the next.
 * Finished reports wait in a batch and are made durable together: one
 * syncfs for many reports instead of two fsyncs each (small reports:
 * the fsyncs were most of decrypt's time).
 *
 * Each attachment goes through the batch's attscan as it streams (its
 * hashes, type, image size, PDQ hash, metadata warnings and whether a hash
 * list knows it, all in report.json and the case file). An image is with
 * one of the sandboxed decoders while the next attachments and reports
 * are decrypted (two cores at work): the report it belongs to is finished
 * only after reportdir_wait. Withholding known
 * media, an attachment's bytes are held back until that is known: in
 * memory up to REPORTDIR_WITHHOLD_MEMORY (an image up to
 * IMGDECODE_INPUT_MAX), past it in an unnamed file (O_TMPFILE) in the
 * report's hidden directory; a known one is then dropped (its name kept in
 * report.json, no file), any other written under its name.
 */
#ifndef REPORTDIR_H
#define REPORTDIR_H

#include <stdint.h>

#include "attscan.h"
#include "cases.h"
#include "envelope.h"
#include "known.h"
#include "payload.h"

/* Withholding, what is held in memory: the daemon's max_attachment_size. */
#define REPORTDIR_WITHHOLD_MEMORY ((size_t)64 << 20)

struct reportdir;
struct reportdir_batch;

/* Payload callbacks that write into the reportdir given as ctx. */
extern const struct payload_callbacks reportdir_callbacks;

/*
 * reportdir_batch_new(outfd, k, withhold):
 * An empty batch of reports for the output directory outfd (which the
 * caller keeps open and locked), matching attachments against k's hash
 * lists (NULL: none) and, if withhold, writing no byte of an attachment
 * they know. NULL if memory is short.
 */
struct reportdir_batch *reportdir_batch_new(int outfd, struct known *k,
    int withhold);

/*
 * reportdir_exists(b, id):
 * 1 if DIR/<id> exists (as anything) or report id waits in b, else 0.
 */
int reportdir_exists(const struct reportdir_batch *b,
    const uint8_t id[ENVELOPE_ID_BYTES]);

/* reportdir_batch_count(b): how many finished reports wait in b. */
size_t reportdir_batch_count(const struct reportdir_batch *b);

/*
 * reportdir_batch_flush(b, failed, ctx):
 * Make the files of every report waiting in b durable (one syncfs), rename
 * each into place, never over an existing one, and sync the output
 * directory; b is then empty. A report that could not be put in place is
 * removed and given to failed(ctx, id, why). Return 0 if every report was
 * put in place and the output directory synced, else -1.
 */
int reportdir_batch_flush(struct reportdir_batch *b,
    void (*failed)(void *ctx, const char *id, const char *why), void *ctx);

/*
 * reportdir_batch_free(b): remove the reports still waiting in b (never
 * put in place) and free b; NULL is a no-op.
 */
void reportdir_batch_free(struct reportdir_batch *b);

/*
 * reportdir_begin(b, id, why):
 * Start the hidden directory for report id in b's output directory (the
 * caller has asked reportdir_exists). Return NULL with *why set if it
 * cannot be made.
 */
struct reportdir *reportdir_begin(struct reportdir_batch *b,
    const uint8_t id[ENVELOPE_ID_BYTES], const char **why);

/*
 * reportdir_pending(d):
 * 1 if an image of d is still with a decoder; 0 if d may be finished. It
 * stays there while other reports are decrypted, until another image
 * needs that decoder or reportdir_wait(d).
 */
int reportdir_pending(const struct reportdir *d);

/*
 * reportdir_wait(d):
 * Wait for the decoders' answers about d's images, if they have any
 * (and about the images sent before them). Call it
 * on a report whose payload has ended, before reportdir_summary,
 * reportdir_scan or reportdir_commit. Return 0, or -1 if the report
 * failed (reportdir_error says why; then abort it).
 */
int reportdir_wait(struct reportdir *d);

/*
 * reportdir_summary(d, r):
 * Fill r with what the case file records of the report decrypted so far
 * (the first of each top-level field, every url line, the attachments'
 * names, sizes and what attscan learnt of them, reply_key and follow_up_of
 * if well formed). r
 * points into d: it is valid until d is committed or aborted. Return 0,
 * or -1 if memory is short.
 */
int reportdir_summary(struct reportdir *d, struct cases_report *r);

/*
 * reportdir_commit(d, why):
 * Write report.json and close the report's files; the report then waits,
 * hidden, in its batch until reportdir_batch_flush. Return 0, or -1 with
 * *why set (the directory is then removed). Frees d.
 */
int reportdir_commit(struct reportdir *d, const char **why);

/*
 * reportdir_dropped(d, i):
 * The name of the i-th (0, 1, ...) field the report carried in a form the
 * daemon never writes (a reply_key or follow_up_of that is not lower-case
 * hex of its length): such a field is kept under report.json's "extra"
 * only, never at its top nor in the case file. NULL after the last.
 */
const char *reportdir_dropped(const struct reportdir *d, size_t i);

/*
 * reportdir_scan(d, i, withheld):
 * What was learnt of the i-th attachment (0, 1, ...) of the report, with
 * *withheld 1 if its bytes were not written; NULL after the last. Valid
 * until d is committed or aborted.
 */
const struct attscan_result *reportdir_scan(const struct reportdir *d,
    size_t i, int *withheld);

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
