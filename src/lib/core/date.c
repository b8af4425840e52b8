/*
 * Partial dates: parsing the shapes lists arrive in, and comparing what two
 * dates both know.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cartel/date.h>
#include <cartel/error.h>

#include "core/why.h"

int
cartel_days_in_month(int year, int month)
{
	static const int days[] = {31, 28, 31, 30, 31, 30,
				   31, 31, 30, 31, 30, 31};
	if (month < 1 || month > 12)
		return 0;
	if (month == 2 && ((year % 4 == 0 && year % 100 != 0) ||
			   year % 400 == 0))
		return 29;
	return days[month - 1];
}

/* Reads exactly n digits at s; returns the value or -1. */
static int
digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int
cartel_date_parse(const char *text, struct cartel_date *out, char **why)
{
	struct cartel_date d = {0, 0, 0};
	if (text == NULL)
		text = "";
	while (*text == ' ' || *text == '\t')
		text++;
	size_t len = strlen(text);
	while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t'))
		len--;
	if (len == 0) {
		*out = d;
		return 0;
	}
	char buf[16];
	if (len >= sizeof(buf))
		return cartel__why(why, CARTEL_EFORMAT,
				   "is not a date (expected YYYY-MM-DD, "
				   "DD.MM.YYYY, YYYY-MM or YYYY)");
	memcpy(buf, text, len);
	buf[len] = '\0';

	if (len == 10 && buf[4] == '-' && buf[7] == '-') {
		d.year = digits(buf, 4);
		d.month = digits(buf + 5, 2);
		d.day = digits(buf + 8, 2);
	} else if (len == 10 && buf[2] == '.' && buf[5] == '.') {
		d.day = digits(buf, 2);
		d.month = digits(buf + 3, 2);
		d.year = digits(buf + 6, 4);
	} else if (len == 7 && buf[4] == '-') {
		d.year = digits(buf, 4);
		d.month = digits(buf + 5, 2);
	} else if (len == 4) {
		d.year = digits(buf, 4);
	} else {
		d.year = -1;
	}
	if (d.year < 0 || d.month < 0 || d.day < 0)
		return cartel__why(why, CARTEL_EFORMAT,
				   "is not a date (expected YYYY-MM-DD, "
				   "DD.MM.YYYY, YYYY-MM or YYYY)");
	if (d.year < 1800 || d.year > 2999)
		return cartel__why(why, CARTEL_ERANGE,
				   "has a year outside 1800-2999");
	if (len != 4 && (d.month < 1 || d.month > 12))
		return cartel__why(why, CARTEL_ERANGE,
				   "has no month %d", d.month);
	if (len == 10 &&
	    (d.day < 1 || d.day > cartel_days_in_month(d.year, d.month)))
		return cartel__why(why, CARTEL_ERANGE,
				   "is not a date: that month has no day %d",
				   d.day);
	*out = d;
	return 0;
}

char *
cartel_date_format(const struct cartel_date *d, char *buf, size_t size)
{
	if (size == 0)
		return buf;
	if (d->year == 0)
		buf[0] = '\0';
	else if (d->month == 0)
		snprintf(buf, size, "%04d", d->year);
	else if (d->day == 0)
		snprintf(buf, size, "%04d-%02d", d->year, d->month);
	else
		snprintf(buf, size, "%04d-%02d-%02d", d->year, d->month,
			 d->day);
	return buf;
}

int
cartel_date_known(const struct cartel_date *d)
{
	return d->year != 0;
}

int
cartel_date_cmp(const struct cartel_date *a, const struct cartel_date *b)
{
	if (a->year != b->year)
		return a->year < b->year ? -1 : 1;
	if (a->month == 0 || b->month == 0)
		return 0;
	if (a->month != b->month)
		return a->month < b->month ? -1 : 1;
	if (a->day == 0 || b->day == 0)
		return 0;
	if (a->day != b->day)
		return a->day < b->day ? -1 : 1;
	return 0;
}

struct cartel_date
cartel_date_today(void)
{
	struct cartel_date d = {0, 0, 0};
	const char *env = getenv("CARTEL_TODAY");
	if (env != NULL && cartel_date_parse(env, &d, NULL) == 0 &&
	    d.day != 0)
		return d;
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	d.year = tm.tm_year + 1900;
	d.month = tm.tm_mon + 1;
	d.day = tm.tm_mday;
	return d;
}

long
cartel_date_days(const struct cartel_date *d)
{
	/* Days from civil, after H. Hinnant's published algorithm. */
	long y = d->year;
	long m = d->month ? d->month : 1;
	long dd = d->day ? d->day : 1;
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + dd - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}
