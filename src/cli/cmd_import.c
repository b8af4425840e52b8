/*
 * cartel import csv FILE|- and cartel import xlsx FILE [--sheet NAME]:
 * load a list into the register.
 *
 * Rejected rows go to a reject file (row, column, reason): by default
 * FILE.rejects.csv next to the input (import.rejects.csv in the current
 * folder for standard input), written only when some row was rejected.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <cartel/cartel.h>
#include <cartel/store.h>
#include <cartel/xlsx.h>

#include "cli.h"

static int
print_result(struct cli *cli, const char *file, const char *rejects_path,
	     const struct cartel_import_result *res, int ok, int update)
{
	if (cli->json) {
		json_t *u = json_array();
		for (size_t i = 0; u != NULL && i < res->n_unknown; i++)
			json_array_append_new(
				u, json_string(res->unknown_columns[i]));
		json_t *o = json_pack("{s:s, s:b, s:I, s:I, s:I, s:s?, s:o}",
				      "file", file, "ok", ok, "rows_read",
				      (json_int_t)res->rows_read, "imported",
				      (json_int_t)res->imported, "rejected",
				      (json_int_t)res->rejected, "rejects_file",
				      res->rejected ? rejects_path : NULL,
				      "unknown_columns", u);
		if (o != NULL && update) {
			json_t *n[3] = {
				json_integer((json_int_t)res->updated),
				json_integer((json_int_t)res->unchanged),
				json_integer((json_int_t)res->events)};
			json_object_set_new(o, "updated", n[0]);
			json_object_set_new(o, "unchanged", n[1]);
			json_object_set_new(o, "events", n[2]);
		}
		if (o == NULL)
			return cli_fail("out of memory");
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(o);
		return 0;
	}
	if (update)
		printf("%s: %zu rows read, %zu persons changed (%zu events), "
		       "%zu unchanged, %zu added, %zu rejected\n",
		       cli_t(file), res->rows_read, res->updated, res->events,
		       res->unchanged, res->imported, res->rejected);
	else
		printf("%s: %zu rows read, %zu imported, %zu rejected\n",
		       cli_t(file), res->rows_read, res->imported,
		       res->rejected);
	if (res->rejected)
		printf("rejected rows (row, column, reason) are in %s\n",
		       cli_t(rejects_path));
	if (res->n_unknown) {
		printf("columns kept as extra attributes:");
		for (size_t i = 0; i < res->n_unknown; i++)
			printf("%s %s", i ? "," : "",
			       cli_t(res->unknown_columns[i]));
		putchar('\n');
	}
	return 0;
}

/* Copies the temporary reject report to path (through <cartel/file.h>:
 * never through a symbolic link); 0 or EXIT_FAIL after saying why. */
static int
copy_rejects(FILE *tmp, const char *path)
{
	struct cli_out out;
	if (cli_out_open(&out, path, 0) != 0)
		return EXIT_FAIL;
	char buf[65536];
	size_t n;
	rewind(tmp);
	while ((n = fread(buf, 1, sizeof buf, tmp)) > 0)
		if (fwrite(buf, 1, n, out.fp) != n)
			break;
	int bad = ferror(tmp) || ferror(out.fp);
	if (bad)
		cli_fail("import: reading the rejected rows back failed");
	int rc = cli_out_close(&out, !bad);
	return bad ? EXIT_FAIL : rc;
}

