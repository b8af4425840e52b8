/*
 * Error codes in words, and the helpers that build `why` messages.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cartel/error.h>

#include "core/intl.h"
#include "core/why.h"

const char *
cartel_strerror(int err)
{
	switch (err) {
	case CARTEL_OK: return _("success");
	case CARTEL_ENOMEM: return _("out of memory");
	case CARTEL_EINVAL: return _("invalid value");
	case CARTEL_EIO: return _("input/output error");
	case CARTEL_EDB: return _("database error");
	case CARTEL_ENOTFOUND: return _("not found");
	case CARTEL_EEXIST: return _("already exists");
	case CARTEL_ETAMPER: return _("integrity check failed");
	case CARTEL_EBUSY: return _("database is busy");
	case CARTEL_EFORMAT: return _("malformed input");
	case CARTEL_ERANGE: return _("value out of range");
	case CARTEL_ESTATE: return _("not allowed in the current state");
	case CARTEL_EREADONLY: return _("read-only");
	case CARTEL_EFULL: return _("disk or database full");
	case CARTEL_EVERSION: return _("database made by a newer cartel");
	case CARTEL_EDENIED: return _("access denied");
	case CARTEL_ECONFLICT: return _("changed meanwhile");
	case CARTEL_ELIMIT: return _("too many attempts");
	}
	return _("unknown error");
}

int
cartel__vwhy(char **why, int err, const char *fmt, va_list ap)
{
	if (why == NULL)
		return err;
	/* "" would give the catalogue's header. */
	if (fmt[0] != '\0')
		fmt = cartel_gettext(fmt);
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return err;
	char *s = malloc((size_t)n + 1);
	if (s == NULL)
		return err;
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	free(*why);
	*why = s;
	return err;
}

int
cartel__why(char **why, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cartel__vwhy(why, err, fmt, ap);
	va_end(ap);
	return err;
}

char *
cartel__asprintf(const char *fmt, ...)
{
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	char *s = n < 0 ? NULL : malloc((size_t)n + 1);
	if (s != NULL)
		vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

char *
cartel__strdup(const char *s)
{
	return s == NULL ? NULL : strdup(s);
}

int
cartel__utf8_cut(const char *s, size_t max)
{
	if (s == NULL)
		return 0;
	size_t n = strnlen(s, max + 1);
	if (n <= max)
		return (int)n;
	/* Step back over continuation bytes to the start of the character
	 * that would be cut. */
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return (int)n;
}
