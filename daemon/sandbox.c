/*
 * sandbox: see sandbox.h. The order matters: the network namespace is
 * made while the process still has the privilege to (root, or the full
 * capabilities a new user namespace gives its first process); the
 * bounding set is emptied while CAP_SETPCAP is still held; the uid is
 * dropped, which as root also empties the other capability sets; the
 * parent-death signal is set again after the last change of credentials;
 * Landlock needs no_new_privs; seccomp comes last, since it forbids every
 * call used before it.
 *
 * Started unprivileged, the network namespace comes with a new user
 * namespace (CLONE_NEWUSER | CLONE_NEWNET). No uid is mapped into it, on
 * purpose: inside, the process reads its uid as the overflow uid (65534),
 * and the capabilities the new namespace gives it (dropped at once anyway)
 * apply to no file, since a capability only counts on an inode whose
 * owner is mapped. The kernel still judges the process by its real uid
 * outside, so the parent can signal it and it keeps every descriptor it
 * had; what it could lose (a file created under its own uid) it may not
 * do anyway.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/landlock.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "log.h"
#include "sandbox.h"
#include "sysfilter.h"

/* Landlock beyond Debian 12's <linux/landlock.h> (its ABI 2). */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)	/* ABI 3 */
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)	/* ABI 5 */
#endif
#ifndef LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0)	/* ABI 4 */
#define LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1)
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)	/* ABI 6 */
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)
#endif

/* struct landlock_ruleset_attr as of ABI 6; older kernels take a prefix. */
struct ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;	/* ABI 4 */
	uint64_t scoped;		/* ABI 6 */
};

/* What the store process may do beneath data_dir. */
#define STORE_FS_RIGHTS (LANDLOCK_ACCESS_FS_READ_FILE | \
	LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_DIR | \
	LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_REG | \
	LANDLOCK_ACCESS_FS_TRUNCATE)

static const char *const layer_names[SANDBOX_LAYERS] = {
	"uid", "nnp", "caps", "landlock", "netns", "seccomp",
};

const char *
sandbox_layer_name(enum sandbox_layer layer)
{

	return layer_names[layer];
}

/* Whether the process has one thread (unknown without /proc: yes). */
static int
single_threaded(void)
{
	char buf[4096], *t;
	ssize_t n;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 1;
	buf[n] = '\0';
	return (t = strstr(buf, "\nThreads:")) == NULL ||
	    strtol(t + 9, NULL, 10) == 1;
}

/*
 * Root makes the namespace itself, never through a user namespace: its uid
 * would read 65534 in there, and the uid layer could not drop it.
 */
static void
enter_netns(struct sandbox_report *r)
{
	int root = geteuid() == 0;

	if (unshare(CLONE_NEWNET) == 0 || (!root && errno == EPERM &&
	    unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0))
		r->applied |= SANDBOX_BIT(SANDBOX_NETNS);
	else if (errno == EINVAL || errno == ENOSYS)
		r->missing[SANDBOX_NETNS] = "not supported by this kernel";
	else if (root)
		r->missing[SANDBOX_NETNS] = "refused by a system call filter "
		    "or container around the daemon";
	else
		r->missing[SANDBOX_NETNS] = "refused (user namespaces off, or "
		    "a filter such as systemd's RestrictNamespaces=)";
}

/*
 * Empty the bounding set where the process may (root, or its own user
 * namespace: CAP_SETPCAP). Elsewhere it has no capability to keep, and
 * no_new_privs keeps a program from bringing one back.
 */
static void
drop_bounding_set(void)
{
	for (unsigned long cap = 0; prctl(PR_CAPBSET_READ, cap) >= 0; cap++)
		if (prctl(PR_CAPBSET_DROP, cap) != 0)
			return;		/* EPERM: no CAP_SETPCAP */
}

/* After the drop: no way back to root, no group left. */
static int
uid_dropped(uid_t uid, gid_t gid)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (getresuid(&ru, &eu, &su) != 0 || getresgid(&rg, &eg, &sg) != 0 ||
	    ru != uid || eu != uid || su != uid || rg != gid || eg != gid ||
	    sg != gid || getgroups(0, NULL) != 0)
		return 0;
	return setuid(0) != 0 && errno == EPERM && setgid(0) != 0 &&
	    errno == EPERM;
}

