/*
 * The PFIF import (docs/pfif.md): a PFIF document read by io/pfif_read.c
 * becomes the register's own two inputs, an import CSV of persons (read
 * as an update that may add new persons) and an event list of the notes,
 * written in one transaction by the very imports that read those files.
 * Every rule of the register (fields, dates, parties, the lifecycle) is so
 * checked in one place, and the reject report says which PFIF record and
 * which PFIF field broke which rule.
 *
 * The namespace of record ids is in <cartel/pfif.h>: a record of the
 * register's own domain is its own person, any other keeps its full
 * record id as the person's id. A note is an event whose ref is
 * "pfif:STATUS:NOTE_RECORD_ID", so that a note read twice is recorded
 * once and an export gives back the note's own id and status.
 */
#define _GNU_SOURCE /* open_memstream, fmemopen */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cartel/csv.h>
#include <cartel/date.h>
#include <cartel/error.h>
#include <cartel/limits.h>
#include <cartel/pfif.h>
#include <cartel/register.h>
#include <cartel/store.h>

#include "core/why.h"
#include "io/pfif_int.h"

const char *
cartel__pfif_status_name(enum cartel_pfif_status s)
{
	static const char *const names[] = {"",
	                                    "information_sought",
	                                    "is_note_author",
	                                    "believed_alive",
	                                    "believed_missing",
	                                    "believed_dead"};
	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "";
}

int
cartel__pfif_status_parse(const char *s, enum cartel_pfif_status *out)
{
	for (int k = CARTEL__PFIF_NONE; k <= CARTEL__PFIF_BELIEVED_DEAD; k++)
		if (strcmp(s, cartel__pfif_status_name(
		                  (enum cartel_pfif_status)k)) == 0) {
			*out = (enum cartel_pfif_status)k;
			return 0;
		}
	return CARTEL_EINVAL;
}

enum cartel_pfif_status
cartel__pfif_status_of(enum cartel_status s)
{
	switch (s) {
	case CARTEL_STATUS_REPORTED_MISSING:
		return CARTEL__PFIF_BELIEVED_MISSING;
	case CARTEL_STATUS_DECEASED:
		return CARTEL__PFIF_BELIEVED_DEAD;
	default:
		/* In custody, exchanged, released, transferred, escaped:
		 * each was last known alive. */
		return CARTEL__PFIF_BELIEVED_ALIVE;
	}
}

static int
digits(const char *s, size_t n)
{
	int v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

int
cartel__pfif_time_valid(const char *s)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	if (s == NULL || strlen(s) != sizeof(shape) - 1)
		return 0;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9')
		                    : s[i] != shape[i])
			return 0;
	int year = digits(s, 4), mon = digits(s + 5, 2), day = digits(s + 8, 2);
	return year >= 1 && mon >= 1 && mon <= 12 && day >= 1 &&
	       day <= cartel_days_in_month(year, mon) &&
	       digits(s + 11, 2) < 24 && digits(s + 14, 2) < 60 &&
	       digits(s + 17, 2) < 61;
}

int
cartel__pfif_domain(const char *given, const char **out, char **why)
{
	const char *d = given != NULL && given[0] ? given : CARTEL_PFIF_DOMAIN;
	size_t n = strlen(d);
	int ok = n >= 1 && n <= 253 && d[0] != '.' && d[0] != '-';
	for (size_t i = 0; ok && i < n; i++)
		ok = (d[i] >= 'a' && d[i] <= 'z') ||
		     (d[i] >= 'A' && d[i] <= 'Z') ||
		     (d[i] >= '0' && d[i] <= '9') || d[i] == '-' || d[i] == '.';
	if (!ok)
		return cartel__why(why, CARTEL_EINVAL,
		                   "the domain of record ids is a host name "
		                   "(letters, digits, '-' and '.')");
	*out = d;
	return 0;
}

/* A reject: record index, PFIF field, rule. */
struct rej {
	size_t row;
	const char *column; /* static */
	char *reason;
};

struct pf {
	struct cartel_db *db;
	const char *name;
	const char *domain;
	const struct cartel_import_opts *imp;
	struct cartel_pfif_doc *doc;
	struct rej *rej;
	size_t n_rej, cap_rej;
	unsigned char *bad; /* per record: rejected */
	char **pid;         /* per record: the register id of its person */
	size_t *csv_rec;    /* person CSV data row k: record index */
	size_t n_csv;
	size_t *new_rec; /* the same for the new persons' CSV */
	size_t n_new;
	size_t *ev_rec; /* event CSV data row k: record index */
	size_t n_ev;
};

