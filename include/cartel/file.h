/*
 * Writing files: the one way cartel writes every file it makes (reject
 * reports, exports, documents, keys, the search index), so that a file can
 * never be turned against the register.
 *
 * A file is written to a new temporary file in the target's own folder
 * (created with O_CREAT|O_EXCL|O_NOFOLLOW, so that nothing already there,
 * a symbolic link least of all, is opened), synced to the disk, and then
 * put in place by rename(2), which replaces the name and never writes
 * through it; the folder is synced after. A reader sees the old file or the
 * new one, never half of one, and a write that fails or is abandoned
 * leaves the target as it was and no temporary behind.
 *
 * A target that is a symbolic link, or anything but a regular file, a
 * character device or a pipe (a folder, a block device, a socket), is
 * refused before anything is written (CARTEL_ESTATE): writing through the
 * link is what an adversary placing it wants, and replacing the link
 * silently would hide that someone placed it. A character device or a
 * pipe (/dev/null, a named pipe) is a stream, not a file: it is opened
 * (without following a link) and written as it is, never replaced.
 *
 * With CARTEL_FILE_EXCL the target must not exist: the finished file is
 * put in place by link(2) (or renameat2 with RENAME_NOREPLACE where the
 * file system has no hard links), which fails on any existing name; a key
 * is never written over another.
 *
 * Strings returned through `why` name the path and the reason, never the
 * file's content.
 */
#ifndef CARTEL_FILE_H
#define CARTEL_FILE_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The file is readable by its owner only (0600); by default 0644 less the
 * process's umask. */
#define CARTEL_FILE_PRIVATE 0x1u
/* The target must not exist; CARTEL_EEXIST at commit when it does. */
#define CARTEL_FILE_EXCL 0x2u

struct cartel_file;

/* Starts writing path: checks the target (CARTEL_ESTATE for a symbolic
 * link or a non-regular file, CARTEL_EEXIST with CARTEL_FILE_EXCL when it
 * exists) and creates the temporary beside it. 0 and *out, to be finished
 * by exactly one of cartel_file_commit or cartel_file_abort; on failure
 * *out is NULL and nothing is left on the disk. CARTEL_EREADONLY when the
 * folder cannot be written, CARTEL_EIO otherwise. */
int cartel_file_open(struct cartel_file **out, const char *path,
		     unsigned flags, char **why);

/* Whether path may be written with these flags, without writing anything:
 * 0, or what cartel_file_open would refuse for the target (CARTEL_ESTATE,
 * CARTEL_EEXIST) with *why. For a command that must refuse before it
 * changes the register, not after. */
int cartel_file_check(const char *path, unsigned flags, char **why);

/* A stdio stream on the temporary, made on first call and owned by f
 * (never fclose it). NULL when out of memory. A file is written either
 * through this stream or through cartel_file_fd, not both. */
FILE *cartel_file_fp(struct cartel_file *f);

/* The temporary's descriptor, for write(2), pwrite(2), lseek(2) and
 * reading back what was written. Owned by f. */
int cartel_file_fd(const struct cartel_file *f);

/* The target path as given to cartel_file_open. */
const char *cartel_file_path(const struct cartel_file *f);

/* The temporary's own path, for a writer that opens a file by name (SQLite
 * writing a copy of the register); NULL for a device or a pipe, which has
 * no temporary. The name is gone after commit or abort. */
const char *cartel_file_tmp_path(const struct cartel_file *f);

/* Writes len bytes at the current position; CARTEL_EIO or CARTEL_EFULL
 * with *why. After a failure the file can only be aborted (commit
 * refuses it too). */
int cartel_file_write(struct cartel_file *f, const void *data, size_t len,
		      char **why);

/* Finishes: flushes the stream, syncs the temporary, puts it at the
 * target and syncs the folder. Frees f whatever the outcome. On failure
 * the temporary is removed and the target is as it was: CARTEL_EIO,
 * CARTEL_EFULL, CARTEL_EEXIST (CARTEL_FILE_EXCL) or CARTEL_ESTATE (the
 * target became a link or a non-regular file meanwhile). */
int cartel_file_commit(struct cartel_file *f, char **why);

/* Abandons the file: the temporary is removed, the target left as it was.
 * Frees f; NULL is accepted. */
void cartel_file_abort(struct cartel_file *f);

/* The whole file in one call: open, write len bytes, commit. */
int cartel_file_put(const char *path, const void *data, size_t len,
		    unsigned flags, char **why);

#ifdef __cplusplus
}
#endif
#endif
