/*
 * cli: what every subcommand of the one-shot offline tool shares: error
 * messages on stderr prefixed with the program name, option parsing help,
 * files created new (O_EXCL) with a given mode, passphrase input, opening
 * a secret key file. Exiting on allocation failure is acceptable here; this
 * is never the daemon.
 */
#ifndef CLI_H
#define CLI_H

#include <stddef.h>
#include <stdint.h>

#include "keys.h"

#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1
#define CLI_EXIT_USAGE 2

/* Print "oniondrop-keys: <message>\n" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Like cli_error, with ": strerror(errno)" appended. */
void cli_error_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * cli_write_new_file(path, data, len, mode):
 * Create path (O_EXCL: an existing file is never overwritten) with mode,
 * write data, fsync it and close it. On failure remove what was created,
 * print one error line and return -1; return 0 on success.
 */
int cli_write_new_file(const char *path, const void *data, size_t len, int mode);

/*
 * cli_write_all(fd, buf, len):
 * Write all of buf, retrying short writes and EINTR. Return 0 or -1.
 */
int cli_write_all(int fd, const void *buf, size_t len);

/*
 * cli_read_file(path, maxlen, &len):
 * Read the whole of path, refusing files larger than maxlen. Returns a
 * sodium_malloc'd buffer (NUL-terminated past len; free with
 * cli_free_secret) or NULL after printing one error line.
 */
uint8_t *cli_read_file(const char *path, size_t maxlen, size_t *len);

/* Wipe and free a buffer from cli_read_file or cli_passphrase. NULL is a no-op. */
void cli_free_secret(void *p);

/*
 * cli_passphrase(file, confirm, &len):
 * With file, the passphrase is its first line (trailing newline removed).
 * Without, ask on the terminal without echo, twice if confirm. Returns a
 * sodium_malloc'd NUL-terminated string, or NULL after printing an error.
 */
char *cli_passphrase(const char *file, int confirm, size_t *len);

/*
 * cli_load_key(path, passfile, kind):
 * Read and open the secret key file path of the kind wanted (keys.h),
 * refusing a public key line or a key of the other kind by name before
 * any passphrase is asked; the passphrase, if the file has one, comes from
 * passfile or else the terminal. Return the key (keys_secret_free it) or
 * NULL after one error line naming path.
 */
struct keys_secret *cli_load_key(const char *path, const char *passfile,
    enum keys_kind kind);

/*
 * cli_no_core_dumps():
 * No core dumps (RLIMIT_CORE 0), and not dumpable: the analyst's other
 * programs cannot ptrace the tool or read its /proc/PID/mem, so no secret
 * leaves through a core file or a debugger of the same user.
 */
void cli_no_core_dumps(void);

#endif
