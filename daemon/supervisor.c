/*
 * supervisor: see supervisor.h. The parent runs no event library: it
 * blocks its signals, reads them from a signalfd, and polls that and the
 * two sockets its children talk on. A child starts with the signals
 * unblocked, every descriptor closed but those it needs, and SIGKILL as
 * its parent-death signal.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "listener.h"
#include "log.h"
#include "metrics.h"
#include "onion.h"
#include "server.h"
#include "storeproc.h"
#include "storewire.h"
#include "supervisor.h"

#define KEY_FILE_MAX 1024
/* A restart comes RESTART_FIRST seconds after the last start; children
 * that died before they served make the next wait twice as long, up to
 * RESTART_MAX: a child that cannot start cannot make the parent spin, nor
 * fill the journal. */
#define RESTART_FIRST 1
#define RESTART_MAX 60
/* The store channel's send buffer, where the kernel allows (widen). */
#define CHANNEL_BUFFER (4 * 1024 * 1024)
/* How long a child may take to stop before it is killed. */
#define STOP_GRACE 40
/* The network process's uid when started as root, if "nobody" is not
 * known. */
#define NOBODY 65534

struct child {
	const char *name;		/* "store process", "network process" */
	pid_t pid;			/* 0: not running */
};

struct supervisor {
	const char *config_path;
	struct config cfg;
	struct keys_public keys[CONFIG_ANALYSTS_MAX];
	size_t nkeys;
	int listen_fd;
	int signal_fd;
	sigset_t old_mask;		/* the children's */
	struct child store, network;
	int control_fd;			/* to and from the network process */
	int counts_fd;			/* from the store process */
	uid_t network_uid;		/* started as root: the network's */
	gid_t network_gid;
	int served;			/* the network process said ready once */
	int stopping;
	int failed;			/* stopping because it cannot go on */
	time_t started;			/* for the metrics' uptime */
	time_t last_start;
	time_t restart_wait;		/* seconds after last_start */
	int serving;			/* these children said ready */
	time_t restart_at;		/* 0: none due */
	time_t kill_at;			/* 0: none due */
};

/* ---- configuration and keys ---- */

static int
load_key_file(struct keys_public *key, const char *path)
{
	char buf[KEY_FILE_MAX + 1];
	const char *why;
	FILE *f = fopen(path, "re");
	size_t n;

	if (f == NULL) {
		log_errno("analyst_key %s", path);
		return -1;
	}
	n = fread(buf, 1, KEY_FILE_MAX, f);
	fclose(f);
	if (keys_public_parse(key, buf, n, &why) != 0) {
		log_error("analyst_key %s: %s", path, why);
		return -1;
	}
	return 0;
}

int
supervisor_load_keys(struct keys_public *keys, size_t *n,
    const struct config *cfg)
{
	for (size_t i = 0; i < cfg->n_analyst_keys; i++)
		if (load_key_file(&keys[i], cfg->analyst_keys[i]) != 0)
			return -1;
	*n = cfg->n_analyst_keys;
	return 0;
}

int
supervisor_keys_decode(const uint8_t *msg, size_t len,
    struct keys_public *keys, size_t *n)
{
	size_t count;

	if (len < 2 || msg[0] != SUPERVISOR_KEYS || (count = msg[1]) == 0 ||
	    count > CONFIG_ANALYSTS_MAX ||
	    len != 2 + count * SUPERVISOR_KEY_BYTES)
		return -1;
	for (size_t i = 0; i < count; i++) {
		memcpy(keys[i].pk, msg + 2 + i * SUPERVISOR_KEY_BYTES,
		    KEYS_PUBLIC_BYTES);
		memcpy(keys[i].id, msg + 2 + i * SUPERVISOR_KEY_BYTES +
		    KEYS_PUBLIC_BYTES, KEYS_ID_BYTES);
	}
	*n = count;
	return 0;
}

