/*
 * test_imgdecode: client-keys/imgdecode and its sandboxed child, built
 * with the test hooks (imgchild.h). A PNG written here with libpng comes
 * back with its size, the PDQ hash of its pixels and the thumbnail
 * thumb_make gives them; truncated and corrupted copies, a header bomb
 * and a bomb whose header is past sniff's reach are refused with a
 * reason; a child that opens a file dies of SIGSYS, and one that
 * crashes, spins, stalls or answers anything but a well-formed reply is
 * a refusal. The child is this program exec'd again: a marker in the
 * parent's locked memory is nowhere in the child's, where a plain fork
 * (the old way, run here for contrast) has it. A decoder keeps its child
 * from image to image (the same answers), and replaces it after a
 * refusal, after a death while idle and after IMGDECODE_CHILD_IMAGES,
 * without failing the next image; each image has its own CPU time. Also
 * thumb: sizes, grey, and blurred (measured). The other formats, against
 * ImageMagick, are the desk-images scenario's.
 */
#include <math.h>
#include <png.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <signal.h>
#include <sodium.h>

#include "encode.h"
#include "imgchild.h"
#include "imgdecode.h"
#include "sniff.h"
#include "tap.h"
#include "thumb.h"

#ifndef IMGCHILD_SANITIZER
#define CRASHED "SIGSEGV"
#else
#define CRASHED "killed"	/* ASan's report is cut short by the filter */
#endif
#define W 300
#define H 200

static uint8_t pixels[W * H * 3];
static struct imgdecode_result res;

static double
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* A smooth, structured picture (PDQ quality 100). */
static void
make_pixels(void)
{
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			uint8_t *p = pixels + (y * W + x) * 3;

			p[0] = (uint8_t)(128 + 100 * sin(x / 17.0 + y / 23.0));
			p[1] = (uint8_t)(128 + 100 * cos(x / 11.0 - y / 29.0));
			p[2] = (uint8_t)((x * y / 50) & 255);
		}
}

/* The PNG of w x h pixels; free() it. */
static uint8_t *
make_png(const uint8_t *rgb, uint32_t w, uint32_t h, size_t *len)
{
	png_image img;
	uint8_t *mem;

	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	img.width = w;
	img.height = h;
	img.format = PNG_FORMAT_RGB;
	*len = 0;
	png_image_write_to_memory(&img, NULL, len, 0, rgb, 0, NULL);
	mem = malloc(*len);
	if (mem == NULL || !png_image_write_to_memory(&img, mem, len, 0, rgb,
	    0, NULL))
		abort();
	return mem;
}

static void
test_decodes(const uint8_t *png, size_t len)
{
	static uint8_t thumb[THUMB_BYTES];
	struct pdq_hash want;
	int quality;

	pdq_hash_rgb(pixels, W, H, 3 * W, &want, &quality);
	thumb_make(pixels, W, H, thumb);
	ok(imgdecode(png, len, &res) == 0 && res.decoded,
	    "a PNG is decoded (%s)", res.reason);
	ok(strcmp(res.mime, "image/png") == 0, "its type is image/png");
	ok(res.width == W && res.height == H, "its size is %ux%u", res.width,
	    res.height);
	is_int(pdq_distance(&res.pdq, &want), 0,
	    "its PDQ hash is that of its pixels");
	is_int(res.quality, quality, "and so is its quality");
	ok(res.thumb_width == THUMB_SIDE && res.thumb_height == 107,
	    "its thumbnail is 160x107 (%ux%u)", res.thumb_width,
	    res.thumb_height);
	ok(memcmp(res.thumb, thumb, 160 * 107) == 0,
	    "and is thumb_make's of its pixels");
}

