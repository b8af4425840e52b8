/*
 * cartel generate: write a generated register as the import CSV.
 * cartel demo: build a realistic register from the generator and print what
 * a mediator reads first.
 *
 * Both only parse arguments and call libcartel (the generator in
 * <cartel/gen.h>, the import and the statistics in <cartel/store.h>).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cartel/cartel.h>
#include <cartel/gen.h>
#include <cartel/store.h>

#include "cli.h"

/* The actor recorded on every event of a demo register; a register whose
 * first person was recorded by any other actor is never replaced. */
#define DEMO_ACTOR "cartel demo"
#define DEMO_PER_SIDE 10000

static int
parse_count(const char *cmd, const char *opt, const char *s,
	    unsigned long long max, unsigned long long *out)
{
	char *end;
	errno = 0;
	if (*s < '0' || *s > '9')
		return cli_usage(cmd, "%s needs a whole number, not '%s'", opt,
				 s);
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return cli_usage(cmd, "%s needs a whole number up to %llu, not "
				      "'%s'",
				 opt, max, s);
	*out = v;
	return 0;
}

/* Options shared by generate and demo. */
struct gen_args {
	struct cartel_gen_opts gen;
	const char *out;
	char parties[2][16];
};

static int
parse_args(struct cli *cli, const char *cmd, int argc, char **argv,
	   struct gen_args *a, int allow_out)
{
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		int r = cli_common_opt(cli, cmd, argc, argv, &i);
		if (r == 1)
			continue;
		if (r != 0)
			return r;
		int has_value = strcmp(s, "--per-side") == 0 ||
				strcmp(s, "--seed") == 0 ||
				strcmp(s, "--today") == 0 ||
				strcmp(s, "--parties") == 0 ||
				(allow_out && strcmp(s, "-o") == 0);
		if (!has_value)
			return cli_usage(cmd, "unexpected argument '%s'", s);
		if (i + 1 >= argc)
			return cli_usage(cmd, "%s needs a value", s);
		const char *v = argv[++i];
		unsigned long long n;
		if (strcmp(s, "--per-side") == 0) {
			if ((r = parse_count(cmd, s, v, 100000000ULL, &n)))
				return r;
			if (n == 0)
				return cli_usage(cmd, "--per-side must be at "
						      "least 1");
			a->gen.per_side = (size_t)n;
		} else if (strcmp(s, "--seed") == 0) {
			if ((r = parse_count(cmd, s, v, ~0ULL, &n)))
				return r;
			a->gen.seed = n;
		} else if (strcmp(s, "--parties") == 0) {
			/* A,B: two party codes, A's clerks writing Ukrainian
			 * and B's Russian. */
			const char *comma = strchr(v, ',');
			size_t la = comma ? (size_t)(comma - v) : 0;
			size_t lb = comma ? strlen(comma + 1) : 0;
			if (comma == NULL || la == 0 || lb == 0 || la > 15 ||
			    lb > 15 || strchr(comma + 1, ','))
				return cli_usage(cmd, "--parties needs two "
						      "codes A,B of at most "
						      "15 bytes");
			memcpy(a->parties[0], v, la);
			a->parties[0][la] = '\0';
			memcpy(a->parties[1], comma + 1, lb);
			a->parties[1][lb] = '\0';
			if (strcmp(a->parties[0], a->parties[1]) == 0)
				return cli_usage(cmd, "--parties needs two "
						      "different codes");
			a->gen.party_a = a->parties[0];
			a->gen.party_b = a->parties[1];
		} else if (strcmp(s, "--today") == 0) {
			char *why = NULL;
			if (cartel_date_parse(v, &a->gen.today, &why) != 0 ||
			    a->gen.today.day == 0) {
				free(why);
				return cli_usage(cmd, "--today needs a full "
						      "date (YYYY-MM-DD)");
			}
		} else {
			a->out = v;
		}
	}
	return 0;
}

static int
load_names(struct cartel_names **nd)
{
	char *why = NULL;
	int rc = cartel_names_load(nd, NULL, &why);
	if (rc != 0)
		return cli_error(rc, why, "loading the name data");
	return 0;
}

