/*
 * The one safe file writer (core/file.c) when writing cannot go as asked:
 * no file name, a folder or a device where the file should be, a folder
 * that does not exist, a full disk, a file or a link put at the target
 * while it is written. Each time the call says why with the path, the
 * target is left as it was, and no temporary is left beside it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <dirent.h>

#include <cartel/error.h>
#include <cartel/file.h>

static char dir[64];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/cartel-file-XXXXXX");
	return mkdtemp(dir) != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The number of names in the test folder: a temporary left behind shows. */
static int
names(void)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* why is read after the call that fills it (an argument's value could be
 * taken before the call runs). */
static void
expect_why(int rc, int code, char **why, const char *says)
{
	assert_int_equal(rc, code);
	assert_non_null(*why);
	if (strstr(*why, says) == NULL)
		fail_msg("'%s' does not say '%s'", *why, says);
	free(*why);
	*why = NULL;
}

/* name in the test folder; two may be held at once. */
static char *
in_dir(const char *name)
{
	static char p[2][128];
	static int i;
	i = !i;
	snprintf(p[i], sizeof p[i], "%s/%s", dir, name);
	return p[i];
}

static void
no_name(void **state)
{
	(void)state;
	struct cartel_file *f = (struct cartel_file *)1;
	char *why = NULL;
	expect_why(cartel_file_open(&f, "", 0, &why), CARTEL_EINVAL, &why,
		   "needs a file name");
	assert_null(f);
	why = NULL;
	expect_why(cartel_file_open(&f, in_dir("sub/"), 0, &why),
		   CARTEL_EINVAL, &why, "needs a file name");
	why = NULL;
	expect_why(cartel_file_check(NULL, 0, &why), CARTEL_EINVAL, &why,
		   "needs a file name");
	assert_int_equal(names(), 0);
}

static void
not_a_file(void **state)
{
	(void)state;
	assert_int_equal(mkdir(in_dir("folder"), 0755), 0);
	char *why = NULL;
	struct cartel_file *f;
	expect_why(cartel_file_open(&f, in_dir("folder"), 0, &why),
		   CARTEL_ESTATE, &why, "is not a regular file");
	why = NULL;
	expect_why(cartel_file_check(in_dir("folder"), 0, &why), CARTEL_ESTATE,
		   &why, "is not a regular file");
	/* A path through a file, not a folder. */
	assert_int_equal(cartel_file_put(in_dir("plain"), "x", 1, 0, NULL), 0);
	why = NULL;
	int rc = cartel_file_open(&f, in_dir("plain/x"), 0, &why);
	assert_int_equal(rc, CARTEL_EIO);
	assert_non_null(strstr(why, "plain/x"));
	free(why);
	/* A folder that does not exist. */
	why = NULL;
	expect_why(cartel_file_put(in_dir("none/x.csv"), "x", 1, 0, &why),
		   CARTEL_EIO, &why, "cannot create");
	/* A device refused where the file must be new. */
	why = NULL;
	expect_why(cartel_file_open(&f, "/dev/null", CARTEL_FILE_EXCL, &why),
		   CARTEL_ESTATE, &why, "not a regular file");
	assert_int_equal(names(), 2);
}

static void
exclusive_raced(void **state)
{
	(void)state;
	/* Absent when opened, there when put in place: not overwritten. */
	struct cartel_file *f;
	char *why = NULL;
	assert_int_equal(cartel_file_open(&f, in_dir("key"), CARTEL_FILE_EXCL
					  | CARTEL_FILE_PRIVATE, &why), 0);
	assert_int_equal(cartel_file_write(f, "new", 3, &why), 0);
	assert_int_equal(cartel_file_put(in_dir("key"), "old", 3, 0, NULL), 0);
	expect_why(cartel_file_commit(f, &why), CARTEL_EEXIST, &why,
		   "already exists");
	FILE *in = fopen(in_dir("key"), "r");
	char buf[8] = {0};
	assert_non_null(in);
	assert_int_equal(fread(buf, 1, sizeof buf, in), 3);
	fclose(in);
	assert_string_equal(buf, "old");
	assert_int_equal(names(), 1);
	why = NULL;
	expect_why(cartel_file_check(in_dir("key"), CARTEL_FILE_EXCL, &why),
		   CARTEL_EEXIST, &why, "already exists");
}

