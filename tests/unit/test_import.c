/*
 * Unit tests for the import and the export: every bad input of the import
 * CSV, all or nothing, the reject report, unknown columns, and an export
 * that imports back unchanged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <cartel/cartel.h>
#include <cartel/register.h>
#include <cartel/store.h>

#include "store/store_int.h"

static char dir[64];
static char path[128];

static void
cleanup(void)
{
	char p[160];
	const char *sfx[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof p, "%s%s", path, sfx[i]);
		unlink(p);
	}
}

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/cartel-test-import-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof path, "%s/r.db", dir);
	setenv("CARTEL_TODAY", "2025-06-15", 1);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	cleanup();
	rmdir(dir);
	return 0;
}

static struct cartel_db *
fresh(void)
{
	cleanup();
	struct cartel_db *db = NULL;
	char *why = NULL;
	if (cartel_db_open(&db, path, CARTEL_DB_CREATE, &why) != 0)
		fail_msg("open: %s", why ? why : "?");
	return db;
}

/* Imports `text` (len bytes); returns the error; the reject report goes
 * to *rejects (malloc'd) when rejects is not NULL. */
static int
import_text(struct cartel_db *db, const char *text, size_t len, int aon,
	    struct cartel_import_result *res, char **rejects, char **why)
{
	FILE *in = fmemopen((void *)text, len, "r");
	assert_non_null(in);
	char *rbuf = NULL;
	size_t rlen = 0;
	FILE *rej = open_memstream(&rbuf, &rlen);
	struct cartel_import_opts opts = {0};
	opts.all_or_nothing = aon;
	opts.rejects = rej;
	opts.actor = "tester";
	int err = cartel_import_csv(db, in, "list.csv", &opts, res, why);
	fclose(in);
	fclose(rej);
	if (rejects != NULL)
		*rejects = rbuf;
	else
		free(rbuf);
	return err;
}

static int
import_str(struct cartel_db *db, const char *text, int aon,
	   struct cartel_import_result *res, char **rejects, char **why)
{
	return import_text(db, text, strlen(text), aon, res, rejects, why);
}

static size_t
count(struct cartel_db *db)
{
	struct cartel_person *p;
	size_t n;
	assert_int_equal(cartel_db_persons(db, &p, &n, NULL), 0);
	cartel_persons_free(p, n);
	return n;
}

static void
verify_ok(struct cartel_db *db)
{
	struct cartel_audit_report rep;
	char *why = NULL;
	int err = cartel_audit_verify(db, NULL, &rep, &why);
	if (err != 0)
		fail_msg("verify: %s", why ? why : "?");
}

static const char *good =
	"ID,family_name,Given_Name,birth_date,sex,held_by,category,"
	"captured_on,health,direct_repatriation,consent,legal_hold,status,"
	"source,tattoo\n"
	"UA-1,Шевченко,Тарас,1994-03-02,m,RU,military,2023-05-01,good,no,"
	"not_asked,none,,capture_card,dragon\n"
	"UA-2,Коваль,Петро,02.03.1980,male,RU,military,2022-03,"
	"seriously_wounded,yes,willing,none,confirmed_captive,,\n"
	",,,1990,,RU,civilian,,,,,,,,\n"
	"UA-4,,,,,,,,,,,,reported_missing,family_report,\n";

static void
import_good_file(void **state)
{
	(void)state;
	struct cartel_db *db = fresh();
	struct cartel_import_result res;
	char *rej = NULL, *why = NULL;
	assert_int_equal(import_str(db, good, 0, &res, &rej, &why), 0);
	assert_int_equal(res.rows_read, 4);
	assert_int_equal(res.imported, 4);
	assert_int_equal(res.rejected, 0);
	assert_int_equal(res.n_unknown, 1);
	assert_string_equal(res.unknown_columns[0], "tattoo");
	assert_string_equal(rej, "row,column,reason\n");
	free(rej);
	cartel_import_result_clear(&res);
	struct cartel_person p;
	assert_int_equal(cartel_person_get(db, "UA-1", &p, NULL), 0);
	assert_string_equal(p.family_name, "Шевченко");
	assert_int_equal(p.sex, CARTEL_SEX_MALE);
	/* No status: held by a party means a confirmed captive. */
	assert_int_equal(p.status, CARTEL_STATUS_CONFIRMED_CAPTIVE);
	assert_int_equal(p.source, CARTEL_SRC_CAPTURE_CARD);
	assert_string_equal(cartel_person_attr(&p, "tattoo"), "dragon");
	cartel_person_clear(&p);
	assert_int_equal(cartel_person_get(db, "UA-2", &p, NULL), 0);
	assert_int_equal(p.birth_date.year, 1980);
	assert_int_equal(p.direct_repatriation, CARTEL_DIRECT_YES);
	assert_int_equal(p.source, CARTEL_SRC_OFFICIAL_LIST);
	cartel_person_clear(&p);
	assert_int_equal(cartel_person_get(db, "UA-4", &p, NULL), 0);
	assert_int_equal(p.status, CARTEL_STATUS_REPORTED_MISSING);
	cartel_person_clear(&p);
	assert_int_equal(count(db), 4);
	verify_ok(db);
	cartel_db_close(db);
}

