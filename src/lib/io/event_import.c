/*
 * `cartel event import FILE.csv`: many events in one transaction
 * (docs/import.md, "Event lists").
 *
 * Each row is one event: person_id, field, value, and optionally source,
 * by, at, note and ref. It is checked and written by the one rule of
 * `event add` (store/events.c, cartel__event_apply), inside one
 * transaction for the whole file; audit entries cover batches of events,
 * as the import's do. A row that breaks the rule is rejected, with the
 * import's reject report (row, column, rule; never the cell), and with
 * all_or_nothing any rejected row writes nothing.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cartel/csv.h>
#include <cartel/error.h>
#include <cartel/register.h>
#include <cartel/store.h>

#include "core/why.h"
#include "io/csv_int.h"
#include "io/import_int.h"
#include "io/lists.h"
#include "store/import_rows.h"

/* Events per audit entry, as the import's persons per entry. */
#define BATCH 1000

enum ecol {
	C_PERSON,
	C_FIELD,
	C_VALUE,
	C_SOURCE,
	C_BY,
	C_AT,
	C_NOTE,
	C_REF,
	C_N
};

static const char *const col_names[C_N] = {
    "person_id", "field", "value", "source", "by", "at", "note", "ref"};

static int
col_of(const char *name)
{
	while (*name == ' ')
		name++;
	size_t n = strlen(name);
	while (n > 0 && name[n - 1] == ' ')
		n--;
	for (int k = 0; k < C_N; k++)
		if (strlen(col_names[k]) == n &&
		    strncasecmp(name, col_names[k], n) == 0)
			return k;
	/* The names an export or a clerk may use for two of them. */
	if (n == 2 && strncasecmp(name, "id", 2) == 0)
		return C_PERSON;
	if (n == 5 && strncasecmp(name, "actor", 5) == 0)
		return C_BY;
	return -1;
}

static int
fatal(int err)
{
	return err == CARTEL_ENOMEM || err == CARTEL_EDB || err == CARTEL_EIO ||
	       err == CARTEL_EBUSY || err == CARTEL_EFULL ||
	       err == CARTEL_EREADONLY;
}

/* The event of one row; on a bad cell returns CARTEL_EINVAL with *col the
 * column and *why the rule. */
