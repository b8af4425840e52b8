/*
 * Unit tests for the core pieces: partial dates, the CSV reader and writer,
 * the person's enumerations and the status lifecycle.
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

#include "core/why.h"

static void
date_shapes(void **state)
{
	(void)state;
	struct cartel_date d;
	char buf[16];
	assert_int_equal(cartel_date_parse("1994-03-02", &d, NULL), 0);
	assert_string_equal(cartel_date_format(&d, buf, sizeof buf),
			    "1994-03-02");
	assert_int_equal(cartel_date_parse("02.03.1994", &d, NULL), 0);
	assert_string_equal(cartel_date_format(&d, buf, sizeof buf),
			    "1994-03-02");
	assert_int_equal(cartel_date_parse(" 1994-03 ", &d, NULL), 0);
	assert_string_equal(cartel_date_format(&d, buf, sizeof buf),
			    "1994-03");
	assert_int_equal(cartel_date_parse("1994", &d, NULL), 0);
	assert_int_equal(d.month, 0);
	assert_int_equal(cartel_date_parse("", &d, NULL), 0);
	assert_false(cartel_date_known(&d));
	assert_int_equal(cartel_date_parse("2024-02-29", &d, NULL), 0);
}

static void
date_impossible(void **state)
{
	(void)state;
	struct cartel_date d;
	char *why = NULL;
	assert_int_equal(cartel_date_parse("2023-02-30", &d, &why),
			 CARTEL_ERANGE);
	/* The rule broken, not the value: a cell may hold a name. */
	assert_non_null(strstr(why, "no day 30"));
	assert_null(strstr(why, "2023-02-30"));
	free(why);
	why = NULL;
	assert_int_equal(cartel_date_parse("1994-13", &d, &why),
			 CARTEL_ERANGE);
	free(why);
	why = NULL;
	assert_int_equal(cartel_date_parse("3/2/1994", &d, &why),
			 CARTEL_EFORMAT);
	free(why);
	assert_int_equal(cartel_date_parse("2023-02-3x", &d, NULL),
			 CARTEL_EFORMAT);
}

static void
date_compare(void **state)
{
	(void)state;
	struct cartel_date a = {1994, 0, 0}, b = {1994, 3, 2},
			   c = {1995, 1, 1};
	assert_int_equal(cartel_date_cmp(&a, &b), 0);
	assert_true(cartel_date_cmp(&b, &c) < 0);
	struct cartel_date epoch = {1970, 1, 1}, leap = {2000, 3, 1};
	assert_int_equal(cartel_date_days(&epoch), 0);
	assert_int_equal(cartel_date_days(&leap), 11017);
}

static void
app(char *out, size_t cap, const char *s)
{
	size_t used = strlen(out);
	snprintf(out + used, cap - used, "%s", s);
}

/* Reads all of text as CSV; returns records in a flat "a|b;c|d;" string,
 * with "!" for a record that failed. */
static char *
read_all(const char *text, size_t len, size_t max_field)
{
	FILE *fp = fmemopen((void *)text, len, "r");
	assert_non_null(fp);
	struct cartel_csv *csv;
	assert_int_equal(cartel_csv_open(&csv, fp, "t.csv", max_field), 0);
	static char out[4096];
	out[0] = '\0';
	char **f;
	size_t n;
	int rc;
	char *why = NULL;
	while ((rc = cartel_csv_next(csv, &f, &n, &why)) != 0) {
		if (rc < 0) {
			app(out, sizeof out, "!;");
			free(why);
			why = NULL;
			continue;
		}
		for (size_t i = 0; i < n; i++) {
			app(out, sizeof out, f[i]);
			app(out, sizeof out, i + 1 < n ? "|" : ";");
		}
	}
	cartel_csv_close(csv);
	fclose(fp);
	return out;
}

static void
csv_quoting(void **state)
{
	(void)state;
	const char *t = "\xEF\xBB\xBFid,name\r\n1,\"Ivanov, Ivan\"\r\n"
			"2,\"say \"\"hi\"\"\nthere\"\r\n\r\n3,\n";
	assert_string_equal(read_all(t, strlen(t), 0),
			    "id|name;1|Ivanov, Ivan;2|say \"hi\"\nthere;3|;");
}