/* With tor_hs_dir: the address from tor's key, checked against hostname. */
static int
show_onion_address(const char *hs_dir)
{
	uint8_t from_key[32], from_hostname[32];
	char address[ONION_ADDRESS_SIZE];
	const char *why;

	if (onion_pubkey_read(hs_dir, from_key, &why) != 0 ||
	    onion_hostname_read(hs_dir, from_hostname, &why) != 0) {
		log_error("tor_hs_dir %s: %s", hs_dir, why);
		return -1;
	}
	if (memcmp(from_key, from_hostname, sizeof(from_key)) != 0) {
		log_error("tor_hs_dir %s: hostname does not match "
		    "hs_ed25519_public_key", hs_dir);
		return -1;
	}
	onion_address_from_pubkey(address, from_key);
	log_info("onion address: %s", address);
	return 0;
}

static int
load_config(struct supervisor *sv)
{
	struct config_problems problems;

	config_problems_init(&problems);
	if (config_load(&sv->cfg, sv->config_path, &problems) != 0) {
		config_print_problems(stderr, sv->config_path, &problems);
		return -1;
	}
	if (supervisor_load_keys(sv->keys, &sv->nkeys, &sv->cfg) != 0)
		return -1;
	return sv->cfg.tor_hs_dir == NULL ? 0 :
	    show_onion_address(sv->cfg.tor_hs_dir);
}

/* Started as root: the network process becomes nobody (it needs no file
 * at all, so the uid that owns none fits it). */
static void
choose_network_uid(struct supervisor *sv)
{
	struct passwd *pw;

	if (geteuid() != 0)
		return;
	pw = getpwnam("nobody");
	sv->network_uid = pw != NULL && pw->pw_uid != 0 ? pw->pw_uid : NOBODY;
	sv->network_gid = pw != NULL && pw->pw_gid != 0 ? pw->pw_gid : NOBODY;
}

/* systemd Type=notify: say READY=1 on $NOTIFY_SOCKET (a Unix socket). */
static void
notify_ready(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (path == NULL || (path[0] != '/' && path[0] != '@') ||
	    strlen(path) >= sizeof(sun.sun_path))
		return;
	strcpy(sun.sun_path, path);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';	/* abstract namespace */
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return;
	sendto(fd, "READY=1", 7, 0, (struct sockaddr *)&sun,
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path)));
	close(fd);
}

/* ---- children ---- */

static int
compare_fds(const void *a, const void *b)
{

	return *(const int *)a - *(const int *)b;
}

/* Close every descriptor above stderr but the n in keep. */
static void
close_others(int *keep, size_t n)
{
	unsigned next = 3;

	qsort(keep, n, sizeof(*keep), compare_fds);
	for (size_t i = 0; i < n; i++) {
		if ((unsigned)keep[i] > next)
			close_range(next, (unsigned)keep[i] - 1, 0);
		next = (unsigned)keep[i] + 1;
	}
	close_range(next, ~0U, 0);
}

/* In a new child: die with the parent, the parent's signals undone. */
static int
become_child(struct supervisor *sv, pid_t parent, const char *comm,
    int *keep, size_t n)
{
	static const int reset[] = { SIGTERM, SIGINT, SIGHUP, SIGCHLD };

	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0 ||
	    getppid() != parent)
		return -1;
	prctl(PR_SET_NAME, comm, 0, 0, 0);
	/* libsodium's generator refuses to run in a fork until stirred */
	randombytes_stir();
	for (size_t i = 0; i < sizeof(reset) / sizeof(reset[0]); i++)
		signal(reset[i], SIG_DFL);
	sigprocmask(SIG_SETMASK, &sv->old_mask, NULL);
	close_others(keep, n);
	return 0;
}

/*
 * A child ends with _exit: the handlers the parent registered with
 * atexit are not its own, and a sanitizer's leak check cannot run inside
 * its lockdown (it reads /proc, which Landlock closes; it hung there).
 * Its leaks are valgrind's to find (daemon-valgrind), which follows it.
 */
static void
child_exit(int status)
{

	fflush(stderr);
	_exit(status);
}

static void
run_store(struct supervisor *sv, int channel, int parent)
{
	struct storeproc_start st = {
		.cfg = &sv->cfg,
		.channel_fd = channel,
		.parent_fd = parent,
	};

	child_exit(storeproc_run(&st));
}

static void
run_network(struct supervisor *sv, int channel, int parent)
{
	struct server_start st = {
		.cfg = &sv->cfg,
		.keys = sv->keys,
		.nkeys = sv->nkeys,
		.listen_fd = sv->listen_fd,
		.store_fd = channel,
		.parent_fd = parent,
		.uid = sv->network_uid,
		.gid = sv->network_gid,
	};

	child_exit(server_run(&st));
}

