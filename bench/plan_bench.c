/*
 * The planner's figures: builds N captives held by each side in memory
 * (ranks, ages, health, consent and holds in plausible proportions, the
 * ranks written as each side's clerks write them) and times
 * cartel_plan_make and the plan document under several policies.
 *
 * usage: plan_bench [N_PER_SIDE] [REPEATS]   (default 100000, 3)
 * Prints one row per policy: the best of REPEATS runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cartel/cartel.h>
#include <cartel/plan.h>

static unsigned long long rng = 0x9E3779B97F4A7C15ULL;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Rank texts by class, most common first; [0] Russian (held by UA), [1]
 * Ukrainian (held by RU). Cumulative per mille. */
static const struct {
	const char *text[2];
	unsigned per_mille;
} ranks[] = {
	{{"рядовой", "солдат"}, 550},
	{{"ефрейтор", "старший солдат"}, 80},
	{{"сержант", "сержант"}, 120},
	{{"старший сержант", "старший сержант"}, 50},
	{{"прапорщик", "головний сержант"}, 30},
	{{"лейтенант", "лейтенант"}, 40},
	{{"старший лейтенант", "старший лейтенант"}, 30},
	{{"капитан", "капітан"}, 40},
	{{"майор", "майор"}, 25},
	{{"подполковник", "підполковник"}, 15},
	{{"полковник", "полковник"}, 12},
	{{"генерал-майор", "бригадний генерал"}, 3},
	{{"", ""}, 5}, /* not recorded */
};

/* Officers only, from lieutenant up: no privates to make up a
 * difference, so the balance is a true knapsack. */
static int officers_only;

static struct cartel_person *
build(size_t per_side, char **idbuf)
{
	size_t n = 2 * per_side;
	struct cartel_person *p = calloc(n, sizeof *p);
	*idbuf = malloc(n * 32);
	if (p == NULL || *idbuf == NULL)
		return NULL;
	static const char *const party[2] = {"UA", "RU"};
	for (size_t i = 0; i < n; i++) {
		int s = i >= per_side;
		char *id = *idbuf + i * 32;
		snprintf(id, 32, "%s-%07zu", party[s], i % per_side + 1);
		p[i].id = id;
		p[i].held_by = (char *)party[s];
		p[i].depends_on = (char *)party[1 - s];
		unsigned r = rnd(1000);
		p[i].category = r < 80   ? CARTEL_CAT_CIVILIAN
				: r < 90 ? CARTEL_CAT_MEDICAL
					 : CARTEL_CAT_MILITARY;
		if (officers_only)
			p[i].category = CARTEL_CAT_MILITARY;
		if (p[i].category != CARTEL_CAT_CIVILIAN) {
			unsigned q = officers_only ? 800 + rnd(195) : rnd(1000);
			unsigned acc = 0;
			for (size_t k = 0; k < sizeof ranks / sizeof *ranks;
			     k++) {
				acc += ranks[k].per_mille;
				if (q < acc || k + 1 == sizeof ranks /
								sizeof *ranks) {
					if (ranks[k].text[s][0] != '\0')
						p[i].rank = (char *)
							ranks[k].text[s];
					break;
				}
			}
		}
		p[i].birth_date =
			(struct cartel_date){1965 + (int)rnd(43),
					     1 + (int)rnd(12), 1 + (int)rnd(28)};
		long day = 19047 + (long)rnd(1500); /* from 2022-02-24 */
		int y = 2022 + (int)(day - 19047) / 365;
		p[i].held_since = (struct cartel_date){
			y > 2026 ? 2026 : y, 1 + (int)rnd(12), 1 + (int)rnd(28)};
		unsigned h = rnd(100);
		p[i].health = h < 85   ? CARTEL_HEALTH_GOOD
			      : h < 93 ? CARTEL_HEALTH_SICK
			      : h < 97 ? CARTEL_HEALTH_SLIGHTLY_WOUNDED
				       : CARTEL_HEALTH_SERIOUSLY_WOUNDED;
		p[i].direct_repatriation =
			rnd(100) == 0 ? CARTEL_DIRECT_YES : CARTEL_DIRECT_NO;
		unsigned c = rnd(100);
		p[i].consent = c < 70   ? CARTEL_CONSENT_WILLING
			       : c < 98 ? CARTEL_CONSENT_NOT_ASKED
					: CARTEL_CONSENT_REFUSES;
		unsigned l = rnd(100);
		p[i].legal_hold = l < 3   ? CARTEL_HOLD_PROCEEDINGS
				  : l < 5 ? CARTEL_HOLD_CONVICTED
					  : CARTEL_HOLD_NONE;
		unsigned st = rnd(100);
		p[i].status = st < 95   ? CARTEL_STATUS_CONFIRMED_CAPTIVE
			      : st < 97 ? CARTEL_STATUS_DECEASED
					: CARTEL_STATUS_REPATRIATED;
	}
	return p;
}

