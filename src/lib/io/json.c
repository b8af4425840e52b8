/*
 * The JSON form of the register's objects (<cartel/json.h>), shared by the
 * command line and the server. Built with jansson; every builder returns a
 * new reference or NULL when out of memory, and steals nothing.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cartel/error.h>
#include <cartel/json.h>
#include <cartel/merge.h>
#include <cartel/register.h>
#include <cartel/round.h>

#include "core/why.h"

json_t *
cartel_event_json(const struct cartel_event *e, const struct cartel_event *all,
		  size_t n)
{
	const char *field;
	long long fixes = cartel_event_corrects(e, &field);
	long long fixed_by = cartel_event_corrected_by(all, n, e->seq);
	json_t *o = json_pack(
		"{s:I, s:s, s:s?, s:s?, s:s, s:s, s:s, s:s?, s:s?}", "seq",
		(json_int_t)e->seq, "field", field, "old", e->old_value, "new",
		e->new_value, "by", e->prov.actor, "at", e->prov.at, "source",
		cartel_enum_name(CARTEL_ENUM_SOURCE, (int)e->prov.source),
		"ref", e->prov.source_ref, "note", e->prov.note);
	if (o != NULL && fixes != 0)
		json_object_set_new(o, "corrects", json_integer(fixes));
	if (o != NULL && fixed_by != 0)
		json_object_set_new(o, "corrected_by", json_integer(fixed_by));
	return o;
}

static json_t *
events_json(const struct cartel_event *ev, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a != NULL && i < n; i++)
		if (json_array_append_new(a, cartel_event_json(&ev[i], ev, n))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

int
cartel_person_record_json(struct cartel_db *db, const char *id, json_t **out,
			  char **why)
{
	*out = NULL;
	struct cartel_person p;
	struct cartel_event *ev = NULL;
	size_t n_ev = 0;
	struct cartel_merge *m = NULL;
	size_t n_m = 0;
	int err = cartel_person_get(db, id, &p, why);
	if (err != 0)
		return err;
	err = cartel_person_events(db, p.id, &ev, &n_ev, why);
	/* A merged id shows the record kept, with the merges into that. */
	if (err == 0)
		err = cartel_person_merges(db, p.id, 0, &m, &n_m, why);
	json_t *o = NULL;
	if (err == 0) {
		char *pj = cartel_person_json(&p);
		long long version = 0;
		for (size_t i = 0; i < n_ev; i++)
			if (ev[i].seq > version)
				version = ev[i].seq;
		o = json_object();
		json_t *pv = pj ? json_loads(pj, 0, NULL) : NULL;
		free(pj);
		if (o == NULL || pv == NULL ||
		    json_object_set_new(o, "person", pv) ||
		    json_object_set_new(o, "events", events_json(ev, n_ev)) ||
		    json_object_set_new(o, "version", json_integer(version)))
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
		if (err == 0 && strcmp(p.id, id) != 0 &&
		    json_object_set_new(o, "merged_into", json_string(p.id)))
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	}
	json_t *ms = NULL;
	if (err == 0 && n_m > 0 && (ms = json_array()) == NULL)
		err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	for (size_t i = 0; err == 0 && i < n_m; i++) {
		if (strcmp(m[i].keep_id, p.id) != 0)
			continue;
		struct cartel_event *mev = NULL;
		size_t n_mev = 0;
		err = cartel_person_events(db, m[i].other_id, &mev, &n_mev,
					   why);
		if (err != 0)
			break;
		json_t *me = json_pack(
			"{s:s, s:s, s:s, s:s, s:I, s:o}", "id", m[i].other_id,
			"at", m[i].merged_at, "by", m[i].merged_by, "reason",
			m[i].reason, "conflicts", (json_int_t)m[i].n_conflicts,
			"events", events_json(mev, n_mev));
		cartel_events_free(mev, n_mev);
		if (me == NULL || json_array_append_new(ms, me))
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	}
	if (err == 0 && ms != NULL && json_array_size(ms) > 0) {
		json_object_set(o, "merged", ms);
	}
	json_decref(ms);
	cartel_merges_free(m, n_m);
	cartel_events_free(ev, n_ev);
	cartel_person_clear(&p);
	if (err != 0) {
		json_decref(o);
		return err;
	}
	*out = o;
	return 0;
}

static const char *
band_name(enum cartel_match_band b)
{
	return b == CARTEL_BAND_MATCH	 ? "match"
	       : b == CARTEL_BAND_REVIEW ? "review"
					 : "non-match";
}

