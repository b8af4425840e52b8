/*
 * The tables of the three-register protocol (migration "0700-owner"): the
 * register's owner, the sequence of the declarations it made, and the
 * declarations it received with the persons they declared and the changes
 * each made. The logic lives in src/lib/round/declaration.c; this file
 * only moves rows, with bound parameters, and records each write in the
 * row ledger (ledger.c) inside the caller's transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include <cartel/declaration.h>
#include <cartel/error.h>
#include <cartel/store.h>

#include "core/why.h"
#include "store/round_rows.h"
#include "store/store_int.h"

/* Steps a write statement once and finalizes it. */
static int
run(struct cartel_db *db, sqlite3_stmt *st, const char *doing, char **why)
{
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return cartel__db_err(db, rc, doing, why);
	return 0;
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

/* A small table whose every row decides an action, checked whole against
 * the chain (so that a row deleted by hand is found too). */
static int
table_holds(struct cartel_db *db, int t, const char *what, char **why)
{
	char *inner = NULL;
	int rc = cartel__ledger_verify_table(db, t, &inner);
	if (rc == CARTEL_ETAMPER)
		rc = cartel__why(why, rc, "%s cannot be trusted: %s", what,
				 inner ? inner : "they do not hold");
	else if (rc != 0 && why && inner) {
		free(*why);
		*why = inner;
		inner = NULL;
	}
	free(inner);
	return rc;
}

static void
copy_col(char *dst, size_t size, sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	snprintf(dst, size, "%s", s ? (const char *)s : "");
}

int
cartel__owner_get(struct cartel_db *db, struct cartel_owner *o, char **why)
{
	memset(o, 0, sizeof *o);
	/* Read and checked once per handle: every person of a round asks. */
	struct cartel__owner_cache *oc = cartel__db_owner(db);
	/* Another connection's commit (a long-running server, a second
	 * command) changes the data version: read it again then. */
	long long dv = -1;
	sqlite3_stmt *st;
	if (cartel__db_prep_cached(db, "PRAGMA data_version", &st,
				   "reading the register's version",
				   NULL) == 0) {
		if (sqlite3_step(st) == SQLITE_ROW)
			dv = sqlite3_column_int64(st, 0);
		cartel__db_done(db, st);
	}
	if (oc->valid && dv >= 0 && dv == oc->data_version) {
		*o = oc->o;
		return 0;
	}
	int rc = cartel__db_prep(db,
		      "SELECT role, name, set_at, set_by FROM register_owner"
		      " WHERE id = 1",
		      &st, "reading the register's owner", why);
	if (rc)
		return rc;
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		const char *role = (const char *)sqlite3_column_text(st, 0);
		o->role = role && strcmp(role, "mediator") == 0
				  ? CARTEL_OWNER_MEDIATOR
				  : CARTEL_OWNER_PARTY;
		copy_col(o->name, sizeof o->name, st, 1);
		copy_col(o->set_at, sizeof o->set_at, st, 2);
		copy_col(o->set_by, sizeof o->set_by, st, 3);
	} else if (s != SQLITE_DONE) {
		rc = cartel__db_err(db, s, "reading the register's owner", why);
	}
	sqlite3_finalize(st);
	/* An owner deleted by hand would turn a party's register into one
	 * without an owner: the whole one-row table is checked. */
	if (rc == 0)
		rc = table_holds(db, CARTEL__LT_OWNER, "the register's owner",
				 why);
	if (rc)
		memset(o, 0, sizeof *o);
	if (rc == 0 && dv >= 0) {
		oc->o = *o;
		oc->data_version = dv;
		oc->valid = 1;
	}
	return rc;
}

int
cartel__owner_put(struct cartel_db *db, const char *role, const char *name,
		  const char *at, const char *by, char **why)
{
	cartel__db_owner(db)->valid = 0;
	sqlite3_stmt *st;
	int rc = cartel__db_prep(db,
		      "INSERT INTO register_owner (id, role, name, set_at,"
		      " set_by) VALUES (1, ?1, ?2, ?3, ?4)",
		      &st, "setting the register's owner", why);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, role, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, by, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	sqlite3_finalize(st);
	if ((s & 0xff) == SQLITE_CONSTRAINT)
		return cartel__why(why, CARTEL_EEXIST,
				   "the register already has an owner");
	if (s != SQLITE_DONE)
		return cartel__db_err(db, s, "setting the register's owner",
				      why);
	return cartel__ledger_touch(db, CARTEL__LT_OWNER, "1", NULL, why);
}

