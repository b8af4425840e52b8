/*
 * cartel handover: load an agreed round, check persons off at the
 * exchange point (one at a time, or a stage's sheet), show the state,
 * close a stage.
 *
 * A sheet is a CSV with the header person_id,outcome and optionally at
 * and by columns; each row is one check-off in its own transaction, so
 * a sheet cut short (a crash, a lost connection) is simply run again:
 * rows already recorded with the same outcome are skipped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include <cartel/cartel.h>
#include <cartel/json.h>
#include <cartel/round.h>
#include <cartel/sheet.h>
#include <cartel/store.h>

#include "cli.h"

static int
ho_start(struct cli *cli, int argc, char **argv)
{
	const char *file = NULL, *by = NULL, *plan = NULL;
	int took;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--by") == 0 && i + 1 < argc)
			by = argv[++i];
		else if (strcmp(argv[i], "--plan") == 0 && i + 1 < argc)
			plan = argv[++i];
		else if ((took = cli_common_opt(cli, "handover", argc, argv,
						    &i)) != 0) {
			if (took != 1)
				return took;
		} else if (argv[i][0] != '-' && file == NULL)
			file = argv[i];
		else
			return cli_usage("handover", "unexpected '%s'",
					 argv[i]);
	}
	if (file == NULL)
		return cli_usage("handover", "handover start needs ROUND.json");
	char *why = NULL;
	struct cartel_round_rules_opts ro = {NULL, 0, plan, NULL, 0, 0};
	char *plan_text = NULL;
	if (plan != NULL &&
	    (plan_text = cli_read_plan(plan, &ro.plan_len)) == NULL)
		return cli_fail("%s: cannot read the plan", plan);
	ro.plan_json = plan_text;
	struct cartel_round *r;
	int rc = cartel_round_read(&r, file, &why);
	if (rc) {
		free(plan_text);
		return cli_error(rc, why, "reading the round");
	}
	struct cartel_db *db;
	if (cli_open_db(cli, 0, &db)) {
		cartel_round_free(r);
		free(plan_text);
		return EXIT_FAIL;
	}
	rc = cartel_handover_start_checked(db, r, &ro, cli_actor(by), &why);
	free(plan_text);
	struct cartel_handover_status st;
	if (rc == 0)
		rc = cartel_handover_status(db, cartel_round_id(r), &st, &why);
	cartel_db_close(db);
	if (rc) {
		cartel_round_free(r);
		return cli_error(rc, why, "starting the handover");
	}
	printf("round %s version %d loaded for handover: %zu persons in %zu "
	       "stage%s, now agreed\n",
	       cli_t(cartel_round_id(r)), cartel_round_version(r),
	       st.n_persons,
	       st.n_stages, st.n_stages == 1 ? "" : "s");
	cartel_handover_status_clear(&st);
	cartel_round_free(r);
	return EXIT_OK;
}

/* The test hook CARTEL_TEST_CRASH_AFTER=N: after N check-offs of this
 * process have committed, the next one is written and the process aborts
 * before its commit, as a crash or a power cut would. */
static long
crash_after(void)
{
	const char *s = getenv("CARTEL_TEST_CRASH_AFTER");
	if (s == NULL || s[0] == '\0')
		return -1;
	char *end;
	errno = 0;
	long n = strtol(s, &end, 10);
	return (errno || *end || n < 0) ? -1 : n;
}

static int
check_one(struct cartel_db *db, const struct cartel_checkoff *c,
	  long *committed, int *already, char **why)
{
	long limit = crash_after();
	int rc = cartel_db_begin(db, why);
	if (rc)
		return rc;
	rc = cartel_handover_check(db, c, already, why);
	if (rc) {
		cartel_db_rollback(db);
		return rc;
	}
	if (limit >= 0 && !*already && *committed >= limit)
		abort();
	rc = cartel_db_commit(db, why);
	if (rc) {
		cartel_db_rollback(db);
		return rc;
	}
	if (!*already)
		(*committed)++;
	return 0;
}

static int
find_col(char **fields, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(fields[i], name) == 0)
			return (int)i;
	return -1;
}

