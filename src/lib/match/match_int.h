/*
 * Internals shared by the files of the match module: the normalised record,
 * the name tables, comparison levels, the Fellegi-Sunter model and the
 * blocking index. Nothing here is public; <cartel/match.h> is the API.
 */
#ifndef CARTEL_MATCH_INT_H
#define CARTEL_MATCH_INT_H

#include <stddef.h>
#include <stdint.h>

#include <cartel/match.h>
#include <cartel/person.h>

#include "store/match_rows.h"

/* Longest name text considered, in bytes; the rest of a longer field is
 * ignored (a name is never this long; the CSV limit stops real abuse). */
#define MATCH_MAX_NAME 512
/* Skeleton and phonetic buffers. */
#define MATCH_SKEL 128

/* ---- normalise.c ---- */

/* Language hints counted while transliterating. */
struct match_lang {
	int uk;  /* і ї є ґ seen */
	int ru;  /* ы э ъ ё seen */
	int cyr; /* Cyrillic letters */
	int lat; /* Latin letters */
	int other; /* letters of other scripts (ICU Any-Latin used) */
	int repaired; /* look-alike letters repaired */
};

/*
 * NFKC, look-alike repair, case folding and transliteration of `in` into a
 * phonetic Latin string in out: lowercase ASCII words separated by single
 * spaces, no punctuation. Returns the length. lang may be NULL.
 */
size_t cartel__match_phonetic(const char *in, char *out, size_t size,
                              struct match_lang *lang);

/* Skeleton of one phonetic string (all its words, space-separated). */
size_t cartel__match_skel_of_phon(const char *phon, char *out, size_t size);

/* Masculine form of a surname skeleton (feminine endings folded). */
size_t cartel__match_masc(const char *skel, char *out, size_t size);

/* Letters rendered for Daitch-Mokotoff from a skeleton. */
size_t cartel__match_dm_render(const char *skel, char *out, size_t size);

/* 64-bit FNV-1a. */
uint64_t cartel__match_hash(const void *p, size_t n, uint64_t seed);

/* ---- dm.c ---- */

/* Codes of a lowercase Latin word; returns how many (deduplicated). */
int cartel__match_dm_codes(const char *latin, unsigned *codes, int max);

/* ---- names.c ---- */

enum given_how {
	GIVEN_NONE = 0,
	GIVEN_FORM,   /* a full form (uk, ru or a listed Latin spelling) */
	GIVEN_DIM,    /* a diminutive */
	GIVEN_FUZZY,  /* one edit away from a known form */
};

struct match_names;

/* The table for opts (loaded once per folder, kept for the process).
 * Returns 0 and sets *out, or an error with *why. */
int cartel__match_names_get(const char *dir, const struct match_names **out,
                            char **why);

/* Given-name id (1-based) of a skeleton word, or 0; *how says how found,
 * *sex 'm'/'f'. */
int cartel__match_names_given(const struct match_names *nt, const char *skel,
                              enum given_how *how, char *sex);

/* Father's given-name id of a patronymic skeleton word, or 0. *fem 1 when
 * the feminine patronymic. */
int cartel__match_names_patr(const struct match_names *nt, const char *skel,
                             int *fem);

/* The given-name ids (lowest first, at most max) of which skel is a
 * diminutive (Женя: Євген and Євгенія); returns how many. */
size_t cartel__match_names_dim_ids(const struct match_names *nt,
                                   const char *skel, int32_t *ids, size_t max);

/* As cartel__match_names_patr, spelled exactly as in the table (no typo
 * allowed), or 0. */
int cartel__match_names_patr_exact(const struct match_names *nt,
                                   const char *skel);

/* Surname id of a masculine skeleton in data/surnames.tsv, or 0. */
int cartel__match_names_surname(const struct match_names *nt, const char *masc);

/* Canonical display form (Ukrainian) of a given-name id. */
const char *cartel__match_names_given_form(const struct match_names *nt,
                                           int id);

/* Relative frequency of surname id (0 when unknown). */
double cartel__match_names_surname_freq(const struct match_names *nt, int id);

size_t cartel__match_names_n_given(const struct match_names *nt);

/* A digest of the tables' text (an index file records the tables it was
 * built with). */
uint64_t cartel__match_names_digest(const struct match_names *nt);

