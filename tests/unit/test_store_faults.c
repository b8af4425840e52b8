/*
 * The store when the register fails under it: a read that meets a lock it
 * cannot take or a disk that fails (faultvfs.c), a register with a table
 * gone, and one with a column's values rewritten behind its back. What a
 * user must see each time: every call returns 0 or an error with words
 * saying what failed (never a crash, never an error without a reason), and
 * a register read under faults is the same register afterwards (its audit
 * chain holds, its persons are all there). A value rewritten behind the
 * register's back in a table the audit chain covers is found by
 * `audit verify`.
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

#include <cartel/backup.h>
#include <cartel/cartel.h>
#include <cartel/declaration.h>
#include <cartel/inquiry.h>
#include <cartel/match.h>
#include <cartel/merge.h>
#include <cartel/retention.h>
#include <cartel/round.h>
#include <cartel/store.h>

#include "faultvfs.h"

static const char persons_csv[] =
	"id,family_name,given_name,birth_date,rank,service_number,held_by,"
	"depends_on,category,consent,status,scar\n"
	"UA-1,Коваленко,Олександр,1994-03-02,private,A100,RU,UA,military,"
	"willing,confirmed_captive,left arm\n"
	"UA-2,Шевченко,Сергій,1990,sergeant,A101,RU,UA,military,willing,"
	"confirmed_captive,\n"
	"RU-1,Иванов,Николай,1999-01-05,private,B200,UA,RU,military,willing,"
	"confirmed_captive,\n"
	"RU-2,Смирнов,Юрий,2001-11-11,private,B201,UA,RU,military,willing,"
	"repatriated,\n"
	"RU-3,Попов,Артём,1998-04-04,private,B202,UA,RU,military,willing,"
	"confirmed_captive,\n"
	"RU-4,Попов,Артем,1998-04-04,sergeant,,UA,RU,military,,"
	"confirmed_captive,\n";

static const char plan[] =
	"{\"parties\":[\"UA\",\"RU\"],\"stages\":1,"
	"\"sides\":{\"UA\":{\"gives\":[\"RU-1\"],\"value\":1},"
	"\"RU\":{\"gives\":[\"UA-1\"],\"value\":1}},"
	"\"direct_repatriation\":{\"UA\":[],\"RU\":[]},"
	"\"withheld\":[],\"excluded\":[],\"optimal\":true}";

struct fx {
	char dir[64];
	char base[128]; /* the register every run starts from */
	char work[128]; /* the copy a run changes */
	char round_id[80];
	long long n_persons;
};

static int
import_text(struct cartel_db *db, const char *text, size_t len, char **why)
{
	FILE *in = fmemopen((void *)text, len, "r");
	if (in == NULL)
		return CARTEL_ENOMEM;
	struct cartel_import_opts o;
	memset(&o, 0, sizeof o);
	o.all_or_nothing = 1;
	struct cartel_import_result res;
	memset(&res, 0, sizeof res);
	int rc = cartel_import_csv(db, in, "store.csv", &o, &res, why);
	fclose(in);
	cartel_import_result_clear(&res);
	return rc;
}

