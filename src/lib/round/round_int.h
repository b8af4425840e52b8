/*
 * What the round module's files share: the parsed document, small helpers,
 * and (through store/round_rows.h) the row-level reads and writes of the
 * round's own tables, which live in the store (all SQL stays there).
 */
#ifndef CARTEL_ROUND_INT_H
#define CARTEL_ROUND_INT_H

#include <stddef.h>

#include <jansson.h>

#include <cartel/person.h>
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

/* The three checks of a document received in one canonical pass: the
 * manifest (per_entry as cartel__seal_doc makes it) and the digest, as the
 * two halves above check them (the manifest's problems first), and the
 * canonical form the signatures cover in *canon (malloc'd, *len bytes,
 * for cartel__seal_verify_party; NULL on failure). Reads the document
 * only. Returns 0, or an error when the check itself could not run. */
int cartel__seal_check_canon(const json_t *doc, int per_entry,
			     struct cartel__problems *pr, int *manifest_ok,
			     int *digest_ok, char **canon, size_t *len,
			     char **why);

/* json_loadb(text, len, flags, err), with the array of the top-level
 * member `key` parsed in two halves on two threads when it is large
 * (json_split.c): the same document, or NULL and the whole parse's error.
 * (A nesting within an element deeper than jansson allows is the one
 * difference: the halves nest one level less; no declaration accepts
 * nested values there.) */
json_t *cartel__json_load_split(const char *text, size_t len, const char *key,
				size_t flags, json_error_t *err);
/* Where it cuts t[0..n): the offsets of the array's '[' (*open) and ']'
 * (*close), and of a comma between two of its elements past the middle of
 * the text from *open (*cut). Returns 1 when it cuts, 0 when the text is
 * not so shaped (no such member at the top level, not an array, shorter
 * than a mebibyte): then it is parsed whole. */
int cartel__json_find_cut(const char *t, size_t n, const char *key,
			  size_t *open, size_t *close, size_t *cut);

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

/* ---- rules.c: what the register knows of a person a document names ---- */

struct cartel_owner;

struct cartel__known {
	int found;
	int declared; /* from a party's held declaration */
	int dropped;  /* declared, and no longer declared since */
	int via_link; /* the other side's man, found through an identity
		       * link to this party's own record of him */
	char *dropped_by; /* the digest that dropped him */
	char holder[CARTEL_PARTY_MAX]; /* who holds him; "" when unknown */
	char *holder_id; /* the holder's own id */
	char *key; /* one per person: the register's id after merges, or
		    * "PARTY:ID" for a declared person */
	struct cartel_person p; /* what is known; a declared person's
				 * fields as declared */
};
void cartel__known_clear(struct cartel__known *k);

/*
 * Finds the person a document names: id (the document's id, may be NULL),
 * holder (the party holding him, may be NULL) and hid (the holder's own
 * id; NULL: id). In a party's own register that party's people are its
 * register's persons; a declared person is found in his holder's `held`
 * declaration (or by an id "PARTY:ID"); otherwise the register's person
 * of that id. CARTEL_ENOTFOUND when the register knows nobody so named.
 */
int cartel__round_resolve(struct cartel_db *db,
			  const struct cartel_owner *owner, const char *id,
			  const char *holder, const char *hid,
			  struct cartel__known *k, char **why);

/* A document's person entry for k (doc.c's fields, and holder,
 * holder_id, receiver_id); NULL when out of memory. */
json_t *cartel__round_entry(struct cartel_db *db,
			    const struct cartel__known *k,
			    const char *const parties[2]);

/* doc.c: the identifying fields of a person entry. */
json_t *cartel__round_person_entry(const struct cartel_person *p);

/*
 * Identity links between registers (<cartel/links.h>): the receiving
 * party's own id (*own_id, malloc'd) of the person `holder` holds under
 * `holder_id`, in the receiving party's register its own person's id, at
 * the mediator the id of the receiving party's declaration linked to him.
 * CARTEL_ENOTFOUND (and *own_id NULL) when no active link is recorded.
 */
int cartel__round_link_own_id(struct cartel_db *db,
			      const struct cartel_owner *owner,
			      const char *holder, const char *holder_id,
			      const char *receiver, char **own_id,
			      char **why);

#include "store/round_rows.h"

#endif
