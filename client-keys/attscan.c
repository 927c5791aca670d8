/*
 * attscan: see attscan.h. The held bytes are one mapping of
 * IMGDECODE_INPUT_MAX bytes, reserved (MAP_NORESERVE) with the first
 * attachment byte: only the pages an attachment fills are ever touched,
 * and the first ATTSCAN_KEEP of them stay resident (wiped) from one
 * attachment to the next, the rest given back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <sodium.h>

#include "attscan.h"
#include "json.h"
#include "metadata.h"
#include "sniff.h"

#define ATTSCAN_REGION IMGDECODE_INPUT_MAX
#define ATTSCAN_KEEP ((size_t)16 << 20)

struct attscan {
	struct known *known;
	struct digests *dg;
	struct imgdecoder *dec;		/* its child kept from image to image */
	struct imgdecode_result *img;	/* the decoder's answer, wiped after */
	uint8_t *buf;		/* the region, MAP_FAILED until reserved */
	size_t hold;		/* any attachment held whole up to this */
	size_t held;		/* bytes in buf */
	uint64_t size;		/* bytes seen */
	int all;		/* buf holds every byte seen */
	int sniffed;		/* kind is set: SNIFF_HEAD_MAX bytes held */
	enum sniff_image kind;
	int pending;		/* the digests have bytes since their end */
	int busy;		/* an image is with the decoder */
};

struct attscan *
attscan_new(struct known *k, size_t hold)
{
	struct attscan *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->buf = MAP_FAILED;
	if ((s->dg = digests_new()) == NULL ||
	    (s->dec = imgdecoder_new(0)) == NULL ||
	    (s->img = malloc(sizeof(*s->img))) == NULL) {
		attscan_free(s);
		return NULL;
	}
	s->known = k;
	s->hold = hold < SNIFF_HEAD_MAX ? SNIFF_HEAD_MAX :
	    hold > ATTSCAN_REGION ? ATTSCAN_REGION : hold;
	s->all = 1;
	return s;
}