int
cartel__decl_made_get(struct cartel_db *db, const char *kind, long *sequence,
		      char **why)
{
	*sequence = 0;
	sqlite3_stmt *st;
	int rc = cartel__db_prep(db, "SELECT sequence FROM declaration_made WHERE kind = ?1",
		      &st, "reading the declarations made", why);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW)
		*sequence = (long)sqlite3_column_int64(st, 0);
	else if (s != SQLITE_DONE)
		rc = cartel__db_err(db, s, "reading the declarations made",
				    why);
	sqlite3_finalize(st);
	if (rc == 0)
		rc = table_holds(db, CARTEL__LT_DECL_MADE,
				 "the declarations made", why);
	return rc;
}

int
cartel__decl_made_put(struct cartel_db *db, const char *kind, long sequence,
		      const char *digest, long n_persons, const char *at,
		      const char *by, char **why)
{
	sqlite3_stmt *st;
	int rc = cartel__db_prep(db,
		      "INSERT INTO declaration_made (kind, sequence, digest,"
		      " n_persons, made_at, made_by) VALUES (?1, ?2, ?3, ?4,"
		      " ?5, ?6) ON CONFLICT (kind) DO UPDATE SET"
		      " sequence = ?2, digest = ?3, n_persons = ?4,"
		      " made_at = ?5, made_by = ?6",
		      &st, "recording a declaration", why);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, sequence);
	sqlite3_bind_text(st, 3, digest, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, n_persons);
	sqlite3_bind_text(st, 5, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, by, -1, SQLITE_STATIC);
	rc = run(db, st, "recording a declaration", why);
	if (rc)
		return rc;
	return cartel__ledger_touch(db, CARTEL__LT_DECL_MADE, kind, NULL, why);
}

int
cartel__decl_received_has(struct cartel_db *db, const char *digest,
			  int *found, char **why)
{
	*found = 0;
	sqlite3_stmt *st;
	int rc = cartel__db_prep(db,
		      "SELECT 1 FROM declaration_received WHERE digest = ?1",
		      &st, "reading the declarations received", why);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, digest, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW)
		*found = 1;
	else if (s != SQLITE_DONE)
		rc = cartel__db_err(db, s, "reading the declarations received",
				    why);
	sqlite3_finalize(st);
	return rc;
}

int
cartel__decl_received_last(struct cartel_db *db, const char *party,
			   const char *kind, long *sequence,
			   char digest[CARTEL_DIGEST_LEN], char **why)
{
	*sequence = 0;
	digest[0] = '\0';
	sqlite3_stmt *st;
	int rc = cartel__db_prep(db,
		      "SELECT sequence, digest FROM declaration_received"
		      " WHERE party = ?1 AND kind = ?2"
		      " ORDER BY sequence DESC LIMIT 1",
		      &st, "reading the declarations received", why);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, party, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		*sequence = (long)sqlite3_column_int64(st, 0);
		copy_col(digest, CARTEL_DIGEST_LEN, st, 1);
	} else if (s != SQLITE_DONE) {
		rc = cartel__db_err(db, s, "reading the declarations received",
				    why);
	}
	sqlite3_finalize(st);
	/* Which declarations were received decides what is refused as a
	 * replay: the whole (small) table must be as the chain recorded it,
	 * a row deleted by hand included. */
	if (rc == 0)
		rc = table_holds(db, CARTEL__LT_DECL_RECEIVED,
				 "the declarations received", why);
	return rc;
}

int
cartel__decl_received_put(struct cartel_db *db, const char *digest,
			  const char *party, const char *kind, long sequence,
			  const char *as_of, long n_persons, const char *at,
			  const char *by, char **why)
{
	sqlite3_stmt *st;
	int rc = cartel__db_prep(db,
		      "INSERT INTO declaration_received (digest, party, kind,"
		      " sequence, as_of, n_persons, received_at, received_by)"
		      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
		      &st, "recording a declaration received", why);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, party, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, sequence);
	sqlite3_bind_text(st, 5, as_of, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, n_persons);
	sqlite3_bind_text(st, 7, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, by, -1, SQLITE_STATIC);
	rc = run(db, st, "recording a declaration received", why);
	if (rc)
		return rc;
	return cartel__ledger_touch(db, CARTEL__LT_DECL_RECEIVED, digest, NULL,
				    why);
}

