/*
 * Unit tests for corrections (cartel_event_correct): a man reported dead
 * and found alive goes back to the status he had, a release entered
 * against the wrong person is undone, the wrong event stays in the history
 * marked corrected, the audit chain and the rebuild from events hold, and
 * every correction that cannot be made is refused with the register left
 * as it was.
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
#include <cartel/register.h>
#include <cartel/retention.h>
#include <cartel/store.h>

struct fx {
	char dir[64];
	char path[128];
	struct cartel_db *db;
};

static const char persons_csv[] =
	"id,family_name,given_name,birth_date,held_by,depends_on,consent,"
	"status\n"
	"UA-1,Коваленко,Олександр,1994-03-02,RU,UA,willing,"
	"confirmed_captive\n"
	"UA-2,Шевченко,Сергій,1990,RU,UA,willing,"
	"confirmed_captive\n"
	"UA-3,Бондаренко,Микола,1985-07-01,RU,UA,not_asked,"
	"confirmed_captive\n";

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof f->dir, "/tmp/cartel-correct-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof f->path, "%s/r.db", f->dir);
	char *why = NULL;
	if (cartel_db_open(&f->db, f->path, CARTEL_DB_CREATE, &why))
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
	if (rc)
		return -1;
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
	int rc = system(cmd);
	free(f);
	return rc == 0 ? 0 : -1;
}

static long long
record(struct fx *f, const char *id, const char *field, const char *value)
{
	struct cartel_event ev;
	memset(&ev, 0, sizeof ev);
	ev.person_id = id;
	ev.field = field;
	ev.new_value = value;
	ev.prov.actor = "clerk";
	ev.prov.source = CARTEL_SRC_FAMILY_REPORT;
	long long seq = 0;
	char *why = NULL;
	if (cartel_event_record(f->db, &ev, &seq, &why) != 0)
		fail_msg("event: %s", why);
	assert_true(seq > 0);
	return seq;
}

static const struct cartel_provenance icrc = {
	"ICRC delegate", CARTEL_SRC_ICRC_VISIT, "visit 12", NULL, NULL};

static enum cartel_status
status_of(struct fx *f, const char *id)
{
	struct cartel_person p;
	assert_int_equal(cartel_person_get(f->db, id, &p, NULL), 0);
	enum cartel_status s = p.status;
	cartel_person_clear(&p);
	return s;
}

static void
verify(struct fx *f, char head[65])
{
	struct cartel_audit_report rep;
	char *why = NULL;
	if (cartel_audit_verify(f->db, NULL, &rep, &why) != 0)
		fail_msg("audit: %s", why);
	if (head != NULL)
		memcpy(head, rep.head, 65);
}

static void
found_alive(void **state)
{
	struct fx *f = *state;
	char *why = NULL;
	long long dead = record(f, "UA-1", "status", "deceased");
	assert_int_equal(status_of(f, "UA-1"), CARTEL_STATUS_DECEASED);
	/* The lifecycle still refuses a plain change out of deceased. */
	struct cartel_event ev;
	memset(&ev, 0, sizeof ev);
	ev.person_id = "UA-1";
	ev.field = "status";
	ev.new_value = "confirmed_captive";
	ev.prov.actor = "clerk";
	assert_int_equal(cartel_event_add(f->db, &ev, &why), CARTEL_ESTATE);
	free(why);
	why = NULL;
	long long fix = 0;
	assert_int_equal(cartel_event_correct(f->db, dead,
					      "seen alive in camp 5", &icrc,
					      &fix, &why),
			 0);
	assert_true(fix > dead);
	assert_int_equal(status_of(f, "UA-1"),
			 CARTEL_STATUS_CONFIRMED_CAPTIVE);
	/* Both stay in the history, each naming the other. */
	struct cartel_event *evs;
	size_t n;
	assert_int_equal(cartel_person_events(f->db, "UA-1", &evs, &n, NULL),
			 0);
	assert_int_equal(n, 3);
	assert_int_equal(evs[1].seq, dead);
	assert_string_equal(evs[1].new_value, "deceased");
	assert_int_equal(cartel_event_corrects(&evs[1], NULL), 0);
	assert_int_equal(cartel_event_corrected_by(evs, n, dead), fix);
	const char *field = NULL;
	assert_int_equal(evs[2].seq, fix);
	assert_int_equal(cartel_event_corrects(&evs[2], &field), dead);
	assert_string_equal(field, "status");
	assert_string_equal(evs[2].old_value, "deceased");
	assert_string_equal(evs[2].new_value, "confirmed_captive");
	assert_string_equal(evs[2].prov.note, "seen alive in camp 5");
	assert_string_equal(evs[2].prov.actor, "ICRC delegate");
	cartel_events_free(evs, n);
	/* The audit chain holds, and the state rebuilt from the events alone
	 * is the one stored. */
	verify(f, NULL);
	assert_int_equal(cartel_db_rebuild_state(f->db, "t", &why), 0);
	assert_int_equal(status_of(f, "UA-1"),
			 CARTEL_STATUS_CONFIRMED_CAPTIVE);
	struct cartel_person p;
	assert_int_equal(cartel_person_get(f->db, "UA-1", &p, NULL), 0);
	assert_int_equal(p.source, CARTEL_SRC_ICRC_VISIT);
	cartel_person_clear(&p);
	verify(f, NULL);
	/* Alive again, he can die again by the lifecycle. */
	record(f, "UA-1", "status", "deceased");
	assert_int_equal(status_of(f, "UA-1"), CARTEL_STATUS_DECEASED);
}