static void
test_broken(const uint8_t *png, size_t len)
{
	uint8_t *copy = malloc(len);
	int refused = 0, reasons = 0, tries = 0;

	for (size_t cut = 0; cut < len; cut += len / 40 + 1, tries++) {
		int rc = imgdecode(png, cut, &res);

		refused += rc == -1 && !res.decoded;
		reasons += res.reason[0] != '\0';
	}
	ok(refused == tries && reasons == tries,
	    "%d truncated copies are refused with a reason (%d, %d)", tries,
	    refused, reasons);
	memcpy(copy, png, len);
	for (size_t i = len / 2; i < len / 2 + 16; i++)
		copy[i] ^= 0x5a;
	ok(imgdecode(copy, len, &res) == -1 && strstr(res.reason, "PNG:"),
	    "a corrupted PNG is refused by libpng (%s)", res.reason);
	free(copy);
	ok(imgdecode((const uint8_t *)"hello", 5, &res) == -1 &&
	    strstr(res.reason, "application/octet-stream") != NULL,
	    "text is not decoded (%s)", res.reason);
}

static void
test_too_large(void)
{
	uint8_t *big = calloc(1, IMGDECODE_INPUT_MAX + 1);

	memcpy(big, "\x89PNG\r\n\x1a\n", 8);
	ok(imgdecode(big, IMGDECODE_INPUT_MAX + 1, &res) == -1 &&
	    strstr(res.reason, "larger than 256 MiB") != NULL,
	    "256 MiB + 1 is refused (%s)", res.reason);
	free(big);
}

