/*
 * test_store: the store thread and the admin commands on a real LMDB
 * environment in a temporary directory, driven from a real event loop.
 * Envelopes are random bytes: the store never looks inside them.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <sodium.h>

#include "admin.h"
#include "bundle.h"
#include "datadir.h"
#include "encode.h"
#include "envfile.h"
#include "keys.h"
#include "outcome.h"
#include "store.h"
#include "storedb.h"
#include "storeq.h"
#include "storethread.h"
#include "tap.h"

/* ASan's quarantine keeps freed memory: RSS means nothing under it. */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

#define WRITE_SIZE 65536
#define QUEUE_LIMIT (1024 * 1024)
#define MAX_RECORDS 256

static struct event_base *base;
static char tmp[64];
static struct store_secrets secrets;	/* handed over by each store_open */

/* ---- uploads ---- */

/* One report being uploaded: len random bytes, in WRITE_SIZE writes. */
struct feeder {
	struct store *s;
	struct store_upload *u;
	uint8_t id[ENVELOPE_ID_BYTES];
	uint8_t receipt[STORE_RECEIPT_HASH_BYTES];
	const uint8_t *first;		/* a follow-up of this report */
	uint8_t key[crypto_stream_chacha20_KEYBYTES];
	uint8_t hash[32];
	crypto_generichash_state h;
	uint64_t len, off;
	size_t max_queued;
	long max_anon;			/* kB */
	int done;
	enum store_result result;
};

static long
rss_anon_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "RssAnon: %ld", &kb) == 1)
			break;
	if (f != NULL)
		fclose(f);
	return kb;
}

static void
sample_rss(struct feeder *f)
{
	long kb = rss_anon_kb();

	if (kb > f->max_anon)
		f->max_anon = kb;
}

static void
run_until(const int *flag)
{

	while (!*flag)
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NO_EXIT_ON_EMPTY);
}

static void
on_commit(void *ctx, enum store_result result)
{
	struct feeder *f = ctx;

	f->result = result;
	f->done = 1;
}

static void feed(void *ctx);

/* Write until done, or until the queue is over its limit. */
static void
feed(void *ctx)
{
	struct feeder *f = ctx;
	uint8_t buf[WRITE_SIZE], nonce[crypto_stream_chacha20_NONCEBYTES] = { 0 };
	size_t n, q;

	while (f->off < f->len) {
		n = f->len - f->off < WRITE_SIZE ? f->len - f->off : WRITE_SIZE;
		memcpy(nonce, &f->off, sizeof(f->off));
		crypto_stream_chacha20(buf, n, nonce, f->key);
		if (store_upload_write(f->u, buf, n) != 0)
			break;
		crypto_generichash_update(&f->h, buf, n);
		f->off += n;
		if ((q = store_upload_queued(f->u)) > f->max_queued)
			f->max_queued = q;
		if (f->off % (1 << 20) == 0)
			sample_rss(f);
		if (q > QUEUE_LIMIT) {
			store_upload_on_drain(f->u, feed, f);
			return;
		}
	}
	crypto_generichash_final(&f->h, f->hash, sizeof(f->hash));
	if (f->first != NULL)
		store_upload_commit_follow_up(f->u, f->first, on_commit, f);
	else
		store_upload_commit(f->u, f->receipt, on_commit, f);
}

/* Start uploading len bytes: a follow-up of first, or with a receipt. */
static void
feeder_begin(struct feeder *f, struct store *s, uint64_t len,
    const uint8_t *first)
{

	memset(f, 0, sizeof(*f));
	f->s = s;
	f->first = first;
	f->len = len;
	randombytes_buf(f->id, sizeof(f->id));
	randombytes_buf(f->receipt, sizeof(f->receipt));
	randombytes_buf(f->key, sizeof(f->key));
	crypto_generichash_init(&f->h, NULL, 0, sizeof(f->hash));
	f->u = store_upload_begin(s, f->id);
	feed(f);
}

static void
feeder_start(struct feeder *f, struct store *s, uint64_t len)
{

	feeder_begin(f, s, len, NULL);
}

/* Upload one report of len bytes and wait for its commit. */
static enum store_result
upload(struct feeder *f, struct store *s, uint64_t len)
{

	feeder_start(f, s, len);
	run_until(&f->done);
	return f->result;
}

struct case_wait {
	int done;
	struct store_case *c;
};

static void
on_case(void *ctx, struct store_case *c)
{
	struct case_wait *w = ctx;

	w->c = c;
	w->done = 1;
}

/* store_lookup, waited for; the caller frees the case. */
static struct store_case *
case_of(struct store *s, const uint8_t *receipt)
{
	struct case_wait w = { 0 };

	store_lookup(s, receipt, on_case, &w);
	run_until(&w.done);
	return w.c;
}

/* What became of a receipt's report, from store_lookup. */
static enum store_status
status_of(struct store *s, const uint8_t *receipt)
{
	struct store_case *c = case_of(s, receipt);
	enum store_status st = c != NULL && c->n > 0 ? c->e[0].status :
	    STORE_STATUS_UNKNOWN;

	store_case_free(c);
	return st;
}

/* ---- bundles and admin output ---- */

struct record {
	uint8_t id[ENVELOPE_ID_BYTES];
	uint64_t len;
	uint8_t hash[32];
};

struct records {
	struct record r[MAX_RECORDS];
	size_t n;
	crypto_generichash_state h;
};

static int
rec_begin(void *ctx, uint32_t seq, const uint8_t id[ENVELOPE_ID_BYTES],
    uint64_t len)
{
	struct records *rs = ctx;

	if (rs->n == MAX_RECORDS)
		return -1;
	memcpy(rs->r[rs->n].id, id, ENVELOPE_ID_BYTES);
	rs->r[rs->n].len = len;
	crypto_generichash_init(&rs->h, NULL, 0, 32);
	return 0;
}

static int
rec_data(void *ctx, const uint8_t *buf, size_t len)
{

	crypto_generichash_update(&((struct records *)ctx)->h, buf, len);
	return 0;
}

static int
rec_end(void *ctx)
{
	struct records *rs = ctx;

	crypto_generichash_final(&rs->h, rs->r[rs->n++].hash, 32);
	return 0;
}

static void
rec_problem(void *ctx, uint64_t offset, const char *what)
{

	printf("# bundle problem at %llu: %s\n", (unsigned long long)offset,
	    what);
}

/* Read a bundle file; return 0 if it is whole. */
static int
read_bundle(const char *path, struct records *rs)
{
	static const struct bundle_callbacks cb = { rec_begin, rec_data,
	    rec_end, rec_problem };
	struct bundle_reader *r = bundle_reader_new(&cb, rs);
	uint8_t buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY), rc;

	rs->n = 0;
	while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0)
		bundle_reader_feed(r, buf, (size_t)n);
	rc = fd < 0 ? -1 : bundle_reader_finish(r);
	bundle_reader_free(r);
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Whether the bundle holds f's report, byte-identical. */
static int
has(const struct records *rs, const struct feeder *f)
{

	for (size_t i = 0; i < rs->n; i++)
		if (memcmp(rs->r[i].id, f->id, ENVELOPE_ID_BYTES) == 0)
			return rs->r[i].len == f->len &&
			    memcmp(rs->r[i].hash, f->hash, 32) == 0;
	return 0;
}

/* Run an admin command with its stdout in out[]; return its status. */
static int
captured(int (*cmd)(const char *, const char *, int, unsigned),
    const char *arg1, int arg2, unsigned arg3, char *out, size_t outlen)
{
	char path[128];
	int fd, saved, rc;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/stdout", tmp);
	fflush(stdout);
	saved = dup(1);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 1);
	rc = cmd(tmp, arg1, arg2, arg3);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	n = pread(fd, out, outlen - 1, 0);
	out[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
	return rc;
}

static char dbdir[128];

static int
do_export(const char *d, const char *bundle, int all, unsigned x)
{

	return admin_export(dbdir, bundle, all);
}

static int
do_stats(const char *d, const char *a, int b, unsigned c)
{

	return admin_stats(dbdir);
}

