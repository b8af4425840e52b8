/*
 * Injected faults: every write that changes the register is run again and
 * again on a copy of one register, with the Nth write, the Nth sync or the
 * Nth lock failing (faultvfs.c), for every N until the operation runs with
 * no fault left to hit. After each run the register is reopened on the
 * normal VFS and must hold either the whole change or none of it (every
 * row of every table compared with snapshots taken before and after a run
 * without faults), its audit chain must verify, a change the call
 * reported as done must be there, and one it reported as failed must not.
 *
 * Set CARTEL_FAULTS_VERBOSE=1 to print the loop counts.
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
#include <cartel/declaration.h>
#include <cartel/inquiry.h>
#include <cartel/match.h>
#include <cartel/merge.h>
#include <cartel/round.h>
#include <cartel/store.h>

#include "faultvfs.h"

static const char persons_csv[] =
	"id,family_name,given_name,birth_date,rank,service_number,held_by,"
	"depends_on,category,consent,status\n"
	"UA-1,Коваленко,Олександр,1994-03-02,private,A100,RU,UA,military,"
	"willing,confirmed_captive\n"
	"UA-2,Шевченко,Сергій,1990,sergeant,A101,RU,UA,military,willing,"
	"confirmed_captive\n"
	"RU-1,Иванов,Николай,1999-01-05,private,B200,UA,RU,military,willing,"
	"confirmed_captive\n"
	"RU-2,Смирнов,Юрий,2001-11-11,private,B201,UA,RU,military,willing,"
	"confirmed_captive\n"
	/* One man on two lists, in no round: what a merge folds. */
	"RU-3,Попов,Артём,1998-04-04,private,B202,UA,RU,military,willing,"
	"confirmed_captive\n"
	"RU-4,Попов,Артем,1998-04-04,sergeant,,UA,RU,military,,"
	"confirmed_captive\n";

static const char plan[] =
	"{\"parties\":[\"UA\",\"RU\"],\"stages\":1,"
	"\"sides\":{\"UA\":{\"gives\":[\"RU-1\",\"RU-2\"],\"value\":2},"
	"\"RU\":{\"gives\":[\"UA-1\",\"UA-2\"],\"value\":2}},"
	"\"direct_repatriation\":{\"UA\":[],\"RU\":[]},"
	"\"withheld\":[],\"excluded\":[],\"optimal\":true}";

struct fx {
	char dir[64];
	char base[128]; /* the register every run starts from */
	char work[128]; /* the copy a run changes */
	char round_id[80];
	struct cartel_key extra; /* a party not yet pinned */
	struct cartel_key ua2;   /* a second key for UA */
	char decl[128];          /* RU's held declaration, to receive */
	long long wrong_event;   /* an event the correction run undoes */
	char *import_csv;        /* 50 rows */
	size_t import_len;
	int verbose;
};

