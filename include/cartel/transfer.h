/*
 * The transfer log: a record of every file with persons in it that leaves
 * cartel (an export as CSV, JSON or XLSX, a round document, a declaration,
 * a handover sheet, a backup), so that a transfer keeps its record, as the
 * ICRC Handbook on Data Protection asks: who sent it, what kind of file,
 * how many persons it holds, to whom, when, and the SHA-256 of the bytes
 * that were written (docs/transfers.md).
 *
 * An exporter writes its file through the safe writer (<cartel/file.h>),
 * then calls cartel_transfer_record with what it wrote. The record is a
 * row of the transfer_log table, written with its audit entry in one
 * transaction and covered by the audit chain's row ledger from its first
 * row: a record changed, added or deleted behind the register's back makes
 * `audit verify` and `cartel transfers` fail.
 *
 * The digest is of the bytes as written: a stream exporter passes its
 * output through a hashing stream (cartel_hash_out_open) and gives the
 * digest; an exporter that wrote a regular file may leave the digest
 * out, and the file is read back and hashed.
 */
#ifndef CARTEL_TRANSFER_H
#define CARTEL_TRANSFER_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

struct cartel_db;

/* A SHA-256 digest in lowercase hex, with its NUL. */
#define CARTEL_SHA256_HEX 65

/* The longest recipient (--to) recorded, in bytes. */
#define CARTEL_TRANSFER_TO_MAX 200

/* One transfer, as an exporter describes it. */
struct cartel_transfer {
	/* What left: "csv", "json", "xlsx", "pfif", "pdf", "declaration",
	 * "round", "handover-sheet", "backup", "reconcile" (a short word,
	 * no spaces). */
	const char *kind;
	long long n_persons; /* persons in the file */
	const char *to;      /* to whom; NULL or "" when not said */
	const char *by;      /* who sent it */
	const char *file;    /* the path written; NULL or "-": stdout */
	/* The SHA-256 (hex) of the bytes written; NULL: file is read back
	 * and hashed (a regular file only; a stream's digest must be
	 * given). */
	const char *sha256;
};

/*
 * Records transfer *t: a transfer_log row (the time is now, or
 * CARTEL_NOW) and its audit entry (action "transfer"), inside the
 * caller's write transaction when one is open, else in its own. Returns
 * 0; CARTEL_EINVAL with *why for a missing kind or by, a recipient over
 * CARTEL_TRANSFER_TO_MAX or holding a control character, a digest that is
 * not 64 hex digits; CARTEL_EIO when the file cannot be read back; or a
 * database error (nothing recorded then).
 */
int cartel_transfer_record(struct cartel_db *db,
			   const struct cartel_transfer *t, char **why);

/* The SHA-256 of len bytes at data, in hex, into hex. */
void cartel_sha256_hex(const void *data, size_t len,
		       char hex[CARTEL_SHA256_HEX]);

/* The SHA-256 of the regular file at path, in hex. Returns 0, or
 * CARTEL_EIO (CARTEL_ESTATE for something that is not a regular file)
 * with *why naming the path. */
int cartel_sha256_file(const char *path, char hex[CARTEL_SHA256_HEX],
		       char **why);

/*
 * A stdio stream that passes every byte written to it on to sink and
 * keeps their SHA-256: the digest of what a stream exporter wrote, to
 * standard output as well as to a file. cartel_hash_out_open returns 0
 * and *out, or CARTEL_ENOMEM. cartel_hash_out_fp is the stream to write
 * to (owned by the hash_out). cartel_hash_out_close flushes it, sets hex
 * (when not NULL) to the digest of every byte that reached the sink,
 * frees h (sink stays open) and returns 0, or CARTEL_EIO when a write to
 * the sink failed.
 */
struct cartel_hash_out;
int cartel_hash_out_open(struct cartel_hash_out **out, FILE *sink);
FILE *cartel_hash_out_fp(struct cartel_hash_out *h);
int cartel_hash_out_close(struct cartel_hash_out *h,
			  char hex[CARTEL_SHA256_HEX]);

/* One record of the log, as read. */
struct cartel_transfer_row {
	long long seq;
	char *at, *by, *kind, *to, *file, *sha256; /* to, file, sha256 may
						    * be NULL */
	long long n_persons;
};

/*
 * Every record of the log, oldest first, into a malloc'd array *out of *n
 * (free with cartel_transfer_rows_free). The table is checked against the
 * audit chain's row ledger first: CARTEL_ETAMPER with *why naming the
 * record when a record was changed, added or deleted behind the
 * register's back. Otherwise 0 or a database error.
 */
int cartel_transfer_list(struct cartel_db *db,
			 struct cartel_transfer_row **out, size_t *n,
			 char **why);
void cartel_transfer_rows_free(struct cartel_transfer_row *v, size_t n);

/* The log as JSON (docs/transfers.md): {"transfers": [{"seq", "at", "by",
 * "kind", "persons", "to", "file", "sha256"}, ...]}, a new reference in
 * *out; errors as cartel_transfer_list. */
int cartel_transfer_list_json(struct cartel_db *db, json_t **out,
			      char **why);

#ifdef __cplusplus
}
#endif
#endif
