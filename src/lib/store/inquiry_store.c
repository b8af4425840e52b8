/*
 * An inquiry's life in the register (migration "0500-inquiry-life"): the
 * inquiry read back with its candidates and history, closing it, and the
 * call-back list that events on the persons it concerns fill.
 *
 * The intake, the matching and the review decisions are in match_store.c;
 * both files write history lines through cartel__inquiry_history and
 * states through cartel__inquiry_set_state. Every row written here is
 * recorded in the row ledger before the audit entry that covers it, and
 * every row read for an answer or an action is checked against it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cartel/error.h>
#include <cartel/inquiry.h>
#include <cartel/limits.h>
#include <cartel/match.h>
#include <cartel/register.h>
#include <cartel/store.h>

#include "core/intl.h"
#include "core/why.h"
#include "store/account_rows.h"
#include "store/store_int.h"

static void
col_date(sqlite3_stmt *st, int i, struct cartel_date *d)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	memset(d, 0, sizeof *d);
	if (s != NULL)
		cartel_date_parse(s, d, NULL);
}

/* Runs a statement that returns no rows, and finalizes it. */
static int
step_done(struct cartel_db *db, sqlite3_stmt *st, const char *doing,
	  char **why)
{
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : cartel__db_err(db, rc, doing, why);
}

static const char *const state_names[] = {"open", "candidate_found",
					  "confirmed", "closed"};
static const char *const state_texts[] = {
	NC_("inquiry", "open"), NC_("inquiry", "candidate found"),
	NC_("inquiry", "confirmed"), NC_("inquiry", "closed")};

const char *
cartel_inquiry_state_name(enum cartel_inquiry_state s)
{
	return (unsigned)s < 4 ? state_names[s] : "open";
}

const char *
cartel_inquiry_state_text(enum cartel_inquiry_state s)
{
	return cartel_pgettext("inquiry",
			       (unsigned)s < 4 ? state_texts[s] : "open");
}

static enum cartel_inquiry_state
state_parse(const char *s)
{
	for (int i = 0; s != NULL && i < 4; i++)
		if (strcmp(s, state_names[i]) == 0)
			return (enum cartel_inquiry_state)i;
	return CARTEL_INQUIRY_OPEN;
}

/* An inquiry's state as a column: the state column, or for an inquiry
 * written before it existed, what its status and candidates say. */
#define STATE_EXPR                                                             \
	"coalesce(i.state, CASE WHEN i.status = 'resolved' THEN 'confirmed' "  \
	"WHEN EXISTS (SELECT 1 FROM match_candidate c WHERE c.inquiry_id = "   \
	"i.id AND c.state = 'pending') THEN 'candidate_found' ELSE 'open' END)"

/* ---- History and state ---- */

int
cartel__inquiry_history(struct cartel_db *db, const char *id, const char *at,
			const char *actor, const char *what,
			const char *person_id, const char *detail, char **why)
{
	char now[32];
	if (at == NULL)
		at = cartel__now(now, sizeof now);
	sqlite3_stmt *st;
	int err = cartel__db_prep(db,
		       "INSERT INTO inquiry_history (inquiry_id, at, actor, "
		       "what, person_id, detail) VALUES (?1, ?2, ?3, ?4, ?5, "
		       "?6)",
		       &st, "writing the inquiry's history", why);
	if (err != 0)
		return err;
	cartel__bind_text_or_null(st, 1, id);
	cartel__bind_text_or_null(st, 2, at);
	cartel__bind_text_or_null(st, 3, actor);
	cartel__bind_text_or_null(st, 4, what);
	cartel__bind_text_or_null(st, 5, person_id);
	cartel__bind_text_or_null(st, 6, detail);
	err = step_done(db, st, "writing the inquiry's history", why);
	if (err != 0)
		return err;
	char key[32];
	snprintf(key, sizeof key, "%lld",
		 (long long)sqlite3_last_insert_rowid(cartel__db_sqlite(db)));
	return cartel__ledger_touch(db, CARTEL__LT_INQUIRY_HISTORY, key, NULL,
				    why);
}

int
cartel__inquiry_set_state(struct cartel_db *db, const char *id,
			  const char *state, char **why)
{
	sqlite3_stmt *st;
	int err = cartel__db_prep(db,
		       "UPDATE match_inquiry SET state = ?2, status = CASE "
		       "WHEN ?2 IN ('confirmed', 'closed') THEN 'resolved' "
		       "ELSE 'open' END WHERE id = ?1",
		       &st, "recording the inquiry's state", why);
	if (err != 0)
		return err;
	cartel__bind_text_or_null(st, 1, id);
	cartel__bind_text_or_null(st, 2, state);
	err = step_done(db, st, "recording the inquiry's state", why);
	if (err == 0)
		err = cartel__ledger_touch(db, CARTEL__LT_INQUIRY, id, NULL,
					   why);
	return err;
}

