/*
 * The refusing allocator of nomem.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "nomem.h"

#if defined(__SANITIZE_ADDRESS__)
#define NOMEM_SKIP 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NOMEM_SKIP 1
#endif
#endif

/* Allocations left before the one that fails; -1 when none is to fail. */
static long countdown = -1;
/* Set when an allocation was refused since the last arm(). */
static int tripped;

#ifndef NOMEM_SKIP
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
/* The bounds of this program's code, libcartel included (it is linked in
 * statically); SQLite, ICU and the C library are shared objects. */
extern char __executable_start, etext;

static int
refuse(void)
{
	if (countdown < 0)
		return 0;
	/* Once one allocation is refused, every later one is too, as when
	 * memory has run out; a one-off refusal lets libraries that ignore a
	 * failed append (jansson's key dump) carry on with a gap. */
	if (countdown == 0) {
		tripped = 1;
		return 1;
	}
	countdown--;
	return 0;
}

/* Only allocations that cartel's own code asks for are counted and
 * refused (and jansson's, below): the loops then run once per allocation
 * site of cartel rather than once per allocation inside SQLite, whose own
 * failures are its own test suite's business. */
static int
refuse_from(const void *caller)
{
	const char *c = caller;
	if (c < &__executable_start || c >= &etext)
		return 0;
	return refuse();
}

void *
malloc(size_t n)
{
	return refuse_from(__builtin_return_address(0)) ? NULL
							: __libc_malloc(n);
}

void *
calloc(size_t n, size_t size)
{
	return refuse_from(__builtin_return_address(0))
		       ? NULL
		       : __libc_calloc(n, size);
}

void *
realloc(void *p, size_t n)
{
	return refuse_from(__builtin_return_address(0))
		       ? NULL
		       : __libc_realloc(p, n);
}

char *
strdup(const char *s)
{
	if (refuse_from(__builtin_return_address(0)))
		return NULL;
	size_t n = strlen(s) + 1;
	char *d = __libc_malloc(n);
	return d ? memcpy(d, s, n) : NULL;
}

char *
strndup(const char *s, size_t max)
{
	if (refuse_from(__builtin_return_address(0)))
		return NULL;
	size_t n = strnlen(s, max);
	char *d = __libc_malloc(n + 1);
	if (d != NULL) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* jansson allocates through this, for the documents and JSON records
 * cartel builds. */
static void *
json_malloc(size_t n)
{
	return refuse() ? NULL : __libc_malloc(n);
}
#endif

char *
nomem_keep(const char *s)
{
	long saved = countdown;
	countdown = -1;
	char *d = strdup(s);
	countdown = saved;
	return d;
}

long
nomem_hold(void)
{
	long saved = countdown;
	countdown = -1;
	return saved;
}

void
nomem_release(long held)
{
	countdown = held;
}

static void
arm(long n)
{
	tripped = 0;
	countdown = n;
}

static void
disarm(void)
{
	countdown = -1;
}

int
nomem_skipped(void)
{
#ifdef NOMEM_SKIP
	return 1;
#else
	return 0;
#endif
}

void
nomem_init(void)
{
#ifndef NOMEM_SKIP
	json_set_alloc_funcs(json_malloc, free);
#endif
}

/* The most counted allocations any one operation here makes, with room
 * to spare; a loop that reaches it has found an operation that never
 * completes. */
#define MAX_ALLOCS 20000

void
nomem_each_failure(nomem_op op, void *ctx, int once, nomem_after after,
		   void *after_ctx)
{
	char *want = NULL;
	if (!once)
		assert_int_equal(op(ctx, &want), 0);
	/* With NOMEM_STRIDE=k only every kth allocation is refused (the
	 * first, the (k+1)th, ...): the size knob of a loop that make check
	 * runs in part and make coverage in full (docs/coverage.md). */
	long stride = 1;
	const char *knob = getenv("NOMEM_STRIDE");
	if (knob != NULL && strtol(knob, NULL, 10) > 1)
		stride = strtol(knob, NULL, 10);
	long n;
	for (n = 0; n < MAX_ALLOCS; n += stride) {
		char *got = NULL;
		arm(n);
		int rc = op(ctx, &got);
		int hit = tripped;
		disarm();
		if (!hit) {
			/* No allocation left to fail: the full result. */
			assert_int_equal(rc, 0);
			if (want != NULL)
				assert_string_equal(got, want);
			free(got);
			break;
		}
		if (rc == 0) {
			/* A refused allocation that the operation could do
			 * without must still give the full result. */
			assert_false(once && want == NULL);
			assert_string_equal(got, want);
			free(got);
		} else {
			assert_true(rc < 0);
			assert_null(got);
		}
		/* Every 16th failed run (and the first) walks the whole
		 * chain, which is what makes a loop of thousands of runs
		 * slow; the others only reopen. */
		if (after != NULL)
			after(after_ctx, n % 16 == 0);
	}
	assert_true(n < MAX_ALLOCS);
	/* How many runs each loop took, to see where a test's time goes. */
	if (getenv("NOMEM_RUNS") != NULL)
		fprintf(stderr, "  %ld runs\n", n / stride + 1);
	if (after != NULL)
		after(after_ctx, 1);
	free(want);
}
