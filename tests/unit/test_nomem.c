/*
 * Allocation failures: each operation below is run again and again with
 * the Nth allocation and all after it failing, for every N until it gets
 * through. Each
 * failed run must report an error (never success with half a result, never
 * a crash), leave the register as it was (the audit chain holds), and the
 * run that gets through must give what a run without failures gives.
 *
 * The test replaces malloc, calloc and realloc for the whole process (the
 * replacement calls glibc's own), which AddressSanitizer's allocator does
 * not allow; the ASan build skips it.
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
#include <cartel/csv.h>
#include <cartel/plan.h>
#include <cartel/register.h>
#include <cartel/round.h>
#include <cartel/store.h>

#if defined(__SANITIZE_ADDRESS__)
#define NOMEM_SKIP 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NOMEM_SKIP 1
#endif
#endif

/* Allocations left before the one that fails; -1 when none is to fail. */
static long countdown = -1;
/* Set when an allocation was refused since the last arm(). */
static int tripped;

#ifndef NOMEM_SKIP
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

static int
refuse(void)
{
	if (countdown < 0)
		return 0;
	/* Once one allocation is refused, every later one is too, as when
	 * memory has run out; a one-off refusal lets libraries that ignore a
	 * failed append (jansson's key dump) carry on with a gap. */
	if (countdown == 0) {
		tripped = 1;
		return 1;
	}
	countdown--;
	return 0;
}

void *
malloc(size_t n)
{
	return refuse() ? NULL : __libc_malloc(n);
}

void *
calloc(size_t n, size_t size)
{
	return refuse() ? NULL : __libc_calloc(n, size);
}

void *
realloc(void *p, size_t n)
{
	return refuse() ? NULL : __libc_realloc(p, n);
}
#endif

static void
arm(long n)
{
	tripped = 0;
	countdown = n;
}

static void
disarm(void)
{
	countdown = -1;
}

/* An operation under test: returns 0 or a negative cartel_err, and on
 * success writes a text summary of its result into out (malloc'd), which
 * is compared with the summary of a run without failures. */
typedef int (*op_fn)(void *ctx, char **out);

/* The most allocations any one operation here makes, with room to spare;
 * a loop that reaches it has found an operation that never completes. */
#define MAX_ALLOCS 20000

struct fx {
	char dir[64];
	char path[128];
	struct cartel_db *db;
	struct cartel_key ua, ru;
};

/* The register as the next command finds it after a failed one: the
 * command's process ended (the handle is closed, whatever it held open)
 * and the file is opened afresh; its audit chain must hold. */
static void
chain_holds(struct fx *f)
{
	struct cartel_audit_report rep;
	char *why = NULL;
	cartel_db_close(f->db);
	f->db = NULL;
	if (cartel_db_open(&f->db, f->path, 0, &why))
		fail_msg("reopening after a failed run: %s", why);
	int rc = cartel_audit_verify(f->db, NULL, &rep, &why);
	if (rc)
		fail_msg("audit verify after a failed run: %s", why);
}

/* Runs op until it gets through, with allocation N failing on run N. */
static void
each_failure(struct fx *f, op_fn op, void *ctx)
{
	char *want = NULL;
	assert_int_equal(op(ctx, &want), 0);
	long n;
	for (n = 0; n < MAX_ALLOCS; n++) {
		char *got = NULL;
		arm(n);
		int rc = op(ctx, &got);
		int hit = tripped;
		disarm();
		if (!hit) {
			/* No allocation left to fail: the full result. */
			assert_int_equal(rc, 0);
			assert_string_equal(got, want);
			free(got);
			break;
		}
		if (rc == 0) {
			/* A refused allocation that the operation could do
			 * without must still give the full result. */
			assert_string_equal(got, want);
			free(got);
		} else {
			assert_true(rc < 0);
			assert_null(got);
		}
		if (f != NULL)
			chain_holds(f);
	}
	assert_true(n < MAX_ALLOCS);
	free(want);
}

static const char persons_csv[] =
	"id,family_name,given_name,patronymic,birth_date,rank,"
	"service_number,held_by,depends_on,category,consent,status\n"
	"UA-1,Коваленко,Олександр,Іванович,1994-03-02,private,A100,RU,UA,"
	"military,willing,confirmed_captive\n"
	"UA-2,Шевченко,Сергій,,1990,sergeant,A101,RU,UA,military,not_asked,"
	"confirmed_captive\n"
	"UA-3,Бондаренко,Микола,,1985-07-01,captain,A102,RU,UA,military,"
	"willing,confirmed_captive\n"
	"RU-1,Иванов,Николай,Петрович,1999-01-05,private,B200,UA,RU,military,"
	"willing,confirmed_captive\n"
	"RU-2,Смирнов,Юрий,,2001-11-11,private,B201,UA,RU,military,willing,"
	"confirmed_captive\n"
	"RU-3,Кузнецов,Алексей,,1980,major,B202,UA,RU,military,willing,"
	"confirmed_captive\n";

