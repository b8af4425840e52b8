/*
 * Who may do what (cartel_may), and the operations of a signed-in user
 * that must check, act and log as one: reading a record, changing it
 * against a version, searching, filing an inquiry. A front end hands over
 * the request as it came (the JSON body, the query's words) and sends
 * back what these return.
 */
#include <stdlib.h>
#include <string.h>

#include <cartel/account.h>
#include <cartel/csv.h>
#include <cartel/error.h>
#include <cartel/inquiry.h>
#include <cartel/json.h>
#include <cartel/match.h>
#include <cartel/register.h>
#include <cartel/round.h>

#include "account/account_int.h"
#include "core/intl.h"
#include "core/why.h"
#include "store/account_rows.h"

static const char *const action_names[CARTEL_DO_N] = {
	[CARTEL_DO_SEARCH] = "search",
	[CARTEL_DO_PERSON_READ] = "person.read",
	[CARTEL_DO_PERSON_CHANGE] = "person.change",
	[CARTEL_DO_INQUIRY_FILE] = "inquiry.file",
	[CARTEL_DO_INQUIRY_READ] = "inquiry.read",
	[CARTEL_DO_CALLBACKS] = "callbacks.read",
	[CARTEL_DO_CALLBACK_DONE] = "callbacks.done",
	[CARTEL_DO_REVIEW_READ] = "review.read",
	[CARTEL_DO_REVIEW_DECIDE] = "review.decide",
	[CARTEL_DO_STATS] = "stats",
	[CARTEL_DO_ACCESS_LOG] = "access_log.read",
	[CARTEL_DO_AUDIT_VERIFY] = "audit.verify",
	[CARTEL_DO_ROUND_READ] = "round.read",
	[CARTEL_DO_HANDOVER_CHECK] = "handover.check",
	[CARTEL_DO_ROUND_PLAN] = "round.plan",
	[CARTEL_DO_ROUND_RECEIVE] = "round.receive",
	[CARTEL_DO_HANDOVER_RECEIVE] = "handover.receive",
	[CARTEL_DO_MERGE] = "person.merge",
	[CARTEL_DO_IMPORT] = "person.import",
	[CARTEL_DO_INQUIRY_CLOSE] = "inquiry.close",
	[CARTEL_DO_PFIF_EXPORT] = "pfif.export",
	[CARTEL_DO_PFIF_PROTECTED] = "pfif.protected",
};

const char *
cartel_action_name(enum cartel_action a)
{
	return (unsigned)a < CARTEL_DO_N ? action_names[a] : "";
}

