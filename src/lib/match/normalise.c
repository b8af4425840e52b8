/*
 * Normalisation of one name: ICU for NFKC and case folding (and for the
 * rare scripts, through its Any-Latin transform), the project's own tables
 * for Cyrillic and accented Latin on the hot path, then the skeleton that
 * brings the transliteration systems met in the field to one key.
 *
 * Why our own tables and not ICU's transforms for Cyrillic: ICU has none for
 * the Ukrainian national 2010 system or ICAO 9303, and its transforms cost
 * 5-12 microseconds a name, which alone would take most of the time budget
 * of a million-by-million link. The tables below are a phonetic rendering
 * (ж zh, ч ch, щ shch, х kh, ц ts), and the skeleton then folds every
 * system's spelling of the same sound to one letter.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>

#include "match/match_int.h"

uint64_t
cartel__match_hash(const void *p, size_t n, uint64_t seed)
{
	const unsigned char *s = p;
	uint64_t h = 1469598103934665603ull ^ (seed * 0x9e3779b97f4a7c15ull);
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 1099511628211ull;
	}
	/* A final mix, so that near keys spread over the hash table. */
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 32;
	return h;
}

/* Cyrillic U+0430..U+045F (after case folding) to phonetic Latin. */
static const char *const cyr_lower[48] = {
	"a", "b", "v", "g", "d", "e", "zh", "z",	/* а-з */
	"i", "i", "k", "l", "m", "n", "o", "p",		/* и-п */
	"r", "s", "t", "u", "f", "kh", "ts", "ch",	/* р-ч */
	"sh", "shch", "", "y", "", "e", "yu", "ya",	/* ш-я */
	"e", "e", "dj", "g", "ye", "dz", "i", "yi",	/* ѐ ё ђ ѓ є ѕ і ї */
	"j", "lj", "nj", "c", "k", "i", "u", "dzh",	/* ј љ њ ћ ќ ѝ ў џ */
};

/* Latin-1 Supplement and Latin Extended-A lowercase letters (U+00DF ..
 * U+017F) to ASCII. ISO 9 letters keep their Cyrillic sound (ž zh, č ch,
 * š sh, ŝ shch, û yu, â ya); the rest lose their accent. NULL: not a
 * letter we know (handled by ICU). */
static const char *
latin_ext(uint32_t c)
{
	switch (c) {
	case 0xDF: return "ss";
	case 0xE0: case 0xE1: case 0xE3: case 0xE4: case 0xE5:
	case 0x101: case 0x103: case 0x105: return "a";
	case 0xE2: return "ya"; /* ISO 9 я */
	case 0xE6: return "ae";
	case 0xE7: case 0x107: case 0x109: case 0x10B: return "c";
	case 0x10D: return "ch";
	case 0x10F: case 0x111: return "d";
	case 0xE8: case 0xE9: case 0xEA: case 0xEB: case 0x113: case 0x115:
	case 0x117: case 0x119: case 0x11B: return "e";
	case 0x11D: case 0x11F: case 0x121: case 0x123: case 0x1F5:
		return "g";
	case 0x125: case 0x127: return "h";
	case 0xEC: case 0xED: case 0xEE: case 0x129: case 0x12B: case 0x12D:
	case 0x12F: case 0x131: return "i";
	case 0xEF: return "yi"; /* ISO 9 ї */
	case 0x135: return "j";
	case 0x137: return "k";
	case 0x13A: case 0x13C: case 0x13E: case 0x140: case 0x142:
		return "l";
	case 0xF1: case 0x144: case 0x146: case 0x148: return "n";
	case 0xF2: case 0xF3: case 0xF4: case 0xF5: case 0xF6: case 0xF8:
	case 0x14D: case 0x14F: case 0x151: return "o";
	case 0x153: return "oe";
	case 0x155: case 0x157: case 0x159: return "r";
	case 0x15B: case 0x15F: case 0x161: return c == 0x161 ? "sh" : "s";
	case 0x15D: return "shch"; /* ISO 9 щ */
	case 0x163: case 0x165: case 0x167: return "t";
	case 0xF9: case 0xFA: case 0xFC: case 0x169: case 0x16B: case 0x16D:
	case 0x16F: case 0x171: case 0x173: return "u";
	case 0xFB: return "yu"; /* ISO 9 ю */
	case 0x175: return "w";
	case 0xFD: case 0xFF: case 0x177: return "y";
	case 0x17A: return "z";
	case 0x17C: case 0x17E: return "zh";
	case 0xF0: return "d";
	case 0xFE: return "th";
	default: return NULL;
	}
}

