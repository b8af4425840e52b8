/*
 * match_bench: the figures of bench/bench_match.sh.
 *
 *   match_bench link DIR [THREADS]
 *       links DIR/left.csv with DIR/right.csv (from bench/gen_corpus) and
 *       prints one line: records, precision, recall, F1 against
 *       DIR/truth.csv, wall seconds (reading the files included), peak
 *       memory, blocking recall and candidates per record; then the same
 *       for an exact-key join (family name, given name and birth date
 *       exactly as written: what a spreadsheet lookup finds).
 *   match_bench search FILE.csv N_QUERIES
 *       loads FILE.csv (e.g. from `cartel generate`) as a register, builds
 *       the search index and times N_QUERIES searches for names of the
 *       register re-spelled (Latin or the other Cyrillic, words in another
 *       order), each read by cartel_query_parse and its reading chosen on
 *       the index as `cartel search` does; prints the median and 90th
 *       percentile in milliseconds.
 *   match_bench search-db REGISTER.db FILE.csv N_QUERIES
 *       the same queries (names of FILE.csv's rows, the rows imported
 *       into REGISTER.db) through cartel_search on the register opened
 *       once, its search index file already built: the work one request
 *       costs a process that keeps the register open (a server), without
 *       a command's start-up. Prints the median and 90th percentile.
 *   match_bench queries REGISTER.db TABLE.tsv
 *       the hard-query table (tests/data/hard_queries.tsv) through
 *       cartel_search_text on the register opened once: the share with
 *       the right person first, the misses, the median time per query.
 *   match_bench diagnose DIR [THREADS]
 *       where the true pairs the linker misses are lost: never candidates
 *       (a block over the cap, or no key in common), scored below the
 *       thresholds, or lost in the one-to-one assignment; and how many of
 *       them a rival candidate fits at least as well on every field.
 *   match_bench translit
 *       the cost per name of ICU's transforms beside cartel's own
 *       normalisation (why the hot path uses our tables).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <unicode/ustring.h>
#include <unicode/utrans.h>

#include <cartel/cartel.h>
#include <cartel/match.h>
#include <cartel/store.h>

#include "match/assign.h"
#include "match/index_int.h"
#include "match/match_int.h"

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
peak_mib(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss / 1024.0;
}

static int
load(const char *path, struct cartel_person **p, size_t *n)
{
	FILE *fp = fopen(path, "rb");
	if (fp == NULL) {
		fprintf(stderr, "match_bench: cannot open %s\n", path);
		return -1;
	}
	char *why = NULL;
	int rc = cartel_match_read_csv(fp, path, 0, p, n, NULL, &why);
	fclose(fp);
	if (rc != 0) {
		fprintf(stderr, "match_bench: %s\n", why ? why : "read error");
		free(why);
		return -1;
	}
	return 0;
}

/* ids as "L000123" / "R000123" style strings: a hash set of pairs. */
struct pset {
	uint64_t *h;
	size_t mask, n;
};

static uint64_t
pair_hash(const char *a, const char *b)
{
	uint64_t h = cartel__match_hash(a, strlen(a), 1);
	return (h * 31) ^ cartel__match_hash(b, strlen(b), 2) ^ 1;
}

static void
pset_add(struct pset *s, uint64_t h)
{
	size_t i = h & s->mask;
	while (s->h[i] != 0 && s->h[i] != h)
		i = (i + 1) & s->mask;
	if (s->h[i] == 0) {
		s->h[i] = h;
		s->n++;
	}
}

static int
pset_has(const struct pset *s, uint64_t h)
{
	size_t i = h & s->mask;
	while (s->h[i] != 0) {
		if (s->h[i] == h)
			return 1;
		i = (i + 1) & s->mask;
	}
	return 0;
}

static int
load_truth(const char *path, struct pset *s)
{
	FILE *fp = fopen(path, "r");
	if (fp == NULL)
		return -1;
	size_t cap = 1 << 16;
	char line[256];
	size_t lines = 0;
	while (fgets(line, sizeof line, fp))
		lines++;
	while (cap < 2 * lines + 16)
		cap *= 2;
	s->h = calloc(cap, sizeof *s->h);
	s->mask = cap - 1;
	s->n = 0;
	rewind(fp);
	int first = 1;
	while (fgets(line, sizeof line, fp)) {
		if (first) {
			first = 0;
			continue;
		}
		line[strcspn(line, "\r\n")] = '\0';
		char *c = strchr(line, ',');
		if (c == NULL)
			continue;
		*c = '\0';
		pset_add(s, pair_hash(line, c + 1));
	}
	fclose(fp);
	return 0;
}

