/*
 * Backups: the files around the store's online copy (store/backup_store.c).
 *
 * A backup is written to a temporary file beside its target and renamed
 * into place; an encrypted one goes through a plain copy in the register's
 * own folder first (where the same data already lies unencrypted), which is
 * removed once encrypted. A restore builds the new register as a temporary
 * file beside the one it replaces, checks it there, and renames it.
 *
 * The encrypted format (docs/backup.md), all numbers big-endian:
 *
 *   0   16  format name "cartel-backup", NUL-padded
 *   16   4  format version (1)
 *   20   4  key derivation algorithm (libsodium's argon2id13, 2)
 *   24   8  opslimit
 *   32   8  memlimit, bytes
 *   40  16  salt (random)
 *   56  24  secretstream header (random)
 *   80      chunks: each 64 KiB of the plain copy encrypted with
 *           crypto_secretstream_xchacha20poly1305 (17 bytes more), the
 *           first 56 bytes above as additional data of every chunk; the
 *           last chunk (possibly shorter, possibly empty) carries the
 *           FINAL tag, and nothing may follow it.
 *
 * A wrong passphrase fails the first chunk's authentication; a changed
 * byte fails its chunk's; a cut file lacks the FINAL tag.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include <cartel/backup.h>
#include <cartel/error.h>

#include "core/why.h"
#include "store/backup_store.h"

#define HEAD_NAME_LEN 16
#define HEAD_AD_LEN 56 /* name, version, algorithm, limits, salt */
#define HEAD_LEN (HEAD_AD_LEN + crypto_secretstream_xchacha20poly1305_HEADERBYTES)
#define CHUNK 65536
#define CHUNK_CT (CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES)
#define MIN_PASSPHRASE 8

/* Largest key derivation a header may ask for: beyond these a damaged or
 * hostile header would make a restore run for hours or exhaust memory. */
#define MAX_OPSLIMIT 64ULL
#define MAX_MEMLIMIT (4ULL << 30)

/*
 * SAFE-WRITE HELPER (local): a temporary file beside `target`, created with
 * O_CREAT|O_EXCL|O_NOFOLLOW (mode 0600), then synced and renamed (or
 * linked, never replacing) over the target, and the folder synced. To be
 * replaced by the library's common safe writer when it lands; nothing else
 * in this file depends on how it is done.
 */
static int
tmp_create(const char *target, char **tmp_out, int *fd_out, char **why)
{
	*tmp_out = NULL;
	*fd_out = -1;
	for (int tries = 0; tries < 16; tries++) {
		unsigned char r[6];
		char hexr[13];
		randombytes_buf(r, sizeof r);
		sodium_bin2hex(hexr, sizeof hexr, r, sizeof r);
		char *tmp = cartel__asprintf("%s.tmp-%s", target, hexr);
		if (tmp == NULL)
			return cartel__why(why, CARTEL_ENOMEM, "out of memory");
		int fd = open(tmp,
			      O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			      0600);
		if (fd >= 0) {
			*tmp_out = tmp;
			*fd_out = fd;
			return 0;
		}
		int e = errno;
		free(tmp);
		if (e != EEXIST)
			return cartel__why(why, CARTEL_EIO,
					   "%s: cannot create a temporary file "
					   "beside it: %s",
					   target, strerror(e));
	}
	return cartel__why(why, CARTEL_EIO,
			   "%s: no free temporary name beside it", target);
}

/* Syncs the folder holding path, so that a rename survives a power cut. */
static void
sync_dir(const char *path)
{
	char *dir = cartel__strdup(path);
	if (dir == NULL)
		return;
	char *slash = strrchr(dir, '/');
	if (slash == NULL) {
		free(dir);
		dir = cartel__strdup(".");
	} else if (slash == dir) {
		slash[1] = '\0';
	} else {
		*slash = '\0';
	}
	if (dir == NULL)
		return;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(dir);
}

/* Puts the finished tmp at target: rename(2) over it when replace, else
 * link(2) (which fails when target exists, a symbolic link included). */
