/*
 * Reading a PFIF document (docs/pfif.md) with libexpat into records: the
 * part of the PFIF import that knows XML. What a record means for the
 * register is io/pfif.c's business.
 *
 * Safety first: the parser is told never to read parameter entities or
 * external ones, and any entity declaration (the first step of a billion
 * laughs or of an external entity) stops the parse before it is used. The
 * whole document is bounded (CARTEL_LIMIT_PFIF_DOC), and so are its depth
 * and each value (CARTEL_LIMIT_FIELD).
 *
 * Tolerance: PFIF 1.1 to 1.4 namespaces and elements without one are
 * read alike; first_name, last_name and home_zip stand for their 1.4
 * names; elements cartel does not know are skipped with all they hold;
 * values are trimmed.
 */
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include <cartel/error.h>
#include <cartel/limits.h>
#include <cartel/pfif.h>

#include "core/why.h"

/* Separates the namespace from the local name in expat's element names. */
#define NS_SEP ' '
#define PFIF_NS_PREFIX "http://zesty.ca/pfif/"

#define IN_PERSON 0x1u
#define IN_NOTE 0x2u

static const struct {
	const char *name;
	enum cartel_pfif_field field;
	unsigned in; /* IN_PERSON, IN_NOTE */
} NAMES[] = {
    {"person_record_id", CARTEL_PFIF_PERSON_RECORD_ID, IN_PERSON | IN_NOTE},
    {"entry_date", CARTEL_PFIF_ENTRY_DATE, IN_PERSON | IN_NOTE},
    {"expiry_date", CARTEL_PFIF_EXPIRY_DATE, IN_PERSON},
    {"author_name", CARTEL_PFIF_AUTHOR_NAME, IN_PERSON | IN_NOTE},
    {"author_email", CARTEL_PFIF_AUTHOR_EMAIL, IN_PERSON | IN_NOTE},
    {"author_phone", CARTEL_PFIF_AUTHOR_PHONE, IN_PERSON | IN_NOTE},
    {"source_name", CARTEL_PFIF_SOURCE_NAME, IN_PERSON},
    {"source_date", CARTEL_PFIF_SOURCE_DATE, IN_PERSON | IN_NOTE},
    {"source_url", CARTEL_PFIF_SOURCE_URL, IN_PERSON},
    {"full_name", CARTEL_PFIF_FULL_NAME, IN_PERSON},
    {"given_name", CARTEL_PFIF_GIVEN_NAME, IN_PERSON},
    {"family_name", CARTEL_PFIF_FAMILY_NAME, IN_PERSON},
    {"alternate_names", CARTEL_PFIF_ALTERNATE_NAMES, IN_PERSON},
    {"description", CARTEL_PFIF_DESCRIPTION, IN_PERSON},
    {"sex", CARTEL_PFIF_SEX, IN_PERSON},
    {"date_of_birth", CARTEL_PFIF_DATE_OF_BIRTH, IN_PERSON},
    {"age", CARTEL_PFIF_AGE, IN_PERSON},
    {"home_street", CARTEL_PFIF_HOME_STREET, IN_PERSON},
    {"home_neighborhood", CARTEL_PFIF_HOME_NEIGHBORHOOD, IN_PERSON},
    {"home_city", CARTEL_PFIF_HOME_CITY, IN_PERSON},
    {"home_state", CARTEL_PFIF_HOME_STATE, IN_PERSON},
    {"home_postal_code", CARTEL_PFIF_HOME_POSTAL_CODE, IN_PERSON},
    {"home_country", CARTEL_PFIF_HOME_COUNTRY, IN_PERSON},
    {"photo_url", CARTEL_PFIF_PHOTO_URL, IN_PERSON | IN_NOTE},
    {"profile_urls", CARTEL_PFIF_PROFILE_URLS, IN_PERSON},
    {"note_record_id", CARTEL_PFIF_NOTE_RECORD_ID, IN_NOTE},
    {"linked_person_record_id", CARTEL_PFIF_LINKED_PERSON_RECORD_ID, IN_NOTE},
    {"author_made_contact", CARTEL_PFIF_AUTHOR_MADE_CONTACT, IN_NOTE},
    {"status", CARTEL_PFIF_STATUS, IN_NOTE},
    {"email_of_found_person", CARTEL_PFIF_EMAIL_OF_FOUND_PERSON, IN_NOTE},
    {"phone_of_found_person", CARTEL_PFIF_PHONE_OF_FOUND_PERSON, IN_NOTE},
    {"last_known_location", CARTEL_PFIF_LAST_KNOWN_LOCATION, IN_NOTE},
    {"text", CARTEL_PFIF_TEXT, IN_NOTE},
    /* Names of PFIF 1.1 to 1.3 that 1.4 renamed. */
    {"first_name", CARTEL_PFIF_GIVEN_NAME, IN_PERSON},
    {"last_name", CARTEL_PFIF_FAMILY_NAME, IN_PERSON},
    {"home_zip", CARTEL_PFIF_HOME_POSTAL_CODE, IN_PERSON},
};