static void
report(const char *what, size_t n_pairs, size_t tp, size_t n_truth)
{
	double p = n_pairs ? (double)tp / (double)n_pairs : 0;
	double r = n_truth ? (double)tp / (double)n_truth : 0;
	double f = p + r > 0 ? 2 * p * r / (p + r) : 0;
	printf("%-10s precision %.4f  recall %.4f  F1 %.4f", what, p, r, f);
}

static const char *
s_or(const char *s)
{
	return s ? s : "";
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static int
bench_link(const char *dir, int threads)
{
	char lp[1024], rp[1024], tp_[1024];
	snprintf(lp, sizeof lp, "%s/left.csv", dir);
	snprintf(rp, sizeof rp, "%s/right.csv", dir);
	snprintf(tp_, sizeof tp_, "%s/truth.csv", dir);
	struct pset truth;
	if (load_truth(tp_, &truth) != 0) {
		fprintf(stderr, "match_bench: cannot read %s\n", tp_);
		return 1;
	}
	double t0 = now();
	struct cartel_person *l, *r;
	size_t nl, nr;
	if (load(lp, &l, &nl) || load(rp, &r, &nr))
		return 1;
	struct cartel_match_opts o;
	cartel_match_opts_init(&o);
	o.n_threads = threads;
	o.explain = 0; /* the command writes them; the figure is the match */
	struct cartel_match_pair *pairs;
	size_t np;
	struct cartel_match_stats st;
	char *why = NULL;
	if (cartel_match_link(l, nl, r, nr, &o, &pairs, &np, &st, &why)) {
		fprintf(stderr, "match_bench: %s\n", why ? why : "failed");
		return 1;
	}
	double t1 = now();
	double mem = peak_mib();
	size_t n_match = 0, tp = 0;
	for (size_t i = 0; i < np; i++) {
		if (pairs[i].band != CARTEL_BAND_MATCH)
			continue;
		n_match++;
		tp += pset_has(&truth,
			       pair_hash(pairs[i].left_id, pairs[i].right_id));
	}
	printf("%zu x %zu records, %zu true pairs\n", nl, nr, truth.n);
	report("cartel", n_match, tp, truth.n);
	printf("  wall %.2f s  peak %.0f MiB  (%.2f normalise, %.2f block+score, "
	       "%.2f EM, %.2f assign)\n",
	       t1 - t0, mem, st.seconds_normalise, st.seconds_candidates,
	       st.seconds_em, st.seconds_assign);

	/* Blocking alone. */
	struct assign_pairs cand = {0};
	if (cartel__match_link_candidates(l, nl, r, nr, &o, &cand, NULL) == 0) {
		size_t hit = 0;
		for (size_t i = 0; i < cand.n; i++)
			hit += pset_has(&truth,
					pair_hash(l[cand.v[i].l].id,
						  r[cand.v[i].r].id));
		printf("blocking   recall %.4f  candidates per record %.1f\n",
		       truth.n ? (double)hit / (double)truth.n : 0,
		       nl ? (double)cand.n / (double)nl : 0);
		cartel__assign_pairs_free(&cand);
	}

	/* The exact-key join. */
	double t2 = now();
	uint64_t *kr = malloc((nr ? nr : 1) * 2 * sizeof *kr);
	for (size_t i = 0; i < nr; i++) {
		char key[1024];
		char d[16];
		snprintf(key, sizeof key, "%s\t%s\t%s", s_or(r[i].family_name),
			 s_or(r[i].given_name),
			 cartel_date_format(&r[i].birth_date, d, sizeof d));
		kr[2 * i] = cartel__match_hash(key, strlen(key), 3);
		kr[2 * i + 1] = i;
	}
	qsort(kr, nr, 2 * sizeof *kr, cmp_u64);
	char *used = calloc(nr ? nr : 1, 1);
	size_t ex_pairs = 0, ex_tp = 0;
	for (size_t i = 0; i < nl; i++) {
		char key[1024];
		char d[16];
		snprintf(key, sizeof key, "%s\t%s\t%s", s_or(l[i].family_name),
			 s_or(l[i].given_name),
			 cartel_date_format(&l[i].birth_date, d, sizeof d));
		uint64_t h = cartel__match_hash(key, strlen(key), 3);
		size_t lo = 0, hi = nr;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (kr[2 * mid] < h)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < nr && kr[2 * lo] == h; lo++) {
			size_t j = kr[2 * lo + 1];
			if (used[j])
				continue;
			used[j] = 1;
			ex_pairs++;
			ex_tp += pset_has(&truth, pair_hash(l[i].id, r[j].id));
			break;
		}
	}
	double t3 = now();
	report("exact-key", ex_pairs, ex_tp, truth.n);
	printf("  wall %.2f s (join only)\n", t3 - t2);
	free(kr);
	free(used);
	cartel_match_pairs_free(pairs, np);
	cartel_match_persons_free(l, nl);
	cartel_match_persons_free(r, nr);
	free(truth.h);
	return 0;
}

