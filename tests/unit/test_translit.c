/*
 * Unit tests for the transliteration-invariant keys: the DOMAIN's five
 * spellings of one man meet, the systems in the field (Ukrainian national
 * 2010, BGN/PCGN, ICAO 9303, the older passport style, ISO 9, German and
 * Polish) meet, and what must stay apart stays apart.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cartel/cartel.h>
#include <cartel/match.h>

static void
skel(const char *name, char *buf)
{
	assert_true(cartel_match_skeleton(name, buf, 128) >= 0);
}

/* Every name of the list has the same skeleton as the first. */
static void
all_meet(const char *const *names)
{
	char a[128], b[128];
	skel(names[0], a);
	assert_true(a[0] != '\0');
	for (size_t i = 1; names[i] != NULL; i++) {
		skel(names[i], b);
		if (strcmp(a, b) != 0)
			fail_msg("'%s' -> '%s' but '%s' -> '%s'", names[0], a,
				 names[i], b);
	}
}

static int
gid(const char *name)
{
	char *why = NULL;
	int id = cartel_match_given_id(name, NULL, &why);
	if (id < 0)
		fail_msg("name table: %s", why ? why : "?");
	return id;
}

static void
domain_example_meets(void **state)
{
	(void)state;
	/* The surname through the skeleton. */
	static const char *const kovalchuk[] = {
		"Ковальчук", "Ковальчук", "Kovalchuk", "Kovalchuk",
		"Kowaltschuk", "KOVALCHUK", "Kowalczuk", "Koval'chuk",
		"Koval\xca\xb9\xc4\x8duk" /* ISO 9: Kovalʹčuk */, NULL};
	all_meet(kovalchuk);
	/* The given name through the name table. */
	int id = gid("Олександр");
	assert_true(id > 0);
	assert_int_equal(gid("Александр"), id);
	assert_int_equal(gid("Oleksandr"), id);
	assert_int_equal(gid("Aleksandr"), id);
	assert_int_equal(gid("Alexander"), id);
	assert_int_equal(gid("Саша"), id); /* a diminutive */
}

static void
table_joins_what_jaro_winkler_cannot(void **state)
{
	(void)state;
	int s = gid("Serhii");
	assert_true(s > 0);
	assert_int_equal(gid("Sergey"), s);
	assert_int_equal(gid("Сергій"), s);
	assert_int_equal(gid("Сергей"), s);
	int m = gid("Mykola");
	assert_true(m > 0);
	assert_int_equal(gid("Nikolai"), m);
	assert_int_equal(gid("Микола"), m);
	assert_int_equal(gid("Коля"), m);
	assert_true(s != m);
	/* A one-letter typo still finds the name. */
	assert_int_equal(gid("Serhij"), s);
	assert_int_equal(gid("Olekxandr"), gid("Oleksandr"));
	/* Different names stay different. */
	assert_true(gid("Олександр") != gid("Олексій"));
}

static void
lossy_folding_is_avoided(void **state)
{
	(void)state;
	char a[128], b[128];
	skel("Жукова", a);
	skel("Зукова", b);
	assert_string_not_equal(a, b);
	skel("Zhukova", b);
	assert_string_equal(a, b);
	skel("Шевченко", a);
	skel("Севченко", b);
	assert_string_not_equal(a, b);
	skel("Чорновол", a);
	skel("Корновол", b);
	assert_string_not_equal(a, b);
}

