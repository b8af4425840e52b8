/*
 * The shipped name tables (data/given_names.tsv, data/surnames.tsv; their
 * format is described in their own headers and in docs/matching.md), read
 * once per process and turned into lookups by skeleton: every Ukrainian,
 * Russian and Latin form of a given name, its diminutives and the
 * patronymics formed from it lead to the row's id. A one-letter typo in a
 * given name or patronymic still finds the row through a deletion index
 * (each form with one letter dropped), as long as only one row answers.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cartel/data.h>
#include <cartel/error.h>

#include "core/why.h"
#include "match/match_int.h"

enum entry_kind {
	K_GIVEN = 1,   /* full form of a given name */
	K_DIM,         /* diminutive */
	K_GIVEN_DEL,   /* a full form with one letter dropped */
	K_PATR_M,      /* masculine patronymic */
	K_PATR_F,      /* feminine patronymic */
	K_PATR_DEL,    /* a patronymic with one letter dropped */
	K_SURNAME,     /* masculine surname skeleton */
};

struct entry {
	uint64_t h; /* hash of kind and skeleton */
	int32_t id;
};

struct given_row {
	char sex;
	char *uk;
};

struct match_names {
	char *dir;
	struct entry *e;
	size_t n_e, cap_e;
	/* One bit per slot of the hashes' top bits: most lookups (the
	 * spelling variants tried for an unknown name) miss, and a clear
	 * bit says so without the binary search. */
	uint64_t *present;
	struct given_row *given;
	size_t n_given;
	double *sur_freq; /* by surname id - 1 */
	size_t n_sur;
	uint64_t digest; /* of every line read, in order */
	struct match_names *next;
};

#define PRESENT_LOG2 20
#define PRESENT_BITS (1u << PRESENT_LOG2)

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct match_names *cache;

static uint64_t
key(int kind, const char *skel)
{
	return cartel__match_hash(skel, strlen(skel), (uint64_t)kind);
}

static int
add(struct match_names *nt, int kind, const char *skel, int id)
{
	if (skel[0] == '\0')
		return 0;
	if (nt->n_e == nt->cap_e) {
		size_t cap = nt->cap_e ? 2 * nt->cap_e : 4096;
		struct entry *e = realloc(nt->e, cap * sizeof *e);
		if (e == NULL)
			return CARTEL_ENOMEM;
		nt->e = e;
		nt->cap_e = cap;
	}
	nt->e[nt->n_e].h = key(kind, skel);
	nt->e[nt->n_e].id = id;
	nt->n_e++;
	return 0;
}

/* Adds skel under kind and each one-letter deletion under del_kind. */
static int
add_with_dels(struct match_names *nt, int kind, int del_kind,
	      const char *skel, int id)
{
	int rc = add(nt, kind, skel, id);
	size_t n = strlen(skel);
	if (rc != 0 || n < 4 || n >= MATCH_SKEL)
		return rc;
	char d[MATCH_SKEL];
	for (size_t i = 0; i < n; i++) {
		memcpy(d, skel, i);
		memcpy(d + i, skel + i + 1, n - i);
		if ((rc = add(nt, del_kind, d, id)) != 0)
			return rc;
	}
	return 0;
}

static void
skel_of(const char *text, char *out, size_t size)
{
	char phon[MATCH_SKEL * 2];
	cartel__match_phonetic(text, phon, sizeof phon, NULL);
	cartel__match_skel_of_phon(phon, out, size);
}

static int
cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

/* Splits s at tabs in place into at most max fields. */
static size_t
split(char *s, char sep, char **f, size_t max)
{
	size_t n = 0;
	f[n++] = s;
	for (char *p = s; *p != '\0'; p++)
		if (*p == sep) {
			*p = '\0';
			if (n < max)
				f[n++] = p + 1;
		}
	return n;
}

static int
col(char **hdr, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(hdr[i], name) == 0)
			return (int)i;
	return -1;
}