/* ---- Reading inquiries ---- */

void
cartel_inquiry_clear(struct cartel_inquiry *q)
{
	if (q == NULL)
		return;
	char **s[] = {&q->id,          &q->created_at,     &q->created_by,
		      &q->requester,   &q->relation,       &q->contact,
		      &q->typed,       &q->family_name,    &q->given_name,
		      &q->patronymic,  &q->birth_place,    &q->service_number,
		      &q->unit,        &q->last_seen_place, &q->closed_at,
		      &q->closed_by,   &q->closed_reason};
	for (size_t i = 0; i < sizeof s / sizeof *s; i++)
		free(*s[i]);
	for (size_t i = 0; i < q->n_cand; i++) {
		struct cartel_inquiry_candidate *c = &q->cand[i];
		free(c->person_id);
		free(c->band);
		free(c->state);
		free(c->explanation);
		free(c->found_at);
		free(c->decided_by);
		free(c->decided_at);
		free(c->reason);
		free(c->status);
		free(c->held_by);
		free(c->status_text);
	}
	free(q->cand);
	for (size_t i = 0; i < q->n_history; i++) {
		struct cartel_inquiry_change *h = &q->history[i];
		free(h->at);
		free(h->actor);
		free(h->what);
		free(h->person_id);
		free(h->detail);
	}
	free(q->history);
	memset(q, 0, sizeof *q);
}

void
cartel_inquiries_free(struct cartel_inquiry *v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		cartel_inquiry_clear(&v[i]);
	free(v);
}

#define INQ_COLS                                                               \
	"i.id, i.created_at, i.created_by, i.requester, i.relation, "          \
	"i.contact, i.typed, i.family_name, i.given_name, i.patronymic, "      \
	"i.birth_date, i.birth_place, i.service_number, i.unit, "              \
	"i.last_seen_place, i.last_seen_on, " STATE_EXPR ", i.closed_at, "     \
	"i.closed_by, i.closed_reason, (SELECT count(*) FROM "                 \
	"inquiry_callback b WHERE b.inquiry_id = i.id AND b.done_at IS NULL "  \
	"AND i.state IS NOT 'closed')"

/* Fills *q from a row of INQ_COLS; checks it against the ledger. */
static int
inq_row(struct cartel_db *db, sqlite3_stmt *st, struct cartel_inquiry *q,
	char **why)
{
	memset(q, 0, sizeof *q);
	q->id = cartel__col_dup(st, 0);
	q->created_at = cartel__col_dup(st, 1);
	q->created_by = cartel__col_dup(st, 2);
	q->requester = cartel__col_dup(st, 3);
	q->relation = cartel__col_dup(st, 4);
	q->contact = cartel__col_dup(st, 5);
	q->typed = cartel__col_dup(st, 6);
	q->family_name = cartel__col_dup(st, 7);
	q->given_name = cartel__col_dup(st, 8);
	q->patronymic = cartel__col_dup(st, 9);
	col_date(st, 10, &q->birth_date);
	q->birth_place = cartel__col_dup(st, 11);
	q->service_number = cartel__col_dup(st, 12);
	q->unit = cartel__col_dup(st, 13);
	q->last_seen_place = cartel__col_dup(st, 14);
	col_date(st, 15, &q->last_seen_on);
	q->state = state_parse((const char *)sqlite3_column_text(st, 16));
	q->closed_at = cartel__col_dup(st, 17);
	q->closed_by = cartel__col_dup(st, 18);
	q->closed_reason = cartel__col_dup(st, 19);
	q->n_callbacks_due = (size_t)sqlite3_column_int64(st, 20);
	if (q->id == NULL)
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	return cartel__ledger_check_row(db, CARTEL__LT_INQUIRY, q->id, NULL,
					why);
}

int
cartel_inquiry_list(struct cartel_db *db, int open_only, const char *since,
		    struct cartel_inquiry **out, size_t *n, char **why)
{
	*out = NULL;
	*n = 0;
	char from[16] = "";
	if (since != NULL) {
		struct cartel_date d;
		int err = cartel_date_parse(since, &d, why);
		if (err != 0)
			return err;
		cartel_date_format(&d, from, sizeof from);
	}
	sqlite3_stmt *st;
	int err = cartel__db_prep(db,
		       "SELECT " INQ_COLS " FROM match_inquiry i WHERE "
		       "(?1 = 0 OR " STATE_EXPR " IN ('open', "
		       "'candidate_found')) AND (?2 IS NULL OR i.created_at "
		       ">= ?2) ORDER BY i.rowid",
		       &st, "reading inquiries", why);
	if (err != 0)
		return err;
	sqlite3_bind_int(st, 1, open_only != 0);
	cartel__bind_text_or_null(st, 2, from);
	struct cartel_inquiry *v = NULL;
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			struct cartel_inquiry *nv =
				realloc(v, cap * sizeof *nv);
			if (nv == NULL) {
				err = cartel__why(why, CARTEL_ENOMEM,
						  "out of memory");
				break;
			}
			v = nv;
		}
		err = inq_row(db, st, &v[(*n)++], why);
		if (err != 0)
			break;
	}
	if (err == 0 && rc != SQLITE_DONE)
		err = cartel__db_err(db, rc, "reading inquiries", why);
	sqlite3_finalize(st);
	if (err != 0) {
		cartel_inquiries_free(v, *n);
		*n = 0;
		return err;
	}
	*out = v;
	return 0;
}

