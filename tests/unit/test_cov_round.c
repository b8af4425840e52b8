/*
 * A list document that comes from the other party is read before anything
 * is checked: each way a field can be wrong (missing, of the wrong type,
 * out of range, a person listed twice) must be refused with
 * CARTEL_EFORMAT and a message naming the field, so that the operator can
 * tell the other side what to fix.
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
#include <cartel/round.h>
#include <cartel/store.h>

static const char persons_csv[] =
	"id,family_name,given_name,birth_date,rank,service_number,held_by,"
	"depends_on,category,consent,status\n"
	"UA-1,Коваленко,Олександр,1994-03-02,private,A100,RU,UA,military,"
	"willing,confirmed_captive\n"
	"UA-2,Шевченко,Сергій,1990,sergeant,A101,RU,UA,military,willing,"
	"confirmed_captive\n"
	"UA-3,Бондаренко,Микола,1985-07-01,captain,A102,RU,UA,military,"
	"willing,confirmed_captive\n"
	"RU-1,Иванов,Николай,1999-01-05,private,B200,UA,RU,military,"
	"willing,confirmed_captive\n"
	"RU-2,Смирнов,Юрий,2001-11-11,private,B201,UA,RU,military,willing,"
	"confirmed_captive\n"
	"RU-3,Кузнецов,Алексей,1980,major,B202,UA,RU,military,willing,"
	"confirmed_captive\n";

static const char plan_json[] =
	"{\"parties\":[\"UA\",\"RU\"],\"stages\":2,"
	"\"sides\":{\"UA\":{\"gives\":[\"RU-1\",\"RU-2\"],\"value\":2},"
	"\"RU\":{\"gives\":[\"UA-1\",\"UA-2\"],\"value\":2}},"
	"\"direct_repatriation\":{\"UA\":[],\"RU\":[\"UA-3\"]},"
	"\"withheld\":[{\"id\":\"RU-3\",\"reason\":\"proceedings\"}],"
	"\"excluded\":[],\"optimal\":true}";

struct fx {
	char dir[64];
	struct cartel_db *db;
	char *text; /* the canonical text of a signed version 1 */
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	char path[128];
	snprintf(f->dir, sizeof f->dir, "/tmp/cartel-covround-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(path, sizeof path, "%s/r.db", f->dir);
	setenv("CARTEL_NOW", "2026-05-16T09:00:00Z", 1);
	char *why = NULL;
	if (cartel_db_open(&f->db, path, CARTEL_DB_CREATE, &why))
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
	struct cartel_key ua, ru;
	struct cartel_round_opts ro = {NULL, CARTEL_ROUND_AGREED, NULL, "t", NULL};
	struct cartel_round *r = NULL;
	size_t len;
	if (rc || cartel_key_generate(&ua, "UA", NULL) ||
	    cartel_key_generate(&ru, "RU", NULL) ||
	    cartel_key_pin(f->db, "UA", ua.public_key, 0, "t", NULL, NULL) ||
	    cartel_key_pin(f->db, "RU", ru.public_key, 0, "t", NULL, NULL) ||
	    cartel_round_from_plan(f->db, plan_json, sizeof plan_json - 1,
				   "plan.json", &ro, &r, &why) ||
	    cartel_round_sign(f->db, r, &ua, "ua", &why) ||
	    cartel_round_sign(f->db, r, &ru, "ru", &why) ||
	    cartel_round_canonical(r, &f->text, &len, &why)) {
		fprintf(stderr, "setup: %s\n", why ? why : "?");
		return -1;
	}
	cartel_round_free(r);
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
	free(f->text);
	free(f);
	return 0;
}

/* The value at path ("sides/UA/gives/0"; "*" is an object's first
 * member) in doc, and its parent and last step for changing it. */
