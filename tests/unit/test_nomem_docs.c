/*
 * Allocation failures (nomem.h) in what cartel draws and in the rounds a
 * mediator handles at the server: an agreed list printed as a PDF (to
 * memory and to a file, recorded in the transfer log), each chart drawn
 * as SVG and PNG, a round planned from a policy sent and from one
 * stored, a policy stored and listed, a list document received, listed,
 * read back verified and compared with another. Each operation is run
 * once per allocation cartel's code makes, with that allocation and every
 * later one refused: each failed run returns an error and no result (never
 * a chart or a page short of what it should show), the register opened
 * afresh still verifies, and the run that gets through gives what a run
 * without failures gives.
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

#include <cartel/account.h>
#include <cartel/cartel.h>
#include <cartel/inquiry.h>
#include <cartel/print.h>
#include <cartel/report.h>
#include <cartel/retention.h>
#include <cartel/round.h>
#include <cartel/store.h>
#include <cartel/transfer.h>

#include "nomem.h"

static char *why_last;
#define WHY (free(why_last), why_last = NULL, &why_last)

static int
said(int rc)
{
	if (rc != 0 && why_last != NULL && getenv("NOMEM_TRACE") != NULL)
		fprintf(stderr, "  (%d) %s\n", rc, why_last);
	return rc;
}

/* Held since January 2025, so that the chart of the held over time has
 * seventeen months to draw. */
static const char persons_csv[] =
	"id,family_name,given_name,birth_date,rank,service_number,held_by,"
	"depends_on,category,consent,status,held_since\n"
	"UA-1,Коваленко,Олександр,1994-03-02,private,A100,RU,UA,military,"
	"willing,confirmed_captive,2025-01-10\n"
	"UA-2,Шевченко,Сергій,1990,sergeant,A101,RU,UA,military,willing,"
	"confirmed_captive,2025-03-10\n"
	"UA-3,Бондаренко,Микола,1985-07-01,captain,A102,RU,UA,military,"
	"willing,confirmed_captive,2025-01-10\n"
	"UA-5,Мельник,Андрій,1970,,,RU,UA,civilian,willing,"
	"confirmed_captive,2026-04-01\n"
	"RU-1,Иванов,Николай,1999-01-05,private,B200,UA,RU,military,"
	"willing,confirmed_captive,2025-01-10\n"
	"RU-2,Смирнов,Юрий,2001-11-11,private,B201,UA,RU,military,willing,"
	"confirmed_captive,2025-06-10\n"
	"RU-3,Кузнецов,Алексей,1980,major,B202,UA,RU,military,willing,"
	"confirmed_captive,2025-01-10\n";

static const char plan_json[] =
	"{\"parties\":[\"UA\",\"RU\"],\"stages\":2,"
	"\"sides\":{\"UA\":{\"gives\":[\"RU-1\",\"RU-2\"],\"value\":2},"
	"\"RU\":{\"gives\":[\"UA-1\",{\"id\":\"UA-2\",\"stage\":2}],"
	"\"value\":2}},"
	"\"direct_repatriation\":{\"UA\":[],\"RU\":[\"UA-3\"]},"
	"\"withheld\":[{\"id\":\"RU-3\",\"reason\":\"proceedings\"}],"
	"\"excluded\":[],\"optimal\":true}";

/* The same round, one man fewer on each side: the version compared. */
static const char plan2_json[] =
	"{\"parties\":[\"UA\",\"RU\"],\"stages\":2,"
	"\"sides\":{\"UA\":{\"gives\":[\"RU-1\"],\"value\":1},"
	"\"RU\":{\"gives\":[\"UA-1\"],\"value\":1}},"
	"\"direct_repatriation\":{\"UA\":[],\"RU\":[\"UA-3\"]},"
	"\"withheld\":[{\"id\":\"RU-3\",\"reason\":\"proceedings\"}],"
	"\"excluded\":[],\"optimal\":true}";

static const char policy_yaml[] = "parties: [UA, RU]\n"
				  "ratio: \"1:1\"\n"
				  "stages: 2\n";

