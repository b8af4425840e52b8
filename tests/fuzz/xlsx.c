/*
 * Fuzzes the workbook reader (io/xlsx_read.c): the zip container (libzip),
 * the XML of the workbook, its relationships, shared strings, styles and
 * sheet (expat), the cell types, dates and the merged-header rule.
 *
 * Invariants: whatever the bytes, the reader returns 0 or an error with a
 * reason; on success the CSV it wrote reads back with the CSV reader
 * (every record within the limits, the header first) and there is one
 * row number per record, increasing; on failure nothing is promised but
 * a reason.
 */
#include <cartel/csv.h>
#include <cartel/error.h>
#include <cartel/xlsx.h>

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *csv = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&csv, &len);
	if (out == NULL)
		return 0;
	struct cartel_xlsx_rows rows;
	char *why = NULL;
	int rc = cartel_xlsx_to_csv(data, size, "fuzz.xlsx", NULL, out, &rows,
				    &why);
	fclose(out);
	if (rc != 0) {
		FUZZ_CHECK(rc < 0);
		FUZZ_CHECK(why != NULL);
		free(why);
		free(csv);
		return 0;
	}
	FUZZ_CHECK(why == NULL);
	FUZZ_CHECK(rows.n >= 1);
	for (size_t i = 1; i < rows.n; i++)
		FUZZ_CHECK(rows.row_of[i] > rows.row_of[i - 1]);
	FILE *in = fmemopen(csv, len, "r");
	if (in != NULL) {
		struct cartel_csv *r;
		if (cartel_csv_open(&r, in, "fuzz", 0) == 0) {
			char **f;
			size_t n, records = 0;
			int k;
			while ((k = cartel_csv_next(r, &f, &n, &why)) != 0) {
				free(why);
				why = NULL;
				if (k == CARTEL_EIO || k == CARTEL_ENOMEM)
					break;
				records++;
			}
			/* Each row written is one record (an empty row is
			 * never written). */
			FUZZ_CHECK(records == rows.n);
			cartel_csv_close(r);
		}
		fclose(in);
	}
	free(rows.row_of);
	free(csv);
	return 0;
}
