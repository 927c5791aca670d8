/*
 * imgchild: the sandboxed decoder that imgdecode forks for each image, and
 * the messages between them. The child locks itself down before it reads
 * a byte of the image (imgchild.c says how), reads one request, answers
 * one reply and exits; the parent trusts nothing in the reply that it has
 * not checked.
 *
 * Request (parent to child), big-endian:
 *   0  kind  u32   enum sniff_image, not SNIFF_NOT_IMAGE
 *   4  len   u64   at most IMGDECODE_INPUT_MAX
 *  12  the image's len bytes
 * Reply (child to parent), IMGCHILD_HEADER bytes then body bytes:
 *   0  magic   "ODIMGv1\n"
 *   8  status  u32   0 decoded, 1 refused
 *  12  width   u32   decoded: the image's; refused: 0
 *  16  height  u32
 *  20  quality u32   PDQ quality 0..100; refused: 0
 *  24  tw, th  u32   decoded: thumb_size(width, height); refused: 0
 *  32  body    u32   decoded: tw * th grey bytes; refused: the reason's
 *                    length, 1 .. IMGDECODE_REASON_MAX printable ASCII
 *  36  pdq     32 bytes; refused: zero
 * and then the child exits 0; nothing more is sent.
 */
#ifndef IMGCHILD_H
#define IMGCHILD_H

#include <stddef.h>

#define IMGCHILD_REQUEST 12
#define IMGCHILD_HEADER 68
#define IMGCHILD_MAGIC "ODIMGv1\n"

/*
 * imgchild_run(fd): the child's whole life after fork: sandbox itself, so
 * that fd (a connected stream socket) is all it can use, serve one
 * request on fd and exit. Never returns.
 */
void imgchild_run(int fd) __attribute__((noreturn));

#ifdef IMGCHILD_TEST_HOOKS
/*
 * Test builds only: what the next children do once sandboxed, instead of
 * their work: try to open a file (the filter must kill them with SIGSYS),
 * crash, spin on the CPU, wait for bytes that never come, or send reply
 * (len bytes, copied) as their whole answer.
 */
enum imgchild_test {
	IMGCHILD_TEST_OFF,
	IMGCHILD_TEST_OPEN,
	IMGCHILD_TEST_CRASH,
	IMGCHILD_TEST_SPIN,
	IMGCHILD_TEST_STALL,
	IMGCHILD_TEST_REPLY,
};
void imgchild_test_set(enum imgchild_test what, const void *reply,
    size_t len);
#endif

#endif
