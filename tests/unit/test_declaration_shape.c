/*
 * A declaration another register sent, changed one field at a time: each
 * top-level field and each field of a person taken out, given another
 * type, or given a value out of its range. Every change is refused whole
 * with a reason (the shape, the seal or the signature), and the receiving
 * register is as it was: no entry added to its audit. The declaration as
 * signed is received, so the refusals are the changes' doing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include <cartel/declaration.h>
#include <cartel/error.h>
#include <cartel/round.h>
#include <cartel/store.h>

/* UA's public key, which signed the declarations of the fuzz corpus. */
static const unsigned char ua_public[32] = {
	0x1b, 0x3b, 0xd9, 0x38, 0x4e, 0x33, 0xde, 0x8e,
	0x97, 0x87, 0x9c, 0x2f, 0x68, 0x14, 0xb0, 0x2b,
	0xdf, 0x30, 0xe9, 0xfb, 0x8d, 0x6c, 0x56, 0x68,
	0x56, 0x36, 0xc0, 0x2b, 0xbf, 0x86, 0xbe, 0x05};

static struct cartel_db *
mediator(void)
{
	struct cartel_db *db = NULL;
	char *why = NULL;
	if (cartel_db_open(&db, ":memory:", CARTEL_DB_CREATE, &why) != 0 ||
	    cartel_owner_set(db, CARTEL_OWNER_MEDIATOR, "CTA", "t", &why) !=
		    0 ||
	    cartel_key_pin(db, "UA", ua_public, 0, "t", NULL, &why) != 0)
		fail_msg("register: %s", why ? why : "?");
	return db;
}

static long long
entries(struct cartel_db *db)
{
	struct cartel_audit_report rep;
	char *why = NULL;
	if (cartel_audit_verify(db, NULL, &rep, &why) != 0)
		fail_msg("verify: %s", why ? why : "?");
	return rep.n_entries;
}

static json_t *
seed(void)
{
	const char *top = getenv("CARTEL_TEST_DIR");
	char path[512];
	snprintf(path, sizeof path, "%s/fuzz/corpus/declaration/held.json",
		 top ? top : "tests");
	json_error_t e;
	json_t *d = json_load_file(path, 0, &e);
	if (d == NULL)
		fail_msg("%s: %s", path, e.text);
	return d;
}

/* Receives doc; returns the result code after checking what a refusal
 * owes: a reason, and the register as it was. */
static int
receive(json_t *doc, const char *what)
{
	struct cartel_db *db = mediator();
	long long before = entries(db);
	char *text = json_dumps(doc, JSON_SORT_KEYS);
	assert_non_null(text);
	struct cartel_receive_opts o = {.actor = "t"};
	struct cartel_receive_result res;
	char *why = NULL;
	int rc = cartel_receive_text(db, "decl.json", text, strlen(text), &o,
				     &res, &why);
	free(text);
	if (rc == 0) {
		cartel_receive_result_clear(&res);
	} else {
		if (rc > 0 || why == NULL || why[0] == '\0')
			fail_msg("%s: refused (%d) without a reason", what, rc);
		if (entries(db) != before)
			fail_msg("%s: refused, but the audit grew", what);
	}
	free(why);
	cartel_db_close(db);
	return rc;
}

static void
as_signed_is_received(void **state)
{
	(void)state;
	json_t *d = seed();
	assert_int_equal(receive(d, "as signed"), 0);
	json_decref(d);
}

/* Each top-level field: gone, a number, an empty string, an array. */
static void
each_field_changed(void **state)
{
	(void)state;
	json_t *d = seed();
	const char *key;
	json_t *v;
	int n = 0;
	void *tmp;
	json_object_foreach_safe(d, tmp, key, v) {
		json_t *values[] = {NULL, json_integer(7), json_string(""),
				    json_array(), json_integer(0x7fffffffffLL),
				    json_string("ua")};
		for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
			json_t *c = json_deep_copy(d);
			if (values[i] == NULL)
				json_object_del(c, key);
			else
				json_object_set(c, key, values[i]);
			char what[96];
			snprintf(what, sizeof what, "%s changed (%zu)", key, i);
			if (receive(c, what) == 0)
				fail_msg("%s: received", what);
			json_decref(c);
			json_decref(values[i]);
			n++;
		}
	}
	assert_true(n > 40);
	json_decref(d);
}

/* Each field of the first person: gone, a number, an object; and a
 * person that is not an object, persons that are not an array. */
static void
each_person_field_changed(void **state)
{
	(void)state;
	json_t *d = seed();
	json_t *p0 = json_array_get(json_object_get(d, "persons"), 0);
	assert_non_null(p0);
	const char *key;
	json_t *v;
	int n = 0;
	json_object_foreach(p0, key, v) {
		json_t *values[] = {NULL, json_integer(7), json_object(),
				    json_string("")};
		for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
			json_t *c = json_deep_copy(d);
			json_t *p = json_array_get(json_object_get(c, "persons"),
						   0);
			if (values[i] == NULL)
				json_object_del(p, key);
			else
				json_object_set(p, key, values[i]);
			char what[96];
			snprintf(what, sizeof what, "persons[0].%s (%zu)", key,
				 i);
			if (receive(c, what) == 0)
				fail_msg("%s: received", what);
			json_decref(c);
			json_decref(values[i]);
			n++;
		}
	}
	json_t *c = json_deep_copy(d);
	json_array_set_new(json_object_get(c, "persons"), 0, json_true());
	assert_int_not_equal(receive(c, "a person not an object"), 0);
	json_decref(c);
	c = json_deep_copy(d);
	json_object_set_new(json_object_get(c, "owner"), "role",
			    json_string("mediator"));
	assert_int_not_equal(receive(c, "owner a mediator"), 0);
	json_decref(c);
	c = json_deep_copy(d);
	json_object_set_new(c, "fields", json_pack("[s]", "health"));
	assert_int_not_equal(receive(c, "a field nobody may send"), 0);
	json_decref(c);
	c = json_deep_copy(d);
	json_object_set_new(c, "as_of", json_string("2026-02-30"));
	assert_int_not_equal(receive(c, "as_of not a date"), 0);
	json_decref(c);
	assert_true(n > 10);
	json_decref(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(as_signed_is_received),
		cmocka_unit_test(each_field_changed),
		cmocka_unit_test(each_person_field_changed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