/* Look-alike pairs: the Latin letter and the Cyrillic one it is mistaken
 * for (in both directions, case kept, before case folding). */
static const uint16_t lookalike[][2] = {
	{'A', 0x410}, {'a', 0x430}, {'B', 0x412}, {'C', 0x421}, {'c', 0x441},
	{'E', 0x415}, {'e', 0x435}, {'H', 0x41D}, {'I', 0x406}, {'i', 0x456},
	{'K', 0x41A}, {'M', 0x41C}, {'O', 0x41E}, {'o', 0x43E}, {'P', 0x420},
	{'p', 0x440}, {'T', 0x422}, {'X', 0x425}, {'x', 0x445}, {'Y', 0x423},
	{'y', 0x443},
};

static int
is_cyr(UChar c)
{
	return c >= 0x400 && c <= 0x52F;
}

static int
is_lat(UChar c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7);
}

static int
is_lookalike(UChar c)
{
	for (size_t t = 0; t < sizeof lookalike / sizeof lookalike[0]; t++)
		if (c == lookalike[t][0] || c == lookalike[t][1])
			return 1;
	return 0;
}

/* Repairs look-alike letters inside each word of s[0..n). */
static int
repair(UChar *s, int32_t n)
{
	int fixed = 0;
	int32_t i = 0;
	while (i < n) {
		int32_t j = i;
		int cyr = 0, lat = 0, cyr_own = 0, lat_own = 0;
		while (j < n && (u_isalpha(s[j]) || s[j] == '\'')) {
			int c = is_cyr(s[j]), l = is_lat(s[j]);
			cyr += c;
			lat += l;
			if (!is_lookalike(s[j])) {
				cyr_own += c;
				lat_own += l;
			}
			j++;
		}
		if (cyr > 0 && lat > 0) {
			/* A letter only one script has decides (в, к, л
			 * make a word Cyrillic whatever else it holds);
			 * else the majority wins, a tie going to Cyrillic,
			 * the script of most records. Words with letters of
			 * their own in both scripts are left mixed. */
			int to_cyr = cyr_own > 0 && lat_own == 0   ? 1
				     : lat_own > 0 && cyr_own == 0 ? 0
								   : cyr >= lat;
			if (cyr_own > 0 && lat_own > 0) {
				i = j;
				continue;
			}
			for (int32_t k = i; k < j; k++)
				for (size_t t = 0; t < sizeof lookalike /
						     sizeof lookalike[0]; t++)
					if (s[k] == lookalike[t][to_cyr ? 0
								       : 1]) {
						s[k] = lookalike[t][to_cyr ? 1
									  : 0];
						fixed++;
						break;
					}
		}
		i = j > i ? j : i + 1;
	}
	return fixed;
}

/* ICU's Any-Latin for scripts our tables do not cover (Greek, Arabic,
 * Hebrew, Georgian, Armenian, CJK ...). One transliterator, guarded: these
 * letters are rare in the lists, so contention does not matter. */
static pthread_once_t any_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t any_lock = PTHREAD_MUTEX_INITIALIZER;
static UTransliterator *any_latin;

static void
any_open(void)
{
	static const char id[] = "Any-Latin; Latin-ASCII; Lower";
	UChar uid[64];
	UErrorCode st = U_ZERO_ERROR;
	u_uastrcpy(uid, id);
	any_latin = utrans_openU(uid, -1, UTRANS_FORWARD, NULL, 0, NULL, &st);
	if (U_FAILURE(st))
		any_latin = NULL;
}

/* Transliterates one code point through ICU into ASCII at out. */
static size_t
via_icu(UChar32 c, char *out, size_t room)
{
	pthread_once(&any_once, any_open);
	if (any_latin == NULL || room == 0)
		return 0;
	UChar buf[32];
	int32_t len = 0;
	UErrorCode st = U_ZERO_ERROR;
	U16_APPEND(buf, len, 2, c, st);
	(void)st;
	int32_t limit = len;
	st = U_ZERO_ERROR;
	pthread_mutex_lock(&any_lock);
	utrans_transUChars(any_latin, buf, &len, 32, 0, &limit, &st);
	pthread_mutex_unlock(&any_lock);
	if (U_FAILURE(st))
		return 0;
	size_t k = 0;
	for (int32_t i = 0; i < len && k < room; i++)
		if (buf[i] < 128 && isalpha(buf[i]))
			out[k++] = (char)tolower(buf[i]);
	return k;
}

