/*
 * form: a report being submitted. It takes the body of POST /report as it
 * arrives, keeps the typed fields in bounded, locked memory, streams each
 * attachment straight into the sealer (lib/seal) whose ciphertext goes
 * straight to the store, checks the fields, seals them, commits, and
 * answers with the receipt once the store says the report is durable.
 * Plaintext exists only here, and is wiped when the submission ends.
 */
#ifndef FORM_H
#define FORM_H

#include "conn.h"
#include "http_parser.h"
#include "i18n.h"

/*
 * form_begin(c, req, lang):
 * Take over the body of a report submission on c (or answer 400 at once if
 * the body is not a form).
 */
void form_begin(struct conn *c, const struct http_request *req,
    enum lang lang);

/*
 * form_url_ok(line, len):
 * 1 if a trimmed line of the urls field is an address we accept: http or
 * https with a host, or a bare host[/path] (example.org/x, x.onion); 0 for
 * anything else (other schemes, spaces, control characters).
 */
int form_url_ok(const char *line, size_t len);

#endif