/* Reads one TSV file, calling row() for each data row. */
static int
read_tsv(const char *path, const char *const *cols, size_t n_cols,
	 int (*row)(struct match_names *, char **, size_t), struct match_names *nt,
	 char **why)
{
	FILE *fp = fopen(path, "r");
	if (fp == NULL)
		return cartel__why(why, CARTEL_EIO,
				   "cannot read the name table %s: %s (set "
				   "CARTEL_DATA to the data folder)",
				   path, strerror(errno));
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	size_t line_no = 0;
	int idx[16];
	int have_header = 0;
	int rc = 0;
	while ((len = getline(&line, &cap, fp)) >= 0) {
		line_no++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		/* Every byte that may change an identity goes into the
		 * digest: an index saved with other tables is not used. */
		nt->digest =
		    cartel__match_hash(line, (size_t)len, nt->digest ^ line_no);
		if (len == 0 || line[0] == '#')
			continue;
		char *f[16];
		size_t nf = split(line, '\t', f, 16);
		if (!have_header) {
			for (size_t c = 0; c < n_cols; c++) {
				idx[c] = col(f, nf, cols[c]);
				if (idx[c] < 0) {
					rc = cartel__why(
						why, CARTEL_EFORMAT,
						"%s line %zu: the header lacks "
						"column '%s'",
						path, line_no, cols[c]);
					goto out;
				}
			}
			have_header = 1;
			continue;
		}
		char *v[16];
		for (size_t c = 0; c < n_cols; c++)
			v[c] = (size_t)idx[c] < nf ? f[idx[c]] : "";
		rc = row(nt, v, line_no);
		if (rc == CARTEL_EFORMAT) {
			rc = cartel__why(why, rc, "%s line %zu: malformed row",
					 path, line_no);
			goto out;
		}
		if (rc != 0)
			goto out;
	}
	if (!have_header)
		rc = cartel__why(why, CARTEL_EFORMAT, "%s: no header line",
				 path);
out:
	free(line);
	fclose(fp);
	return rc;
}

static int
given_row(struct match_names *nt, char **v, size_t line_no)
{
	(void)line_no;
	/* v: sex uk ru latin diminutives patr_uk patr_ru */
	if (v[0][0] != 'm' && v[0][0] != 'f')
		return CARTEL_EFORMAT;
	struct given_row *g = realloc(nt->given,
				      (nt->n_given + 1) * sizeof *g);
	if (g == NULL)
		return CARTEL_ENOMEM;
	nt->given = g;
	int id = (int)++nt->n_given;
	g[id - 1].sex = v[0][0];
	g[id - 1].uk = cartel__strdup(v[1]);
	if (g[id - 1].uk == NULL)
		return CARTEL_ENOMEM;
	char sk[MATCH_SKEL];
	int rc;
	for (int c = 1; c <= 2; c++) {
		skel_of(v[c], sk, sizeof sk);
		if ((rc = add_with_dels(nt, K_GIVEN, K_GIVEN_DEL, sk, id)))
			return rc;
	}
	for (int c = 3; c <= 4; c++) {
		char *f[64];
		size_t nf = split(v[c], ',', f, 64);
		for (size_t i = 0; i < nf; i++) {
			skel_of(f[i], sk, sizeof sk);
			rc = c == 3 ? add_with_dels(nt, K_GIVEN, K_GIVEN_DEL,
						    sk, id)
				    : add(nt, K_DIM, sk, id);
			if (rc)
				return rc;
		}
	}
	for (int c = 5; c <= 6; c++) {
		char *f[4];
		size_t nf = split(v[c], '/', f, 4);
		for (size_t i = 0; i < nf && i < 2; i++) {
			skel_of(f[i], sk, sizeof sk);
			if ((rc = add_with_dels(nt, i == 0 ? K_PATR_M : K_PATR_F,
						K_PATR_DEL, sk, id)))
				return rc;
		}
	}
	return 0;
}

static int
surname_row(struct match_names *nt, char **v, size_t line_no)
{
	(void)line_no;
	double *f = realloc(nt->sur_freq, (nt->n_sur + 1) * sizeof *f);
	if (f == NULL)
		return CARTEL_ENOMEM;
	nt->sur_freq = f;
	int id = (int)++nt->n_sur;
	char *end = NULL;
	f[id - 1] = strtod(v[2], &end);
	if (end == v[2])
		f[id - 1] = 0;
	char sk[MATCH_SKEL], masc[MATCH_SKEL];
	int rc;
	for (int c = 0; c <= 1; c++) {
		skel_of(v[c], sk, sizeof sk);
		cartel__match_masc(sk, masc, sizeof masc);
		if ((rc = add(nt, K_SURNAME, masc, id)))
			return rc;
	}
	return 0;
}

static void
names_free(struct match_names *nt)
{
	if (nt == NULL)
		return;
	for (size_t i = 0; i < nt->n_given; i++)
		free(nt->given[i].uk);
	free(nt->given);
	free(nt->e);
	free(nt->present);
	free(nt->sur_freq);
	free(nt->dir);
	free(nt);
}

