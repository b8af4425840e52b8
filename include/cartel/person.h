/*
 * The person: what a register knows about one captive (or one missing
 * person), after every event about him has been applied.
 *
 * Fields follow Geneva Convention III Art. 122; only Art. 17's (family name,
 * given names, rank, date of birth, service number) may ever be required, and
 * a record from a partial list may have none of them. Strings are owned,
 * NUL-terminated UTF-8, and NULL when unknown.
 *
 * Each enum has a text form (the one the import CSV and the JSON use):
 * cartel_enum_name() gives it and cartel_enum_parse() reads it back.
 */
#ifndef CARTEL_PERSON_H
#define CARTEL_PERSON_H

#include <stddef.h>

#include "date.h"

enum cartel_sex {
	CARTEL_SEX_UNKNOWN = 0,
	CARTEL_SEX_MALE,
	CARTEL_SEX_FEMALE,
};

enum cartel_category {
	CARTEL_CAT_UNKNOWN = 0,
	CARTEL_CAT_MILITARY,
	CARTEL_CAT_CIVILIAN,
	CARTEL_CAT_MEDICAL,  /* medical personnel (GC I Art. 24, GC III Art. 33) */
	CARTEL_CAT_CHAPLAIN,
};

/* The capture-card scale of GC III Annex IV B. */
enum cartel_health {
	CARTEL_HEALTH_UNKNOWN = 0,
	CARTEL_HEALTH_GOOD,
	CARTEL_HEALTH_NOT_WOUNDED,
	CARTEL_HEALTH_RECOVERED,
	CARTEL_HEALTH_CONVALESCENT,
	CARTEL_HEALTH_SICK,
	CARTEL_HEALTH_SLIGHTLY_WOUNDED,
	CARTEL_HEALTH_SERIOUSLY_WOUNDED,
};

enum cartel_consent {
	CARTEL_CONSENT_NOT_ASKED = 0,
	CARTEL_CONSENT_WILLING,
	CARTEL_CONSENT_REFUSES,
	/* Asked, and no answer yet: treated like not_asked (never handed
	 * over without a recorded "willing"), but the delegates are told he
	 * was asked. Last, so the older values keep their numbers. */
	CARTEL_CONSENT_UNDECIDED,
};

/* Art. 115 and 119: who may be held back. */
enum cartel_legal_hold {
	CARTEL_HOLD_NONE = 0,
	CARTEL_HOLD_PROCEEDINGS,
	CARTEL_HOLD_CONVICTED,
};

/* The lifecycle; cartel_status_can_move() says which moves are allowed. */
enum cartel_status {
	CARTEL_STATUS_REPORTED_MISSING = 0,
	CARTEL_STATUS_CONFIRMED_CAPTIVE,
	CARTEL_STATUS_PROPOSED,   /* proposed for exchange */
	CARTEL_STATUS_AGREED,     /* on an agreed list */
	CARTEL_STATUS_REPATRIATED,
	CARTEL_STATUS_RELEASED,
	CARTEL_STATUS_TRANSFERRED,
	CARTEL_STATUS_ESCAPED,
	CARTEL_STATUS_DECEASED,
};

/* Where a claim comes from, most reliable first. */
enum cartel_source {
	CARTEL_SRC_OFFICIAL_LIST = 0,
	CARTEL_SRC_CAPTURE_CARD,
	CARTEL_SRC_ICRC_VISIT,
	CARTEL_SRC_COUNTERPART_LIST,
	CARTEL_SRC_VIDEO_TESTIMONY,
	CARTEL_SRC_FAMILY_REPORT,
};

/* A medical determination for direct repatriation (Art. 110). */
enum cartel_direct_rep {
	CARTEL_DIRECT_UNKNOWN = 0, /* not examined */
	CARTEL_DIRECT_YES,
	CARTEL_DIRECT_NO,
};

enum cartel_enum_kind {
	CARTEL_ENUM_SEX,
	CARTEL_ENUM_CATEGORY,
	CARTEL_ENUM_HEALTH,
	CARTEL_ENUM_CONSENT,
	CARTEL_ENUM_LEGAL_HOLD,
	CARTEL_ENUM_STATUS,
	CARTEL_ENUM_SOURCE,
	CARTEL_ENUM_DIRECT_REP,
};

/* The text form of value v of kind k ("seriously_wounded"); "" when v is
 * out of range. Static storage. */
const char *cartel_enum_name(enum cartel_enum_kind k, int v);

/* The same value as people say it ("seriously wounded", "on an agreed
 * list"), in the calling thread's language (<cartel/i18n.h>); for labels
 * and text, never for files or JSON. "" when v is out of range. Static
 * storage. */
const char *cartel_enum_text(enum cartel_enum_kind k, int v);

/*
 * Reads a text form (case-insensitive, surrounding spaces ignored; also the
 * accepted synonyms such as "m"/"f", "yes"/"no") into *v. Returns 0, or
 * CARTEL_EINVAL when the text is not one of the values; *why then lists the
 * accepted values.
 */
int cartel_enum_parse(enum cartel_enum_kind k, const char *text, int *v,
		      char **why);

/* 1 when the lifecycle allows moving from `from` to `to`. */
int cartel_status_can_move(enum cartel_status from, enum cartel_status to);

/* 1 for statuses that mean the person is no longer held (repatriated,
 * released, escaped, deceased, transferred). */
int cartel_status_is_final(enum cartel_status s);

/* An extra attribute kept from an unknown import column. */
struct cartel_attr {
	char *key;
	char *value;
};

struct cartel_person {
	char *id; /* the register's id, unique */

	/* Identity (Art. 17 and 122). */
	char *family_name;
	char *given_name;
	char *patronymic;
	char *father_name;        /* father's first name */
	char *mother_maiden_name;
	enum cartel_sex sex;
	char *rank;
	char *service_number;
	char *unit;
	struct cartel_date birth_date;
	char *birth_place;
	char *depends_on; /* party code the person depends on, e.g. "UA" */
	enum cartel_category category;
	char *inform_person; /* name and address of the person to be informed */

	/* Custody. */
	char *held_by; /* party code of the detaining power */
	struct cartel_date held_since;
	struct cartel_date captured_on;
	char *captured_at;
	char *internment_place;

	/* Health and repatriation. */
	enum cartel_health health;
	enum cartel_direct_rep direct_repatriation;
	char *direct_rep_by;            /* who decided */
	struct cartel_date direct_rep_on; /* when */
	enum cartel_consent consent;
	char *consent_by;               /* who interviewed */
	struct cartel_date consent_on;
	enum cartel_legal_hold legal_hold;

	enum cartel_status status;
	enum cartel_source source; /* source of the newest claim */
	char *notes;

	/* Unknown import columns, sorted by key (strcmp) so that a lookup
	 * is a binary search; cartel_person_set_attr keeps them so. */
	struct cartel_attr *extra;
	size_t n_extra;
};

/* Frees every string the person owns (not the struct) and zeroes it. */
void cartel_person_clear(struct cartel_person *p);

#endif
