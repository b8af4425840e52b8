/*
 * The printed list (<cartel/print.h>, docs/print.md): an agreed, verified
 * round document laid out on landscape A4 pages by cairo, its text set by
 * pango.
 *
 * The layout is a table of rows of one height, so the pages are counted
 * before the first one is drawn: every page can say "page 2 of 5" and how
 * many persons the list has reached by its end. Section headings (who
 * hands over, direct repatriation, held back) take a row of their own.
 * The document is read through its canonical form, the same bytes the
 * signatures cover, so what is printed is what was signed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <jansson.h>
#include <pango/pangocairo.h>
#include <sodium.h>

#include <cartel/error.h>
#include <cartel/file.h>
#include <cartel/i18n.h>
#include <cartel/limits.h>
#include <cartel/person.h>
#include <cartel/print.h>
#include <cartel/transfer.h>

#include "core/intl.h"
#include "core/text_lock.h"
#include "core/why.h"

/* Landscape A4, in points. */
#define PAGE_W 841.89
#define PAGE_H 595.28
#define MARGIN 36.0
#define ROW_H 15.0
#define TABLE_TOP 112.0
#define FOOTER_H 50.0
#define NO_W 34.0
#define STAGE_W 40.0

/* A PDF of a list stays well under this (a few kB a page). */
#define PDF_MAX ((size_t)256 << 20)

#define FONT "DejaVu Sans"
#define FONT_MONO "DejaVu Sans Mono"

/* A person field that can be printed: its name in the document, its
 * column heading, and its share of the table's width. */
static const struct field {
	const char *name;
	const char *heading;
	double weight;
	int enum_kind; /* -1, or the enum its value is a text form of */
} fields[] = {
	{"id", N_("Id"), 1.0, -1},
	{"holder_id", N_("Holder's id"), 1.0, -1},
	{"receiver_id", N_("Receiver's id"), 1.0, -1},
	{"family_name", N_("Family name"), 1.5, -1},
	{"given_name", N_("Given name"), 1.2, -1},
	{"patronymic", N_("Patronymic"), 1.4, -1},
	{"birth_date", N_("Born"), 0.8, -1},
	{"rank", N_("Rank"), 1.0, -1},
	{"service_number", N_("Service number"), 1.0, -1},
	{"category", N_("Category"), 0.9, CARTEL_ENUM_CATEGORY},
	{"consent", N_("Consent"), 0.9, CARTEL_ENUM_CONSENT},
	{"holder", N_("Holder"), 0.7, -1},
};
#define N_FIELDS (sizeof fields / sizeof fields[0])

enum row_kind { ROW_HEADING, ROW_PERSON, ROW_NOTE };

struct row {
	enum row_kind kind;
	const json_t *person; /* ROW_PERSON */
	char *text;           /* ROW_HEADING, ROW_NOTE: malloc'd */
	size_t number;        /* ROW_PERSON: 1.. across the whole list */
	int withheld;
};

struct layout {
	json_t *doc;
	const struct field *cols[N_FIELDS];
	size_t n_cols;
	struct row *rows;
	size_t n_rows, cap_rows;
	size_t n_persons;
	int rows_per_page;
	int n_pages;
	char fpr[2][CARTEL_DIGEST_LEN];
	char party[2][CARTEL_PARTY_MAX];
};

/* The growing PDF in memory. */
struct sink {
	unsigned char *buf;
	size_t len, cap;
	int failed;
};

static cairo_status_t
sink_write(void *closure, const unsigned char *data, unsigned int n)
{
	struct sink *s = closure;
	if (s->failed || n > PDF_MAX - s->len) {
		s->failed = 1;
		return CAIRO_STATUS_WRITE_ERROR;
	}
	if (s->len + n > s->cap) {
		size_t ncap = s->cap ? s->cap : 65536;
		while (ncap < s->len + n)
			ncap *= 2;
		unsigned char *p = realloc(s->buf, ncap);
		if (p == NULL) {
			s->failed = 1;
			return CAIRO_STATUS_NO_MEMORY;
		}
		s->buf = p;
		s->cap = ncap;
	}
	memcpy(s->buf + s->len, data, n);
	s->len += n;
	return CAIRO_STATUS_SUCCESS;
}