json_t *
cartel_search_hit_json(const struct cartel_search_hit *h, const char *read_as)
{
	const struct cartel_person *p = &h->person;
	char d[16], since[16], st[256];
	cartel_search_status_text(p, h->status_on, st, sizeof st);
	return json_pack(
		"{s:s, s:f, s:f, s:s, s:s?, s:s?, s:s?, s:s, s:s?, s:s, s:s?, "
		"s:s?, s:s?, s:s, s:s, s:s?}",
		"id", p->id, "score", h->probability, "weight", h->weight,
		"band", band_name(h->band), "family_name", p->family_name,
		"given_name", p->given_name, "patronymic", p->patronymic,
		"birth_date", cartel_date_format(&p->birth_date, d, sizeof d),
		"explanation", h->explanation, "status",
		cartel_enum_name(CARTEL_ENUM_STATUS, (int)p->status), "held_by",
		p->held_by, "held_since",
		p->held_since.year ? cartel_date_format(&p->held_since, since,
							sizeof since)
				   : NULL,
		"status_on", h->status_on, "status_text", st, "read_as",
		read_as ? read_as : "", "words", h->words);
}

json_t *
cartel_review_item_json(const struct cartel_review_item *it)
{
	json_t *o = json_pack(
		"{s:s, s:s, s:f, s:s, s:s, s:s?, s:s?, s:s?, s:s?}",
		"inquiry_id", it->inquiry_id, "person_id", it->person_id,
		"score", it->score, "band", it->band, "state", it->state,
		"explanation", it->explanation, "decided_by", it->decided_by,
		"decided_at", it->decided_at, "reason", it->reason);
	/* Only when filled (cartel_review_words): the JSON of callers that
	 * do not ask for them is as it was. */
	if (o != NULL && it->words != NULL &&
	    json_object_set_new(o, "words", json_string(it->words)) != 0) {
		json_decref(o);
		return NULL;
	}
	/* Field by field, when filled with the words: "how" is a fixed
	 * text a screen words in its own language; "bits" to a tenth, as
	 * the duplicates' evidence gives them. */
	if (o != NULL && it->fields[0].field != NULL) {
		json_t *ev = json_array();
		int bad = ev == NULL ||
			  json_object_set_new(o, "evidence", ev) != 0;
		for (size_t f = 0; !bad && f < CARTEL_MATCH_N_EVIDENCE; f++) {
			const struct cartel_match_field *e = &it->fields[f];
			bad = e->field == NULL || e->how == NULL ||
			      json_array_append_new(
				      ev, json_pack("{s:s, s:s, s:f}", "field",
						    e->field, "how", e->how,
						    "bits",
						    round(e->weight * 10) /
							    10)) != 0;
		}
		if (bad) {
			json_decref(o);
			return NULL;
		}
	}
	/* An identity link's persons as declared: "said" (theirs), and
	 * "person" when ours is declared too. */
	const struct cartel_person *side[2] = {it->theirs, it->ours};
	const char *key[2] = {"said", "person"};
	for (int k = 0; o != NULL && k < 2; k++) {
		if (side[k] == NULL)
			continue;
		char *text = cartel_person_json(side[k]);
		json_t *v = text ? json_loads(text, 0, NULL) : NULL;
		free(text);
		if (v == NULL || json_object_set_new(o, key[k], v) != 0) {
			json_decref(o);
			o = NULL;
		}
	}
	return o;
}

json_t *
cartel_handover_status_json(const struct cartel_handover_status *st)
{
	json_t *o = json_pack("{sssiss}", "round_id", st->round_id,
			      "version", st->version, "digest",
			      st->digest);
	json_t *stages = json_array(), *ps = json_array();
	for (size_t i = 0; i < st->n_stages; i++) {
		const struct cartel_handover_stage *g = &st->stages[i];
		json_t *s = json_pack("{sisIsb}", "stage", g->stage,
				      "listed", (json_int_t)g->n_listed,
				      "closed", g->closed);
		for (int k = 0; k < CARTEL_HANDOVER_N; k++)
			json_object_set_new(
				s,
				cartel_handover_outcome_name(
					(enum cartel_handover_outcome)k),
				json_integer(g->n[k]));
		if (g->closed_at)
			json_object_set_new(
				s, "closed_at",
				json_string(g->closed_at));
		json_array_append_new(stages, s);
	}
	for (size_t i = 0; i < st->n_persons; i++) {
		const struct cartel_handover_person *p = &st->persons[i];
		json_t *e = json_pack(
			"{sssssisbss}", "id", p->id, "side", p->side,
			"stage", p->stage, "direct", p->direct,
			"outcome",
			cartel_handover_outcome_name(p->outcome));
		if (p->checked_at)
			json_object_set_new(
				e, "checked_at",
				json_string(p->checked_at));
		if (p->checked_by)
			json_object_set_new(
				e, "checked_by",
				json_string(p->checked_by));
		if (p->holder_id)
			json_object_set_new(
				e, "holder_id",
				json_string(p->holder_id));
		json_array_append_new(ps, e);
	}
	json_object_set_new(o, "stages", stages);
	json_object_set_new(o, "persons", ps);
	return o;
}

