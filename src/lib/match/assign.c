/*
 * One-to-one linking and clustering over the scored pairs.
 *
 * Linking is not first come, first served: two brothers on one list and
 * two similar records on the other must be paired so that the total
 * evidence is greatest, even when that means not giving the first record
 * its single best partner. The pair graph falls apart into small connected
 * components (a record and its few plausible partners), and each is solved
 * exactly with the Hungarian method; a component larger than the exact
 * limit (only met with degenerate lists, say thousands of records with the
 * same name and no date) is assigned greedily by weight and counted.
 */
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include <cartel/error.h>

#include "match/assign.h"

int
cartel__assign_pairs_add(struct assign_pairs *p, uint32_t l, uint32_t r,
                         double w)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 256;
		struct assign_pair *v = realloc(p->v, cap * sizeof *v);
		if (v == NULL)
			return CARTEL_ENOMEM;
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n].l = l;
	p->v[p->n].r = r;
	p->v[p->n].w = w;
	p->n++;
	return 0;
}

int
cartel__assign_pairs_move(struct assign_pairs *dst, struct assign_pairs *src)
{
	if (dst->n + src->n > dst->cap) {
		size_t cap = dst->n + src->n;
		struct assign_pair *v = realloc(dst->v, (cap ? cap : 1) *
							       sizeof *v);
		if (v == NULL)
			return CARTEL_ENOMEM;
		dst->v = v;
		dst->cap = cap;
	}
	if (src->n > 0)
		memcpy(dst->v + dst->n, src->v, src->n * sizeof *src->v);
	dst->n += src->n;
	cartel__assign_pairs_free(src);
	return 0;
}

void
cartel__assign_pairs_free(struct assign_pairs *p)
{
	free(p->v);
	memset(p, 0, sizeof *p);
}

double
cartel__assign_hungarian(size_t n_rows, size_t n_cols, const double *w,
                         int *row_col)
{
	/* Minimum cost on n rows x m = n_cols + n_rows columns: the extra
	 * columns cost nothing and stand for "left unassigned", so every
	 * row has a place and n <= m holds. Costs are -w; no edge is
	 * prohibitive. Indices are 1-based as in the textbook method. */
	size_t n = n_rows, m = n_cols + n_rows;
	const double big = 1e12;
	double *u = calloc(n + 1, sizeof *u), *v = calloc(m + 1, sizeof *v),
	       *minv = malloc((m + 1) * sizeof *minv);
	size_t *p = calloc(m + 1, sizeof *p), *way = calloc(m + 1, sizeof *way);
	char *used = malloc(m + 1);
	if (!u || !v || !minv || !p || !way || !used) {
		free(u), free(v), free(minv), free(p), free(way), free(used);
		return -1;
	}
#define COST(i, j)                                                        \
	((j) > n_cols ? 0.0                                               \
		      : (w[((i) - 1) * n_cols + (j) - 1] > 0                \
			       ? -w[((i) - 1) * n_cols + (j) - 1]          \
			       : big))
	for (size_t i = 1; i <= n; i++) {
		p[0] = i;
		size_t j0 = 0;
		for (size_t j = 0; j <= m; j++) {
			minv[j] = DBL_MAX;
			used[j] = 0;
		}
		do {
			used[j0] = 1;
			size_t i0 = p[j0], j1 = 0;
			double delta = DBL_MAX;
			for (size_t j = 1; j <= m; j++) {
				if (used[j])
					continue;
				double cur = COST(i0, j) - u[i0] - v[j];
				if (cur < minv[j]) {
					minv[j] = cur;
					way[j] = j0;
				}
				if (minv[j] < delta) {
					delta = minv[j];
					j1 = j;
				}
			}
			for (size_t j = 0; j <= m; j++) {
				if (used[j]) {
					u[p[j]] += delta;
					v[j] -= delta;
				} else {
					minv[j] -= delta;
				}
			}
			j0 = j1;
		} while (p[j0] != 0);
		do {
			size_t j1 = way[j0];
			p[j0] = p[j1];
			j0 = j1;
		} while (j0 != 0);
	}
	double total = 0;
	for (size_t i = 0; i < n; i++)
		row_col[i] = -1;
	for (size_t j = 1; j <= n_cols; j++)
		if (p[j] != 0 && w[(p[j] - 1) * n_cols + j - 1] > 0) {
			row_col[p[j] - 1] = (int)(j - 1);
			total += w[(p[j] - 1) * n_cols + j - 1];
		}
#undef COST
	free(u), free(v), free(minv), free(p), free(way), free(used);
	return total;
}

