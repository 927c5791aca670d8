/*
 * urlencoded: a strict, streaming application/x-www-form-urlencoded
 * request-body parser. It owns the splitting into name=value pairs, the
 * decoding of %XX and '+' and the limits; it never owns values: decoded
 * value bytes are handed to a callback as they arrive, so the memory per
 * request is a constant whatever the length of a value.
 *
 * Decoded value bytes collect in a small buffer that is flushed when full,
 * at the end of the field and at the end of every feed, so an escape split
 * across feeds costs nothing and no input byte is referenced after a feed
 * returns. Runs of plain bytes bypass that buffer.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "secmem.h"
#include "urlencoded.h"

enum ue_state {
	UE_NAME,
	UE_VALUE,
	UE_DONE,	/* urlencoded_finish was called */
	UE_ERROR
};

struct urlencoded {
	struct urlencoded_callbacks cb;
	void *ctx;
	enum ue_state state;
	int rc;
	const char *err;
	int pct;		/* 0, or 1 or 2 after '%' and one hex digit */
	unsigned hi;		/* first hex digit of an escape */
	unsigned nfields;
	size_t nlen;
	size_t olen;
	char name[URLENCODED_NAME_MAX + 1];
	uint8_t out[1024];
};

/**
 * urlencoded_new(cb, ctx):
 * Return a parser calling cb's functions with ctx, or NULL if memory is
 * exhausted.
 */
struct urlencoded *
urlencoded_new(const struct urlencoded_callbacks *cb, void *ctx)
{
	struct urlencoded *ue;

	/* Locked: it holds decoded bytes of the fields. */
	if ((ue = secmem_get(sizeof(*ue))) == NULL)
		return (NULL);
	ue->cb = *cb;
	ue->ctx = ctx;
	ue->state = UE_NAME;
	ue->rc = URLENCODED_OK;
	ue->err = "";
	return (ue);
}

static int
fail(struct urlencoded *ue, int rc, const char *why)
{

	ue->state = UE_ERROR;
	ue->rc = rc;
	ue->err = why;
	return (rc);
}

static int
invalid(struct urlencoded *ue, const char *why)
{

	return (fail(ue, URLENCODED_EINVAL, why));
}

static int
aborted(struct urlencoded *ue)
{

	return (fail(ue, URLENCODED_EABORT, "aborted by callback"));
}

