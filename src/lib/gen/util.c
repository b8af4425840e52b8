/*
 * The generator's small tools: a seeded random stream that gives the same
 * numbers on every machine, weighted choice, UTF-8 and string helpers, and
 * the feminine-surname rule of data/surnames.tsv.
 */
#include <stdlib.h>
#include <string.h>

#include <unicode/ucasemap.h>

#include <cartel/error.h>

#include "core/why.h"
#include "gen/gen_int.h"

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void
cartel__gen_rng_seed(struct gen_rng *r, uint64_t seed)
{
	uint64_t x = seed;
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t
cartel__gen_rng_next(struct gen_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double
cartel__gen_rng_unit(struct gen_rng *r)
{
	/* The top 53 bits make an exactly representable double in [0, 1). */
	return (double)(cartel__gen_rng_next(r) >> 11) * 0x1.0p-53;
}

size_t
cartel__gen_rng_below(struct gen_rng *r, size_t n)
{
	/* The modulo bias is below 2^-40 for the sizes used here. */
	return (size_t)(cartel__gen_rng_next(r) % (uint64_t)n);
}

int
cartel__gen_rng_chance(struct gen_rng *r, double p)
{
	return cartel__gen_rng_unit(r) < p;
}

int
cartel__gen_pick_init(struct gen_pick *p, size_t n_items,
                      double (*weight_of)(size_t i, void *ctx), void *ctx,
                      char **why)
{
	memset(p, 0, sizeof *p);
	p->cum = malloc((n_items ? n_items : 1) * sizeof *p->cum);
	p->idx = malloc((n_items ? n_items : 1) * sizeof *p->idx);
	if (p->cum == NULL || p->idx == NULL) {
		cartel__gen_pick_free(p);
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	}
	double sum = 0;
	for (size_t i = 0; i < n_items; i++) {
		double w = weight_of(i, ctx);
		if (!(w > 0))
			continue;
		sum += w;
		p->cum[p->n] = sum;
		p->idx[p->n] = i;
		p->n++;
	}
	if (p->n == 0) {
		cartel__gen_pick_free(p);
		return cartel__why(why, CARTEL_EINVAL,
				   "the name data have no rows to choose from");
	}
	return 0;
}

size_t
cartel__gen_pick(const struct gen_pick *p, struct gen_rng *r)
{
	double x = cartel__gen_rng_unit(r) * p->cum[p->n - 1];
	size_t lo = 0, hi = p->n - 1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (p->cum[mid] > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return p->idx[lo];
}

void
cartel__gen_pick_free(struct gen_pick *p)
{
	free(p->cum);
	free(p->idx);
	memset(p, 0, sizeof *p);
}

long
cartel__gen_utf8_next(const char **sp)
{
	const unsigned char *s = (const unsigned char *)*sp;
	long cp;
	int n;
	if (s[0] < 0x80) {
		*sp += 1;
		return s[0];
	} else if ((s[0] & 0xe0) == 0xc0) {
		cp = s[0] & 0x1f;
		n = 1;
	} else if ((s[0] & 0xf0) == 0xe0) {
		cp = s[0] & 0x0f;
		n = 2;
	} else if ((s[0] & 0xf8) == 0xf0) {
		cp = s[0] & 0x07;
		n = 3;
	} else {
		*sp += 1;
		return -1;
	}
	for (int i = 1; i <= n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*sp += 1;
			return -1;
		}
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	*sp += n + 1;
	return cp;
}

size_t
cartel__gen_utf8_put(char *buf, long cp)
{
	unsigned char *b = (unsigned char *)buf;
	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		return 1;
	} else if (cp < 0x800) {
		b[0] = (unsigned char)(0xc0 | (cp >> 6));
		b[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	} else if (cp < 0x10000) {
		b[0] = (unsigned char)(0xe0 | (cp >> 12));
		b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	b[0] = (unsigned char)(0xf0 | (cp >> 18));
	b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	b[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

void
cartel__gen_buf_add(struct gen_buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *t = realloc(b->s, cap);
		if (t == NULL) {
			b->oom = 1;
			return;
		}
		b->s = t;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
cartel__gen_buf_adds(struct gen_buf *b, const char *s)
{
	cartel__gen_buf_add(b, s, strlen(s));
}

void
cartel__gen_buf_addcp(struct gen_buf *b, long cp)
{
	char tmp[4];
	cartel__gen_buf_add(b, tmp, cartel__gen_utf8_put(tmp, cp));
}

char *
cartel__gen_buf_take(struct gen_buf *b)
{
	char *s = b->oom ? NULL : b->s;
	if (b->oom)
		free(b->s);
	else if (s == NULL)
		s = calloc(1, 1);
	memset(b, 0, sizeof *b);
	return s;
}

char *
cartel__gen_upper(const char *s)
{
	UErrorCode st = U_ZERO_ERROR;
	/* Ukrainian rules cover both alphabets' letters (і ї є ґ too). */
	UCaseMap *cm = ucasemap_open("uk", 0, &st);
	if (U_FAILURE(st))
		return NULL;
	int32_t len = (int32_t)strlen(s);
	int32_t cap = len * 2 + 8;
	char *out = malloc((size_t)cap);
	if (out != NULL) {
		ucasemap_utf8ToUpper(cm, out, cap, s, len, &st);
		if (U_FAILURE(st)) {
			free(out);
			out = NULL;
		}
	}
	ucasemap_close(cm);
	return out;
}

static int
ends(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);
	return n >= k && memcmp(s + n - k, suf, k) == 0;
}

static char *
replace_end(const char *s, size_t cut, const char *add)
{
	return cartel__asprintf("%.*s%s", (int)(strlen(s) - cut), s, add);
}

char *
cartel__gen_surname_feminine(const char *m, int ukrainian)
{
	static const char *const plus_a[] = {
		"ов", "ев", "єв", "ёв", "ин", "ін", "ын", "їн",
	};
	for (size_t i = 0; i < sizeof plus_a / sizeof *plus_a; i++)
		if (ends(m, plus_a[i]))
			return cartel__asprintf("%sа", m);
	if (ukrainian) {
		/* Ukrainian adjectival surnames: -ський -> -ська,
		 * -ний -> -на. */
		if (ends(m, "ий"))
			return replace_end(m, strlen("ий"), "а");
		return cartel__strdup(m);
	}
	if (ends(m, "ий") || ends(m, "ый") || ends(m, "ой"))
		return replace_end(m, strlen("ий"), "ая");
	return cartel__strdup(m);
}

long
cartel__gen_days(int y, int m, int d)
{
	/* Days from civil (H. Hinnant's published algorithm). */
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
cartel__gen_civil(long z, int *y, int *m, int *d)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}
