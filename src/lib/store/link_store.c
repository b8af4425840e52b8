/*
 * The rows of identity links and handover sheets (migration "0800-links"):
 * identity_link, the pairs (their party, their id) <-> (our party, our id)
 * and what was decided about them; handover_sheet, the sheets a party's
 * register made and those the mediator reconciled. What a link or a sheet
 * means is decided in src/lib/round/ (links.c, sheet.c); this file only
 * moves rows, with bound parameters, records each write in the row ledger
 * inside the caller's transaction, and checks each row it reads against
 * the audit chain.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include <cartel/error.h>
#include <cartel/links.h>
#include <cartel/store.h>

#include "core/why.h"
#include "store/round_rows.h"
#include "store/store_int.h"

static void
copy_col(char *dst, size_t size, sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	snprintf(dst, size, "%s", s ? (const char *)s : "");
}

/* A row read for a decision must be the row the audit chain recorded. */
static int
held(struct cartel_db *db, int t, const char *k1, const char *k2,
     const char *what, char **why)
{
	char *inner = NULL;
	int rc = cartel__ledger_check_row(db, t, k1, k2, &inner);
	if (rc == CARTEL_ETAMPER)
		rc = cartel__why(why, rc, "%s cannot be trusted: %s", what,
				 inner ? inner : "it does not hold");
	else if (rc != 0 && why && inner) {
		free(*why);
		*why = inner;
		inner = NULL;
	}
	free(inner);
	return rc;
}

static const char *const state_names[] = {"linked", "pending", "confirmed",
					  "revoked"};

static enum cartel_link_state
state_of(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (s != NULL && strcmp(s, state_names[i]) == 0)
			return (enum cartel_link_state)i;
	return CARTEL_LINK_REVOKED;
}

#define LINK_COLS                                                              \
	"their_party, their_id, our_party, our_id, their_kind, our_kind, "    \
	"state, probability, explanation, made_at, made_by, decided_at, "     \
	"decided_by, reason"

/* The link under st (LINK_COLS), then its row checked. */
static int
link_from_row(struct cartel_db *db, sqlite3_stmt *st, struct cartel_link *l,
	      char **why)
{
	memset(l, 0, sizeof *l);
	copy_col(l->their_party, sizeof l->their_party, st, 0);
	l->their_id = cartel__col_dup(st, 1);
	copy_col(l->our_party, sizeof l->our_party, st, 2);
	l->our_id = cartel__col_dup(st, 3);
	copy_col(l->their_kind, sizeof l->their_kind, st, 4);
	copy_col(l->our_kind, sizeof l->our_kind, st, 5);
	l->state = state_of((const char *)sqlite3_column_text(st, 6));
	l->probability = sqlite3_column_double(st, 7);
	l->explanation = cartel__col_dup(st, 8);
	l->made_at = cartel__col_dup(st, 9);
	l->made_by = cartel__col_dup(st, 10);
	l->decided_at = cartel__col_dup(st, 11);
	l->decided_by = cartel__col_dup(st, 12);
	l->reason = cartel__col_dup(st, 13);
	if (l->their_id == NULL || l->our_id == NULL)
		return CARTEL_ENOMEM;
	char *k1 = cartel__asprintf("%s:%s", l->their_party, l->their_id);
	char *k2 = cartel__asprintf("%s:%s", l->our_party, l->our_id);
	int rc = k1 && k2 ? held(db, CARTEL__LT_LINK, k1, k2,
				 "an identity link", why)
			  : CARTEL_ENOMEM;
	free(k1);
	free(k2);
	return rc;
}

static void
links_drop(struct cartel_link *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].their_id);
		free(v[i].our_id);
		free(v[i].explanation);
		free(v[i].made_at);
		free(v[i].made_by);
		free(v[i].decided_at);
		free(v[i].decided_by);
		free(v[i].reason);
	}
	free(v);
}

