/*
 * test_proxy: the PROXY v1 line parser, each case fed whole, byte by byte
 * and split at every point, with the HTTP request that follows it in the
 * same buffer.
 */
#include <stdint.h>
#include <string.h>

#include "proxy.h"
#include "tap.h"

#define HTTP "GET / HTTP/1.1\r\n"

struct good {
	const char *line;
	enum proxy_family family;
	int has_id;
	uint32_t id;
	uint16_t sport, dport;
};

static const struct good good[] = {
	/* Exactly what Tor sends with HiddenServiceExportCircuitID haproxy. */
	{ "PROXY TCP6 fc00:dead:beef:4dad::0:92 ::1 146 80\r\n",
	    PROXY_FAMILY_TCP6, 1, 0x92, 146, 80 },
	{ "PROXY TCP6 fc00:dead:beef:4dad::ffff:ffff ::1 65535 80\r\n",
	    PROXY_FAMILY_TCP6, 1, 0xffffffff, 65535, 80 },
	{ "PROXY TCP6 fc00:dead:beef:4dad::1234:5678 ::1 22136 443\r\n",
	    PROXY_FAMILY_TCP6, 1, 0x12345678, 22136, 443 },
	{ "PROXY TCP6 ::FFFF:1.2.3.4 ::1 1 2\r\n",
	    PROXY_FAMILY_TCP6, 1, 0x01020304, 1, 2 },
	{ "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.254 ::1 "
	    "65535 65535\r\n", PROXY_FAMILY_TCP6, 1, 0xfffffffe, 65535, 65535 },
	{ "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n",
	    PROXY_FAMILY_TCP4, 1, 0xc0a80001, 56324, 443 },
	{ "PROXY TCP4 0.0.0.0 255.255.255.255 0 0\r\n",
	    PROXY_FAMILY_TCP4, 1, 0, 0, 0 },
	{ "PROXY UNKNOWN\r\n", PROXY_FAMILY_UNKNOWN, 0, 0, 0, 0 },
	{ "PROXY UNKNOWN ffff:f::1 ::2 1 2\r\n",
	    PROXY_FAMILY_UNKNOWN, 0, 0, 0, 0 },
	/* The longest line the protocol allows: 107 bytes. */
	{ "PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n",
	    PROXY_FAMILY_UNKNOWN, 0, 0, 0, 0 },
};

struct bad {
	const char *what;
	const char *line;
};

