/*
 * Declarations (src/lib/round/declaration.c): the owner set once, what a
 * declaration carries and leaves out, the fields asked for, and receiving:
 * the difference a superseding declaration makes, and its JSON.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include <cartel/cartel.h>
#include <cartel/declaration.h>
#include <cartel/round.h>
#include <cartel/store.h>

static const char persons_csv[] =
	"id,family_name,given_name,birth_date,rank,service_number,held_by,"
	"depends_on,health,notes,status\n"
	"UA-1,Коваленко,Олександр,1994-03-02,private,A100,UA,RU,sick,n1,"
	"confirmed_captive\n"
	"UA-2,Шевченко,Сергій,1990,sergeant,A101,UA,RU,good,,"
	"confirmed_captive\n"
	"UA-3,Бондар,Петро,1991,private,A102,UA,RU,good,,released\n"
	"RU-1,Иванов,Николай,1999-01-05,private,B200,RU,UA,good,,"
	"confirmed_captive\n"
	"RU-2,Смирнов,Юрий,2001-11-11,private,B201,,UA,good,,"
	"reported_missing\n";

struct fx {
	char dir[64];
	char ua[128], med[128], file[128];
	struct cartel_db *u, *m;
	struct cartel_key key;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof f->dir, "/tmp/cartel-decl-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->ua, sizeof f->ua, "%s/ua.db", f->dir);
	snprintf(f->med, sizeof f->med, "%s/med.db", f->dir);
	snprintf(f->file, sizeof f->file, "%s/d.json", f->dir);
	setenv("CARTEL_NOW", "2026-05-16T09:00:00Z", 1);
	char *why = NULL;
	FILE *in = fmemopen((void *)persons_csv, sizeof persons_csv - 1, "r");
	struct cartel_import_opts io;
	memset(&io, 0, sizeof io);
	struct cartel_import_result ir;
	memset(&ir, 0, sizeof ir);
	if (cartel_db_open(&f->u, f->ua, CARTEL_DB_CREATE, &why) ||
	    cartel_db_open(&f->m, f->med, CARTEL_DB_CREATE, &why) ||
	    cartel_import_csv(f->u, in, "p.csv", &io, &ir, &why) ||
	    cartel_key_generate(&f->key, "UA", &why) ||
	    cartel_key_pin(f->u, "UA", f->key.public_key, 0, "t", NULL, &why) ||
	    cartel_key_pin(f->m, "UA", f->key.public_key, 0, "t", NULL, &why)) {
		fprintf(stderr, "setup: %s\n", why ? why : "?");
		return -1;
	}
	fclose(in);
	cartel_import_result_clear(&ir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	cartel_db_close(f->u);
	cartel_db_close(f->m);
	cartel_key_wipe(&f->key);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	int rc = system(cmd);
	free(f);
	return rc == 0 ? 0 : -1;
}

static void
names(void **state)
{
	(void)state;
	enum cartel_decl_kind k;
	assert_int_equal(cartel_decl_kind_parse("sought", &k, NULL), 0);
	assert_int_equal(k, CARTEL_DECL_SOUGHT);
	char *why = NULL;
	assert_int_equal(cartel_decl_kind_parse("kept", &k, &why),
			 CARTEL_EINVAL);
	assert_non_null(strstr(why, "held, sought"));
	free(why);
	assert_string_equal(cartel_decl_change_name(CARTEL_DECL_DROPPED),
			    "dropped");
	assert_string_equal(cartel_owner_role_name(CARTEL_OWNER_MEDIATOR),
			    "mediator");
}

static void
owner_once(void **state)
{
	struct fx *f = *state;
	struct cartel_owner o;
	assert_int_equal(cartel_owner_get(f->m, &o, NULL), 0);
	assert_int_equal(o.role, CARTEL_OWNER_NONE);
	char *why = NULL;
	assert_int_equal(cartel_owner_set(f->m, CARTEL_OWNER_MEDIATOR,
					  "bad\nname", "t", &why),
			 CARTEL_EINVAL);
	free(why);
	why = NULL;
	assert_int_equal(cartel_owner_set(f->m, CARTEL_OWNER_MEDIATOR, "CTA",
					  "clerk", NULL),
			 0);
	assert_int_equal(cartel_owner_set(f->m, CARTEL_OWNER_PARTY, "UA", "t",
					  &why),
			 CARTEL_EEXIST);
	assert_non_null(strstr(why, "mediator CTA"));
	free(why);
	assert_int_equal(cartel_owner_get(f->m, &o, NULL), 0);
	assert_int_equal(o.role, CARTEL_OWNER_MEDIATOR);
	assert_string_equal(o.name, "CTA");
	assert_string_equal(o.set_by, "clerk");
}

static void
declare_needs_party_owner(void **state)
{
	struct fx *f = *state;
	struct cartel_declare_opts o = {CARTEL_DECL_HELD, NULL, 0, NULL,
					&f->key, "t"};
	struct cartel_declare_result r;
	char *why = NULL;
	assert_int_equal(cartel_declare(f->u, &o, f->file, &r, &why),
			 CARTEL_ESTATE);
	assert_non_null(strstr(why, "has no owner"));
	free(why);
	assert_int_equal(access(f->file, F_OK), -1);
}

static void
declare_fields(void **state)
{
	struct fx *f = *state;
	assert_int_equal(cartel_owner_set(f->u, CARTEL_OWNER_PARTY, "UA", "t",
					  NULL),
			 0);
	const char *bad[][2] = {{"family_name", "nickname"},
				{"id", "rank"},
				{"rank", "rank"}};
	const char *want[] = {"not a field", "always sent", "named twice"};
	for (int i = 0; i < 3; i++) {
		struct cartel_declare_opts o = {CARTEL_DECL_HELD, bad[i], 2,
						NULL, &f->key, "t"};
		struct cartel_declare_result r;
		char *why = NULL;
		assert_int_equal(cartel_declare(f->u, &o, f->file, &r, &why),
				 CARTEL_EINVAL);
		assert_non_null(strstr(why, want[i]));
		free(why);
	}
	/* Default: the identifying fields only, the held persons only. */
	struct cartel_declare_opts o = {CARTEL_DECL_HELD, NULL, 0,
					"2026-05-01", &f->key, "t"};
	struct cartel_declare_result r;
	assert_int_equal(cartel_declare(f->u, &o, f->file, &r, NULL), 0);
	assert_int_equal(r.sequence, 1);
	assert_int_equal(r.n_persons, 2); /* UA-3 was released */
	json_t *d = json_load_file(f->file, 0, NULL);
	assert_non_null(d);
	assert_string_equal(json_string_value(json_object_get(d, "as_of")),
			    "2026-05-01");
	json_t *p0 = json_array_get(json_object_get(d, "persons"), 0);
	assert_string_equal(json_string_value(json_object_get(p0, "id")),
			    "UA-1");
	assert_null(json_object_get(p0, "health"));
	assert_null(json_object_get(p0, "notes"));
	assert_string_equal(
		json_string_value(json_object_get(p0, "service_number")),
		"A100");
	json_decref(d);
	/* Sought: the party's own, missing or held by the other side. */
	o.kind = CARTEL_DECL_SOUGHT;
	assert_int_equal(cartel_declare(f->u, &o, f->file, &r, NULL), 0);
	assert_int_equal(r.sequence, 1);
	assert_int_equal(r.n_persons, 2);
	/* Health when named. */
	const char *h[] = {"health"};
	struct cartel_declare_opts oh = {CARTEL_DECL_HELD, h, 1, NULL,
					 &f->key, "t"};
	assert_int_equal(cartel_declare(f->u, &oh, f->file, &r, NULL), 0);
	assert_int_equal(r.sequence, 2);
	d = json_load_file(f->file, 0, NULL);
	p0 = json_array_get(json_object_get(d, "persons"), 0);
	assert_string_equal(json_string_value(json_object_get(p0, "health")),
			    "sick");
	assert_null(json_object_get(p0, "family_name"));
	json_decref(d);
}

