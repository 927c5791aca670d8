/*
 * test_payload: the payload reader at and just over every length limit of
 * its frames (a sender holding only the public keys writes any frames), fed
 * whole, byte by byte and in random pieces.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "encode.h"
#include "membuf.h"
#include "payload.h"
#include "tap.h"

#define MIB (1024 * 1024)

/* What the reader handed out. */
struct got {
	size_t field_len, name_len;
};

static int
on_field(void *ctx, const char *name, const uint8_t *v, size_t len)
{
	((struct got *)ctx)->field_len = len;
	return 0;
}

static int
on_att_begin(void *ctx, const uint8_t *name, size_t len)
{
	((struct got *)ctx)->name_len = len;
	return 0;
}

static int
on_att_data(void *ctx, const uint8_t *b, size_t len)
{
	return 0;
}

static int
on_att_end(void *ctx, uint64_t size)
{
	return 0;
}

static const struct payload_callbacks cb = {
	on_field, on_att_begin, on_att_data, on_att_end,
};

/* A frame declaring len body bytes, with body bytes of 'a' after it. */
static void
frame_partly(struct membuf *b, uint8_t type, uint32_t len, size_t body)
{
	uint8_t h[PAYLOAD_FRAME_HEADER];

	payload_frame_header(h, type, len);
	membuf_sink(b, h, sizeof(h));
	while (body-- > 0)
		membuf_sink(b, (const uint8_t *)"a", 1);
}

static void
frame(struct membuf *b, uint8_t type, uint32_t len)
{
	frame_partly(b, type, len, len);
}

static void
item_end(struct membuf *b, uint64_t size)
{
	uint8_t v[8];

	encode_be64(v, size);
	frame_partly(b, PAYLOAD_ITEM_END, 8, 0);
	membuf_sink(b, v, sizeof(v));
}

/* An item of size bytes in DATA frames of at most PAYLOAD_DATA_MAX. */
static void
item_data(struct membuf *b, size_t size)
{
	for (size_t left = size; left > 0;) {
		size_t n = left > PAYLOAD_DATA_MAX ? PAYLOAD_DATA_MAX : left;

		frame(b, PAYLOAD_DATA, (uint32_t)n);
		left -= n;
	}
	item_end(b, size);
}

static void
field(struct membuf *b, uint32_t name_len, size_t size)
{
	frame(b, PAYLOAD_FIELD_BEGIN, name_len);
	item_data(b, size);
}

static void
attachment(struct membuf *b, uint32_t name_len, size_t size)
{
	frame(b, PAYLOAD_ATTACHMENT_BEGIN, name_len);
	item_data(b, size);
}

static void
done(struct membuf *b)
{
	frame(b, PAYLOAD_DONE, 0);
}

/*
 * Feed p in pieces of step bytes (0: random sizes); return NULL if the
 * report was read whole, else the reader's reason.
 */
static const char *
run(const struct membuf *p, size_t step, struct got *g)
{
	static char why[128];
	struct payload_reader *r = payload_reader_new(&cb, g);
	int rc = 0;

	memset(g, 0, sizeof(*g));
	for (size_t i = 0; i < p->len && rc == 0;) {
		size_t n = step ? step : 1 + randombytes_uniform(70000);

		if (n > p->len - i)
			n = p->len - i;
		rc = payload_reader_feed(r, p->p + i, n);
		i += n;
	}
	if (rc == 0)
		rc = payload_reader_finish(r);
	snprintf(why, sizeof(why), "%s", payload_reader_error(r));
	payload_reader_free(r);
	return rc == 0 ? NULL : why;
}

struct limit_case {
	const char *name;
	void (*build)(struct membuf *b);
	const char *error;	/* NULL: read whole */
	size_t name_len, field_len;	/* what came out, when read whole */
};

