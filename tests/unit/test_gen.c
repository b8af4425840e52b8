/*
 * The generators: the same seed gives the same bytes, the proportions a
 * mediator would notice stay within their documented bounds, each side's
 * register is in its clerks' language, every generated row imports cleanly
 * through the real importer, the Latin systems give their published
 * spellings, and the corpus holds what docs/corpus.md promises.
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
#include <cartel/store.h>

#include "gen/gen_int.h"

static struct cartel_names *names;

static int
setup(void **state)
{
	(void)state;
	char *why = NULL;
	if (cartel_names_load(&names, NULL, &why) != 0) {
		fprintf(stderr, "name data: %s\n", why ? why : "?");
		free(why);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	cartel_names_free(names);
	return 0;
}

static const struct cartel_date ref_day = {2025, 6, 30};

/* Generates into a malloc'd buffer. */
static char *
gen_buf(unsigned long long seed, size_t per_side, size_t *len)
{
	char *buf = NULL;
	FILE *fp = open_memstream(&buf, len);
	assert_non_null(fp);
	struct cartel_gen_opts o = {0};
	o.seed = seed;
	o.per_side = per_side;
	o.today = ref_day;
	char *why = NULL;
	int rc = cartel_gen_population(names, &o, fp, &why);
	if (rc != 0)
		fail_msg("generate: %s", why ? why : "?");
	fclose(fp);
	return buf;
}

static void
same_seed_same_bytes(void **state)
{
	(void)state;
	size_t n1, n2, n3;
	char *a = gen_buf(42, 300, &n1);
	char *b = gen_buf(42, 300, &n2);
	char *c = gen_buf(43, 300, &n3);
	assert_int_equal(n1, n2);
	assert_memory_equal(a, b, n1);
	assert_true(n1 != n3 || memcmp(a, c, n1) != 0);
	free(a);
	free(b);
	free(c);
}

static int
col_of(char **f, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(f[i], name) == 0)
			return (int)i;
	fail_msg("no column %s", name);
	return -1;
}

static int
has_any(const char *s, const char *const *letters)
{
	for (size_t i = 0; letters[i]; i++)
		if (strstr(s, letters[i]))
			return 1;
	return 0;
}

static const char *const uk_only[] = {"і", "ї", "є", "ґ", "І", "Ї", "Є",
				      "Ґ", NULL};
static const char *const ru_only[] = {"ы", "э", "ъ", "ё", "Ы", "Э", "Ъ",
				      "Ё", NULL};