/* A PNG signature and IHDR of w x h (8-bit RGB), its CRC right. */
static size_t
png_header(uint8_t *b, uint32_t w, uint32_t h)
{
	uint32_t crc = 0xffffffffu;

	memcpy(b, "\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16);
	encode_be32(b + 16, w);
	encode_be32(b + 20, h);
	memcpy(b + 24, "\x08\x02\0\0\0", 5);
	for (int i = 12; i < 29; i++) {
		crc ^= b[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
	}
	encode_be32(b + 29, crc ^ 0xffffffffu);
	return 33;
}

/*
 * A JPEG declaring w x h whose frame header is past sniff's 256 KiB (five
 * 64 KiB APP15 segments first), with a scan header and nothing more.
 */
static uint8_t *
jpeg_far_header(uint16_t w, uint16_t h, size_t *len)
{
	static const uint8_t sos[] = { 0xff, 0xda, 0, 12, 3, 1, 0, 2, 0x11,
	    3, 0x11, 0, 63, 0 };
	uint8_t *b = calloc(1, 2 + 5 * 65537 + 19 + sizeof(sos));
	size_t n = 2;

	memcpy(b, "\xff\xd8", 2);
	for (int i = 0; i < 5; i++, n += 65537)
		memcpy(b + n, "\xff\xef\xff\xff", 4);
	memcpy(b + n, "\xff\xc0\0\x11\x08", 5);
	encode_be16(b + n + 5, h);
	encode_be16(b + n + 7, w);
	memcpy(b + n + 9, "\x03\x01\x22\0\x02\x11\x01\x03\x11\x01", 10);
	memcpy(b + n + 19, sos, sizeof(sos));
	*len = n + 19 + sizeof(sos);
	return b;
}

static void
test_bombs(void)
{
	uint8_t head[33];
	uint8_t *jpeg;
	size_t len;
	double t = now_ms();

	png_header(head, 30000, 30000);
	ok(imgdecode(head, sizeof(head), &res) == -1 &&
	    strstr(res.reason, "30000x30000 is over the limit") != NULL,
	    "a 30000x30000 PNG is refused from its header (%s)", res.reason);
	t = now_ms() - t;
	ok(t < 50, "in %.2f ms, no child started", t);
	jpeg = jpeg_far_header(30000, 30000, &len);
	ok(imgdecode(jpeg, len, &res) == -1 &&
	    strstr(res.reason, "30000x30000 is over the limit") != NULL,
	    "a 30000x30000 JPEG whose header is past 256 KiB is refused by "
	    "the child (%s)", res.reason);
	free(jpeg);
}

/* A reply with these header fields and body; the hash bytes 0x11. */
static size_t
reply(uint8_t *b, const uint32_t f[7], const void *body, size_t blen)
{
	memcpy(b, IMGCHILD_MAGIC, 8);
	for (int i = 0; i < 7; i++)
		encode_be32(b + 8 + 4 * i, f[i]);
	memset(b + 36, f[0] == 0 ? 0x11 : 0, PDQ_HASH_BYTES);
	memcpy(b + IMGCHILD_HEADER, body, blen);
	return IMGCHILD_HEADER + blen;
}

/* imgdecode of png with the child answering b[0..len). */
static int
with_reply(const uint8_t *png, size_t plen, const uint8_t *b, size_t len)
{
	imgchild_test_set(IMGCHILD_TEST_REPLY, b, len);
	return imgdecode(png, plen, &res);
}

static void
test_replies(const uint8_t *png, size_t plen)
{
	static uint8_t b[IMGCHILD_HEADER + THUMB_BYTES + 8], body[THUMB_BYTES];
	const uint32_t good[7] = { 0, W, H, 77, 160, 107, 160 * 107 };
	static const struct {
		int field;
		uint32_t value;
		const char *what;
	} bad[] = {
		{ 0, 2, "status 2" }, { 1, W + 1, "a width not the header's" },
		{ 2, H - 1, "a height not the header's" },
		{ 3, 101, "quality 101" }, { 4, 159, "a thumbnail width off" },
		{ 5, 108, "a thumbnail height off" },
		{ 6, 160 * 107 - 1, "a body length off" },
	};
	uint32_t f[7];
	size_t n;

	memset(body, 0x42, sizeof(body));
	n = reply(b, good, body, 160 * 107);
	ok(with_reply(png, plen, b, n) == 0 && res.quality == 77 &&
	    res.pdq.b[0] == 0x11 && res.thumb[0] == 0x42,
	    "a well-formed reply is taken as it is");
	ok(with_reply(png, plen, b, n + 1) == -1 &&
	    strstr(res.reason, "malformed"), "one byte more is refused");
	ok(with_reply(png, plen, b, n - 1) == -1 &&
	    strstr(res.reason, "malformed"), "one byte less is refused");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(f, good, sizeof(f));
		f[bad[i].field] = bad[i].value;
		n = reply(b, f, body, 160 * 107);
		ok(with_reply(png, plen, b, n) == -1 &&
		    strstr(res.reason, "malformed"), "%s is refused (%s)",
		    bad[i].what, res.reason);
	}
	n = reply(b, good, body, 160 * 107);
	b[3] = 'X';
	ok(with_reply(png, plen, b, n) == -1, "a wrong magic is refused");
}

/* A decoder that asked for no thumbnail takes none. */
static void
test_thumbless_replies(const uint8_t *png, size_t plen)
{
	static uint8_t b[IMGCHILD_HEADER + THUMB_BYTES], body[THUMB_BYTES];
	const uint32_t with[7] = { 0, W, H, 77, 160, 107, 160 * 107 };
	const uint32_t without[7] = { 0, W, H, 77, 0, 0, 0 };
	struct imgdecoder *d = imgdecoder_new(0);
	size_t n = reply(b, with, body, 160 * 107);

	imgchild_test_set(IMGCHILD_TEST_REPLY, b, n);
	ok(imgdecoder_decode(d, png, plen, &res) == -1 &&
	    strstr(res.reason, "malformed"),
	    "no thumbnail asked: a reply with one is refused");
	n = reply(b, without, body, 0);
	imgchild_test_set(IMGCHILD_TEST_REPLY, b, n);
	ok(imgdecoder_decode(d, png, plen, &res) == 0 && res.quality == 77 &&
	    res.thumb_width == 0, "... one without is taken");
	n = reply(b, without, body, 0);
	imgchild_test_set(IMGCHILD_TEST_REPLY, b, n);
	ok(imgdecode(png, plen, &res) == -1 && strstr(res.reason, "malformed"),
	    "and a thumbnail asked: a reply without one is refused");
	imgchild_test_set(IMGCHILD_TEST_OFF, NULL, 0);
	imgdecoder_free(d);
}

static void
test_refusal_replies(const uint8_t *png, size_t plen)
{
	static uint8_t b[IMGCHILD_HEADER + 200];
	uint32_t f[7] = { 1, 0, 0, 0, 0, 0, 9 };
	size_t n = reply(b, f, "too bad!!", 9);

	ok(with_reply(png, plen, b, n) == -1 &&
	    strcmp(res.reason, "too bad!!") == 0,
	    "a refusal's reason is passed on (%s)", res.reason);
	b[IMGCHILD_HEADER + 3] = '\n';
	ok(with_reply(png, plen, b, n) == -1 && strstr(res.reason, "malformed"),
	    "a reason with a control character is refused");
	f[1] = 5;
	n = reply(b, f, "too bad!!", 9);
	ok(with_reply(png, plen, b, n) == -1 && strstr(res.reason, "malformed"),
	    "a refusal with a width is refused");
	f[1] = 0;
	f[6] = 0;
	n = reply(b, f, "", 0);
	ok(with_reply(png, plen, b, n) == -1 && strstr(res.reason, "malformed"),
	    "an empty reason is refused");
	f[6] = IMGDECODE_REASON_MAX + 1;
	memset(b + IMGCHILD_HEADER, 'a', sizeof(b) - IMGCHILD_HEADER);
	n = reply(b, f, b + IMGCHILD_HEADER, IMGDECODE_REASON_MAX + 1);
	ok(with_reply(png, plen, b, n) == -1 && strstr(res.reason, "malformed"),
	    "a reason over %d bytes is refused", IMGDECODE_REASON_MAX);
}

/* The hooks that make the child misbehave. */
static void
test_children(const uint8_t *png, size_t plen)
{
	double t;
	int rc;

	imgchild_test_set(IMGCHILD_TEST_OPEN, NULL, 0);
	ok(imgdecode(png, plen, &res) == -1 && strstr(res.reason, "SIGSYS"),
	    "a child that opens a file is killed by the filter (%s)",
	    res.reason);
	imgchild_test_set(IMGCHILD_TEST_CRASH, NULL, 0);
	ok(imgdecode(png, plen, &res) == -1 && strstr(res.reason, CRASHED),
	    "a child that crashes is a refusal (%s)", res.reason);
	t = now_ms();
	imgchild_test_set(IMGCHILD_TEST_SPIN, NULL, 0);
	rc = imgdecode(png, plen, &res);
	t = now_ms() - t;
	ok(rc == -1 &&
	    (strstr(res.reason, "CPU time") || strstr(res.reason, "longer")),
	    "a child that spins is stopped (%s, %.0f ms)", res.reason, t);
	t = now_ms();
	imgchild_test_set(IMGCHILD_TEST_STALL, NULL, 0);
	ok(imgdecode(png, plen, &res) == -1 && strstr(res.reason, "longer"),
	    "a child that waits is killed at the deadline (%s)", res.reason);
	t = now_ms() - t;
	ok(t >= IMGDECODE_WALL_MS && t < IMGDECODE_WALL_MS + 1000,
	    "after %.0f ms", t);
	imgchild_test_set(IMGCHILD_TEST_OFF, NULL, 0);
	ok(imgdecode(png, plen, &res) == 0, "and the next child decodes");
}

/* Decode png through d; 1 if it came out as want (decoded alone). */
static int
kept_decodes(struct imgdecoder *d, const uint8_t *png, size_t plen,
    const struct imgdecode_result *want)
{
	static struct imgdecode_result r;

	return imgdecoder_decode(d, png, plen, &r) == 0 &&
	    pdq_distance(&r.pdq, &want->pdq) == 0 && r.width == W &&
	    r.height == H && r.quality == want->quality &&
	    memcmp(r.thumb, want->thumb, (size_t)160 * 107) == 0;
}

/* One child from image to image, and when it is replaced. */
static void
test_kept(const uint8_t *png, size_t plen)
{
	static struct imgdecode_result want;
	struct imgdecoder *d = imgdecoder_new(1);
	pid_t first = 0, next = 0;
	int same = 1, good = 1;

	ok(imgdecode(png, plen, &want) == 0, "a PNG decoded alone");
	ok(kept_decodes(d, png, plen, &want) &&
	    (first = imgdecoder_child(d)) > 0, "a decoder decodes it the same");
	for (int i = 0; i < 3; i++) {
		good &= kept_decodes(d, png, plen, &want);
		same &= imgdecoder_child(d) == first;
	}
	ok(good && same, "three times more, by the same child");
	ok(imgdecoder_send(d, (const uint8_t *)"hello", 5, &res) == -1 &&
	    imgdecoder_child(d) == first, "text is refused without the child "
	    "(%s)", res.reason);
	ok(imgdecoder_decode(d, png, plen / 2, &res) == -1 &&
	    strstr(res.reason, "PNG:") && imgdecoder_child(d) == -1,
	    "a truncated PNG is refused and its child ends (%s)", res.reason);
	ok(kept_decodes(d, png, plen, &want) &&
	    (next = imgdecoder_child(d)) > 0 && next != first,
	    "the next image has a new child");
	if (next > 0 && kill(next, SIGKILL) == 0)	/* dead, left unreaped */
		waitid(P_PID, (id_t)next, &(siginfo_t){ 0 }, WEXITED | WNOWAIT);
	ok(kept_decodes(d, png, plen, &want) && imgdecoder_child(d) != next,
	    "a child killed while it waited is replaced, the image not blamed");
	ok(imgdecoder_send(d, png, plen, &res) == 0 &&
	    imgdecoder_receive(d, &res) == 0 && res.decoded,
	    "sent, then received");
	first = imgdecoder_child(d);
	for (int i = 2; i < IMGDECODE_CHILD_IMAGES; i++)
		good &= kept_decodes(d, png, plen, &want);
	ok(good && imgdecoder_child(d) == first,
	    "%d images by one child", IMGDECODE_CHILD_IMAGES);
	ok(kept_decodes(d, png, plen, &want) && imgdecoder_child(d) != first,
	    "and the next by another");
	imgdecoder_free(d);
	d = imgdecoder_new(0);
	ok(imgdecoder_decode(d, png, plen, &res) == 0 &&
	    pdq_distance(&res.pdq, &want.pdq) == 0 && res.width == W &&
	    res.thumb_width == 0 && res.thumb_height == 0,
	    "a decoder without thumbnails: the same hash, no thumbnail");
	imgdecoder_free(d);
}

/*
 * Each image its own CPU time: two images that take IMGCHILD_TEST_SLOW_MS
 * each, more than IMGDECODE_CPU_SECONDS together, through one child.
 */
static void
test_cpu_each(const uint8_t *png, size_t plen)
{
	struct imgdecoder *d = imgdecoder_new(1);
	int rc0, rc1;
	pid_t pid;

	imgchild_test_set(IMGCHILD_TEST_SLOW, NULL, 0);
	rc0 = imgdecoder_decode(d, png, plen, &res);
	pid = imgdecoder_child(d);
	rc1 = imgdecoder_decode(d, png, plen, &res);
	ok(rc0 == 0 && rc1 == 0 && imgdecoder_child(d) == pid,
	    "two images of %d ms of CPU time each, by one child limited to %d "
	    "s an image (%s)", IMGCHILD_TEST_SLOW_MS, IMGDECODE_CPU_SECONDS,
	    res.decoded ? "decoded" : res.reason);
	imgchild_test_set(IMGCHILD_TEST_OFF, NULL, 0);
	imgdecoder_free(d);
}

/*
 * The old way, for contrast: imgchild_run in a plain fork of this process
 * (no exec). Send it png, put the reason it refuses with in why.
 */
static void
forked_reason(const uint8_t *png, size_t plen, char *why)
{
	uint8_t b[IMGCHILD_HEADER + IMGDECODE_REASON_MAX];
	size_t got = 0, len;
	ssize_t n;
	pid_t pid;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0 || (pid = fork()) < 0)
		abort();
	if (pid == 0) {
		close(sv[0]);
		imgchild_run(sv[1]);
	}
	close(sv[1]);
	encode_be32(b, SNIFF_PNG);
	encode_be32(b + 4, IMGCHILD_THUMBNAIL);
	encode_be64(b + 8, plen);
	if (write(sv[0], b, IMGCHILD_REQUEST) != IMGCHILD_REQUEST ||
	    write(sv[0], png, plen) != (ssize_t)plen)
		abort();
	while ((n = read(sv[0], b + got, sizeof(b) - got)) > 0)
		got += (size_t)n;
	close(sv[0]);
	waitpid(pid, NULL, 0);
	len = got >= IMGCHILD_HEADER ? decode_be32(b + 32) : 0;
	if (len > got - IMGCHILD_HEADER || len > IMGDECODE_REASON_MAX)
		len = 0;
	memcpy(why, b + IMGCHILD_HEADER, len);
	why[len] = '\0';
}

