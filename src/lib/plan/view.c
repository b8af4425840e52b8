/*
 * A plan for those who act on it outside the command line: its record in
 * the audit chain, and the view a mediator reads in the web app (the plan
 * document with the balance and every exclusion's reason in words). The
 * command line and the server both use these, so the audit entry and the
 * words are the same wherever a round is planned.
 *
 * jansson ownership: cartel_plan_view hands its caller the one reference
 * to the root; everything below it is owned by its parent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <cartel/error.h>
#include <cartel/plan.h>
#include <cartel/store.h>

#include "core/why.h"

int
cartel_plan_audit(struct cartel_db *db, const char *actor, const char *action,
		  const char *subject, const struct cartel_policy *pol,
		  const struct cartel_plan *plan, char **why)
{
	const char *A = cartel_plan_party(plan, 0);
	const char *B = cartel_plan_party(plan, 1);
	size_t na = 0, nb = 0;
	cartel_plan_gives(plan, A, &na);
	cartel_plan_gives(plan, B, &nb);
	char detail[512];
	snprintf(detail, sizeof detail,
		 "policy sha256:%s; plan sha256:%s; %s gives %zu (value %ld), "
		 "%s gives %zu (value %ld); %s",
		 cartel_policy_digest(pol), cartel_plan_digest(plan), A, na,
		 cartel_plan_value(plan, A), B, nb, cartel_plan_value(plan, B),
		 cartel_plan_optimal(plan, NULL) ? "proven optimal"
						 : "not proven optimal");
	return cartel_audit_append(db, actor, action,
				   subject != NULL ? subject
						   : cartel_plan_digest(plan),
				   detail, why);
}

/* The name of a person as a list shows it: family, given, patronymic. */
static json_t *
name_of(const struct cartel_person *p)
{
	char buf[768];
	snprintf(buf, sizeof buf, "%s%s%s%s%s",
		 p->family_name ? p->family_name : "",
		 p->given_name ? " " : "", p->given_name ? p->given_name : "",
		 p->patronymic ? " " : "", p->patronymic ? p->patronymic : "");
	return json_string(buf[0] == ' ' ? buf + 1 : buf);
}

static int
exclusions(const struct cartel_plan *plan, json_t *list, int withheld,
	   json_t *into, json_t *ids)
{
	size_t i;
	json_t *e;
	json_array_foreach(list, i, e) {
		const char *id = json_string_value(json_object_get(e, "id"));
		if (id == NULL)
			continue;
		struct cartel_plan_place pc;
		if (cartel_plan_place(plan, id, &pc) != 0)
			return -1;
		json_t *code = json_object_get(e, "code");
		json_t *reason = json_object_get(e, "reason");
		json_t *o = json_pack(
			"{s:s, s:s?, s:O?, s:b, s:O?, s:s}", "id", id, "party",
			pc.party, "code", code, "withheld", withheld, "reason",
			reason, "words", pc.words);
		if (o == NULL || json_array_append_new(into, o) != 0 ||
		    json_object_set_new(ids, id, json_true()) != 0)
			return -1;
	}
	return 0;
}

int
cartel_plan_view(const struct cartel_plan *plan,
		 const struct cartel_person *persons, size_t n, json_t **out,
		 char **why)
{
	*out = NULL;
	char *text = NULL;
	int err = cartel_plan_json(plan, 0, &text, why);
	if (err != 0)
		return err;
	json_t *doc = json_loads(text, 0, NULL);
	free(text);
	json_t *sides = json_array(), *ex = json_array(), *ids = json_object();
	json_t *names = json_object();
	int bad = doc == NULL || sides == NULL || ex == NULL || ids == NULL ||
		  names == NULL;
	for (int k = 0; !bad && k < 2; k++) {
		const char *party = cartel_plan_party(plan, k);
		size_t count = 0;
		const char *const *gives = cartel_plan_gives(plan, party, &count);
		bad = json_array_append_new(
			      sides, json_pack("{s:s, s:I, s:I}", "party",
					       party, "gives",
					       (json_int_t)count, "value",
					       (json_int_t)cartel_plan_value(
						       plan, party))) != 0;
		for (size_t i = 0; !bad && i < count; i++)
			bad = json_object_set_new(ids, gives[i], json_true()) != 0;
	}
	if (!bad)
		bad = exclusions(plan, json_object_get(doc, "withheld"), 1, ex,
				 ids) != 0 ||
		      exclusions(plan, json_object_get(doc, "excluded"), 0, ex,
				 ids) != 0;
	json_t *direct = json_object_get(doc, "direct_repatriation");
	const char *party;
	json_t *list;
	json_object_foreach(direct, party, list) {
		size_t i;
		json_t *id;
		json_array_foreach(list, i, id) {
			if (json_is_string(id))
				json_object_set_new(ids, json_string_value(id),
						    json_true());
		}
	}
	for (size_t i = 0; !bad && i < n; i++)
		if (persons[i].id != NULL &&
		    json_object_get(ids, persons[i].id) != NULL)
			bad = json_object_set_new(names, persons[i].id,
						  name_of(&persons[i])) != 0;
	json_decref(ids);
	if (!bad) {
		json_t *opt = json_object_get(doc, "optimal");
		*out = json_pack("{s:O, s:{s:O?, s:O?, s:o}, s:o, s:o}", "plan",
				 doc, "balance", "ratio",
				 json_object_get(doc, "ratio"), "optimal", opt,
				 "sides", sides, "exclusions", ex, "names",
				 names);
		sides = ex = names = NULL;
		bad = *out == NULL;
	}
	json_decref(doc);
	json_decref(sides);
	json_decref(ex);
	json_decref(names);
	return bad ? cartel__why(why, CARTEL_ENOMEM, "out of memory") : 0;
}
