/*
 * test_lookup: the status page a receipt leads to, drawn by lookup_page
 * from hand-made store cases whose messages are sealed (crypto_box_seal,
 * as the desk does) to the receipt's derived reply key: the message opens
 * and is shown as text, escaped, dir="auto", in every language with the
 * translated status; another receipt's key opens nothing; a box that does
 * not open is left out; an unknown receipt and a malformed one draw the
 * same page; when the follow-up form is offered (lookup_follow_up_offered,
 * every mode, outcome and count of follow-ups).
 */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <sodium.h>

#include "i18n.h"
#include "lookup.h"
#include "outcome.h"
#include "receipt.h"
#include "tap.h"
#include "utf8.h"

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define RECEIPT "abcde-fghij-klmno-pqrst-uvwxy"
/* "marhaba", hello in Arabic */
#define MARHABA "\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7"

static const struct page_site site = { .offered = { LANG_FR, LANG_AR,
	LANG_EN }, .n_offered = 3, .max_attachment_size = 64 << 20,
	.max_report_size = 256 << 20 };
static uint8_t secret[STORE_SECRET_BYTES];

/* msg sealed to the reply key of receipt r, malloc'd, into e. */
static void
seal_to(struct store_entry *e, const char *r, const char *msg, size_t len)
{
	uint8_t pk[RECEIPT_REPLY_KEY_BYTES], sk[RECEIPT_REPLY_KEY_BYTES];

	receipt_reply_keypair(pk, sk, secret, r, strlen(r));
	e->message_len = len + crypto_box_SEALBYTES;
	if ((e->message = malloc(e->message_len)) == NULL)
		abort();
	crypto_box_seal(e->message, (const uint8_t *)msg, len, pk);
}

/* A case: one report taken by the analysts, with outcome o. */
static struct store_case *
new_case(unsigned o, size_t follow_ups)
{
	struct store_case *c = calloc(1, sizeof(*c));

	if (c == NULL || follow_ups > STORE_FOLLOW_UPS_MAX)
		abort();
	c->n = 1 + follow_ups;
	for (size_t i = 0; i < c->n; i++) {
		c->e[i].id[0] = (uint8_t)i;
		c->e[i].status = STORE_STATUS_EXPORTED;
		c->e[i].received_day = 20790;
	}
	c->e[0].outcome = (uint8_t)o;
	c->e[0].outcome_day = o != OUTCOME_NONE ? 20791 : 0;
	return c;
}

/* The page lookup_page draws for receipt r (or NULL if it refused). */
static char *
page_for(enum lang lang, const char *r, const struct store_case *c,
    enum config_follow_ups mode)
{
	struct lookup_query q = { secret, r, strlen(r), mode, "tok" };
	struct evbuffer *out = evbuffer_new();
	size_t len;
	char *s;

	if (lookup_page(out, &site, lang, &q, c) != 0) {
		evbuffer_free(out);
		return NULL;
	}
	len = evbuffer_get_length(out);
	if ((s = malloc(len + 1)) == NULL)
		abort();
	evbuffer_remove(out, s, len);
	s[len] = '\0';
	evbuffer_free(out);
	return s;
}

static void
test_message(enum lang lang)
{
	static const char msg[] = "Bonjour <b>gras</b> & \"x\" 'y'\n"
	    MARHABA " <script>alert(1)</script>";
	static const char shown[] = "Bonjour &lt;b&gt;gras&lt;/b&gt; &amp; "
	    "&quot;x&quot; &#39;y&#39;\n" MARHABA " "
	    "&lt;script&gt;alert(1)&lt;/script&gt;";
	struct store_case *c = new_case(OUTCOME_NEED_INFORMATION, 0);
	const char *title = i18n_text(lang,
	    "The analysts need more information");
	char *page, want[512];

	seal_to(&c->e[0], RECEIPT, msg, strlen(msg));
	page = page_for(lang, "ABCDE FGHIJ KLMN0 PQRST UVWXY", c,
	    CONFIG_FOLLOW_UPS_ASKED);
	snprintf(want, sizeof(want), "<div id=\"message\" class=\"message\" "
	    "dir=\"auto\">%s</div>", shown);
	ok(page != NULL && strstr(page, want) != NULL,
	    "%s: the message opens with the receipt as typed, shown as text, "
	    "dir=\"auto\"", i18n_code(lang));
	ok(page != NULL && strstr(page, "<b>") == NULL &&
	    strstr(page, "<script") == NULL, "%s: no markup of the message",
	    i18n_code(lang));
	ok(page != NULL && strstr(page, title) != NULL &&
	    (lang == LANG_EN || strcmp(title,
	    "The analysts need more information") != 0) &&
	    strstr(page, "2026-12-04") != NULL,
	    "%s: the translated status and its day", i18n_code(lang));
	ok(page != NULL && strstr(page, "<form id=\"follow-up\"") != NULL &&
	    strstr(page, "name=\"receipt\" value=\"ABCDE FGHIJ KLMN0 PQRST "
	    "UVWXY\"") != NULL && strstr(page, "name=\"token\" value=\"tok\""),
	    "%s: need-information offers the follow-up form, with the receipt",
	    i18n_code(lang));
	free(page);

	page = page_for(lang, "abcde-fghij-klmno-pqrst-uvwxz", c,
	    CONFIG_FOLLOW_UPS_ASKED);
	ok(page != NULL && strstr(page, "id=\"message\"") == NULL &&
	    strstr(page, "gras") == NULL && strstr(page, title) != NULL,
	    "%s: another receipt's key opens nothing", i18n_code(lang));
	free(page);
	store_case_free(c);
}

