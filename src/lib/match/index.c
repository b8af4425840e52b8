/*
 * The blocking index and the query: records are normalised once (in
 * parallel), each gets a handful of blocking keys, and the index maps every
 * key to the records that carry it. A query gathers the union of the
 * records under its own keys (skipping keys shared by too many records: a
 * common name and a birth year is not a block), compares each candidate
 * and scores it.
 *
 * The passes, each selective on its own and each surviving an error the
 * others do not (docs/matching.md has the measured recall):
 *   A surname + given name + birth year      (day or month wrong)
 *   B surname + given name + patronymic      (date wrong or missing)
 *   C surname + full birth date              (given name spelled apart)
 *   D given name + full birth date           (surname spelled apart)
 *   E surname sound (D-M) + given + year     (surname typo)
 *   F patronymic + full birth date           (both names apart)
 *   G surname + given name                   (no date at all)
 *   H surname sound + given + patronymic     (surname typo, no date)
 *   I service number
 *   J surname + initial + year               (given name unknown to the
 *                                             table and misspelled)
 *   K surname + given name + birth place     (no date, common name)
 *   L surname sound + given name             (surname typo, date wrong)
 *   M surname + patronymic                   (given name and date wrong)
 *   N surname + day and month                (year wrong)
 *   O given name + day and month             (year and surname wrong)
 *   P given name + birth year and month      (surname and day wrong)
 *   Q surname with one letter deleted (each in turn, and whole)
 *     + given name                           (a surname typo the sound
 *                                             code misses, date wrong)
 *   R given name likewise + surname          (a given-name typo the
 *                                             table cannot place)
 *   S the given field read as a surname
 *     + full birth date                      (names swapped, hidden by
 *                                             a typo)
 * Full dates are keyed with day and month in either order (a swap stays
 * in its block). A block over the cap is not dropped: each posting
 * carries a tag of three fields its key does not hold, and a block up to
 * MATCH_TAG_SCAN times the cap gives the records agreeing with the query
 * on one of them (a finer key).
 * "surname" is the masculine skeleton, "given name" the table identity
 * (or the skeleton when the name is not in the table). Search adds wide
 * keys (surname alone, sound + given, given + patronymic) with a high cap.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cartel/error.h>

#include "core/why.h"
#include "match/match_int.h"
#include "match/index_int.h"

static uint64_t
mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint64_t
k3(int pass, uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t h = mix((uint64_t)pass * 0x100000001b3ull + 1);
	h = mix(h ^ a);
	h = mix(h ^ (b + 0x51));
	h = mix(h ^ (c + 0x77));
	return h | 1; /* 0 marks an empty slot */
}

static uint64_t
given_key(const struct match_rec *r, const struct match_arena *a)
{
	if (r->given_id)
		return (uint64_t)r->given_id;
	if (r->giv == 0)
		return 0;
	const char *s = match_str(a, r->giv);
	return cartel__match_hash(s, strlen(s), 11) | (1ull << 63);
}

static uint64_t
patr_key(const struct match_rec *r, const struct match_arena *a)
{
	if (r->patr_id)
		return (uint64_t)r->patr_id;
	if (r->patr == 0)
		return 0;
	const char *s = match_str(a, r->patr);
	return cartel__match_hash(s, strlen(s), 13) | (1ull << 63);
}

int
cartel__match_block_keys(const struct match_rec *r, const struct match_arena *a,
                         uint64_t *keys, int wide)
{
	int narrow, tight;
	return cartel__match_block_keys2(r, a, keys, wide, &narrow, &tight);
}

/* A sub-tag: 10 bits of a field's value, 0 when the field is missing. */
static uint32_t
sub(uint64_t v)
{
	if (v == 0)
		return 0;
	uint32_t t = (uint32_t)(mix(v) >> 54); /* 10 bits */
	return t ? t : 1;
}

static void
add(uint64_t *keys, uint32_t *tags, int *n, uint64_t key, uint32_t tag)
{
	keys[*n] = key;
	tags[(*n)++] = tag;
}

/* Most deletion variants of one surname keyed (longer names are keyed
 * on their first letters' variants only). */
#define DEL_MAX 12

