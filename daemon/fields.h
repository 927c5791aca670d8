/*
 * fields: the report form's fields, their options and their limits, shared
 * by the pages that draw the form and the code that checks what comes back
 * (form). Field names are the contract in INTERFACE.md.
 */
#ifndef FIELDS_H
#define FIELDS_H

#include <stddef.h>
#include <stdint.h>

/* Form field names (the <input>/<textarea>/<select> name attributes). */
#define FIELD_URLS "urls"			/* textarea, one URL per line */
#define FIELD_CATEGORY "category"		/* select */
#define FIELD_SEEN_ON "seen_on"			/* select: where it was seen */
#define FIELD_DESCRIPTION "description"		/* textarea */
#define FIELD_ATTACHMENT "attachment"		/* file, multiple */
#define FIELD_TOKEN "token"			/* hidden: anti-forgery token */
#define FIELD_HONEYPOT "homepage"		/* hidden from people; bots fill it */
#define FIELD_RECEIPT "receipt"			/* status and follow-up forms */

/* Limits on what a reporter may send. */
#define FIELDS_URLS_MAX 20		/* lines with a URL */
#define FIELDS_URL_MAX 2048		/* bytes in one URL */
#define FIELDS_URLS_BYTES_MAX (FIELDS_URLS_MAX * (FIELDS_URL_MAX + 2))
#define FIELDS_DESCRIPTION_MAX 20000	/* bytes */
#define FIELDS_OPTION_MAX 32		/* bytes in a select's value */
#define FIELDS_TOKEN_MAX 64
#define FIELDS_RECEIPT_MAX 64

/* One choice of a select: its value and the English text (a msgid). */
struct field_option {
	const char *value;
	const char *msgid;
};

extern const struct field_option fields_categories[];
extern const size_t fields_ncategories;
extern const struct field_option fields_seen_on[];
extern const size_t fields_nseen_on;

/* What went wrong with a submitted form: bits of form_view.errors. */
enum form_error {
	FORM_ERR_NOTHING = 1 << 0,	/* neither a URL nor a description */
	FORM_ERR_URL_INVALID = 1 << 1,	/* a line is not an http(s) URL */
	FORM_ERR_URLS_TOO_MANY = 1 << 2,
	FORM_ERR_URL_TOO_LONG = 1 << 3,
	FORM_ERR_CATEGORY = 1 << 4,	/* too long, or control characters */
	FORM_ERR_SEEN_ON = 1 << 5,
	FORM_ERR_DESCRIPTION_TOO_LONG = 1 << 6,
	FORM_ERR_ENCODING = 1 << 7,	/* not valid UTF-8 */
	FORM_ERR_EXPIRED = 1 << 8,	/* token missing, forged or too old */
	FORM_ERR_REJECTED = 1 << 9,	/* honeypot filled */
};

/* A form to draw: empty, or as submitted with its errors. */
struct form_view {
	const char *urls;		/* as typed, not NUL-terminated */
	size_t urls_len;
	const char *category;		/* NUL-terminated, "" if none */
	const char *seen_on;
	const char *description;
	size_t description_len;
	unsigned errors;		/* enum form_error bits */
	unsigned bad_url_line;		/* 1-based line of the first bad URL */
	const char *token;		/* value of the hidden token input */
	const char *receipt;		/* a follow-up's (hidden), as typed,
					 * or NULL for the report form */
	size_t receipt_len;
};

#endif
