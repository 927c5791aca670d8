/*
 * onion: the onion-address and onion-auth subcommands. Owns their command
 * lines and output; the formats themselves belong to lib/onion.
 *
 * onion-auth needs the service's address because tor's .auth_private line
 * starts with it. --onion gives it: the address (with or without .onion)
 * or, on the service host, the HiddenServiceDir, its hs_ed25519_public_key
 * or its hostname file. INTERFACE.md makes --onion optional: without it the
 * line starts with a placeholder to replace, and the tool says so.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "commands.h"
#include "onion.h"

static const char address_usage[] =
    "usage: oniondrop-keys onion-address HS_DIR|hs_ed25519_public_key\n"
    "\n"
    "Print the v3 .onion address of the onion service whose HiddenServiceDir\n"
    "(or the hs_ed25519_public_key file in it) is given.\n";

static const char auth_usage[] =
    "usage: oniondrop-keys onion-auth --out PREFIX [--onion SERVICE]\n"
    "\n"
    "Make a Tor client-authorization x25519 key pair for one analyst:\n"
    "  PREFIX.auth          public; goes into the service's\n"
    "                       HiddenServiceDir/authorized_clients/\n"
    "  PREFIX.auth_private  secret (mode 0600); goes into the analyst's\n"
    "                       ClientOnionAuthDir\n"
    "SERVICE is the onion address (with or without .onion), or the service's\n"
    "HiddenServiceDir, hs_ed25519_public_key or hostname file. Tor's\n"
    ".auth_private line begins with the address: without --onion it begins\n"
    "with " ONION_AUTH_NO_ADDRESS ", to be replaced. Existing files are\n"
    "never overwritten.\n";

/* Report an option error for command cmd, print usage on stderr; return 2. */
static int
usage_error(const char *cmd, const char *usage, const char *what,
    const char *arg)
{
	cli_error("%s: %s%s%s", cmd, what, arg ? " " : "", arg ? arg : "");
	fputs(usage, stderr);
	return CLI_EXIT_USAGE;
}

/*
 * Handle the getopt_long result c shared by both commands: '?' and ':' are
 * usage errors (the offending word is argv[optind - 1]). Return the exit
 * status, or -1 if c is not one of these.
 */
static int
common_option(int c, char *argv[], const char *usage)
{
	switch (c) {
	case 'h':
		fputs(usage, stdout);
		return CLI_EXIT_OK;
	case ':':
		return usage_error(argv[0], usage, "missing value for",
		    argv[optind - 1]);
	case '?':
		return usage_error(argv[0], usage, "unknown option",
		    argv[optind - 1]);
	default:
		return -1;
	}
}

int
onion_address_main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint8_t pubkey[ONION_PUBKEY_LEN];
	char address[ONION_ADDRESS_SIZE];
	const char *why;
	int c;

	opterr = 0;
	optind = 1;
	if ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1)
		return common_option(c, argv, address_usage);	/* --help or error */
	if (argc - optind != 1)
		return usage_error(argv[0], address_usage,
		    "needs exactly one HS_DIR or key file", NULL);
	if (onion_pubkey_read(argv[optind], pubkey, &why) != 0) {
		cli_error("%s: %s: %s", argv[0], argv[optind], why);
		return CLI_EXIT_FAIL;
	}
	if (onion_address_from_pubkey(address, pubkey) != 0) {
		cli_error("%s: SHA3-256 is not available from OpenSSL", argv[0]);
		return CLI_EXIT_FAIL;
	}
	printf("%s\n", address);
	return CLI_EXIT_OK;
}

/*
 * Find the service key named by --onion: an address, a HiddenServiceDir, an
 * hs_ed25519_public_key (always 64 bytes) or a hostname file.
 */
static int
service_pubkey(const char *arg, uint8_t pubkey[ONION_PUBKEY_LEN],
    const char **why)
{
	struct stat st;

	if (onion_address_parse(pubkey, arg, strlen(arg), why) == 0)
		return 0;
	if (stat(arg, &st) != 0)
		return -1;	/* not a path either: *why names the address flaw */
	if (S_ISDIR(st.st_mode) || st.st_size == ONION_KEYFILE_LEN)
		return onion_pubkey_read(arg, pubkey, why);
	return onion_hostname_read(arg, pubkey, why);
}

