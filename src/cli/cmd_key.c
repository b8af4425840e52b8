/*
 * cartel key: make a party's signing key, pin the other party's public
 * key, list the pins. The secret key goes to a file readable by its owner
 * only and is never printed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <cartel/cartel.h>
#include <cartel/round.h>
#include <cartel/store.h>

#include "cli.h"

static int
key_new(struct cli *cli, int argc, char **argv)
{
	const char *party = NULL, *dir = ".", *by = NULL;
	int no_pin = 0;
	int took;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--party") == 0 && i + 1 < argc)
			party = argv[++i];
		else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(argv[i], "--by") == 0 && i + 1 < argc)
			by = argv[++i];
		else if (strcmp(argv[i], "--no-pin") == 0)
			no_pin = 1;
		else if ((took = cli_common_opt(cli, "key", argc, argv,
						    &i)) != 0) {
			if (took != 1)
				return took;
		} else
			return cli_usage("key", "unexpected '%s'", argv[i]);
	}
	if (party == NULL)
		return cli_usage("key", "key new needs --party CODE");
	struct cartel_db *db = NULL;
	if (!no_pin && cli_open_db(cli, 0, &db))
		return EXIT_FAIL;
	struct cartel_key k;
	char *why = NULL, *sp = NULL, *pp = NULL;
	int rc = cartel_key_generate(&k, party, &why);
	if (rc) {
		cartel_db_close(db);
		return cli_error(rc, why, "making a key");
	}
	/* Pin first, inside a transaction committed only once both files
	 * are written: a failure leaves neither files nor a pin. */
	int changed = 0;
	if (db != NULL) {
		rc = cartel_db_begin(db, &why);
		if (rc == 0)
			rc = cartel_key_pin(db, party, k.public_key, 0,
					    cli_actor(by), &changed, &why);
		if (rc) {
			cartel_db_rollback(db);
			cartel_db_close(db);
			cartel_key_wipe(&k);
			return cli_error(rc, why, "pinning the new key");
		}
	}
	rc = cartel_key_save(&k, dir, &sp, &pp, &why);
	if (rc == 0 && db != NULL) {
		rc = cartel_db_commit(db, &why);
		if (rc) {
			remove(sp);
			remove(pp);
		}
	}
	if (rc) {
		cartel_db_rollback(db);
		cartel_db_close(db);
		cartel_key_wipe(&k);
		free(sp);
		free(pp);
		return cli_error(rc, why, "saving the key");
	}
	char fp[CARTEL_DIGEST_LEN];
	cartel_key_fingerprint(k.public_key, fp);
	cartel_key_wipe(&k);
	cartel_db_close(db);
	if (cli->json) {
		json_t *o = json_pack("{sssssssssb}", "party", party,
				      "fingerprint", fp, "secret_key_file", sp,
				      "public_key_file", pp, "pinned",
				      db != NULL);
		json_dumpf(o, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(o);
	} else
		printf(_("key of %s: %s\n  secret key: %s (mode 0600; keep "
			 "it there)\n  public key: %s (give this to the other "
			 "party)\n%s"),
		       party, fp, sp, pp,
		       db != NULL ? _("  pinned in the register\n") : "");
	free(sp);
	free(pp);
	return EXIT_OK;
}

