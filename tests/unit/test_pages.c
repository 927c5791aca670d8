/*
 * test_pages: every page in every language, the form's fields and errors,
 * escaping of hostile values, the receipt and status markers (outcomes,
 * messages, follow-ups and their form, the follow-up's answers), the error
 * pages, the escaping module, the option tables and i18n lookups; the
 * deployment's help contacts (escaped, where they belong), the attachment
 * hint in each language, numbers (no-break spaces, grouping, digits), and
 * the glossary of docs/translating.md against the French and Arabic pages.
 * With PAGES_DUMP_DIR set, also writes each page there (for looking at
 * them in a browser).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "fields.h"
#include "html.h"
#include "i18n.h"
#include "outcome.h"
#include "pages.h"
#include "tap.h"
#include "utf8.h"

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define NBSP "\xc2\xa0"		/* U+00A0 NO-BREAK SPACE */
#define NNBSP "\xe2\x80\xaf"	/* U+202F NARROW NO-BREAK SPACE */

#define SITE(files, report_size) .offered = { LANG_FR, LANG_AR, LANG_EN }, \
	.n_offered = 3, .attachments = (files), \
	.max_attachment_size = 64 << 20, .max_report_size = (report_size)
static const struct page_site site_plain = { SITE(0, 256 << 20) };
static const struct page_site site_files = { SITE(1, 256 << 20) };
/* Attachments on, help contacts with markup in them, a large size limit. */
static const struct page_site site_help = { SITE(1, 1536ULL << 30),
	.help_contacts = {
		[LANG_FR] = "Police : 19 <b>&</b> « 2511 »",
		[LANG_AR] = "الشرطة: 19 <i>'2511'</i>",
		[LANG_EN] = "Police: 19 <script>x</script> \"2511\"",
	},
};
static const int http_errors[] = {
	400, 404, 405, 411, 413, 414, 429, 431, 500, 501, 503, 505
};
static const char *const hostile[] = {
	"<script>alert(1)</script>",
	"\"><img src=x onerror=alert(1)>",
	"' onmouseover='alert(1)",
	"</textarea><script>alert(2)</script>",
	"</code><script>alert(3)</script>",
	"&lt;script&gt; \xff\xfe bad utf-8",
};

/* Take what out holds as a NUL-terminated string; free out. */
static char *
take(struct evbuffer *out)
{
	size_t len = evbuffer_get_length(out);
	char *s = malloc(len + 1);

	if (s == NULL)
		abort();
	evbuffer_remove(out, s, len);
	s[len] = '\0';
	evbuffer_free(out);
	return s;
}

/* With PAGES_DUMP_DIR set, write page into it as name.html. */
static void
dump(const char *name, enum lang lang, const char *page)
{
	const char *dir = getenv("PAGES_DUMP_DIR");
	char path[512];
	FILE *f;

	if (dir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/%s-%s.html", dir, name,
	    i18n_code(lang));
	if ((f = fopen(path, "w")) == NULL)
		return;
	fputs(page, f);
	fclose(f);
}

/* 1 if page has an event-handler attribute (" on...="). */
static int
has_handler(const char *page)
{
	const char *p = page, *q;

	while ((p = strstr(p, " on")) != NULL) {
		for (q = p + 3; *q >= 'a' && *q <= 'z'; q++)
			;
		if (*q == '=')
			return 1;
		p = q;
	}
	return 0;
}

/* Checks that hold for every page: frame, language, nothing live. */
static void
check_frame(const char *name, enum lang lang, const char *page)
{
	char html[64], cur[128];

	snprintf(html, sizeof(html), "<html lang=\"%s\" dir=\"%s\">",
	    i18n_code(lang), i18n_rtl(lang) ? "rtl" : "ltr");
	snprintf(cur, sizeof(cur), "lang=\"%s\" hreflang=\"%s\" dir=\"%s\" "
	    "aria-current=\"true\"", i18n_code(lang), i18n_code(lang),
	    i18n_rtl(lang) ? "rtl" : "ltr");
	ok(strncmp(page, "<!DOCTYPE html>\n", 16) == 0 &&
	    strstr(page, html) != NULL &&
	    strcmp(page + strlen(page) - 8, "</html>\n") == 0,
	    "%s/%s: a whole page, %s", name, i18n_code(lang), html);
	ok(strstr(page, cur) != NULL && strstr(page, "href=\"/fr/") &&
	    strstr(page, "href=\"/ar/") && strstr(page, "href=\"/en/"),
	    "%s/%s: switcher with the current language marked", name,
	    i18n_code(lang));
	ok(strstr(page, "<script") == NULL && strstr(page, " style=") == NULL &&
	    strstr(page, "<style") == NULL && strstr(page, " src=") == NULL &&
	    !has_handler(page),
	    "%s/%s: no script, no inline style, no embedded resource", name,
	    i18n_code(lang));
	ok(strstr(page, "href=\"/style.css\"") &&
	    strstr(page, "<noscript><link rel=\"stylesheet\" "
	    "href=\"/noscript.css\"></noscript>") &&
	    strstr(page, "class=\"js-notice\""),
	    "%s/%s: stylesheets and the Safest-level notice", name,
	    i18n_code(lang));
	ok(utf8_valid((const uint8_t *)page, strlen(page)),
	    "%s/%s: valid UTF-8", name, i18n_code(lang));
	dump(name, lang, page);
}

