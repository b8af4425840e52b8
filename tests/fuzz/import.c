/*
 * Fuzzes the whole import (io/import.c) on a register held in memory: the
 * header's column handling, each row's checks and the reject file, as
 * `cartel import csv` runs them on a list another party sent.
 *
 * Every input meets the same empty register: inputs are imported all or
 * nothing, so one with a bad row leaves the register as it was, and after
 * one that imported rows the register is made afresh (the migrations are
 * the slow part, and most inputs do not need it). Invariant: rows read =
 * rows imported + rows rejected.
 */
#include <cartel/error.h>
#include <cartel/store.h>

#include "fuzz.h"

static struct cartel_db *db;

static void
fresh_register(void)
{
	char *why = NULL;
	cartel_db_close(db);
	if (cartel_db_open(&db, ":memory:", CARTEL_DB_CREATE, &why) != 0) {
		fprintf(stderr, "cannot open a register in memory: %s\n",
			why ? why : "");
		abort();
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("CARTEL_TODAY", "2026-12-01", 1);
	fresh_register();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	FILE *fp = fmemopen((void *)data, size, "r");
	if (fp == NULL)
		return 0;
	char *rej = NULL;
	size_t rej_len = 0;
	FILE *rejects = open_memstream(&rej, &rej_len);
	struct cartel_import_opts opts;
	memset(&opts, 0, sizeof opts);
	opts.all_or_nothing = 1;
	opts.rejects = rejects;
	opts.actor = "fuzz";
	opts.max_field = 512;
	struct cartel_import_result res;
	memset(&res, 0, sizeof res);
	char *why = NULL;
	int rc = cartel_import_csv(db, fp, "fuzz.csv", &opts, &res, &why);
	if (rc == 0)
		FUZZ_CHECK(res.imported + res.rejected == res.rows_read);
	if (rc == 0 && res.imported > 0)
		fresh_register();
	free(why);
	cartel_import_result_clear(&res);
	if (rejects != NULL)
		fclose(rejects);
	free(rej);
	fclose(fp);
	return 0;
}
