/*
 * Three registers: whose register this is, the declarations a party's
 * register writes, and the receiving of one in another register
 * (docs/protocol.md).
 *
 * A declaration is a JSON document sealed and signed by the one path the
 * list documents use (seal.c): format "cartel-declaration/1", its kind
 * (held or sought), the declaring party and the register's owner, an
 * as-of date, a sequence number per kind kept by the declaring register,
 * the fields it carries, and the persons, each with the party's own id and
 * those fields only.
 *
 * Receiving checks the whole document before anything is written, then
 * records the persons under the sender's ids in one transaction with one
 * audit entry; every row written is in the row ledger, so the digest of
 * the declaration that added, changed or dropped a person is kept under
 * the audit chain.
 *
 * jansson ownership: documents built or read here are owned by the
 * function that made them and decref'd before it returns; borrowed
 * references (json_object_get) are never decref'd.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include <cartel/declaration.h>
#include <cartel/error.h>
#include <cartel/file.h>
#include <cartel/register.h>
#include <cartel/round.h>
#include <cartel/store.h>

#include "core/intl.h"
#include "core/why.h"
#include "round/jcs.h"
#include "round/round_int.h"

#define DECL_FORMAT "cartel-declaration/1"
#define DECL_ID_MAX 200
#define DECL_VALUE_MAX 4096
#define DECL_PERSONS_MAX 5000000
/* Declarations of at least this many persons are received in bulk. */
#define BULK_PERSONS 10000
/* New persons are written this many at a time (the store puts many rows
 * in one statement). */
#define ADD_BATCH 256

const char *const cartel_decl_default_fields[] = {
	"family_name", "given_name", "patronymic", "birth_date", "rank",
	"service_number", NULL};

static const char *const kind_names[] = {"held", "sought"};
static const char *const change_names[] = {"added", "dropped", "changed",
					   "returned"};

const char *
cartel_decl_kind_name(enum cartel_decl_kind k)
{
	return (unsigned)k < 2 ? kind_names[k] : "";
}

int
cartel_decl_kind_parse(const char *s, enum cartel_decl_kind *k, char **why)
{
	for (int i = 0; i < 2; i++)
		if (s != NULL && strcmp(s, kind_names[i]) == 0) {
			*k = (enum cartel_decl_kind)i;
			return 0;
		}
	return cartel__why(why, CARTEL_EINVAL,
			   "kind '%.20s' is not one of: held, sought",
			   s ? s : "");
}

const char *
cartel_decl_change_name(enum cartel_decl_change c)
{
	return (unsigned)c < 4 ? change_names[c] : "";
}

/* ---- The owner ---- */

const char *
cartel_owner_role_name(enum cartel_owner_role r)
{
	return r == CARTEL_OWNER_PARTY	    ? "party"
	       : r == CARTEL_OWNER_MEDIATOR ? "mediator"
					    : "";
}

static int
mediator_name_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n >= CARTEL_OWNER_NAME_MAX || s[0] == ' ' ||
	    s[n - 1] == ' ')
		return 0;
	for (const char *c = s; *c; c++)
		if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
		      (*c >= '0' && *c <= '9') || *c == ' ' || *c == '.' ||
		      *c == '_' || *c == '-'))
			return 0;
	return 1;
}

int
cartel_owner_get(struct cartel_db *db, struct cartel_owner *o, char **why)
{
	return cartel__owner_get(db, o, why);
}