/* The checks above plus: no reference to any other site at all. */
static void
check_page(const char *name, enum lang lang, const char *page)
{
	check_frame(name, lang, page);
	ok(strstr(page, "http://") == NULL && strstr(page, "https://") == NULL,
	    "%s/%s: no external reference", name, i18n_code(lang));
}

static void
test_landing_safety(enum lang lang)
{
	static const char *const advice[LANG_COUNT] = {
		"Ne téléchargez pas", "لا يجوز تنزيل", "Do not download"
	};
	struct evbuffer *out = evbuffer_new();
	char *page;

	pages_landing(out, &site_plain, lang);
	page = take(out);
	check_page("landing", lang, page);
	ok(strstr(page, advice[lang]) != NULL &&
	    strstr(page, "class=\"warning\"") != NULL,
	    "landing/%s: the advice not to download or screenshot",
	    i18n_code(lang));
	free(page);

	out = evbuffer_new();
	pages_safety(out, &site_plain, lang);
	page = take(out);
	check_page("safety", lang, page);
	free(page);
}

static void
test_form_fields(enum lang lang)
{
	static const char *const names[] = { FIELD_URLS, FIELD_CATEGORY,
	    FIELD_SEEN_ON, FIELD_DESCRIPTION, FIELD_TOKEN, FIELD_HONEYPOT };
	struct form_view v = { .category = "", .seen_on = "",
	    .token = "tok123" };
	struct evbuffer *out = evbuffer_new();
	char *page, *hp, want[64];
	size_t all = 0;

	pages_form(out, &site_plain, lang, &v);
	page = take(out);
	check_page("form", lang, page);
	for (size_t i = 0; i < NELEMS(names); i++) {
		snprintf(want, sizeof(want), "name=\"%s\"", names[i]);
		all += strstr(page, want) != NULL;
	}
	is_int(all, NELEMS(names), "form: every field is there");
	ok(strstr(page, "<input type=\"hidden\" name=\"token\" "
	    "value=\"tok123\">") != NULL, "form/%s: the hidden token",
	    i18n_code(lang));
	hp = strstr(page, "<div class=\"hp\" aria-hidden=\"true\">");
	ok(hp != NULL && strstr(hp, "name=\"homepage\"") != NULL &&
	    strstr(hp, "tabindex=\"-1\" autocomplete=\"off\">\n</div>") != NULL,
	    "form/%s: the honeypot, hidden by class", i18n_code(lang));
	ok(strstr(page, "name=\"attachment\"") == NULL &&
	    strstr(page, "application/x-www-form-urlencoded") != NULL,
	    "form/%s: no file input when attachments are off",
	    i18n_code(lang));
	snprintf(want, sizeof(want), "action=\"/%s/report\"", i18n_code(lang));
	ok(strstr(page, want) != NULL && strstr(page, "method=\"post\"") &&
	    strstr(page, "accept-charset=\"UTF-8\""), "form/%s: posts to %s",
	    i18n_code(lang), want);
	ok(strstr(page, "name=\"urls\" aria-describedby=\"urls-hint\" "
	    "rows=\"4\" dir=\"ltr\"") != NULL, "form/%s: urls field is ltr",
	    i18n_code(lang));
	free(page);

	out = evbuffer_new();
	pages_form(out, &site_files, lang, &v);
	page = take(out);
	ok(strstr(page, "<input type=\"file\" multiple id=\"attachment\" "
	    "name=\"attachment\"") != NULL &&
	    strstr(page, "enctype=\"multipart/form-data\"") != NULL,
	    "form/%s: file input and multipart when attachments are on",
	    i18n_code(lang));
	free(page);
}

static void
test_form_errors(void)
{
	struct form_view v = { .urls = "ftp://x\n", .urls_len = 8,
	    .category = "csam_videos", .seen_on = "nowhere",
	    .description = "d", .description_len = 1, .errors = 0x3ff,
	    .bad_url_line = 7, .token = "t" };
	struct evbuffer *out = evbuffer_new();
	char *page;

	pages_form(out, &site_plain, LANG_EN, &v);
	page = take(out);
	check_page("form-errors", LANG_EN, page);
	ok(strstr(page, "<title>Error: Make a report") != NULL,
	    "errors: the title says so");
	ok(strstr(page, "class=\"error-summary\" role=\"alert\"") != NULL &&
	    strstr(page, "<a href=\"#urls\">Line 7 is not") != NULL &&
	    strstr(page, "<a href=\"#category\">") != NULL &&
	    strstr(page, "<a href=\"#seen_on\">") != NULL &&
	    strstr(page, "<a href=\"#description\">") != NULL,
	    "errors: summary linked to each field");
	ok(strstr(page, "The form had expired") != NULL &&
	    strstr(page, "could not be accepted") != NULL &&
	    strstr(page, "could not be read") != NULL,
	    "errors: form-wide problems in the summary");
	ok(strstr(page, "name=\"urls\" aria-describedby=\"urls-hint "
	    "urls-error\" aria-invalid=\"true\"") != NULL &&
	    strstr(page, "<p class=\"field-error\" id=\"urls-error\">") !=
	    NULL, "errors: field message tied to the field");
	ok(strstr(page, "name=\"category\" aria-describedby=\"category-error\" "
	    "aria-invalid=\"true\"") != NULL, "errors: a select without hint");
	ok(strstr(page, "<option value=\"csam_videos\" selected>") != NULL &&
	    strstr(page, "selected") == strstr(page, "\" selected>") + 2,
	    "errors: the chosen option is kept, only it");
	ok(strstr(page, ">\nftp://x\n</textarea>") != NULL,
	    "errors: the typed addresses are kept");
	ok(strstr(page, "target=\"_blank\"") != NULL,
	    "errors: switching languages opens a new tab");
	free(page);
}

