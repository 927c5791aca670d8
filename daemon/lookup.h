/*
 * lookup: a status request (POST /status with a receipt). It reads the
 * small form, hashes the receipt with the server secret, asks the store,
 * and answers with the status page. A malformed receipt is looked up like
 * any other, so a wrong receipt and an unknown one look alike.
 */
#ifndef LOOKUP_H
#define LOOKUP_H

#include "conn.h"
#include "http_parser.h"
#include "i18n.h"

/* lookup_begin(c, req, lang): take over the body of a status request. */
void lookup_begin(struct conn *c, const struct http_request *req,
    enum lang lang);

#endif
