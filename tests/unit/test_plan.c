/*
 * Unit tests for the planner on hand-made registers held in memory: the
 * rules of GC III Arts. 109-119 that no policy overrides, the balance under
 * a ratio and under a rank scale (checked against brute force), priorities
 * and their tie-breaks, the cap, stages, determinism, and the reasons.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include <cartel/cartel.h>
#include <cartel/plan.h>

#include "plan/plan_int.h"

static const struct cartel_date TODAY = {2026, 6, 1};

/* A confirmed captive held by `by` since `since` (YYYY-MM-DD), consent
 * willing; tests change what they need. Strings are literals: these
 * persons are never cleared. */
static struct cartel_person
P(const char *id, const char *by, const char *since)
{
	struct cartel_person p;
	memset(&p, 0, sizeof p);
	p.id = (char *)id;
	p.held_by = (char *)by;
	p.family_name = (char *)"Testname";
	p.given_name = (char *)"Given";
	p.category = CARTEL_CAT_MILITARY;
	p.status = CARTEL_STATUS_CONFIRMED_CAPTIVE;
	p.consent = CARTEL_CONSENT_WILLING;
	p.birth_date = (struct cartel_date){1990, 1, 1};
	if (since != NULL)
		assert_int_equal(cartel_date_parse(since, &p.held_since, NULL),
				 0);
	return p;
}

static struct cartel_policy *
policy(const char *text)
{
	struct cartel_policy *pol = NULL;
	char *why = NULL;
	if (cartel_policy_parse(&pol, text, strlen(text), "t.yaml", &why) != 0)
		fail_msg("policy: %s", why ? why : "?");
	return pol;
}

static struct cartel_plan *
plan(const struct cartel_policy *pol, const struct cartel_person *p,
     size_t n)
{
	struct cartel_plan *pl = NULL;
	char *why = NULL;
	struct cartel_plan_opts o = {TODAY, 0};
	if (cartel_plan_make(&pl, pol, p, n, &o, &why) != 0)
		fail_msg("plan: %s", why ? why : "?");
	return pl;
}

static json_t *
doc_of(const struct cartel_plan *pl)
{
	char *text = NULL;
	assert_int_equal(cartel_plan_json(pl, 0, &text, NULL), 0);
	json_error_t err;
	json_t *doc = json_loads(text, 0, &err);
	free(text);
	assert_non_null(doc);
	return doc;
}

static const char *
code_of(const struct cartel_plan *pl, const char *id)
{
	struct cartel_plan_place pc;
	assert_int_equal(cartel_plan_place(pl, id, &pc), 0);
	return pc.code;
}

/* 1 when array `a` of strings holds s. */
static int
has(json_t *a, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v)
	if (strcmp(json_string_value(v), s) == 0) return 1;
	return 0;
}

