/*
 * Internals of the blocking index, shared by index.c (building, gathering
 * candidates, estimating u) and match.c (the public entry points).
 */
#ifndef CARTEL_MATCH_INDEX_INT_H
#define CARTEL_MATCH_INDEX_INT_H

#include <stddef.h>
#include <stdint.h>

#include "match/match_int.h"

/* Most blocking keys one record can have (narrow and wide). */
#define MATCH_KEYS_MAX 48

/* A key's run of record positions in the posting array. */
struct match_post {
	uint64_t key; /* 0: empty slot */
	uint32_t off, n;
};

struct match_posting {
	struct match_post *tab; /* open addressing, mask + 1 slots */
	size_t mask;
	uint32_t *post;
	uint32_t *tag; /* each posting's tag (cartel__match_block_keys3) */
	size_t n_post;
};

/* Marks records already gathered for the current query. */
struct match_seen {
	uint32_t *mark; /* n entries */
	size_t n;
	uint32_t stamp;
};

struct match_cands {
	uint32_t *v;
	size_t n, cap;
};

/* Keys of r: the selective ones first (*n_tight of them), then the loose
 * narrow ones (up to *n_narrow), then, when wide, the search-only ones. */
int cartel__match_block_keys2(const struct match_rec *r,
                              const struct match_arena *a, uint64_t *keys,
                              int wide, int *n_narrow, int *n_tight);

/* The same, with each key's tag: three 10-bit digests of fields the key
 * does not hold (0 where a field is missing), so that a block too big to
 * take whole can be narrowed to the records agreeing on one of them.
 * tags may be NULL. */
int cartel__match_block_keys3(const struct match_rec *r,
                              const struct match_arena *a, uint64_t *keys,
                              uint32_t *tags, int wide, int *n_narrow,
                              int *n_tight);

/* 1 when two tags agree on one of their (present) fields. */
int cartel__match_tags_agree(uint32_t a, uint32_t b);

/* A block over the cap is narrowed by its tags up to this many times the
 * cap; past that it is skipped. The weakest passes (a given name with a
 * part of the date alone) narrow only up to MATCH_TAG_SCAN_WEAK times:
 * their big blocks are a common name's, and seldom hold a pair the other
 * passes miss. A key's tag has MATCH_TAG_WEAK set for those passes. */
#define MATCH_TAG_SCAN 10
#define MATCH_TAG_SCAN_WEAK 4
#define MATCH_TAG_WEAK (1u << 30)
/* Set in the tags of the one-letter-deletion keys (a quarter of the cap). */
#define MATCH_TAG_DEL (1u << 31)
#define MATCH_TAG_FLAGS (MATCH_TAG_WEAK | MATCH_TAG_DEL)

/* The key of the wide "surname alone" pass: its posting length is how
 * many indexed records bear that surname. */
uint64_t cartel__match_surname_key(uint64_t fam_h);

int cartel__match_threads(int want);

/* Runs fn over [0, n) in chunks on n_threads threads (the caller's thread
 * is one of them). */
void cartel__match_parallel(int n_threads, size_t n, size_t chunk,
                            void (*fn)(void *, size_t, size_t, int), void *ctx);

/* The same, adding each chunk done to pg (may be NULL) and calling back
 * from the caller's thread as its chunks end. */
void cartel__match_parallel_pg(int n_threads, size_t n, size_t chunk,
                               void (*fn)(void *, size_t, size_t, int),
                               void *ctx, struct cartel__progress *pg);

int cartel__match_sides_tf(const struct match_names *nt,
                           struct match_side **sides, int n_sides);

int cartel__match_post_build(struct match_posting *px,
                             const struct match_side *s, int wide,
                             int n_threads);
void cartel__match_post_free(struct match_posting *px);
const uint32_t *cartel__match_post_get(const struct match_posting *px,
                                       uint64_t key, uint32_t *n);
/* The same, with the postings' tags in *tags (may be NULL). */
const uint32_t *cartel__match_post_get_tags(const struct match_posting *px,
                                            uint64_t key, uint32_t *n,
                                            const uint32_t **tags);

/* A copy of px's slot table with no more than twice as many slots as keys
 * (the built table is sized for every key of every record, most of them
 * shared), in a new array *out (free) of *mask + 1 slots. Lookups in it
 * find the same runs. Returns 0 or CARTEL_ENOMEM. */
int cartel__match_post_compact(const struct match_posting *px,
                               struct match_post **out, size_t *mask);

/* Gathers the distinct records under q's keys into out (keys whose
 * posting is longer than cap, or wide_cap for the wide keys, are skipped).
 * Returns 0, CARTEL_ENOMEM, or CARTEL_EFORMAT when a posting names a
 * record past seen->n (a damaged index file). */
int cartel__match_candidates(const struct match_posting *px,
                             const struct match_rec *q,
                             const struct match_arena *qa, int wide,
                             uint32_t cap, uint32_t wide_cap,
                             struct match_seen *seen, struct match_cands *out);

/*
 * The index of <cartel/match.h>. Built in memory (cartel_match_index_build:
 * it borrows the persons and owns everything else) or mapped from a file
 * (index_file.c: every array then points into the read-only mapping, and
 * there are no persons, only their ids).
 */
struct cartel_match_index {
	struct match_side side;
	struct match_posting px;
	struct match_model mm;
	const struct match_names *nt;
	struct cartel_match_opts opts;
	float *giv_share; /* by given-name id: share of the indexed records */
	size_t n_giv;
	/* Mapped from a file: the mapping, and each record's person id
	 * (id_off[i] into ids, NUL-terminated). NULL when built. */
	void *map;
	size_t map_len;
	const char *ids;
	const uint32_t *id_off;
	size_t ids_len;
};

/* Replaces mm's u by the level shares of n_samples random pairs of a x b. */
void cartel__match_estimate_u(struct match_model *mm,
                              const struct match_side *a,
                              const struct match_side *b, size_t n_samples,
                              int n_threads);

/*
 * Rewrites the header of the index file held in buf[0..len) so that it
 * holds for `stamp` and the default name tables (its size, stamp,
 * name-table digest and check), whatever else the file holds. For the
 * fuzz target (tests/fuzz/index_file.c), which mutates whole files: the
 * checks behind the header are what it tries. Returns 0, or -1 when len
 * is under a header's size or the name tables cannot be loaded.
 */
int cartel__match_index_reseal(void *buf, size_t len, const char *stamp);

#endif
