/*
 * fuzz_config: config_parse and config_validate on arbitrary text, no file
 * I/O. Beyond the sanitizers, a file accepted without a problem must leave
 * a config that keeps every documented promise (paths absolute, sizes
 * ordered, ranges respected), and every problem must be a non-empty line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* abort() unless an accepted config keeps the promises of config.h. */
static void
check_accepted(const struct config *c)
{
	if (c->socket == NULL || c->socket[0] != '/' ||
	    strlen(c->socket) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		abort();
	if (c->data_dir == NULL || c->data_dir[0] != '/')
		abort();
	if (c->n_analyst_keys < 1 || c->n_analyst_keys > CONFIG_ANALYSTS_MAX)
		abort();
	for (size_t i = 0; i < c->n_analyst_keys; i++)
		if (c->analyst_keys[i][0] != '/')
			abort();
	if (c->max_attachment_size == 0 ||
	    c->max_attachment_size > c->max_report_size ||
	    c->max_report_size > c->max_store_size)
		abort();
	if (c->idle_timeout < 5 || c->idle_timeout > 3600 ||
	    c->socket_mode > 0777 || c->max_connections < 1)
		abort();
	if (c->n_languages < 1 || c->n_languages > CONFIG_LANGUAGES_MAX ||
	    c->default_language == NULL)
		abort();
}

/* abort() unless every kept problem is one printable, non-empty line. */
static void
check_problems(const struct config_problems *p)
{
	if (p->n > CONFIG_PROBLEMS_MAX || p->n > p->total)
		abort();
	for (size_t i = 0; i < p->n; i++)
		if (p->msg[i][0] == '\0' || strchr(p->msg[i], '\n') != NULL)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config_problems probs;
	struct config c;
	int rc;

	config_problems_init(&probs);
	config_init(&c);
	rc = config_parse(&c, (const char *)data, size, &probs);
	if (config_validate(&c, &probs) != 0)
		rc = -1;
	if ((rc == 0) != (probs.total == 0))
		abort();
	check_problems(&probs);
	if (rc == 0)
		check_accepted(&c);
	config_free(&c);
	return 0;
}
