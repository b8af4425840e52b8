/*
 * Backups that cannot be made or must not be restored: no file, a short
 * passphrase, the register itself or a folder as the target; a file that
 * is no backup, an encrypted backup without its passphrase or with the
 * wrong one, its header cut, of a newer format or asking for a key
 * derivation out of range, or with data after its end. Each is refused with a reason, and the register a restore would
 * replace is left byte for byte as it was.
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
#include <sqlite3.h>

#include <cartel/backup.h>
#include <cartel/cartel.h>
#include <cartel/store.h>

static char dir[64];
static const char pass[] = "correct horse battery";

static char *
at(const char *name)
{
	static char p[4][128];
	static int i;
	i = (i + 1) % 4;
	snprintf(p[i], sizeof p[i], "%s/%s", dir, name);
	return p[i];
}

static unsigned char *
slurp(const char *path, size_t *n)
{
	FILE *in = fopen(path, "rb");
	assert_non_null(in);
	fseek(in, 0, SEEK_END);
	long len = ftell(in);
	rewind(in);
	unsigned char *b = malloc((size_t)len + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)len, in), (size_t)len);
	fclose(in);
	*n = (size_t)len;
	return b;
}

static void
spit(const char *path, const unsigned char *b, size_t n)
{
	FILE *out = fopen(path, "wb");
	assert_non_null(out);
	assert_int_equal(fwrite(b, 1, n, out), n);
	assert_int_equal(fclose(out), 0);
}

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/cartel-bkerr-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	struct cartel_db *db;
	char *why = NULL;
	if (cartel_db_open(&db, at("r.db"), CARTEL_DB_CREATE, &why) != 0)
		return -1;
	struct cartel_person p;
	memset(&p, 0, sizeof p);
	p.id = (char *)"UA-1";
	p.family_name = (char *)"Коваль";
	struct cartel_provenance prov = {"t", CARTEL_SRC_OFFICIAL_LIST, NULL,
					 NULL, NULL};
	int rc = cartel_person_add(db, &p, &prov, NULL, &why);
	if (rc == 0)
		rc = cartel_backup(db, at("plain.bak"), NULL, 0, &why);
	if (rc == 0)
		rc = cartel_backup(db, at("enc.bak"), pass, strlen(pass), &why);
	cartel_db_close(db);
	if (rc != 0)
		fprintf(stderr, "setup: %s\n", why);
	free(why);
	return rc == 0 ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
says(int rc, int code, char **why, const char *what)
{
	assert_int_equal(rc, code);
	assert_non_null(*why);
	if (strstr(*why, what) == NULL)
		fail_msg("'%s' does not say '%s'", *why, what);
	free(*why);
	*why = NULL;
}

static void
backup_refused(void **state)
{
	(void)state;
	struct cartel_db *db;
	char *why = NULL;
	assert_int_equal(cartel_db_open(&db, at("r.db"), 0, &why), 0);
	int rc = cartel_backup(db, "", NULL, 0, &why);
	says(rc, CARTEL_EINVAL, &why, "needs a file");
	rc = cartel_backup(db, at("x.bak"), "short", 5, &why);
	says(rc, CARTEL_EINVAL, &why, "too short");
	rc = cartel_backup(db, at("r.db"), NULL, 0, &why);
	says(rc, CARTEL_EINVAL, &why, "the register itself");
	assert_int_equal(mkdir(at("folder"), 0755), 0);
	rc = cartel_backup(db, at("folder"), NULL, 0, &why);
	says(rc, CARTEL_ESTATE, &why, "not a regular file");
	cartel_db_close(db);
	assert_int_equal(access(at("x.bak"), F_OK), -1);
}

static void
probe(void **state)
{
	(void)state;
	int enc = -1;
	char *why = NULL;
	assert_int_equal(cartel_backup_probe(at("plain.bak"), &enc, &why), 0);
	assert_int_equal(enc, 0);
	assert_int_equal(cartel_backup_probe(at("enc.bak"), &enc, &why), 0);
	assert_int_equal(enc, 1);
	spit(at("notes.txt"), (const unsigned char *)"not a backup\n", 13);
	int rc = cartel_backup_probe(at("notes.txt"), &enc, &why);
	says(rc, CARTEL_EFORMAT, &why, "not a cartel backup");
}

/* Restores `from` over the register and expects it refused, the register
 * unchanged. */
static void
refused(const char *from, const char *pw, int code, const char *what)
{
	size_t n0, n1;
	unsigned char *before = slurp(at("r.db"), &n0);
	char *why = NULL;
	struct cartel_restore_report rep;
	int rc = cartel_restore(from, at("r.db"), pw, pw ? strlen(pw) : 0,
				CARTEL_RESTORE_FORCE, &rep, &why);
	says(rc, code, &why, what);
	unsigned char *after = slurp(at("r.db"), &n1);
	assert_int_equal(n0, n1);
	assert_memory_equal(before, after, n0);
	free(before);
	free(after);
}

