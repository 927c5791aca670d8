/*
 * sniff: what an attachment is, from its first bytes and never from its
 * name, and the width and height an image's header declares, read without
 * decoding anything. The bytes are hostile: every length is checked
 * before it is used and neither function reads past SNIFF_HEAD_MAX bytes,
 * whatever len it is given.
 *
 * The types told apart (the small table of sniff.c, first match wins):
 *   image/jpeg       FF D8 FF
 *   image/png        89 "PNG" 0D 0A 1A 0A
 *   image/gif        "GIF87a" or "GIF89a"
 *   image/webp       "RIFF" size "WEBP"
 *   image/bmp        "BM" and four zero bytes at 6 (reserved)
 *   image/tiff       "II*" 00 or "MM" 00 "*"
 *   image/heic, image/heif, image/avif, video/quicktime, video/3gpp,
 *   audio/mp4, video/mp4
 *                    an ISO base media "ftyp" box at 4 (size at least 16),
 *                    by its major brand: heic heix; mif1 msf1; avif avis;
 *                    "qt  "; 3g*; "M4A "; any other brand is video/mp4
 *   video/webm, video/x-matroska
 *                    an EBML header whose DocType is "webm" or "matroska"
 *   video/x-msvideo  "RIFF" size "AVI "
 *   audio/wav        "RIFF" size "WAVE"
 *   audio/mpeg       "ID3"
 *   application/ogg  "OggS"
 *   application/pdf  "%PDF-"
 *   application/zip  "PK" 03 04 or "PK" 05 06 (also docx, odt, epub, apk)
 *   application/gzip 1F 8B 08
 *   application/x-7z-compressed, application/vnd.rar
 *   application/octet-stream   anything else
 * Only the first four are decoded (imgdecode); the others are named so
 * that a contact sheet can show a typed placeholder.
 */
#ifndef SNIFF_H
#define SNIFF_H

#include <stddef.h>
#include <stdint.h>

/*
 * The most bytes either function reads. A JPEG's frame header may follow
 * EXIF (64 KiB at most) and an ICC profile in several 64 KiB segments:
 * 256 KiB takes a camera's EXIF, thumbnail and a 190 KiB profile.
 */
#define SNIFF_HEAD_MAX 262144

/* The images imgdecode decodes. */
enum sniff_image {
	SNIFF_NOT_IMAGE = 0,	/* any other type, other images included */
	SNIFF_JPEG,
	SNIFF_PNG,
	SNIFF_WEBP,
	SNIFF_GIF,
};

/*
 * sniff_type(buf, len, image):
 * The MIME type (a static string, one of the table above) of the file
 * whose first len bytes are buf (all of it, or at least its first
 * SNIFF_HEAD_MAX bytes). If image is not NULL, set *image to the kind
 * imgdecode decodes or SNIFF_NOT_IMAGE.
 */
const char *sniff_type(const uint8_t *buf, size_t len,
    enum sniff_image *image);

/*
 * sniff_dimensions(buf, len, width, height, why):
 * Read the width and height that the header of the image buf[0..len)
 * declares, its kind sniffed as sniff_type does (GIF: the logical screen;
 * WebP: the canvas). Return 1 with *width and *height (each at least 1)
 * set; 0 if buf ended, or SNIFF_HEAD_MAX bytes were read, before the
 * header could be read whole (a JPEG's frame header after large
 * segments: the decoder will read it); -1 if the header is malformed or
 * buf is not one of the four images, with *why a static reason. Nothing
 * else is changed unless 1 is returned.
 */
int sniff_dimensions(const uint8_t *buf, size_t len, uint32_t *width,
    uint32_t *height, const char **why);

#endif
