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

#include <cmocka.h>
#include <zip.h>

#include <cartel/error.h>
#include <cartel/xlsx.h>

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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
