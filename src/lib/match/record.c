/*
 * One record, normalised once: the skeletons of its names, its surname's
 * Daitch-Mokotoff codes and masculine form, the identities of its given
 * name and patronymic in the name table, its birth date. Fields put in the
 * wrong place are put back here, before any comparison: a patronymic typed
 * after the given name or inside the family name, a whole name typed into
 * the family name, family and given names swapped.
 */
#include <stdlib.h>
#include <string.h>

#include <cartel/error.h>

#include "match/match_int.h"

#define MAX_WORDS 8

struct words {
	char skel[MAX_WORDS][MATCH_SKEL / 2];
	char phon[MAX_WORDS][MATCH_SKEL / 2];
	int n;
};

static void
words_of(const char *text, struct words *w, struct match_lang *lang)
{
	char phon[MATCH_SKEL * 2];
	w->n = 0;
	cartel__match_phonetic(text, phon, sizeof phon, lang);
	const char *p = phon;
	while (*p != '\0' && w->n < MAX_WORDS) {
		while (*p == ' ')
			p++;
		const char *e = p;
		while (*e != '\0' && *e != ' ')
			e++;
		size_t len = (size_t)(e - p);
		if (len > 0) {
			if (len >= sizeof w->phon[0])
				len = sizeof w->phon[0] - 1;
			memcpy(w->phon[w->n], p, len);
			w->phon[w->n][len] = '\0';
			cartel__match_skel_of_phon(w->phon[w->n], w->skel[w->n],
			                           sizeof w->skel[0]);
			if (w->skel[w->n][0] != '\0')
				w->n++;
		}
		p = e;
	}
}

static void
take(struct words *from, int i, struct words *to)
{
	if (to->n < MAX_WORDS) {
		memcpy(to->skel[to->n], from->skel[i], sizeof to->skel[0]);
		memcpy(to->phon[to->n], from->phon[i], sizeof to->phon[0]);
		to->n++;
	}
	for (int k = i; k + 1 < from->n; k++) {
		memcpy(from->skel[k], from->skel[k + 1], sizeof from->skel[0]);
		memcpy(from->phon[k], from->phon[k + 1], sizeof from->phon[0]);
	}
	from->n--;
}

static int
is_patr(const struct match_names *nt, const char *skel)
{
	if (cartel__match_patr_suffix(skel))
		return 1;
	return cartel__match_names_patr(nt, skel, NULL) != 0 &&
	       strlen(skel) > 5;
}

static int
is_given(const struct match_names *nt, const char *skel)
{
	enum given_how how;
	int id = cartel__match_names_given(nt, skel, &how, NULL);
	return id != 0 && how == GIVEN_FORM;
}

static int
arena_put(struct match_arena *a, const char *s, uint32_t *off)
{
	size_t n = strlen(s);
	*off = 0;
	if (n == 0)
		return 0;
	/* +3: the length byte, the string's NUL and, for a new arena, the
	 * empty string at offset 0. */
	if (a->len + n + 3 > a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 4096;
		while (cap < a->len + n + 3)
			cap *= 2;
		char *b = realloc(a->buf, cap);
		if (b == NULL)
			return CARTEL_ENOMEM;
		a->buf = b;
		a->cap = cap;
	}
	if (a->len == 0)
		a->buf[a->len++] = '\0';
	/* The length (at most 255) goes before the string: comparing two
	 * names then costs no strlen (match_len). */
	a->buf[a->len++] = (char)(n < 255 ? n : 255);
	memcpy(a->buf + a->len, s, n + 1);
	*off = (uint32_t)a->len;
	a->len += n + 1;
	return 0;
}

static void
join(const struct words *w, int from_phon, char *out, size_t size)
{
	size_t k = 0;
	out[0] = '\0';
	for (int i = 0; i < w->n; i++) {
		const char *s = from_phon ? w->phon[i] : w->skel[i];
		size_t n = strlen(s);
		if (k > 0 && k + 1 < size)
			out[k++] = ' ';
		if (k + n + 1 > size)
			n = size - k - 1;
		memcpy(out + k, s, n);
		k += n;
	}
	out[k] = '\0';
}

int
cartel__match_rec_make(const struct match_names *nt,
                       const struct cartel_person *p, struct match_rec *r,
                       struct match_arena *a)
{
	memset(r, 0, sizeof *r);
	r->p = p;
	struct match_lang lf, lg, lp;
	struct words fam, giv, pat;
	words_of(p->family_name, &fam, &lf);
	words_of(p->given_name, &giv, &lg);
	words_of(p->patronymic, &pat, &lp);
	int uk = lf.uk + lg.uk + lp.uk, ru = lf.ru + lg.ru + lp.ru;
	int cyr = lf.cyr + lg.cyr + lp.cyr, lat = lf.lat + lg.lat + lp.lat;
	/* Without і ї є ґ or ы э ъ ё, Russian endings still tell: -ей in a
	 * given name (Сергей), -евич/-евна in a patronymic. */
	if (cyr > lat && uk == 0 && ru == 0) {
		size_t n;
		if (giv.n > 0 && (n = strlen(giv.phon[0])) >= 2 &&
		    strcmp(giv.phon[0] + n - 2, "ei") == 0)
			ru++;
		for (int i = 0; i < pat.n; i++) {
			n = strlen(pat.phon[i]);
			if ((n > 5 && strcmp(pat.phon[i] + n - 5, "evich") == 0) ||
			    (n > 4 && strcmp(pat.phon[i] + n - 4, "evna") == 0))
				ru++;
		}
	}
	r->lang = uk > ru ? 'u' : ru > uk ? 'r' : cyr > lat ? 'c' : lat ? 'l' : 0;

