/*
 * The cartel command: global options, then one command from the table.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cartel/cartel.h>

#include "cli.h"

/*
 * The command table. Usage texts are what `cartel help NAME` prints; keep
 * them in step with docs/cartel.1.
 */
static const struct cli_command commands[] = {
	/* CARTEL_COMMANDS_BEGIN (one row per command, in help order) */
	/* CARTEL_COMMANDS_END */
	{NULL, NULL, NULL, NULL},
};

int
cli_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("cartel: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return EXIT_FAIL;
}

int
cli_usage(const char *name, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "cartel %s: ", name);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n(see 'cartel help %s')\n", name);
	va_end(ap);
	return EXIT_USAGE;
}

int
cli_error(int err, char *why, const char *doing)
{
	if (why != NULL)
		fprintf(stderr, "cartel: %s: %s\n", doing, why);
	else
		fprintf(stderr, "cartel: %s: %s\n", doing,
			cartel_strerror(err));
	free(why);
	return EXIT_FAIL;
}

static const struct cli_command *
find(const char *name)
{
	for (const struct cli_command *c = commands; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static void
overview(FILE *fp)
{
	fputs("usage: cartel [--db PATH] [--json] COMMAND [ARGS...]\n"
	      "\n"
	      "The register of prisoners of war held by each side, matching "
	      "across\nscripts and spellings, exchange rounds and signed "
	      "lists.\n\n"
	      "Global options:\n"
	      "  --db PATH   the register (default $CARTEL_DB, else "
	      "./cartel.db)\n"
	      "  --json      machine-readable output where a command has it\n"
	      "  --help      this text;  --version  the version\n\n"
	      "Commands:\n",
	      fp);
	for (const struct cli_command *c = commands; c->name != NULL; c++)
		fprintf(fp, "  %-10s %s\n", c->name, c->summary);
	fputs("\nRun 'cartel help COMMAND' for one command; 'man cartel' "
	      "for all.\n"
	      "Exit status: 0 success, 1 failure, 2 usage error.\n",
	      fp);
}

static int
help(const char *name)
{
	if (name == NULL) {
		overview(stdout);
		return EXIT_OK;
	}
	const struct cli_command *c = find(name);
	if (c == NULL) {
		fprintf(stderr, "cartel: no command '%s' (see 'cartel "
				"--help')\n", name);
		return EXIT_USAGE;
	}
	fputs(c->usage, stdout);
	return EXIT_OK;
}

int
main(int argc, char **argv)
{
	struct cli cli = {NULL, 0, argv[0]};
	cli.db_path = getenv("CARTEL_DB");
	if (cli.db_path == NULL || cli.db_path[0] == '\0')
		cli.db_path = "cartel.db";

	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--db") == 0) {
			if (i + 1 >= argc) {
				fputs("cartel: --db needs a path\n", stderr);
				return EXIT_USAGE;
			}
			cli.db_path = argv[++i];
		} else if (strncmp(a, "--db=", 5) == 0) {
			cli.db_path = a + 5;
		} else if (strcmp(a, "--json") == 0) {
			cli.json = 1;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			return help(NULL);
		} else if (strcmp(a, "--version") == 0) {
			printf("cartel %s\n", CARTEL_VERSION);
			return EXIT_OK;
		} else {
			fprintf(stderr, "cartel: unknown option '%s' (see "
					"'cartel --help')\n", a);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		overview(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[i], "help") == 0)
		return help(i + 1 < argc ? argv[i + 1] : NULL);
	const struct cli_command *c = find(argv[i]);
	if (c == NULL) {
		fprintf(stderr, "cartel: no command '%s' (see 'cartel "
				"--help')\n", argv[i]);
		return EXIT_USAGE;
	}
	/* Commands take --help too, and --db/--json after their name. */
	for (int k = i + 1; k < argc; k++)
		if (strcmp(argv[k], "--help") == 0)
			return help(c->name);
	return c->fn(&cli, argc - i, argv + i);
}
