/*
 * Rounds as the server offers them (docs/api.md): a mediator plans a round
 * from a stored or a sent policy, stores the list documents he received,
 * and reads each one verified again (signatures against the pinned keys,
 * the rules of docs/rounds.md against the register) and two of them
 * compared. The rules on who may do what are cartel_may's; the plan, the
 * verification and the comparison are the plan and round modules', the
 * same that `cartel plan`, `cartel round verify` and `cartel round diff`
 * use, and recorded in the audit chain the same way. No signing key is
 * ever read here: documents come in signed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cartel/account.h>
#include <cartel/csv.h>
#include <cartel/error.h>
#include <cartel/json.h>
#include <cartel/plan.h>
#include <cartel/round.h>

#include "account/account_int.h"
#include "core/why.h"
#include "store/account_rows.h"

#define POLICY_NAME_MAX 128
#define POLICY_YAML_MAX (48u << 10)

/* Loads the policy the body names or sends. */
static int
body_policy(struct cartel_db *db, json_t *body, struct cartel_policy **pol,
	    const char **name, char **why)
{
	static const char *const keys[] = {"policy", "policy_yaml", NULL};
	const char *stored, *yaml;
	int err;
	*pol = NULL;
	if ((err = cartel__account_body_keys(body, keys, why)) != 0 ||
	    (err = cartel__account_body_str(body, "policy", &stored, 0,
					     why)) != 0 ||
	    (err = cartel__account_body_str(body, "policy_yaml", &yaml, 0,
					     why)) != 0)
		return err;
	if ((stored == NULL) == (yaml == NULL))
		return cartel__why(why, CARTEL_EINVAL,
				   "send either \"policy\" (the name of a "
				   "stored policy) or \"policy_yaml\" (a "
				   "policy's text)");
	if (yaml != NULL) {
		*name = "the policy sent";
		return cartel_policy_parse(pol, yaml, strlen(yaml), *name, why);
	}
	struct cartel__policy_row row;
	if ((err = cartel__policy_get(db, stored, &row, why)) == 0)
		err = cartel_policy_parse(pol, row.yaml, strlen(row.yaml),
					  stored, why);
	*name = stored;
	free(row.name);
	free(row.digest);
	free(row.yaml);
	free(row.added_at);
	free(row.added_by);
	return err;
}

int
cartel_account_plan(struct cartel_db *db, const struct cartel_user *u,
		    json_t *body, const char *from, json_t **out, char **why)
{
	*out = NULL;
	int err = cartel_allow(db, u, CARTEL_DO_ROUND_PLAN, NULL, from, why);
	if (err != 0)
		return err;
	struct cartel_policy *pol = NULL;
	const char *name = NULL;
	if ((err = body_policy(db, body, &pol, &name, why)) != 0)
		return err;
	struct cartel_person *persons = NULL;
	size_t n = 0;
	struct cartel_plan *plan = NULL;
	if ((err = cartel_policy_check_parties(pol, db, why)) == 0 &&
	    (err = cartel_round_plan_persons(db, &persons, &n, why)) == 0) {
		struct cartel_plan_opts opts = {{0, 0, 0}, 0};
		err = cartel_plan_make(&plan, pol, persons, n, &opts, why);
	}
	if (err == 0)
		err = cartel_plan_audit(db, u->name, "plan", NULL, pol, plan,
					why);
	if (err == 0)
		err = cartel_plan_view(plan, persons, n, out, why);
	if (err == 0 &&
	    json_object_set_new(*out, "policy",
				json_pack("{s:s, s:s}", "name", name, "digest",
					  cartel_policy_digest(pol))) != 0)
		err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	if (err != 0) {
		json_decref(*out);
		*out = NULL;
	}
	cartel_plan_free(plan);
	cartel_persons_free(persons, n);
	cartel_policy_free(pol);
	return err;
}