/* A case whose first report is as given, with n - 1 follow-ups. */
static struct store_case
one_case(size_t n, enum store_status st, unsigned outcome)
{
	struct store_case c = { .n = n };

	for (size_t i = 0; i < n; i++) {
		c.e[i].status = st;
		c.e[i].received_day = 20790;	/* 2026-12-03 */
	}
	if (n > 0 && outcome != OUTCOME_NONE) {
		c.e[0].outcome = (uint8_t)outcome;
		c.e[0].outcome_day = 20791;	/* 2026-12-04 */
	}
	return c;
}

/* The status page drawn for view. */
static char *
status_page(const struct page_site *site, enum lang lang,
    const struct status_view *view)
{
	struct evbuffer *out = evbuffer_new();

	pages_status(out, site, lang, view);
	return take(out);
}

/* The text of the element id="status" in page (a copy), or NULL. */
static char *
status_element(const char *page)
{
	const char *a = strstr(page, "<div id=\"status\""), *b;

	if (a == NULL || (b = strstr(a, "</div>")) == NULL)
		return NULL;
	return strndup(a, (size_t)(b - a));
}

/* A status page with everything: a message, follow-ups, the form. */
static char *
full_status(const struct page_site *site, enum lang lang, const char *msg,
    const char *receipt)
{
	struct store_case c = one_case(3, STORE_STATUS_EXPORTED,
	    OUTCOME_NEED_INFORMATION);
	const struct form_view fu = { .category = "", .seen_on = "",
	    .token = "tok123", .receipt = receipt,
	    .receipt_len = strlen(receipt) };
	struct status_view v = { .c = &c, .follow_up = &fu };

	c.e[2].received_day = 0;	/* purged: the day went with it */
	c.e[2].status = STORE_STATUS_PURGED;
	c.e[1].status = STORE_STATUS_WAITING;
	v.message[0] = (struct page_text){ msg, strlen(msg) };
	v.message[2] = (struct page_text){ "second", 6 };
	return status_page(site, lang, &v);
}

/* A view with payload in every field, as the form handler could fill it. */
static void
test_hostile_one(const char *p)
{
	struct form_view v = { .urls = p, .urls_len = strlen(p),
	    .category = p, .seen_on = p, .description = p,
	    .description_len = strlen(p), .errors = 0x3ff, .bad_url_line = 1,
	    .token = p };
	struct evbuffer *out = evbuffer_new();
	char *page, *escaped;

	html_escape_str(out, p);
	escaped = take(out);
	out = evbuffer_new();
	pages_form(out, &site_files, LANG_AR, &v);
	pages_receipt(out, &site_files, LANG_AR, p);
	v.receipt = p;
	v.receipt_len = strlen(p);
	pages_form(out, &site_files, LANG_AR, &v);
	page = full_status(&site_files, LANG_AR, p, p);
	evbuffer_add(out, page, strlen(page));
	free(page);
	page = take(out);
	ok(strstr(page, "<script") == NULL && strstr(page, "<img") == NULL &&
	    strstr(page, "</textarea><script") == NULL &&
	    strstr(page, "</code><script") == NULL &&
	    strstr(page, "\" onmouseover") == NULL &&
	    strstr(page, "' onmouseover") == NULL &&
	    strstr(page, "\" selected") == NULL,
	    "hostile value comes back inert: %.12s...", p);
	ok(strstr(page, escaped) != NULL, "hostile value comes back escaped");
	ok(utf8_valid((const uint8_t *)page, strlen(page)),
	    "hostile value: page stays valid UTF-8");
	free(escaped);
	free(page);
}

static void
test_hostile(void)
{
	for (size_t i = 0; i < NELEMS(hostile); i++)
		test_hostile_one(hostile[i]);
}

static void
test_receipt(enum lang lang)
{
	struct evbuffer *out = evbuffer_new();
	char *page;

	pages_receipt(out, &site_plain, lang, "ABCD-EFGH-2345");
	page = take(out);
	check_page("receipt", lang, page);
	ok(strstr(page, "<code id=\"receipt\">ABCD-EFGH-2345"
	    "</code>") != NULL, "receipt/%s: the receipt marker",
	    i18n_code(lang));
	ok(strstr(page, "href=\"/") && strstr(page, "/status\"") &&
	    strstr(page, "target=\"_blank\""),
	    "receipt/%s: links to the status page; switcher keeps this tab",
	    i18n_code(lang));
	free(page);
}

