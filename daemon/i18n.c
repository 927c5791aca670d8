/*
 * i18n: see i18n.h. The catalogs come from i18n_catalog.c, which
 * scripts/po2c.py generates from po/{fr,ar,en}.po at build time, each
 * sorted by msgid so that a lookup is a binary search.
 */
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "i18n_catalog.h"

static const char *const codes[LANG_COUNT] = { "fr", "ar", "en" };

int
i18n_lang(const char *code, size_t len, enum lang *lang)
{
	for (int l = 0; l < LANG_COUNT; l++) {
		if (len == 2 && memcmp(code, codes[l], 2) == 0) {
			*lang = (enum lang)l;
			return 0;
		}
	}
	return -1;
}

const char *
i18n_code(enum lang lang)
{
	return codes[lang];
}

int
i18n_rtl(enum lang lang)
{
	return lang == LANG_AR;
}

/* Order messages by msgid, for bsearch. */
static int
cmp_msgid(const void *key, const void *elem)
{
	const struct i18n_message *m = elem;

	return strcmp(key, m->msgid);
}

const char *
i18n_text(enum lang lang, const char *msgid)
{
	const struct i18n_message *m;

	for (size_t i = 0; i < i18n_ncatalogs; i++) {
		if (strcmp(i18n_catalogs[i].code, codes[lang]) != 0)
			continue;
		m = bsearch(msgid, i18n_catalogs[i].messages,
		    i18n_catalogs[i].n, sizeof(*m), cmp_msgid);
		return m != NULL ? m->msgstr : msgid;
	}
	return msgid;
}
