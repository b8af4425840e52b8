/*
 * xlsx_cat FILE [SHEET]: prints a sheet of a workbook (the first when no
 * SHEET is named) as CSV, read by the project's own workbook reader
 * (cartel_xlsx_file_to_csv, <cartel/xlsx.h>), so that a test sees what a
 * clerk's spreadsheet shows: text as text, a date cell as YYYY-MM-DD. The
 * row numbers of the sheet go to standard error, one a line. Exit 0, or 1
 * with the reader's message.
 */
#include <stdio.h>
#include <stdlib.h>

#include <cartel/xlsx.h>

int
main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fputs("usage: xlsx_cat FILE [SHEET]\n", stderr);
		return 2;
	}
	struct cartel_xlsx_rows rows = {0};
	char *why = NULL;
	int rc = cartel_xlsx_file_to_csv(argv[1], argc == 3 ? argv[2] : NULL,
					 stdout, &rows, &why);
	if (rc != 0) {
		fprintf(stderr, "xlsx_cat: %s\n", why ? why : "failed");
		free(why);
		return 1;
	}
	for (size_t i = 0; i < rows.n; i++)
		fprintf(stderr, "%zu\n", rows.row_of[i]);
	free(rows.row_of);
	return fflush(stdout) == 0 ? 0 : 1;
}