/* The marker in sodium_malloc'd memory: the exec'd child has none of it. */
static void
test_memory(const uint8_t *png, size_t plen)
{
	uint8_t *secret = sodium_malloc(IMGCHILD_TEST_MARKER);
	char why[IMGDECODE_REASON_MAX + 1];
	unsigned long kib = 0;

	imgchild_test_marker(secret);
	imgchild_test_set(IMGCHILD_TEST_MEMORY, NULL, 0);
	ok(imgdecode(png, plen, &res) == -1 &&
	    sscanf(res.reason, "no marker in the child's memory (%lu KiB", &kib)
	    == 1 && kib >= 1024, "the child holds nothing of the parent's "
	    "memory: %s", res.reason);
	forked_reason(png, plen, why);
	ok(strncmp(why, "a marker in the child's memory", 30) == 0,
	    "where a plain fork holds the marker: %s", why);
	sodium_free(secret);
	imgchild_test_set(IMGCHILD_TEST_OFF, NULL, 0);
	ok(imgdecode(png, plen, &res) == 0, "and the next child decodes");
}

/* Mean squared difference of neighbours: the high frequencies. */
static double
energy(const uint8_t *g, uint32_t w, uint32_t h)
{
	double sum = 0;

	for (uint32_t y = 0; y + 1 < h; y++)
		for (uint32_t x = 0; x + 1 < w; x++) {
			double dx = g[y * w + x + 1] - g[y * w + x];
			double dy = g[(y + 1) * w + x] - g[y * w + x];

			sum += dx * dx + dy * dy;
		}
	return sum / ((w - 1) * (h - 1));
}

