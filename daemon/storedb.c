/*
 * storedb: see storedb.h. The environment is opened without MDB_NOSYNC,
 * MDB_NOMETASYNC or MDB_WRITEMAP: every commit writes its pages and
 * fsyncs them before it writes and fsyncs the meta page, so a crash at any
 * moment leaves a consistent store, and a commit that returned is on disk.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

#include <sodium.h>

#include "datadir.h"
#include "encode.h"
#include "log.h"
#include "storedb.h"

#define FORMAT_VERSION 2
#define REPORT_VERSION 1
#define REPORT_BYTES 23
#define RESIZED_RETRIES 8	/* times to adopt another process's map size */

static MDB_val key_secret = { 6, "secret" };
static MDB_val key_version = { 7, "version" };
static MDB_val key_transactions = { 12, "transactions" };

/*
 * LMDB opens data.mdb and lock.mdb by path, following links: check them by
 * name first (each absent or sound; without create, data.mdb must be
 * there), and again once open (check_opened).
 */
static int
check_files(const struct datadir *d, int create)
{
	int data = datadir_check(d, "data.mdb");
	int lock = datadir_check(d, "lock.mdb");

	if (data < 0 || lock < 0)
		return -1;
	if (data == 1 && !create) {
		log_error("no store in %s", d->path);
		return -1;
	}
	return 0;
}

/*
 * The files LMDB opened are the ones in data_dir, still sound: a link
 * planted between the check and the open is refused. (After the admin
 * commands gave up root, such a link reaches nothing its planter could not
 * write anyway; see admin.c.)
 */
static int
check_opened(struct storedb *db, const struct datadir *d)
{
	struct stat opened, named;
	int fd;

	if (mdb_env_get_fd(db->env, &fd) != 0 || fstat(fd, &opened) != 0 ||
	    fstatat(d->fd, "data.mdb", &named, AT_SYMLINK_NOFOLLOW) != 0 ||
	    opened.st_dev != named.st_dev || opened.st_ino != named.st_ino) {
		log_error("store in %s: data.mdb changed while it was opened: "
		    "refused", d->path);
		return -1;
	}
	if (datadir_check_fd(d, "data.mdb", fd) != 0 ||
	    datadir_check(d, "lock.mdb") != 0)
		return -1;
	return 0;
}

/* Write the format version and a fresh secret. */
static int
meta_create(struct storedb *db, MDB_txn *txn)
{
	uint8_t ver[4], secret[STOREDB_SECRET_BYTES];
	MDB_val v = { sizeof(ver), ver };
	int rc;

	encode_be32(ver, FORMAT_VERSION);
	if ((rc = mdb_put(txn, db->meta, &key_version, &v, 0)) != 0)
		return rc;
	randombytes_buf(secret, sizeof(secret));
	v = (MDB_val){ sizeof(secret), secret };
	rc = mdb_put(txn, db->meta, &key_secret, &v, MDB_NOOVERWRITE);
	sodium_memzero(secret, sizeof(secret));
	return rc;
}

/* Open the databases and check (or with create, make) the meta entries. */
static int
init_dbs(struct storedb *db, MDB_txn *txn, int create)
{
	unsigned flags = create ? MDB_CREATE : 0;
	MDB_val v;
	int rc;

	if ((rc = mdb_dbi_open(txn, "reports", flags, &db->reports)) != 0 ||
	    (rc = mdb_dbi_open(txn, "chunks", flags, &db->chunks)) != 0 ||
	    (rc = mdb_dbi_open(txn, "receipts", flags, &db->receipts)) != 0 ||
	    (rc = mdb_dbi_open(txn, "meta", flags, &db->meta)) != 0)
		return rc;
	rc = mdb_get(txn, db->meta, &key_version, &v);
	if (rc == MDB_NOTFOUND && create)
		return meta_create(db, txn);
	if (rc != 0)
		return rc;
	if (v.mv_size != 4 || decode_be32(v.mv_data) != FORMAT_VERSION)
		return MDB_VERSION_MISMATCH;
	return 0;
}

static int
init_create(MDB_txn *txn, void *ctx)
{

	return init_dbs(ctx, txn, 1);
}

/* Open the databases, creating them if asked. */
static int
init(struct storedb *db, int create)
{
	MDB_txn *txn;
	int rc;

	if (create)
		return storedb_write(db, storedb_mapsize(db), init_create, db);
	if ((rc = storedb_begin(db, MDB_RDONLY, &txn)) != 0)
		return rc;
	if ((rc = init_dbs(db, txn, 0)) != 0) {
		mdb_txn_abort(txn);
		return rc;
	}
	return mdb_txn_commit(txn);
}

