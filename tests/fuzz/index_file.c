/*
 * Fuzzes the reading of the search index file (match/index_file.c), which
 * lies beside the register where anyone who can write the folder can
 * replace it, and the queries that then read the mapped file.
 *
 * The input is a whole index file. The harness rewrites its header so
 * that it holds (size, stamp, name tables, check): those checks are easy
 * to pass on purpose, and what they guard is what is fuzzed. Seeds are
 * files written by cartel_match_index_save. Invariant: the index opens or
 * is refused; a query on an opened index returns ids of the index.
 */
#define _GNU_SOURCE /* memfd_create */
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cartel/error.h>

#include "match/index_int.h"
#include "persons.h"

#define STAMP "fuzz"

static char path[64];
static int fd = -1;
static int verbose; /* CARTEL_FUZZ_VERBOSE: say why an index is refused */

static const char *const queries[] = {
	"Коваленко Олександр", "Kovalenko", "Петров Иван Сергеевич",
	"Smith, John", "Белова"};
#define N_QUERIES (sizeof queries / sizeof queries[0])
static struct cartel_person parsed[N_QUERIES]; /* read once */

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	verbose = getenv("CARTEL_FUZZ_VERBOSE") != NULL;
	/* The file lives in memory (writing a real one costs the disk a
	 * flush per input); it is opened through its name in /proc. */
	fd = memfd_create("cartel-fuzz-index", 0);
	FUZZ_CHECK(fd >= 0);
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	for (size_t k = 0; k < N_QUERIES; k++) {
		char *why = NULL;
		FUZZ_CHECK(cartel_match_parse_name(queries[k], NULL, &parsed[k],
						   &why) == 0);
	}
	/* CARTEL_FUZZ_WRITE_SEED=FILE writes a fresh seed of the corpus. */
	const char *seed = getenv("CARTEL_FUZZ_WRITE_SEED");
	if (seed != NULL) {
		static struct cartel_person persons[FUZZ_N_PERSONS];
		fuzz_persons(persons);
		struct cartel_match_index *ix = NULL;
		char *why = NULL;
		FUZZ_CHECK(cartel_match_index_build(&ix, persons,
						    FUZZ_N_PERSONS, NULL,
						    &why) == 0);
		FUZZ_CHECK(cartel_match_index_save(ix, seed, STAMP, &why) ==
			   0);
		cartel_match_index_free(ix);
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size > 0 ? size : 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	if (cartel__match_index_reseal(buf, size, STAMP) != 0) {
		free(buf);
		return 0;
	}
	int ok = ftruncate(fd, 0) == 0 &&
		 pwrite(fd, buf, size, 0) == (ssize_t)size;
	free(buf);
	if (!ok)
		return 0;
	struct cartel_match_index *ix = NULL;
	char *why = NULL;
	struct cartel_match_opts o;
	cartel_match_opts_init(&o);
	o.n_threads = 1;
	o.explain = 0;
	int rc = cartel_match_index_open(&ix, path, STAMP, &o, &why);
	if (verbose)
		fprintf(stderr, "open: %d %s\n", rc, why ? why : "");
	free(why);
	if (rc != 0) {
		FUZZ_CHECK(ix == NULL);
		return 0;
	}
	size_t n_ix = cartel_match_index_size(ix);
	for (size_t k = 0; k < N_QUERIES; k++) {
		struct cartel_match_candidate *c = NULL;
		size_t n = 0;
		why = NULL;
		if (cartel_match_query(ix, &parsed[k], 5, 0, &c, &n, &why) ==
		    0) {
			if (verbose)
				fprintf(stderr, "%s: %zu found\n", queries[k],
					n);
			for (size_t i = 0; i < n; i++) {
				FUZZ_CHECK(c[i].index < n_ix);
				FUZZ_CHECK(c[i].id != NULL);
				(void)strlen(c[i].id);
			}
			cartel_match_candidates_free(c, n);
		} else if (verbose) {
			fprintf(stderr, "%s: %s\n", queries[k], why ? why : "");
		}
		free(why);
	}
	cartel_match_index_free(ix);
	return 0;
}
