/*
 * The PFIF export (docs/pfif.md): the persons the register may publish,
 * each with a note per change of status, as a PFIF 1.4 document.
 *
 * What leaves. By default no person in custody (confirmed captive,
 * proposed, agreed, transferred, escaped, or deceased while held by a
 * party) leaves at all:
 * GC III Art. 13 protects a prisoner of war from public curiosity, and a
 * person-finder feed is public. Of the persons who do leave, only their
 * names, sex and date of birth, and for a record read from another
 * repository the PFIF fields it came with; health, legal hold and the
 * notes' texts only when the caller names them. Never rank, unit, service
 * number, places of custody or capture.
 *
 * Times. A record's entry_date is when the register last recorded
 * anything about the person (cartel_db_events_each), which only grows: a
 * reader that keeps the newest entry_date it saw and asks for --since
 * that time gets every record changed after it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cartel/date.h>
#include <cartel/error.h>
#include <cartel/limits.h>
#include <cartel/pfif.h>
#include <cartel/register.h>
#include <cartel/round.h>
#include <cartel/store.h>

#include "core/why.h"
#include "io/pfif_int.h"

struct note {
	size_t person; /* index into the persons */
	long long seq;
	char recorded[24];
	char *value; /* the status it set */
	char *ref;   /* NULL unless it came from a PFIF note */
	char *text;
	char *at;
};

struct per {
	char first[24]; /* recorded time of the first event */
	char last[24];  /* and of the last */
};

struct walk {
	struct cartel_person *p;
	size_t n_p, cur;
	struct per *per;
	struct note *notes;
	size_t n_notes, cap_notes;
};

static void
copy_time(char dst[24], const char *t)
{
	snprintf(dst, 24, "%s",
	         cartel__pfif_time_valid(t) ? t : "1970-01-01T00:00:00Z");
}

static int
on_event(void *ctx, const struct cartel_event *ev, const char *recorded)
{
	struct walk *w = ctx;
	while (w->cur < w->n_p && strcmp(w->p[w->cur].id, ev->person_id) < 0)
		w->cur++;
	if (w->cur >= w->n_p || strcmp(w->p[w->cur].id, ev->person_id) != 0)
		return 0;
	struct per *pr = &w->per[w->cur];
	if (pr->first[0] == '\0')
		copy_time(pr->first, recorded);
	copy_time(pr->last, recorded);
	const char *field;
	cartel_event_corrects(ev, &field);
	if (field == NULL || strcmp(field, "status") != 0)
		return 0;
	if (w->n_notes == w->cap_notes) {
		size_t ncap = w->cap_notes ? w->cap_notes * 2 : 64;
		struct note *g = realloc(w->notes, ncap * sizeof(*g));
		if (g == NULL)
			return CARTEL_ENOMEM;
		w->notes = g;
		w->cap_notes = ncap;
	}
	struct note *n = &w->notes[w->n_notes++];
	memset(n, 0, sizeof(*n));
	n->person = w->cur;
	n->seq = ev->seq;
	copy_time(n->recorded, recorded);
	n->value = cartel__strdup(ev->new_value ? ev->new_value : "");
	if (ev->prov.source_ref != NULL &&
	    strncmp(ev->prov.source_ref, CARTEL__PFIF_REF,
	            strlen(CARTEL__PFIF_REF)) == 0)
		n->ref = cartel__strdup(ev->prov.source_ref);
	if (ev->prov.note != NULL && ev->prov.note[0])
		n->text = cartel__strdup(ev->prov.note);
	if (ev->prov.at != NULL)
		n->at = cartel__strdup(ev->prov.at);
	return n->value == NULL ? CARTEL_ENOMEM : 0;
}

/* Writes s escaped for XML text: & < > and " as entities, carriage
 * returns as a character reference, and the control characters XML 1.0
 * cannot hold left out. */
static void
put_escaped(FILE *fp, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '&':
			fputs("&amp;", fp);
			break;
		case '<':
			fputs("&lt;", fp);
			break;
		case '>':
			fputs("&gt;", fp);
			break;
		case '"':
			fputs("&quot;", fp);
			break;
		case '\r':
			fputs("&#13;", fp);
			break;
		default:
			if (c < 0x20 && c != '\t' && c != '\n')
				break;
			putc(c, fp);
		}
	}
}

