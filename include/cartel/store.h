/*
 * The register's storage: one SQLite file holding the persons, the events
 * that made them what they are, and the hash-chained audit log.
 *
 * Events are the truth. Every change to a person is an appended event row
 * (person, field, old value, new value, actor, time, source, the source's
 * reliability, note); the table of current state is derived from them and
 * kept up to date in the same transaction, for speed. Every write also
 * appends an audit entry that holds the SHA-256 of the previous entry and of
 * the event rows it covers, so that a row changed, inserted or deleted
 * behind cartel's back is found by cartel_audit_verify().
 *
 * Threads: one struct cartel_db per thread (one SQLite connection each);
 * never share one handle between threads. The file is in WAL mode, so many
 * readers go on while one writer writes; writers take the write lock at the
 * start of their transaction (BEGIN IMMEDIATE) and wait up to a busy timeout
 * instead of failing at once.
 *
 * Conventions (those of <cartel/error.h>): functions return 0 or a negative
 * enum cartel_err; `why`, when not NULL, receives a malloc'd message on
 * failure that the caller frees. Messages name ids, fields, rows and
 * reasons, never a captive's name.
 */
#ifndef CARTEL_STORE_H
#define CARTEL_STORE_H

#include <stddef.h>
#include <stdio.h>

#include "person.h"
#include "progress.h"

