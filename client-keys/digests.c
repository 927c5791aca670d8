/*
 * digests: see digests.h. Three EVP contexts fed the same bytes; a failed
 * update is remembered so that digests_end never hands out a digest of
 * part of a stream.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "digests.h"
#include "encode.h"

enum { MD5, SHA1, SHA256, NDIGESTS };

struct digests {
	EVP_MD_CTX *ctx[NDIGESTS];
	int failed;
};

static const EVP_MD *
digest_md(int i)
{
	return i == MD5 ? EVP_md5() : i == SHA1 ? EVP_sha1() : EVP_sha256();
}

/* Start every context on an empty stream. */
static int
restart(struct digests *d)
{
	d->failed = 0;
	for (int i = 0; i < NDIGESTS; i++)
		if (EVP_DigestInit_ex(d->ctx[i], digest_md(i), NULL) != 1) {
			d->failed = 1;
			return -1;
		}
	return 0;
}

struct digests *
digests_new(void)
{
	struct digests *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	for (int i = 0; i < NDIGESTS; i++)
		if ((d->ctx[i] = EVP_MD_CTX_new()) == NULL)
			goto err;
	if (restart(d) != 0)
		goto err;
	return d;
err:
	digests_free(d);
	return NULL;
}

int
digests_update(struct digests *d, const void *buf, size_t len)
{
	for (int i = 0; i < NDIGESTS; i++)
		if (EVP_DigestUpdate(d->ctx[i], buf, len) != 1)
			d->failed = 1;
	return d->failed ? -1 : 0;
}

int
digests_end(struct digests *d, struct digests_out *out)
{
	uint8_t *bytes[NDIGESTS] = { out->md5, out->sha1, out->sha256 };
	char *hex[NDIGESTS] = { out->md5_hex, out->sha1_hex, out->sha256_hex };
	uint8_t md[NDIGESTS][EVP_MAX_MD_SIZE];
	unsigned int len[NDIGESTS];
	int failed = d->failed;

	for (int i = 0; i < NDIGESTS; i++)
		if (EVP_DigestFinal_ex(d->ctx[i], md[i], &len[i]) != 1)
			failed = 1;
	if (restart(d) != 0 || failed)
		return -1;
	for (int i = 0; i < NDIGESTS; i++) {
		memcpy(bytes[i], md[i], len[i]);
		encode_hex(hex[i], md[i], len[i]);
	}
	return 0;
}

void
digests_free(struct digests *d)
{
	if (d == NULL)
		return;
	for (int i = 0; i < NDIGESTS; i++)
		EVP_MD_CTX_free(d->ctx[i]);
	free(d);
}
