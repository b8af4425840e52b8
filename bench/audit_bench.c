/*
 * Grows a register's event log for the `audit verify` figure: records
 * EVENTS_PER_PERSON further events about every person of an imported
 * register, through the library's own cartel_event_add (the call behind
 * `cartel event add`: value check, lifecycle rule, current state, event
 * row and its audit entry), grouped BATCH events to a transaction with
 * cartel_db_begin and cartel_db_commit, so that the millions of events
 * the figure needs are written in minutes rather than one disk flush each.
 * The events are what a bureau records over a captivity: health changes
 * (sick, recovered, ...), the consent asked for, each with its provenance;
 * every one passes the rules a single `event add` passes.
 *
 * cartel_event_add reads and rewrites the whole person for each event
 * (some 2,500 events/s on two loaded cores: hours for millions), so the
 * `fast` mode writes the same kind of rows through the store's internal
 * calls instead (bench-only use of src/lib/store/store_int.h, as import
 * does): per event one event row and one audit entry covering it, exactly
 * the rows `event add` leaves, written by cartel__event_insert and
 * cartel__audit_close. To keep the stored current state right without
 * rewriting it, the fast mode's four events per person take the health
 * away from its imported value and back (value, sick, recovered, good,
 * value), from the person's own source, so that the state rebuilt by
 * `audit verify` is the stored one.
 *
 * usage: audit_bench api|fast REGISTER.db EVENTS_PER_PERSON [BATCH]
 *        (api: EVENTS_PER_PERSON 0..6; fast: 0 or 4; BATCH default 50000
 *        events per transaction)
 * Prints the number of events written and the time taken.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cartel/cartel.h>
#include <cartel/store.h>

#include "store/store_int.h"

struct ids {
	char **v;
	size_t n, cap;
};

static int
collect(void *ctx, const struct cartel_person *p)
{
	struct ids *ids = ctx;
	if (ids->n == ids->cap) {
		size_t cap = ids->cap ? ids->cap * 2 : 1024;
		char **v = realloc(ids->v, cap * sizeof *v);
		if (v == NULL)
			return CARTEL_ENOMEM;
		ids->v = v;
		ids->cap = cap;
	}
	ids->v[ids->n] = strdup(p->id);
	if (ids->v[ids->n] == NULL)
		return CARTEL_ENOMEM;
	ids->n++;
	return 0;
}

static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The k-th further event about a person: field and new value. Health
 * moves freely between its values; consent is asked once, then may be
 * confirmed. */
static const struct {
	const char *field, *value;
} changes[] = {
	{"health", "sick"},
	{"health", "recovered"},
	{"consent", "willing"},
	{"health", "good"},
	{"consent", "willing"},
	{"health", "slightly_wounded"},
};
#define N_CHANGES (sizeof changes / sizeof changes[0])

/* One person as the fast mode needs it: table key, id, imported health
 * and source. */
struct row {
	long long pk;
	char *id, *health, *source;
};

static char *
col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return strdup(t != NULL ? (const char *)t : "");
}

/* Reads every person's key, id, health and source (bench-only SQL: the
 * library has no call that hands out table keys). */
static int
load_rows(struct cartel_db *db, struct row **out, size_t *n, char **why)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(cartel__db_sqlite(db),
				    "SELECT pk, id, health, source FROM "
				    "persons ORDER BY pk",
				    -1, &st, NULL);
	if (rc != SQLITE_OK)
		return cartel__db_err(db, rc, "reading persons", why);
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			struct row *v = realloc(*out, cap * sizeof *v);
			if (v == NULL) {
				sqlite3_finalize(st);
				return CARTEL_ENOMEM;
			}
			*out = v;
		}
		struct row *r = &(*out)[(*n)++];
		r->pk = sqlite3_column_int64(st, 0);
		r->id = col_dup(st, 1);
		r->health = col_dup(st, 2);
		r->source = col_dup(st, 3);
		if (r->id == NULL || r->health == NULL || r->source == NULL) {
			sqlite3_finalize(st);
			return CARTEL_ENOMEM;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return cartel__db_err(db, rc, "reading persons", why);
	return 0;
}

/* Event k (0..3) of the fast mode about r: health from old to new, one
 * event row with its own audit entry, as cartel_event_add writes them. */
