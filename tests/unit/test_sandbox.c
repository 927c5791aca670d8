/*
 * test_sandbox: daemon/sandbox, for real: each case forks a child that
 * enters the sandbox and then tries something; the parent judges by the
 * child's exit (a call that fails gives its errno as exit code, one that
 * works 100) or its death (SIGSYS: the seccomp filter), and reads the
 * child's /proc/PID/status and network namespace while it waits.
 *   network: every layer reported as /proc shows it (Seccomp 2,
 *     NoNewPrivs 1, no capability, uid and groups, another namespace);
 *     opening, creating, removing a file, a socket, a program, a new
 *     process and executable memory kill; the inherited Unix socket
 *     still accepts; threads, libevent's loop (a timer, a signal, a wake-up
 *     from another thread), libsodium's locked memory and randomness, the
 *     time of day and the log still work.
 *   store: files in data_dir and LMDB work; every file outside is refused
 *     (EACCES), even through ".." or as root; a socket and a program kill.
 *   each layer alone proves itself: Landlock (EACCES on files outside,
 *     and on TCP from ABI 4), the network namespace (127.0.0.1 unreachable,
 *     the Unix socket still served).
 *   started unprivileged: no uid layer (said by sandbox_log), the network
 *     namespace through a user namespace, still no capability.
 *   an older kernel (a filter in the child makes Landlock's and unshare's
 *     calls fail as they would there): both said missing, the rest on;
 *     as under the systemd unit (its filter refusing capset, set*id,
 *     namespaces, Landlock and seccomp()): nnp, caps and seccomp on.
 *   a parent-death signal set before still kills the sandboxed process.
 * Run as root (CI), the uid is dropped to 65534; as another user the cases
 * that need root are skipped with the reason. Under a sanitizer the filter
 * allows what is not on its never-list (sysfilter.h): the cases that prove
 * the rest kills are skipped there.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <lmdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>
#include <linux/landlock.h>
#include <seccomp.h>
#include <sodium.h>

#include "log.h"
#include "sandbox.h"
#include "sysfilter.h"
#include "tap.h"

#define NOBODY 65534
#define WORKED 100		/* a child's exit: the call succeeded */
#define ALL_LAYERS ((1u << SANDBOX_LAYERS) - 1)
#define ONLY(l) (ALL_LAYERS & ~SANDBOX_BIT(l))

#define skip(...) ok(1, "# SKIP " __VA_ARGS__)

static int root;		/* the test runs as root */
static int abi;			/* the kernel's Landlock ABI, 0: none */
static char top[] = "/tmp/test_sandbox.XXXXXX";
/* short paths: top is 24 bytes */
#define PATH_LEN 64
static char data_dir[PATH_LEN], outside[PATH_LEN], sock_path[PATH_LEN];
static int data_fd = -1, unix_fd = -1, tcp_fd = -1;
static struct sockaddr_in tcp_addr;

/* What to run in a child: before sandbox_enter, and after. */
struct spec {
	enum sandbox_role role;
	unsigned omit;
	uid_t uid;
	int (*before)(void);	/* 0 to go on */
	int (*after)(void);	/* the child's exit code */
	void (*meanwhile)(void);	/* the parent's, as the child goes on */
};

struct result {
	int entered;		/* sandbox_enter's return */
	struct sandbox_report rep;
	int status;		/* waitpid's */
	char proc[4096];	/* /proc/PID/status once sandboxed */
	int other_netns;	/* 1: not the parent's network namespace */
};

static int
exit_code(int rc)
{
	return rc >= 0 ? WORKED : errno;
}

static ssize_t
read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len && (n = read(fd, (char *)buf + got, len - got)) > 0)
		got += (size_t)n;
	return (ssize_t)got;
}

static void __attribute__((noreturn))
child(const struct spec *s, int rep, int go)
{
	struct sandbox_conf conf = { s->role, s->uid, s->uid, data_fd,
	    unix_fd, s->omit };
	struct {
		int rc;
		struct sandbox_report r;
	} msg = { -1, { 0 } };
	char c;

	if (s->before != NULL && s->before() != 0)
		_exit(90);
	msg.rc = sandbox_enter(&conf, &msg.r);
	if (write(rep, &msg, sizeof(msg)) != (ssize_t)sizeof(msg) ||
	    msg.rc != 0)
		_exit(91);
	if (read(go, &c, 1) < 0)	/* the parent reads /proc meanwhile */
		_exit(92);
	_exit(s->after != NULL ? s->after() : 0);
}

