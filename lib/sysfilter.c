/*
 * sysfilter: see sysfilter.h. libseccomp compiles the rules into the BPF
 * program the kernel runs on every call; SCMP_FLTATR_API_SYSRAWRC makes
 * seccomp_load return the kernel's own errno rather than -ECANCELED, so
 * that a caller can tell "no seccomp here" from a failure.
 */
#include <errno.h>

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

int
sysfilter_load(const struct sysfilter_rule *allow, size_t nallow,
    const int *never, size_t nnever)
{
	scmp_filter_ctx ctx;
	int rc;

	if ((ctx = seccomp_init(DEFAULT_ACTION)) == NULL)
		return -ENOMEM;
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_KILL_PROCESS)) == 0 &&
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1)) == 0 &&
	    (rc = add_rules(ctx, allow, nallow, never, nnever)) == 0)
		rc = seccomp_load(ctx);
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
