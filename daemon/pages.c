/*
 * pages: see pages.h. Every page is a frame (head, header with the
 * language switcher, the notice about the Safest level, footer) around its
 * own content. All words are English msgids translated by i18n and escaped
 * on the way out, so neither a translation nor a reporter can put markup
 * into a page: markup lives in this file only. Words may carry the
 * placeholders {1} and {2} (numbers, sizes, the deployment's help
 * contacts), filled in here. Numbers are written the way each language
 * writes them, and never break from their unit at the end of a line.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#include "fields.h"
#include "html.h"
#include "i18n.h"
#include "outcome.h"
#include "pages.h"
#include "pages_css.h"

/* Language names, each written in its own language. */
static const char *const lang_names[LANG_COUNT] = {
	"Français", "العربية", "English"
};

/* What a page tells its frame. */
struct frame {
	const char *route;	/* under /{lang}/: the switcher's target */
	int new_tab;		/* switching languages would lose this page */
	const char *title;	/* msgid */
	int error;		/* the title says "Error: " first */
};

/* One line of static content: a tag ("h2", "p", "li") and its words. */
struct block {
	const char *tag;
	const char *msgid;
};

#define NBLOCKS(b) (sizeof(b) / sizeof((b)[0]))

#define NBSP "\xc2\xa0"		/* U+00A0, between a number and its unit */
#define NNBSP "\xe2\x80\xaf"	/* U+202F, between French groups of digits */
#define NUMBER_MAX 48		/* 20 digits, 6 separators of 3 bytes, NUL */
#define SIZE_TEXT_MAX 96	/* a number, NBSP, a unit's translation */

/* Append a string that needs no escaping (markup, codes). */
static void
put(struct evbuffer *out, const char *s)
{
	evbuffer_add(out, s, strlen(s));
}

/*
 * Append the translation of msgid, escaped, with {1} and {2} replaced by
 * a1 and a2 (escaped too; NULL for none).
 */
static void
sayf(struct evbuffer *out, enum lang lang, const char *msgid,
    const char *a1, const char *a2)
{
	const char *s = i18n_text(lang, msgid);
	const char *p, *arg;

	while ((p = strchr(s, '{')) != NULL) {
		html_escape(out, s, (size_t)(p - s));
		if ((p[1] == '1' || p[1] == '2') && p[2] == '}') {
			arg = p[1] == '1' ? a1 : a2;
			html_escape_str(out, arg != NULL ? arg : "");
			s = p + 3;
		} else {
			html_escape(out, p, 1);
			s = p + 1;
		}
	}
	html_escape_str(out, s);
}

/* Append the translation of msgid, escaped. */
static void
say(struct evbuffer *out, enum lang lang, const char *msgid)
{
	sayf(out, lang, msgid, NULL, NULL);
}

/*
 * Write n in decimal into buf as the reader's language writes it: French
 * groups thousands with a narrow no-break space (10 000), English with a
 * comma (10,000); Arabic keeps Western digits, ungrouped (10000), as
 * Moroccan usage does.
 */
static const char *
number(char buf[NUMBER_MAX], enum lang lang, uint64_t n)
{
	static const char *const sep[LANG_COUNT] = {
		[LANG_FR] = NNBSP, [LANG_AR] = "", [LANG_EN] = ",",
	};
	char digits[24];
	size_t len = (size_t)snprintf(digits, sizeof(digits), "%" PRIu64, n);
	size_t o = 0, seplen = strlen(sep[lang]);

	for (size_t i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0) {
			memcpy(buf + o, sep[lang], seplen);
			o += seplen;
		}
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

/*
 * Write a size limit into buf in the reader's words: whole gigabytes when
 * exact, else megabytes or kilobytes rounded down (never overstating it).
 */
static const char *
size_text(char buf[SIZE_TEXT_MAX], enum lang lang, uint64_t bytes)
{
	static const struct {
		uint64_t unit;
		const char *msgid;
	} units[] = {
		/* TRANSLATORS: units of size, after a number. */
		{ 1 << 30, N_("GB") }, { 1 << 20, N_("MB") },
		{ 1 << 10, N_("KB") }, { 1, N_("bytes") },
	};
	char n[NUMBER_MAX];
	size_t i = 0;

	if (bytes % units[0].unit != 0) {
		for (i = 1; bytes < units[i].unit && units[i].unit > 1; i++)
			;
	}
	snprintf(buf, SIZE_TEXT_MAX, "%s" NBSP "%s",
	    number(n, lang, bytes / units[i].unit),
	    i18n_text(lang, units[i].msgid));
	return buf;
}

/* Append <tag>words</tag> for each block, grouping runs of "li" in <ul>. */
static void
blocks(struct evbuffer *out, enum lang lang, const struct block *b,
    size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int li = strcmp(b[i].tag, "li") == 0;

		if (li && (i == 0 || strcmp(b[i - 1].tag, "li") != 0))
			put(out, "<ul>\n");
		evbuffer_add_printf(out, "<%s>", b[i].tag);
		say(out, lang, b[i].msgid);
		evbuffer_add_printf(out, "</%s>\n", b[i].tag);
		if (li && (i + 1 == n || strcmp(b[i + 1].tag, "li") != 0))
			put(out, "</ul>\n");
	}
}

/* Append a link to /{lang}/route with the words msgid, of class cls. */
static void
anchor(struct evbuffer *out, enum lang lang, const char *route,
    const char *cls, const char *msgid)
{
	evbuffer_add_printf(out, "<a%s%s%s href=\"/%s/%s\">",
	    cls != NULL ? " class=\"" : "", cls != NULL ? cls : "",
	    cls != NULL ? "\"" : "", i18n_code(lang), route);
	say(out, lang, msgid);
	put(out, "</a>");
}

