/*
 * The store's interface for the round module: row-level reads and writes
 * of the round's tables (pins, documents, stages, handover check-offs),
 * implemented in round_store.c. What a round, a stage or a check-off
 * means is decided in src/lib/round/; these only read and write rows.
 * Only round/ includes this header (scripts/check-layers.sh).
 */
#ifndef CARTEL_STORE_ROUND_ROWS_H
#define CARTEL_STORE_ROUND_ROWS_H

#include <stddef.h>

#include <jansson.h>

#include <cartel/round.h>
#include <cartel/store.h>

/* The current pin of party: 0 and *pk filled, or CARTEL_ENOTFOUND. */
int cartel__round_pin_get(struct cartel_db *db, const char *party,
			  unsigned char pk[32], char **why);
/* Marks party's current pin (if any) replaced at `at` and inserts a new
 * current pin. Runs inside the caller's transaction. */
int cartel__round_pin_put(struct cartel_db *db, const char *party,
			  const unsigned char pk[32], const char *fingerprint,
			  const char *at, const char *by, char **why);
int cartel__round_pin_list(struct cartel_db *db, struct cartel_key_pin **out,
			   size_t *n, char **why);

/* A loaded round. CARTEL_EEXIST when the id is taken. */
int cartel__round_doc_put(struct cartel_db *db, const char *round_id,
			  int version, const char *digest, const char *canon,
			  const char *at, const char *by, char **why);
/* CARTEL_ENOTFOUND when the round is not loaded. Strings malloc'd. */
int cartel__round_doc_get(struct cartel_db *db, const char *round_id,
			  int *version, char digest[CARTEL_DIGEST_LEN],
			  char **started_at, char **why);

/* The canonical text of loaded round round_id's document into *document
 * (malloc'd), its row checked against the audit chain's ledger;
 * CARTEL_ENOTFOUND when the round is not loaded, CARTEL_ETAMPER when the
 * row was changed behind the register's back. */
int cartel__round_doc_text(struct cartel_db *db, const char *round_id,
			   char **document, char **why);

int cartel__round_stage_put(struct cartel_db *db, const char *round_id,
			    int stage, char **why);
/* *closed 1 when closed. CARTEL_ENOTFOUND for no such stage. */
int cartel__round_stage_get(struct cartel_db *db, const char *round_id,
			    int stage, int *closed, char **why);
int cartel__round_stage_close(struct cartel_db *db, const char *round_id,
			      int stage, const char *at, const char *by,
			      char **why);

int cartel__round_ho_put(struct cartel_db *db, const char *round_id,
			 const char *person_id, long ord, const char *side,
			 int stage, int direct, char **why);
/* Records the id the giving party names person_id by (a person of the
 * other party, found through an identity link). */
int cartel__round_ho_holder(struct cartel_db *db, const char *round_id,
			    const char *person_id, const char *holder_id,
			    char **why);
/* The register's id of the person listed in round_id under the giving
 * party's id holder_id (*person_id malloc'd); CARTEL_ENOTFOUND, without
 * a message, when there is none. */
int cartel__round_ho_by_holder(struct cartel_db *db, const char *round_id,
			       const char *holder_id, char **person_id,
			       char **why);
/* One person's row: CARTEL_ENOTFOUND when the person is not in the round.
 * Fills p (strings malloc'd; free with cartel__round_ho_person_clear). */
int cartel__round_ho_get(struct cartel_db *db, const char *round_id,
			 const char *person_id,
			 struct cartel_handover_person *p, char **why);
/* Records the outcome of a pending person; CARTEL_ESTATE when not pending
 * any more (someone else got there first). */
int cartel__round_ho_set(struct cartel_db *db, const char *round_id,
			 const char *person_id, const char *outcome,
			 const char *at, const char *by, char **why);
/* Every person of a round (stage >= 1) or of one stage, by stage then
 * order. */
int cartel__round_ho_list(struct cartel_db *db, const char *round_id,
			  int stage, struct cartel_handover_person **out,
			  size_t *n, char **why);