static int
do_purge(const char *d, const char *a, int b, unsigned days)
{

	return admin_purge(dbdir, days);
}

static int
export_to(const char *name, int all, struct records *rs, char *out,
    size_t outlen)
{
	char path[192];
	int rc;

	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	rc = captured(do_export, path, all, 0, out, outlen);
	if (rc == 0 && read_bundle(path, rs) != 0)
		return -1;
	return rc;
}

static void
use_dir(const char *name)
{

	snprintf(dbdir, sizeof(dbdir), "%s/%s", tmp, name);
}

/* Open the store in dbdir as the admin commands do. */
static int
open_db(struct storedb *db, struct datadir *d)
{

	if (datadir_open(d, dbdir, 0) != 0)
		return -1;
	if (storedb_open(db, d, 0, 0) != 0) {
		datadir_close(d);
		return -1;
	}
	return 0;
}

static void
close_db(struct storedb *db, struct datadir *d)
{

	storedb_close(db);
	datadir_close(d);
}

/* Chunk entries in the store: all of them, and those without a report. */
static void
count_chunks(size_t *all, size_t *orphans)
{
	struct storedb db;
	struct datadir d;
	struct storedb_report r;
	MDB_txn *txn;
	MDB_cursor *c;
	MDB_val k, v;

	*all = *orphans = 0;
	if (open_db(&db, &d) != 0)
		return;
	storedb_begin(&db, MDB_RDONLY, &txn);
	mdb_cursor_open(txn, db.chunks, &c);
	while (mdb_cursor_get(c, &k, &v, MDB_NEXT) == 0) {
		(*all)++;
		*orphans += storedb_report_get(&db, txn, k.mv_data, &r) != 0;
	}
	mdb_cursor_close(c);
	mdb_txn_abort(txn);
	close_db(&db, &d);
}

/* Entries of the envelopes directory: spare files, or envelope files
 * (names of 32 characters). */
