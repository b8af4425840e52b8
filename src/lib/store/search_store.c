/*
 * The rows a search reads (store/match_rows.h): the register's state
 * stamp, which says whether the search index beside the register was
 * built from it, the number of persons, the day a person's status last
 * changed, and the read transaction that makes them one state. The search
 * itself is the match module's (match/search.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cartel/error.h>
#include <cartel/store.h>

#include "core/why.h"
#include "store/store_int.h"

int
cartel__db_read_begin(struct cartel_db *db, int *own, char **why)
{
	sqlite3 *sql = cartel__db_sqlite(db);
	*own = sqlite3_get_autocommit(sql);
	if (*own) {
		int rc = sqlite3_exec(sql, "BEGIN", NULL, NULL, NULL);
		if (rc != SQLITE_OK) {
			*own = 0;
			return cartel__db_err(db, rc, "starting a search", why);
		}
	}
	return 0;
}

void
cartel__db_read_end(struct cartel_db *db, int own, int err)
{
	if (own)
		sqlite3_exec(cartel__db_sqlite(db),
			     err == 0 ? "COMMIT" : "ROLLBACK", NULL, NULL,
			     NULL);
}

/* The fields whose events can change what a search finds: a new person
 * ("*"), the six a person's match record is made of (match/record.c) and
 * the merges (which leave a record out). Status, holder, notes and the
 * rest are read from the register when a hit is printed. A correction
 * ("correct:SEQ:FIELD") counts whatever its field. */
#define MATCH_FIELD_MAX(f)                                                     \
	"SELECT max(seq) AS s FROM events WHERE field = '" f "' UNION ALL "

/* The register's state, as far as searching it goes: the last event that
 * can change what a search finds (every change to a person is an event),
 * the audit entry that covers it (whose hash chains every event before it,
 * so that a register put back from a copy and changed otherwise differs)
 * and the highest person key. Each field's latest event is found through
 * the events_field index (migration 1300-serve-perf). */
int
cartel__search_stamp(struct cartel_db *db, char *out, size_t size,
		     char **why)
{
	sqlite3_stmt *st = NULL;
	int err = cartel__db_prep_cached(
		db,
		"SELECT (SELECT max(pk) FROM persons), e.seq, a.hash "
		"FROM (SELECT max(s) AS seq FROM ("
		MATCH_FIELD_MAX("*") MATCH_FIELD_MAX("family_name")
		MATCH_FIELD_MAX("given_name") MATCH_FIELD_MAX("patronymic")
		MATCH_FIELD_MAX("birth_date") MATCH_FIELD_MAX("birth_place")
		MATCH_FIELD_MAX("service_number") MATCH_FIELD_MAX("merged_from")
		MATCH_FIELD_MAX("merged_into") MATCH_FIELD_MAX("unmerged_from")
		/* Corrections ("correct:SEQ:FIELD"), whatever their field. */
		"SELECT max(seq) FROM events WHERE field >= 'correct:' AND "
		"field < 'correct;')) m "
		"LEFT JOIN events e ON e.seq = m.seq "
		"LEFT JOIN audit a ON a.seq = e.audit",
		&st, "reading the register's state", why);
	if (err != 0)
		return err;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *h = (const char *)sqlite3_column_text(st, 2);
		snprintf(out, size, "persons %lld events %lld audit %.64s",
			 (long long)sqlite3_column_int64(st, 0),
			 (long long)sqlite3_column_int64(st, 1),
			 h != NULL ? h : "-");
	} else {
		err = cartel__db_err(db, rc, "reading the register's state",
				     why);
	}
	cartel__db_done(db, st);
	return err;
}

int
cartel__search_count(struct cartel_db *db, size_t *n, char **why)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(cartel__db_sqlite(db),
				    "SELECT count(*) FROM persons WHERE "
				    CARTEL__NOT_MERGED("id"), -1, &st,
				    NULL);
	if (rc != SQLITE_OK)
		return cartel__db_err(db, rc, "counting persons", why);
	rc = sqlite3_step(st);
	int err = 0;
	if (rc == SQLITE_ROW)
		*n = (size_t)sqlite3_column_int64(st, 0);
	else
		err = cartel__db_err(db, rc, "counting persons", why);
	sqlite3_finalize(st);
	return err;
}

/* The day person `id`'s status was last changed by an event of its own
 * (not the one that made the record), into *out (malloc'd, or NULL). */
int
cartel__status_day(struct cartel_db *db, const char *id, char **out,
		   char **why)
{
	*out = NULL;
	sqlite3_stmt *st = NULL;
	int err = cartel__db_prep_cached(
		db,
		"SELECT substr(e.at, 1, 10) FROM events e "
		"JOIN persons p ON p.pk = e.person "
		"WHERE p.id = ?1 AND (e.field = 'status' OR "
		"e.field GLOB 'correct:*:status') "
		"ORDER BY e.seq DESC LIMIT 1",
		&st, "reading a status's date", why);
	if (err != 0)
		return err;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		if (t != NULL && (*out = cartel__strdup(t)) == NULL)
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	} else if (rc != SQLITE_DONE) {
		err = cartel__db_err(db, rc, "reading a status's date", why);
	}
	cartel__db_done(db, st);
	return err;
}

