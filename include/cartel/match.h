/*
 * Identity matching across scripts and spellings: the same captive written
 * in Ukrainian Cyrillic, Russian Cyrillic or any of the Latin systems met in
 * the field, with typos, swapped fields and wrong dates.
 *
 * How it works (docs/matching.md has the whole story):
 *   - every record is normalised ONCE (NFKC, case folding, look-alike
 *     letters repaired, patronymic and swapped fields put back) into keys:
 *     a transliteration-invariant skeleton per name, Daitch-Mokotoff codes
 *     for the surname, the given name's and the father's identity in the
 *     shipped name table (data/given_names.tsv), the birth date;
 *   - blocking (a union of several passes over those keys) proposes
 *     candidate pairs;
 *   - each pair is compared field by field into levels and scored with a
 *     Fellegi-Sunter model whose m and u probabilities are estimated from
 *     the data (EM; u from random pairs), surnames adjusted for frequency;
 *   - results carry a probability, a band and an explanation in words.
 *
 * Ownership: every function that hands out an array says how to free it.
 * An index BORROWS the array of persons it was built over: the array must
 * stay alive and unchanged until cartel_match_index_free. Result ids point
 * into those persons (or into the arrays given to cartel_match_link) and are
 * valid as long as they are. Explanations are malloc'd and freed with their
 * result array.
 *
 * Threads: an index is read-only once built; several threads may query one
 * index at the same time. Building, linking and deduplicating use up to
 * opts->n_threads threads internally.
 *
 * Conventions of <cartel/error.h>: functions return 0 or a negative enum
 * cartel_err, and set *why (malloc'd, caller frees) on failure when why is
 * not NULL. Nothing here prints, and no message carries a name.
 */
#ifndef CARTEL_MATCH_H
#define CARTEL_MATCH_H

#include <stddef.h>
#include <stdio.h>

#include "person.h"
#include "progress.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The three decision bands. */
enum cartel_match_band {
	CARTEL_BAND_NONMATCH = 0,
	CARTEL_BAND_REVIEW,  /* a person must look at it */
	CARTEL_BAND_MATCH,   /* the same person */
};

/* Default thresholds on the match probability (docs/matching.md says how
 * they were chosen). */
#define CARTEL_MATCH_DEFAULT_THRESHOLD 0.50
#define CARTEL_MATCH_DEFAULT_REVIEW 0.05

/* Options shared by every entry point. Fill with cartel_match_opts_init,
 * then change what you need. */
struct cartel_match_opts {
	/* Folder holding given_names.tsv and surnames.tsv. NULL: $CARTEL_DATA,
	 * else the source tree's data/, else the installed share/cartel. */
	const char *data_dir;
	/* Probability at or above which a pair is a match. */
	double threshold;
	/* Probability at or above which (and below threshold) a pair goes to
	 * review. */
	double review;
	/* Threads to use; 0 means every online core. */
	int n_threads;
	/* 1: fit m and u by EM on the data (link, dedupe). 0: use the
	 * built-in parameters (also used when there is too little data). */
	int em;
	/* 1: fill explanations. 0 saves time when only scores are wanted. */
	int explain;
	/* link: 1 (default) for one-to-one linking by the best overall
	 * assignment; 0 keeps every pair at or above the review threshold. */
	int one_to_one;
	/* Told how far building an index, linking or deduplicating has got
	 * (<cartel/progress.h>; unit "records": each record counts once as
	 * it is normalised and once as it is scored, or for an index as its
	 * postings are built), with progress_user. NULL (the default):
	 * nothing is told. */
	cartel_progress_fn progress;
	void *progress_user;
};

/* Sets the defaults: thresholds above, all cores, EM on, explanations on,
 * one-to-one on, data_dir NULL. */
void cartel_match_opts_init(struct cartel_match_opts *opts);

/* What a run did: for benchmarks and for the curious. */
struct cartel_match_stats {
	size_t n_left, n_right;   /* records (dedupe: both = n) */
	size_t n_candidates;      /* candidate pairs compared after blocking */
	size_t n_scored_review;   /* pairs at or above the review threshold */
	size_t n_components;      /* connected components assigned */
	size_t largest_component; /* records in the largest one */
	size_t n_greedy;          /* components too big for the exact
				   * assignment, done greedily */
	int em_iterations;        /* 0 when EM did not run */
	double em_lambda;         /* estimated share of matches among
				   * candidate pairs */
	double seconds_normalise, seconds_candidates, seconds_em,
		seconds_assign;
};

