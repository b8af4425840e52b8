/*
 * The public entry points of <cartel/match.h>: the index and its query,
 * linking two lists one-to-one, deduplicating one list, reading a typed
 * name. The pieces live in the other files of this folder: normalise.c and
 * record.c (records to keys), names.c (the name table), dm.c
 * (Daitch-Mokotoff), compare.c (levels), model.c (Fellegi-Sunter and EM),
 * index.c (blocking), assign.c (one-to-one assignment and clusters).
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <cartel/error.h>
#include <cartel/match.h>

#include "core/why.h"
#include "match/assign.h"
#include "match/index_int.h"
#include "match/match_int.h"

/* A posting longer than this is not a block (a common name and a year):
 * 200 records for lists up to 20,000, fewer for longer lists, so that the
 * candidates per record stay about constant as lists grow (the other
 * passes, more selective, still hold the pairs of a skipped block). */
static uint32_t
cap_link(size_t n_indexed)
{
	double cap = 8e6 / (double)(n_indexed ? n_indexed : 1);
	return cap > 200 ? 200 : cap < 48 ? 48 : (uint32_t)cap;
}
#define CAP_LINK cap_link(r->b->n)
/* The wide keys of a search may gather this many; fewer when the given
 * name is known to the table (its own keys then find the person). */
#define CAP_WIDE 200000
#define CAP_WIDE_KNOWN 3000

/* Each thread keeps its "already gathered" marks between queries: one
 * array the size of the largest index it has queried, cleared by a stamp
 * rather than by memset, freed when the thread ends. */
static pthread_key_t seen_key;
static pthread_once_t seen_once = PTHREAD_ONCE_INIT;

static void
seen_free(void *p)
{
	struct match_seen *s = p;
	if (s != NULL)
		free(s->mark);
	free(s);
}

static void
seen_key_make(void)
{
	if (pthread_key_create(&seen_key, seen_free) != 0)
		seen_key = 0;
}

static struct match_seen *
seen_for_thread(size_t n)
{
	pthread_once(&seen_once, seen_key_make);
	struct match_seen *s = pthread_getspecific(seen_key);
	if (s == NULL) {
		s = calloc(1, sizeof *s);
		if (s == NULL || pthread_setspecific(seen_key, s) != 0) {
			free(s);
			return NULL;
		}
	}
	if (s->n < n || s->mark == NULL) {
		uint32_t *m = calloc(n ? n : 1, sizeof *m);
		if (m == NULL)
			return NULL;
		free(s->mark);
		s->mark = m;
		s->n = n ? n : 1;
		s->stamp = 0;
	}
	return s;
}
/* EM is fitted on the candidates of at most this many records. */
#define EM_SAMPLE 100000

void
cartel_match_opts_init(struct cartel_match_opts *o)
{
	memset(o, 0, sizeof *o);
	o->threshold = CARTEL_MATCH_DEFAULT_THRESHOLD;
	o->review = CARTEL_MATCH_DEFAULT_REVIEW;
	o->em = 1;
	o->explain = 1;
	o->one_to_one = 1;
}

static void
opts_fix(struct cartel_match_opts *o, const struct cartel_match_opts *in)
{
	if (in != NULL)
		*o = *in;
	else
		cartel_match_opts_init(o);
	if (!(o->threshold > 0 && o->threshold <= 1))
		o->threshold = CARTEL_MATCH_DEFAULT_THRESHOLD;
	if (!(o->review > 0 && o->review <= o->threshold))
		o->review = o->threshold < CARTEL_MATCH_DEFAULT_REVIEW
				    ? o->threshold
				    : CARTEL_MATCH_DEFAULT_REVIEW;
	o->n_threads = cartel__match_threads(o->n_threads);
}

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
prob_of(double w)
{
	return 1 / (1 + exp2(-w));
}

static double
log2_odds(double p)
{
	return log2(p / (1 - p));
}

static enum cartel_match_band
band_of(const struct cartel_match_opts *o, double p)
{
	return p >= o->threshold ? CARTEL_BAND_MATCH
	       : p >= o->review  ? CARTEL_BAND_REVIEW
				 : CARTEL_BAND_NONMATCH;
}

/* ---- Index and query ---- */

