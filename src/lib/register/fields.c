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
#include <cartel/limits.h>
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

/* The index of `key` in p->extra, or where it would go (*found 0). The
 * common case, attributes read back in key order, is the last slot. */
static size_t
attr_find(const struct cartel_person *p, const char *key, int *found)
{
	size_t lo = 0, hi = p->n_extra;
	if (hi > 0 && strcmp(p->extra[hi - 1].key, key) < 0) {
		*found = 0;
		return hi;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(p->extra[mid].key, key);
		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = 0;
	return lo;
}

int
cartel_person_set_attr(struct cartel_person *p, const char *key,
		       const char *value)
{
	int found;
	size_t i = attr_find(p, key, &found);
	if (found) {
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
	/* Room grows by doubling: capacity is the next power of two. */
	size_t n = p->n_extra;
	if ((n & (n - 1)) == 0) {
		size_t cap = n ? 2 * n : 1;
		struct cartel_attr *grown =
			realloc(p->extra, cap * sizeof(p->extra[0]));
		if (grown == NULL)
			return CARTEL_ENOMEM;
		p->extra = grown;
	}
	char *k = strdup(key), *v = strdup(value);
	if (k == NULL || v == NULL) {
		free(k);
		free(v);
		return CARTEL_ENOMEM;
	}
	memmove(&p->extra[i + 1], &p->extra[i], (n - i) * sizeof(p->extra[0]));
	p->extra[i].key = k;
	p->extra[i].value = v;
	p->n_extra++;
	return 0;
}

const char *
cartel_person_attr(const struct cartel_person *p, const char *key)
{
	int found;
	size_t i = attr_find(p, key, &found);
	return found ? p->extra[i].value : NULL;
}

int
cartel_attr_name_check(const char *name, char **why)
{
	size_t n = name != NULL ? strlen(name) : 0;
	int ok = n >= 1 && n <= CARTEL_LIMIT_ATTR_NAME && name[0] >= 'a' &&
		 name[0] <= 'z';
	for (size_t i = 1; ok && i < n; i++) {
		char c = name[i];
		ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		     c == '_';
	}
	if (!ok)
		return cartel__why(why, CARTEL_EINVAL,
				   "an attribute name is 1 to %d of a-z, 0-9 "
				   "and _, starting with a letter",
				   CARTEL_LIMIT_ATTR_NAME);
	if (cartel_field_find(name) != NULL)
		return cartel__why(why, CARTEL_EINVAL,
				   "an attribute cannot take the name of the "
				   "field %s",
				   name);
	return 0;
}

int
cartel_party_check(const char *code, char **why)
{
	size_t n = code != NULL ? strlen(code) : 0;
	int ok = n >= CARTEL_LIMIT_PARTY_MIN && n <= CARTEL_LIMIT_PARTY_MAX;
	for (size_t i = 0; ok && i < n; i++)
		ok = (code[i] >= 'A' && code[i] <= 'Z') ||
		     (code[i] >= '0' && code[i] <= '9');
	if (!ok)
		return cartel__why(why, CARTEL_EINVAL,
				   "a party is a code of %d to %d capital "
				   "letters A-Z or digits, such as UA",
				   CARTEL_LIMIT_PARTY_MIN,
				   CARTEL_LIMIT_PARTY_MAX);
	return 0;
}

/* Dates that record something that happened, which cannot lie ahead of
 * today. */
static const struct {
	const char *name;
	size_t offset;
} happened[] = {
	{"birth_date", OFF(birth_date)},   {"captured_on", OFF(captured_on)},
	{"held_since", OFF(held_since)},   {"direct_rep_on", OFF(direct_rep_on)},
	{"consent_on", OFF(consent_on)},
};

int
cartel_person_check(const struct cartel_person *p,
		    const struct cartel_date *today, const char **field,
		    char **why)
{
	const char *dummy;
	if (field == NULL)
		field = &dummy;
	/* No message here quotes a value: dates of birth and of capture
	 * point at a person as surely as a name does. */
	if (today != NULL && cartel_date_known(today)) {
		long limit = cartel_date_days(today) + CARTEL_LIMIT_FUTURE_DAYS;
		for (size_t i = 0; i < sizeof happened / sizeof happened[0];
		     i++) {
			const struct cartel_date *d =
				(const struct cartel_date *)((const char *)p +
							     happened[i]
								     .offset);
			/* A partial date is in the future only when its
			 * first day is. */
			if (cartel_date_known(d) &&
			    cartel_date_days(d) > limit) {
				*field = happened[i].name;
				return cartel__why(why, CARTEL_EINVAL,
						   "%s is in the future",
						   happened[i].name);
			}
		}
	}
	const struct cartel_date *born = &p->birth_date;
	if (cartel_date_known(born) && cartel_date_known(&p->captured_on) &&
	    cartel_date_cmp(&p->captured_on, born) < 0) {
		*field = "captured_on";
		return cartel__why(why, CARTEL_EINVAL,
				   "captured_on is before birth_date");
	}
	if (cartel_date_known(born) && cartel_date_known(&p->held_since) &&
	    cartel_date_cmp(&p->held_since, born) < 0) {
		*field = "held_since";
		return cartel__why(why, CARTEL_EINVAL,
				   "held_since is before birth_date");
	}
	if (p->held_by != NULL && cartel_party_check(p->held_by, NULL) != 0) {
		*field = "held_by";
		return cartel_party_check(p->held_by, why);
	}
	if (p->depends_on != NULL &&
	    cartel_party_check(p->depends_on, NULL) != 0) {
		*field = "depends_on";
		return cartel_party_check(p->depends_on, why);
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
