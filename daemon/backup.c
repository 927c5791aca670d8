/*
 * backup: see backup.h.
 *
 * Consistency. mdb_env_copyfd2 copies the store from one read transaction
 * of its own; the backup then opens that copy and copies the envelope
 * files its reports name, so the set of files is exactly the copy's. The
 * server never changes or removes a committed report's file; only purge
 * removes one, after its transaction has deleted the report. So a file
 * the copy names is either there, whole, or was purged after the copy's
 * snapshot: the backup then starts again from a new snapshot, which no
 * longer names it (BACKUP_TRIES times; a purge is an admin's act and rare).
 * A file is opened before it is read, and once open a purge's unlink
 * cannot take its bytes away.
 *
 * Restore trusts nothing in the backup: every file the MANIFEST names must
 * be there with its size and hash, the MANIFEST's report count must be
 * the restored store's, and every report kept in a file must have its file
 * in the MANIFEST. Times: a copied envelope file keeps its mtime and atime
 * (the start of its report's day, envfile.h); restore resets the ctimes
 * as the server does after a change.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "admin.h"
#include "backup.h"
#include "datadir.h"
#include "fdio.h"
#include "envfile.h"
#include "log.h"
#include "storedb.h"

#define BACKUP_TRIES 3
#define VANISHED (-2)			/* a named file was purged meanwhile */
#define LOGGED (-3)			/* a failure already logged */
#define MANIFEST "MANIFEST"
#define MANIFEST_MAGIC "oniondrop-backup 1"
#define MANIFEST_MAX (UINT64_C(64) << 20)
#define HASH_BYTES crypto_generichash_BYTES	/* BLAKE2b-256 */
#define COPY_BUF (1 << 20)
#define ID_HEX (ENVELOPE_ID_BYTES * 2)
#define ENV_NAME_MAX (sizeof(ENVFILE_DIR) + ID_HEX + 1)

/* What the MANIFEST says, or what a backup writes into it. */
struct manifest {
	char *text;
	size_t len, cap;
};

/* Append a line to m. */
static int
manifest_add(struct manifest *m, const char *name, uint64_t size,
    const uint8_t hash[HASH_BYTES])
{
	char hex[HASH_BYTES * 2 + 1], line[128 + HASH_BYTES * 2];
	int n;
	char *t;

	sodium_bin2hex(hex, sizeof(hex), hash, HASH_BYTES);
	n = snprintf(line, sizeof(line), "file %s %" PRIu64 " %s\n", name,
	    size, hex);
	if (m->len + (size_t)n + 1 > m->cap) {
		if ((t = realloc(m->text, m->cap * 2 + n + 1)) == NULL)
			return ENOMEM;
		m->text = t;
		m->cap = m->cap * 2 + n + 1;
	}
	memcpy(m->text + m->len, line, (size_t)n + 1);
	m->len += (size_t)n;
	return 0;
}

/*
 * Copy the regular file from (size bytes exactly) to to (-1: only hash),
 * hashing it into hash; fsync to, with from's mtime and atime. Return 0,
 * EBADMSG if the size differs, or an errno value.
 */
static int
copy_fd(int from, int to, uint64_t size, uint8_t hash[HASH_BYTES])
{
	crypto_generichash_state st;
	struct stat sb;
	uint8_t *buf;
	uint64_t done = 0;
	ssize_t r;
	int rc = 0;

	if (fstat(from, &sb) != 0)
		return errno;
	if (!S_ISREG(sb.st_mode))
		return EINVAL;
	if ((uint64_t)sb.st_size != size)
		return EBADMSG;
	if ((buf = malloc(COPY_BUF)) == NULL)
		return ENOMEM;
	crypto_generichash_init(&st, NULL, 0, HASH_BYTES);
	while (rc == 0 && (r = pread(from, buf, COPY_BUF, (off_t)done)) != 0) {
		if (r < 0) {
			rc = errno == EINTR ? 0 : errno;
			continue;
		}
		crypto_generichash_update(&st, buf, (size_t)r);
		if (to >= 0)
			rc = fdio_write_all(to, buf, (size_t)r);
		done += (uint64_t)r;
	}
	free(buf);
	crypto_generichash_final(&st, hash, HASH_BYTES);
	if (rc == 0 && done != size)
		rc = EBADMSG;
	if (rc == 0 && to >= 0 && (futimens(to,
	    (struct timespec[2]){ sb.st_atim, sb.st_mtim }) != 0 ||
	    fsync(to) != 0))
		rc = errno;
	return rc;
}

/* Open name in dir for reading, no link followed, no atime changed. */
static int
open_read(int dir, const char *name)
{
	int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NOATIME);

	if (fd < 0 && errno == EPERM)
		fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	return fd;
}

