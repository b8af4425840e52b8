/*
 * Unit tests for merged records (<cartel/merge.h>): the alias a merge
 * makes, the register's lists counting the man once, the conflicts written,
 * the undoing that leaves every person as before, the refusals that leave
 * the register unchanged, and the audit's rebuild of persons holding
 * throughout.
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
#include <cartel/match.h>
#include <cartel/merge.h>
#include <cartel/register.h>
#include <cartel/store.h>

static char dir[64];
static char path[128];

static void
cleanup(void)
{
	char p[160];
	const char *sfx[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof p, "%s%s", path, sfx[i]);
		unlink(p);
	}
	rmdir(dir);
}

static const struct cartel_provenance prov = {"clerk", CARTEL_SRC_OFFICIAL_LIST,
					      NULL, NULL, NULL};

static void
add(struct cartel_db *db, const char *id, const char *family, const char *rank,
    const char *service)
{
	struct cartel_person p = {0};
	p.id = (char *)id;
	p.family_name = (char *)family;
	p.given_name = (char *)"Петро";
	p.rank = (char *)rank;
	p.service_number = (char *)service;
	p.held_by = (char *)"RU";
	p.status = CARTEL_STATUS_CONFIRMED_CAPTIVE;
	char *why = NULL;
	if (cartel_person_add(db, &p, &prov, NULL, &why) != 0)
		fail_msg("add %s: %s", id, why ? why : "?");
}

/* A register of three records: A and B one man (B a private where A is a
 * sergeant, and B with a service number A lacks), C another. */
static int
setup(void **state)
{
	snprintf(dir, sizeof dir, "/tmp/cartel-test-merge-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof path, "%s/r.db", dir);
	struct cartel_db *db = NULL;
	char *why = NULL;
	if (cartel_db_open(&db, path, CARTEL_DB_CREATE, &why) != 0)
		return -1;
	add(db, "A", "Бойко", "сержант", NULL);
	add(db, "B", "Бойко", "солдат", "N-17");
	add(db, "C", "Мельник", "солдат", NULL);
	*state = db;
	return 0;
}

static int
teardown(void **state)
{
	cartel_db_close(*state);
	cleanup();
	return 0;
}

/* Every person as the lists read him, as one text. */
static char *
persons_text(struct cartel_db *db)
{
	struct cartel_person *p = NULL;
	size_t n = 0;
	char *why = NULL;
	if (cartel_db_persons(db, &p, &n, &why) != 0)
		fail_msg("persons: %s", why ? why : "?");
	char *out = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);
	for (size_t i = 0; i < n; i++) {
		char *j = cartel_person_json(&p[i]);
		fprintf(m, "%s\n", j);
		free(j);
	}
	fclose(m);
	cartel_persons_free(p, n);
	return out;
}

static size_t
n_persons(struct cartel_db *db)
{
	struct cartel_person *p = NULL;
	size_t n = 0;
	assert_int_equal(cartel_db_persons(db, &p, &n, NULL), 0);
	cartel_persons_free(p, n);
	return n;
}

static void
verify(struct cartel_db *db, char head[65])
{
	struct cartel_audit_report rep;
	char *why = NULL;
	if (cartel_audit_verify(db, NULL, &rep, &why) != 0)
		fail_msg("audit verify: %s", why ? why : "?");
	assert_int_equal(rep.n_persons, 3); /* every record, merged or not */
	if (head != NULL)
		memcpy(head, rep.head, 65);
}

