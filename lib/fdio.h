/*
 * fdio: whole reads and writes on a blocking descriptor, taken up again
 * after a signal, for the places that must move exactly so many bytes (a
 * socket's frame, a file's contents).
 */
#ifndef FDIO_H
#define FDIO_H

#include <stddef.h>

/*
 * fdio_write_all(fd, buf, len):
 * Write all len bytes. Return 0, or the errno value of the write that
 * failed (EPIPE when the other end of a socket has gone, SIGPIPE ignored).
 */
int fdio_write_all(int fd, const void *buf, size_t len);

/*
 * fdio_read_exactly(fd, buf, len):
 * Read exactly len bytes. Return 0; the errno value of the read that
 * failed; or EPIPE if the end came first.
 */
int fdio_read_exactly(int fd, void *buf, size_t len);

#endif
