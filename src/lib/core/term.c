/*
 * Escaping stored values for a terminal (see <cartel/term.h>). One
 * walk over the bytes serves both the stream and the string forms: each
 * run of bytes safe to show is passed on as it is, each unsafe byte or
 * control character as its escape.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cartel/term.h>

/* Where the bytes go: a stream, or a buffer being counted or filled. */
struct sink {
	FILE *fp;
	char *buf;
	size_t len;
	int err;
};

static void
put(struct sink *k, const char *p, size_t n)
{
	if (k->fp != NULL) {
		if (n > 0 && fwrite(p, 1, n, k->fp) != n)
			k->err = 1;
	} else if (k->buf != NULL) {
		memcpy(k->buf + k->len, p, n);
	}
	k->len += n;
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when the bytes there
 * are not one (overlong forms, surrogates and values past U+10FFFF are
 * not). */
static size_t
utf8_len(const unsigned char *s)
{
	unsigned c = s[0];
	size_t n;
	unsigned min, cp;
	if (c < 0x80)
		return 1;
	if ((c & 0xe0) == 0xc0) {
		n = 2;
		min = 0x80;
		cp = c & 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3;
		min = 0x800;
		cp = c & 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4;
		min = 0x10000;
		cp = c & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static void
escape(struct sink *k, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t run = 0; /* bytes at u[0..run) safe, not yet passed on */
	char esc[8];
	while (u[run] != '\0') {
		unsigned c = u[run];
		size_t n = utf8_len(u + run);
		if (n == 0) {
			snprintf(esc, sizeof esc, "\\x%02x", c);
			n = 1;
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof esc, "\\x%02x", c);
		} else if (c == '\\') {
			snprintf(esc, sizeof esc, "\\\\");
		} else if (c == 0xc2 && u[run + 1] >= 0x80 &&
			   u[run + 1] <= 0x9f) {
			/* C1 controls, U+0080..U+009F: CSI among them. */
			snprintf(esc, sizeof esc, "\\u%04x", u[run + 1]);
		} else {
			run += n;
			continue;
		}
		put(k, (const char *)u, run);
		put(k, esc, strlen(esc));
		u += run + n;
		run = 0;
	}
	put(k, (const char *)u, run);
}

int
cartel_term_fputs(const char *s, FILE *fp)
{
	if (s == NULL)
		return 0;
	struct sink k = {fp, NULL, 0, 0};
	escape(&k, s);
	return k.err ? EOF : 0;
}

char *
cartel_term_escape(const char *s)
{
	if (s == NULL)
		return NULL;
	struct sink k = {NULL, NULL, 0, 0};
	escape(&k, s);
	k.buf = malloc(k.len + 1);
	if (k.buf == NULL)
		return NULL;
	k.len = 0;
	escape(&k, s);
	k.buf[k.len] = '\0';
	return k.buf;
}
