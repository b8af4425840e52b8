/*
 * A counter-proposal made from a list document (`cartel round amend`):
 * persons added and removed by their holder's party and id, the sides'
 * values counted again under the policy, the balance checked, the rules
 * checked again (rules.c), and the next version sealed. Nobody edits the
 * JSON by hand.
 *
 * jansson ownership: as doc.c; the new document is a deep copy of the old
 * one, owned by the new struct cartel_round.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <cartel/declaration.h>
#include <cartel/error.h>
#include <cartel/plan.h>
#include <cartel/round.h>
#include <cartel/store.h>

#include "core/why.h"
#include "round/round_int.h"

/* Splits "PARTY:ID" into party and id; the party must be one of the
 * round's. */
static int
split_ref(const struct cartel_round *r, const char *ref, char party[16],
	  const char **id, char **why)
{
	const char *colon = ref ? strchr(ref, ':') : NULL;
	if (colon == NULL || colon == ref || colon[1] == '\0' ||
	    colon - ref >= CARTEL_PARTY_MAX)
		return cartel__why(why, CARTEL_EINVAL,
				   "'%.80s' is not PARTY:ID (the holder's "
				   "party code and the holder's id)",
				   ref ? ref : "");
	snprintf(party, CARTEL_PARTY_MAX, "%.*s", (int)(colon - ref), ref);
	if (strcmp(party, cartel_round_party(r, 0)) != 0 &&
	    strcmp(party, cartel_round_party(r, 1)) != 0)
		return cartel__why(why, CARTEL_EINVAL,
				   "%s is not a party of round %s (%s and "
				   "%s)",
				   party, cartel_round_id(r),
				   cartel_round_party(r, 0),
				   cartel_round_party(r, 1));
	*id = colon + 1;
	return 0;
}

/* 1 when entry e of a list given by `side` names (party, id). */
static int
entry_is(const json_t *e, const char *side, const char *party,
	 const char *id)
{
	const char *eid = json_string_value(json_object_get(e, "id"));
	const char *holder = json_string_value(json_object_get(e, "holder"));
	const char *hid = json_string_value(json_object_get(e, "holder_id"));
	if (holder == NULL)
		holder = side;
	if (holder == NULL || strcmp(holder, party) != 0)
		return 0;
	if (hid != NULL && strcmp(hid, id) == 0)
		return 1;
	if (eid == NULL)
		return 0;
	if (strcmp(eid, id) == 0)
		return 1;
	size_t n = strlen(party);
	return strncmp(eid, party, n) == 0 && eid[n] == ':' &&
	       strcmp(eid + n + 1, id) == 0;
}

/* Removes (party, id) from whichever list holds it. */
static int
remove_ref(json_t *doc, const struct cartel_round *r, const char *party,
	   const char *id, const char *ref, char **why)
{
	for (int i = 0; i < 2; i++) {
		const char *p = cartel_round_party(r, i);
		json_t *lists[2] = {
			json_object_get(
				json_object_get(json_object_get(doc, "sides"),
						p),
				"gives"),
			json_object_get(json_object_get(doc,
							"direct_repatriation"),
					p)};
		for (int l = 0; l < 2; l++)
			for (size_t j = 0; j < json_array_size(lists[l]); j++)
				if (entry_is(json_array_get(lists[l], j), p,
					     party, id))
					return json_array_remove(lists[l], j)
						       ? CARTEL_ENOMEM
						       : 0;
	}
	json_t *w = json_object_get(doc, "withheld");
	for (size_t j = 0; j < json_array_size(w); j++)
		if (entry_is(json_array_get(w, j), NULL, party, id))
			return json_array_remove(w, j) ? CARTEL_ENOMEM : 0;
	return cartel__why(why, CARTEL_ENOTFOUND,
			   "%s is not on the lists of round %s version %d",
			   ref, cartel_round_id(r), cartel_round_version(r));
}

static int
is_civilian(const json_t *e)
{
	const char *cat = json_string_value(json_object_get(e, "category"));
	return cat != NULL && strcmp(cat, "civilian") == 0;
}

/* The side's value: its headcount, or the policy's scale values of its
 * list summed; pool[0] and n_pool[0] of those besides civilians, pool[1]
 * and n_pool[1] of the civilians (by head). */