static void
read_proc(pid_t pid, struct result *r)
{
	char path[64], mine[64] = "", theirs[64] = "";
	int fd;
	ssize_t n = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((fd = open(path, O_RDONLY)) >= 0) {
		n = read(fd, r->proc, sizeof(r->proc) - 1);
		close(fd);
	}
	r->proc[n > 0 ? n : 0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	if (readlink("/proc/self/ns/net", mine, sizeof(mine) - 1) > 0 &&
	    readlink(path, theirs, sizeof(theirs) - 1) > 0)
		r->other_netns = strcmp(mine, theirs) != 0;
}

static void
run(const struct spec *s, struct result *r)
{
	struct {
		int rc;
		struct sandbox_report r;
	} msg = { -1, { 0 } };
	int rep[2], go[2];
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->entered = -1;
	if (pipe(rep) != 0 || pipe(go) != 0)
		abort();
	fflush(NULL);
	if ((pid = fork()) == 0) {
		close(rep[0]);
		close(go[1]);
		child(s, rep[1], go[0]);
	}
	close(rep[1]);
	close(go[0]);
	if (read_full(rep[0], &msg, sizeof(msg)) == (ssize_t)sizeof(msg)) {
		r->entered = msg.rc;
		r->rep = msg.r;	/* its strings are static: same addresses */
		read_proc(pid, r);
	}
	close(go[1]);
	if (s->meanwhile != NULL)
		s->meanwhile();
	close(rep[0]);
	waitpid(pid, &r->status, 0);
}

/* The child's end, in words, for a TAP line. */
static const char *
how(const struct result *r)
{
	static char buf[64];

	if (WIFSIGNALED(r->status))
		snprintf(buf, sizeof(buf), "killed by signal %d",
		    WTERMSIG(r->status));
	else if (WEXITSTATUS(r->status) == WORKED)
		snprintf(buf, sizeof(buf), "it worked");
	else
		snprintf(buf, sizeof(buf), "exit %d (%s)",
		    WEXITSTATUS(r->status), strerror(WEXITSTATUS(r->status)));
	return buf;
}

static int
killed(const struct result *r)
{
	return WIFSIGNALED(r->status) && WTERMSIG(r->status) == SIGSYS;
}

static int
exited(const struct result *r, int code)
{
	return WIFEXITED(r->status) && WEXITSTATUS(r->status) == code;
}

/* /proc/PID/status's line "name:\tvalue" is exactly that. */
static int
proc_is(const struct result *r, const char *name, const char *value)
{
	char line[128];

	snprintf(line, sizeof(line), "\n%s:\t%s\n", name, value);
	return strstr(r->proc, line) != NULL;
}

/* No supplementary group: "Groups:\t" with no number before the end. */
static int
proc_no_groups(const struct result *r)
{
	const char *g = strstr(r->proc, "\nGroups:\t");

	return g != NULL && g[9 + strcspn(g + 9, "0123456789\n")] == '\n';
}

/* --- what a child tries once sandboxed -------------------------------- */

static int
try_open_passwd(void)
{
	return exit_code(open("/etc/passwd", O_RDONLY));
}

static int
try_create_outside(void)
{
	char p[PATH_LEN + 16];

	snprintf(p, sizeof(p), "%s/new", outside);
	return exit_code(open(p, O_WRONLY | O_CREAT, 0666));
}

static int
try_unlink_outside(void)
{
	char p[PATH_LEN + 16];

	snprintf(p, sizeof(p), "%s/victim", outside);
	return exit_code(unlink(p));
}

static int
try_openat_held_dir(void)
{
	return exit_code(openat(data_fd, "held", O_RDONLY));
}

static int
try_socket_inet(void)
{
	return exit_code(socket(AF_INET, SOCK_STREAM, 0));
}

static int
try_socket_unix(void)
{
	return exit_code(socket(AF_UNIX, SOCK_STREAM, 0));
}

static int
try_execve(void)
{
	char *argv[] = { (char *)"true", NULL }, *envp[] = { NULL };

	return exit_code(execve("/bin/true", argv, envp));
}

static int
try_fork(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	return exit_code(pid);
}

static int
try_exec_memory(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_EXEC,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return exit_code(p == MAP_FAILED ? -1 : 0);
}

static int
try_tcp(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return 99;
	return exit_code(connect(fd, (struct sockaddr *)&tcp_addr,
	    sizeof(tcp_addr)));
}

/* Accept one connection on the inherited socket, answer "ok". */
static int
serve_one(void)
{
	char c;
	int fd = accept4(unix_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return errno;
	if (read(fd, &c, 1) != 1 || write(fd, "ok", 2) != 2)
		return 98;
	close(fd);
	return WORKED;
}

/* In the parent: a client for serve_one; 1 if it was answered. */
static int served;

static void
client(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char buf[2] = "";
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock_path);
	served = fd >= 0 && connect(fd, (struct sockaddr *)&sun,
	    sizeof(sun)) == 0 && write(fd, "x", 1) == 1 &&
	    read_full(fd, buf, 2) == 2 && memcmp(buf, "ok", 2) == 0;
	if (fd >= 0)
		close(fd);
}

/* --- the network process's day: a loop, a thread, locked memory ------- */

static struct event_base *base;
static struct event *ev_signal, *ev_wake, *ev_timer;
static int fired_signal, fired_wake, ticks;
static pthread_t loop_thread;

static void
on_signal(evutil_socket_t fd, short what, void *arg)
{
	fired_signal = 1;
}

static void
on_wake(evutil_socket_t fd, short what, void *arg)
{
	fired_wake = 1;
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct timeval ms = { 0, 10000 };

	if ((fired_signal && fired_wake) || ++ticks > 500)
		event_base_loopbreak(base);
	else
		evtimer_add(ev_timer, &ms);
}

/* Before the sandbox, as the daemon does: the base and its signals. */
static int
loop_before(void)
{
	if (evthread_use_pthreads() != 0 || (base = event_base_new()) == NULL)
		return -1;
	ev_signal = evsignal_new(base, SIGUSR1, on_signal, NULL);
	ev_wake = event_new(base, -1, 0, on_wake, NULL);
	ev_timer = evtimer_new(base, on_timer, NULL);
	return ev_signal != NULL && ev_wake != NULL && ev_timer != NULL &&
	    event_add(ev_signal, NULL) == 0 ? 0 : -1;
}

/* Another thread: randomness, locked memory, then wake the loop twice. */
static void *
worker(void *arg)
{
	uint8_t *k = sodium_malloc(4096), page[4096];
	int good = k != NULL;

	if (good) {
		randombytes_buf(k, 4096);
		sodium_free(k);
	}
	good = good && mlock(page, sizeof(page)) == 0 &&
	    munlock(page, sizeof(page)) == 0;
	event_active(ev_wake, EV_READ, 0);
	pthread_kill(loop_thread, SIGUSR1);
	return good ? arg : NULL;
}

static int
loop_after(void)
{
	struct timeval ms = { 0, 10000 };
	struct tm tm;
	time_t now = time(NULL);
	char day[16];
	pthread_t t;
	void *res = NULL;
	char *big = malloc(4 << 20);

	loop_thread = pthread_self();
	if (big == NULL || evtimer_add(ev_timer, &ms) != 0 ||
	    pthread_create(&t, NULL, worker, &ms) != 0)
		return 1;
	memset(big, 1, 4 << 20);
	free(big);
	if (event_base_dispatch(base) != 0 || pthread_join(t, &res) != 0)
		return 2;
	if (!fired_signal || !fired_wake || res != &ms)
		return 3;
	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(day, sizeof(day), "%Y-%m-%d", &tm) != 10)
		return 4;
	log_info("test_sandbox: the network process still logs");
	return WORKED;
}