/* A NUL inside a field rejects its row: never a value cut short. */
static void
csv_nul_rejects_row(void **state)
{
	(void)state;
	const char t[] = "a,b\n1,ab\0cd\n2,\"x\0\"\n3,ok\n";
	assert_string_equal(read_all(t, sizeof t - 1, 0), "a|b;!;!;3|ok;");
	FILE *fp = fmemopen((void *)t, sizeof t - 1, "r");
	struct cartel_csv *csv;
	assert_int_equal(cartel_csv_open(&csv, fp, "t.csv", 0), 0);
	char **f;
	size_t n;
	char *why = NULL;
	assert_int_equal(cartel_csv_next(csv, &f, &n, &why), 1);
	assert_int_equal(cartel_csv_next(csv, &f, &n, &why), CARTEL_EFORMAT);
	assert_string_equal(why, "t.csv: row 2 (line 2), column 2: holds a "
				 "NUL byte (the file is not text)");
	free(why);
	cartel_csv_close(csv);
	fclose(fp);
}

/* Past the column limit a row is rejected, the next one read. */
static void
csv_column_limit(void **state)
{
	(void)state;
	size_t wide = CARTEL_LIMIT_COLUMNS + 1;
	size_t len = 4 + 2 * wide + 8;
	char *t = malloc(len);
	assert_non_null(t);
	size_t k = 0;
	memcpy(t + k, "a,b\n", 4);
	k += 4;
	for (size_t i = 0; i < wide; i++) {
		t[k++] = 'x';
		t[k++] = i + 1 < wide ? ',' : '\n';
	}
	memcpy(t + k, "1,2\n", 4);
	k += 4;
	assert_string_equal(read_all(t, k, 0), "a|b;!;1|2;");
	/* Exactly the limit is a row. */
	k = 4;
	for (size_t i = 0; i + 1 < wide; i++) {
		t[k++] = 'x';
		t[k++] = i + 2 < wide ? ',' : '\n';
	}
	FILE *fp = fmemopen(t, k, "r");
	struct cartel_csv *csv;
	assert_int_equal(cartel_csv_open(&csv, fp, "t.csv", 0), 0);
	char **f;
	size_t n;
	assert_int_equal(cartel_csv_next(csv, &f, &n, NULL), 1);
	assert_int_equal(cartel_csv_next(csv, &f, &n, NULL), 1);
	assert_int_equal(n, CARTEL_LIMIT_COLUMNS);
	cartel_csv_close(csv);
	fclose(fp);
	free(t);
}

/* A quoted id is cut at a character, never inside one. */
static void
utf8_cut(void **state)
{
	(void)state;
	assert_int_equal(cartel__utf8_cut("abc", 64), 3);
	assert_int_equal(cartel__utf8_cut("abcdef", 4), 4);
	/* "жжж" is three letters of two bytes: five bytes hold two whole
	 * letters, three bytes one. */
	assert_int_equal(cartel__utf8_cut("жжж", 5), 4);
	assert_int_equal(cartel__utf8_cut("жжж", 3), 2);
	assert_int_equal(cartel__utf8_cut("a\xF0\x9F\x98\x80", 3), 1);
	assert_int_equal(cartel__utf8_cut(NULL, 3), 0);
}

static void
csv_bad_rows_cost_one_row(void **state)
{
	(void)state;
	/* Invalid UTF-8, a stray quote, an over-long field, then good. */
	const char *t = "a,b\n1,\xC3\x28\n2,x\"y\n3,\"abcdefghijk\"\n4,ok\n"
			"5,\"never closed\n";
	assert_string_equal(read_all(t, strlen(t), 8),
			    "a|b;!;!;!;4|ok;!;");
}

static void
csv_error_names_row_and_column(void **state)
{
	(void)state;
	const char *t = "a,b\n1,\xFF\n";
	FILE *fp = fmemopen((void *)t, strlen(t), "r");
	struct cartel_csv *csv;
	assert_int_equal(cartel_csv_open(&csv, fp, "list.csv", 0), 0);
	char **f;
	size_t n;
	char *why = NULL;
	assert_int_equal(cartel_csv_next(csv, &f, &n, &why), 1);
	assert_int_equal(cartel_csv_next(csv, &f, &n, &why), CARTEL_EFORMAT);
	assert_non_null(strstr(why, "list.csv: row 2 (line 2), column 2"));
	free(why);
	cartel_csv_close(csv);
	fclose(fp);
}