int
cartel_owner_set(struct cartel_db *db, enum cartel_owner_role role,
		 const char *name, const char *actor, char **why)
{
	if (actor == NULL || actor[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL, "no actor given");
	if (role == CARTEL_OWNER_PARTY && !cartel_party_valid(name))
		return cartel_party_check(name, why);
	if (role == CARTEL_OWNER_MEDIATOR && !mediator_name_valid(name))
		return cartel__why(why, CARTEL_EINVAL,
				   "a mediator's name is 1 to 63 of A-Z, a-z, "
				   "0-9, space, '.', '_', '-'");
	if (role != CARTEL_OWNER_PARTY && role != CARTEL_OWNER_MEDIATOR)
		return cartel__why(why, CARTEL_EINVAL,
				   "an owner is a party or a mediator");
	int rc = cartel_db_begin(db, why);
	if (rc)
		return rc;
	struct cartel_owner cur;
	rc = cartel__owner_get(db, &cur, why);
	if (rc == 0 && cur.role != CARTEL_OWNER_NONE)
		rc = cartel__why(why, CARTEL_EEXIST,
				 "this register already belongs to %s %s (set "
				 "%s); an owner is set once",
				 cartel_owner_role_name(cur.role), cur.name,
				 cur.set_at);
	char now[32];
	cartel__round_now(now);
	if (rc == 0)
		rc = cartel__owner_put(db, cartel_owner_role_name(role), name,
				       now, actor, why);
	if (rc == 0) {
		char *detail = cartel__asprintf(
			"role=%s name=%s", cartel_owner_role_name(role), name);
		rc = detail ? cartel_audit_append(db, actor, "owner.set", name,
						  detail, why)
			    : CARTEL_ENOMEM;
		free(detail);
	}
	if (rc == 0)
		rc = cartel_db_commit(db, why);
	if (rc)
		cartel_db_rollback(db);
	return rc;
}

/* ---- Fields ---- */

/* Checks a list of field names: each a known field by its own name, not
 * "id", once; and, when allowed is not NULL, one of allowed. */
static int
fields_check(const char *const *f, size_t n, const char *const *allowed,
	     size_t n_allowed, const char *where, char **why)
{
	for (size_t i = 0; i < n; i++) {
		const struct cartel_field *cf = cartel_field_find(f[i]);
		if (f[i] == NULL || cf == NULL || strcmp(cf->name, f[i]) != 0)
			return cartel__why(why, CARTEL_EINVAL,
					   "%s: '%.40s' is not a field of the "
					   "register",
					   where, f[i] ? f[i] : "");
		if (strcmp(f[i], "id") == 0)
			return cartel__why(why, CARTEL_EINVAL,
					   "%s: 'id' is always sent; it is not "
					   "one of the fields",
					   where);
		for (size_t k = 0; k < i; k++)
			if (strcmp(f[k], f[i]) == 0)
				return cartel__why(why, CARTEL_EINVAL,
						   "%s: field '%s' is named "
						   "twice",
						   where, f[i]);
		if (allowed == NULL)
			continue;
		int ok = 0;
		for (size_t k = 0; k < n_allowed && !ok; k++)
			ok = strcmp(allowed[k], f[i]) == 0;
		if (!ok)
			return cartel__why(why, CARTEL_EINVAL,
					   "%s: field '%s' was not asked for "
					   "(this register accepts only the "
					   "fields given to receive --fields)",
					   where, f[i]);
	}
	return 0;
}

static size_t
list_len(const char *const *v)
{
	size_t n = 0;
	while (v[n] != NULL)
		n++;
	return n;
}

/* ---- Declaring ---- */

struct collect {
	enum cartel_decl_kind kind;
	const char *party;
	const struct cartel_field **fields;
	size_t n_fields;
	json_t *persons;
	int err;
};

static int
in_custody(enum cartel_status s)
{
	return s == CARTEL_STATUS_CONFIRMED_CAPTIVE ||
	       s == CARTEL_STATUS_PROPOSED || s == CARTEL_STATUS_AGREED;
}

static int
same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static int
collect_one(void *ctx, const struct cartel_person *p)
{
	struct collect *c = ctx;
	int take;
	if (c->kind == CARTEL_DECL_HELD)
		take = in_custody(p->status) && same(p->held_by, c->party);
	else
		take = same(p->depends_on, c->party) &&
		       (p->status == CARTEL_STATUS_REPORTED_MISSING ||
			(in_custody(p->status) && p->held_by != NULL &&
			 p->held_by[0] != '\0' &&
			 !same(p->held_by, c->party)));
	if (!take)
		return 0;
	json_t *e = json_object();
	if (e == NULL || json_object_set_new(e, "id", json_string(p->id)))
		goto oom;
	for (size_t i = 0; i < c->n_fields; i++) {
		char buf[CARTEL_FIELD_TEXT_MAX];
		const char *t =
			cartel_person_field_text(p, c->fields[i], buf,
						 sizeof buf);
		json_t *v = t[0] ? json_string(t) : json_null();
		if (v == NULL ||
		    json_object_set_new(e, c->fields[i]->name, v))
			goto oom;
	}
	if (json_array_append_new(c->persons, e) == 0)
		return 0;
	e = NULL;
oom:
	json_decref(e);
	c->err = CARTEL_ENOMEM;
	return CARTEL_ENOMEM;
}

static int
as_of_valid(const char *s)
{
	struct cartel_date d;
	return s != NULL && strlen(s) == 10 && s[4] == '-' && s[7] == '-' &&
	       cartel_date_parse(s, &d, NULL) == 0 && d.day != 0;
}

int
cartel_declare(struct cartel_db *db, const struct cartel_declare_opts *o,
	       const char *path, struct cartel_declare_result *res,
	       char **why)
{
	memset(res, 0, sizeof *res);
	if (o == NULL || o->actor == NULL || o->key == NULL)
		return cartel__why(why, CARTEL_EINVAL,
				   "no actor or key given");
	const char *kind = cartel_decl_kind_name(o->kind);
	if (kind[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL, "no such kind");
	const char *const *names = o->fields ? o->fields
					     : cartel_decl_default_fields;
	size_t n_names = o->fields ? o->n_fields
				   : list_len(cartel_decl_default_fields);
	if (n_names == 0)
		return cartel__why(why, CARTEL_EINVAL,
				   "--fields: at least one field is needed");
	int rc = fields_check(names, n_names, NULL, 0, "--fields", why);
	if (rc)
		return rc;
	char as_of[16];
	if (o->as_of != NULL) {
		if (!as_of_valid(o->as_of))
			return cartel__why(why, CARTEL_EINVAL,
					   "--as-of: '%.20s' is not a date "
					   "YYYY-MM-DD",
					   o->as_of);
		snprintf(as_of, sizeof as_of, "%s", o->as_of);
	} else {
		struct cartel_date t = cartel_date_today();
		cartel_date_format(&t, as_of, sizeof as_of);
	}
	struct cartel_owner owner;
	rc = cartel__owner_get(db, &owner, why);
	if (rc)
		return rc;
	if (owner.role != CARTEL_OWNER_PARTY)
		return owner.role == CARTEL_OWNER_MEDIATOR
			       ? cartel__why(why, CARTEL_ESTATE,
					     "declarations are made in a "
					     "party's own register, and this "
					     "one is the mediator's: %s; set "
					     "its owner with cartel owner set "
					     "--party CODE",
					     owner.name)
			       : cartel__why(why, CARTEL_ESTATE,
					     "declarations are made in a "
					     "party's own register, and this "
					     "one has no owner; set its owner "
					     "with cartel owner set --party "
					     "CODE");
	if (strcmp(o->key->party, owner.name) != 0)
		return cartel__why(why, CARTEL_ESTATE,
				   "the key is %s's, but this register is %s's",
				   o->key->party, owner.name);
	rc = cartel__seal_signer(db, o->key, why);
	if (rc)
		return rc;
	rc = cartel_file_check(path, 0, why);
	if (rc)
		return rc;

	const struct cartel_field **fields = calloc(n_names, sizeof *fields);
	json_t *doc = json_object(), *persons = json_array(),
	       *flist = json_array();
	struct cartel_file *file = NULL;
	char *text = NULL;
	int in_txn = 0;
	if (fields == NULL || doc == NULL || persons == NULL || flist == NULL) {
		json_decref(persons);
		json_decref(flist);
		rc = CARTEL_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n_names; i++) {
		fields[i] = cartel_field_find(names[i]);
		json_array_append_new(flist, json_string(fields[i]->name));
	}
	json_object_set_new(doc, "format", json_string(DECL_FORMAT));
	json_object_set_new(doc, "kind", json_string(kind));
	json_object_set_new(doc, "party", json_string(owner.name));
	json_object_set_new(doc, "owner",
			    json_pack("{s:s, s:s}", "role", "party", "name",
				      owner.name));
	json_object_set_new(doc, "as_of", json_string(as_of));
	json_object_set_new(doc, "fields", flist);
	json_object_set_new(doc, "persons", persons);

	rc = cartel_db_begin(db, why);
	if (rc)
		goto out;
	in_txn = 1;
	struct collect c = {o->kind, owner.name, fields, n_names, persons, 0};
	rc = cartel_db_persons_each(db, collect_one, &c, why);
	if (rc == 0 && c.err)
		rc = c.err;
	if (rc)
		goto out;
	long last = 0;
	rc = cartel__decl_made_get(db, kind, &last, why);
	if (rc)
		goto out;
	char now[32];
	cartel__round_now(now);
	json_object_set_new(doc, "sequence", json_integer(last + 1));
	json_object_set_new(doc, "created", json_string(now));
	rc = cartel__seal_doc(doc, 0, why);
	if (rc)
		goto out;
	json_t *entry;
	rc = cartel__seal_signature(doc, o->key, &entry, why);
	if (rc)
		goto out;
	json_t *sigs = json_object();
	json_object_set_new(sigs, owner.name, entry);
	json_object_set_new(doc, "signatures", sigs);
	const char *digest = json_string_value(json_object_get(doc, "digest"));
	res->sequence = last + 1;
	res->n_persons = json_array_size(persons);
	snprintf(res->digest, sizeof res->digest, "%s", digest);
	rc = cartel__decl_made_put(db, kind, res->sequence, digest,
				   (long)res->n_persons, now, o->actor, why);
	if (rc)
		goto out;
	char *detail = cartel__asprintf(
		"kind=%s party=%s sequence=%ld as_of=%s persons=%zu "
		"fields=%zu digest=%s",
		kind, owner.name, res->sequence, as_of, res->n_persons,
		n_names, digest);
	rc = detail ? cartel_audit_append(db, o->actor, "declaration.make",
					  owner.name, detail, why)
		    : CARTEL_ENOMEM;
	free(detail);
	if (rc)
		goto out;
	/* The file is written whole beside its target first; the sequence
	 * number is taken only when it is, and the file is put in place only
	 * when the register has recorded it. */
	text = json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS);
	if (text == NULL) {
		rc = CARTEL_ENOMEM;
		goto out;
	}
	rc = cartel_file_open(&file, path, 0, why);
	if (rc == 0)
		rc = cartel_file_write(file, text, strlen(text), why);
	if (rc == 0)
		rc = cartel_file_write(file, "\n", 1, why);
	if (rc)
		goto out;
	rc = cartel_db_commit(db, why);
	in_txn = 0;
	if (rc)
		goto out;
	rc = cartel_file_commit(file, why);
	file = NULL;
out:
	if (in_txn)
		cartel_db_rollback(db);
	cartel_file_abort(file);
	free(text);
	free(fields);
	json_decref(doc);
	if (rc)
		memset(res, 0, sizeof *res);
	return rc;
}

/* ---- Receiving ---- */

static int
bad(char **why, const char *name, const char *field, const char *what)
{
	return cartel__why(why, CARTEL_EFORMAT, "%s: field '%s': %s", name,
			   field, what);
}

static int
id_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > DECL_ID_MAX)
		return 0;
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			return 0;
	return 1;
}

