/*
 * gen_corpus: writes a seeded matching test corpus (docs/corpus.md):
 * DIR/left.csv (the detaining side's clerks), DIR/right.csv (the families)
 * and DIR/truth.csv (left_id,right_id of every true pair).
 *
 *   gen_corpus [--n N] [--seed S] [--out DIR] [--today YYYY-MM-DD]
 *              [--RATE P ...]
 *
 * The work is cartel_gen_corpus() in libcartel; this program only reads
 * options and opens files.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cartel/cartel.h>
#include <cartel/gen.h>

static const char usage[] =
	"usage: gen_corpus [--n N] [--seed S] [--out DIR] [--today DATE]\n"
	"                  [--only-one P] [--brother P] [--twin P] [--caps P]\n"
	"                  [--dotted-date P] [--latin P] [--diminutive P]\n"
	"                  [--family-patronymic P] [--typo P] [--swap P]\n"
	"                  [--patr-misplaced P] [--date-error P] [--missing P]\n"
	"Writes DIR/left.csv, DIR/right.csv and DIR/truth.csv (default DIR .,\n"
	"N 1000, seed 1). Each P is a probability between 0 and 1; see\n"
	"docs/corpus.md for what each rate does and its default.\n";

static int
bad(const char *fmt, const char *arg)
{
	fprintf(stderr, "gen_corpus: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", usage);
	return 2;
}

int
main(int argc, char **argv)
{
	struct cartel_corpus_opts o = {0};
	cartel_corpus_rates_default(&o.rates);
	o.seed = 1;
	o.n = 1000;
	const char *dir = ".";
	struct {
		const char *name;
		double *rate;
	} knobs[] = {
		{"--only-one", &o.rates.only_one},
		{"--brother", &o.rates.brother},
		{"--twin", &o.rates.twin},
		{"--caps", &o.rates.caps},
		{"--dotted-date", &o.rates.dotted_date},
		{"--latin", &o.rates.latin},
		{"--diminutive", &o.rates.diminutive},
		{"--family-patronymic", &o.rates.family_patronymic},
		{"--typo", &o.rates.typo},
		{"--swap", &o.rates.swap},
		{"--patr-misplaced", &o.rates.patr_misplaced},
		{"--date-error", &o.rates.date_error},
		{"--missing", &o.rates.missing},
	};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage, stdout);
			return 0;
		}
		if (i + 1 >= argc)
			return bad("%s needs a value", a);
		const char *v = argv[++i];
		char *end;
		errno = 0;
		if (strcmp(a, "--n") == 0 || strcmp(a, "--seed") == 0) {
			if (*v < '0' || *v > '9')
				return bad("not a whole number: %s", v);
			unsigned long long x = strtoull(v, &end, 10);
			if (errno || *end)
				return bad("not a whole number: %s", v);
			if (a[2] == 'n') {
				if (x == 0 || x > 50000000ULL)
					return bad("--n must be 1 to "
						   "50000000, not %s",
						   v);
				o.n = (size_t)x;
			} else {
				o.seed = x;
			}
		} else if (strcmp(a, "--out") == 0) {
			dir = v;
		} else if (strcmp(a, "--today") == 0) {
			if (cartel_date_parse(v, &o.today, NULL) != 0 ||
			    o.today.day == 0)
				return bad("--today needs YYYY-MM-DD, not %s",
					   v);
		} else {
			size_t k;
			for (k = 0; k < sizeof knobs / sizeof *knobs; k++)
				if (strcmp(a, knobs[k].name) == 0)
					break;
			if (k == sizeof knobs / sizeof *knobs)
				return bad("unknown option %s", a);
			double x = strtod(v, &end);
			if (errno || *end || end == v || !(x >= 0 && x <= 1))
				return bad("a rate is a number from 0 to 1, "
					   "not %s",
					   v);
			*knobs[k].rate = x;
		}
	}
	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "gen_corpus: cannot make %s: %s\n", dir,
			strerror(errno));
		return 1;
	}
	struct cartel_names *nd;
	char *why = NULL;
	int rc = cartel_names_load(&nd, NULL, &why);
	if (rc != 0) {
		fprintf(stderr, "gen_corpus: %s: %s\n", cartel_strerror(rc),
			why ? why : "");
		free(why);
		return 1;
	}
	const char *names[3] = {"left.csv", "right.csv", "truth.csv"};
	FILE *fp[3] = {NULL, NULL, NULL};
	char path[3][4096];
	for (int k = 0; k < 3; k++) {
		snprintf(path[k], sizeof path[k], "%.4000s/%s", dir, names[k]);
		fp[k] = fopen(path[k], "w");
		if (fp[k] == NULL) {
			fprintf(stderr, "gen_corpus: cannot write %s: %s\n",
				path[k], strerror(errno));
			rc = CARTEL_EIO;
			break;
		}
	}
	if (rc == 0)
		rc = cartel_gen_corpus(nd, &o, fp[0], fp[1], fp[2], &why);
	for (int k = 0; k < 3; k++)
		if (fp[k] != NULL && fclose(fp[k]) != 0 && rc == 0)
			rc = CARTEL_EIO;
	cartel_names_free(nd);
	if (rc != 0) {
		fprintf(stderr, "gen_corpus: %s: %s\n", cartel_strerror(rc),
			why ? why : "");
		free(why);
		for (int k = 0; k < 3; k++)
			remove(path[k]);
		return 1;
	}
	return 0;
}
