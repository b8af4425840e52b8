/*
 * Merging two records of one man, and undoing it.
 *
 * A merge folds record OTHER into record KEEP: both keep their histories;
 * KEEP gets an event "merged_from" (and OTHER one "merged_into"); every
 * field in which OTHER holds a value that KEEP does not (a different one,
 * or one KEEP lacks) becomes a "conflict:FIELD" event on KEEP, old value
 * KEEP's, new value OTHER's, for a person to settle with an ordinary event
 * on KEEP. No field of either record changes. From then on OTHER's id is an
 * alias of KEEP: cartel_person_get and cartel_event_add act on KEEP, and
 * the whole-register reads (cartel_db_persons, the search index, plans,
 * statistics, exports, reconciliation) leave OTHER out, so that one man is
 * never counted or listed twice. An unmerge ends the alias: OTHER is a
 * record of its own again, and KEEP and OTHER are as they were, with the
 * merge and its undoing kept in their histories ("unmerged_from" events).
 * Each merge and unmerge is one transaction, with its audit entries and a
 * row of person_merge under the row ledger (docs/data-model.md).
 *
 * Conventions of <cartel/store.h>: 0 or a negative enum cartel_err, *why
 * naming the ids (never a name) on failure, the register then unchanged.
 */
#ifndef CARTEL_MERGE_H
#define CARTEL_MERGE_H

#include <stddef.h>

#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Merges record other_id into keep_id, recorded by `by` for `reason` (both
 * required: CARTEL_EINVAL). Refused, with the register unchanged:
 * CARTEL_ENOTFOUND for an unknown id; CARTEL_EINVAL for a record merged into
 * itself; CARTEL_ESTATE when either record is already merged into another,
 * when other_id has records merged into it, when either is listed in a
 * loaded round whose handover of him is still pending, or when either is
 * on a round's list not yet settled (status proposed or agreed, whether or
 * not the round is loaded here). *why names the id (and the round).
 * CARTEL_ETAMPER when a
 * merge or check-off row read to decide does not hold against the row
 * ledger. Sets *n_conflicts (may be NULL) to the number of conflict events
 * written.
 */
int cartel_person_merge(struct cartel_db *db, const char *keep_id,
			const char *other_id, const char *by,
			const char *reason, size_t *n_conflicts, char **why);

/*
 * Undoes the merge of other_id: OTHER becomes a record of its own again.
 * `by` and `reason` are required. CARTEL_ENOTFOUND for an unknown id,
 * CARTEL_ESTATE when other_id is not merged into another record, or when
 * either record is in a round not yet settled (as for a merge: a pending
 * handover, status proposed or agreed), the register unchanged. When
 * keep_id is not NULL, *keep_id receives the malloc'd id it was merged
 * into.
 */
int cartel_person_unmerge(struct cartel_db *db, const char *other_id,
			  const char *by, const char *reason, char **keep_id,
			  char **why);

/* One merge, as person_merge records it (unmerged_* NULL while it holds). */
struct cartel_merge {
	long long seq;
	char *keep_id, *other_id;
	char *merged_at, *merged_by, *reason;
	long long n_conflicts;
	char *unmerged_at, *unmerged_by, *unmerge_reason;
};

/*
 * The merges in force that involve record `id` (merged into it, or it merged
 * into another), oldest first, into a new array *out of *n (free with
 * cartel_merges_free). Each row is checked against the row ledger
 * (CARTEL_ETAMPER). With all = 1, undone merges are included too.
 */
int cartel_person_merges(struct cartel_db *db, const char *id, int all,
			 struct cartel_merge **out, size_t *n, char **why);

void cartel_merges_free(struct cartel_merge *m, size_t n);

/*
 * The id that commands act on for `id`: *keep_id receives the malloc'd id of
 * the record `id` was merged into, or NULL when it is not merged. Returns 0
 * or an error (CARTEL_ETAMPER for a merge row that does not hold).
 */
int cartel_person_merged_into(struct cartel_db *db, const char *id,
			      char **keep_id, char **why);

#ifdef __cplusplus
}
#endif
#endif
