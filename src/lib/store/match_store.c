/*
 * The register's side of matching: inquiries, the potential matches found
 * for them, and the review decisions (tables of migration "0200-match").
 * The matching itself is <cartel/match.h>'s index and query; this file
 * holds the SQL (prepared statements, bound parameters) and the audit
 * entries that every change here appends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cartel/error.h>
#include <cartel/inquiry.h>
#include <cartel/limits.h>
#include <cartel/links.h>
#include <cartel/match.h>
#include <cartel/register.h>
#include <cartel/store.h>

#include "core/why.h"
#include "store/round_rows.h"
#include "store/store_int.h"

static void
bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s != NULL && s[0] != '\0')
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static char *
col_dup(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	return s ? cartel__strdup(s) : NULL;
}

/* Checks a row read for a command against the audit chain (the row
 * ledger), so that a row changed behind the register's back is refused. */
static int
held(struct cartel_db *db, int t, const char *k1, const char *k2, char **why)
{
	return cartel__ledger_check_row(db, t, k1, k2, why);
}

static int
has_name(const struct cartel_person *q)
{
	const char *f[] = {q->family_name, q->given_name, q->patronymic};
	for (size_t i = 0; i < 3; i++)
		if (f[i] != NULL && f[i][0] != '\0')
			return 1;
	return 0;
}

int
cartel_inquiry_add(struct cartel_db *db, const struct cartel_person *q,
		   const char *actor, const char *contact,
		   const struct cartel_match_opts *opts, char **out_id,
		   size_t *n_found, char **why)
{
	struct cartel_inquiry_request req;
	memset(&req, 0, sizeof req);
	req.sought = q;
	req.contact = contact;
	return cartel_inquiry_record(db, &req, actor, opts, out_id, n_found,
				     why);
}

