/*
 * Three registers (docs/protocol.md): cartel owner (whose register this
 * is), cartel declare (a party's signed lists of whom it holds and whom it
 * seeks) and cartel receive (a declaration from another register).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <cartel/cartel.h>
#include <cartel/declaration.h>
#include <cartel/round.h>
#include <cartel/store.h>

#include "cli.h"

/* Prints the owner as `cartel owner` and `stats` show it. */
void
cli_owner_print(const struct cartel_owner *o)
{
	if (o->role == CARTEL_OWNER_NONE)
		printf("%s\n", _("Owner: none (a shared working register)"));
	else
		printf(_("Owner: %s %s\n"), cartel_owner_role_name(o->role),
		       cli_t(o->name));
}

json_t *
cli_owner_json(const struct cartel_owner *o)
{
	if (o->role == CARTEL_OWNER_NONE)
		return json_null();
	return json_pack("{s:s, s:s, s:s, s:s}", "role",
			 cartel_owner_role_name(o->role), "name", o->name,
			 "set_at", o->set_at, "set_by", o->set_by);
}

int
cli_owner_set(struct cli *cli, struct cartel_db *db, const char *party,
	      const char *mediator, const char *by)
{
	(void)cli;
	char *why = NULL;
	int err = cartel_owner_set(db,
				   party ? CARTEL_OWNER_PARTY
					 : CARTEL_OWNER_MEDIATOR,
				   party ? party : mediator, cli_actor(by),
				   &why);
	if (err)
		return cli_error(err, why, "setting the owner");
	return 0;
}

int
cmd_owner(struct cli *cli, int argc, char **argv)
{
	const char *party = NULL, *mediator = NULL, *by = NULL;
	int set = 0;
	for (int i = 1; i < argc; i++) {
		int r = cli_common_opt(cli, "owner", argc, argv, &i);
		if (r == 1)
			continue;
		if (r != 0)
			return r;
		if (i == 1 && strcmp(argv[i], "set") == 0)
			set = 1;
		else if (i == 1 && strcmp(argv[i], "show") == 0)
			set = 0;
		else if (strcmp(argv[i], "--party") == 0 && i + 1 < argc)
			party = argv[++i];
		else if (strcmp(argv[i], "--mediator") == 0 && i + 1 < argc)
			mediator = argv[++i];
		else if (strcmp(argv[i], "--by") == 0 && i + 1 < argc)
			by = argv[++i];
		else
			return cli_usage("owner", "unexpected argument '%s'",
					 argv[i]);
	}
	if (set && (party == NULL) == (mediator == NULL))
		return cli_usage("owner",
				 "owner set takes one of --party CODE or "
				 "--mediator NAME");
	if (!set && (party || mediator))
		return cli_usage("owner", "--party and --mediator go with "
					  "'owner set'");
	struct cartel_db *db;
	int rc = cli_open_db(cli, set ? 0 : CARTEL_DB_READONLY, &db);
	if (rc)
		return rc;
	if (set)
		rc = cli_owner_set(cli, db, party, mediator, by);
	struct cartel_owner o;
	char *why = NULL;
	int err = rc ? 0 : cartel_owner_get(db, &o, &why);
	cartel_db_close(db);
	if (rc)
		return rc;
	if (err)
		return cli_error(err, why, "reading the owner");
	if (cli->json) {
		json_t *j = json_pack("{s:o}", "owner", cli_owner_json(&o));
		if (j == NULL)
			return cli_fail("out of memory");
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(j);
	} else {
		cli_owner_print(&o);
	}
	return EXIT_OK;
}

/* Splits a comma-separated list in place into a new NULL-terminated
 * array; NULL when out of memory. */
