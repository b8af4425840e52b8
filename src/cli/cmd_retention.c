/*
 * cartel retention set|show and cartel purge --due: how long closed cases
 * keep their personal data, and the purge that redacts them once that time
 * has passed (docs/backup.md). Output names ids, statuses and dates only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <cartel/cartel.h>
#include <cartel/retention.h>
#include <cartel/store.h>

#include "cli.h"

/* --today DATE (a full date), else CARTEL_TODAY, else today. */
static int
parse_today(const char *cmd, const char *text, struct cartel_date *d)
{
	if (text == NULL) {
		*d = cartel_date_today();
		return 0;
	}
	if (cartel_date_parse(text, d, NULL) != 0 || d->day == 0)
		return cli_usage(cmd, "--today needs a full date (YYYY-MM-DD)");
	return 0;
}

static json_t *
item_json(const struct cartel_retention_item *it)
{
	char c[16], d[16];
	json_t *o = json_pack("{s:s, s:s, s:s}", "id", it->id, "status",
			      cartel_enum_name(CARTEL_ENUM_STATUS,
					       (int)it->status),
			      "closed_on",
			      cartel_date_format(&it->closed_on, c, sizeof c));
	if (o == NULL)
		return NULL;
	json_object_set_new(o, "retain_until",
			    cartel_date_known(&it->due_on)
				    ? json_string(cartel_date_format(
					      &it->due_on, d, sizeof d))
				    : json_null());
	json_object_set_new(o, "legal_hold", json_boolean(it->legal_hold));
	json_object_set_new(o, "redacted", json_boolean(it->redacted));
	json_object_set_new(o, "due", json_boolean(it->due));
	return o;
}

static void
dump_json(json_t *o)
{
	if (o == NULL)
		return;
	json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(o);
}

static int
retention_show(struct cli *cli, struct cartel_db *db,
	       const struct cartel_date *today)
{
	struct cartel_retention_rule *rules;
	size_t n_rules;
	struct cartel_retention_item *items = NULL;
	size_t n_items = 0;
	char *why = NULL;
	int err = cartel_retention_rules(db, &rules, &n_rules, &why);
	if (err != 0)
		return cli_error(err, why, "retention show");
	err = cartel_retention_list(db, today, &items, &n_items, &why);
	if (err != 0) {
		free(rules);
		return cli_error(err, why, "retention show");
	}
	char t[16], c[16], d[16];
	if (cli->json) {
		json_t *o = json_object(), *jr = json_array(),
		       *ji = json_array();
		for (size_t i = 0; i < n_rules; i++)
			json_array_append_new(
				jr, json_pack("{s:s, s:s, s:s, s:s}", "status",
					      cartel_enum_name(
						      CARTEL_ENUM_STATUS,
						      (int)rules[i].status),
					      "period", rules[i].period,
					      "set_at", rules[i].set_at,
					      "set_by", rules[i].set_by));
		for (size_t i = 0; i < n_items; i++)
			json_array_append_new(ji, item_json(&items[i]));
		json_object_set_new(
			o, "today",
			json_string(cartel_date_format(today, t, sizeof t)));
		json_object_set_new(o, "rules", jr);
		json_object_set_new(o, "closed", ji);
		dump_json(o);
	} else {
		printf("%s\n", _("retention rules (kept when none):"));
		if (n_rules == 0)
			printf("  %s\n", _("none: every closed case is kept"));
		for (size_t i = 0; i < n_rules; i++) {
			const char *st = cli_enum(CARTEL_ENUM_STATUS,
						  (int)rules[i].status);
			printf("  %-*s ", cli_w(st, 12), st);
			printf(_("%s after closing (set %s by %s)\n"),
			       rules[i].period, rules[i].set_at,
			       cli_t(rules[i].set_by));
		}
		size_t n_due = 0, n_red = 0;
		printf(_("closed cases as of %s:\n"),
		       cartel_date_format(today, t, sizeof t));
		for (size_t i = 0; i < n_items; i++) {
			const struct cartel_retention_item *it = &items[i];
			n_due += it->due != 0;
			n_red += it->redacted != 0;
			const char *st = cli_enum(CARTEL_ENUM_STATUS,
						  (int)it->status);
			printf("  %-16s %-*s ", it->id, cli_w(st, 12), st);
			/* TRANSLATORS: the date a case closed, then what
			 * becomes of it ("kept until 2031-01-01"). */
			printf(_("closed %-10s  %s%s\n"),
			       cartel_date_format(&it->closed_on, c, sizeof c),
			       it->redacted ? _("redacted")
			       : it->legal_hold ? _("kept (legal hold)")
			       : !cartel_date_known(&it->due_on)
				       ? _("kept (no rule)")
			       : it->due ? _("due since ")
					 : _("kept until "),
			       !it->redacted && !it->legal_hold &&
					       cartel_date_known(&it->due_on)
				       ? cartel_date_format(&it->due_on, d,
							    sizeof d)
				       : "");
		}
		printf(_("(%zu closed, %zu due, %zu redacted)\n"), n_items, n_due,
		       n_red);
	}
	free(rules);
	cartel_retention_items_free(items, n_items);
	return EXIT_OK;
}

