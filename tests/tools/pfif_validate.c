/*
 * pfif_validate FILE: checks a document against the rules of PFIF 1.4
 * that an exporter must keep, for the tests of `cartel export pfif`
 * (docs/pfif.md). Written apart from cartel's own reader and writer, on
 * the specification alone, so that the export is checked by something
 * that does not share its mistakes. Nothing is fetched: a DTD is refused.
 *
 * Rules: the root is <pfif> in http://zesty.ca/pfif/1.4 and every element
 * is in that namespace; the root holds persons and notes; a person's and
 * a note's fields are the 1.4 ones, each at most once, in the order of the
 * 1.4 schema; required fields are present and not empty (person:
 * person_record_id, entry_date, author_name, source_name, source_date,
 * full_name; note: note_record_id, person_record_id outside a person,
 * entry_date, author_name, source_date, text); record ids are
 * domain/local-id and unique; times are YYYY-MM-DDTHH:MM:SSZ; a date of
 * birth is YYYY, YYYY-MM or YYYY-MM-DD; sex, status and
 * author_made_contact take their listed values.
 *
 * Prints one line per broken rule and exits 1 when any; 0 and "ok N
 * persons M notes" otherwise; 2 for a file it cannot read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#define NS "http://zesty.ca/pfif/1.4"

static const char *const PERSON[] = {"person_record_id",
                                     "entry_date",
                                     "expiry_date",
                                     "author_name",
                                     "author_email",
                                     "author_phone",
                                     "source_name",
                                     "source_date",
                                     "source_url",
                                     "full_name",
                                     "given_name",
                                     "family_name",
                                     "alternate_names",
                                     "description",
                                     "sex",
                                     "date_of_birth",
                                     "age",
                                     "home_street",
                                     "home_neighborhood",
                                     "home_city",
                                     "home_state",
                                     "home_postal_code",
                                     "home_country",
                                     "photo_url",
                                     "profile_urls",
                                     NULL};
static const char *const NOTE[] = {"note_record_id",
                                   "person_record_id",
                                   "linked_person_record_id",
                                   "entry_date",
                                   "author_name",
                                   "author_email",
                                   "author_phone",
                                   "source_date",
                                   "author_made_contact",
                                   "status",
                                   "email_of_found_person",
                                   "phone_of_found_person",
                                   "last_known_location",
                                   "text",
                                   "photo_url",
                                   NULL};
static const char *const PERSON_REQ[] = {
    "person_record_id", "entry_date", "author_name", "source_name",
    "source_date",      "full_name",  NULL};
static const char *const NOTE_REQ[] = {
    "note_record_id", "entry_date", "author_name", "source_date", "text", NULL};

#define MAXF 32
#define MAXV 4096

struct rec {
	int is_note, nested;
	long index;
	int last_pos;
	char seen[MAXF];
};

struct st {
	XML_Parser xp;
	int depth, errors;
	long n_rec, persons, notes;
	struct rec person, note, *cur;
	const char *const *fields;
	int field; /* position in fields, or -1 */
	char val[MAXV + 1];
	size_t len;
	char **ids;
	size_t n_ids;
};

static void
bad(struct st *s, const char *fmt, const char *a, const char *b)
{
	fprintf(stderr,
	        "line %lu: ", (unsigned long)XML_GetCurrentLineNumber(s->xp));
	fprintf(stderr, fmt, a, b);
	fputc('\n', stderr);
	s->errors++;
}

static int
pos_of(const char *const *list, const char *name)
{
	for (int i = 0; list[i]; i++)
		if (strcmp(list[i], name) == 0)
			return i;
	return -1;
}

