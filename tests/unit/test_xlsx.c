/*
 * The workbook reader (<cartel/xlsx.h>, io/xlsx_read.c): workbooks built
 * here part by part with libzip, read into the import CSV. What a clerk's
 * workbook holds comes out as the cells she sees; what a hostile one holds
 * (a DTD, an external entity, bytes that are no zip) is refused with a
 * reason that names the part, never a cell. Zip bombs, which take hundreds
 * of megabytes to build here, are made by tests/e2e/xlsx_hostile.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>
#include <zip.h>

#include <cartel/error.h>
#include <cartel/store.h>
#include <cartel/xlsx.h>

#include "io/import_int.h"
#include "store/store_int.h"

#define NS "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define RNS "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

static const char *WB =
	"<?xml version=\"1.0\"?><workbook xmlns=\"" NS "\" xmlns:r=\"" RNS
	"\"><sheets><sheet name=\"One\" sheetId=\"1\" r:id=\"rId1\"/>"
	"<sheet name=\"Two\" sheetId=\"2\" r:id=\"rId2\"/></sheets>"
	"</workbook>";
static const char *WB1904 =
	"<?xml version=\"1.0\"?><workbook xmlns=\"" NS "\" xmlns:r=\"" RNS
	"\"><workbookPr date1904=\"1\"/><sheets><sheet name=\"One\" "
	"sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
static const char *RELS =
	"<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas."
	"openxmlformats.org/package/2006/relationships\">"
	"<Relationship Id=\"rId1\" Type=\"x/worksheet\" "
	"Target=\"worksheets/sheet1.xml\"/>"
	"<Relationship Id=\"rId2\" Type=\"x/worksheet\" "
	"Target=\"/xl/worksheets/sheet2.xml\"/>"
	"<Relationship Id=\"rId3\" Type=\"x/sharedStrings\" "
	"Target=\"sharedStrings.xml\"/>"
	"<Relationship Id=\"rId4\" Type=\"x/styles\" Target=\"styles.xml\"/>"
	"</Relationships>";
/* xf 0 General, 1 a built-in date, 2 a custom date, 3 a time only, 4 a
 * quoted "day"; 5 to 9 custom formats that are no dates (an escaped d,
 * a [colour], a trailing backslash, an unclosed quote, an unclosed [),
 * 10 a custom date of the year alone. */
static const char *STYLES =
	"<styleSheet xmlns=\"" NS "\"><numFmts><numFmt numFmtId=\"164\" "
	"formatCode=\"[$-422]dd\\.mm\\.yyyy;@\"/><numFmt numFmtId=\"165\" "
	"formatCode=\"&quot;day&quot; 0\"/><numFmt numFmtId=\"166\" "
	"formatCode=\"\\d0_)*-\"/><numFmt numFmtId=\"167\" "
	"formatCode=\"[Red]0\"/><numFmt numFmtId=\"168\" "
	"formatCode=\"0\\\"/><numFmt numFmtId=\"169\" "
	"formatCode=\"&quot;dd\"/><numFmt numFmtId=\"170\" "
	"formatCode=\"[Red\"/><numFmt numFmtId=\"171\" "
	"formatCode=\"yyyy\"/></numFmts><cellStyleXfs>"
	"<xf numFmtId=\"14\"/></cellStyleXfs><cellXfs><xf numFmtId=\"0\"/>"
	"<xf numFmtId=\"14\"/><xf numFmtId=\"164\"/><xf numFmtId=\"20\"/>"
	"<xf numFmtId=\"165\"/><xf numFmtId=\"166\"/><xf numFmtId=\"167\"/>"
	"<xf numFmtId=\"168\"/><xf numFmtId=\"169\"/><xf numFmtId=\"170\"/>"
	"<xf numFmtId=\"171\"/></cellXfs></styleSheet>";
static const char *SST =
	"<sst xmlns=\"" NS "\"><si><t>id</t></si><si><t>family_name</t></si>"
	"<si><r><t>Ковал</t></r><r><rPr><b/></rPr><t>енко</t></r>"
	"<rPh><t>KOVAL</t></rPh></si><si><t xml:space=\"preserve\"> a, \"b\""
	"\n</t></si></sst>";

