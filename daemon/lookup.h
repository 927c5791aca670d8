/*
 * lookup: a status request (POST /status with a receipt). It reads the
 * small form, hashes the receipt with the server secret, asks the store,
 * derives the receipt's reply key pair, opens the analysts' messages in
 * locked memory, and answers with the status page. A malformed receipt is
 * looked up like any other, so a wrong receipt and an unknown one look
 * alike and cost the same. It also owns the rule for when a follow-up is
 * offered, which the follow-up form (form.c) obeys too.
 */
#ifndef LOOKUP_H
#define LOOKUP_H

#include <stddef.h>
#include <stdint.h>

#include <event2/buffer.h>

#include "config.h"
#include "conn.h"
#include "http_parser.h"
#include "i18n.h"
#include "pages.h"
#include "store.h"
#include "web.h"

/*
 * lookup_begin(c, w, req, lang):
 * Take over the body of a status request on c. w outlives every request.
 */
void lookup_begin(struct conn *c, struct web *w,
    const struct http_request *req, enum lang lang);

/*
 * lookup_follow_up_offered(mode, c):
 * 1 if a follow-up of the case c may be sent: the receipt led to a report
 * with fewer than STORE_FOLLOW_UPS_MAX follow-ups, and mode is "always",
 * or "asked" and the first report's outcome is need-information.
 */
int lookup_follow_up_offered(enum config_follow_ups mode,
    const struct store_case *c);

/* What a status page is drawn from, besides what the store found. */
struct lookup_query {
	const uint8_t *secret;		/* the server's, STORE_SECRET_BYTES */
	const char *receipt;		/* as typed */
	size_t receipt_len;
	enum config_follow_ups follow_ups;
	const char *token;		/* for the follow-up form */
};

/*
 * lookup_page(out, site, lang, q, c):
 * Append the status page for what q's receipt led to (c; c->n == 0 for
 * nothing). The reply key pair is derived from the receipt whatever c
 * holds, and each sealed message is opened with it in locked memory,
 * written escaped into out, then wiped with the secret key. Return 0, or
 * -1 (out untouched) if locked memory could not be had.
 */
int lookup_page(struct evbuffer *out, const struct page_site *site,
    enum lang lang, const struct lookup_query *q, const struct store_case *c);

#endif