static void
proportions_and_languages(void **state)
{
	(void)state;
	size_t per_side = 3000, len;
	char *buf = gen_buf(7, per_side, &len);
	FILE *fp = fmemopen(buf, len, "r");
	struct cartel_csv *csv;
	assert_int_equal(cartel_csv_open(&csv, fp, "gen", 0), 0);
	char **f;
	size_t n;
	char *why = NULL;
	assert_int_equal(cartel_csv_next(csv, &f, &n, &why), 1);
	int c_fam = col_of(f, n, "family_name"),
	    c_given = col_of(f, n, "given_name"),
	    c_patr = col_of(f, n, "patronymic"), c_sex = col_of(f, n, "sex"),
	    c_rank = col_of(f, n, "rank"), c_cat = col_of(f, n, "category"),
	    c_held = col_of(f, n, "held_by"),
	    c_dep = col_of(f, n, "depends_on"),
	    c_status = col_of(f, n, "status"),
	    c_health = col_of(f, n, "health"),
	    c_consent = col_of(f, n, "consent"),
	    c_birth = col_of(f, n, "birth_date"),
	    c_cap = col_of(f, n, "captured_on");
	long rows = 0, female = 0, military = 0, officers = 0, civil = 0,
	     missing = 0, held = 0, serious = 0, not_asked = 0, caps_ru = 0,
	     dotted_ru = 0, rows_ru = 0, young = 0, recent = 0, with_cap = 0;
	char *ofc[] = {"лейтенант", "капітан", "капитан", "майор",
		       "полковник"};
	while (cartel_csv_next(csv, &f, &n, &why) == 1) {
		rows++;
		const char *name3[] = {f[c_fam], f[c_given], f[c_patr]};
		int ru_held = strcmp(f[c_held], "RU") == 0;
		assert_string_equal(f[c_dep], ru_held ? "UA" : "RU");
		for (int k = 0; k < 3; k++) {
			/* Each register in its clerks' own language. */
			if (has_any(name3[k], ru_held ? uk_only : ru_only))
				fail_msg("row %ld: a %s spelling in the %s "
					 "register",
					 rows, ru_held ? "Ukrainian" : "Russian",
					 ru_held ? "RU" : "UA");
		}
		female += strcmp(f[c_sex], "female") == 0;
		if (strcmp(f[c_cat], "military") == 0) {
			military++;
			for (size_t k = 0; k < sizeof ofc / sizeof *ofc; k++)
				if (strstr(f[c_rank], ofc[k])) {
					officers++;
					break;
				}
		}
		civil += strcmp(f[c_cat], "civilian") == 0;
		if (strcmp(f[c_status], "reported_missing") == 0) {
			missing++;
		} else {
			held++;
			serious +=
				strcmp(f[c_health], "seriously_wounded") == 0;
			not_asked += strcmp(f[c_consent], "not_asked") == 0;
		}
		if (ru_held) {
			rows_ru++;
			char *u = cartel__gen_upper(f[c_given]);
			caps_ru += u && strcmp(u, f[c_given]) == 0;
			free(u);
			dotted_ru += strchr(f[c_birth], '.') != NULL;
		}
		struct cartel_date b, c;
		if (cartel_date_parse(f[c_birth], &b, NULL) == 0 &&
		    b.year != 0) {
			int age = ref_day.year - b.year;
			assert_true(age >= 17 && age <= 66);
			young += age <= 25;
		}
		if (cartel_date_parse(f[c_cap], &c, NULL) == 0 &&
		    c.year != 0) {
			with_cap++;
			assert_true(cartel_date_cmp(&c, &ref_day) <= 0);
			assert_true(c.year > 2022 ||
				    (c.year == 2022 && c.month >= 2));
			recent += c.year >= 2024;
			if (b.year != 0 && b.day != 0) {
				/* Never under 18 at capture. */
				long bd =
				    cartel__gen_days(b.year, b.month, b.day);
				long cd =
				    cartel__gen_days(c.year, c.month, c.day);
				assert_true(cd - bd >= 18 * 365);
			}
		}
	}
	cartel_csv_close(csv);
	fclose(fp);
	free(buf);
	assert_int_equal(rows, 2 * (long)per_side);
	double r = (double)rows;
	/* DOMAIN.md: women about 2%, officers 2.5-7.4% of a round, a fifth
	 * listed as missing. */
	assert_true(female / r > 0.01 && female / r < 0.035);
	assert_true((double)officers / military > 0.025 &&
		    (double)officers / military < 0.074);
	assert_true(civil / r > 0.015 && civil / r < 0.05);
	assert_true(missing / r > 0.14 && missing / r < 0.22);
	assert_true((double)serious / held > 0.03 &&
		    (double)serious / held < 0.07);
	assert_true((double)not_asked / held > 0.72 &&
		    (double)not_asked / held < 0.84);
	assert_true((double)caps_ru / rows_ru > 0.15 &&
		    (double)caps_ru / rows_ru < 0.25);
	assert_true((double)dotted_ru / rows_ru > 0.33 &&
		    (double)dotted_ru / rows_ru < 0.47);
	assert_true(young / r > 0.08 && young / r < 0.30);
	/* Recent captures are the more common. */
	assert_true((double)recent / with_cap > 0.55);
}

static void
every_row_imports(void **state)
{
	(void)state;
	char path[] = "/tmp/cartel-gen-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	struct cartel_db *db;
	char *why = NULL;
	if (cartel_db_open(&db, path, CARTEL_DB_CREATE, &why) != 0)
		fail_msg("open: %s", why);
	size_t len;
	char *buf = gen_buf(11, 1000, &len);
	FILE *fp = fmemopen(buf, len, "r");
	char *rej = NULL;
	size_t rej_len = 0;
	FILE *rejects = open_memstream(&rej, &rej_len);
	struct cartel_import_opts io = {0};
	io.all_or_nothing = 1;
	io.rejects = rejects;
	struct cartel_import_result res = {0};
	int rc = cartel_import_csv(db, fp, "generated", &io, &res, &why);
	fclose(rejects);
	if (rc != 0 || res.rejected != 0)
		fail_msg("import: %s; rejects: %.500s", why ? why : "",
			 rej ? rej : "");
	assert_int_equal(res.imported, 2000);
	assert_int_equal(res.n_unknown, 0);
	cartel_import_result_clear(&res);
	fclose(fp);
	free(buf);
	free(rej);

	/* A record reads back in the clerk's own spelling and holds its
	 * Art. 122 fields. */
	struct cartel_person p = {0};
	assert_int_equal(cartel_person_get(db, "RU-000001", &p, NULL), 0);
	assert_string_equal(p.held_by, "RU");
	assert_string_equal(p.depends_on, "UA");
	assert_non_null(p.family_name);
	cartel_person_clear(&p);
	cartel_db_close(db);
	unlink(path);
	char side[64];
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
}

