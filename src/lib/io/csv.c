/*
 * The CSV reader and writer of <cartel/csv.h>.
 *
 * The reader is a small state machine over a 64 KiB read buffer. A record's
 * fields are copied into one growing byte array, NUL-separated, and handed
 * out as pointers into it. When a record is malformed the machine still
 * follows quoting to the record's real end, so that one bad row costs that
 * row alone and the next call starts cleanly on the next one.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ucnv.h>
#include <unicode/ucsdet.h>

#include <cartel/csv.h>
#include <cartel/error.h>
#include <cartel/limits.h>

#include "core/intl.h"
#include "core/why.h"
#include "io/csv_int.h"

#define READ_SIZE 65536
/* Bytes of a file in another encoding read at a time, and the UTF-16
 * units they are converted to on the way to UTF-8. */
#define RAW_SIZE 16384
#define U_SIZE 8192

struct cartel_csv {
	FILE *fp;
	char *name;
	size_t max_field;

	unsigned char buf[READ_SIZE];
	size_t pos, len;
	int eof, read_error, started;

	char *data; /* the current record's fields, NUL-separated */
	size_t data_len, data_cap;
	size_t *starts; /* offset of each field in data */
	char **fields;
	size_t n_fields, cap_fields;

	size_t record_no; /* records returned so far */
	size_t line;      /* current line (1-based) */
	size_t rec_line;  /* line where the last record began */

	int delim; /* the field separator */
	int sniff; /* 1: delim is chosen from the header */

	/* Set by cartel_csv_set_encoding: the file's bytes go through ICU
	 * into UTF-8 before the machine sees them. */
	UConverter *from, *to_utf8;
	char *enc_name;
	char raw[RAW_SIZE];
	size_t raw_pos, raw_len;
	int raw_eof, conv_done, conv_error;
	UChar u[U_SIZE]; /* converted, not yet written as UTF-8 */
	size_t u_pos, u_len;

	/* The last record refused: its column (0: the whole row) and the
	 * reason in the reader's words, for a reject report
	 * (cartel__csv_bad). */
	size_t bad_column;
	char *bad_reason;
};

int
cartel_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < len) {
		unsigned c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t n;
		uint32_t cp;
		if (c >= 0xC2 && c <= 0xDF) {
			n = 1;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			n = 2;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (len - i <= n)
			return 0;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += n + 1;
	}
	return 1;
}

int
cartel_csv_open(struct cartel_csv **out, FILE *fp, const char *name,
		size_t max_field)
{
	struct cartel_csv *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return CARTEL_ENOMEM;
	c->fp = fp;
	c->name = strdup(name ? name : "input");
	c->max_field = max_field ? max_field : CARTEL_CSV_MAX_FIELD;
	if (c->max_field > CARTEL_LIMIT_LINE)
		c->max_field = CARTEL_LIMIT_LINE;
	c->line = 1;
	c->delim = ',';
	if (c->name == NULL) {
		free(c);
		return CARTEL_ENOMEM;
	}
	*out = c;
	return 0;
}

void
cartel_csv_close(struct cartel_csv *c)
{
	if (c == NULL)
		return;
	if (c->from != NULL)
		ucnv_close(c->from);
	if (c->to_utf8 != NULL)
		ucnv_close(c->to_utf8);
	free(c->enc_name);
	free(c->bad_reason);
	free(c->name);
	free(c->data);
	free(c->starts);
	free(c->fields);
	free(c);
}

size_t
cartel_csv_record_no(const struct cartel_csv *c)
{
	return c->record_no;
}

size_t
cartel_csv_line_no(const struct cartel_csv *c)
{
	return c->rec_line;
}

/* Fills buf with the next UTF-8 bytes converted from the file's encoding;
 * returns how many. The file's bytes go to UTF-16 first, then to UTF-8, so
 * that what precedes a byte sequence the encoding does not have is still
 * delivered before the conversion stops there (conv_error): a file is
 * never read with guessed characters. */
