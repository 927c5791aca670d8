/*
 * fuzz_urlencoded: daemon/urlencoded, differentially. Input: one byte
 * choosing how to split, then the body. The body is parsed whole, in pieces,
 * and by a naive whole-buffer reference decoder written here; success or
 * failure must agree, and on success the decoded fields must be identical.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "urlencoded.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct out {
	uint8_t *buf;
	size_t len, cap;
	int infield;
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

/* Value bytes are logged escaped, so that the log is unambiguous. */
static void
out_value(struct out *o, const uint8_t *buf, size_t len)
{

	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\\' || buf[i] == 'E')
			out_add(o, "\\", 1);
		out_add(o, buf + i, 1);
	}
}

static int
on_begin(void *ctx, const char *name)
{
	struct out *o = ctx;
	size_t n = strlen(name);

	if (o->infield || n == 0 || n > URLENCODED_NAME_MAX)
		abort();
	o->infield = 1;
	out_add(o, name, n + 1);
	return (0);
}

static int
on_data(void *ctx, const uint8_t *buf, size_t len)
{
	struct out *o = ctx;

	if (!o->infield || len == 0)
		abort();
	out_value(o, buf, len);
	return (0);
}

static int
on_end(void *ctx)
{
	struct out *o = ctx;

	if (!o->infield)
		abort();
	o->infield = 0;
	out_add(o, "E", 1);
	return (0);
}

static const struct urlencoded_callbacks cbs = { on_begin, on_data, on_end };

static int
run(const uint8_t *body, size_t len, size_t step, struct out *o,
    const char **err)
{
	struct urlencoded *ue = urlencoded_new(&cbs, o);
	size_t off = 0, n;
	int rc = 0;

	if (ue == NULL)
		abort();
	while (rc == 0 && off < len) {
		n = (step == 0 || step > len - off) ? len - off : step;
		rc = urlencoded_feed(ue, body + off, n);
		off += n;
	}
	if (rc == 0)
		rc = urlencoded_finish(ue);
	*err = urlencoded_error(ue);
	urlencoded_free(ue);
	return (rc);
}

/* ---- the reference: decode a whole component at once ---- */

static int
hexv(uint8_t c)
{
	const char *h = "0123456789abcdef0123456789ABCDEF";
	const char *p = c ? strchr(h, c) : NULL;

	return (p == NULL ? -1 : (int)((p - h) % 16));
}

/* Decode s[0..len) into d; return the decoded length or -1. */
static long
ref_decode(const uint8_t *s, size_t len, uint8_t *d)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '%') {
			if (i + 2 >= len || hexv(s[i + 1]) < 0 ||
			    hexv(s[i + 2]) < 0)
				return (-1);
			d[n++] = (uint8_t)(hexv(s[i + 1]) << 4 | hexv(s[i + 2]));
			i += 2;
		} else
			d[n++] = (s[i] == '+') ? ' ' : s[i];
	}
	return ((long)n);
}

/* One pair s[0..len); return 0 or -1. */
static int
ref_pair(const uint8_t *s, size_t len, struct out *o, uint8_t *tmp)
{
	const uint8_t *eq = memchr(s, '=', len);
	size_t nlen = eq ? (size_t)(eq - s) : len;
	long n;

	if ((n = ref_decode(s, nlen, tmp)) < 0 || n == 0 ||
	    n > URLENCODED_NAME_MAX || memchr(tmp, '\0', (size_t)n) != NULL)
		return (-1);
	out_add(o, tmp, (size_t)n);
	out_add(o, "", 1);
	if (eq != NULL) {
		if ((n = ref_decode(eq + 1, len - nlen - 1, tmp)) < 0)
			return (-1);
		out_value(o, tmp, (size_t)n);
	}
	out_add(o, "E", 1);
	return (0);
}

static int
reference(const uint8_t *s, size_t len, struct out *o)
{
	uint8_t *tmp = malloc(len + 1);
	size_t start = 0, fields = 0;
	int rc = 0;

	if (tmp == NULL)
		abort();
	for (size_t i = 0; i <= len && rc == 0; i++) {
		if (i < len && s[i] != '&')
			continue;
		if (i > start && (++fields > URLENCODED_FIELDS_MAX ||
		    ref_pair(s + start, i - start, o, tmp) != 0))
			rc = -1;
		start = i + 1;
	}
	free(tmp);
	return (rc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct out whole = { 0 }, split = { 0 }, ref = { 0 };
	const char *e1, *e2;
	int r1, r2, r3;

	if (size < 1)
		return (0);
	r1 = run(data + 1, size - 1, 0, &whole, &e1);
	r2 = run(data + 1, size - 1, 1 + data[0] % 97, &split, &e2);
	r3 = reference(data + 1, size - 1, &ref);
	if (r1 != r2 || strcmp(e1, e2) != 0 || (r1 == 0) != (r3 == 0))
		abort();
	if (r1 == 0 && (whole.len != split.len || whole.len != ref.len ||
	    (whole.len > 0 && (memcmp(whole.buf, split.buf, whole.len) != 0 ||
	    memcmp(whole.buf, ref.buf, whole.len) != 0))))
		abort();
	free(whole.buf);
	free(split.buf);
	free(ref.buf);
	return (0);
}
