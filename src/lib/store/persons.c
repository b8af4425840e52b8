/*
 * Reading the current state of persons from the persons and person_attrs
 * tables into struct cartel_person.
 *
 * The stored values are the fields' text forms (cartel_person_field_text),
 * so reading a row back is setting each field from its text.
 */
#include <stdlib.h>
#include <string.h>

#include <cartel/error.h>
#include <cartel/limits.h>
#include <cartel/register.h>
#include <cartel/store.h>

#include "core/why.h"
#include "store/store_cols.h"
#include "store/match_rows.h"
#include "store/store_int.h"

int
cartel__person_from_row(sqlite3_stmt *st, int col, struct cartel_person *p,
			char **why)
{
	size_t n;
	const struct cartel_field *f = cartel_fields(&n);
	for (size_t i = 0; i < n; i++) {
		const char *text =
			(const char *)sqlite3_column_text(st, col + (int)i);
		if (text == NULL)
			continue;
		int err = cartel_person_set_field(p, &f[i], text, why);
		if (err != 0)
			return err;
	}
	return 0;
}

/* Attaches the extra attributes to persons[0..n), which are ordered by id
 * as the attribute query is. */
static int
load_attrs(struct cartel_db *db, struct cartel_person *persons, size_t n,
	   const char *only_id, char **why)
{
	sqlite3 *sql = cartel__db_sqlite(db);
	sqlite3_stmt *st;
	int rc;
	/* One person's attributes: a cached statement, read per event. */
	if (only_id != NULL) {
		st = cartel__db_stmt(
			db, CARTEL__ST_PERSON_ATTRS,
			"SELECT p.id, a.key, a.value FROM person_attrs a "
			"JOIN persons p ON p.pk = a.person WHERE p.id = ?1 "
			"ORDER BY a.key",
			why);
		if (st == NULL)
			return CARTEL_EDB;
	} else {
		rc = sqlite3_prepare_v2(sql,
					"SELECT p.id, a.key, a.value FROM "
					"person_attrs a JOIN persons p ON "
					"p.pk = a.person ORDER BY p.id, a.key",
					-1, &st, NULL);
		if (rc != SQLITE_OK)
			return cartel__db_err(db, rc, "reading attributes",
					      why);
	}
	if (only_id != NULL)
		sqlite3_bind_text(st, 1, only_id, -1, SQLITE_STATIC);
	size_t i = 0;
	int err = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		while (i < n && strcmp(persons[i].id, id) < 0)
			i++;
		if (i == n || strcmp(persons[i].id, id) != 0)
			continue;
		err = cartel_person_set_attr(
			&persons[i], (const char *)sqlite3_column_text(st, 1),
			(const char *)sqlite3_column_text(st, 2));
		if (err != 0) {
			cartel__why(why, err, "out of memory");
			break;
		}
	}
	if (err == 0 && rc != SQLITE_DONE)
		err = cartel__db_err(db, rc, "reading attributes", why);
	if (only_id != NULL)
		sqlite3_reset(st);
	else
		sqlite3_finalize(st);
	return err;
}

int
cartel_db_persons(struct cartel_db *db, struct cartel_person **out,
		  size_t *n_out, char **why)
{
	return cartel__db_persons_pg(db, out, n_out, NULL, why);
}

int
cartel__db_persons_pg(struct cartel_db *db, struct cartel_person **out,
		      size_t *n_out, struct cartel__progress *pg, char **why)
{
	*out = NULL;
	*n_out = 0;
	sqlite3 *sql = cartel__db_sqlite(db);
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(
		sql,
		"SELECT pk, " CARTEL__PERSON_COLS
		" FROM persons WHERE " CARTEL__NOT_MERGED("id") " ORDER BY id",
		-1, &st, NULL);
	if (rc != SQLITE_OK)
		return cartel__db_err(db, rc, "reading persons", why);
	struct cartel_person *p = NULL;
	size_t n = 0, cap = 0;
	int err = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct cartel_person *g = realloc(p, ncap * sizeof(*p));
			if (g == NULL) {
				err = cartel__why(why, CARTEL_ENOMEM,
						  "out of memory");
				break;
			}
			p = g;
			cap = ncap;
		}
		memset(&p[n], 0, sizeof(p[n]));
		n++;
		err = cartel__person_from_row(st, 1, &p[n - 1], why);
		if (err != 0)
			break;
		cartel__progress_at(pg, n);
	}
	if (err == 0 && rc != SQLITE_DONE)
		err = cartel__db_err(db, rc, "reading persons", why);
	sqlite3_finalize(st);
	if (err == 0)
		err = load_attrs(db, p, n, NULL, why);
	if (err != 0) {
		cartel_persons_free(p, n);
		return err;
	}
	*out = p;
	*n_out = n;
	return 0;
}

void
cartel_persons_free(struct cartel_person *p, size_t n)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		cartel_person_clear(&p[i]);
	free(p);
}

int
cartel_person_get(struct cartel_db *db, const char *id,
		  struct cartel_person *out, char **why)
{
	memset(out, 0, sizeof(*out));
	if (id == NULL)
		return cartel__why(why, CARTEL_EINVAL, "no person id");
	/* A record merged into another is an alias of it. */
	char *keep = NULL;
	int err = cartel__person_resolve(db, id, &keep, why);
	if (err != 0)
		return err;
	if (keep != NULL)
		id = keep;
	sqlite3_stmt *st = cartel__db_stmt(db, CARTEL__ST_PERSON_GET,
					   "SELECT pk, " CARTEL__PERSON_COLS
					   " FROM persons WHERE id = ?1",
					   why);
	if (st == NULL) {
		free(keep);
		return CARTEL_EDB;
	}
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		err = cartel__person_from_row(st, 1, out, why);
	else if (rc == SQLITE_DONE)
		err = cartel__why(why, CARTEL_ENOTFOUND, "no person with id %s",
				  id);
	else
		err = cartel__db_err(db, rc, "reading a person", why);
	sqlite3_reset(st);
	if (err == 0)
		err = load_attrs(db, out, 1, id, why);
	if (err != 0)
		cartel_person_clear(out);
	free(keep);
	return err;
}

