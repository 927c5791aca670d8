/*
 * test_config: the config file parser. Each key valid and invalid (one line
 * added to a minimal good file), every default, problems collected from
 * every line, limits on file and line size, sizes, config_load, and the
 * help_contacts texts (length, UTF-8, one per offered language or none).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "tap.h"

#define BASE "socket = /run/oniondrop/od.sock\n" \
	"data_dir = /var/lib/oniondrop\n" \
	"analyst_key = /etc/oniondrop/alice.pub\n"

static struct config_problems probs;

/* config_init, config_parse and config_validate text; return problems. */
static size_t
parse(struct config *c, const char *text, size_t len)
{
	config_problems_init(&probs);
	config_init(c);
	config_parse(c, text, len, &probs);
	config_validate(c, &probs);
	return probs.total;
}

/* Number of the line added by parse_with. */
static unsigned added_line;

/*
 * BASE plus line, parsed into c; return the number of problems. If line
 * sets socket or data_dir, it takes the place of BASE's line for that key,
 * unless it starts with '+' (which is skipped), to test duplicates.
 */
static size_t
parse_with(struct config *c, const char *line)
{
	char text[8192], *t = text;
	const char *b = BASE, *nl;
	int dup = (line[0] == '+');

	line += dup;
	added_line = 1;
	for (; (nl = strchr(b, '\n')) != NULL; b = nl + 1) {
		size_t klen = strcspn(b, " ");
		if (!dup && strncmp(b, line, klen) == 0 && line[klen] == ' ' &&
		    strncmp(b, "analyst_key", klen) != 0)
			continue;
		memcpy(t, b, (size_t)(nl - b) + 1);
		t += nl - b + 1;
		added_line++;
	}
	snprintf(t, sizeof(text) - (size_t)(t - text), "%s\n", line);
	return parse(c, text, strlen(text));
}

/* The value of key in c as a number (sizes, counts, booleans, mode). */
static uint64_t
num(const struct config *c, const char *key)
{
	static const struct { const char *key; size_t off, size; } f[] = {
#define N(k) { #k, offsetof(struct config, k), \
	sizeof(((struct config *)0)->k) }
		N(socket_mode), N(proxy_protocol), N(attachments),
		N(max_attachment_size), N(max_report_size),
		N(reports_per_circuit_per_hour), N(max_store_size),
		N(status_lookups_per_circuit_per_hour), N(idle_timeout),
		N(max_connections), N(n_analyst_keys), N(n_languages),
		N(connections_per_circuit), N(head_timeout),
		N(min_upload_rate), N(max_uploads), N(uploads_per_circuit),
		N(follow_ups),
#undef N
	};
	const char *p = (const char *)c;

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		if (strcmp(f[i].key, key) != 0)
			continue;
		if (f[i].size == 8)
			return *(const uint64_t *)(p + f[i].off);
		if (f[i].size == 4)
			return *(const uint32_t *)(p + f[i].off);
		return *(const uint16_t *)(p + f[i].off);
	}
	return UINT64_MAX;
}

/* The value of key in c as text (paths, group, languages joined). */
static const char *
str(const struct config *c, const char *key)
{
	static char buf[64];

	if (strcmp(key, "socket") == 0)
		return c->socket;
	if (strcmp(key, "socket_group") == 0)
		return c->socket_group;
	if (strcmp(key, "data_dir") == 0)
		return c->data_dir;
	if (strcmp(key, "tor_hs_dir") == 0)
		return c->tor_hs_dir;
	if (strcmp(key, "desk_key") == 0)
		return c->desk_key;
	if (strcmp(key, "default_language") == 0)
		return c->default_language;
	if (strcmp(key, "analyst_key") == 0)
		return c->analyst_keys[c->n_analyst_keys - 1];
	if (strcmp(key, "help_contacts.fr") == 0)
		return c->help_contacts[0];
	if (strcmp(key, "help_contacts.ar") == 0)
		return c->help_contacts[1];
	if (strcmp(key, "help_contacts.en") == 0)
		return c->help_contacts[2];
	buf[0] = '\0';
	for (size_t i = 0; i < c->n_languages; i++) {
		strcat(buf, i ? " " : "");
		strcat(buf, c->languages[i]);
	}
	return buf;
}

struct valid {
	const char *line, *key;
	uint64_t n;		/* Expected number, if s is NULL. */
	const char *s;		/* Expected text. */
};

