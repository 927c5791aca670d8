/*
 * cases: see cases.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cases.h"
#include "cli.h"
#include "encode.h"
#include "url.h"

#define BUSY_TIMEOUT_MS 10000
#define STR_(x) #x
#define STR(x) STR_(x)

/*
 * The migrations: step i takes a file from version i to i + 1 (step 0
 * makes an empty file version 1). All steps due run in one transaction,
 * which also sets user_version. A new version appends a step here, says
 * what changed in docs/cases.md, and raises CASES_SCHEMA_VERSION.
 */
static const char *const migrations[CASES_SCHEMA_VERSION] = {
	"CREATE TABLE reports ("
	"  id TEXT PRIMARY KEY, received TEXT NOT NULL,"
	"  language TEXT NOT NULL, category TEXT NOT NULL,"
	"  seen_on TEXT NOT NULL, description TEXT NOT NULL,"
	"  recorded TEXT NOT NULL, purged TEXT);"
	"CREATE TABLE urls ("
	"  id TEXT PRIMARY KEY, canonical TEXT NOT NULL UNIQUE,"
	"  host TEXT NOT NULL);"
	"CREATE TABLE report_lines ("
	"  report_id TEXT NOT NULL REFERENCES reports(id),"
	"  pos INTEGER NOT NULL, as_typed BLOB NOT NULL,"
	"  url_id TEXT REFERENCES urls(id),"
	"  PRIMARY KEY (report_id, pos));"
	"CREATE TABLE attachments ("
	"  report_id TEXT NOT NULL REFERENCES reports(id),"
	"  pos INTEGER NOT NULL, name TEXT NOT NULL,"
	"  size INTEGER NOT NULL, sha256 TEXT NOT NULL,"
	"  PRIMARY KEY (report_id, pos));"
	"CREATE TABLE verdicts ("
	"  seq INTEGER PRIMARY KEY,"
	"  url_id TEXT NOT NULL REFERENCES urls(id),"
	"  at TEXT NOT NULL, verdict TEXT NOT NULL,"
	"  severity TEXT, age_band TEXT, sex TEXT,"
	"  self_generated INTEGER NOT NULL, ai_generated INTEGER NOT NULL,"
	"  site_type TEXT, hosting_country TEXT, referred_to TEXT,"
	"  note TEXT, analyst TEXT, hash BLOB NOT NULL);"
	"CREATE INDEX report_lines_url ON report_lines(url_id);"
	"CREATE INDEX verdicts_url ON verdicts(url_id, seq);"
	"CREATE INDEX reports_received ON reports(received);"
	"CREATE VIRTUAL TABLE search USING fts5("
	"  report_id UNINDEXED, description, urls,"
	"  tokenize = 'unicode61 remove_diacritics 2');"
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"INSERT INTO meta VALUES ('verdicts_count', '0'),"
	"  ('verdicts_head', '" /* 32 zero bytes in hex */
	"0000000000000000000000000000000000000000000000000000000000000000');",
	/* 2: replies (issue 12): each report's reply key and the report it
	 * follows up, the outcomes queued and sent, the last sequence sent */
	"ALTER TABLE reports ADD COLUMN reply_key TEXT;"
	"ALTER TABLE reports ADD COLUMN follow_up_of TEXT;"
	"CREATE INDEX reports_follow_up ON reports(follow_up_of)"
	"  WHERE follow_up_of IS NOT NULL;"
	"CREATE TABLE outcomes ("
	"  id INTEGER PRIMARY KEY,"
	"  report_id TEXT NOT NULL REFERENCES reports(id),"
	"  status TEXT NOT NULL, message TEXT, queued_at TEXT NOT NULL,"
	"  source TEXT NOT NULL, verdicts_seen INTEGER NOT NULL,"
	"  sent_sequence INTEGER);"
	"CREATE INDEX outcomes_report ON outcomes(report_id, id);"
	"INSERT INTO meta VALUES ('outcome_sequence', '0');",
	/* 3: media (issue 15): what decrypt learns of each attachment, the
	 * hash lists and the built-in list 'local' */
	"ALTER TABLE attachments ADD COLUMN md5 TEXT;"
	"ALTER TABLE attachments ADD COLUMN sha1 TEXT;"
	"ALTER TABLE attachments ADD COLUMN type TEXT;"
	"ALTER TABLE attachments ADD COLUMN width INTEGER;"
	"ALTER TABLE attachments ADD COLUMN height INTEGER;"
	"ALTER TABLE attachments ADD COLUMN pdq TEXT;"
	"ALTER TABLE attachments ADD COLUMN pdq_quality INTEGER;"
	"ALTER TABLE attachments ADD COLUMN known_list TEXT;"
	"ALTER TABLE attachments ADD COLUMN known_grade TEXT;"
	"ALTER TABLE attachments ADD COLUMN metadata_warnings TEXT;"
	"CREATE INDEX attachments_sha256 ON attachments(sha256);"
	"CREATE INDEX attachments_pdq ON attachments(pdq) WHERE pdq IS NOT NULL;"
	"CREATE TABLE hashlists ("
	"  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
	"  format TEXT NOT NULL, imported_at TEXT NOT NULL,"
	"  source_file_sha256 TEXT, count INTEGER NOT NULL);"
	"CREATE TABLE hashes ("
	"  list_id INTEGER NOT NULL REFERENCES hashlists(id),"
	"  kind TEXT NOT NULL, value BLOB NOT NULL, grade TEXT,"
	"  PRIMARY KEY (kind, value, list_id)) WITHOUT ROWID;"
	"CREATE INDEX hashes_list ON hashes(list_id);"
	"INSERT INTO hashlists (name, format, imported_at, count) VALUES"
	"  ('local', 'sha256+pdq', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), 0);",
};

