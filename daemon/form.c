/*
 * form: see form.h. The submission outlives its connection only while a
 * commit is in flight: the store's callback then frees it.
 *
 * Nothing reaches the store before the form's token is verified: our form
 * sends the token first, and until it has come, the ciphertext of what
 * came before it is held here (HOLD_MAX at most), so a client without a
 * token cannot make the store write a byte. A report counts against its
 * circuit's limit from the start (router.c) and is refunded when it ends
 * without being stored.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/buffer.h>
#include <sodium.h>

#include "encode.h"
#include "fields.h"
#include "form.h"
#include "formbody.h"
#include "keypool.h"
#include "log.h"
#include "lookup.h"
#include "pages.h"
#include "receipt.h"
#include "seal.h"
#include "secmem.h"
#include "utf8.h"

/* Above this much ciphertext waiting for the store, stop reading. */
#define QUEUE_LIMIT (2 * 1024 * 1024)
#define FILENAME_MAX_BYTES 1024
/* Ciphertext held while the token has not come (a form with the token
 * after a small attachment still works; a client without one is refused). */
#define HOLD_MAX (1024 * 1024)
/* A body larger than this is an upload: those are capped per circuit and
 * in all (max_uploads, uploads_per_circuit). */
#define UPLOAD_MIN (64 * 1024)

struct textbuf {
	char *p;
	size_t len, cap;
	int overflow;
};

enum target {
	T_NONE, T_URLS, T_CATEGORY, T_SEEN_ON, T_DESCRIPTION, T_TOKEN,
	T_HONEYPOT, T_RECEIPT, T_ATTACHMENT,
};

struct submission {
	struct conn *c;			/* NULL once the connection is gone */
	struct web *web;
	enum lang lang;
	enum form_kind kind;
	int has_circuit;
	uint32_t circuit;		/* memory only, for the rate limit */
	struct formbody *body;
	struct seal *seal;
	uint8_t id[ENVELOPE_ID_BYTES];	/* of the report being sealed */
	struct evbuffer *held;		/* ciphertext until the token is seen */
	int held_over;			/* more than HOLD_MAX came first */
	struct store_upload *upload;	/* NULL until the token is seen */
	int is_upload;			/* counted in web->nuploads */
	/* The limit's count stands: stored, or (a follow-up) refused. */
	int keep_count;
	uint8_t *plain;			/* secmem (locked): every textbuf */
	size_t plain_len;
	struct textbuf urls, category, seen_on, description, token, honeypot,
	    receipt_typed, filename;
	uint8_t *reply_sk;		/* in plain; wiped as soon as used */
	uint8_t first_id[ENVELOPE_ID_BYTES];	/* a follow-up's report */
	int looking_up;			/* a follow-up's receipt: asked */
	enum target target;
	int attachment_open;
	int body_done;			/* sealing what is left (finish_sealing) */
	uint64_t attachment_bytes;
	int committing;
	char receipt[RECEIPT_TEXT_MAX + 1];
};

static void
textbuf_append(struct textbuf *t, const uint8_t *buf, size_t len)
{
	size_t n = len;

	if (n > t->cap - t->len) {
		n = t->cap - t->len;
		t->overflow = 1;
	}
	memcpy(t->p + t->len, buf, n);
	t->len += n;
	t->p[t->len] = '\0';
}

/* Carve every textbuf out of one locked, wiped-on-free allocation. */
static int
alloc_plain(struct submission *s)
{
	struct { struct textbuf *t; size_t cap; } parts[] = {
		{ &s->urls, FIELDS_URLS_BYTES_MAX },
		{ &s->description, FIELDS_DESCRIPTION_MAX },
		{ &s->category, FIELDS_OPTION_MAX },
		{ &s->seen_on, FIELDS_OPTION_MAX },
		{ &s->token, FIELDS_TOKEN_MAX },
		{ &s->honeypot, FIELDS_OPTION_MAX },
		{ &s->receipt_typed, FIELDS_RECEIPT_MAX },
		{ &s->filename, FILENAME_MAX_BYTES },
	};
	size_t off = 0;

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		s->plain_len += parts[i].cap + 1;
	s->plain_len += RECEIPT_REPLY_KEY_BYTES;
	if ((s->plain = secmem_get(s->plain_len)) == NULL)
		return -1;
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		parts[i].t->p = (char *)s->plain + off;
		parts[i].t->cap = parts[i].cap;
		off += parts[i].cap + 1;
	}
	s->reply_sk = s->plain + off;
	return 0;
}

