/*
 * The balance of a round as an integer programme, solved exactly with GLPK.
 *
 * The model. Persons of one side, one pool (civilians apart when the deal
 * says civilians for civilians), one priority tier and one rank class are
 * interchangeable for everything the deal counts: each is worth the same on
 * the scale, weighs the same against the cap, and serves the same priority.
 * So the variables are not one 0/1 per person (200,000 of them) but one
 * integer per group, y_g in [0, n_g] = how many of group g go; the planner
 * then takes the y_g longest-held of the group (ties by id). This loses no
 * optimum: given any optimal choice of persons, swapping a chosen person
 * for a longer-held unchosen one of the same group changes no constraint
 * and no objective, so an optimum exists that takes each group's
 * longest-held first, and it is exactly a y. The programme has at most
 * 2 sides x 2 pools x tiers x classes variables (a few hundred), whatever
 * the size of the register.
 *
 * Constraints. For each pool p, with the deal's ratio a:b (parties[0]
 * gives a for every b of parties[1]), the values must balance:
 *   -tol_p <= b * sum_{g in side 0, pool p} v_g y_g
 *             - a * sum_{g in side 1, pool p} v_g y_g <= tol_p,
 * where v_g is the scale value (1 per head without a scale, and for
 * civilians, who are counted by head) and tol_p the policy's tolerance for
 * the scale-valued pool and 0 for a headcount pool. For each side, when the
 * deal has a cap: sum_{g in side} y_g <= max_per_side.
 *
 * Objective: priorities served in order. Rather than weights (a weight per
 * tier that dominates every lower tier needs (N+1)^T, beyond a double's 53
 * bits once there are more than three tiers of 100,000 persons), the
 * objective is lexicographic and solved as a sequence: maximise the number
 * of tier-0 persons taken (both sides together); fix that number as a
 * lower bound; maximise tier 1; and so on. Each step is a small integer
 * programme; the last step's solution satisfies every fixed bound, so it is
 * lexicographically optimal when every step is proven optimal. A step cut
 * short by the time limit keeps its best solution (its count becomes the
 * bound for the next steps, which stays feasible) and the plan reports the
 * relative gap between that count and the proven bound of the step.
 *
 * Under a headcount the balance row has coefficients a and b only and the
 * optimum is the obvious one; it goes through the same code so that one
 * path is tested.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glpk.h>

#include "core/why.h"
#include "plan/plan_int.h"

static long
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct cb_state {
	double bound; /* best proven bound seen in the search */
	int have_bound;
};

/* Records the best bound of the open search tree, for the gap reported
 * when the time limit stops the search. */
static void
on_search(glp_tree *tree, void *info)
{
	struct cb_state *cs = info;
	int r = glp_ios_reason(tree);
	if (r != GLP_ISELECT && r != GLP_IBINGO && r != GLP_IHEUR)
		return;
	int best = glp_ios_best_node(tree);
	if (best == 0)
		return;
	double b = glp_ios_node_bound(tree, best);
	if (!cs->have_bound || b < cs->bound) {
		cs->bound = b;
		cs->have_bound = 1;
	}
}

/*
 * 1 when the takes meet every constraint of the model exactly: each group
 * within [0, n], each pool's balance within its tolerance, each side within
 * the cap. GLPK works in doubles with feasibility tolerances, so a ratio of
 * large coprime terms (100000:99999) can come back "optimal" one person off
 * the balance; the plan is only as good as this check, done in integers.
 */
static int
takes_hold(const struct plan_group *groups, size_t n_groups,
	   const struct cartel_policy *pol)
{
	__int128 diff[2] = {0, 0};
	long count[2] = {0, 0};
	for (size_t g = 0; g < n_groups; g++) {
		const struct plan_group *x = &groups[g];
		if (x->take < 0 || x->take > x->n)
			return 0;
		__int128 v = (__int128)x->value * x->take;
		diff[x->pool] += x->side == 0 ? (__int128)pol->ratio[1] * v
					      : -(__int128)pol->ratio[0] * v;
		count[x->side] += x->take;
	}
	for (int p = 0; p < 2; p++) {
		__int128 tol = (p == 0 && pol->scale != NULL) ? pol->tolerance
							       : 0;
		if (diff[p] > tol || diff[p] < -tol)
			return 0;
	}
	for (int s = 0; s < 2; s++)
		if (pol->max_per_side > 0 && count[s] > pol->max_per_side)
			return 0;
	return 1;
}

