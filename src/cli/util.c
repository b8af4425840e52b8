/*
 * Helpers every command family shares: the options all commands take after
 * their name, opening the register, and who is recorded as the actor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cartel/cartel.h>
#include <cartel/store.h>

#include "cli.h"

int
cli_common_opt(struct cli *cli, const char *cmd, int argc, char **argv, int *i)
{
	const char *a = argv[*i];
	if (strcmp(a, "--json") == 0) {
		cli->json = 1;
		return 1;
	}
	if (strcmp(a, "--db") == 0) {
		if (*i + 1 >= argc)
			return cli_usage(cmd, "--db needs a path");
		cli->db_path = argv[++*i];
		return 1;
	}
	if (strncmp(a, "--db=", 5) == 0) {
		cli->db_path = a + 5;
		return 1;
	}
	return 0;
}

int
cli_open_db(struct cli *cli, unsigned flags, struct cartel_db **db)
{
	char *why = NULL;
	int err = cartel_db_open(db, cli->db_path, flags, &why);
	if (err != 0)
		return cli_error(err, why, "opening the register");
	return 0;
}

const char *
cli_actor(const char *by)
{
	if (by != NULL && by[0] != '\0')
		return by;
	const char *u = getenv("USER");
	return u != NULL && u[0] != '\0' ? u : "cartel";
}
