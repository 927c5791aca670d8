/*
 * tally: see tally.h. Two strmaps: the values, each with its count and
 * the serial number of the last report counted under it (pairs come
 * grouped by report, so that is all the memory a pair needs), and the
 * mapping from URL ids to those values.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"
#include "tally.h"

/* A value's count, in the values map's arena, on the list of values. */
struct count {
	unsigned long count;	/* reports counted */
	unsigned long last;	/* serial of the last report counted */
	const struct strmap_item *item;	/* the value (NULL: no value) */
	struct count *next;
};

struct tally {
	struct strmap *values;	/* value -> struct count */
	struct strmap *map;	/* URL id -> its value's item, or NULL */
	struct count none;	/* "no value" */
	struct count *list;	/* every value met */
	size_t nvalues;
	unsigned char *report;	/* the current report */
	size_t rlen, rsize;
	unsigned long serial;	/* of the current report, from 1 */
};

struct tally *
tally_new(void)
{
	struct tally *t = calloc(1, sizeof(*t));

	if (t == NULL || (t->values = strmap_new(0)) == NULL ||
	    (t->map = strmap_new(0)) == NULL) {
		tally_free(t);
		return NULL;
	}
	return t;
}

/* Make report the current one if it is not; -1 if it sorts before it. */
static int
set_report(struct tally *t, const void *report, size_t rlen)
{
	size_t n = rlen < t->rlen ? rlen : t->rlen;
	int c = t->serial == 0 ? 1 : memcmp(report, t->report, n);

	if (c == 0 && rlen == t->rlen)
		return 0;
	if (c < 0 || (c == 0 && rlen < t->rlen)) {
		errno = EINVAL;
		return -1;
	}
	if (rlen >= t->rsize) {
		unsigned char *r = realloc(t->report, rlen + 1);

		if (r == NULL)
			return -1;
		t->report = r;
		t->rsize = rlen + 1;
	}
	memcpy(t->report, report, rlen);
	t->rlen = rlen;
	t->serial++;
	return 0;
}

/* The item of value in the values map, made (count 0) if new. */
static struct strmap_item *
value_item(struct tally *t, const void *value, size_t vlen)
{
	struct strmap_item *it = strmap_find(t->values, value, vlen, 1);
	struct count *c;

	if (it == NULL || it->value != NULL)
		return it;
	if ((c = strmap_alloc(t->values, sizeof(*c))) == NULL)
		return NULL;
	c->item = it;
	c->next = t->list;
	t->list = c;
	t->nvalues++;
	it->value = c;
	return it;
}

/* Count the current report under c, once. */
static void
count_once(struct tally *t, struct count *c)
{
	if (c->last != t->serial) {
		c->last = t->serial;
		c->count++;
	}
}

int
tally_add(struct tally *t, const void *report, size_t rlen,
    const void *value, size_t vlen)
{
	struct strmap_item *it = NULL;

	if (set_report(t, report, rlen) != 0)
		return -1;
	if (value != NULL && (it = value_item(t, value, vlen)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	count_once(t, it != NULL ? it->value : &t->none);
	return 0;
}

int
tally_map(struct tally *t, const void *from, size_t flen, const void *value,
    size_t vlen)
{
	struct strmap_item *it = strmap_find(t->map, from, flen, 1), *v = NULL;

	if (it == NULL || (value != NULL &&
	    (v = value_item(t, value, vlen)) == NULL)) {
		errno = ENOMEM;
		return -1;
	}
	it->value = v;
	return 0;
}

int
tally_add_via(struct tally *t, const void *report, size_t rlen,
    const void *from, size_t flen)
{
	const struct strmap_item *it = from == NULL ? NULL :
	    strmap_find(t->map, from, flen, 0);
	const struct strmap_item *v = it != NULL ? it->value : NULL;

	if (set_report(t, report, rlen) != 0)
		return -1;
	count_once(t, v != NULL ? v->value : &t->none);
	return 0;
}

/* Byte order, shorter first on a common prefix; no value first. */
static int
cmp_value(const struct tally_entry *a, const struct tally_entry *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int c;

	if (a->value == NULL || b->value == NULL)
		return (b->value == NULL) - (a->value == NULL);
	if ((c = memcmp(a->value, b->value, n)) != 0)
		return c;
	return (a->len > b->len) - (a->len < b->len);
}

static int
cmp_by_value(const void *a, const void *b)
{
	return cmp_value(a, b);
}

static int
cmp_by_count(const void *a, const void *b)
{
	const struct tally_entry *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return cmp_value(x, y);
}

struct tally_entry *
tally_sorted(const struct tally *t, int by_value, size_t *n)
{
	struct tally_entry *e = malloc((t->nvalues + 1) * sizeof(*e));
	size_t k = 0;

	*n = 0;
	if (e == NULL)
		return NULL;
	if (t->none.count > 0)
		e[k++] = (struct tally_entry){ NULL, 0, t->none.count };
	for (const struct count *c = t->list; c != NULL; c = c->next)
		if (c->count > 0)	/* a value only mapped to is not listed */
			e[k++] = (struct tally_entry){ c->item->s,
			    c->item->len, c->count };
	qsort(e, k, sizeof(*e), by_value ? cmp_by_value : cmp_by_count);
	*n = k;
	return e;
}

void
tally_free(struct tally *t)
{
	if (t == NULL)
		return;
	strmap_free(t->values);
	strmap_free(t->map);
	free(t->report);
	free(t);
}