static int
add_row(struct layout *L, enum row_kind kind, const json_t *person,
	char *text, int withheld)
{
	if (L->n_rows == L->cap_rows) {
		size_t ncap = L->cap_rows ? L->cap_rows * 2 : 64;
		struct row *p = realloc(L->rows, ncap * sizeof *p);
		if (p == NULL) {
			free(text);
			return CARTEL_ENOMEM;
		}
		L->rows = p;
		L->cap_rows = ncap;
	}
	struct row *rw = &L->rows[L->n_rows++];
	memset(rw, 0, sizeof *rw);
	rw->kind = kind;
	rw->person = person;
	rw->text = text;
	rw->withheld = withheld;
	if (kind == ROW_PERSON)
		rw->number = ++L->n_persons;
	return 0;
}

static int
add_heading(struct layout *L, char *text)
{
	if (text == NULL)
		return CARTEL_ENOMEM;
	return add_row(L, ROW_HEADING, NULL, text, 0);
}

/* The columns: the document's print_fields, else the default set. */
static int
choose_columns(struct layout *L, char **why)
{
	const json_t *pf = json_object_get(L->doc, "print_fields");
	if (pf == NULL || json_is_null(pf)) {
		/* CARTEL_PRINT_FIELDS_DEFAULT, field by field. */
		const char *def = CARTEL_PRINT_FIELDS_DEFAULT;
		while (*def) {
			size_t n = strcspn(def, ",");
			for (size_t i = 0; i < N_FIELDS; i++)
				if (strlen(fields[i].name) == n &&
				    memcmp(fields[i].name, def, n) == 0)
					L->cols[L->n_cols++] = &fields[i];
			def += n + (def[n] == ',');
		}
		return 0;
	}
	if (!json_is_array(pf) || json_array_size(pf) == 0 ||
	    json_array_size(pf) > N_FIELDS)
		return cartel__why(why, CARTEL_EFORMAT,
				   "field 'print_fields': expected an array of "
				   "1 to %zu person field names",
				   N_FIELDS);
	size_t k;
	const json_t *v;
	json_array_foreach(pf, k, v)
	{
		const char *s = json_string_value(v);
		const struct field *f = NULL;
		for (size_t i = 0; s != NULL && i < N_FIELDS; i++)
			if (strcmp(fields[i].name, s) == 0)
				f = &fields[i];
		if (f == NULL)
			return cartel__why(why, CARTEL_EFORMAT,
					   "field 'print_fields[%zu]': not a "
					   "person field that can be printed",
					   k);
		for (size_t i = 0; i < L->n_cols; i++)
			if (L->cols[i] == f)
				return cartel__why(
					why, CARTEL_EFORMAT,
					"field 'print_fields[%zu]': named twice",
					k);
		L->cols[L->n_cols++] = f;
	}
	return 0;
}

static int
add_list(struct layout *L, const json_t *list, int withheld)
{
	size_t k;
	const json_t *p;
	json_array_foreach(list, k, p)
	{
		int rc = add_row(L, ROW_PERSON, p, NULL, withheld);
		if (rc)
			return rc;
		const char *reason =
			withheld ? json_string_value(json_object_get(p, "reason"))
				 : NULL;
		if (reason != NULL && reason[0]) {
			char *t = cartel__asprintf("%s: %s", _("reason"),
						   reason);
			if (t == NULL)
				return CARTEL_ENOMEM;
			if ((rc = add_row(L, ROW_NOTE, NULL, t, 0)) != 0)
				return rc;
		}
	}
	return 0;
}

