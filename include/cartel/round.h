/*
 * Exchange rounds: signed list documents, the staged handover, and the
 * reconciliation of the other side's lists (docs/rounds.md).
 *
 * A round's list travels between the parties as a JSON document. Each
 * version (proposal, counter-proposal, agreed) carries the round id, its
 * version number, the digest of the version it replaces, each side's list
 * of persons with the identifying fields both parties need and their stage,
 * the direct-repatriation lists, the withheld list with reasons, a manifest
 * of per-field digests (so that a failed check can say which field no
 * longer holds), the SHA-256 digest of its canonical form (RFC 8785), and
 * one Ed25519 signature per party. Keys are pinned in the register per
 * party; a document verifies only when both signatures hold under the
 * pinned keys.
 *
 * An agreed, verified document is loaded into the register and run stage
 * by stage: each person is checked off once (handed over, received,
 * refused at the point of exchange, absent), each check-off in one
 * transaction with its status event and audit entry.
 *
 * Conventions (those of <cartel/error.h>): functions return 0 or a negative
 * enum cartel_err; `why`, when not NULL, receives a malloc'd message on
 * failure, which the caller frees. Messages name fields, ids and parties,
 * never a captive's name. Strings handed back are malloc'd and owned by the
 * structure that holds them; each structure has its own clear/free.
 */
#ifndef CARTEL_ROUND_H
#define CARTEL_ROUND_H

#include <stddef.h>
#include <stdio.h>

#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A party code ("UA", "RU"): 1 to 15 of A-Z, 0-9, '-', '_'. */
#define CARTEL_PARTY_MAX 16

/* "sha256:" and 64 hex digits, plus the NUL. */
#define CARTEL_DIGEST_LEN 72

/* 1 when s is a valid party code (cartel_party_check: 2 to 8 of A-Z and
 * 0-9). */
int cartel_party_valid(const char *s);

/*
 * Writes the RFC 8785 canonical form of the JSON text json[0..len) into a
 * new malloc'd NUL-terminated *out of *out_len bytes. Duplicate member
 * names are refused (RFC 8785 needs I-JSON); numbers are read as IEEE
 * doubles. Returns 0, CARTEL_EFORMAT (not JSON: *why gives line and
 * column) or CARTEL_ENOMEM.
 */
int cartel_jcs_canonicalize(const char *json, size_t len, char **out,
			    size_t *out_len, char **why);

/* ---- Keys ---------------------------------------------------------- */

struct cartel_key {
	char party[CARTEL_PARTY_MAX];
	unsigned char public_key[32]; /* Ed25519 */
	unsigned char secret_key[64]; /* libsodium's form; zero when absent */
	int has_secret;
};

/* Makes a new Ed25519 key pair for party. Returns 0 or CARTEL_EINVAL (a
 * bad party code). Wipe it with cartel_key_wipe when done. */
int cartel_key_generate(struct cartel_key *out, const char *party,
			char **why);

/*
 * Writes DIR/PARTY.key (the secret key, mode 0600) and DIR/PARTY.pub (the
 * public key) for a key with its secret. Neither file is overwritten:
 * CARTEL_EEXIST when one is there (a symbolic link included: it is never
 * followed); nothing is left behind on failure (<cartel/file.h>).
 * *secret_path and *public_path (when not NULL) receive the malloc'd paths.
 */
int cartel_key_save(const struct cartel_key *k, const char *dir,
		    char **secret_path, char **public_path, char **why);

/* Reads a key file written by cartel_key_save (either one). A secret key
 * file whose public half does not match its secret half is CARTEL_ETAMPER;
 * a file that is not a key file is CARTEL_EFORMAT. */
int cartel_key_load(struct cartel_key *out, const char *path, char **why);

/* As cartel_key_load, from the `len` bytes of a key file's text (`path` is
 * what messages call it). Does not check the file's mode: that is
 * cartel_key_load's work. */
int cartel_key_parse(struct cartel_key *out, const char *text, size_t len,
		     const char *path, char **why);

