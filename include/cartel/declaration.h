/*
 * Three registers (docs/protocol.md): each party keeps its own register,
 * the mediator a third, and what crosses between them is a signed
 * document. This header holds whose register this is (its owner), the
 * declarations a party's register writes (the persons it holds, the
 * persons of its own it looks for), and the receiving of a declaration in
 * another register.
 *
 * A declaration is sealed and signed as the list documents are
 * (<cartel/round.h>: RFC 8785 canonical form, manifest, SHA-256 digest,
 * Ed25519 signature), by the declaring party alone, and is verified
 * against the key pinned for that party in the receiving register.
 *
 * Conventions (those of <cartel/error.h>): functions return 0 or a negative
 * enum cartel_err; `why`, when not NULL, receives a malloc'd message on
 * failure, which the caller frees. Messages name fields, ids, parties and
 * digests, never a captive's name.
 */
#ifndef CARTEL_DECLARATION_H
#define CARTEL_DECLARATION_H

#include <stddef.h>

#include "limits.h"
#include "round.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- The register's owner ------------------------------------------ */

enum cartel_owner_role {
	CARTEL_OWNER_NONE = 0, /* a shared working register (the demo) */
	CARTEL_OWNER_PARTY,    /* a party's information bureau */
	CARTEL_OWNER_MEDIATOR, /* the neutral intermediary */
};

/* A mediator's name: 1 to 63 of A-Z a-z 0-9 and space . _ -. */
#define CARTEL_OWNER_NAME_MAX 64

struct cartel_owner {
	enum cartel_owner_role role;
	char name[CARTEL_OWNER_NAME_MAX]; /* party code or mediator name */
	char set_at[32];
	char set_by[128]; /* cut short when longer */
};

/* "party", "mediator" (and "" for none). */
const char *cartel_owner_role_name(enum cartel_owner_role r);

/*
 * Reads the owner into *o: role CARTEL_OWNER_NONE when none was set. The
 * row is checked against the audit chain (CARTEL_ETAMPER when it does not
 * hold: an owner changed behind the register's back decides nothing).
 */
int cartel_owner_get(struct cartel_db *db, struct cartel_owner *o,
		     char **why);

/*
 * Sets the owner, once: CARTEL_EEXIST when one is set (naming it),
 * CARTEL_EINVAL for a bad party code or mediator name. Audited
 * ("owner.set").
 */
int cartel_owner_set(struct cartel_db *db, enum cartel_owner_role role,
		     const char *name, const char *actor, char **why);

/* ---- Declarations -------------------------------------------------- */

enum cartel_decl_kind {
	CARTEL_DECL_HELD = 0, /* persons the party holds */
	CARTEL_DECL_SOUGHT,   /* the party's own people it looks for */
};

/* "held", "sought". */
const char *cartel_decl_kind_name(enum cartel_decl_kind k);
int cartel_decl_kind_parse(const char *s, enum cartel_decl_kind *k,
			   char **why);

/* The fields a declaration carries when none are chosen: the identifying
 * fields of GC III Art. 17 and 122 (names, patronymic, birth date, rank,
 * service number). NULL-terminated. */
extern const char *const cartel_decl_default_fields[];

/* The largest declaration file receive reads (bytes; <cartel/limits.h>). */
#define CARTEL_DECL_FILE_MAX CARTEL_LIMIT_DECLARATION_DOC

struct cartel_declare_opts {
	enum cartel_decl_kind kind;
	/* Fields to send, import-CSV column names (docs/import.md), each
	 * once, never "id"; NULL: cartel_decl_default_fields. */
	const char *const *fields;
	size_t n_fields;
	const char *as_of; /* YYYY-MM-DD; NULL: today (CARTEL_TODAY) */
	const struct cartel_key *key; /* the owner party's, with its secret */
	const char *actor;            /* required */
};

struct cartel_declare_result {
	long sequence;
	size_t n_persons;
	char digest[CARTEL_DIGEST_LEN];
};

/*
 * Writes the declaration of opts->kind to path (through <cartel/file.h>):
 * held = the persons in custody (confirmed captive, proposed, agreed) held
 * by the owner party; sought = the persons depending on the owner party
 * who are reported missing or in the other side's custody. Each with its
 * id and the chosen fields only, ordered by id, sealed and signed with the
 * key, under the next sequence number for the kind (one more than the last
 * declared, recorded in the register with an audit entry
 * "declaration.make"). CARTEL_ESTATE unless the register's owner is a
 * party and the key is that party's pinned key; CARTEL_EINVAL for an
 * unknown or repeated field. Nothing is recorded when the file cannot be
 * written.
 */