/* A zip in memory holding parts (name, content, ..., NULL); *len set. */
static unsigned char *
make_zip(const char *const *parts, size_t *len)
{
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
	assert_non_null(src);
	zip_source_keep(src);
	zip_t *z = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
	assert_non_null(z);
	for (size_t i = 0; parts[i] != NULL; i += 2) {
		zip_source_t *s = zip_source_buffer(z, parts[i + 1],
						    strlen(parts[i + 1]), 0);
		assert_non_null(s);
		assert_true(zip_file_add(z, parts[i], s, ZIP_FL_ENC_UTF_8) >=
			    0);
	}
	assert_int_equal(zip_close(z), 0);
	assert_int_equal(zip_source_open(src), 0);
	zip_source_seek(src, 0, SEEK_END);
	zip_int64_t n = zip_source_tell(src);
	zip_source_seek(src, 0, SEEK_SET);
	unsigned char *b = malloc((size_t)n);
	assert_non_null(b);
	assert_int_equal(zip_source_read(src, b, (zip_uint64_t)n), n);
	zip_source_close(src);
	zip_source_free(src);
	zip_error_fini(&ze);
	*len = (size_t)n;
	return b;
}

/* Reads sheet (NULL: the first) of a workbook with the given sheet XML
 * (and wb as its workbook.xml); returns the CSV or NULL, *rc and *why. */
static char *
read_book(const char *wb, const char *sheet1, const char *sheet_name,
	  struct cartel_xlsx_rows *rows, int *rc, char **why)
{
	const char *parts[] = {"xl/workbook.xml", wb,
			       "xl/_rels/workbook.xml.rels", RELS,
			       "xl/styles.xml", STYLES,
			       "xl/sharedStrings.xml", SST,
			       "xl/worksheets/sheet1.xml", sheet1,
			       "xl/worksheets/sheet2.xml",
			       "<worksheet xmlns=\"" NS "\"><sheetData>"
			       "<row r=\"3\"><c t=\"inlineStr\"><is><t>x</t>"
			       "</is></c></row></sheetData></worksheet>",
			       NULL};
	size_t len;
	unsigned char *z = make_zip(parts, &len);
	char *csv = NULL;
	size_t n = 0;
	FILE *out = open_memstream(&csv, &n);
	assert_non_null(out);
	*why = NULL;
	*rc = cartel_xlsx_to_csv(z, len, "t.xlsx", sheet_name, out, rows,
				 why);
	fclose(out);
	free(z);
	if (*rc != 0) {
		free(csv);
		return NULL;
	}
	return csv;
}

#define SHEET(rows)                                                          \
	"<?xml version=\"1.0\"?><worksheet xmlns=\"" NS "\"><sheetData>" rows \
	"</sheetData></worksheet>"

static void
strings_dates_and_empty_rows(void **state)
{
	(void)state;
	/* Row 1 empty but formatted, the header in row 2; a gap (rows 4
	 * and 5 missing); shared, rich and inline strings; a formula's
	 * cached value; dates in a built-in and a custom format; a time
	 * format and a General number kept as numbers; 1900-02-29 kept. */
	const char *sheet = SHEET(
		"<row r=\"1\"><c r=\"A1\" s=\"1\"/></row>"
		"<row r=\"2\"><c r=\"A2\" t=\"s\"><v>0</v></c>"
		"<c r=\"B2\" t=\"s\"><v>1</v></c>"
		"<c r=\"C2\" t=\"inlineStr\"><is><t>birth_date</t></is></c>"
		"<c r=\"D2\" t=\"inlineStr\"><is><t>x</t></is></c></row>"
		"<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>UA-1</t></is>"
		"</c><c r=\"B3\" t=\"s\"><v>2</v></c><c r=\"C3\" s=\"1\">"
		"<v>33010</v></c><c r=\"D3\" s=\"2\"><v>45351.5</v></c></row>"
		"<row r=\"6\"><c r=\"A6\" t=\"str\"><f>A3&amp;\"x\"</f>"
		"<v>UA-2</v></c><c r=\"B6\" t=\"s\"><v>3</v></c>"
		"<c r=\"C6\" s=\"3\"><v>0.5</v></c><c r=\"D6\"><v>12345</v>"
		"</c></row>"
		"<row r=\"7\"><c r=\"A7\" t=\"b\"><v>1</v></c><c r=\"B7\" "
		"t=\"e\"><v>#N/A</v></c><c r=\"C7\" s=\"1\"><v>60</v></c>"
		"<c r=\"D7\" s=\"4\"><v>7</v></c></row>"
		"<row r=\"8\"><c r=\"A8\" t=\"inlineStr\"><is><t>=1+2</t></is>"
		"</c></row>"
		"<row r=\"9\"><c r=\"A9\" s=\"1\"/><c r=\"Z9\" s=\"1\"/></row>");
	struct cartel_xlsx_rows rows;
	int rc;
	char *why;
	char *csv = read_book(WB, sheet, NULL, &rows, &rc, &why);
	if (rc != 0)
		fail_msg("refused: %s", why);
	assert_string_equal(csv, "id,family_name,birth_date,x\n"
				 "UA-1,Коваленко,1990-05-17,2024-02-29\n"
				 "UA-2,\" a, \"\"b\"\"\n\",0.5,12345\n"
				 "true,,60,7\n"
				 "=1+2,,,\n");
	assert_int_equal(rows.n, 5);
	size_t want[] = {2, 3, 6, 7, 8};
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(rows.row_of[i], want[i]);
	free(rows.row_of);
	free(csv);
}

