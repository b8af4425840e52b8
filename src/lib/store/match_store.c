/*
 * The rows of matching: inquiries, the potential matches found for them,
 * and the review decisions (tables of migration "0200-match"), as
 * store/match_rows.h offers them to the match module (match/review.c),
 * which holds what they mean. This file holds the SQL (prepared
 * statements, bound parameters) and checks the rows it reads against the
 * audit's row ledger.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cartel/error.h>
#include <cartel/inquiry.h>
#include <cartel/match.h>
#include <cartel/register.h>
#include <cartel/store.h>

#include "core/why.h"
#include "store/store_int.h"

/* Checks a row read for a command against the audit chain (the row
 * ledger), so that a row changed behind the register's back is refused. */
static int
held(struct cartel_db *db, int t, const char *k1, const char *k2, char **why)
{
	return cartel__ledger_check_row(db, t, k1, k2, why);
}

int
cartel__candidate_held(struct cartel_db *db, const char *inquiry_id,
		       const char *person_id, char **why)
{
	return held(db, CARTEL__LT_CANDIDATE, inquiry_id, person_id, why);
}

int
cartel__inquiry_held(struct cartel_db *db, const char *inquiry_id, char **why)
{
	return held(db, CARTEL__LT_INQUIRY, inquiry_id, NULL, why);
}

int
cartel__inquiry_insert(struct cartel_db *db,
		       const struct cartel_inquiry_request *req,
		       const char *actor, const char *now, char *id,
		       size_t id_size, char **why)
{
	const struct cartel_person *q = req->sought;
	sqlite3_stmt *st = NULL;
	int err;
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
			snprintf(id, id_size, "INQ-%06lld",
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
	if (err == 0) {
		char born[16], seen[16];
		cartel_date_format(&q->birth_date, born, sizeof born);
		cartel_date_format(&req->last_seen_on, seen, sizeof seen);
		cartel__bind_text_or_null(st, 1, id);
		cartel__bind_text_or_null(st, 2, now);
		cartel__bind_text_or_null(st, 3, actor);
		cartel__bind_text_or_null(st, 4, q->family_name);
		cartel__bind_text_or_null(st, 5, q->given_name);
		cartel__bind_text_or_null(st, 6, q->patronymic);
		cartel__bind_text_or_null(st, 7, born);
		cartel__bind_text_or_null(st, 8, q->birth_place);
		cartel__bind_text_or_null(st, 9, q->service_number);
		cartel__bind_text_or_null(st, 10, req->contact);
		cartel__bind_text_or_null(st, 11, req->requester);
		cartel__bind_text_or_null(st, 12, req->relation);
		cartel__bind_text_or_null(st, 13, req->typed);
		cartel__bind_text_or_null(st, 14, q->unit);
		cartel__bind_text_or_null(st, 15, req->last_seen_place);
		cartel__bind_text_or_null(st, 16, seen);
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
	return err;
}

void
cartel__inquiries_free(struct cartel__inq *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].id);
		cartel_person_clear(&v[i].q);
	}
	free(v);
}

int
cartel__inquiries_load(struct cartel_db *db, const char *id,
		       struct cartel__inq **out, size_t *n, char **why)
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
		cartel__bind_text_or_null(st, 1, id);
	struct cartel__inq *v = NULL;
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			struct cartel__inq *nv = realloc(v, cap * sizeof *nv);
			if (nv == NULL) {
				err = CARTEL_ENOMEM;
				break;
			}
			v = nv;
		}
		struct cartel__inq *it = &v[(*n)++];
		memset(it, 0, sizeof *it);
		it->id = cartel__col_dup(st, 0);
		it->q.id = cartel__col_dup(st, 0);
		it->q.family_name = cartel__col_dup(st, 1);
		it->q.given_name = cartel__col_dup(st, 2);
		it->q.patronymic = cartel__col_dup(st, 3);
		const char *born = (const char *)sqlite3_column_text(st, 4);
		if (born != NULL)
			cartel_date_parse(born, &it->q.birth_date, NULL);
		it->q.birth_place = cartel__col_dup(st, 5);
		it->q.service_number = cartel__col_dup(st, 6);
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
		cartel__inquiries_free(v, *n);
		*n = 0;
		return err;
	}
	*out = v;
	return 0;
}

int
cartel__candidates_keep(struct cartel_db *db, const char *inquiry_id,
			const struct cartel_search_hit *c, size_t nc,
			const char *now, size_t *added, char **why)
{
	*added = 0;
	if (nc == 0)
		return 0;
	sqlite3_stmt *ins = NULL;
	int err = cartel__db_prep(db,
		   "INSERT OR IGNORE INTO match_candidate (inquiry_id, "
		   "person_id, score, band, explanation, found_at) "
		   "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
		   &ins, "keeping potential matches", why);
	for (size_t k = 0; err == 0 && k < nc; k++) {
		sqlite3_reset(ins);
		cartel__bind_text_or_null(ins, 1, inquiry_id);
		cartel__bind_text_or_null(ins, 2, c[k].person.id);
		sqlite3_bind_double(ins, 3, c[k].probability);
		cartel__bind_text_or_null(ins, 4,
			  c[k].band == CARTEL_BAND_MATCH ? "match" : "review");
		cartel__bind_text_or_null(ins, 5, c[k].explanation);
		cartel__bind_text_or_null(ins, 6, now);
		int rc = sqlite3_step(ins);
		if (rc != SQLITE_DONE) {
			err = cartel__db_err(db, rc,
					     "keeping potential matches", why);
		} else if (sqlite3_changes(cartel__db_sqlite(db)) > 0) {
			(*added)++;
			err = cartel__ledger_touch(db, CARTEL__LT_CANDIDATE,
						   inquiry_id, c[k].person.id,
						   why);
		}
	}
	if (ins != NULL)
		sqlite3_finalize(ins);
	return err;
}

