/*
 * The words of a search answer that a person reads: how the typed name was
 * read, and where the person found stands (reported missing, held by
 * Russia since 2024-03, repatriated on 2025-01-10), in the calling
 * thread's language (<cartel/i18n.h>). Every such phrase is made here and
 * nowhere else, so that one file holds what a translation has to cover.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <cartel/match.h>

#include "core/intl.h"

/* Appends to buf at *used, keeping it NUL-terminated and within size. */
static void
put(char *buf, size_t size, size_t *used, const char *fmt, ...)
{
	if (*used + 1 >= size)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf + *used, size - *used, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	*used += (size_t)n;
	if (*used >= size)
		*used = size - 1;
}

char *
cartel_query_reading_text(const struct cartel_query *q, size_t r, char *buf,
			  size_t size)
{
	size_t used = 0;
	if (size == 0)
		return buf;
	buf[0] = '\0';
	if (q == NULL || r >= q->n_readings)
		return buf;
	const struct cartel_person *p = &q->readings[r].person;
	const char *sep = "";
	if (p->family_name != NULL) {
		put(buf, size, &used, _("surname %s"), p->family_name);
		sep = ", ";
	}
	if (p->given_name != NULL) {
		put(buf, size, &used, "%s", sep);
		put(buf, size, &used, _("given name %s"), p->given_name);
		sep = ", ";
	}
	if (p->patronymic != NULL) {
		put(buf, size, &used, "%s", sep);
		put(buf, size, &used, _("patronymic %s"), p->patronymic);
		sep = ", ";
	}
	if (p->family_name == NULL)
		put(buf, size, &used, "%s%s", sep, _("no surname"));
	if (q->born.year != 0) {
		char d[16];
		put(buf, size, &used, _(", born %s"),
		    cartel_date_format(&q->born, d, sizeof d));
		if (q->born_swapped)
			put(buf, size, &used, "%s",
			    _(" (day and month swapped)"));
	}
	return buf;
}

/* "2024-03" of a date (the month is what people remember of a capture);
 * the year alone when that is all there is. */
static const char *
year_month(const struct cartel_date *d, char *buf, size_t size)
{
	struct cartel_date ym = *d;
	ym.day = 0;
	return cartel_date_format(&ym, buf, size);
}

char *
cartel_search_status_text(const struct cartel_person *p,
			  const char *status_on, char *buf, size_t size)
{
	size_t used = 0;
	if (size == 0)
		return buf;
	buf[0] = '\0';
	char since[16] = "";
	if (p->held_since.year != 0)
		year_month(&p->held_since, since, sizeof since);
	const char *on = status_on != NULL && status_on[0] != '\0' ? status_on
								   : NULL;
	switch (p->status) {
	case CARTEL_STATUS_REPORTED_MISSING:
		put(buf, size, &used, "%s", _("reported missing"));
		break;
	case CARTEL_STATUS_CONFIRMED_CAPTIVE:
	case CARTEL_STATUS_PROPOSED:
	case CARTEL_STATUS_AGREED:
		if (p->held_by != NULL && p->held_by[0] != '\0')
			put(buf, size, &used, _("held by %s"),
			    cartel_party_name(p->held_by));
		else
			put(buf, size, &used, "%s", _("confirmed captive"));
		if (since[0] != '\0')
			put(buf, size, &used, _(" since %s"), since);
		if (p->status == CARTEL_STATUS_PROPOSED)
			put(buf, size, &used, "%s", _("; proposed for exchange"));
		else if (p->status == CARTEL_STATUS_AGREED)
			put(buf, size, &used, "%s",
			    _("; on an agreed exchange list"));
		break;
	case CARTEL_STATUS_REPATRIATED:
		put(buf, size, &used, "%s", _("repatriated"));
		break;
	case CARTEL_STATUS_RELEASED:
		put(buf, size, &used, "%s", _("released"));
		break;
	case CARTEL_STATUS_TRANSFERRED:
		put(buf, size, &used, "%s", _("transferred to another power"));
		break;
	case CARTEL_STATUS_ESCAPED:
		put(buf, size, &used, "%s", _("escaped"));
		break;
	case CARTEL_STATUS_DECEASED:
		put(buf, size, &used, "%s", _("died"));
		break;
	default:
		put(buf, size, &used, "%s", _("status unknown"));
		break;
	}
	if (cartel_status_is_final(p->status) && on != NULL)
		put(buf, size, &used, _(" on %s"), on);
	return buf;
}