static void
test_status(enum lang lang)
{
	static const enum store_status all[] = { STORE_STATUS_UNKNOWN,
	    STORE_STATUS_WAITING, STORE_STATUS_EXPORTED, STORE_STATUS_PURGED };
	char *page, *texts[NELEMS(all)], want[64];

	page = status_page(&site_plain, lang, NULL);
	check_page("status", lang, page);
	snprintf(want, sizeof(want), "action=\"/%s/status\"", i18n_code(lang));
	ok(strstr(page, want) && strstr(page, "name=\"receipt\"") &&
	    strstr(page, "id=\"status\"") == NULL &&
	    strstr(page, "id=\"receipt\"") == NULL,
	    "status/%s: the form, no result yet", i18n_code(lang));
	free(page);
	for (size_t i = 0; i < NELEMS(all); i++) {
		struct store_case c = one_case(all[i] != STORE_STATUS_UNKNOWN,
		    all[i], OUTCOME_NONE);
		struct status_view v = { .c = &c };

		texts[i] = status_page(&site_plain, lang, &v);
		snprintf(want, sizeof(want), "status-%d", all[i]);
		check_page(want, lang, texts[i]);
		ok(strstr(texts[i], "<div id=\"status\"") != NULL &&
		    strstr(texts[i], "id=\"message\"") == NULL &&
		    strstr(texts[i], "id=\"follow-ups\"") == NULL &&
		    strstr(texts[i], "id=\"follow-up\"") == NULL,
		    "status/%s: the status marker for %d, nothing else",
		    i18n_code(lang), all[i]);
	}
	ok(strcmp(texts[0], texts[1]) && strcmp(texts[1], texts[2]) &&
	    strcmp(texts[2], texts[3]), "status/%s: each status its words",
	    i18n_code(lang));
	for (size_t i = 0; i < NELEMS(all); i++)
		free(texts[i]);
}

/* Each outcome: its own words in id="status", and the day it came. */
static void
test_outcomes(enum lang lang)
{
	char *box[OUTCOME_STATUS_COUNT] = { NULL }, name[64];
	struct store_case c0 = one_case(1, STORE_STATUS_EXPORTED, OUTCOME_NONE);
	struct status_view v0 = { .c = &c0 };
	char *page = status_page(&site_plain, lang, &v0);
	int distinct = 1;

	box[0] = status_element(page);
	free(page);
	for (unsigned o = 1; o < OUTCOME_STATUS_COUNT; o++) {
		struct store_case c = one_case(1, STORE_STATUS_EXPORTED, o);
		struct status_view v = { .c = &c };

		page = status_page(&site_plain, lang, &v);
		snprintf(name, sizeof(name), "outcome-%s",
		    outcome_status_name(o));
		check_page(name, lang, page);
		box[o] = status_element(page);
		ok(box[o] != NULL && strstr(box[o], "2026-12-04") != NULL &&
		    strstr(box[o], "2026-12-03") == NULL,
		    "%s/%s: the status, and the day it changed", name,
		    i18n_code(lang));
		for (unsigned p = 0; p < o; p++)
			distinct &= box[o] != NULL && box[p] != NULL &&
			    strcmp(box[o], box[p]) != 0;
		free(page);
	}
	ok(distinct, "outcomes/%s: each its own words, none a store status's",
	    i18n_code(lang));
	ok(box[0] != NULL && strstr(box[0], "2026-") == NULL,
	    "outcomes/%s: no day before an outcome", i18n_code(lang));
	for (unsigned o = 0; o < OUTCOME_STATUS_COUNT; o++)
		free(box[o]);
}

static void
test_follow_up_pages(enum lang lang)
{
	char *page = full_status(&site_files, lang, "Bonjour\nمرحبا",
	    "abcde-fghij-klmno-pqrst-uvwxy"), *fu, *ul, want[96];
	struct evbuffer *out;

	check_page("status-full", lang, page);
	ok(strstr(page, "<div id=\"message\" class=\"message\" dir=\"auto\">"
	    "Bonjour\nمرحبا</div>") != NULL,
	    "status-full/%s: the message in id=\"message\", dir=\"auto\"",
	    i18n_code(lang));
	ul = strstr(page, "<ul id=\"follow-ups\"");
	ok(ul != NULL && strstr(ul, "2026-12-03") != NULL &&
	    strstr(ul, "<div class=\"message\" dir=\"auto\">second</div>") &&
	    strstr(ul, "id=\"message\"") == NULL,
	    "status-full/%s: the follow-ups, each day and message",
	    i18n_code(lang));
	snprintf(want, sizeof(want), "<form id=\"follow-up\" method=\"post\" "
	    "action=\"/%s/follow-up\"", i18n_code(lang));
	fu = strstr(page, want);
	ok(fu != NULL && strstr(fu, "<input type=\"hidden\" name=\"receipt\" "
	    "value=\"abcde-fghij-klmno-pqrst-uvwxy\">") != NULL &&
	    strstr(fu, "name=\"token\" value=\"tok123\"") != NULL &&
	    strstr(fu, "name=\"homepage\"") != NULL &&
	    strstr(fu, "name=\"urls\"") != NULL &&
	    strstr(fu, "name=\"description\"") != NULL &&
	    strstr(fu, "name=\"attachment\"") != NULL &&
	    strstr(fu, "multipart/form-data") != NULL,
	    "status-full/%s: the follow-up form and its hidden inputs",
	    i18n_code(lang));
	ok(fu != NULL && ul != NULL && strstr(page, "id=\"status\"") < ul &&
	    ul < fu && strstr(fu, "action=\"/") && strstr(fu, "/status\""),
	    "status-full/%s: status, follow-ups, the form, then the lookup",
	    i18n_code(lang));
	free(page);

	out = evbuffer_new();
	pages_follow_up(out, &site_plain, lang, 1);
	page = take(out);
	check_page("follow-up-done", lang, page);
	ok(strstr(page, "id=\"receipt\"") == NULL &&
	    strstr(page, "/status\"") != NULL,
	    "follow-up-done/%s: no receipt, a link to the status page",
	    i18n_code(lang));
	free(page);
	out = evbuffer_new();
	pages_follow_up(out, &site_plain, lang, 0);
	page = take(out);
	check_page("follow-up-refused", lang, page);
	ok(strstr(page, "id=\"receipt\"") == NULL &&
	    strstr(page, "id=\"follow-up\"") == NULL,
	    "follow-up-refused/%s: no form, no receipt", i18n_code(lang));
	free(page);
}