static const struct valid valid[] = {
	{ "socket_mode = 0600", "socket_mode", 0600, NULL },
	{ "socket_mode = 660", "socket_mode", 0660, NULL },
	{ "socket_mode = 0", "socket_mode", 0, NULL },
	{ "socket_group = debian-tor", "socket_group", 0, "debian-tor" },
	{ "socket_group = 108", "socket_group", 0, "108" },
	{ "tor_hs_dir = /var/lib/tor/od/", "tor_hs_dir", 0,
	    "/var/lib/tor/od/" },
	{ "analyst_key = /etc/oniondrop/bob.pub", "analyst_key", 0,
	    "/etc/oniondrop/bob.pub" },
	{ "analyst_key = /etc/oniondrop/bob.pub", "n_analyst_keys", 2, NULL },
	{ "proxy_protocol = on", "proxy_protocol", 1, NULL },
	{ "proxy_protocol = off", "proxy_protocol", 0, NULL },
	{ "proxy_protocol = yes", "proxy_protocol", 1, NULL },
	{ "proxy_protocol = TRUE", "proxy_protocol", 1, NULL },
	{ "proxy_protocol = 1", "proxy_protocol", 1, NULL },
	{ "attachments = on", "attachments", 1, NULL },
	{ "attachments = no", "attachments", 0, NULL },
	{ "attachments = false", "attachments", 0, NULL },
	{ "attachments = 0", "attachments", 0, NULL },
	{ "max_attachment_size = 1", "max_attachment_size", 1, NULL },
	{ "max_attachment_size = 10M", "max_attachment_size", 10 << 20, NULL },
	{ "max_attachment_size = 256M", "max_attachment_size", 256 << 20, NULL },
	{ "max_report_size = 1G", "max_report_size", 1 << 30, NULL },
	{ "max_report_size = 131072k", "max_report_size", 128 << 20, NULL },
	{ "max_store_size = 100G", "max_store_size", 100ULL << 30, NULL },
	{ "max_store_size = 256M", "max_store_size", 256 << 20, NULL },
	{ "languages = en", "languages", 0, "en" },
	{ "languages = ar  fr", "languages", 0, "ar fr" },
	{ "languages = en\tar fr", "languages", 0, "en ar fr" },
	{ "languages = ar en", "default_language", 0, "ar" },
	{ "default_language = en", "default_language", 0, "en" },
	{ "default_language = ar", "languages", 0, "fr ar en" },
	{ "reports_per_circuit_per_hour = 1", "reports_per_circuit_per_hour",
	    1, NULL },
	{ "reports_per_circuit_per_hour = 10000",
	    "reports_per_circuit_per_hour", 10000, NULL },
	{ "status_lookups_per_circuit_per_hour = 100",
	    "status_lookups_per_circuit_per_hour", 100, NULL },
	{ "idle_timeout = 5", "idle_timeout", 5, NULL },
	{ "idle_timeout = 3600", "idle_timeout", 3600, NULL },
	{ "max_connections = 1", "max_connections", 1, NULL },
	{ "max_connections = 4096", "max_connections", 4096, NULL },
	{ "", "connections_per_circuit", 8, NULL },
	{ "connections_per_circuit = 1", "connections_per_circuit", 1, NULL },
	{ "", "head_timeout", 20, NULL },
	{ "head_timeout = 3600", "head_timeout", 3600, NULL },
	{ "", "min_upload_rate", 1024, NULL },
	{ "min_upload_rate = 16K", "min_upload_rate", 16384, NULL },
	{ "", "max_uploads", 32, NULL },
	{ "max_uploads = 1", "max_uploads", 1, NULL },
	{ "", "uploads_per_circuit", 2, NULL },
	{ "uploads_per_circuit = 65536", "uploads_per_circuit", 65536, NULL },
	{ "   idle_timeout\t=\t60   ", "idle_timeout", 60, NULL },
	{ "idle_timeout=60", "idle_timeout", 60, NULL },
	{ "  # idle_timeout = nonsense", "idle_timeout", 120, NULL },
	{ "", "idle_timeout", 120, NULL },
	{ "\t ", "idle_timeout", 120, NULL },
	{ "tor_hs_dir = /srv/données/سر", "tor_hs_dir", 0,
	    "/srv/données/سر" },
	{ "tor_hs_dir = /a b/c#d", "tor_hs_dir", 0, "/a b/c#d" },
	{ "desk_key = /etc/oniondrop/desk.pub", "desk_key", 0,
	    "/etc/oniondrop/desk.pub" },
	{ "", "follow_ups", CONFIG_FOLLOW_UPS_ASKED, NULL },
	{ "follow_ups = asked", "follow_ups", CONFIG_FOLLOW_UPS_ASKED, NULL },
	{ "follow_ups = always", "follow_ups", CONFIG_FOLLOW_UPS_ALWAYS, NULL },
	{ "follow_ups = off", "follow_ups", CONFIG_FOLLOW_UPS_OFF, NULL },
};

