/*
 * Unit tests for policy files: every mistake a mediator can make is an
 * error naming the line and the key, and the example policies read back as
 * the deals they describe.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cartel/cartel.h>
#include <cartel/plan.h>

#include "plan/plan_int.h"

/* Parses text that must fail; checks the code and that the message names
 * "line N, key 'K'" (or just "line N" when key is NULL). */
static void
expect_error(const char *text, int code, int line, const char *key,
	     const char *also)
{
	struct cartel_policy *pol = NULL;
	char *why = NULL;
	int rc = cartel_policy_parse(&pol, text, strlen(text), "p.yaml", &why);
	if (rc != code || why == NULL)
		fail_msg("expected %d, got %d (%s) for:\n%s", code, rc,
			 why ? why : "no message", text);
	assert_null(pol);
	char want[128];
	if (key != NULL)
		snprintf(want, sizeof want, "p.yaml line %d, key '%s'", line,
			 key);
	else
		snprintf(want, sizeof want, "p.yaml line %d", line);
	if (strstr(why, want) == NULL)
		fail_msg("message \"%s\" does not name \"%s\"", why, want);
	if (also != NULL && strstr(why, also) == NULL)
		fail_msg("message \"%s\" does not say \"%s\"", why, also);
	free(why);
}

static struct cartel_policy *
parse_ok(const char *text)
{
	struct cartel_policy *pol = NULL;
	char *why = NULL;
	int rc = cartel_policy_parse(&pol, text, strlen(text), "p.yaml", &why);
	if (rc != 0)
		fail_msg("unexpected error %d: %s", rc, why ? why : "");
	return pol;
}

static void
unknown_key(void **state)
{
	(void)state;
	expect_error("parties: [UA, RU]\nmax_per_sdie: 300\n", CARTEL_EINVAL,
		     2, "max_per_sdie", "unknown key");
	expect_error("parties: [UA, RU]\npriorities:\n  - age_undr: 25\n",
		     CARTEL_EINVAL, 3, "priorities[1].age_undr",
		     "unknown condition");
	expect_error("parties: [UA, RU]\nscale:\n  values: {a: 1}\n  "
		     "colour: red\n",
		     CARTEL_EINVAL, 4, "colour", "unknown key");
}

static void
wrong_type(void **state)
{
	(void)state;
	expect_error("parties: [UA, RU]\nmax_per_side: lots\n", CARTEL_EINVAL,
		     2, "max_per_side", "not a whole number");
	expect_error("parties: [UA, RU]\nmax_per_side: \"300\"\n",
		     CARTEL_EINVAL, 2, "max_per_side", "quoted");
	expect_error("parties: UA\n", CARTEL_EINVAL, 1, "parties", "list");
	expect_error("parties: [UA, RU]\ncivilians_for_civilians: maybe\n",
		     CARTEL_EINVAL, 2, "civilians_for_civilians",
		     "true or false");
	expect_error("parties: [UA, RU]\nwithhold: proceedings\n",
		     CARTEL_EINVAL, 2, "withhold", "list");
	expect_error("parties: [UA, RU]\npriorities: {age_under: 25}\n",
		     CARTEL_EINVAL, 2, "priorities", "list");
	expect_error("parties: [UA, RU]\nratio: 2\n", CARTEL_EINVAL, 2,
		     "ratio", "ratio");
	expect_error("- parties\n", CARTEL_EINVAL, 1, "(top)", "mapping");
}