/* Return prefix with suffix appended, in malloc'd memory; exit if none. */
static char *
suffixed(const char *prefix, const char *suffix)
{
	char *s;

	if (asprintf(&s, "%s%s", prefix, suffix) < 0) {
		cli_error("out of memory");
		exit(CLI_EXIT_FAIL);
	}
	return s;
}

/* Write both files; the public one is removed again if the secret fails. */
static int
write_pair(const char *pub_path, const char *priv_path,
    const struct onion_auth *auth, const uint8_t service[ONION_PUBKEY_LEN])
{
	char pub_line[ONION_AUTH_PUBLIC_SIZE];
	char *priv_line;
	int rc = -1;

	if ((priv_line = sodium_malloc(ONION_AUTH_PRIVATE_SIZE)) == NULL) {
		cli_error("out of memory");
		return -1;
	}
	onion_auth_public_line(pub_line, auth);
	if (onion_auth_private_line(priv_line, auth, service) != 0) {
		cli_error("SHA3-256 is not available from OpenSSL");
		goto done;
	}
	if (cli_write_new_file(pub_path, pub_line, strlen(pub_line), 0644) != 0)
		goto done;
	if (cli_write_new_file(priv_path, priv_line, strlen(priv_line),
	    0600) != 0) {
		unlink(pub_path);
		goto done;
	}
	rc = 0;
done:
	sodium_free(priv_line);	/* wipes the secret line */
	return rc;
}

/* Tell the operator where each file goes. */
static void
print_placement(const char *pub_path, const char *priv_path,
    const uint8_t service[ONION_PUBKEY_LEN])
{
	char address[ONION_ADDRESS_SIZE];

	if (service == NULL) {
		strcpy(address, "the service");
		cli_error("no --onion given: in %s, replace %s with the service's "
		    "address (56 characters, without .onion) before tor reads it",
		    priv_path, ONION_AUTH_NO_ADDRESS);
	} else if (onion_address_from_pubkey(address, service) != 0) {
		strcpy(address, "the service");
	}
	printf("%s: public key. On the service, copy it into "
	    "HiddenServiceDir/authorized_clients/ and reload tor.\n", pub_path);
	printf("%s: secret key for %s. On the analyst's machine, put it in "
	    "the directory named by ClientOnionAuthDir in torrc (mode 0700) "
	    "and reload tor; Tor Browser instead asks for the key "
	    "(the text after \"x25519:\") when the address is first opened.\n",
	    priv_path, address);
}

int
onion_auth_main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "out", required_argument, NULL, 'o' },
		{ "onion", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	const char *prefix = NULL, *onion = NULL, *why;
	uint8_t service[ONION_PUBKEY_LEN];
	struct onion_auth *auth;
	char *pub_path, *priv_path;
	int c, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		if (c == 'o')
			prefix = optarg;
		else if (c == 'n')
			onion = optarg;
		else
			return common_option(c, argv, auth_usage);
	}
	if (optind != argc)
		return usage_error(argv[0], auth_usage, "unexpected argument",
		    argv[optind]);
	if (prefix == NULL || prefix[0] == '\0')
		return usage_error(argv[0], auth_usage, "--out PREFIX is required",
		    NULL);
	if (onion != NULL && service_pubkey(onion, service, &why) != 0) {
		cli_error("%s: --onion %s: %s", argv[0], onion, why);
		return CLI_EXIT_FAIL;
	}
	if ((auth = onion_auth_generate()) == NULL) {
		cli_error("out of memory");
		return CLI_EXIT_FAIL;
	}
	pub_path = suffixed(prefix, ".auth");
	priv_path = suffixed(prefix, ".auth_private");
	rc = write_pair(pub_path, priv_path, auth, onion ? service : NULL);
	onion_auth_free(auth);
	if (rc == 0)
		print_placement(pub_path, priv_path, onion ? service : NULL);
	free(pub_path);
	free(priv_path);
	return rc == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}
