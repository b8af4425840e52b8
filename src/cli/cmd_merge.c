/*
 * cartel merge KEEP OTHER and cartel unmerge OTHER: two records of one man
 * folded into one, and the fold undone (<cartel/merge.h>). The work is in
 * libcartel; this file parses arguments and prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <cartel/cartel.h>
#include <cartel/merge.h>
#include <cartel/store.h>

#include "cli.h"

/* The options both commands take: --by WHO and --reason TEXT (each
 * required), and one or two ids. */
static int
parse(struct cli *cli, const char *cmd, int argc, char **argv, const char **ids,
      int n_ids, const char **by, const char **reason)
{
	int n = 0;
	for (int i = 1; i < argc; i++) {
		int r = cli_common_opt(cli, cmd, argc, argv, &i);
		if (r == 1)
			continue;
		if (r != 0)
			return r;
		const char *a = argv[i];
		int more = i + 1 < argc;
		if (strcmp(a, "--by") == 0 && more) {
			*by = argv[++i];
		} else if (strcmp(a, "--reason") == 0 && more) {
			*reason = argv[++i];
		} else if (a[0] == '-' && a[1] == '-') {
			return cli_usage(cmd, "unknown option '%s'", a);
		} else if (n < n_ids) {
			ids[n++] = a;
		} else {
			return cli_usage(cmd, "unexpected argument '%s'", a);
		}
	}
	if (n != n_ids)
		return cli_usage(cmd, n_ids == 2 ? "needs two ids, KEEP OTHER"
						 : N_("needs the merged id"));
	if (*by == NULL || (*by)[0] == '\0')
		return cli_usage(cmd, "needs --by WHO");
	if (*reason == NULL || (*reason)[0] == '\0')
		return cli_usage(cmd, "needs --reason TEXT");
	return 0;
}

static void
print_json(json_t *o)
{
	if (o != NULL)
		json_dumpf(o, stdout, JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(o);
}

int
cmd_merge(struct cli *cli, int argc, char **argv)
{
	const char *ids[2] = {NULL, NULL}, *by = NULL, *reason = NULL;
	int rc = parse(cli, "merge", argc, argv, ids, 2, &by, &reason);
	if (rc != 0)
		return rc;
	struct cartel_db *db;
	if ((rc = cli_open_db(cli, 0, &db)) != 0)
		return rc;
	char *why = NULL;
	size_t n_conflicts = 0;
	int err = cartel_person_merge(db, ids[0], ids[1], by, reason,
				      &n_conflicts, &why);
	cartel_db_close(db);
	if (err != 0)
		return cli_error(err, why, "merge");
	if (cli->json) {
		print_json(json_pack("{s:s, s:s, s:I}", "keep", ids[0],
				     "merged", ids[1], "conflicts",
				     (json_int_t)n_conflicts));
	} else {
		printf(_("merged: %s into %s"), cli_t(ids[1]), cli_t(ids[0]));
		if (n_conflicts > 0)
			printf(cartel_ngettext("; %zu value to settle "
					       "(conflict:FIELD events in "
					       "'cartel person show %s')",
					       "; %zu values to settle "
					       "(conflict:FIELD events in "
					       "'cartel person show %s')",
					       n_conflicts),
			       n_conflicts, cli_t(ids[0]));
		putchar('\n');
	}
	return EXIT_OK;
}

int
cmd_unmerge(struct cli *cli, int argc, char **argv)
{
	const char *ids[1] = {NULL}, *by = NULL, *reason = NULL;
	int rc = parse(cli, "unmerge", argc, argv, ids, 1, &by, &reason);
	if (rc != 0)
		return rc;
	struct cartel_db *db;
	if ((rc = cli_open_db(cli, 0, &db)) != 0)
		return rc;
	char *why = NULL, *keep = NULL;
	int err = cartel_person_unmerge(db, ids[0], by, reason, &keep, &why);
	cartel_db_close(db);
	if (err != 0)
		return cli_error(err, why, "unmerge");
	if (cli->json)
		print_json(json_pack("{s:s, s:s}", "unmerged", ids[0], "from",
				     keep));
	else
		printf(_("unmerged: %s from %s\n"), cli_t(ids[0]), cli_t(keep));
	free(keep);
	return EXIT_OK;
}
