/*
 * Reading a list to link or deduplicate: the import CSV format
 * (docs/import.md), of which only `id` is required and only the identity
 * columns are read. A list that cannot be read whole is refused whole: a
 * link over half a file would silently tell families "no record".
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cartel/csv.h>
#include <cartel/date.h>
#include <cartel/error.h>
#include <cartel/match.h>

#include "core/why.h"

enum {
	C_ID,
	C_FAMILY,
	C_GIVEN,
	C_PATR,
	C_BORN,
	C_PLACE,
	C_SERVICE,
	C_SEX,
	C_NAME,
	C_N
};

static const char *const col_names[C_N] = {
	"id",	      "family_name", "given_name",     "patronymic",
	"birth_date", "birth_place", "service_number", "sex",
	"name",
};

static char *
trimmed(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0)
		return NULL;
	char *d = malloc(n + 1);
	if (d != NULL) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

void
cartel_match_persons_free(struct cartel_person *p, size_t n)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		cartel_person_clear(&p[i]);
	free(p);
}

struct id_row {
	const char *id;
	size_t row;
};

static int
cmp_id(const void *a, const void *b)
{
	const struct id_row *x = a, *y = b;
	int c = strcmp(x->id, y->id);
	if (c != 0)
		return c;
	return (x->row > y->row) - (x->row < y->row);
}

int
cartel_match_read_csv(FILE *fp, const char *name, size_t max_field,
		      struct cartel_person **out, size_t *n_out,
		      size_t *n_bad_dates, char **why)
{
	*out = NULL;
	*n_out = 0;
	if (n_bad_dates != NULL)
		*n_bad_dates = 0;
	struct cartel_csv *csv;
	int rc = cartel_csv_open(&csv, fp, name, max_field);
	if (rc != 0)
		return cartel__why(why, rc, "out of memory");
	char **f;
	size_t nf;
	rc = cartel_csv_next(csv, &f, &nf, why);
	if (rc == 0) {
		cartel_csv_close(csv);
		return cartel__why(why, CARTEL_EFORMAT,
				   "%s: the file is empty (a list needs at "
				   "least a header line with an 'id' column)",
				   name);
	}
	if (rc < 0) {
		cartel_csv_close(csv);
		return rc;
	}
	int col[C_N];
	for (int c = 0; c < C_N; c++)
		col[c] = -1;
	for (size_t i = 0; i < nf; i++) {
		char *h = trimmed(f[i]);
		if (h == NULL)
			continue;
		for (int c = 0; c < C_N; c++)
			if (col[c] < 0 && strcasecmp(h, col_names[c]) == 0)
				col[c] = (int)i;
		free(h);
	}
	if (col[C_ID] < 0) {
		cartel_csv_close(csv);
		return cartel__why(why, CARTEL_EFORMAT,
				   "%s: row 1: the header has no 'id' column "
				   "(columns are named in the first line; see "
				   "docs/matching.md)",
				   name);
	}
	struct cartel_person *p = NULL;
	size_t *rows = NULL;
	size_t n = 0, cap = 0, bad_dates = 0;
	while ((rc = cartel_csv_next(csv, &f, &nf, why)) == 1) {
		size_t row = cartel_csv_record_no(csv);
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 1024;
			struct cartel_person *np = realloc(p, nc * sizeof *np);
			if (np == NULL) {
				rc = CARTEL_ENOMEM;
				break;
			}
			p = np;
			size_t *nr = realloc(rows, nc * sizeof *nr);
			if (nr == NULL) {
				rc = CARTEL_ENOMEM;
				break;
			}
			rows = nr;
			cap = nc;
		}
		struct cartel_person *q = &p[n];
		memset(q, 0, sizeof *q);
		rows[n] = row;
		n++;
		const char *v[C_N];
		for (int c = 0; c < C_N; c++)
			v[c] = col[c] >= 0 && (size_t)col[c] < nf ? f[col[c]]
								  : "";
		char **dst[] = {&q->id,	       &q->family_name,
				&q->given_name, &q->patronymic,
				NULL,	       &q->birth_place,
				&q->service_number};
		for (int c = 0; c < C_SEX; c++) {
			if (dst[c] == NULL || v[c][0] == '\0')
				continue;
			if ((*dst[c] = trimmed(v[c])) == NULL &&
			    strspn(v[c], " \t") != strlen(v[c])) {
				rc = CARTEL_ENOMEM;
				break;
			}
		}
		if (rc < 0)
			break;
		if (q->id == NULL) {
			rc = cartel__why(why, CARTEL_EFORMAT,
					 "%s: row %zu: the id is empty (every "
					 "record needs its own id)",
					 name, row);
			break;
		}
		if (v[C_BORN][0] != '\0' &&
		    cartel_date_parse(v[C_BORN], &q->birth_date, NULL) != 0) {
			q->birth_date.year = q->birth_date.month =
				q->birth_date.day = 0;
			bad_dates++;
		}
		/* A whole name in one column, as some lists carry it: read
		 * as a search reads a typed name, when the row has no name
		 * fields of its own. */
		if (v[C_NAME][0] != '\0' && q->family_name == NULL &&
		    q->given_name == NULL && q->patronymic == NULL) {
			struct cartel_person nm;
			int e = cartel_match_parse_name(v[C_NAME], NULL, &nm,
							why);
			if (e == 0) {
				q->family_name = nm.family_name;
				q->given_name = nm.given_name;
				q->patronymic = nm.patronymic;
				if (q->birth_date.year == 0)
					q->birth_date = nm.birth_date;
			} else if (e != CARTEL_EINVAL) {
				rc = e;
				break;
			} else if (why != NULL) {
				free(*why);
				*why = NULL;
			}
		}
		if (v[C_SEX][0] != '\0') {
			int sex;
			if (cartel_enum_parse(CARTEL_ENUM_SEX, v[C_SEX], &sex,
					      NULL) == 0)
				q->sex = (enum cartel_sex)sex;
		}
	}
	cartel_csv_close(csv);
	if (rc == 0 && n > 1) {
		struct id_row *ids = malloc(n * sizeof *ids);
		if (ids == NULL) {
			rc = CARTEL_ENOMEM;
		} else {
			for (size_t i = 0; i < n; i++) {
				ids[i].id = p[i].id;
				ids[i].row = rows[i];
			}
			qsort(ids, n, sizeof *ids, cmp_id);
			for (size_t i = 1; i < n; i++)
				if (strcmp(ids[i].id, ids[i - 1].id) == 0) {
					rc = cartel__why(
						why, CARTEL_EFORMAT,
						"%s: row %zu: id '%s' is "
						"already used in row %zu (ids "
						"must be unique)",
						name, ids[i].row, ids[i].id,
						ids[i - 1].row);
					break;
				}
			free(ids);
		}
	}
	free(rows);
	if (rc < 0) {
		if (rc == CARTEL_ENOMEM)
			cartel__why(why, rc, "%s: out of memory", name);
		cartel_match_persons_free(p, n);
		return rc;
	}
	*out = p;
	*n_out = n;
	if (n_bad_dates != NULL)
		*n_bad_dates = bad_dates;
	return 0;
}