/* ---- The index: build once, query many times ---- */

struct cartel_match_index;

/*
 * Normalises every person of persons[0..n) and builds the blocking index
 * over them (BORROWED: keep the array alive and unchanged). The model's u
 * probabilities are estimated from random pairs of the array itself when it
 * holds at least 1000 persons, else the built-in values are used. opts may
 * be NULL (defaults). Returns 0 and sets *out; CARTEL_ENOMEM; CARTEL_EIO or
 * CARTEL_EFORMAT when the name tables cannot be read (*why names the file
 * and line).
 */
int cartel_match_index_build(struct cartel_match_index **out,
			     const struct cartel_person *persons, size_t n,
			     const struct cartel_match_opts *opts, char **why);

/* Frees the index (not the persons). NULL is allowed. */
void cartel_match_index_free(struct cartel_match_index *ix);

/* Fields compared, and so evidence entries per pair. */
#define CARTEL_MATCH_N_EVIDENCE 6

/* How one compared field of a found pair agrees, without the values (the
 * caller holds both records). */
struct cartel_match_field {
	const char *field;  /* the import column (static): family_name,
			     * given_name, patronymic, birth_date,
			     * birth_place, service_number */
	const char *how;    /* as struct cartel_match_evidence's (static) */
	double weight;      /* bits for (+) or against (-); 0 when unknown
			     * on a side */
};

/* One ranked candidate. */
struct cartel_match_candidate {
	size_t index;       /* position in the indexed array */
	const char *id;     /* that person's id (borrowed) */
	/* Of being the same person, 0..1, taken among all the candidates
	 * of the query and the chance that the person sought is not in the
	 * index at all (even odds); docs/matching.md. */
	double probability;
	double weight;      /* log2(probability / (1 - probability)) */
	enum cartel_match_band band;
	char *explanation;  /* "family name: ..., +8.2; given name: ..." or
			     * NULL when explanations are off */
	/* The same for a family, without scores, in the calling thread's
	 * language (<cartel/i18n.h>): "found by surname and year of birth;
	 * the given name is written differently: Олександр and Александр
	 * are the same name". NULL when explanations are off. */
	char *words;
	/* Field by field, in the order above; every field NULL when
	 * explanations are off. */
	struct cartel_match_field fields[CARTEL_MATCH_N_EVIDENCE];
};

/*
 * Finds the persons of the index that may be *q (any fields may be NULL or
 * unknown; the names may be in any script and family/given may be
 * swapped). Returns up to max_results candidates (0 = no limit) at or above
 * the index's review threshold when strict is 1, or the best ones whatever
 * their band when strict is 0, best first, in a new array *out of *n_out
 * (free with cartel_match_candidates_free; *out may be NULL when *n_out is
 * 0). Safe to call from several threads at once. Returns 0 or
 * CARTEL_ENOMEM.
 */
int cartel_match_query(const struct cartel_match_index *ix,
		       const struct cartel_person *q, size_t max_results,
		       int strict, struct cartel_match_candidate **out,
		       size_t *n_out, char **why);

void cartel_match_candidates_free(struct cartel_match_candidate *c,
				  size_t n);

/* How many persons the index holds. */
size_t cartel_match_index_size(const struct cartel_match_index *ix);

/*
 * Fetches the person of record `index` (whose id is `id`) for an
 * explanation: sets *out to a person that stays valid until the query
 * returns (the callback's owner keeps it). Returns 0 or an error, which
 * the query returns.
 */
typedef int (*cartel_match_fetch_fn)(void *ctx, size_t index, const char *id,
				     const struct cartel_person **out,
				     char **why);

/*
 * As cartel_match_query, with the persons of the results (after ranking
 * and max_results, so a handful) taken from fetch(ctx, ...) for their
 * explanations instead of the indexed array: required for an index opened
 * from a file, which holds no persons (CARTEL_EINVAL without it, unless
 * opts->explain is 0). The ids of the results point into the index. A
 * damaged file can make it return CARTEL_EFORMAT.
 */