static int
import_text(struct cartel_db *db, const char *text, size_t len, int shared,
	    char **why)
{
	FILE *in = fmemopen((void *)text, len, "r");
	if (in == NULL)
		return CARTEL_ENOMEM;
	struct cartel_import_opts o;
	memset(&o, 0, sizeof o);
	o.all_or_nothing = 1;
	o.shared = shared;
	struct cartel_import_result res;
	memset(&res, 0, sizeof res);
	int rc = cartel_import_csv(db, in, "faults.csv", &o, &res, why);
	fclose(in);
	cartel_import_result_clear(&res);
	return rc;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof f->dir, "/tmp/cartel-faults-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->base, sizeof f->base, "%s/base.db", f->dir);
	snprintf(f->work, sizeof f->work, "%s/work.db", f->dir);
	const char *v = getenv("CARTEL_FAULTS_VERBOSE");
	f->verbose = v != NULL && v[0] == '1';
	setenv("CARTEL_NOW", "2026-05-16T09:00:00Z", 1);

	char *why = NULL;
	struct cartel_db *db;
	if (cartel_db_open(&db, f->base, CARTEL_DB_CREATE, &why) ||
	    import_text(db, persons_csv, sizeof persons_csv - 1, 0, &why)) {
		fprintf(stderr, "setup: %s\n", why);
		return -1;
	}
	struct cartel_key ua, ru;
	if (cartel_key_generate(&ua, "UA", NULL) ||
	    cartel_key_generate(&ru, "RU", NULL) ||
	    cartel_key_generate(&f->extra, "PL", NULL) ||
	    cartel_key_generate(&f->ua2, "UA", NULL) ||
	    cartel_key_pin(db, "UA", ua.public_key, 0, "t", NULL, NULL) ||
	    cartel_key_pin(db, "RU", ru.public_key, 0, "t", NULL, NULL))
		return -1;
	struct cartel_round_opts o = {"R-FAULT", CARTEL_ROUND_AGREED, NULL,
				      "t", NULL};
	struct cartel_round *r = NULL;
	if (cartel_round_from_plan(db, plan, strlen(plan), "plan.json", &o,
				   &r, &why) ||
	    cartel_round_sign(db, r, &ua, "ua", &why) ||
	    cartel_round_sign(db, r, &ru, "ru", &why) ||
	    cartel_handover_start(db, r, "t", &why)) {
		fprintf(stderr, "setup: %s\n", why);
		return -1;
	}
	snprintf(f->round_id, sizeof f->round_id, "%s", cartel_round_id(r));
	cartel_round_free(r);
	/* RU's own register declares whom it holds, for a receive run. */
	char sender[128];
	struct cartel_db *rdb;
	snprintf(sender, sizeof sender, "%s/ru.db", f->dir);
	snprintf(f->decl, sizeof f->decl, "%s/ru-held.json", f->dir);
	struct cartel_declare_opts dopts = {CARTEL_DECL_HELD, NULL, 0, NULL,
					    &ru, "ru"};
	struct cartel_declare_result dres;
	if (cartel_db_open(&rdb, sender, CARTEL_DB_CREATE, &why) ||
	    import_text(rdb, persons_csv, sizeof persons_csv - 1, 0, &why) ||
	    cartel_owner_set(rdb, CARTEL_OWNER_PARTY, "RU", "t", &why) ||
	    cartel_key_pin(rdb, "RU", ru.public_key, 0, "t", NULL, &why) ||
	    cartel_declare(rdb, &dopts, f->decl, &dres, &why) ||
	    dres.n_persons != 2) {
		fprintf(stderr, "setup: %s\n", why ? why : "declare");
		return -1;
	}
	cartel_db_close(rdb);
	/* An inquiry about UA-2 with him as its candidate, and a change on
	 * him already due for a call-back. */
	struct cartel_person sought;
	memset(&sought, 0, sizeof sought);
	sought.family_name = (char *)"Шевченко";
	sought.given_name = (char *)"Сергій";
	sought.birth_date = (struct cartel_date){1990, 0, 0};
	struct cartel_inquiry_request req;
	memset(&req, 0, sizeof req);
	req.sought = &sought;
	req.requester = "mother";
	req.contact = "+380 1";
	char *inq = NULL;
	size_t n_found = 0;
	struct cartel_event ev;
	memset(&ev, 0, sizeof ev);
	ev.person_id = "UA-2";
	ev.field = "internment_place";
	ev.new_value = "camp 4";
	ev.prov.actor = "delegate";
	ev.prov.source = CARTEL_SRC_ICRC_VISIT;
	if (cartel_inquiry_record(db, &req, "hotline", NULL, &inq, &n_found,
				  &why) ||
	    n_found == 0 || cartel_event_add(db, &ev, &why)) {
		fprintf(stderr, "setup: inquiry: %s\n", why ? why : "none found");
		return -1;
	}
	free(inq);
	/* A death reported in error, for the correction run. */
	struct cartel_event dead;
	memset(&dead, 0, sizeof dead);
	dead.person_id = "RU-2";
	dead.field = "status";
	dead.new_value = "deceased";
	dead.prov.actor = "bureau";
	dead.prov.source = CARTEL_SRC_FAMILY_REPORT;
	if (cartel_event_record(db, &dead, &f->wrong_event, &why)) {
		fprintf(stderr, "setup: %s\n", why);
		return -1;
	}
	cartel_key_wipe(&ua);
	cartel_key_wipe(&ru);
	cartel_db_close(db);

	/* The list an import run brings in: 50 new persons. */
	FILE *m = open_memstream(&f->import_csv, &f->import_len);
	if (m == NULL)
		return -1;
	fputs("id,family_name,given_name,held_by,depends_on,notes\n", m);
	for (int i = 1; i <= 50; i++)
		fprintf(m, "F-%d,Family%d,Given%d,RU,UA,row %d of the list\n",
			i, i, i, i);
	fclose(m);
	*state = f;
	return faultvfs_install() == SQLITE_OK ? 0 : -1;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	faultvfs_uninstall();
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	int rc = system(cmd);
	cartel_key_wipe(&f->extra);
	cartel_key_wipe(&f->ua2);
	free(f->import_csv);
	free(f);
	return rc == 0 ? 0 : -1;
}