int
cartel_inquiry_record(struct cartel_db *db,
		      const struct cartel_inquiry_request *req,
		      const char *actor, const struct cartel_match_opts *opts,
		      char **out_id, size_t *n_found, char **why)
{
	const struct cartel_person *q = req->sought;
	*out_id = NULL;
	if (n_found)
		*n_found = 0;
	if (actor == NULL || actor[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL,
				   "an inquiry needs who records it (--by)");
	if (q == NULL || !has_name(q))
		return cartel__why(why, CARTEL_EINVAL,
				   "an inquiry needs a family, given name or "
				   "patronymic");
	/* What a caller says is kept as said, within a list field's limit;
	 * the messages name the field, never its value. */
	const struct {
		const char *name, *value;
	} said[] = {
		{"family name", q->family_name}, {"given name", q->given_name},
		{"patronymic", q->patronymic},   {"birth place", q->birth_place},
		{"service number", q->service_number}, {"unit", q->unit},
		{"requester", req->requester},   {"relation", req->relation},
		{"contact", req->contact},       {"typed name", req->typed},
		{"last seen place", req->last_seen_place},
	};
	for (size_t i = 0; i < sizeof said / sizeof said[0]; i++)
		if (said[i].value != NULL &&
		    strlen(said[i].value) > CARTEL_LIMIT_FIELD)
			return cartel__why(why, CARTEL_ERANGE,
					   "the inquiry's %s is longer than "
					   "%u bytes",
					   said[i].name, CARTEL_LIMIT_FIELD);
	struct cartel_date today = cartel_date_today();
	if (cartel_date_known(&req->last_seen_on) &&
	    cartel_date_known(&today) &&
	    cartel_date_days(&req->last_seen_on) >
		    cartel_date_days(&today) + CARTEL_LIMIT_FUTURE_DAYS)
		return cartel__why(why, CARTEL_EINVAL,
				   "the date last seen is in the future");
	int own;
	int err = cartel__db_write_begin(db, &own, why);
	if (err != 0)
		return err;
	sqlite3_stmt *st = NULL;
	char id[32];
	/* One more than the highest number given so far: never from the
	 * person sought, never one given before (even were a row taken out
	 * or the table's rowids renumbered by a VACUUM). */
	err = cartel__db_prep(db,
		   "SELECT max(coalesce(max(CAST(substr(id, 5) AS INTEGER)), "
		   "0), coalesce(max(rowid), 0)) + 1 FROM match_inquiry "
		   "WHERE id GLOB 'INQ-[0-9]*'",
		   &st, "numbering the inquiry", why);
	if (err == 0) {
		if (sqlite3_step(st) == SQLITE_ROW)
			snprintf(id, sizeof id, "INQ-%06lld",
				 (long long)sqlite3_column_int64(st, 0));
		else
			err = cartel__db_err(db, sqlite3_errcode(
							 cartel__db_sqlite(db)),
					     "numbering the inquiry", why);
		sqlite3_finalize(st);
		st = NULL;
	}
	if (err == 0)
		err = cartel__db_prep(db,
			   "INSERT INTO match_inquiry (id, created_at, "
			   "created_by, family_name, given_name, patronymic, "
			   "birth_date, birth_place, service_number, contact, "
			   "requester, relation, typed, unit, "
			   "last_seen_place, last_seen_on, state) "
			   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
			   "?11, ?12, ?13, ?14, ?15, ?16, 'open')",
			   &st, "recording the inquiry", why);
	char now[32];
	cartel__now(now, sizeof now);
	if (err == 0) {
		char born[16], seen[16];
		cartel_date_format(&q->birth_date, born, sizeof born);
		cartel_date_format(&req->last_seen_on, seen, sizeof seen);
		bind_text(st, 1, id);
		bind_text(st, 2, now);
		bind_text(st, 3, actor);
		bind_text(st, 4, q->family_name);
		bind_text(st, 5, q->given_name);
		bind_text(st, 6, q->patronymic);
		bind_text(st, 7, born);
		bind_text(st, 8, q->birth_place);
		bind_text(st, 9, q->service_number);
		bind_text(st, 10, req->contact);
		bind_text(st, 11, req->requester);
		bind_text(st, 12, req->relation);
		bind_text(st, 13, req->typed);
		bind_text(st, 14, q->unit);
		bind_text(st, 15, req->last_seen_place);
		bind_text(st, 16, seen);
		int rc = sqlite3_step(st);
		if (rc != SQLITE_DONE)
			err = cartel__db_err(db, rc, "recording the inquiry",
					     why);
		sqlite3_finalize(st);
	}
	if (err == 0)
		err = cartel__ledger_touch(db, CARTEL__LT_INQUIRY, id, NULL,
					   why);
	if (err == 0)
		err = cartel__inquiry_history(db, id, now, actor, "recorded",
					      NULL, NULL, why);
	if (err == 0)
		err = cartel_audit_append(db, actor, "inquiry.add", id,
					  "inquiry recorded", why);
	err = cartel__db_write_end(db, own, err, why);
	if (err != 0)
		return err;
	*out_id = cartel__strdup(id);
	if (*out_id == NULL)
		return CARTEL_ENOMEM;
	/* Matched as it arrives. The inquiry stays recorded even when this
	 * fails; `cartel inquiry match` runs it again. */
	return cartel_inquiry_match(db, id, actor, opts, n_found, why);
}

struct inq {
	char *id;
	struct cartel_person q;
};

static void
inqs_free(struct inq *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].id);
		cartel_person_clear(&v[i].q);
	}
	free(v);
}

