/*
 * The Fellegi-Sunter model: for each field and level, m (the chance of that
 * level when the two records are the same person) and u (the chance when
 * they are not). A pair's weight is the sum of log2(m/u) over its fields,
 * plus the prior log-odds; the probability follows. u comes from random
 * pairs of the data (index.c), m from EM over the candidate pairs with u
 * held fixed, computed on a histogram of level patterns (a few thousand
 * distinct patterns stand for millions of pairs, so EM takes milliseconds).
 *
 * The family name's exact level is adjusted for the surname's frequency:
 * its u is the share of records bearing that surname, so that a shared
 * Коваленко counts for less than a shared Гайдамака.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cartel/error.h>

#include "core/intl.h"
#include "core/why.h"
#include "match/match_int.h"

/* Built-in parameters: the starting point of EM, and the model used when
 * there is too little data to fit one. m is what EM fitted on the tuning
 * corpora (docs/matching.md), rounded, with no level below 0.002; u is what
 * random pairs of those corpora showed. Level 0 is unused. */
static const double m0[F_N][LV_MAX] = {
	{0, .93, .004, .04, .017, .009},
	{0, .86, .10, .01, .03},
	{0, .98, .01, .01},
	{0, .84, .01, .045, .03, .03, .035, .01},
	{0, .67, .32, .01},
	{0, .99, .005, .005},
};
static const double u0[F_N][LV_MAX] = {
	{0, .018, .0006, .0015, .0055, .9744},
	{0, .04, .005, .0003, .9547},
	{0, .05, .003, .947},
	{0, .00012, .00004, .00013, .0015, .0009, .0006, .9967},
	{0, .0125, .015, .9725},
	{0, .0003, .0001, .9996},
};

void
cartel__match_model_weights(struct match_model *mm)
{
	for (int f = 0; f < F_N; f++) {
		mm->w[f][0] = 0;
		for (int l = 1; l < cartel__match_n_levels[f]; l++) {
			double w = log2(mm->m[f][l] / mm->u[f][l]);
			if (w > 24)
				w = 24;
			if (w < -16)
				w = -16;
			mm->w[f][l] = w;
		}
	}
	if (mm->lambda > 0 && mm->lambda < 1)
		mm->log2_prior = log2(mm->lambda / (1 - mm->lambda));
}

void
cartel__match_model_defaults(struct match_model *mm)
{
	memset(mm, 0, sizeof *mm);
	memcpy(mm->m, m0, sizeof m0);
	memcpy(mm->u, u0, sizeof u0);
	mm->lambda = 0.05;
	cartel__match_model_weights(mm);
}

size_t
cartel__match_n_patterns(void)
{
	size_t n = 1;
	for (int f = 0; f < F_N; f++)
		n *= (size_t)cartel__match_n_levels[f];
	return n;
}

unsigned
cartel__match_pattern(const uint8_t lv[F_N])
{
	unsigned c = 0;
	for (int f = 0; f < F_N; f++)
		c = c * (unsigned)cartel__match_n_levels[f] + lv[f];
	return c;
}

void
cartel__match_unpattern(unsigned code, uint8_t lv[F_N])
{
	for (int f = F_N - 1; f >= 0; f--) {
		lv[f] = (uint8_t)(code % (unsigned)cartel__match_n_levels[f]);
		code /= (unsigned)cartel__match_n_levels[f];
	}
}

