/*
 * Unit tests for the language of the words (<cartel/i18n.h>): the choice
 * from the environment, ordinals and party names, plural forms, and one
 * language per thread, as a server answering each request in its own
 * language needs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cartel/cartel.h>
#include <cartel/inquiry.h>

static void
env_choice(void **state)
{
	(void)state;
	unsetenv("LANGUAGE");
	unsetenv("LC_ALL");
	unsetenv("LC_MESSAGES");
	setenv("LANG", "uk_UA.UTF-8", 1);
	assert_string_equal(cartel_lang_from_env(), "uk");
	setenv("LC_MESSAGES", "ru_RU.UTF-8", 1);
	assert_string_equal(cartel_lang_from_env(), "ru");
	setenv("LC_ALL", "C", 1);
	assert_string_equal(cartel_lang_from_env(), "en");
	/* LANGUAGE's first language cartel speaks wins. */
	setenv("LANGUAGE", "de:uk:ru", 1);
	assert_string_equal(cartel_lang_from_env(), "uk");
	unsetenv("LANGUAGE");
	unsetenv("LC_ALL");
	unsetenv("LC_MESSAGES");
	setenv("LANG", "de_DE.UTF-8", 1);
	assert_string_equal(cartel_lang_from_env(), "en");
	assert_true(cartel_lang_known("ru_RU.UTF-8"));
	assert_false(cartel_lang_known("rus"));
	assert_false(cartel_lang_known(""));
	char *why = NULL;
	assert_int_equal(cartel_lang_init("de", &why), CARTEL_EINVAL);
	assert_non_null(strstr(why, "en, uk and ru"));
	free(why);
}

static void
words_by_language(void **state)
{
	(void)state;
	char buf[32];
	assert_int_equal(cartel_lang_init("en", NULL), 0);
	assert_string_equal(cartel_ordinal(1, buf, sizeof buf), "1st");
	assert_string_equal(cartel_ordinal(12, buf, sizeof buf), "12th");
	assert_string_equal(cartel_ordinal(22, buf, sizeof buf), "22nd");
	assert_string_equal(cartel_ordinal(113, buf, sizeof buf), "113th");
	assert_string_equal(cartel_party_name("UA"), "Ukraine");
	assert_string_equal(cartel_party_name("XX"), "XX");
	assert_string_equal(cartel_lang_get(), "en");

	assert_int_equal(cartel_lang_init("uk", NULL), 0);
	assert_string_equal(cartel_lang_get(), "uk");
	assert_string_equal(cartel_ordinal(12, buf, sizeof buf), "12-й");
	assert_string_equal(cartel_party_name("RU"), "Росія");
	assert_string_equal(cartel_strerror(CARTEL_ENOTFOUND), "не знайдено");
	assert_string_equal(cartel_enum_text(CARTEL_ENUM_HEALTH,
					     CARTEL_HEALTH_SERIOUSLY_WOUNDED),
			    "тяжкопоранені");
	/* Three plural forms: 1 особу, 3 особи, 5 осіб, 21 особу. */
	static const unsigned long n[] = {1, 3, 5, 11, 21, 300};
	static const char *const uk[] = {"особу", "особи", "осіб",
					 "осіб",  "особу", "осіб"};
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(
			strchr(cartel_ngettext("%ld person", "%ld persons",
					       n[i]),
			       ' ') + 1,
			uk[i]);
	assert_int_equal(cartel_lang_init("ru", NULL), 0);
	assert_string_equal(cartel_party_name("UA"), "Украина");
	assert_string_equal(cartel_inquiry_state_text(
				    CARTEL_INQUIRY_CANDIDATE_FOUND),
			    "найден кандидат");
	assert_int_equal(cartel_lang_init("en", NULL), 0);
}

struct job {
	const char *lang;
	int rc;
	int wrong; /* answers not in the thread's language */
};

static void *
speak(void *arg)
{
	struct job *j = arg;
	j->rc = cartel_lang_set(j->lang, NULL);
	if (j->rc != 0)
		return NULL;
	const char *want = strcmp(j->lang, "uk") == 0 ? "Україна"
			   : strcmp(j->lang, "ru") == 0 ? "Украина"
							: "Ukraine";
	for (int k = 0; k < 2000; k++) {
		if (strcmp(cartel_party_name("UA"), want) != 0)
			j->wrong++;
		if (strcmp(cartel_lang_get(), j->lang) != 0)
			j->wrong++;
	}
	cartel_lang_set(NULL, NULL);
	return NULL;
}

static void
one_language_per_thread(void **state)
{
	(void)state;
	assert_int_equal(cartel_lang_init("en", NULL), 0);
	char *why = NULL;
	assert_int_equal(cartel_lang_set("xx", &why), CARTEL_EINVAL);
	free(why);
	struct job jobs[3] = {{"uk", 0, 0}, {"ru", 0, 0}, {"en", 0, 0}};
	pthread_t t[3];
	for (int i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&t[i], NULL, speak, &jobs[i]),
				 0);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	if (jobs[0].rc == CARTEL_ENOTFOUND || jobs[1].rc == CARTEL_ENOTFOUND)
		skip(); /* no uk_UA / ru_RU locale on this machine */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(jobs[i].rc, 0);
		assert_int_equal(jobs[i].wrong, 0);
	}
	/* The main thread kept the process's language. */
	assert_string_equal(cartel_party_name("UA"), "Ukraine");
}

/* A browser's Accept-Language header picks the language of the answer:
 * the highest weight among the three, case and region ignored. */
static void
accept_language(void **state)
{
	(void)state;
	assert_string_equal(cartel_lang_from_accept("uk-UA,uk;q=0.9,en;q=0.8"),
			    "uk");
	assert_string_equal(cartel_lang_from_accept("de-DE, ru;q=0.7, en;q=0.3"),
			    "ru");
	assert_string_equal(cartel_lang_from_accept("en;q=0.5,RU-ru;q=0.6"),
			    "ru");
	assert_string_equal(cartel_lang_from_accept("uk;q=0.8,ru;q=0.8"), "uk");
	assert_string_equal(cartel_lang_from_accept("*;q=0.1,en"), "en");
	assert_null(cartel_lang_from_accept("de, fr;q=0.9"));
	assert_null(cartel_lang_from_accept("uk;q=0"));
	assert_null(cartel_lang_from_accept(""));
	assert_null(cartel_lang_from_accept(NULL));
	/* "ukr" or "rus" are not the two-letter tags. */
	assert_null(cartel_lang_from_accept("ukr,rus"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(env_choice),
		cmocka_unit_test(words_by_language),
		cmocka_unit_test(one_language_per_thread),
		cmocka_unit_test(accept_language),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