int
cartel_match_index_build(struct cartel_match_index **out,
			 const struct cartel_person *persons, size_t n,
			 const struct cartel_match_opts *opts, char **why)
{
	*out = NULL;
	struct cartel_match_index *ix = calloc(1, sizeof *ix);
	if (ix == NULL)
		return CARTEL_ENOMEM;
	opts_fix(&ix->opts, opts);
	/* Each record once normalised, and once more when the postings
	 * are built. */
	struct cartel__progress pg = {0};
	int rc = cartel__match_names_get(ix->opts.data_dir, &ix->nt, why);
	if (rc == 0)
		cartel__progress_begin(&pg, ix->opts.progress,
				       ix->opts.progress_user, "records",
				       2 * (uint64_t)n);
	if (rc == 0)
		rc = cartel__match_side_build(&ix->side, ix->nt, persons, n,
		                              ix->opts.n_threads, &pg);
	if (rc == 0) {
		struct match_side *s[1] = {&ix->side};
		rc = cartel__match_sides_tf(ix->nt, s, 1);
	}
	if (rc == 0)
		rc = cartel__match_post_build(&ix->px, &ix->side, 1,
		                              ix->opts.n_threads);
	if (rc == 0)
		cartel__progress_add(&pg, n);
	if (rc == 0) {
		ix->n_giv = cartel__match_names_n_given(ix->nt) + 1;
		ix->giv_share = calloc(ix->n_giv, sizeof *ix->giv_share);
		if (ix->giv_share == NULL)
			rc = CARTEL_ENOMEM;
		for (size_t i = 0; rc == 0 && i < n; i++) {
			int32_t g = ix->side.recs[i].given_id;
			if (g > 0 && (size_t)g < ix->n_giv)
				ix->giv_share[g] += 1.0f / (float)n;
		}
	}
	if (rc != 0) {
		cartel_match_index_free(ix);
		if (rc == CARTEL_ENOMEM)
			cartel__why(why, rc, "out of memory building the index");
		return rc;
	}
	cartel__match_model_defaults(&ix->mm);
	if (n >= 1000)
		cartel__match_estimate_u(&ix->mm, &ix->side, &ix->side, 400000,
		                         ix->opts.n_threads);
	/* The prior: the person sought is in the register at even odds, and
	 * then as likely to be any one of its records. */
	ix->mm.lambda = 0.5 / (double)(n > 1 ? n : 1);
	if (ix->mm.lambda > 0.25)
		ix->mm.lambda = 0.25;
	cartel__match_model_weights(&ix->mm);
	cartel__progress_end(&pg);
	*out = ix;
	return 0;
}

void
cartel_match_index_free(struct cartel_match_index *ix)
{
	if (ix == NULL)
		return;
	if (ix->map != NULL) {
		/* Every array is in the mapping. */
		munmap(ix->map, ix->map_len);
		free(ix);
		return;
	}
	cartel__match_side_free(&ix->side);
	cartel__match_post_free(&ix->px);
	free(ix->giv_share);
	free(ix);
}

static int
cmp_cand(const void *a, const void *b)
{
	const struct cartel_match_candidate *x = a, *y = b;
	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return (x->index > y->index) - (x->index < y->index);
}

void
cartel_match_candidates_free(struct cartel_match_candidate *c, size_t n)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(c[i].explanation);
		free(c[i].words);
	}
	free(c);
}

/* A record of a mapped index is checked before it is read: its strings
 * inside the arena (which ends in NUL), its counts within their arrays.
 * A damaged file then gives an error, not a wild read. */
static int
rec_sane(const struct cartel_match_index *ix, const struct match_rec *r)
{
	size_t len = ix->side.arena.len;
	const uint32_t offs[] = {r->fam, r->fam_masc, r->giv,
				 r->patr, r->place, r->svc};
	for (size_t k = 0; k < sizeof offs / sizeof offs[0]; k++)
		if (offs[k] >= len)
			return 0;
	return r->n_dm <= REC_DM_MAX && r->n_place_dm <= 2 &&
	       r->given_id >= 0 && r->patr_id >= 0 && r->surname_id >= 0;
}

/* The person id of record i. */
static const char *
rec_id(const struct cartel_match_index *ix, size_t i)
{
	if (ix->map == NULL)
		return ix->side.persons[i].id;
	uint32_t off = ix->id_off[i];
	return off < ix->ids_len ? ix->ids + off : "";
}

int
cartel_match_query(const struct cartel_match_index *ix,
		   const struct cartel_person *q, size_t max_results,
		   int strict, struct cartel_match_candidate **out,
		   size_t *n_out, char **why)
{
	return cartel_match_query_fetch(ix, q, max_results, strict, NULL, NULL,
					out, n_out, why);
}

size_t
cartel_match_index_size(const struct cartel_match_index *ix)
{
	return ix ? ix->side.n : 0;
}

/* The query's normalised record, with the shares of its surname and
 * given name in the index (term frequencies). Returns 0 (qa->buf then
 * set, freed by the caller) or CARTEL_ENOMEM. */
static int
query_rec(const struct cartel_match_index *ix, const struct cartel_person *q,
	  struct match_rec *qr, struct match_arena *qa, char **why)
{
	int rc = cartel__match_rec_make(ix->nt, q, qr, qa);
	if (rc != 0 || qa->buf == NULL) {
		/* No name at all: an empty arena still needs its empty
		 * string. */
		if (rc == 0) {
			qa->buf = calloc(1, 1);
			rc = qa->buf ? 0 : CARTEL_ENOMEM;
		}
		if (rc != 0) {
			free(qa->buf);
			return cartel__why(why, rc, "out of memory");
		}
	}
	size_t n = ix->side.n;
	if (n >= 2000) {
		uint32_t cnt = 0;
		if (qr->fam_h)
			cartel__match_post_get(
			    &ix->px, cartel__match_surname_key(qr->fam_h),
			    &cnt);
		qr->fam_tf = (float)((cnt ? cnt : 1) / (double)n);
		if (qr->given_id > 0 && (size_t)qr->given_id < ix->n_giv)
			qr->giv_tf = ix->giv_share[qr->given_id];
		else if (qr->giv != 0)
			qr->giv_tf = (float)(1.0 / (double)n);
	} else {
		qr->fam_tf = (float)(cartel__match_names_surname_freq(
		                         ix->nt, qr->surname_id) *
		                     0.5);
	}
	return 0;
}

