/*
 * The population generator: two parties' registers of captives, written the
 * way each party's clerks write, for the demo, the tests and the import
 * benchmark.
 *
 * Party A's clerks write Ukrainian, party B's Russian. A captive held by B
 * comes from A and appears in B's register in Russian spelling (Александр
 * Юрьевич Ковальчук), and the reverse (Олександр Юрійович Смирнов); some
 * rows are in capitals and some dates DD.MM.YYYY, as clerks write them.
 *
 * Proportions, and where they come from (DOMAIN.md where it has a figure;
 * otherwise a stated assumption, chosen to be plausible for 2022-2026):
 *   sex             women 2% (DOMAIN: "women about 2%" of a round)
 *   rank            officers 4.9% of the military, from data/ranks.tsv
 *                   (DOMAIN: officers are 2.5-7.4% of a round)
 *   category        civilians 3%, medical personnel 1.5%, chaplains 0.2%
 *                   (assumption: "a few")
 *   age             at the reference date: 18-24 14%, 25-34 33%, 35-44 31%,
 *                   45-54 18%, 55-64 4% (assumption: mostly 20-50, some
 *                   18-25, the age group DOMAIN's June 2025 deal names);
 *                   never under 18 at capture
 *   captured        between 24 Feb 2022 and the reference date, density
 *                   rising linearly with time (recent captures are more
 *                   common: earlier ones have more often been exchanged)
 *   health          good 52%, not wounded 14%, recovered 5%, convalescent
 *                   3%, sick 9%, slightly wounded 12%, seriously wounded 5%
 *                   (the capture card's scale, GC III Annex IV B;
 *                   assumption)
 *   direct repatr.  Art. 110 determination: yes for 55% of the seriously
 *                   wounded and 12% of the sick, no for some others
 *   consent         not asked 78%, willing 18%, refuses 4% (assumption:
 *                   interviews happen mostly just before a handover)
 *   legal hold      held by B: proceedings 5%, convicted 3%; held by A:
 *                   proceedings 2%, convicted 0.5% (assumption)
 *   status          reported missing 18% (DOMAIN: about a fifth of one
 *                   round's returnees had been listed as missing), proposed
 *                   2%, agreed 1%, the rest confirmed captives
 *   source          confirmed: official list 40%, capture card 20%, ICRC
 *                   visit 20%, counterpart list 15%, video or testimony 5%;
 *                   missing: family report 60%, video or testimony 25%,
 *                   counterpart list 15%
 *   surnames        Zipf-Mandelbrot over data/surnames.tsv and a long
 *                   tail of rarer surnames (surtail.c), about 15,000 per
 *                   language; a Ukrainian-type
 *                   surname is three times as likely for a captive from A,
 *                   a Russian-type one five times as likely for one from B
 *   given names     Zipf-Mandelbrot over data/given_names.tsv's order,
 *                   1/(rank + 2): the commonest man's name about 7.5%
 *   clerks' habits  capitals in 10% of A's rows and 20% of B's; DD.MM.YYYY
 *                   in 25% of A's rows and 40% of B's (assumption)
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cartel/csv.h>
#include <cartel/error.h>

#include "core/why.h"
#include "gen/gen_int.h"

/* The columns written, those of docs/import.md first, then the further
 * Art. 122 fields the register keeps. */
static const char *const columns[] = {
	"id", "family_name", "given_name", "patronymic", "birth_date",
	"birth_place", "sex", "rank", "service_number", "unit", "depends_on",
	"held_by", "category", "captured_on", "captured_at",
	"internment_place", "health", "direct_repatriation", "consent",
	"legal_hold", "status", "source", "notes", "father_name",
	"held_since", "direct_rep_by", "direct_rep_on", "consent_by",
	"consent_on",
};
enum {
	C_ID, C_FAMILY, C_GIVEN, C_PATR, C_BIRTH, C_BIRTH_PLACE, C_SEX,
	C_RANK, C_SERVICE, C_UNIT, C_DEPENDS, C_HELD_BY, C_CATEGORY,
	C_CAPTURED_ON, C_CAPTURED_AT, C_INTERNMENT, C_HEALTH, C_DIRECT,
	C_CONSENT, C_HOLD, C_STATUS, C_SOURCE, C_NOTES, C_FATHER,
	C_HELD_SINCE, C_DIRECT_BY, C_DIRECT_ON, C_CONSENT_BY, C_CONSENT_ON,
	C_N
};

