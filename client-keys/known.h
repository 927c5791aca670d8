/*
 * known: the hash lists of a case file (docs/cases.md, "Hash lists") and
 * matching attachments against them. Owns storing an imported list (the
 * file itself is hashlist.c's to read), keeping the built-in list `local`
 * up to date with the verdicts (the attachments of reports naming a URL
 * whose current verdict is actioned), and the matcher decrypt asks about
 * each attachment: exact MD5, SHA-1 and SHA-256 through the case file's
 * index, PDQ through an in-memory index (pdqindex.c) of every listed PDQ
 * hash. Works on an open case file; the caller owns the transactions.
 * Every function that fails has printed why.
 */
#ifndef KNOWN_H
#define KNOWN_H

#include <stddef.h>
#include <stdint.h>

#include "hashlist.h"
#include "pdq.h"

struct cases;

#define KNOWN_LOCAL "local"	/* the built-in list's name */
#define KNOWN_LOCAL_FORMAT "sha256+pdq"
#define KNOWN_NAME_MAX 64	/* bytes of a list's name */

/*
 * known_name_ok(name):
 * 1 if name may name an imported list: 1 to KNOWN_NAME_MAX letters, digits,
 * '.', '_' or '-' (ASCII), not starting with '-' or '.', and not "local".
 */
int known_name_ok(const char *name);

/* A list that an import replaces. */
struct known_replaced {
	int found;		/* 0: there was no list of that name */
	int64_t count;
	char day[11];		/* YYYY-MM-DD it was imported */
};

struct known_import;

/*
 * known_import_begin(c, name, &old):
 * Inside the caller's write transaction, remove the list called name, if
 * any (old says what it was), and start an empty one of that name. Return
 * the import, or NULL.
 */
struct known_import *known_import_begin(struct cases *c, const char *name,
    struct known_replaced *old);

/*
 * known_import_add(im, e):
 * Add e's hash (its format's kind, its bytes, its grade or NULL) to the
 * list; a hash already in it is counted as a duplicate (the first line's
 * grade stays). Return 0, or -1.
 */
int known_import_add(struct known_import *im, const struct hashlist_entry *e);

/*
 * known_import_end(im, format, sha256_hex, &count, &duplicates):
 * Record the list's format, the SHA-256 of the file it came from (hex),
 * the time and its count of distinct hashes. Return 0, or -1.
 */
int known_import_end(struct known_import *im, enum hashlist_format format,
    const char *sha256_hex, int64_t *count, int64_t *duplicates);

/* known_import_free(im): free im's statements; NULL is a no-op. */
void known_import_free(struct known_import *im);

/*
 * known_local_update(c, url_ids, n, &added, &removed):
 * Inside the caller's write transaction, after verdicts for the URLs
 * url_ids[0..n) were appended: for each attachment of a report naming one
 * of them, its SHA-256 (and its PDQ, when its quality is at least
 * PDQ_QUALITY_MIN) is on the list `local` if and only if one of the URLs
 * its report names (that attachment's, or an identical one's) has
 * actioned as its current verdict; the grade is the most severe of those
 * verdicts' severities (A before B before C), or none. Return 0 with the
 * hashes added to and removed from the list, or -1.
 */
int known_local_update(struct cases *c, const char *const *url_ids,
    size_t n, long *added, long *removed);

/* What decrypt knows of an attachment; NULL for what it does not know. */
struct known_query {
	const uint8_t *md5;		/* 16 bytes */
	const uint8_t *sha1;		/* 20 bytes */
	const uint8_t *sha256;		/* 32 bytes */
	const struct pdq_hash *pdq;
	int quality;			/* pdq's quality, 0..100 */
};

/* A match: valid until the next known_match or known_free. */
struct known_hit {
	const char *list;
	const char *grade;		/* NULL: the line had none */
	enum hashlist_format kind;	/* which hash matched */
	int distance;			/* PDQ: its distance; else 0 */
};

struct known;

/*
 * known_load(c):
 * Read every list of c for matching (the PDQ hashes into memory: about
 * 100 bytes each). Return the matcher, or NULL.
 */
struct known *known_load(struct cases *c);

/*
 * known_match(k, q, &hit):
 * Whether q is listed: first an exact SHA-256, SHA-1, then MD5 (the list
 * first by name if several have it), then the nearest listed PDQ hash
 * within PDQ_MATCH_DISTANCE bits when q's quality is at least
 * PDQ_QUALITY_MIN. Return 1 with hit set, 0 if not listed, -1.
 */
int known_match(struct known *k, const struct known_query *q,
    struct known_hit *hit);

/* known_pdq_count(k): the PDQ hashes k holds in memory. */
size_t known_pdq_count(const struct known *k);

/* known_free(k): free k; NULL is a no-op. */
void known_free(struct known *k);

#endif
