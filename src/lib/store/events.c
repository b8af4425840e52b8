/*
 * Events: the appended changes from which a person's current state is
 * derived, and the writes that keep the persons table (the derived state)
 * in step with them.
 *
 * A person is created by one event with field "*", whose new value is the
 * whole person as a record (register/record.h: every field's text form
 * and the extra attributes); each later change is one event naming one field.
 * Applying a person's events in order to an empty person gives the current
 * state; cartel_audit_verify checks that it does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cartel/date.h>
#include <cartel/error.h>
#include <cartel/register.h>
#include <cartel/store.h>

#include "core/why.h"
#include "register/record.h"
#include "store/store_cols.h"
#include "store/store_int.h"

#define ATTR_PREFIX "attr:"
#define ATTR_PREFIX_LEN 5

int
cartel__event_insert(struct cartel_db *db, long long person_pk,
		     const char *person_id, const char *field,
		     const char *old_value, const char *new_value,
		     const struct cartel_provenance *prov, const char *at,
		     long long audit, crypto_hash_sha256_state *hs,
		     const unsigned char *digest, long long *seq_out,
		     char **why)
{
	sqlite3_stmt *st = cartel__db_stmt(
		db, CARTEL__ST_EVENT_INSERT,
		"INSERT INTO events (person, field, old_value, new_value, "
		"actor, at, source, source_ref, note, audit) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
		why);
	if (st == NULL)
		return CARTEL_EDB;
	const char *source =
		cartel_enum_name(CARTEL_ENUM_SOURCE, (int)prov->source);
	sqlite3_bind_int64(st, 1, person_pk);
	sqlite3_bind_text(st, 2, field, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, old_value, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, new_value, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, prov->actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, prov->source_ref, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, prov->note, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, audit);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return cartel__db_err(db, rc, "writing an event", why);
	long long seq = sqlite3_last_insert_rowid(cartel__db_sqlite(db));
	/* A family waiting on news of this person hears of the change: the
	 * creation of a person concerns no inquiry yet, so an import pays
	 * nothing for it. */
	if (strcmp(field, "*") != 0) {
		int err = cartel__inquiry_watch(db, person_id, field,
						prov->source_ref, seq, why);
		if (err != 0)
			return err;
	}
	if (hs != NULL) {
		struct cartel__event_row row = {
			seq,        person_id, field,
			old_value,  new_value, prov->actor,
			at,         source,    prov->source_ref,
			prov->note, audit};
		if (digest != NULL)
			cartel__event_hash_digest(hs, seq, audit, digest);
		else
			cartel__event_hash(hs, &row);
	}
	if (seq_out != NULL)
		*seq_out = seq;
	return 0;
}

const char *
cartel__event_base_field(const char *field, long long *corrects)
{
	if (corrects != NULL)
		*corrects = 0;
	if (field == NULL ||
	    strncmp(field, CARTEL__CORRECT_PREFIX,
		    CARTEL__CORRECT_PREFIX_LEN) != 0)
		return field;
	const char *s = field + CARTEL__CORRECT_PREFIX_LEN;
	long long n = 0;
	const char *d = s;
	while (*d >= '0' && *d <= '9' && n < (1LL << 50))
		n = n * 10 + (*d++ - '0');
	if (d == s || *d != ':' || d[1] == '\0')
		return field; /* not a correction's shape: applied as is */
	if (corrects != NULL)
		*corrects = n;
	return d + 1;
}

int
cartel__person_apply(struct cartel_person *p, const char *field,
		     const char *value, char **why)
{
	if (field == NULL)
		return cartel__why(why, CARTEL_EINVAL, "event without field");
	if (cartel__event_is_note(field))
		return 0; /* a merge's record: no field changes */
	/* A correction sets the field of the event it corrects. */
	field = cartel__event_base_field(field, NULL);
	if (strncmp(field, ATTR_PREFIX, ATTR_PREFIX_LEN) == 0) {
		if (field[ATTR_PREFIX_LEN] == '\0')
			return cartel__why(why, CARTEL_EINVAL,
					   "attribute without a name");
		int err = cartel_person_set_attr(p, field + ATTR_PREFIX_LEN,
						 value);
		return err ? cartel__why(why, err, "out of memory") : 0;
	}
	const struct cartel_field *f = cartel_field_find(field);
	if (f == NULL)
		return cartel__why(why, CARTEL_EINVAL, "unknown field '%.40s'",
				   field);
	return cartel_person_set_field(p, f, value, why);
}

