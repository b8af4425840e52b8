/*
 * Reconciling the other side's lists with the register by identity, not
 * by string: their requested list (who is matched, who needs a person to
 * look, who we do not hold), and two published counts of one handover
 * ("you report 189, we count 150: here are the 39").
 *
 * All the matching is the matching engine's (<cartel/match.h>). Their list
 * is linked with the whole register in one call (each record normalised
 * once, blocking, scoring, on every core), keeping every pair rather than
 * a one-to-one assignment, and with the review threshold lowered to
 * NEAR_P, so that the same call yields the candidates of an ambiguous row
 * and the nearest candidates of a row nobody matches. The bands are then
 * put back at the real thresholds here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cartel/error.h>
#include <cartel/match.h>
#include <cartel/round.h>
#include <cartel/store.h>

#include "core/intl.h"
#include "core/why.h"
#include "round/round_int.h"

/* The nearest few candidates are shown for a row nobody matches: pairs
 * whose probability is at least NEAR_P. */
#define N_NEAREST 3
#define N_AMBIGUOUS 5
#define NEAR_P 0.01
/* A runner-up this close (in bits of match weight) to the best makes a
 * match ambiguous: brothers and twins differ by little. */
#define AMBIGUOUS_BITS 3.0

static const char *verdict_names[] = {"matched", "ambiguous", "not_held"};

const char *
cartel_reconcile_verdict_name(enum cartel_reconcile_verdict v)
{
	return (unsigned)v < 3 ? verdict_names[v] : "";
}

static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
is_held(const struct cartel_person *p, const char *party)
{
	if (p->status != CARTEL_STATUS_CONFIRMED_CAPTIVE &&
	    p->status != CARTEL_STATUS_PROPOSED &&
	    p->status != CARTEL_STATUS_AGREED)
		return 0;
	if (party == NULL)
		return 1;
	return p->held_by != NULL && strcmp(p->held_by, party) == 0;
}

/* One scored pair seen from their row: the register's person, best
 * first. */
struct cand {
	size_t index; /* in the register's array */
	const char *id;
	double probability, weight;
	int band; /* enum cartel_match_band at the real thresholds */
	const char *explanation;
};

static int
add_cand(struct cartel_reconcile_row *r, const struct cartel_person *ours,
	 const struct cand *c)
{
	struct cartel_reconcile_candidate *x = &r->cands[r->n_cands++];
	const struct cartel_person *p = &ours[c->index];
	x->id = strdup(c->id);
	x->probability = c->probability;
	x->band = c->band;
	x->status = strdup(cartel_enum_name(CARTEL_ENUM_STATUS,
					    (int)p->status));
	x->held_by = p->held_by ? strdup(p->held_by) : NULL;
	x->explanation = c->explanation ? strdup(c->explanation) : NULL;
	if (x->id == NULL || x->status == NULL ||
	    (p->held_by && !x->held_by) || (c->explanation && !x->explanation))
		return CARTEL_ENOMEM;
	return 0;
}

/* Decides one row from its ranked candidates. */
static int
classify(struct cartel_reconcile_row *r, const struct cartel_person *ours,
	 const char *party, const struct cand *c, size_t n)
{
	r->cands = calloc(n ? n : 1, sizeof *r->cands);
	if (r->cands == NULL)
		return CARTEL_ENOMEM;
	r->probability = n ? c[0].probability : 0;
	if (n == 0) {
		r->verdict = CARTEL_RECONCILE_NOT_HELD;
		r->note = strdup(_("nobody in the register comes near"));
		return r->note ? 0 : CARTEL_ENOMEM;
	}
	size_t n_match = 0, n_review = 0;
	for (size_t i = 0; i < n; i++) {
		n_match += c[i].band == CARTEL_BAND_MATCH;
		n_review += c[i].band == CARTEL_BAND_REVIEW;
	}
	int close_second = n > 1 && c[1].band != CARTEL_BAND_NONMATCH &&
			   c[0].weight - c[1].weight < AMBIGUOUS_BITS;
	int rc = 0;
	if (c[0].band == CARTEL_BAND_MATCH && n_match == 1 && !close_second) {
		const struct cartel_person *p = &ours[c[0].index];
		rc = add_cand(r, ours, &c[0]);
		if (rc)
			return rc;
		if (is_held(p, party)) {
			r->verdict = CARTEL_RECONCILE_MATCHED;
			r->our_id = strdup(c[0].id);
			return r->our_id ? 0 : CARTEL_ENOMEM;
		}
		r->verdict = CARTEL_RECONCILE_NOT_HELD;
		const char *st = cartel_enum_name(CARTEL_ENUM_STATUS,
						  (int)p->status);
		r->note = p->held_by != NULL
				  ? cartel__asprintf(
					    _("the same person as %s, whose "
					      "status is %s, held by %s"),
					    c[0].id, st, p->held_by)
				  : cartel__asprintf(
					    _("the same person as %s, whose "
					      "status is %s"),
					    c[0].id, st);
		return r->note ? 0 : CARTEL_ENOMEM;
	}
	if (n_match + n_review > 0) {
		r->verdict = CARTEL_RECONCILE_AMBIGUOUS;
		for (size_t i = 0; i < n && i < N_AMBIGUOUS && rc == 0; i++)
			if (c[i].band != CARTEL_BAND_NONMATCH)
				rc = add_cand(r, ours, &c[i]);
		if (rc)
			return rc;
		if (n_match > 1)
			r->note = cartel__asprintf(
				cartel_ngettext(
					"%zu person of the register matches",
					"%zu persons of the register match",
					n_match),
				n_match);
		else if (n_match == 1)
			r->note = strdup(_("the best candidate has a close "
					   "runner-up"));
		else
			r->note = cartel__asprintf(
				cartel_ngettext(
					"%zu candidate in the review band only",
					"%zu candidates in the review band only",
					n_review),
				n_review);
		return r->note ? 0 : CARTEL_ENOMEM;
	}
	r->verdict = CARTEL_RECONCILE_NOT_HELD;
	for (size_t i = 0; i < n && i < N_NEAREST && rc == 0; i++)
		rc = add_cand(r, ours, &c[i]);
	if (rc)
		return rc;
	r->note = strdup(_("no match in the register; the nearest are shown"));
	return r->note ? 0 : CARTEL_ENOMEM;
}

