/*
 * test_url: client-keys/url on a table of typed lines, each compared whole
 * (canonical URL and host, or text), then lines at and over each limit.
 * Every URL the table gives is canonicalized again and must come back the
 * same; every line called text must leave out as it was. The IDN answers
 * were checked with the idn2 command (libidn2 2.3.3).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "url.h"

struct url_case {
	const char *in;
	size_t len;
	const char *url;	/* NULL: text */
	const char *host;
};

#define URL(in, url, host) { in, sizeof(in) - 1, url, host }
#define TEXT(in) { in, sizeof(in) - 1, NULL, NULL }

static const struct url_case cases[] = {
	/* case */
	URL("HTTP://EXAMPLE.COM", "http://example.com/", "example.com"),
	URL("http://Example.Com/Path/To", "http://example.com/Path/To",
	    "example.com"),
	URL("HtTpS://WWW.Example.ORG/A?B=C", "https://www.example.org/A?B=C",
	    "www.example.org"),
	/* no scheme */
	URL("example.org/x", "http://example.org/x", "example.org"),
	URL("www.example.org", "http://www.example.org/", "www.example.org"),
	URL("//example.org/a", "http://example.org/a", "example.org"),
	URL("example.com:8080/x", "http://example.com:8080/x", "example.com"),
	URL("localhost:8080", "http://localhost:8080/", "localhost"),
	URL("http:/example.com", "http://example.com/", "example.com"),
	URL("http:\\\\example.com", "http://example.com/", "example.com"),
	/* IDN */
	URL("http://\xd9\x85\xd8\xab\xd8\xa7\xd9\x84.\xd8\xa5\xd8\xae\xd8\xaa"
	    "\xd8\xa8\xd8\xa7\xd8\xb1/", "http://xn--mgbh0fb.xn--kgbechtv/",
	    "xn--mgbh0fb.xn--kgbechtv"),
	URL("\xd9\x85\xd8\xab\xd8\xa7\xd9\x84.\xd8\xa5\xd8\xae\xd8\xaa\xd8\xa8"
	    "\xd8\xa7\xd8\xb1/\xd9\x85", "http://xn--mgbh0fb.xn--kgbechtv/%D9%85",
	    "xn--mgbh0fb.xn--kgbechtv"),
	URL("caf\xc3\xa9.fr", "http://xn--caf-dma.fr/", "xn--caf-dma.fr"),
	URL("http://CAF\xc3\x89.FR/Menu", "http://xn--caf-dma.fr/Menu",
	    "xn--caf-dma.fr"),
	URL("http://caf%C3%A9.fr/", "http://xn--caf-dma.fr/", "xn--caf-dma.fr"),
	URL("http://xn--caf-dma.fr/", "http://xn--caf-dma.fr/",
	    "xn--caf-dma.fr"),
	URL("http://\xd0\xbf\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80."
	    "\xd1\x80\xd1\x84/", "http://xn--e1afmkfd.xn--p1ai/",
	    "xn--e1afmkfd.xn--p1ai"),
	/* IDNA2008 keeps sharp s; the snowman needs the transitional rules */
	URL("http://fa\xc3\x9f.de/", "http://xn--fa-hia.de/", "xn--fa-hia.de"),
	URL("http://\xe2\x98\x83.net/", "http://xn--n3h.net/", "xn--n3h.net"),
	/* full-width letters and a soft hyphen are mapped away */
	URL("http://\xef\xbd\x85\xef\xbd\x98\xef\xbd\x81\xef\xbd\x8d\xef\xbd\x90"
	    "\xef\xbd\x8c\xef\xbd\x85.com/", "http://example.com/", "example.com"),
	URL("http://ex\xc2\xad" "ample.com/", "http://example.com/",
	    "example.com"),
	/* U+FF0F would map to '/', U+202E is disallowed: text */
	TEXT("http://a\xef\xbc\x8f" "b.example/"),
	TEXT("http://a\xe2\x80\xae" "b.com/"),
	TEXT("http://\xff.com/"),
	/* defanged */
	URL("hxxp://example[.]com/a", "http://example.com/a", "example.com"),
	URL("hXXps://evil(.)org", "https://evil.org/", "evil.org"),
	URL("http[:]//example[dot]com/", "http://example.com/", "example.com"),
	URL("http[://]example.com", "http://example.com/", "example.com"),
	URL("hxxps[:]//www{.}example(DOT)org/p", "https://www.example.org/p",
	    "www.example.org"),
	URL("example[.]com", "http://example.com/", "example.com"),
	URL("hxxp://example[.]com/a[.]b", "http://example.com/a%5B.%5Db",
	    "example.com"),
	/* ports */
	URL("https://example.com:443/", "https://example.com/", "example.com"),
	URL("http://example.com:80/", "http://example.com/", "example.com"),
	URL("http://example.com:8080/", "http://example.com:8080/",
	    "example.com"),
	URL("https://example.com:80/", "https://example.com:80/",
	    "example.com"),
	URL("http://example.com:/", "http://example.com/", "example.com"),
	URL("http://example.com:0080/", "http://example.com/", "example.com"),
	URL("http://example.com:65535/", "http://example.com:65535/",
	    "example.com"),
	TEXT("http://example.com:65536/"),
	TEXT("http://example.com:8o/"),
	TEXT("http://example.com:80:80/"),
	/* fragments and empty queries */
	URL("http://x.example?q=1#frag", "http://x.example/?q=1", "x.example"),
	URL("http://x.example/#/gallery/1", "http://x.example/", "x.example"),
	URL("http://x.example/?", "http://x.example/", "x.example"),
	URL("http://example.com/a?#x", "http://example.com/a", "example.com"),
	/* userinfo */
	URL("http://user:pass@host.example/", "http://host.example/",
	    "host.example"),
	URL("http://example.com@evil.org/", "http://evil.org/", "evil.org"),
	URL("http://a@b@c.example/", "http://c.example/", "c.example"),
	URL("http://@example.com/", "http://example.com/", "example.com"),
	TEXT("user@example.com"),
	TEXT("http://user@/"),
	/* dot-segments (RFC 3986 5.2.4) */
	URL("http://a.example/b/c/./../../g", "http://a.example/g", "a.example"),
	URL("http://x.example/a/b/../../../../c", "http://x.example/c",
	    "x.example"),
	URL("http://x.example/%2e%2E/a/%2E", "http://x.example/a/", "x.example"),
	URL("http://x.example/a/./b/.", "http://x.example/a/b/", "x.example"),
	URL("http://x.example/a/..", "http://x.example/", "x.example"),
	URL("http://x.example/a/..b/.c", "http://x.example/a/..b/.c",
	    "x.example"),
	URL("http://x.example/a//b/../c", "http://x.example/a//c", "x.example"),
	URL("http://x.example\\a\\b", "http://x.example/a/b", "x.example"),
	/* percent-encoding */
	URL("http://x.example/%7euser/%41%42", "http://x.example/~user/AB",
	    "x.example"),
	URL("http://x.example/a%2fb", "http://x.example/a%2Fb", "x.example"),
	URL("http://x.example/%zz%4", "http://x.example/%25zz%254",
	    "x.example"),
	URL("http://x.example/caf%c3%a9", "http://x.example/caf%C3%A9",
	    "x.example"),
	URL("http://x.example/caf\xc3\xa9", "http://x.example/caf%C3%A9",
	    "x.example"),
	URL("http://x.example/a b?c d\\", "http://x.example/a%20b?c%20d%5C",
	    "x.example"),
	URL("http://x.example/a?b=%2f&c=/?d", "http://x.example/a?b=%2F&c=/?d",
	    "x.example"),
	URL("http://x.example/<script>\"'`{|}^",
	    "http://x.example/%3Cscript%3E%22'%60%7B%7C%7D%5E", "x.example"),
	URL("http://ex%61mple.com/", "http://example.com/", "example.com"),
	/* hosts */
	URL("http://example.com./", "http://example.com/", "example.com"),
	TEXT("http://example.com../"),
	URL("http://LOCALHOST./", "http://localhost/", "localhost"),
	TEXT("http://intranet/"),
	URL("http://a_b.example.com/", "http://a_b.example.com/",
	    "a_b.example.com"),
	URL("http://192.168.1.1:80/x", "http://192.168.1.1/x", "192.168.1.1"),
	TEXT("http://010.1.1.1/"),
	TEXT("http://1.2.3/"),
	TEXT("http://256.1.1.1/"),
	URL("http://[::1]/", "http://[::1]/", "[::1]"),
	URL("http://[FE80::A:1]:8080/", "http://[fe80::a:1]:8080/",
	    "[fe80::a:1]"),
	URL("http://[0:0:0:0:0:0:0:1]/", "http://[::1]/", "[::1]"),
	URL("https://[::ffff:192.0.2.1]/", "https://[::ffff:192.0.2.1]/",
	    "[::ffff:192.0.2.1]"),
	TEXT("http://[fe80::1%25eth0]/"),
	TEXT("http://[::1/"),
	URL("http://ABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGHIJKLMNOPQRSTUVWX"
	    ".onion/", "http://abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopq"
	    "rstuvwx.onion/", "abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnop"
	    "qrstuvwx.onion"),
	/* other schemes */
	TEXT("ftp://example.com/"),
	TEXT("javascript:alert(1)"),
	TEXT("mailto:a@b.com"),
	TEXT("data:text/html,x"),
	/* junk */
	TEXT(""),
	TEXT("   \t "),
	TEXT("http://exa mple.com/"),
	TEXT("see example.com for more"),
	URL(" http://example.com/\r\n", "http://example.com/", "example.com"),
	URL("http://x.example/\x01\x7f", "http://x.example/%01%7F",
	    "x.example"),
	URL("http://x.example/a\0b", "http://x.example/a%00b", "x.example"),
	URL("http://x.example/%00", "http://x.example/%00", "x.example"),
	TEXT("http://exa\0mple.com/"),
	TEXT("http://exa%00mple.com/"),
	URL("http://x.example/\xe2\x80\xaetxt.exe",
	    "http://x.example/%E2%80%AEtxt.exe", "x.example"),
	URL("http://x.example/\xff", "http://x.example/%FF", "x.example"),
};

