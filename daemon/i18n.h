/*
 * i18n: the languages the pages speak and their translations. Messages are
 * English msgids marked N_("...") in the sources; translations live in
 * po/{fr,ar,en}.po (gettext format, what translators' tools expect) and are
 * compiled into a table at build time, so nothing depends on the system's
 * locales at run time.
 */
#ifndef I18N_H
#define I18N_H

#include <stddef.h>

enum lang { LANG_FR, LANG_AR, LANG_EN, LANG_COUNT };

/* Marks a string literal for extraction; it is translated where used. */
#define N_(s) (s)

/* i18n_lang(code, len, lang): parse "fr"/"ar"/"en"; return 0 or -1. */
int i18n_lang(const char *code, size_t len, enum lang *lang);

/* i18n_code(lang): "fr", "ar" or "en". */
const char *i18n_code(enum lang lang);

/* i18n_rtl(lang): 1 for a right-to-left language. */
int i18n_rtl(enum lang lang);

/*
 * i18n_text(lang, msgid):
 * The translation of msgid; msgid itself if there is none (a test makes
 * sure every message has one in every language).
 */
const char *i18n_text(enum lang lang, const char *msgid);

#endif
