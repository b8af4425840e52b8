/*
 * Unit tests for the store: opening and migrations, persons and events,
 * the lifecycle on status changes, the derived state against the events,
 * transactions, two writers at once, a read-only and a full database.
 */
#include <pthread.h>
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
#include <cartel/register.h>
#include <cartel/store.h>

#include "store/store_cols.h"
#include "store/store_int.h"

static char dir[64];
static char path[128];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/cartel-test-store-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof path, "%s/r.db", dir);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	char p[160];
	const char *sfx[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof p, "%s%s", path, sfx[i]);
		unlink(p);
	}
	rmdir(dir);
	return 0;
}

static struct cartel_db *
fresh(void)
{
	teardown(NULL);
	setup(NULL);
	struct cartel_db *db = NULL;
	char *why = NULL;
	int err = cartel_db_open(&db, path, CARTEL_DB_CREATE, &why);
	if (err != 0)
		fail_msg("open: %s", why ? why : "?");
	return db;
}

static const struct cartel_provenance prov = {"tester", CARTEL_SRC_ICRC_VISIT,
					      "visit 7", NULL, NULL};

static char *
add(struct cartel_db *db, const char *id, const char *held_by)
{
	struct cartel_person p = {0};
	p.id = (char *)id;
	p.held_by = (char *)held_by;
	p.status = held_by ? CARTEL_STATUS_CONFIRMED_CAPTIVE
			   : CARTEL_STATUS_REPORTED_MISSING;
	char *out = NULL, *why = NULL;
	int err = cartel_person_add(db, &p, &prov, &out, &why);
	if (err != 0)
		fail_msg("add: %s", why ? why : "?");
	return out;
}

static void
open_missing_and_versions(void **state)
{
	(void)state;
	struct cartel_db *db;
	char *why = NULL;
	teardown(NULL);
	setup(NULL);
	assert_int_equal(cartel_db_open(&db, path, 0, &why), CARTEL_ENOTFOUND);
	assert_null(db);
	assert_non_null(strstr(why, "cartel init"));
	free(why);
	db = fresh();
	assert_int_equal(cartel_db_schema_version(db),
			 cartel_db_schema_latest());
	cartel_db_close(db);
	/* Reopening applies nothing and keeps the version. */
	assert_int_equal(cartel_db_open(&db, path, 0, NULL), 0);
	assert_int_equal(cartel_db_schema_version(db),
			 cartel_db_schema_latest());
	/* A file from a newer build is refused. */
	sqlite3_exec(cartel__db_sqlite(db), "PRAGMA user_version = 999", NULL,
		     NULL, NULL);
	cartel_db_close(db);
	why = NULL;
	assert_int_equal(cartel_db_open(&db, path, 0, &why), CARTEL_EVERSION);
	assert_non_null(strstr(why, "newer"));
	free(why);
	/* Not a database at all. */
	FILE *fp = fopen(path, "w");
	fputs("this is not a register, just text that is long enough to "
	      "fill a header of one hundred bytes or so, really it is\n",
	      fp);
	fclose(fp);
	why = NULL;
	assert_int_not_equal(cartel_db_open(&db, path, 0, &why), 0);
	free(why);
}

static void
migration_from_an_older_file(void **state)
{
	(void)state;
	/* A file that has applied only the first migration, with a person
	 * in it, as an older build left it. */
	teardown(NULL);
	setup(NULL);
	sqlite3 *s;
	assert_int_equal(sqlite3_open(path, &s), SQLITE_OK);
	assert_int_equal(
		sqlite3_exec(s, cartel__migrations[0].sql, NULL, NULL, NULL),
		SQLITE_OK);
	sqlite3_exec(s,
		     "INSERT INTO persons (pk, id, status) VALUES "
		     "(1, 'OLD-1', 'confirmed_captive');"
		     "PRAGMA user_version = 1",
		     NULL, NULL, NULL);
	sqlite3_close(s);
	struct cartel_db *db;
	char *why = NULL;
	if (cartel_db_schema_latest() > 1) {
		/* Read-only cannot upgrade it. */
		assert_int_equal(
			cartel_db_open(&db, path, CARTEL_DB_READONLY, &why),
			CARTEL_ESTATE);
		free(why);
		why = NULL;
	}
	assert_int_equal(cartel_db_open(&db, path, 0, &why), 0);
	assert_int_equal(cartel_db_schema_version(db),
			 cartel_db_schema_latest());
	struct cartel_person p;
	assert_int_equal(cartel_person_get(db, "OLD-1", &p, NULL), 0);
	cartel_person_clear(&p);
	cartel_db_close(db);
	/* Every migration ran exactly once: reopening changes nothing. */
	assert_int_equal(cartel_db_open(&db, path, 0, NULL), 0);
	cartel_db_close(db);
}