static struct url_canonical out, again, blank;

/* in[0..len) with every byte outside printable ASCII as \xHH, for names. */
static const char *
shown(const char *in, size_t len)
{
	static char buf[200];
	size_t w = 0;

	for (size_t i = 0; i < len && w + 5 < sizeof(buf); i++) {
		unsigned char c = (unsigned char)in[i];

		if (c >= ' ' && c <= '~' && c != '\\')
			buf[w++] = (char)c;
		else
			w += (size_t)snprintf(buf + w, 5, "\\x%02x", c);
	}
	buf[w] = '\0';
	return buf;
}

/* Canonicalize in[0..len); text must leave out as it was. Return rc. */
static int
run(const char *in, size_t len)
{
	int rc;

	memset(&blank, 0xa5, sizeof(blank));
	memcpy(&out, &blank, sizeof(out));
	rc = url_canonicalize(in, len, &out);
	if (rc == 0 && memcmp(&out, &blank, sizeof(out)) != 0)
		return -2;
	return rc;
}

static void
check_case(const struct url_case *c)
{
	int rc = run(c->in, c->len);

	if (c->url == NULL) {
		ok(rc == 0, "text: %s", shown(c->in, c->len));
		return;
	}
	if (!ok(rc == 1 && strcmp(out.url, c->url) == 0 &&
	    strcmp(out.host, c->host) == 0, "%s -> %s", shown(c->in, c->len),
	    c->url)) {
		printf("# rc %d, got %s [%s]\n", rc, rc == 1 ? out.url : "",
		    rc == 1 ? out.host : "");
		return;
	}
	ok(url_canonicalize(out.url, strlen(out.url), &again) == 1 &&
	    strcmp(again.url, out.url) == 0 &&
	    strcmp(again.host, out.host) == 0, "  and back to itself");
}