struct pop {
	const struct cartel_names *nd;
	struct gen_rng rng;
	struct gen_tables t;
	long today; /* days since 1970 */
	long war_start;
};

static const char *const place_kind[GEN_P_N] = {
	"birth_ua", "birth_ru", "capture_of_ua", "capture_of_ru", "camp_ua",
	"camp_ru",
};
#define P_BIRTH_A GEN_P_BIRTH_A
#define P_BIRTH_B GEN_P_BIRTH_B
#define P_CAPTURE_OF_A GEN_P_CAPTURE_OF_A
#define P_CAPTURE_OF_B GEN_P_CAPTURE_OF_B
#define P_CAMP_A GEN_P_CAMP_A
#define P_CAMP_B GEN_P_CAMP_B

struct sexctx {
	const struct cartel_names *nd;
	char sex;
};

static double
given_weight(size_t i, void *v)
{
	struct sexctx *c = v;
	if (c->nd->given[i].sex != c->sex)
		return 0;
	/* Zipf-Mandelbrot over the rank among names of this sex: the
	 * shift of 2 gives the commonest name (Олександр / Александр)
	 * about 7.5% of men, near what civil registers show for men of
	 * fighting age (6-9%); plain 1/rank would give it 16%. */
	size_t r = 1;
	for (size_t k = 0; k < i; k++)
		r += c->nd->given[k].sex == c->sex;
	return 1.0 / ((double)r + 2.0);
}

struct surctx {
	const struct cartel_names *nd;
	double ru_boost, uk_boost;
};

static double
surname_weight(size_t i, void *v)
{
	struct surctx *c = v;
	const struct gen_surname *s = &c->nd->surnames[i];
	return s->weight * (s->russian_type ? c->ru_boost : c->uk_boost);
}

static double
rank_weight(size_t i, void *v)
{
	const struct cartel_names *nd = v;
	return nd->ranks[i].weight;
}

struct placectx {
	const struct cartel_names *nd;
	const char *kind;
};

static double
place_weight(size_t i, void *v)
{
	struct placectx *c = v;
	return strcmp(c->nd->places[i].kind, c->kind) == 0
		       ? c->nd->places[i].weight
		       : 0;
}

void
cartel__gen_tables_free(struct gen_tables *t)
{
	cartel__gen_pick_free(&t->male);
	cartel__gen_pick_free(&t->female);
	cartel__gen_pick_free(&t->sur_from[0]);
	cartel__gen_pick_free(&t->sur_from[1]);
	cartel__gen_pick_free(&t->rank);
	for (int i = 0; i < GEN_P_N; i++)
		cartel__gen_pick_free(&t->place[i]);
}

int
cartel__gen_tables_init(struct gen_tables *t, const struct cartel_names *nd,
                        char **why)
{
	memset(t, 0, sizeof *t);
	struct sexctx m = {nd, 'm'}, f = {nd, 'f'};
	struct surctx sa = {nd, 1.0, 3.0}, sb = {nd, 5.0, 1.0};
	int rc =
	    cartel__gen_pick_init(&t->male, nd->n_given, given_weight, &m, why);
	if (!rc)
		rc = cartel__gen_pick_init(&t->female, nd->n_given,
		                           given_weight, &f, why);
	if (!rc)
		rc = cartel__gen_pick_init(&t->sur_from[0], nd->n_surnames,
		                           surname_weight, &sa, why);
	if (!rc)
		rc = cartel__gen_pick_init(&t->sur_from[1], nd->n_surnames,
		                           surname_weight, &sb, why);
	if (!rc)
		rc = cartel__gen_pick_init(&t->rank, nd->n_ranks, rank_weight,
		                           (void *)nd, why);
	for (int i = 0; !rc && i < GEN_P_N; i++) {
		struct placectx pc = {nd, place_kind[i]};
		rc = cartel__gen_pick_init(&t->place[i], nd->n_places,
		                           place_weight, &pc, why);
	}
	if (rc)
		cartel__gen_tables_free(t);
	return rc;
}

