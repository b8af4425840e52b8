/*
 * The round module's tables (migration "0100-rounds"): the parties' pinned
 * public keys, the agreed rounds loaded for handover, their stages, and one
 * row per listed person with the check-off. The logic lives in
 * src/lib/round/; this file only moves rows, with bound parameters.
 *
 * Every function here runs inside the caller's write transaction when it
 * writes (the round module groups a check-off, its status event and its
 * audit entry into one).
 */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include <cartel/error.h>
#include <cartel/round.h>
#include <cartel/store.h>

#include "core/intl.h"
#include "core/why.h"
#include "store/round_rows.h"
#include "store/store_int.h"

/* Checks a row read for a command against the audit chain (the row ledger);
 * the message names what the command was about to use. */
static int
held(struct cartel_db *db, int t, const char *k1, const char *k2,
     const char *what, char **why)
{
	char *inner = NULL;
	int rc = cartel__ledger_check_row(db, t, k1, k2, &inner);
	if (rc == CARTEL_ETAMPER) {
		rc = cartel__why(why, rc, "%s cannot be trusted: %s", _(what),
				 inner ? inner : _("it does not hold"));
	} else if (rc != 0) {
		if (why && inner) {
			free(*why);
			*why = inner;
			inner = NULL;
		}
	}
	free(inner);
	return rc;
}

static int
stage_held(struct cartel_db *db, const char *round_id, int stage, char **why)
{
	char k2[16];
	snprintf(k2, sizeof k2, "%d", stage);
	return held(db, CARTEL__LT_ROUND_STAGE, round_id, k2,
		    N_("a stage of this round"), why);
}

static int
stage_touch(struct cartel_db *db, const char *round_id, int stage, char **why)
{
	char k2[16];
	snprintf(k2, sizeof k2, "%d", stage);
	return cartel__ledger_touch(db, CARTEL__LT_ROUND_STAGE, round_id, k2,
				    why);
}

int
cartel__round_pin_get(struct cartel_db *db, const char *party,
		      unsigned char pk[32], char **why)
{
	sqlite3_stmt *st;
	int rc = cartel__db_prep(db,
		      "SELECT public_key, seq FROM round_key_pin"
		      " WHERE party = ?1 AND replaced_at IS NULL",
		      &st, "reading a pinned key", why);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, party, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	long long seq = 0;
	if (s == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32) {
		memcpy(pk, sqlite3_column_blob(st, 0), 32);
		seq = sqlite3_column_int64(st, 1);
		rc = 0;
	} else if (s == SQLITE_ROW || s == SQLITE_DONE) {
		rc = CARTEL_ENOTFOUND;
	} else {
		rc = cartel__db_err(db, s, "reading a pinned key", why);
	}
	sqlite3_finalize(st);
	if (rc == 0) {
		/* A key changed behind the register's back would make a
		 * stranger's signature hold: check it against the chain. */
		char k1[24], what[160];
		snprintf(k1, sizeof k1, "%lld", seq);
		/* Already in words: held() leaves a text it has no
		 * translation of as it is. */
		snprintf(what, sizeof what, _("the pinned key of party %.20s"),
			 party);
		rc = held(db, CARTEL__LT_KEY_PIN, k1, NULL, what, why);
		if (rc != 0)
			sodium_memzero(pk, 32);
	}
	return rc;
}

