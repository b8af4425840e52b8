/*
 * Unit tests for the rules of <cartel/account.h>: which role may do what
 * on whose record, the password rule, case codes as a family reads them
 * out (any case, dashes or spaces, I/L/O), and the attempt limiter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include <cartel/account.h>
#include <cartel/cartel.h>
#include <cartel/store.h>

static struct cartel_user
user(enum cartel_role r, const char *party)
{
	struct cartel_user u = {.name = (char *)"u", .role = r,
				.party = (char *)party};
	return u;
}

static struct cartel_person
person(const char *held_by, const char *depends_on, enum cartel_status s)
{
	struct cartel_person p;
	memset(&p, 0, sizeof p);
	p.id = (char *)"X-1";
	p.held_by = (char *)held_by;
	p.depends_on = (char *)depends_on;
	p.status = s;
	return p;
}

static void
roles_may(void **state)
{
	(void)state;
	struct cartel_user adm = user(CARTEL_ROLE_ADMIN, NULL);
	struct cartel_user med = user(CARTEL_ROLE_MEDIATOR, NULL);
	struct cartel_user hot = user(CARTEL_ROLE_HOTLINE, NULL);
	struct cartel_user ua = user(CARTEL_ROLE_REGISTRAR, "UA");
	char *why = NULL;
	/* The hotline never changes the register; admin reads no record. */
	assert_int_equal(cartel_may(&hot, CARTEL_DO_PERSON_CHANGE, NULL, &why),
			 CARTEL_EDENIED);
	assert_non_null(strstr(why, "hotline"));
	free(why);
	why = NULL;
	assert_int_equal(cartel_may(&adm, CARTEL_DO_PERSON_READ, NULL, NULL),
			 CARTEL_EDENIED);
	assert_int_equal(cartel_may(&med, CARTEL_DO_PERSON_CHANGE, NULL, NULL),
			 CARTEL_EDENIED);
	assert_int_equal(cartel_may(&adm, CARTEL_DO_ACCESS_LOG, NULL, NULL), 0);
	assert_int_equal(cartel_may(&med, CARTEL_DO_ACCESS_LOG, NULL, NULL),
			 CARTEL_EDENIED);
	assert_int_equal(cartel_may(&hot, CARTEL_DO_CALLBACKS, NULL, NULL), 0);
	assert_int_equal(cartel_may(NULL, CARTEL_DO_SEARCH, NULL, NULL),
			 CARTEL_EDENIED);
	struct cartel_user off = user(CARTEL_ROLE_MEDIATOR, NULL);
	off.disabled = 1;
	assert_int_equal(cartel_may(&off, CARTEL_DO_SEARCH, NULL, NULL),
			 CARTEL_EDENIED);

	/* A registrar of UA: what UA holds, UA's own missing held by no one. */
	struct cartel_person held = person("UA", "RU",
					   CARTEL_STATUS_CONFIRMED_CAPTIVE);
	struct cartel_person theirs = person("RU", "UA",
					     CARTEL_STATUS_CONFIRMED_CAPTIVE);
	struct cartel_person missing = person(NULL, "UA",
					      CARTEL_STATUS_REPORTED_MISSING);
	struct cartel_person other = person(NULL, "RU",
					    CARTEL_STATUS_REPORTED_MISSING);
	assert_int_equal(cartel_may(&ua, CARTEL_DO_PERSON_CHANGE, &held, NULL),
			 0);
	assert_int_equal(cartel_may(&ua, CARTEL_DO_PERSON_CHANGE, &missing,
				    NULL),
			 0);
	assert_int_equal(cartel_may(&ua, CARTEL_DO_PERSON_CHANGE, &theirs,
				    &why),
			 CARTEL_EDENIED);
	assert_null(strstr(why, "X-1")); /* the rule, not the record */
	free(why);
	assert_int_equal(cartel_may(&ua, CARTEL_DO_PERSON_READ, &theirs, NULL),
			 0);
	assert_int_equal(cartel_may(&ua, CARTEL_DO_PERSON_READ, &other, NULL),
			 CARTEL_EDENIED);
	assert_int_equal(cartel_may(&ua, CARTEL_DO_PERSON_CHANGE, &other, NULL),
			 CARTEL_EDENIED);
	/* UA's own, but found held by RU since: RU's to change now. */
	struct cartel_person found = person("RU", "UA",
					    CARTEL_STATUS_REPORTED_MISSING);
	assert_int_equal(cartel_may(&ua, CARTEL_DO_PERSON_CHANGE, &found, NULL),
			 CARTEL_EDENIED);

	/* Merging: an admin any record; a registrar those his party may
	 * change; hotline and mediator none. Importing: registrars only,
	 * row by row as a change. Closing an inquiry: hotline, registrar,
	 * mediator; not an admin. */
	why = NULL;
	assert_int_equal(cartel_may(&adm, CARTEL_DO_MERGE, &theirs, NULL), 0);
	assert_int_equal(cartel_may(&ua, CARTEL_DO_MERGE, &held, NULL), 0);
	assert_int_equal(cartel_may(&ua, CARTEL_DO_MERGE, &missing, NULL), 0);
	assert_int_equal(cartel_may(&ua, CARTEL_DO_MERGE, &theirs, &why),
			 CARTEL_EDENIED);
	assert_non_null(strstr(why, "merges only"));
	free(why);
	why = NULL;
	assert_int_equal(cartel_may(&hot, CARTEL_DO_MERGE, NULL, NULL),
			 CARTEL_EDENIED);
	assert_int_equal(cartel_may(&med, CARTEL_DO_MERGE, NULL, NULL),
			 CARTEL_EDENIED);
	assert_int_equal(cartel_may(&ua, CARTEL_DO_IMPORT, &held, NULL), 0);
	assert_int_equal(cartel_may(&ua, CARTEL_DO_IMPORT, &theirs, NULL),
			 CARTEL_EDENIED);
	assert_int_equal(cartel_may(&adm, CARTEL_DO_IMPORT, NULL, NULL),
			 CARTEL_EDENIED);
	assert_int_equal(cartel_may(&hot, CARTEL_DO_IMPORT, NULL, NULL),
			 CARTEL_EDENIED);
	assert_int_equal(cartel_may(&hot, CARTEL_DO_INQUIRY_CLOSE, NULL, NULL),
			 0);
	assert_int_equal(cartel_may(&med, CARTEL_DO_INQUIRY_CLOSE, NULL, NULL),
			 0);
	assert_int_equal(cartel_may(&adm, CARTEL_DO_INQUIRY_CLOSE, NULL, NULL),
			 CARTEL_EDENIED);
	assert_string_equal(cartel_action_name(CARTEL_DO_MERGE),
			    "person.merge");
}