int
cartel__match_em(struct match_model *mm, const double *counts, double n_pairs)
{
	size_t np = cartel__match_n_patterns();
	double total = 0;
	for (size_t p = 0; p < np; p++)
		total += counts[p];
	if (total < 200 || !(n_pairs >= total))
		return 0; /* too little to fit: keep the built-in m */
	/* The prior is over all pairs, not over the candidates: the pairs
	 * blocking left out are non-matches (blocking keeps nearly every true
	 * pair), so lambda = expected matches / all pairs. Over candidates
	 * alone, EM with u fixed from random pairs would call every candidate
	 * a match. */
	struct match_model fit = *mm;
	double (*acc)[LV_MAX] = calloc(F_N, sizeof *acc);
	if (acc == NULL)
		return 0;
	int it;
	for (it = 1; it <= 200; it++) {
		cartel__match_model_weights(&fit);
		memset(acc, 0, F_N * sizeof *acc);
		double sum_p = 0;
		for (size_t p = 0; p < np; p++) {
			if (counts[p] == 0)
				continue;
			uint8_t lv[F_N];
			cartel__match_unpattern((unsigned)p, lv);
			double lo = fit.log2_prior;
			for (int f = 0; f < F_N; f++)
				lo += fit.w[f][lv[f]];
			double pr = 1 / (1 + exp2(-lo));
			double c = counts[p] * pr;
			sum_p += c;
			for (int f = 0; f < F_N; f++)
				acc[f][lv[f]] += c;
		}
		double change = 0;
		for (int f = 0; f < F_N; f++) {
			double s = 0;
			for (int l = 1; l < cartel__match_n_levels[f]; l++)
				s += acc[f][l];
			if (s <= 0)
				continue;
			for (int l = 1; l < cartel__match_n_levels[f]; l++) {
				/* A light prior towards the built-in m keeps
				 * rare levels from collapsing to zero. */
				double m = (acc[f][l] + 2.0 * m0[f][l]) /
					   (s + 2.0);
				/* No level is impossible for the same
				 * person: a clerk's slip can produce any of
				 * them, so none may weigh more than about
				 * ten bits against. */
				if (m < 0.002)
					m = 0.002;
				change += fabs(m - fit.m[f][l]);
				fit.m[f][l] = m;
			}
		}
		double lambda = sum_p / n_pairs;
		change += fabs(lambda - fit.lambda);
		fit.lambda = lambda;
		if (change < 1e-7)
			break;
	}
	free(acc);
	/* Sanity: EM must find some matches and agreement must remain
	 * evidence for a match; otherwise the data did not support a fit. */
	if (!(fit.lambda > 0 && fit.lambda < 0.5) ||
	    fit.m[F_FAMILY][1] < fit.u[F_FAMILY][1] ||
	    fit.m[F_GIVEN][1] < fit.u[F_GIVEN][1])
		return 0;
	fit.em_iter = it > 200 ? 200 : it;
	cartel__match_model_weights(&fit);
	*mm = fit;
	return mm->em_iter;
}

/* The family name's exact-level weight for this pair. */
static double
family_exact(const struct match_model *mm, int lv, const struct match_rec *a,
	     const struct match_rec *b)
{
	double tf = a->fam_tf > b->fam_tf ? a->fam_tf : b->fam_tf;
	if (!(tf > 0))
		return mm->w[F_FAMILY][lv];
	if (tf < 1e-7)
		tf = 1e-7;
	/* The level's own weight, moved by how much rarer (or commoner)
	 * this surname is than the average agreement: for the exact level
	 * this is log2(m / tf). */
	double w = mm->w[F_FAMILY][lv] + log2(mm->u[F_FAMILY][1] / tf);
	if (w < 0.5)
		w = 0.5;
	if (w > 24)
		w = 24;
	return w;
}

/* The given name's agreement weight (levels 1 and 2) for this pair: a
 * shared Олександр says less than a shared Августин. */
static double
given_exact(const struct match_model *mm, int lv, const struct match_rec *a,
	    const struct match_rec *b)
{
	double tf = a->giv_tf > b->giv_tf ? a->giv_tf : b->giv_tf;
	if (!(tf > 0))
		return mm->w[F_GIVEN][lv];
	if (tf < 1e-6)
		tf = 1e-6;
	double w = mm->w[F_GIVEN][lv] + log2(mm->u[F_GIVEN][1] / tf);
	if (w < 0.5)
		w = 0.5;
	if (w > 20)
		w = 20;
	return w;
}

static double
level_weight(const struct match_model *mm, int f, int lv,
	     const struct match_rec *a, const struct match_rec *b)
{
	if (f == F_FAMILY && (lv == 1 || lv == 2))
		return family_exact(mm, lv, a, b);
	if (f == F_GIVEN && (lv == 1 || lv == 2))
		return given_exact(mm, lv, a, b);
	return mm->w[f][lv];
}

double
cartel__match_weight(const struct match_model *mm, const uint8_t lv[F_N],
                     const struct match_rec *a, const struct match_rec *b)
{
	double w = 0;
	for (int f = 0; f < F_N; f++)
		w += level_weight(mm, f, lv[f], a, b);
	return w;
}

/* A growing string for explanations. */
struct sbuf {
	char *s;
	size_t len, cap;
	int bad;
};

