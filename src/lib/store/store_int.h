/*
 * What the store's files share, and what other modules that keep their own
 * tables may use (through their own src/lib/store/<module>_store.c).
 *
 * A module that persists data appends one migration to migrations.c (never
 * editing an earlier one), prepares its statements on cartel__db_sqlite(),
 * and records each change with cartel_audit_append() inside the same
 * transaction (cartel_db_begin/commit, or cartel__db_write_begin/end).
 */
#ifndef CARTEL_STORE_INT_H
#define CARTEL_STORE_INT_H

#include <stddef.h>

#include <sodium.h>
#include <sqlite3.h>

#include <cartel/declaration.h>
#include <cartel/store.h>

#include "store/import_rows.h"
#include "store/match_rows.h"

/* One forward migration: applied once, in array order, in its own
 * transaction. The schema version of a file is the number applied. */
struct cartel__migration {
	const char *name; /* unique, e.g. "0001-register" */
	const char *sql;  /* one or more statements */
};

extern const struct cartel__migration cartel__migrations[];
extern const size_t cartel__n_migrations;

/* A step SQL cannot do, run after the SQL of the migration it names, in the
 * same transaction (with the handle in a write transaction). */
struct cartel__migration_step {
	const char *name; /* of its migration */
	int (*after)(struct cartel_db *db, char **why);
};

extern const struct cartel__migration_step cartel__migration_steps[];
extern const size_t cartel__n_migration_steps;

/* The handle's SQLite connection (owned by the handle: do not close it). */
sqlite3 *cartel__db_sqlite(struct cartel_db *db);

/* The file's path as given to cartel_db_open. */
const char *cartel__db_path(struct cartel_db *db);

/*
 * Maps an SQLite result code to an enum cartel_err and sets *why to
 * "doing: sqlite's message". Returns the cartel error.
 */
int cartel__db_err(struct cartel_db *db, int rc, const char *doing,
		   char **why);

/*
 * Starts a write transaction unless one is open; *own says whether this
 * call started it. cartel__db_write_end(db, own, err, why) commits when
 * own and err == 0, rolls back when own and err != 0, and returns the
 * final error (a failed commit turns 0 into an error).
 */
int cartel__db_write_begin(struct cartel_db *db, int *own, char **why);
int cartel__db_write_end(struct cartel_db *db, int own, int err,
			 char **why);

/*
 * For a bulk write outside any transaction: on = 1 switches the file to a
 * rollback journal when no other connection has it open, and returns 1
 * when it did (0 when it stays in WAL); on = 0 switches back to WAL. A
 * large transaction then writes its pages once, not to the WAL and again
 * at the checkpoint.
 */
int cartel__db_bulk(struct cartel_db *db, int on);

/* 1 while a write transaction is open on the handle. */
int cartel__db_in_write(struct cartel_db *db);

/*
 * A prepared statement cached on the handle under a small integer slot
 * (see enum in store.c), prepared on first use and reset before it is
 * handed out. Returns NULL and sets *why on failure.
 */
sqlite3_stmt *cartel__db_stmt(struct cartel_db *db, int slot,
			      const char *sql, char **why);

/* Rows written by one INSERT where many are written at once: a statement
 * of many rows keeps its cursors open between them, and writes a large
 * set of rows in about half the time of one statement per row. */
#define CARTEL__LEDGER_BATCH 64

/* Slots of cartel__db_stmt; modules outside the store proper use their
 * own statements instead. */
enum {
	CARTEL__ST_AUDIT_LAST,
	CARTEL__ST_AUDIT_INSERT,
	CARTEL__ST_HEAD_SET,
	CARTEL__ST_PERSON_INSERT,
	CARTEL__ST_EVENT_INSERT,
	CARTEL__ST_ATTR_SET,
	CARTEL__ST_ATTR_DEL,
	CARTEL__ST_PERSON_PK,
	CARTEL__ST_LEDGER_INSERT,
	CARTEL__ST_LEDGER_INSERT_N, /* CARTEL__LEDGER_BATCH rows at once */
	CARTEL__ST_LEDGER_MAX,
	CARTEL__ST_LEDGER_LATEST,
	CARTEL__ST_LEDGER_ENTRY,
	CARTEL__ST_DECL_PERSON_PUT,
	CARTEL__ST_DECL_PERSON_ADD,
	CARTEL__ST_DECL_PERSON_ADD_N, /* CARTEL__LEDGER_BATCH rows at once */
	CARTEL__ST_DECL_CHANGE_PUT,
	CARTEL__ST_INQUIRY_WATCH,
	CARTEL__ST_MERGE_OF, /* every person read looks for a merge */
	/* One person read and rewritten per event: an event list of
	 * 100,000 rows prepares them once. */
	CARTEL__ST_PERSON_GET,
	CARTEL__ST_PERSON_ATTRS,
	CARTEL__ST_PERSON_UPDATE,
	CARTEL__ST_LEDGER_ROW, /* one slot per covered table from here */
	CARTEL__ST_N = CARTEL__ST_LEDGER_ROW + 32
};