/* A follow-up sent back with errors: its own form, the receipt kept. */
static void
test_follow_up_errors(void)
{
	struct form_view v = { .urls = "ftp://x\n", .urls_len = 8,
	    .category = "", .seen_on = "", .errors = FORM_ERR_URL_INVALID,
	    .bad_url_line = 1, .token = "t", .receipt = "abcde-fghij",
	    .receipt_len = 11 };
	struct evbuffer *out = evbuffer_new();
	char *page;

	pages_form(out, &site_plain, LANG_EN, &v);
	page = take(out);
	check_page("follow-up-errors", LANG_EN, page);
	ok(strstr(page, "<title>Error: Add to your report") != NULL &&
	    strstr(page, "<form id=\"follow-up\" method=\"post\" "
	    "action=\"/en/follow-up\"") != NULL &&
	    strstr(page, "action=\"/en/report\"") == NULL,
	    "follow-up errors: its own title and target");
	ok(strstr(page, "name=\"receipt\" value=\"abcde-fghij\"") != NULL &&
	    strstr(page, ">\nftp://x\n</textarea>") != NULL,
	    "follow-up errors: the receipt and the typed values kept");
	free(page);
}

static void
test_errors(enum lang lang)
{
	char name[32], *page;

	for (size_t i = 0; i < NELEMS(http_errors); i++) {
		struct evbuffer *out = evbuffer_new();

		pages_error(out, &site_plain, lang, http_errors[i]);
		page = take(out);
		snprintf(name, sizeof(name), "error-%d", http_errors[i]);
		check_page(name, lang, page);
		snprintf(name, sizeof(name), ": %d</p>", http_errors[i]);
		ok(strstr(page, name) != NULL, "error %d/%s: says its code",
		    http_errors[i], i18n_code(lang));
		free(page);
	}
}

/* What the English error pages say, for the statuses with advice. */
static void
test_error_words(void)
{
	static const struct {
		int status;
		const char *words;
	} want[] = {
		{ 413, "at most 256" NBSP "MB in all" },
		{ 413, "fewer or smaller files, or with none: the address" },
		{ 429, "wait a while" },
		{ 503, "nothing was stored" },
		{ 404, "does not exist" },
		{ 999, "Something went wrong" },
	};

	for (size_t i = 0; i < NELEMS(want); i++) {
		struct evbuffer *out = evbuffer_new();
		char *page;

		pages_error(out, &site_plain, LANG_EN, want[i].status);
		page = take(out);
		ok(strstr(page, want[i].words) != NULL, "error %d says \"%s\"",
		    want[i].status, want[i].words);
		free(page);
	}
}

static void
test_stylesheets(void)
{
	size_t len, nlen;
	const char *css = pages_stylesheet(&len);
	const char *ns = pages_noscript_stylesheet(&nlen);

	ok(len > 1000 && strlen(css) == len && strstr(css, ".hp {") &&
	    strstr(strstr(css, ".hp {"), "display: none"),
	    "style.css embedded, hides the honeypot");
	ok(strstr(css, "url(") == NULL && strstr(css, "@import") == NULL &&
	    strstr(css, "@font-face") == NULL,
	    "style.css loads nothing else");
	ok(nlen > 0 && strstr(ns, ".js-notice") && strstr(ns, "display: none"),
	    "noscript.css hides the notice");
}

/* html_escape of in is exactly want. */
static void
check_escape(const char *in, size_t len, const char *want)
{
	struct evbuffer *out = evbuffer_new();
	char *got;

	html_escape(out, in, len);
	got = take(out);
	ok(strcmp(got, want) == 0, "html_escape: \"%s\"", want);
	free(got);
}

static void
test_html(void)
{
	check_escape("<a href=\"x\">'&", 14,
	    "&lt;a href=&quot;x&quot;&gt;&#39;&amp;");
	check_escape("caf\xc3\xa9 \xd8\xb9", 8, "caf\xc3\xa9 \xd8\xb9");
	check_escape("a\0b", 3, "a\xef\xbf\xbd" "b");
	check_escape("\xc3(\xe2\x82", 4, "\xef\xbf\xbd(\xef\xbf\xbd\xef\xbf\xbd");
	check_escape("", 0, "");
}

static void
test_fields(void)
{
	for (size_t i = 0; i < fields_ncategories; i++)
		ok(strlen(fields_categories[i].value) <= FIELDS_OPTION_MAX,
		    "options: %s fits", fields_categories[i].value);
	for (size_t i = 0; i < fields_nseen_on; i++)
		ok(strlen(fields_seen_on[i].value) <= FIELDS_OPTION_MAX,
		    "options: %s fits", fields_seen_on[i].value);
}

