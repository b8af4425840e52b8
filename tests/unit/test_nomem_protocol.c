/*
 * Allocation failures (nomem.h) in the work between registers and at the
 * server's door: a declaration made, received and linked, an inquiry's
 * life, a merge and its undoing, accounts, sessions, case codes and what
 * a signed-in user asks for. Each operation is run once per allocation
 * cartel's code makes, with that allocation and every later one refused:
 * each failed run returns an error and no result, the register opened
 * afresh still verifies, and the run that gets through gives what a run
 * without failures gives (or, for what can be done only once, proves that
 * no failed run left part of it behind).
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
#include <cartel/backup.h>
#include <cartel/cartel.h>
#include <cartel/declaration.h>
#include <cartel/inquiry.h>
#include <cartel/links.h>
#include <cartel/merge.h>
#include <cartel/pfif.h>
#include <cartel/round.h>
#include <cartel/store.h>
#include <cartel/xlsx.h>

#include "nomem.h"

/* The reason of the last failure, shown when a run that should get
 * through does not. */
static char *why_last;
#define WHY (free(why_last), why_last = NULL, &why_last)

/* With NOMEM_TRACE set, every reason a run gave, to read when a loop
 * fails. */
static int
said(int rc)
{
	if (rc != 0 && why_last != NULL && getenv("NOMEM_TRACE") != NULL)
		fprintf(stderr, "  (%d) %s\n", rc, why_last);
	return rc;
}

/* Two party registers: UA's bureau (ua.db), which holds RU-1..RU-3 and
 * looks for its own UA-1..UA-2, and RU's bureau (ru.db), whose own people
 * are R-1..R-3, the same men under RU's ids. */
struct fx {
	char dir[64];
	char ua_path[128], ru_path[128], decl_path[192];
	struct cartel_db *ua, *ru;
	struct cartel_key ua_key, ru_key;
	int counter; /* makes each run's change a change */
};

static const char ua_csv[] =
	"id,family_name,given_name,patronymic,birth_date,rank,"
	"service_number,held_by,depends_on,category,consent,status\n"
	"RU-1,Иванов,Николай,Петрович,1999-01-05,private,B200,UA,RU,military,"
	"willing,confirmed_captive\n"
	"RU-2,Смирнов,Юрий,,2001-11-11,private,B201,UA,RU,military,willing,"
	"confirmed_captive\n"
	"RU-3,Кузнецов,Алексей,,1980,major,B202,UA,RU,military,willing,"
	"confirmed_captive\n"
	"UA-1,Коваленко,Олександр,Іванович,1994-03-02,private,A100,,UA,"
	"military,not_asked,reported_missing\n"
	"UA-2,Шевченко,Сергій,,1990,sergeant,A101,RU,UA,military,not_asked,"
	"confirmed_captive\n"
	"UA-4,Шевченко,Сергій,,1990,sergeant,A101,RU,UA,military,not_asked,"
	"confirmed_captive\n";

static const char ru_csv[] =
	"id,family_name,given_name,patronymic,birth_date,rank,"
	"service_number,held_by,depends_on,category,consent,status\n"
	"R-1,Иванов,Николай,Петрович,1999-01-05,private,B200,UA,RU,military,"
	"not_asked,confirmed_captive\n"
	"R-2,Смирнов,Юрий,,2001-11-11,private,B201,UA,RU,military,not_asked,"
	"confirmed_captive\n"
	"R-3,Кузнецова,Алла,,1971,,,UA,RU,civilian,not_asked,"
	"confirmed_captive\n";

