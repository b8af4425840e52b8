/*
 * Unit tests for backups, restores and retention through the library: an
 * encrypted backup restores with its passphrase and no other; retention
 * dates follow the calendar; a redaction mark that names no purge is found
 * even when it carries the row's true digest.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include <cartel/backup.h>
#include <cartel/cartel.h>
#include <cartel/register.h>
#include <cartel/retention.h>
#include <cartel/store.h>

#include "store/store_int.h"

static char dir[64];

static void
rm_db(const char *p)
{
	const char *sfx[] = {"", "-wal", "-shm", "-journal", ".search"};
	char b[256];
	for (size_t i = 0; i < 5; i++) {
		snprintf(b, sizeof b, "%s%s", p, sfx[i]);
		unlink(b);
	}
}

static void
path_of(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", dir, name);
}

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/cartel-test-backup-XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	const char *names[] = {"r.db", "b.bak", "out.db", "p.db"};
	char p[128];
	for (size_t i = 0; i < 4; i++) {
		path_of(p, sizeof p, names[i]);
		rm_db(p);
	}
	rmdir(dir);
	return 0;
}

/* A register of three persons; A-2 repatriated on `closed_at`. */
static struct cartel_db *
build(const char *name, const char *closed_at)
{
	char p[128];
	path_of(p, sizeof p, name);
	rm_db(p);
	struct cartel_db *db;
	assert_int_equal(cartel_db_open(&db, p, CARTEL_DB_CREATE, NULL), 0);
	const char *csv = "id,family_name,held_by,status\n"
			  "A-1,Melnyk,RU,confirmed_captive\n"
			  "A-2,Boyko,RU,confirmed_captive\n"
			  "A-3,Ivanov,UA,confirmed_captive\n";
	FILE *in = fmemopen((void *)csv, strlen(csv), "r");
	struct cartel_import_result res;
	assert_int_equal(cartel_import_csv(db, in, "l.csv", NULL, &res, NULL),
			 0);
	fclose(in);
	cartel_import_result_clear(&res);
	struct cartel_event ev = {0, "A-2", "status", NULL, "repatriated",
				  {"clerk", CARTEL_SRC_OFFICIAL_LIST, NULL,
				   NULL, closed_at}};
	assert_int_equal(cartel_event_add(db, &ev, NULL), 0);
	return db;
}

