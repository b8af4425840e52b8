/*
 * The transfer log's table (migration "1100-transfers"): one row per file
 * that left cartel, under the row ledger. The rules (what a record must
 * hold, the digest) are io/transfer.c's; this file only reads and writes
 * the rows.
 */
#include <stdio.h>
#include <stdlib.h>

#include <cartel/error.h>

#include "core/why.h"
#include "store/store_int.h"
#include "store/transfer_rows.h"

int
cartel__transfer_insert(struct cartel_db *db, char *at, size_t at_size,
			const char *by, const char *kind, long long n_persons,
			const char *to, const char *file, const char *sha256,
			long long *seq, char **why)
{
	cartel__now(at, at_size);
	sqlite3_stmt *st;
	int err = cartel__db_prep(db,
				  "INSERT INTO transfer_log (at, by, kind, "
				  "n_persons, recipient, file, sha256) "
				  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
				  &st, "writing the transfer log", why);
	if (err != 0)
		return err;
	sqlite3_bind_text(st, 1, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, by, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, n_persons);
	cartel__bind_text_or_null(st, 5, to);
	cartel__bind_text_or_null(st, 6, file);
	cartel__bind_text_or_null(st, 7, sha256);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return cartel__db_err(db, rc, "writing the transfer log", why);
	long long k = sqlite3_last_insert_rowid(cartel__db_sqlite(db));
	char key[32];
	snprintf(key, sizeof key, "%lld", k);
	err = cartel__ledger_touch(db, CARTEL__LT_TRANSFER, key, NULL, why);
	if (err == 0 && seq != NULL)
		*seq = k;
	return err;
}

int
cartel__transfer_rows(struct cartel_db *db, struct cartel_transfer_row **out,
		      size_t *n, char **why)
{
	*out = NULL;
	*n = 0;
	int err = cartel__ledger_verify_table(db, CARTEL__LT_TRANSFER, why);
	if (err != 0)
		return err;
	sqlite3_stmt *st;
	err = cartel__db_prep(db,
			      "SELECT seq, at, by, kind, n_persons, recipient, "
			      "file, sha256 FROM transfer_log ORDER BY seq",
			      &st, "reading the transfer log", why);
	if (err != 0)
		return err;
	struct cartel_transfer_row *v = NULL;
	size_t k = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct cartel_transfer_row *nv = realloc(v, (k + 1) * sizeof *nv);
		if (nv == NULL) {
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
			break;
		}
		v = nv;
		struct cartel_transfer_row *r = &v[k++];
		r->seq = sqlite3_column_int64(st, 0);
		r->at = cartel__col_dup(st, 1);
		r->by = cartel__col_dup(st, 2);
		r->kind = cartel__col_dup(st, 3);
		r->n_persons = sqlite3_column_int64(st, 4);
		r->to = cartel__col_dup(st, 5);
		r->file = cartel__col_dup(st, 6);
		r->sha256 = cartel__col_dup(st, 7);
	}
	if (err == 0 && rc != SQLITE_DONE)
		err = cartel__db_err(db, rc, "reading the transfer log", why);
	sqlite3_finalize(st);
	if (err != 0) {
		cartel_transfer_rows_free(v, k);
		return err;
	}
	*out = v;
	*n = k;
	return 0;
}