int
cartel__person_apply_created(struct cartel_person *p, const char *rec,
			     char **why)
{
	return cartel__record_decode(p, rec, why);
}

/* Binds the 31 field columns of *p as ?1..?31; bufs holds the text forms
 * of dates and enums until the statement has run. */
static void
bind_person(sqlite3_stmt *st, const struct cartel_person *p,
	    char bufs[][CARTEL_FIELD_TEXT_MAX])
{
	size_t n;
	const struct cartel_field *f = cartel_fields(&n);
	for (size_t i = 0; i < n; i++) {
		const char *t = cartel_person_field_text(p, &f[i], bufs[i],
							 CARTEL_FIELD_TEXT_MAX);
		if (t[0] == '\0')
			sqlite3_bind_null(st, (int)i + 1);
		else
			sqlite3_bind_text(st, (int)i + 1, t, -1, SQLITE_STATIC);
	}
}

static int
attr_set(struct cartel_db *db, long long pk, const char *key, const char *value,
	 char **why)
{
	sqlite3_stmt *st;
	if (value == NULL || value[0] == '\0') {
		st = cartel__db_stmt(db, CARTEL__ST_ATTR_DEL,
				     "DELETE FROM person_attrs "
				     "WHERE person = ?1 AND key = ?2",
				     why);
		if (st == NULL)
			return CARTEL_EDB;
		sqlite3_bind_int64(st, 1, pk);
		sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	} else {
		st = cartel__db_stmt(db, CARTEL__ST_ATTR_SET,
				     "INSERT INTO person_attrs (person, key, "
				     "value) VALUES (?1, ?2, ?3) "
				     "ON CONFLICT (person, key) DO UPDATE "
				     "SET value = excluded.value",
				     why);
		if (st == NULL)
			return CARTEL_EDB;
		sqlite3_bind_int64(st, 1, pk);
		sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, value, -1, SQLITE_STATIC);
	}
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return cartel__db_err(db, rc, "writing an attribute", why);
	return 0;
}

int
cartel__person_insert(struct cartel_db *db, const struct cartel_person *p,
		      const char *const *texts, const char *rec,
		      const unsigned char *digest,
		      const struct cartel_provenance *prov, const char *at,
		      long long audit, crypto_hash_sha256_state *hs,
		      long long *pk, char **why)
{
	if (p->id == NULL || p->id[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL, "a person needs an id");
	sqlite3_stmt *st = cartel__db_stmt(
		db, CARTEL__ST_PERSON_INSERT,
		"INSERT INTO persons (" CARTEL__PERSON_COLS ", pk) VALUES "
		"(" CARTEL__PERSON_PARAMS ", ?32)",
		why);
	if (st == NULL)
		return CARTEL_EDB;
	char bufs[CARTEL__PERSON_NCOLS][CARTEL_FIELD_TEXT_MAX];
	if (texts != NULL) {
		for (int i = 0; i < CARTEL__PERSON_NCOLS; i++) {
			if (texts[i][0] == '\0')
				sqlite3_bind_null(st, i + 1);
			else
				sqlite3_bind_text(st, i + 1, texts[i], -1,
						  SQLITE_STATIC);
		}
	} else {
		bind_person(st, p, bufs);
	}
	if (*pk > 0)
		sqlite3_bind_int64(st, 32, *pk);
	else
		sqlite3_bind_null(st, 32);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_CONSTRAINT_UNIQUE)
		return cartel__why(why, CARTEL_EEXIST,
				   "id %.*s is already in the register",
				   cartel__utf8_cut(p->id, 64), p->id);
	if (rc != SQLITE_DONE)
		return cartel__db_err(db, rc, "writing a person", why);
	*pk = sqlite3_last_insert_rowid(cartel__db_sqlite(db));
	for (size_t i = 0; i < p->n_extra; i++) {
		int err = attr_set(db, *pk, p->extra[i].key, p->extra[i].value,
				   why);
		if (err != 0)
			return err;
	}
	if (rec == NULL) {
		struct cartel__buf *buf = cartel__db_buf(db);
		if (cartel__record_encode(p, buf) != 0)
			return cartel__why(why, CARTEL_ENOMEM, "out of memory");
		rec = buf->data;
	}
	return cartel__event_insert(db, *pk, p->id, "*", NULL, rec, prov, at,
				    audit, hs, digest, NULL, why);
}

