/*
 * The exchange planner: a policy (the negotiated deal, in YAML) and the
 * register's persons in, a proposed round out.
 *
 * The planner first applies the rules no policy can override (Geneva
 * Convention III Arts. 109-119): the dead, the released, the repatriated,
 * the escaped, the transferred and those not confirmed in custody never
 * appear; a recorded refusal keeps a person off every list; a medical
 * determination for direct repatriation (Art. 110) puts a person on a list
 * of his own, never counted and never traded; a legal hold the deal names
 * in `withhold` keeps a person back, and his name is listed for the other
 * party (Arts. 115, 119). Then it serves the deal: the categories, the
 * priorities in order, the cap, civilians for civilians, and the balance
 * under the ratio or the rank scale, solved exactly as an integer
 * programme (GLPK). docs/policy.md describes the policy file and the plan
 * document.
 *
 * Conventions (those of <cartel/error.h>): functions return 0 or a negative
 * enum cartel_err; `why`, when not NULL, receives a malloc'd message on
 * failure that the caller frees. Policy errors name the file, the line and
 * the key. Nothing here prints, and no message carries a captive's name.
 */
#ifndef CARTEL_PLAN_H
#define CARTEL_PLAN_H

#include <stddef.h>
#include <stdio.h>

#include "person.h"