static size_t
convert_more(struct cartel_csv *c)
{
	char *t = (char *)c->buf, *tl = (char *)c->buf + READ_SIZE;
	for (;;) {
		if (c->u_pos < c->u_len) {
			const UChar *us = c->u + c->u_pos;
			UErrorCode st = U_ZERO_ERROR;
			ucnv_fromUnicode(c->to_utf8, &t, tl, &us,
					 c->u + c->u_len, NULL, 0, &st);
			c->u_pos = (size_t)(us - c->u);
			if (st == U_BUFFER_OVERFLOW_ERROR || t == tl)
				break;
			if (U_FAILURE(st)) {
				c->conv_error = 1;
				break;
			}
			continue;
		}
		if (t != (char *)c->buf || c->conv_error || c->conv_done)
			break;
		if (c->raw_pos == c->raw_len && !c->raw_eof) {
			c->raw_len = fread(c->raw, 1, RAW_SIZE, c->fp);
			c->raw_pos = 0;
			if (c->raw_len < RAW_SIZE) {
				c->raw_eof = 1;
				if (ferror(c->fp))
					c->read_error = 1;
			}
		}
		const char *s = c->raw + c->raw_pos;
		UChar *ut = c->u;
		UErrorCode st = U_ZERO_ERROR;
		ucnv_toUnicode(c->from, &ut, c->u + U_SIZE, &s,
			       c->raw + c->raw_len, NULL, c->raw_eof, &st);
		c->raw_pos = (size_t)(s - c->raw);
		c->u_pos = 0;
		c->u_len = (size_t)(ut - c->u);
		if (U_FAILURE(st) && st != U_BUFFER_OVERFLOW_ERROR)
			c->conv_error = 1;
		else if (c->raw_eof && c->raw_pos == c->raw_len &&
			 st != U_BUFFER_OVERFLOW_ERROR)
			c->conv_done = 1;
	}
	return (size_t)(t - (char *)c->buf);
}

/* Returns the next byte, or -1 at end of file or on a read error. */
static int
get(struct cartel_csv *c)
{
	if (c->pos == c->len) {
		if (c->eof)
			return -1;
		if (c->from != NULL) {
			c->len = convert_more(c);
			c->pos = 0;
			if (c->len == 0) {
				c->eof = 1;
				return -1;
			}
			return c->buf[c->pos++];
		}
		c->len = fread(c->buf, 1, READ_SIZE, c->fp);
		c->pos = 0;
		if (c->len < READ_SIZE) {
			c->eof = 1;
			if (ferror(c->fp))
				c->read_error = 1;
		}
		if (c->len == 0)
			return -1;
	}
	return c->buf[c->pos++];
}

static int
peek(struct cartel_csv *c)
{
	int ch = get(c);
	if (ch >= 0)
		c->pos--;
	return ch;
}

static int
push_byte(struct cartel_csv *c, char b)
{
	if (c->data_len == c->data_cap) {
		size_t cap = c->data_cap ? c->data_cap * 2 : 4096;
		char *d = realloc(c->data, cap);
		if (d == NULL)
			return CARTEL_ENOMEM;
		c->data = d;
		c->data_cap = cap;
	}
	c->data[c->data_len++] = b;
	return 0;
}

static int
start_field(struct cartel_csv *c)
{
	if (c->n_fields == c->cap_fields) {
		size_t cap = c->cap_fields ? c->cap_fields * 2 : 32;
		size_t *s = realloc(c->starts, cap * sizeof(*s));
		if (s == NULL)
			return CARTEL_ENOMEM;
		c->starts = s;
		char **f = realloc(c->fields, cap * sizeof(*f));
		if (f == NULL)
			return CARTEL_ENOMEM;
		c->fields = f;
		c->cap_fields = cap;
	}
	c->starts[c->n_fields++] = c->data_len;
	return 0;
}

/* Records the first problem of a record; later ones are dropped. A
 * column of 0 is a problem of the whole record. */