/* What each role may do at all, before the rules on one person. */
static const unsigned role_may[] = {
	[CARTEL_ROLE_ADMIN] = 1u << CARTEL_DO_STATS |
			      1u << CARTEL_DO_ACCESS_LOG |
			      1u << CARTEL_DO_AUDIT_VERIFY |
			      1u << CARTEL_DO_MERGE |
			      1u << CARTEL_DO_PFIF_EXPORT |
			      1u << CARTEL_DO_PFIF_PROTECTED,
	[CARTEL_ROLE_REGISTRAR] =
		1u << CARTEL_DO_SEARCH | 1u << CARTEL_DO_PERSON_READ |
		1u << CARTEL_DO_PERSON_CHANGE | 1u << CARTEL_DO_INQUIRY_FILE |
		1u << CARTEL_DO_INQUIRY_READ | 1u << CARTEL_DO_REVIEW_READ |
		1u << CARTEL_DO_REVIEW_DECIDE | 1u << CARTEL_DO_STATS |
		1u << CARTEL_DO_ROUND_READ | 1u << CARTEL_DO_HANDOVER_CHECK |
		1u << CARTEL_DO_HANDOVER_RECEIVE | 1u << CARTEL_DO_MERGE |
		1u << CARTEL_DO_IMPORT | 1u << CARTEL_DO_INQUIRY_CLOSE |
		1u << CARTEL_DO_PFIF_EXPORT | 1u << CARTEL_DO_PFIF_PROTECTED,
	[CARTEL_ROLE_MEDIATOR] =
		1u << CARTEL_DO_SEARCH | 1u << CARTEL_DO_PERSON_READ |
		1u << CARTEL_DO_INQUIRY_READ | 1u << CARTEL_DO_REVIEW_READ |
		1u << CARTEL_DO_REVIEW_DECIDE | 1u << CARTEL_DO_STATS |
		1u << CARTEL_DO_AUDIT_VERIFY | 1u << CARTEL_DO_ROUND_READ |
		1u << CARTEL_DO_HANDOVER_CHECK | 1u << CARTEL_DO_ROUND_PLAN |
		1u << CARTEL_DO_ROUND_RECEIVE |
		1u << CARTEL_DO_HANDOVER_RECEIVE |
		1u << CARTEL_DO_INQUIRY_CLOSE | 1u << CARTEL_DO_PFIF_EXPORT |
		1u << CARTEL_DO_PFIF_PROTECTED,
	[CARTEL_ROLE_HOTLINE] =
		1u << CARTEL_DO_SEARCH | 1u << CARTEL_DO_PERSON_READ |
		1u << CARTEL_DO_INQUIRY_FILE | 1u << CARTEL_DO_INQUIRY_READ |
		1u << CARTEL_DO_CALLBACKS | 1u << CARTEL_DO_CALLBACK_DONE |
		1u << CARTEL_DO_REVIEW_READ | 1u << CARTEL_DO_INQUIRY_CLOSE |
		1u << CARTEL_DO_PFIF_EXPORT,
};

static int
same(const char *a, const char *b)
{
	return a != NULL && b != NULL && a[0] != '\0' && strcmp(a, b) == 0;
}

int
cartel_may(const struct cartel_user *u, enum cartel_action a,
	   const struct cartel_person *p, char **why)
{
	if (u == NULL || u->disabled)
		return cartel__why(why, CARTEL_EDENIED, "not signed in");
	if ((unsigned)u->role > CARTEL_ROLE_HOTLINE ||
	    (unsigned)a >= CARTEL_DO_N || !(role_may[u->role] & (1u << a)))
		return u->role == CARTEL_ROLE_ADMIN
			       ? cartel__why(why, CARTEL_EDENIED,
					     "an %s may not do %s",
					     cartel_role_name(u->role),
					     cartel_action_name(a))
			       : cartel__why(why, CARTEL_EDENIED,
					     "a %s may not do %s",
					     cartel_role_name(u->role),
					     cartel_action_name(a));
	if (u->role != CARTEL_ROLE_REGISTRAR || p == NULL)
		return 0;
	/* A registrar works for one party: what it holds, and its own. */
	int holds = same(p->held_by, u->party);
	int own = same(p->depends_on, u->party);
	/* At the exchange point the holding party's registrar says who
	 * crossed, was refused or did not come; the receiving party's says
	 * whom it received. */
	if (a == CARTEL_DO_HANDOVER_CHECK)
		return holds ? 0
			     : cartel__why(why, CARTEL_EDENIED,
					   "a registrar of %s checks off as "
					   "handed over, refused or absent "
					   "only the persons %s holds",
					   u->party, u->party);
	if (a == CARTEL_DO_HANDOVER_RECEIVE)
		return own ? 0
			   : cartel__why(why, CARTEL_EDENIED,
					 "a registrar of %s checks off as "
					 "received only the persons that "
					 "depend on %s",
					 u->party, u->party);
	if (a == CARTEL_DO_PERSON_READ || a == CARTEL_DO_SEARCH)
		return holds || own ? 0
				    : cartel__why(why, CARTEL_EDENIED,
						  "a registrar of %s reads only "
						  "the persons %s holds or that "
						  "depend on it",
						  u->party, u->party);
	if (a == CARTEL_DO_MERGE) {
		int missing_own =
			own && p->status == CARTEL_STATUS_REPORTED_MISSING &&
			(p->held_by == NULL || p->held_by[0] == '\0');
		return holds || missing_own
			       ? 0
			       : cartel__why(why, CARTEL_EDENIED,
					     "a registrar of %s merges only "
					     "the records of persons %s holds, "
					     "and of its own people reported "
					     "missing and held by no one",
					     u->party, u->party);
	}
	if (a == CARTEL_DO_PERSON_CHANGE || a == CARTEL_DO_IMPORT) {
		int missing_own =
			own && p->status == CARTEL_STATUS_REPORTED_MISSING &&
			(p->held_by == NULL || p->held_by[0] == '\0');
		return holds || missing_own
			       ? 0
			       : cartel__why(why, CARTEL_EDENIED,
					     "a registrar of %s changes only "
					     "the records of persons %s holds, "
					     "and of its own people reported "
					     "missing and held by no one",
					     u->party, u->party);
	}
	return 0;
}

