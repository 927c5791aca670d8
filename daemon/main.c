/*
 * main: oniondropd's commands. Without a command it runs the server; the
 * admin commands (export, stats, purge, import-outcomes) work on the store
 * from a separate process, safely while the server runs; check-config
 * reports every problem in a configuration without starting anything.
 */
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <sodium.h>

#include "admin.h"
#include "backup.h"
#include "config.h"
#include "keys.h"
#include "supervisor.h"

static const char usage_text[] =
    "usage: oniondropd --config FILE                 run the server (foreground)\n"
    "       oniondropd check-config --config FILE    check a configuration\n"
    "       oniondropd export --config FILE --out BUNDLE [--all]\n"
    "       oniondropd stats --config FILE\n"
    "       oniondropd purge --config FILE --exported-older-than DAYS\n"
    "       oniondropd import-outcomes --config FILE OUTCOME-FILE\n"
    "       oniondropd backup --config FILE --out DIR\n"
    "       oniondropd restore --config FILE --from DIR\n"
    "\n"
    "oniondropd listens only on the Unix socket of its configuration, behind\n"
    "a Tor onion service, and stores each report sealed to the analysts'\n"
    "keys. See oniondropd(8) and oniondropd.conf(5).\n";

struct args {
	const char *command;
	const char *config;
	const char *out;
	const char *from;		/* restore's backup directory */
	const char *older_than;
	const char *file;		/* import-outcomes' OUTCOME-FILE */
	int all;
};

static int
usage(FILE *f, int status)
{
	fputs(usage_text, f);
	return status;
}

/* Return -1 for --help, 0 to go on, 1 on a usage error. */
static int
parse_args(int argc, char *argv[], struct args *a)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "out", required_argument, NULL, 'o' },
		{ "from", required_argument, NULL, 'f' },
		{ "all", no_argument, NULL, 'a' },
		{ "exported-older-than", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	if (argc > 1 && argv[1][0] != '-') {
		a->command = argv[1];
		argc--;
		argv++;
	}
	while ((c = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
		switch (c) {
		case 'c': a->config = optarg; break;
		case 'o': a->out = optarg; break;
		case 'f': a->from = optarg; break;
		case 'a': a->all = 1; break;
		case 'd': a->older_than = optarg; break;
		case 'h': return -1;
		case 'v': printf("oniondropd %s\n", ODVERSION); exit(0);
		default: return 1;
		}
	}
	if (a->command != NULL && strcmp(a->command, "import-outcomes") == 0 &&
	    optind < argc)
		a->file = argv[optind++];
	if (optind != argc || a->config == NULL) {
		fprintf(stderr, "oniondropd: --config FILE is required\n");
		return 1;
	}
	return 0;
}

/* check-config: every problem, then the analyst keys and directories. */
static int
check_config(const char *path)
{
	struct config cfg;
	struct config_problems problems;
	struct keys_public keys[CONFIG_ANALYSTS_MAX], desk;
	struct stat st;
	size_t n;
	int rc = 0;

	config_problems_init(&problems);
	if (config_load(&cfg, path, &problems) != 0) {
		config_print_problems(stderr, path, &problems);
		config_free(&cfg);
		return 1;
	}
	if (supervisor_load_keys(keys, &n, &cfg) != 0)
		rc = 1;
	if (cfg.desk_key != NULL && admin_desk_key(cfg.desk_key, &desk) != 0)
		rc = 1;
	if (lstat(cfg.data_dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "%s: data_dir %s is not a directory (a link is "
		    "refused)\n", path, cfg.data_dir);
		rc = 1;
	}
	if (rc == 0)
		printf("%s: ok (%zu analyst key%s%s)\n", path, n,
		    n == 1 ? "" : "s", cfg.desk_key != NULL ? ", a desk key" : "");
	config_free(&cfg);
	return rc;
}

static int
load_config(const char *path, struct config *cfg)
{
	struct config_problems problems;

	config_problems_init(&problems);
	if (config_load(cfg, path, &problems) == 0)
		return 0;
	config_print_problems(stderr, path, &problems);
	return -1;
}

static int
parse_days(const char *s, unsigned *days)
{
	char *end;
	unsigned long v;

	if (s == NULL || s[0] < '0' || s[0] > '9')
		return -1;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v > 1000000)
		return -1;
	*days = (unsigned)v;
	return 0;
}

