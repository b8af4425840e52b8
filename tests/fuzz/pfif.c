/*
 * Fuzzes the PFIF reader (io/pfif_read.c), which every `cartel import
 * pfif` feed goes through before anything reaches the register: libexpat
 * with entities turned away, and the walk that picks persons, notes and
 * their fields out of the elements.
 *
 * Invariants: a document is read or refused, never half; every value
 * read is UTF-8 without NUL, trimmed of white space at both ends, and no
 * longer than the limit of one field; records are numbered 1, 2, 3 in
 * document order; a nested note names an earlier person record; the
 * record id check agrees with its own rule.
 */
#include <cartel/csv.h>
#include <cartel/limits.h>
#include <cartel/pfif.h>

#include "fuzz.h"

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cartel_pfif_doc *doc = NULL;
	char *why = NULL;
	int rc = cartel_pfif_parse((const char *)data, size, &doc, &why);
	if (rc != 0) {
		FUZZ_CHECK(doc == NULL);
		FUZZ_CHECK(why != NULL);
		free(why);
		return 0;
	}
	FUZZ_CHECK(doc != NULL && doc->ns != NULL);
	for (size_t i = 0; i < doc->n_rec; i++) {
		const struct cartel_pfif_record *r = &doc->rec[i];
		FUZZ_CHECK(r->index == i + 1);
		if (r->is_note && r->person != 0) {
			FUZZ_CHECK(r->person < r->index);
			FUZZ_CHECK(!doc->rec[r->person - 1].is_note);
		}
		if (!r->is_note)
			FUZZ_CHECK(r->person == 0);
		for (int f = 0; f < CARTEL_PFIF_N_FIELDS; f++) {
			const char *v = r->value[f];
			if (v == NULL)
				continue;
			size_t n = strlen(v);
			FUZZ_CHECK(n <= CARTEL_LIMIT_FIELD);
			FUZZ_CHECK(cartel_utf8_valid(v, n));
			if (n > 0) {
				FUZZ_CHECK(!is_space(v[0]));
				FUZZ_CHECK(!is_space(v[n - 1]));
			}
		}
		const char *id = r->value[CARTEL_PFIF_PERSON_RECORD_ID];
		if (id != NULL && cartel_pfif_record_id_valid(id)) {
			const char *slash = strchr(id, '/');
			FUZZ_CHECK(slash != NULL && slash != id &&
			           slash[1] != '\0');
			for (const char *c = id; *c; c++)
				FUZZ_CHECK((unsigned char)*c > ' ');
		}
	}
	cartel_pfif_doc_free(doc);
	return 0;
}
