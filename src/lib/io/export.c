/*
 * Exporting the register as the import CSV (so that an export imports
 * back unchanged) or as JSON, streaming person by person.
 *
 * JSON ownership: every json_t made here is owned by this file and
 * released before the function that made it returns.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <cartel/csv.h>
#include <cartel/error.h>
#include <cartel/register.h>
#include <cartel/store.h>

#include "core/why.h"

struct csv_out {
	FILE *fp;
	char **keys; /* extra attribute columns */
	size_t n_keys;
	const char **row;
	char (*bufs)[CARTEL_FIELD_TEXT_MAX];
	size_t n_fields;
	const struct cartel_field *fields;
	int defuse;      /* --for-spreadsheet */
	char *defused;   /* scratch for one defused cell */
	size_t defused_cap;
	long long n;     /* persons written */
};

/*
 * A cell a spreadsheet would run as a formula (one beginning with =, +,
 * -, @, a tab or a carriage return) gets a leading apostrophe, which a
 * spreadsheet shows as nothing and takes to mean "text". Only for
 * --for-spreadsheet: the default export stays a byte-exact round trip.
 * Returns the cell, or a copy in the row's scratch (one per row:
 * `slot` bytes offset), or NULL when out of memory.
 */
static int
needs_defuse(const char *v)
{
	return v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' ||
	       v[0] == '\t' || v[0] == '\r';
}

static int
defuse_row(struct csv_out *o, size_t n)
{
	size_t need = 0;
	for (size_t i = 0; i < n; i++)
		if (needs_defuse(o->row[i]))
			need += strlen(o->row[i]) + 2;
	if (need == 0)
		return 0;
	if (need > o->defused_cap) {
		char *nb = realloc(o->defused, need);
		if (nb == NULL)
			return CARTEL_ENOMEM;
		o->defused = nb;
		o->defused_cap = need;
	}
	char *at = o->defused;
	for (size_t i = 0; i < n; i++) {
		if (!needs_defuse(o->row[i]))
			continue;
		size_t len = strlen(o->row[i]);
		at[0] = '\'';
		memcpy(at + 1, o->row[i], len + 1);
		o->row[i] = at;
		at += len + 2;
	}
	return 0;
}

static int
csv_person(void *ctx, const struct cartel_person *p)
{
	struct csv_out *o = ctx;
	for (size_t i = 0; i < o->n_fields; i++)
		o->row[i] = cartel_person_field_text(
			p, &o->fields[i], o->bufs[i], CARTEL_FIELD_TEXT_MAX);
	for (size_t k = 0; k < o->n_keys; k++) {
		const char *v = cartel_person_attr(p, o->keys[k]);
		o->row[o->n_fields + k] = v != NULL ? v : "";
	}
	if (o->defuse && defuse_row(o, o->n_fields + o->n_keys) != 0)
		return CARTEL_ENOMEM;
	o->n++;
	return cartel_csv_write_row(o->fp, o->row, o->n_fields + o->n_keys);
}

int
cartel_export_csv(struct cartel_db *db, FILE *out, char **why)
{
	return cartel_export_csv_opts(db, out, NULL, NULL, why);
}