struct seen_id {
	const char *id;
	size_t at; /* its place in "persons" */
};

/* By id, then by place (so that a message names the first place first). */
static int
seen_cmp(const void *a, const void *b)
{
	const struct seen_id *x = a, *y = b;
	int c = strcmp(x->id, y->id);
	if (c != 0)
		return c;
	return x->at < y->at ? -1 : x->at > y->at;
}

/* The document's shape and content: everything but the seal. */
static int
check_decl(const char *name, const json_t *d, const char *const *allowed,
	   size_t n_allowed, char **why)
{
	if (!json_is_object(d))
		return cartel__why(why, CARTEL_EFORMAT,
				   "%s: not a declaration (expected a JSON "
				   "object)",
				   name);
	const char *format = json_string_value(json_object_get(d, "format"));
	if (format == NULL || strcmp(format, DECL_FORMAT) != 0)
		return bad(why, name, "format",
			   "expected \"" DECL_FORMAT "\"");
	enum cartel_decl_kind k;
	if (cartel_decl_kind_parse(json_string_value(json_object_get(d, "kind")),
				   &k, NULL))
		return bad(why, name, "kind", "expected held or sought");
	const char *party = json_string_value(json_object_get(d, "party"));
	if (!cartel_party_valid(party))
		return bad(why, name, "party", "expected a party code");
	json_t *owner = json_object_get(d, "owner");
	if (!json_is_object(owner) ||
	    !same(json_string_value(json_object_get(owner, "role")), "party") ||
	    !same(json_string_value(json_object_get(owner, "name")), party))
		return bad(why, name, "owner",
			   "expected {\"role\": \"party\", \"name\": the "
			   "declaring party}");
	if (!as_of_valid(json_string_value(json_object_get(d, "as_of"))))
		return bad(why, name, "as_of", "expected a date YYYY-MM-DD");
	json_t *seq = json_object_get(d, "sequence");
	if (!json_is_integer(seq) || json_integer_value(seq) < 1 ||
	    json_integer_value(seq) > 2147483647)
		return bad(why, name, "sequence",
			   "expected a positive integer");
	if (!json_is_string(json_object_get(d, "created")))
		return bad(why, name, "created", "expected a string");
	json_t *fl = json_object_get(d, "fields");
	if (!json_is_array(fl) || json_array_size(fl) == 0 ||
	    json_array_size(fl) > 64)
		return bad(why, name, "fields",
			   "expected an array of 1 to 64 field names");
	const char *fv[64];
	for (size_t i = 0; i < json_array_size(fl); i++) {
		fv[i] = json_string_value(json_array_get(fl, i));
		if (fv[i] == NULL)
			return bad(why, name, "fields",
				   "expected strings (field names)");
	}
	char *inner = NULL;
	int rc = fields_check(fv, json_array_size(fl), allowed, n_allowed,
			      "fields", &inner);
	if (rc) {
		rc = cartel__why(why, CARTEL_EFORMAT, "%s: %s", name, inner);
		free(inner);
		return rc;
	}
	json_t *ps = json_object_get(d, "persons");
	if (!json_is_array(ps) || json_array_size(ps) > DECL_PERSONS_MAX)
		return bad(why, name, "persons",
			   "expected an array of persons");
	/* Each id once: the ids sorted with their places, then compared
	 * with their neighbours (no allocation per person). */
	size_t np = json_array_size(ps);
	struct seen_id *seen = calloc(np ? np : 1, sizeof *seen);
	if (seen == NULL)
		return CARTEL_ENOMEM;
	size_t nf = json_array_size(fl);
	for (size_t i = 0; i < json_array_size(ps) && rc == 0; i++) {
		json_t *e = json_array_get(ps, i);
		char where[48];
		snprintf(where, sizeof where, "persons[%zu]", i);
		const char *id = json_string_value(json_object_get(e, "id"));
		if (!json_is_object(e) || !id_valid(id)) {
			rc = bad(why, name, where,
				 "expected an object with an 'id' of 1 to "
				 "200 characters");
			break;
		}
		seen[i].id = id;
		seen[i].at = i;
		const char *key;
		json_t *v;
		json_object_foreach(e, key, v)
		{
			if (strcmp(key, "id") == 0)
				continue;
			int listed = 0;
			for (size_t j = 0; j < nf && !listed; j++)
				listed = strcmp(fv[j], key) == 0;
			if (!listed) {
				rc = cartel__why(
					why, CARTEL_EFORMAT,
					"%s: person %s carries field '%.40s', "
					"which the declaration's 'fields' do "
					"not list",
					name, id, key);
				break;
			}
			if (!json_is_null(v) &&
			    (!json_is_string(v) ||
			     json_string_length(v) > DECL_VALUE_MAX)) {
				rc = cartel__why(why, CARTEL_EFORMAT,
						 "%s: person %s: field '%s': "
						 "expected a string of at most "
						 "%d bytes, or null",
						 name, id, key, DECL_VALUE_MAX);
				break;
			}
		}
	}
	/* Ids in strictly rising order (as a register lists its persons,
	 * most often) are each there once: no sort needed. */
	size_t rising = 1;
	while (rc == 0 && rising < np &&
	       strcmp(seen[rising - 1].id, seen[rising].id) < 0)
		rising++;
	if (rc == 0 && rising < np) {
		qsort(seen, np, sizeof *seen, seen_cmp);
		for (size_t i = 1; i < np; i++)
			if (strcmp(seen[i - 1].id, seen[i].id) == 0) {
				rc = cartel__why(why, CARTEL_EFORMAT,
						 "%s: person %s is listed twice "
						 "(persons[%zu] and persons[%zu])",
						 name, seen[i].id, seen[i - 1].at,
						 seen[i].at);
				break;
			}
	}
	free(seen);
	if (rc)
		return rc;
	json_t *m = json_object_get(d, "manifest");
	if (!json_is_object(m))
		return bad(why, name, "manifest", "expected an object");
	if (!json_is_string(json_object_get(d, "digest")))
		return bad(why, name, "digest", "expected a string");
	json_t *sigs = json_object_get(d, "signatures");
	if (!json_is_object(sigs) || json_object_size(sigs) == 0)
		return cartel__why(why, CARTEL_ETAMPER,
				   "%s is not signed (no 'signatures')", name);
	if (json_object_size(sigs) != 1 ||
	    json_object_get(sigs, party) == NULL) {
		const char *signer = "";
		json_t *val;
		json_object_foreach(sigs, signer, val)
		{
			if (strcmp(signer, party) != 0)
				break;
		}
		return cartel__why(why, CARTEL_ETAMPER,
				   "%s declares party %s but is signed by "
				   "%.20s: a declaration is signed by the "
				   "declaring party alone",
				   name, party, signer);
	}
	return 0;
}

