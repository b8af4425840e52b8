/*
 * Unit tests for the RFC 8785 canonical form: the RFC's own examples
 * (section 3.2.2 whole-document, 3.2.3 member sorting by UTF-16 code
 * units, appendix B number serialisation), string escapes, and what must
 * be refused. Two parties sign these bytes: one wrong byte and a valid
 * list fails to verify on the other side.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cartel/cartel.h>
#include <cartel/round.h>

#include "round/jcs.h"

static void
canon_is(const char *in, const char *want)
{
	char *out = NULL, *why = NULL;
	size_t len = 0;
	int rc = cartel_jcs_canonicalize(in, strlen(in), &out, &len, &why);
	if (rc != 0)
		fail_msg("canonicalize failed: %s", why ? why : "?");
	assert_string_equal(out, want);
	assert_int_equal(len, strlen(want));
	free(out);
}

/* RFC 8785 section 3.2.2. */
static void
rfc_example(void **state)
{
	(void)state;
	canon_is("{\n"
		 "  \"numbers\": [333333333.33333329, 1E30, 4.50,\n"
		 "                2e-3, 0.000000000000000000000000001],\n"
		 "  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022"
		 "\\u005c\\\\\\\"\\/\",\n"
		 "  \"literals\": [null, true, false]\n"
		 "}",
		 "{\"literals\":[null,true,false],\"numbers\":[333333333."
		 "3333333,1e+30,4.5,0.002,1e-27],\"string\":\"\xe2\x82\xac$"
		 "\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
}

/* RFC 8785 section 3.2.3: members sorted by UTF-16 code units, so the
 * emoji (a surrogate pair, 0xD83D...) sorts before U+FB33 although its
 * code point is larger. */
static void
rfc_sorting(void **state)
{
	(void)state;
	canon_is("{\n"
		 "  \"\\u20ac\": \"Euro Sign\",\n"
		 "  \"\\r\": \"Carriage Return\",\n"
		 "  \"\\ufb33\": \"Hebrew Letter Dalet With Dagesh\",\n"
		 "  \"1\": \"One\",\n"
		 "  \"\\ud83d\\ude00\": \"Emoji: Grinning Face\",\n"
		 "  \"\\u0080\": \"Control\",\n"
		 "  \"\\u00f6\": \"Latin Small Letter O With Diaeresis\"\n"
		 "}",
		 "{\"\\r\":\"Carriage Return\",\"1\":\"One\","
		 "\"\xc2\x80\":\"Control\","
		 "\"\xc3\xb6\":\"Latin Small Letter O With Diaeresis\","
		 "\"\xe2\x82\xac\":\"Euro Sign\","
		 "\"\xf0\x9f\x98\x80\":\"Emoji: Grinning Face\","
		 "\"\xef\xac\xb3\":\"Hebrew Letter Dalet With Dagesh\"}");
}

static double
from_bits(uint64_t bits)
{
	double d;
	memcpy(&d, &bits, sizeof d);
	return d;
}

/* RFC 8785 appendix B: IEEE 754 bit patterns and their JSON form. */
static void
rfc_numbers(void **state)
{
	(void)state;
	static const struct {
		uint64_t bits;
		const char *want;
	} cases[] = {
		{0x0000000000000000ull, "0"},
		{0x8000000000000000ull, "0"},
		{0x0000000000000001ull, "5e-324"},
		{0x8000000000000001ull, "-5e-324"},
		{0x7fefffffffffffffull, "1.7976931348623157e+308"},
		{0xffefffffffffffffull, "-1.7976931348623157e+308"},
		{0x4340000000000000ull, "9007199254740992"},
		{0xc340000000000000ull, "-9007199254740992"},
		{0x4430000000000000ull, "295147905179352830000"},
		{0x44b52d02c7e14af5ull, "9.999999999999997e+22"},
		{0x44b52d02c7e14af6ull, "1e+23"},
		{0x44b52d02c7e14af7ull, "1.0000000000000001e+23"},
		{0x444b1ae4d6e2ef4eull, "999999999999999700000"},
		{0x444b1ae4d6e2ef4full, "999999999999999900000"},
		{0x444b1ae4d6e2ef50ull, "1e+21"},
		{0x3eb0c6f7a0b5ed8cull, "9.999999999999997e-7"},
		{0x3eb0c6f7a0b5ed8dull, "0.000001"},
		{0x41b3de4355555553ull, "333333333.3333332"},
		{0x41b3de4355555554ull, "333333333.33333325"},
		{0x41b3de4355555555ull, "333333333.3333333"},
		{0x41b3de4355555556ull, "333333333.3333334"},
		{0x41b3de4355555557ull, "333333333.33333343"},
		{0xbecbf647612f3696ull, "-0.0000033333333333333333"},
		{0x43143ff3c1cb0959ull, "1424953923781206.2"},
	};
	char buf[40];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(cartel__jcs_number(from_bits(cases[i].bits),
						    buf, sizeof buf),
				 0);
		if (strcmp(buf, cases[i].want) != 0)
			fail_msg("bits %016llx: got %s, want %s",
				 (unsigned long long)cases[i].bits, buf,
				 cases[i].want);
	}
	/* NaN and the infinities have no JSON form. */
	assert_int_equal(cartel__jcs_number(from_bits(0x7fffffffffffffffull),
					    buf, sizeof buf),
			 CARTEL_EINVAL);
	assert_int_equal(cartel__jcs_number(from_bits(0x7ff0000000000000ull),
					    buf, sizeof buf),
			 CARTEL_EINVAL);
	assert_int_equal(cartel__jcs_number(from_bits(0xfff0000000000000ull),
					    buf, sizeof buf),
			 CARTEL_EINVAL);
}