/*
 * storedb_open(db, d, mapsize, create):
 * Open the environment in data_dir d with a map of mapsize bytes (0: the
 * size the environment last recorded; LMDB raises it to the data's size).
 * data.mdb and lock.mdb must each be missing or a regular file of
 * data_dir's owner (datadir.h). With create, make the databases, the
 * format version and the secret if missing; without, refuse a directory
 * that holds no store. Return 0, or -1 after logging why.
 */
int
storedb_open(struct storedb *db, const struct datadir *d, uint64_t mapsize,
    int create)
{
	int rc;

	memset(db, 0, sizeof(*db));
	if (sodium_init() < 0) {
		log_error("libsodium failed to start");
		return -1;
	}
	if (check_files(d, create) != 0)
		return -1;
	if ((rc = mdb_env_create(&db->env)) != 0 ||
	    (rc = mdb_env_set_maxdbs(db->env, 4)) != 0 ||
	    (mapsize != 0 &&
	    (rc = mdb_env_set_mapsize(db->env, (size_t)mapsize)) != 0) ||
	    (rc = mdb_env_open(db->env, d->path, 0, 0600)) != 0)
		goto err;
	if (check_opened(db, d) != 0) {
		storedb_close(db);
		return -1;
	}
	if ((rc = mdb_reader_check(db->env, NULL)) != 0 ||
	    (rc = init(db, create)) != 0)
		goto err;
	return 0;

err:
	if (rc == MDB_VERSION_MISMATCH)
		log_error("store in %s: made by another version of oniondropd "
		    "(this one reads store format %d); export its reports with "
		    "that version, then move the directory away", d->path,
		    FORMAT_VERSION);
	else
		log_error("store in %s: %s", d->path, mdb_strerror(rc));
	storedb_close(db);
	return -1;
}

/* storedb_close(db): close the environment; a closed db is a no-op. */
void
storedb_close(struct storedb *db)
{

	if (db->env != NULL)
		mdb_env_close(db->env);
	db->env = NULL;
}

/*
 * storedb_begin(db, flags, txn):
 * mdb_txn_begin, adopting the larger map another process has set first if
 * LMDB says MDB_MAP_RESIZED. No transaction of this process may be open.
 */
int
storedb_begin(struct storedb *db, unsigned flags, MDB_txn **txn)
{
	int rc = MDB_MAP_RESIZED;

	for (int i = 0; i < RESIZED_RETRIES && rc == MDB_MAP_RESIZED; i++) {
		rc = mdb_txn_begin(db->env, NULL, flags, txn);
		if (rc == MDB_MAP_RESIZED &&
		    (rc = mdb_env_set_mapsize(db->env, 0)) == 0)
			rc = MDB_MAP_RESIZED;
	}
	return rc;
}

/* Count one more write transaction in txn. */
static int
count_txn(struct storedb *db, MDB_txn *txn)
{
	uint64_t n;
	uint8_t buf[8];
	MDB_val v = { sizeof(buf), buf };
	int rc;

	if ((rc = storedb_transactions(db, txn, &n)) != 0)
		return rc;
	encode_be64(buf, n + 1);
	return mdb_put(txn, db->meta, &key_transactions, &v, 0);
}

/* Double the map, up to limit; return 0, or -1 if it is already there. */
static int
grow(struct storedb *db, uint64_t limit)
{
	uint64_t cur = storedb_mapsize(db);
	uint64_t next = cur > limit / 2 ? limit : cur * 2;

	if (cur >= limit)
		return -1;
	return mdb_env_set_mapsize(db->env, (size_t)next) == 0 ? 0 : -1;
}

/*
 * storedb_write(db, limit, fn, ctx):
 * Run fn(txn, ctx) in a write transaction and commit it durably (on disk
 * when this returns), counting it in "transactions". If the map is full, abort, double the map
 * (up to limit bytes) and run fn again: fn must be repeatable. Return 0 or
 * the error of fn or LMDB (MDB_MAP_FULL once the map is at limit).
 */
int
storedb_write(struct storedb *db, uint64_t limit,
    int (*fn)(MDB_txn *txn, void *ctx), void *ctx)
{
	MDB_txn *txn;
	int rc;

	for (;;) {
		if ((rc = storedb_begin(db, 0, &txn)) != 0)
			return rc;
		if ((rc = fn(txn, ctx)) == 0 && (rc = count_txn(db, txn)) == 0)
			rc = mdb_txn_commit(txn);
		else
			mdb_txn_abort(txn);
		if (rc != MDB_MAP_FULL || grow(db, limit) != 0)
			return rc;
	}
}