void
cartel__plan_solver_release(void)
{
	glp_free_env();
}

void
cartel__plan_solve_clear(struct plan_solve *s)
{
	free(s->steps);
	memset(s, 0, sizeof *s);
}

int
cartel__plan_solve(struct plan_group *groups, size_t n_groups, int n_tiers,
                   const struct cartel_policy *pol, int time_limit_ms,
                   struct plan_solve *out, char **why)
{
	memset(out, 0, sizeof *out);
	out->optimal = 1;
	for (size_t g = 0; g < n_groups; g++)
		groups[g].take = 0;
	long t0 = now_ms();
	if (n_groups == 0) {
		snprintf(out->status, sizeof out->status, "nothing to solve");
		return 0;
	}
	/* Values must fit GLPK's doubles exactly: 100 million persons at
	 * 1,000,000 each times a ratio term stays far below 2^53. */
	out->steps = calloc((size_t)n_tiers, sizeof *out->steps);
	int *ind = malloc((n_groups + 1) * sizeof *ind);
	double *val = malloc((n_groups + 1) * sizeof *val);
	double *best = calloc(n_groups, sizeof *best);
	if (out->steps == NULL || ind == NULL || val == NULL || best == NULL) {
		free(ind);
		free(val);
		free(best);
		cartel__plan_solve_clear(out);
		return CARTEL_ENOMEM;
	}
	glp_term_out(GLP_OFF);
	glp_prob *lp = glp_create_prob();
	glp_set_obj_dir(lp, GLP_MAX);
	glp_add_cols(lp, (int)n_groups);
	for (size_t g = 0; g < n_groups; g++) {
		int j = (int)g + 1;
		glp_set_col_kind(lp, j, GLP_IV);
		if (groups[g].n > 0)
			glp_set_col_bnds(lp, j, GLP_DB, 0.0,
					 (double)groups[g].n);
		else
			glp_set_col_bnds(lp, j, GLP_FX, 0.0, 0.0);
	}
	/* Balance rows, one per pool that has persons. */
	for (int p = 0; p < 2; p++) {
		int k = 0;
		for (size_t g = 0; g < n_groups; g++) {
			if (groups[g].pool != p)
				continue;
			k++;
			ind[k] = (int)g + 1;
			val[k] = groups[g].side == 0
					 ? (double)pol->ratio[1] *
						   (double)groups[g].value
					 : -(double)pol->ratio[0] *
						   (double)groups[g].value;
		}
		if (k == 0)
			continue;
		int row = glp_add_rows(lp, 1);
		double tol = (p == 0 && pol->scale != NULL)
				     ? (double)pol->tolerance
				     : 0.0;
		if (tol > 0)
			glp_set_row_bnds(lp, row, GLP_DB, -tol, tol);
		else
			glp_set_row_bnds(lp, row, GLP_FX, 0.0, 0.0);
		glp_set_mat_row(lp, row, k, ind, val);
	}
	if (pol->max_per_side > 0) {
		for (int s = 0; s < 2; s++) {
			int k = 0;
			for (size_t g = 0; g < n_groups; g++) {
				if (groups[g].side != s)
					continue;
				k++;
				ind[k] = (int)g + 1;
				val[k] = 1.0;
			}
			if (k == 0)
				continue;
			int row = glp_add_rows(lp, 1);
			glp_set_row_bnds(lp, row, GLP_UP, 0.0,
					 (double)pol->max_per_side);
			glp_set_mat_row(lp, row, k, ind, val);
		}
	}
	int rc = 0, have_solution = 0;
	for (int t = 0; t < n_tiers; t++) {
		long avail = 0;
		for (size_t g = 0; g < n_groups; g++) {
			glp_set_obj_coef(lp, (int)g + 1,
					 groups[g].tier == t ? 1.0 : 0.0);
			if (groups[g].tier == t)
				avail += groups[g].n;
		}
		if (avail == 0)
			continue;
		struct plan_solve_step *st = &out->steps[out->n_steps++];
		st->tier = t;
		long left = time_limit_ms - (now_ms() - t0);
		glp_iocp parm;
		glp_init_iocp(&parm);
		parm.msg_lev = GLP_MSG_OFF;
		parm.presolve = GLP_ON;
		/* Gomory cuts and hybrid pseudocost branching: the balance
		 * row is an equality knapsack, on which GLPK's defaults can
		 * wander until the time limit. Measured on 100,000 officers
		 * a side under a 2:3 ratio and six tiers (bench/plan_bench):
		 * 9 s and unproven with the defaults, 0.2-0.9 s and proven
		 * with these, and no slower on the ordinary cases. */
		parm.gmi_cuts = GLP_ON;
		parm.br_tech = GLP_BR_PCH;
		parm.tm_lim = left > 1 ? (int)left : 1;
		struct cb_state cs = {0, 0};
		parm.cb_func = on_search;
		parm.cb_info = &cs;
		int ret = left > 0 ? glp_intopt(lp, &parm) : GLP_ETMLIM;
		int status = glp_mip_status(lp);
		if (ret == 0 && status == GLP_OPT) {
			st->objective = lround(glp_mip_obj_val(lp));
			st->bound = (double)st->objective;
			st->proven = 1;
		} else if ((ret == 0 || ret == GLP_ETMLIM) &&
			   (status == GLP_FEAS || status == GLP_OPT)) {
			st->objective = lround(glp_mip_obj_val(lp));
			/* Every count is whole, so the bound rounds down. */
			double b = cs.have_bound ? floor(cs.bound + 1e-6)
						 : (double)avail;
			if (b > (double)avail)
				b = (double)avail;
			st->bound = b;
			st->proven = b <= (double)st->objective;
		} else if (ret == GLP_ETMLIM || ret == 0) {
			/* No solution in time for this step: keep the last
			 * step's solution, which meets every bound fixed so
			 * far, and stop refining. */
			st->objective = 0;
			for (size_t g = 0; g < n_groups; g++)
				if (groups[g].tier == t)
					st->objective += lround(best[g]);
			st->bound = (double)avail;
			st->proven = 0;
			if (out->optimal) {
				out->optimal = 0;
				out->gap = st->bound > 0
						   ? (st->bound -
						      (double)st->objective) /
							     st->bound
						   : 0;
			}
			snprintf(out->status, sizeof out->status,
				 "time limit");
			break;
		} else {
			rc = cartel__why(why, CARTEL_ERANGE,
					 "the balance could not be solved "
					 "(GLPK code %d, status %d)", ret,
					 status);
			break;
		}
		for (size_t g = 0; g < n_groups; g++)
			best[g] = glp_mip_col_val(lp, (int)g + 1);
		have_solution = 1;
		if (!st->proven && out->optimal) {
			out->optimal = 0;
			out->gap = st->bound > 0 ? (st->bound -
						    (double)st->objective) /
							   st->bound
						 : 0;
			snprintf(out->status, sizeof out->status,
				 "time limit");
		}
		/* Fix this tier's count for the steps that follow. */
		int k = 0;
		for (size_t g = 0; g < n_groups; g++) {
			if (groups[g].tier != t)
				continue;
			k++;
			ind[k] = (int)g + 1;
			val[k] = 1.0;
		}
		int row = glp_add_rows(lp, 1);
		glp_set_row_bnds(lp, row, GLP_LO, (double)st->objective, 0.0);
		glp_set_mat_row(lp, row, k, ind, val);
	}
	if (rc == 0 && have_solution)
		for (size_t g = 0; g < n_groups; g++)
			groups[g].take = lround(best[g]);
	if (rc == 0 && !takes_hold(groups, n_groups, pol)) {
		/* The solver's answer breaks the ratio, the scale or the
		 * cap: propose no one (which always holds) and say so,
		 * never "optimal". */
		for (size_t g = 0; g < n_groups; g++)
			groups[g].take = 0;
		out->optimal = 0;
		out->unmet = 1;
		out->gap = 1.0;
		snprintf(out->status, sizeof out->status,
			 "balance not met: none taken");
	}
	if (rc == 0 && out->status[0] == '\0')
		snprintf(out->status, sizeof out->status, "optimal");
	glp_delete_prob(lp);
	free(ind);
	free(val);
	free(best);
	out->time_ms = now_ms() - t0;
	if (rc != 0)
		cartel__plan_solve_clear(out);
	return rc;
}
