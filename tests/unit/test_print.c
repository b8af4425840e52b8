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
#include <jansson.h>

#include <cartel/cartel.h>
#include <cartel/print.h>
#include <cartel/report.h>
#include <cartel/round.h>
#include <cartel/transfer.h>
#include <cartel/store.h>

#include "round/round_int.h"

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

/* The text of a PDF as pdftotext lays it out (malloc'd). */
static char *
pdf_text(struct fx *f, const unsigned char *pdf, size_t len)
{
	char path[160], cmd[400];
	snprintf(path, sizeof path, "%s/t.pdf", f->dir);
	FILE *o = fopen(path, "wb");
	assert_non_null(o);
	assert_int_equal(fwrite(pdf, 1, len, o), len);
	assert_int_equal(fclose(o), 0);
	snprintf(cmd, sizeof cmd, "pdftotext -layout '%s' -", path);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	char *text = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&text, &n);
	char buf[4096];
	size_t k;
	while ((k = fread(buf, 1, sizeof buf, p)) > 0)
		fwrite(buf, 1, k, m);
	assert_int_equal(pclose(p), 0);
	fclose(m);
	return text;
}

/* A register of n persons a side (UA-1.., RU-1..) and the plan handing
 * all of them over, at stage 1. */
static void
big_plan(struct fx *f, int n, char **plan)
{
	char *csv = NULL, *pj = NULL;
	size_t csv_len = 0, pj_len = 0;
	FILE *c = open_memstream(&csv, &csv_len);
	FILE *j = open_memstream(&pj, &pj_len);
	fputs("id,family_name,given_name,birth_date,held_by,depends_on,"
	      "category,consent,status\n",
	      c);
	fputs("{\"parties\":[\"UA\",\"RU\"],\"stages\":1,\"sides\":{", j);
	static const char *const side[2][2] = {{"UA", "RU"}, {"RU", "UA"}};
	for (int s = 0; s < 2; s++) {
		fprintf(j, "%s\"%s\":{\"gives\":[", s ? "," : "", side[s][0]);
		for (int i = 1; i <= n; i++) {
			/* UA gives RU's people, held by UA. */
			fprintf(c, "P%s-%d,Петренко,Іван,1990,%s,%s,%s,%s,"
				   "confirmed_captive\n",
				side[s][1], i, side[s][0], side[s][1],
				i % 2 ? "military" : "civilian",
				i % 3 ? "willing" : "not_asked");
			fprintf(j, "%s\"P%s-%d\"", i > 1 ? "," : "",
				side[s][1], i);
		}
		fprintf(j, "],\"value\":%d}", n);
	}
	fputs("},\"direct_repatriation\":{\"UA\":[],\"RU\":[]},"
	      "\"withheld\":[],\"excluded\":[],\"optimal\":true}",
	      j);
	fclose(c);
	fclose(j);
	FILE *in = fmemopen(csv, csv_len, "r");
	struct cartel_import_opts o;
	memset(&o, 0, sizeof o);
	o.all_or_nothing = 1;
	struct cartel_import_result res;
	memset(&res, 0, sizeof res);
	char *why = NULL;
	if (cartel_import_csv(f->db, in, "big.csv", &o, &res, &why))
		fail_msg("import: %s", why);
	fclose(in);
	cartel_import_result_clear(&res);
	free(csv);
	*plan = pj;
}

/* 38 a side: two headings and 76 persons fill three pages of 26 rows
 * exactly, so the fourth holds the signature block alone. Every page
 * says where the count stands, the last one too, with no person on it;
 * the fields agreed are printed in words. */
