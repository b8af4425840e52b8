/*
 * Free text as people type it: "Ляхович Василий", "Коваленко О. І.",
 * "O. Kovalenko", "кузьмин денис иванович 1988". The text is cut into
 * words (and initials, and a date), every assignment of the roles surname,
 * given name and patronymic to the words is formed, and each gets a
 * plausibility in bits from the name tables: a known given name as the
 * given name, a known patronymic as the patronymic, a usual order. No
 * role is ever decided from an ending alone: Ляхович, Мартинович and
 * Андрусевич end like patronymics and are surnames, and the index, not
 * the ending, says which reading finds someone (cartel_match_query_choose
 * in match.c). The words a person reads about a reading are made in
 * answer.c.
 *
 * cartel_query_parse is a pure function of its buffer (and the name
 * tables): no state, no I/O beyond loading the tables once.
 */
#include <stdlib.h>
#include <string.h>

#include <cartel/csv.h>
#include <cartel/error.h>
#include <cartel/match.h>

#include "core/why.h"
#include "match/match_int.h"

/* Words of a name considered; more are kept in the surname. */
#define Q_MAX_WORDS 12
#define Q_ENUM_WORDS 5
/* A reading this far (bits) below the most plausible is not tried. */
#define Q_PRUNE_BITS 8.0
/* Readings of the roles kept; the rest of CARTEL_QUERY_MAX_READINGS is
 * for the full names of ambiguous diminutives. */
#define Q_BASE_READINGS 6

enum { R_FAMILY = 0, R_GIVEN, R_PATR };

struct qword {
	const char *s; /* in the working copy, NUL-terminated */
	int initial;   /* one letter */
	/* Plausibility in each role (bits); family may be forbidden. */
	double bits[3];
	int family_ok;
};

static size_t
utf8_letters(const char *s)
{
	size_t n = 0;
	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static int
is_sep(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' ||
	       c == ';' || c == '(' || c == ')' || c == '"' || c == '\v' ||
	       c == '\f';
}

/* A chunk of digits and - . / only, holding a digit. */
static int
is_date_chunk(const char *s)
{
	int digit = 0;
	for (; *s != '\0'; s++) {
		if (*s >= '0' && *s <= '9')
			digit = 1;
		else if (*s != '-' && *s != '.' && *s != '/')
			return 0;
	}
	return digit;
}

/*
 * A birth date as people write it: YYYY, YYYY-MM, MM.YYYY, YYYY-MM-DD,
 * D.M.YYYY, DD/MM/YYYY. A month over 12 with a day that could be a month
 * is read swapped (*swapped = 1).
 */
static int
read_date(const char *s, struct cartel_date *d, int *swapped, char **why)
{
	int v[3] = {0, 0, 0}, ndig[3] = {0, 0, 0}, n = 0;
	const char *p = s;
	memset(d, 0, sizeof *d);
	*swapped = 0;
	while (*p == ' ' || *p == '\t')
		p++;
	while (*p != '\0' && n < 3) {
		if (*p < '0' || *p > '9')
			break;
		while (*p >= '0' && *p <= '9') {
			if (ndig[n] < 5)
				v[n] = v[n] * 10 + (*p - '0');
			ndig[n]++;
			p++;
		}
		n++;
		if (*p == '-' || *p == '.' || *p == '/')
			p++;
		else
			break;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	int y = 0, m = 0, day = 0;
	if (*p != '\0' || n == 0) {
		n = 0;
	} else if (n == 1 && ndig[0] == 4) {
		y = v[0];
	} else if (n == 2 && ndig[0] == 4 && ndig[1] <= 2) {
		y = v[0], m = v[1];
	} else if (n == 2 && ndig[1] == 4 && ndig[0] <= 2) {
		y = v[1], m = v[0];
	} else if (n == 3 && ndig[0] == 4 && ndig[1] <= 2 && ndig[2] <= 2) {
		y = v[0], m = v[1], day = v[2];
	} else if (n == 3 && ndig[2] == 4 && ndig[0] <= 2 && ndig[1] <= 2) {
		y = v[2], m = v[1], day = v[0];
	} else {
		n = 0;
	}
	if (n == 0)
		return cartel__why(why, CARTEL_EFORMAT,
				   "the birth date is not a date (write it "
				   "as YYYY-MM-DD, DD.MM.YYYY or YYYY)");
	if (day != 0 && m > 12 && day >= 1 && day <= 12) {
		int t = m;
		m = day;
		day = t;
		*swapped = 1;
	}
	if (y < 1800 || y > 2999 || (n >= 2 && (m < 1 || m > 12)) ||
	    (n == 3 && (day < 1 || day > cartel_days_in_month(y, m))))
		return cartel__why(why, CARTEL_ERANGE,
				   "the birth date is not a date that exists");
	d->year = y;
	d->month = m;
	d->day = day;
	return 0;
}

static void
skel_of(const char *text, char *out, size_t size)
{
	char phon[MATCH_SKEL * 2];
	cartel__match_phonetic(text, phon, sizeof phon, NULL);
	cartel__match_skel_of_phon(phon, out, size);
}

/* The plausibility of one word in each role, from the name tables. */
static void
word_bits(const struct match_names *nt, struct qword *w)
{
	if (w->initial) {
		w->family_ok = 0;
		w->bits[R_FAMILY] = 0;
		w->bits[R_GIVEN] = 1.0;
		w->bits[R_PATR] = 0.5;
		return;
	}
	char sk[MATCH_SKEL], masc[MATCH_SKEL];
	skel_of(w->s, sk, sizeof sk);
	/* A second word inside one (a hyphen read as a space) is judged
	 * by its first. */
	char *sp = strchr(sk, ' ');
	if (sp != NULL)
		*sp = '\0';
	cartel__match_masc(sk, masc, sizeof masc);
	enum given_how how = GIVEN_NONE;
	int gid = cartel__match_names_given(nt, sk, &how, NULL);
	int surname = cartel__match_names_surname(nt, masc) != 0;
	int patr_exact = cartel__match_names_patr_exact(nt, sk) != 0;
	int patr_any =
	    patr_exact || cartel__match_names_patr(nt, sk, NULL) != 0;
	int suffix = cartel__match_patr_suffix(sk);

	w->family_ok = 1;
	double g = -3.0;
	if (gid != 0)
		g = how == GIVEN_FORM ? 3.0 : how == GIVEN_DIM ? 2.5 : 0.5;
	w->bits[R_GIVEN] = g;

	double p = -3.0;
	if (patr_exact)
		p = 3.0;
	else if (patr_any)
		p = suffix ? 1.0 : 0.0;
	else if (suffix)
		p = 1.0;
	w->bits[R_PATR] = p;

	double f = 0;
	if (surname)
		f = 1.5;
	else if (gid != 0 && how == GIVEN_FORM)
		f = -2.5;
	else if (gid != 0 && how == GIVEN_DIM)
		f = -1.5;
	else if (patr_exact)
		f = -1.0;
	w->bits[R_FAMILY] = f;
}

struct cand {
	unsigned char role[Q_ENUM_WORDS];
	double bits;
};

static int
cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->bits != y->bits)
		return x->bits > y->bits ? -1 : 1;
	return memcmp(x->role, y->role, sizeof x->role);
}

