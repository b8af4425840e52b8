/*
 * The progress of long work, counted by the library and reported through
 * the caller's callback at a bounded rate (<cartel/progress.h>; the
 * internal calls are in core/why.h). Counting is an atomic add, so that
 * worker threads can count what they finish; only the calling thread ever
 * reads the clock and calls back.
 */
#include <time.h>

#include "core/why.h"

static double
mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
report(struct cartel__progress *pg, uint64_t done, int last, double t)
{
	struct cartel_progress p;
	/* done never above a known total: an estimate that fell short
	 * grows to meet it. */
	if (pg->total != 0 && done > pg->total)
		pg->total = done;
	p.done = done;
	p.total = pg->total;
	p.what = pg->what;
	p.seconds = t - pg->t0;
	p.last = last;
	pg->reported = done;
	pg->t_last = t;
	pg->fn(pg->user, &p);
}

void
cartel__progress_begin(struct cartel__progress *pg, cartel_progress_fn fn,
		       void *user, const char *what, uint64_t total)
{
	pg->fn = fn;
	pg->user = user;
	pg->what = what;
	pg->total = total;
	atomic_init(&pg->done, 0);
	pg->reported = 0;
	pg->t0 = pg->t_last = 0;
	if (fn == NULL)
		return;
	pg->t0 = mono_now();
	report(pg, 0, 0, pg->t0);
}

void
cartel__progress_add(struct cartel__progress *pg, uint64_t n)
{
	if (pg != NULL && pg->fn != NULL)
		atomic_fetch_add_explicit(&pg->done, n, memory_order_relaxed);
}

void
cartel__progress_poll(struct cartel__progress *pg)
{
	if (pg == NULL || pg->fn == NULL)
		return;
	uint64_t done = atomic_load_explicit(&pg->done, memory_order_relaxed);
	if (done <= pg->reported)
		return;
	double t = mono_now();
	if ((t - pg->t_last) * 1000.0 < CARTEL_PROGRESS_EVERY_MS)
		return;
	report(pg, done, 0, t);
}

void
cartel__progress_at(struct cartel__progress *pg, uint64_t done)
{
	if (pg == NULL || pg->fn == NULL)
		return;
	if (done > atomic_load_explicit(&pg->done, memory_order_relaxed))
		atomic_store_explicit(&pg->done, done, memory_order_relaxed);
	cartel__progress_poll(pg);
}

void
cartel__progress_end(struct cartel__progress *pg)
{
	if (pg == NULL || pg->fn == NULL)
		return;
	uint64_t done = atomic_load_explicit(&pg->done, memory_order_relaxed);
	/* The work is done: what was counted is the total (an estimate
	 * made from a file's lines is put right here). */
	if (done < pg->reported)
		done = pg->reported;
	pg->total = done;
	report(pg, done, 1, mono_now());
	pg->fn = NULL;
}
