/*
 * The shipped name data (the .tsv files under data/) load cleanly, have the promised size
 * and content, and every kind of broken edit is caught with the file, line
 * and column named.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <cartel/cartel.h>
#include <cartel/gen.h>

#include "gen/gen_int.h"

static char tmpdir[64];

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/cartel-namedata-XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	char path[128];
	const char *names[] = {"bad.tsv"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		snprintf(path, sizeof path, "%s/%s", tmpdir, names[i]);
		unlink(path);
	}
	rmdir(tmpdir);
	return 0;
}

static const struct gen_given *
find_given(const struct cartel_names *nd, const char *uk)
{
	for (size_t i = 0; i < nd->n_given; i++)
		if (strcmp(nd->given[i].uk, uk) == 0)
			return &nd->given[i];
	return NULL;
}

static int
has(char **list, const char *s)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

static int
ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && strcmp(s + a - b, suf) == 0;
}

/* 1 when s ends as a Russian-type surname does. */
static int
russian_ending(const char *s)
{
	static const char *const ru[] = {"ов", "ев", "ин", "ский", "ых"};
	for (size_t i = 0; i < sizeof ru / sizeof *ru; i++)
		if (ends_with(s, ru[i]))
			return 1;
	return 0;
}

static void
shipped_data_load(void **state)
{
	(void)state;
	struct cartel_names *nd = NULL;
	char *why = NULL;
	int rc = cartel_names_load(&nd, NULL, &why);
	if (rc != 0)
		fail_msg("name data: %s", why ? why : "?");
	assert_true(cartel_names_given_count(nd, 'm') >= 150);
	assert_true(cartel_names_given_count(nd, 'f') >= 80);
	assert_true(cartel_names_surname_count(nd) >= 600);

	/* The common names come first. */
	assert_string_equal(nd->given[0].uk, "Олександр");
	assert_string_equal(nd->given[0].ru, "Александр");
	assert_true(has(nd->given[0].latin, "Oleksandr"));
	assert_true(has(nd->given[0].latin, "Alexander"));
	assert_true(has(nd->given[0].dimin, "Саша"));

	const struct gen_given *g = find_given(nd, "Сергій");
	assert_non_null(g);
	assert_string_equal(g->ru, "Сергей");
	assert_true(has(g->latin, "Serhii"));
	assert_true(has(g->latin, "Sergey"));
	assert_true(has(g->latin, "Sergei"));
	assert_string_equal(g->patr_uk_m, "Сергійович");
	assert_string_equal(g->patr_ru_m, "Сергеевич");

	g = find_given(nd, "Юрій");
	assert_string_equal(g->patr_ru_m, "Юрьевич");
	assert_string_equal(g->patr_uk_f, "Юріївна");
	g = find_given(nd, "Ілля");
	assert_string_equal(g->patr_uk_m, "Ілліч");
	assert_string_equal(g->patr_ru_f, "Ильинична");
	g = find_given(nd, "Микита");
	assert_string_equal(g->patr_ru_m, "Никитич");
	g = find_given(nd, "Яків");
	assert_string_equal(g->patr_ru_m, "Яковлевич");
	g = find_given(nd, "Олена");
	assert_int_equal(g->sex, 'f');
	assert_null(g->patr_uk_m);

	/* The two languages' spellings of one surname; the listed names
	 * followed by each language's long tail, 15,000 surnames each, the
	 * weights falling with rank within the tail (Zipf-Mandelbrot), the
	 * commonest name about half a per cent of its language's stock and
	 * the hundred commonest about a quarter. */
	int kravtsiv = 0, ivanov = 0;
	size_t n_type[2] = {0, 0};
	double total[2] = {0, 0}, top[2] = {0, 0}, top100[2] = {0, 0};
	double w[2][100];
	for (size_t i = 0; i < nd->n_surnames; i++) {
		const struct gen_surname *s = &nd->surnames[i];
		kravtsiv |= strcmp(s->uk, "Кравців") == 0 &&
			    strcmp(s->ru, "Кравцив") == 0;
		ivanov |= strcmp(s->uk, "Іванов") == 0 &&
			  strcmp(s->ru, "Иванов") == 0;
		int t = s->russian_type ? 1 : 0;
		assert_true(s->weight > 0);
		if (n_type[t] < 100)
			w[t][n_type[t]] = s->weight;
		n_type[t]++;
		total[t] += s->weight;
		if (s->weight > top[t])
			top[t] = s->weight;
		/* A tail name: capitalised Cyrillic, the Russian spelling
		 * the Ukrainian one letter by letter. */
		if (i + 20000 >= nd->n_surnames) {
			assert_true((unsigned char)s->uk[0] == 0xd0);
			assert_null(strstr(s->ru, "і"));
			if (t)
				assert_true(russian_ending(s->ru));
			else /* -ець -> -ец, і -> и: never longer */
				assert_true(strlen(s->ru) <= strlen(s->uk));
		}
	}
	assert_true(kravtsiv);
	assert_true(ivanov);
	for (int t = 0; t < 2; t++) {
		assert_true(n_type[t] >= 15000);
		for (int k = 0; k < 100; k++)
			top100[t] += w[t][k];
		assert_true(top[t] / total[t] > 0.003);
		assert_true(top[t] / total[t] < 0.01);
		assert_true(top100[t] / total[t] > 0.15);
		assert_true(top100[t] / total[t] < 0.35);
	}
	/* The same tail every time. */
	struct cartel_names *again = NULL;
	assert_int_equal(cartel_names_load(&again, NULL, NULL), 0);
	assert_int_equal(again->n_surnames, nd->n_surnames);
	for (size_t i = 0; i < nd->n_surnames; i++)
		assert_string_equal(again->surnames[i].uk, nd->surnames[i].uk);
	cartel_names_free(again);

	/* Officers are a few per cent of the rank weights (DOMAIN.md:
	 * 2.5-7.4% of a round). */
	double all = 0, off = 0;
	for (size_t i = 0; i < nd->n_ranks; i++) {
		all += nd->ranks[i].weight;
		off += nd->ranks[i].officer ? nd->ranks[i].weight : 0;
	}
	assert_true(off / all >= 0.025 && off / all <= 0.074);
	cartel_names_free(nd);
}

