/*
 * outcome: see outcome.h. Reader and writer share the entry rules
 * (check_entry, entry_at) and the set of ids that refuses a second entry for
 * a report. The set is an open-addressing table keyed by SipHash under a
 * random key, so ids chosen by a hostile server cannot make it quadratic.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "encode.h"
#include "outcome.h"

#define OUTCOME_VERSION 1
#define OFF_SIGNER 8
#define OFF_SEQUENCE 40
#define OFF_DAY 48
#define OFF_COUNT 52
#define FILE_MIN \
	(OUTCOME_HEADER_BYTES + OUTCOME_ENTRY_FIXED + OUTCOME_SIG_BYTES)

static const char *const status_names[OUTCOME_STATUS_COUNT] = {
	NULL, "in-review", "actioned", "not-illegal", "already-known",
	"unreachable", "need-information",
};

const char *
outcome_status_name(unsigned st)
{
	return st < OUTCOME_STATUS_COUNT ? status_names[st] : NULL;
}

enum outcome_status
outcome_status_parse(const char *name)
{
	for (unsigned st = OUTCOME_NONE + 1; st < OUTCOME_STATUS_COUNT; st++)
		if (name != NULL && strcmp(name, status_names[st]) == 0)
			return (enum outcome_status)st;
	return OUTCOME_NONE;
}

/* ---- the set of ids seen; each id lives at base + offset ---- */

struct idset {
	uint32_t *slot;		/* 0: empty; else the id's offset + 1 */
	size_t cap;		/* a power of two, at least twice n */
	size_t n;
	uint8_t key[crypto_shorthash_KEYBYTES];
};

static int
idset_init(struct idset *s, size_t want)
{
	s->cap = 16;
	while (s->cap < 2 * want)
		s->cap *= 2;
	s->n = 0;
	randombytes_buf(s->key, sizeof(s->key));
	s->slot = calloc(s->cap, sizeof(*s->slot));
	return s->slot == NULL ? -1 : 0;
}

/* The slot holding id, or the empty slot where it would go. */
static size_t
idset_find(const struct idset *s, const uint8_t *base, const uint8_t *id)
{
	uint8_t h[crypto_shorthash_BYTES];
	size_t i;

	crypto_shorthash(h, id, ENVELOPE_ID_BYTES, s->key);
	i = (size_t)decode_be64(h) & (s->cap - 1);
	while (s->slot[i] != 0 &&
	    memcmp(base + s->slot[i] - 1, id, ENVELOPE_ID_BYTES) != 0)
		i = (i + 1) & (s->cap - 1);
	return i;
}

static int
idset_grow(struct idset *s, const uint8_t *base)
{
	struct idset old = *s;

	s->cap *= 2;
	if ((s->slot = calloc(s->cap, sizeof(*s->slot))) == NULL) {
		*s = old;
		return -1;
	}
	for (size_t i = 0; i < old.cap; i++)
		if (old.slot[i] != 0)
			s->slot[idset_find(s, base, base + old.slot[i] - 1)] =
			    old.slot[i];
	free(old.slot);
	return 0;
}

/* Add the id at base + off: 1 if new, 0 if already there, -1 if no memory. */
static int
idset_add(struct idset *s, const uint8_t *base, uint32_t off)
{
	size_t i;

	if (2 * (s->n + 1) > s->cap && idset_grow(s, base) != 0)
		return -1;
	i = idset_find(s, base, base + off);
	if (s->slot[i] != 0)
		return 0;
	s->slot[i] = off + 1;
	s->n++;
	return 1;
}

/* ---- entries ---- */

static int
check_entry(unsigned status, size_t message_len, const char **why)
{
	if (outcome_status_name(status) == NULL) {
		*why = "an entry has an unknown status";
		return -1;
	}
	if (message_len != 0 && (message_len <= crypto_box_SEALBYTES ||
	    message_len > OUTCOME_SEALED_MAX)) {
		*why = "an entry's message length is out of bounds";
		return -1;
	}
	return 0;
}