/* Logs a refusal made before any person was read; returns err, or the
 * log's own failure. */
static int
refused(struct cartel_db *db, const struct cartel_user *u, const char *action,
	const char *subject, const char *from, int err)
{
	int e = cartel_access_log(db, u, action, subject, 0, from, NULL);
	return e != 0 ? e : err;
}

int
cartel_allow(struct cartel_db *db, const struct cartel_user *u,
	     enum cartel_action a, const char *subject, const char *from,
	     char **why)
{
	char *rule = NULL;
	int denied = cartel_may(u, a, NULL, &rule);
	int err = cartel_access_log(db, u, cartel_action_name(a), subject,
				    denied == 0, from, why);
	if (err == 0 && denied != 0) {
		free(*why);
		*why = rule;
		return denied;
	}
	free(rule);
	return err;
}

/* Logs the decision on one person and returns it. */
static int
decide_on(struct cartel_db *db, const struct cartel_user *u,
	  enum cartel_action a, const struct cartel_person *p,
	  const char *from, char **why)
{
	char *rule = NULL;
	int denied = cartel_may(u, a, p, &rule);
	int err = cartel_access_log(db, u, cartel_action_name(a), p->id,
				    denied == 0, from, why);
	if (err == 0 && denied != 0) {
		free(*why);
		*why = rule;
		return denied;
	}
	free(rule);
	return err;
}

int
cartel_account_person(struct cartel_db *db, const struct cartel_user *u,
		      const char *id, const char *from, json_t **out,
		      char **why)
{
	*out = NULL;
	struct cartel_person p;
	int err = cartel_may(u, CARTEL_DO_PERSON_READ, NULL, why);
	if (err != 0)
		return refused(db, u, "person.read", id, from, err);
	if ((err = cartel_person_get(db, id, &p, why)) != 0)
		return err;
	err = decide_on(db, u, CARTEL_DO_PERSON_READ, &p, from, why);
	cartel_person_clear(&p);
	if (err != 0)
		return err;
	return cartel_person_record_json(db, id, out, why);
}

/* A body's member as a string: CARTEL_EINVAL naming it when it is there
 * and not a string. */
static int
body_str(json_t *body, const char *key, const char **out, int required,
	 char **why)
{
	json_t *v = json_object_get(body, key);
	*out = NULL;
	if (v == NULL || json_is_null(v))
		return required ? cartel__why(why, CARTEL_EINVAL,
					      "\"%s\" is required", key)
				: 0;
	if (!json_is_string(v))
		return cartel__why(why, CARTEL_EINVAL,
				   "\"%s\" must be a string", key);
	*out = json_string_value(v);
	if (strlen(*out) != json_string_length(v))
		return cartel__why(why, CARTEL_EINVAL,
				   "\"%s\" holds a NUL character", key);
	return 0;
}

