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

/* The position of id in p[0..n), or n. */
static size_t
find(const struct cartel_person *p, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(p[i].id, id) == 0)
			return i;
	return n;
}

/* The pairs u may merge out of the engine's answer, paged, each with its
 * two records; every record shown logged as a read. */
static int
pairs_for(struct cartel_db *db, const struct cartel_user *u,
	  const struct cartel_person *p, size_t n, json_t *all,
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
		size_t a = find(p, n, json_string_value(
					      json_object_get(pr, "a")));
		size_t b = find(p, n, json_string_value(
					      json_object_get(pr, "b")));
		if (a == n || b == n ||
		    cartel_may(u, CARTEL_DO_MERGE, &p[a], NULL) != 0 ||
		    cartel_may(u, CARTEL_DO_MERGE, &p[b], NULL) != 0)
			continue;
		total++;
		if (total <= offset || total > offset + limit)
			continue;
		json_t *rec = json_pack("{s:o, s:o}", "a", person_obj(&p[a]),
					"b", person_obj(&p[b]));
		if (rec == NULL || json_object_set_new(pr, "records", rec) ||
		    json_array_append(items, pr)) {
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
			break;
		}
		err = cartel_access_log(db, u, "person.read", p[a].id, 1, from,
					why);
		if (err == 0)
			err = cartel_access_log(db, u, "person.read", p[b].id,
						1, from, why);
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
	struct cartel_person *p = NULL;
	size_t n = 0;
	/* The records merged into another are left out: what remains to
	 * merge, as `cartel dedupe --register` reads it. */
	if ((err = cartel_db_persons(db, &p, &n, why)) != 0)
		return err;
	size_t *cluster = malloc((n ? n : 1) * sizeof *cluster);
	struct cartel_match_opts opts;
	cartel_match_opts_init(&opts);
	struct cartel_match_dup *d = NULL;
	size_t n_d = 0;
	if (cluster == NULL)
		err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	if (err == 0)
		err = cartel_match_dedupe_pairs(p, n, &opts, cluster, &d,
						&n_d, NULL, why);
	json_t *all = NULL;
	if (err == 0) {
		char *text = cartel_match_dups_json(p, n, cluster, d, n_d);
		all = text ? json_loads(text, 0, NULL) : NULL;
		free(text);
		if (all == NULL)
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	}
	if (err == 0)
		err = pairs_for(db, u, p, n, all, offset, limit, from, out,
				why);
	json_decref(all);
	cartel_match_dups_free(d, n_d);
	free(cluster);
	cartel_persons_free(p, n);
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