static void
csv_write_round_trip(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	const char *row[] = {"plain", "a,b", "q\"q", "multi\nline", " pad",
			     "", "\"\"x\""};
	assert_int_equal(cartel_csv_write_row(fp, row, 7), 0);
	fclose(fp);
	assert_string_equal(buf, "plain,\"a,b\",\"q\"\"q\",\"multi\nline\","
				 "\" pad\",,\"\"\"\"\"x\"\"\"\n");
	assert_string_equal(read_all(buf, len, 0),
			    "plain|a,b|q\"q|multi\nline| pad||\"\"x\";");
	free(buf);
}

static void
utf8_validation(void **state)
{
	(void)state;
	assert_true(cartel_utf8_valid("Олександр", strlen("Олександр")));
	assert_false(cartel_utf8_valid("\xC0\xAF", 2));     /* overlong */
	assert_false(cartel_utf8_valid("\xED\xA0\x80", 3)); /* surrogate */
	assert_false(cartel_utf8_valid("\xD0", 1));         /* truncated */
	assert_true(cartel_utf8_valid("\xF0\x9F\x98\x80", 4));
}

static void
enums(void **state)
{
	(void)state;
	int v;
	char *why = NULL;
	assert_int_equal(cartel_enum_parse(CARTEL_ENUM_CONSENT, " Willing ",
					   &v, NULL), 0);
	assert_int_equal(v, CARTEL_CONSENT_WILLING);
	assert_int_equal(cartel_enum_parse(CARTEL_ENUM_LEGAL_HOLD, "jailed",
					   &v, &why), CARTEL_EINVAL);
	assert_non_null(strstr(why, "none, proceedings, convicted"));
	free(why);
	assert_string_equal(cartel_enum_name(CARTEL_ENUM_HEALTH,
					     CARTEL_HEALTH_SERIOUSLY_WOUNDED),
			    "seriously_wounded");
	assert_int_equal(cartel_enum_parse(CARTEL_ENUM_DIRECT_REP, "yes", &v,
					   NULL), 0);
	assert_int_equal(v, CARTEL_DIRECT_YES);
}

static void
lifecycle(void **state)
{
	(void)state;
	assert_true(cartel_status_can_move(CARTEL_STATUS_REPORTED_MISSING,
					   CARTEL_STATUS_CONFIRMED_CAPTIVE));
	assert_true(cartel_status_can_move(CARTEL_STATUS_AGREED,
					   CARTEL_STATUS_REPATRIATED));
	assert_false(cartel_status_can_move(CARTEL_STATUS_REPATRIATED,
					    CARTEL_STATUS_CONFIRMED_CAPTIVE));
	assert_false(cartel_status_can_move(CARTEL_STATUS_DECEASED,
					    CARTEL_STATUS_RELEASED));
	/* Nobody is agreed without first being proposed. */
	assert_false(cartel_status_can_move(CARTEL_STATUS_CONFIRMED_CAPTIVE,
					    CARTEL_STATUS_AGREED));
	assert_true(cartel_status_is_final(CARTEL_STATUS_DECEASED));
	assert_false(cartel_status_is_final(CARTEL_STATUS_PROPOSED));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(date_shapes),
		cmocka_unit_test(date_impossible),
		cmocka_unit_test(date_compare),
		cmocka_unit_test(csv_quoting),
		cmocka_unit_test(csv_bad_rows_cost_one_row),
		cmocka_unit_test(csv_nul_rejects_row),
		cmocka_unit_test(utf8_cut),
		cmocka_unit_test(csv_column_limit),
		cmocka_unit_test(csv_error_names_row_and_column),
		cmocka_unit_test(csv_write_round_trip),
		cmocka_unit_test(utf8_validation),
		cmocka_unit_test(enums),
		cmocka_unit_test(lifecycle),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