static void
bad_options(void **state)
{
	(void)state;
	struct cartel_gen_opts o = {0};
	char *why = NULL;
	o.party_a = "UA";
	o.party_b = "UA";
	assert_int_equal(cartel_gen_population(names, &o, stdout, &why),
			 CARTEL_EINVAL);
	free(why);
	why = NULL;
	o.party_b = "RU";
	o.today = (struct cartel_date){2021, 1, 1};
	assert_int_equal(cartel_gen_population(names, &o, stdout, &why),
			 CARTEL_EINVAL);
	free(why);
}

static void
check_latin(enum cartel_latin sys, int uk, const char *cyr,
	    const char *want)
{
	char *out = NULL;
	assert_int_equal(cartel_latin(sys, uk, cyr, &out, NULL), 0);
	if (strcmp(out, want) != 0)
		fail_msg("%s(%s) = %s, expected %s", cartel_latin_name(sys),
			 cyr, out, want);
	free(out);
}

static void
latin_systems(void **state)
{
	(void)state;
	/* Ukrainian national 2010 (KMU Resolution 55, its own examples). */
	check_latin(CARTEL_LATIN_UA2010, 1, "Олександр", "Oleksandr");
	check_latin(CARTEL_LATIN_UA2010, 1, "Сергій", "Serhii");
	check_latin(CARTEL_LATIN_UA2010, 1, "Юрій", "Yurii");
	check_latin(CARTEL_LATIN_UA2010, 1, "Згурський", "Zghurskyi");
	check_latin(CARTEL_LATIN_UA2010, 1, "Єнакієве", "Yenakiieve");
	check_latin(CARTEL_LATIN_UA2010, 1, "Їжакевич", "Yizhakevych");
	check_latin(CARTEL_LATIN_UA2010, 1, "Знам'янка", "Znamianka");
	check_latin(CARTEL_LATIN_UA2010, 1, "Щербухи", "Shcherbukhy");
	check_latin(CARTEL_LATIN_UA2010, 1, "ЩУР", "SHCHUR");
	/* BGN/PCGN. */
	check_latin(CARTEL_LATIN_BGN, 0, "Сергей", "Sergey");
	check_latin(CARTEL_LATIN_BGN, 0, "Алексеев", "Alekseyev");
	check_latin(CARTEL_LATIN_BGN, 0, "Фёдор", "Fëdor");
	check_latin(CARTEL_LATIN_BGN, 1, "Юрій", "Yuriy");
	/* ICAO 9303 and the older passports. */
	check_latin(CARTEL_LATIN_ICAO, 0, "Юрий", "Iurii");
	check_latin(CARTEL_LATIN_ICAO, 0, "Наталья", "Natalia");
	check_latin(CARTEL_LATIN_ICAO, 0, "Александр", "Aleksandr");
	check_latin(CARTEL_LATIN_PASSPORT, 0, "Юрий", "Yuriy");
	check_latin(CARTEL_LATIN_PASSPORT, 0, "Дмитрий", "Dmitriy");
	/* ISO 9. */
	check_latin(CARTEL_LATIN_ISO9, 0, "Щукин", "Ŝukin");
	check_latin(CARTEL_LATIN_ISO9, 1, "Сергій", "Sergìj");
	check_latin(CARTEL_LATIN_ISO9, 0, "ЖУКОВА", "ŽUKOVA");
	/* German and Polish. */
	check_latin(CARTEL_LATIN_GERMAN, 1, "Ковальчук", "Kowaltschuk");
	check_latin(CARTEL_LATIN_GERMAN, 0, "Александр", "Alexandr");
	check_latin(CARTEL_LATIN_GERMAN, 0, "Юрий", "Juri");
	check_latin(CARTEL_LATIN_GERMAN, 0, "Сергей", "Sergej");
	check_latin(CARTEL_LATIN_GERMAN, 0, "Жуков", "Schukow");
	check_latin(CARTEL_LATIN_POLISH, 1, "Ковальчук", "Kowalczuk");
	check_latin(CARTEL_LATIN_POLISH, 1, "Олександр", "Ołeksandr");
	check_latin(CARTEL_LATIN_POLISH, 1, "Мельник", "Melnyk");
	check_latin(CARTEL_LATIN_POLISH, 1, "Гнатюк", "Hnatiuk");
	check_latin(CARTEL_LATIN_POLISH, 1, "Тарась", "Taraś");
	char *out = NULL;
	assert_int_equal(cartel_latin(CARTEL_LATIN_N, 0, "x", &out, NULL),
			 CARTEL_EINVAL);
	assert_int_equal(cartel_latin(CARTEL_LATIN_BGN, 0, "\xff", &out,
				      NULL),
			 CARTEL_EINVAL);
}