static void
test_print_pages(void **state)
{
	struct fx *f = *state;
	char *plan = NULL;
	big_plan(f, 38, &plan);
	struct cartel_round_opts ro = {"R-BIG", CARTEL_ROUND_AGREED, NULL, "t",
				       "holder_id,category,consent,rank"};
	struct cartel_round *r = NULL;
	char *why = NULL;
	if (cartel_round_from_plan(f->db, plan, strlen(plan), "plan.json", &ro,
				   &r, &why))
		fail_msg("round: %s", why);
	free(plan);
	assert_int_equal(cartel_round_sign(f->db, r, &f->ua, "t", NULL), 0);
	assert_int_equal(cartel_round_sign(f->db, r, &f->ru, "t", NULL), 0);
	unsigned char *pdf = NULL;
	size_t len = 0;
	struct cartel_print_result res;
	assert_int_equal(cartel_round_print_pdf(f->db, r, &pdf, &len, &res,
						&why),
			 0);
	assert_int_equal(res.n_pages, 4);
	assert_int_equal(res.n_persons, 76);
	char *text = pdf_text(f, pdf, len);
	assert_non_null(strstr(text, "Page 1 of 4. Persons on this page: 25. "
				     "Running total: 25 of 76."));
	assert_non_null(strstr(text, "Page 3 of 4. Persons on this page: 26. "
				     "Running total: 76 of 76."));
	assert_non_null(strstr(text, "Page 4 of 4. Persons on this page: 0. "
				     "Running total: 76 of 76."));
	/* Category and consent in words; a rank no one gave, a dash. */
	assert_non_null(strstr(text, "civilians"));
	assert_non_null(strstr(text, "–"));
	assert_null(strstr(text, "not_asked"));
	free(text);
	free(pdf);
	cartel_round_free(r);
}

/* A document both parties signed whose print_fields another party's
 * tool wrote wrong: refused, naming the entry, no PDF. */
static void
test_print_fields_signed_wrong(void **state)
{
	struct fx *f = *state;
	struct cartel_round *r = make(f, CARTEL_ROUND_AGREED, NULL, "");
	char *canon = NULL;
	size_t canon_len = 0;
	assert_int_equal(cartel_round_canonical(r, &canon, &canon_len, NULL),
			 0);
	cartel_round_free(r);
	static const struct {
		const char *fields, *says;
	} bad[] = {
		{"\"family_name\"", "expected an array of 1 to 12"},
		{"[]", "expected an array of 1 to 12"},
		{"[\"id\",\"id\",\"id\",\"id\",\"id\",\"id\",\"id\",\"id\","
		 "\"id\",\"id\",\"id\",\"id\",\"id\"]",
		 "expected an array of 1 to 12"},
		{"[\"family_name\",7]", "'print_fields[1]': not a person field"},
		{"[\"shoe_size\"]", "'print_fields[0]': not a person field"},
		{"[\"rank\",\"holder\",\"rank\"]", "'print_fields[2]': named "
						   "twice"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		json_t *doc = json_loadb(canon, canon_len, 0, NULL);
		assert_non_null(doc);
		json_object_set_new(doc, "print_fields",
				    json_loads(bad[i].fields,
					       JSON_DECODE_ANY, NULL));
		assert_int_equal(cartel__round_seal(doc, NULL), 0);
		char *text = json_dumps(doc, JSON_COMPACT);
		json_decref(doc);
		struct cartel_round *s = NULL;
		assert_int_equal(cartel_round_parse(&s, text, strlen(text),
						    "r.json", NULL),
				 0);
		free(text);
		assert_int_equal(cartel_round_sign(f->db, s, &f->ua, "t", NULL),
				 0);
		assert_int_equal(cartel_round_sign(f->db, s, &f->ru, "t", NULL),
				 0);
		unsigned char *pdf = NULL;
		size_t len = 0;
		char *why = NULL;
		assert_int_equal(cartel_round_print_pdf(f->db, s, &pdf, &len,
							NULL, &why),
				 CARTEL_EFORMAT);
		assert_null(pdf);
		if (strstr(why, bad[i].says) == NULL)
			fail_msg("%s: %s", bad[i].fields, why);
		free(why);
		cartel_round_free(s);
	}
	free(canon);
}

/* Printed to a file: the file is the PDF, the print is in the transfer
 * log; a file that cannot be written records nothing. */
static void
test_print_file(void **state)
{
	struct fx *f = *state;
	struct cartel_round *r = make(f, CARTEL_ROUND_AGREED, NULL, "UARU");
	char path[160];
	snprintf(path, sizeof path, "%s/list.pdf", f->dir);
	char *why = NULL;
	assert_int_equal(cartel_round_print(f->db, r, path, "clerk", NULL,
					    NULL, &why),
			 0);
	struct cartel_transfer_row *v = NULL;
	size_t n = 0;
	assert_int_equal(cartel_transfer_list(f->db, &v, &n, NULL), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].kind, "pdf");
	assert_int_equal(v[0].n_persons, 6);
	cartel_transfer_rows_free(v, n);
	snprintf(path, sizeof path, "%s/no/such/folder/list.pdf", f->dir);
	assert_true(cartel_round_print(f->db, r, path, "clerk", NULL, NULL,
				       &why) < 0);
	assert_non_null(why);
	free(why);
	assert_int_equal(cartel_transfer_list(f->db, &v, &n, NULL), 0);
	assert_int_equal(n, 1);
	cartel_transfer_rows_free(v, n);
	cartel_round_free(r);
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
	assert_non_null(strstr(why, "held, rounds, time-held"));
	free(why);
	assert_int_equal(cartel_chart_parse(NULL, &x, NULL), CARTEL_ENOTFOUND);
	assert_string_equal(cartel_chart_name(CARTEL_CHART_N), "");
	assert_string_equal(cartel_chart_title(CARTEL_CHART_N), "");
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
	assert_int_equal(cartel_chart_render(f->db, CARTEL_CHART_HELD,
					     (enum cartel_chart_format)7, 1,
					     &out, &len, NULL),
			 CARTEL_EINVAL);
	assert_null(out);
}

