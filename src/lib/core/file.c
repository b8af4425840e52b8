/*
 * Writing files through a temporary in the target's folder (see
 * <cartel/file.h> for the rules and why). Every file cartel writes comes
 * through here, so that the checks against symbolic links and the syncs
 * that make a finished file survive a power cut are written once.
 */
#define _GNU_SOURCE /* renameat2 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include <cartel/error.h>
#include <cartel/file.h>

#include "core/why.h"

struct cartel_file {
	char *path;
	char *tmp;
	int fd;
	FILE *fp;
	unsigned flags;
	int direct; /* a device or a pipe, written as a stream */
	int failed; /* a write failed: the file can only be aborted */
};

static int
io_err(int e)
{
	if (e == ENOSPC || e == EDQUOT)
		return CARTEL_EFULL;
	if (e == EACCES || e == EPERM || e == EROFS)
		return CARTEL_EREADONLY;
	if (e == ENOMEM)
		return CARTEL_ENOMEM;
	return CARTEL_EIO;
}

/* The target may be replaced: absent, or a regular file. A character
 * device or a pipe (/dev/null, a named pipe) is written as a stream
 * (*direct 1, when direct is not NULL). A symbolic link (even one to a
 * regular file) and anything else are refused. */
static int
check_target(const char *path, unsigned flags, int *direct, char **why)
{
	struct stat st;
	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		return cartel__why(why, io_err(errno), "%s: %s", path,
				   strerror(errno));
	}
	if (S_ISLNK(st.st_mode))
		return cartel__why(why, CARTEL_ESTATE,
				   "%s is a symbolic link; cartel does not "
				   "write through a link, nor replace one "
				   "(remove it, or give another path)",
				   path);
	if ((S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) && direct != NULL &&
	    !(flags & CARTEL_FILE_EXCL)) {
		*direct = 1;
		return 0;
	}
	if (!S_ISREG(st.st_mode))
		return cartel__why(why, CARTEL_ESTATE,
				   "%s is not a regular file; not written",
				   path);
	if (flags & CARTEL_FILE_EXCL)
		return cartel__why(why, CARTEL_EEXIST,
				   "%s already exists; not overwritten", path);
	return 0;
}

int
cartel_file_check(const char *path, unsigned flags, char **why)
{
	if (path == NULL || path[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL,
				   "a file to write needs a file name");
	int direct = 0;
	return check_target(path, flags, &direct, why);
}

/* The folder part of path ("." for a bare name); malloc'd. */
static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (slash == NULL)
		return cartel__strdup(".");
	if (slash == path)
		return cartel__strdup("/");
	return cartel__asprintf("%.*s", (int)(slash - path), path);
}

/* Syncs the folder, so that the new name survives a power cut. File
 * systems that cannot sync a folder (EINVAL) are not an error. */
static int
sync_dir(const char *path)
{
	char *dir = dir_of(path);
	if (dir == NULL)
		return ENOMEM;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd < 0)
		return errno;
	int e = 0;
	if (fsync(fd) != 0 && errno != EINVAL)
		e = errno;
	close(fd);
	return e;
}

int
cartel_file_open(struct cartel_file **out, const char *path, unsigned flags,
		 char **why)
{
	*out = NULL;
	if (path == NULL || path[0] == '\0' ||
	    path[strlen(path) - 1] == '/')
		return cartel__why(why, CARTEL_EINVAL,
				   "a file to write needs a file name");
	int direct = 0;
	int rc = check_target(path, flags, &direct, why);
	if (rc != 0)
		return rc;
	if (sodium_init() < 0)
		return cartel__why(why, CARTEL_EIO,
				   "libsodium could not start");
	struct cartel_file *f = calloc(1, sizeof *f);
	if (f == NULL)
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	f->fd = -1;
	f->flags = flags;
	f->path = cartel__strdup(path);
	if (f->path == NULL) {
		free(f);
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	}
	if (direct) {
		/* Nothing to replace: the stream is written as it is. */
		f->direct = 1;
		f->fd = open(path, O_WRONLY | O_NOFOLLOW | O_NOCTTY |
					   O_CLOEXEC);
		if (f->fd < 0) {
			int e = errno;
			free(f->path);
			free(f);
			return cartel__why(why, io_err(e),
					   "%s: cannot write: %s", path,
					   strerror(e));
		}
		*out = f;
		return 0;
	}
	mode_t mode = (flags & CARTEL_FILE_PRIVATE) ? 0600 : 0644;
	/* A random name in the same folder (rename(2) does not cross file
	 * systems), opened only if nothing has that name yet. */
	for (int attempt = 0; attempt < 16 && f->fd < 0; attempt++) {
		free(f->tmp);
		f->tmp = cartel__asprintf("%s.tmp-%08x%08x", path,
					  randombytes_random(),
					  randombytes_random());
		if (f->tmp == NULL)
			break;
		f->fd = open(f->tmp,
			     O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
				     O_CLOEXEC,
			     mode);
		if (f->fd < 0 && errno != EEXIST)
			break;
	}
	if (f->fd < 0) {
		int e = f->tmp == NULL ? ENOMEM : errno;
		rc = cartel__why(why, io_err(e), "%s: cannot create: %s", path,
				 strerror(e));
		free(f->tmp);
		free(f->path);
		free(f);
		return rc;
	}
	*out = f;
	return 0;
}

