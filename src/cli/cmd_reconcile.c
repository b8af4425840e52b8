/*
 * cartel reconcile: the other side's requested list against the register,
 * and two published counts of one handover against each other, by
 * matching identities (docs/rounds.md, "Reconciliation").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include <cartel/cartel.h>
#include <cartel/match.h>
#include <cartel/round.h>
#include <cartel/sheet.h>
#include <cartel/store.h>
#include <cartel/xlsx.h>

#include "cli.h"

/* A check-off's outcome as a person reads it (as handover status says
 * it); the sheets keep the code. */
static const char *const outcome_codes[] = {
	NC_("handover", "pending"),  NC_("handover", "handed_over"),
	NC_("handover", "received"), NC_("handover", "refused"),
	NC_("handover", "absent"),   NC_("handover", "deceased"),
	NC_("handover", "released"), NC_("handover", "withdrawn"),
	NULL};

/* w, or the display width of label when it is wider. */
static int
col_width(const char *label, int w)
{
	int cols = (int)strlen(label) - cli_w(label, 0);
	return cols > w ? cols : w;
}

static FILE *
open_in(const char *path)
{
	return strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
}

static void
close_in(FILE *fp)
{
	if (fp != NULL && fp != stdin)
		fclose(fp);
}

static int
parse_p(const char *s, double *p)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *end || v <= 0 || v >= 1)
		return -1;
	*p = v;
	return 0;
}

