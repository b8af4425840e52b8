/*
 * Latin spellings of Ukrainian and Russian names, one function per system,
 * each written from the system's published table.
 *
 * This is the corpus generator's own hand: it is deliberately independent
 * of the matcher's transliteration (src/lib/match), so that a corpus
 * written with it tests the matcher against spellings it did not produce.
 * Where a system's table gives a mark that field documents usually drop
 * (BGN/PCGN's ʹ for ь), the mark is dropped, as clerks and passport
 * offices do; ISO 9 keeps its diacritics, which is its point.
 *
 * Systems:
 *   UA2010   Ukrainian national system, Cabinet of Ministers Resolution 55
 *            of 27 Jan 2010: є ї й ю я are ye yi y yu ya at the start of a
 *            word and ie i i iu ia elsewhere; зг is zgh; ь and ' vanish.
 *   BGN      BGN/PCGN: Russian (1947) е is ye at the start and after a
 *            vowel, й, ъ or ь; Ukrainian (1965) є ye, ї yi, й y, ю yu,
 *            я ya everywhere.
 *   ICAO     ICAO Doc 9303 (Russian passports since 2013): й i, ъ ie,
 *            ю iu, я ia, є ie, ї i, ь dropped.
 *   PASSPORT older Russian passports (1997-2010): й y, ю yu, я ya, ь and ъ
 *            dropped (Dmitriy, Yuriy).
 *   ISO9     ISO 9:1995 (GOST 7.79 system A): one letter for one letter,
 *            with diacritics (ž č š ŝ û â ê ì ï ë è, ʹ for ь).
 *   GERMAN   Duden: w for в, s for з, sch for ж and ш, tsch for ч, z for ц,
 *            ch for х, j in ja ju je jo; кс is x; ss between vowels;
 *            final -ий is -i, -ей -ej.
 *   POLISH   Polish practice: w, ż, ch, c, cz, sz, szcz; ł for hard л;
 *            soft нь сь ць зь as ń ś ć ź; ia iu ie after consonants.
 */
#include <stdlib.h>
#include <string.h>

#include <cartel/error.h>

#include "core/why.h"
#include "gen/gen_int.h"

const char *
cartel_latin_name(enum cartel_latin sys)
{
	static const char *const names[CARTEL_LATIN_N] = {
		"ua2010", "bgn", "icao", "passport", "iso9", "german", "polish",
	};
	return (unsigned)sys < CARTEL_LATIN_N ? names[sys] : "";
}

/* Lower case of a Cyrillic capital, or cp itself. */
static long
cyr_lower(long cp, int *upper)
{
	*upper = 0;
	if (cp >= 0x410 && cp <= 0x42f) {
		*upper = 1;
		return cp + 0x20;
	}
	if (cp >= 0x400 && cp <= 0x40f) {
		*upper = 1;
		return cp + 0x50;
	}
	if (cp == 0x490) {
		*upper = 1;
		return 0x491;
	}
	return cp;
}

static int
is_cyr_letter(long cp)
{
	return (cp >= 0x430 && cp <= 0x44f) || cp == 0x451 || cp == 0x454 ||
	       cp == 0x456 || cp == 0x457 || cp == 0x491;
}

static int
is_vowel(long cp)
{
	switch (cp) {
	case 0x430: /* а */
	case 0x435: /* е */
	case 0x451: /* ё */
	case 0x454: /* є */
	case 0x438: /* и */
	case 0x456: /* і */
	case 0x457: /* ї */
	case 0x43e: /* о */
	case 0x443: /* у */
	case 0x44b: /* ы */
	case 0x44d: /* э */
	case 0x44e: /* ю */
	case 0x44f: /* я */
		return 1;
	}
	return 0;
}

static int
is_apos(long cp)
{
	return cp == '\'' || cp == 0x2019 || cp == 0x02bc;
}

