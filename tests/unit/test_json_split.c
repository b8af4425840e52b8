/*
 * Unit tests for the two-core parse of a large declaration
 * (src/lib/round/json_split.c): it must give exactly the document a parse
 * of the whole text gives, and for a broken text exactly the whole
 * parse's error (line, column, reason), whatever the strings hold (quotes,
 * backslashes, brackets, the member's own name) and however the array is
 * broken (an empty half, a trailing comma, a member named twice).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "round/round_int.h"

/* A growable text. */
struct text {
	char *p;
	size_t n, cap;
};

static void
add(struct text *t, const char *s)
{
	size_t k = strlen(s);
	if (t->n + k + 1 > t->cap) {
		t->cap = (t->n + k + 1) * 2;
		t->p = realloc(t->p, t->cap);
		assert_non_null(t->p);
	}
	memcpy(t->p + t->n, s, k + 1);
	t->n += k;
}

/* A declaration-shaped document of n persons, each with strings that
 * hold what a naive cut would trip on: quotes, backslashes before a
 * quote, brackets, commas and the text "persons": [. */
static void
declaration(struct text *t, size_t n, const char *before_persons)
{
	add(t, "{\n  \"format\": \"cartel-declaration\",\n  \"kind\": "
	       "\"held\",\n  \"manifest\": {\"persons\": \"x\"},\n");
	if (before_persons != NULL)
		add(t, before_persons);
	add(t, "  \"persons\": [\n");
	char line[512];
	for (size_t i = 0; i < n; i++) {
		snprintf(line, sizeof line,
			 "    {\"id\": \"UA-%06zu\", \"family_name\": "
			 "\"\\u0428\\u0435\\u0432\\u0447\\u0435\\u043d\\u043a"
			 "\\u043e %zu\", \"notes\": \"a \\\"quoted\\\" "
			 "\\\\\\\" ], {\\\"persons\\\": [ , }\", "
			 "\"given_name\": \"\xd0\x86\xd0\xb2\xd0\xb0\xd0\xbd\", "
			 "\"rank\": null}%s\n",
			 i, i, i + 1 < n ? "," : "");
		add(t, line);
	}
	add(t, "  ],\n  \"sequence\": 1,\n  \"signatures\": {\"UA\": "
	       "\"s\"}\n}\n");
}

/* The split parse gives what the whole parse gives: the same document,
 * or no document and the same error. */
static void
same_as_whole(const struct text *t)
{
	json_error_t e1, e2;
	memset(&e1, 0, sizeof e1);
	memset(&e2, 0, sizeof e2);
	json_t *whole = json_loadb(t->p, t->n, JSON_REJECT_DUPLICATES, &e1);
	json_t *split = cartel__json_load_split(t->p, t->n, "persons",
						JSON_REJECT_DUPLICATES, &e2);
	if (whole == NULL) {
		assert_null(split);
		assert_int_equal(e1.line, e2.line);
		assert_int_equal(e1.column, e2.column);
		assert_string_equal(e1.text, e2.text);
	} else {
		assert_non_null(split);
		assert_true(json_equal(whole, split));
	}
	json_decref(whole);
	json_decref(split);
}

/* A large declaration is cut between two of its persons, and parses to
 * the same document, every person in his place. */
static void
large_is_cut(void **state)
{
	(void)state;
	struct text t = {0};
	declaration(&t, 20000, NULL);
	assert_true(t.n > (1u << 20));
	size_t open, close, cut;
	assert_int_equal(cartel__json_find_cut(t.p, t.n, "persons", &open,
					       &close, &cut),
			 1);
	assert_int_equal(t.p[open], '[');
	assert_int_equal(t.p[close], ']');
	assert_int_equal(t.p[cut], ',');
	/* Between two persons: the comma closes one and the next opens. */
	assert_int_equal(t.p[cut - 1], '}');
	assert_memory_equal(t.p + cut + 1, "\n    {\"id\": \"UA-", 16);
	assert_true(cut > open + (close - open) / 4);
	same_as_whole(&t);
	json_error_t e;
	json_t *doc = cartel__json_load_split(t.p, t.n, "persons",
					      JSON_REJECT_DUPLICATES, &e);
	json_t *ps = json_object_get(doc, "persons");
	assert_int_equal(json_array_size(ps), 20000);
	for (size_t i = 0; i < 20000; i += 997) {
		char want[16];
		snprintf(want, sizeof want, "UA-%06zu", i);
		assert_string_equal(json_string_value(json_object_get(
					    json_array_get(ps, i), "id")),
				    want);
	}
	/* The other members are there too, in the document's order. */
	assert_int_equal(json_integer_value(json_object_get(doc, "sequence")),
			 1);
	json_decref(doc);
	free(t.p);
}