static void
rules_no_policy_overrides(void **state)
{
	(void)state;
	struct cartel_person p[20];
	size_t n = 0;
	p[n] = P("ua-dead", "UA", "2023-01-01");
	p[n++].status = CARTEL_STATUS_DECEASED;
	p[n] = P("ua-released", "UA", "2023-01-01");
	p[n++].status = CARTEL_STATUS_RELEASED;
	p[n] = P("ua-repat", "UA", "2023-01-01");
	p[n++].status = CARTEL_STATUS_REPATRIATED;
	p[n] = P("ua-escaped", "UA", "2023-01-01");
	p[n++].status = CARTEL_STATUS_ESCAPED;
	p[n] = P("ua-transf", "UA", "2023-01-01");
	p[n++].status = CARTEL_STATUS_TRANSFERRED;
	p[n] = P("ua-missing", "UA", "2023-01-01");
	p[n++].status = CARTEL_STATUS_REPORTED_MISSING;
	p[n++] = P("by-held", "BY", "2023-01-01");
	p[n++] = P("nobody", NULL, "2023-01-01");
	p[n] = P("ua-agreed", "UA", "2023-01-01");
	p[n++].status = CARTEL_STATUS_AGREED;
	p[n] = P("ua-refuses", "UA", "2022-01-01");
	p[n++].consent = CARTEL_CONSENT_REFUSES;
	p[n] = P("ua-refuses-wounded", "UA", "2022-01-01");
	p[n].consent = CARTEL_CONSENT_REFUSES;
	p[n++].direct_repatriation = CARTEL_DIRECT_YES;
	p[n] = P("ua-direct", "UA", "2022-06-01");
	p[n].direct_repatriation = CARTEL_DIRECT_YES;
	p[n++].consent = CARTEL_CONSENT_NOT_ASKED;
	p[n] = P("ru-direct", "RU", "2022-06-01");
	p[n++].direct_repatriation = CARTEL_DIRECT_YES;
	p[n] = P("ua-proc", "UA", "2022-01-01");
	p[n].family_name = (char *)"Heldback";
	p[n++].legal_hold = CARTEL_HOLD_PROCEEDINGS;
	p[n] = P("ua-conv", "UA", "2022-01-01");
	p[n++].legal_hold = CARTEL_HOLD_CONVICTED;
	p[n] = P("ua-ok", "UA", "2023-01-01");
	p[n++].consent = CARTEL_CONSENT_NOT_ASKED;
	p[n++] = P("ua-ok2", "UA", "2023-02-01");
	p[n++] = P("ru-ok", "RU", "2023-01-01");
	p[n] = P("ru-ok2", "RU", "2023-01-01");
	p[n++].status = CARTEL_STATUS_PROPOSED;

	/* The deal withholds only those under proceedings: the convicted
	 * man is traded like anyone else. */
	struct cartel_policy *pol =
		policy("parties: [UA, RU]\nwithhold: [proceedings]\n");
	struct cartel_plan *pl = plan(pol, p, n);
	static const char *const gone[][2] = {
		{"ua-dead", "deceased"},
		{"ua-released", "released"},
		{"ua-repat", "repatriated"},
		{"ua-escaped", "escaped"},
		{"ua-transf", "transferred"},
		{"ua-missing", "not_confirmed"},
		{"by-held", "not_held_by_party"},
		{"nobody", "not_held_by_party"},
		{"ua-agreed", "on_agreed_list"},
		{"ua-refuses", "refuses"},
		{"ua-refuses-wounded", "refuses"},
		{"ua-direct", "direct_repatriation"},
		{"ru-direct", "direct_repatriation"},
		{"ua-proc", "withheld"},
	};
	for (size_t i = 0; i < sizeof gone / sizeof *gone; i++)
		if (strcmp(code_of(pl, gone[i][0]), gone[i][1]) != 0)
			fail_msg("%s: %s, expected %s", gone[i][0],
				 code_of(pl, gone[i][0]), gone[i][1]);

	/* Three eligible UA (ua-conv, ua-ok, ua-ok2), two RU: 2 for 2,
	 * direct repatriation outside the count. */
	json_t *doc = doc_of(pl);
	json_t *ua = json_object_get(json_object_get(doc, "sides"), "UA");
	json_t *ru = json_object_get(json_object_get(doc, "sides"), "RU");
	assert_int_equal(json_array_size(json_object_get(ua, "gives")), 2);
	assert_int_equal(json_integer_value(json_object_get(ua, "value")), 2);
	assert_int_equal(json_integer_value(json_object_get(ru, "value")), 2);
	/* Longest held first: ua-conv (2022) then ua-ok (2023-01). */
	assert_string_equal(
		json_string_value(json_array_get(json_object_get(ua, "gives"),
						 0)),
		"ua-conv");
	assert_string_equal(code_of(pl, "ua-ok"), "listed");
	assert_string_equal(code_of(pl, "ua-ok2"), "balance");
	json_t *dr = json_object_get(doc, "direct_repatriation");
	assert_true(has(json_object_get(dr, "UA"), "ua-direct"));
	assert_true(has(json_object_get(dr, "RU"), "ru-direct"));
	assert_false(has(json_object_get(ua, "gives"), "ua-direct"));
	/* The withheld are named for the other party. */
	json_t *wh = json_object_get(doc, "withheld");
	assert_int_equal(json_array_size(wh), 1);
	json_t *w0 = json_array_get(wh, 0);
	assert_string_equal(json_string_value(json_object_get(w0, "id")),
			    "ua-proc");
	assert_string_equal(json_string_value(json_object_get(w0, "told_to")),
			    "RU");
	assert_non_null(strstr(json_string_value(json_object_get(w0, "name")),
			       "Heldback"));
	assert_non_null(strstr(json_string_value(json_object_get(w0,
								 "reason")),
			       "Art. 115"));
	/* Nobody else's name is in the document. */
	char *text = NULL;
	assert_int_equal(cartel_plan_json(pl, 0, &text, NULL), 0);
	assert_null(strstr(text, "Testname"));
	free(text);
	/* Consent not asked: listed, flagged, not ready for handover. */
	json_t *cna = json_object_get(json_object_get(doc, "flags"),
				      "consent_not_asked");
	assert_true(has(cna, "ua-ok"));
	assert_true(has(cna, "ua-direct"));
	assert_false(has(cna, "ua-conv"));
	json_t *persons = json_object_get(ua, "persons");
	size_t i;
	json_t *v;
	int seen = 0;
	json_array_foreach(persons, i, v)
	{
		const char *id = json_string_value(json_object_get(v, "id"));
		int ready = json_is_true(json_object_get(v, "handover_ready"));
		if (strcmp(id, "ua-ok") == 0) {
			assert_false(ready);
			seen++;
		} else {
			assert_true(ready);
		}
	}
	assert_int_equal(seen, 1);
	/* Every exclusion has a code and words. */
	json_t *ex = json_object_get(doc, "excluded");
	json_array_foreach(ex, i, v)
	{
		assert_true(strlen(json_string_value(
				    json_object_get(v, "code"))) > 0);
		assert_true(strlen(json_string_value(
				    json_object_get(v, "reason"))) > 5);
	}
	char *words = NULL;
	assert_int_equal(cartel_plan_explain(pl, "ua-proc", &words, NULL), 0);
	assert_non_null(strstr(words, "held back: under criminal proceedings "
				      "(Art. 115); Russia is told the name"));
	free(words);
	/* The plan document keeps the register's terms. */
	struct cartel_plan_place pc;
	assert_int_equal(cartel_plan_place(pl, "ua-proc", &pc), 0);
	assert_non_null(strstr(pc.reason, "withheld: under criminal "
					  "proceedings (Art. 115); the other "
					  "party (RU) is told his name"));
	assert_int_equal(cartel_plan_explain(pl, "nope", &words, NULL),
			 CARTEL_ENOTFOUND);
	json_decref(doc);
	cartel_plan_free(pl);
	cartel_policy_free(pol);

	/* A deal that withholds nobody lists ua-proc like anyone. */
	pol = policy("parties: [UA, RU]\n");
	pl = plan(pol, p, n);
	assert_string_not_equal(code_of(pl, "ua-proc"), "withheld");
	cartel_plan_free(pl);
	cartel_policy_free(pol);
}