static const char *const held_keys[CARTEL_HELD_N] = {
	"lt_3m", "3_6m", "6_12m", "12_24m", "gt_24m", "unknown"};

/* A count as published: exact, or "fewer than 5" for 1 to 4 in public
 * figures (0 is no one, which points at no one). */
static json_t *
count(long v, int public_figures)
{
	if (cartel_stats_suppressed(v, public_figures))
		return json_string("fewer than 5");
	return json_integer(v);
}

static json_t *
enum_counts(enum cartel_enum_kind k, const long *v, int n, int pub)
{
	json_t *o = json_object();
	for (int i = 0; o != NULL && i < n; i++)
		json_object_set_new(o, cartel_enum_name(k, i), count(v[i], pub));
	return o;
}

json_t *
cartel_stats_json(const struct cartel_stats *st, int pub)
{
	char today[16];
	json_t *parties = json_array();
	for (size_t i = 0; parties != NULL && i < st->n_parties; i++) {
		const struct cartel_stats_party *p = &st->parties[i];
		json_t *held = json_object();
		for (int b = 0; held != NULL && b < CARTEL_HELD_N; b++)
			json_object_set_new(held, held_keys[b],
					    count(p->by_held[b], pub));
		json_array_append_new(
			parties,
			json_pack("{s:s?, s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
				  "s:o, s:o}",
				  "held_by", p->party[0] ? p->party : NULL,
				  "held", count(p->held, pub), "by_category",
				  enum_counts(CARTEL_ENUM_CATEGORY,
					      p->by_category,
					      CARTEL_CAT_CHAPLAIN + 1, pub),
				  "by_health",
				  enum_counts(CARTEL_ENUM_HEALTH, p->by_health,
					      CARTEL_HEALTH_SERIOUSLY_WOUNDED +
						      1,
					      pub),
				  "by_time_held", held,
				  "awaiting_direct_repatriation",
				  count(p->await_direct, pub),
				  "consent_not_asked",
				  count(p->consent_not_asked, pub),
				  "consent_undecided",
				  count(p->consent_undecided, pub),
				  "legal_hold",
				  enum_counts(CARTEL_ENUM_LEGAL_HOLD,
					      p->by_hold,
					      CARTEL_HOLD_CONVICTED + 1, pub),
				  "by_status",
				  enum_counts(CARTEL_ENUM_STATUS, p->by_status,
					      CARTEL_STATUS_DECEASED + 1,
					      pub)));
	}
	return json_pack("{s:o, s:s, s:o}", "persons", count(st->persons, pub),
			 "as_of",
			 cartel_date_format(&st->today, today, sizeof today),
			 "parties", parties);
}

json_t *
cartel_round_check_json(const struct cartel_round *r,
			const struct cartel_round_check *chk, int ok)
{
	json_t *sigs = json_array();
	for (int i = 0; sigs != NULL && i < 2; i++)
		json_array_append_new(
			sigs, json_pack("{s:s, s:s, s:b, s:b, s:b, s:b}",
					"party", chk->sig[i].party,
					"fingerprint", chk->sig[i].fingerprint,
					"present", chk->sig[i].present,
					"pinned", chk->sig[i].pinned,
					"key_is_pinned",
					chk->sig[i].key_is_pinned, "valid",
					chk->sig[i].valid));
	json_t *pr = json_array();
	for (size_t i = 0; pr != NULL && i < chk->n_problems; i++)
		json_array_append_new(pr, json_string(chk->problems[i]));
	return json_pack("{s:b, s:s, s:i, s:s, s:s, s:b, s:b, s:o*, s:o*}",
			 "ok", ok, "round_id", cartel_round_id(r), "version",
			 cartel_round_version(r), "kind",
			 cartel_round_kind_name(cartel_round_kind(r)),
			 "digest", cartel_round_digest(r), "manifest_ok",
			 chk->manifest_ok, "digest_ok", chk->digest_ok,
			 "signatures", sigs, "problems", pr);
}