/* Statements used for every report, prepared once per connection. */
enum {
	ST_URL_FIND,
	ST_URL_ADD,
	ST_REPORT_HAS,
	ST_REPORT_ADD,
	ST_LINE_ADD,
	ST_ATT_ADD,
	ST_SEARCH_ADD,
	/* cases_forget, in this order; each binds the report id as ?1 */
	ST_FORGET_SEARCH,
	ST_FORGET_ATT,
	ST_FORGET_URLS,
	ST_FORGET_LINES,
	ST_FORGET_REPORT,
	ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
	[ST_URL_FIND] = "SELECT id FROM urls WHERE canonical = ?1",
	[ST_URL_ADD] = "INSERT INTO urls (id, canonical, host) "
	    "VALUES (?1, ?2, ?3) ON CONFLICT (id) DO NOTHING",
	[ST_REPORT_HAS] = "SELECT 1 FROM reports WHERE id = ?1",
	[ST_REPORT_ADD] = "INSERT INTO reports (id, received, language, "
	    "category, seen_on, description, recorded, reply_key, "
	    "follow_up_of) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[ST_LINE_ADD] = "INSERT INTO report_lines (report_id, pos, as_typed, "
	    "url_id) VALUES (?1, ?2, ?3, ?4)",
	[ST_ATT_ADD] = "INSERT INTO attachments (report_id, pos, name, size, "
	    "sha256, md5, sha1, type, width, height, pdq, pdq_quality, "
	    "known_list, known_grade, metadata_warnings) VALUES (?1, ?2, ?3, "
	    "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
	[ST_SEARCH_ADD] = "INSERT INTO search (report_id, description, urls) "
	    "VALUES (?1, ?2, ?3)",
	[ST_FORGET_SEARCH] = "DELETE FROM search WHERE report_id = ?1",
	[ST_FORGET_ATT] = "DELETE FROM attachments WHERE report_id = ?1",
	[ST_FORGET_URLS] = "DELETE FROM urls WHERE id IN (SELECT url_id FROM "
	    "report_lines WHERE report_id = ?1) AND NOT EXISTS (SELECT 1 FROM "
	    "report_lines l WHERE l.url_id = urls.id AND l.report_id <> ?1) "
	    "AND NOT EXISTS (SELECT 1 FROM verdicts v WHERE v.url_id = urls.id)",
	[ST_FORGET_LINES] = "DELETE FROM report_lines WHERE report_id = ?1",
	[ST_FORGET_REPORT] = "DELETE FROM reports WHERE id = ?1",
};

struct cases {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *stmt[ST_COUNT];
	struct url_canonical *url;	/* the line being recorded */
};

int
cases_sqlerr(struct cases *c, const char *what)
{
	int code = sqlite3_errcode(c->db);

	if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB)
		cli_error("%s: %s: the file is corrupt (%s); restore it from a "
		    "backup", c->path, what, sqlite3_errmsg(c->db));
	else
		cli_error("%s: %s: %s", c->path, what, sqlite3_errmsg(c->db));
	return -1;
}