int cartel_declare(struct cartel_db *db, const struct cartel_declare_opts *o,
		   const char *path, struct cartel_declare_result *res,
		   char **why);

/* ---- Receiving ----------------------------------------------------- */

enum cartel_decl_change {
	CARTEL_DECL_ADDED = 0,
	CARTEL_DECL_DROPPED,  /* no longer declared */
	CARTEL_DECL_CHANGED,  /* fields differ from the last declaration */
	CARTEL_DECL_RETURNED, /* declared again after being dropped */
};

/* "added", "dropped", "changed", "returned". */
const char *cartel_decl_change_name(enum cartel_decl_change c);

struct cartel_decl_diff_entry {
	enum cartel_decl_change change;
	char *their_id;
	char *old_fields; /* canonical JSON object; NULL when added */
	char *new_fields; /* NULL when dropped */
};

struct cartel_receive_opts {
	/* Fields the receiver accepts (NULL: cartel_decl_default_fields); a
	 * declaration carrying any other is refused. */
	const char *const *fields;
	size_t n_fields;
	const char *actor; /* required */
	/* Told of the persons written so far (<cartel/progress.h>; unit
	 * "persons", the total the declaration's), with progress_user.
	 * NULL: nothing is told. */
	cartel_progress_fn progress;
	void *progress_user;
};

struct cartel_receive_result {
	char party[CARTEL_PARTY_MAX];
	enum cartel_decl_kind kind;
	long sequence;
	char as_of[16];
	char digest[CARTEL_DIGEST_LEN];
	char previous[CARTEL_DIGEST_LEN]; /* the one superseded; "" if none */
	size_t n_persons;
	size_t n_added, n_dropped, n_changed, n_returned, n_unchanged;
	struct cartel_decl_diff_entry *entries; /* by change, then id */
	size_t n_entries;
};

/*
 * Receives the declaration at path. Everything is checked before anything
 * is written: the file's size (at most CARTEL_DECL_FILE_MAX), that it is
 * whole JSON, its format, kind, party, owner, as-of date and sequence,
 * that it lists only fields the receiver accepts and each person once,
 * its manifest and digest, and its one signature, made by the declared
 * party with the key pinned for that party here. A declaration already
 * received (same digest), or one whose sequence number is not above the
 * last received from that party for that kind, is refused. Then, in one
 * transaction with one audit entry "declaration.receive": the persons are
 * recorded under the sender's ids as declared by that party; a later
 * declaration of the same kind supersedes the earlier: persons it leaves
 * out are marked no longer declared, changed fields and returns recorded,
 * each with the declaration's digest. Fills *res (clear with
 * cartel_receive_result_clear) with the difference. Errors:
 * CARTEL_ERANGE (too large), CARTEL_EFORMAT (not a declaration: *why names
 * the field), CARTEL_ETAMPER (seal or signature), CARTEL_EEXIST (replayed
 * or older), CARTEL_ESTATE (a register of the declaring party itself).
 */
int cartel_receive(struct cartel_db *db, const char *path,
		   const struct cartel_receive_opts *o,
		   struct cartel_receive_result *res, char **why);

/* The same, for a declaration already in memory: text (len bytes, not
 * necessarily NUL-terminated; borrowed) is what the file would hold, and
 * name stands for the file in messages (NULL: "the declaration").
 * Refuses more than CARTEL_DECL_FILE_MAX bytes with CARTEL_ERANGE; the
 * rest as cartel_receive. */
int cartel_receive_text(struct cartel_db *db, const char *name,
			const char *text, size_t len,
			const struct cartel_receive_opts *o,
			struct cartel_receive_result *res, char **why);
void cartel_receive_result_clear(struct cartel_receive_result *res);

/* The result as JSON text (malloc'd, indented): what `receive --json`
 * prints. Returns 0 or CARTEL_ENOMEM. */
int cartel_receive_result_json(const struct cartel_receive_result *res,
			       char **out, char **why);

#ifdef __cplusplus
}
#endif
#endif
