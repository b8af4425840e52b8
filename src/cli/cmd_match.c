/*
 * The matching commands: link two lists, deduplicate one, search the
 * register by a typed name, and the register's inquiries and their review.
 * All the work is in libcartel (<cartel/match.h>); this file parses
 * arguments, reads and writes files and prints.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include <cartel/cartel.h>
#include <cartel/json.h>
#include <cartel/inquiry.h>
#include <cartel/match.h>
#include <cartel/store.h>

#include "cli.h"

/* Reads a probability argument. */
static int
parse_prob(const char *cmd, const char *opt, const char *s, double *out)
{
	char *end = NULL;
	errno = 0;
	double v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v > 0 && v <= 1)) {
		cli_usage(cmd, "%s needs a probability in (0, 1], not '%s'",
			  opt, s);
		return -1;
	}
	*out = v;
	return 0;
}

static int
parse_count(const char *cmd, const char *opt, const char *s, long *out)
{
	char *end = NULL;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0 || v > 1000000) {
		cli_usage(cmd, "%s needs a whole number, not '%s'", opt, s);
		return -1;
	}
	*out = v;
	return 0;
}

static int
read_list(const char *path, struct cartel_person **p, size_t *n)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (fp == NULL)
		return cli_fail("cannot open %s: %s", path, strerror(errno));
	char *why = NULL;
	size_t bad_dates = 0;
	int rc = cartel_match_read_csv(fp, path, 0, p, n, &bad_dates, &why);
	if (fp != stdin)
		fclose(fp);
	if (rc != 0)
		return cli_error(rc, why, "reading a list");
	if (*n == 0) {
		fputs("cartel: ", stderr);
		fprintf(stderr, _("%s holds no records\n"), cli_t(path));
	}
	if (bad_dates > 0) {
		fputs("cartel: ", stderr);
		fprintf(stderr,
			cartel_ngettext("%s: %zu birth_date value not read as "
					"a date (treated as unknown)\n",
					"%s: %zu birth_date values not read "
					"as a date (treated as unknown)\n",
					bad_dates),
			cli_t(path), bad_dates);
	}
	return EXIT_OK;
}

/* An output file written whole or not at all: a temporary file beside
 * the target, renamed into place at the end. */
struct outfile {
	struct cli_out o;
	FILE *fp;
};

static int
out_open(struct outfile *o, const char *path)
{
	if (cli_out_open(&o->o, path, 0) != 0) {
		o->fp = NULL;
		return -1;
	}
	o->fp = o->o.fp;
	return 0;
}

static int
out_close(struct outfile *o, int ok)
{
	if (o->fp == NULL)
		return 0;
	o->fp = NULL;
	return cli_out_close(&o->o, ok) != 0 ? -1 : 0;
}

static int
write_pair(FILE *fp, const struct cartel_match_pair *p)
{
	char score[32];
	snprintf(score, sizeof score, "%.4f", p->probability);
	const char *row[4] = {p->left_id, p->right_id, score,
			      p->explanation ? p->explanation : ""};
	return cartel_csv_write_row(fp, row, 4);
}

static const char *const pair_header[4] = {"left_id", "right_id", "score",
					   "explanation"};

int
cmd_link(struct cli *cli, int argc, char **argv)
{
	const char *files[2] = {NULL, NULL}, *out_path = NULL,
		   *review_path = NULL;
	int n_files = 0, show_stats = 0;
	struct cartel_match_opts opts;
	cartel_match_opts_init(&opts);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int more = i + 1 < argc;
		if ((strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) &&
		    more) {
			out_path = argv[++i];
		} else if (strcmp(a, "--review") == 0 && more) {
			review_path = argv[++i];
		} else if (strcmp(a, "--threshold") == 0 && more) {
			if (parse_prob("link", a, argv[++i], &opts.threshold))
				return EXIT_USAGE;
		} else if (strcmp(a, "--review-threshold") == 0 && more) {
			if (parse_prob("link", a, argv[++i], &opts.review))
				return EXIT_USAGE;
		} else if (strcmp(a, "--threads") == 0 && more) {
			long t;
			if (parse_count("link", a, argv[++i], &t))
				return EXIT_USAGE;
			opts.n_threads = (int)t;
		} else if (strcmp(a, "--all") == 0) {
			opts.one_to_one = 0;
		} else if (strcmp(a, "--stats") == 0) {
			show_stats = 1;
		} else if (strcmp(a, "--quiet") == 0) {
			cli->quiet = 1;
		} else if (a[0] == '-' && a[1] != '\0') {
			return cli_usage("link", "unknown option '%s'", a);
		} else if (n_files < 2) {
			files[n_files++] = a;
		} else {
			return cli_usage("link", "too many files ('%s')", a);
		}
	}
	if (n_files != 2)
		return cli_usage("link", "needs two files, LEFT.csv and "
					 "RIGHT.csv");
	if (opts.review > opts.threshold)
		return cli_usage("link", "--review-threshold must not be "
					 "above --threshold");
	struct cartel_person *left = NULL, *right = NULL;
	size_t n_left = 0, n_right = 0;
	int rc = read_list(files[0], &left, &n_left);
	if (rc == EXIT_OK)
		rc = read_list(files[1], &right, &n_right);
	if (rc != EXIT_OK) {
		cartel_match_persons_free(left, n_left);
		return rc;
	}
	struct cartel_match_pair *pairs = NULL;
	size_t n_pairs = 0;
	struct cartel_match_stats st;
	char *why = NULL;
	struct cli_progress pl;
	opts.progress = cli_progress(cli, &pl, "link");
	opts.progress_user = &pl;
	int err = cartel_match_link(left, n_left, right, n_right, &opts,
				    &pairs, &n_pairs, &st, &why);
	cli_progress_done(&pl);
	if (err != 0) {
		cartel_match_persons_free(left, n_left);
		cartel_match_persons_free(right, n_right);
		return cli_error(err, why, "linking");
	}
	struct outfile out = {0}, rev = {0};
	int ok = out_open(&out, out_path) == 0;
	if (ok && review_path != NULL)
		ok = out_open(&rev, review_path) == 0;
	size_t n_match = 0, n_review = 0;
	if (ok)
		ok = cartel_csv_write_row(out.fp, pair_header, 4) == 0;
	if (ok && rev.fp)
		ok = cartel_csv_write_row(rev.fp, pair_header, 4) == 0;
	for (size_t i = 0; ok && i < n_pairs; i++) {
		if (pairs[i].band == CARTEL_BAND_MATCH) {
			ok = write_pair(out.fp, &pairs[i]) == 0;
			n_match++;
		} else {
			if (rev.fp)
				ok = write_pair(rev.fp, &pairs[i]) == 0;
			n_review++;
		}
	}
	int rc_out = out_close(&out, ok);
	int rc_rev = out_close(&rev, ok && rc_out == 0);
	fprintf(stderr,
		_("cartel: %zu x %zu records: %zu matched, %zu for review%s\n"),
		n_left, n_right, n_match, n_review,
		review_path == NULL && n_review > 0
			? _(" (use --review FILE to keep them)")
			: "");
	if (show_stats)
		fprintf(stderr,
			"cartel: %zu candidate pairs (%.1f per record), EM %d "
			"iterations, prior %.3g, %zu components (largest "
			"%zu, greedy %zu); %.2fs normalise, %.2fs block and "
			"score, %.2fs EM, %.2fs assign\n",
			st.n_candidates,
			n_left ? (double)st.n_candidates / (double)n_left : 0,
			st.em_iterations, st.em_lambda, st.n_components,
			st.largest_component, st.n_greedy,
			st.seconds_normalise, st.seconds_candidates,
			st.seconds_em, st.seconds_assign);
	cartel_match_pairs_free(pairs, n_pairs);
	cartel_match_persons_free(left, n_left);
	cartel_match_persons_free(right, n_right);
	if (!ok || rc_out != 0 || rc_rev != 0)
		return ok ? EXIT_FAIL : cli_fail("writing the results failed");
	return EXIT_OK;
}

