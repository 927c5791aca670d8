/* test_envelope: seal and unseal in memory, Padmé, tampering, framing. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "payload.h"
#include "secmem.h"
#include "seal.h"
#include "membuf.h"
#include "tap.h"
#include "unseal.h"

/* What the unsealer gave back, as one comparable transcript. */
struct got {
	struct membuf t;
};

static int
got_field(void *ctx, const char *name, const uint8_t *v, size_t len)
{
	struct got *g = ctx;

	membuf_sink(&g->t, (const uint8_t *)"F", 1);
	membuf_sink(&g->t, (const uint8_t *)name, strlen(name));
	membuf_sink(&g->t, (const uint8_t *)"=", 1);
	return membuf_sink(&g->t, v, len);
}

static int
got_att_begin(void *ctx, const uint8_t *name, size_t len)
{
	struct got *g = ctx;

	membuf_sink(&g->t, (const uint8_t *)"A", 1);
	return membuf_sink(&g->t, name, len);
}

static int
got_att_data(void *ctx, const uint8_t *b, size_t len)
{
	return membuf_sink(&((struct got *)ctx)->t, b, len);
}

static int
got_att_end(void *ctx, uint64_t size)
{
	return membuf_sink(&((struct got *)ctx)->t, (const uint8_t *)"E", 1);
}

static const struct payload_callbacks got_cb = {
	got_field, got_att_begin, got_att_data, got_att_end,
};

static const char expected[] = "Furl=http://x.example/aFdescription=caf\xc3\xa9"
    "Aa.binabcE";

static struct membuf
make_envelope(const struct keys_public *keys, size_t nkeys, size_t big)
{
	struct membuf b = { 0 };
	uint8_t id[ENVELOPE_ID_BYTES] = { 1, 2, 3 };
	struct seal *s = seal_new(keys, nkeys, id, membuf_sink, &b);
	uint8_t *data = calloc(1, big + 1);

	seal_field(s, "url", (const uint8_t *)"http://x.example/a", 18);
	seal_field(s, "description", (const uint8_t *)"caf\xc3\xa9", 5);
	seal_attachment_begin(s, (const uint8_t *)"a.bin", 5);
	seal_attachment_data(s, (const uint8_t *)"ab", 2);
	seal_attachment_data(s, (const uint8_t *)"c", 1);
	seal_attachment_data(s, data, big);
	seal_attachment_end(s);
	while (seal_finish(s) == 1)
		continue;
	seal_free(s);
	free(data);
	return b;
}

/* Unseal env fed in pieces of step bytes; return unseal's error. */
static enum unseal_error
open_envelope(const struct keys_secret *k, const uint8_t *env, size_t len,
    size_t step, struct got *g)
{
	struct unseal *u = unseal_new(k, &got_cb, g);
	enum unseal_error e;

	for (size_t i = 0; i < len; i += step)
		if (unseal_feed(u, env + i, len - i < step ? len - i : step) != 0)
			break;
	unseal_finish(u);
	e = unseal_error(u);
	unseal_free(u);
	return e;
}

static void
test_padme(void)
{
	ok(envelope_padded_size(0) == 0 && envelope_padded_size(1) == 1, "padme small");
	ok(envelope_padded_size(9) == 10, "padme(9) = 10 (got %llu)",
	    (unsigned long long)envelope_padded_size(9));
	ok(envelope_padded_size(1000000) == 1015808, "padme(1e6) = 1015808 (got %llu)",
	    (unsigned long long)envelope_padded_size(1000000));
	for (uint64_t l = 2; l < 5000000; l = l * 3 + 1) {
		uint64_t p = envelope_padded_size(l);
		if (p < l || p > l + l / 8 + 1)
			ok(0, "padme(%llu) = %llu out of bounds", (unsigned long long)l,
			    (unsigned long long)p);
	}
	ok(1, "padme stays within 12.5%% above the size");
}

