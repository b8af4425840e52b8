/*
 * The rows of rounds handled through the server (store/account_rows.h,
 * migration "1400-web-rounds"): the list documents a mediator received,
 * and the named policies a round may be planned with. What they mean,
 * who may write them and how a document is verified is in
 * src/lib/account/rounds.c.
 */
#include <stdlib.h>
#include <string.h>

#include <cartel/error.h>

#include "core/why.h"
#include "store/account_rows.h"
#include "store/store_int.h"

void
cartel__received_rows_free(struct cartel__received_row *v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++) {
		free(v[i].round_id);
		free(v[i].kind);
		free(v[i].digest);
		free(v[i].parties);
		free(v[i].signed_by);
		free(v[i].document);
		free(v[i].received_at);
		free(v[i].received_by);
	}
	free(v);
}

int
cartel__received_insert(struct cartel_db *db,
			const struct cartel__received_row *r, long long *seq,
			int *already, char **why)
{
	*already = 0;
	sqlite3_stmt *st;
	int err = cartel__db_prep(db,
				  "SELECT seq FROM round_received WHERE "
				  "round_id = ?1 AND version = ?2 AND "
				  "digest = ?3 AND document = ?4",
				  &st, "reading the documents received", why);
	if (err != 0)
		return err;
	sqlite3_bind_text(st, 1, r->round_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, r->version);
	sqlite3_bind_text(st, 3, r->digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, r->document, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*seq = sqlite3_column_int64(st, 0);
		*already = 1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cartel__db_err(db, rc, "reading the documents received",
				      why);
	if (*already)
		return 0;
	err = cartel__db_prep(db,
			      "INSERT INTO round_received (round_id, version, "
			      "kind, digest, parties, signed_by, document, "
			      "received_at, received_by) VALUES (?1, ?2, ?3, "
			      "?4, ?5, ?6, ?7, ?8, ?9)",
			      &st, "storing a document received", why);
	if (err != 0)
		return err;
	sqlite3_bind_text(st, 1, r->round_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, r->version);
	sqlite3_bind_text(st, 3, r->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, r->digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, r->parties, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, r->signed_by, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, r->document, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, r->received_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, r->received_by, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return cartel__db_err(db, rc, "storing a document received",
				      why);
	*seq = (long long)sqlite3_last_insert_rowid(cartel__db_sqlite(db));
	char key[32];
	snprintf(key, sizeof key, "%lld", *seq);
	return cartel__ledger_touch(db, CARTEL__LT_RECEIVED, key, NULL, why);
}

static void
received_row(sqlite3_stmt *st, struct cartel__received_row *r, int text)
{
	memset(r, 0, sizeof *r);
	r->seq = sqlite3_column_int64(st, 0);
	r->round_id = cartel__col_dup(st, 1);
	r->version = sqlite3_column_int(st, 2);
	r->kind = cartel__col_dup(st, 3);
	r->digest = cartel__col_dup(st, 4);
	r->parties = cartel__col_dup(st, 5);
	r->signed_by = cartel__col_dup(st, 6);
	r->received_at = cartel__col_dup(st, 7);
	r->received_by = cartel__col_dup(st, 8);
	if (text)
		r->document = cartel__col_dup(st, 9);
}

int
cartel__received_get(struct cartel_db *db, long long seq,
		     struct cartel__received_row *out, char **why)
{
	memset(out, 0, sizeof *out);
	char key[32];
	snprintf(key, sizeof key, "%lld", seq);
	int err = cartel__ledger_check_row(db, CARTEL__LT_RECEIVED, key, NULL,
					   why);
	if (err == CARTEL_ENOTFOUND)
		return cartel__why(why, CARTEL_ENOTFOUND,
				   "no document %lld was received", seq);
	if (err != 0)
		return err;
	sqlite3_stmt *st;
	err = cartel__db_prep(db,
			      "SELECT seq, round_id, version, kind, digest, "
			      "parties, signed_by, received_at, received_by, "
			      "document FROM round_received WHERE seq = ?1",
			      &st, "reading a document received", why);
	if (err != 0)
		return err;
	sqlite3_bind_int64(st, 1, seq);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		received_row(st, out, 1);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return cartel__why(why, CARTEL_ENOTFOUND,
				   "no document %lld was received", seq);
	if (rc != SQLITE_ROW)
		return cartel__db_err(db, rc, "reading a document received",
				      why);
	if (out->round_id == NULL || out->document == NULL)
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	return 0;
}

int
cartel__received_list(struct cartel_db *db, const char *round_id,
		      const char *party, long long offset, long long limit,
		      struct cartel__received_row **out, size_t *n,
		      long long *total, char **why)
{
	*out = NULL;
	*n = 0;
	*total = 0;
	sqlite3_stmt *st;
	int err = cartel__db_prep(db,
				  "SELECT count(*) FROM round_received WHERE "
				  "(?1 IS NULL OR round_id = ?1) AND (?4 IS "
				  "NULL OR instr(',' || parties || ',', ',' || "
				  "?4 || ',') > 0)",
				  &st, "reading the documents received", why);
	if (err != 0)
		return err;
	if (round_id != NULL)
		sqlite3_bind_text(st, 1, round_id, -1, SQLITE_STATIC);
	if (party != NULL)
		sqlite3_bind_text(st, 4, party, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		*total = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	err = cartel__db_prep(db,
			      "SELECT seq, round_id, version, kind, digest, "
			      "parties, signed_by, received_at, received_by "
			      "FROM round_received WHERE (?1 IS NULL OR "
			      "round_id = ?1) AND (?4 IS NULL OR instr(',' || "
			      "parties || ',', ',' || ?4 || ',') > 0) "
			      "ORDER BY seq DESC "
			      "LIMIT ?3 OFFSET ?2",
			      &st, "reading the documents received", why);
	if (err != 0)
		return err;
	if (round_id != NULL)
		sqlite3_bind_text(st, 1, round_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, offset);
	sqlite3_bind_int64(st, 3, limit);
	if (party != NULL)
		sqlite3_bind_text(st, 4, party, -1, SQLITE_STATIC);
	struct cartel__received_row *v = NULL;
	size_t k = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct cartel__received_row *nv = realloc(v, (k + 1) * sizeof *nv);
		if (nv == NULL) {
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
			break;
		}
		v = nv;
		received_row(st, &v[k++], 0);
	}
	if (err == 0 && rc != SQLITE_DONE)
		err = cartel__db_err(db, rc, "reading the documents received",
				     why);
	sqlite3_finalize(st);
	if (err != 0) {
		cartel__received_rows_free(v, k);
		return err;
	}
	*out = v;
	*n = k;
	return 0;
}

void
cartel__policy_rows_free(struct cartel__policy_row *v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++) {
		free(v[i].name);
		free(v[i].digest);
		free(v[i].yaml);
		free(v[i].added_at);
		free(v[i].added_by);
	}
	free(v);
}

int
cartel__policy_insert(struct cartel_db *db, const struct cartel__policy_row *p,
		      char **why)
{
	sqlite3_stmt *st;
	int err = cartel__db_prep(db,
				  "INSERT INTO plan_policy (name, digest, yaml, "
				  "added_at, added_by) VALUES (?1, ?2, ?3, ?4, "
				  "?5)",
				  &st, "storing a policy", why);
	if (err != 0)
		return err;
	sqlite3_bind_text(st, 1, p->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p->digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, p->yaml, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, p->added_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, p->added_by, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_CONSTRAINT)
		return cartel__why(why, CARTEL_EEXIST,
				   "a policy named \"%.64s\" is already stored",
				   p->name);
	if (rc != SQLITE_DONE)
		return cartel__db_err(db, rc, "storing a policy", why);
	return cartel__ledger_touch(db, CARTEL__LT_POLICY, p->name, NULL, why);
}

int
cartel__policy_get(struct cartel_db *db, const char *name,
		   struct cartel__policy_row *out, char **why)
{
	memset(out, 0, sizeof *out);
	int err = cartel__ledger_check_row(db, CARTEL__LT_POLICY, name, NULL,
					   why);
	if (err == CARTEL_ENOTFOUND)
		return cartel__why(why, CARTEL_ENOTFOUND,
				   "no policy named \"%.64s\" is stored", name);
	if (err != 0)
		return err;
	sqlite3_stmt *st;
	err = cartel__db_prep(db,
			      "SELECT name, digest, yaml, added_at, added_by "
			      "FROM plan_policy WHERE name = ?1",
			      &st, "reading a policy", why);
	if (err != 0)
		return err;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->name = cartel__col_dup(st, 0);
		out->digest = cartel__col_dup(st, 1);
		out->yaml = cartel__col_dup(st, 2);
		out->added_at = cartel__col_dup(st, 3);
		out->added_by = cartel__col_dup(st, 4);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return cartel__why(why, CARTEL_ENOTFOUND,
				   "no policy named \"%.64s\" is stored", name);
	if (rc != SQLITE_ROW)
		return cartel__db_err(db, rc, "reading a policy", why);
	if (out->yaml == NULL)
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	return 0;
}

int
cartel__policy_list(struct cartel_db *db, struct cartel__policy_row **out,
		    size_t *n, char **why)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st;
	int err = cartel__db_prep(db,
				  "SELECT name, digest, added_at, added_by "
				  "FROM plan_policy ORDER BY name",
				  &st, "reading the policies", why);
	if (err != 0)
		return err;
	struct cartel__policy_row *v = NULL;
	size_t k = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct cartel__policy_row *nv = realloc(v, (k + 1) * sizeof *nv);
		if (nv == NULL) {
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
			break;
		}
		v = nv;
		struct cartel__policy_row *p = &v[k++];
		memset(p, 0, sizeof *p);
		p->name = cartel__col_dup(st, 0);
		p->digest = cartel__col_dup(st, 1);
		p->added_at = cartel__col_dup(st, 2);
		p->added_by = cartel__col_dup(st, 3);
	}
	if (err == 0 && rc != SQLITE_DONE)
		err = cartel__db_err(db, rc, "reading the policies", why);
	sqlite3_finalize(st);
	if (err != 0) {
		cartel__policy_rows_free(v, k);
		return err;
	}
	*out = v;
	*n = k;
	return 0;
}