/* Every stage of a round, ordered, with closing times. */
int cartel__round_stage_list(struct cartel_db *db, const char *round_id,
			     struct cartel_handover_stage **out, size_t *n,
			     char **why);

void cartel__round_ho_person_clear(struct cartel_handover_person *p);

/* A person's status and consent alone, read without the rest of him (a
 * stage of thousands is checked one by one). CARTEL_ENOTFOUND when none. */
int cartel__round_person_state(struct cartel_db *db, const char *id,
			       enum cartel_status *status,
			       enum cartel_consent *consent, char **why);

/* The ids of the persons still pending in rounds other than `except`,
 * sorted by strcmp, as a new array *ids of *n malloc'd strings (free each
 * and the array). One pass over the table, so that loading a large round
 * looks each of its persons up in memory. */
int cartel__round_ho_pending_ids(struct cartel_db *db, const char *except,
				 char ***ids, size_t *n, char **why);

/* The rounds other than `except` in which person_id is still pending, as a
 * new array *round_ids of *n malloc'd strings (free each and the array);
 * each row is checked against the ledger. */
int cartel__round_ho_pending_in(struct cartel_db *db, const char *person_id,
				const char *except, char ***round_ids,
				size_t *n, char **why);

/*
 * The round (other than `except`, which may be NULL) in which person_id was
 * checked off as handed over or received: *round_id and *at malloc'd, or
 * both NULL when there is none. The row is checked against the ledger.
 */
int cartel__round_ho_repatriated(struct cartel_db *db, const char *person_id,
				 const char *except, char **round_id,
				 char **at, char **why);

/* Every person of the register with only what matching and the "held by
 * us" test need (id, names, birth date and place, sex, service number,
 * status, held_by), in no particular order; much lighter than
 * cartel_db_persons for a whole register. Free with cartel_persons_free. */
int cartel__round_persons_brief(struct cartel_db *db,
				struct cartel_person **out, size_t *n,
				char **why);

/* ---- protocol_store.c: the owner and the declarations' tables
 * (docs/protocol.md) ---- */

struct cartel_owner;

/* The owner row (role NONE when there is none), checked against the
 * audit chain. */
int cartel__owner_get(struct cartel_db *db, struct cartel_owner *o,
		      char **why);
/* Inserts the owner row; CARTEL_EEXIST when there is one. Inside the
 * caller's transaction. */
int cartel__owner_put(struct cartel_db *db, const char *role,
		      const char *name, const char *at, const char *by,
		      char **why);

/* The last sequence number this register declared for kind (0: none),
 * checked against the audit chain. */
int cartel__decl_made_get(struct cartel_db *db, const char *kind,
			  long *sequence, char **why);
int cartel__decl_made_put(struct cartel_db *db, const char *kind,
			  long sequence, const char *digest, long n_persons,
			  const char *at, const char *by, char **why);

/* *found 1 when a declaration with this digest was received. */
int cartel__decl_received_has(struct cartel_db *db, const char *digest,
			      int *found, char **why);
/* The last declaration received from party for kind: its sequence (0:
 * none) and digest, checked against the audit chain. */
int cartel__decl_received_last(struct cartel_db *db, const char *party,
			       const char *kind, long *sequence,
			       char digest[CARTEL_DIGEST_LEN], char **why);
int cartel__decl_received_put(struct cartel_db *db, const char *digest,
			      const char *party, const char *kind,
			      long sequence, const char *as_of,
			      long n_persons, const char *at, const char *by,
			      char **why);

/* Every person declared by party for kind, as a new JSON object
 * their_id -> [status, fields], each row checked against the audit chain. */
int cartel__decl_persons_load(struct cartel_db *db, const char *party,
			      const char *kind, json_t **out, char **why);
/* Inserts or replaces one declared person. */
int cartel__decl_person_put(struct cartel_db *db, const char *party,
			    const char *kind, const char *their_id,
			    const char *fields, const char *status,
			    const char *first_digest,
			    const char *last_digest, char **why);