static void
test_round_trip(struct keys_secret *a, struct keys_secret *b, struct keys_secret *c)
{
	struct keys_public keys[2] = { a->pub, b->pub };
	struct membuf env = make_envelope(keys, 2, 0);
	struct got ga = { 0 }, gb = { 0 }, gc = { 0 }, g1 = { 0 };

	ok(open_envelope(a, env.p, env.len, 100000, &ga) == UNSEAL_OK &&
	    ga.t.len == strlen(expected) && memcmp(ga.t.p, expected, ga.t.len) == 0,
	    "analyst A reads the report back");
	ok(open_envelope(b, env.p, env.len, 7, &gb) == UNSEAL_OK &&
	    gb.t.len == ga.t.len && memcmp(gb.t.p, ga.t.p, ga.t.len) == 0,
	    "analyst B reads the same, fed 7 bytes at a time");
	ok(open_envelope(a, env.p, env.len, 1, &g1) == UNSEAL_OK, "fed one byte at a time");
	ok(open_envelope(c, env.p, env.len, 4096, &gc) == UNSEAL_NO_SLOT,
	    "a third key has no slot");
	free(ga.t.p); free(gb.t.p); free(gc.t.p); free(g1.t.p);
	free(env.p);
}

/* Open env as k after replacing len bytes at off with bytes from p. */
static enum unseal_error
open_patched(const struct keys_secret *k, const struct membuf *env,
    size_t off, const uint8_t *p, size_t len)
{
	uint8_t *copy = malloc(env->len);
	struct got g = { 0 };
	enum unseal_error e;

	memcpy(copy, env->p, env->len);
	memcpy(copy + off, p, len);
	e = open_envelope(k, copy, env->len, 4096, &g);
	free(g.t.p);
	free(copy);
	return e;
}

/* One ephemeral key per envelope; each slot bound to it and its report. */
static void
test_slots(struct keys_secret *a, struct keys_secret *b)
{
	struct keys_public keys[2] = { a->pub, b->pub }, bad = a->pub;
	struct membuf e1 = make_envelope(keys, 2, 0), e2 = make_envelope(keys, 2, 0);
	const size_t epk = ENVELOPE_FIXED_BYTES - ENVELOPE_EPK_BYTES;
	const size_t slot_a = ENVELOPE_FIXED_BYTES + KEYS_ID_BYTES;
	const size_t slot_b = slot_a + ENVELOPE_SLOT_BYTES;
	uint8_t zeros[ENVELOPE_EPK_BYTES] = { 0 };
	struct seal_slots slots;
	uint8_t id[ENVELOPE_ID_BYTES] = { 9 };

	ok(memcmp(e1.p, ENVELOPE_MAGIC, 4) == 0 && e1.p[4 + ENVELOPE_ID_BYTES] == 2 &&
	    memcmp(e1.p + epk, e2.p + epk, ENVELOPE_EPK_BYTES) != 0,
	    "each envelope has its own ephemeral key");
	ok(open_patched(a, &e1, slot_a, e1.p + slot_b, SLOT_WRAPPED_BYTES) == UNSEAL_AUTH,
	    "B's wrapped key under A's key id fails authentication");
	ok(open_patched(a, &e1, slot_a, e2.p + slot_a, SLOT_WRAPPED_BYTES) == UNSEAL_AUTH,
	    "a slot moved from another report fails authentication");
	ok(open_patched(b, &e1, epk, zeros, sizeof(zeros)) == UNSEAL_AUTH,
	    "a low-order ephemeral key is refused");
	memset(bad.pk, 0, sizeof(bad.pk));
	ok(seal_slots_make(&slots, &bad, 1, id) != 0,
	    "sealing to a low-order analyst key is refused");
	free(e1.p);
	free(e2.p);
}

