/*
 * test_utf8: utf8_span, the run of text a writer may copy out as it is:
 * whole code points only, stopping at an invalid byte, a cut sequence or
 * the first code point the predicate refuses.
 */
#include <string.h>

#include "tap.h"
#include "utf8.h"

static int
not_quote(uint32_t cp)
{
	return cp != '"';
}

static int
ascii(uint32_t cp)
{
	return cp < 0x80;
}

int
main(void)
{
	static const struct {
		const char *in;
		size_t len, want;
		int (*keep)(uint32_t);
		const char *what;
	} v[] = {
		{ "", 0, 0, not_quote, "empty" },
		{ "abc", 3, 3, not_quote, "all kept" },
		{ "ab\"c", 4, 2, not_quote, "stops before a refused code point" },
		{ "\"", 1, 0, not_quote, "refused at once" },
		{ "a\xc3\xa9z", 4, 4, not_quote, "a two-byte character kept whole" },
		{ "a\xc3\xa9z", 2, 1, not_quote, "a character cut by len is left out" },
		{ "a\xf0\x9f\x98\x80", 5, 5, not_quote, "a four-byte character" },
		{ "a\xff" "b", 3, 1, not_quote, "stops at an invalid byte" },
		{ "a\xc0\xaf", 3, 1, not_quote, "stops at an overlong form" },
		{ "a\xed\xa0\x80", 4, 1, not_quote, "stops at a surrogate" },
		{ "a\0b", 3, 3, not_quote, "NUL is a code point like any other" },
		{ "ab\xd8\xb3", 4, 2, ascii, "the predicate sees the code point" },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		is_int(utf8_span((const uint8_t *)v[i].in, v[i].len, v[i].keep),
		    v[i].want, v[i].what);
	return tap_done();
}
