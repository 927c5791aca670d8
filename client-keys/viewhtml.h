/*
 * viewhtml: the pages of the contact sheet (`oniondrop-keys view`), once
 * view.c has decided what each attachment shows. Static HTML with no
 * script, every page under a Content-Security-Policy that allows none
 * (VIEWHTML_CSP: images and the stylesheet from the sheet's own
 * directory, nothing else); every string from the case file written
 * through deskout_html (markup escaped, controls and direction overrides
 * shown as escapes), every path in a link percent-encoded. Writes to
 * FILEs the caller opened; the caller checks them for errors.
 */
#ifndef VIEWHTML_H
#define VIEWHTML_H

#include <stdint.h>
#include <stdio.h>

#include "metadata.h"

#define VIEWHTML_CSP "default-src 'none'; img-src 'self'; " \
    "style-src 'self'; base-uri 'none'; form-action 'none'"
#define VIEWHTML_INDEX "index.html"
#define VIEWHTML_CSS "view.css"
#define VIEWHTML_THUMBS "thumbs"	/* n.png: the thumbnails */
#define VIEWHTML_LARGE "large"		/* n.png: enlarged, on n's page */

/* What an attachment shows in place of its picture. */
enum viewhtml_show {
	VIEWHTML_PREVIEW,	/* the blurred grey thumbnail */
	VIEWHTML_KNOWN,		/* on a hash list: "known: LIST", nothing else */
	VIEWHTML_PLACEHOLDER,	/* a box naming its kind: video, PDF... */
};

/* One attachment as its card and its page show it. */
struct viewhtml_att {
	size_t n;		/* 1, 2, ...: its page is a<n>.html */
	const char *report;	/* 32 hex digits */
	long long pos;		/* its place in the report, from 0 */
	const char *name;	/* the case file's: any bytes */
	const char *type;	/* sniffed; NULL: not known */
	int64_t size;		/* the file's bytes, else the case file's */
	const char *sha256;	/* hex, the file's, else the case file's */
	const char *sha1, *md5;	/* hex; NULL if the file was not read */
	int changed;		/* the file's SHA-256 is not the case file's */
	uint32_t width, height;	/* decoded; 0: not */
	int quality;		/* PDQ's, when decoded */
	enum viewhtml_show show;
	uint32_t tw, th;	/* PREVIEW: the thumbnail's size */
	const char *list;	/* KNOWN: the list, grade (or NULL) and how */
	const char *grade;
	const char *how;
	const char *note;	/* why there is no preview (decoder, disk) */
	const struct metadata *md;	/* what it reveals; NULL: not read */
	const char *original;	/* percent-encoded link to the file, or NULL */
};

/*
 * viewhtml_encode(f, s):
 * Write s percent-encoded for a path in a link: every byte but ASCII
 * letters, digits, '-', '.', '_' and '~' as %XX (a '/' too: s is one
 * component).
 */
void viewhtml_encode(FILE *f, const char *s);

/* viewhtml_css(f): the stylesheet, VIEWHTML_CSS. */
void viewhtml_css(FILE *f);

/*
 * viewhtml_index_begin(f, dir) / viewhtml_index_end(f, counts):
 * The start of the contact sheet (its title names the case directory
 * dir, escaped) and its end: counts[] is the attachments shown as
 * previews, known and placeholders, in the order of enum viewhtml_show.
 */
void viewhtml_index_begin(FILE *f, const char *dir);
void viewhtml_index_end(FILE *f, const size_t counts[3]);

/*
 * viewhtml_report(f, id, received, first):
 * Start report id's group of cards (first: the first report; else the
 * previous group is ended first).
 */
void viewhtml_report(FILE *f, const char *id, const char *received,
    int first);

/* viewhtml_card(f, a): a's card on the contact sheet, linking its page. */
void viewhtml_card(FILE *f, const struct viewhtml_att *a);

/* viewhtml_page(f, a): a's own page, a<n>.html: facts, link, warning. */
void viewhtml_page(FILE *f, const struct viewhtml_att *a);

#endif
