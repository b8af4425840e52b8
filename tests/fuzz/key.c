/*
 * Fuzzes the reading of key files (round/key.c): the public key another
 * party sends to be pinned, and the secret key file a bureau keeps. A key
 * that loads has a valid party code and, with its secret, signs what its
 * public half verifies.
 */
#include <sodium.h>

#include <cartel/round.h>

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cartel_key k;
	char *why = NULL;
	int rc = cartel_key_parse(&k, (const char *)data, size, "fuzz.key",
				  &why);
	free(why);
	if (rc != 0)
		return 0;
	FUZZ_CHECK(cartel_party_valid(k.party));
	if (k.has_secret) {
		static const unsigned char msg[] = "round";
		unsigned char sig[crypto_sign_BYTES];
		crypto_sign_detached(sig, NULL, msg, sizeof msg, k.secret_key);
		FUZZ_CHECK(crypto_sign_verify_detached(sig, msg, sizeof msg,
						       k.public_key) == 0);
	}
	cartel_key_wipe(&k);
	return 0;
}
