#!/usr/bin/env bash
# desk-images: the image front end (client-keys/sniff and imgdecode, through
# tests/od-img, a build without test hooks) on images ImageMagick makes here,
# nothing real and nothing downloaded.
#  - JPEG, PNG, WebP and GIF in their variants (progressive, grey, CMYK,
#    16-bit, palette, interlaced, alpha, lossy, animated) decode in the
#    sandboxed child to the PDQ hash that ImageMagick's own decoding of the
#    same file gives through od-pdq: 0 bits apart where the pixels must be
#    the same, a few where the conversions differ (CMYK);
#  - truncated and corrupted copies of each, and random byte flips, are
#    refused with a reason or decoded, never a crash of the tool;
#  - a 30,000 x 30,000 PNG (the issue's bomb, 112 MB of pixel data) is
#    refused from its header, timed; a 10,000 x 10,000 one (the 100
#    megapixel limit) still decodes within the child's rlimits;
#  - the child is od-img exec'd again (/proc/self/exe, the reserved
#    argument, none of the caller's environment) and installs a seccomp
#    filter (strace sees both); without /proc the image is refused with
#    that reason; the child's argument takes no test hook in this build;
#  - thumbnails are one grey channel, 160 pixels on their longest side, and
#    blurred: their high-frequency energy well below that of the original
#    made grey and small without blurring.
. "$(dirname "$0")/lib.sh"
cd "$T"
IMG="$BUILD_ROOT/tests/od-img"
PDQ="$BUILD_ROOT/tests/od-pdq"
CONVERT=/usr/bin/convert-im6.q16	# Debian's ImageMagick, by its own name
IDENTIFY=/usr/bin/identify-im6.q16

if [ ! -x "$CONVERT" ]; then
	fail "Debian's imagemagick is installed ($CONVERT)"
	exit 0
fi

# im_pdq FILE: "HEX" of ImageMagick's decoding of FILE's first frame (its
# colour channels, alpha dropped as the decoder and Meta's reference do),
# hashed by od-pdq.
im_pdq() {
	local w h
	read -r w h < <("$IDENTIFY" -format '%w %h\n' "$1[0]")
	"$CONVERT" "$1[0]" -depth 8 rgb:- | "$PDQ" "$w" "$h" | cut -d' ' -f1
}
# img_field FILE N: field N of od-img's line (1 type, 2-3 size, 4 hash)
img_field() { "$IMG" "$1" | cut -d' ' -f"$2"; }

# --- each kind against ImageMagick's decoding -----------------------------
"$CONVERT" -size 700x520 -seed 7 plasma:fractal -blur 0x1 base.png
"$CONVERT" -size 700x520 -seed 8 plasma:fractal -blur 0x1 base2.png
"$CONVERT" base.png -quality 90 a.jpg
"$CONVERT" base.png -quality 85 -interlace JPEG a-progressive.jpg
"$CONVERT" base.png -colorspace Gray -quality 90 a-grey.jpg
"$CONVERT" base.png -colorspace CMYK -quality 95 a-cmyk.jpg
"$CONVERT" base.png a.png
"$CONVERT" base.png -depth 16 a-16bit.png
"$CONVERT" base.png -colors 200 PNG8:a-palette.png
"$CONVERT" base.png -interlace PNG a-interlaced.png
"$CONVERT" base.png \( -size 700x520 gradient:white-black \) -alpha off \
	-compose CopyOpacity -composite a-alpha.png
"$CONVERT" base.png a.gif
"$CONVERT" base.png -interlace GIF a-interlaced.gif
"$CONVERT" base.png base2.png -loop 0 a-animated.gif
"$CONVERT" base.png -define webp:lossless=true a-lossless.webp
"$CONVERT" base.png -quality 80 a-lossy.webp
"$CONVERT" base.png base2.png -loop 0 -define webp:lossless=true a-animated.webp
for spec in a.jpg:image/jpeg:0 a-progressive.jpg:image/jpeg:0 \
	a-grey.jpg:image/jpeg:0 a-cmyk.jpg:image/jpeg:8 a.png:image/png:0 \
	a-16bit.png:image/png:0 a-palette.png:image/png:0 \
	a-interlaced.png:image/png:0 a-alpha.png:image/png:0 a.gif:image/gif:0 \
	a-interlaced.gif:image/gif:0 a-animated.gif:image/gif:0 \
	a-lossless.webp:image/webp:0 a-lossy.webp:image/webp:0 \
	a-animated.webp:image/webp:0; do
	IFS=: read -r f mime bound <<< "$spec"
	read -r got w h hex q < <("$IMG" "$f" || true)
	ref=$(im_pdq "$f")
	d=$("$PDQ" distance "$hex" "$ref" 2>/dev/null || echo 999)
	check "$f: $got ${w}x$h, $d bits from ImageMagick's pixels (at most $bound), quality $q" \
		test "$got" = "$mime" -a "$w" = 700 -a "$h" = 520 -a "$d" -le "$bound"
