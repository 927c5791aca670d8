/*
 * router: which page or handler answers a request, from its method and
 * path: /, /{lang}/, /report, /status, /follow-up, /safety under an
 * optional language prefix, and the stylesheets. Query strings are
 * ignored. Pages are drawn here; report, follow-up and status submissions
 * go to their body handlers.
 */
#ifndef ROUTER_H
#define ROUTER_H

#include "conn.h"
#include "http_parser.h"
#include "web.h"

/* router_dispatch(c, w, req): answer req, or attach a body handler to c. */
void router_dispatch(struct conn *c, struct web *w,
    const struct http_request *req);

#endif
