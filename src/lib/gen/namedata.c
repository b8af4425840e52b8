/*
 * Loading and checking the shipped name data (the .tsv files under data/).
 *
 * The files are edited by hand, so the loader is strict: a wrong column
 * count, a sex other than m/f, Cyrillic in a Latin spelling, a patronymic
 * of the wrong shape or a duplicate row is an error naming the file, line
 * and column, and the test suite loads the shipped files, so a broken edit
 * fails the build's checks rather than skewing a generated register.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cartel/csv.h>
#include <cartel/error.h>

#include "core/why.h"
#include "gen/gen_int.h"

/* A data line longer than this is a fault, not a name. */
#define LINE_MAX_BYTES 65536
#define MAX_COLS 8

struct tsv {
	const char *path;
	FILE *fp;
	char *line;
	size_t cap;
	size_t line_no;
	char *f[MAX_COLS];
	size_t n;
	const char *const *cols; /* expected header */
	size_t n_cols;
};

static int
tsv_fail(struct tsv *t, size_t col, char **why, int err, const char *reason)
{
	if (col < t->n_cols)
		return cartel__why(why, err, "%s:%zu: column %s: %s", t->path,
				   t->line_no, t->cols[col], reason);
	return cartel__why(why, err, "%s:%zu: %s", t->path, t->line_no,
			   reason);
}

/* Reads the next data row into t->f; 1 for a row, 0 at the end, or an
 * error. The first non-comment line must be the expected header. */
static int
tsv_next(struct tsv *t, int *header_seen, char **why)
{
	for (;;) {
		errno = 0;
		ssize_t len = getline(&t->line, &t->cap, t->fp);
		if (len < 0) {
			if (ferror(t->fp))
				return cartel__why(why, CARTEL_EIO,
						   "%s: read failed", t->path);
			if (!*header_seen)
				return cartel__why(
					why, CARTEL_EFORMAT,
					"%s: no column header line", t->path);
			return 0;
		}
		t->line_no++;
		if (len > LINE_MAX_BYTES)
			return tsv_fail(t, (size_t)-1, why, CARTEL_EFORMAT,
					"line too long");
		if (memchr(t->line, '\0', (size_t)len) != NULL)
			return tsv_fail(t, (size_t)-1, why, CARTEL_EFORMAT,
					"NUL byte in line");
		while (len > 0 &&
		       (t->line[len - 1] == '\n' || t->line[len - 1] == '\r'))
			t->line[--len] = '\0';
		if (!cartel_utf8_valid(t->line, (size_t)len))
			return tsv_fail(t, (size_t)-1, why, CARTEL_EFORMAT,
					"not valid UTF-8");
		if (t->line[0] == '#')
			continue;
		size_t k = 0;
		while (t->line[k] == ' ' || t->line[k] == '\t')
			k++;
		if (t->line[k] == '\0')
			continue;
		t->n = 0;
		char *p = t->line;
		for (;;) {
			if (t->n == MAX_COLS)
				return tsv_fail(t, (size_t)-1, why,
						CARTEL_EFORMAT,
						"too many columns");
			t->f[t->n++] = p;
			char *tab = strchr(p, '\t');
			if (tab == NULL)
				break;
			*tab = '\0';
			p = tab + 1;
		}
		if (!*header_seen) {
			*header_seen = 1;
			int same = t->n == t->n_cols;
			for (size_t i = 0; same && i < t->n; i++)
				same = strcmp(t->f[i], t->cols[i]) == 0;
			if (!same) {
				struct gen_buf b = {0};
				for (size_t i = 0; i < t->n_cols; i++) {
					if (i)
						cartel__gen_buf_adds(&b, ",");
					cartel__gen_buf_adds(&b, t->cols[i]);
				}
				char *want = cartel__gen_buf_take(&b);
				int rc = cartel__why(
					why, CARTEL_EFORMAT,
					"%s:%zu: the column header must be "
					"the tab-separated %s",
					t->path, t->line_no,
					want ? want : "columns");
				free(want);
				return rc;
			}
			continue;
		}
		if (t->n != t->n_cols) {
			char msg[96];
			snprintf(msg, sizeof msg,
				 "%zu tab-separated columns, expected %zu",
				 t->n, t->n_cols);
			return tsv_fail(t, (size_t)-1, why, CARTEL_EFORMAT,
					msg);
		}
		return 1;
	}
}

