/*
 * Fuzzes the CSV reader (io/csv.c) and the checks every import row goes
 * through (register/fields.c): the header names the columns, each row's
 * cells set a person's fields or extra attributes, then the cross-field
 * rules run. A small field limit makes the limit paths reachable.
 *
 * The first byte may choose a mode (see below): the delimiter sniffed, or
 * the bytes converted from another encoding through ICU.
 *
 * Invariants: every cell read is UTF-8, whatever the mode; the records
 * read, written back as CSV, read again to the same cells; every person that passes the checks encodes into its creation
 * record and decodes back to an equal person.
 */
#include <cartel/csv.h>
#include <cartel/date.h>
#include <cartel/error.h>
#include <cartel/person.h>
#include <cartel/register.h>

#include "fuzz.h"
#include "register/record.h"

#define MAX_FIELD 512
#define MAX_COLS 128

/* Each record read is written, as one CSV row, to `rows`, and its cells to
 * `cells` ("<len>:<bytes>" each, ";" after the record); at the end `rows`
 * is read back and must give the same cells. One reader for the whole
 * input keeps the check cheap. */
struct rewrite {
	FILE *rows, *cells;
	char *rows_text, *cells_text;
	size_t rows_len, cells_len;
};

static void
put_cells(FILE *fp, char **fields, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(fp, "%zu:%s", strlen(fields[i]), fields[i]);
	putc(';', fp);
}

static void
rewrite_add(struct rewrite *rw, char **fields, size_t n)
{
	/* A row of one empty cell writes as an empty line, which reads as
	 * no record at all. */
	if (rw->rows == NULL || (n == 1 && fields[0][0] == '\0'))
		return;
	FUZZ_CHECK(cartel_csv_write_row(rw->rows, (const char *const *)fields,
					n) == 0);
	put_cells(rw->cells, fields, n);
}

static void
rewrite_check(struct rewrite *rw)
{
	if (rw->rows == NULL)
		return;
	fclose(rw->rows);
	fclose(rw->cells);
	char *got_text = NULL;
	size_t got_len = 0;
	FILE *got = open_memstream(&got_text, &got_len);
	FILE *in = fmemopen(rw->rows_text, rw->rows_len, "r");
	struct cartel_csv *csv = NULL;
	if (got != NULL && in != NULL &&
	    cartel_csv_open(&csv, in, "rewrite", 0) == 0) {
		char **fields;
		size_t n;
		char *why = NULL;
		int rc;
		while ((rc = cartel_csv_next(csv, &fields, &n, &why)) != 0) {
			FUZZ_CHECK(rc == 1);
			put_cells(got, fields, n);
		}
		cartel_csv_close(csv);
		fclose(got);
		got = NULL;
		FUZZ_CHECK(got_len == rw->cells_len &&
			   memcmp(got_text, rw->cells_text, got_len) == 0);
	}
	if (got != NULL)
		fclose(got);
	if (in != NULL)
		fclose(in);
	free(got_text);
	free(rw->rows_text);
	free(rw->cells_text);
}

static void
check_row(char **fields, const struct cartel_field **cols, char **names,
	  size_t n)
{
	struct cartel_person p;
	memset(&p, 0, sizeof p);
	char *why = NULL;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (cols[i] == NULL)
			rc = cartel_person_set_attr(&p, names[i], fields[i]);
		else
			rc = cartel_person_set_field(&p, cols[i], fields[i],
						     &why);
		free(why);
		why = NULL;
	}
	const struct cartel_date today = {2026, 12, 1};
	const char *column = NULL;
	if (rc == 0)
		rc = cartel_person_check(&p, &today, &column, &why);
	free(why);
	why = NULL;
	if (rc == 0) {
		struct cartel__buf b = {0};
		if (cartel__record_encode(&p, &b) == 0) {
			struct cartel_person q;
			memset(&q, 0, sizeof q);
			rc = cartel__record_decode(&q, b.data, &why);
			free(why);
			FUZZ_CHECK(rc == 0);
			FUZZ_CHECK(cartel_person_equal(&p, &q));
			cartel_person_clear(&q);
		}
		cartel__buf_free(&b);
	}
	cartel_person_clear(&p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0; /* fmemopen refuses an empty buffer */
	/* A first byte of 0xF1 to 0xF4 picks how the rest is read: the
	 * delimiter sniffed from the header, or converted from
	 * Windows-1251, UTF-16 or UTF-16BE. Any other input is read as it
	 * is, a comma-separated UTF-8 file. */
	int mode = size > 1 && data[0] >= 0xF1 && data[0] <= 0xF4
			   ? data[0] - 0xF0
			   : 0;
	if (mode != 0) {
		data++;
		size--;
	}
	FILE *fp = fmemopen((void *)data, size, "r");
	if (fp == NULL)
		return 0;
	struct cartel_csv *csv = NULL;
	if (cartel_csv_open(&csv, fp, "fuzz.csv", MAX_FIELD) != 0) {
		fclose(fp);
		return 0;
	}
	static const char *const encodings[] = {NULL, NULL, "windows-1251",
						"UTF-16", "UTF-16BE"};
	FUZZ_CHECK(cartel_csv_set_delimiter(csv, mode == 1 ? 0 : ',', NULL) ==
		   0);
	FUZZ_CHECK(cartel_csv_set_encoding(csv, encodings[mode], NULL) == 0);
	struct rewrite rw = {0};
	rw.rows = open_memstream(&rw.rows_text, &rw.rows_len);
	rw.cells = open_memstream(&rw.cells_text, &rw.cells_len);
	if (rw.rows == NULL || rw.cells == NULL) {
		if (rw.rows != NULL)
			fclose(rw.rows);
		if (rw.cells != NULL)
			fclose(rw.cells);
		free(rw.rows_text);
		free(rw.cells_text);
		memset(&rw, 0, sizeof rw);
	} else {
		/* A blank line first, so that a first cell that starts with
		 * U+FEFF is not read as the file's byte-order mark. */
		putc('\n', rw.rows);
	}
	const struct cartel_field *cols[MAX_COLS];
	char *names[MAX_COLS];
	size_t n_cols = 0;
	int have_header = 0;
	for (;;) {
		char **fields;
		size_t n;
		char *why = NULL;
		int rc = cartel_csv_next(csv, &fields, &n, &why);
		free(why);
		if (rc == 0 || rc == CARTEL_EIO || rc == CARTEL_ENOMEM)
			break;
		if (rc < 0)
			continue;
		FUZZ_CHECK(cartel_csv_record_no(csv) >= 1);
		for (size_t i = 0; i < n; i++)
			FUZZ_CHECK(cartel_utf8_valid(fields[i],
						     strlen(fields[i])));
		rewrite_add(&rw, fields, n);
		if (!have_header) {
			have_header = 1;
			if (n > MAX_COLS)
				break;
			for (size_t i = 0; i < n; i++) {
				cols[i] = cartel_field_find(fields[i]);
				names[i] = strdup(fields[i]);
				if (names[i] == NULL)
					break;
				n_cols++;
			}
			if (n_cols != n)
				break;
			continue;
		}
		if (n == n_cols)
			check_row(fields, cols, names, n);
	}
	for (size_t i = 0; i < n_cols; i++)
		free(names[i]);
	rewrite_check(&rw);
	cartel_csv_close(csv);
	fclose(fp);
	return 0;
}