static int
reject(struct pf *pf, size_t rec, const char *column, const char *reason)
{
	if (pf->n_rej == pf->cap_rej) {
		size_t ncap = pf->cap_rej ? pf->cap_rej * 2 : 16;
		struct rej *g = realloc(pf->rej, ncap * sizeof(*g));
		if (g == NULL)
			return CARTEL_ENOMEM;
		pf->rej = g;
		pf->cap_rej = ncap;
	}
	char *copy = cartel__strdup(reason);
	if (copy == NULL)
		return CARTEL_ENOMEM;
	pf->rej[pf->n_rej++] = (struct rej){rec, column, copy};
	pf->bad[rec - 1] = 1;
	return 0;
}

static int
rej_cmp(const void *a, const void *b)
{
	const struct rej *x = a, *y = b;
	return x->row < y->row ? -1 : x->row > y->row ? 1 : 0;
}

/* The register id a record id names (see <cartel/pfif.h>). malloc'd. */
static char *
register_id(const char *record_id, const char *domain)
{
	size_t n = strlen(domain);
	if (strncmp(record_id, domain, n) == 0 && record_id[n] == '/')
		return cartel__strdup(record_id + n + 1);
	return cartel__strdup(record_id);
}

/* The attributes a foreign person record keeps, each named pfif_FIELD
 * (docs/pfif.md). */
static const enum cartel_pfif_field KEPT[] = {
    CARTEL_PFIF_FULL_NAME,        CARTEL_PFIF_ALTERNATE_NAMES,
    CARTEL_PFIF_DESCRIPTION,      CARTEL_PFIF_AGE,
    CARTEL_PFIF_HOME_STREET,      CARTEL_PFIF_HOME_NEIGHBORHOOD,
    CARTEL_PFIF_HOME_CITY,        CARTEL_PFIF_HOME_STATE,
    CARTEL_PFIF_HOME_POSTAL_CODE, CARTEL_PFIF_HOME_COUNTRY,
    CARTEL_PFIF_PHOTO_URL,        CARTEL_PFIF_PROFILE_URLS,
    CARTEL_PFIF_AUTHOR_NAME,      CARTEL_PFIF_AUTHOR_EMAIL,
    CARTEL_PFIF_AUTHOR_PHONE,     CARTEL_PFIF_SOURCE_NAME,
    CARTEL_PFIF_SOURCE_URL,       CARTEL_PFIF_SOURCE_DATE,
    CARTEL_PFIF_EXPIRY_DATE,
};
#define N_KEPT (sizeof(KEPT) / sizeof(KEPT[0]))

/* The columns of the person CSV before the attributes, and the PFIF
 * field each comes from. */
enum { P_ID, P_FAMILY, P_GIVEN, P_PATRONYMIC, P_SEX, P_BIRTH, P_SOURCE, P_N };
static const char *const pcol_names[P_N] = {
    "id",  "family_name", "given_name", "patronymic",
    "sex", "birth_date",  "source"};
static const enum cartel_pfif_field pcol_pfif[P_N] = {
    CARTEL_PFIF_PERSON_RECORD_ID,
    CARTEL_PFIF_FAMILY_NAME,
    CARTEL_PFIF_GIVEN_NAME,
    CARTEL_PFIF_FULL_NAME,
    CARTEL_PFIF_SEX,
    CARTEL_PFIF_DATE_OF_BIRTH,
    CARTEL_PFIF_SOURCE_NAME};

/* For a record of the register's own domain, whose full_name the export
 * wrote as "given patronymic family": the patronymic, malloc'd, or NULL
 * when the full name is not of that shape. */
static char *
patronymic_of(const char *full, const char *given, const char *family)
{
	if (full == NULL || given == NULL || family == NULL || !given[0] ||
	    !family[0])
		return NULL;
	size_t nf = strlen(full), ng = strlen(given), nl = strlen(family);
	if (nf <= ng + nl + 2 || strncmp(full, given, ng) != 0 ||
	    full[ng] != ' ' || strcmp(full + nf - nl, family) != 0 ||
	    full[nf - nl - 1] != ' ')
		return NULL;
	size_t n = nf - nl - 1 - (ng + 1);
	char *p = malloc(n + 1);
	if (p != NULL) {
		memcpy(p, full + ng + 1, n);
		p[n] = '\0';
	}
	return p;
}

