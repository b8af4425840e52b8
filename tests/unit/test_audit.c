/*
 * Unit tests for the audit chain: a register written through cartel
 * verifies; one changed, inserted or deleted behind its back (through a
 * separate SQLite connection on the file, as with the sqlite3 shell) does
 * not, and the report names the first entry or person that fails.
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
#include <cartel/round.h>
#include <cartel/store.h>

#include "store/store_int.h"

static char dir[64];
static char path[128];
static char good_head[65];

static void
cleanup(void)
{
	char p[160];
	const char *sfx[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof p, "%s%s", path, sfx[i]);
		unlink(p);
	}
}

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/cartel-test-audit-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof path, "%s/r.db", dir);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	cleanup();
	rmdir(dir);
	return 0;
}

/* A register with a few imported persons (two audit batches would need
 * 1000 rows; one import entry), hand-added ones and events: entries 1..6. */
static void
build(void)
{
	cleanup();
	struct cartel_db *db;
	assert_int_equal(cartel_db_open(&db, path, CARTEL_DB_CREATE, NULL), 0);
	const char *csv = "id,family_name,held_by,health\n"
			  "UA-1,Melnyk,RU,good\nUA-2,Boyko,RU,sick\n"
			  "RU-1,Ivanov,UA,good\n";
	FILE *in = fmemopen((void *)csv, strlen(csv), "r");
	struct cartel_import_result res;
	assert_int_equal(cartel_import_csv(db, in, "l.csv", NULL, &res, NULL),
			 0); /* entry 1 */
	fclose(in);
	cartel_import_result_clear(&res);
	struct cartel_provenance prov = {"clerk", CARTEL_SRC_ICRC_VISIT, NULL,
					 NULL, NULL};
	struct cartel_person p = {0};
	p.id = "UA-3";
	p.held_by = "RU";
	assert_int_equal(cartel_person_add(db, &p, &prov, NULL, NULL),
			 0); /* 2 */
	struct cartel_event ev = {0};
	ev.person_id = "UA-1";
	ev.field = "health";
	ev.new_value = "seriously_wounded";
	ev.prov = prov;
	assert_int_equal(cartel_event_add(db, &ev, NULL), 0); /* 3 */
	ev.person_id = "UA-2";
	ev.field = "status";
	ev.new_value = "deceased";
	assert_int_equal(cartel_event_add(db, &ev, NULL), 0); /* 4 */
	assert_int_equal(cartel_audit_append(db, "clerk", "key pin", "RU",
					     "pinned a key", NULL),
			 0); /* 5 */
	ev.person_id = "RU-1";
	ev.field = "consent";
	ev.new_value = "willing";
	assert_int_equal(cartel_event_add(db, &ev, NULL), 0); /* 6 */
	struct cartel_audit_report rep;
	char *why = NULL;
	int err = cartel_audit_verify(db, NULL, &rep, &why);
	if (err != 0)
		fail_msg("verify: %s", why);
	assert_int_equal(rep.n_entries, 6);
	assert_int_equal(rep.n_events, 7);
	assert_int_equal(rep.n_persons, 4);
	assert_int_equal(strlen(rep.head), 64);
	memcpy(good_head, rep.head, 65);
	cartel_db_close(db);
}

/* Runs sql on the file through its own connection, then verifies with
 * cartel; returns the error and the report. */
