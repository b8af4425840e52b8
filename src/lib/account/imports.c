/*
 * Imports for a signed-in user, run in the background so that their
 * progress can be read while the rows go in: the list (a CSV, or a
 * workbook turned into one) is held in memory, imported by
 * cartel_import_csv on a thread of its own with its own handle of the
 * register, and the progress callback (<cartel/progress.h>) keeps the
 * figures that cartel_account_import_status reads. The reject report is
 * the import's own (row, column, rule; never a cell's content).
 *
 * Jobs live in this process only: a table of CARTEL_IMPORT_JOBS, the
 * oldest finished one making room for a new one, under one mutex. One
 * import runs at a time (the register takes one writer anyway).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include <cartel/account.h>
#include <cartel/csv.h>
#include <cartel/error.h>
#include <cartel/i18n.h>
#include <cartel/xlsx.h>

#include "account/account_int.h"
#include "core/why.h"

/* Rejects listed in a job's answer; the count says how many in all. */
#define REJECTS_SHOWN 1000

enum job_state { JOB_RUNNING, JOB_DONE, JOB_FAILED };

struct import_job {
	char id[24];
	char *user, *party; /* who started it, and the registrar's party */
	enum cartel_role role;
	enum cartel_import_format format;
	char *data; /* the list, freed once imported */
	size_t len;
	char *name, *db_path;
	char lang[16];
	long long started; /* Unix seconds, for choosing whom to evict */
	/* Under jobs_mu from here. */
	enum job_state state;
	unsigned long long done, total;
	double seconds;
	json_t *result;
	char *error;
	pthread_t thread;
	int joinable;
};

static pthread_mutex_t jobs_mu = PTHREAD_MUTEX_INITIALIZER;
static struct import_job *jobs[CARTEL_IMPORT_JOBS];

static void
job_free(struct import_job *j)
{
	if (j == NULL)
		return;
	if (j->joinable)
		pthread_join(j->thread, NULL);
	free(j->user);
	free(j->party);
	free(j->data);
	free(j->name);
	free(j->db_path);
	json_decref(j->result);
	free(j->error);
	free(j);
}

/* Data rows in a CSV held in memory: its lines less the header. An
 * estimate when a cell holds a line break; the last call puts it right. */
static unsigned long long
rows_in(const char *data, size_t len)
{
	unsigned long long lines = 0;
	for (const char *c = data, *end = data + len;
	     (c = memchr(c, '\n', (size_t)(end - c))) != NULL; c++)
		lines++;
	if (len > 0 && data[len - 1] != '\n')
		lines++;
	return lines > 0 ? lines - 1 : 0;
}

static void
on_progress(void *user, const struct cartel_progress *p)
{
	struct import_job *j = user;
	pthread_mutex_lock(&jobs_mu);
	if (p->total > 0)
		j->total = p->total;
	if (p->last || p->done > j->total)
		j->total = p->done;
	j->done = p->done;
	j->seconds = p->seconds;
	pthread_mutex_unlock(&jobs_mu);
}

/* The registrar's rule on each row: the persons his party may change. */
static int
row_allowed(void *ctx, const struct cartel_person *p, const char **column,
	    char **reason)
{
	const struct import_job *j = ctx;
	struct cartel_user u = {.name = j->user, .role = j->role,
				.party = j->party};
	if (cartel_may(&u, CARTEL_DO_IMPORT, p, reason) == 0)
		return 0;
	*column = "held_by";
	return 1;
}

/* The reject report (row,column,reason CSV) as JSON. */
static json_t *
rejects_json(FILE *fp)
{
	json_t *a = json_array();
	struct cartel_csv *csv = NULL;
	rewind(fp);
	if (a == NULL || cartel_csv_open(&csv, fp, "rejects", 0) != 0)
		return a;
	char **f;
	size_t nf;
	int first = 1;
	while (json_array_size(a) < REJECTS_SHOWN &&
	       cartel_csv_next(csv, &f, &nf, NULL) == 1) {
		if (first || nf < 3) {
			first = 0;
			continue;
		}
		char *end;
		long long row = strtoll(f[0], &end, 10);
		json_array_append_new(a, json_pack("{s:I, s:s, s:s}", "row",
						   (json_int_t)row, "column",
						   f[1], "reason", f[2]));
	}
	cartel_csv_close(csv);
	return a;
}