/* --- the store process's files ---------------------------------------- */

static int
store_files(void)
{
	char buf[8] = "";
	struct stat st;
	struct dirent *e;
	DIR *d;
	int fd, found = 0;

	if ((fd = openat(data_fd, "f", O_WRONLY | O_CREAT | O_EXCL |
	    O_CLOEXEC, 0600)) < 0 || write(fd, "hello", 5) != 5 ||
	    pwrite(fd, "J", 1, 0) != 1 || fsync(fd) != 0 ||
	    fdatasync(fd) != 0 || ftruncate(fd, 4) != 0 ||
	    futimens(fd, NULL) != 0 || close(fd) != 0)
		return 1;
	if (renameat2(data_fd, "f", data_fd, "g", RENAME_NOREPLACE) != 0 ||
	    fstatat(data_fd, "g", &st, AT_SYMLINK_NOFOLLOW) != 0 ||
	    st.st_size != 4 || (fd = openat(data_fd, "g", O_RDONLY)) < 0 ||
	    read(fd, buf, sizeof(buf)) != 4 || memcmp(buf, "Jell", 4) != 0 ||
	    close(fd) != 0)
		return 2;
	if ((fd = openat(data_fd, ".", O_RDONLY | O_DIRECTORY)) < 0 ||
	    (d = fdopendir(fd)) == NULL)
		return 3;
	while ((e = readdir(d)) != NULL)
		found |= strcmp(e->d_name, "g") == 0;
	closedir(d);
	return found && unlinkat(data_fd, "g", 0) == 0 ? 0 : 4;
}

