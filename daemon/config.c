/*
 * config: see config.h. The file is split into lines; each line is checked
 * for length, control bytes and UTF-8, then split at the first '=' and
 * handed to the setter that the key table names. Setters check form and
 * range and report their own problem; config_validate does what needs the
 * whole file. Comments are whole lines only: a '#' after a value is part of
 * the value, since '#' is a legal byte in a path.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "config.h"

struct key;
typedef int setter_fn(struct config *, const struct key *, const char *,
    struct config_problems *, unsigned);

/* One entry of the key table: name, setter, where it stores, its range. */
struct key {
	const char *name;
	setter_fn *set;
	size_t off;
	unsigned min, max;
	int repeatable;
};

static setter_fn set_socket, set_mode, set_group, set_path, set_analyst,
    set_bool, set_size, set_uint, set_languages, set_default_language,
    set_text, set_follow_ups, set_metrics_file;

enum {
	K_SOCKET, K_SOCKET_MODE, K_SOCKET_GROUP, K_DATA_DIR, K_ANALYST_KEY,
	K_PROXY_PROTOCOL, K_ATTACHMENTS, K_MAX_ATTACHMENT_SIZE,
	K_MAX_REPORT_SIZE, K_LANGUAGES, K_DEFAULT_LANGUAGE, K_TOR_HS_DIR,
	K_REPORTS_PER_CIRCUIT, K_STATUS_PER_CIRCUIT, K_MAX_STORE_SIZE,
	K_IDLE_TIMEOUT, K_MAX_CONNECTIONS, K_CONNECTIONS_PER_CIRCUIT,
	K_HEAD_TIMEOUT, K_MIN_UPLOAD_RATE, K_MAX_UPLOADS,
	K_UPLOADS_PER_CIRCUIT, K_HELP_CONTACTS_FR, K_HELP_CONTACTS_AR,
	K_HELP_CONTACTS_EN, K_DESK_KEY, K_FOLLOW_UPS,
	K_METRICS_FILE, K_METRICS_INTERVAL, K_COUNT
};

#define F(field) offsetof(struct config, field)
static const struct key keys[K_COUNT] = {
	[K_SOCKET] = { "socket", set_socket, F(socket), 0, 0, 0 },
	[K_SOCKET_MODE] = { "socket_mode", set_mode, F(socket_mode), 0, 0, 0 },
	[K_SOCKET_GROUP] = { "socket_group", set_group, F(socket_group),
	    0, 0, 0 },
	[K_DATA_DIR] = { "data_dir", set_path, F(data_dir), 0, 0, 0 },
	[K_ANALYST_KEY] = { "analyst_key", set_analyst, F(analyst_keys),
	    0, 0, 1 },
	[K_PROXY_PROTOCOL] = { "proxy_protocol", set_bool, F(proxy_protocol),
	    0, 0, 0 },
	[K_ATTACHMENTS] = { "attachments", set_bool, F(attachments), 0, 0, 0 },
	[K_MAX_ATTACHMENT_SIZE] = { "max_attachment_size", set_size,
	    F(max_attachment_size), 0, 0, 0 },
	[K_MAX_REPORT_SIZE] = { "max_report_size", set_size,
	    F(max_report_size), 0, 0, 0 },
	[K_LANGUAGES] = { "languages", set_languages, F(languages), 0, 0, 0 },
	[K_DEFAULT_LANGUAGE] = { "default_language", set_default_language,
	    F(default_language), 0, 0, 0 },
	[K_TOR_HS_DIR] = { "tor_hs_dir", set_path, F(tor_hs_dir), 0, 0, 0 },
	[K_REPORTS_PER_CIRCUIT] = { "reports_per_circuit_per_hour", set_uint,
	    F(reports_per_circuit_per_hour), 1, 10000, 0 },
	[K_STATUS_PER_CIRCUIT] = { "status_lookups_per_circuit_per_hour",
	    set_uint, F(status_lookups_per_circuit_per_hour), 1, 10000, 0 },
	[K_MAX_STORE_SIZE] = { "max_store_size", set_size, F(max_store_size),
	    0, 0, 0 },
	[K_IDLE_TIMEOUT] = { "idle_timeout", set_uint, F(idle_timeout),
	    5, 3600, 0 },
	[K_MAX_CONNECTIONS] = { "max_connections", set_uint,
	    F(max_connections), 1, 65536, 0 },
	[K_CONNECTIONS_PER_CIRCUIT] = { "connections_per_circuit", set_uint,
	    F(connections_per_circuit), 1, 65536, 0 },
	[K_HEAD_TIMEOUT] = { "head_timeout", set_uint, F(head_timeout),
	    1, 3600, 0 },
	[K_MIN_UPLOAD_RATE] = { "min_upload_rate", set_size,
	    F(min_upload_rate), 0, 0, 0 },
	[K_MAX_UPLOADS] = { "max_uploads", set_uint, F(max_uploads),
	    1, 65536, 0 },
	[K_UPLOADS_PER_CIRCUIT] = { "uploads_per_circuit", set_uint,
	    F(uploads_per_circuit), 1, 65536, 0 },
	/* In the order of known_languages; max: bytes. */
	[K_HELP_CONTACTS_FR] = { "help_contacts.fr", set_text,
	    F(help_contacts[0]), 0, CONFIG_HELP_CONTACTS_MAX, 0 },
	[K_HELP_CONTACTS_AR] = { "help_contacts.ar", set_text,
	    F(help_contacts[1]), 0, CONFIG_HELP_CONTACTS_MAX, 0 },
	[K_HELP_CONTACTS_EN] = { "help_contacts.en", set_text,
	    F(help_contacts[2]), 0, CONFIG_HELP_CONTACTS_MAX, 0 },
	[K_DESK_KEY] = { "desk_key", set_path, F(desk_key), 0, 0, 0 },
	[K_FOLLOW_UPS] = { "follow_ups", set_follow_ups, F(follow_ups),
	    0, 0, 0 },
	[K_METRICS_FILE] = { "metrics_file", set_metrics_file,
	    F(metrics_file), 0, 0, 0 },
	/* 60 and more advised (docs/admin.md); from 1 for the tests. */
	[K_METRICS_INTERVAL] = { "metrics_interval", set_uint,
	    F(metrics_interval), 1, 86400, 0 },
};
#undef F