/*
 * Append the deployment's emergency and support contacts in lang, if it
 * set them: its own text, escaped like everything else.
 */
static void
help_contacts(struct evbuffer *out, const struct page_site *site,
    enum lang lang)
{
	const char *text = site->help_contacts[lang];

	if (text == NULL || *text == '\0')
		return;
	put(out, "<p class=\"contacts\">");
	/* TRANSLATORS: {1} is the deployment's own text (numbers, names). */
	sayf(out, lang, N_("Where to get help: {1}"), text, NULL);
	put(out, "</p>\n");
}

/* Append the language switcher: the same page in each offered language. */
static void
switcher(struct evbuffer *out, const struct page_site *site, enum lang lang,
    const struct frame *f)
{
	if (site->n_offered < 2)
		return;
	put(out, "<nav class=\"langs\" aria-label=\"");
	say(out, lang, N_("Language"));
	put(out, "\"><ul>\n");
	for (size_t i = 0; i < site->n_offered; i++) {
		enum lang l = site->offered[i];

		evbuffer_add_printf(out, "<li><a href=\"/%s/%s\" lang=\"%s\" "
		    "hreflang=\"%s\" dir=\"%s\"%s>%s</a></li>\n", i18n_code(l),
		    f->route, i18n_code(l), i18n_code(l),
		    i18n_rtl(l) ? "rtl" : "ltr", l == lang ?
		    " aria-current=\"true\"" : f->new_tab ?
		    " target=\"_blank\" rel=\"noopener noreferrer\"" : "",
		    lang_names[l]);
	}
	put(out, "</ul></nav>\n");
}

/* Append the <head>: title, the stylesheet, and the one for no script. */
static void
head(struct evbuffer *out, enum lang lang, const struct frame *f)
{
	evbuffer_add_printf(out, "<!DOCTYPE html>\n<html lang=\"%s\" "
	    "dir=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n"
	    "<meta name=\"referrer\" content=\"no-referrer\">\n"
	    "<meta name=\"robots\" content=\"noindex, nofollow\">\n<title>",
	    i18n_code(lang), i18n_rtl(lang) ? "rtl" : "ltr");
	if (f->error)
		/* TRANSLATORS: a page's title; {1} is the page's name. */
		sayf(out, lang, N_("Error: {1}"), i18n_text(lang, f->title),
		    NULL);
	else
		say(out, lang, f->title);
	put(out, " – ");
	say(out, lang, N_("Anonymous reporting"));
	put(out, "</title>\n<link rel=\"stylesheet\" href=\"/style.css\">\n"
	    "<noscript><link rel=\"stylesheet\" href=\"/noscript.css\">"
	    "</noscript>\n</head>\n");
}

/* Append everything before the page's own content, up to its <h1>. */
static void
frame_open(struct evbuffer *out, const struct page_site *site,
    enum lang lang, const struct frame *f)
{
	head(out, lang, f);
	put(out, "<body>\n<a class=\"skip\" href=\"#main\">");
	say(out, lang, N_("Skip to the content"));
	put(out, "</a>\n<header class=\"top\"><div class=\"bar\">\n");
	anchor(out, lang, "", "brand", N_("Anonymous reporting"));
	put(out, "\n");
	switcher(out, site, lang, f);
	put(out, "</div></header>\n<p class=\"js-notice\">");
	/* The steps are those of Tor Browser's manual (security-settings). */
	say(out, lang, N_("Scripts are turned on in your browser. For your "
	    "safety, set Tor Browser to the Safest security level: click the "
	    "shield icon next to the address bar, then Settings, then Change; "
	    "choose Safest, then save and restart. This site works fully "
	    "without scripts."));
	put(out, "</p>\n<main id=\"main\">\n<h1>");
	say(out, lang, f->title);
	put(out, "</h1>\n");
}

/* Append everything after the page's own content. */
static void
frame_close(struct evbuffer *out, enum lang lang)
{
	static const struct {
		const char *route;
		const char *msgid;
	} nav[] = {
		{ "", N_("Home") },
		{ "report", N_("Make a report") },
		{ "status", N_("Check a report") },
		{ "safety", N_("How to stay safe") },
	};

	put(out, "</main>\n<footer class=\"foot\">\n<nav aria-label=\"");
	say(out, lang, N_("Site"));
	put(out, "\"><ul>\n");
	for (size_t i = 0; i < NBLOCKS(nav); i++) {
		put(out, "<li>");
		anchor(out, lang, nav[i].route, NULL, nav[i].msgid);
		put(out, "</li>\n");
	}
	put(out, "</ul></nav>\n<p>");
	say(out, lang, N_("This site uses no scripts, no cookies and nothing "
	    "from other sites. It keeps no record of visitors."));
	put(out, "</p>\n</footer>\n</body>\n</html>\n");
}