int
cartel_account_policy_add(struct cartel_db *db, const struct cartel_user *u,
			  json_t *body, const char *from, json_t **out,
			  char **why)
{
	*out = NULL;
	static const char *const keys[] = {"name", "yaml", NULL};
	int err = cartel_allow(db, u, CARTEL_DO_ROUND_RECEIVE, NULL, from, why);
	if (err != 0)
		return err;
	const char *name, *yaml;
	if ((err = cartel__account_body_keys(body, keys, why)) != 0 ||
	    (err = cartel__account_body_str(body, "name", &name, 1, why)) !=
		    0 ||
	    (err = cartel__account_body_str(body, "yaml", &yaml, 1, why)) != 0)
		return err;
	size_t len = strlen(name);
	if (len == 0 || len > POLICY_NAME_MAX ||
	    !cartel_utf8_valid(name, len))
		return cartel__why(why, CARTEL_EINVAL,
				   "\"name\" is 1 to %d bytes of text",
				   POLICY_NAME_MAX);
	if (strlen(yaml) > POLICY_YAML_MAX)
		return cartel__why(why, CARTEL_EINVAL,
				   "\"yaml\" is at most %u bytes",
				   POLICY_YAML_MAX);
	struct cartel_policy *pol = NULL;
	if ((err = cartel_policy_parse(&pol, yaml, strlen(yaml), name,
				       why)) != 0)
		return err;
	char at[64];
	struct cartel__policy_row row = {
		.name = (char *)name,
		.digest = (char *)cartel_policy_digest(pol),
		.yaml = (char *)yaml,
		.added_at = (char *)cartel__account_now(at, sizeof at),
		.added_by = u->name,
	};
	char detail[128];
	snprintf(detail, sizeof detail, "policy sha256:%s", row.digest);
	/* The answer is made before the commit: once the policy is stored,
	 * the call must not report a failure that did not happen. */
	if ((*out = json_pack("{s:s, s:s}", "name", name, "digest",
			      row.digest)) == NULL)
		err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	if (err == 0 && (err = cartel_db_begin(db, why)) == 0) {
		err = cartel__policy_insert(db, &row, why);
		if (err == 0)
			err = cartel_audit_append(db, u->name, "policy.add",
						  name, detail, why);
		if (err == 0)
			err = cartel_db_commit(db, why);
		else
			cartel_db_rollback(db);
	}
	if (err != 0) {
		json_decref(*out);
		*out = NULL;
	}
	cartel_policy_free(pol);
	return err;
}

/* A {"items", "total", "offset", "limit"} page; steals items. */
static int
page_of(json_t *items, long long total, long long offset, long long limit,
	json_t **out, char **why)
{
	*out = json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total",
			 (json_int_t)total, "offset", (json_int_t)offset,
			 "limit", (json_int_t)limit);
	return *out ? 0 : cartel__why(why, CARTEL_ENOMEM, "out of memory");
}

int
cartel_account_policies(struct cartel_db *db, const struct cartel_user *u,
			long long offset, long long limit, const char *from,
			json_t **out, char **why)
{
	*out = NULL;
	int err = cartel_allow(db, u, CARTEL_DO_ROUND_PLAN, NULL, from, why);
	if (err != 0)
		return err;
	struct cartel__policy_row *v = NULL;
	size_t n = 0;
	if ((err = cartel__policy_list(db, &v, &n, why)) != 0)
		return err;
	json_t *items = json_array();
	for (size_t i = (size_t)offset; items != NULL && i < n &&
					i < (size_t)(offset + limit);
	     i++)
		json_array_append_new(
			items, json_pack("{s:s, s:s, s:s, s:s}", "name",
					 v[i].name, "digest", v[i].digest,
					 "added_at", v[i].added_at, "added_by",
					 v[i].added_by));
	cartel__policy_rows_free(v, n);
	return page_of(items, (long long)n, offset, limit, out, why);
}