int
cartel__candidates_list(struct cartel_db *db, int all,
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
		it->inquiry_id = cartel__col_dup(st, 0);
		it->person_id = cartel__col_dup(st, 1);
		it->score = sqlite3_column_double(st, 2);
		it->band = cartel__col_dup(st, 3);
		it->state = cartel__col_dup(st, 4);
		it->explanation = cartel__col_dup(st, 5);
		it->found_at = cartel__col_dup(st, 6);
		it->decided_by = cartel__col_dup(st, 7);
		it->decided_at = cartel__col_dup(st, 8);
		it->reason = cartel__col_dup(st, 9);
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
	if (err != 0) {
		cartel_review_items_free(v, *n);
		*n = 0;
		return err;
	}
	*out = v;
	return 0;
}

/* Sets one candidate's decision and records the row in the ledger. */
int
cartel__candidate_decide(struct cartel_db *db, const char *inquiry_id,
			 const char *person_id, const char *state,
			 const char *actor, const char *at,
			 const char *reason, char **why)
{
	sqlite3_stmt *st;
	int err = cartel__db_prep(db,
		       "UPDATE match_candidate SET state = ?3, "
		       "decided_by = ?4, decided_at = ?5, reason = ?6 "
		       "WHERE inquiry_id = ?1 AND person_id = ?2",
		       &st, "recording the decision", why);
	if (err != 0)
		return err;
	cartel__bind_text_or_null(st, 1, inquiry_id);
	cartel__bind_text_or_null(st, 2, person_id);
	cartel__bind_text_or_null(st, 3, state);
	cartel__bind_text_or_null(st, 4, actor);
	cartel__bind_text_or_null(st, 5, at);
	cartel__bind_text_or_null(st, 6, reason);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return cartel__db_err(db, rc, "recording the decision", why);
	return cartel__ledger_touch(db, CARTEL__LT_CANDIDATE, inquiry_id,
				    person_id, why);
}

/* The ids of inquiry_id's pending candidates other than person_id
 * (malloc'd array of malloc'd strings). */
int
cartel__candidates_others(struct cartel_db *db, const char *inquiry_id,
			  const char *person_id, char ***out, size_t *n,
			  char **why)
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
	cartel__bind_text_or_null(st, 1, inquiry_id);
	cartel__bind_text_or_null(st, 2, person_id);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char **nv = realloc(*out, (*n + 1) * sizeof *nv);
		if (nv == NULL) {
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
			break;
		}
		*out = nv;
		if (((*out)[*n] = cartel__col_dup(st, 0)) == NULL) {
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

int
cartel__candidate_get(struct cartel_db *db, const char *inquiry_id,
		      const char *person_id, char **state,
		      char **inquiry_state, char **why)
{
	*state = NULL;
	*inquiry_state = NULL;
	sqlite3_stmt *st = NULL;
	int err = cartel__db_prep(db,
		   "SELECT c.state, coalesce(i.state, CASE WHEN i.status = "
		   "'resolved' THEN 'confirmed' ELSE 'open' END) FROM "
		   "match_candidate c JOIN match_inquiry i ON i.id = "
		   "c.inquiry_id WHERE c.inquiry_id = ?1 AND c.person_id = ?2",
		   &st, "reading the potential match", why);
	if (err != 0)
		return err;
	cartel__bind_text_or_null(st, 1, inquiry_id);
	cartel__bind_text_or_null(st, 2, person_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		err = cartel__why(why, CARTEL_ENOTFOUND,
				  "no potential match of person '%s' for "
				  "inquiry '%s'",
				  person_id, inquiry_id);
	} else if (rc != SQLITE_ROW) {
		err = cartel__db_err(db, rc, "reading the potential match",
				     why);
	} else {
		*state = cartel__col_dup(st, 0);
		*inquiry_state = cartel__col_dup(st, 1);
		if ((sqlite3_column_type(st, 0) != SQLITE_NULL &&
		     *state == NULL) ||
		    (sqlite3_column_type(st, 1) != SQLITE_NULL &&
		     *inquiry_state == NULL))
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	}
	sqlite3_finalize(st);
	if (err != 0) {
		free(*state);
		free(*inquiry_state);
		*state = *inquiry_state = NULL;
	}
	return err;
}

int
cartel__inquiry_waiting(struct cartel_db *db, const char *inquiry_id,
			int *yes, char **why)
{
	*yes = 0;
	sqlite3_stmt *st = NULL;
	int err = cartel__db_prep(db,
		   "SELECT state FROM match_inquiry WHERE id = ?1 AND "
		   "(state IS NULL OR state = 'candidate_found') AND "
		   "status = 'open'",
		   &st, "reading the inquiry", why);
	if (err != 0)
		return err;
	cartel__bind_text_or_null(st, 1, inquiry_id);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		*yes = 1;
	else if (rc != SQLITE_DONE)
		err = cartel__db_err(db, rc, "reading the inquiry", why);
	return err;
}