struct fx {
	char dir[64];
	char path[128];
	struct cartel_db *db;
	struct cartel_key ua, ru;
	struct cartel_round *agreed;   /* signed by both, loaded */
	struct cartel_round *proposal; /* version 1 of round R-7 */
	struct cartel_round *counter;  /* version 2, one man fewer a side */
	int counter_n;                 /* makes each run's file its own */
	int chart;                     /* the chart op_chart draws */
};

static int
import_text(struct cartel_db *db, const char *text, size_t len, char **why)
{
	FILE *in = fmemopen((void *)text, len, "r");
	struct cartel_import_opts o;
	memset(&o, 0, sizeof o);
	o.all_or_nothing = 1;
	struct cartel_import_result res;
	memset(&res, 0, sizeof res);
	int rc = cartel_import_csv(db, in, "persons.csv", &o, &res, why);
	fclose(in);
	cartel_import_result_clear(&res);
	return rc;
}

static int
round_of(struct fx *f, const char *plan, size_t len, const char *id,
	 enum cartel_round_kind kind, const struct cartel_round *prev,
	 const char *signers, struct cartel_round **r, char **why)
{
	struct cartel_round_opts o = {id, kind, prev, "t", NULL};
	int rc = cartel_round_from_plan(f->db, plan, len, "plan.json", &o, r,
					why);
	if (rc == 0 && strstr(signers, "UA"))
		rc = cartel_round_sign(f->db, *r, &f->ua, "t", why);
	if (rc == 0 && strstr(signers, "RU"))
		rc = cartel_round_sign(f->db, *r, &f->ru, "t", why);
	return rc;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof f->dir, "%s/cartel-nomem-XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof f->path, "%s/r.db", f->dir);
	setenv("CARTEL_NOW", "2026-05-16T09:00:00Z", 1);
	setenv("CARTEL_TODAY", "2026-05-16", 1);
	char *why = NULL;
	struct cartel_person sought;
	memset(&sought, 0, sizeof sought);
	sought.family_name = (char *)"Коваленко";
	sought.given_name = (char *)"Олександр";
	sought.birth_date = (struct cartel_date){1994, 3, 2};
	struct cartel_inquiry_request req;
	memset(&req, 0, sizeof req);
	req.sought = &sought;
	req.requester = "wife";
	req.relation = "wife";
	req.contact = "+380 1";
	char *inq = NULL;
	size_t found = 0;
	if (cartel_db_open(&f->db, f->path, CARTEL_DB_CREATE, &why) ||
	    import_text(f->db, persons_csv, sizeof persons_csv - 1, &why) ||
	    cartel_key_generate(&f->ua, "UA", &why) ||
	    cartel_key_generate(&f->ru, "RU", &why) ||
	    cartel_key_pin(f->db, "UA", f->ua.public_key, 0, "t", NULL,
			   &why) ||
	    cartel_key_pin(f->db, "RU", f->ru.public_key, 0, "t", NULL,
			   &why) ||
	    round_of(f, plan_json, sizeof plan_json - 1, NULL,
		     CARTEL_ROUND_AGREED, NULL, "UARU", &f->agreed, &why) ||
	    cartel_handover_start(f->db, f->agreed, "t", &why) ||
	    round_of(f, plan_json, sizeof plan_json - 1, "R-7",
		     CARTEL_ROUND_PROPOSAL, NULL, "UA", &f->proposal, &why) ||
	    round_of(f, plan2_json, sizeof plan2_json - 1, "R-7",
		     CARTEL_ROUND_PROPOSAL, f->proposal, "RU", &f->counter,
		     &why) ||
	    cartel_inquiry_record(f->db, &req, "hotline", NULL, &inq, &found,
				  &why)) {
		fprintf(stderr, "setup: %s\n", why ? why : "?");
		return -1;
	}
	free(inq);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	cartel_db_close(f->db);
	cartel_round_free(f->agreed);
	cartel_round_free(f->proposal);
	cartel_round_free(f->counter);
	cartel_key_wipe(&f->ua);
	cartel_key_wipe(&f->ru);
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	int rc = system(cmd);
	free(f);
	return rc == 0 ? 0 : -1;
}

