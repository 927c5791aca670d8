/*
 * lookup: see lookup.h.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <sodium.h>

#include "fields.h"
#include "formbody.h"
#include "lookup.h"
#include "pages.h"
#include "receipt.h"
#include "server.h"

/* A status form is tiny; anything bigger is not one. */
#define LOOKUP_BODY_MAX 8192

struct lookup {
	struct conn *c;			/* NULL once the connection is gone */
	struct server *srv;
	enum lang lang;
	struct formbody *body;
	int in_receipt, asking;
	char receipt[FIELDS_RECEIPT_MAX + 1];
	size_t receipt_len;
};

static void
lookup_free(struct lookup *l)
{
	formbody_free(l->body);
	sodium_memzero(l, sizeof(*l));
	free(l);
}

static int
on_begin(void *arg, const char *name, const char *filename)
{
	struct lookup *l = arg;

	l->in_receipt = strcmp(name, FIELD_RECEIPT) == 0;
	return 0;
}

static int
on_data(void *arg, const uint8_t *buf, size_t len)
{
	struct lookup *l = arg;
	size_t room = sizeof(l->receipt) - 1 - l->receipt_len;

	if (!l->in_receipt)
		return 0;
	if (len > room)
		len = room;	/* too long to be a receipt: it will not match */
	memcpy(l->receipt + l->receipt_len, buf, len);
	l->receipt_len += len;
	return 0;
}

static int
on_end(void *arg)
{
	((struct lookup *)arg)->in_receipt = 0;
	return 0;
}

static const struct formbody_callbacks lookup_cb = { on_begin, on_data, on_end };

static void
on_status(void *arg, enum store_status status)
{
	struct lookup *l = arg;
	struct evbuffer *b;

	if (l->c == NULL) {
		lookup_free(l);
		return;
	}
	l->asking = 0;
	if ((b = evbuffer_new()) == NULL) {
		conn_error_page(l->c, 500, l->lang);
		return;
	}
	pages_status(b, &l->srv->site, l->lang, 1, status);
	conn_respond_html(l->c, 200, b);
	evbuffer_free(b);
}

static void
body_data(void *arg, const uint8_t *buf, size_t len)
{
	struct lookup *l = arg;

	formbody_feed(l->body, buf, len);
}

static void
body_end(void *arg)
{
	struct lookup *l = arg;
	uint8_t hash[STORE_RECEIPT_HASH_BYTES];

	if (formbody_finish(l->body) != 0) {
		conn_error_page(l->c, 400, l->lang);
		return;
	}
	receipt_hash(hash, store_secret(l->srv->store), l->receipt,
	    l->receipt_len);
	l->asking = 1;
	store_status(l->srv->store, hash, on_status, l);
}

static void
body_free(void *arg)
{
	struct lookup *l = arg;

	if (l->asking) {
		l->c = NULL;	/* on_status frees it */
		return;
	}
	lookup_free(l);
}

static const struct body_handler lookup_handler = { body_data, body_end, body_free };

void
lookup_begin(struct conn *c, const struct http_request *req, enum lang lang)
{
	struct lookup *l;

	if (req->content_length > LOOKUP_BODY_MAX) {
		conn_error_page(c, 413, lang);
		return;
	}
	if ((l = calloc(1, sizeof(*l))) == NULL) {
		conn_error_page(c, 500, lang);
		return;
	}
	l->c = c;
	l->srv = conn_server(c);
	l->lang = lang;
	if ((l->body = formbody_new(req->content_type, &lookup_cb, l)) == NULL) {
		lookup_free(l);
		conn_error_page(c, 400, lang);
		return;
	}
	conn_set_body_handler(c, &lookup_handler, l);
}