void
pages_landing(struct evbuffer *out, const struct page_site *site,
    enum lang lang)
{
	static const struct frame f = { "", 0,
	    N_("Report images and videos of child sexual abuse found online"),
	    0 };
	static const struct block intro[] = {
		{ "p", N_("If you have come across images or videos of child "
		    "sexual abuse on the internet, you can report them here, "
		    "anonymously. All you need to give is the address where "
		    "you saw them.") },
	};
	static const struct block what[] = {
		{ "h2", N_("What to report") },
		{ "li", N_("Images or videos showing the sexual abuse of a "
		    "child (anyone under 18).") },
		{ "li", N_("Sexual images of a child that the child was "
		    "pressured, tricked or blackmailed into sharing "
		    "(sextortion), including images the child took of "
		    "themselves.") },
		{ "li", N_("Other content that sexualises children.") },
		{ "p", N_("If a child is in immediate danger, contact the "
		    "police or emergency services now.") },
	};
	static const struct block next[] = {
		{ "h2", N_("What happens next") },
		{ "p", N_("Your report is encrypted as soon as it arrives. "
		    "Only trained analysts hold the key to read it. They "
		    "check the address and, when the material is illegal, "
		    "work to have it removed and inform the police.") },
		{ "p", N_("You will get a receipt. With it, you can check on "
		    "the status page whether the analysts have taken your "
		    "report.") },
		{ "h2", N_("How your anonymity is protected") },
		{ "li", N_("We do not ask for your name, e-mail address or "
		    "phone number.") },
		{ "li", N_("This site is an onion service: it cannot see who "
		    "you are or where you connect from.") },
		{ "li", N_("The server keeps no record of visitors and uses no "
		    "cookies and no scripts.") },
		{ "li", N_("Only the analysts can read your report; not even "
		    "this server can.") },
	};

	frame_open(out, site, lang, &f);
	blocks(out, lang, intro, NBLOCKS(intro));
	put(out, "<div class=\"warning\">\n<h2>");
	say(out, lang, N_("Do not download, screenshot or share the "
	    "material"));
	put(out, "</h2>\n<p>");
	say(out, lang, N_("Do not download, screenshot, copy or forward the "
	    "images or videos, not even to report them: it is illegal and it "
	    "spreads the harm. Give the address (URL) where you saw them; "
	    "that is enough."));
	put(out, "</p>\n</div>\n<p>");
	anchor(out, lang, "report", "button", N_("Make a report"));
	put(out, "</p>\n");
	blocks(out, lang, what, NBLOCKS(what));
	help_contacts(out, site, lang);
	blocks(out, lang, next, NBLOCKS(next));
	put(out, "<p>");
	anchor(out, lang, "safety", NULL, N_("How to stay safe while reporting"));
	put(out, "</p>\n");
	frame_close(out, lang);
}

/* A problem with a submitted form: its bit, its field, its words. */
static const struct problem {
	unsigned bit;
	const char *field;	/* the field's id, or NULL for the whole form */
	const char *msgid;	/* {1}: see problem_arg() */
} problems[] = {
	{ FORM_ERR_NOTHING, FIELD_URLS,
	    N_("Give at least one address or a description.") },
	{ FORM_ERR_URL_INVALID, FIELD_URLS,
	    /* TRANSLATORS: {1} is a line number in the list of addresses. */
	    N_("Line {1} is not a web address. Addresses start with http or "
	    "https; onion addresses are accepted.") },
	{ FORM_ERR_URLS_TOO_MANY, FIELD_URLS,
	    /* TRANSLATORS: {1} is a number, here and in the next two. */
	    N_("Too many addresses: give at most {1}.") },
	{ FORM_ERR_URL_TOO_LONG, FIELD_URLS,
	    N_("An address is too long: at most {1} characters each.") },
	{ FORM_ERR_CATEGORY, FIELD_CATEGORY,
	    N_("Choose one of the types of content listed.") },
	{ FORM_ERR_SEEN_ON, FIELD_SEEN_ON,
	    N_("Choose one of the places listed.") },
	{ FORM_ERR_DESCRIPTION_TOO_LONG, FIELD_DESCRIPTION,
	    N_("The description is too long: at most {1} characters.") },
	{ FORM_ERR_ENCODING, NULL,
	    N_("Some characters could not be read. Check your text and send "
	    "the report again.") },
	{ FORM_ERR_EXPIRED, NULL,
	    N_("The form had expired, so nothing was stored. Your text is "
	    "still below: check it and send the report again.") },
	{ FORM_ERR_REJECTED, NULL,
	    N_("The report could not be accepted. Please send it again.") },
};

/*
 * The limits in characters: their byte limits hold this many characters
 * of any of our languages (Arabic letters take two bytes), so the pages
 * never promise more than the form takes.
 */
#define DESCRIPTION_CHARS (FIELDS_DESCRIPTION_MAX / 2)
#define URL_CHARS (FIELDS_URL_MAX / 2)

/* The number a problem's words mention, if any. */
static uint64_t
problem_arg(const struct problem *p, const struct form_view *view)
{
	switch (p->bit) {
	case FORM_ERR_URL_INVALID:
		return view->bad_url_line;
	case FORM_ERR_URLS_TOO_MANY:
		return FIELDS_URLS_MAX;
	case FORM_ERR_URL_TOO_LONG:
		return URL_CHARS;
	case FORM_ERR_DESCRIPTION_TOO_LONG:
		return DESCRIPTION_CHARS;
	default:
		return 0;
	}
}

/* Append the words of problem p. */
static void
problem_say(struct evbuffer *out, enum lang lang, const struct problem *p,
    const struct form_view *view)
{
	char n[NUMBER_MAX];

	sayf(out, lang, p->msgid, number(n, lang, problem_arg(p, view)), NULL);
}

/* 1 if the view has a problem with the field whose id is id. */
static int
field_in_error(const struct form_view *view, const char *id)
{
	for (size_t i = 0; i < NBLOCKS(problems); i++) {
		if ((view->errors & problems[i].bit) &&
		    problems[i].field != NULL &&
		    strcmp(problems[i].field, id) == 0)
			return 1;
	}
	return 0;
}