static const char *bad =
	"id,family_name,birth_date,captured_on,sex,health,status\n"
	"A1,Adams,1990,2020,m,good,\n"         /* row 2: fine */
	"A2,Baker,2023-02-30,,,,\n"            /* 3: impossible date */
	"A3,Clark,2030-01-01,,,,\n"            /* 4: birth in the future */
	"A4,Davis,1990-05-01,1980,,,\n"        /* 5: capture before birth */
	"A5,Evans,,,x,,\n"                     /* 6: unknown sex */
	"A6,Fox,,,,,pending\n"                 /* 7: unknown status */
	"A1,Adams,,,,,\n"                      /* 8: duplicate in file */
	"A8,Gray,1990\n"                       /* 9: too few fields */
	"A9,Hill,1990,,,,,extra\n"             /* 10: too many */
	"A10,Irwin,\"1990\"x,,,,\n"            /* 11: text after quote */
	"A11,Jones,\xff\xfe,,,,\n"             /* 12: not UTF-8 */
	"A12,King,31.12.1999,,f,sick,captive\n"; /* 13: fine */

static void
bad_rows_rejected_with_reasons(void **state)
{
	(void)state;
	struct cartel_db *db = fresh();
	struct cartel_import_result res;
	char *rej = NULL;
	assert_int_equal(import_str(db, bad, 0, &res, &rej, NULL), 0);
	assert_int_equal(res.rows_read, 12);
	assert_int_equal(res.imported, 2);
	assert_int_equal(res.rejected, 10);
	const char *expect[] = {
		"3,birth_date,", "4,birth_date,", "5,captured_on,",
		"6,sex,",        "7,status,",     "8,id,",
		"9,,",           "10,,",          "11,birth_date,",
		"12,birth_date,"};
	const char *at = rej;
	for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
		const char *hit = strstr(at, expect[i]);
		if (hit == NULL)
			fail_msg("no '%s' in rejects:\n%s", expect[i], rej);
		at = hit + 1;
	}
	assert_non_null(strstr(rej, "no day 30"));
	assert_non_null(strstr(rej, "future"));
	assert_non_null(strstr(rej, "before birth_date"));
	assert_non_null(strstr(rej, "already in the register"));
	assert_non_null(strstr(rej, "has 3 fields"));
	assert_non_null(strstr(rej, "UTF-8"));
	free(rej);
	cartel_import_result_clear(&res);
	assert_int_equal(count(db), 2);
	/* The same ids again: all already in the register. */
	assert_int_equal(
		import_str(db, "id,family_name\nA1,Adams\nA12,King\nNEW,Lee\n",
			   0, &res, &rej, NULL),
		0);
	assert_int_equal(res.imported, 1);
	assert_int_equal(res.rejected, 2);
	free(rej);
	cartel_import_result_clear(&res);
	verify_ok(db);
	cartel_db_close(db);
}

static void
all_or_nothing(void **state)
{
	(void)state;
	struct cartel_db *db = fresh();
	struct cartel_import_result res;
	char *rej = NULL, *why = NULL;
	assert_int_equal(import_str(db, bad, 1, &res, &rej, &why),
			 CARTEL_EINVAL);
	assert_non_null(strstr(why, "nothing imported"));
	assert_non_null(strstr(why, "row 3"));
	assert_int_equal(res.imported, 0);
	assert_int_equal(res.rejected, 10);
	/* Every bad row is listed, not only the first. */
	assert_non_null(strstr(rej, "\n12,"));
	free(rej);
	free(why);
	cartel_import_result_clear(&res);
	assert_int_equal(count(db), 0);
	/* A clean file goes in whole. */
	assert_int_equal(import_str(db, good, 1, &res, NULL, NULL), 0);
	assert_int_equal(res.imported, 4);
	cartel_import_result_clear(&res);
	verify_ok(db);
	cartel_db_close(db);
}

