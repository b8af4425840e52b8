/*
 * Unit tests for the free-text query parser (src/lib/match/query.c): the
 * readings formed from a name as people type it, the choice among them by
 * the index, birth dates with day and month swapped, and input that is no
 * name at all.
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

static const char *
s_or(const char *s)
{
	return s ? s : "";
}

/* 1 when some reading of q has exactly these fields ("" = none). */
static int
has_reading(const struct cartel_query *q, const char *fam, const char *giv,
	    const char *pat)
{
	for (size_t i = 0; i < q->n_readings; i++) {
		const struct cartel_person *p = &q->readings[i].person;
		if (strcmp(s_or(p->family_name), fam) == 0 &&
		    strcmp(s_or(p->given_name), giv) == 0 &&
		    strcmp(s_or(p->patronymic), pat) == 0)
			return 1;
	}
	return 0;
}

static void
parse(const char *text, const char *born, struct cartel_query *q)
{
	char *why = NULL;
	int rc = cartel_query_parse(text, strlen(text), born, NULL, q, &why);
	if (rc != 0)
		fail_msg("%s: %s", text, why ? why : "failed");
	assert_true(q->n_readings >= 1);
}

/* A surname that ends like a patronymic is offered as a surname, and is
 * the most plausible reading when the other word is a given name. */
static void
patronymic_looking_surname(void **state)
{
	(void)state;
	struct cartel_query q;
	parse("Ляхович Василий", NULL, &q);
	assert_true(has_reading(&q, "Ляхович", "Василий", ""));
	assert_true(has_reading(&q, "", "Василий", "Ляхович"));
	assert_string_equal(s_or(q.readings[0].person.family_name), "Ляхович");
	char buf[256];
	assert_string_equal(cartel_query_reading_text(&q, 0, buf, sizeof buf),
			    "surname Ляхович, given name Василий");
	cartel_query_clear(&q);

	/* One word: a surname or a given name, never a patronymic. */
	parse("Мартинович", NULL, &q);
	assert_true(has_reading(&q, "Мартинович", "", ""));
	assert_false(has_reading(&q, "", "", "Мартинович"));
	assert_string_equal(s_or(q.readings[0].person.family_name),
			    "Мартинович");
	cartel_query_clear(&q);

	/* Кузьмин is one letter from the patronymic Кузьмич: the table
	 * alone still reads it as the surname. */
	parse("Кузьмин Денис Иванович", NULL, &q);
	const struct cartel_person *p = &q.readings[0].person;
	assert_string_equal(s_or(p->family_name), "Кузьмин");
	assert_string_equal(s_or(p->given_name), "Денис");
	assert_string_equal(s_or(p->patronymic), "Иванович");
	cartel_query_clear(&q);
}

/* A diminutive of two names is offered as each: the comparison reads
 * Женя as Євген, and Гончаренко Євгенія would be a different name. */
static void
shared_diminutive(void **state)
{
	(void)state;
	struct cartel_query q;
	parse("Женя Гончаренко", NULL, &q);
	assert_true(has_reading(&q, "Гончаренко", "Женя", ""));
	assert_true(has_reading(&q, "Гончаренко", "Євгенія", ""));
	assert_true(q.n_readings <= CARTEL_QUERY_MAX_READINGS);
	cartel_query_clear(&q);
}

/* Initials are given names or patronymics, never a surname. */
static void
initials(void **state)
{
	(void)state;
	struct cartel_query q;
	parse("Коваленко О. І.", NULL, &q);
	assert_true(has_reading(&q, "Коваленко", "О", "І"));
	assert_false(has_reading(&q, "О", "Коваленко", ""));
	assert_false(has_reading(&q, "І", "О", ""));
	const struct cartel_person *p = &q.readings[0].person;
	assert_string_equal(s_or(p->family_name), "Коваленко");
	assert_string_equal(s_or(p->given_name), "О");
	cartel_query_clear(&q);

	parse("O.Kovalenko", NULL, &q);
	assert_string_equal(s_or(q.readings[0].person.family_name),
			    "Kovalenko");
	assert_string_equal(s_or(q.readings[0].person.given_name), "O");
	cartel_query_clear(&q);
}

