/* pending: placeholders for subcommands still being written; removed as each lands. */
#include "cli.h"
#include "commands.h"

int
keygen_main(int argc, char *argv[])
{
	cli_error("keygen: not implemented yet");
	return CLI_EXIT_FAIL;
}

int
decrypt_main(int argc, char *argv[])
{
	cli_error("decrypt: not implemented yet");
	return CLI_EXIT_FAIL;
}

int
onion_address_main(int argc, char *argv[])
{
	cli_error("onion-address: not implemented yet");
	return CLI_EXIT_FAIL;
}

int
onion_auth_main(int argc, char *argv[])
{
	cli_error("onion-auth: not implemented yet");
	return CLI_EXIT_FAIL;
}
