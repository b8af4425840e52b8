/*
 * The rows of the server's accounts: users, sessions, the access log and
 * the families' case codes (store/account_rows.h). The rules on them are
 * in src/lib/account.
 */
#include <stdlib.h>
#include <string.h>

#include <cartel/error.h>

#include "core/why.h"
#include "store/account_rows.h"
#include "store/store_int.h"

static void
bind_opt(sqlite3_stmt *st, int i, const char *s)
{
	if (s != NULL)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* Steps a statement that returns no row and finalizes it. */
static int
run(struct cartel_db *db, sqlite3_stmt *st, const char *doing, char **why)
{
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_CONSTRAINT)
		return cartel__why(why, CARTEL_EEXIST, "%s: already exists",
				   doing);
	return rc == SQLITE_DONE ? 0 : cartel__db_err(db, rc, doing, why);
}

const char *
cartel__account_now(char *buf, size_t size)
{
	return cartel__now(buf, size);
}

void
cartel__user_row_clear(struct cartel__user_row *u)
{
	free(u->name);
	free(u->role);
	free(u->party);
	free(u->pw_hash);
	free(u->created_at);
	free(u->created_by);
	free(u->changed_at);
	memset(u, 0, sizeof *u);
}

int
cartel__user_insert(struct cartel_db *db, const struct cartel__user_row *u,
		    char **why)
{
	sqlite3_stmt *st;
	int err = cartel__db_prep(
		db,
		"INSERT INTO account_user (name, role, party, pw_hash, "
		"disabled, failures, locked_until, created_at, created_by) "
		"VALUES (?1, ?2, ?3, ?4, 0, 0, 0, ?5, ?6)",
		&st, "adding a user", why);
	if (err != 0)
		return err;
	bind_opt(st, 1, u->name);
	bind_opt(st, 2, u->role);
	bind_opt(st, 3, u->party);
	bind_opt(st, 4, u->pw_hash);
	bind_opt(st, 5, u->created_at);
	bind_opt(st, 6, u->created_by);
	err = run(db, st, "adding a user", why);
	if (err == 0)
		err = cartel__ledger_touch(db, CARTEL__LT_USER, u->name, NULL,
					   why);
	return err;
}

#define USER_COLS                                                              \
	"name, role, party, pw_hash, disabled, failures, locked_until, "     \
	"created_at, created_by, changed_at"

/* Column i copied into *dst; 1 when it held a value that could not be
 * copied (out of memory). */
static int
col_lost(sqlite3_stmt *st, int i, char **dst)
{
	*dst = cartel__col_dup(st, i);
	return *dst == NULL && sqlite3_column_type(st, i) != SQLITE_NULL;
}

/* The row into *u; 1 when a value was lost to a failed allocation (the
 * caller then reports it rather than act on a user with no password
 * hash). */
static int
user_from(sqlite3_stmt *st, struct cartel__user_row *u)
{
	int lost = col_lost(st, 0, &u->name) | col_lost(st, 1, &u->role) |
		   col_lost(st, 2, &u->party) | col_lost(st, 3, &u->pw_hash);
	u->disabled = sqlite3_column_int(st, 4);
	u->failures = sqlite3_column_int(st, 5);
	u->locked_until = sqlite3_column_int64(st, 6);
	lost |= col_lost(st, 7, &u->created_at) |
		col_lost(st, 8, &u->created_by) |
		col_lost(st, 9, &u->changed_at);
	return lost;
}

int
cartel__user_get(struct cartel_db *db, const char *name,
		 struct cartel__user_row *out, char **why)
{
	memset(out, 0, sizeof *out);
	int err = cartel__ledger_check_row(db, CARTEL__LT_USER, name, NULL,
					   why);
	if (err != 0)
		return err == CARTEL_ENOTFOUND
			       ? cartel__why(why, err, "no such user")
			       : err;
	sqlite3_stmt *st;
	err = cartel__db_prep(db,
			      "SELECT " USER_COLS
			      " FROM account_user WHERE name = ?1",
			      &st, "reading a user", why);
	if (err != 0)
		return err;
	bind_opt(st, 1, name);
	int rc = sqlite3_step(st);
	int lost = 0;
	if (rc == SQLITE_ROW)
		lost = user_from(st, out);
	else if (rc == SQLITE_DONE)
		err = cartel__why(why, CARTEL_ENOTFOUND, "no such user");
	else
		err = cartel__db_err(db, rc, "reading a user", why);
	sqlite3_finalize(st);
	if (err == 0 && lost) {
		cartel__user_row_clear(out);
		err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	}
	return err;
}

