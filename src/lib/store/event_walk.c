/*
 * Walking the events of the whole register with the time each was
 * recorded: what an incremental export (PFIF's entry_date, docs/pfif.md)
 * needs to say "changed since".
 *
 * An event's own `at` is the time its source gives, which may lie in the
 * past (a capture card dated last year, imported today). The time the
 * register recorded it is its audit entry's; a clock set back between two
 * entries would make that go backwards, so each event gets the latest
 * audit time up to and including its entry: a time that never decreases
 * along the chain.
 */
#include <stdlib.h>
#include <string.h>

#include <cartel/error.h>
#include <cartel/store.h>

#include "core/why.h"
#include "store/store_int.h"

int
cartel_db_events_each(struct cartel_db *db,
                      int (*fn)(void *ctx, const struct cartel_event *ev,
                                const char *recorded),
                      void *ctx, char **why)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(
	    cartel__db_sqlite(db),
	    "WITH clock(seq, t) AS (SELECT seq, max(at) OVER (ORDER BY seq "
	    "ROWS UNBOUNDED PRECEDING) FROM audit) "
	    "SELECT p.id, e.seq, e.field, e.old_value, e.new_value, "
	    "e.actor, e.at, e.source, e.source_ref, e.note, clock.t "
	    "FROM events e JOIN persons p ON p.pk = e.person "
	    "JOIN clock ON clock.seq = e.audit "
	    "WHERE " CARTEL__NOT_MERGED("p.id") " ORDER BY p.id, e.seq",
	    -1, &st, NULL);
	if (rc != SQLITE_OK)
		return cartel__db_err(db, rc, "reading events", why);
	int err = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct cartel_event e = {0};
		e.person_id = (const char *)sqlite3_column_text(st, 0);
		e.seq = sqlite3_column_int64(st, 1);
		e.field = (const char *)sqlite3_column_text(st, 2);
		e.old_value = (const char *)sqlite3_column_text(st, 3);
		e.new_value = (const char *)sqlite3_column_text(st, 4);
		e.prov.actor = (const char *)sqlite3_column_text(st, 5);
		e.prov.at = (const char *)sqlite3_column_text(st, 6);
		int src = 0;
		cartel_enum_parse(CARTEL_ENUM_SOURCE,
		                  (const char *)sqlite3_column_text(st, 7),
		                  &src, NULL);
		e.prov.source = (enum cartel_source)src;
		e.prov.source_ref = (const char *)sqlite3_column_text(st, 8);
		e.prov.note = (const char *)sqlite3_column_text(st, 9);
		const char *t = (const char *)sqlite3_column_text(st, 10);
		if ((err = fn(ctx, &e, t != NULL ? t : "")) != 0)
			break;
	}
	if (err == 0 && rc != SQLITE_DONE)
		err = cartel__db_err(db, rc, "reading events", why);
	sqlite3_finalize(st);
	return err;
}