int
cmd_retention(struct cli *cli, int argc, char **argv)
{
	const char *sub = NULL, *by = NULL, *today_s = NULL;
	const char *args[2] = {NULL, NULL};
	int n_args = 0;
	for (int i = 1; i < argc; i++) {
		int r = cli_common_opt(cli, "retention", argc, argv, &i);
		if (r == 1)
			continue;
		if (r != 0)
			return r;
		const char *a = argv[i];
		if (strcmp(a, "--by") == 0 || strcmp(a, "--today") == 0) {
			if (i + 1 >= argc)
				return cli_usage("retention", "%s needs a value",
						 a);
			if (a[2] == 'b')
				by = argv[++i];
			else
				today_s = argv[++i];
		} else if (a[0] == '-' && a[1] != '\0') {
			return cli_usage("retention", "unknown option '%s'", a);
		} else if (sub == NULL) {
			sub = a;
		} else if (n_args < 2) {
			args[n_args++] = a;
		} else {
			return cli_usage("retention",
					 "unexpected argument '%s'", a);
		}
	}
	struct cartel_date today;
	int rc = parse_today("retention", today_s, &today);
	if (rc != 0)
		return rc;
	if (sub != NULL && strcmp(sub, "show") == 0 && n_args == 0) {
		struct cartel_db *db;
		rc = cli_open_db(cli, CARTEL_DB_READONLY, &db);
		if (rc != 0)
			return rc;
		rc = retention_show(cli, db, &today);
		cartel_db_close(db);
		return rc;
	}
	if (sub == NULL || strcmp(sub, "set") != 0 || n_args != 2)
		return cli_usage("retention",
				 "usage: cartel retention set STATUS[,STATUS] "
				 "PERIOD --by WHO | show");
	/* Each status named must be one a case closes with. */
	int statuses[3], n_st = 0;
	for (const char *s = args[0]; *s != '\0';) {
		const char *comma = strchr(s, ',');
		size_t len = comma != NULL ? (size_t)(comma - s) : strlen(s);
		char name[32];
		int v = -1;
		if (len < sizeof name) {
			memcpy(name, s, len);
			name[len] = '\0';
			if (cartel_enum_parse(CARTEL_ENUM_STATUS, name, &v,
					      NULL) != 0)
				v = -1;
		}
		if ((v != CARTEL_STATUS_REPATRIATED &&
		     v != CARTEL_STATUS_RELEASED &&
		     v != CARTEL_STATUS_DECEASED) ||
		    n_st == 3)
			return cli_usage("retention",
					 "STATUS is repatriated, released or "
					 "deceased (comma-separated)");
		statuses[n_st++] = v;
		s += len;
		if (*s == ',')
			s++;
	}
	if (n_st == 0)
		return cli_usage("retention", "which status?");
	struct cartel_db *db;
	rc = cli_open_db(cli, 0, &db);
	if (rc != 0)
		return rc;
	char *why = NULL;
	int err = cartel_db_begin(db, &why);
	for (int i = 0; err == 0 && i < n_st; i++)
		err = cartel_retention_set(db, (enum cartel_status)statuses[i],
					   args[1], cli_actor(by), &why);
	if (err == 0)
		err = cartel_db_commit(db, &why);
	else
		cartel_db_rollback(db);
	cartel_db_close(db);
	if (err != 0)
		return cli_error(err, why, "retention set");
	printf(_("retention set: %s %s\n"), args[0], args[1]);
	return EXIT_OK;
}