static json_t *
walk(json_t *doc, const char *path, json_t **parent, char *last,
     size_t size)
{
	char buf[200];
	snprintf(buf, sizeof buf, "%s", path);
	json_t *v = doc;
	*parent = NULL;
	for (char *tok = buf; tok != NULL;) {
		char *slash = strchr(tok, '/');
		if (slash != NULL)
			*slash = '\0';
		*parent = v;
		if (json_is_array(v)) {
			v = json_array_get(v, strtoul(tok, NULL, 10));
			snprintf(last, size, "%s", tok);
		} else if (strcmp(tok, "*") == 0) {
			void *it = json_object_iter(v);
			snprintf(last, size, "%s", json_object_iter_key(it));
			v = json_object_iter_value(it);
		} else {
			v = json_object_get(v, tok);
			snprintf(last, size, "%s", tok);
		}
		tok = slash ? slash + 1 : NULL;
	}
	return v;
}

/* Parses the document with the value at path replaced by `value` (JSON
 * text; NULL removes the member) and expects CARTEL_EFORMAT naming
 * `field`. */
static void
refused(struct fx *f, const char *path, const char *value, const char *field)
{
	json_t *doc = json_loads(f->text, 0, NULL);
	assert_non_null(doc);
	json_t *parent;
	char last[200];
	if (path[0] == '\0') {
		json_decref(doc);
		doc = json_loads(value, JSON_DECODE_ANY, NULL);
	} else {
		walk(doc, path, &parent, last, sizeof last);
		assert_non_null(parent);
		json_t *nv = value ? json_loads(value, JSON_DECODE_ANY, NULL)
				   : NULL;
		if (json_is_array(parent))
			json_array_set_new(parent, strtoul(last, NULL, 10), nv);
		else if (nv != NULL)
			json_object_set_new(parent, last, nv);
		else
			json_object_del(parent, last);
	}
	char *text = json_dumps(doc, JSON_ENCODE_ANY);
	json_decref(doc);
	struct cartel_round *r = NULL;
	char *why = NULL;
	int rc = cartel_round_parse(&r, text, strlen(text), "theirs.json",
				    &why);
	free(text);
	if (rc != CARTEL_EFORMAT)
		fail_msg("%s = %s: got %d (%s)", path, value ? value : "(gone)",
			 rc, why ? why : "");
	assert_null(r);
	if (strstr(why, field) == NULL || strstr(why, "theirs.json") == NULL)
		fail_msg("%s: '%s' does not name '%s' and the file", path, why,
			 field);
	free(why);
}

