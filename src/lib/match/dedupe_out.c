/*
 * The pairs a deduplication found, written for people and for programs:
 * one JSON document (jansson) with the field-by-field evidence, so that a clerk can decide a merge from the
 * file alone. Ownership (jansson): every json_t made here is owned by the
 * object it is set into with a *_new call, and the document by this file
 * until it is dumped and released.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <cartel/error.h>
#include <cartel/match.h>

static const char *
band_word(enum cartel_match_band b)
{
	return b == CARTEL_BAND_MATCH	 ? "match"
	       : b == CARTEL_BAND_REVIEW ? "review"
					 : "non-match";
}

/* A number rounded as the CSV writes it, so both forms agree. */
static double
round_to(double v, double unit)
{
	double r = v / unit;
	r = r < 0 ? -(double)(long long)(-r + 0.5) : (double)(long long)(r + 0.5);
	return r * unit;
}

char *
cartel_match_dups_json(const struct cartel_person *persons, size_t n,
		       const size_t *cluster, const struct cartel_match_dup *d,
		       size_t n_dups)
{
	size_t n_clusters = 0;
	for (size_t i = 0; i < n; i++)
		n_clusters += cluster[i] == i;
	json_t *pairs = json_array();
	json_t *doc = json_pack("{s:I, s:I, s:o}", "records", (json_int_t)n,
				"clusters", (json_int_t)n_clusters, "pairs",
				pairs);
	if (doc == NULL)
		return NULL;
	int bad = 0;
	for (size_t i = 0; !bad && i < n_dups; i++) {
		const struct cartel_match_dup *q = &d[i];
		json_t *ev = json_array();
		for (int f = 0; ev != NULL && f < CARTEL_MATCH_N_EVIDENCE;
		     f++) {
			const struct cartel_match_evidence *e = &q->evidence[f];
			if (json_array_append_new(
				    ev, json_pack("{s:s, s:s?, s:s?, s:s, s:f}",
						  "field", e->field, "a",
						  e->left, "b", e->right, "how",
						  e->how, "bits",
						  round_to(e->weight, 0.1))))
				bad = 1;
		}
		json_t *o = json_pack(
			"{s:s, s:s, s:s, s:f, s:f, s:s, s:o}", "a", q->a_id,
			"b", q->b_id, "cluster", persons[q->cluster].id,
			"probability", round_to(q->probability, 0.0001),
			"weight_bits", round_to(q->weight, 0.1), "band",
			band_word(q->band), "evidence", ev);
		if (o == NULL || json_array_append_new(pairs, o) != 0)
			bad = 1;
	}
	/* Ten significant digits: 23.8 bits, not 23.800000000000001. */
	char *text = bad ? NULL
			 : json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
						   JSON_REAL_PRECISION(10));
	json_decref(doc);
	return text;
}