/* Zeroes the key (the secret half with sodium_memzero). */
void cartel_key_wipe(struct cartel_key *k);

/* "sha256:" and the hex SHA-256 of the 32-byte public key. */
void cartel_key_fingerprint(const unsigned char public_key[32],
			    char out[CARTEL_DIGEST_LEN]);

/*
 * Pins `public_key` as party's key in the register, with an audit entry.
 * Pinning the key already pinned is a no-op (returns 0, *changed 0). A
 * different key for a party already pinned is CARTEL_EEXIST unless
 * `replace` is set, in which case the old pin is kept as replaced and the
 * audit entry names both fingerprints. *changed (when not NULL) is 1 when
 * a pin was written.
 */
int cartel_key_pin(struct cartel_db *db, const char *party,
		   const unsigned char public_key[32], int replace,
		   const char *actor, int *changed, char **why);

/* The key pinned for party; CARTEL_ENOTFOUND when there is none. */
int cartel_key_pinned(struct cartel_db *db, const char *party,
		      unsigned char public_key[32], char **why);

/* One pin, as `cartel key list` shows it. */
struct cartel_key_pin {
	char party[CARTEL_PARTY_MAX];
	char fingerprint[CARTEL_DIGEST_LEN];
	char *pinned_at;
	char *pinned_by;
	int replaced; /* 1 for a pin a later one replaced */
};

/* Every pin, current ones first; free with cartel_key_pins_free. */
int cartel_key_pins(struct cartel_db *db, struct cartel_key_pin **out,
		    size_t *n, char **why);
void cartel_key_pins_free(struct cartel_key_pin *p, size_t n);

/* ---- List documents ------------------------------------------------ */

enum cartel_round_kind {
	CARTEL_ROUND_PROPOSAL = 0,
	CARTEL_ROUND_COUNTER,
	CARTEL_ROUND_AGREED,
};

/* "proposal", "counter", "agreed". */
const char *cartel_round_kind_name(enum cartel_round_kind k);
int cartel_round_kind_parse(const char *s, enum cartel_round_kind *k,
			    char **why);

/* A list document read into memory. Opaque. */
struct cartel_round;

struct cartel_round_opts {
	const char *round_id; /* NULL: derived from the date and the plan */
	enum cartel_round_kind kind;
	/* The version this one replaces (same round id, version + 1, its
	 * digest recorded), or NULL for version 1. Its digest and manifest
	 * must hold. */
	const struct cartel_round *supersedes;
	const char *actor; /* recorded in the audit entry; required */
	/* The person fields both parties agree to print on the paper list
	 * (<cartel/print.h>), comma-separated ("family_name,given_name,
	 * birth_date"), recorded as the document's signed `print_fields`.
	 * NULL: those of the superseded version, else none (the printed list
	 * then shows its default set). */
	const char *print_fields;
};

/*
 * Builds a new unsigned document from a plan (the JSON of `cartel plan
 * --json`, docs/policy.md) held in plan_json[0..len); `plan_name` is what
 * messages call it. Person fields come from the register; a plan that
 * names a person the register does not hold is CARTEL_ENOTFOUND naming the
 * id. Appends an audit entry "round.new". Returns 0 and sets *out (free
 * with cartel_round_free), or an error with nothing written.
 */
int cartel_round_from_plan(struct cartel_db *db, const char *plan_json,
			   size_t len, const char *plan_name,
			   const struct cartel_round_opts *opts,
			   struct cartel_round **out, char **why);

struct cartel_round_rules; /* below */
/* As cartel_round_from_plan; when the plan's list breaks the exchange
 * rules, *found (when not NULL) receives every breach, one per person and
 * rule (clear it with cartel_round_rules_clear; zeroed otherwise). */
int cartel_round_from_plan_rules(struct cartel_db *db, const char *plan_json,
				 size_t len, const char *plan_name,
				 const struct cartel_round_opts *opts,
				 struct cartel_round **out,
				 struct cartel_round_rules *found, char **why);

