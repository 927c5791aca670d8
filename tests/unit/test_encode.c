/* test_encode: known answers and strictness of lib/encode. */
#include <string.h>

#include "encode.h"
#include "tap.h"

static void
test_base32(void)
{
	/* RFC 4648 section 10 vectors, lowercase and unpadded as Tor writes them. */
	static const struct { const char *in, *out; } v[] = {
		{ "f", "my" }, { "fo", "mzxq" }, { "foo", "mzxw6" },
		{ "foob", "mzxw6yq" }, { "fooba", "mzxw6ytb" },
		{ "foobar", "mzxw6ytboi" },
	};
	char out[32];
	uint8_t back[16];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		size_t len = strlen(v[i].in);
		encode_base32(out, (const uint8_t *)v[i].in, len);
		ok(strcmp(out, v[i].out) == 0, "base32(%s) = %s", v[i].in, out);
		ok(decode_base32(back, len, v[i].out, strlen(v[i].out)) == 0 &&
		    memcmp(back, v[i].in, len) == 0, "base32 decodes %s", v[i].out);
	}
	ok(decode_base32(back, 1, "MY", 2) == 0 && back[0] == 'f', "base32 accepts upper case");
	ok(decode_base32(back, 1, "mz", 2) != 0, "base32 rejects non-zero trailing bits");
	ok(decode_base32(back, 1, "m1", 2) != 0, "base32 rejects a character outside the alphabet");
	ok(decode_base32(back, 2, "my", 2) != 0, "base32 rejects a wrong length");
}

static void
test_hex_base64_be(void)
{
	uint8_t in[3] = { 0x00, 0xab, 0xff }, back[3], b8[8];
	char out[16];

	encode_hex(out, in, 3);
	ok(strcmp(out, "00abff") == 0, "hex encodes");
	ok(decode_hex(back, 3, "00ABff", 6) == 0 && memcmp(back, in, 3) == 0, "hex decodes");
	ok(decode_hex(back, 3, "00abf", 5) != 0, "hex rejects odd length");
	ok(decode_hex(back, 3, "00abfg", 6) != 0, "hex rejects non-hex");
	encode_base64(out, (const uint8_t *)"fo", 2);
	ok(strcmp(out, "Zm8=") == 0, "base64 pads");
	ok(decode_base64(back, 2, "Zm8=", 4) == 0 && memcmp(back, "fo", 2) == 0, "base64 decodes");
	ok(decode_base64(back, 2, "Zm8", 3) != 0, "base64 requires padding");
	encode_be64(b8, 0x0102030405060708ULL);
	ok(b8[0] == 1 && b8[7] == 8 && decode_be64(b8) == 0x0102030405060708ULL, "be64 round trip");
	ok(decode_le16(b8) == 0x0201 && decode_le32(b8 + 4) == 0x08070605,
	    "le16 and le32 read the low byte first");
}

int
main(void)
{
	test_base32();
	test_hex_base64_be();
	return tap_done();
}
