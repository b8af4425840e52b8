/*
 * The matching test corpus: two lists of the same people as different
 * hands write them, and the truth.
 *
 * The left list is the detaining side's clerks': the other language's
 * spelling (a Ukrainian captive held by Russia is Александр Юрьевич), some
 * rows in capitals, dates mostly DD.MM.YYYY, patronymics recorded. The
 * right list is the families': their own language, sometimes Latin letters
 * in one of the systems of latin.c, sometimes a diminutive, rarely a
 * patronymic. Both carry typos (substitution, deletion, transposition,
 * doubling), swapped family and given names, a patronymic in the given-name
 * field, date errors (day and month swapped, one digit wrong, one year off,
 * the year alone, 1 January as a placeholder) and empty fields. Surnames
 * follow a Zipf-Mandelbrot law over data/surnames.tsv and its long tail
 * (surtail.c), so namesakes abound; brothers
 * (same surname and patronymic, another given name and birth date) and twins
 * (the same birth date too) are the hard negatives. Some people are in one
 * list only. See docs/corpus.md.
 */
#include <stdlib.h>
#include <string.h>

#include <cartel/csv.h>
#include <cartel/error.h>

#include "core/why.h"
#include "gen/gen_int.h"

void
cartel_corpus_rates_default(struct cartel_corpus_rates *r)
{
	r->only_one = 0.15;
	r->brother = 0.06;
	r->twin = 0.15;
	r->caps = 0.35;
	r->dotted_date = 0.6;
	r->latin = 0.25;
	r->diminutive = 0.08;
	r->family_patronymic = 0.25;
	r->typo = 0.05;
	r->swap = 0.03;
	r->patr_misplaced = 0.02;
	r->date_error = 0.08;
	r->missing = 0.05;
}

struct person {
	int origin; /* 0: from A (Ukrainian), 1: from B (Russian) */
	int female;
	size_t given, father, surname;
	long born;
	size_t birth_place; /* index into the name data's places */
	char service[24];
	int lists; /* 1 left, 2 right, 3 both */
	size_t left_no, right_no;
};

enum { F_ID, F_FAMILY, F_GIVEN, F_PATR, F_BIRTH, F_PLACE, F_SEX, F_SERVICE,
       F_N };
static const char *const header[F_N] = {
	"id", "family_name", "given_name", "patronymic", "birth_date",
	"birth_place", "sex", "service_number",
};

/* Letters a typo may bring in, by script. */
static const char cyr_letters[] = "абвгдежзиклмнопрстуфхцчшщьюя";
static const char lat_letters[] = "abcdefghijklmnoprstuvyz";

/* Applies one typo to s (a malloc'd UTF-8 string), replacing it. */
static char *
typo(struct gen_rng *r, char *s)
{
	size_t n = 0;
	long cps[256];
	for (const char *p = s; *p && n < 256;)
		cps[n++] = cartel__gen_utf8_next(&p);
	if (n < 2)
		return s;
	int kind = (int)cartel__gen_rng_below(r, 4);
	size_t at = cartel__gen_rng_below(r, n);
	struct gen_buf b = {0};
	for (size_t i = 0; i < n; i++) {
		long c = cps[i];
		if (i == at) {
			if (kind == 0) { /* substitution, same script */
				int upper = (c >= 0x410 && c <= 0x42f) ||
					    (c >= 'A' && c <= 'Z');
				int cyr = c >= 0x400 && c <= 0x4ff;
				long sub;
				if (cyr) {
					const char *p = cyr_letters;
					size_t k = cartel__gen_rng_below(r, 28);
					for (size_t j = 0; j < k; j++)
						cartel__gen_utf8_next(&p);
					sub = cartel__gen_utf8_next(&p);
					if (upper)
						sub -= 0x20;
				} else {
					sub = lat_letters[cartel__gen_rng_below(
					    r, sizeof lat_letters - 1)];
					if (upper)
						sub -= 32;
				}
				cartel__gen_buf_addcp(&b, sub);
				continue;
			}
			if (kind == 1) /* deletion */
				continue;
			if (kind == 2 && i + 1 < n) { /* transposition */
				cartel__gen_buf_addcp(&b, cps[i + 1]);
				cartel__gen_buf_addcp(&b, c);
				i++;
				continue;
			}
			/* doubling (also the transposition at the end) */
			cartel__gen_buf_addcp(&b, c);
		}
		cartel__gen_buf_addcp(&b, c);
	}
	char *t = cartel__gen_buf_take(&b);
	if (t == NULL)
		return s;
	free(s);
	return t;
}

