/*
 * Importing the register's CSV (docs/import.md).
 *
 * The file is streamed record by record (io/csv.c); each row becomes a
 * person (register/fields.c checks every value and the cross-field rules)
 * and is written by the store in one transaction for the whole file, with
 * its "created" event. Audit entries are appended per batch of rows, each
 * holding the hash of its rows' events, so the audit costs one row per
 * BATCH persons rather than one per field.
 *
 * Two threads share the work: a reader parses and checks rows and encodes
 * their creation records, the calling thread writes them; rows pass
 * between them in blocks through a small ring, so memory stays bounded.
 *
 * Duplicate ids (within the file, or already in the register) are found by
 * the persons table's unique index when the row is written: no lookup per
 * row. A row is written only when the whole row is valid, and the person
 * row and its event are written together, so a rejected row leaves
 * nothing behind.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cartel/csv.h>
#include <cartel/error.h>
#include <cartel/register.h>
#include <cartel/store.h>

#include "core/intl.h"
#include "core/why.h"
#include "io/csv_int.h"
#include "io/import_int.h"
#include "io/lists.h"
#include "register/record.h"
#include "store/import_rows.h"

/* Persons per audit entry: small enough that an entry names a stretch of
 * rows a person can look at, large enough that the audit costs nothing. */
#define BATCH 1000

void
cartel_import_result_clear(struct cartel_import_result *res)
{
	for (size_t i = 0; i < res->n_unknown; i++)
		free(res->unknown_columns[i]);
	free(res->unknown_columns);
	memset(res, 0, sizeof(*res));
}

static char *
trimmed(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	char *out = malloc(n + 1);
	if (out != NULL) {
		memcpy(out, s, n);
		out[n] = '\0';
	}
	return out;
}

static void
free_columns(struct column *cols, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(cols[i].name);
	free(cols);
}

/* FNV-1a, for the header's table of names. */
static size_t
name_hash(const char *s)
{
	size_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The refusal of a header without a name column: it names the file, how
 * the header was split, and the fields it did fill (their own names, never
 * the header's text: a file without a header has a person's name where
 * the header should be). */
static int
no_name(const struct column *cols, size_t n, const char *name, int delim,
	char **why)
{
	/* At most every field once (a field filled twice is refused
	 * before), so the list is short. */
	size_t cap = 1;
	for (size_t i = 0; i < n; i++)
		if (cols[i].field != NULL)
			cap += strlen(cols[i].field->name) + 2;
	char *known = malloc(cap);
	if (known == NULL)
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		if (cols[i].field == NULL)
			continue;
		size_t k = strlen(cols[i].field->name);
		if (len > 0) {
			memcpy(known + len, ", ", 2);
			len += 2;
		}
		memcpy(known + len, cols[i].field->name, k);
		len += k;
	}
	known[len] = '\0';
	/* Any other punctuation given with --delimiter is shown as it is. */
	char other[4] = {'\'', (char)delim, '\'', '\0'};
	int err = cartel__why(why, CARTEL_EFORMAT, IMPORT_MSG_NO_NAME, name,
			      n,
			      delim == '\t'   ? _("tab")
			      : delim == ';' ? _("semicolon")
			      : delim == ',' ? _("comma")
					     : other,
			      len > 0 ? known
				      : C_("fields of a header", "none"));
	free(known);
	return err;
}

/* Reads the header into cols; records the unknown columns in res. Each
 * column costs one lookup in a table of the names seen so far, so a header
 * of the most columns the reader allows is read at once. */
