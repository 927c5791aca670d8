/*
 * metadata: what an attachment's bytes reveal about whoever made it, read
 * from the containers an image carries, never from its pixels:
 *   JPEG  APP1 EXIF and XMP (extended XMP too), APP13 (Photoshop/IPTC),
 *         any other APPn that is not JFIF, ICC_PROFILE, MPF or Adobe, COM;
 *         segments up to the first scan (SOS) only
 *   PNG   tEXt, zTXt and iTXt (by keyword; XMP in iTXt), eXIf, tIME
 *   WebP  the RIFF chunks EXIF and "XMP "
 *   GIF   comment extensions and the XMP application extension
 * EXIF is a TIFF structure: IFD0, its Exif IFD and its GPS IFD (depth 2,
 * never deeper, each IFD once), and whether IFD0 names a next IFD (an
 * embedded thumbnail, which may show what an edit cropped away).
 *
 * The bytes are hostile: every offset and length is checked against the
 * container it lies in before it is used, an IFD's entries are capped at
 * METADATA_IFD_ENTRIES, and the whole scan at METADATA_WORK units (one per
 * segment, chunk, block or IFD entry); XMP is searched in its first
 * METADATA_XMP_WINDOW bytes, in the first METADATA_XMP_PACKETS packets.
 * A scan that stopped early, at a cap or at a structure running past the
 * end of the file, says so ("not fully read"): it never passes for clean.
 *
 * The result is a list of short English warnings, each from a fixed
 * vocabulary, some with a value quoted from the file:
 *   "GPS position", "GPS data", "camera: VALUE", "serial number",
 *   "owner: VALUE", "author: VALUE", "copyright: VALUE",
 *   "software: VALUE", "computer: VALUE", "date taken: VALUE",
 *   "date: VALUE", "text comment", "unique image id", "maker note",
 *   "embedded thumbnail", "EXIF data", "XMP metadata", "IPTC data",
 *   "metadata segment: APPn", "text: KEYWORD", "not fully read",
 *   "more metadata" (the list was full)
 * A container present always gives at least one warning (EXIF with no
 * tag of the list gives "EXIF data"), so a file with no warning carries
 * none of the containers above. A value is cut to METADATA_VALUE_MAX
 * bytes (marked with U+2026), Latin-1 and UCS-2 text converted, and every
 * byte that is not valid UTF-8 and every control, direction or invisible
 * character (utf8_hidden) replaced by '?': a warning is safe to print
 * and to store as a JSON string. Other file types (sniff_type's other
 * kinds) give no warning, which then says nothing about them.
 */
#ifndef METADATA_H
#define METADATA_H

#include <stddef.h>
#include <stdint.h>

#define METADATA_MAX 16			/* warnings kept for one file */
#define METADATA_VALUE_MAX 64		/* bytes of a value in a warning */
#define METADATA_TEXT_MAX 96		/* bytes of a warning, NUL excluded */
#define METADATA_IFD_ENTRIES 512	/* entries read in one IFD */
#define METADATA_WORK (1 << 20)		/* units of one scan */
#define METADATA_XMP_WINDOW 65536	/* bytes of one XMP packet searched */
#define METADATA_XMP_PACKETS 4		/* XMP packets searched in one file */

struct metadata {
	size_t n;				/* warnings in warning[] */
	char warning[METADATA_MAX][METADATA_TEXT_MAX + 1];
};

/*
 * metadata_scan(buf, len, m):
 * Fill m with the warnings for the whole file buf[0..len), in the order
 * found, each once; return m->n. Give the whole file: a structure cut
 * short gives "not fully read".
 */
size_t metadata_scan(const uint8_t *buf, size_t len, struct metadata *m);

#endif
