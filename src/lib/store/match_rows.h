/*
 * The store's interface for the match module (src/lib/match/search.c and
 * review.c): the rows a search, an inquiry and a review read and write.
 * What they mean (a search's ranking, when an inquiry is matched, what a
 * confirmation does) is the match module's; these only read and write rows
 * and check them against the audit's row ledger. Only match/ includes this
 * header (scripts/check-layers.sh).
 *
 * store_int.h includes this header, so the store's own files see both
 * declarations of each function and the compiler holds them equal.
 */
#ifndef CARTEL_STORE_MATCH_ROWS_H
#define CARTEL_STORE_MATCH_ROWS_H

#include <stddef.h>

#include <cartel/inquiry.h>
#include <cartel/match.h>
#include <cartel/person.h>
#include <cartel/store.h>

/* ---- The handle ---- */

/* The register's file name, or NULL (in memory). Borrowed from the handle. */
const char *cartel__db_path(struct cartel_db *db);
/* 1 inside a write transaction (the caller's or cartel's own). */
int cartel__db_in_write(struct cartel_db *db);
/* A write transaction, or the caller's: *own says which; end it with
 * cartel__db_write_end, which commits when err is 0 and rolls back
 * otherwise, and returns err or the commit's error. */
int cartel__db_write_begin(struct cartel_db *db, int *own, char **why);
int cartel__db_write_end(struct cartel_db *db, int own, int err, char **why);
/* The time now, ISO 8601 UTC, into buf (at least 32 bytes); returns buf. */
const char *cartel__now(char *buf, size_t size);
/* A read transaction, unless the caller has one (then *own is 0): what is
 * read until cartel__db_read_end is one state of the register. */
int cartel__db_read_begin(struct cartel_db *db, int *own, char **why);
void cartel__db_read_end(struct cartel_db *db, int own, int err);

/* Which file, as last written: a file changed in place (cut short by a
 * disk tool) must not be read through an old mapping. */
struct cartel__file_id {
	unsigned long long dev, ino, size;
	long long mtime_s, mtime_ns;
	/* The change time too: a file edited in place and its time set
	 * back (touch -d) still shows a new ctime. */
	long long ctime_s, ctime_ns;
	int ok;
};

/* The last search index a handle mapped from its file, kept for the next
 * search while the register stays in the same state (a process that keeps
 * the register open, such as a server, then maps it once). Owned by the
 * handle; freed by cartel_db_close. */
struct cartel__search_cache {
	struct cartel_match_index *ix;
	char *path;
	char stamp[128];
	struct cartel__file_id file;
};
struct cartel__search_cache *cartel__db_search_cache(struct cartel_db *db);

/* ---- A search's reads (search_store.c) ---- */

/* The register's state as far as the persons go, as text into out: the
 * highest person key, the last event and the audit entry that covers it.
 * Returns 0 or a database error. */
int cartel__search_stamp(struct cartel_db *db, char *out, size_t size,
			 char **why);
/* The number of persons not merged into another record. */
int cartel__search_count(struct cartel_db *db, size_t *n, char **why);

/* cartel_db_persons, adding each person read to pg (core/why.h; may be
 * NULL): the search index's build counts them. */
struct cartel__progress;
int cartel__db_persons_pg(struct cartel_db *db, struct cartel_person **out,
			  size_t *n_out, struct cartel__progress *pg,
			  char **why);
/* The day person id's status last changed by an event of its own, into
 * *out (malloc'd, or NULL). */
int cartel__status_day(struct cartel_db *db, const char *id, char **out,
		       char **why);

/* ---- Inquiries and their potential matches (match_store.c) ---- */

/* Numbers and records a new inquiry (state open) from what the caller
 * said, at `now` by actor, with its row in the ledger and its first
 * history row; its id into id (at least 32 bytes). Inside the caller's
 * write transaction. Returns 0 or a database error. */
int cartel__inquiry_insert(struct cartel_db *db,
			   const struct cartel_inquiry_request *req,
			   const char *actor, const char *now, char *id,
			   size_t id_size, char **why);

/* One inquiry as a search asks it: its id, and the person sought. */
struct cartel__inq {
	char *id;
	struct cartel_person q;
};

/* Inquiry id, or every open one when id is NULL, each checked against the
 * ledger. *out (free with cartel__inquiries_free) is empty when none is
 * open. CARTEL_ENOTFOUND for an id not recorded, CARTEL_ESTATE for one
 * confirmed or closed, CARTEL_ETAMPER for a row that does not hold. */
int cartel__inquiries_load(struct cartel_db *db, const char *id,
			   struct cartel__inq **out, size_t *n, char **why);
void cartel__inquiries_free(struct cartel__inq *v, size_t n);

/* Keeps the hits of one inquiry as its potential matches, found at now;
 * a person already kept for it is left as it was. *added: how many are
 * new. Returns 0 or a database error. */
int cartel__candidates_keep(struct cartel_db *db, const char *inquiry_id,
			    const struct cartel_search_hit *hits, size_t n,
			    const char *now, size_t *added, char **why);

/* Every potential match (all) or the pending ones, by inquiry then
 * score, each checked against the ledger. */
int cartel__candidates_list(struct cartel_db *db, int all,
			    struct cartel_review_item **out, size_t *n,
			    char **why);

/* The state of person_id's potential match for inquiry_id and the
 * inquiry's state (both malloc'd; NULL for a column without one).
 * CARTEL_ENOTFOUND when there is no such potential match. */
int cartel__candidate_get(struct cartel_db *db, const char *inquiry_id,
			  const char *person_id, char **state,
			  char **inquiry_state, char **why);

/* Sets one potential match's decision (state, who, when, why). */
int cartel__candidate_decide(struct cartel_db *db, const char *inquiry_id,
			     const char *person_id, const char *state,
			     const char *actor, const char *at,
			     const char *reason, char **why);

/* The persons of inquiry_id's pending potential matches other than
 * person_id (a malloc'd array of malloc'd ids, even on failure, with *n
 * filled so far). */
int cartel__candidates_others(struct cartel_db *db, const char *inquiry_id,
			      const char *person_id, char ***out, size_t *n,
			      char **why);

/* 0 when the row of a potential match, or of an inquiry, holds against
 * the audit's row ledger; CARTEL_ETAMPER naming it when it does not. */
int cartel__candidate_held(struct cartel_db *db, const char *inquiry_id,
			   const char *person_id, char **why);
int cartel__inquiry_held(struct cartel_db *db, const char *inquiry_id,
			 char **why);

/* 1 into *yes when inquiry_id is open and waits on its potential matches
 * (so that it opens again when the last is rejected). */
int cartel__inquiry_waiting(struct cartel_db *db, const char *inquiry_id,
			    int *yes, char **why);

/* See store_int.h. */
int cartel__inquiry_history(struct cartel_db *db, const char *id,
			    const char *at, const char *actor,
			    const char *what, const char *person_id,
			    const char *detail, char **why);
int cartel__inquiry_set_state(struct cartel_db *db, const char *id,
			      const char *state, char **why);

#endif