/* The canonical text of a person's fields (the entry without its id). */
static int
fields_text(const json_t *e, char **out, char **why)
{
	static const char *const no_id[] = {"id", NULL};
	size_t len;
	return cartel__jcs_object(e, no_id, out, &len, NULL, NULL, why);
}

static int
add_entry(struct cartel_receive_result *res, size_t *cap,
	  enum cartel_decl_change change, const char *id,
	  const char *old_fields, const char *new_fields)
{
	if (res->n_entries == *cap) {
		size_t n = *cap ? 2 * *cap : 64;
		struct cartel_decl_diff_entry *v =
			realloc(res->entries, n * sizeof *v);
		if (v == NULL)
			return CARTEL_ENOMEM;
		res->entries = v;
		*cap = n;
	}
	struct cartel_decl_diff_entry *e = &res->entries[res->n_entries];
	e->change = change;
	e->their_id = strdup(id);
	e->old_fields = cartel__strdup(old_fields);
	e->new_fields = cartel__strdup(new_fields);
	res->n_entries++;
	if (e->their_id == NULL || (old_fields && e->old_fields == NULL) ||
	    (new_fields && e->new_fields == NULL))
		return CARTEL_ENOMEM;
	return 0;
}

static int
entry_cmp(const void *a, const void *b)
{
	const struct cartel_decl_diff_entry *x = a, *y = b;
	if (x->change != y->change)
		return (int)x->change - (int)y->change;
	return strcmp(x->their_id, y->their_id);
}