/* Every row of the list, in the order of the document. */
static int
build_rows(struct layout *L)
{
	const json_t *sides = json_object_get(L->doc, "sides");
	const json_t *direct = json_object_get(L->doc, "direct_repatriation");
	int rc;
	for (int i = 0; i < 2; i++) {
		const json_t *gives =
			json_object_get(json_object_get(sides, L->party[i]),
					"gives");
		size_t n = json_array_size(gives);
		char *h = cartel__asprintf(
			cartel_ngettext("%s hands over %zu person",
					"%s hands over %zu persons", n),
			cartel_party_name(L->party[i]), n);
		if ((rc = add_heading(L, h)) != 0 ||
		    (rc = add_list(L, gives, 0)) != 0)
			return rc;
	}
	for (int i = 0; i < 2; i++) {
		const json_t *d = json_object_get(direct, L->party[i]);
		size_t n = json_array_size(d);
		if (n == 0)
			continue;
		char *h = cartel__asprintf(
			cartel_ngettext("%s repatriates %zu person directly "
					"(Art. 110)",
					"%s repatriates %zu persons directly "
					"(Art. 110)",
					n),
			cartel_party_name(L->party[i]), n);
		if ((rc = add_heading(L, h)) != 0 ||
		    (rc = add_list(L, d, 0)) != 0)
			return rc;
	}
	const json_t *w = json_object_get(L->doc, "withheld");
	if (json_array_size(w) > 0) {
		size_t n = json_array_size(w);
		char *h = cartel__asprintf(
			cartel_ngettext("Held back: %zu person (Arts. 115, 119)",
					"Held back: %zu persons (Arts. 115, 119)",
					n),
			n);
		if ((rc = add_heading(L, h)) != 0 ||
		    (rc = add_list(L, w, 1)) != 0)
			return rc;
	}
	/* The signature block: a heading and two rows of space. */
	if ((rc = add_heading(L, cartel__strdup(_("Signatures")))) != 0)
		return rc;
	for (int i = 0; i < 2; i++) {
		char *t = cartel__asprintf(
			"%s: ______________________________",
			cartel_party_name(L->party[i]));
		if (t == NULL || (rc = add_row(L, ROW_NOTE, NULL, t, 0)) != 0)
			return t == NULL ? CARTEL_ENOMEM : rc;
	}
	return 0;
}

/* Sets text at (x, y) in a box w wide, on one line, cut with an ellipsis
 * when it does not fit. */
static void
put_text(cairo_t *cr, PangoLayout *pl, double x, double y, double w,
	 const char *font, double size, int bold, const char *text)
{
	PangoFontDescription *fd = pango_font_description_from_string(font);
	pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
	pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD
						   : PANGO_WEIGHT_NORMAL);
	pango_layout_set_font_description(pl, fd);
	pango_font_description_free(fd);
	pango_layout_set_width(pl, (int)(w * PANGO_SCALE));
	pango_layout_set_ellipsize(pl, PANGO_ELLIPSIZE_END);
	pango_layout_set_single_paragraph_mode(pl, TRUE);
	pango_layout_set_text(pl, text ? text : "", -1);
	cairo_move_to(cr, x, y);
	pango_cairo_show_layout(cr, pl);
}

/* A person's value of field f as printed: text forms of enums in words,
 * numbers as numbers, null as a dash. */
static const char *
value_text(const json_t *person, const struct field *f, char *buf,
	   size_t size)
{
	const json_t *v = json_object_get(person, f->name);
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		int e;
		if (f->enum_kind >= 0 &&
		    cartel_enum_parse((enum cartel_enum_kind)f->enum_kind, s,
				      &e, NULL) == 0)
			return cartel_enum_text(
				(enum cartel_enum_kind)f->enum_kind, e);
		return s;
	}
	if (json_is_integer(v)) {
		snprintf(buf, size, "%" JSON_INTEGER_FORMAT,
			 json_integer_value(v));
		return buf;
	}
	return "–";
}

