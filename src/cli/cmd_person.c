/*
 * cartel person add|show|list: one person at a time.
 *
 *   person add FIELD=VALUE... --by WHO --source KIND [--ref TEXT]
 *              [--note TEXT]
 *   person show ID
 *   person list [--held-by PARTY] [--status STATUS]
 *
 * Fields are the import CSV's column names (docs/import.md); a name that is
 * not a field becomes an extra attribute, as an unknown import column does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <cartel/cartel.h>
#include <cartel/json.h>
#include <cartel/merge.h>
#include <cartel/register.h>
#include <cartel/store.h>

#include "cli.h"

/* Options shared by the writing commands: who, on what authority. */
struct prov_opts {
	const char *by, *source, *ref, *note, *at;
};

/* Takes --by/--source/--ref/--note/--at at argv[*i]: 1 taken, 0 not one,
 * or an exit code. */
static int
prov_opt(const char *cmd, struct prov_opts *o, int argc, char **argv, int *i)
{
	const char *a = argv[*i];
	const char **slot = NULL;
	if (strcmp(a, "--by") == 0)
		slot = &o->by;
	else if (strcmp(a, "--source") == 0)
		slot = &o->source;
	else if (strcmp(a, "--ref") == 0)
		slot = &o->ref;
	else if (strcmp(a, "--note") == 0)
		slot = &o->note;
	else if (strcmp(a, "--at") == 0)
		slot = &o->at;
	if (slot == NULL)
		return 0;
	if (*i + 1 >= argc)
		return cli_usage(cmd, "%s needs a value", a);
	*slot = argv[++*i];
	return 1;
}

static int
prov_make(const char *cmd, const struct prov_opts *o,
	  struct cartel_provenance *p)
{
	if (o->by == NULL || o->by[0] == '\0')
		return cli_usage(cmd, "--by WHO is required (who records "
				      "this)");
	if (o->source == NULL)
		return cli_usage(cmd,
				 "--source KIND is required (official_list, "
				 "capture_card, icrc_visit, "
				 "counterpart_list, video_testimony, "
				 "family_report)");
	int s;
	char *why = NULL;
	if (cartel_enum_parse(CARTEL_ENUM_SOURCE, o->source, &s, &why) != 0) {
		int rc = cli_usage(cmd, "--source: %s", why);
		free(why);
		return rc;
	}
	memset(p, 0, sizeof(*p));
	p->actor = o->by;
	p->source = (enum cartel_source)s;
	p->source_ref = o->ref;
	p->note = o->note;
	p->at = o->at;
	return 0;
}

static int
person_add(struct cli *cli, int argc, char **argv)
{
	struct prov_opts po = {0};
	struct cartel_person p = {0};
	int rc = 0;
	for (int i = 2; i < argc && rc == 0; i++) {
		int r = cli_common_opt(cli, "person", argc, argv, &i);
		if (r == 0)
			r = prov_opt("person", &po, argc, argv, &i);
		if (r == 1)
			continue;
		if (r != 0) {
			rc = r;
			break;
		}
		const char *a = argv[i];
		const char *eq = strchr(a, '=');
		if (a[0] == '-' || eq == NULL || eq == a) {
			rc = cli_usage("person",
				       "expected FIELD=VALUE, not "
				       "'%s'",
				       a);
			break;
		}
		char key[64];
		size_t klen = (size_t)(eq - a);
		if (klen >= sizeof key) {
			rc = cli_usage("person", "field name too long");
			break;
		}
		memcpy(key, a, klen);
		key[klen] = '\0';
		const struct cartel_field *f = cartel_field_find(key);
		char *why = NULL;
		int err;
		if (f == NULL)
			err = cartel_person_set_attr(&p, key, eq + 1);
		else
			err = cartel_person_set_field(&p, f, eq + 1, &why);
		if (err != 0) {
			rc = cli_usage("person", "%s",
				       why ? why : cartel_strerror(err));
			free(why);
		}
	}
	struct cartel_provenance prov;
	if (rc == 0)
		rc = prov_make("person", &po, &prov);
	if (rc != 0) {
		cartel_person_clear(&p);
		return rc;
	}
	/* Without a status, a person held by a party is a confirmed
	 * captive, as on import. */
	int status_given = 0;
	for (int i = 2; i < argc; i++)
		if (strncmp(argv[i], "status=", 7) == 0)
			status_given = 1;
	if (!status_given && p.held_by != NULL)
		p.status = CARTEL_STATUS_CONFIRMED_CAPTIVE;

	struct cartel_db *db;
	rc = cli_open_db(cli, 0, &db);
	if (rc != 0) {
		cartel_person_clear(&p);
		return rc;
	}
	char *id = NULL, *why = NULL;
	int err = cartel_person_add(db, &p, &prov, &id, &why);
	cartel_db_close(db);
	cartel_person_clear(&p);
	if (err != 0)
		return cli_error(err, why, "person add");
	if (cli->json) {
		json_t *o = json_pack("{s:s}", "id", id);
		json_dumpf(o, stdout, JSON_COMPACT);
		fputc('\n', stdout);
		json_decref(o);
	} else
		printf("%s\n", cli_t(id));
	free(id);
	return EXIT_OK;
}