int cartel_match_query_fetch(const struct cartel_match_index *ix,
			     const struct cartel_person *q,
			     size_t max_results, int strict,
			     cartel_match_fetch_fn fetch, void *ctx,
			     struct cartel_match_candidate **out,
			     size_t *n_out, char **why);

/* ---- The index kept in a file ----
 *
 * A built index can be saved and opened again without the persons: the
 * file holds the blocking keys of every record (hashes) and their
 * postings, each record's normalised name keys (transliterated skeletons
 * of the names: personal data), the model and the person ids; never
 * contact details. It is written with mode 0600. Queries on an opened
 * index give the same candidates, probabilities and explanations as on
 * the index that was saved (explanations need cartel_match_query_fetch).
 */

/*
 * Writes ix (built by cartel_match_index_build, not opened from a file) to
 * `path`, through a temporary file in the same folder renamed over it, so
 * that no reader ever sees half a file (<cartel/file.h>). `stamp` (under
 * 160 bytes) names what the index was built from; open refuses another,
 * and the file's digest is keyed by it. Returns 0; CARTEL_EREADONLY when
 * the folder cannot be written; CARTEL_ESTATE when path is a symbolic
 * link or not a regular file; CARTEL_EFULL; CARTEL_EIO; CARTEL_ENOMEM.
 * Nothing is left behind on failure.
 */
int cartel_match_index_save(const struct cartel_match_index *ix,
			    const char *path, const char *stamp, char **why);

/*
 * Maps the index saved at `path` (read-only; the file may be replaced
 * meanwhile, the mapping holds on to the old one) and sets *out (free
 * with cartel_match_index_free). opts as for building (thresholds,
 * explanations, data_dir; NULL for the defaults). Returns 0;
 * CARTEL_ENOTFOUND when there is no file; CARTEL_ESTATE when it was saved
 * with another stamp or other name tables (out of date); CARTEL_EFORMAT
 * when it is not an index, was written by another build, or is damaged
 * (cut short, a header that does not hold); CARTEL_EIO; or a name-table
 * error. *why says which.
 */
int cartel_match_index_open(struct cartel_match_index **out,
			    const char *path, const char *stamp,
			    const struct cartel_match_opts *opts, char **why);

/*
 * Checks the BLAKE2b digest an index opened from a file carries against
 * all of its content (and the register state it was built from), reading
 * the whole file: about 160 ms for 20,000 persons on a slow machine, far
 * more than a search. 0 (also for an index built in memory), or
 * CARTEL_EFORMAT with *why when the file was changed since it was
 * written.
 */
int cartel_match_index_verify(const struct cartel_match_index *ix,
			      char **why);

/*
 * Whether record `index` of ix is what the register holds for person p
 * (p as read from the register now): the same id, and the same name
 * keys, date, place and service number as p normalises to. 1 when it
 * is (always for an index built in memory), 0 when not (a file changed
 * by hand, or out of step with the register), -1 when out of memory.
 * Costs one normalisation: a search checks each person it answers with.
 */
int cartel_match_index_agrees(const struct cartel_match_index *ix,
			      size_t index, const struct cartel_person *p);

/*
 * Reads a name typed in one line, in any script and any order ("Ковальчук
 * Олександр Петрович", "Oleksandr Kovalchuk", "KOVALCHUK, Oleksandr") and
 * fills q->family_name, q->given_name and q->patronymic (malloc'd; the
 * caller clears q with cartel_person_clear), and q->birth_date when the
 * text holds a date: the most plausible reading of cartel_query_parse by
 * the name tables alone (with an index, cartel_match_query_choose chooses
 * better). Returns 0, CARTEL_EINVAL when the text holds no name, or an
 * error from loading the name table.
 */
int cartel_match_parse_name(const char *text,
			    const struct cartel_match_opts *opts,
			    struct cartel_person *q, char **why);

/* ---- Free text as people type it (src/lib/match/query.c) ----
 *
 * One parser for every front end that takes a name in one line (search,
 * inquiries, the web app): it never decides from a word's ending alone
 * which word is the surname. It forms the plausible readings of the text
 * (which word is the surname, the given name, the patronymic; initials;
 * a surname that looks like a patronymic, Ляхович, or a feminine form,
 * Никитина), gives each a plausibility from the name tables, and leaves
 * the choice to the index (cartel_match_query_choose): the reading whose
 * best candidate fits best is the one answered from, and the answer says
 * which it was (cartel_query_reading_text).
 */

