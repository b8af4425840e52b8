/*
 * The field table of <cartel/register.h>: names, kinds and text forms of a
 * person's fields, and the checks that span several fields.
 *
 * Everything that reads or writes a person field by field (import, export,
 * events, the stored state) goes through this table, so adding a field is
 * one row here and one column in the store's migration.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cartel/error.h>
#include <cartel/register.h>

#include "core/why.h"

#define OFF(m) offsetof(struct cartel_person, m)
/* clang-format off */
#define TEXT(n, core) {#n, CARTEL_FIELD_TEXT, 0, OFF(n), core}
#define DATE(n, core) {#n, CARTEL_FIELD_DATE, 0, OFF(n), core}
#define ENUM(n, k, core) {#n, CARTEL_FIELD_ENUM, CARTEL_ENUM_##k, OFF(n), core}
/* clang-format on */

/* The core columns in the order of docs/import.md, then the further
 * Art. 122 fields. The store's persons table has the same columns in the
 * same order. */
static const struct cartel_field fields[] = {
	TEXT(id, 1),
	TEXT(family_name, 1),
	TEXT(given_name, 1),
	TEXT(patronymic, 1),
	DATE(birth_date, 1),
	TEXT(birth_place, 1),
	ENUM(sex, SEX, 1),
	TEXT(rank, 1),
	TEXT(service_number, 1),
	TEXT(unit, 1),
	TEXT(depends_on, 1),
	TEXT(held_by, 1),
	ENUM(category, CATEGORY, 1),
	DATE(captured_on, 1),
	TEXT(captured_at, 1),
	TEXT(internment_place, 1),
	ENUM(health, HEALTH, 1),
	ENUM(direct_repatriation, DIRECT_REP, 1),
	ENUM(consent, CONSENT, 1),
	ENUM(legal_hold, LEGAL_HOLD, 1),
	ENUM(status, STATUS, 1),
	ENUM(source, SOURCE, 1),
	TEXT(notes, 1),
	TEXT(father_name, 0),
	TEXT(mother_maiden_name, 0),
	TEXT(inform_person, 0),
	DATE(held_since, 0),
	TEXT(direct_rep_by, 0),
	DATE(direct_rep_on, 0),
	TEXT(consent_by, 0),
	DATE(consent_on, 0),
};

#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))

const struct cartel_field *
cartel_fields(size_t *n)
{
	*n = N_FIELDS;
	return fields;
}

const struct cartel_field *
cartel_field_find(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < N_FIELDS; i++)
		if (strcasecmp(fields[i].name, name) == 0)
			return &fields[i];
	return NULL;
}

const char *
cartel_person_field_text(const struct cartel_person *p,
			 const struct cartel_field *f, char *buf, size_t size)
{
	const char *base = (const char *)p + f->offset;
	switch (f->type) {
	case CARTEL_FIELD_TEXT: {
		const char *s = *(char *const *)base;
		return s != NULL ? s : "";
	}
	case CARTEL_FIELD_DATE:
		return cartel_date_format((const struct cartel_date *)base, buf,
					  size);
	case CARTEL_FIELD_ENUM: {
		/* Every enum of person.h is stored as an int-sized enum. */
		int v = *(const int *)base;
		return cartel_enum_name(f->kind, v);
	}
	}
	return "";
}

int
cartel_person_set_field(struct cartel_person *p, const struct cartel_field *f,
			const char *text, char **why)
{
	char *base = (char *)p + f->offset;
	if (text == NULL)
		text = "";
	switch (f->type) {
	case CARTEL_FIELD_TEXT: {
		char *copy = NULL;
		if (text[0] != '\0') {
			copy = strdup(text);
			if (copy == NULL)
				return cartel__why(why, CARTEL_ENOMEM,
						   "out of memory");
		}
		char **slot = (char **)base;
		free(*slot);
		*slot = copy;
		return 0;
	}
	case CARTEL_FIELD_DATE: {
		struct cartel_date d;
		char *inner = NULL;
		int err = cartel_date_parse(text, &d, &inner);
		if (err != 0) {
			cartel__why(why, err, "%s: %s", f->name,
				    inner != NULL ? inner : "not a date");
			free(inner);
			return err;
		}
		*(struct cartel_date *)base = d;
		return 0;
	}
	case CARTEL_FIELD_ENUM: {
		int v;
		/* The enum's own message already names the field. */
		int err = cartel_enum_parse(f->kind, text, &v, why);
		if (err != 0)
			return err;
		*(int *)base = v;
		return 0;
	}
	}
	return cartel__why(why, CARTEL_EINVAL, "%s: unknown field kind",
			   f->name);
}

