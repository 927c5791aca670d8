/*
 * casedir: a report's files in a case directory, reached by descriptor
 * from DIR down with no link followed, whatever the case file says: a
 * report id must be 32 lower-case hex digits and an attachment's name one
 * path component, so nothing outside DIR/<id>/attachments is opened.
 * What decrypt writes there is reportdir.c's; purge, referral and view
 * read it through this.
 */
#ifndef CASEDIR_H
#define CASEDIR_H

#define CASEDIR_ID_LEN 32

/* casedir_id_ok(id): 1 if id is 32 lower-case hex digits, else 0. */
int casedir_id_ok(const char *id);

/*
 * casedir_name_ok(name):
 * 1 if name is one path component (not empty, no '/', not "." or ".."),
 * as safename.c makes every attachment's name; else 0.
 */
int casedir_name_ok(const char *name);

/*
 * casedir_attachments(dirfd, id):
 * Open DIR/<id>/attachments (dirfd is DIR) as a directory, following no
 * link. Return the descriptor (close-on-exec), or -1 with errno: EINVAL
 * if id is not casedir_id_ok, ENOENT if either is missing, ELOOP or
 * ENOTDIR if either is a link or not a directory, or open's.
 */
int casedir_attachments(int dirfd, const char *id);

/*
 * casedir_open(attfd, name):
 * Open the attachment name in the directory attfd for reading, following
 * no link and never blocking (a FIFO is not waited on). Return the
 * descriptor (close-on-exec), or -1 with errno: EINVAL if name is not
 * casedir_name_ok, or open's (ENOENT, ELOOP...). The caller checks with
 * fstat that it is a regular file.
 */
int casedir_open(int attfd, const char *name);

#endif