static void
wrong_release(void **state)
{
	struct fx *f = *state;
	char *why = NULL;
	record(f, "UA-2", "status", "proposed");
	long long rel = record(f, "UA-2", "status", "released");
	assert_int_equal(cartel_event_correct(f->db, rel,
					      "entered against the wrong "
					      "person",
					      &icrc, NULL, &why),
			 0);
	assert_int_equal(status_of(f, "UA-2"), CARTEL_STATUS_PROPOSED);
	verify(f, NULL);
}

/* Refuses, and checks that nothing moved: same head, same state. */
static void
refused(struct fx *f, long long seq, const char *reason, int want,
	const char *says)
{
	char before[65], after[65];
	verify(f, before);
	struct cartel_person p0, p1;
	assert_int_equal(cartel_person_get(f->db, "UA-3", &p0, NULL), 0);
	char *why = NULL;
	assert_int_equal(cartel_event_correct(f->db, seq, reason, &icrc, NULL,
					      &why),
			 want);
	assert_non_null(why);
	if (strstr(why, says) == NULL)
		fail_msg("'%s' does not say '%s'", why, says);
	free(why);
	verify(f, after);
	assert_string_equal(before, after);
	assert_int_equal(cartel_person_get(f->db, "UA-3", &p1, NULL), 0);
	assert_true(cartel_person_equal(&p0, &p1));
	cartel_person_clear(&p0);
	cartel_person_clear(&p1);
}

static void
refusals(void **state)
{
	struct fx *f = *state;
	char *why = NULL;
	long long e1 = record(f, "UA-3", "consent", "refuses");
	long long e2 = record(f, "UA-3", "consent", "willing");
	/* A later event changed the field again: named, nothing done. */
	char msg[64];
	snprintf(msg, sizeof msg, "event %lld changed consent", e2);
	refused(f, e1, "wrong man", CARTEL_ESTATE, msg);
	/* Newest first: then the earlier one can be corrected too. */
	long long c2 = 0;
	assert_int_equal(cartel_event_correct(f->db, e2, "not him", &icrc,
					      &c2, &why),
			 0);
	struct cartel_person p;
	assert_int_equal(cartel_person_get(f->db, "UA-3", &p, NULL), 0);
	assert_int_equal(p.consent, CARTEL_CONSENT_REFUSES);
	cartel_person_clear(&p);
	/* Correcting twice names the correction. */
	snprintf(msg, sizeof msg, "already corrected by event %lld", c2);
	refused(f, e2, "again", CARTEL_EEXIST, msg);
	/* A correction is not corrected in turn. */
	refused(f, c2, "undo", CARTEL_EINVAL, "itself a correction");
	/* Unknown ids, the creation, no reason. */
	refused(f, 999999, "x", CARTEL_ENOTFOUND, "no event 999999");
	refused(f, 1, "x", CARTEL_EINVAL, "created person");
	refused(f, e1, "", CARTEL_EINVAL, "reason");
	assert_int_equal(cartel_event_correct(f->db, e1, "not him either",
					      &icrc, NULL, &why),
			 0);
	assert_int_equal(cartel_person_get(f->db, "UA-3", &p, NULL), 0);
	assert_int_equal(p.consent, CARTEL_CONSENT_NOT_ASKED);
	cartel_person_clear(&p);
	verify(f, NULL);
}

static void
attributes_and_purge(void **state)
{
	struct fx *f = *state;
	char *why = NULL;
	long long a = record(f, "UA-2", "attr:phone", "+100");
	long long n = record(f, "UA-2", "family_name", "Secretname");
	assert_int_equal(cartel_event_correct(f->db, a, "another man's", &icrc,
					      NULL, &why),
			 0);
	assert_int_equal(cartel_event_correct(f->db, n, "misspelt", &icrc,
					      NULL, &why),
			 0);
	struct cartel_person p;
	assert_int_equal(cartel_person_get(f->db, "UA-2", &p, NULL), 0);
	assert_null(cartel_person_attr(&p, "phone"));
	assert_string_equal(p.family_name, "Шевченко");
	cartel_person_clear(&p);
	verify(f, NULL);
	/* A purge erases what a correction carries as it erases the field
	 * it restores. */
	struct cartel_provenance at = {"clerk", CARTEL_SRC_OFFICIAL_LIST, NULL,
				       NULL, "2020-02-01T00:00:00Z"};
	struct cartel_event ev = {0, "UA-2", "status", NULL, "released", at};
	assert_int_equal(cartel_event_add(f->db, &ev, &why), 0);
	assert_int_equal(cartel_retention_set(f->db, CARTEL_STATUS_RELEASED,
					      "1m", "dpo", &why),
			 0);
	struct cartel_date today = {2100, 1, 1};
	struct cartel_purge_result res;
	assert_int_equal(cartel_purge_due(f->db, &today, 0, "dpo", &res, &why),
			 0);
	cartel_purge_result_clear(&res);
	struct cartel_event *evs;
	size_t ne;
	assert_int_equal(cartel_person_events(f->db, "UA-2", &evs, &ne, NULL),
			 0);
	for (size_t i = 0; i < ne; i++) {
		assert_true(evs[i].new_value == NULL ||
			    strstr(evs[i].new_value, "Шевченко") == NULL);
		assert_true(evs[i].old_value == NULL ||
			    strstr(evs[i].old_value, "Secretname") == NULL);
	}
	cartel_events_free(evs, ne);
	verify(f, NULL);
	/* An erased event has nothing left to restore. */
	refused(f, n, "x", CARTEL_ESTATE, "retention purge");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(found_alive, setup, teardown),
		cmocka_unit_test_setup_teardown(wrong_release, setup, teardown),
		cmocka_unit_test_setup_teardown(refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(attributes_and_purge, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
