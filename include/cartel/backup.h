/*
 * Backups of the register and their restoring (docs/backup.md).
 *
 * A backup is a consistent copy of the register taken while it is in use
 * (SQLite's online backup: the register as of one commit), either a plain
 * SQLite file or, with a passphrase, that file encrypted: an argon2id key
 * from the passphrase and a random salt, and XChaCha20-Poly1305 in
 * 64 KiB chunks (libsodium's secretstream), behind a small header that
 * names the format, its version and the key derivation's parameters.
 *
 * A restore checks the copy before it replaces anything: decrypted (if it
 * is encrypted) into a temporary file beside the register, mode 0600; an
 * SQLite file that passes SQLite's integrity check; a cartel register of a
 * schema this build knows; and a full audit verification. Only then is it
 * renamed over the register.
 *
 * Files are written under a temporary name in the target's folder, created
 * exclusively and never through a symbolic link, and renamed into place.
 * Passphrases are bytes (length given), never kept after the call.
 */
#ifndef CARTEL_BACKUP_H
#define CARTEL_BACKUP_H

#include <stddef.h>

#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The encrypted format's name (the file's first bytes) and version. */
#define CARTEL_BACKUP_FORMAT "cartel-backup"
#define CARTEL_BACKUP_VERSION 1

/*
 * Writes a consistent copy of the open register to out_path. passphrase
 * NULL: a plain SQLite file. Otherwise the copy is encrypted under a key
 * derived from the passphrase's len bytes (at least 8); the plain copy
 * exists meanwhile only as a temporary file (mode 0600) in the register's
 * own folder, removed before the call returns. out_path is replaced by
 * rename when complete (a symbolic link there is replaced, never followed);
 * naming the register itself is CARTEL_EINVAL. Returns 0 or an error with
 * *why; on failure nothing is left at out_path that was not there.
 */
int cartel_backup(struct cartel_db *db, const char *out_path,
		  const char *passphrase, size_t passphrase_len, char **why);

/*
 * What the file at path is: sets *encrypted to 1 for an encrypted backup,
 * 0 for a plain SQLite file. CARTEL_EFORMAT when it is neither;
 * CARTEL_EVERSION for an encrypted format newer than this build.
 */
int cartel_backup_probe(const char *path, int *encrypted, char **why);

/* cartel_restore flags. */
#define CARTEL_RESTORE_FORCE 0x1u /* replace an existing register */

/* What cartel_restore checked. */
struct cartel_restore_report {
	int encrypted;      /* the backup was encrypted */
	int schema_version; /* the copy's schema version, before upgrading */
	struct cartel_audit_report audit; /* the copy's verification */
};

/*
 * Restores the backup at backup_path as the register at db_path, after the
 * checks above (passphrase needed for an encrypted backup: CARTEL_EINVAL
 * without one). A wrong passphrase or a changed or cut file is
 * CARTEL_ETAMPER or CARTEL_EFORMAT; a copy that is not a register
 * CARTEL_EFORMAT; one whose chain does not hold CARTEL_ETAMPER; in each
 * case *why says which and nothing is replaced. An existing register is
 * replaced only with CARTEL_RESTORE_FORCE (CARTEL_EEXIST otherwise), and
 * only when no other process has it open (CARTEL_EBUSY), and only when it
 * is an SQLite file. The search index beside the register is removed (it
 * is rebuilt on the next search). *rep is filled as far as the checks got.
 */
int cartel_restore(const char *backup_path, const char *db_path,
		   const char *passphrase, size_t passphrase_len,
		   unsigned flags, struct cartel_restore_report *rep,
		   char **why);

#ifdef __cplusplus
}
#endif
#endif