/* Wipe what the textbufs hold (each was written only up to its length and
 * a NUL) and give the block back. */
static void
wipe_plain(struct submission *s)
{
	struct textbuf *all[] = { &s->urls, &s->description, &s->category,
	    &s->seen_on, &s->token, &s->honeypot, &s->receipt_typed,
	    &s->filename };

	if (s->plain == NULL)
		return;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		sodium_memzero(all[i]->p, all[i]->len + 1);
	sodium_memzero(s->reply_sk, RECEIPT_REPLY_KEY_BYTES);
	secmem_put_wiped(s->plain, s->plain_len);
}

static void
submission_free(struct submission *s)
{
	formbody_free(s->body);
	seal_free(s->seal);
	if (s->upload != NULL)
		store_upload_abort(s->upload);
	if (s->held != NULL)
		evbuffer_free(s->held);
	if (s->is_upload)
		s->web->nuploads--;
	if (s->has_circuit && !s->keep_count)
		ratelimit_refund(s->web->report_limit, s->circuit, time(NULL));
	wipe_plain(s);
	sodium_memzero(s, sizeof(*s));
	free(s);
}

/* ---- answers ---- */

static void
answer_error(struct submission *s, int status)
{
	if (s->c != NULL)
		web_error_page(s->c, s->web, status, s->lang);
}

/* Stop everything for this report: nothing of it is kept. */
static void
fail(struct submission *s, int status)
{
	seal_free(s->seal);
	s->seal = NULL;
	if (s->upload != NULL) {
		store_upload_abort(s->upload);
		s->upload = NULL;
	}
	if (status != 0)
		answer_error(s, status);
}

static void
answer_form_again(struct submission *s, unsigned errors, unsigned bad_line)
{
	struct evbuffer *b = evbuffer_new();
	char token[TOKEN_TEXT_LEN + 1];
	struct form_view v = {
		.urls = s->urls.p, .urls_len = s->urls.len,
		.category = s->category.p, .seen_on = s->seen_on.p,
		.description = s->description.p,
		.description_len = s->description.len,
		.errors = errors, .bad_url_line = bad_line, .token = token,
		.receipt = s->kind == FORM_FOLLOW_UP ? s->receipt_typed.p :
		    NULL, .receipt_len = s->receipt_typed.len,
	};

	if (b == NULL) {
		answer_error(s, 500);
		return;
	}
	token_make(token, s->web->secrets.server, time(NULL));
	pages_form(b, &s->web->site, s->lang, &v);
	conn_respond_html(s->c, 400, b);
	evbuffer_free(b);
}

/* Nothing of this report is kept: the form comes back, values kept. */
static void
send_back(struct submission *s, unsigned errors, unsigned bad_line)
{
	fail(s, 0);
	answer_form_again(s, errors, bad_line);
}

/* ---- ciphertext to the store, with backpressure ---- */

static void
on_drain(void *arg)
{
	struct submission *s = arg;

	if (s->c != NULL)
		conn_resume(s->c);
}

static void
throttle(struct submission *s)
{
	if (store_upload_queued(s->upload) > QUEUE_LIMIT && s->c != NULL &&
	    !s->body_done) {
		conn_pause(s->c);
		store_upload_on_drain(s->upload, on_drain, s);
	}
}

