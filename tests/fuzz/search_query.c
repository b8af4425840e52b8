/*
 * Fuzzes how `cartel search` reads a typed name (match.c,
 * cartel_match_parse_name: the words, which is the given name, which the
 * patronymic) and the query that follows, on a small index built once.
 * Every candidate returned names an indexed person, with a probability
 * between 0 and 1, best first.
 */
#include <cartel/error.h>

#include "persons.h"

static struct cartel_person persons[FUZZ_N_PERSONS];
static struct cartel_match_index *ix;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_persons(persons);
	struct cartel_match_opts o;
	cartel_match_opts_init(&o);
	o.n_threads = 1;
	char *why = NULL;
	if (cartel_match_index_build(&ix, persons, FUZZ_N_PERSONS, &o, &why)) {
		fprintf(stderr, "cannot build the index: %s\n",
			why ? why : "");
		abort();
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The command line caps a name at a few hundred bytes. */
	if (size > 1024)
		return 0;
	char *text = fuzz_cstr(data, size);
	if (text == NULL)
		return 0;
	struct cartel_person q;
	memset(&q, 0, sizeof q);
	char *why = NULL;
	int rc = cartel_match_parse_name(text, NULL, &q, &why);
	free(text);
	free(why);
	if (rc != 0) {
		FUZZ_CHECK(rc == CARTEL_EINVAL || rc == CARTEL_ENOMEM);
		return 0;
	}
	FUZZ_CHECK(q.family_name != NULL || q.given_name != NULL ||
		   q.patronymic != NULL);
	struct cartel_match_candidate *c = NULL;
	size_t n = 0;
	why = NULL;
	rc = cartel_match_query(ix, &q, 5, 0, &c, &n, &why);
	free(why);
	if (rc == 0) {
		for (size_t i = 0; i < n; i++) {
			FUZZ_CHECK(c[i].index < FUZZ_N_PERSONS);
			FUZZ_CHECK(strcmp(c[i].id,
					  persons[c[i].index].id) == 0);
			FUZZ_CHECK(c[i].probability >= 0 &&
				   c[i].probability <= 1);
			if (i > 0)
				FUZZ_CHECK(c[i].probability <=
					   c[i - 1].probability);
		}
		cartel_match_candidates_free(c, n);
	}
	cartel_person_clear(&q);
	return 0;
}