static void
contradictions(void **state)
{
	(void)state;
	expect_error("parties: [UA, RU]\nmode: all_for_all\nratio: \"1:1\"\n",
		     CARTEL_EINVAL, 3, "ratio", "all_for_all");
	expect_error("parties: [UA, RU]\nmax_per_side: 50\nmode: "
		     "all_for_all\n",
		     CARTEL_EINVAL, 2, "max_per_side", "line 3");
	expect_error("parties: [UA, RU]\nmode: all_for_all\nscale: "
		     "dix-hill\n",
		     CARTEL_EINVAL, 3, "scale", "all_for_all");
	expect_error("parties: [UA, RU]\nmax_per_side: 1000\nstages: [390, "
		     "307, 300]\n",
		     CARTEL_EINVAL, 3, "stages", "997");
	expect_error("parties: [UA, RU]\ntolerance: 2\n", CARTEL_EINVAL, 2,
		     "tolerance", "scale");
	expect_error("parties: [UA, RU]\npriorities:\n  - longest_held\n  - "
		     "age_under: 25\n",
		     CARTEL_EINVAL, 4, "priorities[2]", "last");
	expect_error("parties: [UA, RU]\npriorities:\n  - {age_from: 30, "
		     "age_to: 25}\n",
		     CARTEL_EINVAL, 3, "priorities[1]", "no age");
	expect_error("parties: [UA, RU]\nscale: dix-hill\nunranked: "
		     "admiral_of_the_moon\n",
		     CARTEL_EINVAL, 3, "unranked", "not a class");
}

static void
bad_values(void **state)
{
	(void)state;
	expect_error("parties: [UA, RU]\nmax_per_side: -3\n", CARTEL_EINVAL,
		     2, "max_per_side", "-3 is not a positive");
	expect_error("parties: [UA, UA]\n", CARTEL_EINVAL, 1, "parties",
		     "listed twice");
	expect_error("parties:\n  - UA\n  - RU\n  - BY\n", CARTEL_EINVAL, 2,
		     "parties", "two parties");
	expect_error("parties: [UA, RU]\nscale: napoleonic\n", CARTEL_EINVAL,
		     2, "scale", "dix-hill");
	expect_error("parties: [UA, RU]\nstages: 0\n", CARTEL_EINVAL, 2,
		     "stages", "0 is not");
	expect_error("parties: [UA, RU]\nstages: [100, 0]\n", CARTEL_EINVAL,
		     2, "stages[2]", "0 is not");
	expect_error("parties: [UA, RU]\nwithhold: [disciplinary]\n",
		     CARTEL_EINVAL, 2, "withhold", "disciplinary");
	expect_error("parties: [UA, RU]\nwithhold: [convicted, convicted]\n",
		     CARTEL_EINVAL, 2, "withhold", "twice");
	expect_error("parties: [UA, RU]\nmode: some_for_some\n",
		     CARTEL_EINVAL, 2, "mode", "all_for_all");
	expect_error("parties: [UA, RU]\nratio: \"0:1\"\n", CARTEL_EINVAL, 2,
		     "ratio", "positive");
	expect_error("parties: [UA, RU]\npriorities:\n  - category: "
		     "pirate\n",
		     CARTEL_EINVAL, 3, "priorities[1].category", "not one of");
	expect_error("parties: [UA, RU]\nscale:\n  values: {officer: 3, "
		     "soldier: 1}\n  ranks: {major: general}\n",
		     CARTEL_EINVAL, 4, "scale.ranks.major", "not a class");
	expect_error("parties: [UA, RU]\nscale:\n  values: {officer: 0}\n",
		     CARTEL_EINVAL, 3, "scale.values.officer", "worth");
	expect_error("mode: balanced\n", CARTEL_EINVAL, 1, "parties",
		     "required");
	expect_error("parties: [UA, RU]\nparties: [UA, BY]\n", CARTEL_EINVAL,
		     2, "parties", "twice");
}

static void
bad_yaml(void **state)
{
	(void)state;
	expect_error("parties: [UA, RU\nmode: balanced\n", CARTEL_EFORMAT, 2,
		     NULL, "not valid YAML");
	expect_error("", CARTEL_EINVAL, 1, NULL, "empty");
	expect_error("parties: [UA, RU]\n---\nparties: [UA, BY]\n",
		     CARTEL_EINVAL, 3, NULL, "second document");
}