static int
next_pk(struct cartel_db *db, long long *pk, char **why)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(cartel__db_sqlite(db),
				    "SELECT coalesce(max(pk), 0) + 1 "
				    "FROM persons",
				    -1, &st, NULL);
	if (rc != SQLITE_OK)
		return cartel__db_err(db, rc, "reading persons", why);
	rc = sqlite3_step(st);
	*pk = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW
		       ? 0
		       : cartel__db_err(db, rc, "reading persons", why);
}

int
cartel_person_add(struct cartel_db *db, const struct cartel_person *p,
		  const struct cartel_provenance *prov, char **out_id,
		  char **why)
{
	if (prov == NULL || prov->actor == NULL || prov->actor[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL,
				   "a change needs an actor (who records it)");
	struct cartel_date today = cartel_date_today();
	const char *field;
	int err = cartel_person_check(p, &today, &field, why);
	if (err != 0)
		return err;
	if (p->held_by != NULL && p->held_by[0] != '\0' &&
	    (err = cartel_party_known(db, p->held_by, why)) != 0)
		return cartel__why(why, err, "held_by: %s",
				   why != NULL && *why != NULL ? *why : "");
	if (p->depends_on != NULL && p->depends_on[0] != '\0' &&
	    (err = cartel_party_known(db, p->depends_on, why)) != 0)
		return cartel__why(why, err, "depends_on: %s",
				   why != NULL && *why != NULL ? *why : "");
	/* Extra attributes by the import's rule, as event add holds them. */
	for (size_t i = 0; i < p->n_extra; i++)
		if ((err = cartel_attr_name_check(p->extra[i].key, why)) != 0)
			return err;
	if (p->n_extra > 0) {
		char **keys = malloc(p->n_extra * sizeof *keys);
		if (keys == NULL)
			return cartel__why(why, CARTEL_ENOMEM, "out of memory");
		for (size_t i = 0; i < p->n_extra; i++)
			keys[i] = p->extra[i].key;
		err = cartel__attr_room(db, keys, p->n_extra, why);
		free(keys);
		if (err != 0)
			return err;
	}
	struct cartel_person q;
	err = cartel_person_copy(&q, p);
	if (err != 0)
		return cartel__why(why, err, "out of memory");
	q.source = prov->source;
	int own;
	err = cartel__db_write_begin(db, &own, why);
	if (err != 0) {
		cartel_person_clear(&q);
		return err;
	}
	char now[32];
	const char *at = prov->at ? prov->at : cartel__now(now, sizeof now);
	long long audit = 0, pk = 0;
	int auto_id = q.id == NULL || q.id[0] == '\0';
	err = cartel__audit_next(db, &audit, why);
	if (err == 0 && auto_id)
		err = next_pk(db, &pk, why);
	crypto_hash_sha256_state hs;
	crypto_hash_sha256_init(&hs);
	for (int tries = 0; err == 0; tries++) {
		if (auto_id) {
			free(q.id);
			q.id = cartel__asprintf("P%07lld", pk);
			if (q.id == NULL) {
				err = cartel__why(why, CARTEL_ENOMEM,
						  "out of memory");
				break;
			}
		}
		long long use = pk;
		err = cartel__person_insert(db, &q, NULL, NULL, NULL, prov, at,
					    audit, &hs, &use, why);
		/* An assigned id may clash with one given earlier by hand:
		 * take the next. */
		if (err == CARTEL_EEXIST && auto_id && tries < 1000) {
			pk++;
			err = 0;
			continue;
		}
		break;
	}
	if (err == 0)
		err = cartel__audit_close(db, audit, prov->actor, "person add",
					  q.id, "created", 1, &hs, why);
	err = cartel__db_write_end(db, own, err, why);
	if (err == 0 && out_id != NULL) {
		*out_id = q.id;
		q.id = NULL;
	}
	cartel_person_clear(&q);
	return err;
}

static int
person_pk(struct cartel_db *db, const char *id, long long *pk, char **why)
{
	sqlite3_stmt *st =
		cartel__db_stmt(db, CARTEL__ST_PERSON_PK,
				"SELECT pk FROM persons WHERE id = ?1", why);
	if (st == NULL)
		return CARTEL_EDB;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*pk = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return cartel__why(why, CARTEL_ENOTFOUND,
				   "no person with id %.*s",
				   cartel__utf8_cut(id, 64), id);
	return cartel__db_err(db, rc, "reading persons", why);
}

static int
update_person(struct cartel_db *db, long long pk, const struct cartel_person *p,
	      char **why)
{
	sqlite3_stmt *st = cartel__db_stmt(
		db, CARTEL__ST_PERSON_UPDATE,
		"UPDATE persons SET (" CARTEL__PERSON_COLS
		") = (" CARTEL__PERSON_PARAMS ") WHERE pk = ?32",
		why);
	if (st == NULL)
		return CARTEL_EDB;
	char bufs[CARTEL__PERSON_NCOLS][CARTEL_FIELD_TEXT_MAX];
	bind_person(st, p, bufs);
	sqlite3_bind_int64(st, 32, pk);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return cartel__db_err(db, rc, "updating a person", why);
	return 0;
}

/* The event's change applied to *p, checked; sets *old and *canon (the
 * canonical text of the new value, in buf or p). */
static int
check_change(struct cartel_db *db, struct cartel_person *p,
	     const struct cartel_event *ev, char **old,
	     const char **canon, char *buf, char **why)
{
	const char *field = ev->field;
	const char *value = ev->new_value != NULL ? ev->new_value : "";
	if (strncmp(field, ATTR_PREFIX, ATTR_PREFIX_LEN) == 0) {
		const char *key = field + ATTR_PREFIX_LEN;
		/* The import's rule, so that the export of what this
		 * event makes imports back. */
		int err = cartel_attr_name_check(key, why);
		if (err != 0)
			return err;
		if (value[0] != '\0' && cartel_person_attr(p, key) == NULL &&
		    (err = cartel__attr_room(db, (char *const *)&key, 1,
					     why)) != 0)
			return err;
		*old = cartel__strdup(cartel_person_attr(p, key));
		if (cartel_person_set_attr(p, key, value) != 0)
			return cartel__why(why, CARTEL_ENOMEM, "out of memory");
		*canon = value;
		return 0;
	}
	const struct cartel_field *f = cartel_field_find(field);
	if (f == NULL)
		return cartel__why(why, CARTEL_EINVAL,
				   "unknown field '%.40s' (see 'cartel help "
				   "event')",
				   field);
	if (strcmp(f->name, "id") == 0)
		return cartel__why(why, CARTEL_EINVAL,
				   "a person's id cannot change");
	if (strcmp(f->name, "source") == 0)
		return cartel__why(why, CARTEL_EINVAL,
				   "source is set by each event's own source, "
				   "not changed directly");
	char obuf[CARTEL_FIELD_TEXT_MAX];
	*old = strdup(cartel_person_field_text(p, f, obuf, sizeof obuf));
	if (*old == NULL)
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	int prev_status = (int)p->status;
	int err = cartel_person_set_field(p, f, value, why);
	if (err != 0)
		return err;
	if (f->type == CARTEL_FIELD_ENUM && f->kind == CARTEL_ENUM_STATUS &&
	    (int)p->status != prev_status &&
	    !cartel_status_can_move((enum cartel_status)prev_status, p->status))
		return cartel__why(
			why, CARTEL_ESTATE,
			"person %.*s: status cannot move from %s to %s",
			cartel__utf8_cut(p->id, 64), p->id,
			cartel_enum_name(CARTEL_ENUM_STATUS, prev_status),
			cartel_enum_name(CARTEL_ENUM_STATUS, (int)p->status));
	struct cartel_date today = cartel_date_today();
	const char *bad;
	err = cartel_person_check(p, &today, &bad, why);
	if (err != 0)
		return err;
	/* A new held_by or depends_on names a party the register knows;
	 * one already recorded is left as it is. */
	if ((strcmp(f->name, "held_by") == 0 ||
	     strcmp(f->name, "depends_on") == 0) &&
	    value[0] != '\0' && (err = cartel_party_known(db, value, why)) != 0)
		return cartel__why(why, err, "%s: %s", f->name,
				   why != NULL && *why != NULL ? *why : "");
	const char *t =
		cartel_person_field_text(p, f, buf, CARTEL_FIELD_TEXT_MAX);
	*canon = t;
	return 0;
}

int
cartel_event_add(struct cartel_db *db, const struct cartel_event *ev,
		 char **why)
{
	return cartel_event_record(db, ev, NULL, why);
}

/* 1 when at is a UTC time as events record them, YYYY-MM-DDTHH:MM:SSZ,
 * or a day, YYYY-MM-DD, with each part in its range and a day the month
 * has (no 30 February). */
static int
at_valid(const char *at)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	size_t n = strlen(at);
	if (n != 10 && n != 20)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (shape[i] == 'd' ? (at[i] < '0' || at[i] > '9')
				    : at[i] != shape[i])
			return 0;
	int year = (at[0] - '0') * 1000 + (at[1] - '0') * 100 +
		   (at[2] - '0') * 10 + (at[3] - '0');
	int mon = (at[5] - '0') * 10 + (at[6] - '0');
	int day = (at[8] - '0') * 10 + (at[9] - '0');
	if (mon < 1 || mon > 12 || day < 1 ||
	    day > cartel_days_in_month(year, mon))
		return 0;
	if (n == 20) {
		int h = (at[11] - '0') * 10 + (at[12] - '0');
		int mi = (at[14] - '0') * 10 + (at[15] - '0');
		int se = (at[17] - '0') * 10 + (at[18] - '0');
		if (h > 23 || mi > 59 || se > 60)
			return 0;
	}
	return 1;
}

