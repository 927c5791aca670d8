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

#define FORMAT_VERSION STOREDB_FORMAT
#define FORMAT_UPGRADABLE 2	/* upgraded in place to FORMAT_VERSION */
#define NEEDS_UPGRADE (-1)	/* init_dbs in a read transaction: format 2 */
#define NDBS 6
#define REPORT_VERSION 1
#define REPORT_BYTES 23
#define OUTCOME_FIXED 7		/* status u8 | day u32 | message length u16 */
#define RESIZED_RETRIES 8	/* times to adopt another process's map size */

static MDB_val key_secret = { 6, "secret" };
static MDB_val key_version = { 7, "version" };
static MDB_val key_transactions = { 12, "transactions" };
static MDB_val key_outcome_sequence = { 16, "outcome_sequence" };

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

static int
put_version(struct storedb *db, MDB_txn *txn)
{
	uint8_t ver[4];
	MDB_val v = { sizeof(ver), ver };

	encode_be32(ver, FORMAT_VERSION);
	return mdb_put(txn, db->meta, &key_version, &v, 0);
}

/* Write the format version and a fresh secret. */
static int
meta_create(struct storedb *db, MDB_txn *txn)
{
	uint8_t secret[STOREDB_SECRET_BYTES];
	MDB_val v = { sizeof(secret), secret };
	int rc;

	if ((rc = put_version(db, txn)) != 0)
		return rc;
	randombytes_buf(secret, sizeof(secret));
	rc = mdb_put(txn, db->meta, &key_secret, &v, MDB_NOOVERWRITE);
	sodium_memzero(secret, sizeof(secret));
	return rc;
}

static int
get_version(struct storedb *db, MDB_txn *txn, uint32_t *ver)
{
	MDB_val v;
	int rc;

	if ((rc = mdb_get(txn, db->meta, &key_version, &v)) != 0)
		return rc;
	*ver = v.mv_size == 4 ? decode_be32(v.mv_data) : 0;
	return 0;
}

/* What opening the store did, for storedb_open to log. */
struct init {
	struct storedb *db;
	int create;
	int upgraded;			/* format 2 was upgraded */
};

/*
 * Open the databases and check (with create, make) the meta entries. In a
 * write transaction, upgrade a store of format 2 (the databases format 3
 * added are made when it opens them); in a read one, say it needs that.
 */
static int
init_dbs(struct init *in, MDB_txn *txn, int write)
{
	struct storedb *db = in->db;
	unsigned flags = in->create ? MDB_CREATE : 0;
	uint32_t ver = 0;
	int rc;

	if ((rc = mdb_dbi_open(txn, "reports", flags, &db->reports)) != 0 ||
	    (rc = mdb_dbi_open(txn, "chunks", flags, &db->chunks)) != 0 ||
	    (rc = mdb_dbi_open(txn, "receipts", flags, &db->receipts)) != 0 ||
	    (rc = mdb_dbi_open(txn, "meta", flags, &db->meta)) != 0)
		return rc;
	if ((rc = get_version(db, txn, &ver)) == MDB_NOTFOUND && in->create) {
		rc = meta_create(db, txn);
		ver = FORMAT_VERSION;
	} else if (rc == 0 && ver == FORMAT_UPGRADABLE && write) {
		rc = put_version(db, txn);
		ver = FORMAT_VERSION;
		in->upgraded = 1;
	}
	if (rc != 0)
		return rc;
	if (ver == FORMAT_UPGRADABLE)
		return NEEDS_UPGRADE;
	if (ver != FORMAT_VERSION)
		return MDB_VERSION_MISMATCH;
	flags = write ? MDB_CREATE : 0;
	if ((rc = mdb_dbi_open(txn, "outcomes", flags, &db->outcomes)) != 0)
		return rc;
	return mdb_dbi_open(txn, "followups", flags, &db->followups);
}

static int
init_write(MDB_txn *txn, void *ctx)
{

	return init_dbs(ctx, txn, 1);
}

/*
 * Open the databases: with create, or to upgrade format 2, in a write
 * transaction; else in a read one, so that opening writes nothing.
 */
