/*
 * cartel plan: the register and a policy in, a proposed round out (a
 * mediator's summary, or the plan document of docs/policy.md with --json);
 * cartel plan explain: one captive's place in it. Each computation is
 * recorded in the audit chain with the policy's and the plan's digests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <cartel/cartel.h>
#include <cartel/plan.h>
#include <cartel/round.h>
#include <cartel/store.h>

#include "cli.h"

struct plan_args {
	const char *policy;
	const char *by;
	const char *out;  /* -o FILE: the JSON document */
	const char *id;   /* explain */
	int time_limit_ms;
	int verbose;      /* explain: the plan document's reason too */
};

static int
parse_args(struct cli *cli, const char *cmd, int argc, char **argv, int first,
	   struct plan_args *a, int want_id)
{
	for (int i = first; i < argc; i++) {
		int r = cli_common_opt(cli, cmd, argc, argv, &i);
		if (r == 1)
			continue;
		if (r != 0)
			return r;
		const char *o = argv[i];
		const char **dst = NULL;
		if (strcmp(o, "--policy") == 0)
			dst = &a->policy;
		else if (strcmp(o, "--by") == 0)
			dst = &a->by;
		else if (strcmp(o, "-o") == 0 && !want_id)
			dst = &a->out;
		if (dst != NULL) {
			if (i + 1 >= argc)
				return cli_usage(cmd, "%s needs a value", o);
			*dst = argv[++i];
			continue;
		}
		if (strcmp(o, "--time-limit") == 0) {
			if (i + 1 >= argc)
				return cli_usage(cmd, "%s needs seconds", o);
			char *end = NULL;
			double s = strtod(argv[++i], &end);
			if (end == argv[i] || *end != '\0' || s <= 0 ||
			    s > 86400)
				return cli_usage(cmd,
						 "--time-limit takes seconds "
						 "(0 < s <= 86400), not '%s'",
						 argv[i]);
			a->time_limit_ms = (int)(s * 1000.0);
			if (a->time_limit_ms < 1)
				a->time_limit_ms = 1;
			continue;
		}
		if (want_id && strcmp(o, "--verbose") == 0) {
			a->verbose = 1;
			continue;
		}
		if (want_id && a->id == NULL && o[0] != '-') {
			a->id = o;
			continue;
		}
		return cli_usage(cmd, "unexpected argument '%s'", o);
	}
	if (a->policy == NULL)
		return cli_usage(cmd, "--policy FILE is required");
	if (want_id && a->id == NULL)
		return cli_usage(cmd, "which person? give the register's id");
	return 0;
}

/* Loads, plans, and records the computation in the audit chain. On
 * success the caller frees *pol and *plan. */
static int
compute(struct cli *cli, const struct plan_args *a, const char *action,
	const char *subject, struct cartel_policy **pol,
	struct cartel_plan **plan)
{
	char *why = NULL;
	*pol = NULL;
	*plan = NULL;
	int rc = cartel_policy_load(pol, a->policy, &why);
	if (rc != 0)
		return cli_error(rc, why, "reading the policy");
	struct cartel_db *db = NULL;
	if ((rc = cli_open_db(cli, 0, &db)) != 0) {
		cartel_policy_free(*pol);
		return rc;
	}
	if ((rc = cartel_policy_check_parties(*pol, db, &why)) != 0) {
		cartel_db_close(db);
		cartel_policy_free(*pol);
		return cli_error(rc, why, "reading the policy");
	}
	struct cartel_person *persons = NULL;
	size_t n = 0;
	/* The register's persons, and those each party declared it holds
	 * (a mediator plans from the parties' held declarations). */
	rc = cartel_round_plan_persons(db, &persons, &n, &why);
	if (rc != 0) {
		cartel_db_close(db);
		cartel_policy_free(*pol);
		return cli_error(rc, why, "loading the register");
	}
	/* Whom each receiving party seeks (its sought declaration, through
	 * the identity links): ahead within their priority. */
	char **sought = NULL;
	size_t n_sought = 0;
	rc = cartel_round_plan_sought(db, persons, n, &sought, &n_sought,
				      &why);
	if (rc != 0) {
		cartel_persons_free(persons, n);
		cartel_db_close(db);
		cartel_policy_free(*pol);
		return cli_error(rc, why, "loading the register");
	}
	struct cartel_plan_opts opts = {{0, 0, 0}, a->time_limit_ms};
	rc = cartel_plan_make_sought(plan, *pol, persons, n,
				     (const char *const *)sought, n_sought,
				     &opts, &why);
	for (size_t i = 0; i < n_sought; i++)
		free(sought[i]);
	free(sought);
	cartel_persons_free(persons, n);
	if (rc != 0) {
		cartel_db_close(db);
		cartel_policy_free(*pol);
		return cli_error(rc, why, "planning the round");
	}
	/* The audit entry names the policy and the plan by digest, and
	 * counts only; the plan itself is the document. */
	rc = cartel_plan_audit(db, cli_actor(a->by), action, subject, *pol,
			       *plan, &why);
	cartel_db_close(db);
	if (rc != 0) {
		cartel_plan_free(*plan);
		cartel_policy_free(*pol);
		*plan = NULL;
		*pol = NULL;
		return cli_error(rc, why, "recording the plan in the audit "
					  "chain");
	}
	return 0;
}

