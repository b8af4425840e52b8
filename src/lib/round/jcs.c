/*
 * RFC 8785, the JSON Canonicalization Scheme, written over jansson values.
 *
 * The two parties sign the bytes of a list document, so both must produce
 * exactly the same bytes from the same JSON whatever program wrote it. JCS
 * fixes the three things JSON leaves open: object members are sorted by
 * their names compared as UTF-16 code units (not as UTF-8 bytes, which
 * order differently above U+FFFF), strings are escaped in one way only,
 * and numbers are written as ECMAScript's Number.prototype.toString writes
 * a double. Nothing else is emitted: no whitespace at all.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ustring.h>

#include <cartel/error.h>
#include <cartel/limits.h>
#include <cartel/round.h>

#include "core/why.h"
#include "round/jcs.h"

struct buf {
	char *p;
	size_t len, cap;
	int oom;
};

static void
put(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (p == NULL) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

int
cartel__jcs_number(double d, char *buf, size_t size)
{
	if (!isfinite(d) || size < 32)
		return CARTEL_EINVAL;
	/* Both zeros are "0" (ECMAScript prints -0 as 0). */
	if (d == 0) {
		snprintf(buf, size, "0");
		return 0;
	}
	int neg = d < 0;
	if (neg)
		d = -d;
	/* The shortest decimal that reads back as the same double. glibc's
	 * %e rounds correctly, so for each precision it gives the nearest
	 * decimal of that many digits; the first that round-trips is the
	 * one ECMAScript chooses (fewest digits, then closest). */
	char e[40];
	for (int p = 1; p <= 17; p++) {
		snprintf(e, sizeof e, "%.*e", p - 1, d);
		if (strtod(e, NULL) == d)
			break;
	}
	/* e is "D[.DDD]e[+-]XX": collect the digits and the exponent. */
	char digits[24];
	size_t k = 0;
	const char *c = e;
	for (; *c != 'e' && *c != '\0'; c++)
		if (*c >= '0' && *c <= '9' && k < sizeof digits - 1)
			digits[k++] = *c;
	digits[k] = '\0';
	long exp10 = *c == 'e' ? strtol(c + 1, NULL, 10) : 0;
	while (k > 1 && digits[k - 1] == '0')
		digits[--k] = '\0';
	/* ECMAScript's n: the value is digits x 10^(n-k). */
	long n = exp10 + 1;
	char out[64];
	size_t o = 0;
	if (neg)
		out[o++] = '-';
	if ((long)k <= n && n <= 21) {
		memcpy(out + o, digits, k);
		o += k;
		for (long i = 0; i < n - (long)k; i++)
			out[o++] = '0';
	} else if (0 < n && n <= 21) {
		memcpy(out + o, digits, (size_t)n);
		o += (size_t)n;
		out[o++] = '.';
		memcpy(out + o, digits + n, k - (size_t)n);
		o += k - (size_t)n;
	} else if (-6 < n && n <= 0) {
		out[o++] = '0';
		out[o++] = '.';
		for (long i = 0; i < -n; i++)
			out[o++] = '0';
		memcpy(out + o, digits, k);
		o += k;
	} else {
		out[o++] = digits[0];
		if (k > 1) {
			out[o++] = '.';
			memcpy(out + o, digits + 1, k - 1);
			o += k - 1;
		}
		int w = snprintf(out + o, sizeof out - o, "e%c%ld",
				 n - 1 < 0 ? '-' : '+', labs(n - 1));
		o += (size_t)w;
	}
	out[o] = '\0';
	snprintf(buf, size, "%s", out);
	return 0;
}

static void
put_string(struct buf *b, const char *s, size_t n)
{
	put(b, "\"", 1);
	size_t run = 0; /* start of the bytes copied as they are */
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		const char *esc = NULL;
		char u[8];
		if (ch == '"')
			esc = "\\\"";
		else if (ch == '\\')
			esc = "\\\\";
		else if (ch < 0x20) {
			switch (ch) {
			case '\b': esc = "\\b"; break;
			case '\t': esc = "\\t"; break;
			case '\n': esc = "\\n"; break;
			case '\f': esc = "\\f"; break;
			case '\r': esc = "\\r"; break;
			default:
				snprintf(u, sizeof u, "\\u%04x", ch);
				esc = u;
			}
		}
		if (esc == NULL)
			continue;
		put(b, s + run, i - run);
		puts_(b, esc);
		run = i + 1;
	}
	put(b, s + run, n - run);
	put(b, "\"", 1);
}