int
cmd_purge(struct cli *cli, int argc, char **argv)
{
	const char *by = NULL, *today_s = NULL;
	int due = 0, dry = 0;
	for (int i = 1; i < argc; i++) {
		int r = cli_common_opt(cli, "purge", argc, argv, &i);
		if (r == 1)
			continue;
		if (r != 0)
			return r;
		const char *a = argv[i];
		if (strcmp(a, "--due") == 0) {
			due = 1;
		} else if (strcmp(a, "--dry-run") == 0) {
			dry = 1;
		} else if (strcmp(a, "--by") == 0 || strcmp(a, "--today") == 0) {
			if (i + 1 >= argc)
				return cli_usage("purge", "%s needs a value", a);
			if (a[2] == 'b')
				by = argv[++i];
			else
				today_s = argv[++i];
		} else {
			return cli_usage("purge", "unexpected argument '%s'", a);
		}
	}
	if (!due)
		return cli_usage("purge", "say --due: only cases past their "
					  "retention date are purged");
	struct cartel_date today;
	int rc = parse_today("purge", today_s, &today);
	if (rc != 0)
		return rc;
	struct cartel_db *db;
	rc = cli_open_db(cli, dry ? CARTEL_DB_READONLY : 0, &db);
	if (rc != 0)
		return rc;
	struct cartel_purge_result res;
	char *why = NULL;
	int err = cartel_purge_due(db, &today, dry, cli_actor(by), &res, &why);
	cartel_db_close(db);
	if (err != 0)
		return cli_error(err, why, "purge (nothing was redacted)");
	char t[16], c[16], d[16];
	if (cli->json) {
		json_t *o = json_object(), *ji = json_array();
		for (size_t i = 0; i < res.n_items; i++)
			json_array_append_new(ji, item_json(&res.items[i]));
		json_object_set_new(o, "dry_run", json_boolean(dry));
		json_object_set_new(
			o, "today",
			json_string(cartel_date_format(&today, t, sizeof t)));
		json_object_set_new(o, "persons", ji);
		json_object_set_new(o, "events", json_integer(res.n_events));
		if (res.audit_seq != 0)
			json_object_set_new(o, "audit_entry",
					    json_integer(res.audit_seq));
		if (!dry && res.n_items > 0)
			json_object_set_new(o, "wal_cleared",
					    json_boolean(res.wal_cleared));
		dump_json(o);
	} else {
		for (size_t i = 0; i < res.n_items; i++)
			/* TRANSLATORS: due or redacted, the id, the status,
			 * the date closed, the date due. */
			printf(_("%s %-16s %-12s closed %s, due %s\n"),
			       dry ? C_("purge", "due") : _("redacted"),
			       res.items[i].id,
			       cli_enum(CARTEL_ENUM_STATUS,
					(int)res.items[i].status),
			       cartel_date_format(&res.items[i].closed_on, c,
						  sizeof c),
			       cartel_date_format(&res.items[i].due_on, d,
						  sizeof d));
		if (dry)
			printf(cartel_ngettext("%zu persons due as of %s (dry "
					       "run: nothing redacted)\n",
					       "%zu persons due as of %s (dry "
					       "run: nothing redacted)\n",
					       res.n_items),
			       res.n_items,
			       cartel_date_format(&today, t, sizeof t));
		else if (res.n_items == 0)
			printf(_("nothing due as of %s\n"),
			       cartel_date_format(&today, t, sizeof t));
		else
			printf(cartel_ngettext("%zu persons redacted (%lld "
					       "events) as of %s; audit entry "
					       "%lld\n",
					       "%zu persons redacted (%lld "
					       "events) as of %s; audit entry "
					       "%lld\n",
					       res.n_items),
			       res.n_items, res.n_events,
			       cartel_date_format(&today, t, sizeof t),
			       res.audit_seq);
		if (!dry && res.n_items > 0 && !res.wal_cleared)
			fprintf(stderr,
				_("cartel: purge: another process has the "
				  "register open, so the WAL still holds the "
				  "erased pages until its next checkpoint\n"));
	}
	cartel_purge_result_clear(&res);
	return EXIT_OK;
}