/* Fork c to run fn(sv, channel, parent). Return 0, or -1. */
static int
spawn(struct supervisor *sv, struct child *c, const char *comm,
    void (*fn)(struct supervisor *, int, int), int channel, int parent)
{
	int keep[3] = { channel, parent, sv->listen_fd };
	size_t n = fn == run_network ? 3 : 2;
	pid_t me = getpid();

	fflush(stderr);
	if ((c->pid = fork()) < 0) {
		log_errno("cannot start the %s", c->name);
		c->pid = 0;
		return -1;
	}
	if (c->pid == 0) {
		if (become_child(sv, me, comm, keep, n) != 0)
			_exit(1);
		fn(sv, channel, parent);
	}
	return 0;
}

static int
socket_pair(int type, int fds[2])
{

	if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, fds) == 0)
		return 0;
	log_errno("socketpair");
	return -1;
}

/*
 * The store channel's send buffers, as wide as allowed: with the kernel's
 * default (208 KiB, less than one 256 KiB DATA frame), each frame crossed
 * in seven pieces, a poll and a wakeup each, and the store spent 3.5
 * times the CPU per GB it did as a thread. Root may go past wmem_max
 * (SO_SNDBUFFORCE); otherwise the kernel caps SO_SNDBUF there.
 */
static void
widen(const int fds[2])
{
	int size = CHANNEL_BUFFER;

	for (int i = 0; i < 2; i++)
		if (setsockopt(fds[i], SOL_SOCKET, SO_SNDBUFFORCE, &size,
		    sizeof(size)) != 0)
			(void)setsockopt(fds[i], SOL_SOCKET, SO_SNDBUF, &size,
			    sizeof(size));
}

/* Start both children, the store first. Return 0, or -1. */
static int
start_children(struct supervisor *sv)
{
	int channel[2], control[2], counts[2], rc = -1;

	sv->last_start = time(NULL);
	sv->restart_at = 0;
	sv->serving = 0;
	if (socket_pair(SOCK_STREAM, channel) != 0)
		return -1;
	widen(channel);
	if (socket_pair(SOCK_SEQPACKET, control) != 0)
		goto err0;
	if (socket_pair(SOCK_SEQPACKET, counts) != 0)
		goto err1;
	if (spawn(sv, &sv->store, "od-store", run_store, channel[1],
	    counts[1]) == 0 && spawn(sv, &sv->network, "od-network",
	    run_network, channel[0], control[1]) == 0)
		rc = 0;
	close(counts[1]);
	close(control[1]);
	sv->control_fd = control[0];
	sv->counts_fd = counts[0];
	if (rc != 0 && sv->store.pid > 0)
		kill(sv->store.pid, SIGKILL);
	goto err0;
err1:
	close(control[0]);
	close(control[1]);
err0:
	close(channel[0]);
	close(channel[1]);
	return rc;
}

/* ---- events ---- */

/* Both children are gone: close their sockets. */
static void
close_channels(struct supervisor *sv)
{

	if (sv->control_fd >= 0)
		close(sv->control_fd);
	if (sv->counts_fd >= 0)
		close(sv->counts_fd);
	sv->control_fd = sv->counts_fd = -1;
}

static void
log_exit(const struct child *c, int status)
{

	if (WIFSIGNALED(status))
		log_error("%s killed by signal %d", c->name, WTERMSIG(status));
	else if (WEXITSTATUS(status) != 0)
		log_error("%s exited with status %d", c->name,
		    WEXITSTATUS(status));
}

/* c has exited: stop its sibling, and restart both once both are gone. */
static void
child_exited(struct supervisor *sv, struct child *c, int status)
{
	struct child *other = c == &sv->store ? &sv->network : &sv->store;

	c->pid = 0;
	if (!sv->stopping)
		log_exit(c, status);
	if (other->pid > 0) {
		kill(other->pid, SIGTERM);	/* the store stops on its own */
		if (sv->kill_at == 0)
			sv->kill_at = time(NULL) + STOP_GRACE;
		return;
	}
	close_channels(sv);
	sv->kill_at = 0;
	if (sv->stopping)
		return;
	if (!sv->served) {
		log_error("could not start: see the messages above");
		sv->stopping = sv->failed = 1;
		return;
	}
	if (sv->serving || sv->restart_wait == 0)
		sv->restart_wait = RESTART_FIRST;
	else if ((sv->restart_wait *= 2) > RESTART_MAX)
		sv->restart_wait = RESTART_MAX;
	sv->restart_at = sv->last_start + sv->restart_wait;
	log_info("restarting the store and network processes%s",
	    sv->serving ? "" : " (they did not start: waiting longer)");
}

