/*
 * cartel handover: load an agreed round, check persons off at the
 * exchange point (one at a time, or a stage's sheet), show the state,
 * close a stage.
 *
 * A sheet is a CSV with the header person_id,outcome and optionally at
 * and by columns; each row is one check-off in its own transaction, so
 * a sheet cut short (a crash, a lost connection) is simply run again:
 * rows already recorded with the same outcome are skipped. With --batch
 * the whole sheet is one transaction (the library's list check-off):
 * all its good rows or, on a crash, none.
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

/* A check-off's outcome as a person reads it; sheets and JSON keep the
 * code. */
static const char *const outcome_codes[] = {
	NC_("handover", "pending"),  NC_("handover", "handed_over"),
	NC_("handover", "received"), NC_("handover", "refused"),
	NC_("handover", "absent"),   NC_("handover", "deceased"),
	NC_("handover", "released"), NC_("handover", "withdrawn"),
	NULL};

static const char *
outcome_text(enum cartel_handover_outcome o)
{
	return cli_code("handover", outcome_codes,
			cartel_handover_outcome_name(o));
}

/* The columns of a display width at least w: a translated word wider than
 * the English widens its column. */
static int
col_width(const char *label, int w)
{
	int cols = (int)strlen(label) - cli_w(label, 0);
	return cols > w ? cols : w;
}

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
	struct cartel_round_rules found;
	memset(&found, 0, sizeof found);
	rc = cartel_handover_start_rules(db, r, &ro, &found, cli_actor(by),
					 &why);
	free(plan_text);
	struct cartel_handover_status st;
	if (rc == 0)
		rc = cartel_handover_status(db, cartel_round_id(r), &st, &why);
	cartel_db_close(db);
	if (rc) {
		cartel_round_free(r);
		rc = cli_rules_error(cli, &found, rc, why,
				     "starting the handover");
		cartel_round_rules_clear(&found);
		return rc;
	}
	/* TRANSLATORS: the plural follows the stages (%4$zu). */
	printf(cartel_ngettext("round %1$s version %2$d loaded for handover: "
			       "%3$zu persons in %4$zu stage, now agreed\n",
			       "round %1$s version %2$d loaded for handover: "
			       "%3$zu persons in %4$zu stages, now agreed\n",
			       st.n_stages),
	       cli_t(cartel_round_id(r)), cartel_round_version(r),
	       st.n_persons, st.n_stages);
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

/* The rows of a sheet run as one list (--batch): each check-off with
 * its own copies of the sheet's fields and its row number. */
struct sheet_rows {
	struct cartel_checkoff *v;
	size_t *row;
	char **owned; /* every string copied, to free */
	size_t n, cap, n_owned, cap_owned;
};

static char *
rows_keep(struct sheet_rows *b, const char *s)
{
	if (b->n_owned == b->cap_owned) {
		size_t cap = b->cap_owned ? 2 * b->cap_owned : 256;
		char **nv = realloc(b->owned, cap * sizeof *nv);
		if (nv == NULL)
			return NULL;
		b->owned = nv;
		b->cap_owned = cap;
	}
	char *c = strdup(s);
	if (c != NULL)
		b->owned[b->n_owned++] = c;
	return c;
}

static int
rows_add(struct sheet_rows *b, const struct cartel_checkoff *c, size_t row)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 256;
		struct cartel_checkoff *nv = realloc(b->v, cap * sizeof *nv);
		if (nv == NULL)
			return -1;
		b->v = nv;
		size_t *nr = realloc(b->row, cap * sizeof *nr);
		if (nr == NULL)
			return -1;
		b->row = nr;
		b->cap = cap;
	}
	struct cartel_checkoff k = *c;
	k.person_id = rows_keep(b, c->person_id);
	if (k.person_id == NULL)
		return -1;
	if (c->by != NULL && (k.by = rows_keep(b, c->by)) == NULL)
		return -1;
	if (c->at != NULL && (k.at = rows_keep(b, c->at)) == NULL)
		return -1;
	if (c->where != NULL && (k.where = rows_keep(b, c->where)) == NULL)
		return -1;
	b->v[b->n] = k;
	b->row[b->n++] = row;
	return 0;
}

