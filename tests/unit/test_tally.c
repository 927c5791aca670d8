/* test_tally: distinct reports per value, directly and through a mapping. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tally.h"
#include "tap.h"

#define S(x) x, sizeof(x) - 1

/* The sorted counts of t as "value=count ..." ("-" for no value). */
static const char *
show(const struct tally *t, int by_value)
{
	static char buf[4096];
	size_t n, o = 0;
	struct tally_entry *e = tally_sorted(t, by_value, &n);

	buf[0] = '\0';
	for (size_t i = 0; e != NULL && i < n && o < sizeof(buf); i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%.*s=%lu",
		    i ? " " : "", e[i].value ? (int)e[i].len : 1,
		    e[i].value ? (const char *)e[i].value : "-", e[i].count);
	free(e);
	return buf;
}

static void
test_direct(void)
{
	struct tally *t = tally_new();

	ok(t != NULL, "tally made");
	ok(strcmp(show(t, 0), "") == 0, "an empty tally lists nothing");
	tally_add(t, S("r1"), S("x"));
	tally_add(t, S("r1"), S("x"));
	tally_add(t, S("r1"), S("y"));
	tally_add(t, S("r2"), S("x"));
	tally_add(t, S("r2"), NULL, 0);
	tally_add(t, S("r2"), NULL, 0);
	tally_add(t, S("r3"), S("ab"));
	tally_add(t, S("r4"), S("abc"));
	tally_add(t, S("r4"), S("b"));
	tally_add(t, S("r5"), NULL, 0);
	ok(strcmp(show(t, 0), "-=2 x=2 ab=1 abc=1 b=1 y=1") == 0,
	    "by count: a report once per value, ties in byte order, no value "
	    "first: %s", show(t, 0));
	ok(strcmp(show(t, 1), "-=2 ab=1 abc=1 b=1 x=2 y=1") == 0,
	    "by value: no value first, a prefix before its extensions: %s",
	    show(t, 1));
	errno = 0;
	ok(tally_add(t, S("r4"), S("z")) == -1 && errno == EINVAL,
	    "a report sorting before the current one is refused");
	ok(tally_add(t, S("r5"), S("z")) == 0, "the current report goes on");
	ok(tally_add(t, S("r5x"), S("z")) == 0, "a longer id sorts after its prefix");
	ok(tally_add(t, S("r5"), S("z")) == -1, "and its prefix then comes too late");
	tally_free(t);
	tally_free(NULL);
}

static void
test_bytes(void)
{
	struct tally *t = tally_new();
	struct tally_entry *e;
	size_t n;

	tally_add(t, S("r1"), "a\0b", 3);
	tally_add(t, S("r1"), "a", 1);
	tally_add(t, S("r2"), "a\0b", 3);
	e = tally_sorted(t, 0, &n);
	ok(e != NULL && n == 2 && e[0].len == 3 &&
	    memcmp(e[0].value, "a\0b", 3) == 0 && e[0].count == 2 &&
	    e[1].len == 1 && e[1].count == 1,
	    "a value holding NUL is its own value");
	free(e);
	tally_free(t);
}

static void
test_mapped(void)
{
	struct tally *t = tally_new();

	tally_map(t, S("u1"), S("h1"));
	tally_map(t, S("u2"), S("h1"));
	tally_map(t, S("u3"), NULL, 0);
	tally_map(t, S("u4"), S("old"));
	tally_map(t, S("u4"), S("h2"));
	tally_map(t, S("u5"), S("never"));
	tally_add_via(t, S("r1"), S("u1"));
	tally_add_via(t, S("r1"), S("u2"));
	tally_add_via(t, S("r1"), S("u3"));
	tally_add_via(t, S("r1"), NULL, 0);
	tally_add_via(t, S("r2"), S("u9"));
	tally_add_via(t, S("r2"), S("u4"));
	tally_add_via(t, S("r3"), S("u2"));
	ok(strcmp(show(t, 0), "-=2 h1=2 h2=1") == 0,
	    "through the mapping: unmapped, text and NULL-mapped lines are no "
	    "value, a replaced mapping counts its new value, a value only "
	    "mapped to is not listed: %s", show(t, 0));
	tally_free(t);
}

static void
test_many(void)
{
	struct tally *t = tally_new();
	char r[32], v[32];
	size_t n;
	struct tally_entry *e;
	int bad = 0;

	/* 3,000 reports; report i names values i % 1000 and (i + 1) % 1000,
	 * each twice: every value is named by 6 reports. */
	for (int i = 0; i < 3000; i++) {
		snprintf(r, sizeof(r), "%08d", i);
		for (int k = 0; k < 4; k++) {
			snprintf(v, sizeof(v), "v%d", (i + k % 2) % 1000);
			bad |= tally_add(t, r, strlen(r), v, strlen(v));
		}
	}
	e = tally_sorted(t, 1, &n);
	for (size_t i = 0; e != NULL && i < n; i++)
		bad |= e[i].count != 6;
	ok(!bad && n == 1000, "1,000 values of 3,000 reports, each counted 6 times");
	free(e);
	tally_free(t);
}

int
main(void)
{
	test_direct();
	test_bytes();
	test_mapped();
	test_many();
	return tap_done();
}