/* Longest text read, in bytes; CARTEL_ERANGE beyond. */
#define CARTEL_QUERY_MAX_TEXT 1024
/* At most this many readings are kept (the six most plausible, and the
 * full names of a diminutive shared by several: Женя, Євген or Євгенія). */
#define CARTEL_QUERY_MAX_READINGS 8

/* One way of reading the text. */
struct cartel_query_reading {
	/* family_name, given_name, patronymic (malloc'd, NULL when the
	 * reading has none) and birth_date (the query's) filled; the rest
	 * zero. Ready to give to cartel_match_query or cartel_search. */
	struct cartel_person person;
	/* From the name tables alone, in bits: how typical the words are
	 * in the roles given to them (a known given name as the given name,
	 * a known patronymic as the patronymic, a usual order). */
	double plausibility;
};

struct cartel_query {
	struct cartel_query_reading *readings; /* most plausible first */
	size_t n_readings;                     /* at least 1 on success */
	struct cartel_date born;   /* the birth date read, or unknown */
	int born_swapped;          /* 1: read with day and month swapped
				    * (as typed, the month was over 12) */
	int born_in_text;          /* 1: the date came inside the text */
};

/*
 * Reads text[0..len) (UTF-8, not necessarily NUL-terminated; any bytes
 * are safe) and the optional birth date `born` (NULL or "": none; YYYY,
 * YYYY-MM, YYYY-MM-DD, DD.MM.YYYY, D.M.YYYY, DD/MM/YYYY; a date whose
 * month is over 12 is read with day and month swapped) into *out (clear
 * with cartel_query_clear). A date or year typed inside the text is taken
 * as the birth date when born is not given. Words: spaces, commas and
 * semicolons separate them; a single letter (with or without a dot:
 * "О.", "О.І.") is an initial, taken only as a given name or patronymic.
 * Returns 0; CARTEL_EINVAL when the text holds no name (*why says so);
 * CARTEL_ERANGE over CARTEL_QUERY_MAX_TEXT bytes; CARTEL_EFORMAT or
 * CARTEL_ERANGE for a birth date that is no date even swapped; or a
 * name-table error. On failure *out is empty.
 */
int cartel_query_parse(const char *text, size_t len, const char *born,
		       const struct cartel_match_opts *opts,
		       struct cartel_query *out, char **why);

void cartel_query_clear(struct cartel_query *q);

/*
 * Says in plain words (the calling thread's language) how reading r was
 * read, into buf (NUL-terminated, truncated to size): "surname Ляхович, given name Василий, born
 * 1988-03-25 (day and month swapped)". Returns buf.
 */
char *cartel_query_reading_text(const struct cartel_query *q, size_t r,
				char *buf, size_t size);

/*
 * Tries every reading of *query against the index and sets *best to the
 * one whose best candidate fits best (its match weight in bits, plus the
 * reading's plausibility); *score_bits (may be NULL) to that sum. A
 * reading without candidates scores lowest; with none for any, *best is
 * 0, the most plausible. Safe from several threads. Returns 0,
 * CARTEL_ENOMEM, or CARTEL_EFORMAT for a damaged index file.
 */
int cartel_match_query_choose(const struct cartel_match_index *ix,
			      const struct cartel_query *query, size_t *best,
			      double *score_bits, char **why);

/* ---- Linking two lists ---- */

struct cartel_match_pair {
	size_t left, right;       /* positions in the two arrays */
	const char *left_id, *right_id; /* borrowed from the arrays */
	/* Of being the same person, among the left record's candidates
	 * and the chance it has no partner at all (docs/matching.md). */
	double probability;
	double weight;            /* log2 odds of the probability, in bits */
	enum cartel_match_band band; /* MATCH or REVIEW */
	char *explanation;        /* NULL when explanations are off */
};

