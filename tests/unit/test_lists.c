/*
 * Unit tests for lists as they arrive: the CSV reader's delimiter
 * sniffing, its encodings (converted through ICU, or refused naming the
 * encoding a file looks like), and the Ukrainian and Russian names of
 * io/lists.c (folded for case and apostrophes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cartel/csv.h>
#include <cartel/error.h>
#include <cartel/register.h>

#include "io/lists.h"

/* Reads the first record of bytes[0..n) with the given delimiter (0:
 * sniffed) and encoding; returns cartel_csv_next's result, its fields
 * joined by '|' in out, and the message in *why. */
static int
first(const char *bytes, size_t n, int delim, const char *enc, char *out,
      size_t size, char **why)
{
	FILE *fp = fmemopen((void *)bytes, n, "r");
	assert_non_null(fp);
	struct cartel_csv *c;
	assert_int_equal(cartel_csv_open(&c, fp, "t.csv", 0), 0);
	assert_int_equal(cartel_csv_set_delimiter(c, delim, NULL), 0);
	int rc = cartel_csv_set_encoding(c, enc, why);
	char **f;
	size_t nf = 0;
	if (rc == 0)
		rc = cartel_csv_next(c, &f, &nf, why);
	out[0] = '\0';
	for (size_t i = 0; rc == 1 && i < nf; i++) {
		strncat(out, f[i], size - strlen(out) - 1);
		if (i + 1 < nf)
			strncat(out, "|", size - strlen(out) - 1);
	}
	cartel_csv_close(c);
	fclose(fp);
	return rc;
}

static void
sniffs_the_delimiter(void **state)
{
	(void)state;
	char out[256];
	assert_int_equal(
	    first("a;b;c\n1;2;3\n", 12, 0, NULL, out, sizeof out, NULL), 1);
	assert_string_equal(out, "a|b|c");
	assert_int_equal(first("a\tb\tc\n", 6, 0, NULL, out, sizeof out, NULL),
	                 1);
	assert_string_equal(out, "a|b|c");
	/* A semicolon inside a quoted header name does not count. */
	assert_int_equal(
	    first("\"x;y;z\",b\n", 10, 0, NULL, out, sizeof out, NULL), 1);
	assert_string_equal(out, "x;y;z|b");
	/* Without sniffing, the comma stays the rule. */
	assert_int_equal(first("a;b\n", 4, ',', NULL, out, sizeof out, NULL),
	                 1);
	assert_string_equal(out, "a;b");
	struct cartel_csv *c;
	FILE *fp = fmemopen("x", 1, "r");
	assert_int_equal(cartel_csv_open(&c, fp, "t", 0), 0);
	assert_int_equal(cartel_csv_set_delimiter(c, '"', NULL), CARTEL_EINVAL);
	assert_int_equal(cartel_csv_set_delimiter(c, 'a', NULL), CARTEL_EINVAL);
	cartel_csv_close(c);
	fclose(fp);
}

static void
reads_other_encodings(void **state)
{
	(void)state;
	char out[256];
	/* "Прізвище;Ім'я" in Windows-1251. */
	const char cp1251[] =
	    "\xcf\xf0\xb3\xe7\xe2\xe8\xf9\xe5;\xb2\xec'\xff\r\n";
	assert_int_equal(first(cp1251, sizeof cp1251 - 1, 0, "windows-1251",
	                       out, sizeof out, NULL),
	                 1);
	assert_string_equal(out, "Прізвище|Ім'я");
	/* UTF-16LE without a byte-order mark, asked for as UTF-16. */
	const char u16[] = "a\0,\0\x1f\x04\n\0";
	assert_int_equal(
	    first(u16, sizeof u16 - 1, 0, "UTF-16", out, sizeof out, NULL), 1);
	assert_string_equal(out, "a|П");
	/* With a byte-order mark, big-endian. */
	const char u16be[] = "\xfe\xff\0a\0,\0b\0\n";
	assert_int_equal(
	    first(u16be, sizeof u16be - 1, 0, "UTF-16", out, sizeof out, NULL),
	    1);
	assert_string_equal(out, "a|b");
	char *why = NULL;
	assert_int_equal(
	    first("a", 1, 0, "no-such-encoding", out, sizeof out, &why),
	    CARTEL_EINVAL);
	assert_non_null(strstr(why, "unknown encoding"));
	free(why);
	/* An unpaired surrogate is not UTF-16: the file stops, row named. */
	why = NULL;
	const char lone[] = "a\0\n\0b\0\0\xd8\n\0";
	FILE *fp = fmemopen((void *)lone, sizeof lone - 1, "r");
	struct cartel_csv *c;
	char **f;
	size_t nf;
	assert_int_equal(cartel_csv_open(&c, fp, "t.csv", 0), 0);
	assert_int_equal(cartel_csv_set_encoding(c, "UTF-16LE", NULL), 0);
	assert_int_equal(cartel_csv_next(c, &f, &nf, NULL), 1);
	assert_int_equal(cartel_csv_next(c, &f, &nf, &why), CARTEL_EIO);
	assert_non_null(strstr(why, "row 2 (line 2)"));
	free(why);
	assert_int_equal(cartel_csv_next(c, &f, &nf, NULL), 0);
	cartel_csv_close(c);
	fclose(fp);
}