static int
check_sheet(struct cartel_db *db, const char *round_id, const char *sheet,
	    const char *by, const char *at, const char *where)
{
	FILE *fp = strcmp(sheet, "-") == 0 ? stdin : fopen(sheet, "rb");
	if (fp == NULL)
		return cli_fail("%s: %s", sheet, strerror(errno));
	struct cartel_csv *csv;
	if (cartel_csv_open(&csv, fp, sheet, 0)) {
		if (fp != stdin)
			fclose(fp);
		return cli_fail("out of memory");
	}
	char **f;
	size_t nf;
	char *why = NULL;
	int rc = cartel_csv_next(csv, &f, &nf, &why);
	int c_id = -1, c_out = -1, c_at = -1, c_by = -1, c_where = -1;
	if (rc == 1) {
		c_id = find_col(f, nf, "person_id");
		if (c_id < 0)
			c_id = find_col(f, nf, "id");
		c_out = find_col(f, nf, "outcome");
		c_at = find_col(f, nf, "at");
		c_by = find_col(f, nf, "by");
		c_where = find_col(f, nf, "where");
	}
	if (c_id < 0 || c_out < 0) {
		cartel_csv_close(csv);
		if (fp != stdin)
			fclose(fp);
		free(why);
		return cli_fail("%s: the sheet needs a header with person_id "
				"and outcome",
				sheet);
	}
	long committed = 0, skipped = 0, failed = 0;
	while ((rc = cartel_csv_next(csv, &f, &nf, &why)) != 0) {
		size_t row = cartel_csv_record_no(csv);
		if (rc < 0) {
			fprintf(stderr, "cartel: %s\n", cli_t(why));
			free(why);
			why = NULL;
			failed++;
			if (rc == CARTEL_EIO)
				break;
			continue;
		}
		if ((size_t)c_id >= nf || (size_t)c_out >= nf) {
			fprintf(stderr, "cartel: %s row %zu: too few columns\n",
				cli_t(sheet), row);
			failed++;
			continue;
		}
		struct cartel_checkoff c = {round_id, f[c_id],
					    CARTEL_HANDOVER_PENDING, by, at,
					    where};
		if (c_by >= 0 && (size_t)c_by < nf && f[c_by][0])
			c.by = f[c_by];
		if (c_where >= 0 && (size_t)c_where < nf && f[c_where][0])
			c.where = f[c_where];
		if (c_at >= 0 && (size_t)c_at < nf && f[c_at][0])
			c.at = f[c_at];
		int already = 0;
		int e = cartel_handover_outcome_parse(f[c_out], &c.outcome,
						      &why);
		if (e == 0)
			e = check_one(db, &c, &committed, &already, &why);
		if (e) {
			fprintf(stderr, "cartel: %s row %zu, person %s: %s\n",
				cli_t(sheet), row, cli_t(f[c_id]),
				cli_t(why ? why : cartel_strerror(e)));
			free(why);
			why = NULL;
			failed++;
		} else if (already) {
			skipped++;
		}
	}
	cartel_csv_close(csv);
	if (fp != stdin)
		fclose(fp);
	printf("checked off %ld, already recorded %ld, refused %ld\n",
	       committed, skipped, failed);
	return failed ? EXIT_FAIL : EXIT_OK;
}

static int
ho_check(struct cli *cli, int argc, char **argv)
{
	const char *pos[2] = {NULL, NULL}, *as = NULL, *by = NULL, *at = NULL,
		   *sheet = NULL, *where = NULL;
	int npos = 0;
	int took;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--as") == 0 && i + 1 < argc)
			as = argv[++i];
		else if (strcmp(argv[i], "--by") == 0 && i + 1 < argc)
			by = argv[++i];
		else if (strcmp(argv[i], "--at") == 0 && i + 1 < argc)
			at = argv[++i];
		else if (strcmp(argv[i], "--sheet") == 0 && i + 1 < argc)
			sheet = argv[++i];
		else if (strcmp(argv[i], "--where") == 0 && i + 1 < argc)
			where = argv[++i];
		else if ((took = cli_common_opt(cli, "handover", argc, argv,
						    &i)) != 0) {
			if (took != 1)
				return took;
		} else if (argv[i][0] != '-' && npos < 2)
			pos[npos++] = argv[i];
		else
			return cli_usage("handover", "unexpected '%s'",
					 argv[i]);
	}
	if (by == NULL)
		return cli_usage("handover", "a check-off names who checked: "
					     "--by NAME");
	if (sheet != NULL ? npos != 1 : (npos != 2 || as == NULL))
		return cli_usage("handover",
				 "handover check ROUND_ID PERSON_ID --as "
				 "OUTCOME --by NAME, or handover check "
				 "ROUND_ID --sheet FILE.csv --by NAME");
	struct cartel_db *db;
	if (cli_open_db(cli, 0, &db))
		return EXIT_FAIL;
	if (sheet != NULL) {
		int ex = check_sheet(db, pos[0], sheet, by, at, where);
		cartel_db_close(db);
		return ex;
	}
	char *why = NULL;
	struct cartel_checkoff c = {pos[0], pos[1], CARTEL_HANDOVER_PENDING,
				    by, at, where};
	int rc = cartel_handover_outcome_parse(as, &c.outcome, &why);
	if (rc) {
		cartel_db_close(db);
		fprintf(stderr, "cartel handover: %s\n", cli_t(why));
		free(why);
		return EXIT_USAGE;
	}
	int already = 0;
	long committed = 0;
	rc = check_one(db, &c, &committed, &already, &why);
	cartel_db_close(db);
	if (rc)
		return cli_error(rc, why, "checking off");
	printf("%s: %s%s\n", cli_t(c.person_id),
	       cartel_handover_outcome_name(c.outcome),
	       already ? " (already recorded)" : "");
	return EXIT_OK;
}

