/*
 * `cartel import csv --update`: a corrected list applied to the persons it
 * names (docs/import.md).
 *
 * Each row names a person by its id. Every non-empty cell whose value (in
 * its stored spelling) differs from the person's current one becomes an
 * event, by the one rule of `event add` (store/events.c: the value's
 * shape, the lifecycle, the cross-field checks); an empty or unchanged
 * cell changes nothing, so a file applied twice changes nothing the second
 * time. A row goes whole or not at all (a savepoint per row), with one
 * audit entry for its events; the whole file is one transaction, with the
 * import's reject report and all-or-nothing option. An id not in the
 * register is rejected, or with add_new imported as a new person.
 */
#include <stdlib.h>
#include <string.h>

#include <cartel/csv.h>
#include <cartel/error.h>
#include <cartel/register.h>
#include <cartel/store.h>

#include "core/why.h"
#include "io/import_int.h"
#include "io/lists.h"
#include "register/record.h"
#include "store/import_rows.h"

/* A failure of the database or of memory ends the whole file; any other
 * error is a bad row. */
static int
fatal(int err)
{
	return err == CARTEL_ENOMEM || err == CARTEL_EDB || err == CARTEL_EIO ||
	       err == CARTEL_EBUSY || err == CARTEL_EFULL ||
	       err == CARTEL_EREADONLY;
}

struct upd {
	struct cartel_db *db;
	const char *name;
	const struct cartel_import_opts *opts;
	const struct column *cols;
	size_t n_cols;
	size_t id_col, source_col; /* index + 1, or 0 */
	struct cartel_date today;
	struct cartel__buf arena;
};

/* Adds a row whose id is new (add_new), as the import would. Returns 0,
 * an error with *column and *why for a bad row, or a fatal error. */
static int
add_row(struct upd *u, char **fields, const char **column, char **why)
{
	struct cartel_person p;
	memset(&p, 0, sizeof p);
	int err = cartel__import_build(&p, fields, u->cols, u->n_cols, u->opts,
	                               &u->today, &u->arena, column, why);
	if (err == 0) {
		struct cartel_provenance prov = {u->opts->actor, p.source,
		                                 u->name, NULL, NULL};
		*column = "id";
		err = cartel_person_add(u->db, &p, &prov, NULL, why);
	}
	cartel__import_unborrow(&p, &u->arena);
	cartel_person_clear(&p);
	return err;
}

/* Applies one row to the person it names; sets *n_events. Returns 0, an
 * error with *column and *why for a bad row, or a fatal error. */
static int
update_row(struct upd *u, char **fields, size_t row,
           const struct cartel_person *cur, const char *pid, size_t *n_events,
           const char **column, char **why)
{
	*n_events = 0;
	enum cartel_source source =
	    u->opts->source_set ? u->opts->source : CARTEL_SRC_OFFICIAL_LIST;
	if (u->source_col != 0) {
		const char *v = fields[u->source_col - 1];
		if (v[strspn(v, " \t")] != '\0') {
			const struct cartel_field *f =
			    u->cols[u->source_col - 1].field;
			const char *canon = cartel__lists_non_ascii(v)
			                        ? cartel__lists_value(f, v)
			                        : NULL;
			int s;
			*column = u->cols[u->source_col - 1].name;
			int err = cartel_enum_parse(CARTEL_ENUM_SOURCE,
			                            canon ? canon : v, &s, why);
			if (err != 0)
				return err;
			source = (enum cartel_source)s;
		}
	}
	char ref[64];
	snprintf(ref, sizeof ref, "row %zu", row);
	struct cartel_event ev = {0};
	ev.person_id = pid;
	ev.prov = (struct cartel_provenance){u->opts->actor, source, u->name,
	                                     ref, NULL};
	long long audit = 0;
	crypto_hash_sha256_state hs;
	crypto_hash_sha256_init(&hs);
	struct cartel_person scratch;
	memset(&scratch, 0, sizeof scratch);
	char attr[80];
	char nbuf[CARTEL_FIELD_TEXT_MAX], obuf[CARTEL_FIELD_TEXT_MAX];
	int err = 0;
	for (size_t i = 0; i < u->n_cols && err == 0; i++) {
		const struct column *c = &u->cols[i];
		const char *v = fields[i];
		if (i + 1 == u->id_col || i + 1 == u->source_col ||
		    v[strspn(v, " \t")] == '\0')
			continue;
		*column = c->name;
		const char *value = v;
		if (c->field == NULL) {
			const char *now = cartel_person_attr(cur, c->name);
			if (now != NULL && strcmp(now, v) == 0)
				continue;
			snprintf(attr, sizeof attr, "attr:%s", c->name);
			ev.field = attr;
		} else {
			const struct cartel_field *f = c->field;
			if (f->type == CARTEL_FIELD_ENUM &&
			    cartel__lists_non_ascii(v)) {
				const char *canon = cartel__lists_value(f, v);
				if (canon != NULL)
					v = canon;
			}
			/* The cell in its stored spelling, to compare. */
			cartel_person_clear(&scratch);
			memset(&scratch, 0, sizeof scratch);
			if ((err = cartel_person_set_field(&scratch, f, v,
			                                   why)) != 0)
				break;
			value = cartel_person_field_text(&scratch, f, nbuf,
			                                 sizeof nbuf);
			if (strcmp(value, cartel_person_field_text(
			                      cur, f, obuf, sizeof obuf)) == 0)
				continue;
			ev.field = f->name;
		}
		ev.new_value = value;
		if (*n_events == 0 &&
		    (err = cartel__audit_next(u->db, &audit, why)) != 0)
			break;
		err = cartel__event_apply(u->db, &ev, audit, &hs, NULL, NULL,
		                          why);
		if (err == 0)
			(*n_events)++;
	}
	cartel_person_clear(&scratch);
	if (err == 0 && *n_events > 0) {
		char *detail = cartel__asprintf(
		    "update: %zu field(s) from row %zu", *n_events, row);
		if (detail == NULL)
			return cartel__why(why, CARTEL_ENOMEM, "out of memory");
		err = cartel__audit_close(u->db, audit, u->opts->actor, "event",
		                          pid, detail, (long long)*n_events,
		                          &hs, why);
		free(detail);
	}
	return err;
}