/* LMDB opened, written and read in data_dir after the lockdown. */
static int
store_lmdb(void)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { 3, (void *)"key" }, v = { 5, (void *)"value" }, got;

	/* the child exits at once: nothing is closed on failure */
	if (mdb_env_create(&env) != 0 || mdb_env_set_mapsize(env, 1 << 20) ||
	    mdb_env_open(env, data_dir, 0, 0600) != 0)
		return 10;
	if (mdb_txn_begin(env, NULL, 0, &txn) != 0 ||
	    mdb_dbi_open(txn, NULL, 0, &dbi) != 0 ||
	    mdb_put(txn, dbi, &k, &v, 0) != 0 || mdb_txn_commit(txn) != 0)
		return 11;
	if (mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) != 0 ||
	    mdb_get(txn, dbi, &k, &got) != 0 || got.mv_size != 5 ||
	    memcmp(got.mv_data, "value", 5) != 0)
		return 12;
	mdb_txn_abort(txn);
	mdb_env_close(env);
	return 0;
}

static int
store_work(void)
{
	int rc = store_files();

	return rc != 0 ? rc : (rc = store_lmdb()) != 0 ? rc : WORKED;
}

/* Outside data_dir: each refused with EACCES. */
static int
store_outside(void)
{
	char p[PATH_LEN + 16];

	snprintf(p, sizeof(p), "%s/new", outside);
	if (open("/etc/passwd", O_RDONLY) >= 0 || errno != EACCES)
		return 1;
	if (open(p, O_WRONLY | O_CREAT, 0666) >= 0 || errno != EACCES)
		return 2;
	if (openat(data_fd, "../outside/victim", O_RDONLY) >= 0 ||
	    errno != EACCES)
		return 3;
	snprintf(p, sizeof(p), "%s/victim", outside);
	return unlink(p) != 0 && errno == EACCES ? WORKED : 4;
}

/* Started unprivileged: become nobody before the sandbox. */
static int
become_nobody(void)
{
	return setgroups(0, NULL) | setresgid(NOBODY, NOBODY, NOBODY) |
	    setresuid(NOBODY, NOBODY, NOBODY);
}

/* A kernel built without Landlock or network namespaces. */
static int
pretend_old_kernel(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int rc = ctx == NULL || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS),
	    SCMP_SYS(landlock_create_ruleset), 0) != 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EINVAL), SCMP_SYS(unshare),
	    0) != 0 || seccomp_load(ctx) != 0;

	seccomp_release(ctx);
	return rc;
}

/*
 * As under a unit stricter than deploy/oniondropd.service (which allows
 * these since the daemon's split): an unprivileged user, and systemd's
 * filter refusing (EPERM) @privileged (capset, set*id), namespaces
 * (RestrictNamespaces=yes) and what @system-service lacks (Landlock, the
 * seccomp call: libseccomp falls back to prctl).
 */
static int
pretend_unit(void)
{
	static const int refused[] = {
		SCMP_SYS(capset), SCMP_SYS(setresuid), SCMP_SYS(setresgid),
		SCMP_SYS(setgroups), SCMP_SYS(unshare),
		SCMP_SYS(landlock_create_ruleset), SCMP_SYS(landlock_add_rule),
		SCMP_SYS(landlock_restrict_self), SCMP_SYS(seccomp),
	};
	scmp_filter_ctx ctx;
	int rc = become_nobody();

	if (rc != 0 || (ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL)
		return -1;
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), refused[i],
		    0);
	rc |= seccomp_load(ctx);
	seccomp_release(ctx);
	seccomp_reset(NULL, 0);	/* libseccomp asks the kernel anew */
	return rc;
}

/* --- the cases -------------------------------------------------------- */