/* Writes `body` as a file of `kind` and checks that it is refused with a
 * message containing `expect`. */
static void
refused(const char *kind, const char *body, const char *expect)
{
	char path[128];
	snprintf(path, sizeof path, "%s/bad.tsv", tmpdir);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(body, fp);
	fclose(fp);
	char *why = NULL;
	size_t n = 0;
	int rc = cartel_names_check_file(kind, path, &n, NULL, NULL, &why);
	if (rc != CARTEL_EFORMAT || why == NULL || strstr(why, expect) == NULL)
		fail_msg("%s file not refused as expected (%d): %s; wanted "
			 "'%s'",
			 kind, rc, why ? why : "(no message)", expect);
	free(why);
}

static void
accepted(const char *kind, const char *body, size_t rows)
{
	char path[128];
	snprintf(path, sizeof path, "%s/bad.tsv", tmpdir);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(body, fp);
	fclose(fp);
	char *why = NULL;
	size_t n = 0;
	int rc = cartel_names_check_file(kind, path, &n, NULL, NULL, &why);
	if (rc != 0)
		fail_msg("%s file refused: %s", kind, why ? why : "?");
	assert_int_equal(n, rows);
}

#define GH "# comment\n\nsex\tuk\tru\tlatin\tdiminutives\tpatr_uk\tpatr_ru\n"
#define SERHII                                                              \
	"m\tСергій\tСергей\tSerhii,Sergey\tСерьожа\t"                       \
	"Сергійович/Сергіївна\tСергеевич/Сергеевна\n"
#define OLENA "f\tОлена\tЕлена\tOlena,Elena\tЛена\t\t\n"