static void *
job_main(void *arg)
{
	struct import_job *j = arg;
	(void)cartel_lang_set(j->lang[0] ? j->lang : NULL, NULL);
	char *why = NULL;
	struct cartel_db *db = NULL;
	struct cartel_import_result res;
	memset(&res, 0, sizeof res);
	char *csv = NULL;
	size_t csv_len = 0;
	struct cartel_xlsx_rows rows = {0};
	FILE *rej = tmpfile();
	int err = rej ? 0 : cartel__why(&why, CARTEL_EIO,
					"no room for the reject report");
	if (err == 0 && j->format == CARTEL_IMPORT_XLSX) {
		FILE *o = open_memstream(&csv, &csv_len);
		err = o ? cartel_xlsx_to_csv(j->data, j->len, j->name, NULL, o,
					     &rows, &why)
			: cartel__why(&why, CARTEL_ENOMEM, "out of memory");
		if (o != NULL && fclose(o) != 0 && err == 0)
			err = cartel__why(&why, CARTEL_ENOMEM,
					  "out of memory");
	}
	const char *text = j->format == CARTEL_IMPORT_XLSX ? csv : j->data;
	size_t text_len = j->format == CARTEL_IMPORT_XLSX ? csv_len : j->len;
	pthread_mutex_lock(&jobs_mu);
	j->total = text ? rows_in(text, text_len) : 0;
	pthread_mutex_unlock(&jobs_mu);
	if (err == 0 && text_len == 0)
		err = cartel__why(&why, CARTEL_EFORMAT,
				  "%s: the list is empty", j->name);
	if (err == 0)
		err = cartel_db_open(&db, j->db_path, 0, &why);
	FILE *in = NULL;
	if (err == 0 && (in = fmemopen((void *)text, text_len, "r")) == NULL)
		err = cartel__why(&why, CARTEL_ENOMEM, "out of memory");
	if (err == 0) {
		struct cartel_import_opts o = {
			.rejects = rej,
			.actor = j->user,
			.progress = on_progress,
			.progress_user = j,
			.shared = 1,
			.row_of = rows.row_of,
			.n_row_of = rows.n,
			.row_allowed =
				j->role == CARTEL_ROLE_REGISTRAR ? row_allowed
								 : NULL,
			.row_allowed_ctx = j,
		};
		err = cartel_import_csv(db, in, j->name, &o, &res, &why);
	}
	if (in != NULL)
		fclose(in);
	json_t *result = NULL;
	if (err == 0) {
		json_t *unknown = json_array();
		for (size_t i = 0; unknown && i < res.n_unknown; i++)
			json_array_append_new(
				unknown, json_string(res.unknown_columns[i]));
		result = json_pack("{s:I, s:I, s:I, s:o, s:o}", "rows_read",
				   (json_int_t)res.rows_read, "imported",
				   (json_int_t)res.imported, "rejected",
				   (json_int_t)res.rejected, "rejects",
				   rejects_json(rej), "unknown_columns",
				   unknown);
	}
	cartel_import_result_clear(&res);
	if (rej != NULL)
		fclose(rej);
	cartel_db_close(db);
	free(csv);
	free(rows.row_of);
	pthread_mutex_lock(&jobs_mu);
	if (err == 0 && result != NULL) {
		j->state = JOB_DONE;
		j->result = result;
	} else {
		j->state = JOB_FAILED;
		json_decref(result);
		j->error = why ? why
			       : strdup(cartel_strerror(err ? err
							    : CARTEL_ENOMEM));
		why = NULL;
	}
	free(j->data);
	j->data = NULL;
	pthread_mutex_unlock(&jobs_mu);
	free(why);
	(void)cartel_lang_set(NULL, NULL);
	return NULL;
}

/* The job's answer; under jobs_mu. */
static json_t *
job_json(const struct import_job *j)
{
	static const char *const states[] = {"running", "done", "failed"};
	double rate = j->seconds > 0 ? (double)j->done / j->seconds : 0;
	json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:s, s:f, s:f}", "id",
			      j->id, "state", states[j->state], "done",
			      (json_int_t)j->done, "total",
			      (json_int_t)j->total, "unit", "rows", "seconds",
			      j->seconds, "rate", rate);
	/* A copy: the answer leaves this thread and the mutex. */
	if (o != NULL && j->result != NULL)
		json_object_set_new(o, "result", json_deep_copy(j->result));
	if (o != NULL && j->error != NULL)
		json_object_set_new(o, "error", json_string(j->error));
	return o;
}

