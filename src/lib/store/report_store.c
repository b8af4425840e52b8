/*
 * The counts behind the charts (report_rows.h): read-only queries, each
 * an aggregate, never a name.
 */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include <cartel/error.h>
#include <cartel/register.h>
#include <cartel/store.h>

#include "core/why.h"
#include "store/report_rows.h"
#include "store/store_int.h"

int
cartel__report_held_at(struct cartel_db *db, const char *date,
		       struct cartel__party_count **out, size_t *n,
		       char **why)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *q;
	int rc = sqlite3_prepare_v2(
		cartel__db_sqlite(db),
		"SELECT coalesce(held_by, ''), count(*) FROM persons p "
		"WHERE coalesce(held_since, captured_on) IS NOT NULL "
		"AND coalesce(held_since, captured_on) <= ?1 AND "
		CARTEL__NOT_MERGED("id") " AND ("
		"status IN ('confirmed_captive', 'proposed', 'agreed') OR "
		"EXISTS (SELECT 1 FROM events e WHERE e.person = p.pk AND "
		"e.field = 'status' AND e.new_value IN ('repatriated', "
		"'released', 'escaped', 'deceased', 'transferred') AND "
		"substr(e.at, 1, 10) > ?1)) "
		"GROUP BY 1 ORDER BY 1",
		-1, &q, NULL);
	if (rc != SQLITE_OK)
		return cartel__db_err(db, rc, "counting the held", why);
	sqlite3_bind_text(q, 1, date, -1, SQLITE_TRANSIENT);
	size_t cap = 0;
	int err = 0;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct cartel__party_count *g =
				realloc(*out, ncap * sizeof *g);
			if (g == NULL) {
				err = cartel__why(why, CARTEL_ENOMEM,
						  "out of memory");
				break;
			}
			*out = g;
			cap = ncap;
		}
		struct cartel__party_count *c = &(*out)[(*n)++];
		const char *party = (const char *)sqlite3_column_text(q, 0);
		if (party == NULL || cartel_party_check(party, NULL) != 0)
			party = "";
		snprintf(c->party, sizeof c->party, "%s", party);
		c->n = sqlite3_column_int64(q, 1);
	}
	if (!err && rc != SQLITE_DONE)
		err = cartel__db_err(db, rc, "counting the held", why);
	sqlite3_finalize(q);
	if (err) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return err;
}

int
cartel__report_first_held(struct cartel_db *db, char **out, char **why)
{
	*out = NULL;
	sqlite3_stmt *q;
	int rc = sqlite3_prepare_v2(
		cartel__db_sqlite(db),
		"SELECT min(coalesce(held_since, captured_on)) FROM persons "
		"WHERE held_by IS NOT NULL AND " CARTEL__NOT_MERGED("id"),
		-1, &q, NULL);
	if (rc != SQLITE_OK)
		return cartel__db_err(db, rc, "reading dates", why);
	int err = 0;
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(q, 0);
		if (s != NULL && (*out = cartel__strdup(s)) == NULL)
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	} else {
		err = cartel__db_err(db, rc, "reading dates", why);
	}
	sqlite3_finalize(q);
	return err;
}

void
cartel__round_rows_free(struct cartel__round_row *r, size_t n)
{
	for (size_t i = 0; r != NULL && i < n; i++) {
		free(r[i].round_id);
		free(r[i].started_at);
		free(r[i].document);
	}
	free(r);
}

int
cartel__report_rounds(struct cartel_db *db, struct cartel__round_row **out,
		      size_t *n, char **why)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *q;
	int rc = sqlite3_prepare_v2(cartel__db_sqlite(db),
				    "SELECT round_id, started_at, document "
				    "FROM round_doc ORDER BY started_at, "
				    "round_id",
				    -1, &q, NULL);
	if (rc != SQLITE_OK)
		return cartel__db_err(db, rc, "reading rounds", why);
	size_t cap = 0;
	int err = 0;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct cartel__round_row *g =
				realloc(*out, ncap * sizeof *g);
			if (g == NULL) {
				err = cartel__why(why, CARTEL_ENOMEM,
						  "out of memory");
				break;
			}
			*out = g;
			cap = ncap;
		}
		struct cartel__round_row *r = &(*out)[(*n)++];
		r->round_id = cartel__strdup(
			(const char *)sqlite3_column_text(q, 0));
		r->started_at = cartel__strdup(
			(const char *)sqlite3_column_text(q, 1));
		r->document = cartel__strdup(
			(const char *)sqlite3_column_text(q, 2));
		if (r->round_id == NULL || r->started_at == NULL ||
		    r->document == NULL) {
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
			break;
		}
	}
	if (!err && rc != SQLITE_DONE)
		err = cartel__db_err(db, rc, "reading rounds", why);
	sqlite3_finalize(q);
	if (err) {
		cartel__round_rows_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return err;
}

int
cartel__report_inquiries(struct cartel_db *db, long counts[4], char **why)
{
	memset(counts, 0, 4 * sizeof counts[0]);
	sqlite3_stmt *q;
	int rc = sqlite3_prepare_v2(cartel__db_sqlite(db),
				    "SELECT coalesce(state, 'open'), count(*) "
				    "FROM match_inquiry GROUP BY 1",
				    -1, &q, NULL);
	if (rc != SQLITE_OK)
		return cartel__db_err(db, rc, "counting inquiries", why);
	/* The states in the order of enum cartel_inquiry_state. */
	static const char *const states[4] = {"open", "candidate_found",
					      "confirmed", "closed"};
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(q, 0);
		for (int i = 0; s != NULL && i < 4; i++)
			if (strcmp(s, states[i]) == 0)
				counts[i] += sqlite3_column_int64(q, 1);
	}
	int err = 0;
	if (rc != SQLITE_DONE)
		err = cartel__db_err(db, rc, "counting inquiries", why);
	sqlite3_finalize(q);
	return err;
}
