/*
 * Unit tests for the match module: record normalisation (fields put back
 * in place), date levels, EM convergence on a known model, the exact
 * assignment where greedy fails, linking and deduplicating small hand-made
 * lists, the query and a typed name, and reading lists (bad ones too).
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
#include <cartel/match.h>

#include "match/assign.h"
#include "match/match_int.h"

static const struct match_names *
names(void)
{
	const struct match_names *nt = NULL;
	char *why = NULL;
	if (cartel__match_names_get(NULL, &nt, &why) != 0)
		fail_msg("name table: %s", why ? why : "?");
	return nt;
}

static struct cartel_person
person(const char *id, const char *fam, const char *giv, const char *patr,
       const char *born)
{
	struct cartel_person p;
	memset(&p, 0, sizeof p);
	p.id = (char *)id;
	p.family_name = (char *)fam;
	p.given_name = (char *)giv;
	p.patronymic = (char *)patr;
	if (born != NULL)
		assert_int_equal(cartel_date_parse(born, &p.birth_date, NULL), 0);
	return p;
}

static void
rec(const struct cartel_person *p, struct match_rec *r, struct match_arena *a)
{
	assert_int_equal(cartel__match_rec_make(names(), p, r, a), 0);
}

static const char *
str(const struct match_arena *a, uint32_t off)
{
	return off ? a->buf + off : "";
}

static void
normalise_puts_fields_back(void **state)
{
	(void)state;
	struct match_arena a = {0};
	struct match_rec r;
	/* A patronymic typed after the given name. */
	struct cartel_person p = person("1", "Ковальчук", "Олександр Петрович",
					NULL, NULL);
	rec(&p, &r, &a);
	assert_true(r.patr_moved);
	assert_true(r.patr_id > 0);
	assert_true(r.given_id > 0);
	/* Family and given names swapped. */
	p = person("2", "Oleksandr", "Kovalchuk", NULL, NULL);
	rec(&p, &r, &a);
	assert_true(r.swapped);
	char sk[128];
	cartel_match_skeleton("Ковальчук", sk, sizeof sk);
	assert_string_equal(str(&a, r.fam), sk);
	/* The whole name in the family field. */
	p = person("3", "КОВАЛЬЧУК Олександр Петрович", NULL, NULL, NULL);
	rec(&p, &r, &a);
	assert_true(r.given_id > 0);
	assert_true(r.patr_id > 0);
	assert_string_equal(str(&a, r.fam), sk);
	/* Feminine forms fold to the masculine one. */
	struct match_rec f, m;
	p = person("4", "Іванова", "Олена", NULL, NULL);
	rec(&p, &f, &a);
	p = person("5", "Иванов", "Петр", NULL, NULL);
	rec(&p, &m, &a);
	assert_string_equal(str(&a, f.fam_masc), str(&a, m.fam_masc));
	assert_string_not_equal(str(&a, f.fam), str(&a, m.fam));
	assert_int_equal(f.sex, 'f');
	/* The language guess. */
	p = person("6", "Ковальчук", "Сергій", NULL, NULL);
	rec(&p, &r, &a);
	assert_int_equal(r.lang, 'u');
	p = person("7", "Ковальчук", "Сергей", "Сергеевич", NULL);
	rec(&p, &r, &a);
	assert_int_equal(r.lang, 'r');
	/* Names made only of punctuation are missing names. */
	p = person("8", "---", "...", "''", NULL);
	rec(&p, &r, &a);
	assert_int_equal(r.fam, 0);
	assert_int_equal(r.giv, 0);
	assert_int_equal(r.patr, 0);
	free(a.buf);
}

static int
dlevel(const char *x, const char *y)
{
	struct match_rec a, b;
	struct cartel_date d;
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	assert_int_equal(cartel_date_parse(x, &d, NULL), 0);
	a.year = (int16_t)d.year, a.month = (int8_t)d.month,
	a.day = (int8_t)d.day;
	assert_int_equal(cartel_date_parse(y, &d, NULL), 0);
	b.year = (int16_t)d.year, b.month = (int8_t)d.month,
	b.day = (int8_t)d.day;
	return cartel__match_date_level(&a, &b);
}

