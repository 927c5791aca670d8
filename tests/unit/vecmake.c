/*
 * vecmake: see vecmake.h. The randombytes stream is a pool of ChaCha20
 * output refilled at each seed: an envelope draws 88 bytes after its seed
 * (report key 32, ephemeral secret key 32, secretstream header 24), a
 * secret file 40 (salt 16, nonce 24). A draw past the pool would mean lib/
 * draws far more than that: the program stops rather than go on with
 * bytes that are not the stream.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "bundle.h"
#include "seal.h"
#include "vecmake.h"

static uint8_t pool[1024];
static size_t pool_used;

static const char *
rng_name(void)
{
	return "vecmake";
}

static void
rng_buf(void *const buf, const size_t size)
{
	if (size > sizeof(pool) - pool_used) {
		fprintf(stderr, "vecmake: more randomness drawn than expected\n");
		abort();
	}
	memcpy(buf, pool + pool_used, size);
	pool_used += size;
}

static uint32_t
rng_random(void)
{
	uint32_t v;

	rng_buf(&v, sizeof(v));
	return v;
}

static randombytes_implementation rng = {
	.implementation_name = rng_name,
	.random = rng_random,
	.buf = rng_buf,
};

void
vecmake_rng_install(void)
{
	randombytes_set_implementation(&rng);
}

void
vecmake_rng_seed(const char *label)
{
	uint8_t seed[randombytes_SEEDBYTES];

	crypto_generichash(seed, sizeof(seed), (const uint8_t *)label,
	    strlen(label), NULL, 0);
	randombytes_buf_deterministic(pool, sizeof(pool), seed);
	pool_used = 0;
}

struct keys_secret *
vecmake_key(enum vecmake_key which)
{
	static const uint8_t seed_byte[] = {
		[VECMAKE_ANALYST] = 0x42, [VECMAKE_SECOND] = 0x43,
		[VECMAKE_DESK] = 0x5a,
	};
	struct keys_secret *s = keys_secret_new();
	uint8_t seed[32];

	if (s == NULL)
		return NULL;
	memset(seed, seed_byte[which], sizeof(seed));
	if (which == VECMAKE_DESK) {
		uint8_t expanded[crypto_sign_SECRETKEYBYTES];

		memcpy(s->sk, seed, sizeof(seed));
		crypto_sign_seed_keypair(s->pub.pk, expanded, seed);
		sodium_memzero(expanded, sizeof(expanded));
	} else {
		crypto_box_seed_keypair(s->pub.pk, s->sk, seed);
	}
	keys_id(s->pub.id, s->pub.pk);
	return s;
}

#define REPLY_KEY \
	"7ce31baa9a04b5cfb83ab7ccdd7b669b911a082d29883d6aad3256294a0a5e0c"

/* In the daemon's order: attachments as they arrive, then the fields. */
static const struct vecmake_item report_items[] = {
	{ NULL, "capture d\xe2\x80\x99\xc3\xa9" "cran 1.png", NULL, 700 },
	{ "received", NULL, "2026-12-03", 0 },
	{ "language", NULL, "fr", 0 },
	{ "reply_key", NULL, REPLY_KEY, 0 },
	{ "category", NULL, "csam_images", 0 },
	{ "seen_on", NULL, "website", 0 },
	{ "url", NULL, "https://forum.example/t/123", 0 },
	{ "url", NULL, "http://photos.example/album?id=42&x=1", 0 },
	{ "description", NULL, "Les images sont encore en ligne \xc3\xa0 14 h.\n"
	    "Deux liens ci-dessus.", 0 },
};

/* A follow-up of the first: no attachment, an empty field. */
static const struct vecmake_item follow_up_items[] = {
	{ "received", NULL, "2026-12-05", 0 },
	{ "language", NULL, "ar", 0 },
	{ "reply_key", NULL, REPLY_KEY, 0 },
	{ "follow_up_of", NULL, "000102030405060708090a0b0c0d0e0f", 0 },
	{ "category", NULL, "csam_images", 0 },
	{ "seen_on", NULL, "", 0 },
	/* "the second link still works" */
	{ "description", NULL, "\xd8\xa7\xd9\x84\xd8\xb1\xd8\xa7\xd8\xa8\xd8\xb7 "
	    "\xd8\xa7\xd9\x84\xd8\xab\xd8\xa7\xd9\x86\xd9\x8a \xd9\x85\xd8\xa7 "
	    "\xd8\xb2\xd8\xa7\xd9\x84 \xd9\x8a\xd8\xb9\xd9\x85\xd9\x84.", 0 },
};

#define NITEMS(a) (sizeof(a) / sizeof((a)[0]))

const struct vecmake_report vecmake_reports[2] = {
	{ "report", { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	    0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f }, 2,
	    report_items, NITEMS(report_items) },
	{ "follow-up", { 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
	    0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f }, 1,
	    follow_up_items, NITEMS(follow_up_items) },
};

uint8_t
vecmake_attachment_byte(size_t i)
{
	return (uint8_t)(i * 167 + 13);	/* every byte value, in 256 */
}

const struct keys_kdf_cost vecmake_cost = { 1, 8192 };