static void
passwords(void **state)
{
	(void)state;
	assert_int_equal(cartel_password_check("short", 5, NULL),
			 CARTEL_EINVAL);
	assert_int_equal(cartel_password_check("twelve chars", 12, NULL), 0);
	/* Characters, not bytes: 11 Cyrillic letters are 22 bytes. */
	const char *cy = "пароль1234й"; /* 11 characters */
	assert_int_equal(cartel_password_check(cy, strlen(cy), NULL),
			 CARTEL_EINVAL);
	assert_int_equal(cartel_password_check("abcdefghijk\xff", 12, NULL),
			 CARTEL_EINVAL);
	assert_int_equal(cartel_password_check("abcdefghijk\0z", 13, NULL),
			 CARTEL_EINVAL);
}

static void
case_codes(void **state)
{
	(void)state;
	char dir[] = "/tmp/cartel-account-XXXXXX", path[128];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/r.db", dir);
	struct cartel_db *db;
	assert_int_equal(cartel_db_open(&db, path, CARTEL_DB_CREATE, NULL), 0);
	char code[CARTEL_CASE_CODE_SIZE], code2[CARTEL_CASE_CODE_SIZE];
	assert_int_equal(cartel_case_code_new(db, "INQ-000001", code, NULL), 0);
	assert_int_equal(cartel_case_code_new(db, "INQ-000001", code2, NULL),
			 0);
	assert_int_equal(strlen(code), 24);
	assert_string_not_equal(code, code2);
	for (int i = 0; i < 24; i++)
		assert_true(i % 5 == 4 ? code[i] == '-'
				       : strchr("ILOU", code[i]) == NULL);
	/* The code points at an inquiry that is not there: the lookup
	 * finds the code, then not the inquiry. A wrong code is not found. */
	json_t *out = NULL;
	char typed[64];
	size_t k = 0;
	for (int i = 0; code[i]; i++)
		if (code[i] != '-')
			typed[k++] = (char)(code[i] == '1'   ? 'l'
					    : code[i] == '0' ? 'o'
					    : code[i] >= 'A' ? code[i] + 32
							     : code[i]);
	typed[k] = '\0';
	assert_int_equal(cartel_case_status(db, typed, "t", &out, NULL),
			 CARTEL_ENOTFOUND);
	char wrong[CARTEL_CASE_CODE_SIZE];
	memcpy(wrong, code, sizeof wrong);
	wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
	assert_int_equal(cartel_case_status(db, wrong, "t", &out, NULL),
			 CARTEL_ENOTFOUND);
	assert_int_equal(cartel_case_status(db, "", "t", &out, NULL),
			 CARTEL_ENOTFOUND);
	/* Both lookups are in the access log, as the family's. */
	json_t *log = NULL;
	assert_int_equal(cartel_access_log_json(db, 0, 10, &log, NULL), 0);
	assert_true(json_integer_value(json_object_get(log, "total")) >= 3);
	json_t *e0 = json_array_get(json_object_get(log, "items"), 0);
	assert_string_equal(json_string_value(json_object_get(e0, "user")),
			    "family");
	json_decref(log);
	cartel_db_close(db);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void
limiter(void **state)
{
	(void)state;
	struct cartel_limiter *l = cartel_limiter_new(3, 60);
	assert_non_null(l);
	for (int i = 0; i < 3; i++)
		assert_int_equal(cartel_limiter_hit(l, "10.0.0.1", 100), 0);
	assert_int_equal(cartel_limiter_over(l, "10.0.0.1", 100), 1);
	assert_int_equal(cartel_limiter_hit(l, "10.0.0.1", 101), 1);
	assert_int_equal(cartel_limiter_over(l, "10.0.0.2", 101), 0);
	/* The window passes. */
	assert_int_equal(cartel_limiter_over(l, "10.0.0.1", 161), 0);
	assert_int_equal(cartel_limiter_hit(l, "10.0.0.1", 161), 0);
	cartel_limiter_free(l);
}

static double
seconds_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A flush writes what is queued at once: it does not wait out the time
 * the writer lets a batch gather (the server flushes before it shows the
 * access log or verifies the audit, and a test flushes after each
 * request). */
static void
access_batch_flush_now(void **state)
{
	(void)state;
	char dir[] = "/tmp/cartel-account-XXXXXX", path[128];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/r.db", dir);
	struct cartel_db *db;
	assert_int_equal(cartel_db_open(&db, path, CARTEL_DB_CREATE, NULL), 0);
	struct cartel_access_batch *b = NULL;
	assert_int_equal(cartel_access_batch_start(path, 4000, &b, NULL), 0);
	cartel_access_batch_use(db, b);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(cartel_access_log(db, NULL, "case", NULL, 0,
						   "192.0.2.1", NULL),
				 0);
		double t0 = seconds_now();
		assert_int_equal(cartel_access_batch_flush(b, NULL), 0);
		/* The writer gathers for 4 s after each commit. */
		assert_true(seconds_now() - t0 < 2.0);
		json_t *log = NULL;
		assert_int_equal(cartel_access_log_json(db, 0, 10, &log, NULL),
				 0);
		assert_int_equal(
			json_integer_value(json_object_get(log, "total")),
			i + 1);
		json_decref(log);
	}
	cartel_access_batch_use(db, NULL);
	assert_int_equal(cartel_access_batch_stop(b, NULL), 0);
	cartel_db_close(db);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(roles_may),
		cmocka_unit_test(passwords),
		cmocka_unit_test(case_codes),
		cmocka_unit_test(limiter),
		cmocka_unit_test(access_batch_flush_now),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
