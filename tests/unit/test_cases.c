/*
 * test_cases: the case file on disk. A new file gets the current schema
 * version with its pragmas and mode 0600; it opens again as it is; a
 * version 1 file (tests/vectors/cases/v1.sql) is migrated through versions
 * 2 and 3 with every row intact (its attachment's new columns NULL, the
 * hash list local made) and its verdict log still verifying, and a
 * migration that fails leaves it at version 1, whole; a newer, foreign,
 * corrupt or linked file is refused with its reason and left byte for byte
 * as it was; URL ids match values computed outside this code (Python's
 * hashlib) and follow the collision rule of docs/cases.md. A recorded report
 * has its row (with its reply key and the report it follows up, or NULL),
 * a line per non-blank line (bytes as typed, URL ids shared between
 * spellings of one address), its attachments (with what decrypt learnt
 * of each: hashes, type, image size, PDQ, list, warnings; or NULL) and
 * its search row;
 * forgetting it removes them and the URLs only it named.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "cases.h"
#include "tap.h"
#include "verdicts.h"

static char tmp[] = "/tmp/test_cases.XXXXXX";
static char dbpath[sizeof(tmp) + 16];
static char errbuf[4096];

/* Run cases_open with stderr captured into errbuf. */
static struct cases *
open_quiet(int flags)
{
	char path[sizeof(tmp) + 16];
	struct cases *c;
	int saved = dup(STDERR_FILENO), fd;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/stderr", tmp);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	fflush(stderr);
	dup2(fd, STDERR_FILENO);
	c = cases_open(tmp, flags);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	n = pread(fd, errbuf, sizeof(errbuf) - 1, 0);
	errbuf[n > 0 ? n : 0] = '\0';
	for (char *p = errbuf; *p != '\0'; p++)	/* one TAP line */
		if (*p == '\n')
			*p = ' ';
	close(fd);
	unlink(path);
	return c;
}

static long long
query_int(struct cases *c, const char *sql)
{
	sqlite3_stmt *st;
	long long v = -1;

	if (sqlite3_prepare_v2(cases_db(c), sql, -1, &st, NULL) != SQLITE_OK)
		return -2;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static char *
query_text(struct cases *c, const char *sql)
{
	static char buf[256];
	sqlite3_stmt *st;

	buf[0] = '\0';
	if (sqlite3_prepare_v2(cases_db(c), sql, -1, &st, NULL) != SQLITE_OK)
		return buf;
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(buf, sizeof(buf), "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return buf;
}

static uint8_t *
read_all(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) != 0)
		return NULL;
	buf = malloc((size_t)st.st_size + 1);
	*len = (size_t)read(fd, buf, (size_t)st.st_size);
	close(fd);
	return buf;
}

static void
remove_db(void)
{
	char path[sizeof(dbpath) + 8];

	unlink(dbpath);
	snprintf(path, sizeof(path), "%s-wal", dbpath);
	unlink(path);
	snprintf(path, sizeof(path), "%s-shm", dbpath);
	unlink(path);
}

/* Open a file that must be refused; check it stays byte for byte. */
static void
refused_unchanged(const char *what, const char *reason)
{
	uint8_t *before, *after;
	size_t blen = 0, alen = 0;
	struct cases *c;
	char wal[sizeof(dbpath) + 8];

	before = read_all(dbpath, &blen);
	c = open_quiet(CASES_CREATE);
	ok(c == NULL, "%s: refused", what);
	ok(strstr(errbuf, reason) != NULL && strstr(errbuf, dbpath) != NULL,
	    "%s: the message names the file and says '%s' (%s)", what, reason,
	    errbuf);
	cases_close(c);
	after = read_all(dbpath, &alen);
	ok(before != NULL && after != NULL && alen == blen &&
	    memcmp(before, after, blen) == 0, "%s: the file is unchanged",
	    what);
	snprintf(wal, sizeof(wal), "%s-wal", dbpath);
	ok(access(wal, F_OK) != 0, "%s: no WAL left beside it", what);
	free(before);
	free(after);
	remove_db();
}

