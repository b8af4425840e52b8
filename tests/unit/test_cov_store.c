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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(open_refusals),
		cmocka_unit_test(readonly_refuses_writes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