static int
add_deletions(uint64_t *keys, uint32_t *tags, int n, int pass, const char *sk,
	      int min_letters, uint64_t other, uint32_t tag)
{
	/* Code point starts (the skeleton holds a few Cyrillic letters). */
	size_t len = strlen(sk), st[DEL_MAX];
	int np = 0;
	for (size_t i = 0; i < len && np < DEL_MAX; i++)
		if (((unsigned char)sk[i] & 0xc0) != 0x80)
			st[np++] = i;
	/* A shorter name less one letter is hardly a name. */
	if (np < min_letters)
		return n;
	add(keys, tags, &n, k3(pass, cartel__match_hash(sk, len, 23), other, 0),
	    tag);
	char buf[MATCH_SKEL];
	if (len >= sizeof buf)
		return n;
	for (int d = 0; d < np; d++) {
		size_t from = st[d], to = from + 1;
		while (to < len && ((unsigned char)sk[to] & 0xc0) == 0x80)
			to++;
		/* The string with that letter left out: the key depends on
		 * the letters alone, so a transposition and a deletion meet
		 * their original wherever they happened. */
		memcpy(buf, sk, from);
		memcpy(buf + from, sk + to, len - to);
		add(keys, tags, &n,
		    k3(pass, cartel__match_hash(buf, from + len - to, 23),
		       other, 0),
		    tag);
	}
	return n;
}

#define TAG3(x, y, z) (sub(x) | sub(y) << 10 | sub(z) << 20)

/* Field i (0..2) of a tag: 10 bits, 0 when the field is missing. */
static uint32_t
tag_field(uint32_t t, int i)
{
	return (t >> (10 * i)) & 1023;
}

/* 1 when no field present in both tags differs. */
static int
tags_compatible(uint32_t a, uint32_t b)
{
	for (int i = 0; i < 3; i++) {
		uint32_t x = tag_field(a, i), y = tag_field(b, i);
		if (x != 0 && y != 0 && x != y)
			return 0;
	}
	return 1;
}

int
cartel__match_tags_agree(uint32_t a, uint32_t b)
{
	for (int i = 0; i < 3; i++) {
		uint32_t x = tag_field(a, i);
		if (x != 0 && x == tag_field(b, i))
			return 1;
	}
	return 0;
}

int
cartel__match_block_keys2(const struct match_rec *r,
                          const struct match_arena *a, uint64_t *keys, int wide,
                          int *n_narrow, int *n_tight)
{
	return cartel__match_block_keys3(r, a, keys, NULL, wide, n_narrow,
	                                 n_tight);
}