static const struct bad bad[] = {
	{ "an HTTP request", HTTP },
	{ "lowercase proxy", "proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n" },
	{ "lowercase protocol", "PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n" },
	{ "TCP5", "PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n" },
	{ "UNKNOWN glued to more", "PROXY UNKNOWNX\r\n" },
	{ "no space after PROXY", "PROXYTCP4 1.2.3.4 5.6.7.8 1 2\r\n" },
	{ "double space after PROXY", "PROXY  TCP4 1.2.3.4 5.6.7.8 1 2\r\n" },
	{ "double space before src", "PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n" },
	{ "double space before dst", "PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n" },
	{ "double space before sport", "PROXY TCP4 1.2.3.4 5.6.7.8  1 2\r\n" },
	{ "double space before dport", "PROXY TCP4 1.2.3.4 5.6.7.8 1  2\r\n" },
	{ "tab for space", "PROXY TCP4\t1.2.3.4 5.6.7.8 1 2\r\n" },
	{ "trailing space", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n" },
	{ "missing dport", "PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n" },
	{ "empty dport", "PROXY TCP4 1.2.3.4 5.6.7.8 1 \r\n" },
	{ "missing ports", "PROXY TCP4 1.2.3.4 5.6.7.8\r\n" },
	{ "IPv4 octet 256", "PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n" },
	{ "IPv4 three parts", "PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n" },
	{ "IPv4 leading zero", "PROXY TCP4 01.2.3.4 5.6.7.8 1 2\r\n" },
	{ "IPv6 under TCP4", "PROXY TCP4 ::1 5.6.7.8 1 2\r\n" },
	{ "IPv4 under TCP6", "PROXY TCP6 1.2.3.4 ::1 1 2\r\n" },
	{ "bad IPv6 dst", "PROXY TCP6 ::1 1:2:3:4:5:6:7:8:9 1 2\r\n" },
	{ "IPv6 with two ::", "PROXY TCP6 1::2::3 ::1 1 2\r\n" },
	{ "IPv6 with a letter", "PROXY TCP6 fc00::g ::1 1 2\r\n" },
	{ "IPv6 with a scope", "PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n" },
	{ "IPv6 too long", "PROXY TCP6 0000:0000:0000:0000:0000:0000:"
	    "0000:0000:0 ::1 1 2\r\n" },
	{ "port 65536", "PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n" },
	{ "dport 65536", "PROXY TCP4 1.2.3.4 5.6.7.8 1 65536\r\n" },
	{ "port 100000", "PROXY TCP4 1.2.3.4 5.6.7.8 100000 2\r\n" },
	{ "port with a leading zero", "PROXY TCP4 1.2.3.4 5.6.7.8 080 2\r\n" },
	{ "port 00", "PROXY TCP4 1.2.3.4 5.6.7.8 1 00\r\n" },
	{ "port with a sign", "PROXY TCP4 1.2.3.4 5.6.7.8 +1 2\r\n" },
	{ "negative port", "PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n" },
	{ "hex port", "PROXY TCP4 1.2.3.4 5.6.7.8 0x10 2\r\n" },
	{ "bare LF", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n" },
	{ "bare LF after UNKNOWN", "PROXY UNKNOWN\n" },
	{ "bare LF in UNKNOWN", "PROXY UNKNOWN a\nb\r\n" },
	{ "CR without LF", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rX" },
	{ "CR CR LF", "PROXY UNKNOWN\r\r\n" },
	{ "CR in a field", "PROXY TCP4 1.2.3.4\r\n" },
	{ "NUL in prefix", "PRO\0XY" },
	{ "no CRLF within 107 bytes", "PROXY UNKNOWN "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n" },
	{ "two 45-byte addresses", "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:"
	    "ffff:255.255.255.254 ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255 "
	    "1 2\r\n" },
	{ "108-byte line", "PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:"
	    "ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 655355\r\n" },
};

/* Feed buf[0..len) in pieces of at most step bytes (0: at split only). */
static int
feed(struct proxy_parser *p, const uint8_t *buf, size_t len, size_t step,
    size_t split, size_t *used)
{
	size_t off = 0, got;
	int rc = PROXY_NEED_MORE;

	proxy_init(p);
	while (rc == PROXY_NEED_MORE && off < len) {
		size_t n = step ? step : (off < split ? split : len - off);
		if (n > len - off)
			n = len - off;
		rc = proxy_feed(p, buf + off, n, &got);
		if (got > n)
			return PROXY_ERROR - 1;
		off += got;
	}
	*used = off;
	return rc;
}

/* Did p read exactly g, leaving the HTTP request unconsumed? */
static int
matches(const struct proxy_parser *p, int rc, size_t used,
    const struct good *g)
{
	const struct proxy_info *i = proxy_result(p);

	return rc == PROXY_DONE && used == strlen(g->line) && i != NULL &&
	    i->family == g->family && i->has_circuit_id == g->has_id &&
	    i->circuit_id == g->id && i->src_port == g->sport &&
	    i->dst_port == g->dport && proxy_error(p) == NULL;
}

static void
test_good(const struct good *g)
{
	struct proxy_parser p;
	uint8_t buf[256];
	size_t len = strlen(g->line), used = 0;
	int all_splits = 1, rc;

	memcpy(buf, g->line, len);
	memcpy(buf + len, HTTP, strlen(HTTP));
	rc = feed(&p, buf, len + strlen(HTTP), len + strlen(HTTP), 0, &used);
	ok(matches(&p, rc, used, g), "whole: %.*s", (int)len - 2, g->line);
	ok(buf[used] == 'G', "consumed stops at the first HTTP byte");
	rc = feed(&p, buf, len + strlen(HTTP), 1, 0, &used);
	ok(matches(&p, rc, used, g), "byte by byte");
	for (size_t s = 1; s < len + strlen(HTTP); s++) {
		rc = feed(&p, buf, len + strlen(HTTP), 0, s, &used);
		if (!matches(&p, rc, used, g))
			all_splits = 0;
	}
	ok(all_splits, "split at every point");
	ok(len <= PROXY_LINE_MAX, "within the length limit");
}

static void
test_bad(const struct bad *b)
{
	struct proxy_parser p;
	const uint8_t *buf = (const uint8_t *)b->line;
	size_t len = strlen(b->line), used;
	int all, rc;

	if (strcmp(b->what, "NUL in prefix") == 0)
		len = 6;
	rc = feed(&p, buf, len, len, 0, &used);
	ok(rc == PROXY_ERROR && proxy_result(&p) == NULL &&
	    proxy_error(&p) != NULL,
	    "refuses %s whole (%s)", b->what,
	    proxy_error(&p) ? proxy_error(&p) : "accepted");
	all = feed(&p, buf, len, 1, 0, &used) == PROXY_ERROR;
	for (size_t s = 1; s < len; s++) {
		if (feed(&p, buf, len, 0, s, &used) != PROXY_ERROR)
			all = 0;
	}
	ok(all, "refuses %s byte by byte and split", b->what);
}

static void
test_incremental(void)
{
	struct proxy_parser p;
	const char *tor = "PROXY TCP6 fc00:dead:beef:4dad::0:92 ::1 146 80\r\n";
	size_t used;
	int rc;

	proxy_init(&p);
	rc = proxy_feed(&p, (const uint8_t *)"", 0, &used);
	ok(rc == PROXY_NEED_MORE && used == 0, "empty feed needs more");
	rc = proxy_feed(&p, (const uint8_t *)tor, 20, &used);
	ok(rc == PROXY_NEED_MORE && used == 20,
	    "a partial line needs more and is consumed");
	ok(proxy_result(&p) == NULL && proxy_error(&p) == NULL,
	    "no result or error before the CRLF");
	rc = proxy_feed(&p, (const uint8_t *)tor + 20, strlen(tor) - 20, &used);
	ok(rc == PROXY_DONE && used == strlen(tor) - 20,
	    "the rest completes it");
	rc = proxy_feed(&p, (const uint8_t *)HTTP, 4, &used);
	ok(rc == PROXY_DONE && used == 0, "DONE stays DONE, consuming nothing");

	proxy_init(&p);
	rc = proxy_feed(&p, (const uint8_t *)HTTP, strlen(HTTP), &used);
	ok(rc == PROXY_ERROR && used == 1, "GET refused at its first byte");
	rc = proxy_feed(&p, (const uint8_t *)tor, strlen(tor), &used);
	ok(rc == PROXY_ERROR && used == 0,
	    "ERROR stays ERROR, consuming nothing");

	proxy_init(&p);
	rc = proxy_feed(&p, (const uint8_t *)"PROXY TCP4 1.2.3.4 5.6.7.8 1 01",
	    31, &used);
	ok(rc == PROXY_ERROR && used == 31,
	    "leading zero refused at the second digit");
}

int
main(void)
{
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		test_good(&good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		test_bad(&bad[i]);
	test_incremental();
	return tap_done();
}