/* The event list's columns, and the PFIF note field each comes from. */
enum { E_PERSON, E_FIELD, E_VALUE, E_SOURCE, E_AT, E_NOTE, E_REF, E_N };
static const char *const ecol_names[E_N] = {
    "person_id", "field", "value", "source", "at", "note", "ref"};
static const enum cartel_pfif_field ecol_pfif[E_N] = {
    CARTEL_PFIF_PERSON_RECORD_ID, CARTEL_PFIF_STATUS,      CARTEL_PFIF_STATUS,
    CARTEL_PFIF_SOURCE_DATE,      CARTEL_PFIF_SOURCE_DATE, CARTEL_PFIF_TEXT,
    CARTEL_PFIF_NOTE_RECORD_ID};

/* Checks a person record by PFIF's own rules; 1 when it may go on. */
static int
person_check(struct pf *pf, struct cartel_pfif_record *r, int *err)
{
	char *const *v = r->value;
	const char *field = NULL, *rule = NULL;
	struct cartel_date d;
	char *dwhy = NULL;
	if (r->bad_field != NULL) {
		field = r->bad_field;
		rule = r->bad_rule;
	} else if (v[CARTEL_PFIF_PERSON_RECORD_ID] == NULL ||
	           v[CARTEL_PFIF_PERSON_RECORD_ID][0] == '\0') {
		field = "person_record_id";
		rule = "required";
	} else if (!cartel_pfif_record_id_valid(
	               v[CARTEL_PFIF_PERSON_RECORD_ID])) {
		field = "person_record_id";
		rule = "not a record id of the form domain/local-id";
	} else if ((v[CARTEL_PFIF_FULL_NAME] == NULL ||
	            !v[CARTEL_PFIF_FULL_NAME][0]) &&
	           (v[CARTEL_PFIF_GIVEN_NAME] == NULL ||
	            !v[CARTEL_PFIF_GIVEN_NAME][0]) &&
	           (v[CARTEL_PFIF_FAMILY_NAME] == NULL ||
	            !v[CARTEL_PFIF_FAMILY_NAME][0])) {
		field = "full_name";
		rule = "required (or given_name and family_name)";
	} else if (v[CARTEL_PFIF_SEX] != NULL && v[CARTEL_PFIF_SEX][0] &&
	           strcmp(v[CARTEL_PFIF_SEX], "male") != 0 &&
	           strcmp(v[CARTEL_PFIF_SEX], "female") != 0 &&
	           strcmp(v[CARTEL_PFIF_SEX], "other") != 0) {
		field = "sex";
		rule = "not one of female, male, other";
	} else if (v[CARTEL_PFIF_DATE_OF_BIRTH] != NULL &&
	           v[CARTEL_PFIF_DATE_OF_BIRTH][0] &&
	           cartel_date_parse(v[CARTEL_PFIF_DATE_OF_BIRTH], &d, &dwhy) !=
	               0) {
		field = "date_of_birth";
		rule = "not a date of the form YYYY, YYYY-MM or YYYY-MM-DD";
	} else {
		static const enum cartel_pfif_field times[] = {
		    CARTEL_PFIF_ENTRY_DATE, CARTEL_PFIF_SOURCE_DATE,
		    CARTEL_PFIF_EXPIRY_DATE};
		for (size_t i = 0; i < 3; i++)
			if (v[times[i]] != NULL && v[times[i]][0] &&
			    !cartel__pfif_time_valid(v[times[i]])) {
				field = cartel_pfif_field_name(times[i]);
				rule = "not a time of the form "
				       "YYYY-MM-DDTHH:MM:SSZ";
				break;
			}
	}
	free(dwhy);
	if (field == NULL)
		return 1;
	*err = reject(pf, r->index, field, rule);
	return 0;
}

/* Writes one person row. Own-domain records carry the register's own
 * fields only; foreign ones keep the rest as pfif_ attributes. */