static void
test_new_file(void)
{
	struct cases *c;
	struct stat st;

	c = open_quiet(0);
	ok(c == NULL && strstr(errbuf, "no case file") != NULL,
	    "without CASES_CREATE a missing file is not made (%s)", errbuf);
	ok(access(dbpath, F_OK) != 0, "and nothing was created");
	c = open_quiet(CASES_CREATE);
	ok(c != NULL, "a new case file is created (%s)", errbuf);
	if (c == NULL)
		return;
	ok(strcmp(cases_path(c), dbpath) == 0, "cases_path");
	is_int(query_int(c, "PRAGMA user_version"), CASES_SCHEMA_VERSION,
	    "user_version");
	is_int(query_int(c, "PRAGMA foreign_keys"), 1, "foreign_keys on");
	is_int(query_int(c, "PRAGMA synchronous"), 2, "synchronous FULL");
	ok(strcmp(query_text(c, "PRAGMA journal_mode"), "wal") == 0, "WAL");
	is_int(query_int(c, "SELECT count(*) FROM sqlite_schema WHERE name IN "
	    "('reports','urls','report_lines','attachments','verdicts','meta',"
	    "'search','report_lines_url','verdicts_url','reports_received',"
	    "'outcomes','outcomes_report','reports_follow_up','hashlists',"
	    "'hashes','hashes_list','attachments_sha256','attachments_pdq')"),
	    18, "every table and index of versions 1 to 3");
	ok(strcmp(query_text(c, "SELECT name || ' ' || format || ' ' || count "
	    "FROM hashlists"), "local sha256+pdq 0") == 0,
	    "the hash list local, empty");
	ok(strcmp(query_text(c, "SELECT value FROM meta WHERE key = "
	    "'verdicts_count'"), "0") == 0, "meta: verdicts_count 0");
	ok(strcmp(query_text(c, "SELECT value FROM meta WHERE key = "
	    "'outcome_sequence'"), "0") == 0, "meta: outcome_sequence 0");
	if (stat(dbpath, &st) != 0)
		st.st_mode = 0;
	ok((st.st_mode & 0777) == 0600, "the file is 0600 (%o)",
	    st.st_mode & 0777);
	ok(sqlite3_exec(cases_db(c), "INSERT INTO report_lines VALUES "
	    "('nope', 0, x'00', NULL)", NULL, NULL, NULL) != SQLITE_OK,
	    "foreign keys are enforced");
	ok(cases_begin(c) == 0 && sqlite3_exec(cases_db(c), "INSERT INTO "
	    "reports (id, received, language, category, seen_on, description, "
	    "recorded) VALUES ('r1','2026-11-01','fr','c','','d','2026-11-02')",
	    NULL, NULL, NULL) == SQLITE_OK && cases_commit(c) == 0,
	    "a transaction commits");
	ok(cases_begin(c) == 0 && sqlite3_exec(cases_db(c), "INSERT INTO "
	    "reports (id, received, language, category, seen_on, description, "
	    "recorded) VALUES ('r2','2026-11-01','fr','c','','d','2026-11-02')",
	    NULL, NULL, NULL) == SQLITE_OK, "a second one begins");
	cases_rollback(c);
	cases_close(c);

	c = open_quiet(0);
	ok(c != NULL, "the file opens again (%s)", errbuf);
	if (c == NULL)
		return;
	is_int(query_int(c, "SELECT count(*) FROM reports"), 1,
	    "the committed row is there, the rolled back one is not");
	is_int(query_int(c, "PRAGMA user_version"), CASES_SCHEMA_VERSION,
	    "still the current version");
	cases_close(c);
	remove_db();
}

/* A file made by plain SQLite: setup is run on it. */
static void
make_sqlite_file(const char *setup)
{
	sqlite3 *db;

	if (sqlite3_open(dbpath, &db) != SQLITE_OK ||
	    sqlite3_exec(db, setup, NULL, NULL, NULL) != SQLITE_OK)
		fprintf(stderr, "# cannot make %s: %s\n", dbpath,
		    sqlite3_errmsg(db));
	sqlite3_close(db);
}

static void
test_newer(void)
{
	char setup[128], reason[128];

	snprintf(setup, sizeof(setup), "CREATE TABLE future (x); INSERT INTO "
	    "future VALUES (1); PRAGMA user_version = %d;",
	    CASES_SCHEMA_VERSION + 1);
	snprintf(reason, sizeof(reason), "is schema version %d; this "
	    "oniondrop-keys knows up to %d: use a newer one",
	    CASES_SCHEMA_VERSION + 1, CASES_SCHEMA_VERSION);
	make_sqlite_file(setup);
	refused_unchanged("a newer schema version", reason);
}

