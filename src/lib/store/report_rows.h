/*
 * The store's interface for the report module (the charts of `cartel
 * report`, docs/report.md): counts read from the register's rows,
 * implemented in report_store.c. What the counts are drawn as, and which
 * are too small to publish, is decided in src/lib/report/. Only report/
 * includes this header (scripts/check-layers.sh).
 */
#ifndef CARTEL_STORE_REPORT_ROWS_H
#define CARTEL_STORE_REPORT_ROWS_H

#include <stddef.h>

#include <cartel/store.h>

/* A count for one party code ("" for an unknown holder). */
struct cartel__party_count {
	char party[16];
	long n;
};

/*
 * How many each party held at the end of `date` (YYYY-MM-DD): persons
 * (not merged into another) whose held_since, else captured_on, is on or
 * before the date, who are held now or whose status left the held ones
 * (by an event recorded) after the date. *out malloc'd, by party code.
 */
int cartel__report_held_at(struct cartel_db *db, const char *date,
			   struct cartel__party_count **out, size_t *n,
			   char **why);

/* The earliest held_since or captured_on of anyone held by a party, as
 * text (malloc'd; NULL when there is none). */
int cartel__report_first_held(struct cartel_db *db, char **out, char **why);

/* A loaded round: its id, when it was loaded, its canonical document. */
struct cartel__round_row {
	char *round_id, *started_at, *document;
};
/* Every loaded round, oldest first; free with cartel__round_rows_free. */
int cartel__report_rounds(struct cartel_db *db, struct cartel__round_row **out,
			  size_t *n, char **why);
void cartel__round_rows_free(struct cartel__round_row *r, size_t n);

/* Inquiries per state: counts[CARTEL_INQUIRY_OPEN..CLOSED]. */
int cartel__report_inquiries(struct cartel_db *db, long counts[4],
			     char **why);

#endif