static void
ratio_and_cap(void **state)
{
	(void)state;
	struct cartel_person p[20];
	char ids[20][8];
	size_t n = 0;
	for (int i = 0; i < 10; i++) {
		snprintf(ids[n], sizeof ids[n], "ua%02d", i);
		p[n] = P(ids[n], "UA", "2023-01-01");
		p[n].held_since.day = 1 + i;
		n++;
	}
	for (int i = 0; i < 4; i++) {
		snprintf(ids[n], sizeof ids[n], "ru%02d", i);
		p[n] = P(ids[n], "RU", "2023-01-01");
		n++;
	}
	struct cartel_policy *pol = policy("parties: [UA, RU]\n");
	struct cartel_plan *pl = plan(pol, p, n);
	assert_int_equal(cartel_plan_value(pl, "UA"), 4);
	assert_int_equal(cartel_plan_value(pl, "RU"), 4);
	assert_true(cartel_plan_optimal(pl, NULL));
	size_t k;
	const char *const *g = cartel_plan_gives(pl, "UA", &k);
	assert_int_equal(k, 4);
	assert_string_equal(g[0], "ua00"); /* longest held */
	assert_string_equal(g[3], "ua03");
	cartel_plan_free(pl);
	cartel_policy_free(pol);

	/* 1:2 — UA gives one for every two RU gives. */
	pol = policy("parties: [UA, RU]\nratio: \"1:2\"\n");
	pl = plan(pol, p, n);
	assert_int_equal(cartel_plan_value(pl, "UA"), 2);
	assert_int_equal(cartel_plan_value(pl, "RU"), 4);
	cartel_plan_free(pl);
	cartel_policy_free(pol);
	/* 3:1 — UA gives three for every one. */
	pol = policy("parties: [UA, RU]\nratio: \"3:1\"\n");
	pl = plan(pol, p, n);
	assert_int_equal(cartel_plan_value(pl, "UA"), 9);
	assert_int_equal(cartel_plan_value(pl, "RU"), 3);
	cartel_plan_free(pl);
	cartel_policy_free(pol);

	/* 100000:99999 on a few persons: no plan but the empty one
	 * balances, and a plan that breaks the ratio is never proposed,
	 * let alone as optimal. */
	pol = policy("parties: [UA, RU]\nratio: \"100000:99999\"\n");
	pl = plan(pol, p, n);
	assert_int_equal(cartel_plan_value(pl, "UA") * 99999,
			 cartel_plan_value(pl, "RU") * 100000);
	assert_int_equal(cartel_plan_value(pl, "UA"), 0);
	assert_false(cartel_plan_optimal(pl, NULL));
	cartel_plan_free(pl);
	cartel_policy_free(pol);

	/* The cap: 3 a side; the 4th RU is over the cap, with words. */
	pol = policy("parties: [UA, RU]\nmax_per_side: 3\n");
	pl = plan(pol, p, n);
	assert_int_equal(cartel_plan_value(pl, "UA"), 3);
	struct cartel_plan_place pc;
	assert_int_equal(cartel_plan_place(pl, "ru03", &pc), 0);
	assert_string_equal(pc.code, "over_cap");
	assert_non_null(strstr(pc.reason, "4th of 4 on side RU; the cap is 3"));
	assert_int_equal(cartel_plan_place(pl, "ua05", &pc), 0);
	assert_string_equal(pc.code, "over_cap");
	assert_int_equal(cartel_plan_place(pl, "ua01", &pc), 0);
	assert_string_equal(pc.code, "listed");
	assert_int_equal(pc.position, 2);
	assert_non_null(strstr(pc.reason, "side UA gives, 2nd of 3"));
	cartel_plan_free(pl);
	cartel_policy_free(pol);
}

static void
priorities_in_order(void **state)
{
	(void)state;
	struct cartel_person p[12];
	size_t n = 0;
	/* UA: two young (one held longer), one civilian, three others. */
	p[n] = P("ua-young-new", "UA", "2025-01-01");
	p[n++].birth_date = (struct cartel_date){2004, 0, 0};
	p[n] = P("ua-young-old", "UA", "2024-01-01");
	p[n++].birth_date = (struct cartel_date){2003, 5, 0};
	p[n] = P("ua-civ", "UA", "2025-03-01");
	p[n++].category = CARTEL_CAT_CIVILIAN;
	p[n++] = P("ua-b", "UA", "2022-03-01");
	p[n++] = P("ua-a", "UA", "2022-03-01"); /* same day: id decides */
	p[n++] = P("ua-c", "UA", NULL);          /* unknown: last */
	for (int i = 0; i < 4; i++) {
		static const char *const r[] = {"ru1", "ru2", "ru3", "ru4"};
		p[n++] = P(r[i], "RU", "2023-01-01");
	}
	struct cartel_policy *pol = policy(
		"parties: [UA, RU]\npriorities:\n  - age_under: 25\n  - "
		"category: civilian\n  - longest_held\n");
	struct cartel_plan *pl = plan(pol, p, n);
	size_t k;
	const char *const *g = cartel_plan_gives(pl, "UA", &k);
	assert_int_equal(k, 4);
	assert_string_equal(g[0], "ua-young-old");
	assert_string_equal(g[1], "ua-young-new");
	assert_string_equal(g[2], "ua-civ");
	assert_string_equal(g[3], "ua-a");
	struct cartel_plan_place pc;
	assert_int_equal(cartel_plan_place(pl, "ua-b", &pc), 0);
	assert_string_equal(pc.code, "balance");
	assert_string_equal(pc.tier_label, "longest held");
	assert_int_equal(pc.tier_position, 2);
	assert_int_equal(pc.tier_size, 3);
	assert_int_equal(cartel_plan_place(pl, "ua-young-new", &pc), 0);
	assert_non_null(strstr(pc.reason, "2nd of 4, category 'under 25'"));
	cartel_plan_free(pl);
	cartel_policy_free(pol);
}

