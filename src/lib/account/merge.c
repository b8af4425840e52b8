/*
 * Duplicates and merging for a signed-in user: the register's pairs of
 * records that may be one man, a merge, and its undoing, each with the
 * rule of the roles applied to both records and the decision logged. The
 * work itself is the matching engine's (cartel_match_dedupe_pairs) and
 * the merge's (<cartel/merge.h>); this file only decides who may see and
 * do it, and gives the answer one JSON shape (docs/api.md).
 */
#include <stdlib.h>
#include <string.h>

#include <cartel/account.h>
#include <cartel/error.h>
#include <cartel/match.h>
#include <cartel/merge.h>
#include <cartel/register.h>

#include "account/account_int.h"
#include "core/why.h"

/* A person as its JSON object (cartel_person_json's text, read back). */
static json_t *
person_obj(const struct cartel_person *p)
{
	char *text = cartel_person_json(p);
	json_t *o = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	return o;
}

/* The record a pair names by id, into *p; CARTEL_ENOTFOUND when it is
 * no longer there (merged since: the pairs are of an earlier state). */
static int
record(struct cartel_db *db, json_t *id, struct cartel_person *p, char **why)
{
	memset(p, 0, sizeof *p);
	const char *s = json_string_value(id);
	if (s == NULL)
		return CARTEL_ENOTFOUND;
	char *w = NULL;
	int err = cartel_person_get(db, s, p, &w);
	if (err == CARTEL_ENOTFOUND) {
		free(w);
		return err;
	}
	if (err != 0) {
		if (why != NULL && *why == NULL)
			*why = w;
		else
			free(w);
	}
	return err;
}

/* The pairs u may merge out of the engine's answer, paged, each with its
 * two records; every record shown logged as a read. */
static int
pairs_for(struct cartel_db *db, const struct cartel_user *u, json_t *all,
	  long long offset, long long limit, const char *from, json_t **out,
	  char **why)
{
	json_t *items = json_array();
	if (items == NULL)
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	long long total = 0;
	int err = 0;
	/* Batched, the lines are queued; else they share one transaction. */
	int own = !cartel__access_batched(db);
	if (own)
		err = cartel_db_begin(db, why);
	if (err == 0)
		err = cartel_access_log(db, u, "person.merge", NULL, 1, from,
					why);
	json_t *pairs = json_object_get(all, "pairs");
	for (size_t i = 0; err == 0 && i < json_array_size(pairs); i++) {
		json_t *pr = json_array_get(pairs, i);
		/* Both records as they stand now: who holds a man may have
		 * changed since the pairs were worked out. */
		struct cartel_person pa, pb;
		int e = record(db, json_object_get(pr, "a"), &pa, why);
		if (e == 0 &&
		    (e = record(db, json_object_get(pr, "b"), &pb, why)) != 0)
			cartel_person_clear(&pa);
		if (e == CARTEL_ENOTFOUND)
			continue;
		if ((err = e) != 0)
			break;
		int shown = 0;
		if (cartel_may(u, CARTEL_DO_MERGE, &pa, NULL) == 0 &&
		    cartel_may(u, CARTEL_DO_MERGE, &pb, NULL) == 0 &&
		    ++total > offset && total <= offset + limit) {
			json_t *rec = json_pack("{s:o, s:o}", "a",
						person_obj(&pa), "b",
						person_obj(&pb));
			if (rec == NULL ||
			    json_object_set_new(pr, "records", rec) ||
			    json_array_append(items, pr))
				err = cartel__why(why, CARTEL_ENOMEM,
						  "out of memory");
			shown = err == 0;
		}
		if (shown)
			err = cartel_access_log(db, u, "person.read", pa.id, 1,
						from, why);
		if (shown && err == 0)
			err = cartel_access_log(db, u, "person.read", pb.id, 1,
						from, why);
		cartel_person_clear(&pa);
		cartel_person_clear(&pb);
	}
	if (own && err == 0)
		err = cartel_db_commit(db, why);
	else if (own)
		cartel_db_rollback(db);
	if (err == 0 &&
	    (*out = json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total",
			      (json_int_t)total, "offset", (json_int_t)offset,
			      "limit", (json_int_t)limit)) == NULL)
		err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	else if (err != 0)
		json_decref(items);
	return err;
}