static int
exec(struct cases *c, const char *sql, const char *what)
{
	if (sqlite3_exec(c->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return cases_sqlerr(c, what);
	return 0;
}

/* The single integer a pragma returns, into *v. */
static int
pragma_int(struct cases *c, const char *sql, int *v)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/*
 * Make path, empty and 0600, if it does not exist (SQLite would make it
 * with the umask's mode, and the case file holds every report's text).
 * Refuse a symbolic link or anything but a regular file.
 */
static int
make_file(const char *path, int create)
{
	struct stat st;
	int fd;

	if (lstat(path, &st) == 0) {
		if (S_ISREG(st.st_mode))
			return 0;
		cli_error("%s: not a regular file (a link?); refused", path);
		return -1;
	}
	if (errno != ENOENT) {
		cli_error_errno("cannot look at %s", path);
		return -1;
	}
	if (!create) {
		cli_error("%s: no case file here (decrypt --out DIR makes it)",
		    path);
		return -1;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0 && errno != EEXIST) {
		cli_error_errno("cannot create %s", path);
		return -1;
	}
	if (fd >= 0)
		close(fd);
	return 0;
}

/* The first line quick_check gives, into buf: "ok" when the file is sound. */
static int
quick_check(struct cases *c, char *buf, size_t size)
{
	sqlite3_stmt *st;
	char *nl;
	int rc;

	if (sqlite3_prepare_v2(c->db, "PRAGMA quick_check(1)", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		snprintf(buf, size, "%s",
		    (const char *)sqlite3_column_text(st, 0));
	while (rc == SQLITE_ROW && (nl = strchr(buf, '\n')) != NULL)
		*nl = ' ';	/* one message line */
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/*
 * Read the schema version and check the file whole, before anything is
 * written to it: a foreign, corrupt or newer file is refused as it is.
 */
static int
check_file(struct cases *c, int *version, int whole)
{
	char result[256];

	if (pragma_int(c, "PRAGMA user_version", version) != 0) {
		if (sqlite3_errcode(c->db) == SQLITE_NOTADB) {
			cli_error("%s: not an SQLite database; refused, left "
			    "as it is", c->path);
			return -1;
		}
		return cases_sqlerr(c, "cannot read the schema version");
	}
	if (*version > CASES_SCHEMA_VERSION) {
		cli_error("%s is schema version %d; this oniondrop-keys knows "
		    "up to %d: use a newer one", c->path, *version,
		    CASES_SCHEMA_VERSION);
		return -1;
	}
	if (!whole)
		return 0;
	if (quick_check(c, result, sizeof(result)) != 0)
		return cases_sqlerr(c, "cannot check the file");
	if (strcmp(result, "ok") != 0) {
		cli_error("%s: the file is corrupt (%s); refused, left as it "
		    "is: restore it from a backup", c->path, result);
		return -1;
	}
	return 0;
}

/* Bring the file from its version up to CASES_SCHEMA_VERSION. */
static int
migrate(struct cases *c)
{
	int version;

	if (cases_begin(c) != 0)
		return -1;
	/* Again under the write lock: another process may have migrated. */
	if (pragma_int(c, "PRAGMA user_version", &version) != 0) {
		cases_sqlerr(c, "cannot read the schema version");
		goto err;
	}
	for (int v = version; v < CASES_SCHEMA_VERSION; v++)
		if (exec(c, migrations[v], "cannot update the schema") != 0)
			goto err;
	if (version < CASES_SCHEMA_VERSION && exec(c, "PRAGMA user_version = "
	    STR(CASES_SCHEMA_VERSION), "cannot set the version") != 0)
		goto err;
	return cases_commit(c);
err:
	cases_rollback(c);
	return -1;
}

/*
 * Settings for every connection. Defensive mode and an untrusted schema:
 * the file may have been edited by hand, and nothing in it should make
 * this tool run functions or corrupt the file.
 */
static int
configure(struct cases *c)
{
	sqlite3_busy_timeout(c->db, BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(c->db, 1);
	if (sqlite3_db_config(c->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL) !=
	    SQLITE_OK || sqlite3_db_config(c->db,
	    SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL) != SQLITE_OK)
		return cases_sqlerr(c, "cannot configure SQLite");
	return exec(c, "PRAGMA foreign_keys = ON", "cannot set foreign_keys");
}

/* The pragmas that write (the journal mode): only on a file accepted. */
static int
configure_writes(struct cases *c)
{
	if (exec(c, "PRAGMA journal_mode = WAL", "cannot use WAL") != 0)
		return -1;
	return exec(c, "PRAGMA synchronous = FULL", "cannot set synchronous");
}

struct cases *
cases_open(const char *dir, int flags)
{
	struct cases *c;
	int version;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    asprintf(&c->path, "%s/%s", dir, CASES_FILE) < 0) {
		cli_error("out of memory");
		free(c);
		return NULL;
	}
	if (make_file(c->path, flags & CASES_CREATE) != 0)
		goto err;
	if (sqlite3_open_v2(c->path, &c->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOFOLLOW, NULL) != SQLITE_OK) {
		if (c->db == NULL)
			cli_error("%s: out of memory", c->path);
		else
			cases_sqlerr(c, "cannot open");
		goto err;
	}
	if (configure(c) != 0 || check_file(c, &version, !(flags & CASES_READ)) != 0 ||
	    configure_writes(c) != 0)
		goto err;
	if (version < CASES_SCHEMA_VERSION && migrate(c) != 0)
		goto err;
	return c;
err:
	cases_close(c);
	return NULL;
}

void
cases_close(struct cases *c)
{
	if (c == NULL)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(c->stmt[i]);
	sqlite3_close(c->db);
	free(c->url);
	free(c->path);
	free(c);
}

sqlite3 *
cases_db(struct cases *c)
{
	return c->db;
}

const char *
cases_path(const struct cases *c)
{
	return c->path;
}

int
cases_begin(struct cases *c)
{
	return exec(c, "BEGIN IMMEDIATE", "cannot start a transaction");
}

int
cases_commit(struct cases *c)
{
	if (exec(c, "COMMIT", "cannot commit") != 0) {
		cases_rollback(c);
		return -1;
	}
	return 0;
}

void
cases_rollback(struct cases *c)
{
	if (!sqlite3_get_autocommit(c->db))
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Statement which, reset with no bindings, prepared on first use. */
static sqlite3_stmt *
stmt(struct cases *c, int which)
{
	sqlite3_stmt *st = c->stmt[which];

	if (st != NULL) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		return st;
	}
	if (sqlite3_prepare_v3(c->db, stmt_sql[which], -1,
	    SQLITE_PREPARE_PERSISTENT, &c->stmt[which], NULL) != SQLITE_OK) {
		cases_sqlerr(c, "cannot prepare a statement");
		return NULL;
	}
	return c->stmt[which];
}

void
cases_now(char at[CASES_TIME_LEN + 1])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(at, CASES_TIME_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
cases_url_id(const char *canonical, size_t len, int nchars,
    char id[CASES_URL_ID_MAX + 1])
{
	uint8_t hash[crypto_generichash_BYTES];
	char b32[ENCODE_BASE32_LEN(crypto_generichash_BYTES) + 1];

	crypto_generichash(hash, sizeof(hash), (const uint8_t *)canonical, len,
	    NULL, 0);
	encode_base32(b32, hash, sizeof(hash));
	id[0] = 'u';
	memcpy(id + 1, b32, (size_t)nchars);
	id[1 + nchars] = '\0';
}

/* The id of canonical if the file has it: 1 (id filled), 0, or -1. */
static int
url_find(struct cases *c, const char *canonical,
    char id[CASES_URL_ID_MAX + 1])
{
	sqlite3_stmt *st = stmt(c, ST_URL_FIND);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, canonical, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		snprintf(id, CASES_URL_ID_MAX + 1, "%s",
		    (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cases_sqlerr(c, "cannot look up a URL");
	return rc == SQLITE_ROW;
}

/* Add canonical under id: 1 if added, 0 if another URL holds id, or -1. */
static int
url_insert(struct cases *c, const char *id, const char *canonical,
    const char *host)
{
	sqlite3_stmt *st = stmt(c, ST_URL_ADD);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, canonical, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, host, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return cases_sqlerr(c, "cannot add a URL");
	return sqlite3_changes(c->db) == 1;
}

int
cases_url_add(struct cases *c, const char *canonical, const char *host,
    char id[CASES_URL_ID_MAX + 1])
{
	static const int lengths[] = { CASES_URL_ID_SHORT, CASES_URL_ID_LONG };
	size_t len = strlen(canonical);
	int rc;

	if ((rc = url_find(c, canonical, id)) != 0)
		return rc < 0 ? -1 : 0;
	for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		cases_url_id(canonical, len, lengths[i], id);
		if ((rc = url_insert(c, id, canonical, host)) != 0)
			return rc < 0 ? -1 : 0;
	}
	cli_error("%s: the ids of %s are both taken; refused", c->path,
	    canonical);
	return -1;
}

/* Step st (its bindings made) to its end, then reset it: 0, or -1. */
static int
step_done(struct cases *c, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : cases_sqlerr(c, what);
}

static void
bind_bytes(sqlite3_stmt *st, int i, struct cases_text t)
{
	sqlite3_bind_text64(st, i, t.len ? t.p : "", t.len, SQLITE_STATIC,
	    SQLITE_UTF8);
}

int
cases_has_report(struct cases *c, const char *id)
{
	sqlite3_stmt *st = stmt(c, ST_REPORT_HAS);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cases_sqlerr(c, "cannot look up a report");
	return rc == SQLITE_ROW;
}

static int
report_add(struct cases *c, const struct cases_report *r)
{
	sqlite3_stmt *st = stmt(c, ST_REPORT_ADD);
	char today[16];
	time_t now = time(NULL);
	struct tm tm;

	if (st == NULL)
		return -1;
	gmtime_r(&now, &tm);
	strftime(today, sizeof(today), "%Y-%m-%d", &tm);
	sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
	bind_bytes(st, 2, r->received);
	bind_bytes(st, 3, r->language);
	bind_bytes(st, 4, r->category);
	bind_bytes(st, 5, r->seen_on);
	bind_bytes(st, 6, r->description);
	sqlite3_bind_text(st, 7, today, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, r->reply_key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, r->follow_up_of, -1, SQLITE_STATIC);
	return step_done(c, st, "cannot record a report");
}

static int
blank(struct cases_text t)
{
	for (size_t i = 0; i < t.len; i++)
		if (t.p[i] != ' ' && t.p[i] != '\t' && t.p[i] != '\r' &&
		    t.p[i] != '\n')
			return 0;
	return 1;
}

/* One line: its canonical URL's id (the URL added if new), or NULL. */
static int
line_add(struct cases *c, const char *report, int pos, struct cases_text t)
{
	char id[CASES_URL_ID_MAX + 1];
	sqlite3_stmt *st;
	int isurl;

	if ((isurl = url_canonicalize(t.p, t.len, c->url)) < 0) {
		cli_error("out of memory");
		return -1;
	}
	if (isurl && cases_url_add(c, c->url->url, c->url->host, id) != 0)
		return -1;
	if ((st = stmt(c, ST_LINE_ADD)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, report, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, pos);
	sqlite3_bind_blob64(st, 3, t.p, t.len, SQLITE_STATIC);
	if (isurl)
		sqlite3_bind_text(st, 4, id, -1, SQLITE_STATIC);
	return step_done(c, st, "cannot record a report's URL");
}

static int
lines_add(struct cases *c, const struct cases_report *r)
{
	int pos = 0;

	if (c->url == NULL && (c->url = malloc(sizeof(*c->url))) == NULL) {
		cli_error("out of memory");
		return -1;
	}
	for (size_t i = 0; i < r->nlines; i++)
		if (!blank(r->lines[i]) &&
		    line_add(c, r->id, pos++, r->lines[i]) != 0)
			return -1;
	return 0;
}

/* Bind what decrypt learnt of a (from ?6 on); NULL where it learnt nothing. */
static void
bind_media(sqlite3_stmt *st, const struct cases_attachment *a)
{
	sqlite3_bind_text(st, 6, a->md5, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, a->sha1, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, a->type, -1, SQLITE_STATIC);
	if (a->width != 0 && a->height != 0) {
		sqlite3_bind_int64(st, 9, a->width);
		sqlite3_bind_int64(st, 10, a->height);
	}
	if (a->pdq != NULL) {
		sqlite3_bind_text(st, 11, a->pdq, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 12, a->pdq_quality);
	}
	sqlite3_bind_text(st, 13, a->known_list, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 14, a->known_grade, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 15, a->metadata_warnings, -1, SQLITE_STATIC);
}

static int
attachments_add(struct cases *c, const struct cases_report *r)
{
	sqlite3_stmt *st;

	for (size_t i = 0; i < r->natt; i++) {
		if ((st = stmt(c, ST_ATT_ADD)) == NULL)
			return -1;
		sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		sqlite3_bind_text(st, 3, r->att[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, (sqlite3_int64)r->att[i].size);
		sqlite3_bind_text(st, 5, r->att[i].sha256, -1, SQLITE_STATIC);
		bind_media(st, &r->att[i]);
		if (step_done(c, st, "cannot record an attachment") != 0)
			return -1;
	}
	return 0;
}

/* The search row: the description, and the lines joined by newlines. */
static int
search_add(struct cases *c, const struct cases_report *r)
{
	struct cases_text urls = { NULL, 0 };
	sqlite3_stmt *st;
	char *buf, *p;
	int rc;

	for (size_t i = 0; i < r->nlines; i++)
		urls.len += r->lines[i].len + 1;
	if ((buf = p = malloc(urls.len + 1)) == NULL) {
		cli_error("out of memory");
		return -1;
	}
	for (size_t i = 0; i < r->nlines; i++) {
		memcpy(p, r->lines[i].p, r->lines[i].len);
		p += r->lines[i].len;
		*p++ = '\n';
	}
	urls.p = buf;
	urls.len -= urls.len > 0;	/* no newline after the last */
	if ((st = stmt(c, ST_SEARCH_ADD)) == NULL) {
		free(buf);
		return -1;
	}
	sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
	bind_bytes(st, 2, r->description);
	bind_bytes(st, 3, urls);
	rc = step_done(c, st, "cannot index a report for search");
	free(buf);
	return rc;
}

int
cases_record(struct cases *c, const struct cases_report *r)
{
	if (report_add(c, r) != 0 || lines_add(c, r) != 0 ||
	    attachments_add(c, r) != 0 || search_add(c, r) != 0)
		return -1;
	return 0;
}

int
cases_forget(struct cases *c, const char *id)
{
	sqlite3_stmt *st;

	/* The URLs go before the lines that name them: checked at commit. */
	if (exec(c, "PRAGMA defer_foreign_keys = ON",
	    "cannot defer foreign keys") != 0)
		return -1;
	for (int i = ST_FORGET_SEARCH; i <= ST_FORGET_REPORT; i++) {
		if ((st = stmt(c, i)) == NULL)
			return -1;
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		if (step_done(c, st, "cannot remove a report") != 0)
			return -1;
	}
	return 0;
}