/* Numbers as written in text: integers, exponents, -0, big integers. */
static void
numbers_in_text(void **state)
{
	(void)state;
	canon_is("[1, -1, 10, 100.0, 1e2, -0, 0.5e1, 123456789012345678901]",
		 "[1,-1,10,100,100,0,5,123456789012345680000]");
	canon_is("[1e21, 1e-7, 0.000001, 1.5e-6, 12345678901234567890123]",
		 "[1e+21,1e-7,0.000001,0.0000015,1.2345678901234568e+22]");
}

/* Strings: the six short escapes, \u00xx for the other controls, and
 * everything else (DEL, '/', non-ASCII) as it is. */
static void
strings(void **state)
{
	(void)state;
	canon_is("\"\\b\\t\\n\\f\\r\\u0001\\u001f\\u007f/\\\"\\\\\"",
		 "\"\\b\\t\\n\\f\\r\\u0001\\u001f\x7f/\\\"\\\\\"");
	/* Ukrainian and Russian names stay as UTF-8, unescaped. */
	canon_is("{\"\\u0421\\u0435\\u0440\\u0433\\u0456\\u0439\":1}",
		 "{\"\xd0\xa1\xd0\xb5\xd1\x80\xd0\xb3\xd1\x96\xd0\xb9\":1}");
}

/* Nesting, empty containers, and member order at every level. */
static void
structure(void **state)
{
	(void)state;
	canon_is(" { \"b\" : [ ] , \"a\" : { \"d\" : { } , \"c\" : [ {\"z\":1,"
		 "\"y\":2} ] } } ",
		 "{\"a\":{\"c\":[{\"y\":2,\"z\":1}],\"d\":{}},\"b\":[]}");
	canon_is("\"text\"", "\"text\"");
	canon_is("null", "null");
}

/* Canonical output is a fixed point, and member order of the input does
 * not matter. */
static void
idempotent(void **state)
{
	(void)state;
	const char *a = "{\"x\":[1,2,{\"q\":\"\\u00e9\",\"p\":null}],\"w\":2}";
	const char *b = "{\"w\":2.0,\"x\":[1,2,{\"p\":null,\"q\":\"\xc3\xa9\"}]}";
	char *ca, *cb, *cc;
	size_t la, lb, lc;
	assert_int_equal(cartel_jcs_canonicalize(a, strlen(a), &ca, &la,
						 NULL),
			 0);
	assert_int_equal(cartel_jcs_canonicalize(b, strlen(b), &cb, &lb,
						 NULL),
			 0);
	assert_string_equal(ca, cb);
	assert_int_equal(cartel_jcs_canonicalize(ca, la, &cc, &lc, NULL), 0);
	assert_string_equal(ca, cc);
	free(ca);
	free(cb);
	free(cc);
}

/* I-JSON: duplicate names are refused; broken JSON names line and
 * column. */