int
cartel__round_pin_put(struct cartel_db *db, const char *party,
		      const unsigned char pk[32], const char *fingerprint,
		      const char *at, const char *by, char **why)
{
	sqlite3_stmt *st;
	int rc = cartel__db_prep(db,
		      "UPDATE round_key_pin SET replaced_at = ?2"
		      " WHERE party = ?1 AND replaced_at IS NULL"
		      " RETURNING seq",
		      &st, "replacing a pinned key", why);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, party, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
	int s = SQLITE_DONE;
	char k1[24];
	while (rc == 0 && (s = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(k1, sizeof k1, "%lld",
			 (long long)sqlite3_column_int64(st, 0));
		rc = cartel__ledger_touch(db, CARTEL__LT_KEY_PIN, k1, NULL,
					  why);
	}
	sqlite3_finalize(st);
	if (rc)
		return rc;
	if (s != SQLITE_DONE)
		return cartel__db_err(db, s, "replacing a pinned key", why);
	rc = cartel__db_prep(db,
		  "INSERT INTO round_key_pin (party, public_key, fingerprint,"
		  " pinned_at, pinned_by) VALUES (?1, ?2, ?3, ?4, ?5)",
		  &st, "pinning a key", why);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, party, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, pk, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, fingerprint, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, by, -1, SQLITE_STATIC);
	s = sqlite3_step(st);
	sqlite3_finalize(st);
	if (s != SQLITE_DONE)
		return cartel__db_err(db, s, "pinning a key", why);
	snprintf(k1, sizeof k1, "%lld",
		 (long long)sqlite3_last_insert_rowid(cartel__db_sqlite(db)));
	return cartel__ledger_touch(db, CARTEL__LT_KEY_PIN, k1, NULL, why);
}

int
cartel__round_pin_list(struct cartel_db *db, struct cartel_key_pin **out,
		       size_t *n, char **why)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st;
	int rc = cartel__db_prep(db,
		      "SELECT party, fingerprint, pinned_at, pinned_by,"
		      " replaced_at IS NOT NULL, seq FROM round_key_pin"
		      " ORDER BY replaced_at IS NOT NULL, party, seq",
		      &st, "listing pinned keys", why);
	if (rc)
		return rc;
	struct cartel_key_pin *v = NULL;
	size_t len = 0;
	int s;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		struct cartel_key_pin *nv = realloc(v, (len + 1) * sizeof *v);
		if (nv == NULL) {
			rc = CARTEL_ENOMEM;
			break;
		}
		v = nv;
		struct cartel_key_pin *p = &v[len++];
		memset(p, 0, sizeof *p);
		snprintf(p->party, sizeof p->party, "%s",
			 (const char *)sqlite3_column_text(st, 0));
		snprintf(p->fingerprint, sizeof p->fingerprint, "%s",
			 (const char *)sqlite3_column_text(st, 1));
		p->pinned_at = cartel__col_dup(st, 2);
		p->pinned_by = cartel__col_dup(st, 3);
		p->replaced = sqlite3_column_int(st, 4);
		char k1[24];
		snprintf(k1, sizeof k1, "%lld",
			 (long long)sqlite3_column_int64(st, 5));
		rc = held(db, CARTEL__LT_KEY_PIN, k1, NULL, N_("a pinned key"),
			  why);
		if (rc)
			break;
	}
	if (rc == 0 && s != SQLITE_DONE)
		rc = cartel__db_err(db, s, "listing pinned keys", why);
	sqlite3_finalize(st);
	if (rc) {
		cartel_key_pins_free(v, len);
		return rc;
	}
	*out = v;
	*n = len;
	return 0;
}

int
cartel__round_doc_put(struct cartel_db *db, const char *round_id,
		      int version, const char *digest, const char *canon,
		      const char *at, const char *by, char **why)
{
	sqlite3_stmt *st;
	int rc = cartel__db_prep(db,
		      "INSERT INTO round_doc (round_id, version, digest,"
		      " document, started_at, started_by)"
		      " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
		      &st, "loading a round", why);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, round_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, version);
	sqlite3_bind_text(st, 3, digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, canon, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, by, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	sqlite3_finalize(st);
	if (s == SQLITE_CONSTRAINT)
		return cartel__why(why, CARTEL_EEXIST,
				   "round %s is already loaded", round_id);
	if (s != SQLITE_DONE)
		return cartel__db_err(db, s, "loading a round", why);
	return cartel__ledger_touch(db, CARTEL__LT_ROUND_DOC, round_id, NULL,
				    why);
}