/* The words of the codes an inquiry shows: a candidate's band and state,
 * and what a line of its history records. */
static const char *const band_codes[] = {
	NC_("band", "match"), NC_("band", "review"),
	NC_("band", "non-match"), NULL};
static const char *const cand_states[] = {
	NC_("candidate", "pending"), NC_("candidate", "confirmed"),
	NC_("candidate", "rejected"), NC_("candidate", "closed"), NULL};
static const char *const history_whats[] = {
	NC_("inquiry history", "recorded"),
	NC_("inquiry history", "candidates found"),
	NC_("inquiry history", "confirmed"),
	NC_("inquiry history", "rejected"),
	NC_("inquiry history", "candidate closed"),
	NC_("inquiry history", "closed"),
	NC_("inquiry history", "called back"),
	NC_("inquiry history", "call-back due"),
	NULL};
#define BAND(s) cli_code("band", band_codes, (s))
#define CAND_STATE(s) cli_code("candidate", cand_states, (s))

static const char *
band_name(enum cartel_match_band b)
{
	return b == CARTEL_BAND_MATCH	 ? "match"
	       : b == CARTEL_BAND_REVIEW ? "review"
					 : "non-match";
}

/* The --pairs CSV: both ids, the cluster, the score and band, then four
 * columns per compared field (each side's value, how they compare, and
 * the bits it adds). */
static int
write_dup_header(FILE *fp)
{
	const char *row[5 + 4 * CARTEL_MATCH_N_EVIDENCE] = {
		"a_id", "b_id", "cluster_id", "score", "band"};
	static const char *const fields[CARTEL_MATCH_N_EVIDENCE] = {
		"family_name", "given_name",  "patronymic",
		"birth_date",  "birth_place", "service_number"};
	char names[4 * CARTEL_MATCH_N_EVIDENCE][40];
	for (int f = 0; f < CARTEL_MATCH_N_EVIDENCE; f++) {
		static const char *const sfx[4] = {"_a", "_b", "_how", "_bits"};
		for (int k = 0; k < 4; k++) {
			snprintf(names[4 * f + k], sizeof names[0], "%s%s",
				 fields[f], sfx[k]);
			row[5 + 4 * f + k] = names[4 * f + k];
		}
	}
	return cartel_csv_write_row(fp, row, 5 + 4 * CARTEL_MATCH_N_EVIDENCE);
}

static int
write_dup(FILE *fp, const struct cartel_person *p,
	  const struct cartel_match_dup *q)
{
	const char *row[5 + 4 * CARTEL_MATCH_N_EVIDENCE];
	char score[32], bits[CARTEL_MATCH_N_EVIDENCE][32];
	snprintf(score, sizeof score, "%.4f", q->probability);
	row[0] = q->a_id;
	row[1] = q->b_id;
	row[2] = p[q->cluster].id;
	row[3] = score;
	row[4] = band_name(q->band);
	for (int f = 0; f < CARTEL_MATCH_N_EVIDENCE; f++) {
		const struct cartel_match_evidence *e = &q->evidence[f];
		snprintf(bits[f], sizeof bits[f], "%+.1f", e->weight);
		row[5 + 4 * f] = e->left ? e->left : "";
		row[6 + 4 * f] = e->right ? e->right : "";
		row[7 + 4 * f] = e->how ? e->how : "";
		row[8 + 4 * f] = bits[f];
	}
	return cartel_csv_write_row(fp, row, 5 + 4 * CARTEL_MATCH_N_EVIDENCE);
}