/* The current UTC time as "YYYY-MM-DDTHH:MM:SSZ" into buf (>= 21 bytes);
 * CARTEL_NOW in the environment overrides it (reproducible tests). */
const char *cartel__now(char *buf, size_t size);

/*
 * The audit chain's hashing (audit.c). Event rows are hashed into a
 * running state as they are written; cartel__audit_close then appends the
 * entry that covers them.
 */
/* struct cartel__event_row: import_rows.h. */

/* Feeds one event row into an entry's running hash *st: its seq, its
 * entry's seq and the digest of its content (cartel__event_digest). */
void cartel__event_hash(crypto_hash_sha256_state *st,
			const struct cartel__event_row *ev);


/* The BLAKE2b-256 digest of an event's content: everything but seq and
 * audit. */
void cartel__event_digest(const struct cartel__event_row *ev,
			  unsigned char out[CARTEL__DIGEST_BYTES]);

/* As cartel__event_hash, with the content's digest already made. */
void cartel__event_hash_digest(crypto_hash_sha256_state *st, long long seq,
			       long long audit,
			       const unsigned char digest[CARTEL__DIGEST_BYTES]);

/*
 * The seq the next audit entry will get (the events written before it
 * carry it in their `audit` column). Reads the chain's last entry.
 */
int cartel__audit_next(struct cartel_db *db, long long *seq, char **why);

/*
 * Appends the audit entry `seq` (as returned by cartel__audit_next) that
 * covers n_events event rows hashed into *events (NULL when none), with the
 * chain link to the previous entry, and moves the chain's head to it. Must
 * run inside a write transaction.
 */
int cartel__audit_close(struct cartel_db *db, long long seq,
			const char *actor, const char *action,
			const char *subject, const char *detail,
			long long n_events, crypto_hash_sha256_state *events,
			char **why);

/*
 * Writes one event row (and hashes it into *st). person_pk is the persons
 * table key, person_id its id (hashed). at is the time. digest, when not
 * NULL, is the row's content digest made beforehand (cartel__event_digest).
 * Returns the seq in *seq_out when not NULL.
 */
int cartel__event_insert(struct cartel_db *db, long long person_pk,
			 const char *person_id, const char *field,
			 const char *old_value, const char *new_value,
			 const struct cartel_provenance *prov, const char *at,
			 long long audit, crypto_hash_sha256_state *st,
			 const unsigned char *digest, long long *seq_out,
			 char **why);

/*
 * Writes a new person row (every field of *p) and its extra attributes,
 * and its "created" event; sets *pk. texts, when not NULL, holds the text
 * forms of *p's fields in cartel_fields() order, made beforehand (texts[0]
 * must be p->id). rec is *p's creation record
 * (register/record.h) when the caller has encoded it already, else NULL;
 * digest its creation event's content digest made with the same prov and
 * at (or NULL).
 * CARTEL_EEXIST when the id is taken (nothing written then).
 */
int cartel__person_insert(struct cartel_db *db, const struct cartel_person *p,
			  const char *const *texts, const char *rec,
			  const unsigned char *digest,
			  const struct cartel_provenance *prov, const char *at,
			  long long audit, crypto_hash_sha256_state *st,
			  long long *pk, char **why);

/* Reads one persons row from a statement whose columns are pk, then the
 * fields in cartel_fields() order, starting at column `col`. */
int cartel__person_from_row(sqlite3_stmt *st, int col,
			    struct cartel_person *p, char **why);

/* Applies a "created" event's record (register/record.h) to *p. */
int cartel__person_apply_created(struct cartel_person *p, const char *rec,
				 char **why);

/* A scratch buffer owned by the handle, for encoding records. */
struct cartel__buf *cartel__db_buf(struct cartel_db *db);

/* Applies one field event (field name, "attr:KEY", or a correction
 * "correct:SEQ:FIELD") to *p. */
int cartel__person_apply(struct cartel_person *p, const char *field,
			 const char *value, char **why);

/*
 * Corrections (correct.c, docs/data-model.md): an event whose field is
 * "correct:SEQ:FIELD" restores FIELD to the value event SEQ replaced.
 * cartel__event_base_field returns the field an event changes (FIELD for
 * a correction, the field itself otherwise; a pointer into `field`) and
 * sets *corrects (when not NULL) to SEQ, or 0 for any other event.
 */
