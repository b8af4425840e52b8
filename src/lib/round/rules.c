/*
 * Rounds between registers (docs/rounds.md, docs/protocol.md): what a
 * register knows of each person a list document names, the persons a plan
 * is made from (the register's own and those each party declared it
 * holds), the exchange rules every step checks again, and the
 * counter-proposal made from a document (`round amend`).
 *
 * One function, cartel_round_rules_check, holds the rules: `round new`,
 * `round amend`, `round sign` and `handover start` all call it, so a list
 * edited by hand meets the same refusal at every step, each person and
 * each rule named.
 *
 * A person in a document is named by his holder's party and the holder's
 * own id (`holder`, `holder_id`). In a register with both sides in it the
 * document's `id` is the register's id; at a register that received the
 * parties' `held` declarations, a declared person's `id` is "PARTY:ID".
 *
 * jansson ownership: as doc.c; values set into a document belong to it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include <cartel/declaration.h>
#include <cartel/error.h>
#include <cartel/links.h>
#include <cartel/plan.h>
#include <cartel/register.h>
#include <cartel/round.h>
#include <cartel/store.h>

#include "core/intl.h"
#include "core/why.h"
#include "round/jcs.h"
#include "round/round_int.h"

static const char *const rule_names[] = {
	"unknown",	  "not_holder", "refuses",     "direct_traded",
	"not_in_custody", "twice",	"plan_digest", "unmapped"};

const char *
cartel_round_rule_name(enum cartel_round_rule r)
{
	return (unsigned)r < sizeof rule_names / sizeof *rule_names
		       ? rule_names[r]
		       : "";
}

/* ---- The identity-link hook ---- */

int
cartel__round_link_own_id(struct cartel_db *db,
			  const struct cartel_owner *owner, const char *holder,
			  const char *holder_id, const char *receiver,
			  char **own_id, char **why)
{
	*own_id = NULL;
	/* Identity links (<cartel/links.h>) translate (holder, holder's
	 * id): in the receiving party's own register into its own
	 * person; elsewhere (the mediator) into the id the receiving party
	 * gave him in its declaration, linked to the holder's. */
	if (owner->role == CARTEL_OWNER_PARTY &&
	    strcmp(owner->name, receiver) != 0)
		return CARTEL_ENOTFOUND;
	char *w = NULL;
	int rc;
	if (owner->role == CARTEL_OWNER_PARTY) {
		rc = cartel_link_ours(db, holder, holder_id, "", own_id, &w);
	} else {
		/* Linked as "links make RECEIVER:sought HOLDER:held", or the
		 * other way round. */
		rc = cartel_link_theirs(db, receiver, holder, holder_id,
					own_id, &w);
		if (rc == CARTEL_ENOTFOUND) {
			free(w);
			w = NULL;
			rc = cartel_link_ours(db, holder, holder_id, receiver,
					      own_id, &w);
		}
	}
	/* No link is an answer, not a failure: no message. */
	if (rc && rc != CARTEL_ENOTFOUND && why != NULL) {
		free(*why);
		*why = w;
		w = NULL;
	}
	free(w);
	return rc;
}

/* ---- What the register knows of a person ---- */

void
cartel__known_clear(struct cartel__known *k)
{
	cartel_person_clear(&k->p);
	free(k->key);
	free(k->holder_id);
	free(k->dropped_by);
	memset(k, 0, sizeof *k);
}

/* Fills k->p from a declared person's fields (canonical JSON as
 * declared). Fields this build does not know are left out. */
static int
person_from_fields(struct cartel_person *p, const char *fields)
{
	json_t *f = json_loads(fields, 0, NULL);
	if (!json_is_object(f)) {
		json_decref(f);
		return CARTEL_EFORMAT;
	}
	const char *name;
	json_t *v;
	int rc = 0;
	json_object_foreach(f, name, v)
	{
		const struct cartel_field *fd = cartel_field_find(name);
		const char *text = json_string_value(v);
		if (fd == NULL || text == NULL || strcmp(name, "id") == 0)
			continue;
		char *w = NULL;
		/* A value the register would refuse is left unknown: the
		 * declaration was checked when it was received. */
		if (cartel_person_set_field(p, fd, text, &w) == CARTEL_ENOMEM)
			rc = CARTEL_ENOMEM;
		free(w);
	}
	json_decref(f);
	return rc;
}

