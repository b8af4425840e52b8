/*
 * A large document parsed on two cores. A declaration is one JSON object
 * whose "persons" array is nearly all of its bytes; jansson parses on one
 * thread, so the array is cut between two of its elements near its middle
 * and each half is parsed by a thread of its own, the rest of the object
 * (with the array emptied) beside them. The halves' elements are then put
 * back into one array, in their order, under the same key: the same values
 * a parse of the whole text gives.
 *
 * The cut is found by a plain scan that follows strings (and their
 * escapes) and brackets. Whatever the scan does not recognise (no such
 * member at the top level, a value that is not an array, a short array),
 * and every text one of the three parses refuses, is parsed whole, the
 * usual way: a broken document gets exactly the error, with its line and
 * column, that a parse of the whole text gives.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "round/round_int.h"

/* Below this many bytes of array, one thread parses faster than two. */
#define SPLIT_MIN_BYTES (1u << 20)

static int
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int
cartel__json_find_cut(const char *t, size_t n, const char *key, size_t *open,
		      size_t *close, size_t *cut)
{
	size_t klen = strlen(key), i = 0;
	while (i < n && is_ws(t[i]))
		i++;
	if (i == n || t[i] != '{')
		return 0;
	int depth = 0, expect_key = 0, in_array = 0, found = 0;
	size_t mid = 0;
	*open = *close = *cut = 0;
	for (; i < n; i++) {
		char c = t[i];
		if (c == '"') {
			/* To the closing quote: the next one not escaped (not
			 * after an odd run of backslashes). */
			size_t s = i + 1;
			for (i = s;; i++) {
				const char *q = memchr(t + i, '"', n - i);
				if (q == NULL)
					return 0;
				i = (size_t)(q - t);
				size_t k = i;
				while (k > s && t[k - 1] == '\\')
					k--;
				if ((i - k) % 2 == 0)
					break;
			}
			if (depth != 1 || !expect_key)
				continue;
			expect_key = 0;
			if (found || i - s != klen || memcmp(t + s, key, klen) != 0)
				continue;
			size_t j = i + 1;
			while (j < n && is_ws(t[j]))
				j++;
			if (j >= n || t[j] != ':')
				return 0;
			for (j++; j < n && is_ws(t[j]); j++)
				;
			if (j >= n || t[j] != '[')
				return 0;
			found = in_array = 1;
			*open = j;
			mid = j + (n - j) / 2;
			depth = 2;
			i = j;
			continue;
		}
		switch (c) {
		case '{':
		case '[':
			depth++;
			if (depth == 1)
				expect_key = 1;
			break;
		case '}':
		case ']':
			depth--;
			if (in_array && depth == 1) {
				*close = i;
				in_array = 0;
			}
			if (depth < 0)
				return 0;
			break;
		case ',':
			if (depth == 1)
				expect_key = 1;
			else if (in_array && depth == 2 && *cut == 0 && i >= mid)
				*cut = i;
			break;
		default:
			break;
		}
	}
	return found && *close > *open && *cut > *open && *cut < *close &&
	       *close - *open >= SPLIT_MIN_BYTES;
}

struct half {
	char *buf;
	size_t len;
	size_t flags;
	json_t *v;
};

static void *
half_run(void *arg)
{
	struct half *h = arg;
	json_error_t err;
	h->v = json_loadb(h->buf, h->len, h->flags, &err);
	return NULL;
}

/* A new buffer: a, then t[from..to), then b. */
static char *
framed(char a, const char *t, size_t from, size_t to, char b, size_t *len)
{
	*len = to - from + 2;
	char *s = malloc(*len);
	if (s == NULL)
		return NULL;
	s[0] = a;
	memcpy(s + 1, t + from, to - from);
	s[*len - 1] = b;
	return s;
}

/* The array of a's elements then b's. */
static json_t *
joined(json_t *a, json_t *b)
{
	json_t *all = json_array();
	if (all == NULL || json_array_extend(all, a) != 0 ||
	    json_array_extend(all, b) != 0) {
		json_decref(all);
		return NULL;
	}
	return all;
}

static json_t *
load_split(const char *text, size_t len, const char *key, size_t flags,
	   size_t open, size_t close, size_t cut)
{
	json_t *doc = NULL;
	struct half a = {0}, b = {0};
	a.flags = b.flags = flags;
	a.buf = framed('[', text, open + 1, cut, ']', &a.len);
	b.buf = framed('[', text, cut + 1, close, ']', &b.len);
	/* The object with the array emptied: its text up to and with the
	 * '[', then from the ']' on. */
	size_t stub_len = open + 1 + (len - close);
	char *stub = malloc(stub_len);
	if (a.buf == NULL || b.buf == NULL || stub == NULL)
		goto out;
	memcpy(stub, text, open + 1);
	memcpy(stub + open + 1, text + close, len - close);
	pthread_t th;
	int threaded = pthread_create(&th, NULL, half_run, &b) == 0;
	half_run(&a);
	json_error_t err;
	doc = json_loadb(stub, stub_len, flags, &err);
	if (threaded)
		pthread_join(th, NULL);
	else
		half_run(&b);
	json_t *all = NULL;
	/* Each half holds at least one element: "[ , x]" parses as two
	 * halves "[ ]" and "[x]", but is no array. */
	if (doc == NULL || json_array_size(a.v) == 0 ||
	    json_array_size(b.v) == 0 || !json_is_array(json_object_get(doc, key)) ||
	    json_array_size(json_object_get(doc, key)) != 0 ||
	    (all = joined(a.v, b.v)) == NULL ||
	    json_object_set_new(doc, key, all) != 0) {
		json_decref(doc);
		doc = NULL;
	}
out:
	json_decref(a.v);
	json_decref(b.v);
	free(a.buf);
	free(b.buf);
	free(stub);
	return doc;
}

json_t *
cartel__json_load_split(const char *text, size_t len, const char *key,
			size_t flags, json_error_t *err)
{
	size_t open, close, cut;
	if (cartel__json_find_cut(text, len, key, &open, &close, &cut)) {
		json_t *doc = load_split(text, len, key, flags, open, close,
					 cut);
		if (doc != NULL)
			return doc;
	}
	return json_loadb(text, len, flags, err);
}
