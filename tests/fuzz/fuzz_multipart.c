/*
 * fuzz_multipart: daemon/multipart, differentially. Input: one byte choosing
 * how to split, one choosing the boundary, then the body. The body is parsed
 * whole and in pieces; the callbacks' output (part headers and body bytes)
 * and the result must be identical, and the callbacks must nest properly.
 * The body is also tried as a Content-Type value for multipart_boundary.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct out {
	uint8_t *buf;
	size_t len, cap;
	int inpart;
};

static void
out_add(struct out *o, const void *p, size_t n)
{

	if (o->len + n > o->cap) {
		o->cap = (o->len + n) * 2 + 256;
		if ((o->buf = realloc(o->buf, o->cap)) == NULL)
			abort();
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

/* Strings are logged with their terminating NUL, so the log is unambiguous. */
static int
on_begin(void *ctx, const struct multipart_part *p)
{
	struct out *o = ctx;

	if (o->inpart || strlen(p->name) == 0 ||
	    strlen(p->name) > MULTIPART_NAME_MAX ||
	    strlen(p->filename) > MULTIPART_FILENAME_MAX ||
	    strlen(p->content_type) > MULTIPART_CTYPE_MAX ||
	    (!p->has_filename && p->filename[0] != '\0'))
		abort();
	o->inpart = 1;
	out_add(o, "B", 1);
	out_add(o, p->name, strlen(p->name) + 1);
	out_add(o, p->has_filename ? "F" : "-", 1);
	out_add(o, p->filename, strlen(p->filename) + 1);
	out_add(o, p->content_type, strlen(p->content_type) + 1);
	return (strcmp(p->name, "stop") == 0);
}

static int
on_data(void *ctx, const uint8_t *buf, size_t len)
{
	struct out *o = ctx;

	if (!o->inpart || len == 0)
		abort();
	out_add(o, buf, len);
	return (0);
}

static int
on_end(void *ctx)
{
	struct out *o = ctx;

	if (!o->inpart)
		abort();
	o->inpart = 0;
	out_add(o, "E", 1);
	return (0);
}

static const struct multipart_callbacks cbs = { on_begin, on_data, on_end };

/* Parse body[0..len) in pieces of step bytes (all at once if step is 0). */
static int
run(const char *boundary, const uint8_t *body, size_t len, size_t step,
    struct out *o, const char **err)
{
	struct multipart *mp = multipart_new(boundary, &cbs, o);
	size_t off = 0, n;
	int rc = 0;

	if (mp == NULL)
		abort();
	while (rc == 0 && off < len) {
		n = (step == 0 || step > len - off) ? len - off : step;
		rc = multipart_feed(mp, body + off, n);
		off += n;
	}
	if (rc == 0)
		rc = multipart_finish(mp);
	*err = multipart_error(mp);
	multipart_free(mp);
	return (rc);
}

static void
try_content_type(const uint8_t *data, size_t size)
{
	char b[MULTIPART_BOUNDARY_MAX + 1];
	struct multipart *mp;

	if (multipart_boundary((const char *)data, size, b, sizeof(b)) != 0)
		return;
	if ((mp = multipart_new(b, &cbs, NULL)) == NULL)
		abort();
	multipart_free(mp);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *boundaries[] = { "AaB03x", "x", "-",
	    "----WebKitFormBoundary7MA4YWxkTrZu0gW",
	    "0123456789012345678901234567890123456789012345678901234567890123456789" };
	struct out whole = { 0 }, split = { 0 };
	const char *b, *e1, *e2;
	int r1, r2;

	try_content_type(data, size);
	if (size < 2)
		return (0);
	b = boundaries[data[1] % (sizeof(boundaries) / sizeof(boundaries[0]))];
	r1 = run(b, data + 2, size - 2, 0, &whole, &e1);
	r2 = run(b, data + 2, size - 2, 1 + data[0] % 97, &split, &e2);
	if (r1 != r2 || strcmp(e1, e2) != 0 || whole.len != split.len ||
	    (whole.len > 0 && memcmp(whole.buf, split.buf, whole.len) != 0))
		abort();
	if ((r1 == 0) != (e1[0] == '\0') || (r1 == 0 && whole.inpart))
		abort();
	free(whole.buf);
	free(split.buf);
	return (0);
}
