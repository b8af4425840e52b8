/*
 * Unit tests for the progress of long work (<cartel/progress.h>): import
 * (new persons, an update, events), link, dedupe, building an index and
 * receiving a declaration each call back with done never going
 * back and never above a known total, at a bounded rate, and end with one
 * last call whose done equals its total.
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

#include <cartel/cartel.h>
#include <cartel/declaration.h>
#include <cartel/gen.h>
#include <cartel/match.h>
#include <cartel/round.h>
#include <cartel/store.h>

/* What the callback saw. */
struct seen {
	size_t n_calls;
	size_t n_last;
	uint64_t done, total, first_total;
	int back;       /* done went back */
	int over;       /* done above a known total */
	int after_last; /* a call after the last */
	int what_bad;   /* what missing or changed */
	const char *what;
	double t_first, t_end;
};

static double
mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
watch(void *user, const struct cartel_progress *p)
{
	struct seen *s = user;
	if (s->n_last > 0)
		s->after_last = 1;
	if (s->n_calls == 0) {
		s->what = p->what;
		s->first_total = p->total;
		s->t_first = mono();
		if (p->done != 0)
			s->back = 1;
	}
	if (p->what == NULL || s->what == NULL || strcmp(p->what, s->what))
		s->what_bad = 1;
	if (s->n_calls > 0 && p->done < s->done)
		s->back = 1;
	if (p->total != 0 && p->done > p->total)
		s->over = 1;
	s->done = p->done;
	s->total = p->total;
	s->n_calls++;
	if (p->last) {
		s->n_last++;
		s->t_end = mono();
	}
}

/* Every rule of <cartel/progress.h> held, the last call said `n` of `n`. */
static void
check_seen(const struct seen *s, uint64_t n, const char *what)
{
	assert_true(s->n_calls >= 2);
	assert_int_equal(s->n_last, 1);
	assert_false(s->after_last);
	assert_false(s->back);
	assert_false(s->over);
	assert_false(s->what_bad);
	assert_string_equal(s->what, what);
	assert_int_equal(s->done, n);
	assert_int_equal(s->total, n);
	/* Bounded rate: the first, the last, and at most one per interval
	 * between them (and one more for the clock's edges). */
	double ms = (s->t_end - s->t_first) * 1000.0;
	assert_true((double)s->n_calls <=
		    3 + ms / CARTEL_PROGRESS_EVERY_MS);
}

static char dir[64], db_path[128], csv_path[128], med_path[128],
	decl_path[128];
static struct cartel_person *persons;
static size_t n_persons;

#define PER_SIDE 8000

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/cartel-test-progress-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(db_path, sizeof db_path, "%s/r.db", dir);
	snprintf(csv_path, sizeof csv_path, "%s/g.csv", dir);
	snprintf(med_path, sizeof med_path, "%s/m.db", dir);
	snprintf(decl_path, sizeof decl_path, "%s/held.json", dir);
	setenv("CARTEL_TODAY", "2025-06-15", 1);
	struct cartel_names *names = NULL;
	char *why = NULL;
	if (cartel_names_load(&names, NULL, &why) != 0)
		return -1;
	struct cartel_gen_opts o = {0};
	o.per_side = PER_SIDE;
	o.seed = 7;
	FILE *fp = fopen(csv_path, "w");
	if (fp == NULL)
		return -1;
	int rc = cartel_gen_population(names, &o, fp, &why);
	fclose(fp);
	cartel_names_free(names);
	if (rc != 0)
		return -1;
	fp = fopen(csv_path, "r");
	if (fp == NULL)
		return -1;
	rc = cartel_match_read_csv(fp, csv_path, 0, &persons, &n_persons,
				   NULL, &why);
	fclose(fp);
	return rc == 0 && n_persons == 2 * PER_SIDE ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	cartel_match_persons_free(persons, n_persons);
	const char *sfx[] = {"", "-wal", "-shm", "-journal"};
	char p[160];
	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof p, "%s%s", db_path, sfx[i]);
		unlink(p);
		snprintf(p, sizeof p, "%s%s", med_path, sfx[i]);
		unlink(p);
	}
	unlink(csv_path);
	unlink(decl_path);
	rmdir(dir);
	return 0;
}

static struct cartel_db *
fresh(void)
{
	const char *sfx[] = {"", "-wal", "-shm", "-journal"};
	char p[160];
	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof p, "%s%s", db_path, sfx[i]);
		unlink(p);
	}
	struct cartel_db *db = NULL;
	assert_int_equal(cartel_db_open(&db, db_path, CARTEL_DB_CREATE, NULL),
			 0);
	return db;
}

