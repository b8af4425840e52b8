/*
 * List documents: building one from a plan, reading and checking its
 * shape, the manifest and digest, signing, verifying, and comparing two
 * versions. docs/rounds.md describes the format field by field.
 *
 * Three layers of integrity, each named in a failed verification: the
 * manifest, the digest and one signature per party, made and checked by
 * the seal every signed document shares (seal.c).
 *
 * jansson ownership: json_t values built here are owned by the document
 * (r->doc) once set into it; borrowed references (json_object_get) are
 * never decref'd.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include <cartel/declaration.h>
#include <cartel/error.h>
#include <cartel/file.h>
#include <cartel/limits.h>
#include <cartel/round.h>
#include <cartel/store.h>

#include "core/why.h"
#include "round/jcs.h"
#include "round/round_int.h"

#define ROUND_FORMAT "cartel-round/1"
#define ROUND_FILE_MAX CARTEL_LIMIT_ROUND_DOC
#define ROUND_ID_MAX 64

static const char *kind_names[] = {"proposal", "counter", "agreed"};

const char *
cartel_round_kind_name(enum cartel_round_kind k)
{
	return (unsigned)k < 3 ? kind_names[k] : "";
}

int
cartel_round_kind_parse(const char *s, enum cartel_round_kind *k, char **why)
{
	for (int i = 0; i < 3; i++)
		if (s != NULL && strcmp(s, kind_names[i]) == 0) {
			*k = (enum cartel_round_kind)i;
			return 0;
		}
	return cartel__why(why, CARTEL_EINVAL,
			   "kind '%.20s' is not one of: proposal, counter, "
			   "agreed",
			   s ? s : "");
}

/* 1 when s is a round id: 1 to 64 of A-Z a-z 0-9 and . _ : - (it travels
 * on command lines and in messages). */
static int
round_id_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > ROUND_ID_MAX)
		return 0;
	for (const char *c = s; *c; c++)
		if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
		      (*c >= '0' && *c <= '9') || *c == '.' || *c == '_' ||
		      *c == ':' || *c == '-'))
			return 0;
	return 1;
}

/* The person fields a list entry carries (besides id, stage, reason). */
static const char *const person_fields[] = {
	"family_name", "given_name", "patronymic", "birth_date", "rank",
	"service_number", "category", "consent", "holder", "holder_id",
	"receiver_id", NULL};

/* The fields a printed list may show: the person fields and the id. */
static int
print_field_known(const char *s, size_t n)
{
	if (n == 2 && memcmp(s, "id", 2) == 0)
		return 1;
	for (size_t i = 0; person_fields[i] != NULL; i++)
		if (strlen(person_fields[i]) == n &&
		    memcmp(person_fields[i], s, n) == 0)
			return 1;
	return 0;
}