static void
date_levels(void **state)
{
	(void)state;
	assert_int_equal(dlevel("1990-03-02", "02.03.1990"), 1); /* exact */
	assert_int_equal(dlevel("1990-03-02", "1990-02-03"), 2); /* swap */
	assert_int_equal(dlevel("1990-03-02", "1991-03-02"), 3); /* year */
	assert_int_equal(dlevel("1990-03-02", "1990-03-07"), 4); /* digit */
	assert_int_equal(dlevel("1990-01-01", "1990-07-14"), 5); /* 1 Jan */
	assert_int_equal(dlevel("1990-01-01", "1990-01-01"), 5);
	assert_int_equal(dlevel("1990", "1990-07-14"), 6);       /* partial */
	assert_int_equal(dlevel("1990-07", "1990-07-14"), 6);
	assert_int_equal(dlevel("1990-06", "1990-07-14"), 7);
	assert_int_equal(dlevel("1990-03-02", "1975-11-20"), 7);
	assert_int_equal(dlevel("", "1975-11-20"), 0);           /* missing */
}

/* A tiny deterministic generator for the EM test. */
static uint64_t rng = 0x12345;
static double
uni(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

static int
draw(const double *p, int n)
{
	double x = uni(), s = 0;
	for (int l = 1; l < n; l++) {
		s += p[l];
		if (x < s)
			return l;
	}
	return n - 1;
}

static void
em_recovers_a_known_model(void **state)
{
	(void)state;
	/* Candidate pairs drawn from a known model: 20% matches among
	 * 50,000 candidates, out of 10^7 pairs in all. */
	struct match_model truth;
	cartel__match_model_defaults(&truth);
	double m_fam[LV_MAX] = {0, .90, .02, .04, .02, .02};
	double m_giv[LV_MAX] = {0, .85, .08, .03, .04};
	memcpy(truth.m[F_FAMILY], m_fam, sizeof m_fam);
	memcpy(truth.m[F_GIVEN], m_giv, sizeof m_giv);
	/* Non-matching candidates are more alike than random pairs (that is
	 * why they are candidates), so draw them from u of their own. */
	double uc_fam[LV_MAX] = {0, .30, .01, .09, .10, .50};
	double uc_giv[LV_MAX] = {0, .20, .05, .05, .70};
	size_t np = cartel__match_n_patterns();
	double *counts = calloc(np, sizeof *counts);
	const int n = 50000;
	for (int i = 0; i < n; i++) {
		int is_m = uni() < 0.2;
		uint8_t lv[F_N];
		for (int f = 0; f < F_N; f++) {
			const double *p = is_m ? truth.m[f] : truth.u[f];
			if (!is_m && f == F_FAMILY)
				p = uc_fam;
			if (!is_m && f == F_GIVEN)
				p = uc_giv;
			lv[f] = (uint8_t)draw(p, cartel__match_n_levels[f]);
		}
		counts[cartel__match_pattern(lv)] += 1;
	}
	struct match_model mm;
	cartel__match_model_defaults(&mm);
	mm.lambda = 1e-4;
	cartel__match_model_weights(&mm);
	int it = cartel__match_em(&mm, counts, 1e7);
	assert_true(it > 0 && it < 200);
	/* 10,000 matches among 10^7 pairs. */
	assert_true(mm.lambda > 0.8e-3 && mm.lambda < 1.2e-3);
	/* m of the decisive levels within a few points. */
	assert_true(mm.m[F_FAMILY][1] > 0.85 && mm.m[F_FAMILY][1] < 0.95);
	assert_true(mm.m[F_GIVEN][1] > 0.80 && mm.m[F_GIVEN][1] < 0.90);
	assert_true(mm.m[F_DATE][1] > 0.70 && mm.m[F_DATE][1] < 0.86);
	/* Agreement is evidence for, disagreement against. */
	assert_true(mm.w[F_DATE][1] > 5);
	assert_true(mm.w[F_DATE][7] < -3);
	/* Too little data: EM declines and keeps the model. */
	double *few = calloc(np, sizeof *few);
	few[0] = 10;
	assert_int_equal(cartel__match_em(&mm, few, 1e6), 0);
	free(few);
	free(counts);
}

static void
assignment_beats_greedy(void **state)
{
	(void)state;
	/* Left A, B; right X, Y. Greedy takes A-X (10), then B-Y (1): 11.
	 * The best assignment is A-Y (9) + B-X (8): 17. */
	double w[4] = {10, 9, 8, 1};
	int rc[2];
	double total = cartel__assign_hungarian(2, 2, w, rc);
	assert_true(total > 16.99 && total < 17.01);
	assert_int_equal(rc[0], 1);
	assert_int_equal(rc[1], 0);

	struct assign_pairs p = {0};
	assert_int_equal(cartel__assign_pairs_add(&p, 0, 0, 10), 0);
	assert_int_equal(cartel__assign_pairs_add(&p, 0, 1, 9), 0);
	assert_int_equal(cartel__assign_pairs_add(&p, 1, 0, 8), 0);
	assert_int_equal(cartel__assign_pairs_add(&p, 1, 1, 1), 0);
	/* A pair of its own elsewhere, and one below the base. */
	assert_int_equal(cartel__assign_pairs_add(&p, 2, 2, 5), 0);
	assert_int_equal(cartel__assign_pairs_add(&p, 3, 3, -1), 0);
	struct cartel_match_stats st = {0};
	assert_int_equal(cartel__assign_one_to_one(&p, 4, 4, 0, 400, &st), 0);
	assert_int_equal(p.n, 3);
	assert_int_equal(p.v[0].l, 0);
	assert_int_equal(p.v[0].r, 1);
	assert_int_equal(p.v[1].l, 1);
	assert_int_equal(p.v[1].r, 0);
	assert_int_equal(p.v[2].l, 2);
	assert_int_equal(st.n_components, 2);
	assert_int_equal(st.n_greedy, 0);
	/* With the exact limit below the component, greedy is used and
	 * counted. */
	cartel__assign_pairs_free(&p);
	cartel__assign_pairs_add(&p, 0, 0, 10);
	cartel__assign_pairs_add(&p, 0, 1, 9);
	cartel__assign_pairs_add(&p, 1, 0, 8);
	cartel__assign_pairs_add(&p, 1, 1, 1);
	assert_int_equal(cartel__assign_one_to_one(&p, 2, 2, 0, 3, &st), 0);
	assert_int_equal(st.n_greedy, 1);
	assert_int_equal(p.v[0].r, 0);
	cartel__assign_pairs_free(&p);
	/* A rectangular case: one right record wanted by three. */
	double w3[3] = {5, 7, 6};
	int rc3[3];
	cartel__assign_hungarian(3, 1, w3, rc3);
	assert_int_equal(rc3[0], -1);
	assert_int_equal(rc3[1], 0);
	assert_int_equal(rc3[2], -1);
}

/* Ties (namesakes alike on every field) are settled the same way whatever
 * order the threads handed the pairs in. */
static void
assignment_ties_settled_by_order_of_lists(void **state)
{
	(void)state;
	uint32_t pick[2][2];
	for (int run = 0; run < 2; run++) {
		struct assign_pairs p = {0};
		/* Left 0 and 1 tie on right 0 and 1: two assignments are
		 * as good; the one taken must not depend on the order. */
		uint32_t order[2][4][2] = {
			{{0, 0}, {0, 1}, {1, 0}, {1, 1}},
			{{0, 1}, {0, 0}, {1, 0}, {1, 1}},
		};
		for (int k = 0; k < 4; k++)
			assert_int_equal(
			    cartel__assign_pairs_add(&p, order[run][k][0],
			                             order[run][k][1], 5),
			    0);
		struct cartel_match_stats st = {0};
		assert_int_equal(
		    cartel__assign_one_to_one(&p, 2, 2, 0, 400, &st), 0);
		assert_int_equal(p.n, 2);
		for (size_t i = 0; i < p.n; i++)
			pick[run][p.v[i].l] = p.v[i].r;
		cartel__assign_pairs_free(&p);
	}
	assert_int_equal(pick[0][0], pick[1][0]);
	assert_int_equal(pick[0][1], pick[1][1]);
	assert_int_not_equal(pick[0][0], pick[0][1]);
}

static void
link_small_lists(void **state)
{
	(void)state;
	struct cartel_person l[] = {
		person("L1", "Ковальчук", "Олександр", "Петрович", "1990-03-02"),
		person("L2", "Жукова", "Ольга", NULL, "1985-06-11"),
		person("L3", "Бондаренко", "Сергей", "Иванович", "12.04.1979"),
		person("L4", "Бондаренко", "Микола", "Иванович", "1981-09-30"),
	};
	struct cartel_person r[] = {
		person("R1", "Bondarenko", "Mykola", NULL, "1981-09-30"),
		person("R2", "Kowaltschuk", "Alexander", NULL, "1990-02-03"),
		person("R3", "Зукова", "Ольга", NULL, "1986-02-19"),
		person("R4", "Бондаренко", "Сергій", "Іванович", "1979-04-12"),
	};
	struct cartel_match_opts o;
	cartel_match_opts_init(&o);
	o.n_threads = 2;
	struct cartel_match_pair *p;
	size_t n;
	struct cartel_match_stats st;
	char *why = NULL;
	assert_int_equal(cartel_match_link(l, 4, r, 4, &o, &p, &n, &st, &why),
			 0);
	int seen_l1 = 0, seen_l3 = 0, seen_l4 = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i].band != CARTEL_BAND_MATCH)
			continue;
		assert_non_null(p[i].explanation);
		if (strcmp(p[i].left_id, "L1") == 0) {
			assert_string_equal(p[i].right_id, "R2");
			/* The reviewer reads why. */
			assert_non_null(strstr(p[i].explanation,
					       "day and month swapped"));
			assert_non_null(strstr(p[i].explanation,
					       "name table"));
			seen_l1 = 1;
		}
		/* Жукова is not Зукова. */
		assert_string_not_equal(p[i].left_id, "L2");
		if (strcmp(p[i].left_id, "L3") == 0) {
			assert_string_equal(p[i].right_id, "R4");
			seen_l3 = 1;
		}
		if (strcmp(p[i].left_id, "L4") == 0) {
			assert_string_equal(p[i].right_id, "R1");
			seen_l4 = 1;
		}
		assert_true(p[i].probability >= o.threshold);
	}
	assert_true(seen_l1 && seen_l3 && seen_l4);
	cartel_match_pairs_free(p, n);
	/* Empty lists link to nothing. */
	assert_int_equal(cartel_match_link(l, 0, r, 4, &o, &p, &n, NULL, &why),
			 0);
	assert_int_equal(n, 0);
}

