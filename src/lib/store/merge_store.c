/*
 * Merged records (<cartel/merge.h>): the person_merge table, the alias it
 * makes of a merged record's id, and the events a merge and an unmerge
 * write.
 *
 * A merge changes no field of either record: it writes note events (a
 * "merged_from" on KEEP, a "merged_into" on OTHER, a "conflict:FIELD" on
 * KEEP for each value of OTHER's that KEEP does not hold), which the
 * rebuild of a person from its events passes over, and each with the
 * record's own current source, so that the stored source (that of the
 * newest event) stays what it was. The audit's rebuild of every person from
 * its events therefore holds for both records throughout, and an unmerge
 * leaves both exactly as before the merge. What makes OTHER an alias is the
 * person_merge row alone, which the row ledger covers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cartel/error.h>
#include <cartel/limits.h>
#include <cartel/merge.h>
#include <cartel/register.h>
#include <cartel/store.h>

#include "core/intl.h"
#include "core/why.h"
#include "store/store_int.h"

#define CONFLICT_PREFIX "conflict:"
#define CONFLICT_PREFIX_LEN 9

int
cartel__event_is_note(const char *field)
{
	return field != NULL &&
	       (strcmp(field, "merged_from") == 0 ||
		strcmp(field, "merged_into") == 0 ||
		strcmp(field, "unmerged_from") == 0 ||
		strncmp(field, CONFLICT_PREFIX, CONFLICT_PREFIX_LEN) == 0);
}

/* Checks the merge row `seq` against the row ledger. */
static int
check_merge_row(struct cartel_db *db, long long seq, char **why)
{
	char key[32];
	snprintf(key, sizeof key, "%lld", seq);
	char *inner = NULL;
	int err =
		cartel__ledger_check_row(db, CARTEL__LT_MERGE, key, "", &inner);
	if (err == CARTEL_ETAMPER || err == CARTEL_ENOTFOUND)
		err = cartel__why(why, CARTEL_ETAMPER,
				  "merge record %lld cannot be trusted: %s",
				  seq, inner ? inner : _("it does not hold"));
	else if (err != 0)
		err = cartel__why(why, err, "%s",
				  inner ? inner : cartel_strerror(err));
	free(inner);
	return err;
}

/* The merge in force of record `id` into another: *seq (0 when none) and
 * *keep (malloc'd, or NULL), checked against the ledger. */
static int
merge_of(struct cartel_db *db, const char *id, long long *seq, char **keep,
	 char **why)
{
	*seq = 0;
	*keep = NULL;
	/* Cached: every read of one person comes through here. */
	sqlite3_stmt *st = cartel__db_stmt(
		db, CARTEL__ST_MERGE_OF,
		"SELECT seq, keep_id FROM person_merge "
		"WHERE other_id = ?1 AND unmerged_at IS NULL",
		why);
	if (st == NULL)
		return CARTEL_EDB;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	int err = 0;
	if (rc == SQLITE_ROW) {
		*seq = sqlite3_column_int64(st, 0);
		*keep = cartel__col_dup(st, 1);
		if (*keep == NULL)
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	} else if (rc != SQLITE_DONE) {
		err = cartel__db_err(db, rc, "reading merges", why);
	}
	sqlite3_reset(st);
	if (err == 0 && *seq > 0)
		err = check_merge_row(db, *seq, why);
	if (err != 0) {
		free(*keep);
		*keep = NULL;
		*seq = 0;
	}
	return err;
}

int
cartel__person_resolve(struct cartel_db *db, const char *id, char **keep,
		       char **why)
{
	long long seq;
	return merge_of(db, id, &seq, keep, why);
}

int
cartel_person_merged_into(struct cartel_db *db, const char *id, char **keep_id,
			  char **why)
{
	*keep_id = NULL;
	if (id == NULL)
		return cartel__why(why, CARTEL_EINVAL, "no person id");
	return cartel__person_resolve(db, id, keep_id, why);
}

/* The persons key of record `id` (no alias followed). */
static int
record_pk(struct cartel_db *db, const char *id, long long *pk, char **why)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(cartel__db_sqlite(db),
				    "SELECT pk FROM persons WHERE id = ?1", -1,
				    &st, NULL);
	if (rc != SQLITE_OK)
		return cartel__db_err(db, rc, "reading persons", why);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	int err = 0;
	if (rc == SQLITE_ROW)
		*pk = sqlite3_column_int64(st, 0);
	else if (rc == SQLITE_DONE)
		err = cartel__why(why, CARTEL_ENOTFOUND,
				  "no person with id %.64s", id);
	else
		err = cartel__db_err(db, rc, "reading persons", why);
	sqlite3_finalize(st);
	return err;
}