/* A register of its own in dir from csv, with CARTEL_TODAY set to today. */
static struct cartel_db *
chart_db(const char *dir, const char *csv, const char *today)
{
	char path[160];
	snprintf(path, sizeof path, "%s/c.db", dir);
	setenv("CARTEL_TODAY", today, 1);
	struct cartel_db *db = NULL;
	char *why = NULL;
	if (cartel_db_open(&db, path, CARTEL_DB_CREATE, &why))
		fail_msg("open: %s", why);
	FILE *in = fmemopen((void *)csv, strlen(csv), "r");
	struct cartel_import_opts o;
	memset(&o, 0, sizeof o);
	o.all_or_nothing = 1;
	struct cartel_import_result res;
	memset(&res, 0, sizeof res);
	if (cartel_import_csv(db, in, "c.csv", &o, &res, &why))
		fail_msg("import: %s", why);
	fclose(in);
	cartel_import_result_clear(&res);
	return db;
}

/* The <desc> of chart c drawn as exact SVG (malloc'd). */
static char *
chart_desc(struct cartel_db *db, enum cartel_chart c)
{
	unsigned char *svg = NULL;
	size_t len = 0;
	char *why = NULL;
	if (cartel_chart_render(db, c, CARTEL_CHART_SVG, 0, &svg, &len, &why))
		fail_msg("render: %s", why);
	char *d = strstr((char *)svg, "<desc>");
	char *e = d ? strstr(d, "</desc>") : NULL;
	assert_non_null(e);
	char *out = strndup(d + 6, (size_t)(e - d - 6));
	free(svg);
	return out;
}

/* The held over time, month by month, counts each man to the month's
 * last day: one taken on 29 February 2024 is held in February, one with
 * no known holder has a series of his own, and a register whose first
 * man was taken years ago shows the last 24 months. */
static void
test_chart_held_months(void **state)
{
	(void)state;
	char dir[] = "/tmp/cartel-chart-XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct cartel_db *db = chart_db(
		dir,
		"id,family_name,held_by,depends_on,status,held_since\n"
		"A1,Мельник,RU,UA,confirmed_captive,2024-02-29\n"
		"A2,Бойко,,UA,confirmed_captive,2024-03-01\n",
		"2024-03-15");
	char *d = chart_desc(db, CARTEL_CHART_HELD);
	assert_non_null(strstr(d, "Russia, 2024-02: 1"));
	assert_non_null(strstr(d, "holder unknown, 2024-03: 1"));
	assert_non_null(strstr(d, "holder unknown, 2024-02: 0"));
	free(d);
	cartel_db_close(db);
	char path[160];
	snprintf(path, sizeof path, "%s/c.db", dir);
	unlink(path);
	db = chart_db(dir,
		      "id,family_name,held_by,depends_on,status,held_since\n"
		      "B1,Мельник,RU,UA,confirmed_captive,2016-07-01\n",
		      "2026-05-16");
	d = chart_desc(db, CARTEL_CHART_HELD);
	/* One holder: the description names the months alone. */
	assert_null(strstr(d, "2024-05:"));
	assert_true(strncmp(d, "2024-06: 1; ", 12) == 0);
	assert_non_null(strstr(d, "; 2026-05: 1"));
	free(d);
	cartel_db_close(db);
	setenv("CARTEL_TODAY", "2026-05-16", 1);
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* Nine holders are more than a chart tells apart: refused with a reason,
 * by the charts drawn from the statistics and the one over time alike. */
