/*
 * bundle: the file an export writes and the offline tool reads: a header,
 * the envelopes as records, and a trailer.
 *
 *   header  "ODBUNDLE" | version u32 (1) | reserved u32 (0)
 *   record  "ODR1" | seq u32 | length u64 | report id[16] | check[8] | envelope
 *   trailer "ODT1" | record count u32 | BLAKE2b-256 of every byte before it
 *
 * check is a keyed BLAKE2b-64 of the 32 record-header bytes before it, so a
 * damaged record header is seen, and the reader can find the next record by
 * scanning: one flipped byte costs at most one report. seq numbers records
 * from 0 (reordering is seen); the trailer's hash and count catch truncation
 * and any other change. None of this is secret or keyed against an attacker:
 * authenticity of each report comes from its envelope.
 */
#ifndef BUNDLE_H
#define BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "envelope.h"
#include "sink.h"

#define BUNDLE_HEADER_BYTES 16
#define BUNDLE_RECORD_HEADER_BYTES 40
#define BUNDLE_TRAILER_BYTES 40
#define BUNDLE_RECORD_MAX (1ULL << 40)	/* bytes in one envelope */

struct bundle_writer;

/*
 * bundle_writer_new(sink, ctx):
 * Start a bundle, writing its header to sink. Return NULL on failure.
 */
struct bundle_writer *bundle_writer_new(bytes_sink *sink, void *ctx);

/*
 * bundle_writer_begin(w, id, len) / bundle_writer_data(w, buf, len) /
 * bundle_writer_end(w):
 * Write one record: its header, then exactly len envelope bytes in pieces
 * of any size, then close it. Return 0, or -1 on misuse (more or fewer
 * bytes than announced) or when the sink refuses.
 */
int bundle_writer_begin(struct bundle_writer *w,
    const uint8_t id[ENVELOPE_ID_BYTES], uint64_t len);
int bundle_writer_data(struct bundle_writer *w, const uint8_t *buf,
    size_t len);
int bundle_writer_end(struct bundle_writer *w);

/*
 * bundle_writer_finish(w):
 * Write the trailer. Return 0 or -1.
 */
int bundle_writer_finish(struct bundle_writer *w);

/* bundle_writer_free(w): NULL is a no-op. */
void bundle_writer_free(struct bundle_writer *w);

/*
 * What the reader finds. record_begin announces a record whose header is
 * intact; its bytes follow through record_data and record_end. problem
 * reports damage to the bundle itself (offset in bytes from its start); the
 * reader goes on past it. A non-zero return from record_* stops the reader.
 */
struct bundle_callbacks {
	int (*record_begin)(void *ctx, uint32_t seq,
	    const uint8_t id[ENVELOPE_ID_BYTES], uint64_t len);
	int (*record_data)(void *ctx, const uint8_t *buf, size_t len);
	int (*record_end)(void *ctx);
	void (*problem)(void *ctx, uint64_t offset, const char *what);
};

struct bundle_reader;

/* bundle_reader_new(cb, ctx): return a reader, or NULL. */
struct bundle_reader *bundle_reader_new(const struct bundle_callbacks *cb,
    void *ctx);

/*
 * bundle_reader_feed(r, buf, len):
 * Consume the next len bytes of the bundle. Return 0, or -1 if a callback
 * stopped the reader (later calls fail too).
 */
int bundle_reader_feed(struct bundle_reader *r, const uint8_t *buf,
    size_t len);

/*
 * bundle_reader_finish(r):
 * The bundle's bytes have ended. Return 0 if it was whole and undamaged
 * (no problem reported, trailer present and matching), -1 otherwise.
 */
int bundle_reader_finish(struct bundle_reader *r);

/* bundle_reader_free(r): NULL is a no-op. */
void bundle_reader_free(struct bundle_reader *r);

#endif