struct invalid {
	const char *line, *message;	/* message: expected after "line N: " */
};

static const struct invalid invalid[] = {
	{ "socket = relative.sock", "socket: 'relative.sock' is not an "
	    "absolute path (it must start with '/')" },
	{ "socket = /run/x/", "socket: '/run/x/' names a directory" },
	{ "socket = /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    "socket: the path is 108 bytes; a Unix socket path must be "
	    "shorter than 108" },
	{ "socket_mode = 0800", "socket_mode: '0800' is not an octal mode" },
	{ "socket_mode = 1777", "socket_mode: '1777' has bits above 0777" },
	{ "socket_mode = 00660", "socket_mode: '00660' is not an octal mode" },
	{ "socket_mode = rw", "socket_mode: 'rw' is not an octal mode" },
	{ "socket_group = tor users", "socket_group: 'tor users' is not a "
	    "group name" },
	{ "socket_group = -x", "socket_group: '-x' is not a group name" },
	{ "data_dir = var/lib/od", "data_dir: 'var/lib/od' is not an "
	    "absolute path" },
	{ "data_dir = \"/var/lib/od\"", "data_dir: '\"/var/lib/od\"' is not "
	    "an absolute path (values are written without quotes)" },
	{ "tor_hs_dir = ~/hs", "tor_hs_dir: '~/hs' is not an absolute path" },
	{ "desk_key = desk.pub", "desk_key: 'desk.pub' is not an absolute "
	    "path (it must start with '/')" },
	{ "follow_ups = sometimes", "follow_ups: 'sometimes' is not asked, "
	    "always or off" },
	{ "follow_ups = on", "follow_ups: 'on' is not asked, always or off" },
	{ "follow_ups = Always", "follow_ups: 'Always' is not asked, always "
	    "or off" },
	{ "analyst_key = alice.pub", "analyst_key: 'alice.pub' is not an "
	    "absolute path" },
	{ "analyst_key = /etc/oniondrop/alice.pub", "analyst_key: "
	    "'/etc/oniondrop/alice.pub' is listed twice" },
	{ "proxy_protocol = maybe", "proxy_protocol: 'maybe' is not on or "
	    "off" },
	{ "attachments = on # enable uploads", "attachments: 'on # enable "
	    "uploads' is not on or off (comments must be on a line of their "
	    "own)" },
	{ "attachments = 2", "attachments: '2' is not on or off" },
	{ "max_attachment_size = 12Q", "max_attachment_size: '12Q' is not a "
	    "size (use a number with K, M or G)" },
	{ "max_attachment_size = 0", "max_attachment_size: must be more "
	    "than 0" },
	{ "max_attachment_size = 512M", "max_attachment_size (512M) must not "
	    "exceed max_report_size (256M)" },
	{ "max_report_size = -1M", "max_report_size: '-1M' is not a size" },
	{ "max_report_size = 1.5G", "max_report_size: '1.5G' is not a size" },
	{ "max_report_size = 10 M", "max_report_size: '10 M' is not a size" },
	{ "max_report_size = 1MB", "max_report_size: '1MB' is not a size" },
	{ "max_report_size = 32M", "max_attachment_size (64M) must not "
	    "exceed max_report_size (32M)" },
	{ "max_report_size = 16G", "max_report_size (16G) must not exceed "
	    "max_store_size (8G)" },
	{ "max_store_size = 17179869184G", "max_store_size: '17179869184G' "
	    "is too large" },
	{ "max_store_size = 99999999999999999999", "max_store_size: "
	    "'99999999999999999999' is too large" },
	{ "max_store_size = 128M", "max_report_size (256M) must not exceed "
	    "max_store_size (128M)" },
	{ "languages = de", "languages: 'de' is not one of fr, ar, en" },
	{ "languages = fr FR", "languages: 'FR' is not one of fr, ar, en" },
	{ "languages = fr en fr", "languages: 'fr' is listed twice" },
	{ "languages = fr,en", "languages: 'fr,en' is not one of fr, ar, en" },
	{ "default_language = de", "default_language: 'de' is not one of fr, "
	    "ar, en" },
	{ "reports_per_circuit_per_hour = 0", "reports_per_circuit_per_hour: "
	    "'0' is out of range (1 to 10000)" },
	{ "reports_per_circuit_per_hour = 10001",
	    "reports_per_circuit_per_hour: '10001' is out of range" },
	{ "reports_per_circuit_per_hour = five",
	    "reports_per_circuit_per_hour: 'five' is not a whole number" },
	{ "status_lookups_per_circuit_per_hour = 0",
	    "status_lookups_per_circuit_per_hour: '0' is out of range" },
	{ "idle_timeout = 4", "idle_timeout: '4' is out of range (5 to 3600)" },
	{ "idle_timeout = 3601", "idle_timeout: '3601' is out of range" },
	{ "idle_timeout = -5", "idle_timeout: '-5' is not a whole number" },
	{ "idle_timeout = 99999999999999999999999", "idle_timeout: "
	    "'99999999999999999999999' is out of range" },
	{ "max_connections = 0", "max_connections: '0' is out of range" },
	{ "head_timeout = 0", "head_timeout: '0' is out of range (1 to 3600)" },
	{ "min_upload_rate = 0", "min_upload_rate: must be more than 0" },
	{ "uploads_per_circuit = 0", "uploads_per_circuit: '0' is out of "
	    "range" },
	{ "max_connections = 65537", "max_connections: '65537' is out of "
	    "range" },
	{ "+socket = /run/other.sock", "socket is given twice (first on "
	    "line 1)" },
	{ "+data_dir = /srv/od", "data_dir is given twice (first on line 2)" },
	{ "Socket = /run/x.sock", "unknown key 'Socket'" },
	{ "listen = 127.0.0.1:80", "unknown key 'listen'" },
	{ "idle_timeout", "expected 'key = value'" },
	{ "idle_timeout 60", "expected 'key = value'" },
	{ "= 60", "missing key before '='" },
	{ "idle_timeout =", "idle_timeout: missing value" },
	{ "idle_timeout = \t ", "idle_timeout: missing value" },
	{ "tor_hs_dir = /a\x01", "control character 0x01 at column 16" },
	{ "tor_hs_dir = /a\rb", "control character 0x0d at column 16" },
	{ "tor_hs_dir = /\xff", "not valid UTF-8 at column 15" },
	{ "tor_hs_dir = /\xc0\xaf", "not valid UTF-8 at column 15" },
	{ "tor_hs_dir = /\xed\xa0\x80", "not valid UTF-8 at column 15" },
	{ "tor_hs_dir = /\xf4\x90\x80\x80", "not valid UTF-8 at column 15" },
	{ "tor_hs_dir = /\xe2\x82", "not valid UTF-8 at column 15" },
	{ "help_contacts.fr = 17", "help_contacts: not set for ar en; set it "
	    "for every language in languages, or for none" },
	{ "help_contacts.ar = Police \xc0\xaf 19", "not valid UTF-8 at "
	    "column 27" },
	{ "help_contacts.en = 999\x7f", "control character 0x7f at column "
	    "23" },
	{ "help_contacts.de = 110", "unknown key 'help_contacts.de'" },
	{ "help_contacts = 17", "unknown key 'help_contacts'" },
};