int
cartel_match_query_fetch(const struct cartel_match_index *ix,
			 const struct cartel_person *q, size_t max_results,
			 int strict, cartel_match_fetch_fn fetch, void *ctx,
			 struct cartel_match_candidate **out, size_t *n_out,
			 char **why)
{
	*out = NULL;
	*n_out = 0;
	if (ix->map != NULL && fetch == NULL && ix->opts.explain)
		return cartel__why(why, CARTEL_EINVAL,
				   "an index read from a file explains its "
				   "candidates only with a way to fetch them");
	struct match_arena qa = {0};
	struct match_rec qr;
	int rc = query_rec(ix, q, &qr, &qa, why);
	if (rc != 0)
		return rc;
	size_t n = ix->side.n;
	struct match_seen *seen = seen_for_thread(n);
	struct match_cands cands = {0};
	if (seen == NULL) {
		free(qa.buf);
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	}
	/* The surname alone gathers every namesake: all of them when the
	 * given name is unknown, only a bounded block when a known given
	 * name's own keys already reach the right records. */
	rc = cartel__match_candidates(&ix->px, &qr, &qa, 1, cap_link(n),
	                              qr.given_id ? CAP_WIDE_KNOWN : CAP_WIDE,
	                              seen, &cands);
	struct cartel_match_candidate *res = NULL;
	size_t n_res = 0;
	if (rc == 0 && cands.n > 0) {
		res = calloc(cands.n, sizeof *res);
		if (res == NULL)
			rc = CARTEL_ENOMEM;
	}
	double prior = ix->mm.log2_prior;
	uint8_t (*lvs)[F_N] = NULL;
	int *sws = NULL;
	if (rc == 0 && cands.n > 0) {
		lvs = malloc(cands.n * sizeof *lvs);
		sws = malloc(cands.n * sizeof *sws);
		if (lvs == NULL || sws == NULL)
			rc = CARTEL_ENOMEM;
	}
	/* Weights first, then each candidate's probability among all of
	 * them and "not in the register" (at even odds), as link does. */
	double *ws = NULL;
	if (rc == 0 && cands.n > 0 &&
	    (ws = malloc(cands.n * sizeof *ws)) == NULL)
		rc = CARTEL_ENOMEM;
	double wmax = -1e300;
	for (size_t i = 0; rc == 0 && i < cands.n; i++) {
		const struct match_rec *r = &ix->side.recs[cands.v[i]];
		if (ix->map != NULL &&
		    (cands.v[i] >= ix->side.n || !rec_sane(ix, r))) {
			rc = CARTEL_EFORMAT;
			break;
		}
		cartel__match_compare(&qr, &qa, r, &ix->side.arena, lvs[i],
		                      &sws[i]);
		ws[i] = prior + cartel__match_weight(&ix->mm, lvs[i], &qr, r);
		if (ws[i] > wmax)
			wmax = ws[i];
	}
	double log2_den = 0;
	if (rc == 0 && cands.n > 0) {
		double den = 0.5 * exp2(-wmax);
		for (size_t i = 0; i < cands.n; i++)
			den += exp2(ws[i] - wmax);
		log2_den = wmax + log2(den);
	}
	for (size_t i = 0; rc == 0 && i < cands.n; i++) {
		double p = exp2(ws[i] - log2_den);
		if (strict && p < ix->opts.review)
			continue;
		res[n_res].index = cands.v[i];
		res[n_res].id = rec_id(ix, cands.v[i]);
		res[n_res].weight = p >= 1 ? 60 : log2(p / (1 - p));
		res[n_res].probability = p;
		res[n_res].band = band_of(&ix->opts, p);
		/* The position of its levels, until explained below. */
		res[n_res].explanation = (char *)(uintptr_t)i;
		n_res++;
	}
	free(ws);
	if (rc == 0) {
		/* Each result's explanation field holds, until the sort is
		 * done, the position of its levels in lvs. */
		if (n_res > 0)
			qsort(res, n_res, sizeof *res, cmp_cand);
		if (max_results > 0 && n_res > max_results)
			n_res = max_results;
		for (size_t i = 0; rc == 0 && i < n_res; i++) {
			size_t k = (size_t)(uintptr_t)res[i].explanation;
			res[i].explanation = NULL;
			if (!ix->opts.explain)
				continue;
			/* A record of a file holds no names as written,
			 * which the explanation quotes: its person is
			 * fetched (the caller keeps it). */
			struct match_rec r = ix->side.recs[res[i].index];
			if (fetch != NULL) {
				const struct cartel_person *p = NULL;
				rc = fetch(ctx, res[i].index, res[i].id, &p,
					   why);
				if (rc == 0 && p == NULL)
					rc = CARTEL_ENOTFOUND;
				if (rc != 0) {
					/* The rest still hold positions. */
					for (size_t j = i + 1; j < n_res; j++)
						res[j].explanation = NULL;
					break;
				}
				r.p = p;
			}
			res[i].explanation = cartel__match_explain(
			    &ix->mm, lvs[k], sws[k], &qr, &qa, &r,
			    &ix->side.arena, res[i].weight, res[i].probability);
			res[i].words = cartel__match_words(&ix->mm, lvs[k],
							   sws[k], &qr, &r);
			cartel__match_fields(&ix->mm, lvs[k], &qr, &r,
					     res[i].fields);
		}
	}
	free(lvs);
	free(sws);
	free(cands.v);
	free(qa.buf);
	if (rc != 0) {
		cartel_match_candidates_free(res, n_res);
		if (rc == CARTEL_EFORMAT)
			return cartel__why(why, rc,
					   "the index names a record it does "
					   "not hold (a damaged file)");
		if (rc == CARTEL_ENOMEM)
			return cartel__why(why, rc, "out of memory");
		return rc;
	}
	if (n_res == 0) {
		free(res);
		res = NULL;
	}
	*out = res;
	*n_out = n_res;
	return 0;
}