static void b_field_name_1(struct membuf *b) { field(b, 1, 3); done(b); }
static void b_field_name_64(struct membuf *b) { field(b, 64, 3); done(b); }
static void b_field_name_65(struct membuf *b) { field(b, 65, 3); done(b); }
static void b_field_name_0(struct membuf *b) { field(b, 0, 3); done(b); }
static void b_file_name_0(struct membuf *b) { attachment(b, 0, 3); done(b); }
static void b_file_name_max(struct membuf *b) { attachment(b, 65535, 3); done(b); }
static void b_file_name_over(struct membuf *b) { attachment(b, 65536, 3); done(b); }
static void b_file_name_70000(struct membuf *b) { attachment(b, 70000, 3); done(b); }
static void b_file_name_4g(struct membuf *b)
{
	frame_partly(b, PAYLOAD_ATTACHMENT_BEGIN, UINT32_MAX, 200000);
}
static void b_data_max(struct membuf *b) { attachment(b, 1, 65536); done(b); }
static void b_data_over(struct membuf *b)
{
	frame(b, PAYLOAD_ATTACHMENT_BEGIN, 1);
	frame(b, PAYLOAD_DATA, 65537);
	item_end(b, 65537);
	done(b);
}
static void b_data_0(struct membuf *b)
{
	frame(b, PAYLOAD_ATTACHMENT_BEGIN, 1);
	frame(b, PAYLOAD_DATA, 0);
	item_end(b, 0);
	done(b);
}
static void b_value_max(struct membuf *b) { field(b, 1, MIB); done(b); }
static void b_value_over(struct membuf *b) { field(b, 1, MIB + 1); done(b); }
static void b_item_end_7(struct membuf *b)
{
	frame(b, PAYLOAD_FIELD_BEGIN, 1);
	frame(b, PAYLOAD_ITEM_END, 7);
}
static void b_item_end_9(struct membuf *b)
{
	frame(b, PAYLOAD_FIELD_BEGIN, 1);
	frame(b, PAYLOAD_ITEM_END, 9);
}
static void b_done_1(struct membuf *b) { frame(b, PAYLOAD_DONE, 1); }
static void b_type_0(struct membuf *b) { frame(b, 0, 0); }
static void b_type_6(struct membuf *b) { frame(b, 6, 1); }
static void b_type_255(struct membuf *b) { frame(b, 255, 8); }
static void b_after_bad(struct membuf *b)
{
	attachment(b, 70000, 3);
	field(b, 1, 3);
	done(b);
}

static const struct limit_case cases[] = {
	{ "field name of 1 byte", b_field_name_1, NULL, 0, 3 },
	{ "field name of 64 bytes", b_field_name_64, NULL, 0, 3 },
	{ "field name of 65 bytes", b_field_name_65, "field name length out of range", 0, 0 },
	{ "empty field name", b_field_name_0, "field name length out of range", 0, 0 },
	{ "empty file name", b_file_name_0, NULL, 0, 0 },
	{ "file name of 65,535 bytes", b_file_name_max, NULL, 65535, 0 },
	{ "file name of 65,536 bytes", b_file_name_over, "attachment name too long", 0, 0 },
	{ "file name of 70,000 bytes", b_file_name_70000, "attachment name too long", 0, 0 },
	{ "file name of 4 GiB", b_file_name_4g, "attachment name too long", 0, 0 },
	{ "data frame of 65,536 bytes", b_data_max, NULL, 1, 0 },
	{ "data frame of 65,537 bytes", b_data_over, "data frame length out of range", 0, 0 },
	{ "empty data frame", b_data_0, "data frame length out of range", 0, 0 },
	{ "field value of 1 MiB", b_value_max, NULL, 0, MIB },
	{ "field value of 1 MiB + 1", b_value_over, "field value too large", 0, 0 },
	{ "item end of 7 bytes", b_item_end_7, "item end has a wrong length", 0, 0 },
	{ "item end of 9 bytes", b_item_end_9, "item end has a wrong length", 0, 0 },
	{ "report end with a body", b_done_1, "report end has a body", 0, 0 },
	{ "frame type 0", b_type_0, "unknown frame type", 0, 0 },
	{ "frame type 6", b_type_6, "unknown frame type", 0, 0 },
	{ "frame type 255", b_type_255, "unknown frame type", 0, 0 },
	{ "a field after a refused name", b_after_bad, "attachment name too long", 0, 0 },
};

static void
check_case(const struct limit_case *c, const struct membuf *p, size_t step)
{
	const char *how = step == 0 ? "in random pieces" :
	    step == 1 ? "byte by byte" : "whole";
	struct got g;
	const char *why = run(p, step, &g);

	if (c->error != NULL) {
		ok(why != NULL && strcmp(why, c->error) == 0,
		    "%s, %s: refused (%s)", c->name, how, why ? why : "read whole");
		return;
	}
	ok(why == NULL, "%s, %s: read whole (%s)", c->name, how,
	    why ? why : "ok");
	ok(g.name_len == c->name_len && g.field_len == c->field_len,
	    "%s, %s: name %zu and value %zu bytes come out", c->name, how,
	    g.name_len, g.field_len);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct membuf p = { 0 };

		cases[i].build(&p);
		check_case(&cases[i], &p, p.len);
		check_case(&cases[i], &p, 1);
		check_case(&cases[i], &p, 0);
		free(p.p);
	}
	return tap_done();
}