static void
test_network_layers(void)
{
	struct spec s = { SANDBOX_NETWORK, 0, NOBODY, NULL, NULL, NULL };
	struct result r;
	unsigned want = ALL_LAYERS;

	run(&s, &r);
	if (!ok(r.entered == 0 && exited(&r, 0), "network: entered (%s)",
	    how(&r)))
		return;
	if (!root)	/* the namespace only where user namespaces are */
		want &= ~SANDBOX_BIT(SANDBOX_UID) & (r.rep.applied |
		    ~SANDBOX_BIT(SANDBOX_NETNS));
	if (abi == 0)
		want &= ~SANDBOX_BIT(SANDBOX_LANDLOCK);
	is_int(r.rep.wanted, ALL_LAYERS, "network: all six layers wanted");
	is_int(r.rep.applied, want, "network: the layers applied");
	ok(r.other_netns == !!(r.rep.applied & SANDBOX_BIT(SANDBOX_NETNS)),
	    "network: in another network namespace iff netns is applied");
	for (int l = 0; l < SANDBOX_LAYERS; l++)
		ok((r.rep.missing[l] == NULL) == !!(r.rep.applied &
		    SANDBOX_BIT(l)), "network: %s: %s", sandbox_layer_name(l),
		    r.rep.missing[l] != NULL ? r.rep.missing[l] : "applied");
	is_int(r.rep.landlock_abi, abi, "network: Landlock ABI as probed");
	ok(proc_is(&r, "Seccomp", "2"), "network: /proc: Seccomp 2");
	ok(proc_is(&r, "NoNewPrivs", "1"), "network: /proc: NoNewPrivs 1");
	ok(proc_is(&r, "CapEff", "0000000000000000") &&
	    proc_is(&r, "CapPrm", "0000000000000000") &&
	    proc_is(&r, "CapInh", "0000000000000000") &&
	    proc_is(&r, "CapAmb", "0000000000000000"),
	    "network: /proc: no capability");
	if (!root) {
		skip("not root: no uid to drop, no bounding set to empty");
		return;
	}
	ok(proc_is(&r, "CapBnd", "0000000000000000"),
	    "network: /proc: bounding set empty");
	ok(proc_is(&r, "Uid", "65534\t65534\t65534\t65534") &&
	    proc_is(&r, "Gid", "65534\t65534\t65534\t65534") &&
	    proc_no_groups(&r), "network: /proc: uid and gid 65534, "
	    "no group");
}

/* A child that tries what after() does must die of SIGSYS. */
static void
expect_killed(enum sandbox_role role, int (*after)(void), const char *what)
{
	struct spec s = { role, 0, NOBODY, NULL, after, NULL };
	struct result r;

	run(&s, &r);
	ok(killed(&r), "%s: %s kills (%s)", role == SANDBOX_NETWORK ?
	    "network" : "store", what, how(&r));
}

static void
test_network_kills(void)
{
	expect_killed(SANDBOX_NETWORK, try_open_passwd, "open(/etc/passwd)");
	expect_killed(SANDBOX_NETWORK, try_create_outside,
	    "creating a file in a 0777 directory");
	expect_killed(SANDBOX_NETWORK, try_unlink_outside,
	    "unlink of a 0666 file in a 0777 directory");
	expect_killed(SANDBOX_NETWORK, try_openat_held_dir,
	    "openat on a directory it holds open");
	expect_killed(SANDBOX_NETWORK, try_socket_inet, "socket(AF_INET)");
	expect_killed(SANDBOX_NETWORK, try_socket_unix, "socket(AF_UNIX)");
	expect_killed(SANDBOX_NETWORK, try_execve, "execve(/bin/true)");
	if (sysfilter_relaxed()) {
		skip("sanitizer build: fork and PROT_EXEC are let through");
		return;
	}
	expect_killed(SANDBOX_NETWORK, try_fork, "fork");
	expect_killed(SANDBOX_NETWORK, try_exec_memory,
	    "mmap(PROT_EXEC)");
}

static void
test_network_works(void)
{
	struct spec s = { SANDBOX_NETWORK, 0, NOBODY, NULL, serve_one, client };
	struct result r;

	served = 0;
	run(&s, &r);
	ok(exited(&r, WORKED) && served, "network: the inherited Unix "
	    "socket accepts and answers (%s)", how(&r));
	s = (struct spec){ SANDBOX_NETWORK, 0, NOBODY, loop_before,
	    loop_after, NULL };
	tap_stderr_begin();
	run(&s, &r);
	ok(exited(&r, WORKED), "network: a thread, libevent's timer, signal "
	    "and wake-up, sodium_malloc, getrandom, mlock, gmtime and the "
	    "log work (%s)", how(&r));
	ok(strstr(tap_stderr_end(), "still logs") != NULL,
	    "network: ... the log line written");
}