static void
put_field(FILE *fp, const char *indent, const char *name, const char *value)
{
	if (value == NULL || value[0] == '\0')
		return;
	fprintf(fp, "%s<pfif:%s>", indent, name);
	put_escaped(fp, value);
	fprintf(fp, "</pfif:%s>\n", name);
}

/* May this person's record leave the register by default? Not while a
 * power holds him (in custody, on a list, transferred, escaped and not
 * yet safe), nor when he died in its hands: GC III Art. 13 and 120 give
 * his fate to the Bureau and his family, not to the public. */
static int
publishable(const struct cartel_person *p)
{
	switch (p->status) {
	case CARTEL_STATUS_REPORTED_MISSING:
	case CARTEL_STATUS_REPATRIATED:
	case CARTEL_STATUS_RELEASED:
		return 1;
	case CARTEL_STATUS_DECEASED:
		return p->held_by == NULL || p->held_by[0] == '\0';
	default:
		return 0;
	}
}

/* The person's attribute pfif_FIELD (a record read from another
 * repository keeps its PFIF fields so). */
static const char *
kept(const struct cartel_person *p, enum cartel_pfif_field f)
{
	char key[48];
	snprintf(key, sizeof key, "pfif_%s", cartel_pfif_field_name(f));
	return cartel_person_attr(p, key);
}

/* Appends " part" (or "part" at the start) to a growing string. */
static char *
join(char *s, const char *sep, const char *part)
{
	if (part == NULL || part[0] == '\0')
		return s;
	char *t = s == NULL ? cartel__strdup(part)
	                    : cartel__asprintf("%s%s%s", s, sep, part);
	free(s);
	return t;
}

static int
write_note(FILE *fp, const struct note *n, const char *record_id,
           const char *domain, unsigned with)
{
	char *note_id = NULL;
	const char *status = NULL;
	if (n->ref != NULL) {
		/* "pfif:STATUS:NOTE_RECORD_ID" */
		const char *st = n->ref + strlen(CARTEL__PFIF_REF);
		const char *colon = strchr(st, ':');
		if (colon != NULL && cartel_pfif_record_id_valid(colon + 1)) {
			note_id = cartel__strdup(colon + 1);
			char buf[32];
			size_t len = (size_t)(colon - st);
			if (len < sizeof buf) {
				memcpy(buf, st, len);
				buf[len] = '\0';
				enum cartel_pfif_status s;
				if (cartel__pfif_status_parse(buf, &s) == 0)
					status = cartel__pfif_status_name(s);
			}
		}
	}
	if (note_id == NULL) {
		note_id = cartel__asprintf("%s/note.%lld", domain, n->seq);
		int v = 0;
		cartel_enum_parse(CARTEL_ENUM_STATUS, n->value, &v, NULL);
		status = cartel__pfif_status_name(
		    cartel__pfif_status_of((enum cartel_status)v));
	}
	if (note_id == NULL)
		return CARTEL_ENOMEM;
	char *text = NULL;
	if ((with & CARTEL_PFIF_WITH_NOTES) && n->text != NULL)
		text = cartel__strdup(n->text);
	else
		text =
		    cartel__asprintf("Status in the register: %s.", n->value);
	if (text == NULL) {
		free(note_id);
		return CARTEL_ENOMEM;
	}
	const char *ind = "    ";
	fputs("  <pfif:note>\n", fp);
	put_field(fp, ind, "note_record_id", note_id);
	put_field(fp, ind, "person_record_id", record_id);
	put_field(fp, ind, "entry_date", n->recorded);
	put_field(fp, ind, "author_name", domain);
	put_field(fp, ind, "source_date",
	          cartel__pfif_time_valid(n->at) ? n->at : n->recorded);
	put_field(fp, ind, "status", status);
	put_field(fp, ind, "text", text);
	fputs("  </pfif:note>\n", fp);
	free(note_id);
	free(text);
	return 0;
}

