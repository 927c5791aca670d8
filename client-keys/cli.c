/*
 * cli: see cli.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"

#define PASSPHRASE_MAX 1024
#define KEY_FILE_MAX 4096

static void verror(const char *fmt, va_list ap, int errnum)
    __attribute__((format(printf, 1, 0)));

static void
verror(const char *fmt, va_list ap, int errnum)
{
	fputs("oniondrop-keys: ", stderr);
	vfprintf(stderr, fmt, ap);
	if (errnum)
		fprintf(stderr, ": %s", strerror(errnum));
	fputc('\n', stderr);
}

void
cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(fmt, ap, 0);
	va_end(ap);
}

void
cli_error_errno(const char *fmt, ...)
{
	int errnum = errno;
	va_list ap;

	va_start(ap, fmt);
	verror(fmt, ap, errnum);
	va_end(ap);
}

int
cli_write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
cli_write_new_file(const char *path, const void *data, size_t len, int mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    mode);

	if (fd < 0) {
		cli_error_errno("cannot create %s", path);
		return -1;
	}
	if (fchmod(fd, (mode_t)mode) != 0 || cli_write_all(fd, data, len) != 0 ||
	    fsync(fd) != 0) {
		cli_error_errno("cannot write %s", path);
		close(fd);
		unlink(path);
		return -1;
	}
	if (close(fd) != 0) {
		cli_error_errno("cannot write %s", path);
		unlink(path);
		return -1;
	}
	return 0;
}

uint8_t *
cli_read_file(const char *path, size_t maxlen, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	uint8_t *buf = NULL;
	size_t got = 0;
	ssize_t n;

	if (fd < 0) {
		cli_error_errno("cannot open %s", path);
		return NULL;
	}
	if ((buf = sodium_malloc(maxlen + 2)) == NULL) {
		cli_error("out of memory");
		goto err;
	}
	while (got <= maxlen) {
		n = read(fd, buf + got, maxlen + 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			cli_error_errno("cannot read %s", path);
			goto err;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got > maxlen) {
		cli_error("%s: file too large (over %zu bytes)", path, maxlen);
		goto err;
	}
	close(fd);
	buf[got] = '\0';
	*len = got;
	return buf;
err:
	close(fd);
	cli_free_secret(buf);
	return NULL;
}

void
cli_free_secret(void *p)
{
	if (p != NULL)
		sodium_free(p);	/* sodium_free wipes before freeing */
}

static char *
passphrase_from_file(const char *file, size_t *len)
{
	uint8_t *buf = cli_read_file(file, PASSPHRASE_MAX, len);
	uint8_t *nl;

	if (buf == NULL)
		return NULL;
	if ((nl = memchr(buf, '\n', *len)) != NULL) {
		*nl = '\0';
		*len = (size_t)(nl - buf);
	}
	if (*len > 0 && buf[*len - 1] == '\r')
		buf[--*len] = '\0';
	return (char *)buf;
}

/* Read one line from the terminal with echo off into buf (cap bytes). */
static int
prompt_noecho(FILE *tty, const char *prompt, char *buf, size_t cap)
{
	struct termios old, noecho;
	int fd = fileno(tty), rc = 0;
	size_t n;

	if (tcgetattr(fd, &old) != 0)
		return -1;
	noecho = old;
	noecho.c_lflag &= ~(tcflag_t)ECHO;
	noecho.c_lflag |= ECHONL;
	fputs(prompt, stderr);
	fflush(stderr);
	if (tcsetattr(fd, TCSAFLUSH, &noecho) != 0)
		return -1;
	if (fgets(buf, (int)cap, tty) == NULL)
		rc = -1;
	tcsetattr(fd, TCSAFLUSH, &old);
	if (rc == 0) {
		n = strcspn(buf, "\r\n");
		buf[n] = '\0';
	}
	return rc;
}

static char *
passphrase_from_terminal(int confirm, size_t *len)
{
	FILE *tty = fopen("/dev/tty", "r+");
	char *first = NULL, *second = NULL;

	if (tty == NULL) {
		cli_error("no terminal to ask for a passphrase: use --passphrase-file");
		return NULL;
	}
	first = sodium_malloc(PASSPHRASE_MAX + 2);
	second = sodium_malloc(PASSPHRASE_MAX + 2);
	if (first == NULL || second == NULL) {
		cli_error("out of memory");
		goto err;
	}
	if (prompt_noecho(tty, "Passphrase: ", first, PASSPHRASE_MAX + 2) != 0) {
		cli_error("could not read the passphrase");
		goto err;
	}
	if (confirm) {
		if (prompt_noecho(tty, "Passphrase again: ", second,
		    PASSPHRASE_MAX + 2) != 0) {
			cli_error("could not read the passphrase");
			goto err;
		}
		if (strcmp(first, second) != 0) {
			cli_error("the two passphrases differ");
			goto err;
		}
	}
	fclose(tty);
	cli_free_secret(second);
	*len = strlen(first);
	return first;
err:
	fclose(tty);
	cli_free_secret(first);
	cli_free_secret(second);
	return NULL;
}

char *
cli_passphrase(const char *file, int confirm, size_t *len)
{
	char *p = file ? passphrase_from_file(file, len) :
	    passphrase_from_terminal(confirm, len);

	if (p != NULL && *len == 0) {
		cli_error("empty passphrase (use --no-passphrase to store the key unprotected)");
		cli_free_secret(p);
		return NULL;
	}
	return p;
}

/* Why a file that is not a secret key of this kind is refused, or NULL. */
static const char *
key_file_refusal(const uint8_t *file, size_t len, enum keys_kind kind)
{
	const char *why = NULL;

	if (strncmp((const char *)file, KEYS_PUBLIC_LINE_PREFIX,
	    strlen(KEYS_PUBLIC_LINE_PREFIX)) == 0 ||
	    strncmp((const char *)file, KEYS_SIGN_LINE_PREFIX,
	    strlen(KEYS_SIGN_LINE_PREFIX)) == 0)
		return "not an oniondrop secret key file (this is a public "
		    "key: give PREFIX.sec)";
	keys_secret_check(file, len, kind, &why);
	return why;
}

struct keys_secret *
cli_load_key(const char *path, const char *passfile, enum keys_kind kind)
{
	struct keys_secret *key = keys_secret_new();
	uint8_t *file = NULL;
	char *pass = NULL;
	size_t len, passlen = 0;
	const char *why;

	if (key == NULL || (file = cli_read_file(path, KEY_FILE_MAX, &len)) ==
	    NULL)
		goto err;
	if ((why = key_file_refusal(file, len, kind)) != NULL) {
		cli_error("%s: %s", path, why);
		goto err;
	}
	if (keys_secret_needs_passphrase(file, len) == 1 &&
	    (pass = cli_passphrase(passfile, 0, &passlen)) == NULL)
		goto err;
	if ((kind == KEYS_SIGNING ? keys_sign_open : keys_secret_open)(key,
	    file, len, pass, passlen, &why) != 0) {
		cli_error("%s: %s", path, why);
		goto err;
	}
	cli_free_secret(file);
	cli_free_secret(pass);
	return key;
err:
	cli_free_secret(file);
	cli_free_secret(pass);
	keys_secret_free(key);
	return NULL;
}

void
cli_no_core_dumps(void)
{
	struct rlimit rl = { 0, 0 };

	setrlimit(RLIMIT_CORE, &rl);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}
