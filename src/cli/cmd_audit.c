/*
 * cartel audit verify [--head HASH]: walk the audit chain and check the
 * register against it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <cartel/cartel.h>
#include <cartel/store.h>

#include "cli.h"

int
cmd_audit(struct cli *cli, int argc, char **argv)
{
	const char *head = NULL;
	int verify = 0;
	for (int i = 1; i < argc; i++) {
		int r = cli_common_opt(cli, "audit", argc, argv, &i);
		if (r == 1)
			continue;
		if (r != 0)
			return r;
		if (strcmp(argv[i], "--head") == 0) {
			if (i + 1 >= argc)
				return cli_usage("audit",
						 "--head needs a hash");
			head = argv[++i];
		} else if (strcmp(argv[i], "verify") == 0 && !verify) {
			verify = 1;
		} else {
			return cli_usage("audit", "unexpected argument '%s'",
					 argv[i]);
		}
	}
	if (!verify)
		return cli_usage("audit", "usage: cartel audit verify "
					  "[--head HASH]");
	struct cartel_db *db;
	int rc = cli_open_db(cli, CARTEL_DB_READONLY, &db);
	if (rc != 0)
		return rc;
	struct cartel_audit_report rep;
	char *why = NULL;
	int err = cartel_audit_verify(db, head, &rep, &why);
	cartel_db_close(db);
	if (cli->json) {
		json_t *o =
			json_pack("{s:b, s:I, s:I, s:I, s:I, s:s}", "ok",
				  err == 0, "entries", (json_int_t)rep.n_entries,
				  "events", (json_int_t)rep.n_events, "persons",
				  (json_int_t)rep.n_persons, "rows",
				  (json_int_t)rep.n_rows, "head", rep.head);
		if (o != NULL && rep.bad_entry != 0)
			json_object_set_new(o, "bad_entry",
					    json_integer(rep.bad_entry));
		if (o != NULL && err != 0)
			json_object_set_new(
				o, "error",
				json_string(why ? why : cartel_strerror(err)));
		if (o != NULL) {
			json_dumpf(o, stdout,
				   JSON_INDENT(2) | JSON_PRESERVE_ORDER);
			fputc('\n', stdout);
			json_decref(o);
		}
	}
	if (err != 0)
		return cli_error(err, why, "audit verify");
	if (!cli->json)
		printf(_("the audit chain holds: %lld entries, %lld events, "
			 "%lld persons, %lld other rows checked\nhead %s\n"),
		       rep.n_entries, rep.n_events, rep.n_persons, rep.n_rows,
		       rep.head[0] ? rep.head : _("(empty log)"));
	return EXIT_OK;
}
