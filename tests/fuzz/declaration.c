/*
 * Fuzzes receiving a declaration (round/declaration.c): the signed list of
 * persons a party holds or seeks, sent to the mediator or the other party.
 * The input is received as the text of a declaration file
 * (cartel_receive_text, which cartel_receive calls once it has read the
 * file) into a mediator's register in memory with UA's key pinned (the key that
 * signed the seeds in corpus/declaration, so a seed goes all the way to
 * loading its persons). Whatever is refused must leave the register as it
 * was; whatever is received must verify.
 */
#include <cartel/declaration.h>
#include <cartel/round.h>
#include <cartel/store.h>

#include "fuzz.h"

static const unsigned char ua_public[32] = {
	0x1b, 0x3b, 0xd9, 0x38, 0x4e, 0x33, 0xde, 0x8e,
	0x97, 0x87, 0x9c, 0x2f, 0x68, 0x14, 0xb0, 0x2b,
	0xdf, 0x30, 0xe9, 0xfb, 0x8d, 0x6c, 0x56, 0x68,
	0x56, 0x36, 0xc0, 0x2b, 0xbf, 0x86, 0xbe, 0x05};

static struct cartel_db *db;

static void
fresh_register(void)
{
	char *why = NULL;
	if (db != NULL)
		cartel_db_close(db);
	if (cartel_db_open(&db, ":memory:", CARTEL_DB_CREATE, &why) != 0 ||
	    cartel_owner_set(db, CARTEL_OWNER_MEDIATOR, "CTA", "fuzz",
			     &why) != 0 ||
	    cartel_key_pin(db, "UA", ua_public, 0, "fuzz", NULL, &why) != 0) {
		fprintf(stderr, "cannot make the register: %s\n",
			why ? why : "?");
		abort();
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fresh_register();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (db == NULL)
		LLVMFuzzerInitialize(NULL, NULL);
	struct cartel_receive_opts o = {.actor = "fuzz"};
	struct cartel_receive_result res;
	memset(&res, 0, sizeof res);
	char *why = NULL;
	int rc = cartel_receive_text(db, "fuzz.json", (const char *)data,
				     size, &o, &res, &why);
	free(why);
	if (rc == 0) {
		FUZZ_CHECK(res.n_persons == res.n_added + res.n_unchanged +
						    res.n_changed +
						    res.n_returned);
		char *json = NULL;
		why = NULL;
		if (cartel_receive_result_json(&res, &json, &why) == 0)
			FUZZ_CHECK(json != NULL);
		free(json);
		free(why);
		cartel_receive_result_clear(&res);
		struct cartel_audit_report rep;
		why = NULL;
		FUZZ_CHECK(cartel_audit_verify(db, NULL, &rep, &why) == 0);
		free(why);
		/* The next input starts from an empty register again. */
		fresh_register();
	}
	return 0;
}