static int
fast_event(struct cartel_db *db, const struct row *r, int k, char **why)
{
	static const char *path[] = {"sick", "recovered", "good"};
	const char *old = k == 0 ? r->health : path[k - 1];
	const char *new = k == 3 ? r->health : path[k];
	int src = CARTEL_SRC_OFFICIAL_LIST;
	if (cartel_enum_parse(CARTEL_ENUM_SOURCE, r->source, &src, NULL) != 0)
		src = CARTEL_SRC_OFFICIAL_LIST;
	struct cartel_provenance prov = {
		.actor = "bench",
		.source = (enum cartel_source)src,
		.source_ref = "bench visit",
	};
	long long audit = 0;
	int err = cartel__audit_next(db, &audit, why);
	if (err != 0)
		return err;
	crypto_hash_sha256_state hs;
	crypto_hash_sha256_init(&hs);
	char now[32];
	err = cartel__event_insert(db, r->pk, r->id, "health", old, new, &prov,
				   cartel__now(now, sizeof now), audit, &hs,
				   NULL, NULL, why);
	if (err != 0)
		return err;
	return cartel__audit_close(db, audit, "bench", "event", r->id,
				   "field health", 1, &hs, why);
}

static int
run_fast(struct cartel_db *db, long per, long batch, long long *written,
	 size_t *n_persons, char **why)
{
	struct row *rows = NULL;
	size_t n = 0;
	int err = load_rows(db, &rows, &n, why);
	*n_persons = n;
	for (int k = 0; err == 0 && k < per; k++) {
		for (size_t i = 0; err == 0 && i < n; i++) {
			if (*written % batch == 0)
				err = cartel_db_begin(db, why);
			if (err == 0)
				err = fast_event(db, &rows[i], k, why);
			(*written)++;
			if (err == 0 && *written % batch == 0)
				err = cartel_db_commit(db, why);
		}
	}
	if (err == 0 && *written % batch != 0)
		err = cartel_db_commit(db, why);
	for (size_t i = 0; i < n; i++) {
		free(rows[i].id);
		free(rows[i].health);
		free(rows[i].source);
	}
	free(rows);
	return err;
}

int
main(int argc, char **argv)
{
	if (argc < 4 || (strcmp(argv[1], "api") != 0 &&
			 strcmp(argv[1], "fast") != 0)) {
		fprintf(stderr, "usage: audit_bench api|fast REGISTER.db "
				"EVENTS_PER_PERSON [BATCH]\n");
		return 2;
	}
	int fast = strcmp(argv[1], "fast") == 0;
	long per = strtol(argv[3], NULL, 10);
	long batch = argc > 4 ? strtol(argv[4], NULL, 10) : 50000;
	if (per < 0 || (size_t)per > N_CHANGES || batch < 1 ||
	    (fast && per != 0 && per != 4)) {
		fprintf(stderr, "audit_bench: EVENTS_PER_PERSON 0..%zu (api) "
				"or 0 or 4 (fast), BATCH at least 1\n",
			N_CHANGES);
		return 2;
	}
	struct cartel_db *db = NULL;
	char *why = NULL;
	int err = cartel_db_open(&db, argv[2], 0, &why);
	struct ids ids = {0};
	long long written = 0;
	double t0 = now_s();
	if (err == 0 && fast) {
		err = run_fast(db, per, batch, &written, &ids.n, &why);
		per = 0;
	} else if (err == 0) {
		err = cartel_db_persons_each(db, collect, &ids, &why);
		t0 = now_s();
	}
	for (long k = 0; err == 0 && k < per; k++) {
		for (size_t i = 0; err == 0 && i < ids.n; i++) {
			if (written % batch == 0)
				err = cartel_db_begin(db, &why);
			struct cartel_event ev = {
				.person_id = ids.v[i],
				.field = changes[k].field,
				.new_value = changes[k].value,
				.prov = {.actor = "bench",
					 .source = CARTEL_SRC_ICRC_VISIT,
					 .source_ref = "bench visit",
					 .note = NULL,
					 .at = NULL},
			};
			if (err == 0)
				err = cartel_event_add(db, &ev, &why);
			written++;
			if (err == 0 && written % batch == 0)
				err = cartel_db_commit(db, &why);
		}
	}
	if (err == 0 && !fast && written % batch != 0)
		err = cartel_db_commit(db, &why);
	if (err != 0) {
		fprintf(stderr, "audit_bench: %s\n",
			why ? why : cartel_strerror(err));
		free(why);
		cartel_db_close(db);
		return 1;
	}
	double t = now_s() - t0;
	printf("audit_bench: %lld events about %zu persons in %.1f s "
	       "(%.0f events/s)\n",
	       written, ids.n, t, t > 0 ? (double)written / t : 0.0);
	for (size_t i = 0; ids.v != NULL && i < ids.n; i++)
		free(ids.v[i]);
	free(ids.v);
	cartel_db_close(db);
	return 0;
}