static int
person_row(struct pf *pf, FILE *csv, struct cartel_pfif_record *r,
           const char *source)
{
	char *const *v = r->value;
	const char *row[P_N + N_KEPT];
	char *id = register_id(v[CARTEL_PFIF_PERSON_RECORD_ID], pf->domain);
	if (id == NULL)
		return CARTEL_ENOMEM;
	pf->pid[r->index - 1] = id;
	int foreign = strchr(id, '/') != NULL;
	const char *given = v[CARTEL_PFIF_GIVEN_NAME];
	const char *family = v[CARTEL_PFIF_FAMILY_NAME];
	/* cartel cannot split a full name: it goes whole into the family
	 * name, where the matcher reads every word of it. */
	if ((given == NULL || !given[0]) && (family == NULL || !family[0]))
		family = v[CARTEL_PFIF_FULL_NAME];
	const char *sex = v[CARTEL_PFIF_SEX];
	row[P_ID] = id;
	row[P_FAMILY] = family ? family : "";
	row[P_GIVEN] = given ? given : "";
	char *patronymic =
	    foreign ? NULL
	            : patronymic_of(v[CARTEL_PFIF_FULL_NAME], given, family);
	row[P_PATRONYMIC] = patronymic ? patronymic : "";
	row[P_SEX] = sex != NULL && strcmp(sex, "other") != 0 ? sex : "";
	row[P_BIRTH] =
	    v[CARTEL_PFIF_DATE_OF_BIRTH] ? v[CARTEL_PFIF_DATE_OF_BIRTH] : "";
	row[P_SOURCE] = source;
	for (size_t k = 0; k < N_KEPT; k++)
		row[P_N + k] = foreign && v[KEPT[k]] ? v[KEPT[k]] : "";
	int err = cartel_csv_write_row(csv, row, P_N + N_KEPT);
	free(patronymic);
	return err;
}

/* Whether the person already has the event of this note: a ref naming
 * the same note, or, for a note of the register's own domain
 * ("DOMAIN/note.SEQ", what the export writes), the event SEQ itself. */
static int
note_seen(const struct cartel_event *ev, size_t n, const char *note_id,
          const char *domain)
{
	size_t dn = strlen(domain);
	long long own = 0;
	if (strncmp(note_id, domain, dn) == 0 &&
	    strncmp(note_id + dn, "/note.", 6) == 0) {
		char *end;
		own = strtoll(note_id + dn + 6, &end, 10);
		if (*end != '\0')
			own = 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (own > 0 && ev[i].seq == own)
			return 1;
		const char *ref = ev[i].prov.source_ref;
		if (ref == NULL || strncmp(ref, CARTEL__PFIF_REF,
		                           strlen(CARTEL__PFIF_REF)) != 0)
			continue;
		const char *colon = strchr(ref + strlen(CARTEL__PFIF_REF), ':');
		if (colon != NULL && strcmp(colon + 1, note_id) == 0)
			return 1;
	}
	return 0;
}

/* Builds the event list of the notes, in document order, after the
 * persons are in: each note's status is applied to the status its
 * person has by then. */
