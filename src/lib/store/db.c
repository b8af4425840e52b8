/*
 * Opening the register, migrations, transactions and the statement cache.
 *
 * One handle is one SQLite connection, meant for one thread. Writers take
 * the write lock at the start (BEGIN IMMEDIATE), so two writers never both
 * read and then fail to upgrade their locks; waiting is left to SQLite's
 * busy timeout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cartel/error.h>
#include <cartel/match.h>
#include <cartel/store.h>

#include "core/intl.h"
#include "core/why.h"
#include "register/record.h"
#include "store/account_rows.h"
#include "store/store_int.h"

struct cartel_db {
	sqlite3 *sql;
	char *path;
	unsigned flags;
	int depth;   /* nesting of cartel_db_begin; 0 = no transaction */
	int version; /* migrations applied */
	sqlite3_stmt *stmts[CARTEL__ST_N];
	struct cartel__buf buf; /* scratch for encoding records */
	struct cartel__search_cache search;
	struct cartel__ledger_pending ledger; /* rows awaiting their entry */
	struct cartel__inquiry_due due; /* call-backs awaiting their entry */
	size_t sp_ledger_n; /* ledger records pending when the savepoint
			     * opened */
	/* Statements of cartel__db_prep_cached, by their SQL text's
	 * address, each lent to one caller at a time. */
	struct {
		const char *q;
		sqlite3_stmt *st;
		int lent;
	} cache[CARTEL__DB_CACHE_N];
	/* The owner, read and checked once per handle (cartel__db_owner). */
	struct cartel__owner_cache owner;
	/* The access log's queue (account/access.c), or NULL. */
	struct cartel_access_batch *access_batch;
};

struct cartel_access_batch *
cartel__db_access_batch(struct cartel_db *db)
{
	return db->access_batch;
}

int
cartel__db_in_txn(struct cartel_db *db)
{
	return db->depth > 0;
}

void
cartel__db_set_access_batch(struct cartel_db *db, struct cartel_access_batch *b)
{
	db->access_batch = b;
}

struct cartel__owner_cache *
cartel__db_owner(struct cartel_db *db)
{
	return &db->owner;
}

struct cartel__inquiry_due *
cartel__db_due(struct cartel_db *db)
{
	return &db->due;
}

struct cartel__ledger_pending *
cartel__db_ledger(struct cartel_db *db)
{
	return &db->ledger;
}

struct cartel__search_cache *
cartel__db_search_cache(struct cartel_db *db)
{
	return &db->search;
}

struct cartel__buf *
cartel__db_buf(struct cartel_db *db)
{
	return &db->buf;
}

sqlite3 *
cartel__db_sqlite(struct cartel_db *db)
{
	return db->sql;
}

const char *
cartel__db_path(struct cartel_db *db)
{
	return db->path;
}

int
cartel__db_in_write(struct cartel_db *db)
{
	return db->depth > 0;
}

int
cartel__db_err(struct cartel_db *db, int rc, const char *doing, char **why)
{
	int err;
	switch (rc & 0xff) {
	case SQLITE_NOMEM: err = CARTEL_ENOMEM; break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: err = CARTEL_EBUSY; break;
	case SQLITE_FULL: err = CARTEL_EFULL; break;
	case SQLITE_READONLY: err = CARTEL_EREADONLY; break;
	case SQLITE_CONSTRAINT: err = CARTEL_EEXIST; break;
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN: err = CARTEL_EIO; break;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB: err = CARTEL_EFORMAT; break;
	default: err = CARTEL_EDB; break;
	}
	const char *msg = db != NULL && db->sql != NULL
				  ? sqlite3_errmsg(db->sql)
				  : sqlite3_errstr(rc);
	/* What was being done is said in the thread's language (marked at
	 * each call: scripts/po-update.sh); SQLite's own words stay its. */
	if (doing != NULL && doing[0] != '\0')
		doing = _(doing);
	if (err == CARTEL_EFULL)
		return cartel__why(why, err,
				   "%s: the database or disk is full "
				   "(nothing was written)",
				   doing);
	if (err == CARTEL_EREADONLY)
		return cartel__why(why, err,
				   "%s: the register is read-only "
				   "(nothing was written)",
				   doing);
	return cartel__why(why, err, "%s: %s", doing, msg);
}