static void
date1904_and_sheets(void **state)
{
	(void)state;
	const char *sheet = SHEET(
		"<row><c t=\"inlineStr\"><is><t>d</t></is></c></row>"
		"<row><c s=\"1\"><v>0</v></c></row>"
		"<row><c s=\"1\"><v>1</v></c></row>");
	int rc;
	char *why;
	char *csv = read_book(WB1904, sheet, NULL, NULL, &rc, &why);
	if (rc != 0)
		fail_msg("refused: %s", why);
	/* Serial 0 is not a date (kept), 1 in the 1904 system is 1904-01-02. */
	assert_string_equal(csv, "d\n0\n1904-01-02\n");
	free(csv);
	/* The second sheet, by name. */
	csv = read_book(WB, sheet, "Two", NULL, &rc, &why);
	assert_int_equal(rc, 0);
	assert_string_equal(csv, "x\n");
	free(csv);
	csv = read_book(WB, sheet, "Three", NULL, &rc, &why);
	assert_int_equal(rc, CARTEL_EFORMAT);
	assert_non_null(strstr(why, "no sheet named 'Three'"));
	free(why);
	why = NULL;
}

static void
merged_header(void **state)
{
	(void)state;
	/* B1:C1 merged: C is covered and empty, so it is left out. */
	const char *ok = SHEET(
		"<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>id</t></is>"
		"</c><c r=\"B1\" t=\"inlineStr\"><is><t>family_name</t></is>"
		"</c><c r=\"C1\" s=\"1\"/><c r=\"D1\" t=\"inlineStr\"><is>"
		"<t>unit</t></is></c></row><row r=\"2\"><c r=\"A2\" "
		"t=\"inlineStr\"><is><t>UA-1</t></is></c><c r=\"D2\" "
		"t=\"inlineStr\"><is><t>3</t></is></c><c r=\"E2\" s=\"1\"/>"
		"</row>");
	int rc;
	char *why;
	char *csv = read_book(WB, ok, NULL, NULL, &rc, &why);
	if (rc != 0)
		fail_msg("refused: %s", why);
	assert_string_equal(csv, "id,family_name,unit\nUA-1,,3\n");
	free(csv);
	/* Data under the empty header cell: refused, naming row and column,
	 * never the cell. */
	const char *bad = SHEET(
		"<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>id</t></is>"
		"</c><c r=\"C1\" t=\"inlineStr\"><is><t>unit</t></is></c>"
		"</row><row r=\"4\"><c r=\"B4\" t=\"inlineStr\"><is>"
		"<t>Secret</t></is></c></row>");
	csv = read_book(WB, bad, NULL, NULL, &rc, &why);
	assert_int_equal(rc, CARTEL_EFORMAT);
	assert_non_null(strstr(why, "row 4, column 2"));
	assert_null(strstr(why, "Secret"));
	free(why);
	why = NULL;
	/* A value past the header's last column: one field too many, for
	 * the import to reject by its rule. */
	const char *wide = SHEET(
		"<row><c t=\"inlineStr\"><is><t>id</t></is></c></row>"
		"<row><c r=\"A2\" t=\"inlineStr\"><is><t>UA-1</t></is></c>"
		"<c r=\"C2\" t=\"inlineStr\"><is><t>z</t></is></c></row>");
	csv = read_book(WB, wide, NULL, NULL, &rc, &why);
	assert_int_equal(rc, 0);
	assert_string_equal(csv, "id\nUA-1,\n");
	free(csv);
}