static void
link_raced(void **state)
{
	(void)state;
	/* A link put at the target while the file is written is refused at
	 * commit, and what it points to is left alone. */
	assert_int_equal(cartel_file_put(in_dir("register.db"), "db", 2, 0,
					 NULL),
			 0);
	struct cartel_file *f;
	char *why = NULL;
	assert_int_equal(cartel_file_open(&f, in_dir("export.csv"), 0, &why),
			 0);
	FILE *fp = cartel_file_fp(f);
	assert_non_null(fp);
	fputs("id\n", fp);
	assert_int_equal(symlink(in_dir("register.db"), in_dir("export.csv")),
			 0);
	expect_why(cartel_file_commit(f, &why), CARTEL_ESTATE, &why,
		   "symbolic link");
	struct stat st;
	assert_int_equal(stat(in_dir("register.db"), &st), 0);
	assert_int_equal(st.st_size, 2);
	assert_int_equal(names(), 2);
}

static void
full_disk(void **state)
{
	(void)state;
	if (access("/dev/full", W_OK) != 0)
		skip();
	/* Written as a stream, unbuffered: the write says the disk is full,
	 * and the file can then only be given up. */
	struct cartel_file *f;
	char *why = NULL;
	assert_int_equal(cartel_file_open(&f, "/dev/full", 0, &why), 0);
	assert_null(cartel_file_tmp_path(f));
	expect_why(cartel_file_write(f, "abc", 3, &why), CARTEL_EFULL, &why,
		   "write failed");
	why = NULL;
	expect_why(cartel_file_commit(f, &why), CARTEL_EIO, &why,
		   "write failed");
	/* Through the stream the failure shows at commit, when it flushes. */
	assert_int_equal(cartel_file_open(&f, "/dev/full", 0, &why), 0);
	FILE *fp = cartel_file_fp(f);
	assert_non_null(fp);
	assert_int_equal(cartel_file_write(f, "abc", 3, &why), 0);
	why = NULL;
	expect_why(cartel_file_commit(f, &why), CARTEL_EFULL, &why, "/dev/full");
	/* A device that takes what it is given is written as it is. */
	assert_int_equal(cartel_file_put("/dev/null", "abc", 3, 0, &why), 0);
	assert_int_equal(cartel_file_open(&f, "/dev/null", 0, &why), 0);
	cartel_file_abort(f);
	cartel_file_abort(NULL);
	assert_int_equal(names(), 0);
}

static void
bare_name(void **state)
{
	(void)state;
	/* A name without a folder is written in the current folder, and the
	 * folder synced all the same. */
	char cwd[512];
	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_int_equal(chdir(dir), 0);
	char *why = NULL;
	int rc = cartel_file_put("bare.txt", "x\n", 2, 0, &why);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(rc, 0);
	struct stat st;
	assert_int_equal(stat(in_dir("bare.txt"), &st), 0);
	assert_int_equal(st.st_size, 2);
	/* The private flag keeps it to its owner. */
	assert_int_equal(cartel_file_put(in_dir("secret"), "k", 1,
					 CARTEL_FILE_PRIVATE, &why),
			 0);
	assert_int_equal(stat(in_dir("secret"), &st), 0);
	assert_int_equal(st.st_mode & 077, 0);
	/* Given up, the temporary goes and the target stays as it was. */
	struct cartel_file *f;
	assert_int_equal(cartel_file_open(&f, in_dir("bare.txt"), 0, &why), 0);
	assert_non_null(cartel_file_tmp_path(f));
	assert_string_equal(cartel_file_path(f), in_dir("bare.txt"));
	assert_true(cartel_file_fd(f) >= 0);
	assert_int_equal(cartel_file_write(f, "changed", 7, &why), 0);
	cartel_file_abort(f);
	assert_int_equal(stat(in_dir("bare.txt"), &st), 0);
	assert_int_equal(st.st_size, 2);
	assert_int_equal(names(), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(no_name, setup, teardown),
		cmocka_unit_test_setup_teardown(not_a_file, setup, teardown),
		cmocka_unit_test_setup_teardown(exclusive_raced, setup,
						teardown),
		cmocka_unit_test_setup_teardown(link_raced, setup, teardown),
		cmocka_unit_test_setup_teardown(full_disk, setup, teardown),
		cmocka_unit_test_setup_teardown(bare_name, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