/* The seal's sink: to the store once the token is seen, held until then. */
static int
to_store(void *arg, const uint8_t *buf, size_t len)
{
	struct submission *s = arg;

	if (s->upload == NULL) {
		if (evbuffer_get_length(s->held) + len > HOLD_MAX) {
			s->held_over = 1;
			return -1;
		}
		return evbuffer_add(s->held, buf, len);
	}
	if (store_upload_write(s->upload, buf, len) != 0)
		return -1;
	throttle(s);
	return 0;
}

/*
 * The token is genuine: start the store's upload and give it what was
 * held. Return 0, or -1 if memory is short.
 */
static int
open_upload(struct submission *s)
{
	struct evbuffer_iovec v[8];
	int n;

	if (s->upload != NULL)
		return 0;
	if ((s->upload = store_upload_begin(s->web->store, s->id)) == NULL)
		return -1;
	while ((n = evbuffer_peek(s->held, -1, NULL, v, 8)) > 0) {
		size_t len = 0;

		for (int i = 0; i < n && i < 8; i++) {
			if (store_upload_write(s->upload, v[i].iov_base,
			    v[i].iov_len) != 0)
				return -1;
			len += v[i].iov_len;
		}
		evbuffer_drain(s->held, len);
	}
	throttle(s);
	return 0;
}

static int
token_ok(const struct submission *s)
{
	return token_check(s->web->secrets.server, s->token.p,
	    s->token.len, time(NULL));
}

/* ---- fields as they arrive ----
 * A field sent twice (urls=a&urls=b) is kept whole: its values are joined,
 * one per line. */

static enum target
target_for(const struct submission *s, const char *name, const char *filename)
{
	static const struct { const char *name; enum target t; } map[] = {
		{ FIELD_URLS, T_URLS }, { FIELD_CATEGORY, T_CATEGORY },
		{ FIELD_SEEN_ON, T_SEEN_ON }, { FIELD_DESCRIPTION, T_DESCRIPTION },
		{ FIELD_TOKEN, T_TOKEN }, { FIELD_HONEYPOT, T_HONEYPOT },
	};

	if (strcmp(name, FIELD_ATTACHMENT) == 0)
		return (filename != NULL && s->web->site.attachments) ?
		    T_ATTACHMENT : T_NONE;
	if (strcmp(name, FIELD_RECEIPT) == 0)
		return s->kind == FORM_FOLLOW_UP ? T_RECEIPT : T_NONE;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(name, map[i].name) == 0)
			return map[i].t;
	return T_NONE;	/* unknown fields are ignored */
}

static struct textbuf *
target_buf(struct submission *s)
{
	switch (s->target) {
	case T_URLS: return &s->urls;
	case T_CATEGORY: return &s->category;
	case T_SEEN_ON: return &s->seen_on;
	case T_DESCRIPTION: return &s->description;
	case T_TOKEN: return &s->token;
	case T_HONEYPOT: return &s->honeypot;
	case T_RECEIPT: return &s->receipt_typed;
	default: return NULL;
	}
}

static int
on_field_begin(void *arg, const char *name, const char *filename)
{
	struct submission *s = arg;

	s->target = target_for(s, name, filename);
	if ((s->target == T_URLS || s->target == T_DESCRIPTION) &&
	    target_buf(s)->len > 0)
		textbuf_append(target_buf(s), (const uint8_t *)"\n", 1);
	if (s->target == T_ATTACHMENT) {
		sodium_memzero(s->filename.p, s->filename.len);
		s->filename.len = 0;
		s->filename.overflow = 0;
		textbuf_append(&s->filename, (const uint8_t *)filename,
		    strlen(filename));
		s->attachment_bytes = 0;
	}
	return 0;
}

/* Attachment bytes go to the sealer; an empty file input adds nothing. */
static int
attachment_data(struct submission *s, const uint8_t *buf, size_t len)
{
	if (!s->attachment_open) {
		if (seal_attachment_begin(s->seal, (const uint8_t *)s->filename.p,
		    s->filename.len) != 0)
			return -1;
		s->attachment_open = 1;
	}
	s->attachment_bytes += len;
	if (s->attachment_bytes > s->web->site.max_attachment_size) {
		fail(s, 413);
		return -1;
	}
	if (seal_attachment_data(s->seal, buf, len) != 0) {
		if (s->held_over)
			send_back(s, FORM_ERR_EXPIRED, 0);
		else
			fail(s, 503);
		return -1;
	}
	return 0;
}