/* Dates: swapped day and month read and said; a date inside the text. */
static void
dates(void **state)
{
	(void)state;
	struct cartel_query q;
	parse("Кузьмин Денис", "1988-25-03", &q);
	assert_int_equal(q.born.year, 1988);
	assert_int_equal(q.born.month, 3);
	assert_int_equal(q.born.day, 25);
	assert_int_equal(q.born_swapped, 1);
	assert_int_equal(q.readings[0].person.birth_date.day, 25);
	char buf[256];
	assert_non_null(strstr(cartel_query_reading_text(&q, 0, buf,
							 sizeof buf),
			       "born 1988-03-25 (day and month swapped)"));
	cartel_query_clear(&q);

	parse("Кузьмин Денис 3.10.1988", NULL, &q);
	assert_int_equal(q.born.year, 1988);
	assert_int_equal(q.born.month, 10);
	assert_int_equal(q.born.day, 3);
	assert_int_equal(q.born_in_text, 1);
	assert_false(has_reading(&q, "Кузьмин Денис 3.10.1988", "", ""));
	cartel_query_clear(&q);

	parse("Кузьмин", "10/1988", &q);
	assert_int_equal(q.born.year, 1988);
	assert_int_equal(q.born.month, 10);
	assert_int_equal(q.born.day, 0);
	cartel_query_clear(&q);

	/* No date even swapped. */
	char *why = NULL;
	assert_int_equal(cartel_query_parse("Кузьмин", 14, "1988-13-13", NULL,
					    &q, &why),
			 CARTEL_ERANGE);
	assert_non_null(why);
	free(why);
	why = NULL;
	assert_int_equal(cartel_query_parse("Кузьмин", 14, "1988-02-30", NULL,
					    &q, &why),
			 CARTEL_ERANGE);
	free(why);
	why = NULL;
	assert_int_equal(cartel_query_parse("Кузьмин", 14, "вчора", NULL, &q,
					    &why),
			 CARTEL_EFORMAT);
	free(why);
	assert_int_equal(q.n_readings, 0);
}

/* Every way a birth date is typed in the box: read to the same date, or
 * refused with a reason when it cannot be one. */
static void
date_forms(void **state)
{
	(void)state;
	static const struct {
		const char *typed;
		int y, m, d;
	} good[] = {
		{"1988", 1988, 0, 0},          {" 1988 ", 1988, 0, 0},
		{"1988-10", 1988, 10, 0},      {"10.1988", 1988, 10, 0},
		{"1988/10/03", 1988, 10, 3},   {"03.10.1988", 1988, 10, 3},
		{"3/10/1988", 1988, 10, 3},    {"1988-10-3", 1988, 10, 3},
		{"29.02.2000", 2000, 2, 29},   {"1800", 1800, 0, 0},
		{"2999-12-31", 2999, 12, 31},
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		struct cartel_query q;
		char *why = NULL;
		if (cartel_query_parse("Кузьмин", strlen("Кузьмин"),
				       good[i].typed, NULL, &q, &why) != 0)
			fail_msg("'%s': %s", good[i].typed, why);
		if (q.born.year != good[i].y || q.born.month != good[i].m ||
		    q.born.day != good[i].d)
			fail_msg("'%s' read as %d-%d-%d", good[i].typed,
				 q.born.year, q.born.month, q.born.day);
		cartel_query_clear(&q);
	}
	static const struct {
		const char *typed;
		int code;
	} bad[] = {
		{"88", CARTEL_EFORMAT},          {"1988-x", CARTEL_EFORMAT},
		{"1988-10-03-01", CARTEL_EFORMAT}, {"1988 10", CARTEL_EFORMAT},
		{"198810", CARTEL_EFORMAT},      {"1988-100", CARTEL_EFORMAT},
		{"100-1988", CARTEL_EFORMAT},    {"1988-1-100", CARTEL_EFORMAT},
		{"1-100-1988", CARTEL_EFORMAT},  {"19880-1-1", CARTEL_EFORMAT},
		{"1799", CARTEL_ERANGE},         {"3000-01-01", CARTEL_ERANGE},
		{"1988-00", CARTEL_ERANGE},      {"29.02.1900", CARTEL_ERANGE},
		{"00.10.1988", CARTEL_ERANGE},   {"1988-13-14", CARTEL_ERANGE},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct cartel_query q;
		char *why = NULL;
		int rc = cartel_query_parse("Кузьмин", strlen("Кузьмин"),
					    bad[i].typed, NULL, &q, &why);
		if (rc != bad[i].code || why == NULL ||
		    strstr(why, "birth date") == NULL)
			fail_msg("'%s': %d (%s)", bad[i].typed, rc,
				 why ? why : "no reason");
		free(why);
		assert_int_equal(q.n_readings, 0);
	}
}