static int
admin_command(const struct args *a)
{
	struct config cfg;
	unsigned days = 0;
	int rc;

	if (strcmp(a->command, "purge") == 0 &&
	    parse_days(a->older_than, &days) != 0) {
		fprintf(stderr, "oniondropd: purge needs --exported-older-than DAYS\n");
		return 2;
	}
	if (strcmp(a->command, "export") == 0 && a->out == NULL) {
		fprintf(stderr, "oniondropd: export needs --out BUNDLE\n");
		return 2;
	}
	if (strcmp(a->command, "backup") == 0 && a->out == NULL) {
		fprintf(stderr, "oniondropd: backup needs --out DIR\n");
		return 2;
	}
	if (strcmp(a->command, "restore") == 0 && a->from == NULL) {
		fprintf(stderr, "oniondropd: restore needs --from DIR\n");
		return 2;
	}
	if (strcmp(a->command, "import-outcomes") == 0 && a->file == NULL) {
		fprintf(stderr, "oniondropd: import-outcomes needs OUTCOME-FILE\n");
		return 2;
	}
	if (load_config(a->config, &cfg) != 0)
		return 1;
	if (strcmp(a->command, "export") == 0)
		rc = admin_export(cfg.data_dir, a->out, a->all);
	else if (strcmp(a->command, "stats") == 0)
		rc = admin_stats(cfg.data_dir);
	else if (strcmp(a->command, "import-outcomes") == 0)
		rc = admin_import_outcomes(cfg.data_dir, cfg.desk_key, a->file);
	else if (strcmp(a->command, "backup") == 0)
		rc = backup_make(cfg.data_dir, a->out);
	else if (strcmp(a->command, "restore") == 0)
		rc = backup_restore(cfg.data_dir, a->from);
	else
		rc = admin_purge(cfg.data_dir, days);
	config_free(&cfg);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct args a = { 0 };
	struct rlimit no_core = { 0, 0 };
	int parsed;

	setrlimit(RLIMIT_CORE, &no_core);	/* plaintext never reaches a core */
	/* Nor a debugger or /proc/PID/mem of a process of the same user. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/*
	 * libsodium's own generator (ChaCha20, per thread, seeded from the
	 * kernel, rekeyed after every call) instead of one getrandom() system
	 * call per use: a small report needs six, on a loop that is mostly
	 * system calls already. It must be chosen before sodium_init.
	 */
	randombytes_set_implementation(&randombytes_internal_implementation);
	/*
	 * An upload passes through the store's queue in 64 KiB buffers, freed
	 * as soon as they are written. With glibc's default (trim above 128
	 * KiB) the heap's top was given back and taken again 250 times per
	 * 100 MB, every page faulted in and zeroed anew each time; keeping up
	 * to 4 MiB free at the top saves 5-10% of an upload's CPU. The store
	 * process takes each 256 KiB frame of an upload into a buffer of its
	 * own: above glibc's mmap threshold (fixed at 128 KiB once the trim
	 * threshold is set), each was a fresh mapping, 64 pages faulted in and
	 * unmapped again, 2,132 times a GB; from the heap they are reused.
	 */
	mallopt(M_TRIM_THRESHOLD, 4 << 20);
	mallopt(M_MMAP_THRESHOLD, 4 << 20);
	if (sodium_init() < 0) {
		fprintf(stderr, "oniondropd: libsodium failed to initialise\n");
		return 1;
	}
	if ((parsed = parse_args(argc, argv, &a)) != 0)
		return parsed < 0 ? usage(stdout, 0) : usage(stderr, 2);
	if (a.command == NULL)
		return supervisor_run(a.config);
	if (strcmp(a.command, "check-config") == 0)
		return check_config(a.config);
	if (strcmp(a.command, "export") == 0 || strcmp(a.command, "stats") == 0 ||
	    strcmp(a.command, "purge") == 0 ||
	    strcmp(a.command, "import-outcomes") == 0 ||
	    strcmp(a.command, "backup") == 0 || strcmp(a.command, "restore") == 0)
		return admin_command(&a);
	fprintf(stderr, "oniondropd: unknown command '%s'\n", a.command);
	return usage(stderr, 2);
}
