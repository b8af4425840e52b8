/*
 * Identity links between registers (docs/protocol.md): how a person named
 * by another party (his declaring party and the id it gives him) is known
 * in this register. A link is the stored pair (their party, their id) <->
 * (our id), where "our" is the register's own persons, or, at the
 * mediator, the persons of another party's declaration (our party, its
 * id). Links are made by the matching engine from a received declaration
 * (cartel_links_make), kept under the audit chain, and confirmed or
 * revoked by a person; they are how every later document (a round's
 * lists, a handover sheet) is read in the reader's own ids.
 *
 * States: "linked" (the engine is sure), "pending" (probable: a person
 * decides, through `cartel review` or cartel_link_decide), "confirmed" (a
 * person said so), "revoked" (a person said no; kept, never deleted).
 * Linked and confirmed links are active: they translate ids. At most one
 * active or pending link joins a person of theirs to one namespace of
 * ours, and a person of ours to one party of theirs.
 *
 * Conventions (those of <cartel/error.h>): functions return 0 or a negative
 * enum cartel_err; `why`, when not NULL, receives a malloc'd message on
 * failure, which the caller frees. Messages name parties and ids, never a
 * captive's name.
 */
#ifndef CARTEL_LINKS_H
#define CARTEL_LINKS_H

#include <stddef.h>

#include "declaration.h"
#include "match.h"
#include "round.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

enum cartel_link_state {
	CARTEL_LINK_LINKED = 0, /* made by the matching engine: sure */
	CARTEL_LINK_PENDING,    /* probable: in the review queue */
	CARTEL_LINK_CONFIRMED,  /* a person confirmed it */
	CARTEL_LINK_REVOKED,    /* a person rejected or revoked it */
};

/* "linked", "pending", "confirmed", "revoked". */
const char *cartel_link_state_name(enum cartel_link_state s);

/* The review queue names a link "link:PARTY:THEIR_ID" (<cartel/match.h>,
 * cartel_review_list). */
#define CARTEL_LINK_REVIEW_PREFIX "link:"

struct cartel_link {
	char their_party[CARTEL_PARTY_MAX];
	char *their_id;
	char their_kind[8];              /* "held" or "sought" */
	char our_party[CARTEL_PARTY_MAX]; /* "": the register's own persons */
	char *our_id;
	char our_kind[8];                /* "" for the register's persons */
	enum cartel_link_state state;
	double probability;              /* the engine's; 1 when by hand */
	char *explanation;               /* the engine's, or NULL */
	char *made_at, *made_by;
	char *decided_at, *decided_by, *reason; /* NULL until decided */
};

void cartel_link_clear(struct cartel_link *l);
void cartel_links_free(struct cartel_link *v, size_t n);

/* One side of a linking: a received declaration, or (party NULL or "")
 * the register's own persons. */
struct cartel_link_side {
	const char *party;
	enum cartel_decl_kind kind;
};

/*
 * Reads "PARTY:held", "PARTY:sought" (a received declaration) or
 * "register" (the register's own persons) into *side; side->party points
 * into buf (at least CARTEL_PARTY_MAX bytes). CARTEL_EINVAL otherwise.
 */
int cartel_link_side_parse(const char *text, struct cartel_link_side *side,
			   char *buf, char **why);

/* What became of one person of theirs in cartel_links_make. */
enum cartel_link_verdict {
	CARTEL_LINK_MADE = 0,   /* linked now: sure */
	CARTEL_LINK_REVIEW,     /* put in the review queue */
	CARTEL_LINK_UNMATCHED,  /* nobody of ours is surely or probably him */
	CARTEL_LINK_KEPT,       /* linked (or pending) before: left as it was */
};

/* "linked", "review", "unmatched", "kept". */
const char *cartel_link_verdict_name(enum cartel_link_verdict v);

struct cartel_link_candidate {
	char *our_id;
	double probability;
};

struct cartel_link_row {
	char *their_id;
	enum cartel_link_verdict verdict;
	char *our_id;          /* MADE, REVIEW, KEPT; else NULL */
	double probability;    /* of the pair; 0 when unmatched */
	char *explanation;     /* the engine's, or NULL */
	/* UNMATCHED: the nearest persons of ours (up to 3, probability at
	 * least 0.01), best first. */
	struct cartel_link_candidate *cands;
	size_t n_cands;
};