struct pending {
	int err;
	size_t column;
	const char *what;
};

static void
note(struct pending *p, int err, size_t column, const char *what)
{
	if (p->err == 0) {
		p->err = err;
		p->column = column;
		p->what = what;
	}
}

int
cartel_csv_set_delimiter(struct cartel_csv *c, int delim, char **why)
{
	if (delim == 0) {
		c->sniff = 1;
		return 0;
	}
	if (delim != '\t' &&
	    (delim < 0x21 || delim > 0x7E || delim == '"' ||
	     (delim >= '0' && delim <= '9') || (delim >= 'A' && delim <= 'Z') ||
	     (delim >= 'a' && delim <= 'z')))
		return cartel__why(why, CARTEL_EINVAL,
				   "the delimiter must be a tab or one ASCII "
				   "punctuation character other than a quote");
	c->delim = delim;
	c->sniff = 0;
	return 0;
}

/* 1 when name is one of ICU's names of UTF-8. */
static int
is_utf8_name(const char *name)
{
	return ucnv_compareNames(name, "UTF-8") == 0 ||
	       ucnv_compareNames(name, "UTF8") == 0;
}

int
cartel_csv_set_encoding(struct cartel_csv *c, const char *name, char **why)
{
	if (name == NULL || name[0] == '\0' || is_utf8_name(name))
		return 0;
	UErrorCode st = U_ZERO_ERROR;
	UConverter *from = ucnv_open(name, &st);
	if (U_FAILURE(st) || from == NULL ||
	    strlen(name) > 64)
		return cartel__why(why, CARTEL_EINVAL,
				   "unknown encoding '%.40s' (for example "
				   "windows-1251, UTF-16, KOI8-R)",
				   name);
	UConverter *to = ucnv_open("UTF-8", &st);
	char *copy = strdup(name);
	if (U_FAILURE(st) || to == NULL || copy == NULL) {
		ucnv_close(from);
		if (to != NULL)
			ucnv_close(to);
		free(copy);
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	}
	/* Stop at a byte sequence the encoding does not have, instead of
	 * putting a replacement character into a register. */
	ucnv_setToUCallBack(from, UCNV_TO_U_CALLBACK_STOP, NULL, NULL, NULL,
			    &st);
	if (c->from != NULL)
		ucnv_close(c->from);
	if (c->to_utf8 != NULL)
		ucnv_close(c->to_utf8);
	free(c->enc_name);
	c->from = from;
	c->to_utf8 = to;
	c->enc_name = copy;
	return 0;
}

int
cartel_csv_delimiter(const struct cartel_csv *c)
{
	return c->delim;
}

static int
conv_failed(struct cartel_csv *c, size_t row, char **why)
{
	/* Said once; the reader then stands at its end. */
	c->eof = 1;
	c->conv_error = 0;
	c->pos = c->len = 0;
	free(c->bad_reason);
	c->bad_column = 0;
	c->bad_reason = cartel__asprintf(
		_("the bytes there are not %s text; the file was not read (is "
		  "--encoding right?)"),
		c->enc_name ? c->enc_name : "UTF-8");
	return cartel__why(why, CARTEL_EIO, "%s: row %zu (line %zu): %s",
			   c->name, row, c->line,
			   c->bad_reason ? c->bad_reason : "");
}

const char *
cartel__csv_bad(const struct cartel_csv *c, size_t *column)
{
	*column = c->bad_column;
	return c->bad_reason;
}

/* What a file that is not UTF-8 looks like, from its first bytes: a
 * UTF-16 pattern of NULs, the letters of Windows-1251, else ICU's
 * charset detector's best guess. Static storage, or NULL. */