/* Refuses a body that is not an object or has a key not in keys. */
static int
body_keys(json_t *body, const char *const *keys, char **why)
{
	if (!json_is_object(body))
		return cartel__why(why, CARTEL_EINVAL,
				   "the body must be a JSON object");
	const char *k;
	json_t *v;
	json_object_foreach(body, k, v) {
		int known = 0;
		for (size_t i = 0; keys[i] != NULL && !known; i++)
			known = strcmp(k, keys[i]) == 0;
		if (!known)
			return cartel__why(why, CARTEL_EINVAL,
					   "unknown field \"%.*s\"",
					   cartel__utf8_cut(k, 64), k);
	}
	return 0;
}

int
cartel__account_body_str(json_t *body, const char *key, const char **out,
			 int required, char **why)
{
	return body_str(body, key, out, required, why);
}

int
cartel__account_decide_on(struct cartel_db *db, const struct cartel_user *u,
			  enum cartel_action a, const struct cartel_person *p,
			  const char *from, char **why)
{
	return decide_on(db, u, a, p, from, why);
}

int
cartel__account_refused(struct cartel_db *db, const struct cartel_user *u,
			enum cartel_action a, const char *subject,
			const char *from, int err)
{
	return refused(db, u, cartel_action_name(a), subject, from, err);
}

int
cartel__account_body_keys(json_t *body, const char *const *keys, char **why)
{
	return body_keys(body, keys, why);
}

int
cartel_account_event(struct cartel_db *db, const struct cartel_user *u,
		     const char *id, json_t *body, const char *from,
		     json_t **out, char **why)
{
	*out = NULL;
	static const char *const keys[] = {"type", "value", "source",
					   "version", "ref", "note", NULL};
	int err = cartel_may(u, CARTEL_DO_PERSON_CHANGE, NULL, why);
	if (err != 0)
		return refused(db, u, "person.change", id, from, err);
	const char *type, *value, *source, *ref, *note;
	if ((err = body_keys(body, keys, why)) != 0 ||
	    (err = body_str(body, "type", &type, 1, why)) != 0 ||
	    (err = body_str(body, "value", &value, 1, why)) != 0 ||
	    (err = body_str(body, "source", &source, 0, why)) != 0 ||
	    (err = body_str(body, "ref", &ref, 0, why)) != 0 ||
	    (err = body_str(body, "note", &note, 0, why)) != 0)
		return err;
	json_t *jv = json_object_get(body, "version");
	long long expect = -1;
	if (jv != NULL && !json_is_null(jv)) {
		if (!json_is_integer(jv) || json_integer_value(jv) < 0)
			return cartel__why(why, CARTEL_EINVAL,
					   "\"version\" must be a whole "
					   "number");
		expect = json_integer_value(jv);
	}
	/* The source a registrar records by default: his bureau's list. */
	int src = CARTEL_SRC_OFFICIAL_LIST;
	if (source != NULL &&
	    (err = cartel_enum_parse(CARTEL_ENUM_SOURCE, source, &src, why)) !=
		    0)
		return err;
	struct cartel_person p;
	if ((err = cartel_db_begin(db, why)) != 0)
		return err;
	err = cartel_person_get(db, id, &p, why);
	if (err != 0) {
		cartel_db_rollback(db);
		return err;
	}
	err = decide_on(db, u, CARTEL_DO_PERSON_CHANGE, &p, from, why);
	if (err == CARTEL_EDENIED) {
		/* The refusal is logged even though nothing else is written. */
		char *w = NULL;
		int e = cartel_db_commit(db, &w);
		free(w);
		cartel_person_clear(&p);
		return e ? e : err;
	}
	long long version = 0, seq = 0;
	if (err == 0)
		err = cartel__person_version(db, p.id, &version, why);
	if (err == 0 && expect >= 0 && expect != version) {
		/* Nothing is written but the refusal, as a decision. */
		cartel_db_rollback(db);
		err = cartel_access_log(db, u, "person.change", p.id, 0, from,
					why);
		if (err == 0)
			err = cartel_person_record_json(db, id, out, why);
		cartel_person_clear(&p);
		if (err != 0)
			return err;
		return cartel__why(why, CARTEL_ECONFLICT,
				   "the record changed since version %lld: it "
				   "is at version %lld now",
				   expect, version);
	}
	struct cartel_event ev = {
		.person_id = p.id,
		.field = type,
		.new_value = value,
		.prov = {.actor = u->name,
			 .source = (enum cartel_source)src,
			 .source_ref = ref,
			 .note = note},
	};
	if (err == 0)
		err = cartel_event_record(db, &ev, &seq, why);
	/* The answer is made before the commit: a failure reported is an
	 * event not recorded. */
	if (err == 0 && (*out = json_pack("{s:I, s:s, s:I}", "seq",
					  (json_int_t)seq, "person_id", p.id,
					  "version", (json_int_t)seq)) == NULL)
		err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	if (err == 0)
		err = cartel_db_commit(db, why);
	if (err != 0) {
		cartel_db_rollback(db);
		json_decref(*out);
		*out = NULL;
	}
	cartel_person_clear(&p);
	return err;
}