/* The new persons met so far, not yet written: written many at a time. */
struct adds {
	const char *ids[ADD_BATCH];
	const char *fields[ADD_BATCH];
	size_t at[ADD_BATCH]; /* their places in "persons" */
	size_t n;
};

/* Writes the new persons gathered, each then an "added" entry that takes
 * his fields' text over (no copy per person). */
static int
adds_flush(struct cartel_db *db, const char *party, const char *kind,
	   const char *digest, struct adds *a, char **texts,
	   struct cartel_receive_result *res, size_t *cap, char **why)
{
	int rc = cartel__decl_persons_add(db, party, kind, a->ids, a->fields,
					  a->n, digest, why);
	for (size_t j = 0; rc == 0 && j < a->n; j++) {
		rc = add_entry(res, cap, CARTEL_DECL_ADDED, a->ids[j], NULL,
			       NULL);
		if (rc == 0) {
			res->entries[res->n_entries - 1].new_fields =
				texts[a->at[j]];
			texts[a->at[j]] = NULL;
		}
	}
	a->n = 0;
	return rc;
}

/* Writes the persons of a checked declaration, inside the transaction. */
static int
apply(struct cartel_db *db, const json_t *doc, char **texts,
      const char *digest, struct cartel_receive_result *res,
      struct cartel__progress *pg, char **why)
{
	const char *party = res->party;
	const char *kind = cartel_decl_kind_name(res->kind);
	json_t *old = NULL;
	int rc = cartel__decl_persons_load(db, party, kind, &old, why);
	if (rc)
		return rc;
	size_t cap = 0;
	struct adds *adds = malloc(sizeof *adds);
	if (adds == NULL) {
		json_decref(old);
		return CARTEL_ENOMEM;
	}
	adds->n = 0;
	json_t *ps = json_object_get(doc, "persons");
	for (size_t i = 0; i < json_array_size(ps) && rc == 0; i++) {
		json_t *e = json_array_get(ps, i);
		const char *id = json_string_value(json_object_get(e, "id"));
		const char *ft = texts[i];
		json_t *o = json_object_get(old, id);
		const char *ostatus = json_string_value(json_array_get(o, 0));
		const char *ofields = json_string_value(json_array_get(o, 1));
		if (o == NULL) {
			adds->ids[adds->n] = id;
			adds->fields[adds->n] = ft;
			adds->at[adds->n++] = i;
			if (adds->n == ADD_BATCH)
				rc = adds_flush(db, party, kind, digest, adds,
						texts, res, &cap, why);
			res->n_added++;
		} else {
			enum cartel_decl_change ch =
				!same(ostatus, "declared") ? CARTEL_DECL_RETURNED
				: !same(ofields, ft)	   ? CARTEL_DECL_CHANGED
							   : CARTEL_DECL_ADDED;
			if (ch == CARTEL_DECL_ADDED) {
				res->n_unchanged++;
			} else {
				rc = cartel__decl_person_put(
					db, party, kind, id, ft, "declared",
					digest, digest, why);
				if (rc == 0)
					rc = cartel__decl_change_put(
						db, digest, id,
						cartel_decl_change_name(ch),
						ofields, ft, why);
				if (rc == 0)
					rc = add_entry(res, &cap, ch, id,
						       ofields, ft);
				if (ch == CARTEL_DECL_RETURNED)
					res->n_returned++;
				else
					res->n_changed++;
			}
			json_object_del(old, id);
		}
		cartel__progress_at(pg, i + 1);
	}
	if (rc == 0 && adds->n > 0)
		rc = adds_flush(db, party, kind, digest, adds, texts, res, &cap,
				why);
	free(adds);
	/* Who is left was declared before and is not now. */
	const char *id;
	json_t *o;
	json_object_foreach(old, id, o)
	{
		if (rc)
			break;
		const char *ostatus = json_string_value(json_array_get(o, 0));
		const char *ofields = json_string_value(json_array_get(o, 1));
		if (!same(ostatus, "declared"))
			continue;
		rc = cartel__decl_person_put(db, party, kind, id, ofields,
					     "no_longer_declared", digest,
					     digest, why);
		if (rc == 0)
			rc = cartel__decl_change_put(db, digest, id, "dropped",
						     ofields, NULL, why);
		if (rc == 0)
			rc = add_entry(res, &cap, CARTEL_DECL_DROPPED, id,
				       ofields, NULL);
		res->n_dropped++;
	}
	json_decref(old);
	/* Already in order when the declaration lists its ids rising and
	 * only adds (a first declaration): checked in one pass. */
	size_t in_order = 1;
	while (rc == 0 && in_order < res->n_entries &&
	       entry_cmp(&res->entries[in_order - 1],
			 &res->entries[in_order]) < 0)
		in_order++;
	if (rc == 0 && in_order < res->n_entries)
		qsort(res->entries, res->n_entries, sizeof *res->entries,
		      entry_cmp);
	return rc;
}