static void
receive_supersede(void **state)
{
	struct fx *f = *state;
	assert_int_equal(cartel_owner_set(f->u, CARTEL_OWNER_PARTY, "UA", "t",
					  NULL),
			 0);
	struct cartel_declare_opts o = {CARTEL_DECL_HELD, NULL, 0, NULL,
					&f->key, "t"};
	struct cartel_declare_result r;
	assert_int_equal(cartel_declare(f->u, &o, f->file, &r, NULL), 0);
	struct cartel_receive_opts ro = {.actor = "mediator"};
	struct cartel_receive_result res;
	assert_int_equal(cartel_receive(f->m, f->file, &ro, &res, NULL), 0);
	assert_int_equal(res.n_added, 2);
	assert_string_equal(res.party, "UA");
	assert_string_equal(res.previous, "");
	cartel_receive_result_clear(&res);
	/* UA-1 released, UA-2 promoted. */
	struct cartel_event ev;
	memset(&ev, 0, sizeof ev);
	ev.person_id = "UA-1";
	ev.field = "status";
	ev.new_value = "released";
	ev.prov.actor = "t";
	assert_int_equal(cartel_event_add(f->u, &ev, NULL), 0);
	ev.person_id = "UA-2";
	ev.field = "rank";
	ev.new_value = "lieutenant";
	assert_int_equal(cartel_event_add(f->u, &ev, NULL), 0);
	assert_int_equal(cartel_declare(f->u, &o, f->file, &r, NULL), 0);
	assert_int_equal(r.sequence, 2);
	assert_int_equal(cartel_receive(f->m, f->file, &ro, &res, NULL), 0);
	assert_int_equal(res.n_added, 0);
	assert_int_equal(res.n_dropped, 1);
	assert_int_equal(res.n_changed, 1);
	assert_int_equal(res.n_entries, 2);
	assert_int_equal(res.entries[0].change, CARTEL_DECL_DROPPED);
	assert_string_equal(res.entries[0].their_id, "UA-1");
	assert_null(res.entries[0].new_fields);
	assert_int_equal(res.entries[1].change, CARTEL_DECL_CHANGED);
	assert_string_equal(res.entries[1].their_id, "UA-2");
	assert_non_null(strstr(res.previous, "sha256:"));
	char *text = NULL;
	assert_int_equal(cartel_receive_result_json(&res, &text, NULL), 0);
	json_t *j = json_loads(text, 0, NULL);
	free(text);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "sequence")), 2);
	json_t *c1 = json_array_get(json_object_get(j, "changes"), 1);
	assert_string_equal(json_string_value(json_object_get(c1, "change")),
			    "changed");
	assert_string_equal(
		json_string_value(json_array_get(json_object_get(c1, "fields"),
						 0)),
		"rank");
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(c1, "new"), "rank")),
			    "lieutenant");
	json_decref(j);
	cartel_receive_result_clear(&res);
	/* The same file again: a replay. */
	char *why = NULL;
	assert_int_equal(cartel_receive(f->m, f->file, &ro, &res, &why),
			 CARTEL_EEXIST);
	assert_non_null(strstr(why, "received already"));
	free(why);
	struct cartel_audit_report rep;
	assert_int_equal(cartel_audit_verify(f->m, NULL, &rep, NULL), 0);
	assert_true(rep.n_rows >= 5);
}