static void
columns_follow_fields(void **state)
{
	(void)state;
	struct cartel_db *db = fresh();
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(cartel__db_sqlite(db),
					    "SELECT name FROM "
					    "pragma_table_info('persons') "
					    "ORDER BY cid",
					    -1, &st, NULL),
			 SQLITE_OK);
	size_t n;
	const struct cartel_field *f = cartel_fields(&n);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal(sqlite3_column_text(st, 0), "pk");
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_string_equal(sqlite3_column_text(st, 0), f[i].name);
	}
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	assert_int_equal(CARTEL__PERSON_NCOLS, (int)n);
	cartel_db_close(db);
}

static void
add_get_and_ids(void **state)
{
	(void)state;
	struct cartel_db *db = fresh();
	struct cartel_person p = {0};
	char *why = NULL;
	/* A record from a partial list: no name, no id. */
	p.held_by = "RU";
	p.status = CARTEL_STATUS_CONFIRMED_CAPTIVE;
	char *id = NULL;
	assert_int_equal(cartel_person_add(db, &p, &prov, &id, &why), 0);
	assert_non_null(id);
	struct cartel_person got;
	assert_int_equal(cartel_person_get(db, id, &got, NULL), 0);
	assert_string_equal(got.held_by, "RU");
	assert_null(got.family_name);
	assert_int_equal(got.source, CARTEL_SRC_ICRC_VISIT);
	cartel_person_clear(&got);
	/* The same id twice. */
	p.id = id;
	assert_int_equal(cartel_person_add(db, &p, &prov, NULL, &why),
			 CARTEL_EEXIST);
	free(why);
	why = NULL;
	/* An id given by hand that looks like an assigned one does not
	 * stop the next assignment. */
	p.id = "P0000002";
	assert_int_equal(cartel_person_add(db, &p, &prov, NULL, NULL), 0);
	p.id = NULL;
	char *id3 = NULL;
	assert_int_equal(cartel_person_add(db, &p, &prov, &id3, NULL), 0);
	assert_string_not_equal(id3, "P0000002");
	assert_int_equal(cartel_person_get(db, "nope", &got, NULL),
			 CARTEL_ENOTFOUND);
	struct cartel_person *all;
	size_t n;
	assert_int_equal(cartel_db_persons(db, &all, &n, NULL), 0);
	assert_int_equal(n, 3);
	assert_true(strcmp(all[0].id, all[1].id) < 0);
	cartel_persons_free(all, n);
	/* A birth in the future is refused. */
	struct cartel_person fut = {0};
	fut.birth_date.year = 3000;
	assert_int_equal(cartel_person_add(db, &fut, &prov, NULL, &why),
			 CARTEL_EINVAL);
	free(why);
	free(id);
	free(id3);
	cartel_db_close(db);
}

static int
event(struct cartel_db *db, const char *id, const char *field,
      const char *value, char **why)
{
	struct cartel_event ev = {0};
	ev.person_id = id;
	ev.field = field;
	ev.new_value = value;
	ev.prov = prov;
	return cartel_event_add(db, &ev, why);
}