/* "UA,RU" as ["UA", "RU"]. */
static json_t *
codes(const char *list)
{
	json_t *a = json_array();
	const char *p = list ? list : "";
	while (a != NULL && *p != '\0') {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l > 0)
			json_array_append_new(a, json_stringn(p, l));
		p += l + (e != NULL);
	}
	return a;
}

static json_t *
received_json(const struct cartel__received_row *r)
{
	return json_pack("{s:I, s:s, s:i, s:s, s:s, s:o, s:o, s:s, s:s}",
			 "seq", (json_int_t)r->seq, "round_id", r->round_id,
			 "version", r->version, "kind", r->kind, "digest",
			 r->digest, "parties", codes(r->parties), "signed_by",
			 codes(r->signed_by), "received_at", r->received_at,
			 "received_by", r->received_by);
}

int
cartel_account_document_add(struct cartel_db *db,
			    const struct cartel_user *u, json_t *body,
			    const char *from, json_t **out, char **why)
{
	*out = NULL;
	static const char *const keys[] = {"document", NULL};
	int err = cartel_allow(db, u, CARTEL_DO_ROUND_RECEIVE, NULL, from, why);
	if (err != 0)
		return err;
	if ((err = cartel__account_body_keys(body, keys, why)) != 0)
		return err;
	json_t *jd = json_object_get(body, "document");
	char *text = NULL;
	if (json_is_string(jd))
		text = strdup(json_string_value(jd));
	else if (json_is_object(jd))
		text = json_dumps(jd, JSON_COMPACT);
	else
		return cartel__why(why, CARTEL_EINVAL,
				   "\"document\" is required: the list "
				   "document, as a JSON object or its text");
	if (text == NULL)
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	struct cartel_round *r = NULL;
	err = cartel_round_parse(&r, text, strlen(text), "the document", why);
	free(text);
	if (err != 0)
		return err;
	char *canon = NULL;
	size_t canon_len = 0;
	struct cartel_round_check chk;
	memset(&chk, 0, sizeof chk);
	char *vwhy = NULL;
	if ((err = cartel_round_canonical(r, &canon, &canon_len, why)) == 0) {
		int v = cartel_round_verify(db, r, &chk, &vwhy);
		if (v != 0 && v != CARTEL_ETAMPER)
			err = cartel__why(why, v, "%s",
					  vwhy ? vwhy : cartel_strerror(v));
	}
	free(vwhy);
	char parties[2 * CARTEL_PARTY_MAX + 2], signed_by[2 * CARTEL_PARTY_MAX + 2];
	snprintf(parties, sizeof parties, "%s,%s", cartel_round_party(r, 0),
		 cartel_round_party(r, 1));
	snprintf(signed_by, sizeof signed_by, "%s%s%s",
		 chk.sig[0].present ? chk.sig[0].party : "",
		 chk.sig[0].present && chk.sig[1].present ? "," : "",
		 chk.sig[1].present ? chk.sig[1].party : "");
	char at[64];
	struct cartel__received_row row = {
		.version = cartel_round_version(r),
		.round_id = (char *)cartel_round_id(r),
		.kind = (char *)cartel_round_kind_name(cartel_round_kind(r)),
		.digest = (char *)cartel_round_digest(r),
		.parties = parties,
		.signed_by = signed_by,
		.document = canon,
		.received_at = (char *)cartel__account_now(at, sizeof at),
		.received_by = u->name,
	};
	long long seq = 0;
	int already = 0;
	if (err == 0 && (err = cartel_db_begin(db, why)) == 0) {
		err = cartel__received_insert(db, &row, &seq, &already, why);
		char detail[64];
		snprintf(detail, sizeof detail, "received as document %lld%s",
			 seq, already ? " (again)" : "");
		if (err == 0)
			err = cartel_round_audit(db, u->name, "round.receive", r,
						 detail, why);
		/* The answer is made before the commit: a document stored
		 * is never reported as a failure. */
		if (err == 0 &&
		    (*out = json_pack("{s:I, s:s, s:i, s:s, s:s, s:b}", "seq",
				      (json_int_t)seq, "round_id",
				      row.round_id, "version", row.version,
				      "kind", row.kind, "digest", row.digest,
				      "already", already)) == NULL)
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
		if (err == 0)
			err = cartel_db_commit(db, why);
		else
			cartel_db_rollback(db);
		if (err != 0) {
			json_decref(*out);
			*out = NULL;
		}
	}
	cartel_round_check_clear(&chk);
	free(canon);
	cartel_round_free(r);
	return err;
}

