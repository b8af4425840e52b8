/*
 * The store's interface for the import (src/lib/io/import.c): the
 * row-level writes a bulk import makes inside one transaction. How a CSV
 * row becomes a person is the import's and the register's business; these
 * only write rows and the audit entries that cover them. Only io/ includes
 * this header (scripts/check-layers.sh).
 *
 * store_int.h includes this header, so the store's own files see both
 * declarations of each function and the compiler holds them equal.
 */
#ifndef CARTEL_STORE_IMPORT_ROWS_H
#define CARTEL_STORE_IMPORT_ROWS_H

#include <stddef.h>

#include <sodium.h>

#include <cartel/limits.h>
#include <cartel/person.h>
#include <cartel/store.h>

/* The number of text forms cartel__person_insert takes: one per field of
 * cartel_fields(), the persons table's columns (persons.c checks it). */
#define CARTEL__PERSON_NTEXTS 31

/* One event row as the audit chain hashes it (audit.c). */
struct cartel__event_row {
	long long seq;
	const char *person_id;
	const char *field;
	const char *old_value;
	const char *new_value;
	const char *actor;
	const char *at;
	const char *source;
	const char *source_ref;
	const char *note;
	long long audit;
};

/* Bytes of an event's content digest (BLAKE2b-256). */
#define CARTEL__DIGEST_BYTES 32

/* The content digest of an event row (all but seq and audit). */
void cartel__event_digest(const struct cartel__event_row *ev,
			  unsigned char out[CARTEL__DIGEST_BYTES]);

/* Rollback journal for one bulk write (1 when switched), back with 0. */
int cartel__db_bulk(struct cartel_db *db, int on);

/* A write transaction unless one is open; *own says who ends it. */
int cartel__db_write_begin(struct cartel_db *db, int *own, char **why);
int cartel__db_write_end(struct cartel_db *db, int own, int err,
			 char **why);

/* The current UTC time (CARTEL_NOW overrides it). */
const char *cartel__now(char *buf, size_t size);

/* The seq of the next audit entry, and the entry that closes a batch. */
int cartel__audit_next(struct cartel_db *db, long long *seq, char **why);
int cartel__audit_close(struct cartel_db *db, long long seq,
			const char *actor, const char *action,
			const char *subject, const char *detail,
			long long n_events, crypto_hash_sha256_state *events,
			char **why);

/* The persons table key the next inserted person gets. */
int cartel__person_next_pk(struct cartel_db *db, long long *pk, char **why);

/* One person row, its attributes and its "created" event (store_int.h). */
int cartel__person_insert(struct cartel_db *db, const struct cartel_person *p,
			  const char *const *texts, const char *rec,
			  const unsigned char *digest,
			  const struct cartel_provenance *prov, const char *at,
			  long long audit, crypto_hash_sha256_state *st,
			  long long *pk, char **why);

/*
 * One event, checked by the rule of cartel_event_add (the field, the
 * value's shape, the lifecycle, the cross-field checks; every check before
 * the first write), written inside the caller's transaction under audit
 * entry `audit` with its hash added to *hs; the caller closes the entry
 * (cartel__audit_close). *pid_out (when not NULL) is the malloc'd id the
 * event was recorded on (an alias resolved), *seq_out its seq. On a
 * refused event nothing is written; on a database error the caller rolls
 * back.
 */
int cartel__event_apply(struct cartel_db *db, const struct cartel_event *ev,
			long long audit, crypto_hash_sha256_state *hs,
			char **pid_out, long long *seq_out, char **why);

/* A savepoint inside the caller's transaction, for a row of several
 * writes that goes whole or not at all: op 0 opens it, 1 keeps the row's
 * writes, 2 undoes them. */
int cartel__db_savepoint(struct cartel_db *db, int op, char **why);

/* Whether the register has room for the attribute names keys[0..n). */
int cartel__attr_room(struct cartel_db *db, char *const *keys, size_t n,
		      char **why);

/* The parties a register knows (store/parties.c, docs/limits.md), read
 * once before an import's rows are checked: code[0..n) and open (the
 * register knows none yet, so every well-formed code is taken). */
struct cartel__parties {
	char (*code)[CARTEL_LIMIT_PARTY_MAX + 1];
	size_t n;
	int open;
};

/* Fills *ps (free with cartel__parties_free; nothing to free on failure).
 * Returns 0 or an error of the database. */
int cartel__parties_load(struct cartel_db *db, struct cartel__parties *ps,
			 char **why);
/* 1 when code is known (or the register knows none), else 0. */
int cartel__parties_has(const struct cartel__parties *ps, const char *code);
/* A person's held_by and depends_on against the known parties: 0, or
 * CARTEL_EINVAL with *field the field and *why the rule (never the
 * value). */
int cartel__parties_check(const struct cartel__parties *ps,
			  const struct cartel_person *p, const char **field,
			  char **why);
void cartel__parties_free(struct cartel__parties *ps);

#endif