static int
read_header(struct cartel_csv *csv, const char *name, int need_name,
	    struct column **out, size_t *n_out,
	    struct cartel_import_result *res, char **why)
{
	char **fields;
	size_t n;
	int rc = cartel_csv_next(csv, &fields, &n, why);
	if (rc == 0)
		return cartel__why(why, CARTEL_EFORMAT,
				   "%s: the file is empty (it needs a header "
				   "row naming the columns; see "
				   "docs/import.md)",
				   name);
	if (rc < 0)
		return rc;
	if ((rc = cartel__lists_load(why)) != 0)
		return rc;
	size_t n_known;
	const struct cartel_field *known = cartel_fields(&n_known);
	size_t cap = 64;
	while (cap < 2 * n)
		cap *= 2;
	struct column *cols = calloc(n, sizeof(*cols));
	size_t *seen_at = calloc(n_known, sizeof(*seen_at));
	size_t *table = calloc(cap, sizeof(*table)); /* column + 1, or 0 */
	res->unknown_columns = calloc(n, sizeof(char *));
	if (cols == NULL || seen_at == NULL || table == NULL ||
	    res->unknown_columns == NULL) {
		free(cols);
		free(seen_at);
		free(table);
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	}
	int err = 0;
	char *bad_name = NULL;
	for (size_t i = 0; i < n && err == 0; i++) {
		cols[i].name = trimmed(fields[i]);
		if (cols[i].name == NULL) {
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
			break;
		}
		if (cols[i].name[0] == '\0') {
			err = cartel__why(why, CARTEL_EFORMAT,
					  "%s: header, column %zu has no name",
					  name, i + 1);
			break;
		}
		const struct cartel_field *f = cartel_field_find(cols[i].name);
		/* A Ukrainian or Russian header name (data/
		 * list_columns.tsv). */
		if (f == NULL && cartel__lists_non_ascii(cols[i].name))
			f = cartel__lists_column(cols[i].name);
		cols[i].field = f;
		size_t first = 0;
		if (f != NULL) {
			size_t k = (size_t)(f - known);
			first = seen_at[k];
			if (first == 0)
				seen_at[k] = i + 1;
		} else {
			/* An extra column: its name folded to lower case,
			 * then held to the one rule for attribute names, so
			 * that what the export writes imports back. */
			for (char *c = cols[i].name; *c; c++)
				if (*c >= 'A' && *c <= 'Z')
					*c = (char)(*c - 'A' + 'a');
			char *rwhy = NULL;
			int bad = cartel_attr_name_check(cols[i].name, &rwhy);
			/* Said after the name check below: a header read
			 * with the wrong delimiter is told so first. */
			if (bad != 0 && bad_name == NULL)
				bad_name =
					cartel__lists_non_ascii(cols[i].name)
						? cartel__asprintf(
							  _(IMPORT_MSG_UNKNOWN_HEADER),
							  name, i + 1,
							  cartel__utf8_cut(
								  cols[i].name,
								  60),
							  cols[i].name)
						: cartel__asprintf(
							  _("%s: header, column "
							    "%zu: %s"),
							  name, i + 1,
							  rwhy ? rwhy
							       : _("a bad name"));
			free(rwhy);
			if (bad != 0)
				continue;
			size_t h = name_hash(cols[i].name) & (cap - 1);
			while (table[h] != 0 &&
			       strcmp(cols[table[h] - 1].name, cols[i].name) !=
				       0)
				h = (h + 1) & (cap - 1);
			first = table[h];
			if (first == 0)
				table[h] = i + 1;
		}
		if (first != 0 && f != NULL &&
		    strcmp(cols[first - 1].name, cols[i].name) != 0) {
			err = cartel__why(why, CARTEL_EFORMAT,
					  IMPORT_MSG_TWO_COLUMNS, name,
					  first, cols[first - 1].name, i + 1,
					  cols[i].name, f->name);
			break;
		}
		if (first != 0) {
			err = cartel__why(why, CARTEL_EFORMAT,
					  "%s: header, column %zu: '%.40s' "
					  "appears twice (columns %zu and %zu)",
					  name, i + 1, cols[i].name, first,
					  i + 1);
			break;
		}
		if (f == NULL) {
			char *copy = strdup(cols[i].name);
			if (copy == NULL) {
				err = cartel__why(why, CARTEL_ENOMEM,
						  "out of memory");
				break;
			}
			res->unknown_columns[res->n_unknown++] = copy;
		}
	}
	/* A list of persons without a name column is refused rather than
	 * imported as persons without names: either it was read wrong
	 * (another delimiter, headers in a language the table lacks) or it
	 * is a list of changes to persons already in the register (id,
	 * consent), which is what --update is for. */
	/* A bad column name is said first, but for a header of one column:
	 * that is the sign of a delimiter read wrong, which the name check
	 * says. */
	if (err == 0 && bad_name != NULL && n > 1)
		err = cartel__why(why, CARTEL_EFORMAT, "%s", bad_name);
	if (err == 0 && need_name) {
		int named = 0;
		for (size_t k = 0; k < n_known; k++)
			named |= seen_at[k] != 0 &&
				 (strcmp(known[k].name, "family_name") == 0 ||
				  strcmp(known[k].name, "given_name") == 0 ||
				  strcmp(known[k].name, "patronymic") == 0);
		if (!named)
			err = no_name(cols, n, name,
				      cartel_csv_delimiter(csv), why);
	}
	if (err == 0 && bad_name != NULL)
		err = cartel__why(why, CARTEL_EFORMAT, "%s", bad_name);
	free(bad_name);
	free(seen_at);
	free(table);
	if (err != 0) {
		free_columns(cols, n);
		return err;
	}
	*out = cols;
	*n_out = n;
	return 0;
}

static int
write_reject(FILE *fp, size_t row, const char *column, const char *reason)
{
	if (fp == NULL)
		return 0;
	char rowbuf[32];
	snprintf(rowbuf, sizeof rowbuf, "%zu", row);
	const char *f[3] = {rowbuf, column != NULL ? column : "",
			    reason != NULL ? reason : ""};
	return cartel_csv_write_row(fp, f, 3);
}

