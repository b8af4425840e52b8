/*
 * The example policies, changed one line at a time: each top-level key
 * taken out or given a value of another kind or out of range, each
 * category and priority replaced by one that makes no sense. A policy is a
 * negotiated deal: what does not parse is refused whole, with a reason
 * that names the key it is about (or the line where the YAML breaks), and
 * what parses has its digest.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cartel/error.h>
#include <cartel/plan.h>

static const char *const files[] = {
	"all-for-all-wounded-and-young.yaml", "dix-hill.yaml",
	"istanbul-1000-for-1000.yaml", "one-for-one.yaml"};

static const char *const values[] = {
	"x", "[]", "{}", "-1", "0", "\"1:0\"", "[UA]", "{a: 1}",
	"99999999999999999999", "[UA, UA]", "\"0:1\"", "true", "[1, 2, -3]"};

static const char *const items[] = {
	"  - {health: nonsense}",   "  - {age_from: 30, age_to: 20}",
	"  - 7",                    "  - {unknown: 1}",
	"  - [a, b]",               "  - {category: nobody}",
	"  - {age_under: -4}",      "  - {health: [], label: empty}",
	"  - {health: sick, label: [x]}", "  - nothing_known"};

static char *
read_text(const char *name)
{
	const char *top = getenv("CARTEL_TEST_DIR");
	char path[512];
	snprintf(path, sizeof path, "%s/../examples/policies/%s",
		 top ? top : "tests", name);
	FILE *in = fopen(path, "rb");
	if (in == NULL)
		fail_msg("%s: cannot read", path);
	char *b = calloc(1, 65536);
	assert_non_null(b);
	size_t n = fread(b, 1, 65535, in);
	fclose(in);
	b[n] = '\0';
	return b;
}

/* Parses text; on refusal the reason must be there and, when key is not
 * NULL, name it. Returns the result code. */
static int
parse(const char *text, const char *key, const char *what)
{
	struct cartel_policy *pol = NULL;
	char *why = NULL;
	int rc = cartel_policy_parse(&pol, text, strlen(text), "p.yaml", &why);
	if (rc == 0) {
		assert_non_null(pol);
		assert_int_equal(strlen(cartel_policy_digest(pol)), 64);
		cartel_policy_free(pol);
	} else {
		assert_null(pol);
		if (rc > 0 || why == NULL || why[0] == '\0')
			fail_msg("%s: refused (%d) without a reason", what, rc);
		/* The key, or the line where the YAML breaks. */
		if (key != NULL && strstr(why, key) == NULL &&
		    strstr(why, " line ") == NULL)
			fail_msg("%s: the reason names neither %s nor a line: "
				 "%s",
				 what, key, why);
	}
	free(why);
	return rc;
}

static void
examples_parse(void **state)
{
	(void)state;
	for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
		char *t = read_text(files[f]);
		assert_int_equal(parse(t, NULL, files[f]), 0);
		free(t);
	}
}

/* Text with line `at` (0-based) replaced by `line` (NULL: taken out). */
static char *
with_line(const char *text, int at, const char *line)
{
	size_t n = strlen(text);
	char *out = malloc(n + 256);
	assert_non_null(out);
	size_t o = 0;
	int no = 0;
	const char *p = text;
	while (*p != '\0') {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) + 1 : strlen(p);
		if (no == at) {
			if (line != NULL) {
				int w = snprintf(out + o, n + 256 - o, "%s\n",
						 line);
				assert_true(w > 0);
				o += (size_t)w;
			}
		} else {
			memcpy(out + o, p, len);
			o += len;
		}
		p += len;
		no++;
	}
	out[o] = '\0';
	return out;
}

/* Each top-level key: its line taken out, or its value replaced. */
static void
keys_changed(void **state)
{
	(void)state;
	int refused = 0, runs = 0;
	for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
		char *t = read_text(files[f]);
		int no = 0;
		for (const char *p = t; *p != '\0'; no++) {
			const char *e = strchr(p, '\n');
			size_t len = e ? (size_t)(e - p) : strlen(p);
			char key[64] = "";
			const char *colon = memchr(p, ':', len);
			if (p[0] >= 'a' && p[0] <= 'z' && colon != NULL &&
			    (size_t)(colon - p) < sizeof key)
				memcpy(key, p, (size_t)(colon - p));
			if (key[0] != '\0') {
				char what[256];
				char *c = with_line(t, no, NULL);
				snprintf(what, sizeof what, "%s without %s",
					 files[f], key);
				refused += parse(c, NULL, what) != 0;
				free(c);
				runs++;
				for (size_t v = 0;
				     v < sizeof values / sizeof values[0];
				     v++) {
					char line[160];
					snprintf(line, sizeof line, "%s: %s",
						 key, values[v]);
					c = with_line(t, no, line);
					snprintf(what, sizeof what, "%s: %s",
						 files[f], line);
					/* name and description take any
					 * text; the rest name themselves. */
					int any = strcmp(key, "name") == 0 ||
						  strcmp(key, "description") ==
							  0;
					refused += parse(c, any ? NULL : key,
							 what) != 0;
					free(c);
					runs++;
				}
			}
			p += len + (e != NULL);
		}
		free(t);
	}
	/* Most changes break the deal. */
	assert_true(runs > 100);
	assert_true(refused > runs / 2);
}

/* Each item of a list (categories, priorities): replaced by nonsense. */
static void
items_changed(void **state)
{
	(void)state;
	int refused = 0, runs = 0;
	for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
		char *t = read_text(files[f]);
		int no = 0;
		for (const char *p = t; *p != '\0'; no++) {
			const char *e = strchr(p, '\n');
			size_t len = e ? (size_t)(e - p) : strlen(p);
			if (len > 4 && strncmp(p, "  - ", 4) == 0) {
				for (size_t i = 0;
				     i < sizeof items / sizeof items[0]; i++) {
					char *c = with_line(t, no, items[i]);
					char what[160];
					snprintf(what, sizeof what, "%s: %s",
						 files[f], items[i]);
					refused += parse(c, NULL, what) != 0;
					free(c);
					runs++;
				}
			}
			p += len + (e != NULL);
		}
		free(t);
	}
	assert_true(runs > 50);
	assert_true(refused > runs / 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(examples_parse),
		cmocka_unit_test(keys_changed),
		cmocka_unit_test(items_changed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