struct cartel_links_result {
	char theirs[CARTEL_PARTY_MAX + 16]; /* "UA:held" */
	char ours[CARTEL_PARTY_MAX + 16];   /* "register" or "RU:sought" */
	size_t n_theirs, n_ours;            /* persons compared */
	size_t n_made, n_review, n_unmatched, n_kept;
	struct cartel_link_row *rows;       /* by their id */
	size_t n_rows;
};

/*
 * Links the persons still declared in declaration `theirs` (a received
 * one: party and kind) with `ours` (the register's persons, or another
 * party's received declaration) with the matching engine, one to one:
 * pairs in the match band are recorded as links ("linked"), pairs in the
 * review band as pending links (the review queue), and the persons left
 * unmatched are reported with their nearest candidates. Persons of theirs
 * with an active or pending link to ours, and persons of ours with one to
 * theirs, are left as they are (KEPT); a pair a person revoked is never
 * made again by the engine. One transaction with one audit entry
 * "links.make". opts may be NULL (the engine's defaults). Fills *res
 * (clear with cartel_links_result_clear). CARTEL_EINVAL for the same side
 * twice, CARTEL_ENOTFOUND when no such declaration was received,
 * CARTEL_ESTATE when `theirs` is the register's own party.
 */
int cartel_links_make(struct cartel_db *db,
		      const struct cartel_link_side *theirs,
		      const struct cartel_link_side *ours,
		      const struct cartel_match_opts *opts, const char *actor,
		      struct cartel_links_result *res, char **why);
void cartel_links_result_clear(struct cartel_links_result *res);

/* The result as JSON text (malloc'd, indented). */
int cartel_links_result_json(const struct cartel_links_result *res,
			     char **out, char **why);

/*
 * Every link (their_party NULL: of every party), by their party and id,
 * each row checked against the audit chain. Free with cartel_links_free.
 */
int cartel_links_list(struct cartel_db *db, const char *their_party,
		      struct cartel_link **out, size_t *n, char **why);

/* The links as JSON text (malloc'd, indented): an array of objects
 * {"their_party", "their_id", "their_kind", "our_party" (null for the
 * register), "our_id", "our_kind", "state", "probability",
 * "explanation", "made_at", "made_by", "decided_at", "decided_by",
 * "reason"}. */
int cartel_links_json(const struct cartel_link *v, size_t n, char **out,
		      char **why);

/*
 * A person decides on the link of their person (their_party, their_id) to
 * ours: `our` is an id of the register's persons, or "PARTY:ID" for a
 * person of PARTY's declaration. confirm = 1 confirms a linked, pending or
 * revoked link; 0 revokes a linked, pending or confirmed one. Confirming
 * is refused (CARTEL_ESTATE) when either person has another active link
 * to the other side. With no such link recorded, confirming makes one by
 * hand when both persons exist (CARTEL_ENOTFOUND otherwise). actor is
 * required; reason is required to revoke. One transaction with an audit
 * entry "link.confirm" or "link.revoke".
 */
int cartel_link_decide(struct cartel_db *db, const char *their_party,
		       const char *their_id, const char *our, int confirm,
		       const char *actor, const char *reason, char **why);

/*
 * The person one side of a link names, into *out (free with
 * cartel_person_clear): with party NULL or "", the register's person id
 * (cartel_person_get); else the person PARTY's latest received
 * declaration of that id carries, with the fields it declared (the rest
 * unknown; a value the register would refuse left unknown).
 * CARTEL_ENOTFOUND when there is no such person.
 */
int cartel_link_person(struct cartel_db *db, const char *party,
		       const char *id, struct cartel_person *out, char **why);

/*
 * The lookups the round and handover code translate ids with (active
 * links only; the row is checked against the audit chain):
 * cartel_link_ours: their person (their_party, their_id) -> our id in
 * namespace our_party (NULL or "": the register's own persons);
 * cartel_link_theirs: our person (our_party, our_id) -> the id their_party
 * gives him. *out is malloc'd; CARTEL_ENOTFOUND, without a message, when
 * there is no active link (and *out NULL).
 */
int cartel_link_ours(struct cartel_db *db, const char *their_party,
		     const char *their_id, const char *our_party, char **out,
		     char **why);
int cartel_link_theirs(struct cartel_db *db, const char *their_party,
		       const char *our_party, const char *our_id, char **out,
		       char **why);

#ifdef __cplusplus
}
#endif
#endif