/* Append the list of problems at the top of the form, linked to fields. */
static void
error_summary(struct evbuffer *out, enum lang lang,
    const struct form_view *view)
{
	put(out, "<div class=\"error-summary\" role=\"alert\" "
	    "aria-labelledby=\"error-summary-title\">\n"
	    "<h2 id=\"error-summary-title\">");
	say(out, lang, N_("Please check your report"));
	put(out, "</h2>\n<ul>\n");
	for (size_t i = 0; i < NBLOCKS(problems); i++) {
		const struct problem *p = &problems[i];

		if (!(view->errors & p->bit))
			continue;
		put(out, "<li>");
		if (p->field != NULL)
			evbuffer_add_printf(out, "<a href=\"#%s\">", p->field);
		problem_say(out, lang, p, view);
		put(out, p->field != NULL ? "</a></li>\n" : "</li>\n");
	}
	put(out, "</ul>\n</div>\n");
}

/* A labelled form field. */
struct field {
	const char *id;		/* the control's id and its name */
	const char *label;	/* msgid */
	const char *hint;	/* msgid or NULL; {1} and {2} are a1, a2 */
	const char *a1, *a2;
};

/*
 * Append the start of a field: its label, its hint and, next to it, what
 * is wrong with it. The caller appends the control, then field_close().
 */
static void
field_open(struct evbuffer *out, enum lang lang,
    const struct form_view *view, const struct field *fd)
{
	evbuffer_add_printf(out, "<div class=\"field%s\">\n<label for=\"%s\">",
	    field_in_error(view, fd->id) ? " invalid" : "", fd->id);
	say(out, lang, fd->label);
	put(out, "</label>\n");
	if (fd->hint != NULL) {
		evbuffer_add_printf(out, "<p class=\"hint\" id=\"%s-hint\">",
		    fd->id);
		sayf(out, lang, fd->hint, fd->a1, fd->a2);
		put(out, "</p>\n");
	}
	if (!field_in_error(view, fd->id))
		return;
	evbuffer_add_printf(out, "<p class=\"field-error\" id=\"%s-error\">",
	    fd->id);
	for (size_t i = 0; i < NBLOCKS(problems); i++) {
		if ((view->errors & problems[i].bit) &&
		    problems[i].field != NULL &&
		    strcmp(problems[i].field, fd->id) == 0) {
			put(out, "<span>");
			problem_say(out, lang, &problems[i], view);
			put(out, "</span> ");
		}
	}
	put(out, "</p>\n");
}

/* Append the attributes tying a control to its label, hint and errors. */
static void
field_attrs(struct evbuffer *out, const struct form_view *view,
    const struct field *fd)
{
	int bad = field_in_error(view, fd->id);

	evbuffer_add_printf(out, " id=\"%s\" name=\"%s\"", fd->id, fd->id);
	if (fd->hint != NULL || bad) {
		evbuffer_add_printf(out, " aria-describedby=\"%s%s%s%s%s\"",
		    fd->hint != NULL ? fd->id : "",
		    fd->hint != NULL ? "-hint" : "",
		    fd->hint != NULL && bad ? " " : "",
		    bad ? fd->id : "", bad ? "-error" : "");
	}
	if (bad)
		put(out, " aria-invalid=\"true\"");
}

/* Append a textarea field holding value; attrs are extra attributes. */
static void
textarea_field(struct evbuffer *out, enum lang lang,
    const struct form_view *view, const struct field *fd, const char *attrs,
    const char *value, size_t len)
{
	field_open(out, lang, view, fd);
	put(out, "<textarea");
	field_attrs(out, view, fd);
	/* The newline keeps a first empty line typed by the reporter. */
	evbuffer_add_printf(out, " %s>\n", attrs);
	html_escape(out, value != NULL ? value : "", len);
	put(out, "</textarea>\n</div>\n");
}

/* Append a select field of options, with value chosen if it is one. */
static void
select_field(struct evbuffer *out, enum lang lang,
    const struct form_view *view, const struct field *fd,
    const struct field_option *opts, size_t n, const char *value)
{
	field_open(out, lang, view, fd);
	put(out, "<select");
	field_attrs(out, view, fd);
	put(out, ">\n<option value=\"\">");
	say(out, lang, N_("Choose (optional)"));
	put(out, "</option>\n");
	for (size_t i = 0; i < n; i++) {
		put(out, "<option value=\"");
		html_escape_str(out, opts[i].value);
		put(out, value != NULL && strcmp(value, opts[i].value) == 0 ?
		    "\" selected>" : "\">");
		say(out, lang, opts[i].msgid);
		put(out, "</option>\n");
	}
	put(out, "</select>\n</div>\n");
}

/* Append the file input, for a server that takes attachments. */
static void
attachment_field(struct evbuffer *out, const struct page_site *site,
    enum lang lang, const struct form_view *view)
{
	char each[SIZE_TEXT_MAX], all[SIZE_TEXT_MAX];
	/*
	 * Sending the abuse material is illegal, even to a hotline: the hint
	 * says so in the landing page's words and names what helps instead.
	 */
	const struct field fd = { FIELD_ATTACHMENT, N_("Files (optional)"),
	    /* TRANSLATORS: {1} and {2} are sizes, such as "64 MB". */
	    N_("Never attach images or videos of abuse, not even to report "
	    "them: sending them is illegal, even to us. Attach only files "
	    "that show no abuse, for example screenshots of messages from "
	    "someone threatening or grooming a child, or of a page that shows "
	    "no abuse. At most {1} per file and {2} for the whole report."),
	    size_text(each, lang, site->max_attachment_size),
	    size_text(all, lang, site->max_report_size) };