static int
tmp_commit(const char *tmp, const char *target, int replace, char **why)
{
	if (replace) {
		if (rename(tmp, target) != 0)
			return cartel__why(why, CARTEL_EIO,
					   "%s: cannot rename into place: %s",
					   target, strerror(errno));
	} else {
		if (link(tmp, target) != 0)
			return cartel__why(why,
					   errno == EEXIST ? CARTEL_EEXIST
							   : CARTEL_EIO,
					   "%s: cannot put into place: %s",
					   target, strerror(errno));
		unlink(tmp);
	}
	sync_dir(target);
	return 0;
}
/* END SAFE-WRITE HELPER */

/* Removes a temporary SQLite file and what SQLite may have left beside
 * it. */
static void
tmp_remove(const char *tmp)
{
	static const char *const sfx[] = {"-wal", "-shm", "-journal"};
	if (tmp == NULL)
		return;
	unlink(tmp);
	for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
		char *p = cartel__asprintf("%s%s", tmp, sfx[i]);
		if (p != NULL)
			unlink(p);
		free(p);
	}
}

static int
write_all(int fd, const unsigned char *p, size_t n, const char *name,
	  char **why)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return cartel__why(why,
					   errno == ENOSPC ? CARTEL_EFULL
							   : CARTEL_EIO,
					   "%s: write failed: %s", name,
					   strerror(errno));
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reads up to n bytes (fewer only at the end of the file); sets *got. */
static int
read_full(int fd, unsigned char *p, size_t n, size_t *got, const char *name,
	  char **why)
{
	*got = 0;
	while (*got < n) {
		ssize_t r = read(fd, p + *got, n - *got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return cartel__why(why, CARTEL_EIO,
					   "%s: read failed: %s", name,
					   strerror(errno));
		if (r == 0)
			break;
		*got += (size_t)r;
	}
	return 0;
}

static void
put_be(unsigned char *p, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		p[i] = (unsigned char)v;
		v >>= 8;
	}
}

static uint64_t
get_be(const unsigned char *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

static int
derive(unsigned char key[crypto_secretstream_xchacha20poly1305_KEYBYTES],
       const char *pass, size_t pass_len, const unsigned char *salt,
       unsigned long long ops, size_t mem, char **why)
{
	if (crypto_pwhash(key, crypto_secretstream_xchacha20poly1305_KEYBYTES,
			  pass, pass_len, salt, ops, mem,
			  crypto_pwhash_ALG_ARGON2ID13) != 0)
		return cartel__why(why, CARTEL_ENOMEM,
				   "not enough memory to derive the key "
				   "(%zu MiB needed)",
				   mem >> 20);
	return 0;
}

/* Encrypts the file open at in_fd into out_fd. */
static int
encrypt_fd(int in_fd, int out_fd, const char *out_name, const char *pass,
	   size_t pass_len, char **why)
{
	unsigned char head[HEAD_LEN];
	memset(head, 0, sizeof head);
	memcpy(head, CARTEL_BACKUP_FORMAT, strlen(CARTEL_BACKUP_FORMAT));
	unsigned long long ops = crypto_pwhash_OPSLIMIT_MODERATE;
	size_t mem = crypto_pwhash_MEMLIMIT_MODERATE;
	put_be(head + 16, CARTEL_BACKUP_VERSION, 4);
	put_be(head + 20, crypto_pwhash_ALG_ARGON2ID13, 4);
	put_be(head + 24, ops, 8);
	put_be(head + 32, mem, 8);
	randombytes_buf(head + 40, crypto_pwhash_SALTBYTES);
	unsigned char key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
	int err = derive(key, pass, pass_len, head + 40, ops, mem, why);
	if (err != 0)
		return err;
	crypto_secretstream_xchacha20poly1305_state st;
	crypto_secretstream_xchacha20poly1305_init_push(&st, head + HEAD_AD_LEN,
							key);
	sodium_memzero(key, sizeof key);
	unsigned char *buf = malloc(2 * CHUNK + CHUNK_CT);
	if (buf == NULL)
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	unsigned char *cur = buf, *next = buf + CHUNK, *ct = buf + 2 * CHUNK;
	err = write_all(out_fd, head, sizeof head, out_name, why);
	size_t n_cur = 0, n_next = 0;
	if (err == 0)
		err = read_full(in_fd, cur, CHUNK, &n_cur, "the copy", why);
	/* One chunk read ahead: the last chunk is the one followed by none. */
	while (err == 0) {
		err = read_full(in_fd, next, CHUNK, &n_next, "the copy", why);
		if (err != 0)
			break;
		unsigned char tag =
			n_next == 0 ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
				    : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
		unsigned long long n_ct;
		crypto_secretstream_xchacha20poly1305_push(
			&st, ct, &n_ct, cur, n_cur, head, HEAD_AD_LEN, tag);
		err = write_all(out_fd, ct, (size_t)n_ct, out_name, why);
		if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL)
			break;
		unsigned char *t = cur;
		cur = next;
		next = t;
		n_cur = n_next;
	}
	sodium_memzero(buf, 2 * CHUNK + CHUNK_CT);
	sodium_memzero(&st, sizeof st);
	free(buf);
	return err;
}