int
cartel__event_apply(struct cartel_db *db, const struct cartel_event *ev,
		    long long audit, crypto_hash_sha256_state *hs,
		    char **pid_out, long long *seq_out, char **why)
{
	if (ev->person_id == NULL || ev->person_id[0] == '\0' ||
	    ev->field == NULL || ev->field[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL,
				   "an event needs a person id and a field");
	if (ev->prov.actor == NULL || ev->prov.actor[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL,
				   "an event needs an actor (who records it)");
	if (ev->prov.at != NULL && !at_valid(ev->prov.at))
		return cartel__why(why, CARTEL_EINVAL,
				   "at: is not a UTC time of the form "
				   "YYYY-MM-DDTHH:MM:SSZ (or a day, "
				   "YYYY-MM-DD)");
	struct cartel_person p;
	long long pk = 0;
	char *old = NULL;
	const char *canon = NULL;
	char buf[CARTEL_FIELD_TEXT_MAX];
	/* An event on a record merged into another is one on that other. */
	char *keep = NULL;
	int err = cartel__person_resolve(db, ev->person_id, &keep, why);
	const char *pid = keep != NULL ? keep : ev->person_id;
	if (err == 0)
		err = person_pk(db, pid, &pk, why);
	if (err == 0)
		err = cartel_person_get(db, pid, &p, why);
	else
		memset(&p, 0, sizeof p);
	/* Every check is made before the first write, so that a refused
	 * event leaves nothing behind even inside a caller's transaction. */
	if (err == 0)
		err = check_change(db, &p, ev, &old, &canon, buf, why);
	if (err == 0) {
		p.source = ev->prov.source;
		if (strncmp(ev->field, ATTR_PREFIX, ATTR_PREFIX_LEN) == 0)
			err = attr_set(db, pk, ev->field + ATTR_PREFIX_LEN,
				       canon, why);
		if (err == 0)
			err = update_person(db, pk, &p, why);
	}
	char now[32];
	const char *at =
		ev->prov.at ? ev->prov.at : cartel__now(now, sizeof now);
	if (err == 0)
		err = cartel__event_insert(db, pk, pid, ev->field, old, canon,
					   &ev->prov, at, audit, hs, NULL,
					   seq_out, why);
	if (err == 0 && pid_out != NULL) {
		*pid_out = keep != NULL ? keep : cartel__strdup(pid);
		keep = NULL;
		if (*pid_out == NULL)
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	}
	free(old);
	free(keep);
	cartel_person_clear(&p);
	return err;
}

int
cartel_event_record(struct cartel_db *db, const struct cartel_event *ev,
		    long long *seq_out, char **why)
{
	int own;
	int err = cartel__db_write_begin(db, &own, why);
	if (err != 0)
		return err;
	long long audit = 0;
	char *pid = NULL;
	err = cartel__audit_next(db, &audit, why);
	crypto_hash_sha256_state hs;
	crypto_hash_sha256_init(&hs);
	if (err == 0)
		err = cartel__event_apply(db, ev, audit, &hs, &pid, seq_out,
					  why);
	if (err == 0) {
		char *detail = cartel__asprintf("field %s", ev->field);
		err = cartel__audit_close(db, audit, ev->prov.actor, "event",
					  pid, detail, 1, &hs, why);
		free(detail);
	}
	free(pid);
	return cartel__db_write_end(db, own, err, why);
}

int
cartel_person_events(struct cartel_db *db, const char *id,
		     struct cartel_event **out, size_t *n_out, char **why)
{
	*out = NULL;
	*n_out = 0;
	long long pk;
	int err = person_pk(db, id, &pk, why);
	if (err != 0)
		return err;
	sqlite3_stmt *st;
	int rc =
		sqlite3_prepare_v2(cartel__db_sqlite(db),
				   "SELECT seq, field, old_value, new_value, "
				   "actor, at, source, source_ref, note "
				   "FROM events WHERE person = ?1 ORDER BY seq",
				   -1, &st, NULL);
	if (rc != SQLITE_OK)
		return cartel__db_err(db, rc, "reading events", why);
	sqlite3_bind_int64(st, 1, pk);
	struct cartel_event *ev = NULL;
	size_t n = 0, cap = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct cartel_event *g =
				realloc(ev, ncap * sizeof(*ev));
			if (g == NULL) {
				err = CARTEL_ENOMEM;
				break;
			}
			ev = g;
			cap = ncap;
		}
		struct cartel_event *e = &ev[n++];
		memset(e, 0, sizeof(*e));
		e->seq = sqlite3_column_int64(st, 0);
		e->person_id = cartel__strdup(id);
		e->field = cartel__strdup(
			(const char *)sqlite3_column_text(st, 1));
		e->old_value = cartel__strdup(
			(const char *)sqlite3_column_text(st, 2));
		e->new_value = cartel__strdup(
			(const char *)sqlite3_column_text(st, 3));
		e->prov.actor = cartel__strdup(
			(const char *)sqlite3_column_text(st, 4));
		e->prov.at = cartel__strdup(
			(const char *)sqlite3_column_text(st, 5));
		int src = 0;
		cartel_enum_parse(CARTEL_ENUM_SOURCE,
				  (const char *)sqlite3_column_text(st, 6),
				  &src, NULL);
		e->prov.source = (enum cartel_source)src;
		e->prov.source_ref = cartel__strdup(
			(const char *)sqlite3_column_text(st, 7));
		e->prov.note = cartel__strdup(
			(const char *)sqlite3_column_text(st, 8));
	}
	if (err == 0 && rc != SQLITE_DONE)
		err = cartel__db_err(db, rc, "reading events", why);
	else if (err != 0)
		cartel__why(why, err, "out of memory");
	sqlite3_finalize(st);
	if (err != 0) {
		cartel_events_free(ev, n);
		return err;
	}
	*out = ev;
	*n_out = n;
	return 0;
}