static void
receive_refuses_unlisted_field(void **state)
{
	struct fx *f = *state;
	assert_int_equal(cartel_owner_set(f->u, CARTEL_OWNER_PARTY, "UA", "t",
					  NULL),
			 0);
	const char *h[] = {"family_name", "notes"};
	struct cartel_declare_opts o = {CARTEL_DECL_HELD, h, 2, NULL, &f->key,
					"t"};
	struct cartel_declare_result r;
	assert_int_equal(cartel_declare(f->u, &o, f->file, &r, NULL), 0);
	struct cartel_receive_opts ro = {.actor = "mediator"};
	struct cartel_receive_result res;
	char *why = NULL;
	assert_int_equal(cartel_receive(f->m, f->file, &ro, &res, &why),
			 CARTEL_EFORMAT);
	assert_non_null(strstr(why, "field 'notes' was not asked for"));
	free(why);
	/* Asked for, it is accepted. */
	ro.fields = h;
	ro.n_fields = 2;
	assert_int_equal(cartel_receive(f->m, f->file, &ro, &res, NULL), 0);
	assert_int_equal(res.n_added, 2);
	cartel_receive_result_clear(&res);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names),
		cmocka_unit_test_setup_teardown(owner_once, setup, teardown),
		cmocka_unit_test_setup_teardown(declare_needs_party_owner,
						setup, teardown),
		cmocka_unit_test_setup_teardown(declare_fields, setup,
						teardown),
		cmocka_unit_test_setup_teardown(receive_supersede, setup,
						teardown),
		cmocka_unit_test_setup_teardown(receive_refuses_unlisted_field,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