#define SEARCH_TEXT_MAX 1000
#define SEARCH_MAX_HITS 1000

int
cartel_account_search(struct cartel_db *db, const struct cartel_user *u,
		      const char *q, const char *born, long long offset,
		      long long limit, const char *from, json_t **out,
		      char **why)
{
	*out = NULL;
	int err = cartel_may(u, CARTEL_DO_SEARCH, NULL, why);
	if (err != 0)
		return refused(db, u, "search", NULL, from, err);
	size_t len = q ? strlen(q) : 0;
	if (len == 0)
		return cartel__why(why, CARTEL_EINVAL, "q: a name is needed");
	if (len > SEARCH_TEXT_MAX)
		return cartel__why(why, CARTEL_EINVAL,
				   "q: at most %d bytes", SEARCH_TEXT_MAX);
	if (offset < 0 || limit < 1 || offset + limit > SEARCH_MAX_HITS)
		return cartel__why(why, CARTEL_EINVAL,
				   "offset and limit: the first %d hits at "
				   "most",
				   SEARCH_MAX_HITS);
	struct cartel_query pq;
	memset(&pq, 0, sizeof pq);
	if ((err = cartel_query_parse(q, len, born, NULL, &pq, why)) != 0)
		return err;
	struct cartel_search_opts so;
	cartel_search_opts_init(&so);
	struct cartel_search_info info;
	struct cartel_search_hit *h = NULL;
	size_t nh = 0, reading = 0;
	/* A registrar sees only some hits: ask for more, to fill a page. */
	size_t want = (size_t)(offset + limit);
	if (u->role == CARTEL_ROLE_REGISTRAR)
		want = SEARCH_MAX_HITS;
	err = cartel_search_text(db, &pq, want, 0, &so, &h, &nh, &reading,
				 &info, why);
	cartel_search_info_clear(&info);
	char read_as[512];
	if (err == 0)
		cartel_query_reading_text(&pq, reading, read_as,
					  sizeof read_as);
	cartel_query_clear(&pq);
	if (err != 0)
		return err;
	json_t *items = json_array();
	long long total = 0;
	/* Batched, the lines are queued; else they share one transaction. */
	int own = !cartel__access_batched(db);
	if (!own || (err = cartel_db_begin(db, why)) == 0)
		err = cartel_access_log(db, u, "search", NULL, 1, from, why);
	for (size_t i = 0; err == 0 && i < nh; i++) {
		if (cartel_may(u, CARTEL_DO_PERSON_READ, &h[i].person, NULL))
			continue;
		total++;
		if (total <= offset || total > offset + limit)
			continue;
		json_array_append_new(items,
				      cartel_search_hit_json(&h[i], read_as));
		err = cartel_access_log(db, u, "person.read", h[i].person.id,
					1, from, why);
	}
	if (err == 0 && own)
		err = cartel_db_commit(db, why);
	else if (own)
		cartel_db_rollback(db);
	cartel_search_hits_free(h, nh);
	if (err == 0)
		*out = json_pack("{s:o, s:I, s:I, s:I, s:s}", "items", items,
				 "total", (json_int_t)total, "offset",
				 (json_int_t)offset, "limit",
				 (json_int_t)limit, "read_as", read_as);
	else
		json_decref(items);
	if (err == 0 && *out == NULL)
		err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	return err;
}