/* The letters shared by every system that writes plain ASCII for them. */
static const char *
common(long c)
{
	switch (c) {
	case 0x430: return "a";
	case 0x431: return "b";
	case 0x432: return "v";
	case 0x433: return "g";
	case 0x434: return "d";
	case 0x435: return "e";
	case 0x436: return "zh";
	case 0x437: return "z";
	case 0x438: return "i";
	case 0x439: return "y";
	case 0x43a: return "k";
	case 0x43b: return "l";
	case 0x43c: return "m";
	case 0x43d: return "n";
	case 0x43e: return "o";
	case 0x43f: return "p";
	case 0x440: return "r";
	case 0x441: return "s";
	case 0x442: return "t";
	case 0x443: return "u";
	case 0x444: return "f";
	case 0x445: return "kh";
	case 0x446: return "ts";
	case 0x447: return "ch";
	case 0x448: return "sh";
	case 0x449: return "shch";
	case 0x44a: return "";
	case 0x44b: return "y";
	case 0x44c: return "";
	case 0x44d: return "e";
	case 0x44e: return "yu";
	case 0x44f: return "ya";
	case 0x451: return "e";
	case 0x454: return "ye";
	case 0x456: return "i";
	case 0x457: return "yi";
	case 0x491: return "g";
	}
	return "";
}

/* Context of one letter: the letters before and after (0 at a word's
 * edge), and whether it starts a word. */
struct ctx {
	long prev, next;
	int initial;
	int uk;
};

static const char *
ua2010(long c, const struct ctx *x)
{
	switch (c) {
	case 0x433: /* г; зг is zgh so that it is not read as zh */
		return x->prev == 0x437 ? "gh" : "h";
	case 0x438: return "y";
	case 0x454: return x->initial ? "ye" : "ie";
	case 0x457: return x->initial ? "yi" : "i";
	case 0x439: return x->initial ? "y" : "i";
	case 0x44e: return x->initial ? "yu" : "iu";
	case 0x44f: return x->initial ? "ya" : "ia";
	case 0x451: return x->initial ? "yo" : "io";
	}
	return common(c);
}

static const char *
bgn(long c, const struct ctx *x)
{
	if (x->uk) {
		switch (c) {
		case 0x433: return "h";
		case 0x438: return "y";
		}
		return common(c);
	}
	int soft_start = x->initial || is_vowel(x->prev) || x->prev == 0x439 ||
			 x->prev == 0x44a || x->prev == 0x44c;
	switch (c) {
	case 0x435: return soft_start ? "ye" : "e";
	case 0x451: return soft_start ? "yë" : "ë";
	}
	return common(c);
}

static const char *
icao(long c, const struct ctx *x)
{
	(void)x;
	switch (c) {
	case 0x439: return "i";
	case 0x44a: return "ie";
	case 0x44e: return "iu";
	case 0x44f: return "ia";
	case 0x454: return "ie";
	case 0x457: return "i";
	}
	return common(c);
}

static const char *
passport(long c, const struct ctx *x)
{
	(void)x;
	return common(c);
}

static const char *
iso9(long c, const struct ctx *x)
{
	(void)x;
	switch (c) {
	case 0x436: return "ž";
	case 0x439: return "j";
	case 0x445: return "h";
	case 0x446: return "c";
	case 0x447: return "č";
	case 0x448: return "š";
	case 0x449: return "ŝ";
	case 0x44a: return "ʺ";
	case 0x44c: return "ʹ";
	case 0x44d: return "è";
	case 0x44e: return "û";
	case 0x44f: return "â";
	case 0x451: return "ë";
	case 0x454: return "ê";
	case 0x456: return "ì";
	case 0x457: return "ï";
	case 0x491: return "g̀";
	}
	return common(c);
}