static void
test_store(void)
{
	struct spec s = { SANDBOX_STORE, 0, NOBODY, NULL, store_work, NULL };
	struct result r;

	run(&s, &r);
	ok(exited(&r, WORKED), "store: files in data_dir made, written, "
	    "truncated, renamed, listed, removed; LMDB opened, written, read "
	    "(%s)", how(&r));
	is_int(r.rep.wanted, ONLY(SANDBOX_NETNS), "store: every layer but "
	    "netns wanted");
	ok(proc_is(&r, "Seccomp", "2") && proc_is(&r, "NoNewPrivs", "1") &&
	    proc_is(&r, "CapEff", "0000000000000000"),
	    "store: /proc: Seccomp 2, NoNewPrivs 1, CapEff 0");
	ok(!r.other_netns, "store: the parent's network namespace");
	if (abi == 0)
		skip("no Landlock in this kernel: files outside not refused");
	else {
		s.after = store_outside;
		run(&s, &r);
		ok(exited(&r, WORKED), "store: outside data_dir refused "
		    "(EACCES): reading, creating, removing, through .. "
		    "(%s)", how(&r));
	}
	expect_killed(SANDBOX_STORE, try_socket_unix, "socket(AF_UNIX)");
	expect_killed(SANDBOX_STORE, try_socket_inet, "socket(AF_INET)");
	expect_killed(SANDBOX_STORE, try_execve, "execve(/bin/true)");
}

/* One layer at a time: what it alone refuses. */
static void
expect_exit(const struct spec *s, int code, const char *what)
{
	struct result r;

	run(s, &r);
	ok(exited(&r, code), "%s (%s)", what, how(&r));
}

static void
test_landlock_alone(void)
{
	/* no_new_privs too: Landlock needs it of an unprivileged process */
	unsigned omit = ONLY(SANDBOX_LANDLOCK) & ~SANDBOX_BIT(SANDBOX_NNP);
	struct spec s = { SANDBOX_NETWORK, omit, NOBODY, NULL, NULL, NULL };

	if (abi == 0) {
		skip("no Landlock in this kernel");
		return;
	}
	s.after = try_open_passwd;
	expect_exit(&s, EACCES, "landlock alone: network: open(/etc/passwd) "
	    "refused");
	s.after = try_create_outside;
	expect_exit(&s, EACCES, "landlock alone: network: creating a file in "
	    "a 0777 directory refused");
	s.after = try_unlink_outside;
	expect_exit(&s, EACCES, "landlock alone: network: unlink in a 0777 "
	    "directory refused");
	s.after = try_openat_held_dir;
	expect_exit(&s, EACCES, "landlock alone: network: openat on a held "
	    "directory refused");
	s.after = try_tcp;
	if (abi < 4)
		skip("Landlock ABI %d: TCP is not in its reach (ABI 4)", abi);
	else
		expect_exit(&s, EACCES, "landlock alone: network: connect to "
		    "127.0.0.1 refused");
	s.role = SANDBOX_STORE;
	s.after = store_outside;
	expect_exit(&s, WORKED, "landlock alone: store: outside data_dir "
	    "refused, as root too");
	s.after = store_work;
	expect_exit(&s, WORKED, "landlock alone: store: data_dir and LMDB "
	    "work");
}

static void
test_netns_alone(void)
{
	struct spec s = { SANDBOX_NETWORK, ONLY(SANDBOX_NETNS), NOBODY, NULL,
	    try_tcp, NULL };
	struct result r;

	run(&s, &r);
	if (!(r.rep.applied & SANDBOX_BIT(SANDBOX_NETNS))) {
		skip("no network namespace here: %s",
		    r.rep.missing[SANDBOX_NETNS]);
		return;
	}
	ok(exited(&r, ENETUNREACH), "netns alone: 127.0.0.1 unreachable "
	    "(%s)", how(&r));
	s.after = serve_one;
	s.meanwhile = client;
	served = 0;
	run(&s, &r);
	ok(exited(&r, WORKED) && served, "netns alone: the inherited Unix "
	    "socket still served (%s)", how(&r));
}