/* A version 1 file: tests/vectors/cases/v1.sql, then extra SQL. */
static void
make_v1_file(const char *extra)
{
	size_t len;
	char path[4096];
	uint8_t *sql;

	snprintf(path, sizeof(path), "%s/tests/vectors/cases/v1.sql",
	    SOURCE_ROOT);
	if ((sql = read_all(path, &len)) == NULL) {
		fprintf(stderr, "# cannot read %s\n", path);
		return;
	}
	sql[len] = '\0';
	make_sqlite_file((char *)sql);
	make_sqlite_file(extra);
	free(sql);
}

/* A version 1 file opened by this tool is migrated; nothing is lost. */
static void
test_migrate_v1(void)
{
	struct cases *c;
	int64_t count = 0;
	int rc;

	make_v1_file("SELECT 1;");
	c = open_quiet(0);
	ok(c != NULL, "a version 1 file opens (%s)", errbuf);
	if (c == NULL)
		return;
	is_int(query_int(c, "PRAGMA user_version"), CASES_SCHEMA_VERSION,
	    "it is migrated to the current version");
	is_int(query_int(c, "SELECT count(*) FROM reports") * 1000 +
	    query_int(c, "SELECT count(*) FROM report_lines") * 100 +
	    query_int(c, "SELECT count(*) FROM attachments") * 10 +
	    query_int(c, "SELECT count(*) FROM urls"), 2211,
	    "its 2 reports, 2 lines, 1 attachment and 1 URL are there");
	ok(strcmp(query_text(c, "SELECT purged FROM reports WHERE id = "
	    "'22222222222222222222222222222222'"), "2026-12-01") == 0,
	    "a report's columns are kept");
	is_int(query_int(c, "SELECT count(*) FROM reports WHERE reply_key IS "
	    "NULL AND follow_up_of IS NULL"), 2,
	    "older reports have no reply key and follow nothing up");
	ok(strcmp(query_text(c, "SELECT value FROM meta WHERE key = "
	    "'outcome_sequence'"), "0") == 0, "meta: outcome_sequence 0");
	is_int(query_int(c, "SELECT count(*) FROM attachments WHERE md5 IS "
	    "NULL AND sha1 IS NULL AND type IS NULL AND width IS NULL AND "
	    "height IS NULL AND pdq IS NULL AND pdq_quality IS NULL AND "
	    "known_list IS NULL AND known_grade IS NULL AND metadata_warnings "
	    "IS NULL"), 1, "the older attachment has the version 3 columns, "
	    "NULL");
	is_int(query_int(c, "SELECT count(*) FROM hashlists WHERE name = "
	    "'local' AND count = 0"), 1, "and the empty hash list local");
	ok(sqlite3_exec(cases_db(c), "INSERT INTO outcomes (report_id, status, "
	    "queued_at, source, verdicts_seen) VALUES ("
	    "'11111111111111111111111111111111', 'in-review', "
	    "'2026-12-03T10:00:00Z', 'analyst', 1)", NULL, NULL, NULL) ==
	    SQLITE_OK, "an outcome can be queued for an older report");
	ok(sqlite3_exec(cases_db(c), "INSERT INTO outcomes (report_id, status, "
	    "queued_at, source, verdicts_seen) VALUES ('nope', 'in-review', "
	    "'2026-12-03T10:00:00Z', 'analyst', 1)", NULL, NULL, NULL) !=
	    SQLITE_OK, "an outcome must name a report (foreign key)");
	rc = sqlite3_exec(cases_db(c), "BEGIN", NULL, NULL, NULL) ==
	    SQLITE_OK ? verdicts_verify(c, &count) : -1;
	ok(rc == 0 && count == 1, "the verdict log still verifies (%d, %lld "
	    "row)", rc, (long long)count);
	sqlite3_exec(cases_db(c), "COMMIT", NULL, NULL, NULL);
	is_int(query_int(c, "SELECT count(*) FROM search WHERE search MATCH "
	    "'description'"), 1, "the search index still answers");
	cases_close(c);
	c = open_quiet(0);
	ok(c != NULL && query_int(c, "SELECT count(*) FROM outcomes") == 1,
	    "it opens again as it is (%s)", errbuf);
	cases_close(c);
	remove_db();
}