static int
write_person(FILE *fp, const struct cartel_person *p, const struct per *pr,
             const struct note *notes, size_t n_notes, size_t idx,
             const struct cartel_pfif_opts *o, const char *domain,
             size_t *n_written)
{
	int foreign = strchr(p->id, '/') != NULL;
	char *record_id = foreign ? cartel__strdup(p->id)
	                          : cartel__asprintf("%s/%s", domain, p->id);
	char *full = NULL;
	const char *kfull = foreign ? kept(p, CARTEL_PFIF_FULL_NAME) : NULL;
	if (kfull != NULL && kfull[0]) {
		full = cartel__strdup(kfull);
	} else {
		full = join(full, " ", p->given_name);
		full = join(full, " ", p->patronymic);
		full = join(full, " ", p->family_name);
	}
	char *desc = NULL;
	if (foreign)
		desc = join(desc, "\n", kept(p, CARTEL_PFIF_DESCRIPTION));
	char line[96];
	if (o->with & CARTEL_PFIF_WITH_HEALTH && p->health) {
		snprintf(line, sizeof line, "health: %s",
		         cartel_enum_name(CARTEL_ENUM_HEALTH, p->health));
		desc = join(desc, "\n", line);
	}
	if (o->with & CARTEL_PFIF_WITH_LEGAL_HOLD && p->legal_hold) {
		snprintf(
		    line, sizeof line, "legal hold: %s",
		    cartel_enum_name(CARTEL_ENUM_LEGAL_HOLD, p->legal_hold));
		desc = join(desc, "\n", line);
	}
	if (o->with & CARTEL_PFIF_WITH_NOTES && p->notes && p->notes[0]) {
		char *t = cartel__asprintf("notes: %s", p->notes);
		desc = join(desc, "\n", t);
		free(t);
	}
	if (record_id == NULL) {
		free(full);
		free(desc);
		return CARTEL_ENOMEM;
	}
	const char *ind = "    ";
	fputs("  <pfif:person>\n", fp);
	put_field(fp, ind, "person_record_id", record_id);
	put_field(fp, ind, "entry_date", pr->last);
	if (foreign) {
		put_field(fp, ind, "expiry_date",
		          kept(p, CARTEL_PFIF_EXPIRY_DATE));
		const char *an = kept(p, CARTEL_PFIF_AUTHOR_NAME);
		put_field(fp, ind, "author_name", an && an[0] ? an : domain);
		put_field(fp, ind, "author_email",
		          kept(p, CARTEL_PFIF_AUTHOR_EMAIL));
		put_field(fp, ind, "author_phone",
		          kept(p, CARTEL_PFIF_AUTHOR_PHONE));
		const char *sn = kept(p, CARTEL_PFIF_SOURCE_NAME);
		put_field(fp, ind, "source_name", sn && sn[0] ? sn : domain);
		const char *sd = kept(p, CARTEL_PFIF_SOURCE_DATE);
		put_field(fp, ind, "source_date",
		          cartel__pfif_time_valid(sd) ? sd : pr->first);
		put_field(fp, ind, "source_url",
		          kept(p, CARTEL_PFIF_SOURCE_URL));
	} else {
		put_field(fp, ind, "author_name", domain);
		put_field(fp, ind, "source_name", domain);
		put_field(fp, ind, "source_date", pr->first);
	}
	put_field(fp, ind, "full_name", full);
	put_field(fp, ind, "given_name", p->given_name);
	put_field(fp, ind, "family_name", p->family_name);
	if (foreign)
		put_field(fp, ind, "alternate_names",
		          kept(p, CARTEL_PFIF_ALTERNATE_NAMES));
	put_field(fp, ind, "description", desc);
	if (p->sex == CARTEL_SEX_MALE || p->sex == CARTEL_SEX_FEMALE)
		put_field(fp, ind, "sex",
		          p->sex == CARTEL_SEX_MALE ? "male" : "female");
	char dob[16];
	put_field(fp, ind, "date_of_birth",
	          cartel_date_format(&p->birth_date, dob, sizeof dob));
	if (foreign) {
		static const enum cartel_pfif_field rest[] = {
		    CARTEL_PFIF_AGE,
		    CARTEL_PFIF_HOME_STREET,
		    CARTEL_PFIF_HOME_NEIGHBORHOOD,
		    CARTEL_PFIF_HOME_CITY,
		    CARTEL_PFIF_HOME_STATE,
		    CARTEL_PFIF_HOME_POSTAL_CODE,
		    CARTEL_PFIF_HOME_COUNTRY,
		    CARTEL_PFIF_PHOTO_URL,
		    CARTEL_PFIF_PROFILE_URLS};
		for (size_t k = 0; k < sizeof(rest) / sizeof(rest[0]); k++)
			put_field(fp, ind, cartel_pfif_field_name(rest[k]),
			          kept(p, rest[k]));
	}
	fputs("  </pfif:person>\n", fp);
	int err = 0;
	for (size_t k = 0; err == 0 && k < n_notes; k++) {
		if (notes[k].person != idx)
			continue;
		if (o->since != NULL &&
		    strcmp(notes[k].recorded, o->since) <= 0)
			continue;
		if (o->min_entry_date != NULL &&
		    strcmp(notes[k].recorded, o->min_entry_date) < 0)
			continue;
		err = write_note(fp, &notes[k], record_id, domain, o->with);
		if (err == 0)
			(*n_written)++;
	}
	free(record_id);
	free(full);
	free(desc);
	return err;
}