/* Where candidate person_id stands: status, holder, and in words. */
static int
cand_status(struct cartel_db *db, struct cartel_inquiry_candidate *c,
	    char **why)
{
	struct cartel_person p;
	memset(&p, 0, sizeof p);
	char *e = NULL;
	int err = cartel_person_get(db, c->person_id, &p, &e);
	if (err == CARTEL_ENOTFOUND) {
		free(e);
		c->status_text = cartel__strdup(_("no longer in the register"));
		return c->status_text ? 0 : CARTEL_ENOMEM;
	}
	if (err != 0) {
		if (why != NULL) {
			free(*why);
			*why = e;
		} else {
			free(e);
		}
		return err;
	}
	/* A candidate merged since into another record is that man: say so,
	 * and where he stands, so that one man found twice before the merge
	 * does not read as two. */
	const char *id = p.id != NULL ? p.id : c->person_id;
	int alias = strcmp(id, c->person_id) != 0;
	char *on = NULL;
	err = cartel__status_day(db, id, &on, why);
	if (err == 0) {
		char words[256], both[sizeof words + 96];
		cartel_search_status_text(&p, on, words, sizeof words);
		if (alias)
			snprintf(both, sizeof both, "merged into %.64s: %s", id,
				 words);
		c->status_text = cartel__strdup(alias ? both : words);
		c->status = cartel__strdup(
			cartel_enum_name(CARTEL_ENUM_STATUS, (int)p.status));
		if (p.held_by != NULL)
			c->held_by = cartel__strdup(p.held_by);
		if (c->status_text == NULL || c->status == NULL)
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	}
	free(on);
	cartel_person_clear(&p);
	return err;
}

static int
load_candidates(struct cartel_db *db, struct cartel_inquiry *q, char **why)
{
	sqlite3_stmt *st;
	int err = cartel__db_prep_cached(db,
		       "SELECT person_id, score, band, state, explanation, "
		       "found_at, decided_by, decided_at, reason FROM "
		       "match_candidate WHERE inquiry_id = ?1 "
		       "ORDER BY score DESC, person_id",
		       &st, "reading potential matches", why);
	if (err != 0)
		return err;
	cartel__bind_text_or_null(st, 1, q->id);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (q->n_cand == cap) {
			cap = cap ? 2 * cap : 8;
			struct cartel_inquiry_candidate *nv =
				realloc(q->cand, cap * sizeof *nv);
			if (nv == NULL) {
				err = cartel__why(why, CARTEL_ENOMEM,
						  "out of memory");
				break;
			}
			q->cand = nv;
		}
		struct cartel_inquiry_candidate *c = &q->cand[q->n_cand++];
		memset(c, 0, sizeof *c);
		c->person_id = cartel__col_dup(st, 0);
		c->score = sqlite3_column_double(st, 1);
		c->band = cartel__col_dup(st, 2);
		c->state = cartel__col_dup(st, 3);
		c->explanation = cartel__col_dup(st, 4);
		c->found_at = cartel__col_dup(st, 5);
		c->decided_by = cartel__col_dup(st, 6);
		c->decided_at = cartel__col_dup(st, 7);
		c->reason = cartel__col_dup(st, 8);
		if (c->person_id == NULL) {
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
			break;
		}
		err = cartel__ledger_check_row(db, CARTEL__LT_CANDIDATE, q->id,
					       c->person_id, why);
		if (err == 0)
			err = cand_status(db, c, why);
		if (err != 0)
			break;
	}
	if (err == 0 && rc != SQLITE_DONE)
		err = cartel__db_err(db, rc, "reading potential matches", why);
	cartel__db_done(db, st);
	return err;
}