const struct vecmake_file vecmake_files[] = {
	{ "format/report.ode", VECMAKE_ENVELOPE, VECMAKE_ANALYST, NULL },
	{ "format/bundle.odb", VECMAKE_BUNDLE, VECMAKE_ANALYST, NULL },
	{ "format/analyst-nopass.sec", VECMAKE_SECRET, VECMAKE_ANALYST, NULL },
	{ "format/analyst-pass.sec", VECMAKE_SECRET, VECMAKE_ANALYST,
	    "passphrase" },
	{ "format/second-nopass.sec", VECMAKE_SECRET, VECMAKE_SECOND, NULL },
	{ "format/second.pub", VECMAKE_PUBLIC, VECMAKE_SECOND, NULL },
	{ "keys/analyst.pub", VECMAKE_PUBLIC, VECMAKE_ANALYST, NULL },
	{ "keys/desk.pub", VECMAKE_PUBLIC, VECMAKE_DESK, NULL },
	{ NULL, 0, 0, NULL },
};

static int
seal_attachment(struct seal *s, const struct vecmake_item *it)
{
	uint8_t piece[VECMAKE_PIECE];
	size_t n;

	if (seal_attachment_begin(s, (const uint8_t *)it->name,
	    strlen(it->name)) != 0)
		return -1;
	for (size_t at = 0; at < it->size; at += n) {
		n = it->size - at < sizeof(piece) ? it->size - at : sizeof(piece);
		for (size_t i = 0; i < n; i++)
			piece[i] = vecmake_attachment_byte(at + i);
		if (seal_attachment_data(s, piece, n) != 0)
			return -1;
	}
	return seal_attachment_end(s);
}

static int
seal_items(struct seal *s, const struct vecmake_report *r)
{
	const struct vecmake_item *it;

	for (it = r->items; it < r->items + r->nitems; it++)
		if (it->field == NULL ? seal_attachment(s, it) != 0 :
		    seal_field(s, it->field, (const uint8_t *)it->value,
		    strlen(it->value)) != 0)
			return -1;
	return 0;
}

/* The public halves of the first nkeys analyst keys. */
static int
analyst_keys(struct keys_public *pub, size_t nkeys)
{
	static const enum vecmake_key which[] = {
		VECMAKE_ANALYST, VECMAKE_SECOND
	};
	struct keys_secret *s;

	for (size_t i = 0; i < nkeys; i++) {
		if ((s = vecmake_key(which[i])) == NULL)
			return -1;
		pub[i] = s->pub;
		keys_secret_free(s);
	}
	return 0;
}

static int
seal_report(struct membuf *out, const struct vecmake_report *r)
{
	struct keys_public keys[2];
	struct seal *s = NULL;
	int rc = -1;

	if (analyst_keys(keys, r->nkeys) != 0)
		return -1;
	vecmake_rng_seed(r->label);
	if ((s = seal_new(keys, r->nkeys, r->id, membuf_sink, out)) == NULL ||
	    seal_items(s, r) != 0)
		goto done;
	while ((rc = seal_finish(s)) == 1)
		continue;
done:
	seal_free(s);
	return rc;
}

static int
make_bundle(struct membuf *out)
{
	struct bundle_writer *w = bundle_writer_new(membuf_sink, out);
	struct membuf env = { 0 };
	int rc = w == NULL ? -1 : 0;

	for (size_t i = 0; i < 2 && rc == 0; i++) {
		env.len = 0;
		if (seal_report(&env, &vecmake_reports[i]) != 0 ||
		    bundle_writer_begin(w, vecmake_reports[i].id, env.len) != 0 ||
		    bundle_writer_data(w, env.p, env.len) != 0 ||
		    bundle_writer_end(w) != 0)
			rc = -1;
	}
	if (rc == 0)
		rc = bundle_writer_finish(w);
	bundle_writer_free(w);
	free(env.p);
	return rc;
}

static int
make_secret(struct membuf *out, const struct vecmake_file *f,
    const struct keys_secret *s)
{
	int (*seal)(uint8_t *, const struct keys_secret *, const char *, size_t,
	    const struct keys_kdf_cost *) = f->key == VECMAKE_DESK ?
	    keys_sign_seal : keys_secret_seal;
	uint8_t file[KEYS_SECRET_FILE_BYTES];
	int rc;

	vecmake_rng_seed(f->path);
	rc = seal(file, s, f->pass, f->pass ? strlen(f->pass) : 0,
	    &vecmake_cost);
	if (rc == 0)
		membuf_sink(out, file, sizeof(file));
	return rc;
}

static void
make_public(struct membuf *out, const struct vecmake_file *f,
    const struct keys_secret *s)
{
	char line[KEYS_SIGN_LINE_LEN + 1];

	if (f->key == VECMAKE_DESK)
		keys_sign_public_format(line, &s->pub);
	else
		keys_public_format(line, &s->pub);
	membuf_sink(out, (const uint8_t *)line, strlen(line));
	membuf_sink(out, (const uint8_t *)"\n", 1);
}

int
vecmake_make(const struct vecmake_file *f, struct membuf *out)
{
	struct keys_secret *s;
	int rc = 0;

	if (f->kind == VECMAKE_ENVELOPE)
		return seal_report(out, &vecmake_reports[0]);
	if (f->kind == VECMAKE_BUNDLE)
		return make_bundle(out);
	if ((s = vecmake_key(f->key)) == NULL)
		return -1;
	if (f->kind == VECMAKE_SECRET)
		rc = make_secret(out, f, s);
	else
		make_public(out, f, s);
	keys_secret_free(s);
	return rc;
}