int
cartel__import_update(struct cartel_db *db, FILE *in, const char *name,
                      const struct cartel_import_opts *opts,
                      struct cartel_import_result *res, char **why)
{
	struct cartel__progress pg = {0};
	uint64_t n_rows =
		opts->progress != NULL ? cartel__import_rows_left(in) : 0;
	struct cartel_csv *csv;
	int err = cartel__import_open(&csv, in, name, opts, why);
	if (err != 0)
		return err;
	struct upd u = {db, name, opts, NULL, 0, 0, 0, cartel_date_today(),
	                {0}};
	struct column *cols = NULL;
	size_t n_cols = 0;
	err = cartel__import_header(csv, name, 0, &cols, &n_cols, res, why);
	u.cols = cols;
	u.n_cols = n_cols;
	for (size_t i = 0; err == 0 && i < n_cols; i++)
		if (cols[i].field != NULL &&
		    strcmp(cols[i].field->name, "id") == 0)
			u.id_col = i + 1;
		else if (cols[i].field != NULL &&
		         strcmp(cols[i].field->name, "source") == 0)
			u.source_col = i + 1;
	if (err == 0 && u.id_col == 0)
		err = cartel__why(why, CARTEL_EFORMAT, IMPORT_MSG_UPDATE_NO_ID,
		                  name);
	if (err == 0)
		err = cartel__attr_room(db, res->unknown_columns,
		                        res->n_unknown, why);
	if (err != 0) {
		cartel__import_columns_free(cols, n_cols);
		cartel_csv_close(csv);
		return err;
	}
	if (opts->rejects != NULL) {
		const char *h[3] = {"row", "column", "reason"};
		cartel_csv_write_row(opts->rejects, h, 3);
	}
	int own;
	err = cartel__db_write_begin(db, &own, why);
	if (err == 0)
		cartel__progress_begin(&pg, opts->progress, opts->progress_user,
				       "rows", n_rows);
	char *first_reject = NULL;
	while (err == 0) {
		char **fields;
		size_t n;
		char *rwhy = NULL;
		int rc = cartel_csv_next(csv, &fields, &n, &rwhy);
		if (rc == 0)
			break;
		if (rc == CARTEL_EIO || rc == CARTEL_ENOMEM) {
			err = cartel__why(why, rc, "%s", rwhy ? rwhy : "");
			free(rwhy);
			break;
		}
		size_t row = cartel_csv_record_no(csv);
		res->rows_read++;
		cartel__progress_at(&pg, res->rows_read);
		const char *column = "";
		const char *reason = NULL;
		char *owned = NULL;
		if (rc < 0) {
			reason = cartel__import_csv_reason(csv, rwhy, cols,
			                                   n_cols, &column);
			owned = rwhy;
			rwhy = NULL;
		} else if (n != n_cols) {
			owned = cartel__asprintf(_("the row has %zu fields; "
			                           "the header has %zu"),
			                         n, n_cols);
			reason = owned;
		} else if (fields[u.id_col - 1][0] == '\0') {
			column = cols[u.id_col - 1].name;
			reason = _(IMPORT_MSG_UPDATE_EMPTY_ID);
		}
		if (reason == NULL) {
			const char *id = fields[u.id_col - 1];
			struct cartel_person cur;
			int ge = cartel_person_get(db, id, &cur, &rwhy);
			free(rwhy);
			rwhy = NULL;
			if (ge == CARTEL_ENOTFOUND && opts->add_new) {
				int e = add_row(&u, fields, &column, &rwhy);
				if (e == 0)
					res->imported++;
				else if (fatal(e))
					err = cartel__why(
					    why, e, "%s: row %zu: %s", name,
					    row, rwhy ? rwhy : "");
				else
					reason = owned = rwhy;
				if (e == 0 || fatal(e))
					free(rwhy);
				rwhy = NULL;
			} else if (ge == CARTEL_ENOTFOUND) {
				column = cols[u.id_col - 1].name;
				reason = owned = cartel__asprintf(
				    IMPORT_MSG_UPDATE_UNKNOWN,
				    cartel__utf8_cut(id, 64), id);
			} else if (ge != 0) {
				err = cartel__why(why, ge, "%s: row %zu: %s",
				                  name, row,
				                  "reading the person failed");
			} else {
				size_t n_ev = 0;
				int e = cartel__db_savepoint(db, 0, why);
				if (e == 0)
					e = update_row(&u, fields, row, &cur,
					               cur.id, &n_ev, &column,
					               &rwhy);
				if (e == 0) {
					err = cartel__db_savepoint(db, 1, why);
					res->events += n_ev;
					if (n_ev > 0)
						res->updated++;
					else
						res->unchanged++;
				} else {
					int e2 =
					    cartel__db_savepoint(db, 2, why);
					if (fatal(e) || e2 != 0) {
						err =
						    e2 != 0
						        ? e2
						        : cartel__why(
						              why, e,
						              "%s: row %zu: %s",
						              name, row,
						              rwhy ? rwhy : "");
						free(rwhy);
					} else {
						reason = owned = rwhy;
					}
					rwhy = NULL;
				}
				cartel_person_clear(&cur);
			}
		}
		if (err == 0 && reason != NULL) {
			res->rejected++;
			if (cartel__import_reject(opts->rejects, row, column,
			                          reason) != 0)
				err = cartel__why(why, CARTEL_EIO,
				                  "writing the reject file "
				                  "failed");
			if (first_reject == NULL)
				first_reject = cartel__import_row_reason(
						name, row, column, reason);
		}
		free(owned);
		free(rwhy);
	}
	if (err == 0 && opts->all_or_nothing && res->rejected > 0)
		err = cartel__why(why, CARTEL_EINVAL, UPDATE_MSG_ALL_OR_NOTHING,
		                  res->rejected, res->rows_read,
		                  first_reject ? first_reject : "?");
	free(first_reject);
	if (err == 0) {
		char *detail = cartel__asprintf(
		    "update done: %zu rows read, %zu persons changed by "
		    "%zu events, %zu added, %zu unchanged, %zu rejected",
		    res->rows_read, res->updated, res->events, res->imported,
		    res->unchanged, res->rejected);
		long long audit = 0;
		crypto_hash_sha256_state hs;
		crypto_hash_sha256_init(&hs);
		err = detail == NULL ? CARTEL_ENOMEM
		                     : cartel__audit_next(db, &audit, why);
		if (err == 0)
			err = cartel__audit_close(db, audit, opts->actor,
			                          "import", name, detail, 0,
			                          &hs, why);
		free(detail);
	}
	err = cartel__db_write_end(db, own, err, why);
	if (err != 0) {
		res->imported = res->updated = res->events = 0;
	} else {
		cartel__progress_end(&pg);
	}
	cartel__buf_free(&u.arena);
	cartel__import_columns_free(cols, n_cols);
	cartel_csv_close(csv);
	return err;
}