static int
is_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int
mdays(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

/* The number written by the n digits at v (checked digits). */
static int
num(const char *v, int n)
{
	int x = 0;
	for (int i = 0; i < n; i++)
		x = x * 10 + (v[i] - '0');
	return x;
}

static int
ymd_ok(const char *v, size_t n)
{
	if (n != 4 && n != 7 && n != 10)
		return 0;
	if (!is_digits(v, 4))
		return 0;
	if (n == 4)
		return 1;
	if (v[4] != '-' || !is_digits(v + 5, 2))
		return 0;
	int y = num(v, 4), m = num(v + 5, 2);
	if (m < 1 || m > 12)
		return 0;
	if (n == 7)
		return 1;
	if (v[7] != '-' || !is_digits(v + 8, 2))
		return 0;
	int d = num(v + 8, 2);
	return d >= 1 && d <= mdays(y, m);
}

static int
time_ok(const char *v)
{
	size_t n = strlen(v);
	return n == 20 && ymd_ok(v, 10) && v[10] == 'T' && v[13] == ':' &&
	       v[16] == ':' && v[19] == 'Z' && is_digits(v + 11, 2) &&
	       is_digits(v + 14, 2) && is_digits(v + 17, 2) &&
	       num(v + 11, 2) < 24 && num(v + 14, 2) < 60 &&
	       num(v + 17, 2) < 61;
}

static int
id_ok(const char *v)
{
	const char *slash = strchr(v, '/');
	if (slash == NULL || slash == v || slash[1] == '\0')
		return 0;
	for (; *v; v++)
		if ((unsigned char)*v <= ' ')
			return 0;
	return 1;
}

static int
one_of(const char *v, const char *const *list)
{
	return pos_of(list, v) >= 0;
}

static void
check_value(struct st *s, const char *name, const char *v)
{
	static const char *const sexes[] = {"female", "male", "other", NULL};
	static const char *const statuses[] = {
	    "information_sought", "is_note_author", "believed_alive",
	    "believed_missing",   "believed_dead",  NULL};
	static const char *const bools[] = {"true", "false", NULL};
	if (strstr(name, "record_id") != NULL) {
		if (v[0] && !id_ok(v))
			bad(s, "%s: not domain/local-id", name, "");
		if (v[0] && strcmp(name, "linked_person_record_id") != 0 &&
		    !(s->cur->is_note &&
		      strcmp(name, "person_record_id") == 0)) {
			for (size_t i = 0; i < s->n_ids; i++)
				if (strcmp(s->ids[i], v) == 0)
					bad(s, "%s: the id is used twice", name,
					    "");
			char **g = realloc(s->ids, (s->n_ids + 1) * sizeof(*g));
			if (g != NULL) {
				s->ids = g;
				s->ids[s->n_ids++] = strdup(v);
			}
		}
	} else if (strcmp(name, "entry_date") == 0 ||
	           strcmp(name, "source_date") == 0 ||
	           strcmp(name, "expiry_date") == 0) {
		if (!time_ok(v))
			bad(s, "%s: not YYYY-MM-DDTHH:MM:SSZ", name, "");
	} else if (strcmp(name, "date_of_birth") == 0) {
		if (!ymd_ok(v, strlen(v)))
			bad(s, "%s: not YYYY, YYYY-MM or YYYY-MM-DD", name, "");
	} else if (strcmp(name, "sex") == 0) {
		if (!one_of(v, sexes))
			bad(s, "sex: not female, male or other%s%s", "", "");
	} else if (strcmp(name, "status") == 0) {
		if (v[0] && !one_of(v, statuses))
			bad(s, "status: not a PFIF 1.4 status%s%s", "", "");
	} else if (strcmp(name, "author_made_contact") == 0) {
		if (!one_of(v, bools))
			bad(s, "author_made_contact: not true or false%s%s", "",
			    "");
	}
}

static void
open_rec(struct st *s, struct rec *r, int is_note, int nested)
{
	memset(r, 0, sizeof(*r));
	r->is_note = is_note;
	r->nested = nested;
	r->index = ++s->n_rec;
	r->last_pos = -1;
	s->cur = r;
	s->fields = is_note ? NOTE : PERSON;
	if (is_note)
		s->notes++;
	else
		s->persons++;
}

static void
close_rec(struct st *s, struct rec *r)
{
	const char *const *req = r->is_note ? NOTE_REQ : PERSON_REQ;
	const char *const *all = r->is_note ? NOTE : PERSON;
	char what[64];
	snprintf(what, sizeof what, "%s %ld", r->is_note ? "note" : "person",
	         r->index);
	for (int i = 0; req[i]; i++)
		if (!r->seen[pos_of(all, req[i])])
			bad(s, "%s: required %s missing", what, req[i]);
	if (r->is_note && !r->nested &&
	    !r->seen[pos_of(NOTE, "person_record_id")])
		bad(s, "%s: required %s missing", what, "person_record_id");
}

static void XMLCALL
on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	(void)attrs;
	struct st *s = ud;
	s->depth++;
	const char *sep = strchr(name, ' ');
	if (sep == NULL || (size_t)(sep - name) != strlen(NS) ||
	    strncmp(name, NS, strlen(NS)) != 0) {
		bad(s, "element %s is not in the namespace " NS "%s", name, "");
		return;
	}
	const char *local = sep + 1;
	if (s->depth == 1) {
		if (strcmp(local, "pfif") != 0)
			bad(s, "the root is %s, not pfif%s", local, "");
		return;
	}
	if (s->depth == 2) {
		if (strcmp(local, "person") == 0)
			open_rec(s, &s->person, 0, 0);
		else if (strcmp(local, "note") == 0)
			open_rec(s, &s->note, 1, 0);
		else
			bad(s, "%s is not a person or a note%s", local, "");
		return;
	}
	if (s->depth == 3 && s->cur == &s->person &&
	    strcmp(local, "note") == 0) {
		s->person.last_pos = 1000; /* notes come after the fields */
		open_rec(s, &s->note, 1, 1);
		return;
	}
	int depth_field = s->cur != NULL && s->cur->nested ? 4 : 3;
	if (s->cur == NULL || s->depth != depth_field) {
		bad(s, "%s is not where PFIF puts it%s", local, "");
		return;
	}
	int p = pos_of(s->fields, local);
	if (p < 0) {
		bad(s, "%s is not a field of a PFIF 1.4 %s", local,
		    s->cur->is_note ? "note" : "person");
		return;
	}
	if (s->cur->seen[p])
		bad(s, "%s given twice%s", local, "");
	if (p < s->cur->last_pos)
		bad(s, "%s out of the order of the 1.4 schema%s", local, "");
	s->cur->seen[p] = 1;
	s->cur->last_pos = p;
	s->field = p;
	s->len = 0;
}