	field_open(out, lang, view, &fd);
	put(out, "<input type=\"file\" multiple");
	field_attrs(out, view, &fd);
	put(out, ">\n");
	if (view != NULL && view->errors != 0) {
		put(out, "<p class=\"hint\">");
		say(out, lang, N_("Files are not kept when the form comes back "
		    "with errors: choose them again."));
		put(out, "</p>\n");
	}
	put(out, "</div>\n");
}

/* Append the field people never see and bots fill in. */
static void
honeypot(struct evbuffer *out, enum lang lang)
{
	put(out, "<div class=\"hp\" aria-hidden=\"true\">\n<label for=\""
	    FIELD_HONEYPOT "\">");
	say(out, lang, N_("Leave this field empty"));
	put(out, "</label>\n<input type=\"text\" id=\"" FIELD_HONEYPOT "\" "
	    "name=\"" FIELD_HONEYPOT "\" value=\"\" tabindex=\"-1\" "
	    "autocomplete=\"off\">\n</div>\n");
}

/* Append the report form's fields, holding what view holds. */
static void
form_fields(struct evbuffer *out, const struct page_site *site,
    enum lang lang, const struct form_view *view)
{
	char nurls[NUMBER_MAX], nchars[NUMBER_MAX], ndesc[NUMBER_MAX];
	const struct field urls = { FIELD_URLS, N_("Addresses (URLs)"),
	    /* TRANSLATORS: {1} and {2} are numbers. */
	    N_("One address per line, at most {1} addresses of {2} characters "
	    "each. Addresses start with http or https; onion addresses are "
	    "accepted."), number(nurls, lang, FIELDS_URLS_MAX),
	    number(nchars, lang, URL_CHARS) };
	const struct field category = { FIELD_CATEGORY,
	    N_("What did you see?"), NULL, NULL, NULL };
	const struct field seen_on = { FIELD_SEEN_ON,
	    N_("Where did you see it?"), NULL, NULL, NULL };
	const struct field description = { FIELD_DESCRIPTION,
	    N_("Description (optional)"),
	    /* TRANSLATORS: {1} is a number. */
	    N_("In your own words: what you saw and how you got there. Do not "
	    "write your name or anything that identifies you. At most {1} "
	    "characters."), number(ndesc, lang, DESCRIPTION_CHARS), NULL };

	textarea_field(out, lang, view, &urls, "rows=\"4\" dir=\"ltr\" "
	    "inputmode=\"url\" spellcheck=\"false\" autocapitalize=\"off\" "
	    "autocomplete=\"off\"", view->urls, view->urls_len);
	select_field(out, lang, view, &category, fields_categories,
	    fields_ncategories, view->category);
	select_field(out, lang, view, &seen_on, fields_seen_on,
	    fields_nseen_on, view->seen_on);
	textarea_field(out, lang, view, &description, "rows=\"8\" "
	    "dir=\"auto\" autocomplete=\"off\"", view->description,
	    view->description_len);
	if (site->attachments)
		attachment_field(out, site, lang, view);
	honeypot(out, lang);
}

/* What the follow-up form is for, above it (status page, errors page). */
static const char *const follow_up_intro = N_("Add what you know: another "
    "address where you saw the material, or what the analysts asked for. "
    "Nothing here asks who you are.");

/*
 * Append a report's form, holding what v holds: the report form, or the
 * follow-up form of the receipt in v (its hidden input, its own target).
 */
static void
report_form(struct evbuffer *out, const struct page_site *site,
    enum lang lang, const struct form_view *v)
{
	int follow_up = v->receipt != NULL;

	evbuffer_add_printf(out, "<form%s method=\"post\" "
	    "action=\"/%s/%s\" accept-charset=\"UTF-8\" enctype=\"%s\">\n"
	    "<input type=\"hidden\" name=\"" FIELD_TOKEN "\" value=\"",
	    follow_up ? " id=\"follow-up\"" : "", i18n_code(lang),
	    follow_up ? "follow-up" : "report", site->attachments ?
	    "multipart/form-data" : "application/x-www-form-urlencoded");
	html_escape_str(out, v->token != NULL ? v->token : "");
	put(out, "\">\n");
	if (follow_up) {
		put(out, "<input type=\"hidden\" name=\"" FIELD_RECEIPT "\" "
		    "value=\"");
		html_escape(out, v->receipt, v->receipt_len);
		put(out, "\">\n");
	}
	form_fields(out, site, lang, v);
	put(out, "<p class=\"hint\">");
	say(out, lang, follow_up ? N_("Sending can take a while over Tor. "
	    "Please wait for the answer and do not send it twice.") :
	    N_("Sending can take a while over Tor. Please wait for the "
	    "receipt and do not send the report twice."));
	put(out, "</p>\n<button type=\"submit\">");
	say(out, lang, follow_up ? N_("Add to the report") :
	    N_("Send the report"));
	put(out, "</button>\n</form>\n");
}

void
pages_form(struct evbuffer *out, const struct page_site *site,
    enum lang lang, const struct form_view *view)
{
	static const struct form_view empty = { .category = "",
	    .seen_on = "" };
	const struct form_view *v = view != NULL ? view : &empty;
	int follow_up = v->receipt != NULL;
	const struct frame f = { follow_up ? "status" : "report",
	    v->errors != 0, follow_up ? N_("Add to your report") :
	    N_("Make a report"), v->errors != 0 };