static void
test_i18n(void)
{
	enum lang l = LANG_EN;

	ok(i18n_lang("ar", 2, &l) == 0 && l == LANG_AR, "i18n: ar");
	ok(i18n_lang("fr/", 2, &l) == 0 && l == LANG_FR, "i18n: fr");
	ok(i18n_lang("de", 2, &l) == -1 && i18n_lang("f", 1, &l) == -1 &&
	    i18n_lang("fra", 3, &l) == -1, "i18n: others refused");
	ok(i18n_rtl(LANG_AR) && !i18n_rtl(LANG_FR) && !i18n_rtl(LANG_EN),
	    "i18n: Arabic is right to left");
	ok(strcmp(i18n_text(LANG_FR, "Make a report"),
	    "Faire un signalement") == 0, "i18n: French");
	ok(strcmp(i18n_text(LANG_EN, "Make a report"), "Make a report") == 0,
	    "i18n: English");
	ok(strcmp(i18n_text(LANG_AR, "no such message"),
	    "no such message") == 0, "i18n: unknown msgid falls back");
}

/* html_escape_str(s), as a string. */
static char *
escaped(const char *s)
{
	struct evbuffer *out = evbuffer_new();

	html_escape_str(out, s);
	return take(out);
}

/* Every page of site in lang, one after the other, the form twice. */
static char *
all_pages(const struct page_site *site, enum lang lang)
{
	static const enum store_status st[] = { STORE_STATUS_UNKNOWN,
	    STORE_STATUS_WAITING, STORE_STATUS_EXPORTED, STORE_STATUS_PURGED };
	struct form_view errs = { .urls = "x", .urls_len = 1,
	    .category = "", .seen_on = "", .errors = 0x3ff,
	    .bad_url_line = 3, .token = "t" };
	struct evbuffer *out = evbuffer_new();
	char *page;

	pages_landing(out, site, lang);
	pages_form(out, site, lang, NULL);
	pages_form(out, site, lang, &errs);
	pages_receipt(out, site, lang, "ABCD-EFGH");
	for (size_t i = 0; i < NELEMS(st); i++) {
		struct store_case c = one_case(st[i] != STORE_STATUS_UNKNOWN,
		    st[i], OUTCOME_NONE);
		struct status_view v = { .c = &c };

		pages_status(out, site, lang, &v);
	}
	for (unsigned o = 1; o < OUTCOME_STATUS_COUNT; o++) {
		struct store_case c = one_case(1, STORE_STATUS_EXPORTED, o);
		struct status_view v = { .c = &c };

		pages_status(out, site, lang, &v);
	}
	page = full_status(site, lang, "m", "r");
	evbuffer_add(out, page, strlen(page));
	free(page);
	pages_follow_up(out, site, lang, 1);
	pages_follow_up(out, site, lang, 0);
	errs.receipt = "r";
	errs.receipt_len = 1;
	pages_form(out, site, lang, &errs);
	pages_safety(out, site, lang);
	for (size_t i = 0; i < NELEMS(http_errors); i++)
		pages_error(out, site, lang, http_errors[i]);
	return take(out);
}

/* before, escaped, then the contacts paragraph follows on page. */
static int
contacts_after(const char *page, const char *before, const char *after_tags,
    const char *contacts_p)
{
	char *b = escaped(before), want[2048];
	int found;

	snprintf(want, sizeof(want), "%s%s%s", b, after_tags, contacts_p);
	found = strstr(page, want) != NULL;
	free(b);
	return found;
}

/*
 * The deployment's help contacts: escaped, right after the emergency line
 * (landing), after the danger and support advice (safety), on the receipt
 * page; no trace of them when they are unset.
 */
static void
test_help_contacts(enum lang lang)
{
	const char *label = i18n_text(lang, "Where to get help: {1}");
	const char *danger = i18n_text(lang, "If a child is in immediate "
	    "danger, contact the police or emergency services now.");
	const char *support = i18n_text(lang, "Seeing such material is "
	    "upsetting, and it is not your fault. Talking to someone you "
	    "trust, or to a support service, can help.");
	const char *cut = strstr(label, "{1}");
	char *contacts = escaped(site_help.help_contacts[lang]), *raw, *pre;
	char *post, p[1024], *page;
	struct evbuffer *out;

	if (!ok(cut != NULL, "help/%s: the label has {1}", i18n_code(lang))) {
		free(contacts);
		return;
	}
	raw = strndup(label, (size_t)(cut - label));
	pre = escaped(raw);
	post = escaped(cut + 3);
	snprintf(p, sizeof(p), "<p class=\"contacts\">%s%s%s</p>\n", pre,
	    contacts, post);
	out = evbuffer_new();
	pages_landing(out, &site_help, lang);
	page = take(out);
	ok(contacts_after(page, danger, "</p>\n", p),
	    "help/%s: the contacts, escaped, after the emergency line",
	    i18n_code(lang));
	ok(strstr(page, "<b>") == NULL && strstr(page, "<i>") == NULL &&
	    strstr(page, "<script") == NULL, "help/%s: their markup is inert",
	    i18n_code(lang));
	free(page);
	out = evbuffer_new();
	pages_safety(out, &site_help, lang);
	page = take(out);
	ok(contacts_after(page, support, "</li>\n</ul>\n", p),
	    "help/%s: the contacts after the danger and support advice",
	    i18n_code(lang));
	free(page);
	out = evbuffer_new();
	pages_receipt(out, &site_help, lang, "R");
	page = take(out);
	ok(strstr(page, p) != NULL, "help/%s: the contacts on the receipt page",
	    i18n_code(lang));
	free(page);
	page = all_pages(&site_plain, lang);
	ok(strstr(page, "class=\"contacts\"") == NULL &&
	    contacts_after(page, danger, "</p>\n", "<h2>"),
	    "help/%s: unset, the generic wording alone", i18n_code(lang));
	free(page);
	free(raw);
	free(pre);
	free(post);
	free(contacts);
}