static const char *
guess_encoding(const unsigned char *b, size_t n, int strong_only)
{
	/* UTF-16 shows in the high bytes of its units: 0 for Latin, 4 for
	 * Cyrillic; a text in it has few distinct bytes on one side. */
	size_t m = n < 4096 ? n : 4096;
	size_t count[2][256] = {{0}};
	for (size_t i = 0; i + 1 < m; i += 2) {
		count[0][b[i]]++;
		count[1][b[i + 1]]++;
	}
	size_t units = m / 2;
	for (int side = 0; side < 2 && units >= 2; side++) {
		size_t z = count[side][0x00], cyr = count[side][0x04];
		if ((z + cyr) * 10 >= units * 9 && z > 0 &&
		    count[!side][0x00] * 10 < units)
			return side ? "UTF-16LE (no byte-order mark)"
				    : "UTF-16BE (no byte-order mark)";
	}
	const char *det = NULL;
	int conf = 0;
	UErrorCode st = U_ZERO_ERROR;
	UCharsetDetector *d = ucsdet_open(&st);
	if (U_SUCCESS(st)) {
		ucsdet_setText(d, (const char *)b, (int32_t)m, &st);
		const UCharsetMatch *cm = ucsdet_detect(d, &st);
		if (U_SUCCESS(st) && cm != NULL) {
			det = ucsdet_getName(cm, &st);
			conf = ucsdet_getConfidence(cm, &st);
			if (U_FAILURE(st))
				det = NULL;
		}
	}
	static const char *const cyrillic[] = {"KOI8-R", "IBM866",
					       "ISO-8859-5"};
	const char *out = NULL;
	for (size_t i = 0; det != NULL && i < 3; i++)
		if (strcmp(det, cyrillic[i]) == 0 && conf >= 30)
			out = cyrillic[i];
	if (out == NULL) {
		/* Windows-1251 keeps Cyrillic letters in 0xC0-0xFF, and
		 * Cyrillic text is mostly letters: a list in it has far more
		 * high bytes than a Western one. */
		size_t high = 0, letters = 0, ascii = 0;
		for (size_t i = 0; i < m; i++) {
			if (b[i] >= 0xC0)
				letters++;
			if (b[i] >= 0x80)
				high++;
			else if ((b[i] | 0x20) >= 'a' && (b[i] | 0x20) <= 'z')
				ascii++;
		}
		if (high >= 16 && letters * 10 >= high * 6 && high * 2 >= ascii)
			out = "windows-1251";
	}
	if (out == NULL && det != NULL && !strong_only) {
		static const char *const known[] = {
			"windows-1251", "windows-1252", "ISO-8859-1",
			"ISO-8859-2",   "UTF-16LE",     "UTF-16BE",
			"Shift_JIS",    "GB18030",      "Big5"};
		for (size_t i = 0; i < sizeof known / sizeof *known; i++)
			if (strcmp(det, known[i]) == 0)
				out = known[i];
	}
	if (d != NULL)
		ucsdet_close(d);
	return out;
}

/* Picks the separator the header uses most among comma, semicolon and tab
 * (a comma when none is there or they tie): a spreadsheet saved in a
 * Ukrainian or Russian locale writes semicolons. */
static int
sniff_delimiter(const unsigned char *b, size_t n)
{
	size_t comma = 0, semi = 0, tab = 0;
	int in_quotes = 0;
	for (size_t i = 0; i < n; i++) {
		if (b[i] == '"')
			in_quotes = !in_quotes;
		else if (in_quotes)
			continue;
		else if (b[i] == '\n' || b[i] == '\r')
			break;
		else if (b[i] == ',')
			comma++;
		else if (b[i] == ';')
			semi++;
		else if (b[i] == '\t')
			tab++;
	}
	if (semi > comma && semi >= tab)
		return ';';
	if (tab > comma && tab > semi)
		return '\t';
	return ',';
}

/* The first look at the file, before its header is read: its encoding
 * (checked, or set up for conversion), a byte-order mark, and the
 * delimiter. */