static void
test_valid(void)
{
	struct config c;

	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		const struct valid *v = &valid[i];
		size_t n = parse_with(&c, v->line);

		if (v->s != NULL)
			ok(n == 0 && str(&c, v->key) != NULL &&
			    strcmp(str(&c, v->key), v->s) == 0,
			    "valid: '%s' sets %s to '%s' (%s)", v->line, v->key,
			    v->s, n ? probs.msg[0] : "no problem");
		else
			ok(n == 0 && num(&c, v->key) == v->n,
			    "valid: '%s' sets %s to %llu (%s)", v->line, v->key,
			    (unsigned long long)v->n,
			    n ? probs.msg[0] : "no problem");
		config_free(&c);
	}
}

static void
test_invalid(void)
{
	struct config c;
	char want[512];

	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		const struct invalid *v = &invalid[i];
		size_t n = parse_with(&c, v->line);

		snprintf(want, sizeof(want), "line %u: %s", added_line,
		    v->message);
		ok(n == 1 && strncmp(probs.msg[0], want, strlen(want)) == 0,
		    "invalid: '%s' -> %s", v->line,
		    n ? probs.msg[0] : "accepted");
		config_free(&c);
	}
}

static void
test_defaults(void)
{
	struct config c;

	ok(parse(&c, BASE, strlen(BASE)) == 0, "the minimal file is good");
	ok(strcmp(c.socket, "/run/oniondrop/od.sock") == 0, "socket stored");
	ok(strcmp(c.data_dir, "/var/lib/oniondrop") == 0, "data_dir stored");
	ok(c.n_analyst_keys == 1 &&
	    strcmp(c.analyst_keys[0], "/etc/oniondrop/alice.pub") == 0,
	    "analyst_key stored");
	is_int(c.socket_mode, 0660, "default socket_mode");
	ok(c.socket_group == NULL, "default socket_group unset");
	is_int(c.proxy_protocol, 0, "default proxy_protocol off");
	is_int(c.attachments, 0, "default attachments off");
	is_int(c.max_attachment_size, 64 << 20, "default max_attachment_size");
	is_int(c.max_report_size, 256 << 20, "default max_report_size");
	ok(strcmp(str(&c, "languages"), "fr ar en") == 0, "default languages");
	ok(c.default_language != NULL &&
	    strcmp(c.default_language, "fr") == 0, "default default_language");
	ok(c.tor_hs_dir == NULL, "default tor_hs_dir unset");
	ok(c.desk_key == NULL, "default desk_key unset");
	is_int(c.follow_ups, CONFIG_FOLLOW_UPS_ASKED, "default follow_ups asked");
	is_int(c.reports_per_circuit_per_hour, 5, "default reports/circuit");
	is_int(c.status_lookups_per_circuit_per_hour, 30,
	    "default status lookups/circuit");
	is_int(c.max_store_size, 8ULL << 30, "default max_store_size");
	is_int(c.idle_timeout, 120, "default idle_timeout");
	is_int(c.max_connections, 512, "default max_connections");
	ok(c.help_contacts[0] == NULL && c.help_contacts[1] == NULL &&
	    c.help_contacts[2] == NULL, "default help_contacts unset");
	config_free(&c);
	ok(c.socket == NULL && c.n_analyst_keys == 0, "config_free zeroes");
	config_free(&c);
	config_free(NULL);
	ok(1, "config_free twice and config_free(NULL) are harmless");
}