int
cartel_pfif_with_parse(const char *v, unsigned *with, char **why)
{
	static const struct {
		const char *name;
		unsigned bit;
	} names[] = {{"health", CARTEL_PFIF_WITH_HEALTH},
	             {"legal_hold", CARTEL_PFIF_WITH_LEGAL_HOLD},
	             {"notes", CARTEL_PFIF_WITH_NOTES}};
	while (v != NULL && *v) {
		size_t n = strcspn(v, ",");
		size_t k = 0;
		while (k < 3 && (strlen(names[k].name) != n ||
		                 strncmp(v, names[k].name, n) != 0))
			k++;
		if (k == 3)
			return cartel__why(why, CARTEL_EINVAL,
			                   "with: a comma-separated list of "
			                   "health, legal_hold, notes");
		*with |= names[k].bit;
		v += n;
		if (*v == ',')
			v++;
	}
	return 0;
}

/* A person of a page, ordered by entry_date then id. */
struct pick_key {
	const char *last, *id;
	size_t i;
};

static int
by_entry_date(const void *a, const void *b)
{
	const struct pick_key *x = a, *y = b;
	int c = strcmp(x->last, y->last);
	return c ? c : strcmp(x->id, y->id);
}

static int
same_party(const char *a, const char *b)
{
	return a != NULL && strcmp(a, b) == 0;
}