static void
each_field_refused(void **state)
{
	struct fx *f = *state;
	/* The untouched text reads. */
	struct cartel_round *r = NULL;
	assert_int_equal(cartel_round_parse(&r, f->text, strlen(f->text),
					    "theirs.json", NULL),
			 0);
	cartel_round_free(r);

	refused(f, "", "[1,2]", "not a list document");
	refused(f, "format", "\"cartel-round/0\"", "format");
	refused(f, "format", NULL, "format");
	refused(f, "round_id", "\"R 1\"", "round_id");
	refused(f, "round_id", "7", "round_id");
	refused(f, "version", "0", "version");
	refused(f, "version", "\"1\"", "version");
	refused(f, "version", "1000001", "version");
	refused(f, "kind", "\"final\"", "kind");
	refused(f, "parties", "[\"UA\"]", "parties");
	refused(f, "parties", "[\"UA\",\"UA\"]", "parties");
	refused(f, "parties", "[\"UA\",\"r u\"]", "parties");
	refused(f, "parties", "[7,\"RU\"]", "parties");
	refused(f, "created", "5", "created");
	refused(f, "stages", "0", "stages");
	refused(f, "stages", "1001", "stages");
	refused(f, "stages", "2.5", "stages");
	refused(f, "previous_digest", "\"sha256:00\"", "previous_digest");
	refused(f, "sides", "[]", "sides");
	refused(f, "sides/RU", NULL, "sides");
	refused(f, "direct_repatriation", "null", "direct_repatriation");
	refused(f, "direct_repatriation/UA", NULL, "direct_repatriation");
	refused(f, "sides/UA", "3", "sides.UA");
	refused(f, "sides/UA/value", "\"2\"", "sides.UA.value");
	refused(f, "sides/UA/gives", "{}", "sides.UA.gives");
	refused(f, "sides/UA/gives/0", "\"RU-1\"", "sides.UA.gives[0]");
	refused(f, "sides/UA/gives/0/id", "\"\"", "'id'");
	refused(f, "sides/UA/gives/0/id", "5", "'id'");
	refused(f, "sides/UA/gives/0/family_name", "5",
		"sides.UA.gives[RU-1].family_name");
	refused(f, "sides/UA/gives/0/stage", "3",
		"from 1 to 2");
	refused(f, "sides/UA/gives/0/stage", "\"1\"",
		"sides.UA.gives[RU-1].stage");
	refused(f, "sides/UA/gives/1/id", "\"RU-1\"", "listed twice");
	refused(f, "direct_repatriation/RU/0/stage", "0",
		"direct_repatriation.RU[UA-3].stage");
	refused(f, "direct_repatriation/RU", "\"UA-3\"",
		"direct_repatriation.RU");
	refused(f, "withheld", "{}", "withheld");
	refused(f, "withheld/0/reason", "1", "withheld[RU-3].reason");
	refused(f, "withheld/0/id", "\"UA-1\"", "listed twice");
	refused(f, "manifest", "[]", "manifest");
	refused(f, "manifest/*", "1", "manifest");
	refused(f, "digest", "null", "digest");
	refused(f, "signatures", "[]", "signatures");
	refused(f, "signatures/UA", "\"x\"", "signatures.UA");
	refused(f, "signatures/UA/signature", NULL, "signatures.UA");
	refused(f, "signatures/RU/public_key", "1", "signatures.RU");
}

static void
not_json_refused(void **state)
{
	struct fx *f = *state;
	struct cartel_round *r = NULL;
	char *why = NULL;
	static const char broken[] = "{\n  \"format\": \n}";
	assert_int_equal(cartel_round_parse(&r, broken, sizeof broken - 1,
					    "theirs.json", &why),
			 CARTEL_EFORMAT);
	assert_null(r);
	assert_non_null(strstr(why, "theirs.json"));
	assert_non_null(strstr(why, "line 3"));
	free(why);
	why = NULL;
	char path[128];
	snprintf(path, sizeof path, "%s/none.json", f->dir);
	int rc = cartel_round_read(&r, path, &why);
	assert_true(rc == CARTEL_ENOTFOUND || rc == CARTEL_EIO);
	assert_null(r);
	assert_non_null(strstr(why, "none.json"));
	free(why);
}

/* A list made from plan text; the document as compact JSON (malloc'd),
 * or NULL with *rc and *why. */
static char *
from_plan(struct fx *f, const char *plan, int *rc, char **why)
{
	struct cartel_round_opts ro = {"R-F", CARTEL_ROUND_PROPOSAL, NULL, "t",
				       NULL};
	struct cartel_round *r = NULL;
	*why = NULL;
	*rc = cartel_round_from_plan(f->db, plan, strlen(plan), "plan.json",
				     &ro, &r, why);
	if (*rc != 0)
		return NULL;
	char *text = NULL;
	size_t len = 0;
	assert_int_equal(cartel_round_canonical(r, &text, &len, NULL), 0);
	cartel_round_free(r);
	return text;
}

/* The stage a person is given in the document text. */
static long
stage_in(const char *text, const char *id)
{
	json_t *doc = json_loads(text, 0, NULL);
	assert_non_null(doc);
	long stage = -1;
	const char *party;
	json_t *side;
	json_object_foreach(json_object_get(doc, "sides"), party, side)
	{
		size_t i;
		json_t *e;
		json_array_foreach(json_object_get(side, "gives"), i, e)
		{
			if (strcmp(json_string_value(json_object_get(e, "id")),
				   id) == 0)
				stage = (long)json_integer_value(
					json_object_get(e, "stage"));
		}
	}
	json_decref(doc);
	return stage;
}