static int
inqs_load(struct cartel_db *db, const char *id, struct inq **out, size_t *n,
	  char **why)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st;
	int err = cartel__db_prep(db,
		       id != NULL
			       ? "SELECT id, family_name, given_name, "
				 "patronymic, birth_date, birth_place, "
				 "service_number, status FROM match_inquiry "
				 "WHERE id = ?1"
			       : "SELECT id, family_name, given_name, "
				 "patronymic, birth_date, birth_place, "
				 "service_number FROM match_inquiry "
				 "WHERE status = 'open' ORDER BY rowid",
		       &st, "reading inquiries", why);
	if (err != 0)
		return err;
	if (id != NULL)
		bind_text(st, 1, id);
	struct inq *v = NULL;
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			struct inq *nv = realloc(v, cap * sizeof *nv);
			if (nv == NULL) {
				err = CARTEL_ENOMEM;
				break;
			}
			v = nv;
		}
		struct inq *it = &v[(*n)++];
		memset(it, 0, sizeof *it);
		it->id = col_dup(st, 0);
		it->q.id = col_dup(st, 0);
		it->q.family_name = col_dup(st, 1);
		it->q.given_name = col_dup(st, 2);
		it->q.patronymic = col_dup(st, 3);
		const char *born = (const char *)sqlite3_column_text(st, 4);
		if (born != NULL)
			cartel_date_parse(born, &it->q.birth_date, NULL);
		it->q.birth_place = col_dup(st, 5);
		it->q.service_number = col_dup(st, 6);
		if (it->id == NULL) {
			err = CARTEL_ENOMEM;
			break;
		}
		const char *status = id != NULL ? (const char *)
					sqlite3_column_text(st, 7) : NULL;
		if (status != NULL && strcmp(status, "resolved") == 0) {
			err = cartel__why(why, CARTEL_ESTATE,
					  "inquiry %.64s is confirmed or "
					  "closed: it is not matched again",
					  id);
			break;
		}
		err = held(db, CARTEL__LT_INQUIRY, it->id, NULL, why);
		if (err != 0)
			break;
	}
	if (err == 0 && rc != SQLITE_DONE)
		err = cartel__db_err(db, rc, "reading inquiries", why);
	sqlite3_finalize(st);
	if (err == 0 && id != NULL && *n == 0)
		err = cartel__why(why, CARTEL_ENOTFOUND, "no inquiry '%s'",
				  id);
	if (err != 0) {
		inqs_free(v, *n);
		*n = 0;
		return err;
	}
	*out = v;
	return 0;
}

