/*
 * keygen: `oniondrop-keys keygen`, making an analyst key pair, or with
 * --sign a desk signing key pair: PREFIX.sec (0600, sealed under a
 * passphrase) and PREFIX.pub (the line the server's analyst_key, or
 * desk_key, points at).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "commands.h"
#include "keys.h"

static const char keygen_usage[] =
    "usage: oniondrop-keys keygen [--sign] --out PREFIX\n"
    "                             [--passphrase-file FILE | --no-passphrase]\n"
    "                             [--cost interactive|moderate|sensitive]\n"
    "\n"
    "Writes PREFIX.sec (mode 0600: the secret key, sealed under the passphrase\n"
    "with Argon2id) and PREFIX.pub (one line: give it to the server's admin),\n"
    "and prints the public key line. Existing files are never overwritten.\n"
    "Without --sign: an analyst key (odpk1_), which reports are sealed to.\n"
    "With --sign: the desk's signing key (odsig1_), which signs outcome\n"
    "files (outcomes); the server's desk_key names its PREFIX.pub.\n"
    "Without --passphrase-file the passphrase is asked twice on the terminal.\n"
    "--cost sets the Argon2id cost (default moderate: 3 passes, 256 MiB).\n";

struct keygen_args {
	const char *out;
	const char *passfile;
	int no_passphrase;
	int sign;
	struct keys_kdf_cost cost;
};

static int
parse_cost(const char *s, struct keys_kdf_cost *cost)
{
	if (strcmp(s, "interactive") == 0) {
		cost->opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
		cost->memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
	} else if (strcmp(s, "moderate") == 0) {
		*cost = keys_kdf_default;
	} else if (strcmp(s, "sensitive") == 0) {
		cost->opslimit = crypto_pwhash_OPSLIMIT_SENSITIVE;
		cost->memlimit = crypto_pwhash_MEMLIMIT_SENSITIVE;
	} else {
		return -1;
	}
	return 0;
}

/* Return -1 to exit 0 (help), 0 to go on, 1 on a usage error. */
static int
parse_args(int argc, char *argv[], struct keygen_args *a)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "passphrase-file", required_argument, NULL, 'p' },
		{ "no-passphrase", no_argument, NULL, 'n' },
		{ "cost", required_argument, NULL, 'c' },
		{ "sign", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	a->cost = keys_kdf_default;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'o': a->out = optarg; break;
		case 'p': a->passfile = optarg; break;
		case 'n': a->no_passphrase = 1; break;
		case 's': a->sign = 1; break;
		case 'c':
			if (parse_cost(optarg, &a->cost) != 0) {
				cli_error("keygen: unknown --cost '%s'", optarg);
				return 1;
			}
			break;
		case 'h': return -1;
		default: return 1;
		}
	}
	if (optind != argc || a->out == NULL || a->out[0] == '\0') {
		cli_error("keygen: --out PREFIX is required, and nothing else");
		return 1;
	}
	if (a->passfile && a->no_passphrase) {
		cli_error("keygen: --passphrase-file and --no-passphrase exclude each other");
		return 1;
	}
	return 0;
}

/* Write PREFIX.sec then PREFIX.pub; on failure leave neither behind. */
static int
write_key_files(const char *prefix, const uint8_t *sec, const char *publine)
{
	char *secpath = NULL, *pubpath = NULL;
	char line[KEYS_SIGN_LINE_LEN + 2];	/* the longer of the two */
	int rc = -1;

	if (asprintf(&secpath, "%s.sec", prefix) < 0 ||
	    asprintf(&pubpath, "%s.pub", prefix) < 0) {
		cli_error("out of memory");
		goto out;
	}
	if (access(pubpath, F_OK) == 0) {
		cli_error("keygen: %s already exists; not overwritten", pubpath);
		goto out;
	}
	if (cli_write_new_file(secpath, sec, KEYS_SECRET_FILE_BYTES, 0600) != 0)
		goto out;
	snprintf(line, sizeof(line), "%s\n", publine);
	if (cli_write_new_file(pubpath, line, strlen(line), 0644) != 0) {
		unlink(secpath);
		goto out;
	}
	rc = 0;
out:
	free(secpath);
	free(pubpath);
	return rc;
}

/*
 * A fresh key pair of the kind asked for into key, its secret file image
 * into file and its public line into publine. Return 0, or -1 if Argon2id
 * could not get its memory.
 */
static int
make_key(const struct keygen_args *a, struct keys_secret *key,
    uint8_t file[KEYS_SECRET_FILE_BYTES], char publine[KEYS_SIGN_LINE_LEN + 1],
    const char *pass, size_t passlen)
{
	if (a->sign) {
		keys_sign_generate(key);
		keys_sign_public_format(publine, &key->pub);
		return keys_sign_seal(file, key, pass, passlen, &a->cost);
	}
	keys_generate(key);
	keys_public_format(publine, &key->pub);
	return keys_secret_seal(file, key, pass, passlen, &a->cost);
}

int
keygen_main(int argc, char *argv[])
{
	struct keygen_args a = { 0 };
	struct keys_secret *key = NULL;
	uint8_t file[KEYS_SECRET_FILE_BYTES];
	char publine[KEYS_SIGN_LINE_LEN + 1];	/* the longer of the two */
	char *pass = NULL;
	size_t passlen = 0;
	int rc = CLI_EXIT_FAIL, parsed = parse_args(argc, argv, &a);

	if (parsed != 0) {
		fputs(keygen_usage, parsed < 0 ? stdout : stderr);
		return parsed < 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}
	if (!a.no_passphrase &&
	    (pass = cli_passphrase(a.passfile, 1, &passlen)) == NULL)
		return CLI_EXIT_FAIL;
	if ((key = keys_secret_new()) == NULL) {
		cli_error("out of memory");
		goto out;
	}
	if (make_key(&a, key, file, publine, pass, passlen) != 0) {
		cli_error("keygen: not enough memory for Argon2id");
		goto out;
	}
	if (write_key_files(a.out, file, publine) != 0)
		goto out;
	printf("%s\n", publine);
	rc = CLI_EXIT_OK;
out:
	sodium_memzero(file, sizeof(file));
	keys_secret_free(key);
	cli_free_secret(pass);
	return rc;
}