const char *
cartel_pfif_field_name(enum cartel_pfif_field f)
{
	for (size_t i = 0; i < sizeof(NAMES) / sizeof(NAMES[0]); i++)
		if (NAMES[i].field == f)
			return NAMES[i].name;
	return "";
}

int
cartel_pfif_record_id_valid(const char *s)
{
	if (s == NULL)
		return 0;
	const char *slash = strchr(s, '/');
	if (slash == NULL || slash == s || slash[1] == '\0')
		return 0;
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if (*c <= ' ' || *c == 0x7f)
			return 0;
	return 1;
}

struct reader {
	XML_Parser xp;
	struct cartel_pfif_doc *doc;
	size_t cap;
	unsigned depth;
	unsigned skip; /* >0: inside an element being skipped */
	size_t person; /* the open person's record + 1, or 0 */
	size_t note;   /* the open note's record + 1, or 0 */
	int field;     /* the field being read, or -1 */
	char *text;    /* its characters so far */
	size_t text_len;
	int too_long; /* the value passed CARTEL_LIMIT_FIELD */
	int stop_err; /* why the reader stopped the parser */
	char *stop_why;
};

static void
stop(struct reader *r, int err, char *why)
{
	if (r->stop_err == 0) {
		r->stop_err = err;
		r->stop_why = why;
	} else {
		free(why);
	}
	XML_StopParser(r->xp, XML_FALSE);
}

/* The local name of a PFIF element, or NULL for an element of another
 * namespace. */
static const char *
local_name(const char *name, char **ns_out)
{
	const char *sep = strchr(name, NS_SEP);
	if (sep == NULL) {
		if (ns_out != NULL)
			*ns_out = cartel__strdup("");
		return name;
	}
	size_t ns_len = (size_t)(sep - name);
	if (ns_out != NULL) {
		*ns_out = malloc(ns_len + 1);
		if (*ns_out != NULL) {
			memcpy(*ns_out, name, ns_len);
			(*ns_out)[ns_len] = '\0';
		}
	}
	if (ns_len < strlen(PFIF_NS_PREFIX) ||
	    strncmp(name, PFIF_NS_PREFIX, strlen(PFIF_NS_PREFIX)) != 0)
		return NULL;
	return sep + 1;
}

static struct cartel_pfif_record *
new_record(struct reader *r, int is_note)
{
	struct cartel_pfif_doc *d = r->doc;
	if (d->n_rec == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 16;
		struct cartel_pfif_record *g =
		    realloc(d->rec, ncap * sizeof(*g));
		if (g == NULL)
			return NULL;
		d->rec = g;
		r->cap = ncap;
	}
	struct cartel_pfif_record *rec = &d->rec[d->n_rec++];
	memset(rec, 0, sizeof(*rec));
	rec->is_note = is_note;
	rec->index = d->n_rec;
	return rec;
}

