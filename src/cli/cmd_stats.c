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
	"<3 months",    "3-6 months", "6-12 months",
	"12-24 months", ">24 months", "unknown"};

/* One line of the table: a label, then one column per party. */
static void
row(const struct cartel_stats *st, const char *label, size_t off)
{
	printf("  %-30s", label);
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
	printf("Register: %ld persons, as of %s\n\n", st->persons,
	       cartel_date_format(&st->today, today, sizeof today));
	if (st->n_parties == 0) {
		printf("(the register is empty)\n");
		return;
	}
	printf("  %-30s", "held by");
	for (size_t i = 0; i < st->n_parties; i++)
		printf(" %10s", st->parties[i].party[0]
					? cli_t(st->parties[i].party)
					: "?");
	putchar('\n');
	row(st, "HELD NOW", OFF(held));
	printf("  by category\n");
	for (int c = 0; c <= CARTEL_CAT_CHAPLAIN; c++) {
		char label[40];
		snprintf(label, sizeof label, "  %s",
			 cartel_enum_name(CARTEL_ENUM_CATEGORY, c));
		row(st, label, OFF(by_category) + (size_t)c * sizeof(long));
	}
	printf("  by health\n");
	for (int h = 0; h <= CARTEL_HEALTH_SERIOUSLY_WOUNDED; h++) {
		char label[40];
		snprintf(label, sizeof label, "  %s",
			 cartel_enum_name(CARTEL_ENUM_HEALTH, h));
		row(st, label, OFF(by_health) + (size_t)h * sizeof(long));
	}
	printf("  time held\n");
	for (int b = 0; b < CARTEL_HELD_N; b++) {
		char label[40];
		snprintf(label, sizeof label, "  %s", held_names[b]);
		row(st, label, OFF(by_held) + (size_t)b * sizeof(long));
	}
	row(st, "awaiting direct repatriation", OFF(await_direct));
	row(st, "consent never asked", OFF(consent_not_asked));
	row(st, "consent asked, no answer yet", OFF(consent_undecided));
	printf("  legal hold (Art. 119)\n");
	for (int h = 0; h <= CARTEL_HOLD_CONVICTED; h++) {
		char label[40];
		snprintf(label, sizeof label, "  %s",
			 cartel_enum_name(CARTEL_ENUM_LEGAL_HOLD, h));
		row(st, label, OFF(by_hold) + (size_t)h * sizeof(long));
	}
	printf("  status (everyone recorded)\n");
	for (int s = 0; s <= CARTEL_STATUS_DECEASED; s++) {
		char label[40];
		snprintf(label, sizeof label, "  %s",
			 cartel_enum_name(CARTEL_ENUM_STATUS, s));
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
