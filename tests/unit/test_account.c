/*
 * Unit tests for the rules of <cartel/account.h>: which role may do what
 * on whose record, the password rule, case codes as a family reads them
 * out (any case, dashes or spaces, I/L/O), and the attempt limiter.
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
#include <jansson.h>

#include <cartel/account.h>
#include <cartel/cartel.h>
#include <cartel/inquiry.h>
#include <cartel/match.h>
#include <cartel/store.h>

static struct cartel_user
user(enum cartel_role r, const char *party)
{
	struct cartel_user u = {.name = (char *)"u", .role = r,
				.party = (char *)party};
	return u;
}

static struct cartel_person
person(const char *held_by, const char *depends_on, enum cartel_status s)
{
	struct cartel_person p;
	memset(&p, 0, sizeof p);
	p.id = (char *)"X-1";
	p.held_by = (char *)held_by;
	p.depends_on = (char *)depends_on;
	p.status = s;
	return p;
}

static void
roles_may(void **state)
{
	(void)state;
	struct cartel_user adm = user(CARTEL_ROLE_ADMIN, NULL);
	struct cartel_user med = user(CARTEL_ROLE_MEDIATOR, NULL);
	struct cartel_user hot = user(CARTEL_ROLE_HOTLINE, NULL);
	struct cartel_user ua = user(CARTEL_ROLE_REGISTRAR, "UA");
	char *why = NULL;
	/* The hotline never changes the register; admin reads no record. */
	assert_int_equal(cartel_may(&hot, CARTEL_DO_PERSON_CHANGE, NULL, &why),
			 CARTEL_EDENIED);
	assert_non_null(strstr(why, "hotline"));
	free(why);
	why = NULL;
	assert_int_equal(cartel_may(&adm, CARTEL_DO_PERSON_READ, NULL, NULL),
			 CARTEL_EDENIED);
	assert_int_equal(cartel_may(&med, CARTEL_DO_PERSON_CHANGE, NULL, NULL),
			 CARTEL_EDENIED);
	assert_int_equal(cartel_may(&adm, CARTEL_DO_ACCESS_LOG, NULL, NULL), 0);
	assert_int_equal(cartel_may(&med, CARTEL_DO_ACCESS_LOG, NULL, NULL),
			 CARTEL_EDENIED);
	assert_int_equal(cartel_may(&hot, CARTEL_DO_CALLBACKS, NULL, NULL), 0);
	assert_int_equal(cartel_may(NULL, CARTEL_DO_SEARCH, NULL, NULL),
			 CARTEL_EDENIED);
	struct cartel_user off = user(CARTEL_ROLE_MEDIATOR, NULL);
	off.disabled = 1;
	assert_int_equal(cartel_may(&off, CARTEL_DO_SEARCH, NULL, NULL),
			 CARTEL_EDENIED);

	/* A registrar of UA: what UA holds, UA's own missing held by no one. */
	struct cartel_person held = person("UA", "RU",
					   CARTEL_STATUS_CONFIRMED_CAPTIVE);
	struct cartel_person theirs = person("RU", "UA",
					     CARTEL_STATUS_CONFIRMED_CAPTIVE);
	struct cartel_person missing = person(NULL, "UA",
					      CARTEL_STATUS_REPORTED_MISSING);
	struct cartel_person other = person(NULL, "RU",
					    CARTEL_STATUS_REPORTED_MISSING);
	assert_int_equal(cartel_may(&ua, CARTEL_DO_PERSON_CHANGE, &held, NULL),
			 0);
	assert_int_equal(cartel_may(&ua, CARTEL_DO_PERSON_CHANGE, &missing,
				    NULL),
			 0);
	assert_int_equal(cartel_may(&ua, CARTEL_DO_PERSON_CHANGE, &theirs,
				    &why),
			 CARTEL_EDENIED);
	assert_null(strstr(why, "X-1")); /* the rule, not the record */
	free(why);
	assert_int_equal(cartel_may(&ua, CARTEL_DO_PERSON_READ, &theirs, NULL),
			 0);
	assert_int_equal(cartel_may(&ua, CARTEL_DO_PERSON_READ, &other, NULL),
			 CARTEL_EDENIED);
	assert_int_equal(cartel_may(&ua, CARTEL_DO_PERSON_CHANGE, &other, NULL),
			 CARTEL_EDENIED);
	/* UA's own, but found held by RU since: RU's to change now. */
	struct cartel_person found = person("RU", "UA",
					    CARTEL_STATUS_REPORTED_MISSING);
	assert_int_equal(cartel_may(&ua, CARTEL_DO_PERSON_CHANGE, &found, NULL),
			 CARTEL_EDENIED);

	/* Merging: an admin any record; a registrar those his party may
	 * change; hotline and mediator none. Importing: registrars only,
	 * row by row as a change. Closing an inquiry: hotline, registrar,
	 * mediator; not an admin. */
	why = NULL;
	assert_int_equal(cartel_may(&adm, CARTEL_DO_MERGE, &theirs, NULL), 0);
	assert_int_equal(cartel_may(&ua, CARTEL_DO_MERGE, &held, NULL), 0);
	assert_int_equal(cartel_may(&ua, CARTEL_DO_MERGE, &missing, NULL), 0);
	assert_int_equal(cartel_may(&ua, CARTEL_DO_MERGE, &theirs, &why),
			 CARTEL_EDENIED);
	assert_non_null(strstr(why, "merges only"));
	free(why);
	why = NULL;
	assert_int_equal(cartel_may(&hot, CARTEL_DO_MERGE, NULL, NULL),
			 CARTEL_EDENIED);
	assert_int_equal(cartel_may(&med, CARTEL_DO_MERGE, NULL, NULL),
			 CARTEL_EDENIED);
	assert_int_equal(cartel_may(&ua, CARTEL_DO_IMPORT, &held, NULL), 0);
	assert_int_equal(cartel_may(&ua, CARTEL_DO_IMPORT, &theirs, NULL),
			 CARTEL_EDENIED);
	assert_int_equal(cartel_may(&adm, CARTEL_DO_IMPORT, NULL, NULL),
			 CARTEL_EDENIED);
	assert_int_equal(cartel_may(&hot, CARTEL_DO_IMPORT, NULL, NULL),
			 CARTEL_EDENIED);
	assert_int_equal(cartel_may(&hot, CARTEL_DO_INQUIRY_CLOSE, NULL, NULL),
			 0);
	assert_int_equal(cartel_may(&med, CARTEL_DO_INQUIRY_CLOSE, NULL, NULL),
			 0);
	assert_int_equal(cartel_may(&adm, CARTEL_DO_INQUIRY_CLOSE, NULL, NULL),
			 CARTEL_EDENIED);
	assert_string_equal(cartel_action_name(CARTEL_DO_MERGE),
			    "person.merge");
}

