/*
 * Partial dates: a year, a year and month, or a full date.
 *
 * Birth and capture dates often arrive as a year alone ("1994") or a month
 * ("1994-03"). A struct cartel_date keeps what is known and nothing more; a
 * zero year means "unknown".
 */
#ifndef CARTEL_DATE_H
#define CARTEL_DATE_H

#include <stddef.h>

struct cartel_date {
	int year;  /* 0 when the date is unknown */
	int month; /* 1..12, or 0 when only the year is known */
	int day;   /* 1..31, or 0 when only year (and month) are known */
};

/*
 * Parses YYYY-MM-DD, DD.MM.YYYY, YYYY-MM, YYYY or the empty string (unknown)
 * into *out. Leading and trailing spaces are ignored. Returns 0, or
 * CARTEL_EFORMAT when the text is none of these shapes, or CARTEL_ERANGE when
 * the shape is right but the date does not exist (2023-02-30); *why then says
 * which (it never repeats more than the offending text).
 */
int cartel_date_parse(const char *text, struct cartel_date *out, char **why);

/* Writes the ISO form (YYYY-MM-DD, YYYY-MM, YYYY, or "" when unknown) into
 * buf, which must hold at least 11 bytes. Returns buf. */
char *cartel_date_format(const struct cartel_date *d, char *buf, size_t size);

/* 1 when the date is known (year != 0). */
int cartel_date_known(const struct cartel_date *d);

/* Days in month (1..12) of year, Gregorian. */
int cartel_days_in_month(int year, int month);

/*
 * Compares two partial dates on what both know: returns <0, 0 or >0, where 0
 * also means "cannot be told apart" (1994 against 1994-03-02).
 */
int cartel_date_cmp(const struct cartel_date *a, const struct cartel_date *b);

/* Today's date in UTC (or the date in CARTEL_TODAY=YYYY-MM-DD, which tests
 * and the demo use to be reproducible). */
struct cartel_date cartel_date_today(void);

/* Days since 1970-01-01 of a date, taking missing month/day as 1. */
long cartel_date_days(const struct cartel_date *d);

#endif