int
cartel_account_duplicates(struct cartel_db *db, const struct cartel_user *u,
			  long long offset, long long limit, const char *from,
			  json_t **out, char **why)
{
	*out = NULL;
	int err = cartel_may(u, CARTEL_DO_MERGE, NULL, why);
	if (err != 0)
		return cartel__account_refused(db, u, CARTEL_DO_MERGE, NULL,
					       from, err);
	if (offset < 0 || limit < 1)
		return cartel__why(why, CARTEL_EINVAL,
				   "offset and limit must be whole numbers");
	/* The records merged into another are left out: what remains to
	 * merge, as `cartel dedupe --register` reads it; worked out once per
	 * change to the register (cartel_register_dups_json). */
	char *text = NULL;
	if ((err = cartel_register_dups_json(db, &text, why)) != 0)
		return err;
	json_t *all = json_loads(text, 0, NULL);
	free(text);
	if (all == NULL)
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	err = pairs_for(db, u, all, offset, limit, from, out, why);
	json_decref(all);
	return err;
}

/* Reads record id (the one it stands for, when merged) and applies the
 * rule of a merge to it, logged. */
static int
may_merge(struct cartel_db *db, const struct cartel_user *u, const char *id,
	  const char *from, char **why)
{
	struct cartel_person p;
	int err = cartel_person_get(db, id, &p, why);
	if (err != 0)
		return err;
	err = cartel__account_decide_on(db, u, CARTEL_DO_MERGE, &p, from, why);
	cartel_person_clear(&p);
	return err;
}

int
cartel_account_merge(struct cartel_db *db, const struct cartel_user *u,
		     json_t *body, const char *from, json_t **out, char **why)
{
	*out = NULL;
	static const char *const keys[] = {"keep", "other", "reason", NULL};
	int err = cartel_may(u, CARTEL_DO_MERGE, NULL, why);
	if (err != 0)
		return cartel__account_refused(db, u, CARTEL_DO_MERGE, NULL,
					       from, err);
	const char *keep, *other, *reason;
	if ((err = cartel__account_body_keys(body, keys, why)) != 0 ||
	    (err = cartel__account_body_str(body, "keep", &keep, 1, why)) !=
		    0 ||
	    (err = cartel__account_body_str(body, "other", &other, 1, why)) !=
		    0 ||
	    (err = cartel__account_body_str(body, "reason", &reason, 1,
					    why)) != 0)
		return err;
	if ((err = may_merge(db, u, keep, from, why)) != 0 ||
	    (err = may_merge(db, u, other, from, why)) != 0)
		return err;
	size_t n_conflicts = 0;
	err = cartel_person_merge(db, keep, other, u->name, reason,
				  &n_conflicts, why);
	if (err != 0)
		return err;
	*out = json_pack("{s:s, s:s, s:I}", "keep", keep, "other", other,
			 "conflicts", (json_int_t)n_conflicts);
	return *out ? 0 : cartel__why(why, CARTEL_ENOMEM, "out of memory");
}

int
cartel_account_unmerge(struct cartel_db *db, const struct cartel_user *u,
		       const char *other_id, json_t *body, const char *from,
		       json_t **out, char **why)
{
	*out = NULL;
	static const char *const keys[] = {"reason", NULL};
	int err = cartel_may(u, CARTEL_DO_MERGE, NULL, why);
	if (err != 0)
		return cartel__account_refused(db, u, CARTEL_DO_MERGE, other_id,
					       from, err);
	const char *reason;
	if ((err = cartel__account_body_keys(body, keys, why)) != 0 ||
	    (err = cartel__account_body_str(body, "reason", &reason, 1,
					    why)) != 0)
		return err;
	/* A merged id reads as the record kept: the rule is applied to
	 * that one. */
	if ((err = may_merge(db, u, other_id, from, why)) != 0)
		return err;
	char *keep = NULL;
	err = cartel_person_unmerge(db, other_id, u->name, reason, &keep, why);
	if (err != 0)
		return err;
	*out = json_pack("{s:s, s:s}", "other", other_id, "keep",
			 keep ? keep : "");
	free(keep);
	return *out ? 0 : cartel__why(why, CARTEL_ENOMEM, "out of memory");
}