/* Parse the entry at buf + *pos (of len bytes) into e; advance *pos. */
static int
entry_at(const uint8_t *buf, size_t len, size_t *pos, struct outcome_entry *e,
    const char **why)
{
	const uint8_t *p = buf + *pos;
	size_t mlen;

	if (len - *pos < OUTCOME_ENTRY_FIXED) {
		*why = "an entry is cut short";
		return -1;
	}
	mlen = decode_be16(p + ENVELOPE_ID_BYTES + 5);
	if (check_entry(p[ENVELOPE_ID_BYTES], mlen, why) != 0)
		return -1;
	if (len - *pos - OUTCOME_ENTRY_FIXED < mlen) {
		*why = "an entry's message is cut short";
		return -1;
	}
	memcpy(e->id, p, ENVELOPE_ID_BYTES);
	e->status = (enum outcome_status)p[ENVELOPE_ID_BYTES];
	e->day = decode_be32(p + ENVELOPE_ID_BYTES + 1);
	e->message_len = mlen;
	e->message = mlen ? p + OUTCOME_ENTRY_FIXED : NULL;
	*pos += OUTCOME_ENTRY_FIXED + mlen;
	return 0;
}

int
outcome_parse_entries(const struct outcome_file *f, const char **why)
{
	struct outcome_entry e;
	struct idset ids;
	size_t pos = 0, at;
	int rc = -1;

	if (f->count == 0 || f->count > OUTCOME_ENTRIES_MAX ||
	    f->count > f->entries_len / OUTCOME_ENTRY_FIXED) {
		*why = "the entry count is out of bounds";
		return -1;
	}
	if (idset_init(&ids, f->count) != 0) {
		*why = "not enough memory";
		return -1;
	}
	for (uint32_t i = 0; i < f->count; i++) {
		at = pos;
		if (entry_at(f->entries, f->entries_len, &pos, &e, why) != 0)
			goto err;
		if (idset_add(&ids, f->entries, (uint32_t)at) != 1) {
			*why = "a report id appears twice";
			goto err;
		}
	}
	if (pos != f->entries_len) {
		*why = "bytes are left over after the last entry";
		goto err;
	}
	rc = 0;
err:
	free(ids.slot);
	return rc;
}

/* ---- reader ---- */

/* Structural checks on the clear header, for a precise reason. */
static int
check_header(const uint8_t *buf, size_t len, const char **why)
{
	if (len > OUTCOME_FILE_MAX) {
		*why = "outcome file is larger than 16 MiB";
		return -1;
	}
	if (len < 4 || memcmp(buf, OUTCOME_MAGIC, 4) != 0) {
		*why = "not an outcome file";
		return -1;
	}
	if (len < FILE_MIN) {
		*why = "outcome file is truncated";
		return -1;
	}
	if (buf[4] != OUTCOME_VERSION || (buf[5] | buf[6] | buf[7]) != 0) {
		*why = "unsupported outcome file version";
		return -1;
	}
	return 0;
}

int
outcome_verify(struct outcome_file *f, const uint8_t *buf, size_t len,
    const uint8_t desk_pk[OUTCOME_SIGNER_BYTES], const char **why)
{
	size_t body;

	if (check_header(buf, len, why) != 0)
		return -1;
	body = len - OUTCOME_SIG_BYTES;
	if (sodium_memcmp(buf + OFF_SIGNER, desk_pk,
	    OUTCOME_SIGNER_BYTES) != 0) {
		*why = "outcome file is signed by another key, not desk_key";
		return -1;
	}
	if (crypto_sign_verify_detached(buf + body, buf, body, desk_pk) != 0) {
		*why = "bad signature: the outcome file was altered or "
		    "truncated";
		return -1;
	}
	memcpy(f->signer, buf + OFF_SIGNER, OUTCOME_SIGNER_BYTES);
	f->sequence = decode_be64(buf + OFF_SEQUENCE);
	f->day = decode_be32(buf + OFF_DAY);
	f->count = decode_be32(buf + OFF_COUNT);
	f->entries = buf + OUTCOME_HEADER_BYTES;
	f->entries_len = body - OUTCOME_HEADER_BYTES;
	if (f->sequence == 0) {
		*why = "outcome file has sequence 0";
		return -1;
	}
	return outcome_parse_entries(f, why);
}