/* storedb_full(rc): whether error rc means "no room" (map or disk). */
int
storedb_full(int rc)
{

	return rc == MDB_MAP_FULL || rc == ENOSPC || rc == EDQUOT;
}

/* storedb_mapsize(db): the current map size in bytes. */
uint64_t
storedb_mapsize(struct storedb *db)
{
	MDB_envinfo info;

	if (mdb_env_info(db->env, &info) != 0)
		return 0;
	return info.me_mapsize;
}

/* storedb_used(db): the bytes of the map that hold data (its file size). */
uint64_t
storedb_used(struct storedb *db)
{
	MDB_envinfo info;
	MDB_stat st;

	if (mdb_env_info(db->env, &info) != 0 ||
	    mdb_env_stat(db->env, &st) != 0)
		return 0;
	return (uint64_t)(info.me_last_pgno + 1) * st.ms_psize;
}

/* storedb_today(): today's day number (UTC). */
uint32_t
storedb_today(void)
{

	return (uint32_t)(time(NULL) / 86400);
}

/*
 * storedb_report_get(db, txn, id, r) / storedb_report_put(..., flags):
 * Read or write id's "reports" entry (MDB_NOTFOUND if absent; a value that
 * does not decode is MDB_CORRUPTED). flags go to mdb_put.
 */
int
storedb_report_get(struct storedb *db, MDB_txn *txn,
    const uint8_t id[ENVELOPE_ID_BYTES], struct storedb_report *r)
{
	MDB_val k = { ENVELOPE_ID_BYTES, (void *)id }, v;
	const uint8_t *kid;
	int rc;

	if ((rc = mdb_get(txn, db->reports, &k, &v)) != 0)
		return rc;
	return storedb_report_decode(&k, &v, &kid, r);
}

int
storedb_report_put(struct storedb *db, MDB_txn *txn,
    const uint8_t id[ENVELOPE_ID_BYTES], const struct storedb_report *r,
    unsigned flags)
{
	uint8_t buf[REPORT_BYTES];
	MDB_val k = { ENVELOPE_ID_BYTES, (void *)id }, v = { sizeof(buf), buf };

	buf[0] = REPORT_VERSION;
	encode_be32(buf + 1, r->received_day);
	encode_be64(buf + 5, r->size);
	encode_be32(buf + 13, r->nchunks);
	buf[17] = r->exported ? 1 : 0;
	encode_be32(buf + 18, r->exported_day);
	buf[22] = r->in_file ? 1 : 0;
	return mdb_put(txn, db->reports, &k, &v, flags);
}

/*
 * storedb_report_decode(key, val, id, r):
 * Decode a "reports" entry met by a cursor. Return 0 or MDB_CORRUPTED.
 */
int
storedb_report_decode(const MDB_val *key, const MDB_val *val,
    const uint8_t **id, struct storedb_report *r)
{
	const uint8_t *p = val->mv_data;

	if (key->mv_size != ENVELOPE_ID_BYTES || val->mv_size != REPORT_BYTES ||
	    p[0] != REPORT_VERSION || p[17] > 1 || p[22] > 1 ||
	    (p[22] == 1) != (decode_be32(p + 13) == 0))
		return MDB_CORRUPTED;
	*id = key->mv_data;
	r->received_day = decode_be32(p + 1);
	r->size = decode_be64(p + 5);
	r->nchunks = decode_be32(p + 13);
	r->exported = p[17];
	r->exported_day = decode_be32(p + 18);
	r->in_file = p[22];
	return 0;
}

static void
chunk_key(uint8_t out[STOREDB_CHUNK_KEY_BYTES],
    const uint8_t id[ENVELOPE_ID_BYTES], uint32_t seq)
{

	memcpy(out, id, ENVELOPE_ID_BYTES);
	encode_be32(out + ENVELOPE_ID_BYTES, seq);
}

/*
 * storedb_chunk_reserve(db, txn, id, seq, len, out):
 * Make chunk seq of id, len bytes long, and point *out at its bytes, which
 * the caller fills before its next call on txn.
 */
int
storedb_chunk_reserve(struct storedb *db, MDB_txn *txn,
    const uint8_t id[ENVELOPE_ID_BYTES], uint32_t seq, size_t len,
    uint8_t **out)
{
	uint8_t key[STOREDB_CHUNK_KEY_BYTES];
	MDB_val k = { sizeof(key), key }, v = { len, NULL };
	int rc;

	chunk_key(key, id, seq);
	if ((rc = mdb_put(txn, db->chunks, &k, &v, MDB_RESERVE)) != 0)
		return rc;
	*out = v.mv_data;
	return 0;
}