static int
hexval(uint8_t c)
{

	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

/* Hand the buffered value bytes to field_data. */
static int
flush(struct urlencoded *ue)
{

	if (ue->olen == 0)
		return (0);
	if (ue->cb.field_data(ue->ctx, ue->out, ue->olen))
		return (aborted(ue));
	sodium_memzero(ue->out, ue->olen);
	ue->olen = 0;
	return (0);
}

/* Append one decoded byte to the name or the value. */
static int
put(struct urlencoded *ue, uint8_t c)
{

	if (ue->state == UE_NAME) {
		if (c == '\0')
			return (invalid(ue, "NUL in field name"));
		if (ue->nlen == URLENCODED_NAME_MAX)
			return (invalid(ue, "field name too long"));
		ue->name[ue->nlen++] = (char)c;
		return (0);
	}
	if (ue->olen == sizeof(ue->out) && flush(ue))
		return (ue->rc);
	ue->out[ue->olen++] = c;
	return (0);
}

/* The name is complete: start its field. */
static int
field_begin(struct urlencoded *ue)
{

	if (++ue->nfields > URLENCODED_FIELDS_MAX)
		return (invalid(ue, "too many fields"));
	ue->name[ue->nlen] = '\0';
	if (ue->cb.field_begin(ue->ctx, ue->name))
		return (aborted(ue));
	sodium_memzero(ue->name, sizeof(ue->name));
	ue->nlen = 0;
	ue->state = UE_VALUE;
	return (0);
}

/* An unescaped '&' or the end of the body: end the pair, if any. */
static int
pair_end(struct urlencoded *ue)
{

	if (ue->state == UE_NAME) {
		if (ue->nlen == 0)
			return (0);	/* empty pair */
		if (field_begin(ue))
			return (ue->rc);
	}
	if (flush(ue))
		return (ue->rc);
	if (ue->cb.field_end(ue->ctx))
		return (aborted(ue));
	ue->state = UE_NAME;
	return (0);
}

/* One byte of a percent escape. */
static int
escape_byte(struct urlencoded *ue, uint8_t c)
{
	int v = hexval(c);

	if (v < 0)
		return (invalid(ue, "invalid percent escape"));
	if (ue->pct == 1) {
		ue->hi = (unsigned)v;
		ue->pct = 2;
		return (0);
	}
	ue->pct = 0;
	return (put(ue, (uint8_t)(ue->hi << 4 | (unsigned)v)));
}

static int
feed_byte(struct urlencoded *ue, uint8_t c)
{

	if (ue->pct)
		return (escape_byte(ue, c));
	switch (c) {
	case '%':
		ue->pct = 1;
		return (0);
	case '+':
		return (put(ue, ' '));
	case '&':
		return (pair_end(ue));
	case '=':
		if (ue->state == UE_VALUE)
			return (put(ue, c));
		if (ue->nlen == 0)
			return (invalid(ue, "empty field name"));
		return (field_begin(ue));
	default:
		return (put(ue, c));
	}
}

/* Length of the run of plain value bytes at the start of buf[0..len). */
static size_t
plain_run(const uint8_t *buf, size_t len)
{
	size_t i = 0;

	while (i < len && buf[i] != '%' && buf[i] != '+' && buf[i] != '&')
		i++;
	return (i);
}

/**
 * urlencoded_feed(ue, buf, len):
 * Parse the next len bytes of the body. Return URLENCODED_OK, or
 * URLENCODED_EINVAL / URLENCODED_EABORT; after an error, or after
 * urlencoded_finish, every later call fails.
 */
int
urlencoded_feed(struct urlencoded *ue, const uint8_t *buf, size_t len)
{
	size_t i = 0, run;

	if (ue->state == UE_DONE)
		return (invalid(ue, "data after the end of the body"));
	while (i < len && ue->state != UE_ERROR) {
		if (ue->state == UE_VALUE && ue->pct == 0 &&
		    (run = plain_run(buf + i, len - i)) > 0) {
			if (flush(ue))
				break;
			if (ue->cb.field_data(ue->ctx, buf + i, run)) {
				aborted(ue);
				break;
			}
			i += run;
			continue;
		}
		if (feed_byte(ue, buf[i++]))
			break;
	}
	if (ue->state == UE_VALUE)
		flush(ue);
	return (ue->rc);
}

/**
 * urlencoded_finish(ue):
 * Signal the end of the body, ending the last field. Return URLENCODED_OK,
 * URLENCODED_EINVAL if the body ends inside a percent escape, or the earlier
 * error.
 */
int
urlencoded_finish(struct urlencoded *ue)
{

	if (ue->state == UE_ERROR)
		return (ue->rc);
	if (ue->state == UE_DONE)
		return (invalid(ue, "finished twice"));
	if (ue->pct)
		return (invalid(ue, "truncated percent escape"));
	if (pair_end(ue))
		return (ue->rc);
	ue->state = UE_DONE;
	return (URLENCODED_OK);
}

/**
 * urlencoded_error(ue):
 * Return a short static description of the error, or "" if none. It never
 * contains bytes from the request.
 */
const char *
urlencoded_error(const struct urlencoded *ue)
{

	return (ue->err);
}

/**
 * urlencoded_free(ue):
 * Wipe and free the parser. NULL is a no-op.
 */
void
urlencoded_free(struct urlencoded *ue)
{

	if (ue == NULL)
		return;
	secmem_put(ue, sizeof(*ue));
}