static int
is_cyrillic(long cp)
{
	return cp >= 0x0400 && cp <= 0x04ff;
}

static int
is_apostrophe(long cp)
{
	return cp == '\'' || cp == 0x2019 || cp == 0x02bc;
}

/* A name in Cyrillic: letters of the Cyrillic block, apostrophes, and
 * hyphens between letters; spaces only when allow_space. */
static const char *
check_cyrillic(const char *s, int allow_space)
{
	if (*s == '\0')
		return "empty";
	int letters = 0;
	while (*s) {
		long cp = cartel__gen_utf8_next(&s);
		if (is_cyrillic(cp))
			letters++;
		else if (is_apostrophe(cp) || cp == '-')
			;
		else if (cp == ' ' && allow_space)
			;
		else
			return "not a Cyrillic name (a character outside the "
			       "Cyrillic letters, apostrophe and hyphen)";
	}
	return letters ? NULL : "no Cyrillic letter";
}

/* A Latin spelling: no Cyrillic, no spaces, at least one ASCII letter. */
static const char *
check_latin(const char *s)
{
	if (*s == '\0')
		return "empty spelling in the list";
	int ascii_letters = 0;
	while (*s) {
		long cp = cartel__gen_utf8_next(&s);
		if (is_cyrillic(cp))
			return "Cyrillic letter in a Latin spelling";
		if (cp == ' ' || cp == '\t' || cp == ',')
			return "space inside a Latin spelling";
		if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'))
			ascii_letters++;
	}
	return ascii_letters ? NULL : "no Latin letter in a spelling";
}

static int
ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);
	return n >= k && memcmp(s + n - k, suf, k) == 0;
}

/* masculine/feminine, the masculine ending in -ич (Ukrainian Ілліч: -іч),
 * the feminine in -на,
 * both Cyrillic. */
static const char *
check_patronymic(const char *s)
{
	const char *slash = strchr(s, '/');
	if (slash == NULL || strchr(slash + 1, '/') != NULL)
		return "a patronymic must be masculine/feminine";
	size_t n = (size_t)(slash - s);
	if (n == 0 || slash[1] == '\0')
		return "a patronymic must be masculine/feminine, both filled";
	char masc[256];
	if (n >= sizeof masc)
		return "patronymic too long";
	memcpy(masc, s, n);
	masc[n] = '\0';
	if (check_cyrillic(masc, 0) || check_cyrillic(slash + 1, 0))
		return "a patronymic must be Cyrillic";
	if (!ends_with(masc, "ич") && !ends_with(masc, "іч"))
		return "the masculine patronymic must end in -ич (-іч)";
	if (!ends_with(slash + 1, "на"))
		return "the feminine patronymic must end in -на";
	/* Both forms come from one stem: at least the first two letters
	 * agree (Ілліч/Іллівна, Кузьмич/Кузьминична). */
	const char *a = masc, *b = slash + 1;
	for (int i = 0; i < 2; i++)
		if (cartel__gen_utf8_next(&a) != cartel__gen_utf8_next(&b))
			return "the masculine and feminine patronymics do not "
			       "share a stem";
	return NULL;
}

static const char *
check_weight(const char *s, double *w)
{
	if (*s == '\0')
		return "empty weight";
	for (const char *p = s; *p; p++)
		if (*p < '0' || *p > '9')
			return "the weight must be a positive integer";
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || v == 0 || v > 1000000000ULL)
		return "the weight must be a positive integer up to 10^9";
	*w = (double)v;
	return NULL;
}

/* Splits a comma list into a NULL-terminated array of copies. */
static char **
split_list(const char *s, const char *(*check)(const char *),
	   const char **fault)
{
	size_t n = 1;
	for (const char *p = s; *p; p++)
		n += *p == ',';
	char **v = calloc(n + 1, sizeof *v);
	if (v == NULL)
		return NULL;
	if (*s == '\0')
		return v;
	size_t k = 0;
	const char *p = s;
	for (;;) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		v[k] = malloc(len + 1);
		if (v[k] == NULL)
			goto oom;
		memcpy(v[k], p, len);
		v[k][len] = '\0';
		if (*fault == NULL)
			*fault = check(v[k]);
		k++;
		if (c == NULL)
			break;
		p = c + 1;
	}
	return v;