int
cartel__match_block_keys3(const struct match_rec *r,
                          const struct match_arena *a, uint64_t *keys,
                          uint32_t *tags, int wide, int *n_narrow, int *n_tight)
{
	uint32_t tag_dummy[MATCH_KEYS_MAX];
	if (tags == NULL)
		tags = tag_dummy;
	int n = 0;
	uint64_t fam = r->fam_h, giv = given_key(r, a), pat = patr_key(r, a);
	uint64_t year = (uint64_t)r->year;
	/* Day and month in either order: a swap does not leave the block. */
	int lo = r->day < r->month ? r->day : r->month;
	int hi = r->day < r->month ? r->month : r->day;
	uint64_t date = r->day ? (uint64_t)(r->year * 10000 + lo * 100 + hi)
			       : 0;
	uint64_t mmdd = r->day ? (uint64_t)(lo * 100 + hi) : 0;
	uint64_t dm = r->n_dm ? r->dm[0] : 0;
	uint64_t place = 0;
	if (r->place) {
		const char *pl = match_str(a, r->place);
		place = cartel__match_hash(pl, strlen(pl), 19);
	}
	/* Each key has a tag of three other fields (the place by its sound,
	 * so that Київ, Киев and Kyiv agree): a block too big to take
	 * whole is still searched for the records that agree with the query
	 * on one of them (a finer key, not a dropped block). */
	uint64_t tyear = year ? year + 1 : 0, tmmdd = mmdd ? mmdd + 2 : 0,
		 tpat = pat ? pat + 3 : 0, tgiv = giv ? giv + 4 : 0,
		 tfam = fam ? fam + 5 : 0, tdm = dm ? dm + 6 : 0,
		 tplace = r->n_place_dm ? (uint64_t)r->place_dm[0] + 7 : 0;
	/* The selective passes first ... */
	if (fam && giv && year)
		add(keys, tags, &n, k3(1, fam, giv, year),
		    TAG3(tmmdd, tpat, tplace));
	if (fam && giv && pat)
		add(keys, tags, &n, k3(2, fam, giv, pat),
		    TAG3(tyear, tmmdd, tplace));
	if (fam && date)
		add(keys, tags, &n, k3(3, fam, date, 0),
		    TAG3(tgiv, tpat, tplace));
	if (giv && date)
		add(keys, tags, &n, k3(4, giv, date, 0),
		    TAG3(tdm, tpat, tplace));
	if (dm && giv && year)
		add(keys, tags, &n, k3(5, dm, giv, year),
		    TAG3(tmmdd, tpat, tplace));
	if (pat && date)
		add(keys, tags, &n, k3(6, pat, date, 0),
		    TAG3(tfam, tgiv, tdm));
	if (dm && giv && pat)
		add(keys, tags, &n, k3(8, dm, giv, pat),
		    TAG3(tyear, tmmdd, tplace));
	if (r->svc) {
		const char *s = match_str(a, r->svc);
		if (strlen(s) >= 4)
			add(keys, tags, &n,
			    k3(9, cartel__match_hash(s, strlen(s), 17), 0, 0),
			    TAG3(tfam, tgiv, tyear));
	}
	if (fam && r->giv && year) {
		const char *g = match_str(a, r->giv);
		add(keys, tags, &n,
		    k3(10, fam, (uint64_t)(unsigned char)g[0], year),
		    TAG3(tmmdd, tpat, tplace));
	}
	if (fam && giv && place)
		add(keys, tags, &n, k3(11, fam, giv, place),
		    TAG3(tyear, tmmdd, tpat));
	/* ... then the loose ones, which get half the cap: they
	 * rescue pairs with two errors and must not flood the rest. */
	*n_tight = n;
	if (fam && giv)
		add(keys, tags, &n, k3(7, fam, giv, 0),
		    TAG3(tyear, tpat, tplace));
	if (dm && giv)
		add(keys, tags, &n, k3(12, dm, giv, 0),
		    TAG3(tyear, tpat, tplace));
	if (fam && pat)
		add(keys, tags, &n, k3(13, fam, pat, 0),
		    TAG3(tyear, tmmdd, tplace));
	/* Day and month without the year (a year typed wrong). */
	if (fam && mmdd)
		add(keys, tags, &n, k3(14, fam, mmdd, 0),
		    TAG3(tgiv, tpat, tplace));
	if (giv && mmdd)
		add(keys, tags, &n, k3(15, giv, mmdd, 0),
		    TAG3(tdm, tpat, tplace) | MATCH_TAG_WEAK);
	/* Surname misspelt beyond its sound, or typed into another field. */
	if (giv && pat && year)
		add(keys, tags, &n, k3(16, giv, pat, year),
		    TAG3(tdm, tmmdd, tplace));
	if (dm && mmdd)
		add(keys, tags, &n, k3(17, dm, mmdd, 0),
		    TAG3(tgiv, tpat, tplace));
	/* Given name + birth year and month (surname and day wrong). */
	if (giv && r->month && year)
		add(keys, tags, &n, k3(18, giv, year * 16 + (uint64_t)r->month, 0),
		    TAG3(tdm, tpat, tplace) | MATCH_TAG_WEAK);
	/* The surname with one letter deleted, each letter in turn, and
	 * whole, beside the given name: one typo in the surname (a letter
	 * changed, dropped, added or two swapped) leaves one variant the
	 * same on both sides, whatever the sound code does. The variants of
	 * a common name all lead to much the same big block, so they get a
	 * quarter of the cap; past it, their tags (year, patronymic, day and
	 * month) narrow the block as for any other key. */
	uint32_t dtag = TAG3(tyear, tpat, tmmdd) | MATCH_TAG_DEL;
	if (giv && r->fam_masc)
		n = add_deletions(keys, tags, n, 19, match_str(a, r->fam_masc), 4,
				  giv, dtag);
	/* And the given name's spelling so, beside the surname: a typo the
	 * name table cannot place. */
	if (fam && r->giv)
		n = add_deletions(keys, tags, n, 23, match_str(a, r->giv), 3, fam,
				  dtag);
	/* Family and given names swapped where a typo hid the swap: the
	 * given field read as a surname, beside the full date, meets the
	 * other side's surname + date key. */
	if (r->giv && date) {
		char masc[MATCH_SKEL];
		size_t ml =
		    cartel__match_masc(match_str(a, r->giv), masc, sizeof masc);
		uint64_t gf = ml ? cartel__match_hash(masc, ml, 7) : 0;
		if (gf && gf != fam)
			add(keys, tags, &n, k3(3, gf, date, 0),
			    TAG3(tfam, tpat, tplace));
	}
	*n_narrow = n;
	if (wide) {
		if (fam)
			add(keys, tags, &n, k3(20, fam, 0, 0), 0);
		for (int i = 0; i < r->n_dm && i < 2; i++)
			if (giv)
				add(keys, tags, &n, k3(21, r->dm[i], giv, 0),
				    0);
		if (giv && pat)
			add(keys, tags, &n, k3(22, giv, pat, 0), 0);
	}
	return n;
}