void
cartel_events_free(struct cartel_event *ev, size_t n)
{
	if (ev == NULL)
		return;
	/* The strings were allocated by cartel_person_events; the struct
	 * holds them as const only so that callers can fill one in from
	 * their own strings for cartel_event_add. */
	for (size_t i = 0; i < n; i++) {
		free((char *)ev[i].person_id);
		free((char *)ev[i].field);
		free((char *)ev[i].old_value);
		free((char *)ev[i].new_value);
		free((char *)ev[i].prov.actor);
		free((char *)ev[i].prov.at);
		free((char *)ev[i].prov.source_ref);
		free((char *)ev[i].prov.note);
	}
	free(ev);
}

int
cartel_db_rebuild_state(struct cartel_db *db, const char *actor, char **why)
{
	if (actor == NULL || actor[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL,
				   "rebuild needs an actor");
	int own;
	int err = cartel__db_write_begin(db, &own, why);
	if (err != 0)
		return err;
	sqlite3 *sql = cartel__db_sqlite(db);
	sqlite3_stmt *ev = NULL;
	int rc = sqlite3_prepare_v2(sql,
				    "SELECT person, field, new_value, source "
				    "FROM events ORDER BY person, seq",
				    -1, &ev, NULL);
	if (rc != SQLITE_OK)
		err = cartel__db_err(db, rc, "reading events", why);
	if (err == 0) {
		rc = sqlite3_exec(sql, "DELETE FROM person_attrs", NULL, NULL,
				  NULL);
		if (rc != SQLITE_OK)
			err = cartel__db_err(db, rc, "clearing attributes",
					     why);
	}
	long long n_persons = 0;
	rc = err == 0 ? sqlite3_step(ev) : SQLITE_DONE;
	while (err == 0 && rc == SQLITE_ROW) {
		long long pk = sqlite3_column_int64(ev, 0);
		struct cartel_person p = {0};
		while (err == 0 && rc == SQLITE_ROW &&
		       sqlite3_column_int64(ev, 0) == pk) {
			const char *field =
				(const char *)sqlite3_column_text(ev, 1);
			const char *value =
				(const char *)sqlite3_column_text(ev, 2);
			if (field != NULL && strcmp(field, "*") == 0)
				err = cartel__person_apply_created(&p, value,
								   why);
			else
				err = cartel__person_apply(&p, field, value,
							   why);
			if (err == 0 && field != NULL && strcmp(field, "*"))
				err = cartel__person_apply(
					&p, "source",
					(const char *)sqlite3_column_text(ev,
									  3),
					why);
			rc = sqlite3_step(ev);
		}
		if (err == 0)
			err = update_person(db, pk, &p, why);
		for (size_t i = 0; err == 0 && i < p.n_extra; i++)
			err = attr_set(db, pk, p.extra[i].key, p.extra[i].value,
				       why);
		cartel_person_clear(&p);
		n_persons++;
	}
	if (err == 0 && rc != SQLITE_DONE)
		err = cartel__db_err(db, rc, "reading events", why);
	sqlite3_finalize(ev);
	if (err == 0) {
		long long audit;
		err = cartel__audit_next(db, &audit, why);
		char *detail = cartel__asprintf("%lld persons rebuilt from "
						"their events",
						n_persons);
		if (err == 0)
			err = cartel__audit_close(db, audit, actor, "rebuild",
						  NULL, detail, 0, NULL, why);
		free(detail);
	}
	return cartel__db_write_end(db, own, err, why);
}

/* For the corrections (correct.c): the persons table key of id, and the
 * writes that keep the stored state in step with a changed person. */
int
cartel__person_pk(struct cartel_db *db, const char *id, long long *pk,
		  char **why)
{
	return person_pk(db, id, pk, why);
}

int
cartel__person_store(struct cartel_db *db, long long pk,
		     const struct cartel_person *p, const char *attr_key,
		     const char *attr_value, char **why)
{
	int err = 0;
	if (attr_key != NULL)
		err = attr_set(db, pk, attr_key, attr_value, why);
	return err ? err : update_person(db, pk, p, why);
}