/* Inserts n persons not declared before by party for kind (ids[i] with
 * fields[i]), declared by the declaration of that digest (its first and
 * last), many rows to a statement. A person already there is a
 * constraint error: the caller knows him from cartel__decl_persons_load
 * and uses cartel__decl_person_put. */
int cartel__decl_persons_add(struct cartel_db *db, const char *party,
			     const char *kind, const char *const *ids,
			     const char *const *fields, size_t n,
			     const char *digest, char **why);
int cartel__decl_change_put(struct cartel_db *db, const char *digest,
			    const char *their_id, const char *change,
			    const char *old_fields, const char *new_fields,
			    char **why);

/* One declared person (party, kind, their id): his status ("declared" or
 * "no_longer_declared"), his fields as declared (canonical JSON) and the
 * digest of the declaration that last changed him, each malloc'd; the row
 * is checked against the audit chain. CARTEL_ENOTFOUND when not declared. */
int cartel__decl_person_get(struct cartel_db *db, const char *party,
			    const char *kind, const char *their_id,
			    char **status, char **fields, char **last_digest,
			    char **why);
/* The parties from which a declaration of kind was received, sorted, as a
 * malloc'd array of malloc'd codes (the table checked against the audit
 * chain first). */
int cartel__decl_parties(struct cartel_db *db, const char *kind, char ***out,
			 size_t *n, char **why);

/* For a large declaration received outside any transaction: the bulk
 * journal of an import (cartel__db_bulk, store_int.h); returns 1 when it
 * switched. on = 0 switches back. */
int cartel__decl_bulk(struct cartel_db *db, int on);

/* ---- link_store.c: identity links and handover sheets
 * (docs/protocol.md) ---- */

struct cartel_link;

/* Links, each row checked against the audit chain, as a new array (free
 * with cartel_links_free): every link of their_party into namespace
 * our_party ("" the register; NULL for either: all); the links of one
 * person of theirs (our_party NULL: into every namespace); the links of
 * one person of ours (their_party NULL: from every party). */
int cartel__link_list(struct cartel_db *db, const char *their_party,
		      const char *our_party, struct cartel_link **out,
		      size_t *n, char **why);
int cartel__link_of_theirs(struct cartel_db *db, const char *their_party,
			   const char *their_id, const char *our_party,
			   struct cartel_link **out, size_t *n, char **why);
int cartel__link_of_ours(struct cartel_db *db, const char *our_party,
			 const char *our_id, const char *their_party,
			 struct cartel_link **out, size_t *n, char **why);
/* Inserts a link, or sets the state and decision of the one recorded. */
int cartel__link_put(struct cartel_db *db, const struct cartel_link *l,
		     char **why);
/* The fields (canonical JSON) and kind of a person party still declares;
 * CARTEL_ENOTFOUND when none. *fields malloc'd. */
int cartel__decl_person_fields(struct cartel_db *db, const char *party,
			       const char *their_id, char kind[8],
			       char **fields, char **why);

/* One handover sheet made ("made") or reconciled ("reconciled"). */
int cartel__sheet_put(struct cartel_db *db, const char *digest,
		      const char *role, const char *round_id,
		      const char *party, long sequence, long n_persons,
		      const char *at, const char *by, char **why);
/* The last sheet of role for (round, party): its sequence (0: none) and
 * digest; the whole table is checked against the audit chain first. */
int cartel__sheet_last(struct cartel_db *db, const char *role,
		       const char *round_id, const char *party,
		       long *sequence, char digest[CARTEL_DIGEST_LEN],
		       char **why);
int cartel__sheet_has(struct cartel_db *db, const char *digest,
		      const char *role, int *found, char **why);

/* A savepoint inside the caller's transaction for one person of a list:
 * op 0 opens it, 1 keeps the person's writes, 2 undoes them (with the row
 * ledger's records they left). */
int cartel__round_savepoint(struct cartel_db *db, int op, char **why);

#endif
