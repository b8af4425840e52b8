/*
 * What the plan module's files share: the parsed policy (policy.c), the
 * rank scales (scale.c), and the planner (planner.c, solve.c, report.c).
 */
#ifndef CARTEL_PLAN_INT_H
#define CARTEL_PLAN_INT_H

#include <stddef.h>

#include <jansson.h>

#include <cartel/error.h>
#include <cartel/plan.h>

/* A conjunction of conditions on a person (a priority item or a category
 * of an all-for-all deal). Unset numbers are -1; unset masks 0 (any). */
struct plan_filter {
	char *label;       /* the policy's label, or one made from the
			    * conditions ("age under 25") */
	int catch_all;     /* `longest_held`: everybody */
	int age_under;     /* age < N */
	int age_over;      /* age > N */
	int age_from;      /* age >= N */
	int age_to;        /* age <= N */
	long held_days_over; /* held more than N days */
	unsigned cat_mask;   /* bit (1 << enum cartel_category) */
	unsigned health_mask;
	unsigned sex_mask;
	int line;          /* in the policy file, for messages */
};

/* A rank class and its value on a scale. */
struct plan_class {
	char *name;
	long value;
};

/* Rank text (folded) to class index. */
struct plan_rank {
	char *text;
	int cls;
};

struct plan_scale {
	char *name;
	struct plan_class *classes;
	size_t n_classes;
	struct plan_rank *ranks; /* sorted by text */
	size_t n_ranks;
	int builtin_ranks; /* 1: rank texts come from the built-in table */
};

enum plan_mode {
	PLAN_MODE_BALANCED = 0,
	PLAN_MODE_ALL_FOR_ALL,
};

struct cartel_policy {
	char *file;
	char digest[65];
	char *title;       /* `name:` */
	char *parties[2];
	enum plan_mode mode;
	long ratio[2];     /* parties[0] gives ratio[0] for every ratio[1]
			    * that parties[1] gives; reduced */
	struct plan_scale *scale; /* NULL: headcount */
	long tolerance;    /* allowed scale-value difference */
	int unranked;      /* class for persons without a rank, or -1 */
	long max_per_side; /* 0: no cap */
	struct plan_filter *priorities;
	size_t n_priorities;
	struct plan_filter *categories; /* NULL: everybody */
	size_t n_categories;
	unsigned withhold_mask; /* bit (1 << enum cartel_legal_hold) */
	int civilians_for_civilians;
	int sought_first;  /* 1 (the default): within a priority, the
			    * persons the receiving party seeks first */
	int n_stages;      /* >= 1 */
	long *stage_sizes; /* n_stages sizes, or NULL for even stages */
};

/* scale.c */

/* Folds rank text for lookup: trims, collapses spaces, folds case (ICU),
 * maps ё to е, drops honorific prefixes and service suffixes ("гвардии",
 * "медицинской службы", "retired"). Returns a malloc'd string or NULL. */
char *cartel__plan_rank_fold(const char *rank);

/* A new copy of the built-in scale `name`, or NULL when there is none
 * (*known then lists the built-in names, static). */
struct plan_scale *cartel__plan_scale_builtin(const char *name,
                                              const char **known);

void cartel__plan_scale_free(struct plan_scale *s);

/* The class index of rank text on scale s, or -1. */
int cartel__plan_scale_lookup(const struct plan_scale *s, const char *rank);

/* Sorts s->ranks by text so that lookups can bisect; returns the index of
 * a rank text given twice, or -1. */
long cartel__plan_scale_sort(struct plan_scale *s);

/* Age in whole years at `today`, taking a missing month or day as the
 * first (the oldest age the partial date allows); -1 when unknown. */
int cartel__plan_age(const struct cartel_date *birth,
                     const struct cartel_date *today);

/* 1 when person p meets every condition of f. */
int cartel__plan_filter_match(const struct plan_filter *f,
                              const struct cartel_person *p,
                              const struct cartel_date *today);

/* solve.c */

/* One group of interchangeable persons: same side, pool, tier and class. */
struct plan_group {
	int side;  /* 0 or 1 */
	int pool;  /* 0 main, 1 civilians (civilians_for_civilians) */
	int tier;
	long value; /* per person */
	long n;    /* persons in the group */
	long take; /* set by the solver */
};

/* Per lexicographic stage of the solver, for the report. */
struct plan_solve_step {
	int tier;
	long objective; /* persons of this tier taken, both sides */
	double bound;   /* proven upper bound */
	int proven;
};

struct plan_solve {
	int optimal;  /* every step proven */
	int unmet;    /* the solver's answer broke the balance: none taken */
	double gap;   /* relative gap of the first unproven step */
	long time_ms;
	struct plan_solve_step *steps;
	size_t n_steps;
	char status[32]; /* "optimal", "time limit", "no solver needed" */
};

