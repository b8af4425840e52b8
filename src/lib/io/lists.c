/*
 * Lists as they arrive: header names and enumerated values in Ukrainian
 * and Russian, read from two documented tables in data/ (list_columns.tsv
 * and list_values.tsv) and held, folded, in two sorted arrays for the
 * life of the process.
 *
 * Folding makes the comparisons forgiving in the ways spreadsheets differ:
 * case (ICU's full case folding), the apostrophe (Ukrainian writes Ім'я
 * with ', ’ or ʼ), runs of spaces, ё for е, surrounding spaces and a
 * trailing colon. Nothing else is guessed: a header that is not in the
 * table stays unknown.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/ustring.h>

#include <cartel/data.h>
#include <cartel/error.h>
#include <cartel/limits.h>

#include "core/intl.h"
#include "core/why.h"
#include "io/lists.h"

/* A folded key is at most this many UTF-16 units; longer cells are never
 * in the tables. */
#define KEY_UNITS 128

struct entry {
	char *key; /* folded, UTF-8 */
	const struct cartel_field *field;
	const char *value; /* list_values: the stored spelling (static) */
};

struct table {
	struct entry *e;
	size_t n, cap;
};

static struct table columns, values;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int load_err;
static char *load_why;

int
cartel__lists_non_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 1;
	return 0;
}

/* Folds s into out (UTF-8, NUL-terminated); 0, or -1 when s is too long
 * or not UTF-8. */
static int
fold(const char *s, char *out, size_t size)
{
	UChar in[KEY_UNITS], folded[KEY_UNITS], tidy[KEY_UNITS];
	int32_t n = 0;
	UErrorCode st = U_ZERO_ERROR;
	u_strFromUTF8(in, KEY_UNITS, &n, s, -1, &st);
	if (U_FAILURE(st) || st == U_STRING_NOT_TERMINATED_WARNING)
		return -1;
	int32_t m =
	    u_strFoldCase(folded, KEY_UNITS, in, n, U_FOLD_CASE_DEFAULT, &st);
	if (U_FAILURE(st) || m >= KEY_UNITS)
		return -1;
	int32_t k = 0;
	for (int32_t i = 0; i < m; i++) {
		UChar c = folded[i];
		switch (c) {
		case 0x2019:
		case 0x02BC:
		case 0x2018:
		case 0x0060:
		case 0x00B4:
		case 0x02B9:
		case 0x2032:
			c = 0x0027;
			break;
		case 0x0451:
			c = 0x0435; /* ё */
			break;
		case 0x00A0:
		case 0x0009:
			c = 0x0020;
			break;
		default:
			break;
		}
		if (c == 0x0020 && (k == 0 || tidy[k - 1] == 0x0020))
			continue;
		tidy[k++] = c;
	}
	while (k > 0 && (tidy[k - 1] == 0x0020 || tidy[k - 1] == ':'))
		k--;
	int32_t len = 0;
	u_strToUTF8(out, (int32_t)size, &len, tidy, k, &st);
	if (U_FAILURE(st) || (size_t)len >= size)
		return -1;
	out[len] = '\0';
	return 0;
}

static int
col_cmp(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->key,
	              ((const struct entry *)b)->key);
}

/* Values are keyed by their column's enum kind too. */
static int
val_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c != 0 ? c : (int)x->field->kind - (int)y->field->kind;
}

static int
table_add(struct table *t, const char *key, const struct cartel_field *f,
          const char *value)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 128;
		struct entry *e = realloc(t->e, cap * sizeof *e);
		if (e == NULL)
			return CARTEL_ENOMEM;
		t->e = e;
		t->cap = cap;
	}
	char *k = strdup(key);
	if (k == NULL)
		return CARTEL_ENOMEM;
	t->e[t->n++] = (struct entry){k, f, value};
	return 0;
}