static int
init(struct init *in)
{
	struct storedb *db = in->db;
	MDB_txn *txn;
	int rc;

	if (in->create)
		return storedb_write(db, storedb_mapsize(db), init_write, in);
	if ((rc = storedb_begin(db, MDB_RDONLY, &txn)) != 0)
		return rc;
	if ((rc = init_dbs(in, txn, 0)) != 0) {
		mdb_txn_abort(txn);
		return rc != NEEDS_UPGRADE ? rc :
		    storedb_write(db, storedb_mapsize(db), init_write, in);
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
 * that holds no store. A store of format 2 is upgraded to 3 in place (the
 * two new databases made, the version set; logged); another format is
 * refused. Return 0, or -1 after logging why.
 */
int
storedb_open(struct storedb *db, const struct datadir *d, uint64_t mapsize,
    int create)
{
	struct init in;
	int rc;

	memset(db, 0, sizeof(*db));
	in = (struct init){ db, create, 0 };
	if (sodium_init() < 0) {
		log_error("libsodium failed to start");
		return -1;
	}
	if (check_files(d, create) != 0)
		return -1;
	if ((rc = mdb_env_create(&db->env)) != 0 ||
	    (rc = mdb_env_set_maxdbs(db->env, NDBS)) != 0 ||
	    (mapsize != 0 &&
	    (rc = mdb_env_set_mapsize(db->env, (size_t)mapsize)) != 0) ||
	    (rc = mdb_env_open(db->env, d->path, 0, 0600)) != 0)
		goto err;
	if (check_opened(db, d) != 0) {
		storedb_close(db);
		return -1;
	}
	if ((rc = mdb_reader_check(db->env, NULL)) != 0 ||
	    (rc = init(&in)) != 0)
		goto err;
	if (in.upgraded)
		log_info("store in %s: upgraded from format %d to %d (outcomes "
		    "and follow-ups)", d->path, FORMAT_UPGRADABLE,
		    FORMAT_VERSION);
	return 0;

err:
	if (rc == MDB_VERSION_MISMATCH)
		log_error("store in %s: made by another version of oniondropd "
		    "(this one reads store format %d and upgrades %d); export "
		    "its reports with that version, then move the directory "
		    "away", d->path, FORMAT_VERSION, FORMAT_UPGRADABLE);
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

/* Read the u64 meta entry key into *n: 0 if it is absent. */
static int
meta_u64(struct storedb *db, MDB_txn *txn, MDB_val *key, uint64_t *n)
{
	MDB_val v;
	int rc;

	*n = 0;
	if ((rc = mdb_get(txn, db->meta, key, &v)) == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	if (v.mv_size != 8)
		return MDB_CORRUPTED;
	*n = decode_be64(v.mv_data);
	return 0;
}

static int
meta_u64_put(struct storedb *db, MDB_txn *txn, MDB_val *key, uint64_t n)
{
	uint8_t buf[8];
	MDB_val v = { sizeof(buf), buf };

	encode_be64(buf, n);
	return mdb_put(txn, db->meta, key, &v, 0);
}

/* Count one more write transaction in txn. */
static int
count_txn(struct storedb *db, MDB_txn *txn)
{
	uint64_t n;
	int rc;

	if ((rc = storedb_transactions(db, txn, &n)) != 0)
		return rc;
	return meta_u64_put(db, txn, &key_transactions, n + 1);
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

/* A chunk's key, id | seq; a follow-up's has the same form. */
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

/* The report id stored under key k of dbi (receipts, followups). */
static int
id_get(MDB_txn *txn, MDB_dbi dbi, MDB_val *k, uint8_t id[ENVELOPE_ID_BYTES])
{
	MDB_val v;
	int rc;

	if ((rc = mdb_get(txn, dbi, k, &v)) != 0)
		return rc;
	if (v.mv_size != ENVELOPE_ID_BYTES)
		return MDB_CORRUPTED;
	memcpy(id, v.mv_data, ENVELOPE_ID_BYTES);
	return 0;
}

int
storedb_receipt_get(struct storedb *db, MDB_txn *txn,
    const uint8_t hash[STOREDB_RECEIPT_BYTES], uint8_t id[ENVELOPE_ID_BYTES])
{
	MDB_val k = { STOREDB_RECEIPT_BYTES, (void *)hash };

	return id_get(txn, db->receipts, &k, id);
}

/*
 * storedb_outcome_get(db, txn, id, o) / storedb_outcome_put:
 * Read id's outcome (MDB_NOTFOUND if none; MDB_CORRUPTED if it does not
 * decode), or write it, replacing the one before whole.
 */
int
storedb_outcome_get(struct storedb *db, MDB_txn *txn,
    const uint8_t id[ENVELOPE_ID_BYTES], struct storedb_outcome *o)
{
	MDB_val k = { ENVELOPE_ID_BYTES, (void *)id }, v;
	const uint8_t *p;
	size_t len;
	int rc;

	if ((rc = mdb_get(txn, db->outcomes, &k, &v)) != 0)
		return rc;
	p = v.mv_data;
	if (v.mv_size < OUTCOME_FIXED)
		return MDB_CORRUPTED;
	len = decode_be16(p + 5);
	if (v.mv_size != OUTCOME_FIXED + len || len > OUTCOME_SEALED_MAX ||
	    outcome_status_name(p[0]) == NULL)
		return MDB_CORRUPTED;
	o->status = p[0];
	o->day = decode_be32(p + 1);
	o->message = len > 0 ? p + OUTCOME_FIXED : NULL;
	o->message_len = len;
	return 0;
}

int
storedb_outcome_put(struct storedb *db, MDB_txn *txn,
    const uint8_t id[ENVELOPE_ID_BYTES], const struct storedb_outcome *o)
{
	MDB_val k = { ENVELOPE_ID_BYTES, (void *)id };
	MDB_val v = { OUTCOME_FIXED + o->message_len, NULL };
	uint8_t *p;
	int rc;

	if (o->message_len > OUTCOME_SEALED_MAX ||
	    outcome_status_name(o->status) == NULL)
		return EINVAL;
	if ((rc = mdb_put(txn, db->outcomes, &k, &v, MDB_RESERVE)) != 0)
		return rc;
	p = v.mv_data;
	p[0] = (uint8_t)o->status;
	encode_be32(p + 1, o->day);
	encode_be16(p + 5, (uint16_t)o->message_len);
	if (o->message_len > 0)
		memcpy(p + OUTCOME_FIXED, o->message, o->message_len);
	return 0;
}

/*
 * storedb_followup_get(db, txn, first, n, id) / storedb_followup_put:
 * Read the id of follow-up n of report first (MDB_NOTFOUND if there is
 * none), or record id as follow-up n (never replacing one: MDB_KEYEXIST).
 */
int
storedb_followup_get(struct storedb *db, MDB_txn *txn,
    const uint8_t first[ENVELOPE_ID_BYTES], uint32_t n,
    uint8_t id[ENVELOPE_ID_BYTES])
{
	uint8_t key[STOREDB_FOLLOWUP_KEY_BYTES];
	MDB_val k = { sizeof(key), key };

	chunk_key(key, first, n);
	return id_get(txn, db->followups, &k, id);
}

int
storedb_followup_put(struct storedb *db, MDB_txn *txn,
    const uint8_t first[ENVELOPE_ID_BYTES], uint32_t n,
    const uint8_t id[ENVELOPE_ID_BYTES])
{
	uint8_t key[STOREDB_FOLLOWUP_KEY_BYTES];
	MDB_val k = { sizeof(key), key };
	MDB_val v = { ENVELOPE_ID_BYTES, (void *)id };

	chunk_key(key, first, n);
	return mdb_put(txn, db->followups, &k, &v, MDB_NOOVERWRITE);
}

/*
 * storedb_outcome_sequence(db, txn, seq) / storedb_outcome_sequence_put:
 * The sequence number of the last outcome file imported (0: none yet), or
 * record a new one.
 */
int
storedb_outcome_sequence(struct storedb *db, MDB_txn *txn, uint64_t *seq)
{

	return meta_u64(db, txn, &key_outcome_sequence, seq);
}

int
storedb_outcome_sequence_put(struct storedb *db, MDB_txn *txn, uint64_t seq)
{

	return meta_u64_put(db, txn, &key_outcome_sequence, seq);
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

	return meta_u64(db, txn, &key_transactions, n);
}