static const char *
german(long c, const struct ctx *x)
{
	int soft_start = x->initial || is_vowel(x->prev) || x->prev == 0x44a ||
			 x->prev == 0x44c;
	switch (c) {
	case 0x432: return "w";
	case 0x433: return x->uk ? "h" : "g";
	case 0x436: return "sch";
	case 0x437: return "s";
	case 0x438: return x->uk ? "y" : "i";
	case 0x439:
		if (x->uk)
			return "j";
		/* Юрий -> Juri, Красный -> Krasny, Сергей -> Sergej,
		 * Николай -> Nikolai. */
		if ((x->prev == 0x438 || x->prev == 0x44b) && x->next == 0)
			return "";
		return x->prev == 0x435 ? "j" : "i";
	case 0x43a: /* кс -> x */
		return x->next == 0x441 ? "x" : "k";
	case 0x441:
		if (x->prev == 0x43a)
			return "";
		return is_vowel(x->prev) && is_vowel(x->next) ? "ss" : "s";
	case 0x435: return !x->uk && soft_start ? "je" : "e";
	case 0x451:
		return x->prev == 0x436 || x->prev == 0x448 ||
				       x->prev == 0x447 || x->prev == 0x449
			       ? "o"
			       : "jo";
	case 0x445: return "ch";
	case 0x446: return "z";
	case 0x447: return "tsch";
	case 0x448: return "sch";
	case 0x449: return "schtsch";
	case 0x44c: return x->next == 0x43e ? "j" : "";
	case 0x44e: return "ju";
	case 0x44f: return "ja";
	case 0x454: return "je";
	case 0x457: return "ji";
	}
	return common(c);
}

static const char *
polish(long c, const struct ctx *x)
{
	int after_l = x->prev == 0x43b;
	int after_cons = x->prev != 0 && !is_vowel(x->prev) &&
			 x->prev != 0x44c && x->prev != 0x44a &&
			 !is_apos(x->prev);
	switch (c) {
	case 0x432: return "w";
	case 0x433: return x->uk ? "h" : "g";
	case 0x436: return "ż";
	case 0x438:
		if (x->uk)
			return "y";
		return x->prev == 0x436 || x->prev == 0x448 ||
				       x->prev == 0x446
			       ? "y"
			       : "i";
	case 0x439: return "j";
	case 0x43b:
		/* Soft л before the softening letters is l, hard л is ł. */
		switch (x->next) {
		case 0x456: case 0x457: case 0x44c: case 0x44f: case 0x44e:
		case 0x454: case 0x438:
			return x->uk && x->next == 0x438 ? "ł" : "l";
		case 0x435: case 0x451:
			return x->uk ? "ł" : "l";
		}
		return "ł";
	case 0x445: return "ch";
	case 0x446: return "c";
	case 0x447: return "cz";
	case 0x448: return "sz";
	case 0x449: return "szcz";
	case 0x44c: return ""; /* softening handled by the caller */
	case 0x44e: return after_l ? "u" : after_cons ? "iu" : "ju";
	case 0x44f: return after_l ? "a" : after_cons ? "ia" : "ja";
	case 0x454: return after_l ? "e" : after_cons ? "ie" : "je";
	case 0x451: return after_l ? "o" : after_cons ? "io" : "jo";
	case 0x435:
		if (x->uk)
			return "e";
		return after_cons ? "e" : "je";
	case 0x457: return "ji";
	}
	return common(c);
}

typedef const char *(*letter_fn)(long c, const struct ctx *x);

static const letter_fn systems[CARTEL_LATIN_N] = {
	ua2010, bgn, icao, passport, iso9, german, polish,
};

/* Polish writes a soft consonant before ь with an acute accent. */
static void
polish_soften(struct gen_buf *b)
{
	static const struct {
		char plain;
		const char *soft;
	} soft[] = {{'n', "ń"}, {'s', "ś"}, {'c', "ć"}, {'z', "ź"}};
	if (b->len == 0)
		return;
	char last = b->s[b->len - 1];
	int upper = last >= 'A' && last <= 'Z';
	char lower = upper ? (char)(last + 32) : last;
	for (size_t i = 0; i < sizeof soft / sizeof *soft; i++)
		if (lower == soft[i].plain) {
			b->len--;
			/* Capitals: Ń Ś Ć Ź are two bytes too. */
			static const char *const caps[] = {"Ń", "Ś", "Ć", "Ź"};
			cartel__gen_buf_adds(b, upper ? caps[i] : soft[i].soft);
			return;
		}
}