#define CARTEL__CORRECT_PREFIX "correct:"
#define CARTEL__CORRECT_PREFIX_LEN 8
const char *cartel__event_base_field(const char *field, long long *corrects);

/* The persons table key of person id; CARTEL_ENOTFOUND when none. */
int cartel__person_pk(struct cartel_db *db, const char *id, long long *pk,
		      char **why);

/* Writes *p as person pk's stored state; when attr_key is not NULL, sets
 * (or with attr_value NULL or "" removes) that extra attribute first. Runs
 * inside the caller's write transaction. */
int cartel__person_store(struct cartel_db *db, long long pk,
			 const struct cartel_person *p, const char *attr_key,
			 const char *attr_value, char **why);


/* A value as stored: its bytes and their number (p NULL: SQL NULL). Values
 * are hashed with their byte length, never as C strings, so that a NUL
 * inside a value counts. */
struct cartel__val {
	const void *p;
	size_t n;
};

/* A column of a statement as a value (its real byte length). */
struct cartel__val cartel__col_val(sqlite3_stmt *st, int i);

/*
 * The row ledger (ledger.c): the tables that are neither persons nor
 * events, covered by the audit chain row by row. Each covered table has an
 * entry in a small registry (ledger.c, enum below); every write to one of
 * its rows calls cartel__ledger_touch with the row's key inside the write
 * transaction, and the next cartel_audit_append of that transaction writes
 * a ledger record (the row's key and the digest of its whole content, or a
 * deletion mark) into audit_rows and covers it by its hash. Commands that
 * act on a row check it first with cartel__ledger_check_row. How to cover a
 * new table: docs/data-model.md and the comment at the top of ledger.c.
 */
enum cartel__ledger_table {
	CARTEL__LT_KEY_PIN,     /* round_key_pin (seq) */
	CARTEL__LT_ROUND_DOC,   /* round_doc (round_id) */
	CARTEL__LT_ROUND_STAGE, /* round_stage (round_id, stage) */
	CARTEL__LT_HANDOVER,    /* round_handover (round_id, person_id) */
	CARTEL__LT_INQUIRY,     /* match_inquiry (id) */
	CARTEL__LT_CANDIDATE,   /* match_candidate (inquiry_id, person_id) */
	CARTEL__LT_RETENTION,   /* retention_rule (status) */
	CARTEL__LT_OWNER,       /* register_owner (id) */
	CARTEL__LT_DECL_MADE,   /* declaration_made (kind) */
	CARTEL__LT_DECL_RECEIVED, /* declaration_received (digest) */
	CARTEL__LT_DECL_PERSON, /* declared_person ("party:kind", their_id) */
	CARTEL__LT_DECL_CHANGE, /* declared_change (digest, their_id) */
	CARTEL__LT_INQUIRY_HISTORY, /* inquiry_history (seq) */
	CARTEL__LT_CALLBACK,        /* inquiry_callback (seq) */
	CARTEL__LT_MERGE,       /* person_merge (seq) */
	CARTEL__LT_LINK, /* identity_link ("party:their_id", "party:our_id") */
	CARTEL__LT_SHEET,       /* handover_sheet (digest, role) */
	CARTEL__LT_USER,        /* account_user (name) */
	CARTEL__LT_SESSION,     /* account_session (id_hash) */
	CARTEL__LT_ACCESS,      /* access_log (seq) */
	CARTEL__LT_CASE_CODE,   /* case_code (hash) */
	CARTEL__LT_TRANSFER,    /* transfer_log (seq) */
	CARTEL__LT_RECEIVED,    /* round_received (seq) */
	CARTEL__LT_POLICY,      /* plan_policy (name) */
	CARTEL__LT_N
};

/* The name of covered table t ("round_key_pin", ...). */
const char *cartel__ledger_name(int t);

/*
 * Records that the row of table t with key (k1, k2) was written or deleted
 * in the open write transaction (k2 "" or NULL for a one-column key; an
 * integer key as its decimal text). Reads the row as it stands now; the
 * record waits on the handle for the transaction's next audit entry made by
 * cartel_audit_append. Returns 0, or an error with *why; a record left
 * unclaimed makes the commit fail, and a rollback drops it.
 */
int cartel__ledger_touch(struct cartel_db *db, int t, const char *k1,
			 const char *k2, char **why);

