/*
 * Internal helpers for the `char **why` convention of <cartel/error.h>.
 */
#ifndef CARTEL_CORE_WHY_H
#define CARTEL_CORE_WHY_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>

#include <cartel/progress.h>

/* Formats a message into a new malloc'd *why (when why is not NULL),
 * freeing any message already there. Returns err, so that callers can write
 * `return cartel__why(why, CARTEL_EINVAL, "...", ...)`. The format is
 * translated into the calling thread's language first (docs/i18n.md:
 * scripts/po-update.sh extracts it), so it is English in the source and
 * keeps its conversions in every catalogue; values put in with %s are
 * inserted as they are. */
int cartel__why(char **why, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* As cartel__why, with a va_list (the format is translated too). */
int cartel__vwhy(char **why, int err, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* malloc'd printf; NULL when out of memory. */
char *cartel__asprintf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* strdup that accepts NULL (returns NULL). */
char *cartel__strdup(const char *s);

/*
 * How many bytes of s to print so that at most max bytes are printed and no
 * UTF-8 character is cut: for "%.*s" with a value quoted in a message.
 */
int cartel__utf8_cut(const char *s, size_t max);

/*
 * The progress of one piece of work (<cartel/progress.h>), as the library
 * keeps it. Workers add what they have done (cartel__progress_add, from any
 * thread); the calling thread reports (cartel__progress_poll), so that the
 * callback is only ever called from it, at most once per
 * CARTEL_PROGRESS_EVERY_MS. With no callback every call returns at once.
 */
struct cartel__progress {
	cartel_progress_fn fn; /* NULL: nothing to report */
	void *user;
	const char *what;
	uint64_t total;         /* 0: not known */
	_Atomic uint64_t done;
	uint64_t reported;      /* done at the last call */
	double t0, t_last;      /* monotonic seconds */
};

/* Starts the count and makes the first call (done 0). */
void cartel__progress_begin(struct cartel__progress *pg,
			    cartel_progress_fn fn, void *user,
			    const char *what, uint64_t total);

/* Adds n units done (any thread). */
void cartel__progress_add(struct cartel__progress *pg, uint64_t n);

/* Sets the units done to done when it is more (the calling thread), and
 * calls back when the last call is old enough. */
void cartel__progress_at(struct cartel__progress *pg, uint64_t done);

/* Calls back when the last call is old enough (the calling thread). */
void cartel__progress_poll(struct cartel__progress *pg);

/* The last call: done and total both set to the units done (or to total
 * when that is known and more). */
void cartel__progress_end(struct cartel__progress *pg);

#endif