_Static_assert(K_COUNT == CONFIG_NKEYS, "CONFIG_NKEYS must match the table");

/* The languages the pages exist in; config->languages points into this. */
static const char *const known_languages[CONFIG_LANGUAGES_MAX] = {
	"fr", "ar", "en"
};

/* Add a problem: "line N: " (if line is not 0) and the formatted text. */
static int problem(struct config_problems *, unsigned, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
problem(struct config_problems *p, unsigned line, const char *fmt, ...)
{
	va_list ap;
	char *m;
	int n = 0;

	p->total++;
	if (p->n >= CONFIG_PROBLEMS_MAX)
		return -1;
	m = p->msg[p->n++];
	if (line != 0)
		n = snprintf(m, CONFIG_PROBLEM_LEN, "line %u: ", line);
	va_start(ap, fmt);
	vsnprintf(m + n, CONFIG_PROBLEM_LEN - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Copy at most 48 bytes of v[0..n) into out (64 bytes) for a message, cut
 * on a UTF-8 character boundary and marked "..." if cut.
 */
static const char *
quote_n(char out[64], const char *v, size_t n)
{
	if (n <= 48) {
		memcpy(out, v, n);
		out[n] = '\0';
		return out;
	}
	n = 45;
	while (n > 0 && ((unsigned char)v[n] & 0xc0) == 0x80)
		n--;
	memcpy(out, v, n);
	memcpy(out + n, "...", 4);
	return out;
}

/* quote_n for the NUL-terminated v. */
static const char *
quote(char out[64], const char *v)
{
	return quote_n(out, v, strlen(v));
}

/* Write v as "64M"-style text if it is a whole multiple, else in bytes. */
static const char *
fmt_size(char out[32], uint64_t v)
{
	static const char suffix[] = "GMK";
	int shift = 30;

	for (int i = 0; i < 3; i++, shift -= 10) {
		if (v != 0 && (v & ((UINT64_C(1) << shift) - 1)) == 0) {
			snprintf(out, 32, "%llu%c",
			    (unsigned long long)(v >> shift), suffix[i]);
			return out;
		}
	}
	snprintf(out, 32, "%llu", (unsigned long long)v);
	return out;
}

/*
 * config_init(c):
 * Fill c with the defaults; the required keys (socket, data_dir,
 * analyst_key) are left unset.
 */
void
config_init(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->socket_mode = 0660;
	c->max_attachment_size = UINT64_C(64) << 20;
	c->max_report_size = UINT64_C(256) << 20;
	for (size_t i = 0; i < CONFIG_LANGUAGES_MAX; i++)
		c->languages[i] = known_languages[i];
	c->n_languages = CONFIG_LANGUAGES_MAX;
	c->reports_per_circuit_per_hour = 5;
	c->status_lookups_per_circuit_per_hour = 30;
	c->max_store_size = UINT64_C(8) << 30;
	c->idle_timeout = 120;
	c->max_connections = 512;
	c->connections_per_circuit = 8;
	c->head_timeout = 20;
	c->min_upload_rate = 1024;
	c->max_uploads = 32;
	c->uploads_per_circuit = 2;
	c->metrics_interval = 900;
}

/*
 * config_free(c):
 * Free the strings c holds and leave it zeroed; c itself belongs to the
 * caller. config_free(NULL) does nothing.
 */
void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	free(c->socket);
	free(c->socket_group);
	free(c->data_dir);
	free(c->tor_hs_dir);
	free(c->desk_key);
	free(c->metrics_file);
	for (size_t i = 0; i < c->n_analyst_keys; i++)
		free(c->analyst_keys[i]);
	for (size_t i = 0; i < CONFIG_LANGUAGES_MAX; i++)
		free(c->help_contacts[i]);
	memset(c, 0, sizeof(*c));
}

/*
 * config_problems_init(p):
 * Empty the problem list p.
 */
void
config_problems_init(struct config_problems *p)
{
	memset(p, 0, sizeof(*p));
}

/* Parse decimal digits into *out: 0, -1 if not digits, -3 on overflow. */
static int
parse_decimal(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return -3;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/* config_parse_size, with the reason: -1 form, -2 zero, -3 overflow. */
static int
parse_size(const char *s, uint64_t *out)
{
	size_t n = strlen(s);
	unsigned shift = 0;
	uint64_t v;
	int rc;

	if (n > 0 && strchr("KkMmGg", s[n - 1]) != NULL) {
		shift = (s[n - 1] == 'K' || s[n - 1] == 'k') ? 10 :
		    (s[n - 1] == 'M' || s[n - 1] == 'm') ? 20 : 30;
		n--;
	}
	if ((rc = parse_decimal(s, n, &v)) != 0)
		return rc;
	if (v == 0)
		return -2;
	if (v > (UINT64_MAX >> shift))
		return -3;
	*out = v << shift;
	return 0;
}

/*
 * config_language_code(i):
 * The code ("fr", "ar" or "en") of language i < CONFIG_LANGUAGES_MAX, in
 * the order of help_contacts[].
 */
const char *
config_language_code(size_t i)
{
	return known_languages[i];
}

/*
 * config_parse_size(s, out):
 * Parse the NUL-terminated s as a size: decimal digits, then optionally one
 * of K, M, G (or k, m, g) for 1024, 1024^2, 1024^3. Store the byte count in
 * *out and return 0, or return -1 if s is not of that form, is zero, or does
 * not fit in 64 bits.
 */
int
config_parse_size(const char *s, uint64_t *out)
{
	return parse_size(s, out) == 0 ? 0 : -1;
}

/* Check that v is an absolute path; else report it as key's problem. */
static int
check_abs_path(const char *name, const char *v, struct config_problems *p,
    unsigned line)
{
	char q[64];

	if (v[0] == '/')
		return 0;
	if (v[0] == '"' || v[0] == '\'')
		return problem(p, line, "%s: '%s' is not an absolute path "
		    "(values are written without quotes)", name, quote(q, v));
	return problem(p, line, "%s: '%s' is not an absolute path "
	    "(it must start with '/')", name, quote(q, v));
}

/* Replace the string at *slot by a copy of v. */
static int
store_string(char **slot, const char *v, struct config_problems *p,
    unsigned line)
{
	char *copy = strdup(v);

	if (copy == NULL)
		return problem(p, line, "out of memory");
	free(*slot);
	*slot = copy;
	return 0;
}

/* data_dir, tor_hs_dir, desk_key: an absolute path. */
static int
set_path(struct config *c, const struct key *k, const char *v,
    struct config_problems *p, unsigned line)
{
	if (check_abs_path(k->name, v, p, line))
		return -1;
	return store_string((char **)((char *)c + k->off), v, p, line);
}

/* metrics_file: an absolute path in a directory that exists. */
static int
set_metrics_file(struct config *c, const struct key *k, const char *v,
    struct config_problems *p, unsigned line)
{
	char dir[PATH_MAX];
	struct stat st;
	char *slash;

	if (check_abs_path(k->name, v, p, line))
		return -1;
	if (snprintf(dir, sizeof(dir), "%s", v) >= (int)sizeof(dir))
		return problem(p, line, "metrics_file: path too long");
	slash = strrchr(dir, '/');
	if (slash[1] == '\0')
		return problem(p, line, "metrics_file: names a directory");
	slash[slash == dir] = '\0';
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return problem(p, line, "metrics_file: the directory %s does "
		    "not exist", dir);
	return store_string((char **)((char *)c + k->off), v, p, line);
}

/* Does v (not an absolute path) look like an IP address, port or URL? */
static int
looks_like_network(const char *v)
{
	unsigned char a[16];
	size_t n = strlen(v);

	if (strchr(v, ':') != NULL || v[0] == '[')
		return 1;
	if (strspn(v, "0123456789") == n)
		return 1;
	if (inet_pton(AF_INET, v, a) == 1)
		return 1;
	if (strncasecmp(v, "localhost", 9) == 0 || strchr(v, '*') != NULL)
		return 1;
	return strspn(v, "0123456789.") == n;
}

/* socket: an absolute path short enough for sun_path; "unix:" allowed. */
static int
set_socket(struct config *c, const struct key *k, const char *v,
    struct config_problems *p, unsigned line)
{
	struct sockaddr_un sun;
	char q[64];

	if (strncmp(v, "unix:/", 6) == 0)
		v += 5;
	if (v[0] != '/' && looks_like_network(v))
		return problem(p, line, "socket must be a filesystem path: "
		    "oniondropd never opens an IP socket (got '%s')",
		    quote(q, v));
	if (check_abs_path(k->name, v, p, line))
		return -1;
	if (strlen(v) >= sizeof(sun.sun_path))
		return problem(p, line, "socket: the path is %zu bytes; "
		    "a Unix socket path must be shorter than %zu", strlen(v),
		    sizeof(sun.sun_path));
	if (v[strlen(v) - 1] == '/')
		return problem(p, line, "socket: '%s' names a directory, "
		    "not a socket", quote(q, v));
	return store_string(&c->socket, v, p, line);
}

/* socket_mode: 1 to 4 octal digits, at most 0777. */
static int
set_mode(struct config *c, const struct key *k, const char *v,
    struct config_problems *p, unsigned line)
{
	size_t n = strlen(v);
	unsigned m = 0;
	char q[64];

	if (n == 0 || n > 4 || strspn(v, "01234567") != n)
		return problem(p, line, "socket_mode: '%s' is not an octal "
		    "mode (e.g. 0660)", quote(q, v));
	for (size_t i = 0; i < n; i++)
		m = m * 8 + (unsigned)(v[i] - '0');
	if (m > 0777)
		return problem(p, line, "socket_mode: '%s' has bits above "
		    "0777 (setuid, setgid, sticky mean nothing here)", v);
	c->socket_mode = (mode_t)m;
	return 0;
}

/* socket_group: a group name or number, checked for form only. */
static int
set_group(struct config *c, const struct key *k, const char *v,
    struct config_problems *p, unsigned line)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";
	size_t n = strlen(v);
	char q[64];

	if (n > 32 || v[0] == '-' || strspn(v, ok) != n)
		return problem(p, line, "socket_group: '%s' is not a group "
		    "name (letters, digits, '_', '.', '-'; at most 32)",
		    quote(q, v));
	return store_string(&c->socket_group, v, p, line);
}

/* analyst_key: one more absolute path, at most CONFIG_ANALYSTS_MAX. */
static int
set_analyst(struct config *c, const struct key *k, const char *v,
    struct config_problems *p, unsigned line)
{
	char q[64];

	if (check_abs_path(k->name, v, p, line))
		return -1;
	if (c->n_analyst_keys >= CONFIG_ANALYSTS_MAX)
		return problem(p, line, "analyst_key: more than %d analyst "
		    "keys", CONFIG_ANALYSTS_MAX);
	for (size_t i = 0; i < c->n_analyst_keys; i++) {
		if (strcmp(c->analyst_keys[i], v) == 0)
			return problem(p, line, "analyst_key: '%s' is "
			    "listed twice", quote(q, v));
	}
	if (store_string(&c->analyst_keys[c->n_analyst_keys], v, p, line))
		return -1;
	c->n_analyst_keys++;
	return 0;
}

/* proxy_protocol, attachments: on/off, yes/no, true/false, 1/0. */
static int
set_bool(struct config *c, const struct key *k, const char *v,
    struct config_problems *p, unsigned line)
{
	static const char *const yes[] = { "on", "yes", "true", "1" };
	static const char *const no[] = { "off", "no", "false", "0" };
	int *slot = (int *)((char *)c + k->off);
	char q[64];

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0 || strcasecmp(v, no[i]) == 0) {
			*slot = (strcasecmp(v, yes[i]) == 0);
			return 0;
		}
	}
	return problem(p, line, "%s: '%s' is not on or off", k->name,
	    quote(q, v));
}