static int
cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return strcmp(x->id, y->id);
}

int
cartel_reconcile_list(struct cartel_db *db, FILE *in, const char *name,
		      const char *party, const struct cartel_match_opts *opts,
		      struct cartel_reconcile *res, char **why)
{
	memset(res, 0, sizeof *res);
	struct cartel_match_opts o;
	if (opts == NULL)
		cartel_match_opts_init(&o);
	else
		o = *opts;
	double threshold = o.threshold, review = o.review;
	o.one_to_one = 0;
	if (o.review > NEAR_P)
		o.review = NEAR_P;
	double t0 = now_s();
	struct cartel_person *theirs = NULL, *ours = NULL;
	size_t n_theirs = 0, n_ours = 0;
	struct cartel_match_pair *pairs = NULL;
	size_t n_pairs = 0;
	struct cand *cs = NULL;
	size_t *start = NULL, *order = NULL;
	int rc = cartel_match_read_csv(in, name, 0, &theirs, &n_theirs, NULL,
				       why);
	if (rc == 0)
		rc = cartel__round_persons_brief(db, &ours, &n_ours, why);
	double t1 = now_s();
	if (rc == 0)
		rc = cartel_match_link(theirs, n_theirs, ours, n_ours, &o,
				       &pairs, &n_pairs, NULL, why);
	double t2 = now_s();
	if (rc)
		goto out;
	res->rows = calloc(n_theirs ? n_theirs : 1, sizeof *res->rows);
	cs = calloc(n_pairs ? n_pairs : 1, sizeof *cs);
	if (res->rows == NULL || cs == NULL) {
		rc = CARTEL_ENOMEM;
		goto out;
	}
	res->n_rows = n_theirs;
	res->n_register = n_ours;
	/* Group the pairs by their row (a counting sort: the engine's order
	 * without the one-to-one assignment is not promised). */
	start = calloc(n_theirs + 1, sizeof *start);
	order = malloc((n_pairs ? n_pairs : 1) * sizeof *order);
	if (start == NULL || order == NULL) {
		rc = CARTEL_ENOMEM;
		goto out;
	}
	for (size_t k = 0; k < n_pairs; k++)
		start[pairs[k].left + 1]++;
	for (size_t i = 0; i < n_theirs; i++)
		start[i + 1] += start[i];
	{
		size_t *fill = calloc(n_theirs + 1, sizeof *fill);
		if (fill == NULL) {
			rc = CARTEL_ENOMEM;
			goto out;
		}
		for (size_t k = 0; k < n_pairs; k++) {
			size_t l = pairs[k].left;
			order[start[l] + fill[l]++] = k;
		}
		free(fill);
	}
	for (size_t i = 0; i < n_theirs && rc == 0; i++) {
		struct cartel_reconcile_row *r = &res->rows[i];
		r->row = i + 2;
		r->their_id = strdup(theirs[i].id);
		if (r->their_id == NULL) {
			rc = CARTEL_ENOMEM;
			break;
		}
		size_t n = 0;
		for (size_t k = start[i]; k < start[i + 1]; k++) {
			const struct cartel_match_pair *p = &pairs[order[k]];
			cs[n] = (struct cand){
				p->right, p->right_id, p->probability,
				p->weight,
				p->probability >= threshold ? CARTEL_BAND_MATCH
				: p->probability >= review
					? CARTEL_BAND_REVIEW
					: CARTEL_BAND_NONMATCH,
				p->explanation};
			n++;
		}
		qsort(cs, n, sizeof *cs, cand_cmp);
		rc = classify(r, ours, party, cs, n);
	}
	if (rc)
		goto out;
	for (size_t i = 0; i < n_theirs; i++) {
		switch (res->rows[i].verdict) {
		case CARTEL_RECONCILE_MATCHED: res->n_matched++; break;
		case CARTEL_RECONCILE_AMBIGUOUS: res->n_ambiguous++; break;
		case CARTEL_RECONCILE_NOT_HELD: res->n_not_held++; break;
		}
	}
	res->seconds_load = t1 - t0;
	res->seconds_match = t2 - t1;
	res->seconds_decide = now_s() - t2;
out:
	free(cs);
	free(start);
	free(order);
	cartel_match_pairs_free(pairs, n_pairs);
	cartel_persons_free(ours, n_ours);
	cartel_match_persons_free(theirs, n_theirs);
	if (rc)
		cartel_reconcile_clear(res);
	return rc;
}