static int
cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* A query re-spelled from a register record: Latin (BGN-like) or the
 * record as written, words in another order, no date half the time. */
static void
respell(const struct cartel_person *p, unsigned k, char *out, size_t size)
{
	char sk[3][128];
	const char *f[3] = {s_or(p->family_name), s_or(p->given_name),
			    s_or(p->patronymic)};
	for (int i = 0; i < 3; i++) {
		if (k % 2) {
			/* Latin: the phonetic rendering, as a family writes
			 * it in a foreign form. */
			cartel__match_phonetic(f[i], sk[i], sizeof sk[i], NULL);
		} else {
			snprintf(sk[i], sizeof sk[i], "%s", f[i]);
		}
	}
	if (k % 3 == 0)
		snprintf(out, size, "%s %s %s", sk[1], sk[2], sk[0]);
	else if (k % 3 == 1)
		snprintf(out, size, "%s %s", sk[0], sk[1]);
	else
		snprintf(out, size, "%s %s %s", sk[0], sk[1], sk[2]);
}

static int
bench_search(const char *file, long n_q)
{
	struct cartel_person *p;
	size_t n;
	double t0 = now();
	if (load(file, &p, &n))
		return 1;
	double t1 = now();
	struct cartel_match_index *ix;
	char *why = NULL;
	if (cartel_match_index_build(&ix, p, n, NULL, &why)) {
		fprintf(stderr, "match_bench: %s\n", why ? why : "failed");
		return 1;
	}
	double t2 = now();
	double *ms = malloc((size_t)n_q * sizeof *ms);
	size_t found = 0;
	for (long q = 0; q < n_q; q++) {
		size_t target = (size_t)(((uint64_t)q * 2654435761u) % n);
		char text[512];
		respell(&p[target], (unsigned)q, text, sizeof text);
		double a = now();
		struct cartel_query pq;
		struct cartel_match_candidate *c = NULL;
		size_t nc = 0, best = 0;
		char born[16] = "";
		if (q % 2 == 0)
			cartel_date_format(&p[target].birth_date, born,
					   sizeof born);
		/* What a search does: read the text every plausible way,
		 * let the index choose, answer from that reading. */
		if (cartel_query_parse(text, strlen(text), born, NULL, &pq,
				       NULL) == 0) {
			if (cartel_match_query_choose(ix, &pq, &best, NULL,
						      NULL) == 0)
				cartel_match_query(ix,
						   &pq.readings[best].person,
						   10, 0, &c, &nc, NULL);
			cartel_query_clear(&pq);
		}
		ms[q] = (now() - a) * 1000;
		for (size_t i = 0; i < nc; i++)
			if (c[i].index == target) {
				found++;
				break;
			}
		cartel_match_candidates_free(c, nc);
	}
	qsort(ms, (size_t)n_q, sizeof *ms, cmp_dbl);
	printf("search     %zu persons: load %.1f s, index %.1f s, peak %.0f "
	       "MiB\n",
	       n, t1 - t0, t2 - t1, peak_mib());
	printf("search     %ld queries: median %.2f ms  p90 %.2f ms  max %.2f "
	       "ms  sought person in the top 10: %.1f%%\n",
	       n_q, ms[n_q / 2], ms[n_q * 9 / 10], ms[n_q - 1],
	       100.0 * (double)found / (double)n_q);
	free(ms);
	cartel_match_index_free(ix);
	cartel_match_persons_free(p, n);
	return 0;
}