static int
copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb");
	FILE *out = fopen(to, "wb");
	int rc = in != NULL && out != NULL ? 0 : -1;
	char buf[65536];
	size_t n;
	while (rc == 0 && (n = fread(buf, 1, sizeof buf, in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			rc = -1;
	if (in != NULL)
		fclose(in);
	if (out != NULL && fclose(out) != 0)
		rc = -1;
	return rc;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (f == NULL)
		return -1;
	/* In memory where the system has it: these runs are about what the
	 * store says when it fails, not about the disk, and a few hundred
	 * commits each wait for a sync on a disk. */
	snprintf(f->dir, sizeof f->dir, "%s/cartel-store-XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->base, sizeof f->base, "%s/base.db", f->dir);
	snprintf(f->work, sizeof f->work, "%s/work.db", f->dir);
	setenv("CARTEL_NOW", "2026-05-16T09:00:00Z", 1);
	setenv("CARTEL_TODAY", "2026-05-16", 1);

	char *why = NULL;
	struct cartel_db *db;
	if (cartel_db_open(&db, f->base, CARTEL_DB_CREATE, &why) ||
	    import_text(db, persons_csv, sizeof persons_csv - 1, &why)) {
		fprintf(stderr, "setup: %s\n", why);
		return -1;
	}
	struct cartel_key ua, ru;
	if (cartel_key_generate(&ua, "UA", NULL) ||
	    cartel_key_generate(&ru, "RU", NULL) ||
	    cartel_key_pin(db, "UA", ua.public_key, 0, "t", NULL, NULL) ||
	    cartel_key_pin(db, "RU", ru.public_key, 0, "t", NULL, NULL))
		return -1;
	struct cartel_round_opts o = {"R-STORE", CARTEL_ROUND_AGREED, NULL,
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
	cartel_key_wipe(&ua);
	cartel_key_wipe(&ru);
	/* An inquiry with UA-2 as its candidate, a merge, a retention
	 * rule, an owner and a change due for a call-back. */
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
	    n_found == 0 || cartel_event_add(db, &ev, &why) ||
	    cartel_person_merge(db, "RU-3", "RU-4", "clerk", "one man", NULL,
				&why) ||
	    cartel_retention_set(db, CARTEL_STATUS_REPATRIATED, "1y", "t",
				 &why) ||
	    cartel_owner_set(db, CARTEL_OWNER_MEDIATOR, "CTA", "t", &why) ||
	    cartel_party_add(db, "UA", "t", NULL, &why) ||
	    cartel_party_add(db, "RU", "t", NULL, &why)) {
		fprintf(stderr, "setup: %s\n", why ? why : "none found");
		return -1;
	}
	free(inq);
	struct cartel_audit_report rep;
	if (cartel_audit_verify(db, NULL, &rep, &why) != 0)
		return -1;
	f->n_persons = rep.n_persons;
	cartel_db_close(db);
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
	free(f);
	return rc == 0 ? 0 : -1;
}

/* ---- What a user does with a register -------------------------------- */

static int
rd_persons(struct fx *f, struct cartel_db *db, char **why)
{
	(void)f;
	struct cartel_person *p = NULL;
	size_t n = 0;
	int rc = cartel_db_persons(db, &p, &n, why);
	if (rc == 0)
		cartel_persons_free(p, n);
	return rc;
}

static int
rd_person(struct fx *f, struct cartel_db *db, char **why)
{
	(void)f;
	struct cartel_person p;
	int rc = cartel_person_get(db, "RU-4", &p, why);
	if (rc == 0)
		cartel_person_clear(&p);
	return rc;
}

static int
rd_events(struct fx *f, struct cartel_db *db, char **why)
{
	(void)f;
	struct cartel_event *ev = NULL;
	size_t n = 0;
	int rc = cartel_person_events(db, "UA-2", &ev, &n, why);
	if (rc == 0)
		cartel_events_free(ev, n);
	return rc;
}

static int
rd_stats(struct fx *f, struct cartel_db *db, char **why)
{
	(void)f;
	struct cartel_stats st;
	int rc = cartel_stats_get(db, &st, why);
	if (rc == 0)
		cartel_stats_clear(&st);
	return rc;
}

static int
rd_export(struct fx *f, struct cartel_db *db, char **why)
{
	(void)f;
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	if (m == NULL)
		return CARTEL_ENOMEM;
	int rc = cartel_export_csv(db, m, why);
	if (rc == 0)
		rc = cartel_export_json(db, m, why);
	fclose(m);
	free(text);
	return rc;
}

static int
rd_verify(struct fx *f, struct cartel_db *db, char **why)
{
	(void)f;
	struct cartel_audit_report rep;
	return cartel_audit_verify(db, NULL, &rep, why);
}

static int
rd_inquiries(struct fx *f, struct cartel_db *db, char **why)
{
	(void)f;
	struct cartel_inquiry *v = NULL;
	size_t n = 0;
	int rc = cartel_inquiry_list(db, 0, NULL, &v, &n, why);
	if (rc != 0)
		return rc;
	cartel_inquiries_free(v, n);
	struct cartel_inquiry q;
	if ((rc = cartel_inquiry_get(db, "INQ-000001", &q, why)) != 0)
		return rc;
	cartel_inquiry_clear(&q);
	struct cartel_callback *cb = NULL;
	if ((rc = cartel_inquiry_callbacks(db, 1, &cb, &n, why)) != 0)
		return rc;
	cartel_callbacks_free(cb, n);
	struct cartel_review_item *it = NULL;
	if ((rc = cartel_review_list(db, 1, &it, &n, why)) != 0)
		return rc;
	cartel_review_items_free(it, n);
	return 0;
}

static int
rd_keys(struct fx *f, struct cartel_db *db, char **why)
{
	(void)f;
	struct cartel_key_pin *p = NULL;
	size_t n = 0;
	int rc = cartel_key_pins(db, &p, &n, why);
	if (rc != 0)
		return rc;
	cartel_key_pins_free(p, n);
	unsigned char pk[32];
	if ((rc = cartel_key_pinned(db, "UA", pk, why)) != 0)
		return rc;
	struct cartel_owner o;
	return cartel_owner_get(db, &o, why);
}

static int
rd_handover(struct fx *f, struct cartel_db *db, char **why)
{
	struct cartel_handover_status st;
	memset(&st, 0, sizeof st);
	int rc = cartel_handover_status(db, f->round_id, &st, why);
	if (rc == 0)
		cartel_handover_status_clear(&st);
	return rc;
}

static int
rd_merges(struct fx *f, struct cartel_db *db, char **why)
{
	(void)f;
	struct cartel_merge *m = NULL;
	size_t n = 0;
	int rc = cartel_person_merges(db, "RU-3", 1, &m, &n, why);
	if (rc != 0)
		return rc;
	cartel_merges_free(m, n);
	char **keys = NULL;
	if ((rc = cartel_db_attr_keys(db, &keys, &n, why)) != 0)
		return rc;
	for (size_t i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
	return 0;
}

static int
rd_retention(struct fx *f, struct cartel_db *db, char **why)
{
	(void)f;
	struct cartel_retention_rule *r = NULL;
	size_t n = 0;
	int rc = cartel_retention_rules(db, &r, &n, why);
	if (rc != 0)
		return rc;
	free(r);
	struct cartel_date later = {2030, 1, 1};
	struct cartel_retention_item *it = NULL;
	if ((rc = cartel_retention_list(db, &later, &it, &n, why)) != 0)
		return rc;
	cartel_retention_items_free(it, n);
	struct cartel_purge_result res;
	memset(&res, 0, sizeof res);
	rc = cartel_purge_due(db, &later, 1, "t", &res, why);
	cartel_purge_result_clear(&res);
	return rc;
}

static int
rd_search(struct fx *f, struct cartel_db *db, char **why)
{
	(void)f;
	struct cartel_person q;
	memset(&q, 0, sizeof q);
	q.family_name = (char *)"Shevchenko";
	struct cartel_search_opts so;
	cartel_search_opts_init(&so);
	so.mode = CARTEL_SEARCH_MEMORY;
	struct cartel_search_hit *h = NULL;
	size_t n = 0;
	int rc = cartel_search(db, &q, 5, 0, &so, &h, &n, NULL, why);
	if (rc == 0)
		cartel_search_hits_free(h, n);
	return rc;
}

/* The register has a list of parties: UA is on it, PL is not (which is
 * known all the same where the list is gone, and the register takes any
 * code again). */
static int
rd_parties(struct fx *f, struct cartel_db *db, char **why)
{
	(void)f;
	int rc = cartel_party_known(db, "UA", why);
	if (rc != 0)
		return rc;
	rc = cartel_party_known(db, "PL", why);
	if (rc == CARTEL_EINVAL) {
		free(*why);
		*why = NULL;
		return 0;
	}
	return rc;
}

/* Writes, for the register with a table gone or a column rewritten. */
static int
wr_event(struct fx *f, struct cartel_db *db, char **why)
{
	(void)f;
	struct cartel_event ev;
	memset(&ev, 0, sizeof ev);
	ev.person_id = "UA-1";
	ev.field = "health";
	ev.new_value = "sick";
	ev.prov.actor = "medic";
	ev.prov.source = CARTEL_SRC_ICRC_VISIT;
	return cartel_event_add(db, &ev, why);
}

static int
wr_person(struct fx *f, struct cartel_db *db, char **why)
{
	(void)f;
	struct cartel_person p;
	memset(&p, 0, sizeof p);
	p.id = (char *)"UA-9";
	p.family_name = (char *)"Бондар";
	p.held_by = (char *)"RU";
	struct cartel_provenance prov = {"desk", CARTEL_SRC_OFFICIAL_LIST,
					 NULL, NULL, NULL};
	char *id = NULL;
	int rc = cartel_person_add(db, &p, &prov, &id, why);
	free(id);
	return rc;
}

static int
wr_review(struct fx *f, struct cartel_db *db, char **why)
{
	(void)f;
	return cartel_review_decide(db, "INQ-000001", "UA-2", 0, "bureau",
				    "not him", why);
}

static int
wr_checkoff(struct fx *f, struct cartel_db *db, char **why)
{
	struct cartel_checkoff c = {f->round_id, "UA-1",
				    CARTEL_HANDOVER_RECEIVED, "officer", NULL,
				    NULL};
	int already = -1;
	return cartel_handover_check(db, &c, &already, why);
}

static int
wr_unmerge(struct fx *f, struct cartel_db *db, char **why)
{
	(void)f;
	return cartel_person_unmerge(db, "RU-4", "clerk", "two men", NULL,
				     why);
}

static int
wr_inquiry_close(struct fx *f, struct cartel_db *db, char **why)
{
	(void)f;
	return cartel_inquiry_close(db, "INQ-000001", "answered", "bureau",
				    why);
}

static int
wr_rebuild(struct fx *f, struct cartel_db *db, char **why)
{
	(void)f;
	return cartel_db_rebuild_state(db, "t", why);
}

static int
wr_import(struct fx *f, struct cartel_db *db, char **why)
{
	(void)f;
	static const char list[] = "id,family_name,held_by,depends_on\n"
				   "UA-7,Ткач,RU,UA\nUA-8,Мороз,PL,UA\n";
	return import_text(db, list, sizeof list - 1, why);
}

static int
wr_party(struct fx *f, struct cartel_db *db, char **why)
{
	(void)f;
	return cartel_party_add(db, "BY", "t", NULL, why);
}

static int
wr_pin(struct fx *f, struct cartel_db *db, char **why)
{
	(void)f;
	struct cartel_key k;
	if (cartel_key_generate(&k, "PL", NULL) != 0)
		return CARTEL_ENOMEM;
	int rc = cartel_key_pin(db, "PL", k.public_key, 0, "t", NULL, why);
	cartel_key_wipe(&k);
	return rc;
}

static int
wr_match(struct fx *f, struct cartel_db *db, char **why)
{
	(void)f;
	size_t n = 0;
	return cartel_inquiry_match(db, NULL, "t", NULL, &n, why);
}

static int
wr_close_stage(struct fx *f, struct cartel_db *db, char **why)
{
	return cartel_handover_close_stage(db, f->round_id, 1, "officer", 1,
					   why);
}

static int
wr_purge(struct fx *f, struct cartel_db *db, char **why)
{
	(void)f;
	struct cartel_date later = {2030, 1, 1};
	struct cartel_purge_result res;
	memset(&res, 0, sizeof res);
	int rc = cartel_purge_due(db, &later, 0, "t", &res, why);
	cartel_purge_result_clear(&res);
	return rc;
}

static int
wr_retention(struct fx *f, struct cartel_db *db, char **why)
{
	(void)f;
	return cartel_retention_set(db, CARTEL_STATUS_DECEASED, "2y", "t",
				    why);
}

static int
wr_callback(struct fx *f, struct cartel_db *db, char **why)
{
	(void)f;
	size_t n = 0;
	return cartel_inquiry_callback_done(db, "INQ-000001", "operator", &n,
					    why);
}

static int
wr_inquiry(struct fx *f, struct cartel_db *db, char **why)
{
	(void)f;
	struct cartel_person sought;
	memset(&sought, 0, sizeof sought);
	sought.family_name = (char *)"Иванов";
	struct cartel_inquiry_request req;
	memset(&req, 0, sizeof req);
	req.sought = &sought;
	req.requester = "wife";
	char *id = NULL;
	size_t n = 0;
	int rc = cartel_inquiry_record(db, &req, "hotline", NULL, &id, &n,
				       why);
	free(id);
	return rc;
}

static int
wr_backup(struct fx *f, struct cartel_db *db, char **why)
{
	char path[160];
	snprintf(path, sizeof path, "%s/copy.db", f->dir);
	int rc = cartel_backup(db, path, NULL, 0, why);
	unlink(path);
	return rc;
}

struct op {
	const char *name;
	int (*run)(struct fx *f, struct cartel_db *db, char **why);
};

static const struct op reads[] = {
	{"persons", rd_persons},     {"person", rd_person},
	{"events", rd_events},       {"stats", rd_stats},
	{"export", rd_export},       {"verify", rd_verify},
	{"inquiries", rd_inquiries}, {"keys", rd_keys},
	{"handover", rd_handover},   {"merges", rd_merges},
	{"retention", rd_retention}, {"search", rd_search},
	{"parties", rd_parties},
};

static const struct op writes[] = {
	{"event", wr_event},
	{"person-add", wr_person},
	{"review", wr_review},
	{"check-off", wr_checkoff},
	{"unmerge", wr_unmerge},
	{"inquiry-close", wr_inquiry_close},
	{"rebuild", wr_rebuild},
	{"import", wr_import},
	{"party-add", wr_party},
	{"key-pin", wr_pin},
	{"inquiry-match", wr_match},
	{"close-stage", wr_close_stage},
	{"backup", wr_backup},
	{"purge", wr_purge},
	{"retention-set", wr_retention},
	{"callback-done", wr_callback},
	{"inquiry-record", wr_inquiry},
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* What every call owes its caller: success, or an error with a reason. */
static void
check_result(const char *what, const char *op, int rc, const char *why)
{
	if (rc == 0)
		return;
	if (rc > 0 || why == NULL || why[0] == '\0')
		fail_msg("%s: %s returned %d without a reason", what, op, rc);
}

/* The register as the next command sees it, opened on the normal VFS:
 * its chain holds and it has all its persons. */
static void
check_same(struct fx *f, const char *path, const char *what)
{
	faultvfs_uninstall();
	struct cartel_db *db = NULL;
	char *why = NULL;
	struct cartel_audit_report rep;
	if (cartel_db_open(&db, path, 0, &why) != 0 ||
	    cartel_audit_verify(db, NULL, &rep, &why) != 0)
		fail_msg("%s: the register does not hold afterwards: %s",
			 what, why ? why : "?");
	assert_int_equal(rep.n_persons, f->n_persons);
	cartel_db_close(db);
	free(why);
	assert_int_equal(faultvfs_install(), SQLITE_OK);
}

/* ---- Reads under failing locks and disks ----------------------------- */

static void
read_faults(void **state)
{
	struct fx *f = *state;
	static const enum faultvfs_kind kinds[] = {FAULT_LOCK_BUSY,
						   FAULT_LOCK_IO};
	assert_int_equal(copy_file(f->base, f->work), 0);
	int runs = 0, failed = 0;
	for (size_t k = 0; k < N_OF(kinds); k++)
		for (size_t o = 0; o < N_OF(reads); o++) {
			for (int nth = 1; nth < 200; nth++) {
				struct cartel_db *db = NULL;
				char *why = NULL;
				int rc = cartel_db_open(&db, f->work, 0, &why);
				assert_int_equal(rc, 0);
				faultvfs_arm(kinds[k], nth, 0);
				rc = reads[o].run(f, db, &why);
				int injected = faultvfs_disarm();
				cartel_db_close(db);
				runs++;
				if (injected == 0) {
					/* No lock left to fail: the read
					 * runs through. */
					if (rc != 0)
						fail_msg("%s: %s", reads[o].name,
							 why ? why : "?");
					free(why);
					break;
				}
				failed += rc != 0;
				check_result(faultvfs_kind_name(kinds[k]),
					     reads[o].name, rc, why);
				free(why);
			}
			check_same(f, f->work, reads[o].name);
		}
	/* Some runs must have met a fault and said so. */
	assert_true(failed > 0);
	if (getenv("CARTEL_FAULTS_VERBOSE"))
		fprintf(stderr, "read faults: %d runs, %d failed\n", runs,
			failed);
}

/* ---- Writes whose first writes to the disk fail ---------------------- */

/* The first few writes of each change fail (the journal, the first
 * pages): the call says why, and the register is left whole, with the
 * persons it had. (tests/unit/test_faults.c runs every N for the changes
 * a handover and an import make.) */
static void
write_faults(void **state)
{
	struct fx *f = *state;
	int failed = 0;
	for (size_t o = 0; o < N_OF(writes); o++)
		for (int nth = 1; nth <= 4; nth++) {
			faultvfs_uninstall();
			assert_int_equal(copy_file(f->base, f->work), 0);
			assert_int_equal(faultvfs_install(), SQLITE_OK);
			struct cartel_db *db = NULL;
			char *why = NULL;
			assert_int_equal(cartel_db_open(&db, f->work, 0, &why),
					 0);
			faultvfs_arm(FAULT_WRITE, nth, 1);
			int rc = writes[o].run(f, db, &why);
			int injected = faultvfs_disarm();
			cartel_db_close(db);
			check_result("write fault", writes[o].name, rc, why);
			free(why);
			if (injected == 0)
				break;
			if (rc != 0) {
				failed++;
				check_same(f, f->work, writes[o].name);
			}
		}
	assert_true(failed > 0);
}

/* ---- A register with a table gone ------------------------------------ */

/* The names of the register's tables (malloc'd, NULL-terminated). */
static char **
tables_of(const char *path)
{
	sqlite3 *s = NULL;
	sqlite3_stmt *st = NULL;
	char **v = calloc(128, sizeof *v);
	size_t n = 0;
	assert_non_null(v);
	assert_int_equal(sqlite3_open(path, &s), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(s,
					    "SELECT name FROM sqlite_master "
					    "WHERE type = 'table' AND name NOT "
					    "LIKE 'sqlite_%' ORDER BY name",
					    -1, &st, NULL),
			 SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW && n < 127)
		v[n++] = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(s);
	return v;
}

static void
sql_on(const char *path, const char *q)
{
	sqlite3 *s = NULL;
	char *err = NULL;
	assert_int_equal(sqlite3_open(path, &s), SQLITE_OK);
	if (sqlite3_exec(s, q, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", q, err);
	sqlite3_close(s);
}

/* Every call on the register at f->work: a result or a reason. */
static void
run_all(struct fx *f, const char *what, int with_writes)
{
	struct cartel_db *db = NULL;
	char *why = NULL;
	int rc = cartel_db_open(&db, f->work, 0, &why);
	check_result(what, "open", rc, why);
	free(why);
	if (rc != 0)
		return;
	for (size_t o = 0; o < N_OF(reads); o++) {
		why = NULL;
		rc = reads[o].run(f, db, &why);
		check_result(what, reads[o].name, rc, why);
		free(why);
	}
	for (size_t o = 0; with_writes && o < N_OF(writes); o++) {
		why = NULL;
		rc = writes[o].run(f, db, &why);
		check_result(what, writes[o].name, rc, why);
		free(why);
	}
	cartel_db_close(db);
}

static void
table_gone(void **state)
{
	struct fx *f = *state;
	faultvfs_uninstall();
	char **tables = tables_of(f->base);
	int n = 0;
	for (size_t t = 0; tables[t] != NULL; t++, n++) {
		assert_int_equal(copy_file(f->base, f->work), 0);
		char q[160];
		snprintf(q, sizeof q, "DROP TABLE \"%s\"", tables[t]);
		sql_on(f->work, q);
		char what[96];
		snprintf(what, sizeof what, "without %s", tables[t]);
		run_all(f, what, 1);
		free(tables[t]);
	}
	free(tables);
	assert_true(n > 10);
	assert_int_equal(faultvfs_install(), SQLITE_OK);
}

/* ---- Values rewritten behind the register's back ---------------------- */

/* The tables whose every column the audit chain covers: a value changed
 * in any of them is found by audit verify. */
static const char *const chained[] = {
	"audit", "events", "persons", "round_key_pin", "round_doc",
	"round_stage", "round_handover", "match_inquiry", "match_candidate",
	"person_merge", "register_owner", "retention_rule", NULL};

static int
is_chained(const char *t)
{
	for (size_t i = 0; chained[i] != NULL; i++)
		if (strcmp(chained[i], t) == 0)
			return 1;
	return 0;
}

static void
value_rewritten(void **state)
{
	struct fx *f = *state;
	faultvfs_uninstall();
	char **tables = tables_of(f->base);
	int n_found = 0, n_chained = 0;
	for (size_t t = 0; tables[t] != NULL; t++) {
		sqlite3 *s = NULL;
		sqlite3_stmt *st = NULL;
		char q[256];
		char *cols[64];
		size_t n_cols = 0;
		assert_int_equal(sqlite3_open(f->base, &s), SQLITE_OK);
		snprintf(q, sizeof q, "SELECT name FROM pragma_table_info('%s')",
			 tables[t]);
		assert_int_equal(sqlite3_prepare_v2(s, q, -1, &st, NULL),
				 SQLITE_OK);
		while (sqlite3_step(st) == SQLITE_ROW && n_cols < 64)
			cols[n_cols++] = strdup(
				(const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		snprintf(q, sizeof q, "SELECT count(*) FROM \"%s\"", tables[t]);
		long long rows = 0;
		if (sqlite3_prepare_v2(s, q, -1, &st, NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW)
			rows = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		sqlite3_close(s);
		for (size_t c = 0; c < n_cols; c++) {
			if (rows == 0)
				break;
			assert_int_equal(copy_file(f->base, f->work), 0);
			/* A value of another type and spelling, which no
			 * CHECK refuses: triggers and constraints aside, what
			 * someone with the sqlite3 shell could write. */
			sqlite3 *w = NULL;
			assert_int_equal(sqlite3_open(f->work, &w), SQLITE_OK);
			snprintf(q, sizeof q,
				 "UPDATE \"%s\" SET \"%s\" = 'zz' || "
				 "coalesce(\"%s\", '')",
				 tables[t], cols[c], cols[c]);
			int changed = sqlite3_exec(w, q, NULL, NULL, NULL) ==
					      SQLITE_OK &&
				      sqlite3_changes(w) > 0;
			sqlite3_close(w);
			if (!changed)
				continue;
			char what[160];
			snprintf(what, sizeof what, "%s.%s rewritten",
				 tables[t], cols[c]);
			run_all(f, what, 0);
			if (!is_chained(tables[t]))
				continue;
			/* Found by audit verify, naming it. */
			struct cartel_db *db = NULL;
			char *why = NULL;
			struct cartel_audit_report rep;
			int rc = cartel_db_open(&db, f->work, 0, &why);
			if (rc == 0)
				rc = cartel_audit_verify(db, NULL, &rep, &why);
			cartel_db_close(db);
			n_chained++;
			if (rc == 0)
				fail_msg("%s: audit verify did not see it", what);
			check_result(what, "audit verify", rc, why);
			n_found++;
			free(why);
		}
		for (size_t c = 0; c < n_cols; c++)
			free(cols[c]);
		free(tables[t]);
	}
	free(tables);
	assert_true(n_chained > 20);
	assert_int_equal(n_found, n_chained);
	assert_int_equal(faultvfs_install(), SQLITE_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(read_faults),
		cmocka_unit_test(write_faults),
		cmocka_unit_test(table_gone),
		cmocka_unit_test(value_rewritten),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