/* A follow-up's message, a box that does not open, invalid UTF-8. */
static void
test_follow_up_messages(void)
{
	struct store_case *c = new_case(OUTCOME_ACTIONED, 2);
	static const char bad[] = "nul\0 and \xff\xfe";
	char *page, *ul;

	seal_to(&c->e[1], RECEIPT, bad, sizeof(bad) - 1);
	seal_to(&c->e[2], RECEIPT, "later", 5);
	c->e[2].message[c->e[2].message_len - 1] ^= 1;	/* tampered */
	c->e[0].message = calloc(1, 10);	/* too short to be a box */
	c->e[0].message_len = 10;
	page = page_for(LANG_EN, RECEIPT, c, CONFIG_FOLLOW_UPS_OFF);
	ul = page != NULL ? strstr(page, "<ul id=\"follow-ups\"") : NULL;
	ok(ul != NULL && strstr(ul, "<div class=\"message\" dir=\"auto\">nul"
	    "\xef\xbf\xbd and \xef\xbf\xbd\xef\xbf\xbd</div>") != NULL,
	    "a follow-up's message: NUL and invalid UTF-8 shown as U+FFFD");
	ok(page != NULL && strstr(page, "id=\"message\"") == NULL &&
	    strstr(page, "later") == NULL && strstr(page, "Action taken"),
	    "boxes that do not open are left out, the status stays");
	ok(page != NULL && utf8_valid((const uint8_t *)page, strlen(page)) &&
	    strstr(page, "id=\"follow-up\"") == NULL,
	    "valid UTF-8; follow_ups = off: no form");
	free(page);
	store_case_free(c);
}

/* Unknown and malformed receipts: nothing found, the same page. */
static void
test_unknown(void)
{
	struct store_case none = { .n = 0 };
	char *a = page_for(LANG_FR, "zzzzz-zzzzz-zzzzz-zzzzz-zzzzz", &none,
	    CONFIG_FOLLOW_UPS_ALWAYS);
	char *b = page_for(LANG_FR, "<script>", &none,
	    CONFIG_FOLLOW_UPS_ALWAYS);

	ok(a != NULL && b != NULL && strcmp(a, b) == 0 &&
	    strstr(a, "id=\"status\" class=\"status unknown\"") != NULL &&
	    strstr(a, "zzzzz") == NULL && strstr(a, "id=\"follow-up\"") ==
	    NULL, "unknown and malformed receipts: one page, no form, the "
	    "receipt not echoed");
	free(a);
	free(b);
}

static void
test_offered(void)
{
	static const struct {
		enum config_follow_ups mode;
		unsigned outcome;
		size_t follow_ups;
		int want;
	} t[] = {
		{ CONFIG_FOLLOW_UPS_ASKED, OUTCOME_NONE, 0, 0 },
		{ CONFIG_FOLLOW_UPS_ASKED, OUTCOME_IN_REVIEW, 0, 0 },
		{ CONFIG_FOLLOW_UPS_ASKED, OUTCOME_ACTIONED, 0, 0 },
		{ CONFIG_FOLLOW_UPS_ASKED, OUTCOME_NEED_INFORMATION, 0, 1 },
		{ CONFIG_FOLLOW_UPS_ASKED, OUTCOME_NEED_INFORMATION,
		    STORE_FOLLOW_UPS_MAX - 1, 1 },
		{ CONFIG_FOLLOW_UPS_ASKED, OUTCOME_NEED_INFORMATION,
		    STORE_FOLLOW_UPS_MAX, 0 },
		{ CONFIG_FOLLOW_UPS_ALWAYS, OUTCOME_NONE, 0, 1 },
		{ CONFIG_FOLLOW_UPS_ALWAYS, OUTCOME_NOT_ILLEGAL, 3, 1 },
		{ CONFIG_FOLLOW_UPS_ALWAYS, OUTCOME_NONE,
		    STORE_FOLLOW_UPS_MAX, 0 },
		{ CONFIG_FOLLOW_UPS_OFF, OUTCOME_NEED_INFORMATION, 0, 0 },
		{ CONFIG_FOLLOW_UPS_OFF, OUTCOME_NONE, 0, 0 },
	};
	struct store_case none = { .n = 0 };

	for (size_t i = 0; i < NELEMS(t); i++) {
		struct store_case *c = new_case(t[i].outcome, t[i].follow_ups);
		char *page = page_for(LANG_EN, RECEIPT, c, t[i].mode);

		is_int(lookup_follow_up_offered(t[i].mode, c), t[i].want,
		    "follow-up offered: mode, outcome, follow-ups");
		ok(page != NULL && (strstr(page, "id=\"follow-up\"") != NULL) ==
		    t[i].want, "... and the page has the form only then (%zu)",
		    i);
		free(page);
		store_case_free(c);
	}
	for (int m = 0; m <= CONFIG_FOLLOW_UPS_OFF; m++)
		ok(!lookup_follow_up_offered((enum config_follow_ups)m, &none),
		    "nothing found: never offered (mode %d)", m);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	randombytes_buf(secret, sizeof(secret));
	for (int l = 0; l < LANG_COUNT; l++)
		test_message((enum lang)l);
	test_follow_up_messages();
	test_unknown();
	test_offered();
	return tap_done();
}