int
cartel_person_set_attr(struct cartel_person *p, const char *key,
		       const char *value)
{
	for (size_t i = 0; i < p->n_extra; i++) {
		if (strcmp(p->extra[i].key, key) != 0)
			continue;
		if (value == NULL || value[0] == '\0') {
			free(p->extra[i].key);
			free(p->extra[i].value);
			memmove(&p->extra[i], &p->extra[i + 1],
				(p->n_extra - i - 1) * sizeof(p->extra[0]));
			p->n_extra--;
			return 0;
		}
		char *v = strdup(value);
		if (v == NULL)
			return CARTEL_ENOMEM;
		free(p->extra[i].value);
		p->extra[i].value = v;
		return 0;
	}
	if (value == NULL || value[0] == '\0')
		return 0;
	struct cartel_attr *grown =
		realloc(p->extra, (p->n_extra + 1) * sizeof(p->extra[0]));
	if (grown == NULL)
		return CARTEL_ENOMEM;
	p->extra = grown;
	char *k = strdup(key), *v = strdup(value);
	if (k == NULL || v == NULL) {
		free(k);
		free(v);
		return CARTEL_ENOMEM;
	}
	p->extra[p->n_extra].key = k;
	p->extra[p->n_extra].value = v;
	p->n_extra++;
	return 0;
}

const char *
cartel_person_attr(const struct cartel_person *p, const char *key)
{
	for (size_t i = 0; i < p->n_extra; i++)
		if (strcmp(p->extra[i].key, key) == 0)
			return p->extra[i].value;
	return NULL;
}

int
cartel_person_check(const struct cartel_person *p,
		    const struct cartel_date *today, const char **field,
		    char **why)
{
	const char *dummy;
	char b1[16], b2[16];
	if (field == NULL)
		field = &dummy;
	const struct cartel_date *born = &p->birth_date;
	if (cartel_date_known(born) && today != NULL &&
	    cartel_date_known(today) && cartel_date_cmp(born, today) > 0) {
		*field = "birth_date";
		return cartel__why(why, CARTEL_EINVAL,
				   "birth_date %s is in the future",
				   cartel_date_format(born, b1, sizeof b1));
	}
	if (cartel_date_known(born) && cartel_date_known(&p->captured_on) &&
	    cartel_date_cmp(&p->captured_on, born) < 0) {
		*field = "captured_on";
		return cartel__why(
			why, CARTEL_EINVAL,
			"captured_on %s is before birth_date %s",
			cartel_date_format(&p->captured_on, b1, sizeof b1),
			cartel_date_format(born, b2, sizeof b2));
	}
	if (cartel_date_known(today) && cartel_date_known(&p->captured_on) &&
	    cartel_date_cmp(&p->captured_on, today) > 0) {
		*field = "captured_on";
		return cartel__why(
			why, CARTEL_EINVAL, "captured_on %s is in the future",
			cartel_date_format(&p->captured_on, b1, sizeof b1));
	}
	if (cartel_date_known(born) && cartel_date_known(&p->held_since) &&
	    cartel_date_cmp(&p->held_since, born) < 0) {
		*field = "held_since";
		return cartel__why(
			why, CARTEL_EINVAL,
			"held_since %s is before birth_date %s",
			cartel_date_format(&p->held_since, b1, sizeof b1),
			cartel_date_format(born, b2, sizeof b2));
	}
	return 0;
}

int
cartel_person_copy(struct cartel_person *dst, const struct cartel_person *src)
{
	memset(dst, 0, sizeof(*dst));
	/* Copy the scalars and dates wholesale, then replace each string
	 * pointer with a copy of its own. */
	struct cartel_person tmp = *src;
	tmp.extra = NULL;
	tmp.n_extra = 0;
	for (size_t i = 0; i < N_FIELDS; i++)
		if (fields[i].type == CARTEL_FIELD_TEXT)
			*(char **)((char *)&tmp + fields[i].offset) = NULL;
	*dst = tmp;
	for (size_t i = 0; i < N_FIELDS; i++) {
		if (fields[i].type != CARTEL_FIELD_TEXT)
			continue;
		const char *s =
			*(char *const *)((const char *)src + fields[i].offset);
		if (s == NULL)
			continue;
		char *c = strdup(s);
		if (c == NULL) {
			cartel_person_clear(dst);
			return CARTEL_ENOMEM;
		}
		*(char **)((char *)dst + fields[i].offset) = c;
	}
	for (size_t i = 0; i < src->n_extra; i++) {
		if (cartel_person_set_attr(dst, src->extra[i].key,
					   src->extra[i].value) != 0) {
			cartel_person_clear(dst);
			return CARTEL_ENOMEM;
		}
	}
	return 0;
}

int
cartel_person_equal(const struct cartel_person *a,
		    const struct cartel_person *b)
{
	char ba[CARTEL_FIELD_TEXT_MAX], bb[CARTEL_FIELD_TEXT_MAX];
	for (size_t i = 0; i < N_FIELDS; i++) {
		const char *ta =
			cartel_person_field_text(a, &fields[i], ba, sizeof ba);
		const char *tb =
			cartel_person_field_text(b, &fields[i], bb, sizeof bb);
		if (strcmp(ta, tb) != 0)
			return 0;
	}
	if (a->n_extra != b->n_extra)
		return 0;
	for (size_t i = 0; i < a->n_extra; i++) {
		const char *v = cartel_person_attr(b, a->extra[i].key);
		if (v == NULL || strcmp(v, a->extra[i].value) != 0)
			return 0;
	}
	return 1;
}