/*
 * Reads a document from text (or from the file at path) and checks its
 * shape: every required field there with the right type. Does not check
 * digests or signatures (cartel_round_verify does). CARTEL_EFORMAT with
 * *why naming the field (or the line and column for bad JSON).
 */
int cartel_round_parse(struct cartel_round **out, const char *text,
		       size_t len, const char *name, char **why);
int cartel_round_read(struct cartel_round **out, const char *path,
		      char **why);

/* Writes the document to path through a temporary file renamed into place
 * (<cartel/file.h>), so a failure leaves the old file (or none) and never
 * half of one; CARTEL_ESTATE when path is a symbolic link. */
int cartel_round_write(const struct cartel_round *r, const char *path,
		       char **why);

void cartel_round_free(struct cartel_round *r);

const char *cartel_round_id(const struct cartel_round *r);
int cartel_round_version(const struct cartel_round *r);
enum cartel_round_kind cartel_round_kind(const struct cartel_round *r);
/* The digest the document records ("sha256:..."). */
const char *cartel_round_digest(const struct cartel_round *r);
/* The two parties, in the document's order (i = 0 or 1). */
const char *cartel_round_party(const struct cartel_round *r, int i);
/* Persons in all lists (gives, direct repatriation, withheld). */
size_t cartel_round_n_persons(const struct cartel_round *r);
/* The canonical form (RFC 8785) of the whole document; malloc'd. */
int cartel_round_canonical(const struct cartel_round *r, char **out,
			   size_t *len, char **why);

/*
 * Adds key's signature over the canonical form of the document without
 * its signatures block. Refused (CARTEL_ETAMPER) when the document's
 * digest or manifest does not hold; CARTEL_EINVAL when key's party is not
 * one of the round's parties or the key has no secret; CARTEL_ESTATE when
 * a key is pinned for the party and it is not this key. A signature the
 * party made before is replaced. Appends an audit entry "round.sign".
 */
int cartel_round_sign(struct cartel_db *db, struct cartel_round *r,
		      const struct cartel_key *key, const char *actor,
		      char **why);

struct cartel_round_rules_opts; /* below */
struct cartel_round_rules;

/*
 * As cartel_round_sign, after checking the document against the exchange
 * rules (cartel_round_rules_check, with ropts's plan when given; the
 * signer is key's party, and persons the register does not know are not
 * a breach). A document that fails the seal, the rules or both is refused
 * with every problem in *why: CARTEL_ETAMPER for the seal, else
 * CARTEL_ESTATE. *notes (when not NULL) receives what the check reported
 * without refusing (persons the signer receives that it cannot map to its
 * own records), and when the rules refuse the document, every breach
 * (and note) found; clear it with cartel_round_rules_clear, whatever the
 * outcome. cartel_round_sign is this with ropts and notes NULL.
 */
int cartel_round_sign_checked(struct cartel_db *db, struct cartel_round *r,
			      const struct cartel_key *key,
			      const struct cartel_round_rules_opts *ropts,
			      struct cartel_round_rules *notes,
			      const char *actor, char **why);

struct cartel_round_sig_status {
	char party[CARTEL_PARTY_MAX];
	char fingerprint[CARTEL_DIGEST_LEN]; /* of the key in the document */
	int present; /* the document has this party's signature */
	int pinned;  /* the register has a key pinned for the party */
	int key_is_pinned; /* the document's key is the pinned one */
	int valid;   /* the signature holds over this document */
};

struct cartel_round_check {
	int manifest_ok;
	int digest_ok;
	struct cartel_round_sig_status sig[2];
	char **problems; /* one sentence each, naming field or party */
	size_t n_problems;
};

/*
 * Checks a document: each field against the manifest, the digest, and for
 * both parties that a signature is there, made with the key pinned for
 * that party, and holds. Fills *chk (clear with cartel_round_check_clear)
 * and returns 0 when everything holds, else CARTEL_ETAMPER with *why
 * listing the problems one per line. `db` may be NULL (no pins: the
 * signatures are then checked against the keys they carry, and
 * key_is_pinned stays 0, which counts as a problem).
 */
