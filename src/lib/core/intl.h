/*
 * How the library marks the words people read for translation
 * (<cartel/i18n.h>; docs/i18n.md). xgettext finds the marks by these
 * names (scripts/po-update.sh lists them):
 *   _("text")                  translated where it is used
 *   N_("text")                 only marked; translated later by _()
 *   C_("ctx", "text")          translated in a context (a word that means
 *                              one thing here and another elsewhere)
 *   NC_("ctx", "text")         marked with a context; cartel_pgettext later
 *   cartel_ngettext(s, p, n)   the plural form for n
 * Format strings keep their conversions in the translation (msgfmt -c
 * checks it), and gcc checks the English msgid against the arguments.
 */
#ifndef CARTEL_CORE_INTL_H
#define CARTEL_CORE_INTL_H

#include <cartel/i18n.h>

#define _(s) cartel_gettext(s)
#define N_(s) (s)
#define C_(ctx, s) cartel__pgettext(ctx "\004" s, s)
#define NC_(ctx, s) (s)

/* The translation of key ("CTX\004MSGID"), or msgid when it has none. */
const char *cartel__pgettext(const char *key, const char *msgid)
	__attribute__((format_arg(2)));

#endif
