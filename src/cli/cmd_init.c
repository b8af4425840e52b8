/*
 * cartel init: create the register (or upgrade an older one).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include <cartel/cartel.h>
#include <cartel/store.h>

#include "cli.h"

int
cmd_init(struct cli *cli, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		int r = cli_common_opt(cli, "init", argc, argv, &i);
		if (r == 1)
			continue;
		if (r != 0)
			return r;
		return cli_usage("init", "unexpected argument '%s'", argv[i]);
	}
	struct stat sb;
	int existed = stat(cli->db_path, &sb) == 0;
	struct cartel_db *db;
	int rc = cli_open_db(cli, CARTEL_DB_CREATE, &db);
	if (rc != 0)
		return rc;
	int version = cartel_db_schema_version(db);
	cartel_db_close(db);
	if (cli->json) {
		json_t *o = json_pack("{s:s, s:i, s:b}", "db", cli->db_path,
				      "schema_version", version, "created",
				      !existed);
		if (o == NULL)
			return cli_fail("out of memory");
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(o);
	} else if (existed) {
		printf("%s already holds a register (schema version %d)\n",
		       cli->db_path, version);
	} else {
		printf("created the register %s (schema version %d)\n",
		       cli->db_path, version);
	}
	return EXIT_OK;
}