/* opts->print_fields as the document's array, or NULL with *why. */
static json_t *
print_fields_json(const char *list, char **why)
{
	json_t *a = json_array();
	const char *p = list;
	while (a != NULL) {
		size_t n = strcspn(p, ",");
		if (n == 0 || !print_field_known(p, n)) {
			cartel__why(why, CARTEL_EINVAL,
				    "print fields: '%.*s' is not a person field "
				    "(one of id, %s, ...)",
				    cartel__utf8_cut(p, n < 40 ? n : 40), p,
				    "family_name, given_name, birth_date");
			json_decref(a);
			return NULL;
		}
		for (size_t i = 0; i < json_array_size(a); i++) {
			const char *o = json_string_value(json_array_get(a, i));
			if (strlen(o) == n && memcmp(o, p, n) == 0) {
				cartel__why(why, CARTEL_EINVAL,
					    "print fields: '%.*s' named twice",
					    (int)n, p);
				json_decref(a);
				return NULL;
			}
		}
		json_array_append_new(a, json_stringn(p, n));
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
	if (a == NULL)
		cartel__why(why, CARTEL_ENOMEM, "out of memory");
	return a;
}

/* ---- Reading and shape ---- */

static int
shape_err(const char *name, char **why, const char *field, const char *what)
{
	return cartel__why(why, CARTEL_EFORMAT, "%s: field '%s': %s", name,
			   field, what);
}

static int
check_person(const char *name, const json_t *e, const char *list, size_t i,
	     long stages, int want_stage, int want_reason, json_t *seen,
	     char **why)
{
	char field[320];
	snprintf(field, sizeof field, "%s[%zu]", list, i);
	if (!json_is_object(e))
		return shape_err(name, why, field, "expected an object");
	const char *id = json_string_value(json_object_get(e, "id"));
	if (id == NULL || id[0] == '\0' || strlen(id) > 200)
		return shape_err(name, why, field,
				 "expected a non-empty string 'id'");
	snprintf(field, sizeof field, "%s[%s]", list, id);
	if (json_object_get(seen, id) != NULL)
		return cartel__why(why, CARTEL_EFORMAT,
				   "%s: rule 'twice': person %s is listed "
				   "twice ('%s' and '%s')",
				   name, id,
				   json_string_value(json_object_get(seen, id)),
				   list);
	json_object_set_new(seen, id, json_string(list));
	for (const char *const *f = person_fields; *f; f++) {
		json_t *v = json_object_get(e, *f);
		if (v != NULL && !json_is_string(v) && !json_is_null(v)) {
			char sub[360];
			snprintf(sub, sizeof sub, "%s.%s", field, *f);
			return shape_err(name, why, sub,
					 "expected a string or null");
		}
	}
	if (want_stage) {
		json_t *s = json_object_get(e, "stage");
		if (!json_is_integer(s) || json_integer_value(s) < 1 ||
		    json_integer_value(s) > stages) {
			char sub[360], what[80];
			snprintf(sub, sizeof sub, "%s.stage", field);
			snprintf(what, sizeof what,
				 "expected an integer from 1 to %ld", stages);
			return shape_err(name, why, sub, what);
		}
	}
	if (want_reason) {
		if (!json_is_string(json_object_get(e, "reason"))) {
			char sub[360];
			snprintf(sub, sizeof sub, "%s.reason", field);
			return shape_err(name, why, sub, "expected a string");
		}
	}
	return 0;
}

static int
check_list(const char *name, const json_t *v, const char *list, long stages,
	   int want_stage, int want_reason, json_t *seen, char **why)
{
	if (!json_is_array(v))
		return shape_err(name, why, list, "expected an array");
	for (size_t i = 0; i < json_array_size(v); i++) {
		int rc = check_person(name, json_array_get(v, i), list, i,
				      stages, want_stage, want_reason, seen,
				      why);
		if (rc)
			return rc;
	}
	return 0;
}

static int
check_shape(const char *name, const json_t *d, char **why)
{
	if (!json_is_object(d))
		return cartel__why(why, CARTEL_EFORMAT,
				   "%s: not a list document (expected a JSON "
				   "object)",
				   name);
	const char *format = json_string_value(json_object_get(d, "format"));
	if (format == NULL || strcmp(format, ROUND_FORMAT) != 0)
		return shape_err(name, why, "format",
				 "expected \"" ROUND_FORMAT "\"");
	const char *id = json_string_value(json_object_get(d, "round_id"));
	if (!round_id_valid(id))
		return shape_err(name, why, "round_id",
				 "expected 1 to 64 of A-Z, a-z, 0-9, '.', "
				 "'_', ':', '-'");
	json_t *v = json_object_get(d, "version");
	if (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    json_integer_value(v) > 1000000)
		return shape_err(name, why, "version",
				 "expected a positive integer");
	enum cartel_round_kind k;
	if (cartel_round_kind_parse(
		    json_string_value(json_object_get(d, "kind")), &k, NULL))
		return shape_err(name, why, "kind",
				 "expected proposal, counter or agreed");
	json_t *parties = json_object_get(d, "parties");
	if (!json_is_array(parties) || json_array_size(parties) != 2 ||
	    !cartel_party_valid(
		    json_string_value(json_array_get(parties, 0))) ||
	    !cartel_party_valid(
		    json_string_value(json_array_get(parties, 1))) ||
	    strcmp(json_string_value(json_array_get(parties, 0)),
		   json_string_value(json_array_get(parties, 1))) == 0)
		return shape_err(name, why, "parties",
				 "expected two different party codes");
	if (!json_is_string(json_object_get(d, "created")))
		return shape_err(name, why, "created", "expected a string");
	json_t *st = json_object_get(d, "stages");
	if (!json_is_integer(st) || json_integer_value(st) < 1 ||
	    json_integer_value(st) > 1000)
		return shape_err(name, why, "stages",
				 "expected an integer from 1 to 1000");
	long stages = (long)json_integer_value(st);
	json_t *prev = json_object_get(d, "previous_digest");
	if (json_integer_value(v) == 1 ? !json_is_null(prev)
				       : !json_is_string(prev))
		return shape_err(name, why, "previous_digest",
				 "expected null in version 1 and the "
				 "previous version's digest after it");
	json_t *seen = json_object();
	if (seen == NULL)
		return CARTEL_ENOMEM;
	int rc = 0;
	json_t *sides = json_object_get(d, "sides");
	json_t *direct = json_object_get(d, "direct_repatriation");
	if (!json_is_object(sides) || json_object_size(sides) != 2) {
		rc = shape_err(name, why, "sides",
			       "expected an object with one member per "
			       "party");
		goto out;
	}
	if (!json_is_object(direct) || json_object_size(direct) != 2) {
		rc = shape_err(name, why, "direct_repatriation",
			       "expected an object with one member per "
			       "party");
		goto out;
	}
	for (int i = 0; i < 2 && rc == 0; i++) {
		const char *p = json_string_value(json_array_get(parties, i));
		char f[64];
		json_t *side = json_object_get(sides, p);
		snprintf(f, sizeof f, "sides.%s", p);
		if (!json_is_object(side)) {
			rc = shape_err(name, why, f, "expected an object");
			break;
		}
		snprintf(f, sizeof f, "sides.%s.value", p);
		if (!json_is_number(json_object_get(side, "value"))) {
			rc = shape_err(name, why, f, "expected a number");
			break;
		}
		snprintf(f, sizeof f, "sides.%s.gives", p);
		rc = check_list(name, json_object_get(side, "gives"), f,
				stages, 1, 0, seen, why);
		if (rc)
			break;
		snprintf(f, sizeof f, "direct_repatriation.%s", p);
		rc = check_list(name, json_object_get(direct, p), f, stages,
				1, 0, seen, why);
	}
	if (rc == 0)
		rc = check_list(name, json_object_get(d, "withheld"),
				"withheld", stages, 0, 1, seen, why);
	if (rc)
		goto out;
	json_t *m = json_object_get(d, "manifest");
	const char *key;
	json_t *val;
	if (!json_is_object(m)) {
		rc = shape_err(name, why, "manifest", "expected an object");
		goto out;
	}
	json_object_foreach(m, key, val)
	{
		if (!json_is_string(val)) {
			rc = shape_err(name, why, "manifest",
				       "expected strings as values");
			goto out;
		}
	}
	if (!json_is_string(json_object_get(d, "digest"))) {
		rc = shape_err(name, why, "digest", "expected a string");
		goto out;
	}
	json_t *sigs = json_object_get(d, "signatures");
	if (sigs != NULL && !json_is_object(sigs)) {
		rc = shape_err(name, why, "signatures", "expected an object");
		goto out;
	}
	json_object_foreach(sigs, key, val)
	{
		char f[64];
		snprintf(f, sizeof f, "signatures.%.20s", key);
		if (!json_is_object(val) ||
		    !json_is_string(json_object_get(val, "public_key")) ||
		    !json_is_string(json_object_get(val, "signature"))) {
			rc = shape_err(name, why, f,
				       "expected an object with strings "
				       "'public_key' and 'signature'");
			goto out;
		}
	}
out:
	json_decref(seen);
	return rc;
}

int
cartel_round_parse(struct cartel_round **out, const char *text, size_t len,
		   const char *name, char **why)
{
	*out = NULL;
	json_error_t jerr;
	json_t *d = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (d == NULL)
		return cartel__why(why, CARTEL_EFORMAT,
				   "%s: not JSON: line %d column %d: %s", name,
				   jerr.line, jerr.column, jerr.text);
	int rc = check_shape(name, d, why);
	if (rc) {
		json_decref(d);
		return rc;
	}
	struct cartel_round *r = calloc(1, sizeof *r);
	if (r == NULL || (r->name = strdup(name)) == NULL) {
		free(r);
		json_decref(d);
		return CARTEL_ENOMEM;
	}
	r->doc = d;
	*out = r;
	return 0;
}

int
cartel_round_read(struct cartel_round **out, const char *path, char **why)
{
	*out = NULL;
	char *text;
	size_t len;
	int rc = cartel__round_slurp(path, ROUND_FILE_MAX, &text, &len, why);
	if (rc)
		return rc;
	rc = cartel_round_parse(out, text, len, path, why);
	free(text);
	return rc;
}

int
cartel_round_write(const struct cartel_round *r, const char *path, char **why)
{
	/* Indented for people who open the file; what is signed is the
	 * canonical form, so the layout of the file does not matter. */
	char *text = json_dumps(r->doc, JSON_INDENT(1) | JSON_SORT_KEYS);
	if (text == NULL)
		return CARTEL_ENOMEM;
	size_t len = strlen(text);
	char *with_nl = realloc(text, len + 2);
	if (with_nl == NULL) {
		free(text);
		return CARTEL_ENOMEM;
	}
	with_nl[len] = '\n';
	with_nl[len + 1] = '\0';
	int rc = cartel_file_put(path, with_nl, len + 1, 0, why);
	free(with_nl);
	return rc;
}

void
cartel_round_free(struct cartel_round *r)
{
	if (r == NULL)
		return;
	json_decref(r->doc);
	free(r->name);
	free(r);
}

const char *
cartel_round_id(const struct cartel_round *r)
{
	return json_string_value(json_object_get(r->doc, "round_id"));
}

int
cartel_round_version(const struct cartel_round *r)
{
	return (int)json_integer_value(json_object_get(r->doc, "version"));
}

enum cartel_round_kind
cartel_round_kind(const struct cartel_round *r)
{
	enum cartel_round_kind k = CARTEL_ROUND_PROPOSAL;
	cartel_round_kind_parse(
		json_string_value(json_object_get(r->doc, "kind")), &k, NULL);
	return k;
}

const char *
cartel_round_digest(const struct cartel_round *r)
{
	return json_string_value(json_object_get(r->doc, "digest"));
}

const char *
cartel_round_party(const struct cartel_round *r, int i)
{
	return json_string_value(
		json_array_get(json_object_get(r->doc, "parties"), (size_t)i));
}

size_t
cartel_round_n_persons(const struct cartel_round *r)
{
	size_t n = json_array_size(json_object_get(r->doc, "withheld"));
	for (int i = 0; i < 2; i++) {
		const char *p = cartel_round_party(r, i);
		n += json_array_size(json_object_get(
			json_object_get(json_object_get(r->doc, "sides"), p),
			"gives"));
		n += json_array_size(json_object_get(
			json_object_get(r->doc, "direct_repatriation"), p));
	}
	return n;
}

int
cartel_round_canonical(const struct cartel_round *r, char **out, size_t *len,
		       char **why)
{
	return cartel__jcs(r->doc, out, len, why);
}

/* ---- Building from a plan ---- */

static json_t *
str_or_null(const char *s)
{
	if (s == NULL || s[0] == '\0')
		return json_null();
	json_t *v = json_string(s);
	return v ? v : json_null();
}

json_t *
cartel__round_person_entry(const struct cartel_person *p)
{
	char date[16];
	json_t *e = json_object();
	if (e == NULL)
		return NULL;
	json_object_set_new(e, "id", json_string(p->id));
	json_object_set_new(e, "family_name", str_or_null(p->family_name));
	json_object_set_new(e, "given_name", str_or_null(p->given_name));
	json_object_set_new(e, "patronymic", str_or_null(p->patronymic));
	json_object_set_new(
		e, "birth_date",
		str_or_null(cartel_date_format(&p->birth_date, date,
					       sizeof date)));
	json_object_set_new(e, "rank", str_or_null(p->rank));
	json_object_set_new(e, "service_number",
			    str_or_null(p->service_number));
	json_object_set_new(
		e, "category",
		str_or_null(cartel_enum_name(CARTEL_ENUM_CATEGORY,
					     (int)p->category)));
	json_object_set_new(
		e, "consent",
		str_or_null(cartel_enum_name(CARTEL_ENUM_CONSENT,
					     (int)p->consent)));
	return e;
}

/* The id of a plan list element: a string, or an object's "id". */
static const char *
plan_elem_id(const json_t *e)
{
	if (json_is_string(e))
		return json_string_value(e);
	return json_string_value(json_object_get(e, "id"));
}

/* The plan's stage of each listed person, id -> stage, gathered once:
 * from "stage_of" (id -> n), from the "stages" table ([{"stage": n,
 * "gives": {PARTY: [ids]}}], or PARTY: [ids] directly), and from the
 * sides' "persons" entries. */
static json_t *
plan_stage_map(const json_t *plan)
{
	json_t *m = json_object();
	if (m == NULL)
		return NULL;
	json_t *arr = json_object_get(plan, "stages");
	for (size_t k = 0; json_is_array(arr) && k < json_array_size(arr);
	     k++) {
		json_t *st = json_array_get(arr, k);
		json_t *no = json_object_get(st, "stage");
		json_int_t n = json_is_integer(no) ? json_integer_value(no)
						   : (json_int_t)k + 1;
		json_t *g = json_object_get(st, "gives");
		if (!json_is_object(g))
			g = st;
		const char *party;
		json_t *ids;
		json_object_foreach(g, party, ids)
		{
			for (size_t j = 0; json_is_array(ids) &&
					   j < json_array_size(ids);
			     j++) {
				const char *id =
					plan_elem_id(json_array_get(ids, j));
				if (id != NULL)
					json_object_set_new(m, id,
							    json_integer(n));
			}
		}
	}
	const char *party;
	json_t *side;
	json_object_foreach(json_object_get(plan, "sides"), party, side)
	{
		json_t *ps = json_object_get(side, "persons");
		for (size_t j = 0; json_is_array(ps) && j < json_array_size(ps);
		     j++) {
			json_t *e = json_array_get(ps, j);
			const char *id = plan_elem_id(e);
			json_t *no = json_object_get(e, "stage");
			if (id != NULL && json_is_integer(no))
				json_object_set(m, id, no);
		}
	}
	const char *id;
	json_t *no;
	json_object_foreach(json_object_get(plan, "stage_of"), id, no)
	{
		if (json_is_integer(no))
			json_object_set(m, id, no);
	}
	return m;
}

/* A stage number for element i of n in a list: the element's own
 * "stage", else the plan's (stage_map), else for a direct-repatriation
 * list stage 1 (Art. 110: as soon as possible), else by cutting the list
 * into `stages` consecutive runs as even as can be (earlier stages take
 * the remainder), which keeps the priority order across stages. */
static long
plan_stage(const json_t *stage_map, const json_t *elem, const char *id,
	   size_t i, size_t n, long stages, int direct)
{
	json_t *s = json_object_get(elem, "stage");
	if (json_is_integer(s))
		return (long)json_integer_value(s);
	s = json_object_get(stage_map, id);
	if (json_is_integer(s))
		return (long)json_integer_value(s);
	if (direct || n == 0 || stages <= 1)
		return 1;
	size_t base = n / (size_t)stages, extra = n % (size_t)stages;
	size_t start = 0;
	for (long k = 0; k < stages; k++) {
		size_t len = base + ((size_t)k < extra ? 1 : 0);
		if (i < start + len)
			return k + 1;
		start += len;
	}
	return stages;
}

static long
plan_n_stages(const json_t *plan)
{
	json_t *s = json_object_get(plan, "stages");
	if (json_is_integer(s) && json_integer_value(s) >= 1)
		return (long)json_integer_value(s);
	if (json_is_array(s) && json_array_size(s) > 0)
		return (long)json_array_size(s);
	s = json_object_get(json_object_get(plan, "policy"), "stages");
	if (json_is_integer(s) && json_integer_value(s) >= 1)
		return (long)json_integer_value(s);
	return 1;
}

/* Builds one list of the document from a plan list of ids. A person the
 * register does not know, or one listed twice, still gets an entry (its
 * id alone): the rules check that follows names each of them, with every
 * other rule the list breaks, before anything is written. */
static int
build_list(struct cartel_db *db, const struct cartel_owner *owner,
	   const char *const parties[2], const json_t *stage_map,
	   const char *plan_name, const json_t *src, const char *where,
	   int direct, long stages, int with_stage, json_t *seen,
	   json_t **out, char **why)
{
	*out = json_array();
	if (*out == NULL)
		return CARTEL_ENOMEM;
	if (src == NULL || json_is_null(src))
		return 0;
	if (!json_is_array(src))
		return cartel__why(why, CARTEL_EFORMAT,
				   "%s: '%s' is not an array", plan_name,
				   where);
	size_t n = json_array_size(src);
	for (size_t i = 0; i < n; i++) {
		json_t *el = json_array_get(src, i);
		const char *id = plan_elem_id(el);
		if (id == NULL || id[0] == '\0' || strlen(id) > 200)
			return cartel__why(why, CARTEL_EFORMAT,
					   "%s: '%s[%zu]' has no id", plan_name,
					   where, i);
		json_object_set_new(seen, id, json_string(where));
		struct cartel__known k;
		int rc = cartel__round_resolve(db, owner, id, NULL, NULL, &k,
					       why);
		json_t *e;
		if (rc == CARTEL_ENOTFOUND) {
			e = json_pack("{s:s}", "id", id);
		} else if (rc) {
			cartel__known_clear(&k);
			return rc;
		} else {
			e = cartel__round_entry(db, &k, parties);
		}
		cartel__known_clear(&k);
		if (e == NULL)
			return CARTEL_ENOMEM;
		if (with_stage) {
			long s = plan_stage(stage_map, el, id, i, n, stages,
					    direct);
			if (s < 1 || s > stages) {
				json_decref(e);
				return cartel__why(
					why, CARTEL_EFORMAT,
					"%s: '%s[%zu]': stage %ld is not "
					"between 1 and %ld",
					plan_name, where, i, s, stages);
			}
			json_object_set_new(e, "stage", json_integer(s));
		} else {
			const char *reason = json_string_value(
				json_object_get(el, "reason"));
			json_object_set_new(e, "reason",
					    json_string(reason ? reason : ""));
			json_object_set_new(e, "held_by", json_null());
		}
		if (json_array_append_new(*out, e))
			return CARTEL_ENOMEM;
	}
	return 0;
}

int
cartel_round_from_plan(struct cartel_db *db, const char *plan_json,
		       size_t len, const char *plan_name,
		       const struct cartel_round_opts *opts,
		       struct cartel_round **out, char **why)
{
	return cartel_round_from_plan_rules(db, plan_json, len, plan_name,
					    opts, out, NULL, why);
}

int
cartel_round_from_plan_rules(struct cartel_db *db, const char *plan_json,
			     size_t len, const char *plan_name,
			     const struct cartel_round_opts *opts,
			     struct cartel_round **out,
			     struct cartel_round_rules *found, char **why)
{
	*out = NULL;
	if (found != NULL)
		memset(found, 0, sizeof *found);
	if (opts == NULL || opts->actor == NULL)
		return cartel__why(why, CARTEL_EINVAL, "no actor given");
	json_error_t jerr;
	json_t *plan = json_loadb(plan_json, len, JSON_REJECT_DUPLICATES,
				  &jerr);
	if (plan == NULL)
		return cartel__why(why, CARTEL_EFORMAT,
				   "%s: not JSON: line %d column %d: %s",
				   plan_name, jerr.line, jerr.column,
				   jerr.text);
	int rc = 0;
	json_t *doc = NULL, *seen = json_object();
	json_t *stage_map = plan_stage_map(plan);
	struct cartel_round *r = NULL;
	json_t *sides = json_object_get(plan, "sides");
	if (!json_is_object(sides)) {
		rc = cartel__why(why, CARTEL_EFORMAT,
				 "%s: no 'sides' object: not a plan of "
				 "'cartel plan --json'",
				 plan_name);
		goto out;
	}
	/* The parties: the plan's "parties", else its sides' names. */
	const char *party[2] = {NULL, NULL};
	json_t *pl = json_object_get(plan, "parties");
	if (json_is_array(pl) && json_array_size(pl) == 2) {
		party[0] = json_string_value(json_array_get(pl, 0));
		party[1] = json_string_value(json_array_get(pl, 1));
	} else if (json_object_size(sides) == 2) {
		const char *key;
		json_t *val;
		int k = 0;
		json_object_foreach(sides, key, val) party[k++] = key;
		if (strcmp(party[0], party[1]) > 0) {
			const char *t = party[0];
			party[0] = party[1];
			party[1] = t;
		}
	}
	if (!cartel_party_valid(party[0]) || !cartel_party_valid(party[1]) ||
	    strcmp(party[0], party[1]) == 0) {
		rc = cartel__why(why, CARTEL_EFORMAT,
				 "%s: 'parties' must name two different "
				 "parties",
				 plan_name);
		goto out;
	}
	long stages = plan_n_stages(plan);
	if (stages > 1000) {
		rc = cartel__why(why, CARTEL_EFORMAT,
				 "%s: 'stages' is over 1000", plan_name);
		goto out;
	}
	const struct cartel_round *prev = opts->supersedes;
	char prev_digest[CARTEL_DIGEST_LEN] = "";
	if (prev != NULL) {
		struct cartel__problems pr = {NULL, 0};
		int mok = 0, dok = 0;
		rc = cartel__seal_check(prev->doc, &pr, &mok, &dok, why);
		if (rc == 0 && pr.n > 0)
			rc = cartel__problems_why(&pr, why, prev->name);
		cartel__problems_free(&pr);
		if (rc)
			goto out;
		if (!((strcmp(cartel_round_party(prev, 0), party[0]) == 0 &&
		       strcmp(cartel_round_party(prev, 1), party[1]) == 0) ||
		      (strcmp(cartel_round_party(prev, 0), party[1]) == 0 &&
		       strcmp(cartel_round_party(prev, 1), party[0]) == 0))) {
			rc = cartel__why(why, CARTEL_EINVAL,
					 "%s is a round between %s and %s, "
					 "the plan between %s and %s",
					 prev->name, cartel_round_party(prev, 0),
					 cartel_round_party(prev, 1), party[0],
					 party[1]);
			goto out;
		}
		/* Keep the order of the parties the round began with. */
		party[0] = cartel_round_party(prev, 0);
		party[1] = cartel_round_party(prev, 1);
		snprintf(prev_digest, sizeof prev_digest, "%s",
			 cartel_round_digest(prev));
	}
	struct cartel_owner owner;
	char now[32];
	cartel__round_now(now);
	char round_id[ROUND_ID_MAX + 1];
	if (opts->round_id != NULL) {
		if (!round_id_valid(opts->round_id)) {
			rc = cartel__why(why, CARTEL_EINVAL,
					 "a round id is 1 to 64 of A-Z, a-z, "
					 "0-9, '.', '_', ':', '-'");
			goto out;
		}
		snprintf(round_id, sizeof round_id, "%s", opts->round_id);
	} else if (prev != NULL) {
		snprintf(round_id, sizeof round_id, "%s",
			 cartel_round_id(prev));
	} else {
		/* Derived: the day and a short digest of the plan, so two
		 * rounds made the same day from different plans differ. */
		char h[CARTEL_DIGEST_LEN];
		cartel__round_sha256(plan_json, len, h);
		snprintf(round_id, sizeof round_id, "R-%.4s%.2s%.2s-%.8s",
			 now, now + 5, now + 8, h + 7);
	}
	if (prev != NULL && strcmp(round_id, cartel_round_id(prev)) != 0) {
		rc = cartel__why(why, CARTEL_EINVAL,
				 "a new version keeps its round's id (%s)",
				 cartel_round_id(prev));
		goto out;
	}
	doc = json_object();
	json_t *dsides = json_object(), *ddirect = json_object();
	if (doc == NULL || dsides == NULL || ddirect == NULL || seen == NULL ||
	    stage_map == NULL) {
		json_decref(dsides);
		json_decref(ddirect);
		rc = CARTEL_ENOMEM;
		goto out;
	}
	json_object_set_new(doc, "format", json_string(ROUND_FORMAT));
	json_object_set_new(doc, "round_id", json_string(round_id));
	json_object_set_new(
		doc, "version",
		json_integer(prev ? cartel_round_version(prev) + 1 : 1));
	json_object_set_new(doc, "kind",
			    json_string(cartel_round_kind_name(opts->kind)));
	json_t *parties = json_array();
	json_array_append_new(parties, json_string(party[0]));
	json_array_append_new(parties, json_string(party[1]));
	json_object_set_new(doc, "parties", parties);
	json_object_set_new(doc, "created", json_string(now));
	json_object_set_new(doc, "stages", json_integer(stages));
	json_object_set_new(doc, "previous_digest",
			    prev ? json_string(prev_digest) : json_null());
	json_object_set_new(doc, "sides", dsides);
	json_object_set_new(doc, "direct_repatriation", ddirect);
	const char *pdigest = json_string_value(json_object_get(plan,
								"digest"));
	json_object_set_new(doc, "plan_digest", str_or_null(pdigest));
	/* What both parties agree to print (docs/print.md): given, else kept
	 * from the version this one replaces. */
	if (opts->print_fields != NULL) {
		json_t *pf = print_fields_json(opts->print_fields, why);
		if (pf == NULL) {
			rc = CARTEL_EINVAL;
			goto out;
		}
		json_object_set_new(doc, "print_fields", pf);
	} else if (prev != NULL &&
		   json_is_array(json_object_get(prev->doc, "print_fields"))) {
		json_object_set_new(
			doc, "print_fields",
			json_deep_copy(json_object_get(prev->doc,
						       "print_fields")));
	}
	/* Whose register wrote it, when the register has an owner (a shared
	 * working register writes none, as before). */
	rc = cartel__owner_get(db, &owner, why);
	if (rc)
		goto out;
	if (owner.role != CARTEL_OWNER_NONE)
		json_object_set_new(
			doc, "owner",
			json_pack("{s:s, s:s}", "role",
				  cartel_owner_role_name(owner.role), "name",
				  owner.name));
	json_t *direct = json_object_get(plan, "direct_repatriation");
	for (int i = 0; i < 2; i++) {
		char where[64];
		json_t *src_side = json_object_get(sides, party[i]);
		if (!json_is_object(src_side)) {
			rc = cartel__why(why, CARTEL_EFORMAT,
					 "%s: no 'sides.%s' object", plan_name,
					 party[i]);
			goto out;
		}
		snprintf(where, sizeof where, "sides.%s.gives", party[i]);
		json_t *list;
		rc = build_list(db, &owner, party, stage_map, plan_name,
				json_object_get(src_side, "gives"), where, 0,
				stages, 1, seen, &list, why);
		if (rc) {
			json_decref(list);
			goto out;
		}
		json_t *side = json_object();
		json_object_set_new(side, "gives", list);
		json_t *value = json_object_get(src_side, "value");
		json_object_set_new(
			side, "value",
			json_is_number(value)
				? json_copy(value)
				: json_integer((json_int_t)json_array_size(
					  list)));
		json_object_set_new(dsides, party[i], side);
		snprintf(where, sizeof where, "direct_repatriation.%s",
			 party[i]);
		rc = build_list(db, &owner, party, stage_map, plan_name,
				json_object_get(direct, party[i]), where, 1,
				stages, 1, seen, &list, why);
		json_object_set_new(ddirect, party[i], list);
		if (rc)
			goto out;
	}
	json_t *withheld;
	rc = build_list(db, &owner, party, stage_map, plan_name,
			json_object_get(plan, "withheld"), "withheld", 0,
			stages, 0, seen, &withheld, why);
	json_object_set_new(doc, "withheld", withheld);
	if (rc)
		goto out;
	/* The withheld's detaining party, as the register knows it. */
	for (size_t i = 0; i < json_array_size(withheld); i++) {
		json_t *e = json_array_get(withheld, i);
		json_t *h = json_object_get(e, "holder");
		json_object_set(e, "held_by", h ? h : json_null());
	}
	rc = cartel__round_seal(doc, why);
	if (rc)
		goto out;
	r = calloc(1, sizeof *r);
	if (r == NULL) {
		rc = CARTEL_ENOMEM;
		goto out;
	}
	r->doc = doc;
	doc = NULL;
	r->name = cartel__asprintf("round %s version %d", round_id,
				   cartel_round_version(r));
	if (r->name == NULL) {
		rc = CARTEL_ENOMEM;
		goto out;
	}
	/* The rules, against what the register knows, and the plan's own
	 * digest against its content: a plan edited by hand goes no
	 * further. */
	struct cartel_round_rules_opts ro = {plan_json, len, plan_name, NULL,
					     0, 0};
	struct cartel_round_rules rules;
	rc = cartel_round_rules_check(db, r, &ro, &rules, why);
	if (rc && rules.n_broken > 0 && found != NULL)
		*found = rules;
	else
		cartel_round_rules_clear(&rules);
	if (rc)
		goto out;
	char *detail = cartel__asprintf(
		"version=%d kind=%s digest=%s persons=%zu previous=%s",
		cartel_round_version(r), cartel_round_kind_name(opts->kind),
		cartel_round_digest(r), cartel_round_n_persons(r),
		prev ? prev_digest : "none");
	rc = detail ? cartel_audit_append(db, opts->actor, "round.new",
					  round_id, detail, why)
		    : CARTEL_ENOMEM;
	free(detail);
out:
	json_decref(plan);
	json_decref(seen);
	json_decref(stage_map);
	json_decref(doc);
	if (rc) {
		cartel_round_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

/* ---- Signing and verifying ---- */

int
cartel_round_sign(struct cartel_db *db, struct cartel_round *r,
		  const struct cartel_key *key, const char *actor, char **why)
{
	return cartel_round_sign_checked(db, r, key, NULL, NULL, actor, why);
}

/* Appends the rules' breaches to the seal's problems' message in *why
 * (either may be empty), so a list edited by hand is refused with all
 * that is wrong with it at once. */
static int
join_why(char **why, const char *seal, const char *rules)
{
	if (why == NULL)
		return 0;
	char *s = cartel__asprintf("%s%s%s", seal ? seal : "",
				   seal && rules ? "\n" : "",
				   rules ? rules : "");
	if (s == NULL)
		return CARTEL_ENOMEM;
	free(*why);
	*why = s;
	return 0;
}

int
cartel_round_sign_checked(struct cartel_db *db, struct cartel_round *r,
			  const struct cartel_key *key,
			  const struct cartel_round_rules_opts *ropts,
			  struct cartel_round_rules *notes, const char *actor,
			  char **why)
{
	if (notes != NULL)
		memset(notes, 0, sizeof *notes);
	if (!key->has_secret)
		return cartel__seal_signer(db, key, why);
	if (strcmp(key->party, cartel_round_party(r, 0)) != 0 &&
	    strcmp(key->party, cartel_round_party(r, 1)) != 0)
		return cartel__why(why, CARTEL_EINVAL,
				   "the key is %s's, but the round is between "
				   "%s and %s",
				   key->party, cartel_round_party(r, 0),
				   cartel_round_party(r, 1));
	struct cartel__problems pr = {NULL, 0};
	int mok, dok;
	char *seal_why = NULL, *rules_why = NULL;
	int rc = cartel__seal_check(r->doc, &pr, &mok, &dok, why);
	if (rc == 0 && pr.n > 0)
		rc = cartel__problems_why(&pr, &seal_why, r->name);
	cartel__problems_free(&pr);
	if (rc && rc != CARTEL_ETAMPER) {
		free(seal_why);
		return rc;
	}
	/* The rules, against this register's records: in the signer's own
	 * register, what it gives against its own records. A register that
	 * knows a person not at all signs on its party's word. */
	struct cartel_round_rules_opts ro = {NULL, 0, NULL, key->party, 1, 0};
	if (ropts != NULL) {
		ro = *ropts;
		ro.signer = key->party;
		ro.unknown_ok = 1;
	}
	struct cartel_round_rules rules;
	int rrc = cartel_round_rules_check(db, r, &ro, &rules, &rules_why);
	if (notes != NULL && rrc == 0)
		*notes = rules;
	else if (notes != NULL && rrc && rules.n_broken > 0)
		*notes = rules;
	else
		cartel_round_rules_clear(&rules);
	if (rrc && rrc != CARTEL_ESTATE) {
		free(seal_why);
		if (why) {
			free(*why);
			*why = rules_why;
		} else {
			free(rules_why);
		}
		return rrc;
	}
	if (rc || rrc) {
		int jrc = join_why(why, seal_why, rules_why);
		free(seal_why);
		free(rules_why);
		return jrc ? jrc : rc ? rc : rrc;
	}
	rc = cartel__seal_signer(db, key, why);
	if (rc)
		return rc;
	json_t *entry;
	rc = cartel__seal_signature(r->doc, key, &entry, why);
	if (rc)
		return rc;
	/* Audit first: if it fails the document is left as it was. */
	char *detail = cartel__asprintf(
		"version=%d party=%s key=%s digest=%s", cartel_round_version(r),
		key->party,
		json_string_value(json_object_get(entry, "fingerprint")),
		cartel_round_digest(r));
	rc = detail ? cartel_audit_append(db, actor, "round.sign",
					  cartel_round_id(r), detail, why)
		    : CARTEL_ENOMEM;
	free(detail);
	if (rc) {
		json_decref(entry);
		return rc;
	}
	json_t *sigs = json_object_get(r->doc, "signatures");
	if (sigs == NULL) {
		sigs = json_object();
		json_object_set_new(r->doc, "signatures", sigs);
	}
	json_object_set_new(sigs, key->party, entry);
	return 0;
}

int
cartel_round_verify(struct cartel_db *db, const struct cartel_round *r,
		    struct cartel_round_check *chk, char **why)
{
	memset(chk, 0, sizeof *chk);
	struct cartel__problems pr = {NULL, 0};
	int rc = cartel__seal_check(r->doc, &pr, &chk->manifest_ok,
				    &chk->digest_ok, why);
	if (rc) {
		/* The manifest may have found problems before the digest
		 * failed (a document nested past the limit). */
		cartel__problems_free(&pr);
		return rc;
	}
	char *canon = NULL;
	size_t len = 0;
	rc = cartel__seal_canon(r->doc, &canon, &len, why);
	if (rc) {
		cartel__problems_free(&pr);
		return rc;
	}
	json_t *sigs = json_object_get(r->doc, "signatures");
	const char *key;
	json_t *val;
	json_object_foreach(sigs, key, val)
	{
		if (strcmp(key, cartel_round_party(r, 0)) != 0 &&
		    strcmp(key, cartel_round_party(r, 1)) != 0)
			cartel__problem(&pr,
					"signatures.%s: %s is not a party of "
					"this round",
					key, key);
	}
	for (int i = 0; i < 2; i++)
		cartel__seal_verify_party(db, r->doc, cartel_round_party(r, i),
					  canon, len, &chk->sig[i], &pr);
	free(canon);
	chk->problems = pr.v;
	chk->n_problems = pr.n;
	if (pr.n == 0)
		return 0;
	struct cartel__problems copy = pr;
	return cartel__problems_why(&copy, why, r->name);
}

void
cartel_round_check_clear(struct cartel_round_check *chk)
{
	for (size_t i = 0; i < chk->n_problems; i++)
		free(chk->problems[i]);
	free(chk->problems);
	memset(chk, 0, sizeof *chk);
}

int
cartel_round_audit(struct cartel_db *db, const char *actor,
		   const char *action, const struct cartel_round *r,
		   const char *detail, char **why)
{
	char *d = cartel__asprintf("version=%d digest=%s %s",
				   cartel_round_version(r),
				   cartel_round_digest(r), detail ? detail : "");
	if (d == NULL)
		return CARTEL_ENOMEM;
	int rc = cartel_audit_append(db, actor, action, cartel_round_id(r), d,
				     why);
	free(d);
	return rc;
}

/* ---- Diff ---- */

/* Every person entry of a document: id -> [list name, entry]. */
static json_t *
persons_by_id(const struct cartel_round *r)
{
	json_t *m = json_object();
	if (m == NULL)
		return NULL;
	for (int i = 0; i < 2; i++) {
		const char *p = cartel_round_party(r, i);
		char where[64];
		json_t *lists[2] = {
			json_object_get(
				json_object_get(json_object_get(r->doc,
								"sides"),
						p),
				"gives"),
			json_object_get(json_object_get(r->doc,
							"direct_repatriation"),
					p)};
		for (int l = 0; l < 2; l++) {
			snprintf(where, sizeof where,
				 l == 0 ? "sides.%s.gives"
					: "direct_repatriation.%s",
				 p);
			for (size_t k = 0; k < json_array_size(lists[l]); k++) {
				json_t *e = json_array_get(lists[l], k);
				json_object_set_new(
					m,
					json_string_value(
						json_object_get(e, "id")),
					json_pack("[sO]", where, e));
			}
		}
	}
	json_t *w = json_object_get(r->doc, "withheld");
	for (size_t k = 0; k < json_array_size(w); k++) {
		json_t *e = json_array_get(w, k);
		json_object_set_new(
			m, json_string_value(json_object_get(e, "id")),
			json_pack("[sO]", "withheld", e));
	}
	return m;
}

static char *
canon_text(const json_t *v)
{
	if (v == NULL)
		return strdup("null");
	char *s = NULL;
	size_t len;
	if (cartel__jcs(v, &s, &len, NULL))
		return NULL;
	return s;
}

static int
add_field(struct cartel_round_field_change **v, size_t *n, const char *field,
	  const json_t *a, const json_t *b)
{
	struct cartel_round_field_change *nv =
		realloc(*v, (*n + 1) * sizeof **v);
	if (nv == NULL)
		return CARTEL_ENOMEM;
	*v = nv;
	struct cartel_round_field_change *f = &nv[*n];
	f->field = strdup(field);
	f->old_value = canon_text(a);
	f->new_value = canon_text(b);
	(*n)++;
	if (f->field == NULL || f->old_value == NULL || f->new_value == NULL)
		return CARTEL_ENOMEM;
	return 0;
}

static int
entry_cmp(const void *a, const void *b)
{
	const struct cartel_round_diff_entry *x = a, *y = b;
	return strcmp(x->id, y->id);
}

static int
add_entry(struct cartel_round_diff *d, enum cartel_round_change c,
	  const char *id, const char *old_list, const char *new_list)
{
	struct cartel_round_diff_entry *nv =
		realloc(d->entries, (d->n_entries + 1) * sizeof *nv);
	if (nv == NULL)
		return CARTEL_ENOMEM;
	d->entries = nv;
	struct cartel_round_diff_entry *e = &nv[d->n_entries++];
	memset(e, 0, sizeof *e);
	e->change = c;
	e->id = strdup(id);
	e->old_list = cartel__strdup(old_list);
	e->new_list = cartel__strdup(new_list);
	if (e->id == NULL || (old_list && !e->old_list) ||
	    (new_list && !e->new_list))
		return CARTEL_ENOMEM;
	return 0;
}

/* 1 for a top-level field the header list or the person lists cover. */
static int
field_known(const char *k)
{
	static const char *const known[] = {
		"format", "round_id", "version", "kind", "parties", "created",
		"stages", "previous_digest", "plan_digest", "digest", "sides",
		"direct_repatriation", "withheld", "manifest", "signatures",
		NULL};
	for (const char *const *p = known; *p; p++)
		if (strcmp(*p, k) == 0)
			return 1;
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The order of one list, among the persons on it in both versions: who
 * comes first matters (the priority order, and the stages cut from it). */
static int
diff_order(struct cartel_round_diff *d, const char *name, const json_t *la,
	   const json_t *lb)
{
	int rc = 0;
	json_t *oa = json_array(), *ob = json_array();
	json_t *ia = json_object(), *ib = json_object();
	if (!oa || !ob || !ia || !ib)
		rc = CARTEL_ENOMEM;
	for (size_t j = 0; rc == 0 && j < json_array_size(lb); j++)
		json_object_set(ib,
				json_string_value(json_object_get(
					json_array_get(lb, j), "id")),
				json_null());
	for (size_t j = 0; rc == 0 && j < json_array_size(la); j++) {
		json_t *id = json_object_get(json_array_get(la, j), "id");
		json_object_set(ia, json_string_value(id), json_null());
		if (json_object_get(ib, json_string_value(id)))
			json_array_append(oa, id);
	}
	for (size_t j = 0; rc == 0 && j < json_array_size(lb); j++) {
		json_t *id = json_object_get(json_array_get(lb, j), "id");
		if (json_object_get(ia, json_string_value(id)))
			json_array_append(ob, id);
	}
	if (rc == 0 && !json_equal(oa, ob)) {
		char *f = cartel__asprintf("%s (order)", name);
		rc = f ? add_field(&d->header, &d->n_header, f, oa, ob)
		       : CARTEL_ENOMEM;
		free(f);
	}
	json_decref(oa);
	json_decref(ob);
	json_decref(ia);
	json_decref(ib);
	return rc;
}

/* Every other difference the signatures cover: top-level fields this
 * build does not list (owner, and any a later format adds), members of a
 * side besides its list and value, and the order of each list. */
static int
diff_other_fields(const struct cartel_round *a, const struct cartel_round *b,
		  struct cartel_round_diff *d)
{
	int rc = 0;
	json_t *keys = json_object();
	if (keys == NULL)
		return CARTEL_ENOMEM;
	const char *k;
	json_t *v;
	json_object_foreach(a->doc, k, v) json_object_set(keys, k, json_null());
	json_object_foreach(b->doc, k, v) json_object_set(keys, k, json_null());
	size_t n = 0;
	const char **sorted = malloc((json_object_size(keys) + 1) *
				     sizeof *sorted);
	if (sorted == NULL) {
		json_decref(keys);
		return CARTEL_ENOMEM;
	}
	json_object_foreach(keys, k, v)
	{
		if (!field_known(k))
			sorted[n++] = k;
	}
	qsort(sorted, n, sizeof *sorted, cmp_str);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		json_t *x = json_object_get(a->doc, sorted[i]);
		json_t *y = json_object_get(b->doc, sorted[i]);
		if (!json_equal(x, y))
			rc = add_field(&d->header, &d->n_header, sorted[i], x,
				       y);
	}
	free(sorted);
	json_decref(keys);
	for (int i = 0; rc == 0 && i < 2; i++) {
		const char *p = cartel_round_party(a, i);
		json_t *sa = json_object_get(json_object_get(a->doc, "sides"),
					     p);
		json_t *sb = json_object_get(json_object_get(b->doc, "sides"),
					     p);
		json_t *both = json_object();
		if (both == NULL)
			return CARTEL_ENOMEM;
		json_object_foreach(sa, k, v) json_object_set(both, k, v);
		json_object_foreach(sb, k, v) json_object_set(both, k, v);
		json_object_foreach(both, k, v)
		{
			if (rc || strcmp(k, "gives") == 0 ||
			    strcmp(k, "value") == 0)
				continue;
			json_t *x = json_object_get(sa, k);
			json_t *y = json_object_get(sb, k);
			if (!json_equal(x, y)) {
				char *f = cartel__asprintf("sides.%s.%s", p, k);
				rc = f ? add_field(&d->header, &d->n_header, f,
						   x, y)
				       : CARTEL_ENOMEM;
				free(f);
			}
		}
		json_decref(both);
		/* The order of a list: who comes first matters (the
		 * priority order, and the stages cut from it). */
		json_t *la[2] = {json_object_get(sa, "gives"),
				 json_object_get(json_object_get(
							 a->doc,
							 "direct_repatriation"),
						 p)};
		json_t *lb[2] = {json_object_get(sb, "gives"),
				 json_object_get(json_object_get(
							 b->doc,
							 "direct_repatriation"),
						 p)};
		for (int l = 0; rc == 0 && l < 2; l++) {
			char *f = l == 0 ? cartel__asprintf("sides.%s.gives", p)
					 : cartel__asprintf(
						   "direct_repatriation.%s", p);
			rc = f ? diff_order(d, f, la[l], lb[l]) : CARTEL_ENOMEM;
			free(f);
		}
	}
	if (rc == 0)
		rc = diff_order(d, "withheld",
				json_object_get(a->doc, "withheld"),
				json_object_get(b->doc, "withheld"));
	return rc;
}

int
cartel_round_diff(const struct cartel_round *a, const struct cartel_round *b,
		  struct cartel_round_diff *d, char **why)
{
	(void)why;
	memset(d, 0, sizeof *d);
	int rc = 0;
	/* The header: every top-level field but the lists and the seals,
	 * the known ones first, then any other field of either version
	 * (the signatures cover it whether this build knows it or not). */
	static const char *const header[] = {
		"format", "round_id", "version", "kind", "parties", "created",
		"stages", "previous_digest", "plan_digest", "digest", NULL};
	for (const char *const *h = header; *h && rc == 0; h++) {
		json_t *x = json_object_get(a->doc, *h);
		json_t *y = json_object_get(b->doc, *h);
		if (!json_equal(x, y) && (x || y))
			rc = add_field(&d->header, &d->n_header, *h, x, y);
	}
	if (rc == 0)
		rc = diff_other_fields(a, b, d);
	for (int i = 0; i < 2 && rc == 0; i++) {
		const char *p = cartel_round_party(a, i);
		char f[64];
		snprintf(f, sizeof f, "sides.%s.value", p);
		json_t *x = json_object_get(
			json_object_get(json_object_get(a->doc, "sides"), p),
			"value");
		json_t *y = json_object_get(
			json_object_get(json_object_get(b->doc, "sides"), p),
			"value");
		if (!json_equal(x, y) && (x || y))
			rc = add_field(&d->header, &d->n_header, f, x, y);
	}
	json_t *pa = persons_by_id(a), *pb = persons_by_id(b);
	if (pa == NULL || pb == NULL) {
		rc = CARTEL_ENOMEM;
		goto out;
	}
	const char *id;
	json_t *va;
	json_object_foreach(pa, id, va)
	{
		if (rc)
			break;
		json_t *vb = json_object_get(pb, id);
		const char *la = json_string_value(json_array_get(va, 0));
		if (vb == NULL) {
			rc = add_entry(d, CARTEL_ROUND_REMOVED, id, la, NULL);
			d->n_removed++;
			continue;
		}
		const char *lb = json_string_value(json_array_get(vb, 0));
		json_t *ea = json_array_get(va, 1), *eb = json_array_get(vb, 1);
		if (strcmp(la, lb) == 0 && json_equal(ea, eb))
			continue;
		rc = add_entry(d, CARTEL_ROUND_CHANGED, id, la, lb);
		if (rc)
			break;
		d->n_changed++;
		struct cartel_round_diff_entry *e =
			&d->entries[d->n_entries - 1];
		if (strcmp(la, lb) != 0) {
			json_t *x = json_string(la), *y = json_string(lb);
			rc = add_field(&e->fields, &e->n_fields, "list", x, y);
			json_decref(x);
			json_decref(y);
		}
		/* Fields of either entry, each once, in the order of the old
		 * entry then the new one's extras. */
		const char *f;
		json_t *fv;
		json_object_foreach(ea, f, fv)
		{
			if (rc)
				break;
			json_t *y = json_object_get(eb, f);
			if (!json_equal(fv, y))
				rc = add_field(&e->fields, &e->n_fields, f, fv,
					       y);
		}
		json_object_foreach(eb, f, fv)
		{
			if (rc)
				break;
			if (json_object_get(ea, f) == NULL)
				rc = add_field(&e->fields, &e->n_fields, f,
					       NULL, fv);
		}
	}
	json_t *vb;
	json_object_foreach(pb, id, vb)
	{
		if (rc)
			break;
		if (json_object_get(pa, id) == NULL) {
			rc = add_entry(d, CARTEL_ROUND_ADDED, id, NULL,
				       json_string_value(
					       json_array_get(vb, 0)));
			d->n_added++;
		}
	}
	if (rc == 0 && d->n_entries > 1)
		qsort(d->entries, d->n_entries, sizeof *d->entries, entry_cmp);
out:
	json_decref(pa);
	json_decref(pb);
	if (rc)
		cartel_round_diff_clear(d);
	return rc;
}

static void
fields_free(struct cartel_round_field_change *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(f[i].field);
		free(f[i].old_value);
		free(f[i].new_value);
	}
	free(f);
}

void
cartel_round_diff_clear(struct cartel_round_diff *d)
{
	fields_free(d->header, d->n_header);
	for (size_t i = 0; i < d->n_entries; i++) {
		free(d->entries[i].id);
		free(d->entries[i].old_list);
		free(d->entries[i].new_list);
		fields_free(d->entries[i].fields, d->entries[i].n_fields);
	}
	free(d->entries);
	memset(d, 0, sizeof *d);
}
