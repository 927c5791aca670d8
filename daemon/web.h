/*
 * web: what the reporter-facing handlers (router, form, lookup) share, and
 * nothing else of the server: what the pages say of this site, the secrets
 * for receipts and tokens, where a report goes (the store's loop side, the
 * key pool, the analysts' public keys), the per-circuit limits, and the
 * counts they keep for the server to log. The server fills it at start
 * (and the keys again on reload); no connection, event loop or listener
 * is in it. It is what the network process holds once the daemon is
 * split in processes. And the one answer every handler gives: the error
 * page.
 */
#ifndef WEB_H
#define WEB_H

#include <stddef.h>

#include "config.h"
#include "conn.h"
#include "i18n.h"
#include "keypool.h"
#include "keys.h"
#include "pages.h"
#include "ratelimit.h"
#include "store.h"

struct web {
	struct page_site site;		/* what every page says of the site */
	enum lang default_lang;		/* for paths with no language */
	struct store_secrets secrets;	/* handed over by store_open */
	struct store *store;		/* the store's loop side */
	struct keypool *keypool;	/* report keys sealed ahead of time */
	struct keys_public keys[CONFIG_ANALYSTS_MAX];	/* when it is empty */
	size_t nkeys;
	struct ratelimit *report_limit;	/* reports (and follow-ups) */
	struct ratelimit *status_limit;	/* status lookups */
	enum config_follow_ups follow_ups;
	unsigned max_uploads;		/* large bodies at once, in all */
	unsigned uploads_per_circuit;	/* and on one circuit */

	/* Kept by the handlers. */
	size_t nuploads;		/* large bodies being received */
	/* Submissions refused because locked memory could not be had (mlock
	 * over LimitMEMLOCK): the server logs the count once an hour. */
	unsigned long refused_locked_memory;
};

/*
 * web_error_page(c, w, status, lang):
 * Answer c's request with the error page for status in lang (405 also
 * says what is allowed).
 */
void web_error_page(struct conn *c, const struct web *w, int status,
    enum lang lang);

#endif
