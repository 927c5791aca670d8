/*
 * storedb: the on-disk layout of the report store, shared by the server's
 * store writer (storewriter.c) and the admin commands (admin.c), which open
 * the same LMDB environment from another process. It owns the environment's
 * opening (and the upgrade of an older format), the names of the six
 * databases, the encoding of their keys and values, map growth, and the
 * walks over a report's chunks. See docs/store.md for the layout and the
 * durability argument.
 *
 *   reports   id[16] -> version u8 (1) | received day u32 | size u64 |
 *                       chunk count u32 | exported u8 | exported day u32 |
 *                       in file u8
 *   chunks    id[16] | seq u32 -> envelope bytes, in order, from seq 0
 *   receipts  receipt hash[32] -> id[16]
 *   outcomes  id[16] -> status u8 | day u32 | message length u16 |
 *                       sealed message [length]
 *   followups first id[16] | n u32 -> follow-up id[16] (n = 0, 1, ...)
 *   meta      "secret" -> 32 bytes; "version" -> u32 (3);
 *             "transactions" -> u64 (write transactions committed);
 *             "outcome_sequence" -> u64 (the last outcome file imported)
 *
 * Integers are big-endian; days count from 1970-01-01 UTC. A report's
 * envelope is either in chunks (chunk count > 0, in file 0) or in an
 * envelope file (envfile.h; chunk count 0, in file 1). Chunks are written
 * in the same transaction as their report's entry, never before. A
 * receipt whose report is gone was purged; purge leaves receipts, outcomes
 * and followups alone.
 *
 * Functions taking a txn return 0 or an LMDB error code (which includes
 * errno values such as ENOSPC) and log nothing: the caller decides what a
 * failure means.
 */
#ifndef STOREDB_H
#define STOREDB_H

#include <stddef.h>
#include <stdint.h>

#include <lmdb.h>

#include "datadir.h"
#include "envelope.h"
#include "outcome.h"
#include "sink.h"

#define STOREDB_SECRET_BYTES 32
#define STOREDB_RECEIPT_BYTES 32
#define STOREDB_CHUNK_KEY_BYTES (ENVELOPE_ID_BYTES + 4)
#define STOREDB_FOLLOWUP_KEY_BYTES (ENVELOPE_ID_BYTES + 4)
#define STOREDB_FORMAT 3		/* meta "version" of this layout */
#define STOREDB_MAP_START (UINT64_C(16) << 20)	/* first map size */

struct storedb {
	MDB_env *env;
	MDB_dbi reports, chunks, receipts, outcomes, followups, meta;
};

/* One "reports" value. */
struct storedb_report {
	uint32_t received_day;
	uint64_t size;			/* envelope bytes */
	uint32_t nchunks;
	int exported;
	uint32_t exported_day;		/* 0 unless exported */
	int in_file;			/* the envelope is an envelope file */
};

/* One "outcomes" value; message points into the map (or the caller's
 * bytes for a put) and is NULL when message_len is 0. */
struct storedb_outcome {
	enum outcome_status status;	/* never OUTCOME_NONE */
	uint32_t day;
	const uint8_t *message;		/* sealed to the reply key */
	size_t message_len;		/* 0, or at most OUTCOME_SEALED_MAX */
};

/*
 * storedb_open(db, d, mapsize, create):
 * Open the environment in data_dir d with a map of mapsize bytes (0: the
 * size the environment last recorded; LMDB raises it to the data's size).
 * data.mdb and lock.mdb must each be missing or a regular file of
 * data_dir's owner (datadir.h). With create, make the databases, the
 * format version and the secret if missing; without, refuse a directory
 * that holds no store. A store of format 2 is upgraded to 3 in place (the
 * two new databases made, the version set; logged); another format is
 * refused. Return 0, or -1 after logging why.
 */
int storedb_open(struct storedb *db, const struct datadir *d,
    uint64_t mapsize, int create);

/* storedb_close(db): close the environment; a closed db is a no-op. */
void storedb_close(struct storedb *db);

/*
 * storedb_begin(db, flags, txn):
 * mdb_txn_begin, adopting the larger map another process has set first if
 * LMDB says MDB_MAP_RESIZED. No transaction of this process may be open.
 */
int storedb_begin(struct storedb *db, unsigned flags, MDB_txn **txn);

/*
 * storedb_write(db, limit, fn, ctx):
 * Run fn(txn, ctx) in a write transaction and commit it durably (on disk
 * when this returns), counting it in "transactions". If the map is full, abort, double the map
 * (up to limit bytes) and run fn again: fn must be repeatable. Return 0 or
 * the error of fn or LMDB (MDB_MAP_FULL once the map is at limit).
 */
int storedb_write(struct storedb *db, uint64_t limit,
    int (*fn)(MDB_txn *txn, void *ctx), void *ctx);

/* storedb_full(rc): whether error rc means "no room" (map or disk). */
int storedb_full(int rc);

/* storedb_mapsize(db): the current map size in bytes. */
uint64_t storedb_mapsize(struct storedb *db);