/*
 * Links left[0..n_left) with right[0..n_right): every pair judged to be the
 * same person (band MATCH) and every pair for review (band REVIEW), in a
 * new array *out of *n_out ordered by left position (free with
 * cartel_match_pairs_free). With opts->one_to_one (the default) each
 * record appears in at most one pair, chosen as the assignment with the
 * greatest total match weight on each connected component of the
 * candidate graph (exact up to CARTEL_MATCH_EXACT_MAX records per
 * component, greedy by weight beyond; stats->n_greedy counts those). stats
 * may be NULL. Returns 0, CARTEL_ENOMEM, or a name-table error.
 */
int cartel_match_link(const struct cartel_person *left, size_t n_left,
		      const struct cartel_person *right, size_t n_right,
		      const struct cartel_match_opts *opts,
		      struct cartel_match_pair **out, size_t *n_out,
		      struct cartel_match_stats *stats, char **why);

/* Components with more records than this are assigned greedily. */
#define CARTEL_MATCH_EXACT_MAX 400

void cartel_match_pairs_free(struct cartel_match_pair *p, size_t n);

/*
 * Deduplicates persons[0..n): cluster[i] receives, for each person, the
 * position of the first person (lowest position) of its cluster; a person
 * alone is its own cluster. Persons join a cluster through pairs in the
 * MATCH band (transitively). cluster must hold n entries. stats may be
 * NULL. Returns 0, CARTEL_ENOMEM, or a name-table error.
 */
int cartel_match_dedupe(const struct cartel_person *persons, size_t n,
			const struct cartel_match_opts *opts, size_t *cluster,
			struct cartel_match_stats *stats, char **why);

/* One compared field's part in a pair's score. */
struct cartel_match_evidence {
	const char *field;  /* the import column: family_name, given_name,
			     * patronymic, birth_date, birth_place,
			     * service_number (static) */
	char *left, *right; /* the values compared, NULL when unknown */
	const char *how;    /* "identical", "the same name across scripts",
			     * "day and month swapped", "different",
			     * "missing on one side", ... (static) */
	double weight;      /* bits for (+) or against (-) one person; 0
			     * when unknown on a side */
};

/* Two records of one list that may be one person. */
struct cartel_match_dup {
	size_t a, b;               /* positions, a < b */
	const char *a_id, *b_id;   /* borrowed from the persons */
	size_t cluster;            /* the cluster's first position (of a) */
	double probability;        /* as for cartel_match_pair */
	double weight;             /* log2 odds, in bits */
	enum cartel_match_band band; /* MATCH or REVIEW */
	struct cartel_match_evidence evidence[CARTEL_MATCH_N_EVIDENCE];
};

/*
 * As cartel_match_dedupe (cluster must hold n entries and receives the
 * same), and also every pair scored at or above the review threshold, with
 * its field-by-field evidence, into a new array *out of *n_out ordered by
 * cluster, then a, then b (free with cartel_match_dups_free). Pairs in
 * the MATCH band joined their clusters; REVIEW pairs did not. Returns 0,
 * CARTEL_ENOMEM, or a name-table error; on failure *out is NULL.
 */
int cartel_match_dedupe_pairs(const struct cartel_person *persons, size_t n,
			      const struct cartel_match_opts *opts,
			      size_t *cluster, struct cartel_match_dup **out,
			      size_t *n_out, struct cartel_match_stats *stats,
			      char **why);

void cartel_match_dups_free(struct cartel_match_dup *d, size_t n);

/*
 * The pairs of the register's persons (cartel_db_persons: those not
 * merged into another) as cartel_match_dups_json writes them, with the
 * default options, in a new string *out (free). The process keeps the
 * last answer and gives it again, to any handle on the same register
 * file, while the fields the deduplication reads are unchanged (the
 * search index's state stamp: persons added, compared fields changed,
 * merges, unmerges, corrections), so that a server works it out once per
 * change, not once per request. Thread-safe. Returns 0 or an error (*out
 * NULL).
 */
struct cartel_db;
int cartel_register_dups_json(struct cartel_db *db, char **out, char **why);

/*
 * The pairs as one JSON document (malloc'd UTF-8 text, NULL when out of
 * memory): {"records": n, "clusters": number of clusters, "pairs": [{"a",
 * "b", "cluster" (ids), "probability", "weight_bits", "band", "evidence":
 * [{"field", "a", "b", "how", "bits"}]}]} (docs/matching.md).
 */
char *cartel_match_dups_json(const struct cartel_person *persons, size_t n,
			     const size_t *cluster,
			     const struct cartel_match_dup *d, size_t n_dups);