/* No name at all, over-long text, bytes that are not text. */
static void
bad_input(void **state)
{
	(void)state;
	struct cartel_query q;
	char *why = NULL;
	assert_int_equal(cartel_query_parse("  , ; 1988", 10, NULL, NULL, &q,
					    &why),
			 CARTEL_EINVAL);
	free(why);
	why = NULL;
	assert_int_equal(cartel_query_parse("О. І.", strlen("О. І."), NULL,
					    NULL, &q, &why),
			 CARTEL_EINVAL);
	free(why);
	why = NULL;
	char big[CARTEL_QUERY_MAX_TEXT + 8];
	memset(big, 'a', sizeof big);
	assert_int_equal(cartel_query_parse(big, sizeof big, NULL, NULL, &q,
					    &why),
			 CARTEL_ERANGE);
	free(why);
	/* Bytes that are not UTF-8: no name, refused with a reason. */
	const char bad[] = {'I', 'v', 'a', 'n', ' ', (char)0xff, (char)0xd0,
			    ' ', 'P', 'e', 't', 'r', 'o', 'v'};
	why = NULL;
	assert_int_equal(cartel_query_parse(bad, sizeof bad, NULL, NULL, &q,
					    &why),
			 CARTEL_EINVAL);
	assert_non_null(strstr(why, "UTF-8"));
	free(why);
	/* Not NUL-terminated: read up to len, no further. */
	const char raw[] = {'I', 'v', 'a', 'n', ' ', 'P', 'e', 't',
			    'r', 'o', 'v', 'X'};
	assert_int_equal(cartel_query_parse(raw, sizeof raw - 1, NULL, NULL,
					    &q, NULL),
			 0);
	assert_true(has_reading(&q, "Petrov", "Ivan", "") ||
		    q.n_readings >= 1);
	for (size_t i = 0; i < q.n_readings; i++)
		assert_null(strstr(s_or(q.readings[i].person.family_name),
				   "PetrovX"));
	cartel_query_clear(&q);
	/* Many words: the readings stay few. */
	const char *many = "Іван Петро Павло Марко Лука Яків Андрій Пилип "
			   "Фома Матвій Тадей Симон Юда Степан";
	assert_int_equal(cartel_query_parse(many, strlen(many), NULL, NULL,
					    &q, NULL),
			 0);
	assert_true(q.n_readings <= CARTEL_QUERY_MAX_READINGS);
	cartel_query_clear(&q);
}

/* The index chooses: the reading that finds someone wins over the one
 * the name tables liked better. */
static void
index_chooses(void **state)
{
	(void)state;
	struct cartel_person reg[3];
	memset(reg, 0, sizeof reg);
	reg[0].id = "A";
	reg[0].family_name = "Богданович";
	reg[0].given_name = "Віктор";
	reg[0].birth_date = (struct cartel_date){1977, 9, 19};
	reg[1].id = "B";
	reg[1].family_name = "Мельник";
	reg[1].given_name = "Віктор";
	reg[1].patronymic = "Богданович";
	reg[1].birth_date = (struct cartel_date){1977, 9, 19};
	reg[2].id = "C";
	reg[2].family_name = "Ляхович";
	reg[2].given_name = "Василий";
	reg[2].patronymic = "Михайлович";
	struct cartel_match_index *ix = NULL;
	assert_int_equal(cartel_match_index_build(&ix, reg, 3, NULL, NULL), 0);

	struct cartel_query q;
	parse("Виктор Богданович", "1977", &q);
	size_t best = 99;
	assert_int_equal(cartel_match_query_choose(ix, &q, &best, NULL, NULL),
			 0);
	assert_true(best < q.n_readings);
	assert_string_equal(s_or(q.readings[best].person.family_name),
			    "Богданович");
	struct cartel_match_candidate *c = NULL;
	size_t nc = 0;
	assert_int_equal(cartel_match_query(ix, &q.readings[best].person, 3, 0,
					    &c, &nc, NULL),
			 0);
	assert_true(nc >= 1);
	assert_string_equal(c[0].id, "A");
	cartel_match_candidates_free(c, nc);
	cartel_query_clear(&q);

	/* The old reading of this name (Ляхович as the patronymic, no
	 * surname) found nobody. */
	parse("Ляхович Василий", NULL, &q);
	assert_int_equal(cartel_match_query_choose(ix, &q, &best, NULL, NULL),
			 0);
	assert_string_equal(s_or(q.readings[best].person.family_name),
			    "Ляхович");
	assert_int_equal(cartel_match_query(ix, &q.readings[best].person, 3, 0,
					    &c, &nc, NULL),
			 0);
	assert_true(nc >= 1);
	assert_string_equal(c[0].id, "C");
	cartel_match_candidates_free(c, nc);
	cartel_query_clear(&q);
	cartel_match_index_free(ix);
}