/* A declared person of party's `held` declaration into k. */
static int
known_declared(struct cartel_db *db, const char *party, const char *their_id,
	       struct cartel__known *k, char **why)
{
	char *status = NULL, *fields = NULL, *last = NULL;
	int rc = cartel__decl_person_get(db, party, "held", their_id, &status,
					 &fields, &last, why);
	if (rc)
		return rc;
	memset(&k->p, 0, sizeof k->p);
	k->p.id = cartel__asprintf("%s:%s", party, their_id);
	k->p.held_by = cartel__strdup(party);
	k->key = cartel__strdup(k->p.id);
	k->holder_id = cartel__strdup(their_id);
	if (k->p.id == NULL || k->p.held_by == NULL || k->key == NULL ||
	    k->holder_id == NULL)
		rc = CARTEL_ENOMEM;
	if (rc == 0)
		rc = person_from_fields(&k->p, fields);
	if (rc == CARTEL_EFORMAT)
		rc = cartel__why(why, CARTEL_EFORMAT,
				 "the fields declared for %s:%s are not a "
				 "JSON object",
				 party, their_id);
	/* Declared as held: in custody, as far as the holder says. */
	k->p.status = CARTEL_STATUS_CONFIRMED_CAPTIVE;
	k->found = 1;
	k->declared = 1;
	snprintf(k->holder, sizeof k->holder, "%s", party);
	if (rc == 0 && strcmp(status, "no_longer_declared") == 0) {
		k->dropped = 1;
		k->dropped_by = last;
		last = NULL;
	}
	free(status);
	free(fields);
	free(last);
	return rc;
}

static int
known_register(struct cartel_db *db, const char *id, struct cartel__known *k,
	       char **why)
{
	char *w = NULL;
	int rc = cartel_person_get(db, id, &k->p, &w);
	if (rc) {
		cartel_person_clear(&k->p);
		if (rc == CARTEL_ENOTFOUND) {
			free(w);
			return rc;
		}
		if (why) {
			free(*why);
			*why = w;
		} else {
			free(w);
		}
		return rc;
	}
	k->found = 1;
	k->key = cartel__strdup(k->p.id);
	k->holder_id = cartel__strdup(k->p.id);
	snprintf(k->holder, sizeof k->holder, "%s",
		 k->p.held_by ? k->p.held_by : "");
	return k->key && k->holder_id ? 0 : CARTEL_ENOMEM;
}

int
cartel__round_resolve(struct cartel_db *db, const struct cartel_owner *owner,
		      const char *id, const char *holder, const char *hid,
		      struct cartel__known *k, char **why)
{
	memset(k, 0, sizeof *k);
	int own = owner->role == CARTEL_OWNER_PARTY;
	int rc = CARTEL_ENOTFOUND;
	if (hid == NULL)
		hid = id;
	/* A party's own people are in its register under its own ids. */
	if (own && holder != NULL && strcmp(holder, owner->name) == 0)
		return known_register(db, hid, k, why);
	if (holder != NULL && hid != NULL) {
		rc = known_declared(db, holder, hid, k, why);
		if (rc != CARTEL_ENOTFOUND)
			return rc;
		cartel__known_clear(k);
	}
	/* "PARTY:ID": a person of PARTY's held declaration. */
	const char *colon = id ? strchr(id, ':') : NULL;
	if (colon != NULL && colon - id < CARTEL_PARTY_MAX) {
		char party[CARTEL_PARTY_MAX];
		snprintf(party, sizeof party, "%.*s", (int)(colon - id), id);
		if (cartel_party_valid(party)) {
			rc = known_declared(db, party, colon + 1, k, why);
			if (rc != CARTEL_ENOTFOUND)
				return rc;
			cartel__known_clear(k);
		}
	}
	/* In a party's register, the other side's persons are known only
	 * through its declaration or an identity link to the register's
	 * own record, never by an id that happens to be the same. */
	if (own && holder != NULL) {
		char *ours = NULL;
		rc = cartel__round_link_own_id(db, owner, holder, hid,
					       owner->name, &ours, why);
		if (rc == 0) {
			rc = known_register(db, ours, k, why);
			k->via_link = rc == 0;
			if (rc == 0) {
				/* Named by his holder, known here by ours. */
				free(k->holder_id);
				k->holder_id = cartel__strdup(hid);
				snprintf(k->holder, sizeof k->holder, "%s",
					 holder);
				if (k->holder_id == NULL)
					rc = CARTEL_ENOMEM;
			}
		}
		free(ours);
		if (rc == CARTEL_ENOTFOUND)
			cartel__known_clear(k);
		return rc;
	}
	const char *rid = id ? id : hid;
	rc = rid ? known_register(db, rid, k, why) : CARTEL_ENOTFOUND;
	if (rc == CARTEL_ENOTFOUND && id != NULL && hid != NULL &&
	    strcmp(hid, id) != 0) {
		cartel__known_clear(k);
		rc = known_register(db, hid, k, why);
	}
	if (rc == CARTEL_ENOTFOUND)
		cartel__known_clear(k);
	return rc;
}