int
cartel__decl_persons_load(struct cartel_db *db, const char *party,
			  const char *kind, json_t **out, char **why)
{
	*out = NULL;
	json_t *m = json_object();
	if (m == NULL)
		return CARTEL_ENOMEM;
	sqlite3_stmt *st;
	int rc = cartel__db_prep(db,
		      "SELECT their_id, status, fields FROM declared_person"
		      " WHERE party = ?1 AND kind = ?2",
		      &st, "reading the declared persons", why);
	if (rc) {
		json_decref(m);
		return rc;
	}
	sqlite3_bind_text(st, 1, party, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	char k1[CARTEL_PARTY_MAX + 16];
	snprintf(k1, sizeof k1, "%s:%s", party, kind);
	int s;
	while (rc == 0 && (s = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		const char *status = (const char *)sqlite3_column_text(st, 1);
		const char *fields = (const char *)sqlite3_column_text(st, 2);
		if (id == NULL || status == NULL || fields == NULL)
			continue;
		rc = held(db, CARTEL__LT_DECL_PERSON, k1, id,
			  "a person declared earlier", why);
		if (rc == 0 &&
		    json_object_set_new(m, id,
					json_pack("[ss]", status, fields)))
			rc = CARTEL_ENOMEM;
	}
	if (rc == 0 && s != SQLITE_DONE)
		rc = cartel__db_err(db, s, "reading the declared persons", why);
	sqlite3_finalize(st);
	if (rc) {
		json_decref(m);
		return rc;
	}
	*out = m;
	return 0;
}

int
cartel__decl_person_put(struct cartel_db *db, const char *party,
			const char *kind, const char *their_id,
			const char *fields, const char *status,
			const char *first_digest, const char *last_digest,
			char **why)
{
	sqlite3_stmt *st = cartel__db_stmt(
		db, CARTEL__ST_DECL_PERSON_PUT,
		"INSERT INTO declared_person (party, kind, their_id, fields,"
		" status, first_digest, last_digest) VALUES (?1, ?2, ?3, ?4,"
		" ?5, ?6, ?7) ON CONFLICT (party, kind, their_id) DO UPDATE"
		" SET fields = ?4, status = ?5, last_digest = ?7",
		why);
	if (st == NULL)
		return CARTEL_EDB;
	sqlite3_bind_text(st, 1, party, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, their_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, fields, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, first_digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, last_digest, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	sqlite3_reset(st);
	if (s != SQLITE_DONE)
		return cartel__db_err(db, s, "recording a declared person",
				      why);
	char k1[CARTEL_PARTY_MAX + 16];
	snprintf(k1, sizeof k1, "%s:%s", party, kind);
	return cartel__ledger_touch(db, CARTEL__LT_DECL_PERSON, k1, their_id,
				    why);
}

int
cartel__decl_persons_add(struct cartel_db *db, const char *party,
			 const char *kind, const char *const *ids,
			 const char *const *fields, size_t n,
			 const char *digest, char **why)
{
	char k1[CARTEL_PARTY_MAX + 16];
	snprintf(k1, sizeof k1, "%s:%s", party, kind);
	for (size_t i = 0; i < n;) {
		size_t k = n - i >= CARTEL__LEDGER_BATCH ? CARTEL__LEDGER_BATCH
							 : 1;
		char sql[128 + 40 * CARTEL__LEDGER_BATCH];
		size_t at = (size_t)snprintf(
			sql, sizeof sql,
			"INSERT INTO declared_person (party, kind, their_id,"
			" fields, status, first_digest, last_digest) VALUES ");
		for (size_t j = 0; j < k && at < sizeof sql; j++)
			at += (size_t)snprintf(
				sql + at, sizeof sql - at,
				"%s(?1,?2,?%zu,?%zu,'declared',?3,?3)",
				j ? "," : "", 4 + 2 * j, 5 + 2 * j);
		sqlite3_stmt *st = cartel__db_stmt(
			db,
			k > 1 ? CARTEL__ST_DECL_PERSON_ADD_N
			      : CARTEL__ST_DECL_PERSON_ADD,
			sql, why);
		if (st == NULL)
			return CARTEL_EDB;
		sqlite3_bind_text(st, 1, party, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, digest, -1, SQLITE_STATIC);
		for (size_t j = 0; j < k; j++) {
			sqlite3_bind_text(st, 4 + 2 * (int)j, ids[i + j], -1,
					  SQLITE_STATIC);
			sqlite3_bind_text(st, 5 + 2 * (int)j, fields[i + j],
					  -1, SQLITE_STATIC);
		}
		int s = sqlite3_step(st);
		sqlite3_reset(st);
		if (s != SQLITE_DONE)
			return cartel__db_err(db, s, "recording a declared person",
					      why);
		/* A new row holds exactly what was bound (every column is
		 * TEXT): its ledger digest is made from the values, without
		 * reading the row back. */
		for (size_t j = 0; j < k; j++, i++) {
			const char *const cols[] = {party,	  kind,
						    ids[i],	  fields[i],
						    "declared", digest,
						    digest};
			int rc = cartel__ledger_touch_text(
				db, CARTEL__LT_DECL_PERSON, k1, ids[i], cols, 7,
				why);
			if (rc)
				return rc;
		}
	}
	return 0;
}

int
cartel__decl_change_put(struct cartel_db *db, const char *digest,
			const char *their_id, const char *change,
			const char *old_fields, const char *new_fields,
			char **why)
{
	sqlite3_stmt *st = cartel__db_stmt(
		db, CARTEL__ST_DECL_CHANGE_PUT,
		"INSERT INTO declared_change (digest, their_id, change,"
		" old_fields, new_fields) VALUES (?1, ?2, ?3, ?4, ?5)",
		why);
	if (st == NULL)
		return CARTEL_EDB;
	sqlite3_bind_text(st, 1, digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, their_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, change, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, old_fields, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, new_fields, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	sqlite3_reset(st);
	if (s != SQLITE_DONE)
		return cartel__db_err(db, s, "recording a declared change",
				      why);
	return cartel__ledger_touch(db, CARTEL__LT_DECL_CHANGE, digest,
				    their_id, why);
}

int
cartel__decl_bulk(struct cartel_db *db, int on)
{
	return cartel__db_bulk(db, on);
}

int
cartel__decl_person_get(struct cartel_db *db, const char *party,
			const char *kind, const char *their_id,
			char **status, char **fields, char **last_digest,
			char **why)
{
	*status = *fields = *last_digest = NULL;
	sqlite3_stmt *st;
	int rc = cartel__db_prep_cached(db,
				 "SELECT status, fields, last_digest FROM"
				 " declared_person WHERE party = ?1 AND"
				 " kind = ?2 AND their_id = ?3",
				 &st, "reading a declared person", why);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, party, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, their_id, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		*status = cartel__strdup(
			(const char *)sqlite3_column_text(st, 0));
		*fields = cartel__strdup(
			(const char *)sqlite3_column_text(st, 1));
		*last_digest = cartel__strdup(
			(const char *)sqlite3_column_text(st, 2));
		if (*status == NULL || *fields == NULL || *last_digest == NULL)
			rc = CARTEL_ENOMEM;
	} else if (s == SQLITE_DONE) {
		rc = CARTEL_ENOTFOUND;
	} else {
		rc = cartel__db_err(db, s, "reading a declared person", why);
	}
	cartel__db_done(db, st);
	if (rc == 0) {
		/* The row decides what a round may list: it must be the row
		 * the audit chain recorded. */
		char k1[CARTEL_PARTY_MAX + 16];
		snprintf(k1, sizeof k1, "%s:%s", party, kind);
		rc = held(db, CARTEL__LT_DECL_PERSON, k1, their_id,
			  "a person declared earlier", why);
	}
	if (rc) {
		free(*status);
		free(*fields);
		free(*last_digest);
		*status = *fields = *last_digest = NULL;
	}
	return rc;
}

int
cartel__decl_parties(struct cartel_db *db, const char *kind, char ***out,
		     size_t *n, char **why)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st;
	int rc = cartel__db_prep(db,
				 "SELECT DISTINCT party FROM"
				 " declaration_received WHERE kind = ?1"
				 " ORDER BY party",
				 &st, "reading the declarations received",
				 why);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	int s;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		char **v = realloc(*out, (*n + 1) * sizeof *v);
		char *p = cartel__strdup(
			(const char *)sqlite3_column_text(st, 0));
		if (v == NULL || p == NULL) {
			free(p);
			if (v != NULL)
				*out = v;
			rc = CARTEL_ENOMEM;
			break;
		}
		*out = v;
		(*out)[(*n)++] = p;
	}
	if (rc == 0 && s != SQLITE_DONE)
		rc = cartel__db_err(db, s, "reading the declarations received",
				    why);
	sqlite3_finalize(st);
	if (rc == 0)
		rc = table_holds(db, CARTEL__LT_DECL_RECEIVED,
				 "the declarations received", why);
	if (rc) {
		for (size_t i = 0; i < *n; i++)
			free((*out)[i]);
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}