int
cartel_export_csv_opts(struct cartel_db *db, FILE *out,
		       const struct cartel_export_opts *opts,
		       long long *n_persons, char **why)
{
	struct csv_out o = {0};
	o.fp = out;
	o.defuse = opts != NULL && opts->for_spreadsheet;
	if (n_persons != NULL)
		*n_persons = 0;
	o.fields = cartel_fields(&o.n_fields);
	int err = cartel_db_attr_keys(db, &o.keys, &o.n_keys, why);
	if (err != 0)
		return err;
	o.row = calloc(o.n_fields + o.n_keys, sizeof(*o.row));
	o.bufs = calloc(o.n_fields, sizeof(*o.bufs));
	if (o.row == NULL || o.bufs == NULL) {
		err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < o.n_fields; i++)
		o.row[i] = o.fields[i].name;
	for (size_t k = 0; k < o.n_keys; k++)
		o.row[o.n_fields + k] = o.keys[k];
	err = cartel_csv_write_row(out, o.row, o.n_fields + o.n_keys);
	if (err == 0)
		err = cartel_db_persons_each(db, csv_person, &o, why);
	if (err == 0 && fflush(out) != 0)
		err = CARTEL_EIO;
	if (err == CARTEL_EIO)
		cartel__why(why, err, "writing the export: %s",
			    strerror(errno));
	if (err == CARTEL_ENOMEM)
		cartel__why(why, err, "out of memory");
	if (err == 0 && n_persons != NULL)
		*n_persons = o.n;
done:
	for (size_t k = 0; k < o.n_keys; k++)
		free(o.keys[k]);
	free(o.keys);
	free(o.row);
	free(o.bufs);
	free(o.defused);
	return err;
}

/* One person as a JSON object: every field (null when unknown), extra
 * attributes under "extra". Returns a new reference or NULL. */
static json_t *
person_json(const struct cartel_person *p)
{
	size_t n;
	const struct cartel_field *f = cartel_fields(&n);
	json_t *o = json_object();
	if (o == NULL)
		return NULL;
	char buf[CARTEL_FIELD_TEXT_MAX];
	for (size_t i = 0; i < n; i++) {
		const char *t =
			cartel_person_field_text(p, &f[i], buf, sizeof buf);
		json_t *v = t[0] != '\0' ? json_string(t) : json_null();
		if (v == NULL || json_object_set_new(o, f[i].name, v) != 0)
			goto fail;
	}
	json_t *extra = json_object();
	if (extra == NULL || json_object_set_new(o, "extra", extra) != 0)
		goto fail;
	for (size_t i = 0; i < p->n_extra; i++) {
		json_t *v = json_string(p->extra[i].value);
		if (v == NULL ||
		    json_object_set_new(extra, p->extra[i].key, v) != 0)
			goto fail;
	}
	return o;
fail:
	json_decref(o);
	return NULL;
}

char *
cartel_person_json(const struct cartel_person *p)
{
	json_t *j = person_json(p);
	if (j == NULL)
		return NULL;
	char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	return s;
}

struct json_out {
	FILE *fp;
	size_t n;
};

static int
json_person(void *ctx, const struct cartel_person *p)
{
	struct json_out *o = ctx;
	json_t *j = person_json(p);
	if (j == NULL)
		return CARTEL_ENOMEM;
	if (fputs(o->n ? ",\n  " : "\n  ", o->fp) == EOF) {
		json_decref(j);
		return CARTEL_EIO;
	}
	int rc = json_dumpf(j, o->fp, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	o->n++;
	return rc == 0 ? 0 : CARTEL_EIO;
}

int
cartel_export_json(struct cartel_db *db, FILE *out, char **why)
{
	return cartel_export_json_n(db, out, NULL, why);
}

int
cartel_export_json_n(struct cartel_db *db, FILE *out, long long *n_persons,
		     char **why)
{
	struct json_out o = {out, 0};
	if (n_persons != NULL)
		*n_persons = 0;
	if (fputc('[', out) == EOF)
		return cartel__why(why, CARTEL_EIO, "writing the export: %s",
				   strerror(errno));
	int err = cartel_db_persons_each(db, json_person, &o, why);
	if (err == 0 &&
	    (fputs(o.n ? "\n]\n" : "]\n", out) == EOF || fflush(out) != 0))
		err = CARTEL_EIO;
	if (err == CARTEL_EIO)
		return cartel__why(why, err, "writing the export: %s",
				   strerror(errno));
	if (err == CARTEL_ENOMEM)
		return cartel__why(why, err, "out of memory");
	if (err == 0 && n_persons != NULL)
		*n_persons = (long long)o.n;
	return err;
}
