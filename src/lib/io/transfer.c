/*
 * The transfer log's rules (<cartel/transfer.h>, docs/transfers.md): what a
 * record must hold, the SHA-256 of what was written, and the log as JSON.
 * The rows themselves are the store's (store/transfer_rows.h).
 *
 * JSON ownership: every json_t made here is either released here or
 * handed to the caller through *out.
 */
#define _GNU_SOURCE /* fopencookie: a stream that hashes what passes */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <sodium.h>

#include <cartel/error.h>
#include <cartel/store.h>
#include <cartel/transfer.h>

#include "core/why.h"
#include "store/transfer_rows.h"

static void
to_hex(const unsigned char d[crypto_hash_sha256_BYTES],
       char hex[CARTEL_SHA256_HEX])
{
	sodium_bin2hex(hex, CARTEL_SHA256_HEX, d, crypto_hash_sha256_BYTES);
}

void
cartel_sha256_hex(const void *data, size_t len, char hex[CARTEL_SHA256_HEX])
{
	unsigned char d[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(d, data, len);
	to_hex(d, hex);
}

int
cartel_sha256_file(const char *path, char hex[CARTEL_SHA256_HEX], char **why)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return cartel__why(why, CARTEL_EIO, "%s: %s", path,
				   strerror(errno));
	struct stat sb;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return cartel__why(why, CARTEL_ESTATE,
				   "%s: not a regular file, its digest cannot "
				   "be read back",
				   path);
	}
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	unsigned char buf[65536];
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			return cartel__why(why, CARTEL_EIO, "%s: %s", path,
					   strerror(e));
		}
		crypto_hash_sha256_update(&st, buf, (unsigned long long)n);
	}
	close(fd);
	unsigned char d[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_final(&st, d);
	to_hex(d, hex);
	return 0;
}

struct cartel_hash_out {
	FILE *sink, *fp;
	crypto_hash_sha256_state st;
	int failed;
};

static ssize_t
hash_write(void *cookie, const char *buf, size_t size)
{
	struct cartel_hash_out *h = cookie;
	if (size == 0)
		return 0;
	if (fwrite(buf, 1, size, h->sink) != size) {
		h->failed = 1;
		return -1;
	}
	crypto_hash_sha256_update(&h->st, (const unsigned char *)buf, size);
	return (ssize_t)size;
}

int
cartel_hash_out_open(struct cartel_hash_out **out, FILE *sink)
{
	*out = NULL;
	struct cartel_hash_out *h = calloc(1, sizeof *h);
	if (h == NULL)
		return CARTEL_ENOMEM;
	h->sink = sink;
	crypto_hash_sha256_init(&h->st);
	cookie_io_functions_t io = {NULL, hash_write, NULL, NULL};
	h->fp = fopencookie(h, "w", io);
	if (h->fp == NULL) {
		free(h);
		return CARTEL_ENOMEM;
	}
	*out = h;
	return 0;
}

FILE *
cartel_hash_out_fp(struct cartel_hash_out *h)
{
	return h->fp;
}

int
cartel_hash_out_close(struct cartel_hash_out *h, char hex[CARTEL_SHA256_HEX])
{
	if (h == NULL)
		return 0;
	int bad = fclose(h->fp) != 0 || h->failed;
	if (!bad && fflush(h->sink) != 0)
		bad = 1;
	unsigned char d[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_final(&h->st, d);
	if (hex != NULL)
		to_hex(d, hex);
	free(h);
	return bad ? CARTEL_EIO : 0;
}

/* A short word: letters, digits, '-' and '_'. */
static int
is_word(const char *s)
{
	if (s == NULL || *s == '\0' || strlen(s) > 32)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '_'))
			return 0;
	return 1;
}

static int
is_hex64(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') ||
		      (s[n] >= 'a' && s[n] <= 'f')))
			return 0;
	return n == 64;
}

static int
has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

