/*
 * The core module's edges: every error code has its own sentence, dates
 * given with spaces or in the wrong shape give the right code and a reason,
 * partial dates compare and count days as documented, and the data folder
 * follows CARTEL_DATA.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cartel/data.h>
#include <cartel/date.h>
#include <cartel/error.h>

static void
strerror_each_code(void **state)
{
	(void)state;
	/* Each code reads differently, so a user can tell them apart. */
	const char *seen[18];
	for (int e = 0; e >= CARTEL_ELIMIT; e--) {
		const char *s = cartel_strerror(e);
		assert_non_null(s);
		assert_true(s[0] != '\0');
		assert_string_not_equal(s, "unknown error");
		for (int k = 0; k < -e; k++)
			assert_string_not_equal(s, seen[k]);
		seen[-e] = s;
	}
	assert_string_equal(cartel_strerror(CARTEL_ELIMIT - 1),
			    "unknown error");
	assert_string_equal(cartel_strerror(42), "unknown error");
}

static void
parse_ok(const char *text, int y, int m, int d)
{
	struct cartel_date out = {-1, -1, -1};
	char *why = NULL;
	int rc = cartel_date_parse(text, &out, &why);
	if (rc)
		fail_msg("'%s': %s", text, why);
	assert_int_equal(out.year, y);
	assert_int_equal(out.month, m);
	assert_int_equal(out.day, d);
}

static void
parse_bad(const char *text, int code, const char *reason)
{
	struct cartel_date out = {7, 7, 7};
	char *why = NULL;
	assert_int_equal(cartel_date_parse(text, &out, &why), code);
	assert_non_null(why);
	if (strstr(why, reason) == NULL)
		fail_msg("'%s': '%s' does not say '%s'", text, why, reason);
	free(why);
	/* A refused date leaves the output as it was. */
	assert_int_equal(out.year, 7);
}

static void
dates_spaces_and_shapes(void **state)
{
	(void)state;
	parse_ok(NULL, 0, 0, 0);
	parse_ok(" \t ", 0, 0, 0);
	parse_ok("\t1994-03-02 ", 1994, 3, 2);
	parse_ok("02.03.1994\t", 1994, 3, 2);
	parse_ok(" 1994-03", 1994, 3, 0);
	parse_ok("1994", 1994, 0, 0);
	parse_ok("2024-02-29", 2024, 2, 29);
	parse_bad("1994-03-02T10:00:00Z", CARTEL_EFORMAT, "expected YYYY-MM-DD");
	parse_bad("1994/03/02", CARTEL_EFORMAT, "is not a date");
	parse_bad("94-3-2", CARTEL_EFORMAT, "is not a date");
	parse_bad("19x4", CARTEL_EFORMAT, "is not a date");
	parse_bad("1994-0x", CARTEL_EFORMAT, "is not a date");
	parse_bad("1799", CARTEL_ERANGE, "has a year outside");
	parse_bad("3000-01-01", CARTEL_ERANGE, "has a year outside");
	parse_bad("1994-13", CARTEL_ERANGE, "no month 13");
	parse_bad("1994-00-10", CARTEL_ERANGE, "no month 0");
	parse_bad("31.04.1994", CARTEL_ERANGE, "no day 31");
	parse_bad("2023-02-29", CARTEL_ERANGE, "no day 29");
	parse_bad("1994-03-00", CARTEL_ERANGE, "no day 0");
}

static void
dates_format_compare_count(void **state)
{
	(void)state;
	char buf[16];
	struct cartel_date full = {1994, 3, 2}, month = {1994, 3, 0},
			   year = {1994, 0, 0}, none = {0, 0, 0};
	assert_string_equal(cartel_date_format(&full, buf, sizeof buf),
			    "1994-03-02");
	assert_string_equal(cartel_date_format(&month, buf, sizeof buf),
			    "1994-03");
	assert_string_equal(cartel_date_format(&year, buf, sizeof buf),
			    "1994");
	assert_string_equal(cartel_date_format(&none, buf, sizeof buf), "");
	/* No room at all: the buffer is handed back untouched. */
	buf[0] = 'x';
	assert_ptr_equal(cartel_date_format(&full, buf, 0), buf);
	assert_int_equal(buf[0], 'x');
	assert_false(cartel_date_known(&none));
	assert_true(cartel_date_known(&year));

	/* What only one side knows cannot tell them apart. */
	struct cartel_date other_day = {1994, 3, 9}, other_month = {1994, 5, 1};
	assert_int_equal(cartel_date_cmp(&full, &year), 0);
	assert_int_equal(cartel_date_cmp(&full, &month), 0);
	assert_true(cartel_date_cmp(&full, &other_day) < 0);
	assert_true(cartel_date_cmp(&other_day, &full) > 0);
	assert_true(cartel_date_cmp(&full, &other_month) < 0);
	assert_true(cartel_date_cmp(&other_month, &month) > 0);
	struct cartel_date y1990 = {1990, 0, 0};
	assert_true(cartel_date_cmp(&y1990, &full) < 0);

	assert_int_equal(cartel_days_in_month(2024, 2), 29);
	assert_int_equal(cartel_days_in_month(1900, 2), 28);
	assert_int_equal(cartel_days_in_month(2000, 2), 29);
	assert_int_equal(cartel_days_in_month(2023, 4), 30);
	assert_int_equal(cartel_days_in_month(2023, 0), 0);
	assert_int_equal(cartel_days_in_month(2023, 13), 0);

	/* Missing month and day count as the first. */
	struct cartel_date epoch = {1970, 1, 1}, y1970 = {1970, 0, 0};
	assert_int_equal(cartel_date_days(&epoch), 0);
	assert_int_equal(cartel_date_days(&y1970), 0);
	assert_int_equal(cartel_date_days(&month) + 1,
			 cartel_date_days(&full));
	struct cartel_date leap = {2000, 3, 1}, feb = {2000, 2, 28};
	assert_int_equal(cartel_date_days(&leap) - cartel_date_days(&feb), 2);
	struct cartel_date y1800 = {1800, 1, 1};
	assert_int_equal(cartel_date_days(&y1800), -62091);
}

static void
today_follows_env(void **state)
{
	(void)state;
	setenv("CARTEL_TODAY", "2026-05-16", 1);
	struct cartel_date d = cartel_date_today();
	assert_int_equal(d.year, 2026);
	assert_int_equal(d.month, 5);
	assert_int_equal(d.day, 16);
	/* A month alone or a malformed value is not a day: the clock's. */
	const char *bad[] = {"2026-05", "tomorrow"};
	for (size_t i = 0; i < 2; i++) {
		setenv("CARTEL_TODAY", bad[i], 1);
		d = cartel_date_today();
		assert_true(d.year >= 2024);
		assert_true(d.day >= 1);
	}
	unsetenv("CARTEL_TODAY");
}

static void
data_dir_follows_env(void **state)
{
	(void)state;
	setenv("CARTEL_DATA", "/srv/cartel-data", 1);
	assert_string_equal(cartel_data_dir(), "/srv/cartel-data");
	/* Empty is unset: the source tree's data/ (it holds the tables)
	 * or the installed folder. */
	setenv("CARTEL_DATA", "", 1);
	const char *d = cartel_data_dir();
	assert_non_null(d);
	assert_true(d[0] == '/');
	unsetenv("CARTEL_DATA");
	assert_string_equal(cartel_data_dir(), d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(strerror_each_code),
		cmocka_unit_test(dates_spaces_and_shapes),
		cmocka_unit_test(dates_format_compare_count),
		cmocka_unit_test(today_follows_env),
		cmocka_unit_test(data_dir_follows_env),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