static int
load_history(struct cartel_db *db, struct cartel_inquiry *q, char **why)
{
	sqlite3_stmt *st;
	int err = cartel__db_prep_cached(db,
		       "SELECT seq, at, actor, what, person_id, detail FROM "
		       "inquiry_history WHERE inquiry_id = ?1 ORDER BY seq",
		       &st, "reading the inquiry's history", why);
	if (err != 0)
		return err;
	cartel__bind_text_or_null(st, 1, q->id);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (q->n_history == cap) {
			cap = cap ? 2 * cap : 8;
			struct cartel_inquiry_change *nv =
				realloc(q->history, cap * sizeof *nv);
			if (nv == NULL) {
				err = cartel__why(why, CARTEL_ENOMEM,
						  "out of memory");
				break;
			}
			q->history = nv;
		}
		struct cartel_inquiry_change *h = &q->history[q->n_history++];
		memset(h, 0, sizeof *h);
		h->seq = sqlite3_column_int64(st, 0);
		h->at = cartel__col_dup(st, 1);
		h->actor = cartel__col_dup(st, 2);
		h->what = cartel__col_dup(st, 3);
		h->person_id = cartel__col_dup(st, 4);
		h->detail = cartel__col_dup(st, 5);
		char key[32];
		snprintf(key, sizeof key, "%lld", h->seq);
		err = cartel__ledger_check_row(db, CARTEL__LT_INQUIRY_HISTORY,
					       key, NULL, why);
		if (err != 0)
			break;
	}
	if (err == 0 && rc != SQLITE_DONE)
		err = cartel__db_err(db, rc, "reading the inquiry's history",
				     why);
	cartel__db_done(db, st);
	return err;
}

/* Reads inquiry id's row alone into *q. */
static int
inq_get_row(struct cartel_db *db, const char *id, struct cartel_inquiry *q,
	    char **why)
{
	memset(q, 0, sizeof *q);
	sqlite3_stmt *st;
	int err = cartel__db_prep_cached(db,
		       "SELECT " INQ_COLS " FROM match_inquiry i "
		       "WHERE i.id = ?1",
		       &st, "reading the inquiry", why);
	if (err != 0)
		return err;
	cartel__bind_text_or_null(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		err = inq_row(db, st, q, why);
	else if (rc == SQLITE_DONE)
		err = cartel__why(why, CARTEL_ENOTFOUND, "no inquiry '%.64s'",
				  id);
	else
		err = cartel__db_err(db, rc, "reading the inquiry", why);
	cartel__db_done(db, st);
	if (err != 0)
		cartel_inquiry_clear(q);
	return err;
}

int
cartel_inquiry_get(struct cartel_db *db, const char *id,
		   struct cartel_inquiry *out, char **why)
{
	if (id == NULL || id[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL, "which inquiry?");
	int err = inq_get_row(db, id, out, why);
	if (err == 0)
		err = load_candidates(db, out, why);
	if (err == 0)
		err = load_history(db, out, why);
	if (err != 0)
		cartel_inquiry_clear(out);
	return err;
}

/* ---- Closing ---- */

int
cartel_inquiry_close(struct cartel_db *db, const char *id, const char *reason,
		     const char *actor, char **why)
{
	if (id == NULL || id[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL, "which inquiry?");
	if (actor == NULL || actor[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL,
				   "closing an inquiry needs who closes it "
				   "(--by)");
	if (reason == NULL || reason[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL,
				   "closing an inquiry needs its reason "
				   "(--reason)");
	if (strlen(reason) > CARTEL_LIMIT_FIELD ||
	    strlen(actor) > CARTEL_LIMIT_FIELD)
		return cartel__why(why, CARTEL_ERANGE,
				   "the reason or who closes is longer than "
				   "%u bytes",
				   CARTEL_LIMIT_FIELD);
	int own;
	int err = cartel__db_write_begin(db, &own, why);
	if (err != 0)
		return err;
	struct cartel_inquiry q;
	err = inq_get_row(db, id, &q, why);
	if (err == 0 && q.state == CARTEL_INQUIRY_CLOSED)
		err = cartel__why(why, CARTEL_ESTATE,
				  "inquiry %.64s is already closed (on %.10s "
				  "by %.64s); nothing changed",
				  id, q.closed_at ? q.closed_at : "?",
				  q.closed_by ? q.closed_by : "?");
	char now[32];
	cartel__now(now, sizeof now);
	sqlite3_stmt *st = NULL;
	if (err == 0)
		err = cartel__db_prep(db,
			   "UPDATE match_inquiry SET closed_at = ?2, "
			   "closed_by = ?3, closed_reason = ?4 WHERE id = ?1",
			   &st, "closing the inquiry", why);
	if (err == 0) {
		cartel__bind_text_or_null(st, 1, id);
		cartel__bind_text_or_null(st, 2, now);
		cartel__bind_text_or_null(st, 3, actor);
		cartel__bind_text_or_null(st, 4, reason);
		err = step_done(db, st, "closing the inquiry", why);
	}
	if (err == 0)
		err = cartel__inquiry_set_state(db, id, "closed", why);
	/* Its candidates still pending leave the review queue with it. */
	char **pending = NULL;
	size_t n_pending = 0;
	if (err == 0)
		err = cartel__db_prep(db,
			   "SELECT person_id FROM match_candidate WHERE "
			   "inquiry_id = ?1 AND state = 'pending' "
			   "ORDER BY person_id",
			   &st, "reading potential matches", why);
	if (err == 0) {
		cartel__bind_text_or_null(st, 1, id);
		int rc;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			char **nv = realloc(pending,
					    (n_pending + 1) * sizeof *nv);
			if (nv == NULL) {
				err = cartel__why(why, CARTEL_ENOMEM,
						  "out of memory");
				break;
			}
			pending = nv;
			pending[n_pending] = cartel__col_dup(st, 0);
			if (pending[n_pending++] == NULL) {
				err = cartel__why(why, CARTEL_ENOMEM,
						  "out of memory");
				break;
			}
		}
		if (err == 0 && rc != SQLITE_DONE)
			err = cartel__db_err(db, rc,
					     "reading potential matches", why);
		sqlite3_finalize(st);
	}
	for (size_t i = 0; err == 0 && i < n_pending; i++) {
		err = cartel__ledger_check_row(db, CARTEL__LT_CANDIDATE, id,
					       pending[i], why);
		if (err == 0)
			err = cartel__db_prep(db,
				   "UPDATE match_candidate SET state = "
				   "'rejected', decided_by = ?3, decided_at = "
				   "?4, reason = 'the inquiry was closed' "
				   "WHERE inquiry_id = ?1 AND person_id = ?2",
				   &st, "closing a potential match", why);
		if (err == 0) {
			cartel__bind_text_or_null(st, 1, id);
			cartel__bind_text_or_null(st, 2, pending[i]);
			cartel__bind_text_or_null(st, 3, actor);
			cartel__bind_text_or_null(st, 4, now);
			err = step_done(db, st, "closing a potential match",
					why);
		}
		if (err == 0)
			err = cartel__ledger_touch(db, CARTEL__LT_CANDIDATE, id,
						   pending[i], why);
	}
	for (size_t i = 0; i < n_pending; i++)
		free(pending[i]);
	free(pending);
	if (err == 0)
		err = cartel__inquiry_history(db, id, now, actor, "closed",
					      NULL, reason, why);
	if (err == 0)
		err = cartel_audit_append(db, actor, "inquiry.close", id,
					  "inquiry closed", why);
	cartel_inquiry_clear(&q);
	return cartel__db_write_end(db, own, err, why);
}

/* ---- Call-backs: made due where events are written ---- */

void
cartel__inquiry_due_clear(struct cartel__inquiry_due *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].inquiry_id);
		free(d->v[i].person_id);
	}
	free(d->v);
	memset(d, 0, sizeof *d);
}

static int
due_push(struct cartel__inquiry_due *d, const char *inquiry_id,
	 const char *person_id, long long event_seq)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 8;
		struct cartel__due_rec *v = realloc(d->v, cap * sizeof *v);
		if (v == NULL)
			return CARTEL_ENOMEM;
		d->v = v;
		d->cap = cap;
	}
	struct cartel__due_rec *r = &d->v[d->n];
	r->inquiry_id = cartel__strdup(inquiry_id);
	r->person_id = cartel__strdup(person_id);
	r->event_seq = event_seq;
	if (r->inquiry_id == NULL || r->person_id == NULL) {
		free(r->inquiry_id);
		free(r->person_id);
		return CARTEL_ENOMEM;
	}
	d->n++;
	return 0;
}