struct member {
	const char *key;
	size_t key_len;
	UChar *u16;
	int32_t u16_len;
	json_t *value;
};

static int
member_cmp(const void *a, const void *b)
{
	const struct member *x = a, *y = b;
	/* codePointOrder = FALSE: compare UTF-16 code units, as RFC 8785
	 * section 3.2.3 requires. */
	return u_strCompare(x->u16, x->u16_len, y->u16, y->u16_len, 0);
}

/* Keys that are all ASCII sort in UTF-16 code-unit order exactly as their
 * bytes do, so an object whose keys are all ASCII (nearly every object
 * cartel signs) is sorted without converting them. */
static int
member_cmp_ascii(const void *a, const void *b)
{
	const struct member *x = a, *y = b;
	size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
	int c = memcmp(x->key, y->key, n);
	if (c != 0)
		return c;
	return x->key_len < y->key_len ? -1 : x->key_len > y->key_len;
}

static int
ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

static int emit(struct buf *b, const json_t *v, char **why, int depth);

/* Objects of up to this many members sort their members on the stack: a
 * person entry has a handful, and there are tens of thousands of them. */
#define SMALL_OBJECT 16

static int
dropped(const char *key, const char *const *drop)
{
	for (; drop != NULL && *drop != NULL; drop++)
		if (strcmp(key, *drop) == 0)
			return 1;
	return 0;
}

/* Writes object v without the members named in drop (NULL: none). When
 * spans is not NULL it receives, in canonical order, where each member
 * written lies in b (an array of at least json_object_size(v)). */
static int
emit_object(struct buf *b, const json_t *v, const char *const *drop,
	    struct cartel__jcs_member *spans, size_t *n_spans, char **why,
	    int depth)
{
	size_t n = json_object_size(v);
	struct member small[SMALL_OBJECT];
	struct member *m = small;
	if (n > SMALL_OBJECT) {
		m = calloc(n, sizeof *m);
		if (m == NULL)
			return CARTEL_ENOMEM;
	}
	int rc = 0;
	size_t i = 0;
	const char *key;
	json_t *val;
	int all_ascii = 1;
	json_object_foreach((json_t *)v, key, val)
	{
		if (dropped(key, drop))
			continue;
		m[i].key = key;
		m[i].key_len = strlen(key);
		m[i].u16 = NULL;
		m[i].value = val;
		all_ascii = all_ascii && ascii(key, m[i].key_len);
		i++;
	}
	n = i;
	i = 0;
	if (all_ascii) {
		qsort(m, n, sizeof *m, member_cmp_ascii);
		goto sorted;
	}
	for (i = 0; i < n; i++) {
		key = m[i].key;
		UErrorCode st = U_ZERO_ERROR;
		int32_t need = 0;
		u_strFromUTF8(NULL, 0, &need, key, (int32_t)m[i].key_len,
			      &st);
		if (st != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(st)) {
			rc = cartel__why(why, CARTEL_EINVAL,
					 "an object key is not valid UTF-8");
			i++;
			goto out;
		}
		m[i].u16 = malloc(((size_t)need + 1) * sizeof(UChar));
		if (m[i].u16 == NULL) {
			rc = CARTEL_ENOMEM;
			i++;
			goto out;
		}
		st = U_ZERO_ERROR;
		u_strFromUTF8(m[i].u16, need + 1, &m[i].u16_len, key,
			      (int32_t)m[i].key_len, &st);
		if (U_FAILURE(st)) {
			rc = cartel__why(why, CARTEL_EINVAL,
					 "an object key is not valid UTF-8");
			i++;
			goto out;
		}
	}
	qsort(m, n, sizeof *m, member_cmp);
sorted:
	put(b, "{", 1);
	for (size_t j = 0; j < n && rc == 0; j++) {
		if (j > 0)
			put(b, ",", 1);
		size_t at = b->len;
		put_string(b, m[j].key, m[j].key_len);
		put(b, ":", 1);
		size_t value = b->len;
		rc = emit(b, m[j].value, why, depth + 1);
		if (spans != NULL) {
			spans[j].key = m[j].key;
			spans[j].at = at;
			spans[j].value = value;
			spans[j].end = b->len;
			*n_spans = j + 1;
		}
	}
	put(b, "}", 1);
out:
	for (size_t j = 0; j < i; j++)
		free(m[j].u16);
	if (m != small)
		free(m);
	return rc;
}