int
cartel_inquiry_match(struct cartel_db *db, const char *id, const char *actor,
		     const struct cartel_match_opts *opts, size_t *n_found,
		     char **why)
{
	if (n_found)
		*n_found = 0;
	if (actor == NULL || actor[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL,
				   "matching needs who runs it (--by)");
	struct inq *inqs;
	size_t n_inq;
	int err = inqs_load(db, id, &inqs, &n_inq, why);
	if (err != 0)
		return err;
	if (n_inq == 0) {
		inqs_free(inqs, n_inq);
		return 0;
	}
	/* Every inquiry asked of one state of the register, through the
	 * search index kept beside it (built first when out of date); then
	 * the potential matches kept, in one write transaction. */
	struct cartel_search_opts so;
	cartel_search_opts_init(&so);
	so.match = opts;
	struct cartel_search_info info;
	struct cartel__search srch;
	struct cartel_search_hit **hits = calloc(n_inq, sizeof *hits);
	size_t *n_hits = calloc(n_inq, sizeof *n_hits);
	if (hits == NULL || n_hits == NULL)
		err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	if (err == 0)
		err = cartel__search_begin(db, &so, &srch, &info, why);
	if (err == 0) {
		for (size_t i = 0; err == 0 && i < n_inq; i++)
			err = cartel__search_query(db, &srch, &so, &info,
						   &inqs[i].q, 20, 1, &hits[i],
						   &n_hits[i], why);
		cartel__search_end(db, &srch, err);
		cartel_search_info_clear(&info);
	}
	int own = 0;
	if (err == 0)
		err = cartel__db_write_begin(db, &own, why);
	sqlite3_stmt *ins = NULL;
	if (err == 0)
		err = cartel__db_prep(db,
			   "INSERT OR IGNORE INTO match_candidate (inquiry_id, "
			   "person_id, score, band, explanation, found_at) "
			   "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
			   &ins, "keeping potential matches", why);
	size_t found = 0;
	char now[32];
	cartel__now(now, sizeof now);
	for (size_t i = 0; err == 0 && i < n_inq; i++) {
		const struct cartel_search_hit *c = hits[i];
		size_t nc = n_hits[i];
		size_t added = 0;
		for (size_t k = 0; err == 0 && k < nc; k++) {
			sqlite3_reset(ins);
			bind_text(ins, 1, inqs[i].id);
			bind_text(ins, 2, c[k].person.id);
			sqlite3_bind_double(ins, 3, c[k].probability);
			bind_text(ins, 4,
				  c[k].band == CARTEL_BAND_MATCH ? "match"
								 : "review");
			bind_text(ins, 5, c[k].explanation);
			bind_text(ins, 6, now);
			int rc = sqlite3_step(ins);
			if (rc != SQLITE_DONE) {
				err = cartel__db_err(db, rc,
						     "keeping potential matches",
						     why);
			} else if (sqlite3_changes(cartel__db_sqlite(db)) > 0) {
				added++;
				err = cartel__ledger_touch(
					db, CARTEL__LT_CANDIDATE, inqs[i].id,
					c[k].person.id, why);
			}
		}
		if (err == 0 && added > 0) {
			char detail[96];
			snprintf(detail, sizeof detail,
				 "%zu potential match%s kept for review",
				 added, added == 1 ? "" : "es");
			err = cartel__inquiry_set_state(db, inqs[i].id,
							"candidate_found", why);
			if (err == 0)
				err = cartel__inquiry_history(
					db, inqs[i].id, now, actor,
					"candidates found", NULL, detail, why);
			if (err == 0)
				err = cartel_audit_append(db, actor,
							  "inquiry.match",
							  inqs[i].id, detail,
							  why);
		}
		found += added;
	}
	if (ins != NULL)
		sqlite3_finalize(ins);
	if (own)
		err = cartel__db_write_end(db, own, err, why);
	for (size_t i = 0; hits != NULL && i < n_inq; i++)
		cartel_search_hits_free(hits[i], n_hits[i]);
	free(hits);
	free(n_hits);
	inqs_free(inqs, n_inq);
	if (err == 0 && n_found)
		*n_found = found;
	return err;
}

/* The identity links for a person to decide (<cartel/links.h>) join the
 * queue after the inquiries' matches: "link:PARTY:THEIR_ID" as the
 * inquiry, our id ("PARTY:ID" for a declared person) as the person. The
 * pending ones, and with all those a person decided. */
static int
review_links(struct cartel_db *db, int all, struct cartel_review_item **v,
	     size_t *n, size_t *cap, char **why)
{
	struct cartel_link *l = NULL;
	size_t nl = 0;
	int err = cartel__link_list(db, NULL, NULL, &l, &nl, why);
	for (size_t i = 0; err == 0 && i < nl; i++) {
		int pending = l[i].state == CARTEL_LINK_PENDING;
		if (!pending && !(all && l[i].decided_by != NULL))
			continue;
		if (*n == *cap) {
			*cap = *cap ? 2 * *cap : 16;
			struct cartel_review_item *nv =
				realloc(*v, *cap * sizeof *nv);
			if (nv == NULL) {
				err = CARTEL_ENOMEM;
				break;
			}
			*v = nv;
		}
		struct cartel_review_item *it = &(*v)[(*n)++];
		memset(it, 0, sizeof *it);
		it->inquiry_id = cartel__asprintf(
			CARTEL_LINK_REVIEW_PREFIX "%s:%s", l[i].their_party,
			l[i].their_id);
		it->person_id = cartel__asprintf(
			"%s%s%s", l[i].our_party, l[i].our_party[0] ? ":" : "",
			l[i].our_id);
		it->score = l[i].probability;
		it->band = cartel__strdup("review");
		it->state = cartel__strdup(
			pending ? "pending"
			: l[i].state == CARTEL_LINK_REVOKED ? "rejected"
							    : "confirmed");
		it->explanation = l[i].explanation;
		it->found_at = l[i].made_at;
		it->decided_by = l[i].decided_by;
		it->decided_at = l[i].decided_at;
		it->reason = l[i].reason;
		l[i].explanation = l[i].made_at = l[i].decided_by =
			l[i].decided_at = l[i].reason = NULL;
		if (it->inquiry_id == NULL || it->person_id == NULL ||
		    it->band == NULL || it->state == NULL)
			err = CARTEL_ENOMEM;
	}
	for (size_t i = 0; i < nl; i++) {
		free(l[i].their_id);
		free(l[i].our_id);
		free(l[i].explanation);
		free(l[i].made_at);
		free(l[i].made_by);
		free(l[i].decided_at);
		free(l[i].decided_by);
		free(l[i].reason);
	}
	free(l);
	return err;
}

int
cartel_review_list(struct cartel_db *db, int all,
		   struct cartel_review_item **out, size_t *n, char **why)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st;
	int err = cartel__db_prep(db,
		       all ? "SELECT inquiry_id, person_id, score, band, state, "
			     "explanation, found_at, decided_by, decided_at, "
			     "reason FROM match_candidate "
			     "ORDER BY inquiry_id, score DESC, person_id"
			   : "SELECT inquiry_id, person_id, score, band, state, "
			     "explanation, found_at, decided_by, decided_at, "
			     "reason FROM match_candidate WHERE state = "
			     "'pending' ORDER BY inquiry_id, score DESC, "
			     "person_id",
		       &st, "reading potential matches", why);
	if (err != 0)
		return err;
	struct cartel_review_item *v = NULL;
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			struct cartel_review_item *nv =
				realloc(v, cap * sizeof *nv);
			if (nv == NULL) {
				err = CARTEL_ENOMEM;
				break;
			}
			v = nv;
		}
		struct cartel_review_item *it = &v[(*n)++];
		memset(it, 0, sizeof *it);
		it->inquiry_id = col_dup(st, 0);
		it->person_id = col_dup(st, 1);
		it->score = sqlite3_column_double(st, 2);
		it->band = col_dup(st, 3);
		it->state = col_dup(st, 4);
		it->explanation = col_dup(st, 5);
		it->found_at = col_dup(st, 6);
		it->decided_by = col_dup(st, 7);
		it->decided_at = col_dup(st, 8);
		it->reason = col_dup(st, 9);
		if (it->inquiry_id == NULL || it->person_id == NULL) {
			err = CARTEL_ENOMEM;
			break;
		}
		err = held(db, CARTEL__LT_CANDIDATE, it->inquiry_id,
			   it->person_id, why);
		if (err != 0)
			break;
	}
	if (err == 0 && rc != SQLITE_DONE)
		err = cartel__db_err(db, rc, "reading potential matches", why);
	sqlite3_finalize(st);
	if (err == 0)
		err = review_links(db, all, &v, n, &cap, why);
	if (err != 0) {
		cartel_review_items_free(v, *n);
		*n = 0;
		return err;
	}
	*out = v;
	return 0;
}

