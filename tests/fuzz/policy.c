/*
 * Fuzzes the exchange policy reader (plan/policy.c): the YAML a
 * negotiating party hands over as the terms of a round. A policy that
 * parses has a digest of 64 hex characters.
 */
#include <cartel/plan.h>

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cartel_policy *pol = NULL;
	char *why = NULL;
	int rc = cartel_policy_parse(&pol, (const char *)data, size,
				     "fuzz.yaml", &why);
	free(why);
	if (rc == 0) {
		FUZZ_CHECK(pol != NULL);
		FUZZ_CHECK(strlen(cartel_policy_digest(pol)) == 64);
	}
	cartel_policy_free(pol);
	return 0;
}
