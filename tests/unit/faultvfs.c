/*
 * The fault-injecting VFS of faultvfs.h. Each file opened through it is a
 * small wrapper whose methods count the operations of interest and either
 * fail the chosen one or call the unix VFS's own. Tests run on one thread,
 * so the counters are plain statics.
 */
#include <stddef.h>
#include <string.h>

#include <sqlite3.h>

#include "faultvfs.h"

struct fault_file {
	sqlite3_file base;  /* our methods */
	sqlite3_file *real; /* the unix file, allocated right after this */
};

static sqlite3_vfs fault_vfs;
static sqlite3_vfs *real_vfs;
static int registered;

static struct {
	int armed;
	enum faultvfs_kind kind;
	int nth;
	int sticky;
	int seen[FAULT_N];
	int injected;
	int dir_syncs; /* files deleted with their folder synced after */
} st;

const char *
faultvfs_kind_name(enum faultvfs_kind k)
{
	static const char *names[FAULT_N] = {"write", "sync", "lock-busy",
					     "lock-ioerr"};
	return k < FAULT_N ? names[k] : "?";
}

/* Counts one operation of `kind` (lock kinds share one counter) and says
 * whether it must fail. */
static int
hit(enum faultvfs_kind kind)
{
	if (!st.armed)
		return 0;
	int slot = kind == FAULT_LOCK_IO ? FAULT_LOCK_BUSY : kind;
	int n = ++st.seen[slot];
	enum faultvfs_kind want =
		st.kind == FAULT_LOCK_IO ? FAULT_LOCK_BUSY : st.kind;
	if ((int)want != slot)
		return 0;
	if (n == st.nth || (st.sticky && n > st.nth)) {
		st.injected++;
		return 1;
	}
	return 0;
}

static int
lock_fault(void)
{
	return st.kind == FAULT_LOCK_IO ? SQLITE_IOERR_LOCK : SQLITE_BUSY;
}

#define REAL(f) (((struct fault_file *)(f))->real)

static int
f_close(sqlite3_file *f)
{
	int rc = REAL(f)->pMethods ? REAL(f)->pMethods->xClose(REAL(f))
				   : SQLITE_OK;
	f->pMethods = NULL;
	return rc;
}

static int
f_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xRead(REAL(f), buf, n, off);
}

static int
f_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
	if (hit(FAULT_WRITE))
		return SQLITE_IOERR_WRITE;
	return REAL(f)->pMethods->xWrite(REAL(f), buf, n, off);
}

static int
f_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int
f_sync(sqlite3_file *f, int flags)
{
	if (hit(FAULT_SYNC))
		return SQLITE_IOERR_FSYNC;
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int
f_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int
f_lock(sqlite3_file *f, int level)
{
	if (hit(FAULT_LOCK_BUSY))
		return lock_fault();
	return REAL(f)->pMethods->xLock(REAL(f), level);
}

static int
f_unlock(sqlite3_file *f, int level)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), level);
}

static int
f_check_lock(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int
f_control(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int
f_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int
f_caps(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int
f_shm_map(sqlite3_file *f, int region, int size, int extend,
	  void volatile **out)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), region, size, extend, out);
}

static int
f_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
	if ((flags & SQLITE_SHM_LOCK) && hit(FAULT_LOCK_BUSY))
		return lock_fault();
	return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}

static void
f_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int
f_shm_unmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static int
f_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **out)
{
	return REAL(f)->pMethods->xFetch(REAL(f), off, n, out);
}

static int
f_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static const sqlite3_io_methods fault_methods = {
	.iVersion = 3,
	.xClose = f_close,
	.xRead = f_read,
	.xWrite = f_write,
	.xTruncate = f_truncate,
	.xSync = f_sync,
	.xFileSize = f_size,
	.xLock = f_lock,
	.xUnlock = f_unlock,
	.xCheckReservedLock = f_check_lock,
	.xFileControl = f_control,
	.xSectorSize = f_sector,
	.xDeviceCharacteristics = f_caps,
	.xShmMap = f_shm_map,
	.xShmLock = f_shm_lock,
	.xShmBarrier = f_shm_barrier,
	.xShmUnmap = f_shm_unmap,
	.xFetch = f_fetch,
	.xUnfetch = f_unfetch,
};

static int
v_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
       int *out_flags)
{
	(void)vfs;
	struct fault_file *ff = (struct fault_file *)f;
	ff->real = (sqlite3_file *)(ff + 1);
	memset(ff->real, 0, (size_t)real_vfs->szOsFile);
	int rc = real_vfs->xOpen(real_vfs, name, ff->real, flags, out_flags);
	/* SQLite calls xClose only when pMethods is set: leave it NULL when
	 * the real open left its own NULL. */
	f->pMethods = ff->real->pMethods != NULL ? &fault_methods : NULL;
	return rc;
}

static int
v_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
	(void)vfs;
	if (st.armed && sync_dir)
		st.dir_syncs++;
	return real_vfs->xDelete(real_vfs, name, sync_dir);
}

static int
v_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	(void)vfs;
	return real_vfs->xAccess(real_vfs, name, flags, out);
}

static int
v_full_path(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	(void)vfs;
	return real_vfs->xFullPathname(real_vfs, name, n, out);
}

static int
v_random(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return real_vfs->xRandomness(real_vfs, n, out);
}

static int
v_sleep(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
	return real_vfs->xSleep(real_vfs, us);
}

static int
v_time(sqlite3_vfs *vfs, double *out)
{
	(void)vfs;
	return real_vfs->xCurrentTime(real_vfs, out);
}

static int
v_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return real_vfs->xGetLastError(real_vfs, n, out);
}

static int
v_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	(void)vfs;
	return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

int
faultvfs_install(void)
{
	if (!registered) {
		real_vfs = sqlite3_vfs_find("unix");
		if (real_vfs == NULL)
			return SQLITE_ERROR;
		fault_vfs.iVersion = 2;
		fault_vfs.szOsFile =
			(int)sizeof(struct fault_file) + real_vfs->szOsFile;
		fault_vfs.mxPathname = real_vfs->mxPathname;
		fault_vfs.zName = "cartel-fault";
		fault_vfs.xOpen = v_open;
		fault_vfs.xDelete = v_delete;
		fault_vfs.xAccess = v_access;
		fault_vfs.xFullPathname = v_full_path;
		fault_vfs.xRandomness = v_random;
		fault_vfs.xSleep = v_sleep;
		fault_vfs.xCurrentTime = v_time;
		fault_vfs.xGetLastError = v_last_error;
		fault_vfs.xCurrentTimeInt64 = v_time64;
		registered = 1;
	}
	return sqlite3_vfs_register(&fault_vfs, 1);
}

void
faultvfs_uninstall(void)
{
	if (real_vfs != NULL)
		sqlite3_vfs_register(real_vfs, 1);
}

void
faultvfs_arm(enum faultvfs_kind kind, int nth, int sticky)
{
	memset(&st, 0, sizeof st);
	st.armed = 1;
	st.kind = kind;
	st.nth = nth;
	st.sticky = sticky;
}

int
faultvfs_disarm(void)
{
	st.armed = 0;
	return st.injected;
}

int
faultvfs_count(enum faultvfs_kind kind)
{
	int slot = kind == FAULT_LOCK_IO ? FAULT_LOCK_BUSY : kind;
	return st.seen[slot];
}

int
faultvfs_dir_syncs(void)
{
	return st.dir_syncs;
}