/* Refuses a merge of a record that others are merged into. */
static int
has_merged_into_it(struct cartel_db *db, const char *id, char **why)
{
	sqlite3_stmt *st = NULL;
	int rc =
		sqlite3_prepare_v2(cartel__db_sqlite(db),
				   "SELECT other_id FROM person_merge "
				   "WHERE keep_id = ?1 AND unmerged_at IS NULL "
				   "ORDER BY seq LIMIT 1",
				   -1, &st, NULL);
	if (rc != SQLITE_OK)
		return cartel__db_err(db, rc, "reading merges", why);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	int err = 0;
	if (rc == SQLITE_ROW)
		err = cartel__why(why, CARTEL_ESTATE,
				  "%.64s has record %.64s merged into it: "
				  "merge both into the record to keep, or "
				  "unmerge %.64s first",
				  id, (const char *)sqlite3_column_text(st, 0),
				  (const char *)sqlite3_column_text(st, 0));
	else if (rc != SQLITE_DONE)
		err = cartel__db_err(db, rc, "reading merges", why);
	sqlite3_finalize(st);
	return err;
}

/* Refuses a merge of a record listed in a loaded round whose handover of
 * him is pending: the round's list names him, and the check-off must find
 * the record it names. */
static int
in_pending_round(struct cartel_db *db, const char *a, const char *b,
		 const char *what, char **why)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(cartel__db_sqlite(db),
				    "SELECT round_id, person_id "
				    "FROM round_handover "
				    "WHERE person_id IN (?1, ?2) "
				    "AND outcome = 'pending' "
				    "ORDER BY round_id, person_id LIMIT 1",
				    -1, &st, NULL);
	if (rc != SQLITE_OK)
		return cartel__db_err(db, rc, "reading handovers", why);
	sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	int err = 0;
	if (rc == SQLITE_ROW) {
		char *round = cartel__col_dup(st, 0), *person = cartel__col_dup(st, 1);
		sqlite3_finalize(st);
		st = NULL;
		if (round == NULL || person == NULL) {
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
		} else {
			char *inner = NULL;
			err = cartel__ledger_check_row(db, CARTEL__LT_HANDOVER,
						       round, person, &inner);
			if (err == 0)
				err = cartel__why(
					why, CARTEL_ESTATE,
					"%.64s is listed in round %.64s with "
					"its handover pending: %s after "
					"the round's check-off",
					person, round, what);
			else
				err = cartel__why(
					why, err,
					"the check-off of %.64s in round "
					"%.64s cannot be trusted: %s",
					person, round,
					inner ? inner : _("it does not hold"));
			free(inner);
		}
		free(round);
		free(person);
	} else if (rc != SQLITE_DONE) {
		err = cartel__db_err(db, rc, "reading handovers", why);
	}
	sqlite3_finalize(st);
	return err;
}

/* Refuses a merge or an unmerge of a record on a round's list that is not
 * settled: proposed for exchange or on an agreed list. The round may be
 * one this register has not loaded (a proposal still travelling between
 * the parties), so the person's status is what tells; its list names him
 * by his id, which must keep naming the same record until the round is
 * done. */
static int
on_round_list(const struct cartel_person *p, const char *id,
	      const char *what, char **why)
{
	if (p->status != CARTEL_STATUS_PROPOSED &&
	    p->status != CARTEL_STATUS_AGREED)
		return 0;
	return cartel__why(why, CARTEL_ESTATE,
			   "%.64s is %s (status %s) in a round not yet "
			   "settled: %s after the round's handover, or once "
			   "he leaves its list",
			   id,
			   p->status == CARTEL_STATUS_PROPOSED
				   ? _("proposed for exchange")
				   : _("on an agreed exchange list"),
			   cartel_enum_name(CARTEL_ENUM_STATUS,
					    (int)p->status),
			   what);
}

/* One note event on record (pk, id) under audit entry `audit`, with the
 * record's own source so that the stored source stays the newest event's. */
static int
note(struct cartel_db *db, long long pk, const struct cartel_person *p,
     const char *field, const char *old_value, const char *new_value,
     const char *by, const char *reason, const char *at, long long audit,
     crypto_hash_sha256_state *hs, long long *n_events, char **why)
{
	struct cartel_provenance prov = {by, p->source, NULL, reason, at};
	int err =
		cartel__event_insert(db, pk, p->id, field, old_value, new_value,
				     &prov, at, audit, hs, NULL, NULL, why);
	if (err == 0)
		(*n_events)++;
	return err;
}

