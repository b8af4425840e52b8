/*
 * Writing the register as a workbook (<cartel/xlsx.h>) with libxlsxwriter:
 * one sheet named "register", the export CSV's columns in the same order,
 * a bold header row frozen above the rows and repeated on every printed
 * page, a filter on the header, columns as wide as their contents (to a
 * cap), landscape pages one page wide.
 *
 * Every cell is written as a string, or as a date when a date field holds
 * a whole date (YYYY-MM-DD, shown as such): never a number, never a
 * formula, so that a name beginning with "=" is shown as written and never
 * run. A partial date (1990, 1990-05) stays a string, as in the CSV.
 *
 * libxlsxwriter writes the file by name, so the workbook is written to the
 * safe writer's temporary (<cartel/file.h>) and put in place by it; its
 * own scratch files (constant-memory mode: one row in memory at a time)
 * go to the target's folder, never to a shared /tmp.
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <xlsxwriter.h>

#include <cartel/csv.h>
#include <cartel/error.h>
#include <cartel/file.h>
#include <cartel/limits.h>
#include <cartel/print.h>
#include <cartel/register.h>
#include <cartel/round.h>
#include <cartel/store.h>
#include <cartel/transfer.h>
#include <cartel/xlsx.h>

#include "core/why.h"

/* Widest a column is made, in characters. */
#define WIDTH_MAX 60

struct xw {
	lxw_worksheet *ws;
	lxw_format *date_fmt;
	const struct cartel_field *fields;
	size_t n_fields;
	char **keys;
	size_t n_keys;
	unsigned *width; /* per column, in characters */
	lxw_row_t row;
	int failed; /* lxw_error of the first failed write */
};