int
cartel__inquiry_watch(struct cartel_db *db, const char *person_id,
		      const char *field, const char *source_ref,
		      long long event_seq, char **why)
{
	/* One probe of match_candidate_person per event. */
	sqlite3_stmt *st = cartel__db_stmt(
		db, CARTEL__ST_INQUIRY_WATCH,
		"SELECT c.inquiry_id FROM match_candidate c "
		"JOIN match_inquiry i ON i.id = c.inquiry_id "
		"WHERE c.person_id = ?1 AND c.state IN ('pending', "
		"'confirmed') AND i.state IS NOT 'closed' "
		"ORDER BY c.inquiry_id",
		why);
	if (st == NULL)
		return CARTEL_EDB;
	sqlite3_bind_text(st, 1, person_id, -1, SQLITE_STATIC);
	/* A confirmation concerns the inquiry confirmed, not the others
	 * about the same man. */
	int only_ref = strcmp(field, "attr:inquiry") == 0;
	int rc, err = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *inq = (const char *)sqlite3_column_text(st, 0);
		if (inq == NULL ||
		    (only_ref &&
		     (source_ref == NULL || strcmp(inq, source_ref) != 0)))
			continue;
		err = due_push(cartel__db_due(db), inq, person_id, event_seq);
		if (err != 0) {
			err = cartel__why(why, err, "out of memory");
			break;
		}
	}
	if (err == 0 && rc != SQLITE_DONE)
		err = cartel__db_err(db, rc,
				     "finding the inquiries of a person", why);
	sqlite3_reset(st);
	return err;
}