static void
civilians_for_civilians(void **state)
{
	(void)state;
	struct cartel_person p[10];
	size_t n = 0;
	p[n++] = P("ua-m1", "UA", "2023-01-01");
	p[n++] = P("ua-m2", "UA", "2023-01-01");
	p[n] = P("ua-c1", "UA", "2023-01-01");
	p[n++].category = CARTEL_CAT_CIVILIAN;
	p[n] = P("ua-c2", "UA", "2023-01-01");
	p[n++].category = CARTEL_CAT_CIVILIAN;
	p[n++] = P("ru-m1", "RU", "2023-01-01");
	p[n++] = P("ru-m2", "RU", "2023-01-01");
	p[n++] = P("ru-m3", "RU", "2023-01-01");
	p[n] = P("ru-c1", "RU", "2023-01-01");
	p[n++].category = CARTEL_CAT_CIVILIAN;
	struct cartel_policy *pol =
		policy("parties: [UA, RU]\ncivilians_for_civilians: true\n");
	struct cartel_plan *pl = plan(pol, p, n);
	/* 2 soldiers for 2, 1 civilian for 1. */
	assert_int_equal(cartel_plan_value(pl, "UA"), 3);
	assert_int_equal(cartel_plan_value(pl, "RU"), 3);
	assert_string_equal(code_of(pl, "ua-c2"), "balance");
	assert_string_equal(code_of(pl, "ru-m3"), "balance");
	cartel_plan_free(pl);
	cartel_policy_free(pol);
	/* Without the rule: 4 for 4. */
	pol = policy("parties: [UA, RU]\n");
	pl = plan(pol, p, n);
	assert_int_equal(cartel_plan_value(pl, "UA"), 4);
	cartel_plan_free(pl);
	cartel_policy_free(pol);
}

static void
all_for_all_categories(void **state)
{
	(void)state;
	struct cartel_person p[8];
	size_t n = 0;
	p[n] = P("ua-young", "UA", "2024-01-01");
	p[n++].birth_date = (struct cartel_date){2004, 3, 1}; /* 22 */
	p[n] = P("ua-17", "UA", "2024-01-01");
	p[n++].birth_date = (struct cartel_date){2009, 3, 1}; /* 17 */
	p[n] = P("ua-26", "UA", "2024-01-01");
	p[n++].birth_date = (struct cartel_date){2000, 3, 1}; /* 26 */
	p[n] = P("ua-sick", "UA", "2024-01-01");
	p[n++].health = CARTEL_HEALTH_SICK;
	p[n] = P("ru-wounded", "RU", "2024-01-01");
	p[n++].health = CARTEL_HEALTH_SERIOUSLY_WOUNDED;
	p[n++] = P("ru-old", "RU", "2024-01-01");
	struct cartel_policy *pol = policy(
		"parties: [UA, RU]\nmode: all_for_all\ncategories:\n  - "
		"{health: [seriously_wounded, sick]}\n  - {age_from: 18, "
		"age_to: 25}\n");
	struct cartel_plan *pl = plan(pol, p, n);
	/* No balance: 2 against 1. */
	assert_int_equal(cartel_plan_value(pl, "UA"), 2);
	assert_int_equal(cartel_plan_value(pl, "RU"), 1);
	assert_string_equal(code_of(pl, "ua-young"), "listed");
	assert_string_equal(code_of(pl, "ua-sick"), "listed");
	assert_string_equal(code_of(pl, "ua-17"), "not_in_categories");
	assert_string_equal(code_of(pl, "ua-26"), "not_in_categories");
	assert_string_equal(code_of(pl, "ru-old"), "not_in_categories");
	assert_true(cartel_plan_optimal(pl, NULL));
	cartel_plan_free(pl);
	cartel_policy_free(pol);
}