int
cartel__user_list(struct cartel_db *db, struct cartel__user_row **out,
		  size_t *n, char **why)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st;
	int err = cartel__db_prep(db,
				  "SELECT " USER_COLS
				  " FROM account_user ORDER BY name",
				  &st, "listing users", why);
	if (err != 0)
		return err;
	struct cartel__user_row *v = NULL;
	size_t k = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct cartel__user_row *nv = realloc(v, (k + 1) * sizeof *nv);
		if (nv == NULL) {
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
			break;
		}
		v = nv;
		memset(&v[k], 0, sizeof v[k]);
		if (user_from(st, &v[k++])) {
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
			break;
		}
	}
	if (err == 0 && rc != SQLITE_DONE)
		err = cartel__db_err(db, rc, "listing users", why);
	sqlite3_finalize(st);
	if (err != 0) {
		for (size_t i = 0; i < k; i++)
			cartel__user_row_clear(&v[i]);
		free(v);
		return err;
	}
	*out = v;
	*n = k;
	return 0;
}

int
cartel__user_update(struct cartel_db *db, const char *name,
		    const char *pw_hash, int disabled, int failures,
		    long long locked_until, const char *changed_at,
		    char **why)
{
	sqlite3_stmt *st;
	int err = cartel__db_prep(
		db,
		"UPDATE account_user SET "
		"pw_hash = coalesce(?2, pw_hash), "
		"disabled = CASE WHEN ?3 < 0 THEN disabled ELSE ?3 END, "
		"failures = CASE WHEN ?4 < 0 THEN failures ELSE ?4 END, "
		"locked_until = CASE WHEN ?5 < 0 THEN locked_until ELSE ?5 END, "
		"changed_at = ?6 WHERE name = ?1",
		&st, "changing a user", why);
	if (err != 0)
		return err;
	bind_opt(st, 1, name);
	bind_opt(st, 2, pw_hash);
	sqlite3_bind_int(st, 3, disabled);
	sqlite3_bind_int(st, 4, failures);
	sqlite3_bind_int64(st, 5, locked_until);
	bind_opt(st, 6, changed_at);
	err = run(db, st, "changing a user", why);
	if (err == 0 && sqlite3_changes(cartel__db_sqlite(db)) == 0)
		return cartel__why(why, CARTEL_ENOTFOUND, "no such user");
	if (err == 0)
		err = cartel__ledger_touch(db, CARTEL__LT_USER, name, NULL,
					   why);
	return err;
}

int
cartel__session_insert(struct cartel_db *db, const char *id_hash,
		       const char *user, const char *csrf, long long now,
		       char **why)
{
	sqlite3_stmt *st;
	int err = cartel__db_prep(db,
				  "INSERT INTO account_session (id_hash, user, "
				  "csrf, created_at, seen_at) "
				  "VALUES (?1, ?2, ?3, ?4, ?4)",
				  &st, "starting a session", why);
	if (err != 0)
		return err;
	bind_opt(st, 1, id_hash);
	bind_opt(st, 2, user);
	bind_opt(st, 3, csrf);
	sqlite3_bind_int64(st, 4, now);
	err = run(db, st, "starting a session", why);
	if (err == 0)
		err = cartel__ledger_touch(db, CARTEL__LT_SESSION, id_hash,
					   NULL, why);
	return err;
}

int
cartel__session_get(struct cartel_db *db, const char *id_hash, char **user,
		    char **csrf, long long *seen_at, char **why)
{
	*user = *csrf = NULL;
	int err = cartel__ledger_check_row(db, CARTEL__LT_SESSION, id_hash,
					   NULL, why);
	if (err != 0)
		return err == CARTEL_ENOTFOUND
			       ? cartel__why(why, err, "no such session")
			       : err;
	sqlite3_stmt *st;
	err = cartel__db_prep(db,
			      "SELECT user, csrf, seen_at FROM account_session "
			      "WHERE id_hash = ?1",
			      &st, "reading a session", why);
	if (err != 0)
		return err;
	bind_opt(st, 1, id_hash);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*user = cartel__col_dup(st, 0);
		*csrf = cartel__col_dup(st, 1);
		*seen_at = sqlite3_column_int64(st, 2);
		if (*user == NULL || *csrf == NULL)
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	} else if (rc == SQLITE_DONE) {
		err = cartel__why(why, CARTEL_ENOTFOUND, "no such session");
	} else {
		err = cartel__db_err(db, rc, "reading a session", why);
	}
	sqlite3_finalize(st);
	if (err != 0) {
		free(*user);
		free(*csrf);
		*user = *csrf = NULL;
	}
	return err;
}