static int
notes_csv(struct pf *pf, FILE *csv, const char *source, char **why)
{
	const char *hdr[E_N];
	for (int k = 0; k < E_N; k++)
		hdr[k] = ecol_names[k];
	int err = cartel_csv_write_row(csv, hdr, E_N);
	struct cartel_pfif_doc *doc = pf->doc;
	/* Status so far, per record (persons' by index), when set. */
	int *status = calloc(doc->n_rec, sizeof(*status));
	if (status == NULL)
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	for (size_t i = 0; err == 0 && i < doc->n_rec; i++) {
		struct cartel_pfif_record *r = &doc->rec[i];
		if (!r->is_note || pf->bad[i])
			continue;
		char *const *v = r->value;
		const char *field = NULL, *rule = NULL;
		enum cartel_pfif_status st = CARTEL__PFIF_NONE;
		const char *pid = v[CARTEL_PFIF_PERSON_RECORD_ID];
		const char *parent_id =
		    r->person ? doc->rec[r->person - 1]
		                    .value[CARTEL_PFIF_PERSON_RECORD_ID]
		              : NULL;
		const char *at =
		    v[CARTEL_PFIF_SOURCE_DATE] && v[CARTEL_PFIF_SOURCE_DATE][0]
		        ? v[CARTEL_PFIF_SOURCE_DATE]
		        : v[CARTEL_PFIF_ENTRY_DATE];
		if (r->bad_field != NULL) {
			field = r->bad_field;
			rule = r->bad_rule;
		} else if (v[CARTEL_PFIF_NOTE_RECORD_ID] == NULL ||
		           !v[CARTEL_PFIF_NOTE_RECORD_ID][0]) {
			field = "note_record_id";
			rule = "required";
		} else if (!cartel_pfif_record_id_valid(
		               v[CARTEL_PFIF_NOTE_RECORD_ID])) {
			field = "note_record_id";
			rule = "not a record id of the form domain/local-id";
		} else if (r->person && pid && pid[0] && parent_id &&
		           strcmp(pid, parent_id) != 0) {
			field = "person_record_id";
			rule = "not the record id of the person the note is in";
		} else if (!r->person && (pid == NULL || !pid[0])) {
			field = "person_record_id";
			rule = "required in a note outside a person";
		} else if (!r->person && !cartel_pfif_record_id_valid(pid)) {
			field = "person_record_id";
			rule = "not a record id of the form domain/local-id";
		} else if (r->person && pf->bad[r->person - 1]) {
			field = "person_record_id";
			rule = "the person record it is in was rejected";
		} else if (v[CARTEL_PFIF_STATUS] != NULL &&
		           cartel__pfif_status_parse(v[CARTEL_PFIF_STATUS],
		                                     &st) != 0) {
			field = "status";
			rule = "not one of information_sought, is_note_author, "
			       "believed_alive, believed_missing, "
			       "believed_dead";
		} else if (at != NULL && at[0] &&
		           !cartel__pfif_time_valid(at)) {
			field = v[CARTEL_PFIF_SOURCE_DATE] ? "source_date"
			                                   : "entry_date";
			rule = "not a time of the form YYYY-MM-DDTHH:MM:SSZ";
		}
		if (field != NULL) {
			err = reject(pf, r->index, field, rule);
			continue;
		}
		char *id = r->person ? cartel__strdup(pf->pid[r->person - 1])
		                     : register_id(pid, pf->domain);
		if (id == NULL) {
			err = CARTEL_ENOMEM;
			break;
		}
		pf->pid[i] = id;
		struct cartel_person p = {0};
		char *gwhy = NULL;
		int ge = cartel_person_get(pf->db, id, &p, &gwhy);
		free(gwhy);
		if (ge == CARTEL_ENOTFOUND) {
			err = reject(pf, r->index, "person_record_id",
			             "no such person in the register or "
			             "the document");
			continue;
		}
		if (ge != 0) {
			err = cartel__why(why, ge, "reading a person");
			break;
		}
		/* The notes of one person follow its status as they are
		 * applied: the status of the last note for it, or the
		 * register's. */
		int cur = p.status;
		for (size_t j = i; j-- > 0;)
			if (doc->rec[j].is_note && !pf->bad[j] &&
			    pf->pid[j] != NULL && strcmp(pf->pid[j], id) == 0) {
				cur = status[j];
				break;
			}
		struct cartel_event *ev = NULL;
		size_t n_ev = 0;
		int seen = 0;
		if (cartel_person_events(pf->db, p.id, &ev, &n_ev, NULL) == 0)
			seen =
			    note_seen(ev, n_ev, v[CARTEL_PFIF_NOTE_RECORD_ID],
			              pf->domain);
		cartel_events_free(ev, n_ev);
		for (size_t j = 0; !seen && j < i; j++)
			seen =
			    doc->rec[j].is_note && !pf->bad[j] &&
			    pf->pid[j] != NULL && status[j] >= 0 &&
			    strcmp(
			        doc->rec[j].value[CARTEL_PFIF_NOTE_RECORD_ID],
			        v[CARTEL_PFIF_NOTE_RECORD_ID]) == 0;
		cartel_person_clear(&p);
		if (seen) {
			/* Recorded before: nothing to add, and it does not
			 * count as the status so far. */
			free(pf->pid[i]);
			pf->pid[i] = NULL;
			continue;
		}
		/* Only a death moves the status: the other statuses of a
		 * public note do not put a man into custody or take him out
		 * of it (docs/pfif.md); the note is kept on the status he
		 * has, as a second word on it. */
		int to = st == CARTEL__PFIF_BELIEVED_DEAD
		             ? CARTEL_STATUS_DECEASED
		             : cur;
		status[i] = to;
		char *ref = cartel__asprintf(CARTEL__PFIF_REF "%s:%s",
		                             cartel__pfif_status_name(st),
		                             v[CARTEL_PFIF_NOTE_RECORD_ID]);
		if (ref == NULL) {
			err = CARTEL_ENOMEM;
			break;
		}
		const char *row[E_N] = {
		    id,
		    "status",
		    cartel_enum_name(CARTEL_ENUM_STATUS, to),
		    source,
		    at ? at : "",
		    v[CARTEL_PFIF_TEXT] ? v[CARTEL_PFIF_TEXT] : "",
		    ref};
		err = cartel_csv_write_row(csv, row, E_N);
		free(ref);
		size_t *g = realloc(pf->ev_rec, (pf->n_ev + 1) * sizeof(*g));
		if (g == NULL) {
			err = CARTEL_ENOMEM;
			break;
		}
		pf->ev_rec = g;
		pf->ev_rec[pf->n_ev++] = r->index;
	}
	free(status);
	if (err == CARTEL_ENOMEM)
		cartel__why(why, err, "out of memory");
	return err;
}