static int
start(struct cartel_csv *c, char **why)
{
	if (c->from != NULL) {
		/* A UTF-16 file without a byte-order mark is read in the
		 * byte order its NULs show (ICU would take big-endian). */
		c->raw_len = fread(c->raw, 1, RAW_SIZE, c->fp);
		c->raw_pos = 0;
		if (c->raw_len < RAW_SIZE) {
			c->raw_eof = 1;
			if (ferror(c->fp))
				c->read_error = 1;
		}
		const unsigned char *r = (const unsigned char *)c->raw;
		int bom = c->raw_len >= 2 && ((r[0] == 0xFF && r[1] == 0xFE) ||
					      (r[0] == 0xFE && r[1] == 0xFF));
		if (!bom && c->raw_len >= 2 &&
		    (ucnv_compareNames(c->enc_name, "UTF-16") == 0 ||
		     ucnv_compareNames(c->enc_name, "UTF16") == 0)) {
			const char *g = guess_encoding(r, c->raw_len, 1);
			int be = g != NULL && strncmp(g, "UTF-16BE", 8) == 0;
			const char *order = be ? "UTF-16BE" : "UTF-16LE";
			char *keep = c->enc_name;
			c->enc_name = NULL;
			int rc = cartel_csv_set_encoding(c, order, why);
			free(keep);
			if (rc != 0)
				return rc;
		}
	} else {
		int ch = peek(c);
		const unsigned char *b = c->buf + c->pos;
		size_t n = c->len - c->pos;
		if (ch >= 0 && n >= 2 &&
		    ((b[0] == 0xFF && b[1] == 0xFE) ||
		     (b[0] == 0xFE && b[1] == 0xFF)))
			return cartel__why(
				why, CARTEL_EFORMAT,
				"%s: the file is not UTF-8: it starts with the "
				"byte-order mark of UTF-16; read it with "
				"--encoding UTF-16, or save it as UTF-8",
				c->name);
		size_t skip = n >= 3 && b[0] == 0xEF && b[1] == 0xBB &&
					      b[2] == 0xBF
				      ? 3
				      : 0;
		/* The whole first buffer must be UTF-8, but for a character
		 * cut at its end. */
		size_t m = n;
		if (!c->eof || c->len == READ_SIZE) {
			size_t k = 0;
			while (k < 3 && k < m && (b[m - 1 - k] & 0xC0) == 0x80)
				k++;
			if (k < m && b[m - 1 - k] >= 0xC0)
				m -= k + 1;
		}
		/* A header that is not UTF-8 refuses the file; so do later
		 * bytes that look like a whole file in another encoding. A
		 * stray byte further down only rejects its row. */
		if (ch >= 0 && m > skip &&
		    (memchr(b, 0, m) != NULL ||
		     !cartel_utf8_valid((const char *)b + skip, m - skip))) {
			const unsigned char *nl = memchr(b, '\n', m);
			size_t head = nl != NULL ? (size_t)(nl - b) : m;
			int bad_head = memchr(b, 0, head) != NULL ||
				       (head > skip &&
					!cartel_utf8_valid((const char *)b +
								   skip,
							   head - skip));
			const char *g = guess_encoding(b, m, !bad_head);
			if (g != NULL) {
				char arg[16];
				size_t k = strcspn(g, " ");
				snprintf(arg, sizeof arg, "%.*s", (int)k, g);
				return cartel__why(
					why, CARTEL_EFORMAT,
					"%s: the file is not UTF-8: it looks "
					"like %s; read it with --encoding %s, "
					"or save it as UTF-8",
					c->name, g, arg);
			}
			if (bad_head)
				return cartel__why(
					why, CARTEL_EFORMAT,
					"%s: the file is not UTF-8; name its "
					"encoding with --encoding, or save it "
					"as UTF-8",
					c->name);
		}
	}
	/* A byte-order mark is a habit of spreadsheet exports (after a
	 * conversion from UTF-16 it arrives as UTF-8's). */
	if (peek(c) == 0xEF) {
		get(c);
		if (get(c) != 0xBB || get(c) != 0xBF)
			return cartel__why(why, CARTEL_EFORMAT,
					   "%s: line 1: the file starts "
					   "with bytes that are not UTF-8",
					   c->name);
	}
	if (c->sniff) {
		peek(c);
		c->delim = sniff_delimiter(c->buf + c->pos, c->len - c->pos);
	}
	return 0;
}