static void
events_and_lifecycle(void **state)
{
	(void)state;
	struct cartel_db *db = fresh();
	free(add(db, "UA-1", "RU"));
	char *why = NULL;
	assert_int_equal(event(db, "UA-1", "health", "seriously_wounded", NULL),
			 0);
	assert_int_equal(event(db, "UA-1", "status", "proposed", NULL), 0);
	assert_int_equal(event(db, "UA-1", "status", "agreed", NULL), 0);
	assert_int_equal(event(db, "UA-1", "status", "repatriated", NULL), 0);
	/* Repatriated is an end: no way back. */
	assert_int_equal(event(db, "UA-1", "status", "confirmed_captive", &why),
			 CARTEL_ESTATE);
	assert_non_null(strstr(why, "repatriated"));
	free(why);
	why = NULL;
	assert_int_equal(event(db, "UA-1", "health", "so-so", &why),
			 CARTEL_EINVAL);
	free(why);
	why = NULL;
	assert_int_equal(event(db, "UA-1", "captured_on", "2023-02-30", &why),
			 CARTEL_ERANGE);
	free(why);
	why = NULL;
	assert_int_equal(event(db, "UA-1", "colour", "red", &why),
			 CARTEL_EINVAL);
	free(why);
	why = NULL;
	assert_int_equal(event(db, "UA-1", "id", "UA-2", &why), CARTEL_EINVAL);
	free(why);
	why = NULL;
	assert_int_equal(event(db, "UA-9", "health", "good", &why),
			 CARTEL_ENOTFOUND);
	free(why);
	assert_int_equal(event(db, "UA-1", "attr:tattoo", "eagle", NULL), 0);
	assert_int_equal(event(db, "UA-1", "birth_date", "01.02.1990", NULL),
			 0);
	struct cartel_person p;
	assert_int_equal(cartel_person_get(db, "UA-1", &p, NULL), 0);
	assert_int_equal(p.status, CARTEL_STATUS_REPATRIATED);
	assert_int_equal(p.health, CARTEL_HEALTH_SERIOUSLY_WOUNDED);
	assert_string_equal(cartel_person_attr(&p, "tattoo"), "eagle");
	cartel_person_clear(&p);
	struct cartel_event *ev;
	size_t n;
	assert_int_equal(cartel_person_events(db, "UA-1", &ev, &n, NULL), 0);
	assert_int_equal(n, 7);
	assert_string_equal(ev[0].field, "*");
	assert_string_equal(ev[1].field, "health");
	assert_string_equal(ev[1].old_value, "unknown");
	assert_string_equal(ev[1].new_value, "seriously_wounded");
	assert_string_equal(ev[1].prov.actor, "tester");
	assert_string_equal(ev[1].prov.source_ref, "visit 7");
	assert_int_equal(ev[1].prov.source, CARTEL_SRC_ICRC_VISIT);
	/* Dates are kept in their canonical form. */
	assert_string_equal(ev[6].new_value, "1990-02-01");
	assert_true(ev[1].seq < ev[2].seq);
	cartel_events_free(ev, n);
	cartel_db_close(db);
}

static void
state_rebuilt_from_events(void **state)
{
	(void)state;
	struct cartel_db *db = fresh();
	free(add(db, "UA-1", "RU"));
	free(add(db, "UA-2", "RU"));
	free(add(db, "RU-1", "UA"));
	assert_int_equal(event(db, "UA-1", "health", "sick", NULL), 0);
	assert_int_equal(event(db, "UA-2", "status", "deceased", NULL), 0);
	assert_int_equal(event(db, "RU-1", "attr:scar", "left", NULL), 0);
	assert_int_equal(event(db, "RU-1", "family_name", "Ivanov", NULL), 0);
	assert_int_equal(event(db, "RU-1", "family_name", "Ivanow", NULL), 0);
	struct cartel_person *before, *after;
	size_t n1, n2;
	assert_int_equal(cartel_db_persons(db, &before, &n1, NULL), 0);
	/* Spoil the derived table, then rebuild it from the events. */
	sqlite3_exec(cartel__db_sqlite(db),
		     "UPDATE persons SET health = 'good', family_name = NULL; "
		     "DELETE FROM person_attrs",
		     NULL, NULL, NULL);
	char *why = NULL;
	assert_int_equal(cartel_db_rebuild_state(db, "tester", &why), 0);
	assert_int_equal(cartel_db_persons(db, &after, &n2, NULL), 0);
	assert_int_equal(n1, n2);
	for (size_t i = 0; i < n1; i++)
		assert_true(cartel_person_equal(&before[i], &after[i]));
	assert_string_equal(after[0].family_name, "Ivanow");
	cartel_persons_free(before, n1);
	cartel_persons_free(after, n2);
	struct cartel_audit_report rep;
	assert_int_equal(cartel_audit_verify(db, NULL, &rep, NULL), 0);
	cartel_db_close(db);
}