int
cartel__inquiry_flush(struct cartel_db *db, const char *actor, char **why)
{
	struct cartel__inquiry_due due = *cartel__db_due(db);
	memset(cartel__db_due(db), 0, sizeof due);
	if (due.n == 0)
		return 0;
	/* The call-backs get their own audit entry: the ledger records the
	 * caller is gathering for its own entry wait aside meanwhile. */
	struct cartel__ledger_pending *lp = cartel__db_ledger(db);
	struct cartel__ledger_rec *sv = lp->v;
	size_t sn = lp->n, scap = lp->cap;
	lp->v = NULL;
	lp->n = lp->cap = 0;
	char now[32];
	cartel__now(now, sizeof now);
	int err = 0;
	for (size_t i = 0; err == 0 && i < due.n; i++) {
		const struct cartel__due_rec *r = &due.v[i];
		sqlite3_stmt *st;
		err = cartel__db_prep(db,
			   "INSERT INTO inquiry_callback (inquiry_id, "
			   "person_id, event_seq, queued_at) VALUES (?1, ?2, "
			   "?3, ?4)",
			   &st, "putting an inquiry on the call-back list",
			   why);
		if (err != 0)
			break;
		cartel__bind_text_or_null(st, 1, r->inquiry_id);
		cartel__bind_text_or_null(st, 2, r->person_id);
		sqlite3_bind_int64(st, 3, r->event_seq);
		cartel__bind_text_or_null(st, 4, now);
		err = step_done(db, st,
				"putting an inquiry on the call-back list",
				why);
		char key[32], detail[64];
		snprintf(key, sizeof key, "%lld",
			 (long long)sqlite3_last_insert_rowid(
				 cartel__db_sqlite(db)));
		if (err == 0)
			err = cartel__ledger_touch(db, CARTEL__LT_CALLBACK, key,
						   NULL, why);
		snprintf(detail, sizeof detail, "event #%lld",
			 r->event_seq);
		if (err == 0)
			err = cartel__inquiry_history(db, r->inquiry_id, now,
						      actor, "call-back due",
						      r->person_id, detail,
						      why);
	}
	if (err == 0) {
		char detail[96];
		snprintf(detail, sizeof detail,
			 "%zu call-back%s due on a change to a person sought",
			 due.n, due.n == 1 ? "" : "s");
		err = cartel_audit_append(db, actor, "inquiry.callback",
					  due.n == 1 ? due.v[0].inquiry_id
						     : NULL,
					  detail, why);
	}
	cartel__ledger_pending_clear(lp);
	lp->v = sv;
	lp->n = sn;
	lp->cap = scap;
	cartel__inquiry_due_clear(&due);
	return err;
}

/* ---- Call-backs: the list ---- */

void
cartel_callbacks_free(struct cartel_callback *v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(v[i].inquiry_id);
		free(v[i].requester);
		free(v[i].relation);
		free(v[i].contact);
		for (size_t k = 0; k < v[i].n_changes; k++) {
			struct cartel_callback_change *c = &v[i].changes[k];
			free(c->person_id);
			free(c->at);
			free(c->text);
			free(c->done_at);
			free(c->done_by);
		}
		free(v[i].changes);
	}
	free(v);
}

/* The words of event_seq's change on person_id. */
static int
change_words(struct cartel_db *db, const char *person_id, long long event_seq,
	     char **at_out, char **text_out, char **why)
{
	sqlite3_stmt *st;
	int err = cartel__db_prep(db,
		       "SELECT field, new_value, at FROM events WHERE seq = ?1",
		       &st, "reading a change", why);
	if (err != 0)
		return err;
	sqlite3_bind_int64(st, 1, event_seq);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		return rc == SQLITE_DONE
			       ? cartel__why(why, CARTEL_ETAMPER,
					     "call-back on event #%lld, which "
					     "the register does not hold",
					     event_seq)
			       : cartel__db_err(db, rc, "reading a change",
						why);
	}
	const char *field = (const char *)sqlite3_column_text(st, 0);
	const char *value = (const char *)sqlite3_column_text(st, 1);
	const char *at = (const char *)sqlite3_column_text(st, 2);
	char day[16] = "";
	if (at != NULL)
		snprintf(day, sizeof day, "%.10s", at);
	struct cartel_person p;
	memset(&p, 0, sizeof p);
	char *e = NULL;
	int perr = cartel_person_get(db, person_id, &p, &e);
	free(e);
	if (perr == 0 && field != NULL)
		/* The person as the change left him; a value the field no
		 * longer takes leaves him as he is now. */
		cartel__person_apply(&p, field, value ? value : "", NULL);
	char words[320];
	cartel_inquiry_change_text(field, value, perr == 0 ? &p : NULL,
				   day[0] ? day : NULL, words, sizeof words);
	*at_out = at ? cartel__strdup(at) : NULL;
	*text_out = cartel__strdup(words);
	cartel_person_clear(&p);
	sqlite3_finalize(st);
	if (*text_out == NULL)
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	return 0;
}