/* Reads one table: each line's tab-separated fields to add_line. */
static int
read_table(const char *file, int n_cols, struct table *t, char **why)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", cartel_data_dir(), file);
	FILE *fp = fopen(path, "r");
	if (fp == NULL)
		return cartel__why(why, CARTEL_EIO, "cannot read %s: %s", path,
		                   strerror(errno));
	char line[1024];
	size_t line_no = 0;
	int err = 0;
	while (err == 0 && fgets(line, sizeof line, fp) != NULL) {
		line_no++;
		size_t len = strcspn(line, "\r\n");
		line[len] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		char *col[3] = {line, NULL, NULL};
		int n = 1;
		for (char *p = line; *p && n <= 3; p++)
			if (*p == '\t') {
				*p = '\0';
				if (n < 3)
					col[n] = p + 1;
				n++;
			}
		const struct cartel_field *f =
		    n == n_cols ? cartel_field_find(col[0]) : NULL;
		const char *word = col[n_cols - 1];
		const char *value = NULL;
		char key[512];
		if (f == NULL || word == NULL || word[0] == '\0') {
			err = CARTEL_EFORMAT;
		} else if (n_cols == 2) {
			/* An English name keeps its meaning: a column or an
			 * attribute, never a translation. */
			char *rwhy = NULL;
			if (cartel_attr_name_check(word, &rwhy) == 0 ||
			    cartel_field_find(word) != NULL)
				err = CARTEL_EFORMAT;
			free(rwhy);
		} else {
			int v;
			char *rwhy = NULL;
			if (f->type != CARTEL_FIELD_ENUM ||
			    cartel_enum_parse(f->kind, col[1], &v, &rwhy) != 0)
				err = CARTEL_EFORMAT;
			else
				value = cartel_enum_name(f->kind, v);
			free(rwhy);
		}
		if (err == 0 && fold(word, key, sizeof key) != 0)
			err = CARTEL_EFORMAT;
		if (err == 0 && table_add(t, key, f, value) != 0)
			err = CARTEL_ENOMEM;
		if (err == CARTEL_EFORMAT)
			cartel__why(
			    why, err, "%s, line %zu: not a valid entry (%s)",
			    path, line_no,
			    n_cols == 2 ? "an import column, a tab, "
			                  "a header name that is not "
			                  "an English column or "
			                  "attribute name"
			                : "an enumerated import column, "
			                  "a tab, one of its values, a "
			                  "tab, a word");
		else if (err != 0)
			cartel__why(why, err, "out of memory");
	}
	fclose(fp);
	if (err != 0)
		return err;
	int (*cmp)(const void *, const void *) =
	    n_cols == 2 ? col_cmp : val_cmp;
	qsort(t->e, t->n, sizeof *t->e, cmp);
	for (size_t i = 1; i < t->n; i++)
		if (cmp(&t->e[i - 1], &t->e[i]) == 0 &&
		    (t->e[i - 1].field != t->e[i].field ||
		     t->e[i - 1].value != t->e[i].value))
			return cartel__why(why, CARTEL_EFORMAT,
			                   "%s: one name stands for two "
			                   "different things",
			                   path);
	return 0;
}

static void
load_once(void)
{
	load_err = read_table("list_columns.tsv", 2, &columns, &load_why);
	if (load_err == 0)
		load_err = read_table("list_values.tsv", 3, &values, &load_why);
}

int
cartel__lists_load(char **why)
{
	pthread_once(&once, load_once);
	if (load_err != 0)
		return cartel__why(why, load_err, "%s",
		                   load_why ? load_why : _("the list tables"));
	return 0;
}

static const struct entry *
find(const struct table *t, const char *text,
     const struct cartel_field *kind_of)
{
	char key[512];
	if (t->n == 0 || fold(text, key, sizeof key) != 0)
		return NULL;
	struct entry probe = {key, kind_of, NULL};
	return bsearch(&probe, t->e, t->n, sizeof *t->e,
	               kind_of != NULL ? val_cmp : col_cmp);
}

const struct cartel_field *
cartel__lists_column(const char *header)
{
	const struct entry *e = find(&columns, header, NULL);
	return e != NULL ? e->field : NULL;
}

const char *
cartel__lists_value(const struct cartel_field *f, const char *cell)
{
	if (f == NULL || f->type != CARTEL_FIELD_ENUM)
		return NULL;
	const struct entry *e = find(&values, cell, f);
	return e != NULL ? e->value : NULL;
}
