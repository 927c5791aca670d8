/*
 * known: see known.h. Hashes are stored as their bytes (hashes.value), the
 * attachments' as hex (attachments.sha256, .pdq): local_update converts.
 * The matcher interns each (list, grade) pair once and gives the PDQ index
 * the pair's number as payload, so a listed PDQ hash costs the index's
 * memory and nothing more.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "cases.h"
#include "cli.h"
#include "encode.h"
#include "export.h"
#include "known.h"
#include "pdqindex.h"
#include "strmap.h"

int
known_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > KNOWN_NAME_MAX || name[0] == '-' || name[0] == '.' ||
	    strcmp(name, KNOWN_LOCAL) == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= 'A' && name[i] <= 'Z') ||
		    (name[i] >= '0' && name[i] <= '9') || name[i] == '.' ||
		    name[i] == '_' || name[i] == '-'))
			return 0;
	return 1;
}

static int
prepare(struct cases *c, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(cases_db(c), sql, -1, st, NULL) != SQLITE_OK)
		return cases_sqlerr(c, "cannot read the hash lists");
	return 0;
}

/* Step st to its end and reset it: 0, or -1. */
static int
step_done(struct cases *c, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : cases_sqlerr(c, what);
}

/* --- import ------------------------------------------------------------ */

struct known_import {
	struct cases *c;
	int64_t list;
	sqlite3_stmt *add;
	int64_t added, duplicates;
};

void
known_import_free(struct known_import *im)
{
	if (im == NULL)
		return;
	sqlite3_finalize(im->add);
	free(im);
}

/* The list called name: its id into *id and old filled, or *id 0. */
static int
find_list(struct cases *c, const char *name, int64_t *id,
    struct known_replaced *old)
{
	sqlite3_stmt *st;
	int rc;

	if (prepare(c, "SELECT id, count, substr(imported_at, 1, 10) FROM "
	    "hashlists WHERE name = ?1", &st) != 0)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	*id = 0;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		old->found = 1;
		old->count = sqlite3_column_int64(st, 1);
		snprintf(old->day, sizeof(old->day), "%s",
		    (const char *)sqlite3_column_text(st, 2));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cases_sqlerr(c, "cannot read the hash lists");
	return 0;
}

/* Remove the list whose id is id, its hashes first. */
static int
list_remove(struct cases *c, int64_t id)
{
	static const char *const sql[] = {
		"DELETE FROM hashes WHERE list_id = ?1",
		"DELETE FROM hashlists WHERE id = ?1",
	};
	sqlite3_stmt *st;
	int rc = 0;

	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]) && rc == 0; i++) {
		if (prepare(c, sql[i], &st) != 0)
			return -1;
		sqlite3_bind_int64(st, 1, id);
		rc = step_done(c, st, "cannot remove a hash list");
		sqlite3_finalize(st);
	}
	return rc;
}

/* A new, empty list called name (its format said at the end): its id. */
static int
list_add(struct cases *c, const char *name, int64_t *id)
{
	char now[CASES_TIME_LEN + 1];
	sqlite3_stmt *st;
	int rc;

	if (prepare(c, "INSERT INTO hashlists (name, format, imported_at, "
	    "count) VALUES (?1, 'auto', ?2, 0)", &st) != 0)
		return -1;
	cases_now(now);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
	rc = step_done(c, st, "cannot add a hash list");
	sqlite3_finalize(st);
	*id = sqlite3_last_insert_rowid(cases_db(c));
	return rc;
}

struct known_import *
known_import_begin(struct cases *c, const char *name,
    struct known_replaced *old)
{
	struct known_import *im;
	int64_t id;