static void
refused(void **state)
{
	(void)state;
	char *out = NULL, *why = NULL;
	size_t len;
	const char *dup = "{\"a\":1,\"a\":2}";
	assert_int_equal(cartel_jcs_canonicalize(dup, strlen(dup), &out, &len,
						 &why),
			 CARTEL_EFORMAT);
	assert_null(out);
	free(why);
	why = NULL;
	const char *bad = "{\"a\":\n  [1,,2]}";
	assert_int_equal(cartel_jcs_canonicalize(bad, strlen(bad), &out, &len,
						 &why),
			 CARTEL_EFORMAT);
	assert_non_null(strstr(why, "line 2"));
	free(why);
}

/* The canonical form of a document without some of its members, written
 * without copying it, and the text of the document without one member
 * read from where each member lies: byte for byte what the canonical form
 * of a copy without them is. The seal of every document received is
 * checked this way; one byte off and a good declaration is refused. */
static void
without_members(void **state)
{
	(void)state;
	const char *in = "{\"z\":[1,{\"b\":2,\"a\":\"\\u00e9\"}],\"digest\":"
			 "\"sha\",\"a\":{},\"m\":\"x\",\"\xc3\xa9\":null}";
	json_t *doc = json_loads(in, 0, NULL);
	assert_non_null(doc);
	const char *keys[] = {"a", "digest", "m", "z", "\xc3\xa9"};
	for (size_t k = 0; k < 5; k++) {
		/* Leaving a member out, as a copy without it. */
		const char *drop[] = {keys[k], NULL};
		json_t *c = json_copy(doc);
		json_object_del(c, keys[k]);
		char *want, *got;
		size_t wlen, glen;
		assert_int_equal(cartel__jcs(c, &want, &wlen, NULL), 0);
		assert_int_equal(cartel__jcs_object(doc, drop, &got, &glen,
						    NULL, NULL, NULL),
				 0);
		assert_int_equal(glen, wlen);
		assert_string_equal(got, want);
		free(got);
		/* The same text cut out of the whole one. */
		char *all;
		size_t alen, n;
		struct cartel__jcs_member *m;
		assert_int_equal(cartel__jcs_object(doc, NULL, &all, &alen, &m,
						    &n, NULL),
				 0);
		assert_int_equal(n, 5);
		size_t i = 0;
		while (i < n && strcmp(m[i].key, keys[k]) != 0)
			i++;
		assert_true(i < n);
		/* Each member's value is its own canonical form. */
		char *v;
		size_t vlen;
		assert_int_equal(cartel__jcs(json_object_get(doc, keys[k]), &v,
					     &vlen, NULL),
				 0);
		assert_int_equal(m[i].end - m[i].value, vlen);
		assert_memory_equal(all + m[i].value, v, vlen);
		free(v);
		struct cartel__jcs_piece piece[2];
		cartel__jcs_cut(all, alen, m, n, i, piece);
		assert_int_equal(piece[0].n + piece[1].n, wlen);
		assert_memory_equal(piece[0].p, want, piece[0].n);
		assert_memory_equal(piece[1].p, want + piece[0].n, piece[1].n);
		free(all);
		free(m);
		free(want);
		json_decref(c);
	}
	/* An only member leaves an empty object. */
	json_t *one = json_pack("{s:s}", "digest", "d");
	char *all;
	size_t alen, n;
	struct cartel__jcs_member *m;
	assert_int_equal(cartel__jcs_object(one, NULL, &all, &alen, &m, &n,
					    NULL),
			 0);
	struct cartel__jcs_piece piece[2];
	cartel__jcs_cut(all, alen, m, n, 0, piece);
	assert_int_equal(piece[0].n + piece[1].n, 2);
	assert_memory_equal(piece[0].p, "{", 1);
	assert_memory_equal(piece[1].p, "}", 1);
	free(all);
	free(m);
	json_decref(one);
	/* Not an object: refused, nothing to free. */
	json_t *arr = json_array();
	char *out = NULL, *why = NULL;
	size_t len;
	assert_int_equal(cartel__jcs_object(arr, NULL, &out, &len, NULL, NULL,
					    &why),
			 CARTEL_EINVAL);
	assert_null(out);
	free(why);
	json_decref(arr);
	json_decref(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc_example),
		cmocka_unit_test(rfc_sorting),
		cmocka_unit_test(rfc_numbers),
		cmocka_unit_test(numbers_in_text),
		cmocka_unit_test(strings),
		cmocka_unit_test(structure),
		cmocka_unit_test(idempotent),
		cmocka_unit_test(refused),
		cmocka_unit_test(without_members),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