done
d=$("$PDQ" distance "$(img_field a-animated.gif 4)" "$(img_field a.gif 4)")
check "an animated GIF is hashed by its first frame ($d bits from the still)" \
	test "$d" -eq 0
d=$("$PDQ" distance "$(img_field a-lossless.webp 4)" "$(img_field a.png 4)")
check "a lossless WebP and the PNG of the same pixels: $d bits" test "$d" -eq 0

# --- truncated, corrupted, flipped ----------------------------------------
# decode FILE: od-img's exit status; 0 and 1 are answers, anything else
# (a signal, a failure) is the tool falling over.
decode() { run_status rc "$IMG" "$1" > out.txt; echo "$rc"; }
for f in a.jpg a-progressive.jpg a.png a-interlaced.png a.gif a-lossy.webp \
	a-lossless.webp a-animated.webp; do
	size=$(stat -c %s "$f")
	head -c $((size / 2)) "$f" > cut
	rc=$(decode cut)
	check "$f cut in half: refused ($(cat out.txt))" \
		test "$rc" -eq 1 -a -n "$(sed -n 's/^refused: ..*/x/p' out.txt)"
	cp "$f" bad
	printf '\377\377\377\377\377\377\377\377\377\377\377\377' |
		dd of=bad bs=1 seek=$((size / 3)) conv=notrunc status=none
	rc=$(decode bad)
	check "$f with 12 bytes overwritten: exit $rc ($(cut -c1-90 out.txt))" \
		test "$rc" -le 1
	bad_rc=0
	for i in $(seq 1 15); do
		cp "$f" flip
		for _ in 1 2 3 4; do
			off=$(( (RANDOM * 32768 + RANDOM) % size ))
			printf "\\$(printf '%03o' $((RANDOM % 256)))" |
				dd of=flip bs=1 seek="$off" conv=notrunc status=none
		done
		rc=$(decode flip)
		[ "$rc" -le 1 ] || bad_rc=$rc
	done
	check "$f with random bytes changed, 15 times: no crash" test "$bad_rc" -eq 0
done
head -c 1 a.png > cut
check "the first byte of a PNG is no image" \
	test "$(decode cut)" -eq 1

# --- bombs ----------------------------------------------------------------
# png W H: a 1-bit grey PNG of W x H black pixels, made without ImageMagick
# (it would need gigabytes): rows of zero bytes, deflated in one stream.
png() {
	python3 - "$1" "$2" <<'PY'
import struct, sys, zlib
w, h = int(sys.argv[1]), int(sys.argv[2])
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
z = zlib.compressobj(9)
row = bytes(1 + (w + 7) // 8)
idat = b"".join(z.compress(row) for _ in range(h)) + z.flush()
sys.stdout.buffer.write(b"\x89PNG\r\n\x1a\n" +
    chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 1, 0, 0, 0, 0)) +
    chunk(b"IDAT", idat) + chunk(b"IEND", b""))
PY
}
png 30000 30000 > bomb.png
run_status rc "$IMG" --repeat 5 bomb.png > out.txt 2> time.txt
ms=$(sed -n 's/^best //p' time.txt)
check "a 30000x30000 PNG ($(stat -c %s bomb.png) bytes) is refused in $ms ms: $(cat out.txt)" \
	test "$rc" -eq 1 -a "${ms%.*}" -lt 100
check "... by its header, before any decoding" grep -q '30000x30000 is over the limit' out.txt
png 10000 10000 > limit.png
t0=$(date +%s%N)
rc=$(decode limit.png)
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "a 10000x10000 PNG (the 100-megapixel limit) decodes in the child's limits, $ms ms" \
	test "$rc" -eq 0
png 10001 10000 > over.png
check "10001x10000 is refused" test "$(decode over.png)" -eq 1