static void
systems_meet(void **state)
{
	(void)state;
	/* щ: national, BGN, German, Polish, ISO 9. */
	static const char *const shcherbak[] = {
		"Щербак", "Shcherbak", "Schtscherbak", "Szczerbak",
		"\xc5\x9c" "erbak" /* Ŝerbak */, NULL};
	all_meet(shcherbak);
	/* г as h (Ukrainian) or g (Russian); х as kh. */
	static const char *const honcharenko[] = {
		"Гончаренко", "Honcharenko", "Goncharenko", "Gontscharenko",
		NULL};
	all_meet(honcharenko);
	/* я, ю: national (ia, iu), older passport (ya, yu), German (ja). */
	static const char *const yurii[] = {"Юрій", "Юрий", "Yurii", "Iurii",
					    "Yuriy", "Jurij", NULL};
	all_meet(yurii);
	/* є, е at the start and after a consonant. */
	static const char *const yermolenko[] = {"Єрмоленко", "Ермоленко",
						 "Yermolenko", "Ermolenko",
						 NULL};
	all_meet(yermolenko);
	static const char *const kniazev[] = {"Князєв", "Князев", "Kniaziev",
					      "Knyazev",
					      "Kn\xc3\xa2zev" /* Knâzev */,
					      NULL};
	all_meet(kniazev);
	/* і / и between the two languages (Кравців / Кравцив). */
	static const char *const kravtsiv[] = {"Кравців", "Кравцив",
					       "Kravtsiv", "Krawtsiw", NULL};
	all_meet(kravtsiv);
	/* ё written е, yo, jo; Ukrainian ьо. */
	static const char *const kovalev[] = {"Ковалёв", "Ковалев", "Ковальов",
					      "Kovalyov", "Kovalev", NULL};
	all_meet(kovalev);
	/* Patronymics in both languages and Latin. */
	static const char *const sergeevich[] = {"Сергеевич", "Сергійович",
						 "Sergeyevich", "Serhiiovych",
						 NULL};
	all_meet(sergeevich);
	/* ий, ый, iy, yi, ii, y endings. */
	static const char *const vysotskyi[] = {"Высоцкий", "Висоцький",
						"Vysotskyi", "Vysotskiy",
						"Wysotski", NULL};
	all_meet(vysotskyi);
}

static void
look_alikes_case_and_noise(void **state)
{
	(void)state;
	/* Latin o, a, e, p, c, H, B typed inside Cyrillic words. */
	static const char *const novak[] = {
		"Новак", "Hoвaк" /* Latin H, o, a */, "НОВАК",
		"Н" "OВA" "К" /* Latin O and A among Cyrillic capitals */,
		"  Новак. ",
		"Новак\xe2\x80\x8f" /* right-to-left mark */, NULL};
	all_meet(novak);
	/* Compatibility forms fold (NFKC): full-width Latin. */
	static const char *const ivan[] = {
		"Ivan", "\xef\xbc\xa9\xef\xbd\x96\xef\xbd\x81\xef\xbd\x8e", NULL};
	all_meet(ivan);
	char a[128];
	/* Punctuation alone is no name. */
	skel("--- ... ,,,", a);
	assert_string_equal(a, "");
	skel("", a);
	assert_string_equal(a, "");
	/* Other scripts go through ICU's Any-Latin and still give a key. */
	skel("\xd7\x9b\xd7\x94\xd7\x9f" /* כהן */, a);
	assert_true(a[0] != '\0');
	skel("\xce\x9d\xce\xb9\xce\xba\xce\xbf\xce\xbb\xce\xac\xce\xbf\xcf\x82",
	     a); /* Νικολάος */
	assert_true(a[0] != '\0');
}

/* A name pasted from a web page or a message can carry characters no one
 * sees: zero-width spaces and joiners, a word joiner, a soft hyphen,
 * direction marks and isolates, a byte-order mark. None of them is a
 * letter or a space: the name meets itself written plainly, in Cyrillic
 * and in Latin. */
static void
invisible_characters(void **state)
{
	(void)state;
	static const char *const cyr[] = {
		"Іваненко",
		"Іва\u200Bненко", /* zero-width space */
		"Іва\u200Cненко", "Іва\u200Dненко", /* non-joiner, joiner */
		"Іва\u2060ненко", /* word joiner */
		"Іва\u00ADненко", /* soft hyphen */
		"\u200EІваненко\u200F", "\u202AІваненко\u202C",
		"\u2066Іваненко\u2069", "\uFEFFІваненко",
		"Іва\u180Eненко", /* Mongolian vowel separator */
		NULL};
	all_meet(cyr);
	static const char *const lat[] = {"Ivanenko", "Iva\u200Bnenko",
					  "Iva\u2060nenko", "\u2067Ivanenko",
					  NULL};
	all_meet(lat);
	/* A real space still parts two words. */
	char a[128], b[128];
	skel("Іваненко", a);
	skel("Іва ненко", b);
	assert_string_not_equal(a, b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(domain_example_meets),
		cmocka_unit_test(table_joins_what_jaro_winkler_cannot),
		cmocka_unit_test(lossy_folding_is_avoided),
		cmocka_unit_test(systems_meet),
		cmocka_unit_test(look_alikes_case_and_noise),
		cmocka_unit_test(invisible_characters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