static void
full_policy(void **state)
{
	(void)state;
	struct cartel_policy *pol = parse_ok(
		"name: test deal\n"
		"parties: [UA, RU]\n"
		"mode: balanced\n"
		"ratio: \"2:4\"\n"
		"max_per_side: 300\n"
		"priorities:\n"
		"  - age_under: 25\n"
		"  - {category: civilian, label: civilians}\n"
		"  - {health: [sick, seriously_wounded], sex: female}\n"
		"  - longest_held\n"
		"withhold: [proceedings, convicted]\n"
		"civilians_for_civilians: yes\n"
		"stages: 3\n");
	assert_string_equal(pol->parties[0], "UA");
	assert_string_equal(pol->parties[1], "RU");
	assert_int_equal(pol->ratio[0], 1); /* reduced */
	assert_int_equal(pol->ratio[1], 2);
	assert_int_equal(pol->max_per_side, 300);
	assert_int_equal(pol->n_priorities, 4);
	assert_int_equal(pol->priorities[0].age_under, 25);
	assert_string_equal(pol->priorities[0].label, "under 25");
	assert_string_equal(pol->priorities[1].label, "civilians");
	assert_true(pol->priorities[3].catch_all);
	assert_int_equal(pol->withhold_mask,
			 (1u << CARTEL_HOLD_PROCEEDINGS) |
				 (1u << CARTEL_HOLD_CONVICTED));
	assert_true(pol->civilians_for_civilians);
	assert_int_equal(pol->n_stages, 3);
	assert_null(pol->stage_sizes);
	assert_int_equal(strlen(cartel_policy_digest(pol)), 64);
	cartel_policy_free(pol);

	/* Stage sizes set the cap when none is given. */
	pol = parse_ok("parties: [UA, RU]\nstages: [390, 307, 303]\n");
	assert_int_equal(pol->max_per_side, 1000);
	cartel_policy_free(pol);
}

static void
inline_scale(void **state)
{
	(void)state;
	struct cartel_policy *pol = parse_ok(
		"parties: [UA, RU]\n"
		"scale:\n"
		"  name: two-class\n"
		"  values: {Officer: 3, soldier: 1}\n"
		"  ranks: {Лейтенант: officer, 'Старший  лейтенант': "
		"officer, рядовий: soldier}\n"
		"unranked: soldier\n"
		"tolerance: 1\n");
	assert_non_null(pol->scale);
	assert_string_equal(pol->scale->name, "two-class");
	int c = cartel__plan_scale_lookup(pol->scale, "СТАРШИЙ ЛЕЙТЕНАНТ");
	assert_true(c >= 0);
	assert_int_equal(pol->scale->classes[c].value, 3);
	c = cartel__plan_scale_lookup(pol->scale, "soldier"); /* a class name */
	assert_int_equal(pol->scale->classes[c].value, 1);
	assert_int_equal(cartel__plan_scale_lookup(pol->scale, "major"), -1);
	assert_int_equal(pol->scale->classes[pol->unranked].value, 1);
	assert_int_equal(pol->tolerance, 1);
	cartel_policy_free(pol);
}