/* Every link the statement selects (LINK_COLS), in a new array. */
static int
links_read(struct cartel_db *db, sqlite3_stmt *st, struct cartel_link **out,
	   size_t *n, char **why)
{
	*out = NULL;
	*n = 0;
	struct cartel_link *v = NULL;
	size_t len = 0, cap = 0;
	int rc = 0, s;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		if (len == cap) {
			size_t nc = cap ? 2 * cap : 16;
			struct cartel_link *nv = realloc(v, nc * sizeof *nv);
			if (nv == NULL) {
				rc = CARTEL_ENOMEM;
				break;
			}
			v = nv;
			cap = nc;
		}
		rc = link_from_row(db, st, &v[len++], why);
		if (rc)
			break;
	}
	if (rc == 0 && s != SQLITE_DONE)
		rc = cartel__db_err(db, s, "reading identity links", why);
	cartel__db_done(db, st);
	if (rc) {
		links_drop(v, len);
		return rc;
	}
	*out = v;
	*n = len;
	return 0;
}

int
cartel__link_list(struct cartel_db *db, const char *their_party,
		  const char *our_party, struct cartel_link **out, size_t *n,
		  char **why)
{
	sqlite3_stmt *st;
	int rc = cartel__db_prep(db,
		      "SELECT " LINK_COLS " FROM identity_link"
		      " WHERE (?1 IS NULL OR their_party = ?1)"
		      " AND (?2 IS NULL OR our_party = ?2)"
		      " ORDER BY their_party, their_id, our_party, our_id",
		      &st, "reading identity links", why);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, their_party, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, our_party, -1, SQLITE_STATIC);
	return links_read(db, st, out, n, why);
}

int
cartel__link_of_theirs(struct cartel_db *db, const char *their_party,
		       const char *their_id, const char *our_party,
		       struct cartel_link **out, size_t *n, char **why)
{
	sqlite3_stmt *st;
	int rc = cartel__db_prep_cached(db,
		      "SELECT " LINK_COLS " FROM identity_link"
		      " WHERE their_party = ?1 AND their_id = ?2"
		      " AND (?3 IS NULL OR our_party = ?3)"
		      " ORDER BY our_party, our_id",
		      &st, "reading identity links", why);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, their_party, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, their_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, our_party, -1, SQLITE_STATIC);
	return links_read(db, st, out, n, why);
}

int
cartel__link_of_ours(struct cartel_db *db, const char *our_party,
		     const char *our_id, const char *their_party,
		     struct cartel_link **out, size_t *n, char **why)
{
	sqlite3_stmt *st;
	int rc = cartel__db_prep_cached(db,
		      "SELECT " LINK_COLS " FROM identity_link"
		      " WHERE our_party = ?1 AND our_id = ?2"
		      " AND (?3 IS NULL OR their_party = ?3)"
		      " ORDER BY their_party, their_id",
		      &st, "reading identity links", why);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, our_party, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, our_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, their_party, -1, SQLITE_STATIC);
	return links_read(db, st, out, n, why);
}

int
cartel__link_put(struct cartel_db *db, const struct cartel_link *l,
		 char **why)
{
	sqlite3_stmt *st;
	int rc = cartel__db_prep(db,
		      "INSERT INTO identity_link (" LINK_COLS ") VALUES (?1,"
		      " ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
		      " ?14) ON CONFLICT (their_party, their_id, our_party,"
		      " our_id) DO UPDATE SET state = ?7, decided_at = ?12,"
		      " decided_by = ?13, reason = ?14",
		      &st, "recording an identity link", why);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, l->their_party, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, l->their_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, l->our_party, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, l->our_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, l->their_kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, l->our_kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, state_names[(unsigned)l->state & 3], -1,
			  SQLITE_STATIC);
	sqlite3_bind_double(st, 8, l->probability);
	sqlite3_bind_text(st, 9, l->explanation, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, l->made_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, l->made_by, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, l->decided_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 13, l->decided_by, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 14, l->reason, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	sqlite3_finalize(st);
	if (s != SQLITE_DONE)
		return cartel__db_err(db, s, "recording an identity link", why);
	char *k1 = cartel__asprintf("%s:%s", l->their_party, l->their_id);
	char *k2 = cartel__asprintf("%s:%s", l->our_party, l->our_id);
	rc = k1 && k2 ? cartel__ledger_touch(db, CARTEL__LT_LINK, k1, k2, why)
		      : CARTEL_ENOMEM;
	free(k1);
	free(k2);
	return rc;
}