static void
dedupe_forms_clusters(void **state)
{
	(void)state;
	struct cartel_person p[] = {
		person("a", "Шевченко", "Тарас", "Григорович", "1984-03-09"),
		person("b", "Shevchenko", "Taras", NULL, "1984-03-09"),
		person("c", "Шевченко", "Микола", "Григорович", "1986-01-20"),
		person("d", "Schewtschenko", "Taras", "Hryhorowytsch",
		       "09.03.1984"),
		person("e", "Мельник", "Іван", NULL, "1970-05-05"),
	};
	size_t cl[5];
	assert_int_equal(cartel_match_dedupe(p, 5, NULL, cl, NULL, NULL), 0);
	assert_int_equal(cl[0], 0);
	assert_int_equal(cl[1], 0);
	assert_int_equal(cl[3], 0);
	assert_int_equal(cl[2], 2); /* the brother is not Taras */
	assert_int_equal(cl[4], 4);
}

static void
query_and_typed_names(void **state)
{
	(void)state;
	struct cartel_person reg[] = {
		person("P1", "Ковальчук", "Олександр", "Петрович", "1990-03-02"),
		person("P2", "Ковальчук", "Олексій", "Петрович", "1992-07-15"),
		person("P3", "Гайдамака", "Сергій", "Юрійович", "1975-12-01"),
	};
	struct cartel_match_index *ix;
	assert_int_equal(cartel_match_index_build(&ix, reg, 3, NULL, NULL), 0);
	struct cartel_person q;
	/* Any order, any script. */
	assert_int_equal(cartel_match_parse_name("Aleksandr Petrovich "
						 "KOVALCHUK",
						 NULL, &q, NULL),
			 0);
	assert_non_null(q.family_name);
	assert_string_equal(q.family_name, "KOVALCHUK");
	assert_string_equal(q.given_name, "Aleksandr");
	assert_string_equal(q.patronymic, "Petrovich");
	struct cartel_match_candidate *c;
	size_t n;
	assert_int_equal(cartel_match_query(ix, &q, 5, 0, &c, &n, NULL), 0);
	assert_true(n >= 1);
	assert_string_equal(c[0].id, "P1");
	assert_true(n < 2 || c[1].probability < c[0].probability);
	cartel_match_candidates_free(c, n);
	cartel_person_clear(&q);
	assert_int_equal(cartel_match_parse_name("Гайдамака, Сергей", NULL, &q,
						 NULL),
			 0);
	assert_int_equal(cartel_match_query(ix, &q, 5, 1, &c, &n, NULL), 0);
	assert_int_equal(n, 1);
	assert_string_equal(c[0].id, "P3");
	cartel_match_candidates_free(c, n);
	cartel_person_clear(&q);
	assert_int_equal(cartel_match_parse_name(" ... ", NULL, &q, NULL),
			 CARTEL_EINVAL);
	cartel_match_index_free(ix);
}

