/*
 * form: a report being submitted. It takes the body of POST /report as it
 * arrives, keeps the typed fields in bounded, locked memory, streams each
 * attachment straight into the sealer (lib/seal) whose ciphertext goes
 * straight to the store, checks the fields, makes the receipt, seals the
 * fields with the receipt's reply key (receipt.h), commits, and answers
 * with the receipt once the store says the report is durable.
 *
 * A follow-up (POST /follow-up) is the same submission with the receipt
 * it adds to: once its fields pass, the receipt is looked up; if the
 * status page would not offer a follow-up for it (lookup.h), or the
 * receipt leads nowhere, it is refused with one page whatever the reason;
 * else it is sealed with the same reply key and the first report's id,
 * committed as that report's follow-up, and answered without a receipt.
 * Plaintext exists only here, and is wiped when the submission ends.
 */
#ifndef FORM_H
#define FORM_H

#include "conn.h"
#include "http_parser.h"
#include "i18n.h"
#include "web.h"

/* What is being submitted. */
enum form_kind {
	FORM_REPORT,		/* a new report: it gets a receipt */
	FORM_FOLLOW_UP,		/* more for the report of a receipt */
};

/*
 * form_begin(c, w, req, lang, kind):
 * Take over the body of a submission on c (or answer 400 at once if the
 * body is not a form). w outlives every submission.
 */
void form_begin(struct conn *c, struct web *w, const struct http_request *req,
    enum lang lang, enum form_kind kind);

/*
 * form_url_ok(line, len):
 * 1 if a trimmed line of the urls field is an address we accept: http or
 * https with a host, or a bare host[/path] (example.org/x, x.onion); 0 for
 * anything else (other schemes, spaces, control characters).
 */
int form_url_ok(const char *line, size_t len);

#endif