int
cartel_transfer_record(struct cartel_db *db, const struct cartel_transfer *t,
		       char **why)
{
	if (!is_word(t->kind))
		return cartel__why(why, CARTEL_EINVAL,
				   "a transfer needs its kind (a short word)");
	if (t->by == NULL || *t->by == '\0')
		return cartel__why(why, CARTEL_EINVAL,
				   "a transfer needs who sent it");
	if (t->n_persons < 0)
		return cartel__why(why, CARTEL_EINVAL,
				   "a transfer's count of persons is negative");
	const char *to = t->to != NULL && *t->to != '\0' ? t->to : NULL;
	if (to != NULL && (strlen(to) > CARTEL_TRANSFER_TO_MAX ||
			   has_control(to)))
		return cartel__why(why, CARTEL_EINVAL,
				   "the recipient (--to) is longer than %d "
				   "bytes or holds a control character",
				   CARTEL_TRANSFER_TO_MAX);
	const char *file =
		t->file != NULL && strcmp(t->file, "-") != 0 ? t->file : NULL;
	char hex[CARTEL_SHA256_HEX];
	const char *sha = t->sha256;
	if (sha != NULL && !is_hex64(sha))
		return cartel__why(why, CARTEL_EINVAL,
				   "a transfer's digest is not a SHA-256 in "
				   "hex");
	if (sha == NULL && file != NULL) {
		int err = cartel_sha256_file(file, hex, why);
		if (err == CARTEL_ESTATE) {
			/* A device or a pipe: what went through it is gone;
			 * the record says so by having no digest. */
			free(*why);
			*why = NULL;
		} else if (err != 0) {
			return err;
		} else {
			sha = hex;
		}
	}
	int err = cartel_db_begin(db, why);
	if (err != 0)
		return err;
	char at[32];
	long long seq = 0;
	err = cartel__transfer_insert(db, at, sizeof at, t->by, t->kind,
				      t->n_persons, to, file, sha, &seq, why);
	if (err == 0) {
		char subject[32], detail[96];
		snprintf(subject, sizeof subject, "%lld", seq);
		snprintf(detail, sizeof detail, "%s, %lld persons, sha256 %.16s",
			 t->kind, t->n_persons, sha != NULL ? sha : "-");
		err = cartel_audit_append(db, t->by, "transfer", subject,
					  detail, why);
	}
	if (err == 0)
		err = cartel_db_commit(db, why);
	if (err != 0)
		cartel_db_rollback(db);
	return err;
}

void
cartel_transfer_rows_free(struct cartel_transfer_row *v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++) {
		free(v[i].at);
		free(v[i].by);
		free(v[i].kind);
		free(v[i].to);
		free(v[i].file);
		free(v[i].sha256);
	}
	free(v);
}

int
cartel_transfer_list(struct cartel_db *db, struct cartel_transfer_row **out,
		     size_t *n, char **why)
{
	return cartel__transfer_rows(db, out, n, why);
}

int
cartel_transfer_list_json(struct cartel_db *db, json_t **out, char **why)
{
	*out = NULL;
	struct cartel_transfer_row *r;
	size_t n;
	int err = cartel_transfer_list(db, &r, &n, why);
	if (err != 0)
		return err;
	json_t *items = json_array();
	for (size_t i = 0; items != NULL && i < n; i++) {
		json_t *o = json_pack(
			"{s:I, s:s?, s:s?, s:s?, s:I, s:s?, s:s?, s:s?}", "seq",
			(json_int_t)r[i].seq, "at", r[i].at, "by", r[i].by,
			"kind", r[i].kind, "persons", (json_int_t)r[i].n_persons,
			"to", r[i].to, "file", r[i].file, "sha256",
			r[i].sha256);
		if (o == NULL || json_array_append_new(items, o) != 0) {
			json_decref(items);
			items = NULL;
		}
	}
	cartel_transfer_rows_free(r, n);
	if (items != NULL)
		*out = json_pack("{s:o}", "transfers", items);
	return *out ? 0 : cartel__why(why, CARTEL_ENOMEM, "out of memory");
}