static void
pop_free(struct pop *p)
{
	cartel__gen_tables_free(&p->t);
}

static int
pop_init(struct pop *p, const struct cartel_names *nd, uint64_t seed,
	 char **why)
{
	memset(p, 0, sizeof *p);
	p->nd = nd;
	cartel__gen_rng_seed(&p->rng, seed);
	p->war_start = cartel__gen_days(2022, 2, 24);
	return cartel__gen_tables_init(&p->t, nd, why);
}

/* Picks an index from a table of (probability, value) rows summing to 1. */
static int
choose(struct gen_rng *r, const double *prob, int n)
{
	double x = cartel__gen_rng_unit(r), acc = 0;
	for (int i = 0; i < n - 1; i++) {
		acc += prob[i];
		if (x < acc)
			return i;
	}
	return n - 1;
}

static void
fmt_date(char *buf, size_t size, long days, int dotted)
{
	int y, m, d;
	cartel__gen_civil(days, &y, &m, &d);
	if (dotted)
		snprintf(buf, size, "%02d.%02d.%04d", d, m, y);
	else
		snprintf(buf, size, "%04d-%02d-%02d", y, m, d);
}

/* A day in [lo, hi], uniformly. */
static long
day_between(struct gen_rng *r, long lo, long hi)
{
	if (hi <= lo)
		return lo;
	return lo + (long)cartel__gen_rng_below(r, (size_t)(hi - lo + 1));
}

/* The square root of a uniform number: density rising linearly to 1. */
static double
sqrt_unit(struct gen_rng *r)
{
	return sqrt(cartel__gen_rng_unit(r));
}

/* Writes one row; strings of `v` owned by the caller. */
static int
put_row(FILE *out, const char *const *v, char **why)
{
	if (cartel_csv_write_row(out, v, C_N) != 0)
		return cartel__why(why, CARTEL_EIO, "writing the CSV failed");
	return 0;
}

/* Copies s into buf in capitals (clerk's habit) or as it is. */
static int
set_name(char *buf, size_t size, const char *s, int caps)
{
	if (!caps) {
		snprintf(buf, size, "%s", s);
		return 0;
	}
	char *u = cartel__gen_upper(s);
	if (u == NULL)
		return CARTEL_ENOMEM;
	snprintf(buf, size, "%s", u);
	free(u);
	return 0;
}

/*
 * One captive held by side `holder` (0 = A, 1 = B), number `i` of that
 * side, written in the holder's clerks' language.
 */