/* The register as the next command finds it; with walk, its chain must
 * hold. */
static void
after_run(void *ctx, int walk)
{
	struct fx *f = ctx;
	char *why = NULL;
	cartel_db_close(f->db);
	f->db = NULL;
	if (cartel_db_open(&f->db, f->path, 0, &why))
		fail_msg("reopening after a failed run: %s", why);
	if (walk) {
		struct cartel_audit_report rep;
		if (cartel_audit_verify(f->db, NULL, &rep, &why))
			fail_msg("audit verify after a failed run: %s", why);
	}
}

static nomem_op current;

static int
traced(void *ctx, char **out)
{
	return said(current(ctx, out));
}

static void
each_failure(struct fx *f, nomem_op op, int once)
{
	current = op;
	nomem_each_failure(traced, f, once, after_run, f);
}

/* A JSON value as compact text with sorted keys, the summary of a run;
 * takes v. */
static int
summary_of(json_t *v, int rc, char **out)
{
	if (rc == 0) {
		*out = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
		if (*out == NULL)
			rc = CARTEL_ENOMEM;
	}
	json_decref(v);
	return rc;
}

/* a followed by b, malloc'd (NULL when out of memory). */
static char *
concat(const char *a, const char *b)
{
	size_t na = strlen(a), nb = b ? strlen(b) : 0;
	char *s = malloc(na + nb + 1);
	if (s != NULL) {
		memcpy(s, a, na);
		if (nb)
			memcpy(s + na, b, nb);
		s[na + nb] = '\0';
	}
	return s;
}

/* ---- The printed list ----------------------------------------------- */

static int
print_summary(const struct cartel_print_result *res, char **out)
{
	char buf[256];
	snprintf(buf, sizeof buf, "%d pages, %zu persons, %s", res->n_pages,
		 res->n_persons, res->digest);
	*out = strdup(buf);
	return *out ? 0 : CARTEL_ENOMEM;
}

static int
op_print_pdf(void *ctx, char **out)
{
	struct fx *f = ctx;
	unsigned char *pdf = NULL;
	size_t len = 0;
	struct cartel_print_result res;
	int rc = cartel_round_print_pdf(f->db, f->agreed, &pdf, &len, &res,
					WHY);
	if (rc == 0 && (len < 1000 || memcmp(pdf, "%PDF-", 5) != 0))
		rc = CARTEL_EFORMAT;
	free(pdf);
	return rc == 0 ? print_summary(&res, out) : rc;
}

/* Printed to a file of its own each run: written, logged as a transfer
 * and audited, or, on failure, none of it recorded. */
static int
op_print_file(void *ctx, char **out)
{
	struct fx *f = ctx;
	char path[192];
	snprintf(path, sizeof path, "%s/list-%d.pdf", f->dir, ++f->counter_n);
	struct cartel_print_result res;
	int rc = cartel_round_print(f->db, f->agreed, path, "clerk", "ICRC",
				    &res, WHY);
	if (rc == 0) {
		long held = nomem_hold();
		rc = print_summary(&res, out);
		nomem_release(held);
	}
	return rc;
}

static void
printed_list(void **state)
{
	struct fx *f = *state;
	/* The print to a file makes the PDF in memory first: one loop
	 * takes both. */
	char *got = NULL;
	assert_int_equal(op_print_pdf(f, &got), 0);
	free(got);
	each_failure(f, op_print_file, 0);
}

/* ---- Charts --------------------------------------------------------- */

/* Chart f->chart as exact SVG and as public PNG: the summary is the SVG's
 * description (every count it shows) and the PNG's signature. */