#define CELL(attrs, v) "<c " attrs "><v>" v "</v></c>"

/* Each kind of cell as the clerk sees it: booleans as true and false, an
 * error as nothing, an ISO date cell as its date, serial numbers under a
 * date format as dates (around Excel's 29 February 1900, which never
 * was), and numbers under formats that only look like dates as numbers. */
static void
cell_kinds(void **state)
{
	(void)state;
	const char *sheet = SHEET(
		"<row><c t=\"inlineStr\"><is><t>a</t></is></c>"
		"<c t=\"inlineStr\"><is><t>b</t></is></c>"
		"<c t=\"inlineStr\"><is><t>c</t></is></c>"
		"<c t=\"inlineStr\"><is><t>d</t></is></c>"
		"<c t=\"inlineStr\"><is><t>e</t></is></c>"
		"<c t=\"inlineStr\"><is><t>f</t></is></c></row>"
		"<row>" CELL("t=\"b\"", "1") CELL("t=\"b\"", "0")
		CELL("t=\"e\"", "#N/A") CELL("t=\"d\"", "2024-02-29T10:00:00")
		CELL("t=\"d\"", "2024-03-01") CELL("t=\"str\"", "=x") "</row>"
		"<row>" CELL("s=\"1\"", "59") CELL("s=\"1\"", "60")
		CELL("s=\"1\"", "61") CELL("s=\"1\"", "45351.5")
		CELL("s=\"1\"", "-3") CELL("s=\"1\"", "abc") "</row>"
		"<row>" CELL("s=\"5\"", "7") CELL("s=\"6\"", "7")
		CELL("s=\"7\"", "7") CELL("s=\"8\"", "7") CELL("s=\"9\"", "7")
		CELL("s=\"10\"", "45351") "</row>"
		"<row>" CELL("s=\"1\"", "2958466") CELL("s=\"99\"", "45351")
		"</row>");
	int rc;
	char *why;
	char *csv = read_book(WB, sheet, NULL, NULL, &rc, &why);
	if (rc != 0)
		fail_msg("refused: %s", why);
	assert_string_equal(csv, "a,b,c,d,e,f\n"
				 "true,false,,2024-02-29,2024-03-01,=x\n"
				 "1900-02-28,60,1900-03-01,2024-02-29,-3,abc\n"
				 "7,7,7,7,7,2024-02-29\n"
				 "2958466,45351,,,,\n");
	free(csv);
	/* The 1904 system said as "true". */
	const char *wb = "<?xml version=\"1.0\"?><workbook xmlns=\"" NS
			 "\" xmlns:r=\"" RNS "\"><workbookPr date1904=\"true\"/>"
			 "<sheets><sheet name=\"One\" sheetId=\"1\" "
			 "r:id=\"rId1\"/></sheets></workbook>";
	csv = read_book(wb,
			SHEET("<row><c t=\"inlineStr\"><is><t>d</t></is></c>"
			      "</row><row>" CELL("s=\"1\"", "1") "</row>"),
			NULL, NULL, &rc, &why);
	if (rc != 0)
		fail_msg("refused: %s", why);
	assert_string_equal(csv, "d\n1904-01-02\n");
	free(csv);
}