static int
ho_status(struct cli *cli, int argc, char **argv)
{
	const char *round_id = NULL;
	int persons = 0;
	int took;
	for (int i = 2; i < argc; i++) {
		if ((took = cli_common_opt(cli, "handover", argc, argv,
						    &i)) != 0) {
			if (took != 1)
				return took;
		} else if (strcmp(argv[i], "--persons") == 0)
			persons = 1;
		else if (argv[i][0] != '-' && round_id == NULL)
			round_id = argv[i];
		else
			return cli_usage("handover", "unexpected '%s'",
					 argv[i]);
	}
	if (round_id == NULL)
		return cli_usage("handover", "handover status needs ROUND_ID");
	struct cartel_db *db;
	if (cli_open_db(cli, 0, &db))
		return EXIT_FAIL;
	struct cartel_handover_status st;
	char *why = NULL;
	int rc = cartel_handover_status(db, round_id, &st, &why);
	cartel_db_close(db);
	if (rc)
		return cli_error(rc, why, "reading the handover");
	if (cli->json) {
		json_t *o = cartel_handover_status_json(&st);
		json_dumpf(o, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(o);
		cartel_handover_status_clear(&st);
		return EXIT_OK;
	}
	printf("round %s version %d, loaded %s\n  digest %s\n",
	       cli_t(st.round_id), st.version, cli_t(st.started_at),
	       cli_t(st.digest));
	printf("  %-6s %7s %8s %12s %9s %8s %7s %10s  %s\n", "stage",
	       "listed", "pending", "handed_over", "received", "refused",
	       "absent", "closed_out", "state");
	for (size_t i = 0; i < st.n_stages; i++) {
		const struct cartel_handover_stage *g = &st.stages[i];
		/* Deceased, released or withdrawn before his turn came. */
		long out = g->n[CARTEL_HANDOVER_DECEASED] +
			   g->n[CARTEL_HANDOVER_RELEASED] +
			   g->n[CARTEL_HANDOVER_WITHDRAWN];
		printf("  %-6d %7ld %8ld %12ld %9ld %8ld %7ld %10ld  %s%s\n",
		       g->stage, g->n_listed, g->n[CARTEL_HANDOVER_PENDING],
		       g->n[CARTEL_HANDOVER_HANDED_OVER],
		       g->n[CARTEL_HANDOVER_RECEIVED],
		       g->n[CARTEL_HANDOVER_REFUSED],
		       g->n[CARTEL_HANDOVER_ABSENT], out,
		       g->closed ? "closed " : "open",
		       g->closed && g->closed_at ? g->closed_at : "");
	}
	if (persons)
		for (size_t i = 0; i < st.n_persons; i++) {
			const struct cartel_handover_person *p = &st.persons[i];
			printf("  %-16s %-6s stage %d%s%s%s%s  %s%s%s%s%s\n",
			       cli_t(p->id), cli_t(p->side), p->stage,
			       p->direct ? " direct" : "",
			       p->holder_id ? " (" : "",
			       p->holder_id ? cli_t(p->holder_id) : "",
			       p->holder_id ? ")" : "",
			       cartel_handover_outcome_name(p->outcome),
			       p->checked_at ? " at " : "",
			       p->checked_at ? p->checked_at : "",
			       p->checked_by ? " by " : "",
			       p->checked_by ? p->checked_by : "");
		}
	cartel_handover_status_clear(&st);
	return EXIT_OK;
}

static int
ho_stage(struct cli *cli, int argc, char **argv)
{
	const char *pos[2] = {NULL, NULL}, *by = NULL;
	int npos = 0, close = 0, mark_absent = 0;
	int took;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--close") == 0)
			close = 1;
		else if (strcmp(argv[i], "--mark-absent") == 0)
			mark_absent = 1;
		else if (strcmp(argv[i], "--by") == 0 && i + 1 < argc)
			by = argv[++i];
		else if ((took = cli_common_opt(cli, "handover", argc, argv,
						    &i)) != 0) {
			if (took != 1)
				return took;
		} else if (argv[i][0] != '-' && npos < 2)
			pos[npos++] = argv[i];
		else
			return cli_usage("handover", "unexpected '%s'",
					 argv[i]);
	}
	char *end = NULL;
	long stage = npos == 2 ? strtol(pos[1], &end, 10) : 0;
	if (npos != 2 || !close || end == NULL || *end || stage < 1 ||
	    stage > 1000)
		return cli_usage("handover", "handover stage ROUND_ID N --close "
					     "--by NAME [--mark-absent]");
	if (by == NULL)
		return cli_usage("handover", "closing a stage names who "
					     "closed it: --by NAME");
	struct cartel_db *db;
	if (cli_open_db(cli, 0, &db))
		return EXIT_FAIL;
	char *why = NULL;
	int rc = cartel_handover_close_stage(db, pos[0], (int)stage, by,
					     mark_absent, &why);
	cartel_db_close(db);
	if (rc)
		return cli_error(rc, why, "closing the stage");
	printf("stage %ld of round %s closed\n", stage, cli_t(pos[0]));
	return EXIT_OK;
}