static void
put(char *out, size_t size, size_t *k, const char *s)
{
	for (; *s != '\0' && *k + 1 < size; s++)
		out[(*k)++] = *s;
}

static void
put_space(char *out, size_t size, size_t *k)
{
	if (*k > 0 && out[*k - 1] != ' ' && *k + 1 < size)
		out[(*k)++] = ' ';
}

size_t
cartel__match_phonetic(const char *in, char *out, size_t size,
                       struct match_lang *lang)
{
	struct match_lang dummy;
	if (lang == NULL)
		lang = &dummy;
	memset(lang, 0, sizeof *lang);
	size_t k = 0;
	if (size == 0)
		return 0;
	out[0] = '\0';
	if (in == NULL)
		return 0;
	size_t n = strnlen(in, MATCH_MAX_NAME);

	/* The fast path: plain ASCII needs no ICU. */
	int ascii = 1;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)in[i] >= 128) {
			ascii = 0;
			break;
		}
	if (ascii) {
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)in[i];
			if (isalpha(c)) {
				if (k + 1 < size)
					out[k++] = (char)tolower(c);
				lang->lat++;
			} else if (c == '\'' || c == '`') {
				/* apostrophes join: O'Brien, об'єм */
			} else {
				put_space(out, size, &k);
			}
		}
		while (k > 0 && out[k - 1] == ' ')
			k--;
		out[k] = '\0';
		return k;
	}

	/* Cut at a character boundary when the field is over the limit. */
	while (n > 0 && n < strlen(in) && ((unsigned char)in[n] & 0xC0) == 0x80)
		n--;
	UChar u16[MATCH_MAX_NAME + 8], nf[2 * MATCH_MAX_NAME + 16],
		fold[2 * MATCH_MAX_NAME + 16];
	int32_t n16 = 0;
	UErrorCode st = U_ZERO_ERROR;
	u_strFromUTF8Lenient(u16, MATCH_MAX_NAME + 8, &n16, in, (int32_t)n,
			     &st);
	if (U_FAILURE(st))
		return 0;
	const UNormalizer2 *nfkc = unorm2_getNFKCInstance(&st);
	if (U_FAILURE(st))
		return 0;
	int32_t nn = unorm2_normalize(nfkc, u16, n16, nf,
				      2 * MATCH_MAX_NAME + 16, &st);
	if (U_FAILURE(st))
		return 0;
	lang->repaired = repair(nf, nn);
	int32_t nfold = u_strFoldCase(fold, 2 * MATCH_MAX_NAME + 16, nf, nn,
				      U_FOLD_CASE_DEFAULT, &st);
	if (U_FAILURE(st))
		return 0;

	for (int32_t i = 0; i < nfold;) {
		UChar32 c;
		U16_NEXT(fold, i, nfold, c);
		if (c < 128) {
			if (isalpha(c)) {
				if (k + 1 < size)
					out[k++] = (char)c;
				lang->lat++;
			} else if (c != '\'' && c != '`') {
				put_space(out, size, &k);
			}
			continue;
		}
		if (c >= 0x430 && c <= 0x45F) {
			lang->cyr++;
			if (c == 0x456 || c == 0x457 || c == 0x454)
				lang->uk++;
			if (c == 0x44B || c == 0x44D || c == 0x44A ||
			    c == 0x451)
				lang->ru++;
			/* Soft sign before о is the Ukrainian spelling of
			 * ё (Ковальов = Ковалёв): keep it as a glide. */
			if (c == 0x44C && i < nfold && fold[i] == 0x43E) {
				put(out, size, &k, "y");
				continue;
			}
			put(out, size, &k, cyr_lower[c - 0x430]);
			continue;
		}
		if (c == 0x491) { /* ґ */
			lang->cyr++;
			lang->uk++;
			put(out, size, &k, "g");
			continue;
		}
		if ((c >= 0x300 && c <= 0x36F) || c == 0x2BC || c == 0x2BB ||
		    c == 0x2019 || c == 0x2018 || c == 0x2032 || c == 0x2033 ||
		    c == 0x2B9 || c == 0x2BA ||
		    c == 0xB4 || c == 0x200D || c == 0x200C || c == 0x200E ||
		    c == 0x200F || (c >= 0x202A && c <= 0x202E) ||
		    (c >= 0x2066 && c <= 0x2069) || c == 0xAD ||
		    c == 0xFEFF || u_charType(c) == U_FORMAT_CHAR) {
			/* Combining accents, apostrophes, primes (ISO 9's
			 * soft sign), joiners, bidirectional marks and every
			 * other invisible format character (a zero-width
			 * space pasted from a web page) carry no sound of
			 * their own and do not part words. */
			continue;
		}
		const char *lx = c <= 0x17F ? latin_ext((uint32_t)c) : NULL;
		if (lx != NULL) {
			lang->lat++;
			put(out, size, &k, lx);
			continue;
		}
		if (u_isalpha(c)) {
			lang->other++;
			if (k + 1 < size)
				k += via_icu(c, out + k, size - 1 - k);
			continue;
		}
		put_space(out, size, &k);
	}
	while (k > 0 && out[k - 1] == ' ')
		k--;
	out[k] = '\0';
	return k;
}