/* The plausibility of one assignment of roles, or a negative number
 * below -1e6 when it is not a reading at all. */
static double
reading_bits(const struct qword *w, int n, const unsigned char *role,
	     int n_extra)
{
	int n_g = 0, n_p = 0, n_f = 0, first_f = -1, last_f = -1;
	int pos_g = -1, pos_p = -1;
	double bits = 0;
	int n_full = n_extra;
	for (int i = 0; i < n; i++) {
		n_full += !w[i].initial;
		if (role[i] == R_FAMILY) {
			if (!w[i].family_ok)
				return -1e9;
			if (first_f < 0)
				first_f = i;
			last_f = i;
			n_f++;
		} else if (role[i] == R_GIVEN) {
			n_g++;
			pos_g = i;
		} else {
			n_p++;
			pos_p = i;
		}
		bits += w[i].bits[role[i]];
	}
	/* Initials alone name nobody. */
	if (n_g > 1 || n_p > 1 || n_f + n_g == 0 || n_full == 0)
		return -1e9;
	/* A surname of several words is one run of them. */
	if (n_f > 0 && last_f - first_f + 1 != n_f)
		return -1e9;
	/* Hardly anyone asks after a man without his surname: a reading
	 * without one needs clearly better evidence from the index. */
	if (n_f + n_extra == 0)
		bits -= 5.0;
	if (n_f > 1)
		bits -= 1.5 * (n_f - 1);
	if (pos_g >= 0 && pos_p >= 0)
		bits += pos_p == pos_g + 1 ? 1.0 : pos_p < pos_g ? -1.5 : 0;
	/* A surname between the given name and the patronymic is not how
	 * anyone writes a name. */
	if (n_f > 0 && pos_g >= 0 && pos_p >= 0 &&
	    ((first_f > pos_g && first_f < pos_p) ||
	     (first_f > pos_p && first_f < pos_g)))
		bits -= 3.0;
	return bits;
}