int cartel_round_verify(struct cartel_db *db, const struct cartel_round *r,
			struct cartel_round_check *chk, char **why);
void cartel_round_check_clear(struct cartel_round_check *chk);

/* Appends an audit entry for a verification or comparison the operator
 * made ("round.verify", "round.diff"), naming the digest(s) and outcome. */
int cartel_round_audit(struct cartel_db *db, const char *actor,
		       const char *action, const struct cartel_round *r,
		       const char *detail, char **why);

enum cartel_round_change {
	CARTEL_ROUND_ADDED = 0,
	CARTEL_ROUND_REMOVED,
	CARTEL_ROUND_CHANGED,
};

struct cartel_round_field_change {
	char *field;     /* "family_name", "stage", "list", ... */
	char *old_value; /* canonical JSON text of the value, "null" */
	char *new_value;
};

struct cartel_round_diff_entry {
	enum cartel_round_change change;
	char *id;
	char *old_list; /* "sides.UA.gives", "withheld", ...; NULL if added */
	char *new_list; /* NULL when removed */
	struct cartel_round_field_change *fields; /* for CHANGED */
	size_t n_fields;
};

struct cartel_round_diff {
	/* Top-level fields that differ (kind, version, stages, ...). */
	struct cartel_round_field_change *header;
	size_t n_header;
	struct cartel_round_diff_entry *entries; /* by id */
	size_t n_entries;
	size_t n_added, n_removed, n_changed;
};

/* Compares two versions by person id. Fills *d (clear with
 * cartel_round_diff_clear). Returns 0 or CARTEL_ENOMEM. */
int cartel_round_diff(const struct cartel_round *a,
		      const struct cartel_round *b, struct cartel_round_diff *d,
		      char **why);
void cartel_round_diff_clear(struct cartel_round_diff *d);

/* ---- Rounds between registers: the rules every step checks again --- */

/*
 * The rules a list is checked against at each step (`round new`, `round
 * amend`, `round sign`, `handover start`), against what the register
 * knows: its own records and the declarations it received.
 */
enum cartel_round_rule {
	CARTEL_RULE_UNKNOWN = 0,    /* "unknown": the register knows him not */
	CARTEL_RULE_NOT_HOLDER,     /* "not_holder": listed by a side that
				     * does not hold him */
	CARTEL_RULE_REFUSES,        /* "refuses": refused repatriation */
	CARTEL_RULE_DIRECT_TRADED,  /* "direct_traded": awaiting direct
				     * repatriation, traded in the balance */
	CARTEL_RULE_NOT_IN_CUSTODY, /* "not_in_custody": deceased, released,
				     * repatriated, missing, no longer
				     * declared */
	CARTEL_RULE_TWICE,          /* "twice": the same person twice */
	CARTEL_RULE_PLAN_DIGEST,    /* "plan_digest": the plan's digest does
				     * not match the plan file */
	CARTEL_RULE_UNMAPPED,       /* "unmapped" (a note, never a refusal):
				     * a person the signing party receives
				     * that it cannot map to its records */
};

/* The rule's name, as messages and --json give it. */
const char *cartel_round_rule_name(enum cartel_round_rule r);

struct cartel_round_breach {
	enum cartel_round_rule rule;
	int note;     /* 1: reported, does not refuse */
	char *person; /* the document's id, or NULL for the plan */
	char *text;   /* one sentence naming the person and the list */
	/* The party whose list names him (sides.P.gives or
	 * direct_repatriation.P), or NULL for the withheld and the plan. */
	char *party;
};

struct cartel_round_rules {
	struct cartel_round_breach *v; /* in the document's order */
	size_t n, n_broken, n_notes;
};