static void
sb_add(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
sb_add(struct sbuf *b, const char *fmt, ...)
{
	if (b->bad)
		return;
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		size_t room = b->cap - b->len;
		int n = vsnprintf(b->s ? b->s + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->bad = 1;
			return;
		}
		if ((size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = b->cap ? b->cap * 2 : 256;
		while (cap < b->len + (size_t)n + 1)
			cap *= 2;
		char *s = realloc(b->s, cap);
		if (s == NULL) {
			b->bad = 1;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
}

static const char *
show(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : "?";
}

/* The text shown for a field of a record: its own words, as written. */
static const char *
field_text(const struct match_rec *r, int f)
{
	const struct cartel_person *p = r->p;
	switch (f) {
	case F_FAMILY: return r->swapped ? p->given_name : p->family_name;
	case F_GIVEN: return r->swapped ? p->family_name : p->given_name;
	case F_PATR:
		return p->patronymic != NULL && p->patronymic[0] ? p->patronymic
		       : r->patr_moved ? "(within another field)"
				       : p->patronymic;
	case F_PLACE: return p->birth_place;
	case F_SERVICE: return p->service_number;
	default: return NULL;
	}
}

static const char *const field_name[F_N] = {
	"family name", "given name", "patronymic",
	"birth date",  "birth place", "service number",
};

static const char *
how_text(int f, int lv, const struct match_rec *a, const struct match_rec *b,
	 const char *ta, const char *tb)
{
	int same_text = ta && tb && strcmp(ta, tb) == 0;
	switch (f) {
	case F_FAMILY:
		switch (lv) {
		case 1:
			if (same_text)
				return "identical";
			return a->surname_id && a->surname_id == b->surname_id
				       ? "the same surname in either language "
					 "(name table)"
				       : "the same name across scripts";
		case 2: return "feminine and masculine forms of one surname";
		case 3: return "nearly the same spelling";
		case 4: return "similar, sounds alike (Daitch-Mokotoff)";
		default: return "different";
		}
	case F_GIVEN:
		switch (lv) {
		case 1:
			if (same_text)
				return "identical";
			return a->given_id ? "via the name table"
					   : "the same name across scripts";
		case 2:
			return (a->given_how == GIVEN_DIM ||
				b->given_how == GIVEN_DIM)
				       ? "via the name table (diminutive)"
				       : "via the name table (one letter off)";
		case 3: return "similar spelling or initial";
		default: return "different";
		}
	case F_PATR:
		switch (lv) {
		case 1:
			if (same_text)
				return "identical";
			return a->patr_id ? "the same father's name via the "
					    "name table"
					  : "the same name across scripts";
		case 2: return "nearly the same";
		default: return "different";
		}
	case F_DATE: {
		static const char *const t[] = {
			"", "exact", "day and month swapped",
			"one year apart", "one digit differs",
			"1 January placeholder", "partial dates agree",
			"different"};
		return t[lv];
	}
	case F_PLACE:
		return lv == 1 ? "same place"
		       : lv == 2 ? "similar spelling"
				 : "different";
	default:
		return lv == 1 ? "same number"
		       : lv == 2 ? "one character differs"
				 : "different";
	}
}

/* The import column of each compared field. */
static const char *const field_column[F_N] = {
	"family_name", "given_name",  "patronymic",
	"birth_date",  "birth_place", "service_number",
};

/* The two records' texts of field f, NULL when unknown (da, db hold a
 * date's). */
static void
field_texts(const struct match_rec *a, const struct match_rec *b, int f,
	    char da[16], char db[16], const char **ta, const char **tb)
{
	if (f == F_DATE) {
		*ta = cartel_date_format(&a->p->birth_date, da, 16);
		*tb = cartel_date_format(&b->p->birth_date, db, 16);
	} else {
		*ta = field_text(a, f);
		*tb = field_text(b, f);
	}
	if (*ta != NULL && (*ta)[0] == '\0')
		*ta = NULL;
	if (*tb != NULL && (*tb)[0] == '\0')
		*tb = NULL;
}

void
cartel__match_fields(const struct match_model *mm, const uint8_t lv[F_N],
		     const struct match_rec *a, const struct match_rec *b,
		     struct cartel_match_field out[F_N])
{
	for (int f = 0; f < F_N; f++) {
		char da[16], db[16];
		const char *ta, *tb;
		field_texts(a, b, f, da, db, &ta, &tb);
		out[f].field = field_column[f];
		if (lv[f] == 0) {
			out[f].how = ta == NULL && tb == NULL
					     ? "unknown on both sides"
					     : "missing on one side";
			out[f].weight = 0;
			continue;
		}
		out[f].weight = level_weight(mm, f, lv[f], a, b);
		out[f].how = how_text(f, lv[f], a, b, ta, tb);
	}
}

int
cartel__match_evidence(const struct match_model *mm, const uint8_t lv[F_N],
		       const struct match_rec *a, const struct match_rec *b,
		       struct cartel_match_evidence out[F_N])
{
	memset(out, 0, F_N * sizeof *out);
	struct cartel_match_field fs[F_N];
	cartel__match_fields(mm, lv, a, b, fs);
	int bad = 0;
	for (int f = 0; f < F_N; f++) {
		char da[16], db[16];
		const char *ta, *tb;
		field_texts(a, b, f, da, db, &ta, &tb);
		struct cartel_match_evidence *e = &out[f];
		e->field = fs[f].field;
		e->how = fs[f].how;
		e->weight = fs[f].weight;
		if (ta != NULL && (e->left = strdup(ta)) == NULL)
			bad = 1;
		if (tb != NULL && (e->right = strdup(tb)) == NULL)
			bad = 1;
	}
	if (bad) {
		for (int f = 0; f < F_N; f++) {
			free(out[f].left);
			free(out[f].right);
		}
		memset(out, 0, F_N * sizeof *out);
		return CARTEL_ENOMEM;
	}
	return 0;
}

/* The fields as a family names them, after "found by" (joined). */
static const char *const field_found[F_N] = {
	N_("surname"),       N_("given name"),  N_("patronymic"),
	N_("date of birth"), N_("place of birth"), N_("service number"),
};

/* "the surname differs: X and Y" and its kind, per field. */
static const char *const field_differs[F_N] = {
	N_("the surname differs: %1$s and %2$s"),
	N_("the given name differs: %1$s and %2$s"),
	N_("the patronymic differs: %1$s and %2$s"),
	N_("the date of birth differs: %1$s and %2$s"),
	N_("the place of birth differs: %1$s and %2$s"),
	N_("the service number differs: %1$s and %2$s"),
};

/* How two agreeing values that are not written alike are one, in words
 * for a family; NULL when they are written alike. */
static const char *
alike_words(int f, int lv, const struct match_rec *a,
	    const struct match_rec *b, int same_text)
{
	if (same_text)
		return NULL;
	switch (f) {
	case F_FAMILY:
		switch (lv) {
		case 1: return N_("the surname is written differently: %1$s "
				  "and %2$s are the same surname");
		case 2: return N_("the surname is in another form: %1$s and "
				  "%2$s are the woman's and the man's form of "
				  "one surname");
		case 3: return N_("the surname is spelled a little "
				  "differently: %1$s and %2$s");
		default: return N_("the surname sounds alike: %1$s and %2$s");
		}
	case F_GIVEN:
		if (lv == 1)
			return N_("the given name is written differently: "
				  "%1$s and %2$s are the same name");
		if (lv == 2 && (a->given_how == GIVEN_DIM ||
				b->given_how == GIVEN_DIM))
			return N_("the given name is written differently: "
				  "%1$s and %2$s are the full and the short "
				  "form of one name");
		if (lv == 2)
			return N_("the given name is spelled a little "
				  "differently: %1$s and %2$s");
		return N_("the given name is similar or an initial: %1$s and "
			  "%2$s");
	case F_PATR:
		return lv == 1 ? N_("the patronymic is written differently: "
				    "%1$s and %2$s are the same father's name")
			       : N_("the patronymic is spelled a little "
				    "differently: %1$s and %2$s");
	case F_DATE:
		switch (lv) {
		case 2: return N_("the day and month of birth are swapped: "
				  "%1$s and %2$s");
		case 3: return N_("the years of birth are one apart: %1$s and "
				  "%2$s");
		case 4: return N_("one digit of the date of birth differs: "
				  "%1$s and %2$s");
		case 5: return N_("one date of birth is a 1 January "
				  "placeholder: %1$s and %2$s");
		default: return NULL;
		}
	case F_PLACE:
		return N_("the place of birth is spelled a little "
			  "differently: %1$s and %2$s");
	default:
		return N_("one character of the service number differs: %1$s "
			  "and %2$s");
	}
}

char *
cartel__match_words(const struct match_model *mm, const uint8_t lv[F_N],
		    int swapped, const struct match_rec *a,
		    const struct match_rec *b)
{
	struct sbuf found = {0}, notes = {0};
	const char *agreed[F_N];
	int n_agreed = 0;
	for (int f = 0; f < F_N; f++) {
		char da[16], db[16];
		const char *ta, *tb;
		if (f == F_DATE) {
			ta = cartel_date_format(&a->p->birth_date, da, sizeof da);
			tb = cartel_date_format(&b->p->birth_date, db, sizeof db);
		} else {
			ta = field_text(a, f);
			tb = field_text(b, f);
		}
		if (ta == NULL || tb == NULL || ta[0] == '\0' ||
		    tb[0] == '\0' || lv[f] == 0)
			continue;
		int same_text = strcmp(ta, tb) == 0;
		if (level_weight(mm, f, lv[f], a, b) < 0) {
			if (notes.len > 0)
				sb_add(&notes, "; ");
			sb_add(&notes, _(field_differs[f]), ta, tb);
			continue;
		}
		/* A date known only to the year, or agreeing in part, found
		 * him by the year. */
		if (f == F_DATE && lv[f] == 6)
			agreed[n_agreed++] = N_("year of birth");
		else if (f == F_DATE &&
			 (a->p->birth_date.month == 0 ||
			  b->p->birth_date.month == 0) &&
			 lv[f] == 1)
			agreed[n_agreed++] = N_("year of birth");
		else
			agreed[n_agreed++] = field_found[f];
		const char *how = alike_words(f, lv[f], a, b, same_text);
		if (how != NULL) {
			if (notes.len > 0)
				sb_add(&notes, "; ");
			sb_add(&notes, _(how), ta, tb);
		}
	}
	if (swapped || a->swapped || b->swapped) {
		if (notes.len > 0)
			sb_add(&notes, "; ");
		sb_add(&notes, "%s",
		       _("the surname and the given name were swapped in one "
			 "record"));
	}
	/* "found by A, B and C". */
	for (int i = 0; i < n_agreed; i++) {
		if (i == 0)
			sb_add(&found, "%s", _(agreed[i]));
		else if (i + 1 < n_agreed)
			sb_add(&found, _(", %s"), _(agreed[i]));
		else
			sb_add(&found, _(" and %s"), _(agreed[i]));
	}
	struct sbuf out = {0};
	if (n_agreed > 0)
		sb_add(&out, _("found by %s"), found.s);
	else
		sb_add(&out, "%s", _("found, though no field agrees exactly"));
	if (notes.len > 0)
		sb_add(&out, "; %s", notes.s);
	free(found.s);
	free(notes.s);
	if (found.bad || notes.bad || out.bad) {
		free(out.s);
		return NULL;
	}
	return out.s;
}

char *
cartel__match_explain(const struct match_model *mm, const uint8_t lv[F_N],
                      int swapped, const struct match_rec *a,
                      const struct match_arena *aa, const struct match_rec *b,
                      const struct match_arena *ba, double weight, double prob)
{
	(void)aa;
	(void)ba;
	struct sbuf sb = {0};
	for (int f = 0; f < F_N; f++) {
		char da[16], db[16];
		const char *ta, *tb;
		if (f == F_DATE) {
			ta = cartel_date_format(&a->p->birth_date, da, sizeof da);
			tb = cartel_date_format(&b->p->birth_date, db, sizeof db);
			if (ta[0] == '\0')
				ta = NULL;
			if (tb[0] == '\0')
				tb = NULL;
		} else {
			ta = field_text(a, f);
			tb = field_text(b, f);
			if (ta != NULL && ta[0] == '\0')
				ta = NULL;
			if (tb != NULL && tb[0] == '\0')
				tb = NULL;
		}
		if (ta == NULL && tb == NULL)
			continue;
		if (sb.len > 0)
			sb_add(&sb, "; ");
		if (lv[f] == 0) {
			sb_add(&sb, "%s: missing on one side, 0", field_name[f]);
			continue;
		}
		double w = level_weight(mm, f, lv[f], a, b);
		int agree = w >= 0;
		sb_add(&sb, "%s: %s %s %s %s", field_name[f], show(ta),
		       agree ? "=" : "\xe2\x89\xa0", show(tb),
		       how_text(f, lv[f], a, b, ta, tb));
		if (f == F_FAMILY && lv[f] == 1) {
			double base = mm->w[F_FAMILY][1];
			if (w < base - 1.5)
				sb_add(&sb, " (a common surname)");
			else if (w > base + 1.5)
				sb_add(&sb, " (a rare surname)");
		}
		sb_add(&sb, ", %+.1f", w);
	}
	if (swapped || a->swapped || b->swapped)
		sb_add(&sb, "; family and given names were swapped in one "
			    "record");
	sb_add(&sb, "; %+.1f bits with the prior and the other candidates, "
		    "probability %.3f",
	       weight, prob);
	if (sb.bad) {
		free(sb.s);
		return NULL;
	}
	return sb.s;
}
