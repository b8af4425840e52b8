/*
 * cartel round: make a list document from a plan, sign it, verify it,
 * compare two versions. docs/rounds.md describes the document.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <cartel/cartel.h>
#include <cartel/json.h>
#include <cartel/plan.h>
#include <cartel/print.h>
#include <cartel/round.h>
#include <cartel/store.h>

#include "cli.h"

#define PLAN_MAX CARTEL_LIMIT_ROUND_DOC

/* A round's kind as a person reads it ("proposal"); the document keeps
 * the code. */
static const char *const kind_codes[] = {
	NC_("round kind", "proposal"), NC_("round kind", "counter"),
	NC_("round kind", "agreed"), NULL};

static const char *
kind_text(const struct cartel_round *r)
{
	return cli_code("round kind", kind_codes,
			cartel_round_kind_name(cartel_round_kind(r)));
}

char *
cli_read_plan(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (fp == NULL)
		return NULL;
	size_t cap = 65536, n = 0;
	char *p = malloc(cap);
	while (p != NULL) {
		if (n + 1 >= cap) {
			/* Never more than the limit and two bytes. */
			if (n > PLAN_MAX) {
				free(p);
				p = NULL;
				break;
			}
			size_t ncap = cap * 2 < PLAN_MAX + 2 ? cap * 2
							     : PLAN_MAX + 2;
			char *q = realloc(p, ncap);
			if (q == NULL) {
				free(p);
				p = NULL;
				break;
			}
			p = q;
			cap = ncap;
		}
		size_t got = fread(p + n, 1, cap - n - 1, fp);
		if (got == 0)
			break;
		n += got;
	}
	if (p != NULL && ferror(fp)) {
		free(p);
		p = NULL;
	}
	fclose(fp);
	if (p != NULL) {
		p[n] = '\0';
		*len = n;
	}
	return p;
}

static int
round_new(struct cli *cli, int argc, char **argv)
{
	const char *plan = NULL, *out = NULL, *sup = NULL, *id = NULL,
		   *by = NULL, *kind = "proposal", *print_fields = NULL,
		   *to = NULL;
	int took;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--plan") == 0 && i + 1 < argc)
			plan = argv[++i];
		else if (strcmp(argv[i], "--to") == 0 && i + 1 < argc)
			to = argv[++i];
		else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (strcmp(argv[i], "--kind") == 0 && i + 1 < argc)
			kind = argv[++i];
		else if (strcmp(argv[i], "--supersedes") == 0 && i + 1 < argc)
			sup = argv[++i];
		else if (strcmp(argv[i], "--id") == 0 && i + 1 < argc)
			id = argv[++i];
		else if (strcmp(argv[i], "--print-fields") == 0 &&
			 i + 1 < argc)
			print_fields = argv[++i];
		else if (strcmp(argv[i], "--by") == 0 && i + 1 < argc)
			by = argv[++i];
		else if ((took = cli_common_opt(cli, "round", argc, argv,
						    &i)) != 0) {
			if (took != 1)
				return took;
		} else
			return cli_usage("round", "unexpected '%s'", argv[i]);
	}
	if (plan == NULL || out == NULL)
		return cli_usage("round", "round new needs --plan PLAN.json "
					  "and -o ROUND.json");
	char *why = NULL;
	struct cartel_round_opts opts = {id, CARTEL_ROUND_PROPOSAL, NULL,
					 cli_actor(by), print_fields};
	int rc = cartel_round_kind_parse(kind, &opts.kind, &why);
	if (rc) {
		fprintf(stderr, "cartel round: %s\n", cli_t(why));
		free(why);
		return EXIT_USAGE;
	}
	size_t len = 0;
	char *text = cli_read_plan(plan, &len);
	if (text == NULL)
		return cli_fail("%s: cannot read the plan (missing, unreadable, "
				"or larger than the limit of 256 MiB)",
				plan);
	struct cartel_round *prev = NULL, *r = NULL;
	if (sup != NULL) {
		rc = cartel_round_read(&prev, sup, &why);
		if (rc) {
			free(text);
			return cli_error(rc, why, "reading the version it "
						  "supersedes");
		}
		opts.supersedes = prev;
	}
	struct cartel_db *db;
	if (cli_open_db(cli, 0, &db)) {
		free(text);
		cartel_round_free(prev);
		return EXIT_FAIL;
	}
	/* The audit entry commits only when the file is in place. */
	struct cartel_round_rules found;
	memset(&found, 0, sizeof found);
	rc = cartel_db_begin(db, &why);
	if (rc == 0)
		rc = cartel_round_from_plan_rules(db, text, len, plan, &opts,
						  &r, &found, &why);
	free(text);
	if (rc == 0)
		rc = cartel_round_write(r, out, &why);
	int logged = 0;
	if (rc == 0) {
		/* The transfer is recorded in the same transaction. */
		logged = cli_transfer(db, "round",
				      (long long)cartel_round_n_persons(r), to,
				      by, out, NULL);
		if (logged == 0)
			rc = cartel_db_commit(db, &why);
		if (rc || logged)
			remove(out);
	}
	if (rc || logged) {
		cartel_db_rollback(db);
		cartel_db_close(db);
		cartel_round_free(prev);
		cartel_round_free(r);
		if (logged) {
			/* The transfer log said why. */
			cartel_round_rules_clear(&found);
			free(why);
			return EXIT_FAIL;
		}
		rc = cli_rules_error(cli, &found, rc, why, "making the round");
		cartel_round_rules_clear(&found);
		return rc;
	}
	if (cli->json)
		printf("{\"round_id\":\"%s\",\"version\":%d,\"kind\":\"%s\","
		       "\"persons\":%zu,\"digest\":\"%s\"}\n",
		       cartel_round_id(r), cartel_round_version(r),
		       cartel_round_kind_name(cartel_round_kind(r)),
		       cartel_round_n_persons(r), cartel_round_digest(r));
	else
		printf(cartel_ngettext("round %1$s version %2$d (%3$s): %4$zu "
				       "persons on its lists, digest %5$s\n"
				       "written to %6$s; unsigned\n",
				       "round %1$s version %2$d (%3$s): %4$zu "
				       "persons on its lists, digest %5$s\n"
				       "written to %6$s; unsigned\n",
				       cartel_round_n_persons(r)),
		       cli_t(cartel_round_id(r)), cartel_round_version(r),
		       kind_text(r), cartel_round_n_persons(r),
		       cli_t(cartel_round_digest(r)), cli_t(out));
	cartel_db_close(db);
	cartel_round_free(prev);
	cartel_round_free(r);
	return EXIT_OK;
}

