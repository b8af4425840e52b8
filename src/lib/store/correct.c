/*
 * Corrections: an event found to have been made in error (a man reported
 * dead found alive in captivity, a release entered against the wrong
 * person) is undone by a new event, never by changing or deleting the old
 * one.
 *
 * The correction is an ordinary event row whose field is
 * "correct:SEQ:FIELD": it sets FIELD back to the value event SEQ replaced.
 * Because the link lives in the field, it is covered by the event's hash
 * in the audit chain like every other column, the rebuild of a person from
 * its events applies it as it applies any change (cartel__person_apply),
 * and the schema needs nothing new. The wrong event is shown as corrected
 * by reading the corrections that name it (cartel_person_events).
 *
 * Only the newest word on a field is corrected: when a later event, not
 * itself corrected, changed the same field, the correction is refused and
 * names that event. So a correction always puts back exactly what the
 * wrong event replaced, and never silently undoes a later, right, change.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cartel/error.h>
#include <cartel/register.h>
#include <cartel/store.h>

#include "core/why.h"
#include "store/store_int.h"

/* The event being corrected, as stored. */
struct wrong {
	long long seq, person_pk;
	char *person_id, *field, *old_value, *new_value;
	int redacted;
};

static void
wrong_clear(struct wrong *w)
{
	free(w->person_id);
	free(w->field);
	free(w->old_value);
	free(w->new_value);
	memset(w, 0, sizeof *w);
}

static int
wrong_load(struct cartel_db *db, long long seq, struct wrong *w, char **why)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(
		cartel__db_sqlite(db),
		"SELECT e.person, p.id, e.field, e.old_value, e.new_value, "
		"EXISTS (SELECT 1 FROM event_redacted r WHERE r.seq = e.seq) "
		"FROM events e JOIN persons p ON p.pk = e.person "
		"WHERE e.seq = ?1",
		-1, &st, NULL);
	if (rc != SQLITE_OK)
		return cartel__db_err(db, rc, "reading an event", why);
	sqlite3_bind_int64(st, 1, seq);
	rc = sqlite3_step(st);
	int err = 0;
	if (rc == SQLITE_ROW) {
		w->seq = seq;
		w->person_pk = sqlite3_column_int64(st, 0);
		w->person_id = cartel__col_dup(st, 1);
		w->field = cartel__col_dup(st, 2);
		w->old_value = cartel__col_dup(st, 3);
		w->new_value = cartel__col_dup(st, 4);
		w->redacted = sqlite3_column_int(st, 5);
		if (w->person_id == NULL || w->field == NULL ||
		    (sqlite3_column_type(st, 3) != SQLITE_NULL &&
		     w->old_value == NULL) ||
		    (sqlite3_column_type(st, 4) != SQLITE_NULL &&
		     w->new_value == NULL))
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	} else if (rc == SQLITE_DONE) {
		err = cartel__why(why, CARTEL_ENOTFOUND,
				  "there is no event %lld in the register "
				  "('cartel person show ID' lists a person's "
				  "events with their numbers)",
				  seq);
	} else {
		err = cartel__db_err(db, rc, "reading an event", why);
	}
	sqlite3_finalize(st);
	return err;
}

/*
 * The later events of the same person that stand in the way: sets
 * *corrected_by to the correction of w (or 0) and *blocking to the first
 * later event that changed w's field and was not itself corrected (or 0).
 */
