/*
 * fuzz_payload: the framing inside a decrypted report (a sender holding
 * only the analysts' public keys can write any plaintext), then what the
 * offline tool does with the names and values it finds: safe file names
 * and JSON strings.
 */
#include <stdio.h>

#include <sodium.h>

#include "json.h"
#include "payload.h"
#include "safename.h"

static FILE *devnull;

static int
on_field(void *ctx, const char *name, const uint8_t *value, size_t len)
{
	json_string(devnull, value, len);
	return 0;
}

static int
on_att_begin(void *ctx, const uint8_t *name, size_t len)
{
	char safe[SAFENAME_MAX + 1];

	safename_make(safe, name, len);
	json_string(devnull, name, len);
	return 0;
}

static int
on_att_data(void *ctx, const uint8_t *buf, size_t len)
{
	return 0;
}

static int
on_att_end(void *ctx, uint64_t size)
{
	return 0;
}

static const struct payload_callbacks cb = { on_field, on_att_begin, on_att_data, on_att_end };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct payload_reader *r;
	size_t step = size ? (size_t)data[0] + 1 : 1;

	if (devnull == NULL && (sodium_init() < 0 ||
	    (devnull = fopen("/dev/null", "w")) == NULL))
		return 0;
	r = payload_reader_new(&cb, NULL);
	for (size_t i = 0; i < size; i += step)
		if (payload_reader_feed(r, data + i, size - i < step ? size - i : step) != 0)
			break;
	payload_reader_finish(r);
	payload_reader_free(r);
	return 0;
}
