/*
 * fuzz_sniff: client-keys/sniff on hostile bytes. The type is always one
 * of the table's, an image kind only with its image type; dimensions come
 * back at least 1 and only for the four images, a refusal always has a
 * reason; and nothing past SNIFF_HEAD_MAX counts: the input cut there
 * gives the same answers (libFuzzer's exact-size buffer and ASan catch a
 * read past len itself).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sniff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const kinds[] = {
	NULL, "image/jpeg", "image/png", "image/webp", "image/gif",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cut = size < SNIFF_HEAD_MAX ? size : SNIFF_HEAD_MAX;
	uint32_t w = 0, h = 0, w2 = 0, h2 = 0;
	const char *why = NULL, *why2 = NULL;
	enum sniff_image image, image2;
	const char *mime = sniff_type(data, size, &image);
	int rc, rc2;

	if (mime == NULL || strchr(mime, '/') == NULL ||
	    image < SNIFF_NOT_IMAGE || image > SNIFF_GIF ||
	    (image != SNIFF_NOT_IMAGE && strcmp(mime, kinds[image]) != 0))
		abort();
	if (sniff_type(data, cut, &image2) != mime || image2 != image)
		abort();
	rc = sniff_dimensions(data, size, &w, &h, &why);
	rc2 = sniff_dimensions(data, cut, &w2, &h2, &why2);
	if (rc != rc2 || w != w2 || h != h2 || why != why2)
		abort();
	if ((rc == 1 && (w == 0 || h == 0 || image == SNIFF_NOT_IMAGE)) ||
	    (rc == -1 && why == NULL) || (rc == 0 && image == SNIFF_NOT_IMAGE))
		abort();
	return 0;
}