static size_t
count_entries(int spares)
{
	char path[192];
	struct dirent *e;
	size_t n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/envelopes", dbdir);
	if ((d = opendir(path)) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		n += spares ? strncmp(e->d_name, "spare-", 6) == 0 :
		    strlen(e->d_name) == 32;
	closedir(d);
	return n;
}

/* The path of id's envelope file. */
static void
file_of(char *path, size_t len, const uint8_t id[ENVELOPE_ID_BYTES])
{
	char hex[ENCODE_HEX_LEN(ENVELOPE_ID_BYTES) + 1];

	encode_hex(hex, id, ENVELOPE_ID_BYTES);
	snprintf(path, len, "%s/envelopes/%s", dbdir, hex);
}

static uint64_t
transactions(void)
{
	struct storedb db;
	struct datadir d;
	MDB_txn *txn;
	uint64_t n = 0;

	if (open_db(&db, &d) != 0)
		return 0;
	storedb_begin(&db, MDB_RDONLY, &txn);
	storedb_transactions(&db, txn, &n);
	mdb_txn_abort(txn);
	close_db(&db, &d);
	return n;
}

/* ---- tests ---- */

static void
test_round_trip(void)
{
	struct feeder f[3], empty;
	uint64_t sizes[3] = { 1000, 200000, 3 << 20 };
	struct records rs;
	struct store *s;
	uint8_t unknown[STORE_RECEIPT_HASH_BYTES];
	char out[1024], want[256], path[192];
	int all_ok = 1;

	use_dir("rt");
	s = storethread_open(dbdir, UINT64_C(1) << 30, base, &secrets);
	ok(s != NULL, "store_open creates a store");
	for (int i = 0; i < 3; i++)
		all_ok &= upload(&f[i], s, sizes[i]) == STORE_OK;
	ok(all_ok, "three uploads commit: STORE_OK");
	feeder_start(&empty, s, 0);
	run_until(&empty.done);
	is_int(empty.result, STORE_ERROR, "an empty envelope is refused");
	randombytes_buf(unknown, sizeof(unknown));
	ok(status_of(s, f[0].receipt) == STORE_STATUS_WAITING,
	    "status: waiting");
	ok(status_of(s, unknown) == STORE_STATUS_UNKNOWN, "status: unknown");
	storethread_close(s);

	captured(do_stats, NULL, 0, 0, out, sizeof(out));
	snprintf(want, sizeof(want), "reports: 3\nunexported: 3\nbytes: %llu\n"
	    "purged: 0\n", (unsigned long long)(sizes[0] + sizes[1] + sizes[2]));
	ok(strncmp(out, want, strlen(want)) == 0, "stats before export");
	ok(strstr(out, "\nenvelope_files: 1\n") != NULL && count_entries(0) == 1,
	    "the 3 MB report is an envelope file, the others chunks");
	ok(export_to("b1", 0, &rs, out, sizeof(out)) == 0 && rs.n == 3 &&
	    has(&rs, &f[0]) && has(&rs, &f[1]) && has(&rs, &f[2]),
	    "export: 3 reports, byte-identical");
	snprintf(want, sizeof(want), "exported 3 reports to %s/b1\n", tmp);
	ok(strcmp(out, want) == 0, "export prints the count and the path");
	ok(export_to("b2", 0, &rs, out, sizeof(out)) == 0 && rs.n == 0,
	    "a second export finds nothing new");
	ok(export_to("b1", 0, &rs, out, sizeof(out)) != 0, "export never "
	    "overwrites a file");
	snprintf(path, sizeof(path), "%s/b1", tmp);
	ok(access(path, F_OK) == 0, "and leaves that file alone");
	ok(export_to("b3", 1, &rs, out, sizeof(out)) == 0 && rs.n == 3 &&
	    has(&rs, &f[2]), "export --all takes them again");
	captured(do_stats, NULL, 0, 0, out, sizeof(out));
	ok(strncmp(out, "reports: 3\nunexported: 0\n", 25) == 0,
	    "stats after export");

	s = storethread_open(dbdir, UINT64_C(1) << 30, base, &secrets);
	ok(status_of(s, f[1].receipt) == STORE_STATUS_EXPORTED,
	    "status: exported");
	storethread_close(s);
	captured(do_purge, NULL, 0, 1, out, sizeof(out));
	ok(strcmp(out, "purged 0 reports\n") == 0,
	    "purge 1 keeps reports exported today");
	captured(do_purge, NULL, 0, 0, out, sizeof(out));
	ok(strcmp(out, "purged 3 reports\n") == 0,
	    "purge 0 removes every exported report");
	captured(do_stats, NULL, 0, 0, out, sizeof(out));
	ok(strncmp(out, "reports: 0\nunexported: 0\nbytes: 0\npurged: 3\n",
	    43) == 0, "stats after purge");
	s = storethread_open(dbdir, UINT64_C(1) << 30, base, &secrets);
	ok(status_of(s, f[2].receipt) == STORE_STATUS_PURGED,
	    "status: purged");
	storethread_close(s);
	size_t all, orphans;
	count_chunks(&all, &orphans);
	ok(all == 0, "purge deletes the chunks too");
	ok(count_entries(0) == 0, "and the envelope files");
}

static double
clock_seconds(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
now(void)
{

	return clock_seconds(CLOCK_MONOTONIC);
}

#define NCONC 64

static void
test_grouping(void)
{
	static struct feeder f[NCONC];
	struct store *s;
	uint64_t t0, t1;
	double start, lat = 0;
	int all_ok = 1;

	use_dir("group");
	storethread_close(storethread_open(dbdir, UINT64_C(1) << 30, base, &secrets));
	t0 = transactions();
	s = storethread_open(dbdir, UINT64_C(1) << 30, base, &secrets);
	start = now();
	for (int i = 0; i < NCONC; i++)
		feeder_start(&f[i], s, 4096);
	for (int i = 0; i < NCONC; i++) {
		run_until(&f[i].done);
		all_ok &= f[i].result == STORE_OK;
	}
	printf("# %d concurrent commits took %.1f ms\n", NCONC,
	    (now() - start) * 1e3);
	for (int i = 0; i < 20; i++) {
		start = now();
		upload(&f[i], s, 4096);
		lat += now() - start;
	}
	printf("# one commit alone: %.2f ms on average\n", lat / 20 * 1e3);
	storethread_close(s);
	t1 = transactions();
	ok(all_ok, "%d concurrent uploads: all STORE_OK", NCONC);
	printf("# %d concurrent commits + 20 single ones: "
	    "%llu write transactions\n", NCONC, (unsigned long long)(t1 - t0));
	ok(t1 - t0 <= 20 + 8, "%d concurrent commits share a few "
	    "transactions (%llu for all)", NCONC,
	    (unsigned long long)(t1 - t0 - 20));
}

static void
test_big(void)
{
	struct feeder f;
	struct records rs;
	struct store *s;
	char out[256];
	long before;

	use_dir("big");
	s = storethread_open(dbdir, UINT64_C(1) << 30, base, &secrets);
	before = rss_anon_kb();
	ok(upload(&f, s, 50 << 20) == STORE_OK, "a 50 MB upload commits");
	storethread_close(s);
	ok(count_entries(0) == 1, "as an envelope file");
	ok(f.max_queued <= QUEUE_LIMIT + WRITE_SIZE,
	    "queued never above the limit + one write (max %zu)", f.max_queued);
	printf("# anonymous RSS %ld kB before, at most %ld kB during\n", before,
	    f.max_anon);
	ok(UNDER_ASAN || f.max_anon - before < 16 * 1024, "anonymous memory "
	    "grew by less than 16 MiB (%ld kB%s)", f.max_anon - before,
	    UNDER_ASAN ? ", not checked under ASan" : "");
	ok(export_to("big.bundle", 0, &rs, out, sizeof(out)) == 0 &&
	    rs.n == 1 && has(&rs, &f), "exported bytes match by hash");
}

static void
set_flag(void *ctx)
{

	*(int *)ctx = 1;
}

/* Start an upload of 2 MB and wait until all of it is written. */
static struct store_upload *
upload_pending(struct store *s)
{
	struct store_upload *u;
	uint8_t id[ENVELOPE_ID_BYTES], buf[WRITE_SIZE] = { 0 };
	int drained;

	randombytes_buf(id, sizeof(id));
	u = store_upload_begin(s, id);
	for (int i = 0; i < 32; i++)
		store_upload_write(u, buf, sizeof(buf));
	while (store_upload_queued(u) > 0) {
		drained = 0;
		store_upload_on_drain(u, set_flag, &drained);
		run_until(&drained);
	}
	return u;
}

/* In a child: commit one report, write 2 MB of another, then wait. */
static void
crash_child(int fd)
{
	struct feeder f;
	struct store *s;

	base = event_base_new();
	s = storethread_open(dbdir, UINT64_C(1) << 30, base, &secrets);
	upload(&f, s, 5000);
	upload_pending(s);
	if (write(fd, "x", 1) == 1)
		pause();
	_exit(1);
}

/* The server secret: made once per store, handed over at every open. */
static void
test_secrets(void)
{
	static const struct store_secrets zero;
	struct store_secrets first, other;

	use_dir("secrets");
	storethread_close(storethread_open(dbdir, UINT64_C(1) << 30, base, &secrets));
	first = secrets;
	ok(memcmp(&first, &zero, sizeof(zero)) != 0,
	    "store_open hands over the new store's secret");
	storethread_close(storethread_open(dbdir, UINT64_C(1) << 30, base, &secrets));
	ok(memcmp(&first, &secrets, sizeof(first)) == 0,
	    "and the same one when it opens the store again");
	use_dir("secrets2");
	storethread_close(storethread_open(dbdir, UINT64_C(1) << 30, base, &other));
	ok(memcmp(&first, &other, sizeof(first)) != 0,
	    "another store has another secret");
}

/*
 * The loop side's own account of an upload's bytes: all held here until
 * there are enough (or a drain is asked for), then sent and counted down
 * as the writer answers; a drain asked for with nothing queued still
 * comes, from the loop.
 */
static void
test_accounting(void)
{
	uint8_t id[ENVELOPE_ID_BYTES], buf[50000], receipt[32] = { 1 };
	struct feeder f = { 0 };
	struct store_upload *u;
	struct store *s;
	int drained = 0;

	use_dir("accounting");
	s = storethread_open(dbdir, UINT64_C(1) << 30, base, &secrets);
	randombytes_buf(id, sizeof(id));
	randombytes_buf(buf, sizeof(buf));
	u = store_upload_begin(s, id);
	store_upload_write(u, buf, sizeof(buf));
	store_upload_write(u, buf, sizeof(buf));
	ok(store_upload_queued(u) == 2 * sizeof(buf),
	    "100 KB written: all queued, held by the loop side");
	store_upload_on_drain(u, set_flag, &drained);
	ok(!drained, "a drain is never called from store_upload_on_drain");
	run_until(&drained);
	ok(store_upload_queued(u) == 0, "the writer answered for all of it");
	drained = 0;
	store_upload_on_drain(u, set_flag, &drained);
	ok(!drained, "a drain with nothing queued: not at once either");
	run_until(&drained);
	ok(drained, "but from the loop, once the writer answers");
	store_upload_commit(u, receipt, on_commit, &f);
	run_until(&f.done);
	is_int(f.result, STORE_OK, "the upload commits");
	ok(count_entries(0) == 1, "its bytes went ahead of its commit: a file");
	storethread_close(s);
}

/* The messages the writer answered, in order. */
#define ANSWERS_MAX 32

struct answers {
	struct storeq_msg *m[ANSWERS_MAX];
	size_t n;
};

static void
on_answer(void *arg, struct storeq_msg *m)
{
	struct answers *a = arg;

	if (a->n < ANSWERS_MAX)
		a->m[a->n++] = m;
}

/* m: a message of type about upload id, carrying len bytes. */
static struct storeq_msg *
message(struct storeq_msg *m, enum storeq_type type, const uint8_t *id,
    size_t len, uint64_t total)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
	memcpy(m->id, id, ENVELOPE_ID_BYTES);
	m->len = len;
	m->total = total;
	if (len > 0 && (m->bytes = malloc(sizeof(*m->bytes) + len)) != NULL) {
		m->bytes->next = NULL;
		m->bytes->len = len;
		randombytes_buf(m->bytes->data, len);
	}
	return m;
}

/* Send m and wait for the writer's answers to come to n in all. */
static void
exchange(struct storeq *q, struct storeq_msg *m, struct answers *a, size_t n)
{
	storeq_send(q, m);
	while (a->n < n)
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NO_EXIT_ON_EMPTY);
}

/* Send a lookup of receipt; the number of reports it leads to, or -1. */
static int
lookup_msg(struct storeq *q, struct answers *a, const uint8_t *receipt)
{
	struct storeq_msg m = { .type = STOREQ_LOOKUP };
	int n;

	memcpy(m.key, receipt, sizeof(m.key));
	m.found = calloc(1, sizeof(*m.found));
	exchange(q, &m, a, a->n + 1);
	n = m.result == STORE_OK ? (int)m.found->n : -1;
	store_case_free(m.found);
	return n;
}

/* A hash of id's envelope file, or zeros if it cannot be read. */
static void
file_hash(const uint8_t id[ENVELOPE_ID_BYTES], uint8_t hash[32])
{
	crypto_generichash_state st;
	char path[4096];
	uint8_t buf[65536];
	size_t n;
	FILE *f;

	memset(hash, 0, 32);
	file_of(path, sizeof(path), id);
	if ((f = fopen(path, "rb")) == NULL)
		return;
	crypto_generichash_init(&st, NULL, 0, 32);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		crypto_generichash_update(&st, buf, n);
	fclose(f);
	crypto_generichash_final(&st, hash, 32);
}

/*
 * An id whose envelope file is there with no report (put there by the
 * test): an upload naming it is refused once it would make the file, and
 * its failure leaves the file as it was.
 */