static void
draw_page(cairo_t *cr, PangoLayout *pl, const struct layout *L, int page,
	  size_t first, size_t end)
{
	const double W = PAGE_W - 2 * MARGIN;
	char buf[512];
	cairo_set_source_rgb(cr, 0, 0, 0);

	/* The header: what this list is, on every page. */
	put_text(cr, pl, MARGIN, MARGIN, W, FONT, 14, 1,
		 _("Agreed exchange list, for signature"));
	snprintf(buf, sizeof buf, "%s — %s", cartel_party_name(L->party[0]),
		 cartel_party_name(L->party[1]));
	put_text(cr, pl, MARGIN, MARGIN + 20, W, FONT, 12, 1, buf);
	const char *rid = json_string_value(json_object_get(L->doc, "round_id"));
	json_int_t version =
		json_integer_value(json_object_get(L->doc, "version"));
	json_int_t stages =
		json_integer_value(json_object_get(L->doc, "stages"));
	snprintf(buf, sizeof buf, _("Round %s, version %lld, %s; %lld stage(s)"),
		 rid ? rid : "", (long long)version, _("agreed"),
		 (long long)stages);
	put_text(cr, pl, MARGIN, MARGIN + 38, W, FONT, 10, 0, buf);

	/* The column headings. */
	double weights = 0;
	for (size_t i = 0; i < L->n_cols; i++)
		weights += L->cols[i]->weight;
	double fw = (W - NO_W - STAGE_W) / weights;
	double y = TABLE_TOP - ROW_H - 2;
	put_text(cr, pl, MARGIN, y, NO_W - 4, FONT, 8, 1, _("No."));
	put_text(cr, pl, MARGIN + NO_W, y, STAGE_W - 4, FONT, 8, 1,
		 _("Stage"));
	double x = MARGIN + NO_W + STAGE_W;
	for (size_t i = 0; i < L->n_cols; i++) {
		put_text(cr, pl, x, y, L->cols[i]->weight * fw - 4, FONT, 8, 1,
			 _(L->cols[i]->heading));
		x += L->cols[i]->weight * fw;
	}
	cairo_set_line_width(cr, 0.7);
	cairo_move_to(cr, MARGIN, TABLE_TOP - 3);
	cairo_line_to(cr, PAGE_W - MARGIN, TABLE_TOP - 3);
	cairo_stroke(cr);

	/* The rows. */
	size_t on_page = 0, total = 0;
	for (size_t r = first; r < end; r++) {
		const struct row *rw = &L->rows[r];
		y = TABLE_TOP + (double)(r - first) * ROW_H;
		if (rw->kind == ROW_HEADING) {
			put_text(cr, pl, MARGIN, y + 2, W, FONT, 9.5, 1,
				 rw->text);
			continue;
		}
		if (rw->kind == ROW_NOTE) {
			put_text(cr, pl, MARGIN + NO_W + STAGE_W, y + 1,
				 W - NO_W - STAGE_W, FONT, 8.5, 0, rw->text);
			continue;
		}
		on_page++;
		total = rw->number;
		snprintf(buf, sizeof buf, "%zu", rw->number);
		put_text(cr, pl, MARGIN, y, NO_W - 4, FONT, 9, 0, buf);
		const json_t *st = json_object_get(rw->person, "stage");
		if (json_is_integer(st) && !rw->withheld)
			snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT,
				 json_integer_value(st));
		else
			snprintf(buf, sizeof buf, "–");
		put_text(cr, pl, MARGIN + NO_W, y, STAGE_W - 4, FONT, 9, 0,
			 buf);
		x = MARGIN + NO_W + STAGE_W;
		for (size_t i = 0; i < L->n_cols; i++) {
			put_text(cr, pl, x, y, L->cols[i]->weight * fw - 4,
				 FONT, 9, 0,
				 value_text(rw->person, L->cols[i], buf,
					    sizeof buf));
			x += L->cols[i]->weight * fw;
		}
	}
	/* A page of only headings or notes carries the total of the pages
	 * before it. */
	if (on_page == 0)
		for (size_t r = first; r-- > 0;)
			if (L->rows[r].kind == ROW_PERSON) {
				total = L->rows[r].number;
				break;
			}

	/* The footer: page, running total, digest, both keys. */
	double fy = PAGE_H - MARGIN - FOOTER_H;
	cairo_move_to(cr, MARGIN, fy - 3);
	cairo_line_to(cr, PAGE_W - MARGIN, fy - 3);
	cairo_stroke(cr);
	snprintf(buf, sizeof buf,
		 _("Page %d of %d. Persons on this page: %zu. Running total: "
		   "%zu of %zu."),
		 page, L->n_pages, on_page, total, L->n_persons);
	put_text(cr, pl, MARGIN, fy, W, FONT, 9, 1, buf);
	snprintf(buf, sizeof buf, "%s %s", _("Document digest (SHA-256):"),
		 json_string_value(json_object_get(L->doc, "digest")));
	put_text(cr, pl, MARGIN, fy + 13, W, FONT_MONO, 7.5, 0, buf);
	for (int i = 0; i < 2; i++) {
		char label[160];
		snprintf(label, sizeof label, _("Signing key of %s:"),
			 cartel_party_name(L->party[i]));
		snprintf(buf, sizeof buf, "%s %s", label, L->fpr[i]);
		put_text(cr, pl, MARGIN, fy + 24 + 10.5 * i, W, FONT_MONO, 7.5,
			 0, buf);
	}
}