int
cartel__round_doc_get(struct cartel_db *db, const char *round_id,
		      int *version, char digest[CARTEL_DIGEST_LEN],
		      char **started_at, char **why)
{
	sqlite3_stmt *st;
	int rc = cartel__db_prep_cached(db,
		      "SELECT version, digest, started_at FROM round_doc"
		      " WHERE round_id = ?1",
		      &st, "reading a round", why);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, round_id, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		if (version)
			*version = sqlite3_column_int(st, 0);
		if (digest)
			snprintf(digest, CARTEL_DIGEST_LEN, "%s",
				 (const char *)sqlite3_column_text(st, 1));
		if (started_at)
			*started_at = cartel__col_dup(st, 2);
		rc = 0;
	} else if (s == SQLITE_DONE) {
		rc = cartel__why(why, CARTEL_ENOTFOUND,
				 "round %.64s is not loaded in this register "
				 "(cartel handover start)",
				 round_id);
	} else {
		rc = cartel__db_err(db, s, "reading a round", why);
	}
	cartel__db_done(db, st);
	if (rc == 0)
		rc = held(db, CARTEL__LT_ROUND_DOC, round_id, NULL,
			  N_("the round's document"), why);
	if (rc != 0 && started_at) {
		free(*started_at);
		*started_at = NULL;
	}
	return rc;
}

int
cartel__round_doc_text(struct cartel_db *db, const char *round_id,
		       char **document, char **why)
{
	*document = NULL;
	sqlite3_stmt *st;
	int rc = cartel__db_prep(db,
		      "SELECT document FROM round_doc WHERE round_id = ?1",
		      &st, "reading a round", why);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, round_id, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		*document = cartel__col_dup(st, 0);
		rc = *document ? 0 : CARTEL_ENOMEM;
	} else if (s == SQLITE_DONE) {
		rc = cartel__why(why, CARTEL_ENOTFOUND,
				 "round %.64s is not loaded in this register "
				 "(cartel handover start)",
				 round_id);
	} else {
		rc = cartel__db_err(db, s, "reading a round", why);
	}
	sqlite3_finalize(st);
	if (rc == 0)
		rc = held(db, CARTEL__LT_ROUND_DOC, round_id, NULL,
			  N_("the round's document"), why);
	if (rc != 0) {
		free(*document);
		*document = NULL;
	}
	return rc;
}

int
cartel__round_stage_put(struct cartel_db *db, const char *round_id,
			int stage, char **why)
{
	sqlite3_stmt *st;
	int rc = cartel__db_prep(db,
		      "INSERT OR IGNORE INTO round_stage (round_id, stage)"
		      " VALUES (?1, ?2)",
		      &st, "adding a stage", why);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, round_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, stage);
	int s = sqlite3_step(st);
	int changed = sqlite3_changes(cartel__db_sqlite(db));
	sqlite3_finalize(st);
	if (s != SQLITE_DONE)
		return cartel__db_err(db, s, "adding a stage", why);
	return changed > 0 ? stage_touch(db, round_id, stage, why) : 0;
}

int
cartel__round_stage_get(struct cartel_db *db, const char *round_id,
			int stage, int *closed, char **why)
{
	sqlite3_stmt *st;
	int rc = cartel__db_prep_cached(db,
		      "SELECT closed_at IS NOT NULL FROM round_stage"
		      " WHERE round_id = ?1 AND stage = ?2",
		      &st, "reading a stage", why);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, round_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, stage);
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		*closed = sqlite3_column_int(st, 0);
		rc = 0;
	} else if (s == SQLITE_DONE) {
		rc = cartel__why(why, CARTEL_ENOTFOUND,
				 "round %.64s has no stage %d", round_id,
				 stage);
	} else {
		rc = cartel__db_err(db, s, "reading a stage", why);
	}
	cartel__db_done(db, st);
	if (rc == 0)
		rc = stage_held(db, round_id, stage, why);
	return rc;
}

int
cartel__round_stage_close(struct cartel_db *db, const char *round_id,
			  int stage, const char *at, const char *by,
			  char **why)
{
	sqlite3_stmt *st;
	int rc = cartel__db_prep(db,
		      "UPDATE round_stage SET closed_at = ?3, closed_by = ?4"
		      " WHERE round_id = ?1 AND stage = ?2"
		      " AND closed_at IS NULL",
		      &st, "closing a stage", why);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, round_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, stage);
	sqlite3_bind_text(st, 3, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, by, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	int changed = sqlite3_changes(cartel__db_sqlite(db));
	sqlite3_finalize(st);
	if (s != SQLITE_DONE)
		return cartel__db_err(db, s, "closing a stage", why);
	if (changed != 1)
		return cartel__why(why, CARTEL_ESTATE,
				   "stage %d of round %.64s is already closed",
				   stage, round_id);
	return stage_touch(db, round_id, stage, why);
}

