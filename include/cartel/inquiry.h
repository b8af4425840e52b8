/*
 * An inquiry's life: who asked, how to reach them, what they said, where
 * the inquiry stands, what happened to it, and whom to call back when a
 * person it concerns changes (src/lib/store/inquiry_store.c, the words and
 * JSON forms in src/lib/match/inquiry.c; docs/matching.md).
 *
 * The intake and the matching are in <cartel/match.h>
 * (cartel_inquiry_add, cartel_inquiry_match, cartel_review_decide); this
 * header reads an inquiry back, closes it, and keeps the call-back list.
 *
 * States: open (nothing found yet, or every candidate rejected),
 * candidate_found (at least one potential match awaits review), confirmed
 * (a person was confirmed as the man sought; the inquiry's other
 * candidates are closed), closed (with a reason; nothing more happens to
 * it). Every change is a line of the inquiry's history with who and when,
 * under the audit chain.
 *
 * Call-backs: every event written on a person who is a pending or
 * confirmed candidate of an inquiry that is not closed puts that inquiry
 * on the call-back list (the check is made where events are written, so
 * every front end gets it). A call-back is done when someone has called
 * the family (cartel_inquiry_callback_done).
 *
 * Ownership: every struct filled here is freed by its _free/_clear
 * function; every string in it is malloc'd or NULL. The JSON builders
 * return a new reference (json_decref it) or NULL when out of memory.
 */
#ifndef CARTEL_INQUIRY_H
#define CARTEL_INQUIRY_H

#include <stddef.h>

#include <jansson.h>

#include <cartel/date.h>
#include <cartel/match.h>
#include <cartel/person.h>
#include <cartel/store.h>

