/*
 * Unit tests for search through the index kept beside the register: the
 * same answers from the file as from an index built in memory, the file
 * rebuilt when the register changes, a damaged, cut-short or foreign file
 * rebuilt with a clear reason, and a folder that cannot be written.
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
#include <cartel/gen.h>
#include <cartel/match.h>
#include <cartel/store.h>

static char dir[64];
static char path[128];
static char ix_path[160];

/* What on_build was told. */
static int n_builds;
static char last_reason[512];

static void
on_build(void *ctx, const char *reason, size_t n_persons)
{
	(void)ctx;
	(void)n_persons;
	n_builds++;
	snprintf(last_reason, sizeof last_reason, "%s", reason);
}

static void
rm_all(void)
{
	char p[200];
	const char *sfx[] = {"", "-wal", "-shm", "-journal", ".search"};
	for (size_t i = 0; i < 5; i++) {
		snprintf(p, sizeof p, "%s%s", path, sfx[i]);
		unlink(p);
	}
	rmdir(dir);
}

/* A register of 3,000 generated persons (enough for the model's u to be
 * estimated and the term frequencies counted, as in a real register). */
static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/cartel-test-search-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof path, "%s/r.db", dir);
	snprintf(ix_path, sizeof ix_path, "%s.search", path);
	struct cartel_names *names = NULL;
	char *why = NULL;
	if (cartel_names_load(&names, NULL, &why) != 0)
		return -1;
	struct cartel_gen_opts go = {0};
	go.seed = 11;
	go.per_side = 1500;
	go.today = (struct cartel_date){2025, 6, 30};
	FILE *csv = tmpfile();
	int err = cartel_gen_population(names, &go, csv, &why);
	cartel_names_free(names);
	if (err != 0)
		return -1;
	rewind(csv);
	struct cartel_db *db = NULL;
	if (cartel_db_open(&db, path, CARTEL_DB_CREATE, &why) != 0)
		return -1;
	struct cartel_import_opts io = {0};
	struct cartel_import_result res = {0};
	err = cartel_import_csv(db, csv, "gen.csv", &io, &res, &why);
	cartel_import_result_clear(&res);
	cartel_db_close(db);
	fclose(csv);
	return err;
}

static int
teardown(void **state)
{
	(void)state;
	rm_all();
	return 0;
}

static struct cartel_db *
open_db(void)
{
	struct cartel_db *db = NULL;
	char *why = NULL;
	if (cartel_db_open(&db, path, 0, &why) != 0)
		fail_msg("open: %s", why ? why : "?");
	return db;
}

static void
search(struct cartel_db *db, const struct cartel_person *q,
       enum cartel_search_mode mode, const char *index_path,
       struct cartel_search_hit **h, size_t *n,
       struct cartel_search_info *info)
{
	struct cartel_search_opts so;
	cartel_search_opts_init(&so);
	so.mode = mode;
	so.on_build = on_build;
	so.index_path = index_path;
	char *why = NULL;
	int err = cartel_search(db, q, 10, 0, &so, h, n, info, &why);
	if (err != 0)
		fail_msg("search: %s", why ? why : "?");
}

static void
assert_same_hits(const struct cartel_search_hit *a, size_t na,
		 const struct cartel_search_hit *b, size_t nb)
{
	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++) {
		assert_string_equal(a[i].person.id, b[i].person.id);
		/* Bit for bit: the same sums in the same order. */
		assert_true(a[i].probability == b[i].probability);
		assert_true(a[i].weight == b[i].weight);
		assert_int_equal(a[i].band, b[i].band);
		assert_non_null(a[i].explanation);
		assert_string_equal(a[i].explanation, b[i].explanation);
	}
}

/* Queries made of the register's own names (whole, without the date, with
 * a typo, family name alone) and typed ones in other scripts. */