/* A file: the total is known from the first call on, and is right. */
static void
test_import_file(void **state)
{
	(void)state;
	struct cartel_db *db = fresh();
	struct seen s = {0};
	struct cartel_import_opts o = {0};
	o.progress = watch;
	o.progress_user = &s;
	struct cartel_import_result res;
	FILE *in = fopen(csv_path, "r");
	assert_non_null(in);
	assert_int_equal(cartel_import_csv(db, in, "g.csv", &o, &res, NULL),
			 0);
	fclose(in);
	assert_int_equal(res.imported, 2 * PER_SIDE);
	check_seen(&s, 2 * PER_SIDE, "rows");
	assert_int_equal(s.first_total, 2 * PER_SIDE);
	cartel_import_result_clear(&res);
	cartel_db_close(db);
}

/* Not a file (a stream in memory, as a pipe): the total is unknown until
 * the last call, which says it. */
static void
test_import_stream(void **state)
{
	(void)state;
	const char *text = "id,family_name,given_name,birth_date,held_by,"
			   "depends_on\n"
			   "A-1,Коваль,Петро,1990-01-02,RU,UA\n"
			   "A-2,Мельник,Іван,1991-03-04,RU,UA\n"
			   "A-3,Шевчук,Олег,1992-05-06,RU,UA\n";
	struct cartel_db *db = fresh();
	struct seen s = {0};
	struct cartel_import_opts o = {0};
	o.progress = watch;
	o.progress_user = &s;
	struct cartel_import_result res;
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	assert_non_null(in);
	assert_int_equal(cartel_import_csv(db, in, "-", &o, &res, NULL), 0);
	fclose(in);
	assert_int_equal(s.first_total, 0);
	check_seen(&s, res.rows_read, "rows");
	assert_int_equal(res.rows_read, 3);
	cartel_import_result_clear(&res);
	cartel_db_close(db);
}

/* Applying a corrected file (--update) and a file of events: the same
 * rules, over their rows. */
static void
test_update_and_events(void **state)
{
	(void)state;
	struct cartel_db *db = fresh();
	struct cartel_import_result res;
	FILE *in = fopen(csv_path, "r");
	assert_non_null(in);
	assert_int_equal(cartel_import_csv(db, in, "g.csv", NULL, &res, NULL),
			 0);
	cartel_import_result_clear(&res);
	rewind(in);
	struct seen s = {0};
	struct cartel_import_opts o = {0};
	o.update = 1;
	o.progress = watch;
	o.progress_user = &s;
	assert_int_equal(cartel_import_csv(db, in, "g.csv", &o, &res, NULL),
			 0);
	fclose(in);
	check_seen(&s, 2 * PER_SIDE, "rows");
	assert_int_equal(s.first_total, 2 * PER_SIDE);
	cartel_import_result_clear(&res);

	const char *ev = "person_id,field,value,source,by\n"
			 "UA-000001,health,sick,icrc_visit,medic\n"
			 "UA-000002,health,sick,icrc_visit,medic\n";
	struct seen e = {0};
	struct cartel_import_opts eo = {0};
	eo.progress = watch;
	eo.progress_user = &e;
	in = fmemopen((void *)ev, strlen(ev), "r");
	assert_non_null(in);
	char *why = NULL;
	int rc = cartel_event_import_csv(db, in, "-", &eo, &res, &why);
	fclose(in);
	if (rc != 0)
		fail_msg("event import: %s", why ? why : "?");
	assert_int_equal(res.events, 2);
	check_seen(&e, 2, "rows");
	cartel_import_result_clear(&res);
	cartel_db_close(db);
}

/* A failed import makes no last call. */
static void
test_import_failed(void **state)
{
	(void)state;
	const char *text = "id,family_name,given_name,held_by,depends_on\n"
			   "B-1,Коваль,Петро,RU,UA\n"
			   "B-1,Коваль,Петро,RU,UA\n";
	struct cartel_db *db = fresh();
	struct seen s = {0};
	struct cartel_import_opts o = {0};
	o.all_or_nothing = 1;
	o.progress = watch;
	o.progress_user = &s;
	struct cartel_import_result res;
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	char *why = NULL;
	assert_int_not_equal(cartel_import_csv(db, in, "-", &o, &res, &why),
			     0);
	free(why);
	fclose(in);
	assert_int_equal(s.n_last, 0);
	assert_false(s.back);
	cartel_import_result_clear(&res);
	cartel_db_close(db);
}

static void
test_dedupe(void **state)
{
	(void)state;
	struct seen s = {0};
	struct cartel_match_opts o;
	cartel_match_opts_init(&o);
	o.progress = watch;
	o.progress_user = &s;
	size_t *cluster = malloc(n_persons * sizeof *cluster);
	assert_non_null(cluster);
	assert_int_equal(cartel_match_dedupe(persons, n_persons, &o, cluster,
					     NULL, NULL),
			 0);
	free(cluster);
	check_seen(&s, 2 * (uint64_t)n_persons, "records");
	assert_int_equal(s.first_total, 2 * n_persons);
}