/* The column's header name and the reason of a record the reader
 * refused (msg: its whole message, the reason when the parts are not
 * known). */
static const char *
csv_reason(const struct cartel_csv *csv, const char *msg,
	   const struct column *cols, size_t n_cols, const char **column)
{
	*column = "";
	size_t k;
	const char *reason = cartel__csv_bad(csv, &k);
	if (k >= 1 && k <= n_cols)
		*column = cols[k - 1].name;
	if (reason != NULL)
		return reason;
	return msg != NULL ? msg : _("malformed row");
}

static int
attr_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cartel_attr *)a)->key,
		      ((const struct cartel_attr *)b)->key);
}

/* Builds *p from one row; on a bad value returns the error with *column
 * naming the column and *why the reason (no file or row: the caller adds
 * them). */
static int
build_person(struct cartel_person *p, char **fields, const struct column *cols,
	     size_t n_cols, const struct cartel_import_opts *opts,
	     const struct cartel_date *today, struct cartel__buf *arena,
	     const char **column, char **why)
{
	int have_source = 0, have_status = 0;
	/* Text fields are copied into the job's arena, one allocation for
	 * the row instead of one per field; unborrow() lets go of them
	 * before the person is cleared. */
	size_t need = 0;
	for (size_t i = 0; i < n_cols; i++)
		need += strlen(fields[i]) + 1;
	if (need > arena->cap) {
		char *g = realloc(arena->data, need);
		if (g == NULL)
			return cartel__why(why, CARTEL_ENOMEM, "out of memory");
		arena->data = g;
		arena->cap = need;
	}
	arena->len = 0;
	size_t n_extra = 0;
	for (size_t i = 0; i < n_cols; i++)
		n_extra += cols[i].field == NULL && fields[i][0] != '\0';
	/* Capacity a power of two, as cartel_person_set_attr keeps it. */
	size_t cap = 1;
	while (cap < n_extra)
		cap *= 2;
	if (n_extra > 0 && (p->extra = calloc(cap, sizeof(*p->extra))) == NULL)
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	for (size_t i = 0; i < n_cols; i++) {
		const char *v = fields[i];
		*column = cols[i].name;
		if (cols[i].field == NULL) {
			/* The header's names are distinct: each attribute
			 * is appended, without a search. */
			if (v[0] == '\0')
				continue;
			struct cartel_attr *a = &p->extra[p->n_extra];
			a->key = strdup(cols[i].name);
			a->value = strdup(v);
			if (a->key == NULL || a->value == NULL) {
				free(a->key);
				free(a->value);
				return cartel__why(why, CARTEL_ENOMEM,
						   "out of memory");
			}
			p->n_extra++;
			continue;
		}
		const struct cartel_field *f = cols[i].field;
		if (f->type == CARTEL_FIELD_TEXT) {
			size_t len = strlen(v);
			if (len > 0) {
				char *copy = arena->data + arena->len;
				memcpy(copy, v, len + 1);
				arena->len += len + 1;
				*(char **)((char *)p + f->offset) = copy;
			}
			continue;
		}
		/* Status and source have no "unknown" value: an empty cell
		 * takes the default below. */
		if (f->type == CARTEL_FIELD_ENUM &&
		    (f->kind == CARTEL_ENUM_STATUS ||
		     f->kind == CARTEL_ENUM_SOURCE)) {
			if (v[strspn(v, " \t")] == '\0')
				continue;
			if (f->kind == CARTEL_ENUM_STATUS)
				have_status = 1;
			else
				have_source = 1;
		}
		/* A Ukrainian or Russian word for the value
		 * (data/list_values.tsv). */
		if (f->type == CARTEL_FIELD_ENUM &&
		    cartel__lists_non_ascii(v)) {
			const char *canon = cartel__lists_value(f, v);
			if (canon != NULL)
				v = canon;
		}
		int err = cartel_person_set_field(p, f, v, why);
		if (err != 0)
			return err;
	}
	/* Attributes are kept sorted by key (<cartel/person.h>). */
	if (p->n_extra > 1)
		qsort(p->extra, p->n_extra, sizeof(*p->extra), attr_cmp);
	if (!have_source)
		p->source = opts->source_set ? opts->source
					     : CARTEL_SRC_OFFICIAL_LIST;
	if (!have_status)
		p->status = p->held_by != NULL ? CARTEL_STATUS_CONFIRMED_CAPTIVE
					       : CARTEL_STATUS_REPORTED_MISSING;
	return cartel_person_check(p, today, column, why);
}

/* Lets go of the text fields that point into arena, so that
 * cartel_person_clear frees only what the person owns. */