/* The text of the element that starts with open on page, up to close. */
static char *
element(const char *page, const char *open, const char *close)
{
	const char *a = strstr(page, open), *b;

	if (a == NULL || (b = strstr(a, close)) == NULL)
		return strdup("");
	return strndup(a, (size_t)(b - a));
}

/*
 * With attachments on, the Files hint says not to attach images or videos
 * of abuse and what is welcome, in the same words as the landing page's
 * warning ("not even to report them"), with the sizes; nothing of the old
 * "if you already have it".
 */
static void
test_attachment_hint(enum lang lang)
{
	static const struct {
		const char *never, *welcome, *same, *sizes, *old;
	} want[LANG_COUNT] = {
		[LANG_FR] = { "Ne joignez jamais d’images ou de vidéos d’abus",
		    "captures d’écran de messages d’une personne qui menace "
		    "un enfant", "même pour les signaler",
		    "64" NBSP "Mo au maximum par fichier, et 256" NBSP "Mo",
		    "l’avez déjà" },
		[LANG_AR] = { "لا يجوز إرفاق صور أو مقاطع فيديو للاعتداء",
		    "لقطات شاشة لرسائل من شخص يهدّد طفلًا", "حتى بغرض الإبلاغ عنها",
		    "لكل ملف: 64" NBSP "ميغابايت، وللبلاغ كله: 256" NBSP
		    "ميغابايت", "موجودًا لديك" },
		[LANG_EN] = { "Never attach images or videos of abuse",
		    "screenshots of messages from someone threatening or "
		    "grooming a child", "not even to report them",
		    "At most 64" NBSP "MB per file and 256" NBSP "MB for the "
		    "whole report", "already have" },
	};
	struct evbuffer *out = evbuffer_new();
	char *landing, *form, *warning, *hint;

	pages_landing(out, &site_files, lang);
	landing = take(out);
	out = evbuffer_new();
	pages_form(out, &site_files, lang, NULL);
	form = take(out);
	warning = element(landing, "<div class=\"warning\">", "</div>");
	hint = element(form, "<p class=\"hint\" id=\"attachment-hint\">",
	    "</p>");
	ok(strstr(hint, want[lang].never) != NULL,
	    "attachments/%s: the hint says never to attach abuse material",
	    i18n_code(lang));
	ok(strstr(hint, want[lang].welcome) != NULL,
	    "attachments/%s: the hint says which files are welcome",
	    i18n_code(lang));
	ok(strstr(hint, want[lang].same) != NULL &&
	    strstr(warning, want[lang].same) != NULL,
	    "attachments/%s: hint and warning both say \"%s\"",
	    i18n_code(lang), want[lang].same);
	ok(strstr(hint, want[lang].sizes) != NULL, "attachments/%s: the sizes",
	    i18n_code(lang));
	ok(strstr(form, want[lang].old) == NULL,
	    "attachments/%s: no invitation to send what one already has",
	    i18n_code(lang));
	free(hint);
	free(warning);
	free(form);
	free(landing);
}

/*
 * Numbers on every page: never apart from their unit (or from their next
 * group of digits) on a plain space; French groups thousands with a narrow
 * no-break space, English with a comma; Arabic keeps Western digits.
 */
static void
test_numbers(enum lang lang)
{
	static const char *const units[] = { "GB", "MB", "KB", "bytes",
	    "characters", "addresses", "Go", "Mo", "Ko", "octets",
	    "caractères", "adresses", "ans", "غيغابايت", "ميغابايت", "كيلوبايت",
	    "بايت", "حرف" };
	static const char *const want[LANG_COUNT][4] = {
		[LANG_FR] = { "10" NNBSP "000" NBSP "caractères",
		    "1" NNBSP "024" NBSP "caractères",
		    "1" NNBSP "536" NBSP "Go", "18" NBSP "ans" },
		[LANG_AR] = { "الحد الأقصى لعدد الأحرف: 10000.",
		    "ولعدد الأحرف في كل رابط: 1024.", "1536" NBSP "غيغابايت",
		    "64" NBSP "ميغابايت" },
		[LANG_EN] = { "10,000" NBSP "characters",
		    "1,024" NBSP "characters", "1,536" NBSP "GB",
		    "64" NBSP "MB" },
	};
	char *page = all_pages(&site_help, lang);
	const char *bad = NULL, *p;
	int eastern = 0, n;

	for (p = page; *p != '\0' && bad == NULL; p++) {
		unsigned char c = (unsigned char)p[1];

		/* U+0660-0669 and U+06F0-06F9: Eastern Arabic digits. */
		eastern |= (p[0] == '\xd9' && c >= 0xa0 && c <= 0xa9) ||
		    (p[0] == '\xdb' && c >= 0xb0 && c <= 0xb9);
		if (p[0] < '0' || p[0] > '9' || p[1] != ' ')
			continue;
		if (p[2] >= '0' && p[2] <= '9')
			bad = p;
		for (size_t i = 0; i < NELEMS(units) && bad == NULL; i++) {
			if (strncmp(p + 2, units[i], strlen(units[i])) == 0)
				bad = p;
		}
	}
	/* What follows bad, cut on a character boundary for the message. */
	for (n = 0; bad != NULL && bad[n] != '\0' && (n < 30 ||
	    (bad[n] & 0xc0) == 0x80); n++)
		;
	ok(bad == NULL, "numbers/%s: no number apart from its unit on a plain "
	    "space%s%.*s", i18n_code(lang), bad ? ": " : "", n, bad ? bad : "");
	for (size_t i = 0; i < NELEMS(want[lang]); i++)
		ok(strstr(page, want[lang][i]) != NULL, "numbers/%s: \"%s\"",
		    i18n_code(lang), want[lang][i]);
	ok(!eastern, "numbers/%s: Western digits only", i18n_code(lang));
	free(page);
}

