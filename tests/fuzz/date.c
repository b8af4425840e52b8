/*
 * Fuzzes the date parser (core/date.c): every date column of an import and
 * every --born of a search goes through it. A date that parses must print
 * in ISO form and parse back to itself, and must name a day that exists.
 */
#include <cartel/date.h>

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	if (text == NULL)
		return 0;
	struct cartel_date d;
	char *why = NULL;
	int rc = cartel_date_parse(text, &d, &why);
	free(text);
	free(why);
	if (rc != 0)
		return 0;
	FUZZ_CHECK(d.month >= 0 && d.month <= 12);
	FUZZ_CHECK(d.day >= 0 && d.day <= 31);
	if (d.day > 0)
		FUZZ_CHECK(d.month > 0 &&
			   d.day <= cartel_days_in_month(d.year, d.month));
	char buf[16];
	cartel_date_format(&d, buf, sizeof buf);
	struct cartel_date back;
	why = NULL;
	rc = cartel_date_parse(buf, &back, &why);
	free(why);
	FUZZ_CHECK(rc == 0);
	FUZZ_CHECK(back.year == d.year && back.month == d.month &&
		   back.day == d.day);
	FUZZ_CHECK(cartel_date_cmp(&d, &back) == 0);
	(void)cartel_date_days(&d);
	return 0;
}
