/*
 * router: see router.h.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#include "form.h"
#include "lookup.h"
#include "pages.h"
#include "receipt.h"
#include "router.h"
#ifdef ONIONDROP_COMPROMISE_ROUTE
#include "compromise.h"
#endif

enum route {
	ROUTE_NONE, ROUTE_LANDING, ROUTE_REPORT, ROUTE_STATUS, ROUTE_FOLLOW_UP,
	ROUTE_SAFETY, ROUTE_STYLE, ROUTE_NOSCRIPT_STYLE, ROUTE_ADD_SLASH,
};

static const struct {
	const char *path;
	enum route route;
} routes[] = {
	{ "/", ROUTE_LANDING },
	{ "/report", ROUTE_REPORT },
	{ "/status", ROUTE_STATUS },
	{ "/follow-up", ROUTE_FOLLOW_UP },	/* GET: the status page */
	{ "/safety", ROUTE_SAFETY },
	{ "", ROUTE_ADD_SLASH },	/* "/fr" -> "/fr/" */
};

static int
offered(const struct web *w, enum lang lang)
{
	for (size_t i = 0; i < w->site.n_offered; i++)
		if (w->site.offered[i] == lang)
			return 1;
	return 0;
}

/* Split "/{lang}/rest" into lang and rest; no prefix means the default. */
static enum route
parse_path(const struct web *w, const char *path, size_t len,
    enum lang *lang)
{
	*lang = w->default_lang;
	if (len == 10 && memcmp(path, "/style.css", 10) == 0)
		return ROUTE_STYLE;
	if (len == 13 && memcmp(path, "/noscript.css", 13) == 0)
		return ROUTE_NOSCRIPT_STYLE;
	if (len >= 3 && (len == 3 || path[3] == '/') &&
	    i18n_lang(path + 1, 2, lang) == 0) {
		if (!offered(w, *lang))
			return ROUTE_NONE;
		path += 3;
		len -= 3;
	} else if (len == 0 || path[0] != '/') {
		return ROUTE_NONE;
	}
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (strlen(routes[i].path) == len &&
		    memcmp(routes[i].path, path, len) == 0)
			return routes[i].route;
	return ROUTE_NONE;
}

static void
serve_css(struct conn *c, const char *css, size_t len)
{
	struct evbuffer *b = evbuffer_new();

	if (b == NULL) {
		conn_respond(c, 500, NULL, NULL, NULL);
		return;
	}
	evbuffer_add_reference(b, css, len, NULL, NULL);
	conn_respond(c, 200, "text/css; charset=utf-8", b, NULL);
	evbuffer_free(b);
}

/*
 * The empty form is the page served most (every report starts with it),
 * and it changes only when its token does, once an hour: keep the last one
 * drawn for each language. The loop is one thread.
 */
static struct {
	time_t hour;
	char *html;
	size_t len;
} form_cache[LANG_COUNT];

static int
draw_form(const struct web *w, enum lang lang, time_t hour)
{
	struct evbuffer *b = evbuffer_new();
	char token[TOKEN_TEXT_LEN + 1];
	struct form_view view = { .category = "", .seen_on = "", .token = token };
	char *html;
	size_t len;

	if (b == NULL)
		return -1;
	token_make(token, w->secrets.server, hour * 3600);
	pages_form(b, &w->site, lang, &view);
	len = evbuffer_get_length(b);
	if ((html = malloc(len)) != NULL)
		evbuffer_remove(b, html, len);
	evbuffer_free(b);
	if (html == NULL)
		return -1;
	free(form_cache[lang].html);
	form_cache[lang].html = html;
	form_cache[lang].len = len;
	form_cache[lang].hour = hour;
	return 0;
}

static void
serve_form(struct conn *c, const struct web *w, enum lang lang)
{
	struct evbuffer *b;
	time_t hour = time(NULL) / 3600;

	if ((form_cache[lang].html == NULL || form_cache[lang].hour != hour) &&
	    draw_form(w, lang, hour) != 0) {
		conn_respond(c, 500, NULL, NULL, NULL);
		return;
	}
	if ((b = evbuffer_new()) == NULL) {
		conn_respond(c, 500, NULL, NULL, NULL);
		return;
	}
	evbuffer_add(b, form_cache[lang].html, form_cache[lang].len);
	conn_respond_html(c, 200, b);
	evbuffer_free(b);
}