static void
dix_hill_ranks(void **state)
{
	(void)state;
	static const struct {
		const char *rank;
		long value;
	} cases[] = {
		{"Private", 1},		{"рядовий", 1},
		{"Рядовой", 1},		{"ефрейтор", 1},
		{"старший солдат", 1},	{"Sergeant", 2},
		{"молодший сержант", 2}, {"старшина 1 статьи", 2},
		{"прапорщик", 3},	{"мичман", 3},
		{"Лейтенант", 4},	{"старший лейтенант", 4},
		{"Lt.", 4},		{"капітан", 6},
		{"Капитан", 6},		{"Captain", 6},
		{"майор", 8},		{"капитан 3 ранга", 8},
		{"підполковник", 10},	{"Lieutenant Colonel", 10},
		{"полковник", 15},	{"гвардии полковник", 15},
		{"полковник медичної служби", 15},
		{"бригадний генерал", 20}, {"генерал-майор", 40},
		{"генерал-лейтенант", 40}, {"контр-адмирал", 40},
		{"генерал армии", 60},	{"Admiral", 60},
		{"  private   first  class ", 1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		long v = 0;
		const char *cls = NULL;
		if (cartel_scale_rank("dix-hill", cases[i].rank, &v, &cls) !=
		    0)
			fail_msg("rank '%s' not on the scale", cases[i].rank);
		if (v != cases[i].value)
			fail_msg("rank '%s' is %ld, expected %ld",
				 cases[i].rank, v, cases[i].value);
	}
	assert_int_equal(cartel_scale_rank("dix-hill", "шаман", NULL, NULL),
			 CARTEL_ENOTFOUND);
	assert_int_equal(cartel_scale_rank("nope", "private", NULL, NULL),
			 CARTEL_ENOTFOUND);
}

/* A list made earlier counted again (round amend): values by the scale,
 * the balance by the ratio and the tolerance, in either party order. */
static void
amend_values_and_balance(void **state)
{
	(void)state;
	struct cartel_policy *pol = parse_ok("parties: [UA, RU]\n"
					     "ratio: \"2:1\"\n"
					     "scale: dix-hill\n"
					     "tolerance: 1\n"
					     "unranked: private\n");
	long v = 0;
	char *why = NULL;
	assert_int_equal(cartel_policy_person_value(pol, "майор", 0, &v,
						    &why),
			 0);
	assert_int_equal(v, 8);
	assert_int_equal(cartel_policy_person_value(pol, NULL, 0, &v, &why),
			 0);
	assert_int_equal(v, 1);
	assert_int_equal(cartel_policy_person_value(pol, "майор", 1, &v,
						    &why),
			 0);
	assert_int_equal(v, 1); /* a civilian: one head */
	assert_int_equal(cartel_policy_person_value(pol, "шаман", 0, &v,
						    &why),
			 CARTEL_ENOTFOUND);
	assert_non_null(strstr(why, "not on scale"));
	free(why);
	why = NULL;
	/* UA gives 2 for every 1 RU gives, within 1. */
	assert_int_equal(cartel_policy_balance(pol, "UA", 16, "RU", 8, &why),
			 0);
	assert_int_equal(cartel_policy_balance(pol, "RU", 8, "UA", 17, &why),
			 0);
	assert_int_equal(cartel_policy_balance(pol, "UA", 16, "RU", 10, &why),
			 CARTEL_ESTATE);
	assert_non_null(strstr(why, "UA gives 16 and RU gives 10"));
	free(why);
	why = NULL;
	assert_int_equal(cartel_policy_balance(pol, "UA", 1, "XX", 1, &why),
			 CARTEL_EINVAL);
	free(why);
	cartel_policy_free(pol);
	/* By head, exact. */
	pol = parse_ok("parties: [UA, RU]\nratio: \"1:1\"\n");
	why = NULL;
	assert_int_equal(cartel_policy_person_value(pol, "шаман", 0, &v,
						    &why),
			 0);
	assert_int_equal(v, 1);
	assert_int_equal(cartel_policy_balance(pol, "UA", 3, "RU", 4, &why),
			 CARTEL_ESTATE);
	free(why);
	cartel_policy_free(pol);
}

/* Every shipped example reads without error. */
static void
examples_parse(void **state)
{
	(void)state;
	const char *tests = getenv("CARTEL_TEST_DIR");
	if (tests == NULL)
		tests = "tests";
	static const char *const files[] = {
		"one-for-one.yaml", "istanbul-1000-for-1000.yaml",
		"all-for-all-wounded-and-young.yaml", "dix-hill.yaml"};
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		char path[1024];
		snprintf(path, sizeof path, "%s/../examples/policies/%s",
			 tests, files[i]);
		struct cartel_policy *pol = NULL;
		char *why = NULL;
		if (cartel_policy_load(&pol, path, &why) != 0)
			fail_msg("%s: %s", path, why ? why : "?");
		cartel_policy_free(pol);
	}
	struct cartel_policy *pol = NULL;
	char *why = NULL;
	assert_int_equal(cartel_policy_load(&pol, "/nonexistent/p.yaml", &why),
			 CARTEL_ENOTFOUND);
	free(why);
}

