/*
 * Internal helpers for the `char **why` convention of <cartel/error.h>.
 */
#ifndef CARTEL_CORE_WHY_H
#define CARTEL_CORE_WHY_H

#include <stdarg.h>

/* Formats a message into a new malloc'd *why (when why is not NULL),
 * freeing any message already there. Returns err, so that callers can write
 * `return cartel__why(why, CARTEL_EINVAL, "...", ...)`. */
int cartel__why(char **why, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* As cartel__why, with a va_list. */
int cartel__vwhy(char **why, int err, const char *fmt, va_list ap);

/* malloc'd printf; NULL when out of memory. */
char *cartel__asprintf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* strdup that accepts NULL (returns NULL). */
char *cartel__strdup(const char *s);

/*
 * How many bytes of s to print so that at most max bytes are printed and no
 * UTF-8 character is cut: for "%.*s" with a value quoted in a message.
 */
int cartel__utf8_cut(const char *s, size_t max);

#endif