struct cartel_round_rules_opts {
	/* The plan file the step was given (its text): its stated digest
	 * must match its content and the document's plan_digest. NULL: the
	 * plan is not checked. */
	const char *plan_json;
	size_t plan_len;
	const char *plan_name;
	/* The party signing. In that party's own register (see the owner),
	 * what it gives is checked against its own records and what it
	 * receives is mapped to them (those it cannot map are notes). */
	const char *signer;
	/* 1: a person the register does not know is not a breach (a
	 * register that holds neither side's records signs on its
	 * party's word). */
	int unknown_ok;
	/* 1: in a party's own register, a person the other side gives that
	 * it does not know is not a breach (the handover maps him through
	 * the identity links and refuses one linked to nobody). */
	int received_unknown_ok;
};

/*
 * Checks document r against the rules: each person of each side's list
 * and direct-repatriation list held by that side (its register or its
 * declaration), in custody (not deceased, released, repatriated, missing
 * or no longer declared), consent not "refuses", not awaiting direct
 * repatriation on a traded list, and every person (the withheld too)
 * listed once. Fills *out (clear with cartel_round_rules_clear) with each
 * breach and note. Returns 0 when nothing is broken, CARTEL_ESTATE with
 * *why listing every breach ("rule 'refuses': person UA-7 ...";
 * CARTEL_ENOTFOUND when the only breaches are persons it does not know), or the
 * error that kept the check from running.
 */
int cartel_round_rules_check(struct cartel_db *db,
			     const struct cartel_round *r,
			     const struct cartel_round_rules_opts *o,
			     struct cartel_round_rules *out, char **why);
void cartel_round_rules_clear(struct cartel_round_rules *r);

/* Sets *why to the breaches of res, one per line; returns ESTATE. */
int cartel_round_rules_why(const struct cartel_round *r,
			   const struct cartel_round_rules *res, char **why);

/*
 * The persons a plan is made from in this register: its own persons, and
 * the persons each party declared it holds (received `held` declarations,
 * those still declared), under ids "PARTY:ID", in place of the register's
 * own records of persons held by that party. Without declarations, as
 * cartel_db_persons. Free with cartel_persons_free.
 */
int cartel_round_plan_persons(struct cartel_db *db,
			      struct cartel_person **out, size_t *n,
			      char **why);

/*
 * Whom each receiving party seeks, among persons[0..n) (as
 * cartel_round_plan_persons gives them): the ids of those an active
 * identity link (linked or confirmed) ties to a person of a party's
 * `sought` declaration received here, when another party holds them (a
 * party seeks its own people, held by the other). Sets *ids (sorted, each
 * once; free each and the array) and *n_ids, for cartel_plan_make_sought.
 * Returns 0, CARTEL_ENOMEM or an error of the register (a link that does
 * not hold against the audit chain: CARTEL_ETAMPER).
 */
int cartel_round_plan_sought(struct cartel_db *db,
			     const struct cartel_person *persons, size_t n,
			     char ***ids, size_t *n_ids, char **why);

struct cartel_policy; /* <cartel/plan.h> */

struct cartel_round_amend_opts {
	enum cartel_round_kind kind;
	const char *const *add; /* "PARTY:ID": the holder and his id */
	size_t n_add;
	const char *const *remove;
	size_t n_remove;
	/* The deal's policy: values by its scale and its balance checked.
	 * NULL: values are headcounts and no ratio is checked. */
	const struct cartel_policy *policy;
	const char *actor; /* required */
};

/* What a change does to the balance. */
struct cartel_round_balance {
	char party[2][CARTEL_PARTY_MAX];
	size_t n_before[2], n_after[2]; /* persons on each side's list */
	long before[2], after[2];       /* the sides' values */
	int balanced;  /* the policy's ratio holds (1 without a policy) */
	char *verdict; /* why not, when not */
	/* Under a policy with civilians_for_civilians the two pools, each
	 * held to the ratio apart: [side][0] besides civilians (their value
	 * by the policy's scale), [side][1] civilians (by head). pools is
	 * 2 then, else 1 and the pool figures stay 0. */
	int pools;
	size_t pool_n_before[2][2], pool_n_after[2][2];
	long pool_before[2][2], pool_after[2][2];
};
void cartel_round_balance_clear(struct cartel_round_balance *b);