static int
gen_one(struct pop *p, const struct cartel_gen_opts *o, int holder, size_t i,
	FILE *out, char **why)
{
	struct gen_rng *r = &p->rng;
	const struct cartel_names *nd = p->nd;
	int clerk_uk = holder == 0; /* A writes Ukrainian */
	int from = 1 - holder;      /* the side the captive comes from */
	const char *holder_code = holder == 0 ? o->party_a : o->party_b;
	const char *from_code = from == 0 ? o->party_a : o->party_b;
	char id[48], family[256], given[256], patr[256], birth[16],
		birth_place[256], rank[160], service[32], unit[32],
		captured_on[16], held_since[16], direct_on[16], consent_on[16],
		father[128];
	const char *v[C_N];
	for (int k = 0; k < C_N; k++)
		v[k] = "";
	birth[0] = captured_on[0] = held_since[0] = direct_on[0] =
		consent_on[0] = '\0';

	snprintf(id, sizeof id, "%s-%06zu", holder_code, i + 1);
	v[C_ID] = id;
	v[C_DEPENDS] = from_code;
	v[C_HELD_BY] = holder_code;

	int caps = cartel__gen_rng_chance(r, clerk_uk ? 0.10 : 0.20);
	int dotted = cartel__gen_rng_chance(r, clerk_uk ? 0.25 : 0.40);

	/* Who he (or she) is. */
	int female = cartel__gen_rng_chance(r, 0.02);
	v[C_SEX] = female ? "female" : "male";
	const struct gen_given *g =
	    &nd->given[cartel__gen_pick(female ? &p->t.female : &p->t.male, r)];
	const struct gen_given *fa =
	    &nd->given[cartel__gen_pick(&p->t.male, r)];
	const struct gen_surname *s = &nd->surnames[cartel__gen_pick(
	    from == 0 ? &p->t.sur_from[0] : &p->t.sur_from[1], r)];
	const char *sur = clerk_uk ? s->uk : s->ru;
	char *fem = NULL;
	if (female) {
		fem = cartel__gen_surname_feminine(sur, clerk_uk);
		if (fem == NULL)
			return cartel__why(why, CARTEL_ENOMEM,
					   "out of memory");
		sur = fem;
	}
	int rc = set_name(family, sizeof family, sur, caps);
	free(fem);
	if (!rc)
		rc = set_name(given, sizeof given, clerk_uk ? g->uk : g->ru,
			      caps);
	const char *pt = clerk_uk ? (female ? fa->patr_uk_f : fa->patr_uk_m)
				  : (female ? fa->patr_ru_f : fa->patr_ru_m);
	int has_patr = cartel__gen_rng_chance(r, 0.92);
	if (!rc)
		rc = set_name(patr, sizeof patr, has_patr ? pt : "", caps);
	if (rc)
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	v[C_FAMILY] = family;
	v[C_GIVEN] = given;
	v[C_PATR] = patr;
	if (cartel__gen_rng_chance(r, 0.30)) {
		snprintf(father, sizeof father, "%s", clerk_uk ? fa->uk : fa->ru);
		v[C_FATHER] = father;
	}

	/* Category and rank. */
	static const double cat_p[] = {0.953, 0.03, 0.015, 0.002};
	int cat = choose(r, cat_p, 4);
	static const char *const cat_name[] = {"military", "civilian",
					       "medical", "chaplain"};
	v[C_CATEGORY] = cat_name[cat];
	if (cat == 0 || cat == 2) {
		const struct gen_rank *rk =
		    &nd->ranks[cartel__gen_pick(&p->t.rank, r)];
		const char *rt = clerk_uk ? rk->uk : rk->ru;
		if (cat == 2 && rk->officer)
			snprintf(rank, sizeof rank, "%s %s", rt,
				 clerk_uk ? "медичної служби"
					  : "медицинской службы");
		else
			snprintf(rank, sizeof rank, "%s", rt);
		v[C_RANK] = rank;
		if (cartel__gen_rng_chance(r, from == 0 ? 0.5 : 0.75)) {
			if (from == 0)
				snprintf(
				    service, sizeof service, "%010llu",
				    (unsigned long long)(cartel__gen_rng_next(
				                             r) %
				                         10000000000ULL));
			else {
				static const char *const letters[] = {
					"А", "Б", "В", "Г", "Д", "Е", "К",
					"М", "Н", "О", "Р", "С", "Т", "У"};
				snprintf(service, sizeof service, "%s%s-%06u",
				         letters[cartel__gen_rng_below(r, 14)],
				         letters[cartel__gen_rng_below(r, 14)],
				         (unsigned)cartel__gen_rng_below(
				             r, 1000000));
			}
			v[C_SERVICE] = service;
		}
		if (cartel__gen_rng_chance(r, 0.45)) {
			if (from == 0)
				snprintf(
				    unit, sizeof unit, "в/ч А%04u",
				    (unsigned)cartel__gen_rng_below(r, 8000));
			else
				snprintf(unit, sizeof unit, "в/ч %05u",
				         10000 +
				             (unsigned)cartel__gen_rng_below(
				                 r, 90000));
			v[C_UNIT] = unit;
		}
	}

	/* When: capture, with recent captures more common (density rising
	 * linearly: the square root of a uniform number). */
	long span = p->today - 3 - p->war_start;
	long cap_day = p->war_start + (long)((double)span *
					     sqrt_unit(r));
	/* Age at the reference date, then never under 18 at capture. */
	static const double age_p[] = {0.14, 0.33, 0.31, 0.18, 0.04};
	static const int age_lo[] = {18, 25, 35, 45, 55};
	static const int age_hi[] = {24, 34, 44, 54, 64};
	int band = choose(r, age_p, 5);
	int age =
	    age_lo[band] + (int)cartel__gen_rng_below(
	                       r, (size_t)(age_hi[band] - age_lo[band] + 1));
	long born = p->today - (long)(age * 365.2425) -
	            (long)cartel__gen_rng_below(r, 365);
	long adult = cap_day - (long)(18 * 365.2425) - 1;
	if (born > adult)
		born = adult - (long)cartel__gen_rng_below(r, 400);
	static const double bform_p[] = {0.96, 0.01, 0.02, 0.01};
	int bform = choose(r, bform_p, 4);
	if (bform == 0) {
		fmt_date(birth, sizeof birth, born, dotted);
	} else if (bform < 3) {
		int y, m, d;
		cartel__gen_civil(born, &y, &m, &d);
		if (bform == 1)
			snprintf(birth, sizeof birth, "%04d-%02d", y, m);
		else
			snprintf(birth, sizeof birth, "%04d", y);
	}
	v[C_BIRTH] = birth;
	if (cartel__gen_rng_chance(r, 0.70)) {
		const struct gen_place *pl = &nd->places[cartel__gen_pick(
		    &p->t.place[from == 0 ? P_BIRTH_A : P_BIRTH_B], r)];
		const char *town = clerk_uk ? pl->uk : pl->ru;
		if (cartel__gen_rng_chance(r, 0.2))
			snprintf(birth_place, sizeof birth_place, "%s %s",
				 clerk_uk ? "м." : "г.", town);
		else
			snprintf(birth_place, sizeof birth_place, "%s", town);
		v[C_BIRTH_PLACE] = birth_place;
	}

	/* Status and source. */
	static const double st_p[] = {0.18, 0.79, 0.02, 0.01};
	static const char *const st_name[] = {"reported_missing",
					      "confirmed_captive", "proposed",
					      "agreed"};
	int st = choose(r, st_p, 4);
	v[C_STATUS] = st_name[st];
	int missing = st == 0;
	if (missing) {
		static const double src_p[] = {0.60, 0.25, 0.15};
		static const char *const src[] = {
			"family_report", "video_testimony", "counterpart_list"};
		v[C_SOURCE] = src[choose(r, src_p, 3)];
	} else {
		static const double src_p[] = {0.40, 0.20, 0.20, 0.15, 0.05};
		static const char *const src[] = {
			"official_list", "capture_card", "icrc_visit",
			"counterpart_list", "video_testimony"};
		v[C_SOURCE] = src[choose(r, src_p, 5)];
	}

	if (cartel__gen_rng_chance(r, 0.98)) {
		fmt_date(captured_on, sizeof captured_on, cap_day, dotted);
		v[C_CAPTURED_ON] = captured_on;
	}
	if (cartel__gen_rng_chance(r, 0.75)) {
		const struct gen_place *pl = &nd->places[cartel__gen_pick(
		    &p->t.place[from == 0 ? P_CAPTURE_OF_A : P_CAPTURE_OF_B],
		    r)];
		v[C_CAPTURED_AT] = clerk_uk ? pl->uk : pl->ru;
	}
	if (missing) {
		/* A missing person's health and custody are not known. */
		v[C_CONSENT] = "not_asked";
		v[C_HOLD] = "none";
		return put_row(out, v, why);
	}
	long since = cap_day + (long)cartel__gen_rng_below(r, 10);
	if (since > p->today)
		since = p->today;
	if (cartel__gen_rng_chance(r, 0.5)) {
		fmt_date(held_since, sizeof held_since, since, 0);
		v[C_HELD_SINCE] = held_since;
	}
	if (cartel__gen_rng_chance(r, 0.8)) {
		const struct gen_place *pl = &nd->places[cartel__gen_pick(
		    &p->t.place[holder == 0 ? P_CAMP_A : P_CAMP_B], r)];
		v[C_INTERNMENT] = clerk_uk ? pl->uk : pl->ru;
	}

	/* Health on the capture card's scale, and Art. 110. */
	static const double h_p[] = {0.52, 0.14, 0.05, 0.03,
				     0.09, 0.12, 0.05};
	static const char *const h_name[] = {
		"good", "not_wounded", "recovered", "convalescent",
		"sick", "slightly_wounded", "seriously_wounded"};
	int h = choose(r, h_p, 7);
	v[C_HEALTH] = h_name[h];
	double p_yes = h == 6 ? 0.55 : h == 4 ? 0.12 : 0;
	double p_no = h == 6 ? 0.15 : h == 4 ? 0.20 : 0.03;
	double x = cartel__gen_rng_unit(r);
	if (x < p_yes + p_no) {
		v[C_DIRECT] = x < p_yes ? "yes" : "no";
		v[C_DIRECT_BY] = clerk_uk ? "Змішана медична комісія"
					  : "Смешанная медицинская комиссия";
		fmt_date(direct_on, sizeof direct_on,
			 day_between(r, since, p->today), 0);
		v[C_DIRECT_ON] = direct_on;
	}

	static const double c_p[] = {0.78, 0.18, 0.04};
	static const char *const c_name[] = {"not_asked", "willing",
					     "refuses"};
	int c = choose(r, c_p, 3);
	v[C_CONSENT] = c_name[c];
	if (c != 0) {
		v[C_CONSENT_BY] = clerk_uk ? "МКЧХ" : "МККК";
		fmt_date(consent_on, sizeof consent_on,
			 day_between(r, since, p->today), 0);
		v[C_CONSENT_ON] = consent_on;
	}

	double hold_p[3];
	hold_p[1] = holder == 1 ? 0.05 : 0.02;
	hold_p[2] = holder == 1 ? 0.03 : 0.005;
	hold_p[0] = 1 - hold_p[1] - hold_p[2];
	static const char *const hold_name[] = {"none", "proceedings",
						"convicted"};
	v[C_HOLD] = hold_name[choose(r, hold_p, 3)];
	return put_row(out, v, why);
}