static void
test_required(void)
{
	struct config c;

	ok(parse(&c, "", 0) == 3, "an empty file lacks three keys");
	ok(strncmp(probs.msg[0], "socket is required", 18) == 0,
	    "socket required: %s", probs.msg[0]);
	ok(strncmp(probs.msg[1], "data_dir is required", 20) == 0,
	    "data_dir required: %s", probs.msg[1]);
	ok(strncmp(probs.msg[2], "analyst_key is required", 23) == 0,
	    "analyst_key required: %s", probs.msg[2]);
	config_free(&c);
	ok(parse(&c, "socket = x\n", 11) == 3,
	    "a refused socket line is not also reported as missing");
	config_free(&c);
}

static void
test_all_problems(void)
{
	const char *text = "# a comment\n"
	    "socket = 127.0.0.1:8080\n"
	    "data_dir = /var/lib/od\n"
	    "colour = blue\n"
	    "analyst_key = /k.pub\n"
	    "idle_timeout = 1\n"
	    "\n"
	    "max_attachment_size = 12Q\n"
	    "data_dir = /var/lib/od2\n"
	    "attachments\n";
	static const char *const want[] = {
		"line 2: socket must be a filesystem path: oniondropd never "
		    "opens an IP socket (got '127.0.0.1:8080')",
		"line 4: unknown key 'colour'",
		"line 6: idle_timeout: '1' is out of range (5 to 3600)",
		"line 8: max_attachment_size: '12Q' is not a size (use a "
		    "number with K, M or G)",
		"line 9: data_dir is given twice (first on line 3)",
		"line 10: expected 'key = value'",
	};
	struct config c;
	size_t n = parse(&c, text, strlen(text));

	is_int(n, 6, "every bad line is reported");
	for (size_t i = 0; i < 6 && i < probs.n; i++)
		ok(strcmp(probs.msg[i], want[i]) == 0, "problem %zu: %s", i,
		    probs.msg[i]);
	config_free(&c);
}

static void
test_ip_sockets(void)
{
	static const char *const ip[] = {
		"127.0.0.1:8080", "[::1]:80", "localhost:80", "localhost",
		"tcp:127.0.0.1:80", "tcp://0.0.0.0:80", "0.0.0.0", "8080",
		"::1", "*:80", "unix:relative", "10.1.2",
	};
	struct config c;
	char line[128];

	for (size_t i = 0; i < sizeof(ip) / sizeof(ip[0]); i++) {
		snprintf(line, sizeof(line), "socket = %s\ndata_dir = /d\n"
		    "analyst_key = /k\n", ip[i]);
		ok(parse(&c, line, strlen(line)) == 1 && strstr(probs.msg[0],
		    "socket must be a filesystem path: oniondropd never opens "
		    "an IP socket") != NULL, "socket %s refused: %s", ip[i],
		    probs.msg[0]);
		config_free(&c);
	}
	snprintf(line, sizeof(line), "socket = unix:/run/od.sock\n"
	    "data_dir = /d\nanalyst_key = /k\n");
	ok(parse(&c, line, strlen(line)) == 0 &&
	    strcmp(c.socket, "/run/od.sock") == 0,
	    "torrc's unix:/path form is accepted");
	config_free(&c);
}