static void
passwords(void **state)
{
	(void)state;
	assert_int_equal(cartel_password_check("short", 5, NULL),
			 CARTEL_EINVAL);
	assert_int_equal(cartel_password_check("twelve chars", 12, NULL), 0);
	/* Characters, not bytes: 11 Cyrillic letters are 22 bytes. */
	const char *cy = "пароль1234й"; /* 11 characters */
	assert_int_equal(cartel_password_check(cy, strlen(cy), NULL),
			 CARTEL_EINVAL);
	assert_int_equal(cartel_password_check("abcdefghijk\xff", 12, NULL),
			 CARTEL_EINVAL);
	assert_int_equal(cartel_password_check("abcdefghijk\0z", 13, NULL),
			 CARTEL_EINVAL);
}

static void
case_codes(void **state)
{
	(void)state;
	char dir[] = "/tmp/cartel-account-XXXXXX", path[128];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/r.db", dir);
	struct cartel_db *db;
	assert_int_equal(cartel_db_open(&db, path, CARTEL_DB_CREATE, NULL), 0);
	char code[CARTEL_CASE_CODE_SIZE], code2[CARTEL_CASE_CODE_SIZE];
	assert_int_equal(cartel_case_code_new(db, "INQ-000001", code, NULL), 0);
	assert_int_equal(cartel_case_code_new(db, "INQ-000001", code2, NULL),
			 0);
	assert_int_equal(strlen(code), 24);
	assert_string_not_equal(code, code2);
	for (int i = 0; i < 24; i++)
		assert_true(i % 5 == 4 ? code[i] == '-'
				       : strchr("ILOU", code[i]) == NULL);
	/* The code points at an inquiry that is not there: the lookup
	 * finds the code, then not the inquiry. A wrong code is not found. */
	json_t *out = NULL;
	char typed[64];
	size_t k = 0;
	for (int i = 0; code[i]; i++)
		if (code[i] != '-')
			typed[k++] = (char)(code[i] == '1'   ? 'l'
					    : code[i] == '0' ? 'o'
					    : code[i] >= 'A' ? code[i] + 32
							     : code[i]);
	typed[k] = '\0';
	assert_int_equal(cartel_case_status(db, typed, "t", &out, NULL),
			 CARTEL_ENOTFOUND);
	char wrong[CARTEL_CASE_CODE_SIZE];
	memcpy(wrong, code, sizeof wrong);
	wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
	assert_int_equal(cartel_case_status(db, wrong, "t", &out, NULL),
			 CARTEL_ENOTFOUND);
	assert_int_equal(cartel_case_status(db, "", "t", &out, NULL),
			 CARTEL_ENOTFOUND);
	/* Both lookups are in the access log, as the family's. */
	json_t *log = NULL;
	assert_int_equal(cartel_access_log_json(db, 0, 10, &log, NULL), 0);
	assert_true(json_integer_value(json_object_get(log, "total")) >= 3);
	json_t *e0 = json_array_get(json_object_get(log, "items"), 0);
	assert_string_equal(json_string_value(json_object_get(e0, "user")),
			    "family");
	json_decref(log);
	cartel_db_close(db);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void
limiter(void **state)
{
	(void)state;
	struct cartel_limiter *l = cartel_limiter_new(3, 60);
	assert_non_null(l);
	for (int i = 0; i < 3; i++)
		assert_int_equal(cartel_limiter_hit(l, "10.0.0.1", 100), 0);
	assert_int_equal(cartel_limiter_over(l, "10.0.0.1", 100), 1);
	assert_int_equal(cartel_limiter_hit(l, "10.0.0.1", 101), 1);
	assert_int_equal(cartel_limiter_over(l, "10.0.0.2", 101), 0);
	/* The window passes. */
	assert_int_equal(cartel_limiter_over(l, "10.0.0.1", 161), 0);
	assert_int_equal(cartel_limiter_hit(l, "10.0.0.1", 161), 0);
	cartel_limiter_free(l);
}

/* What a family reads for each state of the man its inquiry found: held
 * (since a date, or a date not known), on an agreed list, handed over,
 * released, reported missing, and news to be given in person; then a
 * case still searching and one closed. Never a name. */
static void
case_status_by_state(void **state)
{
	(void)state;
	char dir[] = "/tmp/cartel-account-XXXXXX", path[128];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/r.db", dir);
	setenv("CARTEL_NOW", "2026-05-16T09:00:00Z", 1);
	setenv("CARTEL_TODAY", "2026-05-16", 1);
	struct cartel_db *db;
	char *why = NULL;
	assert_int_equal(cartel_db_open(&db, path, CARTEL_DB_CREATE, NULL), 0);
	static const char csv[] =
		"id,family_name,given_name,birth_date,held_by,depends_on,"
		"status,held_since\n"
		"P1,Коваленко,Олександр,1990-01-01,RU,UA,confirmed_captive,"
		"2025-01-10\n"
		"P2,Шевченко,Богдан,1981-02-02,RU,UA,confirmed_captive,\n"
		"P3,Бондаренко,Микола,1972-03-03,RU,UA,agreed,\n"
		"P4,Ткаченко,Василь,1963-04-04,RU,UA,repatriated,\n"
		"P5,Кравченко,Петро,1994-05-05,RU,UA,released,\n"
		"P6,Олійник,Дмитро,1985-06-06,,UA,reported_missing,\n"
		"P7,Лисенко,Андрій,1977-07-07,RU,UA,deceased,\n";
	FILE *in = fmemopen((void *)csv, sizeof csv - 1, "r");
	struct cartel_import_opts o;
	memset(&o, 0, sizeof o);
	o.all_or_nothing = 1;
	struct cartel_import_result res;
	memset(&res, 0, sizeof res);
	if (cartel_import_csv(db, in, "p.csv", &o, &res, &why))
		fail_msg("import: %s", why);
	fclose(in);
	cartel_import_result_clear(&res);
	static const struct {
		const char *id, *family, *given, *status, *text;
		int year, month, day;
	} want[] = {
		{"P1", "Коваленко", "Олександр", "held",
		 "Confirmed held since 2025-01-10.", 1990, 1, 1},
		{"P2", "Шевченко", "Богдан", "held",
		 "Confirmed held since a date not known.", 1981, 2, 2},
		{"P3", "Бондаренко", "Микола", "on_list",
		 "On the list agreed on 2026-05-16.", 1972, 3, 3},
		{"P4", "Ткаченко", "Василь", "handed_over",
		 "Handed over on 2026-05-16.", 1963, 4, 4},
		{"P5", "Кравченко", "Петро", "released",
		 "Released on 2026-05-16.", 1994, 5, 5},
		{"P6", "Олійник", "Дмитро", "reported_missing",
		 "Reported missing.", 1985, 6, 6},
		{"P7", "Лисенко", "Андрій", "contact_hotline",
		 "Please call the hotline.", 1977, 7, 7},
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		struct cartel_person sought;
		memset(&sought, 0, sizeof sought);
		sought.family_name = (char *)want[i].family;
		sought.given_name = (char *)want[i].given;
		sought.birth_date = (struct cartel_date){
			want[i].year, want[i].month, want[i].day};
		struct cartel_inquiry_request req;
		memset(&req, 0, sizeof req);
		req.sought = &sought;
		req.requester = "mother";
		req.relation = "mother";
		req.contact = "+380 1";
		char *inq = NULL;
		size_t found = 0;
		if (cartel_inquiry_record(db, &req, "hotline", NULL, &inq,
					  &found, &why))
			fail_msg("inquiry: %s", why);
		if (cartel_review_decide(db, inq, want[i].id, 1, "hotline",
					 "his mother knew him", &why))
			fail_msg("%s: %s", want[i].id, why);
		char code[CARTEL_CASE_CODE_SIZE];
		assert_int_equal(cartel_case_code_new(db, inq, code, NULL), 0);
		json_t *out = NULL;
		if (cartel_case_status(db, code, "10.0.0.9", &out, &why))
			fail_msg("%s: %s", want[i].id, why);
		assert_string_equal(
			json_string_value(json_object_get(out, "status")),
			want[i].status);
		const char *text =
			json_string_value(json_object_get(out, "text"));
		if (strstr(text, want[i].text) == NULL)
			fail_msg("%s: %s", want[i].id, text);
		assert_null(strstr(text, want[i].family));
		assert_string_equal(
			json_string_value(json_object_get(out, "case")), inq);
		json_decref(out);
		free(inq);
	}
	/* An inquiry that found no one is being searched for; once closed,
	 * it says so. */
	struct cartel_person nobody;
	memset(&nobody, 0, sizeof nobody);
	nobody.family_name = (char *)"Зеленько";
	nobody.given_name = (char *)"Остап";
	struct cartel_inquiry_request req;
	memset(&req, 0, sizeof req);
	req.sought = &nobody;
	req.requester = "wife";
	char *inq = NULL;
	size_t found = 0;
	assert_int_equal(cartel_inquiry_record(db, &req, "hotline", NULL, &inq,
					       &found, NULL),
			 0);
	char code[CARTEL_CASE_CODE_SIZE];
	assert_int_equal(cartel_case_code_new(db, inq, code, NULL), 0);
	json_t *out = NULL;
	assert_int_equal(cartel_case_status(db, code, "t", &out, NULL), 0);
	assert_string_equal(json_string_value(json_object_get(out, "status")),
			    "searching");
	json_decref(out);
	assert_int_equal(cartel_inquiry_close(db, inq, "the family asked",
					      "hotline", NULL),
			 0);
	assert_int_equal(cartel_case_status(db, code, "t", &out, NULL), 0);
	assert_string_equal(json_string_value(json_object_get(out, "status")),
			    "closed");
	json_decref(out);
	free(inq);
	/* Codes that cannot be codes: too long, a letter not in the
	 * alphabet, one character too many. */
	assert_int_equal(cartel_case_status(db, NULL, "t", &out, NULL),
			 CARTEL_ENOTFOUND);
	char longer[80];
	memset(longer, 'A', sizeof longer - 1);
	longer[sizeof longer - 1] = '\0';
	assert_int_equal(cartel_case_status(db, longer, "t", &out, NULL),
			 CARTEL_ENOTFOUND);
	assert_int_equal(cartel_case_status(db, "UUUU-AAAA-AAAA-AAAA-AAAA",
					    "t", &out, NULL),
			 CARTEL_ENOTFOUND);
	char plus[32];
	snprintf(plus, sizeof plus, "%sA", code);
	assert_int_equal(cartel_case_status(db, plus, "t", &out, &why),
			 CARTEL_ENOTFOUND);
	assert_non_null(strstr(why, "no case has this code"));
	free(why);
	cartel_db_close(db);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* Names, roles and who signs up: the rules a clerk meets in `cartel user
 * add` and at the server's door. */
static void
users(void **state)
{
	(void)state;
	char dir[] = "/tmp/cartel-account-XXXXXX", path[128];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/r.db", dir);
	struct cartel_db *db;
	assert_int_equal(cartel_db_open(&db, path, CARTEL_DB_CREATE, NULL), 0);
	static const char pw[] = "correct horse battery";
	char *why = NULL;
	static const char *const bad_names[] = {"", "Reg.UA", "reg ua",
						"reg/ua", "рег"};
	for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
		assert_int_equal(cartel_user_add(db, bad_names[i],
						 CARTEL_ROLE_MEDIATOR, NULL, pw,
						 sizeof pw - 1, "admin", &why),
				 CARTEL_EINVAL);
		free(why);
		why = NULL;
	}
	char longname[100];
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	assert_int_equal(cartel_user_add(db, longname, CARTEL_ROLE_MEDIATOR,
					 NULL, pw, sizeof pw - 1, "admin",
					 NULL),
			 CARTEL_EINVAL);
	/* A registrar works for a party; the others for none. */
	assert_int_equal(cartel_user_add(db, "reg.ua", CARTEL_ROLE_REGISTRAR,
					 NULL, pw, sizeof pw - 1, "admin",
					 &why),
			 CARTEL_EINVAL);
	free(why);
	why = NULL;
	assert_int_equal(cartel_user_add(db, "med.1", CARTEL_ROLE_MEDIATOR,
					 "UA", pw, sizeof pw - 1, "admin",
					 &why),
			 CARTEL_EINVAL);
	free(why);
	why = NULL;
	assert_int_equal(cartel_user_add(db, "reg.ua", CARTEL_ROLE_REGISTRAR,
					 "Ukraine", pw, sizeof pw - 1, "admin",
					 NULL),
			 CARTEL_EINVAL);
	assert_int_equal(cartel_user_add(db, "med.1", CARTEL_ROLE_MEDIATOR,
					 NULL, pw, sizeof pw - 1, "", NULL),
			 CARTEL_EINVAL);
	assert_int_equal(cartel_user_add(db, "med.1", CARTEL_ROLE_MEDIATOR,
					 NULL, pw, sizeof pw - 1, "admin",
					 NULL),
			 0);
	assert_int_equal(cartel_user_add(db, "med.1", CARTEL_ROLE_HOTLINE,
					 NULL, pw, sizeof pw - 1, "admin",
					 &why),
			 CARTEL_EEXIST);
	free(why);
	why = NULL;
	assert_int_equal(cartel_user_disable(db, "nobody", "admin", NULL),
			 CARTEL_ENOTFOUND);
	assert_int_equal(cartel_user_disable(db, "med.1", "", NULL),
			 CARTEL_EINVAL);
	assert_int_equal(cartel_user_password(db, "nobody", pw, sizeof pw - 1,
					      "admin", NULL),
			 CARTEL_ENOTFOUND);
	assert_int_equal(cartel_user_password(db, "med.1", "short", 5,
					      "admin", NULL),
			 CARTEL_EINVAL);
	/* Roles by name, both ways. */
	enum cartel_role r;
	assert_int_equal(cartel_role_parse("hotline", &r, NULL), 0);
	assert_int_equal(r, CARTEL_ROLE_HOTLINE);
	assert_int_equal(cartel_role_parse("root", &r, &why), CARTEL_EINVAL);
	assert_non_null(strstr(why, "mediator"));
	free(why);
	assert_int_equal(cartel_role_parse(NULL, &r, NULL), CARTEL_EINVAL);
	assert_string_equal(cartel_role_name((enum cartel_role)9), "");
	assert_string_equal(cartel_action_name(CARTEL_DO_N), "");
	cartel_db_close(db);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* Calls a server call with the body given as JSON text; checks the code
 * and that the reason says `says`. */
typedef int (*body_call)(struct cartel_db *, const struct cartel_user *,
			 json_t *, json_t **, char **);

static struct cartel_db *bodies_db;

static int
call_event(struct cartel_db *db, const struct cartel_user *u, json_t *b,
	   json_t **out, char **why)
{
	return cartel_account_event(db, u, "RU-1", b, "10.0.0.1", out, why);
}

static int
call_inquiry(struct cartel_db *db, const struct cartel_user *u, json_t *b,
	     json_t **out, char **why)
{
	return cartel_account_inquiry(db, u, b, "10.0.0.1", out, why);
}

static int
call_checkoff(struct cartel_db *db, const struct cartel_user *u, json_t *b,
	      json_t **out, char **why)
{
	return cartel_account_checkoff(db, u, "R-1", "RU-1", b, "10.0.0.1",
				       out, why);
}

static int
call_person_add(struct cartel_db *db, const struct cartel_user *u,
		json_t *b, json_t **out, char **why)
{
	return cartel_account_person_add(db, u, b, "10.0.0.1", out, why);
}

static int
call_plan(struct cartel_db *db, const struct cartel_user *u, json_t *b,
	  json_t **out, char **why)
{
	return cartel_account_plan(db, u, b, "10.0.0.1", out, why);
}

static int
call_policy_add(struct cartel_db *db, const struct cartel_user *u,
		json_t *b, json_t **out, char **why)
{
	return cartel_account_policy_add(db, u, b, "10.0.0.1", out, why);
}

static int
call_document_add(struct cartel_db *db, const struct cartel_user *u,
		  json_t *b, json_t **out, char **why)
{
	return cartel_account_document_add(db, u, b, "10.0.0.1", out, why);
}

static void
refuses(body_call call, const struct cartel_user *u, const char *body,
	int code, const char *says)
{
	json_error_t e;
	json_t *b = json_loads(body, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
	if (b == NULL)
		fail_msg("test body %s: %s", body, e.text);
	json_t *out = NULL;
	char *why = NULL;
	int rc = call(bodies_db, u, b, &out, &why);
	json_decref(b);
	if (rc != code || why == NULL || strstr(why, says) == NULL)
		fail_msg("%s: %d (%s), not %d (%s)", body, rc,
			 why ? why : "no reason", code, says);
	if (code != CARTEL_ECONFLICT)
		assert_null(out);
	json_decref(out);
	free(why);
}

/* Request bodies as a browser or a script might send them wrong: each is
 * refused with the key named and nothing recorded. */
static void
request_bodies(void **state)
{
	(void)state;
	char dir[] = "/tmp/cartel-account-XXXXXX", path[128];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/r.db", dir);
	setenv("CARTEL_NOW", "2026-05-16T09:00:00Z", 1);
	setenv("CARTEL_TODAY", "2026-05-16", 1);
	char *why = NULL;
	assert_int_equal(cartel_db_open(&bodies_db, path, CARTEL_DB_CREATE,
					NULL),
			 0);
	static const char csv[] =
		"id,family_name,given_name,held_by,depends_on,status\n"
		"RU-1,Иванов,Николай,UA,RU,confirmed_captive\n";
	FILE *in = fmemopen((void *)csv, sizeof csv - 1, "r");
	struct cartel_import_opts o;
	memset(&o, 0, sizeof o);
	struct cartel_import_result res;
	memset(&res, 0, sizeof res);
	if (cartel_import_csv(bodies_db, in, "p.csv", &o, &res, &why))
		fail_msg("import: %s", why);
	fclose(in);
	cartel_import_result_clear(&res);
	struct cartel_audit_report before, after;
	assert_int_equal(cartel_audit_verify(bodies_db, NULL, &before, NULL),
			 0);

	struct cartel_user reg = user(CARTEL_ROLE_REGISTRAR, "UA");
	struct cartel_user med = user(CARTEL_ROLE_MEDIATOR, NULL);
	struct cartel_user hot = user(CARTEL_ROLE_HOTLINE, NULL);
	const int EI = CARTEL_EINVAL;
	/* An event. */
	refuses(call_event, &reg, "[1]", EI, "must be a JSON object");
	refuses(call_event, &reg, "{\"type\":\"rank\",\"value\":\"x\","
				  "\"colour\":\"red\"}",
		EI, "unknown field \"colour\"");
	refuses(call_event, &reg, "{\"value\":\"x\"}", EI,
		"\"type\" is required");
	refuses(call_event, &reg, "{\"type\":\"rank\",\"value\":7}", EI,
		"\"value\" must be a string");
	refuses(call_event, &reg, "{\"type\":\"rank\",\"value\":\"a\\u0000b\"}",
		EI, "\"value\" holds a NUL character");
	refuses(call_event, &reg, "{\"type\":\"rank\",\"value\":\"x\","
				  "\"version\":-1}",
		EI, "\"version\" must be a whole number");
	refuses(call_event, &reg, "{\"type\":\"rank\",\"value\":\"x\","
				  "\"version\":\"2\"}",
		EI, "\"version\" must be a whole number");
	refuses(call_event, &reg, "{\"type\":\"rank\",\"value\":\"x\","
				  "\"source\":\"rumour\"}",
		EI, "source: the value is not one of");
	/* A change made on a version of the record that is not the last:
	 * refused, the record as it is now given back. */
	refuses(call_event, &reg, "{\"type\":\"rank\",\"value\":\"major\","
				  "\"version\":0}",
		CARTEL_ECONFLICT, "changed since version 0");
	/* An inquiry. */
	refuses(call_inquiry, &hot, "{\"requester\":\"mother\"}", EI,
		"needs a name of the person sought");
	refuses(call_inquiry, &hot, "{\"family_name\":\"Іваненко\","
				    "\"last_seen_on\":\"last spring\"}",
		EI, "\"last_seen_on\" is not a date");
	refuses(call_inquiry, &hot, "{\"family_name\":\"Іваненко\","
				    "\"contact\":7}",
		EI, "\"contact\" must be a string");
	refuses(call_inquiry, &hot, "{\"family_name\":\"Іваненко\","
				    "\"age\":\"30\"}",
		EI, "unknown field \"age\"");
	refuses(call_inquiry, &reg, "{\"family_name\":\"Іваненко\","
				    "\"birth_date\":\"1990-02-30\"}",
		CARTEL_ERANGE, "birth_date: is not a date");
	refuses(call_inquiry, &med, "{\"family_name\":\"Іваненко\"}",
		CARTEL_EDENIED, "may not do inquiry.file");
	/* A check-off. */
	refuses(call_checkoff, &reg, "{}", EI, "\"outcome\" is required");
	refuses(call_checkoff, &reg, "{\"outcome\":\"escaped\"}", EI,
		"escaped");
	refuses(call_checkoff, &reg, "{\"outcome\":\"absent\","
				     "\"where\":[]}",
		EI, "\"where\" must be a string");
	refuses(call_checkoff, &hot, "{\"outcome\":\"absent\"}",
		CARTEL_EDENIED, "may not do handover.check");
	/* A person added. */
	refuses(call_person_add, &reg, "\"RU-2\"", EI,
		"must be a JSON object");
	refuses(call_person_add, &reg, "{\"id\":\"RU-2\"}", EI,
		"unknown field \"id\"");
	refuses(call_person_add, &reg, "{\"shoe_size\":\"44\"}", EI,
		"unknown field \"shoe_size\"");
	refuses(call_person_add, &reg, "{\"family_name\":null}", EI,
		"\"family_name\" is required");
	refuses(call_person_add, &reg, "{\"family_name\":\"Петров\","
				       "\"source\":\"rumour\"}",
		EI, "source: the value is not one of");
	refuses(call_person_add, &reg, "{\"family_name\":\"Петров\","
				       "\"held_by\":\"RU\","
				       "\"depends_on\":\"UA\"}",
		CARTEL_EDENIED, "changes only the records");
	/* Plans, policies and documents. */
	refuses(call_plan, &med, "{}", EI, "send either");
	refuses(call_plan, &med, "{\"policy\":\"a\",\"policy_yaml\":\"b\"}",
		EI, "send either");
	refuses(call_plan, &med, "{\"policy\":\"none such\"}",
		CARTEL_ENOTFOUND, "none such");
	refuses(call_plan, &reg, "{\"policy\":\"a\"}", CARTEL_EDENIED,
		"may not do round.plan");
	refuses(call_policy_add, &med, "{\"name\":\"\",\"yaml\":\"x\"}", EI,
		"\"name\" is 1 to 128 bytes");
	refuses(call_policy_add, &med, "{\"name\":\"p\"}", EI,
		"\"yaml\" is required");
	refuses(call_policy_add, &med,
		"{\"name\":\"p\",\"yaml\":\"parties: [UA]\\n\"}", EI,
		"parties");
	refuses(call_document_add, &med, "{}", EI, "\"document\" is required");
	refuses(call_document_add, &med, "{\"document\":[1]}", EI,
		"\"document\" is required");
	refuses(call_document_add, &med, "{\"document\":{\"format\":1}}",
		CARTEL_EFORMAT, "the document");
	/* Documents named by anything but their number. */
	json_t *out = NULL;
	static const char *const seqs[] = {"abc", "0", "-1", "1x", ""};
	for (size_t i = 0; i < sizeof seqs / sizeof seqs[0]; i++) {
		assert_int_equal(cartel_account_document(bodies_db, &med,
							 seqs[i], "t", &out,
							 &why),
				 CARTEL_ENOTFOUND);
		assert_non_null(strstr(why, "named by its number"));
		free(why);
		why = NULL;
	}
	assert_int_equal(cartel_account_document(bodies_db, &med, "7", "t",
						 &out, NULL),
			 CARTEL_ENOTFOUND);
	assert_int_equal(cartel_account_search(bodies_db, &reg, "Иванов", NULL,
					       -1, 10, "t", &out, &why),
			 EI);
	free(why);
	why = NULL;
	assert_int_equal(cartel_account_search(bodies_db, &reg, "Иванов", NULL,
					       0, 0, "t", &out, NULL),
			 EI);
	assert_int_equal(cartel_account_search(bodies_db, &reg, "Иванов", NULL,
					       990, 20, "t", &out, NULL),
			 EI);
	/* Nothing but the access log was written: the persons, events and
	 * policies are as they were. */
	assert_int_equal(cartel_audit_verify(bodies_db, NULL, &after, NULL),
			 0);
	assert_int_equal(after.n_persons, before.n_persons);
	assert_int_equal(after.n_events, before.n_events);
	cartel_db_close(bodies_db);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static double
seconds_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A flush writes what is queued at once: it does not wait out the time
 * the writer lets a batch gather (the server flushes before it shows the
 * access log or verifies the audit, and a test flushes after each
 * request). */
static void
access_batch_flush_now(void **state)
{
	(void)state;
	char dir[] = "/tmp/cartel-account-XXXXXX", path[128];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/r.db", dir);
	struct cartel_db *db;
	assert_int_equal(cartel_db_open(&db, path, CARTEL_DB_CREATE, NULL), 0);
	struct cartel_access_batch *b = NULL;
	assert_int_equal(cartel_access_batch_start(path, 4000, &b, NULL), 0);
	cartel_access_batch_use(db, b);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(cartel_access_log(db, NULL, "case", NULL, 0,
						   "192.0.2.1", NULL),
				 0);
		double t0 = seconds_now();
		assert_int_equal(cartel_access_batch_flush(b, NULL), 0);
		/* The writer gathers for 4 s after each commit. */
		assert_true(seconds_now() - t0 < 2.0);
		json_t *log = NULL;
		assert_int_equal(cartel_access_log_json(db, 0, 10, &log, NULL),
				 0);
		assert_int_equal(
			json_integer_value(json_object_get(log, "total")),
			i + 1);
		json_decref(log);
	}
	cartel_access_batch_use(db, NULL);
	assert_int_equal(cartel_access_batch_stop(b, NULL), 0);
	cartel_db_close(db);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(roles_may),
		cmocka_unit_test(passwords),
		cmocka_unit_test(case_codes),
		cmocka_unit_test(limiter),
		cmocka_unit_test(access_batch_flush_now),
		cmocka_unit_test(case_status_by_state),
		cmocka_unit_test(users),
		cmocka_unit_test(request_bodies),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
