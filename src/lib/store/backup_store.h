/*
 * The store's side of backups and restores (backup_store.c): the SQLite
 * online backup of an open register into a file, the checks a copy must
 * pass before it may become the register, and the lock that keeps other
 * processes off a register while it is replaced. The files themselves
 * (temporary names, encryption, renames) are the backup module's
 * (src/lib/backup/backup.c).
 */
#ifndef CARTEL_STORE_BACKUP_STORE_H
#define CARTEL_STORE_BACKUP_STORE_H

#include <cartel/store.h>

/*
 * Copies the open register into the file at `path` (an empty file the
 * caller created) through SQLite's online backup API, from one read
 * snapshot: writers go on meanwhile, and the copy is the register as of
 * one commit. The copy is left in rollback-journal mode (one file, no
 * -wal beside it) and synced. Returns 0 or an error with *why.
 */
int cartel__store_backup_to(struct cartel_db *db, const char *path,
			    char **why);

/*
 * Checks that the SQLite file at `path` may become a register: SQLite's
 * integrity check, a schema version this build knows (1 to the latest),
 * the register's tables, and then, opened as a register (older schemas
 * upgraded in place, so the file is changed), the full audit verification
 * (cartel_audit_verify). Sets *version to the file's schema version before
 * any upgrade and fills *rep. Returns 0, or CARTEL_EFORMAT (damaged or not
 * a register), CARTEL_EVERSION (newer than this build), CARTEL_ETAMPER
 * (the chain does not hold) with *why saying which.
 */
int cartel__store_check_copy(const char *path, int *version,
			     struct cartel_audit_report *rep, char **why);

/*
 * Takes the register at `path` for replacing: opens it, and succeeds only
 * when no other connection has it open (leaving WAL mode needs the file to
 * oneself) and an exclusive lock can be had at once; the lock is held
 * until cartel__store_release. CARTEL_EBUSY when another process has it
 * open; CARTEL_EFORMAT when the file is not an SQLite database. *hold is
 * set on success only.
 */
struct cartel__store_hold;
int cartel__store_take(const char *path, struct cartel__store_hold **hold,
		       char **why);

/* Drops the lock and the connection of cartel__store_take. NULL allowed. */
void cartel__store_release(struct cartel__store_hold *hold);

/* The open register's path as given to cartel_db_open (store_int.h). */
const char *cartel__db_path(struct cartel_db *db);

#endif