int
cartel_inquiry_callbacks(struct cartel_db *db, int all,
			 struct cartel_callback **out, size_t *n, char **why)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st;
	int err = cartel__db_prep(
		db,
		"SELECT b.seq, b.inquiry_id, b.person_id, b.event_seq, "
		"b.done_at, b.done_by, i.requester, i.relation, i.contact, "
		STATE_EXPR ", (SELECT c.state = 'confirmed' FROM "
		"match_candidate c WHERE c.inquiry_id = b.inquiry_id AND "
		"c.person_id = b.person_id) FROM inquiry_callback b "
		"JOIN match_inquiry i ON i.id = b.inquiry_id "
		"WHERE (?1 = 1 OR (b.done_at IS NULL AND i.state IS NOT "
		"'closed')) ORDER BY i.rowid, b.seq",
		&st, "reading the call-back list", why);
	if (err != 0)
		return err;
	sqlite3_bind_int(st, 1, all != 0);
	struct cartel_callback *v = NULL;
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *inq = (const char *)sqlite3_column_text(st, 1);
		if (inq == NULL)
			continue;
		struct cartel_callback *cb =
			*n > 0 && strcmp(v[*n - 1].inquiry_id, inq) == 0
				? &v[*n - 1]
				: NULL;
		if (cb == NULL) {
			err = cartel__ledger_check_row(db, CARTEL__LT_INQUIRY,
						       inq, NULL, why);
			if (err != 0)
				break;
			if (*n == cap) {
				cap = cap ? 2 * cap : 8;
				struct cartel_callback *nv =
					realloc(v, cap * sizeof *nv);
				if (nv == NULL) {
					err = cartel__why(why, CARTEL_ENOMEM,
							  "out of memory");
					break;
				}
				v = nv;
			}
			cb = &v[(*n)++];
			memset(cb, 0, sizeof *cb);
			cb->inquiry_id = cartel__strdup(inq);
			cb->requester = cartel__col_dup(st, 6);
			cb->relation = cartel__col_dup(st, 7);
			cb->contact = cartel__col_dup(st, 8);
			cb->state = state_parse(
				(const char *)sqlite3_column_text(st, 9));
			if (cb->inquiry_id == NULL) {
				err = cartel__why(why, CARTEL_ENOMEM,
						  "out of memory");
				break;
			}
		}
		struct cartel_callback_change *nc =
			realloc(cb->changes,
				(cb->n_changes + 1) * sizeof *nc);
		if (nc == NULL) {
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
			break;
		}
		cb->changes = nc;
		struct cartel_callback_change *c = &nc[cb->n_changes++];
		memset(c, 0, sizeof *c);
		c->seq = sqlite3_column_int64(st, 0);
		c->person_id = cartel__col_dup(st, 2);
		c->event_seq = sqlite3_column_int64(st, 3);
		c->done_at = cartel__col_dup(st, 4);
		c->done_by = cartel__col_dup(st, 5);
		c->confirmed = sqlite3_column_int(st, 10) == 1;
		char key[32];
		snprintf(key, sizeof key, "%lld", c->seq);
		err = cartel__ledger_check_row(db, CARTEL__LT_CALLBACK, key,
					       NULL, why);
		if (err == 0 && c->person_id != NULL)
			err = change_words(db, c->person_id, c->event_seq,
					   &c->at, &c->text, why);
		if (err != 0)
			break;
	}
	if (err == 0 && rc != SQLITE_DONE)
		err = cartel__db_err(db, rc, "reading the call-back list", why);
	sqlite3_finalize(st);
	if (err != 0) {
		cartel_callbacks_free(v, *n);
		*n = 0;
		return err;
	}
	*out = v;
	return 0;
}