/* The seal's check, run beside the checks of the document's content: the
 * canonical form, once, for the manifest, the digest and the signature. */
struct seal_job {
	const char *lang; /* the caller's, for the problems it words */
	const json_t *doc;
	struct cartel__problems pr;
	int manifest_ok, digest_ok;
	int rc;
	char *why;
	char *canon;
	size_t clen;
};

static void *
seal_job_run(void *arg)
{
	struct seal_job *j = arg;
	cartel_lang_set(j->lang, NULL);
	j->rc = cartel__seal_check_canon(j->doc, 0, &j->pr, &j->manifest_ok,
					 &j->digest_ok, &j->canon, &j->clen,
					 &j->why);
	return NULL;
}

/* What a received document leaves to free. */
struct drop_job {
	json_t *doc;
	char **texts;
	size_t n_texts;
	char *canon;
};

static void *
drop_job_run(void *arg)
{
	struct drop_job *d = arg;
	for (size_t i = 0; d->texts != NULL && i < d->n_texts; i++)
		free(d->texts[i]);
	free(d->texts);
	free(d->canon);
	json_decref(d->doc);
	return NULL;
}

/* The options' own checks, shared by both ways in: fills the fields a
 * declaration may carry. */
static int
receive_opts(const struct cartel_receive_opts *o, const char *const **allowed,
	     size_t *n_allowed, char **why)
{
	if (o == NULL || o->actor == NULL)
		return cartel__why(why, CARTEL_EINVAL, "no actor given");
	*allowed = o->fields ? o->fields : cartel_decl_default_fields;
	*n_allowed = o->fields ? o->n_fields
			       : list_len(cartel_decl_default_fields);
	return fields_check(*allowed, *n_allowed, NULL, 0, "--fields", why);
}

static int receive_doc(struct cartel_db *db, const char *path, json_t *doc,
		       const struct cartel_receive_opts *o,
		       const char *const *allowed, size_t n_allowed,
		       struct cartel_receive_result *res, char **why);

/* Parses a declaration's text; the document, or an error naming where the
 * JSON breaks. */
static int
receive_parse(const char *path, const char *text, size_t len, json_t **doc,
	      char **why)
{
	json_error_t jerr;
	*doc = cartel__json_load_split(text, len, "persons",
				       JSON_REJECT_DUPLICATES, &jerr);
	if (*doc == NULL)
		return cartel__why(why, CARTEL_EFORMAT,
				   "%s: not whole JSON (cut short, or not a "
				   "declaration): line %d column %d: %s",
				   path, jerr.line, jerr.column, jerr.text);
	return 0;
}

int
cartel_receive(struct cartel_db *db, const char *path,
	       const struct cartel_receive_opts *o,
	       struct cartel_receive_result *res, char **why)
{
	memset(res, 0, sizeof *res);
	const char *const *allowed;
	size_t n_allowed;
	int rc = receive_opts(o, &allowed, &n_allowed, why);
	if (rc)
		return rc;
	/* The size first, from the file system: a file too large is refused
	 * before a byte of it is read. */
	struct stat sb;
	if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    (unsigned long long)sb.st_size > CARTEL_DECL_FILE_MAX)
		return cartel__why(why, CARTEL_ERANGE,
				   "%s: %llu bytes, larger than a declaration "
				   "may be (%u bytes); nothing was read",
				   path, (unsigned long long)sb.st_size,
				   CARTEL_DECL_FILE_MAX);
	char *text = NULL;
	size_t len = 0;
	rc = cartel__round_slurp(path, CARTEL_DECL_FILE_MAX, &text, &len, why);
	if (rc)
		return rc;
	json_t *doc;
	rc = receive_parse(path, text, len, &doc, why);
	free(text); /* before the work: a large declaration is held once */
	if (rc)
		return rc;
	return receive_doc(db, path, doc, o, allowed, n_allowed, res, why);
}

