/*
 * test_vectors: the format reference vectors (tests/vectors/format/README).
 * Today's code opens each committed file and finds every key, field,
 * attachment byte and id in it; and makes each file again, byte for byte,
 * from the same fixed keys, inputs and randomness (vecmake.h). So a
 * self-consistent change to a stored format (the envelope's magic, header
 * or slots, the payload's framing, the padding, the bundle, a key file or a
 * public line) fails here until the vectors are made again on purpose.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "bundle.h"
#include "encode.h"
#include "tap.h"
#include "unseal.h"
#include "vecmake.h"

/* Read SOURCE_ROOT/tests/vectors/path whole (an empty buffer if absent). */
static struct membuf
load(const char *path)
{
	struct membuf b = { 0 };
	char full[4096];
	uint8_t buf[4096];
	FILE *f;
	size_t n;

	snprintf(full, sizeof(full), "%s/tests/vectors/%s", SOURCE_ROOT, path);
	if ((f = fopen(full, "rb")) == NULL)
		return b;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		membuf_sink(&b, buf, n);
	fclose(f);
	return b;
}

static int
same(const struct membuf *a, const struct membuf *b)
{
	return a->len == b->len && a->len > 0 && memcmp(a->p, b->p, a->len) == 0;
}

/* ---- what a report decrypts to, as one comparable transcript ---- */

static int
got_field(void *ctx, const char *name, const uint8_t *v, size_t len)
{
	uint8_t n[8];

	encode_be64(n, len);
	membuf_sink(ctx, (const uint8_t *)"F", 1);
	membuf_sink(ctx, (const uint8_t *)name, strlen(name) + 1);
	membuf_sink(ctx, n, sizeof(n));
	return membuf_sink(ctx, v, len);
}

static int
got_att_begin(void *ctx, const uint8_t *name, size_t len)
{
	uint8_t n[8];

	encode_be64(n, len);
	membuf_sink(ctx, (const uint8_t *)"A", 1);
	membuf_sink(ctx, n, sizeof(n));
	return membuf_sink(ctx, name, len);
}

static int
got_att_data(void *ctx, const uint8_t *b, size_t len)
{
	return membuf_sink(ctx, b, len);
}

static int
got_att_end(void *ctx, uint64_t size)
{
	uint8_t n[8];

	encode_be64(n, size);
	membuf_sink(ctx, (const uint8_t *)"E", 1);
	return membuf_sink(ctx, n, sizeof(n));
}

static const struct payload_callbacks got_cb = {
	got_field, got_att_begin, got_att_data, got_att_end,
};

/* The transcript report r should decrypt to: its items, byte by byte. */
static struct membuf
expected(const struct vecmake_report *r)
{
	struct membuf t = { 0 };
	const struct vecmake_item *it;
	uint8_t b;

	for (it = r->items; it < r->items + r->nitems; it++) {
		if (it->field != NULL) {
			got_field(&t, it->field, (const uint8_t *)it->value,
			    strlen(it->value));
			continue;
		}
		got_att_begin(&t, (const uint8_t *)it->name, strlen(it->name));
		for (size_t i = 0; i < it->size; i++) {
			b = vecmake_attachment_byte(i);
			got_att_data(&t, &b, 1);
		}
		got_att_end(&t, it->size);
	}
	return t;
}

/* Open env with k, fed in pieces of step bytes; the id it names to id. */
static enum unseal_error
open_envelope(const struct keys_secret *k, const struct membuf *env,
    size_t step, struct membuf *t, uint8_t id[ENVELOPE_ID_BYTES])
{
	struct unseal *u = unseal_new(k, &got_cb, t);
	enum unseal_error e;

	for (size_t i = 0; i < env->len; i += step)
		if (unseal_feed(u, env->p + i, env->len - i < step ?
		    env->len - i : step) != 0)
			break;
	unseal_finish(u);
	e = unseal_error(u);
	if (unseal_id(u, id) != 0)
		memset(id, 0, ENVELOPE_ID_BYTES);
	unseal_free(u);
	return e;
}

