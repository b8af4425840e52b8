/*
 * What the round module's files share: the parsed document, small helpers,
 * and (through store/round_rows.h) the row-level reads and writes of the
 * round's own tables, which live in the store (all SQL stays there).
 */
#ifndef CARTEL_ROUND_INT_H
#define CARTEL_ROUND_INT_H

#include <stddef.h>

#include <jansson.h>

#include <cartel/round.h>

/* The document: the JSON is the authority (fields a later format adds are
 * kept and signed), the rest are views into it checked at parse time. */
struct cartel_round {
	json_t *doc;
	char *name; /* what messages call it: the file name */
};

/* Writes the current UTC time as "YYYY-MM-DDTHH:MM:SSZ" (21 bytes). The
 * variable CARTEL_NOW, when set, is used instead (reproducible tests). */
void cartel__round_now(char buf[32]);

/* "sha256:" + hex of the SHA-256 of data[0..len). */
void cartel__round_sha256(const void *data, size_t len,
			  char out[CARTEL_DIGEST_LEN]);

/* Reads a whole file of at most max bytes into a malloc'd NUL-terminated
 * buffer. CARTEL_ENOTFOUND, CARTEL_EIO or CARTEL_ERANGE with *why. */
int cartel__round_slurp(const char *path, size_t max, char **out,
			size_t *len, char **why);

/* Recomputes a document's manifest and digest from its other fields and
 * sets them into doc (signatures are left as they are). */
int cartel__round_seal(json_t *doc, char **why);

#include "store/round_rows.h"

#endif