int
cmd_generate(struct cli *cli, int argc, char **argv)
{
	struct gen_args a = {0};
	int r = parse_args(cli, "generate", argc, argv, &a, 1);
	if (r != 0)
		return r;
	struct cartel_names *nd;
	if ((r = load_names(&nd)) != 0)
		return r;
	/* Written beside the target and renamed (<cartel/file.h>), so that a
	 * failure never leaves half a file under the wanted name. */
	struct cli_out out;
	if (cli_out_open(&out, a.out, 0) != 0) {
		cartel_names_free(nd);
		return EXIT_FAIL;
	}
	char *why = NULL;
	int rc = cartel_gen_population(nd, &a.gen, out.fp, &why);
	cartel_names_free(nd);
	if (cli_out_close(&out, rc == 0) != 0 && rc == 0)
		return EXIT_FAIL;
	if (rc != 0)
		return cli_error(rc, why, "generating the register");
	return EXIT_OK;
}

/* 1 when the file starts as an SQLite database does. */
static int
is_sqlite_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (fp == NULL)
		return 0;
	char head[16];
	size_t n = fread(head, 1, sizeof head, fp);
	fclose(fp);
	return n == sizeof head && memcmp(head, "SQLite format 3", 16) == 0;
}

/*
 * May the file at path be replaced by a demo register? Only when it is
 * absent, empty, or a cartel register made by `cartel demo` (its first
 * person recorded by DEMO_ACTOR). Prints the reason and returns EXIT_FAIL
 * otherwise.
 */
static int
check_replaceable(const char *path)
{
	/* A symbolic link at the register's path is refused: the demo
	 * register would replace the link, and whoever placed it meant
	 * something else. */
	char *why_file = NULL;
	int ck = cartel_file_check(path, 0, &why_file);
	if (ck != 0)
		return cli_error(ck, why_file, "demo");
	if (access(path, F_OK) != 0)
		return 0;
	FILE *fp = fopen(path, "rb");
	if (fp == NULL)
		return cli_fail("%s exists and cannot be read: %s", path,
				strerror(errno));
	int c = fgetc(fp);
	fclose(fp);
	if (c == EOF)
		return 0; /* an empty file holds nothing to lose */
	if (!is_sqlite_file(path))
		return cli_fail("%s exists and is not a cartel register; "
				"refusing to overwrite it (choose another "
				"--db)",
				path);
	struct cartel_db *db;
	char *why = NULL;
	int rc = cartel_db_open(&db, path, CARTEL_DB_READONLY, &why);
	if (rc == CARTEL_ESTATE) {
		/* A register of an older schema cannot be read without its
		 * migrations; apply them, as any writing command would. */
		free(why);
		why = NULL;
		rc = cartel_db_open(&db, path, 0, &why);
	}
	if (rc != 0) {
		free(why);
		return cli_fail("%s exists and is not a cartel register this "
				"build can read; refusing to overwrite it "
				"(choose another --db)",
				path);
	}
	struct cartel_person *p = NULL;
	size_t n = 0;
	int demo = 0;
	rc = cartel_db_persons(db, &p, &n, &why);
	if (rc == 0 && n > 0) {
		struct cartel_event *ev = NULL;
		size_t n_ev = 0;
		if (cartel_person_events(db, p[0].id, &ev, &n_ev, NULL) == 0 &&
		    n_ev > 0 && ev[0].prov.actor != NULL &&
		    strcmp(ev[0].prov.actor, DEMO_ACTOR) == 0)
			demo = 1;
		cartel_events_free(ev, n_ev);
	}
	free(why);
	cartel_persons_free(p, n);
	cartel_db_close(db);
	if (!demo)
		return cli_fail("%s is a cartel register not made by 'cartel "
				"demo'; refusing to replace it (choose "
				"another --db)",
				path);
	return 0;
}