static int
later_events(struct cartel_db *db, const struct wrong *w, const char *base,
	     long long *corrected_by, long long *blocking, char **why)
{
	*corrected_by = 0;
	*blocking = 0;
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(cartel__db_sqlite(db),
				    "SELECT seq, field FROM events "
				    "WHERE person = ?1 AND seq > ?2 "
				    "ORDER BY seq",
				    -1, &st, NULL);
	if (rc != SQLITE_OK)
		return cartel__db_err(db, rc, "reading events", why);
	sqlite3_bind_int64(st, 1, w->person_pk);
	sqlite3_bind_int64(st, 2, w->seq);
	/* The later changes to the field, and the later corrections. */
	long long *changes = NULL, *fixed = NULL;
	size_t n_changes = 0, n_fixed = 0;
	int err = 0;
	while (err == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		long long seq = sqlite3_column_int64(st, 0);
		long long corrects = 0;
		const char *f = cartel__event_base_field(
			(const char *)sqlite3_column_text(st, 1), &corrects);
		long long **v = corrects ? &fixed : &changes;
		size_t *n = corrects ? &n_fixed : &n_changes;
		if (corrects == w->seq && *corrected_by == 0)
			*corrected_by = seq;
		if (corrects == 0 && (f == NULL || strcmp(f, base) != 0))
			continue;
		long long *g = realloc(*v, (*n + 1) * sizeof **v);
		if (g == NULL) {
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
			break;
		}
		*v = g;
		g[(*n)++] = corrects ? corrects : seq;
	}
	if (err == 0 && rc != SQLITE_DONE)
		err = cartel__db_err(db, rc, "reading events", why);
	sqlite3_finalize(st);
	for (size_t i = 0; err == 0 && i < n_changes && !*blocking; i++) {
		size_t k = 0;
		while (k < n_fixed && fixed[k] != changes[i])
			k++;
		if (k == n_fixed)
			*blocking = changes[i];
	}
	free(changes);
	free(fixed);
	return err;
}

/* Refuses what cannot be corrected, naming why; 0 when w may be. */
static int
correctable(struct cartel_db *db, const struct wrong *w, char **why)
{
	long long inner = 0;
	const char *base = cartel__event_base_field(w->field, &inner);
	if (strcmp(w->field, "*") == 0)
		return cartel__why(why, CARTEL_EINVAL,
				   "event %lld created person %s; a record "
				   "made in error is not undone by a "
				   "correction (correct its fields one by one "
				   "with 'cartel event add')",
				   w->seq, w->person_id);
	if (inner != 0)
		return cartel__why(why, CARTEL_EINVAL,
				   "event %lld is itself a correction (of "
				   "event %lld) and is not corrected in turn; "
				   "record the right value with 'cartel event "
				   "add'",
				   w->seq, inner);
	if (w->redacted)
		return cartel__why(why, CARTEL_ESTATE,
				   "event %lld was erased by a retention "
				   "purge; there is no value to restore",
				   w->seq);
	long long corrected_by, blocking;
	int err = later_events(db, w, base, &corrected_by, &blocking, why);
	if (err != 0)
		return err;
	if (corrected_by != 0)
		return cartel__why(why, CARTEL_EEXIST,
				   "event %lld was already corrected by event "
				   "%lld",
				   w->seq, corrected_by);
	if (blocking != 0)
		return cartel__why(why, CARTEL_ESTATE,
				   "event %lld changed %s of person %s again "
				   "after event %lld; correct event %lld first "
				   "(newest first), or record the right value "
				   "with 'cartel event add'",
				   blocking, base, w->person_id, w->seq,
				   blocking);
	return 0;
}

/* Sets base field of *p back to w's old value; *cur and *restored (in
 * bufs or p) are the field's text before and after. */
static int
restore(struct cartel_db *db, struct cartel_person *p, const struct wrong *w,
	const char *base,
	const char **cur, const char **restored,
	char bufs[2][CARTEL_FIELD_TEXT_MAX], char **held, char **why)
{
	const char *old = w->old_value != NULL ? w->old_value : "";
	const char *was = w->new_value != NULL ? w->new_value : "";
	if (strncmp(base, "attr:", 5) == 0) {
		const char *key = base + 5;
		const char *now = cartel_person_attr(p, key);
		if (strcmp(now != NULL ? now : "", was) != 0)
			return cartel__why(why, CARTEL_ESTATE,
					   "%s of person %s no longer holds "
					   "what event %lld recorded",
					   base, w->person_id, w->seq);
		/* An attribute put back counts against the register's cap
		 * on attribute names, as a new one does. */
		int err;
		if (old[0] != '\0' && now == NULL &&
		    (err = cartel__attr_room(db, (char *const *)&key, 1,
					     why)) != 0)
			return err;
		*held = cartel__strdup(now != NULL ? now : "");
		if (*held == NULL ||
		    cartel_person_set_attr(p, key, old) != 0)
			return cartel__why(why, CARTEL_ENOMEM, "out of memory");
		*cur = *held;
		*restored = old;
		return 0;
	}
	const struct cartel_field *f = cartel_field_find(base);
	if (f == NULL)
		return cartel__why(why, CARTEL_EINVAL,
				   "event %lld changes '%.40s', which is not "
				   "a field",
				   w->seq, base);
	const char *now = cartel_person_field_text(p, f, bufs[0],
						   CARTEL_FIELD_TEXT_MAX);
	if (strcmp(now, was) != 0)
		return cartel__why(why, CARTEL_ESTATE,
				   "%s of person %s no longer holds what event "
				   "%lld recorded",
				   base, w->person_id, w->seq);
	/* Text fields point into p, which the restore replaces. */
	*held = cartel__strdup(now);
	if (*held == NULL)
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	*cur = *held;
	int err = cartel_person_set_field(p, f, old, why);
	if (err != 0)
		return err;
	*restored = cartel_person_field_text(p, f, bufs[1],
					     CARTEL_FIELD_TEXT_MAX);
	return 0;
}