static void XMLCALL
on_end(void *ud, const XML_Char *name)
{
	(void)name;
	struct st *s = ud;
	if (s->field >= 0) {
		s->val[s->len] = '\0';
		const char *fname = s->fields[s->field];
		if (s->val[0] == '\0')
			bad(s, "%s is empty%s", fname, "");
		else
			check_value(s, fname, s->val);
		s->field = -1;
	} else if (s->cur == &s->note && s->depth == (s->note.nested ? 3 : 2)) {
		close_rec(s, &s->note);
		if (s->note.nested) {
			s->cur = &s->person;
			s->fields = PERSON;
		} else {
			s->cur = NULL;
		}
	} else if (s->cur == &s->person && s->depth == 2) {
		close_rec(s, &s->person);
		s->cur = NULL;
	}
	s->depth--;
}

static void XMLCALL
on_text(void *ud, const XML_Char *t, int len)
{
	struct st *s = ud;
	if (s->field < 0)
		return;
	for (int i = 0; i < len && s->len < MAXV; i++)
		s->val[s->len++] = t[i];
}

static void XMLCALL
on_doctype(void *ud, const XML_Char *name, const XML_Char *sys,
           const XML_Char *pub, int internal)
{
	(void)name, (void)sys, (void)pub, (void)internal;
	struct st *s = ud;
	bad(s, "a DTD: an export has none%s%s", "", "");
	XML_StopParser(s->xp, XML_FALSE);
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: pfif_validate FILE\n");
		return 2;
	}
	FILE *fp = fopen(argv[1], "rb");
	if (fp == NULL) {
		perror(argv[1]);
		return 2;
	}
	struct st s = {0};
	s.field = -1;
	s.xp = XML_ParserCreateNS("UTF-8", ' ');
	XML_SetUserData(s.xp, &s);
	XML_SetElementHandler(s.xp, on_start, on_end);
	XML_SetCharacterDataHandler(s.xp, on_text);
	XML_SetStartDoctypeDeclHandler(s.xp, on_doctype);
	XML_SetParamEntityParsing(s.xp, XML_PARAM_ENTITY_PARSING_NEVER);
	char buf[65536];
	size_t n;
	int ok = 1;
	do {
		n = fread(buf, 1, sizeof buf, fp);
		if (XML_Parse(s.xp, buf, (int)n, n == 0) != XML_STATUS_OK) {
			if (s.errors == 0)
				fprintf(
				    stderr, "line %lu: %s\n",
				    (unsigned long)XML_GetCurrentLineNumber(
				        s.xp),
				    XML_ErrorString(XML_GetErrorCode(s.xp)));
			ok = 0;
			break;
		}
	} while (n > 0);
	fclose(fp);
	XML_ParserFree(s.xp);
	for (size_t i = 0; i < s.n_ids; i++)
		free(s.ids[i]);
	free(s.ids);
	if (!ok || s.errors > 0)
		return 1;
	printf("ok %ld persons %ld notes\n", s.persons, s.notes);
	return 0;
}