/* Create name in dir, mode 0600, never replacing or following anything. */
static int
open_new(int dir, const char *name)
{

	return openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
}

/*
 * Remove what a backup or restore writes into dir (data.mdb, lock.mdb,
 * MANIFEST, envelopes/ and its files), leaving dir itself.
 */
static void
remove_written(int dir)
{
	static const char *const names[] = { "data.mdb", "lock.mdb", MANIFEST };
	struct dirent *de;
	DIR *dp;
	int fd;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlinkat(dir, names[i], 0);
	if ((fd = openat(dir, ENVFILE_DIR, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC)) < 0)
		return;
	if ((dp = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(dp)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			unlinkat(fd, de->d_name, 0);
	closedir(dp);
	unlinkat(dir, ENVFILE_DIR, AT_REMOVEDIR);
}

/* ---- backup ---- */

struct backup {
	const struct datadir *d;	/* data_dir */
	const char *out;
	int out_dir;
	int env_dir;			/* data_dir's envelopes/, or -1 */
	int copy_env;			/* out's envelopes/, or -1 */
	struct storedb db;		/* the server's store */
	struct storedb copy;		/* the copy in out */
	struct manifest m;
	uint64_t reports, files;
};

/* Copy data.mdb from one read transaction and add it to the MANIFEST. */
static int
copy_store(struct backup *b)
{
	uint8_t hash[HASH_BYTES];
	struct stat sb;
	int fd, rc;

	if ((fd = open_new(b->out_dir, "data.mdb")) < 0)
		return errno;
	if ((rc = mdb_env_copyfd2(b->db.env, fd, MDB_CP_COMPACT)) == 0 &&
	    (fsync(fd) != 0 || fstat(fd, &sb) != 0))
		rc = errno;
	close(fd);
	if (rc != 0)
		return rc;
	if ((fd = open_read(b->out_dir, "data.mdb")) < 0)
		return errno;
	rc = copy_fd(fd, -1, (uint64_t)sb.st_size, hash);
	close(fd);
	return rc != 0 ? rc :
	    manifest_add(&b->m, "data.mdb", (uint64_t)sb.st_size, hash);
}

/* Copy report id's envelope file (size bytes) into the backup. */
static int
copy_envelope(struct backup *b, const uint8_t *id, uint64_t size)
{
	char name[ID_HEX + 1], path[ENV_NAME_MAX];
	uint8_t hash[HASH_BYTES];
	int from, to, rc;

	sodium_bin2hex(name, sizeof(name), id, ENVELOPE_ID_BYTES);
	if (b->env_dir < 0)
		return VANISHED;
	if ((from = open_read(b->env_dir, name)) < 0)
		return errno == ENOENT ? VANISHED : errno;
	if (datadir_check_fd(b->d, name, from) != 0) {	/* logged */
		close(from);
		return LOGGED;
	}
	if ((to = open_new(b->copy_env, name)) < 0) {
		rc = errno;
		close(from);
		return rc;
	}
	rc = copy_fd(from, to, size, hash);
	close(from);
	close(to);
	snprintf(path, sizeof(path), "%s/%s", ENVFILE_DIR, name);
	return rc != 0 ? rc : manifest_add(&b->m, path, size, hash);
}

/* Copy every envelope file the copy's reports name. */
static int
copy_envelopes(struct backup *b, const struct datadir *od)
{
	struct storedb_report r;
	const uint8_t *id;
	MDB_txn *txn;
	MDB_cursor *c;
	MDB_val k, v;
	MDB_cursor_op op = MDB_FIRST;
	int rc;

	if (storedb_open(&b->copy, od, 0, 0) != 0 ||
	    datadir_subdir(od, ENVFILE_DIR, 1, &b->copy_env) != 0)
		return LOGGED;
	if ((rc = storedb_begin(&b->copy, MDB_RDONLY, &txn)) != 0)
		return rc;
	if ((rc = mdb_cursor_open(txn, b->copy.reports, &c)) == 0) {
		while ((rc = mdb_cursor_get(c, &k, &v, op)) == 0 &&
		    (rc = storedb_report_decode(&k, &v, &id, &r)) == 0) {
			op = MDB_NEXT;
			b->reports++;
			if (r.in_file) {
				if ((rc = copy_envelope(b, id, r.size)) != 0)
					break;
				b->files++;
			}
		}
		mdb_cursor_close(c);
	}
	mdb_txn_abort(txn);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Write the MANIFEST and make the backup durable. */
static int
write_manifest(struct backup *b)
{
	char head[128];
	int fd, rc;

	snprintf(head, sizeof(head), "%s\nstore-format %d\nreports %" PRIu64
	    "\n", MANIFEST_MAGIC, STOREDB_FORMAT, b->reports);
	if (fsync(b->copy_env) != 0 || fsync(b->out_dir) != 0)
		return errno;
	if ((fd = open_new(b->out_dir, MANIFEST)) < 0)
		return errno;
	if ((rc = fdio_write_all(fd, head, strlen(head))) == 0 &&
	    (rc = fdio_write_all(fd, b->m.text, b->m.len)) == 0 &&
	    fsync(fd) != 0)
		rc = errno;
	close(fd);
	if (rc == 0 && fsync(b->out_dir) != 0)
		rc = errno;
	return rc;
}

/* One attempt: VANISHED, 0, or an error (logged). */
static int
backup_once(struct backup *b, const struct datadir *d)
{
	struct datadir od = { .path = b->out, .fd = b->out_dir,
	    .uid = d->uid, .gid = d->gid };
	int rc;

	b->m.len = 0;
	b->reports = b->files = 0;
	b->copy_env = -1;
	if ((rc = copy_store(b)) != 0)
		log_error("backup: cannot copy the store: %s", mdb_strerror(rc));
	else if ((rc = copy_envelopes(b, &od)) != 0 && rc != VANISHED &&
	    rc != LOGGED)
		log_error("backup: cannot copy the envelope files: %s",
		    mdb_strerror(rc));
	storedb_close(&b->copy);
	unlinkat(b->out_dir, "lock.mdb", 0);
	if (rc == 0 && (rc = write_manifest(b)) != 0)
		log_error("backup: cannot write the MANIFEST: %s",
		    strerror(rc));
	if (b->copy_env >= 0)
		close(b->copy_env);
	if (rc != 0)
		remove_written(b->out_dir);
	return rc;
}

/* The backup's work (admin_as_owner): an exit status. */
static int
backup_store(const struct datadir *d, void *ctx)
{
	struct backup *b = ctx;
	int rc = 1, tries = 0;

	b->d = d;
	if (storedb_open(&b->db, d, 0, 0) != 0 ||
	    datadir_subdir(d, ENVFILE_DIR, 0, &b->env_dir) < 0)
		goto out;
	while ((rc = backup_once(b, d)) == VANISHED && ++tries < BACKUP_TRIES)
		;
	if (rc == VANISHED)
		log_error("backup: reports kept being purged while it ran: "
		    "run it again");
	if (rc == 0)
		printf("backup of %" PRIu64 " reports (%" PRIu64 " envelope "
		    "files) in %s\n", b->reports, b->files, b->out);
out:
	if (b->env_dir >= 0)
		close(b->env_dir);
	storedb_close(&b->db);
	free(b->m.text);
	return rc == 0 ? 0 : 1;
}

/*
 * Make out, 0700, and open it into b->out_dir; as root, give it to
 * data_dir's owner (the work in it is done as that user).
 */
static int
make_out(struct backup *b, const struct datadir *d)
{

	if (mkdir(b->out, 0700) != 0) {
		log_errno("backup: cannot create %s (it must not exist)",
		    b->out);
		return -1;
	}
	if ((b->out_dir = open(b->out, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) < 0 || (geteuid() == 0 &&
	    fchown(b->out_dir, d->uid, d->gid) != 0)) {
		log_errno("backup: %s", b->out);
		return -1;
	}
	return 0;
}

/*
 * backup_make(data_dir, out): see backup.h.
 */
int
backup_make(const char *data_dir, const char *out)
{
	struct datadir d;
	struct backup b = { .out = out, .out_dir = -1, .env_dir = -1,
	    .copy_env = -1 };
	int rc;

	if (datadir_open(&d, data_dir, 0) != 0)
		return 1;
	if ((rc = make_out(&b, &d)) == 0)
		rc = admin_as_owner(&d, backup_store, &b);
	if (b.out_dir >= 0) {
		if (rc != 0)	/* made here, and emptied by the work */
			unlinkat(AT_FDCWD, b.out, AT_REMOVEDIR);
		close(b.out_dir);
	}
	datadir_close(&d);
	return rc == 0 ? 0 : 1;
}

/* ---- restore ---- */

struct restore {
	const char *from;
	int from_dir;
	int from_env;			/* the backup's envelopes/, or -1 */
	int to_env;			/* data_dir's envelopes/ */
	char *text;			/* the MANIFEST, NUL-terminated */
	uint64_t reports, files;
};

/* Whether dir holds nothing. */
static int
is_empty(int dir)
{
	struct dirent *de;
	DIR *dp;
	int fd, empty = 1;

	if ((fd = dup(dir)) < 0 || (dp = fdopendir(fd)) == NULL)
		return 0;
	while (empty && (de = readdir(dp)) != NULL)
		empty = strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0;
	rewinddir(dp);	/* the offset is dir's too */
	closedir(dp);
	return empty;
}

/* Read the MANIFEST into r->text. Return 0, or -1 after logging why. */
static int
read_manifest(struct restore *r)
{
	struct stat sb;
	ssize_t n;
	int fd;

	if ((fd = open_read(r->from_dir, MANIFEST)) < 0 ||
	    fstat(fd, &sb) != 0) {
		log_errno("restore: %s/%s (not a finished backup)", r->from,
		    MANIFEST);
		goto err;
	}
	if (!S_ISREG(sb.st_mode) || (uint64_t)sb.st_size > MANIFEST_MAX ||
	    (r->text = malloc((size_t)sb.st_size + 1)) == NULL ||
	    (n = pread(fd, r->text, (size_t)sb.st_size, 0)) != sb.st_size) {
		log_error("restore: %s/%s: not a readable manifest", r->from,
		    MANIFEST);
		goto err;
	}
	r->text[n] = '\0';
	close(fd);
	return 0;
err:
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Whether name is one a backup writes: data.mdb or envelopes/ID. */
static int
sound_name(const char *name)
{
	size_t pre = sizeof(ENVFILE_DIR);

	if (strcmp(name, "data.mdb") == 0)
		return 1;
	return strncmp(name, ENVFILE_DIR "/", pre) == 0 &&
	    strlen(name + pre) == ID_HEX &&
	    strspn(name + pre, "0123456789abcdef") == ID_HEX;
}

/* Copy one file the MANIFEST names into data_dir, checking it. */
static int
restore_file(struct restore *r, int dir, const char *name, uint64_t size,
    const char *hex)
{
	uint8_t hash[HASH_BYTES];
	char got[HASH_BYTES * 2 + 1];
	const char *base = name;
	int from_dir = r->from_dir, from, to, rc;

	/* envelopes/ID: opened in the directories opened without a link. */
	if (strcmp(name, "data.mdb") != 0) {
		base = name + sizeof(ENVFILE_DIR);
		from_dir = r->from_env;
		dir = r->to_env;
	}
	if ((from = open_read(from_dir, base)) < 0) {
		log_errno("restore: damaged backup: %s", name);
		return -1;
	}
	if ((to = open_new(dir, base)) < 0) {
		log_errno("restore: cannot create %s", name);
		close(from);
		return -1;
	}
	rc = copy_fd(from, to, size, hash);
	close(from);
	close(to);
	sodium_bin2hex(got, sizeof(got), hash, HASH_BYTES);
	if (rc == EBADMSG)
		log_error("restore: damaged backup: %s: not of the size the "
		    "MANIFEST says", name);
	else if (rc != 0)
		log_error("restore: %s: %s", name, strerror(rc));
	else if (strcmp(got, hex) != 0) {
		log_error("restore: damaged backup: %s: its hash differs from "
		    "the MANIFEST's", name);
		rc = -1;
	}
	return rc == 0 ? 0 : -1;
}

/* Copy in every file of the MANIFEST. Return 0, or -1 after logging. */
static int
restore_files(struct restore *r, const struct datadir *d)
{
	char name[ENV_NAME_MAX], hex[HASH_BYTES * 2 + 1];
	char *line, *save = NULL;
	uint64_t size;
	int fmt, n = 0, data = 0;

	for (line = strtok_r(r->text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save), n++) {
		if (n == 0 && strcmp(line, MANIFEST_MAGIC) == 0)
			continue;
		if (n == 1 && sscanf(line, "store-format %d", &fmt) == 1 &&
		    fmt == STOREDB_FORMAT)
			continue;
		if (n == 2 && sscanf(line, "reports %" SCNu64, &r->reports) == 1)
			continue;
		if (n < 3 || sscanf(line, "file %42s %" SCNu64 " %64s", name,
		    &size, hex) != 3 || !sound_name(name) ||
		    strlen(hex) != HASH_BYTES * 2) {
			log_error("restore: damaged backup: MANIFEST line %d "
			    "is not understood", n + 1);
			return -1;
		}
		if (strcmp(name, "data.mdb") == 0)
			data++;
		else
			r->files++;
		if (restore_file(r, d->fd, name, size, hex) != 0)
			return -1;
	}
	if (n < 3 || data != 1) {
		log_error("restore: damaged backup: the MANIFEST is incomplete");
		return -1;
	}
	return 0;
}

/*
 * Check the restored store against the MANIFEST: its report count, and a
 * file for every report kept in one. Return 0, or -1 after logging why.
 */
static int
check_store(struct restore *r, const struct datadir *d, int env_dir)
{
	struct storedb db;
	struct storedb_report rep;
	const uint8_t *id;
	char name[ID_HEX + 1];
	uint64_t n = 0;
	MDB_txn *txn;
	MDB_cursor *c;
	MDB_val k, v;
	MDB_cursor_op op = MDB_FIRST;
	int rc, missing = 0;

	if (storedb_open(&db, d, 0, 0) != 0)
		return -1;
	if ((rc = storedb_begin(&db, MDB_RDONLY, &txn)) == 0) {
		if ((rc = mdb_cursor_open(txn, db.reports, &c)) == 0) {
			while (!missing &&
			    (rc = mdb_cursor_get(c, &k, &v, op)) == 0 &&
			    (rc = storedb_report_decode(&k, &v, &id, &rep)) == 0) {
				op = MDB_NEXT;
				n++;
				sodium_bin2hex(name, sizeof(name), id,
				    ENVELOPE_ID_BYTES);
				missing = rep.in_file &&
				    datadir_check(&(struct datadir){ .path =
				    d->path, .fd = env_dir, .uid = d->uid,
				    .gid = d->gid }, name) != 0;
			}
			mdb_cursor_close(c);
		}
		mdb_txn_abort(txn);
	}
	storedb_close(&db);
	if (rc != MDB_NOTFOUND && !missing) {
		log_error("restore: damaged backup: data.mdb: %s",
		    mdb_strerror(rc));
		return -1;
	}
	if (missing || n != r->reports) {
		log_error("restore: damaged backup: the store does not match "
		    "the MANIFEST (%s)", missing ? "a report's file is missing" :
		    "report count");
		return -1;
	}
	return 0;
}

/* The restore's work (admin_as_owner): an exit status. */
static int
restore_store(const struct datadir *d, void *ctx)
{
	struct restore *r = ctx;
	int env_dir = -1, rc = -1;

	if (!is_empty(d->fd)) {
		log_error("restore: data_dir %s is not empty", d->path);
		return 1;
	}
	if ((r->from_dir = open(r->from, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) < 0) {
		log_errno("restore: %s", r->from);
		return 1;
	}
	if ((r->from_env = openat(r->from_dir, ENVFILE_DIR, O_RDONLY |
	    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 && errno != ENOENT)
		log_errno("restore: damaged backup: %s/%s", r->from,
		    ENVFILE_DIR);
	else if (read_manifest(r) == 0 &&
	    datadir_subdir(d, ENVFILE_DIR, 1, &env_dir) == 0 &&
	    (r->to_env = env_dir) >= 0 &&
	    restore_files(r, d) == 0 && check_store(r, d, env_dir) == 0) {
		if ((rc = envfile_touch_all(env_dir)) == 0 &&
		    (fsync(env_dir) != 0 || fsync(d->fd) != 0))
			rc = errno;
		if (rc != 0)
			log_error("restore: %s", strerror(rc));
	}
	if (rc == 0)
		printf("restored %" PRIu64 " reports (%" PRIu64 " envelope "
		    "files) into %s\n", r->reports, r->files, d->path);
	else
		remove_written(d->fd);
	if (env_dir >= 0)
		close(env_dir);
	if (r->from_env >= 0)
		close(r->from_env);
	close(r->from_dir);
	free(r->text);
	return rc == 0 ? 0 : 1;
}

/*
 * backup_restore(data_dir, from): see backup.h. As root, a data_dir this
 * command made is given to the backup directory's owner before the work
 * moves to that user.
 */
int
backup_restore(const char *data_dir, const char *from)
{
	struct restore r = { .from = from, .from_dir = -1, .from_env = -1,
	    .to_env = -1 };
	struct datadir d;
	struct stat sb;
	int rc;

	if (lstat(from, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		log_error("restore: %s is not a backup directory", from);
		return 1;
	}
	if (datadir_open(&d, data_dir, 1) != 0)
		return 1;
	if (geteuid() == 0 && d.uid == 0 && sb.st_uid != 0 &&
	    is_empty(d.fd)) {
		if (fchown(d.fd, sb.st_uid, sb.st_gid) != 0) {
			log_errno("restore: cannot give %s to the backup's owner",
			    data_dir);
			datadir_close(&d);
			return 1;
		}
		d.uid = sb.st_uid;
		d.gid = sb.st_gid;
	}
	rc = admin_as_owner(&d, restore_store, &r);
	datadir_close(&d);
	return rc;
}