/* ---- The operations -------------------------------------------------- */

static int
op_import(struct fx *f, struct cartel_db *db, char **why)
{
	return import_text(db, f->import_csv, f->import_len, 0, why);
}

/* The same list in WAL mode throughout (a server's import). */
static int
op_import_shared(struct fx *f, struct cartel_db *db, char **why)
{
	return import_text(db, f->import_csv, f->import_len, 1, why);
}

static int
op_event(struct fx *f, struct cartel_db *db, char **why)
{
	(void)f;
	struct cartel_event ev;
	memset(&ev, 0, sizeof ev);
	ev.person_id = "RU-1";
	ev.field = "health";
	ev.new_value = "sick";
	ev.prov.actor = "medic";
	ev.prov.source = CARTEL_SRC_ICRC_VISIT;
	ev.prov.note = "seen at the camp";
	return cartel_event_add(db, &ev, why);
}

/* A man reported dead found alive: the person row and the correction
 * event, with its audit entry. */
static int
op_correct(struct fx *f, struct cartel_db *db, char **why)
{
	struct cartel_provenance prov = {"ICRC delegate",
					 CARTEL_SRC_ICRC_VISIT, "visit 3",
					 NULL, NULL};
	return cartel_event_correct(db, f->wrong_event, "seen alive", &prov,
				    NULL, why);
}

static int
op_checkoff(struct fx *f, struct cartel_db *db, char **why)
{
	struct cartel_checkoff c = {f->round_id, "UA-1",
				    CARTEL_HANDOVER_RECEIVED, "officer", NULL,
				    NULL};
	int already = -1;
	int rc = cartel_handover_check(db, &c, &already, why);
	if (rc == 0 && already != 0)
		return CARTEL_ESTATE;
	return rc;
}

/* Closing the stage with everyone still pending marked absent: several
 * check-offs and status events in one transaction. */
static int
op_close_stage(struct fx *f, struct cartel_db *db, char **why)
{
	return cartel_handover_close_stage(db, f->round_id, 1, "officer", 1,
					   why);
}

static int
op_pin(struct fx *f, struct cartel_db *db, char **why)
{
	int changed = 0;
	int rc = cartel_key_pin(db, "PL", f->extra.public_key, 0, "mediator",
				&changed, why);
	return rc == 0 && !changed ? CARTEL_ESTATE : rc;
}

static int
op_pin_replace(struct fx *f, struct cartel_db *db, char **why)
{
	int changed = 0;
	int rc = cartel_key_pin(db, "UA", f->ua2.public_key, 1, "mediator",
				&changed, why);
	return rc == 0 && !changed ? CARTEL_ESTATE : rc;
}

/* A declaration received: its record, its persons and their ledger
 * records in one transaction. */
static int
op_receive(struct fx *f, struct cartel_db *db, char **why)
{
	struct cartel_receive_opts o = {.actor = "mediator"};
	struct cartel_receive_result res;
	int rc = cartel_receive(db, f->decl, &o, &res, why);
	if (rc == 0 && res.n_added != 2)
		rc = CARTEL_ESTATE;
	if (rc == 0)
		cartel_receive_result_clear(&res);
	return rc;
}

static int
op_owner(struct fx *f, struct cartel_db *db, char **why)
{
	(void)f;
	return cartel_owner_set(db, CARTEL_OWNER_MEDIATOR, "CTA", "mediator",
				why);
}

/* An event on a man an inquiry is about: the event, and in the same
 * transaction the call-back, its history line and their audit entry. */