static int
emit(struct buf *b, const json_t *v, char **why, int depth)
{
	char num[40];
	if (depth > CARTEL_LIMIT_JSON_DEPTH)
		return cartel__why(why, CARTEL_ERANGE,
				   "JSON nested deeper than %d levels",
				   CARTEL_LIMIT_JSON_DEPTH);
	switch (json_typeof(v)) {
	case JSON_NULL: puts_(b, "null"); return 0;
	case JSON_TRUE: puts_(b, "true"); return 0;
	case JSON_FALSE: puts_(b, "false"); return 0;
	case JSON_INTEGER:
		/* JSON numbers are IEEE doubles in JCS: an integer is written
		 * as the double nearest to it. */
		cartel__jcs_number((double)json_integer_value(v), num,
				   sizeof num);
		puts_(b, num);
		return 0;
	case JSON_REAL:
		if (cartel__jcs_number(json_real_value(v), num, sizeof num))
			return cartel__why(why, CARTEL_EINVAL,
					   "a number is NaN or infinite, "
					   "which JSON cannot carry");
		puts_(b, num);
		return 0;
	case JSON_STRING:
		put_string(b, json_string_value(v), json_string_length(v));
		return 0;
	case JSON_ARRAY: {
		put(b, "[", 1);
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i > 0)
				put(b, ",", 1);
			int rc = emit(b, json_array_get(v, i), why, depth + 1);
			if (rc)
				return rc;
		}
		put(b, "]", 1);
		return 0;
	}
	case JSON_OBJECT:
		return emit_object(b, v, NULL, NULL, NULL, why, depth);
	}
	return CARTEL_EINVAL;
}

int
cartel__jcs(const json_t *v, char **out, size_t *len, char **why)
{
	struct buf b = {NULL, 0, 0, 0};
	*out = NULL;
	if (len)
		*len = 0;
	int rc = emit(&b, v, why, 0);
	if (rc == 0 && b.oom)
		rc = CARTEL_ENOMEM;
	if (rc == 0 && b.p == NULL) {
		b.p = strdup("");
		if (b.p == NULL)
			rc = CARTEL_ENOMEM;
	}
	if (rc) {
		free(b.p);
		return rc;
	}
	*out = b.p;
	if (len)
		*len = b.len;
	return 0;
}

int
cartel__jcs_object(const json_t *obj, const char *const *drop, char **out,
		   size_t *len, struct cartel__jcs_member **members,
		   size_t *n_members, char **why)
{
	struct buf b = {NULL, 0, 0, 0};
	struct cartel__jcs_member *spans = NULL;
	size_t n_spans = 0;
	*out = NULL;
	if (len)
		*len = 0;
	if (members != NULL) {
		*members = NULL;
		*n_members = 0;
	}
	if (!json_is_object(obj))
		return cartel__why(why, CARTEL_EINVAL, "not a JSON object");
	if (members != NULL) {
		size_t n = json_object_size(obj);
		spans = calloc(n ? n : 1, sizeof *spans);
		if (spans == NULL)
			return CARTEL_ENOMEM;
	}
	int rc = emit_object(&b, obj, drop, spans, &n_spans, why, 0);
	if (rc == 0 && b.oom)
		rc = CARTEL_ENOMEM;
	if (rc) {
		free(b.p);
		free(spans);
		return rc;
	}
	*out = b.p;
	if (len)
		*len = b.len;
	if (members != NULL) {
		*members = spans;
		*n_members = n_spans;
	}
	return 0;
}

void
cartel__jcs_cut(const char *text, size_t len,
		const struct cartel__jcs_member *m, size_t n, size_t i,
		struct cartel__jcs_piece piece[2])
{
	/* A member goes with the comma before it; the first, with the comma
	 * after it; an only member leaves "{}". */
	size_t from = m[i].at, to = m[i].end;
	if (i > 0)
		from--;
	else if (n > 1)
		to++;
	piece[0].p = text;
	piece[0].n = from;
	piece[1].p = text + to;
	piece[1].n = len - to;
}

int
cartel_jcs_canonicalize(const char *json, size_t len, char **out,
			size_t *out_len, char **why)
{
	*out = NULL;
	json_error_t jerr;
	/* Numbers as doubles: JCS defines them as IEEE 754 double values,
	 * and an integer past 2^63 is still a JSON number. */
	json_t *v = json_loadb(json, len,
			       JSON_REJECT_DUPLICATES | JSON_DECODE_ANY |
				       JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL,
			       &jerr);
	if (v == NULL)
		return cartel__why(why, CARTEL_EFORMAT,
				   "not JSON: line %d column %d: %s",
				   jerr.line, jerr.column, jerr.text);
	int rc = cartel__jcs(v, out, out_len, why);
	json_decref(v);
	return rc;
}
