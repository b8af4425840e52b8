/*
 * The language of the words cartel says: explanations, the status of a
 * person found, statistics labels and error messages, in English,
 * Ukrainian or Russian, through GNU gettext (the text domain "cartel",
 * catalogues built from po/ by `make`; docs/i18n.md).
 *
 * Languages are named by their ISO 639-1 codes: "en", "uk", "ru". The
 * messages are written in English in the source; English is also what is
 * said when no catalogue is found.
 *
 * Two levels:
 *   - the process's language, set once by cartel_lang_init (from an
 *     explicit choice such as the command's --lang, else from the
 *     environment: LANGUAGE, LC_ALL, LC_MESSAGES, LANG);
 *   - the calling thread's language, set by cartel_lang_set, which a
 *     server calls at the start of each request to answer it in the
 *     language that request asked for. A thread that never calls it
 *     speaks the process's language.
 *
 * Every text the library returns (an explanation, a status in words, a
 * label) is made in the language of the thread that calls for it, at the
 * time of the call. Documents that two parties sign (the plan document,
 * round lists) and the register's own records never depend on the
 * language: they are written in English.
 *
 * Threads: cartel_lang_init changes the process's LC_MESSAGES and the
 * LANGUAGE environment variable; call it once, before other threads start.
 * cartel_lang_set and every translating call are safe from any thread.
 */
#ifndef CARTEL_I18N_H
#define CARTEL_I18N_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The gettext text domain of libcartel and the cartel command. */
#define CARTEL_TEXT_DOMAIN "cartel"

/*
 * The folder holding LANG/LC_MESSAGES/cartel.mo: the environment variable
 * CARTEL_LOCALEDIR when set and not empty, else the build tree's locale/
 * while it holds the catalogues (a build used in place, and the tests),
 * else PREFIX/share/locale. Static or environment storage; never NULL.
 */
const char *cartel_locale_dir(void);

/*
 * 1 when lang names a language cartel speaks ("en", "uk", "ru"; also a
 * locale name that starts with one, "uk_UA.UTF-8"), else 0.
 */
int cartel_lang_known(const char *lang);

/*
 * The language the environment asks for: the first of LANGUAGE's list
 * that cartel speaks, else the language of the first set of LC_ALL,
 * LC_MESSAGES, LANG; "en" when none names a language cartel speaks.
 * Static storage.
 */
const char *cartel_lang_from_env(void);

/*
 * The language an HTTP Accept-Language header asks for ("uk-UA,uk;q=0.9,
 * en;q=0.8"): of the languages cartel speaks, the one with the highest
 * weight (the first listed on a tie); NULL when the header names none
 * of them or is NULL. Static storage.
 */
const char *cartel_lang_from_accept(const char *header);

/*
 * Sets the process's language: lang ("en", "uk", "ru", or a locale name
 * starting with one), or the environment's (cartel_lang_from_env) when
 * lang is NULL or "". The messages locale is switched to a UTF-8 locale
 * of that language (uk_UA.UTF-8, ru_RU.UTF-8); when none is installed on
 * the machine, to C.UTF-8 with LANGUAGE set to the language, which serves
 * the process but not cartel_lang_set. Returns 0, or CARTEL_EINVAL for a
 * language cartel does not speak (*why names the three it does; the
 * process language is then left as it was).
 */
int cartel_lang_init(const char *lang, char **why);

/*
 * Sets the calling thread's language (as cartel_lang_init's lang), or
 * gives the thread back the process's language when lang is NULL or "".
 * Uses a per-thread locale (uselocale), made once per language and kept
 * for the life of the process. Returns 0; CARTEL_EINVAL for a language
 * cartel does not speak; CARTEL_ENOTFOUND when the machine has no locale
 * for it (scripts/deps.sh generates them; *why names the locale to
 * generate). On failure the thread's language is unchanged.
 */
int cartel_lang_set(const char *lang, char **why);

/* The calling thread's language: "en", "uk" or "ru". Static storage. */
const char *cartel_lang_get(void);

/*
 * msgid translated into the calling thread's language through the
 * catalogue of CARTEL_TEXT_DOMAIN; msgid itself when there is no
 * translation. The result is static (the catalogue's or msgid's storage).
 */
const char *cartel_gettext(const char *msgid)
	__attribute__((format_arg(1)));

/* As cartel_gettext, with the plural form for n (Ukrainian and Russian
 * have three). */
const char *cartel_ngettext(const char *msgid, const char *msgid_plural,
			    unsigned long n)
	__attribute__((format_arg(1), format_arg(2)));

/* As cartel_gettext for msgid in context ctx (gettext's pgettext). */
const char *cartel_pgettext(const char *ctx, const char *msgid)
	__attribute__((format_arg(2)));

/*
 * The name people use for a party code in the thread's language ("UA":
 * "Ukraine", "Україна", "Украина"), or the code itself when cartel knows
 * no name for it. Static storage (or code's). NULL gives "".
 */
const char *cartel_party_name(const char *code);

/*
 * An ordinal as people say it, into buf (NUL-terminated, truncated to
 * size): "12th" in English, "12-й" in Ukrainian and Russian. Returns buf.
 */
char *cartel_ordinal(size_t n, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