/* A page that needs nothing but the language. */
static void
serve_page(struct conn *c, const struct web *w, enum route route,
    enum lang lang)
{
	struct evbuffer *b = evbuffer_new();

	if (b == NULL) {
		conn_respond(c, 500, NULL, NULL, NULL);
		return;
	}
	if (route == ROUTE_LANDING)
		pages_landing(b, &w->site, lang);
	else if (route == ROUTE_SAFETY)
		pages_safety(b, &w->site, lang);
	else
		pages_status(b, &w->site, lang, NULL);
	conn_respond_html(c, 200, b);
	evbuffer_free(b);
}

static void
redirect_slash(struct conn *c, enum lang lang)
{
	char location[64];

	snprintf(location, sizeof(location), "Location: /%s/\r\n",
	    i18n_code(lang));
	conn_respond(c, 301, NULL, NULL, location);
}

static void
serve_get(struct conn *c, const struct web *w, enum route route,
    enum lang lang)
{
	size_t len;
	const char *css;

	switch (route) {
	case ROUTE_STYLE:
		css = pages_stylesheet(&len);
		serve_css(c, css, len);
		break;
	case ROUTE_NOSCRIPT_STYLE:
		css = pages_noscript_stylesheet(&len);
		serve_css(c, css, len);
		break;
	case ROUTE_ADD_SLASH:
		redirect_slash(c, lang);
		break;
	case ROUTE_REPORT:
		serve_form(c, w, lang);
		break;
	default:
		serve_page(c, w, route, lang);
		break;
	}
}

/*
 * Per-circuit limits; 1 if the request may go on. Both count at once, so
 * that concurrent requests on one circuit cannot all pass the check before
 * any is counted; a report that comes back to be corrected is refunded
 * (form.c), so a reporter is not locked out by their own mistakes. A
 * follow-up is a report: it counts against the same limit.
 */
static int
within_limit(struct conn *c, const struct web *w, enum route route)
{
	struct ratelimit *limit = route == ROUTE_STATUS ? w->status_limit :
	    w->report_limit;
	uint32_t circuit;
	time_t now = time(NULL);

	if (!conn_circuit(c, &circuit))
		return 1;
	if (ratelimit_over(limit, circuit, now))
		return 0;
	ratelimit_count(limit, circuit, now);
	return 1;
}

static void
serve_post(struct conn *c, struct web *w, const struct http_request *req,
    enum route route, enum lang lang)
{
	if (route != ROUTE_REPORT && route != ROUTE_STATUS &&
	    route != ROUTE_FOLLOW_UP) {
		web_error_page(c, w, 405, lang);
		return;
	}
	if (req->content_length > w->site.max_report_size) {
		web_error_page(c, w, 413, lang);
		return;
	}
	if (!within_limit(c, w, route)) {
		web_error_page(c, w, 429, lang);
		return;
	}
	if (route == ROUTE_STATUS)
		lookup_begin(c, w, req, lang);
	else
		form_begin(c, w, req, lang, route == ROUTE_REPORT ?
		    FORM_REPORT : FORM_FOLLOW_UP);
}

void
router_dispatch(struct conn *c, struct web *w, const struct http_request *req)
{
	const char *q = memchr(req->target, '?', req->target_len);
	size_t len = q ? (size_t)(q - req->target) : req->target_len;
	enum lang lang;
	enum route route = parse_path(w, req->target, len, &lang);

#ifdef ONIONDROP_COMPROMISE_ROUTE
	if (compromise_answer(c, req))	/* test builds only */
		return;
#endif
	if (route == ROUTE_NONE) {
		web_error_page(c, w, 404, lang);
		return;
	}
	switch (req->method) {
	case HTTP_METHOD_GET:
	case HTTP_METHOD_HEAD:
		serve_get(c, w, route, lang);
		break;
	case HTTP_METHOD_POST:
		serve_post(c, w, req, route, lang);
		break;
	default:
		web_error_page(c, w, 405, lang);
		break;
	}
}