json_t *
cartel__round_entry(struct cartel_db *db, const struct cartel__known *k,
		    const char *const parties[2])
{
	json_t *e = cartel__round_person_entry(&k->p);
	if (e == NULL)
		return NULL;
	json_object_set_new(e, "holder",
			    k->holder[0] ? json_string(k->holder)
					 : json_null());
	json_object_set_new(e, "holder_id", json_string(k->holder_id));
	/* The receiving party's own id, where a link gives it. */
	const char *receiver = NULL;
	if (k->holder[0] && parties != NULL)
		receiver = strcmp(k->holder, parties[0]) == 0 ? parties[1]
		       : strcmp(k->holder, parties[1]) == 0   ? parties[0]
							      : NULL;
	char *own = NULL;
	struct cartel_owner owner;
	if (receiver != NULL && cartel__owner_get(db, &owner, NULL) == 0 &&
	    cartel__round_link_own_id(db, &owner, k->holder, k->holder_id,
				      receiver, &own, NULL) == 0 &&
	    own != NULL)
		json_object_set_new(e, "receiver_id", json_string(own));
	else
		json_object_set_new(e, "receiver_id", json_null());
	free(own);
	return e;
}

/* ---- The persons a plan is made from ---- */

static int
has_party(char *const *v, size_t n, const char *p)
{
	for (size_t i = 0; p != NULL && i < n; i++)
		if (strcmp(v[i], p) == 0)
			return 1;
	return 0;
}