static int
op_event_callback(struct fx *f, struct cartel_db *db, char **why)
{
	(void)f;
	struct cartel_event ev;
	memset(&ev, 0, sizeof ev);
	ev.person_id = "UA-2";
	ev.field = "health";
	ev.new_value = "sick";
	ev.prov.actor = "medic";
	ev.prov.source = CARTEL_SRC_ICRC_VISIT;
	return cartel_event_add(db, &ev, why);
}

/* A confirmation: an event, a call-back, the candidate, the inquiry's
 * state and its history. */
static int
op_confirm(struct fx *f, struct cartel_db *db, char **why)
{
	(void)f;
	return cartel_review_decide(db, "INQ-000001", "UA-2", 1, "bureau",
				    "mother recognised him", why);
}

static int
op_inquiry_close(struct fx *f, struct cartel_db *db, char **why)
{
	(void)f;
	return cartel_inquiry_close(db, "INQ-000001", "answered", "bureau",
				    why);
}

static int
op_called_back(struct fx *f, struct cartel_db *db, char **why)
{
	(void)f;
	size_t n = 0;
	int rc = cartel_inquiry_callback_done(db, "INQ-000001", "operator",
					      &n, why);
	return rc == 0 && n != 1 ? CARTEL_ESTATE : rc;
}

/* A merge: note events on both records, conflict events, an audit entry
 * for the events and one for the merge row under the ledger. */
static int
op_merge(struct fx *f, struct cartel_db *db, char **why)
{
	(void)f;
	return cartel_person_merge(db, "RU-3", "RU-4", "clerk", "one man", NULL,
				   why);
}

struct op {
	const char *name;
	int (*run)(struct fx *f, struct cartel_db *db, char **why);
};

static const struct op ops[] = {
	{"import", op_import},
	{"import-shared", op_import_shared},
	{"event", op_event},
	{"event-correct", op_correct},
	{"check-off", op_checkoff},
	{"close-stage", op_close_stage},
	{"key-pin", op_pin},
	{"key-replace", op_pin_replace},
	{"receive", op_receive},
	{"owner-set", op_owner},
	{"event-callback", op_event_callback},
	{"review-confirm", op_confirm},
	{"inquiry-close", op_inquiry_close},
	{"callback-done", op_called_back},
	{"merge", op_merge},
};

/* ---- Snapshots ------------------------------------------------------- */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends one value with its type and length, so that no two different
 * rows print the same. */
static void
put_value(FILE *m, sqlite3_stmt *st, int i)
{
	int type = sqlite3_column_type(st, i);
	if (type == SQLITE_NULL) {
		fputs("N;", m);
		return;
	}
	const unsigned char *p = type == SQLITE_BLOB
					 ? sqlite3_column_blob(st, i)
					 : sqlite3_column_text(st, i);
	int n = sqlite3_column_bytes(st, i);
	fprintf(m, "%d:%d:", type, n);
	for (int k = 0; k < n; k++)
		fprintf(m, "%02x", p[k]);
	fputc(';', m);
}

/* Every row of every table of the file at path, as text: the tables by
 * name, the rows of each sorted. Read on the unix VFS, never the fault
 * one. The caller frees the result. */
static char *
snapshot(const char *path)
{
	sqlite3 *s;
	if (sqlite3_open_v2(path, &s, SQLITE_OPEN_READONLY, "unix") !=
	    SQLITE_OK)
		fail_msg("snapshot: cannot open %s", path);
	sqlite3_stmt *tables;
	if (sqlite3_prepare_v2(s,
			       "SELECT name FROM sqlite_schema WHERE type = "
			       "'table' ORDER BY name",
			       -1, &tables, NULL) != SQLITE_OK)
		fail_msg("snapshot: %s", sqlite3_errmsg(s));
	char *out = NULL;
	size_t out_len = 0;
	FILE *all = open_memstream(&out, &out_len);
	while (sqlite3_step(tables) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(tables, 0);
		/* Table names come from the file's own schema. */
		char *sql = sqlite3_mprintf("SELECT * FROM \"%w\"", name);
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(s, sql, -1, &st, NULL) != SQLITE_OK)
			fail_msg("snapshot %s: %s", name, sqlite3_errmsg(s));
		sqlite3_free(sql);
		char **rows = NULL;
		size_t n = 0, cap = 0;
		while (sqlite3_step(st) == SQLITE_ROW) {
			char *row = NULL;
			size_t len = 0;
			FILE *m = open_memstream(&row, &len);
			for (int i = 0; i < sqlite3_column_count(st); i++)
				put_value(m, st, i);
			fclose(m);
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				rows = realloc(rows, cap * sizeof *rows);
				assert_non_null(rows);
			}
			rows[n++] = row;
		}
		sqlite3_finalize(st);
		if (n > 0)
			qsort(rows, n, sizeof *rows, cmp_str);
		fprintf(all, "table %s: %zu rows\n", name, n);
		for (size_t i = 0; i < n; i++) {
			fprintf(all, "%s\n", rows[i]);
			free(rows[i]);
		}
		free(rows);
	}
	sqlite3_finalize(tables);
	sqlite3_close(s);
	fclose(all);
	return out;
}