/* Small documents, and members other than the array, are parsed whole. */
static void
small_is_whole(void **state)
{
	(void)state;
	struct text t = {0};
	declaration(&t, 100, NULL);
	size_t open, close, cut;
	assert_int_equal(cartel__json_find_cut(t.p, t.n, "persons", &open,
					       &close, &cut),
			 0);
	same_as_whole(&t);
	assert_int_equal(cartel__json_find_cut(t.p, t.n, "nobody", &open,
					       &close, &cut),
			 0);
	free(t.p);
	/* A top level that is not an object; a value that is not an array. */
	const char *odd[] = {"[1, 2]", "{\"persons\": 5}", "",
			     "{\"persons\": \"[1,2]\"}"};
	for (size_t i = 0; i < sizeof odd / sizeof *odd; i++) {
		assert_int_equal(cartel__json_find_cut(odd[i], strlen(odd[i]),
						       "persons", &open, &close,
						       &cut),
				 0);
		struct text o = {(char *)odd[i], strlen(odd[i]), 0};
		same_as_whole(&o);
	}
}

/* The text with s put in at offset at (replacing k bytes). */
static struct text
edited(const struct text *t, size_t at, size_t k, const char *s)
{
	struct text e = {0};
	char *head = strndup(t->p, at);
	assert_non_null(head);
	add(&e, head);
	add(&e, s);
	add(&e, t->p + at + k);
	free(head);
	return e;
}

/* Broken large documents: each refused with the whole parse's error. */
static void
broken_as_whole(void **state)
{
	(void)state;
	struct text t = {0};
	declaration(&t, 20000, NULL);
	size_t open, close, cut;
	assert_int_equal(cartel__json_find_cut(t.p, t.n, "persons", &open,
					       &close, &cut),
			 1);
	/* Cut short, in the first half, at the cut, in the second half. */
	size_t ends[] = {open + 1000, cut, cut + 1, close - 10, close};
	for (size_t i = 0; i < sizeof ends / sizeof *ends; i++) {
		struct text s = {t.p, ends[i], 0};
		same_as_whole(&s);
	}
	/* A trailing comma: the second half "[ ..., ]". */
	struct text e = edited(&t, close, 0, ",");
	same_as_whole(&e);
	free(e.p);
	/* Nothing before the cut: "[ <spaces> , ...]" is no array, although
	 * both halves, "[ ]" and "[...]", parse. */
	struct text spaces = {0};
	for (size_t i = 0; i < cut - open; i++)
		add(&spaces, " ");
	e = edited(&t, open + 1, cut - open - 1, spaces.p);
	free(spaces.p);
	assert_int_equal(cartel__json_find_cut(e.p, e.n, "persons", &open,
					       &close, &cut),
			 1);
	same_as_whole(&e);
	free(e.p);
	/* A person with a member twice, in the second half. */
	assert_int_equal(cartel__json_find_cut(t.p, t.n, "persons", &open,
					       &close, &cut),
			 1);
	size_t last = close;
	while (last > cut && t.p[last] != '{')
		last--;
	assert_true(last > cut);
	e = edited(&t, last + 1, 0, "\"rank\": \"1\", ");
	json_error_t je;
	assert_null(json_loadb(e.p, e.n, JSON_REJECT_DUPLICATES, &je));
	same_as_whole(&e);
	free(e.p);
	/* Garbage after the document. */
	e = edited(&t, t.n, 0, "x");
	same_as_whole(&e);
	free(e.p);
	free(t.p);
}

/* The member twice at the top level: once as the array, once more
 * (plainly, or spelled with an escape the scan does not read). */
static void
member_twice(void **state)
{
	(void)state;
	const char *second[] = {"  \"persons\": [],\n",
				"  \"person\\u0073\": [],\n"};
	for (size_t i = 0; i < 2; i++) {
		struct text t = {0};
		declaration(&t, 20000, second[i]);
		json_error_t e;
		assert_null(cartel__json_load_split(t.p, t.n, "persons",
						    JSON_REJECT_DUPLICATES,
						    &e));
		same_as_whole(&t);
		free(t.p);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(large_is_cut),
		cmocka_unit_test(small_is_whole),
		cmocka_unit_test(broken_as_whole),
		cmocka_unit_test(member_twice),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
