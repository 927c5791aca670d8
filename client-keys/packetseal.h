/*
 * packetseal: a referral packet sealed to its recipient's oniondrop key,
 * in the formats of reports themselves (lib/seal, lib/bundle): the
 * packet's files become the attachments of one report, after a few
 * fields, and that report is the one record of a bundle. The recipient
 * opens it with `oniondrop-keys decrypt --key RECIPIENT.sec`, exactly as
 * a bundle from the server: nothing new to trust or to install.
 */
#ifndef PACKETSEAL_H
#define PACKETSEAL_H

#include <stddef.h>
#include <stdint.h>

#include "keys.h"

struct packetseal_field {
	const char *name;	/* payload_field_name_ok */
	const char *value;	/* NUL-terminated, at most 1 MiB */
};

/*
 * packetseal_write(to, fields, nfields, srcfd, files, nfiles, workfd,
 *     outfd, out):
 * Seal one report, with a fresh random id, to the public key to: the
 * fields in order, then each file files[i] (a name in the directory
 * srcfd, no link followed) as an attachment of that name. The envelope
 * is made in workfd (as "envelope", removed after: its length heads its
 * record), then written alone into the bundle out, a new file (mode 0600,
 * synced) in outfd. Return 0, or -1 after printing why, with nothing
 * left in workfd or outfd.
 */
int packetseal_write(const struct keys_public *to,
    const struct packetseal_field *fields, size_t nfields, int srcfd,
    const char *const *files, size_t nfiles, int workfd, int outfd,
    const char *out);

#endif