static int
names_load(const char *dir, struct match_names **out, char **why)
{
	struct match_names *nt = calloc(1, sizeof *nt);
	if (nt == NULL || (nt->dir = cartel__strdup(dir)) == NULL) {
		free(nt);
		return CARTEL_ENOMEM;
	}
	static const char *const gcols[] = {"sex", "uk", "ru", "latin",
					    "diminutives", "patr_uk",
					    "patr_ru"};
	static const char *const scols[] = {"uk", "ru", "weight"};
	char *path = cartel__asprintf("%s/given_names.tsv", dir);
	int rc = path ? read_tsv(path, gcols, 7, given_row, nt, why)
		      : CARTEL_ENOMEM;
	free(path);
	if (rc == 0) {
		path = cartel__asprintf("%s/surnames.tsv", dir);
		rc = path ? read_tsv(path, scols, 3, surname_row, nt, why)
			  : CARTEL_ENOMEM;
		free(path);
	}
	if (rc != 0) {
		names_free(nt);
		return rc;
	}
	/* Frequencies: weights to shares of the whole. */
	double total = 0;
	for (size_t i = 0; i < nt->n_sur; i++)
		total += nt->sur_freq[i];
	for (size_t i = 0; i < nt->n_sur && total > 0; i++)
		nt->sur_freq[i] /= total;
	qsort(nt->e, nt->n_e, sizeof *nt->e, cmp_entry);
	nt->present = calloc(PRESENT_BITS / 64, sizeof *nt->present);
	if (nt->present == NULL) {
		names_free(nt);
		return CARTEL_ENOMEM;
	}
	for (size_t i = 0; i < nt->n_e; i++) {
		uint64_t b = nt->e[i].h >> (64 - PRESENT_LOG2);
		nt->present[b / 64] |= 1ull << (b % 64);
	}
	*out = nt;
	return 0;
}

static const char *
default_dir(void)
{
	return cartel_data_dir();
}

int
cartel__match_names_get(const char *dir, const struct match_names **out,
                        char **why)
{
	if (dir == NULL)
		dir = default_dir();
	pthread_mutex_lock(&cache_lock);
	for (struct match_names *nt = cache; nt != NULL; nt = nt->next)
		if (strcmp(nt->dir, dir) == 0) {
			pthread_mutex_unlock(&cache_lock);
			*out = nt;
			return 0;
		}
	struct match_names *nt = NULL;
	int rc = names_load(dir, &nt, why);
	if (rc == 0) {
		nt->next = cache;
		cache = nt;
		*out = nt;
	}
	pthread_mutex_unlock(&cache_lock);
	return rc;
}

/* The ids under (kind, skel): a run of entries; returns the first or NULL
 * and sets *n. */
static const struct entry *
find(const struct match_names *nt, int kind, const char *skel, size_t *n)
{
	*n = 0;
	if (skel[0] == '\0' || nt->n_e == 0)
		return NULL;
	uint64_t h = key(kind, skel);
	uint64_t b = h >> (64 - PRESENT_LOG2);
	if (!(nt->present[b / 64] & (1ull << (b % 64))))
		return NULL;
	size_t lo = 0, hi = nt->n_e;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (nt->e[mid].h < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t k = lo;
	while (k < nt->n_e && nt->e[k].h == h)
		k++;
	*n = k - lo;
	return *n ? &nt->e[lo] : NULL;
}

/* Adds the ids of (kind, skel) to a small set; returns its new size. */
static size_t
collect(const struct match_names *nt, int kind, const char *skel,
	int32_t *set, size_t n_set, size_t max)
{
	size_t n;
	const struct entry *e = find(nt, kind, skel, &n);
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;
		while (k < n_set && set[k] != e[i].id)
			k++;
		if (k == n_set && n_set < max)
			set[n_set++] = e[i].id;
	}
	return n_set;
}

/* The single id one edit away from skel among (kind, del_kind), or 0 when
 * none or several answer. */
static int
fuzzy(const struct match_names *nt, int kind, int kind2, int del_kind,
      const char *skel)
{
	size_t n = strlen(skel);
	if (n < 5 || n >= MATCH_SKEL)
		return 0;
	int32_t set[8];
	size_t ns = 0;
	ns = collect(nt, del_kind, skel, set, ns, 8);
	char d[MATCH_SKEL];
	for (size_t i = 0; i < n; i++) {
		memcpy(d, skel, i);
		memcpy(d + i, skel + i + 1, n - i);
		ns = collect(nt, kind, d, set, ns, 8);
		if (kind2)
			ns = collect(nt, kind2, d, set, ns, 8);
		ns = collect(nt, del_kind, d, set, ns, 8);
	}
	return ns == 1 ? set[0] : 0;
}

