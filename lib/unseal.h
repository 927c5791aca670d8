/*
 * unseal: the streaming decryptor, for one envelope (envelope.h). Feed it
 * the envelope's bytes in pieces of any size; it finds the slot for its
 * key, opens the report key, decrypts chunk by chunk and hands the report
 * to payload callbacks (payload.h). Memory: one chunk, one header, and the
 * payload reader's bounded buffers.
 */
#ifndef UNSEAL_H
#define UNSEAL_H

#include <stddef.h>
#include <stdint.h>

#include "envelope.h"
#include "keys.h"
#include "payload.h"

enum unseal_error {
	UNSEAL_OK = 0,
	UNSEAL_NOT_ENVELOPE,	/* bad magic or slot count */
	UNSEAL_NO_SLOT,		/* not sealed to this key */
	UNSEAL_AUTH,		/* a slot or chunk failed authentication */
	UNSEAL_TRUNCATED,	/* ended before the FINAL chunk */
	UNSEAL_TRAILING,	/* bytes after the FINAL chunk */
	UNSEAL_PAYLOAD,		/* decrypted, but the framing is wrong */
};

struct unseal;

/*
 * unseal_new(key, cb, ctx):
 * Start reading one envelope with the analyst's key (borrowed: it must
 * outlive the unseal). Return NULL if memory is short.
 */
struct unseal *unseal_new(const struct keys_secret *key,
    const struct payload_callbacks *cb, void *ctx);

/*
 * unseal_feed(u, buf, len):
 * Consume the next len bytes of the envelope. Return 0, or -1 once the
 * envelope has failed (unseal_error says why; later calls fail too).
 */
int unseal_feed(struct unseal *u, const uint8_t *buf, size_t len);

/*
 * unseal_finish(u):
 * The envelope's bytes have all been fed: return 0 if it was whole and
 * authentic to the end, -1 otherwise.
 */
int unseal_finish(struct unseal *u);

/*
 * unseal_id(u, id):
 * Copy the report id into id once the header has been read (authenticated
 * only once unseal_finish returns 0). Return 0, or -1 if not read yet.
 */
int unseal_id(const struct unseal *u, uint8_t id[ENVELOPE_ID_BYTES]);

/* unseal_error(u) / unseal_message(u): the failure and a short reason. */
enum unseal_error unseal_error(const struct unseal *u);
const char *unseal_message(const struct unseal *u);

/* unseal_free(u): wipe and free; NULL is a no-op. */
void unseal_free(struct unseal *u);

#endif
