/*
 * The rows of the server's accounts (migration "1000-accounts"), for the
 * account module (src/lib/account), which holds the rules: who may sign
 * in, for how long, and who may do what. Here only rows are read and
 * written.
 *
 * Every write records its row in the row ledger (cartel__ledger_touch);
 * the caller runs it inside a write transaction (cartel_db_begin) and
 * closes that with cartel_audit_append, which covers the ledger records.
 * Reads that decide an action (a user, a session, a case code) are checked
 * against the ledger first: CARTEL_ETAMPER when the row was changed behind
 * the register's back.
 *
 * Strings filled in are malloc'd (free them, or the row's _clear).
 */
#ifndef CARTEL_STORE_ACCOUNT_ROWS_H
#define CARTEL_STORE_ACCOUNT_ROWS_H

#include <stddef.h>

#include <cartel/store.h>

struct cartel__user_row {
	char *name, *role, *party, *pw_hash;
	char *created_at, *created_by, *changed_at;
	int disabled;
	int failures;            /* failed sign-ins since the last success */
	long long locked_until;  /* Unix seconds; 0: not locked */
};

void cartel__user_row_clear(struct cartel__user_row *u);

/* Inserts a user; CARTEL_EEXIST when the name is taken. */
int cartel__user_insert(struct cartel_db *db,
			const struct cartel__user_row *u, char **why);

/* Reads user `name` (ledger-checked); CARTEL_ENOTFOUND when none. */
int cartel__user_get(struct cartel_db *db, const char *name,
		     struct cartel__user_row *out, char **why);

/* Every user, by name, into a new array (free each with _clear, then the
 * array). */
int cartel__user_list(struct cartel_db *db, struct cartel__user_row **out,
		      size_t *n, char **why);

/* Changes what is given of user `name`: pw_hash unless NULL, disabled,
 * failures and locked_until unless negative; changed_at always.
 * CARTEL_ENOTFOUND when there is no such user. */
int cartel__user_update(struct cartel_db *db, const char *name,
			const char *pw_hash, int disabled, int failures,
			long long locked_until, const char *changed_at,
			char **why);

int cartel__session_insert(struct cartel_db *db, const char *id_hash,
			   const char *user, const char *csrf, long long now,
			   char **why);

/* The session whose id hashes to id_hash (ledger-checked): its user and
 * CSRF token (malloc'd) and when it was last seen. CARTEL_ENOTFOUND when
 * there is none. */
int cartel__session_get(struct cartel_db *db, const char *id_hash,
			char **user, char **csrf, long long *seen_at,
			char **why);

int cartel__session_seen(struct cartel_db *db, const char *id_hash,
			 long long now, char **why);

/* Deletes one session, or (user not NULL, id_hash NULL) every session of
 * a user; *n (may be NULL) is how many. */
int cartel__session_delete(struct cartel_db *db, const char *id_hash,
			   const char *user, size_t *n, char **why);

int cartel__access_insert(struct cartel_db *db, const char *at,
			  const char *user, const char *role,
			  const char *action, const char *subject,
			  const char *decision, const char *address,
			  char **why);

/* The access log queue a handle's reads are logged through
 * (cartel_access_batch_use), or NULL: kept on the handle, owned by the
 * account module. */
struct cartel_access_batch;
struct cartel_access_batch *cartel__db_access_batch(struct cartel_db *db);
void cartel__db_set_access_batch(struct cartel_db *db,
				 struct cartel_access_batch *b);

/* What a family's case page needs of inquiry `id`, and nothing more (not
 * the candidates' records, nor the history): its state (an enum
 * cartel_inquiry_state) and the person confirmed as the one sought
 * (malloc'd; NULL when none). The rows read are ledger-checked.
 * CARTEL_ENOTFOUND when there is no such inquiry. */
int cartel__case_inquiry(struct cartel_db *db, const char *id, int *state,
			 char **confirmed, char **why);

/* 1 when db is inside a transaction (cartel_db_begin). */
int cartel__db_in_txn(struct cartel_db *db);

struct cartel__access_row {
	long long seq;
	char *at, *user, *role, *action, *subject, *decision, *address;
};

/* The access log, newest first, from offset, at most limit rows; *total
 * the number of rows. Free with cartel__access_rows_free. */
int cartel__access_list(struct cartel_db *db, long long offset,
			long long limit, struct cartel__access_row **out,
			size_t *n, long long *total, char **why);
void cartel__access_rows_free(struct cartel__access_row *v, size_t n);

int cartel__case_code_insert(struct cartel_db *db, const char *hash,
			     const char *inquiry_id, const char *at,
			     char **why);

/* The inquiry of the case code hashing to `hash` (ledger-checked);
 * CARTEL_ENOTFOUND when none. */
int cartel__case_code_find(struct cartel_db *db, const char *hash,
			   char **inquiry_id, char **why);

/* The seq of the newest event of the record `id` as stored (no alias
 * followed); 0 when it has none. CARTEL_ENOTFOUND for no such record. */
int cartel__person_version(struct cartel_db *db, const char *id,
			   long long *version, char **why);

/* A list document a mediator received (migration "1400-web-rounds"):
 * the document as it came, in canonical form with its signatures. */
struct cartel__received_row {
	long long seq;
	int version;
	char *round_id, *kind, *digest, *parties, *signed_by;
	char *document; /* NULL in a list (cartel__received_list) */
	char *received_at, *received_by;
};
void cartel__received_rows_free(struct cartel__received_row *v, size_t n);

/* Stores a received document; *seq its number. A document stored before
 * with the same text is not stored again: *seq is the earlier one and
 * *already 1. */
int cartel__received_insert(struct cartel_db *db,
			    const struct cartel__received_row *r,
			    long long *seq, int *already, char **why);

/* Received document seq, its text included (ledger-checked: a row
 * changed behind the register's back is CARTEL_ETAMPER);
 * CARTEL_ENOTFOUND when none. Free with cartel__received_rows_free(r,
 * 1) after copying, or clear its fields. */
int cartel__received_get(struct cartel_db *db, long long seq,
			 struct cartel__received_row *out, char **why);

/* Received documents, newest first, of round_id (NULL: every round)
 * between parties one of which is party (NULL: any), without their text;
 * *total how many there are. */
int cartel__received_list(struct cartel_db *db, const char *round_id,
			  const char *party, long long offset, long long limit,
			  struct cartel__received_row **out, size_t *n,
			  long long *total, char **why);

/* A named policy of the register. */
struct cartel__policy_row {
	char *name, *digest, *yaml, *added_at, *added_by;
};
void cartel__policy_rows_free(struct cartel__policy_row *v, size_t n);

/* Stores a named policy; CARTEL_EEXIST when the name is taken. */
int cartel__policy_insert(struct cartel_db *db,
			  const struct cartel__policy_row *p, char **why);

/* Policy `name` with its YAML (ledger-checked); CARTEL_ENOTFOUND when
 * none. */
int cartel__policy_get(struct cartel_db *db, const char *name,
		       struct cartel__policy_row *out, char **why);

/* Every named policy by name, without its YAML. */
int cartel__policy_list(struct cartel_db *db, struct cartel__policy_row **out,
			size_t *n, char **why);

/* The current time, as the rest of the store writes it. */
const char *cartel__account_now(char *buf, size_t size);

#endif