/* ---- Lists as files ---- */

/*
 * Reads a list in the import CSV format (docs/import.md) for matching: only
 * `id` is required; family_name, given_name, patronymic, birth_date,
 * birth_place, service_number and sex are read when present; a `name`
 * column (the whole name in one line) is read as cartel_match_parse_name
 * reads it, for the rows that have no name fields of their own; other
 * columns are ignored. Refuses (CARTEL_EFORMAT, *why naming the file, row
 * and column) an empty file, a file without an `id` column, a row with an
 * empty or duplicate id, invalid UTF-8 and a field over max_field bytes
 * (0 = CARTEL_CSV_MAX_FIELD; CARTEL_ERANGE). A birth_date that is not a
 * date is kept as unknown and counted in *n_bad_dates (may be NULL). A
 * header alone gives 0 persons. On success *out holds *n persons (free
 * with cartel_match_persons_free); on failure *out is NULL.
 */
int cartel_match_read_csv(FILE *fp, const char *name, size_t max_field,
			  struct cartel_person **out, size_t *n,
			  size_t *n_bad_dates, char **why);

void cartel_match_persons_free(struct cartel_person *p, size_t n);

/* ---- Lower-level pieces, public for tests and tools ---- */

/*
 * The transliteration-invariant skeleton of one name (any script) into buf
 * (NUL-terminated, truncated to size). The same for Олександр's surname
 * Ковальчук, Kovalchuk and Kowaltschuk; different for Жукова and Зукова.
 * Returns the length written, or CARTEL_ENOMEM.
 */
int cartel_match_skeleton(const char *name, char *buf, size_t size);

/*
 * The Daitch-Mokotoff codes of a surname (any script: Cyrillic is
 * transliterated first), each a 6-digit number, into codes[0..max);
 * returns how many (0 for a name without letters).
 */
int cartel_match_dm(const char *name, unsigned *codes, int max);

/*
 * The given-name identity of a given name or diminutive in the shipped
 * table: 1-based row of data/given_names.tsv, 0 when unknown, or a negative
 * error when the table cannot be loaded.
 */
int cartel_match_given_id(const char *name,
			  const struct cartel_match_opts *opts, char **why);

struct cartel_db;

/* ---- Search in the register (src/lib/store/search_store.c) ----
 *
 * A search must not load a register of a million persons to answer one
 * name. The register keeps a search index beside it, in REGISTER.search
 * (cartel_match_index_save: keys, postings, each record's normalised name
 * keys, the model, person ids; mode 0600, as private as the register).
 * The file records the state of the register it was built from (the last
 * event, the audit entry covering it, the highest person key); a search
 * uses it only when the register is still in that state, and otherwise
 * builds it again first. The answer is the same either way: the same
 * candidates, probabilities and explanations as an index built in memory
 * from the register as it stands.
 */

enum cartel_search_mode {
	CARTEL_SEARCH_AUTO = 0, /* use the file; (re)build it when needed */
	CARTEL_SEARCH_REBUILD,  /* build the file again, whatever its state */
	CARTEL_SEARCH_MEMORY,   /* no file: load the register, index it in
				 * memory (slow on a big register) */
};

struct cartel_search_opts {
	const struct cartel_match_opts *match; /* NULL: the defaults */
	enum cartel_search_mode mode;
	/* The file; NULL: the register's path + ".search". */
	const char *index_path;
	/* Called once before the index is built (not in MEMORY mode), with
	 * why (no index yet, out of date, damaged: "the search index ...
	 * is damaged (cut short)") and how many persons it will hold, so
	 * that a front end can say why the wait. May be NULL. */
	void (*on_build)(void *ctx, const char *reason, size_t n_persons);
	void *ctx;
	/* 1: the file's whole digest is checked when it is opened
	 * (cartel_match_index_verify: reads all of it), and a file that
	 * fails is rebuilt. 0 (the default): each person answered with is
	 * still checked against the register. */
	int verify_index;
	/* Told how far building the index has got (<cartel/progress.h>;
	 * unit "records": each person counts once as he is read from the
	 * register, then as cartel_match_opts.progress counts), with
	 * progress_user. NULL: nothing is told. */
	cartel_progress_fn progress;
	void *progress_user;
};