static void
unborrow(struct cartel_person *p, const struct cartel__buf *arena)
{
	size_t n;
	const struct cartel_field *f = cartel_fields(&n);
	for (size_t i = 0; i < n; i++) {
		if (f[i].type != CARTEL_FIELD_TEXT)
			continue;
		char **slot = (char **)((char *)p + f[i].offset);
		if (*slot != NULL && *slot >= arena->data &&
		    *slot < arena->data + arena->cap)
			*slot = NULL;
	}
}

struct batch {
	long long audit; /* seq of the entry that will cover the batch */
	crypto_hash_sha256_state hs;
	long long n; /* persons in the batch */
	size_t first_row, last_row;
};

static int
close_batch(struct cartel_db *db, struct batch *b, const char *actor,
	    const char *name, const char *summary, char **why)
{
	char *detail;
	if (b->n > 0)
		detail = cartel__asprintf("rows %zu-%zu: %lld persons%s%s",
					  b->first_row, b->last_row, b->n,
					  summary ? "; " : "",
					  summary ? summary : "");
	else
		detail = cartel__asprintf("%s", summary ? summary : "");
	if (detail == NULL)
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	int err = cartel__audit_close(db, b->audit, actor, "import", name,
				      detail, b->n, &b->hs, why);
	free(detail);
	if (err != 0)
		return err;
	b->audit++;
	b->n = 0;
	crypto_hash_sha256_init(&b->hs);
	return 0;
}

/*
 * The reader thread and its hand-over to the writer. Rows travel in blocks
 * of BLOCK_ROWS through a ring of N_BLOCKS; each row is a job: a checked
 * person (with its creation record encoded when it has an id), a rejected
 * row with its column and reason, or a failure to read on. Memory stays
 * bounded by the ring, whatever the file's length.
 */
/* A block of 128 rows stays under 128 KiB, which allocators (ASan's, and
 * glibc's below its mmap threshold) serve from memory they keep, rather
 * than mapping and unmapping it for each short list. */
#define BLOCK_ROWS 128
#define N_BLOCKS 8
/* A block also ends once its rows hold this many bytes of text, so that
 * wide rows (up to CARTEL_LIMIT_LINE each) keep the ring within about
 * N_BLOCKS * (BLOCK_BYTES + CARTEL_LIMIT_LINE) bytes of cells. */
#define BLOCK_BYTES (4u << 20)

/* Room for the text of each date field of a person (there are five); only
 * dates need a buffer, and a job per row of the ring holds one. */
#define JOB_DATES 8

enum job_kind { JOB_PERSON, JOB_REJECT, JOB_FATAL };

struct job {
	enum job_kind kind;
	size_t row;
	size_t bytes; /* text the row's cells hold */
	int err;                  /* JOB_FATAL */
	const char *column;       /* JOB_REJECT: a header name or field name */
	char *reason;             /* JOB_REJECT, JOB_FATAL: malloc'd */
	struct cartel_person p;   /* JOB_PERSON: owned */
	struct cartel__buf rec;   /* JOB_PERSON with an id: its record */
	struct cartel__buf arena; /* the person's text fields */
	/* The text forms of the person's fields, ready to bind (dates in
	 * dates[], the rest pointing into the person or static names). */
	const char *texts[CARTEL__PERSON_NTEXTS];
	char dates[JOB_DATES][CARTEL_FIELD_TEXT_MAX];
	unsigned char digest[CARTEL__DIGEST_BYTES]; /* of its event */
};

struct block {
	struct job jobs[BLOCK_ROWS];
	size_t n;
	size_t used; /* jobs ever filled: the rest were never touched */
	int last;    /* the file ends with this block */
};

struct reader {
	const char *lang; /* the caller's, for the reader's reasons */
	struct cartel_csv *csv;
	const struct column *cols;
	size_t n_cols;
	const struct cartel_import_opts *opts;
	struct cartel_date today;
	const char *name, *now; /* what every creation event records */
	struct cartel__parties parties; /* held_by, depends_on may name */

	pthread_mutex_t mu;
	pthread_cond_t can_fill, can_take;
	/* Allocated as the reader first needs each: a short list (most of
	 * what a bureau sends between two imports) never pays for the whole
	 * ring of megabytes, nor touches more of it than its rows. */
	struct block *blocks[N_BLOCKS];
	size_t filled, taken; /* blocks handed over and taken so far */
	int stop;             /* the writer gives up: stop reading */
	int nomem;            /* the reader could not allocate a block */
};

/* Fills one job from the next record; returns 0 at the end of the file,
 * 1 otherwise. */