static int
valid_day(int y, int m, int d)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30,
				    31, 31, 30, 31, 30, 31};
	if (m < 1 || m > 12 || d < 1 || y < 1900 || y > 2100)
		return 0;
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return d <= mdays[m - 1] + (m == 2 && leap);
}

/* Writes the date, possibly with one of the errors of the corpus, into
 * buf. */
static void
write_date(struct gen_rng *r, const struct cartel_corpus_rates *rt,
	   long born, long today, int dotted, char *buf, size_t size)
{
	int y, m, d, year_only = 0;
	cartel__gen_civil(born, &y, &m, &d);
	if (cartel__gen_rng_chance(r, rt->date_error)) {
		int kind = (int)cartel__gen_rng_below(r, 5);
		if (kind == 0 && (d > 12 || d == m))
			kind = 2; /* a swap would change nothing */
		switch (kind) {
		case 0: { /* day and month swapped */
			int t = d;
			d = m;
			m = t;
			break;
		}
		case 1: /* one digit wrong, the date still a date */
			for (int tries = 0; tries < 10; tries++) {
				int yy = y, mm = m, dd = d;
				int which = (int)cartel__gen_rng_below(r, 6);
				int digit = (int)cartel__gen_rng_below(r, 10);
				switch (which) {
				case 0: dd = (dd / 10) * 10 + digit; break;
				case 1: dd = digit * 10 + dd % 10; break;
				case 2: mm = (mm / 10) * 10 + digit; break;
				case 3: yy = (yy / 10) * 10 + digit; break;
				case 4: yy = (yy / 100) * 100 + digit * 10 +
					     yy % 10;
					break;
				default: mm = digit * 10 + mm % 10; break;
				}
				/* A wrong digit never makes a birth in the
				 * future, which any register would refuse. */
				if ((yy != y || mm != m || dd != d) &&
				    valid_day(yy, mm, dd) &&
				    cartel__gen_days(yy, mm, dd) <= today) {
					y = yy, m = mm, d = dd;
					break;
				}
			}
			break;
		case 2: /* one year off */
			y += cartel__gen_rng_chance(r, 0.5) ? 1 : -1;
			if (m == 2 && d == 29)
				d = 28;
			break;
		case 3:
			year_only = 1;
			break;
		default: /* 1 January placeholder */
			m = 1;
			d = 1;
			break;
		}
	}
	if (year_only)
		snprintf(buf, size, "%04d", y);
	else if (dotted)
		snprintf(buf, size, "%02d.%02d.%04d", d, m, y);
	else
		snprintf(buf, size, "%04d-%02d-%02d", y, m, d);
}

static char *
dup_or_oom(const char *s, int *oom)
{
	char *t = cartel__strdup(s ? s : "");
	if (t == NULL)
		*oom = 1;
	return t;
}

/* In place: capitals, or a Latin spelling. */
static char *
to_caps(char *s, int *oom)
{
	char *u = cartel__gen_upper(s);
	if (u == NULL) {
		*oom = 1;
		return s;
	}
	free(s);
	return u;
}

static char *
to_latin(enum cartel_latin sys, int uk, char *s, int *oom)
{
	char *t = NULL;
	if (cartel_latin(sys, uk, s, &t, NULL) != 0) {
		*oom = 1;
		return s;
	}
	free(s);
	return t;
}

/*
 * One person as one hand writes him: `clerk` 1 for the detaining side's
 * clerk (left list), 0 for the family (right list).
 */