/* handover sheet ROUND_ID -o FILE --key KEY [--by WHO] */
static int
ho_sheet(struct cli *cli, int argc, char **argv)
{
	const char *round_id = NULL, *out = NULL, *keyfile = NULL, *by = NULL,
		   *to = NULL;
	int took;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (strcmp(argv[i], "--to") == 0 && i + 1 < argc)
			to = argv[++i];
		else if (strcmp(argv[i], "--key") == 0 && i + 1 < argc)
			keyfile = argv[++i];
		else if (strcmp(argv[i], "--by") == 0 && i + 1 < argc)
			by = argv[++i];
		else if ((took = cli_common_opt(cli, "handover", argc, argv,
						    &i)) != 0) {
			if (took != 1)
				return took;
		} else if (argv[i][0] != '-' && round_id == NULL)
			round_id = argv[i];
		else
			return cli_usage("handover", "unexpected '%s'",
					 argv[i]);
	}
	if (round_id == NULL || out == NULL || keyfile == NULL)
		return cli_usage("handover", "handover sheet ROUND_ID -o FILE "
					     "--key CODE.key [--by WHO]");
	char *why = NULL;
	struct cartel_key key;
	int err = cartel_key_load(&key, keyfile, &why);
	if (err)
		return cli_error(err, why, "reading the key");
	struct cartel_db *db;
	if (cli_open_db(cli, 0, &db)) {
		cartel_key_wipe(&key);
		return EXIT_FAIL;
	}
	struct cartel_sheet_made res;
	char party[CARTEL_PARTY_MAX];
	snprintf(party, sizeof party, "%s", key.party);
	err = cartel_handover_sheet(db, round_id, &key, cli_actor(by), out,
				    &res, &why);
	cartel_key_wipe(&key);
	if (err) {
		cartel_db_close(db);
		return cli_error(err, why, "writing the handover sheet");
	}
	int logged = cli_transfer(db, "handover-sheet",
				  (long long)res.n_persons, to, by, out, NULL);
	cartel_db_close(db);
	if (logged)
		return logged;
	printf("wrote %s: %s's sheet number %ld of round %s, %zu persons, "
	       "digest %s\n",
	       cli_t(out), cli_t(party),
	       res.sequence, cli_t(round_id), res.n_persons, res.digest);
	return EXIT_OK;
}

int
cmd_handover(struct cli *cli, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage("handover",
				 "which: start, check, status, stage or sheet?");
	if (strcmp(argv[1], "start") == 0)
		return ho_start(cli, argc, argv);
	if (strcmp(argv[1], "check") == 0)
		return ho_check(cli, argc, argv);
	if (strcmp(argv[1], "status") == 0)
		return ho_status(cli, argc, argv);
	if (strcmp(argv[1], "stage") == 0)
		return ho_stage(cli, argc, argv);
	if (strcmp(argv[1], "sheet") == 0)
		return ho_sheet(cli, argc, argv);
	return cli_usage("handover", "unknown subcommand '%s'", argv[1]);
}
