/*
 * Comparing two normalised records field by field into levels of
 * agreement. Levels are evidence, not verdicts: each gets its own weight in
 * the model (model.c), fitted on the data. Level 0 is always "missing on at
 * least one side" and weighs nothing.
 *
 * Family name: 1 the same name (skeleton or name table), 2 feminine and
 *   masculine forms of one name, 3 Jaro-Winkler >= 0.94, 4 >= 0.88 or a
 *   shared Daitch-Mokotoff code, 5 different.
 * Given name: 1 the same identity in the name table or the same skeleton,
 *   2 the same identity through a diminutive or one-letter typo, 3 similar
 *   spelling (>= 0.90) or a matching initial, 4 different.
 * Patronymic: 1 the same father's name or skeleton, 2 similar (>= 0.90)
 *   or a matching initial, 3 different.
 * Birth date: 1 exact, 2 day and month swapped, 3 one year apart, 4 one
 *   digit different, 5 1 January placeholder against a date of that year,
 *   6 partial dates that agree, 7 different.
 * Birth place: 1 same, 2 similar (>= 0.88), 3 different.
 * Service number: 1 same, 2 one character off, 3 different.
 */
#include <stdlib.h>
#include <string.h>

#include "match/match_int.h"

const int cartel__match_n_levels[F_N] = {6, 5, 4, 8, 4, 4};

double
cartel__match_jw(const char *a, const char *b)
{
	return cartel__match_jw_n(a, strlen(a), b, strlen(b));
}

double
cartel__match_jw_n(const char *a, size_t la, const char *b, size_t lb)
{
	if (la == 0 || lb == 0)
		return 0;
	if (la > 64)
		la = 64;
	if (lb > 64)
		lb = 64;
	if (la == lb && memcmp(a, b, la) == 0)
		return 1;
	size_t win = (la > lb ? la : lb) / 2;
	win = win > 0 ? win - 1 : 0;
	unsigned char ma[64], mb[64];
	memset(ma, 0, la);
	memset(mb, 0, lb);
	size_t m = 0;
	for (size_t i = 0; i < la; i++) {
		size_t lo = i > win ? i - win : 0;
		size_t hi = i + win + 1 < lb ? i + win + 1 : lb;
		for (size_t j = lo; j < hi; j++)
			if (!mb[j] && a[i] == b[j]) {
				ma[i] = mb[j] = 1;
				m++;
				break;
			}
	}
	if (m == 0)
		return 0;
	size_t t = 0, k = 0;
	for (size_t i = 0; i < la; i++) {
		if (!ma[i])
			continue;
		while (!mb[k])
			k++;
		if (a[i] != b[k])
			t++;
		k++;
	}
	double dm = (double)m;
	double jaro = (dm / la + dm / lb + (dm - t / 2.0) / dm) / 3.0;
	size_t pre = 0;
	while (pre < 4 && pre < la && pre < lb && a[pre] == b[pre])
		pre++;
	return jaro + pre * 0.1 * (1 - jaro);
}

/* 1 when a and b are at most one edit apart (substitution, insertion,
 * deletion or adjacent transposition). */
static int
one_edit(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > lb + 1 || lb > la + 1)
		return 0;
	size_t i = 0;
	while (i < la && i < lb && a[i] == b[i])
		i++;
	if (i == la && i == lb)
		return 1;
	if (la == lb) {
		if (strcmp(a + i + 1, b + i + 1) == 0)
			return 1;
		return i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] &&
		       strcmp(a + i + 2, b + i + 2) == 0;
	}
	return la > lb ? strcmp(a + i + 1, b + i) == 0
		       : strcmp(a + i, b + i + 1) == 0;
}