static int
round_sign(struct cli *cli, int argc, char **argv)
{
	const char *file = NULL, *keyf = NULL, *out = NULL, *by = NULL,
		   *plan = NULL, *to = NULL;
	int took;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--key") == 0 && i + 1 < argc)
			keyf = argv[++i];
		else if (strcmp(argv[i], "--to") == 0 && i + 1 < argc)
			to = argv[++i];
		else if (strcmp(argv[i], "--plan") == 0 && i + 1 < argc)
			plan = argv[++i];
		else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (strcmp(argv[i], "--by") == 0 && i + 1 < argc)
			by = argv[++i];
		else if ((took = cli_common_opt(cli, "round", argc, argv,
						    &i)) != 0) {
			if (took != 1)
				return took;
		} else if (argv[i][0] != '-' && file == NULL)
			file = argv[i];
		else
			return cli_usage("round", "unexpected '%s'", argv[i]);
	}
	if (file == NULL || keyf == NULL)
		return cli_usage("round", "round sign needs FILE and --key "
					  "SECRET");
	if (out == NULL)
		out = file;
	char *why = NULL;
	struct cartel_round_rules_opts ro = {NULL, 0, plan, NULL, 1, 0};
	char *plan_text = NULL;
	if (plan != NULL &&
	    (plan_text = cli_read_plan(plan, &ro.plan_len)) == NULL)
		return cli_fail("%s: cannot read the plan", plan);
	ro.plan_json = plan_text;
	struct cartel_key k;
	int rc = cartel_key_load(&k, keyf, &why);
	if (rc) {
		free(plan_text);
		return cli_error(rc, why, "reading the key");
	}
	struct cartel_round *r = NULL;
	rc = cartel_round_read(&r, file, &why);
	if (rc) {
		cartel_key_wipe(&k);
		free(plan_text);
		return cli_error(rc, why, "reading the round");
	}
	struct cartel_round_rules notes;
	memset(&notes, 0, sizeof notes);
	size_t old_len = 0;
	char *old = cli_read_plan(out, &old_len); /* to restore on failure */
	struct cartel_db *db;
	if (cli_open_db(cli, 0, &db)) {
		cartel_key_wipe(&k);
		cartel_round_free(r);
		free(old);
		free(plan_text);
		return EXIT_FAIL;
	}
	rc = cartel_db_begin(db, &why);
	if (rc == 0)
		rc = cartel_round_sign_checked(db, r, &k, &ro, &notes,
					       cli_actor(by), &why);
	free(plan_text);
	plan_text = NULL;
	if (rc == 0)
		rc = cartel_round_write(r, out, &why);
	int logged = 0;
	if (rc == 0) {
		logged = cli_transfer(db, "round",
				      (long long)cartel_round_n_persons(r), to,
				      by, out, NULL);
		if (logged == 0)
			rc = cartel_db_commit(db, &why);
		else
			rc = CARTEL_EIO;
		if (rc) {
			/* Put the file back as it was, or remove a new one. */
			if (old == NULL ||
			    cartel_file_put(out, old, old_len, 0, NULL) != 0)
				remove(out);
		}
	}
	char fp[CARTEL_DIGEST_LEN];
	cartel_key_fingerprint(k.public_key, fp);
	char party[CARTEL_PARTY_MAX];
	snprintf(party, sizeof party, "%s", k.party);
	cartel_key_wipe(&k);
	free(old);
	if (rc) {
		cartel_db_rollback(db);
		cartel_db_close(db);
		cartel_round_free(r);
		if (logged) {
			/* The transfer log said why. */
			cartel_round_rules_clear(&notes);
			free(why);
			return EXIT_FAIL;
		}
		rc = cli_rules_error(cli, &notes, rc, why, "signing the round");
		cartel_round_rules_clear(&notes);
		return rc;
	}
	/* What the signer's own register could not map: reported, not a
	 * reason to refuse. */
	for (size_t i = 0; i < notes.n; i++)
		fprintf(cli->json ? stderr : stdout, _("note: %s\n"),
			cli_t(notes.v[i].text));
	cartel_round_rules_clear(&notes);
	if (cli->json)
		printf("{\"round_id\":\"%s\",\"version\":%d,\"party\":\"%s\","
		       "\"key\":\"%s\",\"digest\":\"%s\"}\n",
		       cartel_round_id(r), cartel_round_version(r), party, fp,
		       cartel_round_digest(r));
	else
		printf(_("signed round %s version %d as %s (key %s)\n"),
		       cli_t(cartel_round_id(r)), cartel_round_version(r),
		       cli_t(party), fp);
	cartel_db_close(db);
	cartel_round_free(r);
	return EXIT_OK;
}