static const char plan_json[] =
	"{\"parties\":[\"UA\",\"RU\"],\"stages\":2,"
	"\"sides\":{\"UA\":{\"gives\":[\"RU-1\",\"RU-2\"],\"value\":2},"
	"\"RU\":{\"gives\":[\"UA-1\",{\"id\":\"UA-2\",\"stage\":2}],"
	"\"value\":2}},"
	"\"direct_repatriation\":{\"UA\":[],\"RU\":[\"UA-3\"]},"
	"\"withheld\":[{\"id\":\"RU-3\",\"reason\":\"proceedings\"}],"
	"\"excluded\":[],\"optimal\":true}";

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	/* Hundreds of runs each reopen the register: in memory when the
	 * system has a memory file system, so that they cost no disk syncs. */
	snprintf(f->dir, sizeof f->dir, "/dev/shm/cartel-nomem-XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		snprintf(f->dir, sizeof f->dir, "/tmp/cartel-nomem-XXXXXX");
		if (mkdtemp(f->dir) == NULL)
			return -1;
	}
	snprintf(f->path, sizeof f->path, "%s/r.db", f->dir);
	setenv("CARTEL_NOW", "2026-05-16T09:00:00Z", 1);
	setenv("CARTEL_TODAY", "2026-05-16", 1);
	char *why = NULL;
	if (cartel_db_open(&f->db, f->path, CARTEL_DB_CREATE, &why))
		return -1;
	FILE *in = fmemopen((void *)persons_csv, sizeof persons_csv - 1, "r");
	struct cartel_import_opts o;
	memset(&o, 0, sizeof o);
	o.all_or_nothing = 1;
	struct cartel_import_result res;
	memset(&res, 0, sizeof res);
	int rc = cartel_import_csv(f->db, in, "persons.csv", &o, &res, &why);
	fclose(in);
	cartel_import_result_clear(&res);
	if (rc || cartel_key_generate(&f->ua, "UA", NULL) ||
	    cartel_key_generate(&f->ru, "RU", NULL) ||
	    cartel_key_pin(f->db, "UA", f->ua.public_key, 0, "t", NULL,
			   NULL) ||
	    cartel_key_pin(f->db, "RU", f->ru.public_key, 0, "t", NULL, NULL))
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	cartel_db_close(f->db);
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* ---- Pure functions ------------------------------------------------- */

static int
op_jcs(void *ctx, char **out)
{
	(void)ctx;
	static const char doc[] = "{\"b\":[1,2.5,\"\\u00e9\\n\"],\"a\":{\"z\":"
				  "null,\"y\":true,\"x\":1e30}}";
	size_t len;
	return cartel_jcs_canonicalize(doc, sizeof doc - 1, out, &len, NULL);
}

static void
jcs(void **state)
{
	(void)state;
	each_failure(NULL, op_jcs, NULL);
}

static int
op_csv(void *ctx, char **out)
{
	(void)ctx;
	static const char text[] = "\xef\xbb\xbfid,name\r\n1,\"a, \"\"b\"\"\"\n"
				   "2,\"two\nlines\"\n3,x\n";
	FILE *fp = fmemopen((void *)text, sizeof text - 1, "r");
	if (fp == NULL)
		return CARTEL_ENOMEM;
	struct cartel_csv *csv;
	int rc = cartel_csv_open(&csv, fp, "t.csv", 0);
	if (rc) {
		fclose(fp);
		return rc;
	}
	char buf[256] = "";
	size_t used = 0;
	char **fields;
	size_t n;
	while ((rc = cartel_csv_next(csv, &fields, &n, NULL)) == 1)
		for (size_t i = 0; i < n; i++)
			used += (size_t)snprintf(buf + used, sizeof buf - used,
						 "[%s]", fields[i]);
	cartel_csv_close(csv);
	fclose(fp);
	if (rc < 0)
		return rc;
	*out = strdup(buf);
	return *out ? 0 : CARTEL_ENOMEM;
}

static void
csv(void **state)
{
	(void)state;
	each_failure(NULL, op_csv, NULL);
}

static int
op_person(void *ctx, char **out)
{
	(void)ctx;
	struct cartel_person p, q;
	memset(&p, 0, sizeof p);
	memset(&q, 0, sizeof q);
	static const char *const set[][2] = {
		{"id", "UA-9"},           {"family_name", "Коваленко"},
		{"birth_date", "1994-03"}, {"status", "confirmed_captive"},
		{"rank", "private"},       {"held_by", "RU"},
	};
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < sizeof set / sizeof set[0]; i++)
		rc = cartel_person_set_field(&p, cartel_field_find(set[i][0]),
					     set[i][1], NULL);
	if (rc == 0)
		rc = cartel_person_set_attr(&p, "unit", "44th brigade");
	if (rc == 0)
		rc = cartel_person_copy(&q, &p);
	if (rc == 0 && !cartel_person_equal(&p, &q))
		rc = CARTEL_EINVAL;
	if (rc == 0) {
		*out = cartel_person_json(&q);
		if (*out == NULL)
			rc = CARTEL_ENOMEM;
	}
	cartel_person_clear(&p);
	cartel_person_clear(&q);
	return rc;
}

