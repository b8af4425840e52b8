/*
 * Reading a workbook (<cartel/xlsx.h>): libzip opens the container, expat
 * parses each part as it is inflated, and the chosen sheet comes out as
 * the import CSV, which the CSV import then reads like any other list.
 *
 * The parts read: xl/workbook.xml (the sheets' names, the 1904 date
 * system), xl/_rels/workbook.xml.rels (where each sheet, the shared
 * strings and the styles are), the shared strings, the styles (which
 * cell formats are dates) and the one sheet. Nothing else in the archive
 * is opened.
 *
 * Hostile workbooks. Every parser refuses a document type declaration
 * outright: no entity can be declared, so none is expanded (no billion
 * laughs) and none resolved from outside (no XXE); the external entity
 * handler refuses too, in case. Inflated bytes are counted per part and
 * for the whole archive against CARTEL_LIMIT_XLSX_PART and _TOTAL: a part
 * whose declared size is past the limit is refused before it is inflated,
 * and one that lies about its size is stopped when its bytes pass it. The
 * shared strings are held as one buffer and an array of offsets, with a
 * cap on their number; a row's cells are kept only up to
 * CARTEL_LIMIT_COLUMNS and a cell's text only to one byte past
 * CARTEL_LIMIT_FIELD, so that the CSV import rejects such a row by its own
 * rules, naming the row.
 *
 * No message quotes a cell: only part names, sheet names, row and column
 * numbers.
 */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <expat.h>
#include <zip.h>

#include <cartel/csv.h>
#include <cartel/error.h>
#include <cartel/i18n.h>
#include <cartel/limits.h>
#include <cartel/store.h>
#include <cartel/xlsx.h>

#include "core/why.h"
#include "io/import_int.h"

/* A growable byte buffer. */
struct sbuf {
	char *p;
	size_t n, cap;
};

static int
sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->n + n + 1)
			cap *= 2;
		char *np = realloc(b->p, cap);
		if (np == NULL)
			return CARTEL_ENOMEM;
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
	return 0;
}

/* The reading of one workbook. */
struct xr {
	zip_t *zip;
	const char *name; /* the file, for messages */
	char **why;
	int err;            /* the first error, with *why set */
	size_t total;       /* bytes inflated so far */
	const char *part;   /* the part being parsed */
};

static int
xr_fail(struct xr *x, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
xr_fail(struct xr *x, int err, const char *fmt, ...)
{
	if (x->err != 0)
		return x->err;
	va_list ap;
	va_start(ap, fmt);
	char *msg = NULL;
	cartel__vwhy(&msg, err, fmt, ap);
	va_end(ap);
	cartel__why(x->why, err, "%s: %s", x->name, msg ? msg : "");
	free(msg);
	x->err = err;
	return err;
}

/* What every parser's user data starts with. */
struct base {
	struct xr *x;
	XML_Parser p;
};

static void
stop(struct base *b, int err, const char *what)
{
	if (b->x->err == 0)
		xr_fail(b->x, err, "%s: %s", b->x->part, what);
	XML_StopParser(b->p, XML_FALSE);
}

static void XMLCALL
on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
	   const XML_Char *pubid, int has_internal)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal;
	stop(ud, CARTEL_EFORMAT,
	     "holds a document type declaration (DTD), which a workbook "
	     "never needs; refused");
}

static void XMLCALL
on_entity(void *ud, const XML_Char *name, int is_param,
	  const XML_Char *value, int value_len, const XML_Char *base,
	  const XML_Char *sysid, const XML_Char *pubid,
	  const XML_Char *notation)
{
	(void)name;
	(void)is_param;
	(void)value;
	(void)value_len;
	(void)base;
	(void)sysid;
	(void)pubid;
	(void)notation;
	stop(ud, CARTEL_EFORMAT, "declares an entity; refused");
}

static int XMLCALL
on_external(XML_Parser p, const XML_Char *context, const XML_Char *base,
	    const XML_Char *sysid, const XML_Char *pubid)
{
	(void)p;
	(void)context;
	(void)base;
	(void)sysid;
	(void)pubid;
	return XML_STATUS_ERROR; /* never fetched, never opened */
}

/* The local part of a name ("x:c" or "c"). Namespaces are not resolved:
 * the parts' vocabularies do not overlap in the names read here, and a
 * sheet of 100,000 rows has millions of elements, each of which a
 * namespace-aware parser would copy into "uri|name". */
static const char *
local(const char *n)
{
	for (const char *p = n; *p; p++)
		if (*p == ':')
			n = p + 1;
	return n;
}

/* The value of attribute `want` (by local name), or NULL. */
static const char *
attr(const XML_Char **atts, const char *want)
{
	for (size_t i = 0; atts[i] != NULL; i += 2)
		if (strncmp(atts[i], "xmlns", 5) != 0 &&
		    strcmp(local(atts[i]), want) == 0)
			return atts[i + 1];
	return NULL;
}

static XML_Parser
parser_new(struct base *b, XML_StartElementHandler start,
	   XML_EndElementHandler end, XML_CharacterDataHandler chars)
{
	XML_Parser p = XML_ParserCreate("UTF-8");
	if (p == NULL)
		return NULL;
	b->p = p;
	XML_SetUserData(p, b);
	XML_SetElementHandler(p, start, end);
	if (chars != NULL)
		XML_SetCharacterDataHandler(p, chars);
	XML_SetStartDoctypeDeclHandler(p, on_doctype);
	XML_SetEntityDeclHandler(p, on_entity);
	XML_SetExternalEntityRefHandler(p, on_external);
	XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER);
	return p;
}

/* The next bytes of the part being read (x->part), at most 64 KiB into
 * buf, counted against its declared size (st) and the limits: their
 * number, 0 at its end, or -1 (x->err set). */
static zip_int64_t
part_next(struct xr *x, zip_file_t *f, const zip_stat_t *st,
	  size_t *part_bytes, void *buf)
{
	zip_int64_t n = zip_fread(f, buf, 1 << 16);
	if (n < 0) {
		xr_fail(x, CARTEL_EFORMAT,
			"%s is damaged: %s (a cut or changed archive?)",
			x->part, zip_file_strerror(f));
		return -1;
	}
	*part_bytes += (size_t)n;
	x->total += (size_t)n;
	if ((st->valid & ZIP_STAT_SIZE) && *part_bytes > st->size) {
		/* More than the archive said: a zip bomb hiding its size, or
		 * damage. Either way, not read on. */
		xr_fail(x, CARTEL_ERANGE,
			"%s inflates past the %llu bytes the archive declares "
			"(a zip bomb?); refused",
			x->part, (unsigned long long)st->size);
		return -1;
	}
	if (*part_bytes > CARTEL_LIMIT_XLSX_PART ||
	    x->total > CARTEL_LIMIT_XLSX_TOTAL) {
		xr_fail(x, CARTEL_ERANGE,
			"%s inflates past the limit of %u MiB (a zip bomb?); "
			"refused",
			x->part,
			*part_bytes > CARTEL_LIMIT_XLSX_PART
				? CARTEL_LIMIT_XLSX_PART >> 20
				: CARTEL_LIMIT_XLSX_TOTAL >> 20);
		return -1;
	}
	return n;
}

/*
 * Inflates part `part` into parser p, counting against the limits.
 * Returns 0, 1 when the part is not in the archive (and !required), or
 * an error (x->err).
 */
