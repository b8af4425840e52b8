/*
 * The charts a mediator asks for (docs/report.md), drawn by cairo as SVG
 * or PNG from the register's counts: held by each side over time, rounds
 * and their sizes, time in captivity, categories awaiting exchange,
 * inquiries matched and unmatched. `cartel report` writes them to files;
 * `cartel serve` answers them to the web app's statistics screen. Both
 * call cartel_chart_render, so the file and the screen show one chart.
 *
 * Titles, labels and the description carried in each SVG's <title> and
 * <desc> (what a screen reader says) are in the calling thread's language
 * (<cartel/i18n.h>). Public figures suppress every count from 1 to 4,
 * drawn as no bar and said "fewer than 5" (cartel_stats_suppressed, the
 * rule `cartel stats --public` applies); the scale of a public chart is
 * taken from the published counts only.
 *
 * Conventions (those of <cartel/error.h>): functions return 0 or a
 * negative enum cartel_err; `why`, when not NULL, receives a malloc'd
 * message on failure, which the caller frees. Charts hold counts only,
 * never a name.
 */
#ifndef CARTEL_REPORT_H
#define CARTEL_REPORT_H

#include <stddef.h>

#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

enum cartel_chart {
	CARTEL_CHART_HELD = 0,  /* held by each side, month by month */
	CARTEL_CHART_ROUNDS,    /* loaded rounds, persons per side */
	CARTEL_CHART_TIME_HELD, /* time in captivity, per side */
	CARTEL_CHART_AWAITING,  /* the held by category, per side */
	CARTEL_CHART_INQUIRIES, /* inquiries by state */
	CARTEL_CHART_N
};

enum cartel_chart_format {
	CARTEL_CHART_SVG = 0,
	CARTEL_CHART_PNG,
};

/* The chart's name in files and routes: "held", "rounds", "time-held",
 * "awaiting", "inquiries". Static storage; "" out of range. */
const char *cartel_chart_name(enum cartel_chart c);

/* The chart named name (as cartel_chart_name); CARTEL_ENOTFOUND with *why
 * listing the names when there is none. */
int cartel_chart_parse(const char *name, enum cartel_chart *c, char **why);

/* The chart's title in the calling thread's language (static storage):
 * the alt text of an image that shows it. */
const char *cartel_chart_title(enum cartel_chart c);

/*
 * Draws chart c from db's counts as of today into a new malloc'd *out of
 * *len bytes (the caller frees it): an SVG document (with <title> and
 * <desc>) or a PNG image. With public_figures, counts 1 to 4 are
 * suppressed (above). CARTEL_EINVAL for a chart or format out of range.
 */
int cartel_chart_render(struct cartel_db *db, enum cartel_chart c,
			enum cartel_chart_format fmt, int public_figures,
			unsigned char **out, size_t *len, char **why);

/*
 * Writes every chart as DIR/NAME.svg and DIR/NAME.png through
 * <cartel/file.h>, creating DIR (one level) when it does not exist.
 * *n_files (when not NULL) receives how many files were written. On
 * failure the files already written stay, each whole.
 */
int cartel_report_write(struct cartel_db *db, const char *dir,
			int public_figures, size_t *n_files, char **why);

#ifdef __cplusplus
}
#endif
#endif
