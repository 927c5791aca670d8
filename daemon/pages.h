/*
 * pages: every HTML page the reporter sees, in French, Arabic (right to
 * left) and English, and the one stylesheet. No script, no external
 * resource, no font, no image; everything echoed is HTML-escaped. Pages
 * link to each other under /{lang}/ and offer a language switcher.
 *
 * Routes the pages link to (the router serves them):
 *   /{lang}/            landing          /{lang}/report   form (POST target)
 *   /{lang}/status      status (GET form, POST lookup)
 *   /{lang}/follow-up   the follow-up form's POST target
 *   /{lang}/safety      how to stay safe /style.css       the stylesheet
 *   /noscript.css       the stylesheet pages load only when scripts are off
 */
#ifndef PAGES_H
#define PAGES_H

#include <stddef.h>
#include <stdint.h>

#include <event2/buffer.h>

#include "fields.h"
#include "i18n.h"
#include "store.h"

/* What every page needs to know about this server. */
struct page_site {
	enum lang offered[LANG_COUNT];	/* in the admin's order */
	size_t n_offered;
	int attachments;		/* the form has a file input */
	uint64_t max_attachment_size;	/* shown to reporters */
	uint64_t max_report_size;
	/* The deployment's emergency and support contacts, plain text for
	 * each language, or NULL: the pages keep their generic wording. */
	const char *help_contacts[LANG_COUNT];
};

/* pages_landing(out, site, lang): what to report, what happens next. */
void pages_landing(struct evbuffer *out, const struct page_site *site,
    enum lang lang);

/*
 * pages_form(out, site, lang, view):
 * The report form, empty or with errors; with view->receipt, the
 * follow-up form (id="follow-up") of that receipt, with its errors.
 */
void pages_form(struct evbuffer *out, const struct page_site *site,
    enum lang lang, const struct form_view *view);

/*
 * pages_receipt(out, site, lang, receipt):
 * The report is stored: the receipt inside <code id="receipt">, why to
 * keep it and how to use it.
 */
void pages_receipt(struct evbuffer *out, const struct page_site *site,
    enum lang lang, const char *receipt);

/* A message opened for the status page (as the analysts wrote it), or
 * none (p NULL). */
struct page_text {
	const char *p;
	size_t len;
};

/* What a receipt led to, ready to be drawn. */
struct status_view {
	const struct store_case *c;	/* c->n == 0: nothing found */
	struct page_text message[1 + STORE_FOLLOW_UPS_MAX];	/* of c->e[i] */
	const struct form_view *follow_up;	/* the form offered, or NULL */
};

/*
 * pages_status(out, site, lang, view):
 * The status form; with view (after a lookup), first an element
 * id="status" saying what became of the report (an outcome's status and
 * its day, else received or taken; a wrong receipt reads like an unknown
 * one), the analysts' message in id="message" (dir="auto"), the
 * follow-ups in id="follow-ups" (each one's day and status, and its
 * message), and view->follow_up as the form id="follow-up".
 */
void pages_status(struct evbuffer *out, const struct page_site *site,
    enum lang lang, const struct status_view *view);

/*
 * pages_follow_up(out, site, lang, accepted):
 * After a follow-up was sent: received, and the same receipt still works;
 * or not accepted, in words that never say whether the receipt exists.
 */
void pages_follow_up(struct evbuffer *out, const struct page_site *site,
    enum lang lang, int accepted);

/* pages_safety(out, site, lang): how to stay safe while reporting. */
void pages_safety(struct evbuffer *out, const struct page_site *site,
    enum lang lang);

/*
 * pages_error(out, site, lang, http_status):
 * An error page for 400 (a request we could not read), 404, 405, 411, 413,
 * 414, 429, 431, 500, 501, 503 or 505, saying what the reporter can do.
 */
void pages_error(struct evbuffer *out, const struct page_site *site,
    enum lang lang, int http_status);

/* pages_stylesheet(len): the stylesheet served at /style.css. */
const char *pages_stylesheet(size_t *len);

/*
 * pages_noscript_stylesheet(len):
 * The stylesheet served at /noscript.css. Pages load it inside <noscript>,
 * so it applies only when scripts are off: it hides the notice asking to
 * turn them off (the CSP forbids inline styles).
 */
const char *pages_noscript_stylesheet(size_t *len);

#endif