static int
drop_uid(const struct sandbox_conf *c, struct sandbox_report *r)
{
	if (geteuid() != 0) {
		r->missing[SANDBOX_UID] = "not started as root";
		return 0;
	}
	if (c->uid == 0 || c->gid == 0) {
		log_error("sandbox: started as root with no user to become");
		return -1;
	}
	if (setgroups(0, NULL) != 0 || setresgid(c->gid, c->gid, c->gid) != 0 ||
	    setresuid(c->uid, c->uid, c->uid) != 0) {
		log_errno("sandbox: cannot become uid %u gid %u",
		    (unsigned)c->uid, (unsigned)c->gid);
		return -1;
	}
	if (!uid_dropped(c->uid, c->gid)) {
		log_error("sandbox: uid %u could become root again",
		    (unsigned)c->uid);
		return -1;
	}
	r->applied |= SANDBOX_BIT(SANDBOX_UID);
	return 0;
}

/* Whether the effective, permitted and inheritable sets are empty. */
static int
caps_empty(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d) != 0)
		return -1;	/* errno set */
	for (int i = 0; i < 2; i++)
		if (d[i].effective | d[i].permitted | d[i].inheritable)
			return 0;
	return 1;
}

/*
 * Empty the ambient set, and the others if anything is left in them: a
 * process that holds none need not call capset (which systemd's unit
 * filters out).
 */
static int
drop_caps(struct sandbox_report *r)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct none[2];
	int empty;

	memset(none, 0, sizeof(none));
	if ((prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 &&
	    errno != EINVAL) || (empty = caps_empty()) < 0 ||
	    (empty == 0 && syscall(SYS_capset, &h, none) != 0)) {
		log_errno("sandbox: cannot drop capabilities");
		return -1;
	}
	if (caps_empty() != 1) {
		log_error("sandbox: capabilities left after capset");
		return -1;
	}
	r->applied |= SANDBOX_BIT(SANDBOX_CAPS);
	return 0;
}

static int
set_nnp(struct sandbox_report *r)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) {
		log_errno("sandbox: cannot set no_new_privs");
		return -1;
	}
	r->applied |= SANDBOX_BIT(SANDBOX_NNP);
	return 0;
}

/* The filesystem rights Landlock ABI abi knows: all of them handled. */
static uint64_t
fs_rights(int abi)
{
	uint64_t fs = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;	/* ABI 1 */

	if (abi >= 2)
		fs |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		fs |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return fs;
}

/* A ruleset handling all the ABI knows; its size is the ABI's prefix. */
static int
make_ruleset(int abi)
{
	struct ruleset_attr a = { .handled_access_fs = fs_rights(abi) };
	size_t size = sizeof(a.handled_access_fs);

	if (abi >= 4) {
		a.handled_access_net = LANDLOCK_ACCESS_NET_BIND_TCP |
		    LANDLOCK_ACCESS_NET_CONNECT_TCP;
		size += sizeof(a.handled_access_net);
	}
	if (abi >= 6) {
		a.scoped = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET |
		    LANDLOCK_SCOPE_SIGNAL;
		size += sizeof(a.scoped);
	}
	return (int)syscall(SYS_landlock_create_ruleset, &a, size, 0);
}

static int
landlock_probe(struct sandbox_report *r)
{
	int abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);

	if (abi > 0)
		return r->landlock_abi = abi;
	r->missing[SANDBOX_LANDLOCK] = errno == EOPNOTSUPP ?
	    "disabled in this kernel (not in its lsm= list)" :
	    errno == EPERM ? "refused by a system call filter around the "
	    "daemon" :
	    "not supported by this kernel";
	return 0;
}