/* A line of n bytes: prefix, then fill repeated. Caller frees. */
static char *
line_of(const char *prefix, const char *fill, size_t n)
{
	char *s = malloc(n + 1);
	size_t pl = strlen(prefix), fl = strlen(fill);

	if (s == NULL)
		abort();
	memcpy(s, prefix, pl);
	for (size_t i = pl; i < n; i++)
		s[i] = fill[(i - pl) % fl];
	s[n] = '\0';
	return s;
}

static void
test_line_limits(void)
{
	char *s = line_of("http://example.com/", "x", URL_LINE_MAX);

	ok(run(s, URL_LINE_MAX) == 1 && strlen(out.url) == URL_LINE_MAX,
	    "a line of URL_LINE_MAX bytes is a URL");
	free(s);
	s = line_of("http://example.com/", "x", URL_LINE_MAX + 1);
	ok(run(s, URL_LINE_MAX + 1) == 0, "one byte more is text");
	free(s);
	s = line_of("http://example.com/", "x", 65536);
	ok(run(s, 65536) == 0, "a 64 KiB line is text");
	free(s);
	s = line_of("http://example.com/", "\xff", URL_LINE_MAX);
	ok(run(s, URL_LINE_MAX) == 1 &&
	    strlen(out.url) == 19 + 3 * (URL_LINE_MAX - 19),
	    "a line of raw bytes is escaped whole (%zu bytes)", strlen(out.url));
	free(s);
}

/* "http://" + a host of n bytes (labels of 63 then the rest) + "/". */
static void
check_host_len(size_t n, int want)
{
	char line[URL_HOST_MAX + 64] = "http://";
	size_t w = 7;

	for (size_t left = n; left > 0;) {
		size_t l = left > 64 ? 63 : left;

		memset(line + w, 'a', l);
		w += l;
		left -= l;
		if (left > 0) {
			line[w++] = '.';
			left--;
		}
	}
	line[w++] = '/';
	ok(run(line, w) == want && (want == 0 || strlen(out.host) == n),
	    "a host of %zu bytes: %s", n, want ? "a URL" : "text");
}

/* "http://" + a label of n bytes + ".example/". */
static void
check_label_len(size_t n, int want)
{
	char line[128] = "http://";

	memset(line + 7, 'l', n);
	memcpy(line + 7 + n, ".example/", 9);
	ok(run(line, n + 16) == want, "a label of %zu bytes: %s", n,
	    want ? "a URL" : "text");
}

static void
test_host_limits(void)
{
	check_host_len(URL_HOST_MAX, 1);
	check_host_len(URL_HOST_MAX + 1, 0);
	check_host_len(255, 0);
	check_label_len(63, 1);
	check_label_len(64, 0);
}

int
main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i]);
	printf("# %zu table cases\n", sizeof(cases) / sizeof(cases[0]));
	test_line_limits();
	test_host_limits();
	return tap_done();
}
