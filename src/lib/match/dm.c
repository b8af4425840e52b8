/*
 * Daitch-Mokotoff soundex, from the published coding chart (Gary Mokotoff
 * and Randy Daitch, 1985; the chart as published by Avotaynu): six-digit
 * codes, a letter group coded one way at the start of a name, another
 * before a vowel and a third elsewhere, and some groups (CH, CK, C, J, RS,
 * RZ) coded two ways, so that one name may have several codes.
 *
 * It works on Latin letters: Cyrillic names are first rendered with the
 * phonetic tables of normalise.c (ч ch, which the chart codes both ways,
 * ж zh, ш sh, щ shch).
 */
#include <pthread.h>
#include <string.h>

#include "match/match_int.h"

struct dm_rule {
	const char *pat;
	/* Codes at the start, before a vowel, elsewhere; "" codes nothing;
	 * "x|y" is two alternatives. */
	const char *start, *vowel, *other;
};

/* Longest patterns first, so that the first match is the longest. */
static const struct dm_rule rules[] = {
	{"schtsch", "2", "4", "4"}, {"schtsh", "2", "4", "4"},
	{"schtch", "2", "4", "4"},  {"shtch", "2", "4", "4"},
	{"shtsh", "2", "4", "4"},   {"stsch", "2", "4", "4"},
	{"ttsch", "4", "4", "4"},   {"zhdzh", "2", "4", "4"},
	{"shch", "2", "4", "4"},    {"scht", "2", "43", "43"},
	{"schd", "2", "43", "43"},  {"stch", "2", "4", "4"},
	{"strz", "2", "4", "4"},    {"strs", "2", "4", "4"},
	{"stsh", "2", "4", "4"},    {"szcz", "2", "4", "4"},
	{"szcs", "2", "4", "4"},    {"ttch", "4", "4", "4"},
	{"ttsz", "4", "4", "4"},    {"tsch", "4", "4", "4"},
	{"zdzh", "2", "4", "4"},    {"zsch", "4", "4", "4"},
	{"chs", "5", "54", "54"},   {"csz", "4", "4", "4"},
	{"czs", "4", "4", "4"},     {"drz", "4", "4", "4"},
	{"drs", "4", "4", "4"},     {"dsh", "4", "4", "4"},
	{"dsz", "4", "4", "4"},     {"dzh", "4", "4", "4"},
	{"dzs", "4", "4", "4"},     {"sch", "4", "4", "4"},
	{"sht", "2", "43", "43"},   {"szt", "2", "43", "43"},
	{"shd", "2", "43", "43"},   {"szd", "2", "43", "43"},
	{"tch", "4", "4", "4"},     {"trz", "4", "4", "4"},
	{"trs", "4", "4", "4"},     {"tsh", "4", "4", "4"},
	{"tts", "4", "4", "4"},     {"ttz", "4", "4", "4"},
	{"tzs", "4", "4", "4"},     {"tsz", "4", "4", "4"},
	{"zdz", "2", "4", "4"},     {"zhd", "2", "43", "43"},
	{"zsh", "4", "4", "4"},     {"ai", "0", "1", ""},
	{"aj", "0", "1", ""},       {"ay", "0", "1", ""},
	{"au", "0", "7", ""},       {"ch", "5|4", "5|4", "5|4"},
	{"ck", "5|45", "5|45", "5|45"}, {"cz", "4", "4", "4"},
	{"cs", "4", "4", "4"},      {"ds", "4", "4", "4"},
	{"dz", "4", "4", "4"},      {"dt", "3", "3", "3"},
	{"ei", "0", "1", ""},       {"ej", "0", "1", ""},
	{"ey", "0", "1", ""},       {"eu", "1", "1", ""},
	{"fb", "7", "7", "7"},      {"ia", "1", "", ""},
	{"ie", "1", "", ""},        {"io", "1", "", ""},
	{"iu", "1", "", ""},        {"ks", "5", "54", "54"},
	{"kh", "5", "5", "5"},      {"mn", "66", "66", "66"},
	{"nm", "66", "66", "66"},   {"oi", "0", "1", ""},
	{"oj", "0", "1", ""},       {"oy", "0", "1", ""},
	{"pf", "7", "7", "7"},      {"ph", "7", "7", "7"},
	{"rz", "94|4", "94|4", "94|4"}, {"rs", "94|4", "94|4", "94|4"},
	{"sh", "4", "4", "4"},      {"sc", "2", "4", "4"},
	{"st", "2", "43", "43"},    {"sd", "2", "43", "43"},
	{"sz", "4", "4", "4"},      {"th", "3", "3", "3"},
	{"ts", "4", "4", "4"},      {"tc", "4", "4", "4"},
	{"tz", "4", "4", "4"},      {"ui", "0", "1", ""},
	{"uj", "0", "1", ""},       {"uy", "0", "1", ""},
	{"ue", "0", "", ""},        {"zd", "2", "43", "43"},
	{"zh", "4", "4", "4"},      {"zs", "4", "4", "4"},
	{"a", "0", "", ""},         {"b", "7", "7", "7"},
	{"c", "5|4", "5|4", "5|4"}, {"d", "3", "3", "3"},
	{"e", "0", "", ""},         {"f", "7", "7", "7"},
	{"g", "5", "5", "5"},       {"h", "5", "5", ""},
	{"i", "0", "", ""},         {"j", "1|4", "4", "4"},
	{"k", "5", "5", "5"},       {"l", "8", "8", "8"},
	{"m", "6", "6", "6"},       {"n", "6", "6", "6"},
	{"o", "0", "", ""},         {"p", "7", "7", "7"},
	{"q", "5", "5", "5"},       {"r", "9", "9", "9"},
	{"s", "4", "4", "4"},       {"t", "3", "3", "3"},
	{"u", "0", "", ""},         {"v", "7", "7", "7"},
	{"w", "7", "7", "7"},       {"x", "5", "54", "54"},
	{"y", "1", "", ""},         {"z", "4", "4", "4"},
};