static int
tamper(const char *sql, struct cartel_audit_report *rep, char **why)
{
	build();
	sqlite3 *s;
	assert_int_equal(sqlite3_open(path, &s), SQLITE_OK);
	char *msg = NULL;
	if (sqlite3_exec(s, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("tamper sql: %s", msg);
	sqlite3_close(s);
	struct cartel_db *db;
	assert_int_equal(cartel_db_open(&db, path, 0, NULL), 0);
	int err = cartel_audit_verify(db, NULL, rep, why);
	cartel_db_close(db);
	return err;
}

#define EXPECT_TAMPER(sql, entry, words)                                       \
	do {                                                                   \
		struct cartel_audit_report rep;                                \
		char *why = NULL;                                              \
		assert_int_equal(tamper(sql, &rep, &why), CARTEL_ETAMPER);     \
		assert_int_equal(rep.bad_entry, entry);                        \
		if (strstr(why, words) == NULL)                                \
			fail_msg("'%s' not in: %s", words, why);               \
		free(why);                                                     \
	} while (0)

static void
untouched_register_verifies(void **state)
{
	(void)state;
	struct cartel_audit_report rep;
	char *why = NULL;
	assert_int_equal(tamper("SELECT 1", &rep, &why), 0);
	assert_string_equal(rep.head, good_head);
	/* The head noted outside must match. */
	struct cartel_db *db;
	assert_int_equal(cartel_db_open(&db, path, 0, NULL), 0);
	assert_int_equal(cartel_audit_verify(db, good_head, &rep, NULL), 0);
	assert_int_equal(cartel_audit_verify(db, "00ff", &rep, &why),
			 CARTEL_ETAMPER);
	free(why);
	cartel_db_close(db);
	/* An empty register verifies too. */
	cleanup();
	assert_int_equal(cartel_db_open(&db, path, CARTEL_DB_CREATE, NULL), 0);
	assert_int_equal(cartel_audit_verify(db, NULL, &rep, NULL), 0);
	assert_int_equal(rep.n_entries, 0);
	cartel_db_close(db);
}

static void
changed_rows(void **state)
{
	(void)state;
	/* An event's value: the entry covering it fails. */
	EXPECT_TAMPER("UPDATE events SET new_value = 'good' "
		      "WHERE field = 'health'",
		      3, "event rows");
	/* The creation record of an imported person. */
	EXPECT_TAMPER("UPDATE events SET new_value = replace(new_value, "
		      "'Boyko', 'Bojko') WHERE field = '*'",
		      1, "event rows");
	/* An audit entry's words. */
	EXPECT_TAMPER("UPDATE audit SET actor = 'someone' WHERE seq = 5", 5,
		      "does not match its hash");
	/* The current state, leaving the events alone. */
	EXPECT_TAMPER("UPDATE persons SET status = 'repatriated' "
		      "WHERE id = 'UA-2'",
		      0, "person UA-2");
	/* A person's id (its events now belong to another id). */
	EXPECT_TAMPER("UPDATE persons SET id = 'UA-9' WHERE id = 'UA-3'", 2,
		      "event rows");
	/* An extra attribute added to the state alone. */
	EXPECT_TAMPER("INSERT INTO person_attrs (person, key, value) "
		      "VALUES (1, 'k', 'v')",
		      0, "person UA-1");
}

static void
inserted_rows(void **state)
{
	(void)state;
	EXPECT_TAMPER("INSERT INTO persons (id, status) "
		      "VALUES ('FAKE', 'confirmed_captive')",
		      0, "person FAKE");
	EXPECT_TAMPER("INSERT INTO events (person, field, new_value, actor, "
		      "at, source, audit) VALUES (1, 'health', 'good', 'x', "
		      "'now', 'official_list', 3)",
		      3, "written after");
	/* An event pretending to come after the last entry. */
	EXPECT_TAMPER("INSERT INTO events (person, field, new_value, actor, "
		      "at, source, audit) VALUES (1, 'health', 'good', 'x', "
		      "'now', 'official_list', 7)",
		      7, "does not exist");
	/* A whole forged entry appended at the end, head moved with it:
	 * its hash cannot be made without recomputing, which the shell
	 * does not do, so the copy of entry 6's hash fails. */
	EXPECT_TAMPER("INSERT INTO audit (seq, at, actor, action, subject, "
		      "detail, n_events, events_hash, prev, hash) "
		      "SELECT 7, at, actor, action, "
		      "subject, detail, n_events, events_hash, hash, hash "
		      "FROM audit WHERE seq = 6; "
		      "UPDATE audit_head SET seq = 7",
		      7, "does not match its hash");
}

static void
deleted_rows(void **state)
{
	(void)state;
	EXPECT_TAMPER("DELETE FROM events WHERE field = 'status'", 4,
		      "event rows");
	EXPECT_TAMPER("DELETE FROM audit WHERE seq = 2", 2, "missing");
	EXPECT_TAMPER("DELETE FROM audit WHERE seq = 1", 1, "missing");
	/* The LAST entry alone: the head still names it. */
	EXPECT_TAMPER("DELETE FROM audit WHERE seq = 5; "
		      "DELETE FROM audit WHERE seq = 6",
		      5, "does not exist");
	EXPECT_TAMPER("DELETE FROM audit WHERE seq = 6", 6, "does not exist");
	/* The last entry, which covers no events, alone: the head still
	 * names it. */
	EXPECT_TAMPER("DELETE FROM audit WHERE seq = 6; "
		      "DELETE FROM events WHERE audit = 6; "
		      "UPDATE persons SET consent = 'not_asked', "
		      "source = 'official_list' WHERE id = 'RU-1'",
		      6, "head");
	/* The last entry and the head moved back: its event remains. */
	EXPECT_TAMPER("DELETE FROM audit WHERE seq = 6; UPDATE audit_head "
		      "SET seq = 5, hash = (SELECT hash FROM audit "
		      "WHERE seq = 5)",
		      6, "does not exist");
	/* The head row itself. */
	EXPECT_TAMPER("DELETE FROM audit_head", 6, "head");
	/* A person and everything about it, in the middle of the log. */
	EXPECT_TAMPER("PRAGMA foreign_keys = OFF; "
		      "DELETE FROM events WHERE person = 4; "
		      "DELETE FROM persons WHERE pk = 4",
		      2, "event rows");
}

static void
nul_bytes(void **state)
{
	(void)state;
	/* Hashing stopped at a NUL: these passed before. */
	EXPECT_TAMPER("UPDATE audit SET detail = detail || char(0) || 'x' "
		      "WHERE seq = 5",
		      5, "does not match its hash");
	EXPECT_TAMPER("UPDATE events SET note = coalesce(note, '') || "
		      "char(0) || 'x' WHERE person = 4",
		      2, "event rows");
	EXPECT_TAMPER("UPDATE persons SET family_name = family_name || "
		      "char(0) || 'x' WHERE id = 'UA-1'",
		      0, "person UA-1");
	/* The same bytes as a blob instead of text. */
	EXPECT_TAMPER("UPDATE events SET new_value = CAST(new_value AS BLOB) "
		      "WHERE field = 'health'",
		      3, "not text");
}

static void
equivalent_spellings(void **state)
{
	(void)state;
	/* Each parses to the same value; only the stored text differs. */
	EXPECT_TAMPER("UPDATE persons SET status = 'DECEASED' "
		      "WHERE id = 'UA-2'",
		      0, "its status is not stored in its one canonical form");
	EXPECT_TAMPER("UPDATE persons SET health = 'Good' WHERE id = 'RU-1'",
		      0, "its health is not stored");
	EXPECT_TAMPER("UPDATE persons SET held_by = 'RU ' WHERE id = 'UA-1'",
		      0, "person UA-1");
	EXPECT_TAMPER("UPDATE persons SET captured_on = '2024-03-01', "
		      "held_since = '2024-3-1' WHERE id = 'UA-1'",
		      0, "person UA-1");
	EXPECT_TAMPER("UPDATE persons SET sex = '' WHERE id = 'UA-1'", 0,
		      "person UA-1");
}

/* A pinned key is under the chain: the register's own reads refuse one
 * changed behind its back, and verify names its row. */
static void
pinned_key_rows(void **state)
{
	(void)state;
	cleanup();
	struct cartel_db *db;
	assert_int_equal(cartel_db_open(&db, path, CARTEL_DB_CREATE, NULL), 0);
	unsigned char k1[32], k2[32], got[32];
	memset(k1, 1, sizeof k1);
	memset(k2, 2, sizeof k2);
	assert_int_equal(cartel_key_pin(db, "UA", k1, 0, "clerk", NULL, NULL),
			 0);
	assert_int_equal(cartel_key_pin(db, "RU", k2, 0, "clerk", NULL, NULL),
			 0);
	/* Replacing a pin records the old row (now replaced) and the new. */
	assert_int_equal(cartel_key_pin(db, "RU", k1, 1, "clerk", NULL, NULL),
			 0);
	struct cartel_audit_report rep;
	char *why = NULL;
	if (cartel_audit_verify(db, NULL, &rep, &why) != 0)
		fail_msg("verify: %s", why);
	assert_int_equal(rep.n_rows, 3);
	assert_int_equal(cartel_key_pinned(db, "UA", got, NULL), 0);
	assert_memory_equal(got, k1, 32);
	cartel_db_close(db);

	sqlite3 *s;
	assert_int_equal(sqlite3_open(path, &s), SQLITE_OK);
	assert_int_equal(sqlite3_exec(s,
				      "UPDATE round_key_pin SET public_key = "
				      "zeroblob(32) WHERE party = 'UA'",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(s);
	assert_int_equal(cartel_db_open(&db, path, 0, NULL), 0);
	assert_int_equal(cartel_key_pinned(db, "UA", got, &why),
			 CARTEL_ETAMPER);
	if (strstr(why, "pinned key of party UA") == NULL)
		fail_msg("pinned: %s", why);
	free(why);
	why = NULL;
	assert_int_equal(cartel_audit_verify(db, NULL, &rep, &why),
			 CARTEL_ETAMPER);
	if (strstr(why, "round_key_pin row (1)") == NULL)
		fail_msg("verify: %s", why);
	free(why);
	why = NULL;
	/* The pin's row untouched but the audit entry that recorded it
	 * rewritten: the record no longer holds, and neither does the pin. */
	assert_int_equal(cartel_key_pinned(db, "RU", got, NULL), 0);
	assert_int_equal(sqlite3_open(path, &s), SQLITE_OK);
	assert_int_equal(sqlite3_exec(s,
				      "UPDATE audit SET detail = 'x' "
				      "WHERE action = 'key.replace'",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(s);
	cartel_db_close(db);
	assert_int_equal(cartel_db_open(&db, path, 0, NULL), 0);
	assert_int_equal(cartel_key_pinned(db, "RU", got, &why),
			 CARTEL_ETAMPER);
	if (strstr(why, "record in the audit chain does not hold") == NULL)
		fail_msg("pinned: %s", why);
	free(why);
	cartel_db_close(db);
}

/* Runs one statement on the handle's own connection. */
static void
exec_on(struct cartel_db *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(cartel__db_sqlite(db), sql, NULL, NULL, &msg) !=
	    SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
}

/* The row ledger's rules, through the store's own calls: a covered row
 * written without the audit entry that records it is not committed; a
 * recorded deletion verifies; the same row put back behind the register's
 * back does not. */
static void
ledger_rules(void **state)
{
	(void)state;
	cleanup();
	struct cartel_db *db;
	assert_int_equal(cartel_db_open(&db, path, CARTEL_DB_CREATE, NULL), 0);
	const char *ins = "INSERT INTO match_inquiry (id, created_at, "
			  "created_by, family_name) VALUES ('INQ-1', "
			  "'2026-01-01T00:00:00Z', 'clerk', 'x')";
	char *why = NULL;
	assert_int_equal(cartel_db_begin(db, NULL), 0);
	exec_on(db, ins);
	assert_int_equal(cartel__ledger_touch(db, CARTEL__LT_INQUIRY, "INQ-1",
					      NULL, NULL),
			 0);
	assert_int_equal(cartel_db_commit(db, &why), CARTEL_ESTATE);
	assert_non_null(strstr(why, "match_inquiry rows changed without an "
				    "audit entry"));
	free(why);
	why = NULL;
	struct cartel_audit_report rep;
	assert_int_equal(cartel_audit_verify(db, NULL, &rep, NULL), 0);
	assert_int_equal(rep.n_rows, 0); /* nothing of it stayed */

	assert_int_equal(cartel_db_begin(db, NULL), 0);
	exec_on(db, ins);
	assert_int_equal(cartel__ledger_touch(db, CARTEL__LT_INQUIRY, "INQ-1",
					      NULL, NULL),
			 0);
	assert_int_equal(cartel_audit_append(db, "clerk", "inquiry.add",
					     "INQ-1", "test", NULL),
			 0);
	assert_int_equal(cartel_db_commit(db, NULL), 0);
	assert_int_equal(cartel_audit_verify(db, NULL, &rep, NULL), 0);
	assert_int_equal(rep.n_rows, 1);
	assert_int_equal(cartel__ledger_check_row(db, CARTEL__LT_INQUIRY,
						  "INQ-1", NULL, NULL),
			 0);

	/* A deletion, recorded. */
	assert_int_equal(cartel_db_begin(db, NULL), 0);
	exec_on(db, "DELETE FROM match_inquiry WHERE id = 'INQ-1'");
	assert_int_equal(cartel__ledger_touch(db, CARTEL__LT_INQUIRY, "INQ-1",
					      NULL, NULL),
			 0);
	assert_int_equal(cartel_audit_append(db, "clerk", "inquiry.delete",
					     "INQ-1", "test", NULL),
			 0);
	assert_int_equal(cartel_db_commit(db, NULL), 0);
	if (cartel_audit_verify(db, NULL, &rep, &why) != 0)
		fail_msg("after a recorded deletion: %s", why);
	assert_int_equal(rep.n_rows, 0);
	assert_int_equal(cartel__ledger_check_row(db, CARTEL__LT_INQUIRY,
						  "INQ-1", NULL, NULL),
			 CARTEL_ENOTFOUND);
	cartel_db_close(db);

	/* Put back behind the register's back. */
	sqlite3 *s;
	assert_int_equal(sqlite3_open(path, &s), SQLITE_OK);
	assert_int_equal(sqlite3_exec(s, ins, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(s);
	assert_int_equal(cartel_db_open(&db, path, 0, NULL), 0);
	assert_int_equal(cartel_audit_verify(db, NULL, &rep, &why),
			 CARTEL_ETAMPER);
	if (strstr(why, "match_inquiry row (INQ-1) does not hold: it was "
			"added") == NULL)
		fail_msg("verify: %s", why);
	free(why);
	why = NULL;
	assert_int_equal(cartel__ledger_check_row(db, CARTEL__LT_INQUIRY,
						  "INQ-1", NULL, &why),
			 CARTEL_ETAMPER);
	free(why);
	cartel_db_close(db);
}

static void
rollback_to_an_earlier_state_needs_the_head(void **state)
{
	(void)state;
	/* Removing the last entry with everything it covers, and moving
	 * the head back, leaves a register that is consistent in itself:
	 * only a head noted outside the file tells. This is the documented
	 * limit of a chain kept inside the file it protects. */
	struct cartel_audit_report rep;
	char *why = NULL;
	int err = tamper("DELETE FROM audit WHERE seq = 6; "
			 "DELETE FROM events WHERE audit = 6; "
			 "UPDATE persons SET consent = 'not_asked' "
			 "WHERE id = 'RU-1';"
			 "UPDATE persons SET source = 'official_list' "
			 "WHERE id = 'RU-1';"
			 "UPDATE audit_head SET seq = 5, hash = (SELECT hash "
			 "FROM audit WHERE seq = 5)",
			 &rep, &why);
	assert_int_equal(err, 0);
	struct cartel_db *db;
	assert_int_equal(cartel_db_open(&db, path, 0, NULL), 0);
	assert_int_equal(cartel_audit_verify(db, good_head, &rep, &why),
			 CARTEL_ETAMPER);
	assert_non_null(strstr(why, "expected"));
	free(why);
	cartel_db_close(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(untouched_register_verifies),
		cmocka_unit_test(changed_rows),
		cmocka_unit_test(inserted_rows),
		cmocka_unit_test(deleted_rows),
		cmocka_unit_test(rollback_to_an_earlier_state_needs_the_head),
		cmocka_unit_test(nul_bytes),
		cmocka_unit_test(equivalent_spellings),
		cmocka_unit_test(pinned_key_rows),
		cmocka_unit_test(ledger_rules),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
