/*
 * What the round module's files share: the parsed document, small helpers,
 * and the SQL of the round's own tables, which lives in
 * src/lib/store/round_store.c (all SQL stays in the store folder).
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

/* ---- seal.c: the seal every signed document shares ---- */

/* Problems found by a check, one malloc'd sentence each. */
struct cartel__problems {
	char **v;
	size_t n;
};
void cartel__problem(struct cartel__problems *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void cartel__problems_free(struct cartel__problems *p);
/* Sets *why to "NAME does not verify (N problems):" and one line per
 * problem; returns CARTEL_ETAMPER. Leaves *p as it was. */
int cartel__problems_why(struct cartel__problems *p, char **why,
			 const char *name);

/* Recomputes a document's manifest and digest from its other fields and
 * sets them into doc (signatures are left as they are). With per_entry,
 * each entry of a list of persons (objects with an "id") has a manifest
 * line of its own, so that a check names the person changed (the list
 * documents); without, a list has one line (declarations, whose tens of
 * thousands of persons are received or refused whole). */
int cartel__seal_doc(json_t *doc, int per_entry, char **why);
/* cartel__seal_doc with per_entry: the list documents' seal. */
int cartel__round_seal(json_t *doc, char **why);

/* Checks the recorded manifest (per entry, as the list documents make it)
 * and digest against the document: each difference becomes a problem;
 * *manifest_ok and *digest_ok say which held. Returns 0, or an error when
 * the check itself could not run. */
int cartel__seal_check(const json_t *doc, struct cartel__problems *pr,
		       int *manifest_ok, int *digest_ok, char **why);
/* Its two halves, which read the document only and may run in two threads
 * at once (jansson's reference counts are atomic). */
int cartel__seal_check_manifest(const json_t *doc, int per_entry,
				struct cartel__problems *pr, int *manifest_ok,
				char **why);
int cartel__seal_check_digest(const json_t *doc, struct cartel__problems *pr,
			      int *digest_ok, char **why);

/* The canonical form the signatures cover (everything but `signatures`);
 * malloc'd. */
int cartel__seal_canon(const json_t *doc, char **out, size_t *len,
		       char **why);

/* Whether key may sign in this register: it has its secret half and is
 * the key pinned for its party (CARTEL_EINVAL, CARTEL_ESTATE). */
int cartel__seal_signer(struct cartel_db *db, const struct cartel_key *key,
			char **why);

/* Key's signature over doc as a new "signatures" entry *entry (algorithm,
 * public_key, fingerprint, signature); the caller sets it into the
 * document under the key's party. */
int cartel__seal_signature(const json_t *doc, const struct cartel_key *key,
			   json_t **entry, char **why);

/* Checks party's signature of doc over canon[0..len) (from
 * cartel__seal_canon): present, made with the key pinned for the party in
 * db (db NULL: no pins), and holding. Fills *s; each failure is a problem
 * naming the party. */
void cartel__seal_verify_party(struct cartel_db *db, const json_t *doc,
			       const char *party, const char *canon,
			       size_t len, struct cartel_round_sig_status *s,
			       struct cartel__problems *pr);

/* ---- round_store.c: the round's tables ---- */

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

/* Every person of the register with only what matching and the "held by
 * us" test need (id, names, birth date and place, sex, service number,
 * status, held_by), in no particular order; much lighter than
 * cartel_db_persons for a whole register. Free with cartel_persons_free. */
int cartel__round_persons_brief(struct cartel_db *db,
				struct cartel_person **out, size_t *n,
				char **why);

/* ---- protocol_store.c: the owner and the declarations' tables ---- */

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
int cartel__decl_change_put(struct cartel_db *db, const char *digest,
			    const char *their_id, const char *change,
			    const char *old_fields, const char *new_fields,
			    char **why);

#endif