int
cartel__match_date_level(const struct match_rec *a, const struct match_rec *b)
{
	if (a->year == 0 || b->year == 0)
		return 0;
	int full_a = a->day != 0, full_b = b->day != 0;
	if (full_a && full_b) {
		int jan1 = (a->month == 1 && a->day == 1) ||
			   (b->month == 1 && b->day == 1);
		/* 1 January is what a clerk writes for "born that year":
		 * equal or not, it only says the year. */
		if (jan1 && a->year == b->year)
			return 5;
		if (a->year == b->year && a->month == b->month &&
		    a->day == b->day)
			return 1;
		if (a->year == b->year && a->month == b->day &&
		    a->day == b->month)
			return 2;
		if (a->month == b->month && a->day == b->day &&
		    abs(a->year - b->year) == 1)
			return 3;
		char da[9], db[9];
		int ya = a->year, yb = b->year;
		da[0] = (char)('0' + ya / 1000 % 10);
		da[1] = (char)('0' + ya / 100 % 10);
		da[2] = (char)('0' + ya / 10 % 10);
		da[3] = (char)('0' + ya % 10);
		da[4] = (char)('0' + a->month / 10), da[5] = (char)('0' + a->month % 10);
		da[6] = (char)('0' + a->day / 10), da[7] = (char)('0' + a->day % 10);
		db[0] = (char)('0' + yb / 1000 % 10);
		db[1] = (char)('0' + yb / 100 % 10);
		db[2] = (char)('0' + yb / 10 % 10);
		db[3] = (char)('0' + yb % 10);
		db[4] = (char)('0' + b->month / 10), db[5] = (char)('0' + b->month % 10);
		db[6] = (char)('0' + b->day / 10), db[7] = (char)('0' + b->day % 10);
		int diff = 0;
		for (int i = 0; i < 8; i++)
			diff += da[i] != db[i];
		if (diff == 1)
			return 4;
		return 7;
	}
	/* At least one side is partial: compare what both know. */
	if (a->year != b->year)
		return 7;
	if (a->month != 0 && b->month != 0 && a->month != b->month)
		return 7;
	return 6;
}

static int
family_level(const struct match_rec *a, const struct match_arena *aa,
	     const struct match_rec *b, const struct match_arena *ba)
{
	if (a->fam == 0 || b->fam == 0)
		return 0;
	if (a->fam_sh == b->fam_sh)
		return 1;
	if (a->surname_id != 0 && a->surname_id == b->surname_id)
		return a->fem == b->fem ? 1 : 2;
	if (a->fam_h == b->fam_h)
		return 2;
	const char *fa = match_str(aa, a->fam), *fb = match_str(ba, b->fam);
	double jw = cartel__match_jw_n(fa, match_len(aa, a->fam), fb,
	                               match_len(ba, b->fam));
	if (jw >= 0.94)
		return 3;
	/* A different first sound is a different name unless nearly all
	 * the rest agrees: Жукова is not Зукова (Jaro-Winkler 0.89, and one
	 * Daitch-Mokotoff code). */
	if (fa[0] != fb[0])
		return 5;
	if (jw >= 0.88)
		return 4;
	for (int i = 0; i < a->n_dm; i++)
		for (int j = 0; j < b->n_dm; j++)
			if (a->dm[i] == b->dm[j] && jw >= 0.75)
				return 4;
	return 5;
}

static int
given_level(const struct match_rec *a, const struct match_arena *aa,
	    const struct match_rec *b, const struct match_arena *ba)
{
	if (a->giv == 0 || b->giv == 0)
		return 0;
	if (a->given_id != 0 && a->given_id == b->given_id)
		return (a->given_how == GIVEN_FORM &&
			b->given_how == GIVEN_FORM)
			       ? 1
			       : 2;
	if (a->giv_h == b->giv_h)
		return 1;
	const char *ga = match_str(aa, a->giv), *gb = match_str(ba, b->giv);
	/* A single letter is an initial. */
	if ((ga[1] == '\0' || gb[1] == '\0') && ga[0] == gb[0])
		return 3;
	if (a->given_id != 0 && b->given_id != 0)
		return 4; /* two different names of the table */
	if (cartel__match_jw_n(ga, match_len(aa, a->giv), gb,
	                       match_len(ba, b->giv)) >= 0.90)
		return 3;
	return 4;
}