/* Characters of a UTF-8 string (bytes that do not continue one). */
static unsigned
chars_of(const char *s)
{
	unsigned n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static void
fit(struct xw *w, size_t col, unsigned n)
{
	if (n > WIDTH_MAX)
		n = WIDTH_MAX;
	if (n > w->width[col])
		w->width[col] = n;
}

/* A whole date YYYY-MM-DD as a datetime; 0, or -1 when it is not one. */
static int
whole_date(const char *t, lxw_datetime *dt)
{
	if (strlen(t) != 10 || t[4] != '-' || t[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (t[i] < '0' || t[i] > '9'))
			return -1;
	memset(dt, 0, sizeof *dt);
	dt->year = (t[0] - '0') * 1000 + (t[1] - '0') * 100 +
		   (t[2] - '0') * 10 + (t[3] - '0');
	dt->month = (t[5] - '0') * 10 + (t[6] - '0');
	dt->day = (t[8] - '0') * 10 + (t[9] - '0');
	/* A spreadsheet's dates begin in 1900. */
	return dt->year >= 1900 ? 0 : -1;
}

static int
xw_person(void *ctx, const struct cartel_person *p)
{
	struct xw *w = ctx;
	char buf[CARTEL_FIELD_TEXT_MAX];
	w->row++;
	for (size_t i = 0; i < w->n_fields; i++) {
		const char *t =
			cartel_person_field_text(p, &w->fields[i], buf,
						 sizeof buf);
		if (t == NULL || *t == '\0')
			continue;
		lxw_datetime dt;
		lxw_error e;
		if (w->fields[i].type == CARTEL_FIELD_DATE &&
		    whole_date(t, &dt) == 0) {
			e = worksheet_write_datetime(w->ws, w->row,
						     (lxw_col_t)i, &dt,
						     w->date_fmt);
			fit(w, i, 10);
		} else {
			e = worksheet_write_string(w->ws, w->row, (lxw_col_t)i,
						   t, NULL);
			fit(w, i, chars_of(t));
		}
		if (e != LXW_NO_ERROR)
			w->failed = (int)e;
	}
	for (size_t k = 0; k < w->n_keys; k++) {
		const char *v = cartel_person_attr(p, w->keys[k]);
		if (v == NULL || *v == '\0')
			continue;
		lxw_error e = worksheet_write_string(
			w->ws, w->row, (lxw_col_t)(w->n_fields + k), v, NULL);
		fit(w, w->n_fields + k, chars_of(v));
		if (e != LXW_NO_ERROR)
			w->failed = (int)e;
	}
	return w->failed ? CARTEL_EIO : 0;
}

int
cartel_export_xlsx(struct cartel_db *db, const char *path,
		   long long *n_persons, char *sha256, char **why)
{
	if (n_persons != NULL)
		*n_persons = 0;
	struct cartel_file *f;
	int err = cartel_file_open(&f, path, 0, why);
	if (err != 0)
		return err;
	const char *tmp = cartel_file_tmp_path(f);
	if (tmp == NULL) {
		cartel_file_abort(f);
		return cartel__why(why, CARTEL_ESTATE,
				   "%s: a workbook is written to a regular "
				   "file, not a device or a pipe",
				   path);
	}
	struct xw w;
	memset(&w, 0, sizeof w);
	w.fields = cartel_fields(&w.n_fields);
	char *dir = strdup(path);
	lxw_workbook *wb = NULL;
	if (dir == NULL) {
		err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
		goto done;
	}
	err = cartel_db_attr_keys(db, &w.keys, &w.n_keys, why);
	if (err != 0)
		goto done;
	w.width = calloc(w.n_fields + w.n_keys + 1, sizeof *w.width);
	if (w.width == NULL) {
		err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
		goto done;
	}
	lxw_workbook_options o = {LXW_TRUE, dirname(dir), LXW_FALSE};
	wb = workbook_new_opt(tmp, &o);
	w.ws = wb ? workbook_add_worksheet(wb, "register") : NULL;
	lxw_format *bold = wb ? workbook_add_format(wb) : NULL;
	w.date_fmt = wb ? workbook_add_format(wb) : NULL;
	if (w.ws == NULL || bold == NULL || w.date_fmt == NULL) {
		err = cartel__why(why, CARTEL_ENOMEM,
				  "%s: the workbook could not be started",
				  path);
		goto done;
	}
	format_set_bold(bold);
	format_set_num_format(w.date_fmt, "yyyy-mm-dd");
	size_t n_cols = w.n_fields + w.n_keys;
	for (size_t c = 0; c < n_cols; c++) {
		const char *h = c < w.n_fields ? w.fields[c].name
					       : w.keys[c - w.n_fields];
		worksheet_write_string(w.ws, 0, (lxw_col_t)c, h, bold);
		fit(&w, c, chars_of(h) + 3); /* room for the filter button */
	}
	worksheet_freeze_panes(w.ws, 1, 0);
	worksheet_repeat_rows(w.ws, 0, 0);
	worksheet_set_landscape(w.ws);
	worksheet_fit_to_pages(w.ws, 1, 0);
	err = cartel_db_persons_each(db, xw_person, &w, why);
	if (err == CARTEL_EIO || w.failed)
		err = cartel__why(why, CARTEL_EIO, "%s: writing the workbook: %s",
				  path, lxw_strerror((lxw_error)w.failed));
	if (err != 0)
		goto done;
	if (n_cols > 0)
		worksheet_autofilter(w.ws, 0, 0, w.row, (lxw_col_t)(n_cols - 1));
	for (size_t c = 0; c < n_cols; c++)
		worksheet_set_column(w.ws, (lxw_col_t)c, (lxw_col_t)c,
				     (double)w.width[c] + 1.5, NULL);
	lxw_error e = workbook_close(wb);
	wb = NULL;
	if (e != LXW_NO_ERROR) {
		err = cartel__why(why, CARTEL_EIO, "%s: writing the workbook: %s",
				  path, lxw_strerror(e));
		goto done;
	}
	if (sha256 != NULL)
		err = cartel_sha256_file(tmp, sha256, why);
done:
	if (wb != NULL) {
		/* Closing writes the file, which is then abandoned. */
		workbook_close(wb);
	}
	for (size_t k = 0; k < w.n_keys; k++)
		free(w.keys[k]);
	free(w.keys);
	free(w.width);
	free(dir);
	if (err != 0) {
		cartel_file_abort(f);
		return err;
	}
	err = cartel_file_commit(f, why);
	if (err == 0 && n_persons != NULL)
		*n_persons = (long long)w.row;
	return err;
}

int
cartel_xlsx_write_csv(const char *path, const char *sheet, const char *csv,
		      size_t len, char *sha256, char **why)
{
	FILE *in = fmemopen((void *)(len ? csv : "\n"), len ? len : 1, "r");
	if (in == NULL)
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	struct cartel_csv *r;
	if (cartel_csv_open(&r, in, path, 0) != 0) {
		fclose(in);
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	}
	struct cartel_file *f;
	int err = cartel_file_open(&f, path, 0, why);
	const char *tmp = err == 0 ? cartel_file_tmp_path(f) : NULL;
	if (err == 0 && tmp == NULL) {
		cartel_file_abort(f);
		err = cartel__why(why, CARTEL_ESTATE,
				  "%s: a workbook is written to a regular "
				  "file, not a device or a pipe",
				  path);
	}
	if (err != 0) {
		cartel_csv_close(r);
		fclose(in);
		return err;
	}
	char *dir = strdup(path);
	unsigned width[CARTEL_LIMIT_COLUMNS + 1] = {0};
	lxw_workbook_options o = {LXW_TRUE, dir ? dirname(dir) : NULL,
				  LXW_FALSE};
	lxw_workbook *wb = dir ? workbook_new_opt(tmp, &o) : NULL;
	lxw_worksheet *ws = wb ? workbook_add_worksheet(wb, sheet) : NULL;
	lxw_format *bold = wb ? workbook_add_format(wb) : NULL;
	if (ws == NULL || bold == NULL)
		err = cartel__why(why, CARTEL_ENOMEM,
				  "%s: the workbook could not be started",
				  path);
	else
		format_set_bold(bold);
	lxw_row_t row = 0;
	size_t n_cols = 0;
	char **fields;
	size_t n;
	int k;
	while (err == 0 && (k = cartel_csv_next(r, &fields, &n, why)) != 0) {
		if (k < 0) {
			err = k;
			break;
		}
		for (size_t c = 0; c < n && c < CARTEL_LIMIT_COLUMNS; c++) {
			if (fields[c][0] == '\0')
				continue;
			lxw_error e = worksheet_write_string(
				ws, row, (lxw_col_t)c, fields[c],
				row == 0 ? bold : NULL);
			if (e != LXW_NO_ERROR)
				err = cartel__why(why, CARTEL_EIO,
						  "%s: writing the workbook: %s",
						  path, lxw_strerror(e));
			unsigned w = chars_of(fields[c]) + (row == 0 ? 3 : 0);
			if (w > width[c])
				width[c] = w > WIDTH_MAX ? WIDTH_MAX : w;
		}
		if (n > n_cols)
			n_cols = n < CARTEL_LIMIT_COLUMNS ? n
							  : CARTEL_LIMIT_COLUMNS;
		row++;
	}
	cartel_csv_close(r);
	fclose(in);
	if (err == 0 && row > 0) {
		worksheet_freeze_panes(ws, 1, 0);
		worksheet_repeat_rows(ws, 0, 0);
		worksheet_autofilter(ws, 0, 0, row - 1, (lxw_col_t)(n_cols - 1));
		for (size_t c = 0; c < n_cols; c++)
			worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c,
					     (double)width[c] + 1.5, NULL);
	}
	if (wb != NULL) {
		lxw_error e = workbook_close(wb);
		if (err == 0 && e != LXW_NO_ERROR)
			err = cartel__why(why, CARTEL_EIO,
					  "%s: writing the workbook: %s", path,
					  lxw_strerror(e));
	}
	free(dir);
	if (err == 0 && sha256 != NULL)
		err = cartel_sha256_file(tmp, sha256, why);
	if (err != 0) {
		cartel_file_abort(f);
		return err;
	}
	return cartel_file_commit(f, why);
}

/* ---- A loaded round's lists ---- */

/* The person fields a round document may name in print_fields (as the
 * printed list does, <cartel/print.h>). */
static const char *const round_fields[] = {
	"id",	      "holder_id",  "receiver_id",	 "family_name",
	"given_name", "patronymic", "birth_date",	 "rank",
	"service_number", "category", "consent",	 "holder",
};
#define N_ROUND_FIELDS (sizeof round_fields / sizeof round_fields[0])

struct rsheet {
	lxw_workbook *wb;
	lxw_format *bold, *date_fmt;
	const char *cols[N_ROUND_FIELDS];
	size_t n_cols;
	const struct cartel_handover_status *st;
	const char *round_id;
	int version;
	long long n_persons;
};

/* The columns: the document's print_fields, else the printed list's
 * default set. */
static int
round_columns(struct rsheet *x, const json_t *doc, char **why)
{
	const json_t *pf = json_object_get(doc, "print_fields");
	if (pf == NULL || json_is_null(pf)) {
		const char *def = CARTEL_PRINT_FIELDS_DEFAULT;
		while (*def) {
			size_t n = strcspn(def, ",");
			for (size_t i = 0; i < N_ROUND_FIELDS; i++)
				if (strlen(round_fields[i]) == n &&
				    memcmp(round_fields[i], def, n) == 0)
					x->cols[x->n_cols++] = round_fields[i];
			def += n + (def[n] == ',');
		}
		return 0;
	}
	size_t k;
	const json_t *v;
	if (!json_is_array(pf) || json_array_size(pf) > N_ROUND_FIELDS)
		return cartel__why(why, CARTEL_EFORMAT,
				   "field 'print_fields': expected an array of "
				   "1 to %zu person field names",
				   N_ROUND_FIELDS);
	json_array_foreach(pf, k, v)
	{
		const char *f = json_string_value(v);
		const char *known = NULL;
		for (size_t i = 0; f != NULL && i < N_ROUND_FIELDS; i++)
			if (strcmp(round_fields[i], f) == 0)
				known = round_fields[i];
		for (size_t i = 0; known != NULL && i < x->n_cols; i++)
			if (x->cols[i] == known)
				known = NULL;
		if (known == NULL)
			return cartel__why(why, CARTEL_EFORMAT,
					   "field 'print_fields[%zu]': not a "
					   "person field that can be printed, "
					   "or named twice",
					   k);
		x->cols[x->n_cols++] = known;
	}
	return 0;
}

/* The handover outcome of person e on side's list, as the register has
 * it; NULL when the register has no row for him. */
static const char *
round_outcome(const struct rsheet *x, const json_t *e, const char *side)
{
	const char *id = json_string_value(json_object_get(e, "id"));
	const char *hid = json_string_value(json_object_get(e, "holder_id"));
	for (size_t i = 0; i < x->st->n_persons; i++) {
		const struct cartel_handover_person *p = &x->st->persons[i];
		if (strcmp(p->side, side) != 0)
			continue;
		const char *pk = p->holder_id ? p->holder_id : p->id;
		if ((id && (strcmp(pk, id) == 0 || strcmp(p->id, id) == 0)) ||
		    (hid && (strcmp(pk, hid) == 0 || strcmp(p->id, hid) == 0)))
			return cartel_handover_outcome_name(p->outcome);
	}
	return NULL;
}

/* Writes "&" doubled, as a page header shows it once. */
static void
header_text(char *dst, size_t size, const char *s)
{
	size_t n = 0;
	for (; *s && n + 2 < size; s++) {
		dst[n++] = *s;
		if (*s == '&')
			dst[n++] = '&';
	}
	dst[n] = '\0';
}

/* One sheet: a list of the document. side is the giving party (NULL for
 * the withheld). */
static int
round_sheet(struct rsheet *x, const char *name, const json_t *list,
	    const char *side, char **why)
{
	lxw_worksheet *ws = workbook_add_worksheet(x->wb, name);
	if (ws == NULL)
		return cartel__why(why, CARTEL_ENOMEM,
				   "the workbook could not be started");
	unsigned width[N_ROUND_FIELDS + 5] = {0};
	size_t c = 0;
	const char *head[N_ROUND_FIELDS + 5];
	head[c++] = "no";
	if (side != NULL)
		head[c++] = "stage";
	for (size_t i = 0; i < x->n_cols; i++)
		head[c++] = x->cols[i];
	if (side == NULL) {
		head[c++] = "held_by";
		head[c++] = "reason";
	}
	head[c++] = "status";
	size_t n_cols = c;
	lxw_error e = LXW_NO_ERROR;
	for (c = 0; c < n_cols; c++) {
		lxw_error e1 = worksheet_write_string(ws, 0, (lxw_col_t)c,
						      head[c], x->bold);
		if (e == LXW_NO_ERROR)
			e = e1;
		width[c] = chars_of(head[c]) + 3;
	}
	size_t k;
	const json_t *p;
	lxw_row_t row = 0;
	json_array_foreach(list, k, p)
	{
		row++;
		c = 0;
		lxw_error e1 = worksheet_write_number(ws, row, (lxw_col_t)c++,
						      (double)row, NULL);
		if (side != NULL) {
			const json_t *sg = json_object_get(p, "stage");
			if (json_is_integer(sg))
				e1 = worksheet_write_number(
					ws, row, (lxw_col_t)c,
					(double)json_integer_value(sg), NULL);
			c++;
		}
		const char *cells[N_ROUND_FIELDS + 3];
		size_t n_cells = 0;
		for (size_t i = 0; i < x->n_cols; i++)
			cells[n_cells++] = json_string_value(
				json_object_get(p, x->cols[i]));
		if (side == NULL) {
			cells[n_cells++] = json_string_value(
				json_object_get(p, "held_by"));
			cells[n_cells++] =
				json_string_value(json_object_get(p, "reason"));
		}
		const char *status = side ? round_outcome(x, p, side)
					  : "withheld";
		cells[n_cells++] = status ? status : "not loaded";
		for (size_t i = 0; i < n_cells; i++, c++) {
			const char *t = cells[i];
			if (t == NULL || *t == '\0')
				continue;
			lxw_datetime dt;
			if (i < x->n_cols &&
			    strcmp(x->cols[i], "birth_date") == 0 &&
			    whole_date(t, &dt) == 0) {
				e1 = worksheet_write_datetime(ws, row,
							      (lxw_col_t)c, &dt,
							      x->date_fmt);
				if (width[c] < 10)
					width[c] = 10;
				continue;
			}
			e1 = worksheet_write_string(ws, row, (lxw_col_t)c, t,
						    NULL);
			unsigned w = chars_of(t);
			if (w > width[c])
				width[c] = w > WIDTH_MAX ? WIDTH_MAX : w;
		}
		if (e == LXW_NO_ERROR)
			e = e1;
		x->n_persons++;
	}
	if (e != LXW_NO_ERROR)
		return cartel__why(why, CARTEL_EIO, "writing the workbook: %s",
				   lxw_strerror(e));
	char hdr[400], rid[160], sname[80];
	header_text(rid, sizeof rid, x->round_id);
	header_text(sname, sizeof sname, name);
	snprintf(hdr, sizeof hdr, "&LRound %s, version %d: %s&RPage &P of &N",
		 rid, x->version, sname);
	worksheet_set_header(ws, hdr);
	worksheet_freeze_panes(ws, 1, 0);
	worksheet_repeat_rows(ws, 0, 0);
	worksheet_set_landscape(ws);
	worksheet_fit_to_pages(ws, 1, 0);
	worksheet_autofilter(ws, 0, 0, row, (lxw_col_t)(n_cols - 1));
	for (c = 0; c < n_cols; c++)
		worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c,
				     (double)width[c] + 1.5, NULL);
	return 0;
}