int
cartel_csv_next(struct cartel_csv *c, char ***fields, size_t *n_fields,
		char **why)
{
	free(c->bad_reason);
	c->bad_reason = NULL;
	c->bad_column = 0;
	if (!c->started) {
		c->started = 1;
		int rc = start(c, why);
		if (rc != 0) {
			c->eof = 1;
			c->pos = c->len = 0;
			return rc;
		}
	}

	int ch;
	/* Blank lines between records carry nothing; skip them. */
	for (;;) {
		ch = peek(c);
		if (ch == '\n') {
			get(c);
			c->line++;
		} else if (ch == '\r') {
			get(c);
		} else {
			break;
		}
	}
	if (ch < 0 && c->conv_error)
		return conv_failed(c, c->record_no + 1, why);
	if (ch < 0)
		return c->read_error ? cartel__why(why, CARTEL_EIO,
						   "%s: read error: %s",
						   c->name, strerror(errno))
				     : 0;

	c->data_len = 0;
	c->n_fields = 0;
	c->rec_line = c->line;
	struct pending bad = {0, 0, NULL};
	size_t field_len = 0;
	int rc;

	if ((rc = start_field(c)) != 0)
		return rc;
	/* The header has its own, smaller, limit. Past either limit the
	 * record is only followed to its end: nothing more is kept. */
	size_t max_bytes =
		c->record_no == 0 ? CARTEL_LIMIT_HEADER : CARTEL_LIMIT_LINE;
	size_t rec_bytes = 0;
	int stuck = 0;
	int quoted = 0, in_quotes = 0, after_quote = 0;
	const int delim = c->delim;
	for (;;) {
		ch = get(c);
		/* One test for the common byte (not NUL, not the end, the
		 * record within its limit): this loop runs once per byte of
		 * the file. */
		if (ch > 0 && rec_bytes < max_bytes) {
			rec_bytes++;
		} else {
			if (ch >= 0 && !stuck && ++rec_bytes > max_bytes) {
				note(&bad, CARTEL_ERANGE, 0,
				     c->record_no == 0
					     ? N_("the header is longer than "
						"the limit of 256 KiB")
					     : N_("the line is longer than the "
						"limit of 1 MiB"));
				stuck = 1;
			}
			if (ch == 0)
				note(&bad, CARTEL_EFORMAT, c->n_fields,
				     N_("holds a NUL byte (the file is not "
					"text)"));
		}
		if (in_quotes) {
			if (ch < 0) {
				note(&bad, CARTEL_EFORMAT, c->n_fields,
				     N_("a quoted field is never closed"));
				break;
			}
			if (ch == '"') {
				if (peek(c) == '"') {
					get(c);
				} else {
					in_quotes = 0;
					after_quote = 1;
					continue;
				}
			} else if (ch == '\n') {
				c->line++;
			}
		} else {
			if (ch < 0 || ch == '\n' || ch == '\r' || ch == delim) {
				if (ch == '\r' && peek(c) == '\n')
					get(c);
				if (ch == '\n' || ch == '\r')
					c->line++;
				if (stuck) {
					if (ch != delim)
						break;
					quoted = in_quotes = after_quote = 0;
					field_len = 0;
					continue;
				}
				if ((rc = push_byte(c, '\0')) != 0)
					return rc;
				size_t st = c->starts[c->n_fields - 1];
				if (bad.err == 0 &&
				    !cartel_utf8_valid(c->data + st,
						       c->data_len - 1 - st))
					note(&bad, CARTEL_EFORMAT, c->n_fields,
					     N_("holds bytes that are not UTF-8 "
						"(save the file as UTF-8)"));
				if (ch != delim)
					break;
				if (c->n_fields == CARTEL_LIMIT_COLUMNS) {
					note(&bad, CARTEL_ERANGE, 0,
					     N_("the row has more than 1000 "
						"columns"));
					stuck = 1;
					field_len = 0;
					quoted = in_quotes = after_quote = 0;
					continue;
				}
				if ((rc = start_field(c)) != 0)
					return rc;
				field_len = 0;
				quoted = in_quotes = after_quote = 0;
				continue;
			}
			if (ch == '"') {
				if (field_len == 0 && !quoted) {
					quoted = in_quotes = 1;
					continue;
				}
				note(&bad, CARTEL_EFORMAT, c->n_fields,
				     after_quote
					     ? N_("has text after its closing quote")
					     : N_("has a quote inside an unquoted "
					       "field (quote the whole field and "
					       "double the inner quote)"));
			} else if (after_quote && ch != ' ') {
				note(&bad, CARTEL_EFORMAT, c->n_fields,
				     N_("has text after its closing quote"));
			}
		}
		if (after_quote || stuck)
			continue;
		if (field_len >= c->max_field) {
			note(&bad, CARTEL_ERANGE, c->n_fields,
			     N_("is longer than the limit"));
			continue;
		}
		field_len++;
		if ((rc = push_byte(c, (char)ch)) != 0)
			return rc;
	}
	if (bad.err != 0 && c->data_len == 0)
		push_byte(c, '\0');
	c->record_no++;
	/* The record was cut short where the bytes stopped converting: the
	 * file cannot be read on. */
	if (ch < 0 && c->conv_error)
		return conv_failed(c, c->record_no, why);
	if (bad.err != 0) {
		free(c->bad_reason);
		c->bad_column = bad.column;
		c->bad_reason =
			bad.column != 0 && bad.err == CARTEL_ERANGE
				? cartel__asprintf(
					  _("the field is longer than %zu "
					    "bytes"),
					  c->max_field)
				: cartel__strdup(_(bad.what));
		const char *reason = c->bad_reason ? c->bad_reason : "";
		if (bad.column == 0)
			return cartel__why(why, bad.err,
					   "%s: row %zu (line %zu): %s",
					   c->name, c->record_no, c->rec_line,
					   reason);
		return cartel__why(why, bad.err,
				   "%s: row %zu (line %zu), column %zu: %s",
				   c->name, c->record_no, c->rec_line,
				   bad.column, reason);
	}
	for (size_t i = 0; i < c->n_fields; i++)
		c->fields[i] = c->data + c->starts[i];
	*fields = c->fields;
	*n_fields = c->n_fields;
	return 1;
}

