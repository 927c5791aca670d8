/*
 * web: see web.h.
 */
#include <event2/buffer.h>

#include "web.h"

void
web_error_page(struct conn *c, const struct web *w, int status,
    enum lang lang)
{
	struct evbuffer *html = evbuffer_new();
	const char *extra = status == 405 ? "Allow: GET, HEAD, POST\r\n" : NULL;

	if (html == NULL) {
		conn_respond(c, 500, NULL, NULL, NULL);
		return;
	}
	pages_error(html, &w->site, lang, status);
	conn_respond(c, status, "text/html; charset=utf-8", html, extra);
	evbuffer_free(html);
}