static void XMLCALL
on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	(void)attrs;
	struct reader *r = ud;
	r->depth++;
	if (r->depth > CARTEL_LIMIT_PFIF_DEPTH) {
		stop(r, CARTEL_ERANGE,
		     cartel__asprintf(
		         "line %lu: elements nested deeper than "
		         "%d",
		         (unsigned long)XML_GetCurrentLineNumber(r->xp),
		         CARTEL_LIMIT_PFIF_DEPTH));
		return;
	}
	if (r->skip > 0 || r->field >= 0) {
		/* Inside a skipped element, or markup inside a value: all
		 * of it is skipped. */
		r->skip++;
		return;
	}
	if (r->depth == 1) {
		const char *local = local_name(name, &r->doc->ns);
		if (r->doc->ns == NULL) {
			stop(r, CARTEL_ENOMEM, cartel__strdup("out of memory"));
			return;
		}
		if (local == NULL || strcmp(local, "pfif") != 0)
			stop(r, CARTEL_EFORMAT,
			     cartel__strdup(
			         "the root element is not <pfif> "
			         "of a PFIF namespace (" CARTEL_PFIF_NS ")"));
		return;
	}
	const char *local = local_name(name, NULL);
	if (local == NULL) {
		r->skip = 1;
		return;
	}
	int in_note = r->note != 0, in_person = r->person != 0 && !in_note;
	if (strcmp(local, "person") == 0 && r->depth == 2) {
		struct cartel_pfif_record *rec = new_record(r, 0);
		if (rec == NULL) {
			stop(r, CARTEL_ENOMEM, cartel__strdup("out of memory"));
			return;
		}
		r->person = rec->index;
		return;
	}
	if (strcmp(local, "note") == 0 &&
	    (r->depth == 2 || (r->depth == 3 && in_person))) {
		struct cartel_pfif_record *rec = new_record(r, 1);
		if (rec == NULL) {
			stop(r, CARTEL_ENOMEM, cartel__strdup("out of memory"));
			return;
		}
		rec->person = r->depth == 3 ? r->person : 0;
		r->note = rec->index;
		return;
	}
	unsigned where = in_note ? IN_NOTE : in_person ? IN_PERSON : 0;
	for (size_t i = 0; where != 0 && i < sizeof(NAMES) / sizeof(NAMES[0]);
	     i++) {
		if ((NAMES[i].in & where) &&
		    strcmp(NAMES[i].name, local) == 0) {
			r->field = (int)NAMES[i].field;
			r->text_len = 0;
			r->too_long = 0;
			return;
		}
	}
	r->skip = 1;
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void XMLCALL
on_end(void *ud, const XML_Char *name)
{
	(void)name;
	struct reader *r = ud;
	r->depth--;
	if (r->skip > 0) {
		r->skip--;
		return;
	}
	if (r->field >= 0) {
		size_t idx = (r->note ? r->note : r->person) - 1;
		struct cartel_pfif_record *rec = &r->doc->rec[idx];
		const char *s = r->text != NULL ? r->text : "";
		size_t n = r->text_len;
		while (n > 0 && is_space(*s)) {
			s++;
			n--;
		}
		while (n > 0 && is_space(s[n - 1]))
			n--;
		int too_long = r->too_long || n > CARTEL_LIMIT_FIELD;
		if (too_long && rec->bad_field == NULL) {
			rec->bad_field = cartel_pfif_field_name(
			    (enum cartel_pfif_field)r->field);
			rec->bad_rule = "longer than the limit of one field "
			                "(docs/limits.md)";
		}
		/* The first of a field given twice is kept. */
		if (rec->value[r->field] == NULL && !too_long) {
			char *v = malloc(n + 1);
			if (v == NULL) {
				stop(r, CARTEL_ENOMEM,
				     cartel__strdup("out of memory"));
				return;
			}
			if (n > 0)
				memcpy(v, s, n);
			v[n] = '\0';
			rec->value[r->field] = v;
		}
		r->field = -1;
		r->text_len = 0;
		r->too_long = 0;
		return;
	}
	if (r->note != 0)
		r->note = 0;
	else if (r->person != 0)
		r->person = 0;
}

static void XMLCALL
on_text(void *ud, const XML_Char *s, int len)
{
	struct reader *r = ud;
	if (r->field < 0 || r->skip > 0 || len <= 0)
		return;
	/* Past the limit, only the count goes on: the record is rejected
	 * at the end of the element, without holding the rest. */
	if (r->too_long || r->text_len + (size_t)len > 2 * CARTEL_LIMIT_FIELD) {
		r->too_long = 1;
		return;
	}
	char *g = realloc(r->text, r->text_len + (size_t)len + 1);
	if (g == NULL) {
		stop(r, CARTEL_ENOMEM, cartel__strdup("out of memory"));
		return;
	}
	r->text = g;
	memcpy(r->text + r->text_len, s, (size_t)len);
	r->text_len += (size_t)len;
}