int
cartel__round_ho_put(struct cartel_db *db, const char *round_id,
		     const char *person_id, long ord, const char *side,
		     int stage, int direct, char **why)
{
	sqlite3_stmt *st;
	int rc = cartel__db_prep_cached(db,
		      "INSERT INTO round_handover (round_id, person_id, ord,"
		      " side, stage, direct) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
		      &st, "listing a person for handover", why);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, round_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, person_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, ord);
	sqlite3_bind_text(st, 4, side, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, stage);
	sqlite3_bind_int(st, 6, direct);
	int s = sqlite3_step(st);
	cartel__db_done(db, st);
	if (s != SQLITE_DONE)
		return cartel__db_err(db, s, "listing a person for handover",
				      why);
	return cartel__ledger_touch(db, CARTEL__LT_HANDOVER, round_id,
				    person_id, why);
}

int
cartel__round_ho_holder(struct cartel_db *db, const char *round_id,
			const char *person_id, const char *holder_id,
			char **why)
{
	sqlite3_stmt *st;
	int rc = cartel__db_prep_cached(db,
		      "UPDATE round_handover SET holder_id = ?3"
		      " WHERE round_id = ?1 AND person_id = ?2",
		      &st, "recording the holder's id", why);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, round_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, person_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, holder_id, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	cartel__db_done(db, st);
	if (s != SQLITE_DONE)
		return cartel__db_err(db, s, "recording the holder's id", why);
	return cartel__ledger_touch(db, CARTEL__LT_HANDOVER, round_id,
				    person_id, why);
}

int
cartel__round_ho_by_holder(struct cartel_db *db, const char *round_id,
			   const char *holder_id, char **person_id,
			   char **why)
{
	*person_id = NULL;
	sqlite3_stmt *st;
	int rc = cartel__db_prep_cached(db,
		      "SELECT person_id FROM round_handover"
		      " WHERE round_id = ?1 AND holder_id = ?2",
		      &st, "reading a check-off", why);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, round_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, holder_id, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		*person_id = cartel__col_dup(st, 0);
		rc = *person_id ? 0 : CARTEL_ENOMEM;
	} else if (s == SQLITE_DONE) {
		rc = CARTEL_ENOTFOUND;
	} else {
		rc = cartel__db_err(db, s, "reading a check-off", why);
	}
	cartel__db_done(db, st);
	return rc;
}

static int
outcome_of(const char *s)
{
	enum cartel_handover_outcome o = CARTEL_HANDOVER_PENDING;
	cartel_handover_outcome_parse(s, &o, NULL);
	return (int)o;
}

static void
ho_from_row(sqlite3_stmt *st, struct cartel_handover_person *p)
{
	memset(p, 0, sizeof *p);
	p->id = cartel__col_dup(st, 0);
	p->side = cartel__col_dup(st, 1);
	p->stage = sqlite3_column_int(st, 2);
	p->direct = sqlite3_column_int(st, 3);
	p->outcome = (enum cartel_handover_outcome)outcome_of(
		(const char *)sqlite3_column_text(st, 4));
	p->checked_at = cartel__col_dup(st, 5);
	p->checked_by = cartel__col_dup(st, 6);
	p->holder_id = cartel__col_dup(st, 7);
}

int
cartel__round_ho_get(struct cartel_db *db, const char *round_id,
		     const char *person_id, struct cartel_handover_person *p,
		     char **why)
{
	sqlite3_stmt *st;
	memset(p, 0, sizeof *p);
	int rc = cartel__db_prep_cached(db,
		      "SELECT person_id, side, stage, direct, outcome,"
		      " checked_at, checked_by, holder_id FROM round_handover"
		      " WHERE round_id = ?1 AND person_id = ?2",
		      &st, "reading a check-off", why);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, round_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, person_id, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		ho_from_row(st, p);
		rc = p->id ? 0 : CARTEL_ENOMEM;
	} else if (s == SQLITE_DONE) {
		rc = cartel__why(why, CARTEL_ENOTFOUND,
				 "person %.64s is not on round %.64s's lists",
				 person_id, round_id);
	} else {
		rc = cartel__db_err(db, s, "reading a check-off", why);
	}
	cartel__db_done(db, st);
	if (rc == 0)
		rc = held(db, CARTEL__LT_HANDOVER, round_id, person_id,
			  N_("the check-off"), why);
	if (rc != 0 && p->id != NULL)
		cartel__round_ho_person_clear(p);
	return rc;
}