	frame_open(out, site, lang, &f);
	if (v->errors)
		error_summary(out, lang, v);
	put(out, "<p>");
	say(out, lang, follow_up ? follow_up_intro : N_("Every field is "
	    "optional, but give at least an address or a description. "
	    "Nothing here asks who you are."));
	put(out, "</p>\n");
	report_form(out, site, lang, v);
	frame_close(out, lang);
}

void
pages_receipt(struct evbuffer *out, const struct page_site *site,
    enum lang lang, const char *receipt)
{
	static const struct frame f = { "", 1,
	    N_("Thank you: your report has been received"), 0 };
	static const struct block keep[] = {
		{ "h2", N_("Why keep it") },
		{ "p", N_("The receipt is the only link between you and your "
		    "report: we do not know who you are, so we cannot look it "
		    "up for you. Write it down, on paper or somewhere private. "
		    "Anyone who has it can see what became of the report, and "
		    "nothing more.") },
		{ "h2", N_("How to use it") },
		{ "p", N_("Later, open the status page and enter the receipt. "
		    "It tells you whether the analysts have taken your "
		    "report.") },
	};

	frame_open(out, site, lang, &f);
	put(out, "<p>");
	say(out, lang, N_("Your report is stored, encrypted. This is your "
	    "receipt:"));
	/* Exactly <code id="receipt">: INTERFACE.md's marker, matched as is. */
	put(out, "</p>\n<p class=\"receipt\" dir=\"ltr\"><code id=\"receipt\">");
	html_escape_str(out, receipt != NULL ? receipt : "");
	put(out, "</code></p>\n");
	blocks(out, lang, keep, NBLOCKS(keep));
	put(out, "<p>");
	anchor(out, lang, "status", NULL, N_("Go to the status page"));
	put(out, "</p>\n<p>");
	say(out, lang, N_("Nothing else is needed from you. Seeing such "
	    "material is upsetting; it is not your fault. Talking to someone "
	    "you trust can help."));
	put(out, "</p>\n");
	help_contacts(out, site, lang);
	frame_close(out, lang);
}

/* What a report's status says: its class, its heading and its words. */
struct status_text {
	const char *cls;
	const char *title;
	const char *text;
};

/* Before any outcome: what the store knows. */
static const struct status_text store_texts[] = {
	[STORE_STATUS_UNKNOWN] = { "unknown",
	    N_("No report found"),
	    N_("No report matches this receipt. Check that you typed "
	    "it exactly as it was given, then try again.") },
	[STORE_STATUS_WAITING] = { "waiting",
	    N_("Received, waiting for the analysts"),
	    N_("Your report is stored on the server, encrypted. The "
	    "analysts have not taken it yet; they do so regularly. "
	    "You can check again later.") },
	[STORE_STATUS_EXPORTED] = { "taken",
	    N_("Taken by the analysts"),
	    N_("The analysts have taken your report: it is now with "
	    "the people who assess it and act on it. Thank you for "
	    "reporting.") },
	[STORE_STATUS_PURGED] = { "taken",
	    N_("Taken by the analysts, then deleted from this server"),
	    N_("The analysts have taken your report, and it has since "
	    "been deleted from this server. Thank you for "
	    "reporting.") },
};

/* What the analysts said (enum outcome_status). */
static const struct status_text outcome_texts[] = {
	[OUTCOME_IN_REVIEW] = { "taken",
	    N_("Being reviewed"),
	    N_("The analysts are looking at your report now. You can check "
	    "again later.") },
	[OUTCOME_ACTIONED] = { "done",
	    N_("Action taken"),
	    N_("The analysts checked your report. The content was reported "
	    "for removal or passed to the police. Thank you for "
	    "reporting.") },
	[OUTCOME_NOT_ILLEGAL] = { "done",
	    N_("Checked: not illegal"),
	    N_("The analysts checked your report and found nothing illegal "
	    "that they can act on. You were right to tell us when in doubt. "
	    "Thank you for reporting.") },
	[OUTCOME_ALREADY_KNOWN] = { "done",
	    N_("Already known"),
	    N_("The analysts already knew about this content and are "
	    "dealing with it. Thank you for reporting.") },
	[OUTCOME_UNREACHABLE] = { "done",
	    N_("The address could not be reached"),
	    N_("The analysts could not reach the address you gave: the page "
	    "may have been removed or moved. Thank you for reporting.") },
	[OUTCOME_NEED_INFORMATION] = { "asked",
	    N_("The analysts need more information"),
	    N_("The analysts need more information about your report.") },
};

/* need-information's words when the follow-up form is on the page. */
static const char *const asked_with_form = N_("The analysts need more "
    "information: you can add to your report below.");

/* The words for entry e: its outcome's, else the store's. */
static const struct status_text *
status_text(const struct store_entry *e)
{
	if (e->outcome > OUTCOME_NONE && e->outcome < NBLOCKS(outcome_texts))
		return &outcome_texts[e->outcome];
	if ((size_t)e->status < NBLOCKS(store_texts))
		return &store_texts[e->status];
	return &store_texts[STORE_STATUS_UNKNOWN];
}

/* Write day (days since 1970-01-01) as 2026-12-03: the same in every
 * language, and read left to right in Arabic as well. */
static const char *
day_text(char buf[16], uint32_t day)
{
	time_t t = (time_t)day * 86400;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, 16, "%Y-%m-%d", &tm) == 0)
		buf[0] = '\0';
	return buf;
}

/* Append what became of the report (or that none was found), in the
 * element id="status". */
