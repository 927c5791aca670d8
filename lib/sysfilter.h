/*
 * sysfilter: a seccomp allowlist from a table, for a process that locks
 * itself down (the desk's image decoder, the daemon's network and store
 * processes). Any system call the table does not let through kills the
 * whole process with SIGSYS: a hijacked process dies at its first step
 * off its path instead of being told no and trying another. A call made
 * through another architecture's entry (x86's int 0x80 on x86_64) kills
 * too.
 *
 * Sanitizer builds: ASan's and UBSan's run time make calls no table here
 * lists (sigaltstack and prlimit for each thread, /proc/self/maps when
 * they report). Built with a sanitizer (meson defines SYSFILTER_RELAXED
 * then, and only then, for lib/sysfilter.c), a filter allows every call
 * by default and kills only on the caller's never[] list, so that tests
 * under the sanitizers still prove those calls kill.
 */
#ifndef SYSFILTER_H
#define SYSFILTER_H

#include <stddef.h>
#include <stdint.h>

#include <seccomp.h>

enum sysfilter_cmp {
	SYSFILTER_ANY,		/* whatever the arguments */
	SYSFILTER_EQ,		/* argument arg == value */
	SYSFILTER_MASKED_EQ,	/* (argument arg & mask) == value */
};

/*
 * One rule: call nr passes when its argument test holds. Several rules
 * for one call pass it when any holds. A call this architecture does not
 * have (SCMP_SYS gives a negative number) is skipped.
 */
struct sysfilter_rule {
	int nr;			/* SCMP_SYS(name) */
	int err;		/* 0: runs; else fails with this errno */
	enum sysfilter_cmp cmp;
	unsigned int arg;	/* 0..5 */
	uint64_t mask;		/* SYSFILTER_MASKED_EQ only */
	uint64_t value;
};

#define SYSFILTER_ALLOW(name) { SCMP_SYS(name), 0, SYSFILTER_ANY, 0, 0, 0 }
#define SYSFILTER_ALLOW_IF(name, a, v) \
	{ SCMP_SYS(name), 0, SYSFILTER_EQ, (a), 0, (uint64_t)(v) }
#define SYSFILTER_ALLOW_MASKED(name, a, m, v) \
	{ SCMP_SYS(name), 0, SYSFILTER_MASKED_EQ, (a), (uint64_t)(m), \
	    (uint64_t)(v) }
#define SYSFILTER_FAIL(name, e) { SCMP_SYS(name), (e), SYSFILTER_ANY, 0, 0, 0 }

/*
 * sysfilter_load(allow, nallow, never, nnever):
 * Load into the calling thread, and so into every thread it makes after,
 * a filter that lets through the calls allow[0..nallow) and kills the
 * process on any other; never[0..nnever) (SCMP_SYS numbers) names calls
 * that must kill even in a sanitizer build (none of them may be in
 * allow[]). Sets no_new_privs first, as the kernel requires of an
 * unprivileged process. Call it while the process has one thread. Return
 * 0, or a negative errno (-EINVAL: the kernel has no seccomp filters);
 * reports nothing, so that a child with nowhere to say it may use it.
 */
int sysfilter_load(const struct sysfilter_rule *allow, size_t nallow,
    const int *never, size_t nnever);

/* sysfilter_relaxed(): 1 in a sanitizer build (see above), else 0. */
int sysfilter_relaxed(void);

#endif