static void
test_unprivileged(void)
{
	struct spec s = { SANDBOX_NETWORK, 0, NOBODY, become_nobody,
	    serve_one, client };
	struct result r;
	int ns;

	if (!root) {
		skip("not root: the cases above were the unprivileged start");
		return;
	}
	served = 0;
	run(&s, &r);
	ok(r.entered == 0 && exited(&r, WORKED) && served, "started as "
	    "nobody: entered, the Unix socket served (%s)", how(&r));
	ok(r.rep.missing[SANDBOX_UID] != NULL &&
	    strcmp(r.rep.missing[SANDBOX_UID], "not started as root") == 0,
	    "started as nobody: uid: not started as root");
	ns = (r.rep.applied & SANDBOX_BIT(SANDBOX_NETNS)) != 0;
	ok(ns == r.other_netns, "started as nobody: netns %s, and so it is "
	    "(%s)", ns ? "applied" : "missing", ns ? "through a user "
	    "namespace" : r.rep.missing[SANDBOX_NETNS]);
	ok(proc_is(&r, "CapEff", "0000000000000000") &&
	    proc_is(&r, "Seccomp", "2") && proc_is(&r, "NoNewPrivs", "1"),
	    "started as nobody: no capability (even in its user namespace), "
	    "Seccomp 2, NoNewPrivs 1");
	tap_stderr_begin();
	sandbox_log(&r.rep, "network process");
	ok(strstr(tap_stderr_end(), "network process: uid: not started as "
	    "root") != NULL, "sandbox_log names the missing layer");
}

static void
test_old_kernel(void)
{
	struct spec s = { SANDBOX_NETWORK, 0, NOBODY, pretend_old_kernel,
	    try_open_passwd, NULL };
	struct result r;
	const char *log;
	unsigned want = ALL_LAYERS & ~SANDBOX_BIT(SANDBOX_LANDLOCK) &
	    ~SANDBOX_BIT(SANDBOX_NETNS);

	run(&s, &r);
	if (!root)
		want &= ~SANDBOX_BIT(SANDBOX_UID);
	ok(r.entered == 0 && r.rep.applied == want, "no Landlock, no "
	    "namespaces: entered with the other layers (applied %u, want %u)",
	    r.rep.applied, want);
	ok(killed(&r), "... and open(/etc/passwd) still kills (%s)", how(&r));
	tap_stderr_begin();
	sandbox_log(&r.rep, "network process");
	log = tap_stderr_end();
	ok(strstr(log, "network process: landlock: not supported by this "
	    "kernel") != NULL && strstr(log, "network process: netns: not "
	    "supported by this kernel") != NULL, "sandbox_log: %s", log);
}

static void
test_unit(void)
{
	struct spec s = { SANDBOX_NETWORK, 0, NOBODY, pretend_unit,
	    try_open_passwd, NULL };
	struct result r;
	unsigned want = SANDBOX_BIT(SANDBOX_NNP) | SANDBOX_BIT(SANDBOX_CAPS) |
	    SANDBOX_BIT(SANDBOX_SECCOMP);

	if (!root) {
		skip("not root: cannot become nobody to play the unit");
		return;
	}
	run(&s, &r);
	ok(r.entered == 0 && r.rep.applied == want, "under the unit's "
	    "filter: entered with nnp, caps and seccomp (applied %u, want %u; "
	    "landlock: %s)", r.rep.applied, want,
	    r.rep.missing[SANDBOX_LANDLOCK]);
	ok(killed(&r), "... and open(/etc/passwd) kills (%s)", how(&r));
}

/* The grandchild of test_parent_death: sandboxed, then waits forever. */
static void __attribute__((noreturn))
orphan(int ready, int hold)
{
	struct sandbox_conf conf = { SANDBOX_NETWORK, NOBODY, NOBODY, data_fd,
	    unix_fd, 0 };
	struct sandbox_report rep;
	pid_t me = getpid();
	char c;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0 ||
	    sandbox_enter(&conf, &rep) != 0)
		_exit(91);
	if (write(ready, &me, sizeof(me)) != (ssize_t)sizeof(me) ||
	    write(ready, &me, sizeof(me)) != (ssize_t)sizeof(me))
		_exit(92);	/* once for its parent, once for the test */
	if (read(hold, &c, 1) < 0)	/* it holds the other end: never */
		_exit(93);
	_exit(0);
}

/*
 * A parent-death signal set before the sandbox works after it, though the
 * uid drop (or the user namespace) made the kernel forget it: the test,
 * a subreaper, sees its grandchild killed when the child between exits.
 */
