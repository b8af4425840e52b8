/*
 * Unit tests for the register's field table: text forms, the checks that
 * span fields, copying and comparing persons, and the whole-person record
 * that creation events carry.
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
#include <cartel/register.h>

#include "register/record.h"

static void
fields_table(void **state)
{
	(void)state;
	size_t n;
	const struct cartel_field *f = cartel_fields(&n);
	assert_true(n >= 23);
	assert_string_equal(f[0].name, "id");
	/* The core import columns of docs/import.md, in order. */
	const char *core[] = {"id",
			      "family_name",
			      "given_name",
			      "patronymic",
			      "birth_date",
			      "birth_place",
			      "sex",
			      "rank",
			      "service_number",
			      "unit",
			      "depends_on",
			      "held_by",
			      "category",
			      "captured_on",
			      "captured_at",
			      "internment_place",
			      "health",
			      "direct_repatriation",
			      "consent",
			      "legal_hold",
			      "status",
			      "source",
			      "notes"};
	for (size_t i = 0; i < sizeof core / sizeof core[0]; i++) {
		assert_string_equal(f[i].name, core[i]);
		assert_int_equal(f[i].core, 1);
	}
	assert_ptr_equal(cartel_field_find("Family_NAME"), &f[1]);
	assert_null(cartel_field_find("tattoo"));
	assert_non_null(cartel_field_find("consent_by"));
}

static void
set_and_text(void **state)
{
	(void)state;
	struct cartel_person p = {0};
	char buf[CARTEL_FIELD_TEXT_MAX];
	char *why = NULL;
	const struct cartel_field *bd = cartel_field_find("birth_date");
	assert_int_equal(cartel_person_set_field(&p, bd, "02.03.1994", NULL),
			 0);
	assert_string_equal(cartel_person_field_text(&p, bd, buf, sizeof buf),
			    "1994-03-02");
	assert_int_equal(cartel_person_set_field(&p, bd, "2023-02-30", &why),
			 CARTEL_ERANGE);
	assert_non_null(strstr(why, "birth_date"));
	free(why);
	why = NULL;
	const struct cartel_field *sex = cartel_field_find("sex");
	assert_int_equal(cartel_person_set_field(&p, sex, "F", NULL), 0);
	assert_string_equal(cartel_person_field_text(&p, sex, buf, sizeof buf),
			    "female");
	const struct cartel_field *st = cartel_field_find("status");
	assert_int_equal(cartel_person_set_field(&p, st, "pending", &why),
			 CARTEL_EINVAL);
	assert_non_null(strstr(why, "confirmed_captive"));
	free(why);
	const struct cartel_field *fn = cartel_field_find("family_name");
	assert_int_equal(cartel_person_set_field(&p, fn, "Шевченко", NULL), 0);
	assert_string_equal(p.family_name, "Шевченко");
	assert_int_equal(cartel_person_set_field(&p, fn, "", NULL), 0);
	assert_null(p.family_name);
	assert_string_equal(cartel_person_field_text(&p, fn, buf, sizeof buf),
			    "");
	cartel_person_clear(&p);
}

static void
attrs(void **state)
{
	(void)state;
	struct cartel_person p = {0};
	assert_int_equal(cartel_person_set_attr(&p, "tattoo", "dragon"), 0);
	assert_int_equal(cartel_person_set_attr(&p, "scar", "left arm"), 0);
	assert_int_equal(cartel_person_set_attr(&p, "tattoo", "eagle"), 0);
	assert_int_equal(p.n_extra, 2);
	assert_string_equal(cartel_person_attr(&p, "tattoo"), "eagle");
	assert_int_equal(cartel_person_set_attr(&p, "tattoo", ""), 0);
	assert_int_equal(p.n_extra, 1);
	assert_null(cartel_person_attr(&p, "tattoo"));
	cartel_person_clear(&p);
}

/* Many attributes: kept sorted, each found, in any order of setting. */
static void
attrs_many(void **state)
{
	(void)state;
	struct cartel_person p = {0};
	char key[16];
	for (int i = 0; i < 1000; i++) {
		snprintf(key, sizeof key, "k%d", (i * 7919) % 1000);
		assert_int_equal(cartel_person_set_attr(&p, key, key), 0);
	}
	assert_int_equal(p.n_extra, 1000);
	for (size_t i = 1; i < p.n_extra; i++)
		assert_true(strcmp(p.extra[i - 1].key, p.extra[i].key) < 0);
	for (int i = 0; i < 1000; i++) {
		snprintf(key, sizeof key, "k%d", i);
		assert_string_equal(cartel_person_attr(&p, key), key);
	}
	assert_null(cartel_person_attr(&p, "k1000"));
	cartel_person_clear(&p);
}

