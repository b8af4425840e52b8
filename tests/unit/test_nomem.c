/*
 * Allocation failures: each operation below is run again and again with
 * the Nth allocation and all after it failing, for every N until it gets
 * through. Each
 * failed run must report an error (never success with half a result, never
 * a crash), leave the register as it was (the audit chain holds), and the
 * run that gets through must give what a run without failures gives.
 *
 * The test replaces malloc, calloc and realloc for the whole process (the
 * replacement calls glibc's own), which AddressSanitizer's allocator does
 * not allow; the ASan build skips it.
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
#include <cartel/csv.h>
#include <cartel/match.h>
#include <cartel/plan.h>
#include <cartel/register.h>
#include <cartel/round.h>
#include <cartel/store.h>

#include "nomem.h"

#define keep nomem_keep
typedef nomem_op op_fn;

struct fx {
	char dir[64];
	char path[128];
	struct cartel_db *db;
	struct cartel_key ua, ru;
};

/* The register as the next command finds it after a failed one: the
 * command's process ended (the handle is closed, whatever it held open)
 * and the file is opened afresh; its audit chain must hold. */
static void
reopen(struct fx *f)
{
	char *why = NULL;
	cartel_db_close(f->db);
	f->db = NULL;
	if (cartel_db_open(&f->db, f->path, 0, &why))
		fail_msg("reopening after a failed run: %s", why);
}

static void
chain_holds(struct fx *f)
{
	struct cartel_audit_report rep;
	char *why = NULL;
	reopen(f);
	int rc = cartel_audit_verify(f->db, NULL, &rep, &why);
	if (rc)
		fail_msg("audit verify after a failed run: %s", why);
}

static void
after_run(void *ctx, int walk)
{
	struct fx *f = ctx;
	if (walk)
		chain_holds(f);
	else
		reopen(f);
}

/* Runs op once per allocation it makes (nomem.h); after each failed run
 * the register is reopened as the next command would, and its chain
 * walked now and then and at the end. */
static void
each_failure_once(struct fx *f, op_fn op, void *ctx, int once)
{
	nomem_each_failure(op, ctx, once, f != NULL ? after_run : NULL, f);
}

static void
each_failure(struct fx *f, op_fn op, void *ctx)
{
	each_failure_once(f, op, ctx, 0);
}

static const char persons_csv[] =
	"id,family_name,given_name,patronymic,birth_date,rank,"
	"service_number,held_by,depends_on,category,consent,status\n"
	"UA-1,Коваленко,Олександр,Іванович,1994-03-02,private,A100,RU,UA,"
	"military,willing,confirmed_captive\n"
	"UA-2,Шевченко,Сергій,,1990,sergeant,A101,RU,UA,military,not_asked,"
	"confirmed_captive\n"
	"UA-3,Бондаренко,Микола,,1985-07-01,captain,A102,RU,UA,military,"
	"willing,confirmed_captive\n"
	"RU-1,Иванов,Николай,Петрович,1999-01-05,private,B200,UA,RU,military,"
	"willing,confirmed_captive\n"
	"RU-2,Смирнов,Юрий,,2001-11-11,private,B201,UA,RU,military,willing,"
	"confirmed_captive\n"
	"RU-3,Кузнецов,Алексей,,1980,major,B202,UA,RU,military,willing,"
	"confirmed_captive\n";

static const char plan_json[] =
	"{\"parties\":[\"UA\",\"RU\"],\"stages\":2,"
	"\"sides\":{\"UA\":{\"gives\":[\"RU-1\",\"RU-2\"],\"value\":2},"
	"\"RU\":{\"gives\":[\"UA-1\",{\"id\":\"UA-2\",\"stage\":2}],"
	"\"value\":2}},"
	"\"direct_repatriation\":{\"UA\":[],\"RU\":[\"UA-3\"]},"
	"\"withheld\":[{\"id\":\"RU-3\",\"reason\":\"proceedings\"}],"
	"\"excluded\":[],\"optimal\":true}";

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	/* Hundreds of runs each reopen the register: in memory when the
	 * system has a memory file system, so that they cost no disk syncs. */
	snprintf(f->dir, sizeof f->dir, "/dev/shm/cartel-nomem-XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		snprintf(f->dir, sizeof f->dir, "/tmp/cartel-nomem-XXXXXX");
		if (mkdtemp(f->dir) == NULL)
			return -1;
	}
	snprintf(f->path, sizeof f->path, "%s/r.db", f->dir);
	setenv("CARTEL_NOW", "2026-05-16T09:00:00Z", 1);
	setenv("CARTEL_TODAY", "2026-05-16", 1);
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
	if (rc || cartel_key_generate(&f->ua, "UA", NULL) ||
	    cartel_key_generate(&f->ru, "RU", NULL) ||
	    cartel_key_pin(f->db, "UA", f->ua.public_key, 0, "t", NULL,
			   NULL) ||
	    cartel_key_pin(f->db, "RU", f->ru.public_key, 0, "t", NULL, NULL))
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
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* ---- Pure functions ------------------------------------------------- */

