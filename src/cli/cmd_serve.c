/*
 * cartel user and cartel serve: the accounts of the server, and the
 * server itself (src/server). Only argument parsing here; the rules are
 * in <cartel/account.h>.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include <cartel/account.h>
#include <cartel/cartel.h>

#include "cli.h"

/* A role as a person reads it; the accounts keep the code. */
static const char *const role_codes[] = {
	NC_("role", "admin"), NC_("role", "registrar"),
	NC_("role", "mediator"), NC_("role", "hotline"), NULL};

int
cmd_serve(struct cli *cli, int argc, char **argv)
{
	return server_main(argc, argv, cli->db_path);
}

/* One line from standard input, without its newline, into buf. Returns
 * its length, or -1 when it is too long or missing. */
static long
read_password(char *buf, size_t size)
{
	if (fgets(buf, (int)size, stdin) == NULL)
		return -1;
	size_t n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	else if (!feof(stdin))
		return -1;
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	return (long)n;
}

int
cmd_user(struct cli *cli, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage("user", "add, list, disable or password?");
	const char *sub = argv[1], *name = NULL, *role = NULL, *party = NULL;
	const char *by = getenv("USER");
	for (int i = 2; i < argc; i++) {
		int r = cli_common_opt(cli, "user", argc, argv, &i);
		if (r == 1)
			continue;
		if (r != 0)
			return r;
		int more = i + 1 < argc;
		if (strcmp(argv[i], "--role") == 0 && more)
			role = argv[++i];
		else if (strcmp(argv[i], "--party") == 0 && more)
			party = argv[++i];
		else if (strcmp(argv[i], "--by") == 0 && more)
			by = argv[++i];
		else if (argv[i][0] != '-' && name == NULL)
			name = argv[i];
		else
			return cli_usage("user", "unexpected argument '%s'",
					 argv[i]);
	}
	if (by == NULL || by[0] == '\0')
		by = "admin";
	int list = strcmp(sub, "list") == 0;
	if (!list && strcmp(sub, "add") != 0 && strcmp(sub, "disable") != 0 &&
	    strcmp(sub, "password") != 0)
		return cli_usage("user", "unknown subcommand '%s'", sub);
	if (!list && name == NULL)
		return cli_usage("user", "%s needs a user name", sub);
	enum cartel_role rl = CARTEL_ROLE_HOTLINE;
	char *why = NULL;
	if (strcmp(sub, "add") == 0) {
		if (role == NULL)
			return cli_usage("user", "add needs --role");
		if (cartel_role_parse(role, &rl, &why) != 0) {
			int rc = cli_usage("user", "--role: %s", why);
			free(why);
			return rc;
		}
	}
	char pw[CARTEL_PASSWORD_MAX + 2];
	long pw_len = 0;
	if (strcmp(sub, "add") == 0 || strcmp(sub, "password") == 0) {
		pw_len = read_password(pw, sizeof pw);
		if (pw_len < 0)
			return cli_fail("%s: give the password on standard "
					"input, one line of at most %d bytes",
					sub, CARTEL_PASSWORD_MAX);
	}
	struct cartel_db *db;
	int rc = cli_open_db(cli, 0, &db);
	if (rc != 0) {
		sodium_memzero(pw, sizeof pw);
		return rc;
	}
	int err = 0;
	if (list) {
		struct cartel_user *v = NULL;
		size_t n = 0;
		err = cartel_user_list(db, &v, &n, &why);
		if (err == 0 && cli->json) {
			json_t *a = json_array();
			for (size_t i = 0; a && i < n; i++)
				json_array_append_new(a, cartel_user_json(&v[i]));
			json_dumpf(a, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
			fputc('\n', stdout);
			json_decref(a);
		} else if (err == 0) {
			for (size_t i = 0; i < n; i++) {
				const char *rname = cli_code(
					"role", role_codes,
					cartel_role_name(v[i].role));
				const char *state = v[i].disabled
							    ? _("disabled")
							    : _("active");
				printf("%-*s %-*s %-6s %s\n",
				       cli_w(cli_t(v[i].name), 20),
				       cli_t(v[i].name), cli_w(rname, 10), rname,
				       v[i].party ? cli_t(v[i].party) : "-",
				       state);
			}
		}
		cartel_users_free(v, n);
	} else if (strcmp(sub, "add") == 0) {
		err = cartel_user_add(db, name, rl, party, pw, (size_t)pw_len,
				      by, &why);
		if (err == 0)
			printf(_("user %s added (%s)\n"), cli_t(name),
			       cli_code("role", role_codes,
					cartel_role_name(rl)));
	} else if (strcmp(sub, "disable") == 0) {
		err = cartel_user_disable(db, name, by, &why);
		if (err == 0)
			printf(_("user %s disabled\n"), cli_t(name));
	} else {
		err = cartel_user_password(db, name, pw, (size_t)pw_len, by,
					   &why);
		if (err == 0)
			printf(_("password of %s changed\n"), cli_t(name));
	}
	sodium_memzero(pw, sizeof pw);
	cartel_db_close(db);
	if (err != 0)
		return cli_error(err, why, "user");
	return EXIT_OK;
}