static void
stages_split(void **state)
{
	(void)state;
	struct cartel_person p[40];
	char ids[40][8];
	size_t n = 0;
	for (int s = 0; s < 2; s++)
		for (int i = 0; i < 20; i++) {
			snprintf(ids[n], sizeof ids[n], "%s%02d",
				 s ? "ru" : "ua", i);
			p[n] = P(ids[n], s ? "RU" : "UA", "2023-01-01");
			p[n].held_since.day = 1 + i;
			n++;
		}
	struct cartel_policy *pol = policy(
		"parties: [UA, RU]\nmax_per_side: 10\nstages: [4, 3, 3]\n");
	struct cartel_plan *pl = plan(pol, p, n);
	json_t *doc = doc_of(pl);
	json_t *st = json_object_get(doc, "stages");
	assert_int_equal(json_array_size(st), 3);
	static const size_t want[3] = {4, 3, 3};
	for (size_t k = 0; k < 3; k++) {
		json_t *g = json_object_get(json_array_get(st, k), "gives");
		assert_int_equal(json_array_size(json_object_get(g, "UA")),
				 want[k]);
		assert_int_equal(json_array_size(json_object_get(g, "RU")),
				 want[k]);
	}
	/* In priority order: the longest held go first. */
	assert_string_equal(
		json_string_value(json_array_get(
			json_object_get(json_object_get(json_array_get(st, 0),
							"gives"),
					"UA"),
			0)),
		"ua00");
	json_decref(doc);
	cartel_plan_free(pl);
	cartel_policy_free(pol);
	/* Even stages: 10 in 3 -> 3, 3, 4. */
	pol = policy("parties: [UA, RU]\nmax_per_side: 10\nstages: 3\n");
	pl = plan(pol, p, n);
	struct cartel_plan_place pc;
	assert_int_equal(cartel_plan_place(pl, "ua09", &pc), 0);
	assert_int_equal(pc.stage, 3);
	assert_int_equal(cartel_plan_place(pl, "ua02", &pc), 0);
	assert_int_equal(pc.stage, 1);
	assert_int_equal(cartel_plan_place(pl, "ua03", &pc), 0);
	assert_int_equal(pc.stage, 2);
	cartel_plan_free(pl);
	cartel_policy_free(pol);
}

static void
empty_and_one_sided(void **state)
{
	(void)state;
	struct cartel_policy *pol = policy("parties: [UA, RU]\n");
	struct cartel_plan *pl = plan(pol, NULL, 0);
	json_t *doc = doc_of(pl);
	assert_int_equal(json_array_size(json_object_get(
				 json_object_get(json_object_get(doc, "sides"),
						 "UA"),
				 "gives")),
			 0);
	assert_true(json_is_true(json_object_get(doc, "optimal")));
	json_decref(doc);
	char *sum = NULL;
	assert_int_equal(cartel_plan_summary(pl, &sum, NULL), 0);
	assert_non_null(strstr(sum, "gives (persons)"));
	free(sum);
	cartel_plan_free(pl);

	/* RU holds nobody eligible: both lists empty, UA's men explained. */
	struct cartel_person p[3];
	p[0] = P("ua1", "UA", "2023-01-01");
	p[1] = P("ua2", "UA", "2023-01-01");
	p[2] = P("ru1", "RU", "2023-01-01");
	p[2].status = CARTEL_STATUS_DECEASED;
	pl = plan(pol, p, 3);
	assert_int_equal(cartel_plan_value(pl, "UA"), 0);
	struct cartel_plan_place pc;
	assert_int_equal(cartel_plan_place(pl, "ua1", &pc), 0);
	assert_string_equal(pc.code, "balance");
	assert_non_null(strstr(pc.reason, "side RU gives 0 persons"));
	cartel_plan_free(pl);

	/* Two persons with one id is an error, not a plan. */
	p[1].id = (char *)"ua1";
	struct cartel_plan *bad = NULL;
	char *why = NULL;
	assert_int_equal(cartel_plan_make(&bad, pol, p, 3, NULL, &why),
			 CARTEL_EINVAL);
	assert_null(bad);
	assert_non_null(strstr(why, "ua1"));
	free(why);
	cartel_policy_free(pol);
}

/* A small deterministic generator, so that failures reproduce. */
static unsigned long rng_state = 12345;
static unsigned
rnd(unsigned n)
{
	rng_state = rng_state * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)((rng_state >> 33) % n);
}

static void
determinism(void **state)
{
	(void)state;
	enum { N = 200 };
	struct cartel_person p[N];
	char ids[N][12];
	static const char *const ranks[] = {"рядовий", "сержант", "лейтенант",
					    "капитан", "майор", "полковник"};
	for (int i = 0; i < N; i++) {
		snprintf(ids[i], sizeof ids[i], "p%04d", i);
		p[i] = P(ids[i], i % 3 ? "UA" : "RU", NULL);
		p[i].held_since = (struct cartel_date){2022 + (int)rnd(3),
						       1 + (int)rnd(12), 1};
		p[i].rank = (char *)ranks[rnd(6)];
		p[i].birth_date =
			(struct cartel_date){1970 + (int)rnd(35), 1, 1};
	}
	struct cartel_policy *pol = policy(
		"parties: [UA, RU]\nscale: dix-hill\nmax_per_side: 40\n"
		"priorities:\n  - age_under: 30\n  - longest_held\n");
	struct cartel_plan *a = plan(pol, p, N);
	/* Shuffle and plan again: the same document. */
	for (int i = N - 1; i > 0; i--) {
		int j = (int)rnd((unsigned)i + 1);
		struct cartel_person t = p[i];
		p[i] = p[j];
		p[j] = t;
	}
	struct cartel_plan *b = plan(pol, p, N);
	char *ja = NULL, *jb = NULL;
	assert_int_equal(cartel_plan_json(a, 0, &ja, NULL), 0);
	assert_int_equal(cartel_plan_json(b, 0, &jb, NULL), 0);
	assert_string_equal(ja, jb);
	assert_string_equal(cartel_plan_digest(a), cartel_plan_digest(b));
	assert_int_equal(cartel_plan_value(a, "UA"),
			 cartel_plan_value(a, "RU"));
	free(ja);
	free(jb);
	cartel_plan_free(a);
	cartel_plan_free(b);
	cartel_policy_free(pol);
}