/* A registrar reads the documents of rounds his party is in. */
static const char *
party_filter(const struct cartel_user *u)
{
	return u->role == CARTEL_ROLE_REGISTRAR ? (u->party ? u->party : "")
						: NULL;
}

int
cartel_account_documents(struct cartel_db *db, const struct cartel_user *u,
			 const char *round_id, long long offset,
			 long long limit, const char *from, json_t **out,
			 char **why)
{
	*out = NULL;
	int err = cartel_allow(db, u, CARTEL_DO_ROUND_READ, round_id, from,
			       why);
	if (err != 0)
		return err;
	struct cartel__received_row *v = NULL;
	size_t n = 0;
	long long total = 0;
	if ((err = cartel__received_list(db, round_id, party_filter(u), offset,
					 limit, &v, &n, &total, why)) != 0)
		return err;
	json_t *items = json_array();
	for (size_t i = 0; items != NULL && i < n; i++)
		json_array_append_new(items, received_json(&v[i]));
	cartel__received_rows_free(v, n);
	return page_of(items, total, offset, limit, out, why);
}

/* Received document `seq_text`, read for user u: its row and the
 * document parsed. A registrar of a party not in the round: refused as
 * if there were no such document (logged as denied). */
static int
document_get(struct cartel_db *db, const struct cartel_user *u,
	     const char *seq_text, const char *from,
	     struct cartel__received_row *row, struct cartel_round **r,
	     char **why)
{
	*r = NULL;
	memset(row, 0, sizeof *row);
	char *end = NULL;
	long long seq = seq_text ? strtoll(seq_text, &end, 10) : 0;
	if (seq_text == NULL || end == seq_text || *end != '\0' || seq < 1)
		return cartel__why(why, CARTEL_ENOTFOUND,
				   "a document is named by its number");
	int err = cartel__received_get(db, seq, row, why);
	if (err != 0)
		return err;
	const char *party = party_filter(u);
	if (party != NULL) {
		char hay[2 * CARTEL_PARTY_MAX + 4], needle[CARTEL_PARTY_MAX + 3];
		snprintf(hay, sizeof hay, ",%s,", row->parties);
		snprintf(needle, sizeof needle, ",%s,", party);
		if (party[0] == '\0' || strstr(hay, needle) == NULL) {
			int e = cartel_access_log(db, u, "round.read",
						  row->round_id, 0, from, NULL);
			return e != 0 ? e
				      : cartel__why(why, CARTEL_EDENIED,
						    "a registrar of %s reads "
						    "only the documents of "
						    "rounds %s is in",
						    party, party);
		}
	}
	return cartel_round_parse(r, row->document, strlen(row->document),
				  "the document", why);
}

static void
row_clear(struct cartel__received_row *row)
{
	free(row->round_id);
	free(row->kind);
	free(row->digest);
	free(row->parties);
	free(row->signed_by);
	free(row->document);
	free(row->received_at);
	free(row->received_by);
	memset(row, 0, sizeof *row);
}