static int
read_job(struct reader *rd, struct job *job)
{
	char **fields;
	size_t n;
	char *rwhy = NULL;
	int rc = cartel_csv_next(rd->csv, &fields, &n, &rwhy);
	if (rc == 0)
		return 0;
	job->row = cartel_csv_record_no(rd->csv);
	if (rd->opts->row_of != NULL && job->row >= 1 &&
	    job->row <= rd->opts->n_row_of)
		/* Stored whole by the thread still reading a workbook's
		 * sheet (xlsx_read.c), before this record reached us. */
		job->row = __atomic_load_n(&rd->opts->row_of[job->row - 1],
					   __ATOMIC_RELAXED);
	job->column = NULL;
	job->reason = NULL;
	job->bytes = 0;
	/* A cell costs its text and, as an attribute, two allocations. */
	for (size_t i = 0; rc > 0 && i < n; i++)
		job->bytes += strlen(fields[i]) + 1 + 64;
	if (rc == CARTEL_EIO || rc == CARTEL_ENOMEM) {
		job->kind = JOB_FATAL;
		job->err = rc;
		job->reason = rwhy;
		return 1;
	}
	job->kind = JOB_REJECT;
	if (rc < 0) {
		const char *column;
		const char *reason =
			csv_reason(rd->csv, rwhy, rd->cols, rd->n_cols,
				   &column);
		job->column = column;
		job->reason = cartel__strdup(reason);
		free(rwhy);
		return 1;
	}
	if (n != rd->n_cols) {
		job->reason = cartel__asprintf(_("the row has %zu fields; the "
						 "header has %zu"),
					       n, rd->n_cols);
		return 1;
	}
	const char *column = "";
	rc = build_person(&job->p, fields, rd->cols, rd->n_cols, rd->opts,
			  &rd->today, &job->arena, &column, &rwhy);
	if (rc == 0)
		rc = cartel__parties_check(&rd->parties, &job->p, &column,
					   &rwhy);
	if (rc == CARTEL_ENOMEM) {
		job->kind = JOB_FATAL;
		job->err = rc;
		job->reason = rwhy;
		return 1;
	}
	if (rc != 0) {
		job->column = column;
		job->reason = rwhy;
		unborrow(&job->p, &job->arena);
		cartel_person_clear(&job->p);
		return 1;
	}
	job->kind = JOB_PERSON;
	size_t n_fields, n_dates = 0;
	const struct cartel_field *f = cartel_fields(&n_fields);
	for (size_t i = 0; i < n_fields && i < CARTEL__PERSON_NTEXTS; i++) {
		char *buf = NULL;
		size_t size = 0;
		if (f[i].type == CARTEL_FIELD_DATE) {
			if (n_dates == JOB_DATES) {
				job->kind = JOB_FATAL;
				job->err = CARTEL_EINVAL;
				job->reason = cartel__strdup(
					"a person has more dates than the "
					"import has room for");
				return 1;
			}
			buf = job->dates[n_dates++];
			size = CARTEL_FIELD_TEXT_MAX;
		}
		job->texts[i] = cartel_person_field_text(&job->p, &f[i], buf,
							 size);
	}
	if (job->p.id == NULL)
		return 1; /* the writer assigns the id, then encodes */
	if (cartel__record_encode(&job->p, &job->rec) != 0) {
		job->kind = JOB_FATAL;
		job->err = CARTEL_ENOMEM;
		job->reason = cartel__strdup("out of memory");
		return 1;
	}
	/* The creation event's content is known here in full: hash it
	 * on this thread (the writer adds only seq and entry). */
	struct cartel__event_row ev = {
		0,
		job->p.id,
		"*",
		NULL,
		job->rec.data,
		rd->opts->actor,
		rd->now,
		cartel_enum_name(CARTEL_ENUM_SOURCE, (int)job->p.source),
		rd->name,
		NULL,
		0};
	cartel__event_digest(&ev, job->digest);
	return 1;
}

/* Frees what a block's jobs hold (not their record buffers, which are
 * reused). */
static void
clear_block(struct block *blk)
{
	for (size_t j = 0; j < blk->n; j++) {
		unborrow(&blk->jobs[j].p, &blk->jobs[j].arena);
		cartel_person_clear(&blk->jobs[j].p);
		free(blk->jobs[j].reason);
		blk->jobs[j].reason = NULL;
	}
	blk->n = 0;
}

