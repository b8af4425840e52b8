/*
 * The person's enumerations in words, and the status lifecycle.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cartel/error.h>
#include <cartel/person.h>

#include "core/why.h"

struct name {
	const char *text;
	int value;
};

/* The first entry of each value is its canonical text; later ones are
 * synonyms accepted on input. */
static const struct name sex_names[] = {
	{"unknown", CARTEL_SEX_UNKNOWN}, {"male", CARTEL_SEX_MALE},
	{"female", CARTEL_SEX_FEMALE},   {"m", CARTEL_SEX_MALE},
	{"f", CARTEL_SEX_FEMALE},        {"", CARTEL_SEX_UNKNOWN},
	{NULL, 0}};
static const struct name category_names[] = {
	{"unknown", CARTEL_CAT_UNKNOWN},   {"military", CARTEL_CAT_MILITARY},
	{"civilian", CARTEL_CAT_CIVILIAN}, {"medical", CARTEL_CAT_MEDICAL},
	{"chaplain", CARTEL_CAT_CHAPLAIN}, {"", CARTEL_CAT_UNKNOWN},
	{NULL, 0}};
static const struct name health_names[] = {
	{"unknown", CARTEL_HEALTH_UNKNOWN},
	{"good", CARTEL_HEALTH_GOOD},
	{"not_wounded", CARTEL_HEALTH_NOT_WOUNDED},
	{"recovered", CARTEL_HEALTH_RECOVERED},
	{"convalescent", CARTEL_HEALTH_CONVALESCENT},
	{"sick", CARTEL_HEALTH_SICK},
	{"slightly_wounded", CARTEL_HEALTH_SLIGHTLY_WOUNDED},
	{"seriously_wounded", CARTEL_HEALTH_SERIOUSLY_WOUNDED},
	{"", CARTEL_HEALTH_UNKNOWN},
	{NULL, 0}};
static const struct name consent_names[] = {
	{"not_asked", CARTEL_CONSENT_NOT_ASKED},
	{"willing", CARTEL_CONSENT_WILLING},
	{"refuses", CARTEL_CONSENT_REFUSES},
	{"", CARTEL_CONSENT_NOT_ASKED},
	{NULL, 0}};
static const struct name hold_names[] = {
	{"none", CARTEL_HOLD_NONE},
	{"proceedings", CARTEL_HOLD_PROCEEDINGS},
	{"convicted", CARTEL_HOLD_CONVICTED},
	{"", CARTEL_HOLD_NONE},
	{NULL, 0}};
static const struct name status_names[] = {
	{"reported_missing", CARTEL_STATUS_REPORTED_MISSING},
	{"confirmed_captive", CARTEL_STATUS_CONFIRMED_CAPTIVE},
	{"proposed", CARTEL_STATUS_PROPOSED},
	{"agreed", CARTEL_STATUS_AGREED},
	{"repatriated", CARTEL_STATUS_REPATRIATED},
	{"released", CARTEL_STATUS_RELEASED},
	{"transferred", CARTEL_STATUS_TRANSFERRED},
	{"escaped", CARTEL_STATUS_ESCAPED},
	{"deceased", CARTEL_STATUS_DECEASED},
	{"missing", CARTEL_STATUS_REPORTED_MISSING},
	{"captive", CARTEL_STATUS_CONFIRMED_CAPTIVE},
	{NULL, 0}};
static const struct name source_names[] = {
	{"official_list", CARTEL_SRC_OFFICIAL_LIST},
	{"capture_card", CARTEL_SRC_CAPTURE_CARD},
	{"icrc_visit", CARTEL_SRC_ICRC_VISIT},
	{"counterpart_list", CARTEL_SRC_COUNTERPART_LIST},
	{"video_testimony", CARTEL_SRC_VIDEO_TESTIMONY},
	{"family_report", CARTEL_SRC_FAMILY_REPORT},
	{"video", CARTEL_SRC_VIDEO_TESTIMONY},
	{"testimony", CARTEL_SRC_VIDEO_TESTIMONY},
	{NULL, 0}};
static const struct name direct_names[] = {
	{"unknown", CARTEL_DIRECT_UNKNOWN}, {"yes", CARTEL_DIRECT_YES},
	{"no", CARTEL_DIRECT_NO},           {"", CARTEL_DIRECT_UNKNOWN},
	{"y", CARTEL_DIRECT_YES},           {"n", CARTEL_DIRECT_NO},
	{"true", CARTEL_DIRECT_YES},        {"false", CARTEL_DIRECT_NO},
	{NULL, 0}};

static const struct name *
table(enum cartel_enum_kind k, const char **what)
{
	switch (k) {
	case CARTEL_ENUM_SEX: *what = "sex"; return sex_names;
	case CARTEL_ENUM_CATEGORY: *what = "category"; return category_names;
	case CARTEL_ENUM_HEALTH: *what = "health"; return health_names;
	case CARTEL_ENUM_CONSENT: *what = "consent"; return consent_names;
	case CARTEL_ENUM_LEGAL_HOLD: *what = "legal_hold"; return hold_names;
	case CARTEL_ENUM_STATUS: *what = "status"; return status_names;
	case CARTEL_ENUM_SOURCE: *what = "source"; return source_names;
	case CARTEL_ENUM_DIRECT_REP:
		*what = "direct_repatriation";
		return direct_names;
	}
	*what = "value";
	return NULL;
}