static void
test_limits(void)
{
	struct config c;
	size_t blen = strlen(BASE);
	char *big = malloc(CONFIG_FILE_MAX + 2);

	memcpy(big, BASE, blen);
	memset(big + blen, '#', CONFIG_FILE_MAX + 1 - blen);
	for (size_t i = blen + 63; i <= CONFIG_FILE_MAX; i += 64)
		big[i] = '\n';
	ok(parse(&c, big, CONFIG_FILE_MAX) == 0, "a 64 KiB file is read");
	config_free(&c);
	ok(parse(&c, big, CONFIG_FILE_MAX + 1) >= 1 && strcmp(probs.msg[0],
	    "the file is larger than 64 KiB") == 0, "64 KiB + 1 refused: %s",
	    probs.msg[0]);
	config_free(&c);

	memset(big + blen, '#', CONFIG_LINE_MAX);
	big[blen + CONFIG_LINE_MAX] = '\n';
	ok(parse(&c, big, blen + CONFIG_LINE_MAX + 1) == 0,
	    "a 4096-byte line is read");
	config_free(&c);
	big[blen + CONFIG_LINE_MAX] = '#';
	big[blen + CONFIG_LINE_MAX + 1] = '\n';
	ok(parse(&c, big, blen + CONFIG_LINE_MAX + 2) == 1 &&
	    strcmp(probs.msg[0], "line 4: longer than 4096 bytes") == 0,
	    "a 4097-byte line refused: %s", probs.msg[0]);
	config_free(&c);
	free(big);
}

static void
test_text_forms(void)
{
	const char *crlf = "socket = /s\r\ndata_dir = /d\r\n"
	    "analyst_key = /k\r\n# c\r\n\r\nidle_timeout = 60\r\n";
	const char *nolf = "socket = /s\ndata_dir = /d\nanalyst_key = /k";
	const char nul[] = "socket = /s\ndata_dir = /d\0x\nanalyst_key = /k\n";
	struct config c;

	ok(parse(&c, crlf, strlen(crlf)) == 0 && strcmp(c.socket, "/s") == 0 &&
	    c.idle_timeout == 60, "CRLF line ends are tolerated");
	config_free(&c);
	ok(parse(&c, nolf, strlen(nolf)) == 0 &&
	    strcmp(c.analyst_keys[0], "/k") == 0, "last line without LF");
	config_free(&c);
	/* The refused line sets nothing, so data_dir is also missing. */
	ok(parse(&c, nul, sizeof(nul) - 1) == 2 && strcmp(probs.msg[0],
	    "line 2: control character 0x00 at column 14") == 0,
	    "NUL byte refused: %s", probs.msg[0]);
	config_free(&c);
}

static void
test_analysts(void)
{
	char text[4096], *t = text;
	struct config c;

	t += sprintf(t, "socket = /s\ndata_dir = /d\n");
	for (int i = 0; i < CONFIG_ANALYSTS_MAX; i++)
		t += sprintf(t, "analyst_key = /keys/%02d.pub\n", i);
	ok(parse(&c, text, strlen(text)) == 0 && c.n_analyst_keys == 32 &&
	    strcmp(c.analyst_keys[31], "/keys/31.pub") == 0,
	    "32 analyst keys, in order");
	config_free(&c);
	sprintf(t, "analyst_key = /keys/32.pub\n");
	ok(parse(&c, text, strlen(text)) == 1 && strcmp(probs.msg[0],
	    "line 35: analyst_key: more than 32 analyst keys") == 0,
	    "a 33rd analyst key refused: %s", probs.msg[0]);
	config_free(&c);
}

static void
test_languages(void)
{
	struct config c;

	ok(parse_with(&c, "languages = en ar\ndefault_language = fr") == 1 &&
	    strcmp(probs.msg[0], "line 5: default_language: 'fr' is not one "
	    "of the languages (en ar)") == 0, "default outside the list: %s",
	    probs.msg[0]);
	config_free(&c);
	ok(parse_with(&c, "default_language = ar\nlanguages = en ar") == 0 &&
	    strcmp(c.default_language, "ar") == 0,
	    "default_language may come before languages");
	config_free(&c);
}