/* 1 when a skeleton word looks like a patronymic by its ending. */
int cartel__match_patr_suffix(const char *skel);

/* ---- record.c: one normalised record ---- */

/* Field ids. */
enum {
	F_FAMILY = 0,
	F_GIVEN,
	F_PATR,
	F_DATE,
	F_PLACE,
	F_SERVICE,
	F_N
};

#define REC_DM_MAX 4

struct match_rec {
	const struct cartel_person *p; /* the original (borrowed) */
	/* Skeletons (offsets into the owner's string arena; 0 = empty). */
	uint32_t fam, fam_masc, giv, patr, place, svc;
	uint64_t fam_h;   /* hash of the masculine family skeleton */
	/* Hashes of the skeletons, so that equality costs no string
	 * comparison (0 when the field is empty). */
	uint32_t fam_sh, giv_h, patr_h, place_h, svc_h;
	uint8_t fem;      /* the surname is in a feminine form */
	float fam_tf;      /* share of records with this surname (term frequency) */
	float giv_tf;      /* share of records with this given name */
	unsigned dm[REC_DM_MAX];
	uint8_t n_dm;
	uint8_t n_place_dm;
	unsigned place_dm[2]; /* the birth place's Daitch-Mokotoff codes */
	uint8_t given_how, swapped, patr_moved;
	char sex;         /* from the given-name table: 'm', 'f' or 0 */
	char lang;        /* 'u', 'r', 'l' (Latin) or 0 */
	int32_t given_id, patr_id, surname_id;
	int16_t year;
	int8_t month, day;
};

/* A string arena: records point into it by offset. */
struct match_arena {
	char *buf;
	size_t len, cap;
};

/* Normalises one person into *r (strings appended to arena). Returns 0 or
 * CARTEL_ENOMEM. */
int cartel__match_rec_make(const struct match_names *nt,
                           const struct cartel_person *p, struct match_rec *r,
                           struct match_arena *a);

static inline const char *
match_str(const struct match_arena *a, uint32_t off)
{
	return a->buf + off;
}

/* The length in bytes of the non-empty string at off, at most 255 (each
 * string is stored after its length byte). */
static inline size_t
match_len(const struct match_arena *a, uint32_t off)
{
	return (unsigned char)a->buf[off - 1];
}

/* ---- compare.c ---- */

/* Levels per field: 0 is always "missing" (no evidence). */
#define LV_MAX 8
extern const int cartel__match_n_levels[F_N];

double cartel__match_jw(const char *a, const char *b);
/* The same with the lengths known (each capped at 64 as cartel__match_jw does).
 */
double cartel__match_jw_n(const char *a, size_t la, const char *b, size_t lb);

/* Compares two records into levels[F_N]; *swapped set when family and
 * given agree only crosswise. */
void cartel__match_compare(const struct match_rec *a,
                           const struct match_arena *aa,
                           const struct match_rec *b,
                           const struct match_arena *ba, uint8_t levels[F_N],
                           int *swapped);

/* Level of two dates. */
int cartel__match_date_level(const struct match_rec *a,
                             const struct match_rec *b);

/* ---- model.c: Fellegi-Sunter ---- */

struct match_model {
	double m[F_N][LV_MAX], u[F_N][LV_MAX];
	double w[F_N][LV_MAX]; /* log2(m/u) */
	double log2_prior;     /* log2(lambda/(1-lambda)); NAN: per query */
	double lambda;
	int em_iter;
	double n_total;        /* records the surname counts are over */
};

void cartel__match_model_defaults(struct match_model *mm);
void cartel__match_model_weights(struct match_model *mm);

/* Pattern code of a level vector (for EM histograms). */
unsigned cartel__match_pattern(const uint8_t lv[F_N]);
size_t cartel__match_n_patterns(void);
void cartel__match_unpattern(unsigned code, uint8_t lv[F_N]);

/* EM with u fixed; counts[pattern] over the candidate pairs, which are
 * part of n_pairs pairs in all (the rest taken as non-matches). mm->lambda
 * is the starting prior. Returns iterations run (0 when it declined and
 * kept mm as it was). */
int cartel__match_em(struct match_model *mm, const double *counts,
                     double n_pairs);