const char *
cartel_enum_name(enum cartel_enum_kind k, int v)
{
	const char *what;
	const struct name *t = table(k, &what);
	for (; t != NULL && t->text != NULL; t++)
		if (t->value == v)
			return t->text;
	return "";
}

int
cartel_enum_parse(enum cartel_enum_kind k, const char *text, int *v,
		  char **why)
{
	const char *what;
	const struct name *t = table(k, &what);
	if (t == NULL)
		return CARTEL_EINVAL;
	if (text == NULL)
		text = "";
	while (isspace((unsigned char)*text))
		text++;
	size_t len = strlen(text);
	while (len > 0 && isspace((unsigned char)text[len - 1]))
		len--;
	for (const struct name *e = t; e->text != NULL; e++) {
		if (strlen(e->text) == len &&
		    strncasecmp(e->text, text, len) == 0) {
			*v = e->value;
			return 0;
		}
	}
	/* List the canonical values: each value's first entry. */
	char list[256] = "";
	size_t used = 0;
	int seen = -1;
	for (const struct name *e = t; e->text != NULL; e++) {
		if (e->value <= seen || e->text[0] == '\0')
			continue;
		seen = e->value;
		int n = snprintf(list + used, sizeof(list) - used, "%s%s",
				 used ? ", " : "", e->text);
		if (n < 0 || (size_t)n >= sizeof(list) - used)
			break;
		used += (size_t)n;
	}
	return cartel__why(why, CARTEL_EINVAL,
			   "%s: the value is not one of: %s", what, list);
}

int
cartel_status_is_final(enum cartel_status s)
{
	switch (s) {
	case CARTEL_STATUS_REPATRIATED:
	case CARTEL_STATUS_RELEASED:
	case CARTEL_STATUS_TRANSFERRED:
	case CARTEL_STATUS_ESCAPED:
	case CARTEL_STATUS_DECEASED:
		return 1;
	default:
		return 0;
	}
}

int
cartel_status_can_move(enum cartel_status from, enum cartel_status to)
{
	/* Rows: from; bits: allowed to. Repatriated, released and deceased
	 * are ends; a transferred or escaped person may be found in custody
	 * again. A proposed or agreed person may fall back to captive (struck
	 * from a list, refused or absent at the exchange point). */
#define B(s) (1u << CARTEL_STATUS_##s)
	static const unsigned allowed[] = {
		[CARTEL_STATUS_REPORTED_MISSING] =
			B(CONFIRMED_CAPTIVE) | B(PROPOSED) | B(REPATRIATED) |
			B(RELEASED) | B(DECEASED),
		[CARTEL_STATUS_CONFIRMED_CAPTIVE] =
			B(PROPOSED) | B(REPATRIATED) | B(RELEASED) |
			B(TRANSFERRED) | B(ESCAPED) | B(DECEASED),
		[CARTEL_STATUS_PROPOSED] =
			B(CONFIRMED_CAPTIVE) | B(AGREED) | B(RELEASED) |
			B(TRANSFERRED) | B(ESCAPED) | B(DECEASED),
		[CARTEL_STATUS_AGREED] =
			B(CONFIRMED_CAPTIVE) | B(REPATRIATED) | B(RELEASED) |
			B(TRANSFERRED) | B(ESCAPED) | B(DECEASED),
		[CARTEL_STATUS_REPATRIATED] = 0,
		[CARTEL_STATUS_RELEASED] = 0,
		[CARTEL_STATUS_TRANSFERRED] = B(CONFIRMED_CAPTIVE) | B(DECEASED),
		[CARTEL_STATUS_ESCAPED] = B(CONFIRMED_CAPTIVE) | B(DECEASED),
		[CARTEL_STATUS_DECEASED] = 0,
	};
#undef B
	if ((unsigned)from > CARTEL_STATUS_DECEASED ||
	    (unsigned)to > CARTEL_STATUS_DECEASED)
		return 0;
	return (allowed[from] >> to) & 1u;
}

void
cartel_person_clear(struct cartel_person *p)
{
	char **strs[] = {&p->id,
			 &p->family_name,
			 &p->given_name,
			 &p->patronymic,
			 &p->father_name,
			 &p->mother_maiden_name,
			 &p->rank,
			 &p->service_number,
			 &p->unit,
			 &p->birth_place,
			 &p->depends_on,
			 &p->inform_person,
			 &p->held_by,
			 &p->captured_at,
			 &p->internment_place,
			 &p->direct_rep_by,
			 &p->consent_by,
			 &p->notes};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		free(*strs[i]);
	for (size_t i = 0; i < p->n_extra; i++) {
		free(p->extra[i].key);
		free(p->extra[i].value);
	}
	free(p->extra);
	memset(p, 0, sizeof(*p));
}