/*
 * The scale balance against brute force: small registers with random
 * ranks, tiers, pools and caps; every subset of each side is tried, and
 * the best vector of (tier-0 count, tier-1 count, ...) over subsets that
 * balance and respect the cap must equal the planner's.
 */
static void
scale_exact_against_brute_force(void **state)
{
	(void)state;
	enum { NS = 6 }; /* per side: 2^12 pairs of subsets */
	static const char *const ranks[] = {"private", "sergeant",
					    "lieutenant", "captain", "major",
					    "colonel"};
	static const long values[] = {1, 2, 4, 6, 8, 15};
	static const char *const policies[] = {
		"parties: [UA, RU]\nscale: dix-hill\npriorities:\n  - "
		"age_under: 30\n",
		"parties: [UA, RU]\nscale: dix-hill\nmax_per_side: 3\n"
		"priorities:\n  - age_under: 30\n  - category: civilian\n",
		"parties: [UA, RU]\nscale: dix-hill\nratio: \"1:2\"\n"
		"civilians_for_civilians: true\nmax_per_side: 4\n",
		"parties: [UA, RU]\nscale: dix-hill\ntolerance: 1\n"
		"priorities:\n  - age_under: 30\n",
	};
	int checked = 0, nonzero = 0;
	for (int round = 0; round < 60; round++) {
		const char *ptext = policies[round % 4];
		struct cartel_policy *pol = policy(ptext);
		struct cartel_person p[2 * NS];
		char ids[2 * NS][8];
		long val[2 * NS];
		int tier[2 * NS], civ[2 * NS];
		int young_first = strstr(ptext, "age_under") != NULL;
		int civ_tier = strstr(ptext, "category: civilian") != NULL;
		int c4c = strstr(ptext, "civilians_for") != NULL;
		long tol = strstr(ptext, "tolerance: 1") ? 1 : 0;
		long cap = strstr(ptext, "max_per_side: 3")   ? 3
			   : strstr(ptext, "max_per_side: 4") ? 4
							      : 99;
		long ra = 1, rb = strstr(ptext, "1:2") ? 2 : 1;
		for (int i = 0; i < 2 * NS; i++) {
			snprintf(ids[i], sizeof ids[i], "%s%d",
				 i < NS ? "ua" : "ru", i);
			p[i] = P(ids[i], i < NS ? "UA" : "RU", "2023-01-01");
			p[i].held_since.day = 1 + (int)rnd(28);
			int r = (int)rnd(6);
			p[i].rank = (char *)ranks[r];
			val[i] = values[r];
			int young = rnd(2);
			p[i].birth_date = (struct cartel_date){
				young ? 2000 : 1980, 1, 1};
			civ[i] = rnd(4) == 0;
			if (civ[i]) {
				p[i].category = CARTEL_CAT_CIVILIAN;
				val[i] = 1;
			}
			tier[i] = 0;
			if (young_first) {
				if (young)
					tier[i] = 0;
				else if (civ_tier && civ[i])
					tier[i] = 1;
				else
					tier[i] = civ_tier ? 2 : 1;
			}
		}
		struct cartel_plan *pl = plan(pol, p, 2 * NS);
		assert_true(cartel_plan_optimal(pl, NULL));
		/* The planner's tier counts. */
		long got[3] = {0, 0, 0};
		long vs[2] = {0, 0};
		int cnt[2] = {0, 0};
		long pv[2][2] = {{0, 0}, {0, 0}};
		for (int i = 0; i < 2 * NS; i++) {
			if (strcmp(code_of(pl, ids[i]), "listed") != 0)
				continue;
			got[tier[i]]++;
			vs[i >= NS] += val[i];
			cnt[i >= NS]++;
			pv[i >= NS][c4c && civ[i]] += val[i];
		}
		/* Its solution is feasible... */
		assert_true(cnt[0] <= cap && cnt[1] <= cap);
		for (int q = 0; q < 2; q++) {
			long d = rb * pv[0][q] - ra * pv[1][q];
			long t = (q == 0) ? tol : 0;
			assert_true(d >= -t && d <= t);
		}
		assert_int_equal(cartel_plan_value(pl, "UA"), vs[0]);
		/* ...and nothing beats it. */
		long best[3] = {-1, -1, -1};
		for (unsigned ma = 0; ma < (1u << NS); ma++) {
			for (unsigned mb = 0; mb < (1u << NS); mb++) {
				long v[2][2] = {{0, 0}, {0, 0}};
				long c[2] = {0, 0}, tc[3] = {0, 0, 0};
				for (int i = 0; i < 2 * NS; i++) {
					unsigned m = i < NS ? ma : mb;
					if (!(m & (1u << (i % NS))))
						continue;
					v[i >= NS][c4c && civ[i]] += val[i];
					c[i >= NS]++;
					tc[tier[i]]++;
				}
				if (c[0] > cap || c[1] > cap)
					continue;
				long d0 = rb * v[0][0] - ra * v[1][0];
				long d1 = rb * v[0][1] - ra * v[1][1];
				if (d0 < -tol || d0 > tol || d1 != 0)
					continue;
				int better = 0;
				for (int t = 0; t < 3; t++) {
					if (tc[t] != best[t]) {
						better = tc[t] > best[t];
						break;
					}
				}
				if (better)
					memcpy(best, tc, sizeof best);
			}
		}
		for (int t = 0; t < 3; t++)
			if (best[t] != got[t])
				fail_msg("round %d (%s): tier %d takes %ld, "
					 "brute force %ld", round, ptext, t,
					 got[t], best[t]);
		checked++;
		if (got[0] + got[1] + got[2] > 0)
			nonzero++;
		cartel_plan_free(pl);
		cartel_policy_free(pol);
	}
	assert_int_equal(checked, 60);
	assert_true(nonzero > 30); /* the cases are not all trivial */
}