static int
read_part(struct xr *x, const char *part, struct base *b, int required)
{
	x->part = part;
	zip_int64_t idx = zip_name_locate(x->zip, part, 0);
	if (idx < 0) {
		if (!required)
			return 1;
		return xr_fail(x, CARTEL_EFORMAT,
			       "not a workbook: it has no %s (is it an .xlsx "
			       "file?)",
			       part);
	}
	zip_stat_t st;
	zip_stat_init(&st);
	if (zip_stat_index(x->zip, (zip_uint64_t)idx, 0, &st) == 0 &&
	    (st.valid & ZIP_STAT_SIZE) &&
	    (st.size > CARTEL_LIMIT_XLSX_PART ||
	     st.size > CARTEL_LIMIT_XLSX_TOTAL - x->total))
		return xr_fail(x, CARTEL_ERANGE,
			       "%s would inflate to %llu bytes, past the "
			       "limit of %u MiB (a zip bomb?); refused",
			       part, (unsigned long long)st.size,
			       CARTEL_LIMIT_XLSX_PART >> 20);
	zip_file_t *f = zip_fopen_index(x->zip, (zip_uint64_t)idx, 0);
	if (f == NULL)
		return xr_fail(x, CARTEL_EFORMAT,
			       "%s cannot be read: %s (a damaged or "
			       "encrypted archive?)",
			       part, zip_strerror(x->zip));
	size_t part_bytes = 0;
	for (;;) {
		/* Inflated straight into the parser's own buffer: no copy. */
		void *buf = XML_GetBuffer(b->p, 1 << 16);
		if (buf == NULL) {
			xr_fail(x, CARTEL_ENOMEM, "out of memory");
			break;
		}
		zip_int64_t n = part_next(x, f, &st, &part_bytes, buf);
		if (n < 0)
			break;
		if (XML_ParseBuffer(b->p, (int)n, n == 0) == XML_STATUS_ERROR) {
			if (x->err == 0)
				xr_fail(x, CARTEL_EFORMAT,
					"%s is not well-formed XML (line %lu: "
					"%s)",
					part,
					(unsigned long)
						XML_GetCurrentLineNumber(b->p),
					XML_ErrorString(
						XML_GetErrorCode(b->p)));
			break;
		}
		if (x->err != 0 || n == 0)
			break;
	}
	zip_fclose(f);
	return x->err;
}

/* ---- workbook.xml and its relationships ----------------------------- */

struct sheet_ref {
	char *name, *rid;
};

struct wb {
	struct base b;
	struct sheet_ref *v;
	size_t n;
	int date1904;
};

static void XMLCALL
wb_start(void *ud, const XML_Char *el, const XML_Char **atts)
{
	struct wb *w = ud;
	const char *n = local(el);
	if (strcmp(n, "sheet") == 0) {
		const char *name = attr(atts, "name"), *rid = attr(atts, "id");
		if (name == NULL || rid == NULL || w->n >= 4096)
			return;
		struct sheet_ref *nv = realloc(w->v, (w->n + 1) * sizeof *nv);
		if (nv == NULL) {
			stop(&w->b, CARTEL_ENOMEM, "out of memory");
			return;
		}
		w->v = nv;
		nv[w->n].name = strdup(name);
		nv[w->n].rid = strdup(rid);
		w->n++;
		if (nv[w->n - 1].name == NULL || nv[w->n - 1].rid == NULL)
			stop(&w->b, CARTEL_ENOMEM, "out of memory");
	} else if (strcmp(n, "workbookPr") == 0) {
		const char *d = attr(atts, "date1904");
		w->date1904 = d != NULL && (strcmp(d, "1") == 0 ||
					    strcmp(d, "true") == 0);
	}
}

static void XMLCALL
no_end(void *ud, const XML_Char *el)
{
	(void)ud;
	(void)el;
}

struct rel {
	char *id, *target, *type;
};

struct rels {
	struct base b;
	struct rel *v;
	size_t n;
};

static void XMLCALL
rels_start(void *ud, const XML_Char *el, const XML_Char **atts)
{
	struct rels *r = ud;
	if (strcmp(local(el), "Relationship") != 0 || r->n >= 4096)
		return;
	const char *id = attr(atts, "Id"), *t = attr(atts, "Target"),
		   *ty = attr(atts, "Type");
	if (id == NULL || t == NULL)
		return;
	struct rel *nv = realloc(r->v, (r->n + 1) * sizeof *nv);
	if (nv == NULL) {
		stop(&r->b, CARTEL_ENOMEM, "out of memory");
		return;
	}
	r->v = nv;
	nv[r->n].id = strdup(id);
	nv[r->n].target = strdup(t);
	nv[r->n].type = strdup(ty ? ty : "");
	r->n++;
	if (nv[r->n - 1].id == NULL || nv[r->n - 1].target == NULL ||
	    nv[r->n - 1].type == NULL)
		stop(&r->b, CARTEL_ENOMEM, "out of memory");
}

/* The part a relationship's target names, relative to xl/ unless
 * absolute; NULL when out of memory. */
static char *
part_of(const char *target)
{
	if (target[0] == '/')
		return strdup(target + 1);
	return cartel__asprintf("xl/%s", target);
}

/* The target of the relationship whose type ends with `suffix`. */
static const char *
rel_by_type(const struct rels *r, const char *suffix)
{
	size_t ls = strlen(suffix);
	for (size_t i = 0; i < r->n; i++) {
		size_t lt = strlen(r->v[i].type);
		if (lt >= ls && strcmp(r->v[i].type + lt - ls, suffix) == 0)
			return r->v[i].target;
	}
	return NULL;
}

/* ---- shared strings ------------------------------------------------- */

struct strings {
	struct base b;
	struct sbuf text;
	size_t *off; /* start of each string in text */
	size_t n, cap;
	int in_si, in_t, in_rph;
	size_t cur_len; /* bytes of the current string kept */
};

static void XMLCALL
ss_start(void *ud, const XML_Char *el, const XML_Char **atts)
{
	(void)atts;
	struct strings *s = ud;
	const char *n = local(el);
	if (strcmp(n, "si") == 0) {
		if (s->n >= CARTEL_LIMIT_XLSX_STRINGS) {
			stop(&s->b, CARTEL_ERANGE,
			     "holds more shared strings than the limit");
			return;
		}
		if (s->n == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 1024;
			size_t *no = realloc(s->off, cap * sizeof *no);
			if (no == NULL) {
				stop(&s->b, CARTEL_ENOMEM, "out of memory");
				return;
			}
			s->off = no;
			s->cap = cap;
		}
		s->off[s->n] = s->text.n;
		s->in_si = 1;
		s->cur_len = 0;
	} else if (strcmp(n, "t") == 0) {
		s->in_t = 1;
	} else if (strcmp(n, "rPh") == 0) {
		s->in_rph = 1;
	}
}

static void XMLCALL
ss_end(void *ud, const XML_Char *el)
{
	struct strings *s = ud;
	const char *n = local(el);
	if (strcmp(n, "si") == 0 && s->in_si) {
		/* Each string ends with its NUL. */
		if (sb_add(&s->text, "", 1) != 0) {
			stop(&s->b, CARTEL_ENOMEM, "out of memory");
			return;
		}
		s->n++;
		s->in_si = 0;
	} else if (strcmp(n, "t") == 0) {
		s->in_t = 0;
	} else if (strcmp(n, "rPh") == 0) {
		s->in_rph = 0;
	}
}

static void XMLCALL
ss_chars(void *ud, const XML_Char *t, int len)
{
	struct strings *s = ud;
	if (!s->in_si || !s->in_t || s->in_rph)
		return;
	/* One byte past the field limit is enough for the import to
	 * reject the row. */
	size_t room = CARTEL_LIMIT_FIELD + 1 - s->cur_len;
	size_t n = (size_t)len < room ? (size_t)len : room;
	if (n == 0)
		return;
	if (sb_add(&s->text, t, n) != 0) {
		stop(&s->b, CARTEL_ENOMEM, "out of memory");
		return;
	}
	s->cur_len += n;
}

/* ---- styles: which cell formats are dates ---------------------------- */

struct styles {
	struct base b;
	int in_xfs;
	unsigned char *is_date; /* per xf index */
	size_t n, cap;
	/* Custom number formats that are dates, by id (164 and up). */
	unsigned char custom[1024];
};

/* Whether a number format code shows a date: a d, m or y outside quoted
 * text, escapes and [..] sections (colours, conditions, locales). */
static int
code_is_date(const char *c)
{
	for (; *c; c++) {
		if (*c == '"') {
			c = strchr(c + 1, '"');
			if (c == NULL)
				return 0;
		} else if (*c == '\\' || *c == '_' || *c == '*') {
			if (c[1] == '\0')
				return 0;
			c++;
		} else if (*c == '[') {
			c = strchr(c, ']');
			if (c == NULL)
				return 0;
		} else if (*c == 'd' || *c == 'D' || *c == 'y' || *c == 'Y' ||
			   *c == 'm' || *c == 'M') {
			return 1;
		}
	}
	return 0;
}

