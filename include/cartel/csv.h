/*
 * A streaming CSV reader and writer (RFC 4180 with the habits of real
 * spreadsheets): UTF-8 only, an optional byte-order mark, LF or CRLF line
 * ends, quoted fields that may hold commas, quotes ("") and newlines.
 *
 * The reader never loads the whole file: it hands out one record at a time,
 * with fields that stay valid until the next call. Each field has a maximum
 * size (cartel_csv_open's max_field), each record a maximum size and number
 * of fields (<cartel/limits.h>); a record past a limit is an error naming
 * the row (and the column), never a crash or an unbounded allocation.
 */
#ifndef CARTEL_CSV_H
#define CARTEL_CSV_H

#include <stddef.h>
#include <stdio.h>

struct cartel_csv;

#include <cartel/limits.h>

/* Default limit on one field (docs/limits.md). */
#define CARTEL_CSV_MAX_FIELD CARTEL_LIMIT_FIELD

/*
 * Opens a reader on fp (not closed by the reader). `name` is what error
 * messages call the file. max_field of 0 means CARTEL_CSV_MAX_FIELD.
 * Returns 0 and sets *out, or CARTEL_ENOMEM.
 */
int cartel_csv_open(struct cartel_csv **out, FILE *fp, const char *name,
		    size_t max_field);

/*
 * Reads the next record. On success returns 1 and sets *fields to an array of
 * *n_fields NUL-terminated UTF-8 strings owned by the reader (valid until the
 * next call or close). Returns 0 at end of file. On a malformed record returns
 * CARTEL_EFORMAT (invalid UTF-8, a NUL byte, an unterminated quote, a stray
 * quote) or CARTEL_ERANGE (a field, the record or its number of fields over
 * the limit) and sets *why to a message naming the
 * file, the record number and the column number; the reader then skips to the
 * start of the next line, so the caller may go on reading. Returns CARTEL_EIO
 * when reading fails.
 */
int cartel_csv_next(struct cartel_csv *csv, char ***fields, size_t *n_fields,
		    char **why);

/* Number of the record last returned: 1 for the header, 2 for the first data
 * row, and so on (what a spreadsheet user calls the row number). */
size_t cartel_csv_record_no(const struct cartel_csv *csv);

/* Line in the file where the last record began (1-based). */
size_t cartel_csv_line_no(const struct cartel_csv *csv);

void cartel_csv_close(struct cartel_csv *csv);

/*
 * Writes one field to fp, quoting it when it holds a comma, a quote, a
 * newline or leading/trailing space. Returns 0 or CARTEL_EIO.
 */
int cartel_csv_write_field(FILE *fp, const char *field);

/* Writes n fields separated by commas and a final "\n". */
int cartel_csv_write_row(FILE *fp, const char *const *fields, size_t n);

/* 1 when s[0..len) is valid UTF-8 (no overlongs, no surrogates). */
int cartel_utf8_valid(const char *s, size_t len);

#endif