/* Arabic alone, and its help_contacts (a format for snprintf). */
#define AR_ONLY "languages = ar\nhelp_contacts.ar = %s"

static void
test_help_contacts(void)
{
	static const struct {
		const char *lines, *desc, *fr, *ar, *en;
	} good[] = {
		{ "help_contacts.fr = 17\nhelp_contacts.ar = الشرطة: 19\n"
		    "help_contacts.en = Police: 19", "one per language",
		    "17", "الشرطة: 19", "Police: 19" },
		{ "languages = fr\nhelp_contacts.fr = Police : 17 <b>&amp; "
		    "#1", "markup and '#' kept as text", "Police : 17 <b>&amp; "
		    "#1", NULL, NULL },
		{ "languages = ar\nhelp_contacts.ar = \t 19  ",
		    "spaces around trimmed", NULL, "19", NULL },
		{ "languages = en\nhelp_contacts.fr = 17\nhelp_contacts.en = "
		    "999", "a language not offered may have one", "17", NULL,
		    "999" },
	};
	char v[CONFIG_HELP_CONTACTS_MAX + 2] = "", line[1024];
	struct config c;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const char *want[3] = { good[i].fr, good[i].ar, good[i].en };
		int same = parse_with(&c, good[i].lines) == 0;

		for (int l = 0; l < 3; l++)
			same = same && (want[l] == NULL ?
			    c.help_contacts[l] == NULL : c.help_contacts[l] &&
			    strcmp(c.help_contacts[l], want[l]) == 0);
		ok(same, "help_contacts: %s (%s)", good[i].desc,
		    probs.n ? probs.msg[0] : "no problem");
		config_free(&c);
	}

	/* 256 Arabic letters of two bytes each: the limit exactly. */
	for (int i = 0; i < CONFIG_HELP_CONTACTS_MAX / 2; i++)
		strcat(v, "\xd8\xb9");
	snprintf(line, sizeof(line), AR_ONLY, v);
	ok(parse_with(&c, line) == 0 &&
	    strlen(c.help_contacts[1]) == CONFIG_HELP_CONTACTS_MAX,
	    "help_contacts: %d bytes are accepted", CONFIG_HELP_CONTACTS_MAX);
	config_free(&c);
	ok(c.help_contacts[1] == NULL, "config_free frees help_contacts");
	strcat(v, "x");
	snprintf(line, sizeof(line), AR_ONLY, v);
	ok(parse_with(&c, line) == 1 && strcmp(probs.msg[0], "line 5: "
	    "help_contacts.ar: 513 bytes; at most 512") == 0,
	    "help_contacts: 513 bytes refused: %s", probs.msg[0]);
	config_free(&c);
	snprintf(line, sizeof(line), "help_contacts.fr = %s\n"
	    "help_contacts.ar = 19\nhelp_contacts.en = 19", v);
	ok(parse_with(&c, line) == 1, "help_contacts: a refused line is not "
	    "also reported as missing (%zu problems)", probs.total);
	config_free(&c);
	/* Cut inside the last letter: not UTF-8. */
	v[CONFIG_HELP_CONTACTS_MAX - 1] = '\0';
	snprintf(line, sizeof(line), AR_ONLY, v);
	ok(parse_with(&c, line) == 1 && strcmp(probs.msg[0], "line 5: not "
	    "valid UTF-8 at column 530") == 0,
	    "help_contacts: a cut character refused: %s",
	    probs.msg[0]);
	config_free(&c);
	ok(parse_with(&c, "languages = fr en\nhelp_contacts.fr = 17") == 1 &&
	    strcmp(probs.msg[0], "line 5: help_contacts: not "
	    "set for en; set it for every language in languages, or for "
	    "none") == 0, "help_contacts: one offered language without: %s",
	    probs.msg[0]);
	config_free(&c);
	ok(parse_with(&c, "help_contacts.en = 999\nhelp_contacts.en = 112") ==
	    2 && strcmp(probs.msg[0], "line 5: help_contacts.en is "
	    "given twice (first on line 4)") == 0,
	    "help_contacts: a key given twice: %s", probs.msg[0]);
	config_free(&c);
}