static void
print_person(const struct cartel_person *p)
{
	size_t n;
	const struct cartel_field *f = cartel_fields(&n);
	char buf[CARTEL_FIELD_TEXT_MAX];
	/* The values start in one column: after 20, or after the widest
	 * label shown when a translated one is wider. */
	int width = 20;
	for (size_t i = 0; i < n; i++) {
		const char *label = cli_field_label(f[i].name);
		int cols = (int)strlen(label) - cli_w(label, 0);
		if (cols > width &&
		    cartel_person_field_text(p, &f[i], buf, sizeof buf)[0])
			width = cols;
	}
	for (size_t i = 0; i < n; i++) {
		const char *t =
			cartel_person_field_text(p, &f[i], buf, sizeof buf);
		if (t[0] == '\0')
			continue;
		/* A coded value in words, outside English. */
		int v;
		if (f[i].type == CARTEL_FIELD_ENUM && !cli_english() &&
		    cartel_enum_parse(f[i].kind, t, &v, NULL) == 0)
			t = cli_enum((int)f[i].kind, v);
		const char *label = cli_field_label(f[i].name);
		printf("%-*s %s\n", cli_w(label, width), label, cli_t(t));
	}
	for (size_t i = 0; i < p->n_extra; i++) {
		const char *key = cli_t(p->extra[i].key);
		printf("%-*s %s %s\n", cli_w(key, width), key,
		       cli_t(p->extra[i].value), _("(extra)"));
	}
}

/* The histories of the records merged into the one shown. */
struct merged_hist {
	struct cartel_event *ev;
	size_t n;
};