int
cartel_event_correct(struct cartel_db *db, long long seq, const char *reason,
		     const struct cartel_provenance *prov, long long *out_seq,
		     char **why)
{
	if (prov == NULL || prov->actor == NULL || prov->actor[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL,
				   "a correction needs an actor (who records "
				   "it)");
	if (reason == NULL || reason[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL,
				   "a correction needs a reason (why the event "
				   "was wrong)");
	if (seq <= 0)
		return cartel__why(why, CARTEL_EINVAL,
				   "an event number is a positive integer");
	int own;
	int err = cartel__db_write_begin(db, &own, why);
	if (err != 0)
		return err;
	struct wrong w = {0};
	struct cartel_person p = {0};
	char bufs[2][CARTEL_FIELD_TEXT_MAX];
	char *held = NULL, *field = NULL, *detail = NULL;
	const char *cur = NULL, *restored = NULL, *base = NULL;
	long long audit = 0;
	err = wrong_load(db, seq, &w, why);
	if (err == 0)
		err = correctable(db, &w, why);
	if (err == 0) {
		base = cartel__event_base_field(w.field, NULL);
		err = cartel_person_get(db, w.person_id, &p, why);
	}
	if (err == 0)
		err = restore(db, &p, &w, base, &cur, &restored, bufs, &held,
			      why);
	if (err == 0) {
		struct cartel_date today = cartel_date_today();
		const char *bad;
		p.source = prov->source;
		err = cartel_person_check(&p, &today, &bad, why);
	}
	if (err == 0)
		err = cartel__person_store(
			db, w.person_pk, &p,
			strncmp(base, "attr:", 5) == 0 ? base + 5 : NULL,
			restored, why);
	if (err == 0)
		err = cartel__audit_next(db, &audit, why);
	if (err == 0) {
		field = cartel__asprintf(CARTEL__CORRECT_PREFIX "%lld:%s", seq,
					 base);
		detail = cartel__asprintf("corrects event %lld, field %s", seq,
					  base);
		if (field == NULL || detail == NULL)
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	}
	crypto_hash_sha256_state hs;
	crypto_hash_sha256_init(&hs);
	struct cartel_provenance pv = *prov;
	pv.note = reason;
	char now[32];
	const char *at = pv.at ? pv.at : cartel__now(now, sizeof now);
	if (err == 0)
		err = cartel__event_insert(db, w.person_pk, w.person_id, field,
					   cur, restored, &pv, at, audit, &hs,
					   NULL, out_seq, why);
	if (err == 0)
		err = cartel__audit_close(db, audit, prov->actor,
					  "event.correct", w.person_id, detail,
					  1, &hs, why);
	free(held);
	free(field);
	free(detail);
	cartel_person_clear(&p);
	wrong_clear(&w);
	return cartel__db_write_end(db, own, err, why);
}

long long
cartel_event_corrects(const struct cartel_event *ev, const char **field)
{
	long long seq = 0;
	const char *f = cartel__event_base_field(ev->field, &seq);
	if (field != NULL)
		*field = f;
	return seq;
}

long long
cartel_event_corrected_by(const struct cartel_event *ev, size_t n,
			  long long seq)
{
	for (size_t i = 0; i < n; i++)
		if (ev[i].seq > seq &&
		    cartel_event_corrects(&ev[i], NULL) == seq)
			return ev[i].seq;
	return 0;
}