static int
bench_translit(void)
{
	static const char *const names[] = {
		"Ковальчук", "Олександр", "Петрович",  "Гайдамака",
		"Шевченко",  "Сергій",    "Іванівна", "Бондаренко"};
	static const char *const ids[] = {"Any-Latin; Latin-ASCII",
					  "Ukrainian-Latin/BGN",
					  "Russian-Latin/BGN", "Cyrillic-Latin"};
	for (size_t t = 0; t < sizeof ids / sizeof ids[0]; t++) {
		UChar id[64];
		UErrorCode st = U_ZERO_ERROR;
		u_uastrcpy(id, ids[t]);
		UTransliterator *tr = utrans_openU(id, -1, UTRANS_FORWARD, NULL,
						   0, NULL, &st);
		if (U_FAILURE(st)) {
			printf("translit   ICU %-24s not available\n", ids[t]);
			continue;
		}
		const int n = 20000;
		double a = now();
		for (int i = 0; i < n; i++) {
			UChar buf[128];
			int32_t len = 0;
			st = U_ZERO_ERROR;
			u_strFromUTF8(buf, 128, &len, names[i % 8], -1, &st);
			int32_t lim = len;
			utrans_transUChars(tr, buf, &len, 128, 0, &lim, &st);
		}
		printf("translit   ICU %-24s %.2f us per name\n", ids[t],
		       (now() - a) * 1e6 / n);
		utrans_close(tr);
	}
	const int n = 200000;
	char sk[128];
	double a = now();
	for (int i = 0; i < n; i++)
		cartel_match_skeleton(names[i % 8], sk, sizeof sk);
	printf("translit   cartel skeleton (NFKC, case fold, own tables) %.2f us "
	       "per name\n",
	       (now() - a) * 1e6 / n);
	return 0;
}

/* ---- Where the errors are ---- */

/* id -> position, by a sorted array of (hash, position). */
struct idmap {
	uint64_t *v; /* pairs: hash, position */
	size_t n;
};

static int
idmap_build(struct idmap *m, const struct cartel_person *p, size_t n)
{
	m->v = malloc((n ? n : 1) * 2 * sizeof *m->v);
	if (m->v == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		m->v[2 * i] = cartel__match_hash(p[i].id, strlen(p[i].id), 5);
		m->v[2 * i + 1] = i;
	}
	qsort(m->v, n, 2 * sizeof *m->v, cmp_u64);
	m->n = n;
	return 0;
}

static long
idmap_get(const struct idmap *m, const struct cartel_person *p,
	  const char *id)
{
	uint64_t h = cartel__match_hash(id, strlen(id), 5);
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (m->v[2 * mid] < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < m->n && m->v[2 * lo] == h; lo++)
		if (strcmp(p[m->v[2 * lo + 1]].id, id) == 0)
			return (long)m->v[2 * lo + 1];
	return -1;
}

/* A pair of positions as a set key (mixed: the set probes by low bits). */
static uint64_t
pos_key(uint64_t l, uint64_t r)
{
	uint64_t x = (l << 32 | r) * 0x9e3779b97f4a7c15ull;
	return (x ^ (x >> 29)) | 1;
}

static int
cmp_pair_l(const void *a, const void *b)
{
	const struct assign_pair *x = a, *y = b;
	if (x->l != y->l)
		return x->l < y->l ? -1 : 1;
	return (x->r > y->r) - (x->r < y->r);
}

static int
cmp_pair_r(const void *a, const void *b)
{
	const struct assign_pair *x = a, *y = b;
	if (x->r != y->r)
		return x->r < y->r ? -1 : 1;
	return (x->l > y->l) - (x->l < y->l);
}

/* 1 when rival levels agree at least as well as the true pair's on every
 * field (the same level, or a better one where both have the field). */