int
cartel_inquiry_callback_done(struct cartel_db *db, const char *id,
			     const char *actor, size_t *n_done, char **why)
{
	if (n_done != NULL)
		*n_done = 0;
	if (id == NULL || id[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL, "which inquiry?");
	if (actor == NULL || actor[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL,
				   "a call-back needs who made it (--by)");
	int own;
	int err = cartel__db_write_begin(db, &own, why);
	if (err != 0)
		return err;
	struct cartel_inquiry q;
	err = inq_get_row(db, id, &q, why);
	if (err == 0 && q.state == CARTEL_INQUIRY_CLOSED)
		err = cartel__why(why, CARTEL_ESTATE,
				  "inquiry %.64s is closed: nobody is to be "
				  "called back about it",
				  id);
	cartel_inquiry_clear(&q);
	long long *seqs = NULL;
	size_t n = 0;
	sqlite3_stmt *st = NULL;
	if (err == 0)
		err = cartel__db_prep(db,
			   "SELECT seq FROM inquiry_callback WHERE inquiry_id "
			   "= ?1 AND done_at IS NULL ORDER BY seq",
			   &st, "reading the call-back list", why);
	if (err == 0) {
		cartel__bind_text_or_null(st, 1, id);
		int rc;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			long long *nv = realloc(seqs, (n + 1) * sizeof *nv);
			if (nv == NULL) {
				err = cartel__why(why, CARTEL_ENOMEM,
						  "out of memory");
				break;
			}
			seqs = nv;
			seqs[n++] = sqlite3_column_int64(st, 0);
		}
		if (err == 0 && rc != SQLITE_DONE)
			err = cartel__db_err(db, rc,
					     "reading the call-back list", why);
		sqlite3_finalize(st);
	}
	if (err == 0 && n == 0)
		err = cartel__why(why, CARTEL_ESTATE,
				  "inquiry %.64s has no call-back due", id);
	char now[32];
	cartel__now(now, sizeof now);
	for (size_t i = 0; err == 0 && i < n; i++) {
		char key[32];
		snprintf(key, sizeof key, "%lld", seqs[i]);
		err = cartel__ledger_check_row(db, CARTEL__LT_CALLBACK, key,
					       NULL, why);
		if (err == 0)
			err = cartel__db_prep(db,
				   "UPDATE inquiry_callback SET done_at = ?2, "
				   "done_by = ?3 WHERE seq = ?1",
				   &st, "marking a call-back done", why);
		if (err == 0) {
			sqlite3_bind_int64(st, 1, seqs[i]);
			cartel__bind_text_or_null(st, 2, now);
			cartel__bind_text_or_null(st, 3, actor);
			err = step_done(db, st, "marking a call-back done",
					why);
		}
		if (err == 0)
			err = cartel__ledger_touch(db, CARTEL__LT_CALLBACK, key,
						   NULL, why);
	}
	free(seqs);
	if (err == 0) {
		char detail[64];
		snprintf(detail, sizeof detail, "%zu change%s told", n,
			 n == 1 ? "" : "s");
		err = cartel__inquiry_history(db, id, now, actor,
					      "called back", NULL, detail,
					      why);
	}
	if (err == 0)
		err = cartel_audit_append(db, actor, "inquiry.called_back", id,
					  "call-back made", why);
	err = cartel__db_write_end(db, own, err, why);
	if (err == 0 && n_done != NULL)
		*n_done = n;
	return err;
}

/* ---- What a family's case page reads ---- */

int
cartel__case_inquiry(struct cartel_db *db, const char *id, int *state,
		     char **confirmed, char **why)
{
	*confirmed = NULL;
	sqlite3_stmt *st;
	int err = cartel__db_prep_cached(db,
				       "SELECT " STATE_EXPR " FROM "
				       "match_inquiry i WHERE i.id = ?1",
				       &st, "reading the inquiry", why);
	if (err != 0)
		return err;
	cartel__bind_text_or_null(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*state = (int)state_parse(
			(const char *)sqlite3_column_text(st, 0));
	else if (rc == SQLITE_DONE)
		err = cartel__why(why, CARTEL_ENOTFOUND, "no such inquiry");
	else
		err = cartel__db_err(db, rc, "reading the inquiry", why);
	cartel__db_done(db, st);
	if (err == 0)
		err = cartel__ledger_check_row(db, CARTEL__LT_INQUIRY, id, NULL,
					       why);
	if (err != 0)
		return err;
	/* Only the confirmed candidates decide what the family reads; in
	 * the order cartel_inquiry_get lists them, the last one counts. */
	err = cartel__db_prep_cached(db,
				   "SELECT person_id FROM match_candidate "
				   "WHERE inquiry_id = ?1 AND state = "
				   "'confirmed' ORDER BY score DESC, person_id",
				   &st, "reading potential matches", why);
	if (err != 0)
		return err;
	cartel__bind_text_or_null(st, 1, id);
	while (err == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		free(*confirmed);
		*confirmed = cartel__col_dup(st, 0);
		if (*confirmed == NULL)
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
		else
			err = cartel__ledger_check_row(db, CARTEL__LT_CANDIDATE,
						       id, *confirmed, why);
	}
	if (err == 0 && rc != SQLITE_DONE)
		err = cartel__db_err(db, rc, "reading potential matches", why);
	cartel__db_done(db, st);
	if (err != 0) {
		free(*confirmed);
		*confirmed = NULL;
	}
	return err;
}
