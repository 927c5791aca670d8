/*
 * test_known: client-keys/known on a case file. A new file holds the
 * empty list `local` (schema 3). An imported list keeps its distinct
 * hashes (a duplicate counted, the first grade kept), its format, file
 * hash and count; importing the same name again replaces it, saying what
 * it replaced, and the old hashes are gone. Names are checked. The
 * matcher finds exact SHA-256, SHA-1 and MD5 hashes (SHA-256 first) and
 * PDQ hashes within 31 bits of a listed one when the quality is at least
 * 50, and nothing else. The local list follows the verdicts: an actioned
 * URL brings its reports' attachments in (SHA-256, and PDQ of quality 50
 * or more) with the most severe severity as grade, an identical
 * attachment of another report stays while its own URL is actioned, and a
 * later verdict that is not actioned takes them out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "cases.h"
#include "known.h"
#include "tap.h"
#include "verdicts.h"

#define MD5A "d41d8cd98f00b204e9800998ecf8427e"
#define SHA1A "da39a3ee5e6b4b0d3255bfef95601890afd80709"
#define SHA256A "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA256B "ab0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd"
#define PDQA "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"

static char tmp[] = "/tmp/test_known.XXXXXX";

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

static const char *
query_text(struct cases *c, const char *sql)
{
	static char buf[256];
	sqlite3_stmt *st;

	buf[0] = '\0';
	if (sqlite3_prepare_v2(cases_db(c), sql, -1, &st, NULL) != SQLITE_OK)
		return "(error)";
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(buf, sizeof(buf), "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return buf;
}

static void
hex(uint8_t *out, size_t len, const char *text)
{
	sodium_hex2bin(out, len, text, strlen(text), NULL, NULL, NULL);
}

/* Import the list name: (format, hex, grade or NULL) entries. */
static int
import(struct cases *c, const char *name, enum hashlist_format format,
    const char *const *hexes, const char *const *grades, size_t n,
    struct known_replaced *old, int64_t *count, int64_t *dups)
{
	struct known_import *im;
	int rc = -1;

	if (cases_begin(c) != 0)
		return -1;
	if ((im = known_import_begin(c, name, old)) == NULL)
		goto done;
	for (size_t i = 0; i < n; i++) {
		struct hashlist_entry e = { .format = format, .line = i + 1 };

		e.len = strlen(hexes[i]) / 2;
		hex(e.value, e.len, hexes[i]);
		snprintf(e.grade, sizeof(e.grade), "%s",
		    grades[i] ? grades[i] : "");
		if (known_import_add(im, &e) != 0)
			goto done;
	}
	rc = known_import_end(im, format, "00ff", count, dups);
done:
	known_import_free(im);
	if (rc == 0)
		return cases_commit(c);
	cases_rollback(c);
	return -1;
}