static void
bom_crlf_quotes_newlines(void **state)
{
	(void)state;
	struct cartel_db *db = fresh();
	struct cartel_import_result res;
	const char *text =
		"\xEF\xBB\xBF"
		"id,family_name,notes\r\n"
		"B1,\"Smith, Jr.\",\"line one\r\nline \"\"two\"\"\"\r\n"
		"B2,O'Neil,\r\n";
	char *why = NULL;
	assert_int_equal(import_str(db, text, 1, &res, NULL, &why), 0);
	assert_int_equal(res.imported, 2);
	cartel_import_result_clear(&res);
	struct cartel_person p;
	assert_int_equal(cartel_person_get(db, "B1", &p, NULL), 0);
	assert_string_equal(p.family_name, "Smith, Jr.");
	assert_string_equal(p.notes, "line one\r\nline \"two\"");
	cartel_person_clear(&p);
	cartel_db_close(db);
}

static void
empty_file_and_header_alone(void **state)
{
	(void)state;
	struct cartel_db *db = fresh();
	struct cartel_import_result res;
	char *why = NULL;
	assert_int_equal(import_str(db, "", 0, &res, NULL, &why),
			 CARTEL_EFORMAT);
	assert_non_null(strstr(why, "empty"));
	free(why);
	why = NULL;
	cartel_import_result_clear(&res);
	assert_int_equal(
		import_str(db, "id,family_name\n", 0, &res, NULL, &why), 0);
	assert_int_equal(res.rows_read, 0);
	assert_int_equal(res.imported, 0);
	cartel_import_result_clear(&res);
	/* A header naming a column twice, or a column without a name. */
	assert_int_equal(import_str(db, "id,ID\n", 0, &res, NULL, &why),
			 CARTEL_EFORMAT);
	free(why);
	why = NULL;
	cartel_import_result_clear(&res);
	assert_int_equal(import_str(db, "id,,x\n", 0, &res, NULL, &why),
			 CARTEL_EFORMAT);
	free(why);
	cartel_import_result_clear(&res);
	assert_int_equal(count(db), 0);
	cartel_db_close(db);
}

/* A list with no name column (id,consent; id,notes) is refused whole,
 * naming the fields it did fill and the columns that would count as a
 * name; any one of those, in any language of the table, is enough. */
static void
no_name_column_refused(void **state)
{
	(void)state;
	struct cartel_db *db = fresh();
	struct cartel_import_result res;
	char *why = NULL;
	assert_int_equal(import_str(db, "id,consent\nA1,willing\n", 0, &res,
				    NULL, &why),
			 CARTEL_EFORMAT);
	assert_non_null(strstr(why, "list.csv: no column of the header is a "
				    "name (family_name, given_name, "
				    "patronymic"));
	assert_non_null(strstr(why, "2 column(s) separated by comma"));
	assert_non_null(strstr(why, "these are fields: id, consent."));
	assert_non_null(strstr(why, "give --update"));
	free(why);
	why = NULL;
	cartel_import_result_clear(&res);
	/* A header that is a row of names (no header at all) is not
	 * quoted back. */
	assert_int_equal(import_str(db, "Melnyk,Petro\nx,y\n", 0, &res, NULL,
				    &why),
			 CARTEL_EFORMAT);
	assert_non_null(strstr(why, "these are fields: none."));
	assert_null(strstr(why, "elnyk"));
	free(why);
	why = NULL;
	cartel_import_result_clear(&res);
	assert_int_equal(import_str(db, "id,notes\nA1,x\n", 1, &res, NULL,
				    &why),
			 CARTEL_EFORMAT);
	free(why);
	why = NULL;
	cartel_import_result_clear(&res);
	assert_int_equal(count(db), 0);
	/* A patronymic alone, in Russian, is a name column. */
	assert_int_equal(import_str(db, "id,Отчество\nA1,Петрович\n", 0, &res,
				    NULL, &why),
			 0);
	assert_int_equal(res.imported, 1);
	cartel_import_result_clear(&res);
	verify_ok(db);
	cartel_db_close(db);
}