/* max_*_size: a size with an optional K, M or G suffix. */
static int
set_size(struct config *c, const struct key *k, const char *v,
    struct config_problems *p, unsigned line)
{
	uint64_t *slot = (uint64_t *)((char *)c + k->off);
	char q[64];

	switch (parse_size(v, slot)) {
	case 0:
		return 0;
	case -2:
		return problem(p, line, "%s: must be more than 0", k->name);
	case -3:
		return problem(p, line, "%s: '%s' is too large", k->name,
		    quote(q, v));
	default:
		return problem(p, line, "%s: '%s' is not a size (use a number "
		    "with K, M or G)", k->name, quote(q, v));
	}
}

/* Counts and durations: a decimal number within [k->min, k->max]. */
static int
set_uint(struct config *c, const struct key *k, const char *v,
    struct config_problems *p, unsigned line)
{
	unsigned *slot = (unsigned *)((char *)c + k->off);
	uint64_t n;
	char q[64];
	int rc = parse_decimal(v, strlen(v), &n);

	if (rc == -1)
		return problem(p, line, "%s: '%s' is not a whole number",
		    k->name, quote(q, v));
	if (rc != 0 || n < k->min || n > k->max)
		return problem(p, line, "%s: '%s' is out of range (%u to %u)",
		    k->name, quote(q, v), k->min, k->max);
	*slot = (unsigned)n;
	return 0;
}