static int
row_event(char **fields, const size_t *at_col,
          const struct cartel_import_opts *opts, struct cartel_event *ev,
          char *attr, size_t attr_size, int *col, char **why)
{
	const char *cell[C_N];
	for (int k = 0; k < C_N; k++)
		cell[k] = at_col[k] ? fields[at_col[k] - 1] : "";
	memset(ev, 0, sizeof *ev);
	*col = C_PERSON;
	if (cell[C_PERSON][0] == '\0')
		return cartel__why(why, CARTEL_EINVAL, EVENT_MSG_NO_PERSON);
	ev->person_id = cell[C_PERSON];
	*col = C_FIELD;
	const char *field = cell[C_FIELD];
	while (*field == ' ')
		field++;
	if (field[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL, EVENT_MSG_NO_FIELD);
	const struct cartel_field *f = NULL;
	if (strncmp(field, "attr:", 5) != 0) {
		f = cartel_field_find(field);
		if (f == NULL && cartel__lists_non_ascii(field))
			f = cartel__lists_column(field);
		if (f == NULL)
			return cartel__why(why, CARTEL_EINVAL,
			                   "field: not a field of the register "
			                   "(an import column, or attr:NAME)");
		field = f->name;
	} else {
		snprintf(attr, attr_size, "%s", field);
		field = attr;
	}
	ev->field = field;
	const char *value = cell[C_VALUE];
	if (f != NULL && f->type == CARTEL_FIELD_ENUM &&
	    cartel__lists_non_ascii(value)) {
		const char *canon = cartel__lists_value(f, value);
		if (canon != NULL)
			value = canon;
	}
	ev->new_value = value;
	*col = C_SOURCE;
	const char *src = cell[C_SOURCE];
	if (src[strspn(src, " \t")] != '\0') {
		const struct cartel_field *sf = cartel_field_find("source");
		const char *canon = cartel__lists_non_ascii(src)
		                        ? cartel__lists_value(sf, src)
		                        : NULL;
		int s;
		int err = cartel_enum_parse(CARTEL_ENUM_SOURCE,
		                            canon ? canon : src, &s, why);
		if (err != 0)
			return err;
		ev->prov.source = (enum cartel_source)s;
	} else if (opts->source_set) {
		ev->prov.source = opts->source;
	} else {
		return cartel__why(why, CARTEL_EINVAL, EVENT_MSG_NO_SOURCE);
	}
	*col = C_BY;
	ev->prov.actor = cell[C_BY][0] != '\0' ? cell[C_BY] : opts->actor;
	if (ev->prov.actor == NULL || ev->prov.actor[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL, EVENT_MSG_NO_ACTOR);
	ev->prov.at = cell[C_AT][0] != '\0' ? cell[C_AT] : NULL;
	ev->prov.note = cell[C_NOTE][0] != '\0' ? cell[C_NOTE] : NULL;
	ev->prov.source_ref = cell[C_REF][0] != '\0' ? cell[C_REF] : NULL;
	*col = C_VALUE;
	return 0;
}

/* Reads the header; sets at_col[k] to column + 1 of each name. */
static int
read_header(struct cartel_csv *csv, const char *name, size_t *at_col,
            size_t *n_cols, char **why)
{
	char **fields;
	size_t n;
	int rc = cartel_csv_next(csv, &fields, &n, why);
	if (rc == 0)
		return cartel__why(why, CARTEL_EFORMAT,
		                   "%s: the file is empty (it needs a header "
		                   "row: person_id, field, value, ...)",
		                   name);
	if (rc < 0)
		return rc;
	if ((rc = cartel__lists_load(why)) != 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		int k = col_of(fields[i]);
		if (k < 0)
			return cartel__why(why, CARTEL_EFORMAT,
			                   EVENT_MSG_UNKNOWN_COLUMN, name,
			                   i + 1, fields[i]);
		if (at_col[k] != 0)
			return cartel__why(why, CARTEL_EFORMAT, EVENT_MSG_TWICE,
			                   name, at_col[k], i + 1,
			                   col_names[k]);
		at_col[k] = i + 1;
	}
	static const int required[] = {C_PERSON, C_FIELD, C_VALUE};
	for (size_t r = 0; r < 3; r++)
		if (at_col[required[r]] == 0)
			return cartel__why(why, CARTEL_EFORMAT,
			                   EVENT_MSG_NO_COLUMN, name,
			                   col_names[required[r]]);
	*n_cols = n;
	return 0;
}

int
cartel_event_import_csv(struct cartel_db *db, FILE *in, const char *name,
                        const struct cartel_import_opts *opts_in,
                        struct cartel_import_result *res, char **why)
{
	struct cartel_import_opts opts = {0};
	if (opts_in != NULL)
		opts = *opts_in;
	if (name == NULL)
		name = "-";
	memset(res, 0, sizeof *res);
	struct cartel__progress pg = {0};
	uint64_t n_rows =
		opts.progress != NULL ? cartel__import_rows_left(in) : 0;
	struct cartel_csv *csv;
	int err = cartel__import_open(&csv, in, name, &opts, why);
	if (err != 0)
		return err;
	size_t at_col[C_N] = {0}, n_cols = 0;
	err = read_header(csv, name, at_col, &n_cols, why);
	if (err != 0) {
		cartel_csv_close(csv);
		return err;
	}
	if (opts.rejects != NULL) {
		const char *h[3] = {"row", "column", "reason"};
		cartel_csv_write_row(opts.rejects, h, 3);
	}
	int own;
	int bulk = opts.shared ? 0 : cartel__db_bulk(db, 1);
	err = cartel__db_write_begin(db, &own, why);
	long long audit = 0, in_batch = 0;
	size_t first_row = 0, last_row = 0;
	crypto_hash_sha256_state hs;
	crypto_hash_sha256_init(&hs);
	if (err == 0)
		err = cartel__audit_next(db, &audit, why);
	const char *actor = opts.actor != NULL ? opts.actor : "event import";
	if (err == 0)
		cartel__progress_begin(&pg, opts.progress, opts.progress_user,
				       "rows", n_rows);
	char *first_reject = NULL;
	char attr[128];
	while (err == 0) {
		char **fields;
		size_t n;
		char *rwhy = NULL;
		int rc = cartel_csv_next(csv, &fields, &n, &rwhy);
		if (rc == 0) {
			free(rwhy);
			break;
		}
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
			size_t k;
			const char *r = cartel__csv_bad(csv, &k);
			if (r == NULL)
				r = rwhy ? rwhy : _("malformed row");
			for (int j = 0; k != 0 && j < C_N; j++)
				if (at_col[j] == k)
					column = col_names[j];
			owned = cartel__strdup(r);
			reason = owned;
		} else if (n != n_cols) {
			owned = cartel__asprintf(_("the row has %zu fields; "
			                           "the header has %zu"),
			                         n, n_cols);
			reason = owned;
		} else {
			struct cartel_event ev;
			int col = C_PERSON;
			int e = row_event(fields, at_col, &opts, &ev, attr,
			                  sizeof attr, &col, &rwhy);
			if (e == 0) {
				e = cartel__event_apply(db, &ev, audit, &hs,
				                        NULL, NULL, &rwhy);
				if (e == CARTEL_ENOTFOUND)
					col = C_PERSON;
				else if (rwhy != NULL &&
				         strncmp(rwhy, "at: ", 4) == 0)
					col = C_AT;
				else if (strcmp(ev.field, "id") == 0 ||
				         strcmp(ev.field, "source") == 0)
					col = C_FIELD;
			}
			if (e == 0) {
				res->events++;
				if (in_batch++ == 0)
					first_row = row;
				last_row = row;
			} else if (fatal(e)) {
				err = cartel__why(why, e, "%s: row %zu: %s",
				                  name, row, rwhy ? rwhy : "");
			} else {
				column = col_names[col];
				owned = rwhy;
				rwhy = NULL;
				reason = owned;
			}
		}
		free(rwhy);
		if (err == 0 && reason != NULL) {
			res->rejected++;
			if (cartel__import_reject(opts.rejects, row, column,
			                          reason) != 0)
				err = cartel__why(why, CARTEL_EIO,
				                  "writing the reject file "
				                  "failed");
			if (first_reject == NULL)
				first_reject = cartel__import_row_reason(
						name, row, column, reason);
		}
		free(owned);
		if (err == 0 && in_batch >= BATCH) {
			char *detail =
			    cartel__asprintf("rows %zu-%zu: %lld events",
			                     first_row, last_row, in_batch);
			err = detail == NULL
			          ? CARTEL_ENOMEM
			          : cartel__audit_close(
			                db, audit, actor, "event import", name,
			                detail, in_batch, &hs, why);
			free(detail);
			audit++;
			in_batch = 0;
			crypto_hash_sha256_init(&hs);
		}
	}
	res->imported = 0;
	if (err == 0 && opts.all_or_nothing && res->rejected > 0)
		err = cartel__why(why, CARTEL_EINVAL, EVENT_MSG_ALL_OR_NOTHING,
		                  res->rejected, res->rows_read,
		                  first_reject ? first_reject : "?");
	free(first_reject);
	if (err == 0) {
		char *detail =
		    in_batch > 0
		        ? cartel__asprintf(
		              "rows %zu-%zu: %lld events; file done: "
		              "%zu rows read, %zu events recorded, "
		              "%zu rejected",
		              first_row, last_row, in_batch, res->rows_read,
		              res->events, res->rejected)
		        : cartel__asprintf(
		              "file done: %zu rows read, %zu events "
		              "recorded, %zu rejected",
		              res->rows_read, res->events, res->rejected);
		err =
		    detail == NULL
		        ? CARTEL_ENOMEM
		        : cartel__audit_close(db, audit, actor, "event import",
		                              name, detail, in_batch, &hs, why);
		free(detail);
	}
	err = cartel__db_write_end(db, own, err, why);
	if (bulk)
		cartel__db_bulk(db, 0);
	if (err != 0)
		res->events = 0;
	else
		cartel__progress_end(&pg);
	cartel_csv_close(csv);
	return err;
}