static char *
join_family(const struct qword *w, int n, const unsigned char *role,
	    const struct qword *extra, int n_extra)
{
	size_t len = 1;
	for (int i = 0; i < n; i++)
		if (role[i] == R_FAMILY)
			len += strlen(w[i].s) + 1;
	for (int i = 0; i < n_extra; i++)
		len += strlen(extra[i].s) + 1;
	if (len == 1)
		return NULL;
	char *s = malloc(len);
	if (s == NULL)
		return NULL;
	size_t k = 0;
	for (int pass = 0; pass < 2; pass++) {
		int m = pass == 0 ? n : n_extra;
		for (int i = 0; i < m; i++) {
			if (pass == 0 && role[i] != R_FAMILY)
				continue;
			const char *t = pass == 0 ? w[i].s : extra[i].s;
			size_t l = strlen(t);
			if (k > 0)
				s[k++] = ' ';
			memcpy(s + k, t, l);
			k += l;
		}
	}
	s[k] = '\0';
	return s;
}

void
cartel_query_clear(struct cartel_query *q)
{
	if (q == NULL)
		return;
	for (size_t i = 0; i < q->n_readings; i++)
		cartel_person_clear(&q->readings[i].person);
	free(q->readings);
	memset(q, 0, sizeof *q);
}

/* Fills reading r from one assignment. */
static int
make_reading(struct cartel_query_reading *r, const struct qword *w, int n,
	     const unsigned char *role, const struct qword *extra,
	     int n_extra, double bits, const struct cartel_date *born)
{
	memset(r, 0, sizeof *r);
	r->plausibility = bits;
	r->person.birth_date = *born;
	int has_f = 0;
	for (int i = 0; i < n; i++) {
		char **dst = NULL;
		if (role[i] == R_FAMILY)
			has_f = 1;
		else if (role[i] == R_GIVEN)
			dst = &r->person.given_name;
		else
			dst = &r->person.patronymic;
		if (dst != NULL && (*dst = cartel__strdup(w[i].s)) == NULL)
			return CARTEL_ENOMEM;
	}
	if ((has_f || n_extra > 0) &&
	    (r->person.family_name =
		     join_family(w, n, role, extra, n_extra)) == NULL)
		return CARTEL_ENOMEM;
	return 0;
}

/*
 * A diminutive of several names (Женя: Євген and Євгенія; Саша:
 * Олександр and Олександра) is read by the comparison as the first of
 * them; the others are offered as readings of their own, the full name
 * in place of the diminutive, a little less plausible, while there is
 * room.
 */
static int
add_dim_variants(const struct match_names *nt, struct cartel_query *q,
		 size_t r)
{
	const char *g = q->readings[r].person.given_name;
	if (g == NULL)
		return 0;
	char sk[MATCH_SKEL];
	skel_of(g, sk, sizeof sk);
	enum given_how how;
	if (cartel__match_names_given(nt, sk, &how, NULL) == 0 ||
	    how != GIVEN_DIM)
		return 0;
	int32_t ids[4];
	size_t n_ids = cartel__match_names_dim_ids(nt, sk, ids, 4);
	for (size_t k = 1; k < n_ids; k++) {
		if (q->n_readings >= CARTEL_QUERY_MAX_READINGS)
			return 0;
		const char *full = cartel__match_names_given_form(nt, ids[k]);
		if (full[0] == '\0')
			continue;
		struct cartel_query_reading *v = &q->readings[q->n_readings];
		const struct cartel_person *src = &q->readings[r].person;
		memset(v, 0, sizeof *v);
		v->plausibility = q->readings[r].plausibility - 0.5;
		v->person.birth_date = src->birth_date;
		q->n_readings++;
		if ((src->family_name != NULL &&
		     (v->person.family_name =
			      cartel__strdup(src->family_name)) == NULL) ||
		    (src->patronymic != NULL &&
		     (v->person.patronymic = cartel__strdup(src->patronymic)) ==
			     NULL) ||
		    (v->person.given_name = cartel__strdup(full)) == NULL)
			return CARTEL_ENOMEM;
	}
	return 0;
}