void
cartel_reconcile_clear(struct cartel_reconcile *res)
{
	for (size_t i = 0; i < res->n_rows; i++) {
		struct cartel_reconcile_row *r = &res->rows[i];
		free(r->their_id);
		free(r->our_id);
		free(r->note);
		for (size_t k = 0; k < r->n_cands; k++) {
			free(r->cands[k].id);
			free(r->cands[k].status);
			free(r->cands[k].held_by);
			free(r->cands[k].explanation);
		}
		free(r->cands);
	}
	free(res->rows);
	memset(res, 0, sizeof *res);
}

int
cartel_reconcile_counts(FILE *theirs, const char *theirs_name, FILE *ours,
			const char *ours_name,
			const struct cartel_match_opts *opts,
			struct cartel_reconcile_counts *out, char **why)
{
	memset(out, 0, sizeof *out);
	struct cartel_match_opts o;
	if (opts == NULL)
		cartel_match_opts_init(&o);
	else
		o = *opts;
	/* One person appears once on each list: one-to-one, and no text. */
	o.one_to_one = 1;
	o.explain = 0;
	struct cartel_match_pair *pairs = NULL;
	size_t n_pairs = 0;
	int rc = cartel_match_read_csv(theirs, theirs_name, 0, &out->theirs,
				       &out->n_theirs, NULL, why);
	if (rc == 0)
		rc = cartel_match_read_csv(ours, ours_name, 0, &out->ours,
					   &out->n_ours, NULL, why);
	if (rc == 0)
		rc = cartel_match_link(out->theirs, out->n_theirs, out->ours,
				       out->n_ours, &o, &pairs, &n_pairs, NULL,
				       why);
	if (rc)
		goto fail;
	out->pairs = calloc(n_pairs ? n_pairs : 1, sizeof *out->pairs);
	char *seen_t = calloc(out->n_theirs + 1, 1);
	char *seen_o = calloc(out->n_ours + 1, 1);
	out->only_theirs = calloc(out->n_theirs + 1, sizeof(size_t));
	out->only_ours = calloc(out->n_ours + 1, sizeof(size_t));
	if (out->pairs == NULL || seen_t == NULL || seen_o == NULL ||
	    out->only_theirs == NULL || out->only_ours == NULL) {
		free(seen_t);
		free(seen_o);
		rc = CARTEL_ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < n_pairs; i++) {
		if (pairs[i].band == CARTEL_BAND_NONMATCH ||
		    seen_t[pairs[i].left] || seen_o[pairs[i].right])
			continue;
		struct cartel_reconcile_pair *p = &out->pairs[out->n_pairs++];
		p->theirs = pairs[i].left;
		p->ours = pairs[i].right;
		p->probability = pairs[i].probability;
		p->review = pairs[i].band == CARTEL_BAND_REVIEW;
		seen_t[p->theirs] = seen_o[p->ours] = 1;
		if (p->review)
			out->n_review++;
		else
			out->n_both++;
	}
	for (size_t i = 0; i < out->n_theirs; i++)
		if (!seen_t[i])
			out->only_theirs[out->n_only_theirs++] = i;
	for (size_t i = 0; i < out->n_ours; i++)
		if (!seen_o[i])
			out->only_ours[out->n_only_ours++] = i;
	free(seen_t);
	free(seen_o);
	cartel_match_pairs_free(pairs, n_pairs);
	return 0;
fail:
	cartel_match_pairs_free(pairs, n_pairs);
	cartel_reconcile_counts_clear(out);
	return rc;
}

void
cartel_reconcile_counts_clear(struct cartel_reconcile_counts *c)
{
	cartel_match_persons_free(c->theirs, c->n_theirs);
	cartel_match_persons_free(c->ours, c->n_ours);
	free(c->pairs);
	free(c->only_theirs);
	free(c->only_ours);
	memset(c, 0, sizeof *c);
}
