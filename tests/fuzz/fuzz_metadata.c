/*
 * fuzz_metadata: client-keys/metadata on hostile bytes. Every warning is
 * one of metadata.h's vocabulary (a label alone, or a label, ": " and a
 * value), at most METADATA_TEXT_MAX bytes of valid UTF-8 with no control,
 * hidden or line-separating character (safe to print and to store as a
 * JSON string), given once, at most METADATA_MAX of them; a scan gives
 * the same answer twice; a file that is not one of the four images gives
 * none. libFuzzer's exact-size buffer and ASan catch a read past len.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "metadata.h"
#include "sniff.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const labels[] = {
	"GPS position", "GPS data", "camera", "serial number", "owner",
	"author", "copyright", "software", "computer", "date taken", "date",
	"text comment", "unique image id", "maker note", "embedded thumbnail",
	"EXIF data", "XMP metadata", "IPTC data", "metadata segment", "text",
	"not fully read", "more metadata",
};

static int
safe(uint32_t cp)
{
	return cp >= 0x20 && !utf8_hidden(cp) && cp != 0x2028 && cp != 0x2029;
}

/* 1 if w is a label alone or a label, ": " and a non-empty value. */
static int
in_vocabulary(const char *w)
{
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		size_t n = strlen(labels[i]);
		if (strncmp(w, labels[i], n) == 0 && (w[n] == '\0' ||
		    (w[n] == ':' && w[n + 1] == ' ' && w[n + 2] != '\0')))
			return 1;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct metadata m, again;
	enum sniff_image kind;
	size_t n = metadata_scan(data, size, &m);

	sniff_type(data, size, &kind);
	if (n != m.n || n > METADATA_MAX || (kind == SNIFF_NOT_IMAGE && n != 0))
		abort();
	if (metadata_scan(data, size, &again) != n ||
	    memcmp(m.warning, again.warning, sizeof(m.warning[0]) * n) != 0)
		abort();
	for (size_t i = 0; i < n; i++) {
		const char *w = m.warning[i];
		size_t len = strnlen(w, METADATA_TEXT_MAX + 1);
		if (len == 0 || len > METADATA_TEXT_MAX || !in_vocabulary(w) ||
		    utf8_span((const uint8_t *)w, len, safe) != len)
			abort();
		for (size_t j = 0; j < i; j++)
			if (strcmp(m.warning[j], w) == 0)
				abort();
	}
	return 0;
}