static uint32_t
find(uint32_t *parent, uint32_t x)
{
	while (parent[x] != x) {
		parent[x] = parent[parent[x]];
		x = parent[x];
	}
	return x;
}

static void
unite(uint32_t *parent, uint32_t a, uint32_t b)
{
	a = find(parent, a);
	b = find(parent, b);
	if (a == b)
		return;
	if (a < b)
		parent[b] = a;
	else
		parent[a] = b;
}

static int
cmp_w_desc(const void *a, const void *b)
{
	const struct assign_pair *x = a, *y = b;
	if (x->w != y->w)
		return x->w > y->w ? -1 : 1;
	if (x->l != y->l)
		return x->l < y->l ? -1 : 1;
	return (x->r > y->r) - (x->r < y->r);
}

static int
cmp_lr(const void *a, const void *b)
{
	const struct assign_pair *x = a, *y = b;
	if (x->l != y->l)
		return x->l < y->l ? -1 : 1;
	return (x->r > y->r) - (x->r < y->r);
}

static int
order_by_left(struct assign_pairs *p, size_t n_left)
{
	if (p->n < 2)
		return 0;
	size_t *start = calloc(n_left + 1, sizeof *start);
	struct assign_pair *v = malloc(p->n * sizeof *v);
	if (start == NULL || v == NULL) {
		free(start);
		free(v);
		return CARTEL_ENOMEM;
	}
	for (size_t i = 0; i < p->n; i++)
		start[p->v[i].l + 1]++;
	for (size_t l = 0; l < n_left; l++)
		start[l + 1] += start[l];
	for (size_t i = 0; i < p->n; i++)
		v[start[p->v[i].l]++] = p->v[i];
	/* start[l] is now the end of l's run: sort each (short) run by
	 * the right record. */
	for (size_t l = 0, from = 0; l < n_left; from = start[l++])
		for (size_t i = from + 1; i < start[l]; i++) {
			struct assign_pair t = v[i];
			size_t j = i;
			for (; j > from && v[j - 1].r > t.r; j--)
				v[j] = v[j - 1];
			v[j] = t;
		}
	free(start);
	free(p->v);
	p->v = v;
	p->cap = p->n;
	return 0;
}