/* The plan forms a list is made from: parties named or taken from the
 * sides, stages given per person, per table or by count; and plans that
 * cannot be a list, each refused with the field named. */
static void
plan_forms(void **state)
{
	struct fx *f = *state;
	int rc;
	char *why = NULL;
	/* No "parties": the sides' two names, in order of their codes. */
	char *t = from_plan(
		f,
		"{\"sides\":{\"UA\":{\"gives\":[\"RU-1\"],\"value\":1},"
		"\"RU\":{\"gives\":[\"UA-1\"],\"value\":1}}}",
		&rc, &why);
	if (t == NULL)
		fail_msg("%s", why);
	assert_non_null(strstr(t, "\"parties\":[\"RU\",\"UA\"]"));
	assert_int_equal(stage_in(t, "RU-1"), 1);
	free(t);
	/* Stages from a table of stages (numbered, or by its order), from
	 * a person's entry in the side's "persons", and from "stage_of". */
	t = from_plan(
		f,
		"{\"parties\":[\"UA\",\"RU\"],"
		"\"stages\":[{\"stage\":2,\"gives\":{\"UA\":[\"RU-1\"]}},"
		"{\"RU\":[{\"id\":\"UA-1\"}]}],"
		"\"stage_of\":{\"RU-2\":1,\"UA-2\":\"x\"},"
		"\"sides\":{\"UA\":{\"gives\":[\"RU-1\",\"RU-2\"],\"value\":2,"
		"\"persons\":[{\"id\":\"RU-2\",\"stage\":2}]},"
		"\"RU\":{\"gives\":[\"UA-1\",\"UA-2\"],\"value\":2}}}",
		&rc, &why);
	if (t == NULL)
		fail_msg("%s", why);
	assert_int_equal(stage_in(t, "RU-1"), 2);
	assert_int_equal(stage_in(t, "RU-2"), 1); /* stage_of comes last */
	assert_int_equal(stage_in(t, "UA-1"), 2); /* the second table row */
	free(t);
	/* Three stages by the policy's count: a list of two takes stages 1
	 * and 2. */
	t = from_plan(f,
		      "{\"parties\":[\"UA\",\"RU\"],"
		      "\"policy\":{\"stages\":3},"
		      "\"sides\":{\"UA\":{\"gives\":[\"RU-1\",\"RU-2\"],"
		      "\"value\":2},\"RU\":{\"gives\":[],\"value\":0}}}",
		      &rc, &why);
	if (t == NULL)
		fail_msg("%s", why);
	assert_int_equal(stage_in(t, "RU-1"), 1);
	assert_int_equal(stage_in(t, "RU-2"), 2);
	free(t);

	static const struct {
		const char *plan, *says;
	} bad[] = {
		{"{\"parties\":[\"UA\",\"RU\"]}", "no 'sides' object"},
		{"{\"sides\":{\"UA\":{\"gives\":[]}}}",
		 "'parties' must name two different parties"},
		{"{\"parties\":[\"UA\",\"UA\"],\"sides\":{\"UA\":{}}}",
		 "'parties' must name two different parties"},
		{"{\"parties\":[\"UA\",\"ru\"],\"sides\":{}}",
		 "'parties' must name two different parties"},
		{"{\"parties\":[\"UA\",\"RU\"],\"stages\":1001,\"sides\":{}}",
		 "'stages' is over 1000"},
		{"{\"parties\":[\"UA\",\"RU\"],\"stages\":2,"
		 "\"sides\":{\"UA\":{\"gives\":[{\"id\":\"RU-1\",\"stage\":3}],"
		 "\"value\":1},\"RU\":{\"gives\":[],\"value\":0}}}",
		 "stage 3 is not between 1 and 2"},
		{"{\"parties\":[\"UA\",\"RU\"],"
		 "\"sides\":{\"UA\":{\"gives\":[{\"name\":\"x\"}],"
		 "\"value\":1},\"RU\":{\"gives\":[],\"value\":0}}}",
		 "has no id"},
		{"{\"parties\":[\"UA\",\"RU\"],"
		 "\"sides\":{\"UA\":{\"gives\":\"RU-1\",\"value\":1},"
		 "\"RU\":{\"gives\":[],\"value\":0}}}",
		 "is not an array"},
		{"{\"parties\":[\"UA\",\"RU\"],"
		 "\"sides\":{\"UA\":{\"gives\":[],\"value\":0},"
		 "\"RU\":{\"gives\":[],\"value\":0}},"
		 "\"direct_repatriation\":{\"UA\":{}}}",
		 "is not an array"},
		{"{\"parties\":[\"UA\",\"RU\"],"
		 "\"sides\":{\"UA\":{\"gives\":[],\"value\":0},"
		 "\"RU\":{\"gives\":[],\"value\":0}},\"withheld\":[7]}",
		 "has no id"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		t = from_plan(f, bad[i].plan, &rc, &why);
		assert_null(t);
		assert_int_equal(rc, CARTEL_EFORMAT);
		if (strstr(why, bad[i].says) == NULL ||
		    strstr(why, "plan.json") == NULL)
			fail_msg("plan %zu: %s", i, why);
		free(why);
		why = NULL;
	}
	struct cartel_round_opts none = {"R-F", CARTEL_ROUND_PROPOSAL, NULL,
					 NULL, NULL};
	struct cartel_round *r = NULL;
	assert_int_equal(cartel_round_from_plan(f->db, plan_json,
						sizeof plan_json - 1, "p",
						&none, &r, &why),
			 CARTEL_EINVAL);
	assert_non_null(strstr(why, "no actor"));
	free(why);
}

/* A check-off at the exchange point as a clerk may type it wrong: each
 * refused with the reason, the person still pending; the same check-off
 * twice is taken once; another outcome after it is refused, naming the
 * first. */
static void
checkoffs_refused(void **state)
{
	struct fx *f = *state;
	struct cartel_round *r = NULL;
	assert_int_equal(cartel_round_parse(&r, f->text, strlen(f->text),
					    "r.json", NULL),
			 0);
	char *why = NULL;
	if (cartel_handover_start(f->db, r, "officer", &why))
		fail_msg("start: %s", why);
	const char *rid = cartel_round_id(r);
	static const struct {
		const char *person;
		enum cartel_handover_outcome o;
		const char *by, *at;
		int code;
		const char *says;
	} bad[] = {
		{"RU-1", CARTEL_HANDOVER_PENDING, "officer", NULL, CARTEL_EINVAL,
		 "a check-off is handed_over"},
		{"RU-1", CARTEL_HANDOVER_DECEASED, "officer", NULL,
		 CARTEL_EINVAL, "recorded when the stage closes"},
		{"RU-1", (enum cartel_handover_outcome)42, "officer", NULL,
		 CARTEL_EINVAL, "a check-off is handed_over"},
		{"RU-1", CARTEL_HANDOVER_HANDED_OVER, "", NULL, CARTEL_EINVAL,
		 "names who checked"},
		{"RU-1", CARTEL_HANDOVER_HANDED_OVER, "officer",
		 "2026-05-16 10:00:00", CARTEL_EINVAL, "is not YYYY-MM-DD"},
		{"RU-1", CARTEL_HANDOVER_HANDED_OVER, "officer",
		 "2026-02-30T10:00:00Z", CARTEL_EINVAL, "is not YYYY-MM-DD"},
		{"RU-1", CARTEL_HANDOVER_HANDED_OVER, "officer",
		 "2026-05-16T24:00:00Z", CARTEL_EINVAL, "is not YYYY-MM-DD"},
		{"XX-9", CARTEL_HANDOVER_HANDED_OVER, "officer", NULL,
		 CARTEL_ENOTFOUND, ""},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct cartel_checkoff c = {rid, bad[i].person, bad[i].o,
					    bad[i].by, bad[i].at, NULL};
		int already = 0;
		why = NULL;
		int rc = cartel_handover_check(f->db, &c, &already, &why);
		if (rc != bad[i].code || why == NULL ||
		    strstr(why, bad[i].says) == NULL)
			fail_msg("check-off %zu: %d (%s)", i, rc,
				 why ? why : "no reason");
		free(why);
	}
	struct cartel_checkoff other = {"R-NONE", "RU-1",
					CARTEL_HANDOVER_HANDED_OVER,
					"officer", NULL, NULL};
	assert_int_equal(cartel_handover_check(f->db, &other, NULL, NULL),
			 CARTEL_ENOTFOUND);
	struct cartel_checkoff ok = {rid, "RU-1", CARTEL_HANDOVER_REFUSED,
				     "officer", "2026-05-16T10:00:00Z",
				     "Sumy"};
	int already = 7;
	assert_int_equal(cartel_handover_check(f->db, &ok, &already, &why), 0);
	assert_int_equal(already, 0);
	assert_int_equal(cartel_handover_check(f->db, &ok, &already, &why), 0);
	assert_int_equal(already, 1);
	ok.outcome = CARTEL_HANDOVER_HANDED_OVER;
	why = NULL;
	assert_int_equal(cartel_handover_check(f->db, &ok, &already, &why),
			 CARTEL_ESTATE);
	assert_non_null(strstr(why, "already checked off as refused"));
	assert_non_null(strstr(why, "by officer"));
	free(why);
	/* Outcomes by name, both ways. */
	enum cartel_handover_outcome o;
	assert_int_equal(cartel_handover_outcome_parse("absent", &o, NULL), 0);
	assert_int_equal(o, CARTEL_HANDOVER_ABSENT);
	why = NULL;
	assert_int_equal(cartel_handover_outcome_parse("gone", &o, &why),
			 CARTEL_EINVAL);
	assert_non_null(strstr(why, "handed_over"));
	free(why);
	assert_int_equal(cartel_handover_outcome_parse(NULL, &o, NULL),
			 CARTEL_EINVAL);
	assert_string_equal(cartel_handover_outcome_name(
				    (enum cartel_handover_outcome)99),
			    "");
	cartel_round_free(r);
}

static void
kinds_and_parties(void **state)
{
	(void)state;
	enum cartel_round_kind k = CARTEL_ROUND_AGREED;
	char *why = NULL;
	assert_int_equal(cartel_round_kind_parse("counter", &k, &why), 0);
	assert_int_equal(k, CARTEL_ROUND_COUNTER);
	assert_string_equal(cartel_round_kind_name(k), "counter");
	assert_int_equal(cartel_round_kind_parse("Counter", &k, &why),
			 CARTEL_EINVAL);
	assert_non_null(strstr(why, "proposal"));
	free(why);
	why = NULL;
	assert_int_equal(cartel_round_kind_parse(NULL, &k, &why),
			 CARTEL_EINVAL);
	free(why);
	assert_string_equal(cartel_round_kind_name((enum cartel_round_kind)7),
			    "");
	assert_true(cartel_party_valid("UA"));
	assert_true(cartel_party_valid("ICRC2"));
	assert_false(cartel_party_valid("ICRC-2_B"));
	assert_false(cartel_party_valid(""));
	assert_false(cartel_party_valid(NULL));
	assert_false(cartel_party_valid("ua"));
	assert_false(cartel_party_valid("ABCDEFGHI")); /* 9 */
	assert_true(cartel_party_valid("ABCDEFGH"));   /* 8 */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(each_field_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(not_json_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(plan_forms, setup, teardown),
		cmocka_unit_test_setup_teardown(checkoffs_refused, setup,
						teardown),
		cmocka_unit_test(kinds_and_parties),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
