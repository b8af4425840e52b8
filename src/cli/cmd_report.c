/*
 * cartel report: the charts a mediator asks for, as SVG and PNG files
 * (docs/report.md). The library draws them; this only parses and says
 * where they went.
 */
#include <stdio.h>
#include <string.h>

#include <cartel/cartel.h>
#include <cartel/report.h>
#include <cartel/store.h>

#include "cli.h"

int
cmd_report(struct cli *cli, int argc, char **argv)
{
	const char *dir = "report";
	int pub = 0, took;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(argv[i], "--public") == 0)
			pub = 1;
		else if ((took = cli_common_opt(cli, "report", argc, argv,
						    &i)) != 0) {
			if (took != 1)
				return took;
		} else
			return cli_usage("report", "unexpected '%s'", argv[i]);
	}
	struct cartel_db *db;
	if (cli_open_db(cli, 0, &db))
		return EXIT_FAIL;
	char *why = NULL;
	size_t n = 0;
	int rc = cartel_report_write(db, dir, pub, &n, &why);
	cartel_db_close(db);
	if (rc)
		return cli_error(rc, why, "writing the charts");
	for (int c = 0; c < CARTEL_CHART_N; c++)
		printf("%s/%s.svg %s/%s.png  %s\n", cli_t(dir),
		       cartel_chart_name((enum cartel_chart)c), cli_t(dir),
		       cartel_chart_name((enum cartel_chart)c),
		       cartel_chart_title((enum cartel_chart)c));
	if (pub)
		printf("%s\n", _("public figures: every count from 1 to 4 is "
				 "shown as \"fewer than 5\""));
	return EXIT_OK;
}