static int
render(const struct cartel_names *nd, const struct cartel_corpus_rates *rt,
       struct gen_rng *r, const struct person *p, int clerk, long today,
       FILE *out, char **why)
{
	/* The clerk writes the other language, the family its own. */
	int uk = clerk ? p->origin == 1 : p->origin == 0;
	const struct gen_given *g = &nd->given[p->given];
	const struct gen_given *fa = &nd->given[p->father];
	const struct gen_surname *s = &nd->surnames[p->surname];
	int oom = 0;
	char *v[F_N] = {0};
	char id[24], date[16];
	snprintf(id, sizeof id, "%c%06zu", clerk ? 'L' : 'R',
		 clerk ? p->left_no : p->right_no);

	const char *sur = uk ? s->uk : s->ru;
	v[F_FAMILY] = p->female ? cartel__gen_surname_feminine(sur, uk)
	                        : cartel__strdup(sur);
	if (v[F_FAMILY] == NULL)
		oom = 1;
	const char *given = uk ? g->uk : g->ru;
	if (!clerk && g->dimin[0] != NULL &&
	    cartel__gen_rng_chance(r, rt->diminutive)) {
		size_t k = 0;
		while (g->dimin[k])
			k++;
		given = g->dimin[cartel__gen_rng_below(r, k)];
	}
	v[F_GIVEN] = dup_or_oom(given, &oom);
	int want_patr = clerk
	                    ? !cartel__gen_rng_chance(r, rt->missing)
	                    : cartel__gen_rng_chance(r, rt->family_patronymic);
	const char *patr = uk ? (p->female ? fa->patr_uk_f : fa->patr_uk_m)
			      : (p->female ? fa->patr_ru_f : fa->patr_ru_m);
	v[F_PATR] = dup_or_oom(want_patr ? patr : "", &oom);

	int dotted = clerk ? cartel__gen_rng_chance(r, rt->dotted_date)
	                   : cartel__gen_rng_chance(r, rt->dotted_date / 2);
	if (!cartel__gen_rng_chance(r, rt->missing)) {
		write_date(r, rt, p->born, today, dotted, date, sizeof date);
		v[F_BIRTH] = dup_or_oom(date, &oom);
	} else {
		v[F_BIRTH] = dup_or_oom("", &oom);
	}
	const struct gen_place *pl = &nd->places[p->birth_place];
	v[F_PLACE] =
	    dup_or_oom(cartel__gen_rng_chance(r, 0.3 + rt->missing) ? ""
	               : uk                                         ? pl->uk
	                                                            : pl->ru,
	               &oom);
	v[F_SEX] = dup_or_oom(cartel__gen_rng_chance(r, rt->missing) ? ""
	                      : p->female                            ? "f"
	                                                             : "m",
	                      &oom);
	int show_service =
	    p->service[0] && cartel__gen_rng_chance(r, clerk ? 0.8 : 0.3);
	v[F_SERVICE] = dup_or_oom(show_service ? p->service : "", &oom);
	if (oom)
		goto fail;

	/* The hand's habits: capitals for clerks, Latin for families. */
	if (clerk && cartel__gen_rng_chance(r, rt->caps)) {
		v[F_FAMILY] = to_caps(v[F_FAMILY], &oom);
		v[F_GIVEN] = to_caps(v[F_GIVEN], &oom);
		v[F_PATR] = to_caps(v[F_PATR], &oom);
	}
	if (!clerk && cartel__gen_rng_chance(r, rt->latin)) {
		/* Ukrainians' Latin is mostly their passport's (2010),
		 * Russians' the ICAO or the older passport style. */
		static const enum cartel_latin uk_sys[] = {
			CARTEL_LATIN_UA2010, CARTEL_LATIN_UA2010,
			CARTEL_LATIN_UA2010, CARTEL_LATIN_BGN,
			CARTEL_LATIN_GERMAN, CARTEL_LATIN_POLISH,
			CARTEL_LATIN_ISO9};
		static const enum cartel_latin ru_sys[] = {
			CARTEL_LATIN_ICAO, CARTEL_LATIN_ICAO,
			CARTEL_LATIN_PASSPORT, CARTEL_LATIN_PASSPORT,
			CARTEL_LATIN_BGN, CARTEL_LATIN_GERMAN,
			CARTEL_LATIN_ISO9};
		enum cartel_latin sys =
		    uk ? uk_sys[cartel__gen_rng_below(r, 7)]
		       : ru_sys[cartel__gen_rng_below(r, 7)];
		for (int k = F_FAMILY; k <= F_PLACE; k++)
			if (k != F_BIRTH)
				v[k] = to_latin(sys, uk, v[k], &oom);
	}
	for (int k = F_FAMILY; k <= F_PATR; k++)
		if (v[k][0] && cartel__gen_rng_chance(r, rt->typo))
			v[k] = typo(r, v[k]);
	if (v[F_PATR][0] && cartel__gen_rng_chance(r, rt->patr_misplaced)) {
		char *both = cartel__asprintf("%s %s", v[F_GIVEN], v[F_PATR]);
		if (both == NULL) {
			oom = 1;
		} else {
			free(v[F_GIVEN]);
			v[F_GIVEN] = both;
			v[F_PATR][0] = '\0';
		}
	}
	if (cartel__gen_rng_chance(r, rt->swap)) {
		char *t = v[F_FAMILY];
		v[F_FAMILY] = v[F_GIVEN];
		v[F_GIVEN] = t;
	}
	if (oom)
		goto fail;
	v[F_ID] = id;
	int rc = cartel_csv_write_row(out, (const char *const *)v, F_N);
	v[F_ID] = NULL;
	for (int k = 0; k < F_N; k++)
		free(v[k]);
	return rc ? cartel__why(why, CARTEL_EIO, "writing the corpus failed")
		  : 0;
fail:
	for (int k = 1; k < F_N; k++)
		free(v[k]);
	return cartel__why(why, CARTEL_ENOMEM, "out of memory");
}

