/*
 * test_urlstats: what queue shows, from a case file filled with SQL. The
 * map under it (strmap) keeps any bytes as keys, grows without losing one,
 * and gives arena memory zeroed. urlstats counts a report naming a URL
 * twice once even when other lines come between, keeps the first and last
 * day, lists languages and categories once each (at most
 * URLSTATS_LIST_MAX, then marks more), counts the host's current verdicts
 * (the last one of each URL), leaves assessed URLs out unless all, and
 * orders hosts by their oldest URL shown, then URLs by day and address,
 * with a URL no report names last.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <sqlite3.h>

#include "cases.h"
#include "strmap.h"
#include "tap.h"
#include "urlstats.h"

static char tmp[] = "/tmp/test_urlstats.XXXXXX";

static void
test_strmap(void)
{
	struct strmap *m = strmap_new(0);
	struct strmap_item *it, *nul, *empty;
	char key[32];
	int lost = 0;
	unsigned char *z;

	if (!ok(m != NULL, "a map"))
		return;
	nul = strmap_find(m, "a\0b", 3, 1);
	ok(nul != NULL && nul->len == 3 && memcmp(nul->s, "a\0b", 4) == 0,
	    "a key with a NUL is kept whole, NUL-terminated past its length");
	ok(strmap_find(m, "a", 1, 0) == NULL, "its prefix is another key");
	empty = strmap_find(m, NULL, 0, 1);
	ok(empty != NULL && empty->len == 0 && strmap_find(m, "", 0, 0) == empty,
	    "the empty key (NULL or \"\") is one key");
	for (int i = 0; i < 100000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		if ((it = strmap_find(m, key, strlen(key), 1)) == NULL)
			break;
		it->value = (void *)(size_t)(i + 1);
	}
	for (int i = 0; i < 100000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		it = strmap_find(m, key, strlen(key), 0);
		lost += it == NULL || it->value != (void *)(size_t)(i + 1);
	}
	is_int(lost, 0, "100,000 keys found again after the table grew");
	ok(strmap_find(m, "a\0b", 3, 0) == nul, "items do not move as it grows");
	z = strmap_alloc(m, 3 * 1024 * 1024);
	ok(z != NULL && z[0] == 0 && z[3 * 1024 * 1024 - 1] == 0,
	    "arena memory larger than a chunk, zeroed");
	strmap_free(m);
	strmap_free(NULL);
}

static void
exec_sql(struct cases *c, const char *sql)
{
	if (sqlite3_exec(cases_db(c), sql, NULL, NULL, NULL) != SQLITE_OK)
		printf("# %s: %s\n", sql, sqlite3_errmsg(cases_db(c)));
}

/* Reports r1..r4, URLs on hosts a, b, c; verdicts on some. */
static struct cases *
fill(void)
{
	struct cases *c = cases_open(tmp, CASES_CREATE);

	if (c == NULL)
		return NULL;
	exec_sql(c, "INSERT INTO reports (id, received, language, category, "
	    "seen_on, description, recorded) VALUES "
	    "('r1', '2026-01-05', 'fr', 'csam', '', '', '2026-02-01'),"
	    "('r2', '2026-01-02', 'ar', 'other', '', '', '2026-02-01'),"
	    "('r3', '2026-01-09', 'fr', 'csam', '', '', '2026-02-01'),"
	    "('r4', '2026-01-01', '', '', '', '', '2026-02-01');"
	    "INSERT INTO urls VALUES ('ua1', 'http://a/1', 'a'),"
	    "('ua2', 'http://a/2', 'a'), ('ub1', 'http://b/1', 'b'),"
	    "('ub2', 'http://b/2', 'b'), ('uc1', 'http://c/1', 'c'),"
	    "('un', 'http://c/none', 'c');"
	    "INSERT INTO report_lines VALUES ('r1', 0, 'a1', 'ua1'),"
	    "('r1', 1, 'text', NULL), ('r1', 2, 'A1', 'ua1'),"
	    "('r1', 3, 'b2', 'ub2'), ('r2', 0, 'a1', 'ua1'),"
	    "('r2', 1, 'b1', 'ub1'), ('r3', 0, 'a2', 'ua2'),"
	    "('r3', 1, 'c1', 'uc1'), ('r4', 0, 'b1', 'ub1');"
	    "INSERT INTO verdicts (seq, url_id, at, verdict, self_generated, "
	    "ai_generated, hash) VALUES "
	    "(1, 'ub2', 't', 'actioned', 0, 0, x''),"
	    "(2, 'uc1', 't', 'off-remit', 0, 0, x''),"
	    "(3, 'ub2', 't', 'not-illegal', 0, 0, x''),"
	    "(4, 'ua2', 't', 'actioned', 0, 0, x'')");
	return c;
}

