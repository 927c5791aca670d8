/*
 * sysfilter: see sysfilter.h. libseccomp compiles the rules into the BPF
 * program the kernel runs on every call, and loads it. A service manager
 * may filter out the seccomp() call itself (systemd 252's @system-service
 * lacks it, and deploy/oniondropd.service allows only that set): then
 * libseccomp, which asks the kernel through seccomp() what it supports,
 * refuses SCMP_ACT_KILL_PROCESS, and could not load through it anyway.
 * There, and only there, its API level is set instead (3: KILL_PROCESS,
 * Linux 4.14; an older kernel kills the thread instead) and the program
 * is exported and loaded with prctl(PR_SET_SECCOMP). (seccomp_load after
 * seccomp_api_set would call a syscall number it never looked up.)
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/seccomp.h>

#include "sysfilter.h"

#ifdef SYSFILTER_RELAXED
#define DEFAULT_ACTION SCMP_ACT_ALLOW
#else
#define DEFAULT_ACTION SCMP_ACT_KILL_PROCESS
#endif

static int
add_rule(scmp_filter_ctx ctx, const struct sysfilter_rule *r)
{
	uint32_t action = r->err != 0 ? SCMP_ACT_ERRNO((uint32_t)r->err) :
	    SCMP_ACT_ALLOW;
	struct scmp_arg_cmp cmp = {
		.arg = r->arg,
		.op = r->cmp == SYSFILTER_EQ ? SCMP_CMP_EQ : SCMP_CMP_MASKED_EQ,
		.datum_a = r->cmp == SYSFILTER_EQ ? r->value : r->mask,
		.datum_b = r->value,
	};

	if (r->nr < 0)
		return 0;	/* not a call of this architecture */
	if (r->cmp == SYSFILTER_ANY)
		return seccomp_rule_add(ctx, action, r->nr, 0);
	return seccomp_rule_add(ctx, action, r->nr, 1, cmp);
}

static int
add_rules(scmp_filter_ctx ctx, const struct sysfilter_rule *allow,
    size_t nallow, const int *never, size_t nnever)
{
	int rc = 0;

#ifdef SYSFILTER_RELAXED
	(void)allow;
	nallow = 0;	/* everything passes but never[] */
	for (size_t i = 0; i < nnever && rc == 0; i++)
		rc = never[i] < 0 ? 0 :
		    seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, never[i], 0);
#else
	(void)never;
	(void)nnever;	/* killed by the default action */
#endif
	for (size_t i = 0; i < nallow && rc == 0; i++)
		rc = add_rule(ctx, &allow[i]);
	return rc;
}

/* Load ctx's program with prctl and no_new_privs (a spare descriptor). */
static int
load_prctl(scmp_filter_ctx ctx)
{
	struct sock_fprog prog = { 0, NULL };
	off_t len = 0;
	int rc, fd = memfd_create("sysfilter", MFD_CLOEXEC);

	if (fd < 0)
		return -errno;
	if ((rc = seccomp_export_bpf(ctx, fd)) == 0 &&
	    ((len = lseek(fd, 0, SEEK_END)) <= 0 ||
	    len > BPF_MAXINSNS * (off_t)sizeof(struct sock_filter) ||
	    (prog.filter = malloc((size_t)len)) == NULL ||
	    pread(fd, prog.filter, (size_t)len, 0) != len))
		rc = -ENOMEM;
	prog.len = (unsigned short)(len / (off_t)sizeof(struct sock_filter));
	if (rc == 0 && (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0))
		rc = -errno;
	free(prog.filter);
	close(fd);
	return rc;
}

/* Whether libseccomp could ask the kernel what it supports. */
static int
probed(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);

	if (ctx == NULL)
		return 0;
	seccomp_release(ctx);
	return 1;
}

int
sysfilter_load(const struct sysfilter_rule *allow, size_t nallow,
    const int *never, size_t nnever)
{
	scmp_filter_ctx ctx;
	int rc, via_prctl = !probed();

	if (via_prctl && (rc = seccomp_api_set(3)) != 0)
		return rc;
	if ((ctx = seccomp_init(DEFAULT_ACTION)) == NULL)
		return -ENOMEM;
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_KILL_PROCESS)) == 0 &&
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1)) == 0 &&
	    (rc = add_rules(ctx, allow, nallow, never, nnever)) == 0)
		rc = via_prctl ? load_prctl(ctx) : seccomp_load(ctx);
	seccomp_release(ctx);
	return rc;
}

int
sysfilter_relaxed(void)
{
#ifdef SYSFILTER_RELAXED
	return 1;
#else
	return 0;
#endif
}
