/*
 * Opening a register: what a user gets for a missing path, a missing file,
 * a file that is not a register, a register made by a newer build, and a
 * write through a read-only handle.
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
#include <sqlite3.h>

#include <cartel/cartel.h>
#include <cartel/store.h>

static void
expect_open(const char *path, unsigned flags, int code, const char *says)
{
	struct cartel_db *db = (struct cartel_db *)1;
	char *why = NULL;
	assert_int_equal(cartel_db_open(&db, path, flags, &why), code);
	assert_null(db);
	assert_non_null(why);
	if (strstr(why, says) == NULL)
		fail_msg("'%s' does not say '%s'", why, says);
	free(why);
}

static void
open_refusals(void **state)
{
	(void)state;
	char dir[64];
	snprintf(dir, sizeof dir, "/tmp/cartel-covstore-XXXXXX");
	assert_non_null(mkdtemp(dir));
	char path[128];

	expect_open("", CARTEL_DB_CREATE, CARTEL_EINVAL, "no database path");
	expect_open(NULL, 0, CARTEL_EINVAL, "no database path");
	snprintf(path, sizeof path, "%s/none.db", dir);
	expect_open(path, CARTEL_DB_READONLY, CARTEL_ENOTFOUND, "none.db");
	expect_open(path, 0, CARTEL_ENOTFOUND, "none.db");
	assert_int_equal(access(path, F_OK), -1); /* nothing created */

	/* A text file is not a register, and is left as it was. */
	snprintf(path, sizeof path, "%s/list.csv", dir);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	for (int i = 0; i < 200; i++)
		fputs("id,family_name,given_name\n", fp);
	fclose(fp);
	expect_open(path, 0, CARTEL_EFORMAT, "not a cartel register");
	expect_open(path, CARTEL_DB_READONLY, CARTEL_EFORMAT,
		    "not a cartel register");

	/* A register made by a newer build. */
	snprintf(path, sizeof path, "%s/newer.db", dir);
	struct cartel_db *db = NULL;
	char *why = NULL;
	assert_int_equal(cartel_db_open(&db, path, CARTEL_DB_CREATE, &why), 0);
	cartel_db_close(db);
	sqlite3 *s;
	assert_int_equal(sqlite3_open(path, &s), SQLITE_OK);
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d",
		 cartel_db_schema_latest() + 1);
	assert_int_equal(sqlite3_exec(s, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(s);
	db = (struct cartel_db *)1;
	assert_int_equal(cartel_db_open(&db, path, 0, &why), CARTEL_EVERSION);
	assert_null(db);
	assert_non_null(why);
	free(why);

	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void
readonly_refuses_writes(void **state)
{
	(void)state;
	char dir[64];
	snprintf(dir, sizeof dir, "/tmp/cartel-covstore-XXXXXX");
	assert_non_null(mkdtemp(dir));
	char path[128];
	snprintf(path, sizeof path, "%s/r.db", dir);
	struct cartel_db *db = NULL;
	char *why = NULL;
	assert_int_equal(cartel_db_open(&db, path, CARTEL_DB_CREATE, &why), 0);
	assert_int_equal(cartel_db_schema_version(db),
			 cartel_db_schema_latest());
	cartel_db_close(db);
	assert_int_equal(cartel_db_open(&db, path, CARTEL_DB_READONLY, &why),
			 0);
	int rc = cartel_audit_append(db, "t", "test.write", "x", "detail",
				     &why);
	assert_int_equal(rc, CARTEL_EREADONLY);
	assert_non_null(why);
	free(why);
	why = NULL;
	/* Commit and rollback without a transaction. */
	assert_int_equal(cartel_db_commit(db, &why), CARTEL_ESTATE);
	free(why);
	cartel_db_rollback(db);
	cartel_db_close(db);
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* The time an event is said to have happened: a UTC time or a day, each
 * part in its range, a day that the month has; anything else is refused
 * naming 'at', and the person's history is unchanged. */
static void
event_times(void **state)
{
	(void)state;
	char dir[64];
	snprintf(dir, sizeof dir, "/tmp/cartel-covstore-XXXXXX");
	assert_non_null(mkdtemp(dir));
	char path[128];
	snprintf(path, sizeof path, "%s/r.db", dir);
	struct cartel_db *db = NULL;
	char *why = NULL;
	assert_int_equal(cartel_db_open(&db, path, CARTEL_DB_CREATE, &why), 0);
	struct cartel_person p;
	memset(&p, 0, sizeof p);
	p.id = (char *)"UA-1";
	p.family_name = (char *)"Коваленко";
	struct cartel_provenance prov = {"clerk", CARTEL_SRC_OFFICIAL_LIST,
					 NULL, NULL, NULL};
	assert_int_equal(cartel_person_add(db, &p, &prov, NULL, &why), 0);
	static const char *const good[] = {"2026-05-01T10:00:00Z",
					   "2024-02-29", "2026-12-31T23:59:60Z"};
	static const char *const bad[] = {
		"2026-05-01T10:00:00",  "2026-05-01 10:00:00Z",
		"2026-13-01",           "2026-00-10",
		"2026-05-00",           "2026-05-32",
		"2026-05-01T24:00:00Z", "2026-05-01T10:60:00Z",
		"2026-05-01T10:00:61Z", "2026-02-30",
		"2025-02-29",           "2026-04-31T10:00:00Z",
		"yesterday",            ""};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		struct cartel_event ev = {0, "UA-1", "rank", NULL, "private",
					  {"clerk", CARTEL_SRC_OFFICIAL_LIST,
					   NULL, NULL, good[i]}};
		if (cartel_event_add(db, &ev, &why) != 0)
			fail_msg("%s: %s", good[i], why);
	}
	struct cartel_event *evs = NULL;
	size_t n_before = 0, n_after = 0;
	assert_int_equal(cartel_person_events(db, "UA-1", &evs, &n_before,
					      NULL),
			 0);
	cartel_events_free(evs, n_before);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct cartel_event ev = {0, "UA-1", "rank", NULL, "major",
					  {"clerk", CARTEL_SRC_OFFICIAL_LIST,
					   NULL, NULL, bad[i]}};
		why = NULL;
		if (cartel_event_add(db, &ev, &why) != CARTEL_EINVAL)
			fail_msg("'%s' was taken as a time", bad[i]);
		assert_non_null(strstr(why, "at: "));
		free(why);
	}
	assert_int_equal(cartel_person_events(db, "UA-1", &evs, &n_after,
					      NULL),
			 0);
	cartel_events_free(evs, n_after);
	assert_int_equal(n_after, n_before);
	cartel_db_close(db);
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(open_refusals),
		cmocka_unit_test(readonly_refuses_writes),
		cmocka_unit_test(event_times),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
