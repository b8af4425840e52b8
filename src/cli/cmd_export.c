/*
 * cartel export csv|json|xlsx [-o FILE] [--to WHOM] [--by NAME]
 * [--for-spreadsheet]: the whole register, to standard output or a file
 * (a workbook: to a file). cartel export xlsx --round ID -o FILE: a loaded
 * round's lists, a sheet per list. cartel export pfif: what the register
 * may publish, as PFIF 1.4 (docs/pfif.md).
 * A file is written under a temporary name and renamed at the end, so a
 * failed export never leaves half a file under the real name. Every
 * export is recorded in the transfer log (docs/transfers.md) with the
 * SHA-256 of what was written.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cartel/cartel.h>
#include <cartel/pfif.h>
#include <cartel/store.h>
#include <cartel/transfer.h>
#include <cartel/xlsx.h>

#include "cli.h"

int
cmd_export(struct cli *cli, int argc, char **argv)
{
	const char *format = NULL, *out_path = NULL, *to = NULL, *by = NULL;
	const char *round_id = NULL;
	int for_sheet = 0;
	struct cartel_pfif_opts popts = {0};
	int pfif_opt = 0; /* an option of the PFIF export was given */
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
		} else if (strcmp(a, "--to") == 0 || strcmp(a, "--by") == 0) {
			if (i + 1 >= argc)
				return cli_usage("export", "%s needs a value",
						 a);
			if (a[2] == 't')
				to = argv[++i];
			else
				by = argv[++i];
		} else if (strcmp(a, "--round") == 0) {
			if (i + 1 >= argc)
				return cli_usage("export",
						 "%s needs a round id", a);
			round_id = argv[++i];
		} else if (strcmp(a, "--for-spreadsheet") == 0) {
			for_sheet = 1;
		} else if (strcmp(a, "--include-captives") == 0) {
			popts.include_captives = 1;
			pfif_opt = 1;
		} else if (strcmp(a, "--domain") == 0 ||
			   strcmp(a, "--since") == 0 ||
			   strcmp(a, "--with") == 0) {
			if (i + 1 >= argc)
				return cli_usage("export", "%s needs a value",
						 a);
			const char *v = argv[++i];
			pfif_opt = 1;
			if (strcmp(a, "--domain") == 0)
				popts.domain = v;
			else if (strcmp(a, "--since") == 0)
				popts.since = v;
			else if (cartel_pfif_with_parse(v, &popts.with,
							NULL) != 0)
				return cli_usage("export",
						 "--with: a comma-separated "
						 "list of health, legal_hold, "
						 "notes");
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
		return cli_usage("export", "usage: cartel export "
					   "csv|json|xlsx|pfif [-o FILE] "
					   "[--to WHOM]");
	int csv = strcmp(format, "csv") == 0;
	int xlsx = strcmp(format, "xlsx") == 0;
	int pfif = strcmp(format, "pfif") == 0;
	if (!csv && !xlsx && !pfif && strcmp(format, "json") != 0)
		return cli_usage("export",
				 "unknown format '%s' (csv, json, xlsx or "
				 "pfif)",
				 format);
	if (!pfif && pfif_opt)
		return cli_usage("export",
				 "--domain, --since, --with and "
				 "--include-captives are for pfif");
	if (round_id != NULL && !xlsx)
		return cli_usage("export", "--round is for xlsx");
	if (xlsx && (out_path == NULL || strcmp(out_path, "-") == 0))
		return cli_usage("export", "a workbook needs -o FILE.xlsx");

	if (for_sheet && !csv)
		return cli_usage("export", "--for-spreadsheet is for csv");

	/* Read-write: the transfer is recorded in the register. */
	struct cartel_db *db;
	int rc = cli_open_db(cli, 0, &db);
	if (rc != 0)
		return rc;
	char *why = NULL;
	long long n = 0;
	if (xlsx) {
		char sha[CARTEL_SHA256_HEX];
		int err = round_id != NULL
				  ? cartel_export_xlsx_round(db, round_id,
							     out_path, &n, sha,
							     &why)
				  : cartel_export_xlsx(db, out_path, &n, sha,
						       &why);
		if (err != 0) {
			cartel_db_close(db);
			return cli_error(err, why, "export");
		}
		rc = cli_transfer(db, "xlsx", n, to, by, out_path, sha);
		if (rc != 0)
			remove(out_path); /* a regular file: nothing leaves
					   * without its record */
		cartel_db_close(db);
		return rc != 0 ? EXIT_FAIL : EXIT_OK;
	}
	struct cli_out out;
	if (cli_out_open(&out, out_path, CLI_OUT_HASH) != 0) {
		cartel_db_close(db);
		return EXIT_FAIL;
	}
	struct cartel_export_opts eo = {for_sheet};
	struct cartel_pfif_counts counts = {0};
	int err = pfif ? cartel_export_pfif(db, out.fp, &popts, &counts, &why)
		  : csv ? cartel_export_csv_opts(db, out.fp, &eo, &n, &why)
			: cartel_export_json_n(db, out.fp, &n, &why);
	n = pfif ? (long long)counts.persons : n;
	if (cli_out_close(&out, err == 0) != 0 && err == 0) {
		cartel_db_close(db);
		return EXIT_FAIL;
	}
	if (err != 0) {
		cartel_db_close(db);
		return cli_error(err, why, "export");
	}
	/* What was left out, on the standard error: the standard output
	 * may be the document itself. */
	if (pfif && !cli->quiet)
		fprintf(stderr,
			"pfif: %zu persons and %zu notes written; %zu persons "
			"in custody withheld (--include-captives), %zu "
			"without a name left out\n",
			counts.persons, counts.notes, counts.withheld,
			counts.unnamed);
	rc = cli_transfer(db, pfif ? "pfif" : csv ? "csv" : "json", n, to, by,
			  out_path, out.sha256);
	struct stat sb;
	if (rc != 0 && out_path != NULL && strcmp(out_path, "-") != 0 &&
	    lstat(out_path, &sb) == 0 && S_ISREG(sb.st_mode))
		remove(out_path); /* nothing leaves without its record */
	cartel_db_close(db);
	return rc != 0 ? EXIT_FAIL : EXIT_OK;
}