/* Writes the document to path through a temporary file and a rename
 * (<cartel/file.h>), so that a failure leaves no half-written document
 * and a symbolic link at path is refused. */
static int
write_file(const char *path, const struct cartel_plan *plan)
{
	struct cli_out out;
	if (cli_out_open(&out, path, 0) != 0)
		return EXIT_FAIL;
	char *why = NULL;
	int rc = cartel_plan_write_json(plan, out.fp, 1, &why);
	if (rc != 0) {
		cli_out_close(&out, 0);
		return cli_error(rc, why, "writing the plan");
	}
	return cli_out_close(&out, 1);
}

static int
cmd_plan_explain(struct cli *cli, int argc, char **argv)
{
	struct plan_args a = {0};
	int rc = parse_args(cli, "plan", argc, argv, 2, &a, 1);
	if (rc != 0)
		return rc;
	struct cartel_policy *pol = NULL;
	struct cartel_plan *plan = NULL;
	struct cartel_plan_place pc;
	/* Say "no such person" before recording anything. A record merged
	 * into another is explained as that other (cartel merge). */
	char id_kept[256];
	{
		struct cartel_db *db = NULL;
		if ((rc = cli_open_db(cli, 0, &db)) != 0)
			return rc;
		struct cartel_person p;
		memset(&p, 0, sizeof p);
		char *why = NULL;
		rc = cartel_person_get(db, a.id, &p, &why);
		cartel_db_close(db);
		/* A person of a party's held declaration (PARTY:ID) is not a
		 * register record; the plan itself says whether it knows
		 * him. */
		if (rc == CARTEL_ENOTFOUND && strchr(a.id, ':') != NULL) {
			free(why);
			why = NULL;
			snprintf(id_kept, sizeof id_kept, "%s", a.id);
			cartel_person_clear(&p);
			rc = 0;
			goto planned;
		}
		if (rc != 0)
			return cli_error(rc, why, "finding the person");
		if (strcmp(p.id, a.id) != 0 && !cli->json)
			printf(_("%s was merged into %s\n"), cli_t(a.id),
			       cli_t(p.id));
		snprintf(id_kept, sizeof id_kept, "%s", p.id);
		a.id = id_kept;
		cartel_person_clear(&p);
	}
planned:
	if ((rc = compute(cli, &a, "plan.explain", a.id, &pol, &plan)) != 0)
		return rc;
	char *text = NULL, *why = NULL;
	rc = cartel_plan_explain(plan, a.id, &text, &why);
	if (rc == 0)
		rc = cartel_plan_place(plan, a.id, &pc);
	if (rc != 0) {
		cartel_plan_free(plan);
		cartel_policy_free(pol);
		return cli_error(rc, why, "explaining");
	}
	if (cli->json) {
		json_t *o = json_pack(
			"{s:s, s:s, s:s, s:s?, s:i, s:s?, s:I, s:I, s:I, s:I, "
			"s:i, s:I, s:b, s:b, s:s, s:s, s:s}",
			"id", a.id, "code", pc.code, "reason", pc.reason,
			"party", pc.party, "tier", pc.tier, "category",
			pc.tier_label, "tier_position",
			(json_int_t)pc.tier_position, "tier_size",
			(json_int_t)pc.tier_size, "position",
			(json_int_t)pc.position, "list_size",
			(json_int_t)pc.list_size, "stage", pc.stage, "value",
			(json_int_t)pc.value, "consent_not_asked",
			pc.consent_not_asked, "consent_undecided",
			pc.consent_undecided, "plan_digest",
			cartel_plan_digest(plan), "policy_digest",
			cartel_policy_digest(pol), "words", pc.words);
		if (o == NULL) {
			rc = cli_fail("out of memory");
		} else {
			json_dumpf(o, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
			fputc('\n', stdout);
			json_decref(o);
		}
	} else {
		printf("%s\n", text);
		if (a.verbose)
			printf("  %s %s\n", _("in the plan document:"),
			       pc.reason);
	}
	free(text);
	cartel_plan_free(plan);
	cartel_policy_free(pol);
	return rc;
}

int
cmd_plan(struct cli *cli, int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "explain") == 0)
		return cmd_plan_explain(cli, argc, argv);
	struct plan_args a = {0};
	int rc = parse_args(cli, "plan", argc, argv, 1, &a, 0);
	if (rc != 0)
		return rc;
	struct cartel_policy *pol = NULL;
	struct cartel_plan *plan = NULL;
	if ((rc = compute(cli, &a, "plan", NULL, &pol, &plan)) != 0)
		return rc;
	char *text = NULL, *why = NULL;
	if (a.out != NULL && (rc = write_file(a.out, plan)) != 0)
		goto done;
	if (cli->json) {
		rc = cartel_plan_write_json(plan, stdout, 1, &why);
		if (rc != 0) {
			rc = cli_error(rc, why, "writing the plan");
			goto done;
		}
	}
	if (!cli->json) {
		rc = cartel_plan_summary(plan, &text, &why);
		if (rc != 0) {
			rc = cli_error(rc, why, "writing the summary");
			goto done;
		}
		fputs(text, stdout);
		if (a.out != NULL)
			printf(_("Plan document written to %s.\n"), a.out);
	}
done:
	free(text);
	cartel_plan_free(plan);
	cartel_policy_free(pol);
	return rc;
}