int
cartel__match_names_given(const struct match_names *nt, const char *skel,
                          enum given_how *how, char *sex)
{
	size_t n;
	const struct entry *e = find(nt, K_GIVEN, skel, &n);
	enum given_how h = GIVEN_FORM;
	if (e == NULL) {
		e = find(nt, K_DIM, skel, &n);
		h = GIVEN_DIM;
	}
	int id = 0;
	if (e != NULL) {
		id = e[0].id; /* the lowest row: the most common name */
	} else {
		id = fuzzy(nt, K_GIVEN, 0, K_GIVEN_DEL, skel);
		h = GIVEN_FUZZY;
	}
	if (how != NULL)
		*how = id ? h : GIVEN_NONE;
	if (sex != NULL)
		*sex = id ? nt->given[id - 1].sex : 0;
	return id;
}

int
cartel__match_names_patr(const struct match_names *nt, const char *skel,
                         int *fem)
{
	size_t n;
	const struct entry *e = find(nt, K_PATR_M, skel, &n);
	if (fem != NULL)
		*fem = 0;
	if (e != NULL)
		return e[0].id;
	e = find(nt, K_PATR_F, skel, &n);
	if (e != NULL) {
		if (fem != NULL)
			*fem = 1;
		return e[0].id;
	}
	return fuzzy(nt, K_PATR_M, K_PATR_F, K_PATR_DEL, skel);
}

size_t
cartel__match_names_dim_ids(const struct match_names *nt, const char *skel,
                            int32_t *ids, size_t max)
{
	size_t n, k = 0;
	const struct entry *e = find(nt, K_DIM, skel, &n);
	for (size_t i = 0; i < n && k < max; i++)
		if (k == 0 || ids[k - 1] != e[i].id)
			ids[k++] = e[i].id;
	return k;
}

int
cartel__match_names_patr_exact(const struct match_names *nt, const char *skel)
{
	size_t n;
	const struct entry *e = find(nt, K_PATR_M, skel, &n);
	if (e == NULL)
		e = find(nt, K_PATR_F, skel, &n);
	return e != NULL ? e[0].id : 0;
}

int
cartel__match_names_surname(const struct match_names *nt, const char *masc)
{
	size_t n;
	const struct entry *e = find(nt, K_SURNAME, masc, &n);
	return e ? e[0].id : 0;
}

const char *
cartel__match_names_given_form(const struct match_names *nt, int id)
{
	if (id <= 0 || (size_t)id > nt->n_given)
		return "";
	return nt->given[id - 1].uk;
}

double
cartel__match_names_surname_freq(const struct match_names *nt, int id)
{
	if (id <= 0 || (size_t)id > nt->n_sur)
		return 0;
	return nt->sur_freq[id - 1];
}

size_t
cartel__match_names_n_given(const struct match_names *nt)
{
	return nt->n_given;
}

uint64_t
cartel__match_names_digest(const struct match_names *nt)
{
	return nt->digest;
}

static int
ends_with(const char *s, size_t n, const char *suf)
{
	size_t m = strlen(suf);
	return n > m + 1 && memcmp(s + n - m, suf, m) == 0;
}

int
cartel__match_patr_suffix(const char *skel)
{
	size_t n = strlen(skel);
	return ends_with(skel, n, "oviC") || ends_with(skel, n, "eviC") ||
	       ends_with(skel, n, "ovna") || ends_with(skel, n, "evna") ||
	       ends_with(skel, n, "ivna") || ends_with(skel, n, "iCna");
}

int
cartel_match_given_id(const char *name, const struct cartel_match_opts *opts,
		      char **why)
{
	const struct match_names *nt;
	int rc =
	    cartel__match_names_get(opts ? opts->data_dir : NULL, &nt, why);
	if (rc != 0)
		return rc;
	char sk[MATCH_SKEL];
	skel_of(name, sk, sizeof sk);
	/* The first word is the given name; a second is a middle name. */
	char *sp = strchr(sk, ' ');
	if (sp != NULL)
		*sp = '\0';
	return cartel__match_names_given(nt, sk, NULL, NULL);
}
