/*
 * cartel export csv|json [-o FILE]: the whole register, to standard output
 * or a file. A file is written under a temporary name and renamed at the
 * end, so a failed export never leaves half a file under the real name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cartel/cartel.h>
#include <cartel/store.h>

#include "cli.h"

int
cmd_export(struct cli *cli, int argc, char **argv)
{
	const char *format = NULL, *out_path = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int r = cli_common_opt(cli, "export", argc, argv, &i);
		if (r == 1)
			continue;
		if (r != 0)
			return r;
		if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
			if (i + 1 >= argc)
				return cli_usage("export", "%s needs a file",
						 a);
			out_path = argv[++i];
		} else if (a[0] == '-' && a[1] != '\0') {
			return cli_usage("export", "unknown option '%s'", a);
		} else if (format == NULL) {
			format = a;
		} else {
			return cli_usage("export", "unexpected argument '%s'",
					 a);
		}
	}
	if (format == NULL)
		format = cli->json ? "json" : NULL;
	if (format == NULL)
		return cli_usage("export", "usage: cartel export csv|json "
					   "[-o FILE]");
	int csv = strcmp(format, "csv") == 0;
	if (!csv && strcmp(format, "json") != 0)
		return cli_usage("export", "unknown format '%s' (csv or json)",
				 format);

	struct cartel_db *db;
	int rc = cli_open_db(cli, CARTEL_DB_READONLY, &db);
	if (rc != 0)
		return rc;
	struct cli_out out;
	if (cli_out_open(&out, out_path, 0) != 0) {
		cartel_db_close(db);
		return EXIT_FAIL;
	}
	char *why = NULL;
	int err = csv ? cartel_export_csv(db, out.fp, &why)
		      : cartel_export_json(db, out.fp, &why);
	cartel_db_close(db);
	if (cli_out_close(&out, err == 0) != 0 && err == 0)
		return EXIT_FAIL;
	if (err != 0)
		return cli_error(err, why, "export");
	return EXIT_OK;
}