int
cartel__session_seen(struct cartel_db *db, const char *id_hash,
		     long long now, char **why)
{
	sqlite3_stmt *st;
	int err = cartel__db_prep(db,
				  "UPDATE account_session SET seen_at = ?2 "
				  "WHERE id_hash = ?1",
				  &st, "keeping a session", why);
	if (err != 0)
		return err;
	bind_opt(st, 1, id_hash);
	sqlite3_bind_int64(st, 2, now);
	err = run(db, st, "keeping a session", why);
	if (err == 0)
		err = cartel__ledger_touch(db, CARTEL__LT_SESSION, id_hash,
					   NULL, why);
	return err;
}

int
cartel__session_delete(struct cartel_db *db, const char *id_hash,
		       const char *user, size_t *n, char **why)
{
	/* The ledger needs each deleted row's key: read them first. */
	char **keys = NULL;
	size_t k = 0;
	sqlite3_stmt *st;
	int err = cartel__db_prep(db,
				  "SELECT id_hash FROM account_session WHERE "
				  "id_hash = ?1 OR user = ?2",
				  &st, "ending sessions", why);
	if (err != 0)
		return err;
	bind_opt(st, 1, id_hash);
	bind_opt(st, 2, user);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char **nk = realloc(keys, (k + 1) * sizeof *nk);
		if (nk == NULL || (nk[k] = cartel__col_dup(st, 0)) == NULL) {
			if (nk != NULL)
				keys = nk;
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
			break;
		}
		keys = nk;
		k++;
	}
	if (err == 0 && rc != SQLITE_DONE)
		err = cartel__db_err(db, rc, "ending sessions", why);
	sqlite3_finalize(st);
	for (size_t i = 0; err == 0 && i < k; i++) {
		err = cartel__db_prep(db,
				      "DELETE FROM account_session "
				      "WHERE id_hash = ?1",
				      &st, "ending a session", why);
		if (err == 0) {
			bind_opt(st, 1, keys[i]);
			err = run(db, st, "ending a session", why);
		}
		if (err == 0)
			err = cartel__ledger_touch(db, CARTEL__LT_SESSION,
						   keys[i], NULL, why);
	}
	for (size_t i = 0; i < k; i++)
		free(keys[i]);
	free(keys);
	if (err == 0 && n != NULL)
		*n = k;
	return err;
}

int
cartel__access_insert(struct cartel_db *db, const char *at, const char *user,
		      const char *role, const char *action,
		      const char *subject, const char *decision,
		      const char *address, char **why)
{
	sqlite3_stmt *st;
	int err = cartel__db_prep(db,
				  "INSERT INTO access_log (at, user, role, "
				  "action, subject, decision, address) "
				  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
				  &st, "writing the access log", why);
	if (err != 0)
		return err;
	bind_opt(st, 1, at);
	bind_opt(st, 2, user);
	bind_opt(st, 3, role);
	bind_opt(st, 4, action);
	bind_opt(st, 5, subject);
	bind_opt(st, 6, decision);
	bind_opt(st, 7, address);
	err = run(db, st, "writing the access log", why);
	if (err == 0) {
		char key[32];
		snprintf(key, sizeof key, "%lld",
			 (long long)sqlite3_last_insert_rowid(
				 cartel__db_sqlite(db)));
		err = cartel__ledger_touch(db, CARTEL__LT_ACCESS, key, NULL,
					   why);
	}
	return err;
}

void
cartel__access_rows_free(struct cartel__access_row *v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++) {
		free(v[i].at);
		free(v[i].user);
		free(v[i].role);
		free(v[i].action);
		free(v[i].subject);
		free(v[i].decision);
		free(v[i].address);
	}
	free(v);
}