json_t *
cartel_round_rules_json(const struct cartel_round_rules *r, int breaches_only)
{
	json_t *a = json_array();
	if (a == NULL)
		return NULL;
	for (size_t i = 0; r != NULL && i < r->n; i++) {
		const struct cartel_round_breach *b = &r->v[i];
		if (breaches_only && b->note)
			continue;
		json_t *o = json_object();
		if (o == NULL || json_array_append_new(a, o) != 0) {
			json_decref(a);
			return NULL;
		}
		json_object_set_new(o, "party",
				    b->party ? json_string(b->party)
					     : json_null());
		json_object_set_new(o, "id",
				    b->person ? json_string(b->person)
					      : json_null());
		json_object_set_new(o, "rule",
				    json_string(cartel_round_rule_name(b->rule)));
		json_object_set_new(o, "note", json_boolean(b->note));
		json_object_set_new(o, "text", json_string(b->text));
	}
	return a;
}

json_t *
cartel_round_refusal_json(const struct cartel_round_rules *r,
			  const char *error)
{
	json_t *b = cartel_round_rules_json(r, 1);
	if (b == NULL)
		return NULL;
	json_t *o = json_object();
	if (o == NULL) {
		json_decref(b);
		return NULL;
	}
	json_object_set_new(o, "ok", json_false());
	json_object_set_new(o, "error",
			    error ? json_string(error) : json_null());
	json_object_set_new(o, "breaches", b);
	return o;
}

json_t *
cartel_round_balance_json(const struct cartel_round_balance *b)
{
	json_t *sides = json_array();
	if (sides == NULL)
		return NULL;
	for (int i = 0; i < 2; i++) {
		json_t *o = json_pack(
			"{s:s, s:I, s:I, s:I, s:I}", "party", b->party[i],
			"persons_before", (json_int_t)b->n_before[i],
			"persons_after", (json_int_t)b->n_after[i],
			"value_before", (json_int_t)b->before[i], "value_after",
			(json_int_t)b->after[i]);
		if (o == NULL || json_array_append_new(sides, o) != 0) {
			json_decref(sides);
			return NULL;
		}
		if (b->pools != 2)
			continue;
		json_object_set_new(o, "civilians_before",
				    json_integer((json_int_t)
						 b->pool_n_before[i][1]));
		json_object_set_new(o, "civilians_after",
				    json_integer((json_int_t)
						 b->pool_n_after[i][1]));
		json_object_set_new(o, "value_besides_civilians_before",
				    json_integer(b->pool_before[i][0]));
		json_object_set_new(o, "value_besides_civilians_after",
				    json_integer(b->pool_after[i][0]));
	}
	json_t *o = json_object();
	if (o == NULL) {
		json_decref(sides);
		return NULL;
	}
	json_object_set_new(o, "sides", sides);
	json_object_set_new(o, "balanced", json_boolean(b->balanced));
	json_object_set_new(o, "pools", json_integer(b->pools ? b->pools : 1));
	json_object_set_new(o, "verdict", b->verdict ? json_string(b->verdict)
						     : json_null());
	return o;
}

/* A value of a round's field, from its canonical JSON text. */
static json_t *
canon_value(const char *canon)
{
	json_t *v = json_loads(canon ? canon : "null", JSON_DECODE_ANY, NULL);
	return v ? v : json_string(canon ? canon : "");
}

static json_t *
field_changes_json(const struct cartel_round_field_change *f, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a != NULL && i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:o, s:o}", "field",
						   f[i].field, "old",
						   canon_value(f[i].old_value),
						   "new",
						   canon_value(f[i].new_value)));
	return a;
}

json_t *
cartel_round_diff_json(const struct cartel_round_diff *d)
{
	json_t *add = json_array(), *rem = json_array(), *chg = json_array();
	for (size_t i = 0; chg != NULL && i < d->n_entries; i++) {
		const struct cartel_round_diff_entry *e = &d->entries[i];
		if (e->change == CARTEL_ROUND_ADDED)
			json_array_append_new(add,
					      json_pack("{s:s, s:s}", "id", e->id,
							"list", e->new_list));
		else if (e->change == CARTEL_ROUND_REMOVED)
			json_array_append_new(rem,
					      json_pack("{s:s, s:s}", "id", e->id,
							"list", e->old_list));
		else
			json_array_append_new(
				chg, json_pack("{s:s, s:s, s:s, s:o}", "id",
					       e->id, "old_list", e->old_list,
					       "new_list", e->new_list,
					       "fields",
					       field_changes_json(e->fields,
								  e->n_fields)));
	}
	return json_pack("{s:o, s:o*, s:o*, s:o*}", "header",
			 field_changes_json(d->header, d->n_header), "added",
			 add, "removed", rem, "changed", chg);
}