static int
op_jcs(void *ctx, char **out)
{
	(void)ctx;
	static const char doc[] = "{\"b\":[1,2.5,\"\\u00e9\\n\"],\"a\":{\"z\":"
				  "null,\"y\":true,\"x\":1e30}}";
	size_t len;
	return cartel_jcs_canonicalize(doc, sizeof doc - 1, out, &len, NULL);
}

static void
jcs(void **state)
{
	(void)state;
	each_failure(NULL, op_jcs, NULL);
}

static int
op_csv(void *ctx, char **out)
{
	(void)ctx;
	static const char text[] = "\xef\xbb\xbfid,name\r\n1,\"a, \"\"b\"\"\"\n"
				   "2,\"two\nlines\"\n3,x\n";
	FILE *fp = fmemopen((void *)text, sizeof text - 1, "r");
	if (fp == NULL)
		return CARTEL_ENOMEM;
	struct cartel_csv *csv;
	int rc = cartel_csv_open(&csv, fp, "t.csv", 0);
	if (rc) {
		fclose(fp);
		return rc;
	}
	char buf[256] = "";
	size_t used = 0;
	char **fields;
	size_t n;
	while ((rc = cartel_csv_next(csv, &fields, &n, NULL)) == 1)
		for (size_t i = 0; i < n; i++)
			used += (size_t)snprintf(buf + used, sizeof buf - used,
						 "[%s]", fields[i]);
	cartel_csv_close(csv);
	fclose(fp);
	if (rc < 0)
		return rc;
	*out = strdup(buf);
	return *out ? 0 : CARTEL_ENOMEM;
}

static void
csv(void **state)
{
	(void)state;
	each_failure(NULL, op_csv, NULL);
}

static int
op_person(void *ctx, char **out)
{
	(void)ctx;
	struct cartel_person p, q;
	memset(&p, 0, sizeof p);
	memset(&q, 0, sizeof q);
	static const char *const set[][2] = {
		{"id", "UA-9"},           {"family_name", "Коваленко"},
		{"birth_date", "1994-03"}, {"status", "confirmed_captive"},
		{"rank", "private"},       {"held_by", "RU"},
	};
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < sizeof set / sizeof set[0]; i++)
		rc = cartel_person_set_field(&p, cartel_field_find(set[i][0]),
					     set[i][1], NULL);
	if (rc == 0)
		rc = cartel_person_set_attr(&p, "unit", "44th brigade");
	if (rc == 0)
		rc = cartel_person_copy(&q, &p);
	if (rc == 0 && !cartel_person_equal(&p, &q))
		rc = CARTEL_EINVAL;
	if (rc == 0) {
		*out = cartel_person_json(&q);
		if (*out == NULL)
			rc = CARTEL_ENOMEM;
	}
	cartel_person_clear(&p);
	cartel_person_clear(&q);
	return rc;
}

static void
person(void **state)
{
	(void)state;
	each_failure(NULL, op_person, NULL);
}

static const char policy_yaml[] =
	"parties: [UA, RU]\n"
	"ratio: \"1:1\"\n"
	"stages: 2\n";

static int
op_policy(void *ctx, char **out)
{
	(void)ctx;
	struct cartel_policy *pol;
	int rc = cartel_policy_parse(&pol, policy_yaml, sizeof policy_yaml - 1,
				     "p.yaml", NULL);
	if (rc)
		return rc;
	*out = strdup(cartel_policy_digest(pol));
	cartel_policy_free(pol);
	return *out ? 0 : CARTEL_ENOMEM;
}

static void
policy(void **state)
{
	(void)state;
	each_failure(NULL, op_policy, NULL);
}

/* ---- The register --------------------------------------------------- */