static const struct {
	const char *label;
	const char *yaml;
	int time_ms; /* 0: the default limit */
} policies[] = {
	{"1:1 headcount, no cap, 3 stages",
	 "parties: [UA, RU]\nratio: \"1:1\"\npriorities:\n"
	 "  - health: seriously_wounded\n  - age_under: 25\n"
	 "  - category: civilian\n  - longest_held\n"
	 "withhold: [proceedings, convicted]\n"
	 "civilians_for_civilians: true\nstages: 3\n", 0},
	{"1:1 headcount, 1000 in 390/307/303",
	 "parties: [UA, RU]\nratio: \"1:1\"\npriorities:\n"
	 "  - category: civilian\n  - age_under: 25\n  - longest_held\n"
	 "withhold: [convicted]\ncivilians_for_civilians: true\n"
	 "stages: [390, 307, 303]\n", 0},
	{"Dix-Hill scale, no cap",
	 "parties: [UA, RU]\nscale: dix-hill\nunranked: private\n"
	 "priorities:\n  - health: seriously_wounded\n  - age_under: 25\n"
	 "  - longest_held\nwithhold: [proceedings, convicted]\n"
	 "civilians_for_civilians: true\n", 0},
	{"Dix-Hill scale, cap 1000",
	 "parties: [UA, RU]\nscale: dix-hill\nunranked: private\n"
	 "max_per_side: 1000\npriorities:\n"
	 "  - health: seriously_wounded\n  - age_under: 25\n"
	 "  - category: civilian\n  - longest_held\n"
	 "withhold: [proceedings, convicted]\n"
	 "civilians_for_civilians: true\nstages: 3\n", 0},
	{"Dix-Hill scale, ratio 2:3, cap 5000, 6 tiers",
	 "parties: [UA, RU]\nscale: dix-hill\nunranked: private\n"
	 "ratio: \"2:3\"\nmax_per_side: 5000\npriorities:\n"
	 "  - health: seriously_wounded\n  - health: sick\n"
	 "  - age_under: 25\n  - age_over: 55\n  - category: civilian\n"
	 "  - longest_held\n"
	 "withhold: [proceedings, convicted]\n", 0},
	{"the same, time limit 1 ms (unproven path)",
	 "parties: [UA, RU]\nscale: dix-hill\nunranked: private\n"
	 "ratio: \"2:3\"\nmax_per_side: 5000\npriorities:\n"
	 "  - health: seriously_wounded\n  - health: sick\n"
	 "  - age_under: 25\n  - age_over: 55\n  - category: civilian\n"
	 "  - longest_held\n"
	 "withhold: [proceedings, convicted]\n", 1},
};

int
main(int argc, char **argv)
{
	size_t per_side = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
	int repeats = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 3;
	if (per_side == 0 || repeats < 1) {
		fprintf(stderr, "usage: plan_bench [N_PER_SIDE] [REPEATS]\n");
		return 2;
	}
	int rc = 0;
	for (officers_only = 0; officers_only < 2; officers_only++) {
	char *ids = NULL;
	struct cartel_person *p = build(per_side, &ids);
	if (p == NULL) {
		fprintf(stderr, "plan_bench: out of memory\n");
		return 1;
	}
	printf("%splanner: %zu held by each side%s, in memory; best of %d; "
	       "%ld cores\n", officers_only ? "\n" : "",
	       per_side, officers_only ? " (officers only)" : "", repeats,
	       sysconf(_SC_NPROCESSORS_ONLN));
	printf("%-44s %9s %10s %8s %8s %9s %9s %7s %6s\n", "policy",
	       "plan s", "document s", "UA gives", "RU gives", "UA value",
	       "RU value", "optimal", "gap");
	for (size_t k = officers_only ? 2 : 0;
	     k < sizeof policies / sizeof *policies; k++) {
		struct cartel_policy *pol = NULL;
		char *why = NULL;
		if (cartel_policy_parse(&pol, policies[k].yaml,
					strlen(policies[k].yaml), "bench",
					&why) != 0) {
			fprintf(stderr, "plan_bench: %s\n", why);
			free(why);
			rc = 1;
			continue;
		}
		double best_plan = 1e9, best_json = 1e9;
		struct cartel_plan *plan = NULL;
		for (int r = 0; r < repeats; r++) {
			cartel_plan_free(plan);
			plan = NULL;
			struct cartel_plan_opts o = {{2026, 6, 1},
						     policies[k].time_ms};
			double t0 = now_s();
			if (cartel_plan_make(&plan, pol, p, 2 * per_side, &o,
					     &why) != 0) {
				fprintf(stderr, "plan_bench: %s\n",
					why ? why : "failed");
				free(why);
				return 1;
			}
			double t1 = now_s();
			char *doc = NULL;
			cartel_plan_json(plan, 0, &doc, NULL);
			if (doc == NULL || strlen(cartel_plan_digest(plan)) != 64) {
				fprintf(stderr, "plan_bench: no document\n");
				return 1;
			}
			double t2 = now_s();
			free(doc);
			if (t1 - t0 < best_plan)
				best_plan = t1 - t0;
			if (t2 - t1 < best_json)
				best_json = t2 - t1;
		}
		size_t na = 0, nb = 0;
		cartel_plan_gives(plan, "UA", &na);
		cartel_plan_gives(plan, "RU", &nb);
		double gap = 0;
		int opt = cartel_plan_optimal(plan, &gap);
		printf("%-44s %9.3f %10.3f %8zu %8zu %9ld %9ld %7s %5.2f%%\n",
		       policies[k].label, best_plan, best_json, na, nb,
		       cartel_plan_value(plan, "UA"),
		       cartel_plan_value(plan, "RU"), opt ? "yes" : "no",
		       gap * 100.0);
		cartel_plan_free(plan);
		cartel_policy_free(pol);
	}
	free(p);
	free(ids);
	}
	return rc;
}