/* ---- Choosing the reading of a typed name ---- */

/* The best match weight (bits, with the prior) among the candidates the
 * index proposes for q; -HUGE_VAL when there are none. */
static int
query_best_weight(const struct cartel_match_index *ix,
		  const struct cartel_person *q, double *best, char **why)
{
	*best = -HUGE_VAL;
	struct match_arena qa = {0};
	struct match_rec qr;
	int rc = query_rec(ix, q, &qr, &qa, why);
	if (rc != 0)
		return rc;
	size_t n = ix->side.n;
	struct match_seen *seen = seen_for_thread(n);
	struct match_cands cands = {0};
	if (seen == NULL) {
		free(qa.buf);
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	}
	rc = cartel__match_candidates(&ix->px, &qr, &qa, 1, cap_link(n),
	                              qr.given_id ? CAP_WIDE_KNOWN : CAP_WIDE,
	                              seen, &cands);
	for (size_t i = 0; rc == 0 && i < cands.n; i++) {
		const struct match_rec *r = &ix->side.recs[cands.v[i]];
		if (ix->map != NULL &&
		    (cands.v[i] >= ix->side.n || !rec_sane(ix, r))) {
			rc = CARTEL_EFORMAT;
			break;
		}
		uint8_t lv[F_N];
		int sw;
		cartel__match_compare(&qr, &qa, r, &ix->side.arena, lv, &sw);
		double w = ix->mm.log2_prior +
		           cartel__match_weight(&ix->mm, lv, &qr, r);
		if (w > *best)
			*best = w;
	}
	free(cands.v);
	free(qa.buf);
	if (rc == CARTEL_EFORMAT)
		return cartel__why(why, rc,
				   "the index names a record it does not hold "
				   "(a damaged file)");
	if (rc != 0)
		return cartel__why(why, rc, "out of memory");
	return 0;
}

int
cartel_match_query_choose(const struct cartel_match_index *ix,
			  const struct cartel_query *query, size_t *best,
			  double *score_bits, char **why)
{
	*best = 0;
	double top = -HUGE_VAL;
	/* One reading needs no trial. */
	for (size_t r = 0; query->n_readings > 1 && r < query->n_readings;
	     r++) {
		double w;
		int rc = query_best_weight(ix, &query->readings[r].person, &w,
					   why);
		if (rc != 0)
			return rc;
		/* Without a candidate a reading finds nobody: it stays
		 * below every reading that finds someone, in the order of
		 * plausibility. */
		double s = isfinite(w) ? w + query->readings[r].plausibility
				       : -1e9 + query->readings[r].plausibility;
		if (s > top) {
			top = s;
			*best = r;
		}
	}
	if (score_bits != NULL)
		*score_bits = top;
	return 0;
}

/* ---- Typed names ---- */

int
cartel_match_parse_name(const char *text, const struct cartel_match_opts *opts,
			struct cartel_person *q, char **why)
{
	/* The most plausible reading by the name tables alone: without an
	 * index to try the readings on, the best that can be said. */
	memset(q, 0, sizeof *q);
	struct cartel_query pq;
	int rc = cartel_query_parse(text, text ? strlen(text) : 0, NULL, opts,
				    &pq, why);
	if (rc != 0)
		return rc;
	*q = pq.readings[0].person;
	memset(&pq.readings[0].person, 0, sizeof pq.readings[0].person);
	cartel_query_clear(&pq);
	return 0;
}

/* ---- Linking and deduplicating ---- */

struct run {
	const struct cartel_match_opts *o;
	const struct match_side *a, *b; /* queries, index */
	const struct match_posting *px;
	struct match_model *mm;
	int same;          /* dedupe: a == b, pairs (i, j) with j > i */
	size_t stride;     /* EM: every stride-th query */
	double **hists;    /* EM: per worker pattern counts */
	struct match_seen *seen;   /* per worker */
	struct match_cands *cands; /* per worker */
	struct assign_pairs *kept; /* per worker */
	size_t *n_cand;    /* per worker */
	double min_w;      /* keep pairs at or above this weight */
	double absent;     /* chance a record has no partner at all */
	double **wbuf;     /* per worker: the weights of one record's
			    * candidates */
	size_t *wcap;
	int failed;
};

static void
em_chunk(void *ctx, size_t from, size_t to, int worker)
{
	struct run *r = ctx;
	for (size_t qi = from; qi < to; qi++) {
		size_t i = qi * r->stride;
		if (i >= r->a->n)
			break;
		struct match_cands *c = &r->cands[worker];
		if (cartel__match_candidates(r->px, &r->a->recs[i],
		                             &r->a->arena, 0, CAP_LINK, 0,
		                             &r->seen[worker], c) != 0) {
			r->failed = 1;
			return;
		}
		for (size_t k = 0; k < c->n; k++) {
			if (r->same && c->v[k] <= i)
				continue;
			uint8_t lv[F_N];
			int sw;
			cartel__match_compare(&r->a->recs[i], &r->a->arena,
			                      &r->b->recs[c->v[k]],
			                      &r->b->arena, lv, &sw);
			r->hists[worker][cartel__match_pattern(lv)] += 1;
			r->n_cand[worker]++;
		}
	}
}