static void
hostile_xml(void **state)
{
	(void)state;
	const char *xxe =
		"<?xml version=\"1.0\"?><!DOCTYPE worksheet [<!ENTITY e "
		"SYSTEM \"file:///etc/passwd\">]><worksheet xmlns=\"" NS
		"\"><sheetData><row><c t=\"inlineStr\"><is><t>&e;</t></is>"
		"</c></row></sheetData></worksheet>";
	int rc;
	char *why;
	assert_null(read_book(WB, xxe, NULL, NULL, &rc, &why));
	assert_int_equal(rc, CARTEL_EFORMAT);
	assert_non_null(strstr(why, "document type declaration"));
	assert_null(strstr(why, "root:"));
	free(why);
	why = NULL;
	const char *laughs =
		"<?xml version=\"1.0\"?><!DOCTYPE w [<!ENTITY a \"ha\">"
		"<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]><w>&b;</w>";
	assert_null(read_book(WB, laughs, NULL, NULL, &rc, &why));
	assert_int_equal(rc, CARTEL_EFORMAT);
	free(why);
	why = NULL;
	assert_null(read_book(WB, "<worksheet><sheetData><row>", NULL, NULL,
			      &rc, &why));
	assert_int_equal(rc, CARTEL_EFORMAT);
	assert_non_null(strstr(why, "not well-formed"));
	free(why);
	why = NULL;
	/* A shared string that is not there. */
	assert_null(read_book(WB,
			      SHEET("<row><c t=\"s\"><v>99</v></c></row>"),
			      NULL, NULL, &rc, &why));
	assert_int_equal(rc, CARTEL_EFORMAT);
	assert_non_null(strstr(why, "shared string"));
	free(why);
	why = NULL;
	/* Rows going back. */
	assert_null(read_book(
		WB,
		SHEET("<row r=\"5\"><c t=\"inlineStr\"><is><t>a</t></is></c>"
		      "</row><row r=\"2\"/>"),
		NULL, NULL, &rc, &why));
	assert_int_equal(rc, CARTEL_EFORMAT);
	free(why);
	why = NULL;
	/* Nothing in the sheet. */
	assert_null(read_book(WB, SHEET(""), NULL, NULL, &rc, &why));
	assert_int_equal(rc, CARTEL_EFORMAT);
	assert_non_null(strstr(why, "empty"));
	free(why);
	why = NULL;
}

static void
not_workbooks(void **state)
{
	(void)state;
	char *why = NULL;
	FILE *out = fopen("/dev/null", "w");
	assert_non_null(out);
	const char text[] = "id,family_name\nUA-1,x\n";
	int rc = cartel_xlsx_to_csv(text, sizeof text - 1, "l.xlsx", NULL, out,
				    NULL, &why);
	assert_int_equal(rc, CARTEL_EFORMAT);
	assert_non_null(strstr(why, "not a zip"));
	free(why);
	why = NULL;
	/* A zip that is no workbook. */
	const char *parts[] = {"readme.txt", "hello", NULL};
	size_t len;
	unsigned char *z = make_zip(parts, &len);
	rc = cartel_xlsx_to_csv(z, len, "l.xlsx", NULL, out, NULL, &why);
	assert_int_equal(rc, CARTEL_EFORMAT);
	assert_non_null(strstr(why, "not a workbook"));
	free(why);
	why = NULL;
	/* The same cut short. */
	rc = cartel_xlsx_to_csv(z, len - 10, "l.xlsx", NULL, out, NULL, &why);
	assert_int_equal(rc, CARTEL_EFORMAT);
	free(why);
	why = NULL;
	free(z);
	fclose(out);
}

/* A sheet can have no row past 1,048,576 (the format's last). */
static void
rows_past_the_last(void **state)
{
	(void)state;
	const char *last = SHEET(
		"<row r=\"1\"><c t=\"inlineStr\"><is><t>id</t></is></c>"
		"</row><row r=\"1048576\"><c t=\"inlineStr\"><is><t>UA-1"
		"</t></is></c></row>");
	int rc;
	char *why;
	struct cartel_xlsx_rows rows;
	char *csv = read_book(WB, last, NULL, &rows, &rc, &why);
	if (rc != 0)
		fail_msg("refused: %s", why);
	assert_string_equal(csv, "id\nUA-1\n");
	assert_int_equal(rows.n, 2);
	assert_int_equal(rows.row_of[1], 1048576);
	free(rows.row_of);
	free(csv);
	const char *past = SHEET(
		"<row r=\"1\"><c t=\"inlineStr\"><is><t>id</t></is></c>"
		"</row><row r=\"1048577\"><c t=\"inlineStr\"><is><t>UA-1"
		"</t></is></c></row>");
	csv = read_book(WB, past, NULL, NULL, &rc, &why);
	assert_int_equal(rc, CARTEL_ERANGE);
	assert_non_null(strstr(why, "1048576"));
	free(why);
}

