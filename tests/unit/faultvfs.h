/*
 * A test VFS that fails one chosen file operation: the Nth write, the Nth
 * sync or the Nth lock, counted from the moment it is armed. It wraps the
 * default unix VFS and passes everything else through, so a register
 * opened on it behaves as on the real disk until the fault.
 *
 * faultvfs_install registers it as SQLite's default VFS, so that
 * cartel_db_open (which names no VFS) uses it: the library needs no hook.
 * faultvfs_uninstall makes the unix VFS the default again, which is how a
 * test reopens the register "with the normal VFS" after a fault.
 */
#ifndef CARTEL_FAULTVFS_H
#define CARTEL_FAULTVFS_H

enum faultvfs_kind {
	FAULT_WRITE = 0, /* xWrite fails SQLITE_IOERR_WRITE */
	FAULT_SYNC,      /* xSync fails SQLITE_IOERR_FSYNC */
	FAULT_LOCK_BUSY, /* xLock or xShmLock (acquiring) fails SQLITE_BUSY */
	FAULT_LOCK_IO,   /* the same, failing SQLITE_IOERR_LOCK */
	FAULT_N
};

/* A name for reports: "write", "sync", "lock-busy", "lock-ioerr". */
const char *faultvfs_kind_name(enum faultvfs_kind k);

/* Registers the VFS (once) and makes it the default. Returns an SQLite
 * result code. */
int faultvfs_install(void);

/* Makes the unix VFS the default again (the fault VFS stays registered). */
void faultvfs_uninstall(void);

/*
 * Arms the fault: the nth operation of `kind` from now fails (nth 0: none
 * does, the VFS only counts);
 * with `sticky` every later one of that kind fails too (a disk that has
 * gone away rather than one bad write). Resets the counters.
 */
void faultvfs_arm(enum faultvfs_kind kind, int nth, int sticky);

/* Disarms; returns how many faults were injected since the arming. */
int faultvfs_disarm(void);

/* Operations of `kind` seen since the last arming. */
int faultvfs_count(enum faultvfs_kind kind);

/* Files deleted since the last arming with a request to sync their folder
 * afterwards (what makes the delete of a rollback journal, the commit in
 * that mode, survive a power cut). */
int faultvfs_dir_syncs(void);

#endif