/*
 * help_contacts.LANG: text for reporters, at most k->max bytes. Every line
 * is already UTF-8 without control characters (check_text); the pages
 * escape it, so markup in it shows as typed.
 */
static int
set_text(struct config *c, const struct key *k, const char *v,
    struct config_problems *p, unsigned line)
{
	if (strlen(v) > k->max)
		return problem(p, line, "%s: %zu bytes; at most %u", k->name,
		    strlen(v), k->max);
	return store_string((char **)((char *)c + k->off), v, p, line);
}

/* follow_ups: asked, always or off (enum config_follow_ups's order). */
static int
set_follow_ups(struct config *c, const struct key *k, const char *v,
    struct config_problems *p, unsigned line)
{
	static const char *const names[] = { "asked", "always", "off" };
	char q[64];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(v, names[i]) == 0) {
			c->follow_ups = (enum config_follow_ups)i;
			return 0;
		}
	}
	return problem(p, line, "follow_ups: '%s' is not asked, always or off",
	    quote(q, v));
}

/* Return the static name of language v (n bytes), or NULL if unknown. */
static const char *
find_language(const char *v, size_t n)
{
	for (size_t i = 0; i < CONFIG_LANGUAGES_MAX; i++) {
		if (strlen(known_languages[i]) == n &&
		    memcmp(known_languages[i], v, n) == 0)
			return known_languages[i];
	}
	return NULL;
}