/*
 * Scores each record's candidates. The Fellegi-Sunter weight w of a pair
 * is the evidence of that pair alone; the probability kept is that of the
 * pair among the record's candidates:
 *
 *     p(i, j) = 2^w(i,j) / (sum over candidates k of 2^w(i,k) + absent)
 *
 * where absent is the chance that record i has no partner in the other
 * list (1 - lambda x n, from EM). So a pair with no rival is believed on
 * less evidence than one of several namesakes, and two twins who fit
 * equally share the probability (and go to review) instead of both being
 * called the same man.
 */
/* How far ahead score_chunk fetches records and their surnames. */
#define PREFETCH_REC 8
#define PREFETCH_STR 3

static inline void
prefetch_rec(const struct match_rec *r)
{
	__builtin_prefetch(r);
	__builtin_prefetch((const char *)r + sizeof *r - 1);
}

static void
score_chunk(void *ctx, size_t from, size_t to, int worker)
{
	struct run *r = ctx;
	for (size_t i = from; i < to; i++) {
		struct match_cands *c = &r->cands[worker];
		if (cartel__match_candidates(r->px, &r->a->recs[i],
		                             &r->a->arena, 0, CAP_LINK, 0,
		                             &r->seen[worker], c) != 0) {
			r->failed = 1;
			return;
		}
		if (c->n > r->wcap[worker]) {
			double *nb = realloc(r->wbuf[worker],
					     c->n * sizeof *nb);
			if (nb == NULL) {
				r->failed = 1;
				return;
			}
			r->wbuf[worker] = nb;
			r->wcap[worker] = c->n;
		}
		double *w = r->wbuf[worker];
		double wmax = -1e300;
		const struct match_rec *x = &r->a->recs[i];
		/* The candidates lie anywhere in a big list: fetch each
		 * record a few steps ahead, and its surname (the first
		 * string compared) once the record is in. */
		for (size_t k = 0; k < c->n && k < PREFETCH_REC; k++)
			prefetch_rec(&r->b->recs[c->v[k]]);
		for (size_t k = 0; k < c->n; k++) {
			if (k + PREFETCH_REC < c->n)
				prefetch_rec(&r->b->recs[c->v[k + PREFETCH_REC]]);
			if (k + PREFETCH_STR < c->n)
				__builtin_prefetch(match_str(
					&r->b->arena,
					r->b->recs[c->v[k + PREFETCH_STR]].fam));
			w[k] = -1e300;
			if (r->same && c->v[k] == i)
				continue;
			uint8_t lv[F_N];
			int sw;
			const struct match_rec *y = &r->b->recs[c->v[k]];
			cartel__match_compare(x, &r->a->arena, y, &r->b->arena,
			                      lv, &sw);
			if (!r->same || c->v[k] > i)
				r->n_cand[worker]++;
			w[k] = r->mm->log2_prior +
			       cartel__match_weight(r->mm, lv, x, y);
			if (w[k] > wmax)
				wmax = w[k];
		}
		if (wmax <= -1e300)
			continue;
		/* log2 of the denominator, scaled by 2^-wmax for range. */
		double den = r->absent * exp2(-wmax);
		for (size_t k = 0; k < c->n; k++)
			if (w[k] > -1e300)
				den += exp2(w[k] - wmax);
		double log2_den = wmax + log2(den);
		/* Within one list a person may appear three times: there
		 * the pairs stand each on its own evidence. */
		for (size_t k = 0; k < c->n; k++) {
			if (w[k] <= -1e300 || (r->same && c->v[k] <= i))
				continue;
			double lp = r->same ? -log2(1 + exp2(-w[k]))
					    : w[k] - log2_den; /* log2 p */
			double p = exp2(lp);
			double odds = p >= 1 ? 60 : log2(p / (1 - p));
			if (odds < r->min_w)
				continue;
			if (cartel__assign_pairs_add(&r->kept[worker],
			                             (uint32_t)i, c->v[k],
			                             odds) != 0) {
				r->failed = 1;
				return;
			}
		}
	}
}

static void
run_free(struct run *r, int nt)
{
	for (int t = 0; t < nt; t++) {
		if (r->hists)
			free(r->hists[t]);
		if (r->seen)
			free(r->seen[t].mark);
		if (r->cands)
			free(r->cands[t].v);
		if (r->kept)
			cartel__assign_pairs_free(&r->kept[t]);
	}
	free(r->hists);
	free(r->seen);
	free(r->cands);
	free(r->kept);
	free(r->n_cand);
	if (r->wbuf)
		for (int t = 0; t < nt; t++)
			free(r->wbuf[t]);
	free(r->wbuf);
	free(r->wcap);
}

/*
 * Shared by link and dedupe: normalises, blocks, fits the model and keeps
 * the pairs at or above the review threshold in *kept.
 */
