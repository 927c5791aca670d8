/*
 * lookup: see lookup.h. The request's state, with the receipt typed, lives
 * in locked memory; so do the reply secret key and the opened messages,
 * for the time it takes to draw the page. The page itself goes into the
 * answer's evbuffer, which evmem.c wipes when libevent frees it.
 */
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <sodium.h>

#include "fields.h"
#include "formbody.h"
#include "lookup.h"
#include "outcome.h"
#include "receipt.h"
#include "secmem.h"

/* A status form is tiny; anything bigger is not one. */
#define LOOKUP_BODY_MAX 8192

struct lookup {
	struct conn *c;			/* NULL once the connection is gone */
	struct web *web;
	enum lang lang;
	struct formbody *body;
	int in_receipt, asking;
	char receipt[FIELDS_RECEIPT_MAX + 1];
	size_t receipt_len;
};

/* The reply key pair and every message of a case, opened (locked). */
struct opened {
	uint8_t pk[RECEIPT_REPLY_KEY_BYTES];
	uint8_t sk[RECEIPT_REPLY_KEY_BYTES];
	char text[1 + STORE_FOLLOW_UPS_MAX][OUTCOME_MESSAGE_MAX];
};

int
lookup_follow_up_offered(enum config_follow_ups mode,
    const struct store_case *c)
{
	if (c->n == 0 || c->n - 1 >= STORE_FOLLOW_UPS_MAX)
		return 0;
	switch (mode) {
	case CONFIG_FOLLOW_UPS_ALWAYS:
		return 1;
	case CONFIG_FOLLOW_UPS_ASKED:
		return c->e[0].outcome == OUTCOME_NEED_INFORMATION;
	default:
		return 0;
	}
}

/* Open e's message into buf (OUTCOME_MESSAGE_MAX bytes) as *m; one that
 * does not open (a report older than replies, a damaged box) is left out. */
static void
open_message(struct page_text *m, char *buf, const struct store_entry *e,
    const struct opened *o)
{
	size_t len;

	if (e->message == NULL || e->message_len <= crypto_box_SEALBYTES ||
	    e->message_len > OUTCOME_SEALED_MAX)
		return;
	len = e->message_len - crypto_box_SEALBYTES;
	if (crypto_box_seal_open((uint8_t *)buf, e->message, e->message_len,
	    o->pk, o->sk) != 0)
		return;
	m->p = buf;
	m->len = len;
}

int
lookup_page(struct evbuffer *out, const struct page_site *site,
    enum lang lang, const struct lookup_query *q, const struct store_case *c)
{
	struct opened *o = secmem_get(sizeof(*o));
	struct status_view v = { .c = c };
	struct form_view fu = { .category = "", .seen_on = "",
	    .token = q->token, .receipt = q->receipt,
	    .receipt_len = q->receipt_len };

	if (o == NULL)
		return -1;
	receipt_reply_keypair(o->pk, o->sk, q->secret, q->receipt,
	    q->receipt_len);
	for (size_t i = 0; i < c->n && i < 1 + STORE_FOLLOW_UPS_MAX; i++)
		open_message(&v.message[i], o->text[i], &c->e[i], o);
	sodium_memzero(o->sk, sizeof(o->sk));
	if (lookup_follow_up_offered(q->follow_ups, c))
		v.follow_up = &fu;
	pages_status(out, site, lang, &v);
	secmem_put(o, sizeof(*o));	/* wiped whole: 44 KB, a few us */
	return 0;
}

static void
lookup_free(struct lookup *l)
{
	formbody_free(l->body);
	secmem_put(l, sizeof(*l));
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

/* Answer with the status page for c. */
static void
answer(struct lookup *l, const struct store_case *c)
{
	struct web *w = l->web;
	char token[TOKEN_TEXT_LEN + 1];
	struct lookup_query q = { w->secrets.server, l->receipt,
	    l->receipt_len, w->follow_ups, token };
	struct evbuffer *b = evbuffer_new();

	token_make(token, q.secret, time(NULL));
	if (b == NULL) {
		web_error_page(l->c, w, 500, l->lang);
		return;
	}
	if (lookup_page(b, &w->site, l->lang, &q, c) != 0) {
		w->refused_locked_memory++;	/* see web.h */
		web_error_page(l->c, w, 503, l->lang);
	} else {
		conn_respond_html(l->c, 200, b);
	}
	evbuffer_free(b);
}

static void
on_case(void *arg, struct store_case *c)
{
	struct lookup *l = arg;

	if (l->c == NULL) {
		store_case_free(c);
		lookup_free(l);
		return;
	}
	l->asking = 0;
	if (c == NULL)
		web_error_page(l->c, l->web, 503, l->lang);
	else
		answer(l, c);
	store_case_free(c);
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
		web_error_page(l->c, l->web, 400, l->lang);
		return;
	}
	receipt_hash(hash, l->web->secrets.server, l->receipt,
	    l->receipt_len);
	l->asking = 1;
	store_lookup(l->web->store, hash, on_case, l);
}

static void
body_free(void *arg)
{
	struct lookup *l = arg;

	if (l->asking) {
		l->c = NULL;	/* on_case frees it */
		return;
	}
	lookup_free(l);
}

static const struct body_handler lookup_handler = { body_data, body_end, body_free };

void
lookup_begin(struct conn *c, struct web *w, const struct http_request *req,
    enum lang lang)
{
	struct lookup *l;

	if (req->content_length > LOOKUP_BODY_MAX) {
		web_error_page(c, w, 413, lang);
		return;
	}
	if ((l = secmem_get(sizeof(*l))) == NULL) {
		w->refused_locked_memory++;	/* see web.h */
		web_error_page(c, w, 503, lang);
		return;
	}
	l->c = c;
	l->web = w;
	l->lang = lang;
	if ((l->body = formbody_new(req->content_type, &lookup_cb, l)) == NULL) {
		lookup_free(l);
		web_error_page(c, w, 400, lang);
		return;
	}
	conn_set_body_handler(c, &lookup_handler, l);
}
