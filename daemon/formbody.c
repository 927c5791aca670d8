/*
 * formbody: see formbody.h. A thin adapter: both parsers already stream
 * and bound their memory; this only gives them one face.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "formbody.h"
#include "multipart.h"
#include "urlencoded.h"

#define URLENCODED_TYPE "application/x-www-form-urlencoded"

struct formbody {
	const struct formbody_callbacks *cb;
	void *ctx;
	struct multipart *mp;
	struct urlencoded *ue;
};

static int
mp_begin(void *ctx, const struct multipart_part *p)
{
	struct formbody *fb = ctx;

	return fb->cb->field_begin(fb->ctx, p->name,
	    p->has_filename ? p->filename : NULL);
}

static int
ue_begin(void *ctx, const char *name)
{
	struct formbody *fb = ctx;

	return fb->cb->field_begin(fb->ctx, name, NULL);
}

static int
any_data(void *ctx, const uint8_t *buf, size_t len)
{
	struct formbody *fb = ctx;

	return fb->cb->field_data(fb->ctx, buf, len);
}

static int
any_end(void *ctx)
{
	struct formbody *fb = ctx;

	return fb->cb->field_end(fb->ctx);
}

static const struct multipart_callbacks mp_cb = { mp_begin, any_data, any_end };
static const struct urlencoded_callbacks ue_cb = { ue_begin, any_data, any_end };

/* Is content_type the urlencoded media type (parameters allowed)? */
static int
is_urlencoded(const char *ct)
{
	size_t n = strlen(URLENCODED_TYPE);

	return strncasecmp(ct, URLENCODED_TYPE, n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

struct formbody *
formbody_new(const char *content_type, const struct formbody_callbacks *cb,
    void *ctx)
{
	struct formbody *fb = calloc(1, sizeof(*fb));
	char boundary[MULTIPART_BOUNDARY_MAX + 1];

	if (fb == NULL)
		return NULL;
	fb->cb = cb;
	fb->ctx = ctx;
	if (multipart_boundary(content_type, strlen(content_type), boundary,
	    sizeof(boundary)) == 0)
		fb->mp = multipart_new(boundary, &mp_cb, fb);
	else if (is_urlencoded(content_type))
		fb->ue = urlencoded_new(&ue_cb, fb);
	if (fb->mp == NULL && fb->ue == NULL) {
		free(fb);
		return NULL;
	}
	return fb;
}

int
formbody_feed(struct formbody *fb, const uint8_t *buf, size_t len)
{
	if (fb->mp != NULL)
		return multipart_feed(fb->mp, buf, len) == MULTIPART_OK ? 0 : -1;
	return urlencoded_feed(fb->ue, buf, len) == URLENCODED_OK ? 0 : -1;
}

int
formbody_finish(struct formbody *fb)
{
	if (fb->mp != NULL)
		return multipart_finish(fb->mp) == MULTIPART_OK ? 0 : -1;
	return urlencoded_finish(fb->ue) == URLENCODED_OK ? 0 : -1;
}

void
formbody_free(struct formbody *fb)
{
	if (fb == NULL)
		return;
	multipart_free(fb->mp);
	urlencoded_free(fb->ue);
	free(fb);
}