static void
scale_reasons(void **state)
{
	(void)state;
	struct cartel_person p[4];
	p[0] = P("ua-col", "UA", "2022-01-01");
	p[0].rank = (char *)"полковник";
	p[1] = P("ua-shaman", "UA", "2022-01-01");
	p[1].rank = (char *)"шаман";
	p[2] = P("ua-norank", "UA", "2022-01-01");
	p[3] = P("ru-pvt", "RU", "2022-01-01");
	p[3].rank = (char *)"рядовой";
	struct cartel_policy *pol =
		policy("parties: [UA, RU]\nscale: dix-hill\n");
	struct cartel_plan *pl = plan(pol, p, 4);
	assert_string_equal(code_of(pl, "ua-shaman"), "rank_not_on_scale");
	assert_string_equal(code_of(pl, "ua-norank"), "no_rank");
	/* A colonel (15) cannot be balanced by one private (1). */
	assert_string_equal(code_of(pl, "ua-col"), "balance");
	struct cartel_plan_place pc;
	assert_int_equal(cartel_plan_place(pl, "ua-col", &pc), 0);
	assert_int_equal(pc.value, 15);
	assert_non_null(strstr(pc.reason, "in value"));
	cartel_plan_free(pl);
	cartel_policy_free(pol);
	/* A full list does not make the cap the reason when men of a later
	 * priority went in: then the balance kept him out. */
	struct cartel_person q[5];
	q[0] = P("ua-col", "UA", "2022-01-01");
	q[0].rank = (char *)"colonel";
	q[0].birth_date = (struct cartel_date){2003, 1, 1};
	q[1] = P("ua-p1", "UA", "2022-01-01");
	q[1].rank = (char *)"private";
	q[2] = P("ua-p2", "UA", "2022-01-01");
	q[2].rank = (char *)"private";
	q[3] = P("ru-p1", "RU", "2022-01-01");
	q[3].rank = (char *)"private";
	q[4] = P("ru-p2", "RU", "2022-01-01");
	q[4].rank = (char *)"private";
	struct cartel_policy *capped = policy(
		"parties: [UA, RU]\nscale: dix-hill\nmax_per_side: 2\n"
		"priorities:\n  - age_under: 25\n");
	pl = plan(capped, q, 5);
	assert_int_equal(cartel_plan_value(pl, "UA"), 2);
	assert_string_equal(code_of(pl, "ua-col"), "balance");
	cartel_plan_free(pl);
	cartel_policy_free(capped);

	/* With unranked counted as privates, the private of RU goes for the
	 * man with no rank. */
	pol = policy("parties: [UA, RU]\nscale: dix-hill\nunranked: "
		     "private\n");
	pl = plan(pol, p, 4);
	assert_string_equal(code_of(pl, "ua-norank"), "listed");
	assert_string_equal(code_of(pl, "ru-pvt"), "listed");
	cartel_plan_free(pl);
	cartel_policy_free(pol);
}

/* A long label in Cyrillic: the reasons are cut to their limit on a
 * character boundary, and the document stays valid UTF-8. */
static void
long_labels(void **state)
{
	(void)state;
	char yaml[2048] = "parties: [UA, RU]\nmax_per_side: 1\npriorities:\n"
			  "  - {age_under: 99, label: \"";
	size_t used = strlen(yaml);
	for (int i = 0; i < 300; i++)
		used += (size_t)snprintf(yaml + used, sizeof yaml - used, "ж");
	snprintf(yaml + used, sizeof yaml - used, "x\"}\n");
	struct cartel_policy *pol = policy(yaml);
	struct cartel_person p[3];
	p[0] = P("ua1", "UA", "2022-01-01");
	p[1] = P("ua2", "UA", "2022-02-01");
	p[2] = P("ru1", "RU", "2022-01-01");
	struct cartel_plan *pl = plan(pol, p, 3);
	char *text = NULL;
	assert_int_equal(cartel_plan_json(pl, 0, &text, NULL), 0);
	json_t *doc = json_loads(text, 0, NULL);
	assert_non_null(doc);
	json_t *ex = json_array_get(json_object_get(doc, "excluded"), 0);
	const char *why = json_string_value(json_object_get(ex, "reason"));
	assert_non_null(why);
	assert_true(strlen(why) < CARTEL_PLAN_REASON_MAX);
	assert_non_null(strstr(why, "ж"));
	json_decref(doc);
	free(text);
	cartel_plan_free(pl);
	cartel_policy_free(pol);
}

