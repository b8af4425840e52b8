/*
 * Allocation failures for the unit tests (test_nomem*.c): the program's
 * malloc, calloc, realloc, strdup and strndup are replaced, and jansson's
 * allocator with them, so that the Nth allocation made by cartel's own code
 * (and jansson's), and every one after it, fails. nomem_each_failure runs
 * an operation once per such allocation until it gets through.
 *
 * AddressSanitizer's allocator cannot be replaced: under it nomem_skipped()
 * is true and the tests say so and pass.
 */
#ifndef CARTEL_TEST_NOMEM_H
#define CARTEL_TEST_NOMEM_H

/* An operation under test: returns 0 or a negative cartel_err, and on
 * success writes a text summary of its result into out (malloc'd), which
 * is compared with the summary of a run without failures. */
typedef int (*nomem_op)(void *ctx, char **out);

/* Called after each failed run (walk 0), after every 16th and the first
 * (walk 1), and after the loop (walk 1): the place to reopen a register as
 * the next command would, and with walk to check its audit chain. */
typedef void (*nomem_after)(void *ctx, int walk);

/* 1 when allocations cannot be refused (the ASan build). */
int nomem_skipped(void);

/* Makes jansson allocate through the refusing allocator. */
void nomem_init(void);

/* A copy of s made with failures held off: for the summary of an
 * operation that has already committed, which cannot be undone. */
char *nomem_keep(const char *s);

/* Holds failures off until nomem_release (for what a caller does with a
 * result after the change has committed, which cannot be undone); returns
 * what nomem_release needs. */
long nomem_hold(void);
void nomem_release(long held);

/*
 * Runs op until it gets through, with allocation N failing on run N. Each
 * failed run must return a negative error and no summary; a run in which
 * a refused allocation could be done without must give the full result.
 * With `once` the operation can succeed only once (loading a round): there
 * is no run without failures beforehand, and the run that gets through
 * proves that no failed run left part of it behind. after may be NULL.
 * The environment's NOMEM_STRIDE=k refuses only every kth allocation.
 */
void nomem_each_failure(nomem_op op, void *ctx, int once, nomem_after after,
			void *after_ctx);

#endif