int
cartel_account_inquiry(struct cartel_db *db, const struct cartel_user *u,
		       json_t *body, const char *from, json_t **out,
		       char **why)
{
	*out = NULL;
	static const char *const person_keys[] = {
		"family_name", "given_name", "patronymic", "birth_date",
		"birth_place", "service_number", "unit", NULL};
	static const char *const keys[] = {
		"family_name", "given_name", "patronymic", "birth_date",
		"birth_place", "service_number", "unit", "requester",
		"relation", "contact", "typed", "last_seen_place",
		"last_seen_on", NULL};
	int err = cartel_may(u, CARTEL_DO_INQUIRY_FILE, NULL, why);
	if (err != 0)
		return refused(db, u, "inquiry.file", NULL, from, err);
	if ((err = body_keys(body, keys, why)) != 0)
		return err;
	struct cartel_person p;
	memset(&p, 0, sizeof p);
	for (size_t i = 0; err == 0 && person_keys[i] != NULL; i++) {
		const char *v;
		err = body_str(body, person_keys[i], &v, 0, why);
		if (err == 0 && v != NULL && v[0] != '\0') {
			if (strlen(v) > 1024)
				err = cartel__why(why, CARTEL_EINVAL,
						  "\"%s\" is longer than 1024 "
						  "bytes",
						  person_keys[i]);
			else
				err = cartel_person_set_field(
					&p, cartel_field_find(person_keys[i]),
					v, why);
		}
	}
	struct cartel_inquiry_request req;
	memset(&req, 0, sizeof req);
	req.sought = &p;
	const char *last_on = NULL;
	if (err == 0)
		err = body_str(body, "requester", &req.requester, 0, why);
	if (err == 0)
		err = body_str(body, "relation", &req.relation, 0, why);
	if (err == 0)
		err = body_str(body, "contact", &req.contact, 0, why);
	if (err == 0)
		err = body_str(body, "typed", &req.typed, 0, why);
	if (err == 0)
		err = body_str(body, "last_seen_place", &req.last_seen_place,
			       0, why);
	if (err == 0)
		err = body_str(body, "last_seen_on", &last_on, 0, why);
	if (err == 0 && last_on != NULL &&
	    (err = cartel_date_parse(last_on, &req.last_seen_on, why)) != 0)
		err = cartel__why(why, CARTEL_EINVAL,
				  "\"last_seen_on\" is not a date");
	const char *texts[] = {req.requester, req.relation, req.contact,
			       req.typed, req.last_seen_place};
	for (size_t i = 0; err == 0 && i < 5; i++)
		if (texts[i] != NULL &&
		    (strlen(texts[i]) > 1024 ||
		     !cartel_utf8_valid(texts[i], strlen(texts[i]))))
			err = cartel__why(why, CARTEL_EINVAL,
					  "the asker's details are at most "
					  "1024 bytes of text");
	if (err == 0 && p.family_name == NULL && p.given_name == NULL &&
	    p.patronymic == NULL)
		err = cartel__why(why, CARTEL_EINVAL,
				  "an inquiry needs a name of the person "
				  "sought");
	char *id = NULL;
	size_t n_found = 0;
	struct cartel_match_opts mo;
	cartel_match_opts_init(&mo);
	mo.n_threads = 1;
	if (err == 0)
		err = cartel_inquiry_record(db, &req, u->name, &mo, &id,
					    &n_found, why);
	cartel_person_clear(&p);
	if (err != 0 && id == NULL)
		return err;
	/* Recorded even when matching failed: the family gets its code, and
	 * whoever filed it is told that it was not compared (the library's
	 * reason, which names no one), never "no candidates". */
	char *unmatched = NULL;
	if (err != 0) {
		unmatched = cartel__asprintf(
			_("The inquiry is recorded, but it could not be "
			  "compared with the register just now (%s). It is "
			  "compared again when the matching is run: "
			  "\"cartel inquiry match\" at the command line."),
			why != NULL && *why != NULL ? *why
						   : cartel_strerror(err));
		free(*why);
		*why = NULL;
		err = 0;
	}
	char code[CARTEL_CASE_CODE_SIZE];
	int e = cartel_db_begin(db, why);
	if (e == 0)
		e = cartel_case_code_new(db, id, code, why);
	if (e == 0)
		e = cartel_access_log(db, u, "inquiry.file", id, 1, from, why);
	if (e == 0)
		e = cartel_db_commit(db, why);
	if (e != 0) {
		cartel_db_rollback(db);
		free(id);
		free(unmatched);
		return e;
	}
	*out = json_pack("{s:s, s:s, s:I, s:b, s:s*}", "id", id, "case_code",
			 code, "candidates", (json_int_t)n_found, "matched",
			 unmatched == NULL, "match_problem", unmatched);
	free(id);
	free(unmatched);
	return *out ? 0 : cartel__why(why, CARTEL_ENOMEM, "out of memory");
}