int
cartel_round_plan_persons(struct cartel_db *db, struct cartel_person **out,
			  size_t *n_out, char **why)
{
	*out = NULL;
	*n_out = 0;
	char **parties = NULL;
	size_t n_parties = 0;
	struct cartel_owner owner;
	int rc = cartel__owner_get(db, &owner, why);
	if (rc == 0)
		rc = cartel__decl_parties(db, "held", &parties, &n_parties,
					  why);
	if (rc)
		return rc;
	struct cartel_person *v = NULL;
	size_t n = 0;
	rc = cartel_db_persons(db, &v, &n, why);
	if (rc || n_parties == 0)
		goto out;
	/* The holder's declaration is the authority on whom it holds: the
	 * register's own records of persons held by a declaring party give
	 * way to what that party declared. */
	size_t kept = 0;
	for (size_t i = 0; i < n; i++) {
		if (has_party(parties, n_parties, v[i].held_by)) {
			cartel_person_clear(&v[i]);
			continue;
		}
		v[kept++] = v[i];
	}
	n = kept;
	for (size_t j = 0; rc == 0 && j < n_parties; j++) {
		json_t *m = NULL;
		rc = cartel__decl_persons_load(db, parties[j], "held", &m, why);
		if (rc)
			break;
		struct cartel_person *nv =
			realloc(v, (n + json_object_size(m) + 1) * sizeof *v);
		if (nv == NULL) {
			json_decref(m);
			rc = CARTEL_ENOMEM;
			break;
		}
		v = nv;
		const char *id;
		json_t *row;
		json_object_foreach(m, id, row)
		{
			if (strcmp(json_string_value(json_array_get(row, 0)),
				   "declared") != 0)
				continue;
			struct cartel_person *p = &v[n];
			memset(p, 0, sizeof *p);
			p->id = cartel__asprintf("%s:%s", parties[j], id);
			p->held_by = cartel__strdup(parties[j]);
			p->status = CARTEL_STATUS_CONFIRMED_CAPTIVE;
			n++;
			if (p->id == NULL || p->held_by == NULL) {
				rc = CARTEL_ENOMEM;
				break;
			}
			rc = person_from_fields(
				p, json_string_value(json_array_get(row, 1)));
			if (rc)
				break;
		}
		json_decref(m);
	}
out:
	for (size_t i = 0; i < n_parties; i++)
		free(parties[i]);
	free(parties);
	if (rc) {
		cartel_persons_free(v, n);
		return rc;
	}
	*out = v;
	*n_out = n;
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct by_id {
	const char *id;
	const struct cartel_person *p;
};

static int
cmp_by_id(const void *a, const void *b)
{
	return strcmp(((const struct by_id *)a)->id,
		      ((const struct by_id *)b)->id);
}

int
cartel_round_plan_sought(struct cartel_db *db,
			 const struct cartel_person *persons, size_t n,
			 char ***ids_out, size_t *n_out, char **why)
{
	*ids_out = NULL;
	*n_out = 0;
	struct cartel_link *links = NULL;
	size_t n_links = 0;
	int rc = cartel_links_list(db, NULL, &links, &n_links, why);
	if (rc)
		return rc;
	/* The plan's persons by id, to find who holds each. */
	struct by_id *byid = malloc((n + 1) * sizeof *byid);
	char **ids = malloc((n_links + 1) * sizeof *ids);
	size_t n_ids = 0;
	if (byid == NULL || ids == NULL)
		rc = CARTEL_ENOMEM;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		byid[i].id = persons[i].id;
		byid[i].p = &persons[i];
	}
	if (rc == 0)
		qsort(byid, n, sizeof *byid, cmp_by_id);
	for (size_t i = 0; rc == 0 && i < n_links; i++) {
		const struct cartel_link *l = &links[i];
		if (strcmp(l->their_kind, "sought") != 0 ||
		    (l->state != CARTEL_LINK_LINKED &&
		     l->state != CARTEL_LINK_CONFIRMED))
			continue;
		/* The seeker's person of ours: a person of another party's
		 * held declaration ("PARTY:ID"), or of the register. */
		char *id = l->our_party[0]
				   ? cartel__asprintf("%s:%s", l->our_party,
						      l->our_id)
				   : cartel__strdup(l->our_id);
		if (id == NULL) {
			rc = CARTEL_ENOMEM;
			break;
		}
		struct by_id key = {id, NULL};
		const struct by_id *hit =
			n ? bsearch(&key, byid, n, sizeof *byid, cmp_by_id)
			  : NULL;
		/* Only a man the other side holds goes to the seeker. */
		if (hit == NULL || hit->p->held_by == NULL ||
		    strcmp(hit->p->held_by, l->their_party) == 0) {
			free(id);
			continue;
		}
		ids[n_ids++] = id;
	}
	cartel_links_free(links, n_links);
	free(byid);
	if (rc) {
		for (size_t i = 0; i < n_ids; i++)
			free(ids[i]);
		free(ids);
		return rc;
	}
	qsort(ids, n_ids, sizeof *ids, cmp_str);
	/* Once each (two sought persons may link to one of ours). */
	size_t kept = 0;
	for (size_t i = 0; i < n_ids; i++) {
		if (kept > 0 && strcmp(ids[kept - 1], ids[i]) == 0) {
			free(ids[i]);
			continue;
		}
		ids[kept++] = ids[i];
	}
	*ids_out = ids;
	*n_out = kept;
	return 0;
}

/* ---- The rules ---- */

static int
breach(struct cartel_round_rules *out, enum cartel_round_rule rule,
       int note, const char *person, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int
breach(struct cartel_round_rules *out, enum cartel_round_rule rule,
       int note, const char *person, const char *fmt, ...)
{
	struct cartel_round_breach *nv =
		realloc(out->v, (out->n + 1) * sizeof *nv);
	if (nv == NULL)
		return CARTEL_ENOMEM;
	out->v = nv;
	struct cartel_round_breach *b = &nv[out->n];
	memset(b, 0, sizeof *b);
	va_list ap;
	va_start(ap, fmt);
	cartel__vwhy(&b->text, 0, fmt, ap);
	va_end(ap);
	b->rule = rule;
	b->note = note;
	b->person = cartel__strdup(person);
	if (b->text == NULL || (person && b->person == NULL)) {
		free(b->text);
		free(b->person);
		return CARTEL_ENOMEM;
	}
	out->n++;
	if (note)
		out->n_notes++;
	else
		out->n_broken++;
	return 0;
}

void
cartel_round_rules_clear(struct cartel_round_rules *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].person);
		free(r->v[i].text);
		free(r->v[i].party);
	}
	free(r->v);
	memset(r, 0, sizeof *r);
}

