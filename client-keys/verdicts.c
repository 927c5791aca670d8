/*
 * verdicts: see verdicts.h.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <sqlite3.h>

#include "cases.h"
#include "cli.h"
#include "encode.h"
#include "utf8.h"
#include "verdicts.h"

static const char *const allowed[] = {
	[VERDICTS_VERDICT] = "actioned|not-illegal|off-remit|unreachable",
	[VERDICTS_SEVERITY] = "A|B|C",
	[VERDICTS_AGE_BAND] = "0-2|3-6|7-10|11-13|14-15|16-17|unknown",
	[VERDICTS_SEX] = "girls|boys|both|unidentified",
	[VERDICTS_SITE_TYPE] =
	    "website|image-host|file-host|forum|social|video|chat|other",
	[VERDICTS_REFERRED_TO] = "police|host|hotline|none",
};

/* The hashed columns in the order of docs/cases.md, then the hash. */
#define COLUMNS "seq, url_id, at, verdict, severity, age_band, sex, " \
	"self_generated, ai_generated, site_type, hosting_country, " \
	"referred_to, note, analyst"

const char *
verdicts_allowed(enum verdicts_enum field)
{
	return allowed[field];
}

int
verdicts_is_allowed(enum verdicts_enum field, const char *s)
{
	const char *p = allowed[field];
	size_t len = strlen(s);

	if (len == 0 || strchr(s, '|') != NULL)
		return 0;
	for (;;) {
		size_t n = strcspn(p, "|");

		if (n == len && memcmp(p, s, len) == 0)
			return 1;
		if (p[n] == '\0')
			return 0;
		p += n + 1;
	}
}

int
verdicts_text_ok(const char *s, size_t max)
{
	size_t len = strlen(s);

	if (len == 0 || len > max)
		return 0;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_decode((const uint8_t *)s + i, len - i, &cp);

		if (n == 0 || cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
			return 0;
		i += n;
	}
	return 1;
}

void
verdicts_chain(const uint8_t prev[VERDICTS_HASH_BYTES],
    const struct verdicts_cell cells[VERDICTS_FIELDS],
    uint8_t out[VERDICTS_HASH_BYTES])
{
	crypto_generichash_state h;
	uint8_t len[4];

	crypto_generichash_init(&h, NULL, 0, VERDICTS_HASH_BYTES);
	crypto_generichash_update(&h, prev, VERDICTS_HASH_BYTES);
	for (size_t i = 0; i < VERDICTS_FIELDS; i++) {
		encode_be32(len, cells[i].p == NULL ? UINT32_MAX :
		    (uint32_t)cells[i].len);
		crypto_generichash_update(&h, len, sizeof(len));
		if (cells[i].p != NULL)
			crypto_generichash_update(&h, cells[i].p, cells[i].len);
	}
	crypto_generichash_final(&h, out, VERDICTS_HASH_BYTES);
}

/* A cell for a NUL-terminated string, NULL staying NULL. */
static struct verdicts_cell
str_cell(const char *s)
{
	return (struct verdicts_cell){ s, s != NULL ? strlen(s) : 0 };
}

/* The cells of a new row; num holds the decimal texts they point into. */
static void
row_cells(struct verdicts_cell cells[VERDICTS_FIELDS], char num[3][24],
    int64_t seq, const char *id, const char *at, const struct verdicts_row *r)
{
	snprintf(num[0], sizeof(num[0]), "%" PRId64, seq);
	snprintf(num[1], sizeof(num[1]), "%d", r->self_generated ? 1 : 0);
	snprintf(num[2], sizeof(num[2]), "%d", r->ai_generated ? 1 : 0);
	cells[0] = str_cell(num[0]);
	cells[1] = str_cell(id);
	cells[2] = str_cell(at);
	cells[3] = str_cell(r->verdict);
	cells[4] = str_cell(r->severity);
	cells[5] = str_cell(r->age_band);
	cells[6] = str_cell(r->sex);
	cells[7] = str_cell(num[1]);
	cells[8] = str_cell(num[2]);
	cells[9] = str_cell(r->site_type);
	cells[10] = str_cell(r->hosting_country);
	cells[11] = str_cell(r->referred_to);
	cells[12] = str_cell(r->note);
	cells[13] = str_cell(r->analyst);
}

/* The log's state as meta keeps it: count and head (zeros when empty). */
struct head {
	int64_t count;
	uint8_t hash[VERDICTS_HASH_BYTES];
};

