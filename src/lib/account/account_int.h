/*
 * What the files of the account module share.
 */
#ifndef CARTEL_ACCOUNT_INT_H
#define CARTEL_ACCOUNT_INT_H

#include <stddef.h>

#include <cartel/account.h>

/* User `name` into *u (clear it), with its password hash (malloc'd) and
 * its failures in a row when those are not NULL. CARTEL_ENOTFOUND when
 * there is none. */
int cartel__account_user(struct cartel_db *db, const char *name,
			 struct cartel_user *u, char **pw_hash, int *failures,
			 char **why);

/*
 * For tests only, never called by cartel itself: the argon2id cost of the
 * password hashes made from now on (new and changed passwords, and the
 * hash an unknown user's sign-in is checked against, made at the first
 * such sign-in), raised to libsodium's minimum when below it. Checking a
 * password costs what its stored hash says, so a test that signs in
 * thousands of times a second (tests/fuzz/serve.c) lowers it before it
 * makes its accounts. Call it before any thread hashes.
 */
void cartel__account_hash_cost(unsigned long long ops, size_t mem);

/* 1 when db's reads are logged through a batch (access.c). */
int cartel__access_batched(struct cartel_db *db);

/* Queues one access log line on db's batch (copies the strings): 0, or
 * CARTEL_EBUSY when the queue stayed full, CARTEL_ENOMEM. */
int cartel__access_enqueue(struct cartel_db *db, const char *at,
			   const char *user, const char *role,
			   const char *action, const char *subject,
			   const char *decision, const char *address,
			   char **why);
/* A request body's member as a string (NULL when absent; CARTEL_EINVAL
 * naming it when required and absent, not a string or holding a NUL). */
int cartel__account_body_str(json_t *body, const char *key, const char **out,
			     int required, char **why);

/* CARTEL_EINVAL naming the first member of body whose key is not in keys
 * (NULL-terminated), or when body is not an object. */
int cartel__account_body_keys(json_t *body, const char *const *keys,
			      char **why);

/* Applies the rule of action a to person p for u and logs the decision
 * (subject p's id): 0, CARTEL_EDENIED with the rule in *why, or the log's
 * failure. */
int cartel__account_decide_on(struct cartel_db *db,
			      const struct cartel_user *u,
			      enum cartel_action a,
			      const struct cartel_person *p, const char *from,
			      char **why);

/* Logs a refusal of action a made before any person was read; returns
 * err, or the log's own failure. */
int cartel__account_refused(struct cartel_db *db, const struct cartel_user *u,
			    enum cartel_action a, const char *subject,
			    const char *from, int err);

#endif
