/*
 * compromise: a test build's hidden route, so that a test can play an
 * attacker who has taken over the process that parses HTTP (the network
 * process). Built only with meson -Dcompromise_route=true (scripts/test's
 * gcc and ASan builds), never in a release build: debian/rules turns it
 * off and tests/packaging/debs.sh checks that the packaged oniondropd has
 * no "/compromise" in it. GET /compromise?what=WHAT&path=PATH (PATH taken
 * as it is, no percent-decoding) tries one thing and says whether the
 * kernel let it:
 *   open-store     open(PATH, O_RDWR)             (data_dir/data.mdb)
 *   unlink         unlink(PATH)                   (an envelope file)
 *   ip-socket      socket(AF_INET), connect to 127.0.0.1:9
 *   exec           execve("/bin/sh"), which would print
 *                  "compromise: exec SUCCEEDED" on stderr
 *   write-outside  open(PATH, O_WRONLY | O_CREAT)  (outside data_dir)
 * The answer is 200 text/plain: "SUCCEEDED", or "blocked ENAME" with the
 * errno's name; a call the seccomp filter kills gives no answer at all.
 * tests/scenarios/privsep.sh asks it.
 */
#ifndef COMPROMISE_H
#define COMPROMISE_H

#include "conn.h"
#include "http_parser.h"

/*
 * compromise_answer(c, req):
 * If req is a GET of /compromise, try what its query names, answer c and
 * return 1; otherwise return 0 and leave c alone.
 */
int compromise_answer(struct conn *c, const struct http_request *req);

#endif
