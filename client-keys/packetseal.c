/*
 * packetseal: see packetseal.h. The files are read in 64 KiB pieces into
 * one sodium_malloc buffer, wiped when done; the sealer holds no more.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "bundle.h"
#include "cli.h"
#include "packetseal.h"
#include "seal.h"

#define PIECE 65536
#define ENVELOPE_FILE "envelope"

/* A sink that writes to the descriptor *ctx. */
static int
fd_sink(void *ctx, const uint8_t *buf, size_t len)
{
	return cli_write_all(*(int *)ctx, buf, len);
}

/* Add the file name of srcfd to s as an attachment. Return 0 or -1. */
static int
seal_file(struct seal *s, int srcfd, const char *name, uint8_t *buf)
{
	int fd = openat(srcfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), rc;
	ssize_t n;

	if (fd < 0) {
		cli_error_errno("cannot open %s to seal it", name);
		return -1;
	}
	rc = seal_attachment_begin(s, (const uint8_t *)name, strlen(name));
	while (rc == 0) {
		if ((n = read(fd, buf, PIECE)) < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -1 : 0;
			break;
		}
		rc = seal_attachment_data(s, buf, (size_t)n);
	}
	close(fd);
	if (rc != 0 || seal_attachment_end(s) != 0) {
		cli_error("cannot seal %s", name);
		return -1;
	}
	return 0;
}

/*
 * Seal the report into the new file ENVELOPE_FILE of workfd, its id in
 * id. Return its length, or 0 after printing why.
 */
static uint64_t
seal_envelope(const struct keys_public *to,
    const struct packetseal_field *fields, size_t nfields, int srcfd,
    const char *const *files, size_t nfiles, int workfd,
    uint8_t id[ENVELOPE_ID_BYTES])
{
	int fd = openat(workfd, ENVELOPE_FILE, O_RDWR | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, 0600);
	uint8_t *buf = sodium_malloc(PIECE);
	struct seal *s = NULL;
	uint64_t len = 0;
	int rc = -1;

	randombytes_buf(id, ENVELOPE_ID_BYTES);
	if (fd < 0 || buf == NULL || (s = seal_new(to, 1, id, fd_sink,
	    &fd)) == NULL)
		goto done;
	for (size_t i = 0; i < nfields; i++)
		if (seal_field(s, fields[i].name, (const uint8_t *)
		    fields[i].value, strlen(fields[i].value)) != 0)
			goto done;
	for (size_t i = 0; i < nfiles; i++)
		if (seal_file(s, srcfd, files[i], buf) != 0)
			goto done;
	while ((rc = seal_finish(s)) == 1)
		;
	if (rc == 0)
		len = seal_bytes(s);
done:
	if (len == 0)
		cli_error_errno("cannot seal the referral packet");
	seal_free(s);
	if (buf != NULL)
		sodium_free(buf);
	if (fd >= 0)
		close(fd);
	return len;
}

/* Copy len bytes of the envelope in workfd into a bundle on fd. 0 or -1. */
static int
write_bundle(int workfd, const uint8_t id[ENVELOPE_ID_BYTES], uint64_t len,
    int fd)
{
	int in = openat(workfd, ENVELOPE_FILE, O_RDONLY | O_NOFOLLOW |
	    O_CLOEXEC);
	struct bundle_writer *w = bundle_writer_new(fd_sink, &fd);
	uint8_t buf[PIECE];
	int rc = in < 0 || w == NULL || bundle_writer_begin(w, id, len) != 0;
	ssize_t n;

	while (rc == 0 && (n = read(in, buf, sizeof(buf))) != 0)
		if (n < 0 ? errno != EINTR :
		    bundle_writer_data(w, buf, (size_t)n) != 0)
			rc = 1;
	if (rc == 0 && (bundle_writer_end(w) != 0 ||
	    bundle_writer_finish(w) != 0 || fsync(fd) != 0))
		rc = 1;
	bundle_writer_free(w);
	if (in >= 0)
		close(in);
	return rc ? -1 : 0;
}

int
packetseal_write(const struct keys_public *to,
    const struct packetseal_field *fields, size_t nfields, int srcfd,
    const char *const *files, size_t nfiles, int workfd, int outfd,
    const char *out)
{
	uint8_t id[ENVELOPE_ID_BYTES];
	uint64_t len = seal_envelope(to, fields, nfields, srcfd, files,
	    nfiles, workfd, id);
	int fd = -1, rc = -1;

	if (len > 0 && (fd = openat(outfd, out, O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
		cli_error_errno("cannot create %s", out);
	if (fd >= 0 && (rc = write_bundle(workfd, id, len, fd)) != 0)
		cli_error_errno("cannot write %s", out);
	if (fd >= 0 && close(fd) != 0 && rc == 0) {
		cli_error_errno("cannot write %s", out);
		rc = -1;
	}
	if (rc != 0 && fd >= 0)
		unlinkat(outfd, out, 0);
	unlinkat(workfd, ENVELOPE_FILE, 0);
	return rc;
}