int
cartel_receive_text(struct cartel_db *db, const char *name, const char *text,
		    size_t len, const struct cartel_receive_opts *o,
		    struct cartel_receive_result *res, char **why)
{
	memset(res, 0, sizeof *res);
	if (name == NULL)
		name = "the declaration";
	const char *const *allowed;
	size_t n_allowed;
	int rc = receive_opts(o, &allowed, &n_allowed, why);
	if (rc)
		return rc;
	if (len > CARTEL_DECL_FILE_MAX)
		return cartel__why(why, CARTEL_ERANGE,
				   "%s: %zu bytes, larger than a declaration "
				   "may be (%u bytes)",
				   name, len, CARTEL_DECL_FILE_MAX);
	json_t *doc;
	rc = receive_parse(name, text, len, &doc, why);
	if (rc)
		return rc;
	return receive_doc(db, name, doc, o, allowed, n_allowed, res, why);
}

/* Receives a parsed declaration; takes the document (frees it). */
static int
receive_doc(struct cartel_db *db, const char *path, json_t *doc,
	    const struct cartel_receive_opts *o, const char *const *allowed,
	    size_t n_allowed, struct cartel_receive_result *res, char **why)
{
	int rc;
	char *canon = NULL;
	char **texts = NULL;
	size_t n_texts = 0;
	int in_txn = 0, bulk = 0;
	/* The seal and the signature, as the list documents' are checked:
	 * the canonical form, the manifest and the digest in a second
	 * thread, started at once, while this one checks the document's
	 * shape and makes each person's canonical fields (both only read
	 * the document; nothing is written before both are done). */
	struct seal_job job;
	memset(&job, 0, sizeof job);
	job.lang = cartel_lang_get();
	job.doc = doc;
	pthread_t th;
	int threaded = pthread_create(&th, NULL, seal_job_run, &job) == 0;
	if (!threaded)
		seal_job_run(&job);
	rc = check_decl(path, doc, allowed, n_allowed, why);
	if (rc) {
		if (threaded)
			pthread_join(th, NULL);
		free(job.why);
		free(job.canon);
		cartel__problems_free(&job.pr);
		goto out;
	}
	const char *party = json_string_value(json_object_get(doc, "party"));
	const char *digest = json_string_value(json_object_get(doc, "digest"));
	snprintf(res->party, sizeof res->party, "%s", party);
	cartel_decl_kind_parse(json_string_value(json_object_get(doc, "kind")),
			       &res->kind, NULL);
	res->sequence =
		(long)json_integer_value(json_object_get(doc, "sequence"));
	snprintf(res->as_of, sizeof res->as_of, "%s",
		 json_string_value(json_object_get(doc, "as_of")));
	snprintf(res->digest, sizeof res->digest, "%s", digest);
	res->n_persons = json_array_size(json_object_get(doc, "persons"));

	json_t *ps = json_object_get(doc, "persons");
	n_texts = json_array_size(ps);
	texts = calloc(n_texts ? n_texts : 1, sizeof *texts);
	if (texts == NULL)
		rc = CARTEL_ENOMEM;
	for (size_t i = 0; rc == 0 && i < n_texts; i++)
		rc = fields_text(json_array_get(ps, i), &texts[i], why);
	if (threaded)
		pthread_join(th, NULL);
	canon = job.canon;
	if (rc == 0 && job.rc) {
		rc = job.rc;
		if (why != NULL) {
			free(*why);
			*why = job.why;
			job.why = NULL;
		}
	}
	free(job.why);
	struct cartel__problems pr = job.pr;
	if (rc == 0) {
		struct cartel_round_sig_status st;
		cartel__seal_verify_party(db, doc, party, canon, job.clen, &st,
					  &pr);
		if (pr.n > 0)
			rc = cartel__problems_why(&pr, why, path);
	}
	cartel__problems_free(&pr);
	if (rc)
		goto out;

	/* A large declaration is written as a bulk import is: with a
	 * rollback journal, when no other connection has the file open, so
	 * that its pages are written once (WAL again at the end). */
	if (res->n_persons >= BULK_PERSONS)
		bulk = cartel__decl_bulk(db, 1);
	/* The register's own state: whose it is, what it has received. */
	rc = cartel_db_begin(db, why);
	if (rc)
		goto out;
	in_txn = 1;
	struct cartel_owner owner;
	rc = cartel__owner_get(db, &owner, why);
	if (rc)
		goto out;
	if (owner.role == CARTEL_OWNER_PARTY && strcmp(owner.name, party) == 0) {
		rc = cartel__why(why, CARTEL_ESTATE,
				 "%s is %s's own declaration, and this is %s's "
				 "register: a declaration is received by the "
				 "mediator or the other party",
				 path, party, party);
		goto out;
	}
	int found = 0;
	rc = cartel__decl_received_has(db, digest, &found, why);
	if (rc)
		goto out;
	if (found) {
		rc = cartel__why(why, CARTEL_EEXIST,
				 "%s was received already (digest %s): a "
				 "declaration is received once",
				 path, digest);
		goto out;
	}
	const char *kind = cartel_decl_kind_name(res->kind);
	long last = 0;
	rc = cartel__decl_received_last(db, party, kind, &last, res->previous,
					why);
	if (rc)
		goto out;
	if (res->sequence <= last) {
		rc = cartel__why(why, CARTEL_EEXIST,
				 "%s is %s's %s declaration number %ld, but "
				 "number %ld was received already: an older or "
				 "replayed declaration is refused",
				 path, party, kind, res->sequence, last);
		goto out;
	}
	char now[32];
	cartel__round_now(now);
	rc = cartel__decl_received_put(db, digest, party, kind, res->sequence,
				       res->as_of, (long)res->n_persons, now,
				       o->actor, why);
	struct cartel__progress pg = {0};
	if (rc == 0)
		cartel__progress_begin(&pg, o->progress, o->progress_user,
				       "persons", res->n_persons);
	if (rc == 0)
		rc = apply(db, doc, texts, digest, res, &pg, why);
	if (rc)
		goto out;
	/* The document is not needed any more: a large one is freed in a
	 * second thread while the audit entry and the commit are written. */
	struct drop_job drop = {doc, texts, n_texts, canon};
	pthread_t dropper;
	int dropping = res->n_persons >= BULK_PERSONS &&
		       pthread_create(&dropper, NULL, drop_job_run, &drop) == 0;
	if (dropping) {
		doc = NULL;
		texts = NULL;
		canon = NULL;
	}
	char *detail = cartel__asprintf(
		"party=%s kind=%s sequence=%ld as_of=%s digest=%s "
		"previous=%s persons=%zu added=%zu dropped=%zu changed=%zu "
		"returned=%zu",
		res->party, kind, res->sequence, res->as_of, res->digest,
		res->previous[0] ? res->previous : "none", res->n_persons,
		res->n_added, res->n_dropped, res->n_changed, res->n_returned);
	char subject[CARTEL_PARTY_MAX + 16];
	snprintf(subject, sizeof subject, "%s:%s", res->party, kind);
	rc = detail ? cartel_audit_append(db, o->actor, "declaration.receive",
					  subject, detail, why)
		    : CARTEL_ENOMEM;
	free(detail);
	if (rc == 0) {
		rc = cartel_db_commit(db, why);
		in_txn = 0;
	}
	if (rc == 0)
		cartel__progress_end(&pg);
	if (dropping)
		pthread_join(dropper, NULL);
out:
	if (in_txn)
		cartel_db_rollback(db);
	if (bulk)
		cartel__decl_bulk(db, 0);
	drop_job_run(&(struct drop_job){doc, texts, n_texts, canon});
	if (rc)
		cartel_receive_result_clear(res);
	return rc;
}