int
cmd_dedupe(struct cli *cli, int argc, char **argv)
{
	const char *file = NULL, *out_path = NULL;
	int pairs = 0, from_register = 0;
	struct cartel_match_opts opts;
	cartel_match_opts_init(&opts);
	for (int i = 1; i < argc; i++) {
		int r = cli_common_opt(cli, "dedupe", argc, argv, &i);
		if (r == 1)
			continue;
		if (r != 0)
			return r;
		const char *a = argv[i];
		int more = i + 1 < argc;
		if ((strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) &&
		    more) {
			out_path = argv[++i];
		} else if (strcmp(a, "--threshold") == 0 && more) {
			if (parse_prob("dedupe", a, argv[++i], &opts.threshold))
				return EXIT_USAGE;
		} else if (strcmp(a, "--pairs") == 0) {
			pairs = 1;
		} else if (strcmp(a, "--register") == 0) {
			from_register = 1;
		} else if (a[0] == '-' && a[1] != '\0') {
			return cli_usage("dedupe", "unknown option '%s'", a);
		} else if (file == NULL) {
			file = a;
		} else {
			return cli_usage("dedupe", "takes one file");
		}
	}
	if (file == NULL && !from_register)
		return cli_usage("dedupe", "needs a file, or --register");
	if (file != NULL && from_register)
		return cli_usage("dedupe", "takes a file or --register, not "
					   "both");
	if (opts.review > opts.threshold)
		opts.review = opts.threshold;
	struct cartel_person *p = NULL;
	size_t n = 0;
	if (from_register) {
		/* The register's records, those merged into another left
		 * out: what remains to merge. */
		struct cartel_db *db;
		int rc = cli_open_db(cli, CARTEL_DB_READONLY, &db);
		if (rc != 0)
			return rc;
		char *why = NULL;
		int err = cartel_db_persons(db, &p, &n, &why);
		cartel_db_close(db);
		if (err != 0)
			return cli_error(err, why, "reading the register");
	} else {
		int rc = read_list(file, &p, &n);
		if (rc != EXIT_OK)
			return rc;
	}
	size_t *cluster = malloc((n ? n : 1) * sizeof *cluster);
	if (cluster == NULL) {
		cartel_persons_free(p, n);
		return cli_fail("out of memory");
	}
	char *why = NULL;
	struct cartel_match_stats st;
	struct cartel_match_dup *d = NULL;
	size_t n_d = 0;
	struct cli_progress pl;
	opts.progress = cli_progress(cli, &pl, "dedupe");
	opts.progress_user = &pl;
	int err = cartel_match_dedupe_pairs(p, n, &opts, cluster, &d, &n_d,
					    &st, &why);
	cli_progress_done(&pl);
	if (err != 0) {
		free(cluster);
		cartel_persons_free(p, n);
		return cli_error(err, why, "deduplicating");
	}
	struct outfile out = {0};
	int ok = out_open(&out, out_path) == 0;
	size_t n_clusters = 0, n_match = 0;
	for (size_t i = 0; i < n; i++)
		n_clusters += cluster[i] == i;
	for (size_t i = 0; i < n_d; i++)
		n_match += d[i].band == CARTEL_BAND_MATCH;
	if (ok && cli->json) {
		char *text = cartel_match_dups_json(p, n, cluster, d, n_d);
		ok = text != NULL && fputs(text, out.fp) >= 0 &&
		     fputc('\n', out.fp) != EOF;
		free(text);
	} else if (ok && pairs) {
		ok = write_dup_header(out.fp) == 0;
		for (size_t i = 0; ok && i < n_d; i++)
			ok = write_dup(out.fp, p, &d[i]) == 0;
	} else if (ok) {
		/* The default, as it always was: id,cluster_id. */
		static const char *const hdr[2] = {"id", "cluster_id"};
		ok = cartel_csv_write_row(out.fp, hdr, 2) == 0;
		for (size_t i = 0; ok && i < n; i++) {
			const char *row[2] = {p[i].id, p[cluster[i]].id};
			ok = cartel_csv_write_row(out.fp, row, 2) == 0;
		}
	}
	int rc_out = out_close(&out, ok);
	fprintf(stderr,
		_("cartel: %zu records in %zu clusters; %zu pairs judged one "
		  "person, %zu for review\n"),
		n, n_clusters, n_match, n_d - n_match);
	cartel_match_dups_free(d, n_d);
	free(cluster);
	cartel_persons_free(p, n);
	if (!ok || rc_out != 0)
		return ok ? EXIT_FAIL : cli_fail("writing the results failed");
	return EXIT_OK;
}

/* A stored value for a human-readable line: escaped for the terminal,
 * "" for none. */
static const char *
str_or(const char *s)
{
	return cli_t(s);
}

/* Says, before a long wait, why the search index is being built. */
static void
search_on_build(void *ctx, const char *reason, size_t n_persons)
{
	(void)ctx;
	fprintf(stderr,
		_("cartel: %s%sbuilding the search index (%zu persons)...\n"),
		cli_t(reason), reason[0] ? "; " : "", n_persons);
	fflush(stderr);
}