static void
orphan_file(struct storeq *q, struct answers *a)
{
	uint8_t id[ENVELOPE_ID_BYTES], before[32], after[32];
	struct storeq_msg m[2];
	char path[4096];
	size_t n = a->n;
	FILE *f;

	randombytes_buf(id, sizeof(id));
	file_of(path, sizeof(path), id);
	ok((f = fopen(path, "wbx")) != NULL && fputs("not its", f) >= 0 &&
	    fclose(f) == 0, "a file with no report, made beside the store");
	file_hash(id, before);
	a->n = 0;
	exchange(q, message(&m[0], STOREQ_DATA, id, 300000, 0), a, 1);
	exchange(q, message(&m[1], STOREQ_ABORT, id, 0, 0), a, 2);
	is_int(m[0].result, STORE_ERROR, "DATA for that id: refused");
	file_hash(id, after);
	ok(memcmp(before, after, 32) == 0 && !sodium_is_zero(after, 32),
	    "... and the file is there, unchanged, after its abort");
	unlink(path);
	a->n += n;
}

/*
 * A network process gone wrong names the id of a stored report (in an
 * envelope file): its bytes are refused, its abort and its commit touch
 * nothing, and the report and its receipt stay as they were.
 */
static void
taken_ids(struct storeq *q, struct answers *a, const uint8_t *id,
    const uint8_t *receipt)
{
	struct storeq_msg m[3];
	uint8_t before[32], after[32];
	size_t n = a->n;

	a->n = 0;
	file_hash(id, before);
	exchange(q, message(&m[0], STOREQ_DATA, id, 300000, 0), a, 1);
	is_int(m[0].result, STORE_ERROR, "DATA for a stored report's id: "
	    "refused");
	exchange(q, message(&m[1], STOREQ_ABORT, id, 0, 0), a, 2);
	message(&m[2], STOREQ_COMMIT, id, 1000, 1000);
	memcpy(m[2].key, receipt, 32);
	exchange(q, &m[2], a, 3);
	is_int(m[2].result, STORE_ERROR, "... so is a COMMIT of it");
	file_hash(id, after);
	ok(memcmp(before, after, 32) == 0 && count_entries(0) == 1 &&
	    !sodium_is_zero(after, 32), "... and its abort took nothing: the "
	    "report's file is there, unchanged");
	is_int(lookup_msg(q, a, receipt), 1, "... and its receipt still "
	    "leads to it");
	a->n += n;
	orphan_file(q, a);
}

/*
 * The writer alone, over its channel: what a later store process will
 * take from the network process. Every message comes back answered, an
 * upload's in the order sent; a commit whose bytes do not add up to its
 * total is refused, as is one the loop side had failed already.
 */
static void
test_messages(void)
{
	uint8_t id[4][ENVELOPE_ID_BYTES], receipt[2][32];
	struct storeq_msg m[8];
	struct answers a = { 0 };
	struct storeq *q = NULL;
	int fd;

	use_dir("messages");
	randombytes_buf(id, sizeof(id));
	randombytes_buf(receipt, sizeof(receipt));
	fd = storethread_writer(dbdir, UINT64_C(1) << 30, &secrets);
	ok(fd >= 0 && storeq_connect(fd, &secrets) == 0 &&
	    (q = storeq_new(base, fd, on_answer, &a)) != NULL,
	    "a writer serves its channel");
	exchange(q, message(&m[0], STOREQ_DATA, id[0], 300000, 0), &a, 1);
	ok(a.m[0] == &m[0] && m[0].result == STORE_OK && m[0].bytes == NULL,
	    "DATA is answered STORE_OK, its bytes taken");
	message(&m[1], STOREQ_COMMIT, id[0], 1000, 301000);
	memcpy(m[1].key, receipt[0], 32);
	exchange(q, &m[1], &a, 2);
	ok(m[1].result == STORE_OK && count_entries(0) == 1,
	    "then its COMMIT: stored, in an envelope file");
	message(&m[2], STOREQ_COMMIT, id[1], 1000, 2000);
	memcpy(m[2].key, receipt[1], 32);
	exchange(q, &m[2], &a, 3);
	is_int(m[2].result, STORE_ERROR, "a COMMIT short of its total: refused");
	storeq_send(q, message(&m[3], STOREQ_DATA, id[2], 0, 0));
	exchange(q, message(&m[4], STOREQ_ABORT, id[2], 0, 0), &a, 5);
	ok(a.m[3] == &m[3] && a.m[4] == &m[4] && m[3].result == STORE_OK &&
	    m[4].result == STORE_OK, "an empty DATA, then ABORT: both "
	    "answered, in order");
	message(&m[5], STOREQ_COMMIT, id[3], 500, 500);
	m[5].failed = STORE_ERROR;
	m[5].err = ENOMEM;
	exchange(q, &m[5], &a, 6);
	is_int(m[5].result, STORE_ERROR, "a COMMIT the loop side failed: "
	    "refused");
	message(&m[6], STOREQ_COMMIT, id[3], 0, 70000);
	randombytes_buf(m[6].id, sizeof(m[6].id));
	m[6].failed = STORE_FULL;
	exchange(q, &m[6], &a, 7);
	is_int(m[6].result, STORE_FULL, "the first failure is the answer "
	    "(full, though its bytes are missing too)");
	is_int(lookup_msg(q, &a, receipt[0]), 1, "LOOKUP finds the report");
	is_int(lookup_msg(q, &a, receipt[1]), 0, "and not the refused one");
	taken_ids(q, &a, id[0], receipt[0]);
	memset(&m[7], 0, sizeof(m[7]));
	m[7].type = STOREQ_COUNTS;
	exchange(q, &m[7], &a, a.n + 1);
	is_int(m[7].result, STORE_ERROR, "a COUNTS request (only the store's "
	    "timer counts) ends the channel");
	is_int(lookup_msg(q, &a, receipt[0]), -1, "... and nothing is "
	    "answered after it");
	storeq_free(q);
	storethread_join();
}

static void
test_crash(void)
{
	int p[2];
	pid_t pid;
	char c;
	size_t all, orphans;

	use_dir("crash");
	if (pipe(p) != 0)
		return;
	fflush(stdout);
	if ((pid = fork()) == 0)
		crash_child(p[1]);
	ok(read(p[0], &c, 1) == 1, "the child wrote a pending upload");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(p[0]);
	close(p[1]);
	ok(count_entries(0) == 1, "a killed upload left its envelope file");
	storethread_close(storethread_open(dbdir, UINT64_C(1) << 30, base, &secrets));
	count_chunks(&all, &orphans);
	ok(count_entries(0) == 0 && orphans == 0 && all == 1, "after restart: "
	    "the file is gone, the committed report intact (%zu chunks)", all);
}

static void
test_abort(void)
{
	struct feeder f;
	struct store *s;
	size_t all, orphans;

	use_dir("abort");
	s = storethread_open(dbdir, UINT64_C(1) << 30, base, &secrets);
	store_upload_abort(upload_pending(s));
	ok(upload(&f, s, 3000) == STORE_OK, "a report commits after an abort");
	storethread_close(s);
	count_chunks(&all, &orphans);
	ok(orphans == 0 && all == 1 && count_entries(0) == 0,
	    "an aborted upload leaves nothing");
}

/* Send stderr (the daemon's log) to a file of tmp's; return the old one. */
static int
log_to(const char *name)
{
	char path[192];
	int fd, old;

	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	fflush(stderr);
	old = dup(2);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >= 0) {
		dup2(fd, 2);
		close(fd);
	}
	return old;
}