static int
import_text(struct cartel_db *db, const char *text, size_t len)
{
	FILE *in = fmemopen((void *)text, len, "r");
	struct cartel_import_opts o;
	memset(&o, 0, sizeof o);
	o.all_or_nothing = 1;
	struct cartel_import_result res;
	memset(&res, 0, sizeof res);
	int rc = cartel_import_csv(db, in, "persons.csv", &o, &res, NULL);
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
	snprintf(f->dir, sizeof f->dir, "%s/cartel-nomem-XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->ua_path, sizeof f->ua_path, "%s/ua.db", f->dir);
	snprintf(f->ru_path, sizeof f->ru_path, "%s/ru.db", f->dir);
	snprintf(f->decl_path, sizeof f->decl_path, "%s/held.json", f->dir);
	setenv("CARTEL_NOW", "2026-05-16T09:00:00Z", 1);
	setenv("CARTEL_TODAY", "2026-05-16", 1);
	char *why = NULL;
	if (cartel_db_open(&f->ua, f->ua_path, CARTEL_DB_CREATE, &why) ||
	    cartel_db_open(&f->ru, f->ru_path, CARTEL_DB_CREATE, &why) ||
	    import_text(f->ua, ua_csv, sizeof ua_csv - 1) ||
	    import_text(f->ru, ru_csv, sizeof ru_csv - 1) ||
	    cartel_owner_set(f->ua, CARTEL_OWNER_PARTY, "UA", "t", &why) ||
	    cartel_owner_set(f->ru, CARTEL_OWNER_PARTY, "RU", "t", &why) ||
	    cartel_key_generate(&f->ua_key, "UA", NULL) ||
	    cartel_key_generate(&f->ru_key, "RU", NULL) ||
	    cartel_key_pin(f->ua, "UA", f->ua_key.public_key, 0, "t", NULL,
			   &why) ||
	    cartel_key_pin(f->ru, "UA", f->ua_key.public_key, 0, "t", NULL,
			   &why) ||
	    cartel_key_pin(f->ru, "RU", f->ru_key.public_key, 0, "t", NULL,
			   &why)) {
		fprintf(stderr, "setup: %s\n", why ? why : "?");
		return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	cartel_db_close(f->ua);
	cartel_db_close(f->ru);
	cartel_key_wipe(&f->ua_key);
	cartel_key_wipe(&f->ru_key);
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	int rc = system(cmd);
	free(f);
	return rc == 0 ? 0 : -1;
}

/* Both registers as the next command finds them; with walk, both chains
 * must hold. */
static void
reopen_one(struct cartel_db **db, const char *path, int walk)
{
	char *why = NULL;
	cartel_db_close(*db);
	*db = NULL;
	if (cartel_db_open(db, path, 0, &why))
		fail_msg("reopening after a failed run: %s", why);
	if (walk) {
		struct cartel_audit_report rep;
		if (cartel_audit_verify(*db, NULL, &rep, &why))
			fail_msg("audit verify after a failed run: %s", why);
	}
}

static void
after_run(void *ctx, int walk)
{
	struct fx *f = ctx;
	reopen_one(&f->ua, f->ua_path, walk);
	reopen_one(&f->ru, f->ru_path, walk);
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

/* A JSON value as compact text, the summary of a run (keys sorted). */
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

/* ---- Declarations and links ----------------------------------------- */

/* UA declares the persons it holds; each run writes a new file and
 * numbers a new declaration, so the summary leaves the sequence and
 * digest out. */
static int
op_declare(void *ctx, char **out)
{
	struct fx *f = ctx;
	struct cartel_declare_opts o;
	memset(&o, 0, sizeof o);
	o.kind = CARTEL_DECL_HELD;
	o.key = &f->ua_key;
	o.actor = "bureau";
	struct cartel_declare_result res;
	char path[192];
	snprintf(path, sizeof path, "%s/held-%d.json", f->dir, ++f->counter);
	int rc = cartel_declare(f->ua, &o, path, &res, WHY);
	if (rc == 0) {
		/* The one the other side receives: the last made. */
		snprintf(f->decl_path, sizeof f->decl_path, "%s", path);
		char buf[64];
		snprintf(buf, sizeof buf, "%zu persons", res.n_persons);
		*out = strdup(buf);
		rc = *out ? 0 : CARTEL_ENOMEM;
	}
	return rc;
}

/* RU receives UA's declaration, once, and writes what changed as JSON. */
static int
op_receive(void *ctx, char **out)
{
	struct fx *f = ctx;
	struct cartel_receive_opts o;
	memset(&o, 0, sizeof o);
	o.actor = "bureau";
	struct cartel_receive_result res;
	memset(&res, 0, sizeof res);
	int rc = cartel_receive(f->ru, f->decl_path, &o, &res, WHY);
	/* Received: what is said of it can no longer undo it. */
	char *text = NULL;
	long held = nomem_hold();
	if (rc == 0 && (rc = cartel_receive_result_json(&res, &text, WHY)) ==
			       0)
		*out = strdup(strstr(text, "\"added\"") ? "received"
							 : "no additions");
	free(text);
	nomem_release(held);
	cartel_receive_result_clear(&res);
	return rc;
}

static int
op_links_make(void *ctx, char **out)
{
	struct fx *f = ctx;
	struct cartel_link_side theirs = {"UA", CARTEL_DECL_HELD};
	struct cartel_link_side ours = {NULL, CARTEL_DECL_HELD};
	struct cartel_links_result res;
	memset(&res, 0, sizeof res);
	int rc = cartel_links_make(f->ru, &theirs, &ours, NULL, "bureau",
				   &res, WHY);
	char *text = NULL;
	long held = nomem_hold();
	if (rc == 0 &&
	    (rc = cartel_links_result_json(&res, &text, WHY)) == 0) {
		char buf[64];
		snprintf(buf, sizeof buf, "%zu made %zu review %zu unmatched",
			 res.n_made, res.n_review, res.n_unmatched);
		*out = strdup(buf);
	}
	free(text);
	nomem_release(held);
	cartel_links_result_clear(&res);
	return rc;
}

static int
op_links_list(void *ctx, char **out)
{
	struct fx *f = ctx;
	struct cartel_link *v = NULL;
	size_t n = 0;
	int rc = cartel_links_list(f->ru, "UA", &v, &n, WHY);
	char *text = NULL;
	if (rc == 0 && (rc = cartel_links_json(v, n, &text, WHY)) == 0) {
		*out = text;
		text = NULL;
	}
	/* The lookups a round makes through the links. */
	char *ours = NULL, *theirs = NULL;
	if (rc == 0 &&
	    (rc = cartel_link_ours(f->ru, "UA", "RU-1", NULL, &ours, WHY)) ==
		    0 &&
	    (rc = cartel_link_theirs(f->ru, "UA", NULL, ours, &theirs,
				     WHY)) == 0 &&
	    strcmp(theirs, "RU-1") != 0)
		rc = CARTEL_EINVAL;
	if (rc != 0) {
		free(*out);
		*out = NULL;
	}
	free(ours);
	free(theirs);
	cartel_links_free(v, n);
	return rc;
}

static int
op_link_revoke(void *ctx, char **out)
{
	struct fx *f = ctx;
	int rc = cartel_link_decide(f->ru, "UA", "RU-2", "R-2", 0, "bureau",
				    "not him", WHY);
	if (rc == 0)
		*out = nomem_keep("revoked");
	return rc;
}

static int
op_link_confirm(void *ctx, char **out)
{
	struct fx *f = ctx;
	int rc = cartel_link_decide(f->ru, "UA", "RU-2", "R-2", 1, "bureau",
				    NULL, WHY);
	if (rc == 0)
		*out = nomem_keep("confirmed");
	return rc;
}

static void
declarations(void **state)
{
	struct fx *f = *state;
	each_failure(f, op_declare, 0);
	each_failure(f, op_receive, 1);
	each_failure(f, op_links_make, 1);
	each_failure(f, op_links_list, 0);
	each_failure(f, op_link_revoke, 1);
	each_failure(f, op_link_confirm, 1);
	/* What the loops left: RU-1 and RU-2 linked to RU's own men. */
	char *ours = NULL;
	assert_int_equal(cartel_link_ours(f->ru, "UA", "RU-2", NULL, &ours,
					  NULL),
			 0);
	assert_string_equal(ours, "R-2");
	free(ours);
}

/* ---- Inquiries and merges ------------------------------------------- */

static int
op_inquiry_record(void *ctx, char **out)
{
	struct fx *f = ctx;
	struct cartel_person sought;
	memset(&sought, 0, sizeof sought);
	sought.family_name = (char *)"Шевченко";
	sought.given_name = (char *)"Сергей";
	sought.birth_date = (struct cartel_date){1990, 0, 0};
	struct cartel_inquiry_request req;
	memset(&req, 0, sizeof req);
	req.sought = &sought;
	req.requester = "mother";
	req.relation = "mother";
	req.contact = "+380 1";
	req.typed = "Шевченко Сергей";
	char *id = NULL;
	size_t found = 0;
	int rc = cartel_inquiry_record(f->ua, &req, "hotline", NULL, &id,
				       &found, WHY);
	if (rc == 0) {
		char buf[64];
		snprintf(buf, sizeof buf, "%zu found", found);
		*out = nomem_keep(buf);
	}
	free(id);
	return rc;
}

/* The first inquiry read back, every inquiry listed, the call-backs. */
static int
op_inquiry_read(void *ctx, char **out)
{
	struct fx *f = ctx;
	struct cartel_inquiry q;
	memset(&q, 0, sizeof q);
	int rc = cartel_inquiry_get(f->ua, "INQ-000001", &q, WHY);
	json_t *j = rc == 0 ? cartel_inquiry_json(&q) : NULL;
	if (rc == 0 && j == NULL)
		rc = CARTEL_ENOMEM;
	cartel_inquiry_clear(&q);
	struct cartel_inquiry *v = NULL;
	size_t n = 0;
	if (rc == 0)
		rc = cartel_inquiry_list(f->ua, 1, NULL, &v, &n, WHY);
	cartel_inquiries_free(v, n);
	struct cartel_callback *cb = NULL;
	size_t n_cb = 0;
	if (rc == 0)
		rc = cartel_inquiry_callbacks(f->ua, 1, &cb, &n_cb, WHY);
	for (size_t i = 0; rc == 0 && i < n_cb; i++) {
		json_t *c = cartel_callback_json(&cb[i]);
		if (c == NULL)
			rc = CARTEL_ENOMEM;
		json_decref(c);
	}
	cartel_callbacks_free(cb, n_cb);
	json_t *cand = j ? json_object_get(j, "candidates") : NULL;
	if (rc == 0 && json_array_size(cand) == 0)
		rc = CARTEL_EINVAL; /* the inquiry found no one */
	json_decref(j);
	if (rc == 0) {
		char buf[64];
		snprintf(buf, sizeof buf, "%zu open", n);
		*out = strdup(buf);
		rc = *out ? 0 : CARTEL_ENOMEM;
	}
	return rc;
}

static int
op_inquiry_close(void *ctx, char **out)
{
	struct fx *f = ctx;
	int rc = cartel_inquiry_close(f->ua, "INQ-000002",
				      "the family found him", "hotline",
				      WHY);
	if (rc == 0)
		*out = nomem_keep("closed");
	return rc;
}

static int
op_merge(void *ctx, char **out)
{
	struct fx *f = ctx;
	size_t conflicts = 0;
	int rc = cartel_person_merge(f->ua, "UA-2", "UA-4", "clerk",
				     "one man, two records", &conflicts,
				     WHY);
	if (rc == 0)
		*out = nomem_keep("merged");
	return rc;
}

static int
op_merges(void *ctx, char **out)
{
	struct fx *f = ctx;
	struct cartel_merge *m = NULL;
	size_t n = 0;
	char *into = NULL;
	int rc = cartel_person_merges(f->ua, "UA-2", 1, &m, &n, WHY);
	if (rc == 0)
		rc = cartel_person_merged_into(f->ua, "UA-4", &into, WHY);
	if (rc == 0) {
		char buf[64];
		snprintf(buf, sizeof buf, "%zu merges, into %s", n,
			 into ? into : "-");
		*out = strdup(buf);
		rc = *out ? 0 : CARTEL_ENOMEM;
	}
	free(into);
	cartel_merges_free(m, n);
	return rc;
}

static int
op_unmerge(void *ctx, char **out)
{
	struct fx *f = ctx;
	char *keep = NULL;
	int rc = cartel_person_unmerge(f->ua, "UA-4", "clerk", "two men",
				       &keep, WHY);
	if (rc == 0)
		*out = nomem_keep(keep);
	free(keep);
	return rc;
}

static void
inquiries_and_merges(void **state)
{
	struct fx *f = *state;
	each_failure(f, op_inquiry_record, 0);
	each_failure(f, op_inquiry_read, 0);
	each_failure(f, op_inquiry_close, 1);
	each_failure(f, op_merge, 1);
	each_failure(f, op_merges, 0);
	each_failure(f, op_unmerge, 1);
}

/* ---- Backups ------------------------------------------------------- */

/* A backup of UA's register, restored as a new register: each run to
 * files of its own. Plain, not encrypted: the key derivation takes a
 * second a run, and what it allocates is checked by test_backup_errors. */
static int
op_backup(void *ctx, char **out)
{
	struct fx *f = ctx;
	char copy[192], back[192];
	int k = ++f->counter;
	snprintf(copy, sizeof copy, "%s/copy-%d.bak", f->dir, k);
	snprintf(back, sizeof back, "%s/restored-%d.db", f->dir, k);
	int rc = cartel_backup(f->ua, copy, NULL, 0, WHY);
	int encrypted = 0;
	if (rc == 0)
		rc = cartel_backup_probe(copy, &encrypted, WHY);
	struct cartel_restore_report rep;
	memset(&rep, 0, sizeof rep);
	if (rc == 0)
		rc = cartel_restore(copy, back, NULL, 0, 0, &rep, WHY);
	if (rc == 0) {
		char buf[64];
		snprintf(buf, sizeof buf, "%s, %zu persons",
			 encrypted || rep.encrypted ? "encrypted" : "plain",
			 (size_t)rep.audit.n_persons);
		*out = strdup(buf);
		rc = *out ? 0 : CARTEL_ENOMEM;
	}
	return rc;
}

static void
backups(void **state)
{
	struct fx *f = *state;
	each_failure(f, op_backup, 0);
}

/* ---- Lists as they travel: XLSX and PFIF ---------------------------- */

/* A fresh register for one run, at a path of its own. */
static int
fresh(struct fx *f, struct cartel_db **db)
{
	char path[192];
	snprintf(path, sizeof path, "%s/fresh-%d.db", f->dir, ++f->counter);
	return cartel_db_open(db, path, CARTEL_DB_CREATE, WHY);
}

/* UA's register written as a workbook and read into a fresh register. */
static int
op_xlsx(void *ctx, char **out)
{
	struct fx *f = ctx;
	char book[192];
	snprintf(book, sizeof book, "%s/book-%d.xlsx", f->dir, ++f->counter);
	long long n_out = 0;
	int rc = cartel_export_xlsx(f->ua, book, &n_out, NULL, WHY);
	struct cartel_db *db = NULL;
	if (rc == 0)
		rc = fresh(f, &db);
	struct cartel_import_opts o;
	memset(&o, 0, sizeof o);
	o.all_or_nothing = 1;
	struct cartel_import_result res;
	memset(&res, 0, sizeof res);
	if (rc == 0)
		rc = cartel_import_xlsx(db, book, NULL, &o, &res, WHY);
	if (rc == 0) {
		char buf[64];
		snprintf(buf, sizeof buf, "%lld out, %zu in", n_out,
			 res.imported);
		*out = strdup(buf);
		rc = *out ? 0 : CARTEL_ENOMEM;
	}
	cartel_import_result_clear(&res);
	cartel_db_close(db);
	return rc;
}

/* UA's register as a PFIF feed (captives included), read into a fresh
 * register. */
static int
op_pfif(void *ctx, char **out)
{
	struct fx *f = ctx;
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	if (mem == NULL)
		return CARTEL_ENOMEM;
	struct cartel_pfif_opts po;
	memset(&po, 0, sizeof po);
	po.include_captives = 1;
	struct cartel_pfif_counts counts;
	memset(&counts, 0, sizeof counts);
	int rc = cartel_export_pfif(f->ua, mem, &po, &counts, WHY);
	if (fclose(mem) != 0 && rc == 0)
		rc = CARTEL_EIO;
	struct cartel_db *db = NULL;
	if (rc == 0)
		rc = fresh(f, &db);
	FILE *in = rc == 0 ? fmemopen(text, len, "r") : NULL;
	if (rc == 0 && in == NULL)
		rc = CARTEL_ENOMEM;
	struct cartel_import_opts o;
	memset(&o, 0, sizeof o);
	o.all_or_nothing = 1;
	struct cartel_import_result res;
	memset(&res, 0, sizeof res);
	if (rc == 0)
		rc = cartel_import_pfif(db, in, "feed.xml", &po, &o, &res,
					WHY);
	if (in != NULL)
		fclose(in);
	if (rc == 0) {
		char buf[64];
		snprintf(buf, sizeof buf, "%zu persons %zu notes out, %zu in",
			 counts.persons, counts.notes, res.imported);
		*out = strdup(buf);
		rc = *out ? 0 : CARTEL_ENOMEM;
	}
	cartel_import_result_clear(&res);
	cartel_db_close(db);
	free(text);
	return rc;
}

static void
travelling_lists(void **state)
{
	struct fx *f = *state;
	each_failure(f, op_xlsx, 0);
	each_failure(f, op_pfif, 0);
}

/* ---- Accounts, sessions and what a signed-in user asks for ---------- */

static const char pw[] = "correct horse battery";

static int
op_user_add(void *ctx, char **out)
{
	struct fx *f = ctx;
	int rc = cartel_user_add(f->ua, "reg.ua", CARTEL_ROLE_REGISTRAR, "UA",
				 pw, sizeof pw - 1, "admin", WHY);
	if (rc == 0)
		*out = nomem_keep("added");
	return rc;
}

static int
op_user_list(void *ctx, char **out)
{
	struct fx *f = ctx;
	struct cartel_user *v = NULL;
	size_t n = 0;
	int rc = cartel_user_list(f->ua, &v, &n, WHY);
	json_t *a = rc == 0 ? json_array() : NULL;
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (json_array_append_new(a, cartel_user_json(&v[i])) != 0)
			rc = CARTEL_ENOMEM;
	cartel_users_free(v, n);
	return summary_of(a, rc, out);
}

/* Signs in, reads the session back, checks its token and signs out. */
static int
op_session(void *ctx, char **out)
{
	struct fx *f = ctx;
	struct cartel_session s, back;
	memset(&s, 0, sizeof s);
	memset(&back, 0, sizeof back);
	int rc = cartel_login(f->ua, "reg.ua", pw, sizeof pw - 1, "10.0.0.1",
			      1800000000, &s, WHY);
	if (rc == 0)
		rc = cartel_session_get(f->ua, s.id, 1800000100, 1800,
					"10.0.0.1", &back, WHY);
	if (rc == 0 && cartel_session_csrf(&back, s.csrf) != 0)
		rc = CARTEL_EINVAL;
	if (rc == 0)
		rc = cartel_logout(f->ua, &back, "10.0.0.1", WHY);
	if (rc == 0) {
		char buf[96];
		snprintf(buf, sizeof buf, "%s %s", back.user.name,
			 cartel_role_name(back.user.role));
		*out = strdup(buf);
		rc = *out ? 0 : CARTEL_ENOMEM;
	}
	cartel_session_clear(&s);
	cartel_session_clear(&back);
	return rc;
}

/* A registrar of UA: UA's user as the server has it after sign-in. */
static void
registrar(struct cartel_user *u)
{
	memset(u, 0, sizeof *u);
	u->name = (char *)"reg.ua";
	u->role = CARTEL_ROLE_REGISTRAR;
	u->party = (char *)"UA";
}

static int
op_read_person(void *ctx, char **out)
{
	struct fx *f = ctx;
	struct cartel_user u;
	registrar(&u);
	json_t *j = NULL;
	int rc = cartel_account_person(f->ua, &u, "RU-1", "10.0.0.1", &j,
				       WHY);
	if (rc == 0)
		json_object_del(j, "version");
	return summary_of(j, rc, out);
}

static int
op_search(void *ctx, char **out)
{
	struct fx *f = ctx;
	struct cartel_user u;
	registrar(&u);
	json_t *j = NULL;
	int rc = cartel_account_search(f->ua, &u, "Ivanov Nikolai", "1999",
				       0, 10, "10.0.0.1", &j, WHY);
	long long total = rc == 0 ? json_integer_value(json_object_get(j,
								       "total"))
				  : 0;
	json_decref(j);
	if (rc == 0) {
		char buf[32];
		snprintf(buf, sizeof buf, "%lld hits", total);
		*out = strdup(buf);
		rc = *out ? 0 : CARTEL_ENOMEM;
	}
	return rc;
}

/* A change each run (another camp), so that every run records one. */
static int
op_event(void *ctx, char **out)
{
	struct fx *f = ctx;
	struct cartel_user u;
	registrar(&u);
	char camp[32];
	snprintf(camp, sizeof camp, "camp %d", ++f->counter);
	json_t *body = json_pack("{s:s, s:s}", "type", "internment_place",
				 "value", camp);
	if (body == NULL)
		return CARTEL_ENOMEM;
	json_t *j = NULL;
	int rc = cartel_account_event(f->ua, &u, "RU-1", body, "10.0.0.1", &j,
				      WHY);
	json_decref(body);
	json_decref(j);
	if (rc == 0)
		*out = nomem_keep("recorded");
	return rc;
}

static int
op_person_add(void *ctx, char **out)
{
	struct fx *f = ctx;
	struct cartel_user u;
	registrar(&u);
	json_t *body = json_pack("{s:s, s:s, s:s, s:s}", "family_name",
				 "Петров", "given_name", "Иван", "held_by",
				 "UA", "depends_on", "RU");
	if (body == NULL)
		return CARTEL_ENOMEM;
	json_t *j = NULL;
	int rc = cartel_account_person_add(f->ua, &u, body, "10.0.0.1", &j,
					   WHY);
	json_decref(body);
	json_decref(j);
	if (rc == 0)
		*out = nomem_keep("added");
	return rc;
}

/* A hotline files an inquiry; its case code then tells the family where
 * the case stands. */
static int
op_case(void *ctx, char **out)
{
	struct fx *f = ctx;
	struct cartel_user u;
	memset(&u, 0, sizeof u);
	u.name = (char *)"line.1";
	u.role = CARTEL_ROLE_HOTLINE;
	json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:s}", "family_name",
				 "Коваленко", "given_name", "Олександр",
				 "birth_date", "1994-03-02", "requester",
				 "wife", "contact", "+380 2");
	if (body == NULL)
		return CARTEL_ENOMEM;
	json_t *filed = NULL, *status = NULL;
	int rc = cartel_account_inquiry(f->ua, &u, body, "10.0.0.2", &filed,
					WHY);
	json_decref(body);
	const char *code =
		rc == 0 ? json_string_value(json_object_get(filed, "case_code"))
			: NULL;
	if (rc == 0 && code == NULL)
		rc = CARTEL_EINVAL;
	if (rc == 0)
		rc = cartel_case_status(f->ua, code, "10.0.0.3", &status, WHY);
	json_decref(filed);
	if (rc == 0) {
		/* The case's id differs from run to run; its status not. */
		json_object_del(status, "case");
		json_object_del(status, "warning");
		json_object_del(status, "text");
	}
	return summary_of(status, rc, out);
}

static int
op_access_log(void *ctx, char **out)
{
	struct fx *f = ctx;
	json_t *j = NULL;
	int rc = cartel_access_log_json(f->ua, 0, 5, &j, WHY);
	json_t *items = rc == 0 ? json_object_get(j, "items") : NULL;
	if (rc == 0 && json_array_size(items) != 5)
		rc = CARTEL_EINVAL;
	json_decref(j);
	if (rc == 0) {
		*out = strdup("5 lines");
		rc = *out ? 0 : CARTEL_ENOMEM;
	}
	return rc;
}

static int
op_password(void *ctx, char **out)
{
	struct fx *f = ctx;
	static const char pw2[] = "another long passphrase";
	int rc = cartel_user_password(f->ua, "reg.ua", pw2, sizeof pw2 - 1,
				      "admin", WHY);
	if (rc == 0)
		*out = nomem_keep("changed");
	return rc;
}

static int
op_disable(void *ctx, char **out)
{
	struct fx *f = ctx;
	int rc = cartel_user_disable(f->ua, "reg.ua", "admin", WHY);
	if (rc == 0)
		*out = nomem_keep("disabled");
	return rc;
}

static void
accounts(void **state)
{
	struct fx *f = *state;
	each_failure(f, op_user_add, 1);
	each_failure(f, op_user_list, 0);
	each_failure(f, op_session, 0);
	each_failure(f, op_read_person, 0);
	each_failure(f, op_search, 0);
	each_failure(f, op_event, 0);
	each_failure(f, op_person_add, 0);
	each_failure(f, op_case, 0);
	each_failure(f, op_access_log, 0);
	each_failure(f, op_password, 1);
	each_failure(f, op_disable, 1);
	/* A disabled account signs in no more. */
	struct cartel_session s;
	memset(&s, 0, sizeof s);
	static const char pw2[] = "another long passphrase";
	assert_int_equal(cartel_login(f->ua, "reg.ua", pw2, sizeof pw2 - 1,
				      "10.0.0.1", 1800000000, &s, NULL),
			 CARTEL_EDENIED);
	cartel_session_clear(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(declarations, setup, teardown),
		cmocka_unit_test_setup_teardown(inquiries_and_merges, setup,
						teardown),
		cmocka_unit_test_setup_teardown(backups, setup, teardown),
		cmocka_unit_test_setup_teardown(travelling_lists, setup,
						teardown),
		cmocka_unit_test_setup_teardown(accounts, setup, teardown),
	};
	if (nomem_skipped()) {
		puts("allocation failures: skipped under AddressSanitizer");
		return 0;
	}
	nomem_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