int
cartel__access_list(struct cartel_db *db, long long offset, long long limit,
		    struct cartel__access_row **out, size_t *n,
		    long long *total, char **why)
{
	*out = NULL;
	*n = 0;
	*total = 0;
	sqlite3_stmt *st;
	int err = cartel__db_prep(db, "SELECT count(*) FROM access_log", &st,
				  "reading the access log", why);
	if (err != 0)
		return err;
	if (sqlite3_step(st) == SQLITE_ROW)
		*total = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	err = cartel__db_prep(db,
			      "SELECT seq, at, user, role, action, subject, "
			      "decision, address FROM access_log "
			      "ORDER BY seq DESC LIMIT ?2 OFFSET ?1",
			      &st, "reading the access log", why);
	if (err != 0)
		return err;
	sqlite3_bind_int64(st, 1, offset);
	sqlite3_bind_int64(st, 2, limit);
	struct cartel__access_row *v = NULL;
	size_t k = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct cartel__access_row *nv = realloc(v, (k + 1) * sizeof *nv);
		if (nv == NULL) {
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
			break;
		}
		v = nv;
		struct cartel__access_row *r = &v[k++];
		r->seq = sqlite3_column_int64(st, 0);
		r->at = cartel__col_dup(st, 1);
		r->user = cartel__col_dup(st, 2);
		r->role = cartel__col_dup(st, 3);
		r->action = cartel__col_dup(st, 4);
		r->subject = cartel__col_dup(st, 5);
		r->decision = cartel__col_dup(st, 6);
		r->address = cartel__col_dup(st, 7);
	}
	if (err == 0 && rc != SQLITE_DONE)
		err = cartel__db_err(db, rc, "reading the access log", why);
	sqlite3_finalize(st);
	if (err != 0) {
		cartel__access_rows_free(v, k);
		return err;
	}
	*out = v;
	*n = k;
	return 0;
}

int
cartel__case_code_insert(struct cartel_db *db, const char *hash,
			 const char *inquiry_id, const char *at, char **why)
{
	sqlite3_stmt *st;
	int err = cartel__db_prep(db,
				  "INSERT INTO case_code (hash, inquiry_id, "
				  "created_at) VALUES (?1, ?2, ?3)",
				  &st, "recording a case code", why);
	if (err != 0)
		return err;
	bind_opt(st, 1, hash);
	bind_opt(st, 2, inquiry_id);
	bind_opt(st, 3, at);
	err = run(db, st, "recording a case code", why);
	if (err == 0)
		err = cartel__ledger_touch(db, CARTEL__LT_CASE_CODE, hash,
					   NULL, why);
	return err;
}

int
cartel__case_code_find(struct cartel_db *db, const char *hash,
		       char **inquiry_id, char **why)
{
	*inquiry_id = NULL;
	sqlite3_stmt *st;
	int err = cartel__db_prep(db,
				  "SELECT inquiry_id FROM case_code "
				  "WHERE hash = ?1",
				  &st, "reading a case code", why);
	if (err != 0)
		return err;
	bind_opt(st, 1, hash);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if ((*inquiry_id = cartel__col_dup(st, 0)) == NULL)
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	} else if (rc == SQLITE_DONE) {
		err = cartel__why(why, CARTEL_ENOTFOUND, "no such case");
	} else {
		err = cartel__db_err(db, rc, "reading a case code", why);
	}
	sqlite3_finalize(st);
	if (err == 0)
		err = cartel__ledger_check_row(db, CARTEL__LT_CASE_CODE, hash,
					       NULL, why);
	if (err != 0) {
		free(*inquiry_id);
		*inquiry_id = NULL;
	}
	return err;
}

int
cartel__person_version(struct cartel_db *db, const char *id,
		       long long *version, char **why)
{
	*version = 0;
	sqlite3_stmt *st;
	int err = cartel__db_prep(db,
				  "SELECT p.pk, (SELECT max(seq) FROM events e "
				  "WHERE e.person = p.pk) FROM persons p "
				  "WHERE p.id = ?1",
				  &st, "reading a record's version", why);
	if (err != 0)
		return err;
	bind_opt(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*version = sqlite3_column_int64(st, 1);
	else if (rc == SQLITE_DONE)
		err = cartel__why(why, CARTEL_ENOTFOUND,
				  "no person with this id");
	else
		err = cartel__db_err(db, rc, "reading a record's version",
				     why);
	sqlite3_finalize(st);
	return err;
}