int
cartel__round_ho_set(struct cartel_db *db, const char *round_id,
		     const char *person_id, const char *outcome,
		     const char *at, const char *by, char **why)
{
	sqlite3_stmt *st;
	int rc = cartel__db_prep_cached(db,
		      "UPDATE round_handover SET outcome = ?3,"
		      " checked_at = ?4, checked_by = ?5"
		      " WHERE round_id = ?1 AND person_id = ?2"
		      " AND outcome = 'pending'",
		      &st, "recording a check-off", why);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, round_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, person_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, outcome, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, by, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	int changed = sqlite3_changes(cartel__db_sqlite(db));
	cartel__db_done(db, st);
	if (s != SQLITE_DONE)
		return cartel__db_err(db, s, "recording a check-off", why);
	if (changed != 1)
		return cartel__why(why, CARTEL_ESTATE,
				   "person %.64s is not pending any more",
				   person_id);
	return cartel__ledger_touch(db, CARTEL__LT_HANDOVER, round_id,
				    person_id, why);
}

int
cartel__round_ho_list(struct cartel_db *db, const char *round_id, int stage,
		      struct cartel_handover_person **out, size_t *n,
		      char **why)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st;
	int rc = cartel__db_prep(db,
		      "SELECT person_id, side, stage, direct, outcome,"
		      " checked_at, checked_by, holder_id FROM round_handover"
		      " WHERE round_id = ?1 AND (?2 = 0 OR stage = ?2)"
		      " ORDER BY stage, ord",
		      &st, "listing check-offs", why);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, round_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, stage);
	struct cartel_handover_person *v = NULL;
	size_t len = 0;
	int s;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		struct cartel_handover_person *nv =
			realloc(v, (len + 1) * sizeof *v);
		if (nv == NULL) {
			rc = CARTEL_ENOMEM;
			break;
		}
		v = nv;
		ho_from_row(st, &v[len++]);
		if (v[len - 1].id == NULL) {
			rc = CARTEL_ENOMEM;
			break;
		}
		rc = held(db, CARTEL__LT_HANDOVER, round_id, v[len - 1].id,
			  N_("a check-off"), why);
		if (rc)
			break;
	}
	if (rc == 0 && s != SQLITE_DONE)
		rc = cartel__db_err(db, s, "listing check-offs", why);
	sqlite3_finalize(st);
	if (rc) {
		for (size_t i = 0; i < len; i++)
			cartel__round_ho_person_clear(&v[i]);
		free(v);
		return rc;
	}
	*out = v;
	*n = len;
	return 0;
}

int
cartel__round_stage_list(struct cartel_db *db, const char *round_id,
			 struct cartel_handover_stage **out, size_t *n,
			 char **why)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st;
	int rc = cartel__db_prep(db,
		      "SELECT stage, closed_at, closed_by FROM round_stage"
		      " WHERE round_id = ?1 ORDER BY stage",
		      &st, "listing stages", why);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, round_id, -1, SQLITE_STATIC);
	struct cartel_handover_stage *v = NULL;
	size_t len = 0;
	int s;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		struct cartel_handover_stage *nv =
			realloc(v, (len + 1) * sizeof *v);
		if (nv == NULL) {
			rc = CARTEL_ENOMEM;
			break;
		}
		v = nv;
		struct cartel_handover_stage *g = &v[len++];
		memset(g, 0, sizeof *g);
		g->stage = sqlite3_column_int(st, 0);
		g->closed_at = cartel__col_dup(st, 1);
		g->closed_by = cartel__col_dup(st, 2);
		g->closed = g->closed_at != NULL;
		rc = stage_held(db, round_id, g->stage, why);
		if (rc)
			break;
	}
	if (rc == 0 && s != SQLITE_DONE)
		rc = cartel__db_err(db, s, "listing stages", why);
	sqlite3_finalize(st);
	if (rc) {
		for (size_t i = 0; i < len; i++) {
			free(v[i].closed_at);
			free(v[i].closed_by);
		}
		free(v);
		return rc;
	}
	*out = v;
	*n = len;
	return 0;
}