int
cartel_account_document(struct cartel_db *db, const struct cartel_user *u,
			const char *seq, const char *from, json_t **out,
			char **why)
{
	*out = NULL;
	int err = cartel_allow(db, u, CARTEL_DO_ROUND_READ, seq, from, why);
	if (err != 0)
		return err;
	struct cartel__received_row row;
	struct cartel_round *r = NULL;
	if ((err = document_get(db, u, seq, from, &row, &r, why)) != 0) {
		row_clear(&row);
		return err;
	}
	struct cartel_round_check chk;
	memset(&chk, 0, sizeof chk);
	struct cartel_round_rules rules;
	memset(&rules, 0, sizeof rules);
	char *vwhy = NULL, *rwhy = NULL;
	int v = cartel_round_verify(db, r, &chk, &vwhy);
	if (v != 0 && v != CARTEL_ETAMPER)
		err = cartel__why(why, v, "%s", vwhy ? vwhy : cartel_strerror(v));
	struct cartel_round_rules_opts ro;
	memset(&ro, 0, sizeof ro);
	int rr = err == 0 ? cartel_round_rules_check(db, r, &ro, &rules, &rwhy)
			  : 0;
	if (err == 0 && rr != 0 && rr != CARTEL_ESTATE &&
	    rr != CARTEL_ENOTFOUND)
		err = cartel__why(why, rr, "%s",
				  rwhy ? rwhy : cartel_strerror(rr));
	if (err == 0) {
		char detail[96];
		snprintf(detail, sizeof detail,
			 "document %s: outcome=%s problems=%zu breaches=%zu",
			 seq, v ? "fails" : "holds", chk.n_problems,
			 rules.n_broken);
		err = cartel_round_audit(db, u->name, "round.verify", r, detail,
					 why);
	}
	if (err == 0) {
		json_t *doc = json_loads(row.document, 0, NULL);
		*out = json_pack("{s:o, s:o*, s:o*, s:{s:b, s:o*}}", "received",
				 received_json(&row), "document", doc,
				 "verification",
				 cartel_round_check_json(r, &chk, v == 0),
				 "rules", "ok", rr == 0, "breaches",
				 cartel_round_rules_json(&rules, 0));
		if (*out == NULL)
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	}
	free(vwhy);
	free(rwhy);
	cartel_round_rules_clear(&rules);
	cartel_round_check_clear(&chk);
	cartel_round_free(r);
	row_clear(&row);
	return err;
}

int
cartel_account_document_diff(struct cartel_db *db,
			     const struct cartel_user *u, const char *a,
			     const char *b, const char *from, json_t **out,
			     char **why)
{
	*out = NULL;
	int err = cartel_allow(db, u, CARTEL_DO_ROUND_READ, a, from, why);
	if (err != 0)
		return err;
	struct cartel__received_row ra, rb;
	struct cartel_round *da = NULL, *db_ = NULL;
	memset(&rb, 0, sizeof rb);
	err = document_get(db, u, a, from, &ra, &da, why);
	if (err == 0)
		err = document_get(db, u, b, from, &rb, &db_, why);
	struct cartel_round_diff d;
	memset(&d, 0, sizeof d);
	if (err == 0)
		err = cartel_round_diff(da, db_, &d, why);
	if (err == 0) {
		char detail[200];
		snprintf(detail, sizeof detail,
			 "against version=%d digest=%s added=%zu removed=%zu "
			 "changed=%zu",
			 cartel_round_version(db_), cartel_round_digest(db_),
			 d.n_added, d.n_removed, d.n_changed);
		err = cartel_round_audit(db, u->name, "round.diff", da, detail,
					 why);
	}
	if (err == 0) {
		*out = cartel_round_diff_json(&d);
		if (*out == NULL ||
		    json_object_set_new(*out, "from", received_json(&ra)) != 0 ||
		    json_object_set_new(*out, "to", received_json(&rb)) != 0)
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	}
	if (err != 0) {
		json_decref(*out);
		*out = NULL;
	}
	cartel_round_diff_clear(&d);
	cartel_round_free(da);
	cartel_round_free(db_);
	row_clear(&ra);
	row_clear(&rb);
	return err;
}
