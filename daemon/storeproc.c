/*
 * storeproc: see storeproc.h.
 */
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#include "datadir.h"
#include "log.h"
#include "sandbox.h"
#include "storeproc.h"
#include "storerecv.h"
#include "storewire.h"
#include "storewriter.h"

/*
 * Started as root: become data_dir's owner before anything in it is
 * opened or made, so that every file stays that owner's. A data_dir of
 * root's (or none yet) keeps uid 0, without capabilities: said once.
 * Return 0, or -1 after logging why.
 */
static int
become_data_dir_owner(const char *path, unsigned *omit)
{
	struct datadir d;
	int rc = 0;

	*omit |= SANDBOX_BIT(SANDBOX_UID);
	if (geteuid() != 0)
		return 0;
	if (datadir_open(&d, path, 1) != 0)
		return -1;
	if (d.uid == 0)
		log_info("store process: uid: data_dir is root's, so the store "
		    "process keeps uid 0 (without capabilities); give data_dir "
		    "to a system user (oniondropd(8))");
	else
		rc = datadir_become_owner(&d);
	datadir_close(&d);
	return rc;
}

/* The counts for metrics_file, to the supervisor as a COUNTS frame. */
static void
send_counts(void *arg, const struct store_counts *c)
{
	const int *parent = arg;
	uint8_t frame[STOREWIRE_ANSWER_HEADER + STOREWIRE_ANSWER_BODY_MAX];
	struct storeq_msg m = { .type = STOREQ_COUNTS, .result = STORE_OK };
	size_t len;

	m.counts = *c;
	if ((len = storewire_answer_encode(&m, 0, frame)) > 0)
		(void)send(*parent, frame, len, MSG_NOSIGNAL | MSG_DONTWAIT);
}

int
storeproc_run(const struct storeproc_start *st)
{
	const struct config *cfg = st->cfg;
	struct sandbox_conf conf = { .role = SANDBOX_STORE, .listen_fd = -1 };
	struct sandbox_report report;
	struct store_secrets secrets;
	struct storewriter *w = NULL;
	struct storerecv *r = NULL;
	int rc = 1;

	signal(SIGTERM, SIG_IGN);	/* see storeproc.h */
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	if (become_data_dir_owner(cfg->data_dir, &conf.omit) != 0 ||
	    (w = storewriter_open(cfg->data_dir, cfg->max_store_size,
	    &secrets)) == NULL)
		goto out;
	r = storerecv_new(st->channel_fd, &secrets);
	sodium_memzero(&secrets, sizeof(secrets));
	if (r == NULL)
		goto out;
	conf.data_dir = storewriter_data_dir(w);
	if (sandbox_enter(&conf, &report) != 0)
		goto out;
	sandbox_log(&report, "store process");
	storewriter_run(w, r, send_counts, (void *)&st->parent_fd,
	    cfg->metrics_file != NULL ? cfg->metrics_interval : 0);
	rc = 0;
out:
	storerecv_free(r);
	storewriter_close(w);
	return rc;
}