/* Sets the defaults: AUTO, the file beside the register, no callback. */
void cartel_search_opts_init(struct cartel_search_opts *so);

/* One person found. */
struct cartel_search_hit {
	struct cartel_person person; /* the register's current record */
	double probability;          /* as struct cartel_match_candidate */
	double weight;
	enum cartel_match_band band;
	char *explanation;           /* NULL when explanations are off */
	char *words;                 /* as struct cartel_match_candidate */
	struct cartel_match_field fields[CARTEL_MATCH_N_EVIDENCE]; /* the same */
	/* The day (YYYY-MM-DD) the person's status was last changed by an
	 * event on it, or NULL when no event changed it after the record
	 * was made. malloc'd. */
	char *status_on;
};

/*
 * Where the person of a search hit stands, in plain words and the calling
 * thread's language (<cartel/i18n.h>; the party by its name when cartel
 * knows one), into buf (NUL-terminated, truncated to size): "reported
 * missing", "held by Russia since 2024-03", "held by Ukraine since
 * 2023-11; proposed for exchange", "repatriated on 2025-01-10" (status_on,
 * may be NULL). Returns buf.
 */
char *cartel_search_status_text(const struct cartel_person *p,
				const char *status_on, char *buf, size_t size);

/* What a search did. */
struct cartel_search_info {
	size_t n_persons; /* persons searched */
	int used_index;   /* 1: answered from an up-to-date file */
	int built;        /* 1: the file was (re)built and saved */
	int kept;         /* 1: answered from the file as mapped by an
			   * earlier search on the same handle (the register
			   * and the file unchanged since) */
	/* malloc'd, or NULL: why the file could not be saved (the search
	 * then ran in memory). Cleared by cartel_search_info_clear. */
	char *note;
};

void cartel_search_info_clear(struct cartel_search_info *info);

/* The search index's file for db (malloc'd; NULL for a register in
 * memory). */
char *cartel_search_index_path(struct cartel_db *db);

/*
 * Finds the persons of the register who may be *q, as cartel_match_query
 * does (max_results, strict) on an index of the whole register, into a new
 * array *out of *n_out hits, best first (free with cartel_search_hits_free;
 * NULL when none). q may be NULL to build or check the index only (out and
 * n_out may then be NULL). so may be NULL (AUTO). info (may be NULL) says
 * whether the file was used or built. A file that is missing, out of date,
 * damaged or foreign is rebuilt (so->on_build says so first); when it
 * cannot be written the search runs in memory and info->note says why.
 * Returns 0, a database error, a name-table error or CARTEL_ENOMEM.
 */
int cartel_search(struct cartel_db *db, const struct cartel_person *q,
		  size_t max_results, int strict,
		  const struct cartel_search_opts *so,
		  struct cartel_search_hit **out, size_t *n_out,
		  struct cartel_search_info *info, char **why);

void cartel_search_hits_free(struct cartel_search_hit *h, size_t n);

/*
 * As cartel_search, for a name typed in one line and read by
 * cartel_query_parse: every reading of *query is tried on the search
 * index (cartel_match_query_choose) and the hits are those of the reading
 * that fits best, whose position goes to *reading (may be NULL). Returns
 * as cartel_search.
 */
int cartel_search_text(struct cartel_db *db, const struct cartel_query *query,
		       size_t max_results, int strict,
		       const struct cartel_search_opts *so,
		       struct cartel_search_hit **out, size_t *n_out,
		       size_t *reading, struct cartel_search_info *info,
		       char **why);

/* ---- Inquiries in the register (src/lib/store/match_store.c) ----
 *
 * An inquiry is a person sought (by a family, a bureau, a hotline). It is
 * matched against the register when it arrives, and again on demand (after
 * new lists are imported); each potential match at or above the review
 * threshold is kept, pending, until someone confirms or rejects it. Every
 * change is in the audit chain with who did it and why; a confirmation is
 * also an event on the person (extra attribute "inquiry": the ids of every
 * inquiry confirmed for him, comma-separated), so the person's history
 * shows who was found for whom. Who asked, the inquiry's state, history
 * and call-backs: <cartel/inquiry.h>.
 */

