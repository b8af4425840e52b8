/*
 * Writing files (<cartel/file.h>) and escaping values for a terminal
 * (<cartel/term.h>): a finished file replaces its target whole, an
 * abandoned one leaves nothing, a symbolic link is never written through,
 * and no control character reaches a terminal raw.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <cartel/error.h>
#include <cartel/file.h>
#include <cartel/term.h>

static char dir[64];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/cartel-file-XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[512];
	while (d != NULL && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		unlink(p);
	}
	if (d != NULL)
		closedir(d);
	rmdir(dir);
	return 0;
}

/* How many names the folder holds. */
static int
n_entries(void)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void
slurp(const char *path, char *buf, size_t size)
{
	FILE *fp = fopen(path, "rb");
	assert_non_null(fp);
	size_t n = fread(buf, 1, size - 1, fp);
	buf[n] = '\0';
	fclose(fp);
}

static void
test_replaces_whole(void **state)
{
	(void)state;
	char path[128], buf[64];
	snprintf(path, sizeof path, "%s/out.csv", dir);
	assert_int_equal(cartel_file_put(path, "old\n", 4, 0, NULL), 0);
	struct cartel_file *f;
	assert_int_equal(cartel_file_open(&f, path, 0, NULL), 0);
	/* The temporary lives beside the target, under its name. */
	assert_int_equal(n_entries(), 2);
	fputs("new\n", cartel_file_fp(f));
	slurp(path, buf, sizeof buf);
	assert_string_equal(buf, "old\n"); /* untouched until commit */
	assert_int_equal(cartel_file_commit(f, NULL), 0);
	slurp(path, buf, sizeof buf);
	assert_string_equal(buf, "new\n");
	assert_int_equal(n_entries(), 1);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	mode_t um = umask(0);
	umask(um);
	assert_int_equal(st.st_mode & 0777, 0644 & ~um);
}

static void
test_abort_leaves_nothing(void **state)
{
	(void)state;
	char path[128], buf[64];
	snprintf(path, sizeof path, "%s/a.json", dir);
	struct cartel_file *f;
	assert_int_equal(cartel_file_open(&f, path, CARTEL_FILE_PRIVATE, NULL),
			 0);
	assert_int_equal(cartel_file_write(f, "half", 4, NULL), 0);
	cartel_file_abort(f);
	assert_int_equal(n_entries(), 0);
	assert_int_equal(access(path, F_OK), -1);
	/* An existing target is left as it was. */
	assert_int_equal(cartel_file_put(path, "kept", 4, 0, NULL), 0);
	assert_int_equal(cartel_file_open(&f, path, 0, NULL), 0);
	fputs("lost", cartel_file_fp(f));
	cartel_file_abort(f);
	slurp(path, buf, sizeof buf);
	assert_string_equal(buf, "kept");
	assert_int_equal(n_entries(), 1);
}

static void
test_never_through_a_link(void **state)
{
	(void)state;
	char canary[128], link_path[128], buf[64];
	snprintf(canary, sizeof canary, "%s/canary", dir);
	snprintf(link_path, sizeof link_path, "%s/out.csv", dir);
	assert_int_equal(cartel_file_put(canary, "canary", 6, 0, NULL), 0);
	assert_int_equal(symlink(canary, link_path), 0);
	struct cartel_file *f = NULL;
	char *why = NULL;
	assert_int_equal(cartel_file_open(&f, link_path, 0, &why),
			 CARTEL_ESTATE);
	assert_null(f);
	assert_non_null(strstr(why, "symbolic link"));
	free(why);
	assert_int_equal(cartel_file_put(link_path, "x", 1, 0, NULL),
			 CARTEL_ESTATE);
	assert_int_equal(cartel_file_check(link_path, 0, NULL),
			 CARTEL_ESTATE);
	slurp(canary, buf, sizeof buf);
	assert_string_equal(buf, "canary");
	struct stat st;
	assert_int_equal(lstat(link_path, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	/* A link put in place while the file is written: refused at
	 * commit, the canary untouched, the temporary gone. */
	char late[128];
	snprintf(late, sizeof late, "%s/late.csv", dir);
	assert_int_equal(cartel_file_open(&f, late, 0, NULL), 0);
	fputs("payload", cartel_file_fp(f));
	assert_int_equal(symlink(canary, late), 0);
	assert_int_equal(cartel_file_commit(f, NULL), CARTEL_ESTATE);
	slurp(canary, buf, sizeof buf);
	assert_string_equal(buf, "canary");
	assert_int_equal(n_entries(), 3);
	/* A folder is not a file. */
	assert_int_equal(cartel_file_put(dir, "x", 1, 0, NULL),
			 CARTEL_ESTATE);
}

static void
test_exclusive(void **state)
{
	(void)state;
	char path[128], buf[64];
	snprintf(path, sizeof path, "%s/RU.key", dir);
	assert_int_equal(cartel_file_put(path, "first", 5,
					 CARTEL_FILE_EXCL |
						 CARTEL_FILE_PRIVATE,
					 NULL),
			 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(cartel_file_put(path, "second", 6, CARTEL_FILE_EXCL,
					 NULL),
			 CARTEL_EEXIST);
	slurp(path, buf, sizeof buf);
	assert_string_equal(buf, "first");
	/* Created meanwhile: the commit refuses, nothing replaced. */
	char other[128];
	snprintf(other, sizeof other, "%s/UA.key", dir);
	struct cartel_file *f;
	assert_int_equal(cartel_file_open(&f, other, CARTEL_FILE_EXCL, NULL),
			 0);
	fputs("mine", cartel_file_fp(f));
	assert_int_equal(cartel_file_put(other, "theirs", 6, 0, NULL), 0);
	assert_int_equal(cartel_file_commit(f, NULL), CARTEL_EEXIST);
	slurp(other, buf, sizeof buf);
	assert_string_equal(buf, "theirs");
	assert_int_equal(n_entries(), 2);
}

static void
test_term_escape(void **state)
{
	(void)state;
	struct {
		const char *in, *out;
	} cases[] = {
		{"RU-000001", "RU-000001"},
		{"Шевченко Тарас", "Шевченко Тарас"},
		{"RU-1\x1b[2J", "RU-1\\x1b[2J"},
		{"a\nb\tc\x7f", "a\\x0ab\\x09c\\x7f"},
		{"csi\xc2\x9b" "31m", "csi\\u009b31m"},
		{"bad\xff\xc3", "bad\\xff\\xc3"},
		{"over\xc0\xaflong", "over\\xc0\\xaflong"},
		{"back\\x1b", "back\\\\x1b"},
		{"", ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *s = cartel_term_escape(cases[i].in);
		assert_non_null(s);
		assert_string_equal(s, cases[i].out);
		free(s);
	}
	assert_null(cartel_term_escape(NULL));
	char buf[64] = {0};
	FILE *fp = fmemopen(buf, sizeof buf, "w");
	assert_int_equal(cartel_term_fputs("x\x1b]0;t\x07y", fp), 0);
	fclose(fp);
	assert_string_equal(buf, "x\\x1b]0;t\\x07y");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_replaces_whole, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_abort_leaves_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_never_through_a_link,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_exclusive, setup,
						teardown),
		cmocka_unit_test(test_term_escape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
