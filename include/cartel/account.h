/*
 * Accounts, sessions, access rules and the families' case codes: who may
 * sign in to `cartel serve`, for how long, and who may do what
 * (docs/api.md). The server only carries requests to these calls; every
 * rule is here, so that any other front end obeys the same ones.
 *
 * Roles: admin (accounts, the access log, audit verification,
 * statistics); registrar of a party (reads the persons the party holds
 * or that depend on it; changes those it holds, and its own people
 * reported missing and held by no one); mediator (reads every person,
 * reviews potential matches, statistics, audit); hotline (searches and
 * reads persons, files inquiries, keeps the call-back list; never changes
 * the register). Families have no account: a case code, given when an
 * inquiry is filed, shows that one case's family-safe status.
 *
 * Every authentication and access decision, and every read of a person's
 * record, is written to the access log (who, what, when, from where),
 * under the audit chain; no personal data goes into it (ids and actions
 * only).
 *
 * Conventions of <cartel/error.h>: 0 or a negative enum cartel_err;
 * CARTEL_EDENIED for "not signed in / not allowed", CARTEL_ELIMIT for too
 * many attempts, CARTEL_ECONFLICT for a stale version. JSON results are
 * new references (json_decref them).
 */
#ifndef CARTEL_ACCOUNT_H
#define CARTEL_ACCOUNT_H

#include <stddef.h>

#include <jansson.h>

#include <cartel/person.h>
#include <cartel/store.h>