static int
op_chart(void *ctx, char **out)
{
	struct fx *f = ctx;
	enum cartel_chart c = (enum cartel_chart)f->chart;
	unsigned char *svg = NULL, *png = NULL;
	size_t svg_len = 0, png_len = 0;
	int rc = cartel_chart_render(f->db, c, CARTEL_CHART_SVG, 0, &svg,
				     &svg_len, WHY);
	if (rc == 0)
		rc = cartel_chart_render(f->db, c, CARTEL_CHART_PNG, 1, &png,
					 &png_len, WHY);
	if (rc == 0 && (png_len < 8 || memcmp(png, "\x89PNG", 4) != 0))
		rc = CARTEL_EFORMAT;
	const char *d = rc == 0 ? strstr((char *)svg, "<desc>") : NULL;
	const char *e = d != NULL ? strstr(d, "</desc>") : NULL;
	if (rc == 0 && e == NULL)
		rc = CARTEL_EFORMAT;
	if (rc == 0) {
		*out = strndup(d, (size_t)(e - d));
		rc = *out ? 0 : CARTEL_ENOMEM;
	}
	free(svg);
	free(png);
	return rc;
}

static void
charts(void **state)
{
	struct fx *f = *state;
	for (f->chart = 0; f->chart < CARTEL_CHART_N; f->chart++)
		each_failure(f, op_chart, 0);
	/* The counts the loops compared: the round loaded (UA hands over
	 * two, RU two and one directly), the civilian RU holds. */
	unsigned char *svg = NULL;
	size_t len = 0;
	assert_int_equal(cartel_chart_render(f->db, CARTEL_CHART_ROUNDS,
					     CARTEL_CHART_SVG, 0, &svg, &len,
					     NULL),
			 0);
	assert_non_null(strstr((char *)svg, "Russia, "));
	assert_non_null(strstr((char *)svg, ": 3</desc>"));
	free(svg);
	assert_int_equal(cartel_chart_render(f->db, CARTEL_CHART_AWAITING,
					     CARTEL_CHART_SVG, 0, &svg, &len,
					     NULL),
			 0);
	assert_non_null(strstr((char *)svg, "Russia, civilians: 1;"));
	free(svg);
}

/* ---- Rounds at the server ------------------------------------------- */

static void
mediator(struct cartel_user *u)
{
	memset(u, 0, sizeof *u);
	u->name = (char *)"med.1";
	u->role = CARTEL_ROLE_MEDIATOR;
}

/* The plan made from the body; its summary leaves nothing out. */
static int
plan_with(struct fx *f, json_t *body, char **out)
{
	struct cartel_user u;
	mediator(&u);
	json_t *j = NULL;
	int rc = body == NULL ? CARTEL_ENOMEM
			      : cartel_account_plan(f->db, &u, body,
						    "10.0.0.1", &j, WHY);
	json_decref(body);
	return summary_of(j, rc, out);
}

static int
op_plan_sent(void *ctx, char **out)
{
	return plan_with(ctx,
			 json_pack("{s:s}", "policy_yaml", policy_yaml), out);
}

static int
op_plan_stored(void *ctx, char **out)
{
	return plan_with(ctx, json_pack("{s:s}", "policy", "one for one"),
			 out);
}

static int
op_policy_add(void *ctx, char **out)
{
	struct fx *f = ctx;
	struct cartel_user u;
	mediator(&u);
	json_t *body = json_pack("{s:s, s:s}", "name", "one for one", "yaml",
				 policy_yaml);
	if (body == NULL)
		return CARTEL_ENOMEM;
	json_t *j = NULL;
	int rc = cartel_account_policy_add(f->db, &u, body, "10.0.0.1", &j,
					   WHY);
	json_decref(body);
	long held = nomem_hold();
	rc = summary_of(j, rc, out);
	nomem_release(held);
	return rc;
}

static int
op_policies(void *ctx, char **out)
{
	struct fx *f = ctx;
	struct cartel_user u;
	mediator(&u);
	json_t *j = NULL;
	int rc = cartel_account_policies(f->db, &u, 0, 10, "10.0.0.1", &j,
					 WHY);
	return summary_of(j, rc, out);
}