static void
transactions_group_writes(void **state)
{
	(void)state;
	struct cartel_db *db = fresh();
	assert_int_equal(cartel_db_begin(db, NULL), 0);
	free(add(db, "A", "RU"));
	free(add(db, "B", "RU"));
	cartel_db_rollback(db);
	struct cartel_person p;
	assert_int_equal(cartel_person_get(db, "A", &p, NULL),
			 CARTEL_ENOTFOUND);
	assert_int_equal(cartel_db_begin(db, NULL), 0);
	assert_int_equal(cartel_db_begin(db, NULL), 0); /* nested */
	free(add(db, "A", "RU"));
	assert_int_equal(cartel_db_commit(db, NULL), 0);
	free(add(db, "B", "RU"));
	assert_int_equal(cartel_db_commit(db, NULL), 0);
	assert_int_equal(cartel_person_get(db, "B", &p, NULL), 0);
	cartel_person_clear(&p);
	assert_int_equal(cartel_db_commit(db, NULL), CARTEL_ESTATE);
	struct cartel_audit_report rep;
	assert_int_equal(cartel_audit_verify(db, NULL, &rep, NULL), 0);
	assert_int_equal(rep.n_entries, 2);
	cartel_db_close(db);
}

struct writer {
	int which;
	int errors;
};

static void *
write_many(void *arg)
{
	struct writer *w = arg;
	struct cartel_db *db;
	/* One handle per thread, as the server will have. */
	if (cartel_db_open(&db, path, 0, NULL) != 0) {
		w->errors++;
		return NULL;
	}
	for (int i = 0; i < 40; i++) {
		char id[32];
		snprintf(id, sizeof id, "T%d-%d", w->which, i);
		struct cartel_person p = {0};
		p.id = id;
		char *why = NULL;
		if (cartel_person_add(db, &p, &prov, NULL, &why) != 0) {
			w->errors++;
			free(why);
		}
		if (cartel_audit_append(db, "tester", "note", id, "thread",
					NULL) != 0)
			w->errors++;
	}
	cartel_db_close(db);
	return NULL;
}