static int
vowel(char c)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

/* The skeleton of one word w[0..n) appended to out. Letters: a b c(ц) d e
 * f g(г ґ х h kh) i(и і й ы y j) k l m n o p r s t u v z, and C (ч), S (ш),
 * Z (ж); щ is SC. */
static void
skel_word(const char *w, size_t n, char *out, size_t size, size_t *k)
{
	char tmp[MATCH_SKEL * 2];
	size_t t = 0;
	for (size_t i = 0; i < n && t + 3 < sizeof tmp;) {
		const char *s = w + i;
		size_t left = n - i;
#define AT(lit) (left >= sizeof(lit) - 1 && memcmp(s, lit, sizeof(lit) - 1) == 0)
		if (AT("schtsch")) {
			tmp[t++] = 'S', tmp[t++] = 'C', i += 7;
		} else if (AT("shtsch")) {
			tmp[t++] = 'S', tmp[t++] = 'C', i += 6;
		} else if (AT("shch") || AT("szcz")) {
			tmp[t++] = 'S', tmp[t++] = 'C', i += 4;
		} else if (AT("tsch")) {
			tmp[t++] = 'C', i += 4;
		} else if (AT("sch")) {
			tmp[t++] = 'S', i += 3;
		} else if (AT("tch") || AT("tsh")) {
			tmp[t++] = 'C', i += 3;
		} else if (AT("ch") || AT("cz")) {
			tmp[t++] = 'C', i += 2;
		} else if (AT("sh") || AT("sz")) {
			tmp[t++] = 'S', i += 2;
		} else if (AT("zh")) {
			tmp[t++] = 'Z', i += 2;
		} else if (AT("kh") || AT("gh")) {
			tmp[t++] = 'g', i += 2;
		} else if (AT("ts") || AT("tz")) {
			tmp[t++] = 'c', i += 2;
		} else if (AT("ph")) {
			tmp[t++] = 'f', i += 2;
		} else if (AT("th")) {
			tmp[t++] = 't', i += 2;
		} else if (AT("ck")) {
			tmp[t++] = 'k', i += 2;
		} else {
			char c = *s;
			i++;
			switch (c) {
			case 'h': c = 'g'; break;
			case 'w': c = 'v'; break;
			case 'q': c = 'k'; break;
			case 'j': case 'y': c = 'i'; break;
			case 'x': tmp[t++] = 'k'; c = 's'; break;
			case 'c':
				/* A lone c is ц in the Slavic Latin spellings
				 * (Polish, Czech, ISO 9: Švecʹ, Cybulski);
				 * English c = k lives in given names, which
				 * the name table lists as spelled. */
				break;
			default: break;
			}
			tmp[t++] = c;
		}
#undef AT
	}
	/* Second pass: glides and doubled letters. */
	size_t start = *k;
	for (size_t i = 0; i < t; i++) {
		char c = tmp[i];
		size_t pos = *k - start;
		char prev = pos > 0 ? out[*k - 1] : 0;
		if (c == 'i') {
			/* A run of i (Andriienko's ii) counts as one. */
			size_t j = i;
			while (j + 1 < t && tmp[j + 1] == 'i')
				j++;
			char after = j + 1 < t ? tmp[j + 1] : 0;
			/* A glide between vowels is a spelling habit
			 * (Sergeyevich = Сергеевич, Гаєвський). */
			if (prev != 0 && vowel(prev) && after != 0 &&
			    vowel(after)) {
				i = j;
				continue;
			}
			/* ye/ie is є or е, the same sound for matching:
			 * word-initial (Yermolenko, Ермоленко) and after a
			 * consonant, where Ukrainian clerks write є for a
			 * Russian е (Князєв, Андрєєв, Andriienko). */
			if (after == 'e' && (pos == 0 || !vowel(prev))) {
				i = j;
				continue;
			}
		}
		if (c == 'o' && prev == 'i' && pos >= 2 &&
		    !vowel(out[*k - 2])) {
			/* consonant + io is ё spelled yo, io, jo: the same
			 * as the e a Russian clerk writes (Fyodorov). */
			out[*k - 1] = 'e';
			continue;
		}
		if (c == prev)
			continue; /* doubled letters: Hanna, Ganna, Anna */
		if (*k + 1 < size)
			out[(*k)++] = c;
	}
	/* Trailing -ii, -yi, -iy already collapse to i above. */
}

