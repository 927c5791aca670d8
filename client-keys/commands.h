/*
 * commands: the subcommands of oniondrop-keys. Each takes the arguments after
 * its own name (argv[0] is the subcommand) and returns the process exit
 * status: 0 success, 1 failure of the work, 2 a usage error.
 */
#ifndef COMMANDS_H
#define COMMANDS_H

int keygen_main(int argc, char *argv[]);
int decrypt_main(int argc, char *argv[]);
int onion_address_main(int argc, char *argv[]);
int onion_auth_main(int argc, char *argv[]);
int export_main(int argc, char *argv[]);
int stats_main(int argc, char *argv[]);
int search_main(int argc, char *argv[]);
int purge_plaintext_main(int argc, char *argv[]);
int assess_main(int argc, char *argv[]);
int verify_main(int argc, char *argv[]);
int queue_main(int argc, char *argv[]);
int show_main(int argc, char *argv[]);
int outcome_main(int argc, char *argv[]);
int outcomes_main(int argc, char *argv[]);
int referral_main(int argc, char *argv[]);
int hashlist_main(int argc, char *argv[]);
int view_main(int argc, char *argv[]);

#endif