int
cartel_db_persons_each(struct cartel_db *db,
		       int (*fn)(void *ctx, const struct cartel_person *p),
		       void *ctx, char **why)
{
	sqlite3 *sql = cartel__db_sqlite(db);
	sqlite3_stmt *ps = NULL, *at = NULL;
	int rc = sqlite3_prepare_v2(
		sql,
		"SELECT pk, " CARTEL__PERSON_COLS
		" FROM persons WHERE " CARTEL__NOT_MERGED("id") " ORDER BY id",
		-1, &ps, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(
			sql,
			"SELECT p.id, a.key, a.value FROM person_attrs a "
			"JOIN persons p ON p.pk = a.person "
			"ORDER BY p.id, a.key",
			-1, &at, NULL);
	int err = 0;
	if (rc != SQLITE_OK) {
		err = cartel__db_err(db, rc, "reading persons", why);
		goto done;
	}
	/* Both walks are in id order, so the attributes are merged in as
	 * each person goes by. */
	int at_rc = sqlite3_step(at);
	while ((rc = sqlite3_step(ps)) == SQLITE_ROW) {
		struct cartel_person p = {0};
		err = cartel__person_from_row(ps, 1, &p, why);
		while (err == 0 && at_rc == SQLITE_ROW) {
			const char *id =
				(const char *)sqlite3_column_text(at, 0);
			int c = strcmp(id, p.id);
			if (c > 0)
				break;
			if (c == 0 &&
			    cartel_person_set_attr(
				    &p,
				    (const char *)sqlite3_column_text(at, 1),
				    (const char *)sqlite3_column_text(at, 2)) !=
				    0)
				err = cartel__why(why, CARTEL_ENOMEM,
						  "out of memory");
			at_rc = sqlite3_step(at);
		}
		if (err == 0)
			err = fn(ctx, &p);
		cartel_person_clear(&p);
		if (err != 0)
			goto done;
	}
	if (rc != SQLITE_DONE)
		err = cartel__db_err(db, rc, "reading persons", why);
done:
	sqlite3_finalize(ps);
	sqlite3_finalize(at);
	return err;
}

int
cartel_db_attr_keys(struct cartel_db *db, char ***keys_out, size_t *n_out,
		    char **why)
{
	*keys_out = NULL;
	*n_out = 0;
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(cartel__db_sqlite(db),
				    "SELECT DISTINCT key FROM person_attrs "
				    "ORDER BY key",
				    -1, &st, NULL);
	if (rc != SQLITE_OK)
		return cartel__db_err(db, rc, "reading attributes", why);
	char **keys = NULL;
	size_t n = 0;
	int err = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char **g = realloc(keys, (n + 1) * sizeof(*g));
		char *k = cartel__strdup(
			(const char *)sqlite3_column_text(st, 0));
		if (g != NULL)
			keys = g;
		if (g == NULL || k == NULL) {
			free(k);
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
			break;
		}
		keys[n++] = k;
	}
	if (err == 0 && rc != SQLITE_DONE)
		err = cartel__db_err(db, rc, "reading attributes", why);
	sqlite3_finalize(st);
	if (err != 0) {
		for (size_t i = 0; i < n; i++)
			free(keys[i]);
		free(keys);
		return err;
	}
	*keys_out = keys;
	*n_out = n;
	return 0;
}

static int
key_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
cartel__attr_room(struct cartel_db *db, char *const *keys, size_t n,
		  char **why)
{
	if (n == 0)
		return 0;
	char **have;
	size_t n_have;
	int err = cartel_db_attr_keys(db, &have, &n_have, why);
	if (err != 0)
		return err;
	/* Sorted once, each new name is one binary search. */
	if (n_have > 1)
		qsort(have, n_have, sizeof *have, key_cmp);
	size_t total = n_have;
	for (size_t i = 0; i < n; i++)
		if (n_have == 0 || bsearch(&keys[i], have, n_have,
					   sizeof *have, key_cmp) == NULL)
			total++;
	for (size_t i = 0; i < n_have; i++)
		free(have[i]);
	free(have);
	size_t n_fields;
	cartel_fields(&n_fields);
	size_t limit = CARTEL_LIMIT_COLUMNS - n_fields;
	if (total > limit)
		return cartel__why(why, CARTEL_ERANGE,
				   "the register would hold %zu attribute "
				   "names, past the limit of %zu (an export "
				   "has a column for each, after the %zu "
				   "fields, and at most %d in all)",
				   total, limit, n_fields,
				   CARTEL_LIMIT_COLUMNS);
	return 0;
}

_Static_assert(CARTEL__PERSON_NTEXTS == CARTEL__PERSON_NCOLS,
	       "import_rows.h counts the persons table's columns");

int
cartel__person_next_pk(struct cartel_db *db, long long *pk, char **why)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(cartel__db_sqlite(db),
				    "SELECT coalesce(max(pk), 0) + 1 "
				    "FROM persons",
				    -1, &st, NULL);
	if (rc != SQLITE_OK)
		return cartel__db_err(db, rc, "reading persons", why);
	rc = sqlite3_step(st);
	*pk = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW
		       ? 0
		       : cartel__db_err(db, rc, "reading persons", why);
}