int
cartel_account_import_start(struct cartel_db *db, const char *db_path,
			    const struct cartel_user *u,
			    enum cartel_import_format format, const char *data,
			    size_t len, const char *name, const char *from,
			    json_t **out, char **why)
{
	*out = NULL;
	int err = cartel_allow(db, u, CARTEL_DO_IMPORT, NULL, from, why);
	if (err != 0)
		return err;
	if (format != CARTEL_IMPORT_CSV && format != CARTEL_IMPORT_XLSX)
		return cartel__why(why, CARTEL_EINVAL,
				   "a list is a CSV or a workbook (XLSX)");
	struct import_job *j = calloc(1, sizeof *j);
	if (j == NULL)
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	j->user = strdup(u->name);
	j->party = u->party ? strdup(u->party) : NULL;
	j->role = u->role;
	j->format = format;
	j->data = malloc(len ? len : 1);
	j->len = len;
	j->name = strdup(name && name[0] ? name : "upload");
	j->db_path = strdup(db_path);
	j->started = (long long)time(NULL);
	snprintf(j->lang, sizeof j->lang, "%s", cartel_lang_get());
	unsigned char rnd[8];
	if (sodium_init() < 0) {
		job_free(j);
		return cartel__why(why, CARTEL_ENOMEM,
				   "no random source for the import's id");
	}
	randombytes_buf(rnd, sizeof rnd);
	snprintf(j->id, sizeof j->id, "IMP-%02x%02x%02x%02x%02x%02x%02x%02x",
		 rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6],
		 rnd[7]);
	if (j->user == NULL || (u->party && j->party == NULL) ||
	    j->data == NULL || j->name == NULL || j->db_path == NULL) {
		job_free(j);
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	}
	if (len > 0)
		memcpy(j->data, data, len);
	pthread_mutex_lock(&jobs_mu);
	int slot = -1;
	for (int i = 0; i < CARTEL_IMPORT_JOBS; i++) {
		if (jobs[i] != NULL && jobs[i]->state == JOB_RUNNING) {
			pthread_mutex_unlock(&jobs_mu);
			job_free(j);
			return cartel__why(why, CARTEL_ECONFLICT,
					   "another import is running: try "
					   "again when it has finished");
		}
		if (jobs[i] == NULL)
			slot = i;
		else if (slot < 0 || (jobs[slot] != NULL &&
				      jobs[i]->started < jobs[slot]->started))
			slot = i;
	}
	struct import_job *old = jobs[slot];
	jobs[slot] = j;
	if (pthread_create(&j->thread, NULL, job_main, j) != 0) {
		jobs[slot] = old;
		pthread_mutex_unlock(&jobs_mu);
		job_free(j);
		return cartel__why(why, CARTEL_ENOMEM,
				   "cannot start the import");
	}
	j->joinable = 1;
	*out = job_json(j);
	pthread_mutex_unlock(&jobs_mu);
	/* The one evicted has ended (none runs): its thread is joined. */
	job_free(old);
	return *out ? 0 : cartel__why(why, CARTEL_ENOMEM, "out of memory");
}

int
cartel_account_import_status(const struct cartel_user *u, const char *id,
			     json_t **out, char **why)
{
	*out = NULL;
	int err = cartel_may(u, CARTEL_DO_IMPORT, NULL, why);
	if (err != 0)
		return err;
	pthread_mutex_lock(&jobs_mu);
	for (int i = 0; i < CARTEL_IMPORT_JOBS; i++) {
		struct import_job *j = jobs[i];
		if (j == NULL || id == NULL || strcmp(j->id, id) != 0 ||
		    strcmp(j->user, u->name) != 0)
			continue;
		*out = job_json(j);
		pthread_mutex_unlock(&jobs_mu);
		return *out ? 0
			    : cartel__why(why, CARTEL_ENOMEM, "out of memory");
	}
	pthread_mutex_unlock(&jobs_mu);
	return cartel__why(why, CARTEL_ENOTFOUND, "no such import");
}

void
cartel_import_jobs_wait(void)
{
	pthread_mutex_lock(&jobs_mu);
	struct import_job *v[CARTEL_IMPORT_JOBS];
	memcpy(v, jobs, sizeof v);
	memset(jobs, 0, sizeof jobs);
	pthread_mutex_unlock(&jobs_mu);
	for (int i = 0; i < CARTEL_IMPORT_JOBS; i++)
		job_free(v[i]);
}