/* The built-in formats that are dates (times alone are not). */
static int
builtin_is_date(long id)
{
	return (id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 36) ||
	       (id >= 50 && id <= 58) || (id >= 71 && id <= 81);
}

static void XMLCALL
st_start(void *ud, const XML_Char *el, const XML_Char **atts)
{
	struct styles *s = ud;
	const char *n = local(el);
	if (strcmp(n, "numFmt") == 0) {
		const char *id = attr(atts, "numFmtId"),
			   *code = attr(atts, "formatCode");
		if (id == NULL || code == NULL)
			return;
		long v = strtol(id, NULL, 10);
		if (v >= 164 && v < 164 + (long)sizeof s->custom)
			s->custom[v - 164] = (unsigned char)code_is_date(code);
	} else if (strcmp(n, "cellXfs") == 0) {
		s->in_xfs = 1;
	} else if (strcmp(n, "xf") == 0 && s->in_xfs) {
		if (s->n >= 65536)
			return;
		if (s->n == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 64;
			unsigned char *nd = realloc(s->is_date, cap);
			if (nd == NULL) {
				stop(&s->b, CARTEL_ENOMEM, "out of memory");
				return;
			}
			s->is_date = nd;
			s->cap = cap;
		}
		const char *id = attr(atts, "numFmtId");
		long v = id ? strtol(id, NULL, 10) : 0;
		int d = builtin_is_date(v);
		if (v >= 164 && v < 164 + (long)sizeof s->custom)
			d = s->custom[v - 164];
		s->is_date[s->n++] = (unsigned char)d;
	}
}

static void XMLCALL
st_end(void *ud, const XML_Char *el)
{
	struct styles *s = ud;
	if (strcmp(local(el), "cellXfs") == 0)
		s->in_xfs = 0;
}

/* ---- the sheet -------------------------------------------------------- */

#define MAX_COLS CARTEL_LIMIT_COLUMNS

struct sheet {
	struct base b;
	const struct strings *ss;
	const struct styles *st;
	int date1904;
	FILE *out;
	struct cartel_xlsx_rows *rows;
	size_t n_rows_cap;
	/* rows->row_of was made for CARTEL_LIMIT_XLSX_ROWS rows before the
	 * first, and another thread reads it while this one writes: it never
	 * moves, and each number is stored whole (atomically). */
	int rows_fixed;

	int in_row, in_c, in_v, in_is, in_t, in_rph;
	long row_no, next_row;
	long col, next_col;
	char ctype; /* t: s, b, e, d, i(nlineStr), r (str), n */
	long style;
	struct sbuf val; /* the cell's text */
	size_t val_len;

	/* The row's cells: offsets into arena (+1; 0 for none). */
	struct sbuf arena;
	size_t off[MAX_COLS + 1];
	long max_col;  /* highest column with a value, -1 none */
	int too_wide;  /* a value past MAX_COLS */

	int have_header;
	long n_head;                 /* columns up to the last named one */
	unsigned char named[MAX_COLS + 1];
	size_t n_named;
	long unnamed_col;            /* first column with data, no name */
	long unnamed_row;
	const char **fields;         /* one row's output */

	/* The reading thread's parser: inside sheetData, and where the end
	 * tag of the last row it read ends (bytes from the part's start). */
	int in_sheetdata;
	long long row_end_at;
	/* A worker's sheet (a run of rows parsed apart, read_sheet below):
	 * its rows become records of seg instead of CSV. */
	struct seg *seg;
	long raw_rn;	/* the row's own number, 0 for none */
	int depth;	/* elements open, the wrapper first */
	int bail;	/* the run holds what only the whole parse reads */
};

/* "B12" → column 1 (0-based) and row 12; -1 for what is not there. */
static void
cell_ref(const char *r, long *col, long *row)
{
	long c = 0;
	int any = 0;
	for (; *r >= 'A' && *r <= 'Z'; r++) {
		any = 1;
		c = c * 26 + (*r - 'A' + 1);
		if (c > 1L << 20)
			break;
	}
	*col = any ? c - 1 : -1;
	*row = *r >= '0' && *r <= '9' ? strtol(r, NULL, 10) : -1;
}

/* The sheet's elements that matter, by local name: a sheet of 100,000
 * rows has millions of elements, so each is named once, not compared
 * against each name in turn. */
enum sh_el {
	EL_OTHER, EL_ROW, EL_C, EL_V, EL_IS, EL_T, EL_RPH, EL_SHEETDATA
};

static enum sh_el
sh_el(const char *el)
{
	const char *n = local(el);
	switch (n[0]) {
	case 'c':
		return n[1] == '\0' ? EL_C : EL_OTHER;
	case 'v':
		return n[1] == '\0' ? EL_V : EL_OTHER;
	case 't':
		return n[1] == '\0' ? EL_T : EL_OTHER;
	case 's':
		return strcmp(n, "sheetData") == 0 ? EL_SHEETDATA : EL_OTHER;
	case 'i':
		return strcmp(n, "is") == 0 ? EL_IS : EL_OTHER;
	case 'r':
		return strcmp(n, "row") == 0   ? EL_ROW
		       : strcmp(n, "rPh") == 0 ? EL_RPH
					       : EL_OTHER;
	default:
		return EL_OTHER;
	}
}

/* A cell's attributes r, t and s (by local name, the first of each), in
 * one pass. */
static void
cell_attrs(const XML_Char **atts, const char **r, const char **t,
	   const char **st)
{
	*r = *t = *st = NULL;
	for (size_t i = 0; atts[i] != NULL; i += 2) {
		const char *n = atts[i];
		if (strncmp(n, "xmlns", 5) == 0)
			continue;
		n = local(n);
		if (n[0] == '\0' || n[1] != '\0')
			continue;
		const char **to = n[0] == 'r'	? r
				  : n[0] == 't' ? t
				  : n[0] == 's' ? st
						: NULL;
		if (to != NULL && *to == NULL)
			*to = atts[i + 1];
	}
}

/*
 * A run of a large sheet's rows, parsed by a worker thread apart from
 * the rest (read_sheet, below): the bytes as they are in the part, and
 * the rows found in them as records, each its own number (0 for none),
 * its cells as cell_done left them, for the reading thread to number,
 * check and write in order as if it had parsed them itself.
 */
struct seg {
	char *buf;	 /* "<w>", the run's bytes, "</w>" */
	size_t len;
	int state;	 /* SEG_QUEUED, then SEG_ROWS or SEG_WHOLE */
	struct sbuf out; /* the records */
	size_t lines;	 /* line ends in the run */
};
enum { SEG_QUEUED, SEG_ROWS, SEG_WHOLE };

struct rec {
	long rn, max_col;
	int too_wide;
	size_t arena_len;
	/* then max_col + 1 offsets (size_t), then arena_len bytes */
};

static void
seg_put_row(struct sheet *s)
{
	struct rec r = {s->raw_rn, s->max_col, s->too_wide, s->arena.n};
	size_t n_off = s->max_col >= 0 ? (size_t)s->max_col + 1 : 0;
	if (sb_add(&s->seg->out, (const char *)&r, sizeof r) != 0 ||
	    (n_off && sb_add(&s->seg->out, (const char *)s->off,
			     n_off * sizeof *s->off) != 0) ||
	    (r.arena_len &&
	     sb_add(&s->seg->out, s->arena.p, r.arena_len) != 0)) {
		s->bail = 1; /* out of memory: the whole parse says so */
		XML_StopParser(s->b.p, XML_FALSE);
	}
}

/* Empties the row's cells for a new row. */
static void
row_clear(struct sheet *s)
{
	s->next_col = 0;
	s->arena.n = 0;
	for (long c = 0; c <= s->max_col; c++)
		s->off[c] = 0;
	s->max_col = -1;
	s->too_wide = 0;
}

/* Opens the row numbered rn (0: the one after the last): checks its
 * place, numbers it and empties its cells. -1 when stopped. */