	/* A patronymic typed after the given name or inside the family
	 * name. */
	if (pat.n == 0) {
		for (int i = giv.n - 1; i >= 1; i--)
			if (is_patr(nt, giv.skel[i])) {
				take(&giv, i, &pat);
				r->patr_moved = 1;
				break;
			}
	}
	if (pat.n == 0 && fam.n >= 2) {
		for (int i = fam.n - 1; i >= 0; i--)
			if (cartel__match_patr_suffix(fam.skel[i])) {
				take(&fam, i, &pat);
				r->patr_moved = 1;
				break;
			}
	}
	/* A whole name in the family field. */
	if (giv.n == 0 && fam.n >= 2) {
		for (int i = 0; i < fam.n; i++)
			if (is_given(nt, fam.skel[i])) {
				take(&fam, i, &giv);
				r->swapped = 1;
				break;
			}
	}
	/* Family and given names swapped: the given field holds no known
	 * given name and the family field starts with one (as spelled, or
	 * one letter off) that is not a known surname. */
	enum given_how how_f = GIVEN_NONE, how_g = GIVEN_NONE;
	if (fam.n > 0 && giv.n > 0 &&
	    cartel__match_names_given(nt, fam.skel[0], &how_f, NULL) != 0 &&
	    (cartel__match_names_given(nt, giv.skel[0], &how_g, NULL) == 0 ||
	     how_g == GIVEN_FUZZY)) {
		/* A one-letter-off match is no proof (Павлов is one letter
		 * from Павло): the surnames table decides then. */
		char masc_f[MATCH_SKEL], masc_g[MATCH_SKEL];
		cartel__match_masc(fam.skel[0], masc_f, sizeof masc_f);
		cartel__match_masc(giv.skel[0], masc_g, sizeof masc_g);
		int fam_is_sur = cartel__match_names_surname(nt, masc_f) != 0;
		int giv_is_sur = cartel__match_names_surname(nt, masc_g) != 0;
		int swap = how_f == GIVEN_FUZZY
				   ? giv_is_sur && !fam_is_sur
				   : (!fam_is_sur || giv_is_sur) &&
					     (how_g == GIVEN_NONE || giv_is_sur);
		if (swap) {
			struct words t = fam;
			fam = giv;
			giv = t;
			r->swapped = 1;
		}
	}

	char buf[MATCH_SKEL], masc[MATCH_SKEL];
	int rc;
	join(&fam, 0, buf, sizeof buf);
	cartel__match_masc(buf, masc, sizeof masc);
	if ((rc = arena_put(a, buf, &r->fam)) ||
	    (rc = arena_put(a, masc, &r->fam_masc)))
		return rc;
	r->fam_h = masc[0] ? cartel__match_hash(masc, strlen(masc), 7) : 0;
	r->fam_sh =
	    buf[0] ? (uint32_t)cartel__match_hash(buf, strlen(buf), 23) | 1 : 0;
	r->fem = strcmp(buf, masc) != 0;
	r->surname_id = masc[0] ? cartel__match_names_surname(nt, masc) : 0;
	if (fam.n > 0) {
		char ph[MATCH_SKEL];
		join(&fam, 1, ph, sizeof ph);
		r->n_dm =
		    (uint8_t)cartel__match_dm_codes(ph, r->dm, REC_DM_MAX);
	}
	if (giv.n > 0) {
		enum given_how how;
		char sex;
		r->given_id =
		    cartel__match_names_given(nt, giv.skel[0], &how, &sex);
		r->given_how = (uint8_t)how;
		r->sex = sex;
		if ((rc = arena_put(a, giv.skel[0], &r->giv)))
			return rc;
		r->giv_h = (uint32_t)cartel__match_hash(
		               giv.skel[0], strlen(giv.skel[0]), 23) |
		           1;
	}
	if (pat.n > 0) {
		join(&pat, 0, buf, sizeof buf);
		r->patr_id = cartel__match_names_patr(nt, pat.skel[0], NULL);
		if ((rc = arena_put(a, buf, &r->patr)))
			return rc;
		r->patr_h =
		    (uint32_t)cartel__match_hash(buf, strlen(buf), 23) | 1;
	}
	if (p->birth_place != NULL) {
		char ph[MATCH_SKEL * 2];
		cartel__match_phonetic(p->birth_place, ph, sizeof ph, NULL);
		cartel__match_skel_of_phon(ph, buf, sizeof buf);
		if ((rc = arena_put(a, buf, &r->place)))
			return rc;
		r->place_h =
		    buf[0]
		        ? (uint32_t)cartel__match_hash(buf, strlen(buf), 23) | 1
		        : 0;
		char ren[MATCH_SKEL * 2];
		cartel__match_dm_render(buf, ren, sizeof ren);
		r->n_place_dm =
		    (uint8_t)cartel__match_dm_codes(ren, r->place_dm, 2);
	}
	if (p->service_number != NULL) {
		size_t k = 0;
		for (const char *s = p->service_number; *s && k + 1 < sizeof buf;
		     s++) {
			unsigned char c = (unsigned char)*s;
			if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))
				buf[k++] = (char)c;
			else if (c >= 'a' && c <= 'z')
				buf[k++] = (char)(c - 32);
		}
		buf[k] = '\0';
		if ((rc = arena_put(a, buf, &r->svc)))
			return rc;
		r->svc_h = k ? (uint32_t)cartel__match_hash(buf, k, 23) | 1 : 0;
	}
	r->year = (int16_t)p->birth_date.year;
	r->month = (int8_t)p->birth_date.month;
	r->day = (int8_t)p->birth_date.day;
	return 0;
}