/*
 * cartel__ledger_touch for a row just written whose every column holds the
 * text given (NULL: SQL NULL), in the order of the table's columns in the
 * ledger registry: the digest is made from those values instead of the
 * row read back, as `audit verify` makes it from the row (so a caller that
 * gives other values than it wrote is found by the next verification).
 * For a write of many rows in a row (a declaration received). Returns 0, or
 * an error with *why.
 */
int cartel__ledger_touch_text(struct cartel_db *db, int t, const char *k1,
			      const char *k2, const char *const *cols,
			      int n_cols, char **why);

/*
 * Checks that the row of table t with key (k1, k2), as it stands, is the
 * row the audit chain last recorded for that key, and that the ledger
 * record is the one its audit entry's hash covers. Returns 0, or
 * CARTEL_ETAMPER with *why naming the table and the key (never personal
 * data); a row that does not exist is CARTEL_ENOTFOUND.
 */
int cartel__ledger_check_row(struct cartel_db *db, int t, const char *k1,
			     const char *k2, char **why);

/* The ledger records waiting for an audit entry on a handle (db.c keeps
 * them; ledger.c fills and writes them). */
struct cartel__ledger_rec {
	int table;
	char *k1, *k2; /* one allocation: k1 owns it, k2 points into it */
	int deleted;
	unsigned char digest[CARTEL__DIGEST_BYTES];
};
struct cartel__ledger_pending {
	struct cartel__ledger_rec *v;
	size_t n, cap;
	/* The audit entries last found to hold by cartel__ledger_check_row,
	 * with their hashes (seq 0: none), and when each was last used: a
	 * listing checks many rows of one large entry between small ones. */
	struct {
		long long seq, used;
		char hash[64];
	} checked[8];
	long long n_checks;
};
struct cartel__ledger_pending *cartel__db_ledger(struct cartel_db *db);
void cartel__ledger_pending_clear(struct cartel__ledger_pending *p);

/*
 * Writes the pending ledger records into audit_rows for audit entry `seq`,
 * hashing each into *st (its seq, the entry's seq, table, key and digest);
 * sets *n. Empties the pending list.
 */
int cartel__ledger_claim(struct cartel_db *db, long long seq,
			 crypto_hash_sha256_state *st, long long *n,
			 char **why);

/* Feeds one ledger record, as stored, into an entry's running hash. */
void cartel__ledger_hash(crypto_hash_sha256_state *st, long long seq,
			 long long audit, struct cartel__val tbl,
			 struct cartel__val k1, struct cartel__val k2,
			 struct cartel__val digest);

/* For migration "0300-audit-rows": one audit entry recording the digest of
 * every row the covered tables already hold. */
int cartel__ledger_start(struct cartel_db *db, char **why);

/* For cartel_audit_verify: every covered table against its latest ledger
 * records (changed, added or deleted rows), streaming in key order; counts
 * the rows checked in *n_rows. */
int cartel__ledger_verify(struct cartel_db *db, long long *n_rows,
			  char **why);

/* One covered table against its latest ledger records, as
 * cartel__ledger_verify checks each: for a small table whose every row
 * decides an action (a row deleted behind the register's back is found
 * too, which cartel__ledger_check_row cannot see). The records themselves
 * are trusted here; `audit verify` checks them against the chain. */
int cartel__ledger_verify_table(struct cartel_db *db, int t, char **why);

/* An audit entry's content, as hashed by the chain (audit.c). */
struct cartel__entry {
	long long seq;
	struct cartel__val at, actor, action, subject, detail;
	long long n_events;
	struct cartel__val events_hash, prev;
	long long n_rows;
	struct cartel__val rows_hash; /* p NULL: an entry without ledger rows */
};

/* The entry's hash in hex: the SHA-256 of prev and the content, the row
 * ledger's count and hash included only when rows_hash is not NULL (so the
 * entries written before the ledger existed hash as they always did). */
void cartel__entry_hash(const struct cartel__entry *e, char out[65]);

/* BLAKE2b and SHA-256 encodings of one value: a 4-byte big-endian length
 * and the bytes; NULL as the length 0xFFFFFFFF. */
void cartel__enc_sha(crypto_hash_sha256_state *st, struct cartel__val v);
void cartel__enc_b2(crypto_generichash_state *st, struct cartel__val v);
/* The length as both encodings write it (4 bytes). */
void cartel__enc_len4(unsigned char out[4], struct cartel__val v);

/*
 * Redaction (retention.c): checks every event row a purge redacted against
 * the digest its purge entry recorded, and that every redaction mark
 * belongs to a purge. Called by cartel_audit_verify after the chain.
 * Returns 0 or CARTEL_ETAMPER with *why.
 */
int cartel__redaction_verify(struct cartel_db *db, char **why);

