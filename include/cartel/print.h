/*
 * The printed list: an agreed round document rendered as a PDF that the
 * two delegations sign at the table (docs/print.md).
 *
 * The document is checked first with cartel_round_verify: a list whose
 * seal or either signature does not hold under the keys pinned in the
 * register is never printed. The PDF shows both parties' names in words
 * (in the calling thread's language, <cartel/i18n.h>), the round, its
 * version and stages, each person with the fields the document names in
 * its signed `print_fields` member (else the default set below), and on
 * every page its number, the persons on it and the running total, the
 * document's SHA-256 digest and both signing keys' fingerprints. Text is
 * set by pango in a font from Debian's packages (DejaVu), so Cyrillic and
 * Latin names print as written.
 *
 * Conventions (those of <cartel/error.h>): functions return 0 or a
 * negative enum cartel_err; `why`, when not NULL, receives a malloc'd
 * message on failure, which the caller frees. Messages name fields, ids
 * and parties, never a captive's name.
 */
#ifndef CARTEL_PRINT_H
#define CARTEL_PRINT_H

#include <stddef.h>

#include "round.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The person fields printed when the document names none, in order. */
#define CARTEL_PRINT_FIELDS_DEFAULT                                        \
	"holder_id,family_name,given_name,patronymic,birth_date,rank,"     \
	"service_number"

/* What a print made. */
struct cartel_print_result {
	int n_pages;
	size_t n_persons; /* persons on the lists (withheld included) */
	char digest[CARTEL_DIGEST_LEN];      /* the document's digest */
	char file_sha256[CARTEL_DIGEST_LEN]; /* "sha256:" of the PDF bytes */
};

/*
 * Renders the round r as a PDF into a new malloc'd buffer *pdf of *len
 * bytes (the caller frees it). r must verify under db's pins
 * (cartel_round_verify; CARTEL_ETAMPER with the problems in *why when it
 * does not) and be of kind "agreed" (CARTEL_ESTATE otherwise). A
 * `print_fields` member that is not an array of known person field names
 * is CARTEL_EFORMAT naming the entry. Fills *res when not NULL. Nothing is
 * written and nothing recorded.
 */
int cartel_round_print_pdf(struct cartel_db *db, const struct cartel_round *r,
			   unsigned char **pdf, size_t *len,
			   struct cartel_print_result *res, char **why);

/*
 * As cartel_round_print_pdf, then writes the PDF to path through
 * <cartel/file.h> (a temporary renamed into place: a failure leaves the
 * old file or none), records it in the transfer log (<cartel/transfer.h>:
 * kind "pdf", the persons, `to` (NULL: not said), `actor`, the path and
 * the file's SHA-256) and appends an audit entry "round.print" naming the
 * round, its digest, the pages, the persons and the file's SHA-256 (never
 * a name). Nothing is recorded when the file cannot be written.
 */
int cartel_round_print(struct cartel_db *db, const struct cartel_round *r,
		       const char *path, const char *actor, const char *to,
		       struct cartel_print_result *res, char **why);

#ifdef __cplusplus
}
#endif
#endif