static void
feminine_surnames(void **state)
{
	(void)state;
	const char *cases[][3] = {
		{"Іванов", "1", "Іванова"},
		{"Ковальський", "1", "Ковальська"},
		{"Задорожний", "1", "Задорожна"},
		{"Шевченко", "1", "Шевченко"},
		{"Кравців", "1", "Кравців"},
		{"Ковальчук", "0", "Ковальчук"},
		{"Никитин", "0", "Никитина"},
		{"Задорожный", "0", "Задорожная"},
		{"Вознесенский", "0", "Вознесенская"},
		{"Соловйов", "1", "Соловйова"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *f = cartel__gen_surname_feminine(cases[i][0],
		                                       cases[i][1][0] == '1');
		assert_string_equal(f, cases[i][2]);
		free(f);
	}
}

struct corpus {
	char *buf[3];
	size_t len[3];
};

static int
make_corpus(struct corpus *c, const struct cartel_corpus_opts *o)
{
	FILE *fp[3];
	for (int k = 0; k < 3; k++) {
		c->buf[k] = NULL;
		fp[k] = open_memstream(&c->buf[k], &c->len[k]);
	}
	char *why = NULL;
	int rc = cartel_gen_corpus(names, o, fp[0], fp[1], fp[2], &why);
	for (int k = 0; k < 3; k++)
		fclose(fp[k]);
	free(why);
	return rc;
}

static void
corpus_free(struct corpus *c)
{
	for (int k = 0; k < 3; k++)
		free(c->buf[k]);
}

/* Reads a CSV buffer into rows of fields (copies); returns the count. */
struct table {
	char ***rows;
	size_t n, n_cols;
};

static void
read_table(const char *buf, size_t len, struct table *t)
{
	FILE *fp = fmemopen((void *)buf, len, "r");
	struct cartel_csv *csv;
	assert_int_equal(cartel_csv_open(&csv, fp, "corpus", 0), 0);
	char **f;
	size_t n;
	t->rows = NULL;
	t->n = 0;
	while (cartel_csv_next(csv, &f, &n, NULL) == 1) {
		t->rows = realloc(t->rows, (t->n + 1) * sizeof *t->rows);
		t->rows[t->n] = calloc(n + 1, sizeof(char *));
		for (size_t i = 0; i < n; i++)
			t->rows[t->n][i] = strdup(f[i]);
		t->n_cols = n;
		t->n++;
	}
	cartel_csv_close(csv);
	fclose(fp);
}

static void
free_table(struct table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		for (size_t k = 0; t->rows[i][k]; k++)
			free(t->rows[i][k]);
		free(t->rows[i]);
	}
	free(t->rows);
}

/* Row index of id in t (ids are "L000017": the number is the row). */
static size_t
row_of(const struct table *t, const char *id)
{
	size_t k = (size_t)strtoul(id + 1, NULL, 10);
	assert_true(k >= 1 && k < t->n);
	assert_string_equal(t->rows[k][0], id);
	return k;
}