static void
layout_clear(struct layout *L)
{
	for (size_t i = 0; i < L->n_rows; i++)
		free(L->rows[i].text);
	free(L->rows);
	json_decref(L->doc);
}

int
cartel_round_print_pdf(struct cartel_db *db, const struct cartel_round *r,
		       unsigned char **pdf, size_t *len,
		       struct cartel_print_result *res, char **why)
{
	*pdf = NULL;
	*len = 0;
	struct cartel_round_check chk;
	char *vwhy = NULL;
	int rc = cartel_round_verify(db, r, &chk, &vwhy);
	if (rc) {
		if (why) {
			free(*why);
			*why = vwhy;
		} else {
			free(vwhy);
		}
		cartel_round_check_clear(&chk);
		return rc;
	}
	if (cartel_round_kind(r) != CARTEL_ROUND_AGREED) {
		cartel_round_check_clear(&chk);
		return cartel__why(why, CARTEL_ESTATE,
				   "round %s version %d is a %s: only the "
				   "agreed version is printed for signing",
				   cartel_round_id(r), cartel_round_version(r),
				   cartel_round_kind_name(cartel_round_kind(r)));
	}

	struct layout L;
	memset(&L, 0, sizeof L);
	for (int i = 0; i < 2; i++) {
		snprintf(L.party[i], sizeof L.party[i], "%s",
			 cartel_round_party(r, i));
		/* verify lists the signatures in the document's party order,
		 * but match by party to be sure. */
		for (int j = 0; j < 2; j++)
			if (strcmp(chk.sig[j].party, L.party[i]) == 0)
				memcpy(L.fpr[i], chk.sig[j].fingerprint,
				       sizeof L.fpr[i]);
	}
	cartel_round_check_clear(&chk);

