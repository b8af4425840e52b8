/*
 * Fuzzes canonical JSON (round/jcs.c), the form every signature of a round
 * document covers. Whatever jansson reads, the canonical form must read
 * back as JSON and be its own canonical form: two parties that canonicalise
 * the same document get the same bytes. JCS numbers are doubles, so an
 * integer beyond 2^63 in canonical form (1e20 writes as 100000000000000000000)
 * is read back as a double, which jansson reads as an integer only within
 * range.
 */
#include <jansson.h>

#include <cartel/error.h>

#include "fuzz.h"
#include "round/jcs.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t jerr;
	json_t *v = json_loadb((const char *)data, size,
			       JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
	if (v == NULL)
		return 0;
	char *out = NULL, *why = NULL;
	size_t len = 0;
	int rc = cartel__jcs(v, &out, &len, &why);
	json_decref(v);
	free(why);
	if (rc != 0) {
		FUZZ_CHECK(rc == CARTEL_EINVAL || rc == CARTEL_ENOMEM);
		return 0;
	}
	FUZZ_CHECK(strlen(out) == len);
	json_t *back = json_loadb(out, len,
				  JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL,
				  &jerr);
	FUZZ_CHECK(back != NULL);
	char *again = NULL;
	size_t again_len = 0;
	why = NULL;
	rc = cartel__jcs(back, &again, &again_len, &why);
	free(why);
	json_decref(back);
	FUZZ_CHECK(rc == 0);
	FUZZ_CHECK(again_len == len && memcmp(again, out, len) == 0);
	free(again);
	free(out);
	return 0;
}
