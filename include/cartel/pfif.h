/*
 * PFIF 1.4, the People Finder Interchange Format (docs/pfif.md): reading a
 * feed of person and note records into the register, and writing the
 * register's publishable part as one.
 *
 * Record ids. A PFIF record id is "domain/local-id". A register exports
 * its persons under its own domain (cartel_pfif_opts.domain): person
 * UA-0001 is "DOMAIN/UA-0001". Reading a feed, a record of the same
 * domain is the register's own person (UA-0001 again); a record of any
 * other domain keeps its whole id as the person's id ("example.org/p17"),
 * which no id cartel gives ever has (they hold no '/'). So a feed read
 * twice updates the persons it made the first time instead of adding
 * them again, and a register's own export read back changes nothing.
 *
 * The reader is libexpat with every entity turned away: a document with
 * a DTD that declares an entity is refused before anything is expanded,
 * external entities are never fetched, and the document has a size limit
 * (CARTEL_LIMIT_PFIF_DOC, docs/limits.md).
 */
#ifndef CARTEL_PFIF_H
#define CARTEL_PFIF_H

#include <stddef.h>
#include <stdio.h>

#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The namespace of PFIF 1.4 documents, the one the export writes. */
#define CARTEL_PFIF_NS "http://zesty.ca/pfif/1.4"

/* The domain an export names its records with when none is given. */
#define CARTEL_PFIF_DOMAIN "cartel.invalid"

/* The fields of PFIF person and note records that the reader keeps. The
 * older first_name, last_name and home_zip read as given_name,
 * family_name and home_postal_code. */
enum cartel_pfif_field {
	CARTEL_PFIF_PERSON_RECORD_ID = 0,
	CARTEL_PFIF_ENTRY_DATE,
	CARTEL_PFIF_EXPIRY_DATE,
	CARTEL_PFIF_AUTHOR_NAME,
	CARTEL_PFIF_AUTHOR_EMAIL,
	CARTEL_PFIF_AUTHOR_PHONE,
	CARTEL_PFIF_SOURCE_NAME,
	CARTEL_PFIF_SOURCE_DATE,
	CARTEL_PFIF_SOURCE_URL,
	CARTEL_PFIF_FULL_NAME,
	CARTEL_PFIF_GIVEN_NAME,
	CARTEL_PFIF_FAMILY_NAME,
	CARTEL_PFIF_ALTERNATE_NAMES,
	CARTEL_PFIF_DESCRIPTION,
	CARTEL_PFIF_SEX,
	CARTEL_PFIF_DATE_OF_BIRTH,
	CARTEL_PFIF_AGE,
	CARTEL_PFIF_HOME_STREET,
	CARTEL_PFIF_HOME_NEIGHBORHOOD,
	CARTEL_PFIF_HOME_CITY,
	CARTEL_PFIF_HOME_STATE,
	CARTEL_PFIF_HOME_POSTAL_CODE,
	CARTEL_PFIF_HOME_COUNTRY,
	CARTEL_PFIF_PHOTO_URL,
	CARTEL_PFIF_PROFILE_URLS,
	CARTEL_PFIF_NOTE_RECORD_ID,
	CARTEL_PFIF_LINKED_PERSON_RECORD_ID,
	CARTEL_PFIF_AUTHOR_MADE_CONTACT,
	CARTEL_PFIF_STATUS,
	CARTEL_PFIF_EMAIL_OF_FOUND_PERSON,
	CARTEL_PFIF_PHONE_OF_FOUND_PERSON,
	CARTEL_PFIF_LAST_KNOWN_LOCATION,
	CARTEL_PFIF_TEXT,
	CARTEL_PFIF_N_FIELDS
};

/* The 1.4 element name of field f ("" when out of range). Static. */
const char *cartel_pfif_field_name(enum cartel_pfif_field f);

/* One record as read: a person, or a note (nested in a person or
 * standing alone). Values are trimmed UTF-8, NULL when the element was
 * absent, owned by the document. */
struct cartel_pfif_record {
	int is_note;
	size_t index;  /* 1-based, in document order, persons and notes */
	size_t person; /* for a nested note: the index of its person */
	char *value[CARTEL_PFIF_N_FIELDS];
	/* The first rule the reader found broken in this record (a field
	 * past CARTEL_LIMIT_FIELD): the field's name and the rule, or
	 * NULL. The record is then rejected, not read. */
	const char *bad_field;
	const char *bad_rule;
};

struct cartel_pfif_doc {
	struct cartel_pfif_record *rec;
	size_t n_rec;
	char *ns; /* the namespace of the root element ("" for none) */
};

/*
 * Parses a PFIF document (1.1 to 1.4) of len bytes into a new *out (free
 * with cartel_pfif_doc_free). Elements cartel does not know are skipped
 * with everything inside them; values are trimmed of surrounding white
 * space. Returns 0, or with *out NULL: CARTEL_ERANGE for a document over
 * CARTEL_LIMIT_PFIF_DOC or nested deeper than CARTEL_LIMIT_PFIF_DEPTH,
 * CARTEL_EFORMAT for XML that is not well-formed, a DTD that declares an
 * entity, a reference to an external entity, or a root that is not
 * <pfif>; *why names the line and the rule, never a value.
 */
