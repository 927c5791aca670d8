/*
 * backup: "oniondropd backup" and "oniondropd restore", a copy of the whole
 * store (LMDB compacted, and every envelope file its reports name) that can
 * be made while the server runs, and brought back into an empty data_dir.
 *
 * A backup directory holds data.mdb, envelopes/ID for each report kept in
 * a file, and MANIFEST, written and fsync'd last:
 *
 *   oniondrop-backup 1
 *   store-format N
 *   reports N
 *   file data.mdb SIZE BLAKE2B-256-HEX
 *   file envelopes/ID SIZE BLAKE2B-256-HEX     (one per envelope file)
 *
 * Like the other admin commands (admin.h), each returns an exit status (0,
 * or 1 after one line on stderr), and when run as root works as data_dir's
 * owner and follows no link.
 */
#ifndef BACKUP_H
#define BACKUP_H

/*
 * backup_make(data_dir, out):
 * Make the directory out (it must not exist; mode 0700, data_dir's owner's)
 * and write the backup into it: data.mdb copied from one read transaction
 * of the store, then every envelope file the copy's reports name, then the
 * MANIFEST. A file purged after the copy's snapshot (gone before it was
 * copied) makes the backup start again from a new snapshot, up to 3 times.
 * On failure what was written in out is removed. Print "backup of N
 * reports (M envelope files) in OUT".
 */
int backup_make(const char *data_dir, const char *out);

/*
 * backup_restore(data_dir, from):
 * Bring the backup in from back into data_dir, which must be missing or
 * empty (made 0700; as root, given the owner of from). Every file the
 * MANIFEST names is copied in and checked (size and hash) and the report
 * count compared; a damaged or incomplete backup is refused with its
 * reason and data_dir left empty. Print "restored N reports".
 */
int backup_restore(const char *data_dir, const char *from);

#endif