static int
enter_landlock(const struct sandbox_conf *c, struct sandbox_report *r)
{
	struct landlock_path_beneath_attr beneath = { 0, c->data_dir };
	int abi, fd;

	if ((abi = landlock_probe(r)) == 0)
		return 0;
	beneath.allowed_access = STORE_FS_RIGHTS & fs_rights(abi);
	if ((fd = make_ruleset(abi)) < 0 || (c->role == SANDBOX_STORE &&
	    syscall(SYS_landlock_add_rule, fd, LANDLOCK_RULE_PATH_BENEATH,
	    &beneath, 0) != 0) || syscall(SYS_landlock_restrict_self, fd,
	    0) != 0) {
		log_errno("sandbox: Landlock (ABI %d) refused the ruleset",
		    abi);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	r->applied |= SANDBOX_BIT(SANDBOX_LANDLOCK);
	return 0;
}

/*
 * Both processes: memory, threads, time, signals, and the descriptors they
 * already hold.
 */
static const struct sysfilter_rule common_rules[] = {
	/* malloc, thread stacks, sodium_malloc's guard pages; never code */
	SYSFILTER_ALLOW_MASKED(mmap, 2, PROT_EXEC, 0),
	SYSFILTER_ALLOW_MASKED(mprotect, 2, PROT_EXEC, 0),
	SYSFILTER_ALLOW(munmap), SYSFILTER_ALLOW(mremap), SYSFILTER_ALLOW(brk),
	SYSFILTER_ALLOW(madvise),
	/* plaintext in locked memory (secmem, sodium_malloc) */
	SYSFILTER_ALLOW(mlock), SYSFILTER_ALLOW(munlock),
	/*
	 * pthread_create: clone with CLONE_THREAD, so never a new process.
	 * clone3 takes its flags in memory a filter cannot read: glibc, told
	 * there is none, falls back to clone.
	 */
	SYSFILTER_ALLOW_MASKED(clone, 0, CLONE_THREAD, CLONE_THREAD),
	SYSFILTER_FAIL(clone3, ENOSYS),
	SYSFILTER_ALLOW(set_robust_list), SYSFILTER_ALLOW(rseq),
	SYSFILTER_ALLOW(futex), SYSFILTER_ALLOW(sched_yield),
	SYSFILTER_ALLOW(gettid), SYSFILTER_ALLOW(getpid),
	SYSFILTER_ALLOW(exit), SYSFILTER_ALLOW(exit_group),
	/* time; the vDSO answers most without a call */
	SYSFILTER_ALLOW(clock_gettime), SYSFILTER_ALLOW(clock_getres),
	SYSFILTER_ALLOW(gettimeofday), SYSFILTER_ALLOW(clock_nanosleep),
	SYSFILTER_ALLOW(nanosleep),
	/* libevent's signal handlers, each thread's mask, a handler's
	 * return, an interrupted sleep taken up again */
	SYSFILTER_ALLOW(rt_sigaction), SYSFILTER_ALLOW(rt_sigprocmask),
	SYSFILTER_ALLOW(rt_sigreturn), SYSFILTER_ALLOW(restart_syscall),
	/* libsodium's generator, seeded from the kernel */
	SYSFILTER_ALLOW(getrandom),
	/* the event loop (epoll made before) */
	SYSFILTER_ALLOW(epoll_wait), SYSFILTER_ALLOW(epoll_pwait),
	SYSFILTER_ALLOW(epoll_ctl),
	/* descriptors held: sockets, the loop's eventfd and pipe, stderr */
	SYSFILTER_ALLOW(read), SYSFILTER_ALLOW(readv), SYSFILTER_ALLOW(write),
	SYSFILTER_ALLOW(writev), SYSFILTER_ALLOW(recvfrom),
	SYSFILTER_ALLOW(sendto), SYSFILTER_ALLOW(recvmsg),
	SYSFILTER_ALLOW(sendmsg), SYSFILTER_ALLOW(close),
	/* the store channel's end, closed for writing at the end */
	SYSFILTER_ALLOW(shutdown),
	/* evbuffer_read asks how much is waiting */
	SYSFILTER_ALLOW_IF(ioctl, 1, FIONREAD),
	/* a descriptor's flags (O_NONBLOCK, FD_CLOEXEC), nothing else */
	SYSFILTER_ALLOW_IF(fcntl, 1, F_GETFL),
	SYSFILTER_ALLOW_IF(fcntl, 1, F_SETFL),
	SYSFILTER_ALLOW_IF(fcntl, 1, F_GETFD),
	SYSFILTER_ALLOW_IF(fcntl, 1, F_SETFD),
};

/*
 * The store process: files, beneath data_dir only (Landlock's part).
 * LMDB: its lock file's fcntl locks, its map, fsync; uname and fstatfs
 * when it opens (the kernel's version, the file system). Envelope files:
 * O_DIRECT cleared with fcntl, spares truncated, times blurred (futimens,
 * utimensat), renamed within their directory, listed and removed.
 */
static const struct sysfilter_rule store_rules[] = {
	SYSFILTER_ALLOW(openat), SYSFILTER_ALLOW(newfstatat),
	SYSFILTER_ALLOW(fstat), SYSFILTER_ALLOW(fstatfs),
	SYSFILTER_ALLOW(uname),
	SYSFILTER_ALLOW(lseek), SYSFILTER_ALLOW(pread64),
	SYSFILTER_ALLOW(pwrite64), SYSFILTER_ALLOW(fsync),
	SYSFILTER_ALLOW(fdatasync), SYSFILTER_ALLOW(msync),
	SYSFILTER_ALLOW(ftruncate), SYSFILTER_ALLOW(getdents64),
	SYSFILTER_ALLOW(rename), SYSFILTER_ALLOW(renameat),
	SYSFILTER_ALLOW(renameat2), SYSFILTER_ALLOW(unlink),
	SYSFILTER_ALLOW(unlinkat), SYSFILTER_ALLOW(utimensat),
	SYSFILTER_ALLOW(flock),
	/* the store channel: waiting for requests until the next tick */
	SYSFILTER_ALLOW(poll), SYSFILTER_ALLOW(ppoll),
	SYSFILTER_ALLOW_IF(fcntl, 1, F_SETLK),
	SYSFILTER_ALLOW_IF(fcntl, 1, F_SETLKW),
	SYSFILTER_ALLOW_IF(fcntl, 1, F_GETLK),
	SYSFILTER_ALLOW_IF(fcntl, 1, F_OFD_SETLK),
	SYSFILTER_ALLOW_IF(fcntl, 1, F_OFD_SETLKW),
	SYSFILTER_ALLOW_IF(fcntl, 1, F_OFD_GETLK),
};

/* Never, even in a sanitizer build: a file, a program, a socket. */
static const int network_never[] = {
	SCMP_SYS(open), SCMP_SYS(openat), SCMP_SYS(openat2), SCMP_SYS(creat),
	SCMP_SYS(execve), SCMP_SYS(execveat), SCMP_SYS(socket),
	SCMP_SYS(socketpair), SCMP_SYS(connect), SCMP_SYS(bind),
	SCMP_SYS(unlink), SCMP_SYS(unlinkat), SCMP_SYS(rename),
	SCMP_SYS(renameat), SCMP_SYS(renameat2), SCMP_SYS(truncate),
};
static const int store_never[] = {
	SCMP_SYS(execve), SCMP_SYS(execveat), SCMP_SYS(socket),
	SCMP_SYS(socketpair), SCMP_SYS(connect), SCMP_SYS(bind),
	SCMP_SYS(accept), SCMP_SYS(accept4),
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define RULES_MAX (NELEM(common_rules) + NELEM(store_rules) + 2)

static int
enter_seccomp(const struct sandbox_conf *c, struct sandbox_report *r)
{
	struct sysfilter_rule rules[RULES_MAX];
	size_t n = NELEM(common_rules);
	int rc, network = c->role == SANDBOX_NETWORK;

	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0 && errno == EINVAL) {
		r->missing[SANDBOX_SECCOMP] = "not supported by this kernel";
		return 0;
	}
	memcpy(rules, common_rules, sizeof(common_rules));
	/* raise and abort signal this process's own threads */
	rules[n++] = (struct sysfilter_rule)SYSFILTER_ALLOW_IF(tgkill, 0,
	    getpid());
	if (network && c->listen_fd >= 0)
		rules[n++] = (struct sysfilter_rule)SYSFILTER_ALLOW_IF(accept4,
		    0, c->listen_fd);
	if (!network) {
		memcpy(rules + n, store_rules, sizeof(store_rules));
		n += NELEM(store_rules);
	}
	if ((rc = sysfilter_load(rules, n, network ? network_never :
	    store_never, network ? NELEM(network_never) :
	    NELEM(store_never))) != 0) {
		errno = -rc;
		log_errno("sandbox: the kernel refused the seccomp filter");
		return -1;
	}
	r->applied |= SANDBOX_BIT(SANDBOX_SECCOMP);
	return 0;
}

/*
 * The kernel forgets a parent-death signal when the credentials change (a
 * new uid, a new user namespace): set it again, and act on it at once if
 * the parent died in between.
 */
static int
keep_pdeathsig(int sig, pid_t parent)
{
	if (sig == 0)
		return 0;
	if (prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0) != 0) {
		log_errno("sandbox: cannot keep the parent-death signal");
		return -1;
	}
	if (getppid() != parent)
		raise(sig);
	return 0;
}

