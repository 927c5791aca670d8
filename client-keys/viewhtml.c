/*
 * viewhtml: see viewhtml.h. The pages are plain documents: no form, no
 * script, no inline style (the policy's style-src 'self' forbids it), one
 * stylesheet; every piece of text that is not this file's own goes
 * through text() or viewhtml_encode.
 */
#include <string.h>

#include "deskout.h"
#include "greypng.h"
#include "viewhtml.h"

/* The longest name a card shows, in bytes (the page shows it whole). */
#define CARD_NAME_MAX 80

static const char css[] =
    "body { font-family: sans-serif; margin: 1.5em; color: #111;"
    " background: #f4f4f4; }\n"
    ".note { max-width: 52em; }\n"
    ".sheet { list-style: none; padding: 0; display: flex;"
    " flex-wrap: wrap; gap: 1em; }\n"
    ".card { width: 176px; padding: 8px; background: #fff;"
    " border: 1px solid #bbb; }\n"
    ".pic { display: flex; flex-direction: column; align-items: center;"
    " justify-content: center; width: 160px; height: 160px;"
    " background: #ddd; color: #333; text-decoration: none; }\n"
    ".box { border: 2px dashed #777; padding: 1.5em .5em;"
    " font-size: 1.3em; text-align: center; }\n"
    ".known { background: #fde8e8; border: 3px solid #a00; color: #a00;"
    " font-weight: bold; text-align: center; box-sizing: border-box; }\n"
    ".known .list { font-size: 1.2em; }\n"
    ".name { font-family: monospace; word-break: break-all;"
    " margin: .4em 0 0; }\n"
    ".facts { color: #444; font-size: .9em; margin: .2em 0 0; }\n"
    ".flag { color: #a00; font-weight: bold; }\n"
    "table.facts th { text-align: left; padding-right: 1em;"
    " vertical-align: top; }\n"
    "td.mono { font-family: monospace; word-break: break-all; }\n"
    ".large { display: flex; align-items: center; justify-content: center;"
    " min-height: 160px; max-width: 50em; background: #ddd; }\n"
    ".banner { border: 3px solid #a00; background: #fde8e8; color: #a00;"
    " font-weight: bold; padding: .5em 1em; max-width: 50em; }\n"
    ".original { border: 2px solid #a00; background: #fff;"
    " padding: .2em 1em; max-width: 50em; margin-top: 1.5em; }\n";

/* Escaped text from the case file, at most max bytes of it. */
static void
text(FILE *f, const char *s, size_t max)
{
	deskout_html(f, s, strlen(s), max);
}

void
viewhtml_encode(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL)
			fputc(*p, f);
		else
			fprintf(f, "%%%02X", *p);
}

void
viewhtml_css(FILE *f)
{
	fputs(css, f);
}

/* The head of every page: the policy first, before anything it governs;
 * title is this file's own text. */
static void
head(FILE *f, const char *title, size_t n)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\""
	    VIEWHTML_CSP "\">\n"
	    "<meta name=\"referrer\" content=\"no-referrer\">\n<title>", f);
	fputs(title, f);
	if (n > 0)
		fprintf(f, " %zu", n);
	fputs("</title>\n<link rel=\"stylesheet\" href=\"" VIEWHTML_CSS
	    "\">\n</head>\n<body>\n", f);
}

/* A size for people: bytes, KiB, MiB or GiB. */
static void
size(FILE *f, int64_t n)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	int u = -1;

	if (n < 1024) {
		fprintf(f, "%lld bytes", (long long)n);
		return;
	}
	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	fprintf(f, "%.1f %s", v, units[u]);
}

