/*
 * The printed list and the charts (<cartel/print.h>, <cartel/report.h>):
 * a signed agreed list renders as a PDF, a list that is not signed by
 * both or not agreed is refused, the fields to print are checked when the
 * list is made, and public charts say "fewer than 5" for every count from
 * 1 to 4, by the one rule of the statistics.
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
#include <cartel/print.h>
#include <cartel/report.h>
#include <cartel/round.h>
#include <cartel/store.h>

static const char persons_csv[] =
	"id,family_name,given_name,birth_date,rank,service_number,held_by,"
	"depends_on,category,consent,status,held_since\n"
	"UA-1,Коваленко,Олександр,1994-03-02,private,A100,RU,UA,military,"
	"willing,confirmed_captive,2025-01-10\n"
	"UA-2,Шевченко,Сергій,1990,sergeant,A101,RU,UA,military,willing,"
	"confirmed_captive,2025-01-10\n"
	"UA-3,Бондаренко,Микола,1985-07-01,captain,A102,RU,UA,military,"
	"willing,confirmed_captive,2025-01-10\n"
	"RU-1,Иванов,Николай,1999-01-05,private,B200,UA,RU,military,"
	"willing,confirmed_captive,2025-01-10\n"
	"RU-2,Смирнов,Юрий,2001-11-11,private,B201,UA,RU,military,willing,"
	"confirmed_captive,2025-01-10\n"
	"RU-3,Кузнецов,Алексей,1980,major,B202,UA,RU,military,willing,"
	"confirmed_captive,2025-01-10\n";

static const char plan_json[] =
	"{\"parties\":[\"UA\",\"RU\"],\"stages\":2,"
	"\"sides\":{\"UA\":{\"gives\":[\"RU-1\",\"RU-2\"],\"value\":2},"
	"\"RU\":{\"gives\":[\"UA-1\",\"UA-2\"],\"value\":2}},"
	"\"direct_repatriation\":{\"UA\":[],\"RU\":[\"UA-3\"]},"
	"\"withheld\":[{\"id\":\"RU-3\",\"reason\":\"proceedings\"}],"
	"\"excluded\":[],\"optimal\":true}";

struct fx {
	char dir[64];
	struct cartel_db *db;
	struct cartel_key ua, ru;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	char path[128];
	snprintf(f->dir, sizeof f->dir, "/tmp/cartel-print-XXXXXX");
	if (f == NULL || mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(path, sizeof path, "%s/r.db", f->dir);
	setenv("CARTEL_NOW", "2026-05-16T09:00:00Z", 1);
	setenv("CARTEL_TODAY", "2026-05-16", 1);
	char *why = NULL;
	if (cartel_db_open(&f->db, path, CARTEL_DB_CREATE, &why))
		return -1;
	FILE *in = fmemopen((void *)persons_csv, sizeof persons_csv - 1, "r");
	struct cartel_import_opts o;
	memset(&o, 0, sizeof o);
	o.all_or_nothing = 1;
	struct cartel_import_result res;
	memset(&res, 0, sizeof res);
	int rc = cartel_import_csv(f->db, in, "persons.csv", &o, &res, &why);
	fclose(in);
	cartel_import_result_clear(&res);
	if (rc || cartel_key_generate(&f->ua, "UA", NULL) ||
	    cartel_key_generate(&f->ru, "RU", NULL) ||
	    cartel_key_pin(f->db, "UA", f->ua.public_key, 0, "t", NULL, NULL) ||
	    cartel_key_pin(f->db, "RU", f->ru.public_key, 0, "t", NULL, NULL)) {
		fprintf(stderr, "setup: %s\n", why ? why : "?");
		return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	cartel_db_close(f->db);
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* A list of the plan, of this kind, with these print fields, signed by
 * the parties named in `signers` ("UA", "RU", "UARU"). */
static struct cartel_round *
make(struct fx *f, enum cartel_round_kind kind, const char *fields,
     const char *signers)
{
	struct cartel_round_opts ro = {NULL, kind, NULL, "t", fields};
	struct cartel_round *r = NULL;
	char *why = NULL;
	int rc = cartel_round_from_plan(f->db, plan_json, sizeof plan_json - 1,
					"plan.json", &ro, &r, &why);
	if (rc)
		fprintf(stderr, "make: %s\n", why ? why : "?");
	assert_int_equal(rc, 0);
	if (strstr(signers, "UA"))
		assert_int_equal(cartel_round_sign(f->db, r, &f->ua, "t", NULL),
				 0);
	if (strstr(signers, "RU"))
		assert_int_equal(cartel_round_sign(f->db, r, &f->ru, "t", NULL),
				 0);
	return r;
}