static void
test_thumb(void)
{
	static uint8_t img[640 * 480 * 3], t[THUMB_BYTES], plain[THUMB_BYTES];
	static const uint32_t sizes[][4] = {
		{ 640, 480, 160, 120 }, { 480, 640, 120, 160 },
		{ 100, 50, 100, 50 }, { 1, 1, 1, 1 }, { 65535, 1, 160, 1 },
		{ 1, 65535, 1, 160 }, { 4000, 3000, 160, 120 },
		{ 161, 160, 160, 159 },
	};
	uint32_t tw, th;
	double e0, e1;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		thumb_size(sizes[i][0], sizes[i][1], &tw, &th);
		ok(tw == sizes[i][2] && th == sizes[i][3],
		    "the thumbnail of %ux%u is %ux%u", sizes[i][0], sizes[i][1],
		    tw, th);
	}
	memset(img, 77, sizeof(img));
	thumb_make(img, 640, 480, t);
	ok(t[0] == 77 && t[160 * 120 - 1] == 77 && t[60 * 160 + 80] == 77,
	    "a flat grey image gives the same grey");
	/* a checkerboard of 16-pixel squares, red and green */
	for (int y = 0; y < 480; y++)
		for (int x = 0; x < 640; x++)
			img[(y * 640 + x) * 3 + ((x / 16 + y / 16) % 2)] = 255;
	thumb_make(img, 640, 480, t);
	for (int y = 0; y < 120; y++)	/* the same samples, not blurred */
		for (int x = 0; x < 160; x++)
			plain[y * 160 + x] = (x / 4 + y / 4) % 2 ? 150 : 76;
	e0 = energy(plain, 160, 120);
	e1 = energy(t, 160, 120);
	ok(e1 < e0 / 100, "its thumbnail's high-frequency energy is %.2f, "
	    "%.4f%% of the unblurred one's %.0f", e1, 100 * e1 / e0, e0);
}

int
main(int argc, char **argv)
{
	uint8_t *png;
	size_t len;

	imgchild_main(argc, argv);
	if (sodium_init() < 0)
		abort();
	make_pixels();
	png = make_png(pixels, W, H, &len);
	test_thumb();
	test_decodes(png, len);
	test_broken(png, len);
	test_too_large();
	test_bombs();
	test_replies(png, len);
	test_thumbless_replies(png, len);
	test_refusal_replies(png, len);
	test_children(png, len);
	test_memory(png, len);
	test_kept(png, len);
	test_cpu_each(png, len);
	free(png);
	return tap_done();
}
