/*
 * What the import (io/import.c), its --update (io/update.c) and the event
 * import (io/event_import.c) share: the header's columns, the reject
 * report, and the messages they give a user, kept together here so that
 * each is written once.
 */
#ifndef CARTEL_IO_IMPORT_INT_H
#define CARTEL_IO_IMPORT_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cartel/csv.h>
#include <cartel/register.h>
#include <cartel/store.h>

#include "core/intl.h"

/* Messages a user reads (file-level refusals and reject reasons). None
 * quotes a cell: only header names, ids and field names. Marked for the
 * catalogues: cartel__why translates them, and a reason used as it is
 * goes through _(). */
#define IMPORT_MSG_TWO_COLUMNS                                               \
	N_("%s: header: columns %zu ('%.40s') and %zu ('%.40s') both fill the " \
	"field %s; keep one of them")
#define IMPORT_MSG_NO_NAME                                                   \
	N_("%s: no column of the header is a name (family_name, given_name, "   \
	"patronymic, or Прізвище, Ім'я, По батькові, Фамилия, Имя, "         \
	"Отчество; see docs/import.md), and a list of persons needs one; "   \
	"the header read as %zu column(s) separated by %s, of which these "  \
	"are fields: %s. If the columns were split wrong, give --delimiter; " \
	"to change persons already in the register, named by id, give "     \
	"--update. Nothing was imported")
#define IMPORT_MSG_UNKNOWN_HEADER                                            \
	N_("%s: header, column %zu: '%.*s' is neither a column name cartel "     \
	"knows (data/list_columns.tsv has the Ukrainian and Russian ones) "  \
	"nor an attribute name (a-z, 0-9, _)")
#define IMPORT_MSG_UPDATE_NO_ID                                              \
	N_("%s: an update needs an id column naming the persons it changes")
#define IMPORT_MSG_UPDATE_EMPTY_ID                                           \
	N_("the row has no id: an update names the person it changes")
#define IMPORT_MSG_UPDATE_UNKNOWN                                            \
	N_("id %.*s is not in the register (give --add-new to add it)")
#define EVENT_MSG_NO_COLUMN                                                  \
	N_("%s: the header has no '%s' column (an event list has person_id, "   \
	"field, value, and may have source, by, at, note, ref)")
#define EVENT_MSG_UNKNOWN_COLUMN                                             \
	N_("%s: header, column %zu: '%.40s' is not a column of an event list "  \
	"(person_id, field, value, source, by, at, note, ref)")
#define EVENT_MSG_TWICE                                                      \
	N_("%s: header: columns %zu and %zu both name '%s'; keep one of them")
#define EVENT_MSG_NO_ACTOR                                                   \
	N_("the row has no 'by' and no --by was given: who records the event")
#define EVENT_MSG_NO_SOURCE                                                  \
	N_("the row has no 'source' and no --source was given")
#define EVENT_MSG_BAD_AT                                                     \
	N_("at: is not a time of the form YYYY-MM-DDTHH:MM:SSZ")
#define EVENT_MSG_NO_FIELD N_("field: the cell is empty")
#define EVENT_MSG_NO_PERSON N_("person_id: the cell is empty")
#define UPDATE_MSG_ALL_OR_NOTHING                                            \
	N_("%zu of %zu rows rejected, nothing changed (all or nothing); the " \
	   "first: %s")
#define EVENT_MSG_ALL_OR_NOTHING                                             \
	N_("%zu of %zu rows rejected, nothing recorded (all or nothing); the " \
	   "first: %s")

/* What each column of the file is. */
struct column {
	const struct cartel_field *field; /* NULL for an extra attribute */
	char *name;                       /* as written in the header */
};

/* The data rows left in `in` when it is a regular file, counted from its
 * line ends without moving the stream (the header's line taken off): the
 * total a progress callback is told (<cartel/progress.h>). 0 when it
 * cannot be known (a pipe, a stream in memory). */
uint64_t cartel__import_rows_left(FILE *in);

/* The runs of a large sheet's rows parsed by the workers of
 * xlsx_read.c so far (the tests see that they were). */
size_t cartel__xlsx_runs_apart(void);

/* Opens a reader on `in` with the options' delimiter and encoding. */
int cartel__import_open(struct cartel_csv **out, FILE *in, const char *name,
			const struct cartel_import_opts *opts, char **why);

/*
 * Reads the import CSV's header into a new array *cols of *n (free with
 * cartel__import_columns_free), English, Ukrainian and Russian names;
 * the unknown columns (extra attributes) go to res. need_name: refuse a
 * header without a name column. Returns 0 or an error with *why.
 */
int cartel__import_header(struct cartel_csv *csv, const char *name,
			  int need_name, struct column **cols, size_t *n,
			  struct cartel_import_result *res, char **why);

void cartel__import_columns_free(struct column *cols, size_t n);

/* Writes one line of the reject report (row, column, reason). */
int cartel__import_reject(FILE *fp, size_t row, const char *column,
			  const char *reason);

/* "NAME: row R, column C: REASON" (no column when column is NULL or ""),
 * malloc'd; NULL when out of memory. */
char *cartel__import_row_reason(const char *name, size_t row,
				const char *column, const char *reason);

/* The column's header name (*column) and the reason (returned, owned
 * by the reader, or msg, or static) of a record the reader refused with
 * the message msg. */
const char *cartel__import_csv_reason(const struct cartel_csv *csv,
				      const char *msg,
				      const struct column *cols, size_t n_cols,
				      const char **column);

/*
 * Builds *p (zeroed by the caller) from one import row and checks it;
 * text fields borrow from `arena` (let go with cartel__import_unborrow
 * before cartel_person_clear). On a bad value returns the error with
 * *column naming the column and *why the reason.
 */
struct cartel__buf;
int cartel__import_build(struct cartel_person *p, char **fields,
			 const struct column *cols, size_t n_cols,
			 const struct cartel_import_opts *opts,
			 const struct cartel_date *today,
			 struct cartel__buf *arena, const char **column,
			 char **why);
void cartel__import_unborrow(struct cartel_person *p,
			     const struct cartel__buf *arena);

/* The --update of cartel_import_csv (io/update.c). */
int cartel__import_update(struct cartel_db *db, FILE *in, const char *name,
			  const struct cartel_import_opts *opts,
			  struct cartel_import_result *res, char **why);

#endif