#define DM_BRANCHES 16
#define N_RULES (sizeof rules / sizeof rules[0])

/* Rules by first letter, longest first, with their lengths: built once,
 * so that coding a name looks at a handful of rules per letter. */
static pthread_once_t by_letter_once = PTHREAD_ONCE_INIT;
static unsigned char by_letter[26][32];
static unsigned char n_by_letter[26];
static unsigned char rule_len[N_RULES];

static void
by_letter_build(void)
{
	for (size_t k = 0; k < N_RULES; k++) {
		int c = rules[k].pat[0] - 'a';
		rule_len[k] = (unsigned char)strlen(rules[k].pat);
		if (c >= 0 && c < 26 && n_by_letter[c] < 32)
			by_letter[c][n_by_letter[c]++] = (unsigned char)k;
	}
}

struct branch {
	char code[8];
	int len;
	char last[4]; /* the last group's code, for the no-repeat rule */
};

static int
is_vowel(char c)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

/* Appends alternative `alt` (a code of one or two digits, or "") to b. */
static void
extend(struct branch *b, const char *alt, size_t alt_len)
{
	if (alt_len == 0) {
		b->last[0] = '\0';
		return;
	}
	if (strlen(b->last) == alt_len && memcmp(b->last, alt, alt_len) == 0)
		return; /* the same code twice in a row is coded once */
	for (size_t i = 0; i < alt_len && b->len < 6; i++)
		b->code[b->len++] = alt[i];
	memcpy(b->last, alt, alt_len);
	b->last[alt_len] = '\0';
}

int
cartel__match_dm_codes(const char *latin, unsigned *codes, int max)
{
	char w[MATCH_SKEL];
	size_t n = 0;
	for (const char *p = latin; *p != '\0' && n + 1 < sizeof w; p++)
		if (*p >= 'a' && *p <= 'z')
			w[n++] = *p;
	w[n] = '\0';
	if (n == 0 || max <= 0)
		return 0;
	struct branch br[DM_BRANCHES];
	int n_br = 1;
	memset(br, 0, sizeof br);
	pthread_once(&by_letter_once, by_letter_build);
	for (size_t i = 0; i < n;) {
		const struct dm_rule *r = NULL;
		size_t plen = 0;
		int c = w[i] - 'a';
		for (int t = 0; t < n_by_letter[c]; t++) {
			size_t k = by_letter[c][t];
			size_t l = rule_len[k];
			if (l <= n - i && memcmp(w + i, rules[k].pat, l) == 0) {
				r = &rules[k];
				plen = l;
				break;
			}
		}
		if (r == NULL) {
			i++;
			continue;
		}
		const char *code = i == 0 ? r->start
				   : (i + plen < n && is_vowel(w[i + plen]))
					   ? r->vowel
					   : r->other;
		const char *bar = strchr(code, '|');
		if (bar == NULL) {
			for (int b = 0; b < n_br; b++)
				extend(&br[b], code, strlen(code));
		} else {
			int old = n_br;
			for (int b = 0; b < old; b++) {
				if (n_br < DM_BRANCHES) {
					br[n_br] = br[b];
					extend(&br[n_br], bar + 1,
					       strlen(bar + 1));
					n_br++;
				}
				extend(&br[b], code, (size_t)(bar - code));
			}
		}
		i += plen;
	}
	int n_codes = 0;
	for (int b = 0; b < n_br; b++) {
		unsigned v = 0;
		for (int d = 0; d < 6; d++)
			v = v * 10 + (d < br[b].len ? (unsigned)(br[b].code[d] -
								 '0')
						    : 0);
		int dup = 0;
		for (int k = 0; k < n_codes; k++)
			dup |= codes[k] == v;
		if (!dup && n_codes < max)
			codes[n_codes++] = v;
	}
	return n_codes;
}

int
cartel_match_dm(const char *name, unsigned *codes, int max)
{
	char phon[MATCH_SKEL * 2];
	cartel__match_phonetic(name, phon, sizeof phon, NULL);
	return cartel__match_dm_codes(phon, codes, max);
}