int
cmd_search(struct cli *cli, int argc, char **argv)
{
	const char *born = NULL, *db_path = cli->db_path;
	int json = cli->json, verbose = 0;
	long limit = 10;
	char name[1024];
	size_t name_len = 0;
	struct cartel_search_opts so;
	cartel_search_opts_init(&so);
	so.on_build = search_on_build;
	name[0] = '\0';
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int more = i + 1 < argc;
		if (strcmp(a, "--born") == 0 && more) {
			born = argv[++i];
		} else if (strcmp(a, "--db") == 0 && more) {
			db_path = argv[++i];
		} else if (strcmp(a, "--json") == 0) {
			json = 1;
		} else if (strcmp(a, "--verbose") == 0) {
			verbose = 1;
		} else if (strcmp(a, "--limit") == 0 && more) {
			if (parse_count("search", a, argv[++i], &limit))
				return EXIT_USAGE;
		} else if (strcmp(a, "--rebuild-index") == 0) {
			so.mode = CARTEL_SEARCH_REBUILD;
		} else if (strcmp(a, "--no-index") == 0) {
			so.mode = CARTEL_SEARCH_MEMORY;
		} else if (strcmp(a, "--verify-index") == 0) {
			so.verify_index = 1;
		} else if (strcmp(a, "--quiet") == 0) {
			cli->quiet = 1;
		} else if (a[0] == '-' && a[1] == '-') {
			return cli_usage("search", "unknown option '%s'", a);
		} else {
			size_t l = strlen(a);
			if (name_len + l + 2 > sizeof name)
				return cli_usage("search", "the name is too long");
			if (name_len > 0)
				name[name_len++] = ' ';
			memcpy(name + name_len, a, l + 1);
			name_len += l;
		}
	}
	if (name_len == 0 && so.mode != CARTEL_SEARCH_REBUILD)
		return cli_usage("search", "needs a name");
	if (name_len == 0 && born != NULL)
		return cli_usage("search", "--born needs a name");
	struct cartel_query pq;
	memset(&pq, 0, sizeof pq);
	char *why = NULL;
	int err = 0;
	if (name_len > 0 &&
	    (err = cartel_query_parse(name, name_len, born, NULL, &pq,
				      &why)) != 0)
		return cli_error(err, why,
				 err == CARTEL_EINVAL ? "reading the name"
						      : N_("reading the name "
							   "and --born"));
	/* Read-only: the register is never written by a search; the index
	 * beside it is a file of its own. */
	struct cartel_db *db = NULL;
	err = cartel_db_open(&db, db_path, CARTEL_DB_READONLY, &why);
	if (err != 0) {
		cartel_query_clear(&pq);
		return cli_error(err, why, "opening the register");
	}
	struct cartel_search_hit *h = NULL;
	size_t nh = 0, reading = 0;
	struct cartel_search_info info;
	struct cli_progress pl;
	so.progress = cli_progress(cli, &pl, "search index");
	so.progress_user = &pl;
	if (name_len > 0)
		err = cartel_search_text(db, &pq, (size_t)limit, 0, &so, &h,
					 &nh, &reading, &info, &why);
	else
		err = cartel_search(db, NULL, 0, 0, &so, NULL, NULL, &info,
				    &why);
	cli_progress_done(&pl);
	cartel_db_close(db);
	if (err != 0) {
		cartel_search_info_clear(&info);
		cartel_query_clear(&pq);
		return cli_error(err, why, "searching");
	}
	if (info.note != NULL)
		fprintf(stderr, "cartel: %s\n", cli_t(info.note));
	if (name_len == 0) {
		/* --rebuild-index alone. */
		int saved = info.note == NULL;
		if (info.built)
			printf(cartel_ngettext("search index built (%zu persons)\n",
					       "search index built (%zu "
					       "persons)\n",
					       info.n_persons),
			       info.n_persons);
		cartel_search_info_clear(&info);
		return saved ? EXIT_OK : EXIT_FAIL;
	}
	char read_as[512];
	cartel_query_reading_text(&pq, reading, read_as, sizeof read_as);
	if (json) {
		json_t *arr = json_array();
		for (size_t i = 0; arr && i < nh; i++)
			json_array_append_new(arr,
					      cartel_search_hit_json(&h[i], read_as));
		if (arr != NULL) {
			json_dumpf(arr, stdout, JSON_INDENT(2));
			fputc('\n', stdout);
			json_decref(arr);
		}
	} else {
		printf(cartel_ngettext("searched %zu person, read as %s\n",
				       "searched %zu persons, read as %s\n",
				       info.n_persons),
		       info.n_persons, cli_t(read_as));
		if (nh == 0)
			printf("%s\n", _("no candidates"));
		for (size_t i = 0; i < nh; i++) {
			const struct cartel_person *p = &h[i].person;
			char d[16], st[256];
			cartel_search_status_text(p, h[i].status_on, st,
						  sizeof st);
			const char *band = BAND(band_name(h[i].band));
			printf("%2zu. %-12s %.3f %-*s %s %s %s %s\n    %s\n"
			       "    %s\n",
			       i + 1, cli_t(p->id), h[i].probability,
			       cli_w(band, 9), band, str_or(p->family_name),
			       str_or(p->given_name), str_or(p->patronymic),
			       cartel_date_format(&p->birth_date, d, sizeof d),
			       cli_t(st), str_or(h[i].words));
			if (verbose)
				printf("    %s\n", str_or(h[i].explanation));
		}
	}
	cartel_search_info_clear(&info);
	cartel_search_hits_free(h, nh);
	cartel_query_clear(&pq);
	return EXIT_OK;
}

/* ---- Inquiries and their review ---- */

/* Prints the potential matches (of inquiry id, or all when NULL; pending
 * ones only unless all) as a table or JSON. */