static int
rate_ok(double x)
{
	return x >= 0 && x <= 1;
}

/* A new person from the tables; sibling_of, when not NULL, shares the
 * surname, father and origin. */
static void
new_person(const struct cartel_names *nd, const struct gen_tables *t,
	   struct gen_rng *r, long today, struct person *p,
	   const struct person *sibling_of, int twin)
{
	memset(p, 0, sizeof *p);
	if (sibling_of) {
		p->origin = sibling_of->origin;
		p->surname = sibling_of->surname;
		p->father = sibling_of->father;
		p->birth_place = sibling_of->birth_place;
	} else {
		p->origin = (int)cartel__gen_rng_below(r, 2);
		p->surname = cartel__gen_pick(&t->sur_from[p->origin], r);
		p->father = cartel__gen_pick(&t->male, r);
		p->birth_place = cartel__gen_pick(
		    &t->place[p->origin ? GEN_P_BIRTH_B : GEN_P_BIRTH_A], r);
	}
	p->female = cartel__gen_rng_chance(r, 0.03);
	for (int tries = 0; tries < 20; tries++) {
		p->given =
		    cartel__gen_pick(p->female ? &t->female : &t->male, r);
		if (!sibling_of || sibling_of->given != p->given ||
		    sibling_of->female != p->female)
			break;
	}
	if (twin) {
		p->born = sibling_of->born;
	} else if (sibling_of) {
		/* One to ten years apart, never the same day. */
		long gap = 365 + (long)cartel__gen_rng_below(r, 9 * 365);
		p->born = sibling_of->born +
		          (cartel__gen_rng_chance(r, 0.5) ? gap : -gap);
		/* A younger brother is an adult too (and born already). */
		if (p->born > today - (long)(18 * 365.2425))
			p->born = sibling_of->born - gap;
	} else {
		int age = 18 + (int)cartel__gen_rng_below(r, 43);
		p->born = today - (long)(age * 365.2425) -
		          (long)cartel__gen_rng_below(r, 365);
	}
	(void)nd;
	if (cartel__gen_rng_chance(r, 0.4)) {
		if (p->origin == 0)
			snprintf(p->service, sizeof p->service, "%010llu",
			         (unsigned long long)(cartel__gen_rng_next(r) %
			                              10000000000ULL));
		else
			snprintf(p->service, sizeof p->service, "%c%c-%06u",
			         'A' + (int)cartel__gen_rng_below(r, 20),
			         'A' + (int)cartel__gen_rng_below(r, 20),
			         (unsigned)cartel__gen_rng_below(r, 1000000));
	}
}

static void
shuffle(struct gen_rng *r, size_t *v, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = cartel__gen_rng_below(r, i);
		size_t t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
}

