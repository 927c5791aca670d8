/*
 * sandbox: the lockdown a child of oniondropd (the network process, the
 * store process) puts itself under once it has opened what it needs, all
 * of it enforced by the kernel:
 *   uid       an unprivileged uid and gid with no supplementary group,
 *             where started as root, checked unable to become root again;
 *   nnp       no_new_privs: no set-uid program or file capability can
 *             give it anything back;
 *   caps      no capability, the bounding set emptied where it may be;
 *   landlock  the network process may open no file at all, the store
 *             process only files within data_dir (read, write, create,
 *             remove, truncate); neither may bind or connect TCP, reach an
 *             abstract Unix socket or signal a process outside its
 *             sandbox (as far as the kernel's Landlock ABI goes);
 *   netns     the network process alone in a new, empty network namespace
 *             (not even a loopback up), so that it could reach no IP
 *             address even with a socket; it keeps its inherited Unix
 *             listening socket and whatever else it holds open;
 *   seccomp   an allowlist per role (sandbox.c lists each call and why);
 *             any other call kills the process with SIGSYS.
 * A layer the kernel or the start-up lacks (no Landlock, not root, no user
 * namespaces) is reported, and the others are applied: sandbox_log says
 * which, once. docs/DESIGN.md, "Lockdown layers", says what each blocks
 * and what is left.
 *
 * The caller must have done before: opened every file and socket it will
 * use (data_dir, LMDB, the listening socket, its socketpairs), made its
 * event base (libevent's epoll, eventfd and signal pipe are made there)
 * and added its signal events. sandbox_enter itself loads the time zone
 * (tzset: gmtime_r would open /etc/localtime on first use), initialises
 * libsodium (which may open /dev/urandom once), and keeps a parent-death
 * signal set before (PR_SET_PDEATHSIG, which the kernel forgets when the
 * uid changes, and which the filter would then forbid to set again).
 */
#ifndef SANDBOX_H
#define SANDBOX_H

#include <sys/types.h>

enum sandbox_role {
	SANDBOX_NETWORK,	/* the Unix socket, HTTP, pages, sealing */
	SANDBOX_STORE,		/* LMDB and envelope files, in data_dir */
};

enum sandbox_layer {
	SANDBOX_UID,
	SANDBOX_NNP,
	SANDBOX_CAPS,
	SANDBOX_LANDLOCK,
	SANDBOX_NETNS,
	SANDBOX_SECCOMP,
	SANDBOX_LAYERS
};
#define SANDBOX_BIT(layer) (1u << (layer))

struct sandbox_conf {
	enum sandbox_role role;
	uid_t uid;		/* started as root: become these (never 0) */
	gid_t gid;
	int data_dir;		/* store: data_dir's descriptor (datadir.h) */
	int listen_fd;		/* network: the one socket it may accept on */
	unsigned omit;		/* SANDBOX_BIT()s not to apply: tests only */
};

struct sandbox_report {
	unsigned wanted;	/* the role's layers, less conf->omit */
	unsigned applied;	/* SANDBOX_BIT() of each layer in force */
	int landlock_abi;	/* the kernel's Landlock ABI; 0: none */
	/* For each wanted layer not in force: why, in a few words. */
	const char *missing[SANDBOX_LAYERS];
};

/*
 * sandbox_enter(conf, report):
 * Lock the calling process down for conf->role, in the order netns, the
 * bounding set, uid, capabilities, nnp, Landlock, seccomp, and fill
 * *report. The process must have a single thread (seccomp and Landlock
 * bind the calling thread and those it makes after; a user namespace
 * needs it too); threads made after are under the same lockdown. Return
 * 0 when every layer is either in force or missing for a reason the
 * report gives; -1 after logging why if the process may be in no state
 * to go on (started as root with no uid to become, a set*id that failed
 * or could be undone, a Landlock ruleset or seccomp filter the kernel
 * refused for any reason but lacking them): the caller must then exit.
 */
int sandbox_enter(const struct sandbox_conf *conf,
    struct sandbox_report *report);

/* sandbox_layer_name(layer): "uid", "nnp", "caps", "landlock", ... */
const char *sandbox_layer_name(enum sandbox_layer layer);

/*
 * sandbox_log(report, who):
 * Log, for who ("network process"), one line per wanted layer not in
 * force ("network process: landlock: not supported by this kernel"), or
 * nothing if all are.
 */
void sandbox_log(const struct sandbox_report *report, const char *who);

#endif