int
cartel_export_xlsx_round(struct cartel_db *db, const char *round_id,
			 const char *path, long long *n_persons, char *sha256,
			 char **why)
{
	if (n_persons != NULL)
		*n_persons = 0;
	struct cartel_round *r = NULL;
	int err = cartel_round_loaded(db, round_id, &r, why);
	if (err != 0)
		return err;
	struct cartel_handover_status st;
	memset(&st, 0, sizeof st);
	err = cartel_handover_status(db, round_id, &st, why);
	char *canon = NULL;
	size_t canon_len = 0;
	if (err == 0)
		err = cartel_round_canonical(r, &canon, &canon_len, why);
	json_t *doc = err == 0 ? json_loadb(canon, canon_len, 0, NULL) : NULL;
	free(canon);
	if (err == 0 && doc == NULL)
		err = cartel__why(why, CARTEL_ENOMEM,
				  "reading the round document");
	struct rsheet x;
	memset(&x, 0, sizeof x);
	x.st = &st;
	x.round_id = cartel_round_id(r);
	x.version = cartel_round_version(r);
	if (err == 0)
		err = round_columns(&x, doc, why);
	struct cartel_file *f = NULL;
	const char *tmp = NULL;
	if (err == 0)
		err = cartel_file_open(&f, path, 0, why);
	if (err == 0 && (tmp = cartel_file_tmp_path(f)) == NULL) {
		cartel_file_abort(f);
		f = NULL;
		err = cartel__why(why, CARTEL_ESTATE,
				  "%s: a workbook is written to a regular "
				  "file, not a device or a pipe",
				  path);
	}
	char *dir = err == 0 ? strdup(path) : NULL;
	if (err == 0 && dir == NULL)
		err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	if (err == 0) {
		lxw_workbook_options o = {LXW_TRUE, dirname(dir), LXW_FALSE};
		x.wb = workbook_new_opt(tmp, &o);
		x.bold = x.wb ? workbook_add_format(x.wb) : NULL;
		x.date_fmt = x.wb ? workbook_add_format(x.wb) : NULL;
		if (x.bold == NULL || x.date_fmt == NULL)
			err = cartel__why(why, CARTEL_ENOMEM,
					  "%s: the workbook could not be "
					  "started",
					  path);
	}
	if (err == 0) {
		format_set_bold(x.bold);
		format_set_num_format(x.date_fmt, "yyyy-mm-dd");
		const json_t *sides = json_object_get(doc, "sides");
		const json_t *direct =
			json_object_get(doc, "direct_repatriation");
		char name[64];
		for (int i = 0; err == 0 && i < 2; i++) {
			const char *party = cartel_round_party(r, i);
			snprintf(name, sizeof name, "%s gives", party);
			err = round_sheet(
				&x, name,
				json_object_get(json_object_get(sides, party),
						"gives"),
				party, why);
		}
		for (int i = 0; err == 0 && i < 2; i++) {
			const char *party = cartel_round_party(r, i);
			const json_t *d = json_object_get(direct, party);
			if (json_array_size(d) == 0)
				continue;
			snprintf(name, sizeof name, "%s direct (Art. 110)",
				 party);
			err = round_sheet(&x, name, d, party, why);
		}
		const json_t *w = json_object_get(doc, "withheld");
		if (err == 0 && json_array_size(w) > 0)
			err = round_sheet(&x, "withheld", w, NULL, why);
	}
	if (x.wb != NULL) {
		lxw_error e = workbook_close(x.wb);
		if (err == 0 && e != LXW_NO_ERROR)
			err = cartel__why(why, CARTEL_EIO,
					  "%s: writing the workbook: %s", path,
					  lxw_strerror(e));
	}
	if (err == 0 && sha256 != NULL)
		err = cartel_sha256_file(tmp, sha256, why);
	free(dir);
	json_decref(doc);
	cartel_handover_status_clear(&st);
	cartel_round_free(r);
	if (f != NULL && err != 0)
		cartel_file_abort(f);
	else if (f != NULL)
		err = cartel_file_commit(f, why);
	if (err == 0 && n_persons != NULL)
		*n_persons = x.n_persons;
	return err;
}