static int
score_all(const struct cartel_match_opts *o, const struct match_names *nt,
	  struct match_side *a, struct match_side *b, int same,
	  struct match_model *mm, struct assign_pairs *kept,
	  struct cartel_match_stats *st, struct cartel__progress *pg,
	  char **why)
{
	(void)nt;
	int T = o->n_threads;
	double t0 = now();
	struct match_posting px;
	int rc = cartel__match_post_build(&px, b, 0, T);
	if (rc != 0)
		return cartel__why(why, rc, "out of memory building the index");
	cartel__match_model_defaults(mm);
	size_t nsamp = 4 * (a->n + b->n);
	if (nsamp < 200000)
		nsamp = 200000;
	if (nsamp > 1000000)
		nsamp = 1000000;
	cartel__match_estimate_u(mm, a, b, nsamp, T);

	struct run r = {0};
	r.o = o;
	r.a = a;
	r.b = b;
	r.px = &px;
	r.mm = mm;
	r.same = same;
	r.hists = calloc((size_t)T, sizeof *r.hists);
	r.seen = calloc((size_t)T, sizeof *r.seen);
	r.cands = calloc((size_t)T, sizeof *r.cands);
	r.kept = calloc((size_t)T, sizeof *r.kept);
	r.n_cand = calloc((size_t)T, sizeof *r.n_cand);
	r.wbuf = calloc((size_t)T, sizeof *r.wbuf);
	r.wcap = calloc((size_t)T, sizeof *r.wcap);
	rc = (r.hists && r.seen && r.cands && r.kept && r.n_cand && r.wbuf &&
	      r.wcap)
		     ? 0
		     : CARTEL_ENOMEM;
	size_t np = cartel__match_n_patterns();
	for (int t = 0; rc == 0 && t < T; t++) {
		r.hists[t] = calloc(np, sizeof(double));
		r.seen[t].mark = calloc(b->n ? b->n : 1, sizeof(uint32_t));
		r.seen[t].n = b->n;
		if (r.hists[t] == NULL || r.seen[t].mark == NULL)
			rc = CARTEL_ENOMEM;
	}
	double t1 = now();
	if (st)
		st->seconds_candidates = 0;
	/* EM on (a sample of) the candidate pairs. */
	if (rc == 0) {
		/* A tenth of the records (at least 5,000, at most
		 * EM_SAMPLE) is plenty to fit a few dozen parameters. */
		size_t want = a->n / 10;
		if (want < 5000)
			want = 5000;
		if (want > EM_SAMPLE)
			want = EM_SAMPLE;
		r.stride = a->n > want ? (a->n + want - 1) / want : 1;
		size_t nq = (a->n + r.stride - 1) / r.stride;
		cartel__match_parallel(T, nq, 512, em_chunk, &r);
		if (r.failed)
			rc = CARTEL_ENOMEM;
		for (int t = 1; rc == 0 && t < T; t++)
			for (size_t p = 0; p < np; p++)
				r.hists[0][p] += r.hists[t][p];
		for (int t = 0; t < T; t++)
			r.n_cand[t] = 0;
	}
	double t2 = now();
	if (rc == 0) {
		/* The prior over all pairs: about half the smaller list is
		 * in the other, until EM says better. */
		double n_q = (double)((a->n + r.stride - 1) / r.stride);
		double n_pairs = same ? n_q * ((double)b->n - 1) / 2
				      : n_q * (double)b->n;
		double n_small = (double)(a->n < b->n ? a->n : b->n);
		if (n_pairs < 1)
			n_pairs = 1;
		/* (Within one list, a tenth of the records repeated.) */
		mm->lambda = (same ? 0.1 : 0.5) * (n_small > 1 ? n_small : 1) /
			     (same ? (double)a->n * ((double)a->n - 1) / 2 + 1
				   : (double)a->n * (double)b->n + 1);
		if (mm->lambda >= 0.5)
			mm->lambda = 0.25;
		cartel__match_model_weights(mm);
		int it = o->em ? cartel__match_em(mm, r.hists[0], n_pairs) : 0;
		if (st) {
			st->em_iterations = it;
			st->em_lambda = mm->lambda;
		}
	}
	double t3 = now();
	if (rc == 0) {
		r.min_w = log2_odds(o->review);
		double expect = mm->lambda * (double)(same ? b->n - 1 : b->n);
		r.absent = 1 - (expect < 0.95 ? expect : 0.95);
		cartel__match_parallel_pg(T, a->n, 512, score_chunk, &r, pg);
		if (r.failed)
			rc = CARTEL_ENOMEM;
	}
	size_t n_cand = 0;
	for (int t = 0; rc == 0 && t < T; t++) {
		n_cand += r.n_cand[t];
		if (cartel__assign_pairs_move(kept, &r.kept[t]) != 0)
			rc = CARTEL_ENOMEM;
	}
	if (st) {
		st->n_candidates = n_cand;
		st->n_scored_review = kept->n;
		st->seconds_candidates = (t1 - t0) + (now() - t3);
		st->seconds_em = t3 - t1;
		(void)t2;
	}
	run_free(&r, T);
	cartel__match_post_free(&px);
	if (rc != 0)
		return cartel__why(why, rc, "out of memory scoring pairs");
	return 0;
}

void
cartel_match_pairs_free(struct cartel_match_pair *p, size_t n)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(p[i].explanation);
	free(p);
}

