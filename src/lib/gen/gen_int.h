/*
 * What the generator's files share: the loaded name data, the seeded random
 * stream, weighted choice, and small text helpers.
 */
#ifndef CARTEL_GEN_INT_H
#define CARTEL_GEN_INT_H

#include <stddef.h>
#include <stdint.h>

#include <cartel/gen.h>

/* One row of data/given_names.tsv. Lists are NULL-terminated arrays. */
struct gen_given {
	char sex; /* 'm' or 'f' */
	char *uk, *ru;
	char **latin;
	char **dimin;
	/* Male rows: the patronymics formed from this name. */
	char *patr_uk_m, *patr_uk_f, *patr_ru_m, *patr_ru_f;
};

struct gen_surname {
	char *uk, *ru;
	double weight;
	int russian_type; /* -ов, -ев, -ин, -ский...: mostly Russian bearers */
};

struct gen_rank {
	char *code, *uk, *ru;
	int officer;
	double weight;
};

struct gen_place {
	char *kind, *uk, *ru;
	double weight;
};

struct cartel_names {
	struct gen_given *given;
	size_t n_given;
	struct gen_surname *surnames;
	size_t n_surnames;
	struct gen_rank *ranks;
	size_t n_ranks;
	struct gen_place *places;
	size_t n_places;
};

/* Turns the listed surnames' weights into a Zipf-Mandelbrot law and adds
 * each language's long tail of rarer surnames (surtail.c). Returns 0 or
 * CARTEL_ENOMEM. */
int cartel__gen_surnames_extend(struct cartel_names *nd, char **why);

/* xoshiro256** (Blackman and Vigna), seeded through splitmix64 so that any
 * 64-bit seed, 0 included, gives a good stream. */
struct gen_rng {
	uint64_t s[4];
};

void cartel__gen_rng_seed(struct gen_rng *r, uint64_t seed);
uint64_t cartel__gen_rng_next(struct gen_rng *r);
/* Uniform in [0, 1). */
double cartel__gen_rng_unit(struct gen_rng *r);
/* Uniform in [0, n); n > 0. */
size_t cartel__gen_rng_below(struct gen_rng *r, size_t n);
/* 1 with probability p. */
int cartel__gen_rng_chance(struct gen_rng *r, double p);

/* A table for weighted choice: cumulative weights over n items. */
struct gen_pick {
	double *cum;
	size_t *idx; /* item index for each entry */
	size_t n;
};

/* Builds a pick table over the items whose weight (from weight_of) is > 0.
 * Returns 0 or CARTEL_ENOMEM; an empty table is CARTEL_EINVAL. */
int cartel__gen_pick_init(struct gen_pick *p, size_t n_items,
                          double (*weight_of)(size_t i, void *ctx), void *ctx,
                          char **why);
size_t cartel__gen_pick(const struct gen_pick *p, struct gen_rng *r);
void cartel__gen_pick_free(struct gen_pick *p);

/* The weighted choices both generators make from the name data: given
 * names by sex (Zipf over the file's order), surnames for a person from
 * party A (Ukrainian-type favoured) or B (Russian-type favoured), ranks,
 * and places by kind. */
enum {
	GEN_P_BIRTH_A, GEN_P_BIRTH_B, GEN_P_CAPTURE_OF_A, GEN_P_CAPTURE_OF_B,
	GEN_P_CAMP_A, GEN_P_CAMP_B, GEN_P_N
};
struct gen_tables {
	struct gen_pick male, female;
	struct gen_pick sur_from[2];
	struct gen_pick rank;
	struct gen_pick place[GEN_P_N];
};
int cartel__gen_tables_init(struct gen_tables *t, const struct cartel_names *nd,
                            char **why);
void cartel__gen_tables_free(struct gen_tables *t);

/* Reads one UTF-8 code point at *s, advancing *s; returns -1 on a bad
 * sequence (and advances one byte). */
long cartel__gen_utf8_next(const char **s);
/* Appends code point cp to buf (4 bytes room needed); returns bytes. */
size_t cartel__gen_utf8_put(char *buf, long cp);

/* A growable string. */
struct gen_buf {
	char *s;
	size_t len, cap;
	int oom;
};
void cartel__gen_buf_add(struct gen_buf *b, const char *s, size_t n);
void cartel__gen_buf_adds(struct gen_buf *b, const char *s);
void cartel__gen_buf_addcp(struct gen_buf *b, long cp);
/* Takes the string out (NULL on earlier out of memory); resets b. */
char *cartel__gen_buf_take(struct gen_buf *b);

/* Upper case through ICU (locale-aware for Ukrainian and Russian). Returns
 * a malloc'd string or NULL when out of memory. */
char *cartel__gen_upper(const char *s);

/* The feminine form of a masculine surname by the rule stated in
 * data/surnames.tsv's header, for a Ukrainian (1) or Russian (0)
 * spelling; malloc'd, NULL when out of memory. */
char *cartel__gen_surname_feminine(const char *masc, int ukrainian);

/* Days since 1970-01-01 of a full date, and back. */
long cartel__gen_days(int y, int m, int d);
void cartel__gen_civil(long days, int *y, int *m, int *d);

#endif