int
cartel__decl_person_fields(struct cartel_db *db, const char *party,
			   const char *their_id, char kind[8], char **fields,
			   char **why)
{
	*fields = NULL;
	kind[0] = '\0';
	sqlite3_stmt *st;
	int rc = cartel__db_prep(db,
		      "SELECT kind, fields FROM declared_person WHERE"
		      " party = ?1 AND their_id = ?2 AND status = 'declared'"
		      " ORDER BY kind",
		      &st, "reading a declared person", why);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, party, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, their_id, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		copy_col(kind, 8, st, 0);
		*fields = cartel__col_dup(st, 1);
		rc = *fields ? 0 : CARTEL_ENOMEM;
	} else if (s == SQLITE_DONE) {
		rc = cartel__why(why, CARTEL_ENOTFOUND,
				 "%s declares no person %.64s", party,
				 their_id);
	} else {
		rc = cartel__db_err(db, s, "reading a declared person", why);
	}
	sqlite3_finalize(st);
	if (rc == 0) {
		char k1[CARTEL_PARTY_MAX + 16];
		snprintf(k1, sizeof k1, "%s:%s", party, kind);
		rc = held(db, CARTEL__LT_DECL_PERSON, k1, their_id,
			  "a declared person", why);
	}
	if (rc) {
		free(*fields);
		*fields = NULL;
	}
	return rc;
}

/* ---- Handover sheets ---- */

int
cartel__sheet_put(struct cartel_db *db, const char *digest, const char *role,
		  const char *round_id, const char *party, long sequence,
		  long n_persons, const char *at, const char *by, char **why)
{
	sqlite3_stmt *st;
	int rc = cartel__db_prep(db,
		      "INSERT INTO handover_sheet (digest, role, round_id,"
		      " party, sequence, n_persons, at, by) VALUES (?1, ?2,"
		      " ?3, ?4, ?5, ?6, ?7, ?8)",
		      &st, "recording a handover sheet", why);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, role, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, round_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, party, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, sequence);
	sqlite3_bind_int64(st, 6, n_persons);
	sqlite3_bind_text(st, 7, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, by, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	sqlite3_finalize(st);
	if ((s & 0xff) == SQLITE_CONSTRAINT)
		return cartel__why(why, CARTEL_EEXIST,
				   "the sheet %s is recorded already", digest);
	if (s != SQLITE_DONE)
		return cartel__db_err(db, s, "recording a handover sheet", why);
	return cartel__ledger_touch(db, CARTEL__LT_SHEET, digest, role, why);
}

int
cartel__sheet_last(struct cartel_db *db, const char *role,
		   const char *round_id, const char *party, long *sequence,
		   char digest[CARTEL_DIGEST_LEN], char **why)
{
	*sequence = 0;
	digest[0] = '\0';
	/* The sheets decide what is a replay: the whole table is checked,
	 * so that a row deleted by hand is found too. */
	char *inner = NULL;
	int rc = cartel__ledger_verify_table(db, CARTEL__LT_SHEET, &inner);
	if (rc == CARTEL_ETAMPER)
		rc = cartel__why(why, rc,
				 "the handover sheets recorded cannot be "
				 "trusted: %s",
				 inner ? inner : "they do not hold");
	else if (rc != 0 && why && inner) {
		free(*why);
		*why = inner;
		inner = NULL;
	}
	free(inner);
	if (rc)
		return rc;
	sqlite3_stmt *st;
	rc = cartel__db_prep(db,
		      "SELECT sequence, digest FROM handover_sheet WHERE"
		      " role = ?1 AND round_id = ?2 AND party = ?3"
		      " ORDER BY sequence DESC LIMIT 1",
		      &st, "reading handover sheets", why);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, role, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, round_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, party, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		*sequence = (long)sqlite3_column_int64(st, 0);
		copy_col(digest, CARTEL_DIGEST_LEN, st, 1);
	} else if (s != SQLITE_DONE) {
		rc = cartel__db_err(db, s, "reading handover sheets", why);
	}
	sqlite3_finalize(st);
	return rc;
}

int
cartel__sheet_has(struct cartel_db *db, const char *digest, const char *role,
		  int *found, char **why)
{
	*found = 0;
	sqlite3_stmt *st;
	int rc = cartel__db_prep(db,
		      "SELECT 1 FROM handover_sheet WHERE digest = ?1 AND"
		      " role = ?2",
		      &st, "reading handover sheets", why);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, role, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW)
		*found = 1;
	else if (s != SQLITE_DONE)
		rc = cartel__db_err(db, s, "reading handover sheets", why);
	sqlite3_finalize(st);
	return rc;
}