static int
inquiry_print_found(struct cartel_db *db, const char *id, int json, int all)
{
	struct cartel_review_item *it = NULL;
	size_t n = 0;
	char *why = NULL;
	int err = cartel_review_list(db, all, &it, &n, &why);
	if (err != 0)
		return cli_error(err, why, "reading potential matches");
	if (json) {
		json_t *arr = json_array();
		for (size_t i = 0; arr && i < n; i++) {
			if (id != NULL && strcmp(it[i].inquiry_id, id) != 0)
				continue;
			json_t *o = cartel_review_item_json(&it[i]);
			if (o != NULL)
				json_array_append_new(arr, o);
		}
		if (arr != NULL) {
			json_dumpf(arr, stdout, JSON_INDENT(2));
			fputc('\n', stdout);
			json_decref(arr);
		}
	} else {
		if (n == 0)
			printf("%s\n", _("nothing to review"));
		/* The pending ones shown, said in words under each (those of
		 * an inquiry still open, and identity links); without them
		 * (the register busy) the engine's explanation stands. */
		for (size_t i = 0; i < n; i++) {
			if ((id != NULL && strcmp(it[i].inquiry_id, id) != 0) ||
			    it[i].state == NULL ||
			    strcmp(it[i].state, "pending") != 0)
				continue;
			char *w = NULL;
			(void)cartel_review_words(db, &it[i], 1, &w);
			free(w);
		}
		for (size_t i = 0; i < n; i++) {
			if (id != NULL && strcmp(it[i].inquiry_id, id) != 0)
				continue;
			const char *band = BAND(it[i].band),
				   *st = CAND_STATE(it[i].state);
			printf("%s %-*s %.3f %-*s %-*s %s\n",
			       cli_t(it[i].inquiry_id),
			       cli_w(cli_t(it[i].person_id), 12),
			       cli_t(it[i].person_id), it[i].score,
			       cli_w(band, 6), band, cli_w(st, 9), st,
			       str_or(it[i].explanation));
			if (it[i].words != NULL)
				printf("      %s\n", it[i].words);
			if (it[i].decided_by != NULL)
				printf(_("      %s by %s at %s: %s\n"), st,
				       cli_t(it[i].decided_by),
				       str_or(it[i].decided_at),
				       str_or(it[i].reason));
		}
	}
	cartel_review_items_free(it, n);
	return EXIT_OK;
}

/* Prints a JSON value to stdout and frees it; fails when out of memory. */
static int
print_json(json_t *v)
{
	if (v == NULL)
		return cli_fail("out of memory");
	json_dumpf(v, stdout, JSON_INDENT(2));
	fputc('\n', stdout);
	json_decref(v);
	return EXIT_OK;
}

/* "name (relation)" of who asked, or "" when nobody was recorded. */
static void
print_asker(const char *requester, const char *relation, const char *contact)
{
	printf("%s", requester ? cli_t(requester)
			       : _("(who asked not recorded)"));
	if (relation != NULL)
		printf(" (%s)", cli_t(relation));
	printf(_(", contact %s"),
	       contact ? cli_t(contact) : _("(none recorded)"));
}

static void
print_sought(const struct cartel_inquiry *q)
{
	char d[16];
	/* TRANSLATORS: the labels of inquiry show are aligned: the value
	 * starts after the longest of them. */
	const char *l_sought = _("sought:"), *l_typed = _("typed:"),
		   *l_seen = _("last seen:");
	printf("  %-*s ", cli_w(l_sought, 8), l_sought);
	const char *sep = "";
	const char *parts[3] = {q->family_name, q->given_name, q->patronymic};
	for (int k = 0; k < 3; k++)
		if (parts[k] != NULL) {
			printf("%s%s", sep, cli_t(parts[k]));
			sep = " ";
		}
	if (q->birth_date.year != 0)
		printf(_(", born %s"),
		       cartel_date_format(&q->birth_date, d, sizeof d));
	if (q->birth_place != NULL)
		printf(_(" in %s"), cli_t(q->birth_place));
	if (q->service_number != NULL)
		printf(_(", service number %s"), cli_t(q->service_number));
	if (q->unit != NULL)
		printf(_(", unit %s"), cli_t(q->unit));
	printf("\n");
	if (q->typed != NULL)
		printf("  %-*s %s\n", cli_w(l_typed, 8), l_typed,
		       cli_t(q->typed));
	if (q->last_seen_place != NULL || q->last_seen_on.year != 0) {
		printf("  %s", l_seen);
		if (q->last_seen_place != NULL)
			printf(" %s", cli_t(q->last_seen_place));
		if (q->last_seen_on.year != 0)
			printf(_(" on %s"), cartel_date_format(&q->last_seen_on,
							       d, sizeof d));
		printf("\n");
	}
}

/* The detail of a history line as a person reads it: the library records
 * a few forms ("2 potential matches kept for review", "event #30"),
 * said here in the chosen language; any other detail (a reason typed by
 * a person) is shown as it was written. */
/* 1 when d is the whole of "N WORD..." as fmt reads it ("%zu ...%n"),
 * with N in *n. */
static int
detail_count(const char *d, const char *fmt, size_t *n)
{
	int used = 0;
	return sscanf(d, fmt, n, &used) == 1 && used > 0 && d[used] == '\0';
}

static const char *
history_detail(const char *d, char *buf, size_t size)
{
	size_t n = 0;
	long long seq = 0;
	int used = 0;
	if (detail_count(d, "%zu potential match kept for review%n", &n) ||
	    detail_count(d, "%zu potential matches kept for review%n", &n))
		snprintf(buf, size,
			 cartel_ngettext("%zu potential match kept for review",
					 "%zu potential matches kept for "
					 "review",
					 n),
			 n);
	else if (detail_count(d, "%zu change told%n", &n) ||
		 detail_count(d, "%zu changes told%n", &n))
		snprintf(buf, size,
			 cartel_ngettext("%zu change told", "%zu changes told",
					 n),
			 n);
	else if (sscanf(d, "event #%lld%n", &seq, &used) == 1 && used > 0 &&
		 d[used] == '\0')
		snprintf(buf, size, _("event #%lld"), seq);
	else if (strcmp(d, "another candidate confirmed") == 0)
		snprintf(buf, size, "%s", _("another candidate confirmed"));
	else
		return d;
	return buf;
}

/* Inquiry id in full (text), or as JSON: with full, the whole object;
 * without, the array of its potential matches, the form `inquiry show ID
 * --json` has always had and scripts read. */
