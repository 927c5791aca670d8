/*
 * fuzz_imgreply: the parent's reading of the image decoder child's reply
 * (client-keys/imgdecode.h, imgdecode_reply_head and _body), the bytes a
 * child that a hostile image took over may write. The input is the
 * image's size as the parent read it from the file's header (width and
 * height, big-endian u32 each; 0 0: a header past sniff's reach), a byte
 * saying whether the thumbnail was asked for (odd: yes), then the reply
 * as the socket gives it. A header that is taken must ask for a body that
 * fits the thumbnail buffer, and only what the reply format allows comes
 * out: a decoded image of a size within the limits, the parent's own if
 * it had one, with the thumbnail thumb_size gives it (none if none was
 * asked for) and a quality of 0..100; or a refusal whose reason is the
 * body's printable ASCII, whole and terminated; or nothing. The same
 * header read twice gives the same answer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "imgchild.h"
#include "imgdecode.h"
#include "thumb.h"

#define PREFIX 9	/* the parent's width, height, thumbnail asked */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_decoded(const struct imgdecode_result *r, uint32_t hw, uint32_t hh,
    int thumbnail, size_t blen)
{
	uint32_t tw = 0, th = 0;

	if (!r->decoded || r->width == 0 || r->height == 0 ||
	    (uint64_t)r->width * r->height > IMGDECODE_PIXELS_MAX ||
	    r->quality < 0 || r->quality > 100 ||
	    (hw != 0 && (r->width != hw || r->height != hh)))
		abort();
	if (thumbnail)
		thumb_size(r->width, r->height, &tw, &th);
	if (r->thumb_width != tw || r->thumb_height != th ||
	    (size_t)tw * th != blen)
		abort();
}

static void
check_refused(const struct imgdecode_result *r, const uint8_t *body,
    size_t blen)
{
	size_t n = strnlen(r->reason, sizeof(r->reason));

	if (r->decoded || n != blen || n == 0 || n > IMGDECODE_REASON_MAX ||
	    memcmp(r->reason, body, n) != 0)
		abort();
	for (size_t i = 0; i < n; i++)
		if (r->reason[i] < ' ' || r->reason[i] > '~')
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct imgdecode_result res;
	const uint8_t *head = data + PREFIX, *body = head + IMGCHILD_HEADER;
	uint32_t hw, hh;
	int64_t blen;
	int thumbnail, rc;

	if (size < PREFIX + IMGCHILD_HEADER)
		return 0;
	hw = decode_be32(data);
	hh = decode_be32(data + 4);
	thumbnail = data[8] & 1;
	blen = imgdecode_reply_head(head, hw, hh, thumbnail);
	if (blen != imgdecode_reply_head(head, hw, hh, thumbnail) ||
	    blen > THUMB_BYTES)
		abort();
	if (blen < 0 || size - PREFIX - IMGCHILD_HEADER != (size_t)blen)
		return 0;	/* refused, or the socket would say more or less */
	memset(&res, 0x5a, sizeof(res));
	rc = imgdecode_reply_body(head, body, &res);
	if (rc == 0)
		check_decoded(&res, hw, hh, thumbnail, (size_t)blen);
	else if (rc == -1)
		check_refused(&res, body, (size_t)blen);
	else if (rc != -2 || res.decoded)
		abort();
	return 0;
}