/* Add language word v (n bytes) to list[*count], checking it. */
static int
add_language(const char **list, size_t *count, const char *v, size_t n,
    struct config_problems *p, unsigned line)
{
	const char *lang = find_language(v, n);
	char q[64];

	if (lang == NULL)
		return problem(p, line, "languages: '%s' is not one of fr, "
		    "ar, en", quote_n(q, v, n));
	for (size_t i = 0; i < *count; i++) {
		if (list[i] == lang)
			return problem(p, line, "languages: '%s' is listed "
			    "twice", lang);
	}
	list[(*count)++] = lang;
	return 0;
}

/* languages: space-separated, each of fr, ar, en, once. */
static int
set_languages(struct config *c, const struct key *k, const char *v,
    struct config_problems *p, unsigned line)
{
	const char *list[CONFIG_LANGUAGES_MAX] = { 0 };
	size_t count = 0, n;

	for (v += strspn(v, " \t"); *v != '\0'; v += strspn(v, " \t")) {
		n = strcspn(v, " \t");
		if (add_language(list, &count, v, n, p, line))
			return -1;
		v += n;
	}
	memcpy(c->languages, list, count * sizeof(list[0]));
	c->n_languages = count;
	return 0;
}

/* default_language: one of fr, ar, en (config_validate checks the list). */
static int
set_default_language(struct config *c, const struct key *k, const char *v,
    struct config_problems *p, unsigned line)
{
	const char *lang = find_language(v, strlen(v));
	char q[64];