static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
unlink_db(const char *path)
{
	size_t n = strlen(path) + 8;
	char *buf = malloc(n);
	unlink(path);
	if (buf == NULL)
		return;
	snprintf(buf, n, "%s-wal", path);
	unlink(buf);
	snprintf(buf, n, "%s-shm", path);
	unlink(buf);
	free(buf);
}

int
cmd_demo(struct cli *cli, int argc, char **argv)
{
	struct gen_args a = {0};
	a.gen.per_side = DEMO_PER_SIDE;
	int r = parse_args(cli, "demo", argc, argv, &a, 0);
	if (r != 0)
		return r;
	const char *path = cli->db_path;
	if (strlen(path) > 4000)
		return cli_fail("the --db path is too long");
	if ((r = check_replaceable(path)) != 0)
		return r;
	double t0 = now_s();

	struct cartel_names *nd;
	if ((r = load_names(&nd)) != 0)
		return r;
	FILE *csv = tmpfile();
	if (csv == NULL) {
		cartel_names_free(nd);
		return cli_fail("cannot make a temporary file: %s",
				strerror(errno));
	}
	char *why = NULL;
	if (a.gen.today.year == 0) {
		a.gen.today = cartel_date_today();
	} else {
		/* The statistics measure time held to the same day. */
		char d[16];
		setenv("CARTEL_TODAY",
		       cartel_date_format(&a.gen.today, d, sizeof d), 1);
	}
	int rc = cartel_gen_population(nd, &a.gen, csv, &why);
	cartel_names_free(nd);
	if (rc != 0) {
		fclose(csv);
		return cli_error(rc, why, "generating the register");
	}
	rewind(csv);
	double t1 = now_s();

	/* Build the new register beside the old one and swap it in only
	 * when complete, so that a failure leaves the old one untouched. */
	char tmp[4200];
	snprintf(tmp, sizeof tmp, "%.4000s.demo-tmp", path);
	unlink_db(tmp);
	struct cartel_db *db;
	rc = cartel_db_open(&db, tmp, CARTEL_DB_CREATE, &why);
	if (rc != 0) {
		fclose(csv);
		return cli_error(rc, why, "creating the demo register");
	}
	struct cartel_import_opts io = {0};
	io.actor = DEMO_ACTOR;
	struct cartel_import_result res = {0};
	rc = cartel_import_csv(db, csv, "generated register", &io, &res,
			       &why);
	fclose(csv);
	if (rc == 0 && res.rejected != 0)
		rc = CARTEL_EINVAL, why = NULL;
	size_t imported = res.imported, rejected = res.rejected;
	cartel_import_result_clear(&res);
	cartel_db_close(db);
	if (rc != 0) {
		unlink_db(tmp);
		if (rejected)
			return cli_fail("the generator wrote %zu rows the "
					"register rejects; nothing replaced",
					rejected);
		return cli_error(rc, why, "importing the demo register");
	}
	unlink_db(path);
	if (rename(tmp, path) != 0) {
		int e = errno;
		unlink_db(tmp);
		return cli_fail("cannot move the demo register to %s: %s",
				path, strerror(e));
	}
	double t2 = now_s();

	rc = cli_open_db(cli, CARTEL_DB_READONLY, &db);
	if (rc != 0)
		return rc;
	/* In JSON mode stdout carries the statistics alone. */
	FILE *info = cli->json ? stderr : stdout;
	char today[16];
	fprintf(info,
		_("cartel demo: a generated register of %zu captives (%zu "
		  "held by each of %s and %s, seed %llu, reference date %s) "
		  "in %s\n\n"),
		imported, a.gen.per_side,
		a.gen.party_a ? a.gen.party_a : "UA",
		a.gen.party_b ? a.gen.party_b : "RU", a.gen.seed,
		cartel_date_format(&a.gen.today, today, sizeof today), path);
	fflush(info);
	rc = cli_stats_print(cli, db);
	cartel_db_close(db);
	double t3 = now_s();
	fprintf(info,
		_("\ntime: %.2f s (generate %.2f s, import with validation and "
		  "audit %.2f s, statistics %.2f s)\n"),
		t3 - t0, t1 - t0, t2 - t1, t3 - t2);
	return rc;
}