# --- the sandbox is on ------------------------------------------------------
if command -v strace > /dev/null; then
	# (LeakSanitizer cannot run under ptrace, in a sanitizer build)
	ASAN_OPTIONS=detect_leaks=0 ODTEST_MARK=parent strace -f -v \
		-e trace=execve,seccomp,prctl -o trace.txt "$IMG" a.png > /dev/null
	grep '"/proc/self/exe"' trace.txt > exec.txt || true
	check "the decoder is od-img exec'd again: $(cut -c1-110 exec.txt)" \
		grep -q '\["oniondrop-image-decoder", "--oniondrop-image-decoder"\].* = 0' exec.txt
	check "... with none of the caller's environment" \
		test -s exec.txt -a -z "$(grep ODTEST_MARK exec.txt)"
	check "the decoder loads a seccomp filter" \
		grep -q 'seccomp(SECCOMP_SET_MODE_FILTER, 0, .*) = 0' trace.txt
	check "... after PR_SET_NO_NEW_PRIVS" grep -q 'PR_SET_NO_NEW_PRIVS, 1.*= 0' trace.txt
else
	fail "strace is installed (TEST_PACKAGES)"
fi
if grep -qa __asan_init "$IMG"; then
	pass "# SKIP without /proc: ASan reads its options and ends in /proc itself"
elif unshare -r -m true 2> /dev/null; then
	run_status rc unshare -r -m \
		sh -c 'mount -t tmpfs none /proc && "$0" a.png' "$IMG" > out.txt
	check "without /proc the image is refused, no plain fork: $(cat out.txt)" \
		test "$rc" -eq 1 -a -n "$(grep 'could not be started: no /proc/self/exe' out.txt)"
else
	pass "# SKIP unshare -r -m is not allowed here (no /proc cannot be tried)"
fi
# child ARGS...: od-img as a child, a socket as descriptor 3; its status
child() {
	python3 - "$IMG" "$@" <<'PY'
import os, socket, subprocess, sys
a, b = socket.socketpair()
os.dup2(b.fileno(), 3)
sys.exit(subprocess.run(sys.argv[1:], pass_fds=[3],
    stderr=subprocess.DEVNULL).returncode)
PY
}
run_status rc child --oniondrop-image-decoder 5
check "a child's argument is refused in a build without test hooks (exit $rc)" \
	test "$rc" -eq 2
run_status rc "$IMG" --oniondrop-image-decoder 3< a.png 2> /dev/null
check "... and a child without a socket on descriptor 3 (exit $rc)" test "$rc" -eq 2

# --- thumbnails -------------------------------------------------------------
# energy THUMB.pgm PLAIN.raw: the thumbnail's high-frequency energy (mean
# squared difference of neighbours) over that of the same image made grey
# and 160x119 by ImageMagick without blurring.
energy() {
	python3 - "$1" "$2" <<'PY'
import sys
def energy(g, w, h):
    s = 0
    for y in range(h - 1):
        for x in range(w - 1):
            p = g[y * w + x]
            s += (g[y * w + x + 1] - p) ** 2 + (g[(y + 1) * w + x] - p) ** 2
    return s / ((w - 1) * (h - 1))
thumb = open(sys.argv[1], "rb").read()[15:]
plain = open(sys.argv[2], "rb").read()
print("%.4f" % (energy(thumb, 160, 119) / energy(plain, 160, 119)))
PY
}
below() { python3 -c "import sys; sys.exit(0 if $1 < $2 else 1)"; }
"$CONVERT" -size 700x520 pattern:checkerboard -fill red -draw 'circle 350,260 350,100' \
	-quality 95 board.jpg
for spec in a.jpg:0.1 board.jpg:0.01; do
	IFS=: read -r f bound <<< "$spec"
	"$IMG" "$f" thumb.pgm > /dev/null
	"$CONVERT" "$f" -colorspace Gray -resize '160x119!' -depth 8 gray:plain.raw
	check "$f: the thumbnail is a one-channel PGM of 160x119" \
		test "$(head -c 15 thumb.pgm | tr '\n' ' ')" = "P5 160 119 255 "
	ratio=$(energy thumb.pgm plain.raw)
	check "$f: its high-frequency energy is $ratio of the unblurred grey image's (< $bound)" \
		below "$ratio" "$bound"
done