static void
restore_refused(void **state)
{
	(void)state;
	size_t n;
	unsigned char *enc = slurp(at("enc.bak"), &n);
	assert_true(n > 200);
	spit(at("notes.txt"), (const unsigned char *)"not a backup\n", 13);
	refused(at("notes.txt"), NULL, CARTEL_EFORMAT, "not a cartel backup");
	refused(at("enc.bak"), NULL, CARTEL_EINVAL, "passphrase");
	refused(at("enc.bak"), "wrong horse battery", CARTEL_ETAMPER,
		"wrong passphrase");
	/* The header cut after its name. */
	spit(at("cut-head.bak"), enc, 20);
	refused(at("cut-head.bak"), pass, CARTEL_EFORMAT, "header is cut");
	/* A format version from a newer build. */
	unsigned char *b = malloc(n);
	assert_non_null(b);
	memcpy(b, enc, n);
	b[19] = 9;
	spit(at("newer.bak"), b, n);
	refused(at("newer.bak"), pass, CARTEL_EVERSION, "format version 9");
	/* A key derivation asking for more than any backup needs. */
	memcpy(b, enc, n);
	memset(b + 24, 0x7f, 8);
	spit(at("slow.bak"), b, n);
	refused(at("slow.bak"), pass, CARTEL_EFORMAT, "out of range");
	/* Bytes after the end mark. (A changed or cut body fails as a wrong
	 * passphrase does, above; each case costs a key derivation of a
	 * quarter of a gigabyte, so the file keeps to one of them.) */
	unsigned char *longer = malloc(n + 3);
	assert_non_null(longer);
	memcpy(longer, enc, n);
	memcpy(longer + n, "xyz", 3);
	spit(at("long.bak"), longer, n + 3);
	/* Only when the copy's last chunk is a full one can the bytes be
	 * told from the end mark; after a shorter last chunk they fail its
	 * authentication. Either way the restore is refused. */
	if ((n - 80) % (65536 + 17) == 0)
		refused(at("long.bak"), pass, CARTEL_EFORMAT,
			"after its end mark");
	else
		refused(at("long.bak"), pass, CARTEL_ETAMPER, "damaged");
	free(longer);
	free(b);
	free(enc);
	/* Without --force an existing register is never replaced. */
	char *why = NULL;
	struct cartel_restore_report rep;
	int rc = cartel_restore(at("plain.bak"), at("r.db"), NULL, 0, 0, &rep,
				&why);
	says(rc, CARTEL_EEXIST, &why, "r.db");
}

static void
sql_on(const char *path, const char *q)
{
	sqlite3 *s = NULL;
	assert_int_equal(sqlite3_open(path, &s), SQLITE_OK);
	assert_int_equal(sqlite3_exec(s, q, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(s);
}

static void
copies_that_do_not_hold(void **state)
{
	(void)state;
	char *why = NULL;
	struct cartel_restore_report rep;
	int enc = 0;
	int rc = cartel_restore(at("plain.bak"), "", NULL, 0, 0, &rep, &why);
	says(rc, CARTEL_EINVAL, &why, "");
	rc = cartel_restore(at("missing.bak"), at("n.db"), NULL, 0, 0, &rep,
			    &why);
	assert_true(rc < 0);
	assert_non_null(why);
	free(why);
	why = NULL;
	rc = cartel_backup_probe(at("missing.bak"), &enc, &why);
	assert_true(rc < 0);
	assert_non_null(why);
	free(why);
	why = NULL;
	spit(at("empty.bak"), (const unsigned char *)"", 0);
	rc = cartel_backup_probe(at("empty.bak"), &enc, &why);
	says(rc, CARTEL_EFORMAT, &why, "not a cartel backup");
	/* A copy changed behind its back: its chain does not hold. */
	size_t n;
	unsigned char *b = slurp(at("plain.bak"), &n);
	spit(at("changed.bak"), b, n);
	free(b);
	sql_on(at("changed.bak"),
	       "UPDATE persons SET family_name = 'Other' WHERE id = 'UA-1'");
	refused(at("changed.bak"), NULL, CARTEL_ETAMPER, "");
	/* An SQLite file that is not a register. */
	sql_on(at("other.db"), "CREATE TABLE t (x); INSERT INTO t VALUES (1)");
	refused(at("other.db"), NULL, CARTEL_EFORMAT, "");
	assert_int_equal(access(at("n.db"), F_OK), -1);
	/* No path at all; a folder where a backup should be; a file too
	 * short to say what it is. */
	rc = cartel_restore(NULL, at("n.db"), NULL, 0, 0, &rep, &why);
	says(rc, CARTEL_EINVAL, &why, "");
	assert_int_equal(mkdir(at("a-folder"), 0755), 0);
	rc = cartel_backup_probe(at("a-folder"), &enc, &why);
	assert_true(rc < 0);
	assert_non_null(why);
	free(why);
	why = NULL;
	rc = cartel_restore(at("a-folder"), at("n.db"), NULL, 0, 0, &rep,
			    &why);
	assert_true(rc < 0);
	assert_non_null(why);
	free(why);
	why = NULL;
	spit(at("tiny.bak"), (const unsigned char *)"car", 3);
	rc = cartel_backup_probe(at("tiny.bak"), &enc, &why);
	says(rc, CARTEL_EFORMAT, &why, "not a cartel backup");
	refused(at("tiny.bak"), NULL, CARTEL_EFORMAT, "");
	/* A restore over a file that is not a register replaces nothing. */
	spit(at("notes.db"), (const unsigned char *)"my notes\n", 9);
	rc = cartel_restore(at("plain.bak"), at("notes.db"), NULL, 0,
			    CARTEL_RESTORE_FORCE, &rep, &why);
	assert_true(rc < 0);
	assert_non_null(why);
	free(why);
	why = NULL;
	size_t n2;
	unsigned char *notes = slurp(at("notes.db"), &n2);
	assert_int_equal(n2, 9);
	assert_memory_equal(notes, "my notes\n", 9);
	free(notes);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(backup_refused),
		cmocka_unit_test(probe),
		cmocka_unit_test(restore_refused),
		cmocka_unit_test(copies_that_do_not_hold),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