/* A document received as its text; *out says whether it was new. */
static int
receive(struct fx *f, const struct cartel_round *r, char **out)
{
	struct cartel_user u;
	mediator(&u);
	char *text = NULL;
	size_t len = 0;
	int rc = cartel_round_canonical(r, &text, &len, WHY);
	json_t *body = rc == 0 ? json_pack("{s:s%}", "document", text, len)
			       : NULL;
	free(text);
	if (rc == 0 && body == NULL)
		rc = CARTEL_ENOMEM;
	json_t *j = NULL;
	if (rc == 0)
		rc = cartel_account_document_add(f->db, &u, body, "10.0.0.1",
						 &j, WHY);
	json_decref(body);
	if (rc == 0) {
		long held = nomem_hold();
		char buf[64];
		snprintf(buf, sizeof buf, "document %lld%s",
			 (long long)json_integer_value(json_object_get(j,
								       "seq")),
			 json_is_true(json_object_get(j, "already"))
				 ? " again"
				 : "");
		*out = strdup(buf);
		nomem_release(held);
	}
	json_decref(j);
	return rc;
}

static int
op_receive_proposal(void *ctx, char **out)
{
	struct fx *f = ctx;
	return receive(f, f->proposal, out);
}

static int
op_receive_counter(void *ctx, char **out)
{
	struct fx *f = ctx;
	return receive(f, f->counter, out);
}

static int
op_documents(void *ctx, char **out)
{
	struct fx *f = ctx;
	struct cartel_user u;
	mediator(&u);
	json_t *j = NULL;
	int rc = cartel_account_documents(f->db, &u, "R-7", 0, 10,
					  "10.0.0.1", &j, WHY);
	return summary_of(j, rc, out);
}

static int
op_document(void *ctx, char **out)
{
	struct fx *f = ctx;
	struct cartel_user u;
	mediator(&u);
	json_t *j = NULL;
	int rc = cartel_account_document(f->db, &u, "2", "10.0.0.1", &j, WHY);
	return summary_of(j, rc, out);
}

static int
op_document_diff(void *ctx, char **out)
{
	struct fx *f = ctx;
	struct cartel_user u;
	mediator(&u);
	json_t *j = NULL;
	int rc = cartel_account_document_diff(f->db, &u, "1", "2", "10.0.0.1",
					      &j, WHY);
	return summary_of(j, rc, out);
}

static void
server_plans(void **state)
{
	struct fx *f = *state;
	each_failure(f, op_plan_sent, 0);
	each_failure(f, op_policy_add, 1);
	each_failure(f, op_policies, 0);
	/* A plan from the stored policy takes the paths the loop above
	 * took: once, as a user would. */
	char *sent = NULL, *stored = NULL;
	assert_int_equal(op_plan_sent(f, &sent), 0);
	assert_int_equal(op_plan_stored(f, &stored), 0);
	assert_non_null(strstr(stored, "\"name\":\"one for one\""));
	assert_non_null(strstr(sent, "\"name\":\"the policy sent\""));
	free(sent);
	free(stored);
	/* The policy stored once. */
	char *got = NULL;
	assert_int_equal(op_policies(f, &got), 0);
	assert_non_null(strstr(got, "\"total\":1"));
	free(got);
}

static void
server_documents(void **state)
{
	struct fx *f = *state;
	each_failure(f, op_receive_proposal, 1);
	each_failure(f, op_documents, 0);
	/* A second document takes the path the loop above took: once. */
	char *got = NULL;
	assert_int_equal(op_receive_counter(f, &got), 0);
	assert_string_equal(got, "document 2");
	free(got);
	each_failure(f, op_document, 0);
	each_failure(f, op_document_diff, 0);

	/* What the loops left: the two versions received once each, the
	 * second one signed by RU alone, the comparison one man fewer on
	 * each side. */
	assert_int_equal(op_documents(f, &got), 0);
	assert_non_null(strstr(got, "\"total\":2"));
	free(got);
	assert_int_equal(op_document(f, &got), 0);
	assert_non_null(strstr(got, "\"signed_by\":[\"RU\"]"));
	free(got);
	assert_int_equal(op_document_diff(f, &got), 0);
	assert_non_null(strstr(got, "\"removed\":[{\"id\":\"RU-2\""));
	assert_non_null(strstr(got, "{\"id\":\"UA-2\",\"list\""));
	free(got);
}