/* The layers, in order (those wanted only). */
static int
enter_layers(const struct sandbox_conf *c, struct sandbox_report *r)
{
#define want(l) (r->wanted & SANDBOX_BIT(l))
	pid_t parent = getppid();
	int sig = 0;

	if (prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0) != 0)
		sig = 0;
	if (want(SANDBOX_NETNS))
		enter_netns(r);
	if (want(SANDBOX_CAPS))
		drop_bounding_set();
	if ((want(SANDBOX_UID) && drop_uid(c, r) != 0) ||
	    (want(SANDBOX_CAPS) && drop_caps(r) != 0) ||
	    keep_pdeathsig(sig, parent) != 0 ||
	    (want(SANDBOX_NNP) && set_nnp(r) != 0) ||
	    (want(SANDBOX_LANDLOCK) && enter_landlock(c, r) != 0) ||
	    (want(SANDBOX_SECCOMP) && enter_seccomp(c, r) != 0))
		return -1;
	return 0;
#undef want
}

/*
 * Test builds only (meson -Dcompromise_route=true, never a release): the
 * layers ODTEST_SANDBOX_OMIT names ("seccomp,landlock") are left out, for
 * valgrind, which makes calls of its own (time, executable mappings) no
 * filter of the daemon's allows, and knows no Landlock call.
 */