static int
on_field_data(void *arg, const uint8_t *buf, size_t len)
{
	struct submission *s = arg;
	struct textbuf *t;

	if (s->target == T_ATTACHMENT)
		return attachment_data(s, buf, len);
	if ((t = target_buf(s)) != NULL)
		textbuf_append(t, buf, len);
	return 0;
}

static int
on_field_end(void *arg)
{
	struct submission *s = arg;
	int rc = 0;

	if (s->target == T_ATTACHMENT && s->attachment_open) {
		s->attachment_open = 0;
		rc = seal_attachment_end(s->seal);
		if (rc != 0)
			fail(s, 503);
	}
	if (s->target == T_TOKEN && s->seal != NULL && token_ok(s) &&
	    open_upload(s) != 0) {
		fail(s, 503);
		rc = -1;
	}
	s->target = T_NONE;
	return rc;
}

static const struct formbody_callbacks body_cb = {
	on_field_begin, on_field_data, on_field_end,
};

/* ---- checks ---- */

static int
is_http_scheme(const char *p, size_t len, size_t *skip)
{
	if (len > 7 && strncasecmp(p, "http://", 7) == 0)
		*skip = 7;
	else if (len > 8 && strncasecmp(p, "https://", 8) == 0)
		*skip = 8;
	else
		return 0;
	return 1;
}

int
form_url_ok(const char *line, size_t len)
{
	size_t start = 0, i;
	int dot = 0;

	if (len == 0 || len > FIELDS_URL_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)line[i] <= ' ' || line[i] == 0x7f)
			return 0;
	if (is_http_scheme(line, len, &start))
		return start < len && line[start] != '/';
	/* A bare address: a host with a dot before any '/', ':' or '?'. */
	for (i = 0; i < len && line[i] != '/' && line[i] != '?'; i++) {
		if (line[i] == ':' && !dot)
			return 0;	/* some other scheme */
		dot |= line[i] == '.';
	}
	return dot && line[0] != '.';
}

/* The next line of text[pos..len), trimmed; advances *pos past it. */
static size_t
next_line(const char *text, size_t len, size_t *pos, const char **line)
{
	size_t start = *pos, end;

	while (*pos < len && text[*pos] != '\n')
		(*pos)++;
	end = *pos;
	if (*pos < len)
		(*pos)++;
	while (start < end && (text[start] == ' ' || text[start] == '\t'))
		start++;
	while (end > start && (text[end - 1] == ' ' || text[end - 1] == '\t' ||
	    text[end - 1] == '\r'))
		end--;
	*line = text + start;
	return end - start;
}

static unsigned
check_urls(const struct submission *s, unsigned *bad_line, size_t *count)
{
	unsigned errors = 0, lineno = 0;
	size_t pos = 0, n;
	const char *line;

	*count = 0;
	if (s->urls.overflow)
		errors |= FORM_ERR_URLS_TOO_MANY;
	while (pos < s->urls.len) {
		n = next_line(s->urls.p, s->urls.len, &pos, &line);
		lineno++;
		if (n == 0)
			continue;
		if (++*count > FIELDS_URLS_MAX)
			errors |= FORM_ERR_URLS_TOO_MANY;
		if (n > FIELDS_URL_MAX)
			errors |= FORM_ERR_URL_TOO_LONG;
		else if (!form_url_ok(line, n) && !(errors & FORM_ERR_URL_INVALID)) {
			errors |= FORM_ERR_URL_INVALID;
			*bad_line = lineno;
		}
	}
	return errors;
}

static int
blank(const struct textbuf *t)
{
	for (size_t i = 0; i < t->len; i++)
		if (t->p[i] != ' ' && t->p[i] != '\t' && t->p[i] != '\r' &&
		    t->p[i] != '\n')
			return 0;
	return 1;
}