/* Maps the reject report of one of the imports (row, column, reason)
 * back to PFIF records and fields. */
static int
map_rejects(struct pf *pf, FILE *rep, const size_t *rec_of, size_t n_rows,
            const char *const *cols, const enum cartel_pfif_field *pfif,
            size_t n_cols, char **why)
{
	rewind(rep);
	struct cartel_csv *csv;
	int err = cartel_csv_open(&csv, rep, "rejects", 0);
	if (err != 0)
		return cartel__why(why, err, "out of memory");
	char **f;
	size_t n;
	int first = 1;
	while (err == 0 && cartel_csv_next(csv, &f, &n, NULL) == 1) {
		if (first || n != 3) {
			first = 0;
			continue;
		}
		char *end;
		unsigned long row = strtoul(f[0], &end, 10);
		if (*end != '\0' || row < 2 || row - 2 >= n_rows)
			continue;
		size_t rec = rec_of[row - 2];
		const char *column = "";
		for (size_t k = 0; k < n_cols; k++)
			if (strcmp(f[1], cols[k]) == 0)
				column = cartel_pfif_field_name(pfif[k]);
		if (column[0] == '\0' && strncmp(f[1], "pfif_", 5) == 0)
			for (size_t k = 0; k < N_KEPT; k++)
				if (strcmp(f[1] + 5, cartel_pfif_field_name(
				                         KEPT[k])) == 0)
					column =
					    cartel_pfif_field_name(KEPT[k]);
		err = reject(pf, rec, column, f[2]);
	}
	cartel_csv_close(csv);
	if (err != 0)
		cartel__why(why, err, "out of memory");
	return err;
}

/* Runs one of the register's imports on the text in buf. */
static int
run_import(struct pf *pf, int events, char *buf, size_t len,
           struct cartel_import_opts *o, FILE *rep,
           struct cartel_import_result *r, char **why)
{
	FILE *in = fmemopen(buf, len, "r");
	if (in == NULL)
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	o->rejects = rep;
	int err = events
	              ? cartel_event_import_csv(pf->db, in, pf->name, o, r, why)
	              : cartel_import_csv(pf->db, in, pf->name, o, r, why);
	fclose(in);
	return err;
}

static int
read_all(FILE *in, const char *name, char **out, size_t *len, char **why)
{
	/* Never more than one byte past the limit is read or held: that
	 * byte is how a document over it is known. */
	const size_t max = (size_t)CARTEL_LIMIT_PFIF_DOC + 1;
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	if (buf == NULL)
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	for (;;) {
		if (n == cap) {
			size_t ncap = cap * 2 < max ? cap * 2 : max;
			char *g = realloc(buf, ncap);
			if (g == NULL) {
				free(buf);
				return cartel__why(why, CARTEL_ENOMEM,
				                   "out of memory");
			}
			buf = g;
			cap = ncap;
		}
		size_t got = fread(buf + n, 1, cap - n, in);
		n += got;
		if (got == 0 || n == max)
			break;
	}
	if (ferror(in)) {
		free(buf);
		return cartel__why(why, CARTEL_EIO, "%s: reading failed", name);
	}
	if (n == max) {
		free(buf);
		return cartel__why(why, CARTEL_ERANGE,
		                   "%s: the document is larger than the "
		                   "limit of %u MiB (docs/limits.md); nothing "
		                   "was imported",
		                   name, CARTEL_LIMIT_PFIF_DOC >> 20);
	}
	*out = buf;
	*len = n;
	return 0;
}

static void
pf_free(struct pf *pf)
{
	for (size_t i = 0; i < pf->n_rej; i++)
		free(pf->rej[i].reason);
	free(pf->rej);
	if (pf->doc != NULL && pf->pid != NULL)
		for (size_t i = 0; i < pf->doc->n_rec; i++)
			free(pf->pid[i]);
	free(pf->pid);
	free(pf->bad);
	free(pf->csv_rec);
	free(pf->new_rec);
	free(pf->ev_rec);
	cartel_pfif_doc_free(pf->doc);
}