int
cartel_gen_corpus(const struct cartel_names *nd,
		  const struct cartel_corpus_opts *opts, FILE *left,
		  FILE *right, FILE *truth, char **why)
{
	const struct cartel_corpus_rates *rt = &opts->rates;
	const double rates[] = {
		rt->only_one, rt->brother, rt->twin, rt->caps,
		rt->dotted_date, rt->latin, rt->diminutive,
		rt->family_patronymic, rt->typo, rt->swap, rt->patr_misplaced,
		rt->date_error, rt->missing,
	};
	for (size_t i = 0; i < sizeof rates / sizeof *rates; i++)
		if (!rate_ok(rates[i]))
			return cartel__why(why, CARTEL_EINVAL,
					   "noise rates are probabilities "
					   "between 0 and 1");
	size_t n = opts->n ? opts->n : 1000;
	if (n > 50000000)
		return cartel__why(why, CARTEL_ERANGE,
				   "at most 50000000 people in a corpus");
	struct cartel_date today = opts->today;
	if (today.year == 0)
		today = cartel_date_today();
	if (today.day == 0)
		return cartel__why(why, CARTEL_EINVAL,
				   "the reference date must be a full date");
	long today_days = cartel__gen_days(today.year, today.month, today.day);

	struct gen_tables t;
	int rc = cartel__gen_tables_init(&t, nd, why);
	if (rc)
		return rc;
	struct person *pp = malloc(n * sizeof *pp);
	size_t *lorder = malloc(n * sizeof *lorder);
	size_t *rorder = malloc(n * sizeof *rorder);
	if (pp == NULL || lorder == NULL || rorder == NULL) {
		rc = cartel__why(why, CARTEL_ENOMEM, "out of memory");
		goto done;
	}
	struct gen_rng r;
	cartel__gen_rng_seed(&r, opts->seed);
	for (size_t i = 0; i < n;) {
		new_person(nd, &t, &r, today_days, &pp[i], NULL, 0);
		size_t first = i++;
		/* Brothers (sometimes twins) of the person just made. */
		while (i < n && cartel__gen_rng_chance(&r, rt->brother)) {
			int twin = cartel__gen_rng_chance(&r, rt->twin);
			new_person(nd, &t, &r, today_days, &pp[i], &pp[first],
				   twin);
			i++;
		}
	}
	size_t nl = 0, nr = 0;
	for (size_t i = 0; i < n; i++) {
		pp[i].lists = 3;
		if (cartel__gen_rng_chance(&r, rt->only_one))
			pp[i].lists = cartel__gen_rng_chance(&r, 0.5) ? 1 : 2;
		if (pp[i].lists & 1)
			lorder[nl++] = i;
		if (pp[i].lists & 2)
			rorder[nr++] = i;
	}
	/* Lists in their own order, ids by position: the order carries no
	 * hint of who is who. */
	shuffle(&r, lorder, nl);
	shuffle(&r, rorder, nr);
	for (size_t k = 0; k < nl; k++)
		pp[lorder[k]].left_no = k + 1;
	for (size_t k = 0; k < nr; k++)
		pp[rorder[k]].right_no = k + 1;

	if (cartel_csv_write_row(left, header, F_N) ||
	    cartel_csv_write_row(right, header, F_N)) {
		rc = cartel__why(why, CARTEL_EIO, "writing the corpus failed");
		goto done;
	}
	for (size_t k = 0; !rc && k < nl; k++)
		rc = render(nd, rt, &r, &pp[lorder[k]], 1, today_days, left,
			    why);
	for (size_t k = 0; !rc && k < nr; k++)
		rc = render(nd, rt, &r, &pp[rorder[k]], 0, today_days,
			    right, why);
	if (!rc && fputs("left_id,right_id\n", truth) < 0)
		rc = cartel__why(why, CARTEL_EIO, "writing the truth failed");
	for (size_t k = 0; !rc && k < nl; k++) {
		const struct person *p = &pp[lorder[k]];
		if (p->lists == 3 &&
		    fprintf(truth, "L%06zu,R%06zu\n", p->left_no,
			    p->right_no) < 0)
			rc = cartel__why(why, CARTEL_EIO,
					 "writing the truth failed");
	}
	if (!rc && (fflush(left) || fflush(right) || fflush(truth)))
		rc = cartel__why(why, CARTEL_EIO, "writing the corpus failed");
done:
	free(pp);
	free(lorder);
	free(rorder);
	cartel__gen_tables_free(&t);
	return rc;
}