static void
encrypted_roundtrip(void **state)
{
	(void)state;
	struct cartel_db *db = build("r.db", NULL);
	char bak[128], out[128];
	path_of(bak, sizeof bak, "b.bak");
	path_of(out, sizeof out, "out.db");
	char *why = NULL;
	/* Too short a passphrase is refused before anything is written. */
	assert_int_equal(cartel_backup(db, bak, "short", 5, &why),
			 CARTEL_EINVAL);
	free(why);
	why = NULL;
	struct stat sb;
	assert_int_not_equal(stat(bak, &sb), 0);
	const char pass[] = "a long enough passphrase";
	assert_int_equal(cartel_backup(db, bak, pass, strlen(pass), &why), 0);
	cartel_db_close(db);
	assert_int_equal(stat(bak, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	int enc = -1;
	assert_int_equal(cartel_backup_probe(bak, &enc, NULL), 0);
	assert_int_equal(enc, 1);

	struct cartel_restore_report rep;
	rm_db(out);
	/* No passphrase, a wrong one: refused, nothing made. */
	assert_int_equal(cartel_restore(bak, out, NULL, 0, 0, &rep, &why),
			 CARTEL_EINVAL);
	free(why);
	why = NULL;
	assert_int_equal(cartel_restore(bak, out, "a long enough passphrasE",
					strlen(pass), 0, &rep, &why),
			 CARTEL_ETAMPER);
	assert_non_null(strstr(why, "wrong passphrase"));
	free(why);
	why = NULL;
	assert_int_not_equal(stat(out, &sb), 0);
	assert_int_equal(
		cartel_restore(bak, out, pass, strlen(pass), 0, &rep, &why), 0);
	assert_int_equal(rep.encrypted, 1);
	assert_int_equal(rep.audit.n_persons, 3);
	assert_int_equal(rep.schema_version, cartel_db_schema_latest());
	/* Restoring over it again needs the flag. */
	assert_int_equal(
		cartel_restore(bak, out, pass, strlen(pass), 0, &rep, &why),
		CARTEL_EEXIST);
	free(why);
	why = NULL;
	assert_int_equal(cartel_restore(bak, out, pass, strlen(pass),
					CARTEL_RESTORE_FORCE, &rep, &why),
			 0);
	assert_int_equal(cartel_db_open(&db, out, 0, NULL), 0);
	struct cartel_person p;
	assert_int_equal(cartel_person_get(db, "A-2", &p, NULL), 0);
	assert_string_equal(p.family_name, "Boyko");
	cartel_person_clear(&p);
	cartel_db_close(db);
}

static void
retention_dates_follow_the_calendar(void **state)
{
	(void)state;
	/* Closed on a 29 February: a year later is 28 February. */
	struct cartel_db *db = build("r.db", "2024-02-29T23:59:59Z");
	char *why = NULL;
	assert_int_equal(cartel_retention_set(db, CARTEL_STATUS_REPATRIATED,
					      "1 year", "dpo", &why),
			 0);
	assert_int_equal(cartel_retention_set(db, CARTEL_STATUS_PROPOSED,
					      "1y", "dpo", &why),
			 CARTEL_EINVAL);
	free(why);
	why = NULL;
	assert_int_equal(cartel_retention_set(db, CARTEL_STATUS_RELEASED,
					      "1001d", "dpo", &why),
			 CARTEL_EINVAL);
	free(why);
	why = NULL;
	struct cartel_date day_before = {2025, 2, 27}, on = {2025, 2, 28};
	struct cartel_retention_item *it;
	size_t n;
	assert_int_equal(cartel_retention_list(db, &day_before, &it, &n, NULL),
			 0);
	assert_int_equal(n, 1);
	assert_string_equal(it[0].id, "A-2");
	assert_int_equal(it[0].closed_on.day, 29);
	assert_int_equal(it[0].due_on.year, 2025);
	assert_int_equal(it[0].due_on.month, 2);
	assert_int_equal(it[0].due_on.day, 28);
	assert_int_equal(it[0].due, 0);
	cartel_retention_items_free(it, n);
	/* 90 days across a month's end; due on the day itself. */
	assert_int_equal(cartel_retention_set(db, CARTEL_STATUS_REPATRIATED,
					      "90d", "dpo", NULL),
			 0);
	struct cartel_date d90 = {2024, 5, 29};
	assert_int_equal(cartel_retention_list(db, &d90, &it, &n, NULL), 0);
	assert_int_equal(it[0].due_on.month, 5);
	assert_int_equal(it[0].due_on.day, 29);
	assert_int_equal(it[0].due, 1);
	cartel_retention_items_free(it, n);
	/* "never" removes the rule: kept. */
	assert_int_equal(cartel_retention_set(db, CARTEL_STATUS_REPATRIATED,
					      "never", "dpo", NULL),
			 0);
	assert_int_equal(cartel_retention_list(db, &on, &it, &n, NULL), 0);
	assert_int_equal(it[0].due_on.year, 0);
	assert_int_equal(it[0].due, 0);
	cartel_retention_items_free(it, n);
	cartel_db_close(db);
}

static void
a_mark_without_a_purge_is_found(void **state)
{
	(void)state;
	struct cartel_db *db = build("p.db", "2020-01-01T00:00:00Z");
	assert_int_equal(cartel_retention_set(db, CARTEL_STATUS_REPATRIATED,
					      "1y", "dpo", NULL),
			 0);
	struct cartel_date today = {2026, 1, 1};
	struct cartel_purge_result res;
	char *why = NULL;
	assert_int_equal(cartel_purge_due(db, &today, 0, "dpo", &res, &why),
			 0);
	assert_int_equal(res.n_items, 1);
	assert_int_equal(res.n_events, 2);
	assert_true(res.audit_seq > 0);
	cartel_purge_result_clear(&res);
	struct cartel_audit_report rep;
	assert_int_equal(cartel_audit_verify(db, NULL, &rep, &why), 0);

	/* Mark A-1's creation event redacted by entry 1 (an import), with
	 * the row's true digest, and erase its name: the chain's hashes
	 * still match, but no purge covers the mark. */
	sqlite3 *s = cartel__db_sqlite(db);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(
				 s,
				 "SELECT e.seq, e.field, e.old_value, "
				 "e.new_value, e.actor, e.at, e.source, "
				 "e.source_ref, e.note, e.audit FROM events e "
				 "JOIN persons p ON p.pk = e.person "
				 "WHERE p.id = 'A-1'",
				 -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	struct cartel__event_row row = {
		sqlite3_column_int64(st, 0),
		"A-1",
		(const char *)sqlite3_column_text(st, 1),
		(const char *)sqlite3_column_text(st, 2),
		(const char *)sqlite3_column_text(st, 3),
		(const char *)sqlite3_column_text(st, 4),
		(const char *)sqlite3_column_text(st, 5),
		(const char *)sqlite3_column_text(st, 6),
		(const char *)sqlite3_column_text(st, 7),
		(const char *)sqlite3_column_text(st, 8),
		sqlite3_column_int64(st, 9)};
	unsigned char d[CARTEL__DIGEST_BYTES];
	cartel__event_digest(&row, d);
	long long seq = row.seq;
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(s,
					    "INSERT INTO event_redacted "
					    "VALUES (?1, ?2, 1)",
					    -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_blob(st, 2, d, sizeof d, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	assert_int_equal(cartel_audit_verify(db, NULL, &rep, &why),
			 CARTEL_ETAMPER);
	assert_non_null(strstr(why, "no purge"));
	free(why);
	cartel_db_close(db);
}


/* Every field a purge erases, set on one person: after the purge each is
 * unknown, the others are kept, and the chain (which compares the state
 * with the redacted events) holds. */
static void
every_erased_field_goes(void **state)
{
	(void)state;
	static const char *const erased[] = {
		"family_name", "given_name", "patronymic", "father_name",
		"mother_maiden_name", "birth_date", "birth_place",
		"service_number", "rank", "unit", "inform_person",
		"captured_at", "internment_place", "direct_rep_by",
		"consent_by", "notes"};
	struct cartel_db *db = build("p.db", NULL);
	struct cartel_person p = {0};
	p.id = strdup("Z-1");
	for (size_t i = 0; i < sizeof erased / sizeof erased[0]; i++) {
		const struct cartel_field *f = cartel_field_find(erased[i]);
		assert_non_null(f);
		assert_int_equal(cartel_person_set_field(
					 &p, f,
					 f->type == CARTEL_FIELD_DATE
						 ? "1990-01-02"
						 : "Secret",
					 NULL),
				 0);
	}
	assert_int_equal(cartel_person_set_field(&p, cartel_field_find("held_by"),
						 "RU", NULL),
			 0);
	assert_int_equal(cartel_person_set_attr(&p, "phone", "+100"), 0);
	struct cartel_provenance prov = {"clerk", CARTEL_SRC_OFFICIAL_LIST,
					 "card 7", "a note", "2020-01-01T00:00:00Z"};
	assert_int_equal(cartel_person_add(db, &p, &prov, NULL, NULL), 0);
	cartel_person_clear(&p);
	struct cartel_event ev = {0, "Z-1", "status", NULL, "released",
				  {"clerk", CARTEL_SRC_OFFICIAL_LIST, NULL,
				   "seen off", "2020-02-01T00:00:00Z"}};
	assert_int_equal(cartel_event_add(db, &ev, NULL), 0);
	assert_int_equal(cartel_retention_set(db, CARTEL_STATUS_RELEASED, "1m",
					      "dpo", NULL),
			 0);
	struct cartel_date today = {2021, 1, 1};
	struct cartel_purge_result res;
	char *why = NULL;
	assert_int_equal(cartel_purge_due(db, &today, 0, "dpo", &res, &why),
			 0);
	assert_int_equal(res.n_items, 1);
	cartel_purge_result_clear(&res);
	struct cartel_audit_report rep;
	assert_int_equal(cartel_audit_verify(db, NULL, &rep, &why), 0);
	assert_int_equal(cartel_person_get(db, "Z-1", &p, NULL), 0);
	char buf[CARTEL_FIELD_TEXT_MAX];
	for (size_t i = 0; i < sizeof erased / sizeof erased[0]; i++)
		assert_string_equal(
			cartel_person_field_text(&p, cartel_field_find(erased[i]),
						 buf, sizeof buf),
			"");
	assert_int_equal(p.n_extra, 0);
	assert_string_equal(p.held_by, "RU");
	assert_int_equal(p.status, CARTEL_STATUS_RELEASED);
	cartel_person_clear(&p);
	struct cartel_event *evs;
	size_t n;
	assert_int_equal(cartel_person_events(db, "Z-1", &evs, &n, NULL), 0);
	assert_int_equal(n, 2);
	for (size_t i = 0; i < n; i++) {
		assert_null(evs[i].prov.note);
		assert_null(evs[i].prov.source_ref);
		assert_null(strstr(evs[i].new_value, "Secret"));
		assert_null(strstr(evs[i].new_value, "+100"));
	}
	cartel_events_free(evs, n);
	cartel_db_close(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(encrypted_roundtrip),
		cmocka_unit_test(retention_dates_follow_the_calendar),
		cmocka_unit_test(a_mark_without_a_purge_is_found),
		cmocka_unit_test(every_erased_field_goes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
