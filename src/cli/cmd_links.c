/*
 * cartel links: identity links between registers (docs/protocol.md).
 * make links a received declaration with the register's persons (or, at
 * the mediator, with another party's declaration) through the matching
 * engine; list shows them; confirm and revoke are a person's decisions.
 * All of it is the library's (<cartel/links.h>); this file parses and
 * prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cartel/cartel.h>
#include <cartel/links.h>
#include <cartel/match.h>

#include "cli.h"

static int
parse_p(const char *opt, const char *s, double *out)
{
	char *end = NULL;
	double v = strtod(s, &end);
	if (end == s || *end != '\0' || !(v > 0.0 && v <= 1.0))
		return cli_usage("links", "%s takes a probability in (0, 1]",
				 opt);
	*out = v;
	return 0;
}

/* A link's state and a pair's verdict as a person reads them. */
static const char *const link_codes[] = {
	NC_("link", "linked"),	  NC_("link", "pending"),
	NC_("link", "confirmed"), NC_("link", "revoked"),
	NC_("link", "review"),	  NC_("link", "unmatched"),
	NC_("link", "kept"),	  NULL};
#define LINK_WORD(s) cli_code("link", link_codes, (s))

static void
print_result(const struct cartel_links_result *r, int all)
{
	printf(cartel_ngettext("linked %1$s (%2$zu persons) with %3$s (%4$zu): "
			       "%5$zu linked, %6$zu for review, %7$zu "
			       "unmatched, %8$zu kept as they were\n",
			       "linked %1$s (%2$zu persons) with %3$s (%4$zu): "
			       "%5$zu linked, %6$zu for review, %7$zu "
			       "unmatched, %8$zu kept as they were\n",
			       r->n_theirs),
	       cli_t(r->theirs), r->n_theirs, cli_t(r->ours), r->n_ours,
	       r->n_made, r->n_review, r->n_unmatched, r->n_kept);
	for (size_t i = 0; i < r->n_rows; i++) {
		const struct cartel_link_row *w = &r->rows[i];
		if (!all && (w->verdict == CARTEL_LINK_MADE ||
			     w->verdict == CARTEL_LINK_KEPT))
			continue;
		const char *v = LINK_WORD(cartel_link_verdict_name(w->verdict));
		printf("  %-*s %s", cli_w(v, 9), v, cli_t(w->their_id));
		if (w->our_id != NULL)
			printf(" -> %s %.3f", cli_t(w->our_id), w->probability);
		if (w->verdict == CARTEL_LINK_UNMATCHED) {
			if (w->n_cands == 0)
				printf("  %s", _("(nobody near)"));
			else
				printf("  %s", _("nearest:"));
			for (size_t k = 0; k < w->n_cands; k++)
				printf(" %s %.3f", cli_t(w->cands[k].our_id),
				       w->cands[k].probability);
		}
		putchar('\n');
	}
	if (r->n_review > 0)
		printf("%s\n",
		       _("the links for review are in 'cartel review list'"));
}

static int
links_make(struct cli *cli, struct cartel_db *db, const char *theirs_s,
	   const char *ours_s, struct cartel_match_opts *mo, const char *by,
	   int all)
{
	char tb[CARTEL_PARTY_MAX], ob[CARTEL_PARTY_MAX];
	struct cartel_link_side theirs, ours;
	char *why = NULL;
	if (cartel_link_side_parse(theirs_s, &theirs, tb, &why) ||
	    cartel_link_side_parse(ours_s, &ours, ob, &why)) {
		int r = cli_usage("links", "%s", why);
		free(why);
		return r;
	}
	struct cartel_links_result res;
	int err = cartel_links_make(db, &theirs, &ours, mo, cli_actor(by),
				    &res, &why);
	if (err)
		return cli_error(err, why, "linking");
	if (cli->json) {
		char *text = NULL;
		err = cartel_links_result_json(&res, &text, &why);
		if (err == 0)
			printf("%s\n", text);
		free(text);
	} else {
		print_result(&res, all);
	}
	cartel_links_result_clear(&res);
	return err ? cli_error(err, why, "writing the result") : EXIT_OK;
}

