/*
 * cartel init: create the register (or upgrade an older one).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include <cartel/cartel.h>
#include <cartel/declaration.h>
#include <cartel/store.h>

#include "cli.h"

int
cmd_init(struct cli *cli, int argc, char **argv)
{
	const char *party = NULL, *mediator = NULL, *by = NULL;
	for (int i = 1; i < argc; i++) {
		int r = cli_common_opt(cli, "init", argc, argv, &i);
		if (r == 1)
			continue;
		if (r != 0)
			return r;
		if (strcmp(argv[i], "--party") == 0 && i + 1 < argc)
			party = argv[++i];
		else if (strcmp(argv[i], "--mediator") == 0 && i + 1 < argc)
			mediator = argv[++i];
		else if (strcmp(argv[i], "--by") == 0 && i + 1 < argc)
			by = argv[++i];
		else
			return cli_usage("init", "unexpected argument '%s'",
					 argv[i]);
	}
	if (party != NULL && mediator != NULL)
		return cli_usage("init", "a register is a party's or the "
					 "mediator's, not both");
	struct stat sb;
	int existed = stat(cli->db_path, &sb) == 0;
	struct cartel_db *db;
	int rc = cli_open_db(cli, CARTEL_DB_CREATE, &db);
	if (rc != 0)
		return rc;
	int version = cartel_db_schema_version(db);
	struct cartel_owner owner;
	memset(&owner, 0, sizeof owner);
	if (party != NULL || mediator != NULL) {
		/* An existing register keeps the owner it has: asking for the
		 * same one again is fine, for another one is refused. */
		char *why = NULL;
		rc = cartel_owner_get(db, &owner, &why);
		if (rc) {
			cartel_db_close(db);
			return cli_error(rc, why, "reading the owner");
		}
		const char *want = party ? party : mediator;
		enum cartel_owner_role role =
			party ? CARTEL_OWNER_PARTY : CARTEL_OWNER_MEDIATOR;
		if (owner.role == CARTEL_OWNER_NONE) {
			rc = cli_owner_set(cli, db, party, mediator, by);
			if (rc == 0)
				rc = cartel_owner_get(db, &owner, &why);
			if (rc) {
				cartel_db_close(db);
				return why ? cli_error(rc, why, "init") : rc;
			}
		} else if (owner.role != role ||
			   strcmp(owner.name, want) != 0) {
			cartel_db_close(db);
			return cli_fail("init: %s already belongs to %s %s; "
					"an owner is set once",
					cli->db_path,
					cartel_owner_role_name(owner.role),
					cli_t(owner.name));
		}
	}
	cartel_db_close(db);
	if (cli->json) {
		json_t *o = json_pack("{s:s, s:i, s:b}", "db", cli->db_path,
				      "schema_version", version, "created",
				      !existed);
		if (o != NULL && owner.role != CARTEL_OWNER_NONE)
			json_object_set_new(o, "owner", cli_owner_json(&owner));
		if (o == NULL)
			return cli_fail("out of memory");
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(o);
	} else if (existed) {
		printf(_("%s already holds a register (schema version %d)\n"),
		       cli->db_path, version);
	} else {
		printf(_("created the register %s (schema version %d)\n"),
		       cli->db_path, version);
	}
	if (!cli->json && owner.role != CARTEL_OWNER_NONE)
		cli_owner_print(&owner);
	return EXIT_OK;
}