/* The one rule for attribute names, whatever made them. */
static void
attr_names(void **state)
{
	(void)state;
	/* 64 letters, the most; and 65. */
	char longest[66];
	memset(longest, 'a', 65);
	longest[64] = '\0';
	const char *good[] = {"tattoo", "unit_colour", "a", "x2", longest};
	const char *bad[] = {"",          "*",   "attr:x", "Foo",
			     "has space", "1st", "_x",     "été",
			     "a-b",       "id",  "held_by", "x\n",
			     longest};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		assert_int_equal(cartel_attr_name_check(good[i], NULL), 0);
	longest[64] = 'a';
	longest[65] = '\0';
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *why = NULL;
		assert_int_equal(cartel_attr_name_check(bad[i], &why),
				 CARTEL_EINVAL);
		assert_non_null(strstr(why, "attribute"));
		free(why);
	}
}

static void
party_codes(void **state)
{
	(void)state;
	assert_int_equal(cartel_party_check("UA", NULL), 0);
	assert_int_equal(cartel_party_check("ICRC", NULL), 0);
	assert_int_equal(cartel_party_check("A1B2C3D4", NULL), 0);
	const char *bad[] = {"", "U", "ua", "A1B2C3D4E", "U A",
			     "Іван Петренко", "RU;"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *why = NULL;
		assert_int_equal(cartel_party_check(bad[i], &why),
				 CARTEL_EINVAL);
		assert_non_null(strstr(why, "party"));
		/* The rule, never the value. */
		assert_null(strstr(why, "Петренко"));
		assert_null(strstr(why, "A1B2C3D4E"));
		free(why);
	}
	/* Through the cross-field check, naming the field. */
	struct cartel_person p = {0};
	const char *field = NULL;
	p.held_by = (char *)"Донецьк";
	assert_int_equal(cartel_person_check(&p, NULL, &field, NULL),
			 CARTEL_EINVAL);
	assert_string_equal(field, "held_by");
	p.held_by = (char *)"RU";
	p.depends_on = (char *)"ua";
	assert_int_equal(cartel_person_check(&p, NULL, &field, NULL),
			 CARTEL_EINVAL);
	assert_string_equal(field, "depends_on");
}

/* Dates of what happened: not after today and its day of grace. */
static void
future_dates(void **state)
{
	(void)state;
	struct cartel_date today = {2025, 6, 15};
	const char *names[] = {"birth_date", "captured_on", "held_since",
			       "consent_on", "direct_rep_on"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const struct cartel_field *f = cartel_field_find(names[i]);
		struct cartel_person p = {0};
		const char *field = NULL;
		char *why = NULL;
		assert_int_equal(cartel_person_set_field(&p, f, "2025-06-16",
							 NULL),
				 0);
		assert_int_equal(cartel_person_check(&p, &today, &field, NULL),
				 0);
		assert_int_equal(cartel_person_set_field(&p, f, "2025-06-17",
							 NULL),
				 0);
		assert_int_equal(cartel_person_check(&p, &today, &field, &why),
				 CARTEL_EINVAL);
		assert_string_equal(field, names[i]);
		assert_non_null(strstr(why, "in the future"));
		assert_null(strstr(why, "2025"));
		free(why);
		/* Known to the month only: its first day counts. */
		assert_int_equal(cartel_person_set_field(&p, f, "2025-06",
							 NULL),
				 0);
		assert_int_equal(cartel_person_check(&p, &today, &field, NULL),
				 0);
		assert_int_equal(cartel_person_set_field(&p, f, "2026", NULL),
				 0);
		assert_int_equal(cartel_person_check(&p, &today, &field, NULL),
				 CARTEL_EINVAL);
	}
}