/* Reads and checks an encrypted backup's header. */
static int
read_head(int fd, const char *name, unsigned char head[HEAD_LEN],
	  unsigned long long *ops, size_t *mem, char **why)
{
	size_t got;
	int err = read_full(fd, head, HEAD_LEN, &got, name, why);
	if (err != 0)
		return err;
	if (got < HEAD_NAME_LEN ||
	    memcmp(head, CARTEL_BACKUP_FORMAT, strlen(CARTEL_BACKUP_FORMAT)) !=
		    0)
		return cartel__why(why, CARTEL_EFORMAT,
				   "%s is not an encrypted cartel backup",
				   name);
	if (got < HEAD_LEN)
		return cartel__why(why, CARTEL_EFORMAT,
				   "%s is damaged: its header is cut short",
				   name);
	uint64_t version = get_be(head + 16, 4);
	if (version != CARTEL_BACKUP_VERSION)
		return cartel__why(why, CARTEL_EVERSION,
				   "%s is an encrypted backup of format "
				   "version %llu; this build reads version %d",
				   name, (unsigned long long)version,
				   CARTEL_BACKUP_VERSION);
	uint64_t alg = get_be(head + 20, 4);
	uint64_t o = get_be(head + 24, 8), m = get_be(head + 32, 8);
	if (alg != crypto_pwhash_ALG_ARGON2ID13 ||
	    o < crypto_pwhash_OPSLIMIT_MIN || o > MAX_OPSLIMIT ||
	    m < crypto_pwhash_MEMLIMIT_MIN || m > MAX_MEMLIMIT)
		return cartel__why(why, CARTEL_EFORMAT,
				   "%s is damaged: its key derivation "
				   "parameters are out of range",
				   name);
	*ops = o;
	*mem = (size_t)m;
	return 0;
}

/* Decrypts the encrypted backup open at in_fd into out_fd. */
static int
decrypt_fd(int in_fd, const char *name, int out_fd, const char *out_name,
	   const char *pass, size_t pass_len, char **why)
{
	unsigned char head[HEAD_LEN];
	unsigned long long ops = 0;
	size_t mem = 0;
	int err = read_head(in_fd, name, head, &ops, &mem, why);
	if (err != 0)
		return err;
	unsigned char key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
	err = derive(key, pass, pass_len, head + 40, ops, mem, why);
	if (err != 0)
		return err;
	crypto_secretstream_xchacha20poly1305_state st;
	int bad = crypto_secretstream_xchacha20poly1305_init_pull(
		&st, head + HEAD_AD_LEN, key);
	sodium_memzero(key, sizeof key);
	if (bad)
		return cartel__why(why, CARTEL_EFORMAT,
				   "%s is damaged: bad stream header", name);
	unsigned char *ct = malloc(CHUNK_CT + CHUNK);
	if (ct == NULL)
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	unsigned char *pt = ct + CHUNK_CT;
	for (long long chunk = 0;; chunk++) {
		size_t got;
		err = read_full(in_fd, ct, CHUNK_CT, &got, name, why);
		if (err != 0)
			break;
		if (got < crypto_secretstream_xchacha20poly1305_ABYTES) {
			err = cartel__why(why, CARTEL_EFORMAT,
					  "%s is damaged: cut short (its end "
					  "mark is missing)",
					  name);
			break;
		}
		unsigned long long n_pt;
		unsigned char tag;
		if (crypto_secretstream_xchacha20poly1305_pull(
			    &st, pt, &n_pt, &tag, ct, got, head, HEAD_AD_LEN) !=
		    0) {
			err = chunk == 0
				      ? cartel__why(why, CARTEL_ETAMPER,
						    "%s: wrong passphrase, or "
						    "the file was changed",
						    name)
				      : cartel__why(why, CARTEL_ETAMPER,
						    "%s is damaged or was "
						    "changed (at byte %lld)",
						    name,
						    (long long)HEAD_LEN +
							    chunk * CHUNK_CT);
			break;
		}
		err = write_all(out_fd, pt, (size_t)n_pt, out_name, why);
		if (err != 0)
			break;
		if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
			unsigned char extra;
			err = read_full(in_fd, &extra, 1, &got, name, why);
			if (err == 0 && got != 0)
				err = cartel__why(why, CARTEL_EFORMAT,
						  "%s is damaged: data after "
						  "its end mark",
						  name);
			break;
		}
		if (got < CHUNK_CT) {
			err = cartel__why(why, CARTEL_EFORMAT,
					  "%s is damaged: cut short (its end "
					  "mark is missing)",
					  name);
			break;
		}
	}
	sodium_memzero(pt, CHUNK);
	sodium_memzero(&st, sizeof st);
	free(ct);
	return err;
}