/* The words of a search answer. */
static void
status_words(void **state)
{
	(void)state;
	struct cartel_person p;
	memset(&p, 0, sizeof p);
	char buf[128];
	p.status = CARTEL_STATUS_REPORTED_MISSING;
	assert_string_equal(cartel_search_status_text(&p, NULL, buf,
						      sizeof buf),
			    "reported missing");
	p.status = CARTEL_STATUS_CONFIRMED_CAPTIVE;
	p.held_by = "RU";
	p.held_since = (struct cartel_date){2024, 3, 17};
	assert_string_equal(cartel_search_status_text(&p, NULL, buf,
						      sizeof buf),
			    "held by Russia since 2024-03");
	p.status = CARTEL_STATUS_PROPOSED;
	assert_string_equal(cartel_search_status_text(&p, NULL, buf,
						      sizeof buf),
			    "held by Russia since 2024-03; proposed for exchange");
	p.status = CARTEL_STATUS_REPATRIATED;
	assert_string_equal(cartel_search_status_text(&p, "2025-01-10", buf,
						      sizeof buf),
			    "repatriated on 2025-01-10");
	assert_string_equal(cartel_search_status_text(&p, NULL, buf,
						      sizeof buf),
			    "repatriated");
	/* Truncated, still a string. */
	assert_string_equal(cartel_search_status_text(&p, "2025-01-10", buf,
						      6),
			    "repat");
}

/* A list with the whole name in one column (link, dedupe, reconcile)
 * is read by the same parser. */
static void
list_name_column(void **state)
{
	(void)state;
	static const char csv[] =
		"id,name,birth_date\n"
		"1,Ляхович Василий Михайлович,1976-12-21\n"
		"2,\"KOVALCHUK, Oleksandr\",\n"
		"3,Мартинович Олег 12.04.1985,\n"
		"4,,\n";
	FILE *fp = fmemopen((void *)csv, sizeof csv - 1, "r");
	assert_non_null(fp);
	struct cartel_person *p = NULL;
	size_t n = 0;
	char *why = NULL;
	int rc = cartel_match_read_csv(fp, "list.csv", 0, &p, &n, NULL, &why);
	fclose(fp);
	if (rc != 0)
		fail_msg("%s", why ? why : "failed");
	assert_int_equal(n, 4);
	assert_string_equal(s_or(p[0].family_name), "Ляхович");
	assert_string_equal(s_or(p[0].given_name), "Василий");
	assert_string_equal(s_or(p[0].patronymic), "Михайлович");
	assert_int_equal(p[0].birth_date.year, 1976);
	assert_string_equal(s_or(p[1].family_name), "KOVALCHUK");
	assert_string_equal(s_or(p[1].given_name), "Oleksandr");
	assert_string_equal(s_or(p[2].family_name), "Мартинович");
	assert_string_equal(s_or(p[2].given_name), "Олег");
	assert_int_equal(p[2].birth_date.month, 4);
	assert_null(p[3].family_name);
	cartel_match_persons_free(p, n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(patronymic_looking_surname),
		cmocka_unit_test(initials),
		cmocka_unit_test(shared_diminutive),
		cmocka_unit_test(dates),
		cmocka_unit_test(date_forms),
		cmocka_unit_test(bad_input),
		cmocka_unit_test(index_chooses),
		cmocka_unit_test(status_words),
		cmocka_unit_test(list_name_column),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