static void
rows_free(struct sheet_rows *b)
{
	for (size_t i = 0; i < b->n_owned; i++)
		free(b->owned[i]);
	free(b->owned);
	free(b->v);
	free(b->row);
}

/* Runs the rows read as one list in one transaction; prints each refused
 * row and the counts. */
static int
check_rows(struct cartel_db *db, const char *sheet, struct sheet_rows *b,
	   long failed)
{
	struct cartel_checkoff_result *res =
		calloc(b->n ? b->n : 1, sizeof *res);
	if (res == NULL)
		return cli_fail("out of memory");
	char *why = NULL;
	int rc = cartel_handover_check_list(db, b->v, b->n, res, &why);
	if (rc) {
		free(res);
		fprintf(stderr, "cartel: %s: nothing was checked off\n",
			cli_t(sheet));
		return cli_error(rc, why, "checking off the sheet");
	}
	long committed = 0, skipped = 0;
	for (size_t i = 0; i < b->n; i++) {
		if (res[i].rc) {
			fprintf(stderr, "cartel: %s row %zu, person %s: %s\n",
				cli_t(sheet), b->row[i], cli_t(b->v[i].person_id),
				cli_t(res[i].why ? res[i].why
						 : cartel_strerror(res[i].rc)));
			failed++;
		} else if (res[i].already) {
			skipped++;
		} else {
			committed++;
		}
	}
	cartel_checkoff_results_clear(res, b->n);
	free(res);
	printf("checked off %ld, already recorded %ld, refused %ld\n",
	       committed, skipped, failed);
	return failed ? EXIT_FAIL : EXIT_OK;
}