static void
test_link(void **state)
{
	(void)state;
	struct seen s = {0};
	struct cartel_match_opts o;
	cartel_match_opts_init(&o);
	o.progress = watch;
	o.progress_user = &s;
	o.explain = 0;
	size_t half = n_persons / 2;
	struct cartel_match_pair *pairs = NULL;
	size_t n_pairs = 0;
	assert_int_equal(cartel_match_link(persons, half, persons + half,
					   n_persons - half, &o, &pairs,
					   &n_pairs, NULL, NULL),
			 0);
	cartel_match_pairs_free(pairs, n_pairs);
	uint64_t want = 2 * (uint64_t)half + (n_persons - half);
	check_seen(&s, want, "records");
	assert_int_equal(s.first_total, want);
}

static void
test_index(void **state)
{
	(void)state;
	struct seen s = {0};
	struct cartel_match_opts o;
	cartel_match_opts_init(&o);
	o.progress = watch;
	o.progress_user = &s;
	struct cartel_match_index *ix = NULL;
	assert_int_equal(
		cartel_match_index_build(&ix, persons, n_persons, &o, NULL), 0);
	cartel_match_index_free(ix);
	check_seen(&s, 2 * (uint64_t)n_persons, "records");
}

/* Receiving a declaration: the persons it carries, as they are written;
 * a declaration refused (the same one again) makes no last call. */
static void
test_receive(void **state)
{
	(void)state;
	struct cartel_db *db = fresh();
	struct cartel_import_result ir;
	FILE *in = fopen(csv_path, "r");
	assert_non_null(in);
	assert_int_equal(cartel_import_csv(db, in, "g.csv", NULL, &ir, NULL),
			 0);
	fclose(in);
	cartel_import_result_clear(&ir);
	struct cartel_key key;
	struct cartel_db *med = NULL;
	unlink(med_path);
	assert_int_equal(cartel_db_open(&med, med_path, CARTEL_DB_CREATE, NULL),
			 0);
	assert_int_equal(cartel_key_generate(&key, "UA", NULL), 0);
	assert_int_equal(cartel_key_pin(db, "UA", key.public_key, 0, "t", NULL,
					NULL),
			 0);
	assert_int_equal(cartel_key_pin(med, "UA", key.public_key, 0, "t",
					NULL, NULL),
			 0);
	assert_int_equal(cartel_owner_set(db, CARTEL_OWNER_PARTY, "UA", "t",
					  NULL),
			 0);
	struct cartel_declare_opts d = {CARTEL_DECL_HELD, NULL, 0, NULL, &key,
					"t"};
	struct cartel_declare_result dr;
	assert_int_equal(cartel_declare(db, &d, decl_path, &dr, NULL), 0);
	cartel_key_wipe(&key);
	/* Enough persons that the count is worth watching. */
	assert_true(dr.n_persons > 1000);

	struct seen s = {0};
	struct cartel_receive_opts ro = {0};
	ro.actor = "mediator";
	ro.progress = watch;
	ro.progress_user = &s;
	struct cartel_receive_result res;
	assert_int_equal(cartel_receive(med, decl_path, &ro, &res, NULL), 0);
	assert_int_equal(res.n_added, dr.n_persons);
	cartel_receive_result_clear(&res);
	check_seen(&s, dr.n_persons, "persons");
	assert_int_equal(s.first_total, dr.n_persons);

	struct seen again = {0};
	ro.progress_user = &again;
	char *why = NULL;
	assert_int_not_equal(cartel_receive(med, decl_path, &ro, &res, &why),
			     0);
	assert_non_null(why);
	free(why);
	assert_int_equal(again.n_last, 0);
	cartel_db_close(med);
	cartel_db_close(db);
}

/* Without a callback nothing is called, and the work is the same. */
static void
test_none(void **state)
{
	(void)state;
	struct cartel_match_opts o;
	cartel_match_opts_init(&o);
	assert_null(o.progress);
	struct cartel_match_index *ix = NULL;
	assert_int_equal(cartel_match_index_build(&ix, persons, 100, &o, NULL),
			 0);
	assert_int_equal(cartel_match_index_size(ix), 100);
	cartel_match_index_free(ix);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_import_file),
		cmocka_unit_test(test_import_stream),
		cmocka_unit_test(test_import_failed),
		cmocka_unit_test(test_update_and_events),
		cmocka_unit_test(test_dedupe),
		cmocka_unit_test(test_link),
		cmocka_unit_test(test_index),
		cmocka_unit_test(test_receive),
		cmocka_unit_test(test_none),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