static size_t
queries(struct cartel_db *db, struct cartel_person *qs, size_t max)
{
	struct cartel_person *all = NULL;
	size_t n = 0, k = 0;
	char *why = NULL;
	assert_int_equal(cartel_db_persons(db, &all, &n, &why), 0);
	assert_true(n == 3000);
	const char *typed[] = {"Іванов Денис", "Oleksandr Kovalchuk",
			       "SHEVCHENKO", "Мельник Иван Петрович"};
	for (size_t t = 0; t < 4 && k < max; t++)
		assert_int_equal(
			cartel_match_parse_name(typed[t], NULL, &qs[k++], &why),
			0);
	for (size_t i = 0; i < n && k + 4 <= max; i += 97) {
		const struct cartel_person *p = &all[i];
		struct cartel_person *q = &qs[k++];
		memset(q, 0, sizeof *q);
		q->family_name = p->family_name ? strdup(p->family_name) : NULL;
		q->given_name = p->given_name ? strdup(p->given_name) : NULL;
		q->patronymic = p->patronymic ? strdup(p->patronymic) : NULL;
		q->birth_date = p->birth_date;
		q = &qs[k++];
		memset(q, 0, sizeof *q);
		q->family_name = p->family_name ? strdup(p->family_name) : NULL;
		q->given_name = p->given_name ? strdup(p->given_name) : NULL;
		/* A letter of the surname doubled: a typo. */
		q = &qs[k++];
		memset(q, 0, sizeof *q);
		if (p->family_name != NULL) {
			size_t l = strlen(p->family_name);
			q->family_name = malloc(l + 3);
			memcpy(q->family_name, p->family_name, 2);
			memcpy(q->family_name + 2, p->family_name,
			       l + 1);
		}
		q->given_name = p->given_name ? strdup(p->given_name) : NULL;
		q->birth_date = p->birth_date;
		q = &qs[k++];
		memset(q, 0, sizeof *q);
		q->family_name = p->family_name ? strdup(p->family_name) : NULL;
	}
	cartel_persons_free(all, n);
	return k;
}

/* Each query through the file, against an index built in memory from the
 * whole register (what the memory path does); a few through the memory
 * path itself. */
static void
same_answers_from_file_and_memory(void **state)
{
	(void)state;
	unlink(ix_path);
	struct cartel_db *db = open_db();
	struct cartel_person qs[140];
	size_t nq = queries(db, qs, 140);
	assert_true(nq > 100);
	struct cartel_person *all = NULL;
	size_t n_all = 0;
	char *why = NULL;
	assert_int_equal(cartel_db_persons(db, &all, &n_all, &why), 0);
	struct cartel_match_index *mem = NULL;
	assert_int_equal(cartel_match_index_build(&mem, all, n_all, NULL, &why),
			 0);
	for (size_t i = 0; i < nq; i++) {
		struct cartel_search_hit *a = NULL;
		size_t na = 0;
		struct cartel_search_info ia;
		n_builds = 0;
		search(db, &qs[i], CARTEL_SEARCH_AUTO, NULL, &a, &na, &ia);
		/* Built by the first search only, used after. */
		assert_int_equal(ia.used_index, i > 0);
		assert_int_equal(ia.built, i == 0);
		assert_int_equal(n_builds, i == 0);
		assert_null(ia.note);
		assert_int_equal(ia.n_persons, 3000);
		struct cartel_match_candidate *c = NULL;
		size_t nc = 0;
		assert_int_equal(cartel_match_query(mem, &qs[i], 10, 0, &c, &nc,
						    &why),
				 0);
		assert_int_equal(na, nc);
		for (size_t k = 0; k < na; k++) {
			assert_string_equal(a[k].person.id, c[k].id);
			assert_true(a[k].probability == c[k].probability);
			assert_true(a[k].weight == c[k].weight);
			assert_int_equal(a[k].band, c[k].band);
			assert_string_equal(a[k].explanation,
					    c[k].explanation);
		}
		if (i % 20 == 0) {
			struct cartel_search_hit *b = NULL;
			size_t nb = 0;
			struct cartel_search_info ib;
			search(db, &qs[i], CARTEL_SEARCH_MEMORY, NULL, &b, &nb,
			       &ib);
			assert_int_equal(ib.used_index, 0);
			assert_int_equal(ib.built, 0);
			assert_int_equal(ib.n_persons, 3000);
			assert_same_hits(a, na, b, nb);
			cartel_search_hits_free(b, nb);
			cartel_search_info_clear(&ib);
		}
		if (i >= 4)
			/* A name of the register finds its bearer. */
			assert_true(na > 0);
		cartel_match_candidates_free(c, nc);
		cartel_search_hits_free(a, na);
		cartel_search_info_clear(&ia);
		cartel_person_clear(&qs[i]);
	}
	cartel_match_index_free(mem);
	cartel_persons_free(all, n_all);
	cartel_db_close(db);
}