/* Names the first table whose rows differ, for a failure message. */
static void
first_difference(const char *a, const char *b, char *out, size_t size)
{
	const char *table = "?";
	size_t tlen = 1;
	for (size_t i = 0; a[i] != '\0' && a[i] == b[i]; i++) {
		if (strncmp(a + i, "table ", 6) == 0 &&
		    (i == 0 || a[i - 1] == '\n')) {
			table = a + i + 6;
			tlen = strcspn(table, ":");
		}
	}
	snprintf(out, size, "%.*s", (int)tlen, table);
}

static void
copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb");
	FILE *out = fopen(to, "wb");
	assert_non_null(in);
	assert_non_null(out);
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

/* A fresh copy of the base register at f->work, with no journal, WAL or
 * shared-memory file left by the run before. */
static void
fresh_copy(struct fx *f)
{
	const char *suffix[] = {"-journal", "-wal", "-shm"};
	char p[160];
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s%s", f->work, suffix[i]);
		unlink(p);
	}
	copy_file(f->base, f->work);
}

/* Reopens the work register on the normal VFS, as the next command
 * would (rolling back what a failed run left), and checks the chain. */
static void
reopen_and_verify(struct fx *f, const char *what)
{
	faultvfs_uninstall();
	struct cartel_db *db;
	char *why = NULL;
	if (cartel_db_open(&db, f->work, 0, &why) != 0)
		fail_msg("%s: reopening: %s", what, why);
	struct cartel_audit_report rep;
	if (cartel_audit_verify(db, NULL, &rep, &why) != 0)
		fail_msg("%s: audit verify: %s", what, why);
	cartel_db_close(db);
	assert_int_equal(faultvfs_install(), SQLITE_OK);
}

/* Runs op once on a fresh copy, with the fault armed when nth > 0.
 * Returns the op's result; *injected counts the faults hit. */
static int
run_once(struct fx *f, const struct op *op, enum faultvfs_kind kind, int nth,
	 int sticky, int *injected)
{
	fresh_copy(f);
	struct cartel_db *db;
	char *why = NULL;
	if (cartel_db_open(&db, f->work, 0, &why) != 0)
		fail_msg("%s: open: %s", op->name, why);
	if (nth > 0)
		faultvfs_arm(kind, nth, sticky);
	int rc = op->run(f, db, &why);
	/* Closing checkpoints the WAL: its writes and syncs count too. */
	cartel_db_close(db);
	*injected = faultvfs_disarm();
	free(why);
	return rc;
}

