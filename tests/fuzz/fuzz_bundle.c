/*
 * fuzz_bundle: the whole read path of `oniondrop-keys decrypt` short of the
 * disk: bundle reader, then unseal and the payload reader for each record,
 * with the fixed analyst key of sealed.h so seeds sealed to it reach the
 * payload. The bundles are hostile: the server may be compromised.
 */
#include <sodium.h>

#include "bundle.h"
#include "sealed.h"
#include "unseal.h"

static const struct keys_secret *key;
static struct unseal *current;

static int
on_begin(void *ctx, uint32_t seq, const uint8_t id[ENVELOPE_ID_BYTES], uint64_t len)
{
	unseal_free(current);
	current = unseal_new(key, &fuzz_sealed_sink, NULL);
	return 0;
}

static int
on_data(void *ctx, const uint8_t *buf, size_t len)
{
	if (current != NULL)
		unseal_feed(current, buf, len);
	return 0;
}

static int
on_end(void *ctx)
{
	uint8_t id[ENVELOPE_ID_BYTES];

	if (current != NULL) {
		unseal_finish(current);
		unseal_id(current, id);
		unseal_free(current);
		current = NULL;
	}
	return 0;
}

static void
on_problem(void *ctx, uint64_t offset, const char *what)
{
}

static const struct bundle_callbacks bundle_cb = { on_begin, on_data, on_end, on_problem };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bundle_reader *r;
	size_t step = size ? (size_t)data[0] * 97 + 1 : 1;

	if (key == NULL && (key = fuzz_sealed_key()) == NULL)
		return 0;
	r = bundle_reader_new(&bundle_cb, NULL);
	for (size_t i = 0; i < size; i += step)
		bundle_reader_feed(r, data + i, size - i < step ? size - i : step);
	bundle_reader_finish(r);
	bundle_reader_free(r);
	unseal_free(current);
	current = NULL;
	return 0;
}