int
outcome_next(const struct outcome_file *f, size_t *pos,
    struct outcome_entry *e)
{
	const char *why;

	if (*pos >= f->entries_len)
		return 0;
	return entry_at(f->entries, f->entries_len, pos, e, &why) == 0;
}

/* ---- writer ---- */

struct outcome_writer {
	uint8_t *buf;		/* header, entries so far, room to grow */
	size_t len;
	size_t cap;
	uint32_t count;
	struct idset ids;	/* offsets into buf */
};

static int
writer_reserve(struct outcome_writer *w, size_t more)
{
	size_t cap = w->cap;
	uint8_t *p;

	while (cap - w->len < more)
		cap *= 2;
	if (cap == w->cap)
		return 0;
	if ((p = realloc(w->buf, cap)) == NULL)
		return -1;
	w->buf = p;
	w->cap = cap;
	return 0;
}

struct outcome_writer *
outcome_writer_new(uint64_t sequence, uint32_t day)
{
	struct outcome_writer *w;

	if (sequence == 0 || (w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->cap = 4096;
	if ((w->buf = calloc(1, w->cap)) == NULL ||
	    idset_init(&w->ids, 0) != 0) {
		outcome_writer_free(w);
		return NULL;
	}
	memcpy(w->buf, OUTCOME_MAGIC, 4);
	w->buf[4] = OUTCOME_VERSION;
	encode_be64(w->buf + OFF_SEQUENCE, sequence);
	encode_be32(w->buf + OFF_DAY, day);
	w->len = OUTCOME_HEADER_BYTES;
	return w;
}

int
outcome_writer_add(struct outcome_writer *w, const struct outcome_entry *e,
    const char **why)
{
	size_t need = OUTCOME_ENTRY_FIXED + e->message_len;
	uint8_t *p;
	int added;

	if (check_entry(e->status, e->message_len, why) != 0)
		return -1;
	if (w->count == OUTCOME_ENTRIES_MAX ||
	    w->len + need + OUTCOME_SIG_BYTES > OUTCOME_FILE_MAX) {
		*why = "too many outcomes for one file";
		return -1;
	}
	if (writer_reserve(w, need) != 0) {
		*why = "not enough memory";
		return -1;
	}
	p = w->buf + w->len;
	memcpy(p, e->id, ENVELOPE_ID_BYTES);
	p[ENVELOPE_ID_BYTES] = (uint8_t)e->status;
	encode_be32(p + ENVELOPE_ID_BYTES + 1, e->day);
	encode_be16(p + ENVELOPE_ID_BYTES + 5, (uint16_t)e->message_len);
	if (e->message_len != 0)
		memcpy(p + OUTCOME_ENTRY_FIXED, e->message, e->message_len);
	if ((added = idset_add(&w->ids, w->buf, (uint32_t)w->len)) != 1) {
		*why = added == 0 ? "a second outcome for the same report" :
		    "not enough memory";
		return -1;
	}
	w->len += need;
	w->count++;
	return 0;
}

int
outcome_writer_finish(struct outcome_writer *w,
    const uint8_t sign_sk[crypto_sign_SECRETKEYBYTES], uint8_t **out,
    size_t *len)
{
	if (w->count == 0 || writer_reserve(w, OUTCOME_SIG_BYTES) != 0) {
		outcome_writer_free(w);
		return -1;
	}
	crypto_sign_ed25519_sk_to_pk(w->buf + OFF_SIGNER, sign_sk);
	encode_be32(w->buf + OFF_COUNT, w->count);
	crypto_sign_detached(w->buf + w->len, NULL, w->buf, w->len, sign_sk);
	*out = w->buf;
	*len = w->len + OUTCOME_SIG_BYTES;
	w->buf = NULL;	/* handed to the caller */
	outcome_writer_free(w);
	return 0;
}

void
outcome_writer_free(struct outcome_writer *w)
{
	if (w == NULL)
		return;
	free(w->buf);
	free(w->ids.slot);
	free(w);
}