/*
 * Makes the next version of `from` (its manifest and digest must hold;
 * signatures are not needed): each person of o->remove taken off his
 * list, each of o->add (found by his holder's party and id in the
 * register or the holder's declaration) added to his holder's list in the
 * last stage, the values counted again, kind o->kind, version + 1,
 * previous_digest from's digest. Refused when the rules are broken
 * (CARTEL_ESTATE; *rules lists them) or when the policy's balance no
 * longer holds (CARTEL_ESTATE; *bal says by how much). *bal is filled
 * either way (clear with cartel_round_balance_clear; *rules with
 * cartel_round_rules_clear). Appends an audit entry "round.amend".
 */
int cartel_round_amend(struct cartel_db *db, const struct cartel_round *from,
		       const struct cartel_round_amend_opts *o,
		       struct cartel_round **out,
		       struct cartel_round_balance *bal,
		       struct cartel_round_rules *rules, char **why);

/* ---- Handover ------------------------------------------------------ */

enum cartel_handover_outcome {
	CARTEL_HANDOVER_PENDING = 0,
	CARTEL_HANDOVER_HANDED_OVER,
	CARTEL_HANDOVER_RECEIVED,
	CARTEL_HANDOVER_REFUSED, /* refused at the point of exchange */
	CARTEL_HANDOVER_ABSENT,
	/* Closed out when the stage closed: the person was no longer agreed
	 * (died, was released, or left the list another way: repatriated
	 * in another round, escaped, transferred, struck off). Never given
	 * to cartel_handover_check. */
	CARTEL_HANDOVER_DECEASED,
	CARTEL_HANDOVER_RELEASED,
	CARTEL_HANDOVER_WITHDRAWN,
};
#define CARTEL_HANDOVER_N 8

/* "pending", "handed_over", "received", "refused", "absent", "deceased",
 * "released", "withdrawn". */
const char *cartel_handover_outcome_name(enum cartel_handover_outcome o);
int cartel_handover_outcome_parse(const char *s,
				  enum cartel_handover_outcome *o,
				  char **why);

/*
 * Loads an agreed document into the register for its handover: refused
 * (CARTEL_ETAMPER) unless cartel_round_verify holds, CARTEL_ESTATE unless
 * its kind is agreed, CARTEL_EEXIST when the round is already loaded.
 * Every listed person (sides' lists and direct repatriation; the withheld
 * stay) must be in the register and able to move to "agreed"; their
 * statuses move there (through "proposed" where the lifecycle needs it).
 * One transaction: all of it or nothing.
 */
int cartel_handover_start(struct cartel_db *db, const struct cartel_round *r,
			  const char *actor, char **why);

/* As cartel_handover_start, after the exchange rules
 * (cartel_round_rules_check with ropts, which may be NULL: every listed
 * person must be known to the register); a document that breaks them is
 * CARTEL_ESTATE naming each person and rule, and nothing is loaded. */
int cartel_handover_start_checked(struct cartel_db *db,
				  const struct cartel_round *r,
				  const struct cartel_round_rules_opts *ropts,
				  const char *actor, char **why);
/* As cartel_handover_start_checked; when the rules refuse the document,
 * *found (when not NULL) receives every breach (clear it with
 * cartel_round_rules_clear; zeroed otherwise). */
int cartel_handover_start_rules(struct cartel_db *db,
				const struct cartel_round *r,
				const struct cartel_round_rules_opts *ropts,
				struct cartel_round_rules *found,
				const char *actor, char **why);

struct cartel_checkoff {
	const char *round_id;
	const char *person_id;
	enum cartel_handover_outcome outcome;
	const char *by; /* who checked; required */
	const char *at; /* ISO 8601 UTC; NULL = now */
	const char *where; /* the exchange point, for a refusal; may be NULL */
};