static void
test_chart_too_many_holders(void **state)
{
	(void)state;
	char dir[] = "/tmp/cartel-chart-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char csv[1024] = "id,family_name,held_by,depends_on,status,"
			 "held_since\n";
	for (int i = 0; i < 9; i++) {
		char row[96];
		snprintf(row, sizeof row,
			 "X%d,Мельник,A%c,UA,confirmed_captive,2026-01-01\n",
			 i, 'A' + i);
		strncat(csv, row, sizeof csv - strlen(csv) - 1);
	}
	struct cartel_db *db = chart_db(dir, csv, "2026-05-16");
	static const enum cartel_chart c[] = {CARTEL_CHART_HELD,
					      CARTEL_CHART_TIME_HELD,
					      CARTEL_CHART_AWAITING};
	for (size_t i = 0; i < 3; i++) {
		unsigned char *out = NULL;
		size_t len = 0;
		char *why = NULL;
		assert_int_equal(cartel_chart_render(db, c[i],
						     CARTEL_CHART_SVG, 0, &out,
						     &len, &why),
				 CARTEL_ERANGE);
		assert_null(out);
		assert_non_null(strstr(why, "more than 8 holders"));
		free(why);
	}
	cartel_db_close(db);
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* `cartel report`: every chart in both forms into a folder it makes; a
 * file, a link or a folder that cannot be made in its place is refused
 * and nothing is written. */
static void
test_report_write(void **state)
{
	struct fx *f = *state;
	char out[160], file[160], link[160], deep[200];
	snprintf(out, sizeof out, "%s/charts", f->dir);
	size_t n = 0;
	char *why = NULL;
	assert_int_equal(cartel_report_write(f->db, out, 1, &n, &why), 0);
	assert_int_equal(n, 2 * CARTEL_CHART_N);
	char path[200];
	snprintf(path, sizeof path, "%s/time-held.png", out);
	assert_int_equal(access(path, R_OK), 0);
	/* Again into the folder now there: written over. */
	assert_int_equal(cartel_report_write(f->db, out, 0, NULL, &why), 0);

	snprintf(file, sizeof file, "%s/plain", f->dir);
	FILE *fp = fopen(file, "w");
	assert_non_null(fp);
	fclose(fp);
	assert_int_equal(cartel_report_write(f->db, file, 0, &n, &why),
			 CARTEL_ESTATE);
	assert_int_equal(n, 0);
	assert_non_null(strstr(why, "not a folder"));
	free(why);
	why = NULL;
	snprintf(link, sizeof link, "%s/link", f->dir);
	assert_int_equal(symlink(out, link), 0);
	assert_int_equal(cartel_report_write(f->db, link, 0, &n, &why),
			 CARTEL_ESTATE);
	free(why);
	why = NULL;
	snprintf(deep, sizeof deep, "%s/no/such", f->dir);
	assert_int_equal(cartel_report_write(f->db, deep, 0, &n, &why),
			 CARTEL_EIO);
	assert_non_null(strstr(why, "cannot make the folder"));
	free(why);
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
		cmocka_unit_test_setup_teardown(test_print_pages, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_print_fields_signed_wrong,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_print_file, setup,
						teardown),
		cmocka_unit_test(test_suppressed_rule),
		cmocka_unit_test(test_chart_names),
		cmocka_unit_test_setup_teardown(test_chart_public, setup,
						teardown),
		cmocka_unit_test(test_chart_held_months),
		cmocka_unit_test(test_chart_too_many_holders),
		cmocka_unit_test_setup_teardown(test_report_write, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