int
cartel_account_checkoff(struct cartel_db *db, const struct cartel_user *u,
			const char *round_id, const char *person_id,
			json_t *body, const char *from, json_t **out,
			char **why)
{
	*out = NULL;
	static const char *const keys[] = {"outcome", "where", NULL};
	int err = cartel_may(u, CARTEL_DO_HANDOVER_CHECK, NULL, why);
	if (err != 0)
		return refused(db, u, "handover.check", person_id, from, err);
	const char *outcome, *where;
	if ((err = body_keys(body, keys, why)) != 0 ||
	    (err = body_str(body, "outcome", &outcome, 1, why)) != 0 ||
	    (err = body_str(body, "where", &where, 0, why)) != 0)
		return err;
	enum cartel_handover_outcome o;
	if ((err = cartel_handover_outcome_parse(outcome, &o, why)) != 0)
		return err;
	enum cartel_action a = o == CARTEL_HANDOVER_RECEIVED
				       ? CARTEL_DO_HANDOVER_RECEIVE
				       : CARTEL_DO_HANDOVER_CHECK;
	if ((err = cartel_may(u, a, NULL, why)) != 0)
		return refused(db, u, cartel_action_name(a), person_id, from,
			       err);
	struct cartel_person p;
	if ((err = cartel_person_get(db, person_id, &p, why)) != 0)
		return err;
	err = decide_on(db, u, a, &p, from, why);
	cartel_person_clear(&p);
	if (err != 0)
		return err;
	struct cartel_checkoff c = {.round_id = round_id,
				    .person_id = person_id,
				    .outcome = o,
				    .by = u->name,
				    .where = where};
	int already = 0;
	if ((err = cartel_handover_check(db, &c, &already, why)) != 0)
		return err;
	*out = json_pack("{s:s, s:s, s:s, s:b}", "round_id", round_id,
			 "person_id", person_id, "outcome",
			 cartel_handover_outcome_name(o), "already", already);
	return *out ? 0 : cartel__why(why, CARTEL_ENOMEM, "out of memory");
}

