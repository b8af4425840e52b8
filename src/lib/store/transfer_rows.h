/*
 * The transfer log's rows (transfer_store.c), for io/transfer.c, which
 * owns the rules (<cartel/transfer.h>). Every write is recorded in the
 * row ledger (CARTEL__LT_TRANSFER) inside the caller's transaction.
 */
#ifndef CARTEL_STORE_TRANSFER_ROWS_H
#define CARTEL_STORE_TRANSFER_ROWS_H

#include <stddef.h>

#include <cartel/transfer.h>

struct cartel_db;

/* Appends one record dated now (or CARTEL_NOW; to, file, sha256 may be
 * NULL) and its ledger record; inside a write transaction. Sets *seq and
 * the time into at (>= 32 bytes). Returns 0 or a database error. */
int cartel__transfer_insert(struct cartel_db *db, char *at, size_t at_size,
			    const char *by, const char *kind,
			    long long n_persons, const char *to,
			    const char *file, const char *sha256,
			    long long *seq, char **why);

/* Checks the table against the row ledger (CARTEL_ETAMPER), then reads
 * every record, oldest first, into *out (free with
 * cartel_transfer_rows_free). */
int cartel__transfer_rows(struct cartel_db *db,
			  struct cartel_transfer_row **out, size_t *n,
			  char **why);

#endif