static void
test_print_signed(void **state)
{
	struct fx *f = *state;
	struct cartel_round *r =
		make(f, CARTEL_ROUND_AGREED, "family_name,birth_date", "UARU");
	unsigned char *pdf = NULL;
	size_t len = 0;
	struct cartel_print_result res;
	char *why = NULL;
	assert_int_equal(cartel_round_print_pdf(f->db, r, &pdf, &len, &res,
						&why),
			 0);
	assert_true(len > 1000);
	assert_memory_equal(pdf, "%PDF-", 5);
	assert_int_equal(res.n_pages, 1);
	/* 2 + 2 handed over, 1 repatriated directly, 1 held back. */
	assert_int_equal(res.n_persons, 6);
	assert_string_equal(res.digest, cartel_round_digest(r));
	assert_int_equal(strncmp(res.file_sha256, "sha256:", 7), 0);
	assert_int_equal(strlen(res.file_sha256), 7 + 64);
	free(pdf);
	cartel_round_free(r);
}

static void
test_print_refuses(void **state)
{
	struct fx *f = *state;
	unsigned char *pdf = NULL;
	size_t len = 0;
	char *why = NULL;
	/* One signature missing. */
	struct cartel_round *r = make(f, CARTEL_ROUND_AGREED, NULL, "UA");
	assert_int_equal(cartel_round_print_pdf(f->db, r, &pdf, &len, NULL,
						&why),
			 CARTEL_ETAMPER);
	assert_null(pdf);
	assert_non_null(strstr(why, "signature of RU: missing"));
	free(why);
	why = NULL;
	cartel_round_free(r);
	/* Signed by both, but a proposal. */
	r = make(f, CARTEL_ROUND_PROPOSAL, NULL, "UARU");
	assert_int_equal(cartel_round_print_pdf(f->db, r, &pdf, &len, NULL,
						&why),
			 CARTEL_ESTATE);
	assert_non_null(strstr(why, "only the agreed version"));
	free(why);
	cartel_round_free(r);
}

static void
test_print_fields_checked(void **state)
{
	struct fx *f = *state;
	const char *bad[] = {"family_name,shoe_size", "family_name,,rank",
			     "rank,rank", ""};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct cartel_round_opts ro = {NULL, CARTEL_ROUND_AGREED, NULL,
					       "t", bad[i]};
		struct cartel_round *r = NULL;
		char *why = NULL;
		assert_int_equal(cartel_round_from_plan(f->db, plan_json,
							sizeof plan_json - 1,
							"plan.json", &ro, &r,
							&why),
				 CARTEL_EINVAL);
		assert_null(r);
		assert_non_null(strstr(why, "print fields"));
		free(why);
	}
}

static void
test_suppressed_rule(void **state)
{
	(void)state;
	assert_false(cartel_stats_suppressed(0, 1));
	assert_true(cartel_stats_suppressed(1, 1));
	assert_true(cartel_stats_suppressed(4, 1));
	assert_false(cartel_stats_suppressed(5, 1));
	assert_false(cartel_stats_suppressed(3, 0));
}

static void
test_chart_names(void **state)
{
	(void)state;
	for (int c = 0; c < CARTEL_CHART_N; c++) {
		enum cartel_chart back;
		assert_int_equal(cartel_chart_parse(cartel_chart_name(
							    (enum cartel_chart)c),
						    &back, NULL),
				 0);
		assert_int_equal(back, c);
		assert_true(strlen(cartel_chart_title((enum cartel_chart)c)) >
			    0);
	}
	enum cartel_chart x;
	char *why = NULL;
	assert_int_equal(cartel_chart_parse("held.svg", &x, &why),
			 CARTEL_ENOTFOUND);
	free(why);
}

static void
test_chart_public(void **state)
{
	struct fx *f = *state;
	unsigned char *out = NULL;
	size_t len = 0;
	/* Three held by each side, all for 16 months: exact, then public. */
	assert_int_equal(cartel_chart_render(f->db, CARTEL_CHART_TIME_HELD,
					     CARTEL_CHART_SVG, 0, &out, &len,
					     NULL),
			 0);
	assert_non_null(strstr((char *)out, "<title>Time in captivity</title>"));
	assert_non_null(strstr((char *)out, "Ukraine, 12 to 24 months: 3"));
	free(out);
	assert_int_equal(cartel_chart_render(f->db, CARTEL_CHART_TIME_HELD,
					     CARTEL_CHART_SVG, 1, &out, &len,
					     NULL),
			 0);
	assert_non_null(strstr((char *)out,
			       "Ukraine, 12 to 24 months: fewer than 5"));
	assert_null(strstr((char *)out, ": 3"));
	free(out);
	assert_int_equal(cartel_chart_render(f->db, CARTEL_CHART_ROUNDS,
					     CARTEL_CHART_PNG, 1, &out, &len,
					     NULL),
			 0);
	assert_memory_equal(out, "\x89PNG\r\n\x1a\n", 8);
	free(out);
	assert_int_equal(cartel_chart_render(f->db, CARTEL_CHART_N,
					     CARTEL_CHART_SVG, 1, &out, &len,
					     NULL),
			 CARTEL_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_print_signed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_print_refuses, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_print_fields_checked,
						setup, teardown),
		cmocka_unit_test(test_suppressed_rule),
		cmocka_unit_test(test_chart_names),
		cmocka_unit_test_setup_teardown(test_chart_public, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