	if (lang == NULL)
		return problem(p, line, "default_language: '%s' is not one of "
		    "fr, ar, en", quote(q, v));
	c->default_language = lang;
	return 0;
}

/* Length of the valid UTF-8 sequence at s[0..n), or 0 if it is not one. */
static size_t
utf8_char(const unsigned char *s, size_t n)
{
	size_t len = (s[0] < 0x80) ? 1 : (s[0] >= 0xc2 && s[0] <= 0xdf) ? 2 :
	    ((s[0] & 0xf0) == 0xe0) ? 3 : (s[0] >= 0xf0 && s[0] <= 0xf4) ? 4 : 0;
	uint32_t cp;

	if (len == 0 || len > n)
		return 0;
	if (len == 1)
		return 1;
	cp = s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

/* Check that s[0..n) is UTF-8 text without control bytes (tab allowed). */
static int
check_text(const char *s, size_t n, struct config_problems *p, unsigned line)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, len;

	while (i < n) {
		if ((u[i] < 0x20 && u[i] != '\t') || u[i] == 0x7f)
			return problem(p, line, "control character 0x%02x "
			    "at column %zu", u[i], i + 1);
		if ((len = utf8_char(u + i, n - i)) == 0)
			return problem(p, line, "not valid UTF-8 at column "
			    "%zu", i + 1);
		i += len;
	}
	return 0;
}

