/*
 * RFC 8785 canonical JSON (JCS) over jansson values, and the small
 * growable buffer the round module writes documents into.
 *
 * Ownership: these functions never take a reference to the json_t they
 * are given; what they return in *out is malloc'd and the caller frees it.
 */
#ifndef CARTEL_ROUND_JCS_H
#define CARTEL_ROUND_JCS_H

#include <stddef.h>

#include <jansson.h>

/*
 * Writes the canonical form of v into a new malloc'd, NUL-terminated
 * buffer *out of *len bytes (the NUL not counted). Returns 0, CARTEL_ENOMEM,
 * or CARTEL_EINVAL when v holds a number JSON cannot carry (NaN, infinity)
 * or a key that is not UTF-8; *why then says where.
 */
int cartel__jcs(const json_t *v, char **out, size_t *len, char **why);

/*
 * Writes the ECMAScript (and so JCS) form of the double d into buf (at
 * least 32 bytes). Returns 0, or CARTEL_EINVAL for NaN and infinities.
 */
int cartel__jcs_number(double d, char *buf, size_t size);

#endif