static void
ten_megabyte_field(void **state)
{
	(void)state;
	struct cartel_db *db = fresh();
	size_t big = 10u << 20;
	const char *head = "id,given_name,notes\nC1,Ann,";
	const char *tail = "\nC2,Bob,short\n";
	size_t len = strlen(head) + big + strlen(tail);
	char *text = malloc(len + 1);
	assert_non_null(text);
	memcpy(text, head, strlen(head));
	memset(text + strlen(head), 'n', big);
	memcpy(text + strlen(head) + big, tail, strlen(tail) + 1);
	struct cartel_import_result res;
	char *rej = NULL;
	assert_int_equal(import_text(db, text, len, 0, &res, &rej, NULL), 0);
	assert_int_equal(res.rows_read, 2);
	assert_int_equal(res.imported, 1);
	assert_int_equal(res.rejected, 1);
	assert_non_null(strstr(rej, "2,notes,"));
	assert_non_null(strstr(rej, "longer than"));
	free(rej);
	free(text);
	cartel_import_result_clear(&res);
	struct cartel_person p;
	assert_int_equal(cartel_person_get(db, "C2", &p, NULL), 0);
	cartel_person_clear(&p);
	cartel_db_close(db);
}

static void
full_database_rolls_back(void **state)
{
	(void)state;
	struct cartel_db *db = fresh();
	struct cartel_import_result res;
	assert_int_equal(import_str(db, good, 0, &res, NULL, NULL), 0);
	cartel_import_result_clear(&res);
	sqlite3_exec(cartel__db_sqlite(db), "PRAGMA max_page_count = 1", NULL,
		     NULL, NULL);
	/* Enough rows to need new pages. */
	size_t cap = 400000, len = 0;
	char *text = malloc(cap);
	len += (size_t)snprintf(text, cap, "id,family_name,notes\n");
	for (int i = 0; len + 200 < cap; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"F%d,Fox,%0120d\n", i, i);
	char *why = NULL;
	assert_int_equal(import_text(db, text, len, 0, &res, NULL, &why),
			 CARTEL_EFULL);
	assert_non_null(strstr(why, "full"));
	assert_int_equal(res.imported, 0);
	free(why);
	free(text);
	cartel_import_result_clear(&res);
	cartel_db_close(db);
	assert_int_equal(cartel_db_open(&db, path, 0, NULL), 0);
	assert_int_equal(count(db), 4);
	verify_ok(db);
	cartel_db_close(db);
}

static void
read_only_database(void **state)
{
	(void)state;
	struct cartel_db *db = fresh();
	cartel_db_close(db);
	assert_int_equal(cartel_db_open(&db, path, CARTEL_DB_READONLY, NULL),
			 0);
	struct cartel_import_result res;
	char *why = NULL;
	assert_int_equal(import_str(db, good, 0, &res, NULL, &why),
			 CARTEL_EREADONLY);
	free(why);
	cartel_import_result_clear(&res);
	assert_int_equal(count(db), 0);
	cartel_db_close(db);
}

static char *
export_csv(struct cartel_db *db)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	assert_int_equal(cartel_export_csv(db, fp, NULL), 0);
	fclose(fp);
	return buf;
}

static void
export_imports_back_unchanged(void **state)
{
	(void)state;
	struct cartel_db *db = fresh();
	struct cartel_import_result res;
	const char *more = "id,family_name,notes,scar,given_name\n"
			   "Z1, spaced ,\"multi\nline, \"\"quoted\"\"\",left,"
			   "Ann\n"
			   "Z2,,,,\n";
	assert_int_equal(import_str(db, good, 0, &res, NULL, NULL), 0);
	cartel_import_result_clear(&res);
	assert_int_equal(import_str(db, more, 0, &res, NULL, NULL), 0);
	cartel_import_result_clear(&res);
	struct cartel_event ev = {0};
	ev.person_id = "UA-2";
	ev.field = "health";
	ev.new_value = "convalescent";
	ev.prov.actor = "tester";
	assert_int_equal(cartel_event_add(db, &ev, NULL), 0);
	char *first = export_csv(db);
	/* Attribute columns in name order, the order they import back in. */
	assert_non_null(strstr(first, ",scar,tattoo\n"));
	cartel_db_close(db);

	/* Into a fresh register, and out again. */
	db = fresh();
	char *why = NULL;
	assert_int_equal(import_str(db, first, 1, &res, NULL, &why), 0);
	assert_int_equal(res.imported, 6);
	cartel_import_result_clear(&res);
	char *second = export_csv(db);
	assert_string_equal(first, second);
	struct cartel_person p;
	assert_int_equal(cartel_person_get(db, "Z1", &p, NULL), 0);
	assert_string_equal(p.family_name, " spaced ");
	assert_string_equal(cartel_person_attr(&p, "scar"), "left");
	cartel_person_clear(&p);
	free(first);
	free(second);

	/* JSON: one object per person. */
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	assert_int_equal(cartel_export_json(db, fp, NULL), 0);
	fclose(fp);
	assert_non_null(strstr(buf, "\"id\":\"UA-1\""));
	assert_non_null(strstr(buf, "\"extra\":{\"tattoo\":\"dragon\"}"));
	free(buf);
	cartel_db_close(db);
}