/*
 * Records an inquiry for the person described by q (id ignored; names,
 * birth date, place and service number used) by `actor`, with an optional
 * contact (kept in the register, never in the audit detail), and sets
 * *out_id (malloc'd, "INQ-000001" ...). Then matches it at once (as
 * cartel_inquiry_match) and sets *n_found to the potential matches kept.
 * Returns 0, CARTEL_EINVAL (no name at all, no actor) or a database error.
 */
int cartel_inquiry_add(struct cartel_db *db, const struct cartel_person *q,
		       const char *actor, const char *contact,
		       const struct cartel_match_opts *opts, char **out_id,
		       size_t *n_found, char **why);

/*
 * Matches inquiry `id` (or every open inquiry when id is NULL) against the
 * register's current persons and keeps each new potential match at or
 * above the review threshold (a pair already kept, or already decided, is
 * left as it is); an inquiry given a first candidate becomes
 * candidate_found. *n_found (may be NULL) receives how many were added.
 * Returns 0, CARTEL_ENOTFOUND for an unknown id, CARTEL_ESTATE for an
 * inquiry confirmed or closed, or an error.
 */
int cartel_inquiry_match(struct cartel_db *db, const char *id,
			 const char *actor,
			 const struct cartel_match_opts *opts,
			 size_t *n_found, char **why);

/* One potential match. Strings are malloc'd (NULL when unset). */
struct cartel_review_item {
	char *inquiry_id, *person_id;
	double score;
	char *band;        /* "match" or "review" */
	char *state;       /* "pending", "confirmed" or "rejected" */
	char *explanation; /* the engine's, as kept when it was found */
	char *found_at;
	char *decided_by, *decided_at, *reason;
	/* How the record and what the family said agree, in plain words in
	 * the calling thread's language ("found by surname and date of
	 * birth; ..."): NULL until cartel_review_words fills it, and when
	 * the inquiry is no longer open or the person no longer found. */
	char *words;
	/* How each field agrees, filled with words (field NULL until
	 * then): what the review screen shows in its evidence column. */
	struct cartel_match_field fields[CARTEL_MATCH_N_EVIDENCE];
	/* For an identity link ("link:PARTY:THEIR_ID"), filled with the
	 * words: their person as PARTY declared him, and ours when ours is
	 * a declared person too ("PARTY:ID", at a mediator); NULL otherwise
	 * (a register's person is read through its own, logged, way). */
	struct cartel_person *theirs, *ours;
};

/* The kept potential matches, best first within each inquiry; only the
 * pending ones unless all is 1. Free with cartel_review_items_free. */
int cartel_review_list(struct cartel_db *db, int all,
		       struct cartel_review_item **out, size_t *n,
		       char **why);

void cartel_review_items_free(struct cartel_review_item *it, size_t n);

/*
 * Fills the words and the fields of it[0..n) (those still NULL) by asking
 * each open inquiry among them of the register once more, as it was
 * matched, and each pending identity link's declared person of ours, the
 * words in the calling thread's language: what a reviewer reads instead
 * of the engine's bits. An inquiry confirmed or closed, a person the
 * search no longer gives, or a link whose persons are gone keeps NULL.
 * Returns 0, or an error (CARTEL_ENOMEM, a database error), after which
 * the words filled so far stay.
 */
int cartel_review_words(struct cartel_db *db, struct cartel_review_item *it,
			size_t n, char **why);

/*
 * Confirms (confirm = 1) or rejects (0) the pending potential match of
 * person_id for inquiry_id, by actor, for reason (both required). A
 * confirmation records the event on the person (which puts the inquiry on
 * the call-back list), marks the inquiry confirmed and closes its other
 * pending candidates (rejected, "another candidate confirmed"); rejecting
 * the last pending candidate opens the inquiry again. Every step is a line
 * of the inquiry's history. One transaction with its audit entries.
 * Returns 0, CARTEL_ENOTFOUND (no such pending match), CARTEL_ESTATE
 * (already decided, or confirming on an inquiry already confirmed or
 * closed), CARTEL_EINVAL (no actor or reason) or a database error.
 */
int cartel_review_decide(struct cartel_db *db, const char *inquiry_id,
			 const char *person_id, int confirm,
			 const char *actor, const char *reason, char **why);

#ifdef __cplusplus
}
#endif
#endif