static int
op_export(void *ctx, char **out)
{
	struct fx *f = ctx;
	FILE *fp = tmpfile();
	if (fp == NULL)
		return CARTEL_ENOMEM;
	int rc = cartel_export_csv(f->db, fp, NULL);
	long len = ftell(fp);
	char *buf = NULL;
	if (rc == 0 && len >= 0 && (buf = malloc((size_t)len + 1)) == NULL)
		rc = CARTEL_ENOMEM;
	if (rc == 0) {
		rewind(fp);
		size_t got = fread(buf, 1, (size_t)len, fp);
		buf[got] = '\0';
		*out = buf;
	}
	fclose(fp);
	return rc;
}

static void
export(void **state)
{
	struct fx *f = *state;
	each_failure(f, op_export, f);
}

static int
op_stats(void *ctx, char **out)
{
	struct fx *f = ctx;
	struct cartel_stats st;
	int rc = cartel_stats_get(f->db, &st, NULL);
	if (rc)
		return rc;
	char *s = malloc(64);
	if (s != NULL)
		snprintf(s, 64, "%zu parties", st.n_parties);
	cartel_stats_clear(&st);
	*out = s;
	return s ? 0 : CARTEL_ENOMEM;
}

static void
stats(void **state)
{
	struct fx *f = *state;
	each_failure(f, op_stats, f);
}

static int
op_verify(void *ctx, char **out)
{
	struct fx *f = ctx;
	struct cartel_audit_report rep;
	int rc = cartel_audit_verify(f->db, NULL, &rep, NULL);
	if (rc)
		return rc;
	*out = strdup(rep.head);
	return *out ? 0 : CARTEL_ENOMEM;
}

static void
audit(void **state)
{
	struct fx *f = *state;
	each_failure(f, op_verify, f);
}

/* ---- Rounds --------------------------------------------------------- */

/* Builds, signs by both parties and verifies a document, then reads its
 * written text back and compares the two versions: the digest is the
 * result. */
static int
op_round(void *ctx, char **out)
{
	struct fx *f = ctx;
	struct cartel_round_opts o = {NULL, CARTEL_ROUND_AGREED, NULL, "t"};
	struct cartel_round *r = NULL, *back = NULL;
	struct cartel_round_check chk;
	struct cartel_round_diff d;
	char *text = NULL;
	size_t len = 0;
	int rc = cartel_round_from_plan(f->db, plan_json, sizeof plan_json - 1,
					"plan.json", &o, &r, NULL);
	if (rc == 0)
		rc = cartel_round_sign(f->db, r, &f->ua, "ua", NULL);
	if (rc == 0)
		rc = cartel_round_sign(f->db, r, &f->ru, "ru", NULL);
	if (rc == 0) {
		rc = cartel_round_verify(f->db, r, &chk, NULL);
		cartel_round_check_clear(&chk);
	}
	if (rc == 0)
		rc = cartel_round_canonical(r, &text, &len, NULL);
	if (rc == 0)
		rc = cartel_round_parse(&back, text, len, "r.json", NULL);
	if (rc == 0) {
		rc = cartel_round_diff(r, back, &d, NULL);
		if (rc == 0 && (d.n_entries != 0 || d.n_header != 0))
			rc = CARTEL_EINVAL;
		if (rc == 0)
			cartel_round_diff_clear(&d);
	}
	if (rc == 0) {
		*out = strdup(cartel_round_digest(back));
		if (*out == NULL)
			rc = CARTEL_ENOMEM;
	}
	free(text);
	cartel_round_free(back);
	cartel_round_free(r);
	return rc;
}

static void
round_doc(void **state)
{
	struct fx *f = *state;
	each_failure(f, op_round, f);
}

/* A counter-proposal made from a document: one man off each side, the
 * values counted again, the rules checked; the new digest is the result. */
static int
op_amend(void *ctx, char **out)
{
	struct fx *f = ctx;
	struct cartel_round_opts o = {NULL, CARTEL_ROUND_PROPOSAL, NULL, "t"};
	struct cartel_round *r = NULL, *v2 = NULL;
	static const char *const rem[] = {"UA:RU-2", "RU:UA-2"};
	struct cartel_round_amend_opts ao = {CARTEL_ROUND_COUNTER, NULL, 0,
					     rem, 2, NULL, "t"};
	struct cartel_round_balance bal;
	struct cartel_round_rules rules;
	int rc = cartel_round_from_plan(f->db, plan_json, sizeof plan_json - 1,
					"plan.json", &o, &r, NULL);
	if (rc == 0) {
		rc = cartel_round_amend(f->db, r, &ao, &v2, &bal, &rules,
					NULL);
		cartel_round_balance_clear(&bal);
		cartel_round_rules_clear(&rules);
	}
	if (rc == 0 && (*out = strdup(cartel_round_digest(v2))) == NULL)
		rc = CARTEL_ENOMEM;
	cartel_round_free(v2);
	cartel_round_free(r);
	return rc;
}

