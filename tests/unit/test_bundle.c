/* test_bundle: bundle writer and reader: round trip, damage, reordering. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "bundle.h"
#include "membuf.h"
#include "tap.h"

struct seen {
	int begun, ended, problems;
	uint32_t seqs[16];
	size_t bytes;
};

static int
on_begin(void *ctx, uint32_t seq, const uint8_t id[ENVELOPE_ID_BYTES], uint64_t len)
{
	struct seen *s = ctx;

	if (s->begun < 16)
		s->seqs[s->begun] = seq;
	s->begun++;
	return 0;
}

static int
on_data(void *ctx, const uint8_t *buf, size_t len)
{
	((struct seen *)ctx)->bytes += len;
	return 0;
}

static int
on_end(void *ctx)
{
	((struct seen *)ctx)->ended++;
	return 0;
}

static void
on_problem(void *ctx, uint64_t offset, const char *what)
{
	((struct seen *)ctx)->problems++;
}

static const struct bundle_callbacks cb = { on_begin, on_data, on_end, on_problem };

/* A bundle of three records of 1000, 2000 and 3000 bytes. */
static struct membuf
make_bundle(void)
{
	struct membuf b = { 0 };
	struct bundle_writer *w = bundle_writer_new(membuf_sink, &b);
	uint8_t id[ENVELOPE_ID_BYTES], data[3000];

	randombytes_buf(data, sizeof(data));
	for (int i = 1; i <= 3; i++) {
		randombytes_buf(id, sizeof(id));
		bundle_writer_begin(w, id, (uint64_t)i * 1000);
		bundle_writer_data(w, data, (size_t)i * 500);
		bundle_writer_data(w, data, (size_t)i * 500);
		bundle_writer_end(w);
	}
	bundle_writer_finish(w);
	bundle_writer_free(w);
	return b;
}

static int
read_bundle(const uint8_t *p, size_t len, size_t step, struct seen *s)
{
	struct bundle_reader *r = bundle_reader_new(&cb, s);
	int rc;

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < len; i += step)
		bundle_reader_feed(r, p + i, len - i < step ? len - i : step);
	rc = bundle_reader_finish(r);
	bundle_reader_free(r);
	return rc;
}

static void
test_round_trip(const struct membuf *b)
{
	struct seen s;

	ok(b->len == 16 + 3 * 40 + 6000 + 40, "bundle size is header + records + trailer");
	ok(read_bundle(b->p, b->len, 1, &s) == 0 && s.begun == 3 && s.ended == 3 &&
	    s.bytes == 6000 && s.problems == 0, "read back byte by byte");
	ok(read_bundle(b->p, b->len, 4096, &s) == 0 && s.seqs[2] == 2, "read back in blocks");
}

/* Any one flipped byte: a problem is reported, never more than one record is lost. */
static void
test_flips(const struct membuf *b)
{
	int detected = 0, at_most_one_lost = 0;
	struct seen s;

	for (size_t i = 0; i < b->len; i++) {
		b->p[i] ^= 0x20;
		int rc = read_bundle(b->p, b->len, 333, &s);
		b->p[i] ^= 0x20;
		detected += rc != 0;
		at_most_one_lost += s.ended >= 2;
	}
	ok(detected == (int)b->len, "every flipped byte is detected (%d of %zu)", detected, b->len);
	ok(at_most_one_lost == (int)b->len, "no flipped byte costs more than one record");
}

static void
test_truncation_and_order(const struct membuf *b)
{
	struct seen s;
	struct membuf r = { 0 };
	size_t rec1 = 16, rec2 = 16 + 1040, rec3 = rec2 + 2040;

	ok(read_bundle(b->p, b->len - 40, 100, &s) != 0 && s.ended == 3,
	    "missing trailer: detected, all records still read");
	ok(read_bundle(b->p, rec3 + 100, 100, &s) != 0 && s.ended == 3 && s.bytes == 3060,
	    "cut inside a record: detected, and that record is ended early");
	/* header, record 2, record 1, record 3, trailer */
	membuf_sink(&r, b->p, 16);
	membuf_sink(&r, b->p + rec2, rec3 - rec2);
	membuf_sink(&r, b->p + rec1, rec2 - rec1);
	membuf_sink(&r, b->p + rec3, b->len - rec3);
	ok(read_bundle(r.p, r.len, 100, &s) != 0 && s.ended == 3 && s.problems >= 1 &&
	    s.seqs[0] == 1 && s.seqs[1] == 0, "reordered records: detected, all read");
	free(r.p);
	ok(read_bundle((const uint8_t *)"not a bundle at all", 19, 5, &s) != 0 && s.begun == 0,
	    "not a bundle: refused");
}

int
main(void)
{
	struct membuf b;

	if (sodium_init() < 0)
		return 1;
	b = make_bundle();
	test_round_trip(&b);
	test_flips(&b);
	test_truncation_and_order(&b);
	free(b.p);
	return tap_done();
}