/* The index opened from the file against the one it was saved from, through
 * the match API alone, strict and not. */
static void
saved_index_queries_as_built(void **state)
{
	(void)state;
	struct cartel_db *db = open_db();
	struct cartel_person *all = NULL;
	size_t n = 0;
	char *why = NULL;
	assert_int_equal(cartel_db_persons(db, &all, &n, &why), 0);
	struct cartel_match_index *built = NULL, *opened = NULL;
	assert_int_equal(cartel_match_index_build(&built, all, n, NULL, &why),
			 0);
	char p2[200];
	snprintf(p2, sizeof p2, "%s/other.search", dir);
	assert_int_equal(cartel_match_index_save(built, p2, "s1", &why), 0);
	assert_int_equal(cartel_match_index_open(&opened, p2, "s2", NULL,
						 &why),
			 CARTEL_ESTATE);
	free(why);
	why = NULL;
	assert_int_equal(cartel_match_index_open(&opened, p2, "s1", NULL, &why),
			 0);
	assert_int_equal(cartel_match_index_size(opened), n);
	/* Without a way to fetch persons, no explanation can be made. */
	struct cartel_match_candidate *c = NULL;
	size_t nc = 0;
	assert_int_equal(cartel_match_query(opened, &all[0], 5, 0, &c, &nc,
					    &why),
			 CARTEL_EINVAL);
	free(why);
	why = NULL;
	struct cartel_match_opts mo;
	cartel_match_opts_init(&mo);
	mo.explain = 0;
	struct cartel_match_index *plain = NULL;
	assert_int_equal(cartel_match_index_open(&plain, p2, "s1", &mo, &why),
			 0);
	for (size_t i = 0; i < n; i += 50) {
		for (int strict = 0; strict < 2; strict++) {
			struct cartel_match_candidate *x = NULL, *y = NULL;
			size_t nx = 0, ny = 0;
			assert_int_equal(cartel_match_query(built, &all[i], 0,
							    strict, &x, &nx,
							    &why),
					 0);
			assert_int_equal(cartel_match_query(plain, &all[i], 0,
							    strict, &y, &ny,
							    &why),
					 0);
			assert_int_equal(nx, ny);
			for (size_t k = 0; k < nx; k++) {
				assert_int_equal(x[k].index, y[k].index);
				assert_string_equal(x[k].id, y[k].id);
				assert_true(x[k].probability ==
					    y[k].probability);
				assert_int_equal(x[k].band, y[k].band);
				assert_null(y[k].explanation);
			}
			cartel_match_candidates_free(x, nx);
			cartel_match_candidates_free(y, ny);
		}
	}
	cartel_match_index_free(built);
	cartel_match_index_free(opened);
	cartel_match_index_free(plain);
	cartel_persons_free(all, n);
	unlink(p2);
	cartel_db_close(db);
}

static int
has_id(const struct cartel_search_hit *h, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(h[i].person.id, id) == 0)
			return 1;
	return 0;
}