/* storedb_used(db): the bytes of the map that hold data (its file size). */
uint64_t storedb_used(struct storedb *db);

/* storedb_today(): today's day number (UTC). */
uint32_t storedb_today(void);

/*
 * storedb_report_get(db, txn, id, r) / storedb_report_put(..., flags):
 * Read or write id's "reports" entry (MDB_NOTFOUND if absent; a value that
 * does not decode is MDB_CORRUPTED). flags go to mdb_put.
 */
int storedb_report_get(struct storedb *db, MDB_txn *txn,
    const uint8_t id[ENVELOPE_ID_BYTES], struct storedb_report *r);
int storedb_report_put(struct storedb *db, MDB_txn *txn,
    const uint8_t id[ENVELOPE_ID_BYTES], const struct storedb_report *r,
    unsigned flags);

/*
 * storedb_report_decode(key, val, id, r):
 * Decode a "reports" entry met by a cursor. Return 0 or MDB_CORRUPTED.
 */
int storedb_report_decode(const MDB_val *key, const MDB_val *val,
    const uint8_t **id, struct storedb_report *r);

/*
 * storedb_chunk_reserve(db, txn, id, seq, len, out):
 * Make chunk seq of id, len bytes long, and point *out at its bytes, which
 * the caller fills before its next call on txn.
 */
int storedb_chunk_reserve(struct storedb *db, MDB_txn *txn,
    const uint8_t id[ENVELOPE_ID_BYTES], uint32_t seq, size_t len,
    uint8_t **out);

/*
 * storedb_chunks_delete(db, txn, id):
 * Delete every chunk of id.
 */
int storedb_chunks_delete(struct storedb *db, MDB_txn *txn,
    const uint8_t id[ENVELOPE_ID_BYTES]);

/*
 * storedb_chunks_read(db, txn, id, r, sink, ctx):
 * Send the envelope of report id (described by r) to sink, chunk by chunk,
 * straight from the map. Return 0, MDB_CORRUPTED if the chunks do not
 * match r, or -1 if sink refused.
 */
int storedb_chunks_read(struct storedb *db, MDB_txn *txn,
    const uint8_t id[ENVELOPE_ID_BYTES], const struct storedb_report *r,
    bytes_sink *sink, void *ctx);

/*
 * storedb_receipt_put(db, txn, hash, id) / storedb_receipt_get:
 * Point receipt hash at report id (never replacing one: MDB_KEYEXIST), or
 * find where it points (MDB_NOTFOUND if nowhere).
 */
int storedb_receipt_put(struct storedb *db, MDB_txn *txn,
    const uint8_t hash[STOREDB_RECEIPT_BYTES],
    const uint8_t id[ENVELOPE_ID_BYTES]);
int storedb_receipt_get(struct storedb *db, MDB_txn *txn,
    const uint8_t hash[STOREDB_RECEIPT_BYTES], uint8_t id[ENVELOPE_ID_BYTES]);

/*
 * storedb_outcome_get(db, txn, id, o) / storedb_outcome_put:
 * Read id's outcome (MDB_NOTFOUND if none; MDB_CORRUPTED if it does not
 * decode), or write it, replacing the one before whole.
 */
int storedb_outcome_get(struct storedb *db, MDB_txn *txn,
    const uint8_t id[ENVELOPE_ID_BYTES], struct storedb_outcome *o);
int storedb_outcome_put(struct storedb *db, MDB_txn *txn,
    const uint8_t id[ENVELOPE_ID_BYTES], const struct storedb_outcome *o);

/*
 * storedb_followup_get(db, txn, first, n, id) / storedb_followup_put:
 * Read the id of follow-up n of report first (MDB_NOTFOUND if there is
 * none), or record id as follow-up n (never replacing one: MDB_KEYEXIST).
 */
int storedb_followup_get(struct storedb *db, MDB_txn *txn,
    const uint8_t first[ENVELOPE_ID_BYTES], uint32_t n,
    uint8_t id[ENVELOPE_ID_BYTES]);
int storedb_followup_put(struct storedb *db, MDB_txn *txn,
    const uint8_t first[ENVELOPE_ID_BYTES], uint32_t n,
    const uint8_t id[ENVELOPE_ID_BYTES]);

/*
 * storedb_outcome_sequence(db, txn, seq) / storedb_outcome_sequence_put:
 * The sequence number of the last outcome file imported (0: none yet), or
 * record a new one.
 */
int storedb_outcome_sequence(struct storedb *db, MDB_txn *txn,
    uint64_t *seq);
int storedb_outcome_sequence_put(struct storedb *db, MDB_txn *txn,
    uint64_t seq);

/*
 * storedb_secret(db, txn, secret):
 * Copy the server secret into secret.
 */
int storedb_secret(struct storedb *db, MDB_txn *txn,
    uint8_t secret[STOREDB_SECRET_BYTES]);

/*
 * storedb_transactions(db, txn, n):
 * The number of write transactions committed since the store was made.
 */
int storedb_transactions(struct storedb *db, MDB_txn *txn, uint64_t *n);

#endif