int
cartel_match_link(const struct cartel_person *left, size_t n_left,
		  const struct cartel_person *right, size_t n_right,
		  const struct cartel_match_opts *opts,
		  struct cartel_match_pair **out, size_t *n_out,
		  struct cartel_match_stats *stats, char **why)
{
	*out = NULL;
	*n_out = 0;
	struct cartel_match_opts o;
	opts_fix(&o, opts);
	struct cartel_match_stats st = {0};
	st.n_left = n_left;
	st.n_right = n_right;
	const struct match_names *nt;
	int rc = cartel__match_names_get(o.data_dir, &nt, why);
	if (rc != 0)
		return rc;
	double t0 = now();
	/* Each record normalised, then each left record scored against
	 * its candidates. */
	struct cartel__progress pg = {0};
	cartel__progress_begin(&pg, o.progress, o.progress_user, "records",
			       2 * (uint64_t)n_left + n_right);
	struct match_side a, b;
	memset(&b, 0, sizeof b);
	rc = cartel__match_side_build(&a, nt, left, n_left, o.n_threads, &pg);
	if (rc == 0 && (rc = cartel__match_side_build(&b, nt, right, n_right,
	                                              o.n_threads, &pg)) != 0)
		cartel__match_side_free(&a);
	if (rc != 0)
		return cartel__why(why, rc, "out of memory normalising");
	struct match_side *sides[2] = {&a, &b};
	rc = cartel__match_sides_tf(nt, sides, 2);
	st.seconds_normalise = now() - t0;
	struct match_model mm;
	struct assign_pairs kept = {0};
	if (rc == 0)
		rc = score_all(&o, nt, &a, &b, 0, &mm, &kept, &st, &pg, why);
	double t1 = now();
	struct cartel_match_pair *res = NULL;
	size_t n_res = 0;
	if (rc == 0) {
		double base = log2_odds(o.review);
		if (o.one_to_one)
			rc = cartel__assign_one_to_one(
			    &kept, n_left, n_right, base,
			    CARTEL_MATCH_EXACT_MAX, &st);
	}
	if (rc == 0 && kept.n > 0) {
		res = calloc(kept.n, sizeof *res);
		if (res == NULL)
			rc = CARTEL_ENOMEM;
	}
	for (size_t i = 0; rc == 0 && i < kept.n; i++) {
		const struct assign_pair *p = &kept.v[i];
		const struct match_rec *x = &a.recs[p->l], *y = &b.recs[p->r];
		struct cartel_match_pair *q = &res[n_res++];
		q->left = p->l;
		q->right = p->r;
		q->left_id = left[p->l].id;
		q->right_id = right[p->r].id;
		q->weight = p->w;
		q->probability = prob_of(p->w);
		q->band = band_of(&o, q->probability);
		if (o.explain) {
			uint8_t lv[F_N];
			int sw;
			cartel__match_compare(x, &a.arena, y, &b.arena, lv,
			                      &sw);
			q->explanation = cartel__match_explain(
			    &mm, lv, sw, x, &a.arena, y, &b.arena, p->w,
			    q->probability);
		}
	}
	st.seconds_assign = now() - t1;
	cartel__assign_pairs_free(&kept);
	cartel__match_side_free(&a);
	cartel__match_side_free(&b);
	if (rc != 0) {
		cartel_match_pairs_free(res, n_res);
		return cartel__why(why, rc, "out of memory linking");
	}
	if (stats)
		*stats = st;
	*out = res;
	*n_out = n_res;
	cartel__progress_end(&pg);
	return 0;
}

void
cartel_match_dups_free(struct cartel_match_dup *d, size_t n)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		for (int f = 0; f < CARTEL_MATCH_N_EVIDENCE; f++) {
			free(d[i].evidence[f].left);
			free(d[i].evidence[f].right);
		}
	free(d);
}

static int
dup_cmp(const void *x, const void *y)
{
	const struct cartel_match_dup *a = x, *b = y;
	if (a->cluster != b->cluster)
		return a->cluster < b->cluster ? -1 : 1;
	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	return a->b < b->b ? -1 : a->b > b->b;
}

/* The scored pairs of a deduplication, with their evidence. */
static int
make_dups(const struct cartel_match_opts *o, const struct match_model *mm,
	  const struct match_side *a, const struct assign_pairs *kept,
	  const size_t *cluster, struct cartel_match_dup **out, size_t *n_out)
{
	struct cartel_match_dup *d = calloc(kept->n ? kept->n : 1, sizeof *d);
	if (d == NULL)
		return CARTEL_ENOMEM;
	size_t n = 0;
	for (size_t i = 0; i < kept->n; i++) {
		const struct assign_pair *p = &kept->v[i];
		size_t l = p->l < p->r ? p->l : p->r;
		size_t r = p->l < p->r ? p->r : p->l;
		struct cartel_match_dup *q = &d[n];
		q->a = l;
		q->b = r;
		q->a_id = a->persons[l].id;
		q->b_id = a->persons[r].id;
		q->cluster = cluster[l];
		q->weight = p->w;
		q->probability = prob_of(p->w);
		q->band = band_of(o, q->probability);
		uint8_t lv[F_N];
		int sw;
		cartel__match_compare(&a->recs[l], &a->arena, &a->recs[r],
				      &a->arena, lv, &sw);
		if (cartel__match_evidence(mm, lv, &a->recs[l], &a->recs[r],
				   q->evidence) != 0) {
			cartel_match_dups_free(d, n);
			return CARTEL_ENOMEM;
		}
		n++;
	}
	qsort(d, n, sizeof *d, dup_cmp);
	*out = d;
	*n_out = n;
	return 0;
}

