/*
 * imgchild: the sandboxed decoder that imgdecode starts and feeds images
 * one at a time, and the messages between them. The child is exec'd:
 * imgchild_start forks and runs this same program again (/proc/self/exe)
 * with the reserved argument IMGCHILD_ARGV, an empty environment and only
 * its socket, so it inherits no memory of the caller (no key, no
 * plaintext) that a hostile image could make the decoders send back.
 * Every program that links the decoder calls imgchild_main first thing in
 * main, where the child turns off into imgchild_run. The child locks itself down
 * before it reads a byte of an image (imgchild.c says how), then reads a
 * request and answers it with one reply, request after request; the
 * parent trusts nothing in a reply that it has not checked.
 *
 * Request (parent to child), big-endian:
 *   0  kind  u32   enum sniff_image, not SNIFF_NOT_IMAGE
 *   4  flags u32   IMGCHILD_THUMBNAIL or 0
 *   8  len   u64   at most IMGDECODE_INPUT_MAX
 *  16  the image's len bytes
 * Reply (child to parent), IMGCHILD_HEADER bytes then body bytes:
 *   0  magic   "ODIMGv1\n"
 *   8  status  u32   0 decoded, 1 refused
 *  12  width   u32   decoded: the image's; refused: 0
 *  16  height  u32
 *  20  quality u32   PDQ quality 0..100; refused: 0
 *  24  tw, th  u32   decoded with IMGCHILD_THUMBNAIL asked:
 *                    thumb_size(width, height); else 0
 *  32  body    u32   decoded: tw * th grey bytes; refused: the reason's
 *                    length, 1 .. IMGDECODE_REASON_MAX printable ASCII
 *  36  pdq     32 bytes; refused: zero
 * and nothing more: after a decoded image, the child waits for the next
 * request (the end of its socket instead: it exits 0); after a refusal,
 * it exits 0.
 */
#ifndef IMGCHILD_H
#define IMGCHILD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define IMGCHILD_REQUEST 16
#define IMGCHILD_THUMBNAIL 1u	/* flags: make the thumbnail */
#define IMGCHILD_HEADER 68
#define IMGCHILD_MAGIC "ODIMGv1\n"
/* argv[1] of an exec'd child; its socket is descriptor IMGCHILD_FD. */
#define IMGCHILD_ARGV "--oniondrop-image-decoder"
#define IMGCHILD_FD 3
/* The child's exit status when it could not be exec'd. */
#define IMGCHILD_EXEC_FAILED 127

/*
 * imgchild_main(argc, argv): to be called first thing in main by every
 * program that links the decoder. Returns at once unless argv[1] is
 * IMGCHILD_ARGV; then this process is a child that imgchild_start exec'd:
 * if IMGCHILD_FD is a socket and no other argument was given (a test
 * build's hooks take theirs), it runs imgchild_run(IMGCHILD_FD), else it
 * exits 2. Returns only in the first case.
 */
void imgchild_main(int argc, char **argv);

/*
 * imgchild_start(fd): start a child on fd, one end of a connected stream
 * socket pair (both ends close-on-exec): fork, and in
 * the child make fd its IMGCHILD_FD, close every other descriptor but
 * 0-2, ask to be killed when the caller dies, and exec /proc/self/exe
 * with argv[1] IMGCHILD_ARGV and an empty environment (a sanitizer build
 * passes on ASAN_OPTIONS, UBSAN_OPTIONS and LSAN_OPTIONS). Return the
 * child's pid; or -1 with errno set: fork's, or ENOEXEC if this program
 * never called imgchild_main (its child would run the program again). A
 * child that could not be exec'd (no /proc) exits IMGCHILD_EXEC_FAILED.
 * The caller must be single-threaded.
 */
pid_t imgchild_start(int fd);

/*
 * imgchild_run(fd): the exec'd child's whole life: sandbox itself, so
 * that fd (a connected stream socket) is all it can use, and serve
 * requests on fd until a refusal or the socket's end, then exit 0. Never
 * returns.
 */
void imgchild_run(int fd) __attribute__((noreturn));

#ifdef IMGCHILD_TEST_HOOKS
/*
 * Test builds only: what the next children do once sandboxed, instead of
 * their work: try to open a file (the filter must kill them with SIGSYS),
 * crash, spin on the CPU, wait for bytes that never come, send reply
 * (len bytes, copied) as their whole answer, or look through their own
 * memory for a marker (below) and answer a refusal saying whether they
 * found one; or, besides their work, spend IMGCHILD_TEST_SLOW_MS of CPU
 * time on each image before decoding it. imgchild_start passes the
 * choice on in the child's argv.
 */
enum imgchild_test {
	IMGCHILD_TEST_OFF,
	IMGCHILD_TEST_OPEN,
	IMGCHILD_TEST_CRASH,
	IMGCHILD_TEST_SPIN,
	IMGCHILD_TEST_STALL,
	IMGCHILD_TEST_REPLY,
	IMGCHILD_TEST_MEMORY,
	IMGCHILD_TEST_SLOW,
};
#define IMGCHILD_TEST_SLOW_MS 2500
void imgchild_test_set(enum imgchild_test what, const void *reply,
    size_t len);

/*
 * imgchild_test_marker(m): fill m with a new marker: 24 random bytes and
 * 8 that are a mix of them, so that IMGCHILD_TEST_MEMORY's child knows
 * one when it sees it without being told which. The child looks before
 * its filter, at every 8-byte boundary of every readable mapping of up
 * to 64 MiB but the kernel's [vvar] and [vsyscall].
 */
#define IMGCHILD_TEST_MARKER 32
void imgchild_test_marker(uint8_t m[IMGCHILD_TEST_MARKER]);
#endif

#endif