/* ---- Lists in and out ----------------------------------------------- */

/* An import's counts and its reject report as the summary. */
static int
import_summary(const struct cartel_import_result *res, char *rej,
	       char **out)
{
	long held = nomem_hold();
	char buf[128];
	snprintf(buf, sizeof buf, "%zu read, %zu in, %zu updated, %zu events, "
				  "%zu rejected\n",
		 res->rows_read, res->imported, res->updated, res->events,
		 res->rejected);
	*out = concat(buf, rej);
	nomem_release(held);
	return *out ? 0 : CARTEL_ENOMEM;
}

/* A list of events, one row of it refused, each run another camp. */
static int
op_event_list(void *ctx, char **out)
{
	struct fx *f = ctx;
	char csv[512];
	int k = ++f->counter_n;
	snprintf(csv, sizeof csv,
		 "person_id,field,value,source,by,note\n"
		 "UA-1,internment_place,camp %d,icrc_visit,ICRC,visit\n"
		 "RU-1,unit,unit %d,,,\n"
		 "UA-2,shoe_size,44,,,\n"
		 "NO-1,rank,major,,,\n",
		 k, k);
	FILE *in = fmemopen(csv, strlen(csv), "r");
	char *rej = NULL;
	size_t rej_len = 0;
	FILE *rf = open_memstream(&rej, &rej_len);
	if (in == NULL || rf == NULL) {
		if (in)
			fclose(in);
		if (rf)
			fclose(rf);
		free(rej);
		return CARTEL_ENOMEM;
	}
	struct cartel_import_opts o;
	memset(&o, 0, sizeof o);
	o.rejects = rf;
	o.source = CARTEL_SRC_OFFICIAL_LIST;
	o.source_set = 1;
	o.actor = "registrar";
	struct cartel_import_result res;
	memset(&res, 0, sizeof res);
	int rc = cartel_event_import_csv(f->db, in, "events.csv", &o, &res,
					 WHY);
	fclose(in);
	fclose(rf);
	if (rc == 0)
		rc = import_summary(&res, rej, out);
	free(rej);
	cartel_import_result_clear(&res);
	return rc;
}

/* A correcting list: a changed value, an unchanged one, a new person,
 * an unknown column kept, a row refused. */
static int
op_update_list(void *ctx, char **out)
{
	struct fx *f = ctx;
	char csv[512];
	int k = ++f->counter_n;
	snprintf(csv, sizeof csv,
		 "id,family_name,birth_date,unit\n"
		 "UA-1,,,unit %d\n"
		 "RU-2,,2001-11-11,\n"
		 "N-%d,Новак,,\n"
		 "UA-2,,1990-02-30,\n",
		 k, k);
	FILE *in = fmemopen(csv, strlen(csv), "r");
	char *rej = NULL;
	size_t rej_len = 0;
	FILE *rf = open_memstream(&rej, &rej_len);
	if (in == NULL || rf == NULL) {
		if (in)
			fclose(in);
		if (rf)
			fclose(rf);
		free(rej);
		return CARTEL_ENOMEM;
	}
	struct cartel_import_opts o;
	memset(&o, 0, sizeof o);
	o.rejects = rf;
	o.update = 1;
	o.add_new = 1;
	struct cartel_import_result res;
	memset(&res, 0, sizeof res);
	int rc = cartel_import_csv(f->db, in, "fix.csv", &o, &res, WHY);
	fclose(in);
	fclose(rf);
	if (rc == 0)
		rc = import_summary(&res, rej, out);
	free(rej);
	cartel_import_result_clear(&res);
	return rc;
}

