/*
 * storerecv: the store process's end of the store channel (storeq.h is the
 * network side's). It reads requests from the socket, each frame checked
 * by storewire.h before anything is made of it, and writes the answers.
 * The network process is not trusted: a frame that breaks the protocol
 * ends the channel (the store then finishes its work and exits), as does
 * a COUNTS request (counting walks every report: only the store's own
 * timer asks for it, for the supervisor), and no
 * request can make this end hold more than one frame's bytes of input, or
 * more than RECV_BATCH_MAX messages, at a time.
 */
#ifndef STORERECV_H
#define STORERECV_H

#include "store.h"
#include "storeq.h"

struct storerecv;

/*
 * storerecv_new(fd, secrets):
 * Take the socket fd (blocking; the channel owns it from now on) and send
 * the network side its first frame, the server secret (the caller wipes
 * *secrets). Return NULL after logging why.
 */
struct storerecv *storerecv_new(int fd, const struct store_secrets *secrets);

/*
 * storerecv_receive(r, wait_ms, closed):
 * Wait up to wait_ms milliseconds (0: not at all) for requests, and return those that came (malloc'd, linked by next, oldest
 * first; each with its bytes, a LOOKUP with an empty case in found), or
 * NULL if none did. *closed is set to 1, and NULL returned, once the
 * network side has closed its end or broken the protocol and nothing it
 * sent before is left.
 */
struct storeq_msg *storerecv_receive(struct storerecv *r, int wait_ms,
    int *closed);

/*
 * storerecv_answer(r, list):
 * Send the answers to list's messages (their result, a LOOKUP's case, a
 * COUNTS' counts), in list order, and free them. A network side that has
 * gone is not an error here: the next receive says closed.
 */
void storerecv_answer(struct storerecv *r, struct storeq_msg *list);

/* storerecv_free(r): close the socket and free r. NULL is a no-op. */
void storerecv_free(struct storerecv *r);

#endif