/* A changed register is never answered from the old file. */
static void
changed_register_rebuilds(void **state)
{
	(void)state;
	struct cartel_db *db = open_db();
	struct cartel_search_hit *h = NULL;
	size_t nh = 0;
	struct cartel_search_info info;
	struct cartel_person q;
	char *why = NULL;
	/* The surname alone: the person's other fields stay as they are. */
	memset(&q, 0, sizeof q);
	q.family_name = strdup("Zzyzxowicz");
	search(db, &q, CARTEL_SEARCH_AUTO, NULL, &h, &nh, &info);
	assert_false(has_id(h, nh, "UA-000007"));
	cartel_search_hits_free(h, nh);
	cartel_search_info_clear(&info);
	/* A person's surname corrected. */
	struct cartel_event ev = {0};
	ev.person_id = "UA-000007";
	ev.field = "family_name";
	ev.new_value = "Zzyzxowicz";
	ev.prov.actor = "tester";
	ev.prov.source = CARTEL_SRC_ICRC_VISIT;
	assert_int_equal(cartel_event_add(db, &ev, &why), 0);
	n_builds = 0;
	search(db, &q, CARTEL_SEARCH_AUTO, NULL, &h, &nh, &info);
	assert_int_equal(n_builds, 1);
	assert_non_null(strstr(last_reason, "out of date"));
	assert_int_equal(info.built, 1);
	assert_true(nh > 0);
	assert_string_equal(h[0].person.id, "UA-000007");
	assert_string_equal(h[0].person.family_name, "Zzyzxowicz");
	cartel_search_hits_free(h, nh);
	cartel_search_info_clear(&info);
	/* And then used as it stands. */
	n_builds = 0;
	search(db, &q, CARTEL_SEARCH_AUTO, NULL, &h, &nh, &info);
	assert_int_equal(n_builds, 0);
	assert_int_equal(info.used_index, 1);
	assert_string_equal(h[0].person.id, "UA-000007");
	cartel_search_hits_free(h, nh);
	cartel_search_info_clear(&info);
	/* A new person, added in a second. */
	struct cartel_person np = {0};
	np.id = "UA-999999";
	np.family_name = "Qwertyuk";
	np.given_name = "Mykola";
	np.status = CARTEL_STATUS_REPORTED_MISSING;
	struct cartel_provenance prov = {"tester", CARTEL_SRC_ICRC_VISIT,
					 NULL, NULL, NULL};
	assert_int_equal(cartel_person_add(db, &np, &prov, NULL, &why), 0);
	cartel_person_clear(&q);
	assert_int_equal(cartel_match_parse_name("Qwertyuk Mykola", NULL, &q,
						 &why),
			 0);
	n_builds = 0;
	search(db, &q, CARTEL_SEARCH_AUTO, NULL, &h, &nh, &info);
	assert_int_equal(n_builds, 1);
	assert_int_equal(info.n_persons, 3001);
	assert_true(nh > 0);
	assert_string_equal(h[0].person.id, "UA-999999");
	cartel_search_hits_free(h, nh);
	cartel_search_info_clear(&info);
	cartel_person_clear(&q);
	cartel_db_close(db);
}

/* A handle keeps the index it mapped for its next searches (a server's
 * register stays open): the file is not read again while the register is
 * unchanged, and a change is never answered from what was kept. */
static void
kept_mapped_between_searches(void **state)
{
	(void)state;
	struct cartel_db *db = open_db();
	struct cartel_search_hit *h = NULL, *h2 = NULL;
	size_t nh = 0, nh2 = 0;
	struct cartel_search_info info;
	struct cartel_person q;
	char *why = NULL;
	assert_int_equal(cartel_match_parse_name("Іванов Денис", NULL, &q,
						 &why),
			 0);
	search(db, &q, CARTEL_SEARCH_AUTO, NULL, &h, &nh, &info);
	cartel_search_info_clear(&info);
	/* Again: answered from the mapping this handle kept, the same. */
	n_builds = 0;
	search(db, &q, CARTEL_SEARCH_AUTO, NULL, &h2, &nh2, &info);
	assert_int_equal(n_builds, 0);
	assert_int_equal(info.used_index, 1);
	assert_int_equal(info.kept, 1);
	assert_same_hits(h, nh, h2, nh2);
	cartel_search_hits_free(h2, nh2);
	cartel_search_info_clear(&info);
	/* Another handle has no such mapping: it maps the file. */
	struct cartel_db *db2 = open_db();
	search(db2, &q, CARTEL_SEARCH_AUTO, NULL, &h2, &nh2, &info);
	assert_int_equal(n_builds, 0);
	assert_int_equal(info.used_index, 1);
	assert_int_equal(info.kept, 0);
	assert_same_hits(h, nh, h2, nh2);
	cartel_search_hits_free(h2, nh2);
	cartel_search_info_clear(&info);
	cartel_db_close(db2);
	/* The file gone: not read through the old mapping, built again. */
	assert_int_equal(unlink(ix_path), 0);
	search(db, &q, CARTEL_SEARCH_AUTO, NULL, &h2, &nh2, &info);
	assert_int_equal(n_builds, 1);
	assert_int_equal(info.kept, 0);
	assert_int_equal(info.built, 1);
	assert_same_hits(h, nh, h2, nh2);
	cartel_search_hits_free(h2, nh2);
	cartel_search_info_clear(&info);
	/* The register changed: the first handle's mapping is not used. */
	struct cartel_event ev = {0};
	ev.person_id = h[0].person.id;
	ev.field = "family_name";
	ev.new_value = "Zzyzxowicz";
	ev.prov.actor = "tester";
	ev.prov.source = CARTEL_SRC_ICRC_VISIT;
	assert_int_equal(cartel_event_add(db, &ev, &why), 0);
	n_builds = 0;
	search(db, &q, CARTEL_SEARCH_AUTO, NULL, &h2, &nh2, &info);
	assert_int_equal(n_builds, 1);
	assert_int_equal(info.kept, 0);
	/* The renamed person is no longer the best "Іванов Денис". */
	assert_true(nh2 == 0 ||
		    strcmp(h2[0].person.id, h[0].person.id) != 0 ||
		    strcmp(h2[0].person.family_name, "Zzyzxowicz") == 0);
	cartel_search_hits_free(h2, nh2);
	cartel_search_info_clear(&info);
	cartel_search_hits_free(h, nh);
	cartel_person_clear(&q);
	cartel_db_close(db);
}