int
cmd_import(struct cli *cli, int argc, char **argv)
{
	const char *format = NULL, *file = NULL, *rejects_path = NULL,
		   *sheet = NULL;
	struct cartel_import_opts opts = {0};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int r = cli_common_opt(cli, "import", argc, argv, &i);
		if (r == 1)
			continue;
		if (r != 0)
			return r;
		if (strcmp(a, "--all-or-nothing") == 0) {
			opts.all_or_nothing = 1;
		} else if (strcmp(a, "--update") == 0) {
			opts.update = 1;
		} else if (strcmp(a, "--add-new") == 0) {
			opts.add_new = 1;
		} else if (strcmp(a, "--rejects") == 0 ||
			   strcmp(a, "--actor") == 0 ||
			   strcmp(a, "--source") == 0 ||
			   strcmp(a, "--delimiter") == 0 ||
			   strcmp(a, "--sheet") == 0 ||
			   strcmp(a, "--encoding") == 0) {
			if (i + 1 >= argc)
				return cli_usage("import", "%s needs a value",
						 a);
			const char *v = argv[++i];
			if (strcmp(a, "--rejects") == 0) {
				rejects_path = v;
			} else if (strcmp(a, "--sheet") == 0) {
				sheet = v;
			} else if (strcmp(a, "--encoding") == 0) {
				opts.encoding = v;
			} else if (strcmp(a, "--delimiter") == 0) {
				int d = cli_delimiter(v);
				if (d < 0)
					return cli_usage(
						"import",
						"--delimiter: one of , ; tab "
						"(or one punctuation "
						"character)");
				opts.delimiter = d;
			} else if (strcmp(a, "--actor") == 0) {
				opts.actor = v;
			} else {
				int s;
				char *why = NULL;
				if (cartel_enum_parse(CARTEL_ENUM_SOURCE, v, &s,
						      &why) != 0) {
					int rc = cli_usage("import",
							   "--source: %s", why);
					free(why);
					return rc;
				}
				opts.source = (enum cartel_source)s;
				opts.source_set = 1;
			}
		} else if (a[0] == '-' && a[1] == '-') {
			return cli_usage("import", "unknown option '%s'", a);
		} else if (format == NULL) {
			format = a;
		} else if (file == NULL) {
			file = a;
		} else {
			return cli_usage("import", "unexpected argument '%s'",
					 a);
		}
	}
	if (format == NULL || file == NULL)
		return cli_usage("import", "usage: cartel import csv|xlsx "
					   "FILE|-");
	int xlsx = strcmp(format, "xlsx") == 0;
	if (strcmp(format, "csv") != 0 && !xlsx)
		return cli_usage("import", "unknown format '%s' (csv or xlsx)",
				 format);
	if (opts.add_new && !opts.update)
		return cli_usage("import", "--add-new goes with --update");
	if (xlsx && (opts.update || opts.delimiter || opts.encoding))
		return cli_usage("import", "--update, --delimiter and "
					   "--encoding are for csv");
	if (xlsx && strcmp(file, "-") == 0)
		return cli_usage("import", "a workbook is read from a file, "
					   "not standard input");
	if (!xlsx && sheet != NULL)
		return cli_usage("import", "--sheet is for xlsx");

	int from_stdin = strcmp(file, "-") == 0;
	/* A workbook is opened by the library itself. */
	FILE *in = from_stdin ? stdin : fopen(file, "rb");
	if (in == NULL)
		return cli_fail("import: cannot open %s: %s", file,
				strerror(errno));
	char *default_rejects = NULL;
	if (rejects_path == NULL) {
		size_t n = strlen(file) + 16;
		default_rejects = malloc(n);
		if (default_rejects == NULL) {
			if (!from_stdin)
				fclose(in);
			return cli_fail("out of memory");
		}
		snprintf(default_rejects, n, "%s.rejects.csv",
			 from_stdin ? "import" : file);
		rejects_path = default_rejects;
	}
	/* A reject file that could not be written (a symbolic link, a
	 * folder) is refused before the register changes. */
	char *why = NULL;
	int ck = cartel_file_check(rejects_path, 0, &why);
	if (ck != 0) {
		if (!from_stdin)
			fclose(in);
		free(default_rejects);
		return cli_error(ck, why, "import: refused the reject file");
	}
	/* Rejects go to a temporary file first and are copied to their
	 * place only when a row was rejected: a clean import leaves nothing
	 * behind, and needs no write access beside its input. */
	FILE *rej = tmpfile();
	if (rej == NULL) {
		int e = errno;
		if (!from_stdin)
			fclose(in);
		free(default_rejects);
		return cli_fail("import: cannot make a temporary file: %s",
				strerror(e));
	}
	opts.rejects = rej;

	struct cartel_db *db;
	int rc = cli_open_db(cli, 0, &db);
	struct cartel_import_result res = {0};
	int err = 0;
	if (rc == 0) {
		struct cli_progress pl;
		opts.progress = cli_progress(cli, &pl, "import");
		opts.progress_user = &pl;
		if (xlsx)
			err = cartel_import_xlsx(db, file, sheet, &opts, &res,
						 &why);
		else
			err = cartel_import_csv(db, in,
						from_stdin ? "stdin" : file,
						&opts, &res, &why);
		cli_progress_done(&pl);
		cartel_db_close(db);
	}
	if (!from_stdin)
		fclose(in);
	if (rc == 0 && res.rejected > 0 &&
	    copy_rejects(rej, rejects_path) != 0) {
		cli_fail("import: the reject file %s was not written",
			 cli_t(rejects_path));
		if (err == 0)
			err = CARTEL_EIO;
	}
	fclose(rej);
	if (rc == 0) {
		if (err != 0) {
			if (cli->json)
				print_result(cli, file, rejects_path, &res, 0,
					     opts.update);
			rc = cli_error(err, why, "import");
			if (res.rejected && !cli->json)
				fprintf(stderr,
					"cartel: every rejected row is listed "
					"in %s\n",
					cli_t(rejects_path));
		} else {
			print_result(cli, file, rejects_path, &res, 1,
				     opts.update);
			/* Some rows did not make it: say so in the exit
			 * status, although the valid ones are in. */
			rc = res.rejected ? EXIT_FAIL : EXIT_OK;
		}
	}
	cartel_import_result_clear(&res);
	free(default_rejects);
	return rc;
}