static int
check_sheet(struct cartel_db *db, const char *round_id, const char *sheet,
	    const char *by, const char *at, const char *where, int batch)
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
	struct sheet_rows rows;
	memset(&rows, 0, sizeof rows);
	int oom = 0;
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
			fputs("cartel: ", stderr);
			fprintf(stderr, _("%s row %zu: too few columns\n"),
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
		if (e == 0 && batch) {
			if (rows_add(&rows, &c, row) != 0) {
				oom = 1;
				break;
			}
			continue;
		}
		if (e == 0)
			e = check_one(db, &c, &committed, &already, &why);
		if (e) {
			fputs("cartel: ", stderr);
			fprintf(stderr, _("%s row %zu, person %s: %s\n"),
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
	if (batch) {
		int ex = oom ? cli_fail("out of memory")
			     : check_rows(db, sheet, &rows, failed);
		rows_free(&rows);
		return ex;
	}
	printf(_("checked off %ld, already recorded %ld, refused %ld\n"),
	       committed, skipped, failed);
	return failed ? EXIT_FAIL : EXIT_OK;
}

static int
ho_check(struct cli *cli, int argc, char **argv)
{
	const char *pos[2] = {NULL, NULL}, *as = NULL, *by = NULL, *at = NULL,
		   *sheet = NULL, *where = NULL;
	int npos = 0, batch = 0;
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
		else if (strcmp(argv[i], "--batch") == 0)
			batch = 1;
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
	if (batch && sheet == NULL)
		return cli_usage("handover", "--batch runs a sheet: handover "
					     "check ROUND_ID --sheet FILE.csv "
					     "--batch --by NAME");
	if (sheet != NULL ? npos != 1 : (npos != 2 || as == NULL))
		return cli_usage("handover",
				 "handover check ROUND_ID PERSON_ID --as "
				 "OUTCOME --by NAME, or handover check "
				 "ROUND_ID --sheet FILE.csv --by NAME");
	struct cartel_db *db;
	if (cli_open_db(cli, 0, &db))
		return EXIT_FAIL;
	if (sheet != NULL) {
		int ex = check_sheet(db, pos[0], sheet, by, at, where, batch);
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
	printf("%s: %s%s\n", cli_t(c.person_id), outcome_text(c.outcome),
	       already ? _(" (already recorded)") : "");
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
	printf(_("round %s version %d, loaded %s\n  digest %s\n"),
	       cli_t(st.round_id), st.version, cli_t(st.started_at),
	       cli_t(st.digest));
	/* The table's columns, as wide as the English or the word. */
	const char *h[9] = {
		/* TRANSLATORS: the columns of handover status: stage,
		 * persons listed, then the count of each outcome; short. */
		C_("handover column", "stage"),
		C_("handover column", "listed"),
		C_("handover", "pending"),
		C_("handover", "handed_over"),
		C_("handover", "received"),
		C_("handover", "refused"),
		C_("handover", "absent"),
		/* TRANSLATORS: deceased, released or withdrawn before
		 * their turn. */
		C_("handover column", "closed_out"),
		C_("handover column", "state")};
	static const int w0[8] = {6, 7, 8, 12, 9, 8, 7, 10};
	int w[8];
	for (int k = 0; k < 8; k++)
		w[k] = col_width(h[k], w0[k]);
	printf("  %-*s", cli_w(h[0], w[0]), h[0]);
	for (int k = 1; k < 8; k++)
		printf(" %*s", cli_w(h[k], w[k]), h[k]);
	printf("  %s\n", h[8]);
	for (size_t i = 0; i < st.n_stages; i++) {
		const struct cartel_handover_stage *g = &st.stages[i];
		/* Deceased, released or withdrawn before his turn came. */
		long out = g->n[CARTEL_HANDOVER_DECEASED] +
			   g->n[CARTEL_HANDOVER_RELEASED] +
			   g->n[CARTEL_HANDOVER_WITHDRAWN];
		printf("  %-*d %*ld %*ld %*ld %*ld %*ld %*ld %*ld  %s%s\n",
		       w[0], g->stage, w[1], g->n_listed, w[2],
		       g->n[CARTEL_HANDOVER_PENDING], w[3],
		       g->n[CARTEL_HANDOVER_HANDED_OVER], w[4],
		       g->n[CARTEL_HANDOVER_RECEIVED], w[5],
		       g->n[CARTEL_HANDOVER_REFUSED], w[6],
		       g->n[CARTEL_HANDOVER_ABSENT], w[7], out,
		       /* TRANSLATORS: a closed stage, then when it was
			* closed; keep the space. */
		       g->closed ? C_("stage", "closed ")
				 : C_("stage", "open"),
		       g->closed && g->closed_at ? g->closed_at : "");
	}
	if (persons)
		for (size_t i = 0; i < st.n_persons; i++) {
			const struct cartel_handover_person *p = &st.persons[i];
			printf("  %-*s %-6s ", cli_w(cli_t(p->id), 16),
			       cli_t(p->id), cli_t(p->side));
			printf(_("stage %d"), p->stage);
			printf("%s%s%s%s  %s", p->direct ? _(" direct") : "",
			       p->holder_id ? " (" : "",
			       p->holder_id ? cli_t(p->holder_id) : "",
			       p->holder_id ? ")" : "",
			       outcome_text(p->outcome));
			if (p->checked_at)
				printf(_(" at %s"), cli_t(p->checked_at));
			if (p->checked_by)
				printf(_(" by %s"), cli_t(p->checked_by));
			putchar('\n');
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
	printf(_("stage %ld of round %s closed\n"), stage, cli_t(pos[0]));
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
	printf(cartel_ngettext("wrote %1$s: %2$s's sheet number %3$ld of round "
			       "%4$s, %5$zu persons, digest %6$s\n",
			       "wrote %1$s: %2$s's sheet number %3$ld of round "
			       "%4$s, %5$zu persons, digest %6$s\n",
			       res.n_persons),
	       cli_t(out), cli_t(party), res.sequence, cli_t(round_id),
	       res.n_persons, res.digest);
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