/* ---- a large sheet, read in runs of rows on two cores ---------------- */

/* A sheet of n rows, one a line after two lines of head: row i (from 0)
 * on line i + 3, numbered i + 2 (or, from row 5000 to 5999, with no
 * number: the one after the last), a shared string, an inline string
 * with a quote and a comma, a date cell. At row `comment` a comment
 * holding a row end tag; at row `broken` a cell whose tags do not
 * match; at row `back` a row numbered 3 (out of order). 0: none. */
static char *
big_sheet(size_t n, size_t comment, size_t broken, size_t back)
{
	size_t cap = 256 + n * 256;
	char *x = malloc(cap);
	assert_non_null(x);
	size_t at = (size_t)snprintf(
		x, cap,
		"<?xml version=\"1.0\"?>\n<worksheet xmlns=\"" NS "\">"
		"<sheetData><row r=\"1\"><c t=\"s\"><v>0</v></c><c t=\"s\">"
		"<v>1</v></c><c t=\"inlineStr\"><is><t>birth_date</t></is></c>"
		"</row>\n");
	for (size_t i = 0; i < n; i++) {
		char num[32] = "";
		if (i < 5000 || i >= 6000)
			snprintf(num, sizeof num, " r=\"%zu\"",
				 i == back && back ? (size_t)3 : i + 2);
		at += (size_t)snprintf(
			x + at, cap - at,
			"<row%s>%s<c t=\"inlineStr\"><is><t>UA-%06zu</t></is>"
			"</c><c t=\"s\"><v>%d</v></c><c s=\"1\"><v>%s</v></c>"
			"%s</row>\n",
			num,
			i == comment && comment ? "<!-- </row><row r=\"9\"> -->"
						: "",
			i, i % 2 ? 2 : 3, i % 2 ? "32874" : "1",
			i == broken && broken ? "<c><v>1</c>" : "");
	}
	at += (size_t)snprintf(x + at, cap - at,
			       "</sheetData></worksheet>\n");
	return x;
}

static void
big_sheet_check(const char *csv, const struct cartel_xlsx_rows *rows,
		size_t n)
{
	const char *p = csv;
	const char *head = "id,family_name,birth_date\n";
	assert_memory_equal(p, head, strlen(head));
	p += strlen(head);
	assert_int_equal(rows->n, n + 1);
	assert_int_equal(rows->row_of[0], 1);
	for (size_t i = 0; i < n; i++) {
		char want[128];
		int k = snprintf(want, sizeof want, "UA-%06zu,%s,%s\n", i,
				 i % 2 ? "Коваленко" : "\" a, \"\"b\"\"\n\"",
				 i % 2 ? "1990-01-01" : "1900-01-01");
		if (memcmp(p, want, (size_t)k) != 0)
			fail_msg("row %zu: got %.60s, want %s", i, p, want);
		p += k;
		assert_int_equal(rows->row_of[i + 1], i + 2);
	}
	assert_int_equal(*p, '\0');
}

static void
large_sheet_in_runs(void **state)
{
	(void)state;
	const size_t n = 20000;
	/* Plain; then with a comment holding a row's end tag mid-way (the
	 * rest read whole, as one parser reads it). */
	size_t comments[] = {0, 12345};
	for (size_t c = 0; c < 2; c++) {
		char *sheet = big_sheet(n, comments[c], 0, 0);
		assert_true(strlen(sheet) > (2u << 20));
		size_t runs = cartel__xlsx_runs_apart();
		int rc;
		char *why;
		struct cartel_xlsx_rows rows;
		char *csv = read_book(WB, sheet, NULL, &rows, &rc, &why);
		if (rc != 0)
			fail_msg("refused: %s", why);
		big_sheet_check(csv, &rows, n);
		/* The workers read runs of it (2.8 MB in runs of 256 KiB,
		 * the first and the end read by the reading thread): all
		 * (8), or some before the comment, which sends the rest to
		 * the reading thread's parser. */
		size_t apart = cartel__xlsx_runs_apart() - runs;
		if (c == 0 ? apart < 6 : apart < 1 || apart > 6)
			fail_msg("%zu runs read apart", apart);
		free(rows.row_of);
		free(csv);
		free(sheet);
	}
	/* Broken deep inside: the line of the broken row, as one parser
	 * counts it. */
	char *sheet = big_sheet(n, 0, 15000, 0);
	int rc;
	char *why;
	char *csv = read_book(WB, sheet, NULL, NULL, &rc, &why);
	assert_null(csv);
	assert_int_equal(rc, CARTEL_EFORMAT);
	if (strstr(why, "line 15003:") == NULL)
		fail_msg("not the broken row's line: %s", why);
	free(why);
	free(sheet);
	/* A row numbered 3 deep inside: out of order. */
	sheet = big_sheet(n, 0, 0, 17000);
	csv = read_book(WB, sheet, NULL, NULL, &rc, &why);
	assert_null(csv);
	assert_int_equal(rc, CARTEL_EFORMAT);
	assert_non_null(strstr(why, "not in order"));
	free(why);
	free(sheet);
}