static void
merge_is_an_alias(void **state)
{
	struct cartel_db *db = *state;
	char *why = NULL;
	size_t n_conf = 0;
	assert_int_equal(n_persons(db), 3);
	assert_int_equal(cartel_person_merge(db, "A", "B", "clerk",
					     "one man, two lists", &n_conf,
					     &why),
			 0);
	/* rank and service_number differ; the family name is the same. */
	assert_int_equal(n_conf, 2);
	verify(db, NULL);
	/* The lists count him once; B reads as A. */
	assert_int_equal(n_persons(db), 2);
	struct cartel_stats st;
	assert_int_equal(cartel_stats_get(db, &st, NULL), 0);
	assert_int_equal(st.persons, 2);
	cartel_stats_clear(&st);
	struct cartel_person p;
	assert_int_equal(cartel_person_get(db, "B", &p, NULL), 0);
	assert_string_equal(p.id, "A");
	assert_string_equal(p.rank, "сержант"); /* no field changed */
	cartel_person_clear(&p);
	char *keep = NULL;
	assert_int_equal(cartel_person_merged_into(db, "B", &keep, NULL), 0);
	assert_string_equal(keep, "A");
	free(keep);
	assert_int_equal(cartel_person_merged_into(db, "C", &keep, NULL), 0);
	assert_null(keep);
	/* The conflicts are events on A, old value A's, new value B's. */
	struct cartel_event *ev = NULL;
	size_t n_ev = 0;
	assert_int_equal(cartel_person_events(db, "A", &ev, &n_ev, NULL), 0);
	int seen_rank = 0, seen_number = 0;
	for (size_t i = 0; i < n_ev; i++) {
		if (strcmp(ev[i].field, "conflict:rank") == 0) {
			assert_string_equal(ev[i].old_value, "сержант");
			assert_string_equal(ev[i].new_value, "солдат");
			seen_rank = 1;
		}
		if (strcmp(ev[i].field, "conflict:service_number") == 0) {
			assert_null(ev[i].old_value);
			assert_string_equal(ev[i].new_value, "N-17");
			seen_number = 1;
		}
	}
	assert_true(seen_rank && seen_number);
	cartel_events_free(ev, n_ev);
	/* An event on B is one on A; settling a conflict is an event. */
	struct cartel_event e = {0};
	e.person_id = "B";
	e.field = "service_number";
	e.new_value = "N-17";
	e.prov = prov;
	assert_int_equal(cartel_event_add(db, &e, &why), 0);
	assert_int_equal(cartel_person_get(db, "A", &p, NULL), 0);
	assert_string_equal(p.service_number, "N-17");
	cartel_person_clear(&p);
	verify(db, NULL);
	/* Rebuilt from the events alone, the state is the same (a merge's
	 * records change no field). */
	char *before = persons_text(db);
	assert_int_equal(cartel_db_rebuild_state(db, "test", NULL), 0);
	char *after = persons_text(db);
	assert_string_equal(before, after);
	free(before);
	free(after);
	verify(db, NULL);
	struct cartel_merge *m = NULL;
	size_t n_m = 0;
	assert_int_equal(cartel_person_merges(db, "A", 0, &m, &n_m, NULL), 0);
	assert_int_equal(n_m, 1);
	assert_string_equal(m[0].other_id, "B");
	assert_string_equal(m[0].reason, "one man, two lists");
	assert_int_equal(m[0].n_conflicts, 2);
	cartel_merges_free(m, n_m);
}

static void
unmerge_restores(void **state)
{
	struct cartel_db *db = *state;
	char *why = NULL;
	char *before = persons_text(db);
	assert_int_equal(
		cartel_person_merge(db, "A", "B", "clerk", "same", NULL, &why),
		0);
	char *merged = persons_text(db);
	assert_string_not_equal(before, merged);
	char *keep = NULL;
	assert_int_equal(
		cartel_person_unmerge(db, "B", "clerk", "two men", &keep, &why),
		0);
	assert_string_equal(keep, "A");
	free(keep);
	char *after = persons_text(db);
	assert_string_equal(before, after);
	free(before);
	free(merged);
	free(after);
	struct cartel_person p;
	assert_int_equal(cartel_person_get(db, "B", &p, NULL), 0);
	assert_string_equal(p.id, "B");
	cartel_person_clear(&p);
	verify(db, NULL);
	/* The undone merge stays on record. */
	struct cartel_merge *m = NULL;
	size_t n_m = 0;
	assert_int_equal(cartel_person_merges(db, "B", 0, &m, &n_m, NULL), 0);
	assert_int_equal(n_m, 0);
	assert_int_equal(cartel_person_merges(db, "B", 1, &m, &n_m, NULL), 0);
	assert_int_equal(n_m, 1);
	assert_string_equal(m[0].unmerge_reason, "two men");
	cartel_merges_free(m, n_m);
}

/* err from a call that must change nothing, and *why naming `id`. */
static void
refused(struct cartel_db *db, int got, int want, char *why, const char *id,
	const char *head)
{
	assert_int_equal(got, want);
	if (why == NULL)
		fail_msg("no reason given");
	else if (strstr(why, id) == NULL)
		fail_msg("'%s' does not name %s", why, id);
	free(why);
	char now[65];
	verify(db, now);
	assert_string_equal(now, head);
}

/* The call (which sets `why`) must fail with `want`, naming id, with the
 * register unchanged. */
#define REFUSED(call, want, id)                                                \
	do {                                                                   \
		why = NULL;                                                    \
		int rc_ = (call);                                              \
		refused(db, rc_, (want), why, (id), head);                     \
	} while (0)