static int
inquiry_show(struct cartel_db *db, const char *id, int json, int full)
{
	struct cartel_inquiry q;
	char *why = NULL;
	int err = cartel_inquiry_get(db, id, &q, &why);
	if (err != 0)
		return cli_error(err, why, "reading the inquiry");
	int rc = EXIT_OK;
	if (json) {
		rc = full ? print_json(cartel_inquiry_json(&q))
			  : inquiry_print_found(db, id, 1, 1);
		cartel_inquiry_clear(&q);
		return rc;
	}
	printf("%s  %s\n", cli_t(q.id), cartel_inquiry_state_text(q.state));
	printf(_("  recorded %s by %s\n"), cli_t(q.created_at),
	       cli_t(q.created_by));
	printf("  %s ", _("asked by"));
	print_asker(q.requester, q.relation, q.contact);
	printf("\n");
	print_sought(&q);
	if (q.state == CARTEL_INQUIRY_CLOSED)
		printf(_("  closed %s by %s: %s\n"), cli_t(q.closed_at),
		       cli_t(q.closed_by), cli_t(q.closed_reason));
	if (q.n_callbacks_due > 0)
		printf(cartel_ngettext("  call-back due (%zu change): cartel "
				       "inquiry callbacks\n",
				       "  call-back due (%zu changes): cartel "
				       "inquiry callbacks\n",
				       q.n_callbacks_due),
		       q.n_callbacks_due);
	printf("%s\n", _("candidates:"));
	if (q.n_cand == 0)
		printf("  %s\n", _("none yet"));
	for (size_t i = 0; i < q.n_cand; i++) {
		const struct cartel_inquiry_candidate *c = &q.cand[i];
		const char *band = BAND(c->band), *st = CAND_STATE(c->state);
		printf("  %-*s %.3f %-*s %-*s %s\n",
		       cli_w(cli_t(c->person_id), 12), cli_t(c->person_id),
		       c->score, cli_w(band, 6), band, cli_w(st, 9), st,
		       cli_t(c->status_text));
		if (c->decided_by != NULL)
			/* TRANSLATORS: a candidate's decision: confirmed or
			 * rejected, by whom, when, why. */
			printf(_("      %s by %s at %s: %s\n"), st,
			       cli_t(c->decided_by), cli_t(c->decided_at),
			       cli_t(c->reason));
	}
	printf("%s\n", _("history:"));
	if (q.n_history == 0)
		printf("  %s\n", _("(recorded before inquiries kept a "
				   "history)"));
	for (size_t i = 0; i < q.n_history; i++) {
		const struct cartel_inquiry_change *h = &q.history[i];
		printf("  %s %s: %s", cli_t(h->at), cli_t(h->actor),
		       cli_t(cli_code("inquiry history", history_whats,
				      h->what)));
		if (h->person_id != NULL)
			printf(" %s", cli_t(h->person_id));
		if (h->detail != NULL) {
			char d[160];
			printf(" (%s)",
			       cli_t(history_detail(h->detail, d, sizeof d)));
		}
		printf("\n");
	}
	cartel_inquiry_clear(&q);
	return rc;
}

static int
inquiry_list(struct cartel_db *db, int open_only, const char *since,
	     int json)
{
	struct cartel_inquiry *v = NULL;
	size_t n = 0;
	char *why = NULL;
	int err = cartel_inquiry_list(db, open_only, since, &v, &n, &why);
	if (err != 0)
		return cli_error(err, why, "listing inquiries");
	int rc = EXIT_OK;
	if (json) {
		json_t *arr = json_array();
		for (size_t i = 0; arr != NULL && i < n; i++) {
			json_t *o = cartel_inquiry_json(&v[i]);
			if (o == NULL || json_array_append_new(arr, o) != 0) {
				json_decref(arr);
				arr = NULL;
			}
		}
		rc = print_json(arr);
	} else {
		if (n == 0)
			printf("%s\n", _("no inquiries"));
		for (size_t i = 0; i < n; i++) {
			const char *st = cartel_inquiry_state_text(v[i].state);
			printf("%s  %-*s %.10s  ", cli_t(v[i].id),
			       cli_w(st, 15), st,
			       cli_t(v[i].created_at));
			const char *parts[3] = {v[i].family_name,
						v[i].given_name,
						v[i].patronymic};
			const char *sep = "";
			for (int k = 0; k < 3; k++)
				if (parts[k] != NULL) {
					printf("%s%s", sep, cli_t(parts[k]));
					sep = " ";
				}
			printf("; %s ", _("asked by"));
			print_asker(v[i].requester, v[i].relation,
				    v[i].contact);
			if (v[i].n_callbacks_due > 0)
				printf("; %s", _("call-back due"));
			printf("\n");
		}
	}
	cartel_inquiries_free(v, n);
	return rc;
}

static int
inquiry_callbacks(struct cartel_db *db, int all, int json)
{
	struct cartel_callback *v = NULL;
	size_t n = 0;
	char *why = NULL;
	int err = cartel_inquiry_callbacks(db, all, &v, &n, &why);
	if (err != 0)
		return cli_error(err, why, "reading the call-back list");
	int rc = EXIT_OK;
	if (json) {
		json_t *arr = json_array();
		for (size_t i = 0; arr != NULL && i < n; i++) {
			json_t *o = cartel_callback_json(&v[i]);
			if (o == NULL || json_array_append_new(arr, o) != 0) {
				json_decref(arr);
				arr = NULL;
			}
		}
		rc = print_json(arr);
	} else {
		if (n == 0)
			printf("%s\n", _("nobody to call back"));
		for (size_t i = 0; i < n; i++) {
			/* TRANSLATORS: followed by whom to call back. */
			printf("%s  %s ", cli_t(v[i].inquiry_id), _("call"));
			print_asker(v[i].requester, v[i].relation,
				    v[i].contact);
			printf("\n");
			for (size_t k = 0; k < v[i].n_changes; k++) {
				const struct cartel_callback_change *c =
					&v[i].changes[k];
				printf("    %.10s %s%s: %s", cli_t(c->at),
				       cli_t(c->person_id),
				       c->confirmed ? "" : _(" (possible match)"),
				       cli_t(c->text));
				if (c->done_at != NULL)
					printf(_(" [called back %s by %s]"),
					       cli_t(c->done_at),
					       cli_t(c->done_by));
				printf("\n");
			}
		}
	}
	cartel_callbacks_free(v, n);
	return rc;
}