/* Weight of a level vector for a pair (term frequency applied to the
 * family-name exact level). */
double cartel__match_weight(const struct match_model *mm, const uint8_t lv[F_N],
                            const struct match_rec *a,
                            const struct match_rec *b);

/* The same pair for a family, in the calling thread's language, without
 * scores: "found by surname and year of birth; the given name is written
 * differently: Олександр and Александр are the same name" (malloc'd;
 * NULL when out of memory). */
char *cartel__match_words(const struct match_model *mm, const uint8_t lv[F_N],
                          int swapped, const struct match_rec *a,
                          const struct match_rec *b);

/* Explanation text (malloc'd) for a scored pair. */
char *cartel__match_explain(const struct match_model *mm, const uint8_t lv[F_N],
                            int swapped, const struct match_rec *a,
                            const struct match_arena *aa,
                            const struct match_rec *b,
                            const struct match_arena *ba, double weight,
                            double prob);

/* The field-by-field evidence of a scored pair into out[F_N] (one entry
 * per field, in F_ order; values malloc'd, NULL when unknown); returns 0 or
 * CARTEL_ENOMEM (entries then freed). */
struct cartel_match_evidence;
int cartel__match_evidence(const struct match_model *mm,
			   const uint8_t lv[F_N], const struct match_rec *a,
			   const struct match_rec *b,
			   struct cartel_match_evidence out[F_N]);

/* The same, without the values (static texts only, nothing to free). */
struct cartel_match_field;
void cartel__match_fields(const struct match_model *mm, const uint8_t lv[F_N],
			  const struct match_rec *a, const struct match_rec *b,
			  struct cartel_match_field out[F_N]);

/* ---- index.c ---- */

struct match_side {
	const struct cartel_person *persons;
	size_t n;
	struct match_rec *recs;
	struct match_arena arena;
};

struct cartel__progress; /* core/why.h */

/* Normalises persons into side (threads), adding each record done to pg
 * (may be NULL). */
int cartel__match_side_build(struct match_side *s, const struct match_names *nt,
                             const struct cartel_person *persons, size_t n,
                             int n_threads, struct cartel__progress *pg);
void cartel__match_side_free(struct match_side *s);

/* Blocking keys of a record; returns how many (at most MATCH_KEYS_MAX of
 * index_int.h). `wide` adds the keys used for search only. */
int cartel__match_block_keys(const struct match_rec *r,
                             const struct match_arena *a, uint64_t *keys,
                             int wide);

/* ---- match.c, for benchmarks ---- */

struct assign_pairs;

/* The candidate pairs blocking proposes for linking left with right (each
 * pair's w is 0), appended to *out. Returns 0 or an error. */
int cartel__match_link_candidates(const struct cartel_person *left,
                                  size_t n_left,
                                  const struct cartel_person *right,
                                  size_t n_right,
                                  const struct cartel_match_opts *opts,
                                  struct assign_pairs *out, char **why);

/* ---- search.c ---- */

/*
 * Search through the index kept beside the register, for callers that ask
 * several questions of one state of the register (the inquiries, review.c):
 * begin opens a read transaction (unless one is open), reads the
 * register's state and maps the up-to-date index file, or builds it (and
 * saves it, except inside a write transaction); query answers one q as
 * cartel_search does; end frees it all and ends the read transaction it
 * began (COMMIT, or ROLLBACK when err).
 */
struct cartel__search {
	struct cartel_match_index *ix;
	struct cartel_person *all; /* when built in memory */
	size_t n_all;
	char *path;                /* NULL: not saved */
	char stamp[128];
	int own_txn;
	int cacheable;             /* default options, a file: may be kept */
	struct cartel__file_id file; /* the file as it was before opening */
};

int cartel__search_begin(struct cartel_db *db,
			 const struct cartel_search_opts *so,
			 struct cartel__search *s,
			 struct cartel_search_info *info, char **why);
int cartel__search_query(struct cartel_db *db, struct cartel__search *s,
			 const struct cartel_search_opts *so,
			 struct cartel_search_info *info,
			 const struct cartel_person *q, size_t max_results,
			 int strict, struct cartel_search_hit **out,
			 size_t *n_out, char **why);
void cartel__search_end(struct cartel_db *db, struct cartel__search *s,
			int err);

#endif