static void
bad_merges(void **state)
{
	struct cartel_db *db = *state;
	char *why = NULL;
	assert_int_equal(
		cartel_person_merge(db, "A", "B", "clerk", "same", NULL, &why),
		0);
	char head[65];
	verify(db, head);
	REFUSED(cartel_person_merge(db, "C", "C", "clerk", "x", NULL, &why),
		CARTEL_EINVAL, "C");
	REFUSED(cartel_person_merge(db, "B", "C", "clerk", "x", NULL, &why),
		CARTEL_ESTATE, "B");
	REFUSED(cartel_person_merge(db, "C", "B", "clerk", "x", NULL, &why),
		CARTEL_ESTATE, "B");
	REFUSED(cartel_person_merge(db, "C", "A", "clerk", "x", NULL, &why),
		CARTEL_ESTATE, "A");
	REFUSED(cartel_person_merge(db, "C", "Z", "clerk", "x", NULL, &why),
		CARTEL_ENOTFOUND, "Z");
	REFUSED(cartel_person_merge(db, "C", "A", "clerk", "", NULL, &why),
		CARTEL_EINVAL, "reason");
	REFUSED(cartel_person_unmerge(db, "C", "clerk", "x", NULL, &why),
		CARTEL_ESTATE, "C");
	REFUSED(cartel_person_unmerge(db, "Z", "clerk", "x", NULL, &why),
		CARTEL_ENOTFOUND, "Z");
	REFUSED(cartel_person_unmerge(db, "B", NULL, "x", NULL, &why),
		CARTEL_EINVAL, "--by");
	/* A reason past the field limit (64 KiB). */
	char *big = malloc(70000);
	assert_non_null(big);
	memset(big, 'x', 69999);
	big[69999] = '\0';
	REFUSED(cartel_person_merge(db, "C", "A", "clerk", big, NULL, &why),
		CARTEL_ERANGE, "--reason");
	free(big);
}

/* The register's pairs as "A-B C-D" (the ids of each, in order). */
static char *
pairs_of(struct cartel_db *db, char **text)
{
	char *why = NULL;
	if (cartel_register_dups_json(db, text, &why) != 0)
		fail_msg("pairs: %s", why ? why : "?");
	json_t *o = json_loads(*text, 0, NULL);
	assert_non_null(o);
	char *out = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);
	json_t *pr;
	size_t i;
	json_array_foreach(json_object_get(o, "pairs"), i, pr)
		fprintf(m, "%s%s-%s", i ? " " : "",
			json_string_value(json_object_get(pr, "a")),
			json_string_value(json_object_get(pr, "b")));
	fclose(m);
	json_decref(o);
	return out;
}

/* A handle keeps the register's pairs while nothing they are read from
 * changes, and works them out again after each change that does. */
static void
register_pairs_follow_changes(void **state)
{
	struct cartel_db *db = *state;
	char *why = NULL, *t1 = NULL, *t2 = NULL;
	char *p = pairs_of(db, &t1);
	assert_string_equal(p, "A-B");
	free(p);
	p = pairs_of(db, &t2);
	assert_string_equal(t1, t2); /* the same answer again */
	free(p);
	free(t1);
	free(t2);
	/* A person added: another of Мельник's records. */
	add(db, "D", "Мельник", "солдат", NULL);
	p = pairs_of(db, &t1);
	assert_string_equal(p, "A-B C-D");
	free(p);
	free(t1);
	/* A compared field changed: C is someone else after all. */
	struct cartel_event e = {0};
	e.person_id = "C";
	e.field = "family_name";
	e.new_value = "Шевчук";
	e.prov = prov;
	assert_int_equal(cartel_event_add(db, &e, &why), 0);
	p = pairs_of(db, &t1);
	assert_string_equal(p, "A-B");
	free(p);
	free(t1);
	/* A merge leaves nothing to merge; undone, the pair is back. */
	assert_int_equal(cartel_person_merge(db, "A", "B", "clerk", "same",
					     NULL, &why),
			 0);
	p = pairs_of(db, &t1);
	assert_string_equal(p, "");
	free(p);
	free(t1);
	char *keep = NULL;
	assert_int_equal(cartel_person_unmerge(db, "B", "clerk", "two men",
					       &keep, &why),
			 0);
	free(keep);
	p = pairs_of(db, &t1);
	assert_string_equal(p, "A-B");
	free(p);
	free(t1);
	/* Inside a write transaction that is then rolled back, the pairs
	 * seen are that transaction's, and none of it is kept. */
	assert_int_equal(cartel_db_begin(db, &why), 0);
	add(db, "E", "Мельник", "солдат", NULL);
	p = pairs_of(db, &t1);
	assert_string_equal(p, "A-B D-E");
	free(p);
	free(t1);
	cartel_db_rollback(db);
	p = pairs_of(db, &t1);
	assert_string_equal(p, "A-B");
	free(p);
	free(t1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(merge_is_an_alias, setup,
						teardown),
		cmocka_unit_test_setup_teardown(unmerge_restores, setup,
						teardown),
		cmocka_unit_test_setup_teardown(bad_merges, setup, teardown),
		cmocka_unit_test_setup_teardown(register_pairs_follow_changes,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
