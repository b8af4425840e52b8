/*
 * Blocking: a block too big to take whole is narrowed by its tags, not
 * dropped; a surname typo the sound code misses, with no date, still meets
 * its partner through the one-letter-deleted variants; names swapped behind
 * a typo meet through the full date.
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

#include "match/index_int.h"
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
       const char *born, const char *place)
{
	struct cartel_person p;
	memset(&p, 0, sizeof p);
	p.id = (char *)id;
	p.family_name = (char *)fam;
	p.given_name = (char *)giv;
	p.patronymic = (char *)patr;
	p.birth_place = (char *)place;
	if (born != NULL)
		assert_int_equal(cartel_date_parse(born, &p.birth_date, NULL), 0);
	return p;
}

/* The right list: n namesakes (Іванов Олександр, born in 1980, each with
 * another day, patronymic and town), then the extra persons. */
#define N_NAMESAKES 400

static const char *const fathers[] = {"Іванович",   "Миколайович",
				      "Сергійович", "Васильович",
				      "Андрійович", "Олегович"};
static const char *const towns[] = {"Полтава", "Суми", "Чернігів",
				    "Житомир", "Рівне"};

struct fixture {
	struct cartel_person *right;
	char (*ids)[16];
	char (*dates)[16];
	size_t n;
	struct match_side b;
	struct match_posting px;
	struct match_seen seen;
	struct match_cands cands;
};

static void
build(struct fixture *f, const struct cartel_person *extra, size_t n_extra)
{
	memset(f, 0, sizeof *f);
	f->n = N_NAMESAKES + n_extra;
	f->right = calloc(f->n, sizeof *f->right);
	f->ids = calloc(f->n, sizeof *f->ids);
	f->dates = calloc(f->n, sizeof *f->dates);
	assert_non_null(f->right);
	for (size_t i = 0; i < N_NAMESAKES; i++) {
		snprintf(f->ids[i], sizeof f->ids[i], "R%zu", i);
		snprintf(f->dates[i], sizeof f->dates[i], "1980-%02zu-%02zu",
			 1 + i % 12, 1 + (i / 12) % 28);
		f->right[i] = person(f->ids[i], "Іванов", "Олександр",
				     fathers[i % 6], f->dates[i], towns[i % 5]);
	}
	for (size_t i = 0; i < n_extra; i++)
		f->right[N_NAMESAKES + i] = extra[i];
	assert_int_equal(
	    cartel__match_side_build(&f->b, names(), f->right, f->n, 1, NULL), 0);
	assert_int_equal(cartel__match_post_build(&f->px, &f->b, 0, 1), 0);
	f->seen.mark = calloc(f->n, sizeof *f->seen.mark);
	f->seen.n = f->n;
}

static void
teardown(struct fixture *f)
{
	free(f->cands.v);
	free(f->seen.mark);
	cartel__match_post_free(&f->px);
	cartel__match_side_free(&f->b);
	free(f->right);
	free(f->ids);
	free(f->dates);
}

/* Candidates of one query person at the given cap; *has is set when the
 * record at position want is among them. */
static size_t
query(struct fixture *f, const struct cartel_person *q, uint32_t cap,
      size_t want, int *has)
{
	struct match_arena qa = {0};
	struct match_rec r;
	assert_int_equal(cartel__match_rec_make(names(), q, &r, &qa), 0);
	assert_int_equal(cartel__match_candidates(&f->px, &r, &qa, 0, cap, 0,
	                                          &f->seen, &f->cands),
	                 0);
	*has = 0;
	for (size_t i = 0; i < f->cands.n; i++)
		if (f->cands.v[i] == want)
			*has = 1;
	free(qa.buf);
	return f->cands.n;
}

static void
big_block_narrowed_by_tags(void **state)
{
	(void)state;
	struct fixture f;
	build(&f, NULL, 0);
	/* Born in 1980, the day unknown, no town: with a small cap every
	 * key in common with R7 is a block too big, the smallest being
	 * surname + given + patronymic (the 67 sons of a Микола, written
	 * Николаевич here). Its tags (year, day and month, town) single
	 * out those born in 1980: all 67, and no other namesake. */
	size_t target = 7;
	struct cartel_person q =
		person("L1", "Иванов", "Александр", "Николаевич", "1980", NULL);
	int has;
	size_t n = query(&f, &q, 40, target, &has);
	assert_true(has);
	assert_true(n < N_NAMESAKES / 4);
	/* Past MATCH_TAG_SCAN times the cap, the block is skipped: the 80
	 * namesakes born in Полтава (surname + given name + town) are more
	 * than ten times a cap of 5, and every other key of this query
	 * holds all 400. At a cap of 8 the town's block is narrowed by its
	 * tags (the year agrees) and R0, born in Полтава, is found. */
	struct cartel_person q2 =
		person("L2", "Иванов", "Александр", NULL, "1980", "Полтава");
	n = query(&f, &q2, 5, 0, &has);
	assert_false(has);
	assert_int_equal(n, 0);
	n = query(&f, &q2, 8, 0, &has);
	assert_true(has);
	assert_int_equal(n, N_NAMESAKES / 5);
	/* A cap above the blocks: all of them. */
	n = query(&f, &q, 1000, target, &has);
	assert_true(has);
	assert_true(n >= N_NAMESAKES);
	teardown(&f);
}

static void
surname_typo_without_date(void **state)
{
	(void)state;
	struct cartel_person extra[] = {
		person("X1", "Ярмоленко", "Артем", NULL, NULL, NULL),
		person("X2", "Шевченко", "Федот", NULL, "1967-06-03", NULL),
	};
	struct fixture f;
	build(&f, extra, 2);
	int has;
	/* т for н: another sound code, no date, no patronymic. */
	struct cartel_person q =
		person("L1", "Ярмолетко", "Артём", "Рустамович", NULL, NULL);
	query(&f, &q, 200, N_NAMESAKES, &has);
	assert_true(has);
	/* A consonant dropped. */
	q = person("L2", "Ярмоеко", "Артем", NULL, NULL, NULL);
	query(&f, &q, 200, N_NAMESAKES, &has);
	assert_false(has); /* two letters: beyond one deletion */
	q = person("L2", "Ярмолеко", "Артем", NULL, NULL, NULL);
	query(&f, &q, 200, N_NAMESAKES, &has);
	assert_true(has);
	/* The names swapped and the given name misspelt: the full date
	 * and the surname read from the given field. */
	q = person("L3", "Федоу", "Шевченко", NULL, "1967-06-03", NULL);
	query(&f, &q, 200, N_NAMESAKES + 1, &has);
	assert_true(has);
	/* A different surname altogether is not a candidate by these
	 * passes. */
	q = person("L4", "Петренко", "Артем", NULL, NULL, NULL);
	query(&f, &q, 200, N_NAMESAKES, &has);
	assert_false(has);
	teardown(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(big_block_narrowed_by_tags),
		cmocka_unit_test(surname_typo_without_date),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