/*
 * cartel event import FILE|-: a list of events (person_id, field, value,
 * source, by, at, note, ref) recorded in one transaction; rejected rows go
 * to a reject file as the import's do.
 */
int
cmd_event_import(struct cli *cli, int argc, char **argv)
{
	static const char usage[] =
		"usage: cartel event import FILE|- [--by WHO] [--source KIND] "
		"[--all-or-nothing] [--rejects FILE] [--delimiter D] "
		"[--encoding NAME]";
	const char *file = NULL, *rejects_path = NULL;
	struct cartel_import_opts opts = {0};
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		int r = cli_common_opt(cli, "event", argc, argv, &i);
		if (r == 1)
			continue;
		if (r != 0)
			return r;
		if (strcmp(a, "--all-or-nothing") == 0) {
			opts.all_or_nothing = 1;
		} else if (strcmp(a, "--rejects") == 0 ||
			   strcmp(a, "--by") == 0 ||
			   strcmp(a, "--source") == 0 ||
			   strcmp(a, "--delimiter") == 0 ||
			   strcmp(a, "--encoding") == 0) {
			if (i + 1 >= argc)
				return cli_usage("event", "%s needs a value",
						 a);
			const char *v = argv[++i];
			if (strcmp(a, "--rejects") == 0) {
				rejects_path = v;
			} else if (strcmp(a, "--by") == 0) {
				opts.actor = v;
			} else if (strcmp(a, "--encoding") == 0) {
				opts.encoding = v;
			} else if (strcmp(a, "--delimiter") == 0) {
				int d = cli_delimiter(v);
				if (d < 0)
					return cli_usage(
						"event",
						"--delimiter: one of , ; tab "
						"(or one punctuation "
						"character)");
				opts.delimiter = d;
			} else {
				int s;
				char *why = NULL;
				if (cartel_enum_parse(CARTEL_ENUM_SOURCE, v, &s,
						      &why) != 0) {
					int rc = cli_usage("event",
							   "--source: %s", why);
					free(why);
					return rc;
				}
				opts.source = (enum cartel_source)s;
				opts.source_set = 1;
			}
		} else if (a[0] == '-' && a[1] == '-') {
			return cli_usage("event", "unknown option '%s'", a);
		} else if (file == NULL) {
			file = a;
		} else {
			return cli_usage("event", "unexpected argument '%s'",
					 a);
		}
	}
	if (file == NULL)
		return cli_usage("event", "%s", usage);
	int from_stdin = strcmp(file, "-") == 0;
	FILE *in = from_stdin ? stdin : fopen(file, "rb");
	if (in == NULL)
		return cli_fail("event import: cannot open %s: %s", cli_t(file),
				strerror(errno));
	char *default_rejects = NULL;
	if (rejects_path == NULL) {
		size_t n = strlen(file) + 16;
		default_rejects = malloc(n);
		if (default_rejects == NULL) {
			if (!from_stdin)
				fclose(in);
			return cli_fail("out of memory");
		}
		snprintf(default_rejects, n, "%s.rejects.csv",
			 from_stdin ? "events" : file);
		rejects_path = default_rejects;
	}
	char *why = NULL;
	int ck = cartel_file_check(rejects_path, 0, &why);
	FILE *rej = ck == 0 ? tmpfile() : NULL;
	if (ck != 0 || rej == NULL) {
		if (!from_stdin)
			fclose(in);
		free(default_rejects);
		if (ck != 0)
			return cli_error(ck, why,
					 "event import: refused the reject "
					 "file");
		return cli_fail("event import: cannot make a temporary file");
	}
	opts.rejects = rej;
	struct cartel_db *db;
	int rc = cli_open_db(cli, 0, &db);
	struct cartel_import_result res = {0};
	int err = 0;
	if (rc == 0) {
		struct cli_progress pl;
		opts.progress = cli_progress(cli, &pl, "event import");
		opts.progress_user = &pl;
		err = cartel_event_import_csv(db, in,
					      from_stdin ? "stdin" : file,
					      &opts, &res, &why);
		cli_progress_done(&pl);
		cartel_db_close(db);
	}
	if (!from_stdin)
		fclose(in);
	if (rc == 0 && res.rejected > 0 &&
	    copy_rejects(rej, rejects_path) != 0) {
		cli_fail("event import: the reject file %s was not written",
			 cli_t(rejects_path));
		if (err == 0)
			err = CARTEL_EIO;
	}
	fclose(rej);
	if (rc == 0) {
		if (cli->json) {
			json_t *o = json_pack(
				"{s:s, s:b, s:I, s:I, s:I, s:s?}", "file", file,
				"ok", err == 0, "rows_read",
				(json_int_t)res.rows_read, "recorded",
				(json_int_t)res.events, "rejected",
				(json_int_t)res.rejected, "rejects_file",
				res.rejected ? rejects_path : NULL);
			if (o != NULL) {
				json_dumpf(o, stdout,
					   JSON_INDENT(2) |
						   JSON_PRESERVE_ORDER);
				fputc('\n', stdout);
				json_decref(o);
			}
		}
		if (err != 0) {
			rc = cli_error(err, why, "event import");
			if (res.rejected && !cli->json)
				fprintf(stderr,
					"cartel: every rejected row is listed "
					"in %s\n",
					cli_t(rejects_path));
		} else {
			if (!cli->json) {
				printf("%s: %zu rows read, %zu events "
				       "recorded, %zu rejected\n",
				       cli_t(file), res.rows_read, res.events,
				       res.rejected);
				if (res.rejected)
					printf("rejected rows (row, column, "
					       "reason) are in %s\n",
					       cli_t(rejects_path));
			}
			rc = res.rejected ? EXIT_FAIL : EXIT_OK;
		}
	}
	free(default_rejects);
	return rc;
}