oom:
	for (size_t i = 0; i < k; i++)
		free(v[i]);
	free(v);
	return NULL;
}

static void
free_list(char **v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

static const char *
check_dimin(const char *s)
{
	return check_cyrillic(s, 0);
}

static int
patr_split(const char *s, char **m, char **f)
{
	const char *slash = strchr(s, '/');
	*m = cartel__asprintf("%.*s", (int)(slash - s), s);
	*f = cartel__strdup(slash + 1);
	return *m && *f ? 0 : CARTEL_ENOMEM;
}

static void
given_free(struct gen_given *g)
{
	free(g->uk);
	free(g->ru);
	free_list(g->latin);
	free_list(g->dimin);
	free(g->patr_uk_m);
	free(g->patr_uk_f);
	free(g->patr_ru_m);
	free(g->patr_ru_f);
}

void
cartel_names_free(struct cartel_names *nd)
{
	if (nd == NULL)
		return;
	for (size_t i = 0; i < nd->n_given; i++)
		given_free(&nd->given[i]);
	free(nd->given);
	for (size_t i = 0; i < nd->n_surnames; i++) {
		free(nd->surnames[i].uk);
		free(nd->surnames[i].ru);
	}
	free(nd->surnames);
	for (size_t i = 0; i < nd->n_ranks; i++) {
		free(nd->ranks[i].code);
		free(nd->ranks[i].uk);
		free(nd->ranks[i].ru);
	}
	free(nd->ranks);
	for (size_t i = 0; i < nd->n_places; i++) {
		free(nd->places[i].kind);
		free(nd->places[i].uk);
		free(nd->places[i].ru);
	}
	free(nd->places);
	free(nd);
}

/* Grows an array of `size`-byte items to hold one more. */
static int
grow(void **arr, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	size_t c = *cap ? *cap * 2 : 64;
	void *p = realloc(*arr, c * size);
	if (p == NULL)
		return CARTEL_ENOMEM;
	memset((char *)p + *cap * size, 0, (c - *cap) * size);
	*arr = p;
	*cap = c;
	return 0;
}

static const char *const given_cols[] = {
	"sex", "uk", "ru", "latin", "diminutives", "patr_uk", "patr_ru",
};
static const char *const surname_cols[] = {"uk", "ru", "weight"};
static const char *const rank_cols[] = {"code", "uk", "ru", "officer",
					"weight"};
static const char *const place_cols[] = {"kind", "uk", "ru", "weight"};
static const char *const place_kinds[] = {
	"birth_ua", "birth_ru", "capture_of_ua", "capture_of_ru", "camp_ua",
	"camp_ru",
};

static int
load_given(struct tsv *t, struct cartel_names *nd, char **why)
{
	size_t cap = 0;
	int header = 0, rc;
	while ((rc = tsv_next(t, &header, why)) == 1) {
		char **f = t->f;
		const char *fault = NULL;
		size_t col = 0;
		if (strcmp(f[0], "m") != 0 && strcmp(f[0], "f") != 0)
			return tsv_fail(t, 0, why, CARTEL_EFORMAT,
					"sex must be m or f");
		int male = f[0][0] == 'm';
		if ((fault = check_cyrillic(f[1], 0)) != NULL)
			col = 1;
		else if ((fault = check_cyrillic(f[2], 0)) != NULL)
			col = 2;
		else if (f[3][0] == '\0')
			col = 3, fault = "at least one Latin spelling needed";
		else if (male && (fault = check_patronymic(f[5])) != NULL)
			col = 5;
		else if (male && (fault = check_patronymic(f[6])) != NULL)
			col = 6;
		else if (!male && (f[5][0] || f[6][0]))
			col = f[5][0] ? 5 : 6,
			fault = "patronymics are given on male rows only";
		if (fault)
			return tsv_fail(t, col, why, CARTEL_EFORMAT, fault);
		for (size_t i = 0; i < nd->n_given; i++) {
			struct gen_given *o = &nd->given[i];
			if (o->sex == f[0][0] && strcmp(o->uk, f[1]) == 0 &&
			    strcmp(o->ru, f[2]) == 0) {
				char msg[96];
				snprintf(msg, sizeof msg,
					 "duplicate of data row %zu", i + 1);
				return tsv_fail(t, (size_t)-1, why,
						CARTEL_EFORMAT, msg);
			}
		}
		if (grow((void **)&nd->given, &cap, nd->n_given,
			 sizeof *nd->given))
			return cartel__why(why, CARTEL_ENOMEM,
					   "out of memory");
		struct gen_given *g = &nd->given[nd->n_given++];
		g->sex = f[0][0];
		g->uk = cartel__strdup(f[1]);
		g->ru = cartel__strdup(f[2]);
		g->latin = split_list(f[3], check_latin, &fault);
		if (fault == NULL)
			g->dimin = split_list(f[4], check_dimin, &fault);
		if (fault)
			return tsv_fail(t, g->dimin ? 4 : 3, why,
					CARTEL_EFORMAT, fault);
		if (g->uk == NULL || g->ru == NULL || g->latin == NULL ||
		    g->dimin == NULL)
			return cartel__why(why, CARTEL_ENOMEM,
					   "out of memory");
		if (male && (patr_split(f[5], &g->patr_uk_m, &g->patr_uk_f) ||
			     patr_split(f[6], &g->patr_ru_m, &g->patr_ru_f)))
			return cartel__why(why, CARTEL_ENOMEM,
					   "out of memory");
	}
	return rc;
}

static int
russian_type(const char *ru)
{
	static const char *const suf[] = {
		"ов", "ев", "ёв", "ин", "ын", "ский", "цкий", "ской",
	};
	for (size_t i = 0; i < sizeof suf / sizeof *suf; i++)
		if (ends_with(ru, suf[i]))
			return 1;
	return 0;
}

static int
load_surnames(struct tsv *t, struct cartel_names *nd, char **why)
{
	size_t cap = 0;
	int header = 0, rc;
	while ((rc = tsv_next(t, &header, why)) == 1) {
		char **f = t->f;
		const char *fault;
		double w = 0;
		for (size_t c = 0; c < 2; c++)
			if ((fault = check_cyrillic(f[c], 0)) != NULL)
				return tsv_fail(t, c, why, CARTEL_EFORMAT,
						fault);
		if ((fault = check_weight(f[2], &w)) != NULL)
			return tsv_fail(t, 2, why, CARTEL_EFORMAT, fault);
		for (size_t i = 0; i < nd->n_surnames; i++)
			if (strcmp(nd->surnames[i].uk, f[0]) == 0 &&
			    strcmp(nd->surnames[i].ru, f[1]) == 0) {
				char msg[96];
				snprintf(msg, sizeof msg,
					 "duplicate of data row %zu", i + 1);
				return tsv_fail(t, (size_t)-1, why,
						CARTEL_EFORMAT, msg);
			}
		if (grow((void **)&nd->surnames, &cap, nd->n_surnames,
			 sizeof *nd->surnames))
			return cartel__why(why, CARTEL_ENOMEM,
					   "out of memory");
		struct gen_surname *s = &nd->surnames[nd->n_surnames++];
		s->uk = cartel__strdup(f[0]);
		s->ru = cartel__strdup(f[1]);
		s->weight = w;
		s->russian_type = russian_type(f[1]);
		if (s->uk == NULL || s->ru == NULL)
			return cartel__why(why, CARTEL_ENOMEM,
					   "out of memory");
	}
	return rc;
}

static int
load_ranks(struct tsv *t, struct cartel_names *nd, char **why)
{
	size_t cap = 0;
	int header = 0, rc;
	while ((rc = tsv_next(t, &header, why)) == 1) {
		char **f = t->f;
		const char *fault;
		double w = 0;
		if (f[0][0] == '\0')
			return tsv_fail(t, 0, why, CARTEL_EFORMAT, "empty");
		for (size_t c = 1; c < 3; c++)
			if ((fault = check_cyrillic(f[c], 1)) != NULL)
				return tsv_fail(t, c, why, CARTEL_EFORMAT,
						fault);
		if (strcmp(f[3], "0") != 0 && strcmp(f[3], "1") != 0)
			return tsv_fail(t, 3, why, CARTEL_EFORMAT,
					"officer must be 0 or 1");
		if ((fault = check_weight(f[4], &w)) != NULL)
			return tsv_fail(t, 4, why, CARTEL_EFORMAT, fault);
		for (size_t i = 0; i < nd->n_ranks; i++)
			if (strcmp(nd->ranks[i].code, f[0]) == 0)
				return tsv_fail(t, 0, why, CARTEL_EFORMAT,
						"duplicate code");
		if (grow((void **)&nd->ranks, &cap, nd->n_ranks,
			 sizeof *nd->ranks))
			return cartel__why(why, CARTEL_ENOMEM,
					   "out of memory");
		struct gen_rank *r = &nd->ranks[nd->n_ranks++];
		r->code = cartel__strdup(f[0]);
		r->uk = cartel__strdup(f[1]);
		r->ru = cartel__strdup(f[2]);
		r->officer = f[3][0] == '1';
		r->weight = w;
		if (r->code == NULL || r->uk == NULL || r->ru == NULL)
			return cartel__why(why, CARTEL_ENOMEM,
					   "out of memory");
	}
	return rc;
}

/* Place names are free text (СІЗО-2, Таганрог): only emptiness, tabs and
 * Latin-only texts are faults. */
static const char *
check_place(const char *s)
{
	if (*s == '\0')
		return "empty";
	int cyr = 0;
	while (*s)
		cyr += is_cyrillic(cartel__gen_utf8_next(&s));
	return cyr ? NULL : "no Cyrillic letter";
}

static int
load_places(struct tsv *t, struct cartel_names *nd, char **why)
{
	size_t cap = 0;
	int header = 0, rc;
	while ((rc = tsv_next(t, &header, why)) == 1) {
		char **f = t->f;
		const char *fault;
		double w = 0;
		int known = 0;
		for (size_t k = 0; k < sizeof place_kinds / sizeof *place_kinds;
		     k++)
			known |= strcmp(f[0], place_kinds[k]) == 0;
		if (!known)
			return tsv_fail(t, 0, why, CARTEL_EFORMAT,
					"unknown kind (birth_ua, birth_ru, "
					"capture_of_ua, capture_of_ru, "
					"camp_ua, camp_ru)");
		for (size_t c = 1; c < 3; c++)
			if ((fault = check_place(f[c])) != NULL)
				return tsv_fail(t, c, why, CARTEL_EFORMAT,
						fault);
		if ((fault = check_weight(f[3], &w)) != NULL)
			return tsv_fail(t, 3, why, CARTEL_EFORMAT, fault);
		for (size_t i = 0; i < nd->n_places; i++)
			if (strcmp(nd->places[i].kind, f[0]) == 0 &&
			    strcmp(nd->places[i].uk, f[1]) == 0)
				return tsv_fail(t, 1, why, CARTEL_EFORMAT,
						"duplicate place of this kind");
		if (grow((void **)&nd->places, &cap, nd->n_places,
			 sizeof *nd->places))
			return cartel__why(why, CARTEL_ENOMEM,
					   "out of memory");
		struct gen_place *p = &nd->places[nd->n_places++];
		p->kind = cartel__strdup(f[0]);
		p->uk = cartel__strdup(f[1]);
		p->ru = cartel__strdup(f[2]);
		p->weight = w;
		if (p->kind == NULL || p->uk == NULL || p->ru == NULL)
			return cartel__why(why, CARTEL_ENOMEM,
					   "out of memory");
	}
	return rc;
}

static const struct {
	const char *kind;
	const char *file;
	const char *const *cols;
	size_t n_cols;
	int (*load)(struct tsv *, struct cartel_names *, char **);
} kinds[] = {
	{"given_names", "given_names.tsv", given_cols, 7, load_given},
	{"surnames", "surnames.tsv", surname_cols, 3, load_surnames},
	{"ranks", "ranks.tsv", rank_cols, 5, load_ranks},
	{"places", "places.tsv", place_cols, 4, load_places},
};

static int
load_file(size_t k, const char *path, struct cartel_names *nd, char **why)
{
	struct tsv t = {0};
	t.path = path;
	t.cols = kinds[k].cols;
	t.n_cols = kinds[k].n_cols;
	t.fp = fopen(path, "r");
	if (t.fp == NULL)
		return cartel__why(why,
				   errno == ENOENT ? CARTEL_ENOTFOUND
						   : CARTEL_EIO,
				   "%s: cannot open: %s", path,
				   strerror(errno));
	int rc = kinds[k].load(&t, nd, why);
	fclose(t.fp);
	free(t.line);
	return rc;
}

int
cartel_names_check_file(const char *kind, const char *path, size_t *n_rows,
			size_t *n_male, size_t *n_female, char **why)
{
	for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
		if (strcmp(kind, kinds[k].kind) != 0)
			continue;
		struct cartel_names *nd = calloc(1, sizeof *nd);
		if (nd == NULL)
			return cartel__why(why, CARTEL_ENOMEM,
					   "out of memory");
		int rc = load_file(k, path, nd, why);
		if (rc == 0) {
			if (n_rows)
				*n_rows = nd->n_given + nd->n_surnames +
					  nd->n_ranks + nd->n_places;
			if (n_male)
				*n_male = cartel_names_given_count(nd, 'm');
			if (n_female)
				*n_female = cartel_names_given_count(nd, 'f');
		}
		cartel_names_free(nd);
		return rc;
	}
	return cartel__why(why, CARTEL_EINVAL,
			   "unknown name-data kind '%s' (given_names, "
			   "surnames, ranks, places)",
			   kind);
}

