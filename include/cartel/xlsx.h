/*
 * Workbooks (.xlsx, Office Open XML spreadsheets): the lists clerks keep
 * in spreadsheets, read into the register and written out of it
 * (docs/import.md).
 *
 * Reading: the container is opened with libzip and each part parsed with
 * expat as it is inflated. A document type declaration is refused (so no
 * entity is ever declared, let alone an external one resolved), and what
 * is inflated is counted against the limits of <cartel/limits.h>: a part
 * or a whole archive that would inflate past them is refused as a zip
 * bomb before its bytes are kept. A sheet is turned into the import CSV
 * (docs/import.md) row by row: text cells as they are (shared or inline
 * strings), a number in a date format as YYYY-MM-DD, other numbers as
 * written, booleans as true/false; a formula's cached value is taken and
 * the formula never run; empty rows are skipped. The import itself is the
 * CSV import's, row for row: the same validation, reject report and
 * all-or-nothing, rows named by their number in the sheet.
 *
 * Writing (libxlsxwriter): one sheet, a frozen header row, the columns
 * sized to their contents, dates as dates, every other cell a string,
 * never a formula.
 */
#ifndef CARTEL_XLSX_H
#define CARTEL_XLSX_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

struct cartel_db;
struct cartel_import_opts;
struct cartel_import_result;

/* A sheet turned into CSV: the rows' numbers in the sheet, by CSV record
 * (row_of[0] is the header's row). */
struct cartel_xlsx_rows {
	size_t *row_of;
	size_t n;
};

/*
 * Reads sheet `sheet` (NULL: the first) of the workbook in data[0..len)
 * and writes it to out as the import CSV, the header being the first row
 * that is not empty. Sets *rows (free row_of) when rows is not NULL.
 * `name` is what messages call the file. Returns 0, or CARTEL_EFORMAT
 * (not a zip, a damaged zip, not a workbook, no such sheet, malformed XML,
 * a DTD, a cell with data under an empty header cell), CARTEL_ERANGE (a
 * limit: a part or the archive inflating past it, too many entries), or
 * CARTEL_ENOMEM / CARTEL_EIO, with *why; never quotes a cell.
 */
int cartel_xlsx_to_csv(const void *data, size_t len, const char *name,
		       const char *sheet, FILE *out,
		       struct cartel_xlsx_rows *rows, char **why);

/* As cartel_xlsx_to_csv, from the file at path (read whole, at most
 * CARTEL_LIMIT_XLSX_FILE bytes). */
int cartel_xlsx_file_to_csv(const char *path, const char *sheet, FILE *out,
			    struct cartel_xlsx_rows *rows, char **why);

/*
 * Imports sheet `sheet` (NULL: the first) of the workbook at path as
 * cartel_import_csv imports a CSV (same columns, same checks, same reject
 * report and all-or-nothing; reject rows are the sheet's row numbers).
 * The sheet is read and checked whole before the register is touched:
 * a refused workbook leaves it as it was. Returns as cartel_import_csv,
 * or the errors of cartel_xlsx_to_csv.
 */
int cartel_import_xlsx(struct cartel_db *db, const char *path,
		       const char *sheet,
		       const struct cartel_import_opts *opts,
		       struct cartel_import_result *res, char **why);

/*
 * Writes every person as a workbook at path (through <cartel/file.h>, a
 * regular file): the export CSV's columns, one row per person, dates
 * as dates. Sets *n_persons and the file's SHA-256 (hex, 65 bytes) in
 * sha256 when not NULL. Returns 0, CARTEL_ESTATE for a target that is not
 * a regular file, CARTEL_EIO, or a database error.
 */
int cartel_export_xlsx(struct cartel_db *db, const char *path,
		       long long *n_persons, char *sha256, char **why);

/*
 * Writes the lists of loaded round round_id (<cartel/round.h>,
 * cartel_round_loaded: the agreed document as `handover start` stored it)
 * as a workbook at path (through <cartel/file.h>): a sheet per list,
 * "UA gives" and "RU gives" always, "UA direct (Art. 110)" and "withheld"
 * when the document has them. Each row is a person in the list's order:
 * no (his place on the list, a number), stage (a number; not for the
 * withheld), the fields of the document's print_fields (else
 * CARTEL_PRINT_FIELDS_DEFAULT), held_by and reason for the withheld, and
 * status: his handover outcome in the register now (pending, handed_over,
 * received, refused, absent, deceased, released, withdrawn), "withheld"
 * for the withheld. A bold header row frozen with a filter, columns sized
 * to their contents, a whole birth date as a date, every other value a
 * string, never a formula. Sets *n_persons (persons on every sheet) and
 * the file's SHA-256 (hex) when not NULL. Returns 0, CARTEL_ENOTFOUND
 * when the round is not loaded, CARTEL_ETAMPER when its stored document
 * or rows were changed behind the register's back, CARTEL_EFORMAT for a
 * print_fields entry that is no printable field, or the errors of
 * cartel_export_xlsx. Nothing is recorded: the caller records the
 * transfer.
 */
int cartel_export_xlsx_round(struct cartel_db *db, const char *round_id,
			     const char *path, long long *n_persons,
			     char *sha256, char **why);

/*
 * Writes a table given as CSV text (csv[0..len), a header row then the
 * rows, as cartel_csv_write_row writes them) as a workbook at path with
 * one sheet named `sheet`: a bold header row frozen above the rows, with a
 * filter, columns sized to their contents, every cell a string. For the
 * reports that are tables (reconciliation). Sets sha256 (hex) when not
 * NULL. Returns 0, CARTEL_EFORMAT for CSV that does not read, or the
 * errors of cartel_export_xlsx.
 */
int cartel_xlsx_write_csv(const char *path, const char *sheet,
			  const char *csv, size_t len, char *sha256,
			  char **why);

#ifdef __cplusplus
}
#endif
#endif