static int
patr_level(const struct match_rec *a, const struct match_arena *aa,
	   const struct match_rec *b, const struct match_arena *ba)
{
	if (a->patr == 0 || b->patr == 0)
		return 0;
	if (a->patr_id != 0 && a->patr_id == b->patr_id)
		return 1;
	if (a->patr_h == b->patr_h)
		return 1;
	const char *pa = match_str(aa, a->patr), *pb = match_str(ba, b->patr);
	/* A single letter is an initial ("Коваленко О. І."): the same
	 * first letter is what it can say. */
	if (pa[1] == '\0' || pb[1] == '\0')
		return pa[0] == pb[0] ? 2 : 3;
	if (cartel__match_jw_n(pa, match_len(aa, a->patr), pb,
	                       match_len(ba, b->patr)) >= 0.90)
		return 2;
	return 3;
}

void
cartel__match_compare(const struct match_rec *a, const struct match_arena *aa,
                      const struct match_rec *b, const struct match_arena *ba,
                      uint8_t lv[F_N], int *swapped)
{
	lv[F_FAMILY] = (uint8_t)family_level(a, aa, b, ba);
	lv[F_GIVEN] = (uint8_t)given_level(a, aa, b, ba);
	lv[F_PATR] = (uint8_t)patr_level(a, aa, b, ba);
	lv[F_DATE] = (uint8_t)cartel__match_date_level(a, b);
	if (a->place && b->place) {
		const char *pa = match_str(aa, a->place),
			   *pb = match_str(ba, b->place);
		/* Places change spelling between languages more than
		 * names do (Киев, Київ, Kyiv): similar is JW >= 0.80 or
		 * one Daitch-Mokotoff code. */
		int lvp = 3;
		if (a->place_h == b->place_h) {
			lvp = 1;
		} else if (cartel__match_jw_n(pa, match_len(aa, a->place), pb,
		                              match_len(ba, b->place)) >=
		           0.80) {
			lvp = 2;
		} else {
			for (int i = 0; i < a->n_place_dm && lvp == 3; i++)
				for (int j = 0; j < b->n_place_dm; j++)
					if (a->place_dm[i] == b->place_dm[j]) {
						lvp = 2;
						break;
					}
		}
		lv[F_PLACE] = (uint8_t)lvp;
	} else {
		lv[F_PLACE] = 0;
	}
	if (a->svc && b->svc) {
		const char *sa = match_str(aa, a->svc), *sb = match_str(ba, b->svc);
		lv[F_SERVICE] = a->svc_h == b->svc_h ? 1 : one_edit(sa, sb) ? 2 : 3;
	} else {
		lv[F_SERVICE] = 0;
	}
	*swapped = 0;
	/* Family and given names crosswise, in a record the normaliser could
	 * not put right (neither word in the name table). */
	if (lv[F_FAMILY] >= 4 && lv[F_GIVEN] == 4 && a->fam && b->fam &&
	    a->giv && b->giv) {
		const char *fa = match_str(aa, a->fam), *ga = match_str(aa, a->giv);
		const char *fb = match_str(ba, b->fam), *gb = match_str(ba, b->giv);
		size_t lfa = match_len(aa, a->fam), lga = match_len(aa, a->giv);
		size_t lfb = match_len(ba, b->fam), lgb = match_len(ba, b->giv);
		if (cartel__match_jw_n(fa, lfa, gb, lgb) >= 0.94 &&
		    cartel__match_jw_n(ga, lga, fb, lfb) >= 0.94) {
			lv[F_FAMILY] = 3;
			lv[F_GIVEN] = 3;
			*swapped = 1;
		}
	}
}