int cartel_pfif_parse(const char *data, size_t len,
                      struct cartel_pfif_doc **out, char **why);

void cartel_pfif_doc_free(struct cartel_pfif_doc *doc);

/* 1 when s is a PFIF record id: "domain/local-id", both parts
 * non-empty, no white space or control characters. */
int cartel_pfif_record_id_valid(const char *s);

/* What cartel_export_pfif writes, on top of names, sex and date of birth
 * (docs/pfif.md). */
#define CARTEL_PFIF_WITH_HEALTH 0x1u     /* health, in the description */
#define CARTEL_PFIF_WITH_LEGAL_HOLD 0x2u /* legal hold, likewise */
#define CARTEL_PFIF_WITH_NOTES                                                 \
	0x4u /* the notes field and the                                        \
	      * notes' own texts */

/* Reads a comma-separated list of health, legal_hold and notes (the
 * CLI's --with, the API's with=) into *with (CARTEL_PFIF_WITH_* bits
 * added). Returns 0, or CARTEL_EINVAL with *why naming the words. */
int cartel_pfif_with_parse(const char *list, unsigned *with, char **why);

struct cartel_pfif_opts {
	/* The register's domain in record ids; NULL = CARTEL_PFIF_DOMAIN. */
	const char *domain;
	/* Export: only records whose entry_date is after this time
	 * (YYYY-MM-DDTHH:MM:SSZ); NULL = all. */
	const char *since;
	/* Export: also persons in custody (GC III Art. 13: by default a
	 * captive's record never leaves). */
	int include_captives;
	unsigned with; /* CARTEL_PFIF_WITH_* */
	/* Export: only persons held by this party or depending on it (a
	 * registrar's reach, <cartel/account.h>); NULL = every person. */
	const char *party;
	/* Export: only records whose entry_date is at or after this time
	 * (YYYY-MM-DDTHH:MM:SSZ), as a PFIF feed's min_entry_date; NULL =
	 * all. */
	const char *min_entry_date;
	/* Export, a page: with max_results > 0 the persons are ordered by
	 * entry_date (then id), the first `skip` of them left out and at
	 * most max_results written, each with his notes; 0 = no limit, in
	 * the order of ids. */
	size_t skip, max_results;
	/* The feed through a front end (cartel_account_pfif): 1 when only
	 * its headers are asked for (an HTTP HEAD). The document is made,
	 * for its size, but nothing leaves, so no transfer is recorded. */
	int probe;
};

/* What an export wrote. */
struct cartel_pfif_counts {
	size_t persons;
	size_t notes;
	size_t withheld; /* persons left out as captives */
	size_t unnamed;  /* persons left out for having no name (PFIF
	                  * requires full_name) */
	/* A page (max_results > 0): more persons follow this page; ask
	 * for them with min_entry_date = next_min_entry_date and skip =
	 * next_skip (the persons of that entry_date already written). */
	int more;
	char next_min_entry_date[24];
	size_t next_skip;
};

/*
 * Writes the register as a PFIF 1.4 document to out: the persons that may
 * be published (docs/pfif.md: not a person in custody unless
 * opts->include_captives), each with a note per change of status. Health,
 * legal hold and the notes field only when opts->with names them; only
 * opts->party's persons when it is set; a page when opts->max_results is
 * set. Fills *counts (may be NULL; withheld and unnamed count only the
 * persons of opts->party when it is set). Returns 0, CARTEL_EINVAL for a
 * bad domain, since, min_entry_date or party, CARTEL_EIO, or a database
 * error.
 */
int cartel_export_pfif(struct cartel_db *db, FILE *out,
                       const struct cartel_pfif_opts *opts,
                       struct cartel_pfif_counts *counts, char **why);

/*
 * Reads the PFIF document in `in` (`name` is what messages call it) into
 * the register in one transaction: each person record adds or updates
 * the person its record id names (see the top of this header), each note
 * becomes an event on its person (docs/pfif.md). Rejected records go to
 * imp->rejects as "row,column,reason" where row is the record's index in
 * the document and column the PFIF field; a reason never quotes a value.
 * imp->all_or_nothing: any rejected record leaves the register as it was
 * (CARTEL_EINVAL). imp->actor, imp->source (default family_report) as for
 * the CSV import. res->rows_read counts records, res->imported persons
 * added, res->updated persons changed, res->events notes recorded,
 * res->rejected records rejected. A document refused as a whole
 * (cartel_pfif_parse) changes nothing.
 */
int cartel_import_pfif(struct cartel_db *db, FILE *in, const char *name,
                       const struct cartel_pfif_opts *opts,
                       const struct cartel_import_opts *imp,
                       struct cartel_import_result *res, char **why);

#ifdef __cplusplus
}
#endif
#endif
