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
#include <cartel/file.h>

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
	/* Every file through the one safe writer: a temporary beside the
	 * target, never a symbolic link, renamed into place when whole. */
	struct cartel_file *out = NULL, *plain = NULL;
	int err = cartel_file_open(&out, out_path, CARTEL_FILE_PRIVATE, why);
	if (err != 0)
		return err;
	const char *out_tmp = cartel_file_tmp_path(out);
	if (out_tmp == NULL) {
		cartel_file_abort(out);
		return cartel__why(why, CARTEL_ESTATE,
				   "%s is not a regular file; a backup is "
				   "written to a file",
				   out_path);
	}
	if (passphrase == NULL) {
		err = cartel__store_backup_to(db, out_tmp, why);
	} else {
		/* The plain copy lies beside the register, not the backup:
		 * a backup's folder (a USB stick) never holds it. It is a
		 * temporary of the register's name that is never put in
		 * place, only removed. */
		err = cartel_file_open(&plain, cartel__db_path(db),
				       CARTEL_FILE_PRIVATE, why);
		const char *plain_tmp =
			err == 0 ? cartel_file_tmp_path(plain) : NULL;
		if (err == 0 && plain_tmp == NULL)
			err = cartel__why(why, CARTEL_ESTATE,
					  "the register is not a regular "
					  "file");
		if (err == 0)
			err = cartel__store_backup_to(db, plain_tmp, why);
		int plain_fd = plain != NULL ? cartel_file_fd(plain) : -1;
		if (err == 0 && lseek(plain_fd, 0, SEEK_SET) != 0)
			err = cartel__why(why, CARTEL_EIO,
					  "rewinding the copy failed");
		if (err == 0)
			err = encrypt_fd(plain_fd, cartel_file_fd(out),
					 out_path, passphrase, passphrase_len,
					 why);
		if (plain_tmp != NULL)
			tmp_remove(plain_tmp);
		cartel_file_abort(plain);
	}
	if (err == 0) {
		err = cartel_file_commit(out, why);
	} else {
		tmp_remove(out_tmp);
		cartel_file_abort(out);
	}
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
	struct cartel_file *f = NULL;
	err = cartel_file_open(&f, db_path,
			       CARTEL_FILE_PRIVATE |
				       (exists ? 0u : CARTEL_FILE_EXCL),
			       why);
	const char *tmp = err == 0 ? cartel_file_tmp_path(f) : NULL;
	if (err == 0 && tmp == NULL)
		err = cartel__why(why, CARTEL_ESTATE,
				  "%s is not a regular file", db_path);
	if (err == 0)
		err = rep->encrypted
			      ? decrypt_fd(in_fd, backup_path,
					   cartel_file_fd(f), db_path,
					   passphrase, passphrase_len, why)
			      : copy_fd(in_fd, backup_path, cartel_file_fd(f),
					db_path, why);
	close(in_fd);
	if (err == 0)
		err = cartel__store_check_copy(tmp, &rep->schema_version,
					       &rep->audit, why);
	/* The checked copy's own WAL and shared memory are gone with its
	 * last connection; remove any leftovers by name before the copy is
	 * put in place (the temporary's name is gone after). */
	char *shm = tmp != NULL ? cartel__asprintf("%s-shm", tmp) : NULL;
	struct cartel__store_hold *hold = NULL;
	if (err == 0 && exists)
		err = cartel__store_take(db_path, &hold, why);
	if (err == 0) {
		err = cartel_file_commit(f, why);
		f = NULL;
	}
	cartel__store_release(hold);
	if (f != NULL) {
		tmp_remove(tmp);
		cartel_file_abort(f);
	}
	if (err == 0)
		drop_index(db_path);
	if (shm != NULL)
		unlink(shm);
	free(shm);
	return err;
}