static void
write_file(const char *p, const void *data, size_t n)
{
	FILE *f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
}

/* Searches "Іванов Денис" and checks it gave the memory path's answer. */
static void
search_matches_memory(struct cartel_db *db, const char *reason_part)
{
	struct cartel_person q;
	char *why = NULL;
	assert_int_equal(cartel_match_parse_name("Іванов Денис", NULL, &q,
						 &why),
			 0);
	struct cartel_search_hit *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	struct cartel_search_info ia, ib;
	n_builds = 0;
	last_reason[0] = '\0';
	search(db, &q, CARTEL_SEARCH_AUTO, NULL, &a, &na, &ia);
	if (reason_part != NULL) {
		assert_int_equal(n_builds, 1);
		if (strstr(last_reason, reason_part) == NULL)
			fail_msg("reason '%s' lacks '%s'", last_reason,
				 reason_part);
		assert_int_equal(ia.built, 1);
	}
	search(db, &q, CARTEL_SEARCH_MEMORY, NULL, &b, &nb, &ib);
	assert_same_hits(a, na, b, nb);
	cartel_search_hits_free(a, na);
	cartel_search_hits_free(b, nb);
	cartel_search_info_clear(&ia);
	cartel_search_info_clear(&ib);
	cartel_person_clear(&q);
}