static int
read_text(const char *text, size_t *n, char **why)
{
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	struct cartel_person *p = NULL;
	int rc = cartel_match_read_csv(fp, "list.csv", 64, &p, n, NULL, why);
	fclose(fp);
	cartel_match_persons_free(p, *n);
	return rc;
}

static void
reading_lists(void **state)
{
	(void)state;
	size_t n;
	char *why = NULL;
	assert_int_equal(read_text("id,family_name\nA,Іванов\nB,Petrenko\n", &n,
				   &why),
			 0);
	assert_int_equal(n, 2);
	assert_int_equal(read_text("id,given_name\n", &n, &why), 0);
	assert_int_equal(n, 0);
	assert_int_equal(read_text("", &n, &why), CARTEL_EFORMAT);
	assert_non_null(strstr(why, "empty"));
	free(why), why = NULL;
	assert_int_equal(read_text("name,born\nA,1990\n", &n, &why),
			 CARTEL_EFORMAT);
	assert_non_null(strstr(why, "'id'"));
	free(why), why = NULL;
	assert_int_equal(read_text("id\nA\nB\nA\n", &n, &why), CARTEL_EFORMAT);
	assert_non_null(strstr(why, "row 4"));
	assert_non_null(strstr(why, "row 2"));
	free(why), why = NULL;
	assert_int_equal(read_text("id,family_name\nA,\xff\xfe\n", &n, &why),
			 CARTEL_EFORMAT);
	assert_non_null(strstr(why, "row 2"));
	free(why), why = NULL;
	assert_int_equal(read_text("id,family_name\nA,"
				   "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
				   "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
				   &n, &why),
			 CARTEL_ERANGE);
	free(why), why = NULL;
	assert_int_equal(read_text("id,family_name\n,Іванов\n", &n, &why),
			 CARTEL_EFORMAT);
	free(why), why = NULL;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(normalise_puts_fields_back),
		cmocka_unit_test(date_levels),
		cmocka_unit_test(em_recovers_a_known_model),
		cmocka_unit_test(assignment_beats_greedy),
		cmocka_unit_test(assignment_ties_settled_by_order_of_lists),
		cmocka_unit_test(link_small_lists),
		cmocka_unit_test(dedupe_forms_clusters),
		cmocka_unit_test(query_and_typed_names),
		cmocka_unit_test(reading_lists),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