int
cmd_inquiry(struct cli *cli, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage("inquiry", "needs 'add', 'match', 'list', "
					    "'show', 'close' or 'callbacks'");
	const char *sub = argv[1];
	struct cartel_person q;
	memset(&q, 0, sizeof q);
	const char *by = NULL, *contact = NULL, *name = NULL, *born = NULL,
		   *id = NULL, *requester = NULL, *relation = NULL,
		   *seen_place = NULL, *seen_on = NULL, *since = NULL,
		   *reason = NULL, *done = NULL;
	int open_only = 0, all = 0, full = 0;
	int first = 2;
	/* callbacks done ID */
	if (strcmp(sub, "callbacks") == 0 && argc > 2 &&
	    strcmp(argv[2], "done") == 0) {
		done = argv[2];
		first = 3;
	}
	for (int i = first; i < argc; i++) {
		int took = cli_common_opt(cli, "inquiry", argc, argv, &i);
		if (took == EXIT_USAGE)
			return EXIT_USAGE;
		if (took)
			continue;
		const char *a = argv[i];
		int more = i + 1 < argc;
		const char **dst = NULL;
		if (strcmp(a, "--family") == 0)
			dst = (const char **)&q.family_name;
		else if (strcmp(a, "--given") == 0)
			dst = (const char **)&q.given_name;
		else if (strcmp(a, "--patronymic") == 0)
			dst = (const char **)&q.patronymic;
		else if (strcmp(a, "--place") == 0)
			dst = (const char **)&q.birth_place;
		else if (strcmp(a, "--service") == 0)
			dst = (const char **)&q.service_number;
		else if (strcmp(a, "--unit") == 0)
			dst = (const char **)&q.unit;
		else if (strcmp(a, "--name") == 0)
			dst = &name;
		else if (strcmp(a, "--born") == 0)
			dst = &born;
		else if (strcmp(a, "--by") == 0)
			dst = &by;
		else if (strcmp(a, "--contact") == 0)
			dst = &contact;
		else if (strcmp(a, "--requester") == 0)
			dst = &requester;
		else if (strcmp(a, "--relation") == 0)
			dst = &relation;
		else if (strcmp(a, "--last-seen-place") == 0)
			dst = &seen_place;
		else if (strcmp(a, "--last-seen-on") == 0)
			dst = &seen_on;
		else if (strcmp(a, "--since") == 0)
			dst = &since;
		else if (strcmp(a, "--reason") == 0)
			dst = &reason;
		if (dst != NULL) {
			if (!more)
				return cli_usage("inquiry", "%s needs a value",
						 a);
			*dst = argv[++i];
		} else if (strcmp(a, "--open") == 0) {
			open_only = 1;
		} else if (strcmp(a, "--all") == 0) {
			all = 1;
		} else if (strcmp(a, "--full") == 0) {
			full = 1;
		} else if (a[0] == '-' && a[1] != '\0') {
			return cli_usage("inquiry", "unknown option '%s'", a);
		} else if (id == NULL) {
			id = a;
		} else {
			return cli_usage("inquiry", "unexpected '%s'", a);
		}
	}
	int is_add = strcmp(sub, "add") == 0, is_match = strcmp(sub, "match") == 0,
	    is_show = strcmp(sub, "show") == 0,
	    is_list = strcmp(sub, "list") == 0,
	    is_close = strcmp(sub, "close") == 0,
	    is_calls = strcmp(sub, "callbacks") == 0;
	if (!is_add && !is_match && !is_show && !is_list && !is_close &&
	    !is_calls)
		return cli_usage("inquiry", "unknown subcommand '%s'", sub);
	if ((is_add || is_match || is_close || done != NULL) &&
	    (by == NULL || by[0] == '\0'))
		return cli_usage("inquiry", "%s needs --by NAME (who records "
					    "it)",
				 done != NULL ? "callbacks done" : sub);
	if (is_close && (id == NULL || reason == NULL || reason[0] == '\0'))
		return cli_usage("inquiry", "close needs ID and --reason TEXT");
	if (done != NULL && id == NULL)
		return cli_usage("inquiry", "callbacks done needs the inquiry "
					    "ID");
	if ((is_list || (is_calls && done == NULL)) && id != NULL)
		return cli_usage("inquiry", "unexpected '%s'", id);
	if (is_add && id != NULL)
		return cli_usage("inquiry", "unexpected '%s'", id);
	if (full && !(is_show && id != NULL))
		return cli_usage("inquiry", "--full is for 'inquiry show ID "
					    "--json'");
	char *why = NULL;
	struct cartel_query pq;
	memset(&pq, 0, sizeof pq);
	struct cartel_date last_seen = {0, 0, 0};
	if (is_add && seen_on != NULL) {
		int err = cartel_date_parse(seen_on, &last_seen, &why);
		if (err != 0)
			return cli_error(err, why, "reading --last-seen-on");
	}
	if (is_add && name != NULL) {
		int err = cartel_query_parse(name, strlen(name), born, NULL,
					     &pq, &why);
		if (err != 0)
			return cli_error(err, why, "reading --name");
		q.birth_date = pq.born;
	} else if (is_add && born != NULL) {
		int err = cartel_date_parse(born, &q.birth_date, &why);
		if (err != 0)
			return cli_error(err, why, "reading --born");
	}
	int readonly = is_show || is_list || (is_calls && done == NULL);
	struct cartel_db *db = NULL;
	if (cli_open_db(cli, readonly ? CARTEL_DB_READONLY : 0, &db) != 0) {
		cartel_query_clear(&pq);
		return EXIT_FAIL;
	}
	if (pq.n_readings > 0) {
		/* The reading of the name that the register supports best,
		 * as a search would read it. */
		struct cartel_search_hit *h = NULL;
		size_t nh = 0, r = 0;
		int err = cartel_search_text(db, &pq, 1, 0, NULL, &h, &nh, &r,
					     NULL, &why);
		cartel_search_hits_free(h, nh);
		if (err != 0) {
			cartel_db_close(db);
			cartel_query_clear(&pq);
			return cli_error(err, why, "reading --name");
		}
		const struct cartel_person *rp = &pq.readings[r].person;
		if (q.family_name == NULL)
			q.family_name = rp->family_name;
		if (q.given_name == NULL)
			q.given_name = rp->given_name;
		if (q.patronymic == NULL)
			q.patronymic = rp->patronymic;
		if (!cli->json) {
			char read_as[512];
			printf(_("read as %s\n"),
			       cli_t(cartel_query_reading_text(
				       &pq, r, read_as, sizeof read_as)));
		}
	}
	int rc = EXIT_OK;
	if (is_add) {
		char *new_id = NULL;
		size_t found = 0;
		struct cartel_inquiry_request req;
		memset(&req, 0, sizeof req);
		req.sought = &q;
		req.requester = requester;
		req.relation = relation;
		req.contact = contact;
		req.typed = name;
		req.last_seen_place = seen_place;
		req.last_seen_on = last_seen;
		int err = cartel_inquiry_record(db, &req, by, NULL, &new_id,
						&found, &why);
		if (err != 0 && new_id == NULL) {
			rc = cli_error(err, why, "recording the inquiry");
		} else {
			if (!cli->json)
				printf(cartel_ngettext(
					       "%s recorded, %zu potential "
					       "match\n",
					       "%s recorded, %zu potential "
					       "matches\n",
					       found),
				       cli_t(new_id), found);
			if (err != 0)
				rc = cli_error(err, why, "matching the inquiry");
			else
				rc = inquiry_print_found(db, new_id, cli->json, 1);
		}
		free(new_id);
	} else if (is_match) {
		size_t found = 0;
		int err = cartel_inquiry_match(db, id, by, NULL, &found, &why);
		if (err != 0)
			rc = cli_error(err, why, "matching inquiries");
		else
			printf(cartel_ngettext("%zu new potential match kept "
					       "for review\n",
					       "%zu new potential matches kept "
					       "for review\n",
					       found),
			       found);
	} else if (is_show) {
		/* Without an id: every potential match, as before. */
		rc = id != NULL ? inquiry_show(db, id, cli->json, full)
				: inquiry_print_found(db, NULL, cli->json, 1);
	} else if (is_list) {
		rc = inquiry_list(db, open_only, since, cli->json);
	} else if (is_close) {
		int err = cartel_inquiry_close(db, id, reason, by, &why);
		if (err != 0)
			rc = cli_error(err, why, "closing the inquiry");
		else
			printf(_("%s closed\n"), cli_t(id));
	} else if (done != NULL) {
		size_t n = 0;
		int err = cartel_inquiry_callback_done(db, id, by, &n, &why);
		if (err != 0)
			rc = cli_error(err, why, "recording the call-back");
		else
			printf(cartel_ngettext("%s called back (%zu change)\n",
					       "%s called back (%zu changes)\n",
					       n),
			       cli_t(id), n);
	} else {
		rc = inquiry_callbacks(db, all, cli->json);
	}
	cartel_db_close(db);
	cartel_query_clear(&pq);
	return rc;
}