/*
 * storedb_chunks_delete(db, txn, id):
 * Delete every chunk of id.
 */
int
storedb_chunks_delete(struct storedb *db, MDB_txn *txn,
    const uint8_t id[ENVELOPE_ID_BYTES])
{
	uint8_t first[STOREDB_CHUNK_KEY_BYTES];
	MDB_cursor *c;
	MDB_val k, v;
	int rc;

	chunk_key(first, id, 0);
	if ((rc = mdb_cursor_open(txn, db->chunks, &c)) != 0)
		return rc;
	/* Seek afresh after each deletion: a report has few chunks. */
	for (;;) {
		k = (MDB_val){ sizeof(first), first };
		if ((rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE)) != 0 ||
		    k.mv_size != sizeof(first) ||
		    memcmp(k.mv_data, id, ENVELOPE_ID_BYTES) != 0 ||
		    (rc = mdb_cursor_del(c, 0)) != 0)
			break;
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/*
 * storedb_chunks_read(db, txn, id, r, sink, ctx):
 * Send the envelope of report id (described by r) to sink, chunk by chunk,
 * straight from the map. Return 0, MDB_CORRUPTED if the chunks do not
 * match r, or -1 if sink refused.
 */
int
storedb_chunks_read(struct storedb *db, MDB_txn *txn,
    const uint8_t id[ENVELOPE_ID_BYTES], const struct storedb_report *r,
    bytes_sink *sink, void *ctx)
{
	uint8_t key[STOREDB_CHUNK_KEY_BYTES];
	MDB_val k = { sizeof(key), key }, v;
	uint64_t total = 0;
	int rc;

	for (uint32_t seq = 0; seq < r->nchunks; seq++) {
		chunk_key(key, id, seq);
		if ((rc = mdb_get(txn, db->chunks, &k, &v)) != 0)
			return rc == MDB_NOTFOUND ? MDB_CORRUPTED : rc;
		total += v.mv_size;
		if (total > r->size)
			return MDB_CORRUPTED;
		if (sink(ctx, v.mv_data, v.mv_size) != 0)
			return -1;
	}
	return total == r->size ? 0 : MDB_CORRUPTED;
}

/*
 * storedb_receipt_put(db, txn, hash, id) / storedb_receipt_get:
 * Point receipt hash at report id (never replacing one: MDB_KEYEXIST), or
 * find where it points (MDB_NOTFOUND if nowhere).
 */
int
storedb_receipt_put(struct storedb *db, MDB_txn *txn,
    const uint8_t hash[STOREDB_RECEIPT_BYTES],
    const uint8_t id[ENVELOPE_ID_BYTES])
{
	MDB_val k = { STOREDB_RECEIPT_BYTES, (void *)hash };
	MDB_val v = { ENVELOPE_ID_BYTES, (void *)id };

	return mdb_put(txn, db->receipts, &k, &v, MDB_NOOVERWRITE);
}

int
storedb_receipt_get(struct storedb *db, MDB_txn *txn,
    const uint8_t hash[STOREDB_RECEIPT_BYTES], uint8_t id[ENVELOPE_ID_BYTES])
{
	MDB_val k = { STOREDB_RECEIPT_BYTES, (void *)hash }, v;
	int rc;

	if ((rc = mdb_get(txn, db->receipts, &k, &v)) != 0)
		return rc;
	if (v.mv_size != ENVELOPE_ID_BYTES)
		return MDB_CORRUPTED;
	memcpy(id, v.mv_data, ENVELOPE_ID_BYTES);
	return 0;
}

/*
 * storedb_secret(db, txn, secret):
 * Copy the server secret into secret.
 */
int
storedb_secret(struct storedb *db, MDB_txn *txn,
    uint8_t secret[STOREDB_SECRET_BYTES])
{
	MDB_val v;
	int rc;

	if ((rc = mdb_get(txn, db->meta, &key_secret, &v)) != 0)
		return rc;
	if (v.mv_size != STOREDB_SECRET_BYTES)
		return MDB_CORRUPTED;
	memcpy(secret, v.mv_data, STOREDB_SECRET_BYTES);
	return 0;
}

/*
 * storedb_transactions(db, txn, n):
 * The number of write transactions committed since the store was made.
 */
int
storedb_transactions(struct storedb *db, MDB_txn *txn, uint64_t *n)
{
	MDB_val v;
	int rc;

	*n = 0;
	if ((rc = mdb_get(txn, db->meta, &key_transactions, &v)) == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	if (v.mv_size != 8)
		return MDB_CORRUPTED;
	*n = decode_be64(v.mv_data);
	return 0;
}
