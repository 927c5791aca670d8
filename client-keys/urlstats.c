/*
 * urlstats: see urlstats.h. Three maps: URLs by id (its arena holds the
 * URLs and their lists), hosts by name, and the strings met (days,
 * languages, categories, verdicts: each kept once, compared by address).
 * The lines are read report by report (each report's lines together), so
 * a report naming a URL twice is counted once by remembering, per URL, the
 * last report counted.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "cases.h"
#include "cli.h"
#include "strmap.h"
#include "urlstats.h"

struct urlstats {
	struct strmap *urls, *hosts, *strings;
	struct urlstats_url **list;	/* every URL, then those shown first */
	size_t n, cap, shown;
	unsigned long serial;	/* of the report being read: 1, 2, ... */
	int64_t report;		/* its rowid */
	const struct strmap_item *cache[3];	/* its day, language, category */
};

/* A URL as loaded: the last report counted for it beside it. */
struct entry {
	struct urlstats_url u;
	unsigned long serial;	/* 0: none yet */
};

/* The column as a key of m (added if new); NULL if memory is short. */
static struct strmap_item *
column_key(struct strmap *m, sqlite3_stmt *st, int col)
{
	return strmap_find(m, sqlite3_column_blob(st, col),
	    (size_t)sqlite3_column_bytes(st, col), 1);
}

static int
item_cmp(const struct strmap_item *a, const struct strmap_item *b)
{
	int d;

	if (a == b)
		return 0;
	if (a == NULL || b == NULL)	/* no day sorts last */
		return a == NULL ? 1 : -1;
	d = memcmp(a->s, b->s, a->len < b->len ? a->len : b->len);
	return d != 0 ? d : (a->len > b->len) - (a->len < b->len);
}

/* Count v in list l; 0, or -1 if memory is short. */
static int
list_add(struct urlstats *s, struct urlstats_list *l,
    const struct strmap_item *v)
{
	struct urlstats_value **p = &l->head;

	for (; *p != NULL; p = &(*p)->next)
		if ((*p)->v == v) {
			(*p)->count++;
			return 0;
		}
	if (l->n == URLSTATS_LIST_MAX) {
		l->more = 1;
		return 0;
	}
	if ((*p = strmap_alloc(s->urls, sizeof(**p))) == NULL)
		return -1;
	(*p)->v = v;
	(*p)->count = 1;
	l->n++;
	return 0;
}

static int
add_url(struct urlstats *s, sqlite3_stmt *st)
{
	struct strmap_item *id = column_key(s->urls, st, 0);
	struct strmap_item *host = column_key(s->hosts, st, 2);
	size_t len = (size_t)sqlite3_column_bytes(st, 1);
	struct entry *e;
	char *canonical;

	if (id == NULL || host == NULL ||
	    (e = strmap_alloc(s->urls, sizeof(*e))) == NULL ||
	    (canonical = strmap_alloc(s->urls, len + 1)) == NULL)
		return -1;
	if (host->value == NULL &&
	    (host->value = strmap_alloc(s->urls, sizeof(*e->u.host))) == NULL)
		return -1;
	if (len > 0)
		memcpy(canonical, sqlite3_column_blob(st, 1), len);
	e->u.id = id;
	e->u.canonical = canonical;
	e->u.canonical_len = len;
	e->u.host = host->value;
	e->u.host->name = host;
	id->value = e;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 4096;
		struct urlstats_url **list = realloc(s->list,
		    cap * sizeof(*list));

		if (list == NULL)
			return -1;
		s->list = list;
		s->cap = cap;
	}
	s->list[s->n++] = &e->u;
	return 0;
}

/* A line of another report than the last: keep what that report says. */
static int
next_report(struct urlstats *s, sqlite3_stmt *st)
{
	for (int i = 0; i < 3; i++)
		if ((s->cache[i] = column_key(s->strings, st, i + 1)) == NULL)
			return -1;
	s->report = sqlite3_column_int64(st, 0);
	s->serial++;
	return 0;
}

/*
 * One report line: report rowid, received, language, category, url_id;
 * a report's lines come one after the other.
 */
static int
add_line(struct urlstats *s, sqlite3_stmt *st)
{
	struct strmap_item *id = strmap_find(s->urls, sqlite3_column_blob(st, 4),
	    (size_t)sqlite3_column_bytes(st, 4), 0);
	struct entry *e;

	if (id == NULL)
		return 0;	/* a line whose URL row is gone: not a URL */
	if ((s->serial == 0 || sqlite3_column_int64(st, 0) != s->report) &&
	    next_report(s, st) != 0)
		return -1;
	if ((e = id->value)->serial == s->serial)
		return 0;	/* named twice in one report */
	e->serial = s->serial;
	e->u.reports++;
	if (e->u.first == NULL || item_cmp(s->cache[0], e->u.first) < 0)
		e->u.first = s->cache[0];
	if (e->u.last == NULL || item_cmp(s->cache[0], e->u.last) > 0)
		e->u.last = s->cache[0];
	if (list_add(s, &e->u.languages, s->cache[1]) != 0)
		return -1;
	return list_add(s, &e->u.categories, s->cache[2]);
}