int
cartel_import_pfif(struct cartel_db *db, FILE *in, const char *name,
                   const struct cartel_pfif_opts *opts,
                   const struct cartel_import_opts *imp,
                   struct cartel_import_result *res, char **why)
{
	static const struct cartel_pfif_opts no_opts = {0};
	static const struct cartel_import_opts no_imp = {0};
	if (opts == NULL)
		opts = &no_opts;
	if (imp == NULL)
		imp = &no_imp;
	memset(res, 0, sizeof(*res));
	struct pf pf = {0};
	pf.db = db;
	pf.name = name;
	pf.imp = imp;
	int err = cartel__pfif_domain(opts->domain, &pf.domain, why);
	if (err != 0)
		return err;
	char *data = NULL;
	size_t len = 0;
	if ((err = read_all(in, name, &data, &len, why)) != 0)
		return err;
	char *pwhy = NULL;
	err = cartel_pfif_parse(data, len, &pf.doc, &pwhy);
	free(data);
	if (err != 0) {
		cartel__why(why, err, "%s: %s; nothing was imported", name,
		            pwhy ? pwhy : "");
		free(pwhy);
		return err;
	}
	size_t n_rec = pf.doc->n_rec;
	res->rows_read = n_rec;
	pf.bad = calloc(n_rec + 1, 1);
	pf.pid = calloc(n_rec + 1, sizeof(*pf.pid));
	pf.csv_rec = calloc(n_rec + 1, sizeof(*pf.csv_rec));
	pf.new_rec = calloc(n_rec + 1, sizeof(*pf.new_rec));
	if (pf.bad == NULL || pf.pid == NULL || pf.csv_rec == NULL ||
	    pf.new_rec == NULL) {
		pf_free(&pf);
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	}
	enum cartel_source src =
	    imp->source_set ? imp->source : CARTEL_SRC_FAMILY_REPORT;
	const char *source = cartel_enum_name(CARTEL_ENUM_SOURCE, (int)src);

	/* The persons, as two import CSVs: those new to the register go
	 * through the bulk import, which adds a person in a fraction of
	 * the time the update takes; the others, and a person given twice,
	 * through the update. */
	char *pbuf = NULL, *nbuf = NULL, *ebuf = NULL;
	size_t plen = 0, nlen = 0, elen = 0;
	FILE *pcsv = open_memstream(&pbuf, &plen);
	FILE *ncsv = open_memstream(&nbuf, &nlen);
	FILE *prep = tmpfile(), *nrep = tmpfile(), *erep = tmpfile();
	int in_tx = 0;
	if (pcsv == NULL || ncsv == NULL || prep == NULL || nrep == NULL ||
	    erep == NULL) {
		err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
		goto out;
	}
	{
		const char *hdr[P_N + N_KEPT];
		char names[N_KEPT][40];
		for (int k = 0; k < P_N; k++)
			hdr[k] = pcol_names[k];
		for (size_t k = 0; k < N_KEPT; k++) {
			snprintf(names[k], sizeof names[k], "pfif_%s",
			         cartel_pfif_field_name(KEPT[k]));
			hdr[P_N + k] = names[k];
		}
		err = cartel_csv_write_row(pcsv, hdr, P_N + N_KEPT);
		if (err == 0)
			err = cartel_csv_write_row(ncsv, hdr, P_N + N_KEPT);
	}
	if (err == 0 && (err = cartel_db_begin(db, why)) == 0)
		in_tx = 1;
	for (size_t i = 0; err == 0 && i < n_rec; i++) {
		struct cartel_pfif_record *r = &pf.doc->rec[i];
		if (r->is_note || !person_check(&pf, r, &err))
			continue;
		char *id = register_id(r->value[CARTEL_PFIF_PERSON_RECORD_ID],
		                       pf.domain);
		if (id == NULL) {
			err = CARTEL_ENOMEM;
			break;
		}
		int is_new = 1;
		for (size_t j = 0; is_new && j < i; j++)
			is_new = pf.pid[j] == NULL ||
			         pf.doc->rec[j].is_note ||
			         strcmp(pf.pid[j], id) != 0;
		if (is_new) {
			struct cartel_person cur = {0};
			char *gwhy = NULL;
			int ge = cartel_person_get(db, id, &cur, &gwhy);
			free(gwhy);
			cartel_person_clear(&cur);
			is_new = ge == CARTEL_ENOTFOUND;
		}
		free(id);
		err = person_row(&pf, is_new ? ncsv : pcsv, r, source);
		if (is_new)
			pf.new_rec[pf.n_new++] = r->index;
		else
			pf.csv_rec[pf.n_csv++] = r->index;
	}
	if (fclose(pcsv) != 0 && err == 0)
		err = CARTEL_ENOMEM;
	if (fclose(ncsv) != 0 && err == 0)
		err = CARTEL_ENOMEM;
	pcsv = ncsv = NULL;
	if (err == CARTEL_ENOMEM)
		cartel__why(why, err, "out of memory");
	struct cartel_import_opts o = {0};
	o.actor = imp->actor != NULL && imp->actor[0] ? imp->actor : "import";
	o.source = src;
	o.source_set = 1;
	o.shared = 1;
	struct cartel_import_result pr = {0}, nr = {0}, er = {0};
	if (err == 0 && pf.n_new > 0) {
		err = run_import(&pf, 0, nbuf, nlen, &o, nrep, &nr, why);
		if (err == 0)
			err = map_rejects(&pf, nrep, pf.new_rec, pf.n_new,
			                  pcol_names, pcol_pfif, P_N, why);
	}
	o.update = 1;
	o.add_new = 1;
	if (err == 0 && pf.n_csv > 0) {
		err = run_import(&pf, 0, pbuf, plen, &o, prep, &pr, why);
		if (err == 0)
			err = map_rejects(&pf, prep, pf.csv_rec, pf.n_csv,
			                  pcol_names, pcol_pfif, P_N, why);
	}
	res->imported = nr.imported + pr.imported;
	cartel_import_result_clear(&nr);
	res->updated = pr.updated;
	res->unchanged = pr.unchanged;
	cartel_import_result_clear(&pr);

