/*
 * config: oniondropd's configuration file, "key = value" lines (see
 * oniondropd.conf(5)). It owns the grammar, the key table with each key's
 * default and range, the cross-key checks, and the list of problems that
 * "oniondropd check-config" prints. Parsing is strict and never stops at the
 * first problem: every bad line is reported, each as "line N: message".
 *
 * Nothing here opens a socket or looks up a user or group: values are
 * checked for form only; the listener and the store act on them.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define CONFIG_FILE_MAX (64 * 1024)	/* Largest config file, bytes. */
#define CONFIG_LINE_MAX 4096		/* Longest line, terminator excluded. */
#define CONFIG_ANALYSTS_MAX 32		/* Most analyst_key lines. */
#define CONFIG_LANGUAGES_MAX 3		/* fr, ar, en. */
#define CONFIG_PROBLEMS_MAX 64		/* Problems kept; the rest are counted. */
#define CONFIG_PROBLEM_LEN 256		/* Longest problem message kept. */
#define CONFIG_NKEYS 29			/* Keys in the table in config.c. */
#define CONFIG_HELP_CONTACTS_MAX 512	/* Bytes in one help_contacts.LANG. */

/* follow_ups: when the status page offers the follow-up form. */
enum config_follow_ups {
	CONFIG_FOLLOW_UPS_ASKED = 0,	/* "asked": after need-information */
	CONFIG_FOLLOW_UPS_ALWAYS,	/* "always": for every known receipt */
	CONFIG_FOLLOW_UPS_OFF,		/* "off": never */
};

struct config {
	char *socket;			/* Absolute path of the Unix socket. */
	mode_t socket_mode;		/* Default 0660. */
	char *socket_group;		/* Group name or number; NULL: unset. */
	char *data_dir;			/* Absolute path of the LMDB directory. */
	char *analyst_keys[CONFIG_ANALYSTS_MAX];	/* Absolute paths. */
	size_t n_analyst_keys;
	int proxy_protocol;		/* Expect a PROXY v1 line; default 0. */
	int attachments;		/* Accept file uploads; default 0. */
	uint64_t max_attachment_size;	/* Per file, bytes; default 64M. */
	uint64_t max_report_size;	/* Whole request body; default 256M. */
	const char *languages[CONFIG_LANGUAGES_MAX];	/* Static strings. */
	size_t n_languages;		/* Default 3: "fr", "ar", "en". */
	const char *default_language;	/* NULL until config_validate. */
	char *tor_hs_dir;		/* Absolute path; NULL: unset. */
	unsigned reports_per_circuit_per_hour;		/* Default 5. */
	unsigned status_lookups_per_circuit_per_hour;	/* Default 30. */
	uint64_t max_store_size;	/* LMDB map size limit; default 8G. */
	unsigned idle_timeout;		/* Seconds without progress; 120. */
	unsigned max_connections;	/* Default 512. */
	unsigned connections_per_circuit;	/* Default 8. */
	unsigned head_timeout;		/* PROXY line + request head, s; 20. */
	uint64_t min_upload_rate;	/* Bytes/s a body must keep up; 1K. */
	unsigned max_uploads;		/* Large bodies at once; default 32. */
	unsigned uploads_per_circuit;	/* Of those, per circuit; default 2. */
	/*
	 * help_contacts.fr, .ar, .en: the deployment's emergency and support
	 * contacts, plain text shown to reporters (escaped); index i is the
	 * language config_language_code(i). NULL: unset, the pages keep
	 * their generic wording.
	 */
	char *help_contacts[CONFIG_LANGUAGES_MAX];
	char *desk_key;			/* Desk's signing .pub; NULL: unset. */
	enum config_follow_ups follow_ups;	/* Default asked. */
	char *metrics_file;		/* Textfile for node_exporter; NULL:
					 * unset (metrics.h). */
	unsigned metrics_interval;	/* Seconds between writes; 900. */

	/* Private: the line each key was last set on (0: default). */
	unsigned line_of[CONFIG_NKEYS];
};

struct config_problems {
	char msg[CONFIG_PROBLEMS_MAX][CONFIG_PROBLEM_LEN];
	size_t n;			/* Messages in msg[]. */
	size_t total;			/* Problems found, kept or not. */
};

/*
 * config_init(c):
 * Fill c with the defaults; the required keys (socket, data_dir,
 * analyst_key) are left unset.
 */
void config_init(struct config *c);

/*
 * config_free(c):
 * Free the strings c holds and leave it zeroed; c itself belongs to the
 * caller. config_free(NULL) does nothing.
 */
void config_free(struct config *c);

/*
 * config_problems_init(p):
 * Empty the problem list p.
 */
void config_problems_init(struct config_problems *p);

/*
 * config_parse(c, text, len, p):
 * Apply the config file text[0..len) to c, which config_init has prepared,
 * adding one problem to p for each bad line ("line N: ..."). Every line is
 * read even after a problem. Return 0 if no problem was found, or -1.
 */
int config_parse(struct config *c, const char *text, size_t len,
    struct config_problems *p);

/*
 * config_validate(c, p):
 * Check what config_parse cannot see line by line: required keys, and keys
 * that must agree with each other. Set c->default_language if the file did
 * not. Add a problem to p for each failure; return 0 if none, or -1.
 */
int config_validate(struct config *c, struct config_problems *p);

/*
 * config_load(c, path, p):
 * Initialise c, read the file at path (a regular file of at most
 * CONFIG_FILE_MAX bytes), then config_parse and config_validate it. Return 0,
 * or -1 with every problem in p; c must be passed to config_free either way.
 */
int config_load(struct config *c, const char *path, struct config_problems *p);

/*
 * config_print_problems(f, path, p):
 * Write each problem in p to f on a line of its own, prefixed by "path: "
 * if path is not NULL, and say how many were left out if p overflowed.
 */
void config_print_problems(FILE *f, const char *path,
    const struct config_problems *p);

/*
 * config_language_code(i):
 * The code ("fr", "ar" or "en") of language i < CONFIG_LANGUAGES_MAX, in
 * the order of help_contacts[].
 */
const char *config_language_code(size_t i);

/*
 * config_parse_size(s, out):
 * Parse the NUL-terminated s as a size: decimal digits, then optionally one
 * of K, M, G (or k, m, g) for 1024, 1024^2, 1024^3. Store the byte count in
 * *out and return 0, or return -1 if s is not of that form, is zero, or does
 * not fit in 64 bits.
 */
int config_parse_size(const char *s, uint64_t *out);

#endif
