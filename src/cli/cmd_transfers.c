/*
 * cartel transfers [--json]: the transfer log (docs/transfers.md), every
 * file with persons in it that left cartel, oldest first. The log is
 * checked against the audit chain before it is shown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <cartel/cartel.h>
#include <cartel/store.h>
#include <cartel/transfer.h>

#include "cli.h"

int
cmd_transfers(struct cli *cli, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		int r = cli_common_opt(cli, "transfers", argc, argv, &i);
		if (r == 1)
			continue;
		if (r != 0)
			return r;
		return cli_usage("transfers", "unexpected argument '%s'",
				 argv[i]);
	}
	struct cartel_db *db;
	if (cli_open_db(cli, CARTEL_DB_READONLY, &db) != 0)
		return EXIT_FAIL;
	char *why = NULL;
	if (cli->json) {
		json_t *j = NULL;
		int err = cartel_transfer_list_json(db, &j, &why);
		cartel_db_close(db);
		if (err != 0)
			return cli_error(err, why, "reading the transfer log");
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(j);
		return EXIT_OK;
	}
	struct cartel_transfer_row *r;
	size_t n;
	int err = cartel_transfer_list(db, &r, &n, &why);
	cartel_db_close(db);
	if (err != 0)
		return cli_error(err, why, "reading the transfer log");
	if (n == 0)
		printf("%s\n", _("no transfers recorded"));
	for (size_t i = 0; i < n; i++) {
		printf("%lld  %s  %s  %s  %lld %s", r[i].seq, cli_t(r[i].at),
		       cli_t(r[i].kind), cli_t(r[i].by), r[i].n_persons,
		       _("persons"));
		if (r[i].to != NULL)
			printf("  %s %s", _("to"), cli_t(r[i].to));
		printf("  %s  sha256 %s\n",
		       r[i].file != NULL ? cli_t(r[i].file) : "(stdout)",
		       r[i].sha256 != NULL ? r[i].sha256 : "-");
	}
	cartel_transfer_rows_free(r, n);
	return EXIT_OK;
}