	/* The notes, as an event list, once the persons are in. */
	FILE *ecsv = err == 0 ? open_memstream(&ebuf, &elen) : NULL;
	if (err == 0 && ecsv == NULL)
		err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	if (err == 0)
		err = notes_csv(&pf, ecsv, source, why);
	if (ecsv != NULL && fclose(ecsv) != 0 && err == 0)
		err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	if (err == 0 && pf.n_ev > 0) {
		struct cartel_import_opts eo = o;
		eo.update = eo.add_new = 0;
		err = run_import(&pf, 1, ebuf, elen, &eo, erep, &er, why);
		if (err == 0)
			err = map_rejects(&pf, erep, pf.ev_rec, pf.n_ev,
			                  ecol_names, ecol_pfif, E_N, why);
		res->events = er.events;
	}
	cartel_import_result_clear(&er);

	size_t n_bad = 0;
	for (size_t i = 0; i < n_rec; i++)
		n_bad += pf.bad[i];
	res->rejected = n_bad;
	if (err == 0 && n_bad > 0 && imp->all_or_nothing) {
		if (pf.n_rej > 1)
			qsort(pf.rej, pf.n_rej, sizeof(*pf.rej), rej_cmp);
		err = cartel__why(why, CARTEL_EINVAL,
		                  "%zu of %zu records rejected, nothing "
		                  "imported (all or nothing); the first: "
		                  "record %zu, %s: %s",
		                  n_bad, n_rec, pf.rej[0].row, pf.rej[0].column,
		                  pf.rej[0].reason);
	}
	if (err == 0)
		err = cartel_db_commit(db, why);
	else if (in_tx)
		cartel_db_rollback(db);
	if (err != 0) /* rolled back: nothing of it is in */
		res->imported = res->updated = res->events = 0;

	/* The report: every rejected record, in document order. */
	if (pf.n_rej > 1)
		qsort(pf.rej, pf.n_rej, sizeof(*pf.rej), rej_cmp);
	if (imp->rejects != NULL && pf.n_rej > 0) {
		const char *h[3] = {"row", "column", "reason"};
		cartel_csv_write_row(imp->rejects, h, 3);
		for (size_t i = 0; i < pf.n_rej; i++) {
			char row[24];
			snprintf(row, sizeof row, "%zu", pf.rej[i].row);
			const char *f[3] = {row, pf.rej[i].column,
			                    pf.rej[i].reason};
			cartel_csv_write_row(imp->rejects, f, 3);
		}
	}
out:
	if (pcsv != NULL)
		fclose(pcsv);
	if (ncsv != NULL)
		fclose(ncsv);
	if (prep != NULL)
		fclose(prep);
	if (nrep != NULL)
		fclose(nrep);
	if (erep != NULL)
		fclose(erep);
	free(pbuf);
	free(nbuf);
	free(ebuf);
	pf_free(&pf);
	return err;
}