/*
 * Checks one person off, in one transaction with its status event
 * (handed_over and received -> repatriated; refused and absent ->
 * confirmed_captive) and its audit entry. A refusal at the point is also
 * recorded as the person's consent: consent "refuses", consent_by the one
 * who checked, consent_on the day, the events naming the round, stage and
 * exchange point; so no later plan lists him until a new "willing" is
 * recorded. Refused with CARTEL_ESTATE when the person is no longer
 * "agreed" (repatriated already, through this round or another one, which
 * the message names; or dead, released, struck off since: closing the
 * stage closes him out), when the person's recorded consent is not
 * "willing" and the outcome is handed_over or received, when the person's
 * stage is closed, or when the person was already checked off with another
 * outcome. Checking again with the outcome already recorded changes
 * nothing and sets *already to 1 (so a resumed stage neither loses nor
 * doubles a check-off).
 */
int cartel_handover_check(struct cartel_db *db,
			  const struct cartel_checkoff *c, int *already,
			  char **why);

/* What became of one check-off of a list. */
struct cartel_checkoff_result {
	int rc;      /* 0, or why the person was refused (nothing kept) */
	int already; /* the outcome was already recorded */
	char *why;   /* the reason when rc != 0; freed by
		      * cartel_checkoff_results_clear */
};

/*
 * Checks off v[0..n) in ONE transaction, each person under the same rules
 * as cartel_handover_check, the round's document verified once (not once
 * per person). A person refused (res[i].rc, res[i].why) leaves no trace
 * and the others go on. Returns 0 when the transaction committed, refused
 * persons or not; on an error of the register itself (a database,
 * memory, disk or audit-chain failure) nothing of the list is kept and
 * the error is returned with *why. res has n entries; free their reasons
 * with cartel_checkoff_results_clear.
 */
int cartel_handover_check_list(struct cartel_db *db,
			       const struct cartel_checkoff *v, size_t n,
			       struct cartel_checkoff_result *res,
			       char **why);
void cartel_checkoff_results_clear(struct cartel_checkoff_result *res,
				   size_t n);

struct cartel_handover_person {
	char *id;
	char *side; /* the party that gives the person */
	int stage;
	int direct; /* on a direct-repatriation list */
	enum cartel_handover_outcome outcome;
	char *checked_at, *checked_by; /* NULL while pending */
	/* The id the giving party names the person by, when it is not the
	 * register's own id: a person the other party gives, found in this
	 * register through an identity link (<cartel/links.h>). NULL
	 * otherwise. */
	char *holder_id;
};

struct cartel_handover_stage {
	int stage;
	long n_listed;
	long n[CARTEL_HANDOVER_N]; /* by outcome */
	int closed;
	char *closed_at, *closed_by;
};

struct cartel_handover_status {
	char *round_id;
	int version;
	char digest[CARTEL_DIGEST_LEN];
	char *started_at;
	struct cartel_handover_stage *stages;
	size_t n_stages;
	struct cartel_handover_person *persons; /* by stage, then list order */
	size_t n_persons;
};

/* The state of a loaded round; CARTEL_ENOTFOUND when it is not loaded. */
int cartel_handover_status(struct cartel_db *db, const char *round_id,
			   struct cartel_handover_status *st, char **why);
void cartel_handover_status_clear(struct cartel_handover_status *st);

/*
 * The document of loaded round round_id (as `handover start` stored it:
 * the agreed, verified version, in canonical form) into a new *out (free
 * with cartel_round_free). Its row is checked against the audit chain:
 * CARTEL_ETAMPER when it was changed behind the register's back,
 * CARTEL_ENOTFOUND when the round is not loaded.
 */
int cartel_round_loaded(struct cartel_db *db, const char *round_id,
			struct cartel_round **out, char **why);

/*
 * Closes stage `stage`: no check-off in it afterwards. A pending person who
 * is no longer "agreed" (died, was released or left the list another way
 * after the round was agreed) is closed out with that outcome (deceased,
 * released, withdrawn): such a person never blocks a stage. CARTEL_ESTATE
 * when agreed persons are still pending, unless mark_absent is set, which
 * checks each of them off as absent in the same transaction.
 */
