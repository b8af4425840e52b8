/*
 * The language cartel speaks in (<cartel/i18n.h>): where the catalogues
 * are, which language the process and each thread use, and the few words
 * every module shares (party names, ordinals).
 *
 * glibc's gettext finds a catalogue by the name of the messages locale
 * (LC_MESSAGES) of the calling thread, and says nothing but the English
 * msgid under the C locale. A fresh Debian machine has only the C
 * locales, so the language is never left to setlocale(LC_ALL, ""): the
 * process (or a thread) is switched to a UTF-8 locale of the chosen
 * language when the machine has one, and otherwise to C.UTF-8 with
 * LANGUAGE naming the language, which gettext honours under any locale
 * but C. English needs no catalogue (the msgids are English).
 */
#define _GNU_SOURCE 1
#include <libintl.h>
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cartel/error.h>
#include <cartel/i18n.h>

#include "core/intl.h"
#include "core/why.h"

enum { LANG_EN, LANG_UK, LANG_RU, LANG_N };

static const char *const lang_codes[LANG_N] = {"en", "uk", "ru"};

/* The locales tried for a language, in order; English uses C. */
static const char *const lang_locales[LANG_N][3] = {
	{"C", NULL, NULL},
	{"uk_UA.UTF-8", "uk_UA.utf8", NULL},
	{"ru_RU.UTF-8", "ru_RU.utf8", NULL},
};

/* The process's language, and the calling thread's (-1: the process's). */
static int process_lang = LANG_EN;
static _Thread_local int thread_lang = -1;

/* One locale per language for cartel_lang_set, made on first need and
 * kept for the life of the process (a thread may use it at any time). */
static locale_t thread_locales[LANG_N];
static pthread_mutex_t locales_lock = PTHREAD_MUTEX_INITIALIZER;

static pthread_once_t bind_once = PTHREAD_ONCE_INIT;

const char *
cartel_locale_dir(void)
{
	const char *env = getenv("CARTEL_LOCALEDIR");
	if (env != NULL && *env != '\0')
		return env;
	/* The build tree's catalogues while they are there (a build used in
	 * place), else the installed ones. */
	struct stat sb;
	if (stat(CARTEL_BUILD_LOCALE_DIR "/uk/LC_MESSAGES/" CARTEL_TEXT_DOMAIN
					 ".mo",
		 &sb) == 0 &&
	    S_ISREG(sb.st_mode))
		return CARTEL_BUILD_LOCALE_DIR;
	return CARTEL_LOCALE_DIR;
}

static void
bind_domain(void)
{
	bindtextdomain(CARTEL_TEXT_DOMAIN, cartel_locale_dir());
	/* The words go out as UTF-8 whatever the locale's character set
	 * (under C it would be ASCII, and every Cyrillic letter a '?'). */
	bind_textdomain_codeset(CARTEL_TEXT_DOMAIN, "UTF-8");
}

/* The language index of "uk", "uk_UA.UTF-8", "ru-RU"; -1 when none. */
static int
lang_index(const char *s)
{
	if (s == NULL)
		return -1;
	for (int i = 0; i < LANG_N; i++) {
		size_t n = strlen(lang_codes[i]);
		if (strncmp(s, lang_codes[i], n) == 0 &&
		    (s[n] == '\0' || s[n] == '_' || s[n] == '.' ||
		     s[n] == '@' || s[n] == '-' || s[n] == ':'))
			return i;
	}
	return -1;
}

int
cartel_lang_known(const char *lang)
{
	return lang_index(lang) >= 0;
}

const char *
cartel_lang_from_accept(const char *header)
{
	/* "uk-UA,uk;q=0.9,en;q=0.8": the language cartel speaks with the
	 * highest weight; the first listed wins a tie. A weight is q=0 to
	 * q=1 with at most three decimals; a missing one is 1. */
	int best = -1, best_q = 0;
	const char *p = header;
	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char tag[16];
		size_t tl = 0;
		while (tl < len && tl + 1 < sizeof tag && p[tl] != ';' &&
		       p[tl] != ' ')
			tag[tl] = p[tl], tl++;
		tag[tl] = '\0';
		int q = 1000;
		const char *semi = memchr(p, ';', len);
		if (semi != NULL) {
			const char *v = semi + 1;
			while (*v == ' ')
				v++;
			if (v[0] == 'q' && v[1] == '=') {
				v += 2;
				q = (*v == '1') ? 1000 : 0;
				if (*v == '0' && v[1] == '.') {
					int scale = 100;
					for (v += 2; *v >= '0' && *v <= '9' &&
						     scale > 0;
					     v++, scale /= 10)
						q += (*v - '0') * scale;
				}
			}
		}
		/* Tags are case-insensitive: "UK" is "uk". */
		for (size_t i = 0; i < tl; i++)
			if (tag[i] >= 'A' && tag[i] <= 'Z')
				tag[i] = (char)(tag[i] - 'A' + 'a');
		int li = lang_index(tag);
		if (li >= 0 && q > best_q) {
			best = li;
			best_q = q;
		}
		p = end;
	}
	return best >= 0 ? lang_codes[best] : NULL;
}