	memset(old, 0, sizeof(*old));
	if ((im = calloc(1, sizeof(*im))) == NULL) {
		cli_error("out of memory");
		return NULL;
	}
	im->c = c;
	if (find_list(c, name, &id, old) != 0 ||
	    (id != 0 && list_remove(c, id) != 0) ||
	    list_add(c, name, &im->list) != 0 ||
	    prepare(c, "INSERT INTO hashes (list_id, kind, value, grade) "
	    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING", &im->add) != 0) {
		known_import_free(im);
		return NULL;
	}
	return im;
}

/* Bind kind ?2 and value ?3 of a statement on hashes. */
static void
bind_hash(sqlite3_stmt *st, enum hashlist_format kind, const uint8_t *value,
    size_t len)
{
	sqlite3_bind_text(st, 2, hashlist_format_name(kind), -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, value, (int)len, SQLITE_STATIC);
}

/* Bind a row of hashes: list ?1, kind ?2, value ?3, grade ?4 (or NULL). */
static void
bind_row(sqlite3_stmt *st, int64_t list, enum hashlist_format kind,
    const uint8_t *value, size_t len, const char *grade)
{
	sqlite3_bind_int64(st, 1, list);
	bind_hash(st, kind, value, len);
	if (grade != NULL)
		sqlite3_bind_text(st, 4, grade, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 4);
}

int
known_import_add(struct known_import *im, const struct hashlist_entry *e)
{
	bind_row(im->add, im->list, e->format, e->value, e->len,
	    e->grade[0] != '\0' ? e->grade : NULL);
	if (step_done(im->c, im->add, "cannot add a hash") != 0)
		return -1;
	if (sqlite3_changes(cases_db(im->c)) == 1)
		im->added++;
	else
		im->duplicates++;
	return 0;
}

int
known_import_end(struct known_import *im, enum hashlist_format format,
    const char *sha256_hex, int64_t *count, int64_t *duplicates)
{
	sqlite3_stmt *st;
	int rc;

	if (prepare(im->c, "UPDATE hashlists SET format = ?2, "
	    "source_file_sha256 = ?3, count = ?4 WHERE id = ?1", &st) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, im->list);
	sqlite3_bind_text(st, 2, hashlist_format_name(format), -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 3, sha256_hex, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, im->added);
	rc = step_done(im->c, st, "cannot record a hash list");
	sqlite3_finalize(st);
	*count = im->added;
	*duplicates = im->duplicates;
	return rc;
}

/* --- the local list ------------------------------------------------------ */

/* The attachments of the reports naming the URL ?1. */
static const char touched_sql[] =
    "SELECT DISTINCT a.sha256, a.pdq, a.pdq_quality FROM report_lines AS l "
    "JOIN attachments AS a ON a.report_id = l.report_id WHERE l.url_id = ?1";

/*
 * Whether an attachment of hash ?1 belongs to a report naming a URL whose
 * current verdict is actioned, and the most severe severity: A < B < C.
 */
#define MEMBER_SQL(where) \
    "SELECT count(*), min(v.severity) FROM attachments AS a " \
    "JOIN report_lines AS l ON l.report_id = a.report_id " \
    "JOIN verdicts AS v ON v.seq = " EXPORT_CURRENT_SEQ("l.url_id") \
    " WHERE " where " AND v.verdict = 'actioned'"

enum { L_TOUCHED, L_SHA256, L_PDQ, L_DEL, L_ADD, L_COUNT, L_N };

static const char *const local_sql[L_N] = {
	[L_TOUCHED] = touched_sql,
	[L_SHA256] = MEMBER_SQL("a.sha256 = ?1"),
	[L_PDQ] = MEMBER_SQL("a.pdq = ?1 AND a.pdq_quality >= ?2"),
	[L_DEL] = "DELETE FROM hashes WHERE list_id = ?1 AND kind = ?2 AND "
	    "value = ?3",
	[L_ADD] = "INSERT INTO hashes (list_id, kind, value, grade) VALUES "
	    "(?1, ?2, ?3, ?4)",
	[L_COUNT] = "UPDATE hashlists SET count = (SELECT count(*) FROM hashes "
	    "WHERE list_id = ?1), imported_at = ?2 WHERE id = ?1",
};

struct local {
	struct cases *c;
	int64_t list;
	sqlite3_stmt *st[L_N];
	long added, removed;
};

/* The hash hex (of kind's column) on the list or off it, as it should be. */
static int
local_one(struct local *l, enum hashlist_format kind, const char *hex)
{
	sqlite3_stmt *member = l->st[kind == HASHLIST_PDQ ? L_PDQ : L_SHA256];
	uint8_t value[32];
	int n, existed;

	if (decode_hex(value, sizeof(value), hex, strlen(hex)) != 0)
		return 0;	/* not a hash (a file edited by hand) */
	sqlite3_reset(member);
	sqlite3_bind_text(member, 1, hex, -1, SQLITE_STATIC);
	if (kind == HASHLIST_PDQ)
		sqlite3_bind_int(member, 2, PDQ_QUALITY_MIN);
	if (sqlite3_step(member) != SQLITE_ROW)
		return cases_sqlerr(l->c, "cannot read the verdicts");
	n = sqlite3_column_int(member, 0);
	sqlite3_bind_int64(l->st[L_DEL], 1, l->list);
	bind_hash(l->st[L_DEL], kind, value, sizeof(value));
	if (step_done(l->c, l->st[L_DEL], "cannot update the local list") != 0)
		return -1;
	existed = sqlite3_changes(cases_db(l->c)) > 0;
	if (n > 0) {
		bind_row(l->st[L_ADD], l->list, kind, value, sizeof(value),
		    (const char *)sqlite3_column_text(member, 1));
		if (step_done(l->c, l->st[L_ADD],
		    "cannot update the local list") != 0)
			return -1;
	}
	sqlite3_reset(member);
	l->added += n > 0 && !existed;
	l->removed += n == 0 && existed;
	return 0;
}

/* Every attachment of the reports naming URL id. */
static int
local_url(struct local *l, const char *id)
{
	sqlite3_stmt *st = l->st[L_TOUCHED];
	int rc;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *pdq = (const char *)sqlite3_column_text(st, 1);

		if (local_one(l, HASHLIST_SHA256,
		    (const char *)sqlite3_column_text(st, 0)) != 0 ||
		    (pdq != NULL && local_one(l, HASHLIST_PDQ, pdq) != 0))
			return -1;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : cases_sqlerr(l->c,
	    "cannot read the attachments");
}

/* The list's count and time, once it changed. */
static int
local_count(struct local *l)
{
	char now[CASES_TIME_LEN + 1];
	sqlite3_stmt *st = l->st[L_COUNT];

	cases_now(now);
	sqlite3_bind_int64(st, 1, l->list);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
	return step_done(l->c, st, "cannot update the local list");
}

int
known_local_update(struct cases *c, const char *const *url_ids, size_t n,
    long *added, long *removed)
{
	struct known_replaced info;
	struct local l = { .c = c };
	int rc = -1;

	if (find_list(c, KNOWN_LOCAL, &l.list, &info) != 0)
		return -1;
	if (l.list == 0) {
		cli_error("%s: the hash list '%s' is missing; the file was "
		    "edited by hand", cases_path(c), KNOWN_LOCAL);
		return -1;
	}
	for (int i = 0; i < L_N; i++)
		if (prepare(c, local_sql[i], &l.st[i]) != 0)
			goto done;
	for (size_t i = 0; i < n; i++)
		if (local_url(&l, url_ids[i]) != 0)
			goto done;
	if ((l.added > 0 || l.removed > 0) && local_count(&l) != 0)
		goto done;
	*added = l.added;
	*removed = l.removed;
	rc = 0;
done:
	for (int i = 0; i < L_N; i++)
		sqlite3_finalize(l.st[i]);
	return rc;
}

/* --- matching -------------------------------------------------------------- */

/* A list's name and a grade (NULL: none), interned. */
struct pair {
	const char *list;
	const char *grade;
	uint32_t number;
};

struct known {
	struct cases *c;
	sqlite3_stmt *exact;
	struct pdqindex *ix;
	struct strmap *interned;
	struct pair **pairs;	/* pair i is the PDQ index's payload i */
	size_t npairs, cap;
};

void
known_free(struct known *k)
{
	if (k == NULL)
		return;
	sqlite3_finalize(k->exact);
	pdqindex_free(k->ix);
	strmap_free(k->interned);
	free(k->pairs);
	free(k);
}

size_t
known_pdq_count(const struct known *k)
{
	return pdqindex_count(k->ix);
}

static struct pair *
pair_new(struct known *k, const struct strmap_item *it, size_t ln,
    int graded)
{
	struct pair *p, **np;

	if (k->npairs == k->cap) {
		k->cap = k->cap ? 2 * k->cap : 16;
		if ((np = realloc(k->pairs, k->cap * sizeof(*np))) == NULL)
			return NULL;
		k->pairs = np;
	}
	if ((p = strmap_alloc(k->interned, sizeof(*p))) == NULL)
		return NULL;
	p->list = it->s;	/* the key is list, NUL, a mark, the grade */
	p->grade = graded ? it->s + ln + 2 : NULL;
	p->number = (uint32_t)k->npairs;
	k->pairs[k->npairs++] = p;
	return p;
}

/* The pair (list, grade), made if new; NULL if memory is short. */
static const struct pair *
intern(struct known *k, const char *list, const char *grade)
{
	size_t ln = strlen(list), gn = grade ? strlen(grade) : 0;
	char key[KNOWN_NAME_MAX + HASHLIST_GRADE_MAX + 2];
	struct strmap_item *it;

	ln = ln > KNOWN_NAME_MAX ? KNOWN_NAME_MAX : ln;	/* edited by hand */
	gn = gn > HASHLIST_GRADE_MAX ? HASHLIST_GRADE_MAX : gn;
	memcpy(key, list, ln);
	key[ln] = '\0';
	key[ln + 1] = grade ? '=' : '-';	/* no grade differs from "" */
	memcpy(key + ln + 2, grade ? grade : "", gn);
	if ((it = strmap_find(k->interned, key, ln + 2 + gn, 1)) == NULL)
		return NULL;
	if (it->value == NULL)
		it->value = pair_new(k, it, ln, grade != NULL);
	return it->value;
}

/* Every listed PDQ hash into the index. */
static int
load_pdq(struct known *k)
{
	sqlite3_stmt *st;
	const struct pair *p;
	struct pdq_hash h;
	int rc;

	if (prepare(k->c, "SELECT h.value, h.grade, l.name FROM hashes AS h "
	    "JOIN hashlists AS l ON l.id = h.list_id WHERE h.kind = 'pdq'",
	    &st) != 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 0) != PDQ_HASH_BYTES)
			continue;	/* not a hash (a file edited by hand) */
		memcpy(h.b, sqlite3_column_blob(st, 0), PDQ_HASH_BYTES);
		p = intern(k, (const char *)sqlite3_column_text(st, 2),
		    (const char *)sqlite3_column_text(st, 1));
		if (p == NULL || pdqindex_add(k->ix, &h, p->number) != 0) {
			sqlite3_finalize(st);
			cli_error("out of memory");
			return -1;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return cases_sqlerr(k->c, "cannot read the hash lists");
	if (pdqindex_build(k->ix) != 0) {
		cli_error("out of memory");
		return -1;
	}
	return 0;
}

struct known *
known_load(struct cases *c)
{
	struct known *k = calloc(1, sizeof(*k));

	if (k == NULL || (k->ix = pdqindex_new()) == NULL ||
	    (k->interned = strmap_new(64)) == NULL) {
		cli_error("out of memory");
		known_free(k);
		return NULL;
	}
	k->c = c;
	if (prepare(c, "SELECT l.name, h.grade FROM hashes AS h JOIN "
	    "hashlists AS l ON l.id = h.list_id WHERE h.kind = ?2 AND "
	    "h.value = ?3 ORDER BY l.name LIMIT 1", &k->exact) != 0 ||
	    load_pdq(k) != 0) {
		known_free(k);
		return NULL;
	}
	return k;
}

static void
hit_of(struct known_hit *hit, const struct pair *p, enum hashlist_format kind,
    int distance)
{
	hit->list = p->list;
	hit->grade = p->grade;
	hit->kind = kind;
	hit->distance = distance;
}

/* An exact match of value (of kind): 1 with hit set, 0, or -1. */
static int
exact(struct known *k, enum hashlist_format kind, const uint8_t *value,
    struct known_hit *hit)
{
	const struct pair *p = NULL;
	int rc;