int
cmd_review(struct cli *cli, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage("review", "needs 'list', 'confirm' or "
					   "'reject'");
	const char *sub = argv[1];
	const char *by = NULL, *reason = NULL, *pos[2] = {NULL, NULL};
	int n_pos = 0, all = 0;
	for (int i = 2; i < argc; i++) {
		int took = cli_common_opt(cli, "review", argc, argv, &i);
		if (took == EXIT_USAGE)
			return EXIT_USAGE;
		if (took)
			continue;
		const char *a = argv[i];
		int more = i + 1 < argc;
		if (strcmp(a, "--by") == 0 && more)
			by = argv[++i];
		else if (strcmp(a, "--why") == 0 && more)
			reason = argv[++i];
		else if (strcmp(a, "--all") == 0)
			all = 1;
		else if (a[0] == '-' && a[1] != '\0')
			return cli_usage("review", "unknown option '%s'", a);
		else if (n_pos < 2)
			pos[n_pos++] = a;
		else
			return cli_usage("review", "unexpected '%s'", a);
	}
	int is_list = strcmp(sub, "list") == 0;
	int confirm = strcmp(sub, "confirm") == 0;
	if (!is_list && !confirm && strcmp(sub, "reject") != 0)
		return cli_usage("review", "unknown subcommand '%s'", sub);
	if (!is_list) {
		if (n_pos != 2)
			return cli_usage("review", "%s needs INQUIRY_ID "
						   "PERSON_ID", sub);
		if (by == NULL || reason == NULL)
			return cli_usage("review", "%s needs --by NAME and "
						   "--why TEXT", sub);
	}
	struct cartel_db *db = NULL;
	if (cli_open_db(cli, is_list ? CARTEL_DB_READONLY : 0, &db) != 0)
		return EXIT_FAIL;
	int rc = EXIT_OK;
	char *why = NULL;
	if (is_list) {
		rc = inquiry_print_found(db, NULL, cli->json, all);
	} else {
		int err = cartel_review_decide(db, pos[0], pos[1], confirm, by,
					       reason, &why);
		if (err != 0)
			rc = cli_error(err, why, "recording the decision");
		else
			printf("%s/%s %s\n", cli_t(pos[0]), cli_t(pos[1]),
			       confirm ? C_("candidate", "confirmed")
				       : C_("candidate", "rejected"));
	}
	cartel_db_close(db);
	return rc;
}