static int
same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int
cartel_backup(struct cartel_db *db, const char *out_path,
	      const char *passphrase, size_t passphrase_len, char **why)
{
	if (out_path == NULL || out_path[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL,
				   "a backup needs a file to write");
	if (passphrase != NULL && passphrase_len < MIN_PASSPHRASE)
		return cartel__why(why, CARTEL_EINVAL,
				   "the passphrase is too short (at least %d "
				   "bytes)",
				   MIN_PASSPHRASE);
	if (same_file(out_path, cartel__db_path(db)))
		return cartel__why(why, CARTEL_EINVAL,
				   "%s is the register itself", out_path);
	if (sodium_init() < 0)
		return cartel__why(why, CARTEL_ENOMEM,
				   "libsodium could not start");
	char *out_tmp = NULL, *plain_tmp = NULL;
	int out_fd = -1, plain_fd = -1;
	int err = tmp_create(out_path, &out_tmp, &out_fd, why);
	if (err != 0)
		return err;
	if (passphrase == NULL) {
		close(out_fd);
		out_fd = -1;
		err = cartel__store_backup_to(db, out_tmp, why);
	} else {
		/* The plain copy lies beside the register, not the backup:
		 * a backup's folder (a USB stick) never holds it. */
		err = tmp_create(cartel__db_path(db), &plain_tmp, &plain_fd,
				 why);
		if (err == 0)
			err = cartel__store_backup_to(db, plain_tmp, why);
		if (err == 0 && lseek(plain_fd, 0, SEEK_SET) != 0)
			err = cartel__why(why, CARTEL_EIO,
					  "rewinding the copy failed");
		if (err == 0)
			err = encrypt_fd(plain_fd, out_fd, out_path, passphrase,
					 passphrase_len, why);
		if (err == 0 && fsync(out_fd) != 0)
			err = cartel__why(why, CARTEL_EIO, "%s: sync failed: %s",
					  out_path, strerror(errno));
		if (plain_fd >= 0)
			close(plain_fd);
		tmp_remove(plain_tmp);
		free(plain_tmp);
		if (close(out_fd) != 0 && err == 0)
			err = cartel__why(why, CARTEL_EIO,
					  "%s: close failed: %s", out_path,
					  strerror(errno));
	}
	if (err == 0)
		err = tmp_commit(out_tmp, out_path, 1, why);
	if (err != 0)
		tmp_remove(out_tmp);
	free(out_tmp);
	return err;
}

static int
probe_fd(int fd, const char *path, int *encrypted, char **why)
{
	unsigned char head[16];
	size_t got;
	int err = read_full(fd, head, sizeof head, &got, path, why);
	if (err != 0)
		return err;
	if (got == sizeof head && memcmp(head, "SQLite format 3", 16) == 0) {
		*encrypted = 0;
		return 0;
	}
	if (got == sizeof head &&
	    memcmp(head, CARTEL_BACKUP_FORMAT,
		   strlen(CARTEL_BACKUP_FORMAT)) == 0) {
		*encrypted = 1;
		return 0;
	}
	return cartel__why(why, CARTEL_EFORMAT,
			   "%s is not a cartel backup (neither an SQLite "
			   "database nor an encrypted backup)",
			   path);
}

int
cartel_backup_probe(const char *path, int *encrypted, char **why)
{
	*encrypted = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cartel__why(why,
				   errno == ENOENT ? CARTEL_ENOTFOUND
						   : CARTEL_EIO,
				   "%s: %s", path, strerror(errno));
	int err = probe_fd(fd, path, encrypted, why);
	close(fd);
	return err;
}

static int
copy_fd(int in_fd, const char *name, int out_fd, const char *out_name,
	char **why)
{
	unsigned char *buf = malloc(CHUNK);
	if (buf == NULL)
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	int err = 0;
	for (;;) {
		size_t got;
		err = read_full(in_fd, buf, CHUNK, &got, name, why);
		if (err != 0 || got == 0)
			break;
		err = write_all(out_fd, buf, got, out_name, why);
		if (err != 0)
			break;
	}
	free(buf);
	return err;
}

/* Removes the search index beside a register that was just replaced: it
 * describes the register that was there. */
static void
drop_index(const char *db_path)
{
	char *p = cartel__asprintf("%s.search", db_path);
	if (p != NULL)
		unlink(p);
	free(p);
}

int
cartel_restore(const char *backup_path, const char *db_path,
	       const char *passphrase, size_t passphrase_len, unsigned flags,
	       struct cartel_restore_report *rep, char **why)
{
	memset(rep, 0, sizeof(*rep));
	if (backup_path == NULL || db_path == NULL || db_path[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL,
				   "a restore needs a backup and a register");
	if (sodium_init() < 0)
		return cartel__why(why, CARTEL_ENOMEM,
				   "libsodium could not start");
	struct stat sb;
	int exists = lstat(db_path, &sb) == 0;
	if (exists && !(flags & CARTEL_RESTORE_FORCE))
		return cartel__why(why, CARTEL_EEXIST,
				   "%s exists; give --force to replace it "
				   "(it is replaced only after the backup "
				   "is checked)",
				   db_path);
	int in_fd = open(backup_path, O_RDONLY | O_CLOEXEC);
	if (in_fd < 0)
		return cartel__why(why,
				   errno == ENOENT ? CARTEL_ENOTFOUND
						   : CARTEL_EIO,
				   "%s: %s", backup_path, strerror(errno));
	int err = probe_fd(in_fd, backup_path, &rep->encrypted, why);
	if (err == 0 && rep->encrypted && passphrase == NULL)
		err = cartel__why(why, CARTEL_EINVAL,
				  "%s is encrypted: a passphrase is needed",
				  backup_path);
	if (err == 0 && lseek(in_fd, 0, SEEK_SET) != 0)
		err = cartel__why(why, CARTEL_EIO, "%s: cannot rewind",
				  backup_path);
	if (err != 0) {
		close(in_fd);
		return err;
	}
	char *tmp = NULL;
	int fd = -1;
	err = tmp_create(db_path, &tmp, &fd, why);
	if (err == 0)
		err = rep->encrypted
			      ? decrypt_fd(in_fd, backup_path, fd, db_path,
					   passphrase, passphrase_len, why)
			      : copy_fd(in_fd, backup_path, fd, db_path, why);
	close(in_fd);
	if (err == 0 && fsync(fd) != 0)
		err = cartel__why(why, CARTEL_EIO, "%s: sync failed: %s",
				  db_path, strerror(errno));
	if (fd >= 0)
		close(fd);
	if (err == 0)
		err = cartel__store_check_copy(tmp, &rep->schema_version,
					       &rep->audit, why);
	struct cartel__store_hold *hold = NULL;
	if (err == 0 && exists)
		err = cartel__store_take(db_path, &hold, why);
	if (err == 0)
		err = tmp_commit(tmp, db_path, exists, why);
	cartel__store_release(hold);
	if (err == 0)
		drop_index(db_path);
	tmp_remove(err == 0 ? NULL : tmp);
	if (err == 0) {
		/* The checked copy's own WAL and shared memory are gone with
		 * its last connection; remove any leftovers by name. */
		char *p = cartel__asprintf("%s-shm", tmp);
		if (p != NULL)
			unlink(p);
		free(p);
	}
	free(tmp);
	return err;
}