int
cartel_export_pfif(struct cartel_db *db, FILE *out,
                   const struct cartel_pfif_opts *opts,
                   struct cartel_pfif_counts *counts, char **why)
{
	static const struct cartel_pfif_opts none = {0};
	const struct cartel_pfif_opts *o = opts != NULL ? opts : &none;
	struct cartel_pfif_counts c = {0};
	const char *domain;
	int err = cartel__pfif_domain(o->domain, &domain, why);
	if (err != 0)
		return err;
	if (o->since != NULL && !cartel__pfif_time_valid(o->since))
		return cartel__why(why, CARTEL_EINVAL,
		                   "--since is a time of the form "
		                   "YYYY-MM-DDTHH:MM:SSZ, as in entry_date");
	if (o->min_entry_date != NULL &&
	    !cartel__pfif_time_valid(o->min_entry_date))
		return cartel__why(why, CARTEL_EINVAL,
		                   "min_entry_date is a time of the form "
		                   "YYYY-MM-DDTHH:MM:SSZ, as in entry_date");
	if (o->party != NULL && !cartel_party_valid(o->party))
		return cartel__why(why, CARTEL_EINVAL,
		                   "a party is a code of %d to %d capital "
		                   "letters A-Z or digits, such as UA",
		                   CARTEL_LIMIT_PARTY_MIN,
		                   CARTEL_LIMIT_PARTY_MAX);
	struct walk w = {0};
	err = cartel_db_persons(db, &w.p, &w.n_p, why);
	if (err != 0)
		return err;
	w.per = calloc(w.n_p + 1, sizeof(*w.per));
	if (w.per == NULL)
		err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	if (err == 0) {
		err = cartel_db_events_each(db, on_event, &w, why);
		if (err == CARTEL_ENOMEM)
			cartel__why(why, err, "out of memory");
	}
	/* The persons that leave, in the order of ids, each with where
	 * his notes begin and end (events came ordered by person id, as
	 * the persons are). */
	size_t *pick = NULL, *note0 = NULL, *note1 = NULL, n_pick = 0;
	if (err == 0) {
		pick = calloc(w.n_p + 1, sizeof(*pick));
		note0 = calloc(w.n_p + 1, sizeof(*note0));
		note1 = calloc(w.n_p + 1, sizeof(*note1));
		if (pick == NULL || note0 == NULL || note1 == NULL)
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	}
	size_t k0 = 0;
	for (size_t i = 0; err == 0 && i < w.n_p; i++) {
		const struct cartel_person *p = &w.p[i];
		size_t k1 = k0;
		while (k1 < w.n_notes && w.notes[k1].person == i)
			k1++;
		note0[i] = k0;
		note1[i] = k1;
		k0 = k1;
		if (o->party != NULL && !same_party(p->held_by, o->party) &&
		    !same_party(p->depends_on, o->party))
			continue;
		int named = (p->given_name && p->given_name[0]) ||
		            (p->family_name && p->family_name[0]) ||
		            (p->patronymic && p->patronymic[0]);
		if (!o->include_captives && !publishable(p))
			c.withheld++;
		else if (!named || w.per[i].last[0] == '\0')
			c.unnamed++;
		else if ((o->since == NULL ||
		          strcmp(w.per[i].last, o->since) > 0) &&
		         (o->min_entry_date == NULL ||
		          strcmp(w.per[i].last, o->min_entry_date) >= 0))
			pick[n_pick++] = i;
	}
	size_t first = 0, end = n_pick;
	if (err == 0 && o->max_results > 0) {
		struct pick_key *keys = calloc(n_pick + 1, sizeof(*keys));
		if (keys == NULL) {
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
			n_pick = 0;
		}
		for (size_t k = 0; k < n_pick; k++)
			keys[k] = (struct pick_key){w.per[pick[k]].last,
			                            w.p[pick[k]].id, pick[k]};
		if (n_pick > 1)
			qsort(keys, n_pick, sizeof(*keys), by_entry_date);
		for (size_t k = 0; k < n_pick; k++)
			pick[k] = keys[k].i;
		free(keys);
		first = o->skip < n_pick ? o->skip : n_pick;
		end = n_pick - first > o->max_results ? first + o->max_results
		                                      : n_pick;
		c.more = end < n_pick;
		if (end > first) {
			/* The persons of the last entry_date written, from
			 * the first of that date in the feed. */
			const char *last = w.per[pick[end - 1]].last;
			size_t k = end;
			while (k > 0 &&
			       strcmp(w.per[pick[k - 1]].last, last) == 0)
				k--;
			snprintf(c.next_min_entry_date,
			         sizeof c.next_min_entry_date, "%s", last);
			c.next_skip = end - k;
		} else if (o->min_entry_date != NULL) {
			snprintf(c.next_min_entry_date,
			         sizeof c.next_min_entry_date, "%s",
			         o->min_entry_date);
			c.next_skip = o->skip;
		}
	}
	if (err == 0) {
		fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		      "<pfif:pfif xmlns:pfif=\"" CARTEL_PFIF_NS "\">\n",
		      out);
		for (size_t k = first; err == 0 && k < end; k++) {
			size_t i = pick[k];
			err = write_person(out, &w.p[i], &w.per[i],
			                   w.notes + note0[i],
			                   note1[i] - note0[i], i, o, domain,
			                   &c.notes);
			c.persons++;
		}
		fputs("</pfif:pfif>\n", out);
		if (err == 0 && (ferror(out) || fflush(out) != 0))
			err = cartel__why(why, CARTEL_EIO,
			                  "writing the export failed");
		else if (err == CARTEL_ENOMEM)
			cartel__why(why, err, "out of memory");
	}
	for (size_t k = 0; k < w.n_notes; k++) {
		free(w.notes[k].value);
		free(w.notes[k].ref);
		free(w.notes[k].text);
		free(w.notes[k].at);
	}
	free(w.notes);
	free(w.per);
	free(pick);
	free(note0);
	free(note1);
	cartel_persons_free(w.p, w.n_p);
	if (counts != NULL)
		*counts = c;
	return err;
}