static int
row_begin(struct sheet *s, long rn)
{
	if (rn > 0 && rn < s->next_row) {
		/* A spreadsheet writes its rows in order; a file going back
		 * would name two rows alike. */
		stop(&s->b, CARTEL_EFORMAT, "its rows are not in order");
		return -1;
	}
	s->row_no = rn > 0 ? rn : s->next_row;
	if (s->row_no > CARTEL_LIMIT_XLSX_ROWS) {
		stop(&s->b, CARTEL_ERANGE,
		     "it has rows past row 1048576, the last a sheet can have");
		return -1;
	}
	s->next_row = s->row_no + 1;
	row_clear(s);
	return 0;
}

static void XMLCALL
sh_start(void *ud, const XML_Char *el, const XML_Char **atts)
{
	struct sheet *s = ud;
	enum sh_el k = sh_el(el);
	if (s->seg != NULL) {
		/* A run of rows: the wrapper, then rows only. */
		if (s->depth == 1 && k != EL_ROW) {
			s->bail = 1;
			XML_StopParser(s->b.p, XML_FALSE);
			return;
		}
		s->depth++;
	}
	if (k == EL_C && s->in_row) {
		s->in_c = 1;
		const char *r, *t, *st;
		cell_attrs(atts, &r, &t, &st);
		long col = -1, row = -1;
		if (r != NULL)
			cell_ref(r, &col, &row);
		s->col = col >= 0 ? col : s->next_col;
		s->next_col = s->col + 1;
		s->ctype = t == NULL			  ? 'n'
			   : strcmp(t, "inlineStr") == 0 ? 'i'
			   : strcmp(t, "str") == 0	  ? 'r'
			   : t[0] != '\0' && t[1] == '\0' ? t[0]
							  : '?';
		s->style = st ? strtol(st, NULL, 10) : 0;
		s->val.n = 0;
		s->val_len = 0;
		if (s->val.p)
			s->val.p[0] = '\0';
	} else if (k == EL_V && s->in_c) {
		s->in_v = 1;
	} else if (k == EL_IS && s->in_c) {
		s->in_is = 1;
	} else if (k == EL_T && s->in_is) {
		s->in_t = 1;
	} else if (k == EL_RPH) {
		s->in_rph = 1;
	} else if (k == EL_ROW) {
		s->in_row = 1;
		const char *r = attr(atts, "r");
		long rn = r ? strtol(r, NULL, 10) : 0;
		if (s->seg != NULL) {
			s->raw_rn = rn; /* numbered and checked in order */
			row_clear(s);
		} else {
			row_begin(s, rn);
		}
	} else if (k == EL_SHEETDATA && s->seg == NULL) {
		s->in_sheetdata = 1;
	}
}

static void XMLCALL
sh_chars(void *ud, const XML_Char *t, int len)
{
	struct sheet *s = ud;
	if (!(s->in_v || (s->in_is && s->in_t && !s->in_rph)))
		return;
	size_t room = CARTEL_LIMIT_FIELD + 1 - s->val_len;
	size_t n = (size_t)len < room ? (size_t)len : room;
	if (n == 0)
		return;
	if (sb_add(&s->val, t, n) != 0) {
		stop(&s->b, CARTEL_ENOMEM, "out of memory");
		return;
	}
	s->val_len += n;
}

/* Days from 1970-01-01 to y-m-d, and back (proleptic Gregorian). */
static long
days_from_civil(long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

static void
civil_from_days(long z, long *y, unsigned *m, unsigned *d)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long yy = (long)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yy + (*m <= 2);
}

/* A serial number as YYYY-MM-DD into out (>= 11 bytes); 0, or -1 when it
 * is not a date (then the number is kept as written). */
static int
serial_date(const char *v, int date1904, char *out, size_t size)
{
	char *end;
	errno = 0;
	double s = strtod(v, &end);
	if (end == v || *end != '\0' || errno != 0 || !isfinite(s) || s < 1 ||
	    s >= 2958466)
		return -1;
	long days = (long)floor(s);
	long base;
	if (date1904) {
		base = days_from_civil(1904, 1, 1);
	} else if (days == 60) {
		return -1; /* 1900-02-29, which never was */
	} else if (days > 60) {
		base = days_from_civil(1899, 12, 30);
	} else {
		base = days_from_civil(1899, 12, 31);
	}
	long y;
	unsigned m, d;
	civil_from_days(base + days, &y, &m, &d);
	snprintf(out, size, "%04ld-%02u-%02u", y, m, d);
	return 0;
}

static void XMLCALL
sh_end(void *ud, const XML_Char *el);

/* Keeps the finished cell's value in the row. */
static void
cell_done(struct sheet *s)
{
	if (s->b.x->err != 0)
		return;
	const char *v = s->val.p ? s->val.p : "";
	char tmp[32];
	char t = s->ctype;
	if (t == 's') {
		char *end;
		errno = 0;
		unsigned long k = strtoul(v, &end, 10);
		if (*v == '\0' || *end != '\0' || errno != 0 ||
		    s->ss == NULL || k >= s->ss->n) {
			char what[96];
			snprintf(what, sizeof what,
				 "row %ld, column %ld: names a shared string "
				 "the workbook does not have",
				 s->row_no, s->col + 1);
			stop(&s->b, CARTEL_EFORMAT, what);
			return;
		}
		v = s->ss->text.p + s->ss->off[k];
	} else if (t == 'b') {
		v = strcmp(v, "1") == 0 ? "true" : *v ? "false" : "";
	} else if (t == 'e') {
		v = ""; /* #N/A, #REF!: no value */
	} else if (t == 'd') {
		/* An ISO 8601 date, perhaps with a time: the date. */
		const char *tt = strchr(v, 'T');
		if (tt != NULL && tt - v < (long)sizeof tmp) {
			memcpy(tmp, v, (size_t)(tt - v));
			tmp[tt - v] = '\0';
			v = tmp;
		}
	} else if (t == 'n' && s->st != NULL && s->style >= 0 &&
		   (size_t)s->style < s->st->n && s->st->is_date[s->style] &&
		   *v != '\0') {
		if (serial_date(v, s->date1904, tmp, sizeof tmp) == 0)
			v = tmp;
	}
	/* inlineStr and str: the text as it is. */
	if (*v == '\0')
		return;
	if (s->col > MAX_COLS - 1 || s->col < 0) {
		s->too_wide = 1;
		return;
	}
	size_t at = s->arena.n;
	if (sb_add(&s->arena, v, strlen(v) + 1) != 0) {
		stop(&s->b, CARTEL_ENOMEM, "out of memory");
		return;
	}
	s->off[s->col] = at + 1;
	if (s->col > s->max_col)
		s->max_col = s->col;
}

static int
push_row(struct sheet *s)
{
	struct cartel_xlsx_rows *r = s->rows;
	if (s->rows_fixed) {
		if (r->n >= CARTEL_LIMIT_XLSX_ROWS)
			return CARTEL_ERANGE;
		__atomic_store_n(&r->row_of[r->n], (size_t)s->row_no,
				 __ATOMIC_RELAXED);
		r->n++;
		return 0;
	}
	if (r->n == s->n_rows_cap) {
		size_t cap = s->n_rows_cap ? s->n_rows_cap * 2 : 1024;
		size_t *nv = realloc(r->row_of, cap * sizeof *nv);
		if (nv == NULL)
			return CARTEL_ENOMEM;
		r->row_of = nv;
		s->n_rows_cap = cap;
	}
	r->row_of[r->n++] = (size_t)s->row_no;
	return 0;
}

static const char *
cell_at(const struct sheet *s, long c)
{
	return c <= s->max_col && s->off[c] ? s->arena.p + s->off[c] - 1 : NULL;
}