static void
refuses_what_is_not_utf8(void **state)
{
	(void)state;
	char out[256];
	char *why = NULL;
	const char cp1251[] =
	    "\xcf\xf0\xb3\xe7\xe2\xe8\xf9\xe5;\xb2\xec'\xff\r\n"
	    "\xca\xee\xe2\xe0\xeb\xe5\xed\xea\xee;\xce\xeb\xe5"
	    "\xed\xe0\r\n";
	assert_int_equal(
	    first(cp1251, sizeof cp1251 - 1, 0, NULL, out, sizeof out, &why),
	    CARTEL_EFORMAT);
	assert_non_null(strstr(why, "looks like windows-1251"));
	free(why);
	why = NULL;
	assert_int_equal(first("\xff\xfe"
	                       "a\0",
	                       4, 0, NULL, out, sizeof out, &why),
	                 CARTEL_EFORMAT);
	assert_non_null(strstr(why, "byte-order mark of UTF-16"));
	free(why);
	why = NULL;
	const char u16[] = "i\0d\0,\0\x1f\x04\x40\x04\n\0";
	assert_int_equal(
	    first(u16, sizeof u16 - 1, 0, NULL, out, sizeof out, &why),
	    CARTEL_EFORMAT);
	assert_non_null(strstr(why, "looks like UTF-16LE"));
	free(why);
	/* A UTF-8 byte-order mark is read past; a stray byte below the
	 * header only rejects its row. */
	assert_int_equal(first("\xef\xbb\xbf"
	                       "a,b\n",
	                       7, 0, NULL, out, sizeof out, NULL),
	                 1);
	assert_string_equal(out, "a|b");
	assert_int_equal(
	    first("id,name\nA,\xff\n", 12, 0, NULL, out, sizeof out, NULL), 1);
}

static void
names_fold_case_and_apostrophes(void **state)
{
	(void)state;
	assert_int_equal(cartel__lists_load(NULL), 0);
	const char *given[] = {"Ім'я",   "Ім’я",  "ІМ'Я",
	                       "ім'я :", " Имя ", "ІМʼЯ"};
	for (size_t i = 0; i < sizeof given / sizeof *given; i++) {
		const struct cartel_field *f = cartel__lists_column(given[i]);
		assert_non_null(f);
		assert_string_equal(f->name, "given_name");
	}
	assert_string_equal(cartel__lists_column("ФАМИЛИЯ")->name,
	                    "family_name");
	assert_string_equal(cartel__lists_column("Дата народження")->name,
	                    "birth_date");
	assert_null(cartel__lists_column("Примітка до примітки"));
	const struct cartel_field *consent = cartel_field_find("consent");
	const struct cartel_field *sex = cartel_field_find("sex");
	const struct cartel_field *dr =
	    cartel_field_find("direct_repatriation");
	assert_string_equal(cartel__lists_value(consent, "Згоден"), "willing");
	assert_string_equal(cartel__lists_value(consent, "СОГЛАСНА"),
	                    "willing");
	assert_string_equal(cartel__lists_value(consent, "так"), "willing");
	assert_string_equal(cartel__lists_value(dr, "так"), "yes");
	assert_string_equal(cartel__lists_value(sex, "чоловіча"), "male");
	assert_string_equal(cartel__lists_value(sex, "Мужской"), "male");
	assert_string_equal(cartel__lists_value(sex, "ж"), "female");
	assert_null(cartel__lists_value(sex, "згоден"));
	assert_null(cartel__lists_value(cartel_field_find("family_name"), "ч"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(sniffs_the_delimiter),
	    cmocka_unit_test(reads_other_encodings),
	    cmocka_unit_test(refuses_what_is_not_utf8),
	    cmocka_unit_test(names_fold_case_and_apostrophes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