/* The words a plan shows for a priority group when the policy gives no
 * label: made from its conditions, every kind of age range included;
 * conditions that hold nobody, or none at all, are refused by line. */
static void
group_labels(void **state)
{
	(void)state;
	struct cartel_policy *pol = parse_ok(
		"parties: [UA, RU]\n"
		"priorities:\n"
		"  - age_over: 60\n"
		"  - {age_from: 18, age_to: 25}\n"
		"  - age_from: 50\n"
		"  - age_to: 20\n"
		"  - held_days_over: 365\n"
		"  - {sex: female, age_over: 40}\n"
		"  - {age_over: 20, age_under: 30, age_from: 22, age_to: 28}\n");
	assert_int_equal(pol->n_priorities, 7);
	assert_string_equal(pol->priorities[0].label, "over 60");
	assert_string_equal(pol->priorities[1].label, "aged 18-25");
	assert_string_equal(pol->priorities[2].label, "aged 50 or more");
	assert_string_equal(pol->priorities[3].label, "aged 20 or less");
	assert_string_equal(pol->priorities[4].label, "held over 365 days");
	assert_non_null(strstr(pol->priorities[5].label, "over 40"));
	assert_non_null(strstr(pol->priorities[6].label, "aged 22-28"));
	cartel_policy_free(pol);

	expect_error("parties: [UA, RU]\npriorities:\n"
		     "  - {age_from: 30, age_under: 20}\n",
		     CARTEL_EINVAL, 3, NULL, "contradict");
	expect_error("parties: [UA, RU]\npriorities:\n"
		     "  - {age_over: 70, age_to: 70}\n",
		     CARTEL_EINVAL, 3, NULL, "contradict");
	expect_error("parties: [UA, RU]\npriorities:\n"
		     "  - {label: nobody}\n",
		     CARTEL_EINVAL, 3, NULL, "has no condition");
	expect_error("parties: [UA, RU]\npriorities:\n"
		     "  - {age_over: 20, longest_held: 1}\n",
		     CARTEL_EINVAL, 3, NULL, "stands alone");
	expect_error("parties: [UA, RU]\npriorities:\n"
		     "  - {shoe_size: 44}\n",
		     CARTEL_EINVAL, 3, NULL, "unknown condition");
	expect_error("parties: [UA, RU]\npriorities:\n"
		     "  - {held_days_over: -1}\n",
		     CARTEL_EINVAL, 3, NULL, "number of days");
	expect_error("parties: [UA, RU]\npriorities:\n"
		     "  - {age_under: 151}\n",
		     CARTEL_EINVAL, 3, NULL, "between 0 and 150");
	expect_error("parties: [UA, RU]\npriorities:\n"
		     "  - {sex: [female, female]}\n",
		     CARTEL_EINVAL, 3, NULL, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unknown_key),
		cmocka_unit_test(wrong_type),
		cmocka_unit_test(contradictions),
		cmocka_unit_test(bad_values),
		cmocka_unit_test(bad_yaml),
		cmocka_unit_test(full_policy),
		cmocka_unit_test(group_labels),
		cmocka_unit_test(inline_scale),
		cmocka_unit_test(dix_hill_ranks),
		cmocka_unit_test(examples_parse),
		cmocka_unit_test(amend_values_and_balance),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
