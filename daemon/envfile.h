/*
 * envfile: large envelopes, kept as files beside LMDB. It owns the
 * directory data_dir/envelopes (mode 0700) and the files in it, one per
 * report, named by the report id in hex (32 characters, mode 0600). Like
 * the store, it holds ciphertext only.
 *
 * A file is written while its upload arrives, with O_DIRECT where the file
 * system has it: the bytes go from the store's buffer to the disk, not
 * through the page cache (no second copy, no page cache to fill and
 * reclaim), so the fsync at commit has only the last block and the file's
 * size left to write, and an upload of any size costs one fsync. A file counts as a report only once LMDB has a
 * "reports" entry that says so (storedb.h); one without is an upload that
 * never committed, or a purge that died before unlinking, and
 * envfile_sweep removes it. See docs/store.md for the durability argument.
 *
 * Times. A file's times would say when a reporter sent it, to the second,
 * where LMDB keeps only the day. So a committed file's mtime and atime are
 * set to the start of its day (UTC); a file is born as an empty spare
 * made ahead of time (at the server's start and at each UTC midnight) and
 * takes the report's name when its upload starts, so its birth time, which
 * no call can change, says only that; an upload that fails or is dropped
 * gives its file back to the spares, emptied, so the spares left count only
 * the committed reports (which LMDB lists with their day); after every
 * change, envfile_touch_all sets every file's ctime to that moment and
 * the directory's mtime and atime to the start of the day, so no ctime
 * says which file changed and the directory says nothing of its last
 * change; reading a file or the directory leaves its atime alone
 * (O_NOATIME). What remains is in docs/store.md ("Times"): chiefly the
 * moment of the last change (every ctime) and, from where files lie, the
 * order they came in. Beyond ENVFILE_SPARES large uploads in a day, the
 * next ones are born when they start.
 *
 * Functions return 0 or an errno value, and log nothing.
 */
#ifndef ENVFILE_H
#define ENVFILE_H

#include <stddef.h>
#include <stdint.h>

#include "envelope.h"
#include "sink.h"

/* What O_DIRECT writes need: buffer address, offset and length multiples
 * of this. */
#define ENVFILE_ALIGN 4096

/* Spare files ("spare-N") kept ready for uploads that start. */
#define ENVFILE_SPARES 256

/* The directory in data_dir (datadir.h: datadir_subdir opens it). */
#define ENVFILE_DIR "envelopes"

/*
 * envfile_open(dir, id, create, fd):
 * Open id's file for writing into *fd (the caller closes it), with
 * O_DIRECT unless the file system refuses it; with create, make it: from
 * a spare if one is left. A file made never takes a name that exists
 * (EEXIST): that is the writer's only check that a file is not another's.
 */
int envfile_open(int dir, const uint8_t id[ENVELOPE_ID_BYTES], int create,
    int *fd);

/*
 * envfile_write(fd, offset, buf, len):
 * Write all of buf at offset; buf, offset and len are multiples of
 * ENVFILE_ALIGN.
 */
int envfile_write(int fd, uint64_t offset, const uint8_t *buf, size_t len);

/*
 * envfile_write_last(fd, offset, buf, len):
 * Write the file's last bytes, of any length and alignment (through the
 * page cache: envfile_sync makes them durable). Nothing may follow them.
 */
int envfile_write_last(int fd, uint64_t offset, const uint8_t *buf,
    size_t len);

/*
 * envfile_sync(fd, day):
 * Set the file's mtime and atime to the start of day (days since
 * 1970-01-01 UTC) and make it durable (fdatasync). Its name becomes
 * durable with envfile_sync_dir(dir), which one fsync does for every file
 * made since.
 */
int envfile_sync(int fd, uint32_t day);
int envfile_sync_dir(int dir);

/*
 * envfile_make_spares(dir):
 * Make the spare files that are missing (empty, their mtime and atime the
 * start of today, UTC).
 */
int envfile_make_spares(int dir);

/*
 * envfile_touch_all(dir):
 * Set every envelope file's and spare's ctime to now (their other times
 * unchanged), then the directory's mtime and atime to the start of today
 * (UTC). Call it after every change to the directory or its files.
 */
int envfile_touch_all(int dir);

/*
 * envfile_remove(dir, id):
 * Unlink id's file (ENOENT if there is none, or if dir is -1: no
 * directory).
 */
int envfile_remove(int dir, const uint8_t id[ENVELOPE_ID_BYTES]);

/*
 * envfile_return(dir, id):
 * Give id's file (an upload that will not commit) back to the spares,
 * emptied, its mtime and atime the start of today; unlink it if that
 * fails or no spare name is free. ENOENT if there is no such file.
 */
int envfile_return(int dir, const uint8_t id[ENVELOPE_ID_BYTES]);

/*
 * envfile_read(dir, id, size, sink, ctx):
 * Send id's file to sink; it must be a regular file (not a link: ELOOP)
 * of dir's owner (EPERM if not), exactly size bytes long (EBADMSG if
 * not). Return 0, an errno value (ENOENT if dir is -1), or -1 if sink
 * refused.
 */
int envfile_read(int dir, const uint8_t id[ENVELOPE_ID_BYTES], uint64_t size,
    bytes_sink *sink, void *ctx);

/*
 * envfile_sweep(dir, keep, ctx, bytes, removed):
 * For every envelope file: if keep(ctx, id) says 0, unlink it and count it
 * in *removed (if removed is not NULL); otherwise add its size to *bytes.
 * keep returns 1 to keep, 0 to remove, or an error that stops the sweep
 * (and is returned). Files whose names are not envelope names are left
 * alone and not counted.
 */
int envfile_sweep(int dir, int (*keep)(void *ctx, const uint8_t *id),
    void *ctx, uint64_t *bytes, size_t *removed);

#endif