/* The other side's list, reconciled against the register. */
static int
op_reconcile(void *ctx, char **out)
{
	struct fx *f = ctx;
	static const char theirs[] =
		"id,family_name,given_name,birth_date\n"
		"T-1,Коваленко,Александр,1994-03-02\n"
		"T-2,Kovalenko,Oleksandr,1994\n"
		"T-3,Сидоренко,Петр,1960\n";
	FILE *in = fmemopen((void *)theirs, sizeof theirs - 1, "r");
	if (in == NULL)
		return CARTEL_ENOMEM;
	struct cartel_reconcile res;
	memset(&res, 0, sizeof res);
	int rc = cartel_reconcile_list(f->db, in, "theirs.csv", "RU", NULL,
				       &res, WHY);
	fclose(in);
	if (rc == 0) {
		char buf[256];
		int used = snprintf(buf, sizeof buf, "%zu %zu %zu:",
				    res.n_matched, res.n_ambiguous,
				    res.n_not_held);
		for (size_t i = 0; i < res.n_rows && used < 200; i++)
			used += snprintf(buf + used, sizeof buf - (size_t)used,
					 " %s=%s", res.rows[i].their_id,
					 res.rows[i].our_id
						 ? res.rows[i].our_id
						 : cartel_reconcile_verdict_name(
							   res.rows[i].verdict));
		*out = strdup(buf);
		rc = *out ? 0 : CARTEL_ENOMEM;
	}
	cartel_reconcile_clear(&res);
	return rc;
}

/* The register as JSON, and the transfer log as JSON. */
static int
op_export_json(void *ctx, char **out)
{
	struct fx *f = ctx;
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	if (m == NULL)
		return CARTEL_ENOMEM;
	long long n = 0;
	int rc = cartel_export_json_n(f->db, m, &n, WHY);
	if (fclose(m) != 0 && rc == 0)
		rc = CARTEL_EIO;
	json_t *log = NULL;
	if (rc == 0)
		rc = cartel_transfer_list_json(f->db, &log, WHY);
	json_decref(log);
	if (rc == 0) {
		*out = text;
		text = NULL;
	}
	free(text);
	return rc;
}

static void
lists(void **state)
{
	struct fx *f = *state;
	each_failure(f, op_export_json, 0);
	each_failure(f, op_reconcile, 0);
	each_failure(f, op_event_list, 0);
	each_failure(f, op_update_list, 0);
	/* What a clerk sees of the lists: the refused rows named by row,
	 * column and rule, never by their cells. */
	char *got = NULL;
	assert_int_equal(op_event_list(f, &got), 0);
	assert_non_null(strstr(got, "4 read, 0 in, 0 updated, 2 events, 2 "
				    "rejected"));
	assert_non_null(strstr(got, "4,field,"));
	assert_non_null(strstr(got, "5,person_id,"));
	assert_null(strstr(got, "shoe"));
	free(got);
	assert_int_equal(op_update_list(f, &got), 0);
	assert_non_null(strstr(got, "4 read, 1 in, 1 updated, 1 events, 1 "
				    "rejected"));
	assert_non_null(strstr(got, "5,birth_date,"));
	assert_null(strstr(got, "02-30"));
	free(got);
	assert_int_equal(op_reconcile(f, &got), 0);
	assert_non_null(strstr(got, "T-1=UA-1"));
	assert_non_null(strstr(got, "T-3=not_held"));
	free(got);
}

/* ---- Retention and the purge ----------------------------------------- */

static int
op_retention_set(void *ctx, char **out)
{
	struct fx *f = ctx;
	int rc = cartel_retention_set(f->db, CARTEL_STATUS_REPATRIATED, "1y",
				      "registrar", WHY);
	if (rc == 0)
		rc = cartel_retention_set(f->db, CARTEL_STATUS_DECEASED,
					  "18 months", "registrar", WHY);
	struct cartel_retention_rule *v = NULL;
	size_t n = 0;
	if (rc == 0)
		rc = cartel_retention_rules(f->db, &v, &n, WHY);
	if (rc == 0) {
		long held = nomem_hold();
		char buf[128] = "";
		size_t used = 0;
		for (size_t i = 0; i < n && used < 100; i++)
			used += (size_t)snprintf(buf + used, sizeof buf - used,
						 "%d:%s ", (int)v[i].status,
						 v[i].period);
		*out = strdup(buf);
		nomem_release(held);
	}
	free(v);
	return rc;
}

