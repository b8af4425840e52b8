/*
 * Unit tests for list documents and the handover: keys and pins, building
 * a document from a plan, signing and verifying, the detection of a change
 * to each field (every manifest path in turn), unpinned and wrong keys,
 * the diff between versions, and the handover's check-offs and statuses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <cartel/cartel.h>
#include <cartel/round.h>
#include <cartel/store.h>

#include "round/round_int.h"

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
	"confirmed_captive\n"
	"RU-4,Попов,Андрей,,1997,private,B203,UA,RU,military,willing,"
	"confirmed_captive\n";

static const char plan_v1[] =
	"{\"parties\":[\"UA\",\"RU\"],\"stages\":2,"
	"\"sides\":{\"UA\":{\"gives\":[\"RU-1\",\"RU-2\"],\"value\":2},"
	"\"RU\":{\"gives\":[\"UA-1\",\"UA-2\"],\"value\":2}},"
	"\"direct_repatriation\":{\"UA\":[],\"RU\":[\"UA-3\"]},"
	"\"withheld\":[{\"id\":\"RU-3\",\"reason\":\"proceedings\"}],"
	"\"excluded\":[],\"optimal\":true}";

/* Version 2: RU-2 out, RU-4 in, UA-2 moved to stage 2 by the plan. */
static const char plan_v2[] =
	"{\"parties\":[\"UA\",\"RU\"],\"stages\":2,"
	"\"sides\":{\"UA\":{\"gives\":[\"RU-1\",\"RU-4\"],\"value\":2},"
	"\"RU\":{\"gives\":[\"UA-1\",{\"id\":\"UA-2\",\"stage\":1}],"
	"\"value\":2}},"
	"\"direct_repatriation\":{\"UA\":[],\"RU\":[\"UA-3\"]},"
	"\"withheld\":[{\"id\":\"RU-3\",\"reason\":\"proceedings\"}],"
	"\"excluded\":[],\"optimal\":true}";

struct fx {
	char dir[64];
	char path[128];
	struct cartel_db *db;
	struct cartel_key ua, ru;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/cartel-round-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof f->path, "%s/r.db", f->dir);
	setenv("CARTEL_NOW", "2026-05-16T09:00:00Z", 1);
	char *why = NULL;
	if (cartel_db_open(&f->db, f->path, CARTEL_DB_CREATE, &why)) {
		fprintf(stderr, "open: %s\n", why);
		return -1;
	}
	FILE *in = fmemopen((void *)persons_csv, sizeof persons_csv - 1, "r");
	struct cartel_import_opts o;
	memset(&o, 0, sizeof o);
	o.all_or_nothing = 1;
	struct cartel_import_result res;
	memset(&res, 0, sizeof res);
	int rc = cartel_import_csv(f->db, in, "persons.csv", &o, &res, &why);
	fclose(in);
	cartel_import_result_clear(&res);
	if (rc) {
		fprintf(stderr, "import: %s\n", why);
		return -1;
	}
	if (cartel_key_generate(&f->ua, "UA", NULL) ||
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

static struct cartel_round *
make(struct fx *f, const char *plan, enum cartel_round_kind kind,
     const struct cartel_round *prev)
{
	struct cartel_round_opts o = {NULL, kind, prev, "tester", NULL};
	struct cartel_round *r = NULL;
	char *why = NULL;
	int rc = cartel_round_from_plan(f->db, plan, strlen(plan), "plan.json",
					&o, &r, &why);
	if (rc)
		fail_msg("from_plan: %s", why);
	return r;
}

static void
bad_round_ids(void **state)
{
	struct fx *f = *state;
	/* The last id is one character past the 64-character limit. */
	static const char too_long[] =
		"R-12345678901234567890123456789012345678901234567890"
		"1234567890123";
	const char *bad[] = {"", "R 1", "R\n1", "Р-1", too_long};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct cartel_round_opts o = {bad[i], CARTEL_ROUND_PROPOSAL,
					      NULL, "t", NULL};
		struct cartel_round *r = NULL;
		char *why = NULL;
		assert_int_equal(cartel_round_from_plan(f->db, plan_v1,
							strlen(plan_v1), "p",
							&o, &r, &why),
				 CARTEL_EINVAL);
		assert_null(r);
		free(why);
	}
	/* A plan naming someone the register does not hold. */
	const char *ghost = "{\"parties\":[\"UA\",\"RU\"],\"sides\":{\"UA\":"
			    "{\"gives\":[\"NOBODY\"]},\"RU\":{\"gives\":[]}}}";
	struct cartel_round_opts o = {NULL, CARTEL_ROUND_PROPOSAL, NULL, "t", NULL};
	struct cartel_round *r = NULL;
	char *why = NULL;
	assert_int_equal(cartel_round_from_plan(f->db, ghost, strlen(ghost),
						"p", &o, &r, &why),
			 CARTEL_ENOTFOUND);
	assert_non_null(strstr(why, "NOBODY"));
	free(why);
}

static void
sign_both(struct fx *f, struct cartel_round *r)
{
	char *why = NULL;
	if (cartel_round_sign(f->db, r, &f->ua, "ua", &why) ||
	    cartel_round_sign(f->db, r, &f->ru, "ru", &why))
		fail_msg("sign: %s", why);
}