/*
 * A select's value: our form offers fields.c's options, but a client that
 * does not know them may send another word; it is kept as sent (sealed,
 * for the analysts) if it is short, printable UTF-8.
 */
static int
choice_ok(const struct textbuf *t)
{
	if (t->overflow || !utf8_valid((const uint8_t *)t->p, t->len))
		return 0;
	for (size_t i = 0; i < t->len; i++)
		if ((unsigned char)t->p[i] < ' ' || t->p[i] == 0x7f)
			return 0;
	return 1;
}

static unsigned
check_fields(struct submission *s, unsigned *bad_line)
{
	unsigned errors;
	size_t nurls;

	errors = check_urls(s, bad_line, &nurls);
	if (nurls == 0 && blank(&s->description))
		errors |= FORM_ERR_NOTHING;
	if (s->description.overflow)
		errors |= FORM_ERR_DESCRIPTION_TOO_LONG;
	if (!utf8_valid((const uint8_t *)s->urls.p, s->urls.len) ||
	    !utf8_valid((const uint8_t *)s->description.p, s->description.len))
		errors |= FORM_ERR_ENCODING;
	if (!choice_ok(&s->category))
		errors |= FORM_ERR_CATEGORY;
	if (!choice_ok(&s->seen_on))
		errors |= FORM_ERR_SEEN_ON;
	if (!token_ok(s))
		errors |= FORM_ERR_EXPIRED;
	if (s->honeypot.len > 0)
		errors |= FORM_ERR_REJECTED;
	return errors;
}

/* ---- sealing and committing ---- */

/* Browsers send a textarea's line breaks as CRLF; keep them as typed. */
static void
unfold_crlf(struct textbuf *t)
{
	size_t o = 0;

	for (size_t i = 0; i < t->len; i++)
		if (!(t->p[i] == '\r' && i + 1 < t->len && t->p[i + 1] == '\n'))
			t->p[o++] = t->p[i];
	sodium_memzero(t->p + o, t->len - o);	/* wipe_plain wipes to len */
	t->len = o;
}

static int
seal_text(struct submission *s, const char *name, const char *value,
    size_t len)
{
	return seal_field(s->seal, name, (const uint8_t *)value, len);
}

/*
 * The reply key's public half, from the receipt: a new report's, made
 * here (before anything is sealed with it), or the one a follow-up came
 * with; a follow-up also names its first report. The secret half is
 * wiped at once: the server keeps nothing of the pair.
 */
static int
seal_reply(struct submission *s)
{
	uint8_t pk[RECEIPT_REPLY_KEY_BYTES];
	char hex[ENCODE_HEX_LEN(RECEIPT_REPLY_KEY_BYTES) + 1];
	char first[ENCODE_HEX_LEN(ENVELOPE_ID_BYTES) + 1];
	int follow_up = s->kind == FORM_FOLLOW_UP, rc;

	if (!follow_up)
		receipt_new(s->receipt);
	receipt_reply_keypair(pk, s->reply_sk, s->web->secrets.server,
	    follow_up ? s->receipt_typed.p : s->receipt, follow_up ?
	    s->receipt_typed.len : strlen(s->receipt));
	sodium_memzero(s->reply_sk, RECEIPT_REPLY_KEY_BYTES);
	encode_hex(hex, pk, sizeof(pk));
	rc = seal_text(s, "reply_key", hex, strlen(hex));
	if (follow_up) {
		encode_hex(first, s->first_id, sizeof(s->first_id));
		rc |= seal_text(s, "follow_up_of", first, strlen(first));
	}
	return rc;
}