/* k opens env (whole, then byte by byte) to exactly report r. */
static void
check_opens(const struct keys_secret *k, const char *who,
    const struct membuf *env, const struct vecmake_report *r)
{
	static const size_t steps[] = { 1 << 20, 1 };
	struct membuf want = expected(r);
	uint8_t id[ENVELOPE_ID_BYTES];

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct membuf t = { 0 };
		enum unseal_error e = open_envelope(k, env, steps[i], &t, id);

		ok(e == UNSEAL_OK && same(&t, &want) &&
		    memcmp(id, r->id, sizeof(id)) == 0,
		    "%s opens the %s (in pieces of %zu): every field, attachment "
		    "byte and the id (error %d, %zu of %zu bytes)", who, r->label,
		    steps[i], (int)e, t.len, want.len);
		free(t.p);
	}
	free(want.p);
}

/*
 * The header at fixed offsets (envelope.h), written out here so that a
 * change to the constants shows by name: magic, id, slot count, then from
 * 53 a slot of 56 bytes per key, named by the key's id.
 */
static void
check_layout(const struct membuf *env, const struct vecmake_report *r,
    const struct keys_secret *const keys[2])
{
	int slots_ok = 1;

	for (size_t i = 0; i < r->nkeys; i++)
		slots_ok &= env->len > 53 + 56 * (i + 1) &&
		    memcmp(env->p + 53 + 56 * i, keys[i]->pub.id, 8) == 0;
	ok(env->len > 53 && memcmp(env->p, "ODE2", 4) == 0 &&
	    memcmp(env->p + 4, r->id, ENVELOPE_ID_BYTES) == 0 &&
	    env->p[20] == r->nkeys && slots_ok,
	    "the %s's header: ODE2, its id, %zu slot(s) at 53 named by key id",
	    r->label, r->nkeys);
}

/* ---- keys ---- */

/* A committed secret file opens (with pass, only) to the fixed key. */
static struct keys_secret *
check_secret(const char *path, const char *pass, enum vecmake_key which)
{
	struct membuf f = load(path);
	struct keys_secret *k = keys_secret_new(), *want = vecmake_key(which);
	const char *why = "";
	int needs = keys_secret_needs_passphrase(f.p, f.len);
	int rc = keys_secret_open(k, f.p, f.len, pass, pass ? strlen(pass) : 0,
	    &why);

	ok(rc == 0 && needs == (pass != NULL) &&
	    sodium_memcmp(k->sk, want->sk, KEYS_SECRET_BYTES) == 0 &&
	    memcmp(&k->pub, &want->pub, sizeof(k->pub)) == 0,
	    "%s opens%s to the fixed key%s%s", path,
	    pass ? " with its passphrase" : " without a passphrase",
	    *why ? ": " : "", why);
	if (pass != NULL)
		ok(keys_secret_open(want, f.p, f.len, "passphrasf", 10, &why) != 0,
		    "%s refuses another passphrase", path);
	keys_secret_free(want);
	free(f.p);
	return k;
}

/* A committed public line names the fixed key. */
static void
check_public(const char *path, enum vecmake_key which)
{
	struct membuf f = load(path);
	struct keys_secret *want = vecmake_key(which);
	struct keys_public pub = { 0 };
	const char *why = "";
	int rc = which == VECMAKE_DESK ?
	    keys_sign_public_parse(&pub, (const char *)f.p, f.len, &why) :
	    keys_public_parse(&pub, (const char *)f.p, f.len, &why);

	ok(rc == 0 && memcmp(&pub, &want->pub, sizeof(pub)) == 0,
	    "%s names the fixed key%s%s", path, *why ? ": " : "", why);
	keys_secret_free(want);
	free(f.p);
}

/* ---- bundle ---- */

struct records {
	uint32_t seq[2];
	uint8_t id[2][ENVELOPE_ID_BYTES];
	struct membuf env[2];
	int n, ended, problems;
};

static int
rec_begin(void *ctx, uint32_t seq, const uint8_t id[ENVELOPE_ID_BYTES],
    uint64_t len)
{
	struct records *r = ctx;

	if (r->n == 2)
		return -1;
	r->seq[r->n] = seq;
	memcpy(r->id[r->n], id, ENVELOPE_ID_BYTES);
	r->n++;
	return 0;
}

static int
rec_data(void *ctx, const uint8_t *buf, size_t len)
{
	struct records *r = ctx;

	return membuf_sink(&r->env[r->n - 1], buf, len);
}

static int
rec_end(void *ctx)
{
	((struct records *)ctx)->ended++;
	return 0;
}

static void
rec_problem(void *ctx, uint64_t offset, const char *what)
{
	((struct records *)ctx)->problems++;
	printf("# bundle.odb at %llu: %s\n", (unsigned long long)offset, what);
}