void
cartel_receive_result_clear(struct cartel_receive_result *res)
{
	for (size_t i = 0; i < res->n_entries; i++) {
		free(res->entries[i].their_id);
		free(res->entries[i].old_fields);
		free(res->entries[i].new_fields);
	}
	free(res->entries);
	memset(res, 0, sizeof *res);
}

static json_t *
parse_or_null(const char *s)
{
	if (s == NULL)
		return json_null();
	json_t *v = json_loads(s, 0, NULL);
	return v ? v : json_null();
}

int
cartel_receive_result_json(const struct cartel_receive_result *res,
			   char **out, char **why)
{
	(void)why;
	*out = NULL;
	json_t *changes = json_array();
	json_t *o = json_pack(
		"{s:s, s:s, s:I, s:s, s:s, s:s?, s:I, s:I, s:I, s:I, s:I, s:I}",
		"party", res->party, "kind", cartel_decl_kind_name(res->kind),
		"sequence", (json_int_t)res->sequence, "as_of", res->as_of,
		"digest", res->digest, "previous",
		res->previous[0] ? res->previous : NULL, "persons",
		(json_int_t)res->n_persons, "added", (json_int_t)res->n_added,
		"dropped", (json_int_t)res->n_dropped, "changed",
		(json_int_t)res->n_changed, "returned",
		(json_int_t)res->n_returned, "unchanged",
		(json_int_t)res->n_unchanged);
	if (o == NULL || changes == NULL) {
		json_decref(o);
		json_decref(changes);
		return CARTEL_ENOMEM;
	}
	json_object_set_new(o, "changes", changes);
	for (size_t i = 0; i < res->n_entries; i++) {
		const struct cartel_decl_diff_entry *e = &res->entries[i];
		json_t *a = parse_or_null(e->old_fields);
		json_t *b = parse_or_null(e->new_fields);
		json_t *c = json_pack("{s:s, s:s}", "change",
				      cartel_decl_change_name(e->change), "id",
				      e->their_id);
		if (c == NULL) {
			json_decref(a);
			json_decref(b);
			json_decref(o);
			return CARTEL_ENOMEM;
		}
		if (e->change == CARTEL_DECL_CHANGED ||
		    e->change == CARTEL_DECL_RETURNED) {
			json_t *names = json_array();
			const char *k;
			json_t *v;
			json_object_foreach(b, k, v)
			{
				if (!json_equal(v, json_object_get(a, k)))
					json_array_append_new(names,
							      json_string(k));
			}
			json_object_foreach(a, k, v)
			{
				if (json_object_get(b, k) == NULL)
					json_array_append_new(names,
							      json_string(k));
			}
			json_object_set_new(c, "fields", names);
		}
		json_object_set_new(c, "old", a);
		json_object_set_new(c, "new", b);
		json_array_append_new(changes, c);
	}
	*out = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	return *out ? 0 : CARTEL_ENOMEM;
}