static int
seal_fields(struct submission *s)
{
	char day[16];
	time_t now = time(NULL);
	struct tm tm;
	size_t pos = 0, n;
	const char *line;
	int rc = 0;

	gmtime_r(&now, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	unfold_crlf(&s->description);
	rc |= seal_text(s, "received", day, strlen(day));
	rc |= seal_text(s, "language", i18n_code(s->lang), 2);
	rc |= seal_reply(s);
	rc |= seal_text(s, "category", s->category.p, s->category.len);
	rc |= seal_text(s, "seen_on", s->seen_on.p, s->seen_on.len);
	while (pos < s->urls.len)
		if ((n = next_line(s->urls.p, s->urls.len, &pos, &line)) > 0)
			rc |= seal_text(s, "url", line, n);
	rc |= seal_text(s, "description", s->description.p, s->description.len);
	return rc;
}

/*
 * The page that ends a submission: the receipt, or for a follow-up that
 * it was received (refused 0) or the one refusal page (refused 1).
 */
static void
answer_done(struct submission *s, int refused)
{
	struct evbuffer *b;

	if (s->c == NULL)
		return;
	if ((b = evbuffer_new()) == NULL) {
		answer_error(s, 500);
		return;
	}
	if (s->kind == FORM_REPORT)
		pages_receipt(b, &s->web->site, s->lang, s->receipt);
	else
		pages_follow_up(b, &s->web->site, s->lang, !refused);
	conn_respond_html(s->c, refused ? 400 : 200, b);
	evbuffer_free(b);
}

/* A follow-up is not taken: nothing of it is kept, its count stands. */
static void
refuse_follow_up(struct submission *s)
{
	s->keep_count = 1;
	fail(s, 0);
	answer_done(s, 1);
}

static void
on_committed(void *arg, enum store_result result)
{
	struct submission *s = arg;

	s->upload = NULL;	/* the store has freed it */
	s->keep_count = result == STORE_OK;
	if (s->c == NULL) {	/* the reporter left; the report is kept */
		submission_free(s);
		return;
	}
	s->committing = 0;
	/* A follow-up's STORE_ERROR is mostly the cap, reached since its
	 * lookup by another: it is refused like any other. */
	if (result == STORE_ERROR && s->kind == FORM_FOLLOW_UP)
		refuse_follow_up(s);
	else if (result != STORE_OK)
		answer_error(s, 503);
	else
		answer_done(s, 0);
}

static void
commit(struct submission *s)
{
	uint8_t hash[STORE_RECEIPT_HASH_BYTES];
	struct store_upload *u = s->upload;

	seal_free(s->seal);
	s->seal = NULL;
	s->committing = 1;
	s->upload = NULL;
	if (s->kind == FORM_FOLLOW_UP) {
		store_upload_commit_follow_up(u, s->first_id, on_committed, s);
		return;
	}
	receipt_hash(hash, s->web->secrets.server, s->receipt,
	    strlen(s->receipt));
	store_upload_commit(u, hash, on_committed, s);
}

/*
 * Padding a large report makes megabytes of ciphertext: seal it a step at
 * a time, waiting for the store to drain between steps, so memory stays
 * bounded whatever the report's size.
 */
static void
finish_sealing(void *arg)
{
	struct submission *s = arg;
	int rc;

	while ((rc = seal_finish(s->seal)) == 1)
		if (store_upload_queued(s->upload) > QUEUE_LIMIT) {
			store_upload_on_drain(s->upload, finish_sealing, s);
			return;
		}
	if (rc != 0) {
		fail(s, 503);
		return;
	}
	commit(s);
}

/* The fields passed (and a follow-up's receipt): seal them, then commit. */
static void
seal_and_commit(struct submission *s)
{
	if (open_upload(s) != 0 || seal_fields(s) != 0) {
		fail(s, 503);
		return;
	}
	finish_sealing(s);
}

/*
 * What the follow-up's receipt leads to. A reporter who left meanwhile
 * gets nothing stored, as before a commit.
 */
static void
on_case(void *arg, struct store_case *c)
{
	struct submission *s = arg;
	int found = c != NULL;
	int offered = found &&
	    lookup_follow_up_offered(s->web->follow_ups, c);

	s->looking_up = 0;
	if (offered)
		memcpy(s->first_id, c->e[0].id, sizeof(s->first_id));
	store_case_free(c);
	if (s->c == NULL)
		submission_free(s);
	else if (!found)
		fail(s, 503);
	else if (!offered)
		refuse_follow_up(s);
	else
		seal_and_commit(s);
}

static void
look_up_receipt(struct submission *s)
{
	uint8_t hash[STORE_RECEIPT_HASH_BYTES];

	receipt_hash(hash, s->web->secrets.server, s->receipt_typed.p,
	    s->receipt_typed.len);
	s->looking_up = 1;
	store_lookup(s->web->store, hash, on_case, s);
}

/* ---- the body handler ---- */

static void
body_data(void *arg, const uint8_t *buf, size_t len)
{
	struct submission *s = arg;

	if (formbody_feed(s->body, buf, len) != 0 && s->seal != NULL)
		fail(s, 400);
}

static void
body_end(void *arg)
{
	struct submission *s = arg;
	unsigned errors, bad_line = 0;

	if (s->seal == NULL)
		return;		/* already answered */
	if (formbody_finish(s->body) != 0) {
		fail(s, 400);
		return;
	}
	if ((errors = check_fields(s, &bad_line)) != 0) {
		send_back(s, errors, bad_line);
		return;
	}
	s->body_done = 1;
	if (s->kind == FORM_FOLLOW_UP)
		look_up_receipt(s);
	else
		seal_and_commit(s);
}

static void
body_free(void *arg)
{
	struct submission *s = arg;

	if (s->committing || s->looking_up) {
		s->c = NULL;	/* on_committed or on_case frees it */
		return;
	}
	submission_free(s);
}

static const struct body_handler form_handler = { body_data, body_end, body_free };

/* A report key sealed to the analysts (prepared by the key pool if it has
 * one ready) and the sealer; the store's upload waits for the token. */
static int
start_sealing(struct submission *s)
{
	struct web *w = s->web;
	struct seal_slots slots;
	int rc = -1;

	if (keypool_take(w->keypool, &slots) != 0) {
		randombytes_buf(s->id, sizeof(s->id));
		if (seal_slots_make(&slots, w->keys, w->nkeys, s->id) != 0)
			return -1;
	}
	memcpy(s->id, seal_slots_id(&slots), sizeof(s->id));
	if ((s->held = evbuffer_new()) != NULL &&
	    (s->seal = seal_start(&slots, to_store, s)) != NULL)
		rc = 0;
	sodium_memzero(&slots, sizeof(slots));
	return rc;
}

/*
 * May one more upload (a body over UPLOAD_MIN) start? 0 if so (and it is
 * counted), else the status to refuse it with: 503 when the server has
 * max_uploads already, 429 when this circuit has its share.
 */
static int
upload_refusal(struct submission *s, const struct http_request *req)
{
	struct web *w = s->web;

	if (req->content_length <= UPLOAD_MIN)
		return 0;
	if (w->nuploads >= w->max_uploads)
		return 503;
	if (s->has_circuit && conn_circuit_uploads(s->c) >=
	    w->uploads_per_circuit)
		return 429;
	w->nuploads++;
	s->is_upload = 1;
	conn_mark_upload(s->c);
	return 0;
}

void
form_begin(struct conn *c, struct web *w, const struct http_request *req,
    enum lang lang, enum form_kind kind)
{
	struct submission *s = calloc(1, sizeof(*s));
	int status;

	if (s == NULL) {
		web_error_page(c, w, 503, lang);
		return;
	}
	s->c = c;
	s->web = w;
	s->lang = lang;
	s->kind = kind;
	s->has_circuit = conn_circuit(c, &s->circuit);
	if (alloc_plain(s) != 0) {
		w->refused_locked_memory++;	/* see web.h */
		status = 503;
	} else if ((s->body = formbody_new(req->content_type, &body_cb,
	    s)) == NULL)
		status = 400;
	else if ((status = upload_refusal(s, req)) == 0 &&
	    start_sealing(s) != 0)
		status = 503;
	if (status != 0) {
		submission_free(s);
		web_error_page(c, w, status, lang);
		return;
	}
	conn_set_body_handler(c, &form_handler, s);
}
