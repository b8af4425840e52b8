/*
 * The PFIF feed through a front end (cartel_account_pfif, docs/api.md):
 * the same document `cartel export pfif` writes, cut to what the caller's
 * role may publish, logged as an access and recorded as a transfer like
 * every file that leaves the register.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cartel/account.h>
#include <cartel/error.h>
#include <cartel/pfif.h>
#include <cartel/transfer.h>

#include "core/why.h"

int
cartel_account_pfif(struct cartel_db *db, const struct cartel_user *u,
		    const struct cartel_pfif_opts *opts, const char *to,
		    const char *from, char **doc, size_t *len,
		    struct cartel_pfif_counts *counts, char **why)
{
	*doc = NULL;
	*len = 0;
	if (u == NULL)
		return cartel__why(why, CARTEL_EDENIED, "not signed in");
	struct cartel_pfif_opts o = {0};
	if (opts != NULL)
		o = *opts;
	/* Captives and what is said of a man's health, legal hold and
	 * notes are not for the public: a role that only publishes never
	 * gets them, whatever it asks. */
	int protected_ = o.include_captives || o.with != 0;
	int err = cartel_allow(db, u,
			       protected_ ? CARTEL_DO_PFIF_PROTECTED
					  : CARTEL_DO_PFIF_EXPORT,
			       NULL, from, why);
	if (err != 0)
		return err;
	if (u->role == CARTEL_ROLE_REGISTRAR) {
		if (u->party == NULL || u->party[0] == '\0')
			return cartel__why(why, CARTEL_EDENIED,
					   "a registrar without a party "
					   "publishes nothing");
		o.party = u->party;
	}
	struct cartel_pfif_counts c;
	memset(&c, 0, sizeof c);
	char *buf = NULL;
	size_t n = 0;
	FILE *mem = open_memstream(&buf, &n);
	if (mem == NULL)
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	err = cartel_export_pfif(db, mem, &o, &c, why);
	if (fclose(mem) != 0 && err == 0)
		err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	if (err == 0 && !o.probe) {
		char sha[CARTEL_SHA256_HEX];
		cartel_sha256_hex(buf, n, sha);
		struct cartel_transfer t = {"pfif", (long long)c.persons, to,
					    u->name, "/api/pfif", sha};
		err = cartel_transfer_record(db, &t, why);
	}
	if (err != 0) {
		free(buf);
		return err;
	}
	if (counts != NULL)
		*counts = c;
	*doc = buf;
	*len = n;
	return 0;
}