FILE *
cartel_file_fp(struct cartel_file *f)
{
	if (f->fp == NULL)
		f->fp = fdopen(f->fd, "wb");
	return f->fp;
}

int
cartel_file_fd(const struct cartel_file *f)
{
	return f->fd;
}

const char *
cartel_file_path(const struct cartel_file *f)
{
	return f->path;
}

const char *
cartel_file_tmp_path(const struct cartel_file *f)
{
	return f->direct ? NULL : f->tmp;
}

int
cartel_file_write(struct cartel_file *f, const void *data, size_t len,
		  char **why)
{
	const char *c = data;
	if (f->fp != NULL) {
		if (len > 0 && fwrite(c, 1, len, f->fp) != len) {
			f->failed = 1;
			int e = errno ? errno : EIO;
			return cartel__why(why, io_err(e),
					   "%s: write failed: %s", f->path,
					   strerror(e));
		}
		return 0;
	}
	while (len > 0) {
		ssize_t w = write(f->fd, c, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			f->failed = 1;
			int e = w < 0 ? errno : EIO;
			return cartel__why(why, io_err(e),
					   "%s: write failed: %s", f->path,
					   strerror(e));
		}
		c += w;
		len -= (size_t)w;
	}
	return 0;
}

static void
file_free(struct cartel_file *f)
{
	free(f->tmp);
	free(f->path);
	free(f);
}

void
cartel_file_abort(struct cartel_file *f)
{
	if (f == NULL)
		return;
	if (f->fp != NULL)
		fclose(f->fp);
	else if (f->fd >= 0)
		close(f->fd);
	if (!f->direct)
		unlink(f->tmp);
	file_free(f);
}

/* Puts the finished temporary at the target without replacing anything:
 * link(2), or renameat2 with RENAME_NOREPLACE where the file system has no
 * hard links (FAT on a USB stick). */
static int
place_excl(const char *tmp, const char *path)
{
	if (link(tmp, path) == 0) {
		unlink(tmp);
		return 0;
	}
	int e = errno;
	if (e == EEXIST)
		return e;
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
		return 0;
	return errno == EINVAL || errno == ENOSYS ? e : errno;
}

int
cartel_file_commit(struct cartel_file *f, char **why)
{
	int e = 0;
	const char *what = "write failed";
	if (f->failed)
		e = EIO;
	if (e == 0 && f->fp != NULL && fflush(f->fp) != 0)
		e = errno ? errno : EIO;
	if (e == 0 && f->fp != NULL && ferror(f->fp))
		e = EIO;
	if (e == 0 && !f->direct && fsync(f->fd) != 0) {
		e = errno;
		what = "sync failed";
	}
	int closed = f->fp != NULL ? fclose(f->fp) : close(f->fd);
	f->fp = NULL;
	f->fd = -1;
	if (e == 0 && closed != 0)
		e = errno ? errno : EIO;
	/* The target checked again just before it is replaced: a link put
	 * there while the file was written is refused too (and rename(2)
	 * would replace a link placed after this check, never follow it). */
	int rc = 0;
	if (f->direct) {
		if (e != 0)
			rc = cartel__why(why, io_err(e), "%s: %s: %s", f->path,
					 what, strerror(e));
		file_free(f);
		return rc;
	}
	if (e == 0) {
		rc = check_target(f->path, f->flags, NULL, why);
		if (rc != 0) {
			unlink(f->tmp);
			file_free(f);
			return rc;
		}
	}
	if (e == 0) {
		what = "cannot put it in place";
		if (f->flags & CARTEL_FILE_EXCL)
			e = place_excl(f->tmp, f->path);
		else if (rename(f->tmp, f->path) != 0)
			e = errno;
	}
	if (e != 0) {
		unlink(f->tmp);
		rc = e == EEXIST ? cartel__why(why, CARTEL_EEXIST,
					       "%s already exists; not "
					       "overwritten",
					       f->path)
				 : cartel__why(why, io_err(e), "%s: %s: %s",
					       f->path, what, strerror(e));
		file_free(f);
		return rc;
	}
	e = sync_dir(f->path);
	if (e != 0)
		rc = cartel__why(why, io_err(e), "%s: written, but its folder "
				 "could not be synced: %s",
				 f->path, strerror(e));
	file_free(f);
	return rc;
}

int
cartel_file_put(const char *path, const void *data, size_t len,
		unsigned flags, char **why)
{
	struct cartel_file *f;
	int rc = cartel_file_open(&f, path, flags, why);
	if (rc != 0)
		return rc;
	rc = cartel_file_write(f, data, len, why);
	if (rc != 0) {
		cartel_file_abort(f);
		return rc;
	}
	return cartel_file_commit(f, why);
}
