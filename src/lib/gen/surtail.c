/*
 * The long tail of surnames.
 *
 * data/surnames.tsv lists the few hundred commonest surnames of each
 * language. Real surname stocks are far larger: a million people bear tens
 * of thousands of surnames, most of them rare. With the listed names alone
 * a generated million would be many times more namesake-dense than any real
 * register, and a matcher judged on it would be judged on an impossible
 * task. So the listed names are the head of each language's stock and this
 * file adds a tail of plausible surnames built the way the two languages
 * build them: a stem of one or two syllables and a type ending (Ukrainian
 * -енко, -чук, -ук, -ів, -ський, -ець ...; Russian -ов, -ев, -ин, -ский,
 * -ых), each written in both languages letter by letter as data/surnames.tsv
 * describes (і -> и, -ів -> -ив, -ський -> -ский, -ець -> -ец; и -> і,
 * -ев -> -єв, -ин -> -ін).
 *
 * Frequencies follow a Zipf-Mandelbrot law over each language's stock, the
 * listed names first in their file order: weight = 1 / (rank + SHIFT). The
 * shift flattens the head so that the commonest surname is borne by about
 * half a per cent of its language's speakers (published tables put
 * Мельник, Шевченко and Иванов at 0.3-0.8%), while the top hundred still
 * cover about a quarter of everyone: namesakes abound, as they do.
 *
 * The tail is the same for every seed (it is the language, not the sample).
 */
#include <stdlib.h>
#include <string.h>

#include <cartel/error.h>

#include "core/why.h"
#include "gen/gen_int.h"

/* Surnames per language, listed ones included. */
#define STOCK 15000
/* The Zipf-Mandelbrot shift. */
#define SHIFT 25.0
#define TAIL_SEED 0x7461696c73746f63ULL

struct part {
	const char *uk, *ru;
	unsigned weight;
};

/* Onsets of a syllable, the same in both languages. */
static const char *const onset[] = {
	"б", "в", "г", "д", "ж", "з", "к", "л", "м", "н", "п", "р", "с",
	"т", "х", "ц", "ч", "ш", "бр", "гр", "др", "кр", "пр", "тр", "ст",
	"сл", "гл", "кл", "пл", "шв", "хв", "зв", "св", "м", "б", "к", "п",
	"л", "р", "д", "г", "с", "т",
};
/* Vowels: Ukrainian, Russian letter-by-letter spelling, weight. */
static const struct part vowel_uk[] = {
	{"а", "а", 4}, {"о", "о", 4}, {"у", "у", 2},
	{"е", "е", 2}, {"и", "и", 2}, {"і", "и", 1},
};
static const struct part vowel_ru[] = {
	{"а", "а", 4}, {"о", "о", 4}, {"у", "у", 2},
	{"е", "е", 2}, {"і", "и", 2},
};
/* A stem's last consonant. */
static const char *const coda[] = {
	"к", "н", "р", "л", "т", "ч", "ш", "д", "в", "м", "с", "х", "ц",
	"б", "з", "п", "ж", "ст", "рн", "лк", "нч",
};
/* Type endings: Ukrainian, Russian, weight among the language's tail. */
static const struct part end_uk[] = {
	{"енко", "енко", 28}, {"чук", "чук", 10}, {"ук", "ук", 8},
	{"юк", "юк", 4},      {"ишин", "ишин", 4}, {"ів", "ив", 6},
	{"ський", "ский", 8}, {"ко", "ко", 5},     {"ак", "ак", 5},
	{"ич", "ич", 5},      {"ець", "ец", 4},    {"ан", "ан", 2},
	{"ар", "ар", 2},      {"", "", 4},
};
static const struct part end_ru[] = {
	{"ов", "ов", 54}, {"єв", "ев", 15}, {"ін", "ин", 20},
	{"ський", "ский", 8}, {"их", "ых", 3},
};

static size_t
pick_part(struct gen_rng *r, const struct part *p, size_t n)
{
	unsigned total = 0;
	for (size_t i = 0; i < n; i++)
		total += p[i].weight;
	size_t x = cartel__gen_rng_below(r, total);
	for (size_t i = 0; i < n; i++) {
		if (x < p[i].weight)
			return i;
		x -= p[i].weight;
	}
	return n - 1;
}