static void
reap(struct supervisor *sv)
{
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid == sv->store.pid)
			child_exited(sv, &sv->store, status);
		else if (pid == sv->network.pid)
			child_exited(sv, &sv->network, status);
	}
}

/* SIGTERM, SIGINT: the network process first; the store follows it. */
static void
begin_stop(struct supervisor *sv, int sig)
{

	if (sv->stopping)
		return;
	log_info("stopping (signal %d): finishing reports in flight", sig);
	sv->stopping = 1;
	sv->restart_at = 0;
	if (sv->network.pid > 0)
		kill(sv->network.pid, SIGTERM);
	sv->kill_at = time(NULL) + STOP_GRACE;
}

/* SIGHUP: read the analyst keys again and hand them to the network. */
static void
reload(struct supervisor *sv)
{
	struct config cfg;
	struct config_problems problems;
	struct keys_public keys[CONFIG_ANALYSTS_MAX];
	uint8_t msg[SUPERVISOR_MSG_MAX];
	size_t n;

	config_problems_init(&problems);
	if (config_load(&cfg, sv->config_path, &problems) != 0) {
		config_print_problems(stderr, sv->config_path, &problems);
		log_error("reload: configuration has problems; keeping the old keys");
		config_free(&cfg);
		return;
	}
	if (supervisor_load_keys(keys, &n, &cfg) != 0) {
		log_error("reload: keeping the old analyst keys");
		config_free(&cfg);
		return;
	}
	config_free(&cfg);
	memcpy(sv->keys, keys, sizeof(keys));
	sv->nkeys = n;
	msg[0] = SUPERVISOR_KEYS;
	msg[1] = (uint8_t)n;
	for (size_t i = 0; i < n; i++) {
		memcpy(msg + 2 + i * SUPERVISOR_KEY_BYTES, keys[i].pk,
		    KEYS_PUBLIC_BYTES);
		memcpy(msg + 2 + i * SUPERVISOR_KEY_BYTES + KEYS_PUBLIC_BYTES,
		    keys[i].id, KEYS_ID_BYTES);
	}
	if (sv->control_fd >= 0 && send(sv->control_fd, msg, 2 + n *
	    SUPERVISOR_KEY_BYTES, MSG_NOSIGNAL) < 0)
		log_errno("reload: cannot reach the network process");
	log_info("reload: %zu analyst key%s", n, n == 1 ? "" : "s");
}

static void
on_signal(struct supervisor *sv)
{
	struct signalfd_siginfo si;

	while (read(sv->signal_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD)
			reap(sv);
		else if (si.ssi_signo == SIGHUP)
			reload(sv);
		else
			begin_stop(sv, (int)si.ssi_signo);
	}
}

/* The network process serves: for systemd, the first time. */
static void
on_control(struct supervisor *sv)
{
	uint8_t msg[1];
	ssize_t n = recv(sv->control_fd, msg, sizeof(msg), MSG_DONTWAIT);

	if (n == 1 && msg[0] == SUPERVISOR_READY)
		sv->serving = 1;
	if (sv->serving && !sv->served) {
		sv->served = 1;
		log_info("listening on %s with %zu analyst key%s",
		    sv->cfg.socket, sv->nkeys, sv->nkeys == 1 ? "" : "s");
		notify_ready();
	}
	if (n == 0) {
		close(sv->control_fd);	/* it is going: the exit says why */
		sv->control_fd = -1;
	}
}