static void
row_done(struct sheet *s)
{
	if (s->b.x->err != 0)
		return;
	if (s->max_col < 0 && !s->too_wide)
		return; /* an empty row, or one only formatted */
	size_t k = 0;
	if (!s->have_header) {
		s->n_head = s->max_col + 1;
		for (long c = 0; c < s->n_head; c++) {
			s->named[c] = cell_at(s, c) != NULL;
			if (s->named[c])
				s->fields[k++] = cell_at(s, c);
		}
		s->n_named = k;
		s->have_header = 1;
		if (s->too_wide) {
			stop(&s->b, CARTEL_ERANGE,
			     "the header row has more columns than the limit");
			return;
		}
	} else {
		int extra = s->too_wide;
		for (long c = 0; c <= s->max_col; c++) {
			const char *v = cell_at(s, c);
			if (c >= s->n_head) {
				if (v != NULL)
					extra = 1;
			} else if (s->named[c]) {
				s->fields[k++] = v ? v : "";
			} else if (v != NULL && s->unnamed_col < 0) {
				s->unnamed_col = c;
				s->unnamed_row = s->row_no;
			}
		}
		while (k < s->n_named)
			s->fields[k++] = "";
		/* A value past the header: one field too many, which the
		 * import rejects by its own rule, naming the row. */
		if (extra)
			s->fields[k++] = "";
	}
	if (push_row(s) != 0 || cartel_csv_write_row(s->out, s->fields, k) != 0)
		stop(&s->b, CARTEL_EIO, "the rows could not be written out");
}

static void XMLCALL
sh_end(void *ud, const XML_Char *el)
{
	struct sheet *s = ud;
	if (s->seg != NULL)
		s->depth--;
	switch (sh_el(el)) {
	case EL_V:
		s->in_v = 0;
		break;
	case EL_T:
		s->in_t = 0;
		break;
	case EL_IS:
		s->in_is = 0;
		break;
	case EL_RPH:
		s->in_rph = 0;
		break;
	case EL_C:
		if (s->in_c) {
			s->in_c = 0;
			cell_done(s);
		}
		break;
	case EL_ROW:
		if (s->in_row) {
			s->in_row = 0;
			if (s->seg != NULL) {
				seg_put_row(s);
			} else {
				row_done(s);
				s->row_end_at =
					XML_GetCurrentByteIndex(s->b.p) +
					XML_GetCurrentByteCount(s->b.p);
			}
		}
		break;
	case EL_SHEETDATA:
		if (s->seg == NULL)
			s->in_sheetdata = 0;
		break;
	default:
		break;
	}
}

/* ---- a large sheet on two cores --------------------------------------- */

/*
 * Parsing the sheet's XML is most of a workbook import's time, and expat
 * parses on one thread. A large sheet is therefore cut, as it is
 * inflated, into runs of whole rows: after each "</row>" end tag that
 * closes a run of about PAR_RUN bytes. The reading thread's own parser
 * reads the start of the part (up to the end of a first row, when it
 * must be inside sheetData between two rows, to the byte) and its end;
 * each run between is parsed by one of two worker threads as a
 * fragment ("<w>" run "</w>", the parser not resolving namespaces, no
 * entity but XML's own since the part has no DTD), with cells read as
 * the reading thread reads them, and the rows come back as records that
 * the reading thread numbers, checks and writes in order, exactly as it
 * does rows it parses itself.
 *
 * Whatever a worker does not read as a plain run of rows (an error, a
 * comment, a processing instruction, a CDATA section, an element that
 * is not a row, a cut that fell inside one of them) is handed back: from
 * that run on, every byte goes to the reading thread's parser in order,
 * which sees the same bytes as without the workers and gives the same
 * rows or the same error (its line numbers counting the runs the workers
 * read). Parts smaller than PAR_MIN are read as before.
 */
#define PAR_MIN (1u << 20)
#define PAR_RUN (256u << 10)
#define PAR_MAX_ACC (8u << 20) /* no row end in this much: read whole */
#define PAR_QUEUE 6
#define PAR_WORKERS 2

struct pool {
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	struct seg *q[PAR_QUEUE];
	size_t pushed, taken, emitted; /* runs so far */
	int quit;
	pthread_t th[PAR_WORKERS];
	int n_th;
	struct xr x; /* for the workers' sheets (part name) */
	const struct strings *ss;
	const struct styles *st;
	int date1904;
};

static void XMLCALL
w_bail(void *ud)
{
	struct sheet *s = ud;
	s->bail = 1;
	XML_StopParser(s->b.p, XML_FALSE);
}

static void XMLCALL
w_pi(void *ud, const XML_Char *target, const XML_Char *data)
{
	(void)target;
	(void)data;
	w_bail(ud);
}

static void XMLCALL
w_comment(void *ud, const XML_Char *data)
{
	(void)data;
	w_bail(ud);
}

/* A worker's parser, made afresh for each run (reset keeps memory). */
static int
w_parser(struct sheet *ws)
{
	XML_Parser p = ws->b.p;
	if (p == NULL) {
		if (parser_new(&ws->b, sh_start, sh_end, sh_chars) == NULL)
			return -1;
		p = ws->b.p;
	} else {
		if (!XML_ParserReset(p, "UTF-8"))
			return -1;
		XML_SetUserData(p, &ws->b);
		XML_SetElementHandler(p, sh_start, sh_end);
		XML_SetCharacterDataHandler(p, sh_chars);
		XML_SetStartDoctypeDeclHandler(p, on_doctype);
		XML_SetEntityDeclHandler(p, on_entity);
		XML_SetExternalEntityRefHandler(p, on_external);
		XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER);
	}
	XML_SetCommentHandler(p, w_comment);
	XML_SetProcessingInstructionHandler(p, w_pi);
	XML_SetStartCdataSectionHandler(p, w_bail);
	return 0;
}

/* Parses one run: SEG_ROWS with its records, or SEG_WHOLE. */
static int
w_parse(struct sheet *ws, struct xr *wx, struct seg *g)
{
	if (w_parser(ws) != 0)
		return SEG_WHOLE;
	ws->seg = g;
	ws->depth = 0;
	ws->bail = 0;
	ws->in_row = ws->in_c = ws->in_v = ws->in_is = ws->in_t = 0;
	ws->in_rph = 0;
	row_clear(ws); /* the last run's last row */
	free(*wx->why);
	*wx->why = NULL;
	wx->err = 0;
	for (const char *c = g->buf;
	     (c = memchr(c, '\n', (size_t)(g->buf + g->len - c))) != NULL; c++)
		g->lines++;
	int ok = XML_Parse(ws->b.p, g->buf, (int)g->len, 1) ==
			 XML_STATUS_OK &&
		 !ws->bail && wx->err == 0;
	return ok ? SEG_ROWS : SEG_WHOLE;
}

static void *
w_run(void *arg)
{
	struct pool *pl = arg;
	char *why = NULL;
	struct xr wx = pl->x;
	wx.why = &why;
	struct sheet *ws = calloc(1, sizeof *ws);
	if (ws != NULL) {
		ws->b.x = &wx;
		ws->ss = pl->ss;
		ws->st = pl->st;
		ws->date1904 = pl->date1904;
		ws->max_col = -1;
	}
	for (;;) {
		pthread_mutex_lock(&pl->mu);
		while (pl->taken == pl->pushed && !pl->quit)
			pthread_cond_wait(&pl->work, &pl->mu);
		if (pl->quit) {
			pthread_mutex_unlock(&pl->mu);
			break;
		}
		struct seg *g = pl->q[pl->taken++ % PAR_QUEUE];
		pthread_mutex_unlock(&pl->mu);
		int st = ws != NULL ? w_parse(ws, &wx, g) : SEG_WHOLE;
		pthread_mutex_lock(&pl->mu);
		g->state = st;
		pthread_cond_broadcast(&pl->done);
		pthread_mutex_unlock(&pl->mu);
	}
	if (ws != NULL) {
		if (ws->b.p != NULL)
			XML_ParserFree(ws->b.p);
		free(ws->val.p);
		free(ws->arena.p);
		free(ws);
	}
	free(why);
	return NULL;
}

static void
seg_free(struct seg *g)
{
	if (g != NULL) {
		free(g->buf);
		free(g->out.p);
		free(g);
	}
}

/* Stops the workers; frees the runs not yet emitted. */
static void
pool_end(struct pool *pl)
{
	pthread_mutex_lock(&pl->mu);
	pl->quit = 1;
	pthread_cond_broadcast(&pl->work);
	pthread_mutex_unlock(&pl->mu);
	for (int i = 0; i < pl->n_th; i++)
		pthread_join(pl->th[i], NULL);
	for (size_t k = pl->emitted; k < pl->pushed; k++)
		seg_free(pl->q[k % PAR_QUEUE]);
	pthread_cond_destroy(&pl->done);
	pthread_cond_destroy(&pl->work);
	pthread_mutex_destroy(&pl->mu);
}