/* The kind a placeholder names, from the sniffed type. */
static const char *
kind(const char *type)
{
	static const struct {
		const char *prefix, *label;
	} kinds[] = {
		{ "video/", "video" }, { "audio/", "audio" },
		{ "application/ogg", "audio or video" },
		{ "application/pdf", "PDF" }, { "application/zip", "archive" },
		{ "application/gzip", "archive" },
		{ "application/x-7z-compressed", "archive" },
		{ "application/vnd.rar", "archive" }, { "image/", "image" },
	};

	for (size_t i = 0; type != NULL && i < sizeof(kinds) / sizeof(kinds[0]);
	    i++)
		if (strncmp(type, kinds[i].prefix, strlen(kinds[i].prefix)) == 0)
			return kinds[i].label;
	return "file";
}

/* "known: LIST" and its grade, in the element the caller opened. */
static void
known_label(FILE *f, const struct viewhtml_att *a)
{
	fputs("<span class=\"list\">known: ", f);
	text(f, a->list, 64);
	fputs("</span>", f);
	if (a->grade != NULL) {
		fputs("<span>grade ", f);
		text(f, a->grade, 32);
		fputs("</span>", f);
	}
}

/* What stands for the picture: thumbnail, known flag or placeholder. */
static void
picture(FILE *f, const struct viewhtml_att *a, const char *dir, uint32_t k)
{
	switch (a->show) {
	case VIEWHTML_PREVIEW:
		fprintf(f, "<img src=\"%s/%zu.png\" width=\"%u\" height=\"%u\" "
		    "alt=\"a blurred grey preview\">", dir, a->n, a->tw * k,
		    a->th * k);
		break;
	case VIEWHTML_KNOWN:
		known_label(f, a);
		break;
	case VIEWHTML_PLACEHOLDER:
		fprintf(f, "<span class=\"box\">%s</span>", kind(a->type));
		break;
	}
}

void
viewhtml_index_begin(FILE *f, const char *dir)
{
	head(f, "Contact sheet", 0);
	fputs("<h1>Contact sheet: ", f);
	text(f, dir, DESKOUT_ALL);
	fputs("</h1>\n<p class=\"note\">Every preview here is small, grey and "
	    "strongly blurred on purpose: enough to tell a photograph from a "
	    "screenshot or a document, not to see what it shows. An "
	    "attachment on a hash list (<strong>known</strong>) is not shown "
	    "at all. Each card opens the attachment's page, which links to "
	    "the original file: open it only when your assessment needs "
	    "it.</p>\n", f);
}

void
viewhtml_index_end(FILE *f, const size_t counts[3])
{
	fprintf(f, "%s<p class=\"facts\">%zu previews, %zu known (not shown), "
	    "%zu placeholders.</p>\n</body>\n</html>\n",
	    counts[0] + counts[1] + counts[2] > 0 ? "</ul>\n" :
	    "<p>No attachments.</p>\n", counts[VIEWHTML_PREVIEW],
	    counts[VIEWHTML_KNOWN], counts[VIEWHTML_PLACEHOLDER]);
}

void
viewhtml_report(FILE *f, const char *id, const char *received, int first)
{
	fprintf(f, "%s<h2>Report %s", first ? "" : "</ul>\n", id);
	if (received != NULL && received[0] != '\0') {
		fputs(", received ", f);
		text(f, received, 32);
	}
	fputs("</h2>\n<ul class=\"sheet\">\n", f);
}

/* "type · W × H · size", and what else a card flags. */
static void
card_facts(FILE *f, const struct viewhtml_att *a)
{
	fputs("<p class=\"facts\">", f);
	text(f, a->type != NULL ? a->type : "type not known", 64);
	if (a->width > 0)
		fprintf(f, " &middot; %u &times; %u", a->width, a->height);
	fputs(" &middot; ", f);
	size(f, a->size);
	fputs("</p>\n", f);
	if (a->md != NULL && a->md->n > 0)
		fprintf(f, "<p class=\"facts flag\">metadata: %zu warning%s</p>\n",
		    a->md->n, a->md->n > 1 ? "s" : "");
	if (a->changed)
		fputs("<p class=\"facts flag\">not the file decrypted</p>\n", f);
}