/* Sets one candidate's decision and records the row in the ledger. */
static int
cand_decide(struct cartel_db *db, const char *inquiry_id,
	    const char *person_id, const char *state, const char *actor,
	    const char *at, const char *reason, char **why)
{
	sqlite3_stmt *st;
	int err = cartel__db_prep(db,
		       "UPDATE match_candidate SET state = ?3, "
		       "decided_by = ?4, decided_at = ?5, reason = ?6 "
		       "WHERE inquiry_id = ?1 AND person_id = ?2",
		       &st, "recording the decision", why);
	if (err != 0)
		return err;
	bind_text(st, 1, inquiry_id);
	bind_text(st, 2, person_id);
	bind_text(st, 3, state);
	bind_text(st, 4, actor);
	bind_text(st, 5, at);
	bind_text(st, 6, reason);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return cartel__db_err(db, rc, "recording the decision", why);
	return cartel__ledger_touch(db, CARTEL__LT_CANDIDATE, inquiry_id,
				    person_id, why);
}

/* The ids of inquiry_id's pending candidates other than person_id
 * (malloc'd array of malloc'd strings). */
static int
other_pending(struct cartel_db *db, const char *inquiry_id,
	      const char *person_id, char ***out, size_t *n, char **why)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st;
	int err = cartel__db_prep(db,
		       "SELECT person_id FROM match_candidate WHERE "
		       "inquiry_id = ?1 AND person_id != ?2 AND state = "
		       "'pending' ORDER BY person_id",
		       &st, "reading potential matches", why);
	if (err != 0)
		return err;
	bind_text(st, 1, inquiry_id);
	bind_text(st, 2, person_id);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char **nv = realloc(*out, (*n + 1) * sizeof *nv);
		if (nv == NULL) {
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
			break;
		}
		*out = nv;
		if (((*out)[*n] = col_dup(st, 0)) == NULL) {
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
			break;
		}
		(*n)++;
	}
	if (err == 0 && rc != SQLITE_DONE)
		err = cartel__db_err(db, rc, "reading potential matches", why);
	sqlite3_finalize(st);
	return err;
}