static int
links_list(struct cli *cli, struct cartel_db *db, const char *party)
{
	struct cartel_link *v = NULL;
	size_t n = 0;
	char *why = NULL;
	int err = cartel_links_list(db, party, &v, &n, &why);
	if (err)
		return cli_error(err, why, "reading the links");
	if (cli->json) {
		char *text = NULL;
		err = cartel_links_json(v, n, &text, &why);
		if (err == 0)
			printf("%s\n", text);
		free(text);
	} else {
		if (n == 0)
			printf("%s\n", _("no links"));
		for (size_t i = 0; i < n; i++) {
			const struct cartel_link *l = &v[i];
			const char *st =
				LINK_WORD(cartel_link_state_name(l->state));
			printf("%s:%s -> %s%s%s  %-*s %.3f",
			       cli_t(l->their_party), cli_t(l->their_id),
			       cli_t(l->our_party), l->our_party[0] ? ":" : "",
			       cli_t(l->our_id), cli_w(st, 9), st,
			       l->probability);
			if (l->decided_by != NULL)
				printf(_("  by %s at %s"), cli_t(l->decided_by),
				       cli_t(l->decided_at));
			putchar('\n');
		}
	}
	cartel_links_free(v, n);
	return err ? cli_error(err, why, "writing the links") : EXIT_OK;
}

int
cmd_links(struct cli *cli, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage("links", "needs 'make', 'list', 'confirm' or "
					  "'revoke'");
	const char *sub = argv[1];
	const char *by = NULL, *reason = NULL, *party = NULL, *pos[2] = {0};
	int n_pos = 0, all = 0;
	struct cartel_match_opts mo;
	cartel_match_opts_init(&mo);
	for (int i = 2; i < argc; i++) {
		int r = cli_common_opt(cli, "links", argc, argv, &i);
		if (r == 1)
			continue;
		if (r != 0)
			return r;
		const char *a = argv[i];
		int more = i + 1 < argc;
		if (strcmp(a, "--by") == 0 && more)
			by = argv[++i];
		else if (strcmp(a, "--why") == 0 && more)
			reason = argv[++i];
		else if (strcmp(a, "--party") == 0 && more)
			party = argv[++i];
		else if (strcmp(a, "--all") == 0)
			all = 1;
		else if (strcmp(a, "--threshold") == 0 && more) {
			if (parse_p(a, argv[++i], &mo.threshold))
				return EXIT_USAGE;
		} else if (strcmp(a, "--review-threshold") == 0 && more) {
			if (parse_p(a, argv[++i], &mo.review))
				return EXIT_USAGE;
		} else if (a[0] == '-' && a[1] != '\0')
			return cli_usage("links", "unknown option '%s'", a);
		else if (n_pos < 2)
			pos[n_pos++] = a;
		else
			return cli_usage("links", "unexpected '%s'", a);
	}
	if (mo.review > mo.threshold)
		return cli_usage("links", "--review-threshold must not be "
					  "above --threshold");
	int make = strcmp(sub, "make") == 0, list = strcmp(sub, "list") == 0;
	int confirm = strcmp(sub, "confirm") == 0;
	int revoke = strcmp(sub, "revoke") == 0;
	if (!make && !list && !confirm && !revoke)
		return cli_usage("links", "unknown subcommand '%s'", sub);
	if (make && n_pos != 2)
		return cli_usage("links", "make needs THEIRS and OURS: "
					  "PARTY:held, PARTY:sought or "
					  "register");
	if (list && n_pos != 0)
		return cli_usage("links", "list takes no argument but "
					  "--party CODE");
	if ((confirm || revoke) && n_pos != 2)
		return cli_usage("links", "%s needs THEIR_PARTY:THEIR_ID "
					  "OUR_ID",
				 sub);
	if ((confirm || revoke) && by == NULL)
		return cli_usage("links", "%s needs --by NAME", sub);
	if (revoke && reason == NULL)
		return cli_usage("links", "revoke needs --why TEXT");
	struct cartel_db *db = NULL;
	if (cli_open_db(cli, list ? CARTEL_DB_READONLY : 0, &db) != 0)
		return EXIT_FAIL;
	int rc = EXIT_OK;
	if (make) {
		rc = links_make(cli, db, pos[0], pos[1], &mo, by, all);
	} else if (list) {
		rc = links_list(cli, db, party);
	} else {
		const char *colon = strchr(pos[0], ':');
		char tp[CARTEL_PARTY_MAX] = "";
		if (colon != NULL && (size_t)(colon - pos[0]) < sizeof tp) {
			memcpy(tp, pos[0], (size_t)(colon - pos[0]));
			tp[colon - pos[0]] = '\0';
		}
		if (colon == NULL || !cartel_party_valid(tp)) {
			cartel_db_close(db);
			return cli_usage("links", "'%s' is not "
						  "THEIR_PARTY:THEIR_ID",
					 cli_t(pos[0]));
		}
		char *why = NULL;
		int err = cartel_link_decide(db, tp, colon + 1, pos[1],
					     confirm, by, reason, &why);
		if (err)
			rc = cli_error(err, why, confirm ? "confirming the link"
							 : N_("revoking the link"));
		else
			printf("%s -> %s %s\n", cli_t(pos[0]), cli_t(pos[1]),
			       confirm ? C_("link", "confirmed")
				       : C_("link", "revoked"));
	}
	cartel_db_close(db);
	return rc;
}