static void
test_names(void)
{
	static const char *const good[] = { "iwf", "IWF-2026.12_a", "a",
		"0123456789012345678901234567890123456789012345678901234567890123" };
	static const char *const bad[] = { "", "local", "-x", ".x", "a b",
		"a/b", "é", "01234567890123456789012345678901234567890123456789"
		"0123456789012" "34" };

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ok(known_name_ok(good[i]), "name '%s' taken", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(!known_name_ok(bad[i]), "name '%s' refused", bad[i]);
}

static void
test_import(struct cases *c)
{
	static const char *const h1[] = { MD5A, "0cc175b9c0f1b6a831c399e269772661",
		MD5A };
	static const char *const g1[] = { "A", NULL, "C" };
	static const char *const h2[] = { SHA256A };
	static const char *const g2[] = { "B" };
	struct known_replaced old;
	int64_t count = 0, dups = 0;

	ok(strcmp(query_text(c, "SELECT name || ' ' || format || ' ' || count "
	    "FROM hashlists"), "local sha256+pdq 0") == 0,
	    "a new case file has the empty list local");
	ok(import(c, "iwf", HASHLIST_MD5, h1, g1, 3, &old, &count, &dups) ==
	    0 && count == 2 && dups == 1 && !old.found,
	    "a list of 3 lines, one repeated: 2 hashes, 1 duplicate");
	ok(strcmp(query_text(c, "SELECT format || ' ' || count || ' ' || "
	    "source_file_sha256 FROM hashlists WHERE name = 'iwf'"),
	    "md5 2 00ff") == 0, "its format, count and file hash (%s)",
	    query_text(c, "SELECT format || ' ' || count || ' ' || "
	    "source_file_sha256 FROM hashlists WHERE name = 'iwf'"));
	ok(strcmp(query_text(c, "SELECT grade FROM hashes WHERE kind = 'md5' "
	    "AND value = x'" MD5A "'"), "A") == 0,
	    "the first line's grade is kept");
	is_int(query_int(c, "SELECT count(*) FROM hashes WHERE kind = 'md5' "
	    "AND grade IS NULL"), 1, "a line without a grade: NULL");
	ok(import(c, "iwf", HASHLIST_SHA256, h2, g2, 1, &old, &count, &dups) ==
	    0 && count == 1 && old.found && old.count == 2 &&
	    strlen(old.day) == 10, "imported again: it replaces the list of "
	    "%s with 2 hashes", old.day);
	is_int(query_int(c, "SELECT count(*) FROM hashes WHERE kind = 'md5'"),
	    0, "the old hashes are gone");
	ok(import(c, "other", HASHLIST_MD5, h1, g1, 1, &old, &count, &dups) ==
	    0, "a second list");
	is_int(query_int(c, "SELECT count(*) FROM hashlists"), 3,
	    "three lists: local, iwf, other");
}

static void
test_match(struct cases *c)
{
	static const char *const sha1[] = { SHA1A };
	static const char *const pdq[] = { PDQA };
	static const char *const grade[] = { "B" };
	struct known_replaced old;
	int64_t count, dups;
	uint8_t md5[16], s1[20], s256[32], other[32] = { 1 };
	struct pdq_hash p;
	struct known_query q = { 0 };
	struct known_hit hit;
	struct known *k;

	import(c, "sha1s", HASHLIST_SHA1, sha1, grade, 1, &old, &count, &dups);
	import(c, "pdqs", HASHLIST_PDQ, pdq, grade, 1, &old, &count, &dups);
	if ((k = known_load(c)) == NULL) {
		ok(0, "known_load");
		return;
	}
	is_int(known_pdq_count(k), 1, "one PDQ hash in memory");
	hex(md5, 16, MD5A);
	hex(s1, 20, SHA1A);
	hex(s256, 32, SHA256A);
	pdq_parse(&p, PDQA, 64);
	q.md5 = md5;
	ok(known_match(k, &q, &hit) == 1 && strcmp(hit.list, "other") == 0 &&
	    strcmp(hit.grade, "A") == 0 && hit.kind == HASHLIST_MD5,
	    "an MD5 on a list: its name and grade");
	q.sha1 = s1;
	q.sha256 = other;
	ok(known_match(k, &q, &hit) == 1 && strcmp(hit.list, "sha1s") == 0 &&
	    hit.kind == HASHLIST_SHA1, "SHA-1 before MD5 (%s)", hit.list);
	q.sha256 = s256;
	ok(known_match(k, &q, &hit) == 1 && strcmp(hit.list, "iwf") == 0 &&
	    hit.kind == HASHLIST_SHA256 && strcmp(hit.grade, "B") == 0,
	    "SHA-256 before both (%s)", hit.list);
	memset(&q, 0, sizeof(q));
	q.sha256 = other;
	ok(known_match(k, &q, &hit) == 0, "an unlisted SHA-256: none");
	p.b[0] ^= 0xff;
	p.b[1] ^= 0xff;
	p.b[2] ^= 0xff;
	p.b[3] ^= 0x7f;		/* 31 bits */
	q.pdq = &p;
	q.quality = 50;
	ok(known_match(k, &q, &hit) == 1 && strcmp(hit.list, "pdqs") == 0 &&
	    hit.kind == HASHLIST_PDQ && hit.distance == 31,
	    "a PDQ 31 bits away, quality 50: found (distance %d)",
	    hit.distance);
	q.quality = 49;
	ok(known_match(k, &q, &hit) == 0, "quality 49: not looked for");
	q.quality = 100;
	p.b[3] ^= 0x80;		/* 32 bits */
	ok(known_match(k, &q, &hit) == 0, "32 bits away: none");
	known_free(k);
}

#define TEXT(s) { (s), sizeof(s) - 1 }

/* Report id naming the URL line, with attachments of the given hashes. */
static void
record(struct cases *c, const char *id, const char *url,
    const struct cases_attachment *att, size_t natt)
{
	struct cases_text line = { url, strlen(url) };
	struct cases_report r = { .id = id, .received = TEXT("2026-12-01"),
		.lines = &line, .nlines = 1, .att = att, .natt = natt };

	ok(cases_begin(c) == 0 && cases_record(c, &r) == 0 &&
	    cases_commit(c) == 0, "report %.4s... recorded", id);
}

/* assess: a verdict for url, and the local list updated. */
static int
assess(struct cases *c, const char *url_id, const char *verdict,
    const char *severity, long *added, long *removed)
{
	struct verdicts_row row = { .verdict = verdict, .severity = severity };
	int64_t first;

	*added = *removed = -1;
	if (cases_begin(c) != 0)
		return -1;
	if (verdicts_append(c, &url_id, 1, &row, "2026-12-02T10:00:00Z",
	    &first) != 0 || known_local_update(c, &url_id, 1, added,
	    removed) != 0) {
		cases_rollback(c);
		return -1;
	}
	return cases_commit(c);
}

static char url_a[CASES_URL_ID_MAX + 1], url_b[CASES_URL_ID_MAX + 1];

static void
local_setup(struct cases *c)
{
	static const struct cases_attachment a1[] = {
		{ .name = "a.jpg", .size = 10, .sha256 = SHA256A },
		{ .name = "b.png", .size = 20, .sha256 = SHA256B },
	};
	static const struct cases_attachment a2[] = {
		{ .name = "c.jpg", .size = 10, .sha256 = SHA256A },
	};

	record(c, "11111111111111111111111111111111", "http://a.example/", a1,
	    2);
	record(c, "22222222222222222222222222222222", "http://b.example/", a2,
	    1);
	/* What decrypt will record of the images: a.jpg's PDQ of quality
	 * 80, b.png's of quality 30 (too flat to list). */
	sqlite3_exec(cases_db(c), "UPDATE attachments SET pdq = '" PDQA "', "
	    "pdq_quality = 80 WHERE name = 'a.jpg';"
	    "UPDATE attachments SET pdq = '" SHA256B "', pdq_quality = 30 "
	    "WHERE name = 'b.png'", NULL, NULL, NULL);
	snprintf(url_a, sizeof(url_a), "%s", query_text(c, "SELECT id FROM "
	    "urls WHERE host = 'a.example'"));
	snprintf(url_b, sizeof(url_b), "%s", query_text(c, "SELECT id FROM "
	    "urls WHERE host = 'b.example'"));
}

#define LOCAL_WHERE "WHERE list_id = (SELECT id FROM hashlists WHERE " \
	"name = 'local')"
#define LOCAL_ROWS "SELECT count(*) FROM hashes " LOCAL_WHERE
#define LOCAL_GRADE "SELECT group_concat(grade) FROM hashes " LOCAL_WHERE \
	" AND kind = 'sha256' AND value = x'" SHA256A "'"

static void
test_local(struct cases *c)
{
	long added, removed;

	local_setup(c);
	ok(assess(c, url_a, "not-illegal", NULL, &added, &removed) == 0 &&
	    added == 0 && removed == 0, "not-illegal: nothing joins local");
	ok(assess(c, url_a, "actioned", "B", &added, &removed) == 0 &&
	    added == 3 && removed == 0, "actioned: the report's two SHA-256 "
	    "and a.jpg's PDQ join (%ld added)", added);
	is_int(query_int(c, LOCAL_ROWS " AND kind = 'pdq'"), 1,
	    "b.png's PDQ, of quality 30, does not");
	ok(strcmp(query_text(c, LOCAL_GRADE), "B") == 0,
	    "grade B, the verdict's severity");
	is_int(query_int(c, "SELECT count FROM hashlists WHERE name = "
	    "'local'"), 3, "the list counts 3");
	ok(assess(c, url_b, "actioned", "A", &added, &removed) == 0 &&
	    added == 0 && removed == 0, "the other report (same a.jpg "
	    "bytes), actioned A: nothing new");
	ok(strcmp(query_text(c, LOCAL_GRADE), "A") == 0,
	    "the most severe grade: A");
	ok(assess(c, url_a, "not-illegal", NULL, &added, &removed) == 0 &&
	    added == 0 && removed == 2, "the first URL now not-illegal: "
	    "b.png and a.jpg's PDQ leave (%ld), a.jpg's SHA-256 stays, "
	    "the other report holds it", removed);
	ok(strcmp(query_text(c, LOCAL_GRADE), "A") == 0, "... grade A");
	ok(assess(c, url_b, "off-remit", NULL, &added, &removed) == 0 &&
	    removed == 1 && query_int(c, LOCAL_ROWS) == 0 &&
	    query_int(c, "SELECT count FROM hashlists WHERE name = 'local'") ==
	    0, "and off-remit for the other: the list is empty again");
	ok(assess(c, url_a, "actioned", NULL, &added, &removed) == 0 &&
	    added == 3 && query_int(c, LOCAL_ROWS " AND grade IS NULL") == 3,
	    "actioned without a severity: no grade");
}

int
main(void)
{
	struct cases *c;
	char path[sizeof(tmp) + 32];

	if (sodium_init() < 0 || mkdtemp(tmp) == NULL)
		return 1;
	test_names();
	if ((c = cases_open(tmp, CASES_CREATE)) == NULL) {
		ok(0, "a case file");
		return tap_done();
	}
	test_import(c);
	test_match(c);
	test_local(c);
	cases_close(c);
	for (const char *const *s = (const char *const[]){ "", "-wal", "-shm",
	    NULL }; *s != NULL; s++) {
		snprintf(path, sizeof(path), "%s/%s%s", tmp, CASES_FILE, *s);
		unlink(path);
	}
	rmdir(tmp);
	return tap_done();
}