static void
broken_given_names(void **state)
{
	(void)state;
	accepted("given_names", GH SERHII OLENA, 2);
	accepted("given_names", GH SERHII "\r\n" OLENA, 2);
	refused("given_names", GH "m\tСергій\tСергей\tSerhii\n",
		"bad.tsv:4: 4 tab-separated columns, expected 7");
	refused("given_names",
		GH "x\tСергій\tСергей\tSerhii\t\tСергійович/Сергіївна\t"
		   "Сергеевич/Сергеевна\n",
		":4: column sex: sex must be m or f");
	refused("given_names", GH SERHII OLENA SERHII,
		":6: duplicate of data row 1");
	refused("given_names",
		GH "m\tСергій\tСергей\tSerhii\t\tСергійович\t"
		   "Сергеевич/Сергеевна\n",
		"column patr_uk: a patronymic must be masculine/feminine");
	refused("given_names",
		GH "m\tСергій\tСергей\tSerhii\t\tСергійович/Сергіївна\t"
		   "Сергеевна/Сергеевич\n",
		"column patr_ru: the masculine patronymic must end in -ич");
	refused("given_names",
		GH "m\tСергій\tСергей\tSerhii\t\tСергійович/Сергіївна\t"
		   "Сергеевич/Петровна\n",
		"column patr_ru: the masculine and feminine patronymics do "
		"not share a stem");
	refused("given_names",
		GH "f\tОлена\tЕлена\tOlena\t\tОленович/Оленівна\t\n",
		"column patr_uk: patronymics are given on male rows only");
	refused("given_names",
		GH "f\tОлена\tЕлена\tOlena,Елена\t\t\t\n",
		"column latin: Cyrillic letter in a Latin spelling");
	refused("given_names", GH "f\tOlena\tЕлена\tOlena\t\t\t\n",
		"column uk: not a Cyrillic name");
	refused("given_names", GH "f\tОлена\tЕлена\tOlena\tЛена,Lena\t\t\n",
		"column diminutives: not a Cyrillic name");
	refused("given_names", GH "f\tОлена\tЕлена\tOlena,,Elena\t\t\t\n",
		"column latin: empty spelling");
	refused("given_names", GH "f\t\tЕлена\tOlena\t\t\t\n",
		"column uk: empty");
	refused("given_names",
		"sex\tuk\tru\tlatin\tdiminutives\tpatr_uk\n" OLENA,
		"bad.tsv:1: the column header must be");
	refused("given_names", "# only a comment\n", "no column header");
	refused("given_names", GH "f\tОл\xff\tЕлена\tOlena\t\t\t\n",
		":4: not valid UTF-8");
}

#define SH "# surnames\nuk\tru\tweight\n"

static void
broken_surnames(void **state)
{
	(void)state;
	accepted("surnames", SH "Кравців\tКравцив\t100\nІванов\tИванов\t50\n",
		 2);
	refused("surnames", SH "Кравців\tКравцив\t0\n",
		":3: column weight: the weight must be a positive integer");
	refused("surnames", SH "Кравців\tКравцив\t1.5\n",
		"column weight: the weight must be a positive integer");
	refused("surnames", SH "Кравців\tКравцив\n",
		"2 tab-separated columns, expected 3");
	refused("surnames", SH "Кравців\tКравцив\t9\nКравців\tКравцив\t8\n",
		":4: duplicate of data row 1");
	refused("surnames", SH "Kravtsiv\tКравцив\t9\n",
		"column uk: not a Cyrillic name");
}

static void
broken_ranks_and_places(void **state)
{
	(void)state;
	refused("ranks",
		"code\tuk\tru\tofficer\tweight\nprivate\tсолдат\tрядовой\t2\t1"
		"\n",
		"column officer: officer must be 0 or 1");
	refused("places",
		"kind\tuk\tru\tweight\nbirth_xx\tКиїв\tКиев\t1\n",
		"column kind: unknown kind");
	char *why = NULL;
	assert_int_equal(cartel_names_check_file("nonsense", "/dev/null",
						 NULL, NULL, NULL, &why),
			 CARTEL_EINVAL);
	free(why);
	why = NULL;
	assert_int_equal(cartel_names_check_file("surnames",
						 "/nonexistent/x.tsv", NULL,
						 NULL, NULL, &why),
			 CARTEL_ENOTFOUND);
	free(why);
}

static void
missing_folder(void **state)
{
	(void)state;
	struct cartel_names *nd = (struct cartel_names *)1;
	char *why = NULL;
	assert_int_equal(cartel_names_load(&nd, tmpdir, &why),
			 CARTEL_ENOTFOUND);
	assert_null(nd);
	assert_non_null(strstr(why, "given_names.tsv"));
	free(why);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shipped_data_load),
		cmocka_unit_test(broken_given_names),
		cmocka_unit_test(broken_surnames),
		cmocka_unit_test(broken_ranks_and_places),
		cmocka_unit_test(missing_folder),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