const char *
cartel_lang_from_env(void)
{
	/* LANGUAGE is a list ("de:ru:en"): its first language cartel
	 * speaks wins. */
	const char *list = getenv("LANGUAGE");
	if (list != NULL) {
		const char *p = list;
		while (*p != '\0') {
			int i = lang_index(p);
			if (i >= 0)
				return lang_codes[i];
			const char *colon = strchr(p, ':');
			if (colon == NULL)
				break;
			p = colon + 1;
		}
	}
	static const char *const vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
	for (size_t v = 0; v < sizeof vars / sizeof vars[0]; v++) {
		const char *s = getenv(vars[v]);
		if (s == NULL || *s == '\0')
			continue;
		int i = lang_index(s);
		return lang_codes[i >= 0 ? i : LANG_EN];
	}
	return lang_codes[LANG_EN];
}

static int
unknown_lang(const char *lang, char **why)
{
	return cartel__why(why, CARTEL_EINVAL,
			   _("no language '%.40s': cartel speaks en, uk and "
			     "ru"),
			   lang);
}

int
cartel_lang_init(const char *lang, char **why)
{
	pthread_once(&bind_once, bind_domain);
	if (lang == NULL || *lang == '\0')
		lang = cartel_lang_from_env();
	int li = lang_index(lang);
	if (li < 0)
		return unknown_lang(lang, why);
	const char *got = NULL;
	for (int k = 0; k < 3 && lang_locales[li][k] != NULL && got == NULL;
	     k++)
		got = setlocale(LC_MESSAGES, lang_locales[li][k]);
	if (got != NULL) {
		/* LANGUAGE outranks the thread's locale in gettext: left
		 * set, it would override every cartel_lang_set. */
		unsetenv("LANGUAGE");
	} else if (setlocale(LC_MESSAGES, "C.UTF-8") != NULL) {
		setenv("LANGUAGE", lang_codes[li], 1);
	} else {
		setlocale(LC_MESSAGES, "C");
		unsetenv("LANGUAGE");
	}
	process_lang = li;
	return 0;
}

int
cartel_lang_set(const char *lang, char **why)
{
	pthread_once(&bind_once, bind_domain);
	if (lang == NULL || *lang == '\0') {
		uselocale(LC_GLOBAL_LOCALE);
		thread_lang = -1;
		return 0;
	}
	int li = lang_index(lang);
	if (li < 0)
		return unknown_lang(lang, why);
	pthread_mutex_lock(&locales_lock);
	locale_t loc = thread_locales[li];
	for (int k = 0; loc == (locale_t)0 && k < 3 &&
			lang_locales[li][k] != NULL;
	     k++) {
		/* Only the messages category changes: numbers and dates
		 * stay as the C locale writes them. */
		loc = newlocale(LC_MESSAGES_MASK, lang_locales[li][k],
				(locale_t)0);
		thread_locales[li] = loc;
	}
	pthread_mutex_unlock(&locales_lock);
	if (loc == (locale_t)0)
		return cartel__why(why, CARTEL_ENOTFOUND,
				   _("the machine has no locale %s; generate "
				     "it (scripts/deps.sh does, as root)"),
				   lang_locales[li][0]);
	uselocale(loc);
	thread_lang = li;
	return 0;
}

const char *
cartel_lang_get(void)
{
	return lang_codes[thread_lang >= 0 ? thread_lang : process_lang];
}

const char *
cartel_gettext(const char *msgid)
{
	pthread_once(&bind_once, bind_domain);
	return dgettext(CARTEL_TEXT_DOMAIN, msgid);
}

const char *
cartel_ngettext(const char *msgid, const char *msgid_plural, unsigned long n)
{
	pthread_once(&bind_once, bind_domain);
	return dngettext(CARTEL_TEXT_DOMAIN, msgid, msgid_plural, n);
}

const char *
cartel_pgettext(const char *ctx, const char *msgid)
{
	/* gettext keys a message in context as "CTX\004MSGID". */
	char key[256];
	int w = snprintf(key, sizeof key, "%s\004%s", ctx, msgid);
	if (w < 0 || (size_t)w >= sizeof key)
		return msgid;
	const char *t = cartel_gettext(key);
	return t == key ? msgid : t;
}

const char *
cartel__pgettext(const char *key, const char *msgid)
{
	const char *t = cartel_gettext(key);
	return t == key ? msgid : t;
}

/* The parties cartel knows by name; any other code is said as it is. */
static const struct {
	const char *code, *name;
} party_names[] = {
	{"UA", NC_("party", "Ukraine")},
	{"RU", NC_("party", "Russia")},
	{"BY", NC_("party", "Belarus")},
};

const char *
cartel_party_name(const char *code)
{
	if (code == NULL)
		return "";
	for (size_t i = 0; i < sizeof party_names / sizeof party_names[0];
	     i++)
		if (strcmp(party_names[i].code, code) == 0)
			return cartel_pgettext("party", party_names[i].name);
	return code;
}

char *
cartel_ordinal(size_t n, char *buf, size_t size)
{
	if (size == 0)
		return buf;
	/* English picks the suffix by the last digits; a language without
	 * suffixes translates all four the same ("%zu-й"). */
	const char *fmt = C_("ordinal", "%zuth");
	if (n % 100 < 11 || n % 100 > 13) {
		if (n % 10 == 1)
			fmt = C_("ordinal", "%zust");
		else if (n % 10 == 2)
			fmt = C_("ordinal", "%zund");
		else if (n % 10 == 3)
			fmt = C_("ordinal", "%zurd");
	}
	snprintf(buf, size, fmt, n);
	return buf;
}
