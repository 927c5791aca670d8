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

/* A decoder, its child kept from image to image. */
struct slot {
	struct imgdecoder *dec;
	struct imgdecode_result *img;	/* its answer, wiped after */
	int busy;			/* it has an image */
};

struct attscan {
	struct known *known;
	struct digests *dg;
	struct slot slot[ATTSCAN_DECODERS];
	uint8_t *buf;		/* the region, MAP_FAILED until reserved */
	size_t hold;		/* any attachment held whole up to this */
	size_t held;		/* bytes in buf */
	uint64_t size;		/* bytes seen */
	int all;		/* buf holds every byte seen */
	int sniffed;		/* kind is set: SNIFF_HEAD_MAX bytes held */
	enum sniff_image kind;
	int pending;		/* the digests have bytes since their end */
};

struct attscan *
attscan_new(struct known *k, size_t hold)
{
	struct attscan *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->buf = MAP_FAILED;
	if ((s->dg = digests_new()) == NULL)
		goto err;
	for (int i = 0; i < ATTSCAN_DECODERS; i++)
		if ((s->slot[i].dec = imgdecoder_new(0)) == NULL ||
		    (s->slot[i].img = malloc(sizeof(*s->slot[i].img))) == NULL)
			goto err;
	s->known = k;
	s->hold = hold < SNIFF_HEAD_MAX ? SNIFF_HEAD_MAX :
	    hold > ATTSCAN_REGION ? ATTSCAN_REGION : hold;
	s->all = 1;
	return s;
err:
	attscan_free(s);
	return NULL;
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

/* A decoder without an image, or NULL. */
static struct slot *
free_slot(struct attscan *s)
{
	for (int i = 0; i < ATTSCAN_DECODERS; i++)
		if (!s->slot[i].busy)
			return &s->slot[i];
	return NULL;
}

/*
 * Send the image to a free decoder (res pending with it), or say why not;
 * the slot whose answer res has, or NULL.
 */
static struct slot *
decode(struct attscan *s, struct attscan_result *res)
{
	struct slot *t = free_slot(s);

	if (!s->all) {
		snprintf(res->image_error, sizeof(res->image_error),
		    "larger than %zu MiB: not decoded",
		    (size_t)IMGDECODE_INPUT_MAX >> 20);
		return NULL;
	}
	if (imgdecoder_send(t->dec, s->buf, s->held, t->img) == 0) {
		res->pending = t->busy = 1;
		res->decoder = (int)(t - s->slot);
	} else
		decoded(t->img, res);
	return t;
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

/*
 * Whether a list has it (its PDQ hash in img, if decoded); the hit copied
 * (it lives until the next match).
 */
static int
match(struct attscan *s, struct attscan_result *res,
    const struct imgdecode_result *img)
{
	struct known_query q = { res->dg.md5, res->dg.sha1, res->dg.sha256,
	    res->decoded ? &img->pdq : NULL, res->quality };
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
	return s->kind != SNIFF_NOT_IMAGE && s->all && free_slot(s) == NULL;
}

/*
 * Match res unless it is pending; wipe the answer of t (the decoder that
 * had it, or NULL); 0 or -1.
 */
static int
settle(struct attscan *s, struct attscan_result *res, struct slot *t)
{
	int rc = res->pending ? 0 : match(s, res, t != NULL ? t->img : NULL);

	if (!res->pending && t != NULL)	/* the thumbnail, if any */
		sodium_memzero(t->img, sizeof(*t->img));
	if (rc != 0)
		attscan_result_clear(res);
	return rc;
}

int
attscan_end(struct attscan *s, struct attscan_result *res)
{
	struct metadata m = { 0 };
	struct slot *t = NULL;

	memset(res, 0, sizeof(*res));
	res->type = sniff_held(s);
	res->image = s->kind != SNIFF_NOT_IMAGE;
	if (res->image && s->all && free_slot(s) == NULL)
		return -1;	/* the caller did not receive one first */
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
		t = decode(s, res);
	return settle(s, res, t);
}

int
attscan_receive(struct attscan *s, struct attscan_result *res)
{
	struct slot *t;

	if (!res->pending)
		return 0;
	t = &s->slot[res->decoder];
	imgdecoder_receive(t->dec, t->img);
	res->pending = t->busy = 0;
	decoded(t->img, res);
	return settle(s, res, t);
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
	for (int i = 0; i < ATTSCAN_DECODERS; i++) {
		imgdecoder_free(s->slot[i].dec);
		free(s->slot[i].img);
	}
	free(s);
}