/* Appends Latin text s (UTF-8), its first letter in capitals when
 * `cap_first`, every letter when `cap_all`. */
static void
put_latin(struct gen_buf *b, const char *s, int cap_first, int cap_all)
{
	int first = 1;
	while (*s) {
		const char *start = s;
		long cp = cartel__gen_utf8_next(&s);
		if ((cap_all || (cap_first && first)) && cp > 0) {
			if (cp >= 'a' && cp <= 'z')
				cp -= 32;
			else if ((cp >= 0xe0 && cp <= 0xfe && cp != 0xf7))
				cp -= 32;
			else if (cp >= 0x100 && cp <= 0x17f &&
				 cp != 0x131 && cp != 0x138 && cp != 0x149 &&
				 cp != 0x17f) {
				/* Latin Extended-A pairs: even capital, odd
				 * small, except ł ń ź ż's block which is
				 * shifted by one. */
				int shifted = (cp >= 0x139 && cp <= 0x148) ||
					      (cp >= 0x179 && cp <= 0x17e);
				if (shifted ? !(cp & 1) : (cp & 1))
					cp -= 1;
			}
			cartel__gen_buf_addcp(b, cp);
		} else {
			cartel__gen_buf_add(b, start, (size_t)(s - start));
		}
		if (cp > 0 && !(cp >= 0x300 && cp <= 0x36f))
			first = 0;
	}
}

int
cartel_latin(enum cartel_latin sys, int ukrainian, const char *cyr,
	     char **out, char **why)
{
	*out = NULL;
	if ((unsigned)sys >= CARTEL_LATIN_N)
		return cartel__why(why, CARTEL_EINVAL,
				   "unknown transliteration system %d",
				   (int)sys);
	/* Decode once, so that each letter sees its neighbours. */
	size_t n = strlen(cyr);
	long *cp = malloc((n + 1) * sizeof *cp);
	int *up = malloc((n + 1) * sizeof *up);
	if (cp == NULL || up == NULL) {
		free(cp);
		free(up);
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	}
	size_t k = 0;
	for (const char *s = cyr; *s;) {
		long c = cartel__gen_utf8_next(&s);
		if (c < 0) {
			free(cp);
			free(up);
			return cartel__why(why, CARTEL_EINVAL,
					   "not valid UTF-8");
		}
		cp[k] = cyr_lower(c, &up[k]);
		k++;
	}
	struct gen_buf b = {0};
	for (size_t i = 0; i < k; i++) {
		long c = cp[i];
		if (!is_cyr_letter(c)) {
			if (is_apos(c) && i > 0 && is_cyr_letter(cp[i - 1]))
				continue; /* the apostrophe is not written */
			cartel__gen_buf_addcp(&b, c);
			continue;
		}
		struct ctx x;
		x.prev = i > 0 && is_cyr_letter(cp[i - 1]) ? cp[i - 1] : 0;
		/* Across an apostrophe (Мар'яна) the letter is not initial
		 * but follows no consonant either. */
		if (i > 0 && is_apos(cp[i - 1]) && i > 1 &&
		    is_cyr_letter(cp[i - 2]))
			x.prev = 0x44a;
		x.next = i + 1 < k && is_cyr_letter(cp[i + 1]) ? cp[i + 1] : 0;
		x.initial = x.prev == 0;
		x.uk = ukrainian;
		if (sys == CARTEL_LATIN_POLISH && c == 0x44c) {
			polish_soften(&b);
			continue;
		}
		const char *lat = systems[sys](c, &x);
		/* A capital in a word of capitals (ЩУР) becomes SHCHUR; a
		 * capital before small letters (Щур) becomes Shchur. */
		int word_caps = up[i] && ((i + 1 < k && is_cyr_letter(cp[i + 1])
					   && up[i + 1]) ||
					  (i > 0 && is_cyr_letter(cp[i - 1]) &&
					   up[i - 1]));
		put_latin(&b, lat, up[i], word_caps);
	}
	free(cp);
	free(up);
	*out = cartel__gen_buf_take(&b);
	if (*out == NULL)
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	return 0;
}
