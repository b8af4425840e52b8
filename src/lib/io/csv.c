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

#include <cartel/csv.h>
#include <cartel/error.h>
#include <cartel/limits.h>

#include "core/why.h"

#define READ_SIZE 65536

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

/* Returns the next byte, or -1 at end of file or on a read error. */
static int
get(struct cartel_csv *c)
{
	if (c->pos == c->len) {
		if (c->eof)
			return -1;
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
cartel_csv_next(struct cartel_csv *c, char ***fields, size_t *n_fields,
		char **why)
{
	if (!c->started) {
		c->started = 1;
		/* A byte-order mark is a habit of spreadsheet exports. */
		if (peek(c) == 0xEF) {
			get(c);
			if (get(c) != 0xBB || get(c) != 0xBF)
				return cartel__why(why, CARTEL_EFORMAT,
						   "%s: line 1: the file starts "
						   "with bytes that are not UTF-8",
						   c->name);
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
					     ? "the header is longer than "
					       "the limit of 256 KiB"
					     : "the line is longer than the "
					       "limit of 1 MiB");
				stuck = 1;
			}
			if (ch == 0)
				note(&bad, CARTEL_EFORMAT, c->n_fields,
				     "holds a NUL byte (the file is not "
				     "text)");
		}
		if (in_quotes) {
			if (ch < 0) {
				note(&bad, CARTEL_EFORMAT, c->n_fields,
				     "a quoted field is never closed");
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
			if (ch < 0 || ch == '\n' || ch == '\r' || ch == ',') {
				if (ch == '\r' && peek(c) == '\n')
					get(c);
				if (ch == '\n' || ch == '\r')
					c->line++;
				if (stuck) {
					if (ch != ',')
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
					     "holds bytes that are not UTF-8 "
					     "(save the file as UTF-8)");
				if (ch != ',')
					break;
				if (c->n_fields == CARTEL_LIMIT_COLUMNS) {
					note(&bad, CARTEL_ERANGE, 0,
					     "the row has more than 1000 "
					     "columns");
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
					     ? "has text after its closing quote"
					     : "has a quote inside an unquoted "
					       "field (quote the whole field and "
					       "double the inner quote)");
			} else if (after_quote && ch != ' ') {
				note(&bad, CARTEL_EFORMAT, c->n_fields,
				     "has text after its closing quote");
			}
		}
		if (after_quote || stuck)
			continue;
		if (field_len >= c->max_field) {
			note(&bad, CARTEL_ERANGE, c->n_fields,
			     "is longer than the limit");
			continue;
		}
		field_len++;
		if ((rc = push_byte(c, (char)ch)) != 0)
			return rc;
	}
	if (bad.err != 0 && c->data_len == 0)
		push_byte(c, '\0');
	c->record_no++;
	if (bad.err != 0) {
		if (bad.column == 0)
			return cartel__why(why, bad.err,
					   "%s: row %zu (line %zu): %s",
					   c->name, c->record_no, c->rec_line,
					   bad.what);
		if (bad.err == CARTEL_ERANGE)
			return cartel__why(why, bad.err,
					   "%s: row %zu (line %zu), column %zu: "
					   "the field is longer than %zu bytes",
					   c->name, c->record_no, c->rec_line,
					   bad.column, c->max_field);
		return cartel__why(why, bad.err,
				   "%s: row %zu (line %zu), column %zu: %s",
				   c->name, c->record_no, c->rec_line,
				   bad.column, bad.what);
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