static void
test_sizes(void)
{
	static const struct { const char *s; int rc; uint64_t v; } v[] = {
		{ "1", 0, 1 }, { "1K", 0, 1024 }, { "1k", 0, 1024 },
		{ "64M", 0, 64ULL << 20 }, { "8G", 0, 8ULL << 30 },
		{ "3g", 0, 3ULL << 30 }, { "007", 0, 7 },
		{ "18446744073709551615", 0, UINT64_MAX },
		{ "17179869183G", 0, 17179869183ULL << 30 },
		{ "18446744073709551616", -1, 0 }, { "17179869184G", -1, 0 },
		{ "18014398509481984K", -1, 0 }, { "0", -1, 0 },
		{ "0K", -1, 0 }, { "", -1, 0 }, { "K", -1, 0 }, { "12Q", -1, 0 },
		{ "-1", -1, 0 }, { "+1", -1, 0 }, { " 1", -1, 0 },
		{ "1 ", -1, 0 }, { "1 K", -1, 0 }, { "1KB", -1, 0 },
		{ "1T", -1, 0 }, { "1KK", -1, 0 }, { "0x10", -1, 0 },
	};
	uint64_t out;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		out = 0;
		int rc = config_parse_size(v[i].s, &out);
		ok(rc == v[i].rc && (rc != 0 || out == v[i].v),
		    "config_parse_size('%s') = %d, %llu", v[i].s, rc,
		    (unsigned long long)out);
	}
}

static void
test_load(void)
{
	char dir[] = "/tmp/test_config.XXXXXX", path[64];
	struct config c;
	FILE *f;
	char *out = NULL;
	size_t outlen = 0;

	ok(mkdtemp(dir) != NULL, "temporary directory");
	snprintf(path, sizeof(path), "%s/od.conf", dir);
	f = fopen(path, "w");
	fputs(BASE "attachments = on\n", f);
	fclose(f);
	config_problems_init(&probs);
	ok(config_load(&c, path, &probs) == 0 && c.attachments == 1 &&
	    strcmp(c.default_language, "fr") == 0, "config_load reads a file");
	config_free(&c);

	f = fopen(path, "w");
	fputs("socket = 127.0.0.1:80\nbogus = 1\n", f);
	fclose(f);
	config_problems_init(&probs);
	ok(config_load(&c, path, &probs) == -1 && probs.total == 4,
	    "config_load collects parse and validate problems (%zu)",
	    probs.total);
	f = open_memstream(&out, &outlen);
	config_print_problems(f, "od.conf", &probs);
	fclose(f);
	ok(strncmp(out, "od.conf: line 1: socket must be", 31) == 0 &&
	    strstr(out, "\nod.conf: line 2: unknown key 'bogus'\n") != NULL,
	    "config_print_problems prefixes the path");
	free(out);
	config_free(&c);

	f = fopen(path, "w");
	for (int i = 0; i < 70 * 1024; i++)
		fputc('#', f);
	fclose(f);
	config_problems_init(&probs);
	ok(config_load(&c, path, &probs) == -1 && strcmp(probs.msg[0],
	    "the file is larger than 64 KiB") == 0, "config_load: too large");
	config_free(&c);

	config_problems_init(&probs);
	ok(config_load(&c, dir, &probs) == -1 &&
	    strcmp(probs.msg[0], "not a regular file") == 0,
	    "config_load refuses a directory");
	config_free(&c);
	unlink(path);
	rmdir(dir);
	config_problems_init(&probs);
	ok(config_load(&c, path, &probs) == -1 &&
	    strncmp(probs.msg[0], "cannot open: ", 13) == 0,
	    "config_load: missing file: %s", probs.msg[0]);
	config_free(&c);
}

static void
test_overflow_of_problems(void)
{
	char text[8192], *t = text;
	struct config c;
	char *out = NULL;
	size_t outlen = 0;
	FILE *f;

	t += sprintf(t, BASE);
	for (int i = 0; i < 100; i++)
		t += sprintf(t, "junk%d = 1\n", i);
	ok(parse(&c, text, strlen(text)) == 100, "100 problems counted");
	is_int(probs.n, CONFIG_PROBLEMS_MAX, "the first ones kept");
	f = open_memstream(&out, &outlen);
	config_print_problems(f, NULL, &probs);
	fclose(f);
	ok(strstr(out, "... and 36 more problems\n") != NULL,
	    "the rest are counted when printed");
	free(out);
	config_free(&c);
}

int
main(void)
{
	test_defaults();
	test_valid();
	test_invalid();
	test_required();
	test_all_problems();
	test_ip_sockets();
	test_limits();
	test_text_forms();
	test_analysts();
	test_languages();
	test_help_contacts();
	test_sizes();
	test_load();
	test_overflow_of_problems();
	return tap_done();
}
