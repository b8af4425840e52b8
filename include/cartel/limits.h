/*
 * Every limit cartel puts on what it reads, in one place (docs/limits.md
 * gives each its message and the reason for its value).
 *
 * Each is checked before memory grows past it: a CSV line is not buffered
 * beyond CARTEL_LIMIT_LINE, a document file is not read beyond its limit.
 * The values are generous for real lists (a bureau's list of 200,000
 * persons has lines of a few hundred bytes) and small enough that a file
 * made to hurt the register costs little.
 */
#ifndef CARTEL_LIMITS_H
#define CARTEL_LIMITS_H

/* One CSV field, in bytes: 64 KiB (a long note is a few KiB). */
#define CARTEL_LIMIT_FIELD (64u << 10)

/* One CSV record (a line, or several when a quoted field spans lines), in
 * bytes: 1 MiB. */
#define CARTEL_LIMIT_LINE (1u << 20)

/* The header record of a CSV file, in bytes: 256 KiB. */
#define CARTEL_LIMIT_HEADER (256u << 10)

/* Fields in one CSV record, header included: 1,000. */
#define CARTEL_LIMIT_COLUMNS 1000

/* Distinct extra attribute names in one register: CARTEL_LIMIT_COLUMNS
 * less the number of fields (969 with today's 31). The export writes a
 * column for each field and each name, and its header must stay within
 * CARTEL_LIMIT_COLUMNS so that it imports back. */

/* An extra attribute's name, in bytes. */
#define CARTEL_LIMIT_ATTR_NAME 64

/* A party code (held_by, depends_on, a round's parties): 2 to 8 of A-Z and
 * 0-9. */
#define CARTEL_LIMIT_PARTY_MIN 2
#define CARTEL_LIMIT_PARTY_MAX 8

/* A round document or a plan (JSON): 256 MiB. A round of 200,000 persons
 * is about 40 MB. */
#define CARTEL_LIMIT_ROUND_DOC (256u << 20)

/* A declaration (JSON, docs/protocol.md): 256 MiB. One of 100,000
 * persons with the default fields is about 23 MB. */
#define CARTEL_LIMIT_DECLARATION_DOC (256u << 20)

/* A round document uploaded to the server (POST /api/documents,
 * docs/limits.md): 16 MiB of request body. A document of 10,438 persons
 * is 5.6 MB sent as the JSON string of the request, 3.9 MB as a JSON
 * object; every other route takes 64 KiB. */
#define CARTEL_LIMIT_HTTP_DOCUMENT (16u << 20)

/* A list uploaded to the server to be imported (POST /api/imports, CSV or
 * XLSX, docs/limits.md): 8 MiB of request body, some 80,000 rows of the
 * import CSV; a larger list is imported at the command line. */
#define CARTEL_LIMIT_HTTP_IMPORT (8u << 20)

/* A policy (YAML): 1 MiB. */
#define CARTEL_LIMIT_POLICY_DOC (1u << 20)

/* A PFIF document (XML, docs/pfif.md): 64 MiB, read whole before any
 * record is written. A feed of 100,000 persons with a note each is about
 * 60 MB. */
#define CARTEL_LIMIT_PFIF_DOC (64u << 20)

/* Nesting of the elements of a PFIF document: a person holds notes that
 * hold fields; anything deeper is a foreign element or an attack. */
#define CARTEL_LIMIT_PFIF_DEPTH 64

/* A key file (JSON): 64 KiB. */
#define CARTEL_LIMIT_KEY_FILE (64u << 10)

/* Nesting of a JSON document cartel canonicalises. */
#define CARTEL_LIMIT_JSON_DEPTH 1000

/* How far past today a date that records something that happened
 * (captured_on, held_since, consent_on, direct_rep_on) may lie, in days:
 * one, for the time zones between a clerk and the register. */
#define CARTEL_LIMIT_FUTURE_DAYS 1

/* Workbooks (.xlsx, docs/limits.md): the file read, each part inflated,
 * all parts inflated together, the entries of the archive, the shared
 * strings of a workbook. */
#define CARTEL_LIMIT_XLSX_FILE (256u << 20)
#define CARTEL_LIMIT_XLSX_PART (512u << 20)
#define CARTEL_LIMIT_XLSX_TOTAL (1024u << 20)
#define CARTEL_LIMIT_XLSX_ENTRIES 10000
#define CARTEL_LIMIT_XLSX_STRINGS 8000000
/* The rows of a sheet: the format's own last row (a spreadsheet holds no
 * row past 1,048,576), so that a sheet's row numbers fit a table made
 * before its first row is read. */
#define CARTEL_LIMIT_XLSX_ROWS 1048576

#endif
