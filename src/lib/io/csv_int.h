/*
 * What the CSV reader (io/csv.c) tells the imports of the same module
 * beyond <cartel/csv.h>: why it refused the last record, in parts, so
 * that a reject report can put the column and the reason in their own
 * cells whatever language the message is in.
 */
#ifndef CARTEL_IO_CSV_INT_H
#define CARTEL_IO_CSV_INT_H

#include <stddef.h>

#include <cartel/csv.h>

/* After cartel_csv_next refused a record: the reason in the calling
 * thread's language, without the file, row and line (owned by the reader,
 * valid until the next call), and in *column the 1-based column it is
 * about (0: the whole row). NULL when it refused none, or out of
 * memory. */
const char *cartel__csv_bad(const struct cartel_csv *c, size_t *column);

#endif
