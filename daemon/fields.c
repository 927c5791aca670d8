/*
 * fields: see fields.h. The option values are short, stable and English:
 * they travel inside the encrypted report to the analysts, whatever the
 * language of the page. The texts are msgids, translated where drawn.
 */

#include "fields.h"
#include "i18n.h"

const struct field_option fields_categories[] = {
	{ "csam_images", N_("Images of child sexual abuse") },
	{ "csam_videos", N_("Videos of child sexual abuse") },
	/* Short: a closed <select> shows one line (the landing page's list
	 * explains sextortion). */
	{ "self_generated",
	    N_("Images a child took of themselves, or sextortion") },
	{ "other", N_("Other illegal content involving children") },
};
const size_t fields_ncategories =
    sizeof(fields_categories) / sizeof(fields_categories[0]);

const struct field_option fields_seen_on[] = {
	{ "website", N_("A website") },
	{ "social_network", N_("A social network") },
	{ "messaging_app", N_("A messaging app") },
	{ "file_sharing", N_("A file-sharing service") },
	{ "other", N_("Somewhere else") },
};
const size_t fields_nseen_on =
    sizeof(fields_seen_on) / sizeof(fields_seen_on[0]);
