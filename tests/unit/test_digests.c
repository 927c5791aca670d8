/*
 * test_digests: client-keys/digests against the published test vectors of
 * MD5 (RFC 1321), SHA-1 and SHA-256 (FIPS 180): the empty stream, "abc",
 * and a million 'a's fed in pieces of every size from 1 to 997 bytes;
 * one object reused stream after stream.
 */
#include <stdlib.h>
#include <string.h>

#include "digests.h"
#include "tap.h"

static const struct {
	const char *name, *md5, *sha1, *sha256;
} vectors[] = {
	{ "the empty stream", "d41d8cd98f00b204e9800998ecf8427e",
	    "da39a3ee5e6b4b0d3255bfef95601890afd80709",
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "\"abc\"", "900150983cd24fb0d6963f7d28e17f72",
	    "a9993e364706816aba3e25717850c26c9cd0d89d",
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "a million 'a's", "7707d6ae4e027c70eea2a935c2296f21",
	    "34aa973cd4c4daa4f61eeb2bdbad27316534016f",
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
};

static void
check(const struct digests_out *o, size_t i)
{
	ok(strcmp(o->md5_hex, vectors[i].md5) == 0, "MD5 of %s",
	    vectors[i].name);
	ok(strcmp(o->sha1_hex, vectors[i].sha1) == 0, "SHA-1 of %s",
	    vectors[i].name);
	ok(strcmp(o->sha256_hex, vectors[i].sha256) == 0, "SHA-256 of %s",
	    vectors[i].name);
}

int
main(void)
{
	struct digests *d = digests_new();
	struct digests_out o;
	char *a = malloc(1000000);
	size_t done = 0, piece = 1;

	if (d == NULL || a == NULL)
		return 1;
	ok(digests_end(d, &o) == 0, "an empty stream ends");
	check(&o, 0);
	ok(digests_update(d, "abc", 3) == 0 && digests_end(d, &o) == 0,
	    "the same object takes \"abc\"");
	check(&o, 1);
	ok(o.sha256[0] == 0xba && o.sha256[31] == 0xad && o.md5[0] == 0x90 &&
	    o.sha1[19] == 0x9d, "the bytes are the hex's");
	memset(a, 'a', 1000000);
	while (done < 1000000) {
		size_t n = piece < 1000000 - done ? piece : 1000000 - done;

		if (digests_update(d, a + done, n) != 0)
			break;
		done += n;
		piece = piece % 997 + 1;
	}
	ok(done == 1000000 && digests_end(d, &o) == 0,
	    "a million bytes in pieces of 1 to 997");
	check(&o, 2);
	digests_free(d);
	digests_free(NULL);
	free(a);
	return tap_done();
}