size_t
cartel__match_skel_of_phon(const char *phon, char *out, size_t size)
{
	size_t k = 0;
	if (size == 0)
		return 0;
	const char *p = phon;
	while (*p != '\0') {
		while (*p == ' ')
			p++;
		const char *e = p;
		while (*e != '\0' && *e != ' ')
			e++;
		if (e > p) {
			if (k > 0 && k + 1 < size)
				out[k++] = ' ';
			skel_word(p, (size_t)(e - p), out, size, &k);
		}
		p = e;
	}
	out[k] = '\0';
	return k;
}

int
cartel_match_skeleton(const char *name, char *buf, size_t size)
{
	char phon[MATCH_SKEL * 2];
	cartel__match_phonetic(name, phon, sizeof phon, NULL);
	return (int)cartel__match_skel_of_phon(phon, buf, size);
}

static int
ends(const char *s, size_t n, const char *suf)
{
	size_t m = strlen(suf);
	return n >= m + 2 && memcmp(s + n - m, suf, m) == 0;
}

size_t
cartel__match_masc(const char *skel, char *out, size_t size)
{
	size_t n = strlen(skel);
	if (n + 1 > size)
		n = size - 1;
	memcpy(out, skel, n);
	out[n] = '\0';
	/* Only the last word carries the gender ending. */
	struct {
		const char *fem, *masc;
	} rule[] = {
		{"skaia", "ski"}, {"ckaia", "cki"}, {"zkaia", "zki"},
		{"aia", "i"},     {"ska", "ski"},   {"cka", "cki"},
		{"zka", "zki"},   {"ova", "ov"},    {"eva", "ev"},
		{"ina", "in"},    {"na", "ni"},
	};
	for (size_t i = 0; i < sizeof rule / sizeof rule[0]; i++) {
		if (ends(out, n, rule[i].fem)) {
			/* -на is the feminine of adjectival -ний
			 * (Задорожна, Задорожний); -ина came first. */
			size_t base = n - strlen(rule[i].fem);
			size_t m = strlen(rule[i].masc);
			if (base + m + 1 > size)
				break;
			memcpy(out + base, rule[i].masc, m + 1);
			return base + m;
		}
	}
	return n;
}

size_t
cartel__match_dm_render(const char *skel, char *out, size_t size)
{
	size_t k = 0;
	for (const char *p = skel; *p != '\0'; p++) {
		const char *r;
		char one[2] = {*p, 0};
		switch (*p) {
		case 'C': r = "tsh"; break;
		case 'S': r = "sh"; break;
		case 'Z': r = "zh"; break;
		case 'c': r = "ts"; break;
		case ' ': r = ""; break;
		default: r = one; break;
		}
		put(out, size, &k, r);
	}
	if (size > 0)
		out[k] = '\0';
	return k;
}