static int
retention_summary(const struct cartel_retention_item *v, size_t n,
		  long long n_events, char **out)
{
	char buf[256];
	int used = snprintf(buf, sizeof buf, "%lld events:", n_events);
	for (size_t i = 0; i < n && used < 200; i++)
		used += snprintf(buf + used, sizeof buf - (size_t)used,
				 " %s due %04d-%02d-%02d%s", v[i].id,
				 v[i].due_on.year, v[i].due_on.month,
				 v[i].due_on.day, v[i].due ? " now" : "");
	*out = strdup(buf);
	return *out ? 0 : CARTEL_ENOMEM;
}

static const struct cartel_date purge_day = {2028, 1, 1};

static int
op_retention_list(void *ctx, char **out)
{
	struct fx *f = ctx;
	struct cartel_retention_item *v = NULL;
	size_t n = 0;
	int rc = cartel_retention_list(f->db, &purge_day, &v, &n, WHY);
	if (rc == 0)
		rc = retention_summary(v, n, 0, out);
	cartel_retention_items_free(v, n);
	return rc;
}

static int
op_purge(void *ctx, char **out, int dry)
{
	struct fx *f = ctx;
	struct cartel_purge_result res;
	memset(&res, 0, sizeof res);
	int rc = cartel_purge_due(f->db, &purge_day, dry, "registrar", &res,
				  WHY);
	if (rc == 0) {
		long held = nomem_hold();
		rc = retention_summary(res.items, res.n_items, res.n_events,
				       out);
		nomem_release(held);
	}
	cartel_purge_result_clear(&res);
	return rc;
}

static int
op_purge_dry(void *ctx, char **out)
{
	return op_purge(ctx, out, 1);
}

static int
op_purge_due(void *ctx, char **out)
{
	return op_purge(ctx, out, 0);
}

static void
retention(void **state)
{
	struct fx *f = *state;
	/* Two men handed over long ago, one dead, one under a legal hold. */
	static const char closed[] =
		"id,family_name,given_name,held_by,depends_on,status,"
		"legal_hold\n"
		"C-1,Гончаренко,Ігор,RU,UA,repatriated,\n"
		"C-2,Романенко,Олег,RU,UA,repatriated,\n"
		"C-3,Руденко,Павло,RU,UA,deceased,\n"
		"C-4,Савченко,Юрій,RU,UA,repatriated,proceedings\n";
	char *why = NULL;
	if (import_text(f->db, closed, sizeof closed - 1, &why))
		fail_msg("import: %s", why);
	each_failure(f, op_retention_set, 0);
	each_failure(f, op_retention_list, 0);
	each_failure(f, op_purge_dry, 0);
	each_failure(f, op_purge_due, 1);
	/* The purged keep their ids and statuses, their names are gone, the
	 * man under a hold is kept whole, and nothing is due any more. */
	struct cartel_person p;
	assert_int_equal(cartel_person_get(f->db, "C-1", &p, NULL), 0);
	assert_int_equal(p.status, CARTEL_STATUS_REPATRIATED);
	assert_true(p.family_name == NULL || p.family_name[0] == '\0' ||
		    strcmp(p.family_name, "Гончаренко") != 0);
	cartel_person_clear(&p);
	assert_int_equal(cartel_person_get(f->db, "C-4", &p, NULL), 0);
	assert_string_equal(p.family_name, "Савченко");
	cartel_person_clear(&p);
	char *got = NULL;
	assert_int_equal(op_purge_dry(f, &got), 0);
	assert_string_equal(got, "0 events:");
	free(got);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(printed_list, setup, teardown),
		cmocka_unit_test_setup_teardown(charts, setup, teardown),
		cmocka_unit_test_setup_teardown(server_plans, setup,
						teardown),
		cmocka_unit_test_setup_teardown(server_documents, setup,
						teardown),
		cmocka_unit_test_setup_teardown(lists, setup, teardown),
		cmocka_unit_test_setup_teardown(retention, setup, teardown),
	};
	/* One group when named (ctest runs each as a test of its own). */
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	if (nomem_skipped()) {
		puts("allocation failures: skipped under AddressSanitizer");
		return 0;
	}
	nomem_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