static void
cat(char *buf, size_t size, const char *s)
{
	size_t l = strlen(buf), k = strlen(s);
	if (l + k < size)
		memcpy(buf + l, s, k + 1);
}

/* Capitalises the first (Cyrillic, two-byte) letter of s in place: the
 * lower-case letters used here are U+0430..U+044F and U+0456. */
static void
capital(char *s)
{
	unsigned char a = (unsigned char)s[0], b = (unsigned char)s[1];
	unsigned cp = ((a & 0x1fu) << 6) | (b & 0x3fu);
	if (cp >= 0x430 && cp <= 0x44f)
		cp -= 0x20;
	else if (cp == 0x456)
		cp = 0x406;
	s[0] = (char)(0xc0 | (cp >> 6));
	s[1] = (char)(0x80 | (cp & 0x3f));
}

/* One synthetic surname of the given type into uk and ru. */
static void
synth(struct gen_rng *r, int russian, char *uk, char *ru, size_t size)
{
	const struct part *vw = russian ? vowel_ru : vowel_uk;
	size_t nv = russian ? sizeof vowel_ru / sizeof *vowel_ru
			    : sizeof vowel_uk / sizeof *vowel_uk;
	uk[0] = ru[0] = '\0';
	int syl = cartel__gen_rng_chance(r, 0.55) ? 1 : 2;
	const char *prev = NULL;
	for (int s = 0; s < syl; s++) {
		const char *o;
		do /* no stuttering stem such as Грагра- */
			o = onset[cartel__gen_rng_below(r, sizeof onset /
			                                       sizeof *onset)];
		while (prev != NULL && strcmp(o, prev) == 0);
		prev = o;
		const struct part *v = &vw[pick_part(r, vw, nv)];
		cat(uk, size, o);
		cat(ru, size, o);
		cat(uk, size, v->uk);
		cat(ru, size, v->ru);
	}
	const char *c =
	    coda[cartel__gen_rng_below(r, sizeof coda / sizeof *coda)];
	cat(uk, size, c);
	cat(ru, size, c);
	const struct part *e =
		russian ? &end_ru[pick_part(r, end_ru, sizeof end_ru /
							 sizeof *end_ru)]
			: &end_uk[pick_part(r, end_uk, sizeof end_uk /
							 sizeof *end_uk)];
	cat(uk, size, e->uk);
	cat(ru, size, e->ru);
	capital(uk);
	capital(ru);
}

int
cartel__gen_surnames_extend(struct cartel_names *nd, char **why)
{
	/* A listed name's rank within its language's list is 100000 / its
	 * weight (data/surnames.tsv); the tail continues each type's count. */
	size_t listed[2] = {0, 0};
	for (size_t i = 0; i < nd->n_surnames; i++) {
		struct gen_surname *s = &nd->surnames[i];
		double rank = s->weight > 0 ? 100000.0 / s->weight : 1.0;
		listed[s->russian_type ? 1 : 0]++;
		s->weight = 1.0 / (rank + SHIFT);
	}
	size_t extra = 0;
	for (int t = 0; t < 2; t++)
		extra += listed[t] < STOCK ? STOCK - listed[t] : 0;
	struct gen_surname *v = realloc(
		nd->surnames, (nd->n_surnames + extra) * sizeof *nd->surnames);
	if (v == NULL)
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	nd->surnames = v;
	struct gen_rng r;
	cartel__gen_rng_seed(&r, TAIL_SEED);
	for (int t = 0; t < 2; t++)
		for (size_t rank = listed[t] + 1; rank <= STOCK; rank++) {
			char uk[96], ru[96];
			synth(&r, t, uk, ru, sizeof uk);
			struct gen_surname *s = &nd->surnames[nd->n_surnames];
			s->uk = cartel__strdup(uk);
			s->ru = cartel__strdup(ru);
			s->weight = 1.0 / ((double)rank + SHIFT);
			s->russian_type = t;
			if (s->uk == NULL || s->ru == NULL) {
				free(s->uk);
				free(s->ru);
				return cartel__why(why, CARTEL_ENOMEM,
						   "out of memory");
			}
			nd->n_surnames++;
		}
	return 0;
}