int
cartel_names_load(struct cartel_names **out, const char *dir, char **why)
{
	*out = NULL;
	if (dir == NULL)
		dir = cartel_names_dir();
	struct cartel_names *nd = calloc(1, sizeof *nd);
	if (nd == NULL)
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
		char *path = cartel__asprintf("%s/%s", dir, kinds[k].file);
		if (path == NULL) {
			cartel_names_free(nd);
			return cartel__why(why, CARTEL_ENOMEM,
					   "out of memory");
		}
		int rc = load_file(k, path, nd, why);
		free(path);
		if (rc != 0) {
			cartel_names_free(nd);
			return rc;
		}
	}
	/* Every generator needs both sexes, surnames, ranks and each kind of
	 * place. */
	int have_kind[sizeof place_kinds / sizeof *place_kinds] = {0};
	for (size_t i = 0; i < nd->n_places; i++)
		for (size_t k = 0; k < sizeof place_kinds / sizeof *place_kinds;
		     k++)
			have_kind[k] |= strcmp(nd->places[i].kind,
					       place_kinds[k]) == 0;
	for (size_t k = 0; k < sizeof place_kinds / sizeof *place_kinds; k++)
		if (!have_kind[k]) {
			cartel_names_free(nd);
			return cartel__why(why, CARTEL_EFORMAT,
					   "%s/places.tsv: no place of kind %s",
					   dir, place_kinds[k]);
		}
	if (cartel_names_given_count(nd, 'm') == 0 ||
	    cartel_names_given_count(nd, 'f') == 0 || nd->n_surnames == 0 ||
	    nd->n_ranks == 0) {
		cartel_names_free(nd);
		return cartel__why(why, CARTEL_EFORMAT,
				   "%s: the name data need male and female "
				   "given names, surnames and ranks",
				   dir);
	}
	int rc = cartel__gen_surnames_extend(nd, why);
	if (rc != 0) {
		cartel_names_free(nd);
		return rc;
	}
	*out = nd;
	return 0;
}

size_t
cartel_names_given_count(const struct cartel_names *nd, int sex)
{
	size_t n = 0;
	for (size_t i = 0; i < nd->n_given; i++)
		n += sex == 0 || nd->given[i].sex == sex;
	return n;
}

size_t
cartel_names_surname_count(const struct cartel_names *nd)
{
	return nd->n_surnames;
}