/* A "conflict:FIELD" event on KEEP for every field and extra attribute in
 * which OTHER holds a value KEEP does not. */
static int
conflicts(struct cartel_db *db, long long pk, const struct cartel_person *keep,
	  const struct cartel_person *other, const char *by, const char *at,
	  long long audit, crypto_hash_sha256_state *hs, long long *n_events,
	  size_t *n_conflicts, char **why)
{
	size_t n;
	const struct cartel_field *f = cartel_fields(&n);
	int err = 0;
	for (size_t i = 0; err == 0 && i < n; i++) {
		if (strcmp(f[i].name, "id") == 0 ||
		    strcmp(f[i].name, "source") == 0)
			continue;
		char a[CARTEL_FIELD_TEXT_MAX], b[CARTEL_FIELD_TEXT_MAX];
		const char *ta =
			cartel_person_field_text(keep, &f[i], a, sizeof a);
		const char *tb =
			cartel_person_field_text(other, &f[i], b, sizeof b);
		if (tb[0] == '\0' || strcmp(ta, tb) == 0)
			continue;
		char *field = cartel__asprintf(CONFLICT_PREFIX "%s", f[i].name);
		if (field == NULL)
			return cartel__why(why, CARTEL_ENOMEM, "out of memory");
		err = note(db, pk, keep, field, ta[0] ? ta : NULL, tb, by, NULL,
			   at, audit, hs, n_events, why);
		free(field);
		(*n_conflicts)++;
	}
	for (size_t i = 0; err == 0 && i < other->n_extra; i++) {
		const char *key = other->extra[i].key;
		const char *va = cartel_person_attr(keep, key);
		const char *vb = other->extra[i].value;
		if (vb == NULL || vb[0] == '\0' ||
		    (va != NULL && strcmp(va, vb) == 0))
			continue;
		char *field = cartel__asprintf(CONFLICT_PREFIX "attr:%s", key);
		if (field == NULL)
			return cartel__why(why, CARTEL_ENOMEM, "out of memory");
		err = note(db, pk, keep, field, va, vb, by, NULL, at, audit, hs,
			   n_events, why);
		free(field);
		(*n_conflicts)++;
	}
	return err;
}