static void
cross_field_checks(void **state)
{
	(void)state;
	struct cartel_person p = {0};
	struct cartel_date today = {2025, 6, 1};
	const char *field = NULL;
	char *why = NULL;
	cartel_date_parse("1990-05", &p.birth_date, NULL);
	assert_int_equal(cartel_person_check(&p, &today, &field, NULL), 0);
	/* A birth in the future. */
	cartel_date_parse("2025-07-01", &p.birth_date, NULL);
	assert_int_equal(cartel_person_check(&p, &today, &field, &why),
			 CARTEL_EINVAL);
	assert_string_equal(field, "birth_date");
	assert_non_null(strstr(why, "future"));
	free(why);
	why = NULL;
	/* Capture before birth. */
	cartel_date_parse("1990", &p.birth_date, NULL);
	cartel_date_parse("1989-12-31", &p.captured_on, NULL);
	assert_int_equal(cartel_person_check(&p, &today, &field, &why),
			 CARTEL_EINVAL);
	assert_string_equal(field, "captured_on");
	free(why);
	why = NULL;
	/* Same year as a year-only birth cannot be told apart: allowed. */
	cartel_date_parse("1990-01-05", &p.captured_on, NULL);
	assert_int_equal(cartel_person_check(&p, &today, &field, NULL), 0);
	/* No dates at all (a partial list): nothing to check. */
	struct cartel_person empty = {0};
	assert_int_equal(cartel_person_check(&empty, &today, &field, NULL), 0);
	cartel_person_clear(&p);
}

static void
fill(struct cartel_person *p)
{
	size_t n;
	const struct cartel_field *f = cartel_fields(&n);
	memset(p, 0, sizeof(*p));
	const struct {
		const char *k, *v;
	} vals[] = {{"id", "UA-1"},
		    {"family_name", "Коваль, \"Петро\""},
		    {"given_name", "a:b,c;d 12:x,"},
		    {"birth_date", "1980-03"},
		    {"sex", "male"},
		    {"held_by", "RU"},
		    {"health", "sick"},
		    {"status", "agreed"},
		    {"source", "icrc_visit"},
		    {"notes", "line one\nline two"},
		    {"consent_on", "2024"}};
	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
		assert_int_equal(
			cartel_person_set_field(p, cartel_field_find(vals[i].k),
						vals[i].v, NULL),
			0);
	(void)f;
	(void)n;
	cartel_person_set_attr(p, "tattoo", "dragon, 3:x,");
	cartel_person_set_attr(p, "ключ", "значення");
}

static void
record_roundtrip(void **state)
{
	(void)state;
	struct cartel_person p, q = {0}, c;
	fill(&p);
	struct cartel__buf b = {0};
	assert_int_equal(cartel__record_encode(&p, &b), 0);
	assert_int_equal(b.data[0], 'R');
	assert_int_equal(cartel__record_decode(&q, b.data, NULL), 0);
	assert_true(cartel_person_equal(&p, &q));
	/* A changed field is a different person. */
	assert_int_equal(cartel_person_copy(&c, &q), 0);
	assert_true(cartel_person_equal(&c, &q));
	c.health = CARTEL_HEALTH_GOOD;
	assert_false(cartel_person_equal(&c, &q));
	cartel_person_clear(&c);
	/* Defaults stay defaults. */
	struct cartel_person empty = {0}, back = {0};
	assert_int_equal(cartel__record_encode(&empty, &b), 0);
	assert_int_equal(cartel__record_decode(&back, b.data, NULL), 0);
	assert_true(cartel_person_equal(&empty, &back));
	/* Damaged records are refused, never half-read silently. */
	char *why = NULL;
	struct cartel_person bad = {0};
	assert_int_equal(cartel__record_decode(&bad, "R31;4:UA-1,", &why),
			 CARTEL_EFORMAT);
	free(why);
	why = NULL;
	cartel_person_clear(&bad);
	assert_int_equal(cartel__record_decode(&bad, "R31;9:UA-1,", &why),
			 CARTEL_EFORMAT);
	free(why);
	why = NULL;
	cartel_person_clear(&bad);
	assert_int_equal(cartel__record_decode(&bad, "R999;", &why),
			 CARTEL_EFORMAT);
	free(why);
	cartel_person_clear(&bad);
	cartel__buf_free(&b);
	cartel_person_clear(&p);
	cartel_person_clear(&q);
	cartel_person_clear(&back);
}

static void
person_json_text(void **state)
{
	(void)state;
	struct cartel_person p;
	fill(&p);
	char *j = cartel_person_json(&p);
	assert_non_null(j);
	assert_non_null(strstr(j, "\"held_by\":\"RU\""));
	assert_non_null(strstr(j, "\"rank\":null"));
	assert_non_null(strstr(j, "\"tattoo\":\"dragon, 3:x,\""));
	free(j);
	cartel_person_clear(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fields_table),
		cmocka_unit_test(set_and_text),
		cmocka_unit_test(attrs),
		cmocka_unit_test(attrs_many),
		cmocka_unit_test(attr_names),
		cmocka_unit_test(party_codes),
		cmocka_unit_test(future_dates),
		cmocka_unit_test(cross_field_checks),
		cmocka_unit_test(record_roundtrip),
		cmocka_unit_test(person_json_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