/*
 * Chooses group->take for every group: maximise, tier by tier in priority
 * order, the number of persons taken, subject to the balance of each pool
 * under the ratio (and tolerance) and the cap per side. Returns 0 or
 * CARTEL_ENOMEM / CARTEL_ERANGE (*why says which).
 */
int cartel__plan_solve(struct plan_group *groups, size_t n_groups, int n_tiers,
                       const struct cartel_policy *pol, int time_limit_ms,
                       struct plan_solve *out, char **why);

void cartel__plan_solve_clear(struct plan_solve *s);

/* Frees the solver's environment of the calling thread (GLPK keeps one
 * per thread): a server's worker thread that plans would otherwise leave
 * it behind when it ends. Call only when no solver work is open. */
void cartel__plan_solver_release(void);

/* planner.c: where each person stands. */
enum plan_code {
	PC_LISTED = 0,
	PC_DIRECT,
	PC_WITHHELD,
	PC_DECEASED,
	PC_RELEASED,
	PC_REPATRIATED,
	PC_ESCAPED,
	PC_TRANSFERRED,
	PC_NOT_CONFIRMED,
	PC_NOT_HELD,
	PC_AGREED,
	PC_REFUSES,
	PC_NOT_IN_CATEGORIES,
	PC_NO_RANK,
	PC_RANK_NOT_ON_SCALE,
	PC_OVER_CAP,
	PC_BALANCE,
	PC_ELIGIBLE, /* while planning only */
	PC_N
};

struct plan_entry {
	const char *id;    /* in the plan's arena */
	const char *party; /* held_by (the policy's string or in the
			    * arena), or NULL */
	char *name;        /* withheld only: told to the other party */
	char *rank;        /* withheld only, and for rank reasons */
	struct cartel_date birth_date; /* withheld only */
	int side;          /* 0 or 1, -1 when held by neither party */
	enum plan_code code;
	enum cartel_legal_hold hold; /* withheld: which hold */
	int direct_too;    /* withheld, yet designated under Art. 110 */
	int tier;          /* -1 when not eligible */
	int pool;
	int cls;           /* scale class; -1 headcount; -2 civilian */
	long value;
	long held_key;     /* days of held_since; LONG_MAX unknown */
	int consent_not_asked;
	int consent_undecided; /* asked, no answer yet */
	enum cartel_category category;
	size_t tier_pos, tier_size; /* 1-based, in the side's tier */
	size_t pos;        /* 1-based on the side's list */
	int stage;         /* 1-based */
	int sought;        /* the receiving party's sought declaration
			    * names him (cartel_plan_make_sought) */
	int ahead;         /* sought, and the deal ranks the sought first */
};

struct plan_side {
	size_t *list;      /* entry indices, in priority order */
	size_t n_list;
	const char **gives; /* ids of list */
	long value;
	size_t eligible;
	size_t n_civilians;
	/* By pool (0 main, 1 civilians under civilians_for_civilians):
	 * the value and headcount listed, and the headcount eligible. */
	long pool_value[2];
	size_t pool_listed[2];
	size_t pool_eligible[2];
	size_t *direct;    /* entry indices */
	size_t n_direct;
	size_t *stage_end; /* n_stages cumulative ends into list */
	long *stage_value;
};

struct cartel_plan {
	const struct cartel_policy *pol;
	struct cartel_date today;
	struct plan_entry *e; /* sorted by id */
	char *arena;        /* the entries' ids and third-party codes */
	struct rank_memo *memo; /* while planning only (planner.c) */
	size_t n;
	int n_tiers;        /* priorities (+1 for 'others' unless the last
			     * priority takes everybody) */
	struct plan_side side[2];
	struct plan_solve solve;
	json_t *doc;        /* the document, digest included; built on
			     * first need */
	char digest[65];    /* "" until the document is built */
};

/* The reason for e's place, in words, into buf: in English and the
 * register's terms (codes, categories, values), as the plan document
 * carries it whatever the reader's language. */
void cartel__plan_reason(const struct cartel_plan *plan,
                         const struct plan_entry *e, char *buf, size_t size);

/* The same for the person's family, in the calling thread's language
 * (<cartel/i18n.h>): party names, ordinals as said, no values. */
void cartel__plan_words(const struct cartel_plan *plan,
                        const struct plan_entry *e, char *buf, size_t size);

/* report.c */

/* Builds the plan document without its digest field; the caller owns
 * the reference. NULL when out of memory. */
json_t *cartel__plan_document(const struct cartel_plan *plan);

/* Builds and caches plan->doc with its digest (and plan->digest). */
int cartel__plan_ensure_document(const struct cartel_plan *plan);

/* The label of tier t ("others" for the implicit last tier). */
const char *cartel__plan_tier_label(const struct cartel_plan *plan, int t);

/* The code's text form ("over_cap"). */
const char *cartel__plan_code_name(enum plan_code c);

/* "1st", "2nd", "312th" into buf. */
const char *cartel__plan_ordinal(size_t n, char *buf, size_t size);

#endif