int
cartel__round_ho_pending_ids(struct cartel_db *db, const char *except,
			     char ***ids, size_t *n, char **why)
{
	*ids = NULL;
	*n = 0;
	sqlite3_stmt *st;
	int rc = cartel__db_prep(db,
		      "SELECT DISTINCT person_id FROM round_handover"
		      " WHERE round_id <> ?1 AND outcome = 'pending'"
		      " ORDER BY person_id",
		      &st, "reading check-offs", why);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, except, -1, SQLITE_STATIC);
	char **v = NULL;
	size_t len = 0;
	int s;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		char **g = realloc(v, (len + 1) * sizeof *v);
		if (g == NULL) {
			rc = CARTEL_ENOMEM;
			break;
		}
		v = g;
		v[len] = cartel__col_dup(st, 0);
		if (v[len] == NULL) {
			rc = CARTEL_ENOMEM;
			break;
		}
		len++;
	}
	if (rc == 0 && s != SQLITE_DONE)
		rc = cartel__db_err(db, s, "reading check-offs", why);
	sqlite3_finalize(st);
	if (rc) {
		for (size_t i = 0; i < len; i++)
			free(v[i]);
		free(v);
		return rc;
	}
	*ids = v;
	*n = len;
	return 0;
}

int
cartel__round_ho_pending_in(struct cartel_db *db, const char *person_id,
			    const char *except, char ***round_ids, size_t *n,
			    char **why)
{
	*round_ids = NULL;
	*n = 0;
	sqlite3_stmt *st;
	int rc = cartel__db_prep_cached(db,
		      "SELECT round_id FROM round_handover"
		      " WHERE person_id = ?1 AND round_id <> ?2"
		      " AND outcome = 'pending' ORDER BY round_id",
		      &st, "reading check-offs", why);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, person_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, except, -1, SQLITE_STATIC);
	char **v = NULL;
	size_t len = 0;
	int s;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		char **g = realloc(v, (len + 1) * sizeof *v);
		if (g == NULL) {
			rc = CARTEL_ENOMEM;
			break;
		}
		v = g;
		v[len] = cartel__col_dup(st, 0);
		if (v[len] == NULL) {
			rc = CARTEL_ENOMEM;
			break;
		}
		len++;
		rc = held(db, CARTEL__LT_HANDOVER, v[len - 1], person_id,
			  N_("a check-off in another round"), why);
		if (rc)
			break;
	}
	if (rc == 0 && s != SQLITE_DONE)
		rc = cartel__db_err(db, s, "reading check-offs", why);
	cartel__db_done(db, st);
	if (rc) {
		for (size_t i = 0; i < len; i++)
			free(v[i]);
		free(v);
		return rc;
	}
	*round_ids = v;
	*n = len;
	return 0;
}

int
cartel__round_ho_repatriated(struct cartel_db *db, const char *person_id,
			     const char *except, char **round_id, char **at,
			     char **why)
{
	*round_id = NULL;
	*at = NULL;
	sqlite3_stmt *st;
	int rc = cartel__db_prep(db,
		      "SELECT round_id, checked_at FROM round_handover"
		      " WHERE person_id = ?1 AND (?2 IS NULL OR round_id <> ?2)"
		      " AND outcome IN ('handed_over', 'received')"
		      " ORDER BY checked_at LIMIT 1",
		      &st, "reading check-offs", why);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, person_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, except, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		*round_id = cartel__col_dup(st, 0);
		*at = cartel__col_dup(st, 1);
		if (*round_id == NULL)
			rc = CARTEL_ENOMEM;
	} else if (s != SQLITE_DONE) {
		rc = cartel__db_err(db, s, "reading check-offs", why);
	}
	sqlite3_finalize(st);
	if (rc == 0 && *round_id != NULL)
		rc = held(db, CARTEL__LT_HANDOVER, *round_id, person_id,
			  N_("the check-off in another round"), why);
	if (rc) {
		free(*round_id);
		free(*at);
		*round_id = NULL;
		*at = NULL;
	}
	return rc;
}

