/* test_keypool: prepared report keys open for the analysts they were
 * made for, and only for the current set after a change. */
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "keypool.h"
#include "membuf.h"
#include "tap.h"
#include "unseal.h"

static int on_field(void *c, const char *n, const uint8_t *v, size_t l) { return 0; }
static int on_begin(void *c, const uint8_t *n, size_t l) { return 0; }
static int on_data(void *c, const uint8_t *b, size_t l) { return 0; }
static int on_end(void *c, uint64_t s) { return 0; }
static const struct payload_callbacks cb = { on_field, on_begin, on_data, on_end };

/* Seal a small report from slots and try to open it with key. */
static enum unseal_error
seal_and_open(const struct seal_slots *slots, const struct keys_secret *key)
{
	static struct membuf b;
	struct seal *s;
	struct unseal *u;
	enum unseal_error e;

	b.len = 0;
	s = seal_start(slots, membuf_sink, &b);
	seal_field(s, "description", (const uint8_t *)"x", 1);
	while (seal_finish(s) == 1)
		continue;
	seal_free(s);
	u = unseal_new(key, &cb, NULL);
	unseal_feed(u, b.p, b.len);
	unseal_finish(u);
	e = unseal_error(u);
	unseal_free(u);
	return e;
}

/* Take slots, waiting a little for the thread to make some. */
static int
take(struct keypool *p, struct seal_slots *slots)
{
	for (int i = 0; i < 500; i++) {
		if (keypool_take(p, slots) == 0)
			return 0;
		usleep(2000);
	}
	return -1;
}

int
main(void)
{
	struct keys_secret *a, *b;
	struct keypool *p;
	struct seal_slots slots, other;
	int ok_all = 1;

	if (sodium_init() < 0)
		return 1;
	a = keys_secret_new();
	b = keys_secret_new();
	keys_generate(a);
	keys_generate(b);
	p = keypool_new(&a->pub, 1);
	ok(p != NULL, "the pool starts");
	ok(take(p, &slots) == 0, "it prepares slots");
	ok(seal_and_open(&slots, a) == UNSEAL_OK, "they open for the analyst");
	ok(take(p, &other) == 0 && memcmp(seal_slots_id(&slots),
	    seal_slots_id(&other), ENVELOPE_ID_BYTES) != 0 &&
	    memcmp(slots.key, other.key, sizeof(slots.key)) != 0,
	    "each has its own report id and key");
	keypool_set_keys(p, &b->pub, 1);
	for (int i = 0; i < 100; i++) {
		if (take(p, &slots) != 0 || seal_and_open(&slots, b) != UNSEAL_OK)
			ok_all = 0;
	}
	ok(ok_all, "after new keys, every slot handed out is for them (100 taken)");
	ok(seal_and_open(&slots, a) == UNSEAL_NO_SLOT, "... and none for the old key");
	keypool_free(p);
	keypool_free(NULL);
	keys_secret_free(a);
	keys_secret_free(b);
	return tap_done();
}
