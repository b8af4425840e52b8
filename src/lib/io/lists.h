/*
 * Lists as they arrive (io/lists.c): the Ukrainian and Russian header
 * names of the import columns (data/list_columns.tsv) and the words for
 * enumerated values (data/list_values.tsv), shared by the import, its
 * --update and the event import. Internal to io.
 */
#ifndef CARTEL_IO_LISTS_H
#define CARTEL_IO_LISTS_H

#include <stddef.h>

#include <cartel/register.h>

/*
 * Loads both tables from cartel_data_dir() once per process (later calls
 * return what the first one did). Returns 0, or CARTEL_EFORMAT/CARTEL_EIO/
 * CARTEL_ENOMEM with *why naming the file and line.
 */
int cartel__lists_load(char **why);

/* The field a header name (folded: case, apostrophes, spaces) stands for
 * in list_columns.tsv, or NULL. Needs cartel__lists_load first. */
const struct cartel_field *cartel__lists_column(const char *header);

/* The stored spelling of enumerated field f's value written as `cell`
 * (list_values.tsv), or NULL when the table has no such word. Static
 * storage. Needs cartel__lists_load first. */
const char *cartel__lists_value(const struct cartel_field *f, const char *cell);

/* 1 when s has a byte outside ASCII (only such cells need the tables). */
int cartel__lists_non_ascii(const char *s);

#endif
