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

/* The exchange rules' findings (<cartel/round.h>) as `round new`, `round
 * amend`, `round sign` and `handover start` print them with --json: an
 * array of {"party" (the party whose list names him, or null), "id" (the
 * document's id, or null for the plan), "rule" (its code: "refuses",
 * "not_holder", ...), "note" (true: reported, does not refuse), "text"
 * (the sentence)}, in the document's order. Only breaches, no notes, when
 * breaches_only. */
struct cartel_round_rules;
json_t *cartel_round_rules_json(const struct cartel_round_rules *r,
				int breaches_only);

/* What `round amend` did to the balance (<cartel/round.h>): {"sides":
 * [{"party", "persons_before", "persons_after", "value_before",
 * "value_after", and under civilians_for_civilians "civilians_before",
 * "civilians_after", "value_besides_civilians_before",
 * "value_besides_civilians_after"}, ...], "balanced", "pools" (1, or 2
 * when civilians are balanced apart), "verdict" (why not, or null)}. */
struct cartel_round_balance;
json_t *cartel_round_balance_json(const struct cartel_round_balance *b);

/* A step refused for its breaches, as those commands print it on
 * standard output with --json: {"ok": false, "error": the message,
 * "breaches": cartel_round_rules_json(r, 1)}. */
json_t *cartel_round_refusal_json(const struct cartel_round_rules *r,
				  const char *error);

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

/* Two versions compared as `cartel round diff --json` prints them:
 * {"header": [{"field", "old", "new"}], "added": [{"id", "list"}],
 * "removed": [{"id", "list"}], "changed": [{"id", "old_list",
 * "new_list", "fields": [{"field", "old", "new"}]}]}. */
struct cartel_round_diff;
json_t *cartel_round_diff_json(const struct cartel_round_diff *d);

/*
 * The web app's texts in the calling thread's language (<cartel/i18n.h>):
 * {"key": "text", ...}, every text the page shows, read from the message
 * catalogue (docs/i18n.md, "The page's texts"); a text the catalogue
 * lacks is the English. Sets *out (the caller's reference) and returns 0,
 * or CARTEL_ENOMEM.
 */
int cartel_web_texts_json(json_t **out, char **why);

#ifdef __cplusplus
}
#endif
#endif
