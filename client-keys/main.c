/*
 * main: oniondrop-keys, the analyst's offline tool. Dispatches to one
 * subcommand; owns nothing else. Core dumps and ptrace are off before any
 * secret exists.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"
#include "commands.h"
#include "imgchild.h"

static const struct {
	const char *name;
	int (*run)(int, char *[]);
	const char *summary;
} commands[] = {
	{ "keygen", keygen_main, "make an analyst (or, --sign, a desk signing) key pair" },
	{ "decrypt", decrypt_main, "decrypt exported bundles into a directory" },
	{ "onion-address", onion_address_main, "print a v3 onion address from a service key" },
	{ "onion-auth", onion_auth_main, "make a Tor client-authorization key pair" },
	{ "search", search_main, "full-text search of a case directory's reports" },
	{ "export", export_main, "a case directory's reports and verdicts as csv or json" },
	{ "stats", stats_main, "counts of a case directory's reports by day, verdict..." },
	{ "purge-plaintext", purge_plaintext_main, "delete assessed reports' attachments" },
	{ "assess", assess_main, "record a verdict for URLs of a case directory" },
	{ "verify", verify_main, "re-check the hash chain of the verdict log" },
	{ "queue", queue_main, "the URLs of a case directory still to assess" },
	{ "show", show_main, "one report, or one URL, of a case directory" },
	{ "outcome", outcome_main, "queue what a reporter is told of a report" },
	{ "outcomes", outcomes_main, "write the queued outcomes into a signed file" },
	{ "referral", referral_main, "a packet for the police, a host or a hotline" },
	{ "hashlist", hashlist_main, "import a list of known media's hashes; list them" },
	{ "view", view_main, "a contact sheet of attachments: blurred, grey, no script" },
};

static void
usage(FILE *out)
{
	fprintf(out, "usage: oniondrop-keys COMMAND [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-16s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'oniondrop-keys COMMAND --help' describes each command.\n");
}

int
main(int argc, char *argv[])
{
	imgchild_main(argc, argv);
	cli_no_core_dumps();
	if (sodium_init() < 0) {
		cli_error("libsodium failed to initialise");
		return CLI_EXIT_FAIL;
	}
	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("oniondrop-keys %s\n", ODVERSION);
		return CLI_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	cli_error("unknown command '%s'", argv[1]);
	usage(stderr);
	return CLI_EXIT_USAGE;
}
