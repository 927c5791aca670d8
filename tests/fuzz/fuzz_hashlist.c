/*
 * fuzz_hashlist: client-keys/hashlist on hostile files, in each format
 * (and auto). Every hash handed over has its format's length, a line
 * number in order and within the lines read, and a grade of at most
 * HASHLIST_GRADE_MAX printable bytes without '#'; the bad lines named are
 * the first ones, in order, counted with the rest; and the file read whole
 * and in pieces cut where the data says gives the same hashes and the same
 * result, so the line buffer's seams change nothing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hashlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
	enum hashlist_format format;
	uint64_t n, last_line, sum;	/* sum: a digest of what was handed */
};

static void
mix(struct seen *s, const void *p, size_t len)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		s->sum = (s->sum ^ b[i]) * 0x100000001b3u;
}

static int
check_entry(void *arg, const struct hashlist_entry *e)
{
	struct seen *s = arg;
	size_t g = strnlen(e->grade, sizeof(e->grade));

	if (e->len * 2 != hashlist_format_digits(e->format) ||
	    (s->format != HASHLIST_AUTO && e->format != s->format) ||
	    e->line <= s->last_line || g > HASHLIST_GRADE_MAX)
		abort();
	for (size_t i = 0; i < g; i++)
		if (e->grade[i] <= ' ' || e->grade[i] > '~' ||
		    e->grade[i] == '#')
			abort();
	s->last_line = e->line;
	s->n++;
	mix(s, &e->format, sizeof(e->format));
	mix(s, e->value, e->len);
	mix(s, e->grade, g + 1);
	mix(s, &e->line, sizeof(e->line));
	return 0;
}

/* Read data in pieces: whole if step is 0, else cut by the data's bytes. */
static struct hashlist_result
read_file(const uint8_t *data, size_t size, enum hashlist_format format,
    int step, struct seen *s)
{
	struct hashlist_reader *r = hashlist_reader_new(format, check_entry, s);
	struct hashlist_result res;
	size_t off = 0, n;

	if (r == NULL)
		abort();
	memset(s, 0, sizeof(*s));
	s->format = format;
	while (off < size) {
		n = step ? 1 + (size_t)data[off] % 61 : size;
		n = n < size - off ? n : size - off;
		if (hashlist_reader_feed(r, data + off, n) != 0)
			break;
		off += n;
	}
	hashlist_reader_end(r);
	res = *hashlist_reader_result(r);
	hashlist_reader_free(r);
	return res;
}

static void
check_result(const struct hashlist_result *res, const struct seen *s)
{
	uint64_t shown = res->nbad < HASHLIST_BAD_SHOWN ? res->nbad :
	    HASHLIST_BAD_SHOWN;

	if (res->hashes != s->n || res->hashes + res->nbad > res->lines)
		abort();
	for (uint64_t i = 0; i < shown; i++)
		if (res->bad[i].line == 0 || res->bad[i].line > res->lines ||
		    (i > 0 && res->bad[i].line <= res->bad[i - 1].line))
			abort();
	if (res->stop == HASHLIST_STOP_AMBIGUOUS &&
	    (res->format != HASHLIST_AUTO || res->hashes != 0))
		abort();
}

static int
same(const struct hashlist_result *x, const struct hashlist_result *y)
{
	if (x->format != y->format || x->lines != y->lines ||
	    x->hashes != y->hashes || x->nbad != y->nbad ||
	    x->first_digits != y->first_digits ||
	    x->first_line != y->first_line || x->stop != y->stop ||
	    x->stop_line != y->stop_line)
		return 0;
	for (uint64_t i = 0; i < x->nbad && i < HASHLIST_BAD_SHOWN; i++)
		if (x->bad[i].line != y->bad[i].line ||
		    x->bad[i].why != y->bad[i].why ||
		    x->bad[i].digits != y->bad[i].digits)
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (int f = HASHLIST_AUTO; f <= HASHLIST_PDQ; f++) {
		struct seen a, b;
		struct hashlist_result whole = read_file(data, size,
		    (enum hashlist_format)f, 0, &a);
		struct hashlist_result cut = read_file(data, size,
		    (enum hashlist_format)f, 1, &b);

		check_result(&whole, &a);
		if (!same(&whole, &cut) || a.sum != b.sum)
			abort();
	}
	return 0;
}