static void
person(void **state)
{
	(void)state;
	each_failure(NULL, op_person, NULL);
}

static const char policy_yaml[] =
	"parties: [UA, RU]\n"
	"ratio: \"1:1\"\n"
	"stages: 2\n";

static int
op_policy(void *ctx, char **out)
{
	(void)ctx;
	struct cartel_policy *pol;
	int rc = cartel_policy_parse(&pol, policy_yaml, sizeof policy_yaml - 1,
				     "p.yaml", NULL);
	if (rc)
		return rc;
	*out = strdup(cartel_policy_digest(pol));
	cartel_policy_free(pol);
	return *out ? 0 : CARTEL_ENOMEM;
}

static void
policy(void **state)
{
	(void)state;
	each_failure(NULL, op_policy, NULL);
}

/* ---- The register --------------------------------------------------- */

static int
op_export(void *ctx, char **out)
{
	struct fx *f = ctx;
	FILE *fp = tmpfile();
	if (fp == NULL)
		return CARTEL_ENOMEM;
	int rc = cartel_export_csv(f->db, fp, NULL);
	long len = ftell(fp);
	char *buf = NULL;
	if (rc == 0 && len >= 0 && (buf = malloc((size_t)len + 1)) == NULL)
		rc = CARTEL_ENOMEM;
	if (rc == 0) {
		rewind(fp);
		size_t got = fread(buf, 1, (size_t)len, fp);
		buf[got] = '\0';
		*out = buf;
	}
	fclose(fp);
	return rc;
}

static void
export(void **state)
{
	struct fx *f = *state;
	each_failure(f, op_export, f);
}

static int
op_stats(void *ctx, char **out)
{
	struct fx *f = ctx;
	struct cartel_stats st;
	int rc = cartel_stats_get(f->db, &st, NULL);
	if (rc)
		return rc;
	char *s = malloc(64);
	if (s != NULL)
		snprintf(s, 64, "%zu parties", st.n_parties);
	cartel_stats_clear(&st);
	*out = s;
	return s ? 0 : CARTEL_ENOMEM;
}

static void
stats(void **state)
{
	struct fx *f = *state;
	each_failure(f, op_stats, f);
}

static int
op_verify(void *ctx, char **out)
{
	struct fx *f = ctx;
	struct cartel_audit_report rep;
	int rc = cartel_audit_verify(f->db, NULL, &rep, NULL);
	if (rc)
		return rc;
	*out = strdup(rep.head);
	return *out ? 0 : CARTEL_ENOMEM;
}

static void
audit(void **state)
{
	struct fx *f = *state;
	each_failure(f, op_verify, f);
}

/* ---- Rounds --------------------------------------------------------- */

/* Builds, signs by both parties and verifies a document, then reads its
 * written text back and compares the two versions: the digest is the
 * result. */
static int
op_round(void *ctx, char **out)
{
	struct fx *f = ctx;
	struct cartel_round_opts o = {NULL, CARTEL_ROUND_AGREED, NULL, "t"};
	struct cartel_round *r = NULL, *back = NULL;
	struct cartel_round_check chk;
	struct cartel_round_diff d;
	char *text = NULL;
	size_t len = 0;
	int rc = cartel_round_from_plan(f->db, plan_json, sizeof plan_json - 1,
					"plan.json", &o, &r, NULL);
	if (rc == 0)
		rc = cartel_round_sign(f->db, r, &f->ua, "ua", NULL);
	if (rc == 0)
		rc = cartel_round_sign(f->db, r, &f->ru, "ru", NULL);
	if (rc == 0) {
		rc = cartel_round_verify(f->db, r, &chk, NULL);
		cartel_round_check_clear(&chk);
	}
	if (rc == 0)
		rc = cartel_round_canonical(r, &text, &len, NULL);
	if (rc == 0)
		rc = cartel_round_parse(&back, text, len, "r.json", NULL);
	if (rc == 0) {
		rc = cartel_round_diff(r, back, &d, NULL);
		if (rc == 0 && (d.n_entries != 0 || d.n_header != 0))
			rc = CARTEL_EINVAL;
		if (rc == 0)
			cartel_round_diff_clear(&d);
	}
	if (rc == 0) {
		*out = strdup(cartel_round_digest(back));
		if (*out == NULL)
			rc = CARTEL_ENOMEM;
	}
	free(text);
	cartel_round_free(back);
	cartel_round_free(r);
	return rc;
}

static void
round_doc(void **state)
{
	struct fx *f = *state;
	each_failure(f, op_round, f);
}

int
main(void)
{
#ifdef NOMEM_SKIP
	puts("allocation failures: skipped under AddressSanitizer");
	return 0;
#else
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(jcs),
		cmocka_unit_test(csv),
		cmocka_unit_test(person),
		cmocka_unit_test(policy),
		cmocka_unit_test_setup_teardown(export, setup, teardown),
		cmocka_unit_test_setup_teardown(stats, setup, teardown),
		cmocka_unit_test_setup_teardown(audit, setup, teardown),
		cmocka_unit_test_setup_teardown(round_doc, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
#endif
}