/* The solver on groups directly: with no time at all nothing is proven,
 * the answer is the empty (feasible) one and the gap is total; with time,
 * the same programme is solved and proven. */
static void
solver_reports_unproven(void **state)
{
	(void)state;
	struct cartel_policy *pol =
		policy("parties: [UA, RU]\nscale: dix-hill\n");
	struct plan_group g[4] = {
		{0, 0, 0, 15, 3, 0}, /* UA: 3 colonels */
		{0, 0, 0, 1, 20, 0}, /* UA: 20 privates */
		{1, 0, 0, 6, 5, 0},  /* RU: 5 captains */
		{1, 0, 0, 2, 4, 0},  /* RU: 4 sergeants */
	};
	struct plan_solve sv;
	assert_int_equal(cartel__plan_solve(g, 4, 1, pol, 0, &sv, NULL), 0);
	assert_false(sv.optimal);
	assert_true(sv.gap > 0.99);
	assert_string_equal(sv.status, "time limit");
	for (int i = 0; i < 4; i++)
		assert_int_equal(g[i].take, 0);
	cartel__plan_solve_clear(&sv);
	assert_int_equal(cartel__plan_solve(g, 4, 1, pol, 5000, &sv, NULL), 0);
	assert_true(sv.optimal);
	assert_int_equal(sv.n_steps, 1);
	assert_true(sv.steps[0].proven);
	/* The most heads: 1 colonel and 19 privates (34) for 5 captains
	 * and 2 sergeants (34), 27 in all; all of RU (38) would need 2
	 * colonels and 8 privates, 19 in all. */
	assert_int_equal(g[0].take * 15 + g[1].take,
			 g[2].take * 6 + g[3].take * 2);
	assert_int_equal(g[0].take + g[1].take + g[2].take + g[3].take, 27);
	assert_int_equal(g[0].take, 1);
	assert_int_equal(g[1].take, 19);
	cartel__plan_solve_clear(&sv);
	cartel_policy_free(pol);
}

/* A man asked about repatriation who has not answered: listed like one
 * never asked, flagged apart from him, not ready for handover, and the
 * explanation says he was asked. */
static void
consent_undecided_flagged(void **state)
{
	(void)state;
	struct cartel_person p[4];
	size_t n = 0;
	p[n] = P("ua-asked", "UA", "2022-01-01");
	p[n++].consent = CARTEL_CONSENT_UNDECIDED;
	p[n] = P("ua-never", "UA", "2022-02-01");
	p[n++].consent = CARTEL_CONSENT_NOT_ASKED;
	p[n++] = P("ru-1", "RU", "2022-01-01");
	p[n++] = P("ru-2", "RU", "2022-01-01");
	struct cartel_policy *pol = policy("parties: [UA, RU]\n");
	struct cartel_plan *pl = plan(pol, p, n);
	struct cartel_plan_place pc;
	assert_int_equal(cartel_plan_place(pl, "ua-asked", &pc), 0);
	assert_string_equal(pc.code, "listed");
	assert_true(pc.consent_undecided);
	assert_false(pc.consent_not_asked);
	assert_non_null(strstr(pc.reason, "asked about repatriation and has "
					  "not answered yet"));
	assert_null(strstr(pc.reason, "not yet asked"));
	assert_int_equal(cartel_plan_place(pl, "ua-never", &pc), 0);
	assert_false(pc.consent_undecided);
	assert_true(pc.consent_not_asked);
	json_t *doc = doc_of(pl);
	json_t *flags = json_object_get(doc, "flags");
	assert_true(has(json_object_get(flags, "consent_undecided"),
			"ua-asked"));
	assert_false(has(json_object_get(flags, "consent_undecided"),
			 "ua-never"));
	assert_false(has(json_object_get(flags, "consent_not_asked"),
			 "ua-asked"));
	json_t *ua = json_object_get(json_object_get(doc, "sides"), "UA");
	size_t i;
	json_t *v;
	int seen = 0;
	json_array_foreach(json_object_get(ua, "persons"), i, v)
	{
		const char *id = json_string_value(json_object_get(v, "id"));
		if (strcmp(id, "ua-asked") != 0)
			continue;
		assert_false(json_is_true(json_object_get(v,
							  "handover_ready")));
		assert_true(json_is_true(json_object_get(v,
							 "consent_undecided")));
		seen++;
	}
	assert_int_equal(seen, 1);
	json_decref(doc);
	cartel_plan_free(pl);
	cartel_policy_free(pol);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rules_no_policy_overrides),
		cmocka_unit_test(consent_undecided_flagged),
		cmocka_unit_test(ratio_and_cap),
		cmocka_unit_test(priorities_in_order),
		cmocka_unit_test(civilians_for_civilians),
		cmocka_unit_test(all_for_all_categories),
		cmocka_unit_test(stages_split),
		cmocka_unit_test(empty_and_one_sided),
		cmocka_unit_test(determinism),
		cmocka_unit_test(scale_exact_against_brute_force),
		cmocka_unit_test(scale_reasons),
		cmocka_unit_test(long_labels),
		cmocka_unit_test(solver_reports_unproven),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