void
cartel__round_ho_person_clear(struct cartel_handover_person *p)
{
	free(p->id);
	free(p->side);
	free(p->checked_at);
	free(p->checked_by);
	free(p->holder_id);
	memset(p, 0, sizeof *p);
}

/* A text column parsed into an enum; the enum's default when NULL. */
static int
col_enum(sqlite3_stmt *st, int i, enum cartel_enum_kind k)
{
	int v = 0;
	const char *s = (const char *)sqlite3_column_text(st, i);
	if (s != NULL)
		cartel_enum_parse(k, s, &v, NULL);
	return v;
}

int
cartel__round_persons_brief(struct cartel_db *db, struct cartel_person **out,
			    size_t *n_out, char **why)
{
	*out = NULL;
	*n_out = 0;
	sqlite3_stmt *st;
	/* The columns matching reads, and what says whether we hold the
	 * person; in the table's own order (no sort: the order does not
	 * matter to matching, and sorting 100,000 rows costs). */
	int rc = cartel__db_prep(db,
		      "SELECT id, family_name, given_name, patronymic,"
		      " birth_date, birth_place, sex, service_number, status,"
		      " held_by FROM persons WHERE " CARTEL__NOT_MERGED("id"),
		      &st, "reading persons", why);
	if (rc)
		return rc;
	struct cartel_person *v = NULL;
	size_t n = 0, cap = 0;
	int s;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 1024;
			struct cartel_person *g = realloc(v, ncap * sizeof *v);
			if (g == NULL) {
				rc = CARTEL_ENOMEM;
				break;
			}
			v = g;
			cap = ncap;
		}
		struct cartel_person *p = &v[n++];
		memset(p, 0, sizeof *p);
		p->id = cartel__col_dup(st, 0);
		p->family_name = cartel__col_dup(st, 1);
		p->given_name = cartel__col_dup(st, 2);
		p->patronymic = cartel__col_dup(st, 3);
		const char *bd = (const char *)sqlite3_column_text(st, 4);
		if (bd != NULL)
			cartel_date_parse(bd, &p->birth_date, NULL);
		p->birth_place = cartel__col_dup(st, 5);
		p->sex = (enum cartel_sex)col_enum(st, 6, CARTEL_ENUM_SEX);
		p->service_number = cartel__col_dup(st, 7);
		p->status = (enum cartel_status)col_enum(st, 8,
							 CARTEL_ENUM_STATUS);
		p->held_by = cartel__col_dup(st, 9);
		if (p->id == NULL) {
			rc = CARTEL_ENOMEM;
			break;
		}
	}
	if (rc == 0 && s != SQLITE_DONE)
		rc = cartel__db_err(db, s, "reading persons", why);
	sqlite3_finalize(st);
	if (rc) {
		cartel_persons_free(v, n);
		return rc;
	}
	*out = v;
	*n_out = n;
	return 0;
}

int
cartel__round_person_state(struct cartel_db *db, const char *id,
			   enum cartel_status *status,
			   enum cartel_consent *consent, char **why)
{
	sqlite3_stmt *st;
	int rc = cartel__db_prep_cached(db, "SELECT status, consent FROM persons WHERE id = ?1",
		      &st, "reading a person", why);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		*status = (enum cartel_status)col_enum(st, 0,
						       CARTEL_ENUM_STATUS);
		*consent = (enum cartel_consent)col_enum(st, 1,
							 CARTEL_ENUM_CONSENT);
	} else if (s == SQLITE_DONE) {
		rc = cartel__why(why, CARTEL_ENOTFOUND,
				 "no person with id %.64s", id);
	} else {
		rc = cartel__db_err(db, s, "reading a person", why);
	}
	cartel__db_done(db, st);
	return rc;
}

int
cartel__round_savepoint(struct cartel_db *db, int op, char **why)
{
	return cartel__db_savepoint(db, op, why);
}