static int
as_good(const uint8_t *rv, const uint8_t *tv)
{
	for (int f = 0; f < F_N; f++) {
		if (rv[f] == tv[f])
			continue;
		if (rv[f] == 0 || tv[f] == 0 || rv[f] > tv[f])
			return 0;
	}
	return 1;
}

/* First pair of sorted v (by key) whose key is k. */
static size_t
first_of(const struct assign_pair *v, size_t n, uint32_t k, int by_r)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		uint32_t x = by_r ? v[mid].r : v[mid].l;
		if (x < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Every true pair the linker misses, by cause: blocking never proposed it
 * (with or without a blocking key in common, i.e. a block over the cap or
 * no key at all); scored below the threshold among the record's
 * candidates; or matched on its own but lost the one-to-one assignment.
 * And how many of the misses a rival candidate fits at least as well on
 * every field (indistinguishable from the fields present).
 */
static int
bench_diagnose(const char *dir, int threads)
{
	char lp[1024], rp[1024], tp_[1024];
	snprintf(lp, sizeof lp, "%s/left.csv", dir);
	snprintf(rp, sizeof rp, "%s/right.csv", dir);
	snprintf(tp_, sizeof tp_, "%s/truth.csv", dir);
	struct cartel_person *l, *r;
	size_t nl, nr;
	if (load(lp, &l, &nl) || load(rp, &r, &nr))
		return 1;
	struct idmap ml, mr;
	if (idmap_build(&ml, l, nl) || idmap_build(&mr, r, nr))
		return 1;
	/* The truth as positions. */
	FILE *fp = fopen(tp_, "r");
	if (fp == NULL)
		return 1;
	struct assign_pairs truth = {0};
	char line[256];
	int first = 1;
	while (fgets(line, sizeof line, fp)) {
		if (first) {
			first = 0;
			continue;
		}
		line[strcspn(line, "\r\n")] = '\0';
		char *c = strchr(line, ',');
		if (c == NULL)
			continue;
		*c = '\0';
		long a = idmap_get(&ml, l, line), b = idmap_get(&mr, r, c + 1);
		if (a >= 0 && b >= 0)
			cartel__assign_pairs_add(&truth, (uint32_t)a,
			                         (uint32_t)b, 0);
	}
	fclose(fp);
	struct cartel_match_opts o;
	cartel_match_opts_init(&o);
	o.n_threads = threads;
	o.explain = 0;
	struct cartel_match_pair *p1, *pa;
	size_t n1, na;
	char *why = NULL;
	if (cartel_match_link(l, nl, r, nr, &o, &p1, &n1, NULL, &why))
		return 1;
	o.one_to_one = 0;
	if (cartel_match_link(l, nl, r, nr, &o, &pa, &na, NULL, &why))
		return 1;
	struct pset s1, sa, sr, sc;
	size_t cap = 1024;
	while (cap < 2 * (na + n1) + 16)
		cap *= 2;
	s1.h = calloc(cap, 8);
	s1.mask = cap - 1;
	sa.h = calloc(cap, 8);
	sa.mask = cap - 1;
	sr.h = calloc(cap, 8);
	sr.mask = cap - 1;
	for (size_t i = 0; i < n1; i++)
		if (p1[i].band == CARTEL_BAND_MATCH)
			pset_add(&s1, pos_key(p1[i].left, p1[i].right));
	for (size_t i = 0; i < na; i++) {
		uint64_t h = pos_key(pa[i].left, pa[i].right);
		pset_add(&sr, h);
		if (pa[i].band == CARTEL_BAND_MATCH)
			pset_add(&sa, h);
	}
	struct assign_pairs cand = {0};
	if (cartel__match_link_candidates(l, nl, r, nr, &o, &cand, NULL) != 0)
		return 1;
	cap = 1024;
	while (cap < 2 * cand.n + 16)
		cap *= 2;
	sc.h = calloc(cap, 8);
	sc.mask = cap - 1;
	for (size_t i = 0; i < cand.n; i++)
		pset_add(&sc, pos_key(cand.v[i].l, cand.v[i].r));
	/* Candidates by left and by right, for the rivals. */
	struct assign_pair *byr = malloc((cand.n ? cand.n : 1) * sizeof *byr);
	if (cand.n) {
		memcpy(byr, cand.v, cand.n * sizeof *byr);
		qsort(cand.v, cand.n, sizeof *cand.v, cmp_pair_l);
		qsort(byr, cand.n, sizeof *byr, cmp_pair_r);
	}
	const struct match_names *nt;
	if (cartel__match_names_get(NULL, &nt, &why) != 0)
		return 1;
	struct match_side a, b;
	if (cartel__match_side_build(&a, nt, l, nl, threads, NULL) ||
	    cartel__match_side_build(&b, nt, r, nr, threads, NULL))
		return 1;
	struct match_posting px;
	if (cartel__match_post_build(&px, &b, 0, threads) != 0)
		return 1;
	uint32_t capl = (uint32_t)(8e6 / (double)nr);
	capl = capl > 200 ? 200 : capl < 48 ? 48 : capl;
	size_t miss = 0, m_block_key = 0, m_block_none = 0, m_below = 0,
	       m_review = 0, m_assign = 0, amb[4] = {0}, no_date = 0,
	       same_names = 0;
	for (size_t t = 0; t < truth.n; t++) {
		uint32_t x = truth.v[t].l, y = truth.v[t].r;
		uint64_t h = pos_key(x, y);
		if (pset_has(&s1, h))
			continue;
		miss++;
		int cause;
		if (!pset_has(&sc, h)) {
			uint64_t kx[MATCH_KEYS_MAX], ky[MATCH_KEYS_MAX];
			int nx = cartel__match_block_keys(&a.recs[x], &a.arena,
			                                  kx, 0);
			int ny = cartel__match_block_keys(&b.recs[y], &b.arena,
			                                  ky, 0);
			int shared = 0;
			for (int i = 0; i < nx && !shared; i++)
				for (int j = 0; j < ny; j++)
					if (kx[i] == ky[j]) {
						shared = 1;
						break;
					}
			if (getenv("MATCH_DIAG_DUMP") != NULL) {
				/* Synthetic corpora only: the rows side by
				 * side, to see which errors defeat blocking. */
				const struct cartel_person *u = &l[x], *v = &r[y];
				char d1[16], d2[16];
				fprintf(stderr, "%s %s|%s|%s|%s  ~  %s|%s|%s|%s\n",
					shared ? "CAP" : "NOKEY",
					s_or(u->family_name), s_or(u->given_name),
					s_or(u->patronymic),
					cartel_date_format(&u->birth_date, d1, sizeof d1),
					s_or(v->family_name), s_or(v->given_name),
					s_or(v->patronymic),
					cartel_date_format(&v->birth_date, d2, sizeof d2));
			}
			if (shared)
				m_block_key++;
			else
				m_block_none++;
			cause = 0;
		} else if (pset_has(&sa, h)) {
			m_assign++;
			cause = 3;
		} else if (pset_has(&sr, h)) {
			m_review++;
			cause = 2;
		} else {
			m_below++;
			cause = 1;
		}
		uint8_t tv[F_N], rv[F_N];
		int sw;
		cartel__match_compare(&a.recs[x], &a.arena, &b.recs[y],
		                      &b.arena, tv, &sw);
		if (tv[F_DATE] == 0)
			no_date++;
		if (tv[F_FAMILY] == 1 && tv[F_GIVEN] == 1 &&
		    (tv[F_PATR] == 0 || tv[F_PATR] == 1))
			same_names++;
		/* A rival as good on every field, on either side. */
		int rival = 0;
		for (size_t k = first_of(cand.v, cand.n, x, 0);
		     !rival && k < cand.n && cand.v[k].l == x; k++) {
			if (cand.v[k].r == y)
				continue;
			cartel__match_compare(&a.recs[x], &a.arena,
			                      &b.recs[cand.v[k].r], &b.arena,
			                      rv, &sw);
			rival = as_good(rv, tv);
		}
		for (size_t k = first_of(byr, cand.n, y, 1);
		     !rival && k < cand.n && byr[k].r == y; k++) {
			if (byr[k].l == x)
				continue;
			cartel__match_compare(&a.recs[byr[k].l], &a.arena,
			                      &b.recs[y], &b.arena, rv, &sw);
			rival = as_good(rv, tv);
		}
		if (rival)
			amb[cause]++;
	}
	printf("%zu x %zu records, %zu true pairs, %zu missed (recall %.4f)\n",
	       nl, nr, truth.n, miss,
	       truth.n ? 1 - (double)miss / (double)truth.n : 0);
	printf("  never candidates: %zu (a key in common but its block over "
	       "the cap %u: %zu; no key in common: %zu); %zu of them with a "
	       "rival as good\n",
	       m_block_key + m_block_none, capl, m_block_key, m_block_none,
	       amb[0]);
	printf("  scored below review: %zu (%zu with a rival as good)\n",
	       m_below, amb[1]);
	printf("  in the review band: %zu (%zu with a rival as good)\n",
	       m_review, amb[2]);
	printf("  a match alone, lost the one-to-one assignment: %zu (%zu "
	       "with a rival as good)\n",
	       m_assign, amb[3]);
	printf("  of all misses: %zu with no date on a side, %zu with the "
	       "same surname and given name (and no differing patronymic), "
	       "%zu with a rival as good on every field\n",
	       no_date, same_names, amb[0] + amb[1] + amb[2] + amb[3]);
	cartel__match_post_free(&px);
	cartel__match_side_free(&a);
	cartel__match_side_free(&b);
	free(byr);
	cartel__assign_pairs_free(&cand);
	cartel__assign_pairs_free(&truth);
	free(s1.h);
	free(sa.h);
	free(sr.h);
	free(sc.h);
	free(ml.v);
	free(mr.v);
	cartel_match_pairs_free(p1, n1);
	cartel_match_pairs_free(pa, na);
	cartel_match_persons_free(l, nl);
	cartel_match_persons_free(r, nr);
	return 0;
}

static int
bench_search_db(const char *db_path, const char *file, long n_q)
{
	struct cartel_person *p;
	size_t n;
	if (load(file, &p, &n) || n == 0 || n_q < 1)
		return 1;
	struct cartel_db *db = NULL;
	char *why = NULL;
	if (cartel_db_open(&db, db_path, CARTEL_DB_READONLY, &why) != 0) {
		fprintf(stderr, "match_bench: %s\n", why ? why : "open failed");
		return 1;
	}
	double *ms = malloc((size_t)n_q * sizeof *ms);
	size_t found = 0, from_file = 0;
	for (long q = 0; ms != NULL && q < n_q; q++) {
		size_t target = (size_t)(((uint64_t)q * 2654435761u) % n);
		char text[512];
		respell(&p[target], (unsigned)q, text, sizeof text);
		double a = now();
		struct cartel_query pq;
		struct cartel_search_hit *h = NULL;
		size_t nh = 0;
		struct cartel_search_info info = {0};
		char born[16] = "";
		if (q % 2 == 0)
			cartel_date_format(&p[target].birth_date, born,
					   sizeof born);
		if (cartel_query_parse(text, strlen(text), born, NULL, &pq,
				       NULL) == 0) {
			if (cartel_search_text(db, &pq, 10, 0, NULL, &h, &nh,
					       NULL, &info, &why) != 0) {
				fprintf(stderr, "match_bench: %s\n",
					why ? why : "search failed");
				return 1;
			}
			cartel_query_clear(&pq);
		}
		ms[q] = (now() - a) * 1000;
		from_file += info.used_index && !info.built;
		cartel_search_info_clear(&info);
		for (size_t i = 0; i < nh; i++)
			if (h[i].person.id != NULL &&
			    strcmp(h[i].person.id, p[target].id) == 0) {
				found++;
				break;
			}
		cartel_search_hits_free(h, nh);
	}
	if (ms == NULL)
		return 1;
	qsort(ms, (size_t)n_q, sizeof *ms, cmp_dbl);
	printf("search-db  %ld queries through the saved index (%zu answered "
	       "from the file): median %.2f ms  p90 %.2f ms  max %.2f ms  "
	       "sought person in the top 10: %.1f%%\n",
	       n_q, from_file, ms[n_q / 2], ms[n_q * 9 / 10], ms[n_q - 1],
	       100.0 * (double)found / (double)n_q);
	free(ms);
	cartel_db_close(db);
	cartel_match_persons_free(p, n);
	return 0;
}

/*
 * The hard-query table (tests/data/hard_queries.tsv: text, birth date or
 * -, the id that must come first) through cartel_search_text on the
 * register opened once, its search index built: the share answered with
 * the right person first, the misses, and the median time per query.
 */
static int
bench_queries(const char *db_path, const char *table)
{
	FILE *fp = fopen(table, "r");
	if (fp == NULL) {
		fprintf(stderr, "match_bench: cannot read %s\n", table);
		return 1;
	}
	struct cartel_db *db = NULL;
	char *why = NULL;
	if (cartel_db_open(&db, db_path, CARTEL_DB_READONLY, &why) != 0) {
		fprintf(stderr, "match_bench: %s\n", why ? why : "open failed");
		fclose(fp);
		return 1;
	}
	/* One search first: it maps the index, as a server's first one. */
	struct cartel_query warm;
	if (cartel_query_parse("Іванов", strlen("Іванов"), NULL, NULL, &warm, NULL) == 0) {
		struct cartel_search_hit *h = NULL;
		size_t nh = 0;
		cartel_search_text(db, &warm, 1, 0, NULL, &h, &nh, NULL, NULL,
				   NULL);
		cartel_search_hits_free(h, nh);
		cartel_query_clear(&warm);
	}
	char line[1024];
	double ms[4096];
	size_t n = 0, right = 0;
	while (n < sizeof ms / sizeof ms[0] && fgets(line, sizeof line, fp)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		char *born = strchr(line, '\t');
		char *want = born ? strchr(born + 1, '\t') : NULL;
		if (want == NULL)
			continue;
		*born++ = '\0';
		*want++ = '\0';
		if (strcmp(born, "-") == 0)
			born = NULL;
		double a = now();
		struct cartel_query pq;
		struct cartel_search_hit *h = NULL;
		size_t nh = 0, r = 0;
		int err = cartel_query_parse(line, strlen(line), born, NULL,
					     &pq, NULL);
		if (err == 0)
			err = cartel_search_text(db, &pq, 10, 0, NULL, &h, &nh,
						 &r, NULL, NULL);
		ms[n++] = (now() - a) * 1000;
		int ok = err == 0 && nh > 0 && h[0].person.id != NULL &&
			 strcmp(h[0].person.id, want) == 0;
		right += ok;
		if (!ok)
			printf("  miss: %s (born %s): want %s, first %s\n", line,
			       born ? born : "-", want,
			       nh > 0 && h[0].person.id ? h[0].person.id
							: "nothing");
		cartel_search_hits_free(h, nh);
		if (err == 0)
			cartel_query_clear(&pq);
	}
	fclose(fp);
	cartel_db_close(db);
	if (n == 0)
		return 1;
	qsort(ms, n, sizeof *ms, cmp_dbl);
	printf("queries    %zu hard queries: right person first %.1f%% (%zu), "
	       "median %.2f ms  p90 %.2f ms  max %.2f ms\n",
	       n, 100.0 * (double)right / (double)n, right, ms[n / 2],
	       ms[n * 9 / 10], ms[n - 1]);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "queries") == 0)
		return bench_queries(argv[2], argv[3]);
	if (argc >= 3 && strcmp(argv[1], "diagnose") == 0)
		return bench_diagnose(argv[2], argc > 3 ? (int)strtol(argv[3], NULL, 10) : 0);
	if (argc >= 3 && strcmp(argv[1], "link") == 0)
		return bench_link(argv[2], argc > 3 ? (int)strtol(argv[3], NULL, 10) : 0);
	if (argc >= 4 && strcmp(argv[1], "search") == 0)
		return bench_search(argv[2], strtol(argv[3], NULL, 10));
	if (argc >= 5 && strcmp(argv[1], "search-db") == 0)
		return bench_search_db(argv[2], argv[3],
				       strtol(argv[4], NULL, 10));
	if (argc >= 2 && strcmp(argv[1], "translit") == 0)
		return bench_translit();
	fprintf(stderr, "usage: match_bench link DIR [THREADS]\n"
			"       match_bench search FILE.csv N_QUERIES\n"
			"       match_bench search-db REGISTER.db FILE.csv "
			"N_QUERIES\n"
			"       match_bench queries REGISTER.db TABLE.tsv\n"
			"       match_bench diagnose DIR [THREADS]\n"
			"       match_bench translit\n");
	return 2;
}