static void
merged_free(struct merged_hist *mh, size_t n)
{
	if (mh == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		cartel_events_free(mh[i].ev, mh[i].n);
	free(mh);
}

static void
print_events(const struct cartel_event *ev, size_t n_ev)
{
	for (size_t i = 0; i < n_ev; i++) {
		const struct cartel_event *e = &ev[i];
		/* TRANSLATORS: an event of a person's history: its number,
		 * when, who recorded it, the kind of source and its
		 * reference. */
		printf(_("  #%1$lld %2$s by %3$s, %4$s%5$s%6$s: "), e->seq,
		       cli_t(e->prov.at), cli_t(e->prov.actor),
		       cli_enum(CARTEL_ENUM_SOURCE, (int)e->prov.source),
		       e->prov.source_ref ? " " : "",
		       cli_t(e->prov.source_ref));
		const char *field;
		long long fixes = cartel_event_corrects(e, &field);
		long long fixed_by = cartel_event_corrected_by(ev, n_ev, e->seq);
		if (strcmp(e->field, "*") == 0)
			printf("%s\n", _("created"));
		else
			printf("%s%s '%s' -> '%s'\n",
			       fixes ? _("correction: ") : "",
			       cli_t(cli_field_label(field)),
			       cli_t(e->old_value), cli_t(e->new_value));
		if (fixes != 0)
			printf(_("      corrects event %lld: %s\n"), fixes,
			       cli_t(e->prov.note));
		else if (e->prov.note)
			printf(_("      note: %s\n"), cli_t(e->prov.note));
		if (fixed_by != 0) {
			const struct cartel_event *c = NULL;
			for (size_t k = i + 1; k < n_ev && !c; k++)
				if (ev[k].seq == fixed_by)
					c = &ev[k];
			printf(_("      CORRECTED by event %lld: %s\n"), fixed_by,
			       cli_t(c ? c->prov.note : NULL));
		}
	}
}

static int
person_show(struct cli *cli, int argc, char **argv)
{
	const char *id = NULL;
	for (int i = 2; i < argc; i++) {
		int r = cli_common_opt(cli, "person", argc, argv, &i);
		if (r == 1)
			continue;
		if (r != 0)
			return r;
		if (argv[i][0] == '-' || id != NULL)
			return cli_usage("person", "unexpected argument '%s'",
					 argv[i]);
		id = argv[i];
	}
	if (id == NULL)
		return cli_usage("person", "usage: cartel person show ID");
	struct cartel_db *db;
	int rc = cli_open_db(cli, CARTEL_DB_READONLY, &db);
	if (rc != 0)
		return rc;
	struct cartel_person p;
	struct cartel_event *ev = NULL;
	size_t n_ev = 0;
	char *why = NULL;
	/* A merged record shows the record it was merged into, and says so;
	 * a record with others merged into it shows their histories too. */
	struct cartel_merge *m = NULL;
	size_t n_m = 0;
	struct merged_hist *mh = NULL;
	int err = cartel_person_get(db, id, &p, &why);
	if (err == 0)
		err = cartel_person_events(db, p.id, &ev, &n_ev, &why);
	if (err == 0)
		err = cartel_person_merges(db, id, 0, &m, &n_m, &why);
	if (err == 0 && n_m > 0 && strcmp(p.id, id) != 0) {
		/* id is merged: the merges into the record kept. */
		cartel_merges_free(m, n_m);
		m = NULL;
		n_m = 0;
		err = cartel_person_merges(db, p.id, 0, &m, &n_m, &why);
	}
	if (err == 0 && n_m > 0 && (mh = calloc(n_m, sizeof *mh)) == NULL)
		err = CARTEL_ENOMEM;
	for (size_t i = 0; err == 0 && i < n_m; i++)
		err = cartel_person_events(db, m[i].other_id, &mh[i].ev,
					   &mh[i].n, &why);
	cartel_db_close(db);
	if (err != 0) {
		merged_free(mh, n_m);
		cartel_merges_free(m, n_m);
		cartel_person_clear(&p);
		return cli_error(err, why, "person show");
	}
	if (cli->json) {
		/* The library's form, the one the server answers too. */
		json_t *o = NULL;
		rc = cli_open_db(cli, CARTEL_DB_READONLY, &db);
		if (rc == 0) {
			err = cartel_person_record_json(db, id, &o, &why);
			cartel_db_close(db);
		}
		merged_free(mh, n_m);
		cartel_merges_free(m, n_m);
		cartel_events_free(ev, n_ev);
		cartel_person_clear(&p);
		if (rc != 0)
			return rc;
		if (err != 0)
			return cli_error(err, why, "person show");
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(o);
		return EXIT_OK;
	} else {
		if (strcmp(p.id, id) != 0)
			printf(_("%1$s was merged into %2$s; showing %2$s\n\n"),
			       cli_t(id), cli_t(p.id));
		print_person(&p);
		fputc('\n', stdout);
		printf(cartel_ngettext("history (%zu events, oldest first):\n",
				       "history (%zu events, oldest first):\n",
				       n_ev),
		       n_ev);
		print_events(ev, n_ev);
		for (size_t i = 0; i < n_m; i++) {
			fputc('\n', stdout);
			/* TRANSLATORS: the record merged in, when, by whom,
			 * the reason given. */
			printf(_("merged from %1$s on %2$s by %3$s: %4$s\n"),
			       cli_t(m[i].other_id), cli_t(m[i].merged_at),
			       cli_t(m[i].merged_by), cli_t(m[i].reason));
			if (m[i].n_conflicts > 0)
				printf(cartel_ngettext(
					       "  %lld value to settle: the "
					       "conflict: events above\n",
					       "  %lld values to settle: the "
					       "conflict: events above\n",
					       (unsigned long)m[i].n_conflicts),
				       m[i].n_conflicts);
			printf(cartel_ngettext("history of %s (%zu events):\n",
					       "history of %s (%zu events):\n",
					       mh[i].n),
			       cli_t(m[i].other_id), mh[i].n);
			print_events(mh[i].ev, mh[i].n);
		}
	}
	merged_free(mh, n_m);
	cartel_merges_free(m, n_m);
	cartel_events_free(ev, n_ev);
	cartel_person_clear(&p);
	return EXIT_OK;
}

/* Prints s (escaped for the terminal) padded to `width` columns, counting
 * characters rather than bytes so that Cyrillic names line up as Latin
 * ones do. */
static void
pad(const char *raw, int width)
{
	const char *s = cli_t(raw);
	int cols = 0;
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if ((*c & 0xC0) != 0x80)
			cols++;
	fputs(s, stdout);
	for (; cols < width; cols++)
		putchar(' ');
	putchar(' ');
}

struct list_ctx {
	struct cli *cli;
	const char *held_by;
	int status; /* -1: any */
	size_t n;
	int w[5]; /* the columns' widths: the English's, or a wider word's */
};

static int
list_one(void *vctx, const struct cartel_person *p)
{
	struct list_ctx *c = vctx;
	if (c->held_by != NULL &&
	    (p->held_by == NULL || strcmp(p->held_by, c->held_by) != 0))
		return 0;
	if (c->status >= 0 && (int)p->status != c->status)
		return 0;
	if (c->cli->json) {
		char *j = cartel_person_json(p);
		if (j == NULL)
			return CARTEL_ENOMEM;
		printf("%s\n  %s", c->n ? "," : "", j);
		free(j);
	} else {
		char born[16];
		pad(p->id, c->w[0]);
		pad(p->family_name ? p->family_name : "-", c->w[1]);
		pad(p->given_name ? p->given_name : "-", c->w[2]);
		pad(cartel_date_known(&p->birth_date)
			    ? cartel_date_format(&p->birth_date, born,
						 sizeof born)
			    : "-",
		    c->w[3]);
		pad(p->held_by ? p->held_by : "-", c->w[4]);
		puts(cli_enum(CARTEL_ENUM_STATUS, (int)p->status));
	}
	c->n++;
	return 0;
}

static int
person_list(struct cli *cli, int argc, char **argv)
{
	struct list_ctx c = {cli, NULL, -1, 0, {12, 20, 20, 10, 4}};
	for (int i = 2; i < argc; i++) {
		int r = cli_common_opt(cli, "person", argc, argv, &i);
		if (r == 1)
			continue;
		if (r != 0)
			return r;
		const char *a = argv[i];
		if ((strcmp(a, "--held-by") == 0 ||
		     strcmp(a, "--status") == 0)) {
			if (i + 1 >= argc)
				return cli_usage("person", "%s needs a value",
						 a);
			const char *v = argv[++i];
			if (a[2] == 'h') {
				c.held_by = v;
			} else {
				char *why = NULL;
				if (cartel_enum_parse(CARTEL_ENUM_STATUS, v,
						      &c.status, &why) != 0) {
					int rc = cli_usage("person", "%s", why);
					free(why);
					return rc;
				}
			}
		} else {
			return cli_usage("person", "unexpected argument '%s'",
					 a);
		}
	}
	struct cartel_db *db;
	int rc = cli_open_db(cli, CARTEL_DB_READONLY, &db);
	if (rc != 0)
		return rc;
	if (cli->json)
		fputs("[", stdout);
	else {
		const char *h[5] = {
			cli_field_label("id"), cli_field_label("family_name"),
			cli_field_label("given_name"),
			/* TRANSLATORS: a column of person list: the birth
			 * date. */
			C_("column", "born"),
			/* TRANSLATORS: a column of person list: the party
			 * holding him, a short code. */
			C_("column", "held")};
		static const int w0[5] = {12, 20, 20, 10, 4};
		for (int k = 0; k < 5; k++) {
			int cols = (int)strlen(h[k]) - cli_w(h[k], 0);
			c.w[k] = cols > w0[k] ? cols : w0[k];
		}
		for (int k = 0; k < 5; k++)
			printf("%-*s ", cli_w(h[k], c.w[k]), h[k]);
		printf("%s\n", cli_field_label("status"));
	}
	char *why = NULL;
	int err = cartel_db_persons_each(db, list_one, &c, &why);
	cartel_db_close(db);
	if (cli->json)
		fputs(c.n ? "\n]\n" : "]\n", stdout);
	if (err != 0)
		return cli_error(err, why, "person list");
	if (!cli->json)
		printf(cartel_ngettext("(%zu persons)\n", "(%zu persons)\n",
				       c.n),
		       c.n);
	return EXIT_OK;
}

int
cmd_person(struct cli *cli, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage("person",
				 "usage: cartel person add|show|list");
	if (strcmp(argv[1], "add") == 0)
		return person_add(cli, argc, argv);
	if (strcmp(argv[1], "show") == 0)
		return person_show(cli, argc, argv);
	if (strcmp(argv[1], "list") == 0)
		return person_list(cli, argc, argv);
	return cli_usage("person", "unknown subcommand '%s' (add, show, list)",
			 argv[1]);
}

/* cartel event add PERSON_ID FIELD VALUE --by WHO --source KIND ... lives
 * here too: it shares the provenance options. */
/* cartel event correct EVENT_ID --reason TEXT --source KIND [--by WHO]
 * [--ref TEXT] [--at TIME] */
static int
event_correct(struct cli *cli, int argc, char **argv)
{
	static const char usage[] = "usage: cartel event correct EVENT_ID "
				    "--reason TEXT --source KIND [--by WHO]";
	struct prov_opts po = {0};
	const char *id = NULL, *reason = NULL;
	for (int i = 2; i < argc; i++) {
		int r = cli_common_opt(cli, "event", argc, argv, &i);
		if (r == 0 && strcmp(argv[i], "--reason") == 0) {
			if (i + 1 >= argc)
				return cli_usage("event", "--reason needs a "
							  "value");
			reason = argv[++i];
			continue;
		}
		if (r == 0 && strcmp(argv[i], "--note") == 0)
			return cli_usage("event", "a correction's note is its "
						  "--reason");
		if (r == 0)
			r = prov_opt("event", &po, argc, argv, &i);
		if (r == 1)
			continue;
		if (r != 0)
			return r;
		if (argv[i][0] == '-' || id != NULL)
			return cli_usage("event", "unexpected argument '%s'",
					 argv[i]);
		id = argv[i];
	}
	if (id == NULL)
		return cli_usage("event", "%s", usage);
	char *end = NULL;
	long long seq = strtoll(id, &end, 10);
	if (end == id || *end != '\0' || seq <= 0)
		return cli_usage("event",
				 "'%s' is not an event number ('cartel person "
				 "show ID' lists them as #N)",
				 id);
	if (reason == NULL || reason[0] == '\0')
		return cli_usage("event", "--reason TEXT is required (why the "
					  "event was wrong)");
	if (po.by == NULL)
		po.by = cli_actor(NULL);
	struct cartel_provenance prov;
	int rc = prov_make("event", &po, &prov);
	if (rc != 0)
		return rc;
	struct cartel_db *db;
	rc = cli_open_db(cli, 0, &db);
	if (rc != 0)
		return rc;
	char *why = NULL;
	long long fix = 0;
	int err = cartel_event_correct(db, seq, reason, &prov, &fix, &why);
	cartel_db_close(db);
	if (err != 0)
		return cli_error(err, why, "event correct");
	if (cli->json)
		printf("{\"corrected\": %lld, \"event\": %lld}\n", seq, fix);
	else
		printf(_("event %lld corrected by event %lld\n"), seq, fix);
	return EXIT_OK;
}

int
cmd_event(struct cli *cli, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "correct") == 0)
		return event_correct(cli, argc, argv);
	if (argc >= 2 && strcmp(argv[1], "import") == 0)
		return cmd_event_import(cli, argc, argv);
	if (argc < 2 || strcmp(argv[1], "add") != 0)
		return cli_usage("event", "usage: cartel event add PERSON_ID "
					  "FIELD VALUE --by WHO --source KIND, "
					  "or cartel event correct EVENT_ID "
					  "--reason TEXT --source KIND");
	struct prov_opts po = {0};
	const char *pos[3] = {NULL, NULL, NULL};
	int n_pos = 0;
	for (int i = 2; i < argc; i++) {
		int r = cli_common_opt(cli, "event", argc, argv, &i);
		if (r == 0)
			r = prov_opt("event", &po, argc, argv, &i);
		if (r == 1)
			continue;
		if (r != 0)
			return r;
		if (argv[i][0] == '-' && argv[i][1] == '-')
			return cli_usage("event", "unknown option '%s'",
					 argv[i]);
		if (n_pos == 3)
			return cli_usage("event", "unexpected argument '%s'",
					 argv[i]);
		pos[n_pos++] = argv[i];
	}
	if (n_pos != 3)
		return cli_usage("event", "usage: cartel event add PERSON_ID "
					  "FIELD VALUE --by WHO --source KIND");
	struct cartel_event ev = {0};
	int rc = prov_make("event", &po, &ev.prov);
	if (rc != 0)
		return rc;
	ev.person_id = pos[0];
	ev.field = pos[1];
	ev.new_value = pos[2];
	struct cartel_db *db;
	rc = cli_open_db(cli, 0, &db);
	if (rc != 0)
		return rc;
	char *why = NULL, *keep = NULL;
	long long seq = 0;
	int err = cartel_event_record(db, &ev, &seq, &why);
	/* An event on a merged record's id was recorded on the record kept:
	 * say so. */
	if (err == 0 && cartel_person_merged_into(db, ev.person_id, &keep,
						  NULL) != 0)
		keep = NULL;
	cartel_db_close(db);
	if (err != 0)
		return cli_error(err, why, "event add");
	if (cli->json)
		printf("{\"ok\": true, \"event\": %lld}\n", seq);
	else if (keep != NULL)
		printf(_("recorded: %1$s %2$s (event %3$lld; %4$s is merged "
			 "into %1$s)\n"),
		       cli_t(keep), cli_t(ev.field), seq, cli_t(ev.person_id));
	else
		printf(_("recorded: %s %s (event %lld)\n"),
		       cli_t(ev.person_id), cli_t(ev.field), seq);
	free(keep);
	return EXIT_OK;
}