/* The reading thread's parser over n bytes (final: the last). */
static int
p0_parse(struct xr *x, struct sheet *sh, const char *p, size_t n, int final,
	 size_t lines_apart)
{
	if (XML_Parse(sh->b.p, p, (int)n, final) == XML_STATUS_ERROR) {
		if (x->err == 0)
			xr_fail(x, CARTEL_EFORMAT,
				"%s is not well-formed XML (line %lu: %s)",
				x->part,
				(unsigned long)(XML_GetCurrentLineNumber(
							sh->b.p) +
						lines_apart),
				XML_ErrorString(XML_GetErrorCode(sh->b.p)));
		return -1;
	}
	return x->err != 0 ? -1 : 0;
}

/* The records of a run, written as the reading thread writes rows. */
/* Runs of rows the workers parsed, since the process began (for the
 * tests, through io/import_int.h). */
static size_t runs_apart;

size_t
cartel__xlsx_runs_apart(void)
{
	return __atomic_load_n(&runs_apart, __ATOMIC_RELAXED);
}

static int
emit_rows(struct sheet *sh, const struct seg *g)
{
	__atomic_add_fetch(&runs_apart, 1, __ATOMIC_RELAXED);
	const char *p = g->out.p, *end = g->out.p + g->out.n;
	while (p < end && sh->b.x->err == 0) {
		struct rec r;
		memcpy(&r, p, sizeof r);
		p += sizeof r;
		if (row_begin(sh, r.rn) != 0)
			return -1;
		size_t n_off = r.max_col >= 0 ? (size_t)r.max_col + 1 : 0;
		memcpy(sh->off, p, n_off * sizeof *sh->off);
		p += n_off * sizeof *sh->off;
		sh->max_col = r.max_col;
		sh->too_wide = r.too_wide;
		sh->arena.n = 0;
		if (r.arena_len && sb_add(&sh->arena, p, r.arena_len) != 0) {
			stop(&sh->b, CARTEL_ENOMEM, "out of memory");
			return -1;
		}
		p += r.arena_len;
		row_done(sh);
	}
	return sh->b.x->err != 0 ? -1 : 0;
}

/* The oldest run not yet emitted, once a worker is done with it (waiting
 * for that when wait is set; else NULL while it is not), or NULL when
 * none is left. */
static struct seg *
run_oldest(struct pool *pl, int wait)
{
	struct seg *g = NULL;
	pthread_mutex_lock(&pl->mu);
	if (pl->emitted < pl->pushed) {
		g = pl->q[pl->emitted % PAR_QUEUE];
		while (wait && g->state == SEG_QUEUED)
			pthread_cond_wait(&pl->done, &pl->mu);
		if (g->state == SEG_QUEUED)
			g = NULL;
	}
	pthread_mutex_unlock(&pl->mu);
	return g;
}

/* Where the last "</row>" of b[0..n) ends, or 0. */
static size_t
last_row_end(const char *b, size_t n)
{
	for (size_t k = n; k >= 6;) {
		const char *lt = memrchr(b, '<', k);
		if (lt == NULL)
			return 0;
		size_t at = (size_t)(lt - b);
		if (n - at >= 6 && memcmp(lt, "</row>", 6) == 0)
			return at + 6;
		k = at;
	}
	return 0;
}

/*
 * Reads the sheet part as read_part does, with the runs of rows between
 * its start and its end parsed by the workers.
 */
static int
read_sheet(struct xr *x, const char *part, struct sheet *sh)
{
	x->part = part;
	zip_int64_t idx = zip_name_locate(x->zip, part, 0);
	zip_stat_t st;
	zip_stat_init(&st);
	if (idx < 0 || zip_stat_index(x->zip, (zip_uint64_t)idx, 0, &st) != 0 ||
	    !(st.valid & ZIP_STAT_SIZE) || st.size < PAR_MIN ||
	    st.size > CARTEL_LIMIT_XLSX_PART ||
	    st.size > CARTEL_LIMIT_XLSX_TOTAL - x->total)
		return read_part(x, part, &sh->b, 1);
	struct pool pl;
	memset(&pl, 0, sizeof pl);
	pl.x = *x;
	pl.ss = sh->ss;
	pl.st = sh->st;
	pl.date1904 = sh->date1904;
	if (pthread_mutex_init(&pl.mu, NULL) != 0)
		return read_part(x, part, &sh->b, 1);
	pthread_cond_init(&pl.work, NULL);
	pthread_cond_init(&pl.done, NULL);
	for (int i = 0; i < PAR_WORKERS; i++)
		if (pthread_create(&pl.th[pl.n_th], NULL, w_run, &pl) == 0)
			pl.n_th++;
	if (pl.n_th == 0) {
		pool_end(&pl);
		return read_part(x, part, &sh->b, 1);
	}
	zip_file_t *f = zip_fopen_index(x->zip, (zip_uint64_t)idx, 0);
	if (f == NULL) {
		pool_end(&pl);
		return xr_fail(x, CARTEL_EFORMAT,
			       "%s cannot be read: %s (a damaged or "
			       "encrypted archive?)",
			       part, zip_strerror(x->zip));
	}
	/* head: the reading thread's parser to a first row's end; runs: to
	 * the workers; whole: everything to the reading thread's parser. */
	enum { HEAD, RUNS, WHOLE } mode = HEAD;
	struct sbuf acc = {0};
	size_t lines_apart = 0, part_bytes = 0;
	int handed_back = 0; /* a worker gave a run back */
	char *chunk = malloc(1 << 16);
	if (chunk == NULL)
		xr_fail(x, CARTEL_ENOMEM, "out of memory");
	while (x->err == 0) {
		zip_int64_t n = part_next(x, f, &st, &part_bytes, chunk);
		if (n < 0)
			break;
		if (mode == WHOLE) {
			if (p0_parse(x, sh, chunk, (size_t)n, n == 0,
				     lines_apart) != 0 ||
			    n == 0)
				break;
			continue;
		}
		if (n > 0 && sb_add(&acc, chunk, (size_t)n) != 0) {
			xr_fail(x, CARTEL_ENOMEM, "out of memory");
			break;
		}
		if (mode == HEAD && (acc.n >= PAR_RUN || n == 0)) {
			size_t cut = n == 0 ? 0 : last_row_end(acc.p, acc.n);
			if (cut == 0 && n != 0 && acc.n < PAR_MAX_ACC)
				continue;
			if (cut == 0)
				cut = acc.n; /* no row end: read whole */
			if (p0_parse(x, sh, acc.p, cut, 0, 0) != 0)
				break;
			/* To the byte at a row's end inside sheetData, or the
			 * rest is read whole. */
			mode = sh->in_sheetdata && !sh->in_row &&
					       sh->row_end_at == (long long)cut &&
					       cut < acc.n
				       ? RUNS
				       : WHOLE;
			memmove(acc.p, acc.p + cut, acc.n - cut);
			acc.n -= cut;
		}
		/* Runs to the workers, while there is room in the queue. */
		while (mode == RUNS && x->err == 0 &&
		       (acc.n >= PAR_RUN || n == 0)) {
			size_t cut = last_row_end(acc.p, acc.n);
			if (cut == 0) {
				/* More to read; or no row end in so much: the
				 * rest is read whole; or the end: below. */
				if (n != 0 && acc.n >= PAR_MAX_ACC)
					mode = WHOLE;
				break;
			}
			/* The runs done, in order (the oldest waited for when
			 * the queue is full); one given back stops them. */
			struct seg *g;
			int full = pl.pushed - pl.emitted == PAR_QUEUE;
			while (x->err == 0 && (g = run_oldest(&pl, full)) != NULL) {
				if (g->state == SEG_WHOLE) {
					mode = WHOLE;
					break;
				}
				lines_apart += g->lines;
				emit_rows(sh, g);
				seg_free(g);
				pl.emitted++;
				full = 0;
			}
			if (mode != RUNS || x->err != 0)
				break;
			g = calloc(1, sizeof *g);
			char *b = g ? malloc(cut + 8) : NULL;
			if (b == NULL) {
				free(g);
				xr_fail(x, CARTEL_ENOMEM, "out of memory");
				break;
			}
			memcpy(b, "<w>", 3);
			memcpy(b + 3, acc.p, cut);
			memcpy(b + 3 + cut, "</w>", 4);
			g->buf = b;
			g->len = cut + 7;
			memmove(acc.p, acc.p + cut, acc.n - cut);
			acc.n -= cut;
			pthread_mutex_lock(&pl.mu);
			pl.q[pl.pushed++ % PAR_QUEUE] = g;
			pthread_cond_signal(&pl.work);
			pthread_mutex_unlock(&pl.mu);
		}
		if (x->err != 0)
			break;
		if (n != 0 && mode == RUNS)
			continue;
		if (mode == HEAD)
			continue;
		/* The end, or the workers gave a run back: every run left,
		 * in order, then what is gathered, to the reading thread's
		 * parser (its rows written as it reads them). */
		struct seg *g;
		while (x->err == 0 && (g = run_oldest(&pl, 1)) != NULL) {
			if (g->state == SEG_ROWS && !handed_back) {
				lines_apart += g->lines;
				emit_rows(sh, g);
			} else {
				handed_back = 1;
				p0_parse(x, sh, g->buf + 3, g->len - 7, 0,
					 lines_apart);
			}
			seg_free(g);
			pl.emitted++;
		}
		if (x->err != 0)
			break;
		mode = WHOLE;
		if (p0_parse(x, sh, acc.p, acc.n, n == 0, lines_apart) != 0)
			break;
		acc.n = 0;
		if (n == 0)
			break;
	}
	pool_end(&pl);
	free(acc.p);
	free(chunk);
	zip_fclose(f);
	return x->err;
}