static void XMLCALL
on_entity_decl(void *ud, const XML_Char *name, int is_param,
               const XML_Char *value, int value_len, const XML_Char *base,
               const XML_Char *system_id, const XML_Char *public_id,
               const XML_Char *notation)
{
	(void)name, (void)is_param, (void)value, (void)value_len, (void)base;
	(void)system_id, (void)public_id, (void)notation;
	struct reader *r = ud;
	stop(r, CARTEL_EFORMAT,
	     cartel__asprintf("line %lu: the document declares an entity; "
	                      "PFIF needs none and cartel reads no document "
	                      "that does",
	                      (unsigned long)XML_GetCurrentLineNumber(r->xp)));
}

static int XMLCALL
on_external(XML_Parser xp, const XML_Char *context, const XML_Char *base,
            const XML_Char *system_id, const XML_Char *public_id)
{
	(void)xp, (void)context, (void)base, (void)system_id, (void)public_id;
	return XML_STATUS_ERROR; /* never fetched */
}

void
cartel_pfif_doc_free(struct cartel_pfif_doc *doc)
{
	if (doc == NULL)
		return;
	for (size_t i = 0; i < doc->n_rec; i++)
		for (int f = 0; f < CARTEL_PFIF_N_FIELDS; f++)
			free(doc->rec[i].value[f]);
	free(doc->rec);
	free(doc->ns);
	free(doc);
}

int
cartel_pfif_parse(const char *data, size_t len, struct cartel_pfif_doc **out,
                  char **why)
{
	*out = NULL;
	if (len > CARTEL_LIMIT_PFIF_DOC)
		return cartel__why(why, CARTEL_ERANGE,
		                   "the document is larger than the limit of "
		                   "%u MiB (docs/limits.md)",
		                   CARTEL_LIMIT_PFIF_DOC >> 20);
	struct reader r = {0};
	r.field = -1;
	r.doc = calloc(1, sizeof(*r.doc));
	r.xp = XML_ParserCreateNS(NULL, NS_SEP);
	if (r.doc == NULL || r.xp == NULL) {
		free(r.doc);
		if (r.xp != NULL)
			XML_ParserFree(r.xp);
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	}
	XML_SetUserData(r.xp, &r);
	XML_SetElementHandler(r.xp, on_start, on_end);
	XML_SetCharacterDataHandler(r.xp, on_text);
	XML_SetEntityDeclHandler(r.xp, on_entity_decl);
	XML_SetExternalEntityRefHandler(r.xp, on_external);
	XML_SetParamEntityParsing(r.xp, XML_PARAM_ENTITY_PARSING_NEVER);
	int err = 0;
	/* expat takes an int length: the document goes in pieces. */
	size_t off = 0;
	do {
		size_t n = len - off;
		if (n > (1u << 20))
			n = 1u << 20;
		int final = off + n == len;
		if (XML_Parse(r.xp, data + off, (int)n, final) !=
		    XML_STATUS_OK) {
			if (r.stop_err != 0) {
				err = cartel__why(why, r.stop_err, "%s",
				                  r.stop_why ? r.stop_why
				                             : "stopped");
			} else {
				err = cartel__why(
				    why, CARTEL_EFORMAT,
				    "line %lu, column %lu: %s",
				    (unsigned long)XML_GetCurrentLineNumber(
				        r.xp),
				    (unsigned long)XML_GetCurrentColumnNumber(
				        r.xp),
				    XML_ErrorString(XML_GetErrorCode(r.xp)));
			}
			break;
		}
		off += n;
	} while (off < len);
	if (err == 0 && r.doc->ns == NULL)
		err = cartel__why(why, CARTEL_EFORMAT, "the document is empty");
	XML_ParserFree(r.xp);
	free(r.text);
	free(r.stop_why);
	if (err != 0) {
		cartel_pfif_doc_free(r.doc);
		return err;
	}
	*out = r.doc;
	return 0;
}
