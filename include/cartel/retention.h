/*
 * Retention: how long the register keeps the personal data of a closed
 * case, and the purge that erases it when that time has passed
 * (docs/backup.md).
 *
 * A case is closed when the person's status reaches an end of the
 * lifecycle: repatriated, released or deceased. A rule per status says how
 * long after closing the personal data are kept ("1y", "18m", "90d"); with
 * no rule for a status, its cases are kept. A person under a legal hold is
 * always kept. The retention date is the closing date (the date of the
 * event that set the status, or of the person's creation when it was
 * created closed) plus the period.
 *
 * A purge redacts, for each person past the retention date, the personal
 * data (names, parents' names, birth date and place, service number, rank,
 * unit, the person to inform, places of capture and internment, who
 * decided and interviewed, notes, every extra attribute, and each event's
 * reference and note) from the current state and from every event, keeping
 * the id, sex, parties, category, status, health, consent, holds, source
 * and dates, so the counts of `cartel stats` do not change. Each redacted
 * event keeps the digest of its original content, so the audit chain
 * still verifies; one audit entry lists the ids and dates purged (never a
 * name) with a digest of the redacted rows, so a later change to them is
 * found. The erased bytes are overwritten in the file (secure_delete) and
 * the WAL is truncated after the purge.
 */
#ifndef CARTEL_RETENTION_H
#define CARTEL_RETENTION_H

#include <stddef.h>

#include "date.h"
#include "person.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One retention rule. */
struct cartel_retention_rule {
	enum cartel_status status; /* repatriated, released or deceased */
	char period[16];           /* "<N>y", "<N>m" or "<N>d" */
	char set_at[32];
	char set_by[64];
};

/*
 * Sets the retention period of cases closed with `status` (repatriated,
 * released or deceased; CARTEL_EINVAL otherwise): period "N years",
 * "N months", "N days" (or Ny, Nm, Nd; N from 0 to 1000), or "never" (or
 * NULL) to keep such cases. Audited. Returns 0 or an error.
 */
int cartel_retention_set(struct cartel_db *db, enum cartel_status status,
			 const char *period, const char *actor, char **why);

/* The rules in force, as a new array *out of *n (free()). */
int cartel_retention_rules(struct cartel_db *db,
			   struct cartel_retention_rule **out, size_t *n,
			   char **why);

/* One closed case and its retention date. */
struct cartel_retention_item {
	char *id;
	enum cartel_status status;
	struct cartel_date closed_on; /* when the case closed */
	struct cartel_date due_on;    /* retention date; year 0: kept */
	int legal_hold;               /* kept: under a legal hold */
	int redacted;                 /* already purged */
	int due;                      /* to purge as of the given date */
};

/*
 * Every closed case, ordered by id, with its retention date and whether it
 * is due as of *today. A new array *out of *n; free with
 * cartel_retention_items_free.
 */
int cartel_retention_list(struct cartel_db *db,
			  const struct cartel_date *today,
			  struct cartel_retention_item **out, size_t *n,
			  char **why);

void cartel_retention_items_free(struct cartel_retention_item *items,
				 size_t n);

/* What a purge did (or, dry, would do). */
struct cartel_purge_result {
	struct cartel_retention_item *items; /* the persons redacted */
	size_t n_items;
	long long n_events;  /* event rows redacted */
	long long audit_seq; /* the purge's audit entry; 0 when none */
	int wal_cleared;     /* the WAL was emptied after the purge */
};

void cartel_purge_result_clear(struct cartel_purge_result *res);

/*
 * Redacts every case due as of *today (see above) in one transaction with
 * its audit entry, then empties the WAL and removes the search index
 * beside the register (it held the erased names; it is rebuilt on the
 * next search). dry_run: fills *res with what would be redacted and
 * writes nothing. With nothing due, writes nothing. Returns 0 or an error
 * (nothing redacted then).
 */
int cartel_purge_due(struct cartel_db *db, const struct cartel_date *today,
		     int dry_run, const char *actor,
		     struct cartel_purge_result *res, char **why);

#ifdef __cplusplus
}
#endif
#endif