/* One verdict, in seq order: the last one met is the current one. */
static int
add_verdict(struct urlstats *s, sqlite3_stmt *st)
{
	struct strmap_item *id = strmap_find(s->urls, sqlite3_column_blob(st, 0),
	    (size_t)sqlite3_column_bytes(st, 0), 0);

	if (id == NULL)
		return 0;
	return (((struct entry *)id->value)->u.verdict =
	    column_key(s->strings, st, 1)) == NULL ? -1 : 0;
}

/* Run sql and give each row to fn; 0, or -1 after printing why. */
static int
each_row(struct cases *c, struct urlstats *s, const char *sql,
    int (*fn)(struct urlstats *, sqlite3_stmt *))
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(cases_db(c), sql, -1, &st, NULL) != SQLITE_OK)
		return cases_sqlerr(c, "cannot read the URLs");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(s, st) != 0) {
			sqlite3_finalize(st);
			cli_error("out of memory");
			return -1;
		}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : cases_sqlerr(c, "cannot read the URLs");
}

static int
url_order(const void *pa, const void *pb)
{
	const struct urlstats_url *a = *(struct urlstats_url *const *)pa;
	const struct urlstats_url *b = *(struct urlstats_url *const *)pb;
	int d;

	if (a->host != b->host &&
	    ((d = item_cmp(a->host->first, b->host->first)) != 0 ||
	    (d = item_cmp(a->host->name, b->host->name)) != 0))
		return d;
	if ((d = item_cmp(a->first, b->first)) != 0)
		return d;
	d = memcmp(a->canonical, b->canonical, a->canonical_len <
	    b->canonical_len ? a->canonical_len : b->canonical_len);
	return d != 0 ? d : (a->canonical_len > b->canonical_len) -
	    (a->canonical_len < b->canonical_len);
}

/* Count the hosts' verdicts, keep the URLs shown, order them. */
static int
arrange(struct urlstats *s, int all)
{
	for (size_t i = 0; i < s->n; i++) {
		struct urlstats_url *u = s->list[i];

		if (u->verdict != NULL &&
		    list_add(s, &u->host->verdicts, u->verdict) != 0) {
			cli_error("out of memory");
			return -1;
		}
		if (!all && u->verdict != NULL)
			continue;
		s->list[s->shown++] = u;
		if (item_cmp(u->first, u->host->first) < 0)
			u->host->first = u->first;
	}
	qsort(s->list, s->shown, sizeof(*s->list), url_order);
	return 0;
}

/* How many URLs there are, to size the map at once. */
static int
count_urls(struct cases *c, size_t *n)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(cases_db(c), "SELECT count(*) FROM urls", -1,
	    &st, NULL) != SQLITE_OK)
		return cases_sqlerr(c, "cannot read the URLs");
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*n = (size_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : cases_sqlerr(c, "cannot read the URLs");
}

struct urlstats *
urlstats_load(struct cases *c, int all)
{
	struct urlstats *s = calloc(1, sizeof(*s));
	size_t nurls = 0;

	if (s == NULL || count_urls(c, &nurls) != 0)
		goto err;
	if ((s->urls = strmap_new(nurls)) == NULL ||
	    (s->hosts = strmap_new(0)) == NULL ||
	    (s->strings = strmap_new(0)) == NULL) {
		cli_error("out of memory");
		goto err;
	}
	/*
	 * Reports in file order, each with its lines: 0.09 s for 400,000
	 * lines, where the lines in URL order cost 1.3 s.
	 */
	if (each_row(c, s, "SELECT id, canonical, host FROM urls",
	    add_url) != 0 ||
	    each_row(c, s, "SELECT r.rowid, r.received, r.language, "
	    "r.category, l.url_id FROM reports AS r CROSS JOIN report_lines "
	    "AS l ON l.report_id = r.id WHERE l.url_id IS NOT NULL",
	    add_line) != 0 ||
	    each_row(c, s, "SELECT url_id, verdict FROM verdicts ORDER BY seq",
	    add_verdict) != 0 || arrange(s, all) != 0)
		goto err;
	return s;
err:
	urlstats_free(s);
	return NULL;
}

size_t
urlstats_count(const struct urlstats *s)
{
	return s->shown;
}

const struct urlstats_url *
urlstats_get(const struct urlstats *s, size_t i)
{
	return s->list[i];
}

void
urlstats_free(struct urlstats *s)
{
	if (s == NULL)
		return;
	strmap_free(s->urls);
	strmap_free(s->hosts);
	strmap_free(s->strings);
	free(s->list);
	free(s);
}
