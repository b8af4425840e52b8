/*
 * Progress of long work: importing a list, linking two lists, looking for
 * duplicates, building the search index, receiving a declaration.
 *
 * The work takes an optional callback (in its options) that it calls with
 * how far it has got. Every front end shows the same numbers: the command
 * line an updating line on a terminal, a server its progress bar. The
 * library never prints; what to show, and whether, is the caller's choice.
 *
 * The calls, for one piece of work, in order:
 *   - one as the work begins (done 0);
 *   - then at most one per CARTEL_PROGRESS_EVERY_MS milliseconds, only when
 *     done has moved;
 *   - one last (last = 1, done == total) when the work has succeeded. A
 *     failed piece of work stops calling; it never makes that last call.
 * done never goes back, and is never above total while total is known.
 * The calls come from the thread that called the library (never from the
 * library's worker threads) and never two at once; the callback must not
 * call back into the library on the same register handle.
 */
#ifndef CARTEL_PROGRESS_H
#define CARTEL_PROGRESS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The least time between two calls, other than the first and the last. */
#define CARTEL_PROGRESS_EVERY_MS 100

struct cartel_progress {
	uint64_t done;    /* units done so far */
	/* Units in all. 0 while not known (a list read from a pipe). For a
	 * list read from a file it is counted from the file's lines before
	 * the first row is read: a cell that holds a line break makes it an
	 * estimate, put right on the last call. */
	uint64_t total;
	const char *what; /* the unit, a static string: "rows", "records",
			   * "persons" */
	double seconds;   /* since the work began */
	int last;         /* 1 on the last call */
};

/* Called with the progress (valid during the call only) and the pointer
 * given beside the callback. */
typedef void (*cartel_progress_fn)(void *user,
				   const struct cartel_progress *p);

#ifdef __cplusplus
}
#endif
#endif
