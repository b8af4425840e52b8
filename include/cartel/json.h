/*
 * The JSON form of the register's objects, for every front end: what
 * `cartel ... --json` prints and what `cartel serve` answers are built
 * here, so that they are the same shapes (docs/api.md).
 *
 * Ownership (jansson's): every builder returns a new reference that the
 * caller json_decref()s, or NULL when out of memory.
 */
#ifndef CARTEL_JSON_H
#define CARTEL_JSON_H

#include <jansson.h>

#include <cartel/match.h>
#include <cartel/store.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One event: {"seq", "field", "old", "new", "by", "at", "source", "ref",
 * "note", "corrects"?, "corrected_by"?}; all[0..n) is the history it
 * belongs to, for the correction that may have marked it. */
json_t *cartel_event_json(const struct cartel_event *e,
			  const struct cartel_event *all, size_t n);

/*
 * The record of person `id` as `cartel person show --json` prints it:
 * {"person", "events", "version", "merged_into"?, "merged"?}. An id merged
 * into another record gives that record (and "merged_into"). "version" is
 * the seq of the newest event on the record. Sets *out, or returns
 * CARTEL_ENOTFOUND, CARTEL_ETAMPER, CARTEL_ENOMEM or a database error.
 */
int cartel_person_record_json(struct cartel_db *db, const char *id,
			      json_t **out, char **why);

/* One search hit as `cartel search --json` prints it; read_as is how the
 * typed name was read (cartel_query_reading_text). Its words (and
 * status_text) are in the calling thread's language (<cartel/i18n.h>). */
json_t *cartel_search_hit_json(const struct cartel_search_hit *h,
			       const char *read_as);

/* A potential match awaiting (or after) review, as `cartel review list
 * --json` prints it: {"inquiry_id", "person_id", "score", "band",
 * "state", "explanation", "decided_by", "decided_at", "reason"}. */
json_t *cartel_review_item_json(const struct cartel_review_item *it);

/* A loaded round's handover sheet as `cartel handover status --json`
 * prints it: {"round_id", "version", "digest", "stages": [{"stage",
 * "listed", "closed", a count per outcome, "closed_at"?}], "persons":
 * [{"id", "side", "stage", "direct", "outcome", "checked_at"?,
 * "checked_by"?, "holder_id"? (the giving party's id of a person the
 * other party gives, in a party's register)}]}. */
struct cartel_handover_status;
json_t *cartel_handover_status_json(const struct cartel_handover_status *st);

/*
 * Statistics as `cartel stats --json` prints them. With public_figures,
 * every count from 1 to 4 is the string "fewer than 5" (GC III Art. 13:
 * a small count can point at a person).
 */
json_t *cartel_stats_json(const struct cartel_stats *st, int public_figures);

/* A list document's verification as `cartel round verify --json` prints
 * it: {"ok", "round_id", "version", "kind", "digest", "manifest_ok",
 * "digest_ok", "signatures": [{"party", "fingerprint", "present",
 * "pinned", "key_is_pinned", "valid"}], "problems": [TEXT]}; ok is 1
 * when cartel_round_verify found that everything holds. */
struct cartel_round;
struct cartel_round_check;
json_t *cartel_round_check_json(const struct cartel_round *r,
				const struct cartel_round_check *chk, int ok);

/* The breaches and notes of cartel_round_rules_check: [{"rule", "note",
 * "person"?, "text"}] in the document's order. */
struct cartel_round_rules;
json_t *cartel_round_rules_json(const struct cartel_round_rules *res);

/* Two versions compared as `cartel round diff --json` prints them:
 * {"header": [{"field", "old", "new"}], "added": [{"id", "list"}],
 * "removed": [{"id", "list"}], "changed": [{"id", "old_list",
 * "new_list", "fields": [{"field", "old", "new"}]}]}. */
struct cartel_round_diff;
json_t *cartel_round_diff_json(const struct cartel_round_diff *d);

#ifdef __cplusplus
}
#endif
#endif