	char *canon = NULL;
	size_t canon_len = 0;
	if ((rc = cartel_round_canonical(r, &canon, &canon_len, why)) != 0)
		return rc;
	L.doc = json_loadb(canon, canon_len, 0, NULL);
	free(canon);
	if (L.doc == NULL)
		return cartel__why(why, CARTEL_ENOMEM,
				   "reading the round document");
	if ((rc = choose_columns(&L, why)) != 0 ||
	    (rc = build_rows(&L)) != 0) {
		layout_clear(&L);
		if (rc == CARTEL_ENOMEM)
			cartel__why(why, rc, "laying out the list");
		return rc;
	}
	L.rows_per_page = (int)((PAGE_H - MARGIN - FOOTER_H - 6 - TABLE_TOP) /
				ROW_H);
	L.n_pages = (int)((L.n_rows + (size_t)L.rows_per_page - 1) /
			  (size_t)L.rows_per_page);
	if (L.n_pages < 1)
		L.n_pages = 1;

	struct sink s = {0};
	cartel__text_lock();
	cairo_surface_t *surf =
		cairo_pdf_surface_create_for_stream(sink_write, &s, PAGE_W,
						    PAGE_H);
	char title[200];
	snprintf(title, sizeof title, "%s %s", _("Agreed exchange list"),
		 cartel_round_id(r));
	cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_TITLE, title);
	cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATOR,
				       "cartel");
	cairo_t *cr = cairo_create(surf);
	PangoLayout *pl = pango_cairo_create_layout(cr);
	for (int p = 0; p < L.n_pages; p++) {
		size_t first = (size_t)p * (size_t)L.rows_per_page;
		size_t end = first + (size_t)L.rows_per_page;
		if (end > L.n_rows)
			end = L.n_rows;
		draw_page(cr, pl, &L, p + 1, first, end);
		cairo_show_page(cr);
	}
	g_object_unref(pl);
	cairo_destroy(cr);
	cairo_surface_finish(surf);
	cairo_status_t cst = cairo_surface_status(surf);
	cairo_surface_destroy(surf);
	cartel__text_unlock();
	if (cst != CAIRO_STATUS_SUCCESS || s.failed) {
		free(s.buf);
		layout_clear(&L);
		return cartel__why(why,
				   cst == CAIRO_STATUS_NO_MEMORY ? CARTEL_ENOMEM
								 : CARTEL_ERANGE,
				   "rendering the list: %s",
				   cairo_status_to_string(cst));
	}
	if (res != NULL) {
		memset(res, 0, sizeof *res);
		res->n_pages = L.n_pages;
		res->n_persons = L.n_persons;
		snprintf(res->digest, sizeof res->digest, "%s",
			 cartel_round_digest(r));
		unsigned char h[crypto_hash_sha256_BYTES];
		crypto_hash_sha256(h, s.buf, s.len);
		memcpy(res->file_sha256, "sha256:", 7);
		sodium_bin2hex(res->file_sha256 + 7,
			       sizeof res->file_sha256 - 7, h, sizeof h);
	}
	layout_clear(&L);
	*pdf = s.buf;
	*len = s.len;
	return 0;
}

int
cartel_round_print(struct cartel_db *db, const struct cartel_round *r,
		   const char *path, const char *actor, const char *to,
		   struct cartel_print_result *res, char **why)
{
	struct cartel_print_result own;
	if (res == NULL)
		res = &own;
	unsigned char *pdf = NULL;
	size_t len = 0;
	int rc = cartel_file_check(path, 0, why);
	if (rc == 0)
		rc = cartel_round_print_pdf(db, r, &pdf, &len, res, why);
	if (rc == 0)
		rc = cartel_file_put(path, pdf, len, 0, why);
	free(pdf);
	if (rc)
		return rc;
	/* A paper list with names leaves the register: the transfer log
	 * keeps its record (docs/transfers.md). */
	struct cartel_transfer t = {"pdf", (long long)res->n_persons, to,
				    actor, path, res->file_sha256 + 7};
	if ((rc = cartel_transfer_record(db, &t, why)) != 0)
		return rc;
	char detail[256];
	snprintf(detail, sizeof detail, "pages=%d persons=%zu file=%s",
		 res->n_pages, res->n_persons, res->file_sha256);
	return cartel_round_audit(db, actor, "round.print", r, detail, why);
}
