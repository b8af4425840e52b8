/*
 * A streaming CSV reader and writer (RFC 4180 with the habits of real
 * spreadsheets): UTF-8 (or another encoding named by the caller, converted
 * by ICU), an optional byte-order mark, a comma, semicolon or tab between
 * fields (the reader may choose from the header), LF or CRLF line
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
 * The field separator, set before the first cartel_csv_next: a tab or one
 * ASCII punctuation character other than the quote; 0 asks the reader to
 * choose, from the header line, the one of comma, semicolon and tab it
 * holds most (a comma when it holds none). The default is a comma.
 * Returns 0, or CARTEL_EINVAL with *why saying the rule.
 */
int cartel_csv_set_delimiter(struct cartel_csv *csv, int delim, char **why);

/* The separator in use (after the first cartel_csv_next when chosen). */
int cartel_csv_delimiter(const struct cartel_csv *csv);

/*
 * Reads the file as `encoding` (an ICU converter name: windows-1251,
 * UTF-16, UTF-16LE, KOI8-R, ...), converted to UTF-8 as it streams; set
 * before the first cartel_csv_next. "UTF-16" without a byte-order mark is
 * read in the byte order its NUL bytes show. A byte sequence the encoding
 * does not have ends the reading: cartel_csv_next returns CARTEL_EIO naming
 * the row and line. NULL, "" or UTF-8 keep the default. Returns 0, or
 * CARTEL_EINVAL for a name ICU does not know.
 *
 * Without an encoding the file must be UTF-8 (a UTF-8 byte-order mark is
 * skipped): when its header is not, or its first 64 KiB look like UTF-16 or
 * Windows-1251, the first cartel_csv_next returns CARTEL_EFORMAT naming the
 * encoding the file looks like; a stray byte further down rejects its row.
 */
int cartel_csv_set_encoding(struct cartel_csv *csv, const char *encoding,
			    char **why);

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