static void *
reader_main(void *arg)
{
	struct reader *rd = arg;
	/* The reasons it writes are in the caller's language, which may be
	 * its thread's alone (a server's request). */
	cartel_lang_set(rd->lang, NULL);
	for (;;) {
		pthread_mutex_lock(&rd->mu);
		while (rd->filled - rd->taken == N_BLOCKS && !rd->stop)
			pthread_cond_wait(&rd->can_fill, &rd->mu);
		int stop = rd->stop;
		pthread_mutex_unlock(&rd->mu);
		if (stop)
			return NULL;
		struct block **slot = &rd->blocks[rd->filled % N_BLOCKS];
		if (*slot == NULL && (*slot = calloc(1, sizeof **slot)) == NULL) {
			pthread_mutex_lock(&rd->mu);
			rd->nomem = 1;
			pthread_cond_signal(&rd->can_take);
			pthread_mutex_unlock(&rd->mu);
			return NULL;
		}
		struct block *blk = *slot;
		clear_block(blk);
		blk->last = 0;
		size_t bytes = 0;
		while (blk->n < BLOCK_ROWS && bytes < BLOCK_BYTES) {
			struct job *job = &blk->jobs[blk->n];
			if (!read_job(rd, job)) {
				blk->last = 1;
				break;
			}
			blk->n++;
			if (blk->n > blk->used)
				blk->used = blk->n;
			/* Each cell's text is held twice while the row waits:
			 * in the arena or an attribute, and as an event
			 * record. */
			bytes += 2 * job->bytes;
			if (job->kind == JOB_FATAL) {
				blk->last = 1;
				break;
			}
		}
		pthread_mutex_lock(&rd->mu);
		rd->filled++;
		pthread_cond_signal(&rd->can_take);
		pthread_mutex_unlock(&rd->mu);
		if (blk->last)
			return NULL;
	}
}

static struct block *
take_block(struct reader *rd)
{
	pthread_mutex_lock(&rd->mu);
	while (rd->taken == rd->filled && !rd->nomem)
		pthread_cond_wait(&rd->can_take, &rd->mu);
	struct block *blk = NULL;
	if (rd->taken < rd->filled)
		blk = rd->blocks[rd->taken % N_BLOCKS];
	pthread_mutex_unlock(&rd->mu);
	return blk; /* NULL: out of memory */
}

static void
give_back(struct reader *rd, struct block *blk)
{
	(void)blk; /* the reader clears it before filling it again, so that
		    * memory is freed by the thread that allocated it */
	pthread_mutex_lock(&rd->mu);
	rd->taken++;
	pthread_cond_signal(&rd->can_fill);
	pthread_mutex_unlock(&rd->mu);
}

static void
stop_reader(struct reader *rd)
{
	pthread_mutex_lock(&rd->mu);
	rd->stop = 1;
	pthread_cond_signal(&rd->can_fill);
	pthread_mutex_unlock(&rd->mu);
}

/* After the reader has ended: frees what every block still holds. */
static void
drain(struct reader *rd)
{
	for (size_t i = 0; i < N_BLOCKS; i++)
		if (rd->blocks[i] != NULL)
			clear_block(rd->blocks[i]);
	rd->taken = rd->filled;
}

uint64_t
cartel__import_rows_left(FILE *in)
{
	struct stat sb;
	int fd = fileno(in);
	off_t at = fd < 0 ? -1 : ftello(in);
	if (at < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_size <= at)
		return 0;
	enum { CHUNK = 1 << 16 };
	char *buf = malloc(CHUNK);
	if (buf == NULL)
		return 0;
	uint64_t lines = 0;
	char lastc = '\n';
	ssize_t got;
	while ((got = pread(fd, buf, CHUNK, at)) > 0) {
		for (const char *c = buf, *end = buf + got;
		     (c = memchr(c, '\n', (size_t)(end - c))) != NULL; c++)
			lines++;
		lastc = buf[got - 1];
		at += got;
	}
	free(buf);
	if (lastc != '\n')
		lines++;
	return lines > 0 ? lines - 1 : 0;
}

/* The import's pieces, for the update and the event import
 * (io/import_int.h). */
void
cartel__import_columns_free(struct column *cols, size_t n)
{
	free_columns(cols, n);
}

int
cartel__import_header(struct cartel_csv *csv, const char *name,
		      int need_name, struct column **cols, size_t *n,
		      struct cartel_import_result *res, char **why)
{
	return read_header(csv, name, need_name, cols, n, res, why);
}

int
cartel__import_reject(FILE *fp, size_t row, const char *column,
		      const char *reason)
{
	return write_reject(fp, row, column, reason);
}

char *
cartel__import_row_reason(const char *name, size_t row, const char *column,
			  const char *reason)
{
	if (column != NULL && column[0] != '\0')
		return cartel__asprintf(_("%s: row %zu, column %s: %s"), name,
					row, column, reason);
	return cartel__asprintf(_("%s: row %zu: %s"), name, row, reason);
}

const char *
cartel__import_csv_reason(const struct cartel_csv *csv, const char *msg,
			  const struct column *cols, size_t n_cols,
			  const char **column)
{
	return csv_reason(csv, msg, cols, n_cols, column);
}

int
cartel__import_build(struct cartel_person *p, char **fields,
		     const struct column *cols, size_t n_cols,
		     const struct cartel_import_opts *opts,
		     const struct cartel_date *today, struct cartel__buf *arena,
		     const char **column, char **why)
{
	return build_person(p, fields, cols, n_cols, opts, today, arena,
			    column, why);
}