/* The hex SHA-256 a plan document's `digest` should hold: of its compact
 * form, keys in the order written, without the digest (docs/policy.md). */
static int
plan_content_digest(json_t *plan, char out[65])
{
	json_t *c = json_copy(plan);
	if (c == NULL)
		return CARTEL_ENOMEM;
	json_object_del(c, "digest");
	char *text = json_dumps(c, JSON_COMPACT);
	json_decref(c);
	if (text == NULL)
		return CARTEL_ENOMEM;
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)text, strlen(text));
	free(text);
	sodium_bin2hex(out, 65, h, sizeof h);
	return 0;
}

static int
check_plan(const struct cartel_round *r,
	   const struct cartel_round_rules_opts *o,
	   struct cartel_round_rules *out)
{
	json_t *plan = json_loadb(o->plan_json, o->plan_len,
				  JSON_REJECT_DUPLICATES, NULL);
	const char *name = o->plan_name ? o->plan_name : _("the plan");
	if (!json_is_object(plan)) {
		json_decref(plan);
		return breach(out, CARTEL_RULE_PLAN_DIGEST, 0, NULL,
			      "%s is not a plan document", name);
	}
	int rc = 0;
	const char *stated = json_string_value(json_object_get(plan,
								"digest"));
	const char *named = json_string_value(
		json_object_get(r->doc, "plan_digest"));
	char actual[65];
	if (stated != NULL) {
		rc = plan_content_digest(plan, actual);
		if (rc == 0 && strcmp(actual, stated) != 0)
			rc = breach(out, CARTEL_RULE_PLAN_DIGEST, 0, NULL,
				    "%s states digest %.64s, but its content "
				    "has digest %s: it was changed after the "
				    "plan was made",
				    name, stated, actual);
	}
	if (rc == 0 && named != NULL &&
	    (stated == NULL || strcmp(named, stated) != 0))
		rc = breach(out, CARTEL_RULE_PLAN_DIGEST, 0, NULL,
			    "the document names plan %.64s, but %s is plan "
			    "%.64s",
			    named, name, stated ? stated : _("(no digest)"));
	json_decref(plan);
	return rc;
}

/* Checks one entry of list `list` (given by party `side`; NULL for the
 * withheld). traded: a sides' list, inside the balance. */