void
viewhtml_card(FILE *f, const struct viewhtml_att *a)
{
	fprintf(f, "<li class=\"card\"><a class=\"pic%s\" href=\"a%zu.html\">",
	    a->show == VIEWHTML_KNOWN ? " known" : "", a->n);
	picture(f, a, VIEWHTML_THUMBS, 1);
	fputs("</a>\n<p class=\"name\">", f);
	text(f, a->name, CARD_NAME_MAX);
	fputs("</p>\n", f);
	card_facts(f, a);
	fputs("</li>\n", f);
}

/* A row of the facts table, unless value is NULL: a label, escaped text. */
static void
row(FILE *f, const char *label, const char *value, int mono)
{
	if (value == NULL)
		return;
	fprintf(f, "<tr><th>%s</th><td%s>", label, mono ? " class=\"mono\"" :
	    "");
	text(f, value, DESKOUT_ALL);
	fputs("</td></tr>\n", f);
}

static void
facts(FILE *f, const struct viewhtml_att *a)
{
	fputs("<table class=\"facts\">\n", f);
	row(f, "Name", a->name, 1);
	fprintf(f, "<tr><th>Size</th><td>%lld bytes</td></tr>\n",
	    (long long)a->size);
	row(f, "Type", a->type != NULL ? a->type : "not known (not read)", 0);
	if (a->width > 0)
		fprintf(f, "<tr><th>Dimensions</th><td>%u &times; %u</td></tr>\n"
		    "<tr><th>PDQ quality</th><td>%d</td></tr>\n", a->width,
		    a->height, a->quality);
	row(f, "SHA-256", a->sha256, 1);
	row(f, "SHA-1", a->sha1, 1);
	row(f, "MD5", a->md5, 1);
	row(f, "No preview", a->note, 0);
	if (a->changed)
		fputs("<tr><th>Changed</th><td class=\"flag\">its SHA-256 is not "
		    "the one recorded at decrypt</td></tr>\n", f);
	if (a->md != NULL) {
		fputs("<tr><th>Metadata</th><td>", f);
		fputs(a->md->n == 0 ? "none found" : "<ul>", f);
		for (size_t i = 0; i < a->md->n; i++) {
			fputs("<li>", f);
			text(f, a->md->warning[i], DESKOUT_ALL);
			fputs("</li>", f);
		}
		fputs(a->md->n == 0 ? "</td></tr>\n" : "</ul></td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

/* The link to the original, behind its warning. */
static void
original(FILE *f, const struct viewhtml_att *a)
{
	fputs("<div class=\"original\">\n", f);
	if (a->original == NULL) {
		fputs("<p>The original is not in the case directory (purged, "
		    "withheld as known at decrypt, or not a file that can be "
		    "opened safely).</p>\n</div>\n", f);
		return;
	}
	fputs("<p><strong>Warning:</strong> the original is shown as it is, "
	    "in colour and sharp. It may be child sexual abuse material. "
	    "Open it only if your assessment needs it.</p>\n"
	    "<p><a href=\"", f);
	fputs(a->original, f);
	fputs("\" rel=\"noreferrer\">Open the original file</a></p>\n</div>\n",
	    f);
}

void
viewhtml_page(FILE *f, const struct viewhtml_att *a)
{
	head(f, "Attachment", a->n);
	fprintf(f, "<p><a href=\"" VIEWHTML_INDEX "\">Contact sheet</a></p>\n"
	    "<h1>Attachment %lld of report %s</h1>\n", a->pos + 1, a->report);
	if (a->show == VIEWHTML_KNOWN) {
		fputs("<p class=\"banner\">", f);
		known_label(f, a);
		fputs(" &middot; matched by ", f);
		text(f, a->how, 64);
		fputs(". Not shown.</p>\n", f);
	} else {
		fputs("<p class=\"large\">", f);
		picture(f, a, VIEWHTML_LARGE, GREYPNG_ENLARGE);
		fputs("</p>\n", f);
	}
	facts(f, a);
	original(f, a);
	fputs("</body>\n</html>\n", f);
}