int
cartel_csv_write_field(FILE *fp, const char *f)
{
	if (f == NULL)
		f = "";
	size_t n = strlen(f);
	int quote = n > 0 && (f[0] == ' ' || f[n - 1] == ' ');
	if (!quote && strpbrk(f, ",\"\r\n") != NULL)
		quote = 1;
	if (!quote)
		return fwrite(f, 1, n, fp) == n ? 0 : CARTEL_EIO;
	if (putc('"', fp) == EOF)
		return CARTEL_EIO;
	/* The runs between quotes whole; each quote doubled. */
	for (const char *p = f; *p;) {
		const char *q = strchr(p, '"');
		size_t run = q ? (size_t)(q - p) + 1 : strlen(p);
		if (fwrite(p, 1, run, fp) != run)
			return CARTEL_EIO;
		if (q != NULL && putc('"', fp) == EOF)
			return CARTEL_EIO;
		p += run;
	}
	return putc('"', fp) == EOF ? CARTEL_EIO : 0;
}

int
cartel_csv_write_row(FILE *fp, const char *const *fields, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && putc(',', fp) == EOF)
			return CARTEL_EIO;
		int rc = cartel_csv_write_field(fp, fields[i]);
		if (rc != 0)
			return rc;
	}
	return putc('\n', fp) == EOF ? CARTEL_EIO : 0;
}
