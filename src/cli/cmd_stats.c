/*
 * cartel stats: what a mediator reads first. Aggregates per detaining
 * party, never a name (GC III Art. 13). cli_stats_print is also what
 * `cartel demo` prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <cartel/cartel.h>
#include <cartel/declaration.h>
#include <cartel/json.h>
#include <cartel/store.h>

#include "cli.h"

static const char *const held_names[CARTEL_HELD_N] = {
	N_("<3 months"),    N_("3-6 months"), N_("6-12 months"),
	N_("12-24 months"), N_(">24 months"), N_("unknown")};

/* Prints s padded with spaces to width characters (not bytes: a Cyrillic
 * letter takes two bytes of UTF-8 and one column). */
static void
print_padded(const char *s, int width)
{
	int n = 0;
	for (const char *p = s; *p != '\0'; p++)
		n += ((unsigned char)*p & 0xC0) != 0x80;
	fputs(s, stdout);
	for (; n < width; n++)
		putchar(' ');
}

/* One line of the table: a label, then one column per party. */
static void
row(const struct cartel_stats *st, const char *label, size_t off)
{
	fputs("  ", stdout);
	print_padded(label, 30);
	for (size_t i = 0; i < st->n_parties; i++) {
		const long *v =
			(const long *)((const char *)&st->parties[i] + off);
		printf(" %10ld", *v);
	}
	putchar('\n');
}

#define OFF(m) offsetof(struct cartel_stats_party, m)

static void
stats_table(const struct cartel_stats *st)
{
	char today[16];
	printf(cartel_ngettext("Register: %ld person, as of %s\n\n",
			       "Register: %ld persons, as of %s\n\n",
			       (unsigned long)st->persons),
	       st->persons,
	       cartel_date_format(&st->today, today, sizeof today));
	if (st->n_parties == 0) {
		printf("%s\n", _("(the register is empty)"));
		return;
	}
	fputs("  ", stdout);
	print_padded(_("held by"), 30);
	for (size_t i = 0; i < st->n_parties; i++)
		printf(" %10s", st->parties[i].party[0]
					? cli_t(st->parties[i].party)
					: "?");
	putchar('\n');
	row(st, _("HELD NOW"), OFF(held));
	printf("  %s\n", _("by category"));
	for (int c = 0; c <= CARTEL_CAT_CHAPLAIN; c++) {
		char label[96];
		snprintf(label, sizeof label, "  %s",
			 cartel_enum_text(CARTEL_ENUM_CATEGORY, c));
		row(st, label, OFF(by_category) + (size_t)c * sizeof(long));
	}
	printf("  %s\n", _("by health"));
	for (int h = 0; h <= CARTEL_HEALTH_SERIOUSLY_WOUNDED; h++) {
		char label[96];
		snprintf(label, sizeof label, "  %s",
			 cartel_enum_text(CARTEL_ENUM_HEALTH, h));
		row(st, label, OFF(by_health) + (size_t)h * sizeof(long));
	}
	printf("  %s\n", _("time held"));
	for (int b = 0; b < CARTEL_HELD_N; b++) {
		char label[96];
		snprintf(label, sizeof label, "  %s", _(held_names[b]));
		row(st, label, OFF(by_held) + (size_t)b * sizeof(long));
	}
	row(st, _("awaiting direct repatriation"), OFF(await_direct));
	row(st, _("consent never asked"), OFF(consent_not_asked));
	row(st, _("consent asked, no answer yet"), OFF(consent_undecided));
	printf("  %s\n", _("legal hold (Art. 119)"));
	for (int h = 0; h <= CARTEL_HOLD_CONVICTED; h++) {
		char label[96];
		snprintf(label, sizeof label, "  %s",
			 cartel_enum_text(CARTEL_ENUM_LEGAL_HOLD, h));
		row(st, label, OFF(by_hold) + (size_t)h * sizeof(long));
	}
	printf("  %s\n", _("status (everyone recorded)"));
	for (int s = 0; s <= CARTEL_STATUS_DECEASED; s++) {
		char label[96];
		snprintf(label, sizeof label, "  %s",
			 cartel_enum_text(CARTEL_ENUM_STATUS, s));
		row(st, label, OFF(by_status) + (size_t)s * sizeof(long));
	}
}

int
cli_stats_print(struct cli *cli, struct cartel_db *db)
{
	struct cartel_stats st;
	struct cartel_owner owner;
	char *why = NULL;
	int err = cartel_owner_get(db, &owner, &why);
	if (err != 0)
		return cli_error(err, why, "stats");
	err = cartel_stats_get(db, &st, &why);
	if (err != 0)
		return cli_error(err, why, "stats");
	if (cli->json) {
		json_t *o = cartel_stats_json(&st, 0);
		if (o == NULL) {
			cartel_stats_clear(&st);
			return cli_fail("out of memory");
		}
		json_object_set_new(o, "owner", cli_owner_json(&owner));
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(o);
	} else {
		cli_owner_print(&owner);
		stats_table(&st);
	}
	cartel_stats_clear(&st);
	return EXIT_OK;
}

int
cmd_stats(struct cli *cli, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		int r = cli_common_opt(cli, "stats", argc, argv, &i);
		if (r == 1)
			continue;
		if (r != 0)
			return r;
		return cli_usage("stats", "unexpected argument '%s'", argv[i]);
	}
	struct cartel_db *db;
	int rc = cli_open_db(cli, CARTEL_DB_READONLY, &db);
	if (rc != 0)
		return rc;
	rc = cli_stats_print(cli, db);
	cartel_db_close(db);
	return rc;
}