static void
round_amend(void **state)
{
	struct fx *f = *state;
	each_failure(f, op_amend, f);
}

/* An import of the same persons with an extra column and a bad row, with
 * its reject file: the counts, the unknown column and the rejects. */
static const char reimport_csv[] =
	"id,family_name,given_name,birth_date,status,unit_name\n"
	"UA-1,Коваленко,Олександр,1994-03-02,confirmed_captive,44\n"
	"UA-9,Петренко,Іван,1994-02-30,confirmed_captive,45\n"
	"RU-1,Иванов,Николай,1999-01-05,confirmed_captive,46\n";

static int
op_import(void *ctx, char **out)
{
	struct fx *f = ctx;
	FILE *in = fmemopen((void *)reimport_csv, sizeof reimport_csv - 1,
			    "r");
	FILE *rej = tmpfile();
	if (in == NULL || rej == NULL) {
		if (in)
			fclose(in);
		if (rej)
			fclose(rej);
		return CARTEL_ENOMEM;
	}
	struct cartel_import_opts o;
	memset(&o, 0, sizeof o);
	o.rejects = rej;
	struct cartel_import_result res;
	memset(&res, 0, sizeof res);
	int rc = cartel_import_csv(f->db, in, "again.csv", &o, &res, NULL);
	fclose(in);
	char buf[512] = "";
	if (rc == 0) {
		int used = snprintf(buf, sizeof buf, "%zu read, %zu in, %zu "
				    "out, %s; ",
				    res.rows_read, res.imported, res.rejected,
				    res.n_unknown ? res.unknown_columns[0]
						  : "-");
		rewind(rej);
		size_t got = fread(buf + used, 1, sizeof buf - 1 - (size_t)used,
				   rej);
		buf[(size_t)used + got] = '\0';
	}
	fclose(rej);
	cartel_import_result_clear(&res);
	if (rc == 0)
		*out = keep(buf);
	return rc;
}

static void
import(void **state)
{
	struct fx *f = *state;
	each_failure(f, op_import, f);
}

/* An event on a person (the same value each time, which is recorded as a
 * confirmation) and the person read back. */
static int
op_event(void *ctx, char **out)
{
	struct fx *f = ctx;
	struct cartel_event ev;
	memset(&ev, 0, sizeof ev);
	ev.person_id = "UA-1";
	ev.field = "health";
	ev.new_value = "sick";
	ev.prov.actor = "t";
	int rc = cartel_event_add(f->db, &ev, NULL);
	/* The person as now held (the history grows with each run, so it
	 * is not what is compared). */
	struct cartel_person p;
	memset(&p, 0, sizeof p);
	if (rc == 0)
		rc = cartel_person_get(f->db, "UA-1", &p, NULL);
	if (rc == 0) {
		*out = cartel_person_json(&p);
		if (*out == NULL)
			rc = CARTEL_ENOMEM;
	}
	cartel_person_clear(&p);
	return rc;
}

static void
event(void **state)
{
	struct fx *f = *state;
	each_failure(f, op_event, f);
}

/* A death reported in error, corrected: it can be corrected only once,
 * so no run precedes the loop, and the run that gets through proves that
 * no failed run left a correction behind. */
struct correct_ctx {
	struct fx *f;
	long long seq;
};

static int
op_correct(void *ctx, char **out)
{
	struct correct_ctx *c = ctx;
	struct cartel_provenance prov = {"ICRC delegate",
					 CARTEL_SRC_ICRC_VISIT, NULL, NULL,
					 NULL};
	long long fix = 0;
	int rc = cartel_event_correct(c->f->db, c->seq, "seen alive", &prov,
				      &fix, NULL);
	if (rc == 0)
		*out = keep("corrected");
	return rc;
}

static void
correction(void **state)
{
	struct fx *f = *state;
	struct cartel_event ev;
	memset(&ev, 0, sizeof ev);
	ev.person_id = "UA-2";
	ev.field = "status";
	ev.new_value = "deceased";
	ev.prov.actor = "t";
	struct correct_ctx c = {f, 0};
	assert_int_equal(cartel_event_record(f->db, &ev, &c.seq, NULL), 0);
	each_failure_once(f, op_correct, &c, 1);
	struct cartel_person p;
	assert_int_equal(cartel_person_get(f->db, "UA-2", &p, NULL), 0);
	assert_int_equal(p.status, CARTEL_STATUS_CONFIRMED_CAPTIVE);
	cartel_person_clear(&p);
}