static void
loop_kind(struct fx *f, const struct op *op, enum faultvfs_kind kind,
	  int sticky, const char *before, const char *after, int *n_runs,
	  int *n_failed, int *n_whole)
{
	char what[96];
	for (int nth = 1;; nth++) {
		if (nth > 5000)
			fail_msg("%s: the %s fault loop does not end", op->name,
				 faultvfs_kind_name(kind));
		int injected;
		int rc = run_once(f, op, kind, nth, sticky, &injected);
		snprintf(what, sizeof what, "%s, %s%s fault #%d", op->name,
			 faultvfs_kind_name(kind), sticky ? " (sticky)" : "",
			 nth);
		reopen_and_verify(f, what);
		char *got = snapshot(f->work);
		int is_before = strcmp(got, before) == 0;
		int is_after = strcmp(got, after) == 0;
		if (!is_before && !is_after) {
			char t[64];
			first_difference(got, after, t, sizeof t);
			fail_msg("%s: the register holds part of the change "
				 "(table %s differs; call returned %d)",
				 what, t, rc);
		}
		if (rc == 0 && !is_after)
			fail_msg("%s: the call reported success but the "
				 "change is not there",
				 what);
		/* Nor the other way round: a user told "failed" runs it
		 * again, which must not double it. */
		if (rc != 0 && !is_before)
			fail_msg("%s: the call reported failure (%d) but the "
				 "change was kept",
				 what, rc);
		free(got);
		if (injected == 0) {
			/* No fault left to hit: the run was a clean one. */
			if (rc != 0 || !is_after)
				fail_msg("%s: a run with no fault failed (%d)",
					 what, rc);
			break;
		}
		(*n_runs)++;
		if (rc != 0)
			(*n_failed)++;
		if (is_after)
			(*n_whole)++;
	}
}

static void
fault_loops(void **state)
{
	struct fx *f = *state;
	char *before = snapshot(f->base);
	int total = 0;
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		const struct op *op = &ops[i];
		int injected;
		/* The reference: the same call with no fault. */
		int rc = run_once(f, op, FAULT_WRITE, 0, 0, &injected);
		if (rc != 0)
			fail_msg("%s: fails with no fault (%d)", op->name, rc);
		reopen_and_verify(f, op->name);
		char *after = snapshot(f->work);
		assert_string_not_equal(before, after);
		for (int k = 0; k <= FAULT_N; k++) {
			/* The extra pass: writes failing for good. */
			enum faultvfs_kind kind =
				k == FAULT_N ? FAULT_WRITE : (enum faultvfs_kind)k;
			int sticky = k == FAULT_N;
			int n_runs = 0, n_failed = 0, n_whole = 0;
			loop_kind(f, op, kind, sticky, before, after, &n_runs,
				  &n_failed, &n_whole);
			/* A loop that never hit a fault tests nothing. */
			assert_true(n_runs > 0);
			total += n_runs;
			if (f->verbose)
				printf("faults: %-13s %-10s%-8s N=1..%-4d "
				       "failed %d, kept whole %d\n",
				       op->name, faultvfs_kind_name(kind),
				       sticky ? " sticky" : "", n_runs,
				       n_failed, n_whole);
		}
		free(after);
	}
	if (f->verbose)
		printf("faults: %d runs with a fault injected\n", total);
	free(before);
}

/*
 * A write reported done is on the disk before the call returns: in WAL
 * mode the WAL is synced at every commit (synchronous = FULL; NORMAL
 * syncs only at checkpoints, so a power cut could undo the commit), and
 * a bulk import on a rollback journal syncs the folder after deleting the
 * journal (synchronous = EXTRA; the journal's name coming back after a
 * power cut would roll a reported import back).
 */
static void
acknowledged_is_synced(void **state)
{
	struct fx *f = *state;
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		const struct op *op = &ops[i];
		fresh_copy(f);
		struct cartel_db *db;
		char *why = NULL;
		assert_int_equal(cartel_db_open(&db, f->work, 0, &why), 0);
		/* A first commit, so that the op's commit is not the first
		 * in the WAL (whose header SQLite syncs in any mode). */
		assert_int_equal(cartel_audit_append(db, "t", "test.warmup",
						     "none", "before", &why),
				 0);
		faultvfs_arm(FAULT_SYNC, 0, 0); /* count only */
		if (op->run(f, db, &why) != 0)
			fail_msg("%s: %s", op->name, why);
		/* Counted before the close, whose checkpoint syncs anyway. */
		int syncs = faultvfs_count(FAULT_SYNC);
		int dir_syncs = faultvfs_dir_syncs();
		faultvfs_disarm();
		cartel_db_close(db);
		if (syncs == 0)
			fail_msg("%s: returned with nothing synced", op->name);
		if (op->run == op_import && dir_syncs == 0)
			fail_msg("%s: the journal's delete is not synced",
				 op->name);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(acknowledged_is_synced, setup,
						teardown),
		cmocka_unit_test_setup_teardown(fault_loops, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
