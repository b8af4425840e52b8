/*
 * Deciding among scored pairs: one-to-one linking by the best overall
 * assignment, and clusters for deduplication.
 */
#ifndef CARTEL_MATCH_ASSIGN_H
#define CARTEL_MATCH_ASSIGN_H

#include <stddef.h>
#include <stdint.h>

#include <cartel/match.h>

struct assign_pair {
	uint32_t l, r; /* left and right positions */
	double w;      /* weight in bits, prior included */
};

struct assign_pairs {
	struct assign_pair *v;
	size_t n, cap;
};

/* Appends one pair; 0 or CARTEL_ENOMEM. */
int cartel__assign_pairs_add(struct assign_pairs *p, uint32_t l, uint32_t r,
                             double w);

/* Appends src's pairs to dst and frees src; 0 or CARTEL_ENOMEM. */
int cartel__assign_pairs_move(struct assign_pairs *dst,
                              struct assign_pairs *src);

void cartel__assign_pairs_free(struct assign_pairs *p);

/*
 * Keeps in *p only the pairs of the assignment that maximises the sum of
 * (w - base) over chosen pairs, each left and each right position used at
 * most once; pairs with w <= base are never chosen. Solved exactly (the
 * Hungarian method) on each connected component of the pair graph with at
 * most exact_max positions, greedily by weight on larger ones (counted in
 * st->n_greedy). The result is ordered by left position, then right.
 * Returns 0 or CARTEL_ENOMEM.
 */
int cartel__assign_one_to_one(struct assign_pairs *p, size_t n_left,
                              size_t n_right, double base, size_t exact_max,
                              struct cartel_match_stats *st);

/*
 * Clusters positions 0..n-1 joined (transitively) by pairs with w >=
 * min_w: cluster[i] is the lowest position of i's cluster. The pairs' l
 * and r are both positions of the same list. Returns 0 or CARTEL_ENOMEM.
 */
int cartel__assign_clusters(const struct assign_pairs *p, size_t n,
                            double min_w, size_t *cluster);

/*
 * The maximum-weight assignment of a dense n_rows x n_cols matrix w (row
 * major; an entry <= 0 is no edge): row_col[i] receives the column of row
 * i or -1. Returns the total weight, or a negative number when out of
 * memory.
 */
double cartel__assign_hungarian(size_t n_rows, size_t n_cols, const double *w,
                                int *row_col);

#endif