uint64_t
cartel__match_surname_key(uint64_t fam_h)
{
	return k3(20, fam_h, 0, 0);
}

/* ---- Threads ---- */

int
cartel__match_threads(int want)
{
	if (want > 0)
		return want > 64 ? 64 : want;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

struct par {
	void (*fn)(void *ctx, size_t from, size_t to, int worker);
	void *ctx;
	size_t n, chunk;
	atomic_size_t next;
	int worker;
	struct cartel__progress *pg; /* counts each chunk done; or NULL */
};

struct par_arg {
	struct par *p;
	int worker;
};

static void *
par_run(void *arg)
{
	struct par_arg *a = arg;
	struct par *p = a->p;
	for (;;) {
		size_t from = atomic_fetch_add(&p->next, p->chunk);
		if (from >= p->n)
			break;
		size_t to = from + p->chunk < p->n ? from + p->chunk : p->n;
		p->fn(p->ctx, from, to, a->worker);
		cartel__progress_add(p->pg, to - from);
		/* Only the caller's own thread calls back. */
		if (a->worker == 0)
			cartel__progress_poll(p->pg);
	}
	return NULL;
}

void
cartel__match_parallel(int n_threads, size_t n, size_t chunk,
                       void (*fn)(void *, size_t, size_t, int), void *ctx)
{
	cartel__match_parallel_pg(n_threads, n, chunk, fn, ctx, NULL);
}

void
cartel__match_parallel_pg(int n_threads, size_t n, size_t chunk,
                          void (*fn)(void *, size_t, size_t, int), void *ctx,
                          struct cartel__progress *pg)
{
	struct par p = {fn, ctx, n, chunk ? chunk : 1, 0, 0, pg};
	atomic_init(&p.next, 0);
	pthread_t th[64];
	struct par_arg args[64];
	int started = 0;
	for (int t = 1; t < n_threads && (size_t)t * p.chunk < n; t++) {
		args[t].p = &p;
		args[t].worker = t;
		if (pthread_create(&th[t], NULL, par_run, &args[t]) != 0)
			break;
		started = t;
	}
	args[0].p = &p;
	args[0].worker = 0;
	par_run(&args[0]);
	for (int t = 1; t <= started; t++)
		pthread_join(th[t], NULL);
}

/* ---- Sides: normalised records ---- */

struct side_job {
	struct match_side *s;
	const struct match_names *nt;
	struct match_arena *arenas; /* one per chunk */
	size_t chunk;
	atomic_int failed;
};

static void
side_chunk(void *ctx, size_t from, size_t to, int worker)
{
	(void)worker;
	struct side_job *j = ctx;
	struct match_arena *a = &j->arenas[from / j->chunk];
	for (size_t i = from; i < to; i++)
		if (cartel__match_rec_make(j->nt, &j->s->persons[i],
		                           &j->s->recs[i], a) != 0)
			atomic_store(&j->failed, 1);
}

int
cartel__match_side_build(struct match_side *s, const struct match_names *nt,
                         const struct cartel_person *persons, size_t n,
                         int n_threads, struct cartel__progress *pg)
{
	memset(s, 0, sizeof *s);
	s->persons = persons;
	s->n = n;
	s->recs = calloc(n ? n : 1, sizeof *s->recs);
	size_t chunk = 4096;
	size_t n_chunks = (n + chunk - 1) / chunk;
	struct side_job j = {s, nt, calloc(n_chunks ? n_chunks : 1,
					   sizeof(struct match_arena)),
			     chunk, 0};
	atomic_init(&j.failed, 0);
	if (s->recs == NULL || j.arenas == NULL) {
		free(j.arenas);
		cartel__match_side_free(s);
		return CARTEL_ENOMEM;
	}
	cartel__match_parallel_pg(n_threads, n, chunk, side_chunk, &j, pg);
	/* One arena: the chunks' arenas laid end to end, offsets moved. */
	size_t total = 1;
	for (size_t c = 0; c < n_chunks; c++)
		total += j.arenas[c].len;
	int rc = atomic_load(&j.failed) ? CARTEL_ENOMEM : 0;
	if (total > UINT32_MAX)
		rc = CARTEL_ERANGE;
	if (rc == 0 && (s->arena.buf = malloc(total)) == NULL)
		rc = CARTEL_ENOMEM;
	if (rc == 0) {
		s->arena.buf[0] = '\0';
		s->arena.len = 1;
		s->arena.cap = total;
		for (size_t c = 0; c < n_chunks; c++) {
			struct match_arena *a = &j.arenas[c];
			uint32_t base = (uint32_t)s->arena.len;
			if (a->len > 0)
				memcpy(s->arena.buf + s->arena.len, a->buf,
				       a->len);
			s->arena.len += a->len;
			size_t to = (c + 1) * chunk < n ? (c + 1) * chunk : n;
			for (size_t i = c * chunk; i < to; i++) {
				struct match_rec *r = &s->recs[i];
				uint32_t *offs[] = {&r->fam, &r->fam_masc,
						    &r->giv, &r->patr,
						    &r->place, &r->svc};
				for (size_t k = 0; k < 6; k++)
					if (*offs[k] != 0)
						*offs[k] += base;
			}
		}
	}
	for (size_t c = 0; c < n_chunks; c++)
		free(j.arenas[c].buf);
	free(j.arenas);
	if (rc != 0)
		cartel__match_side_free(s);
	return rc;
}

void
cartel__match_side_free(struct match_side *s)
{
	free(s->recs);
	free(s->arena.buf);
	memset(s, 0, sizeof *s);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Sets fam_tf on every record of the sides: the share of all records
 * bearing the same masculine surname, when there are enough records to
 * tell; else the name table's frequency; else 0 (the model's own u). */
int
cartel__match_sides_tf(const struct match_names *nt, struct match_side **sides,
                       int n_sides)
{
	size_t total = 0;
	for (int s = 0; s < n_sides; s++)
		total += sides[s]->n;
	if (total < 2000) {
		for (int s = 0; s < n_sides; s++)
			for (size_t i = 0; i < sides[s]->n; i++) {
				struct match_rec *r = &sides[s]->recs[i];
				double f = cartel__match_names_surname_freq(
				    nt, r->surname_id);
				/* The table's shares are among its listed
				 * names; real lists hold many more. */
				r->fam_tf = (float)(f * 0.5);
			}
		return 0;
	}
	uint64_t *h = malloc(total * sizeof *h);
	if (h == NULL)
		return CARTEL_ENOMEM;
	/* Two rounds: surnames, then given names. */
	for (int round = 0; round < 2; round++) {
		size_t k = 0;
		for (int s = 0; s < n_sides; s++)
			for (size_t i = 0; i < sides[s]->n; i++) {
				const struct match_rec *r = &sides[s]->recs[i];
				h[k++] = round == 0 ? r->fam_h
						    : given_key(r, &sides[s]->arena);
			}
		qsort(h, total, sizeof *h, cmp_u64);
		for (int s = 0; s < n_sides; s++)
			for (size_t i = 0; i < sides[s]->n; i++) {
				struct match_rec *r = &sides[s]->recs[i];
				uint64_t key = round == 0
						       ? r->fam_h
						       : given_key(r, &sides[s]->arena);
				if (key == 0)
					continue;
				size_t lo = 0, hi = total;
				while (lo < hi) {
					size_t mid = lo + (hi - lo) / 2;
					if (h[mid] < key)
						lo = mid + 1;
					else
						hi = mid;
				}
				/* The end of the run, by bisection too: a
				 * walk would cost the square of a common
				 * name's count. */
				size_t e = lo, hi2 = total;
				while (e < hi2) {
					size_t mid = e + (hi2 - e) / 2;
					if (h[mid] <= key)
						e = mid + 1;
					else
						hi2 = mid;
				}
				float tf = (float)((double)(e - lo) /
						   (double)total);
				if (round == 0)
					r->fam_tf = tf;
				else
					r->giv_tf = tf;
			}
	}
	free(h);
	return 0;
}

/* ---- The posting index ---- */

struct key_job {
	const struct match_side *s;
	size_t base;    /* first record of the batch */
	uint64_t *keys; /* MATCH_KEYS_MAX per record of the batch */
	uint32_t *tags; /* the keys' tags */
	uint8_t *n_keys;
	int wide;
};

static void
key_chunk(void *ctx, size_t from, size_t to, int worker)
{
	(void)worker;
	struct key_job *j = ctx;
	int narrow, tight;
	for (size_t i = from; i < to; i++)
		j->n_keys[i] = (uint8_t)cartel__match_block_keys3(
		    &j->s->recs[j->base + i], &j->s->arena,
		    j->keys + i * MATCH_KEYS_MAX, j->tags + i * MATCH_KEYS_MAX,
		    j->wide, &narrow, &tight);
}

/* Records whose keys are computed at once: the keys of a whole list
 * would cost half a gigabyte at a million records. */
#define KEY_BATCH 32768

/* The slot table, zeroed; on large pages where the system offers them,
 * since every probe lands somewhere else in it. */
static struct match_post *
table_alloc(size_t cap)
{
	size_t bytes = cap * sizeof(struct match_post);
	if (bytes < ((size_t)8 << 20))
		return calloc(cap, sizeof(struct match_post));
	void *p = NULL;
	if (posix_memalign(&p, (size_t)2 << 20, bytes) != 0)
		return NULL;
#ifdef MADV_HUGEPAGE
	madvise(p, bytes, MADV_HUGEPAGE);
#endif
	memset(p, 0, bytes);
	return p;
}

static size_t
slot_of(const struct match_post *tab, size_t mask, uint64_t key)
{
	size_t i = (size_t)(key ^ (key >> 29)) & mask;
	/* At most one lap: a table is never full, except a damaged file's
	 * (a lookup then finds nothing rather than running forever). */
	for (size_t k = 0; k <= mask && tab[i].key != 0 && tab[i].key != key;
	     k++)
		i = (i + 1) & mask;
	return i;
}

int
cartel__match_post_build(struct match_posting *px, const struct match_side *s,
                         int wide, int n_threads)
{
	memset(px, 0, sizeof *px);
	size_t n = s->n;
	struct key_job j = {
		s, 0, malloc(KEY_BATCH * MATCH_KEYS_MAX * sizeof(uint64_t)),
		malloc(KEY_BATCH * MATCH_KEYS_MAX * sizeof(uint32_t)),
		malloc(KEY_BATCH), wide};
	if (j.keys == NULL || j.tags == NULL || j.n_keys == NULL) {
		free(j.keys);
		free(j.tags);
		free(j.n_keys);
		return CARTEL_ENOMEM;
	}
	/* Three rounds over the keys, computed a batch at a time: count
	 * them (to size the table), count each key's records, post them. */
	size_t total = 0, cap = 0;
	int rc = 0;
	for (int round = 0; round < 3 && rc == 0; round++) {
		if (round == 1) {
			cap = 1024;
			while (cap < total + total / 2 + 16)
				cap *= 2;
			px->tab = table_alloc(cap);
			px->post = malloc((total ? total : 1) * sizeof *px->post);
			px->tag = malloc((total ? total : 1) * sizeof *px->tag);
			if (px->tab == NULL || px->post == NULL ||
			    px->tag == NULL) {
				rc = CARTEL_ENOMEM;
				break;
			}
			px->mask = cap - 1;
		} else if (round == 2) {
			uint32_t off = 0;
			for (size_t sl = 0; sl < cap; sl++) {
				px->tab[sl].off = off;
				off += px->tab[sl].n;
				px->tab[sl].n = 0;
			}
		}
		for (size_t base = 0; base < n; base += KEY_BATCH) {
			size_t m = n - base < KEY_BATCH ? n - base : KEY_BATCH;
			j.base = base;
			cartel__match_parallel(n_threads, m, 2048, key_chunk,
			                       &j);
			for (size_t b = 0; b < m; b++) {
				uint32_t i = (uint32_t)(base + b);
				if (round == 0) {
					total += j.n_keys[b];
					continue;
				}
				/* The slots of a record a few ahead, so that
				 * the table's memory comes while this one's
				 * are filled. */
				if (b + 4 < m) {
					const uint64_t *ka =
						j.keys + (b + 4) * MATCH_KEYS_MAX;
					for (int k = 0; k < j.n_keys[b + 4]; k++)
						__builtin_prefetch(
							&px->tab[(size_t)(ka[k] ^
									  (ka[k] >>
									   29)) &
								 px->mask],
							1);
				}
				for (int k = 0; k < j.n_keys[b]; k++) {
					uint64_t key =
						j.keys[b * MATCH_KEYS_MAX + k];
					size_t sl =
						slot_of(px->tab, px->mask, key);
					struct match_post *t = &px->tab[sl];
					if (round == 1) {
						t->key = key;
						t->n++;
						continue;
					}
					/* The same key twice in one record
					 * (two D-M codes, or two deletions
					 * that leave one string) is posted
					 * once. */
					if (t->n > 0 &&
					    px->post[t->off + t->n - 1] == i)
						continue;
					px->tag[t->off + t->n] =
						j.tags[b * MATCH_KEYS_MAX + k];
					px->post[t->off + t->n++] = i;
				}
			}
		}
	}
	free(j.keys);
	free(j.tags);
	free(j.n_keys);
	if (rc != 0) {
		cartel__match_post_free(px);
		return rc;
	}
	px->n_post = total;
	return 0;
}

void
cartel__match_post_free(struct match_posting *px)
{
	free(px->tab);
	free(px->post);
	free(px->tag);
	memset(px, 0, sizeof *px);
}

const uint32_t *
cartel__match_post_get(const struct match_posting *px, uint64_t key,
                       uint32_t *n)
{
	return cartel__match_post_get_tags(px, key, n, NULL);
}

const uint32_t *
cartel__match_post_get_tags(const struct match_posting *px, uint64_t key,
                            uint32_t *n, const uint32_t **tags)
{
	*n = 0;
	if (tags)
		*tags = NULL;
	if (px->tab == NULL)
		return NULL;
	size_t sl = slot_of(px->tab, px->mask, key);
	/* A slot past the postings is a damaged file's (index_file.c):
	 * nothing is read from it. */
	if (px->tab[sl].key != key ||
	    (size_t)px->tab[sl].off + px->tab[sl].n > px->n_post)
		return NULL;
	*n = px->tab[sl].n;
	if (tags)
		*tags = px->tag + px->tab[sl].off;
	return px->post + px->tab[sl].off;
}

int
cartel__match_post_compact(const struct match_posting *px,
                           struct match_post **out, size_t *mask)
{
	size_t used = 0;
	for (size_t i = 0; px->tab != NULL && i <= px->mask; i++)
		used += px->tab[i].key != 0;
	size_t cap = 1024;
	while (cap < used * 2)
		cap *= 2;
	struct match_post *t = calloc(cap, sizeof *t);
	if (t == NULL)
		return CARTEL_ENOMEM;
	for (size_t i = 0; px->tab != NULL && i <= px->mask; i++)
		if (px->tab[i].key != 0)
			t[slot_of(t, cap - 1, px->tab[i].key)] = px->tab[i];
	*out = t;
	*mask = cap - 1;
	return 0;
}

/* ---- Candidates ---- */

int
cartel__match_candidates(const struct match_posting *px,
                         const struct match_rec *q,
                         const struct match_arena *qa, int wide, uint32_t cap,
                         uint32_t wide_cap, struct match_seen *seen,
                         struct match_cands *out)
{
	uint64_t keys[MATCH_KEYS_MAX];
	uint32_t tags[MATCH_KEYS_MAX];
	int narrow, tight;
	int nk =
	    cartel__match_block_keys3(q, qa, keys, tags, wide, &narrow, &tight);
	/* The loose passes get half the cap, except for a query without a
	 * birth year: its names are all it has, and a namesake block is then
	 * the only place its partner can be. */
	uint32_t loose_cap = q->year == 0 ? cap : cap / 2 > 10 ? cap / 2 : 10;
	out->n = 0;
	seen->stamp++;
	if (seen->stamp == 0) {
		memset(seen->mark, 0, seen->n * sizeof *seen->mark);
		seen->stamp = 1;
	}
	/* The keys' slots are far apart in a big table: ask for all of
	 * them at once, so that the memory fetches overlap. */
	if (px->tab != NULL)
		for (int k = 0; k < nk; k++)
			__builtin_prefetch(
				&px->tab[(size_t)(keys[k] ^ (keys[k] >> 29)) &
					 px->mask]);
	for (int k = 0; k < nk; k++) {
		uint32_t n;
		const uint32_t *tg;
		const uint32_t *p =
		    cartel__match_post_get_tags(px, keys[k], &n, &tg);
		/* The wide keys are the last ones; they get the high cap. */
		uint32_t limit = k >= narrow ? wide_cap
				 : k >= tight ? loose_cap
					      : cap;
		/* The one-letter-deleted variants get a quarter of the cap:
		 * a bigger such block is mostly a common name's namesakes,
		 * whom its own passes reach. */
		if (tags[k] & MATCH_TAG_DEL)
			limit = cap / 4 > 8 ? cap / 4 : 8;
		/* A block over the cap is not dropped: only its records that
		 * agree with the query on one of the key's tag fields are
		 * taken (a finer key). Past MATCH_TAG_SCAN times the cap
		 * (MATCH_TAG_SCAN_WEAK for the weakest passes) even that
		 * would cost too much, and the block is skipped. */
		int fine = n > limit;
		uint32_t scan = tags[k] & MATCH_TAG_WEAK ? MATCH_TAG_SCAN_WEAK
							 : MATCH_TAG_SCAN;
		if (fine && (k >= narrow || n > limit * scan ||
			     (tags[k] & ~MATCH_TAG_FLAGS) == 0))
			continue;
		for (uint32_t i = 0; i < n; i++) {
			uint32_t c = p[i];
			/* Only a damaged index file names a record past the
			 * marks (they are as many as the records). */
			if (c >= seen->n)
				return CARTEL_EFORMAT;
			/* In a loose block, a record without the tag's first
			 * field (the birth year, mostly) has only its names,
			 * and is taken as a query without it would take it;
			 * and a query without it takes the records that
			 * nothing tells apart from it. */
			if (fine && !cartel__match_tags_agree(tg[i], tags[k]) &&
			    !(k >= tight &&
			      (tag_field(tg[i], 0) == 0 ||
			       (tag_field(tags[k], 0) == 0 &&
			        tags_compatible(tg[i], tags[k])))))
				continue;
			if (seen->mark[c] == seen->stamp)
				continue;
			seen->mark[c] = seen->stamp;
			if (out->n == out->cap) {
				size_t nc = out->cap ? out->cap * 2 : 64;
				uint32_t *v = realloc(out->v, nc * sizeof *v);
				if (v == NULL)
					return CARTEL_ENOMEM;
				out->v = v;
				out->cap = nc;
			}
			out->v[out->n++] = c;
		}
	}
	return 0;
}

/* ---- u from random pairs ---- */

struct u_job {
	const struct match_side *a, *b;
	uint64_t seed;
	double (*cnt)[F_N][LV_MAX]; /* per worker */
	int same; /* a == b: skip i == j */
};

static void
u_chunk(void *ctx, size_t from, size_t to, int worker)
{
	struct u_job *j = ctx;
	for (size_t s = from; s < to; s++) {
		uint64_t r1 = mix(j->seed ^ (s * 2 + 1)),
			 r2 = mix(j->seed ^ (s * 2 + 2));
		size_t ia = (size_t)(r1 % j->a->n), ib = (size_t)(r2 % j->b->n);
		if (j->same && ia == ib)
			continue;
		uint8_t lv[F_N];
		int sw;
		cartel__match_compare(&j->a->recs[ia], &j->a->arena,
		                      &j->b->recs[ib], &j->b->arena, lv, &sw);
		for (int f = 0; f < F_N; f++)
			j->cnt[worker][f][lv[f]] += 1;
	}
}

void
cartel__match_estimate_u(struct match_model *mm, const struct match_side *a,
                         const struct match_side *b, size_t n_samples,
                         int n_threads)
{
	/* Random pairs of a short list measure the list, not the
	 * population: below about a million distinct pairs the built-in u
	 * stays. */
	if ((double)a->n * (double)b->n < 1e6)
		return;
	struct u_job j = {a, b, 0x5eed, calloc((size_t)n_threads,
					       sizeof *j.cnt),
			  a == b};
	if (j.cnt == NULL)
		return;
	cartel__match_parallel(n_threads, n_samples, 16384, u_chunk, &j);
	for (int f = 0; f < F_N; f++) {
		double c[LV_MAX] = {0}, tot = 0;
		for (int w = 0; w < n_threads; w++)
			for (int l = 1; l < cartel__match_n_levels[f]; l++)
				c[l] += j.cnt[w][f][l];
		for (int l = 1; l < cartel__match_n_levels[f]; l++)
			tot += c[l];
		if (tot < 1000)
			continue; /* too few non-missing: keep the default */
		for (int l = 1; l < cartel__match_n_levels[f]; l++) {
			/* Half a count of smoothing, but never above the
			 * built-in value for levels no random pair reached:
			 * a rare level stays strong evidence. */
			double u = (c[l] + 0.5) /
			           (tot + 0.5 * cartel__match_n_levels[f]);
			if (c[l] == 0 && mm->u[f][l] < u)
				u = mm->u[f][l];
			mm->u[f][l] = u;
		}
	}
	free(j.cnt);
	cartel__match_model_weights(mm);
}
