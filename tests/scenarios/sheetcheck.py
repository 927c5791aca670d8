#!/usr/bin/env python3
"""sheetcheck: what desk-view asks of the contact sheet's files, with the
standard library only (a PNG read with zlib, nothing of the tool's own).

  sheetcheck.py info FILE.png      "WIDTH HEIGHT COLOURTYPE BITDEPTH GREY"
                                   (GREY 1: one channel, or equal channels)
  sheetcheck.py lap FILE.png|.pgm  the mean absolute Laplacian of its grey
                                   pixels (4 p - its four neighbours, inner
                                   pixels): the high-frequency energy
  sheetcheck.py link PAGE.html     the file the page's "Open the original
                                   file" link names, resolved from PAGE's
                                   directory (percent-decoded), or "none"
"""
import os
import re
import struct
import sys
import urllib.parse
import zlib

CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}


def unfilter(raw, width, height, bpp):
    """The rows of a non-interlaced 8-bit PNG's inflated data."""
    stride = width * bpp
    rows, prev, pos = [], bytearray(stride), 0
    for _ in range(height):
        ftype, line = raw[pos], bytearray(raw[pos + 1:pos + 1 + stride])
        pos += 1 + stride
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 255
            elif ftype == 2:
                line[i] = (line[i] + b) & 255
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pred) & 255
            elif ftype != 0:
                raise ValueError("bad filter %d" % ftype)
        rows.append(bytes(line))
        prev = line
    return rows


def read_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, head = 8, b"", None
    while pos < len(data):
        length, ctype = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if zlib.crc32(ctype + body) != struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0]:
            raise ValueError("bad CRC")
        if ctype == b"IHDR":
            head = struct.unpack(">IIBBBBB", body)
        elif ctype == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = head
    if depth != 8 or interlace != 0 or colour not in CHANNELS:
        raise ValueError("not an 8-bit, non-interlaced PNG")
    bpp = CHANNELS[colour]
    return width, height, colour, depth, bpp, unfilter(zlib.decompress(idat), width, height, bpp)


def grey_rows(path):
    """Rows of grey values, and whether the image is grey at all."""
    if path.endswith(".pgm"):
        data = open(path, "rb").read()
        parts = data.split(maxsplit=4)
        if parts[0] != b"P5" or parts[3] != b"255":
            raise ValueError("not an 8-bit binary PGM")
        w, h = int(parts[1]), int(parts[2])
        px = parts[4]
        return w, h, [px[y * w:(y + 1) * w] for y in range(h)], True
    w, h, colour, _, bpp, rows = read_png(path)
    grey = colour == 0 or all(
        r[i] == r[i + 1] == r[i + 2] for r in rows for i in range(0, len(r), bpp))
    return w, h, [r[::bpp] for r in rows], grey


def laplacian(path):
    w, h, rows, _ = grey_rows(path)
    total, n = 0, 0
    for y in range(1, h - 1):
        up, row, down = rows[y - 1], rows[y], rows[y + 1]
        for x in range(1, w - 1):
            total += abs(4 * row[x] - row[x - 1] - row[x + 1] - up[x] - down[x])
            n += 1
    return total / n if n else 0.0


def original_link(page):
    text = open(page, encoding="utf-8").read()
    m = re.search(r'<a href="([^"]*)" rel="noreferrer">Open the original file</a>', text)
    if m is None:
        return "none"
    path = urllib.parse.unquote(m.group(1), errors="surrogateescape")
    return os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(page)), path))


def main():
    what, path = sys.argv[1], sys.argv[2]
    if what == "info":
        w, h, colour, depth, _, _ = read_png(path)
        print(w, h, colour, depth, int(grey_rows(path)[3]))
    elif what == "lap":
        print("%.3f" % laplacian(path))
    elif what == "link":
        sys.stdout.buffer.write(os.fsencode(original_link(path)) + b"\n")
    else:
        sys.exit("usage: sheetcheck.py info|lap|link FILE")


if __name__ == "__main__":
    main()