int
cartel_query_parse(const char *text, size_t len, const char *born,
		   const struct cartel_match_opts *opts,
		   struct cartel_query *out, char **why)
{
	memset(out, 0, sizeof *out);
	if (text == NULL)
		len = 0;
	if (len > CARTEL_QUERY_MAX_TEXT)
		return cartel__why(why, CARTEL_ERANGE,
				   "the name is longer than %d bytes",
				   CARTEL_QUERY_MAX_TEXT);
	/* Bytes that are not UTF-8 are no name: refused here, for every
	 * front end, rather than read as letters no record has. */
	if (len > 0 && !cartel_utf8_valid(text, len))
		return cartel__why(why, CARTEL_EINVAL,
				   "the name is not valid UTF-8 text");
	const struct match_names *nt;
	int rc =
	    cartel__match_names_get(opts ? opts->data_dir : NULL, &nt, why);
	if (rc != 0)
		return rc;
	if (born != NULL && born[0] != '\0') {
		rc = read_date(born, &out->born, &out->born_swapped, why);
		if (rc != 0)
			return rc;
	}
	/* The working copy: chunks and words are cut in place. */
	char buf[CARTEL_QUERY_MAX_TEXT + 1];
	if (len > 0)
		memcpy(buf, text, len);
	buf[len] = '\0';
	for (size_t i = 0; i < len; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	struct qword w[Q_MAX_WORDS];
	int n = 0;
	char *p = buf;
	while (*p != '\0') {
		while (is_sep(*p))
			*p++ = '\0';
		if (*p == '\0')
			break;
		char *chunk = p;
		while (*p != '\0' && !is_sep(*p))
			p++;
		if (*p != '\0')
			*p++ = '\0';
		if (is_date_chunk(chunk)) {
			struct cartel_date d;
			int sw;
			if (out->born.year == 0 &&
			    read_date(chunk, &d, &sw, NULL) == 0) {
				out->born = d;
				out->born_swapped = sw;
				out->born_in_text = 1;
			}
			continue;
		}
		/* Dots end initials and abbreviations: "О.І." is two. */
		char *piece = chunk;
		for (;;) {
			char *dot = strchr(piece, '.');
			if (dot != NULL)
				*dot = '\0';
			char sk[MATCH_SKEL];
			cartel_match_skeleton(piece, sk, sizeof sk);
			if (sk[0] != '\0' && n < Q_MAX_WORDS) {
				w[n].s = piece;
				w[n].initial = utf8_letters(piece) == 1;
				n++;
			}
			if (dot == NULL)
				break;
			piece = dot + 1;
		}
	}
	int n_enum = n < Q_ENUM_WORDS ? n : Q_ENUM_WORDS;
	int n_extra = n - n_enum;
	for (int i = 0; i < n_enum; i++)
		word_bits(nt, &w[i]);
	/* Words past the first few go to the surname whatever the rest is
	 * (no name has so many; this keeps a pasted line usable). */
	const struct qword *extra = w + n_enum;
	size_t n_assign = 1;
	for (int i = 0; i < n_enum; i++)
		n_assign *= 3;
	struct cand *c = NULL;
	size_t n_c = 0;
	if (n_enum > 0 && (c = malloc(n_assign * sizeof *c)) == NULL)
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	for (size_t code = 0; n_enum > 0 && code < n_assign; code++) {
		struct cand k;
		memset(&k, 0, sizeof k);
		size_t v = code;
		for (int i = 0; i < n_enum; i++) {
			k.role[i] = (unsigned char)(v % 3);
			v /= 3;
		}
		k.bits = reading_bits(w, n_enum, k.role, n_extra);
		if (k.bits > -1e6)
			c[n_c++] = k;
	}
	if (n_c == 0) {
		free(c);
		memset(out, 0, sizeof *out);
		return cartel__why(why, CARTEL_EINVAL,
				   "the name holds no letters (or only "
				   "initials)");
	}
	qsort(c, n_c, sizeof *c, cmp_cand);
	size_t keep = 0;
	while (keep < n_c && keep < Q_BASE_READINGS &&
	       c[keep].bits >= c[0].bits - Q_PRUNE_BITS)
		keep++;
	out->readings = calloc(CARTEL_QUERY_MAX_READINGS,
			       sizeof *out->readings);
	rc = out->readings == NULL ? CARTEL_ENOMEM : 0;
	for (size_t i = 0; rc == 0 && i < keep; i++) {
		rc = make_reading(&out->readings[i], w, n_enum, c[i].role,
				  extra, n_extra, c[i].bits, &out->born);
		out->n_readings = i + 1;
	}
	free(c);
	for (size_t i = 0; rc == 0 && i < keep; i++)
		rc = add_dim_variants(nt, out, i);
	if (rc != 0) {
		cartel_query_clear(out);
		return cartel__why(why, rc, "out of memory");
	}
	return 0;
}