static void
status_result(struct evbuffer *out, enum lang lang,
    const struct status_view *v)
{
	const struct store_entry *e = v->c->n > 0 ? &v->c->e[0] : NULL;
	const struct status_text *t = e != NULL ? status_text(e) :
	    &store_texts[STORE_STATUS_UNKNOWN];
	char day[16];

	evbuffer_add_printf(out, "<div id=\"status\" class=\"status %s\" "
	    "role=\"status\">\n<h2>", t->cls);
	say(out, lang, t->title);
	put(out, "</h2>\n<p>");
	say(out, lang, t == &outcome_texts[OUTCOME_NEED_INFORMATION] &&
	    v->follow_up != NULL ? asked_with_form : t->text);
	put(out, "</p>\n");
	if (e != NULL && e->outcome != OUTCOME_NONE && e->outcome_day != 0) {
		put(out, "<p class=\"day\">");
		/* TRANSLATORS: {1} is a date, such as 2026-12-03. */
		sayf(out, lang, N_("Updated on {1}."),
		    day_text(day, e->outcome_day), NULL);
		put(out, "</p>\n");
	}
	put(out, "</div>\n");
}

/* Append a message from the analysts, as text; id is NULL but for the
 * first report's. The direction follows the message's own letters. */
static void
message(struct evbuffer *out, const struct page_text *m, const char *id)
{
	if (m->p == NULL)
		return;
	evbuffer_add_printf(out, "<div%s%s%s class=\"message\" dir=\"auto\">",
	    id != NULL ? " id=\"" : "", id != NULL ? id : "",
	    id != NULL ? "\"" : "");
	html_escape(out, m->p, m->len);
	put(out, "</div>\n");
}

/* Append the follow-ups: each one's day, its status and its message. */
static void
follow_ups(struct evbuffer *out, enum lang lang, const struct status_view *v)
{
	char day[16];

	if (v->c->n < 2)
		return;
	put(out, "<h2>");
	say(out, lang, N_("What you added"));
	put(out, "</h2>\n<ul id=\"follow-ups\" class=\"follow-ups\">\n");
	for (size_t i = 1; i < v->c->n; i++) {
		const struct store_entry *e = &v->c->e[i];

		put(out, "<li><p>");
		if (e->received_day != 0)
			/* TRANSLATORS: {1} is a date, {2} a status. */
			sayf(out, lang, N_("Added on {1}: {2}"),
			    day_text(day, e->received_day),
			    i18n_text(lang, status_text(e)->title));
		else
			/* TRANSLATORS: {1} is a status. */
			sayf(out, lang, N_("Added: {1}"),
			    i18n_text(lang, status_text(e)->title), NULL);
		put(out, "</p>\n");
		message(out, &v->message[i], NULL);
		put(out, "</li>\n");
	}
	put(out, "</ul>\n");
}

/* Append everything a lookup found: status, message, follow-ups, form. */
static void
status_found(struct evbuffer *out, const struct page_site *site,
    enum lang lang, const struct status_view *v)
{
	status_result(out, lang, v);
	if (v->c->n == 0)
		return;
	if (v->message[0].p != NULL) {
		put(out, "<h2>");
		say(out, lang, N_("Message from the analysts"));
		put(out, "</h2>\n");
		message(out, &v->message[0], "message");
	}
	follow_ups(out, lang, v);
	if (v->follow_up != NULL) {
		put(out, "<h2>");
		say(out, lang, N_("Add to your report"));
		put(out, "</h2>\n<p>");
		say(out, lang, follow_up_intro);
		put(out, "</p>\n");
		report_form(out, site, lang, v->follow_up);
	}
	put(out, "<h2>");
	say(out, lang, N_("Check a receipt"));
	put(out, "</h2>\n");
}

void
pages_status(struct evbuffer *out, const struct page_site *site,
    enum lang lang, const struct status_view *view)
{
	static const struct frame f = { "status", 0,
	    N_("Check what became of your report"), 0 };
	static const struct form_view none = { .category = "" };
	static const struct field receipt = { "receipt-input",
	    N_("Your receipt"), N_("Type it exactly as it was given."),
	    NULL, NULL };

	frame_open(out, site, lang, &f);
	if (view != NULL)
		status_found(out, site, lang, view);
	evbuffer_add_printf(out, "<form method=\"post\" action=\"/%s/status\" "
	    "accept-charset=\"UTF-8\">\n", i18n_code(lang));
	field_open(out, lang, &none, &receipt);
	evbuffer_add_printf(out, "<input type=\"text\" id=\"%s\" name=\"%s\" "
	    "aria-describedby=\"%s-hint\" dir=\"ltr\" maxlength=\"%d\" "
	    "required autocomplete=\"off\" spellcheck=\"false\" "
	    "autocapitalize=\"off\">\n</div>\n<button type=\"submit\">",
	    receipt.id, FIELD_RECEIPT, receipt.id, FIELDS_RECEIPT_MAX);
	say(out, lang, N_("Check"));
	put(out, "</button>\n</form>\n");
	frame_close(out, lang);
}

void
pages_follow_up(struct evbuffer *out, const struct page_site *site,
    enum lang lang, int accepted)
{
	static const struct frame done = { "status", 1,
	    N_("Thank you: what you added has been received"), 0 };
	static const struct frame refused = { "status", 0,
	    N_("This follow-up could not be accepted"), 1 };

	frame_open(out, site, lang, accepted ? &done : &refused);
	put(out, "<p>");
	say(out, lang, accepted ? N_("It is stored, encrypted, with your "
	    "report. Your receipt stays the same: keep it, and use it on the "
	    "status page as before.") : N_("Nothing was stored. Open the "
	    "status page and enter your receipt exactly as it was given: when "
	    "adding to a report is possible, the form is on that page."));
	put(out, "</p>\n<p>");
	anchor(out, lang, "status", accepted ? NULL : "button",
	    N_("Go to the status page"));
	put(out, "</p>\n");
	if (accepted)
		help_contacts(out, site, lang);
	frame_close(out, lang);
}

