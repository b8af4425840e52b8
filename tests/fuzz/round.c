/*
 * Fuzzes the reading of round documents (round/doc.c): the signed lists
 * the other party sends for a round of exchange. A document that parses
 * must canonicalise, and compared with itself must show no change.
 */
#include <cartel/round.h>

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cartel_round *r = NULL;
	char *why = NULL;
	int rc = cartel_round_parse(&r, (const char *)data, size, "fuzz.json",
				    &why);
	free(why);
	if (rc != 0) {
		FUZZ_CHECK(r == NULL);
		return 0;
	}
	(void)cartel_round_id(r);
	(void)cartel_round_version(r);
	(void)cartel_round_kind(r);
	(void)cartel_round_digest(r);
	(void)cartel_round_party(r, 0);
	(void)cartel_round_party(r, 1);
	(void)cartel_round_n_persons(r);
	char *text = NULL;
	size_t len = 0;
	why = NULL;
	if (cartel_round_canonical(r, &text, &len, &why) == 0) {
		struct cartel_round *back = NULL;
		char *why2 = NULL;
		FUZZ_CHECK(cartel_round_parse(&back, text, len, "canonical",
					      &why2) == 0);
		free(why2);
		cartel_round_free(back);
	}
	free(text);
	free(why);
	struct cartel_round_diff d;
	memset(&d, 0, sizeof d);
	why = NULL;
	if (cartel_round_diff(r, r, &d, &why) == 0) {
		FUZZ_CHECK(d.n_header == 0 && d.n_added == 0 &&
			   d.n_removed == 0 && d.n_changed == 0);
		cartel_round_diff_clear(&d);
	}
	free(why);
	cartel_round_free(r);
	return 0;
}
