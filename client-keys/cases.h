/*
 * cases: the case file, DIR/cases.db (schema and rules in docs/cases.md).
 * Owns opening it (made 0600 if new, never through a symbolic link), the
 * pragmas every command needs, the schema version and its forward
 * migrations, the refusal of a newer, foreign or corrupt file (which is
 * never written), transactions, the URL ids, and recording a decrypted
 * report. The desk commands read and write the tables through cases_db()
 * with bound parameters only. Every function that fails has printed why.
 */
#ifndef CASES_H
#define CASES_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#define CASES_FILE "cases.db"
#define CASES_SCHEMA_VERSION 3	/* the version this tool writes */

/* A time as the case file writes it: YYYY-MM-DDTHH:MM:SSZ (UTC). */
#define CASES_TIME_LEN 20

/* URL ids: 'u' and 10 (or, after a collision, 20) base32 characters. */
#define CASES_URL_ID_SHORT 10
#define CASES_URL_ID_LONG 20
#define CASES_URL_ID_MAX (1 + CASES_URL_ID_LONG)

/* Flags of cases_open. */
#define CASES_CREATE 1		/* make DIR/cases.db if it does not exist */
#define CASES_READ 2		/* the command only reads: no whole-file
				 * quick_check (0.13-0.19 s at 100,000
				 * reports); SQLite still refuses a damaged
				 * page it reads */

struct cases;

/*
 * cases_open(dir, flags):
 * Open dir/cases.db (with CASES_CREATE, make it, mode 0600, if absent),
 * with foreign_keys on, WAL, synchronous=FULL and a 10 s busy timeout;
 * refuse (nothing written) a file that is a symbolic link, not SQLite, fails
 * quick_check (unless CASES_READ), or has a schema newer than
 * CASES_SCHEMA_VERSION; bring an
 * older one up to date in one transaction. Return NULL after printing why.
 */
struct cases *cases_open(const char *dir, int flags);

/* cases_close(c): finish c's statements and close the file; NULL is a no-op. */
void cases_close(struct cases *c);

/* cases_db(c): the connection, for the desk commands' own statements. */
sqlite3 *cases_db(struct cases *c);

/* cases_path(c): "DIR/cases.db", for messages. */
const char *cases_path(const struct cases *c);

/*
 * cases_sqlerr(c, what):
 * Print "DIR/cases.db: what: <SQLite's message>", naming the file as
 * corrupt when SQLite says so. Return -1 (for `return cases_sqlerr(...)`).
 */
int cases_sqlerr(struct cases *c, const char *what);

/*
 * cases_begin(c) / cases_commit(c) / cases_rollback(c):
 * BEGIN IMMEDIATE (the write lock is taken at once, waiting up to the busy
 * timeout for another writer), COMMIT, ROLLBACK. Return 0, or -1 after
 * printing why; cases_rollback never fails visibly.
 */
int cases_begin(struct cases *c);
int cases_commit(struct cases *c);
void cases_rollback(struct cases *c);

/* cases_now(at): the time now, as the case file writes it. */
void cases_now(char at[CASES_TIME_LEN + 1]);

/*
 * cases_url_id(canonical, len, nchars, id):
 * The id of the canonical URL canonical[0..len): 'u' and the first nchars
 * (CASES_URL_ID_SHORT or CASES_URL_ID_LONG) lower-case base32 characters of
 * its BLAKE2b-256. The same in every case file; id holds
 * CASES_URL_ID_MAX + 1 bytes.
 */
void cases_url_id(const char *canonical, size_t len, int nchars,
    char id[CASES_URL_ID_MAX + 1]);

/*
 * cases_url_add(c, canonical, host, id):
 * The id of the canonical URL in the case file: its row's if it is there,
 * else a new row's, with the short id or, if another URL holds that, the
 * long one. Call inside a transaction. Return 0, or -1 after printing why.
 */
int cases_url_add(struct cases *c, const char *canonical, const char *host,
    char id[CASES_URL_ID_MAX + 1]);

/* Bytes as a bundle gave them: any bytes, not NUL-terminated. */
struct cases_text {
	const char *p;		/* NULL only when len is 0 */
	size_t len;
};

struct cases_attachment {
	const char *name;	/* the file's name under attachments/ */
	uint64_t size;
	const char *sha256;	/* 64 lower-case hex digits */
	/* What decrypt learnt of it (schema 3); NULL or 0: not known. */
	const char *md5;	/* 32 lower-case hex digits */
	const char *sha1;	/* 40 lower-case hex digits */
	const char *type;	/* sniffed from its bytes, e.g. image/jpeg */
	uint32_t width, height;	/* a decoded image's (0: none) */
	const char *pdq;	/* its PDQ hash, 64 lower-case hex digits */
	int pdq_quality;	/* 0..100, with pdq */
	const char *known_list;	/* the hash list that has it */
	const char *known_grade;	/* that list's grade for it */
	const char *metadata_warnings;	/* a JSON array of strings */
};

/* A decrypted report, as decrypt hands it to the case file. */
struct cases_report {
	const char *id;		/* 32 lower-case hex digits */
	struct cases_text received, language, category, seen_on, description;
	const struct cases_text *lines;	/* the urls, one line each, as typed */
	size_t nlines;
	const struct cases_attachment *att;
	size_t natt;
	const char *reply_key;	/* 64 lower-case hex digits, or NULL */
	const char *follow_up_of;	/* the first report's id, or NULL */
};

/*
 * cases_has_report(c, id):
 * 1 if report id is recorded, 0 if not, -1 after printing why.
 */
int cases_has_report(struct cases *c, const char *id);

/*
 * cases_record(c, r):
 * Record report r, not yet recorded, inside the caller's transaction: its
 * reports row (recorded today, UTC; reply_key and follow_up_of as given,
 * the caller has checked their form), a report_lines row for each line
 * that is not blank (spaces, tabs, CR, LF) with the id of its canonical
 * URL (url_canonicalize; the URL added if new) or NULL, its attachments
 * and its search row (the lines joined by newlines). Return 0, or -1
 * after printing why.
 */
int cases_record(struct cases *c, const struct cases_report *r);

/*
 * cases_forget(c, id):
 * Undo, inside the same transaction, what cases_record added for report
 * id (a report that could not then be put in place), with the URLs that
 * only it named and that have no verdict. Return 0, or -1.
 */
int cases_forget(struct cases *c, const char *id);

#endif