static const char *
journal_mode(struct cartel_db *db)
{
	static char mode[16];
	sqlite3_stmt *st;
	sqlite3_prepare_v2(cartel__db_sqlite(db), "PRAGMA journal_mode", -1,
			   &st, NULL);
	mode[0] = '\0';
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(mode, sizeof mode, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return mode;
}

static void
bulk_import_leaves_wal_on(void **state)
{
	(void)state;
	struct cartel_db *db = fresh();
	assert_string_equal(journal_mode(db), "wal");
	struct cartel_import_result res;
	/* Alone with the file: the import may leave WAL for a while, but
	 * ends in WAL mode. */
	assert_int_equal(import_str(db, good, 0, &res, NULL, NULL), 0);
	cartel_import_result_clear(&res);
	assert_string_equal(journal_mode(db), "wal");
	/* With a reader holding the file open, the import stays in WAL and
	 * the reader keeps reading. */
	struct cartel_db *reader;
	assert_int_equal(
		cartel_db_open(&reader, path, CARTEL_DB_READONLY, NULL), 0);
	assert_int_equal(count(reader), 4);
	assert_int_equal(import_str(db, "id,family_name\nR1,Reed\nR2,Ross\n",
				    0, &res, NULL, NULL),
			 0);
	cartel_import_result_clear(&res);
	assert_int_equal(count(reader), 6);
	assert_string_equal(journal_mode(db), "wal");
	cartel_db_close(reader);
	verify_ok(db);
	cartel_db_close(db);
}

/* The caller's rule on each row: those held by RU are not this caller's. */
static int
not_ru(void *ctx, const struct cartel_person *p, const char **column,
       char **reason)
{
	int *asked = ctx;
	(*asked)++;
	if (p->held_by == NULL || strcmp(p->held_by, "RU") != 0)
		return 0;
	*column = "held_by";
	*reason = strdup("not this caller's to import");
	return 1;
}

/* A row the caller's rule refuses is rejected like a bad row: counted,
 * in the reject report with its row, the column the rule names and the
 * rule's words; the other rows go in. A row already bad is not asked. */
static void
row_rule_rejects_rows(void **state)
{
	(void)state;
	struct cartel_db *db = fresh();
	const char *text = "id,family_name,held_by,birth_date\n"
			   "A-1,Шевченко,UA,1990-01-01\n"
			   "A-2,Коваль,RU,1990-01-01\n"
			   "A-3,Бойко,RU,1990-02-30\n"
			   "A-4,Мельник,,1990-01-01\n";
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	char *rbuf = NULL;
	size_t rlen = 0;
	FILE *rej = open_memstream(&rbuf, &rlen);
	int asked = 0;
	struct cartel_import_opts opts = {0};
	opts.rejects = rej;
	opts.row_allowed = not_ru;
	opts.row_allowed_ctx = &asked;
	struct cartel_import_result res;
	char *why = NULL;
	assert_int_equal(cartel_import_csv(db, in, "l.csv", &opts, &res, &why),
			 0);
	fclose(in);
	fclose(rej);
	assert_int_equal(res.rows_read, 4);
	assert_int_equal(res.imported, 2);
	assert_int_equal(res.rejected, 2);
	assert_int_equal(asked, 3);
	assert_non_null(strstr(rbuf, "3,held_by,not this caller's to import"));
	assert_non_null(strstr(rbuf, "4,birth_date,"));
	assert_null(strstr(rbuf, "Коваль"));
	assert_int_equal(count(db), 2);
	verify_ok(db);
	free(rbuf);
	cartel_import_result_clear(&res);
	cartel_db_close(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(import_good_file),
		cmocka_unit_test(row_rule_rejects_rows),
		cmocka_unit_test(bad_rows_rejected_with_reasons),
		cmocka_unit_test(all_or_nothing),
		cmocka_unit_test(bom_crlf_quotes_newlines),
		cmocka_unit_test(empty_file_and_header_alone),
		cmocka_unit_test(no_name_column_refused),
		cmocka_unit_test(ten_megabyte_field),
		cmocka_unit_test(full_database_rolls_back),
		cmocka_unit_test(read_only_database),
		cmocka_unit_test(export_imports_back_unchanged),
		cmocka_unit_test(bulk_import_leaves_wal_on),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