/* Reserve the region, kept out of the decoder's fork before its exec. */
static int
reserve(struct attscan *s)
{
	s->buf = mmap(NULL, ATTSCAN_REGION, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (s->buf == MAP_FAILED)
		return -1;
	if (madvise(s->buf, ATTSCAN_REGION, MADV_DONTFORK) != 0) {
		munmap(s->buf, ATTSCAN_REGION);
		s->buf = MAP_FAILED;
		return -1;
	}
	return 0;
}

/* How far the current attachment may be held. */
static size_t
limit(const struct attscan *s)
{
	if (!s->sniffed)
		return SNIFF_HEAD_MAX;
	if (s->kind != SNIFF_NOT_IMAGE && s->hold < IMGDECODE_INPUT_MAX)
		return IMGDECODE_INPUT_MAX;
	return s->hold;
}

/* Hold what may be held of buf[0..len); stop holding at the limit. */
static void
hold(struct attscan *s, const uint8_t *buf, size_t len)
{
	while (len > 0 && s->all) {
		size_t room = limit(s) - s->held, n = len < room ? len : room;

		if (room == 0 && !s->sniffed) {
			sniff_type(s->buf, s->held, &s->kind);
			s->sniffed = 1;
			continue;
		}
		if (room == 0) {
			s->all = 0;
			break;
		}
		memcpy(s->buf + s->held, buf, n);
		s->held += n;
		buf += n;
		len -= n;
	}
}

int
attscan_data(struct attscan *s, const uint8_t *buf, size_t len)
{
	if (s->buf == MAP_FAILED && reserve(s) != 0)
		return -1;
	s->pending = 1;
	if (digests_update(s->dg, buf, len) != 0)
		return -1;
	s->size += len;
	hold(s, buf, len);
	return 0;
}

size_t
attscan_held(const struct attscan *s, const uint8_t **p)
{
	*p = s->buf;
	return s->held;
}

uint64_t
attscan_size(const struct attscan *s)
{
	return s->size;
}

int
attscan_holds_all(const struct attscan *s)
{
	return s->all;
}

/* The decoder's answer in res: the image's size and PDQ hash, or why not. */
static void
decoded(const struct imgdecode_result *img, struct attscan_result *res)
{
	if (!img->decoded) {
		snprintf(res->image_error, sizeof(res->image_error), "%s",
		    img->reason);
		return;
	}
	res->decoded = 1;
	res->width = img->width;
	res->height = img->height;
	pdq_format(res->pdq, &img->pdq);
	res->quality = img->quality;
}

/* Send the image to the sandboxed decoder (res pending), or say why not. */
static void
decode(struct attscan *s, struct attscan_result *res)
{
	if (!s->all) {
		snprintf(res->image_error, sizeof(res->image_error),
		    "larger than %zu MiB: not decoded",
		    (size_t)IMGDECODE_INPUT_MAX >> 20);
		return;
	}
	if (imgdecoder_send(s->dec, s->buf, s->held, s->img) == 0)
		res->pending = s->busy = 1;
	else
		decoded(s->img, res);
}

/* The warnings as a JSON array, malloc'd; NULL if memory is short. */
static char *
warnings_json(const struct metadata *m)
{
	char *text = NULL;
	size_t len;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL)
		return NULL;
	fputc('[', f);
	for (size_t i = 0; i < m->n; i++) {
		if (i > 0)
			fputs(", ", f);
		json_string(f, (const uint8_t *)m->warning[i],
		    strlen(m->warning[i]));
	}
	fputc(']', f);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* Whether a list has it; the hit copied (it lives until the next match). */
static int
match(struct attscan *s, struct attscan_result *res)
{
	struct known_query q = { res->dg.md5, res->dg.sha1, res->dg.sha256,
	    res->decoded ? &s->img->pdq : NULL, res->quality };
	struct known_hit hit;
	int rc;

	if (s->known == NULL || (rc = known_match(s->known, &q, &hit)) == 0)
		return 0;
	if (rc < 0)
		return -1;
	res->known = 1;
	snprintf(res->list, sizeof(res->list), "%s", hit.list);
	snprintf(res->grade, sizeof(res->grade), "%s",
	    hit.grade != NULL ? hit.grade : "");
	res->match = hit.kind;
	res->distance = hit.distance;
	return 0;
}

/* The type of the current attachment from its first bytes. */
static const char *
sniff_held(struct attscan *s)
{
	static const uint8_t nothing[1];	/* no byte came */

	return sniff_type(s->held > 0 ? s->buf : nothing,
	    s->held < SNIFF_HEAD_MAX ? s->held : SNIFF_HEAD_MAX, &s->kind);
}

int
attscan_needs_decoder(struct attscan *s)
{
	sniff_held(s);
	return s->kind != SNIFF_NOT_IMAGE && s->all;
}

/* Match res unless it is pending; wipe the decoder's answer; 0 or -1. */
static int
settle(struct attscan *s, struct attscan_result *res)
{
	int rc = res->pending ? 0 : match(s, res);

	if (!res->pending)
		sodium_memzero(s->img, sizeof(*s->img));	/* the thumbnail */
	if (rc != 0)
		attscan_result_clear(res);
	return rc;
}

int
attscan_end(struct attscan *s, struct attscan_result *res)
{
	struct metadata m = { 0 };

	memset(res, 0, sizeof(*res));
	res->type = sniff_held(s);
	res->image = s->kind != SNIFF_NOT_IMAGE;
	if (res->image && s->busy && s->all)
		return -1;	/* the caller did not receive the last one */
	s->pending = 0;
	if (digests_end(s->dg, &res->dg) != 0)
		return -1;
	if (res->image)
		metadata_scan(s->buf, s->held, &m);
	res->warnings = warnings_json(&m);
	sodium_memzero(&m, sizeof(m));	/* quoted metadata */
	if (res->warnings == NULL)
		return -1;
	if (res->image)
		decode(s, res);
	return settle(s, res);
}

int
attscan_receive(struct attscan *s, struct attscan_result *res)
{
	if (!res->pending)
		return 0;
	imgdecoder_receive(s->dec, s->img);
	res->pending = s->busy = 0;
	decoded(s->img, res);
	return settle(s, res);
}

void
attscan_reset(struct attscan *s)
{
	struct digests_out unused;

	if (s->pending)
		digests_end(s->dg, &unused);
	if (s->held > 0)
		sodium_memzero(s->buf, s->held);
	if (s->held > ATTSCAN_KEEP)
		madvise(s->buf + ATTSCAN_KEEP, s->held - ATTSCAN_KEEP,
		    MADV_DONTNEED);
	s->held = 0;
	s->size = 0;
	s->all = 1;
	s->sniffed = 0;
	s->kind = SNIFF_NOT_IMAGE;
	s->pending = 0;
}

void
attscan_result_clear(struct attscan_result *res)
{
	free(res->warnings);
	memset(res, 0, sizeof(*res));
}

void
attscan_free(struct attscan *s)
{
	if (s == NULL)
		return;
	attscan_reset(s);
	if (s->buf != MAP_FAILED)
		munmap(s->buf, ATTSCAN_REGION);
	digests_free(s->dg);
	imgdecoder_free(s->dec);
	free(s->img);
	free(s);
}