static int
key_import(struct cli *cli, int argc, char **argv)
{
	const char *file = NULL, *party = NULL, *by = NULL, *expect = NULL;
	int replace = 0;
	int took;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--party") == 0 && i + 1 < argc)
			party = argv[++i];
		else if (strcmp(argv[i], "--fingerprint") == 0 && i + 1 < argc)
			expect = argv[++i];
		else if (strcmp(argv[i], "--replace") == 0)
			replace = 1;
		else if (strcmp(argv[i], "--by") == 0 && i + 1 < argc)
			by = argv[++i];
		else if ((took = cli_common_opt(cli, "key", argc, argv,
						    &i)) != 0) {
			if (took != 1)
				return took;
		} else if (argv[i][0] != '-' && file == NULL)
			file = argv[i];
		else
			return cli_usage("key", "unexpected '%s'", argv[i]);
	}
	if (file == NULL || party == NULL)
		return cli_usage("key", "key import needs FILE and --party "
					"CODE");
	struct cartel_key k;
	char *why = NULL;
	int rc = cartel_key_load(&k, file, &why);
	if (rc)
		return cli_error(rc, why, "reading the key");
	if (k.has_secret) {
		cartel_key_wipe(&k);
		return cli_fail("%s is a secret key: import the other "
				"party's .pub file, never a secret",
				file);
	}
	if (strcmp(k.party, party) != 0) {
		cli_fail("%s is a key of %s, not of %s", file, k.party, party);
		cartel_key_wipe(&k);
		return EXIT_FAIL;
	}
	/* The file may have been swapped on its way here: the fingerprint
	 * read out by the other party over another channel settles it. */
	char got[CARTEL_DIGEST_LEN];
	cartel_key_fingerprint(k.public_key, got);
	if (expect != NULL && strcmp(expect, got) != 0 &&
	    !(strncmp(got, "sha256:", 7) == 0 && strcmp(expect, got + 7) == 0)) {
		cartel_key_wipe(&k);
		return cli_fail("%s: the key's fingerprint is %s, not the %s "
				"you were given; not pinned",
				file, got, expect);
	}
	struct cartel_db *db;
	if (cli_open_db(cli, 0, &db)) {
		cartel_key_wipe(&k);
		return EXIT_FAIL;
	}
	int changed = 0;
	rc = cartel_key_pin(db, party, k.public_key, replace, cli_actor(by),
			    &changed, &why);
	cartel_db_close(db);
	char fp[CARTEL_DIGEST_LEN];
	cartel_key_fingerprint(k.public_key, fp);
	cartel_key_wipe(&k);
	if (rc)
		return cli_error(rc, why, "pinning the key");
	if (cli->json)
		printf("{\"party\":\"%s\",\"fingerprint\":\"%s\","
		       "\"changed\":%s}\n",
		       party, fp, changed ? "true" : "false");
	else
		printf("%s: %s %s\n", party, fp,
		       changed ? (replace ? _("pinned (replacing the old pin)")
					  : _("pinned"))
			       : _("was already pinned"));
	return EXIT_OK;
}

static int
key_list(struct cli *cli, int argc, char **argv)
{
	int took;
	for (int i = 2; i < argc; i++) {
		if ((took = cli_common_opt(cli, "key", argc, argv,
						    &i)) != 0) {
			if (took != 1)
				return took;
		} else
			return cli_usage("key", "unexpected '%s'", argv[i]);
	}
	struct cartel_db *db;
	if (cli_open_db(cli, 0, &db))
		return EXIT_FAIL;
	struct cartel_key_pin *p;
	size_t n;
	char *why = NULL;
	int rc = cartel_key_pins(db, &p, &n, &why);
	cartel_db_close(db);
	if (rc)
		return cli_error(rc, why, "listing the pinned keys");
	json_t *arr = cli->json ? json_array() : NULL;
	for (size_t i = 0; i < n; i++) {
		if (cli->json)
			json_array_append_new(
				arr,
				json_pack("{sssssssssb}", "party", p[i].party,
					  "fingerprint", p[i].fingerprint,
					  "pinned_at",
					  p[i].pinned_at ? p[i].pinned_at : "",
					  "pinned_by",
					  p[i].pinned_by ? p[i].pinned_by : "",
					  "replaced", p[i].replaced));
		else
			printf(_("%-6s %s  pinned %s%s\n"), p[i].party,
			       p[i].fingerprint,
			       p[i].pinned_at ? p[i].pinned_at : "",
			       p[i].replaced ? _("  (replaced)") : "");
	}
	if (cli->json) {
		json_dumpf(arr, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(arr);
	} else if (n == 0) {
		puts(_("no keys pinned"));
	}
	cartel_key_pins_free(p, n);
	return EXIT_OK;
}

int
cmd_key(struct cli *cli, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage("key", "which: new, import or list?");
	if (strcmp(argv[1], "new") == 0)
		return key_new(cli, argc, argv);
	if (strcmp(argv[1], "import") == 0)
		return key_import(cli, argc, argv);
	if (strcmp(argv[1], "list") == 0)
		return key_list(cli, argc, argv);
	return cli_usage("key", "unknown subcommand '%s'", argv[1]);
}