	if (value == NULL)
		return 0;
	sqlite3_reset(k->exact);
	bind_hash(k->exact, kind, value, hashlist_format_digits(kind) / 2);
	if ((rc = sqlite3_step(k->exact)) == SQLITE_ROW &&
	    (p = intern(k, (const char *)sqlite3_column_text(k->exact, 0),
	    (const char *)sqlite3_column_text(k->exact, 1))) == NULL)
		cli_error("out of memory");
	sqlite3_reset(k->exact);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cases_sqlerr(k->c, "cannot read the hash lists");
	if (rc == SQLITE_DONE)
		return 0;
	if (p == NULL)
		return -1;
	hit_of(hit, p, kind, 0);
	return 1;
}

int
known_match(struct known *k, const struct known_query *q,
    struct known_hit *hit)
{
	static const enum hashlist_format order[] = { HASHLIST_SHA256,
		HASHLIST_SHA1, HASHLIST_MD5 };
	const uint8_t *values[] = { q->sha256, q->sha1, q->md5 };
	uint32_t number;
	int rc, d;

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if ((rc = exact(k, order[i], values[i], hit)) != 0)
			return rc;
	if (q->pdq == NULL || q->quality < PDQ_QUALITY_MIN ||
	    !pdqindex_match(k->ix, q->pdq, PDQ_MATCH_DISTANCE, &number, &d))
		return 0;
	hit_of(hit, k->pairs[number], HASHLIST_PDQ, d);
	return 1;
}