static int
check_entry(struct cartel_db *db, const struct cartel_owner *owner,
	    const struct cartel_round *r, const json_t *e, const char *list,
	    const char *side, int traded,
	    const struct cartel_round_rules_opts *o, json_t *seen,
	    struct cartel_round_rules *out, char **why)
{
	const char *id = json_string_value(json_object_get(e, "id"));
	const char *holder = json_string_value(json_object_get(e, "holder"));
	const char *hid = json_string_value(json_object_get(e, "holder_id"));
	if (holder == NULL)
		holder = side;
	const char *signer = o->signer;
	int signer_own = signer != NULL && owner->role == CARTEL_OWNER_PARTY &&
			 strcmp(owner->name, signer) == 0;
	struct cartel__known k;
	int rc = cartel__round_resolve(db, owner, id, holder, hid, &k, why);
	if (rc && rc != CARTEL_ENOTFOUND) {
		cartel__known_clear(&k);
		return rc;
	}
	if (rc == CARTEL_ENOTFOUND) {
		rc = 0;
		if (signer_own && side != NULL && strcmp(side, signer) == 0)
			rc = breach(out, CARTEL_RULE_UNKNOWN, 0, id,
				    "person %s is given by %s but is not in "
				    "%s's own register (%s)",
				    id, signer, signer, list);
		else if (signer_own && side != NULL)
			rc = breach(out, CARTEL_RULE_UNMAPPED, 1, id,
				    "person %s, held by %s, cannot be mapped "
				    "to a record of %s's register: no "
				    "identity link and no declaration name "
				    "him (%s)",
				    id, holder, signer, list);
		else if (!o->unknown_ok &&
			 !(o->received_unknown_ok &&
			   owner->role == CARTEL_OWNER_PARTY &&
			   (side == NULL || strcmp(side, owner->name) != 0)))
			rc = breach(out, CARTEL_RULE_UNKNOWN, 0, id,
				    "person %s is not in the register, nor "
				    "declared to it (%s)",
				    id, list);
		/* The same id twice is still found. */
		if (rc == 0 && id != NULL) {
			json_t *prev = json_object_get(seen, id);
			if (prev != NULL)
				rc = breach(out, CARTEL_RULE_TWICE, 0, id,
					    "person %s is listed twice (%s "
					    "and %s)",
					    id, json_string_value(prev), list);
			else
				json_object_set_new(seen, id,
						    json_string(list));
		}
		cartel__known_clear(&k);
		return rc;
	}
	json_t *prev = json_object_get(seen, k.key);
	if (prev != NULL) {
		rc = breach(out, CARTEL_RULE_TWICE, 0, id,
			    "person %s is listed twice (%s and %s)%s%s", id,
			    json_string_value(prev), list,
			    strcmp(k.key, id) ? _(": both entries are ") : "",
			    strcmp(k.key, id) ? k.key : "");
		cartel__known_clear(&k);
		return rc;
	}
	json_object_set_new(seen, k.key, json_string(list));
	/* The withheld stay; only listed once. A man the other side gives,
	 * found here through an identity link, is known by the receiving
	 * party's own record, which says nothing of his custody: mapped. */
	if (side == NULL || k.via_link) {
		cartel__known_clear(&k);
		return 0;
	}
	const char *per = k.declared ? _("per its declaration")
				     : _("per the register");
	if (strcmp(k.holder, side) != 0)
		rc = breach(out, CARTEL_RULE_NOT_HOLDER, 0, id,
			    "person %s is listed by %s (%s), but %s holds "
			    "him (%s)",
			    id, side, list, k.holder[0] ? k.holder : _("nobody"),
			    k.declared ? _("per the holder's declaration")
				       : _("per the register"));
	if (rc == 0 && k.dropped)
		rc = breach(out, CARTEL_RULE_NOT_IN_CUSTODY, 0, id,
			    "person %s is no longer declared by %s (dropped "
			    "by declaration %s)",
			    id, k.holder, k.dropped_by ? k.dropped_by : "?");
	enum cartel_status st = k.p.status;
	if (rc == 0 && !k.dropped && st != CARTEL_STATUS_CONFIRMED_CAPTIVE &&
	    st != CARTEL_STATUS_PROPOSED && st != CARTEL_STATUS_AGREED) {
		char *other = NULL, *at = NULL;
		if (st == CARTEL_STATUS_REPATRIATED)
			rc = cartel__round_ho_repatriated(db, k.p.id,
							  cartel_round_id(r),
							  &other, &at, why);
		if (rc == 0 && other != NULL)
			rc = breach(out, CARTEL_RULE_NOT_IN_CUSTODY, 0, id,
				    "person %s was already repatriated "
				    "through round %s (checked off at %s) "
				    "and cannot be listed again in round %s",
				    id, other, at ? at : "?",
				    cartel_round_id(r));
		else if (rc == 0)
			rc = breach(out, CARTEL_RULE_NOT_IN_CUSTODY, 0, id,
				    "person %s is %s, not in custody (%s)", id,
				    cartel_enum_name(CARTEL_ENUM_STATUS,
						     (int)st),
				    per);
		free(other);
		free(at);
	}
	const char *doc_consent = json_string_value(json_object_get(e,
								    "consent"));
	if (rc == 0 && (k.p.consent == CARTEL_CONSENT_REFUSES ||
			(doc_consent && strcmp(doc_consent, "refuses") == 0)))
		rc = breach(out, CARTEL_RULE_REFUSES, 0, id,
			    "person %s refused repatriation (consent "
			    "refuses, %s); nobody is repatriated against his "
			    "will (GC III Art. 109)",
			    id,
			    k.p.consent == CARTEL_CONSENT_REFUSES
				    ? per
				    : _("per the document"));
	if (rc == 0 && traded &&
	    k.p.direct_repatriation == CARTEL_DIRECT_YES)
		rc = breach(out, CARTEL_RULE_DIRECT_TRADED, 0, id,
			    "person %s awaits direct repatriation (GC III "
			    "Art. 110) and is traded inside the balance "
			    "(%s); he belongs on direct_repatriation.%s",
			    id, list, side);
	/* In the signer's own register: the persons it receives are mapped
	 * to its own records. */
	if (rc == 0 && signer_own && strcmp(side, signer) != 0) {
		const char *rid = json_string_value(
			json_object_get(e, "receiver_id"));
		char *own = NULL;
		if (rid == NULL)
			cartel__round_link_own_id(db, owner, k.holder,
						  k.holder_id, signer, &own,
						  NULL);
		else
			own = strdup(rid);
		struct cartel_person mine;
		memset(&mine, 0, sizeof mine);
		if (own == NULL || cartel_person_get(db, own, &mine, NULL) != 0)
			rc = breach(out, CARTEL_RULE_UNMAPPED, 1, id,
				    "person %s, held by %s, cannot be mapped "
				    "to a record of %s's register%s",
				    id, k.holder, signer,
				    own ? _(": the id the document gives is "
					    "not in it")
					: _(": no identity link"));
		cartel_person_clear(&mine);
		free(own);
	}
	cartel__known_clear(&k);
	return rc;
}