static void
corpus_deterministic_and_true(void **state)
{
	(void)state;
	struct cartel_corpus_opts o = {0};
	cartel_corpus_rates_default(&o.rates);
	o.seed = 5;
	o.n = 2000;
	o.today = ref_day;
	struct corpus a, b;
	assert_int_equal(make_corpus(&a, &o), 0);
	assert_int_equal(make_corpus(&b, &o), 0);
	for (int k = 0; k < 3; k++) {
		assert_int_equal(a.len[k], b.len[k]);
		assert_memory_equal(a.buf[k], b.buf[k], a.len[k]);
	}
	struct table l, r, t;
	read_table(a.buf[0], a.len[0], &l);
	read_table(a.buf[1], a.len[1], &r);
	read_table(a.buf[2], a.len[2], &t);
	assert_string_equal(l.rows[0][1], "family_name");
	assert_string_equal(t.rows[0][0], "left_id");
	/* Some people are in one list only; the truth is one-to-one. */
	assert_true(t.n - 1 < l.n - 1 && t.n - 1 < r.n - 1);
	assert_true(t.n - 1 > 1400);
	char *seen_r = calloc(r.n, 1);
	long latin = 0, caps = 0, ukr_left_for_ru_right = 0, checked = 0;
	for (size_t i = 1; i < t.n; i++) {
		size_t li = row_of(&l, t.rows[i][0]);
		size_t ri = row_of(&r, t.rows[i][1]);
		assert_false(seen_r[ri]);
		seen_r[ri] = 1;
		const char *lf = l.rows[li][1], *rf = r.rows[ri][1];
		if (*rf >= 'A' && *rf <= 'z')
			latin++;
		char *u = cartel__gen_upper(lf);
		caps += strcmp(u, lf) == 0;
		free(u);
		/* The clerk writes the other language: a family writing
		 * Ukrainian letters is paired with a clerk who does not. */
		if (has_any(r.rows[ri][2], uk_only)) {
			checked++;
			ukr_left_for_ru_right += has_any(l.rows[li][2],
							 uk_only);
		}
	}
	double n_pairs = (double)(t.n - 1);
	assert_true(latin / n_pairs > 0.15 && latin / n_pairs < 0.35);
	assert_true(caps / n_pairs > 0.25 && caps / n_pairs < 0.45);
	assert_true(checked > 50);
	/* Only a typo could bring a Ukrainian letter in by chance. */
	assert_true(ukr_left_for_ru_right < checked / 20 + 1);
	free(seen_r);
	free_table(&l);
	free_table(&r);
	free_table(&t);
	corpus_free(&a);
	corpus_free(&b);
}

static void
corpus_twins_are_not_pairs(void **state)
{
	(void)state;
	/* No noise at all, many brothers, all of them twins: the truth must
	 * still pair each person with himself, and twins share surname,
	 * patronymic and birth date while their given names differ. */
	struct cartel_corpus_opts o = {0};
	o.rates.brother = 0.5;
	o.rates.twin = 1;
	o.rates.family_patronymic = 1;
	o.seed = 9;
	o.n = 400;
	o.today = ref_day;
	struct corpus c;
	assert_int_equal(make_corpus(&c, &o), 0);
	struct table l, r, t;
	read_table(c.buf[0], c.len[0], &l);
	read_table(c.buf[1], c.len[1], &r);
	read_table(c.buf[2], c.len[2], &t);
	assert_int_equal(t.n, l.n);
	assert_int_equal(t.n, r.n);
	for (size_t i = 1; i < t.n; i++) {
		size_t li = row_of(&l, t.rows[i][0]);
		size_t ri = row_of(&r, t.rows[i][1]);
		struct cartel_date a, b;
		assert_int_equal(cartel_date_parse(l.rows[li][4], &a, NULL), 0);
		assert_int_equal(cartel_date_parse(r.rows[ri][4], &b, NULL), 0);
		assert_int_equal(cartel_date_cmp(&a, &b), 0);
	}
	long twins = 0;
	for (size_t i = 1; i < l.n; i++)
		for (size_t j = i + 1; j < l.n; j++)
			if (strcmp(l.rows[i][1], l.rows[j][1]) == 0 &&
			    strcmp(l.rows[i][3], l.rows[j][3]) == 0 &&
			    strcmp(l.rows[i][4], l.rows[j][4]) == 0 &&
			    strcmp(l.rows[i][2], l.rows[j][2]) != 0)
				twins++;
	assert_true(twins > 50);
	free_table(&l);
	free_table(&r);
	free_table(&t);
	corpus_free(&c);

	o.rates.typo = 1.5;
	char *why = NULL;
	assert_int_equal(cartel_gen_corpus(names, &o, stdout, stdout, stdout,
					   &why),
			 CARTEL_EINVAL);
	free(why);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(same_seed_same_bytes),
		cmocka_unit_test(proportions_and_languages),
		cmocka_unit_test(every_row_imports),
		cmocka_unit_test(bad_options),
		cmocka_unit_test(latin_systems),
		cmocka_unit_test(feminine_surnames),
		cmocka_unit_test(corpus_deterministic_and_true),
		cmocka_unit_test(corpus_twins_are_not_pairs),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