#ifdef __cplusplus
extern "C" {
#endif

struct cartel_db;

/* cartel_db_open flags. */
#define CARTEL_DB_CREATE 0x1u   /* create the file when it does not exist */
#define CARTEL_DB_READONLY 0x2u /* never write; writes fail EREADONLY */

/* How long a writer waits for the write lock before CARTEL_EBUSY. */
#define CARTEL_DB_BUSY_MS 10000

/*
 * Opens the register at `path` and sets *out. Without CARTEL_DB_CREATE a
 * missing file is CARTEL_ENOTFOUND ("run 'cartel init'"). A writable open
 * applies every forward migration this build knows and the file lacks, each
 * in its own transaction; a file made by a newer build (more migrations than
 * this build knows) is refused with CARTEL_EVERSION, and a read-only open of
 * an older file is refused with CARTEL_ESTATE (it cannot be upgraded). A
 * read-only open first rolls back a journal left by a writer that died in
 * a bulk import, when the file may be written. Turns on WAL, foreign
 * keys and the busy timeout, and synchronous = FULL: a write reported
 * done has been flushed to the disk (docs/durability.md). On failure *out
 * is NULL.
 * The environment variable CARTEL_DB_MAX_PAGES, when set, caps the file at
 * that many pages (a write past the cap fails CARTEL_EFULL, as on a full
 * disk).
 */
int cartel_db_open(struct cartel_db **out, const char *path, unsigned flags,
		   char **why);

/* Closes the handle, rolling back an open transaction. NULL is allowed. */
void cartel_db_close(struct cartel_db *db);

/* The number of schema migrations applied to the open file. */
int cartel_db_schema_version(struct cartel_db *db);

/* The number of schema migrations this build knows. */
int cartel_db_schema_latest(void);

/*
 * One write transaction that groups several writes. Every function below
 * that writes starts (and commits) its own transaction unless one is open
 * on the handle, in which case it joins it; so a caller may write
 * begin, several writes, commit, and have them succeed or fail together.
 * begin takes the write lock at once (BEGIN IMMEDIATE) and waits up to
 * CARTEL_DB_BUSY_MS for it (CARTEL_EBUSY past that). Nested begin calls are
 * counted; only the outermost commit commits. After a failed write inside a
 * caller's transaction, the caller must roll back. rollback undoes the whole
 * transaction (all nesting levels) and never fails.
 */
int cartel_db_begin(struct cartel_db *db, char **why);
int cartel_db_commit(struct cartel_db *db, char **why);
void cartel_db_rollback(struct cartel_db *db);

/*
 * Loads the current state of every person, ordered by id, into a new array
 * *out of *n persons (extra attributes included). A record merged into
 * another (<cartel/merge.h>) is left out: one man, one entry. The caller frees it with
 * cartel_persons_free. On failure *out is NULL and *n 0.
 */
int cartel_db_persons(struct cartel_db *db, struct cartel_person **out,
		      size_t *n, char **why);

/* Frees an array from cartel_db_persons (each person and the array). */
void cartel_persons_free(struct cartel_person *p, size_t n);

/*
 * Calls fn(ctx, p) for every person (records merged into another left out),
 * ordered by id, without loading the register into memory (p, extra attributes included, is valid during the
 * call only). A non-zero return from fn stops the walk and is returned.
 */
int cartel_db_persons_each(struct cartel_db *db,
			   int (*fn)(void *ctx, const struct cartel_person *p),
			   void *ctx, char **why);

/*
 * The names of all extra attributes in the register, in byte order (the
 * order a person keeps them in, so that an export's columns are the same
 * after it is imported back), as a new array *keys of *n malloc'd strings (free each
 * and the array).
 */
int cartel_db_attr_keys(struct cartel_db *db, char ***keys, size_t *n,
			char **why);

/*
 * Loads the current state of person `id` into *out (which the caller clears
 * with cartel_person_clear). CARTEL_ENOTFOUND when there is none. An id
 * merged into another record is an alias of it: *out is that record (its
 * out->id differs from `id`); CARTEL_ETAMPER when the merge record does not
 * hold against the audit's row ledger.
 */
int cartel_person_get(struct cartel_db *db, const char *id,
		      struct cartel_person *out, char **why);

/* Where a change comes from: who made it and on what authority. */
struct cartel_provenance {
	const char *actor;  /* who records it (user, bureau); required */
	enum cartel_source source; /* the kind of source, i.e. its reliability */
	const char *source_ref;    /* which document: list name, card no.;
				    * may be NULL */
	const char *note;          /* free text; may be NULL */
	const char *at; /* ISO 8601 UTC time of the record; NULL = now */
};

/*
 * Whether code is a party this register knows (docs/limits.md). A register
 * without a list of parties (none added with cartel_party_add) takes any
 * well-formed code. One with a list knows its owner's code, the parties
 * whose keys are pinned, the parties added, and the codes its persons are
 * already held by or depend on. Returns 0 when code is known; CARTEL_EINVAL
 * (with *why saying the rule, never quoting the code) when it is not a
 * code (cartel_party_check) or not known; or an error of the database.
 * Import, person add, event add and a plan's policy apply it.
 */
int cartel_party_known(struct cartel_db *db, const char *code, char **why);

/*
 * Adds code to the register's list of parties: one audit entry
 * "party.add" with the code as its subject, so that the audit chain
 * covers it. The first party added gives the register its list, and from
 * then on codes are checked against it (cartel_party_known). Adding a
 * party added before changes nothing (*added, when not NULL, says which).
 * Returns 0, CARTEL_EINVAL for a code that is not one or no actor, or an
 * error of the database.
 */
int cartel_party_add(struct cartel_db *db, const char *code, const char *actor,
		     int *added, char **why);

/*
 * Adds a new person with the fields of *p, as one "created" event that
 * carries every known field, with its audit entry. p->id may be NULL or
 * empty: the register then assigns one. p->status, p->source are taken as
 * given (p->source is replaced by prov->source). The person is validated as
 * an import row is (cartel_person_check), its held_by and depends_on
 * against the parties the register knows (cartel_party_known). On success, when out_id is not
 * NULL, *out_id is the malloc'd id. CARTEL_EEXIST when the id is taken.
 */
int cartel_person_add(struct cartel_db *db, const struct cartel_person *p,
		      const struct cartel_provenance *prov, char **out_id,
		      char **why);

/*
 * One change to one field of one person. `field` is a column name of the
 * import CSV or one of the further fields of docs/data-model.md
 * ("status", "health", "consent_by", ...), or "attr:KEY" for an extra
 * attribute. Values are in their text form (the CSV's); "" clears a field.
 * When read back (cartel_person_events), every string is set by the store
 * and field "*" marks the event that created the person, whose new_value is
 * the whole first record of the person (docs/data-model.md).
 */
struct cartel_event {
	long long seq;         /* order in the register; set by the store */
	const char *person_id;
	const char *field;
	const char *old_value; /* ignored on add: the store fills it in */
	const char *new_value;
	struct cartel_provenance prov;
};

/*
 * For an event read back by cartel_person_events: when it is a correction
 * (cartel_event_correct; its field reads "correct:SEQ:FIELD"), returns SEQ,
 * the event it corrects, and sets *field (when not NULL) to FIELD, the
 * field it restores (a pointer into ev->field). Otherwise returns 0 and
 * sets *field to ev->field.
 */
long long cartel_event_corrects(const struct cartel_event *ev,
				const char **field);

/* The seq of the correction of event `seq` among ev[0..n), or 0 when it
 * has none there. */
long long cartel_event_corrected_by(const struct cartel_event *ev, size_t n,
				    long long seq);

/*
 * Appends one change and updates the current state, in one transaction with
 * its audit entry. The value is checked for its field's shape (a date, one
 * of an enum's values); a status change must be allowed by
 * cartel_status_can_move (CARTEL_ESTATE otherwise); an id cannot change.
 * CARTEL_ENOTFOUND for an unknown person, CARTEL_EINVAL for an unknown field
 * or a bad value. An event on an id merged into another record is recorded
 * on that record. A change to the value already held is accepted and
 * recorded (a second source confirming a claim is worth keeping).
 */
int cartel_event_add(struct cartel_db *db, const struct cartel_event *ev,
		     char **why);

/* cartel_event_add that also sets *seq (when not NULL) to the new event's
 * number, the one 'person show' prints and 'event correct' takes. */
int cartel_event_record(struct cartel_db *db, const struct cartel_event *ev,
			long long *seq, char **why);

/*
 * Records that event `seq` was made in error and restores the value it
 * replaced, as a new event (a correction) with its own audit entry; the
 * wrong event stays in the history, and cartel_person_events marks it
 * corrected. `reason` is required (kept as the correction's note, with
 * prov->note ignored); prov->actor is required. The lifecycle is not
 * applied to the restored value (a man reported dead and found alive goes
 * back to the status he had), but the person must still pass
 * cartel_person_check.
 *
 * Only the newest word on a field can be corrected: refused with
 * CARTEL_ESTATE, naming the later event, when a later event that has not
 * itself been corrected changed the same field of the same person (correct
 * that one first, or record the right value with cartel_event_add).
 * Refused with CARTEL_ENOTFOUND for an unknown seq, CARTEL_EINVAL for the
 * event that created a person and for a correction (which is not itself
 * corrected: record the right value instead), CARTEL_EEXIST for an event
 * already corrected (naming the correction), CARTEL_ESTATE for an event
 * whose values a retention purge erased. Nothing is written on failure.
 * Sets *out_seq (when not NULL) to the correction's seq.
 */
int cartel_event_correct(struct cartel_db *db, long long seq,
			 const char *reason,
			 const struct cartel_provenance *prov,
			 long long *out_seq, char **why);

/*
 * Loads every event about person `id`, oldest first, into a new array *out
 * of *n events; free with cartel_events_free. `id` names a record as
 * stored: the events of a record merged into another are its own (no alias
 * is followed), and the merge's records are note events (docs/data-model.md). CARTEL_ENOTFOUND when there
 * is no such person.
 */
int cartel_person_events(struct cartel_db *db, const char *id,
			 struct cartel_event **out, size_t *n, char **why);

void cartel_events_free(struct cartel_event *ev, size_t n);

/*
 * Calls fn(ctx, ev, recorded) for every event of every person (records
 * merged into another left out), ordered by person id, then oldest first.
 * `recorded` is the UTC time (YYYY-MM-DDTHH:MM:SSZ) the register recorded
 * the event: its audit entry's time, never earlier than any entry before
 * it, so that it only grows along the register's history (an incremental
 * export's "since"). ev and its strings are valid during the call only. A
 * non-zero return from fn stops the walk and is returned.
 */
int cartel_db_events_each(struct cartel_db *db,
			  int (*fn)(void *ctx, const struct cartel_event *ev,
				    const char *recorded),
			  void *ctx, char **why);

/*
 * Appends an entry to the hash-chained audit log: who did what to which
 * subject, with free-text detail (no names of captives). Joins the open
 * transaction, or runs in its own. Modules that keep their own tables call
 * this for every change they make. Returns 0 or an error.
 */
int cartel_audit_append(struct cartel_db *db, const char *actor,
			const char *action, const char *subject,
			const char *detail, char **why);

/* What cartel_audit_verify found. */
struct cartel_audit_report {
	long long n_entries; /* audit entries checked */
	long long n_events;  /* event rows checked against their entries */
	long long n_persons; /* persons rebuilt from events and compared */
	long long n_rows;    /* rows of the other covered tables (keys,
			      * rounds, check-offs, inquiries, ...) checked
			      * against the row ledger */
	long long bad_entry; /* seq of the first entry that does not hold,
			      * or 0 */
	char head[65];       /* hex SHA-256 of the last entry ("" if none) */
};

/*
 * Walks the audit chain from the first entry: each entry's hash must be the
 * SHA-256 of the previous entry's hash and its own content; the sequence
 * numbers must run without a gap; each entry's hash over the event rows it
 * covers must match those rows; every event must be covered by an entry;
 * the chain's head (kept in its own row, updated with every entry) must be
 * the last entry; and the current state rebuilt from the events must equal
 * the stored current state, each value in its one canonical spelling.
 * Values are compared and hashed with their byte length, so a NUL inside
 * one counts. The other tables that decide what cartel shows or does (pinned
 * keys, round documents, stages, check-offs, inquiries, potential matches)
 * are covered row by row by the row ledger: each current row must be the
 * one its latest ledger record names, and each recorded row must still
 * exist. Fills *rep and returns 0 when all holds, or CARTEL_ETAMPER with
 * *why naming the first entry, person or table row that does not hold. When expect_head is not NULL it must equal the final head hash
 * (compare with a head noted earlier, outside the file).
 */
int cartel_audit_verify(struct cartel_db *db, const char *expect_head,
			struct cartel_audit_report *rep, char **why);

/* Import options (all may be left zero). */
struct cartel_import_opts {
	int all_or_nothing; /* one bad row aborts the file, nothing written */
	FILE *rejects;      /* CSV of row,column,reason for rejected rows */
	const char *actor;  /* recorded on every event; default "import" */
	/* Reliability of the rows when the file has no `source` column or the
	 * cell is empty; default CARTEL_SRC_OFFICIAL_LIST. */
	enum cartel_source source;
	int source_set;     /* 1 when `source` above was given */
	size_t max_field;   /* per-field byte limit; 0 = CARTEL_CSV_MAX_FIELD */
	/* Told of the rows read so far by cartel_import_csv (also with
	 * update) and cartel_event_import_csv (<cartel/progress.h>; unit
	 * "rows", the total counted from the file's lines when `in` is a
	 * regular file, else 0), with progress_user. NULL: nothing is
	 * told. */
	cartel_progress_fn progress;
	void *progress_user;
	/*
	 * 0 (the default): when no other connection has the file open, the
	 * import runs with a rollback journal instead of the WAL, which
	 * writes a large import once instead of twice (WAL mode is restored
	 * at the end); a connection that opens the file meanwhile waits.
	 * 1: stay in WAL mode throughout, for callers that share the file
	 * with readers (a server).
	 */
	int shared;
	/* The field separator: 0 (the default) chooses comma, semicolon
	 * or tab from the header; else the byte itself (cartel_csv_set_
	 * delimiter). */
	int delimiter;
	/* The file's encoding (an ICU converter name such as windows-1251
	 * or UTF-16); NULL = UTF-8, and a file that is not is refused,
	 * naming the encoding it looks like. */
	const char *encoding;
	/* 1: the file corrects persons already in the register (needs an id
	 * column): each changed cell becomes an event; empty cells and
	 * unchanged values change nothing. Unknown ids are rejected unless
	 * add_new is 1, which imports them as new persons. */
	int update;
	int add_new;
	/* The rows' numbers as the source names them, by CSV record
	 * (row_of[0] the header's): a workbook's sheet turned into CSV
	 * skips its empty rows, and a reject names the sheet's row. NULL:
	 * the CSV's own record numbers. */
	const size_t *row_of;
	size_t n_row_of;
	/* Asked of every valid row before it is written (NULL: every row
	 * may be): 0 writes it; non-zero rejects it, with *column (set it
	 * to a static column name) and *reason (malloc'd, freed by the
	 * import; NULL for a plain refusal) in the reject report. Called
	 * from the writing thread; not for an update. */
	int (*row_allowed)(void *ctx, const struct cartel_person *p,
			   const char **column, char **reason);
	void *row_allowed_ctx;
};

struct cartel_import_result {
	size_t rows_read;   /* data rows (the header not counted) */
	size_t imported;
	size_t rejected;
	char **unknown_columns; /* kept as extra attributes; reported once */
	size_t n_unknown;
	/* Of an update (opts->update): persons changed, rows that changed
	 * nothing, events recorded; `imported` counts the persons added. */
	size_t updated;
	size_t unchanged;
	size_t events;
};

/* Frees what a result holds and zeroes it. */
void cartel_import_result_clear(struct cartel_import_result *res);

/*
 * Imports the CSV of docs/import.md from `in` (`name` is what messages call
 * it) in one transaction: each valid row becomes a person with its
 * "created" event; audit entries are appended per batch of rows, each with
 * the hash of its rows. Rows that fail validation (or whose id is taken,
 * in the file or the register) are rejected: written to opts->rejects as
 * "row,column,reason" and counted. With all_or_nothing, any rejected row
 * aborts the import (CARTEL_EINVAL, nothing written; the file is still
 * read to its end so that the reject file lists every bad row); otherwise
 * the valid rows are committed and 0 is returned even when rows were
 * rejected. When the caller has a transaction open, the import joins it
 * and on failure the caller must roll back.
 * A file without a header is CARTEL_EFORMAT. A failure of the database
 * (CARTEL_EFULL, CARTEL_EREADONLY, ...) rolls everything back. *res is
 * filled in either case (clear it with cartel_import_result_clear).
 * Streams the file: memory does not grow with the number of rows. A second
 * thread, started and joined inside the call, reads and checks rows while
 * the calling thread writes them; `in` is read from that thread only.
 */
int cartel_import_csv(struct cartel_db *db, FILE *in, const char *name,
		      const struct cartel_import_opts *opts,
		      struct cartel_import_result *res, char **why);

/*
 * Records a list of events (docs/import.md, "Event lists") from `in` in one
 * transaction: a header naming person_id (or id), field, value, and
 * optionally source, by (or actor), at, note and ref, in any order; one
 * event per row, checked by the rule of cartel_event_add (so a status
 * change must follow the lifecycle, an id never changes). opts->actor and
 * opts->source (with source_set) are the defaults for empty by and source
 * cells; opts->delimiter, encoding, rejects, all_or_nothing and shared
 * act as for cartel_import_csv, and the reject report is the same (row,
 * column, rule; never the cell). Audit entries cover batches of 1,000
 * events. Fills res->rows_read, res->events and res->rejected. Returns 0
 * (even when rows were rejected, unless all_or_nothing), CARTEL_EFORMAT
 * for a header that is not an event list, or a database error (nothing
 * written).
 */
int cartel_event_import_csv(struct cartel_db *db, FILE *in, const char *name,
			    const struct cartel_import_opts *opts,
			    struct cartel_import_result *res, char **why);

/*
 * Writes every person as the import CSV (the known columns in the order of
 * docs/import.md, then one column per extra attribute), so that the output
 * imports back unchanged. Returns 0, CARTEL_EIO or a database error.
 */
int cartel_export_csv(struct cartel_db *db, FILE *out, char **why);

/* Writes every person as a JSON array of objects (fields in their text
 * forms, extra attributes under "extra"). */
int cartel_export_json(struct cartel_db *db, FILE *out, char **why);

/* How cartel_export_csv_opts writes. */
struct cartel_export_opts {
	/* For a spreadsheet: a cell beginning with =, +, -, @, a tab or a
	 * carriage return gets a leading apostrophe, so that a spreadsheet
	 * shows it as text and never runs it as a formula. The file then no
	 * longer imports back byte for byte (docs/transfers.md). */
	int for_spreadsheet;
};

/* As cartel_export_csv, with opts (NULL: the defaults), setting
 * *n_persons (when not NULL) to the persons written. */
int cartel_export_csv_opts(struct cartel_db *db, FILE *out,
			   const struct cartel_export_opts *opts,
			   long long *n_persons, char **why);

/* As cartel_export_json, setting *n_persons (when not NULL). */
int cartel_export_json_n(struct cartel_db *db, FILE *out,
			 long long *n_persons, char **why);

/* Time-held buckets of struct cartel_stats_party. */
enum cartel_held_bucket {
	CARTEL_HELD_LT3M = 0, /* under 3 months */
	CARTEL_HELD_3_6M,
	CARTEL_HELD_6_12M,
	CARTEL_HELD_12_24M,
	CARTEL_HELD_GT24M, /* 24 months or more */
	CARTEL_HELD_UNKNOWN,
	CARTEL_HELD_N
};

/*
 * Aggregates for one detaining party. "Held" means status confirmed
 * captive, proposed or agreed; the breakdowns by category, health, time
 * held, direct repatriation, consent and legal hold count the held only;
 * by_status counts everyone recorded under this party.
 */
struct cartel_stats_party {
	char party[16]; /* held_by code, or "" when unknown or not a code */
	long held;
	long by_category[CARTEL_CAT_CHAPLAIN + 1];
	long by_health[CARTEL_HEALTH_SERIOUSLY_WOUNDED + 1];
	long by_held[CARTEL_HELD_N];
	long await_direct;      /* Art. 110 determination yes, still held */
	long consent_not_asked; /* held, consent never asked */
	long consent_undecided; /* held, asked, no answer yet */
	long by_hold[CARTEL_HOLD_CONVICTED + 1];
	long by_status[CARTEL_STATUS_DECEASED + 1];
};

/* What a mediator reads first: aggregates only, never a name (Art. 13). */
struct cartel_stats {
	long persons;  /* every person (records merged into another not
			* counted again) */
	struct cartel_date today; /* the date time held is measured to */
	struct cartel_stats_party *parties; /* by party code, "" last */
	size_t n_parties;
};

/* Computes *st over the whole register; free with cartel_stats_clear. Time
 * held runs from held_since, or captured_on when that is unknown, to
 * cartel_date_today(). */
int cartel_stats_get(struct cartel_db *db, struct cartel_stats *st,
		     char **why);

void cartel_stats_clear(struct cartel_stats *st);

/*
 * 1 when a count is not published as it is among public figures: 1 to 4,
 * said "fewer than 5" instead (GC III Art. 13: a small count can point at
 * a person; 0 is no one, and points at no one). Always 0 when
 * public_figures is 0. The one rule for `stats --public`, the charts and
 * the server's public statistics.
 */
int cartel_stats_suppressed(long n, int public_figures);

/*
 * Rebuilds the current-state table from the events alone (inside one write
 * transaction, with an audit entry "rebuild"). For repair after a crash of
 * something other than SQLite, and for tests that the derived state is
 * what the events say.
 */
int cartel_db_rebuild_state(struct cartel_db *db, const char *actor,
			    char **why);

#ifdef __cplusplus
}
#endif
#endif