const char *
cartel__now(char *buf, size_t size)
{
	const char *fixed = getenv("CARTEL_NOW");
	if (fixed != NULL && fixed[0] != '\0') {
		snprintf(buf, size, "%s", fixed);
		return buf;
	}
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

static int
exec(struct cartel_db *db, const char *sql, const char *doing, char **why)
{
	int rc = sqlite3_exec(db->sql, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return cartel__db_err(db, rc, doing, why);
	return 0;
}

static int
user_version(struct cartel_db *db, int *v, char **why)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db->sql, "PRAGMA user_version", -1, &st,
				    NULL);
	if (rc != SQLITE_OK)
		return cartel__db_err(db, rc, "reading the schema version",
				      why);
	rc = sqlite3_step(st);
	*v = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return cartel__db_err(db, rc, "reading the schema version",
				      why);
	return 0;
}

/* Applies the migrations the file lacks, each in its own transaction, so
 * that a failure leaves the file at the last complete version. */
static int
migrate(struct cartel_db *db, char **why)
{
	int v;
	int err = user_version(db, &v, why);
	if (err != 0)
		return err;
	if (v < 0 || (size_t)v > cartel__n_migrations)
		return cartel__why(why, CARTEL_EVERSION,
				   "%s has schema version %d; this build of "
				   "cartel knows versions up to %zu (use a "
				   "newer cartel)",
				   db->path, v, cartel__n_migrations);
	if ((size_t)v < cartel__n_migrations &&
	    (db->flags & CARTEL_DB_READONLY))
		return cartel__why(why, CARTEL_ESTATE,
				   "%s has schema version %d and needs "
				   "upgrading to %zu; open it writable once",
				   db->path, v, cartel__n_migrations);
	while ((size_t)v < cartel__n_migrations) {
		/* Re-read inside the write lock: another process may have
		 * migrated meanwhile. */
		err = exec(db, "BEGIN IMMEDIATE", "upgrading the schema", why);
		if (err != 0)
			return err;
		err = user_version(db, &v, why);
		if (err != 0 || (size_t)v >= cartel__n_migrations) {
			sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
			break;
		}
		const struct cartel__migration *m = &cartel__migrations[v];
		char *doing = cartel__asprintf("schema migration %d (%s)",
					       v + 1, m->name);
		err = exec(db, m->sql, doing ? doing : "schema migration", why);
		for (size_t k = 0; err == 0 && k < cartel__n_migration_steps;
		     k++) {
			if (strcmp(cartel__migration_steps[k].name, m->name))
				continue;
			/* The step writes through the usual paths, which
			 * expect the handle's own write transaction. */
			db->depth = 1;
			err = cartel__migration_steps[k].after(db, why);
			db->depth = 0;
			cartel__ledger_pending_clear(&db->ledger);
			cartel__inquiry_due_clear(&db->due);
		}
		if (err == 0) {
			char pragma[64];
			snprintf(pragma, sizeof pragma,
				 "PRAGMA user_version = %d", v + 1);
			err = exec(db, pragma, "schema migration", why);
		}
		free(doing);
		if (err == 0)
			err = exec(db, "COMMIT", "schema migration", why);
		if (err != 0) {
			sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
			return err;
		}
		v++;
	}
	if (err != 0)
		return err;
	db->version = v;
	return 0;
}

/*
 * A writer killed in the middle of a bulk import (which runs on a rollback
 * journal) leaves a hot journal that only a writable connection may roll
 * back; a read-only open would fail on it. So a read-only open first lets
 * a short-lived writable connection look at the file, which rolls the
 * journal back, when there is a journal and the file may be written.
 */
static void
recover_journal(const char *path)
{
	char *journal = cartel__asprintf("%s-journal", path);
	if (journal == NULL)
		return;
	int hot = access(journal, F_OK) == 0 && access(path, W_OK) == 0;
	free(journal);
	if (!hot)
		return;
	sqlite3 *s;
	if (sqlite3_open_v2(path, &s, SQLITE_OPEN_READWRITE, NULL) ==
	    SQLITE_OK) {
		sqlite3_busy_timeout(s, CARTEL_DB_BUSY_MS);
		sqlite3_exec(s, "PRAGMA user_version", NULL, NULL, NULL);
	}
	sqlite3_close(s);
}

int
cartel_db_schema_version(struct cartel_db *db)
{
	return db->version;
}

int
cartel_db_schema_latest(void)
{
	return (int)cartel__n_migrations;
}