/* A key pair written to files and read back: the fingerprint. */
static int
op_key_files(void *ctx, char **out)
{
	struct fx *f = ctx;
	char sp[160], pp[160];
	snprintf(sp, sizeof sp, "%s/UA.key", f->dir);
	snprintf(pp, sizeof pp, "%s/UA.pub", f->dir);
	unlink(sp);
	unlink(pp);
	char *s = NULL, *p = NULL;
	int rc = cartel_key_save(&f->ua, f->dir, &s, &p, NULL);
	struct cartel_key k;
	if (rc == 0)
		rc = cartel_key_load(&k, s, NULL);
	if (rc == 0 && memcmp(k.public_key, f->ua.public_key, 32) != 0)
		rc = CARTEL_ETAMPER;
	if (rc == 0)
		rc = cartel_key_load(&k, p, NULL);
	free(s);
	free(p);
	if (rc == 0) {
		char fp[CARTEL_DIGEST_LEN];
		cartel_key_fingerprint(k.public_key, fp);
		*out = strdup(fp);
		if (*out == NULL)
			rc = CARTEL_ENOMEM;
	}
	return rc;
}

static void
key_files(void **state)
{
	struct fx *f = *state;
	each_failure(f, op_key_files, f);
}

/* The pins listed. */
static int
op_pins(void *ctx, char **out)
{
	struct fx *f = ctx;
	struct cartel_key_pin *p;
	size_t n;
	unsigned char pk[32];
	int rc = cartel_key_pinned(f->db, "RU", pk, NULL);
	if (rc == 0)
		rc = cartel_key_pins(f->db, &p, &n, NULL);
	if (rc)
		return rc;
	char buf[256] = "";
	size_t used = 0;
	for (size_t i = 0; i < n; i++)
		used += (size_t)snprintf(buf + used, sizeof buf - used, "%s ",
					 p[i].party);
	cartel_key_pins_free(p, n);
	*out = strdup(buf);
	return *out ? 0 : CARTEL_ENOMEM;
}

static void
pins(void **state)
{
	struct fx *f = *state;
	each_failure(f, op_pins, f);
}

/* An agreed, signed document loaded for its handover, one person checked
 * off and the state read back. */
struct handover_ctx {
	struct fx *f;
	struct cartel_round *r;
};

static int
op_handover_start(void *ctx, char **out)
{
	struct handover_ctx *h = ctx;
	int rc = cartel_handover_start(h->f->db, h->r, "t", NULL);
	if (rc == 0)
		*out = keep("loaded");
	return rc;
}

/* The outcome of each person, from the handover's state. */
static int
handover_state(struct handover_ctx *h, int rc, char **out)
{
	struct cartel_handover_status st;
	if (rc == 0)
		rc = cartel_handover_status(h->f->db, cartel_round_id(h->r),
					    &st, NULL);
	if (rc)
		return rc;
	char buf[512] = "";
	size_t used = 0;
	for (size_t i = 0; i < st.n_persons; i++)
		used += (size_t)snprintf(
			buf + used, sizeof buf - used, "%s:%s ",
			st.persons[i].id,
			cartel_handover_outcome_name(st.persons[i].outcome));
	for (size_t i = 0; i < st.n_stages; i++)
		used += (size_t)snprintf(buf + used, sizeof buf - used,
					 "stage %d %s ", st.stages[i].stage,
					 st.stages[i].closed ? "closed"
							     : "open");
	cartel_handover_status_clear(&st);
	*out = strdup(buf);
	return *out ? 0 : CARTEL_ENOMEM;
}

/* Checking the same outcome again changes nothing, so this one repeats. */
static int
op_handover_check(void *ctx, char **out)
{
	struct handover_ctx *h = ctx;
	struct cartel_checkoff c = {cartel_round_id(h->r), "UA-1",
				    CARTEL_HANDOVER_HANDED_OVER, "t", NULL,
				    NULL};
	int already = 0;
	return handover_state(h, cartel_handover_check(h->f->db, &c,
						       &already, NULL),
			      out);
}

static int
op_handover_close(void *ctx, char **out)
{
	struct handover_ctx *h = ctx;
	int rc = cartel_handover_close_stage(h->f->db, cartel_round_id(h->r),
					     1, "t", 1, NULL);
	if (rc == 0)
		*out = keep("closed");
	return rc;
}