static void
two_writers_at_once(void **state)
{
	(void)state;
	struct cartel_db *db = fresh();
	cartel_db_close(db);
	pthread_t t[2];
	struct writer w[2] = {{1, 0}, {2, 0}};
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, write_many, &w[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(w[0].errors, 0);
	assert_int_equal(w[1].errors, 0);
	assert_int_equal(cartel_db_open(&db, path, 0, NULL), 0);
	struct cartel_person *all;
	size_t n;
	assert_int_equal(cartel_db_persons(db, &all, &n, NULL), 0);
	assert_int_equal(n, 80);
	cartel_persons_free(all, n);
	struct cartel_audit_report rep;
	char *why = NULL;
	assert_int_equal(cartel_audit_verify(db, NULL, &rep, &why), 0);
	assert_int_equal(rep.n_entries, 160);
	cartel_db_close(db);
}

static void
read_only_refuses_writes(void **state)
{
	(void)state;
	struct cartel_db *db = fresh();
	free(add(db, "UA-1", "RU"));
	cartel_db_close(db);
	assert_int_equal(cartel_db_open(&db, path, CARTEL_DB_READONLY, NULL),
			 0);
	char *why = NULL;
	struct cartel_person p = {0};
	assert_int_equal(cartel_person_add(db, &p, &prov, NULL, &why),
			 CARTEL_EREADONLY);
	free(why);
	why = NULL;
	assert_int_equal(event(db, "UA-1", "health", "good", &why),
			 CARTEL_EREADONLY);
	free(why);
	assert_int_equal(cartel_person_get(db, "UA-1", &p, NULL), 0);
	assert_int_equal(p.health, CARTEL_HEALTH_UNKNOWN);
	cartel_person_clear(&p);
	cartel_db_close(db);
}

static void
full_database_writes_nothing(void **state)
{
	(void)state;
	struct cartel_db *db = fresh();
	free(add(db, "UA-1", "RU"));
	sqlite3 *s = cartel__db_sqlite(db);
	/* Cap the file at its current size: the next write finds it
	 * full, as on a full disk. */
	sqlite3_exec(s, "PRAGMA max_page_count = 1", NULL, NULL, NULL);
	char big[3000];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	char *why = NULL;
	int err = 0;
	for (int i = 0; i < 50 && err == 0; i++)
		err = event(db, "UA-1", "notes", big, &why);
	assert_int_equal(err, CARTEL_EFULL);
	assert_non_null(strstr(why, "full"));
	free(why);
	cartel_db_close(db);
	assert_int_equal(cartel_db_open(&db, path, 0, NULL), 0);
	struct cartel_audit_report rep;
	assert_int_equal(cartel_audit_verify(db, NULL, &rep, NULL), 0);
	cartel_db_close(db);
}

static void
stats_counts(void **state)
{
	(void)state;
	setenv("CARTEL_TODAY", "2025-06-15", 1);
	struct cartel_db *db = fresh();
	struct cartel_person p = {0};
	const struct {
		const char *id, *held, *since, *health, *direct, *consent;
	} rows[] = {
		{"A", "RU", "2025-05-01", "good", "no", "not_asked"},
		{"B", "RU", "2024-12-01", "sick", "yes", "willing"},
		{"C", "RU", "2023-01", "seriously_wounded", "yes", "not_asked"},
		{"D", "UA", "", "good", "", "refuses"},
	};
	for (size_t i = 0; i < 4; i++) {
		memset(&p, 0, sizeof p);
		cartel_person_set_field(&p, cartel_field_find("id"), rows[i].id,
					NULL);
		cartel_person_set_field(&p, cartel_field_find("held_by"),
					rows[i].held, NULL);
		cartel_person_set_field(&p, cartel_field_find("captured_on"),
					rows[i].since, NULL);
		cartel_person_set_field(&p, cartel_field_find("health"),
					rows[i].health, NULL);
		cartel_person_set_field(
			&p, cartel_field_find("direct_repatriation"),
			rows[i].direct, NULL);
		cartel_person_set_field(&p, cartel_field_find("consent"),
					rows[i].consent, NULL);
		p.status = CARTEL_STATUS_CONFIRMED_CAPTIVE;
		p.category = CARTEL_CAT_MILITARY;
		assert_int_equal(cartel_person_add(db, &p, &prov, NULL, NULL),
				 0);
		cartel_person_clear(&p);
	}
	assert_int_equal(event(db, "A", "status", "released", NULL), 0);
	struct cartel_stats st;
	assert_int_equal(cartel_stats_get(db, &st, NULL), 0);
	assert_int_equal(st.persons, 4);
	assert_int_equal(st.n_parties, 2);
	const struct cartel_stats_party *ru = &st.parties[0];
	assert_string_equal(ru->party, "RU");
	assert_int_equal(ru->held, 2); /* A was released */
	assert_int_equal(ru->by_status[CARTEL_STATUS_RELEASED], 1);
	assert_int_equal(ru->by_held[CARTEL_HELD_6_12M], 1); /* B */
	assert_int_equal(ru->by_held[CARTEL_HELD_GT24M], 1); /* C */
	assert_int_equal(ru->await_direct, 2);
	assert_int_equal(ru->consent_not_asked, 1);
	assert_int_equal(ru->by_health[CARTEL_HEALTH_SERIOUSLY_WOUNDED], 1);
	assert_int_equal(ru->by_category[CARTEL_CAT_MILITARY], 2);
	assert_int_equal(st.parties[1].by_held[CARTEL_HELD_UNKNOWN], 1);
	assert_int_equal(ru->consent_undecided, 0);
	cartel_stats_clear(&st);
	/* Asked, and no answer yet: counted apart from never asked. */
	assert_int_equal(event(db, "C", "consent", "undecided", NULL), 0);
	assert_int_equal(cartel_stats_get(db, &st, NULL), 0);
	assert_int_equal(st.parties[0].consent_not_asked, 0);
	assert_int_equal(st.parties[0].consent_undecided, 1);
	cartel_stats_clear(&st);
	cartel_db_close(db);
	unsetenv("CARTEL_TODAY");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(open_missing_and_versions),
		cmocka_unit_test(migration_from_an_older_file),
		cmocka_unit_test(columns_follow_fields),
		cmocka_unit_test(add_get_and_ids),
		cmocka_unit_test(events_and_lifecycle),
		cmocka_unit_test(state_rebuilt_from_events),
		cmocka_unit_test(transactions_group_writes),
		cmocka_unit_test(two_writers_at_once),
		cmocka_unit_test(read_only_refuses_writes),
		cmocka_unit_test(full_database_writes_nothing),
		cmocka_unit_test(stats_counts),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