/*
 * Whether the register has room for the attribute names keys[0..n) (some
 * may be there already): the distinct names after adding them, with the
 * fields, stay within CARTEL_LIMIT_COLUMNS. Returns 0, CARTEL_ERANGE with
 * *why naming the limit,
 * or a database error.
 */
int cartel__attr_room(struct cartel_db *db, char *const *keys, size_t n,
		      char **why);

/*
 * Inquiries and the events on the persons they concern
 * (inquiry_store.c). cartel__event_insert calls cartel__inquiry_watch for
 * every event but a person's creation: one indexed look-up of the
 * inquiries (not closed) that have the person as a pending or confirmed
 * candidate, each kept on the handle as a call-back due. An event on the
 * extra attribute "inquiry" (a confirmation) concerns only the inquiry
 * named by its source_ref. cartel__audit_close then writes them
 * (cartel__inquiry_flush: the call-back rows, history lines and their own
 * audit entry, after the event's). A rollback drops them.
 */
struct cartel__inquiry_due {
	struct cartel__due_rec {
		char *inquiry_id, *person_id;
		long long event_seq;
	} *v;
	size_t n, cap;
};
struct cartel__inquiry_due *cartel__db_due(struct cartel_db *db);
void cartel__inquiry_due_clear(struct cartel__inquiry_due *d);
int cartel__inquiry_watch(struct cartel_db *db, const char *person_id,
			  const char *field, const char *source_ref,
			  long long event_seq, char **why);
int cartel__inquiry_flush(struct cartel_db *db, const char *actor,
			  char **why);

/*
 * Appends a line to inquiry id's history (at: NULL for now) and records
 * it in the row ledger; inside the caller's write transaction, before its
 * audit entry. Returns 0 or a database error.
 */
int cartel__inquiry_history(struct cartel_db *db, const char *id,
			    const char *at, const char *actor,
			    const char *what, const char *person_id,
			    const char *detail, char **why);

/*
 * Sets inquiry id's state (and its older status column: resolved for
 * confirmed and closed) and records the row in the ledger. Returns 0 or a
 * database error.
 */
int cartel__inquiry_set_state(struct cartel_db *db, const char *id,
			      const char *state, char **why);


/*
 * Merged records (merge_store.c). cartel__person_resolve sets *keep to the
 * malloc'd id of the record that `id` was merged into, or NULL when `id` is
 * not merged (the merge row is checked against the row ledger first:
 * CARTEL_ETAMPER when it does not hold). cartel__event_is_note says whether
 * an event field only records something (a merge, its undoing, a
 * conflicting value) and changes no field of the person.
 */
int cartel__person_resolve(struct cartel_db *db, const char *id, char **keep,
			   char **why);
int cartel__event_is_note(const char *field);

/* The SQL condition that leaves out records merged into another, for
 * queries over persons aliased p (or unaliased, with PERSON_ID "id"). */
#define CARTEL__NOT_MERGED(PERSON_ID)                                          \
	PERSON_ID " NOT IN (SELECT other_id FROM person_merge "                \
		  "WHERE unmerged_at IS NULL)"

/*
 * Prepares q on db's connection into *st (a statement the caller
 * finalizes). Returns 0, or the database error with *why saying what was
 * being done (`doing`); *st is NULL then.
 */
int cartel__db_prep(struct cartel_db *db, const char *q, sqlite3_stmt **st,
		    const char *doing, char **why);

/*
 * As cartel__db_prep, for a statement run many times by one command: q
 * must be a string literal (it is cached by its address). The statement
 * is lent to the caller, who gives it back with cartel__db_done (never
 * sqlite3_finalize); a statement already lent (a nested call) is prepared
 * afresh, and cartel__db_done finalizes that one.
 */
#define CARTEL__DB_CACHE_N 48
int cartel__db_prep_cached(struct cartel_db *db, const char *q,
			   sqlite3_stmt **st, const char *doing, char **why);
void cartel__db_done(struct cartel_db *db, sqlite3_stmt *st);

/* The register's owner as read and checked against the audit chain once
 * per handle: a rollback, the owner being set, or another connection's
 * commit forgets it. */
struct cartel__owner_cache {
	int valid;
	long long data_version; /* PRAGMA data_version when read */
	struct cartel_owner o;
};
struct cartel__owner_cache *cartel__db_owner(struct cartel_db *db);

/* Column i of the current row as a malloc'd copy, or NULL when the value
 * is NULL (or memory ran out). */
char *cartel__col_dup(sqlite3_stmt *st, int i);

/* Binds s to parameter i, or NULL when s is NULL or empty. */
void cartel__bind_text_or_null(sqlite3_stmt *st, int i, const char *s);

#endif