static void
damaged_file_rebuilt(void **state)
{
	(void)state;
	struct cartel_db *db = open_db();
	search_matches_memory(db, NULL); /* the file is up to date */
	FILE *f = fopen(ix_path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	rewind(f);
	char *buf = malloc((size_t)size);
	assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	/* Cut short. */
	assert_int_equal(truncate(ix_path, size / 2), 0);
	search_matches_memory(db, "cut short");
	/* Cut inside the header. */
	assert_int_equal(truncate(ix_path, 20), 0);
	search_matches_memory(db, "cut short");
	/* Empty. */
	assert_int_equal(truncate(ix_path, 0), 0);
	search_matches_memory(db, "not a cartel search index");
	/* Garbage. */
	char junk[5000];
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (char)(i * 7 + 3);
	write_file(ix_path, junk, sizeof junk);
	search_matches_memory(db, "not a cartel search index");
	/* A header byte changed. */
	buf[40] ^= 0x10;
	write_file(ix_path, buf, (size_t)size);
	search_matches_memory(db, "header does not hold");
	buf[40] ^= 0x10;
	/* The body scribbled over: bounds hold, no crash, and whatever the
	 * file then says, a search still answers. */
	for (long off = 4096; off < size; off += 4093)
		buf[off] = (char)0xff;
	write_file(ix_path, buf, (size_t)size);
	struct cartel_person q;
	char *why = NULL;
	assert_int_equal(cartel_match_parse_name("Іванов Денис", NULL, &q,
						 &why),
			 0);
	struct cartel_search_opts so;
	cartel_search_opts_init(&so);
	struct cartel_search_hit *h = NULL;
	size_t nh = 0;
	int err = cartel_search(db, &q, 10, 0, &so, &h, &nh, NULL, &why);
	assert_int_equal(err, 0);
	cartel_search_hits_free(h, nh);
	cartel_person_clear(&q);
	free(buf);
	/* Asked to rebuild: it is, and then it is the true one again. */
	n_builds = 0;
	cartel_search_opts_init(&so);
	so.mode = CARTEL_SEARCH_REBUILD;
	so.on_build = on_build;
	struct cartel_search_info info;
	assert_int_equal(cartel_search(db, NULL, 0, 0, &so, NULL, NULL, &info,
				       &why),
			 0);
	assert_int_equal(n_builds, 1);
	assert_int_equal(info.built, 1);
	cartel_search_info_clear(&info);
	search_matches_memory(db, NULL);
	cartel_db_close(db);
}

/* A folder that cannot be written: the search runs in memory and says
 * why. */
static void
unwritable_folder_falls_back(void **state)
{
	(void)state;
	struct cartel_db *db = open_db();
	char p2[200];
	snprintf(p2, sizeof p2, "%s/no-such-folder/r.search", dir);
	struct cartel_person q;
	char *why = NULL;
	assert_int_equal(cartel_match_parse_name("Іванов Денис", NULL, &q,
						 &why),
			 0);
	struct cartel_search_hit *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	struct cartel_search_info ia, ib;
	search(db, &q, CARTEL_SEARCH_AUTO, p2, &a, &na, &ia);
	assert_int_equal(ia.built, 0);
	assert_int_equal(ia.used_index, 0);
	assert_non_null(ia.note);
	assert_non_null(strstr(ia.note, "in memory"));
	search(db, &q, CARTEL_SEARCH_MEMORY, NULL, &b, &nb, &ib);
	assert_same_hits(a, na, b, nb);
	assert_int_equal(access(p2, F_OK), -1);
	cartel_search_hits_free(a, na);
	cartel_search_hits_free(b, nb);
	cartel_search_info_clear(&ia);
	cartel_search_info_clear(&ib);
	cartel_person_clear(&q);
	cartel_db_close(db);
}

/* Inside a caller's write transaction the state may be rolled back:
 * the search answers from it, in memory, and saves nothing. */
static void
no_file_from_a_write_transaction(void **state)
{
	(void)state;
	struct cartel_db *db = open_db();
	unlink(ix_path);
	char *why = NULL;
	assert_int_equal(cartel_db_begin(db, &why), 0);
	struct cartel_person np = {0};
	np.id = "UA-888888";
	np.family_name = "Asdfghuk";
	np.given_name = "Petro";
	np.status = CARTEL_STATUS_REPORTED_MISSING;
	struct cartel_provenance prov = {"tester", CARTEL_SRC_ICRC_VISIT,
					 NULL, NULL, NULL};
	assert_int_equal(cartel_person_add(db, &np, &prov, NULL, &why), 0);
	struct cartel_person q = {0};
	q.family_name = strdup("Asdfghuk");
	struct cartel_search_hit *h = NULL;
	size_t nh = 0;
	struct cartel_search_info info;
	n_builds = 0;
	search(db, &q, CARTEL_SEARCH_AUTO, NULL, &h, &nh, &info);
	assert_int_equal(info.built, 0);
	assert_int_equal(info.used_index, 0);
	assert_int_equal(n_builds, 0);
	assert_true(nh > 0);
	assert_string_equal(h[0].person.id, "UA-888888");
	assert_int_equal(access(ix_path, F_OK), -1);
	cartel_search_hits_free(h, nh);
	cartel_search_info_clear(&info);
	cartel_db_rollback(db);
	/* Rolled back: gone, and the file built now does not hold him. */
	search(db, &q, CARTEL_SEARCH_AUTO, NULL, &h, &nh, &info);
	assert_int_equal(info.built, 1);
	assert_false(has_id(h, nh, "UA-888888"));
	cartel_search_hits_free(h, nh);
	cartel_search_info_clear(&info);
	cartel_person_clear(&q);
	cartel_db_close(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(same_answers_from_file_and_memory),
		cmocka_unit_test(saved_index_queries_as_built),
		cmocka_unit_test(damaged_file_rebuilt),
		cmocka_unit_test(unwritable_folder_falls_back),
		cmocka_unit_test(no_file_from_a_write_transaction),
		cmocka_unit_test(changed_register_rebuilds),
		cmocka_unit_test(kept_mapped_between_searches),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