/* Return s with leading and trailing spaces and tabs cut (in place). */
static char *
trim(char *s)
{
	size_t n;

	s += strspn(s, " \t");
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

/* Index of key name in keys[], or -1. */
static int
find_key(const char *name)
{
	for (int i = 0; i < K_COUNT; i++) {
		if (strcmp(keys[i].name, name) == 0)
			return i;
	}
	return -1;
}

/* After a setter refused v, point at a trailing comment if there is one. */
static void
hint_comment(struct config_problems *p, const char *v)
{
	const char *hint = " (comments must be on a line of their own)";
	char *m;

	if (p->n == 0 || (strstr(v, " #") == NULL && strstr(v, "\t#") == NULL))
		return;
	m = p->msg[p->n - 1];
	if (strlen(m) + strlen(hint) < CONFIG_PROBLEM_LEN)
		strcat(m, hint);
}

/* Apply "key = value" (trimmed copies) from line number line. */
static int
apply(struct config *c, const char *name, const char *v,
    struct config_problems *p, unsigned line)
{
	int id = find_key(name);
	char q[64];
	size_t before = p->n;

	if (id < 0)
		return problem(p, line, "unknown key '%s'", quote(q, name));
	if (!keys[id].repeatable && c->line_of[id] != 0)
		return problem(p, line, "%s is given twice (first on line %u)",
		    name, c->line_of[id]);
	c->line_of[id] = line;
	if (*v == '\0')
		return problem(p, line, "%s: missing value", name);
	if (keys[id].set(c, &keys[id], v, p, line) == 0)
		return 0;
	if (p->n > before)
		hint_comment(p, v);
	return -1;
}

/* Parse one line s[0..n), without its LF, as line number line. */
static int
parse_line(struct config *c, const char *s, size_t n,
    struct config_problems *p, unsigned line)
{
	char buf[CONFIG_LINE_MAX + 1], *t, *eq;

	if (n > 0 && s[n - 1] == '\r')
		n--;
	if (n > CONFIG_LINE_MAX)
		return problem(p, line, "longer than %d bytes",
		    CONFIG_LINE_MAX);
	if (check_text(s, n, p, line))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	t = trim(buf);
	if (*t == '\0' || *t == '#')
		return 0;
	if ((eq = strchr(t, '=')) == NULL)
		return problem(p, line, "expected 'key = value'");
	*eq = '\0';
	if (*trim(t) == '\0')
		return problem(p, line, "missing key before '='");
	return apply(c, trim(t), trim(eq + 1), p, line);
}

/*
 * config_parse(c, text, len, p):
 * Apply the config file text[0..len) to c, which config_init has prepared,
 * adding one problem to p for each bad line ("line N: ..."). Every line is
 * read even after a problem. Return 0 if no problem was found, or -1.
 */
int
config_parse(struct config *c, const char *text, size_t len,
    struct config_problems *p)
{
	size_t before = p->total, n;
	const char *nl;
	unsigned line = 0;

	if (len > CONFIG_FILE_MAX)
		return problem(p, 0, "the file is larger than %d KiB",
		    CONFIG_FILE_MAX / 1024);
	while (len > 0) {
		nl = memchr(text, '\n', len);
		n = (nl != NULL) ? (size_t)(nl - text) : len;
		parse_line(c, text, n, p, ++line);
		if (nl == NULL)
			break;
		text += n + 1;
		len -= n + 1;
	}
	return (p->total > before) ? -1 : 0;
}

/* The required keys: present, unless the line naming them was refused. */
static void
validate_required(const struct config *c, struct config_problems *p)
{
	if (c->socket == NULL && c->line_of[K_SOCKET] == 0)
		problem(p, 0, "socket is required: the path of the Unix "
		    "socket that Tor's HiddenServicePort points at");
	if (c->data_dir == NULL && c->line_of[K_DATA_DIR] == 0)
		problem(p, 0, "data_dir is required: the directory that "
		    "holds the report store");
	if (c->n_analyst_keys == 0 && c->line_of[K_ANALYST_KEY] == 0)
		problem(p, 0, "analyst_key is required: the path of an "
		    "analyst's .pub file (repeat the key for each analyst)");
}

/* default_language: in languages, or the first of them if unset. */
static void
validate_language(struct config *c, struct config_problems *p)
{
	char list[16] = "";

	if (c->n_languages == 0)
		return;
	if (c->default_language == NULL) {
		c->default_language = c->languages[0];
		return;
	}
	for (size_t i = 0; i < c->n_languages; i++) {
		if (c->languages[i] == c->default_language)
			return;
		strcat(list, i ? " " : "");
		strcat(list, c->languages[i]);
	}
	problem(p, c->line_of[K_DEFAULT_LANGUAGE], "default_language: '%s' "
	    "is not one of the languages (%s)", c->default_language, list);
	c->default_language = NULL;
}

/* Index in known_languages of l, a pointer into that table. */
static size_t
language_index(const char *l)
{
	size_t i = 0;

	while (i + 1 < CONFIG_LANGUAGES_MAX && known_languages[i] != l)
		i++;
	return i;
}

/*
 * help_contacts: for every offered language or for none, so that no
 * reporter goes without the contacts another language shows. A line that
 * was refused counts as given (its own problem says what is wrong).
 */
static void
validate_help_contacts(const struct config *c, struct config_problems *p)
{
	char missing[16] = "";
	unsigned line = 0;

	for (size_t i = 0; i < CONFIG_LANGUAGES_MAX && line == 0; i++)
		line = c->line_of[K_HELP_CONTACTS_FR + i];
	if (line == 0)
		return;
	for (size_t i = 0; i < c->n_languages; i++) {
		if (c->line_of[K_HELP_CONTACTS_FR +
		    language_index(c->languages[i])] != 0)
			continue;
		strcat(missing, *missing != '\0' ? " " : "");
		strcat(missing, c->languages[i]);
	}
	if (*missing != '\0')
		problem(p, line, "help_contacts: not set for %s; set it for "
		    "every language in languages, or for none", missing);
}

/* Size a must not exceed size b; report on the line that set either. */
static void
validate_order(const struct config *c, int a, int b,
    struct config_problems *p)
{
	uint64_t va = *(const uint64_t *)((const char *)c + keys[a].off);
	uint64_t vb = *(const uint64_t *)((const char *)c + keys[b].off);
	unsigned line = c->line_of[a] ? c->line_of[a] : c->line_of[b];
	char sa[32], sb[32];

	if (va > vb)
		problem(p, line, "%s (%s) must not exceed %s (%s)",
		    keys[a].name, fmt_size(sa, va), keys[b].name,
		    fmt_size(sb, vb));
}

/*
 * config_validate(c, p):
 * Check what config_parse cannot see line by line: required keys, and keys
 * that must agree with each other. Set c->default_language if the file did
 * not. Add a problem to p for each failure; return 0 if none, or -1.
 */
int
config_validate(struct config *c, struct config_problems *p)
{
	size_t before = p->total;

	validate_required(c, p);
	validate_language(c, p);
	validate_help_contacts(c, p);
	validate_order(c, K_MAX_ATTACHMENT_SIZE, K_MAX_REPORT_SIZE, p);
	validate_order(c, K_MAX_REPORT_SIZE, K_MAX_STORE_SIZE, p);
#if SIZE_MAX < UINT64_MAX
	if (c->max_store_size > SIZE_MAX)
		problem(p, c->line_of[K_MAX_STORE_SIZE], "max_store_size: "
		    "too large for this machine's address space");
#endif
	return (p->total > before) ? -1 : 0;
}

/* Read the whole regular file fd into buf (CONFIG_FILE_MAX + 1 bytes). */
static int
read_all(int fd, char *buf, size_t *len, struct config_problems *p)
{
	struct stat st;
	ssize_t got;

	if (fstat(fd, &st) != 0)
		return problem(p, 0, "cannot stat: %s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return problem(p, 0, "not a regular file");
	*len = 0;
	while (*len <= CONFIG_FILE_MAX) {
		got = read(fd, buf + *len, CONFIG_FILE_MAX + 1 - *len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return problem(p, 0, "cannot read: %s",
			    strerror(errno));
		if (got == 0)
			return 0;
		*len += (size_t)got;
	}
	return problem(p, 0, "the file is larger than %d KiB",
	    CONFIG_FILE_MAX / 1024);
}

/*
 * config_load(c, path, p):
 * Initialise c, read the file at path (a regular file of at most
 * CONFIG_FILE_MAX bytes), then config_parse and config_validate it. Return 0,
 * or -1 with every problem in p; c must be passed to config_free either way.
 */
int
config_load(struct config *c, const char *path, struct config_problems *p)
{
	char *buf;
	size_t len = 0;
	int fd, rc = -1;

	config_init(c);
	if ((buf = malloc(CONFIG_FILE_MAX + 1)) == NULL)
		return problem(p, 0, "out of memory");
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		problem(p, 0, "cannot open: %s", strerror(errno));
		goto done;
	}
	if (read_all(fd, buf, &len, p) == 0) {
		rc = config_parse(c, buf, len, p);
		if (config_validate(c, p) != 0)
			rc = -1;
	}
	close(fd);
done:
	free(buf);
	return rc;
}

/*
 * config_print_problems(f, path, p):
 * Write each problem in p to f on a line of its own, prefixed by "path: "
 * if path is not NULL, and say how many were left out if p overflowed.
 */
void
config_print_problems(FILE *f, const char *path,
    const struct config_problems *p)
{
	for (size_t i = 0; i < p->n; i++)
		fprintf(f, "%s%s%s\n", path ? path : "", path ? ": " : "",
		    p->msg[i]);
	if (p->total > p->n)
		fprintf(f, "%s%s... and %zu more problems\n",
		    path ? path : "", path ? ": " : "", p->total - p->n);
}