int
cartel_db_open(struct cartel_db **out, const char *path, unsigned flags,
	       char **why)
{
	*out = NULL;
	if (path == NULL || path[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL, "no database path");
	struct stat sb;
	int exists = stat(path, &sb) == 0;
	if (!exists && !(flags & CARTEL_DB_CREATE))
		return cartel__why(why, CARTEL_ENOTFOUND,
				   "no register at %s (run 'cartel init' "
				   "first, or give --db PATH)",
				   path);
	if (!exists && (flags & CARTEL_DB_READONLY))
		return cartel__why(why, CARTEL_ENOTFOUND, "no register at %s",
				   path);

	/* libsodium picks its fastest hash code for this CPU here; the
	 * call is cheap after the first and safe from any thread. */
	if (sodium_init() < 0)
		return cartel__why(why, CARTEL_ENOMEM,
				   "libsodium could not start");
	struct cartel_db *db = calloc(1, sizeof(*db));
	if (db == NULL)
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	db->flags = flags;
	db->path = strdup(path);
	if (db->path == NULL) {
		free(db);
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	}
	if (flags & CARTEL_DB_READONLY)
		recover_journal(path);
	int oflags =
		(flags & CARTEL_DB_READONLY)
			? SQLITE_OPEN_READONLY
			: SQLITE_OPEN_READWRITE | ((flags & CARTEL_DB_CREATE)
							   ? SQLITE_OPEN_CREATE
							   : 0);
	/* One connection per thread: no need for SQLite's own mutexes. */
	oflags |= SQLITE_OPEN_NOMUTEX;
	int rc = sqlite3_open_v2(path, &db->sql, oflags, NULL);
	int err = 0;
	if (rc != SQLITE_OK) {
		err = cartel__db_err(db, rc, path, why);
		goto fail;
	}
	sqlite3_extended_result_codes(db->sql, 1);
	sqlite3_busy_timeout(db->sql, CARTEL_DB_BUSY_MS);
	/* Reading the schema first tells a non-database file apart. */
	int v;
	err = user_version(db, &v, why);
	if (err != 0) {
		if (err == CARTEL_EFORMAT)
			cartel__why(why, err,
				    "%s is not a cartel register "
				    "(not an SQLite database)",
				    path);
		goto fail;
	}
	if (!exists) {
		/* Set before the first table, it holds for the file's life:
		 * 16 KiB pages cost a large import a quarter of the system
		 * calls and B-tree work that 4 KiB pages do. */
		err = exec(db, "PRAGMA page_size = 16384", "setting up the file",
			   why);
		if (err != 0)
			goto fail;
	}
	if (!(flags & CARTEL_DB_READONLY)) {
		/* Busy means another connection runs a bulk import with a
		 * rollback journal (cartel__db_bulk); it turns WAL back on
		 * when done, and this connection works either way. */
		err = exec(db, "PRAGMA journal_mode = WAL", "turning on WAL",
			   why);
		if (err == CARTEL_EBUSY) {
			if (why != NULL) {
				free(*why);
				*why = NULL;
			}
			err = 0;
		}
		if (err != 0)
			goto fail;
	}
	/* synchronous = FULL flushes the WAL to the disk at every commit,
	 * so a write cartel has reported done survives a power cut.
	 * NORMAL (SQLite's advice for WAL) keeps the file whole too, but
	 * may undo the last commits: a check-off an officer saw recorded,
	 * gone after the power comes back. The cost is one flush per
	 * transaction; an import is one transaction (docs/durability.md
	 * has the figures). */
	err = exec(db,
		   "PRAGMA foreign_keys = ON;"
		   "PRAGMA synchronous = FULL;"
		   "PRAGMA cache_size = -32768;",
		   "setting up the connection", why);
	if (err != 0)
		goto fail;
	const char *cap = getenv("CARTEL_DB_MAX_PAGES");
	if (cap != NULL && cap[0] != '\0') {
		char *end;
		long long pages = strtoll(cap, &end, 10);
		if (*end != '\0' || pages <= 0) {
			err = cartel__why(why, CARTEL_EINVAL,
					  "CARTEL_DB_MAX_PAGES must be a "
					  "positive number of pages");
			goto fail;
		}
		char pragma[64];
		snprintf(pragma, sizeof pragma, "PRAGMA max_page_count = %lld",
			 pages);
		err = exec(db, pragma, "capping the database size", why);
		if (err != 0)
			goto fail;
	}
	err = migrate(db, why);
	if (err != 0)
		goto fail;
	*out = db;
	return 0;
fail:
	cartel_db_close(db);
	return err;
}

void
cartel_db_close(struct cartel_db *db)
{
	if (db == NULL)
		return;
	if (db->depth > 0 && db->sql != NULL)
		sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
	for (int i = 0; i < CARTEL__ST_N; i++)
		sqlite3_finalize(db->stmts[i]);
	for (int i = 0; i < CARTEL__DB_CACHE_N; i++)
		sqlite3_finalize(db->cache[i].st);
	if (db->sql != NULL)
		sqlite3_close_v2(db->sql);
	cartel__buf_free(&db->buf);
	cartel__ledger_pending_clear(&db->ledger);
	cartel__inquiry_due_clear(&db->due);
	cartel_match_index_free(db->search.ix);
	free(db->search.path);
	free(db->path);
	free(db);
}

int
cartel_db_begin(struct cartel_db *db, char **why)
{
	if (db->depth > 0) {
		db->depth++;
		return 0;
	}
	if (db->flags & CARTEL_DB_READONLY)
		return cartel__why(why, CARTEL_EREADONLY,
				   "%s is open read-only", db->path);
	int err = exec(db, "BEGIN IMMEDIATE", "starting a transaction", why);
	if (err != 0)
		return err;
	db->depth = 1;
	return 0;
}

int
cartel_db_commit(struct cartel_db *db, char **why)
{
	if (db->depth == 0)
		return cartel__why(why, CARTEL_ESTATE,
				   "commit without a transaction");
	if (db->depth > 1) {
		db->depth--;
		return 0;
	}
	if (db->ledger.n > 0) {
		/* A covered row changed without the audit entry that records
		 * it: nothing of the transaction may stay. */
		const char *table = cartel__ledger_name(db->ledger.v[0].table);
		cartel_db_rollback(db);
		return cartel__why(why, CARTEL_ESTATE,
				   "%s rows changed without an audit entry",
				   table);
	}
	int err = exec(db, "COMMIT", "committing", why);
	if (err != 0) {
		/* A failed COMMIT (SQLITE_FULL while writing the WAL, say)
		 * may leave the transaction open: end it, so that nothing
		 * half-written survives. */
		if (!sqlite3_get_autocommit(db->sql))
			sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
	}
	db->depth = 0;
	cartel__inquiry_due_clear(&db->due);
	return err;
}

void
cartel_db_rollback(struct cartel_db *db)
{
	if (db->depth == 0)
		return;
	if (!sqlite3_get_autocommit(db->sql))
		sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
	db->depth = 0;
	cartel__ledger_pending_clear(&db->ledger);
	cartel__inquiry_due_clear(&db->due);
	/* The owner read may have been rolled back. */
	db->owner.valid = 0;
	/* An entry found to hold may have been rolled back. */
	memset(db->ledger.checked, 0, sizeof db->ledger.checked);
}

int
cartel__db_bulk(struct cartel_db *db, int on)
{
	if (db->depth > 0 || (db->flags & CARTEL_DB_READONLY))
		return 0;
	if (on) {
		/* Leaving WAL needs the file to ourselves: try once, without
		 * waiting, and stay in WAL when someone else has it open. */
		sqlite3_busy_timeout(db->sql, 0);
		sqlite3_stmt *st;
		int switched = 0;
		if (sqlite3_prepare_v2(db->sql, "PRAGMA journal_mode = DELETE",
				       -1, &st, NULL) == SQLITE_OK) {
			if (sqlite3_step(st) == SQLITE_ROW) {
				const char *mode =
					(const char *)sqlite3_column_text(st,
									  0);
				switched = mode != NULL &&
					   strcmp(mode, "delete") == 0;
			}
			sqlite3_finalize(st);
		}
		sqlite3_busy_timeout(db->sql, CARTEL_DB_BUSY_MS);
		/* With a rollback journal, deleting the journal is the
		 * commit. FULL syncs the file but not the folder, so after a
		 * power cut the journal's name may come back and roll the
		 * import back although it was reported done; EXTRA also
		 * syncs the folder after the delete. */
		if (switched)
			sqlite3_exec(db->sql, "PRAGMA synchronous = EXTRA", NULL,
				     NULL, NULL);
		return switched;
	}
	sqlite3_exec(db->sql,
		     "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL",
		     NULL, NULL, NULL);
	return 0;
}

int
cartel__db_write_begin(struct cartel_db *db, int *own, char **why)
{
	*own = 0;
	if (db->depth > 0)
		return 0;
	int err = cartel_db_begin(db, why);
	if (err == 0)
		*own = 1;
	return err;
}

int
cartel__db_write_end(struct cartel_db *db, int own, int err, char **why)
{
	if (!own)
		return err;
	if (err != 0) {
		cartel_db_rollback(db);
		return err;
	}
	return cartel_db_commit(db, why);
}

int
cartel__db_savepoint(struct cartel_db *db, int op, char **why)
{
	static const char *const sql[] = {
		"SAVEPOINT cartel_row", "RELEASE cartel_row",
		"ROLLBACK TO cartel_row; RELEASE cartel_row"};
	if (op < 0 || op > 2)
		return cartel__why(why, CARTEL_EINVAL, "bad savepoint step");
	int rc = sqlite3_exec(db->sql, sql[op], NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return cartel__db_err(db, rc, "a row's savepoint", why);
	if (op == 0)
		db->sp_ledger_n = db->ledger.n;
	/* The rows the undone writes touched are no longer changed: their
	 * ledger records go too, or the next audit entry would claim them. */
	while (op == 2 && db->ledger.n > db->sp_ledger_n) {
		db->ledger.n--;
		free(db->ledger.v[db->ledger.n].k1); /* k2 with it */
	}
	/* The audit entries found to hold may have been undone. */
	if (op == 2) {
		memset(db->ledger.checked, 0, sizeof db->ledger.checked);
		db->owner.valid = 0;
	}
	return 0;
}

sqlite3_stmt *
cartel__db_stmt(struct cartel_db *db, int slot, const char *sql, char **why)
{
	if (slot < 0 || slot >= CARTEL__ST_N) {
		cartel__why(why, CARTEL_EINVAL, "bad statement slot");
		return NULL;
	}
	sqlite3_stmt *st = db->stmts[slot];
	if (st == NULL) {
		int rc = sqlite3_prepare_v3(
			db->sql, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
		if (rc != SQLITE_OK) {
			cartel__db_err(db, rc, "preparing a statement", why);
			return NULL;
		}
		db->stmts[slot] = st;
	}
	/* Callers bind every parameter of a cached statement, so the old
	 * bindings need no clearing. */
	sqlite3_reset(st);
	return st;
}

int
cartel__db_prep(struct cartel_db *db, const char *q, sqlite3_stmt **st,
		const char *doing, char **why)
{
	int rc = sqlite3_prepare_v2(db->sql, q, -1, st, NULL);
	if (rc != SQLITE_OK) {
		*st = NULL;
		return cartel__db_err(db, rc, doing, why);
	}
	return 0;
}

int
cartel__db_prep_cached(struct cartel_db *db, const char *q,
		       sqlite3_stmt **st, const char *doing, char **why)
{
	int free_slot = -1;
	for (int i = 0; i < CARTEL__DB_CACHE_N; i++) {
		if (db->cache[i].q == q) {
			if (db->cache[i].lent)
				break; /* in use (a nested call): a fresh one */
			db->cache[i].lent = 1;
			*st = db->cache[i].st;
			return 0;
		}
		if (db->cache[i].q == NULL && free_slot < 0)
			free_slot = i;
	}
	int rc = sqlite3_prepare_v3(db->sql, q, -1, SQLITE_PREPARE_PERSISTENT,
				    st, NULL);
	if (rc != SQLITE_OK) {
		*st = NULL;
		return cartel__db_err(db, rc, doing, why);
	}
	if (free_slot >= 0) {
		db->cache[free_slot].q = q;
		db->cache[free_slot].st = *st;
		db->cache[free_slot].lent = 1;
	}
	return 0;
}

void
cartel__db_done(struct cartel_db *db, sqlite3_stmt *st)
{
	if (st == NULL)
		return;
	for (int i = 0; i < CARTEL__DB_CACHE_N; i++)
		if (db->cache[i].st == st) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			db->cache[i].lent = 0;
			return;
		}
	sqlite3_finalize(st);
}

char *
cartel__col_dup(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	return s != NULL ? cartel__strdup(s) : NULL;
}

void
cartel__bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
	if (s != NULL && s[0] != '\0')
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}
