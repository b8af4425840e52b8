/*
 * The SQLite side of backups and restores: the online backup of an open
 * register, the checks a copy passes before it may replace a register, and
 * the lock held on a register while it is replaced (backup_store.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cartel/error.h>
#include <cartel/store.h>

#include "core/why.h"
#include "store/backup_store.h"
#include "store/store_int.h"

/* How often a busy source is retried before the backup gives up, and the
 * pause between tries (ms): a reader of a WAL file is only kept waiting
 * while another connection recovers the WAL. */
#define BACKUP_TRIES 200
#define BACKUP_PAUSE_MS 50

static int
plain_err(sqlite3 *s, int rc, const char *doing, char **why)
{
	return cartel__why(why, (rc & 0xff) == SQLITE_NOTADB ||
					(rc & 0xff) == SQLITE_CORRUPT
				? CARTEL_EFORMAT
				: (rc & 0xff) == SQLITE_BUSY ? CARTEL_EBUSY
							     : CARTEL_EIO,
			   "%s: %s", doing,
			   s != NULL ? sqlite3_errmsg(s) : sqlite3_errstr(rc));
}

int
cartel__store_backup_to(struct cartel_db *db, const char *path, char **why)
{
	sqlite3 *dst = NULL;
	int rc = sqlite3_open_v2(path, &dst,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW,
				 NULL);
	if (rc != SQLITE_OK) {
		int err = plain_err(dst, rc, "opening the copy", why);
		sqlite3_close(dst);
		return err;
	}
	/* One step copies every page from one read transaction on the
	 * source: the copy is the register as of one commit, while other
	 * connections keep writing to the WAL. */
	int err = 0;
	sqlite3_backup *b =
		sqlite3_backup_init(dst, "main", cartel__db_sqlite(db), "main");
	if (b == NULL) {
		err = plain_err(dst, sqlite3_errcode(dst), "starting the backup",
				why);
		goto done;
	}
	for (int tries = 0;; tries++) {
		rc = sqlite3_backup_step(b, -1);
		if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) &&
		    tries < BACKUP_TRIES) {
			sqlite3_sleep(BACKUP_PAUSE_MS);
			continue;
		}
		break;
	}
	int frc = sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		err = plain_err(dst, rc, "copying the register", why);
		goto done;
	}
	if (frc != SQLITE_OK) {
		err = plain_err(dst, frc, "copying the register", why);
		goto done;
	}
	/* The copy is one self-contained file: no WAL beside it. */
	rc = sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL,
			  NULL);
	if (rc != SQLITE_OK)
		err = plain_err(dst, rc, "finishing the copy", why);
done:
	rc = sqlite3_close(dst);
	if (err == 0 && rc != SQLITE_OK)
		err = cartel__why(why, CARTEL_EIO, "closing the copy failed");
	return err;
}

/* The first column of the first row of `sql` on s, as an integer (or, for
 * integrity_check, whether it reads "ok"). */
static int
one_int(sqlite3 *s, const char *sql, long long *out, const char *doing,
	char **why)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return plain_err(s, rc, doing, why);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	int err = rc == SQLITE_ROW ? 0 : plain_err(s, rc, doing, why);
	sqlite3_finalize(st);
	return err;
}

/* SQLite's own check of the file's structure. */
static int
integrity(sqlite3 *s, char **why)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s, "PRAGMA integrity_check(1)", -1, &st,
				    NULL);
	if (rc != SQLITE_OK)
		return plain_err(s, rc, "the copy is not an SQLite database",
				 why);
	rc = sqlite3_step(st);
	int err = 0;
	if (rc == SQLITE_ROW) {
		const char *r = (const char *)sqlite3_column_text(st, 0);
		if (r == NULL || strcmp(r, "ok") != 0)
			err = cartel__why(why, CARTEL_EFORMAT,
					  "the copy is damaged (SQLite's "
					  "integrity check: %.200s)",
					  r != NULL ? r : "no answer");
	} else {
		err = plain_err(s, rc, "the copy is damaged or not an SQLite "
				       "database",
				why);
	}
	sqlite3_finalize(st);
	return err;
}