/* 1 when one of the check's problems contains `text`. */
static int
has_problem(const struct cartel_round_check *c, const char *text)
{
	for (size_t i = 0; i < c->n_problems; i++)
		if (strstr(c->problems[i], text) != NULL)
			return 1;
	return 0;
}

static void
keys_files(void **state)
{
	struct fx *f = *state;
	char *sp = NULL, *pp = NULL, *why = NULL;
	assert_int_equal(cartel_key_save(&f->ua, f->dir, &sp, &pp, &why), 0);
	struct stat sb;
	assert_int_equal(stat(sp, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	/* The public file carries no secret. */
	FILE *fp = fopen(pp, "r");
	char buf[2048];
	size_t n = fread(buf, 1, sizeof buf - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	assert_null(strstr(buf, "secret_key"));
	struct cartel_key k;
	assert_int_equal(cartel_key_load(&k, sp, &why), 0);
	assert_true(k.has_secret);
	assert_memory_equal(k.secret_key, f->ua.secret_key, 64);
	assert_int_equal(cartel_key_load(&k, pp, &why), 0);
	assert_false(k.has_secret);
	assert_memory_equal(k.public_key, f->ua.public_key, 32);
	/* Never overwritten. */
	assert_int_equal(cartel_key_save(&f->ua, f->dir, NULL, NULL, &why),
			 CARTEL_EEXIST);
	free(why);
	why = NULL;
	/* A secret key others can read is refused. */
	chmod(sp, 0644);
	assert_int_equal(cartel_key_load(&k, sp, &why), CARTEL_ESTATE);
	free(why);
	why = NULL;
	free(sp);
	free(pp);
}

/* A secret key file whose seed was changed, its public half left as it
 * was: it would sign what its own public key never verifies, so loading
 * refuses it (found by tests/fuzz/key.c). */
static void
keys_changed_seed(void **state)
{
	struct fx *f = *state;
	char *sp = NULL, *why = NULL;
	assert_int_equal(cartel_key_save(&f->ua, f->dir, &sp, NULL, &why), 0);
	FILE *fp = fopen(sp, "r");
	char text[2048];
	size_t n = fread(text, 1, sizeof text - 1, fp);
	fclose(fp);
	text[n] = '\0';
	/* The first base64 character of the secret encodes the seed's first
	 * bits: change it. */
	char *b64 = strstr(text, "\"secret_key\": \"");
	assert_non_null(b64);
	b64 += strlen("\"secret_key\": \"");
	*b64 = *b64 == 'A' ? 'B' : 'A';
	struct cartel_key k;
	assert_int_equal(cartel_key_parse(&k, text, n, "changed.key", &why),
			 CARTEL_ETAMPER);
	assert_non_null(strstr(why, "does not belong"));
	free(why);
	free(sp);
}

static void
pins(void **state)
{
	struct fx *f = *state;
	char *why = NULL;
	int changed = 1;
	/* The same key again: nothing to do. */
	assert_int_equal(cartel_key_pin(f->db, "RU", f->ru.public_key, 0, "t",
					&changed, &why),
			 0);
	assert_int_equal(changed, 0);
	/* A second, different key: refused unless replaced on purpose. */
	struct cartel_key other;
	cartel_key_generate(&other, "RU", NULL);
	assert_int_equal(cartel_key_pin(f->db, "RU", other.public_key, 0, "t",
					&changed, &why),
			 CARTEL_EEXIST);
	assert_non_null(strstr(why, "--replace"));
	free(why);
	why = NULL;
	unsigned char pk[32];
	assert_int_equal(cartel_key_pinned(f->db, "RU", pk, NULL), 0);
	assert_memory_equal(pk, f->ru.public_key, 32);
	assert_int_equal(cartel_key_pin(f->db, "RU", other.public_key, 1, "t",
					&changed, &why),
			 0);
	assert_int_equal(changed, 1);
	assert_int_equal(cartel_key_pinned(f->db, "RU", pk, NULL), 0);
	assert_memory_equal(pk, other.public_key, 32);
	struct cartel_key_pin *p;
	size_t n;
	assert_int_equal(cartel_key_pins(f->db, &p, &n, NULL), 0);
	assert_int_equal(n, 3); /* UA, RU now, RU replaced */
	cartel_key_pins_free(p, n);
}

static void
build_sign_verify(void **state)
{
	struct fx *f = *state;
	struct cartel_round *r = make(f, plan_v1, CARTEL_ROUND_AGREED, NULL);
	assert_int_equal(cartel_round_version(r), 1);
	assert_int_equal(cartel_round_n_persons(r), 6);
	assert_string_equal(cartel_round_party(r, 0), "UA");
	/* Person fields come from the register. */
	json_t *e = json_array_get(
		json_object_get(json_object_get(json_object_get(r->doc,
								"sides"),
						"RU"),
				"gives"),
		0);
	assert_string_equal(json_string_value(json_object_get(e, "id")),
			    "UA-1");
	assert_string_equal(
		json_string_value(json_object_get(e, "service_number")),
		"A100");
	assert_string_equal(json_string_value(json_object_get(e,
							      "birth_date")),
			    "1994-03-02");
	assert_int_equal(json_integer_value(json_object_get(e, "stage")), 1);
	struct cartel_round_check c;
	char *why = NULL;
	/* Unsigned: both signatures missing. */
	assert_int_equal(cartel_round_verify(f->db, r, &c, &why),
			 CARTEL_ETAMPER);
	assert_true(c.manifest_ok && c.digest_ok);
	assert_true(has_problem(&c, "signature of UA: missing"));
	assert_true(has_problem(&c, "signature of RU: missing"));
	cartel_round_check_clear(&c);
	free(why);
	why = NULL;
	sign_both(f, r);
	assert_int_equal(cartel_round_verify(f->db, r, &c, &why), 0);
	assert_true(c.sig[0].valid && c.sig[1].valid);
	assert_true(c.sig[0].key_is_pinned && c.sig[1].key_is_pinned);
	cartel_round_check_clear(&c);
	/* Through a file and back: still verifies. */
	char path[160];
	snprintf(path, sizeof path, "%s/r1.json", f->dir);
	assert_int_equal(cartel_round_write(r, path, &why), 0);
	struct cartel_round *back;
	assert_int_equal(cartel_round_read(&back, path, &why), 0);
	assert_int_equal(cartel_round_verify(f->db, back, &c, &why), 0);
	cartel_round_check_clear(&c);
	cartel_round_free(back);
	cartel_round_free(r);
}

/* Changes the value at manifest path `path` in doc (a person entry: its
 * family name or id; another field: replaced by a different value). */
static void
mutate(json_t *doc, const char *path)
{
	char buf[256];
	snprintf(buf, sizeof buf, "%s", path);
	char *bracket = strchr(buf, '[');
	char *id = NULL;
	if (bracket != NULL) {
		*bracket = '\0';
		id = bracket + 1;
		id[strlen(id) - 1] = '\0';
	}
	json_t *parent = doc, *v = NULL;
	const char *last = NULL;
	for (char *tok = buf; tok != NULL;) {
		char *dot = strchr(tok, '.');
		if (dot != NULL)
			*dot = '\0';
		if (v != NULL)
			parent = v;
		v = json_object_get(parent, tok);
		last = tok;
		tok = dot ? dot + 1 : NULL;
	}
	assert_non_null(v);
	if (id != NULL) {
		for (size_t i = 0; i < json_array_size(v); i++) {
			json_t *e = json_array_get(v, i);
			if (strcmp(json_string_value(json_object_get(e, "id")),
				   id) == 0) {
				json_object_set_new(e, "family_name",
						    json_string("Tampered"));
				return;
			}
		}
		fail_msg("no entry %s", id);
	}
	if (json_is_array(v) && json_array_size(v) > 0 &&
	    json_is_object(json_array_get(v, 0))) {
		/* A person list as a whole: drop its last entry. */
		json_array_remove(v, json_array_size(v) - 1);
		return;
	}
	if (json_is_integer(v))
		json_object_set_new(parent, last,
				    json_integer(json_integer_value(v) + 1));
	else if (json_is_string(v))
		json_object_set_new(parent, last, json_string("sha256:00"));
	else
		json_object_set_new(parent, last, json_string("changed"));
}

/* Each field of a signed document, changed in turn, fails verification,
 * and the problem names that field. */
static void
tamper_each_field(void **state)
{
	struct fx *f = *state;
	struct cartel_round *r = make(f, plan_v1, CARTEL_ROUND_AGREED, NULL);
	sign_both(f, r);
	json_t *manifest = json_object_get(r->doc, "manifest");
	const char *path;
	json_t *val;
	size_t n_paths = 0, n_verified = 0;
	json_object_foreach(manifest, path, val)
	{
		struct cartel_round t = {json_deep_copy(r->doc),
					 (char *)"tampered"};
		mutate(t.doc, path);
		struct cartel_round_check c;
		char *why = NULL;
		/* A change of type may already fail the shape check; read
		 * it back as a file would be. */
		char *text = json_dumps(t.doc, JSON_COMPACT);
		struct cartel_round *back = NULL;
		int prc = cartel_round_parse(&back, text, strlen(text),
					     "tampered", &why);
		free(text);
		json_decref(t.doc);
		if (prc != 0) {
			assert_int_equal(prc, CARTEL_EFORMAT);
			free(why);
			n_paths++;
			continue;
		}
		assert_int_equal(cartel_round_verify(f->db, back, &c, &why),
				 CARTEL_ETAMPER);
		assert_false(c.manifest_ok);
		assert_false(c.digest_ok);
		/* The field is named (a list's own path, or its entry). */
		char quoted[200];
		snprintf(quoted, sizeof quoted, "'%s'", path);
		if (!has_problem(&c, quoted))
			fail_msg("changing %s: no problem names it (%s)", path,
				 why);
		assert_true(has_problem(&c, "signature of UA does not hold"));
		cartel_round_check_clear(&c);
		cartel_round_free(back);
		free(why);
		n_paths++;
		n_verified++;
	}
	assert_true(n_paths >= 15);
	assert_true(n_verified >= 12);
	/* A changed signature, and a changed digest. */
	struct cartel_round t = {json_deep_copy(r->doc), (char *)"t"};
	json_t *sig = json_object_get(json_object_get(t.doc, "signatures"),
				      "RU");
	const char *s64 = json_string_value(json_object_get(sig,
							    "signature"));
	char *altered = strdup(s64);
	altered[5] = altered[5] == 'A' ? 'B' : 'A';
	json_object_set_new(sig, "signature", json_string(altered));
	free(altered);
	struct cartel_round_check c;
	char *why = NULL;
	assert_int_equal(cartel_round_verify(f->db, &t, &c, &why),
			 CARTEL_ETAMPER);
	assert_true(c.digest_ok);
	assert_true(c.sig[0].valid);
	assert_false(c.sig[1].valid);
	assert_true(has_problem(&c, "signature of RU does not hold"));
	cartel_round_check_clear(&c);
	free(why);
	why = NULL;
	json_decref(t.doc);
	/* A re-sealed forgery (manifest and digest recomputed by the forger,
	 * who knows the format) passes those checks and still fails on both
	 * signatures. */
	t.doc = json_deep_copy(r->doc);
	json_object_set_new(t.doc, "created",
			    json_string("2026-05-17T09:00:00Z"));
	assert_int_equal(cartel__round_seal(t.doc, &why), 0);
	assert_int_equal(cartel_round_verify(f->db, &t, &c, &why),
			 CARTEL_ETAMPER);
	assert_true(c.manifest_ok && c.digest_ok);
	assert_false(c.sig[0].valid);
	assert_false(c.sig[1].valid);
	cartel_round_check_clear(&c);
	free(why);
	why = NULL;
	json_decref(t.doc);
	/* A member nested past the depth limit: refused with the limit
	 * named, and (under ASan) nothing the manifest check found before
	 * the refusal is lost. */
	t.doc = json_deep_copy(r->doc);
	json_t *deep = json_object();
	for (int i = 0; i < 1100; i++)
		deep = json_pack("{so}", "a", deep);
	json_object_set_new(t.doc, "created", deep);
	assert_int_equal(cartel_round_verify(f->db, &t, &c, &why),
			 CARTEL_ERANGE);
	assert_non_null(strstr(why, "deeper than 1000"));
	cartel_round_check_clear(&c);
	free(why);
	json_decref(t.doc);
	cartel_round_free(r);
}

static void
unpinned_and_wrong_key(void **state)
{
	struct fx *f = *state;
	struct cartel_round *r = make(f, plan_v1, CARTEL_ROUND_AGREED, NULL);
	sign_both(f, r);
	struct cartel_round_check c;
	char *why = NULL;
	/* A register with no pins at all. */
	char path[160];
	snprintf(path, sizeof path, "%s/empty.db", f->dir);
	struct cartel_db *empty;
	assert_int_equal(cartel_db_open(&empty, path, CARTEL_DB_CREATE, &why),
			 0);
	assert_int_equal(cartel_round_verify(empty, r, &c, &why),
			 CARTEL_ETAMPER);
	assert_true(c.sig[0].valid && c.sig[1].valid);
	assert_false(c.sig[1].key_is_pinned);
	assert_true(has_problem(&c, "no key is pinned for RU"));
	cartel_round_check_clear(&c);
	free(why);
	why = NULL;
	/* RU's pin replaced by another key: RU's signature is refused. */
	struct cartel_key other;
	cartel_key_generate(&other, "RU", NULL);
	assert_int_equal(cartel_key_pin(empty, "UA", f->ua.public_key, 0, "t",
					NULL, NULL),
			 0);
	assert_int_equal(cartel_key_pin(empty, "RU", other.public_key, 0, "t",
					NULL, NULL),
			 0);
	assert_int_equal(cartel_round_verify(empty, r, &c, &why),
			 CARTEL_ETAMPER);
	assert_true(c.sig[0].key_is_pinned);
	assert_false(c.sig[1].key_is_pinned);
	assert_true(has_problem(&c, "but the key pinned for RU is"));
	cartel_round_check_clear(&c);
	free(why);
	why = NULL;
	/* Signing with a key that is not the pinned one is refused. */
	struct cartel_round *r2 = make(f, plan_v1, CARTEL_ROUND_AGREED, NULL);
	assert_int_equal(cartel_round_sign(empty, r2, &f->ru, "ru", &why),
			 CARTEL_ESTATE);
	free(why);
	why = NULL;
	/* A key of a party not in the round. */
	struct cartel_key md;
	cartel_key_generate(&md, "MD", NULL);
	assert_int_equal(cartel_round_sign(f->db, r2, &md, "md", &why),
			 CARTEL_EINVAL);
	free(why);
	cartel_db_close(empty);
	cartel_round_free(r);
	cartel_round_free(r2);
}

static void
diff_versions(void **state)
{
	struct fx *f = *state;
	struct cartel_round *a = make(f, plan_v1, CARTEL_ROUND_PROPOSAL, NULL);
	/* The register learns a corrected service number before v2. */
	struct cartel_event ev;
	memset(&ev, 0, sizeof ev);
	ev.person_id = "UA-1";
	ev.field = "service_number";
	ev.new_value = "A100-7";
	ev.prov.actor = "t";
	char *why = NULL;
	assert_int_equal(cartel_event_add(f->db, &ev, &why), 0);
	struct cartel_round *b = make(f, plan_v2, CARTEL_ROUND_COUNTER, a);
	assert_int_equal(cartel_round_version(b), 2);
	assert_string_equal(cartel_round_id(b), cartel_round_id(a));
	assert_string_equal(
		json_string_value(json_object_get(b->doc, "previous_digest")),
		cartel_round_digest(a));
	struct cartel_round_diff d;
	assert_int_equal(cartel_round_diff(a, b, &d, &why), 0);
	assert_int_equal(d.n_added, 1);
	assert_int_equal(d.n_removed, 1);
	assert_int_equal(d.n_changed, 2);
	int seen_add = 0, seen_rem = 0, seen_sn = 0, seen_stage = 0;
	for (size_t i = 0; i < d.n_entries; i++) {
		struct cartel_round_diff_entry *e = &d.entries[i];
		if (e->change == CARTEL_ROUND_ADDED &&
		    strcmp(e->id, "RU-4") == 0 &&
		    strcmp(e->new_list, "sides.UA.gives") == 0)
			seen_add = 1;
		if (e->change == CARTEL_ROUND_REMOVED &&
		    strcmp(e->id, "RU-2") == 0)
			seen_rem = 1;
		for (size_t k = 0; k < e->n_fields; k++) {
			if (strcmp(e->id, "UA-1") == 0 &&
			    strcmp(e->fields[k].field, "service_number") ==
				    0 &&
			    strcmp(e->fields[k].new_value, "\"A100-7\"") == 0)
				seen_sn = 1;
			if (strcmp(e->id, "UA-2") == 0 &&
			    strcmp(e->fields[k].field, "stage") == 0 &&
			    strcmp(e->fields[k].old_value, "2") == 0 &&
			    strcmp(e->fields[k].new_value, "1") == 0)
				seen_stage = 1;
		}
	}
	assert_true(seen_add && seen_rem && seen_sn && seen_stage);
	int kind_changed = 0;
	for (size_t i = 0; i < d.n_header; i++)
		if (strcmp(d.header[i].field, "kind") == 0)
			kind_changed = 1;
	assert_true(kind_changed);
	cartel_round_diff_clear(&d);
	/* Same document: no difference. */
	assert_int_equal(cartel_round_diff(a, a, &d, &why), 0);
	assert_int_equal(d.n_entries + d.n_header, 0);
	cartel_round_diff_clear(&d);
	cartel_round_free(a);
	cartel_round_free(b);
}

static enum cartel_status
status_of(struct fx *f, const char *id)
{
	struct cartel_person p;
	memset(&p, 0, sizeof p);
	assert_int_equal(cartel_person_get(f->db, id, &p, NULL), 0);
	enum cartel_status s = p.status;
	cartel_person_clear(&p);
	return s;
}

static void
handover(void **state)
{
	struct fx *f = *state;
	char *why = NULL;
	/* A proposal is not handed over, nor an unsigned list. */
	struct cartel_round *p = make(f, plan_v1, CARTEL_ROUND_PROPOSAL, NULL);
	sign_both(f, p);
	assert_int_equal(cartel_handover_start(f->db, p, "t", &why),
			 CARTEL_ESTATE);
	free(why);
	why = NULL;
	cartel_round_free(p);
	struct cartel_round *r = make(f, plan_v1, CARTEL_ROUND_AGREED, NULL);
	assert_int_equal(cartel_handover_start(f->db, r, "t", &why),
			 CARTEL_ETAMPER);
	free(why);
	why = NULL;
	assert_int_equal(status_of(f, "UA-1"),
			 CARTEL_STATUS_CONFIRMED_CAPTIVE);
	sign_both(f, r);
	assert_int_equal(cartel_handover_start(f->db, r, "t", &why), 0);
	assert_int_equal(status_of(f, "UA-1"), CARTEL_STATUS_AGREED);
	assert_int_equal(status_of(f, "UA-3"), CARTEL_STATUS_AGREED);
	/* The withheld stay where they were. */
	assert_int_equal(status_of(f, "RU-3"),
			 CARTEL_STATUS_CONFIRMED_CAPTIVE);
	assert_int_equal(cartel_handover_start(f->db, r, "t", &why),
			 CARTEL_EEXIST);
	free(why);
	why = NULL;
	const char *rid = cartel_round_id(r);
	/* UA-2's consent was never asked: no handover. */
	struct cartel_checkoff c = {rid, "UA-2", CARTEL_HANDOVER_RECEIVED,
				    "officer", NULL, NULL};
	assert_int_equal(cartel_handover_check(f->db, &c, NULL, &why),
			 CARTEL_ESTATE);
	assert_non_null(strstr(why, "willing"));
	free(why);
	why = NULL;
	assert_int_equal(status_of(f, "UA-2"), CARTEL_STATUS_AGREED);
	c.person_id = "UA-1";
	int already = -1;
	assert_int_equal(cartel_handover_check(f->db, &c, &already, &why), 0);
	assert_int_equal(already, 0);
	assert_int_equal(status_of(f, "UA-1"), CARTEL_STATUS_REPATRIATED);
	/* Again, same outcome: nothing doubled. */
	assert_int_equal(cartel_handover_check(f->db, &c, &already, &why), 0);
	assert_int_equal(already, 1);
	struct cartel_event *ev;
	size_t nev;
	assert_int_equal(cartel_person_events(f->db, "UA-1", &ev, &nev, NULL),
			 0);
	size_t n_repat = 0;
	for (size_t i = 0; i < nev; i++)
		if (strcmp(ev[i].field, "status") == 0 &&
		    strcmp(ev[i].new_value, "repatriated") == 0)
			n_repat++;
	cartel_events_free(ev, nev);
	assert_int_equal(n_repat, 1);
	/* Another outcome for the same person: refused. */
	c.outcome = CARTEL_HANDOVER_ABSENT;
	assert_int_equal(cartel_handover_check(f->db, &c, NULL, &why),
			 CARTEL_ESTATE);
	free(why);
	why = NULL;
	/* A time that is not UTC ISO 8601 is refused. */
	struct cartel_checkoff bad_at = {rid, "UA-3", CARTEL_HANDOVER_RECEIVED,
					 "officer", "16.05.2026 10:00", NULL};
	assert_int_equal(cartel_handover_check(f->db, &bad_at, NULL, &why),
			 CARTEL_EINVAL);
	free(why);
	why = NULL;
	bad_at.at = "2026-02-30T10:00:00Z";
	assert_int_equal(cartel_handover_check(f->db, &bad_at, NULL, &why),
			 CARTEL_EINVAL);
	free(why);
	why = NULL;
	/* Not on the lists. */
	c.person_id = "RU-3";
	assert_int_equal(cartel_handover_check(f->db, &c, NULL, &why),
			 CARTEL_ENOTFOUND);
	free(why);
	why = NULL;
	/* Refused at the point of exchange: back to captive. */
	struct cartel_checkoff c2 = {rid, "RU-1", CARTEL_HANDOVER_REFUSED,
				     "officer", NULL, NULL};
	assert_int_equal(cartel_handover_check(f->db, &c2, NULL, &why), 0);
	assert_int_equal(status_of(f, "RU-1"),
			 CARTEL_STATUS_CONFIRMED_CAPTIVE);
	/* Stage 1 still has someone pending: closing it is refused unless
	 * the rest are marked absent. */
	assert_int_equal(cartel_handover_close_stage(f->db, rid, 1, "officer",
						     0, &why),
			 CARTEL_ESTATE);
	free(why);
	why = NULL;
	assert_int_equal(cartel_handover_close_stage(f->db, rid, 1, "officer",
						     1, &why),
			 0);
	struct cartel_handover_status st;
	assert_int_equal(cartel_handover_status(f->db, rid, &st, &why), 0);
	assert_int_equal(st.n_stages, 2);
	assert_true(st.stages[0].closed);
	assert_false(st.stages[1].closed);
	assert_int_equal(st.stages[0].n[CARTEL_HANDOVER_PENDING], 0);
	assert_int_equal(st.stages[0].n[CARTEL_HANDOVER_RECEIVED], 1);
	assert_int_equal(st.stages[0].n[CARTEL_HANDOVER_REFUSED], 1);
	long listed = 0;
	for (size_t i = 0; i < st.n_stages; i++)
		listed += st.stages[i].n_listed;
	assert_int_equal(listed, 5);
	cartel_handover_status_clear(&st);
	/* A closed stage takes no more check-offs. */
	struct cartel_checkoff c3 = {rid, "RU-2", CARTEL_HANDOVER_HANDED_OVER,
				     "officer", NULL, NULL};
	struct cartel_handover_person hp;
	assert_int_equal(cartel__round_ho_get(f->db, rid, "RU-2", &hp, NULL),
			 0);
	int stage_ru2 = hp.stage;
	cartel__round_ho_person_clear(&hp);
	if (stage_ru2 == 1) {
		assert_int_equal(cartel_handover_check(f->db, &c3, NULL, &why),
				 CARTEL_ESTATE);
		free(why);
		why = NULL;
	}
	/* The audit chain holds everything. */
	struct cartel_audit_report rep;
	assert_int_equal(cartel_audit_verify(f->db, NULL, &rep, &why), 0);
	cartel_round_free(r);
}

static struct cartel_round *
agreed_round(struct fx *f, const char *plan, const char *id)
{
	struct cartel_round_opts o = {id, CARTEL_ROUND_AGREED, NULL, "tester", NULL};
	struct cartel_round *r = NULL;
	char *why = NULL;
	if (cartel_round_from_plan(f->db, plan, strlen(plan), "plan.json", &o,
				   &r, &why))
		fail_msg("from_plan: %s", why);
	sign_both(f, r);
	if (cartel_handover_start(f->db, r, "t", &why))
		fail_msg("start %s: %s", id, why);
	return r;
}

static enum cartel_handover_outcome
outcome_in(struct fx *f, const char *round_id, const char *id)
{
	struct cartel_handover_person hp;
	assert_int_equal(cartel__round_ho_get(f->db, round_id, id, &hp, NULL),
			 0);
	enum cartel_handover_outcome o = hp.outcome;
	cartel__round_ho_person_clear(&hp);
	return o;
}

/* UA-1 struck off round A and agreed again in round B. */
static const char plan_b[] =
	"{\"parties\":[\"UA\",\"RU\"],\"stages\":1,"
	"\"sides\":{\"UA\":{\"gives\":[\"RU-4\"],\"value\":1},"
	"\"RU\":{\"gives\":[\"UA-1\"],\"value\":1}},"
	"\"direct_repatriation\":{\"UA\":[],\"RU\":[]},"
	"\"withheld\":[],\"excluded\":[],\"optimal\":true}";

static void
two_rounds(void **state)
{
	struct fx *f = *state;
	char *why = NULL;
	struct cartel_round *a = agreed_round(f, plan_v1, "R-A");
	/* UA-1 is struck off round A, then agreed in round B: his row in A
	 * leaves the list, so he cannot be checked off there. */
	struct cartel_event ev;
	memset(&ev, 0, sizeof ev);
	ev.person_id = "UA-1";
	ev.field = "status";
	ev.new_value = "confirmed_captive";
	ev.prov.actor = "t";
	assert_int_equal(cartel_event_add(f->db, &ev, &why), 0);
	struct cartel_round *b = agreed_round(f, plan_b, "R-B");
	assert_int_equal(outcome_in(f, "R-A", "UA-1"),
			 CARTEL_HANDOVER_WITHDRAWN);
	struct cartel_checkoff c = {"R-B", "UA-1", CARTEL_HANDOVER_RECEIVED,
				    "officer", NULL, NULL};
	assert_int_equal(cartel_handover_check(f->db, &c, NULL, &why), 0);
	c.round_id = "R-A";
	assert_int_equal(cartel_handover_check(f->db, &c, NULL, &why),
			 CARTEL_ESTATE);
	free(why);
	why = NULL;
	/* A register written before this rule may hold a person pending in
	 * two rounds: RU-4, listed in A behind the register's rules. */
	assert_int_equal(cartel_db_begin(f->db, NULL), 0);
	assert_int_equal(cartel__round_ho_put(f->db, "R-A", "RU-4", 99, "UA",
					      1, 0, NULL),
			 0);
	assert_int_equal(cartel_audit_append(f->db, "t", "handover.start",
					     "R-A", "listed by an old build",
					     NULL),
			 0);
	assert_int_equal(cartel_db_commit(f->db, NULL), 0);
	c.round_id = "R-B";
	c.person_id = "RU-4";
	c.outcome = CARTEL_HANDOVER_HANDED_OVER;
	assert_int_equal(cartel_handover_check(f->db, &c, NULL, &why), 0);
	/* Checked off in B, he is not checked off again in A: the message
	 * names him and the round that sent him home. */
	c.round_id = "R-A";
	for (int o = CARTEL_HANDOVER_HANDED_OVER; o <= CARTEL_HANDOVER_ABSENT;
	     o++) {
		c.outcome = (enum cartel_handover_outcome)o;
		assert_int_equal(cartel_handover_check(f->db, &c, NULL, &why),
				 CARTEL_ESTATE);
		assert_non_null(strstr(why, "RU-4"));
		assert_non_null(strstr(why, "through round R-B"));
		free(why);
		why = NULL;
	}
	struct cartel_event *evs;
	size_t n;
	assert_int_equal(cartel_person_events(f->db, "RU-4", &evs, &n, NULL),
			 0);
	size_t n_repat = 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(evs[i].field, "status") == 0 &&
		    strcmp(evs[i].new_value, "repatriated") == 0)
			n_repat++;
	cartel_events_free(evs, n);
	assert_int_equal(n_repat, 1);
	/* Nor is he loaded into a new round. */
	static const char plan_c[] =
		"{\"parties\":[\"UA\",\"RU\"],\"stages\":1,"
		"\"sides\":{\"UA\":{\"gives\":[\"RU-4\"],\"value\":1},"
		"\"RU\":{\"gives\":[],\"value\":0}},"
		"\"direct_repatriation\":{\"UA\":[],\"RU\":[]},"
		"\"withheld\":[],\"excluded\":[],\"optimal\":true}";
	struct cartel_round_opts o = {"R-C", CARTEL_ROUND_AGREED, NULL, "t", NULL};
	struct cartel_round *r3 = NULL;
	assert_int_equal(cartel_round_from_plan(f->db, plan_c, strlen(plan_c),
						"plan.json", &o, &r3, &why),
			 CARTEL_ESTATE);
	assert_null(r3);
	assert_non_null(strstr(why, "through round R-B"));
	assert_non_null(strstr(why, "rule 'not_in_custody'"));
	free(why);
	why = NULL;
	/* Stage 1 of A closes: RU-4, who left by another round, and UA-1,
	 * withdrawn, do not block it; the rest are marked absent. */
	assert_int_equal(cartel_handover_close_stage(f->db, "R-A", 1, "officer",
						     1, &why),
			 0);
	assert_int_equal(outcome_in(f, "R-A", "RU-4"),
			 CARTEL_HANDOVER_WITHDRAWN);
	struct cartel_audit_report rep;
	assert_int_equal(cartel_audit_verify(f->db, NULL, &rep, &why), 0);
	cartel_round_free(r3);
	cartel_round_free(a);
	cartel_round_free(b);
}

static void
refusal_at_the_point(void **state)
{
	struct fx *f = *state;
	char *why = NULL;
	struct cartel_round *r = agreed_round(f, plan_v1, "R-P");
	struct cartel_checkoff c = {"R-P", "RU-1", CARTEL_HANDOVER_REFUSED,
				    "officer K", "2026-05-16T10:30:00Z",
				    "Sumy crossing"};
	assert_int_equal(cartel_handover_check(f->db, &c, NULL, &why), 0);
	struct cartel_person p;
	assert_int_equal(cartel_person_get(f->db, "RU-1", &p, NULL), 0);
	assert_int_equal(p.status, CARTEL_STATUS_CONFIRMED_CAPTIVE);
	assert_int_equal(p.consent, CARTEL_CONSENT_REFUSES);
	assert_string_equal(p.consent_by, "officer K");
	char day[16];
	assert_string_equal(
		cartel_date_format(&p.consent_on, day, sizeof day),
		"2026-05-16");
	cartel_person_clear(&p);
	struct cartel_event *evs;
	size_t n;
	assert_int_equal(cartel_person_events(f->db, "RU-1", &evs, &n, NULL),
			 0);
	int seen = 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(evs[i].field, "consent") == 0 &&
		    strcmp(evs[i].new_value, "refuses") == 0 &&
		    strstr(evs[i].prov.source_ref, "R-P") != NULL &&
		    strstr(evs[i].prov.source_ref, "Sumy crossing") != NULL)
			seen = 1;
	cartel_events_free(evs, n);
	assert_true(seen);
	/* An absent man's consent is not touched. */
	c.person_id = "RU-2";
	c.outcome = CARTEL_HANDOVER_ABSENT;
	assert_int_equal(cartel_handover_check(f->db, &c, NULL, &why), 0);
	assert_int_equal(cartel_person_get(f->db, "RU-2", &p, NULL), 0);
	assert_int_equal(p.consent, CARTEL_CONSENT_WILLING);
	cartel_person_clear(&p);
	/* The closing outcomes are not given by hand. */
	c.person_id = "UA-1";
	c.outcome = CARTEL_HANDOVER_DECEASED;
	assert_int_equal(cartel_handover_check(f->db, &c, NULL, &why),
			 CARTEL_EINVAL);
	free(why);
	struct cartel_audit_report rep;
	assert_int_equal(cartel_audit_verify(f->db, NULL, &rep, &why), 0);
	cartel_round_free(r);
}

static void
stage_closes_with_the_dead(void **state)
{
	struct fx *f = *state;
	char *why = NULL;
	struct cartel_round *r = agreed_round(f, plan_v1, "R-D");
	/* After the round was agreed, UA-3 died and RU-2 was released. */
	struct cartel_event ev;
	memset(&ev, 0, sizeof ev);
	ev.field = "status";
	ev.prov.actor = "t";
	ev.person_id = "UA-3";
	ev.new_value = "deceased";
	assert_int_equal(cartel_event_add(f->db, &ev, &why), 0);
	ev.person_id = "RU-2";
	ev.new_value = "released";
	assert_int_equal(cartel_event_add(f->db, &ev, &why), 0);
	struct cartel_checkoff c = {"R-D", "UA-3", CARTEL_HANDOVER_ABSENT,
				    "officer", NULL, NULL};
	assert_int_equal(cartel_handover_check(f->db, &c, NULL, &why),
			 CARTEL_ESTATE);
	assert_non_null(strstr(why, "deceased"));
	free(why);
	why = NULL;
	/* Every agreed person in stage 1 checked off, then it closes. */
	struct cartel_handover_person *ps = NULL;
	size_t n = 0;
	assert_int_equal(cartel__round_ho_list(f->db, "R-D", 1, &ps, &n, NULL),
			 0);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(ps[i].id, "UA-3") == 0 ||
		    strcmp(ps[i].id, "RU-2") == 0)
			continue;
		c.person_id = ps[i].id;
		assert_int_equal(cartel_handover_check(f->db, &c, NULL, &why),
				 0);
	}
	for (size_t i = 0; i < n; i++)
		cartel__round_ho_person_clear(&ps[i]);
	free(ps);
	for (int s = 1; s <= 2; s++)
		if (cartel_handover_close_stage(f->db, "R-D", s, "officer", 1,
						&why) != 0)
			fail_msg("close stage %d: %s", s, why);
	assert_int_equal(outcome_in(f, "R-D", "UA-3"),
			 CARTEL_HANDOVER_DECEASED);
	assert_int_equal(outcome_in(f, "R-D", "RU-2"),
			 CARTEL_HANDOVER_RELEASED);
	assert_int_equal(status_of(f, "UA-3"), CARTEL_STATUS_DECEASED);
	assert_int_equal(status_of(f, "RU-2"), CARTEL_STATUS_RELEASED);
	struct cartel_audit_report rep;
	assert_int_equal(cartel_audit_verify(f->db, NULL, &rep, &why), 0);
	cartel_round_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(keys_files, setup, teardown),
		cmocka_unit_test_setup_teardown(keys_changed_seed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(pins, setup, teardown),
		cmocka_unit_test_setup_teardown(build_sign_verify, setup,
						teardown),
		cmocka_unit_test_setup_teardown(tamper_each_field, setup,
						teardown),
		cmocka_unit_test_setup_teardown(unpinned_and_wrong_key, setup,
						teardown),
		cmocka_unit_test_setup_teardown(diff_versions, setup,
						teardown),
		cmocka_unit_test_setup_teardown(handover, setup, teardown),
		cmocka_unit_test_setup_teardown(two_rounds, setup, teardown),
		cmocka_unit_test_setup_teardown(refusal_at_the_point, setup,
						teardown),
		cmocka_unit_test_setup_teardown(stage_closes_with_the_dead,
						setup, teardown),
		cmocka_unit_test_setup_teardown(bad_round_ids, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
