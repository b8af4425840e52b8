/*
 * Generators: realistic registers and matching test corpora, built from the
 * shipped name data (data/given_names.tsv, data/surnames.tsv,
 * data/ranks.tsv, data/places.tsv).
 *
 * Everything here is deterministic: the same name data, options and seed
 * give the same bytes on every machine (the random numbers come from a
 * seeded xoshiro256** stream, never from the clock).
 *
 * Conventions (those of <cartel/error.h>): functions return 0 or a negative
 * enum cartel_err; `why`, when not NULL, receives a malloc'd message on
 * failure that the caller frees. Nothing here prints or exits.
 */
#ifndef CARTEL_GEN_H
#define CARTEL_GEN_H

#include <stddef.h>
#include <stdio.h>

#include "date.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The loaded name data (opaque). */
struct cartel_names;

/* The folder the name data are read from when no folder is given: the
 * same as cartel_data_dir() of <cartel/data.h>. */
const char *cartel_names_dir(void);

/*
 * Loads and checks the name data from folder `dir` (NULL: cartel_names_dir())
 * into *out. Every file is checked strictly against the format of its
 * header comment: UTF-8, the exact column header, the number of columns of
 * each row, sex m or f, Cyrillic where Cyrillic belongs and none in the
 * Latin spellings, male patronymics as masculine/feminine (…ич/…на) and none
 * for women, positive integer weights, no duplicate rows. The first fault is
 * CARTEL_EFORMAT with *why naming the file, line, column and reason;
 * a missing file is CARTEL_ENOTFOUND. On failure *out is NULL. Free with
 * cartel_names_free.
 */
int cartel_names_load(struct cartel_names **out, const char *dir,
		      char **why);

/*
 * As cartel_names_load for one file only, for tools and tests: `kind` is
 * "given_names", "surnames", "ranks" or "places"; `path` the file. Sets
 * *n_rows to the number of data rows (and, for given names, *n_male and
 * *n_female when not NULL). Returns what cartel_names_load would.
 */
int cartel_names_check_file(const char *kind, const char *path,
			    size_t *n_rows, size_t *n_male, size_t *n_female,
			    char **why);

void cartel_names_free(struct cartel_names *names);

/* Row counts of the loaded data. sex: 'm', 'f', or 0 for both. */
size_t cartel_names_given_count(const struct cartel_names *names, int sex);
size_t cartel_names_surname_count(const struct cartel_names *names);

/* Options of the population generator (zero fields take the defaults). */
struct cartel_gen_opts {
	unsigned long long seed; /* default 0 is a seed like any other */
	size_t per_side;         /* captives held by each party; default 100 */
	/* The two parties. party_a's clerks write Ukrainian, party_b's
	 * Russian; default "UA" and "RU". */
	const char *party_a;
	const char *party_b;
	/* The reference date: captures fall between 24 Feb 2022 and this
	 * day, ages are counted to it. Default (all zero):
	 * cartel_date_today(). Must be a full date after 2022-03-01. */
	struct cartel_date today;
};

/*
 * Writes a register of 2 x per_side captives to `out` as the import CSV of
 * docs/import.md (a header row, then one row per person): those held by
 * party_a, then those held by party_b. Each party's register is written the
 * way its clerks write: a captive from the other side appears in the
 * detaining party's language (Александр Юрьевич in a Russian register,
 * Олександр Юрійович in a Ukrainian one), some rows in capitals and with
 * DD.MM.YYYY dates. Proportions (ages, ranks, sex, category, health,
 * captivity durations, consent, legal holds, status, sources) are
 * documented in src/lib/gen/population.c. Returns 0, CARTEL_EINVAL for bad
 * options, CARTEL_EIO when writing fails, CARTEL_ENOMEM.
 */
int cartel_gen_population(const struct cartel_names *names,
			  const struct cartel_gen_opts *opts, FILE *out,
			  char **why);

/* The Latin spellings the corpus generator writes, each from its own
 * implementation of the published table (src/lib/gen/latin.c). */
enum cartel_latin {
	CARTEL_LATIN_UA2010 = 0, /* Ukrainian national 2010 (KMU 55) */
	CARTEL_LATIN_BGN,        /* BGN/PCGN (Russian 1947, Ukrainian 1965) */
	CARTEL_LATIN_ICAO,       /* ICAO 9303, Russian passports since 2013 */
	CARTEL_LATIN_PASSPORT,   /* older Russian passports (ya, yu, iy) */
	CARTEL_LATIN_ISO9,       /* ISO 9:1995 / GOST 7.79 system A */
	CARTEL_LATIN_GERMAN,     /* German (Duden) */
	CARTEL_LATIN_POLISH,     /* Polish */
	CARTEL_LATIN_N
};

/* The system's short name ("ua2010", "bgn", ...); "" when out of range. */
const char *cartel_latin_name(enum cartel_latin sys);

/*
 * Transliterates Cyrillic UTF-8 text `cyr` into *out (malloc'd) by system
 * `sys`; `ukrainian` says whether the text is Ukrainian (г -> h, и -> y)
 * or Russian. Characters that are not Cyrillic letters are copied as they
 * are; capitals stay capitals. Returns 0, CARTEL_EINVAL (bad system or
 * invalid UTF-8) or CARTEL_ENOMEM.
 */
int cartel_latin(enum cartel_latin sys, int ukrainian, const char *cyr,
		 char **out, char **why);

/* Noise rates of the corpus generator, each a probability in [0, 1]. */
struct cartel_corpus_rates {
	double only_one;     /* a person appears in one list only */
	double brother;      /* a person gets a brother (hard negative) */
	double twin;         /* a brother is a twin (same birth date) */
	double caps;         /* a clerk's row is in CAPITALS */
	double dotted_date;  /* a clerk's date is DD.MM.YYYY */
	double latin;        /* a family writes in Latin letters */
	double diminutive;   /* a family writes a diminutive */
	double family_patronymic; /* a family writes the patronymic */
	double typo;         /* a name field gets a typo */
	double swap;         /* family and given names swapped */
	double patr_misplaced; /* the patronymic lands in the given-name
				* field */
	double date_error;   /* the birth date is wrong in one way */
	double missing;      /* an optional field is left empty */
};

/* The rates the corpus generator uses when none are given (documented in
 * docs/corpus.md). */
void cartel_corpus_rates_default(struct cartel_corpus_rates *rates);

struct cartel_corpus_opts {
	unsigned long long seed;
	size_t n; /* people; default 1000 */
	struct cartel_corpus_rates rates;
	struct cartel_date today; /* as in cartel_gen_opts */
};

/*
 * Writes a matching test corpus: `left` (the detaining side's clerks),
 * `right` (the families' inquiries), both in the import CSV format with the
 * columns id, family_name, given_name, patronymic, birth_date, birth_place,
 * sex, service_number, and `truth` (left_id,right_id: every pair that is
 * the same person). See docs/corpus.md. Returns 0, CARTEL_EINVAL for rates
 * outside [0, 1], CARTEL_EIO, CARTEL_ENOMEM.
 */
int cartel_gen_corpus(const struct cartel_names *names,
		      const struct cartel_corpus_opts *opts, FILE *left,
		      FILE *right, FILE *truth, char **why);

#ifdef __cplusplus
}
#endif
#endif