static void
handover(void **state)
{
	struct fx *f = *state;
	struct cartel_round_opts o = {NULL, CARTEL_ROUND_AGREED, NULL, "t"};
	struct handover_ctx h = {f, NULL};
	char *why = NULL;
	if (cartel_round_from_plan(f->db, plan_json, sizeof plan_json - 1,
				   "plan.json", &o, &h.r, &why) ||
	    cartel_round_sign(f->db, h.r, &f->ua, "ua", &why) ||
	    cartel_round_sign(f->db, h.r, &f->ru, "ru", &why))
		fail_msg("round: %s", why);
	each_failure_once(f, op_handover_start, &h, 1);
	each_failure(f, op_handover_check, &h);
	each_failure_once(f, op_handover_close, &h, 1);
	/* Stage 1 closed with its pending persons absent and the one
	 * checked off kept; stage 2 untouched. */
	char *got = NULL;
	assert_int_equal(handover_state(&h, 0, &got), 0);
	assert_non_null(strstr(got, "UA-1:handed_over"));
	assert_non_null(strstr(got, "RU-1:absent"));
	assert_non_null(strstr(got, "UA-2:pending"));
	assert_non_null(strstr(got, "stage 1 closed"));
	assert_non_null(strstr(got, "stage 2 open"));
	free(got);
	cartel_round_free(h.r);
}

/* A list read for matching, deduplicated on one thread, and an index
 * queried for one of its persons. */
static const char match_csv[] =
	"id,family_name,given_name,birth_date\n"
	"a,Коваленко,Олександр,1994-03-02\n"
	"b,Kovalenko,Oleksandr,1994-03-02\n"
	"c,Шевченко,Сергій,1990\n";

static int
op_match(void *ctx, char **out)
{
	(void)ctx;
	FILE *fp = fmemopen((void *)match_csv, sizeof match_csv - 1, "r");
	if (fp == NULL)
		return CARTEL_ENOMEM;
	struct cartel_person *p = NULL;
	size_t n = 0;
	int rc = cartel_match_read_csv(fp, "m.csv", 0, &p, &n, NULL, NULL);
	fclose(fp);
	if (rc)
		return rc;
	struct cartel_match_opts o;
	cartel_match_opts_init(&o);
	o.n_threads = 1;
	size_t cluster[3];
	rc = cartel_match_dedupe(p, n, &o, cluster, NULL, NULL);
	struct cartel_match_index *ix = NULL;
	struct cartel_match_candidate *c = NULL;
	size_t n_c = 0;
	if (rc == 0)
		rc = cartel_match_index_build(&ix, p, n, &o, NULL);
	if (rc == 0)
		rc = cartel_match_query(ix, &p[1], 2, 0, &c, &n_c, NULL);
	if (rc == 0) {
		char buf[64];
		snprintf(buf, sizeof buf, "%zu %zu %zu; %s", cluster[0],
			 cluster[1], cluster[2], n_c ? c[0].id : "-");
		*out = strdup(buf);
		if (*out == NULL)
			rc = CARTEL_ENOMEM;
	}
	cartel_match_candidates_free(c, n_c);
	cartel_match_index_free(ix);
	cartel_match_persons_free(p, n);
	return rc;
}

static void
match(void **state)
{
	(void)state;
	each_failure(NULL, op_match, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(jcs),
		cmocka_unit_test(csv),
		cmocka_unit_test(person),
		cmocka_unit_test(policy),
		cmocka_unit_test_setup_teardown(export, setup, teardown),
		cmocka_unit_test_setup_teardown(stats, setup, teardown),
		cmocka_unit_test_setup_teardown(audit, setup, teardown),
		cmocka_unit_test_setup_teardown(round_doc, setup, teardown),
		cmocka_unit_test_setup_teardown(round_amend, setup, teardown),
		cmocka_unit_test_setup_teardown(event, setup, teardown),
		cmocka_unit_test_setup_teardown(correction, setup, teardown),
		cmocka_unit_test_setup_teardown(import, setup, teardown),
		cmocka_unit_test_setup_teardown(key_files, setup, teardown),
		cmocka_unit_test_setup_teardown(pins, setup, teardown),
		cmocka_unit_test_setup_teardown(handover, setup, teardown),
		cmocka_unit_test(match),
	};
if (nomem_skipped()) {
		puts("allocation failures: skipped under AddressSanitizer");
		return 0;
	}
	nomem_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