int
cartel__store_check_copy(const char *path, int *version,
			 struct cartel_audit_report *rep, char **why)
{
	memset(rep, 0, sizeof(*rep));
	*version = 0;
	sqlite3 *s = NULL;
	int rc = sqlite3_open_v2(path, &s, SQLITE_OPEN_READONLY, NULL);
	if (rc != SQLITE_OK) {
		int err = plain_err(s, rc, "opening the copy", why);
		sqlite3_close(s);
		return err;
	}
	int err = integrity(s, why);
	long long v = 0, n_tables = 0;
	if (err == 0)
		err = one_int(s, "PRAGMA user_version", &v,
			      "reading the copy's schema version", why);
	if (err == 0)
		err = one_int(s,
			      "SELECT count(*) FROM sqlite_schema "
			      "WHERE type = 'table' AND name IN ('persons', "
			      "'person_attrs', 'events', 'audit', "
			      "'audit_head')",
			      &n_tables, "reading the copy's tables", why);
	sqlite3_close(s);
	if (err != 0)
		return err;
	if (v <= 0 || n_tables != 5)
		return cartel__why(why, CARTEL_EFORMAT,
				   "the copy is an SQLite database but not a "
				   "cartel register (%s)",
				   v <= 0 ? "no schema version"
					  : "the register's tables are missing");
	if (v > (long long)cartel__n_migrations)
		return cartel__why(why, CARTEL_EVERSION,
				   "the copy has schema version %lld; this "
				   "build of cartel knows versions up to %zu "
				   "(restore it with a newer cartel)",
				   v, cartel__n_migrations);
	*version = (int)v;
	/* Opened as a register: an older copy is upgraded here, before it
	 * replaces anything, so the register it becomes opens as any other. */
	struct cartel_db *db;
	char *inner = NULL;
	err = cartel_db_open(&db, path, 0, &inner);
	if (err != 0) {
		cartel__why(why, err, "opening the copy as a register: %s",
			    inner != NULL ? inner : cartel_strerror(err));
		free(inner);
		return err;
	}
	err = cartel_audit_verify(db, NULL, rep, &inner);
	cartel_db_close(db);
	if (err != 0) {
		cartel__why(why, err,
			    "the copy's audit chain does not hold: %s",
			    inner != NULL ? inner : cartel_strerror(err));
		free(inner);
	}
	return err;
}

struct cartel__store_hold {
	sqlite3 *sql;
};

int
cartel__store_take(const char *path, struct cartel__store_hold **hold,
		   char **why)
{
	*hold = NULL;
	sqlite3 *s = NULL;
	int rc = sqlite3_open_v2(path, &s, SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK) {
		int err = plain_err(s, rc, "opening the register to replace",
				    why);
		sqlite3_close(s);
		return err;
	}
	/* No waiting: a register in use is refused, not waited for. */
	sqlite3_busy_timeout(s, 0);
	int err = 0;
	sqlite3_stmt *st = NULL;
	rc = sqlite3_prepare_v2(s, "PRAGMA journal_mode = DELETE", -1, &st,
				NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		/* Leaving WAL mode succeeds only when this is the file's only
		 * connection; otherwise the mode stays "wal". */
		const char *mode = (const char *)sqlite3_column_text(st, 0);
		if (mode == NULL || strcmp(mode, "delete") != 0)
			err = cartel__why(why, CARTEL_EBUSY,
					  "%s is open in another process "
					  "(close it first)",
					  path);
	} else {
		err = (rc & 0xff) == SQLITE_BUSY
			      ? cartel__why(why, CARTEL_EBUSY,
					    "%s is in use by another process "
					    "(close it first)",
					    path)
			      : cartel__why(why, CARTEL_EFORMAT,
					    "%s is not a register (%s); "
					    "refusing to replace it",
					    path, sqlite3_errmsg(s));
	}
	sqlite3_finalize(st);
	if (err == 0) {
		rc = sqlite3_exec(s, "BEGIN EXCLUSIVE", NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			err = cartel__why(why, CARTEL_EBUSY,
					  "%s is in use by another process "
					  "(close it first)",
					  path);
	}
	if (err == 0) {
		*hold = malloc(sizeof(**hold));
		if (*hold == NULL)
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	}
	if (err != 0) {
		sqlite3_close(s);
		return err;
	}
	(*hold)->sql = s;
	return 0;
}

void
cartel__store_release(struct cartel__store_hold *hold)
{
	if (hold == NULL)
		return;
	sqlite3_exec(hold->sql, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(hold->sql);
	free(hold);
}