/* ---- the whole ------------------------------------------------------- */

/* The sheet as CSV into out, its rows' numbers into *rows_out (made
 * here), or when live is not NULL into live->row_of (made beforehand for
 * CARTEL_LIMIT_XLSX_ROWS rows, read meanwhile by another thread). */
static int
to_csv(zip_t *zip, const char *name, const char *sheet_name, FILE *out,
       struct cartel_xlsx_rows *rows_out, struct cartel_xlsx_rows *live,
       char **why)
{
	struct xr x = {zip, name, why, 0, 0, NULL};
	struct wb w;
	struct rels r;
	struct strings ss;
	struct styles st;
	struct sheet *sh = NULL;
	char *sheet_part = NULL;
	memset(&w, 0, sizeof w);
	memset(&r, 0, sizeof r);
	memset(&ss, 0, sizeof ss);
	memset(&st, 0, sizeof st);
	w.b.x = r.b.x = ss.b.x = st.b.x = &x;
	struct cartel_xlsx_rows rows = {NULL, 0};

	if (zip_get_num_entries(zip, 0) > CARTEL_LIMIT_XLSX_ENTRIES) {
		xr_fail(&x, CARTEL_ERANGE,
			"the archive has more than %d entries; refused",
			CARTEL_LIMIT_XLSX_ENTRIES);
		goto done;
	}
	if (parser_new(&w.b, wb_start, no_end, NULL) == NULL ||
	    parser_new(&r.b, rels_start, no_end, NULL) == NULL ||
	    parser_new(&ss.b, ss_start, ss_end, ss_chars) == NULL ||
	    parser_new(&st.b, st_start, st_end, NULL) == NULL) {
		xr_fail(&x, CARTEL_ENOMEM, "out of memory");
		goto done;
	}
	if (read_part(&x, "xl/workbook.xml", &w.b, 1) != 0)
		goto done;
	if (w.n == 0) {
		xr_fail(&x, CARTEL_EFORMAT, "the workbook has no sheet");
		goto done;
	}
	if (read_part(&x, "xl/_rels/workbook.xml.rels", &r.b, 1) != 0)
		goto done;
	const struct sheet_ref *want = NULL;
	for (size_t i = 0; i < w.n && want == NULL; i++)
		if (sheet_name == NULL || strcmp(w.v[i].name, sheet_name) == 0)
			want = &w.v[i];
	if (want == NULL) {
		xr_fail(&x, CARTEL_EFORMAT,
			"the workbook has no sheet named '%.64s' (its first "
			"is '%.64s')",
			sheet_name, w.v[0].name);
		goto done;
	}
	for (size_t i = 0; i < r.n && sheet_part == NULL; i++)
		if (strcmp(r.v[i].id, want->rid) == 0)
			sheet_part = part_of(r.v[i].target);
	if (sheet_part == NULL) {
		xr_fail(&x, CARTEL_EFORMAT,
			"the workbook does not say where sheet '%.64s' is",
			want->name);
		goto done;
	}
	const char *t = rel_by_type(&r, "/sharedStrings");
	char *p = part_of(t ? t : "sharedStrings.xml");
	int rc = p ? read_part(&x, p, &ss.b, 0) : xr_fail(&x, CARTEL_ENOMEM,
							  "out of memory");
	free(p);
	if (rc < 0)
		goto done;
	t = rel_by_type(&r, "/styles");
	p = part_of(t ? t : "styles.xml");
	rc = p ? read_part(&x, p, &st.b, 0)
	       : xr_fail(&x, CARTEL_ENOMEM, "out of memory");
	free(p);
	if (rc < 0)
		goto done;

	sh = calloc(1, sizeof *sh);
	if (sh == NULL) {
		xr_fail(&x, CARTEL_ENOMEM, "out of memory");
		goto done;
	}
	sh->fields = calloc(MAX_COLS + 2, sizeof *sh->fields);
	sh->b.x = &x;
	sh->ss = &ss;
	sh->st = &st;
	sh->date1904 = w.date1904;
	sh->out = out;
	sh->rows = live != NULL ? live : &rows;
	sh->rows_fixed = live != NULL;
	sh->max_col = -1;
	sh->unnamed_col = -1;
	sh->next_row = 1;
	if (sh->fields == NULL ||
	    parser_new(&sh->b, sh_start, sh_end, sh_chars) == NULL) {
		xr_fail(&x, CARTEL_ENOMEM, "out of memory");
		goto done;
	}
	if (read_sheet(&x, sheet_part, sh) != 0)
		goto done;
	if (!sh->have_header) {
		xr_fail(&x, CARTEL_EFORMAT,
			"sheet '%.64s' is empty: no header row",
			want->name);
		goto done;
	}
	if (sh->unnamed_col >= 0) {
		xr_fail(&x, CARTEL_EFORMAT,
			"sheet '%.64s', row %ld, column %ld: a cell with data "
			"under an empty header cell (a merged header?); name "
			"the column in the first row, or remove it",
			want->name, sh->unnamed_row, sh->unnamed_col + 1);
		goto done;
	}
	if (fflush(out) != 0)
		xr_fail(&x, CARTEL_EIO, "the rows could not be written out");
done:
	for (size_t i = 0; i < w.n; i++) {
		free(w.v[i].name);
		free(w.v[i].rid);
	}
	free(w.v);
	for (size_t i = 0; i < r.n; i++) {
		free(r.v[i].id);
		free(r.v[i].target);
		free(r.v[i].type);
	}
	free(r.v);
	free(ss.text.p);
	free(ss.off);
	free(st.is_date);
	free(sheet_part);
	XML_Parser ps[] = {w.b.p, r.b.p, ss.b.p, st.b.p, sh ? sh->b.p : NULL};
	for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++)
		if (ps[i] != NULL)
			XML_ParserFree(ps[i]);
	if (sh != NULL) {
		free(sh->val.p);
		free(sh->arena.p);
		free(sh->fields);
		free(sh);
	}
	if (x.err == 0 && rows_out != NULL) {
		*rows_out = rows;
	} else {
		free(rows.row_of);
	}
	return x.err;
}