int
cartel_account_person_add(struct cartel_db *db, const struct cartel_user *u,
			  json_t *body, const char *from, json_t **out,
			  char **why)
{
	*out = NULL;
	int err = cartel_may(u, CARTEL_DO_PERSON_CHANGE, NULL, why);
	if (err != 0)
		return refused(db, u, "person.add", NULL, from, err);
	if (!json_is_object(body))
		return cartel__why(why, CARTEL_EINVAL,
				   "the body must be a JSON object");
	struct cartel_person p;
	memset(&p, 0, sizeof p);
	int status_given = 0, src = CARTEL_SRC_OFFICIAL_LIST;
	const char *k;
	json_t *v;
	json_object_foreach(body, k, v) {
		const struct cartel_field *f = cartel_field_find(k);
		if (f == NULL || strcmp(f->name, "id") == 0) {
			err = cartel__why(why, CARTEL_EINVAL,
					  "unknown field \"%.*s\"",
					  cartel__utf8_cut(k, 64), k);
			break;
		}
		const char *text;
		if ((err = body_str(body, k, &text, 1, why)) != 0)
			break;
		if (strlen(text) > 1024) {
			err = cartel__why(why, CARTEL_EINVAL,
					  "\"%s\" is longer than 1024 bytes",
					  f->name);
			break;
		}
		if (strcmp(f->name, "source") == 0) {
			err = cartel_enum_parse(CARTEL_ENUM_SOURCE, text, &src,
						why);
		} else {
			err = cartel_person_set_field(&p, f, text, why);
			status_given |= strcmp(f->name, "status") == 0;
		}
		if (err != 0)
			break;
	}
	if (err == 0 && !status_given && p.held_by != NULL)
		p.status = CARTEL_STATUS_CONFIRMED_CAPTIVE;
	if (err == 0) {
		char *rule = NULL;
		int denied = cartel_may(u, CARTEL_DO_PERSON_CHANGE, &p, &rule);
		err = cartel_access_log(db, u, "person.add", NULL, denied == 0,
					from, why);
		if (err == 0 && denied != 0) {
			free(*why);
			*why = rule;
			rule = NULL;
			err = denied;
		}
		free(rule);
	}
	char *id = NULL;
	struct cartel_provenance prov = {.actor = u->name,
					 .source = (enum cartel_source)src};
	/* The person, his version and the access line in one transaction,
	 * the answer made before it commits: a failure reported is a
	 * person not added, so a client that tries again adds him once. */
	int begun = 0;
	if (err == 0 && (err = cartel_db_begin(db, why)) == 0)
		begun = 1;
	if (err == 0)
		err = cartel_person_add(db, &p, &prov, &id, why);
	cartel_person_clear(&p);
	long long version = 0;
	if (err == 0)
		err = cartel__person_version(db, id, &version, why);
	if (err == 0)
		err = cartel_access_log(db, u, "person.add", id, 1, from, why);
	if (err == 0 &&
	    (*out = json_pack("{s:s, s:I}", "id", id, "version",
			      (json_int_t)version)) == NULL)
		err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	if (err == 0)
		err = cartel_db_commit(db, why);
	if (err != 0) {
		if (begun)
			cartel_db_rollback(db);
		json_decref(*out);
		*out = NULL;
	}
	free(id);
	return err;
}

int
cartel_account_inquiry_close(struct cartel_db *db, const struct cartel_user *u,
			     const char *id, json_t *body, const char *from,
			     json_t **out, char **why)
{
	*out = NULL;
	static const char *const keys[] = {"reason", NULL};
	int err = cartel_allow(db, u, CARTEL_DO_INQUIRY_CLOSE, id, from, why);
	if (err != 0)
		return err;
	const char *reason;
	if ((err = body_keys(body, keys, why)) != 0 ||
	    (err = body_str(body, "reason", &reason, 1, why)) != 0)
		return err;
	if ((err = cartel_inquiry_close(db, id, reason, u->name, why)) != 0)
		return err;
	struct cartel_inquiry q;
	memset(&q, 0, sizeof q);
	if ((err = cartel_inquiry_get(db, id, &q, why)) != 0)
		return err;
	*out = cartel_inquiry_json(&q);
	cartel_inquiry_clear(&q);
	return *out ? 0 : cartel__why(why, CARTEL_ENOMEM, "out of memory");
}
