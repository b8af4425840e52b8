/*
 * The whole-person encoding of record.h.
 */
#include <stdlib.h>
#include <string.h>

#include <cartel/error.h>
#include <cartel/register.h>

#include "core/why.h"
#include "register/record.h"

static int
reserve(struct cartel__buf *b, size_t more)
{
	if (b->len + more + 1 <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 512;
	while (cap < b->len + more + 1)
		cap *= 2;
	char *d = realloc(b->data, cap);
	if (d == NULL)
		return CARTEL_ENOMEM;
	b->data = d;
	b->cap = cap;
	return 0;
}

static int
put_num(struct cartel__buf *b, size_t n)
{
	char tmp[24];
	size_t k = 0;
	do {
		tmp[k++] = (char)('0' + n % 10);
		n /= 10;
	} while (n > 0);
	if (reserve(b, k) != 0)
		return CARTEL_ENOMEM;
	while (k > 0)
		b->data[b->len++] = tmp[--k];
	return 0;
}

static int
put_net(struct cartel__buf *b, const char *s)
{
	size_t n = strlen(s);
	if (put_num(b, n) != 0 || reserve(b, n + 2) != 0)
		return CARTEL_ENOMEM;
	b->data[b->len++] = ':';
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len++] = ',';
	return 0;
}

int
cartel__record_encode(const struct cartel_person *p, struct cartel__buf *b)
{
	size_t n;
	const struct cartel_field *f = cartel_fields(&n);
	char buf[CARTEL_FIELD_TEXT_MAX];
	b->len = 0;
	if (reserve(b, 1) != 0)
		return CARTEL_ENOMEM;
	b->data[b->len++] = 'R';
	if (put_num(b, n) != 0 || reserve(b, 1) != 0)
		return CARTEL_ENOMEM;
	b->data[b->len++] = ';';
	for (size_t i = 0; i < n; i++) {
		/* An enum at its first value (unknown, not asked, none, ...)
		 * is written empty: decoding starts from a zeroed person, and
		 * it keeps the import's event log small. */
		const char *t = "";
		if (f[i].type != CARTEL_FIELD_ENUM ||
		    *(const int *)((const char *)p + f[i].offset) != 0)
			t = cartel_person_field_text(p, &f[i], buf, sizeof buf);
		if (put_net(b, t) != 0)
			return CARTEL_ENOMEM;
	}
	for (size_t i = 0; i < p->n_extra; i++)
		if (put_net(b, p->extra[i].key) != 0 ||
		    put_net(b, p->extra[i].value) != 0)
			return CARTEL_ENOMEM;
	b->data[b->len] = '\0';
	return 0;
}

/* Reads one netstring at s; sets start and len, and advances s. */
static int
get_net(const char **s, const char **start, size_t *len)
{
	const char *c = *s;
	size_t n = 0;
	if (*c < '0' || *c > '9')
		return -1;
	while (*c >= '0' && *c <= '9') {
		if (n > ((size_t)-1) / 10 - 10)
			return -1;
		n = n * 10 + (size_t)(*c - '0');
		c++;
	}
	if (*c != ':')
		return -1;
	c++;
	/* The value may hold any byte but NUL; check it is all there. */
	if (memchr(c, '\0', n) != NULL || c[n] != ',')
		return -1;
	*start = c;
	*len = n;
	*s = c + n + 1;
	return 0;
}

int
cartel__record_decode(struct cartel_person *p, const char *text, char **why)
{
	size_t n;
	const struct cartel_field *f = cartel_fields(&n);
	const char *s = text;
	if (s == NULL || *s++ != 'R')
		return cartel__why(why, CARTEL_EFORMAT,
				   "a creation record does not start with R");
	size_t count = 0;
	while (*s >= '0' && *s <= '9' && count < 100000)
		count = count * 10 + (size_t)(*s++ - '0');
	if (*s++ != ';' || count > n)
		return cartel__why(why, CARTEL_EFORMAT,
				   "a creation record has a bad field count "
				   "(or comes from a newer cartel)");
	char *tmp = NULL;
	size_t tmp_cap = 0, fields_read = 0;
	int err = 0;
	for (size_t i = 0; *s != '\0' && err == 0; i++) {
		const char *v, *kstart = NULL;
		size_t vlen, klen = 0;
		if (i >= count) {
			/* An attribute: key, then value. */
			if (get_net(&s, &kstart, &klen) != 0) {
				err = CARTEL_EFORMAT;
				break;
			}
		}
		if (get_net(&s, &v, &vlen) != 0) {
			err = CARTEL_EFORMAT;
			break;
		}
		size_t need = vlen + klen + 2;
		if (need > tmp_cap) {
			char *g = realloc(tmp, need);
			if (g == NULL) {
				err = cartel__why(why, CARTEL_ENOMEM,
						  "out of memory");
				break;
			}
			tmp = g;
			tmp_cap = need;
		}
		memcpy(tmp, v, vlen);
		tmp[vlen] = '\0';
		if (i < count && vlen == 0 && f[i].type == CARTEL_FIELD_ENUM) {
			/* The enum's first value, which *p already holds. */
			fields_read++;
		} else if (i < count) {
			err = cartel_person_set_field(p, &f[i], tmp, why);
			fields_read++;
		} else {
			char *key = tmp + vlen + 1;
			memcpy(key, kstart, klen);
			key[klen] = '\0';
			if (cartel_person_set_attr(p, key, tmp) != 0)
				err = cartel__why(why, CARTEL_ENOMEM,
						  "out of memory");
		}
	}
	free(tmp);
	if (err == 0 && fields_read < count)
		err = CARTEL_EFORMAT;
	if (err == CARTEL_EFORMAT)
		return cartel__why(why, err, "a creation record is malformed");
	return err;
}

void
cartel__buf_free(struct cartel__buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}