/* Put stderr back; read what was logged into buf. */
static void
log_back(int old, const char *name, char *buf, size_t len)
{
	char path[192];
	FILE *f;
	size_t n = 0;

	fflush(stderr);
	dup2(old, 2);
	close(old);
	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	if ((f = fopen(path, "r")) != NULL) {
		n = fread(buf, 1, len - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
}

static void
test_full(void)
{
	struct feeder small1, big, small2, big2;
	struct records rs;
	struct store *s;
	char out[256], logged[512];
	size_t all, orphans;
	enum store_result r;
	int old;

	use_dir("full");
	s = storethread_open(dbdir, 1 << 20, base, &secrets);
	ok(upload(&small1, s, 10000) == STORE_OK, "1 MiB store: small report");
	old = log_to("full.log");
	r = upload(&big, s, 2 << 20);
	log_back(old, "full.log", logged, sizeof(logged));
	ok(r == STORE_FULL, "1 MiB store: a 2 MB report is STORE_FULL");
	ok(logged[0] == '\0', "and nothing is logged when it is refused "
	    "(the journal would date it)");
	ok(upload(&small2, s, 10000) == STORE_OK,
	    "a small report right after still commits");
	old = log_to("full.log");
	storethread_close(s);
	log_back(old, "full.log", logged, sizeof(logged));
	ok(strstr(logged, "store: 1 report refused in the last hour (1 for "
	    "want of room)") != NULL, "the count is logged later (at the hour, "
	    "or at stop)");
	count_chunks(&all, &orphans);
	ok(orphans == 0 && count_entries(0) == 0,
	    "the refused report left no chunks and no file");
	ok(export_to("full.bundle", 0, &rs, out, sizeof(out)) == 0 &&
	    rs.n == 2 && has(&rs, &small1) && has(&rs, &small2),
	    "the committed reports export intact");
	s = storethread_open(dbdir, 64 << 20, base, &secrets);
	ok(upload(&big2, s, 2 << 20) == STORE_OK,
	    "with a larger max_store_size the 2 MB report commits");
	storethread_close(s);
}

/* Make a file at path with len bytes of junk. */
static void
make_file(const char *path, size_t len)
{
	static const char junk[65536];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	size_t n;

	for (; fd >= 0 && len > 0; len -= n) {
		n = len < sizeof(junk) ? len : sizeof(junk);
		if (write(fd, junk, n) != (ssize_t)n)
			break;
	}
	if (fd >= 0)
		close(fd);
}

/* Export and purge from another process; return its exit status. */
static int
export_purge_child(const char *name)
{
	char out[256], path[192];
	pid_t pid;
	int st = -1;

	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	fflush(stdout);
	if ((pid = fork()) == 0)
		_exit(captured(do_export, path, 0, 0, out, sizeof(out)) != 0 ||
		    captured(do_purge, NULL, 0, 0, out, sizeof(out)) != 0);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Envelope files count in max_store_size; a purge elsewhere makes room. */
static void
test_files(void)
{
	struct feeder f[4];
	struct records rs;
	struct store *s;
	uint8_t stray_id[ENVELOPE_ID_BYTES];
	char stray[192], other[192], out[256];

	use_dir("files");
	s = storethread_open(dbdir, 8 << 20, base, &secrets);
	ok(upload(&f[0], s, 3 << 20) == STORE_OK &&
	    upload(&f[1], s, 3 << 20) == STORE_OK,
	    "8 MiB store: two 3 MB reports");
	ok(upload(&f[2], s, 3 << 20) == STORE_FULL, "a third is STORE_FULL");
	ok(count_entries(1) == ENVFILE_SPARES - 2, "and gave its file back to "
	    "the spares: the spares left count the committed reports only");
	ok(export_purge_child("files1.bundle") == 0,
	    "another process exports and purges while the server runs");
	ok(count_entries(0) == 0, "the purge removed the files");
	ok(upload(&f[3], s, 3 << 20) == STORE_OK,
	    "the server finds the room again: a 3 MB report commits");
	storethread_close(s);

	randombytes_buf(stray_id, sizeof(stray_id));
	file_of(stray, sizeof(stray), stray_id);
	make_file(stray, 1000);
	snprintf(other, sizeof(other), "%s/envelopes/notes.txt", dbdir);
	make_file(other, 10);
	storethread_close(storethread_open(dbdir, 8 << 20, base, &secrets));
	ok(access(stray, F_OK) != 0 && access(other, F_OK) == 0 &&
	    count_entries(0) == 1, "restart removes a file without a report, "
	    "keeps the report's, leaves other names alone");

	file_of(stray, sizeof(stray), f[3].id);
	if (truncate(stray, 1 << 20) != 0)
		printf("# cannot truncate %s\n", stray);
	ok(export_to("files2.bundle", 0, &rs, out, sizeof(out)) != 0,
	    "export refuses an envelope file of the wrong size");
	if (truncate(stray, 3 << 20) != 0)
		printf("# cannot truncate %s\n", stray);
	ok(export_to("files3.bundle", 0, &rs, out, sizeof(out)) == 0 &&
	    rs.n == 1 && !has(&rs, &f[3]), "and marks nothing: the next "
	    "export takes the report (its bytes now zeros)");

	/* Export may run as root on what a compromised server wrote. */
	snprintf(other, sizeof(other), "%s/elsewhere", tmp);
	make_file(other, 3 << 20);
	unlink(stray);
	ok(symlink(other, stray) == 0 &&
	    export_to("files4.bundle", 1, &rs, out, sizeof(out)) != 0,
	    "export refuses a link in place of an envelope file, even to a "
	    "file of the right size");
}

static double
seconds(struct statx_timestamp t)
{

	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* An envelope file's times say its day, nothing finer (envfile.h). */
static void
test_times(void)
{
	struct feeder a, b;
	struct statx sa, sb;
	struct store *s;
	char pa[192], pb[192];
	double opened, before_b;
	time_t day = time(NULL) / 86400 * 86400;

	use_dir("times");
	s = storethread_open(dbdir, UINT64_C(1) << 30, base, &secrets);
	opened = clock_seconds(CLOCK_REALTIME);
	ok(count_entries(1) == ENVFILE_SPARES, "store_open makes %d spare files",
	    ENVFILE_SPARES);
	upload(&a, s, 3 << 20);
	before_b = clock_seconds(CLOCK_REALTIME);
	upload(&b, s, 3 << 20);
	storethread_close(s);
	file_of(pa, sizeof(pa), a.id);
	file_of(pb, sizeof(pb), b.id);
	ok(statx(AT_FDCWD, pa, AT_SYMLINK_NOFOLLOW, STATX_ALL, &sa) == 0 &&
	    statx(AT_FDCWD, pb, AT_SYMLINK_NOFOLLOW, STATX_ALL, &sb) == 0,
	    "two reports in files");
	ok(sa.stx_mtime.tv_sec == day && sa.stx_atime.tv_sec == day &&
	    sb.stx_mtime.tv_sec == day, "their mtime and atime: the start of "
	    "the day (UTC)");
	ok(count_entries(1) == ENVFILE_SPARES - 2, "they took two spares");
	if (sb.stx_mask & STATX_BTIME)
		ok(seconds(sb.stx_btime) <= opened, "a file's birth time is "
		    "before its upload (%.3f s before)",
		    opened - seconds(sb.stx_btime));
	else
		ok(1, "# skip: no birth time on this file system");
	ok(seconds(sa.stx_ctime) >= before_b, "the first file's ctime is "
	    "the second's commit, not its own");
	storethread_close(storethread_open(dbdir, UINT64_C(1) << 30, base, &secrets));
	ok(count_entries(1) == ENVFILE_SPARES, "a start makes the spares taken");
}

/* Whether path's mtime and atime are day (UTC seconds). */
static int
times_are(const char *path, time_t day)
{
	struct stat st;

	return stat(path, &st) == 0 && st.st_mtime == day && st.st_atime == day;
}

/* The envelopes directory says the day, no more (envfile.h). */
static void
test_dir_times(void)
{
	struct feeder a, b;
	struct store *s;
	char dir[192];
	time_t day = time(NULL) / 86400 * 86400;

	use_dir("dirtimes");
	snprintf(dir, sizeof(dir), "%s/envelopes", dbdir);
	s = storethread_open(dbdir, UINT64_C(1) << 30, base, &secrets);
	upload(&a, s, 3 << 20);
	ok(times_are(dir, day), "after a large upload, envelopes/'s mtime and "
	    "atime are the start of the day (UTC)");
	ok(count_entries(1) == ENVFILE_SPARES - 1, "it took a spare");
	store_upload_abort(upload_pending(s));
	upload(&b, s, 1000);	/* once it commits, the abort is done */
	ok(times_are(dir, day), "after an aborted large upload too");
	ok(count_entries(1) == ENVFILE_SPARES - 1 && count_entries(0) == 1,
	    "the aborted upload gave its file back to the spares");
	storethread_close(s);
}

/*
 * Set the store's format version to v with LMDB alone (storedb would
 * upgrade or refuse it); for v = 2, drop the databases format 3 added, as
 * a store made by the version before has none.
 */
static int
set_version(uint32_t v)
{
	uint8_t buf[4];
	MDB_val k = { 7, "version" }, val = { sizeof(buf), buf };
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi meta, dbi;
	int rc;

	encode_be32(buf, v);
	if ((rc = mdb_env_create(&env)) != 0)
		return rc;
	if ((rc = mdb_env_set_maxdbs(env, 8)) == 0 &&
	    (rc = mdb_env_open(env, dbdir, 0, 0600)) == 0 &&
	    (rc = mdb_txn_begin(env, NULL, 0, &txn)) == 0) {
		if ((rc = mdb_dbi_open(txn, "meta", 0, &meta)) == 0)
			rc = mdb_put(txn, meta, &k, &val, 0);
		for (int i = 0; i < 2 && rc == 0 && v == 2; i++)
			if ((rc = mdb_dbi_open(txn, i ? "followups" : "outcomes",
			    0, &dbi)) == 0)
				rc = mdb_drop(txn, dbi, 1);
		rc = rc == 0 ? mdb_txn_commit(txn) : (mdb_txn_abort(txn), rc);
	}
	mdb_env_close(env);
	return rc;
}

/* Whether the database name exists in dbdir's store (LMDB alone). */
static int
has_db(const char *name)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	int rc = -1;

	if (mdb_env_create(&env) != 0)
		return -1;
	if (mdb_env_set_maxdbs(env, 8) == 0 &&
	    mdb_env_open(env, dbdir, MDB_RDONLY, 0600) == 0 &&
	    mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) == 0) {
		rc = mdb_dbi_open(txn, name, 0, &dbi) == 0;
		mdb_txn_abort(txn);
	}
	mdb_env_close(env);
	return rc;
}

/* How many times needle is in haystack. */
static int
occurrences(const char *haystack, const char *needle)
{
	int n = 0;

	for (const char *p = haystack; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* A store of format 1 (or a later one) is refused, not misread. */
static void
test_format(void)
{
	char logged[1024];
	int old;

	use_dir("format");
	storethread_close(storethread_open(dbdir, UINT64_C(1) << 30, base, &secrets));
	set_version(1);
	old = log_to("format.log");
	ok(storethread_open(dbdir, UINT64_C(1) << 30, base, &secrets) == NULL,
	    "a store of format 1 is refused");
	log_back(old, "format.log", logged, sizeof(logged));
	ok(strstr(logged, "made by another version of oniondropd (this one "
	    "reads store format 3 and upgrades 2)") != NULL,
	    "with the reason and what to do");
	set_version(4);
	ok(storethread_open(dbdir, UINT64_C(1) << 30, base, &secrets) == NULL,
	    "a store of format 4 is refused");
}

/* A store of format 2 is upgraded on open, by the server or a command. */
static void
test_upgrade(void)
{
	const char *line = "upgraded from format 2 to 3";
	struct feeder f, fu;
	struct store_case *c;
	struct store *s;
	char logged[1024], out[512];
	int old;

	use_dir("upgrade");
	s = storethread_open(dbdir, UINT64_C(1) << 30, base, &secrets);
	upload(&f, s, 4000);
	storethread_close(s);
	ok(set_version(2) == 0 && has_db("outcomes") == 0 &&
	    has_db("followups") == 0 && has_db("reports") == 1,
	    "made a store of format 2 (no outcomes, no followups)");
	old = log_to("upgrade.log");
	s = storethread_open(dbdir, UINT64_C(1) << 30, base, &secrets);
	log_back(old, "upgrade.log", logged, sizeof(logged));
	ok(s != NULL && occurrences(logged, line) == 1,
	    "the server opens it, upgrading it (logged once)");
	c = case_of(s, f.receipt);
	ok(c != NULL && c->n == 1 && c->e[0].status == STORE_STATUS_WAITING,
	    "the report of format 2 is found by its receipt");
	store_case_free(c);
	feeder_begin(&fu, s, 2000, f.id);
	run_until(&fu.done);
	ok(fu.result == STORE_OK, "and takes a follow-up");
	old = log_to("upgrade.log");
	storethread_close(s);
	s = storethread_open(dbdir, UINT64_C(1) << 30, base, &secrets);
	storethread_close(s);
	log_back(old, "upgrade.log", logged, sizeof(logged));
	ok(occurrences(logged, line) == 0 && has_db("outcomes") == 1 &&
	    has_db("followups") == 1, "once upgraded, it is format 3: no "
	    "second upgrade");

	set_version(2);
	old = log_to("upgrade.log");
	ok(captured(do_stats, NULL, 0, 0, out, sizeof(out)) == 0 &&
	    strncmp(out, "reports: 2\n", 11) == 0, "stats on a store of "
	    "format 2 works");
	captured(do_stats, NULL, 0, 0, out, sizeof(out));
	log_back(old, "upgrade.log", logged, sizeof(logged));
	ok(occurrences(logged, line) == 1 && has_db("outcomes") == 1,
	    "an admin command upgrades it too, once");
}

struct outcome_put {
	struct storedb *db;
	const uint8_t *id;
	struct storedb_outcome o;
};

static int
outcome_txn(MDB_txn *txn, void *ctx)
{
	struct outcome_put *p = ctx;

	return storedb_outcome_put(p->db, txn, p->id, &p->o);
}

/* Give report id an outcome, as import-outcomes does (server stopped). */
static int
set_outcome(const uint8_t *id, enum outcome_status st, uint32_t day,
    const uint8_t *msg, size_t len)
{
	struct storedb db;
	struct datadir d;
	struct outcome_put p = { &db, id, { st, day, msg, len } };
	int rc;

	if (open_db(&db, &d) != 0)
		return -1;
	rc = storedb_write(&db, UINT64_C(1) << 30, outcome_txn, &p);
	close_db(&db, &d);
	return rc;
}

/* Upload a follow-up of first and wait for its commit. */
static enum store_result
follow_up(struct feeder *f, struct store *s, const uint8_t *first)
{

	feeder_begin(f, s, 1500, first);
	run_until(&f->done);
	return f->result;
}

/* Whether c's entry i is report id, with status st and outcome out. */
static int
entry_is(const struct store_case *c, size_t i, const uint8_t *id,
    enum store_status st, unsigned out)
{

	return c != NULL && i < c->n && memcmp(c->e[i].id, id,
	    ENVELOPE_ID_BYTES) == 0 && c->e[i].status == st &&
	    c->e[i].outcome == out;
}

/* store_lookup: the report, its follow-ups in order, their outcomes. */
static void
test_lookup(void)
{
	struct feeder f, fu[2], late;
	struct records rs;
	struct store_case *c;
	struct store *s;
	uint8_t unknown[STORE_RECEIPT_HASH_BYTES], msg[200];
	uint32_t today = storedb_today();
	char out[256];

	use_dir("lookup");
	s = storethread_open(dbdir, UINT64_C(1) << 30, base, &secrets);
	upload(&f, s, 5000);
	randombytes_buf(unknown, sizeof(unknown));
	c = case_of(s, unknown);
	ok(c != NULL && c->n == 0, "lookup: an unknown receipt finds nothing");
	store_case_free(c);
	c = case_of(s, f.receipt);
	ok(entry_is(c, 0, f.id, STORE_STATUS_WAITING, 0) && c->n == 1 &&
	    c->e[0].received_day == today && c->e[0].message == NULL,
	    "lookup: a new report, received today, no outcome");
	store_case_free(c);
	ok(follow_up(&fu[0], s, f.id) == STORE_OK &&
	    follow_up(&fu[1], s, f.id) == STORE_OK, "two follow-ups commit");
	c = case_of(s, f.receipt);
	ok(c != NULL && c->n == 3 &&
	    entry_is(c, 1, fu[0].id, STORE_STATUS_WAITING, 0) &&
	    entry_is(c, 2, fu[1].id, STORE_STATUS_WAITING, 0),
	    "lookup lists them after the report, in the order they came");
	store_case_free(c);
	c = case_of(s, fu[0].receipt);
	ok(c != NULL && c->n == 0, "a follow-up has no receipt of its own");
	store_case_free(c);
	storethread_close(s);

	randombytes_buf(msg, sizeof(msg));
	set_outcome(f.id, OUTCOME_NEED_INFORMATION, today - 2, msg, sizeof(msg));
	set_outcome(fu[0].id, OUTCOME_ACTIONED, today, NULL, 0);
	s = storethread_open(dbdir, UINT64_C(1) << 30, base, &secrets);
	c = case_of(s, f.receipt);
	ok(entry_is(c, 0, f.id, STORE_STATUS_WAITING,
	    OUTCOME_NEED_INFORMATION) && c->e[0].outcome_day == today - 2 &&
	    c->e[0].message_len == sizeof(msg) &&
	    memcmp(c->e[0].message, msg, sizeof(msg)) == 0,
	    "lookup: the outcome, its day and its sealed message");
	ok(entry_is(c, 1, fu[0].id, STORE_STATUS_WAITING, OUTCOME_ACTIONED) &&
	    c->e[1].message == NULL && c->e[1].outcome_day == today &&
	    entry_is(c, 2, fu[1].id, STORE_STATUS_WAITING, 0),
	    "each follow-up has its own outcome, or none");
	store_case_free(c);
	storethread_close(s);

	set_outcome(f.id, OUTCOME_NOT_ILLEGAL, today, NULL, 0);
	export_to("lookup.bundle", 0, &rs, out, sizeof(out));
	captured(do_purge, NULL, 0, 0, out, sizeof(out));
	ok(strcmp(out, "purged 3 reports\n") == 0, "exported and purged all");
	captured(do_stats, NULL, 0, 0, out, sizeof(out));
	ok(strstr(out, "\npurged: 3\n") != NULL &&
	    strstr(out, "\noutcomes: 2\nfollow_ups: 2\noutcome_sequence: 0\n")
	    != NULL, "stats counts the purged follow-ups, the outcomes and the "
	    "follow-ups");
	s = storethread_open(dbdir, UINT64_C(1) << 30, base, &secrets);
	c = case_of(s, f.receipt);
	ok(entry_is(c, 0, f.id, STORE_STATUS_PURGED, OUTCOME_NOT_ILLEGAL) &&
	    c->e[0].message == NULL && c->e[0].received_day == 0,
	    "a newer outcome replaced the old one whole");
	ok(c != NULL && c->n == 3 &&
	    entry_is(c, 1, fu[0].id, STORE_STATUS_PURGED, OUTCOME_ACTIONED) &&
	    entry_is(c, 2, fu[1].id, STORE_STATUS_PURGED, 0),
	    "purge left the outcomes and the follow-ups' list");
	store_case_free(c);
	ok(follow_up(&late, s, f.id) == STORE_OK, "a purged report still "
	    "takes a follow-up (its receipt still leads to it)");
	c = case_of(s, f.receipt);
	ok(c != NULL && c->n == 4 &&
	    entry_is(c, 3, late.id, STORE_STATUS_WAITING, 0), "listed last");
	store_case_free(c);
	storethread_close(s);
}

#define RACERS 3

/* At most STORE_FOLLOW_UPS_MAX follow-ups, even when they come at once. */
static void
test_follow_up_cap(void)
{
	static struct feeder fu[STORE_FOLLOW_UPS_MAX + RACERS];
	struct feeder f, extra;
	struct store_case *c;
	struct store *s;
	size_t all, orphans, n_ok = 0, winner = 0, i;
	int all_ok = 1;
	char out[256], want[64];

	use_dir("cap");
	s = storethread_open(dbdir, UINT64_C(1) << 30, base, &secrets);
	upload(&f, s, 1000);
	for (i = 0; i + 1 < STORE_FOLLOW_UPS_MAX; i++)
		all_ok &= follow_up(&fu[i], s, f.id) == STORE_OK;
	ok(all_ok, "%d follow-ups commit", STORE_FOLLOW_UPS_MAX - 1);
	for (i = STORE_FOLLOW_UPS_MAX - 1; i < STORE_FOLLOW_UPS_MAX - 1 +
	    RACERS; i++)
		feeder_begin(&fu[i], s, 1500, f.id);
	for (i = STORE_FOLLOW_UPS_MAX - 1; i < STORE_FOLLOW_UPS_MAX - 1 +
	    RACERS; i++) {
		run_until(&fu[i].done);
		if (fu[i].result == STORE_OK) {
			n_ok++;
			winner = i;
		} else
			all_ok &= fu[i].result == STORE_ERROR;
	}
	ok(n_ok == 1 && all_ok, "%d more at once for the last place: one "
	    "commits, the others are STORE_ERROR", RACERS);
	ok(follow_up(&extra, s, f.id) == STORE_ERROR,
	    "a follow-up past the cap is STORE_ERROR");
	c = case_of(s, f.receipt);
	ok(c != NULL && c->n == 1 + STORE_FOLLOW_UPS_MAX &&
	    entry_is(c, STORE_FOLLOW_UPS_MAX, fu[winner].id,
	    STORE_STATUS_WAITING, 0), "lookup lists the report and its %d "
	    "follow-ups", STORE_FOLLOW_UPS_MAX);
	store_case_free(c);
	storethread_close(s);
	count_chunks(&all, &orphans);
	captured(do_stats, NULL, 0, 0, out, sizeof(out));
	snprintf(want, sizeof(want), "reports: %d\n",
	    1 + STORE_FOLLOW_UPS_MAX);
	ok(orphans == 0 && strncmp(out, want, strlen(want)) == 0,
	    "the refused ones left no report and no chunk");
}

/* ---- import-outcomes ---- */

static char deskpub[192];	/* the desk_key file; "" for none */

static int
do_import(const char *d, const char *path, int x, unsigned y)
{

	return admin_import_outcomes(dbdir, deskpub[0] ? deskpub : NULL, path);
}

/* A desk signing key: sk, and its .pub line in deskpub's file. */
static void
make_desk(uint8_t sk[crypto_sign_SECRETKEYBYTES])
{
	struct keys_public pub;
	char line[KEYS_SIGN_LINE_LEN + 1];
	FILE *f;

	crypto_sign_keypair(pub.pk, sk);
	keys_sign_public_format(line, &pub);
	snprintf(deskpub, sizeof(deskpub), "%s/desk.pub", tmp);
	if ((f = fopen(deskpub, "w")) != NULL) {
		fprintf(f, "%s\n", line);
		fclose(f);
	}
}

/*
 * Sign into tmp/name an outcome file of sequence seq giving status st to
 * each of the n reports ids, with a sealed message (here random bytes,
 * the store never opens one) for the first.
 */
static void
write_outcomes(const char *name, const uint8_t *sk, uint64_t seq,
    const uint8_t *const *ids, size_t n, enum outcome_status st)
{
	struct outcome_writer *w = outcome_writer_new(seq, storedb_today());
	struct outcome_entry e = { .status = st, .day = storedb_today() };
	uint8_t msg[100], *img;
	const char *why;
	char path[192];
	size_t len;
	FILE *f;

	randombytes_buf(msg, sizeof(msg));
	for (size_t i = 0; i < n; i++) {
		memcpy(e.id, ids[i], ENVELOPE_ID_BYTES);
		e.message = i == 0 ? msg : NULL;
		e.message_len = i == 0 ? sizeof(msg) : 0;
		outcome_writer_add(w, &e, &why);
	}
	if (outcome_writer_finish(w, sk, &img, &len) != 0)
		return;
	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	if ((f = fopen(path, "w")) != NULL) {
		fwrite(img, 1, len, f);
		fclose(f);
	}
	free(img);
}

/* Import tmp/name: its exit status, stdout in out, stderr in logged. */
static int
import(const char *name, char *out, size_t outlen, char *logged,
    size_t loglen)
{
	char path[192];
	int old, rc;

	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	old = log_to("import.log");
	rc = captured(do_import, path, 0, 0, out, outlen);
	log_back(old, "import.log", logged, loglen);
	return rc;
}

/* The outcome of the report behind receipt, or of its follow-up i. */
static unsigned
outcome_of(const uint8_t *receipt, size_t i, size_t *message_len)
{
	struct store *s = storethread_open(dbdir, UINT64_C(1) << 30, base, &secrets);
	struct store_case *c = case_of(s, receipt);
	unsigned st = c != NULL && i < c->n ? c->e[i].outcome : 255;

	if (message_len != NULL)
		*message_len = st != 255 ? c->e[i].message_len : 0;
	store_case_free(c);
	storethread_close(s);
	return st;
}

/*
 * import-outcomes: known reports are those the store has or had (a purged
 * one, a follow-up), unknown ones are named and the rest applied; a
 * sequence not newer than the last is refused and changes nothing.
 */
static void
test_import(void)
{
	uint8_t sk[crypto_sign_SECRETKEYBYTES], unknown[ENVELOPE_ID_BYTES];
	char out[256], logged[1024], hex[ENCODE_HEX_LEN(ENVELOPE_ID_BYTES) + 1];
	char want[128];
	struct feeder a, b, fb;
	struct records rs;
	struct store *s;
	size_t mlen = 0;

	use_dir("import");
	s = storethread_open(dbdir, UINT64_C(1) << 30, base, &secrets);
	upload(&a, s, 2000);
	storethread_close(s);
	export_to("import.bundle", 0, &rs, out, sizeof(out));
	captured(do_purge, NULL, 0, 0, out, sizeof(out));
	s = storethread_open(dbdir, UINT64_C(1) << 30, base, &secrets);
	upload(&b, s, 2000);
	follow_up(&fb, s, b.id);
	storethread_close(s);
	ok(strcmp(out, "purged 1 reports\n") == 0 && b.result == STORE_OK &&
	    fb.result == STORE_OK, "a purged report, a report, its follow-up");

	make_desk(sk);
	randombytes_buf(unknown, sizeof(unknown));
	encode_hex(hex, unknown, sizeof(unknown));
	write_outcomes("o5", sk, 5, (const uint8_t *const[]){ a.id, fb.id,
	    unknown }, 3, OUTCOME_ACTIONED);
	ok(import("o5", out, sizeof(out), logged, sizeof(logged)) == 1 &&
	    strcmp(out, "imported: 2\nunknown: 1\n") == 0,
	    "an unknown report: exit 1, the two others imported");
	snprintf(want, sizeof(want), "unknown report: %s\n", hex);
	ok(strstr(logged, want) != NULL && occurrences(logged, "\n") == 1,
	    "and it is named, alone");
	ok(outcome_of(a.receipt, 0, &mlen) == OUTCOME_ACTIONED && mlen == 100,
	    "the purged report has its outcome and message");
	ok(outcome_of(b.receipt, 1, NULL) == OUTCOME_ACTIONED &&
	    outcome_of(b.receipt, 0, NULL) == 0, "the follow-up has its "
	    "outcome, its first report none");

	ok(import("o5", out, sizeof(out), logged, sizeof(logged)) == 1 &&
	    out[0] == '\0' && strstr(logged, "sequence 5 is not newer than 5 "
	    "already imported: a replay or an older file") != NULL,
	    "the same file again is refused, the reason given");
	write_outcomes("o4", sk, 4, (const uint8_t *const[]){ b.id }, 1,
	    OUTCOME_NOT_ILLEGAL);
	ok(import("o4", out, sizeof(out), logged, sizeof(logged)) == 1 &&
	    strstr(logged, "sequence 4 is not newer than 5") != NULL &&
	    outcome_of(b.receipt, 0, NULL) == 0,
	    "an older file is refused and changes nothing");
	write_outcomes("o6", sk, 6, (const uint8_t *const[]){ b.id, fb.id },
	    2, OUTCOME_NEED_INFORMATION);
	ok(import("o6", out, sizeof(out), logged, sizeof(logged)) == 0 &&
	    strcmp(out, "imported: 2\nunknown: 0\n") == 0 &&
	    logged[0] == '\0', "a newer file: exit 0, both imported");
	ok(outcome_of(b.receipt, 0, &mlen) == OUTCOME_NEED_INFORMATION &&
	    mlen == 100 && outcome_of(b.receipt, 1, &mlen) ==
	    OUTCOME_NEED_INFORMATION && mlen == 0,
	    "it replaced the follow-up's outcome whole (no message now)");
	captured(do_stats, NULL, 0, 0, out, sizeof(out));
	ok(strstr(out, "\noutcomes: 3\nfollow_ups: 1\noutcome_sequence: 6\n")
	    != NULL, "stats: 3 outcomes, 1 follow-up, sequence 6");
	deskpub[0] = '\0';
	write_outcomes("o7", sk, 7, (const uint8_t *const[]){ b.id }, 1,
	    OUTCOME_ACTIONED);
	ok(import("o7", out, sizeof(out), logged, sizeof(logged)) == 1 &&
	    strstr(logged, "desk_key is not set") != NULL,
	    "without desk_key, refused, the reason given");
}

#define NEXPORT 40

/* Export from another process while this one commits. */
static void
test_concurrent_export(void)
{
	static struct feeder f[NEXPORT];
	struct records rs1, rs2;
	struct store *s;
	char out[256], path[192];
	int p[2], st = -1, found = 0;
	pid_t pid;
	char c;

	use_dir("concurrent");
	snprintf(path, sizeof(path), "%s/c1.bundle", tmp);
	if (pipe(p) != 0)
		return;
	fflush(stdout);
	if ((pid = fork()) == 0) {
		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			_exit(2);
		_exit(captured(do_export, path, 0, 0, out, sizeof(out)));
	}
	close(p[0]);
	s = storethread_open(dbdir, UINT64_C(1) << 30, base, &secrets);
	for (int i = 0; i < NEXPORT; i++) {
		upload(&f[i], s, 30000);
		if (i == NEXPORT / 2 && write(p[1], "x", 1) != 1)
			break;
	}
	waitpid(pid, &st, 0);
	storethread_close(s);
	close(p[1]);
	rs1.n = 0;
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0 && read_bundle(path, &rs1) == 0,
	    "an export while the server commits succeeds");
	printf("# the concurrent export took %zu of %d reports\n", rs1.n,
	    NEXPORT);
	ok(export_to("c2.bundle", 0, &rs2, out, sizeof(out)) == 0,
	    "a second export after it");
	for (int i = 0; i < NEXPORT; i++)
		found += has(&rs1, &f[i]) + has(&rs2, &f[i]);
	ok(rs1.n > NEXPORT / 2 && rs1.n + rs2.n == NEXPORT && found == NEXPORT,
	    "every report is in exactly one of the two bundles");
}

static void
rm_tree(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmp);
}

int
main(void)
{

	signal(SIGPIPE, SIG_IGN);
	if (sodium_init() < 0 || (base = event_base_new()) == NULL)
		return 1;
	/* TMPDIR: a real disk shows what fsync costs; tmpfs does not. */
	snprintf(tmp, sizeof(tmp), "%s/odstore.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(tmp) == NULL)
		return 1;
	test_round_trip();
	test_grouping();
	test_big();
	test_secrets();
	test_accounting();
	test_messages();
	test_crash();
	test_abort();
	test_full();
	test_files();
	test_times();
	test_dir_times();
	test_format();
	test_upgrade();
	test_lookup();
	test_follow_up_cap();
	test_import();
	test_concurrent_export();
	event_base_free(base);
	rm_tree();
	return tap_done();
}