static void
test_tampering(struct keys_secret *a)
{
	struct membuf env = make_envelope(&a->pub, 1, 0);
	int refused = 0, truncated = 0;

	for (size_t i = 0; i < env.len; i++) {
		struct got g = { 0 };
		env.p[i] ^= 0x40;
		refused += open_envelope(a, env.p, env.len, 4096, &g) != UNSEAL_OK;
		env.p[i] ^= 0x40;
		free(g.t.p);
	}
	ok(refused == (int)env.len, "every flipped byte is refused (%d of %zu)", refused, env.len);
	for (size_t i = 0; i < env.len; i++) {
		struct got g = { 0 };
		truncated += open_envelope(a, env.p, i, 4096, &g) != UNSEAL_OK;
		free(g.t.p);
	}
	ok(truncated == (int)env.len, "every truncation is refused");
	env.p = realloc(env.p, env.len + 1);
	env.p[env.len] = 0;
	{
		struct got g = { 0 };
		ok(open_envelope(a, env.p, env.len + 1, 4096, &g) != UNSEAL_OK,
		    "a byte after the end is refused");
		free(g.t.p);
	}
	free(env.p);
}

static void
test_sizes(struct keys_secret *a)
{
	static const size_t sizes[] = { 0, 65536 - 60, 65536, 200000, 1 << 20 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct membuf env = make_envelope(&a->pub, 1, sizes[i]);
		struct got g = { 0 };
		/* payload: 2 fields + attachment frames, then DONE */
		ok(open_envelope(a, env.p, env.len, 65553, &g) == UNSEAL_OK &&
		    g.t.len == strlen(expected) + sizes[i],
		    "attachment of %zu bytes round-trips", sizes[i]);
		uint64_t c = env.len - ENVELOPE_HEADER_BYTES(1);
		uint64_t chunks = (c + ENVELOPE_CHUNK + 16) / (ENVELOPE_CHUNK + 17);
		uint64_t padded = c - chunks * 17;
		ok(envelope_padded_size(padded) == padded &&
		    envelope_sealed_size(padded, 1) == env.len,
		    "envelope of %zu bytes holds a Padme-sized plaintext", env.len);
		free(g.t.p);
		free(env.p);
	}
}

static void
test_misuse(struct keys_secret *a)
{
	struct membuf b = { 0 };
	uint8_t id[ENVELOPE_ID_BYTES] = { 0 };
	struct seal *s = seal_new(&a->pub, 1, id, membuf_sink, &b);

	ok(seal_new(&a->pub, 0, id, membuf_sink, &b) == NULL, "no keys: refused");
	ok(seal_field(s, "Bad-Name", (const uint8_t *)"x", 1) != 0, "field name checked");
	ok(seal_attachment_data(s, (const uint8_t *)"x", 1) != 0, "data outside an attachment refused");
	ok(seal_attachment_begin(s, (const uint8_t *)"f", 1) == 0 &&
	    seal_field(s, "url", (const uint8_t *)"x", 1) != 0, "field inside an attachment refused");
	ok(seal_finish(s) != 0, "finish inside an attachment refused");
	seal_free(s);
	seal_free(NULL);
	free(b.p);
}

static int
all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

static void
test_secmem(void)
{
	uint8_t *p = secmem_get(4096), *q;

	ok(p != NULL && all_zero(p, 4096), "secmem: a new block is zero");
	memset(p, 0xab, 4096);
	secmem_put(p, 4096);
	q = secmem_get(4096);
	ok(q == p && all_zero(q, 4096), "secmem: a returned block comes back, wiped");
	secmem_put_wiped(q, 4096);
	ok(secmem_get(8192) != q, "secmem: blocks of another size are not mixed up");
}

int
main(void)
{
	struct keys_secret *a, *b, *c;

	if (sodium_init() < 0)
		return 1;
	a = keys_secret_new(); b = keys_secret_new(); c = keys_secret_new();
	keys_generate(a); keys_generate(b); keys_generate(c);
	test_padme();
	test_round_trip(a, b, c);
	test_slots(a, b);
	test_tampering(a);
	test_sizes(a);
	test_misuse(a);
	test_secmem();
	keys_secret_free(a); keys_secret_free(b); keys_secret_free(c);
	return tap_done();
}