static int
dedupe_run(const struct cartel_person *persons, size_t n,
	   const struct cartel_match_opts *opts, size_t *cluster,
	   struct cartel_match_dup **dups, size_t *n_dups,
	   struct cartel_match_stats *stats, char **why)
{
	struct cartel_match_opts o;
	opts_fix(&o, opts);
	struct cartel_match_stats st = {0};
	st.n_left = st.n_right = n;
	const struct match_names *nt;
	int rc = cartel__match_names_get(o.data_dir, &nt, why);
	if (rc != 0)
		return rc;
	double t0 = now();
	/* Each record normalised, then scored against its candidates. */
	struct cartel__progress pg = {0};
	cartel__progress_begin(&pg, o.progress, o.progress_user, "records",
			       2 * (uint64_t)n);
	struct match_side a;
	rc = cartel__match_side_build(&a, nt, persons, n, o.n_threads, &pg);
	if (rc != 0)
		return cartel__why(why, rc, "out of memory normalising");
	struct match_side *sides[1] = {&a};
	rc = cartel__match_sides_tf(nt, sides, 1);
	st.seconds_normalise = now() - t0;
	struct match_model mm;
	struct assign_pairs kept = {0};
	if (rc == 0)
		rc = score_all(&o, nt, &a, &a, 1, &mm, &kept, &st, &pg, why);
	double t1 = now();
	if (rc == 0)
		rc = cartel__assign_clusters(&kept, n, log2_odds(o.threshold),
					     cluster);
	if (rc == 0 && dups != NULL)
		rc = make_dups(&o, &mm, &a, &kept, cluster, dups, n_dups);
	st.seconds_assign = now() - t1;
	cartel__assign_pairs_free(&kept);
	cartel__match_side_free(&a);
	if (rc != 0)
		return cartel__why(why, rc, "out of memory deduplicating");
	if (stats)
		*stats = st;
	cartel__progress_end(&pg);
	return 0;
}

int
cartel_match_dedupe(const struct cartel_person *persons, size_t n,
		    const struct cartel_match_opts *opts, size_t *cluster,
		    struct cartel_match_stats *stats, char **why)
{
	return dedupe_run(persons, n, opts, cluster, NULL, NULL, stats, why);
}

int
cartel_match_dedupe_pairs(const struct cartel_person *persons, size_t n,
			  const struct cartel_match_opts *opts,
			  size_t *cluster, struct cartel_match_dup **out,
			  size_t *n_out, struct cartel_match_stats *stats,
			  char **why)
{
	*out = NULL;
	*n_out = 0;
	return dedupe_run(persons, n, opts, cluster, out, n_out, stats, why);
}

/* ---- For benchmarks: the candidate pairs alone ---- */

struct cand_job {
	const struct match_side *a;
	size_t n_b;
	const struct match_posting *px;
	struct match_seen *seen;
	struct match_cands *cands;
	struct assign_pairs *out;
	int failed;
};

static void
cand_chunk(void *ctx, size_t from, size_t to, int worker)
{
	struct cand_job *j = ctx;
	for (size_t i = from; i < to; i++) {
		struct match_cands *c = &j->cands[worker];
		if (cartel__match_candidates(j->px, &j->a->recs[i],
		                             &j->a->arena, 0, cap_link(j->n_b),
		                             0, &j->seen[worker], c) != 0) {
			j->failed = 1;
			return;
		}
		for (size_t k = 0; k < c->n; k++)
			if (cartel__assign_pairs_add(&j->out[worker],
			                             (uint32_t)i, c->v[k],
			                             0) != 0) {
				j->failed = 1;
				return;
			}
	}
}

int
cartel__match_link_candidates(const struct cartel_person *left, size_t n_left,
                              const struct cartel_person *right, size_t n_right,
                              const struct cartel_match_opts *opts,
                              struct assign_pairs *out, char **why)
{
	struct cartel_match_opts o;
	opts_fix(&o, opts);
	const struct match_names *nt;
	int rc = cartel__match_names_get(o.data_dir, &nt, why);
	if (rc != 0)
		return rc;
	struct match_side a, b;
	if ((rc = cartel__match_side_build(&a, nt, left, n_left,
	                                   o.n_threads, NULL)) != 0)
		return rc;
	if ((rc = cartel__match_side_build(&b, nt, right, n_right,
	                                   o.n_threads, NULL))) {
		cartel__match_side_free(&a);
		return rc;
	}
	struct match_posting px;
	rc = cartel__match_post_build(&px, &b, 0, o.n_threads);
	int T = o.n_threads;
	struct cand_job j = {&a, b.n, &px, calloc((size_t)T, sizeof *j.seen),
			     calloc((size_t)T, sizeof *j.cands),
			     calloc((size_t)T, sizeof *j.out), 0};
	if (rc == 0 && (!j.seen || !j.cands || !j.out))
		rc = CARTEL_ENOMEM;
	for (int t = 0; rc == 0 && t < T; t++) {
		j.seen[t].mark = calloc(b.n ? b.n : 1, sizeof(uint32_t));
		j.seen[t].n = b.n;
		if (j.seen[t].mark == NULL)
			rc = CARTEL_ENOMEM;
	}
	if (rc == 0) {
		cartel__match_parallel(T, a.n, 512, cand_chunk, &j);
		if (j.failed)
			rc = CARTEL_ENOMEM;
	}
	for (int t = 0; t < T; t++) {
		if (rc == 0 && j.out)
			rc = cartel__assign_pairs_move(out, &j.out[t]);
		else if (j.out)
			cartel__assign_pairs_free(&j.out[t]);
		if (j.seen)
			free(j.seen[t].mark);
		if (j.cands)
			free(j.cands[t].v);
	}
	free(j.seen);
	free(j.cands);
	free(j.out);
	if (rc == 0 || px.tab != NULL)
		cartel__match_post_free(&px);
	cartel__match_side_free(&a);
	cartel__match_side_free(&b);
	return rc;
}