static int
side_value(const json_t *gives, const struct cartel_policy *pol,
	   const char *side, long *value, long pool[2], size_t n_pool[2],
	   char **why)
{
	*value = 0;
	pool[0] = pool[1] = 0;
	n_pool[0] = n_pool[1] = 0;
	for (size_t j = 0; j < json_array_size(gives); j++) {
		json_t *e = json_array_get(gives, j);
		long v = 1;
		int civ = is_civilian(e);
		n_pool[civ]++;
		if (pol != NULL) {
			const char *cat = json_string_value(
				json_object_get(e, "category"));
			char *w = NULL;
			int rc = cartel_policy_person_value(
				pol,
				json_string_value(json_object_get(e, "rank")),
				cat && strcmp(cat, "civilian") == 0, &v, &w);
			if (rc) {
				rc = cartel__why(
					why, rc,
					"person %s (sides.%s.gives): %s",
					json_string_value(
						json_object_get(e, "id")),
					side, w ? w : "no value");
				free(w);
				return rc;
			}
		}
		*value += v;
		pool[civ] += civ ? 1 : v;
	}
	return 0;
}

void
cartel_round_balance_clear(struct cartel_round_balance *b)
{
	free(b->verdict);
	memset(b, 0, sizeof *b);
}

int
cartel_round_amend(struct cartel_db *db, const struct cartel_round *from,
		   const struct cartel_round_amend_opts *o,
		   struct cartel_round **out, struct cartel_round_balance *bal,
		   struct cartel_round_rules *rules, char **why)
{
	*out = NULL;
	memset(bal, 0, sizeof *bal);
	memset(rules, 0, sizeof *rules);
	if (o == NULL || o->actor == NULL)
		return cartel__why(why, CARTEL_EINVAL, "no actor given");
	if (o->n_add == 0 && o->n_remove == 0)
		return cartel__why(why, CARTEL_EINVAL,
				   "nothing to change: give --add or "
				   "--remove");
	/* The version amended must be whole; its signatures are not
	 * needed (a party answers a proposal it has not signed). */
	struct cartel__problems pr = {NULL, 0};
	int mok = 0, dok = 0;
	int rc = cartel__seal_check(from->doc, &pr, &mok, &dok, why);
	if (rc == 0 && pr.n > 0)
		rc = cartel__problems_why(&pr, why, from->name);
	cartel__problems_free(&pr);
	if (rc)
		return rc;
	struct cartel_owner owner;
	rc = cartel__owner_get(db, &owner, why);
	if (rc)
		return rc;
	json_t *doc = json_deep_copy(from->doc);
	if (doc == NULL)
		return CARTEL_ENOMEM;
	json_object_del(doc, "manifest");
	json_object_del(doc, "digest");
	json_object_del(doc, "signatures");
	const char *parties[2] = {cartel_round_party(from, 0),
				  cartel_round_party(from, 1)};
	json_t *sides = json_object_get(doc, "sides");
	for (int i = 0; i < 2; i++) {
		snprintf(bal->party[i], sizeof bal->party[i], "%s",
			 parties[i]);
		json_t *g = json_object_get(json_object_get(sides, parties[i]),
					    "gives");
		bal->n_before[i] = json_array_size(g);
		bal->before[i] = (long)json_number_value(json_object_get(
			json_object_get(sides, parties[i]), "value"));
		/* The pools before the change, counted as after it. */
		long total;
		if (o->policy != NULL &&
		    cartel_policy_civilians_apart(o->policy)) {
			bal->pools = 2;
			rc = side_value(g, o->policy, parties[i], &total,
					bal->pool_before[i],
					bal->pool_n_before[i], why);
			if (rc) {
				json_decref(doc);
				return rc;
			}
		}
	}
	if (bal->pools == 0)
		bal->pools = 1;
	for (size_t i = 0; rc == 0 && i < o->n_remove; i++) {
		char party[CARTEL_PARTY_MAX];
		const char *id;
		rc = split_ref(from, o->remove[i], party, &id, why);
		if (rc == 0)
			rc = remove_ref(doc, from, party, id, o->remove[i],
					why);
	}
	long stages = (long)json_integer_value(json_object_get(doc, "stages"));
	for (size_t i = 0; rc == 0 && i < o->n_add; i++) {
		char party[CARTEL_PARTY_MAX];
		const char *id;
		rc = split_ref(from, o->add[i], party, &id, why);
		if (rc)
			break;
		struct cartel__known k;
		rc = cartel__round_resolve(db, &owner, NULL, party, id, &k,
					   why);
		if (rc == CARTEL_ENOTFOUND) {
			cartel__known_clear(&k);
			rc = cartel__why(why, CARTEL_ENOTFOUND,
					 "%s: this register knows no person "
					 "%s held by %s (neither in the "
					 "register nor in %s's held "
					 "declaration)",
					 o->add[i], id, party, party);
			break;
		}
		json_t *e = rc ? NULL : cartel__round_entry(db, &k, parties);
		cartel__known_clear(&k);
		if (rc)
			break;
		if (e == NULL) {
			rc = CARTEL_ENOMEM;
			break;
		}
		/* A man added late goes in the last stage. */
		json_object_set_new(e, "stage", json_integer(stages));
		json_array_append_new(
			json_object_get(json_object_get(sides, party),
					"gives"),
			e);
	}
	/* The values again: by head unless the policy has a scale. */
	for (int i = 0; rc == 0 && i < 2; i++) {
		json_t *side = json_object_get(sides, parties[i]);
		json_t *g = json_object_get(side, "gives");
		bal->n_after[i] = json_array_size(g);
		if (o->policy == NULL &&
		    bal->before[i] != (long)bal->n_before[i]) {
			rc = cartel__why(why, CARTEL_EINVAL,
					 "sides.%s.value (%ld) is not a "
					 "headcount: give the policy "
					 "(--policy) to count the values "
					 "again",
					 parties[i], bal->before[i]);
			break;
		}
		long pool[2];
		size_t n_pool[2];
		rc = side_value(g, o->policy, parties[i], &bal->after[i], pool,
				n_pool, why);
		if (rc == 0 && bal->pools == 2)
			for (int k = 0; k < 2; k++) {
				bal->pool_after[i][k] = pool[k];
				bal->pool_n_after[i][k] = n_pool[k];
			}
		if (rc == 0)
			json_object_set_new(side, "value",
					    json_integer(bal->after[i]));
	}
	if (rc)
		goto fail;
	bal->balanced = 1;
	if (o->policy != NULL) {
		char *w = NULL;
		/* Under civilians for civilians each pool is held to the
		 * ratio apart, as the planner holds it; else the totals. */
		int brc =
			bal->pools == 2
				? cartel_policy_balance_pools(
					  o->policy, parties[0],
					  bal->pool_after[0], parties[1],
					  bal->pool_after[1], &w)
				: cartel_policy_balance(o->policy, parties[0],
							bal->after[0],
							parties[1],
							bal->after[1], &w);
		if (brc == CARTEL_ESTATE) {
			bal->balanced = 0;
			bal->verdict = w;
			w = NULL;
		} else if (brc) {
			rc = cartel__why(why, brc, "%s", w ? w : "");
			free(w);
			goto fail;
		}
		free(w);
	}
	char now[32];
	cartel__round_now(now);
	json_object_set_new(doc, "version",
			    json_integer(cartel_round_version(from) + 1));
	json_object_set_new(doc, "kind",
			    json_string(cartel_round_kind_name(o->kind)));
	json_object_set_new(doc, "previous_digest",
			    json_string(cartel_round_digest(from)));
	json_object_set_new(doc, "created", json_string(now));
	if (owner.role != CARTEL_OWNER_NONE)
		json_object_set_new(
			doc, "owner",
			json_pack("{s:s, s:s}", "role",
				  cartel_owner_role_name(owner.role), "name",
				  owner.name));
	else
		json_object_del(doc, "owner");
	rc = cartel__round_seal(doc, why);
	if (rc)
		goto fail;
	struct cartel_round *r = calloc(1, sizeof *r);
	if (r == NULL) {
		rc = CARTEL_ENOMEM;
		goto fail;
	}
	r->doc = doc;
	doc = NULL;
	r->name = cartel__asprintf("round %s version %d", cartel_round_id(r),
				   cartel_round_version(r));
	if (r->name == NULL) {
		cartel_round_free(r);
		return CARTEL_ENOMEM;
	}
	struct cartel_round_rules_opts ro = {0};
	rc = cartel_round_rules_check(db, r, &ro, rules, why);
	if (rc == 0 && !bal->balanced)
		rc = cartel__why(why, CARTEL_ESTATE,
				 "round %s version %d is off the policy's "
				 "balance: %s",
				 cartel_round_id(r), cartel_round_version(r),
				 bal->verdict);
	if (rc == 0) {
		char *detail = cartel__asprintf(
			"version=%d kind=%s digest=%s previous=%s added=%zu "
			"removed=%zu %s=%ld %s=%ld",
			cartel_round_version(r),
			cartel_round_kind_name(o->kind),
			cartel_round_digest(r), cartel_round_digest(from),
			o->n_add, o->n_remove, parties[0], bal->after[0],
			parties[1], bal->after[1]);
		rc = detail ? cartel_audit_append(db, o->actor, "round.amend",
						  cartel_round_id(r), detail,
						  why)
			    : CARTEL_ENOMEM;
		free(detail);
	}
	if (rc) {
		cartel_round_free(r);
		return rc;
	}
	*out = r;
	return 0;
fail:
	json_decref(doc);
	return rc;
}