/* ---- cartel_import_xlsx: the sheet read while its rows are imported -- */

static char imp_dir[64], imp_db[128], imp_book[128];

/* A workbook on disk whose sheet has a header (id, family_name,
 * birth_date) and n persons from sheet row 3 on (row 2 empty), with
 * extra (a row's XML) after them; every bad-th person (0: none) has a
 * birth date that is no date. */
static void
write_book(size_t n, size_t bad, const char *extra)
{
	size_t cap = 256 + n * 256 + strlen(extra);
	char *sheet = malloc(cap);
	assert_non_null(sheet);
	size_t at = (size_t)snprintf(
		sheet, cap,
		"<?xml version=\"1.0\"?><worksheet xmlns=\"" NS "\">"
		"<sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>id</t>"
		"</is></c><c t=\"inlineStr\"><is><t>family_name</t></is></c>"
		"<c t=\"inlineStr\"><is><t>birth_date</t></is></c></row>");
	for (size_t i = 0; i < n; i++)
		at += (size_t)snprintf(
			sheet + at, cap - at,
			"<row r=\"%zu\"><c t=\"inlineStr\"><is><t>UA-%06zu"
			"</t></is></c><c t=\"inlineStr\"><is><t>Коваленко"
			"</t></is></c><c t=\"inlineStr\"><is><t>%s</t></is>"
			"</c></row>",
			i + 3, i + 1,
			bad && (i + 1) % bad == 0 ? "not a date" : "1990-05-17");
	at += (size_t)snprintf(sheet + at, cap - at, "%s</sheetData>"
			       "</worksheet>", extra);
	const char *parts[] = {"xl/workbook.xml", WB,
			       "xl/_rels/workbook.xml.rels", RELS,
			       "xl/styles.xml", STYLES,
			       "xl/sharedStrings.xml", SST,
			       "xl/worksheets/sheet1.xml", sheet,
			       NULL};
	size_t len;
	unsigned char *z = make_zip(parts, &len);
	FILE *f = fopen(imp_book, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(z, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	free(z);
	free(sheet);
}

static struct cartel_db *
fresh_register(void)
{
	char p[160];
	const char *sfx[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof p, "%s%s", imp_db, sfx[i]);
		unlink(p);
	}
	struct cartel_db *db = NULL;
	char *why = NULL;
	if (cartel_db_open(&db, imp_db, CARTEL_DB_CREATE, &why) != 0)
		fail_msg("open: %s", why ? why : "?");
	return db;
}

static long
persons_in(struct cartel_db *db)
{
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(cartel__db_sqlite(db),
					    "SELECT count(*) FROM persons", -1,
					    &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	long n = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Imports the workbook; the reject report into *rejects. */
static int
import_book(struct cartel_db *db, int aon, struct cartel_import_result *res,
	    char **rejects, char **why)
{
	size_t rlen = 0;
	*rejects = NULL;
	FILE *rej = open_memstream(rejects, &rlen);
	assert_non_null(rej);
	struct cartel_import_opts o = {0};
	o.all_or_nothing = aon;
	o.rejects = rej;
	*why = NULL;
	int rc = cartel_import_xlsx(db, imp_book, NULL, &o, res, why);
	fclose(rej);
	return rc;
}

static int
imp_setup(void **state)
{
	(void)state;
	snprintf(imp_dir, sizeof imp_dir, "/tmp/cartel-test-xlsx-XXXXXX");
	if (mkdtemp(imp_dir) == NULL)
		return -1;
	snprintf(imp_db, sizeof imp_db, "%s/r.db", imp_dir);
	snprintf(imp_book, sizeof imp_book, "%s/list.xlsx", imp_dir);
	setenv("CARTEL_TODAY", "2025-06-15", 1);
	return 0;
}

static int
imp_teardown(void **state)
{
	(void)state;
	char p[160];
	const char *sfx[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof p, "%s%s", imp_db, sfx[i]);
		unlink(p);
	}
	unlink(imp_book);
	rmdir(imp_dir);
	return 0;
}

/* Thousands of rows, more than the socket between the two threads holds:
 * every good row imported, each bad one rejected under its sheet row. */
static void
import_rows_and_rejects(void **state)
{
	(void)state;
	write_book(20000, 5000, "");
	struct cartel_db *db = fresh_register();
	struct cartel_import_result res;
	char *rejects, *why;
	int rc = import_book(db, 0, &res, &rejects, &why);
	if (rc != 0)
		fail_msg("import: %s", why);
	assert_int_equal(res.rows_read, 20000);
	assert_int_equal(res.imported, 19996);
	assert_int_equal(res.rejected, 4);
	assert_int_equal(persons_in(db), 19996);
	/* Person 5000 is on sheet row 5002 (the header, then an empty
	 * row); the CSV's own record number would be 5001. */
	assert_non_null(strstr(rejects, "\n5002,birth_date,"));
	assert_non_null(strstr(rejects, "\n20002,birth_date,"));
	free(rejects);
	cartel_import_result_clear(&res);
	cartel_db_close(db);
}

/* A workbook found broken after thousands of rows went to the import:
 * its own error, nothing imported. */
static void
import_broken_late(void **state)
{
	(void)state;
	write_book(20000, 0,
		   "<row r=\"10\"><c t=\"inlineStr\"><is><t>UA-999999</t>"
		   "</is></c></row>");
	struct cartel_db *db = fresh_register();
	struct cartel_import_result res;
	char *rejects, *why;
	int rc = import_book(db, 0, &res, &rejects, &why);
	assert_int_equal(rc, CARTEL_EFORMAT);
	assert_non_null(strstr(why, "not in order"));
	assert_int_equal(res.imported, 0);
	assert_int_equal(persons_in(db), 0);
	free(why);
	free(rejects);
	cartel_import_result_clear(&res);
	/* Cut short: the sheet's XML ends in the middle of a row. */
	write_book(20000, 0, "<row r=\"30000\"><c><v>1");
	rc = import_book(db, 0, &res, &rejects, &why);
	assert_int_equal(rc, CARTEL_EFORMAT);
	assert_non_null(strstr(why, "not well-formed"));
	assert_int_equal(persons_in(db), 0);
	free(why);
	free(rejects);
	cartel_import_result_clear(&res);
	cartel_db_close(db);
}

/* All or nothing, a bad row early in a long sheet: the import stops
 * there, the reading of the sheet stops with it (no wait for the rest),
 * and the import's own error names the row. */
static void
import_stops_early(void **state)
{
	(void)state;
	write_book(60000, 3, "");
	struct cartel_db *db = fresh_register();
	struct cartel_import_result res;
	char *rejects, *why;
	int rc = import_book(db, 1, &res, &rejects, &why);
	assert_int_not_equal(rc, 0);
	assert_non_null(why);
	assert_non_null(strstr(why, "row 5"));
	assert_int_equal(persons_in(db), 0);
	free(why);
	free(rejects);
	cartel_import_result_clear(&res);
	cartel_db_close(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(strings_dates_and_empty_rows),
		cmocka_unit_test(cell_kinds),
		cmocka_unit_test(date1904_and_sheets),
		cmocka_unit_test(merged_header),
		cmocka_unit_test(hostile_xml),
		cmocka_unit_test(not_workbooks),
		cmocka_unit_test(rows_past_the_last),
		cmocka_unit_test(large_sheet_in_runs),
		cmocka_unit_test_setup_teardown(import_rows_and_rejects,
						imp_setup, imp_teardown),
		cmocka_unit_test_setup_teardown(import_broken_late, imp_setup,
						imp_teardown),
		cmocka_unit_test_setup_teardown(import_stops_early, imp_setup,
						imp_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