static void
test_parent_death(void)
{
	int ready[2], hold[2], status = 0;
	pid_t mid, orphan_pid = 0, gone = 0;

	if (pipe(ready) != 0 || pipe(hold) != 0 ||
	    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
		abort();
	fflush(NULL);
	if ((mid = fork()) == 0) {
		if (fork() == 0)
			orphan(ready[1], hold[0]);
		_exit(read(ready[0], &orphan_pid, sizeof(orphan_pid)) > 0 ?
		    0 : 1);
	}
	close(ready[1]);
	close(hold[0]);
	waitpid(mid, &status, 0);
	if (read(ready[0], &orphan_pid, sizeof(orphan_pid)) !=
	    (ssize_t)sizeof(orphan_pid))
		orphan_pid = 0;
	for (int i = 0; i < 500 && gone == 0; i++)
		if ((gone = waitpid(-1, &status, WNOHANG)) == 0)
			usleep(10000);
	ok(gone > 0 && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	    "the parent-death signal outlives the sandbox: the grandchild "
	    "is killed when its parent exits");
	if (gone == 0 && orphan_pid > 0) {
		kill(orphan_pid, SIGKILL);
		waitpid(orphan_pid, NULL, 0);
	}
	close(ready[0]);
	close(hold[1]);
	prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
}

static void
test_root_without_user(void)
{
	struct spec s = { SANDBOX_STORE, 0, 0, NULL, NULL, NULL };
	struct result r;

	if (!root) {
		skip("not root: no uid to refuse");
		return;
	}
	tap_stderr_begin();
	run(&s, &r);
	ok(r.entered == -1 && exited(&r, 91) &&
	    strstr(tap_stderr_end(), "no user to become") != NULL,
	    "root told to become uid 0: refused, the child exits");
}

/* --- the stage: a data_dir, a place outside, the sockets -------------- */

static int
setup(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t len = sizeof(tcp_addr);
	char p[PATH_LEN + 16];
	int fd;

	if (mkdtemp(top) == NULL || chmod(top, 0755) != 0)
		return -1;
	snprintf(data_dir, sizeof(data_dir), "%s/data", top);
	snprintf(outside, sizeof(outside), "%s/outside", top);
	snprintf(sock_path, sizeof(sock_path), "%s/s.sock", top);
	snprintf(p, sizeof(p), "%s/victim", outside);
	if (mkdir(data_dir, 0700) != 0 || mkdir(outside, 0777) != 0 ||
	    chmod(outside, 0777) != 0 || (fd = open(p, O_WRONLY | O_CREAT,
	    0666)) < 0 || fchmod(fd, 0666) != 0 || close(fd) != 0)
		return -1;
	snprintf(p, sizeof(p), "%s/held", data_dir);
	if ((fd = open(p, O_WRONLY | O_CREAT, 0600)) < 0 || close(fd) != 0 ||
	    (root && (chown(data_dir, NOBODY, NOBODY) != 0 ||
	    chown(p, NOBODY, NOBODY) != 0)))
		return -1;
	if ((data_fd = open(data_dir, O_RDONLY | O_DIRECTORY)) < 0)
		return -1;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock_path);
	tcp_addr.sin_family = AF_INET;
	tcp_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((unix_fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
	    bind(unix_fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    listen(unix_fd, 8) != 0 ||
	    (tcp_fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    bind(tcp_fd, (struct sockaddr *)&tcp_addr, len) != 0 ||
	    listen(tcp_fd, 8) != 0 ||
	    getsockname(tcp_fd, (struct sockaddr *)&tcp_addr, &len) != 0)
		return -1;
	return 0;
}

static void
teardown(void)
{
	char cmd[PATH_LEN + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	if (system(cmd) != 0)
		fprintf(stderr, "test_sandbox: could not remove %s\n", top);
}

int
main(void)
{
	root = geteuid() == 0;
	abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	abi = abi > 0 ? abi : 0;
	if (!ok(setup() == 0, "a data_dir, a 0777 directory outside, a Unix "
	    "and a TCP listener (127.0.0.1) in %s", top))
		return tap_done();
	if (sysfilter_relaxed())
		skip("sanitizer build: the filter kills only its never-list");
	test_network_layers();
	test_network_kills();
	test_network_works();
	test_store();
	test_landlock_alone();
	test_netns_alone();
	test_unprivileged();
	test_old_kernel();
	test_unit();
	test_parent_death();
	test_root_without_user();
	teardown();
	return tap_done();
}
