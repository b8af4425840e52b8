/*
 * Handover sheets (docs/protocol.md): each party's register writes what it
 * checked off in a round as a signed document, and the mediator compares
 * the two parties' sheets: who was handed over but not received, who was
 * received but not handed over, and the two totals.
 *
 * A sheet (format "cartel-handover-sheet/1") names every person of the
 * round by the id his holder gives him (a person the other party gives is
 * written under that party's id, found through the identity link the
 * handover used), with the giving party, the stage and the outcome the
 * party recorded. It is sealed and signed by the one path every document
 * of cartel uses (src/lib/round/seal.c), by the party alone, and numbered
 * per round: a later sheet of a round supersedes an earlier one.
 *
 * Conventions (those of <cartel/error.h>): functions return 0 or a negative
 * enum cartel_err; `why`, when not NULL, receives a malloc'd message on
 * failure, which the caller frees. Messages name parties and ids, never a
 * captive's name.
 */
#ifndef CARTEL_SHEET_H
#define CARTEL_SHEET_H

#include <stddef.h>

#include "round.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

struct cartel_sheet_made {
	long sequence;
	size_t n_persons;
	char digest[CARTEL_DIGEST_LEN];
};

/*
 * Writes the check-off sheet of loaded round round_id to path (through
 * <cartel/file.h>), signed with key: the owner party's pinned key
 * (CARTEL_ESTATE otherwise, and in a register that is no party's). The
 * sheet is numbered one more than the last this register made for the
 * round, recorded with an audit entry "handover.sheet"; nothing is
 * recorded when the file cannot be written. CARTEL_ENOTFOUND when the
 * round is not loaded.
 */
int cartel_handover_sheet(struct cartel_db *db, const char *round_id,
			  const struct cartel_key *key, const char *actor,
			  const char *path, struct cartel_sheet_made *res,
			  char **why);

/* A person the two sheets do not agree on. */
struct cartel_sheet_gap {
	char *id;       /* as his holder names him */
	char side[CARTEL_PARTY_MAX]; /* the giving party */
	int stage;
	/* The outcomes each sheet records ("pending", "handed_over", ...;
	 * "missing" when the sheet does not list him). */
	char giver[16], receiver[16];
};

struct cartel_sheet_reconcile {
	char round_id[128];
	char round_digest[CARTEL_DIGEST_LEN];
	char party[2][CARTEL_PARTY_MAX]; /* the sheets' parties, as given */
	long sequence[2];
	char digest[2][CARTEL_DIGEST_LEN];
	size_t n_persons;     /* listed on either sheet */
	size_t n_handed_over; /* handed over, by the giving party's sheet */
	size_t n_received;    /* received, by the receiving party's sheet */
	struct cartel_sheet_gap *not_received; /* handed over, not received */
	size_t n_not_received;
	struct cartel_sheet_gap *not_handed;   /* received, not handed over */
	size_t n_not_handed;
};

/*
 * Checks the sheets at path_a and path_b before anything is written: each
 * whole JSON of at most CARTEL_DECL_FILE_MAX bytes, of the sheet format,
 * each person once, its seal, and its one signature, made by its party
 * with the key pinned for that party here (CARTEL_ETAMPER otherwise); both
 * of one round (same id and agreed digest), of its two parties; neither
 * older than a sheet of its party for the round reconciled here before
 * (CARTEL_EEXIST: replayed). Then compares them: every person handed over
 * by his holder's sheet but not received by the other's, received but not
 * handed over, and the two totals; records both sheets and appends an
 * audit entry "reconcile.sheets". Fills *res (clear with
 * cartel_sheet_reconcile_clear).
 */
int cartel_reconcile_sheets(struct cartel_db *db, const char *path_a,
			    const char *path_b, const char *actor,
			    struct cartel_sheet_reconcile *res, char **why);
void cartel_sheet_reconcile_clear(struct cartel_sheet_reconcile *res);

/* The result as JSON text (malloc'd, indented). */
int cartel_sheet_reconcile_json(const struct cartel_sheet_reconcile *res,
				char **out, char **why);

#ifdef __cplusplus
}
#endif
#endif