/* A migration that fails (a table of the new name already there). */
static void
test_migrate_fails(void)
{
	struct cases *c;
	sqlite3 *db;
	sqlite3_stmt *st;
	int version = -1, old = 0, column;

	make_v1_file("CREATE TABLE outcomes (x); INSERT INTO outcomes "
	    "VALUES ('mine');");
	c = open_quiet(0);
	ok(c == NULL && strstr(errbuf, "cannot update the schema") != NULL &&
	    strstr(errbuf, dbpath) != NULL,
	    "a migration that fails: refused, naming the file (%s)", errbuf);
	cases_close(c);
	if (sqlite3_open(dbpath, &db) != SQLITE_OK)
		return;
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) ==
	    SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	column = sqlite3_prepare_v2(db, "SELECT reply_key FROM reports", -1,
	    &st, NULL) == SQLITE_OK;
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db, "SELECT x FROM outcomes", -1, &st, NULL) ==
	    SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		old = strcmp((const char *)sqlite3_column_text(st, 0),
		    "mine") == 0;
	sqlite3_finalize(st);
	sqlite3_close(db);
	ok(version == 1 && !column && old,
	    "the file is still version 1 (%d), without the new columns, its "
	    "own table untouched", version);
	remove_db();
}

static void
test_garbage(void)
{
	uint8_t junk[8192];
	int fd;

	randombytes_buf(junk, sizeof(junk));
	fd = open(dbpath, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ok(fd >= 0 && write(fd, junk, sizeof(junk)) == (ssize_t)sizeof(junk),
	    "a file of random bytes");
	close(fd);
	refused_unchanged("random bytes", "not an SQLite database");

	fd = open(dbpath, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ok(fd >= 0 && write(fd, "hello\n", 6) == 6, "a short text file");
	close(fd);
	refused_unchanged("a text file", "not an SQLite database");
}

/* A sound header but a damaged b-tree page: quick_check says so. */
static void
test_corrupt(void)
{
	uint8_t junk[512];
	int fd;

	make_sqlite_file("PRAGMA page_size = 4096; CREATE TABLE t (x); "
	    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
	    "WHERE i < 2000) INSERT INTO t SELECT hex(randomblob(20)) FROM n;");
	memset(junk, 0x5a, sizeof(junk));
	fd = open(dbpath, O_WRONLY);
	ok(fd >= 0 && pwrite(fd, junk, sizeof(junk), 4096 * 3 + 8) ==
	    (ssize_t)sizeof(junk), "a page of the file overwritten");
	close(fd);
	refused_unchanged("a damaged page", "corrupt");
}

static void
test_link(void)
{
	char target[sizeof(tmp) + 16];

	snprintf(target, sizeof(target), "%s/elsewhere.db", tmp);
	make_sqlite_file("CREATE TABLE x (y);");
	rename(dbpath, target);
	ok(symlink(target, dbpath) == 0, "cases.db a link to a database");
	refused_unchanged("a symbolic link", "not a regular file");
	ok(access(target, F_OK) == 0, "the link's target is still there");
	unlink(target);
}

static void
test_url_ids(void)
{
	static const char b[] = "http://example.com/b";
	char id[CASES_URL_ID_MAX + 1], id2[CASES_URL_ID_MAX + 1];
	struct cases *c;

	/* Pinned: Python's hashlib.blake2b(digest_size=32) and base64.b32encode. */
	cases_url_id(b, strlen(b), CASES_URL_ID_SHORT, id);
	ok(strcmp(id, "ufu5jsyb7rr") == 0, "short id of %s (%s)", b, id);
	cases_url_id(b, strlen(b), CASES_URL_ID_LONG, id);
	ok(strcmp(id, "ufu5jsyb7rrswacgfvjnr") == 0, "long id (%s)", id);

	if ((c = open_quiet(CASES_CREATE)) == NULL) {
		ok(0, "open for the url tests (%s)", errbuf);
		return;
	}
	ok(cases_begin(c) == 0, "begin");
	ok(cases_url_add(c, "http://example.com/", "example.com", id) == 0 &&
	    strcmp(id, "ueihn6bmjlr") == 0, "a new URL gets its short id (%s)",
	    id);
	ok(cases_url_add(c, "http://example.com/", "example.com", id2) == 0 &&
	    strcmp(id2, id) == 0, "the same URL again: the same id");
	/* Another URL that (as if by chance) holds b's short id. */
	ok(sqlite3_exec(cases_db(c), "INSERT INTO urls VALUES ('ufu5jsyb7rr', "
	    "'http://other.example/', 'other.example')", NULL, NULL, NULL) ==
	    SQLITE_OK, "another URL holds the short id of %s", b);
	ok(cases_url_add(c, b, "example.com", id) == 0 &&
	    strcmp(id, "ufu5jsyb7rrswacgfvjnr") == 0,
	    "the newcomer takes the long id (%s)", id);
	ok(cases_url_add(c, b, "example.com", id2) == 0 &&
	    strcmp(id2, id) == 0, "and keeps it (%s)", id2);
	ok(cases_commit(c) == 0, "commit");
	is_int(query_int(c, "SELECT count(*) FROM urls"), 3, "three URLs");
	ok(strcmp(query_text(c, "SELECT host FROM urls WHERE id = "
	    "'ufu5jsyb7rrswacgfvjnr'"), "example.com") == 0, "host recorded");
	cases_close(c);
	remove_db();
}

#define TEXT(s) { (s), sizeof(s) - 1 }

static void
test_record(void)
{
	/* A line of any bytes: NUL, escape, RTL override, not UTF-8. */
	static const char odd[] = "x\0y\x1b[31m\xe2\x80\xae" "evil\xff";
	static const struct cases_text lines1[] = {
		TEXT("http://Example.com/a/../b"), TEXT("  \t\r"),
		TEXT("hxxp://example[.]com/b#frag"), TEXT("not a url at all"),
		TEXT(odd),
	};
	static const struct cases_text lines2[] = {
		TEXT("example.com/b"), TEXT("https://only-two.example/"),
	};
	static const struct cases_attachment att[] = {
		{ .name = "photo.jpg", .size = 1234, .sha256 = "ab"
		    "0123456789abcdef0123456789abcdef"
		    "0123456789abcdef0123456789abcd" },
	};
	static const struct cases_attachment att2[] = {
		{ .name = "a.png", .size = 10, .sha256 = "cd" /* 64 digits */
		    "0123456789abcdef0123456789abcdef"
		    "0123456789abcdef0123456789abcd",
		    .md5 = "0123456789abcdef0123456789abcdef",
		    .sha1 = "0123456789abcdef0123456789abcdef01234567",
		    .type = "image/png", .width = 64, .height = 48,
		    .pdq = "ef0123456789abcdef0123456789abcd"
		    "ef0123456789abcdef0123456789abcd", .pdq_quality = 90,
		    .known_list = "iwf", .known_grade = "A",
		    .metadata_warnings = "[\"GPS position\"]" },
	};
	struct cases_report r1 = { .id = "11111111111111111111111111111111",
		.received = TEXT("2026-11-01"), .language = TEXT("fr"),
		.category = TEXT("csam"), .description = TEXT("une description"),
		.lines = lines1, .nlines = 5, .att = att, .natt = 1 };
	struct cases_report r2 = { .id = "22222222222222222222222222222222",
		.received = TEXT("2026-11-02"), .description = TEXT("second"),
		.lines = lines2, .nlines = 2, .att = att2, .natt = 1,
		.reply_key = "00112233445566778899aabbccddeeff"
		    "00112233445566778899aabbccddeeff",
		.follow_up_of = "11111111111111111111111111111111" };
	struct cases *c;
	sqlite3_stmt *st;

	if ((c = open_quiet(CASES_CREATE)) == NULL) {
		ok(0, "open for the record tests (%s)", errbuf);
		return;
	}
	is_int(cases_has_report(c, r1.id), 0, "not recorded yet");
	ok(cases_begin(c) == 0 && cases_record(c, &r1) == 0 &&
	    cases_record(c, &r2) == 0 && cases_commit(c) == 0,
	    "two reports recorded");
	is_int(cases_has_report(c, r1.id), 1, "recorded");
	is_int(query_int(c, "SELECT count(*) FROM reports"), 2, "2 reports");
	is_int(query_int(c, "SELECT count(*) FROM report_lines WHERE "
	    "report_id = '11111111111111111111111111111111'"), 4,
	    "the blank line is not recorded");
	is_int(query_int(c, "SELECT max(pos) FROM report_lines WHERE "
	    "report_id = '11111111111111111111111111111111'"), 3,
	    "positions count the lines kept");
	is_int(query_int(c, "SELECT count(*) FROM urls"), 2,
	    "three spellings of example.com/b and one other URL: 2 URLs");
	is_int(query_int(c, "SELECT count(DISTINCT report_id) FROM "
	    "report_lines WHERE url_id = 'ufu5jsyb7rr'"), 2,
	    "both reports name http://example.com/b (ufu5jsyb7rr)");
	is_int(query_int(c, "SELECT count(*) FROM report_lines WHERE "
	    "url_id IS NULL"), 2, "the text lines have no URL");
	ok(sqlite3_prepare_v2(cases_db(c), "SELECT as_typed FROM report_lines "
	    "WHERE report_id = '11111111111111111111111111111111' AND pos = 3",
	    -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_bytes(st, 0) == (int)sizeof(odd) - 1 &&
	    memcmp(sqlite3_column_blob(st, 0), odd, sizeof(odd) - 1) == 0,
	    "a line of odd bytes is kept byte for byte");
	sqlite3_finalize(st);
	ok(strcmp(query_text(c, "SELECT sha256 || ' ' || size || ' ' || name "
	    "FROM attachments WHERE report_id = '1111111111111111111111111111"
	    "1111'"), "ab0123456789abcdef0123456789abcdef0123456789"
	    "abcdef0123456789abcd 1234 photo.jpg") == 0, "the attachment");
	is_int(query_int(c, "SELECT count(*) FROM attachments WHERE name = "
	    "'photo.jpg' AND coalesce(md5, sha1, type, width, height, pdq, "
	    "pdq_quality, known_list, known_grade, metadata_warnings) IS "
	    "NULL"), 1, "an attachment given no media fields: NULL columns");
	ok(strcmp(query_text(c, "SELECT md5 || ' ' || sha1 || ' ' || type || "
	    "' ' || width || ' ' || height || ' ' || pdq || ' ' || pdq_quality "
	    "|| ' ' || known_list || ' ' || known_grade || ' ' || "
	    "metadata_warnings FROM attachments WHERE name = 'a.png'"),
	    "0123456789abcdef0123456789abcdef "
	    "0123456789abcdef0123456789abcdef01234567 image/png 64 48 "
	    "ef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd"
	    " 90 iwf A [\"GPS position\"]") == 0,
	    "an image's media fields are recorded");
	is_int(query_int(c, "SELECT count(*) FROM reports WHERE id = "
	    "'11111111111111111111111111111111' AND reply_key IS NULL AND "
	    "follow_up_of IS NULL"), 1, "no reply key given: NULL columns");
	ok(strcmp(query_text(c, "SELECT reply_key || ' ' || follow_up_of FROM "
	    "reports WHERE id = '22222222222222222222222222222222'"),
	    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff "
	    "11111111111111111111111111111111") == 0,
	    "a reply key and the report it follows up are recorded");
	ok(strcmp(query_text(c, "SELECT language || category || seen_on || "
	    "received FROM reports WHERE id = '2222222222222222222222222222222"
	    "2'"), "2026-11-02") == 0, "missing fields are empty");
	is_int(query_int(c, "SELECT count(*) FROM search WHERE search MATCH "
	    "'description'"), 1, "the description is searchable");
	ok(strcmp(query_text(c, "SELECT report_id FROM search WHERE search "
	    "MATCH 'urls:\"only-two\"'"), r2.id) == 0, "so are the lines");

	ok(cases_begin(c) == 0 && cases_forget(c, r2.id) == 0 &&
	    cases_commit(c) == 0, "the second report forgotten");
	is_int(cases_has_report(c, r2.id), 0, "it is not recorded");
	is_int(query_int(c, "SELECT count(*) FROM report_lines WHERE "
	    "report_id = '22222222222222222222222222222222'") +
	    query_int(c, "SELECT count(*) FROM search WHERE report_id = "
	    "'22222222222222222222222222222222'"), 0, "nor its lines");
	is_int(query_int(c, "SELECT count(*) FROM urls"), 1,
	    "the URL only it named is gone, the shared one stays");
	is_int(query_int(c, "PRAGMA foreign_key_check"), -1,
	    "no dangling reference");
	cases_close(c);
	remove_db();
}

int
main(void)
{
	if (sodium_init() < 0 || mkdtemp(tmp) == NULL)
		return 1;
	snprintf(dbpath, sizeof(dbpath), "%s/%s", tmp, CASES_FILE);
	test_new_file();
	test_newer();
	test_migrate_v1();
	test_migrate_fails();
	test_garbage();
	test_corrupt();
	test_link();
	test_url_ids();
	test_record();
	rmdir(tmp);
	return tap_done();
}
