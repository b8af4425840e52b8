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

/* Where one member of an object lies in its canonical text: the member
 * from its name's opening quote (at), its value from `value`, both to
 * `end` (one past the value). key is borrowed from the object. */
struct cartel__jcs_member {
	const char *key;
	size_t at, value, end;
};

/*
 * The canonical form of object obj without the members named in drop (a
 * NULL-terminated list, or NULL for none), as cartel__jcs of a copy of obj
 * without them would write it, but without copying obj. When members is
 * not NULL, *members is a malloc'd array of the *n_members members
 * written, in canonical order, with where each lies in *out (the
 * canonical form of a member's value is text[value..end), exactly as
 * cartel__jcs writes that value alone). Returns 0, CARTEL_EINVAL (obj is
 * not an object, or as cartel__jcs) or CARTEL_ENOMEM; on failure nothing
 * is left to free.
 */
int cartel__jcs_object(const json_t *obj, const char *const *drop, char **out,
		       size_t *len, struct cartel__jcs_member **members,
		       size_t *n_members, char **why);

/* A run of bytes of a canonical text. */
struct cartel__jcs_piece {
	const char *p;
	size_t n;
};

/*
 * The canonical text of the same object without member i of m (from
 * cartel__jcs_object over text[0..len), n members), as two pieces to be
 * read one after the other: piece[0] then piece[1]. Nothing is copied.
 */
void cartel__jcs_cut(const char *text, size_t len,
		     const struct cartel__jcs_member *m, size_t n, size_t i,
		     struct cartel__jcs_piece piece[2]);

/*
 * Writes the ECMAScript (and so JCS) form of the double d into buf (at
 * least 32 bytes). Returns 0, or CARTEL_EINVAL for NaN and infinities.
 */
int cartel__jcs_number(double d, char *buf, size_t size);

#endif