void
cartel__import_unborrow(struct cartel_person *p,
			const struct cartel__buf *arena)
{
	unborrow(p, arena);
}

int
cartel__import_open(struct cartel_csv **out, FILE *in, const char *name,
		    const struct cartel_import_opts *opts, char **why)
{
	struct cartel_csv *csv;
	int err = cartel_csv_open(&csv, in, name, opts->max_field);
	if (err != 0)
		return cartel__why(why, err, "out of memory");
	err = cartel_csv_set_delimiter(csv, opts->delimiter, why);
	if (err == 0)
		err = cartel_csv_set_encoding(csv, opts->encoding, why);
	if (err != 0) {
		cartel_csv_close(csv);
		return err;
	}
	*out = csv;
	return 0;
}

int
cartel_import_csv(struct cartel_db *db, FILE *in, const char *name,
		  const struct cartel_import_opts *opts_in,
		  struct cartel_import_result *res, char **why)
{
	struct cartel_import_opts opts = {0};
	if (opts_in != NULL)
		opts = *opts_in;
	if (opts.actor == NULL || opts.actor[0] == '\0')
		opts.actor = "import";
	if (name == NULL)
		name = "-";
	memset(res, 0, sizeof(*res));

	if (opts.update)
		return cartel__import_update(db, in, name, &opts, res, why);

	struct cartel__progress pg = {0};
	uint64_t n_rows = opts.progress != NULL ? cartel__import_rows_left(in)
						 : 0;
	struct cartel_csv *csv;
	int err = cartel__import_open(&csv, in, name, &opts, why);
	if (err != 0)
		return err;
	struct column *cols = NULL;
	size_t n_cols = 0;
	err = read_header(csv, name, 1, &cols, &n_cols, res, why);
	if (err == 0)
		err = cartel__attr_room(db, res->unknown_columns,
					res->n_unknown, why);
	if (err != 0) {
		free_columns(cols, n_cols);
		cartel_csv_close(csv);
		return err;
	}
	if (opts.rejects != NULL) {
		const char *h[3] = {"row", "column", "reason"};
		cartel_csv_write_row(opts.rejects, h, 3);
	}

	/* The reader thread reads and checks rows while this one writes
	 * them: on two cores the import runs at the pace of SQLite alone. */
	struct reader *rd = calloc(1, sizeof *rd);
	if (rd == NULL) {
		free_columns(cols, n_cols);
		cartel_csv_close(csv);
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	}
	rd->lang = cartel_lang_get();
	rd->csv = csv;
	rd->cols = cols;
	rd->n_cols = n_cols;
	rd->opts = &opts;
	rd->today = cartel_date_today();
	if ((err = cartel__parties_load(db, &rd->parties, why)) != 0) {
		free(rd);
		free_columns(cols, n_cols);
		cartel_csv_close(csv);
		return err;
	}
	if (pthread_mutex_init(&rd->mu, NULL) != 0) {
		cartel__parties_free(&rd->parties);
		free(rd);
		free_columns(cols, n_cols);
		cartel_csv_close(csv);
		return cartel__why(why, CARTEL_ENOMEM,
				   "cannot start the reader");
	}
	pthread_cond_init(&rd->can_fill, NULL);
	pthread_cond_init(&rd->can_take, NULL);

	int own;
	int bulk = opts.shared ? 0 : cartel__db_bulk(db, 1);
	err = cartel__db_write_begin(db, &own, why);
	struct batch b = {0};
	crypto_hash_sha256_init(&b.hs);
	long long pk = 0;
	if (err == 0)
		err = cartel__audit_next(db, &b.audit, why);
	if (err == 0)
		err = cartel__person_next_pk(db, &pk, why);
	char now[32];
	cartel__now(now, sizeof now);
	rd->name = name;
	rd->now = now;
	struct cartel_provenance prov = {opts.actor, 0, name, NULL, now};
	char *first_reject = NULL;
	pthread_t thread;
	int started = 0;
	if (err == 0) {
		if (pthread_create(&thread, NULL, reader_main, rd) != 0)
			err = cartel__why(why, CARTEL_ENOMEM,
					  "cannot start the reader");
		else
			started = 1;
	}