static int
round_verify(struct cli *cli, int argc, char **argv)
{
	const char *file = NULL, *by = NULL;
	int took;
	for (int i = 2; i < argc; i++) {
		if ((took = cli_common_opt(cli, "round", argc, argv,
						    &i)) != 0) {
			if (took != 1)
				return took;
		} else if (strcmp(argv[i], "--by") == 0 && i + 1 < argc)
			by = argv[++i];
		else if (argv[i][0] != '-' && file == NULL)
			file = argv[i];
		else
			return cli_usage("round", "unexpected '%s'", argv[i]);
	}
	if (file == NULL)
		return cli_usage("round", "round verify needs FILE");
	char *why = NULL;
	struct cartel_round *r = NULL;
	int rc = cartel_round_read(&r, file, &why);
	if (rc) {
		if (cli->json) {
			json_t *o = json_pack("{sbss}", "ok", 0, "error",
					      why ? why : cartel_strerror(rc));
			json_dumpf(o, stdout, JSON_COMPACT);
			putchar('\n');
			json_decref(o);
		}
		return cli_error(rc, why, "verifying");
	}
	struct cartel_db *db;
	if (cli_open_db(cli, 0, &db)) {
		cartel_round_free(r);
		return EXIT_FAIL;
	}
	struct cartel_round_check chk;
	char *vwhy = NULL;
	int vrc = cartel_round_verify(db, r, &chk, &vwhy);
	if (vrc != 0 && vrc != CARTEL_ETAMPER) {
		cartel_db_close(db);
		cartel_round_free(r);
		return cli_error(vrc, vwhy, "verifying");
	}
	char detail[64];
	snprintf(detail, sizeof detail, "outcome=%s problems=%zu",
		 vrc ? "fails" : "holds", chk.n_problems);
	rc = cartel_round_audit(db, cli_actor(by), "round.verify", r, detail,
				&why);
	cartel_db_close(db);
	if (rc) {
		cartel_round_check_clear(&chk);
		cartel_round_free(r);
		free(vwhy);
		return cli_error(rc, why, "recording the verification");
	}
	if (cli->json) {
		json_t *o = cartel_round_check_json(r, &chk, vrc == 0);
		json_dumpf(o, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(o);
	} else {
		printf(cartel_ngettext("round %s version %d (%s), %zu persons "
				       "on its lists\n  digest %s\n",
				       "round %s version %d (%s), %zu persons "
				       "on its lists\n  digest %s\n",
				       cartel_round_n_persons(r)),
		       cli_t(cartel_round_id(r)), cartel_round_version(r),
		       kind_text(r), cartel_round_n_persons(r),
		       cli_t(cartel_round_digest(r)));
		/* TRANSLATORS: said of the manifest, the digest and a
		 * signature of a round's document. */
		const char *holds = _("holds"), *broken = _("DOES NOT HOLD");
		printf(_("  manifest: %s\n  digest: %s\n"),
		       chk.manifest_ok ? holds : broken,
		       chk.digest_ok ? holds : broken);
		for (int i = 0; i < 2; i++) {
			const struct cartel_round_sig_status *s = &chk.sig[i];
			if (!s->present) {
				printf(_("  signature %s: missing\n"),
				       cli_t(s->party));
				continue;
			}
			printf(_("  signature %s: %s, key %s (%s)\n"),
			       cli_t(s->party), s->valid ? holds : broken,
			       cli_t(s->fingerprint),
			       s->key_is_pinned ? _("pinned")
			       : s->pinned	? _("NOT the pinned key")
						: _("no key pinned"));
		}
	}
	cartel_round_check_clear(&chk);
	cartel_round_free(r);
	if (vrc) {
		fprintf(stderr, "cartel: %s\n",
			vwhy ? cli_t(vwhy) : _("does not verify"));
		free(vwhy);
		return EXIT_FAIL;
	}
	if (!cli->json)
		puts(_("verified: both signatures hold under the pinned "
		       "keys"));
	return EXIT_OK;
}

/* Collects repeated PARTY:ID values of one option. */
static int
push_ref(const char ***v, size_t *n, const char *s)
{
	const char **nv = realloc(*v, (*n + 1) * sizeof *nv);
	if (nv == NULL)
		return -1;
	*v = nv;
	nv[(*n)++] = s;
	return 0;
}

/* Under civilians for civilians, each pool as the change leaves it. */
static void
print_pools(FILE *fp, const struct cartel_round_balance *b, int would)
{
	if (b->pools != 2)
		return;
	for (int i = 0; i < 2; i++)
		fprintf(fp,
			"  %s %s %zu civilian%s (was %zu); besides "
			"civilians, value %ld (was %ld)\n",
			cli_t(b->party[i]), would ? "would give" : "gives",
			b->pool_n_after[i][1],
			b->pool_n_after[i][1] == 1 ? "" : "s",
			b->pool_n_before[i][1], b->pool_after[i][0],
			b->pool_before[i][0]);
}

static int
round_amend(struct cli *cli, int argc, char **argv)
{
	const char *file = NULL, *out = NULL, *by = NULL, *kind = NULL,
		   *policy = NULL, *to = NULL;
	const char **add = NULL, **rem = NULL;
	size_t n_add = 0, n_rem = 0;
	int took, rc = 0;
	for (int i = 2; i < argc && rc == 0; i++) {
		if (strcmp(argv[i], "--add") == 0 && i + 1 < argc)
			rc = push_ref(&add, &n_add, argv[++i]);
		else if (strcmp(argv[i], "--remove") == 0 && i + 1 < argc)
			rc = push_ref(&rem, &n_rem, argv[++i]);
		else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (strcmp(argv[i], "--kind") == 0 && i + 1 < argc)
			kind = argv[++i];
		else if (strcmp(argv[i], "--policy") == 0 && i + 1 < argc)
			policy = argv[++i];
		else if (strcmp(argv[i], "--to") == 0 && i + 1 < argc)
			to = argv[++i];
		else if (strcmp(argv[i], "--by") == 0 && i + 1 < argc)
			by = argv[++i];
		else if ((took = cli_common_opt(cli, "round", argc, argv,
						    &i)) != 0) {
			if (took != 1)
				rc = took;
		} else if (argv[i][0] != '-' && file == NULL)
			file = argv[i];
		else
			rc = cli_usage("round", "unexpected '%s'", argv[i]);
	}
	if (rc == 0 && (file == NULL || out == NULL || kind == NULL))
		rc = cli_usage("round", "round amend needs FILE, --kind "
					"counter|agreed and -o NEW.json");
	if (rc) {
		free(add);
		free(rem);
		return rc < 0 ? EXIT_FAIL : rc;
	}
	char *why = NULL;
	struct cartel_round_amend_opts o = {CARTEL_ROUND_COUNTER, add, n_add,
					    rem, n_rem, NULL, cli_actor(by)};
	struct cartel_policy *pol = NULL;
	struct cartel_round *from = NULL, *r = NULL;
	struct cartel_db *db = NULL;
	struct cartel_round_balance bal;
	struct cartel_round_rules rules;
	memset(&bal, 0, sizeof bal);
	memset(&rules, 0, sizeof rules);
	const char *doing = "amending the round";
	rc = cartel_round_kind_parse(kind, &o.kind, &why);
	if (rc == 0 && o.kind == CARTEL_ROUND_PROPOSAL) {
		why = strdup("an amendment answers a proposal: --kind counter "
			     "or agreed");
		rc = CARTEL_EINVAL;
	}
	if (rc) {
		fprintf(stderr, "cartel round: %s\n", cli_t(why));
		free(why);
		free(add);
		free(rem);
		return EXIT_USAGE;
	}
	if (policy != NULL && (rc = cartel_policy_load(&pol, policy, &why))) {
		doing = "reading the policy";
		goto fail;
	}
	o.policy = pol;
	if ((rc = cartel_round_read(&from, file, &why)) != 0) {
		doing = "reading the round";
		goto fail;
	}
	if (cli_open_db(cli, 0, &db)) {
		rc = EXIT_FAIL;
		goto done;
	}
	/* The audit entry commits only when the file is in place. */
	rc = cartel_db_begin(db, &why);
	if (rc == 0)
		rc = cartel_round_amend(db, from, &o, &r, &bal, &rules, &why);
	if (rc == 0)
		rc = cartel_round_write(r, out, &why);
	if (rc == 0) {
		if (cli_transfer(db, "round",
				 (long long)cartel_round_n_persons(r), to, by,
				 out, NULL) != 0) {
			remove(out);
			cartel_db_rollback(db);
			rc = EXIT_FAIL;
			goto done;
		}
		rc = cartel_db_commit(db, &why);
		if (rc)
			remove(out);
	}
	if (rc) {
		cartel_db_rollback(db);
		goto fail;
	}
	if (cli->json) {
		json_t *j = cartel_round_balance_json(&bal);
		if (j == NULL) {
			rc = cli_fail("out of memory");
			goto done;
		}
		json_object_set_new(j, "round_id",
				    json_string(cartel_round_id(r)));
		json_object_set_new(j, "version",
				    json_integer(cartel_round_version(r)));
		json_object_set_new(j, "kind",
				    json_string(cartel_round_kind_name(
					    cartel_round_kind(r))));
		json_object_set_new(j, "previous_digest",
				    json_string(cartel_round_digest(from)));
		json_object_set_new(j, "digest",
				    json_string(cartel_round_digest(r)));
		json_t *notes = json_array();
		for (size_t i = 0; i < rules.n; i++)
			json_array_append_new(notes,
					      json_string(rules.v[i].text));
		json_object_set_new(j, "notes", notes);
		json_dumpf(j, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(j);
	} else {
		printf(_("round %s version %d (%s) from version %d: %zu "
			 "added, %zu removed\n"),
		       cli_t(cartel_round_id(r)), cartel_round_version(r),
		       kind_text(r), cartel_round_version(from), n_add, n_rem);
		for (int i = 0; i < 2; i++)
			printf(_("  %s gives %zu -> %zu, value %ld -> %ld\n"),
			       cli_t(bal.party[i]), bal.n_before[i],
			       bal.n_after[i], bal.before[i], bal.after[i]);
		print_pools(stdout, &bal, 0);
		printf(_("  balance: %s\n"),
		       pol == NULL ? _("by head; no policy given to check "
				       "the ratio")
		       : bal.pools == 2
			       ? _("holds under the policy, civilians balanced "
				   "apart from the others")
			       : _("holds under the policy"));
		for (size_t i = 0; i < rules.n; i++)
			printf(_("  note: %s\n"), cli_t(rules.v[i].text));
		printf(_("digest %s\nwritten to %s; unsigned\n"),
		       cli_t(cartel_round_digest(r)), cli_t(out));
	}
	rc = EXIT_OK;
	goto done;
fail:
	/* Say what the change would have done to the balance, then why it
	 * was refused. */
	if (bal.party[0][0] && bal.n_after[0] + bal.n_after[1] > 0) {
		for (int i = 0; i < 2; i++)
			fprintf(stderr,
				_("  %s would give %zu (was %zu), value %ld "
				  "(was %ld)\n"),
				cli_t(bal.party[i]), bal.n_after[i],
				bal.n_before[i], bal.after[i], bal.before[i]);
		print_pools(stderr, &bal, 1);
	}
	rc = cli_rules_error(cli, &rules, rc, why, doing);
done:
	if (db != NULL)
		cartel_db_close(db);
	cartel_round_balance_clear(&bal);
	cartel_round_rules_clear(&rules);
	cartel_round_free(from);
	cartel_round_free(r);
	cartel_policy_free(pol);
	free(add);
	free(rem);
	return rc;
}

static int
round_diff(struct cli *cli, int argc, char **argv)
{
	const char *fa = NULL, *fb = NULL, *by = NULL;
	int took;
	for (int i = 2; i < argc; i++) {
		if ((took = cli_common_opt(cli, "round", argc, argv,
						    &i)) != 0) {
			if (took != 1)
				return took;
		} else if (strcmp(argv[i], "--by") == 0 && i + 1 < argc)
			by = argv[++i];
		else if (argv[i][0] != '-' && fa == NULL)
			fa = argv[i];
		else if (argv[i][0] != '-' && fb == NULL)
			fb = argv[i];
		else
			return cli_usage("round", "unexpected '%s'", argv[i]);
	}
	if (fa == NULL || fb == NULL)
		return cli_usage("round", "round diff needs two files");
	char *why = NULL;
	struct cartel_round *a = NULL, *b = NULL;
	int rc = cartel_round_read(&a, fa, &why);
	if (rc)
		return cli_error(rc, why, "reading the first version");
	rc = cartel_round_read(&b, fb, &why);
	if (rc) {
		cartel_round_free(a);
		return cli_error(rc, why, "reading the second version");
	}
	struct cartel_round_diff d;
	rc = cartel_round_diff(a, b, &d, &why);
	if (rc) {
		cartel_round_free(a);
		cartel_round_free(b);
		return cli_error(rc, why, "comparing");
	}
	struct cartel_db *db;
	if (cli_open_db(cli, 0, &db)) {
		cartel_round_diff_clear(&d);
		cartel_round_free(a);
		cartel_round_free(b);
		return EXIT_FAIL;
	}
	char detail[200];
	snprintf(detail, sizeof detail,
		 "against version=%d digest=%s added=%zu removed=%zu "
		 "changed=%zu",
		 cartel_round_version(b), cartel_round_digest(b), d.n_added,
		 d.n_removed, d.n_changed);
	rc = cartel_round_audit(db, cli_actor(by), "round.diff", a, detail,
				&why);
	cartel_db_close(db);
	if (rc) {
		cartel_round_diff_clear(&d);
		cartel_round_free(a);
		cartel_round_free(b);
		return cli_error(rc, why, "recording the comparison");
	}
	if (cli->json) {
		json_t *o = cartel_round_diff_json(&d);
		json_dumpf(o, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(o);
	} else {
		printf(_("round %s version %d (%s) -> round %s version %d "
			 "(%s)\n"),
		       cli_t(cartel_round_id(a)), cartel_round_version(a),
		       kind_text(a), cli_t(cartel_round_id(b)),
		       cartel_round_version(b), kind_text(b));
		for (size_t i = 0; i < d.n_header; i++)
			printf("  %s: %s -> %s\n", cli_t(d.header[i].field),
			       cli_t(d.header[i].old_value),
			       cli_t(d.header[i].new_value));
		for (size_t i = 0; i < d.n_entries; i++) {
			const struct cartel_round_diff_entry *e = &d.entries[i];
			if (e->change == CARTEL_ROUND_ADDED) {
				printf(_("+ %s added to %s\n"), cli_t(e->id),
				       cli_t(e->new_list));
				continue;
			}
			if (e->change == CARTEL_ROUND_REMOVED) {
				printf(_("- %s removed from %s\n"), cli_t(e->id),
				       cli_t(e->old_list));
				continue;
			}
			printf(_("~ %s changed:"), cli_t(e->id));
			for (size_t k = 0; k < e->n_fields; k++)
				printf("%s %s %s -> %s", k ? ";" : "",
				       cli_t(e->fields[k].field),
				       cli_t(e->fields[k].old_value),
				       cli_t(e->fields[k].new_value));
			putchar('\n');
		}
		printf(_("%zu added, %zu removed, %zu changed\n"), d.n_added,
		       d.n_removed, d.n_changed);
	}
	cartel_round_diff_clear(&d);
	cartel_round_free(a);
	cartel_round_free(b);
	return EXIT_OK;
}

/* round print FILE -o LIST.pdf: the agreed list as a PDF for signing
 * (docs/print.md). The library verifies it first and refuses one that
 * does not hold. */
static int
round_print(struct cli *cli, int argc, char **argv)
{
	const char *file = NULL, *out = NULL, *by = NULL, *to = NULL;
	int took;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (strcmp(argv[i], "--by") == 0 && i + 1 < argc)
			by = argv[++i];
		else if (strcmp(argv[i], "--to") == 0 && i + 1 < argc)
			to = argv[++i];
		else if ((took = cli_common_opt(cli, "round", argc, argv,
						    &i)) != 0) {
			if (took != 1)
				return took;
		} else if (argv[i][0] != '-' && file == NULL)
			file = argv[i];
		else
			return cli_usage("round", "unexpected '%s'", argv[i]);
	}
	if (file == NULL || out == NULL)
		return cli_usage("round", "round print needs FILE and -o "
					  "LIST.pdf");
	char *why = NULL;
	struct cartel_round *r = NULL;
	int rc = cartel_round_read(&r, file, &why);
	if (rc)
		return cli_error(rc, why, "printing the list");
	struct cartel_db *db;
	if (cli_open_db(cli, 0, &db)) {
		cartel_round_free(r);
		return EXIT_FAIL;
	}
	struct cartel_print_result res;
	rc = cartel_round_print(db, r, out, cli_actor(by), to, &res, &why);
	cartel_db_close(db);
	cartel_round_free(r);
	if (rc)
		return cli_error(rc, why, "printing the list");
	if (cli->json) {
		json_t *o = json_pack("{s:s, s:i, s:I, s:s, s:s}", "file", out,
				      "pages", res.n_pages, "persons",
				      (json_int_t)res.n_persons, "digest",
				      res.digest, "file_sha256",
				      res.file_sha256);
		json_dumpf(o, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(o);
	} else {
		printf(_("%s: %d page(s), %zu person(s), document %s\n"),
		       cli_t(out), res.n_pages, res.n_persons, res.digest);
	}
	return EXIT_OK;
}

int
cmd_round(struct cli *cli, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage("round",
				 "which: new, amend, sign, verify or diff?");
	if (strcmp(argv[1], "new") == 0)
		return round_new(cli, argc, argv);
	if (strcmp(argv[1], "sign") == 0)
		return round_sign(cli, argc, argv);
	if (strcmp(argv[1], "amend") == 0)
		return round_amend(cli, argc, argv);
	if (strcmp(argv[1], "verify") == 0)
		return round_verify(cli, argc, argv);
	if (strcmp(argv[1], "diff") == 0)
		return round_diff(cli, argc, argv);
	if (strcmp(argv[1], "print") == 0)
		return round_print(cli, argc, argv);
	return cli_usage("round", "unknown subcommand '%s'", argv[1]);
}