int
cartel_round_rules_check(struct cartel_db *db, const struct cartel_round *r,
			 const struct cartel_round_rules_opts *o,
			 struct cartel_round_rules *out, char **why)
{
	static const struct cartel_round_rules_opts none;
	if (o == NULL)
		o = &none;
	memset(out, 0, sizeof *out);
	struct cartel_owner owner;
	int rc = cartel__owner_get(db, &owner, why);
	if (rc)
		return rc;
	json_t *seen = json_object();
	if (seen == NULL)
		return CARTEL_ENOMEM;
	if (o->plan_json != NULL)
		rc = check_plan(r, o, out);
	for (int i = 0; rc == 0 && i < 2; i++) {
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
		for (int l = 0; rc == 0 && l < 2; l++) {
			snprintf(where, sizeof where,
				 l == 0 ? "sides.%s.gives"
					: "direct_repatriation.%s",
				 p);
			size_t n = json_array_size(lists[l]);
			size_t n0 = out->n;
			for (size_t j = 0; rc == 0 && j < n; j++)
				rc = check_entry(db, &owner, r,
						 json_array_get(lists[l], j),
						 where, p, l == 0, o, seen,
						 out, why);
			/* Each breach names the party whose list it is in. */
			for (size_t b = n0; rc == 0 && b < out->n; b++)
				if ((out->v[b].party = cartel__strdup(p)) ==
				    NULL)
					rc = CARTEL_ENOMEM;
		}
	}
	json_t *w = json_object_get(r->doc, "withheld");
	for (size_t j = 0; rc == 0 && j < json_array_size(w); j++)
		rc = check_entry(db, &owner, r, json_array_get(w, j),
				 "withheld", NULL, 0, o, seen, out, why);
	json_decref(seen);
	if (rc) {
		cartel_round_rules_clear(out);
		return rc;
	}
	if (out->n_broken == 0)
		return 0;
	return cartel_round_rules_why(r, out, why);
}

int
cartel_round_rules_why(const struct cartel_round *r,
		       const struct cartel_round_rules *res, char **why)
{
	/* Only persons it does not know: the register lacks them, as a
	 * plan naming a stranger always was (CARTEL_ENOTFOUND). */
	int err = CARTEL_ENOTFOUND;
	for (size_t i = 0; i < res->n; i++)
		if (!res->v[i].note && res->v[i].rule != CARTEL_RULE_UNKNOWN)
			err = CARTEL_ESTATE;
	if (why == NULL)
		return err;
	size_t cap = 256;
	for (size_t i = 0; i < res->n; i++)
		cap += strlen(res->v[i].text) + 80;
	char *s = malloc(cap);
	if (s == NULL)
		return CARTEL_ENOMEM;
	size_t len = (size_t)snprintf(
		s, cap, _("round %s version %d breaks the exchange rules (%zu):"),
		cartel_round_id(r), cartel_round_version(r), res->n_broken);
	for (size_t i = 0; i < res->n && len < cap; i++) {
		if (res->v[i].note)
			continue;
		len += (size_t)snprintf(s + len, cap - len, _("\n  rule '%s': %s"),
					cartel_round_rule_name(res->v[i].rule),
					res->v[i].text);
	}
	free(*why);
	*why = s;
	return err;
}