static const char **
split_list(char *s, size_t *n)
{
	size_t cap = 1;
	for (const char *c = s; *c; c++)
		cap += *c == ',';
	const char **v = calloc(cap + 1, sizeof *v);
	if (v == NULL)
		return NULL;
	*n = 0;
	char *p = s;
	for (;;) {
		char *comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		if (*p)
			v[(*n)++] = p;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	return v;
}

int
cmd_declare(struct cli *cli, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage("declare", "which declaration: held or sought");
	struct cartel_declare_opts o;
	memset(&o, 0, sizeof o);
	char *why = NULL;
	if (cartel_decl_kind_parse(argv[1], &o.kind, &why)) {
		int r = cli_usage("declare", "%s", why);
		free(why);
		return r;
	}
	const char *out = NULL, *keyfile = NULL, *by = NULL, *to = NULL;
	char *fields = NULL;
	for (int i = 2; i < argc; i++) {
		int r = cli_common_opt(cli, "declare", argc, argv, &i);
		if (r == 1)
			continue;
		if (r != 0)
			return r;
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (strcmp(argv[i], "--key") == 0 && i + 1 < argc)
			keyfile = argv[++i];
		else if (strcmp(argv[i], "--fields") == 0 && i + 1 < argc)
			fields = argv[++i];
		else if (strcmp(argv[i], "--as-of") == 0 && i + 1 < argc)
			o.as_of = argv[++i];
		else if (strcmp(argv[i], "--to") == 0 && i + 1 < argc)
			to = argv[++i];
		else if (strcmp(argv[i], "--by") == 0 && i + 1 < argc)
			by = argv[++i];
		else
			return cli_usage("declare", "unexpected argument '%s'",
					 argv[i]);
	}
	if (out == NULL || keyfile == NULL)
		return cli_usage("declare", "-o FILE and --key KEYFILE are "
					    "required");
	const char **fv = NULL;
	if (fields != NULL) {
		fv = split_list(fields, &o.n_fields);
		if (fv == NULL)
			return cli_fail("out of memory");
		o.fields = fv;
	}
	struct cartel_key key;
	int err = cartel_key_load(&key, keyfile, &why);
	if (err) {
		free(fv);
		return cli_error(err, why, "reading the key");
	}
	o.key = &key;
	o.actor = cli_actor(by);
	struct cartel_db *db;
	int rc = cli_open_db(cli, 0, &db);
	if (rc) {
		cartel_key_wipe(&key);
		free(fv);
		return rc;
	}
	struct cartel_declare_result res;
	err = cartel_declare(db, &o, out, &res, &why);
	cartel_key_wipe(&key);
	free(fv);
	if (err) {
		cartel_db_close(db);
		return cli_error(err, why, "declare");
	}
	rc = cli_transfer(db, "declaration", (long long)res.n_persons, to, by,
			  out, NULL);
	cartel_db_close(db);
	if (rc)
		return rc;
	if (cli->json) {
		json_t *j = json_pack("{s:s, s:s, s:I, s:I, s:s}", "file", out,
				      "kind", cartel_decl_kind_name(o.kind),
				      "sequence", (json_int_t)res.sequence,
				      "persons", (json_int_t)res.n_persons,
				      "digest", res.digest);
		if (j == NULL)
			return cli_fail("out of memory");
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(j);
	} else {
		printf("wrote %s: %s declaration number %ld, %zu persons, "
		       "digest %s\n",
		       cli_t(out), cartel_decl_kind_name(o.kind), res.sequence,
		       res.n_persons, res.digest);
	}
	return EXIT_OK;
}

/* Lines of ids printed per kind of change before the rest is counted. */
#define LIST_MAX 1000

int
cmd_receive(struct cli *cli, int argc, char **argv)
{
	const char *file = NULL, *by = NULL;
	char *fields = NULL;
	for (int i = 1; i < argc; i++) {
		int r = cli_common_opt(cli, "receive", argc, argv, &i);
		if (r == 1)
			continue;
		if (r != 0)
			return r;
		if (strcmp(argv[i], "--by") == 0 && i + 1 < argc)
			by = argv[++i];
		else if (strcmp(argv[i], "--fields") == 0 && i + 1 < argc)
			fields = argv[++i];
		else if (file == NULL && argv[i][0] != '-')
			file = argv[i];
		else
			return cli_usage("receive", "unexpected argument '%s'",
					 argv[i]);
	}
	if (file == NULL)
		return cli_usage("receive", "which declaration file?");
	struct cartel_receive_opts o;
	memset(&o, 0, sizeof o);
	const char **fv = NULL;
	if (fields != NULL) {
		fv = split_list(fields, &o.n_fields);
		if (fv == NULL)
			return cli_fail("out of memory");
		o.fields = fv;
	}
	o.actor = cli_actor(by);
	struct cartel_db *db;
	int rc = cli_open_db(cli, 0, &db);
	if (rc) {
		free(fv);
		return rc;
	}
	struct cartel_receive_result res;
	char *why = NULL;
	struct cli_progress pl;
	o.progress = cli_progress(cli, &pl, "receive");
	o.progress_user = &pl;
	int err = cartel_receive(db, file, &o, &res, &why);
	cli_progress_done(&pl);
	cartel_db_close(db);
	free(fv);
	if (err)
		return cli_error(err, why, "receive");
	if (cli->json) {
		char *text = NULL;
		err = cartel_receive_result_json(&res, &text, &why);
		if (err) {
			cartel_receive_result_clear(&res);
			return cli_error(err, why, "receive");
		}
		fputs(text, stdout);
		fputc('\n', stdout);
		free(text);
		cartel_receive_result_clear(&res);
		return EXIT_OK;
	}
	printf("received %s: %s's %s declaration number %ld as of %s, %zu "
	       "persons\n",
	       cli_t(file), cli_t(res.party), cartel_decl_kind_name(res.kind),
	       res.sequence, res.as_of, res.n_persons);
	printf("digest %s%s%s\n", res.digest,
	       res.previous[0] ? ", supersedes " : "", res.previous);
	printf("added %zu, dropped %zu, changed %zu, returned %zu, "
	       "unchanged %zu\n",
	       res.n_added, res.n_dropped, res.n_changed, res.n_returned,
	       res.n_unchanged);
	size_t shown[4] = {0, 0, 0, 0}, total[4] = {0, 0, 0, 0};
	for (size_t i = 0; i < res.n_entries; i++) {
		const struct cartel_decl_diff_entry *e = &res.entries[i];
		total[e->change]++;
		if (shown[e->change] >= LIST_MAX)
			continue;
		shown[e->change]++;
		printf("  %-8s %s\n", cartel_decl_change_name(e->change),
		       cli_t(e->their_id));
	}
	for (int c = 0; c < 4; c++)
		if (total[c] > shown[c])
			printf("  (%zu more %s; --json lists all)\n",
			       total[c] - shown[c],
			       cartel_decl_change_name(
				       (enum cartel_decl_change)c));
	cartel_receive_result_clear(&res);
	return EXIT_OK;
}
