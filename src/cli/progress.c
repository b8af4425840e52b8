/*
 * The progress line of long work, drawn from the numbers the library
 * reports (<cartel/progress.h>). It is for a person watching a terminal:
 * when stderr is a file or a pipe (a script, a log) nothing is written,
 * so that logs and captured output stay as they were.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* n with thousands separated by commas ("1,234,567") into buf. */
static const char *
grouped(unsigned long long n, char *buf, size_t size)
{
	char plain[32];
	int len = snprintf(plain, sizeof plain, "%llu", n);
	size_t o = 0;
	for (int i = 0; i < len && o + 2 < size; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = plain[i];
	}
	buf[o] = '\0';
	return buf;
}

/* Seconds as people say them: "45 s", "3 min 20 s", "2 h 5 min". */
static const char *
duration(double s, char *buf, size_t size)
{
	unsigned long t = (unsigned long)(s + 0.5);
	if (s < 1)
		snprintf(buf, size, "%s", _("under a second"));
	else if (t < 60)
		snprintf(buf, size, _("%lu s"), t);
	else if (t < 3600)
		snprintf(buf, size, _("%lu min %lu s"), t / 60, t % 60);
	else
		snprintf(buf, size, _("%lu h %lu min"), t / 3600,
			 t / 60 % 60);
	return buf;
}

static void
show(void *user, const struct cartel_progress *p)
{
	struct cli_progress *pl = user;
	char done[32], total[32], rate[32], left[32];
	char line[160];
	int n = snprintf(line, sizeof line, "%s: %s", pl->label,
			 grouped(p->done, done, sizeof done));
	if (p->total > 0 && n > 0 && (size_t)n < sizeof line)
		n += snprintf(line + n, sizeof line - (size_t)n,
			      /* TRANSLATORS: after the count done: the total,
			       * what is counted ("rows"), the percentage. */
			      _(" of %s %s (%llu%%)"),
			      grouped(p->total, total, sizeof total), p->what,
			      (unsigned long long)(p->done * 100 / p->total));
	else if (n > 0 && (size_t)n < sizeof line)
		n += snprintf(line + n, sizeof line - (size_t)n, " %s",
			      p->what);
	double per_s = p->seconds > 0 ? (double)p->done / p->seconds : 0;
	if (p->last && n > 0 && (size_t)n < sizeof line)
		n += snprintf(line + n, sizeof line - (size_t)n,
			      _(", done in %s"),
			      duration(p->seconds, left, sizeof left));
	else if (per_s > 0 && n > 0 && (size_t)n < sizeof line) {
		n += snprintf(line + n, sizeof line - (size_t)n,
			      _(", %s %s/s"),
			      grouped((unsigned long long)per_s, rate,
				      sizeof rate),
			      p->what);
		if (p->total > p->done && n > 0 && (size_t)n < sizeof line)
			snprintf(line + n, sizeof line - (size_t)n,
				 _(", %s left"),
				 duration((double)(p->total - p->done) / per_s,
					  left, sizeof left));
	}
	/* Back to the line's start and clear it, so that a shorter line
	 * leaves nothing of the one before. */
	fprintf(stderr, "\r\033[K%s%s", line, p->last ? "\n" : "");
	fflush(stderr);
	pl->shown = !p->last;
}

cartel_progress_fn
cli_progress(const struct cli *cli, struct cli_progress *pl,
	     const char *label)
{
	pl->label = label;
	pl->shown = 0;
	if (cli->quiet || !isatty(fileno(stderr)))
		return NULL;
	return show;
}

void
cli_progress_done(struct cli_progress *pl)
{
	if (pl->shown) {
		fputc('\n', stderr);
		fflush(stderr);
		pl->shown = 0;
	}
}