/* "ID HOST REPORTS FIRST LAST" for each URL shown, ';'-separated. */
static char *
summary(const struct urlstats *s)
{
	static char buf[1024];
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < urlstats_count(s); i++) {
		const struct urlstats_url *u = urlstats_get(s, i);

		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s %s %lld %s %s",
		    i ? ";" : "", u->id->s, u->host->name->s, u->reports,
		    u->first ? u->first->s : "-", u->last ? u->last->s : "-");
	}
	return buf;
}

static const struct urlstats_url *
find(const struct urlstats *s, const char *id)
{
	for (size_t i = 0; i < urlstats_count(s); i++)
		if (strcmp(urlstats_get(s, i)->id->s, id) == 0)
			return urlstats_get(s, i);
	return NULL;
}

/* A list's values joined with ',', each with its count if counts. */
static char *
list(const struct urlstats_list *l, int counts)
{
	static char buf[256];
	size_t n = 0;

	buf[0] = '\0';
	for (const struct urlstats_value *v = l->head; v != NULL; v = v->next)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, counts ?
		    "%s%s %lld" : "%s%s", n ? "," : "", v->v->s, v->count);
	return buf;
}

static void
test_queue(struct cases *c)
{
	struct urlstats *s = urlstats_load(c, 0);
	const struct urlstats_url *u;

	if (!ok(s != NULL, "the queue loads"))
		return;
	ok(strcmp(summary(s), "ub1 b 2 2026-01-01 2026-01-02;"
	    "ua1 a 2 2026-01-02 2026-01-05;un c 0 - -") == 0,
	    "unassessed URLs only, hosts by their oldest URL shown, a URL "
	    "no report names last (%s)", summary(s));
	u = find(s, "ua1");
	ok(u != NULL && strcmp(list(&u->languages, 0), "fr,ar") == 0 &&
	    strcmp(list(&u->categories, 0), "csam,other") == 0,
	    "languages and categories once each, in the order met");
	ok(u != NULL && strcmp(list(&u->host->verdicts, 1), "actioned 1") == 0,
	    "host a: its assessed URL's verdict (%s)",
	    u ? list(&u->host->verdicts, 1) : "");
	u = find(s, "ub1");
	ok(u != NULL && strcmp(list(&u->host->verdicts, 1), "not-illegal 1") == 0,
	    "host b: only the current verdict of a URL assessed twice (%s)",
	    u ? list(&u->host->verdicts, 1) : "");
	ok(u != NULL && u->languages.n == 2 && strcmp(list(&u->languages, 0),
	    "ar,") == 0, "an empty language is a value like any other");
	urlstats_free(s);

	s = urlstats_load(c, 1);
	ok(s != NULL && strcmp(summary(s), "ub1 b 2 2026-01-01 2026-01-02;"
	    "ub2 b 1 2026-01-05 2026-01-05;ua1 a 2 2026-01-02 2026-01-05;"
	    "ua2 a 1 2026-01-09 2026-01-09;uc1 c 1 2026-01-09 2026-01-09;"
	    "un c 0 - -") == 0, "all: every URL (%s)", s ? summary(s) : "");
	u = s != NULL ? find(s, "ub2") : NULL;
	ok(u != NULL && strcmp(u->verdict->s, "not-illegal") == 0,
	    "the current verdict is the last one");
	urlstats_free(s);
}

static void
test_list_cap(struct cases *c)
{
	char sql[256];
	struct urlstats *s;
	const struct urlstats_url *u;

	for (int i = 0; i < URLSTATS_LIST_MAX + 4; i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO reports (id, received, "
		    "language, category, seen_on, description, recorded) VALUES "
		    "('m%d', '2026-03-01', 'fr', 'cat%d', '', '', '2026-03-01');"
		    "INSERT INTO report_lines VALUES ('m%d', 0, 'x', 'un')",
		    i, i, i);
		exec_sql(c, sql);
	}
	s = urlstats_load(c, 0);
	u = s != NULL ? find(s, "un") : NULL;
	ok(u != NULL && u->reports == URLSTATS_LIST_MAX + 4 &&
	    u->categories.n == URLSTATS_LIST_MAX && u->categories.more &&
	    u->languages.n == 1 && !u->languages.more,
	    "%d categories: %d listed, more marked; one language",
	    URLSTATS_LIST_MAX + 4, URLSTATS_LIST_MAX);
	urlstats_free(s);
}

int
main(void)
{
	char cmd[sizeof(tmp) + 16];
	struct cases *c;

	if (sodium_init() < 0 || mkdtemp(tmp) == NULL) {
		printf("Bail out! setup\n");
		return 1;
	}
	test_strmap();
	if ((c = fill()) != NULL) {
		test_queue(c);
		test_list_cap(c);
	} else {
		ok(0, "a case file to test on");
	}
	cases_close(c);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	if (system(cmd) != 0)
		printf("# cannot remove %s\n", tmp);
	return tap_done();
}