/* The store process's counts, every metrics_interval: metrics_file. */
static void
on_counts(struct supervisor *sv)
{
	uint8_t frame[STOREWIRE_ANSWER_HEADER + STOREWIRE_ANSWER_BODY_MAX];
	struct storewire_answer a;
	struct store_counts c;
	size_t used;
	ssize_t n = recv(sv->counts_fd, frame, sizeof(frame), MSG_DONTWAIT);
	int rc;

	if (n == 0) {
		close(sv->counts_fd);
		sv->counts_fd = -1;
		return;
	}
	if (n < 0 || storewire_answer_decode(frame, (size_t)n, &a, &used) !=
	    STOREWIRE_FRAME || a.type != STOREQ_COUNTS ||
	    a.result != STORE_OK)
		return;
	storewire_counts_decode(&a, &c);
	if ((rc = metrics_write(sv->cfg.metrics_file, &c,
	    time(NULL) - sv->started)) != 0)
		log_error("metrics_file %s: %s", sv->cfg.metrics_file,
		    strerror(rc));
}

/* Restarts and kills that are due. */
static void
on_time(struct supervisor *sv)
{
	time_t now = time(NULL);

	if (sv->kill_at != 0 && now >= sv->kill_at) {
		sv->kill_at = 0;
		if (sv->store.pid > 0)
			kill(sv->store.pid, SIGKILL);
		if (sv->network.pid > 0)
			kill(sv->network.pid, SIGKILL);
	}
	if (sv->restart_at != 0 && now >= sv->restart_at &&
	    start_children(sv) != 0) {
		log_error("cannot restart: stopping");
		sv->stopping = sv->failed = 1;
	}
}

/* Milliseconds until the next restart or kill, or -1. */
static int
timeout(const struct supervisor *sv)
{
	time_t next = sv->restart_at;
	time_t now = time(NULL);

	if (sv->kill_at != 0 && (next == 0 || sv->kill_at < next))
		next = sv->kill_at;
	if (next == 0)
		return -1;
	return next > now ? (int)(next - now) * 1000 : 0;
}

static void
run(struct supervisor *sv)
{
	struct pollfd p[3];

	while (!sv->stopping || sv->store.pid > 0 || sv->network.pid > 0) {
		p[0] = (struct pollfd){ sv->signal_fd, POLLIN, 0 };
		p[1] = (struct pollfd){ sv->control_fd, POLLIN, 0 };
		p[2] = (struct pollfd){ sv->counts_fd, POLLIN, 0 };
		if (poll(p, 3, timeout(sv)) < 0 && errno != EINTR) {
			log_errno("poll");
			return;
		}
		if (p[0].revents)
			on_signal(sv);
		if (p[1].revents && sv->control_fd >= 0)
			on_control(sv);
		if (p[2].revents && sv->counts_fd >= 0)
			on_counts(sv);
		on_time(sv);
	}
}

/* Take SIGTERM, SIGINT, SIGHUP, SIGCHLD from a signalfd only. */
static int
catch_signals(struct supervisor *sv)
{
	sigset_t mask;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &mask, &sv->old_mask) != 0 ||
	    (sv->signal_fd = signalfd(-1, &mask, SFD_NONBLOCK |
	    SFD_CLOEXEC)) < 0) {
		log_errno("signals");
		return -1;
	}
	return 0;
}

int
supervisor_run(const char *config_path)
{
	static struct supervisor sv;
	int rc = 1;

	sv.config_path = config_path;
	sv.listen_fd = sv.signal_fd = sv.control_fd = sv.counts_fd = -1;
	sv.store.name = "store process";
	sv.network.name = "network process";
	sv.started = time(NULL);
	if (load_config(&sv) != 0 || catch_signals(&sv) != 0)
		goto out;
	choose_network_uid(&sv);
	sv.cfg.max_connections = listener_max_connections(
	    sv.cfg.max_connections);
	if ((sv.listen_fd = listener_open(sv.cfg.socket, sv.cfg.socket_mode,
	    sv.cfg.socket_group)) < 0)
		goto out;
	if (start_children(&sv) == 0) {
		run(&sv);
		rc = sv.failed;
	}
	unlink(sv.cfg.socket);
	log_info("stopped");
out:
	close_channels(&sv);
	if (sv.listen_fd >= 0)
		close(sv.listen_fd);
	if (sv.signal_fd >= 0)
		close(sv.signal_fd);
	sodium_memzero(sv.keys, sizeof(sv.keys));
	config_free(&sv.cfg);
	return rc;
}
