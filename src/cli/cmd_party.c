/*
 * cartel party add CODE: adds a party to the register's list of parties,
 * which held_by, depends_on and a policy's parties are then checked
 * against (docs/limits.md). Audited.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <cartel/cartel.h>
#include <cartel/store.h>

#include "cli.h"

int
cmd_party(struct cli *cli, int argc, char **argv)
{
	const char *code = NULL, *by = NULL;
	int add = 0;
	for (int i = 1; i < argc; i++) {
		int r = cli_common_opt(cli, "party", argc, argv, &i);
		if (r == 1)
			continue;
		if (r != 0)
			return r;
		if (i == 1 && strcmp(argv[i], "add") == 0)
			add = 1;
		else if (strcmp(argv[i], "--by") == 0 && i + 1 < argc)
			by = argv[++i];
		else if (add && code == NULL && argv[i][0] != '-')
			code = argv[i];
		else
			return cli_usage("party", "unexpected argument '%s'",
					 argv[i]);
	}
	if (!add || code == NULL)
		return cli_usage("party", "party add CODE: which party?");
	struct cartel_db *db;
	int rc = cli_open_db(cli, 0, &db);
	if (rc)
		return rc;
	char *why = NULL;
	int added = 0;
	rc = cartel_party_add(db, code, cli_actor(by), &added, &why);
	cartel_db_close(db);
	if (rc)
		return cli_error(rc, why, "party add");
	if (cli->json) {
		json_t *j = json_pack("{s:s, s:b}", "party", code, "added",
				      added);
		if (j == NULL)
			return cli_fail("out of memory");
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(j);
	} else {
		printf("%s %s\n", code,
		       added ? _("is now on the register's list of parties")
			     : _("was known already; nothing changed"));
	}
	return EXIT_OK;
}