static int
read_meta(struct cases *c, struct head *m)
{
	static const char sql[] = "SELECT "
	    "(SELECT value FROM meta WHERE key = 'verdicts_count'), "
	    "(SELECT value FROM meta WHERE key = 'verdicts_head')";
	sqlite3_stmt *st;
	const char *hex;

	memset(m, 0, sizeof(*m));
	if (sqlite3_prepare_v2(cases_db(c), sql, -1, &st, NULL) != SQLITE_OK)
		return cases_sqlerr(c, "cannot read meta");
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return cases_sqlerr(c, "cannot read meta");
	}
	m->count = sqlite3_column_int64(st, 0);
	hex = (const char *)sqlite3_column_text(st, 1);
	if (hex != NULL && decode_hex(m->hash, sizeof(m->hash), hex,
	    strlen(hex)) != 0)
		m->count = -1;	/* an unreadable head matches no log */
	sqlite3_finalize(st);
	return 0;
}

static int
write_meta(struct cases *c, const struct head *m)
{
	static const char sql[] = "INSERT INTO meta (key, value) VALUES "
	    "('verdicts_count', ?1), ('verdicts_head', ?2) "
	    "ON CONFLICT (key) DO UPDATE SET value = excluded.value";
	char hex[ENCODE_HEX_LEN(VERDICTS_HASH_BYTES) + 1];
	sqlite3_stmt *st;
	int rc;

	encode_hex(hex, m->hash, sizeof(m->hash));
	if (sqlite3_prepare_v2(cases_db(c), sql, -1, &st, NULL) != SQLITE_OK)
		return cases_sqlerr(c, "cannot write meta");
	sqlite3_bind_int64(st, 1, m->count);
	sqlite3_bind_text(st, 2, hex, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : cases_sqlerr(c, "cannot write meta");
}

/* The last row of the log as it is: its seq and hash (0 and zeros if empty). */
static int
read_last(struct cases *c, struct head *last)
{
	static const char sql[] =
	    "SELECT seq, hash FROM verdicts ORDER BY seq DESC LIMIT 1";
	sqlite3_stmt *st;
	int rc;

	memset(last, 0, sizeof(*last));
	if (sqlite3_prepare_v2(cases_db(c), sql, -1, &st, NULL) != SQLITE_OK)
		return cases_sqlerr(c, "cannot read the verdict log");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		last->count = sqlite3_column_int64(st, 0);
		if (sqlite3_column_bytes(st, 1) == VERDICTS_HASH_BYTES)
			memcpy(last->hash, sqlite3_column_blob(st, 1),
			    VERDICTS_HASH_BYTES);
		else
			last->count = -1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cases_sqlerr(c, "cannot read the verdict log");
	return 0;
}

static int
insert_row(sqlite3_stmt *st, const struct verdicts_cell cells[VERDICTS_FIELDS],
    const uint8_t hash[VERDICTS_HASH_BYTES])
{
	static const int integer[VERDICTS_FIELDS] = { 1, 0, 0, 0, 0, 0, 0, 1, 1 };

	sqlite3_reset(st);
	for (int i = 0; i < VERDICTS_FIELDS; i++) {
		if (cells[i].p == NULL)
			sqlite3_bind_null(st, i + 1);
		else if (integer[i])
			sqlite3_bind_int64(st, i + 1,
			    strtoll(cells[i].p, NULL, 10));
		else
			sqlite3_bind_text(st, i + 1, cells[i].p,
			    (int)cells[i].len, SQLITE_STATIC);
	}
	sqlite3_bind_blob(st, VERDICTS_FIELDS + 1, hash, VERDICTS_HASH_BYTES,
	    SQLITE_STATIC);
	return sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
}

int
verdicts_append(struct cases *c, const char *const *ids, size_t n,
    const struct verdicts_row *row, const char *at, int64_t *first)
{
	static const char sql[] = "INSERT INTO verdicts (" COLUMNS ", hash) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
	    "?14, ?15)";
	struct verdicts_cell cells[VERDICTS_FIELDS];
	struct head m, last;
	sqlite3_stmt *st;
	char num[3][24];

	if (read_meta(c, &m) != 0 || read_last(c, &last) != 0)
		return -1;
	if (m.count != last.count || (m.count > 0 &&
	    sodium_memcmp(m.hash, last.hash, VERDICTS_HASH_BYTES) != 0)) {
		cli_error("%s: the verdict log does not end where meta says "
		    "it does: run 'oniondrop-keys verify'; nothing recorded",
		    cases_path(c));
		return -1;
	}
	if (sqlite3_prepare_v2(cases_db(c), sql, -1, &st, NULL) != SQLITE_OK)
		return cases_sqlerr(c, "cannot record a verdict");
	*first = last.count + 1;
	for (size_t i = 0; i < n; i++) {
		row_cells(cells, num, ++last.count, ids[i], at, row);
		verdicts_chain(last.hash, cells, last.hash);
		if (insert_row(st, cells, last.hash) != 0) {
			sqlite3_finalize(st);
			return cases_sqlerr(c, "cannot record a verdict");
		}
	}
	sqlite3_finalize(st);
	return write_meta(c, &last);
}

/* The cells of the row st is on, as stored (integers as decimal text). */
static void
stored_cells(sqlite3_stmt *st, struct verdicts_cell cells[VERDICTS_FIELDS])
{
	for (int i = 0; i < VERDICTS_FIELDS; i++) {
		const void *p = NULL;

		if (sqlite3_column_type(st, i) != SQLITE_NULL &&
		    (p = sqlite3_column_blob(st, i)) == NULL)
			p = "";	/* an empty text or blob */
		cells[i] = (struct verdicts_cell){ p,
		    (size_t)sqlite3_column_bytes(st, i) };
	}
}

/* Check one stored row against the chain so far; 0 if it holds, else 1. */
static int
check_row(sqlite3_stmt *st, struct head *h)
{
	struct verdicts_cell cells[VERDICTS_FIELDS];
	int64_t seq = sqlite3_column_int64(st, 0);
	const void *stored;

	if (seq != h->count + 1) {
		cli_error("verdict log broken: verdict %" PRId64 " is missing "
		    "(deleted): the next one kept is %" PRId64, h->count + 1, seq);
		return 1;
	}
	stored_cells(st, cells);
	verdicts_chain(h->hash, cells, h->hash);
	stored = sqlite3_column_blob(st, VERDICTS_FIELDS);
	if (sqlite3_column_bytes(st, VERDICTS_FIELDS) != VERDICTS_HASH_BYTES ||
	    sodium_memcmp(stored, h->hash, VERDICTS_HASH_BYTES) != 0) {
		cli_error("verdict log broken at verdict %" PRId64 ": it does "
		    "not match its hash (edited)", seq);
		return 1;
	}
	h->count = seq;
	return 0;
}

/* Compare the end of an unbroken chain with meta; 0 if they agree, else 1. */
static int
check_end(const struct head *h, const struct head *m)
{
	if (m->count < 0) {
		cli_error("verdict log broken: meta's verdicts_head is not a "
		    "hash (edited)");
		return 1;
	}
	if (m->count > h->count) {
		int many = m->count > h->count + 1;
		char to[32] = "";

		if (many)
			snprintf(to, sizeof(to), " to %" PRId64, m->count);
		cli_error("verdict log broken: %" PRId64 " verdicts, meta counts "
		    "%" PRId64 ": verdict%s %" PRId64 "%s %s removed", h->count,
		    m->count, many ? "s" : "", h->count + 1, to,
		    many ? "were" : "was");
		return 1;
	}
	if (m->count < h->count) {
		cli_error("verdict log broken: %" PRId64 " verdicts, meta counts "
		    "%" PRId64 ": verdict %" PRId64 " was not recorded by "
		    "oniondrop-keys", h->count, m->count, m->count + 1);
		return 1;
	}
	if (h->count > 0 &&
	    sodium_memcmp(h->hash, m->hash, VERDICTS_HASH_BYTES) != 0) {
		cli_error("verdict log broken at verdict %" PRId64 ": it is not "
		    "the last verdict meta keeps (replaced)", h->count);
		return 1;
	}
	return 0;
}

int
verdicts_verify(struct cases *c, int64_t *count)
{
	static const char sql[] = "SELECT " COLUMNS ", hash FROM verdicts "
	    "ORDER BY seq";
	struct head h = { 0 }, m;
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, broken = 0;

	if (read_meta(c, &m) != 0)
		return -1;
	if (sqlite3_prepare_v2(cases_db(c), sql, -1, &st, NULL) != SQLITE_OK)
		return cases_sqlerr(c, "cannot read the verdict log");
	while (!broken && (rc = sqlite3_step(st)) == SQLITE_ROW)
		broken = check_row(st, &h);
	sqlite3_finalize(st);
	if (broken)
		return 1;
	if (rc != SQLITE_DONE)
		return cases_sqlerr(c, "cannot read the verdict log");
	*count = h.count;
	return check_end(&h, &m);
}