#ifdef __cplusplus
extern "C" {
#endif

enum cartel_inquiry_state {
	CARTEL_INQUIRY_OPEN = 0,
	CARTEL_INQUIRY_CANDIDATE_FOUND,
	CARTEL_INQUIRY_CONFIRMED,
	CARTEL_INQUIRY_CLOSED,
};

/* "open", "candidate_found", "confirmed", "closed". */
const char *cartel_inquiry_state_name(enum cartel_inquiry_state s);

/* The same in plain words ("candidate found"), in the calling thread's
 * language (<cartel/i18n.h>). */
const char *cartel_inquiry_state_text(enum cartel_inquiry_state s);

/*
 * What the person who asks says, for cartel_inquiry_record. sought holds
 * the man sought as the register would (names, birth date, birth place,
 * service number, unit; its id is ignored). Every string may be NULL.
 */
struct cartel_inquiry_request {
	const struct cartel_person *sought;
	const char *requester;       /* who asked */
	const char *relation;        /* mother, wife, brother, unit, ... */
	const char *contact;         /* how to reach them */
	const char *typed;           /* the names as they were typed */
	const char *last_seen_place;
	struct cartel_date last_seen_on;
};

/* One line of an inquiry's history. */
struct cartel_inquiry_change {
	long long seq;
	char *at, *actor;
	char *what;      /* "recorded", "candidates found", "confirmed", ... */
	char *person_id; /* the person it concerns, or NULL */
	char *detail;    /* plain words, or NULL */
};

/* One potential match of an inquiry, with where the person stands. */
struct cartel_inquiry_candidate {
	char *person_id;
	double score;
	char *band;  /* "match" or "review" */
	char *state; /* "pending", "confirmed" or "rejected" */
	char *explanation;
	char *found_at, *decided_by, *decided_at, *reason;
	char *status;      /* the person's status ("confirmed_captive") */
	char *held_by;     /* the detaining party, or NULL */
	char *status_text; /* "held by RU since 2024-03", ...; for a person
			    * merged since into another record, "merged
			    * into UA-1: held by RU since 2024-03" */
};

struct cartel_inquiry {
	char *id;
	char *created_at, *created_by;
	char *requester, *relation, *contact, *typed;
	char *family_name, *given_name, *patronymic;
	struct cartel_date birth_date;
	char *birth_place, *service_number, *unit;
	char *last_seen_place;
	struct cartel_date last_seen_on;
	enum cartel_inquiry_state state;
	char *closed_at, *closed_by, *closed_reason;
	size_t n_callbacks_due;
	/* Filled by cartel_inquiry_get only (0 and NULL in a list). */
	struct cartel_inquiry_candidate *cand;
	size_t n_cand;
	struct cartel_inquiry_change *history;
	size_t n_history;
};

void cartel_inquiry_clear(struct cartel_inquiry *q);
void cartel_inquiries_free(struct cartel_inquiry *v, size_t n);

/*
 * Records an inquiry (as cartel_inquiry_add, with who asked, their
 * relation, what they said) by actor, and matches it at once. *out_id
 * (malloc'd, "INQ-000001" ...) is set as soon as it is recorded, even when
 * the matching then fails. Ids are numbered by the register, one more
 * than the highest so far, never from the person sought. Returns 0,
 * CARTEL_EINVAL (no name, no actor) or a database error.
 */
int cartel_inquiry_record(struct cartel_db *db,
			  const struct cartel_inquiry_request *req,
			  const char *actor,
			  const struct cartel_match_opts *opts, char **out_id,
			  size_t *n_found, char **why);

/*
 * The inquiries, oldest first: only those not closed and not confirmed
 * when open_only, only those recorded on or after `since` (YYYY-MM-DD,
 * may be NULL). Each row is checked against the audit chain. Free with
 * cartel_inquiries_free. Returns 0, CARTEL_EFORMAT or CARTEL_ERANGE (since
 * is not a date, as cartel_date_parse says),
 * CARTEL_ETAMPER or a database error.
 */
int cartel_inquiry_list(struct cartel_db *db, int open_only,
			const char *since, struct cartel_inquiry **out,
			size_t *n, char **why);

/*
 * Inquiry id with its candidates (each with the person's status in plain
 * words) and its history, into *out (clear with cartel_inquiry_clear).
 * Returns 0, CARTEL_ENOTFOUND, CARTEL_ETAMPER or a database error.
 */
int cartel_inquiry_get(struct cartel_db *db, const char *id,
		       struct cartel_inquiry *out, char **why);

/*
 * Closes inquiry id for reason by actor (both required): its pending
 * candidates are closed with it (rejected, "the inquiry was closed"), its
 * call-backs leave the list. One transaction with its audit entry.
 * Returns 0, CARTEL_ENOTFOUND, CARTEL_ESTATE (already closed: *why names
 * the inquiry, when and by whom; nothing is written), CARTEL_EINVAL,
 * CARTEL_ETAMPER or a database error.
 */
int cartel_inquiry_close(struct cartel_db *db, const char *id,
			 const char *reason, const char *actor, char **why);

/* One change a family is to be told of. */
struct cartel_callback_change {
	long long seq;       /* the call-back's number */
	char *person_id;
	long long event_seq; /* the event on the person */
	char *at;            /* when the change was recorded */
	char *text;          /* "status changed: now held by RU", ... */
	int confirmed;       /* the person is the inquiry's confirmed match */
	char *done_at, *done_by;
};

/* Whom to call about one inquiry, and what to tell them. */
struct cartel_callback {
	char *inquiry_id;
	char *requester, *relation, *contact;
	enum cartel_inquiry_state state;
	struct cartel_callback_change *changes;
	size_t n_changes;
};

void cartel_callbacks_free(struct cartel_callback *v, size_t n);

/*
 * The call-backs due (every one, done too, when all), by inquiry, oldest
 * first; those of closed inquiries are left out. Free with
 * cartel_callbacks_free. Returns 0, CARTEL_ETAMPER or a database error.
 */
int cartel_inquiry_callbacks(struct cartel_db *db, int all,
			     struct cartel_callback **out, size_t *n,
			     char **why);

/*
 * Marks every call-back due on inquiry id as done by actor (the family was
 * called) and sets *n_done (may be NULL). Returns 0, CARTEL_ENOTFOUND,
 * CARTEL_ESTATE (nothing due, or the inquiry is closed), CARTEL_EINVAL,
 * CARTEL_ETAMPER or a database error.
 */
int cartel_inquiry_callback_done(struct cartel_db *db, const char *id,
				 const char *actor, size_t *n_done,
				 char **why);

/*
 * The JSON forms, for every front end: an inquiry (with "candidates" and
 * "history" when it was read by cartel_inquiry_get) and a call-back entry.
 * New references, or NULL when out of memory.
 */
json_t *cartel_inquiry_json(const struct cartel_inquiry *q);
json_t *cartel_callback_json(const struct cartel_callback *c);

/*
 * The change an event made, in words a family understands (in the calling
 * thread's language, <cartel/i18n.h>): field and
 * new_value as the event has them, *after the person with the change
 * applied, day (YYYY-MM-DD, may be NULL) when it was recorded. Never a raw
 * field dump ("status changed: now held by RU since 2024-03", "consent
 * recorded: wishes to go home"). Returns buf.
 */
char *cartel_inquiry_change_text(const char *field, const char *new_value,
				 const struct cartel_person *after,
				 const char *day, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