/* Opens the archive on src (taken, freed on failure). */
static int
open_zip(zip_source_t *src, const char *name, zip_t **out, char **why)
{
	zip_error_t ze;
	zip_error_init(&ze);
	*out = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
	if (*out != NULL) {
		zip_error_fini(&ze);
		return 0;
	}
	int code = zip_error_code_zip(&ze);
	const char *what =
		code == ZIP_ER_NOZIP
			? "not a workbook: not a zip archive (an .xlsx file "
			  "is one)"
		: code == ZIP_ER_INCONS || code == ZIP_ER_READ ||
				code == ZIP_ER_SEEK || code == ZIP_ER_EOF
			? "the archive is damaged or cut short"
			: zip_error_strerror(&ze);
	int err = cartel__why(why, CARTEL_EFORMAT, "%s: %s", name, what);
	zip_error_fini(&ze);
	zip_source_free(src);
	return err;
}

static int
buffer_to_csv(const void *data, size_t len, const char *name,
	      const char *sheet, FILE *out, struct cartel_xlsx_rows *rows,
	      struct cartel_xlsx_rows *live, char **why)
{
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(len ? data : "", len, 0,
						     &ze);
	zip_error_fini(&ze);
	if (src == NULL)
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	zip_t *zip;
	int err = open_zip(src, name, &zip, why);
	if (err != 0)
		return err;
	err = to_csv(zip, name, sheet, out, rows, live, why);
	zip_discard(zip);
	return err;
}

int
cartel_xlsx_to_csv(const void *data, size_t len, const char *name,
		   const char *sheet, FILE *out, struct cartel_xlsx_rows *rows,
		   char **why)
{
	if (rows != NULL)
		memset(rows, 0, sizeof *rows);
	return buffer_to_csv(data, len, name, sheet, out, rows, NULL, why);
}

static int
file_to_csv(const char *path, const char *sheet, FILE *out,
	    struct cartel_xlsx_rows *rows, struct cartel_xlsx_rows *live,
	    char **why)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return cartel__why(why, errno == ENOENT ? CARTEL_ENOTFOUND
							: CARTEL_EIO,
				   "%s: %s", path, strerror(errno));
	/* The whole file, to a limit: libzip reads the central directory
	 * from the end, and a file in memory cannot change under it. */
	struct sbuf b = {0};
	char chunk[65536];
	size_t n;
	int err = 0;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (b.n + n > CARTEL_LIMIT_XLSX_FILE) {
			err = cartel__why(why, CARTEL_ERANGE,
					  "%s: larger than the limit of %u MiB "
					  "for a workbook",
					  path, CARTEL_LIMIT_XLSX_FILE >> 20);
			break;
		}
		if (sb_add(&b, chunk, n) != 0) {
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
			break;
		}
	}
	if (err == 0 && ferror(f))
		err = cartel__why(why, CARTEL_EIO, "%s: %s", path,
				  strerror(errno));
	fclose(f);
	if (err == 0)
		err = buffer_to_csv(b.p, b.n, path, sheet, out, rows, live,
				    why);
	free(b.p);
	return err;
}

int
cartel_xlsx_file_to_csv(const char *path, const char *sheet, FILE *out,
			struct cartel_xlsx_rows *rows, char **why)
{
	if (rows != NULL)
		memset(rows, 0, sizeof *rows);
	return file_to_csv(path, sheet, out, rows, NULL, why);
}

/*
 * Importing while the sheet is read. A thread of its own turns the sheet
 * into CSV and writes it into one end of a socket pair; the import reads
 * the other end as it reads any CSV, so that inflating and parsing the
 * workbook overlap with checking and writing its rows instead of coming
 * before them. The sheet's row numbers go into a table made beforehand
 * for the most rows a sheet can have, which never moves while the import
 * reads it.
 *
 * A workbook found broken part-way (an unnamed column, a part past its
 * limit) must not leave the rows before it imported: the converting
 * thread sets its result before it ends its side, and the import's read
 * of the end of the rows fails when that result is an error, so the
 * import stops, writing nothing, and the workbook's own error is the one
 * reported. An import that stops early (a row refused under all or
 * nothing) closes its side, and the converting thread's next write fails
 * (with no SIGPIPE) and ends it.
 */
struct stream {
	int fd[2]; /* [0] the import reads, [1] the sheet is written */
	const char *path, *sheet;
	const char *lang;
	struct cartel_xlsx_rows live;
	int err;	 /* the conversion's result, set before [1] ends */
	char *why;	 /* its message */
	int told;	 /* the import's read was failed with it */
};

static ssize_t
stream_write(void *c, const char *buf, size_t n)
{
	struct stream *s = c;
	size_t done = 0;
	while (done < n) {
		ssize_t k = send(s->fd[1], buf + done, n - done, MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return 0; /* fopencookie: 0 is an error */
		done += (size_t)k;
	}
	return (ssize_t)n;
}

static ssize_t
stream_read(void *c, char *buf, size_t n)
{
	struct stream *s = c;
	for (;;) {
		ssize_t k = recv(s->fd[0], buf, n, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k == 0 && __atomic_load_n(&s->err, __ATOMIC_ACQUIRE) != 0) {
			s->told = 1;
			errno = EIO;
			return -1;
		}
		return k;
	}
}

static void *
stream_produce(void *arg)
{
	struct stream *s = arg;
	cartel_lang_set(s->lang, NULL);
	char *why = NULL;
	int err;
	cookie_io_functions_t io = {NULL, stream_write, NULL, NULL};
	FILE *out = fopencookie(s, "w", io);
	if (out == NULL) {
		err = cartel__why(&why, CARTEL_ENOMEM, "out of memory");
	} else {
		setvbuf(out, NULL, _IOFBF, 1 << 16);
		err = file_to_csv(s->path, s->sheet, out, NULL, &s->live, &why);
		if (fclose(out) != 0 && err == 0)
			err = cartel__why(&why, CARTEL_EIO,
					  "the rows could not be written out");
	}
	s->why = why;
	__atomic_store_n(&s->err, err, __ATOMIC_RELEASE);
	shutdown(s->fd[1], SHUT_WR); /* the import reads the end */
	return NULL;
}

int
cartel_import_xlsx(struct cartel_db *db, const char *path, const char *sheet,
		   const struct cartel_import_opts *opts,
		   struct cartel_import_result *res, char **why)
{
	memset(res, 0, sizeof *res);
	struct cartel_import_opts o = *opts;
	o.delimiter = ',';
	o.encoding = NULL;
	struct stream s;
	memset(&s, 0, sizeof s);
	s.path = path;
	s.sheet = sheet;
	s.lang = cartel_lang_get();
	/* Untouched pages of the table cost nothing: a list of a thousand
	 * rows uses a few of its 8 MiB. */
	s.live.row_of = calloc(CARTEL_LIMIT_XLSX_ROWS, sizeof *s.live.row_of);
	if (s.live.row_of == NULL)
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s.fd) != 0) {
		int e = errno;
		free(s.live.row_of);
		return cartel__why(why, CARTEL_EIO,
				   "%s: the workbook cannot be read: %s", path,
				   strerror(e));
	}
	cookie_io_functions_t io = {stream_read, NULL, NULL, NULL};
	FILE *in = fopencookie(&s, "r", io);
	pthread_t th;
	int started = in != NULL &&
		      pthread_create(&th, NULL, stream_produce, &s) == 0;
	if (!started) {
		if (in != NULL)
			fclose(in);
		close(s.fd[0]);
		close(s.fd[1]);
		free(s.live.row_of);
		return cartel__why(why, CARTEL_ENOMEM,
				   "%s: the workbook cannot be read: out of "
				   "memory (no thread to read it)",
				   path);
	}
	o.row_of = s.live.row_of;
	o.n_row_of = CARTEL_LIMIT_XLSX_ROWS;
	int err = cartel_import_csv(db, in, path, &o, res, why);
	fclose(in);
	close(s.fd[0]); /* a conversion still writing stops */
	pthread_join(th, NULL);
	close(s.fd[1]);
	if (s.err != 0 && (err == 0 || s.told)) {
		/* The workbook's own error, not the import's of its cut-short
		 * rows; nothing was imported. */
		err = s.err;
		if (why != NULL) {
			free(*why);
			*why = s.why;
			s.why = NULL;
		}
		cartel_import_result_clear(res);
	}
	free(s.why);
	free(s.live.row_of);
	return err;
}