#ifdef __cplusplus
extern "C" {
#endif

struct cartel_policy;
struct cartel_plan;

/*
 * Reads the policy file at `path` (YAML, one document) into a new *out.
 * Returns 0; CARTEL_EIO or CARTEL_ENOTFOUND when the file cannot be read;
 * CARTEL_EFORMAT for YAML that does not parse; CARTEL_EINVAL for a policy
 * that parses but is wrong (an unknown key, a wrong type, an impossible
 * value, a contradiction). *why then reads "FILE line N, key 'K': reason".
 * On failure *out is NULL.
 */
int cartel_policy_load(struct cartel_policy **out, const char *path,
		       char **why);

/* As cartel_policy_load, from `len` bytes of text; `name` is what messages
 * call the file. */
int cartel_policy_parse(struct cartel_policy **out, const char *text,
			size_t len, const char *name, char **why);

/* Frees a policy; NULL is allowed. */
void cartel_policy_free(struct cartel_policy *pol);

/* The hex SHA-256 of the policy's bytes (64 characters), owned by the
 * policy. */
const char *cartel_policy_digest(const struct cartel_policy *pol);

/*
 * The value of one person under the policy's count: 1 per head without a
 * scale (and for a civilian, who holds no rank), else the scale value of
 * his rank (folded as the planner folds it), or of the policy's
 * `unranked` class when he has none. CARTEL_ENOTFOUND (*why says which)
 * when the rank is not on the scale or the unranked have no value.
 */
int cartel_policy_person_value(const struct cartel_policy *pol,
			       const char *rank, int civilian, long *value,
			       char **why);

/*
 * Whether two sides' values keep the policy's balance: the ratio crossed,
 * within the scale's tolerance (exact for a headcount); always 0 for an
 * all-for-all deal. CARTEL_ESTATE with *why giving both values and how far
 * off they are; CARTEL_EINVAL when the parties are not the policy's.
 */
int cartel_policy_balance(const struct cartel_policy *pol, const char *party_a,
			  long value_a, const char *party_b, long value_b,
			  char **why);

/* 1 when the policy exchanges civilians only for civilians
 * (civilians_for_civilians: true): two pools, each balanced apart. */
int cartel_policy_civilians_apart(const struct cartel_policy *pol);

/*
 * As cartel_policy_balance for a policy with civilians_for_civilians:
 * values_a[0] and values_b[0] the sides' values besides civilians (within
 * the scale's tolerance), values_a[1] and values_b[1] their civilians (by
 * head, exactly), each pool held to the ratio apart. CARTEL_ESTATE with
 * *why naming the pool that is off and by how much.
 */
int cartel_policy_balance_pools(const struct cartel_policy *pol,
				const char *party_a, const long values_a[2],
				const char *party_b, const long values_b[2],
				char **why);

struct cartel_db;
/* Checks the policy's two parties against the parties the register knows
 * (cartel_party_known), before a plan is made from its persons: a side
 * the register has never heard of is a mistyped code, and a plan for it
 * would give nobody. Returns 0, CARTEL_EINVAL naming which of the
 * policy's parties (first or second), or an error of the database. */
int cartel_policy_check_parties(const struct cartel_policy *pol,
				struct cartel_db *db, char **why);

/* Planner options; all may be left zero. */
struct cartel_plan_opts {
	/* Today's date for ages and time held; year 0 means
	 * cartel_date_today(). */
	struct cartel_date today;
	/* Time limit of the integer programme in milliseconds, over all its
	 * solves; 0 means CARTEL_PLAN_TIME_LIMIT_MS. When it runs out the
	 * best solution found is kept and the plan says it is not proven
	 * optimal and gives the gap. */
	int time_limit_ms;
};

#define CARTEL_PLAN_TIME_LIMIT_MS 9000

/*
 * Plans one round: `persons` (n of them, in any order; not modified, and
 * not referenced after the call returns) under `pol`, which must outlive
 * the plan. Sets *out to a new
 * plan. An empty register or a party with nobody eligible gives a plan with
 * empty lists and the reasons, not an error. Returns 0, CARTEL_ENOMEM, or
 * CARTEL_EINVAL when two persons share an id. The same persons (in any
 * order) and the same policy give the same plan.
 */
int cartel_plan_make(struct cartel_plan **out, const struct cartel_policy *pol,
		     const struct cartel_person *persons, size_t n,
		     const struct cartel_plan_opts *opts, char **why);

/*
 * As cartel_plan_make, knowing whom each receiving party seeks:
 * sought[0..n_sought) are ids of `persons` (sorted by strcmp; NULL when
 * n_sought is 0) that the party they would go to names in the sought
 * declaration it sent (cartel_round_plan_sought). Under the policy's
 * `sought_first` (the default), within each priority those go ahead of
 * the persons not sought, before time held; the balance and every rule
 * are as without them. cartel_plan_explain says it of each.
 */
int cartel_plan_make_sought(struct cartel_plan **out,
			    const struct cartel_policy *pol,
			    const struct cartel_person *persons, size_t n,
			    const char *const *sought, size_t n_sought,
			    const struct cartel_plan_opts *opts, char **why);

/* Frees a plan; NULL is allowed. */
void cartel_plan_free(struct cartel_plan *plan);

/*
 * The plan document of docs/policy.md as JSON text (indented when `pretty`
 * is not 0), in *out, malloc'd, which the caller frees. The document holds
 * the names of the withheld (the other party is told them, Art. 119) and
 * nobody else's.
 */
int cartel_plan_json(const struct cartel_plan *plan, int pretty, char **out,
		     char **why);

/* As cartel_plan_json, written to `out` as it is serialised (a plan of
 * 200,000 persons is tens of megabytes; this never holds it all in one
 * string), followed by a newline. Returns 0, CARTEL_ENOMEM or CARTEL_EIO. */
int cartel_plan_write_json(const struct cartel_plan *plan, FILE *out,
			   int pretty, char **why);

/* What a mediator reads: the counts, values, stages and reasons, with no
 * names. *out is malloc'd text the caller frees. */
int cartel_plan_summary(const struct cartel_plan *plan, char **out,
			char **why);

/*
 * One captive's place in the plan, in words for the family, in the calling
 * thread's language (<cartel/i18n.h>): "ID: in the proposed round: Ukraine
 * hands over 300 persons, and this person is 12th on its list (group
 * 'under 25')", "ID: not in this round: 312th in line in the group
 * 'longest held'; ..." (party names, ordinals as said, no values), in
 * *out (malloc'd). CARTEL_ENOTFOUND when no person has that id.
 */
int cartel_plan_explain(const struct cartel_plan *plan, const char *id,
			char **out, char **why);

/* The longest reason in words, with its NUL. */
/*
 * Records a plan computed from pol in the audit chain of db: action
 * ("plan", "plan.explain") by actor, about subject (NULL: the plan's
 * digest), with the policy's and the plan's digests and each side's count
 * and value (counts only; the plan itself is the document). Returns 0 or
 * the error of cartel_audit_append.
 */
int cartel_plan_audit(struct cartel_db *db, const char *actor,
		      const char *action, const char *subject,
		      const struct cartel_policy *pol,
		      const struct cartel_plan *plan, char **why);

/*
 * The plan as a mediator reads it, in *out (json_decref it): {"plan": the
 * plan document (cartel_plan_json), "balance": {"ratio", "optimal",
 * "sides": [{"party", "gives", "value"}]}, "exclusions": [{"id", "party",
 * "code", "withheld", "reason", "words"}] (every person excluded or
 * withheld, "words" the reason in the calling thread's language, as
 * `cartel plan explain` says it), "names": {ID: "family given
 * patronymic"} for the persons of persons[0..n) the plan names}.
 * CARTEL_ENOMEM or the error of cartel_plan_json.
 */
struct json_t;
int cartel_plan_view(const struct cartel_plan *plan,
		     const struct cartel_person *persons, size_t n,
		     struct json_t **out, char **why);

#define CARTEL_PLAN_REASON_MAX 512

/* One person's place, for programs. Strings are owned by the plan. */
struct cartel_plan_place {
	/* "listed", "direct_repatriation", "withheld", or the exclusion's
	 * reason code (docs/policy.md). */
	const char *code;
	char reason[CARTEL_PLAN_REASON_MAX]; /* the reason in words */
	const char *party;     /* the detaining party, or NULL */
	int tier;              /* priority tier, 0 first; -1 when none */
	const char *tier_label;
	size_t tier_position;  /* 1-based place in the side's tier queue */
	size_t tier_size;      /* how many eligible in that tier and side */
	size_t position;       /* 1-based place on the side's list, or 0 */
	size_t list_size;      /* the side's list length */
	int stage;             /* 1-based stage, or 0 */
	long value;            /* scale value (1 per head without a scale) */
	int consent_not_asked; /* listed, but consent never asked */
	int consent_undecided; /* listed, asked, no answer yet */
	/* The reason for the family, in the calling thread's language (as
	 * cartel_plan_explain, without the id); `reason` above stays in
	 * English and the register's terms, as the plan document has it. */
	char words[CARTEL_PLAN_REASON_MAX];
};

/* Fills *place for person `id`. CARTEL_ENOTFOUND when no person has that
 * id. */
int cartel_plan_place(const struct cartel_plan *plan, const char *id,
		      struct cartel_plan_place *place);

/* The ids that party `party` gives, in priority order (the plan owns
 * them); *n is 0 and NULL is returned for a party not in the round. */
const char *const *cartel_plan_gives(const struct cartel_plan *plan,
				     const char *party, size_t *n);

/* The code of party i (0 or 1) of the round, as the policy names it. */
const char *cartel_plan_party(const struct cartel_plan *plan, int i);

/* The side's value: its headcount, or its total scale value. */
long cartel_plan_value(const struct cartel_plan *plan, const char *party);

/* 1 when the plan is proven optimal; *gap (when not NULL) gets the
 * relative gap of the best solution found (0 when optimal). */
int cartel_plan_optimal(const struct cartel_plan *plan, double *gap);

/* The hex SHA-256 of the compact plan document without its own digest
 * field (64 characters), owned by the plan. */
const char *cartel_plan_digest(const struct cartel_plan *plan);

/*
 * The value of rank text `rank` on the built-in scale `scale` ("dix-hill"),
 * after folding case and spaces; *cls gets the static name of the rank's
 * class. Returns 0, or CARTEL_ENOTFOUND for a rank not on the scale or an
 * unknown scale.
 */
int cartel_scale_rank(const char *scale, const char *rank, long *value,
		      const char **cls);

#ifdef __cplusplus
}
#endif
#endif