static void
cands_text(const struct cartel_reconcile_row *r, char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t k = 0; k < r->n_cands && used < size; k++) {
		int w = snprintf(buf + used, size - used, "%s%s:%.3f",
				 k ? ";" : "", r->cands[k].id,
				 r->cands[k].probability);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

/* A report path ending in .xlsx is written as a workbook: the table is
 * made as CSV in memory, then written by the library. */
static int
is_xlsx(const char *path)
{
	size_t n = strlen(path);
	return n > 5 && strcmp(path + n - 5, ".xlsx") == 0;
}

struct table_out {
	struct cli_out out;
	const char *path;
	char *mem;
	size_t len;
	FILE *fp;
};

static int
table_open(struct table_out *t, const char *path)
{
	memset(t, 0, sizeof *t);
	t->path = path;
	if (is_xlsx(path)) {
		t->fp = open_memstream(&t->mem, &t->len);
		return t->fp != NULL ? 0 : cli_fail("out of memory");
	}
	if (cli_out_open(&t->out, path, CLI_OUT_HASH) != 0)
		return EXIT_FAIL;
	t->fp = t->out.fp;
	return 0;
}

static int
table_close(struct table_out *t, int ok)
{
	if (t->mem == NULL && !is_xlsx(t->path))
		return cli_out_close(&t->out, ok);
	int bad = fclose(t->fp) != 0;
	int rc = 0;
	if (ok && !bad) {
		char *why = NULL;
		int err = cartel_xlsx_write_csv(t->path, "reconciliation",
						t->mem, t->len, NULL, &why);
		if (err != 0)
			rc = cli_error(err, why, "writing the workbook");
	}
	free(t->mem);
	return rc;
}

/* Writes the table; *sha (65 bytes) the SHA-256 of what was written, or
 * "" for a workbook (read back when it is recorded). */
static int
write_list_csv(const char *path, const struct cartel_reconcile *res,
	       char *sha)
{
	struct table_out out;
	sha[0] = '\0';
	if (table_open(&out, path) != 0)
		return EXIT_FAIL;
	FILE *fp = out.fp;
	const char *head[] = {"row",	     "their_id",   "verdict",
			      "our_id",	     "probability", "candidates",
			      "note"};
	int bad = cartel_csv_write_row(fp, head, 7) != 0;
	for (size_t i = 0; i < res->n_rows && !bad; i++) {
		const struct cartel_reconcile_row *r = &res->rows[i];
		char row[32], prob[32], cands[1024];
		snprintf(row, sizeof row, "%zu", r->row);
		snprintf(prob, sizeof prob, "%.4f", r->probability);
		cands_text(r, cands, sizeof cands);
		const char *f[] = {row,
				   r->their_id,
				   cartel_reconcile_verdict_name(r->verdict),
				   r->our_id ? r->our_id : "",
				   prob,
				   cands,
				   r->note ? r->note : ""};
		bad = cartel_csv_write_row(fp, f, 7) != 0;
	}
	if (bad) {
		table_close(&out, 0);
		return cli_fail("%s: writing failed", cli_t(path));
	}
	int rc = table_close(&out, 1);
	if (rc == 0 && !is_xlsx(path))
		memcpy(sha, out.out.sha256, sizeof out.out.sha256);
	return rc;
}

static int
reconcile_list(struct cli *cli, const char *file, const char *party,
	       const char *out, const char *by, const char *to,
	       double threshold, int show_all)
{
	FILE *in = open_in(file);
	if (in == NULL)
		return cli_fail("%s: %s", file, strerror(errno));
	struct cartel_db *db;
	char *why = NULL;
	int rc = cartel_db_open(&db, cli->db_path, 0, &why);
	if (rc) {
		close_in(in);
		return cli_error(rc, why, "opening the register");
	}
	struct cartel_match_opts opts;
	cartel_match_opts_init(&opts);
	if (threshold > 0)
		opts.threshold = threshold;
	struct cartel_reconcile res;
	rc = cartel_reconcile_list(db, in, file, party, &opts, &res, &why);
	close_in(in);
	if (rc) {
		cartel_db_close(db);
		return cli_error(rc, why, "reconciling");
	}
	char detail[200];
	snprintf(detail, sizeof detail,
		 "rows=%zu matched=%zu ambiguous=%zu not_held=%zu party=%s",
		 res.n_rows, res.n_matched, res.n_ambiguous, res.n_not_held,
		 party ? party : "any");
	/* The reconciliation's entry, its table and the table's transfer
	 * record stand or fall together: a table refused (a recipient the
	 * log cannot take, a file that cannot be written) leaves neither
	 * the entry nor the file. */
	rc = cartel_db_begin(db, &why);
	if (rc == 0)
		rc = cartel_audit_append(db, cli_actor(by), "reconcile", file,
					 detail, &why);
	if (rc) {
		cartel_db_rollback(db);
		cartel_db_close(db);
		cartel_reconcile_clear(&res);
		return cli_error(rc, why, "recording the reconciliation");
	}
	/* The table names our persons beside theirs: it leaves the register
	 * like any export, and is recorded as a transfer (its persons
	 * counted as its matched and ambiguous rows). Nothing leaves
	 * without its record. */
	char sha[65];
	if (out != NULL && write_list_csv(out, &res, sha)) {
		cartel_db_rollback(db);
		cartel_db_close(db);
		cartel_reconcile_clear(&res);
		return EXIT_FAIL;
	}
	int failed = out != NULL &&
		     cli_transfer(db, "reconcile",
				  (long long)(res.n_matched + res.n_ambiguous),
				  to, by, out, sha[0] ? sha : NULL) != 0;
	if (!failed && (rc = cartel_db_commit(db, &why)) != 0) {
		cli_error(rc, why, "recording the reconciliation");
		failed = 1;
	}
	if (failed) {
		cartel_db_rollback(db);
		struct stat sb;
		if (out != NULL && strcmp(out, "-") != 0 &&
		    lstat(out, &sb) == 0 && S_ISREG(sb.st_mode))
			remove(out);
		cartel_db_close(db);
		cartel_reconcile_clear(&res);
		return EXIT_FAIL;
	}
	cartel_db_close(db);
	if (cli->json) {
		json_t *o = json_pack("{sssIsIsIsI}", "file", file, "rows",
				      (json_int_t)res.n_rows, "matched",
				      (json_int_t)res.n_matched, "ambiguous",
				      (json_int_t)res.n_ambiguous, "not_held",
				      (json_int_t)res.n_not_held);
		json_t *rows = json_array();
		for (size_t i = 0; i < res.n_rows; i++) {
			const struct cartel_reconcile_row *r = &res.rows[i];
			json_t *e = json_pack(
				"{sIsssssosfso}", "row", (json_int_t)r->row,
				"their_id", r->their_id, "verdict",
				cartel_reconcile_verdict_name(r->verdict),
				"our_id",
				r->our_id ? json_string(r->our_id)
					  : json_null(),
				"probability", r->probability, "note",
				r->note ? json_string(r->note) : json_null());
			json_t *cs = json_array();
			for (size_t k = 0; k < r->n_cands; k++) {
				const struct cartel_reconcile_candidate *c =
					&r->cands[k];
				json_array_append_new(
					cs,
					json_pack("{sssfsssssoso}", "id", c->id,
						  "probability",
						  c->probability, "band",
						  c->band == CARTEL_BAND_MATCH
							  ? "match"
						  : c->band ==
								  CARTEL_BAND_REVIEW
							  ? "review"
							  : "nonmatch",
						  "status", c->status,
						  "held_by",
						  c->held_by
							  ? json_string(
								    c->held_by)
							  : json_null(),
						  "explanation",
						  c->explanation
							  ? json_string(
								    c->explanation)
							  : json_null()));
			}
			json_object_set_new(e, "candidates", cs);
			json_array_append_new(rows, e);
		}
		json_object_set_new(o, "results", rows);
		json_object_set_new(o, "seconds",
				    json_pack("{sfsfsf}", "load",
					      res.seconds_load, "match",
					      res.seconds_match, "decide",
					      res.seconds_decide));
		json_dumpf(o, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(o);
		cartel_reconcile_clear(&res);
		return EXIT_OK;
	}
	printf(cartel_ngettext("%s: %zu rows against %zu persons in the "
			       "register\n",
			       "%s: %zu rows against %zu persons in the "
			       "register\n",
			       res.n_rows),
	       cli_t(file), res.n_rows, res.n_register);
	const char *l_matched = _("matched"), *l_ambiguous = _("ambiguous"),
		   *l_not_held = _("not held");
	int lw = col_width(l_matched, 10);
	lw = col_width(l_ambiguous, lw);
	lw = col_width(l_not_held, lw);
	printf("  %-*s %6zu\n", cli_w(l_matched, lw), l_matched,
	       res.n_matched);
	printf("  %-*s %6zu  %s\n", cli_w(l_ambiguous, lw), l_ambiguous,
	       res.n_ambiguous, _("(for review)"));
	printf("  %-*s %6zu\n", cli_w(l_not_held, lw), l_not_held,
	       res.n_not_held);
	for (size_t i = 0; i < res.n_rows; i++) {
		const struct cartel_reconcile_row *r = &res.rows[i];
		if (r->verdict == CARTEL_RECONCILE_MATCHED) {
			if (show_all)
				printf(_("row %zu, their id %s: matched %s "
					 "(p=%.3f)\n"),
				       r->row, cli_t(r->their_id),
				       cli_t(r->our_id),
				       r->probability);
			continue;
		}
		printf(_("row %zu, their id %s: %s: %s\n"), r->row,
		       cli_t(r->their_id),
		       r->verdict == CARTEL_RECONCILE_AMBIGUOUS ? l_ambiguous
								: l_not_held,
		       cli_t(r->note));
		for (size_t k = 0; k < r->n_cands; k++)
			printf("    %-*s p=%.3f  %s%s%s\n",
			       cli_w(cli_t(r->cands[k].id), 16),
			       cli_t(r->cands[k].id), r->cands[k].probability,
			       cli_t(r->cands[k].status),
			       r->cands[k].held_by ? _(", held by ") : "",
			       cli_t(r->cands[k].held_by));
	}
	cartel_reconcile_clear(&res);
	return EXIT_OK;
}

static void
print_person(const char *tag, size_t pos, const struct cartel_person *p)
{
	char date[16];
	printf(_("  row %-6zu %-16s %s %s %s %s%s\n"), pos + 2, cli_t(p->id),
	       cli_t(p->family_name), cli_t(p->given_name),
	       cli_t(p->patronymic),
	       cartel_date_format(&p->birth_date, date, sizeof date), tag);
}

static int
write_counts_csv(const char *path, const struct cartel_reconcile_counts *c)
{
	struct table_out out;
	if (table_open(&out, path) != 0)
		return EXIT_FAIL;
	FILE *fp = out.fp;
	const char *head[] = {"side",	     "row",	   "id",
			      "other_id", "probability", "status"};
	int bad = cartel_csv_write_row(fp, head, 6) != 0;
	char row[32], prob[32];
	for (size_t i = 0; i < c->n_pairs && !bad; i++) {
		const struct cartel_reconcile_pair *p = &c->pairs[i];
		snprintf(row, sizeof row, "%zu", p->theirs + 2);
		snprintf(prob, sizeof prob, "%.4f", p->probability);
		const char *f[] = {"theirs", row, c->theirs[p->theirs].id,
				   c->ours[p->ours].id, prob,
				   p->review ? "review" : "both"};
		bad = cartel_csv_write_row(fp, f, 6) != 0;
	}
	for (size_t i = 0; i < c->n_only_theirs && !bad; i++) {
		snprintf(row, sizeof row, "%zu", c->only_theirs[i] + 2);
		const char *f[] = {"theirs", row, c->theirs[c->only_theirs[i]].id,
				   "", "", "only_theirs"};
		bad = cartel_csv_write_row(fp, f, 6) != 0;
	}
	for (size_t i = 0; i < c->n_only_ours && !bad; i++) {
		snprintf(row, sizeof row, "%zu", c->only_ours[i] + 2);
		const char *f[] = {"ours", row, c->ours[c->only_ours[i]].id,
				   "", "", "only_ours"};
		bad = cartel_csv_write_row(fp, f, 6) != 0;
	}
	if (bad) {
		table_close(&out, 0);
		return cli_fail("%s: writing failed", cli_t(path));
	}
	return table_close(&out, 1);
}

static int
reconcile_counts(struct cli *cli, const char *ft, const char *fo,
		 const char *out, double threshold)
{
	FILE *t = open_in(ft);
	if (t == NULL)
		return cli_fail("%s: %s", ft, strerror(errno));
	FILE *o = open_in(fo);
	if (o == NULL) {
		close_in(t);
		return cli_fail("%s: %s", fo, strerror(errno));
	}
	struct cartel_match_opts opts;
	cartel_match_opts_init(&opts);
	if (threshold > 0)
		opts.threshold = threshold;
	struct cartel_reconcile_counts c;
	char *why = NULL;
	int rc = cartel_reconcile_counts(t, ft, o, fo, &opts, &c, &why);
	close_in(t);
	close_in(o);
	if (rc)
		return cli_error(rc, why, "reconciling the counts");
	if (out != NULL && write_counts_csv(out, &c)) {
		cartel_reconcile_counts_clear(&c);
		return EXIT_FAIL;
	}
	if (cli->json) {
		json_t *j = json_pack("{sIsIsIsIsIsI}", "theirs",
				      (json_int_t)c.n_theirs, "ours",
				      (json_int_t)c.n_ours, "both",
				      (json_int_t)c.n_both, "review",
				      (json_int_t)c.n_review, "only_theirs_n",
				      (json_int_t)c.n_only_theirs,
				      "only_ours_n", (json_int_t)c.n_only_ours);
		json_t *a = json_array(), *b = json_array(), *r = json_array();
		for (size_t i = 0; i < c.n_only_theirs; i++)
			json_array_append_new(
				a, json_string(c.theirs[c.only_theirs[i]].id));
		for (size_t i = 0; i < c.n_only_ours; i++)
			json_array_append_new(
				b, json_string(c.ours[c.only_ours[i]].id));
		for (size_t i = 0; i < c.n_pairs; i++)
			if (c.pairs[i].review)
				json_array_append_new(
					r,
					json_pack("{sssssf}", "theirs",
						  c.theirs[c.pairs[i].theirs].id,
						  "ours",
						  c.ours[c.pairs[i].ours].id,
						  "probability",
						  c.pairs[i].probability));
		json_object_set_new(j, "only_theirs", a);
		json_object_set_new(j, "only_ours", b);
		json_object_set_new(j, "review_pairs", r);
		json_dumpf(j, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(j);
		cartel_reconcile_counts_clear(&c);
		return EXIT_OK;
	}
	printf(_("you report %zu, we count %zu: %zu on both lists, %zu for "
		 "review, %zu only on yours, %zu only on ours\n"),
	       c.n_theirs, c.n_ours, c.n_both, c.n_review, c.n_only_theirs,
	       c.n_only_ours);
	if (c.n_only_theirs)
		printf(_("only on yours (%zu):\n"), c.n_only_theirs);
	for (size_t i = 0; i < c.n_only_theirs; i++)
		print_person("", c.only_theirs[i],
			     &c.theirs[c.only_theirs[i]]);
	if (c.n_only_ours)
		printf(_("only on ours (%zu):\n"), c.n_only_ours);
	for (size_t i = 0; i < c.n_only_ours; i++)
		print_person("", c.only_ours[i], &c.ours[c.only_ours[i]]);
	if (c.n_review)
		printf(_("for review (%zu), probably one person written two "
			 "ways:\n"),
		       c.n_review);
	for (size_t i = 0; i < c.n_pairs; i++)
		if (c.pairs[i].review)
			printf(_("  yours %s = ours %s ? (p=%.3f)\n"),
			       cli_t(c.theirs[c.pairs[i].theirs].id),
			       cli_t(c.ours[c.pairs[i].ours].id),
			       c.pairs[i].probability);
	cartel_reconcile_counts_clear(&c);
	return EXIT_OK;
}

static void
print_gaps(const char *title, const struct cartel_sheet_gap *g, size_t n)
{
	printf("%s (%zu):\n", title, n);
	for (size_t i = 0; i < n; i++) {
		printf("  %-*s ", cli_w(cli_t(g[i].id), 20), cli_t(g[i].id));
		/* TRANSLATORS: the side that gave him and the stage, then
		 * each sheet's outcome. */
		printf(_("given by %-4s stage %d: %s / %s\n"),
		       cli_t(g[i].side), g[i].stage,
		       cli_t(cli_code("handover", outcome_codes, g[i].giver)),
		       cli_t(cli_code("handover", outcome_codes,
				      g[i].receiver)));
	}
}

/* reconcile sheets A.json B.json: the two parties' handover sheets. */
static int
reconcile_sheets(struct cli *cli, const char *a, const char *b,
		 const char *by)
{
	struct cartel_db *db;
	if (cli_open_db(cli, 0, &db))
		return EXIT_FAIL;
	struct cartel_sheet_reconcile res;
	char *why = NULL;
	int err = cartel_reconcile_sheets(db, a, b, cli_actor(by), &res, &why);
	cartel_db_close(db);
	if (err)
		return cli_error(err, why, "reconciling the sheets");
	if (cli->json) {
		char *text = NULL;
		err = cartel_sheet_reconcile_json(&res, &text, &why);
		if (err == 0)
			printf("%s\n", text);
		free(text);
	} else {
		printf(_("round %s (agreed list %s): sheets of %s (number "
			 "%ld) and %s (number %ld)\n"),
		       cli_t(res.round_id), res.round_digest,
		       cli_t(res.party[0]), res.sequence[0],
		       cli_t(res.party[1]), res.sequence[1]);
		printf(cartel_ngettext("%zu persons: %zu handed over, %zu "
				       "received; %zu handed over but not "
				       "received, %zu received but not handed "
				       "over\n",
				       "%zu persons: %zu handed over, %zu "
				       "received; %zu handed over but not "
				       "received, %zu received but not handed "
				       "over\n",
				       res.n_persons),
		       res.n_persons, res.n_handed_over, res.n_received,
		       res.n_not_received, res.n_not_handed);
		print_gaps(_("handed over but not received"), res.not_received,
			   res.n_not_received);
		print_gaps(_("received but not handed over"), res.not_handed,
			   res.n_not_handed);
	}
	cartel_sheet_reconcile_clear(&res);
	return err ? cli_error(err, why, "writing the result") : EXIT_OK;
}

int
cmd_reconcile(struct cli *cli, int argc, char **argv)
{
	const char *pos[3] = {NULL, NULL, NULL}, *party = NULL, *out = NULL,
		   *by = NULL, *to = NULL;
	int npos = 0, all = 0;
	double threshold = 0;
	int took;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--party") == 0 && i + 1 < argc)
			party = argv[++i];
		else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (strcmp(argv[i], "--by") == 0 && i + 1 < argc)
			by = argv[++i];
		else if (strcmp(argv[i], "--to") == 0 && i + 1 < argc)
			to = argv[++i];
		else if (strcmp(argv[i], "--all") == 0)
			all = 1;
		else if (strcmp(argv[i], "--threshold") == 0 && i + 1 < argc) {
			if (parse_p(argv[++i], &threshold))
				return cli_usage("reconcile",
						 "--threshold takes a "
						 "probability between 0 and "
						 "1");
		} else if ((took = cli_common_opt(cli, "reconcile", argc, argv,
						    &i)) != 0) {
			if (took != 1)
				return took;
		} else if ((argv[i][0] != '-' || strcmp(argv[i], "-") == 0) &&
			 npos < 3)
			pos[npos++] = argv[i];
		else
			return cli_usage("reconcile", "unexpected '%s'",
					 argv[i]);
	}
	if (to != NULL && npos >= 1 &&
	    (strcmp(pos[0], "counts") == 0 || strcmp(pos[0], "sheets") == 0))
		return cli_usage("reconcile",
				 "--to is for the table of a list (reconcile "
				 "LIST.csv -o OUT.csv --to WHOM): counts and "
				 "sheets take nothing from the register");
	if (npos >= 1 && strcmp(pos[0], "counts") == 0) {
		if (npos != 3)
			return cli_usage("reconcile", "reconcile counts "
						      "THEIRS.csv OURS.csv");
		return reconcile_counts(cli, pos[1], pos[2], out, threshold);
	}
	if (npos >= 1 && strcmp(pos[0], "sheets") == 0) {
		if (npos != 3)
			return cli_usage("reconcile", "reconcile sheets "
						      "A.json B.json");
		return reconcile_sheets(cli, pos[1], pos[2], by);
	}
	if (npos != 1)
		return cli_usage("reconcile", "reconcile LIST.csv, or reconcile "
					      "counts THEIRS.csv OURS.csv");
	if (party != NULL && !cartel_party_valid(party))
		return cli_usage("reconcile", "'%s' is not a party code",
				 party);
	if (to != NULL && out == NULL)
		return cli_usage("reconcile",
				 "--to says to whom the -o table goes: give "
				 "-o OUT.csv");
	return reconcile_list(cli, pos[0], party, out, by, to, threshold,
			      all);
}