static int
need_who_why(const char *by, const char *reason, const char *what, char **why)
{
	if (by == NULL || by[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL,
				   "%s needs who records it (--by)", _(what));
	if (reason == NULL || reason[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL,
				   "%s needs a reason (--reason)", _(what));
	if (strlen(by) > CARTEL_LIMIT_FIELD ||
	    strlen(reason) > CARTEL_LIMIT_FIELD)
		return cartel__why(why, CARTEL_ERANGE,
				   "%s: --by and --reason take at most %u "
				   "bytes each",
				   _(what), CARTEL_LIMIT_FIELD);
	return 0;
}

int
cartel_person_merge(struct cartel_db *db, const char *keep_id,
		    const char *other_id, const char *by, const char *reason,
		    size_t *n_conflicts, char **why)
{
	size_t n_conf = 0;
	if (n_conflicts != NULL)
		*n_conflicts = 0;
	if (keep_id == NULL || keep_id[0] == '\0' || other_id == NULL ||
	    other_id[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL,
				   "a merge needs two person ids");
	int err = need_who_why(by, reason, N_("a merge"), why);
	if (err != 0)
		return err;
	if (strcmp(keep_id, other_id) == 0)
		return cartel__why(why, CARTEL_EINVAL,
				   "%.64s cannot be merged into itself",
				   keep_id);
	int own;
	err = cartel__db_write_begin(db, &own, why);
	if (err != 0)
		return err;
	struct cartel_person keep = {0}, other = {0};
	long long keep_pk = 0, other_pk = 0, seq = 0, audit = 0, n_ev = 0;
	char *into = NULL;
	err = record_pk(db, keep_id, &keep_pk, why);
	if (err == 0)
		err = record_pk(db, other_id, &other_pk, why);
	if (err == 0)
		err = merge_of(db, keep_id, &seq, &into, why);
	if (err == 0 && into != NULL)
		err = cartel__why(why, CARTEL_ESTATE,
				  "%.64s is itself merged into %.64s: merge "
				  "into %.64s instead",
				  keep_id, into, into);
	if (err == 0)
		err = merge_of(db, other_id, &seq, &into, why);
	if (err == 0 && into != NULL)
		err = cartel__why(why, CARTEL_ESTATE,
				  "%.64s is already merged into %.64s",
				  other_id, into);
	if (err == 0)
		err = has_merged_into_it(db, other_id, why);
	if (err == 0)
		err = in_pending_round(db, keep_id, other_id, "merge", why);
	if (err == 0)
		err = cartel_person_get(db, keep_id, &keep, why);
	if (err == 0)
		err = cartel_person_get(db, other_id, &other, why);
	if (err == 0)
		err = on_round_list(&keep, keep_id, "merge", why);
	if (err == 0)
		err = on_round_list(&other, other_id, "merge", why);
	char now[32];
	const char *at = cartel__now(now, sizeof now);
	crypto_hash_sha256_state hs;
	crypto_hash_sha256_init(&hs);
	if (err == 0)
		err = cartel__audit_next(db, &audit, why);
	if (err == 0)
		err = note(db, keep_pk, &keep, "merged_from", NULL, other_id,
			   by, reason, at, audit, &hs, &n_ev, why);
	if (err == 0)
		err = conflicts(db, keep_pk, &keep, &other, by, at, audit, &hs,
				&n_ev, &n_conf, why);
	if (err == 0)
		err = note(db, other_pk, &other, "merged_into", NULL, keep_id,
			   by, reason, at, audit, &hs, &n_ev, why);
	char *detail = NULL;
	if (err == 0) {
		detail = cartel__asprintf("%s merged into %s, %zu conflicting "
					  "value%s",
					  other_id, keep_id, n_conf,
					  n_conf == 1 ? "" : "s");
		if (detail == NULL)
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	}
	if (err == 0)
		err = cartel__audit_close(db, audit, by, "person merge",
					  keep_id, detail, n_ev, &hs, why);
	sqlite3_stmt *st = NULL;
	if (err == 0) {
		int rc = sqlite3_prepare_v2(
			cartel__db_sqlite(db),
			"INSERT INTO person_merge (keep_id, other_id, "
			"merged_at, merged_by, reason, n_conflicts) "
			"VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
			-1, &st, NULL);
		if (rc == SQLITE_OK) {
			sqlite3_bind_text(st, 1, keep_id, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, other_id, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 3, at, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 4, by, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 5, reason, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 6, (sqlite3_int64)n_conf);
			rc = sqlite3_step(st);
		}
		if (rc != SQLITE_DONE)
			err = cartel__db_err(db, rc, "recording a merge", why);
	}
	sqlite3_finalize(st);
	if (err == 0) {
		char key[32];
		snprintf(key, sizeof key, "%lld",
			 (long long)sqlite3_last_insert_rowid(
				 cartel__db_sqlite(db)));
		err = cartel__ledger_touch(db, CARTEL__LT_MERGE, key, "", why);
	}
	if (err == 0)
		err = cartel_audit_append(db, by, "merge record", keep_id,
					  detail, why);
	free(detail);
	free(into);
	cartel_person_clear(&keep);
	cartel_person_clear(&other);
	err = cartel__db_write_end(db, own, err, why);
	if (err == 0 && n_conflicts != NULL)
		*n_conflicts = n_conf;
	return err;
}

int
cartel_person_unmerge(struct cartel_db *db, const char *other_id,
		      const char *by, const char *reason, char **keep_id,
		      char **why)
{
	if (keep_id != NULL)
		*keep_id = NULL;
	if (other_id == NULL || other_id[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL,
				   "an unmerge needs a person id");
	int err = need_who_why(by, reason, N_("an unmerge"), why);
	if (err != 0)
		return err;
	int own;
	err = cartel__db_write_begin(db, &own, why);
	if (err != 0)
		return err;
	struct cartel_person keep = {0}, other = {0};
	long long keep_pk = 0, other_pk = 0, seq = 0, audit = 0, n_ev = 0;
	char *into = NULL;
	err = record_pk(db, other_id, &other_pk, why);
	if (err == 0)
		err = merge_of(db, other_id, &seq, &into, why);
	if (err == 0 && into == NULL)
		err = cartel__why(why, CARTEL_ESTATE,
				  "%.64s is not merged into another record",
				  other_id);
	if (err == 0)
		err = record_pk(db, into, &keep_pk, why);
	if (err == 0)
		err = in_pending_round(db, into, other_id, "unmerge", why);
	if (err == 0)
		err = cartel_person_get(db, into, &keep, why);
	if (err == 0)
		err = on_round_list(&keep, into, "unmerge", why);
	char now[32];
	const char *at = cartel__now(now, sizeof now);
	crypto_hash_sha256_state hs;
	crypto_hash_sha256_init(&hs);
	if (err == 0)
		err = cartel__audit_next(db, &audit, why);
	if (err == 0)
		err = note(db, keep_pk, &keep, "unmerged_from", NULL, other_id,
			   by, reason, at, audit, &hs, &n_ev, why);
	/* The alias ends first: OTHER's own state is then what
	 * cartel_person_get reads for his id. */
	sqlite3_stmt *st = NULL;
	if (err == 0) {
		int rc = sqlite3_prepare_v2(
			cartel__db_sqlite(db),
			"UPDATE person_merge SET unmerged_at = ?2, "
			"unmerged_by = ?3, unmerge_reason = ?4 WHERE seq = ?1",
			-1, &st, NULL);
		if (rc == SQLITE_OK) {
			sqlite3_bind_int64(st, 1, seq);
			sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 3, by, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
			rc = sqlite3_step(st);
		}
		if (rc != SQLITE_DONE)
			err = cartel__db_err(db, rc, "recording an unmerge",
					     why);
	}
	sqlite3_finalize(st);
	if (err == 0)
		err = cartel_person_get(db, other_id, &other, why);
	if (err == 0)
		err = on_round_list(&other, other_id, "unmerge", why);
	if (err == 0)
		err = note(db, other_pk, &other, "unmerged_from", NULL, into,
			   by, reason, at, audit, &hs, &n_ev, why);
	char *detail = NULL;
	if (err == 0) {
		detail =
			cartel__asprintf("%s unmerged from %s", other_id, into);
		if (detail == NULL)
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	}
	if (err == 0)
		err = cartel__audit_close(db, audit, by, "person unmerge", into,
					  detail, n_ev, &hs, why);
	if (err == 0) {
		char key[32];
		snprintf(key, sizeof key, "%lld", seq);
		err = cartel__ledger_touch(db, CARTEL__LT_MERGE, key, "", why);
	}
	if (err == 0)
		err = cartel_audit_append(db, by, "unmerge record", into,
					  detail, why);
	free(detail);
	cartel_person_clear(&keep);
	cartel_person_clear(&other);
	err = cartel__db_write_end(db, own, err, why);
	if (err == 0 && keep_id != NULL)
		*keep_id = into;
	else
		free(into);
	return err;
}

void
cartel_merges_free(struct cartel_merge *m, size_t n)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(m[i].keep_id);
		free(m[i].other_id);
		free(m[i].merged_at);
		free(m[i].merged_by);
		free(m[i].reason);
		free(m[i].unmerged_at);
		free(m[i].unmerged_by);
		free(m[i].unmerge_reason);
	}
	free(m);
}

int
cartel_person_merges(struct cartel_db *db, const char *id, int all,
		     struct cartel_merge **out, size_t *n_out, char **why)
{
	*out = NULL;
	*n_out = 0;
	if (id == NULL)
		return cartel__why(why, CARTEL_EINVAL, "no person id");
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(
		cartel__db_sqlite(db),
		"SELECT seq, keep_id, other_id, merged_at, merged_by, reason, "
		"n_conflicts, unmerged_at, unmerged_by, unmerge_reason "
		"FROM person_merge WHERE (keep_id = ?1 OR other_id = ?1) "
		"AND (?2 OR unmerged_at IS NULL) ORDER BY seq",
		-1, &st, NULL);
	if (rc != SQLITE_OK)
		return cartel__db_err(db, rc, "reading merges", why);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, all != 0);
	struct cartel_merge *m = NULL;
	size_t n = 0;
	int err = 0;
	while (err == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct cartel_merge *g = realloc(m, (n + 1) * sizeof *g);
		if (g == NULL) {
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
			break;
		}
		m = g;
		struct cartel_merge *x = &m[n++];
		memset(x, 0, sizeof *x);
		x->seq = sqlite3_column_int64(st, 0);
		x->keep_id = cartel__col_dup(st, 1);
		x->other_id = cartel__col_dup(st, 2);
		x->merged_at = cartel__col_dup(st, 3);
		x->merged_by = cartel__col_dup(st, 4);
		x->reason = cartel__col_dup(st, 5);
		x->n_conflicts = sqlite3_column_int64(st, 6);
		x->unmerged_at = cartel__col_dup(st, 7);
		x->unmerged_by = cartel__col_dup(st, 8);
		x->unmerge_reason = cartel__col_dup(st, 9);
		if (x->keep_id == NULL || x->other_id == NULL)
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	}
	if (err == 0 && rc != SQLITE_DONE)
		err = cartel__db_err(db, rc, "reading merges", why);
	sqlite3_finalize(st);
	for (size_t i = 0; err == 0 && i < n; i++)
		err = check_merge_row(db, m[i].seq, why);
	if (err != 0) {
		cartel_merges_free(m, n);
		return err;
	}
	*out = m;
	*n_out = n;
	return 0;
}