#ifdef __cplusplus
extern "C" {
#endif

enum cartel_role {
	CARTEL_ROLE_ADMIN = 0,
	CARTEL_ROLE_REGISTRAR,
	CARTEL_ROLE_MEDIATOR,
	CARTEL_ROLE_HOTLINE,
};

/* "admin", "registrar", "mediator", "hotline". */
const char *cartel_role_name(enum cartel_role r);
/* Reads a role name; CARTEL_EINVAL (naming the roles) when unknown. */
int cartel_role_parse(const char *text, enum cartel_role *r, char **why);

#define CARTEL_PASSWORD_MIN 12     /* characters (UTF-8 code points) */
#define CARTEL_PASSWORD_MAX 1024   /* bytes */
#define CARTEL_USER_NAME_MAX 64    /* bytes */
#define CARTEL_SESSION_IDLE_S 1800 /* 30 minutes without a request */
#define CARTEL_LOGIN_FAILURES 5    /* failures in a row that lock ... */
#define CARTEL_LOGIN_LOCK_S 900    /* ... the account for 15 minutes */

struct cartel_user {
	char *name;
	enum cartel_role role;
	char *party; /* registrar's party code; NULL for the other roles */
	int disabled;
	char *created_at, *created_by;
	long long locked_until; /* Unix seconds; 0 when not locked */
};

void cartel_user_clear(struct cartel_user *u);
void cartel_users_free(struct cartel_user *v, size_t n);

/* {"name", "role", "party", "disabled", "created_at", "created_by"}. */
json_t *cartel_user_json(const struct cartel_user *u);

/*
 * Checks a password: valid UTF-8, CARTEL_PASSWORD_MIN characters or more,
 * at most CARTEL_PASSWORD_MAX bytes, no NUL. Returns 0 or CARTEL_EINVAL
 * with *why saying the rule.
 */
int cartel_password_check(const char *pw, size_t len, char **why);

/*
 * Adds user `name` (1 to CARTEL_USER_NAME_MAX bytes of a-z, 0-9, '.',
 * '_', '-') with role and party (required for a registrar, refused for
 * the others), password hashed with argon2id. Audited as by actor.
 * Returns 0, CARTEL_EINVAL, CARTEL_EEXIST or a database error.
 */
int cartel_user_add(struct cartel_db *db, const char *name,
		    enum cartel_role role, const char *party, const char *pw,
		    size_t pw_len, const char *actor, char **why);

/* Every user, by name (free with cartel_users_free). */
int cartel_user_list(struct cartel_db *db, struct cartel_user **out,
		     size_t *n, char **why);

/* Disables user `name` and ends every session of it; audited. */
int cartel_user_disable(struct cartel_db *db, const char *name,
			const char *actor, char **why);

/* Sets a new password (checked as cartel_password_check), lifts a lock,
 * ends the user's sessions; audited. */
int cartel_user_password(struct cartel_db *db, const char *name,
			 const char *pw, size_t pw_len, const char *actor,
			 char **why);

/* A signed-in session: its id (the cookie's value, shown only to its
 * holder), its CSRF token and its user. */
struct cartel_session {
	char id[48];
	char csrf[48];
	struct cartel_user user;
};

void cartel_session_clear(struct cartel_session *s);

/*
 * Signs in: checks the password (argon2id), makes a new session with a
 * new random id and CSRF token (32 bytes each from the system's random
 * source) into *out. `from` is the client's address (for the access
 * log), `now` Unix seconds. CARTEL_EDENIED for an unknown user, a wrong
 * password or a disabled account (the message does not say which);
 * CARTEL_ELIMIT while the account is locked after CARTEL_LOGIN_FAILURES
 * failures in a row. Every outcome is logged.
 */
int cartel_login(struct cartel_db *db, const char *name, const char *pw,
		 size_t pw_len, const char *from, long long now,
		 struct cartel_session *out, char **why);

/*
 * The session whose cookie value is `id`, into *out: CARTEL_EDENIED when
 * there is none, it has been idle more than idle_s seconds (it is then
 * ended), or its user is disabled. Keeps it alive (its last-seen time is
 * written at most once a minute).
 */
int cartel_session_get(struct cartel_db *db, const char *id, long long now,
		       long long idle_s, const char *from,
		       struct cartel_session *out, char **why);

/* 0 when token is the session's CSRF token (compared in constant time),
 * else CARTEL_EDENIED. */
int cartel_session_csrf(const struct cartel_session *s, const char *token);

/* Ends the session (logged). */
int cartel_logout(struct cartel_db *db, const struct cartel_session *s,
		  const char *from, char **why);

/* What a request asks to do. */
enum cartel_action {
	CARTEL_DO_SEARCH,
	CARTEL_DO_PERSON_READ,
	CARTEL_DO_PERSON_CHANGE,
	CARTEL_DO_INQUIRY_FILE,
	CARTEL_DO_INQUIRY_READ,
	CARTEL_DO_CALLBACKS,
	CARTEL_DO_CALLBACK_DONE,
	CARTEL_DO_REVIEW_READ,
	CARTEL_DO_REVIEW_DECIDE,
	CARTEL_DO_STATS,
	CARTEL_DO_ACCESS_LOG,
	CARTEL_DO_AUDIT_VERIFY,
	CARTEL_DO_ROUND_READ,
	CARTEL_DO_HANDOVER_CHECK,   /* handed over, refused, absent */
	CARTEL_DO_ROUND_PLAN,       /* plan a round; the stored policies */
	CARTEL_DO_ROUND_RECEIVE,    /* store a document or a policy */
	CARTEL_DO_HANDOVER_RECEIVE, /* check a man off as received */
	CARTEL_DO_MERGE,            /* see duplicates, merge, undo a merge */
	CARTEL_DO_IMPORT,           /* import a list of persons */
	CARTEL_DO_INQUIRY_CLOSE,    /* close an inquiry with a reason */
	CARTEL_DO_PFIF_EXPORT,      /* the PFIF feed of what may be published */
	CARTEL_DO_PFIF_PROTECTED,   /* ... with captives, health, legal hold
				     * or notes in it */
	CARTEL_DO_N
};

/* "search", "person.read", ... (the access log's words). */
const char *cartel_action_name(enum cartel_action a);

/*
 * The rule: may user u do a, on person p when a concerns one (else p is
 * NULL)? Returns 0 or CARTEL_EDENIED with *why saying which rule refused
 * (never the person's data). Writes nothing.
 */
int cartel_may(const struct cartel_user *u, enum cartel_action a,
	       const struct cartel_person *p, char **why);

/*
 * cartel_may, then writes the decision to the access log (subject an id
 * or NULL) in its own transaction. Returns what cartel_may returned, or a
 * database error.
 */
int cartel_allow(struct cartel_db *db, const struct cartel_user *u,
		 enum cartel_action a, const char *subject, const char *from,
		 char **why);

/*
 * Writes one line to the access log: user (NULL: "family", role
 * "family"), action, subject (an id or NULL), allowed or not, from.
 * Joins an open transaction; else queues it when db is attached to a
 * batch (above); else runs in its own transaction with its audit entry.
 */
int cartel_access_log(struct cartel_db *db, const struct cartel_user *u,
		      const char *action, const char *subject, int allowed,
		      const char *from, char **why);

/*
 * The access log in batches, for a server answering many reads a second.
 * A read logged through a handle attached to a batch (cartel_access_batch_use)
 * does not write: its line (time, who, what, from where) goes to a queue in
 * memory, and a writer thread of the batch commits the queue every
 * flush_ms milliseconds, each line with its audit entry, in one transaction
 * on its own handle. A line logged while the handle is inside a write
 * transaction of its own (a change and its log) still joins that
 * transaction. A crash loses at most the lines queued since the last
 * commit (docs/api.md says why that is acceptable); a stop loses none.
 *
 * cartel_access_batch_start opens the writer's handle on db_path and
 * starts its thread; 0 or a negative cartel_err (*why says why).
 * When the queue holds CARTEL_ACCESS_QUEUE_MAX lines (the register held by
 * a long write elsewhere), a read waits for room, and after
 * CARTEL_ACCESS_WAIT_MS is refused with CARTEL_EBUSY: nothing is read that
 * cannot be logged.
 */
#define CARTEL_ACCESS_QUEUE_MAX 65536
#define CARTEL_ACCESS_WAIT_MS 5000
struct cartel_access_batch;
int cartel_access_batch_start(const char *db_path, int flush_ms,
			      struct cartel_access_batch **out, char **why);

/* Logs db's reads through b from now on (b NULL: each in its own
 * transaction again). b must outlive the attachment. */
void cartel_access_batch_use(struct cartel_db *db,
			     struct cartel_access_batch *b);

/* Returns once every line queued before the call is committed: 0, or the
 * writer's last error (the lines stay queued and are tried again). */
int cartel_access_batch_flush(struct cartel_access_batch *b, char **why);

/* Commits what is queued, stops the thread, closes its handle, frees b.
 * Returns 0, or the error that kept lines from being written (b is freed
 * all the same). NULL is a no-op. */
int cartel_access_batch_stop(struct cartel_access_batch *b, char **why);

/* The access log, newest first: {"items": [{"seq", "at", "user", "role",
 * "action", "subject", "decision", "address"}], "total", "offset",
 * "limit"}. */
int cartel_access_log_json(struct cartel_db *db, long long offset,
			   long long limit, json_t **out, char **why);

/*
 * A person's record for user u (cartel_person_record_json), after the
 * rule: the decision and the read are logged. CARTEL_EDENIED,
 * CARTEL_ENOTFOUND or an error.
 */
int cartel_account_person(struct cartel_db *db, const struct cartel_user *u,
			  const char *id, const char *from, json_t **out,
			  char **why);

/*
 * Records a change on person id for user u from a request body
 * {"type", "value", "source"?, "version"?, "ref"?, "note"?} (any other
 * key: CARTEL_EINVAL naming it; a wrong type: CARTEL_EINVAL). In one
 * write transaction: the person is read, the rule applied, the version
 * compared (a stale one: CARTEL_ECONFLICT, nothing written, *out the
 * current record), the event recorded and the access logged. On success
 * *out is {"seq", "person_id", "version"}.
 */
int cartel_account_event(struct cartel_db *db, const struct cartel_user *u,
			 const char *id, json_t *body, const char *from,
			 json_t **out, char **why);

/*
 * Adds a person for user u from a request body of import columns
 * ({"family_name": "...", "held_by": "UA", ...}; every value a string;
 * an unknown column: CARTEL_EINVAL naming it), checked as an import row
 * is. Without a status, a person held by a party is a confirmed captive.
 * The rule of a change applies to the new record (a registrar adds the
 * persons his party holds, and its own people reported missing). Logged.
 * *out is {"id", "version"}.
 */
int cartel_account_person_add(struct cartel_db *db,
			      const struct cartel_user *u, json_t *body,
			      const char *from, json_t **out, char **why);

/*
 * Searches for user u: q (a typed name, at most 1,000 bytes) and born (a
 * date or NULL) through the matching engine; the hits the user may not
 * read are left out, the others paged (offset, limit) and logged as
 * reads. *out is {"items": [hit...], "total", "offset", "limit",
 * "read_as"}.
 */
int cartel_account_search(struct cartel_db *db, const struct cartel_user *u,
			  const char *q, const char *born, long long offset,
			  long long limit, const char *from, json_t **out,
			  char **why);

/*
 * Files an inquiry for user u from a request body: the person sought in
 * the import columns' names (family_name, given_name, patronymic,
 * birth_date, birth_place, service_number, unit; at least one name), the
 * asker (requester, relation, contact), typed, last_seen_place,
 * last_seen_on. Any other key, a non-string value: CARTEL_EINVAL naming
 * it. Makes the family's case code. *out is {"id", "case_code",
 * "candidates"}.
 */
int cartel_account_inquiry(struct cartel_db *db, const struct cartel_user *u,
			   json_t *body, const char *from, json_t **out,
			   char **why);

/*
 * Checks person_id off in loaded round round_id for user u from a request
 * body {"outcome", "where"?} (cartel_handover_check: outcome handed_over,
 * received, refused or absent; where the exchange point). A mediator may
 * check anyone off; a registrar those his party holds or that depend on
 * it. Logged. *out is {"round_id", "person_id", "outcome", "already"}.
 */
int cartel_account_checkoff(struct cartel_db *db, const struct cartel_user *u,
			    const char *round_id, const char *person_id,
			    json_t *body, const char *from, json_t **out,
			    char **why);

/*
 * Rounds through the server (docs/api.md). Each checks the role first and
 * logs the decision; each computation, verification and comparison is
 * recorded in the audit chain as at the command line. Signing keys never
 * enter these: documents come in signed.
 */

/*
 * Plans a round for user u (a mediator) from a request body
 * {"policy": NAME} (a policy stored in the register) or {"policy_yaml":
 * TEXT} (one sent), from the register's persons and the parties' held
 * declarations, as `cartel plan` does. *out is cartel_plan_view's answer
 * (the plan document, the balance, every exclusion with its reason in the
 * calling thread's language) with "policy": {"name", "digest"}.
 * CARTEL_EINVAL or CARTEL_EFORMAT for a body or a policy that is wrong
 * (*why names the key), CARTEL_ENOTFOUND for no such stored policy.
 */
int cartel_account_plan(struct cartel_db *db, const struct cartel_user *u,
			json_t *body, const char *from, json_t **out,
			char **why);

/* Stores a named policy for user u (a mediator) from {"name", "yaml"},
 * once it parses as a policy; CARTEL_EEXIST when the name is taken. *out
 * is {"name", "digest"}. Audited ("policy.add"). */
int cartel_account_policy_add(struct cartel_db *db,
			      const struct cartel_user *u, json_t *body,
			      const char *from, json_t **out, char **why);

/* The stored policies for user u (a mediator): {"items": [{"name",
 * "digest", "added_at", "added_by"}], "total", "offset", "limit"}. */
int cartel_account_policies(struct cartel_db *db, const struct cartel_user *u,
			    long long offset, long long limit,
			    const char *from, json_t **out, char **why);

/*
 * Stores a list document a mediator received, from {"document": the
 * document as a JSON object or as its text}. It must read as a list
 * document (cartel_round_parse: CARTEL_EFORMAT naming the field); it is
 * kept as it came, signatures included, whether or not it verifies (its
 * verification is read with cartel_account_document). The same document
 * sent again is not stored twice. Audited ("round.receive"). *out is
 * {"seq", "round_id", "version", "kind", "digest", "already"}.
 */
int cartel_account_document_add(struct cartel_db *db,
				const struct cartel_user *u, json_t *body,
				const char *from, json_t **out, char **why);

/* The documents received, newest first, of round_id (NULL: every round):
 * {"items": [{"seq", "round_id", "version", "kind", "digest", "parties",
 * "signed_by", "received_at", "received_by"}], "total", "offset",
 * "limit"}. A registrar sees those of rounds his party is in. */
int cartel_account_documents(struct cartel_db *db, const struct cartel_user *u,
			     const char *round_id, long long offset,
			     long long limit, const char *from, json_t **out,
			     char **why);

/*
 * Received document `seq` (its number, as text) verified again now:
 * {"received": its line of the list, "document": the document,
 * "verification": cartel_round_check_json (signatures against the pinned
 * keys), "rules": {"ok", "breaches": cartel_round_rules_json}} (the rules
 * of docs/rounds.md checked against the register). Audited
 * ("round.verify"). A registrar reads those of rounds his party is in.
 */
int cartel_account_document(struct cartel_db *db, const struct cartel_user *u,
			    const char *seq, const char *from, json_t **out,
			    char **why);

/* Received documents a and b compared as `cartel round diff A B --json`
 * prints it, with "from" and "to": their lines of the list. Audited
 * ("round.diff"). */
int cartel_account_document_diff(struct cartel_db *db,
				 const struct cartel_user *u, const char *a,
				 const char *b, const char *from,
				 json_t **out, char **why);

/*
 * Duplicates and merging through the server (docs/api.md). A registrar
 * works on the records of persons his party holds (and its own people
 * reported missing and held by no one), as for a change; an admin on any.
 */

/*
 * The register's records that may be one man, for user u: every pair
 * cartel_match_dedupe_pairs scores at or above the review threshold
 * (records merged into another left out) whose two records u may merge,
 * paged (offset, limit): {"items": [{"a", "b", "cluster" (ids),
 * "probability", "weight_bits", "band", "evidence": [{"field", "a", "b",
 * "how", "bits"}], "records": {"a": person, "b": person}}], "total",
 * "offset", "limit"}. Each record shown is logged as a read. The pairs
 * come from cartel_register_dups_json (worked out once per change); the
 * records, and whether u may see them, are read at each call.
 */
int cartel_account_duplicates(struct cartel_db *db,
			      const struct cartel_user *u, long long offset,
			      long long limit, const char *from, json_t **out,
			      char **why);

/*
 * Merges for user u from a request body {"keep", "other", "reason"}
 * (cartel_person_merge, recorded by u). The rule applies to both records
 * (CARTEL_EDENIED naming it); the merge's own refusals (a record into
 * itself, into or from a merged record, a round not yet settled) are
 * cartel_person_merge's, with its words. *out is {"keep", "other",
 * "conflicts"}.
 */
int cartel_account_merge(struct cartel_db *db, const struct cartel_user *u,
			 json_t *body, const char *from, json_t **out,
			 char **why);

/*
 * Undoes the merge of record other_id for user u from {"reason"}
 * (cartel_person_unmerge); the rule applies to the record it was merged
 * into. *out is {"other", "keep"}.
 */
int cartel_account_unmerge(struct cartel_db *db, const struct cartel_user *u,
			   const char *other_id, json_t *body,
			   const char *from, json_t **out, char **why);

/*
 * Closes inquiry id for user u from {"reason"} (cartel_inquiry_close: any
 * text of 1 to CARTEL_LIMIT_FIELD bytes; its pending candidates close
 * with it). *out is the inquiry as it now stands (cartel_inquiry_json,
 * with its candidates and history).
 */
int cartel_account_inquiry_close(struct cartel_db *db,
				 const struct cartel_user *u, const char *id,
				 json_t *body, const char *from, json_t **out,
				 char **why);

/*
 * Imports through the server: a list is sent whole, then imported in the
 * background on its own handle of the register (cartel_import_csv, in WAL
 * mode so that readers carry on), while its progress is read. A job is
 * kept in this process's memory only, seen by the account that started
 * it; the last CARTEL_IMPORT_JOBS are kept, one runs at a time.
 */
#define CARTEL_IMPORT_JOBS 16

enum cartel_import_format {
	CARTEL_IMPORT_CSV = 0,
	CARTEL_IMPORT_XLSX,
};

/*
 * Starts importing data[0..len) (copied) into the register at db_path for
 * user u (a registrar: rows of persons his party may not change are
 * rejected, column held_by, with the rule's words). db is the caller's
 * handle, for the decision and its log. name is what the reject report
 * calls the file (NULL: "upload"). *out is the job as
 * cartel_account_import_status gives it. CARTEL_EDENIED; CARTEL_ECONFLICT
 * while another import runs; CARTEL_ENOMEM.
 */
int cartel_account_import_start(struct cartel_db *db, const char *db_path,
				const struct cartel_user *u,
				enum cartel_import_format format,
				const char *data, size_t len,
				const char *name, const char *from,
				json_t **out, char **why);

/*
 * Import job id as it stands, for the user who started it (another's:
 * CARTEL_ENOTFOUND): {"id", "state" ("running", "done" or "failed"),
 * "done", "total" (rows; total an estimate until the end), "seconds",
 * "rate" (rows a second), "result"? {"rows_read", "imported",
 * "rejected", "rejects": [{"row", "column", "reason"}] (at most 1,000;
 * never a cell's content), "unknown_columns"}, "error"? (why it failed,
 * nothing written)}.
 */
int cartel_account_import_status(const struct cartel_user *u, const char *id,
				 json_t **out, char **why);

/* Waits for the import running, if any, to end (a server stopping). */
void cartel_import_jobs_wait(void);
struct cartel_pfif_opts;   /* <cartel/pfif.h> */
struct cartel_pfif_counts; /* <cartel/pfif.h> */

/*
 * The PFIF 1.4 feed for user u (cartel_export_pfif, docs/pfif.md) as a
 * new malloc'd document *doc of *len bytes (the caller frees it), under
 * the rule of u's role: a hotline gets what may be published (never a
 * captive, never health, legal hold or notes: CARTEL_EDENIED when opts
 * asks for them); a registrar only the persons his party holds or that
 * depend on it (opts->party is set to his party whatever it was); a
 * mediator and an admin what the command line gives, captives only with
 * opts->include_captives. The decision is logged (action "pfif.export",
 * or "pfif.protected" when captives, health, legal hold or notes are
 * asked for) and the feed recorded in the transfer log (kind "pfif", by
 * u, to `to` (may be NULL), file "/api/pfif", the persons written, the
 * SHA-256 of the bytes): a feed whose record cannot be written is not
 * returned. With opts->probe (an HTTP HEAD) the feed is made but not
 * recorded: nothing of it leaves. Fills *counts when not NULL. Returns 0,
 * CARTEL_EDENIED, the errors of cartel_export_pfif (CARTEL_EINVAL for a
 * bad time, domain or `to`) or of cartel_transfer_record.
 */
int cartel_account_pfif(struct cartel_db *db, const struct cartel_user *u,
			const struct cartel_pfif_opts *opts, const char *to,
			const char *from, char **doc, size_t *len,
			struct cartel_pfif_counts *counts, char **why);

/* A case code: 100 bits, 20 characters of Crockford's base 32 in five
 * groups of four ("7K2M-Q9XD-..."), 24 characters and a NUL. */
#define CARTEL_CASE_CODE_SIZE 25

/*
 * Makes a new case code for inquiry_id from the system's random source
 * into code and stores only its hash, audited. Joins an open
 * transaction.
 */
int cartel_case_code_new(struct cartel_db *db, const char *inquiry_id,
			 char code[CARTEL_CASE_CODE_SIZE], char **why);

/*
 * The family-safe status of the case whose code is `code` (dashes,
 * spaces and case ignored; I, L read as 1 and O as 0): {"case", "status",
 * "since"?, "text", "warning"}. Never evidence, never another person.
 * CARTEL_ENOTFOUND for a code that is no case's. Logged either way.
 */
int cartel_case_status(struct cartel_db *db, const char *code,
		       const char *from, json_t **out, char **why);

/*
 * A limit on attempts per key (an address, an account) within a sliding
 * window, kept in memory and safe to share between threads.
 */
struct cartel_limiter;
/* max attempts per window_s seconds. NULL when out of memory. */
struct cartel_limiter *cartel_limiter_new(int max, long long window_s);
void cartel_limiter_free(struct cartel_limiter *l);
/* Counts one attempt for key at now; returns 1 when the key is over its
 * limit (this attempt included), else 0. */
int cartel_limiter_hit(struct cartel_limiter *l, const char *key,
		       long long now);
/* 1 when key is over its limit at now, without counting. */
int cartel_limiter_over(struct cartel_limiter *l, const char *key,
			long long now);

#ifdef __cplusplus
}
#endif
#endif