/* The file at path, NUL-terminated; NULL if it cannot be read. */
static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (s = malloc((size_t)n + 1)) != NULL) {
		s[fread(s, 1, (size_t)n, f)] = '\0';
	}
	fclose(f);
	return s;
}

/* Overwrite every occurrence of term in s with '#'. */
static void
blank(char *s, const char *term)
{
	while ((s = strstr(s, term)) != NULL)
		memset(s, '#', strlen(term));
}

/*
 * The next `term` in [*p, end) of the cell that starts at cell: its text in
 * t; *p moves past it. Return 1 if "except " comes just before it, 0 if
 * not, -1 when there is none.
 */
static int
next_term(const char *cell, const char **p, const char *end, char t[256])
{
	const char *a = memchr(*p, '`', (size_t)(end - *p)), *b;

	if (a == NULL || (b = memchr(a + 1, '`', (size_t)(end - a - 1))) ==
	    NULL)
		return -1;
	snprintf(t, 256, "%.*s", (int)(b - a - 1), a + 1);
	*p = b + 1;
	return a - cell >= 7 && strncmp(a - 7, "except ", 7) == 0;
}

/*
 * One cell of the glossary, [cell, end): every `term` in it is on page
 * (must) or, once its "except `term`" phrases are blanked out, none is.
 * Return the number of terms checked.
 */
static int
check_cell(const char *page, const char *cell, const char *end, int must,
    enum lang lang)
{
	char *copy = strdup(page), t[256];
	const char *p;
	int n = 0, except;

	for (p = cell; (except = next_term(cell, &p, end, t)) >= 0;) {
		if (except)
			blank(copy, t);
	}
	for (p = cell; (except = next_term(cell, &p, end, t)) >= 0;) {
		if (except)
			continue;
		ok(must ? strstr(page, t) != NULL : strstr(copy, t) == NULL,
		    "glossary/%s: %s \"%s\"", i18n_code(lang), must ? "uses" :
		    "never uses", t);
		n++;
	}
	free(copy);
	return n;
}

/*
 * docs/translating.md's glossary (the table under "## Glossary": English,
 * French, French never, Arabic, Arabic never) against every French and
 * Arabic page, with attachments and help contacts on.
 */
static void
test_glossary(void)
{
	char *doc = slurp(SOURCE_ROOT "/docs/translating.md");
	char *fr = all_pages(&site_help, LANG_FR);
	char *ar = all_pages(&site_help, LANG_AR);
	const char *line, *cell[6];
	int rows = 0, terms = 0;

	line = doc != NULL ? strstr(doc, "\n## Glossary\n") : NULL;
	line = line != NULL ? strstr(line, "\n|") : NULL;
	for (; line != NULL && line[1] == '|'; line = strchr(line + 1, '\n')) {
		size_t n = 0;

		for (const char *p = line + 1; *p != '\n' && *p != '\0' &&
		    n < NELEMS(cell); p++) {
			if (*p == '|')
				cell[n++] = p + 1;
		}
		/* The header row, and the row of dashes under it. */
		if (n < NELEMS(cell) || cell[0][strspn(cell[0], " ")] == '-' ||
		    rows++ == 0)
			continue;
		terms += check_cell(fr, cell[1], cell[2], 1, LANG_FR);
		terms += check_cell(fr, cell[2], cell[3], 0, LANG_FR);
		terms += check_cell(ar, cell[3], cell[4], 1, LANG_AR);
		terms += check_cell(ar, cell[4], cell[5], 0, LANG_AR);
	}
	ok(rows > 10 && terms > 30, "glossary: %d rows, %d terms checked",
	    rows - 1, terms);
	free(doc);
	free(fr);
	free(ar);
}

int
main(void)
{
	for (int l = 0; l < LANG_COUNT; l++) {
		test_landing_safety((enum lang)l);
		test_form_fields((enum lang)l);
		test_receipt((enum lang)l);
		test_status((enum lang)l);
		test_outcomes((enum lang)l);
		test_follow_up_pages((enum lang)l);
		test_errors((enum lang)l);
		test_help_contacts((enum lang)l);
		test_attachment_hint((enum lang)l);
		test_numbers((enum lang)l);
	}
	test_glossary();
	test_form_errors();
	test_follow_up_errors();
	test_hostile();
	test_error_words();
	test_stylesheets();
	test_html();
	test_fields();
	test_i18n();
	return tap_done();
}