int
cartel__assign_one_to_one(struct assign_pairs *p, size_t n_left, size_t n_right,
                          double base, size_t exact_max,
                          struct cartel_match_stats *st)
{
	size_t nn = n_left + n_right;
	uint32_t *parent = malloc((nn ? nn : 1) * sizeof *parent);
	if (parent == NULL)
		return CARTEL_ENOMEM;
	for (size_t i = 0; i < nn; i++)
		parent[i] = (uint32_t)i;
	/* Only pairs above the base take part. */
	size_t k = 0;
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].w > base)
			p->v[k++] = p->v[i];
	p->n = k;
	/* The pairs come from several threads in any order; with ties
	 * (namesakes alike on every field) the assignment would follow that
	 * order. Put in order of left and right record, the same lists
	 * always give the same result. */
	if (order_by_left(p, n_left) != 0) {
		free(parent);
		return CARTEL_ENOMEM;
	}
	for (size_t i = 0; i < p->n; i++)
		unite(parent, p->v[i].l, (uint32_t)(n_left + p->v[i].r));
	/* Group the pairs by component: sort by (root, weight). */
	struct item {
		uint32_t root;
		uint32_t idx;
	} *it = malloc((p->n ? p->n : 1) * sizeof *it);
	int32_t *local = malloc((nn ? nn : 1) * sizeof *local);
	char *taken = calloc(nn ? nn : 1, 1);
	struct assign_pairs outp = {0};
	if (it == NULL || local == NULL || taken == NULL) {
		free(it), free(local), free(taken), free(parent);
		return CARTEL_ENOMEM;
	}
	for (size_t i = 0; i < nn; i++)
		local[i] = -1;
	/* Counting sort by root keeps it linear. */
	uint32_t *count = calloc(nn + 1, sizeof *count);
	if (count == NULL) {
		free(it), free(local), free(taken), free(parent);
		return CARTEL_ENOMEM;
	}
	for (size_t i = 0; i < p->n; i++)
		count[find(parent, p->v[i].l) + 1]++;
	for (size_t i = 0; i < nn; i++)
		count[i + 1] += count[i];
	for (size_t i = 0; i < p->n; i++) {
		uint32_t r = find(parent, p->v[i].l);
		it[count[r]].root = r;
		it[count[r]].idx = (uint32_t)i;
		count[r]++;
	}
	free(count);
	int rc = 0;
	size_t n_comp = 0, largest = 0, n_greedy = 0;
	for (size_t s = 0; s < p->n && rc == 0;) {
		size_t e = s;
		while (e < p->n && it[e].root == it[s].root)
			e++;
		n_comp++;
		/* Local numbering of the component's rows and columns. */
		size_t nl = 0, nr = 0;
		for (size_t i = s; i < e; i++) {
			const struct assign_pair *q = &p->v[it[i].idx];
			if (local[q->l] < 0)
				local[q->l] = (int32_t)nl++;
			if (local[n_left + q->r] < 0)
				local[n_left + q->r] = (int32_t)nr++;
		}
		if (nl + nr > largest)
			largest = nl + nr;
		if (e - s == 1) {
			const struct assign_pair *q = &p->v[it[s].idx];
			rc = cartel__assign_pairs_add(&outp, q->l, q->r, q->w);
		} else if (nl + nr <= exact_max) {
			double *w = calloc(nl * nr, sizeof *w);
			int *rc_of = malloc(nl * sizeof *rc_of);
			uint32_t *row_l = malloc(nl * sizeof *row_l),
				 *col_r = malloc(nr * sizeof *col_r);
			if (!w || !rc_of || !row_l || !col_r) {
				rc = CARTEL_ENOMEM;
			} else {
				for (size_t i = s; i < e; i++) {
					const struct assign_pair *q =
						&p->v[it[i].idx];
					size_t a = (size_t)local[q->l],
					       b = (size_t)local[n_left + q->r];
					row_l[a] = q->l;
					col_r[b] = q->r;
					w[a * nr + b] = q->w - base;
				}
				if (cartel__assign_hungarian(nl, nr, w, rc_of) <
				    0)
					rc = CARTEL_ENOMEM;
				for (size_t a = 0; rc == 0 && a < nl; a++)
					if (rc_of[a] >= 0)
						rc = cartel__assign_pairs_add(
						    &outp, row_l[a],
						    col_r[rc_of[a]],
						    w[a * nr +
						      (size_t)rc_of[a]] +
						        base);
			}
			free(w), free(rc_of), free(row_l), free(col_r);
		} else {
			n_greedy++;
			struct assign_pair *tmp = malloc((e - s) * sizeof *tmp);
			if (tmp == NULL) {
				rc = CARTEL_ENOMEM;
			} else {
				for (size_t i = s; i < e; i++)
					tmp[i - s] = p->v[it[i].idx];
				qsort(tmp, e - s, sizeof *tmp, cmp_w_desc);
				for (size_t i = 0; rc == 0 && i < e - s; i++) {
					size_t a = tmp[i].l,
					       b = n_left + tmp[i].r;
					if (taken[a] || taken[b])
						continue;
					taken[a] = taken[b] = 1;
					rc = cartel__assign_pairs_add(
					    &outp, tmp[i].l, tmp[i].r,
					    tmp[i].w);
				}
				free(tmp);
			}
		}
		for (size_t i = s; i < e; i++) {
			const struct assign_pair *q = &p->v[it[i].idx];
			local[q->l] = -1;
			local[n_left + q->r] = -1;
		}
		s = e;
	}
	free(it), free(local), free(taken), free(parent);
	if (rc != 0) {
		cartel__assign_pairs_free(&outp);
		return rc;
	}
	if (outp.n > 0)
		qsort(outp.v, outp.n, sizeof *outp.v, cmp_lr);
	cartel__assign_pairs_free(p);
	*p = outp;
	if (st != NULL) {
		st->n_components = n_comp;
		st->largest_component = largest;
		st->n_greedy = n_greedy;
	}
	return 0;
}

int
cartel__assign_clusters(const struct assign_pairs *p, size_t n, double min_w,
                        size_t *cluster)
{
	uint32_t *parent = malloc((n ? n : 1) * sizeof *parent);
	if (parent == NULL)
		return CARTEL_ENOMEM;
	for (size_t i = 0; i < n; i++)
		parent[i] = (uint32_t)i;
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].w >= min_w)
			unite(parent, p->v[i].l, p->v[i].r);
	/* unite keeps the lower position as the root. */
	for (size_t i = 0; i < n; i++)
		cluster[i] = find(parent, (uint32_t)i);
	free(parent);
	return 0;
}