/* The person's "inquiry" attribute with inquiry_id added: every inquiry
 * confirmed for him, so that a second one adds to the first instead of
 * replacing it. */
static char *
inquiry_attr(struct cartel_db *db, const char *person_id,
	     const char *inquiry_id, char **why)
{
	struct cartel_person p;
	memset(&p, 0, sizeof p);
	if (cartel_person_get(db, person_id, &p, why) != 0)
		return NULL;
	const char *old = cartel_person_attr(&p, "inquiry");
	char *v = old != NULL && old[0] != '\0'
			  ? cartel__asprintf("%s, %s", old, inquiry_id)
			  : cartel__strdup(inquiry_id);
	cartel_person_clear(&p);
	if (v == NULL)
		cartel__why(why, CARTEL_ENOMEM, "out of memory");
	return v;
}

int
cartel_review_decide(struct cartel_db *db, const char *inquiry_id,
		     const char *person_id, int confirm, const char *actor,
		     const char *reason, char **why)
{
	if (actor == NULL || actor[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL,
				   "a decision needs who makes it (--by)");
	if (reason == NULL || reason[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL,
				   "a decision needs its reason (--why)");
	/* An identity link in the queue is decided as a link: confirmed,
	 * or rejected, which revokes it. */
	size_t np = strlen(CARTEL_LINK_REVIEW_PREFIX);
	if (strncmp(inquiry_id, CARTEL_LINK_REVIEW_PREFIX, np) == 0) {
		const char *p = inquiry_id + np, *colon = strchr(p, ':');
		char party[CARTEL_PARTY_MAX] = "";
		if (colon != NULL && (size_t)(colon - p) < sizeof party) {
			memcpy(party, p, (size_t)(colon - p));
			party[colon - p] = '\0';
		}
		if (colon == NULL || !cartel_party_valid(party))
			return cartel__why(why, CARTEL_ENOTFOUND,
					   "'%.64s' names no identity link "
					   "(link:PARTY:THEIR_ID)",
					   inquiry_id);
		return cartel_link_decide(db, party, colon + 1, person_id,
					  confirm, actor, reason, why);
	}
	int own;
	int err = cartel__db_write_begin(db, &own, why);
	if (err != 0)
		return err;
	sqlite3_stmt *st = NULL;
	err = cartel__db_prep(db,
		   "SELECT c.state, coalesce(i.state, CASE WHEN i.status = "
		   "'resolved' THEN 'confirmed' ELSE 'open' END) FROM "
		   "match_candidate c JOIN match_inquiry i ON i.id = "
		   "c.inquiry_id WHERE c.inquiry_id = ?1 AND c.person_id = ?2",
		   &st, "reading the potential match", why);
	if (err == 0) {
		bind_text(st, 1, inquiry_id);
		bind_text(st, 2, person_id);
		int rc = sqlite3_step(st);
		const char *cs = rc == SQLITE_ROW ? (const char *)
				 sqlite3_column_text(st, 0) : NULL;
		const char *is = rc == SQLITE_ROW ? (const char *)
				 sqlite3_column_text(st, 1) : NULL;
		if (rc == SQLITE_DONE)
			err = cartel__why(why, CARTEL_ENOTFOUND,
					  "no potential match of person '%s' "
					  "for inquiry '%s'",
					  person_id, inquiry_id);
		else if (rc != SQLITE_ROW)
			err = cartel__db_err(db, rc,
					     "reading the potential match", why);
		else if (cs == NULL || strcmp(cs, "pending") != 0)
			err = cartel__why(why, CARTEL_ESTATE,
					  "the match of person '%s' for "
					  "inquiry '%s' is already %s",
					  person_id, inquiry_id,
					  cs ? cs : "decided");
		else if (confirm && is != NULL &&
			 (strcmp(is, "confirmed") == 0 ||
			  strcmp(is, "closed") == 0))
			err = cartel__why(why, CARTEL_ESTATE,
					  "inquiry '%s' is already %s: no "
					  "other match can be confirmed",
					  inquiry_id, is);
		sqlite3_finalize(st);
		st = NULL;
	}
	if (err == 0)
		err = held(db, CARTEL__LT_CANDIDATE, inquiry_id, person_id,
			   why);
	if (err == 0)
		err = held(db, CARTEL__LT_INQUIRY, inquiry_id, NULL, why);
	char now[32];
	cartel__now(now, sizeof now);
	/* A confirmation is first an event on the person (the family is to
	 * be called back with it), then the inquiry's own rows. */
	if (err == 0 && confirm) {
		char *list = inquiry_attr(db, person_id, inquiry_id, why);
		if (list == NULL)
			err = CARTEL_ENOMEM;
		if (err == 0) {
			struct cartel_event ev = {0};
			ev.person_id = person_id;
			ev.field = "attr:inquiry";
			ev.new_value = list;
			ev.prov.actor = actor;
			ev.prov.source = CARTEL_SRC_FAMILY_REPORT;
			ev.prov.source_ref = inquiry_id;
			ev.prov.note = reason;
			err = cartel_event_add(db, &ev, why);
		}
		free(list);
	}
	if (err == 0)
		err = cand_decide(db, inquiry_id, person_id,
				  confirm ? "confirmed" : "rejected", actor,
				  now, reason, why);
	if (err == 0)
		err = cartel__inquiry_history(db, inquiry_id, now, actor,
					      confirm ? "confirmed"
						      : "rejected",
					      person_id, reason, why);
	char **others = NULL;
	size_t n_others = 0;
	if (err == 0)
		err = other_pending(db, inquiry_id, person_id, &others,
				    &n_others, why);
	if (err == 0 && confirm) {
		/* One man is found: the inquiry's other candidates are not
		 * him, and leave the review queue. */
		static const char closed[] = "another candidate confirmed";
		for (size_t i = 0; err == 0 && i < n_others; i++) {
			err = held(db, CARTEL__LT_CANDIDATE, inquiry_id,
				   others[i], why);
			if (err == 0)
				err = cand_decide(db, inquiry_id, others[i],
						  "rejected", actor, now,
						  closed, why);
			if (err == 0)
				err = cartel__inquiry_history(
					db, inquiry_id, now, actor,
					"candidate closed", others[i], closed,
					why);
		}
		if (err == 0)
			err = cartel__inquiry_set_state(db, inquiry_id,
							"confirmed", why);
	} else if (err == 0 && n_others == 0) {
		/* The last candidate rejected: the inquiry is open again,
		 * unless a match was confirmed or it was closed. */
		err = cartel__db_prep(db,
			   "SELECT state FROM match_inquiry WHERE id = ?1 AND "
			   "(state IS NULL OR state = 'candidate_found') AND "
			   "status = 'open'",
			   &st, "reading the inquiry", why);
		if (err == 0) {
			bind_text(st, 1, inquiry_id);
			int rc = sqlite3_step(st);
			sqlite3_finalize(st);
			if (rc == SQLITE_ROW)
				err = cartel__inquiry_set_state(db, inquiry_id,
								"open", why);
			else if (rc != SQLITE_DONE)
				err = cartel__db_err(db, rc,
						     "reading the inquiry", why);
		}
	}
	for (size_t i = 0; i < n_others; i++)
		free(others[i]);
	free(others);
	if (err == 0) {
		char *subject = cartel__asprintf("%s/%s", inquiry_id,
						 person_id);
		err = subject ? cartel_audit_append(db, actor,
						    confirm ? "review.confirm"
							    : "review.reject",
						    subject, reason, why)
			      : CARTEL_ENOMEM;
		free(subject);
	}
	return cartel__db_write_end(db, own, err, why);
}