int
cartel_gen_population(const struct cartel_names *nd,
		      const struct cartel_gen_opts *opts, FILE *out,
		      char **why)
{
	struct cartel_gen_opts o = *opts;
	if (o.per_side == 0)
		o.per_side = 100;
	if (o.party_a == NULL || *o.party_a == '\0')
		o.party_a = "UA";
	if (o.party_b == NULL || *o.party_b == '\0')
		o.party_b = "RU";
	if (strcmp(o.party_a, o.party_b) == 0)
		return cartel__why(why, CARTEL_EINVAL,
				   "the two parties must differ (both '%s')",
				   o.party_a);
	if (strlen(o.party_a) > 15 || strlen(o.party_b) > 15)
		return cartel__why(why, CARTEL_EINVAL,
				   "a party code is at most 15 bytes");
	if (o.per_side > 100000000)
		return cartel__why(why, CARTEL_ERANGE,
				   "at most 100000000 captives per side");
	if (o.today.year == 0)
		o.today = cartel_date_today();
	if (o.today.day == 0)
		return cartel__why(why, CARTEL_EINVAL,
				   "the reference date must be a full date");
	struct pop p;
	int rc = pop_init(&p, nd, o.seed, why);
	if (rc)
		return rc;
	p.today = cartel__gen_days(o.today.year, o.today.month, o.today.day);
	if (p.today < cartel__gen_days(2022, 3, 1)) {
		pop_free(&p);
		return cartel__why(why, CARTEL_EINVAL,
				   "the reference date must be after "
				   "2022-03-01");
	}
	if (cartel_csv_write_row(out, columns, C_N) != 0)
		rc = cartel__why(why, CARTEL_EIO, "writing the CSV failed");
	for (int side = 0; !rc && side < 2; side++)
		for (size_t i = 0; !rc && i < o.per_side; i++)
			rc = gen_one(&p, &o, side, i, out, why);
	if (!rc && fflush(out) != 0)
		rc = cartel__why(why, CARTEL_EIO, "writing the CSV failed");
	pop_free(&p);
	return rc;
}
