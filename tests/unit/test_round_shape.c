/*
 * A round document, changed one member at a time: every member of every
 * object (to three levels down) taken out or given a value of another
 * kind, and the first item of every list replaced. A document that no
 * longer has its shape is refused whole with a reason, and nothing is
 * handed back; one that still parses has a canonical form that parses to
 * the same document.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include <cartel/error.h>
#include <cartel/round.h>

static int runs, refused;

static json_t *
seed(void)
{
	const char *top = getenv("CARTEL_TEST_DIR");
	char path[512];
	snprintf(path, sizeof path, "%s/fuzz/corpus/round/proposal_signed",
		 top ? top : "tests");
	json_error_t e;
	json_t *d = json_load_file(path, 0, &e);
	if (d == NULL)
		fail_msg("%s: %s", path, e.text);
	return d;
}

static void
parse(json_t *doc, const char *what)
{
	char *text = json_dumps(doc, JSON_SORT_KEYS);
	assert_non_null(text);
	struct cartel_round *r = (struct cartel_round *)1;
	char *why = NULL;
	int rc = cartel_round_parse(&r, text, strlen(text), "round.json", &why);
	free(text);
	runs++;
	if (rc != 0) {
		refused++;
		if (r != NULL)
			fail_msg("%s: refused, yet a document came back", what);
		if (rc > 0 || why == NULL || why[0] == '\0')
			fail_msg("%s: refused (%d) without a reason", what, rc);
		free(why);
		return;
	}
	free(why);
	why = NULL;
	char *canon = NULL;
	size_t len = 0;
	if (cartel_round_canonical(r, &canon, &len, &why) == 0) {
		struct cartel_round *back = NULL;
		if (cartel_round_parse(&back, canon, len, "canonical", &why) !=
		    0)
			fail_msg("%s: its canonical form does not parse: %s",
				 what, why ? why : "?");
		assert_string_equal(cartel_round_digest(back),
				    cartel_round_digest(r));
		cartel_round_free(back);
	}
	free(canon);
	free(why);
	cartel_round_free(r);
}

/* Changes each member of *node (an object or a list inside root) in
 * turn, parses root, and puts it back; goes down to `depth` levels. */
static void
walk(json_t *root, json_t *node, int depth, const char *where)
{
	if (json_is_object(node)) {
		/* The keys first: a member taken out and put back goes to
		 * the end of the object, and would be met again. */
		size_t n = json_object_size(node);
		char **keys = calloc(n ? n : 1, sizeof *keys);
		assert_non_null(keys);
		size_t k = 0;
		const char *key;
		json_t *v;
		json_object_foreach(node, key, v)
			keys[k++] = strdup(key);
		for (k = 0; k < n; k++) {
			char what[256];
			snprintf(what, sizeof what, "%s.%s", where, keys[k]);
			json_t *keep = json_incref(json_object_get(node,
								   keys[k]));
			json_object_del(node, keys[k]);
			parse(root, what);
			json_t *others[] = {json_integer(7), json_string(""),
					    json_array(), json_object()};
			for (size_t i = 0; i < 4; i++) {
				json_object_set_new(node, keys[k], others[i]);
				parse(root, what);
			}
			json_object_set_new(node, keys[k], keep);
			if (depth > 0)
				walk(root, keep, depth - 1, what);
			free(keys[k]);
		}
		free(keys);
	} else if (json_is_array(node) && json_array_size(node) > 0) {
		char what[256];
		snprintf(what, sizeof what, "%s[0]", where);
		json_t *keep = json_incref(json_array_get(node, 0));
		json_array_set_new(node, 0, json_integer(7));
		parse(root, what);
		json_array_set_new(node, 0, json_null());
		parse(root, what);
		json_array_set_new(node, 0, keep);
		if (depth > 0)
			walk(root, keep, depth - 1, what);
	}
}

static void
as_made_parses(void **state)
{
	(void)state;
	json_t *d = seed();
	runs = refused = 0;
	parse(d, "as made");
	assert_int_equal(refused, 0);
	json_decref(d);
}

static void
each_member_changed(void **state)
{
	(void)state;
	json_t *d = seed();
	runs = refused = 0;
	walk(d, d, 3, "doc");
	assert_true(runs > 100);
	assert_true(refused > runs / 3);
	json_decref(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(as_made_parses),
		cmocka_unit_test(each_member_changed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