void
pages_safety(struct evbuffer *out, const struct page_site *site,
    enum lang lang)
{
	static const struct frame f = { "safety", 0, N_("How to stay safe"),
	    0 };
	static const struct block advice[] = {
		{ "li", N_("Use Tor Browser at the Safest security level: click "
		    "the shield icon next to the address bar, then Settings, "
		    "then Change; choose Safest, then save and restart. This "
		    "site works fully that way.") },
		{ "li", N_("Do not report from a work or school device, or from "
		    "a device that someone else controls or can check.") },
		{ "li", N_("Do not download, screenshot, save or share the "
		    "material. Giving the address (URL) of the page is "
		    "enough.") },
		{ "li", N_("Do not write your name, contact details or anything "
		    "that identifies you in the report.") },
		{ "li", N_("Close Tor Browser when you have finished: it "
		    "forgets this visit.") },
		{ "li", N_("If you or a child are in danger, contact the police "
		    "or emergency services.") },
		{ "li", N_("Seeing such material is upsetting, and it is not "
		    "your fault. Talking to someone you trust, or to a support "
		    "service, can help.") },
	};

	frame_open(out, site, lang, &f);
	blocks(out, lang, advice, NBLOCKS(advice));
	help_contacts(out, site, lang);
	put(out, "<p>");
	anchor(out, lang, "report", "button", N_("Make a report"));
	put(out, "</p>\n");
	frame_close(out, lang);
}

/* What an error page says, by HTTP status. */
static const struct error_text {
	int status;
	const char *title;
	const char *text;
	int retry;		/* link back to the report form */
} errors[] = {
	{ 400, N_("The request could not be read"),
	    N_("Something your browser sent could not be understood, so "
	    "nothing was stored. Please go back to the form and try again."),
	    1 },
	{ 404, N_("Page not found"),
	    N_("This page does not exist. Check the address, or start again "
	    "from the home page."), 0 },
	{ 405, N_("This page cannot be used that way"),
	    N_("Your browser asked for this page in a way it does not "
	    "support. Start again from the home page."), 0 },
	{ 411, N_("The size of the request is missing"),
	    N_("Your browser did not say how much it was sending, so nothing "
	    "was stored. Please try again."), 1 },
	{ 413, N_("The report is too large"),
	    /* TRANSLATORS: {1} is a size, such as "256 MB". */
	    N_("Your report is larger than this server accepts: at most {1} "
	    "in all. Nothing was stored. Please send it again with fewer or "
	    "smaller files, or with none: the address (URL) where you saw the "
	    "material is enough."),
	    1 },
	{ 414, N_("The address is too long"),
	    N_("The address of the page you asked for is too long. Start "
	    "again from the home page."), 0 },
	{ 429, N_("Too many requests"),
	    N_("Too many reports or checks came through your connection in a "
	    "short time. Please wait a while and try again later. If you "
	    "were sending a report, it was not stored."), 1 },
	{ 431, N_("The request is too large"),
	    N_("Your browser sent more information than this server accepts. "
	    "Please try again, or restart Tor Browser."), 0 },
	{ 500, N_("Something went wrong on the server"),
	    N_("The server could not finish your request. If you were "
	    "sending a report, it was not stored. Please try again later."),
	    1 },
	{ 501, N_("Not supported"),
	    N_("This server does not support what your browser asked for. "
	    "Start again from the home page."), 0 },
	{ 503, N_("The service is not available right now"),
	    N_("The server cannot accept reports at the moment, and nothing "
	    "was stored. Please try again later."), 1 },
	{ 505, N_("Not supported"),
	    N_("Your browser used a version of the web's protocol that this "
	    "server does not support. Please try again with Tor Browser."),
	    0 },
};

/* The words for http_status; those for 500 if it has none of its own. */
static const struct error_text *
error_text(int http_status)
{
	const struct error_text *fallback = NULL;

	for (size_t i = 0; i < NBLOCKS(errors); i++) {
		if (errors[i].status == http_status)
			return &errors[i];
		if (errors[i].status == 500)
			fallback = &errors[i];
	}
	return fallback;
}

void
pages_error(struct evbuffer *out, const struct page_site *site,
    enum lang lang, int http_status)
{
	const struct error_text *e = error_text(http_status);
	const struct frame f = { "", 0, e->title, 0 };
	char size[SIZE_TEXT_MAX], code[NUMBER_MAX];

	frame_open(out, site, lang, &f);
	put(out, "<p>");
	sayf(out, lang, e->text, size_text(size, lang, site->max_report_size),
	    NULL);
	put(out, "</p>\n<p class=\"hint\">");
	/* TRANSLATORS: {1} is an HTTP status code, such as 404. */
	sayf(out, lang, N_("Error code: {1}"),
	    number(code, lang, (uint64_t)e->status), NULL);
	put(out, "</p>\n<p class=\"actions\">");
	if (e->retry)
		anchor(out, lang, "report", "button", N_("Back to the report "
		    "form"));
	anchor(out, lang, "", NULL, N_("Home"));
	put(out, "</p>\n");
	frame_close(out, lang);
}

const char *
pages_stylesheet(size_t *len)
{
	*len = pages_css_style_len;
	return pages_css_style;
}

const char *
pages_noscript_stylesheet(size_t *len)
{
	*len = pages_css_noscript_len;
	return pages_css_noscript;
}