static unsigned
test_omit(void)
{
	unsigned omit = 0;
#ifdef ONIONDROP_COMPROMISE_ROUTE
	const char *names = getenv("ODTEST_SANDBOX_OMIT");

	for (int l = 0; names != NULL && l < SANDBOX_LAYERS; l++)
		if (strstr(names, layer_names[l]) != NULL)
			omit |= SANDBOX_BIT(l);
#endif
	return omit;
}

int
sandbox_enter(const struct sandbox_conf *conf, struct sandbox_report *report)
{
	unsigned all = (1u << SANDBOX_LAYERS) - 1;

	memset(report, 0, sizeof(*report));
	report->wanted = (conf->role == SANDBOX_NETWORK ? all :
	    all & ~SANDBOX_BIT(SANDBOX_NETNS)) & ~conf->omit & ~test_omit();
	if (!single_threaded()) {
		log_error("sandbox: entered with threads running");
		return -1;
	}
	tzset();
	if (sodium_init() < 0) {
		log_error("sandbox: libsodium failed to initialise");
		return -1;
	}
	return enter_layers(conf, report);
}

void
sandbox_log(const struct sandbox_report *report, const char *who)
{
	for (int l = 0; l < SANDBOX_LAYERS; l++)
		if (report->missing[l] != NULL)
			log_info("%s: %s: %s", who, layer_names[l],
			    report->missing[l]);
}
