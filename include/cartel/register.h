/*
 * The register's fields by name: the one table that the import CSV, the
 * export, the events and the stored current state all follow.
 *
 * Each field of struct cartel_person has a name (the import CSV's column
 * name), a kind (free text, a partial date, or one of person.h's enums) and
 * a text form. Text forms are what events carry: an event says "field
 * health went from 'good' to 'sick'", and applying the events in order to
 * an empty person gives the current state.
 */
#ifndef CARTEL_REGISTER_H
#define CARTEL_REGISTER_H

#include <stddef.h>

#include "person.h"

#ifdef __cplusplus
extern "C" {
#endif

enum cartel_field_type {
	CARTEL_FIELD_TEXT,
	CARTEL_FIELD_DATE,
	CARTEL_FIELD_ENUM,
};

struct cartel_field {
	const char *name; /* column name, lower case */
	enum cartel_field_type type;
	enum cartel_enum_kind kind; /* for CARTEL_FIELD_ENUM */
	size_t offset;              /* into struct cartel_person */
	/* Fields of the import CSV's core list (docs/import.md) are 1; the
	 * further Art. 122 fields (father_name, consent_by, ...) are 0. Both
	 * are accepted on import and written on export. */
	int core;
};

/* Every field, "id" first, in the order the export writes them; sets *n. */
const struct cartel_field *cartel_fields(size_t *n);

/* The field called `name` (case-insensitive), or NULL. */
const struct cartel_field *cartel_field_find(const char *name);

/* Upper bound of one field's text form, for buffers (dates and enums are
 * short; text fields return a pointer into the person instead). */
#define CARTEL_FIELD_TEXT_MAX 32

/*
 * The text form of field f of *p: for text fields a pointer to the person's
 * own string (or "" when NULL); for dates and enums a string written into
 * buf (at least CARTEL_FIELD_TEXT_MAX bytes). Enum values in their
 * canonical form; unknown dates "". Never NULL.
 */
const char *cartel_person_field_text(const struct cartel_person *p,
				     const struct cartel_field *f, char *buf,
				     size_t size);

/*
 * Sets field f of *p from its text form: a date is parsed (partial dates
 * allowed), an enum value read with cartel_enum_parse, text copied (""
 * clears it; leading and trailing spaces are kept as given). Returns 0,
 * CARTEL_ENOMEM, or CARTEL_EINVAL/CARTEL_EFORMAT/CARTEL_ERANGE with *why
 * naming the field and the reason (the value is quoted only for dates and
 * enums, never for names).
 */
int cartel_person_set_field(struct cartel_person *p,
			    const struct cartel_field *f, const char *text,
			    char **why);

/*
 * Sets or removes (value NULL or "") the extra attribute `key` of *p.
 * Returns 0 or CARTEL_ENOMEM.
 */
int cartel_person_set_attr(struct cartel_person *p, const char *key,
			   const char *value);

/*
 * Checks the name of an extra attribute, the one rule for every way an
 * attribute is made (an import column, `event add ID attr:NAME`): 1 to
 * CARTEL_LIMIT_ATTR_NAME bytes of a-z, 0-9 and _, starting with a letter,
 * and not the name of a field. Such a name is written by the export as a
 * column that the import reads back as the same attribute. Returns 0, or
 * CARTEL_EINVAL with *why saying the rule (the name itself is not quoted).
 */
int cartel_attr_name_check(const char *name, char **why);

/*
 * Checks a party code (held_by, depends_on, a round's parties): 2 to 8
 * of A-Z and 0-9, such as UA or RU. Returns 0, or CARTEL_EINVAL with *why
 * saying the rule (the value is not quoted: a name typed into the column
 * must not reach a message).
 */
int cartel_party_check(const char *code, char **why);

/* The value of extra attribute `key`, or NULL. */
const char *cartel_person_attr(const struct cartel_person *p,
			       const char *key);

/*
 * Checks what no single field can: a date of something that happened
 * (birth_date, captured_on, held_since, direct_rep_on, consent_on) more
 * than CARTEL_LIMIT_FUTURE_DAYS after `today` (no check when today is NULL
 * or unknown), a capture before birth, custody since before birth, a
 * held_by or depends_on that is not a party code (cartel_party_check).
 * Messages name the field and the rule, never the value. On failure
 * returns CARTEL_EINVAL, sets *field to the static name of the offending
 * field (when field is not NULL) and *why to the reason.
 */
int cartel_person_check(const struct cartel_person *p,
			const struct cartel_date *today, const char **field,
			char **why);

/* A deep copy of *src into *dst (which is overwritten, not cleared). */
int cartel_person_copy(struct cartel_person *dst,
		       const struct cartel_person *src);

/* 1 when every field and extra attribute of a and b has the same text. */
int cartel_person_equal(const struct cartel_person *a,
			const struct cartel_person *b);

/*
 * The person as compact JSON text: every field by name (null when
 * unknown), extra attributes under "extra". malloc'd; NULL when out of
 * memory.
 */
char *cartel_person_json(const struct cartel_person *p);

#ifdef __cplusplus
}
#endif
#endif