	/* A failure of the database or of reading ends the loop with err
	 * set; a bad row is only counted and reported. */
	int done = !started;
	if (started)
		cartel__progress_begin(&pg, opts.progress, opts.progress_user,
				       "rows", n_rows);
	while (err == 0 && !done) {
		struct block *blk = take_block(rd);
		if (blk == NULL) {
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
			break;
		}
		for (size_t j = 0; j < blk->n && err == 0; j++) {
			struct job *job = &blk->jobs[j];
			size_t row = job->row;
			const char *column = job->column ? job->column : "";
			const char *reason = job->reason;
			char *rwhy = NULL;
			res->rows_read++;
			cartel__progress_at(&pg, res->rows_read);
			if (job->kind == JOB_FATAL) {
				res->rows_read--;
				err = cartel__why(why, job->err, "%s",
						  reason ? reason
							 : _("read error"));
				break;
			}
			if (job->kind == JOB_PERSON &&
			    opts.row_allowed != NULL &&
			    opts.row_allowed(opts.row_allowed_ctx, &job->p,
					     &column, &rwhy) != 0) {
				/* The caller's rule refuses this row. */
				reason = rwhy != NULL
						 ? rwhy
						 : _("this row may not be "
						     "imported here");
			} else if (job->kind == JOB_PERSON) {
				struct cartel_person *p = &job->p;
				int auto_id = p->id == NULL;
				long long use = pk;
				int rc;
				for (int tries = 0;; tries++) {
					if (auto_id) {
						free(p->id);
						p->id = cartel__asprintf(
							"P%07lld", use);
						if (p->id == NULL) {
							rc = CARTEL_ENOMEM;
							break;
						}
					}
					prov.source = p->source;
					job->texts[0] = p->id;
					rc = cartel__person_insert(
						db, p, job->texts,
						auto_id ? NULL : job->rec.data,
						auto_id ? NULL : job->digest,
						&prov, now, b.audit, &b.hs,
						&use, &rwhy);
					/* An assigned id may clash with one
					 * given in the file: take the next. */
					if (rc == CARTEL_EEXIST && auto_id &&
					    tries < 1000) {
						use = ++pk;
						continue;
					}
					break;
				}
				if (rc == CARTEL_EEXIST) {
					free(rwhy);
					rwhy = cartel__asprintf(
						"id %.*s is already in the "
						"register or earlier in this "
						"file",
						cartel__utf8_cut(p->id, 64),
						p->id);
					column = "id";
					reason = rwhy != NULL ? rwhy
							      : _("duplicate id");
				} else if (rc != 0) {
					/* The database failed (full, read-
					 * only, ...): the whole import
					 * goes. */
					err = rc;
					cartel__why(why, rc, "%s: row %zu: %s",
						    name, row,
						    rwhy ? rwhy
							 : _("write failed"));
					free(rwhy);
					break;
				} else {
					pk = use + 1;
					if (b.n == 0)
						b.first_row = row;
					b.last_row = row;
					b.n++;
					res->imported++;
				}
			}
			if (reason != NULL) {
				res->rejected++;
				if (write_reject(opts.rejects, row, column,
						 reason) != 0) {
					err = cartel__why(
						why, CARTEL_EIO,
						"writing the reject file: %s",
						strerror(errno));
					free(rwhy);
					break;
				}
				/* Under all_or_nothing the file is still
				 * read to its end, so that the reject file
				 * lists every problem at once; the
				 * transaction is dropped below. */
				if (first_reject == NULL)
					first_reject = cartel__import_row_reason(
						name, row, column, reason);
			}
			free(rwhy);
			if (err == 0 && b.n >= BATCH)
				err = close_batch(db, &b, opts.actor, name,
						  NULL, why);
		}
		done = blk->last;
		give_back(rd, blk);
	}
	if (started) {
		stop_reader(rd);
		pthread_join(thread, NULL);
		drain(rd);
	}
	pthread_cond_destroy(&rd->can_fill);
	pthread_cond_destroy(&rd->can_take);
	pthread_mutex_destroy(&rd->mu);
	for (size_t i = 0; i < N_BLOCKS; i++) {
		struct block *blk = rd->blocks[i];
		for (size_t j = 0; blk != NULL && j < blk->used; j++) {
			cartel__buf_free(&blk->jobs[j].rec);
			cartel__buf_free(&blk->jobs[j].arena);
		}
		free(blk);
	}
	cartel__parties_free(&rd->parties);
	free(rd);

	if (err == 0 && opts.all_or_nothing && res->rejected > 0)
		err = cartel__why(why, CARTEL_EINVAL,
				  "%zu of %zu rows rejected, nothing imported "
				  "(all or nothing); the first: %s",
				  res->rejected, res->rows_read,
				  first_reject ? first_reject : "?");
	free(first_reject);
	if (err == 0) {
		char *summary = cartel__asprintf(
			"file done: %zu rows read, %zu imported, %zu rejected",
			res->rows_read, res->imported, res->rejected);
		if (summary == NULL)
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
		else
			err = close_batch(db, &b, opts.actor, name, summary,
					  why);
		free(summary);
	}
	if (own || err == 0)
		err = cartel__db_write_end(db, own, err, why);
	if (bulk)
		cartel__db_bulk(db, 0);
	if (err != 0)
		res->imported = 0;
	else
		cartel__progress_end(&pg);
	free_columns(cols, n_cols);
	cartel_csv_close(csv);
	return err;
}
