/*
 * The encoding of a whole person in one string, as the event that creates
 * a person carries it.
 *
 *   R<n>;<netstring>*n (<netstring key><netstring value>)*
 *
 * R and the decimal n (the number of fields written) open the record; then
 * each field of cartel_fields() in order as a netstring ("<len>:<bytes>,",
 * the empty string for an unknown field and for an enum at its first
 * value, which a fresh person already holds), then each extra attribute as two
 * netstrings, key and value. Fields are only ever appended to
 * cartel_fields(), so a record written with fewer fields still reads
 * positionally. Netstrings hold any bytes, need no escaping, and cost a
 * few bytes per field: this is what keeps the import's event log compact
 * and quick to write.
 */
#ifndef CARTEL_REGISTER_RECORD_H
#define CARTEL_REGISTER_RECORD_H

#include <stddef.h>

#include <cartel/person.h>

/* A growing output buffer, reused across records. */
struct cartel__buf {
	char *data;
	size_t len, cap;
};

/* Encodes *p into b (replacing its content, NUL-terminated). Returns 0 or
 * CARTEL_ENOMEM. */
int cartel__record_encode(const struct cartel_person *p,
			  struct cartel__buf *b);

/* Applies an encoded record to *p (fields set, attributes added). Returns
 * 0, or CARTEL_EFORMAT / a field's error with *why. */
int cartel__record_decode(struct cartel_person *p, const char *text,
			  char **why);

void cartel__buf_free(struct cartel__buf *b);

#endif