static const struct bundle_callbacks rec_cb = {
	rec_begin, rec_data, rec_end, rec_problem,
};

/* The bundle reads whole: the report, then its follow-up, only for A. */
static void
check_bundle(const struct keys_secret *const keys[2],
    const struct membuf *report)
{
	const struct vecmake_report *rep = vecmake_reports;
	struct membuf f = load("format/bundle.odb"), t = { 0 };
	struct records rs = { 0 };
	struct bundle_reader *br = bundle_reader_new(&rec_cb, &rs);
	uint8_t id[ENVELOPE_ID_BYTES];
	char hex[2 * ENVELOPE_ID_BYTES + 1];
	int rc;

	bundle_reader_feed(br, f.p, f.len);
	rc = bundle_reader_finish(br);
	bundle_reader_free(br);
	ok(rc == 0 && rs.problems == 0 && rs.n == 2 && rs.ended == 2 &&
	    rs.seq[0] == 0 && rs.seq[1] == 1, "bundle.odb reads whole: "
	    "records 0 and 1, no problem (%d records, %d problems)", rs.n,
	    rs.problems);
	ok(rs.n == 2 && memcmp(rs.id[0], rep[0].id, sizeof(id)) == 0 &&
	    memcmp(rs.id[1], rep[1].id, sizeof(id)) == 0,
	    "its records carry the two reports' ids");
	ok(same(&rs.env[0], report), "its first record is report.ode");
	check_layout(&rs.env[1], &rep[1], keys);
	check_opens(keys[0], "analyst", &rs.env[1], &rep[1]);
	ok(open_envelope(keys[1], &rs.env[1], 1 << 20, &t, id) ==
	    UNSEAL_NO_SLOT && t.len == 0,
	    "the second analyst has no slot in the follow-up");
	encode_hex(hex, rep[0].id, sizeof(rep[0].id));
	ok(strcmp(rep[1].items[3].field, "follow_up_of") == 0 &&
	    strcmp(rep[1].items[3].value, hex) == 0,
	    "the follow-up's follow_up_of is the report's id");
	free(t.p);
	free(rs.env[0].p);
	free(rs.env[1].p);
	free(f.p);
}

/* ---- byte for byte ---- */

static size_t
first_difference(const struct membuf *a, const struct membuf *b)
{
	size_t i = 0;

	while (i < a->len && i < b->len && a->p[i] == b->p[i])
		i++;
	return i;
}

/* Each committed file is what today's code makes from the fixed inputs. */
static void
check_reproduced(void)
{
	for (const struct vecmake_file *f = vecmake_files; f->path; f++) {
		struct membuf made = { 0 }, file = load(f->path);
		int rc = vecmake_make(f, &made);

		ok(rc == 0 && same(&made, &file), "%s is made again byte for "
		    "byte (%zu bytes made, %zu committed, first difference at "
		    "%zu)", f->path, made.len, file.len,
		    first_difference(&made, &file));
		free(made.p);
		free(file.p);
	}
}

int
main(void)
{
	const struct keys_secret *keys[2];
	struct keys_secret *a, *a_pass, *b;
	struct membuf report;

	/* Before sodium_init: libsodium draws from vecmake's stream only. */
	vecmake_rng_install();
	if (sodium_init() < 0)
		return 1;
	a = check_secret("format/analyst-nopass.sec", NULL, VECMAKE_ANALYST);
	a_pass = check_secret("format/analyst-pass.sec", "passphrase",
	    VECMAKE_ANALYST);
	b = check_secret("format/second-nopass.sec", NULL, VECMAKE_SECOND);
	check_public("keys/analyst.pub", VECMAKE_ANALYST);
	check_public("format/second.pub", VECMAKE_SECOND);
	check_public("keys/desk.pub", VECMAKE_DESK);
	keys[0] = a_pass;
	keys[1] = b;
	report = load("format/report.ode");
	check_layout(&report, &vecmake_reports[0], keys);
	check_opens(a, "analyst", &report, &vecmake_reports[0]);
	check_opens(b, "second analyst", &report, &vecmake_reports[0]);
	check_bundle(keys, &report);
	check_reproduced();
	free(report.p);
	keys_secret_free(a);
	keys_secret_free(a_pass);
	keys_secret_free(b);
	return tap_done();
}