int cartel_handover_close_stage(struct cartel_db *db, const char *round_id,
				int stage, const char *by, int mark_absent,
				char **why);

/* ---- Reconciliation ------------------------------------------------ */

struct cartel_match_opts; /* <cartel/match.h> */

enum cartel_reconcile_verdict {
	CARTEL_RECONCILE_MATCHED = 0,
	CARTEL_RECONCILE_AMBIGUOUS, /* for review: see the candidates */
	CARTEL_RECONCILE_NOT_HELD,  /* nobody held by us is that person */
};

/* "matched", "ambiguous", "not_held". */
const char *cartel_reconcile_verdict_name(enum cartel_reconcile_verdict v);

struct cartel_reconcile_candidate {
	char *id;
	double probability;
	int band;       /* enum cartel_match_band */
	char *status;   /* the register's status of that person */
	char *held_by;  /* NULL when unknown */
	char *explanation; /* NULL when none */
};

struct cartel_reconcile_row {
	size_t row;     /* the row of their file (1 is the header) */
	char *their_id;
	enum cartel_reconcile_verdict verdict;
	char *our_id;   /* MATCHED: the register's id; else NULL */
	double probability; /* of the best candidate; 0 when none */
	char *note;     /* why, in words (no names); NULL when matched */
	struct cartel_reconcile_candidate *cands; /* best first */
	size_t n_cands;
};

struct cartel_reconcile {
	struct cartel_reconcile_row *rows; /* in the file's order */
	size_t n_rows, n_matched, n_ambiguous, n_not_held;
	size_t n_register; /* persons in the register */
	/* Wall time of reading both lists, of the engine's matching, and of
	 * deciding the verdicts. */
	double seconds_load, seconds_match, seconds_decide;
};

/*
 * Reconciles the other side's list (the import CSV format, read from `in`;
 * `name` is what messages call it) against the whole register with the
 * matching engine: each row matched, ambiguous or not held by us. "Held by
 * us" is status confirmed_captive, proposed or agreed, and held by `party`
 * when party is not NULL. opts may be NULL (the engine's defaults). Fills
 * *res (clear with cartel_reconcile_clear). Returns 0; CARTEL_EFORMAT or
 * CARTEL_ERANGE for a list the reader refuses (*why names file, row and
 * column); CARTEL_ENOMEM; or the engine's or the database's error.
 */
int cartel_reconcile_list(struct cartel_db *db, FILE *in, const char *name,
			  const char *party,
			  const struct cartel_match_opts *opts,
			  struct cartel_reconcile *res, char **why);
void cartel_reconcile_clear(struct cartel_reconcile *res);

struct cartel_reconcile_pair {
	size_t theirs, ours; /* positions in the two lists */
	double probability;
	int review; /* 1: the pair is in the review band */
};

struct cartel_reconcile_counts {
	struct cartel_person *theirs, *ours; /* the lists as read */
	size_t n_theirs, n_ours;
	struct cartel_reconcile_pair *pairs; /* one-to-one, by theirs */
	size_t n_pairs, n_both, n_review;
	size_t *only_theirs, *only_ours; /* positions */
	size_t n_only_theirs, n_only_ours;
};

/*
 * Reconciles two published lists of one handover by linking them
 * one-to-one with the matching engine: who is on both (match band), who
 * needs review, who is only on theirs, who only on ours. Fills *out (clear
 * with cartel_reconcile_counts_clear). Errors as cartel_reconcile_list.
 */
int cartel_reconcile_counts(FILE *theirs, const char *theirs_name,
			    FILE *ours, const char *ours_name,
			    const struct cartel_match_opts *opts,
			    struct cartel_reconcile_counts *out, char **why);
void cartel_reconcile_counts_clear(struct cartel_reconcile_counts *c);

#ifdef __cplusplus
}
#endif
#endif
